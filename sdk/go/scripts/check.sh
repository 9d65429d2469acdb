#!/usr/bin/env bash
# Every Go check of the repository, as CI runs them (scripts/test calls this):
#   sdk/go/scripts/check.sh
#
# For the Go SDK (sdk/go) and the LDAP connector (connectors/ldap-go): the generated-code drift
# check, gofmt, go vet, staticcheck (run from the Go module proxy at a pinned version), and
# go test. The tests run connectors through the real host and ecma2 CLI (built here with cargo
# when missing) and the LDAP connector's tests start their own slapd (Debian's slapd and
# ldap-utils must be installed; .ci/run installs them). Every step runs even when an earlier
# one fails; the exit status is non-zero if any failed.
set -uo pipefail

SDK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$SDK_DIR/../.." && pwd)"
LDAP_DIR="$REPO_DIR/connectors/ldap-go"
STATICCHECK=honnef.co/go/tools/cmd/staticcheck@v0.8.2

if ! command -v go >/dev/null; then
    echo "check.sh: go is not installed" >&2
    exit 2
fi

failed=()
step() {
    local name="$1"
    shift
    echo "==> $name"
    if ! "$@"; then
        failed+=("$name")
    fi
}
in_dir() {
    local dir="$1"
    shift
    (cd "$dir" && "$@")
}
gofmt_clean() {
    local out
    out="$(gofmt -l "$@")"
    if [ -n "$out" ]; then
        echo "not gofmt-formatted:" >&2
        echo "$out" >&2
        return 1
    fi
}

step "drift check of generated Go code" "$SDK_DIR/scripts/gen.sh" --check
step "gofmt" gofmt_clean "$SDK_DIR" "$LDAP_DIR"
for dir in "$SDK_DIR" "$LDAP_DIR"; do
    name="${dir#"$REPO_DIR"/}"
    step "go vet ($name)" in_dir "$dir" go vet ./...
    step "staticcheck ($name)" in_dir "$dir" go run "$STATICCHECK" ./...
done
# The host-backed tests drive the ecma2 CLI (scripts/test has built it with cargo test by now).
if [ ! -x "$REPO_DIR/target/debug/ecma2" ] || [ ! -x "$REPO_DIR/target/debug/ecma2-host" ]; then
    step "ecma2 CLI and host for the host-backed tests" \
        in_dir "$REPO_DIR" cargo build -q -p ecma2-cli -p ecma2-host
fi
for dir in "$SDK_DIR" "$LDAP_DIR"; do
    name="${dir#"$REPO_DIR"/}"
    # Without -race here: instrumenting grpc doubles the cold compile. The SDK's tests pass
    # under `go test -race ./ecma2` (run it after changing sessions or shutdown).
    step "go test ($name)" in_dir "$dir" go test -count=1 ./...
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "all go checks passed"
