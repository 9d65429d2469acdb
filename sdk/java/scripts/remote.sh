#!/usr/bin/env bash
# Remote mode of the Java SDK (docs/runtime.md, "Remote mode"), with the example connector:
#   TLS without ECMA2_TLS_CLIENT_CA exits 64; with mutual TLS the ready line names the plain
#   health port and `ecma2 conformance` passes through a host that dials it with its client
#   certificate; a host without TLS cannot use it.
# Usage: remote.sh ECMA2_BINARY. Prints "remote: N passed, N failed".
set -uo pipefail

SDK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ECMA2="${1:?usage: remote.sh ECMA2_BINARY}"
JAR="$SDK_DIR/example/target/ecma2-example.jar"
T="$(mktemp -d)"
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
passed=0
failed=0
check() {
    local name="$1"
    shift
    if "$@"; then echo "PASS $name"; passed=$((passed + 1)); else echo "FAIL $name"; failed=$((failed + 1)); fi
}

"$ECMA2" certs init --out "$T/certs" --connector javaex >/dev/null 2>&1
C="$T/certs"

ECMA2_LISTEN=tcp:127.0.0.1:0 ECMA2_TLS_CERT="$C/javaex.pem" ECMA2_TLS_KEY="$C/javaex-key.pem" \
    java -jar "$JAR" >"$T/noca.out" 2>"$T/noca.err"
check "TLS without a client CA exits 64" [ "$?" = 64 ]
check "and says why" grep -q ECMA2_TLS_CLIENT_CA "$T/noca.err"

ECMA2_LISTEN=tcp:127.0.0.1:0 ECMA2_HEALTH_LISTEN=tcp:127.0.0.1:0 ECMA2_TLS_CERT="$C/javaex.pem" \
    ECMA2_TLS_KEY="$C/javaex-key.pem" ECMA2_TLS_CLIENT_CA="$C/ca.pem" \
    java -jar "$JAR" >"$T/ready.txt" 2>"$T/err.txt" &
pid=$!
for _ in $(seq 1 300); do [ -s "$T/ready.txt" ] && break; sleep 0.1; done
addr="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["address"])' "$T/ready.txt" 2>/dev/null)"
check "the ready line names the plain health port" grep -q '"health_address":"tcp:127.0.0.1:' "$T/ready.txt"

cat >"$T/tls.toml" <<TOML
[engine]
listen = "unix:$T/engine.sock"
[[connector]]
name = "javaex"
endpoint = "$addr"
[connector.tls]
ca = "$C/ca.pem"
cert = "$C/host.pem"
key = "$C/host-key.pem"
server_name = "javaex"
TOML
"$ECMA2" --config "$T/tls.toml" --state "$T/state" conformance --connector javaex --param "Seed people=10" \
    >"$T/conformance.txt" 2>/dev/null
check "conformance through a host over mutual TLS" grep -Eq "conformance: [0-9]+ passed, 0 failed" "$T/conformance.txt"

cat >"$T/plain.toml" <<TOML
[engine]
listen = "unix:$T/engine2.sock"
[[connector]]
name = "javaex"
endpoint = "$addr"
TOML
timeout 60 "$ECMA2" --config "$T/plain.toml" --state "$T/state2" schema --connector javaex >/dev/null 2>&1
check "a host without a client certificate is refused" [ "$?" != 0 ]

echo "remote: $passed passed, $failed failed"
[ "$failed" = 0 ]
