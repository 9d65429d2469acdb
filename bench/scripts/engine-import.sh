#!/usr/bin/env bash
# The ecma2 engine CLI's full import of N demo objects (default 200,000), for #18/#19: each
# `ecma2` binary given is timed on the same seeded demo database through one ecma2-host
# process, alternating, ROUNDS times (default 3), and the best and median rate of each printed.
# The first binary's first import seeds the database (not timed).
#
#   bench/scripts/engine-import.sh [N] ECMA2_BINARY...    (PAGE_SIZE=1000, ROUNDS=3)
#
# Needs release builds of ecma2-host and ecma2-demo (target/release) and of each ecma2 binary.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
n=${1:-200000}
shift || true
[[ $# -gt 0 ]] || set -- target/release/ecma2
page=${PAGE_SIZE:-1000}
rounds=${ROUNDS:-3}
for f in target/release/ecma2-host target/release/ecma2-demo "$@"; do
    [[ -x $f ]] || { echo "missing $f (see the header of $0)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'kill "$host_pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
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
TOML
RUST_LOG=warn target/release/ecma2-host --config "$work/host.toml" 2>"$work/host.log" &
host_pid=$!
for _ in $(seq 100); do [[ -S $work/engine.sock ]] && break; sleep 0.1; done
params=(--param "database=$work/demo.db" --param "seed_users=$n")
import() { # binary state -> "objects seconds"
    local start end out
    start=$(date +%s.%N)
    out=$("$1" --host "unix:$work/engine.sock" --token-file "$work/host/engine.token" import --connector demo \
        --state "$2" --json --page-size "$page" "${params[@]}" 2>/dev/null | tail -1)
    end=$(date +%s.%N)
    echo "$(sed -n 's/.*"objects":\([0-9]*\).*/\1/p' <<<"$out") $(awk -v s="$start" -v e="$end" 'BEGIN { print e - s }')"
}
echo "# full import of $n demo objects into an empty connector space, ecma2 CLI through ecma2-host, page size $page, $(nproc) cores, $(date -u '+%F %T') UTC"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
import "$1" "$work/seed" >/dev/null
declare -A rates
for round in $(seq "$rounds"); do
    for i in $(seq $#); do
        bin=${!i}
        read -r objects seconds < <(import "$bin" "$work/space-$i-$round")
        rm -rf "$work/space-$i-$round"
        rates[$i]+="$(awk -v o="$objects" -v t="$seconds" 'BEGIN { printf "%.0f", o / t }') "
        printf '%-40s round %d  %8s objects  %7.2f s\n' "$bin" "$round" "$objects" "$seconds"
    done
done
for i in $(seq $#); do
    bin=${!i}
    tr ' ' '\n' <<<"${rates[$i]}" | grep . | sort -n | awk -v b="$bin" '{ r[NR] = $1 } END { printf "%-40s best %6d objects/s  median %6d objects/s\n", b, r[NR], r[int((NR + 1) / 2)] }'
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
