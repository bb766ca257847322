"""redlet.Client against a real redlet server process: the seed transcript,
the redis-py-named commands, errors, reconnection, pipelines, dict access,
the asyncio client, and the sans-IO reply parser on split input."""
import asyncio
import builtins
import os
import socket
import subprocess
import sys
import threading
import time

import pytest
import redis

import redlet
from redlet.client import (BYTES_MARK, AsyncClient, Client, ConnectionError, ResponseError,
                           Typed)
from redlet.client.reply import (NEED_DATA, ProtocolError, Push, ReplyParser, encode_request,
                                 encode_value)

SRC = os.path.join(os.path.dirname(__file__), "..", "..", "src")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedletProcess:
    """``python -m redlet`` on a free loopback port, no persistence."""

    def __init__(self, port=None, extra=()):
        self.port = port or free_port()
        self.extra = list(extra)
        self.proc = None

    def start(self):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.path.abspath(SRC) + os.pathsep + env.get("PYTHONPATH", "")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "redlet", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", *self.extra],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("redlet exited with %s" % self.proc.returncode)
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redlet did not start listening")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def server():
    s = RedletProcess().start()
    yield s
    s.stop()


@pytest.fixture
def client(server):
    c = Client(port=server.port)
    c.flushall()
    yield c
    c.close()


# -- the seed transcript, verbatim --------------------------------------------------
def test_seed_transcript(client):
    client.mset('k1', 'v1', 'k2', ['v2-0', 1, 'v2-2'], 'k3', 'v3')   # mset with positional pairs too
    assert client.get('k2') == ['v2-0', 1, 'v2-2']
    assert client.mget('k3', 'k1') == ['v3', 'v1']
    assert client.delete('k1') == 1
    assert client.get('k1') is None
    client.set('kx', {'vx': {'vy': 0, 'vz': [1, 2, 3]}})
    assert client.get('kx') == {'vx': {'vy': 0, 'vz': [1, 2, 3]}}
    # k2, k3 and kx are left: the seed's README printed 2 here, which cannot be
    # (the original blog post's own test of the same sequence prints 3).
    assert client.flush() == 3
    assert client.dbsize() == 0


def test_exported_from_package():
    assert redlet.Client is Client
    assert redlet.ResponseError is ResponseError
    assert redlet.ConnectionError is ConnectionError
    assert issubclass(ConnectionError, builtins.ConnectionError)


# -- strings ---------------------------------------------------------------------------
def test_set_options(client):
    assert client.set("a", "1") is True
    assert client.set("a", "2", nx=True) is None
    assert client.set("b", "2", xx=True) is None
    assert client.set("a", "3", xx=True, get=True) == "1"
    assert client.set("a", "4", ex=100) is True
    assert 0 < client.ttl("a") <= 100
    assert client.set("a", "5", keepttl=True) is True
    assert client.ttl("a") > 0
    assert client.set("a", "6", px=50000) is True
    assert 0 < client.pttl("a") <= 50000
    assert client.set("a", "7") is True
    assert client.ttl("a") == -1


def test_string_commands(client):
    assert client.mset({"a": 1, "b": "x"}) is True
    assert client.mget(["a", "b", "nope"]) == [1, "x", None]
    assert client.msetnx("a", 2, "c", 3) is False
    assert client.msetnx([("c", 3), ("d", 4)]) is True
    assert client.getset("a", [1]) == 1
    assert client.getdel("a") == [1]
    assert client.get("a") is None
    assert client.setnx("e", "v") is True
    assert client.setnx("e", "w") is False
    assert client.setex("f", 100, {"x": 1}) is True
    assert client.get("f") == {"x": 1} and 0 < client.ttl("f") <= 100
    assert client.psetex("g", 100000, 2.5) is True
    assert client.getex("g", persist=True) == 2.5 and client.ttl("g") == -1
    assert client.getex("g", ex=50) == 2.5 and 0 < client.ttl("g") <= 50
    # counters and plain strings work on values stored as strings
    assert client.execute_command("SET", "n", 10) == "OK"          # plain: stored as b"10"
    assert client.incr("n") == 11
    assert client.incrby("n", 5) == 16
    assert client.decr("n") == 15
    assert client.decrby("n", 10) == 5
    assert client.incrbyfloat("n", 0.5) == 5.5
    assert client.append("s", "ab") == 2
    assert client.append("s", b"cd") == 4
    assert client.strlen("s") == 4
    assert client.get("s") == "abcd"


def test_typed_int_is_not_a_counter(client):
    client.set("t", 10)            # a native int: the server refuses string commands on it
    with pytest.raises(ResponseError, match="WRONGTYPE"):
        client.incr("t")


def test_keys_commands(client):
    client.mset("a", 1, "b", 2, "c", 3)
    assert client.exists("a", "b", "zz") == 2
    assert sorted(client.keys()) == ["a", "b", "c"]
    assert sorted(client.keys("[ab]")) == ["a", "b"]
    assert sorted(client.scan_iter()) == ["a", "b", "c"]
    assert sorted(client.scan_iter(match="a*", count=1)) == ["a"]
    cursor, keys = client.scan(0, count=100)
    assert cursor == 0 and sorted(keys) == ["a", "b", "c"]
    assert client.type("a") == "string" and client.type("zz") == "none"
    assert client.expire("a", 100) is True and client.expire("zz", 100) is False
    assert client.pexpire("b", 100000) is True
    assert client.expireat("c", int(time.time()) + 100) is True
    assert 0 < client.ttl("c") <= 100
    assert client.persist("c") is True and client.persist("c") is False
    assert client.rename("a", "a2") is True
    assert client.renamenx("a2", "b") is False
    assert client.renamenx("a2", "a3") is True
    assert client.unlink("a3") == 1
    assert client.delete("b", "c", "zz") == 2
    assert client.dbsize() == 0
    with pytest.raises(ResponseError, match="no such key"):
        client.rename("nope", "x")


def test_keys_of_str_bytes_int_are_one_key(client):
    client.set(1, "one")
    assert client.get("1") == "one" and client.get(b"1") == "one"
    client.set("é", b"x")
    assert client.get("é".encode()) == b"x"
    with pytest.raises(TypeError):
        client.get(None)


def test_server_commands(client):
    assert client.ping() is True
    assert client.echo("hello") == "hello"
    info = client.info()
    assert info["redis_version"].startswith("7.0")
    assert isinstance(info["tcp_port"], int)
    client.set("a", 1)
    assert client.info("keyspace")["db0"]["keys"] == 1
    assert client.flushdb() is True and client.dbsize() == 0
    client.set("a", 1)
    assert client.flushall() is True and client.dbsize() == 0


def test_select_and_db_argument(server, client):
    client.set("k", "db0")
    other = Client(port=server.port, db=3)
    assert other.get("k") is None
    other.set("k", "db3")
    assert client.get("k") == "db0"
    assert client.select(3) is True
    assert client.db == 3 and client.get("k") == "db3"
    with pytest.raises(ResponseError):
        client.select(100000)
    assert client.db == 3
    other.flushdb()
    other.close()


def test_from_url(server):
    c = Client.from_url("redis://127.0.0.1:%d/2" % server.port)
    assert c.db == 2
    c.set("u", [1])
    assert Client(port=server.port, db=2).get("u") == [1]
    c.flushdb()
    c.close()
    c = Client.from_url("redis://user:p%%40ss@localhost:%d/5?socket_timeout=3" % server.port)
    kw = c.pool.connection_kwargs
    assert (kw["username"], kw["password"], kw["host"], kw["db"], kw["socket_timeout"]) == \
        ("user", "p@ss", "localhost", 5, 3.0)
    c = Client.from_url("unix:///tmp/redlet.sock?db=4")
    kw = c.pool.connection_kwargs
    assert kw["unix_socket_path"] == "/tmp/redlet.sock" and kw["db"] == 4
    with pytest.raises(ValueError):
        Client.from_url("http://x")


def test_unix_socket(tmp_path):
    path = str(tmp_path / "redlet.sock")
    s = RedletProcess(extra=["--unixsocket", path]).start()
    try:
        for _ in range(100):
            if os.path.exists(path):
                break
            time.sleep(0.05)
        c = Client.from_url("unix://%s?db=1" % path)
        c.set("k", {"a": b"b"})
        assert c.get("k") == {"a": b"b"}
        assert Client(port=s.port, db=1).get("k") == {"a": b"b"}
        c.close()
    finally:
        s.stop()


def test_auth_on_connect():
    s = RedletProcess(extra=["--requirepass", "sekrit"]).start()
    try:
        c = Client(port=s.port, password="sekrit")
        assert c.set("k", 1) is True and c.get("k") == 1
        c.close()
        assert Client.from_url("redis://:sekrit@127.0.0.1:%d" % s.port).get("k") == 1
        with pytest.raises(ResponseError):
            Client(port=s.port, password="wrong").ping()
        with pytest.raises(ResponseError, match="NOAUTH"):
            Client(port=s.port).get("k")
    finally:
        s.stop()


# -- errors ------------------------------------------------------------------------------
def test_error_reply_raises(client):
    with pytest.raises(ResponseError, match="unknown command") as e:
        client.execute_command("NOSUCH", "x")
    assert e.value.message.startswith("ERR unknown command")
    assert client.ping() is True     # the connection stays usable


def test_unsupported_type_sends_nothing(server, client, monkeypatch):
    sent = []
    conn, _ = client.pool.get_connection()
    real = conn.sock

    class Spy:
        def __getattr__(self, name):
            return getattr(real, name)

        def sendall(self, data):
            sent.append(data)
            return real.sendall(data)

    conn.sock = Spy()
    client.pool.release(conn)
    for bad in (object(), {1: object()}, [1, 2, {3j}], complex(1, 2), {(1, 2): 3}, Typed):
        with pytest.raises(TypeError):
            client.set("k", bad)
    for bad in (2 ** 63, -2 ** 63 - 1, [1, 2 ** 64], {"a": {"b": -2 ** 70}}):
        with pytest.raises(ValueError):
            client.set("k", bad)
    deep = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(ValueError):
        client.set("k", deep)
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError):
        client.set("k", loop)
    with pytest.raises(TypeError):
        client.execute_command("SET", "k", [1])           # native values need Typed()
    p = client.pipeline()
    with pytest.raises(TypeError):
        p.set("k", object())
    assert len(p) == 0
    assert sent == []
    assert client.set("k", 2 ** 63 - 1) is True and client.get("k") == 2 ** 63 - 1
    assert client.set("k", -2 ** 63) is True and client.get("k") == -2 ** 63
    assert client.execute_command("SET", "k", Typed([1, "a"])) == "OK"
    assert client.get("k") == [1, "a"]
    assert sent        # the same connection, now used


def test_connection_refused():
    c = Client(port=free_port(), socket_timeout=1)
    with pytest.raises(ConnectionError):
        c.ping()
    with pytest.raises(OSError):         # also the builtin ConnectionError's family
        c.get("x")


def test_timeout():
    # a listener that accepts and never answers stands in for a stuck server
    with socket.socket() as lsock:
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(1)
        c = Client(port=lsock.getsockname()[1], socket_timeout=0.3)
        t0 = time.monotonic()
        with pytest.raises(redlet.client.TimeoutError):
            c.ping()
        assert time.monotonic() - t0 < 3
        assert c.pool._idle == []          # a timed-out connection is not reused


def test_server_restart_reconnects():
    s = RedletProcess().start()
    try:
        c = Client(port=s.port)
        c.set("k", [1, 2])
        assert c.get("k") == [1, 2]
        s.stop()
        s.start()                     # same port, an empty server
        assert c.get("k") is None     # the dead idle connection is replaced, once
        assert c.set("k", "back") is True and c.get("k") == "back"
        p = c.pipeline()
        s.stop()
        s.start()
        assert p.set("a", 1).get("a").execute() == [True, 1]
        s.stop()
        with pytest.raises(ConnectionError):
            c.get("k")
    finally:
        s.stop()


# -- pipelines ---------------------------------------------------------------------------
def test_pipeline(client):
    p = client.pipeline()
    assert p.set("a", {"x": [1]}) is p
    p.get("a").incr("a").mget("a", "zz").delete("a").execute_command("NOSUCH")
    assert len(p) == 6
    r = p.execute()
    assert r[:2] == [True, {"x": [1]}]
    assert isinstance(r[2], ResponseError) and "WRONGTYPE" in str(r[2])
    assert r[3] == [{"x": [1]}, None] and r[4] == 1
    assert isinstance(r[5], ResponseError)
    assert len(p) == 0 and p.execute() == []
    with client.pipeline() as p:
        p.set("b", 1).execute_command("NOSUCH")
        with pytest.raises(ResponseError):
            p.execute(raise_on_error=True)


def test_pipeline_is_one_write(client, monkeypatch):
    conn, _ = client.pool.get_connection()
    writes = []
    real_send = conn.send
    monkeypatch.setattr(conn, "send", lambda data: (writes.append(data), real_send(data))[1])
    client.pool.release(conn)
    p = client.pipeline()
    for i in range(100):
        p.set("k%d" % i, [i, str(i)])
    for i in range(100):
        p.get("k%d" % i)
    r = p.execute()
    assert len(writes) == 1
    assert r[:100] == [True] * 100 and r[100:] == [[i, str(i)] for i in range(100)]


def test_pipeline_select_does_not_leak_db(client):
    p = client.pipeline()
    p.select(5).set("k", "in5")
    assert p.execute() == [True, True]
    assert client.get("k") is None
    assert Client(port=client.pool.connection_kwargs["port"], db=5).getdel("k") == "in5"


# -- dict-style access and lifetime --------------------------------------------------------
def test_mapping_protocol(client):
    client["a"] = [1, None]
    assert client["a"] == [1, None]
    client["n"] = None
    assert client["n"] is None            # a stored None is a value, not a missing key
    assert "a" in client and "zz" not in client
    assert len(client) == 2
    assert sorted(client) == ["a", "n"]
    with pytest.raises(KeyError):
        client["zz"]
    del client["a"]
    with pytest.raises(KeyError):
        del client["a"]
    assert len(client) == 1


def test_context_manager_and_close(server):
    with Client(port=server.port) as c:
        assert c.ping() is True
        assert len(c.pool._idle) == 1
    assert c.pool._idle == []
    assert c.ping() is True                # usable again: reconnects
    c.close()


def test_threads_share_the_pool(client):
    errors = []

    def work(n):
        try:
            for i in range(200):
                client.set("t%d" % n, [n, i])
                assert client.get("t%d" % n) == [n, i]
        except Exception as e:        # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert 1 <= len(client.pool._idle) <= 8
    assert client.mget(["t%d" % n for n in range(8)]) == [[n, 199] for n in range(8)]


def test_gevent_monkey_patched(server):
    code = r"""
import gevent.monkey; gevent.monkey.patch_all()
import gevent, sys
from redlet.client import Client
c = Client(port=int(sys.argv[1]))
def work(n):
    for i in range(50):
        c.set("g%d" % n, {"i": i})
        assert c.get("g%d" % n) == {"i": i}
gevent.joinall([gevent.spawn(work, n) for n in range(20)], raise_error=True)
assert 1 <= len(c.pool._idle) <= 20, len(c.pool._idle)
print("ok", len(c.pool._idle))
"""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.abspath(SRC)
    out = subprocess.run([sys.executable, "-c", code, str(server.port)], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok")


# -- interoperability ----------------------------------------------------------------------
@pytest.mark.parametrize("protocol", [2, 3])
def test_redis_py_reads_native_values(client, server, protocol):
    value = {"s": "x", "b": b"\x00\xff", "t": b"text", "i": -5, "f": 1.5, "n": None,
             "yes": True, "l": [1, [2, {3: "three"}]], "set": {1, "a"}}
    client.set("nv", value)
    client.set("plain", "hello")
    r = redis.Redis(port=server.port, protocol=protocol)
    got = r.get("nv")
    assert got is not None
    assert r.get("plain") == b"hello"
    assert r.type("nv") == b"string"
    if protocol == 3:
        assert got[b"i"] == -5 and got[b"f"] == 1.5 and got[b"b"] == b"\x00\xff"
        assert got[b"t"] == BYTES_MARK + b"text"
    r.set("from-redis-py", "text")
    r.set("bin-redis-py", b"\x80\x00")
    assert client.mget("from-redis-py", "bin-redis-py") == ["text", b"\x80\x00"]
    r.close()


def test_decode_false_client(server, client):
    raw = Client(port=server.port, decode=False)
    raw.set("k", b"text")
    assert raw.get("k") == b"text"
    assert client.get("k") == "text"          # not marked: decoded as text
    client.set("m", b"text")
    assert raw.get("m") == BYTES_MARK + b"text"
    assert raw.type("m") == "string"
    raw.close()


# -- asyncio -------------------------------------------------------------------------------
def test_async_client(server):
    async def main():
        async with AsyncClient(port=server.port, db=1) as c:
            assert await c.set("a", {"x": [1, b"b"]}) is True
            assert await c.get("a") == {"x": [1, b"b"]}
            assert await c.mset("b", 1, "c", {2.5}) is True
            assert await c.mget("a", "b", "c", "d") == [{"x": [1, b"b"]}, 1, {2.5}, None]
            results = await asyncio.gather(*(c.set("p%d" % i, i) for i in range(20)))
            assert results == [True] * 20
            assert await c.execute_command("DBSIZE") == 23
            with pytest.raises(ResponseError):
                await c.execute_command("NOSUCH")
            with pytest.raises(TypeError):
                c.set("a", object())
            assert await c.delete("a", "b", "zz") == 2
            await c.flushdb()
    asyncio.run(main())


# -- the sans-IO reply parser ---------------------------------------------------------------
REPLIES = [
    (b"+OK\r\n", "OK"),
    (b"-ERR bad\r\n", ResponseError("ERR bad")),
    (b":-12\r\n", -12),
    (b"$5\r\nhello\r\n", "hello"),
    (b"$-1\r\n", None),
    (b"*-1\r\n", None),
    (b"$0\r\n\r\n", ""),
    (b"$4\r\n\xc1bab\r\n", b"ab"),
    (b"$2\r\n\xff\x00\r\n", b"\xff\x00"),
    (b"*3\r\n:1\r\n*0\r\n%0\r\n", [1, [], {}]),
    (b"%2\r\n+a\r\n:1\r\n$1\r\nb\r\n*2\r\n#t\r\n#f\r\n", {"a": 1, "b": [True, False]}),
    (b"~3\r\n:1\r\n*2\r\n:1\r\n:2\r\n~1\r\n:3\r\n", {1, (1, 2), frozenset({3})}),
    (b",1.5\r\n", 1.5), (b",inf\r\n", float("inf")), (b",-inf\r\n", float("-inf")),
    (b",-0\r\n", -0.0), (b"_\r\n", None),
    (b"(123456789012345678901234567890\r\n", 123456789012345678901234567890),
    (b"=9\r\ntxt:hello\r\n", "hello"),
    (b"!7\r\nERR b\r\n\r\n", ResponseError("ERR b\r\n")),
    (b"|1\r\n+ttl\r\n:3\r\n:42\r\n", 42),
    (b"*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n", [1, 2]),
    (b"%1\r\n*2\r\n:1\r\n:2\r\n+v\r\n", {(1, 2): "v"}),
]


def _same(a, b):
    if isinstance(a, ResponseError):
        return isinstance(b, ResponseError) and str(a) == str(b)
    return type(a) is type(b) and a == b and repr(a) == repr(b) or (
        isinstance(a, (set, frozenset)) and a == b)


@pytest.mark.parametrize("data,expected", REPLIES)
def test_reply_parser_every_split(data, expected):
    whole = ReplyParser()
    whole.feed(data)
    assert _same(whole.get(), expected)
    assert whole.get() is NEED_DATA
    for cut in range(1, len(data)):
        p = ReplyParser()
        p.feed(data[:cut])
        got = p.get()
        if got is NEED_DATA:
            p.feed(data[cut:])
            got = p.get()
        assert _same(got, expected), (cut, got)
        assert p.get() is NEED_DATA and not p.pending()


def test_reply_parser_byte_by_byte_stream():
    stream = b"".join(d for d, _ in REPLIES)
    p = ReplyParser()
    got = []
    for i in range(len(stream)):
        p.feed(stream[i:i + 1])
        while True:
            r = p.get()
            if r is NEED_DATA:
                break
            got.append(r)
    assert len(got) == len(REPLIES)
    assert all(_same(g, e) for g, (_, e) in zip(got, REPLIES))


def test_reply_parser_push_and_raw_mode():
    p = ReplyParser()
    p.feed(b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n")
    r = p.get()
    assert type(r) is Push and r == ["message", "ch", "hi"]
    raw = ReplyParser(decode=False)
    raw.feed(b"$4\r\n\xc1bab\r\n+OK\r\n")
    assert raw.get() == b"\xc1bab" and raw.get() == b"OK"


@pytest.mark.parametrize("bad", [b"?x\r\n", b":12a\r\n", b"$3\r\nabcd\r\n", b"#x\r\n",
                                 b",1.2.3\r\n", b"*-2\r\n", b"$-5\r\n"])
def test_reply_parser_rejects_garbage(bad):
    p = ReplyParser()
    p.feed(bad)
    with pytest.raises(ProtocolError):
        p.get()


def test_request_encoding():
    assert encode_request(("SET", "k", "v"), (2,)) == b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"
    assert encode_request(("GET", 12)) == b"*2\r\n$3\r\nGET\r\n$2\r\n12\r\n"
    assert encode_value(1.5) == b",1.5\r\n"
    assert encode_value(0.1) == b",0.1\r\n"
    assert encode_value(-0.0) == b",-0.0\r\n"
    assert encode_value(float("inf")) == b",inf\r\n"
    assert encode_value(True) == b"#t\r\n" and encode_value(None) == b"_\r\n"
    assert encode_value(b"\xff") == b"$1\r\n\xff\r\n"            # binary: as it is
    assert encode_value(b"ab") == b"$4\r\n\xc1bab\r\n"          # text-like bytes: marked
    assert encode_value(BYTES_MARK + b"\xff") == b"$5\r\n\xc1b\xc1b\xff\r\n"
    assert encode_value(b"ab", scheme=False) == b"$2\r\nab\r\n"
    assert encode_value({"a": (1,)}) == b"%1\r\n$1\r\na\r\n*1\r\n:1\r\n"
    assert encode_value(frozenset({2})) == b"~1\r\n:2\r\n"
