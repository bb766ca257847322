"""Server CPU time per request: redis-server, the bare Python floor
(``_floor_server.py``: uvloop + hiredis + a dict) and redlet, under the same
``redis-benchmark`` load, one after the other.

CPU per request (user + system, from /proc/PID/stat) moves much less with
machine noise than requests per second, and shows how much of redlet's cost
is Python's floor and how much its own features:

    python bench/floor.py                     # set,get,ping_mbulk at -c 50 -P 1
    python bench/floor.py --pipeline 16 --requests 2000000
    python bench/floor.py --servers redis,redlet --tests zadd,lrange_100
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _servers import running  # noqa: E402
from run import SERVER_CPU, redis_benchmark  # noqa: E402


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tests", default="set,get,ping_mbulk")
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--pipeline", type=int, default=1)
    p.add_argument("--requests", type=int, default=300_000)
    p.add_argument("--servers", default="redis,floor,redlet",
                   help="which to run; the floor knows only SET, GET and PING")
    args = p.parse_args(argv)
    print("server CPU us/request (requests/s) at -c %d -P %d, %d requests"
          % (args.clients, args.pipeline, args.requests))
    for kind in args.servers.split(","):
        cells = []
        with running(kind, cpu=SERVER_CPU) as server:
            for test in args.tests.split(","):
                before = cpu_seconds(server.pid)
                rates = redis_benchmark(server.port, test, args.clients, args.pipeline,
                                        args.requests)
                used = cpu_seconds(server.pid) - before
                cells.append("%s %.2f (%.0f)" % (test, used / args.requests * 1e6,
                                                 sum(rates.values())))
        print("%-7s %s" % (kind, "  ".join(cells)), flush=True)


if __name__ == "__main__":
    main()
