"""Blocking fan-out against a real redlet server process (issue 4).

Many redis-py clients loop in BRPOP over a few keys while producer threads
LPUSH unique elements: every element must be delivered exactly once. Idle
blocked clients must cost the server no CPU: its utime + stime from
/proc/PID/stat over a quiet window stays near zero. bench/blocking.py is
the full-size version (200 clients, 100,000 elements, vs redis-server).
"""
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
import redis

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLK_TCK = os.sysconf("SC_CLK_TCK")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        stat = f.read()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``python -m redlet`` as its own process: (port, pid)."""
    tmp = str(tmp_path_factory.mktemp("fanout"))
    port = _free_port()
    log = open(os.path.join(tmp, "redlet.log"), "w")
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "redlet", "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", tmp],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp)
    deadline = time.monotonic() + 15
    while True:
        if proc.poll() is not None:
            raise RuntimeError("redlet exited: " + open(log.name).read())
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            time.sleep(0.05)
    yield port, proc.pid
    proc.terminate()
    proc.wait(10)
    log.close()


def _wait_blocked(r, n, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        got = r.info("clients")["blocked_clients"]
        if got == n:
            return
        assert time.monotonic() < deadline, f"{got} clients blocked, expected {n}"
        time.sleep(0.02)


def test_fanout_delivers_every_element_exactly_once(server):
    port, _ = server
    consumers, keys, producers, per_producer = 50, 5, 5, 2000
    total = producers * per_producer
    names = [f"fan{k}" for k in range(keys)]
    admin = redis.Redis(port=port)
    admin.delete(*names)
    delivered = [[] for _ in range(consumers)]
    stop = b"stop"

    def consume(i):
        r = redis.Redis(port=port)
        while True:
            key, value = r.brpop(names, 0)
            if value == stop:
                break
            delivered[i].append((key, value))
        r.close()

    def produce(p):
        r = redis.Redis(port=port)
        pipe = r.pipeline(transaction=False)
        for seq in range(per_producer):
            pipe.lpush(names[(p + seq) % keys], b"%d:%d" % (p, seq))
            if seq % 100 == 99:
                pipe.execute()
        pipe.execute()
        r.close()

    threads = [threading.Thread(target=consume, args=(i,), daemon=True)
               for i in range(consumers)]
    for t in threads:
        t.start()
    _wait_blocked(admin, consumers)
    pushers = [threading.Thread(target=produce, args=(p,)) for p in range(producers)]
    for t in pushers:
        t.start()
    for t in pushers:
        t.join(30)

    deadline = time.monotonic() + 20
    while sum(len(d) for d in delivered) < total and time.monotonic() < deadline:
        time.sleep(0.02)
    # Everything is delivered and every consumer is blocked again: one stop
    # element each ends them (a consumer that pops a stop pops nothing more).
    _wait_blocked(admin, consumers)
    for i in range(consumers):
        admin.lpush(names[i % keys], stop)
    for t in threads:
        t.join(10)
    assert not any(t.is_alive() for t in threads)

    values = [v for d in delivered for _, v in d]
    assert len(values) == total
    expected = {b"%d:%d" % (p, s) for p in range(producers) for s in range(per_producer)}
    assert set(values) == expected  # with the length: no duplicates, none lost
    # Each consumer pops one at a time, so what one producer pushed to one
    # key reaches any single consumer in push order (LPUSH + BRPOP is FIFO).
    for d in delivered:
        last = {}
        for key, value in d:
            p, seq = (int(x) for x in value.split(b":"))
            assert seq > last.get((key, p), -1)
            last[(key, p)] = seq
    assert admin.exists(*names) == 0


def test_blocked_clients_cost_no_cpu(server):
    port, pid = server
    clients = 100
    admin = redis.Redis(port=port)
    admin.delete("idle")
    request = b"*3\r\n$5\r\nBRPOP\r\n$4\r\nidle\r\n$1\r\n0\r\n"
    socks = []
    try:
        for _ in range(clients):
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(request)
            socks.append(s)
        _wait_blocked(admin, clients)
        time.sleep(0.3)  # let connection setup settle
        before, t0 = _cpu_seconds(pid), time.monotonic()
        time.sleep(3.0)
        used, window = _cpu_seconds(pid) - before, time.monotonic() - t0
        print(f"\n{clients} blocked clients: {used:.3f} s CPU in {window:.2f} s")
        assert used < 0.3
        assert admin.info("clients")["blocked_clients"] == clients

        # They were really waiting: each gets exactly one of these.
        admin.lpush("idle", *[b"e%d" % i for i in range(clients)])
        got = set()
        for s in socks:
            buf = b""
            while buf.count(b"\r\n") < 5:
                buf += s.recv(4096)
            got.add(buf.split(b"\r\n")[4])
        assert got == {b"e%d" % i for i in range(clients)}
    finally:
        for s in socks:
            s.close()
