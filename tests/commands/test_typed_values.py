"""The seed's native values on the server: typed request elements stored and
returned with their type (RESP3) or downgraded (RESP2)."""
import pytest

from redlet.protocol import make_parser


def send(engine, client, raw):
    reqs, err = make_parser().feed(raw)
    assert err is None
    return engine.process_batch(client, reqs)


SET_NESTED = (b"*3\r\n$3\r\nSET\r\n$2\r\nkx\r\n%1\r\n$2\r\nvx\r\n%2\r\n$2\r\nvy\r\n:0\r\n"
              b"$2\r\nvz\r\n*3\r\n:1\r\n:2\r\n,1.5\r\n")


def test_nested_value_round_trip_resp3(engine, session):
    s = session(resp3=True)
    assert send(engine, s.client, SET_NESTED) == b"+OK\r\n"
    assert s("GET", "kx") == (b"%1\r\n$2\r\nvx\r\n%2\r\n$2\r\nvy\r\n:0\r\n$2\r\nvz\r\n"
                              b"*3\r\n:1\r\n:2\r\n,1.5\r\n")


def test_nested_value_downgraded_for_resp2(engine, session):
    s = session(resp3=True)
    send(engine, s.client, SET_NESTED)
    r2 = session()
    assert r2("GET", "kx") == (b"*2\r\n$2\r\nvx\r\n*4\r\n$2\r\nvy\r\n:0\r\n$2\r\nvz\r\n"
                               b"*3\r\n:1\r\n:2\r\n$3\r\n1.5\r\n")
    assert r2("TYPE", "kx") == b"+string\r\n"


@pytest.mark.parametrize("raw,resp3", [
    (b":42\r\n", b":42\r\n"), (b",2.5\r\n", b",2.5\r\n"), (b"_\r\n", b"_\r\n"),
    (b"#t\r\n", b"#t\r\n"), (b"~2\r\n:1\r\n$1\r\na\r\n", b"~2\r\n:1\r\n$1\r\na\r\n"),
])
def test_scalars_and_sets(engine, session, raw, resp3):
    s = session(resp3=True)
    assert send(engine, s.client, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n" + raw) == b"+OK\r\n"
    assert s("GET", "k") == resp3
    assert s("MGET", "k", "nokey") == b"*2\r\n" + resp3 + b"_\r\n"


def test_string_commands_refuse_typed_values(engine, session):
    s = session(resp3=True)
    send(engine, s.client, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n*1\r\n:1\r\n")
    wrongtype = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    for cmd in (("APPEND", "k", "x"), ("INCR", "k"), ("GETRANGE", "k", "0", "1"),
                ("STRLEN", "k"), ("SETRANGE", "k", "0", "x")):
        assert s(*cmd) == wrongtype


def test_integer_key_is_its_decimal_bytes(engine, session):
    s = session(resp3=True)
    assert send(engine, s.client, b"*3\r\n$3\r\nSET\r\n:1\r\n$1\r\nv\r\n") == b"+OK\r\n"
    assert s("GET", "1") == b"$1\r\nv\r\n"


def test_mset_getset_getdel_with_typed_values(engine, session):
    s = session(resp3=True)
    raw = b"*5\r\n$4\r\nMSET\r\n$2\r\nk1\r\n$2\r\nv1\r\n$2\r\nk2\r\n*2\r\n$1\r\na\r\n:1\r\n"
    assert send(engine, s.client, raw) == b"+OK\r\n"
    assert s("MGET", "k2", "k1") == b"*2\r\n*2\r\n$1\r\na\r\n:1\r\n$2\r\nv1\r\n"
    raw = b"*3\r\n$6\r\nGETSET\r\n$2\r\nk1\r\n,0.1\r\n"
    assert send(engine, s.client, raw) == b"$2\r\nv1\r\n"
    assert s("GETDEL", "k1") == b",0.10000000000000001\r\n"
    assert s("EXISTS", "k1") == b":0\r\n"


def test_typed_values_survive_the_aof(tmp_path):
    from redlet.app import build_engine
    from redlet.config import Config
    cfg = Config()
    cfg.values.update({"dir": str(tmp_path), "appendonly": True, "appendfsync": "always"})
    e = build_engine(cfg)
    c = e.new_client()
    assert send(e, c, SET_NESTED) == b"+OK\r\n"
    e.aof.shutdown()
    e2 = build_engine(cfg)
    c2 = e2.new_client()
    c2.resp3 = True
    assert e2.process_batch(c2, [[b"GET", b"kx"]]) == (
        b"%1\r\n$2\r\nvx\r\n%2\r\n$2\r\nvy\r\n:0\r\n$2\r\nvz\r\n*3\r\n:1\r\n:2\r\n,1.5\r\n")
    e2.aof.shutdown()
