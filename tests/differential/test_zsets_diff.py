"""Sorted set commands against redis-server: raw reply bytes over RESP2 and
RESP3, score formatting, ranges, dirty counters, encodings, blocking pops
and a seeded random command sequence."""
import random

import pytest

from ._collections import Events, connections, full_scan, parse, same_dirty, same_scan_page
from .conftest import RawConn

INT64_MAX = "9223372036854775807"
INT64_MIN = "-9223372036854775808"


def both(diff, *cmd):
    diff.check(*cmd)
    return diff.check3(*cmd)


def fill(diff, key="z", n=10, score=lambda i: str(i)):
    args = []
    for i in range(n):
        args += [score(i), f"m{i}"]
    diff.check("ZADD", key, *args)


# -- ZADD --------------------------------------------------------------------------------
def test_zadd_options(diff):
    for cmd in (("ZADD", "z", "1", "a"), ("ZADD", "z", "2", "a", "3", "b"),
                ("ZADD", "z", "NX", "9", "a", "4", "c"), ("ZADD", "z", "XX", "9", "a", "5", "d"),
                ("ZADD", "z", "XX", "CH", "10", "a", "3", "b"), ("ZADD", "z", "CH", "1", "a", "1", "e"),
                ("ZADD", "z", "GT", "5", "a", "20", "b"), ("ZADD", "z", "GT", "CH", "5", "a", "30", "b"),
                ("ZADD", "z", "LT", "CH", "1", "a", "50", "b", "7", "new"),
                ("ZADD", "z", "INCR", "2", "a"), ("ZADD", "z", "INCR", "2", "zz"),
                ("ZADD", "z", "NX", "INCR", "2", "a"), ("ZADD", "z", "XX", "INCR", "2", "nope"),
                ("ZADD", "z", "XX", "INCR", "0", "a"), ("ZADD", "z", "GT", "INCR", "-1", "a"),
                ("ZADD", "z", "LT", "INCR", "-1", "a"), ("ZADD", "z", "GT", "INCR", "0", "a"),
                ("ZADD", "nokey", "XX", "1", "a"), ("ZADD", "nokey", "XX", "INCR", "1", "a"),
                ("EXISTS", "nokey"), ("ZADD", "z", "nx", "xx", "1", "a"),
                ("ZADD", "z", "gt", "lt", "1", "a"), ("ZADD", "z", "gt", "nx", "1", "a"),
                ("ZADD", "z", "lt", "nx", "1", "a"), ("ZADD", "z", "INCR", "1", "a", "2", "b"),
                ("ZADD", "z", "1"), ("ZADD", "z", "1", "a", "2"), ("ZADD", "z", "NX"),
                ("ZADD", "z", "x", "a"), ("ZADD", "z", "1", "a", "nan", "b"),
                ("ZADD", "z", "inf", "a", "-inf", "b", "+inf", "c"),
                ("ZADD", "z", "INCR", "-inf", "a"), ("ZADD", "z", "INCR", "1", "a"),
                ("ZADD", "z", "1", "a", "x", "b"), ("ZADD", "z", " 1", "a"), ("ZADD", "z", "1 ", "a"),
                ("ZADD", "z", "0x10", "h"), ("ZADD", "z", "1e400", "a"), ("ZADD", "z", "", "a"),
                ("ZADD", "z", "1_0", "a"), ("ZADD", "z", "1", "a", "1", "a", "2", "a"),
                ("ZRANGE", "z", "0", "-1", "WITHSCORES"), ("ZADD", "z"), ("ZADD", "z", "1")):
        both(diff, *cmd)


@pytest.mark.parametrize("score", [
    "1.5", "0.1", "1e300", "-0.0", "0", "-0", "inf", "-inf", "12345678901234567",
    "0.30000000000000004", "1e-300", "4.9406564584124654e-324", "123456789.123456789",
    "-1.7976931348623157e308", "3", "1e16", "1e17", "4503599627370495", "4503599627370496",
    "9007199254740993", ".5", "5.", "1E5", "0x1p-3",
])
def test_score_formatting(diff, score):
    diff.check("ZADD", "z", score, "m")
    diff.check("ZADD", "big", *[x for i in range(130) for x in (str(i), f"m{i}")])
    diff.check("ZADD", "big", score, "m")
    for key in ("z", "big"):
        both(diff, "ZSCORE", key, "m")
        both(diff, "ZMSCORE", key, "m", "nope")
        both(diff, "ZRANGE", key, "0", "0", "WITHSCORES")
        both(diff, "ZINCRBY", key, "0", "m")
        if key == "z":                      # a skiplist scans in hash order
            both(diff, "ZSCAN", key, "0", "MATCH", "m")
        both(diff, "ZUNION", "1", key, "WITHSCORES")
        both(diff, "ZPOPMIN", key)


def test_zincrby(diff):
    for cmd in (("ZINCRBY", "z", "1", "a"), ("ZINCRBY", "z", "1.5", "a"), ("ZINCRBY", "z", "-0.5", "b"),
                ("ZINCRBY", "z", "x", "a"), ("ZINCRBY", "z", "nan", "a"), ("ZINCRBY", "z", "inf", "a"),
                ("ZINCRBY", "z", "-inf", "a"), ("ZINCRBY", "z", "nx", "a"), ("ZINCRBY", "z", "incr", "a"),
                ("ZINCRBY", "z", "1"), ("ZINCRBY", "z", "0.1", "c"), ("ZINCRBY", "z", "0.2", "c"),
                ("ZRANGE", "z", "0", "-1", "WITHSCORES")):
        both(diff, *cmd)


# -- ZREM, ZCARD, ZSCORE, ZRANK --------------------------------------------------------------
def test_zrem_and_reads(diff):
    fill(diff)
    for cmd in (("ZCARD", "z"), ("ZCARD", "nokey"), ("ZSCORE", "z", "m3"), ("ZSCORE", "z", "x"),
                ("ZSCORE", "nokey", "x"), ("ZMSCORE", "z", "m1", "x", "m9"), ("ZMSCORE", "nokey", "a"),
                ("ZRANK", "z", "m0"), ("ZRANK", "z", "m9"), ("ZRANK", "z", "x"), ("ZRANK", "nokey", "x"),
                ("ZREVRANK", "z", "m0"), ("ZREVRANK", "z", "m9"), ("ZREVRANK", "z", "x"),
                ("ZREM", "z", "m0", "m0", "x"), ("ZREM", "nokey", "a"), ("ZREM", "z"),
                ("ZRANK", "z", "m1", "withscore"), ("ZSCORE", "z"), ("ZMSCORE", "z"),
                ("ZREM", "z", *[f"m{i}" for i in range(10)]), ("EXISTS", "z"), ("ZCARD", "z")):
        both(diff, *cmd)


def test_order_ties_and_binary(diff):
    diff.check("ZADD", "z", "1", "b", "1", "a", "1", "", "1", "\x00", "1", "\xff", "0", "ab",
               "-0.0", "aa", "2", "B")
    for cmd in (("ZRANGE", "z", "0", "-1", "WITHSCORES"), ("ZRANK", "z", "\xff"),
                ("ZREVRANGE", "z", "0", "-1"), ("ZRANGEBYLEX", "z", "-", "+")):
        both(diff, *cmd)


# -- ZRANGE family --------------------------------------------------------------------------
def test_zrange_by_rank(diff):
    fill(diff)
    for start, stop in (("0", "-1"), ("2", "4"), ("-3", "-1"), ("5", "2"), ("-100", "100"),
                        ("10", "20"), ("-1", "-1"), ("9", "100"), ("0", "0"), ("-11", "-10")):
        both(diff, "ZRANGE", "z", start, stop)
        both(diff, "ZRANGE", "z", start, stop, "WITHSCORES")
        both(diff, "ZRANGE", "z", start, stop, "REV")
        both(diff, "ZREVRANGE", "z", start, stop, "WITHSCORES")
    for cmd in (("ZRANGE", "z", "x", "1"), ("ZRANGE", "z", "0", "1.5"), ("ZRANGE", "z", "0", "1", "foo"),
                ("ZRANGE", "z", "0", "1", "LIMIT", "0", "1"), ("ZRANGE", "z", "0", "1", "REV", "REV"),
                ("ZRANGE", "nokey", "0", "-1"), ("ZRANGE", "nokey", "x", "y"),
                ("ZREVRANGE", "z", "0", "1", "REV"), ("ZREVRANGE", "z", "0", "1", "LIMIT", "0", "1"),
                ("ZRANGE", "z", "0", "1", "LIMIT", "0"), ("ZRANGE", "z", "0"),
                ("ZRANGE", "z", "0", "1", "WITHSCORES", "WITHSCORES"),
                ("ZRANGE", "z", "0", INT64_MAX), ("ZRANGE", "z", INT64_MIN, "1")):
        both(diff, *cmd)


def test_zrange_by_score(diff):
    fill(diff, score=lambda i: str(i / 2))
    ranges = (("-inf", "+inf"), ("1", "3"), ("(1", "3"), ("1", "(3"), ("(1", "(3"), ("3", "1"),
              ("(1", "(1"), ("1", "1"), ("(1", "1"), ("-inf", "-inf"), ("inf", "inf"), ("", "1"),
              ("(", "2"), (" 1", "2"), ("0x1", "2"), ("1e400", "inf"), ("-1e400", "0"),
              ("(-inf", "(inf"), ("4.5", "+inf"))
    for lo, hi in ranges:
        both(diff, "ZRANGEBYSCORE", "z", lo, hi, "WITHSCORES")
        both(diff, "ZREVRANGEBYSCORE", "z", hi, lo, "WITHSCORES")
        both(diff, "ZRANGE", "z", lo, hi, "BYSCORE")
        both(diff, "ZRANGE", "z", hi, lo, "BYSCORE", "REV", "WITHSCORES")
        both(diff, "ZCOUNT", "z", lo, hi)
    for off, cnt in (("0", "2"), ("2", "3"), ("8", "5"), ("20", "1"), ("-1", "2"), ("1", "-1"),
                     ("0", "0"), ("3", "-5"), ("9", "1")):
        both(diff, "ZRANGEBYSCORE", "z", "-inf", "inf", "LIMIT", off, cnt)
        both(diff, "ZREVRANGEBYSCORE", "z", "inf", "-inf", "WITHSCORES", "LIMIT", off, cnt)
        both(diff, "ZRANGE", "z", "(1", "4", "BYSCORE", "LIMIT", off, cnt)
        both(diff, "ZRANGE", "z", "4", "(1", "BYSCORE", "REV", "LIMIT", off, cnt)
    for cmd in (("ZRANGEBYSCORE", "z", "x", "1"), ("ZRANGEBYSCORE", "z", "1", "nan"),
                ("ZRANGEBYSCORE", "z", "1 ", "2"), ("ZRANGEBYSCORE", "z", "((1", "2"),
                ("ZRANGEBYSCORE", "z", "[1", "2"), ("ZRANGEBYSCORE", "z", "1", "2", "LIMIT", "x", "1"),
                ("ZRANGEBYSCORE", "z", "1", "2", "LIMIT", "1"), ("ZRANGEBYSCORE", "z", "1", "2", "REV"),
                ("ZRANGEBYSCORE", "z", "1", "2", "BYSCORE"), ("ZRANGEBYSCORE", "nokey", "x", "1"),
                ("ZRANGEBYSCORE", "nokey", "1", "2"), ("ZCOUNT", "z", "x", "1"), ("ZCOUNT", "nokey", "1", "2"),
                ("ZCOUNT", "nokey", "x", "2"), ("ZRANGE", "z", "1", "2", "BYSCORE", "BYLEX"),
                ("ZRANGE", "z", "(a", "[b", "BYSCORE")):
        both(diff, *cmd)


def test_zrange_by_lex(diff):
    diff.check("ZADD", "z", *[x for c in "abcdefg" for x in ("0", c)], "0", "", "0", "bb")
    ranges = (("-", "+"), ("[b", "[d"), ("(b", "[d"), ("[b", "(d"), ("(b", "(d"), ("[d", "[b"),
              ("[b", "[b"), ("(b", "[b"), ("[", "+"), ("(", "+"), ("-", "(c"), ("+", "-"),
              ("-", "-"), ("+", "+"), ("[bb", "+"), ("[zz", "+"), ("-", "[a"))
    for lo, hi in ranges:
        both(diff, "ZRANGEBYLEX", "z", lo, hi)
        both(diff, "ZREVRANGEBYLEX", "z", hi, lo)
        both(diff, "ZRANGE", "z", lo, hi, "BYLEX")
        both(diff, "ZRANGE", "z", hi, lo, "BYLEX", "REV")
        both(diff, "ZLEXCOUNT", "z", lo, hi)
    for off, cnt in (("0", "2"), ("2", "3"), ("7", "5"), ("20", "1"), ("-1", "2"), ("1", "-1"),
                     ("0", "0")):
        both(diff, "ZRANGEBYLEX", "z", "-", "+", "LIMIT", off, cnt)
        both(diff, "ZREVRANGEBYLEX", "z", "+", "-", "LIMIT", off, cnt)
        both(diff, "ZRANGE", "z", "[b", "(f", "BYLEX", "LIMIT", off, cnt)
    for cmd in (("ZRANGEBYLEX", "z", "a", "+"), ("ZRANGEBYLEX", "z", "-", "b"),
                ("ZRANGEBYLEX", "z", "", "+"), ("ZRANGEBYLEX", "z", "--", "+"),
                ("ZRANGEBYLEX", "z", "-", "++"), ("ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"),
                ("ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"), ("ZLEXCOUNT", "z", "a", "b"),
                ("ZLEXCOUNT", "nokey", "-", "+"), ("ZLEXCOUNT", "nokey", "a", "+"),
                ("ZRANGEBYLEX", "nokey", "a", "b"), ("ZRANGEBYLEX", "z", "-", "+", "LIMIT", "a", "1")):
        both(diff, *cmd)


def test_zrangestore(diff):
    fill(diff)
    diff.check("SET", "dst", "string")
    diff.check("EXPIRE", "dst", "100")
    for cmd in (("ZRANGESTORE", "dst", "z", "0", "2"), ("TTL", "dst"), ("ZRANGE", "dst", "0", "-1", "WITHSCORES"),
                ("ZRANGESTORE", "dst", "z", "2", "5", "BYSCORE", "LIMIT", "1", "2"),
                ("ZRANGE", "dst", "0", "-1", "WITHSCORES"),
                ("ZRANGESTORE", "dst", "z", "[m3", "[m5", "BYLEX"),
                ("ZRANGESTORE", "dst", "z", "5", "2", "BYSCORE", "REV"),
                ("ZRANGE", "dst", "0", "-1", "WITHSCORES"), ("OBJECT", "ENCODING", "dst"),
                ("ZRANGESTORE", "dst", "z", "0", "1", "WITHSCORES"),
                ("ZRANGESTORE", "dst", "z", "5", "2"), ("EXISTS", "dst"),
                ("ZRANGESTORE", "dst", "z", "0", "1"), ("ZRANGESTORE", "dst", "nokey", "0", "1"),
                ("EXISTS", "dst"), ("ZRANGESTORE", "dst", "z", "x", "1"), ("ZRANGESTORE", "dst", "z", "0"),
                ("ZRANGESTORE", "z", "z", "0", "3"), ("ZRANGE", "z", "0", "-1")):
        both(diff, *cmd)


# -- ZREMRANGEBY* ---------------------------------------------------------------------------
def test_zremrange(diff):
    for cmd in (("ZREMRANGEBYRANK", "z", "0", "1"), ("ZREMRANGEBYRANK", "z", "-2", "-1"),
                ("ZREMRANGEBYRANK", "z", "5", "1"), ("ZREMRANGEBYRANK", "z", "100", "200"),
                ("ZREMRANGEBYRANK", "z", "x", "1"), ("ZREMRANGEBYSCORE", "z", "(3", "5"),
                ("ZREMRANGEBYSCORE", "z", "x", "5"), ("ZREMRANGEBYSCORE", "z", "5", "3"),
                ("ZREMRANGEBYLEX", "z", "[m6", "(m8"), ("ZREMRANGEBYLEX", "z", "a", "b"),
                ("ZRANGE", "z", "0", "-1", "WITHSCORES"), ("ZREMRANGEBYRANK", "z", "0", "-1"),
                ("EXISTS", "z"), ("ZREMRANGEBYRANK", "nokey", "x", "1"),
                ("ZREMRANGEBYSCORE", "nokey", "x", "1"), ("ZREMRANGEBYLEX", "nokey", "-", "+")):
        if cmd[0] == "ZREMRANGEBYRANK" and cmd[2] == "0" and cmd[3] == "1":
            fill(diff)
        both(diff, *cmd)
    fill(diff)
    both(diff, "ZREMRANGEBYSCORE", "z", "-inf", "inf")
    fill(diff)
    both(diff, "ZREMRANGEBYLEX", "z", "-", "+")
    both(diff, "EXISTS", "z")


# -- pops -----------------------------------------------------------------------------------
def test_pops(diff):
    for cmd in (("ZPOPMIN", "z"), ("ZPOPMAX", "z"), ("ZPOPMIN", "z", "2"), ("ZPOPMAX", "z", "2"),
                ("ZPOPMIN", "z", "0"), ("ZPOPMIN", "z", "1"), ("ZPOPMIN", "z", "-1"),
                ("ZPOPMIN", "z", "x"), ("ZPOPMIN", "z", "1", "2"), ("ZPOPMIN", "nokey"),
                ("ZPOPMIN", "nokey", "0"), ("ZPOPMIN", "nokey", "3"), ("ZPOPMAX", "z", "100"),
                ("EXISTS", "z")):
        fill(diff, n=6)
        both(diff, *cmd)


def test_zmpop(diff):
    diff.check("SET", "s", "x")
    for cmd in (("ZMPOP", "1", "z", "MIN"), ("ZMPOP", "1", "z", "max"), ("ZMPOP", "2", "nokey", "z", "MIN", "COUNT", "3"),
                ("ZMPOP", "1", "z", "MAX", "COUNT", "100"), ("ZMPOP", "1", "nokey", "MIN"),
                ("ZMPOP", "0", "z", "MIN"), ("ZMPOP", "-1", "z", "MIN"), ("ZMPOP", "x", "z", "MIN"),
                ("ZMPOP", "2", "z", "MIN"), ("ZMPOP", "1", "z", "foo"), ("ZMPOP", "1", "z", "MIN", "COUNT", "0"),
                ("ZMPOP", "1", "z", "MIN", "COUNT", "x"), ("ZMPOP", "1", "z", "MIN", "COUNT"),
                ("ZMPOP", "1", "z", "MIN", "COUNT", "1", "COUNT", "1"), ("ZMPOP", "2", "s", "z", "MIN"),
                ("ZMPOP", "2", "z", "s", "MIN"), ("ZMPOP", "1", "z", "MIN", "foo"),
                ("BZMPOP", "0", "1", "z", "MIN", "COUNT", "2"), ("BZMPOP", "x", "1", "z", "MIN"),
                ("BZMPOP", "0", "1", "z", "MIN", "COUNT", "0"), ("BZMPOP", "-1", "1", "z", "MIN"),
                ("BZMPOP", "0", "0", "z", "MIN"), ("BZMPOP", "0", "1", "s", "MIN")):
        fill(diff, n=4)
        both(diff, *cmd)


def test_bzpop_immediate_and_errors(diff):
    diff.check("SET", "s", "x")
    for cmd in (("BZPOPMIN", "z", "0"), ("BZPOPMAX", "z", "0"), ("BZPOPMIN", "nokey", "z", "1"),
                ("BZPOPMIN", "z", "x"), ("BZPOPMIN", "z", "-1"), ("BZPOPMIN", "z", " 1"),
                ("BZPOPMIN", "z", "inf"), ("BZPOPMIN", "z", "1e20"), ("BZPOPMIN", "z", "0.5"),
                ("BZPOPMIN", "s", "0"), ("BZPOPMIN", "z", "s", "0"), ("BZPOPMIN", "nokey", "s", "0"),
                ("BZPOPMIN", "z")):
        fill(diff, n=3)
        both(diff, *cmd)
    # inside MULTI a blocking pop of an empty key answers at once
    for c in diff.conns:
        c.send("MULTI")
        c.send("BZPOPMIN", "nokey", "0")
        c.send("BZMPOP", "0", "1", "nokey", "MIN")
    diff.check("EXEC")


# -- algebra --------------------------------------------------------------------------------
def test_union_inter_diff(diff):
    diff.check("ZADD", "a", "1", "x", "2", "y", "3", "z")
    diff.check("ZADD", "b", "10", "y", "20", "z", "30", "w")
    diff.check("SADD", "s", "x", "w", "v")
    diff.check("ZADD", "f", "0.1", "x", "0.2", "y", "inf", "z")
    diff.check("ZADD", "g", "0.2", "x", "-inf", "z")
    diff.check("SET", "str", "v")
    for op in ("ZUNION", "ZINTER", "ZDIFF"):
        for cmd in (("2", "a", "b"), ("3", "a", "b", "s"), ("1", "a"), ("2", "a", "nokey"),
                    ("2", "nokey", "a"), ("2", "a", "a"), ("2", "f", "g"), ("3", "f", "g", "a"),
                    ("2", "a", "b", "WEIGHTS", "2", "0.5"), ("2", "a", "b", "AGGREGATE", "MIN"),
                    ("2", "a", "b", "AGGREGATE", "max", "WEIGHTS", "1", "-1"),
                    ("2", "f", "g", "WEIGHTS", "0", "1"), ("2", "f", "g", "WEIGHTS", "-1", "1"),
                    ("2", "f", "g", "AGGREGATE", "SUM", "WEIGHTS", "1", "-1"),
                    ("2", "a", "b", "WEIGHTS", "1"), ("2", "a", "b", "WEIGHTS", "1", "x"),
                    ("2", "a", "b", "AGGREGATE", "avg"), ("2", "a", "b", "AGGREGATE"),
                    ("2", "a", "b", "FOO"), ("0", "a"), ("-1", "a"), ("x", "a"), ("3", "a", "b"),
                    ("2", "a", "str"), ("2", "a", "str", "FOO"), ("2", "a", "b", "WITHSCORES", "WITHSCORES"),
                    ("2", "a", "s", "WEIGHTS", "2", "3", "AGGREGATE", "SUM", "WEIGHTS", "1", "1")):
            both(diff, op, *cmd)
            both(diff, op, *cmd, "WITHSCORES")
            both(diff, op + "STORE", "dst", *cmd)
            both(diff, "ZRANGE", "dst", "0", "-1", "WITHSCORES")
            both(diff, "OBJECT", "ENCODING", "dst")
    for cmd in (("ZINTERCARD", "2", "a", "b"), ("ZINTERCARD", "2", "a", "s"),
                ("ZINTERCARD", "2", "a", "b", "LIMIT", "1"), ("ZINTERCARD", "2", "a", "b", "LIMIT", "0"),
                ("ZINTERCARD", "2", "a", "b", "LIMIT", "-1"), ("ZINTERCARD", "2", "a", "b", "LIMIT", "x"),
                ("ZINTERCARD", "0", "a"), ("ZINTERCARD", "x", "a"), ("ZINTERCARD", "3", "a", "b"),
                ("ZINTERCARD", "2", "a", "nokey"), ("ZINTERCARD", "2", "a", "str"),
                ("ZINTERCARD", "2", "a", "b", "WEIGHTS", "1", "1"), ("ZINTERCARD", "1", "a", "LIMIT")):
        both(diff, *cmd)


def test_store_overwrites_and_deletes(diff):
    diff.check("ZADD", "a", "1", "x")
    diff.check("RPUSH" if False else "SET", "dst", "v")
    diff.check("EXPIRE", "dst", "100")
    for cmd in (("ZUNIONSTORE", "dst", "1", "a"), ("TYPE", "dst"), ("TTL", "dst"),
                ("ZINTERSTORE", "dst", "2", "a", "nokey"), ("EXISTS", "dst"),
                ("ZDIFFSTORE", "dst", "1", "nokey"), ("ZDIFFSTORE", "a", "1", "a"),
                ("ZUNIONSTORE", "dst", "1", "a", "WITHSCORES"), ("ZRANGE", "a", "0", "-1")):
        both(diff, *cmd)


# -- ZRANDMEMBER ----------------------------------------------------------------------------
def test_zrandmember(diff):
    fill(diff, n=5)
    diff.check("ZADD", "one", "1.5", "only")
    for cmd in (("ZRANDMEMBER", "nokey"), ("ZRANDMEMBER", "nokey", "3"), ("ZRANDMEMBER", "nokey", "-3"),
                ("ZRANDMEMBER", "z", "0"), ("ZRANDMEMBER", "z", "5"), ("ZRANDMEMBER", "z", "100", "WITHSCORES"),
                ("ZRANDMEMBER", "one"), ("ZRANDMEMBER", "one", "1", "WITHSCORES"),
                ("ZRANDMEMBER", "one", "-3", "WITHSCORES"), ("ZRANDMEMBER", "z", "x"),
                ("ZRANDMEMBER", "z", "1", "WITHSCORE"), ("ZRANDMEMBER", "z", "1", "WITHSCORES", "x"),
                ("ZRANDMEMBER", "z", INT64_MIN), ("ZRANDMEMBER", "z", "4611686018427387904", "WITHSCORES"),
                ("ZRANDMEMBER", "nokey", "x")):
        both(diff, *cmd)
    members = {b"m%d" % i: i for i in range(5)}
    for resp3 in (False, True):
        for conn in connections(diff, resp3):
            assert parse(conn.send("ZRANDMEMBER", "z")) in members
            got = parse(conn.send("ZRANDMEMBER", "z", "3"))
            assert len(set(got)) == 3 and set(got) <= set(members)
            got = parse(conn.send("ZRANDMEMBER", "z", "-20", "WITHSCORES"))
            pairs = got if resp3 else list(zip(got[::2], got[1::2]))
            assert len(pairs) == 20
            assert all(float(s) == members[m] for m, s in pairs)


# -- ZSCAN -------------------------------------------------------------------------------
def test_zscan(diff):
    fill(diff, n=5, score=lambda i: str(i + 0.5))
    for cmd in (("ZSCAN", "z", "0"), ("ZSCAN", "z", "0", "COUNT", "1"), ("ZSCAN", "z", "0", "MATCH", "m[12]"),
                ("ZSCAN", "nokey", "0"), ("ZSCAN", "z", "x"), ("ZSCAN", "z", "0", "COUNT", "0"),
                ("ZSCAN", "z", "0", "TYPE", "zset"), ("ZSCAN", "z", "0", "MATCH")):
        both(diff, *cmd)
    fill(diff, "big", n=300)
    for options in ((), ("COUNT", "7"), ("MATCH", "m1*")):
        expected, got = (full_scan(c, "ZSCAN", "big", *options) for c in connections(diff))
        assert set(zip(got[::2], got[1::2])) == set(zip(expected[::2], expected[1::2]))
    page = same_scan_page(diff, "ZSCAN", "z", "0", "COUNT", "2", pairs=True)
    assert len(page) == 10


# -- WRONGTYPE, encodings, COPY ------------------------------------------------------------
@pytest.mark.parametrize("cmd", [
    ("ZADD", "k", "1", "m"), ("ZINCRBY", "k", "1", "m"), ("ZREM", "k", "m"), ("ZCARD", "k"),
    ("ZSCORE", "k", "m"), ("ZMSCORE", "k", "m"), ("ZRANK", "k", "m"), ("ZREVRANK", "k", "m"),
    ("ZCOUNT", "k", "0", "1"), ("ZLEXCOUNT", "k", "-", "+"), ("ZRANGE", "k", "0", "1"),
    ("ZRANGEBYSCORE", "k", "0", "1"), ("ZRANGEBYLEX", "k", "-", "+"), ("ZREVRANGE", "k", "0", "1"),
    ("ZRANGESTORE", "d", "k", "0", "1"), ("ZREMRANGEBYRANK", "k", "0", "1"),
    ("ZREMRANGEBYSCORE", "k", "0", "1"), ("ZREMRANGEBYLEX", "k", "-", "+"), ("ZPOPMIN", "k"),
    ("ZPOPMAX", "k", "2"), ("ZMPOP", "1", "k", "MIN"), ("BZPOPMIN", "k", "1"), ("ZRANDMEMBER", "k"),
    ("ZRANDMEMBER", "k", "2"), ("ZSCAN", "k", "0"), ("ZADD", "k", "x", "m"), ("ZCOUNT", "k", "x", "1"),
    ("ZRANGE", "k", "x", "1"),
])
def test_wrongtype(diff, cmd):
    diff.check("HSET", "k", "f", "v")
    both(diff, *cmd)
    diff.check("SET", "k", "v")
    both(diff, *cmd)


def test_encodings(diff):
    def enc(key):
        both(diff, "OBJECT", "ENCODING", key)
    diff.check("ZADD", "z", "1", "a")
    enc("z")
    diff.check("ZADD", "z2", *[x for i in range(128) for x in (str(i), f"m{i}")])
    enc("z2")
    diff.check("ZADD", "z2", "1", "one-more")
    enc("z2")
    diff.check("ZREM", "z2", "one-more", "m0")
    enc("z2")
    diff.check("ZADD", "z3", "1", "m" * 65)
    enc("z3")
    diff.check("ZADD", "z4", "1", "m" * 64, "-0.0", "n")
    enc("z4")
    both(diff, "ZSCORE", "z4", "n")
    diff.check("ZUNIONSTORE", "u", "1", "z2")
    enc("u")
    diff.check("ZRANGESTORE", "r", "z2", "0", "9")
    enc("r")
    diff.check("CONFIG", "SET", "zset-max-listpack-entries", "0")
    try:
        diff.check("ZADD", "z5", "-0.0", "a")
        enc("z5")
        both(diff, "ZSCORE", "z5", "a")
        both(diff, "ZRANGE", "z5", "0", "-1", "WITHSCORES")
        diff.check("COPY", "z5", "z6")
        enc("z6")
        both(diff, "ZSCORE", "z6", "a")
        diff.check("TYPE", "z6")
    finally:
        diff.check("CONFIG", "SET", "zset-max-listpack-entries", "128")


# -- dirty counters and keyspace events -------------------------------------------------------
def test_dirty_counts(diff):
    diff.check("SADD", "s", "x")
    for cmd in (("ZADD", "z", "1", "a", "2", "b"), ("ZADD", "z", "1", "a", "3", "b", "4", "c"),
                ("ZADD", "z", "NX", "1", "a"), ("ZADD", "z", "INCR", "1", "a"), ("ZINCRBY", "z", "0", "a"),
                ("ZREM", "z", "a", "x"), ("ZREM", "z", "x"), ("ZADD", "z", "1", "a", "5", "d", "6", "e"),
                ("ZPOPMIN", "z"), ("ZPOPMAX", "z", "2"), ("ZMPOP", "1", "z", "MIN", "COUNT", "1"),
                ("ZADD", "z", "1", "a", "2", "b", "3", "c"), ("ZREMRANGEBYRANK", "z", "0", "0"),
                ("ZREMRANGEBYSCORE", "z", "0", "2"), ("ZADD", "z", "0", "p", "0", "q"),
                ("ZREMRANGEBYLEX", "z", "[p", "[q"), ("ZUNIONSTORE", "u", "2", "z", "s"),
                ("ZINTERSTORE", "u", "2", "z", "s"), ("ZINTERSTORE", "u", "2", "z", "s"),
                ("ZDIFFSTORE", "u", "1", "z"), ("ZRANGESTORE", "u", "z", "0", "-1"),
                ("ZRANGESTORE", "u", "z", "5", "9"), ("BZPOPMIN", "z", "0"), ("ZRANGE", "z", "0", "-1")):
        same_dirty(diff, *cmd)


def test_keyspace_events(diff):
    if not parse(diff.conns[1].send("COMMAND", "INFO", "PSUBSCRIBE"))[0]:
        pytest.xfail("needs PSUBSCRIBE (pub/sub)")
    diff.check("CONFIG", "SET", "notify-keyspace-events", "KEA")
    ev = Events(diff, RawConn)
    try:
        diff.check("SADD", "s", "x")
        for cmd in (("ZADD", "z", "1", "a", "2", "b"), ("ZADD", "z", "NX", "1", "a"),
                    ("ZADD", "z", "INCR", "1", "a"), ("ZINCRBY", "z", "1", "a"), ("ZREM", "z", "x"),
                    ("ZREM", "z", "a"), ("ZADD", "z", "1", "a", "3", "c", "4", "d"), ("ZPOPMIN", "z"),
                    ("ZPOPMAX", "z", "1"), ("ZMPOP", "1", "z", "MAX"), ("ZADD", "z", "1", "a", "2", "b"),
                    ("ZREMRANGEBYRANK", "z", "0", "0"), ("ZREMRANGEBYSCORE", "z", "9", "10"),
                    ("ZADD", "z", "2", "c"), ("ZREMRANGEBYLEX", "z", "[c", "[c"),
                    ("ZUNIONSTORE", "u", "2", "z", "s"), ("ZINTERSTORE", "u", "1", "z"),
                    ("ZDIFFSTORE", "u", "1", "z"), ("ZRANGESTORE", "u", "z", "0", "0"),
                    ("ZINTERSTORE", "u", "2", "z", "nokey"), ("BZPOPMIN", "z", "0"),
                    ("ZREMRANGEBYSCORE", "z", "-inf", "inf")):
            ev.same(*cmd)
    finally:
        ev.close()
        diff.check("CONFIG", "SET", "notify-keyspace-events", "")


# -- blocking pops with real sockets ---------------------------------------------------------
def _blocked_pair(diff, *cmd):
    """Send ``cmd`` on a fresh connection of each server without waiting."""
    conns = [RawConn(p) for p in diff.ports]
    for c in conns:
        c.send_raw(_encode(*cmd))
    # a round trip on another connection makes sure the command was read
    for c in diff.conns:
        c.send("PING")
    return conns


def _encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def _replies(conns):
    return [c.read_reply() for c in conns]


def _no_reply_yet(conns):
    for c in conns:
        c.sock.settimeout(0.05)
        try:
            data = c.sock.recv(100)
        except TimeoutError:
            data = b""
        finally:
            c.sock.settimeout(5)
        assert data == b""


def test_bzpopmin_blocks_then_served(diff):
    waiters = _blocked_pair(diff, "BZPOPMIN", "k1", "k2", "0")
    _no_reply_yet(waiters)
    diff.check("SET", "k1", "string")                       # not a zset: keeps waiting
    diff.check("ZADD", "k2", "2", "b", "1", "a")
    expected, got = _replies(waiters)
    assert got == expected == b"*3\r\n$2\r\nk2\r\n$1\r\na\r\n$1\r\n1\r\n"
    both(diff, "ZRANGE", "k2", "0", "-1", "WITHSCORES")
    for c in waiters:
        c.close()


def test_bzpop_order_and_resp3(diff):
    first = _blocked_pair(diff, "BZPOPMAX", "q", "0")
    second = [RawConn(p) for p in diff.ports]
    for c in second:
        c.send("HELLO", "3")
        c.send_raw(_encode("BZMPOP", "0", "2", "other", "q", "MAX", "COUNT", "5"))
    for c in diff.conns:
        c.send("PING")
    diff.check("ZADD", "q", "1", "a", "2", "b", "3", "c")
    expected, got = _replies(first)
    assert got == expected
    expected, got = _replies(second)
    assert got == expected
    both(diff, "EXISTS", "q")
    for c in first + second:
        c.close()


def test_bzpop_timeout(diff):
    waiters = _blocked_pair(diff, "BZPOPMIN", "nokey", "0.05")
    expected, got = _replies(waiters)
    assert got == expected == b"*-1\r\n"
    waiters3 = [RawConn(p) for p in diff.ports]
    for c in waiters3:
        c.send("HELLO", "3")
        c.send_raw(_encode("BZMPOP", "0.05", "1", "nokey", "MIN"))
    expected, got = _replies(waiters3)
    assert got == expected
    for c in waiters + waiters3:
        c.close()


def test_bzpop_served_by_store_and_multi(diff):
    diff.check("ZADD", "src", "5", "x")
    waiters = _blocked_pair(diff, "BZPOPMIN", "dst", "0")
    diff.check("ZUNIONSTORE", "dst", "1", "src")
    expected, got = _replies(waiters)
    assert got == expected
    waiters2 = _blocked_pair(diff, "BZMPOP", "0", "1", "m", "MIN", "COUNT", "10")
    for c in diff.conns:
        c.send("MULTI")
        c.send("ZADD", "m", "1", "a")
        c.send("ZADD", "m", "2", "b")
    diff.check("EXEC")
    expected, got = _replies(waiters2)
    assert got == expected
    for c in waiters + waiters2:
        c.close()


# -- random command sequence ----------------------------------------------------------------
def _random_command(rng):
    key = rng.choice(["r1", "r2", "r3"])
    member = rng.choice(["a", "b", "c", "d", "e", "f", "gg", ""])
    score = rng.choice(["0", "1", "-1", "1.5", "0.1", "inf", "-inf", "2", "3e5", "-0.0"])
    bound = rng.choice(["-inf", "+inf", "0", "(1", "1.5", "(0.1", "2", "x"])
    lex = rng.choice(["-", "+", "[a", "(b", "[gg", "(", "[", "c"])
    idx = rng.choice(["0", "1", "-1", "-2", "3", "10", "-10"])
    pick = rng.randrange(23)
    if pick == 0:
        opts = rng.sample(["NX", "XX", "GT", "LT", "CH"], rng.randrange(3))
        return ["ZADD", key, *opts, score, member, rng.choice(["1", "2"]), rng.choice(["a", "b"])]
    if pick == 1:
        return ["ZINCRBY", key, score, member]
    if pick == 2:
        return ["ZREM", key, member, rng.choice(["a", "b"])]
    if pick == 3:
        return ["ZRANGE", key, idx, idx, *rng.sample(["WITHSCORES", "REV"], rng.randrange(3))]
    if pick == 4:
        return ["ZRANGEBYSCORE", key, bound, bound, "WITHSCORES", "LIMIT", idx, idx]
    if pick == 5:
        return ["ZREVRANGEBYSCORE", key, bound, bound]
    if pick == 6:
        return ["ZADD", key, "0", member]
    if pick == 7:
        return ["ZCOUNT", key, bound, bound]
    if pick == 8:
        return ["ZRANK", key, member]
    if pick == 9:
        return ["ZREVRANK", key, member]
    if pick == 10:
        return ["ZPOPMIN" if rng.random() < 0.5 else "ZPOPMAX", key, rng.choice(["1", "2"])]
    if pick == 11:
        return ["ZUNIONSTORE", key, "2", "r1", "r2", "AGGREGATE", rng.choice(["SUM", "MIN", "MAX"])]
    if pick == 12:
        return ["ZINTER", "2", "r1", rng.choice(["r2", "r3"]), "WITHSCORES"]
    if pick == 13:
        return ["ZDIFF", "2", "r1", "r2", "WITHSCORES"]
    if pick == 14:
        return ["ZREMRANGEBYSCORE", key, bound, bound]
    if pick == 15:
        return ["ZREMRANGEBYRANK", key, idx, idx]
    if pick == 16:
        return ["ZCARD", key]
    if pick == 17:
        return ["ZMSCORE", key, member, "a"]
    if pick == 18:
        return ["ZRANGESTORE", rng.choice(["r1", "r2", "r3"]), key, idx, idx]
    if pick == 19:
        return ["ZMPOP", "2", key, "r3", rng.choice(["MIN", "MAX"]), "COUNT", "2"]
    if pick == 20:
        return ["ZSCAN", key, "0"]
    if pick == 21:
        return ["ZLEXCOUNT", key, lex, lex]
    return ["ZRANGE", key, "0", "-1", "WITHSCORES"]


def test_random_commands(diff):
    rng = random.Random(20240607)
    for _ in range(600):
        cmd = _random_command(rng)
        if rng.random() < 0.2:
            diff.check3(*cmd)
        else:
            diff.check(*cmd)
    for key in ("r1", "r2", "r3"):
        both(diff, "ZRANGE", key, "0", "-1", "WITHSCORES")


def test_random_lex_commands(diff):
    rng = random.Random(7)
    letters = "abcdefghij"
    for _ in range(300):
        key = rng.choice(["l1", "l2"])
        bound = lambda: rng.choice(["-", "+"]) if rng.random() < 0.2 else \
            rng.choice("[(") + "".join(rng.sample(letters, rng.randrange(3)))
        pick = rng.randrange(5)
        if pick == 0:
            cmd = ["ZADD", key, "0", "".join(rng.sample(letters, rng.randrange(1, 3)))]
        elif pick == 1:
            cmd = ["ZRANGEBYLEX", key, bound(), bound(), "LIMIT", str(rng.randrange(-1, 3)),
                   str(rng.randrange(-1, 4))]
        elif pick == 2:
            cmd = ["ZREVRANGEBYLEX", key, bound(), bound()]
        elif pick == 3:
            cmd = ["ZLEXCOUNT", key, bound(), bound()]
        else:
            cmd = ["ZREMRANGEBYLEX", key, bound(), bound()]
        diff.check(*cmd)
