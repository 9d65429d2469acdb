#!/usr/bin/env bash
# The .NET bridge's checks: builds Ecma2Bridge.dll and the NUnit test assembly with mcs (C# 7.2,
# .NET Framework 4.7.2 profile), runs the tests with nunit-console (NUnit 2.6) on mono, and
# prints "N passed, N failed" alone on a line. The live tests start a real ecma2-host; set
# ECMA2_HOST_BIN to use a built binary, otherwise `cargo build -p ecma2-host -p demo-connector` runs first.
# Usage: bridge/dotnet/scripts/check.sh   (from anywhere)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$here"
out=build
scripts/build.sh "$out" >/dev/null

NUNIT_DLL="$(ls /usr/lib/cli/nunit.framework-2.6*/nunit.framework.dll 2>/dev/null | head -1)"
if [ -z "$NUNIT_DLL" ]; then
  echo "nunit.framework.dll not found: install libnunit-cil-dev and nunit-console (.ci/run does)" >&2
  exit 1
fi
cp "$NUNIT_DLL" "$out/"

mapfile -t tests < <(find Tests -name '*.cs' | LC_ALL=C sort)
mcs -sdk:4.7.2 -langversion:7.2 -nologo -warnaserror+ -nowarn:1591 -debug:portable -target:library \
  -out:"$out/Ecma2Bridge.Tests.dll" -r:"$out/Ecma2Bridge.dll" -r:"$out/nunit.framework.dll" \
  -r:System.dll -r:System.Core.dll "${tests[@]}"

export ECMA2_VECTORS_DIR="$repo/proto/testdata/vectors"
export ECMA2_REPO="$repo"
result="$out/TestResult.xml"
rm -f "$result"
set +e
(cd "$out" && nunit-console -nologo -noshadow "-xml=TestResult.xml" Ecma2Bridge.Tests.dll)
status=$?
set -e
if [ ! -f "$result" ]; then
  echo "nunit-console wrote no result (exit $status)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
# NUnit 2.6 counts: total executed; failures and errors are both failures here.
read -r total failures errors < <(sed -n 's/.*<test-results[^>]* total="\([0-9]*\)" errors="\([0-9]*\)" failures="\([0-9]*\)".*/\1 \3 \2/p' "$result")
failed=$((failures + errors))
passed=$((total - failed))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
