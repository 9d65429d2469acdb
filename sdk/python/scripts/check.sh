#!/usr/bin/env bash
# Every Python check of the repository, as CI runs them:
#   sdk/python/scripts/check.sh
#
# Creates (or reuses) a virtualenv at sdk/python/.venv, installs the SDK and the HR connector
# in editable mode with their dev extras (only when a pyproject.toml changed), then runs the
# generated-code drift check, ruff (lint and format), mypy --strict and pytest for both
# packages. Every step runs even when an earlier one fails; the exit status is non-zero if any
# failed. Set PYTHON to choose the interpreter (3.11 or later; default python3).
set -uo pipefail

SDK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$SDK_DIR/../.." && pwd)"
HR_DIR="$REPO_DIR/connectors/hr-python"
VENV="$SDK_DIR/.venv"
PYTHON="${PYTHON:-python3}"
REPORTS="$(mktemp -d)"
trap 'rm -rf "$REPORTS"' EXIT

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "check.sh: $PYTHON is missing or older than 3.11" >&2
    exit 2
fi

if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating $VENV"
    "$PYTHON" -m venv "$VENV" || exit 2
fi
BIN="$VENV/bin"

# Reinstall only when what pip reads changed; editable installs pick up code changes anyway.
stamp_file="$VENV/.ecma2-check-stamp"
stamp="$(cat "$SDK_DIR/pyproject.toml" "$HR_DIR/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp_file" ] || [ "$(cat "$stamp_file")" != "$stamp" ]; then
    echo "==> installing ecma2-sdk and ecma2-hr-connector (editable, dev extras)"
    "$BIN/python" -m pip install --quiet --disable-pip-version-check --upgrade pip || exit 2
    # Both in one command, so ecma2-sdk resolves to this checkout, never to an index.
    "$BIN/python" -m pip install --quiet --disable-pip-version-check \
        -e "$SDK_DIR[dev]" -e "$HR_DIR[dev]" || exit 2
    echo "$stamp" >"$stamp_file"
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

step "drift check of generated code" "$BIN/python" "$SDK_DIR/scripts/gen_protos.py" --check
for pkg in "$SDK_DIR" "$HR_DIR"; do
    name="$(basename "$(dirname "$pkg")")/$(basename "$pkg")"
    step "ruff check ($name)" in_dir "$pkg" "$BIN/ruff" check --quiet .
    step "ruff format --check ($name)" in_dir "$pkg" "$BIN/ruff" format --check --quiet .
    step "mypy --strict ($name)" in_dir "$pkg" "$BIN/mypy" --strict
done
step "pytest (sdk/python)" in_dir "$SDK_DIR" "$BIN/python" -m pytest -q -p no:cacheprovider \
    --junitxml="$REPORTS/sdk.xml"
step "pytest (connectors/hr-python)" in_dir "$HR_DIR" "$BIN/python" -m pytest -q \
    -p no:cacheprovider --junitxml="$REPORTS/hr.xml"

# One closing line for both test runs.
"$BIN/python" - "$REPORTS"/*.xml <<'EOF'
import sys
import xml.etree.ElementTree as ET

passed = failed = skipped = 0
for path in sys.argv[1:]:
    for suite in ET.parse(path).getroot().iter("testsuite"):
        tests, skips = int(suite.get("tests", 0)), int(suite.get("skipped", 0))
        bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        passed += tests - skips - bad
        failed += bad
        skipped += skips
print(f"python: {passed} passed, {failed} failed, {skipped} skipped")
EOF

if [ "${#failed[@]}" -gt 0 ]; then
    echo "FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "all python checks passed"
