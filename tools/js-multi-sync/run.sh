#!/bin/bash
# A/B of server builds with CONNS synchronous JetStream publishers (js-multi-sync.c beside this
# script), alternating: for each round and build a fresh server with a fresh store (in /tmp,
# on disk), a one-second warm-up with one publisher, then CONNS publishers for SECS seconds;
# prints acks/s and the server's CPU microseconds per ack over those seconds.
#
#   tools/js-multi-sync/run.sh ROUNDS CONNS SECS 'LABEL=SERVER FOLDER' ...
#   e.g. tools/js-multi-sync/run.sh 3 4 5 before=/tmp/before after=host/bin/Release/net10.0
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../natsbench-path.sh"
[ $# -ge 4 ] || { sed -n '2,8p' "$0" >&2; exit 2; }
ROUNDS=$1 CONNS=$2 SECS=$3
shift 3
WORK=$(mktemp -d /tmp/js-multi-sync.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
gcc -O2 -pthread -o "$WORK/js-multi-sync" "$HERE/js-multi-sync.c"
HZ=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for round in $(seq "$ROUNDS"); do
    for build in "$@"; do
        label=${build%%=*} dir=${build#*=}
        port=$("$NB" freeport)
        store=$WORK/store.$port
        printf 'host: "127.0.0.1"\nport: %s\njetstream { store_dir: "%s" }\n' "$port" "$store" >"$WORK/conf"
        "$dir/nats-server" -c "$WORK/conf" >"$WORK/server.log" 2>&1 &
        pid=$!
        "$NB" info -s "127.0.0.1:$port" -t 30 >/dev/null
        "$WORK/js-multi-sync" "$port" multi.js 1 1 >/dev/null
        c0=$(cpu "$pid")
        out=$("$WORK/js-multi-sync" "$port" multi.js "$CONNS" "$SECS")
        c1=$(cpu "$pid")
        kill "$pid"
        wait "$pid" 2>/dev/null || true
        rm -rf "$store"
        acks=$(sed 's/.*acks=\([0-9]*\).*/\1/' <<<"$out")
        echo "r$round $label $out srv_us/ack=$(awk -v a="$c0" -v b="$c1" -v n="$acks" -v hz="$HZ" \
            'BEGIN {printf "%.1f", (b - a) / hz * 1e6 / n}') load=$(cut -d' ' -f1 /proc/loadavg)"
    done
done
