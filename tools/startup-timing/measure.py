#!/usr/bin/env python3
"""Start-up and cluster-join times, for nats-server and this server side by side (issue 18).

  tools/startup-timing/measure.py [--runs 20] [--ours 'CMD'] [--reference 'CMD'] [--only ours|reference]
  tools/startup-timing/measure.py [--runs 20] --server NAME='CMD' --server NAME='CMD' ...

Commands are templates run with bash -c "exec CMD" (so the pid is the server's); {conf} is the
generated config file. --server (repeatable) measures any number of builds instead of the two
defaults. The servers take turns start by start (A B C A B C ...), so a burst of load on the
machine falls on all of them alike. Two numbers per server, medians over --runs starts:
  start-up: process started -> the client port answers with INFO (and the CPU time the
            process used until then, which other load on the machine hardly changes);
  join:     a new member's client port greets with INFO -> a client of an existing member reads
            the async INFO whose connect_urls lists the new member (routes up, URLs gossiped);
            with it the member's CPU when its port greeted (mbr-cpu) and when it was seen (mbr-cpu-j).
"""
import argparse, os, socket, statistics, subprocess, sys, tempfile, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OURS = ROOT + "/host/bin/Release/net10.0/nats-server -c {conf}"
REFERENCE = "nats-server -c {conf}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(template, conf_text, work):
    conf = tempfile.NamedTemporaryFile("w", suffix=".conf", dir=work, delete=False)
    conf.write(conf_text)
    conf.close()
    t0 = time.perf_counter()
    p = subprocess.Popen(["bash", "-c", "exec " + template.replace("{conf}", conf.name)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work)
    return p, t0


def wait_info(port, deadline):
    """Connects (retrying) until the server greets with INFO; returns the time the INFO arrived.
    That, not the TCP connect, is when the client port is open: a listening socket completes
    handshakes from its backlog before the server accepts them, so a connect can succeed before
    the server serves anything."""
    while True:
        s = socket.socket()
        try:
            s.connect(("127.0.0.1", port))
            s.settimeout(10)
            if s.recv(4096).startswith(b"INFO"):
                return time.perf_counter()
        except OSError:
            pass
        finally:
            s.close()
        if time.perf_counter() > deadline:
            raise TimeoutError(f"port {port} never answered")
        time.sleep(0.0005)


def stop(p):
    p.terminate()
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def cpu_seconds(pid):
    """CPU the process has used so far, user + system, over all its threads: unlike wall time,
    barely moved by other load on the machine. From each thread's /proc/<pid>/task/<tid>/schedstat
    (nanoseconds; /proc/<pid>/stat counts in 10 ms ticks, too coarse for nats-server's few ms),
    plus the ticks of threads that already exited, which only /proc/<pid>/stat still counts."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except (FileNotFoundError, ProcessLookupError):
            pass
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    # Exited threads are in the ticks but not in the per-thread sum; never report less than the ticks say.
    return max(total / 1e9, ticks)


def startup_once(template, work):
    """One start: (seconds to the INFO greeting, CPU seconds the process used until then)."""
    port = free_port()
    p, t0 = start(template, f"listen: 127.0.0.1:{port}\n", work)
    try:
        wait_info(port, time.perf_counter() + 30)
        return time.perf_counter() - t0, cpu_seconds(p.pid)
    finally:
        stop(p)


def read_line(sock, buf):
    while b"\r\n" not in buf[0]:
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError
        buf[0] += chunk
    line, buf[0] = buf[0].split(b"\r\n", 1)
    return line


class JoinSeed:
    """A running seed server of one build, and a client of it that reads the async INFOs."""

    def __init__(self, template, work):
        self.template, self.work = template, work
        seed_client, self.seed_route = free_port(), free_port()
        self.seed, _ = start(template, f"listen: 127.0.0.1:{seed_client}\ncluster {{ name: join, listen: 127.0.0.1:{self.seed_route} }}\n", work)
        wait_info(seed_client, time.perf_counter() + 30)
        self.client = socket.create_connection(("127.0.0.1", seed_client))
        self.client.settimeout(30)
        self.buf = [b""]
        read_line(self.client, self.buf)
        self.client.sendall(b'CONNECT {"verbose":false,"protocol":1}\r\nPING\r\n')
        while read_line(self.client, self.buf) != b"PONG":
            pass

    def _info(self, matches):
        while True:
            line = read_line(self.client, self.buf)
            if line.startswith(b"PING"):
                self.client.sendall(b"PONG\r\n")
            elif line.startswith(b"INFO") and matches(line):
                return

    def join_once(self):
        """Starts a member that routes to the seed: seconds from its INFO greeting to the seed's
        client reading connect_urls with it, and the CPU the member had used when its client port
        greeted and when the seed's client saw it (a member does more at start-up than a lone
        server: routes to dial, and anything it prepares for them)."""
        port, route = free_port(), free_port()
        member, _ = start(self.template, f"listen: 127.0.0.1:{port}\ncluster {{ name: join, listen: 127.0.0.1:{route}, "
                                         f"routes: [nats-route://127.0.0.1:{self.seed_route}] }}\n", self.work)
        needle = f"127.0.0.1:{port}".encode()
        try:
            opened = wait_info(port, time.perf_counter() + 30)
            cpu_open = cpu_seconds(member.pid)
            self._info(lambda line: needle in line)
            took = time.perf_counter() - opened
            cpu_joined = cpu_seconds(member.pid)
        finally:
            stop(member)
        # The member left: wait for the INFO without it, so the next run starts clean.
        self._info(lambda line: needle not in line)
        return took, cpu_open, cpu_joined

    def close(self):
        self.client.close()
        stop(self.seed)


def report(name, label, times):
    ms = sorted(t * 1000 for t in times)
    print(f"{name:12} {label:9} median {statistics.median(ms):7.1f} ms   min {ms[0]:7.1f}   max {ms[-1]:7.1f}   (n={len(ms)})", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--ours", default=OURS)
    ap.add_argument("--reference", default=REFERENCE)
    ap.add_argument("--only", choices=["ours", "reference"])
    ap.add_argument("--server", action="append", metavar="NAME=CMD", help="a build to measure (repeatable); replaces --ours/--reference")
    ap.add_argument("--what", choices=["startup", "join", "both"], default="both")
    a = ap.parse_args()
    if a.server:
        servers = [tuple(spec.split("=", 1)) for spec in a.server]
    else:
        servers = [(name, cmd) for name, cmd in [("reference", a.reference), ("ours", a.ours)] if not a.only or a.only == name]
    with tempfile.TemporaryDirectory() as work:
        if a.what in ("startup", "both"):
            wall = {name: [] for name, _ in servers}
            cpu = {name: [] for name, _ in servers}
            for _ in range(a.runs):
                for name, template in servers:
                    w, c = startup_once(template, work)
                    wall[name].append(w)
                    cpu[name].append(c)
            for name, _ in servers:
                report(name, "start-up", wall[name])
                report(name, "start-cpu", cpu[name])
        if a.what in ("join", "both"):
            seeds = {}
            try:
                for name, template in servers:
                    seeds[name] = JoinSeed(template, work)
                joins = {name: [] for name, _ in servers}
                for _ in range(a.runs):
                    for name, _ in servers:
                        joins[name].append(seeds[name].join_once())
                for name, _ in servers:
                    report(name, "join", [j[0] for j in joins[name]])
                    report(name, "mbr-cpu", [j[1] for j in joins[name]])
                    report(name, "mbr-cpu-j", [j[2] for j in joins[name]])
            finally:
                for seed in seeds.values():
                    seed.close()


if __name__ == "__main__":
    sys.exit(main())
