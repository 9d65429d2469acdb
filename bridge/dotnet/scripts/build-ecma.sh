#!/usr/bin/env bash
# The ECMA2 half of the bridge build, called by scripts/build.sh (C# 7.2 with mcs, warnings as
# errors). Usage: scripts/build-ecma.sh standin|driver|tests OUT
#   standin  OUT/standin/Microsoft.MetadirectoryServicesEx.dll: the stand-in with the real
#            identity (4.1.4.0, Microsoft's public key, delay-signed: no private key exists here),
#            and OUT/SurfaceDump.exe
#   driver   OUT/Ecma2Driver.exe, the sync-engine stand-in (needs OUT/Ecma2Bridge.dll built)
#   tests    OUT/test/Ecma2Bridge.Tests.dll, every NUnit 2.6 test under Tests/, with copies of
#            what they load (the stand-in lives only there and in OUT/standin, never beside the
#            Ecma2Bridge.dll that is installed)
set -euo pipefail
cd "$(dirname "$0")/.."
what="$1"
out="$2"
mkdir -p "$out/standin"
MCS=(mcs -sdk:4.7.2 -langversion:7.2 -nologo -warnaserror+ -nowarn:1591 -debug:portable)
standin="$out/standin/Microsoft.MetadirectoryServicesEx.dll"
srcs() { find "$@" -name '*.cs' | LC_ALL=C sort; }

case "$what" in
standin)
    # The public half of Microsoft's signing key (hex), read from the metadata of the shipped DLL.
    xxd -r -p StandIn/PublicKey.txt "$out/standin/msft-public.snk"
    mapfile -t files < <(srcs StandIn)
    "${MCS[@]}" -target:library -nowarn:1591 -out:"$standin" -keyfile:"$out/standin/msft-public.snk" -delaysign+ "${files[@]}"
    "${MCS[@]}" -target:exe -out:"$out/SurfaceDump.exe" -r:System.Core.dll Tools/SurfaceDump.cs
    ;;
driver)
    mapfile -t files < <(srcs Driver)
    "${MCS[@]}" -target:exe -out:"$out/Ecma2Driver.exe" -r:"$standin" -r:System.Core.dll -r:System.Web.Extensions.dll "${files[@]}"
    ;;
tests)
    nunit="$(ls /usr/lib/cli/nunit.framework-2.6*/nunit.framework.dll | head -1)"
    mapfile -t files < <(srcs Tests; echo Tools/SurfaceDump.cs)
    mkdir -p "$out/test"
    cp "$standin" "$out/Ecma2Bridge.dll" "$out/Ecma2Driver.exe" "$nunit" "$out/test/"
    "${MCS[@]}" -target:library -out:"$out/test/Ecma2Bridge.Tests.dll" -r:"$standin" -r:"$out/Ecma2Bridge.dll" \
        -r:"$out/Ecma2Driver.exe" -r:"$nunit" -r:System.Core.dll -r:System.Web.Extensions.dll "${files[@]}"
    ;;
*)
    echo "usage: scripts/build-ecma.sh standin|driver|tests OUT" >&2
    exit 64
    ;;
esac
