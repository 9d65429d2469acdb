#!/usr/bin/env bash
# Regenerates the Go code of the ecma2.v1 contract into sdk/go/ecma2v1, or with --check fails
# when the checked-in files differ from a fresh generation (the drift check).
#
# buf (installed from npm into the repository's .tools/, as scripts/test does) compiles
# proto/; the plugins are protoc-gen-go and protoc-gen-go-grpc run with `go run module@version`
# from the Go module proxy, so the versions are pinned here and nothing else is downloaded.
# The protos' go_package names ecma2host.dev/gen/go/ecma2/v1; M options map every file to
# ecma2host.dev/sdk/go/ecma2v1 so the generated package lives inside this module.
set -euo pipefail
SDK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$SDK_DIR/../.." && pwd)"
PROTOC_GEN_GO=google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
PROTOC_GEN_GO_GRPC=google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
GO_PKG=ecma2host.dev/sdk/go/ecma2v1

BUF="$REPO_DIR/.tools/node_modules/.bin/buf"
if [ ! -x "$BUF" ]; then
    npm install --silent --no-audit --no-fund --prefix "$REPO_DIR/.tools" @bufbuild/buf@1.75.0
fi

# Build the plugins once per run (go run inside buf would rebuild them per invocation).
BIN="$(mktemp -d)"
OUT="$(mktemp -d)"
trap 'rm -rf "$BIN" "$OUT"' EXIT
GOBIN="$BIN" go install "$PROTOC_GEN_GO"
GOBIN="$BIN" go install "$PROTOC_GEN_GO_GRPC"

mopts=""
for f in "$REPO_DIR"/proto/ecma2/v1/*.proto; do
    mopts="$mopts,\"Mecma2/v1/$(basename "$f")=$GO_PKG;ecma2v1\""
done
template=$(cat <<JSON
{"version":"v2","plugins":[
 {"local":"$BIN/protoc-gen-go","out":"$OUT","opt":["paths=source_relative"$mopts]},
 {"local":"$BIN/protoc-gen-go-grpc","out":"$OUT","opt":["paths=source_relative"$mopts]}
]}
JSON
)
(cd "$REPO_DIR/proto" && "$BUF" generate --template "$template")

if [ "${1:-}" = "--check" ]; then
    if ! diff -ru "$SDK_DIR/ecma2v1" "$OUT/ecma2/v1"; then
        echo "generated Go code is out of date: run sdk/go/scripts/gen.sh" >&2
        exit 1
    fi
    echo "generated Go code is up to date"
else
    rm -rf "$SDK_DIR/ecma2v1"
    mkdir -p "$SDK_DIR/ecma2v1"
    cp "$OUT"/ecma2/v1/*.go "$SDK_DIR/ecma2v1/"
    echo "generated $(ls "$SDK_DIR/ecma2v1" | wc -l) files into sdk/go/ecma2v1"
fi
