"""Reply encoding in RESP3 and its RESP2 downgrade."""
import math

import pytest

from redlet.errors import ReplyError
from redlet.protocol import (NULL_ARRAY, Push, Raw, Replies, RespSet, Status, Verbatim,
                             encode, encode_typed, format_double, parse_typed)

CASES = [
    (b"abc", b"$3\r\nabc\r\n", b"$3\r\nabc\r\n"),
    (b"", b"$0\r\n\r\n", b"$0\r\n\r\n"),
    (b"x" * 2000, b"$2000\r\n" + b"x" * 2000 + b"\r\n", b"$2000\r\n" + b"x" * 2000 + b"\r\n"),
    (0, b":0\r\n", b":0\r\n"),
    (-1, b":-1\r\n", b":-1\r\n"),
    (2 ** 63 - 1, b":9223372036854775807\r\n", b":9223372036854775807\r\n"),
    (None, b"$-1\r\n", b"_\r\n"),
    (NULL_ARRAY, b"*-1\r\n", b"_\r\n"),
    (1.5, b"$3\r\n1.5\r\n", b",1.5\r\n"),
    (0.1, b"$19\r\n0.10000000000000001\r\n", b",0.10000000000000001\r\n"),
    (math.inf, b"$3\r\ninf\r\n", b",inf\r\n"),
    (-math.inf, b"$4\r\n-inf\r\n", b",-inf\r\n"),
    (True, b":1\r\n", b"#t\r\n"),
    (False, b":0\r\n", b"#f\r\n"),
    ([b"a", 1], b"*2\r\n$1\r\na\r\n:1\r\n", b"*2\r\n$1\r\na\r\n:1\r\n"),
    ({b"a": 1}, b"*2\r\n$1\r\na\r\n:1\r\n", b"%1\r\n$1\r\na\r\n:1\r\n"),
    (RespSet([b"a"]), b"*1\r\n$1\r\na\r\n", b"~1\r\n$1\r\na\r\n"),
    (Status(b"OK"), b"+OK\r\n", b"+OK\r\n"),
    (Verbatim(b"hi"), b"$2\r\nhi\r\n", b"=6\r\ntxt:hi\r\n"),
    (Push([b"message", b"c", b"m"]), b"*3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n",
     b">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n"),
    (Raw(b"+X\r\n"), b"+X\r\n", b"+X\r\n"),
    (Replies([1, 2]), b":1\r\n:2\r\n", b":1\r\n:2\r\n"),
    (ReplyError("ERR bad\r\nthing"), b"-ERR bad  thing\r\n", b"-ERR bad  thing\r\n"),
    ([[b"a", {b"k": [1.5, None]}]],
     b"*1\r\n*2\r\n$1\r\na\r\n*2\r\n$1\r\nk\r\n*2\r\n$3\r\n1.5\r\n$-1\r\n",
     b"*1\r\n*2\r\n$1\r\na\r\n%1\r\n$1\r\nk\r\n*2\r\n,1.5\r\n_\r\n"),
]


@pytest.mark.parametrize("value,resp2,resp3", CASES)
def test_encode(value, resp2, resp3):
    assert encode(value, False) == resp2
    assert encode(value, True) == resp3


def test_format_double():
    assert format_double(3.0) == b"3"
    assert format_double(1e100) == b"1e+100"
    assert format_double(float("nan")) == b"nan"


def test_typed_round_trip():
    v = {b"a": [1, 2.5, None, True, RespSet([b"x"]), {b"n": -3}]}
    back = parse_typed(encode_typed(v))
    assert back == v
    assert type(back[b"a"][4]) is RespSet


def test_parse_typed_rejects_trailing_and_truncated():
    with pytest.raises(ValueError):
        parse_typed(b":1\r\n:2\r\n")
    with pytest.raises(ValueError):
        parse_typed(b"*2\r\n:1\r\n")


def test_unknown_type_refused():
    with pytest.raises(TypeError):
        encode(object())
