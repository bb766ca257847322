"""Hypothesis round trips of nested native values through a real redlet:
what ``Client.set`` stores, ``Client.get`` returns exactly (types included:
str vs bytes, bool vs int, -0.0, set vs list), and redis-py reads the same
keys over RESP2 and RESP3 without a protocol error."""
import math
import os
import socket
import subprocess
import sys
import time

import pytest
import redis
from hypothesis import HealthCheck, given, settings, strategies as st

from redlet.client import Client
from redlet.client.reply import ReplyParser, decode_bulk, encode_value

SRC = os.path.join(os.path.dirname(__file__), "..", "..", "src")
EXAMPLES = int(os.environ.get("REDLET_ROUNDTRIP_EXAMPLES", "3000"))


@pytest.fixture(scope="module")
def port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.abspath(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.Popen([sys.executable, "-m", "redlet", "--port", str(port), "--bind",
                             "127.0.0.1", "--save", "", "--appendonly", "no"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def client(port):
    c = Client(port=port)
    yield c
    c.close()


def same(a, b):
    """Exact equality: same types all the way down, floats bit for bit (-0.0,
    NaN), sets compared as sets of exactly equal members."""
    ta, tb = type(a), type(b)
    if ta in (set, frozenset) and tb in (set, frozenset):
        if len(a) != len(b):
            return False
        rest = list(b)
        for x in a:
            for i, y in enumerate(rest):
                if same(x, y):
                    del rest[i]
                    break
            else:
                return False
        return True
    if ta is not tb:
        return False
    if ta is float:
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) ==
                                                    math.copysign(1, b))
    if ta is list or ta is tuple:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if ta is dict:
        if len(a) != len(b):
            return False
        # dict iteration order survives the server: compare pairwise
        return all(same(ka, kb) and same(va, vb)
                   for (ka, va), (kb, vb) in zip(a.items(), b.items()))
    return a == b


int64 = st.integers(min_value=-2 ** 63, max_value=2 ** 63 - 1)
floats = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True) | st.sampled_from(
    [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 0.1, 1.5])
strings = st.text() | st.sampled_from(["", "\x00", "é", "\U0001F600", "\r\n", "$3"])
binaries = st.binary() | st.sampled_from(
    [b"", b"\xc1b", b"\xc1b\xc1b", b"\xc1", b"\xff\xfe", b"ascii", b"\x80abc", b"\xc1bx"])
scalars = st.one_of(strings, binaries, int64, floats, st.booleans(), st.none())
# set members and map keys: hashable, and not NaN (NaN != NaN in a Python set);
# set members may be tuples of scalars (they come back as tuples)
hashable_scalars = st.one_of(strings, binaries, int64, st.booleans(), st.none(),
                             st.floats(allow_nan=False))
set_members = hashable_scalars | st.tuples(hashable_scalars, hashable_scalars)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=6),
        st.dictionaries(st.one_of(strings, int64, binaries), inner, max_size=6),
        st.sets(set_members, max_size=6),
    ),
    max_leaves=30,
)


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(value=values)
def test_native_value_round_trip(client, value):
    assert client.set("rt", value) is True
    got = client.get("rt")
    assert same(got, value), (value, got)


@settings(max_examples=max(EXAMPLES // 10, 50), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(items=st.dictionaries(st.text(min_size=1, max_size=8), values, min_size=1, max_size=5))
def test_mset_mget_pipeline_round_trip(client, items):
    assert client.mset(items) is True
    keys = list(items)
    got = client.mget(keys)
    assert all(same(g, items[k]) for g, k in zip(got, keys))
    p = client.pipeline()
    for k in keys:
        p.getset(k, [k]).get(k)
    r = p.execute()
    assert all(same(r[2 * i], items[k]) and r[2 * i + 1] == [k] for i, k in enumerate(keys))
    client.delete(*keys)


@settings(max_examples=EXAMPLES, deadline=None)
@given(value=values)
def test_codec_round_trip_without_a_server(value):
    """encode_value then the reply parser (what the server echoes back)."""
    p = ReplyParser()
    p.feed(encode_value(value))
    assert same(p.get(), value)


@given(b=st.binary())
def test_bytes_scheme_is_a_bijection(b):
    p = ReplyParser()
    p.feed(encode_value(b))
    assert p.get() == b and type(decode_bulk(b"x")) is str


@pytest.mark.parametrize("protocol", [2, 3])
@settings(max_examples=max(EXAMPLES // 10, 50), deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(value=values)
def test_redis_py_reads_stored_values(client, port, protocol, value):
    client.set("rp", value)
    r = _redis_py(port, protocol)
    got = r.get("rp")
    assert got is not None or value is None
    assert r.type("rp") == b"string"
    r.execute_command("GETDEL", "rp")


_CLIENTS = {}


def _redis_py(port, protocol):
    key = (port, protocol)
    if key not in _CLIENTS:
        _CLIENTS[key] = redis.Redis(port=port, protocol=protocol)
    return _CLIENTS[key]
