#!/usr/bin/env bash
# Issue #6's measurement: a full import of N objects (default 100,000) from the Python HR
# connector and from the Rust demo connector, in one run, each through a separate ecma2-host
# process, reported as objects per second. Each connector's database is seeded by a first
# import (not timed); the second full import is the measurement.
#
#   bench/scripts/import-python-vs-rust.sh [N]      (PAGE_SIZE=1000 by default)
#
# Needs: a release build (`cargo build --release -p ecma2-cli -p ecma2-host -p ecma2-demo`) and
# the Python venv that sdk/python/scripts/check.sh creates.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
n=${1:-100000}
page=${PAGE_SIZE:-1000} # the HR connector's maximum; both connectors get the same
python=$repo/sdk/python/.venv/bin/python
for f in target/release/ecma2 target/release/ecma2-host target/release/ecma2-demo "$python"; do
    [[ -x $f ]] || { echo "missing $f (see the header of $0)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'kill "$host_pid" 2>/dev/null || true; wait 2>/dev/null || true; [[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT
cat >"$work/host.toml" <<TOML
state_dir = "$work/host"
[engine]
listen = "unix:$work/engine.sock"
[[connector]]
name = "demo"
command = "$repo/target/release/ecma2-demo"
env = { RUST_LOG = "warn" }
[connector.limits]
call_deadline = "600s"
[[connector]]
name = "hr"
command = "$python"
args = ["-m", "hr_connector"]
[connector.limits]
call_deadline = "600s"
TOML
RUST_LOG=warn target/release/ecma2-host --config "$work/host.toml" 2>"$work/host.log" &
host_pid=$!
for _ in $(seq 100); do [[ -S $work/engine.sock ]] && break; sleep 0.1; done
engine=(target/release/ecma2 --host "unix:$work/engine.sock" --token-file "$work/host/engine.token")
demo_params=(--param "database=$work/demo.db" --param "seed_users=$n")
hr_params=(--param "Database path=$work/hr.db" --param "Create if missing=1" --param "Seed employees=$n")

echo "# full import of $n generated objects through ecma2-host, page size $page, $(nproc) cores, $(date -u '+%F %T') UTC"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
run() { # name state params...
    local name=$1 state=$2; shift 2
    local start end
    start=$(date +%s.%N)
    "${engine[@]}" import --connector "$name" --state "$state" --json --page-size "$page" "$@" >"$work/$name.$(basename "$state").json" 2>>"$work/progress.log"
    end=$(date +%s.%N)
    echo "$start $end"
}
for name in demo hr; do
    if [[ $name == demo ]]; then params=("${demo_params[@]}"); else params=("${hr_params[@]}"); fi
    run "$name" "$work/seed-$name" "${params[@]}" >/dev/null
    read -r start end < <(run "$name" "$work/space-$name" "${params[@]}")
    objects=$(sed -n 's/.*"objects":\([0-9]*\).*/\1/p' "$work/$name.space-$name.json" || true)
    awk -v n="$name" -v o="${objects:-?}" -v s="$start" -v e="$end" \
        'BEGIN { t = e - s; printf "%-5s %9s objects  %7.2f s  %9.0f objects/s\n", n, o, t, (o == "?" ? 0 : o / t) }'
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
