"""The soak (issue 9): many clients, every type, eviction on, for minutes.

A redlet server (its own process) runs with ``maxmemory 64mb`` and
``allkeys-lru``.  N clients (default 200, one redis.asyncio connection each,
all in one event loop so that the load generator stays on one core) run a
random mix over every type: strings, lists, hashes, sets, sorted sets,
streams (with consumer groups), expiry, MULTI/EXEC and WATCH, PUBLISH (a few
subscribers read the messages), EVAL, plus reads of a key of the wrong type.
Replies are counted by kind; error replies outside EXPECTED_ERRORS are
failures.  A prober (its own process, so that the load generator's loop does
not add to what it measures) sends PING every 10 ms on a raw socket and
records the latency; the server's RSS is sampled every second.

Prints one JSON line: ops, ops/s, unexpected errors (with samples), reply
and expected-error counts, PING p50/p99/max in ms, peak RSS in MB, the final
used_memory.  Exits non-zero on an unexpected error, a failed PING, a server
that died, or a PING p99 over 1 s.

    python bench/soak.py [--clients 200] [--seconds 300] [--pause-ms 0]
"""
import argparse
import asyncio
import collections
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import redis  # noqa: E402
import redis.asyncio as aioredis  # noqa: E402
from _servers import rss_bytes, running  # noqa: E402

SETTINGS = {"maxmemory": "64mb", "maxmemory-policy": "allkeys-lru"}
# WRONGTYPE: the deliberate reads of another type's key.  NOGROUP: a stream
# (and its group) evicted or expired under a reader.  BUSYGROUP: the group
# created twice.  OOM / EXECABORT: a write refused for memory (noeviction,
# or nothing left to evict), alone or inside MULTI.
EXPECTED_ERRORS = ("WRONGTYPE", "NOGROUP", "BUSYGROUP", "OOM", "EXECABORT")
KEYS = 2000                     # keys per type
CHANNELS = 8
SUBSCRIBERS = 4
VALUES = bytes(random.Random(0).getrandbits(8) for _ in range(4096))
SCRIPT = ("local n = redis.call('INCR', KEYS[1]) "
          "redis.call('HSET', KEYS[2], 'last', n) "
          "return {n, redis.call('HLEN', KEYS[2])}")


def _value(rnd):
    start = rnd.randrange(0, 3000)
    return VALUES[start:start + rnd.randrange(8, 600)]


BIG = VALUES * 4


def _key(rnd, kind):
    return "%s:%d" % (kind, rnd.randrange(KEYS))


# -- the operations: each one command (or one transaction) -----------------
async def op_strings(r, rnd):
    k = _key(rnd, "s")
    choice = rnd.randrange(8)
    if choice == 0:
        return await r.set(k, _value(rnd))
    if choice == 7:             # 2-16 KB values over many keys: past maxmemory
        size = rnd.randrange(2048, 16384)
        return await r.set("b:%d" % rnd.randrange(50 * KEYS), BIG[:size])
    if choice == 1:
        return await r.get(k)
    if choice == 2:
        return await r.incrby(_key(rnd, "n"), rnd.randrange(1, 100))
    if choice == 3:
        return await r.mset({_key(rnd, "s"): _value(rnd) for _ in range(3)})
    if choice == 4:
        return await r.mget([_key(rnd, "s") for _ in range(5)])
    if choice == 5:
        return await r.setrange(k, rnd.randrange(100), b"patch")
    return await r.incrbyfloat(_key(rnd, "f"), 0.5)


async def op_lists(r, rnd):
    k = _key(rnd, "l")
    choice = rnd.randrange(7)
    if choice == 0:
        return await r.lpush(k, *[_value(rnd) for _ in range(rnd.randrange(1, 5))])
    if choice == 1:
        return await r.rpush(k, _value(rnd))
    if choice == 2:
        return await r.lrange(k, 0, 9)
    if choice == 3:
        return await r.ltrim(k, 0, 49)
    if choice == 4:
        return await r.rpop(k)
    if choice == 5:
        return await r.lmove(k, _key(rnd, "l"), "LEFT", "RIGHT")
    return await r.blpop([k], timeout=0.01)


async def op_hashes(r, rnd):
    k = _key(rnd, "h")
    choice = rnd.randrange(5)
    if choice == 0:
        return await r.hset(k, mapping={"f%d" % rnd.randrange(20): _value(rnd)
                                        for _ in range(3)})
    if choice == 1:
        return await r.hget(k, "f%d" % rnd.randrange(20))
    if choice == 2:
        return await r.hgetall(k)
    if choice == 3:
        return await r.hincrby(k, "counter", 1)
    return await r.hdel(k, "f%d" % rnd.randrange(20))


async def op_sets(r, rnd):
    k = _key(rnd, "t")
    choice = rnd.randrange(5)
    if choice == 0:
        return await r.sadd(k, *["m%d" % rnd.randrange(100) for _ in range(4)])
    if choice == 1:
        return await r.srem(k, "m%d" % rnd.randrange(100))
    if choice == 2:
        return await r.sismember(k, "m%d" % rnd.randrange(100))
    if choice == 3:
        return await r.sinter([k, _key(rnd, "t")])
    return await r.smembers(k)


async def op_zsets(r, rnd):
    k = _key(rnd, "z")
    choice = rnd.randrange(6)
    if choice == 0:
        return await r.zadd(k, {"m%d" % rnd.randrange(200): rnd.random() * 1000
                                for _ in range(4)})
    if choice == 1:
        return await r.zincrby(k, 1.5, "m%d" % rnd.randrange(200))
    if choice == 2:
        return await r.zrange(k, 0, 9, withscores=True)
    if choice == 3:
        return await r.zrangebyscore(k, 100, 500, start=0, num=10)
    if choice == 4:
        return await r.zrank(k, "m%d" % rnd.randrange(200))
    return await r.zpopmin(k)


async def op_streams(r, rnd):
    k = "x:%d" % rnd.randrange(KEYS // 10)
    choice = rnd.randrange(6)
    if choice == 0:
        return await r.xadd(k, {"v": _value(rnd)}, maxlen=100, approximate=True)
    if choice == 1:
        return await r.xrange(k, count=10)
    if choice == 2:
        return await r.xgroup_create(k, "g", id="0", mkstream=True)
    if choice == 3:
        return await r.xreadgroup("g", "c%d" % rnd.randrange(5), {k: ">"}, count=5)
    if choice == 4:
        return await r.xack(k, "g", "0-1")
    return await r.xlen(k)


async def op_expiry(r, rnd):
    kind = rnd.choice("slhtz")
    k = _key(rnd, kind)
    choice = rnd.randrange(6)
    if choice == 0:
        return await r.expire(k, rnd.randrange(1, 30))
    if choice == 1:
        return await r.pexpire(k, rnd.randrange(100, 5000))
    if choice == 2:
        return await r.ttl(k)
    if choice == 3:
        return await r.persist(k)
    if choice == 4:
        return await r.set(_key(rnd, "s"), _value(rnd), px=rnd.randrange(50, 3000))
    return await r.delete(k, _key(rnd, kind))


async def op_multi(r, rnd):
    p = r.pipeline(transaction=True)
    p.incr(_key(rnd, "n"))
    p.lpush(_key(rnd, "l"), _value(rnd))
    p.hset(_key(rnd, "h"), "m", _value(rnd))
    p.zadd(_key(rnd, "z"), {"multi": rnd.random()})
    p.expire(_key(rnd, "s"), 60)
    return await p.execute()


async def op_watch(r, rnd):
    """Optimistic increment of a counter; WatchError when another client
    touched it in between (counted as a reply kind, not an error)."""
    k = _key(rnd, "n")
    async with r.pipeline(transaction=True) as p:
        await p.watch(k)
        current = await p.get(k)
        p.multi()
        p.set(k, int(current or 0) + 1)
        return await p.execute()


async def op_publish(r, rnd):
    return await r.publish("ch:%d" % rnd.randrange(CHANNELS), _value(rnd)[:64])


async def op_eval(r, rnd):
    return await r.eval(SCRIPT, 2, _key(rnd, "n"), _key(rnd, "h"))


async def op_wrongtype(r, rnd):
    """A read of another type's key: WRONGTYPE unless the key is missing."""
    choice = rnd.randrange(3)
    if choice == 0:
        return await r.get(_key(rnd, "l"))
    if choice == 1:
        return await r.llen(_key(rnd, "h"))
    return await r.hget(_key(rnd, "z"), "f")


async def op_keys(r, rnd):
    choice = rnd.randrange(4)
    if choice == 0:
        return await r.exists(_key(rnd, rnd.choice("slhtz")))
    if choice == 1:
        return await r.type(_key(rnd, rnd.choice("slhtz")))
    if choice == 2:
        return await r.scan(0, count=20)
    return await r.dbsize()


OPS = [(op_strings, 24), (op_lists, 12), (op_hashes, 12), (op_sets, 10), (op_zsets, 10),
       (op_streams, 8), (op_expiry, 8), (op_multi, 4), (op_watch, 3), (op_publish, 4),
       (op_eval, 4), (op_wrongtype, 2), (op_keys, 3)]


class Stats:
    def __init__(self):
        self.ops = 0
        self.replies = collections.Counter()
        self.expected = collections.Counter()
        self.unexpected = 0
        self.samples = []
        self.messages = 0

    def failure(self, what):
        self.unexpected += 1
        if len(self.samples) < 10:
            self.samples.append(what)


def _error_code(error):
    """The error's first word; redis-py prefixes the errors of a transaction's
    commands with where they came from."""
    message = str(error)
    if message.startswith("Command # ") and "caused error: " in message:
        message = message.split("caused error: ", 1)[1]
    return message.split(" ", 1)[0]


def _kind(result):
    return type(result).__name__


async def _client(n, port, stop_at, stats, pause):
    rnd = random.Random(n)
    ops, weights = zip(*OPS)
    r = aioredis.Redis(port=port, single_connection_client=True, socket_timeout=30)
    try:
        while time.monotonic() < stop_at:
            op = rnd.choices(ops, weights)[0]
            try:
                stats.replies[_kind(await op(r, rnd))] += 1
            except redis.WatchError:
                stats.replies["watch aborted"] += 1
            except redis.ResponseError as e:
                code = _error_code(e)
                if code in EXPECTED_ERRORS:
                    stats.expected[code] += 1
                else:
                    stats.failure("%s: %s" % (op.__name__, e))
            except (redis.RedisError, OSError) as e:
                stats.failure("%s: %s: %s" % (op.__name__, type(e).__name__, e))
                await asyncio.sleep(0.1)
            stats.ops += 1
            if pause:
                await asyncio.sleep(pause)
    finally:
        await r.aclose()


async def _subscriber(n, port, stop_at, stats):
    r = aioredis.Redis(port=port)
    pubsub = r.pubsub()
    try:
        if n % 2:
            await pubsub.psubscribe("ch:*")
        else:
            await pubsub.subscribe(*["ch:%d" % c for c in range(n, CHANNELS, 2)])
        while time.monotonic() < stop_at:
            try:
                message = await pubsub.get_message(ignore_subscribe_messages=True,
                                                   timeout=0.5)
            except (redis.RedisError, OSError) as e:
                stats.failure("subscriber: %s: %s" % (type(e).__name__, e))
                await asyncio.sleep(0.1)
                continue
            if message is not None:
                stats.messages += 1
    finally:
        await pubsub.aclose()
        await r.aclose()


async def _sample_rss(proc, stop_at, samples):
    while time.monotonic() < stop_at and proc.poll() is None:
        samples.append(rss_bytes(proc.pid))
        await asyncio.sleep(1)


async def _load(port, proc, clients, seconds, pause):
    stats, rss = Stats(), []
    stop_at = time.monotonic() + seconds
    tasks = [_client(n, port, stop_at, stats, pause) for n in range(clients)]
    tasks += [_subscriber(n, port, stop_at, stats) for n in range(SUBSCRIBERS)]
    tasks.append(_sample_rss(proc, stop_at, rss))
    started = time.monotonic()
    await asyncio.gather(*tasks)
    return stats, rss, time.monotonic() - started


# -- the prober: its own process --------------------------------------------
def probe(port, seconds, interval=0.01):
    """PING every ``interval`` for ``seconds``; returns the latency figures.
    A PING unanswered for 5 s (or a lost connection) is a failure."""
    latencies, failures = [], 0
    sock = None
    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at:
        t0 = time.perf_counter()
        try:
            if sock is None:
                sock = socket.create_connection(("127.0.0.1", port), 5)
                sock.settimeout(5)
            sock.sendall(b"PING\r\n")
            reply = b""
            while not reply.endswith(b"\r\n"):
                chunk = sock.recv(64)
                if not chunk:
                    raise ConnectionError("closed")
                reply += chunk
            if reply != b"+PONG\r\n":
                raise ConnectionError(reply)
            latencies.append(time.perf_counter() - t0)
        except OSError:
            failures += 1
            if sock is not None:
                sock.close()
            sock = None
            time.sleep(0.1)
        left = interval - (time.perf_counter() - t0)
        if left > 0:
            time.sleep(left)
    latencies.sort()

    def at(q):
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 2) \
            if latencies else None
    return {"count": len(latencies), "failures": failures, "p50_ms": at(0.50),
            "p99_ms": at(0.99), "max_ms": round(latencies[-1] * 1000, 2) if latencies else None}


def _start_prober(port, seconds):
    return subprocess.Popen([sys.executable, os.path.abspath(__file__), "--probe", str(port),
                             "--seconds", str(seconds)], stdout=subprocess.PIPE)


def _server_figures(port):
    r = redis.Redis(port=port, socket_timeout=10)
    try:
        alive = r.ping()
        memory, stats = r.info("memory"), r.info("stats")
        return {"server_alive": alive, "final_used_memory": memory["used_memory"],
                "evicted_keys": stats["evicted_keys"], "expired_keys": stats["expired_keys"],
                "dbsize": r.dbsize()}
    except (redis.RedisError, OSError) as e:
        return {"server_alive": False, "server_error": str(e)}
    finally:
        r.close()


def run(clients=200, seconds=300, pause_ms=0.0):
    """The soak; returns the figures (``ok`` False on any failure)."""
    logfile = tempfile.NamedTemporaryFile(prefix="soak-redlet-", suffix=".log", delete=False)
    logfile.close()
    settings = dict(SETTINGS, logfile=logfile.name)
    with running("redlet", settings) as server:
        prober = _start_prober(server.port, seconds)
        stats, rss, elapsed = asyncio.run(
            _load(server.port, server.proc, clients, seconds, pause_ms / 1000))
        ping = json.loads(prober.communicate(timeout=60)[0])
        result = {"clients": clients, "seconds": seconds, "ops": stats.ops,
                  "ops_per_s": round(stats.ops / elapsed), "unexpected_errors": stats.unexpected,
                  "unexpected_samples": stats.samples, "expected_errors": dict(stats.expected),
                  "replies": dict(stats.replies), "messages_received": stats.messages,
                  "ping": ping, "peak_rss_mb": round(max(rss, default=0) / 2**20, 1),
                  # at a quarter, half, three quarters and the end: a leak shows
                  "rss_mb_by_quarter": [round(rss[min(len(rss) - 1, len(rss) * q // 4)]
                                              / 2**20, 1) for q in (1, 2, 3, 4)] if rss else []}
        result.update(_server_figures(server.port))
        result["server_alive"] = result["server_alive"] and server.proc.poll() is None
    if not result["server_alive"]:
        with open(logfile.name, errors="replace") as f:
            result["server_log_tail"] = f.read()[-2000:]
    os.unlink(logfile.name)
    result["ok"] = (result["unexpected_errors"] == 0 and result["server_alive"]
                    and ping["failures"] == 0 and ping["p99_ms"] is not None
                    and ping["p99_ms"] < 1000)
    return result


def main(argv=None):
    """Run the soak with the command line's settings, print the JSON line and
    return the figures."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=300)
    ap.add_argument("--pause-ms", type=float, default=0.0,
                    help="sleep between one client's operations")
    ap.add_argument("--probe", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.probe:
        result = probe(args.probe, args.seconds)
    else:
        result = run(args.clients, args.seconds, args.pause_ms)
    print(json.dumps(result), flush=True)
    return result


if __name__ == "__main__":
    sys.exit(0 if main().get("ok", True) else 1)
