#!/usr/bin/env bash
# Builds the ECMA2 half of the bridge with mono's mcs into bridge/dotnet/out/ecma:
#   Microsoft.MetadirectoryServicesEx.dll  the stand-in (real identity, delay-signed, public key only)
#   SurfaceDump.exe                        prints an assembly's public surface
# Run from anywhere; set MCS to use another compiler binary.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
out="$here/out/ecma"
mkdir -p "$out"
MCS="${MCS:-mcs}"
flags=(-sdk:4.7.2 -langversion:7.2 -warnaserror+ -nologo)

# The public half of Microsoft's signing key, as hex; the stand-in is delay-signed with it so its
# identity is Microsoft.MetadirectoryServicesEx, Version=4.1.4.0, PublicKeyToken=31bf3856ad364e35.
xxd -r -p "$here/StandIn/PublicKey.txt" "$out/msft-public.snk"
"$MCS" "${flags[@]}" -target:library -out:"$out/Microsoft.MetadirectoryServicesEx.dll" \
  -keyfile:"$out/msft-public.snk" -delaysign+ "$here"/StandIn/*.cs
"$MCS" "${flags[@]}" -target:exe -out:"$out/SurfaceDump.exe" "$here/Tools/SurfaceDump.cs"
