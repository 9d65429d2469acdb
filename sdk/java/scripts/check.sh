#!/usr/bin/env bash
# Every check of the Java SDK and the SQL connector, as CI runs them:
#   sdk/java/scripts/check.sh
#
# 1. `mvn verify` of sdk/java (the SDK, its example connector, connectors/sql-java): compiles
#    the contract generated from proto/, then the JUnit 5 tests (Surefire); the SQL connector's
#    tests start their own throw-away PostgreSQL (connectors/sql-java/scripts/pg.sh).
# 2. `ecma2 conformance` on the example connector through the host; remote.sh: remote mode with
#    mutual TLS and the plain health port.
# 3. connectors/sql-java/scripts/e2e.sh: conformance and the scenarios of issue #16 against
#    PostgreSQL through the host and the `ecma2` CLI.
# Maven's downloads go to sdk/java/.m2 (not in git). Needs Java 17+, Maven, PostgreSQL and cargo.
# Ends with "java: N passed, N failed".
set -uo pipefail

SDK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$SDK_DIR/../.." && pwd)"
MVN=(mvn -B -q -Dmaven.repo.local="$SDK_DIR/.m2/repository" -Dstyle.color=never)

passed=0
failed=0
names=()

echo "==> mvn verify (sdk/java, connectors/sql-java)"
(cd "$SDK_DIR" && "${MVN[@]}" verify)
mvn_status=$?
# JUnit counts from the Surefire reports.
read -r t f <<<"$(python3 - "$SDK_DIR" "$REPO_DIR/connectors/sql-java" <<'PY'
import glob, sys
import xml.etree.ElementTree as ET
tests = bad = 0
for root in sys.argv[1:]:
    for path in glob.glob(root + "/**/target/surefire-reports/TEST-*.xml", recursive=True):
        s = ET.parse(path).getroot()
        tests += int(s.get("tests", 0)) - int(s.get("skipped", 0))
        bad += int(s.get("failures", 0)) + int(s.get("errors", 0))
print(tests - bad, bad)
PY
)"
passed=$((passed + t))
failed=$((failed + f))
if [ "$mvn_status" != 0 ]; then
    failed=$((failed + 1))
    names+=("mvn verify")
    echo "java: $passed passed, $failed failed"
    exit 1
fi

echo "==> building the ecma2 CLI"
(cd "$REPO_DIR" && cargo build -q -p ecma2-cli) || { echo "java: $passed passed, $((failed + 1)) failed"; exit 1; }
ECMA2="$REPO_DIR/target/debug/ecma2"

echo "==> ecma2 conformance: the example connector"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat >"$work/host.toml" <<TOML
[engine]
listen = "unix:$work/engine.sock"
[[connector]]
name = "java-example"
command = "java"
args = ["-jar", "$SDK_DIR/example/target/ecma2-example.jar"]
[connector.limits]
close_grace = "3s"
TOML
if "$ECMA2" --config "$work/host.toml" --state "$work/state" conformance --connector java-example \
    --param "Seed people=30" >"$work/out.txt" 2>"$work/err.txt" && grep -Eq "conformance: [0-9]+ passed, 0 failed" "$work/out.txt"; then
    echo "PASS conformance (java example)"
    passed=$((passed + 1))
else
    cat "$work/out.txt" "$work/err.txt"
    echo "FAIL conformance (java example)"
    failed=$((failed + 1))
    names+=("example conformance")
fi

echo "==> remote mode: mutual TLS and the plain health port (remote.sh)"
"$SDK_DIR/scripts/remote.sh" "$ECMA2" | tee "$work/remote.txt"
read -r rp rf <<<"$(sed -n 's/^remote: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$work/remote.txt")"
passed=$((passed + ${rp:-0}))
failed=$((failed + ${rf:-1}))
[ "${rf:-1}" = 0 ] || names+=("remote mode")

echo "==> the SQL connector through the host (connectors/sql-java/scripts/e2e.sh)"
"$REPO_DIR/connectors/sql-java/scripts/e2e.sh" "$ECMA2" | tee "$work/e2e.txt"
read -r ep ef <<<"$(sed -n 's/^sql e2e: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$work/e2e.txt")"
passed=$((passed + ${ep:-0}))
failed=$((failed + ${ef:-1}))
[ "${ef:-1}" = 0 ] || names+=("sql e2e")

echo "java: $passed passed, $failed failed"
if [ "${#names[@]}" -gt 0 ]; then
    echo "FAILED: ${names[*]}" >&2
    exit 1
fi
