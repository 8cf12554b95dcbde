#!/bin/bash
# A/B of server builds on one natsbench scenario, alternating in the same time window: for each
# round and build a fresh server, one natsbench run with -P PID; prints each run's msgs/s, server
# CPU microseconds per message, context switches per 1,000 messages and the load average, then
# the medians per build. With --threads, also the server's CPU per thread name over the run
# (from /proc/PID/task/*/stat: e.g. the runtime's tier-1 compilation against the I/O threads).
# With --syscalls, also the server's system calls per 1,000 messages over the run (perf stat on
# its tracepoints: reads, epoll waits, sched_yield, futex), steadier under load than the CPU.
# With --warm 'NATSBENCH ARGS', each fresh server first gets that run, uncounted, and a second to
# settle: what the scenario costs once the server is warm, against what it costs a fresh one.
# With --jetstream, each fresh server gets `jetstream { store_dir: <fresh dir> }` (removed after
# the run) and --syscalls also counts the store's pwrite64/pwritev2/fdatasync and the acks' sendmsg;
# latency percentiles (jspub --sync, reqrep) are printed with each run when natsbench gives them,
# and their medians (p50, p99) with each build's. With --store-in DIR that store is made in DIR,
# e.g. a tmpfs (/dev/shm), where fdatasync returns at once: the server's own CPU per message
# without the disk's, which on a shared disk moves more between runs than the builds differ.
# With --beside 'NATSBENCH ARGS', that load runs on the same server through each measured run
# (started 1 s before it, stopped after it; its rate is printed as beside_msgs/s): what the
# scenario gets beside other work, e.g. request/reply beside a synchronous JetStream publisher.
# srv_us/msg then counts both.
#
#   tools/ab-bench/run.sh [--rounds N] [--threads] [--syscalls] [--jetstream [--store-in DIR]] [--nice N] [--warm 'ARGS'] [--beside 'ARGS'] \
#       'LABEL=SERVER COMMAND -c {conf}' ... -- NATSBENCH ARGS
# e.g. tools/ab-bench/run.sh --rounds 5 'go=nats-server -c {conf}' \
#       'before=/tmp/before/nats-server -c {conf}' 'after=host/bin/Release/net10.0/nats-server -c {conf}' \
#       -- pub -z 1024 -n 2500000
# or, JetStream synchronous publish: tools/ab-bench/run.sh --jetstream --syscalls 'go=nats-server -c {conf}' \
#       'after=host/bin/Release/net10.0/nats-server -c {conf}' -- jspub -z 128 --sync --raw -n 10000
# A build's folder is copied aside (cp -r host/bin/Release/net10.0 /tmp/before) before the change.
# Environment for one build: 'LABEL=env DOTNET_X=1 /tmp/b/nats-server -c {conf}'.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../natsbench-path.sh"
ROUNDS=3 THREADS=0 SYSCALLS=0 JETSTREAM=0 STORE_IN="" NICE="" WARM="" BESIDE=""
BUILDS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS=$2; shift 2 ;;
        --threads) THREADS=1; shift ;;
        --syscalls) SYSCALLS=1; shift ;;
        --jetstream) JETSTREAM=1; shift ;;
        --store-in) STORE_IN=$2; shift 2 ;;
        --nice) NICE="nice -n $2"; shift 2 ;;
        --warm) WARM=$2; shift 2 ;;
        --beside) BESIDE=$2; shift 2 ;;
        --) shift; break ;;
        *=*) BUILDS+=("$1"); shift ;;
        *) echo "unknown argument $1 (builds are LABEL=COMMAND, then -- and natsbench's arguments)" >&2; exit 2 ;;
    esac
done
[ ${#BUILDS[@]} -gt 0 ] && [ $# -gt 0 ] || { sed -n '2,30p' "$0" >&2; exit 2; }
WORK=$(mktemp -d /tmp/ab-bench.XXXXXX)
STORE=$WORK/js
[ -z "$STORE_IN" ] || STORE=$(mktemp -u "$STORE_IN/ab-bench-js.XXXXXX")
trap 'rm -rf "$WORK" "$STORE"' EXIT

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
EVENTS="read recvfrom epoll_wait epoll_pwait sched_yield futex"
[ "$JETSTREAM" = 1 ] && EVENTS="$EVENTS pwrite64 pwritev2 fdatasync sendmsg sendto writev"
for round in $(seq "$ROUNDS"); do
    for build in "${BUILDS[@]}"; do
        label=${build%%=*} template=${build#*=}
        port=$("$NB" freeport)
        conf=$WORK/conf.$port
        printf 'host: "127.0.0.1"\nport: %s\n' "$port" >"$conf"
        if [ "$JETSTREAM" = 1 ]; then
            rm -rf "$STORE"
            printf 'jetstream { store_dir: "%s" }\n' "$STORE" >>"$conf"
        fi
        $NICE bash -c "exec ${template//\{conf\}/$conf}" >"$WORK/server.log" 2>&1 &
        pid=$!
        "$NB" info -s "127.0.0.1:$port" -t 30 >/dev/null
        if [ -n "$WARM" ]; then
            # shellcheck disable=SC2086 # the warm-up's arguments are meant to split
            $NICE "$NB" $WARM -s "127.0.0.1:$port" --subj ab.warm.up >/dev/null
            sleep 1
        fi
        if [ -n "$BESIDE" ]; then
            # shellcheck disable=SC2086 # the other load's arguments are meant to split
            $NICE "$NB" $BESIDE -s "127.0.0.1:$port" >"$WORK/beside" 2>&1 &
            beside=$!
            sleep 1
        fi
        [ "$THREADS" = 1 ] && thread_ticks "$pid" >"$WORK/t0"
        if [ "$SYSCALLS" = 1 ]; then
            perf stat -x, -o "$WORK/syscalls" -p "$pid" -e "$(printf 'syscalls:sys_enter_%s,' \
                $EVENTS | sed 's/,$//')" 2>/dev/null &
            perf=$!
            sleep 0.2
        fi
        cs0=$(switches "$pid")
        line=$($NICE "$NB" "$@" -s "127.0.0.1:$port" -P "$pid" | grep RESULT || true)
        cs1=$(switches "$pid")
        if [ "$SYSCALLS" = 1 ]; then
            kill -INT "$perf"
            wait "$perf" 2>/dev/null || true
        fi
        [ "$THREADS" = 1 ] && thread_ticks "$pid" >"$WORK/t1"
        besides=""
        if [ -n "$BESIDE" ]; then
            # natsbench stops on SIGINT and still prints its RESULT line.
            kill -INT "$beside" 2>/dev/null || true
            wait "$beside" 2>/dev/null || true
            besides="beside_msgs/s=$(grep RESULT "$WORK/beside" | tr ' ' '\n' | sed -n 's/^msgs_s=//p') "
        fi
        kill "$pid"
        wait "$pid" 2>/dev/null || true
        if [ "$JETSTREAM" = 1 ]; then rm -rf "$STORE"; fi
        # One field of the RESULT line, by its exact name (msgs_s, not pub_msgs_s).
        field() { tr ' ' '\n' <<<"$line" | sed -n "s/^$1=//p"; }
        # Per delivered message where there are subscribers, as bench.sh counts srv us/msg.
        msgs=$(field delivered)
        [ -n "$msgs" ] && [ "$msgs" != 0 ] || msgs=$(field msgs)
        rate=$(field msgs_s) cpu=$(field srv_cpu_s) lost=$(field lost)
        [ -n "$msgs" ] && [ -n "$rate" ] && [ -n "$cpu" ] || { echo "r$round $label: no RESULT line" >&2; continue; }
        [ -z "$lost" ] || [ "$lost" = 0 ] || echo "r$round $label: lost=$lost" >&2
        us=$(awk -v c="$cpu" -v m="$msgs" 'BEGIN {printf "%.3f", c * 1e6 / m}')
        cs=$(awk -v a="$cs0" -v b="$cs1" -v m="$msgs" 'BEGIN {printf "%.2f", (b - a) * 1000 / m}')
        p50=$(field p50_us) p99=$(field p99_us)
        printf 'r%s %-10s msgs/s=%-9s srv_us/msg=%-7s cs/1k=%-6s %s%sload=%s\n' \
            "$round" "$label" "$rate" "$us" "$cs" "${p50:+p50_us=$p50 p99_us=$p99 }" "$besides" "$(cut -d' ' -f1 /proc/loadavg)"
        echo "$label $rate $us ${p50:--} ${p99:--}" >>"$WORK/results"
        if [ "$SYSCALLS" = 1 ]; then
            awk -F, -v m="$msgs" '$1 ~ /^[0-9]+$/ {sub("syscalls:sys_enter_", "", $3); printf "%s=%.2f ", $3, $1 * 1000 / m} END {print ""}' \
                "$WORK/syscalls" | sed 's/^/    syscalls per 1k msgs: /'
        fi
        if [ "$THREADS" = 1 ]; then
            join -a2 -e0 -o 0,1.2,2.2 "$WORK/t0" "$WORK/t1" |
                awk -v hz="$HZ" '$3 > $2 {printf "    %-24s %6.0f ms\n", $1, ($3 - $2) * 1000 / hz}'
        fi
    done
done

echo "medians over $ROUNDS rounds (msgs/s, server us/msg[, p50 and p99 latency us]):"
# Median of one column of a build's results ("-" where the run had no such field).
median() {
    awk -v l="$1" -v c="$2" '$1 == l && $c != "-" {print $c}' "$WORK/results" | sort -n |
        awk -v f="$3" '{a[NR] = $1} END {if (!NR) exit; m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf f, m}'
}
for build in "${BUILDS[@]}"; do
    label=${build%%=*}
    lat=$(median "$label" 4 '%.1f')
    [ -z "$lat" ] || lat="  p50 $lat p99 $(median "$label" 5 '%.1f')"
    printf '  %-10s %10s  %s%s  (each: %s)\n' "$label" "$(median "$label" 2 '%.0f')" "$(median "$label" 3 '%.3f')" \
        "$lat" "$(awk -v l="$label" '$1 == l {printf "%s ", $3}' "$WORK/results")"
done
