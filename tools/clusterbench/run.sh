#!/usr/bin/env bash
# Cross-member throughput: publisher on member A, subscriber on member B of a two-server
# cluster (or, with --link gateway, of two one-server clusters joined by gateways), for
# nats-server and for this server side by side (A B A B…), as in ../../shared/bench.
#
#   tools/clusterbench/run.sh [--rounds N] [--count N] [--size N] [--link route|gateway] [--ours 'CMD -c {conf}']
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rounds=3 count=2000000 size=128 link=route
ours="$root/host/bin/Release/net10.0/nats-server -c {conf}"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --link) link=$2; shift 2 ;;
    --ours) ours=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d)
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
gcc -O2 -pthread -o "$work/clusterbench" "$here/clusterbench.c"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

run_pair() { # $1 = label, $2 = command template
  local ca cb ra rb pids=()
  ca=$(free_port); cb=$(free_port); ra=$(free_port); rb=$(free_port)
  for side in a b; do
    local client route peer
    if [ $side = a ]; then client=$ca route=$ra peer=$rb; else client=$cb route=$rb peer=$ra; fi
    if [ "$link" = gateway ]; then
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
  # Gateways dial 1 s after start (nats-server's solicit delay) and switch to interest-only on registration.
  if [ "$link" = gateway ]; then sleep 6; else sleep 2; fi
  local result
  result=$("$work/clusterbench" "$ca" "$cb" "$count" "$size" || true)
  kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null || true
  echo "$result" | sed "s/^RESULT/RESULT server=$1/"
}

for ((r = 1; r <= rounds; r++)); do
  run_pair go "nats-server -c {conf}"
  run_pair cs "$ours"
done | tee "$work/results"
awk '/RESULT/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
       rate[v["server"]] = rate[v["server"]] " " v["msgs_s"]; lost[v["server"]] += v["lost"] }
     END { for (s in rate) printf "%s msgs/s:%s  lost total: %d\n", s, rate[s], lost[s] }' "$work/results"
