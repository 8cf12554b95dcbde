#!/bin/bash
# Does a subscriber that never reads slow a healthy subscriber on the same subject?
# For each server and round: a fresh server with max_pending 1MB; the healthy 1:1 pair alone
# (natsbench pubsub), then the same beside a stuck subscriber (stuck_client.py). Prints the
# healthy subscriber's delivered msgs/s alone and with the stuck one, and their ratio (median).
#
#   tools/stuckbench/run.sh [--rounds N] [--count N] [--size B] [--vs 'OUR SERVER -c {conf}']
# Defaults: 5 rounds, 50,000 x 1 KB, nats-server from PATH against the --vs server.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../natsbench-path.sh"
ROUNDS=5 COUNT=50000 SIZE=1024
SERVERS=("nats-server -c {conf}")
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS=$2; shift 2 ;;
        --count) COUNT=$2; shift 2 ;;
        --size) SIZE=$2; shift 2 ;;
        --vs) SERVERS+=("$2"); shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
WORK=$(mktemp -d /tmp/stuckbench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

. "$HERE/round.sh"

# One measurement: prints the healthy subscriber's msgs/s (mode: alone | stuck).
measure() {
    local rate
    start_round "$1" "$2"
    rate=$(healthy_pair | grep -o ' msgs_s=[0-9]*' | cut -d= -f2)
    end_round
    echo "${rate:-0}"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

for template in "${SERVERS[@]}"; do
    : >"$WORK/alone" ; : >"$WORK/stuck"; : >"$WORK/ratio"
    for r in $(seq "$ROUNDS"); do
        a=$(measure "$template" alone); s=$(measure "$template" stuck)
        echo "$a" >>"$WORK/alone"; echo "$s" >>"$WORK/stuck"
        echo "scale=3; $s / $a" | bc >>"$WORK/ratio"
        echo "  round $r: alone $a msgs/s, with a stuck subscriber $s msgs/s ($(tail -1 "$WORK/ratio"))  [$template]" >&2
    done
    printf '%-60s alone %9s  stuck %9s  ratio %s (rounds: %s)\n' "$template" "$(median <"$WORK/alone")" \
        "$(median <"$WORK/stuck")" "$(median <"$WORK/ratio")" "$(paste -sd' ' "$WORK/ratio")"
done
