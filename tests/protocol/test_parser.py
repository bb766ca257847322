"""The request parser, both implementations: every frame split at every byte."""
import pytest
from hypothesis import given, settings, strategies as st

from redlet.protocol import (HiredisRequestParser, PythonRequestParser, RespSet, TypedRequest,
                             encode_command, split_args)
from redlet.protocol import parser as parser_mod

PARSERS = [PythonRequestParser, HiredisRequestParser]


def feed_all(parser, chunks):
    reqs = []
    for c in chunks:
        out, err = parser.feed(c)
        reqs.extend(out)
        if err is not None:
            return reqs, err.reply
    return reqs, None


FRAMES = [
    (b"*1\r\n$4\r\nPING\r\n", [[b"PING"]]),
    (b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$0\r\n\r\n", [[b"SET", b"a", b""]]),
    (b"PING\r\n", [[b"PING"]]),
    (b"PING\n", [[b"PING"]]),
    (b"SET a b\r\nGET a\r\n", [[b"SET", b"a", b"b"], [b"GET", b"a"]]),
    (b'SET "a b" \'c d\'\r\n', [[b"SET", b"a b", b"c d"]]),
    (b'ECHO "\\x41\\n"\r\n', [[b"ECHO", b"A\n"]]),
    (b"\r\n\r\nPING\r\n", [[b"PING"]]),
    (b"*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n", [[b"PING"]]),
    (b"*1\r\n$4\r\nPING\r\nPING\r\n*1\r\n$4\r\nPING\r\n", [[b"PING"]] * 3),
    (b"*2\r\n$4\r\nECHO\r\n$4\r\na\r\nb\r\n", [[b"ECHO", b"a\r\nb"]]),
    (b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n:42\r\n", [[b"SET", b"k", 42]]),
    (b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n,1.5\r\n", [[b"SET", b"k", 1.5]]),
    (b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n_\r\n", [[b"SET", b"k", None]]),
    (b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n#t\r\n", [[b"SET", b"k", True]]),
    (b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n*2\r\n$1\r\na\r\n:1\r\n", [[b"SET", b"k", [b"a", 1]]]),
    (b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n%1\r\n$1\r\na\r\n*1\r\n,2.5\r\n",
     [[b"SET", b"k", {b"a": [2.5]}]]),
    (b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n~2\r\n:1\r\n:2\r\n", [[b"SET", b"k", RespSet([1, 2])]]),
    # a complete request, then something that is not one: the chunk ends
    # inside a top-level bulk, after an inline line, inside a typed element
    (b"*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n$12\r\n$3\r\nfoo\r\n",
     [[b"GET", b"foo"], [b"$12"], [b"$3"], [b"foo"]]),
    (b"*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n$3\r\nfoo\r\n", [[b"GET", b"foo"], [b"$3"], [b"foo"]]),
    (b"*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n:12\r\n", [[b"GET", b"foo"], [b":12"]]),
    (b"*2\r\n$4\r\nECHO\r\n$2\r\n-5\r\n*2\r\n$4\r\nECHO\r\n$2\r\n+5\r\n",
     [[b"ECHO", b"-5"], [b"ECHO", b"+5"]]),
]


@pytest.mark.parametrize("make", PARSERS)
@pytest.mark.parametrize("frame,expected", FRAMES)
def test_every_split(make, frame, expected):
    for i in range(len(frame) + 1):
        for j in range(i, len(frame) + 1):
            p = make()
            reqs, err = feed_all(p, [frame[:i], frame[i:j], frame[j:]])
            assert err is None, (i, j, err)
            assert reqs == expected, (i, j)
            assert [type(x) for r in reqs for x in r] == \
                [type(x) for r in expected for x in r]
            assert p.at_boundary


@pytest.mark.parametrize("make", PARSERS)
def test_typed_requests_are_marked(make):
    reqs, _ = make().feed(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n:1\r\n*1\r\n$4\r\nPING\r\n")
    assert type(reqs[0]) is TypedRequest
    assert type(reqs[1]) is list
    assert type(reqs[0][2]) is int


@pytest.mark.parametrize("make", PARSERS)
def test_set_stays_a_set(make):
    reqs, _ = make().feed(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n~1\r\n$1\r\nx\r\n")
    assert type(reqs[0][2]) is RespSet


ERRORS = [
    (b"*x\r\n", "ERR Protocol error: invalid multibulk length"),
    (b"*1\r\nx\r\n", "ERR Protocol error: expected '$', got 'x'"),
    (b"*1\r\n$-5\r\n", "ERR Protocol error: invalid bulk length"),
    (b"*1\r\n$2147483648\r\n", "ERR Protocol error: invalid bulk length"),
    (b"*1\r\n$01\r\n", "ERR Protocol error: invalid bulk length"),
    (b"*03\r\n", "ERR Protocol error: invalid multibulk length"),
    (b"*2147483648\r\n", "ERR Protocol error: invalid multibulk length"),
    (b'SET "a\r\n', "ERR Protocol error: unbalanced quotes in request"),
    (b'SET "a"b\r\n', "ERR Protocol error: unbalanced quotes in request"),
    (b"*1\r\n+OK\r\n", "ERR Protocol error: expected '$', got '+'"),
]


@pytest.mark.parametrize("make", PARSERS)
@pytest.mark.parametrize("frame,message", ERRORS)
def test_errors(make, frame, message):
    for i in range(len(frame) + 1):
        p = make()
        reqs, err = feed_all(p, [b"*1\r\n$4\r\nPING\r\n" + frame[:i], frame[i:]])
        assert reqs == [[b"PING"]]
        assert err == message, i


@pytest.mark.parametrize("make", PARSERS)
def test_inline_too_big(make):
    p = make()
    out, err = p.feed(b"x" * (64 * 1024 + 1))
    assert err.reply == "ERR Protocol error: too big inline request"


@pytest.mark.parametrize("make", PARSERS)
def test_mbulk_count_too_big(make):
    out, err = make().feed(b"*" + b"1" * (64 * 1024 + 1))
    assert err.reply == "ERR Protocol error: too big mbulk count string"


@pytest.mark.parametrize("make", PARSERS)
def test_bulk_limit_is_configurable(make):
    p = make(max_bulk_len=10)
    out, err = p.feed(b"*1\r\n$11\r\n")
    assert err.reply == "ERR Protocol error: invalid bulk length"


@pytest.mark.parametrize("make", PARSERS)
def test_query_buffer_limit_closes_without_reply(make):
    p = make(query_buffer_limit=1000)
    out, err = p.feed(b"*1\r\n$5000\r\n" + b"x" * 1500)
    assert err is not None and err.reply is None


@pytest.mark.parametrize("make", PARSERS)
def test_unauthenticated_limits(make):
    p = make()
    p.authenticated = False
    out, err = p.feed(b"*11\r\n")
    assert err.reply == "ERR Protocol error: unauthenticated multibulk length"
    p = make()
    p.authenticated = False
    out, err = p.feed(b"*1\r\n$16385\r\n")
    assert err.reply == "ERR Protocol error: unauthenticated bulk length"


@pytest.mark.parametrize("make", PARSERS)
def test_nesting_limit(make):
    deep = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n" + b"*1\r\n" * 100 + b":1\r\n"
    out, err = make().feed(deep)
    assert err.reply == "ERR Protocol error: typed value nested too deep"


@pytest.mark.parametrize("make", PARSERS)
def test_large_bulk_in_many_reads(make):
    value = bytes(range(256)) * 4096
    frame = encode_command([b"SET", b"k", value])
    p = make()
    reqs = []
    for i in range(0, len(frame), 1000):
        out, err = p.feed(frame[i:i + 1000])
        assert err is None
        reqs.extend(out)
    assert reqs == [[b"SET", b"k", value]]


def test_hiredis_batches_go_to_hiredis(monkeypatch):
    """The fast path is really taken for plain pipelines."""
    p = HiredisRequestParser()
    calls = []
    orig = p._py.feed
    monkeypatch.setattr(p._py, "feed", lambda d: calls.append(d) or orig(d))
    batch = encode_command([b"SET", b"k", b"v"]) * 16
    out, err = p.feed(batch)
    assert len(out) == 16 and err is None
    assert calls == []


args_strategy = st.lists(st.binary(max_size=20), min_size=1, max_size=5)


@settings(max_examples=200, deadline=None)
@given(st.lists(args_strategy, min_size=1, max_size=6), st.data())
def test_parsers_agree_on_random_pipelines(commands, data):
    stream = b"".join(encode_command(c) for c in commands)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=4)))
    chunks = [stream[a:b] for a, b in zip([0] + cuts, cuts + [len(stream)])]
    results = [feed_all(make(), chunks) for make in PARSERS]
    assert results[0] == results[1] == (commands, None)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_parsers_agree_on_garbage(data):
    a = feed_all(PythonRequestParser(), [data])
    b = feed_all(HiredisRequestParser(), [data])
    assert a == b


def test_split_args():
    assert split_args(b"a  b\tc") == [b"a", b"b", b"c"]
    assert split_args(b'"a\\"b"') == [b'a"b']
    assert split_args(b"'it\\'s'") == [b"it's"]
    assert split_args(b'"unterminated') is None
    assert split_args(b"") == []


def test_module_has_hiredis():
    assert parser_mod.hiredis is not None
