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

# One measurement: prints the healthy subscriber's msgs/s (mode: alone | stuck).
measure() {
    local template=$1 mode=$2 port conf pid stuck="" rate
    port=$("$NB" freeport)
    conf=$WORK/conf.$port
    printf 'host: "127.0.0.1"\nport: %s\nmax_pending: 1MB\n' "$port" >"$conf"
    bash -c "exec ${template//\{conf\}/$conf}" >"$WORK/server.$port.log" 2>&1 &
    pid=$!
    "$NB" info -s "127.0.0.1:$port" -t 30 >/dev/null
    # Warm up on another subject first, so that start-up and JIT are not what is measured.
    "$NB" pubsub -s "127.0.0.1:$port" -n "$COUNT" -z "$SIZE" -k 1 --raw --subj warm.up -t 20 >/dev/null
    if [ "$mode" = stuck ]; then
        python3 "$HERE/stuck_client.py" "127.0.0.1:$port" stuck.test 60 >"$WORK/stuck.out" &
        stuck=$!
        for _ in $(seq 100); do grep -q ready "$WORK/stuck.out" 2>/dev/null && break; sleep 0.1; done
    fi
    rate=$("$NB" pubsub -s "127.0.0.1:$port" -n "$COUNT" -z "$SIZE" -k 1 --raw --subj stuck.test -t 20 |
        grep '^RESULT' | grep -o ' msgs_s=[0-9]*' | cut -d= -f2)
    [ -n "$stuck" ] && kill "$stuck" 2>/dev/null
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
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
