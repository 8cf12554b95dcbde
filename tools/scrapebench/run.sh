#!/usr/bin/env bash
# Does scraping slow delivery? One server process; rounds alternate a run with nothing else and a
# run while scraper.py requests <path> back to back (a "tight" scrape loop, ~1000/s: far more
# than any Prometheus). Scenarios: 1:1 pub/sub and fan-out to 5, 128-byte raw clients
# (../shared/bench's natsbench). Prints one line per run (natsbench's RESULT line and the number
# of scrapes), then the medians. See docs/benchmarks.md#metrics-scraping.
#
#   tools/scrapebench/run.sh [--path /metrics] [--rounds 7] [--server 'dotnet host/bin/Release/net10.0/nats-server.dll']
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/tools/natsbench-path.sh"
bench="$NB"
path=/metrics
rounds=7
server="dotnet $root/host/bin/Release/net10.0/nats-server.dll"
while [ $# -gt 0 ]; do
  case "$1" in
    --path) path="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --server) server="$2"; shift 2 ;;
    *) sed -n '2,9p' "$0" >&2; exit 2 ;;
  esac
done
[ -x "$bench" ] || make -C "$(dirname "$bench")" >/dev/null
out="$(mktemp -d)"
port=$("$bench" freeport); mport=$("$bench" freeport)
$server -a 127.0.0.1 -p "$port" -m "$mport" >"$out/server.log" 2>&1 &
spid=$!
trap 'kill $spid 2>/dev/null || true' EXIT
"$bench" info -s "nats://127.0.0.1:$port" -t 30 >/dev/null
for round in $(seq 1 "$rounds"); do
  for mode in none scraped; do
    for scenario in "pubsub -z 128 -k 1 --raw -n 10m" "pubsub -z 128 -k 5 --raw -n 3m"; do
      scraper=""
      if [ "$mode" = scraped ]; then
        rm -f "$out/stop"
        python3 "$root/tools/scrapebench/scraper.py" "$mport" "$path" "$out/stop" >"$out/scraper.out" & scraper=$!
        sleep 0.3
      fi
      # shellcheck disable=SC2086
      result=$("$bench" $scenario -s "nats://127.0.0.1:$port" -P "$spid" --label "$mode" | grep RESULT || echo "no RESULT")
      scrapes=""
      if [ -n "$scraper" ]; then touch "$out/stop"; wait "$scraper" || true; scrapes=$(cat "$out/scraper.out"); fi
      echo "round=$round mode=$mode $scrapes $result" | tee -a "$out/results.txt"
    done
  done
done
python3 - "$out/results.txt" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    if " subs=" not in line:
        continue
    mode = re.search(r"mode=(\w+)", line).group(1)
    subs = int(re.search(r" subs=(\d+)", line).group(1))
    runs.setdefault((subs, mode), []).append(int(re.search(r" msgs_s=(\d+)", line).group(1)))
for subs in sorted({s for s, _ in runs}):
    none, scraped = runs[(subs, "none")], runs[(subs, "scraped")]
    ratios = [b / a for a, b in zip(none, scraped)]
    print(f"subs={subs}: delivered msgs/s median {statistics.median(none):,.0f} alone, {statistics.median(scraped):,.0f} scraped "
          f"(ratio {statistics.median(scraped) / statistics.median(none):.2f}, per round {min(ratios):.2f}-{max(ratios):.2f})")
PY
