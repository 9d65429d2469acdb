#!/usr/bin/env bash
# The release bundles, as a user gets them: runs scripts/release into a temporary directory,
# verifies the checksums file, unpacks the Linux bundle into an empty directory and runs the demo
# from there with a PATH that has no cargo or rustc on it (ecma2-host from the bundle's own
# host.toml launching the bundle's demo connector; the bundle's `ecma2` drives a full import, an
# export and a delta import), checks the Windows zip's listing, and starts the unpacked
# ecma2-host.exe --version under wine when wine is installed.
#
#   tests/release/run.sh            # ECMA2_RELEASE_PROFILE=dist for the published build
#
# The profile defaults to dev: CI has built those binaries already (cargo test and
# tests/windows/smoke.sh), so this step tests the packing without a second optimised build of
# every dependency (docs/host.md "Release bundles" has the measured cost of a dist build).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
profile=${ECMA2_RELEASE_PROFILE:-dev}
t0=$SECONDS
# shellcheck source=tests/lib.sh
. tests/lib.sh

work=$(mktemp -d /tmp/ecma2-release-test-XXXXXX)
host_pid=""
cleanup() {
  [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null || true
  [ -d "$work/prefix" ] && WINEPREFIX="$work/prefix" wineserver -k 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# ECMA2_RELEASE_ARGS: more arguments for scripts/release (--no-build when nothing changed).
# shellcheck disable=SC2086
scripts/release --profile "$profile" --out "$work/dist" ${ECMA2_RELEASE_ARGS:-}
version=$(python3 -c 'import tomllib; print(tomllib.load(open("Cargo.toml", "rb"))["workspace"]["package"]["version"])')
linux="ecma2-host-$version-x86_64-linux"
windows="ecma2-host-$version-x86_64-windows"
ls -l "$work/dist"

if (cd "$work/dist" && sha256sum --quiet -c "ecma2-host-$version-SHA256SUMS") &&
  [ "$(wc -l <"$work/dist/ecma2-host-$version-SHA256SUMS")" = 2 ]; then
  ok "the checksums file lists both archives and they match"
else
  fail "checksums"
fi

# --- the Linux bundle, unpacked where nothing else is -----------------------------------------
mkdir "$work/unpacked" "$work/home"
tar -xzf "$work/dist/$linux.tar.gz" -C "$work/unpacked"
bundle="$work/unpacked/$linux"
missing=""
for f in bin/ecma2-host bin/ecma2 bin/ecma2-demo bin/ecma2-probe host.toml LICENSE README.md BUILD.txt \
  docs/host.md docs/runtime.md docs/sdk-python.md; do
  [ -e "$bundle/$f" ] || missing="$missing $f"
done
wheel=$(cd "$bundle" && ls sdk/python/ecma2_sdk-"$version"-py3-none-any.whl 2>/dev/null || true)
[ -n "$wheel" ] || missing="$missing sdk/python/ecma2_sdk-$version-py3-none-any.whl"
if [ -z "$missing" ] && [ "$(ls "$work/unpacked")" = "$linux" ]; then
  ok "the Linux bundle unpacks into one directory, $linux/, with programs, config, docs and the wheel"
else
  fail "the Linux bundle misses:$missing (top level: $(ls "$work/unpacked" | tr '\n' ' '))"
fi
if [ -n "$wheel" ] && python3 - "$bundle/$wheel" <<'PY'; then
import sys, zipfile
names = zipfile.ZipFile(sys.argv[1]).namelist()
need = ["ecma2/__init__.py", "ecma2/py.typed"]
sys.exit(0 if all(n in names for n in need) and any(n.startswith("ecma2/_pb/") for n in names) else 1)
PY
  ok "the Python wheel holds the ecma2 package with its generated contract"
else
  fail "the Python wheel's contents"
fi
debug_sections=""
for b in "$bundle"/bin/*; do
  if readelf -S "$b" 2>/dev/null | grep -q '\.debug_info\|\.symtab'; then debug_sections="$debug_sections $(basename "$b")"; fi
done
[ -z "$debug_sections" ] && ok "the Linux programs are stripped ($(du -sh "$bundle/bin" | cut -f1) for four)" ||
  fail "not stripped:$debug_sections"

# Everything below runs with this environment only: no cargo, no rustc, no ~/.cargo.
clean_env=(env -i PATH=/usr/bin:/bin HOME="$work/home" LANG=C.UTF-8 TMPDIR="$work")
clean() { "${clean_env[@]}" "$@"; }
if clean sh -c 'command -v cargo || command -v rustc' >/dev/null; then
  fail "the clean PATH still finds a Rust toolchain: $(clean sh -c 'command -v cargo rustc')"
else
  ok "no cargo or rustc on the PATH the bundle runs with"
fi
cd "$bundle"
if out=$(clean bin/ecma2-host --config host.toml --check 2>&1); then
  ok "the bundle's host.toml passes --check from the unpacked directory ($out)"
else
  fail "ecma2-host --check host.toml: $out"
fi
[ "$(clean bin/ecma2-host --version)" = "ecma2-host $version" ] && ok "ecma2-host --version says $version" ||
  fail "ecma2-host --version: $(clean bin/ecma2-host --version 2>&1)"

# The shipped host.toml listens on the fixed 5800; this run takes a free port instead.
sed 's/^listen = .*/listen = "tcp:127.0.0.1:0"/' host.toml >host.test.toml
# Started as a simple command, so $! is the host itself (env execs it): a function run in the
# background is a subshell, and killing that left the host running after the test.
"${clean_env[@]}" bin/ecma2-host --config host.test.toml --log-format json 2>"$work/host.log" &
host_pid=$!
address=""
for _ in $(seq 1 300); do
  address=$(grep -o '"address":"tcp:127.0.0.1:[0-9]*"' "$work/host.log" | head -1 | sed 's/.*"tcp:/tcp:/; s/"$//') || true
  [ -n "$address" ] && break
  kill -0 "$host_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$address" ]; then
  cat "$work/host.log"
  fail "the bundle's ecma2-host did not start"
else
  cli() { clean bin/ecma2 --host "$address" --token-file state/engine.token --state "$work/space" "$@"; }
  params=(--param "database=$work/demo.db" --param seed_users=25)
  ready=""
  for _ in $(seq 1 300); do
    if cli --json list 2>/dev/null | grep -q '"state":"READY"'; then ready=1; break; fi
    sleep 0.1
  done
  [ -n "$ready" ] && ok "the bundle's host launched the bundle's demo connector (bin/ecma2-demo)" ||
    { cli list || true; fail "connector ready"; }
  round_trip "from the bundle" 25 bundle
  kill -TERM "$host_pid" 2>/dev/null || true
  wait "$host_pid" 2>/dev/null || true
  host_pid=""
  grep -q '"host stopped"' "$work/host.log" && ok "the bundle's host stopped on SIGTERM" ||
    fail "the bundle's host did not log \"host stopped\" after SIGTERM (is it still running?)"
fi
if out=$(clean bin/ecma2 demo --users 30 2>&1) && grep -q 'delta' <<<"$out"; then
  ok "bin/ecma2 demo runs from the bundle"
else
  echo "$out"; fail "bin/ecma2 demo"
fi
cd "$root"

# --- the Windows bundle -----------------------------------------------------------------------
if listing=$(python3 - "$work/dist/$windows.zip" "$windows" <<'PY'
import sys, zipfile
path, top = sys.argv[1:]
z = zipfile.ZipFile(path)
names = z.namelist()
need = [f"{top}/bin/{b}.exe" for b in ("ecma2-host", "ecma2", "ecma2-demo", "ecma2-probe")]
need += [f"{top}/{f}" for f in ("host.toml", "LICENSE", "README.md", "BUILD.txt", "docs/host.md")]
missing = [n for n in need if n not in names]
missing += [f"{top}/sdk/python/*.whl"] * (not any(n.endswith(".whl") for n in names))
outside = [n for n in names if not n.startswith(top + "/")]
not_pe = [n for n in need[:4] if n in names and z.read(n)[:2] != b"MZ"]
config = z.read(f"{top}/host.toml").decode() if f"{top}/host.toml" in names else ""
if 'command = "bin/ecma2-demo.exe"' not in config or 'transport = "tcp"' not in config:
    missing.append("host.toml launching bin/ecma2-demo.exe over tcp")
for problem, items in (("missing", missing), ("outside the top directory", outside), ("not PE", not_pe)):
    if items:
        print(f"{problem}: {' '.join(items)}")
        sys.exit(1)
print(f"{len(names)} entries")
PY
); then
  ok "the Windows zip holds $windows/ with the four .exe programs (PE), host.toml, docs and the wheel ($listing)"
else
  fail "the Windows zip: $listing"
fi
if command -v wine >/dev/null && command -v x86_64-w64-mingw32-gcc >/dev/null; then
  mkdir "$work/win"
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
    "$work/dist/$windows.zip" "$work/win"
  wine_prefix "$work/prefix"
  out=$(cd "$work/win/$windows" && wine_run bin/ecma2-host.exe --version) || true
  [ "$out" = "ecma2-host $version" ] && ok "the unpacked ecma2-host.exe --version runs under wine ($out)" ||
    fail "wine ecma2-host.exe --version: $out"
else
  skip "ecma2-host.exe --version under wine: wine or mingw-w64 is not installed (.ci/run installs both)"
fi

summary "release test"
