"""AOF rewrite under load: redlet vs redis-server side by side (not a test).

Each server runs with ``appendonly yes`` / ``appendfsync everysec``, gets
``--keys`` keys (default 1,000,000, 16-byte values), then a prober
connection sends one SET at a time and records every round trip while
BGREWRITEAOF runs.  Printed per server: how long the rewrite took, the
longest round trip during it (the stall a client sees), the 99th
percentile, and the longest round trip in an equally long quiet window
before it.

    python bench/aof_rewrite.py [--keys N]
"""
import argparse
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _conn import Conn
from _servers import available, cpus, running


def load(conn, keys, batch=1000):
    value = b"v" * 16
    for start in range(0, keys, batch * 10):
        cmds = []
        for b in range(start, min(keys, start + batch * 10), batch):
            args = ["MSET"]
            for i in range(b, min(keys, b + batch)):
                args += [b"key:%010d" % i, value]
            cmds.append(args)
        conn.pipeline(cmds)


class Prober(threading.Thread):
    """One SET at a time on its own connection; (start, round trip) per call."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.samples = []
        self.stop = threading.Event()

    def run(self):
        sock, samples, n = self.sock, self.samples, 0
        while not self.stop.is_set():
            key = b"probe:%d" % (n % 1000)
            n += 1
            cmd = b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$1\r\nx\r\n" % (len(key), key)
            t = time.perf_counter()
            sock.sendall(cmd)
            buf = b""
            while not buf.endswith(b"\r\n"):
                buf += sock.recv(64)
            samples.append((t, time.perf_counter() - t))
        sock.close()


def info_field(conn_sock, name):
    conn_sock.sendall(b"*2\r\n$4\r\nINFO\r\n$11\r\npersistence\r\n")
    data = b""
    while True:
        data += conn_sock.recv(65536)
        head, _, rest = data.partition(b"\r\n")
        if head and len(rest) >= int(head[1:]):
            break
    for line in data.split(b"\r\n"):
        if line.startswith(name.encode() + b":"):
            return int(line.split(b":")[1])
    raise KeyError(name)


def window(samples, lo, hi):
    rtts = sorted(r for t, r in samples if lo <= t <= hi)
    if not rtts:
        return 0.0, 0.0, 0
    return rtts[-1], rtts[int(len(rtts) * 0.99) - 1 if len(rtts) > 1 else 0], len(rtts)


def measure(kind, keys, cpu):
    settings = {"appendonly": "yes", "appendfsync": "everysec",
                "auto-aof-rewrite-percentage": "0"}
    with running(kind, settings=settings, cpu=cpu) as srv:
        conn = Conn(srv.port)
        t = time.perf_counter()
        load(conn, keys)
        load_s = time.perf_counter() - t
        ctl = socket.create_connection(("127.0.0.1", srv.port))
        while info_field(ctl, "aof_rewrite_in_progress"):      # redis' first base file
            time.sleep(0.05)
        done_before = info_field(ctl, "aof_rewrites")
        prober = Prober(srv.port)
        prober.start()
        time.sleep(3.0)
        start = time.perf_counter()
        conn.pipeline([["BGREWRITEAOF"]])
        while (info_field(ctl, "aof_rewrite_in_progress")
               or info_field(ctl, "aof_rewrites") <= done_before):
            time.sleep(0.02)
        end = time.perf_counter()
        time.sleep(0.3)
        prober.stop.set()
        prober.join()
        size = info_field(ctl, "aof_base_size") if kind == "redlet" else 0
        ctl.close()
        conn.close()
    quiet = window(prober.samples, start - min(3.0, end - start), start)
    during = window(prober.samples, start, end + 0.3)
    return {"load s": load_s, "rewrite s": end - start, "max ms": during[0] * 1e3,
            "p99 ms": during[1] * 1e3, "probes": during[2], "quiet max ms": quiet[0] * 1e3,
            "base MB": size / 1e6}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--keys", type=int, default=1_000_000)
    args = p.parse_args(argv)
    server_cpu, _ = cpus()
    results = {}
    for kind in [k for k in ("redis", "redlet") if available(k)]:
        results[kind] = measure(kind, args.keys, server_cpu)
        print(kind, {k: round(v, 2) for k, v in results[kind].items()}, flush=True)
    names = ["rewrite s", "max ms", "p99 ms", "quiet max ms", "probes"]
    print(f"\nBGREWRITEAOF of {args.keys:,} keys under a one-at-a-time SET prober")
    print(f"{'':14}" + "".join(f"{n:>14}" for n in names))
    for kind, r in results.items():
        print(f"{kind:14}" + "".join(f"{r[n]:14.1f}" for n in names))


if __name__ == "__main__":
    main()
