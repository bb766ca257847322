"""Operations commands against redis-server: SLOWLOG (entries, truncation,
redaction, max length), LATENCY, MEMORY, CLIENT REPLY, CLIENT PAUSE, WAIT,
LOLWUT, MODULE and the cluster commands of a server without cluster support.
Times, ids and client ports are masked where they are server-specific."""
import select

import pytest

from .conftest import RawConn


@pytest.fixture
def slow(diff):
    """Both servers log every command; the defaults are restored after."""
    diff.check("CONFIG", "SET", "slowlog-log-slower-than", "0")
    diff.check("SLOWLOG", "RESET")
    yield diff
    diff.check("CONFIG", "SET", "slowlog-log-slower-than", "10000")
    diff.check("CONFIG", "SET", "slowlog-max-len", "128")
    diff.check("SLOWLOG", "RESET")


def _parse(raw):
    """A tiny RESP2 reader for nested arrays, bulk strings and integers."""
    pos = 0

    def item():
        nonlocal pos
        end = raw.index(b"\r\n", pos)
        kind, body = raw[pos:pos + 1], raw[pos + 1:end]
        pos = end + 2
        if kind == b"*":
            return [item() for _ in range(int(body))]
        if kind == b"$":
            n = int(body)
            if n < 0:
                return None
            value = raw[pos:pos + n]
            pos += n + 2
            return value
        if kind == b":":
            return int(body)
        return kind + body
    value = item()
    assert pos == len(raw)
    return value


def _masked(entries):
    out = []
    for e in entries:
        assert len(e) == 6 and all(type(x) is int for x in e[:3]), e
        addr = b"client" if e[4].startswith(b"127.0.0.1:") else e[4]   # (scripts: "?:0")
        out.append((e[3], addr, e[5]))
    return out


def test_slowlog_entries_as_redis(slow):
    slow.check("SET", "k", "v")
    slow.check("GET", "k")
    slow.check("RPUSH", "l", *[str(i) for i in range(40)])
    slow.check("SET", "big", "x" * 200)
    slow.check("CLIENT", "SETNAME", "worker-1")
    slow.check("AUTH", "secret")
    slow.check("HELLO", "2", "AUTH", "user", "pw")
    slow.check("MULTI")
    slow.check("INCR", "n")
    slow.check("EXEC")
    slow.check("EVAL", "return redis.call('GET', KEYS[1])", "1", "k")
    expected, got = (_masked(_parse(c.send("SLOWLOG", "GET", "-1"))) for c in slow.conns)
    assert got == expected
    # the truncations and redactions are really there
    args = dict((tuple(a[:2]), a) for a, _, _ in got)
    assert args[(b"RPUSH", b"l")][-1] == b"... (11 more arguments)"
    assert args[(b"SET", b"big")][-1].endswith(b"... (72 more bytes)")
    assert [b"AUTH", b"(redacted)"] in [a for a, _, _ in got]
    assert any(name == b"worker-1" for _, _, name in got)


def test_slowlog_count_len_and_max_len(slow):
    for i in range(5):
        slow.check("SET", "k%d" % i, "v")
    slow.check("SLOWLOG", "LEN")
    for count in ("0", "2", "-1"):
        expected, got = (len(_parse(c.send("SLOWLOG", "GET", count))) for c in slow.conns)
        assert got == expected
    slow.check("CONFIG", "SET", "slowlog-max-len", "3")
    slow.check("SET", "a", "b")
    slow.check("SLOWLOG", "LEN")
    slow.check("SLOWLOG", "RESET")
    slow.check("CONFIG", "SET", "slowlog-log-slower-than", "-1")
    slow.check("SET", "a", "c")
    slow.check("SLOWLOG", "LEN")


@pytest.mark.parametrize("cmd", [
    ("SLOWLOG", "GET", "-2"), ("SLOWLOG", "GET", "x"), ("SLOWLOG", "GET", "1", "2"),
    ("SLOWLOG", "LEN", "x"), ("SLOWLOG",), ("SLOWLOG", "FOO"), ("SLOWLOG", "HELP"),
    ("LATENCY", "LATEST"), ("LATENCY", "HISTORY", "command"), ("LATENCY", "RESET"),
    ("LATENCY", "RESET", "a", "b"), ("LATENCY", "GRAPH", "command"), ("LATENCY", "DOCTOR"),
    ("LATENCY", "FOO"), ("LATENCY",),
    ("MEMORY", "HELP"), ("MEMORY", "USAGE", "nokey"), ("MEMORY", "USAGE", "k", "SAMPLES"),
    ("MEMORY", "USAGE", "k", "SAMPLES", "-1"), ("MEMORY", "USAGE", "k", "SAMPLES", "x"),
    ("MEMORY", "USAGE", "k", "FOO", "1"), ("MEMORY", "PURGE"), ("MEMORY", "FOO"),
    ("MEMORY",), ("MEMORY", "USAGE"),
    ("CLIENT", "PAUSE", "x"), ("CLIENT", "PAUSE", "-1"), ("CLIENT", "PAUSE", "10", "foo"),
    ("CLIENT", "PAUSE", "10", "WRITE", "extra"), ("CLIENT", "REPLY", "foo"),
    ("CLIENT", "UNPAUSE"), ("CLIENT", "UNPAUSE", "x"),
    ("WAIT", "0", "0"), ("WAIT", "0", "-1"), ("WAIT", "x", "1"), ("WAIT", "1", "x"),
    ("WAIT", "1", "10"), ("WAIT", "1"),
    ("LOLWUT",), ("LOLWUT", "foo"), ("LOLWUT", "VERSION", "x"),
    ("MODULE", "LIST"), ("MODULE", "LIST", "x"), ("MODULE", "HELP"),
    ("MODULE", "LOAD", "/nonexistent.so"), ("MODULE", "UNLOAD", "x"), ("MODULE", "FOO"),
    ("CLUSTER", "INFO"), ("CLUSTER", "NODES"), ("CLUSTER", "SLOTS"), ("CLUSTER", "HELP"),
    ("CLUSTER", "KEYSLOT", "k"), ("CLUSTER", "FOO"), ("CLUSTER",), ("CLUSTER", "INFO", "x"),
    ("READONLY",), ("READWRITE",), ("ASKING",),
    ("COMMAND", "INFO", "wait", "lolwut", "readonly", "readwrite", "asking"),
])
def test_replies_as_redis(diff, cmd):
    diff.check(*cmd)


def test_memory_usage_is_a_byte_count(diff):
    diff.check("SET", "k", "v")
    diff.check("RPUSH", "l", *"abcdefgh")
    diff.check("HSET", "h", "f", "v")
    diff.check("SADD", "s", "1", "2")
    diff.check("ZADD", "z", "1", "a")
    for key in ("k", "l", "h", "s", "z"):
        for extra in ((), ("SAMPLES", "0")):
            expected, got = diff.both("MEMORY", "USAGE", key, *extra)
            assert expected[:1] == got[:1] == b":", (key, expected, got)
            assert 16 <= int(got[1:-2]) < 4096, (key, got)


def test_memory_stats_fields(diff):
    expected, got = (_parse(c.send("MEMORY", "STATS")) for c in diff.conns)
    names = [n for n in got[::2]]
    for name in (b"peak.allocated", b"total.allocated", b"keys.count", b"dataset.bytes",
                 b"fragmentation"):
        assert name in names and name in expected[::2]


def _silent(conn, wait=0.2):
    """Nothing arrives on ``conn`` within ``wait`` seconds."""
    r, _, _ = select.select([conn.sock], [], [], wait)
    return not r and not conn.buf


def test_client_reply_off_skip_on(diff):
    for port in diff.ports:
        c = RawConn(port)
        try:
            c.send_raw(b"CLIENT REPLY OFF\r\nSET a 1\r\nGET a\r\n")
            assert _silent(c)
            assert c.send("CLIENT", "REPLY", "ON") == b"+OK\r\n"
            c.send_raw(b"CLIENT REPLY SKIP\r\nSET b 2\r\nGET b\r\n")
            assert c.read_reply() == b"$1\r\n2\r\n"
            c.send_raw(b"CLIENT REPLY SKIP\r\nCLIENT REPLY SKIP\r\nGET b\r\nGET a\r\n")
            assert c.read_reply() == b"$1\r\n1\r\n"
            c.send_raw(b"CLIENT REPLY OFF\r\nCLIENT REPLY SKIP\r\nGET a\r\n")
            assert _silent(c)
            assert c.send("CLIENT", "REPLY", "ON") == b"+OK\r\n"
            assert c.send("CLIENT", "REPLY", "foo") == b"-ERR syntax error\r\n"
        finally:
            c.close()


def test_client_pause_write_holds_writes_until_unpause(diff):
    for port in diff.ports:
        admin, other = RawConn(port), RawConn(port)
        try:
            assert admin.send("CLIENT", "PAUSE", "20000", "WRITE") == b"+OK\r\n"
            assert other.send("GET", "p") == b"$-1\r\n"        # reads go on
            other.send_raw(b"SET p 1\r\nGET p\r\n")           # a write is held...
            assert _silent(other)
            assert admin.send("GET", "p") == b"$-1\r\n"
            assert admin.send("CLIENT", "UNPAUSE") == b"+OK\r\n"
            assert other.read_reply() == b"+OK\r\n"          # ...then runs, in order
            assert other.read_reply() == b"$1\r\n1\r\n"
        finally:
            admin.close()
            other.close()


def test_client_pause_write_holds_eval_and_write_exec(diff):
    for port in diff.ports:
        admin, other = RawConn(port), RawConn(port)
        try:
            assert other.send("MULTI") == b"+OK\r\n"
            assert other.send("INCR", "m") == b"+QUEUED\r\n"
            assert admin.send("CLIENT", "PAUSE", "20000", "WRITE") == b"+OK\r\n"
            other.send_raw(b"EXEC\r\n")
            assert _silent(other)
            assert admin.send("EVAL_RO", "return 1", "0") == b":1\r\n"
            assert admin.send("CLIENT", "UNPAUSE") == b"+OK\r\n"
            assert other.read_reply() == b"*1\r\n:1\r\n"
            assert admin.send("CLIENT", "PAUSE", "20000", "WRITE") == b"+OK\r\n"
            other.send_raw(b"EVAL 'return 1' 0\r\n")
            assert _silent(other)
            assert admin.send("CLIENT", "UNPAUSE") == b"+OK\r\n"
            assert other.read_reply() == b":1\r\n"
        finally:
            admin.close()
            other.close()


def test_client_pause_all_ends_by_itself(diff):
    for port in diff.ports:
        admin, other = RawConn(port), RawConn(port)
        try:
            assert admin.send("CLIENT", "PAUSE", "400", "ALL") == b"+OK\r\n"
            other.send_raw(b"PING\r\n")
            assert _silent(other, 0.1)
            assert other.read_reply() == b"+PONG\r\n"          # after the timeout
        finally:
            admin.close()
            other.close()
