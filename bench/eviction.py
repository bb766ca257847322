"""How closely used memory tracks ``maxmemory`` under a write flood.

For each policy, a redlet server (its own process) with ``maxmemory``
(default 64 MB) takes a flood of pipelined SETs (16-byte keys, 100-byte
values) worth 4x the limit; INFO memory is polled during the flood.  The same
flood goes to redis-server with the same settings.  Prints, per server and
policy: the highest used_memory seen / maxmemory, the final one, keys kept,
evicted_keys, and the RSS growth of the process.

    python bench/eviction.py [--maxmemory-mb 64]
"""
import argparse
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import redis  # noqa: E402
from _conn import Conn  # noqa: E402
from _servers import ROOT, running  # noqa: E402

POLICIES = ("allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-ttl")


def _rss(pid):
    with open("/proc/%d/statm" % pid) as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def flood(port, pid, limit, policy):
    r = redis.Redis(port=port)
    c = Conn(port)
    r.flushall()
    r.config_set("maxmemory-policy", policy)
    r.config_set("maxmemory", limit)
    rss0 = _rss(pid)
    n = limit * 4 // 150
    peak = [0]
    stop = threading.Event()

    def poll():
        p = redis.Redis(port=port)
        while not stop.is_set():
            peak[0] = max(peak[0], p.info("memory")["used_memory"])
            time.sleep(0.05)
    t = threading.Thread(target=poll)
    t.start()
    value = b"v" * 100
    ex = policy.startswith("volatile")
    for start in range(0, n, 1000):
        cmds = []
        for i in range(start, min(n, start + 1000)):
            key = b"key:%011d" % i
            cmds.append((b"SET", key, value, b"EX", b"3600") if ex else (b"SET", key, value))
        c.pipeline(cmds)
    stop.set()
    t.join()
    result = {"peak_ratio": peak[0] / limit,
              "final_ratio": r.info("memory")["used_memory"] / limit,
              "keys": r.dbsize(), "evicted": r.info("stats")["evicted_keys"],
              "rss_growth_mb": (_rss(pid) - rss0) / 2 ** 20, "writes": n}
    r.config_set("maxmemory", 0)
    r.config_set("maxmemory-policy", "noeviction")
    r.flushall()
    r.config_resetstat()
    c.close()
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--maxmemory-mb", type=int, default=64)
    args = ap.parse_args()
    limit = args.maxmemory_mb * 2 ** 20
    results = {}
    for name in ("redis", "redlet"):
        with running(name) as server:
            results[name] = {p: flood(server.port, server.pid, limit, p) for p in POLICIES}
    print("write flood of 4x maxmemory (%d MB), 100-byte values" % args.maxmemory_mb)
    print("%-7s %-15s %10s %10s %9s %9s %12s" % ("server", "policy", "peak/max", "final/max",
                                               "keys", "evicted", "RSS growth"))
    for name, per in results.items():
        for policy, r in per.items():
            print("%-7s %-15s %10.3f %10.3f %9d %9d %9.0f MB" % (
                name, policy, r["peak_ratio"], r["final_ratio"], r["keys"], r["evicted"],
                r["rss_growth_mb"]))
    os.makedirs(os.path.join(ROOT, "bench", "out"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "out", "eviction.json"), "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
