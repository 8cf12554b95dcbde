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
COUNT=50000 SIZE=1024
WORK=$(mktemp -d /tmp/cut-under-load.XXXXXX)
. "$HERE/round.sh"
hogs=()
trap 'kill "${hogs[@]}" 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq "$HOGS"); do (while :; do :; done) & hogs+=($!); done
# A field of the round's RESULT line.
field() { tr ' ' '\n' <<<"$line" | sed -n "s/^$1=//p" | head -1; }
cut=0
for r in $(seq "$ROUNDS"); do
    start_round "$TEMPLATE" stuck
    line=$(healthy_pair)
    end_round
    slow=$(grep -c "Slow Consumer" "$LOG" || true)
    lost=$(field lost)
    if [ "${lost:-1}" != 0 ] || [ "$slow" -gt 1 ]; then cut=$((cut + 1)); fi
    echo "round $r: healthy msgs/s=$(field msgs_s) lost=${lost:-?} slow-consumer lines=$slow load=$(cut -d' ' -f1 /proc/loadavg)"
done
echo "healthy subscriber cut in $cut of $ROUNDS rounds ($HOGS busy loops)"
