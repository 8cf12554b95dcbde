#!/usr/bin/env bash
# Memory per idle MQTT connection: the server's RSS after one warm-up MQTT connection (which
# creates the account's MQTT state), then after N more idle connections (clean session,
# keep-alive 0, no subscriptions); prints the delta per connection.
#   tools/mqttbench/idle.sh <server command...>     (the command reads $CONF for nats servers;
#   MOSQUITTO=1 writes a mosquitto.conf to $CONF instead)
# Env: N (1000), PORT (18831), GCDUMP (a file: a dotnet-gcdump of the server while the N are held,
# with its per-type report beside it as <file>.txt; needs `dotnet tool install -g dotnet-gcdump`).
set -euo pipefail
N=${N:-1000}; PORT=${PORT:-18831}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
srv=""; idle=()
trap 'for p in "${idle[@]}" $srv; do kill $p 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
export CONF="$dir/bench.conf"
if [ -n "${MOSQUITTO:-}" ]; then
  printf 'listener %s 127.0.0.1\nallow_anonymous true\nmax_connections -1\n' "$PORT" > "$CONF"
else
  cat > "$CONF" <<CONF
server_name: bench
listen: 127.0.0.1:-1
max_connections: 100000
jetstream { store_dir: "$dir/js" }
mqtt { host: 127.0.0.1, port: $PORT }
CONF
fi
ulimit -n 65536 2>/dev/null || true
"$@" > "$dir/server.log" 2>&1 &
srv=$!
for _ in $(seq 200); do (echo > /dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
rss() { awk '/VmRSS/ { print $2 }' "/proc/$srv/status"; }
# Holds N connections open until its stdin (a fifo kept open here) closes; waits for "ready".
hold() {
  mkfifo "$dir/hold$1"
  python3 "$here/idle.py" "$PORT" "$2" < "$dir/hold$1" > "$dir/idle$1.out" 2>&1 &
  idle+=($!)
  eval "exec $((5 + $1))> \"$dir/hold$1\""
  for _ in $(seq 3000); do grep -q ready "$dir/idle$1.out" 2>/dev/null && return 0; kill -0 "${idle[-1]}" 2>/dev/null || break; sleep 0.1; done
  echo "idle connections failed: $(cat "$dir/idle$1.out")"; exit 1
}
# One connection first: the account's streams and the server's lazy start-up costs are not counted.
hold 0 1
sleep 3
before=$(rss)
hold 1 "$N"
sleep 5
after=$(rss)
if [ -n "${GCDUMP:-}" ]; then
  dotnet-gcdump collect -p "$srv" -o "$GCDUMP" > /dev/null
  dotnet-gcdump report "$GCDUMP" > "$GCDUMP.txt"
fi
awk -v n="$N" -v b="$before" -v a="$after" 'BEGIN { printf "connections=%d rss_before=%.1fMB rss_after=%.1fMB per_connection=%.1fKB\n", n, b/1024, a/1024, (a-b)/n }'
