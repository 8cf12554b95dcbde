#!/usr/bin/env bash
# Cross-member throughput: publisher on member A, subscriber on member B of a two-server
# cluster (or, with --link gateway, of two one-server clusters joined by gateways; with --link
# leaf, a leaf server A soliciting a hub B over a leafnode link), for
# nats-server and for this server side by side (A B A B…), as in ../../shared/bench.
#
#   tools/clusterbench/run.sh [--rounds N] [--count N] [--size N] [--link route|gateway|leaf] [--warmup N] [--ours 'CMD -c {conf}']
#
# --warmup N sends N uncounted messages through each freshly started pair first, so the measured
# run sees steady state (a .NET server JIT-compiles its hot paths in its first seconds; without
# it the run measures start-up as much as forwarding). Each result also gives the CPU time both
# servers spent per measured message (cpu_us_msg, user + system from /proc), which the
# machine's load disturbs much less than the rate.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rounds=3 count=2000000 size=128 link=route warmup=0
ours="$root/host/bin/Release/net10.0/nats-server -c {conf}"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --link) link=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --ours) ours=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d)
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
gcc -O2 -pthread -o "$work/clusterbench" "$here/clusterbench.c"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Waits (up to 30 s) until a server accepts on the port: on a loaded machine start-up takes seconds.
wait_port() { local i; for ((i = 0; i < 300; i++)); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; }

# user + system clock ticks of the given processes so far
cpu_ticks() { local p; for p in "$@"; do cat "/proc/$p/stat"; done | awk '{ s += $14 + $15 } END { print s }'; }

run_pair() { # $1 = label, $2 = command template
  local ca cb ra rb pids=()
  ca=$(free_port); cb=$(free_port); ra=$(free_port); rb=$(free_port)
  for side in a b; do
    local client route peer
    if [ $side = a ]; then client=$ca route=$ra peer=$rb; else client=$cb route=$rb peer=$ra; fi
    if [ "$link" = leaf ]; then
      if [ $side = a ]; then
        cat > "$work/$side.conf" <<CONF
host: 127.0.0.1
port: $client
leafnodes { remotes: [{url: nats-leaf://127.0.0.1:$peer}] }
CONF
      else
        cat > "$work/$side.conf" <<CONF
host: 127.0.0.1
port: $client
leafnodes { listen: 127.0.0.1:$route }
CONF
      fi
    elif [ "$link" = gateway ]; then
      local other; if [ $side = a ]; then other=b; else other=a; fi
      cat > "$work/$side.conf" <<CONF
host: 127.0.0.1
port: $client
gateway { name: $side, listen: 127.0.0.1:$route, gateways: [{name: $other, url: nats://127.0.0.1:$peer}] }
CONF
    else
      cat > "$work/$side.conf" <<CONF
host: 127.0.0.1
port: $client
cluster { name: bench, listen: 127.0.0.1:$route, routes: [nats-route://127.0.0.1:$peer] }
CONF
    fi
    local cmd=${2//\{conf\}/$work/$side.conf}
    bash -c "exec $cmd" >"$work/$1-$side.log" 2>&1 &
    pids+=($!)
  done
  wait_port "$ca"; wait_port "$cb"
  # Gateways dial 1 s after start (nats-server's solicit delay) and switch to interest-only on registration.
  case "$link" in gateway) sleep 6 ;; leaf) sleep 3 ;; *) sleep 2 ;; esac
  local result ticks0 ticks1
  if [ "$warmup" -gt 0 ]; then "$work/clusterbench" "$ca" "$cb" "$warmup" "$size" >/dev/null || true; fi
  ticks0=$(cpu_ticks "${pids[@]}")
  result=$("$work/clusterbench" "$ca" "$cb" "$count" "$size" || true)
  ticks1=$(cpu_ticks "${pids[@]}")
  kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null || true
  echo "$result cpu_us_msg=$(awk -v t=$((ticks1 - ticks0)) -v hz="$(getconf CLK_TCK)" -v n="$count" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }')" |
    sed "s/^RESULT/RESULT server=$1/"
}

for ((r = 1; r <= rounds; r++)); do
  run_pair go "nats-server -c {conf}"
  run_pair cs "$ours"
done | tee "$work/results"
awk '/RESULT/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
       rate[v["server"]] = rate[v["server"]] " " v["msgs_s"]; cpu[v["server"]] = cpu[v["server"]] " " v["cpu_us_msg"]
       lost[v["server"]] += v["lost"] }
     END { for (s in rate) printf "%s msgs/s:%s  server cpu us/msg:%s  lost total: %d\n", s, rate[s], cpu[s], lost[s] }' "$work/results"
