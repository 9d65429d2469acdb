#!/usr/bin/env bash
# The ECMA2 half of the bridge's checks, as CI runs them (scripts/check.sh calls it):
#   bridge/dotnet/scripts/check-ecma.sh [BUILD_DIR]
# Builds the stand-in, Ecma2Bridge.dll, the driver and the NUnit tests (scripts/build.sh), makes
# sure ecma2-host, ecma2-demo and ecma2 are built (cargo, debug) and that the Python venv with the
# HR connector exists (as sdk/python/scripts/check.sh makes it), then runs the NUnit tests:
# mapping, faults, stand-in surface, settings, and end to end against a real host on 127.0.0.1.
# Prints "N passed, N failed" alone on a line; exits non-zero when anything failed.
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${1:-$here/build}"

fail() { echo "check-ecma.sh: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

"$here/scripts/build.sh" "$out" >/dev/null || fail "build failed"
"$here/scripts/build-ecma.sh" tests "$out" || fail "building the tests failed"

if [ -z "${ECMA2_BIN_DIR:-}" ]; then
    (cd "$repo" && nice cargo build --quiet -p ecma2-host -p ecma2-demo -p ecma2-cli) || fail "cargo build of ecma2-host, ecma2-demo, ecma2 failed"
fi
venv="$repo/sdk/python/.venv"
if ! "$venv/bin/python" -c 'import hr_connector' 2>/dev/null; then
    python3 -m venv "$venv" || fail "creating $venv failed"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        -e "$repo/sdk/python" -e "$repo/connectors/hr-python" || fail "installing the HR connector into $venv failed"
fi

result="$out/test/TestResult-ecma.xml"
rm -f "$result"
(cd "$out/test" && ECMA2_REPO="$repo" nunit-console -nologo -labels "-xml=$result" Ecma2Bridge.Tests.dll)
[ -f "$result" ] || fail "nunit-console wrote no $result"
python3 - "$result" <<'PY'
import sys
import xml.etree.ElementTree as ET
cases = ET.parse(sys.argv[1]).getroot().iter("test-case")
passed = failed = 0
for c in cases:
    if c.get("executed") != "True":
        continue
    if c.get("success") == "True":
        passed += 1
    else:
        failed += 1
        print("FAILED:", c.get("name"), file=sys.stderr)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or passed == 0 else 0)
PY
