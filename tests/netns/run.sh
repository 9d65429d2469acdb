#!/usr/bin/env bash
# Issue #8's end-to-end test: the host and two remote connectors on separate network
# namespaces over mutual TLS (tests/netns/test_netns.py says what it shows), and issue #13's:
# the host in a namespace of its own serving engines on a non-loopback address over mutual TLS
# (tests/netns/test_mtls.py). Needs root for `ip netns`; without it the tests say so and fall
# back to loopback addresses.
#   tests/netns/run.sh [pytest args]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"

cargo build --quiet -p ecma2-host -p ecma2-cli -p ecma2-demo -p ecma2-probe

VENV="$REPO/sdk/python/.venv"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import hr_connector, pytest, ecma2' 2>/dev/null; then
    # The same venv sdk/python/scripts/check.sh makes: the SDK and the HR connector, editable.
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        -e "sdk/python[dev]" -e "connectors/hr-python[dev]"
fi
if [ "$(id -u)" = 0 ] && ! command -v ip >/dev/null; then
    apt-get install -y -qq iproute2 >/dev/null || true
fi
exec "$VENV/bin/python" -m pytest -q -p no:cacheprovider -s tests/netns "$@"
