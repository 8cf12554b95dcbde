#!/usr/bin/env python3
"""A joining member's own critical path (issue 18): from its log line "Listening for client
connections" to "Route connect msg sent" (both need -D), by the member's own clock, so neither
a poller nor the seed is in it (still wall time: load-sensitive). Builds take turns start by
start; a seed of the first build runs throughout. Medians over RUNS starts of each build.

  tools/startup-timing/route_connect_sent.py --runs 15 before=/tmp/a/nats-server after=/tmp/b/nats-server
"""
import argparse, os, re, signal, socket, statistics, subprocess, tempfile, time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clock(line):
    h, m, s = re.search(r"(\d\d):(\d\d):(\d\d\.\d+)", line).groups()
    return int(h) * 3600 + int(m) * 60 + float(s)


def member_once(binary, conf):
    """Starts a member, returns ms from its client port listening to its route CONNECT leaving."""
    p = subprocess.Popen([binary, "-c", conf, "-D"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    listening = sent = None
    try:
        for line in p.stdout:
            if "Listening for client connections" in line:
                listening = clock(line)
            elif "Route connect msg sent" in line:
                sent = clock(line)
                break
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait()
    return None if listening is None or sent is None else (sent - listening) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("builds", nargs="+", metavar="NAME=BINARY")
    a = ap.parse_args()
    builds = [tuple(b.split("=", 1)) for b in a.builds]
    with tempfile.TemporaryDirectory() as work:
        seed_route = free_port()
        seed_conf, member_conf = os.path.join(work, "seed.conf"), os.path.join(work, "member.conf")
        with open(seed_conf, "w") as f:
            f.write(f"listen: 127.0.0.1:{free_port()}\ncluster {{ name: join, listen: 127.0.0.1:{seed_route} }}\n")
        with open(member_conf, "w") as f:
            f.write(f"listen: 127.0.0.1:{free_port()}\ncluster {{ name: join, listen: 127.0.0.1:{free_port()}, "
                    f"routes: [nats-route://127.0.0.1:{seed_route}] }}\n")
        seed = subprocess.Popen([builds[0][1], "-c", seed_conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(3)
        results = {name: [] for name, _ in builds}
        try:
            for i in range(a.runs):
                for name, binary in (builds if i % 2 == 0 else builds[::-1]):
                    took = member_once(binary, member_conf)
                    if took is not None:
                        results[name].append(took)
                    time.sleep(0.3)
        finally:
            seed.kill()
            seed.wait()
        for name, times in results.items():
            print(f"{name:12} listening -> route CONNECT sent: median {statistics.median(times):7.1f} ms   "
                  f"min {min(times):7.1f}   max {max(times):7.1f}   (n={len(times)})")


if __name__ == "__main__":
    main()
