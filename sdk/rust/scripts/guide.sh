#!/usr/bin/env bash
# Runs the Rust guide (sdk/rust/README.md) outside the workspace, so that it cannot rot:
#   sdk/rust/scripts/guide.sh
#
# In a fresh temp directory, next to a link to this checkout named ecma2-host (the layout the
# guide uses), writes the files the guide shows (fenced blocks after <!-- guide:file NAME -->),
# builds the crate offline with its path dependency on the SDK (debug, into this checkout's
# target directory so the SDK's dependencies compiled by `cargo build` are reused; the
# workspace's Cargo.lock pins the same versions), then starts ecma2-host with the guide's
# host.toml and runs `ecma2 conformance` on the connector. Needs target/debug/ecma2-host and
# target/debug/ecma2 (cargo build). Prints "rust guide: N passed, N failed".
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
BIN="$TARGET/debug"
for program in ecma2-host ecma2; do
    if [ ! -x "$BIN/$program" ]; then
        echo "guide.sh: $BIN/$program is missing: cargo build first" >&2
        exit 2
    fi
done

TOP="$(mktemp -d)"
HOST_PID=""
cleanup() {
    if [ -n "$HOST_PID" ]; then
        kill "$HOST_PID" 2>/dev/null
        wait "$HOST_PID" 2>/dev/null
    fi
    rm -rf "$TOP"
}
trap cleanup EXIT
ln -s "$REPO" "$TOP/ecma2-host"
CRATE="$TOP/todo"
mkdir -p "$CRATE"

python3 - "$REPO/sdk/rust/README.md" "$CRATE" <<'EOF'
import re, sys
from pathlib import Path

text = Path(sys.argv[1]).read_text()
crate = Path(sys.argv[2])
files = re.findall(r"<!-- guide:file (\S+) -->\n```[a-z]*\n(.*?)```", text, re.S)
if not files:
    sys.exit("no <!-- guide:file --> blocks in the Rust guide")
for name, body in files:
    path = crate / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body)
    print(f"wrote {name}")
EOF
[ $? -eq 0 ] || exit 2
# The workspace's versions, so that the build is offline and reuses compiled dependencies.
cp "$REPO/Cargo.lock" "$CRATE/Cargo.lock"

passed=0
failed=0
result() {
    if [ "$1" -eq 0 ]; then
        passed=$((passed + 1))
        echo "PASS  $2"
    else
        failed=$((failed + 1))
        echo "FAIL  $2"
    fi
}

(cd "$CRATE" && CARGO_TARGET_DIR="$TARGET" cargo build --offline -q)
result $? "cargo build of the guide's crate outside the workspace (path dependency)"

if [ "$failed" -eq 0 ]; then
    # The guide's host.toml runs the release build; here it is the debug one just built.
    sed -i "s|^command = \"target/release/ecma2-todo\"|command = \"$BIN/ecma2-todo\"|" "$CRATE/host.toml"
    grep -q "^command = \"$BIN/ecma2-todo\"" "$CRATE/host.toml"
    result $? "the guide's host.toml launches the connector it built"
    (cd "$CRATE" && exec "$BIN/ecma2-host" --config host.toml >host.log 2>&1) &
    HOST_PID=$!
    ready=1
    for _ in $(seq 1 600); do
        if grep -q "connector ready" "$CRATE/host.log" 2>/dev/null; then
            ready=0
            break
        fi
        kill -0 "$HOST_PID" 2>/dev/null || break
        sleep 0.1
    done
    result $ready "ecma2-host --config host.toml (connector ready)"
    [ "$ready" -eq 0 ] || cat "$CRATE/host.log"
    out="$(cd "$CRATE" && "$BIN/ecma2" --host unix:engine.sock --token-file .ecma2-host/engine.token \
        conformance --connector todo 2>&1)"
    status=$?
    if [ "$status" -eq 0 ] && grep -Eq "conformance: [0-9]+ passed, 0 failed" <<<"$out" \
        && grep -Eq "^full-import-page-size-1 +PASS" <<<"$out"; then
        result 0 "ecma2 conformance --connector todo"
    else
        result 1 "ecma2 conformance --connector todo"
        echo "$out"
    fi
fi
echo "rust guide: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
