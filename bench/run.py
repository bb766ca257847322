"""redlet against redis-server, side by side in one run (``make bench``).

Sections (all by default, or pick with ``--only``):

- ``throughput``: rounds of ``redis-benchmark -q`` alternating the two
  servers, for each mode (``-c 50 -P 1``, ``-c 50 -P 16``, ``-c 1 -P 1``) and
  command; the median requests/s of each and the ratio redlet/redis.
- ``memory``: RSS and INFO ``used_memory`` after loading 1,000,000 keys with
  16-byte values into a fresh server.
- ``aof``: SET throughput with the AOF off, ``appendfsync everysec`` and ``always``
  against the same server without the log, for each server.
- ``huey``: huey tasks per second end to end (enqueue, dequeue, execute,
  store and read the result) through each server.
- ``peers``: the Python peers where they install (simpledb, the miniature
  server's successor, through its own client; fakeredis' TCP server) against
  redlet on the cases they share.

Servers run on loopback with persistence off (unless the case is about it),
pinned to one CPU and redis-benchmark to another when ``taskset`` and two
CPUs exist.  The raw numbers go to a JSON file (``--json``).  Nothing here is
a test: a number is printed, never asserted.
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _servers import ROOT, available, cpus, pinned, running

TESTS = "ping_mbulk,set,get,incr,lpush,rpop,sadd,hset,zadd,lrange_100,mset"
MODES = [("c50_P1", 50, 1, 100_000), ("c50_P16", 50, 16, 500_000), ("c1_P1", 1, 1, 20_000)]
TARGETS = {"c50_P1": 0.9, "c50_P16": 0.5, "c1_P1": 0.9}
SERVER_CPU, CLIENT_CPU = cpus()


# -- redis-benchmark ---------------------------------------------------------------
def _test_name(label):
    """CSV label -> test name: 'MSET (10 keys)' -> 'mset'; None for set-up rows."""
    if "(needed" in label:
        return None
    return label.split(" ")[0].lower()


def redis_benchmark(port, tests, clients, pipeline, requests, keyspace=100_000):
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-q", "--csv",
            "-t", tests, "-c", str(clients), "-P", str(pipeline), "-n", str(requests),
            "-r", str(keyspace)]
    out = subprocess.run(pinned(argv, CLIENT_CPU), capture_output=True, text=True,
                         timeout=1800)
    rates = {}
    for line in out.stdout.splitlines()[1:]:
        cells = [c.strip('"') for c in line.split('","')]
        if len(cells) < 2:
            continue
        name = _test_name(cells[0])
        if name is not None:
            try:
                rates[name] = float(cells[1])
            except ValueError:
                pass
    if out.returncode != 0 or not rates:
        raise RuntimeError(f"redis-benchmark failed ({out.returncode}): {out.stderr.strip()[:300]}")
    return rates


def command(port, *args):
    """One command over a raw socket; returns the raw reply bytes (first read)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(_resp(args))
        return s.recv(1 << 20)


def _resp(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def info(port, section):
    raw = command(port, "INFO", section).decode(errors="replace")
    fields = {}
    for line in raw.splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            fields[k] = v.strip()
    return fields


# -- sections ------------------------------------------------------------------------
def bench_throughput(args, results):
    tests = args.tests
    raw = {mode: {"redis": {}, "redlet": {}} for mode, *_ in MODES}
    with running("redis", cpu=SERVER_CPU) as rs, running("redlet", cpu=SERVER_CPU) as rl:
        servers = {"redis": rs, "redlet": rl}
        for mode, clients, pipeline, requests in MODES:
            n = max(1000, int(requests * args.scale))
            for r in range(args.rounds):
                order = ["redis", "redlet"] if r % 2 == 0 else ["redlet", "redis"]
                for name in order:
                    rates = redis_benchmark(servers[name].port, tests, clients, pipeline, n)
                    for test, rps in rates.items():
                        raw[mode][name].setdefault(test, []).append(rps)
                    print(f"  {mode} round {r + 1} {name}: "
                          + " ".join(f"{t}={v:.0f}" for t, v in rates.items()), flush=True)
    table = {}
    for mode, *_ in MODES:
        table[mode] = {}
        for test in raw[mode]["redis"]:
            a = statistics.median(raw[mode]["redis"][test])
            b = statistics.median(raw[mode]["redlet"].get(test, [0.0]))
            table[mode][test] = {"redis": a, "redlet": b, "ratio": b / a if a else 0.0}
    results["throughput"] = {"raw": raw, "medians": table}
    print()
    print(f"{'mode':8} {'test':11} {'redis rps':>11} {'redlet rps':>11} {'ratio':>6}  target")
    for mode, rows in table.items():
        for test, row in rows.items():
            target = TARGETS[mode]
            mark = "ok" if row["ratio"] >= target else "BELOW"
            print(f"{mode:8} {test:11} {row['redis']:11.0f} {row['redlet']:11.0f} "
                  f"{row['ratio']:6.2f}  >={target} {mark}")


def _load_keys(port, count, value_size=16, batch=10_000):
    """SET key:<n> <value> for n < count, pipelined over one connection."""
    value = b"v" * value_size
    with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
        for start in range(0, count, batch):
            stop = min(count, start + batch)
            s.sendall(b"".join(
                b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
                % (len(k), k, value_size, value)
                for k in (b"key:%08d" % i for i in range(start, stop))))
            expect = (stop - start) * 5        # b"+OK\r\n" each
            got = 0
            while got < expect:
                chunk = s.recv(1 << 20)
                if not chunk:
                    raise RuntimeError("server closed the connection while loading")
                got += len(chunk)


def bench_memory(args, results):
    count = max(1000, int(1_000_000 * args.scale))
    out = {}
    for name in ("redis", "redlet"):
        with running(name, cpu=SERVER_CPU) as srv:
            time.sleep(0.3)
            before = srv.rss()
            t0 = time.perf_counter()
            _load_keys(srv.port, count)
            load_s = time.perf_counter() - t0
            time.sleep(1.0)
            after = srv.rss()
            mem = info(srv.port, "memory")
            dbsize = int(command(srv.port, "DBSIZE")[1:-2])
            out[name] = {"keys": count, "dbsize": dbsize, "rss_before": before,
                         "rss_after": after, "rss_growth": after - before,
                         "used_memory": int(mem.get("used_memory", 0)),
                         "load_seconds": load_s}
            print(f"  {name}: {dbsize} keys, RSS {before / 2**20:.1f} -> {after / 2**20:.1f} MiB,"
                  f" used_memory {out[name]['used_memory'] / 2**20:.1f} MiB,"
                  f" loaded in {load_s:.2f} s", flush=True)
    r, l = out["redis"], out["redlet"]
    out["rss_ratio"] = l["rss_after"] / r["rss_after"]
    out["growth_ratio"] = l["rss_growth"] / r["rss_growth"] if r["rss_growth"] else 0.0
    results["memory"] = out
    print(f"  RSS ratio redlet/redis: {out['rss_ratio']:.2f} (target <= 1.5); "
          f"growth ratio {out['growth_ratio']:.2f}; "
          f"bytes/key redis {r['rss_growth'] / count:.0f}, redlet {l['rss_growth'] / count:.0f}")


def bench_aof(args, results):
    n = max(1000, int(500_000 * args.scale))
    out = {}
    for name in ("redis", "redlet"):
        out[name] = {}
        for label, settings in (("off", {}),
                                ("everysec", {"appendonly": "yes", "appendfsync": "everysec"}),
                                ("always", {"appendonly": "yes", "appendfsync": "always"})):
            rates = {}
            for mode, clients, pipeline in (("c50_P1", 50, 1), ("c50_P16", 50, 16)):
                runs = []
                with running(name, settings, cpu=SERVER_CPU) as srv:
                    for _ in range(args.rounds):
                        runs.append(redis_benchmark(srv.port, "set", clients, pipeline,
                                                    n if pipeline > 1 else n // 5)["set"])
                rates[mode] = statistics.median(runs)
            out[name][label] = rates
            print(f"  {name} appendonly {label}: "
                  + " ".join(f"{m}={v:.0f}" for m, v in rates.items()), flush=True)
    for name in ("redis", "redlet"):
        out[name]["cost"] = {m: 1 - out[name]["everysec"][m] / out[name]["off"][m]
                             for m in out[name]["off"]}
        print(f"  {name}: everysec costs "
              + ", ".join(f"{m} {c * 100:.1f}%" for m, c in out[name]["cost"].items())
              + ("  (target <= 15%)" if name == "redlet" else ""))
    for label in ("off", "everysec", "always"):
        print(f"  SET redlet/redis, appendonly {label}: "
              + ", ".join(f"{m} {out['redlet'][label][m] / out['redis'][label][m]:.2f}"
                          for m in out["redis"][label]))
    results["aof"] = out


def _huey_run(port, tasks):
    from huey import RedisHuey
    huey = RedisHuey("bench", host="127.0.0.1", port=port, blocking=False)

    @huey.task()
    def add(a, b):
        return a + b

    huey.flush()
    t0 = time.perf_counter()
    handles = [add(i, i) for i in range(tasks)]
    while True:
        task = huey.dequeue()
        if task is None:
            break
        huey.execute(task)
    total = sum(h.get() for h in handles)
    elapsed = time.perf_counter() - t0
    if total != sum(2 * i for i in range(tasks)):
        raise RuntimeError("huey results do not add up")
    return tasks / elapsed


def bench_huey(args, results):
    try:
        import huey  # noqa: F401
    except ImportError:
        print("  huey is not installed (pip install huey): skipped")
        results["huey"] = {"error": "huey not installed"}
        return
    tasks = max(200, int(5000 * args.scale))
    out = {}
    for name in ("redis", "redlet"):
        with running(name, cpu=SERVER_CPU) as srv:
            try:
                out[name] = statistics.median(_huey_run(srv.port, tasks)
                                              for _ in range(args.rounds))
                print(f"  {name}: {out[name]:.0f} tasks/s", flush=True)
            except Exception as e:          # report what broke, go on with the rest
                out[name] = 0.0
                out[name + "_error"] = repr(e)
                print(f"  {name}: FAILED {e!r}", flush=True)
    if out.get("redis"):
        out["ratio"] = out["redlet"] / out["redis"]
        print(f"  huey tasks/s ratio redlet/redis: {out['ratio']:.2f}")
    results["huey"] = out


def _simpledb_client_rate(port, ops):
    import simpledb
    client = simpledb.Client("127.0.0.1", port)
    t0 = time.perf_counter()
    for i in range(ops):
        client.execute(b"SET", b"k%d" % (i % 1000), b"v" * 16)
    for i in range(ops):
        client.execute(b"GET", b"k%d" % (i % 1000))
    return 2 * ops / (time.perf_counter() - t0)


def bench_peers(args, results):
    n = max(1000, int(50_000 * args.scale))
    ops = max(500, int(10_000 * args.scale))
    out = {}
    for name in ("redis", "redlet", "simpledb", "fakeredis"):
        if not available(name):
            print(f"  {name}: not installed, left out")
            continue
        out[name] = {}
        with running(name, cpu=SERVER_CPU) as srv:
            for mode, clients, pipeline in (("c50_P1", 50, 1), ("c50_P16", 50, 16)):
                try:
                    rates = redis_benchmark(srv.port, "set,get", clients, pipeline,
                                            n if name in ("redis", "redlet") else n // 10)
                    out[name][mode] = rates
                except Exception as e:
                    out[name][mode] = {"error": repr(e)}
            try:
                out[name]["simpledb_client"] = _simpledb_client_rate(srv.port, ops)
            except Exception as e:
                out[name]["simpledb_client"] = {"error": repr(e)}
        print(f"  {name}: {out[name]}", flush=True)
    ratios = {}
    for peer in ("simpledb", "fakeredis"):
        if peer not in out:
            continue
        for case in ("c50_P1", "c50_P16"):
            for test in ("set", "get"):
                mine = out["redlet"].get(case, {}).get(test)
                theirs = out[peer].get(case, {}).get(test) if isinstance(
                    out[peer].get(case), dict) else None
                if mine and theirs:
                    ratios[f"{peer} {case} {test}"] = mine / theirs
        mine, theirs = out["redlet"].get("simpledb_client"), out[peer].get("simpledb_client")
        if isinstance(mine, float) and isinstance(theirs, float):
            ratios[f"{peer} simpledb-client set+get"] = mine / theirs
    out["ratios"] = ratios
    for case, ratio in ratios.items():
        print(f"  redlet / {case}: {ratio:.1f}x (target >= 10x)")
    results["peers"] = out


SECTIONS = {"throughput": bench_throughput, "memory": bench_memory, "aof": bench_aof,
            "huey": bench_huey, "peers": bench_peers}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", default=",".join(SECTIONS),
                   help="comma-separated sections: " + ",".join(SECTIONS))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--scale", type=float, default=1.0,
                   help="multiply request and key counts (0.1 for a quick look)")
    p.add_argument("--tests", default=TESTS, help="redis-benchmark -t list")
    p.add_argument("--json", default=os.path.join(ROOT, "bench", "out", "results.json"))
    args = p.parse_args(argv)
    if shutil.which("redis-benchmark") is None or not available("redis"):
        sys.exit("bench needs redis-server and redis-benchmark (apt-get install redis-server)")
    results = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "cpus": {"server": SERVER_CPU, "client": CLIENT_CPU},
               "redis_version": subprocess.run(["redis-server", "--version"],
                                               capture_output=True, text=True).stdout.strip(),
               "args": vars(args)}
    began = time.monotonic()
    for name in args.only.split(","):
        print(f"== {name}", flush=True)
        t0 = time.monotonic()
        SECTIONS[name](args, results)
        results.setdefault("seconds", {})[name] = round(time.monotonic() - t0, 1)
        print(f"  ({name}: {time.monotonic() - t0:.0f} s)", flush=True)
    print(f"all sections: {time.monotonic() - began:.0f} s")
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(results, f, indent=1)
    print(f"raw numbers: {args.json}")


if __name__ == "__main__":
    main()
