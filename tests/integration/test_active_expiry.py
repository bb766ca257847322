"""Active expiry reclaims keys nobody touches, and their memory.

A real redlet server process gets 100,000 keys with a 1 s TTL through redis-py
pipelines; without reading a key again, DBSIZE must reach 0 (bounded wait)
and the server's RSS (VmRSS) must fall back most of the way from its peak.
Run with ``-s`` to see the figures.
"""
import gc
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
import redis

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEYS = 100_000
TTL_MS = 1000
WAIT_FOR_EMPTY_S = 10.0


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class _Redlet:
    """``python -m redlet`` on a free port, stopped by ``close``."""

    def __init__(self, tmp):
        self.port = _free_port()
        log = open(os.path.join(tmp, "redlet.log"), "w")
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "redlet", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", tmp],
            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp)
        self.pid = self.proc.pid
        deadline = time.time() + 15
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("redlet exited: " + open(log.name).read())
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class _PeakSampler(threading.Thread):
    """Samples a process' RSS every few ms: the peak is not at the end of the
    load, as the first keys expire while the last ones arrive."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self._done = threading.Event()

    def run(self):
        while not self._done.is_set():
            self.peak = max(self.peak, _rss_kb(self.pid))
            self._done.wait(0.01)

    def stop(self):
        self._done.set()
        self.join()
        self.peak = max(self.peak, _rss_kb(self.pid))


def _parser_retains_requests():
    """True while the request parser keeps parsed requests alive (the shared
    ``_Incomplete`` exception of protocol/parser.py accumulates tracebacks,
    hence the frames holding every batch parsed after a split request)."""
    from redlet.protocol import make_parser

    def lists():
        gc.collect()
        return sum(1 for o in gc.get_objects() if type(o) is list)
    before = lists()
    parser = make_parser()
    data = b"*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$10\r\n0123456789\r\n" * 3000
    for i in range(0, len(data), 1000):
        parser.feed(data[i:i + 1000])
    del parser
    return lists() - before > 1000


@pytest.fixture
def redlet_server(tmp_path):
    server = _Redlet(str(tmp_path))
    yield server
    server.close()


def test_active_expiry_reclaims_keys_and_memory(redlet_server):
    r = redis.Redis(port=redlet_server.port)
    pid = redlet_server.pid
    r.ping()
    time.sleep(0.3)                       # let the fresh process settle
    base = _rss_kb(pid)
    sampler = _PeakSampler(pid)
    sampler.start()
    t0 = time.time()
    pipe = r.pipeline(transaction=False)
    value = b"x" * 100
    for i in range(KEYS):
        pipe.set(b"key:%d" % i, value, px=TTL_MS)
        if i % 2000 == 1999:
            pipe.execute()
    pipe.execute()
    loaded = time.time()
    alive_after_load = r.dbsize()
    while r.dbsize() and time.time() - loaded < WAIT_FOR_EMPTY_S:
        time.sleep(0.02)
    emptied = time.time()
    remaining = r.dbsize()
    sampler.stop()
    peak = sampler.peak
    # the engine rebuilds shrunken dicts and trims the allocator once a second
    after = _rss_kb(pid)
    settle = time.time() + 5
    while time.time() < settle and (peak - after) < 0.8 * (peak - base):
        time.sleep(0.2)
        after = _rss_kb(pid)
    stats = r.info("stats")
    reclaimed = (peak - after) / max(1, peak - base)
    print("\nactive expiry: %d keys with a %d ms TTL loaded in %.2f s (%d still alive at the "
          "end of the load); DBSIZE 0 %.2f s after the load (%.2f s after the first SET); "
          "RSS base %d kB, peak %d kB, after %d kB: %.0f%% of the growth given back"
          % (KEYS, TTL_MS, loaded - t0, alive_after_load, emptied - loaded, emptied - t0,
             base, peak, after, 100 * reclaimed))
    assert remaining == 0, "%d keys left %.0f s after loading" % (remaining, WAIT_FOR_EMPTY_S)
    assert int(stats["expired_keys"]) == KEYS
    assert peak - base > 5000, "the load did not grow the server (%d -> %d kB)" % (base, peak)
    assert reclaimed >= 0.6, "RSS base %d kB, peak %d kB, after %d kB" % (base, peak, after)


def test_active_expiry_reaches_keys_among_many_long_lived_ones():
    """A cycle stops early when few keys are stale, yet a mass expiry among
    many long TTLs is found (by sampling) and reclaimed at full speed."""
    from redlet.app import build_engine
    from redlet.config import Config
    from redlet.keyspace.db import now_ms
    e = build_engine(Config())
    db = e.dbs[0]
    far, past = now_ms() + 10 ** 9, now_ms() - 1
    for i in range(200_000):
        k = b"long:%d" % i
        db.data[k] = b"v"
        db.expires[k] = far
    t = time.perf_counter()
    for _ in range(20):
        e.active_expire_cycle(0.025)
    idle = time.perf_counter() - t
    for i in range(100_000):
        k = b"short:%d" % i
        db.data[k] = b"v"
        db.expires[k] = past
    cycles = 0
    while len(db.data) > 200_000 and cycles < 200:
        e.active_expire_cycle(0.025)
        cycles += 1
    print("\nactive expiry: 20 idle cycles over 200k long TTLs took %.1f ms; 100k stale keys "
          "behind them reclaimed in %d cycles" % (idle * 1000, cycles))
    assert len(db.data) == 200_000
    assert idle < 0.25            # well under the 20 x 25 ms budget
    assert cycles < 100


def test_compaction_rebuilds_a_shrunken_database():
    from redlet.app import build_engine
    from redlet.config import Config
    e = build_engine(Config())
    db = e.dbs[0]
    for i in range(50_000):
        db.set(b"k%d" % i, b"v")
    e.compact_memory()
    assert db.high_water == 50_000
    for i in range(49_000):
        db.delete(b"k%d" % i)
    before = db.data
    e.compact_memory()
    assert db.data is not before and len(db.data) == 1000
    assert db.high_water == 1000


def test_parser_keeps_no_parsed_requests_alive():
    """Regression: a split request used to leave frames (and every batch they
    referenced) on the shared ``_Incomplete`` exception's traceback."""
    assert not _parser_retains_requests()
