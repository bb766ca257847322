"""List commands against redis-server: raw reply bytes over RESP2 and RESP3,
every option and error, TTLs, emptied lists, dirty counters, keyspace events,
encodings, seeded random command sequences, and blocking pops (BLPOP, BRPOP,
BLMOVE, BRPOPLPUSH, BLMPOP) served, timed out and unblocked over real sockets."""
import random
import re
import time

import pytest

from ._collections import Events, dirty, parse, same_dirty
from .conftest import RawConn

INT64_MAX = "9223372036854775807"
INT64_MIN = "-9223372036854775808"
INT64_OVER = "9223372036854775808"
WRONGTYPE = b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"


def both(diff, *cmd):
    diff.check(*cmd)
    return diff.check3(*cmd)


def run_all(diff, cmds):
    for cmd in cmds:
        both(diff, *cmd)


def fill(diff, key="l", items="abcdefg"):
    diff.check("DEL", key)
    diff.check("RPUSH", key, *items)


@pytest.fixture
def events(diff):
    diff.check("CONFIG", "SET", "notify-keyspace-events", "KEA")
    ev = Events(diff, RawConn)
    yield ev
    ev.close()
    diff.check("CONFIG", "SET", "notify-keyspace-events", "")


# -- pushes ------------------------------------------------------------------------------
def test_push_family(diff):
    run_all(diff, (
        ("LPUSH", "l", "a"), ("LPUSH", "l", "b", "c", "d"), ("RPUSH", "l", "e"),
        ("RPUSH", "l", "f", "g", "f"), ("LRANGE", "l", "0", "-1"), ("LLEN", "l"),
        ("LPUSHX", "l", "x", "y"), ("RPUSHX", "l", "z"), ("LPUSHX", "nokey", "x"),
        ("RPUSHX", "nokey", "x", "y"), ("EXISTS", "nokey"), ("LRANGE", "l", "0", "-1"),
        ("LLEN", "nokey"), ("RPUSH", "e", ""), ("LRANGE", "e", "0", "-1"), ("LLEN", "e"),
        ("RPUSH", "bin", "\x00\xff\r\n", "\r\n", " "), ("LRANGE", "bin", "0", "-1"),
        ("LPUSH", "l"), ("RPUSH", "l"), ("LPUSHX", "l"), ("RPUSHX", "l"), ("LPUSH",),
        ("LLEN",), ("LLEN", "l", "x"), ("lpush", "l", "lower"), ("LINDEX", "l", "0"),
        ("TYPE", "l"), ("TYPE", "e"),
    ))


def test_big_and_long_lists(diff):
    big = "x" * 100_000
    diff.check("RPUSH", "big", big, "small", big + "y")
    run_all(diff, (("LINDEX", "big", "0"), ("LINDEX", "big", "-1"), ("LLEN", "big"),
                   ("LPOS", "big", big + "y"), ("LREM", "big", "0", big), ("LRANGE", "big", "0", "0")))
    for i in range(0, 3000, 500):
        diff.check("RPUSH", "long", *[f"e{j % 37}" for j in range(i, i + 500)])
    run_all(diff, (
        ("LLEN", "long"), ("LINDEX", "long", "1500"), ("LINDEX", "long", "-1501"),
        ("LRANGE", "long", "1490", "1510"), ("LRANGE", "long", "-20", "-1"),
        ("LSET", "long", "1777", "changed"), ("LINDEX", "long", "1777"),
        ("LINSERT", "long", "BEFORE", "changed", "before"), ("LINSERT", "long", "AFTER", "e36", "after"),
        ("LRANGE", "long", "1770", "1790"), ("LRANGE", "long", "30", "40"),
        ("LPOS", "long", "e5", "RANK", "-3", "COUNT", "4"), ("LPOS", "long", "e5", "COUNT", "0"),
        ("LREM", "long", "5", "e7"), ("LREM", "long", "-5", "e8"), ("LREM", "long", "0", "e9"),
        ("LTRIM", "long", "100", "-100"), ("LLEN", "long"), ("LRANGE", "long", "0", "10"),
        ("LPOP", "long", "10"), ("RPOP", "long", "10"), ("OBJECT", "ENCODING", "long"),
        ("LRANGE", "long", "0", "-1"),
    ))


# -- reads ---------------------------------------------------------------------------------
def test_lrange(diff):
    fill(diff)
    for start, stop in (("0", "-1"), ("0", "0"), ("2", "4"), ("-3", "-1"), ("-1", "-1"), ("5", "2"),
                        ("-100", "100"), ("7", "10"), ("6", "100"), ("-8", "-7"), ("-100", "-50"),
                        ("3", "-4"), ("3", "-5"), ("0", INT64_MAX), (INT64_MIN, INT64_MAX),
                        (INT64_MIN, "1"), (INT64_MAX, INT64_MAX), ("-1", "0"), ("+1", "2"),
                        ("00", "01")):
        both(diff, "LRANGE", "l", start, stop)
    run_all(diff, (
        ("LRANGE", "l", "x", "1"), ("LRANGE", "l", "0", "1.5"), ("LRANGE", "l", "", "1"),
        ("LRANGE", "l", " 1", "2"), ("LRANGE", "l", "0", INT64_OVER), ("LRANGE", "l", "0"),
        ("LRANGE", "l", "0", "1", "2"), ("LRANGE", "nokey", "0", "-1"), ("LRANGE", "nokey", "x", "1"),
        ("LRANGE", "nokey", "5", "1"),
    ))


def test_lindex(diff):
    fill(diff)
    for index in ("0", "3", "6", "7", "100", "-1", "-7", "-8", "-100", INT64_MAX, INT64_MIN, "x",
                  "1.0", "", INT64_OVER, "0x1"):
        both(diff, "LINDEX", "l", index)
    run_all(diff, (("LINDEX", "nokey", "0"), ("LINDEX", "nokey", "x"), ("LINDEX", "l"),
                   ("LINDEX", "l", "0", "1")))


def test_lpos(diff):
    diff.check("RPUSH", "l", "a", "b", "c", "a", "b", "a", "d", "a")
    for opts in ((), ("RANK", "1"), ("RANK", "2"), ("RANK", "4"), ("RANK", "5"), ("RANK", "-1"),
                 ("RANK", "-2"), ("RANK", "-4"), ("RANK", "-5"), ("COUNT", "0"), ("COUNT", "1"),
                 ("COUNT", "2"), ("COUNT", "100"), ("RANK", "2", "COUNT", "2"), ("RANK", "-1", "COUNT", "0"),
                 ("RANK", "-2", "COUNT", "2"), ("MAXLEN", "0"), ("MAXLEN", "1"), ("MAXLEN", "3"),
                 ("MAXLEN", "4", "COUNT", "0"), ("RANK", "-1", "MAXLEN", "1"), ("RANK", "-1", "MAXLEN", "2"),
                 ("RANK", "2", "MAXLEN", "4"), ("RANK", "3", "COUNT", "0", "MAXLEN", "6"),
                 ("COUNT", "1", "COUNT", "0"), ("RANK", "1", "RANK", "-1"), ("rank", "2", "count", "1"),
                 ("MAXLEN", INT64_MAX), ("COUNT", INT64_MAX), ("RANK", INT64_MAX),
                 ("RANK", "-" + INT64_MAX), ("RANK", INT64_MIN)):
        for elem in ("a", "b", "d", "zz"):
            both(diff, "LPOS", "l", elem, *opts)
    run_all(diff, (
        ("LPOS", "l", "a", "RANK", "0"), ("LPOS", "l", "a", "RANK", "x"), ("LPOS", "l", "a", "COUNT", "-1"),
        ("LPOS", "l", "a", "COUNT", "x"), ("LPOS", "l", "a", "MAXLEN", "-1"),
        ("LPOS", "l", "a", "MAXLEN", "x"), ("LPOS", "l", "a", "RANK"), ("LPOS", "l", "a", "COUNT"),
        ("LPOS", "l", "a", "MAXLEN"), ("LPOS", "l", "a", "FOO", "1"), ("LPOS", "l", "a", "RANK", "1", "x"),
        ("LPOS", "l", "a", "COUNT", INT64_OVER), ("LPOS", "l", "a", "RANK", "0", "COUNT", "-1"),
        ("LPOS", "l", "a", "COUNT", "-1", "RANK", "0"), ("LPOS", "l", "a", "MAXLEN", "-1", "FOO"),
        ("LPOS", "nokey", "a"), ("LPOS", "nokey", "a", "COUNT", "0"), ("LPOS", "nokey", "a", "COUNT", "2"),
        ("LPOS", "nokey", "a", "RANK", "0"), ("LPOS", "nokey", "a", "FOO"), ("LPOS", "l"),
    ))


# -- writes in place -------------------------------------------------------------------------
def test_lset(diff):
    fill(diff)
    run_all(diff, (
        ("LSET", "l", "0", "A"), ("LSET", "l", "-1", "G"), ("LSET", "l", "3", ""),
        ("LSET", "l", "-7", "first"), ("LRANGE", "l", "0", "-1"), ("LSET", "l", "7", "x"),
        ("LSET", "l", "-8", "x"), ("LSET", "l", INT64_MAX, "x"), ("LSET", "l", INT64_MIN, "x"),
        ("LSET", "l", "x", "y"), ("LSET", "l", INT64_OVER, "y"), ("LSET", "nokey", "0", "x"),
        ("LSET", "nokey", "x", "y"), ("EXISTS", "nokey"), ("LSET", "l", "0"), ("LSET", "l", "0", "a", "b"),
        ("LSET", "l", "1", "x" * 10_000), ("LINDEX", "l", "1"), ("LRANGE", "l", "0", "-1"),
    ))


def test_linsert(diff):
    diff.check("RPUSH", "l", "a", "b", "a", "c")
    run_all(diff, (
        ("LINSERT", "l", "BEFORE", "a", "x"), ("LINSERT", "l", "AFTER", "a", "y"),
        ("LINSERT", "l", "before", "c", "z"), ("LINSERT", "l", "after", "c", "end"),
        ("LINSERT", "l", "Before", "x", "start"), ("LRANGE", "l", "0", "-1"),
        ("LINSERT", "l", "BEFORE", "nope", "x"), ("LINSERT", "nokey", "BEFORE", "a", "x"),
        ("EXISTS", "nokey"), ("LINSERT", "l", "MIDDLE", "a", "x"), ("LINSERT", "nokey", "MIDDLE", "a", "x"),
        ("LINSERT", "l", "BEFORE", "a"), ("LINSERT", "l", "BEFORE", "a", "x", "y"),
        ("LINSERT", "l", "AFTER", "", "x"), ("RPUSH", "l", ""), ("LINSERT", "l", "AFTER", "", "post"),
        ("LRANGE", "l", "0", "-1"), ("LLEN", "l"),
    ))


def test_lrem(diff):
    items = ["a", "b", "a", "c", "a", "b", "a"]
    for count in ("0", "1", "2", "-1", "-2", "3", "-3", "100", "-100", INT64_MIN, INT64_MAX):
        fill(diff, items=items)
        both(diff, "LREM", "l", count, "a")
        both(diff, "LRANGE", "l", "0", "-1")
    fill(diff, items=items)
    run_all(diff, (
        ("LREM", "l", "0", "zz"), ("LREM", "l", "x", "a"), ("LREM", "l", INT64_OVER, "a"),
        ("LREM", "l", "1.5", "a"), ("LREM", "nokey", "0", "a"), ("LREM", "nokey", "x", "a"),
        ("LREM", "l", "0"), ("LREM", "l", "0", "a", "b"), ("LREM", "l", "0", "a"),
        ("LREM", "l", "-1", "b"), ("LREM", "l", "0", "c"), ("LRANGE", "l", "0", "-1"),
        ("LREM", "l", "1", "b"), ("EXISTS", "l"), ("LLEN", "l"),
    ))


def test_ltrim(diff):
    for start, stop in (("0", "-1"), ("1", "-2"), ("2", "4"), ("-3", "-1"), ("0", "0"), ("-1", "-1"),
                        ("5", "2"), ("-100", "100"), ("7", "10"), ("6", "100"), ("-100", "-50"),
                        ("0", INT64_MAX), (INT64_MIN, INT64_MAX), (INT64_MIN, "0"), ("3", "-5"),
                        ("-1", "0")):
        fill(diff)
        both(diff, "LTRIM", "l", start, stop)
        both(diff, "LRANGE", "l", "0", "-1")
        both(diff, "EXISTS", "l")
    fill(diff)
    run_all(diff, (
        ("LTRIM", "l", "x", "1"), ("LTRIM", "l", "0", "1.0"), ("LTRIM", "l", "0", INT64_OVER),
        ("LTRIM", "nokey", "0", "1"), ("LTRIM", "nokey", "x", "1"), ("EXISTS", "nokey"),
        ("LTRIM", "l", "0"), ("LTRIM", "l", "0", "1", "2"), ("LRANGE", "l", "0", "-1"),
    ))


# -- pops -------------------------------------------------------------------------------------
def test_lpop_rpop(diff):
    for cmd in (("LPOP", "l"), ("RPOP", "l"), ("LPOP", "l", "1"), ("RPOP", "l", "1"), ("LPOP", "l", "3"),
                ("RPOP", "l", "3"), ("LPOP", "l", "0"), ("RPOP", "l", "0"), ("LPOP", "l", "7"),
                ("RPOP", "l", "100"), ("LPOP", "l", INT64_MAX), ("LPOP", "l", "-1"), ("RPOP", "l", "-1"),
                ("LPOP", "l", INT64_MIN), ("LPOP", "l", "x"), ("LPOP", "l", "1.0"), ("LPOP", "l", INT64_OVER),
                ("LPOP", "l", "1", "2"), ("LPOP",), ("LPOP", "nokey"), ("RPOP", "nokey"),
                ("LPOP", "nokey", "0"), ("RPOP", "nokey", "2"), ("LPOP", "nokey", "-1"),
                ("LPOP", "nokey", "x")):
        fill(diff)
        both(diff, *cmd)
        both(diff, "LRANGE", "l", "0", "-1")
    for cmd in (("LPOP", "l", "7"), ("RPOP", "l", "8")):
        fill(diff)
        both(diff, *cmd)
        both(diff, "EXISTS", "l")
    fill(diff, items="ab")
    run_all(diff, (("LPOP", "l"), ("RPOP", "l"), ("EXISTS", "l"), ("LPOP", "l"), ("LPOP", "l", "1")))


def test_lmove_rpoplpush(diff):
    diff.check("SET", "str", "v")
    sides = ("LEFT", "RIGHT")
    for wf in sides:
        for wt in sides:
            fill(diff, "src", "abc")
            fill(diff, "dst", "xy")
            both(diff, "LMOVE", "src", "dst", wf, wt)
            both(diff, "LRANGE", "src", "0", "-1")
            both(diff, "LRANGE", "dst", "0", "-1")
            both(diff, "LMOVE", "src", "src", wf, wt)      # a rotation when the sides differ
            both(diff, "LRANGE", "src", "0", "-1")
            both(diff, "LMOVE", "src", "new", wf.lower(), wt.lower())
            both(diff, "LRANGE", "new", "0", "-1")
            diff.check("DEL", "new")
    fill(diff, "src", "abc")
    run_all(diff, (
        ("RPOPLPUSH", "src", "dst"), ("LRANGE", "dst", "0", "-1"), ("RPOPLPUSH", "src", "src"),
        ("LRANGE", "src", "0", "-1"), ("RPOPLPUSH", "nokey", "dst"), ("LMOVE", "nokey", "dst", "LEFT", "LEFT"),
        ("LMOVE", "nokey", "str", "LEFT", "LEFT"), ("RPOPLPUSH", "nokey", "str"),
        ("LMOVE", "src", "str", "LEFT", "LEFT"), ("RPOPLPUSH", "src", "str"), ("LRANGE", "src", "0", "-1"),
        ("LMOVE", "str", "dst", "LEFT", "LEFT"), ("RPOPLPUSH", "str", "dst"),
        ("LMOVE", "src", "dst", "UP", "LEFT"), ("LMOVE", "src", "dst", "LEFT", "DOWN"),
        ("LMOVE", "nokey", "dst", "UP", "LEFT"), ("LMOVE", "src", "dst", "LEFT"),
        ("LMOVE", "src", "dst", "LEFT", "LEFT", "x"), ("RPOPLPUSH", "src"),
        ("RPOPLPUSH", "src", "dst", "x"), ("LRANGE", "dst", "0", "-1"),
    ))
    # the last element moves: the source disappears, a source moved onto itself stays
    fill(diff, "one", "z")
    run_all(diff, (("LMOVE", "one", "one", "LEFT", "RIGHT"), ("LRANGE", "one", "0", "-1"),
                   ("RPOPLPUSH", "one", "two"), ("EXISTS", "one"), ("LRANGE", "two", "0", "-1"),
                   ("LMOVE", "two", "one", "RIGHT", "LEFT"), ("EXISTS", "two"), ("TYPE", "one")))


def test_lmpop(diff):
    diff.check("SET", "str", "v")
    for cmd in (("LMPOP", "1", "l", "LEFT"), ("LMPOP", "1", "l", "RIGHT"), ("LMPOP", "1", "l", "left"),
                ("LMPOP", "2", "nokey", "l", "RIGHT", "COUNT", "3"), ("LMPOP", "2", "l", "nokey", "LEFT"),
                ("LMPOP", "1", "l", "LEFT", "COUNT", "100"), ("LMPOP", "1", "l", "LEFT", "count", "7"),
                ("LMPOP", "1", "l", "LEFT", "COUNT", INT64_MAX), ("LMPOP", "1", "nokey", "LEFT"),
                ("LMPOP", "2", "nokey", "other", "LEFT", "COUNT", "2"), ("LMPOP", "0", "l", "LEFT"),
                ("LMPOP", "-1", "l", "LEFT"), ("LMPOP", "x", "l", "LEFT"), ("LMPOP", INT64_MAX, "l", "LEFT"),
                ("LMPOP", INT64_OVER, "l", "LEFT"), ("LMPOP", "2", "l", "LEFT"), ("LMPOP", "3", "l", "LEFT"),
                ("LMPOP", "1", "l", "UP"), ("LMPOP", "1", "l", "LEFT", "COUNT", "0"),
                ("LMPOP", "1", "l", "LEFT", "COUNT", "-1"), ("LMPOP", "1", "l", "LEFT", "COUNT", "x"),
                ("LMPOP", "1", "l", "LEFT", "COUNT"), ("LMPOP", "1", "l", "LEFT", "COUNT", "1", "COUNT", "2"),
                ("LMPOP", "1", "l", "LEFT", "foo"), ("LMPOP", "1", "l", "LEFT", "foo", "1"),
                ("LMPOP", "2", "str", "l", "LEFT"), ("LMPOP", "2", "l", "str", "LEFT"),
                ("LMPOP", "2", "nokey", "str", "LEFT"), ("LMPOP", "1", "nokey", "LEFT", "COUNT", "0"),
                ("LMPOP", "1", "nokey", "UP"), ("LMPOP", "1", "l"), ("LMPOP", "1"),
                ("LMPOP", "2", "l", "l", "RIGHT", "COUNT", "2")):
        fill(diff)
        both(diff, *cmd)
        both(diff, "LRANGE", "l", "0", "-1")
    fill(diff, items="ab")
    run_all(diff, (("LMPOP", "1", "l", "LEFT", "COUNT", "2"), ("EXISTS", "l")))


def test_blocking_forms_answer_at_once(diff):
    """Blocking pops of a non-empty list answer at once; the timeout is parsed
    (and its errors given) before the keys are looked at."""
    diff.check("SET", "str", "v")
    for cmd in (("BLPOP", "l", "0"), ("BRPOP", "l", "0"), ("BLPOP", "nokey", "l", "0"),
                ("BRPOP", "nokey", "l", "other", "1.5"), ("BLPOP", "l", "l", "0"),
                ("BLMOVE", "l", "d", "LEFT", "RIGHT", "0"), ("BLMOVE", "l", "l", "RIGHT", "LEFT", "0"),
                ("BRPOPLPUSH", "l", "d", "0"), ("BRPOPLPUSH", "l", "l", "0.01"),
                ("BLMPOP", "0", "1", "l", "LEFT"), ("BLMPOP", "0", "2", "nokey", "l", "RIGHT", "COUNT", "3"),
                ("BLMPOP", "0.5", "1", "l", "LEFT", "COUNT", "100"),
                ("BLPOP", "l", "x"), ("BLPOP", "l", "-1"), ("BLPOP", "l", "-0.1"), ("BLPOP", "l", "inf"),
                ("BLPOP", "l", "-inf"), ("BLPOP", "l", "nan"), ("BLPOP", "l", "1e20"), ("BLPOP", "l", ""),
                ("BLPOP", "l", " 1"), ("BLPOP", "l", "1 "), ("BLPOP", "l", "0x10"), ("BLPOP", "l", "1e3"),
                ("BLPOP", "l", "-0"), ("BLPOP", "l", ".5"), ("BLPOP", "l", "9223372036854775.807"),
                ("BRPOP", "l", "x"), ("BRPOP", "l", "-1"), ("BLMOVE", "l", "d", "LEFT", "LEFT", "x"),
                ("BLMOVE", "l", "d", "LEFT", "LEFT", "-1"), ("BLMOVE", "l", "d", "UP", "LEFT", "0"),
                ("BLMOVE", "l", "d", "UP", "LEFT", "x"), ("BLMOVE", "l", "d", "LEFT", "LEFT"),
                ("BRPOPLPUSH", "l", "d", "x"), ("BRPOPLPUSH", "l", "d", "-1"), ("BRPOPLPUSH", "l", "d"),
                ("BLMPOP", "x", "1", "l", "LEFT"), ("BLMPOP", "-1", "1", "l", "LEFT"),
                ("BLMPOP", "0", "0", "l", "LEFT"), ("BLMPOP", "0", "1", "l", "LEFT", "COUNT", "0"),
                ("BLMPOP", "0", "1", "l", "UP"), ("BLMPOP", "x", "0", "l", "UP"), ("BLMPOP", "0", "2", "l", "LEFT"),
                ("BLMPOP", "0", "1", "l"), ("BLPOP", "l"), ("BRPOP",),
                ("BLPOP", "str", "0"), ("BLPOP", "nokey", "str", "l", "0"), ("BLPOP", "l", "str", "0"),
                ("BRPOP", "str", "x"), ("BLMOVE", "str", "d", "LEFT", "LEFT", "0"),
                ("BLMOVE", "l", "str", "LEFT", "LEFT", "0"), ("BRPOPLPUSH", "l", "str", "0"),
                ("BLMPOP", "0", "2", "str", "l", "LEFT"), ("BLMPOP", "0", "2", "l", "str", "LEFT")):
        for check in (diff.check, diff.check3):
            fill(diff)
            diff.check("DEL", "d")
            check(*cmd)
            check("LRANGE", "l", "0", "-1")
            check("LRANGE", "d", "0", "-1")
    fill(diff, items="a")
    for cmd in (("BLPOP", "l", "0"), ("EXISTS", "l"), ("RPUSH", "l", "a", "b"),
                ("BLMPOP", "0", "1", "l", "RIGHT", "COUNT", "2"), ("EXISTS", "l")):
        diff.check(*cmd)


def test_blocking_forms_inside_multi(diff):
    """Inside MULTI a blocking pop of an empty key acts as its non-blocking form."""
    diff.check("RPUSH", "full", "a", "b")
    for cmd in (("MULTI",), ("BLPOP", "nokey", "0"), ("BRPOP", "nokey", "other", "0"),
                ("BLMOVE", "nokey", "d", "LEFT", "LEFT", "0"), ("BRPOPLPUSH", "nokey", "d", "0"),
                ("BLMPOP", "0", "1", "nokey", "LEFT"), ("BLPOP", "nokey", "full", "0"),
                ("BLMOVE", "full", "d", "LEFT", "LEFT", "0"), ("BLMPOP", "0", "1", "full", "RIGHT", "COUNT", "5"),
                ("BLPOP", "nokey", "x"), ("EXEC",), ("EXISTS", "full"), ("LRANGE", "d", "0", "-1")):
        diff.check(*cmd)
    for cmd in (("MULTI",), ("BLPOP", "nokey", "0"), ("BLMPOP", "0", "1", "nokey", "LEFT"),
                ("BLMOVE", "nokey", "d", "LEFT", "LEFT", "0"), ("EXEC",)):
        diff.check3(*cmd)


# -- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("cmd", [
    ("LPUSH", "k", "a"), ("RPUSH", "k", "a"), ("LPUSHX", "k", "a"), ("RPUSHX", "k", "a"), ("LLEN", "k"),
    ("LPOP", "k"), ("RPOP", "k"), ("LPOP", "k", "2"), ("LPOP", "k", "0"), ("LPOP", "k", "-1"),
    ("LPOP", "k", "x"), ("RPOP", "k", "-1"), ("LRANGE", "k", "0", "-1"), ("LRANGE", "k", "x", "1"),
    ("LINDEX", "k", "0"), ("LINDEX", "k", "x"), ("LSET", "k", "0", "v"), ("LSET", "k", "x", "v"),
    ("LINSERT", "k", "BEFORE", "a", "b"), ("LINSERT", "k", "MIDDLE", "a", "b"), ("LREM", "k", "0", "a"),
    ("LREM", "k", "x", "a"), ("LTRIM", "k", "0", "1"), ("LTRIM", "k", "x", "1"), ("LPOS", "k", "a"),
    ("LPOS", "k", "a", "RANK", "0"), ("LPOS", "k", "a", "FOO"), ("LMOVE", "k", "d", "LEFT", "LEFT"),
    ("LMOVE", "k", "d", "UP", "LEFT"), ("RPOPLPUSH", "k", "d"), ("LMPOP", "1", "k", "LEFT"),
    ("LMPOP", "1", "k", "LEFT", "COUNT", "0"), ("BLPOP", "k", "0"), ("BRPOP", "k", "x"),
    ("BLMOVE", "k", "d", "LEFT", "LEFT", "0"), ("BRPOPLPUSH", "k", "d", "0"),
    ("BLMPOP", "0", "1", "k", "LEFT"), ("BLMPOP", "-1", "1", "k", "LEFT"),
])
def test_wrongtype(diff, cmd):
    diff.check("HSET", "k", "f", "v")
    both(diff, *cmd)
    diff.check("DEL", "k")
    diff.check("SET", "k", "v")
    both(diff, *cmd)
    both(diff, "GET", "k")
    both(diff, "EXISTS", "d")


@pytest.mark.parametrize("name", [
    "LPUSH", "RPUSH", "LPUSHX", "RPUSHX", "LPOP", "RPOP", "LLEN", "LRANGE", "LINDEX", "LSET", "LINSERT",
    "LREM", "LTRIM", "LPOS", "LMOVE", "RPOPLPUSH", "LMPOP", "BLPOP", "BRPOP", "BLMOVE", "BRPOPLPUSH",
    "BLMPOP",
])
def test_arity_and_command_info(diff, name):
    both(diff, name)
    both(diff, name, "l")
    both(diff, name.lower(), "l", "a", "b", "c", "d", "e", "f")
    # the command table's arity, flags, first/last key and step as Redis 7.0 declares them
    expected, got = (parse(c.send("COMMAND", "INFO", name)) for c in diff.conns)
    assert got[0][:6] == expected[0][:6], (name, expected, got)


# -- TTLs, emptied lists, encodings ----------------------------------------------------------
def test_ttl_kept_across_writes(diff):
    fill(diff)
    diff.check("EXPIRE", "l", "1000")
    diff.check("RPUSH", "dst", "x")
    diff.check("EXPIRE", "dst", "500")
    for cmd in (("LPUSH", "l", "x"), ("RPUSH", "l", "y"), ("LPUSHX", "l", "z"), ("RPUSHX", "l", "w"),
                ("LPOP", "l"), ("RPOP", "l", "2"), ("LSET", "l", "0", "v"), ("LINSERT", "l", "AFTER", "v", "u"),
                ("LREM", "l", "1", "u"), ("LTRIM", "l", "0", "-2"), ("LMOVE", "l", "dst", "LEFT", "LEFT"),
                ("RPOPLPUSH", "l", "dst"), ("LMPOP", "1", "l", "LEFT"), ("BLPOP", "l", "0"),
                ("BLMOVE", "l", "dst", "RIGHT", "RIGHT", "0"), ("LMOVE", "l", "l", "LEFT", "RIGHT")):
        diff.check(*cmd)
        diff.check_approx("TTL", "l")
        diff.check_approx("TTL", "dst")
    run_all(diff, (("LRANGE", "l", "0", "-1"), ("LRANGE", "dst", "0", "-1")))
    # a list popped empty is gone with its TTL; pushed again it has none
    diff.check("LPOP", "l", "100")
    run_all(diff, (("EXISTS", "l"), ("TTL", "l"), ("RPUSH", "l", "again"), ("TTL", "l")))
    # a destination created by a move has no TTL; a source moved empty loses its key
    diff.check("DEL", "new")
    diff.check("EXPIRE", "l", "100")
    run_all(diff, (("LMOVE", "l", "new", "LEFT", "LEFT"), ("TTL", "new"), ("TTL", "l"), ("EXISTS", "l")))


@pytest.mark.parametrize("emptier", [
    ("LPOP", "l"), ("RPOP", "l"), ("LPOP", "l", "5"), ("RPOP", "l", "2"), ("LREM", "l", "0", "a"),
    ("LREM", "l", "-2", "a"), ("LTRIM", "l", "5", "10"), ("LTRIM", "l", "-1", "0"),
    ("LMOVE", "l", "d", "LEFT", "RIGHT"), ("RPOPLPUSH", "l", "d"), ("LMPOP", "1", "l", "RIGHT", "COUNT", "9"),
    ("BLPOP", "l", "0"), ("BRPOP", "x", "l", "0"), ("BLMOVE", "l", "d", "RIGHT", "LEFT", "0"),
    ("BRPOPLPUSH", "l", "d", "0"), ("BLMPOP", "0", "1", "l", "LEFT", "COUNT", "2"),
])
def test_emptied_list_disappears(diff, emptier):
    """Each emptier is run until the two-element list is empty."""
    diff.check("RPUSH", "l", "a", "a")
    for _ in range(2):
        diff.check(*emptier)
        if parse(diff.conns[0].send("EXISTS", "l")) == 0:
            break
    run_all(diff, (("EXISTS", "l"), ("LLEN", "l"), ("TYPE", "l"), ("LRANGE", "l", "0", "-1"),
                   ("LRANGE", "d", "0", "-1"), ("DBSIZE",)))


def test_encodings(diff):
    def enc(key):
        both(diff, "OBJECT", "ENCODING", key)
    diff.check("RPUSH", "small", "a")
    enc("small")
    diff.check("RPUSH", "ints", "1", "2", "3")
    enc("ints")
    diff.check("RPUSH", "many", *[str(i) for i in range(1000)])
    enc("many")
    diff.check("RPUSH", "wide", "x" * 10_000)
    enc("wide")
    diff.check("LMOVE", "small", "moved", "LEFT", "LEFT")
    enc("moved")
    diff.check("COPY", "many", "copy")
    enc("copy")
    diff.check("LTRIM", "many", "0", "0")
    enc("many")
    run_all(diff, (("LRANGE", "copy", "0", "2"), ("LLEN", "copy"), ("TYPE", "copy"),
                   ("OBJECT", "ENCODING", "nokey")))


# -- dirty counters and keyspace events ---------------------------------------------------------
def test_dirty_counts(diff):
    diff.check("SET", "str", "v")
    for cmd in (("RPUSH", "l", "a", "b", "c"), ("LPUSH", "l", "x"), ("LPUSHX", "l", "y", "z"),
                ("RPUSHX", "nokey", "a"), ("LPUSHX", "nokey", "a", "b"), ("LPOP", "l"), ("RPOP", "l", "2"),
                ("LPOP", "l", "0"), ("LPOP", "nokey"), ("LPOP", "nokey", "2"), ("RPUSH", "l", "a", "b", "a"),
                ("LSET", "l", "0", "same"), ("LSET", "l", "0", "same"), ("LSET", "l", "99", "x"),
                ("LSET", "nokey", "0", "x"), ("LINSERT", "l", "BEFORE", "a", "n"),
                ("LINSERT", "l", "BEFORE", "nope", "n"), ("LINSERT", "nokey", "AFTER", "a", "n"),
                ("LREM", "l", "0", "a"), ("LREM", "l", "0", "zz"), ("RPUSH", "l", "1", "2", "3", "4"),
                ("LTRIM", "l", "0", "-1"), ("LTRIM", "l", "1", "-2"), ("LTRIM", "l", "0", "0"),
                ("LTRIM", "nokey", "0", "1"), ("RPUSH", "l", "m", "n"), ("LMOVE", "l", "d", "LEFT", "RIGHT"),
                ("LMOVE", "l", "l", "LEFT", "RIGHT"), ("LMOVE", "l", "l", "LEFT", "LEFT"),
                ("LMOVE", "nokey", "d", "LEFT", "LEFT"), ("LMOVE", "l", "str", "LEFT", "LEFT"),
                ("RPOPLPUSH", "l", "d"), ("RPOPLPUSH", "nokey", "d"), ("RPUSH", "l", "a", "b", "c"),
                ("LMPOP", "1", "l", "LEFT", "COUNT", "2"), ("LMPOP", "1", "nokey", "LEFT"),
                ("BLPOP", "l", "0"), ("RPUSH", "l", "p", "q", "r"), ("BRPOP", "l", "0"),
                ("BLMOVE", "l", "d", "LEFT", "LEFT", "0"), ("BRPOPLPUSH", "l", "d", "0"),
                ("RPUSH", "l", "s", "t", "u"), ("BLMPOP", "0", "1", "l", "RIGHT", "COUNT", "5"),
                ("LRANGE", "d", "0", "-1"), ("LLEN", "d"), ("LINDEX", "d", "0"), ("LPOS", "d", "a")):
        same_dirty(diff, *cmd)
    before = [dirty(c) for c in diff.conns]
    for cmd in (("MULTI",), ("BLPOP", "nokey", "0"), ("RPUSH", "d", "m"), ("BLMOVE", "d", "e", "LEFT", "LEFT", "0"),
                ("BLMPOP", "0", "1", "nokey", "LEFT"), ("EXEC",)):
        diff.check(*cmd)
    after = [dirty(c) for c in diff.conns]
    assert after[0] - before[0] == after[1] - before[1], (before, after)


def test_keyspace_events(diff, events):
    diff.check("SET", "str", "v")
    for cmd in (("RPUSH", "l", "a", "b", "c"), ("LPUSH", "l", "x", "y"), ("LPUSHX", "l", "z"),
                ("RPUSHX", "l", "w"), ("LPUSHX", "nokey", "a"), ("LPOP", "l"), ("RPOP", "l", "2"),
                ("LPOP", "l", "0"), ("LPOP", "nokey"), ("LSET", "l", "0", "v"), ("LSET", "l", "99", "v"),
                ("LINSERT", "l", "BEFORE", "v", "u"), ("LINSERT", "l", "AFTER", "nope", "u"),
                ("LREM", "l", "1", "u"), ("LREM", "l", "0", "zz"), ("LTRIM", "l", "0", "-1"),
                ("LTRIM", "l", "1", "-1"), ("LMOVE", "l", "d", "LEFT", "RIGHT"),
                ("LMOVE", "l", "l", "RIGHT", "LEFT"), ("LMOVE", "nokey", "d", "LEFT", "LEFT"),
                ("LMOVE", "l", "str", "LEFT", "LEFT"), ("RPOPLPUSH", "d", "l"), ("RPOPLPUSH", "l", "d"),
                ("LMPOP", "2", "nokey", "l", "LEFT", "COUNT", "1"), ("BLPOP", "l", "0"),
                ("BRPOP", "d", "0"), ("RPUSH", "l", "a", "b", "c", "d"), ("BLMOVE", "l", "e", "LEFT", "LEFT", "0"),
                ("BRPOPLPUSH", "l", "e", "0"), ("BLMPOP", "0", "1", "l", "LEFT", "COUNT", "9"),
                ("RPUSH", "l", "1", "2"), ("LTRIM", "l", "5", "6"), ("RPUSH", "l", "1", "2"),
                ("LREM", "l", "0", "1"), ("LREM", "l", "0", "2"), ("RPUSH", "l", "1"),
                ("LMOVE", "l", "l", "LEFT", "LEFT"), ("LMOVE", "l", "e", "LEFT", "LEFT"),
                ("LRANGE", "e", "0", "-1")):
        events.same(*cmd)


# -- seeded random command sequences ------------------------------------------------------------
KEYS = ("r1", "r2", "r3")
ELEMS = ("a", "b", "c", "dd", "", "1", "-1")


def _random_command(rng):
    key = rng.choice(KEYS)
    other = rng.choice(KEYS)
    elem = rng.choice(ELEMS)
    idx = lambda: rng.choice(["0", "1", "2", "-1", "-2", "3", "5", "-5", "10", "-10"])
    side = lambda: rng.choice(["LEFT", "RIGHT"])
    pick = rng.randrange(26)
    if pick < 3:
        return [rng.choice(["LPUSH", "RPUSH"]), key, *rng.choices(ELEMS, k=rng.randrange(1, 5))]
    if pick == 3:
        return [rng.choice(["LPUSHX", "RPUSHX"]), key, elem, rng.choice(ELEMS)]
    if pick == 4:
        return [rng.choice(["LPOP", "RPOP"]), key]
    if pick == 5:
        return [rng.choice(["LPOP", "RPOP"]), key, rng.choice(["0", "1", "2", "3", "10"])]
    if pick == 6:
        return ["LLEN", key]
    if pick == 7:
        return ["LRANGE", key, idx(), idx()]
    if pick == 8:
        return ["LINDEX", key, idx()]
    if pick == 9:
        return ["LSET", key, idx(), elem]
    if pick == 10:
        return ["LINSERT", key, rng.choice(["BEFORE", "AFTER"]), rng.choice(ELEMS), elem]
    if pick == 11:
        return ["LREM", key, rng.choice(["0", "1", "2", "-1", "-2"]), elem]
    if pick == 12:
        return ["LTRIM", key, idx(), idx()]
    if pick == 13:
        opts = []
        for name, values in (("RANK", ["1", "2", "-1", "-2", "3"]), ("COUNT", ["0", "1", "2"]),
                             ("MAXLEN", ["0", "1", "3"])):
            if rng.random() < 0.4:
                opts += [name, rng.choice(values)]
        return ["LPOS", key, elem, *opts]
    if pick == 14:
        return ["LMOVE", key, other, side(), side()]
    if pick == 15:
        return ["RPOPLPUSH", key, other]
    if pick == 16:
        count = ["COUNT", rng.choice(["1", "2", "5"])] if rng.random() < 0.5 else []
        keys = rng.sample(KEYS, rng.randrange(1, 4))
        return ["LMPOP", str(len(keys)), *keys, side(), *count]
    if pick == 17:
        return [rng.choice(["BLPOP", "BRPOP"]), *rng.sample(KEYS, rng.randrange(1, 4)), "0.01"]
    if pick == 18:
        return ["BLMOVE", key, other, side(), side(), "0.01"]
    if pick == 19:
        keys = rng.sample(KEYS, rng.randrange(1, 4))
        return ["BLMPOP", "0.01", str(len(keys)), *keys, side(), "COUNT", rng.choice(["1", "3"])]
    if pick == 20:
        return ["BRPOPLPUSH", key, other, "0.01"]
    if pick == 21:
        return ["EXISTS", *KEYS]
    if pick == 22 and rng.random() < 0.3:
        return ["SET", key, "string"]
    if pick == 23 and rng.random() < 0.3:
        return ["DEL", key]
    if pick == 24:
        return ["RPUSH", key, *[f"e{rng.randrange(50)}" for _ in range(rng.randrange(1, 40))]]
    return ["LRANGE", key, "0", "-1"]


@pytest.mark.parametrize("seed", [1, 20240607, 777])
def test_random_commands(diff, seed):
    rng = random.Random(seed)
    for _ in range(500):
        cmd = _random_command(rng)
        if rng.random() < 0.2:
            diff.check3(*cmd)
        else:
            diff.check(*cmd)
        for key in KEYS:
            if key in cmd[1:]:
                diff.check("LRANGE", key, "0", "-1")
    for key in KEYS:
        both(diff, "LRANGE", key, "0", "-1")
        both(diff, "TYPE", key)


# -- blocking pops with real sockets ----------------------------------------------------------
def _encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Blocking:
    """For each server: a control connection and named waiting clients."""

    def __init__(self, diff, resp3):
        self.diff = diff
        self.resp3 = resp3
        self.ctl = [self._conn(p) for p in diff.ports]
        self.waiters = {}
        self.ids = {}

    def _conn(self, port):
        c = RawConn(port)
        if self.resp3:
            c.send("HELLO", "3")
        return c

    def check(self, *cmd):
        expected, got = (c.send(*cmd) for c in self.ctl)
        assert got == expected, f"{cmd!r}: redis {expected!r}, redlet {got!r}"
        return got

    def client(self, name):
        if name not in self.waiters:
            self.waiters[name] = [self._conn(p) for p in self.diff.ports]
            self.ids[name] = [parse(c.send("CLIENT", "ID")) for c in self.waiters[name]]
        return self.waiters[name]

    def start(self, name, *cmd):
        """Send ``cmd`` from client ``name`` without waiting for its reply."""
        for c in self.client(name):
            c.send_raw(_encode(*cmd))

    def blocked(self, n):
        """Wait until both servers have ``n`` blocked clients."""
        for c in self.ctl:
            for _ in range(1000):
                info = parse(c.send("INFO", "clients")).decode()
                got = int(re.search(r"blocked_clients:(\d+)", info).group(1))
                if got == n:
                    break
                time.sleep(0.005)
            else:
                raise AssertionError(f"{got} blocked clients, not {n}")

    def block(self, name, *cmd, total=None):
        """Start ``cmd`` and wait until it is blocked (``total`` blocked clients in all)."""
        before = self.count()
        self.start(name, *cmd)
        self.blocked(before + 1 if total is None else total)

    def count(self):
        counts = []
        for c in self.ctl:
            info = parse(c.send("INFO", "clients")).decode()
            counts.append(int(re.search(r"blocked_clients:(\d+)", info).group(1)))
        assert counts[0] == counts[1], counts
        return counts[0]

    def reply(self, name, expect=None):
        expected, got = (c.read_reply() for c in self.waiters[name])
        assert got == expected, f"{name}: redis {expected!r}, redlet {got!r}"
        if expect is not None:
            assert got == expect, (name, got)
        return got

    def no_reply(self, name):
        """Neither server has answered ``name`` (checked with a short read)."""
        for c in self.waiters[name]:
            c.sock.settimeout(0.05)
            try:
                assert not c.buf
                data = c.sock.recv(65536)
                raise AssertionError(f"unexpected reply {data!r}")
            except (TimeoutError, BlockingIOError):
                pass
            finally:
                c.sock.settimeout(5)

    def unblock(self, name, *how):
        """CLIENT UNBLOCK ``name`` on both servers (each with its own client id)."""
        replies = [c.send("CLIENT", "UNBLOCK", str(i), *how) for c, i in zip(self.ctl, self.ids[name])]
        assert replies[0] == replies[1], replies
        return replies[0]

    def drop(self, name):
        for c in self.waiters.pop(name):
            c.close()
        del self.ids[name]

    def close(self):
        for c in self.ctl + [c for cs in self.waiters.values() for c in cs]:
            c.close()


@pytest.fixture(params=[False, True], ids=["resp2", "resp3"])
def blk(diff, request):
    b = Blocking(diff, request.param)
    yield b
    b.close()


@pytest.mark.parametrize("cmd", [
    ("BLPOP", "q", "0"), ("BRPOP", "q", "0"), ("BLPOP", "q", "100"), ("BRPOP", "other", "q", "0"),
    ("BLMOVE", "q", "dst", "LEFT", "RIGHT", "0"), ("BLMOVE", "q", "dst", "RIGHT", "LEFT", "0"),
    ("BLMOVE", "q", "q", "LEFT", "RIGHT", "0"), ("BRPOPLPUSH", "q", "dst", "0"),
    ("BRPOPLPUSH", "q", "q", "0"), ("BLMPOP", "0", "1", "q", "LEFT"),
    ("BLMPOP", "0", "2", "other", "q", "RIGHT", "COUNT", "2"), ("BLMPOP", "10", "1", "q", "LEFT", "COUNT", "9"),
])
def test_blocked_then_served_by_push(blk, cmd):
    blk.check("RPUSH", "dst", "d0")
    blk.block("w", *cmd)
    blk.no_reply("w")
    blk.check("RPUSH", "q", "a", "b", "c")
    blk.reply("w")
    blk.blocked(0)
    for key in ("q", "dst"):
        blk.check("LRANGE", key, "0", "-1")
    # the same client blocks again and an LPUSH serves it
    blk.check("DEL", "q")
    blk.block("w", *cmd)
    blk.check("LPUSH", "q", "x", "y")
    blk.reply("w")
    blk.check("LRANGE", "q", "0", "-1")
    blk.check("LRANGE", "dst", "0", "-1")


def test_fifo_among_blocked_clients(blk):
    for name in ("c1", "c2", "c3", "c4"):
        blk.block(name, "BLPOP", "q", "0")
    blk.check("RPUSH", "q", "a")
    blk.reply("c1")
    blk.blocked(3)
    for name in ("c2", "c3", "c4"):
        blk.no_reply(name)
    # one push of several elements serves several clients, in the order they blocked
    blk.check("LPUSH", "q", "x", "y")
    blk.reply("c2")
    blk.reply("c3")
    blk.no_reply("c4")
    blk.check("EXISTS", "q")
    # a client that blocks again goes to the back of the queue
    blk.block("c2", "BRPOP", "q", "0")
    blk.check("RPUSH", "q", "1", "2", "3")
    blk.reply("c4")
    blk.reply("c2")
    blk.check("LRANGE", "q", "0", "-1")


def test_mixed_blocking_commands_in_order(blk):
    blk.block("a", "BRPOP", "q", "0")
    blk.block("b", "BLMPOP", "0", "1", "q", "LEFT", "COUNT", "2")
    blk.block("c", "BLMOVE", "q", "dst", "LEFT", "LEFT", "0")
    blk.block("d", "BRPOPLPUSH", "q", "dst", "0")
    blk.block("e", "BLPOP", "q", "0")
    blk.check("RPUSH", "q", "1", "2", "3", "4", "5", "6")
    for name in "abcde":
        blk.reply(name)
    blk.check("LRANGE", "q", "0", "-1")
    blk.check("LRANGE", "dst", "0", "-1")


def test_blocked_on_several_keys(blk):
    blk.block("w", "BLPOP", "k1", "k2", "k3", "0")
    blk.check("RPUSH", "k3", "third")
    blk.reply("w")
    # both keys exist when the command runs: the first one named wins
    blk.check("RPUSH", "k2", "x")
    blk.check("RPUSH", "k3", "y")
    blk.start("w", "BLPOP", "k1", "k3", "k2", "0")
    blk.reply("w")
    blk.check("DEL", "k2", "k3")
    # keys made ready by one transaction: served from the first key pushed
    blk.block("w", "BRPOP", "k1", "k2", "k3", "0")
    blk.check("MULTI")
    blk.check("RPUSH", "k3", "from-k3")
    blk.check("RPUSH", "k1", "from-k1")
    blk.check("EXEC")
    blk.reply("w")
    blk.check("LRANGE", "k1", "0", "-1")
    blk.check("LRANGE", "k3", "0", "-1")
    blk.check("DEL", "k1", "k3")
    # the same key named twice, and BLMPOP over several keys
    blk.block("w", "BLMPOP", "0", "3", "k1", "k1", "k2", "RIGHT", "COUNT", "3")
    blk.check("RPUSH", "k2", "a", "b")
    blk.reply("w")
    blk.check("EXISTS", "k2")


def test_several_clients_on_several_keys(blk):
    blk.block("a", "BLPOP", "k1", "k2", "0")
    blk.block("b", "BLPOP", "k2", "0")
    blk.block("c", "BLPOP", "k2", "k1", "0")
    blk.check("RPUSH", "k2", "x", "y")
    blk.reply("a")
    blk.reply("b")
    blk.no_reply("c")
    blk.check("RPUSH", "k1", "z")
    blk.reply("c")
    blk.blocked(0)
    # one MULTI making two keys ready
    blk.block("a", "BLPOP", "k1", "0")
    blk.block("b", "BLPOP", "k2", "0")
    blk.block("c", "BLPOP", "k1", "k2", "0")
    blk.check("MULTI")
    blk.check("RPUSH", "k2", "p", "q")
    blk.check("RPUSH", "k1", "r")
    blk.check("EXEC")
    for name in "abc":
        blk.reply(name)
    blk.check("LRANGE", "k1", "0", "-1")
    blk.check("LRANGE", "k2", "0", "-1")


def test_timeouts(blk):
    for cmd in (("BLPOP", "q", "0.1"), ("BRPOP", "q", "other", "0.05"), ("BLMOVE", "q", "d", "LEFT", "LEFT", "0.1"),
                ("BRPOPLPUSH", "q", "d", "0.05"), ("BLMPOP", "0.1", "1", "q", "LEFT"),
                ("BLMPOP", "0.05", "2", "q", "r", "RIGHT", "COUNT", "3"), ("BLPOP", "q", "1e-1")):
        blk.start("w", *cmd)
        blk.reply("w", expect=b"_\r\n" if blk.resp3 else b"*-1\r\n")
    blk.check("EXISTS", "q", "d")
    # a waiter with a long timeout is still served; a short one times out first
    blk.block("long", "BLPOP", "q", "30")
    blk.start("short", "BLPOP", "q", "0.05")
    blk.reply("short")
    blk.check("RPUSH", "q", "v")
    blk.reply("long")


def test_timeout_errors(blk):
    for timeout in ("x", "-1", "-0.01", "inf", "-inf", "nan", "1e20", "1e400", "", "1 ", " 1", "1x"):
        for cmd in (("BLPOP", "q", timeout), ("BRPOP", "q", timeout), ("BLMOVE", "q", "d", "LEFT", "LEFT", timeout),
                    ("BRPOPLPUSH", "q", "d", timeout), ("BLMPOP", timeout, "1", "q", "LEFT")):
            blk.check(*cmd)
    blk.blocked(0)


def test_timeout_syntax_redis_accepts(blk):
    """strtold syntax (hex, exponents); milliseconds are rounded up, so a
    timeout above -1 ms, even negative, becomes 0: wait forever."""
    for cmd in (("BLPOP", "q", "0x1p-4"), ("BLMPOP", "5e-2", "1", "q", "LEFT"),
                ("BRPOPLPUSH", "q", "d", "0X.1"), ("BRPOP", "q", "0.0009")):
        blk.start("w", *cmd)
        blk.reply("w")
    for timeout in ("-0.0001", "-0.001", "0x10"):
        blk.block("w", "BLPOP", "q", timeout)
        blk.no_reply("w")
        assert blk.unblock("w") == b":1\r\n"
        blk.reply("w")


def test_multi_push_wakes_after_exec(blk):
    blk.block("w", "BLMPOP", "0", "1", "q", "LEFT", "COUNT", "10")
    blk.check("MULTI")
    blk.check("RPUSH", "q", "a")
    blk.check("RPUSH", "q", "b", "c")
    blk.check("LPUSH", "q", "z")
    blk.check("EXEC")
    blk.reply("w")
    blk.check("EXISTS", "q")
    # pushed and deleted inside one transaction: nothing to serve, still blocked
    blk.block("w", "BLPOP", "q", "0")
    blk.check("MULTI")
    blk.check("RPUSH", "q", "a")
    blk.check("DEL", "q")
    blk.check("EXEC")
    blk.no_reply("w")
    # pushed and popped down to one element inside the transaction
    blk.check("MULTI")
    blk.check("RPUSH", "q", "a", "b")
    blk.check("LPOP", "q")
    blk.check("EXEC")
    blk.reply("w")
    blk.check("EXISTS", "q")


def test_script_push_wakes_after_script(blk):
    blk.block("w", "BLPOP", "q", "0")
    blk.check("EVAL", "redis.call('RPUSH', KEYS[1], 'a', 'b'); redis.call('LPOP', KEYS[1]); "
              "return redis.call('LRANGE', KEYS[1], 0, -1)", "1", "q")
    blk.reply("w", expect=b"*2\r\n$1\r\nq\r\n$1\r\nb\r\n")
    blk.check("EXISTS", "q")
    # BLPOP/BRPOP/BLMOVE/BRPOPLPUSH are refused in scripts (noscript; called
    # outside tail position, whose error location is a known divergence);
    # BLMPOP acts as LMPOP
    for cmd in ("BLPOP", "BRPOP"):
        blk.check("EVAL", f"local r = redis.call('{cmd}', KEYS[1], 0) return r", "1", "nokey")
    blk.check("EVAL", "local r = redis.call('BLMOVE', KEYS[1], KEYS[2], 'LEFT', 'LEFT', 0) "
              "return r", "2", "nokey", "d")
    blk.check("EVAL", "local r = redis.call('BRPOPLPUSH', KEYS[1], KEYS[2], 0) return r",
              "2", "nokey", "d")
    blk.check("EVAL", "return redis.call('BLMPOP', 0, 1, KEYS[1], 'LEFT')", "1", "nokey")
    blk.check("RPUSH", "full", "x", "y")
    blk.check("EVAL", "return redis.call('BLMPOP', 0, 1, KEYS[1], 'RIGHT', 'COUNT', 5)", "1", "full")
    blk.blocked(0)


def test_blmove_chained_wakeups(blk):
    blk.block("mover", "BLMOVE", "src", "mid", "LEFT", "RIGHT", "0")
    blk.block("mover2", "BRPOPLPUSH", "mid", "end", "0")
    blk.block("popper", "BLPOP", "end", "0")
    blk.check("RPUSH", "src", "token")
    blk.reply("mover")
    blk.reply("mover2")
    blk.reply("popper")
    blk.blocked(0)
    blk.check("EXISTS", "src", "mid", "end")
    # a non-blocking LMOVE onto a key a client waits for serves it too
    blk.block("popper", "BRPOP", "dst", "0")
    blk.check("RPUSH", "src", "a", "b")
    blk.check("LMOVE", "src", "dst", "RIGHT", "LEFT")
    blk.reply("popper")
    blk.check("RPOPLPUSH", "src", "dst")
    blk.block("popper", "BLMPOP", "0", "1", "dst2", "LEFT")
    blk.check("RPOPLPUSH", "dst", "dst2")
    blk.reply("popper")
    blk.check("EXISTS", "src", "dst", "dst2")
    # BLMOVE from a key to itself while another client waits on it
    blk.block("mover", "BLMOVE", "ring", "ring", "LEFT", "RIGHT", "0")
    blk.block("popper", "BLPOP", "ring", "0")
    blk.check("RPUSH", "ring", "1", "2")
    blk.reply("mover")
    blk.reply("popper")
    blk.check("LRANGE", "ring", "0", "-1")


def test_each_element_to_one_client(blk):
    kinds = (("BLMOVE", "q", "out", "LEFT", "RIGHT", "0"), ("BRPOP", "q", "0"),
             ("BLMPOP", "0", "1", "q", "LEFT", "COUNT", "2"))
    names = [f"w{i}" for i in range(6)]
    for i, name in enumerate(names):
        blk.block(name, *kinds[i % 3])
    blk.check("RPUSH", "q", *[str(i) for i in range(5)])      # 1 + 1 + 2 + 1 elements
    for name in names[:4]:
        blk.reply(name)
    blk.blocked(2)
    blk.no_reply("w4")
    blk.check("EXISTS", "q")
    blk.check("RPUSH", "q", "5", "6", "7", "8")
    blk.reply("w4")
    blk.reply("w5")
    blk.check("LRANGE", "out", "0", "-1")
    blk.check("LRANGE", "q", "0", "-1")


def test_client_unblock(blk):
    blk.block("w", "BLPOP", "q", "0")
    assert blk.unblock("w", "TIMEOUT") == b":1\r\n"
    blk.reply("w", expect=b"_\r\n" if blk.resp3 else b"*-1\r\n")
    blk.block("w", "BLMOVE", "q", "d", "LEFT", "LEFT", "0")
    assert blk.unblock("w", "ERROR") == b":1\r\n"
    blk.reply("w", expect=b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n")
    blk.block("w", "BLMPOP", "0", "1", "q", "LEFT")
    assert blk.unblock("w") == b":1\r\n"              # TIMEOUT by default
    blk.reply("w")
    blk.block("w", "BRPOPLPUSH", "q", "d", "0")
    blk.check("CLIENT", "UNBLOCK", "not-a-number")
    assert blk.unblock("w", "FOO").startswith(b"-ERR")
    blk.no_reply("w")
    assert blk.unblock("w", "error") == b":1\r\n"
    blk.reply("w")
    # not blocked: 0; an unknown id: 0
    assert blk.unblock("w") == b":0\r\n"
    blk.check("CLIENT", "UNBLOCK", "999999")
    blk.blocked(0)
    # an unblocked client is out of the queue: a push goes to the next one
    blk.block("a", "BLPOP", "q", "0")
    blk.block("b", "BLPOP", "q", "0")
    blk.unblock("a", "TIMEOUT")
    blk.reply("a")
    blk.check("RPUSH", "q", "v")
    blk.reply("b")
    blk.check("EXISTS", "q")


def test_disconnected_waiter_is_forgotten(blk):
    blk.block("gone", "BLPOP", "q", "0")
    blk.block("stays", "BRPOP", "q", "0")
    blk.drop("gone")
    blk.blocked(1)
    blk.check("RPUSH", "q", "v")
    blk.reply("stays")
    blk.check("EXISTS", "q")


def test_blocked_key_gets_wrong_type(blk):
    blk.block("w", "BLPOP", "k", "0")
    blk.check("SET", "k", "string")
    blk.no_reply("w")
    blk.check("DEL", "k")
    blk.check("HSET", "k", "f", "v")
    blk.no_reply("w")
    blk.check("DEL", "k")
    blk.check("ZADD", "k", "1", "m")           # a zset wakes zset waiters only
    blk.no_reply("w")
    blk.check("DEL", "k")
    blk.check("RPUSH", "k", "finally")
    blk.reply("w", expect=b"*2\r\n$1\r\nk\r\n$7\r\nfinally\r\n")
    blk.blocked(0)
    # BLMOVE whose destination holds another type: the waiter gets WRONGTYPE, the element stays
    blk.check("SET", "dst", "string")
    blk.block("w", "BLMOVE", "src", "dst", "LEFT", "RIGHT", "0")
    blk.check("RPUSH", "src", "x")
    blk.reply("w", expect=WRONGTYPE)
    blk.blocked(0)
    blk.check("LRANGE", "src", "0", "-1")
    blk.check("GET", "dst")
    blk.check("DEL", "src")
    blk.block("w", "BRPOPLPUSH", "src", "dst", "0")
    blk.block("next", "BLPOP", "src", "0")
    blk.check("RPUSH", "src", "y")
    blk.reply("w", expect=WRONGTYPE)
    blk.reply("next")
    blk.check("EXISTS", "src")


@pytest.mark.parametrize("writer", [
    ("RENAME", "tmp", "q"), ("COPY", "tmp", "q"), ("SORT", "tmp", "ALPHA", "STORE", "q"),
    ("MOVE", "tmp9", "0"),
])
def test_served_by_other_writers(blk, writer):
    """Commands other than pushes that create a list under a waited-for key."""
    blk.check("RPUSH", "tmp", "b", "a")
    if writer[0] == "MOVE":
        blk.check("SELECT", "9")
        blk.check("RPUSH", "tmp9", "m")
        blk.check("RENAME", "tmp9", "q")
        writer = ("MOVE", "q", "0")
    if writer[0] == "RESTORE":
        dumps = [parse(c.send("DUMP", "tmp")) for c in blk.ctl]
        assert dumps[0] is not None and dumps[1] is not None
    blk.block("w", "BLPOP", "q", "0")
    if writer[0] == "RESTORE":
        replies = [c.send("RESTORE", "q", "0", d) for c, d in zip(blk.ctl, dumps)]
        assert replies[0] == replies[1] == b"+OK\r\n", replies
    else:
        blk.check(*writer)
    blk.check("SELECT", "0")
    blk.reply("w")
    blk.blocked(0)
    blk.check("LRANGE", "q", "0", "-1")


def test_served_in_another_database(blk):
    blk.start("w", "SELECT", "3")
    blk.reply("w")
    blk.block("w", "BLPOP", "q", "0")
    blk.check("RPUSH", "q", "db0")              # another database: no wake-up
    blk.no_reply("w")
    blk.check("SELECT", "3")
    blk.check("RPUSH", "q", "db3")
    blk.reply("w")
    blk.check("SELECT", "0")
    blk.check("LRANGE", "q", "0", "-1")
    # SWAPDB brings a list to a waited-for key
    blk.block("w", "BLPOP", "q", "0")
    blk.check("SWAPDB", "0", "3")
    blk.reply("w")
    blk.check("SELECT", "3")
    blk.check("LRANGE", "q", "0", "-1")
    blk.check("SELECT", "0")


def test_dirty_and_events_when_served(blk):
    blk.check("CONFIG", "SET", "notify-keyspace-events", "KEA")
    subs = [RawConn(p) for p in blk.diff.ports]
    try:
        for c in subs:
            c.send("PSUBSCRIBE", "__key*@0__:*")
        blk.block("a", "BLPOP", "q", "0")
        blk.block("b", "BLMOVE", "q", "dst", "RIGHT", "LEFT", "0")
        blk.block("c", "BLMPOP", "0", "1", "q", "RIGHT", "COUNT", "5")
        before = [dirty(c) for c in blk.ctl]
        blk.check("RPUSH", "q", "1", "2", "3", "4")
        for name in "abc":
            blk.reply(name)
        after = [dirty(c) for c in blk.ctl]
        assert after[0] - before[0] == after[1] - before[1], (before, after)
        blk.check("PUBLISH", "__keyevent@0__:zz-end", "x")
        seen = []
        for c in subs:
            events = []
            while True:
                msg = parse(c.read_reply())
                if msg[2] == b"__keyevent@0__:zz-end":
                    break
                events.append((msg[2], msg[3]))
            seen.append(events)
        assert seen[0] == seen[1], seen
    finally:
        for c in subs:
            c.close()
        blk.check("CONFIG", "SET", "notify-keyspace-events", "")
