#!/bin/bash
# Idle resident memory of a server: median VmRSS of N fresh starts, read 2 s after the server
# answers its first PING, and (--breakdown) where that memory is, by mapping, for the last start.
#
#   tools/idle-rss/measure.sh [--runs N] [--breakdown] [--env 'VAR=x ...'] 'SERVER -c {conf}' [extra conf line]
# e.g. tools/idle-rss/measure.sh 'nats-server -c {conf}'
#      tools/idle-rss/measure.sh --breakdown 'host/bin/Release/net10.0/nats-server -c {conf}'
#      tools/idle-rss/measure.sh 'host/bin/Release/net10.0/nats-server -c {conf}' 'http_port: 18222'
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../natsbench-path.sh"
RUNS=5 BREAKDOWN=0 ENVS=""
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS=$2; shift 2 ;;
        --breakdown) BREAKDOWN=1; shift ;;
        --env) ENVS=$2; shift 2 ;;
        *) break ;;
    esac
done
TEMPLATE=$1 EXTRA=${2:-}
WORK=$(mktemp -d /tmp/idle-rss.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
for _ in $(seq "$RUNS"); do
    port=$("$NB" freeport)
    printf 'host: "127.0.0.1"\nport: %s\n%s\n' "$port" "$EXTRA" >"$WORK/conf"
    env $ENVS bash -c "exec ${TEMPLATE//\{conf\}/$WORK/conf}" >/dev/null 2>&1 &
    pid=$!
    "$NB" info -s "127.0.0.1:$port" -t 30 >/dev/null
    sleep 2
    awk '/^VmRSS/ {print $2}' "/proc/$pid/status" >>"$WORK/rss"
    echo "$(ls "/proc/$pid/task" | wc -l)" >>"$WORK/threads"
    [ "$BREAKDOWN" = 1 ] && python3 "$HERE/smaps.py" "$pid" >"$WORK/breakdown"
    kill "$pid"; wait "$pid" 2>/dev/null || true
done
sort -n "$WORK/rss" | awk -v t="$(tail -1 "$WORK/threads")" \
    '{a[NR]=$1} END {printf "idle RSS median %.1f MB (min %.1f, max %.1f, %d starts), %d threads\n", a[int((NR+1)/2)]/1024, a[1]/1024, a[NR]/1024, NR, t}'
[ "$BREAKDOWN" = 1 ] && cat "$WORK/breakdown"
exit 0
