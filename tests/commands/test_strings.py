"""String and bitmap commands in-process: exact reply bytes for every command,
option and error, plus what a write leaves behind (dirty counter, propagated
commands, keyspace events) and typed (RESP3 native) values."""
from fractions import Fraction

import pytest

from redlet.commands.registry import COMMANDS
from redlet.commands.strings import format_long_double, parse_long_double
from redlet.keyspace.db import now_ms
from redlet.keyspace.values import ListValue, TypedValue
from redlet.protocol import make_parser

OK = b"+OK\r\n"
NIL = b"$-1\r\n"
SYNTAX = b"-ERR syntax error\r\n"
NOT_INT = b"-ERR value is not an integer or out of range\r\n"
NOT_FLOAT = b"-ERR value is not a valid float\r\n"
WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
BIT_OFFSET = b"-ERR bit offset is not an integer or out of range\r\n"
BIT_VALUE = b"-ERR bit is not an integer or out of range\r\n"
INT64_MAX = "9223372036854775807"
INT64_MIN = "-9223372036854775808"


def bulk(v):
    v = v if isinstance(v, bytes) else v.encode()
    return b"$%d\r\n%s\r\n" % (len(v), v)


def integer(n):
    return b":%d\r\n" % n


def arity(name):
    return b"-ERR wrong number of arguments for '%s' command\r\n" % name.encode()


def invalid_expire(name):
    return b"-ERR invalid expire time in '%s' command\r\n" % name.encode()


def check(run, script):
    for cmd, expected in script:
        got = run(*cmd)
        assert got == expected, f"{cmd!r}: expected {expected!r}, got {got!r}"


@pytest.fixture
def listkey(engine):
    engine.dbs[0].data[b"list"] = ListValue([b"a"])
    return "list"


# -- the command table ----------------------------------------------------------------
TABLE = {
    "get": (2, ["readonly", "fast"], (1, 1, 1), "string"),
    "set": (-3, ["write", "denyoom"], (1, 1, 1), "string"),
    "setnx": (3, ["write", "denyoom", "fast"], (1, 1, 1), "string"),
    "setex": (4, ["write", "denyoom"], (1, 1, 1), "string"),
    "psetex": (4, ["write", "denyoom"], (1, 1, 1), "string"),
    "getset": (3, ["write", "denyoom", "fast"], (1, 1, 1), "string"),
    "getdel": (2, ["write", "fast"], (1, 1, 1), "string"),
    "getex": (-2, ["write", "fast"], (1, 1, 1), "string"),
    "mget": (-2, ["readonly", "fast"], (1, -1, 1), "string"),
    "mset": (-3, ["write", "denyoom"], (1, -1, 2), "string"),
    "msetnx": (-3, ["write", "denyoom"], (1, -1, 2), "string"),
    "append": (3, ["write", "denyoom", "fast"], (1, 1, 1), "string"),
    "strlen": (2, ["readonly", "fast"], (1, 1, 1), "string"),
    "incr": (2, ["write", "denyoom", "fast"], (1, 1, 1), "string"),
    "decr": (2, ["write", "denyoom", "fast"], (1, 1, 1), "string"),
    "incrby": (3, ["write", "denyoom", "fast"], (1, 1, 1), "string"),
    "decrby": (3, ["write", "denyoom", "fast"], (1, 1, 1), "string"),
    "incrbyfloat": (3, ["write", "denyoom", "fast"], (1, 1, 1), "string"),
    "getrange": (4, ["readonly"], (1, 1, 1), "string"),
    "substr": (4, ["readonly"], (1, 1, 1), "string"),
    "setrange": (4, ["write", "denyoom"], (1, 1, 1), "string"),
    "lcs": (-3, ["readonly"], (1, 2, 1), "string"),
    "setbit": (4, ["write", "denyoom"], (1, 1, 1), "bitmap"),
    "getbit": (3, ["readonly", "fast"], (1, 1, 1), "bitmap"),
    "bitcount": (-2, ["readonly"], (1, 1, 1), "bitmap"),
    "bitpos": (-3, ["readonly"], (1, 1, 1), "bitmap"),
    "bitop": (-4, ["write", "denyoom"], (2, -1, 1), "bitmap"),
    "bitfield": (-2, ["write", "denyoom"], (1, 1, 1), "bitmap"),
    "bitfield_ro": (-2, ["readonly", "fast"], (1, 1, 1), "bitmap"),
}
TYPED = {"set": (2,), "setnx": (2,), "setex": (3,), "psetex": (3,), "getset": (2,),
         "mset": (2, 4, 6), "msetnx": (2, 4, 6)}


@pytest.mark.parametrize("name", sorted(TABLE))
def test_declared_as_redis(name):
    cmd = COMMANDS[name]
    arity, flags, keys, group = TABLE[name]
    assert cmd.arity == arity
    assert cmd.flag_names == flags
    assert (cmd.first_key, cmd.last_key, cmd.key_step) == keys
    assert cmd.group == group
    assert cmd.summary and cmd.since and cmd.complexity
    if name in TYPED:
        assert list(cmd.fn.typed_positions(7)) == list(TYPED[name])
    else:
        assert not hasattr(cmd.fn, "typed_positions")


def test_bitop_watches_only_its_destination():
    assert COMMANDS["bitop"].write_keys([b"BITOP", b"OR", b"d", b"a", b"b"]) == [b"d"]


# -- GET / SET ------------------------------------------------------------------------
def test_get_set(run):
    check(run, [
        (("SET", "a", "1"), OK), (("GET", "a"), bulk("1")), (("GET", "nokey"), NIL),
        (("SET", "a", ""), OK), (("GET", "a"), bulk("")),
        ((b"SET", b"k\x00", b"\x00\r\n"), OK), ((b"GET", b"k\x00"), bulk(b"\x00\r\n")),
        (("SET", "a"), arity("set")), (("GET",), arity("get")), (("GET", "a", "b"), arity("get")),
    ])


def test_set_nx_xx_get(run):
    check(run, [
        (("SET", "a", "x", "NX"), OK), (("SET", "a", "y", "NX"), NIL), (("GET", "a"), bulk("x")),
        (("SET", "a", "z", "XX"), OK), (("SET", "b", "z", "XX"), NIL), (("EXISTS", "b"), b":0\r\n"),
        (("SET", "a", "v", "NX", "XX"), SYNTAX), (("SET", "a", "v", "xx", "nx"), SYNTAX),
        (("SET", "a", "v", "nx", "NX"), NIL), (("SET", "a", "v1", "GET"), bulk("z")),
        (("SET", "a", "v2", "GET", "get"), bulk("v1")), (("SET", "new", "v", "GET"), NIL),
        (("GET", "new"), bulk("v")), (("SET", "a", "v3", "NX", "GET"), bulk("v2")),
        (("GET", "a"), bulk("v2")), (("SET", "n2", "v", "NX", "GET"), NIL),
        (("GET", "n2"), bulk("v")), (("SET", "n3", "v", "XX", "GET"), NIL),
        (("EXISTS", "n3"), b":0\r\n"), (("SET", "a", "v4", "XX", "GET"), bulk("v2")),
        (("SET", "a", "v", "GETX"), SYNTAX), (("SET", "a", "v", ""), SYNTAX),
        ((b"SET", b"a", b"v5", b"get\x00junk"), bulk("v4")),   # compared as a C string
    ])


def test_set_expiry(run):
    check(run, [
        (("SET", "a", "v", "EX", "100"), OK), (("TTL", "a"), integer(100)),
        (("SET", "a", "v", "PX", "100000"), OK), (("TTL", "a"), integer(100)),
        (("SET", "a", "v", "EXAT", "4102444800"), OK), (("EXPIRETIME", "a"), integer(4102444800)),
        (("SET", "a", "v", "pxat", "4102444800123"), OK),
        (("PEXPIRETIME", "a"), integer(4102444800123)),
        (("SET", "a", "v", "EX", "10", "ex", "100"), OK), (("TTL", "a"), integer(100)),
        (("SET", "a", "v2", "KEEPTTL"), OK), (("TTL", "a"), integer(100)),
        (("SET", "a", "v3", "KEEPTTL", "KEEPTTL", "GET"), bulk("v2")), (("TTL", "a"), integer(100)),
        (("SET", "a", "v4"), OK), (("TTL", "a"), integer(-1)),
        (("SET", "c", "v", "PXAT", "1"), OK), (("GET", "c"), NIL),
        (("SET", "d", "v", "EXAT", "9223372036854775"), OK),
        (("SET", "d", "v", "PXAT", INT64_MAX), OK), (("PEXPIRETIME", "d"), integer(2 ** 63 - 1)),
    ])


@pytest.mark.parametrize("opts", [
    ("EX", "0"), ("EX", "-1"), ("PX", "0"), ("EXAT", "0"), ("PXAT", "-5"),
    ("PX", INT64_MAX), ("EX", "9223372036854775"), ("EX", "9223372036854776"),
    ("EXAT", "9223372036854776"), ("EX", "0", "NX"),
])
def test_set_invalid_expire(run, opts):
    run("SET", "a", "old", "EX", "100")
    assert run("SET", "a", "v", *opts) == invalid_expire("set")
    assert run("GET", "a") == bulk("old")
    assert run("TTL", "a") == integer(100)


@pytest.mark.parametrize("opts,reply", [
    (("EX", "x"), NOT_INT), (("EX", "01"), NOT_INT), (("EX", "1.5"), NOT_INT),
    (("EX", " 1"), NOT_INT), (("EX", "9223372036854775808"), NOT_INT),
    (("EX",), SYNTAX), (("NX", "PX"), SYNTAX), (("EX", "10", "PX", "10"), SYNTAX),
    (("EX", "10", "EXAT", "10"), SYNTAX), (("PXAT", "10", "PX", "10"), SYNTAX),
    (("KEEPTTL", "EX", "1"), SYNTAX), (("EX", "1", "KEEPTTL"), SYNTAX),
    (("EX", "0", "BOGUS"), SYNTAX), (("BOGUS", "EX", "0"), SYNTAX), (("PERSIST",), SYNTAX),
])
def test_set_option_errors(run, opts, reply):
    assert run("SET", "a", "v", *opts) == reply


def test_setnx_setex_psetex(run):
    check(run, [
        (("SETNX", "a", "1"), integer(1)), (("SETNX", "a", "2"), integer(0)),
        (("GET", "a"), bulk("1")), (("SETNX", "a"), arity("setnx")),
        (("SETEX", "k", "100", "v"), OK), (("TTL", "k"), integer(100)),
        (("SETEX", "k", "0", "v"), invalid_expire("setex")),
        (("SETEX", "k", "-1", "v"), invalid_expire("setex")),
        (("SETEX", "k", "x", "v"), NOT_INT), (("SETEX", "k", "9223372036854776", "v"),
                                              invalid_expire("setex")),
        (("SETEX", "k", "v"), arity("setex")),
        (("PSETEX", "p", "100000", "v"), OK), (("TTL", "p"), integer(100)),
        (("PSETEX", "p", "0", "v"), invalid_expire("psetex")),
        (("PSETEX", "p", INT64_MAX, "v"), invalid_expire("psetex")),
        (("PSETEX", "p", "01", "v"), NOT_INT),
    ])


def test_getset_getdel(run):
    check(run, [
        (("GETSET", "a", "1"), NIL), (("GETSET", "a", "2"), bulk("1")), (("GET", "a"), bulk("2")),
        (("SET", "t", "v", "EX", "100"), OK), (("GETSET", "t", "w"), bulk("v")),
        (("TTL", "t"), integer(-1)), (("GETDEL", "a"), bulk("2")), (("GETDEL", "a"), NIL),
        (("EXISTS", "a"), integer(0)), (("GETSET", "a"), arity("getset")),
        (("GETDEL", "a", "b"), arity("getdel")),
    ])


def test_getex(run):
    check(run, [
        (("SET", "k", "v"), OK), (("GETEX", "k"), bulk("v")), (("TTL", "k"), integer(-1)),
        (("GETEX", "k", "EX", "100"), bulk("v")), (("TTL", "k"), integer(100)),
        (("GETEX", "k", "PX", "200000"), bulk("v")), (("TTL", "k"), integer(200)),
        (("GETEX", "k", "EXAT", "4102444800"), bulk("v")),
        (("EXPIRETIME", "k"), integer(4102444800)),
        (("GETEX", "k", "PERSIST"), bulk("v")), (("TTL", "k"), integer(-1)),
        (("GETEX", "k", "persist", "PERSIST"), bulk("v")),
        (("GETEX", "k", "EX", "10", "EX", "100"), bulk("v")), (("TTL", "k"), integer(100)),
        (("GETEX", "k", "EX", "10", "PERSIST"), SYNTAX),
        (("GETEX", "k", "PERSIST", "EX", "10"), SYNTAX),
        (("GETEX", "k", "EX", "10", "PX", "10"), SYNTAX), (("GETEX", "k", "EX"), SYNTAX),
        (("GETEX", "k", "KEEPTTL"), SYNTAX), (("GETEX", "k", "NX"), SYNTAX),
        (("GETEX", "k", "GET"), SYNTAX), (("GETEX", "k", "EX", "0"), invalid_expire("getex")),
        (("GETEX", "k", "EX", "x"), NOT_INT),
        (("GETEX", "k", "PX", INT64_MAX), invalid_expire("getex")),
        (("TTL", "k"), integer(100)),
        # a missing key answers nil before its expiry is looked at
        (("GETEX", "nokey", "EX", "0"), NIL), (("GETEX", "nokey", "EX", "x"), NIL),
        (("GETEX", "nokey", "FOO"), SYNTAX),
        (("GETEX", "k", "EXAT", "1"), bulk("v")), (("EXISTS", "k"), integer(0)),
        (("GETEX",), arity("getex")),
    ])


def test_mget_mset_msetnx(run, listkey):
    check(run, [
        (("MSET", "a", "1", "b", "2"), OK),
        (("MGET", "a", "b", "c", "list"), b"*4\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n$-1\r\n"),
        (("MSET", "a"), arity("mset")), (("MSET", "a", "1", "b"), arity("mset")),
        (("MSET", "a", "x", "a", "y"), OK), (("GET", "a"), bulk("y")),
        (("MSETNX", "a", "1", "z", "2"), integer(0)), (("EXISTS", "z"), integer(0)),
        (("MSETNX", "x", "1", "y", "2"), integer(1)), (("MGET", "x", "y"),
                                                      b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n"),
        (("MSETNX", "q", "1", "q"), arity("msetnx")), (("MSETNX", "w", "1", "w", "2"), integer(1)),
        (("GET", "w"), bulk("2")), (("MGET",), arity("mget")),
        (("SET", "t", "v", "EX", "100"), OK), (("MSET", "t", "w"), OK), (("TTL", "t"), integer(-1)),
        (("MSETNX", "list", "v"), integer(0)),
    ])


# -- editing --------------------------------------------------------------------------
def test_append_strlen(run):
    check(run, [
        (("APPEND", "a", "hello"), integer(5)), (("APPEND", "a", " world"), integer(11)),
        (("GET", "a"), bulk("hello world")), (("STRLEN", "a"), integer(11)),
        (("STRLEN", "no"), integer(0)), (("APPEND", "e", ""), integer(0)),
        (("EXISTS", "e"), integer(1)), (("SET", "t", "v", "EX", "100"), OK),
        (("APPEND", "t", "w"), integer(2)), (("TTL", "t"), integer(100)),
        (("APPEND", "a"), arity("append")),
    ])


def test_append_limit(engine, run):
    engine.config.values["proto-max-bulk-len"] = 1024 * 1024
    run("SET", "a", "x" * (1024 * 1024 - 1))
    assert run("APPEND", "a", "y") == integer(1024 * 1024)
    assert run("APPEND", "a", "y") == \
        b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"


def test_setrange(run):
    too_long = b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"
    check(run, [
        (("SET", "a", "hello world"), OK), (("SETRANGE", "a", "6", "redis"), integer(11)),
        (("GET", "a"), bulk("hello redis")), (("SETRANGE", "a", "15", "?"), integer(16)),
        (("GET", "a"), bulk(b"hello redis\x00\x00\x00\x00?")),
        (("SETRANGE", "a", "3", ""), integer(16)), (("SETRANGE", "n", "3", "x"), integer(4)),
        (("GET", "n"), bulk(b"\x00\x00\x00x")),
        (("SETRANGE", "a", "-1", "x"), b"-ERR offset is out of range\r\n"),
        (("SETRANGE", "a", "x", "x"), NOT_INT), (("SETRANGE", "e", "0", ""), integer(0)),
        (("EXISTS", "e"), integer(0)), (("SETRANGE", "e", "536870912", ""), integer(0)),
        (("SETRANGE", "a", "536870912", "x"), too_long),
        (("SETRANGE", "a", "536870911", "xy"), too_long),
        (("SETRANGE", "a", INT64_MAX, "x"), too_long),
        (("SET", "t", "v", "EX", "100"), OK), (("SETRANGE", "t", "1", "w"), integer(2)),
        (("TTL", "t"), integer(100)), (("SETRANGE", "a", "0"), arity("setrange")),
    ])


@pytest.mark.parametrize("start,end,reply", [
    ("0", "4", "hello"), ("-5", "-1", "world"), ("5", "1", ""), ("-1", "-5", ""),
    ("0", "100", "hello world"), ("-100", "2", "hel"), ("3", "-100", ""), ("-1", "-1", "d"),
    ("10", "10", "d"), ("11", "20", ""), (INT64_MIN, INT64_MAX, "hello world"),
    ("0", "-1", "hello world"), ("-11", "0", "h"),
])
def test_getrange(run, start, end, reply):
    run("SET", "s", "hello world")
    assert run("GETRANGE", "s", start, end) == bulk(reply)
    assert run("SUBSTR", "s", start, end) == bulk(reply)


def test_getrange_edges(run):
    check(run, [
        (("SET", "e", ""), OK), (("GETRANGE", "e", "0", "-1"), bulk("")),
        (("GETRANGE", "nokey", "0", "1"), bulk("")), (("GETRANGE", "nokey", "a", "1"), NOT_INT),
        (("GETRANGE", "e", "0", "1.5"), NOT_INT), (("GETRANGE", "e", "0"), arity("getrange")),
        (("SUBSTR", "e", "0"), arity("substr")),
    ])


# -- counters -------------------------------------------------------------------------
def test_incr_decr(run):
    check(run, [
        (("INCR", "c"), integer(1)), (("INCRBY", "c", "10"), integer(11)),
        (("DECR", "c"), integer(10)), (("DECRBY", "c", "3"), integer(7)),
        (("INCRBY", "c", "-20"), integer(-13)), (("DECRBY", "c", "-7"), integer(-6)),
        (("GET", "c"), bulk("-6")), (("DECR", "d"), integer(-1)),
        (("SET", "t", "1", "EX", "100"), OK), (("INCR", "t"), integer(2)),
        (("TTL", "t"), integer(100)), (("INCR",), arity("incr")), (("INCRBY", "c"), arity("incrby")),
    ])


@pytest.mark.parametrize("bad", ["x", "01", " 1", "1 ", "1.0", "+1", "-0", "0x10", "1e3", "",
                                 "9223372036854775808", "-9223372036854775809"])
def test_not_integers(run, bad):
    assert run("INCRBY", "c", bad) == NOT_INT
    assert run("DECRBY", "c", bad) == NOT_INT
    run("SET", "v", bad)
    assert run("INCR", "v") == NOT_INT
    assert run("DECR", "v") == NOT_INT
    assert run("GET", "v") == bulk(bad)


def test_counter_overflow(run):
    overflow = b"-ERR increment or decrement would overflow\r\n"
    check(run, [
        (("SET", "big", INT64_MAX), OK), (("INCR", "big"), overflow),
        (("INCRBY", "big", "1"), overflow), (("DECR", "big"), integer(2 ** 63 - 2)),
        (("SET", "small", INT64_MIN), OK), (("DECR", "small"), overflow),
        (("INCRBY", "small", "-1"), overflow), (("INCR", "small"), integer(-2 ** 63 + 1)),
        (("DECRBY", "c", INT64_MIN), b"-ERR decrement would overflow\r\n"),
        (("SET", "m", "-2"), OK), (("DECRBY", "m", INT64_MAX), overflow),
        (("INCRBY", "z", INT64_MIN), integer(-2 ** 63)),
    ])


@pytest.mark.parametrize("start,inc,result", [
    (None, "10.5", "10.5"), (None, "3.0e3", "3000"), (None, "5.0e3", "5000"),
    ("0.1", "0.2", "0.3"), ("5.6", "5.0e3", "5005.60000000000000009"), (None, "1e-20", "0"),
    (None, "-1e-20", "0"), (None, "0x10", "16"), ("0.000003814697265625", "0", "0.00000381469726562"),
    ("0.000011444091796875", "0", "0.00001144409179688"), ("1", "1e-4940", "1"),
    ("17", "-17", "0"), (None, "1e-17", "0.00000000000000001"), (None, "5e-18", "0"),
])
def test_incrbyfloat_formatting(run, start, inc, result):
    if start is not None:
        run("SET", "f", start)
    assert run("INCRBYFLOAT", "f", inc) == bulk(result)
    assert run("GET", "f") == bulk(result)


def test_incrbyfloat_long_double_digits(run):
    # 1e300 as a long double is not 10**300: Redis prints its exact digits
    reply = run("INCRBYFLOAT", "f", "1e300")
    assert reply.startswith(b"$301\r\n10000000000000000000089973240795591938705239")
    big = run("INCRBYFLOAT", "g", "1e4932")
    assert big.startswith(b"$4933\r\n")      # beyond a double, within a long double


@pytest.mark.parametrize("start,inc,reply", [
    (None, "abc", NOT_FLOAT), (None, "nan", NOT_FLOAT), (None, "", NOT_FLOAT),
    (None, " 1", NOT_FLOAT), (None, "1 ", NOT_FLOAT), (None, "1e", NOT_FLOAT),
    (None, "1e5000", NOT_FLOAT), (None, "1e-5000", NOT_FLOAT), (None, "1_0", NOT_FLOAT),
    ("abc", "1", NOT_FLOAT), ("nan", "1", NOT_FLOAT),
    (None, "inf", b"-ERR increment would produce NaN or Infinity\r\n"),
    ("inf", "-inf", b"-ERR increment would produce NaN or Infinity\r\n"),
    ("1e4932", "1e4932", b"-ERR increment would produce NaN or Infinity\r\n"),
])
def test_incrbyfloat_errors(run, start, inc, reply):
    if start is not None:
        run("SET", "f", start)
    assert run("INCRBYFLOAT", "f", inc) == reply


def test_incrbyfloat_keeps_ttl(run):
    run("SET", "t", "1", "EX", "100")
    assert run("INCRBYFLOAT", "t", "0.5") == bulk("1.5")
    assert run("TTL", "t") == integer(100)


@pytest.mark.parametrize("text,value", [
    (b"0", 0), (b"-0.0", 0), (b"1", 1), (b"0x1p-16445", Fraction(1, 2 ** 16445)),
    (b"0x1.8p1", 3), (b"0.5", Fraction(1, 2)), (b"-2.5e1", -25),
    (b"0.1", Fraction(14757395258967641293, 2 ** 67)),    # 0.1 to 64 significant bits
    (b"1e-5000", None), (b"1e5000", None), (b"0x", None), (b"nan", None), (b"x" * 6000, None),
    (b"inf", float("inf")), (b"-Infinity", float("-inf")),
])
def test_parse_long_double(text, value):
    got = parse_long_double(text)
    if type(got) is tuple:
        m, k = got
        got = m * Fraction(2) ** k
    assert got == value


def test_format_long_double():
    assert format_long_double((0, 0)) == b"0"
    assert format_long_double((-1, -80)) == b"0"         # -8e-25 prints "-0", shown "0"
    assert format_long_double((-3, -1)) == b"-1.5"
    assert format_long_double((5, 10)) == b"5120"


# -- bitmaps --------------------------------------------------------------------------
def test_setbit_getbit(run):
    check(run, [
        (("SETBIT", "b", "7", "1"), integer(0)), (("GET", "b"), bulk(b"\x01")),
        (("SETBIT", "b", "7", "1"), integer(1)), (("SETBIT", "b", "7", "0"), integer(1)),
        (("SETBIT", "b", "100", "1"), integer(0)), (("STRLEN", "b"), integer(13)),
        (("GETBIT", "b", "100"), integer(1)), (("GETBIT", "b", "101"), integer(0)),
        (("GETBIT", "b", "10000"), integer(0)), (("GETBIT", "nokey", "0"), integer(0)),
        (("GETBIT", "b", "-1"), BIT_OFFSET), (("GETBIT", "b", "x"), BIT_OFFSET),
        (("GETBIT", "b", "4294967296"), BIT_OFFSET), (("SETBIT", "b", "4294967296", "1"), BIT_OFFSET),
        (("SETBIT", "b", "x", "2"), BIT_OFFSET), (("SETBIT", "b", "3", "2"), BIT_VALUE),
        (("SETBIT", "b", "3", "-1"), BIT_VALUE), (("SETBIT", "b", "3", "x"), BIT_VALUE),
        (("SETBIT", "b", "3", "01"), BIT_VALUE), (("SET", "s", "a"), OK),
        (("SETBIT", "s", "6", "1"), integer(0)), (("GET", "s"), bulk("c")),
        (("SET", "t", "v", "EX", "100"), OK), (("SETBIT", "t", "1", "0"), integer(1)),
        (("TTL", "t"), integer(100)), (("SETBIT", "b", "1"), arity("setbit")),
    ])


def test_bit_offset_follows_proto_max_bulk_len(engine, run):
    engine.config.values["proto-max-bulk-len"] = 1024 * 1024
    assert run("GETBIT", "b", str(8 * 1024 * 1024 - 1)) == integer(0)
    assert run("GETBIT", "b", str(8 * 1024 * 1024)) == BIT_OFFSET


def test_bitcount(run):
    run("SET", "s", b"\xff\xf0\x00\x0f")
    check(run, [
        (("BITCOUNT", "s"), integer(16)), (("BITCOUNT", "s", "0", "0"), integer(8)),
        (("BITCOUNT", "s", "1", "-1"), integer(8)), (("BITCOUNT", "s", "-1", "-2"), integer(0)),
        (("BITCOUNT", "s", "0", "100"), integer(16)), (("BITCOUNT", "s", "4", "11", "BIT"),
                                                         integer(8)),
        (("BITCOUNT", "s", "5", "5", "bit"), integer(1)),
        (("BITCOUNT", "s", "-4", "-1", "BIT"), integer(4)),
        (("BITCOUNT", "s", "0", "-1", "byte"), integer(16)),
        (("BITCOUNT", "s", "0"), SYNTAX), (("BITCOUNT", "s", "0", "1", "BIT", "x"), SYNTAX),
        (("BITCOUNT", "s", "0", "1", "FOO"), SYNTAX), (("BITCOUNT", "s", "x", "1"), NOT_INT),
        (("BITCOUNT", "s", "-1", "-2", "FOO"), integer(0)),   # 7.0 returns before the unit
        # 7.0 looks the key up first: a missing key is 0 whatever the arguments
        (("BITCOUNT", "nokey", "x", "y"), integer(0)), (("BITCOUNT", "nokey", "0"), integer(0)),
        (("BITCOUNT",), arity("bitcount")),
    ])


def test_bitpos(run):
    run("SET", "s", b"\xff\xf0\x00\x0f")
    run("SET", "ones", b"\xff\xff")
    check(run, [
        (("BITPOS", "s", "0"), integer(12)), (("BITPOS", "s", "1"), integer(0)),
        (("BITPOS", "s", "1", "2"), integer(28)), (("BITPOS", "s", "1", "1", "1"), integer(8)),
        (("BITPOS", "s", "0", "13", "-1", "BIT"), integer(13)),
        (("BITPOS", "s", "1", "12", "27", "BIT"), integer(-1)),
        (("BITPOS", "ones", "0"), integer(16)), (("BITPOS", "ones", "0", "0"), integer(16)),
        (("BITPOS", "ones", "0", "0", "-1"), integer(-1)),
        (("BITPOS", "ones", "0", "3", "BIT"), NOT_INT),
        (("BITPOS", "ones", "0", "3", "-1", "BIT"), integer(-1)),
        (("BITPOS", "ones", "1", "5", "1"), integer(-1)),
        (("BITPOS", "nokey", "1"), integer(-1)), (("BITPOS", "nokey", "0"), integer(0)),
        (("BITPOS", "nokey", "0", "x", "y", "FOO"), integer(0)),
        (("BITPOS", "s", "2"), b"-ERR The bit argument must be 1 or 0.\r\n"),
        (("BITPOS", "s", "x"), NOT_INT), (("BITPOS", "s", "1", "x"), NOT_INT),
        (("BITPOS", "s", "1", "0", "1", "FOO"), SYNTAX),
        (("BITPOS", "s", "1", "0", "x", "FOO"), SYNTAX),   # the unit is read before the end
        (("BITPOS", "s", "1", "0", "1", "BIT", "x"), SYNTAX), (("BITPOS", "s"), arity("bitpos")),
    ])


def test_bitop(run):
    run("SET", "a", b"\xff\x0f\x55")
    run("SET", "b", b"\xf0\xf0")
    check(run, [
        (("BITOP", "AND", "d", "a", "b"), integer(3)), (("GET", "d"), bulk(b"\xf0\x00\x00")),
        (("BITOP", "or", "d", "a", "b"), integer(3)), (("GET", "d"), bulk(b"\xff\xff\x55")),
        (("BITOP", "XOR", "d", "a", "b", "nokey"), integer(3)),
        (("GET", "d"), bulk(b"\x0f\xff\x55")), (("BITOP", "NOT", "d", "a"), integer(3)),
        (("GET", "d"), bulk(b"\x00\xf0\xaa")), (("BITOP", "NOT", "d", "nokey"), integer(0)),
        (("EXISTS", "d"), integer(0)),
        (("BITOP", "NOT", "d", "a", "b"),
         b"-ERR BITOP NOT must be called with a single source key.\r\n"),
        (("BITOP", "NAND", "d", "a"), SYNTAX), (("BITOP", "AND", "d"), arity("bitop")),
        (("SET", "t", "v", "EX", "100"), OK), (("BITOP", "OR", "t", "a"), integer(3)),
        (("TTL", "t"), integer(-1)),
    ])


def test_bitfield(run):
    check(run, [
        (("BITFIELD", "bf", "SET", "u8", "0", "255"), b"*1\r\n:0\r\n"),
        (("BITFIELD", "bf", "GET", "u8", "0", "GET", "i8", "0", "GET", "u4", "4", "GET", "i4", "4"),
         b"*4\r\n:255\r\n:-1\r\n:15\r\n:-1\r\n"),
        (("BITFIELD", "bf", "SET", "i8", "#1", "-1", "GET", "u16", "0"),
         b"*2\r\n:0\r\n:65535\r\n"),
        (("BITFIELD", "bf", "INCRBY", "u2", "100", "1"), b"*1\r\n:1\r\n"),
        (("STRLEN", "bf"), integer(13)),
        (("BITFIELD", "bf", "SET", "i64", "0", INT64_MIN, "INCRBY", "i64", "0", "-1"),
         b"*2\r\n:-281474976710656\r\n:9223372036854775807\r\n"),
        (("BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "1"),
         b"*1\r\n:9223372036854775807\r\n"),
        (("BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "i64", "0", "1", "GET", "u8", "0"),
         b"*2\r\n$-1\r\n:127\r\n"),
        (("BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "u8", "0", "-1", "SET", "i8", "0", "-200",
          "GET", "i8", "0"), b"*3\r\n:127\r\n:-1\r\n:-128\r\n"),
        (("BITFIELD", "bf", "OVERFLOW", "WRAP", "SET", "u8", "0", "-1", "SET", "u3", "5", "9",
          "GET", "u8", "0"), b"*3\r\n:128\r\n:7\r\n:249\r\n"),
        (("BITFIELD", "bf"), b"*0\r\n"), (("BITFIELD", "bf", "OVERFLOW", "SAT"), b"*0\r\n"),
        (("BITFIELD", "none", "GET", "u8", "0"), b"*1\r\n:0\r\n"), (("EXISTS", "none"), integer(0)),
        (("BITFIELD", "n2", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "10"), b"*1\r\n$-1\r\n"),
        (("STRLEN", "n2"), integer(13)),
        (("BITFIELD_RO", "bf", "OVERFLOW", "SAT", "GET", "u8", "0"), b"*1\r\n:249\r\n"),
        (("BITFIELD_RO", "bf", "SET", "u8", "0", "1"),
         b"-ERR BITFIELD_RO only supports the GET subcommand\r\n"),
        (("BITFIELD_RO", "bf", "SET", "u8", "0", "x"), NOT_INT),
        (("BITFIELD", "bf", "GET", "u8"), SYNTAX), (("BITFIELD", "bf", "FOO"), SYNTAX),
        (("BITFIELD", "bf", "OVERFLOW", "FOO"), b"-ERR Invalid OVERFLOW type specified\r\n"),
        (("BITFIELD", "bf", "GET", "u8", "-1"), BIT_OFFSET),
        (("BITFIELD", "bf", "GET", "u8", "#-1"), BIT_OFFSET),
        (("BITFIELD", "bf", "GET", "u8", "#536870912"), BIT_OFFSET),
        (("BITFIELD",), arity("bitfield")),
    ])


@pytest.mark.parametrize("t", ["i0", "i65", "u0", "u64", "I8", "U8", "x8", "i", "i08", "i+8", ""])
def test_bitfield_types(run, t):
    assert run("BITFIELD", "bf", "GET", t, "0") == (
        b"-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not "
        b"supported but i64 is.\r\n")


# -- LCS ------------------------------------------------------------------------------
def test_lcs(run, listkey):
    run("MSET", "key1", "ohmytext", "key2", "mynewtext")
    idx = (b"*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
           b"*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n")
    check(run, [
        (("LCS", "key1", "key2"), bulk("mytext")), (("LCS", "key1", "key2", "LEN"), integer(6)),
        (("LCS", "key1", "key2", "IDX"), idx),
        (("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"),
         (b"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
          b"$3\r\nlen\r\n:6\r\n")),
        (("LCS", "key1", "key2", "LEN", "IDX"),
         b"-ERR If you want both the length and indexes, please just use IDX.\r\n"),
        (("LCS", "key1", "key2", "IDX", "MINMATCHLEN", "x"), NOT_INT),
        (("LCS", "key1", "key2", "IDX", "MINMATCHLEN"), SYNTAX),
        (("LCS", "key1", "missing"), bulk("")), (("LCS", "missing", "key1", "LEN"), integer(0)),
        (("LCS", "list", "key1", "FOO"), b"-ERR The specified keys must contain string values\r\n"),
        (("LCS", "key1"), arity("lcs")),
    ])


def test_lcs_resp3_map(session):
    s = session(resp3=True)
    s("MSET", "a", "ab", "b", "ab")
    assert s("LCS", "a", "b", "IDX") == (
        b"%2\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:0\r\n:1\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:2\r\n")


def test_lcs_memory_limit(run):
    run("MSET", "a", "x" * 11585, "b", "y" * 11585)
    assert run("LCS", "a", "b") == (b"-ERR Insufficient memory, transient memory for LCS exceeds "
                                    b"proto-max-bulk-len\r\n")


# -- wrong types ------------------------------------------------------------------------
@pytest.mark.parametrize("cmd", [
    ("GET", "list"), ("SET", "list", "v", "GET"), ("GETSET", "list", "v"), ("GETDEL", "list"),
    ("GETEX", "list"), ("GETEX", "list", "EX", "0"), ("APPEND", "list", "x"), ("STRLEN", "list"),
    ("INCR", "list"), ("DECRBY", "list", "1"), ("INCRBYFLOAT", "list", "x"),
    ("GETRANGE", "list", "0", "1"), ("SETRANGE", "list", "0", "x"), ("SETRANGE", "list", "0", ""),
    ("SETBIT", "list", "0", "1"), ("GETBIT", "list", "0"), ("BITCOUNT", "list", "x", "y"),
    ("BITPOS", "list", "1", "x"), ("BITOP", "AND", "d", "list"), ("BITFIELD", "list"),
    ("BITFIELD", "list", "SET", "u8", "0", "1"), ("BITFIELD_RO", "list", "GET", "u8", "0"),
])
def test_wrongtype(run, listkey, cmd):
    assert run(*cmd) == WRONGTYPE
    assert run("TYPE", "list") == b"+list\r\n"


def test_set_overwrites_other_types(run, listkey):
    assert run("SET", "list", "v", "XX") == OK
    assert run("GET", "list") == bulk("v")


# -- what a write leaves behind ------------------------------------------------------
@pytest.fixture
def effects(engine, run):
    """Record dirty deltas, propagated commands and keyspace events of a command."""
    run("CONFIG", "SET", "notify-keyspace-events", "KEA")
    events = []
    propagated = []
    publish = engine.publish

    def record(channel, message):
        if channel.startswith(b"__keyevent@"):
            events.append((channel.split(b":", 1)[1].decode(), message.decode()))
        return publish(channel, message)
    engine.publish = record
    engine.propagation_hooks.append(lambda db, argv: propagated.append(list(argv)))

    def call(*cmd):
        del events[:], propagated[:]
        before = engine.dirty
        run(*cmd)
        return engine.dirty - before, list(propagated), list(events)
    return call


def _pxat(argv):
    """A propagated SET ... PXAT ms with the time replaced by a marker."""
    return [a if i != 4 else b"<ms>" for i, a in enumerate(argv)]


def test_effects_set_family(effects):
    assert effects("SET", "a", "1") == (1, [[b"SET", b"a", b"1"]], [("set", "a")])
    d, prop, ev = effects("SET", "a", "1", "EX", "100", "NX")
    assert (d, prop, ev) == (0, [], [])
    d, prop, ev = effects("SET", "a", "2", "EX", "100", "XX", "GET")
    assert d == 1 and ev == [("set", "a"), ("expire", "a")]
    assert [_pxat(p) for p in prop] == [[b"SET", b"a", b"2", b"PXAT", b"<ms>"]]
    assert abs(int(prop[0][4]) - (now_ms() + 100000)) < 2000
    assert effects("SET", "a", "3", "KEEPTTL", "GET", "get") == (
        1, [[b"SET", b"a", b"3", b"KEEPTTL"]], [("set", "a")])
    assert effects("SET", "p", "v", "PXAT", "1") == (
        1, [[b"SET", b"p", b"v", b"PXAT", b"1"]], [("set", "p"), ("expire", "p")])
    assert effects("GET", "p") == (0, [[b"DEL", b"p"]], [("expired", "p")])
    assert effects("SETNX", "a", "x") == (0, [], [])
    assert effects("SETNX", "b", "x") == (1, [[b"SETNX", b"b", b"x"]], [("set", "b")])
    d, prop, ev = effects("SETEX", "c", "10", "v")
    assert (d, ev) == (1, [("set", "c"), ("expire", "c")])
    assert [_pxat(p) for p in prop] == [[b"SET", b"c", b"v", b"PXAT", b"<ms>"]]
    d, prop, ev = effects("PSETEX", "c", "10000", "v")
    assert [_pxat(p) for p in prop] == [[b"SET", b"c", b"v", b"PXAT", b"<ms>"]]
    assert effects("GETSET", "c", "w") == (1, [[b"SET", b"c", b"w"]], [("set", "c")])
    assert effects("GETDEL", "b") == (1, [[b"DEL", b"b"]], [("del", "b")])
    assert effects("GETDEL", "b") == (0, [], [])
    assert effects("MSET", "a", "1", "b", "2") == (
        2, [[b"MSET", b"a", b"1", b"b", b"2"]], [("set", "a"), ("set", "b")])
    assert effects("MSETNX", "a", "1", "z", "2") == (0, [], [])
    assert effects("MSETNX", "x", "1", "y", "2")[0] == 2


def test_effects_getex(effects):
    effects("SET", "c", "v")
    assert effects("GETEX", "c") == (0, [], [])
    d, prop, ev = effects("GETEX", "c", "EX", "100")
    assert (d, ev) == (1, [("expire", "c")])
    assert prop[0][:2] == [b"PEXPIREAT", b"c"]
    assert abs(int(prop[0][2]) - (now_ms() + 100000)) < 2000
    assert effects("GETEX", "c", "PERSIST") == (1, [[b"PERSIST", b"c"]], [("persist", "c")])
    assert effects("GETEX", "c", "PERSIST") == (0, [], [])
    assert effects("GETEX", "c", "PXAT", "1") == (1, [[b"DEL", b"c"]], [("del", "c")])


def test_effects_editing_and_counters(effects):
    assert effects("APPEND", "a", "z") == (1, [[b"APPEND", b"a", b"z"]], [("append", "a")])
    assert effects("SETRANGE", "a", "0", "q")[::2] == (1, [("setrange", "a")])
    assert effects("SETRANGE", "a", "0", "") == (0, [], [])
    for cmd in (("INCR", "n"), ("DECR", "n"), ("INCRBY", "n", "2"), ("DECRBY", "n", "2")):
        assert effects(*cmd) == (1, [[c.encode() for c in cmd]], [("incrby", "n")])
    assert effects("INCRBYFLOAT", "n", "1.5") == (
        1, [[b"SET", b"n", b"1.5", b"KEEPTTL"]], [("incrbyfloat", "n")])
    assert effects("INCRBY", "n", "x") == (0, [], [])


def test_effects_bitmaps(effects):
    assert effects("SETBIT", "s", "0", "1")[::2] == (1, [("setbit", "s")])
    assert effects("SETBIT", "s", "0", "1") == (0, [], [])
    assert effects("SETBIT", "s", "20", "0")[0] == 1         # grows the string
    assert effects("BITOP", "NOT", "d", "s") == (
        1, [[b"BITOP", b"NOT", b"d", b"s"]], [("set", "d")])
    assert effects("BITOP", "OR", "d", "nokey") == (
        1, [[b"BITOP", b"OR", b"d", b"nokey"]], [("del", "d")])
    assert effects("BITOP", "OR", "d", "nokey") == (0, [], [])
    assert effects("BITFIELD", "s", "SET", "u8", "0", "1", "INCRBY", "u8", "0", "1")[::2] == (
        2, [("setbit", "s")])
    assert effects("BITFIELD", "s", "SET", "u8", "0", "2") == (0, [], [])
    assert effects("BITFIELD", "f", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "10") == (0, [], [])
    assert effects("LCS", "s", "d") == (0, [], [])


# -- typed (native RESP3) values ------------------------------------------------------
def send(engine, client, raw):
    reqs, err = make_parser().feed(raw)
    assert err is None
    return engine.process_batch(client, reqs)


def resp3_set(engine, client, cmd, key, typed, *rest):
    """A request ``cmd key <typed element> rest...`` as a RESP3 client sends it."""
    parts = [b"$%d\r\n%s\r\n" % (len(cmd), cmd), b"$%d\r\n%s\r\n" % (len(key), key), typed]
    parts += [b"$%d\r\n%s\r\n" % (len(a), a) for a in rest]
    return send(engine, client, b"*%d\r\n" % len(parts) + b"".join(parts))


MAP = b"%1\r\n$1\r\nf\r\n:1\r\n"


def test_typed_set_family(engine, session):
    s = session(resp3=True)
    c = s.client
    assert resp3_set(engine, c, b"SET", b"k", MAP) == b"+OK\r\n"
    assert engine.dbs[0].data[b"k"] == TypedValue({b"f": 1})
    assert s("GET", "k") == MAP
    assert session()("GET", "k") == b"*2\r\n$1\r\nf\r\n:1\r\n"       # RESP2 downgrade
    assert resp3_set(engine, c, b"SET", b"k", b":5\r\n", b"GET") == MAP
    assert s("GETEX", "k", "EX", "100") == b":5\r\n"
    assert s("TTL", "k") == b":100\r\n"
    assert resp3_set(engine, c, b"SET", b"k", b"#t\r\n", b"KEEPTTL", b"GET") == b":5\r\n"
    assert s("TTL", "k") == b":100\r\n"
    assert resp3_set(engine, c, b"SETNX", b"k", b":1\r\n") == b":0\r\n"
    assert resp3_set(engine, c, b"SETNX", b"n", b"_\r\n") == b":1\r\n"
    assert s("GET", "n") == b"_\r\n"
    assert s("EXISTS", "n") == b":1\r\n"
    assert s("GETDEL", "n") == b"_\r\n"
    assert s("EXISTS", "n") == b":0\r\n"
    raw = b"*4\r\n$5\r\nSETEX\r\n$1\r\ne\r\n$3\r\n100\r\n,2.5\r\n"
    assert send(engine, c, raw) == b"+OK\r\n"
    assert s("GET", "e") == b",2.5\r\n"
    raw = b"*4\r\n$6\r\nPSETEX\r\n$1\r\ne\r\n:100000\r\n~1\r\n:1\r\n"
    assert send(engine, c, raw) == b"+OK\r\n"           # the integer ms is read as bytes
    assert s("GET", "e") == b"~1\r\n:1\r\n"
    assert resp3_set(engine, c, b"GETSET", b"e", b":7\r\n") == b"~1\r\n:1\r\n"
    raw = b"*5\r\n$6\r\nMSETNX\r\n$1\r\nx\r\n:1\r\n$1\r\ny\r\n*1\r\n:2\r\n"
    assert send(engine, c, raw) == b":1\r\n"
    assert s("MGET", "x", "y", "e", "nokey") == b"*4\r\n:1\r\n*1\r\n:2\r\n:7\r\n_\r\n"


def test_typed_values_refused_by_string_commands(engine, session):
    s = session(resp3=True)
    resp3_set(engine, s.client, b"SET", b"k", b":1\r\n")
    for cmd in (("APPEND", "k", "x"), ("INCR", "k"), ("INCRBYFLOAT", "k", "1"),
                ("GETRANGE", "k", "0", "1"), ("STRLEN", "k"), ("SETRANGE", "k", "0", "x"),
                ("SETBIT", "k", "0", "1"), ("GETBIT", "k", "0"), ("BITCOUNT", "k"),
                ("BITPOS", "k", "1"), ("BITOP", "OR", "d", "k"), ("BITFIELD", "k", "GET", "u8", "0")):
        assert s(*cmd) == WRONGTYPE, cmd
    assert s("LCS", "k", "nokey") == b"-ERR The specified keys must contain string values\r\n"
    assert s("SET", "k", "plain", "XX") == b"+OK\r\n"
    assert s("INCR", "k") == NOT_INT


def test_typed_value_propagated_with_its_type(engine, session):
    propagated = []
    engine.propagation_hooks.append(lambda db, argv: propagated.append(list(argv)))
    s = session(resp3=True)
    resp3_set(engine, s.client, b"SET", b"k", b":5\r\n", b"EX", b"100")
    assert propagated[0][:3] == [b"SET", b"k", 5] and propagated[0][3] == b"PXAT"
    resp3_set(engine, s.client, b"GETSET", b"k", b",1.5\r\n")
    assert propagated[1] == [b"SET", b"k", 1.5]


def test_typed_value_in_a_key_position_is_bytes(engine, session):
    s = session(resp3=True)
    raw = b"*3\r\n$4\r\nMSET\r\n:1\r\n:2\r\n"
    assert send(engine, s.client, raw) == b"+OK\r\n"
    assert engine.dbs[0].data[b"1"] == TypedValue(2)
