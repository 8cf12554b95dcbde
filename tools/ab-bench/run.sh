#!/bin/bash
# A/B of server builds on one natsbench scenario, alternating in the same time window: for each
# round and build a fresh server, one natsbench run with -P PID; prints each run's msgs/s, server
# CPU microseconds per message, context switches per 1,000 messages and the load average, then
# the medians per build. With --threads, also the server's CPU per thread name over the run
# (from /proc/PID/task/*/stat: e.g. the runtime's tier-1 compilation against the I/O threads).
# With --warm 'NATSBENCH ARGS', each fresh server first gets that run, uncounted, and a second to
# settle: what the scenario costs once the server is warm, against what it costs a fresh one.
#
#   tools/ab-bench/run.sh [--rounds N] [--threads] [--nice N] [--warm 'ARGS'] \
#       'LABEL=SERVER COMMAND -c {conf}' ... -- NATSBENCH ARGS
# e.g. tools/ab-bench/run.sh --rounds 5 'go=nats-server -c {conf}' \
#       'before=/tmp/before/nats-server -c {conf}' 'after=host/bin/Release/net10.0/nats-server -c {conf}' \
#       -- pub -z 1024 -n 2500000
# A build's folder is copied aside (cp -r host/bin/Release/net10.0 /tmp/before) before the change.
# Environment for one build: 'LABEL=env DOTNET_X=1 /tmp/b/nats-server -c {conf}'.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../natsbench-path.sh"
ROUNDS=3 THREADS=0 NICE="" WARM=""
BUILDS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS=$2; shift 2 ;;
        --threads) THREADS=1; shift ;;
        --nice) NICE="nice -n $2"; shift 2 ;;
        --warm) WARM=$2; shift 2 ;;
        --) shift; break ;;
        *=*) BUILDS+=("$1"); shift ;;
        *) echo "unknown argument $1 (builds are LABEL=COMMAND, then -- and natsbench's arguments)" >&2; exit 2 ;;
    esac
done
[ ${#BUILDS[@]} -gt 0 ] && [ $# -gt 0 ] || { sed -n '2,16p' "$0" >&2; exit 2; }
WORK=$(mktemp -d /tmp/ab-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# Sum of voluntary and involuntary context switches over the process's threads.
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s += $2} END {print s + 0}'; }

# CPU ticks (user + system) per thread name: "name ticks" lines. The name may hold spaces, so
# the fields are counted from the closing parenthesis.
thread_ticks() {
    for t in /proc/"$1"/task/*; do
        { read -r comm <"$t/comm" && read -r stat <"$t/stat"; } 2>/dev/null || continue
        echo "${comm// /_} $(awk '{print $12 + $13}' <<<"${stat##*) }")"
    done | awk '{a[$1] += $2} END {for (k in a) print k, a[k]}' | sort
}

HZ=$(getconf CLK_TCK)
for round in $(seq "$ROUNDS"); do
    for build in "${BUILDS[@]}"; do
        label=${build%%=*} template=${build#*=}
        port=$("$NB" freeport)
        conf=$WORK/conf.$port
        printf 'host: "127.0.0.1"\nport: %s\n' "$port" >"$conf"
        $NICE bash -c "exec ${template//\{conf\}/$conf}" >"$WORK/server.log" 2>&1 &
        pid=$!
        "$NB" info -s "127.0.0.1:$port" -t 30 >/dev/null
        if [ -n "$WARM" ]; then
            # shellcheck disable=SC2086 # the warm-up's arguments are meant to split
            $NICE "$NB" $WARM -s "127.0.0.1:$port" --subj ab.warm.up >/dev/null
            sleep 1
        fi
        [ "$THREADS" = 1 ] && thread_ticks "$pid" >"$WORK/t0"
        cs0=$(switches "$pid")
        line=$($NICE "$NB" "$@" -s "127.0.0.1:$port" -P "$pid" | grep RESULT || true)
        cs1=$(switches "$pid")
        [ "$THREADS" = 1 ] && thread_ticks "$pid" >"$WORK/t1"
        kill "$pid"
        wait "$pid" 2>/dev/null || true
        msgs=$(grep -oE ' msgs=[0-9]+' <<<"$line" | cut -d= -f2)
        rate=$(grep -oE 'msgs_s=[0-9]+' <<<"$line" | cut -d= -f2)
        cpu=$(grep -oE 'srv_cpu_s=[0-9.]+' <<<"$line" | cut -d= -f2)
        [ -n "$msgs" ] && [ -n "$rate" ] && [ -n "$cpu" ] || { echo "r$round $label: no RESULT line" >&2; continue; }
        us=$(awk -v c="$cpu" -v m="$msgs" 'BEGIN {printf "%.3f", c * 1e6 / m}')
        cs=$(awk -v a="$cs0" -v b="$cs1" -v m="$msgs" 'BEGIN {printf "%.2f", (b - a) * 1000 / m}')
        printf 'r%s %-10s msgs/s=%-9s srv_us/msg=%-7s cs/1k=%-6s load=%s\n' \
            "$round" "$label" "$rate" "$us" "$cs" "$(cut -d' ' -f1 /proc/loadavg)"
        echo "$label $rate $us" >>"$WORK/results"
        if [ "$THREADS" = 1 ]; then
            join -a2 -e0 -o 0,1.2,2.2 "$WORK/t0" "$WORK/t1" |
                awk -v hz="$HZ" '$3 > $2 {printf "    %-24s %6.0f ms\n", $1, ($3 - $2) * 1000 / hz}'
        fi
    done
done

echo "medians over $ROUNDS rounds (msgs/s, server us/msg):"
for build in "${BUILDS[@]}"; do
    label=${build%%=*}
    awk -v l="$label" '$1 == l {print $2}' "$WORK/results" | sort -n | awk '{a[NR] = $1} END {m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.0f", m}' >"$WORK/m1"
    awk -v l="$label" '$1 == l {print $3}' "$WORK/results" | sort -n | awk '{a[NR] = $1} END {m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.3f", m}' >"$WORK/m2"
    printf '  %-10s %10s  %s  (each: %s)\n' "$label" "$(cat "$WORK/m1")" "$(cat "$WORK/m2")" \
        "$(awk -v l="$label" '$1 == l {printf "%s ", $3}' "$WORK/results")"
done
