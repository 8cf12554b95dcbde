#!/usr/bin/env python3
"""Idle memory of a server: resident set size once it listens and has settled, median of --runs starts (issue 16).

  tools/startup-timing/idle_rss.py [--runs 5] [--settle 3] [--ours 'CMD'] [--reference 'CMD'] [--only ours|reference]

Commands are templates as in measure.py ({conf} is a config with only a client port). Each start
waits for the INFO greeting, then --settle seconds with no client, then reads VmRSS from
/proc/<pid>/status (and VmHWM, the peak).
"""
import argparse, statistics, sys, tempfile, time

from measure import OURS, REFERENCE, free_port, start, stop, wait_info


def status_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def idle_rss(template, runs, settle, work):
    rss, peak = [], []
    for _ in range(runs):
        port = free_port()
        p, _ = start(template, f"listen: 127.0.0.1:{port}\n", work)
        try:
            wait_info(port, time.perf_counter() + 30)
            time.sleep(settle)
            rss.append(status_kb(p.pid, "VmRSS") / 1024)
            peak.append(status_kb(p.pid, "VmHWM") / 1024)
        finally:
            stop(p)
    return rss, peak


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--settle", type=float, default=3)
    ap.add_argument("--ours", default=OURS)
    ap.add_argument("--reference", default=REFERENCE)
    ap.add_argument("--only", choices=["ours", "reference"])
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as work:
        for name, template in [("reference", a.reference), ("ours", a.ours)]:
            if a.only and a.only != name:
                continue
            rss, peak = idle_rss(template, a.runs, a.settle, work)
            print(f"{name:10} idle RSS median {statistics.median(rss):6.1f} MB   min {min(rss):6.1f}   max {max(rss):6.1f}"
                  f"   peak (VmHWM) median {statistics.median(peak):6.1f} MB   (n={len(rss)})", flush=True)


if __name__ == "__main__":
    sys.exit(main())
