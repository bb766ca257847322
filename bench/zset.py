"""Sorted sets at scale: redlet vs redis-server side by side (not a test).

Builds a sorted set of ``--members`` members (default 1,000,000) in each
server with pipelined ZADD batches, then times, on the big set:

* ZRANGEBYSCORE over small score windows (about 10 members each),
* ZRANK of random members,
* ZADD of new members (one member per command),

each as ``--ops`` commands pipelined ``--pipeline`` at a time over one
connection, and prints per-operation rates and the redis/redlet ratio.

    python bench/zset.py [--members N] [--ops N] [--pipeline N]
"""
import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _conn import Conn
from _servers import available, cpus, running


def build(conn, members, batch=1000):
    """ZADD big <score> m<i>: scores i/10, so 10 members per unit of score."""
    t = time.perf_counter()
    cmds = []
    for start in range(0, members, batch):
        args = ["ZADD", "big"]
        for i in range(start, min(members, start + batch)):
            args += [b"%.1f" % (i / 10), b"m%d" % i]
        cmds.append(args)
        if len(cmds) == 20:
            conn.pipeline(cmds)
            cmds = []
    if cmds:
        conn.pipeline(cmds)
    return time.perf_counter() - t


def timed(conn, commands, pipeline):
    t = time.perf_counter()
    for i in range(0, len(commands), pipeline):
        conn.pipeline(commands[i:i + pipeline])
    return len(commands) / (time.perf_counter() - t)


def workloads(members, ops, seed=1):
    rng = random.Random(seed)
    top = members / 10
    windows = []
    for _ in range(ops):
        lo = rng.uniform(0, top - 1)
        windows.append(["ZRANGEBYSCORE", "big", b"%.3f" % lo, b"(%.3f" % (lo + 1)])
    ranks = [["ZRANK", "big", b"m%d" % rng.randrange(members)] for _ in range(ops)]
    adds = [["ZADD", "big", b"%.4f" % rng.uniform(0, top), b"new%d" % i] for i in range(ops)]
    return [("ZRANGEBYSCORE (10-member windows)", windows), ("ZRANK", ranks),
            ("ZADD (new member)", adds)]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--members", type=int, default=1_000_000)
    p.add_argument("--ops", type=int, default=50_000)
    p.add_argument("--pipeline", type=int, default=50)
    args = p.parse_args(argv)
    kinds = [k for k in ("redis", "redlet") if available(k)]
    server_cpu, _ = cpus()
    results = {}
    for kind in kinds:
        with running(kind, cpu=server_cpu) as srv:
            conn = Conn(srv.port)
            build_s = build(conn, args.members)
            rates = {"build (members/s)": args.members / build_s}
            for name, cmds in workloads(args.members, args.ops):
                rates[name] = timed(conn, cmds, args.pipeline)
            conn.pipeline([["ZCARD", "big"]])
            rates["RSS MB"] = srv.rss() / 1e6
            conn.close()
            results[kind] = rates
            print(f"{kind}: built {args.members} members in {build_s:.1f}s", flush=True)
    names = list(next(iter(results.values())))
    print(f"\n{'operation':36} " + " ".join(f"{k:>14}" for k in kinds) + "   redis/redlet")
    for name in names:
        row = [results[k][name] for k in kinds]
        ratio = (results["redis"][name] / results["redlet"][name]
                 if "redis" in results and "redlet" in results else float("nan"))
        print(f"{name:36} " + " ".join(f"{v:14,.0f}" for v in row) + f"   {ratio:10.2f}x")


if __name__ == "__main__":
    main()
