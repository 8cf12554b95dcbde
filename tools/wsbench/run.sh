#!/usr/bin/env bash
# WebSocket throughput side by side: nats-server and this server, each freshly started with a
# websocket port, one publisher and one subscriber over ws:// (wsbench), alternating A B A B.
#
#   tools/wsbench/run.sh [--rounds N] [--count N] [--size N] [--compress] [--warmup N] [--ours 'CMD -c {conf}']
#
# --warmup N sends N uncounted messages through each fresh server first (a .NET server
# JIT-compiles its hot paths in its first seconds). Each result gives the server's CPU time per
# measured message (cpu_us_msg, user + system from /proc), which the machine's load disturbs
# much less than the rate.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rounds=3 count=500000 size=128 compress=false warmup=300000
ours="$root/host/bin/Release/net10.0/nats-server -c {conf}"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --compress) compress=true; shift ;;
    --warmup) warmup=$2; shift 2 ;;
    --ours) ours=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d)
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
dotnet build -c Release "$here" -nologo -v q >/dev/null
bench="$here/bin/Release/net10.0/wsbench"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Waits (up to 30 s) until a server accepts on the port: on a loaded machine start-up takes seconds.
wait_port() { local i; for ((i = 0; i < 300; i++)); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

run_one() { # $1 = label, $2 = command template
  local client ws pid t0 t1 line
  client=$(free_port); ws=$(free_port)
  cat > "$work/$1.conf" <<CONF
host: 127.0.0.1
port: $client
websocket { host: 127.0.0.1, port: $ws, no_tls: true, compression: $compress }
CONF
  local cmd=${2//\{conf\}/$work/$1.conf}
  bash -c "exec $cmd" >"$work/$1.log" 2>&1 &
  pid=$!
  wait_port "$ws"
  if [ "$warmup" -gt 0 ]; then "$bench" "ws://127.0.0.1:$ws" "$warmup" "$size" "$compress" >/dev/null || true; fi
  t0=$(cpu_ticks $pid)
  line=$("$bench" "ws://127.0.0.1:$ws" "$count" "$size" "$compress" || echo "failed")
  t1=$(cpu_ticks $pid)
  kill $pid 2>/dev/null; wait $pid 2>/dev/null || true
  echo "RESULT server=$1 msgs_s=$(echo "$line" | sed -n 's/.*= \([0-9,]*\) msgs\/s/\1/p' | tr -d ,) cpu_us_msg=$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$count" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }')"
}

for ((r = 1; r <= rounds; r++)); do
  run_one go "nats-server -c {conf}"
  run_one cs "$ours"
done | tee "$work/results"
awk '/RESULT/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
       rate[v["server"]] = rate[v["server"]] " " v["msgs_s"]; cpu[v["server"]] = cpu[v["server"]] " " v["cpu_us_msg"] }
     END { for (s in rate) printf "%s msgs/s:%s  server cpu us/msg:%s\n", s, rate[s], cpu[s] }' "$work/results"
