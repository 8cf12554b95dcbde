#!/usr/bin/env bash
# MQTT publish -> subscribe throughput with mosquitto_pub/mosquitto_sub against one server.
#   tools/mqttbench/qos.sh <server command...>
# Env: N (messages, 20000), SIZE (payload bytes, 100), QOS (1), PORT (18830), INFLIGHT (mosquitto_pub -M, 20).
# The server command must read $CONF (written here: server_name, jetstream in a fresh store dir,
# mqtt on $PORT); add SYNC='sync: "2m"' for this server's nats-server-like lazy fsync.
# MOSQUITTO=1 writes a mosquitto.conf (listener on $PORT, anonymous) to $CONF instead.
# Prints: msgs, seconds from the first publish to the subscriber's last message, msgs/s, and the
# server's CPU time (user+system, from /proc) over that span per message.
set -euo pipefail
N=${N:-20000}; SIZE=${SIZE:-100}; export QOS=${QOS:-1}; PORT=${PORT:-18830}; INFLIGHT=${INFLIGHT:-20}
dir=$(mktemp -d)
trap 'kill $srv 2>/dev/null || true; wait $srv 2>/dev/null || true; rm -rf "$dir"' EXIT
export CONF="$dir/bench.conf"
if [ -n "${MOSQUITTO:-}" ]; then
  printf 'listener %s 127.0.0.1\nallow_anonymous true\n' "$PORT" > "$CONF"
else
cat > "$CONF" <<CONF
server_name: bench
listen: 127.0.0.1:-1
jetstream {
  store_dir: "$dir/js"
  ${SYNC:-}
}
mqtt { host: 127.0.0.1, port: $PORT }
CONF
fi
"$@" > "$dir/server.log" 2>&1 &
srv=$!
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
# Warm-up: one QoS 1 publish until accepted (the first MQTT client creates the account's streams; on a
# loaded machine that may outlast the JetStream API timeout, and the CONNACK then says "server unavailable").
for _ in $(seq 20); do mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -i bench-warm -t warm/up -m x 2>/dev/null && break; sleep 1; done
payload=$(head -c "$SIZE" /dev/zero | tr '\0' 'x')
for _ in $(seq "$N"); do echo "$payload"; done > "$dir/lines"
# At QoS 0 a server may drop messages: the subscriber stops after N, or after WAIT (60) seconds with fewer; the count received is reported.
mosquitto_sub -h 127.0.0.1 -p "$PORT" -q "$QOS" -i bench-sub -t bench/t -C "$N" -W "${WAIT:-60}" > "$dir/got" &
sub=$!
sleep 1
# utime + stime of the server process, in clock ticks.
cpu() { awk '{ print $14 + $15 }' "/proc/$srv/stat"; }
cpu_start=$(cpu)
start=$(date +%s.%N)
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q "$QOS" -M "$INFLIGHT" -i bench-pub -t bench/t -l < "$dir/lines"
pub_done=$(date +%s.%N)
wait $sub || true
end=$(date +%s.%N)
cpu_end=$(cpu)
got=$(wc -l < "$dir/got")
awk -v n="$N" -v g="$got" -v s="$start" -v p="$pub_done" -v e="$end" -v c0="$cpu_start" -v c1="$cpu_end" -v hz="$(getconf CLK_TCK)" \
  'BEGIN { printf "qos=%s msgs=%d received=%d publish=%.2fs end-to-end=%.2fs rate=%.0f msgs/s server_cpu=%.2fs cpu_per_msg=%.1fus\n", ENVIRON["QOS"], n, g, p-s, e-s, g/(e-s), (c1-c0)/hz, (c1-c0)/hz*1e6/n }'
