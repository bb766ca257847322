"""Abusive clients against a real server process (issue 9).

Each test drives one ``python -m redlet`` subprocess with something a hostile
or broken client might do (a 2 GB bulk header, endless inline data, values
nested 10,000 deep, 10,000 connections at once, a subscriber that never reads
under a 200 MB flood, an oversized incomplete request, idle clients under
``timeout``) and then checks that another client still gets PONG and the
process is alive.  Where Redis answers with an error line, a redis-server
subprocess gets the same bytes and the replies are compared.

Covered elsewhere, not repeated here: ``maxclients`` (the client past the
limit gets ``-ERR max number of clients reached``) in
tests/differential/test_protected_mode_diff.py::test_maxclients; the
output-buffer limits of slow subscribers (hard, soft, runtime CONFIG SET, log
line) in tests/integration/test_pubsub_limits.py, of which only the flood
size and RSS angle is taken up below.  Run with ``-s`` to see the figures.
"""
import os
import resource
import selectors
import shutil
import socket
import time

import pytest

from tests.differential.conftest import _start, free_port
from tests.integration.test_pubsub_limits import Conn, Server, _command, _rss_kb


@pytest.fixture
def redlet_with(tmp_path):
    made = []

    def start(*directives):
        workdir = tmp_path / ("redlet%d" % len(made))
        workdir.mkdir()
        server = Server(str(workdir), *directives)
        made.append(server)
        return server
    yield start
    for server in made:
        server.close()


@pytest.fixture
def redis_port(tmp_path):
    """A plain redis-server (the reference for the error lines)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is required (apt-get install redis-server)")
    workdir = tmp_path / "redis"
    workdir.mkdir()
    port = free_port()
    proc = _start([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--dir", str(workdir)], port, str(workdir))
    yield port
    proc.terminate()
    proc.wait(10)


def assert_served(server):
    """The process is alive and a new client gets PONG."""
    assert server.proc.poll() is None, server.log()
    c = Conn(server.port)
    c.send("PING")
    assert c.line() == b"+PONG"
    c.close()


def exchange(port, chunks, timeout=10):
    """Send ``chunks`` on a new connection (stopping early once the server
    has answered or closed), then read until the server closes.  Returns
    (everything received, whether the server closed the connection)."""
    sock = socket.create_connection(("127.0.0.1", port), 5)
    received, closed = b"", False
    try:
        sock.settimeout(0)
        for chunk in chunks:
            try:
                data = sock.recv(65536)
                if not data:
                    closed = True
                    break
                received += data
                break
            except BlockingIOError:
                pass
            try:
                sock.settimeout(5)
                sock.sendall(chunk)
                sock.settimeout(0)
            except (BrokenPipeError, ConnectionResetError):
                break
        sock.settimeout(timeout)
        while not closed:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                break
            except socket.timeout:
                return received, False
            if not data:
                break
            received += data
        return received, True
    finally:
        sock.close()


def test_a_2gb_bulk_length_is_refused_like_redis(redlet_with, redis_port):
    server = redlet_with()
    request = [b"*1\r\n$2147483648\r\n"]
    expected = exchange(redis_port, request)
    got = exchange(server.port, request)
    assert expected == (b"-ERR Protocol error: invalid bulk length\r\n", True)
    assert got == expected
    assert_served(server)


def test_endless_inline_data_is_refused_like_redis(redlet_with, redis_port):
    server = redlet_with()
    chunks = [b"x" * 16384] * 64               # 1 MB, never a newline
    expected = exchange(redis_port, chunks)
    got = exchange(server.port, chunks)
    assert expected == (b"-ERR Protocol error: too big inline request\r\n", True)
    assert got == expected
    assert_served(server)


DEPTH = 10_000
NESTED = {
    "arrays": b"*1\r\n" * DEPTH + b":1\r\n",
    "maps": b"*1\r\n" + b"%1\r\n:1\r\n" * DEPTH + b":1\r\n",
    "arrays as an argument": b"*2\r\n$4\r\nECHO\r\n" + b"*1\r\n" * DEPTH + b"_\r\n",
    "maps as an argument": b"*2\r\n$4\r\nECHO\r\n" + b"%1\r\n+k\r\n" * DEPTH + b"_\r\n",
    "sets and maps mixed": b"*1\r\n" + b"~1\r\n%1\r\n#t\r\n" * DEPTH + b",1.5\r\n",
}


@pytest.mark.parametrize("resp3", [False, True], ids=["RESP2", "RESP3"])
def test_values_nested_10000_deep_get_an_error_or_a_close(redlet_with, resp3):
    server = redlet_with()
    base = _rss_kb(server.proc.pid)
    hello = b"*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n" if resp3 else b""
    for _ in range(20):                         # repeated: nothing may accumulate
        for name, payload in NESTED.items():
            received, closed = exchange(server.port, [hello + payload])
            if resp3:
                assert received.startswith(b"%7\r\n"), received[:100]   # HELLO's map
                received = received[received.index(b"$5\r\nproto\r\n:3\r\n"):]
                received = received[received.index(b"*0\r\n") + 4:]     # modules: last
            assert closed, name
            assert received == b"" or received.startswith(b"-ERR Protocol error"), \
                (name, received[:200])
            assert received.count(b"\r\n") <= 1, (name, received[:200])
    grown = _rss_kb(server.proc.pid) - base
    print(f"\nnested {DEPTH} deep, 100 connections: RSS {base // 1024} MB at start, "
          f"grown {grown // 1024} MB")
    assert grown < 50 * 1024
    assert_served(server)


def _raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = 1 << 20
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def _connected_clients(port):
    c = Conn(port)
    c.send("INFO", "clients")
    header = c.line()
    n = int(header[1:])
    while len(c.buf) < n + 2:
        c.buf += c.sock.recv(65536)
    info = c.buf[:n].decode()
    c.close()
    for line in info.splitlines():
        if line.startswith("connected_clients:"):
            return int(line.split(":")[1])
    raise AssertionError(info)


def test_10000_connections_at_once(redlet_with):
    limit = _raise_nofile()                     # the server inherits the raised limit
    count = min(10_000, limit - 500)
    assert count >= 4000, f"RLIMIT_NOFILE hard limit {limit} is too low"
    server = redlet_with("--maxclients", "20000")
    base = _rss_kb(server.proc.pid)
    sel = selectors.DefaultSelector()
    socks = []
    started = time.monotonic()
    try:
        for _ in range(count):                  # every connect in flight at once
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", server.port))
            socks.append(s)
            sel.register(s, selectors.EVENT_WRITE, b"")
        connected = answered = 0
        deadline = time.monotonic() + 180
        while answered < count:
            assert time.monotonic() < deadline, (connected, answered)
            for key, events in sel.select(timeout=1):
                s = key.fileobj
                if events & selectors.EVENT_WRITE:
                    err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    assert err == 0, os.strerror(err)
                    s.send(b"PING\r\n")
                    connected += 1
                    sel.modify(s, selectors.EVENT_READ, b"")
                else:
                    data = key.data + s.recv(64)
                    assert data, "a connection was closed by the server"
                    if len(data) < 7:
                        sel.modify(s, selectors.EVENT_READ, data)
                        continue
                    assert data == b"+PONG\r\n"
                    answered += 1
                    sel.unregister(s)
        elapsed = time.monotonic() - started
        peak = _rss_kb(server.proc.pid)
        assert _connected_clients(server.port) == count + 1
    finally:
        sel.close()
        for s in socks:
            s.close()
    deadline = time.monotonic() + 30
    while _connected_clients(server.port) != 1:
        assert time.monotonic() < deadline, "the closed connections were not released"
        time.sleep(0.2)
    grown = peak - base
    print(f"\n{count} connections: all answered PING in {elapsed:.1f} s; "
          f"RSS {base // 1024} MB at start, {peak // 1024} MB with all open "
          f"({grown / count:.1f} kB each), {_rss_kb(server.proc.pid) // 1024} MB after")
    assert grown < 100 * 1024                    # about 10 kB a connection at most
    assert_served(server)


def test_a_subscriber_that_never_reads_under_a_200mb_flood(redlet_with):
    """The default pubsub limits (32 MB hard, 8 MB for 60 s): the subscriber
    goes once 32 MB are pending, so the server's RSS never follows the
    200 MB published; a third client is answered between all batches."""
    server = redlet_with()
    base = _rss_kb(server.proc.pid)
    message = b"m" * 8192
    batch = 64                                  # 512 KB a write
    total = 200 * 1024 * 1024
    sub = Conn(server.port, rcvbuf=4096)
    sub.send("SUBSCRIBE", "flood")
    assert sub.line() == b"*3"                  # then never read again
    pub, other = Conn(server.port), Conn(server.port)
    payload = _command("PUBLISH", "flood", message) * batch
    published = dropped_at = 0
    peak = base
    while published < total:
        pub.sock.sendall(payload)
        counts = pub.integers(batch)
        if dropped_at == 0 and counts[-1] == 0:
            dropped_at = published
        published += batch * len(message)
        peak = max(peak, _rss_kb(server.proc.pid))
        other.send("PING")
        assert other.line() == b"+PONG"
    print(f"\n200 MB flood: subscriber dropped after {dropped_at // 2**20} MB; "
          f"RSS {base // 1024} MB at start, peak {peak // 1024} MB")
    assert 0 < dropped_at < 64 * 2**20
    assert counts == [0] * batch
    assert "for overcoming of output buffer limits" in server.log()
    assert peak - base < 150 * 1024
    for c in (pub, other, sub):
        c.close()
    assert_served(server)


def test_client_query_buffer_limit_closes_an_oversized_request(redlet_with, redis_port):
    server = redlet_with("--client-query-buffer-limit", "1mb")
    redis = Conn(redis_port)
    redis.send("CONFIG", "SET", "client-query-buffer-limit", "1mb")
    assert redis.line() == b"+OK"
    redis.close()
    header = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4000000\r\n"
    chunks = [header] + [b"v" * 65536] * 32     # 2 MB of a 4 MB value: incomplete
    other = Conn(server.port)
    for port in (redis_port, server.port):
        received, closed = exchange(port, chunks)
        assert (received, closed) == (b"", True), port
    other.send("PING")
    assert other.line() == b"+PONG"             # connected all along
    other.close()
    assert_served(server)


def test_timeout_closes_an_idle_client_not_a_busy_one(redlet_with):
    server = redlet_with("--timeout", "1")
    idle, busy = Conn(server.port), Conn(server.port)
    idle.send("PING")
    assert idle.line() == b"+PONG"
    started = time.monotonic()
    idle.sock.settimeout(0)
    idle_closed = None
    pings = 0
    while time.monotonic() - started < 4:
        busy.send("PING")
        assert busy.line() == b"+PONG"
        pings += 1
        if idle_closed is None:
            try:
                assert idle.sock.recv(100) == b""
                idle_closed = time.monotonic() - started
            except BlockingIOError:
                pass
            except ConnectionResetError:
                idle_closed = time.monotonic() - started
        time.sleep(0.25)
    print(f"\ntimeout 1: idle client closed after {idle_closed:.2f} s; "
          f"the busy one answered {pings} PINGs over 4 s")
    assert idle_closed is not None and 1.0 <= idle_closed <= 2.5
    idle.close()
    busy.close()
    assert_served(server)
