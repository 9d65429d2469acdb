#!/usr/bin/env bash
# The ecma2 engine CLI's full import of N demo objects (default 200,000), for #18/#19: the
# bench's engine client (`ecma2-bench-import`, item 1c's code: reads every page, stores nothing)
# and each `ecma2` binary given are timed on the same seeded demo database through one
# ecma2-host process, alternating, ROUNDS times (default 3); the best and median rate of each
# are printed, and each CLI's median as a ratio of the engine client's (#18: >= 0.8). Every
# run is timed the same way, as the wall time of its process. The first import seeds the
# database (not timed).
#
#   bench/scripts/engine-import.sh [N] ECMA2_BINARY...    (PAGE_SIZE=1000, ROUNDS=3)
#
# Needs release builds of ecma2-host, ecma2-demo and ecma2-bench-import (target/release) and
# of each ecma2 binary: cargo build --release -p ecma2-host -p ecma2-demo -p ecma2-bench -p ecma2-cli
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
n=${1:-200000}
shift || true
[[ $# -gt 0 ]] || set -- target/release/ecma2
page=${PAGE_SIZE:-1000}
rounds=${ROUNDS:-3}
client=target/release/ecma2-bench-import
for f in target/release/ecma2-host target/release/ecma2-demo "$client" "$@"; do
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
bench_client() { # -> "objects seconds"
    local start end objects
    start=$(date +%s.%N)
    read -r objects _ < <("$client" "unix:$work/engine.sock" "$work/host/engine.token" "$page" \
        "database=$work/demo.db" "seed_users=$n")
    end=$(date +%s.%N)
    echo "$objects $(awk -v s="$start" -v e="$end" 'BEGIN { print e - s }')"
}
echo "# full import of $n demo objects into an empty connector space, through ecma2-host, page size $page, $(nproc) cores, $(date -u '+%F %T') UTC"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
import "$1" "$work/seed" >/dev/null
declare -A rates
names=("engine client ($client)" "$@")
for round in $(seq "$rounds"); do
    for i in $(seq 0 $#); do
        if [[ $i == 0 ]]; then
            read -r objects seconds < <(bench_client)
        else
            read -r objects seconds < <(import "${!i}" "$work/space-$i-$round")
            rm -rf "$work/space-$i-$round"
        fi
        (( ${objects:-0} >= n )) || { echo "${names[$i]} imported ${objects:-nothing}, fewer than $n" >&2; exit 1; }
        rates[$i]+="$(awk -v o="$objects" -v t="$seconds" 'BEGIN { printf "%.0f", o / t }') "
        printf '%-48s round %d  %8s objects  %7.2f s\n' "${names[$i]}" "$round" "$objects" "$seconds"
    done
done
median() { tr ' ' '\n' <<<"${rates[$1]}" | grep . | sort -n | awk '{ r[NR] = $1 } END { print r[int((NR + 1) / 2)] }'; }
best() { tr ' ' '\n' <<<"${rates[$1]}" | grep . | sort -n | tail -1; }
base=$(median 0)
for i in $(seq 0 $#); do
    printf '%-48s best %6d objects/s  median %6d objects/s  ratio %.2f of the engine client\n' \
        "${names[$i]}" "$(best "$i")" "$(median "$i")" "$(awk -v m="$(median "$i")" -v b="$base" 'BEGIN { print m / b }')"
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
