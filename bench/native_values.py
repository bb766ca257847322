"""Round trips of a nested native value through ``redlet.Client`` (issue 3).

One client, one redlet server (its own process, pinned like the other
benchmarks): SET then GET of a nested dict (lists, ints, floats, None, bool,
str and bytes inside), first one command at a time, then pipelined in batches.
Each round trip is checked to give back an equal value of the same types.
Prints one JSON line: sets+gets per second for each mode.

    python bench/native_values.py [--seconds 3] [--batch 100]
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "src"))

from _servers import cpus, running  # noqa: E402

import redlet  # noqa: E402

VALUE = {
    "user": {"id": 1234, "name": "Ada Lovelace", "langs": ["en", "fr"], "admin": False},
    "scores": [1.5, 2.25, -0.125, 1e300],
    "tags": {"a", "b"},
    "blob": b"\x00\x01binary\xff",
    "missing": None,
    "nested": {"x": [1, [2, [3, {"deep": True}]]]},
}


def _same(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def unpipelined(client, seconds):
    n = 0
    deadline = time.perf_counter() + seconds
    start = time.perf_counter()
    while time.perf_counter() < deadline:
        for i in range(100):
            client.set("nv:%d" % i, VALUE)
            if not _same(client.get("nv:%d" % i), VALUE):
                raise AssertionError("value changed in a round trip")
        n += 100
    return 2 * n / (time.perf_counter() - start)


def pipelined(client, seconds, batch):
    n = 0
    deadline = time.perf_counter() + seconds
    start = time.perf_counter()
    while time.perf_counter() < deadline:
        p = client.pipeline()
        for i in range(batch):
            p.set("nv:%d" % i, VALUE)
            p.get("nv:%d" % i)
        replies = p.execute()
        if not all(_same(v, VALUE) for v in replies[1::2]):
            raise AssertionError("value changed in a round trip")
        n += batch
    return 2 * n / (time.perf_counter() - start)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--batch", type=int, default=100)
    args = ap.parse_args(argv)
    server_cpu, client_cpu = cpus()
    if client_cpu is not None:
        os.sched_setaffinity(0, {client_cpu})
    with running("redlet", {}, cpu=server_cpu) as server:
        client = redlet.Client(port=server.port)
        unpipelined(client, 0.3)                  # warm up (connection, caches)
        result = {
            "unpipelined_ops_per_s": round(unpipelined(client, args.seconds)),
            "pipelined_ops_per_s": round(pipelined(client, args.seconds, args.batch)),
            "batch": args.batch,
        }
        client.close()
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
