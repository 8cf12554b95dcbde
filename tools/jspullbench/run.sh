#!/usr/bin/env bash
# JetStream pull consumer benchmark side by side: nats-server and this server, each freshly
# started with JetStream on an empty store, alternating A B A B (the machine's load drifts, so
# compare each pair). jspullbench (NATS.Net) fills a file stream with COUNT messages (core
# publishes, then waits until all are stored), then reads them with a durable pull consumer in
# fetch batches with an ack per message; each phase reports msgs/s and the server's CPU time per
# message (user + system from /proc, less disturbed by the load than the rate).
#
#   tools/jspullbench/run.sh [--rounds N] [--count N] [--size N] [--batch N] [--ours 'CMD -c {conf}']
#
# The fill phase compares different guarantees (ours stores with an fdatasync per group commit,
# nats-server fsyncs lazily); the pull phase reads the same messages the same way.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rounds=3 count=1000000 size=128 batch=500
ours="$root/host/bin/Release/net10.0/nats-server -c {conf}"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --ours) ours=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d)
server_pid=""
cleanup() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT
dotnet build -c Release "$here" -nologo -v q >/dev/null
bench="$here/bin/Release/net10.0/jspullbench"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# Waits (up to 60 s) until a server accepts on the port: on a loaded machine start-up takes seconds.
wait_port() { local i; for ((i = 0; i < 600; i++)); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

run_one() { # $1 = label, $2 = command template
  local port store line
  port=$(free_port); store="$work/store-$1"
  rm -rf "$store"
  cat > "$work/$1.conf" <<CONF
host: 127.0.0.1
port: $port
jetstream { store_dir: "$store" }
CONF
  local cmd=${2//\{conf\}/$work/$1.conf}
  bash -c "exec $cmd" >"$work/$1.log" 2>&1 &
  server_pid=$!
  wait_port "$port"
  "$bench" "nats://127.0.0.1:$port" "$count" --size "$size" --batch "$batch" --pid "$server_pid" | sed "s/^RESULT /RESULT server=$1 /" || echo "RESULT server=$1 phase=failed"
  kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null || true
  server_pid=""
  rm -rf "$store"
}

for ((r = 1; r <= rounds; r++)); do
  run_one go "nats-server -c {conf}"
  run_one cs "$ours"
done | tee "$work/results"
# Per round the pair's ratios (cs / go), then the medians.
awk '/^RESULT/ { delete v; for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
       k = v["server"] "," v["phase"]; n[k]++; rate[k, n[k]] = v["msgs_s"]; cpu[k, n[k]] = v["cpu_us_msg"] }
     END {
       split("fill pull", phases, " ")
       for (p = 1; p <= 2; p++) {
         ph = phases[p]; line = ph ": "
         for (r = 1; r <= n["go," ph]; r++)
           line = line sprintf(" [go %s msgs/s %s us/msg | cs %s msgs/s %s us/msg | rate cs/go %.2f, cpu cs/go %.2f]",
             rate["go," ph, r], cpu["go," ph, r], rate["cs," ph, r], cpu["cs," ph, r],
             rate["cs," ph, r] / rate["go," ph, r], cpu["cs," ph, r] / cpu["go," ph, r])
         print line
       }
     }' "$work/results"
