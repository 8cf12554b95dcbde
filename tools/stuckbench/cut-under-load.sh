#!/bin/bash
# Is the healthy subscriber ever cut beside a stuck one while the machine is overloaded?
# Each round: a fresh server (max_pending 1MB), a warm-up, the stuck subscriber
# (stuck_client.py), then the healthy 1:1 pair (natsbench pubsub, 50,000 x 1 KB, which checks
# every message arrived); HOGS busy loops run throughout. A healthy subscriber cut as a slow
# consumer shows as lost > 0 and a second "Slow Consumer" line in the server's log.
#
#   tools/stuckbench/cut-under-load.sh 'SERVER -c {conf}' [ROUNDS (20)] [HOGS (2)]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../natsbench-path.sh"
TEMPLATE=${1:?usage: $0 'SERVER -c {conf}' [ROUNDS] [HOGS]} ROUNDS=${2:-20} HOGS=${3:-2}
WORK=$(mktemp -d /tmp/cut-under-load.XXXXXX)
hogs=()
trap 'kill "${hogs[@]}" 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq "$HOGS"); do (while :; do :; done) & hogs+=($!); done
cut=0
for r in $(seq "$ROUNDS"); do
    port=$("$NB" freeport)
    conf=$WORK/conf.$port
    printf 'host: "127.0.0.1"\nport: %s\nmax_pending: 1MB\n' "$port" >"$conf"
    bash -c "exec ${TEMPLATE//\{conf\}/$conf}" >"$WORK/server.log" 2>&1 &
    pid=$!
    "$NB" info -s "127.0.0.1:$port" -t 30 >/dev/null
    "$NB" pubsub -s "127.0.0.1:$port" -n 50000 -z 1024 -k 1 --raw --subj warm.up -t 20 >/dev/null
    python3 "$HERE/stuck_client.py" "127.0.0.1:$port" stuck.test 60 >"$WORK/stuck.out" &
    stuck=$!
    for _ in $(seq 100); do grep -q ready "$WORK/stuck.out" 2>/dev/null && break; sleep 0.1; done
    line=$("$NB" pubsub -s "127.0.0.1:$port" -n 50000 -z 1024 -k 1 --raw --subj stuck.test -t 20 | grep RESULT || true)
    kill "$stuck" 2>/dev/null || true
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    field() { tr ' ' '\n' <<<"$line" | sed -n "s/^$1=//p" | head -1; }
    slow=$(grep -c "Slow Consumer" "$WORK/server.log" || true)
    lost=$(field lost)
    if [ "${lost:-1}" != 0 ] || [ "$slow" -gt 1 ]; then cut=$((cut + 1)); fi
    echo "round $r: healthy msgs/s=$(field msgs_s) lost=${lost:-?} slow-consumer lines=$slow load=$(cut -d' ' -f1 /proc/loadavg)"
done
echo "healthy subscriber cut in $cut of $ROUNDS rounds ($HOGS busy loops)"
