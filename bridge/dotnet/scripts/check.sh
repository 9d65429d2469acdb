#!/usr/bin/env bash
# The .NET bridge's checks, as CI runs them: builds Ecma2Bridge.dll (with the ECMA2 side against
# the stand-in Microsoft.MetadirectoryServicesEx), the driver and the NUnit test assembly with mcs
# (C# 7.2, .NET Framework 4.7.2 profile), runs every test with nunit-console (NUnit 2.6) on mono,
# and prints "N passed, N failed" alone on a line. The codec tests read prost's byte vectors; the
# end-to-end tests start a real ecma2-host with the demo and HR connectors and run the `ecma2`
# CLI: set ECMA2_BIN_DIR to a directory holding ecma2-host, ecma2-demo and ecma2, otherwise
# `cargo build -p ecma2-host -p ecma2-demo -p ecma2-cli` runs first; the HR connector's venv
# (sdk/python/.venv) is created when missing.
# Usage: bridge/dotnet/scripts/check.sh   (from anywhere)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$here"
out=build

fail() { echo "check.sh: $*" >&2; echo "0 passed, 1 failed"; exit 1; }

if ! ls /usr/lib/cli/nunit.framework-2.6*/nunit.framework.dll >/dev/null 2>&1; then
  fail "nunit.framework.dll not found: install libnunit-cil-dev and nunit-console (.ci/run does)"
fi
scripts/build.sh "$out" >/dev/null || fail "building Ecma2Bridge.dll failed"
scripts/build-ecma.sh tests "$out" || fail "building the tests failed"

if [ -z "${ECMA2_BIN_DIR:-}" ]; then
  (cd "$repo" && nice cargo build --quiet -p ecma2-host -p ecma2-demo -p ecma2-cli) || fail "cargo build failed"
fi
venv="$repo/sdk/python/.venv"
if ! "$venv/bin/python" -c 'import hr_connector' 2>/dev/null; then
  python3 -m venv "$venv" || fail "creating $venv failed"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -e "$repo/sdk/python" -e "$repo/connectors/hr-python" || fail "installing the HR connector into $venv failed"
fi

# The live tests run the real host with the demo connector.
if [ -z "${ECMA2_HOST_BIN:-}" ] || [ -z "${ECMA2_DEMO_BIN:-}" ]; then
  (cd "$repo" && cargo build -q -p ecma2-host -p ecma2-demo)
  target="${CARGO_TARGET_DIR:-$repo/target}"
  export ECMA2_HOST_BIN="$target/debug/ecma2-host" ECMA2_DEMO_BIN="$target/debug/ecma2-demo"
fi
export ECMA2_VECTORS_DIR="$repo/proto/testdata/vectors"
export ECMA2_REPO="$repo"
result="$out/test/TestResult.xml"
rm -f "$result"
set +e
(cd "$out/test" && nunit-console -nologo -noshadow -labels "-xml=TestResult.xml" Ecma2Bridge.Tests.dll)
status=$?
set -e
[ -f "$result" ] || fail "nunit-console wrote no result (exit $status)"
# NUnit 2.6 counts: total executed; failures and errors are both failures here.
read -r total failures errors < <(sed -n 's/.*<test-results[^>]* total="\([0-9]*\)" errors="\([0-9]*\)" failures="\([0-9]*\)".*/\1 \3 \2/p' "$result")
failed=$((failures + errors))
passed=$((total - failed))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
