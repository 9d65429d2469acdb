#!/usr/bin/env bash
# Every TypeScript check of the repository, as CI runs them:
#   sdk/typescript/scripts/check.sh
#
# For the SDK (sdk/typescript) and the SCIM connector (connectors/scim-ts): npm ci (only when a
# lockfile changed), the generated-code drift check, ESLint, tsc --noEmit (strict), the build, and
# the node:test suites. The connector's tests run against a real SCIM server, scim2-server from
# PyPI, pinned in connectors/scim-ts/scim-server-requirements.txt and installed here into
# connectors/scim-ts/.venv; the tests start and stop it themselves. Tests that go through the host
# use the `ecma2` CLI, built here with cargo (a no-op when scripts/test built it already).
# Every step runs even when an earlier one fails; the exit status is non-zero if any failed.
set -uo pipefail

SDK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$SDK_DIR/../.." && pwd)"
SCIM_DIR="$REPO_DIR/connectors/scim-ts"
PYTHON="${PYTHON:-python3}"
LOGS="$(mktemp -d)"
trap 'rm -rf "$LOGS"' EXIT

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

# npm ci only when package-lock.json changed since the last install (or node_modules is gone).
npm_ci() {
    local dir="$1" stamp="$1/node_modules/.ecma2-check-stamp"
    local want
    want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || return 1
    echo "$want" >"$stamp"
}

scim_server() {
    local venv="$SCIM_DIR/.venv" stamp="$SCIM_DIR/.venv/.ecma2-check-stamp" want
    want="$(sha256sum "$SCIM_DIR/scim-server-requirements.txt" | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    "$PYTHON" -m venv "$venv" || return 1
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$SCIM_DIR/scim-server-requirements.txt" || return 1
    echo "$want" >"$stamp"
}

# node:test's own summary, kept per suite for the closing line. The suites' temp dirs go to
# $TEST_TMP, so that a test which leaves one behind is caught (left_behind).
TEST_TMP="$LOGS/tmp"
mkdir -p "$TEST_TMP"
node_test() {
    local name="$1" dir="$2"
    shift 2
    (cd "$dir" && TMPDIR="$TEST_TMP" node --test --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=tap --test-reporter-destination="$LOGS/$name.tap" "$@")
}

# The tests remove every ecma2-ts-* temp dir they make, also when they pass.
left_behind() {
    local left
    left="$(find "$TEST_TMP" -mindepth 1 -maxdepth 1 -name 'ecma2-ts-*' -printf '%f ')"
    if [ -n "$left" ]; then
        echo "the tests left temp dirs behind in $TEST_TMP: $left" >&2
        return 1
    fi
}

step "npm ci (sdk/typescript)" npm_ci "$SDK_DIR"
step "drift check of generated code" in_dir "$SDK_DIR" node scripts/gen.mjs --check
step "eslint (sdk/typescript)" in_dir "$SDK_DIR" npx --no-install eslint --max-warnings 0 .
step "tsc --noEmit (sdk/typescript)" in_dir "$SDK_DIR" npx --no-install tsc -p . --noEmit
step "build (sdk/typescript)" in_dir "$SDK_DIR" npx --no-install tsc -p .
step "npm ci (connectors/scim-ts)" npm_ci "$SCIM_DIR"
step "eslint (connectors/scim-ts)" in_dir "$SCIM_DIR" npx --no-install eslint --max-warnings 0 .
step "tsc --noEmit (connectors/scim-ts)" in_dir "$SCIM_DIR" npx --no-install tsc -p . --noEmit
step "build (connectors/scim-ts)" in_dir "$SCIM_DIR" npx --no-install tsc -p .
step "scim2-server (connectors/scim-ts/.venv)" scim_server
step "cargo build -p ecma2-cli (the ecma2 CLI for the host tests)" in_dir "$REPO_DIR" cargo build -q -p ecma2-cli --bin ecma2
step "node --test (sdk/typescript)" node_test sdk "$SDK_DIR" dist/test/unit.test.js dist/test/runtime.test.js dist/test/conformance.test.js
step "node --test (connectors/scim-ts)" node_test scim "$SCIM_DIR" dist/test/scim.test.js dist/test/host.test.js
step "no ecma2-ts-* temp dirs left by the tests" left_behind

# One closing line for both suites.
passed=0
bad=0
for tap in "$LOGS"/*.tap; do
    [ -f "$tap" ] || continue
    p="$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" | tail -1)"
    f="$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" | tail -1)"
    passed=$((passed + ${p:-0}))
    bad=$((bad + ${f:-0}))
done
echo "typescript: $passed passed, $bad failed"

if [ "${#failed[@]}" -gt 0 ]; then
    echo "FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "all typescript checks passed"
