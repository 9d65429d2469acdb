#!/usr/bin/env bash
# The Windows build, built and run: cross-builds ecma2-host, ecma2 and ecma2-demo for
# x86_64-pc-windows-gnu, runs clippy for that target, then runs ecma2-host.exe (which launches
# ecma2-demo.exe) under wine, driven over loopback TCP by the Linux ecma2 CLI: full import,
# export, delta import. Needs mingw-w64, wine and the rustup target (.ci/run installs them).
#
# What wine cannot show is skipped and said so (the unit tests cover the logic; see
# host/src/platform): that a killed host takes its connectors along through the Job Object
# (only the assignment is checked), the owner-only ACL as Windows enforces it, and whatever of
# service control wine's service control manager cannot do.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
target=x86_64-pc-windows-gnu
t0=$SECONDS
# shellcheck source=tests/lib.sh
. tests/lib.sh

cargo build -q --target "$target" -p ecma2-host -p ecma2-cli -p ecma2-demo -p ecma2-probe
echo "windows build: $((SECONDS - t0)) s"
t1=$SECONDS
cargo clippy -q --target "$target" -p ecma2-transport -p ecma2-sdk -p ecma2-host -p ecma2-cli -p ecma2-demo \
  -p ecma2-probe --all-targets -- -D warnings
echo "windows clippy: $((SECONDS - t1)) s"
cargo build -q -p ecma2-cli
win="$root/target/$target/debug"
ecma2="$root/target/debug/ecma2"

work=$(mktemp -d /tmp/ecma2-wine-XXXXXX)
host_pid=""
cleanup() {
  [ -n "$host_pid" ] && kill "$host_pid" 2>/dev/null || true
  WINEPREFIX="$work/prefix" wineserver -k 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
t2=$SECONDS
wine_prefix "$work/prefix"
echo "wine prefix (wineboot): $((SECONDS - t2)) s"

cat >"$work/host.toml" <<TOML
state_dir = "state"
[engine]
listen = "tcp:127.0.0.1:0"
[[connector]]
name = "demo"
command = "$win/ecma2-demo.exe"
env = { RUST_LOG = "info" }
TOML
t3=$SECONDS
(cd "$work" && exec wine "$win/ecma2-host.exe" --config host.toml --log-format json) 2>"$work/host.log" &
host_pid=$!
address=""
for _ in $(seq 1 600); do
  address=$(grep -o '"address":"tcp:127.0.0.1:[0-9]*"' "$work/host.log" | head -1 | sed 's/.*"tcp:/tcp:/; s/"$//') || true
  [ -n "$address" ] && break
  kill -0 "$host_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$address" ]; then
  cat "$work/host.log"
  echo "ecma2-host.exe did not start"
  exit 1
fi
echo "ecma2-host.exe listening on $address after $((SECONDS - t3)) s"
token="$work/state/engine.token"
cli() { "$ecma2" --host "$address" --token-file "$token" --state "$work/space" "$@"; }
params=(--param "database=$work/demo.db" --param seed_users=20)

ready=""
for _ in $(seq 1 300); do
  if cli list --json 2>/dev/null | grep -q '"state": *"[A-Za-z_]*READY\|"READY"\|Ready'; then ready=1; break; fi
  sleep 0.1
done
[ -n "$ready" ] && ok "the Windows host launched the Windows demo connector" || { cli list || true; fail "connector ready"; }

# Full import, export, delta import (tests/lib.sh round_trip; one JSON summary per run).
round_trip "through ecma2-host.exe" 20 wine
if grep -q "cannot tie the connector" "$work/host.log"; then
  fail "the connector was not assigned to the host's Job Object: $(grep -o 'cannot tie[^"]*"[^}]*' "$work/host.log" | head -1)"
else
  ok "the connector joined the host's kill-on-close Job Object"
fi
skip "a killed host takes its connectors along (Job Object kill-on-close): not exercised, a wine process killed from Linux is not a Windows process ending, so it would prove nothing about Windows; only the assignment is checked above"
skip "the token file's owner-only ACL as Windows enforces it: wine runs everything as one Unix user and does not enforce file ACLs; the DACL text is unit-tested (host/src/platform)"

kill -INT "$host_pid" 2>/dev/null || true
wait "$host_pid" 2>/dev/null || true
host_pid=""

# The Windows service (host/src/platform/windows_service.rs). From a console, `service run` must
# refuse, naming the service control manager; then install, start, stop and uninstall through
# wine's service control manager where it can do them, else the test says what it skipped.
out=$(cd "$work" && wine_run "$win/ecma2-host.exe" service run --config host.toml --log-file svc-console.log) || true
if grep -q "is what the service control manager starts" <<<"$out"; then
  ok "ecma2-host.exe service run from a console refuses, naming the service control manager"
else
  echo "$out"; fail "service run from a console"
fi
if out=$(cd "$work" && wine_run "$win/ecma2-host.exe" service install --config host.toml --name ecma2-smoke \
  --log-file svc.log) && grep -q "installed service" <<<"$out"; then
  ok "service install registered ecma2-smoke with wine's service control manager"
  if out=$(wine_run "$win/ecma2-host.exe" service start --name ecma2-smoke) && grep -q "is running" <<<"$out"; then
    if grep -q "host listening for engines" "$work/svc.log" 2>/dev/null; then
      ok "service start: the service runs the host, logging to svc.log"
    else
      fail "service start: no 'host listening' line in svc.log: $(tail -3 "$work/svc.log" 2>/dev/null)"
    fi
    out=$(wine_run "$win/ecma2-host.exe" service stop --name ecma2-smoke) || true
    if grep -q "has stopped" <<<"$out" && grep -q 'host stopped' "$work/svc.log"; then
      ok "service stop: an orderly stop ($(grep -o 'stopping reason="[^"]*"' "$work/svc.log" | tail -1))"
    else
      echo "$out"; fail "service stop"
    fi
  else
    skip "service start under wine: $(tail -1 <<<"$out") (wine's service control manager; the state logic is unit-tested in host/src/platform/service.rs)"
  fi
  wine_run "$win/ecma2-host.exe" service uninstall --name ecma2-smoke >/dev/null || true
else
  skip "service install under wine: $(tail -1 <<<"$out") (the argument building and path resolution are unit-tested in host/src/platform/service.rs)"
fi
summary "windows smoke"
