#!/usr/bin/env bash
# Runs every test again with Microsoft's own Microsoft.MetadirectoryServicesEx.dll in place of the
# stand-in, on mono: the bridge, driver and tests built on Linux against the stand-in then bind to
# the real assembly exactly as they would inside MIM. The DLL is never part of this repository:
# pass the path of a copy (from a MIM server's Bin\Assemblies folder, or one that a public connector
# repository commits). Run scripts/check.sh first. Prints "N passed, N failed".
#   bridge/dotnet/scripts/check-real.sh /path/to/Microsoft.MetadirectoryServicesEx.dll
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
real="${1:?usage: check-real.sh /path/to/Microsoft.MetadirectoryServicesEx.dll}"
[ -f "$here/build/test/Ecma2Bridge.Tests.dll" ] || { echo "run scripts/check.sh first" >&2; exit 2; }
dir="$here/build/test-real"
rm -rf "$dir"
cp -r "$here/build/test" "$dir"
cp "$real" "$dir/Microsoft.MetadirectoryServicesEx.dll"
export ECMA2_VECTORS_DIR="$repo/proto/testdata/vectors" ECMA2_REPO="$repo"
set +e
(cd "$dir" && nunit-console -nologo -noshadow -exclude:StandInOnly "-xml=TestResult.xml" Ecma2Bridge.Tests.dll)
status=$?
set -e
read -r total failures errors < <(sed -n 's/.*<test-results[^>]* total="\([0-9]*\)" errors="\([0-9]*\)" failures="\([0-9]*\)".*/\1 \3 \2/p' "$dir/TestResult.xml")
failed=$((failures + errors))
echo "$((total - failed)) passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
