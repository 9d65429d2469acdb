#!/usr/bin/env bash
# Builds bridge/dotnet into build/Ecma2Bridge.dll with mcs against the .NET Framework 4.7.2
# reference profile (C# 7.2, no NuGet), warnings as errors. Usage: scripts/build.sh [out-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-build}"
mkdir -p "$out"
MCS=(mcs -sdk:4.7.2 -langversion:7.2 -nologo -warnaserror+ -nowarn:1591 -debug:portable)

# Ecma2Bridge.dll: the protobuf runtime, the generated messages and clients, the gRPC-Web wire
# (and the ECMA2 side when its directories exist).
# The ECMA2 side compiles against the stand-in Microsoft.MetadirectoryServicesEx, built first.
scripts/build-ecma.sh standin "$out"
BRIDGE_DIRS=(Protobuf Generated Wire Bridge)
mapfile -t srcs < <(for d in "${BRIDGE_DIRS[@]}"; do [ -d "$d" ] && find "$d" -name '*.cs'; done | LC_ALL=C sort)
"${MCS[@]}" -target:library -out:"$out/Ecma2Bridge.dll" -r:System.dll -r:System.Core.dll \
    -r:"$out/standin/Microsoft.MetadirectoryServicesEx.dll" "${srcs[@]}"
echo "built $out/Ecma2Bridge.dll"
scripts/build-ecma.sh driver "$out"
echo "built $out/Ecma2Driver.exe"
