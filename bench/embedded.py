"""Embedded redlet figures (issue "Embedded redlet").

1. Time to start and stop an embedded server: median (and p90) of 100
   cycles of ``redlet.serve()`` / ``stop()``, in a thread and on the gevent
   hub (in a monkey-patched subprocess).
2. Requests per second of examples/gevent_tasks/app.py, pinned to one CPU,
   for ``/`` (no task) and ``/enqueue`` (each request enqueues a background
   task that runs in the same process), driven by keep-alive HTTP/1.1
   connections from a load generator on the other CPU.

    python bench/embedded.py [--seconds 5] [--connections 8]

Prints a table and writes bench/out/embedded.json.
"""
import argparse
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _servers import ROOT, cpus, free_port, pinned  # noqa: E402

CYCLES = r'''
import json, sys, time
mode = sys.argv[1]
if mode == "gevent":
    from gevent import monkey; monkey.patch_all()
import redlet
redlet.serve(mode=mode).stop()            # imports and first start out of the figure
starts, stops = [], []
for _ in range(100):
    t0 = time.perf_counter()
    s = redlet.serve(mode=mode)
    t1 = time.perf_counter()
    s.stop()
    t2 = time.perf_counter()
    starts.append((t1 - t0) * 1000)
    stops.append((t2 - t1) * 1000)
print(json.dumps({"start_ms": starts, "stop_ms": stops}))
'''


def cycles(mode):
    out = subprocess.run([sys.executable, "-c", CYCLES, mode], capture_output=True,
                         text=True, check=True, cwd=ROOT).stdout
    data = json.loads(out.strip().splitlines()[-1])
    result = {}
    for name, values in data.items():
        values.sort()
        result[name] = {"median": statistics.median(values),
                        "p90": values[int(len(values) * 0.9)]}
    return result


def _load(port, path, seconds, queue):
    """One keep-alive connection sending GETs for ``seconds``."""
    request = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path).encode()
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    done, buf = 0, b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        s.sendall(request)
        while True:
            head_end = buf.find(b"\r\n\r\n")
            if head_end >= 0:
                head = buf[:head_end].lower()
                i = head.index(b"content-length:") + 15
                j = head.find(b"\r\n", i)
                length = int(head[i:j if j >= 0 else len(head)])
                if len(buf) >= head_end + 4 + length:
                    if not head.startswith(b"http/1.1 200"):
                        raise RuntimeError(head)
                    buf = buf[head_end + 4 + length:]
                    break
            chunk = s.recv(65536)
            if not chunk:
                raise RuntimeError("connection closed")
            buf += chunk
        done += 1
    s.close()
    queue.put(done)


def rps(port, path, seconds, connections, client_cpu):
    queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_load, args=(port, path, seconds, queue))
             for _ in range(connections)]
    for p in procs:
        p.start()
        if client_cpu is not None:
            os.sched_setaffinity(p.pid, {client_cpu})
    total = sum(queue.get(timeout=seconds + 30) for _ in procs)
    for p in procs:
        p.join()
    return total / seconds


def app_figures(seconds, connections):
    server_cpu, client_cpu = cpus()
    port = free_port()
    data = tempfile.mkdtemp(prefix="redlet-bench-app-")
    proc = subprocess.Popen(pinned([sys.executable, os.path.join(ROOT, "examples", "gevent_tasks",
                                                                  "app.py"),
                                    "--port", str(port), "--data", data], server_cpu),
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert "serving on" in proc.stdout.readline()
        rps(port, "/", 1, 2, client_cpu)                    # warm up
        plain = rps(port, "/", seconds, connections, client_cpu)
        tasks = rps(port, "/enqueue?n=3", seconds, connections, client_cpu)
    finally:
        proc.terminate()
        proc.wait(30)
    return {"rps_no_task": plain, "rps_enqueue_task": tasks}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--connections", type=int, default=8)
    args = ap.parse_args()
    results = {"thread": cycles("thread"), "gevent": cycles("gevent")}
    results["gevent_app"] = app_figures(args.seconds, args.connections)
    print("embedded server, 100 cycles     start median / p90     stop median / p90")
    for mode in ("thread", "gevent"):
        r = results[mode]
        print("  %-8s %20.2f / %5.2f ms %12.2f / %5.2f ms" % (
            mode, r["start_ms"]["median"], r["start_ms"]["p90"], r["stop_ms"]["median"],
            r["stop_ms"]["p90"]))
    app = results["gevent_app"]
    print("gevent example app (%d keep-alive connections, %.0f s each)" % (
        args.connections, args.seconds))
    print("  GET /                  %8.0f requests/s" % app["rps_no_task"])
    print("  GET /enqueue (a task)  %8.0f requests/s (each runs its task in-process)"
          % app["rps_enqueue_task"])
    os.makedirs(os.path.join(ROOT, "bench", "out"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "out", "embedded.json"), "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
