"""Hash commands against redis-server: raw reply bytes over RESP2 and RESP3,
dirty counters and keyspace events.

Small hashes are compared exactly (Redis' listpack keeps insertion order, and
so does a dict); big ones, and random picks, as multisets or by their
properties.
"""
import pytest

from ._collections import (Events, connections, full_scan, parse, same_dirty, same_members,
                           same_members_both, same_scan_page)
from .conftest import RawConn

INT64_MAX = "9223372036854775807"
INT64_MIN = "-9223372036854775808"


def both(diff, *cmd):
    diff.check(*cmd)
    return diff.check3(*cmd)


@pytest.fixture
def events(diff):
    diff.check("CONFIG", "SET", "notify-keyspace-events", "KEA")
    ev = Events(diff, RawConn)
    yield ev
    ev.close()
    diff.check("CONFIG", "SET", "notify-keyspace-events", "")


def big_hash(diff, key="big", n=300, value_size=1):
    for i in range(0, n, 100):
        args = []
        for j in range(i, min(i + 100, n)):
            args += ["f%d" % j, ("v%d" % j).ljust(value_size, "x")]
        diff.check("HSET", key, *args)


# -- HSET family --------------------------------------------------------------------
def test_hset_hmset_hsetnx(diff):
    for cmd in (("HSET", "h", "a", "1"), ("HSET", "h", "a", "2", "b", "3", "c", "4"),
                ("HSET", "h", "a", "2"), ("HSET", "h", "d", ""), ("HSET", "h", "", "empty"),
                ("HSET", "h", "x", "1", "x", "2"), ("HGET", "h", "x"),
                ("HSET", "h", "a"), ("HSET", "h", "a", "1", "b"), ("HSET", "h"),
                ("HMSET", "h", "m", "1", "n", "2"), ("HMSET", "h", "m"),
                ("HMSET", "h", "m", "1", "n"), ("HMSET", "new", "k", "v"),
                ("HSETNX", "h", "a", "9"), ("HSETNX", "h", "z", "9"), ("HSETNX", "h2", "f", "v"),
                ("HSETNX", "h", "z"), ("HGETALL", "h"), ("HGETALL", "h2"), ("HGETALL", "new")):
        both(diff, *cmd)


def test_binary_and_large_values(diff):
    big = "x" * 100_000
    both(diff, "HSET", "h", "\x00\xff\r\n", "\r\n\x00", "big", big)
    for cmd in (("HGET", "h", "\x00\xff\r\n"), ("HSTRLEN", "h", "big"), ("HLEN", "h")):
        both(diff, *cmd)
    # a big value makes Redis' hash a hashtable: order is not fixed
    same_members_both(diff, "HKEYS", "h")
    same_members_both(diff, "HVALS", "h")
    same_members(diff, "HGETALL", "h", pairs=True)


def test_reads(diff):
    diff.check("HSET", "h", "a", "1", "b", "22", "c", "333")
    for cmd in (("HGET", "h", "a"), ("HGET", "h", "nofield"), ("HGET", "nokey", "a"),
                ("HMGET", "h", "a", "x", "c", "a"), ("HMGET", "nokey", "a", "b"),
                ("HEXISTS", "h", "b"), ("HEXISTS", "h", "x"), ("HEXISTS", "nokey", "x"),
                ("HLEN", "h"), ("HLEN", "nokey"), ("HSTRLEN", "h", "c"), ("HSTRLEN", "h", "x"),
                ("HSTRLEN", "nokey", "x"), ("HKEYS", "h"), ("HKEYS", "nokey"), ("HVALS", "h"),
                ("HVALS", "nokey"), ("HGETALL", "h"), ("HGETALL", "nokey"),
                ("HGET", "h"), ("HMGET", "h"), ("HLEN", "h", "x"), ("HKEYS",), ("HGETALL", "h", "x"),
                ("HEXISTS", "h"), ("HSTRLEN", "h")):
        both(diff, *cmd)


def test_order_after_updates_and_deletes(diff):
    diff.check("HSET", "h", *[x for i in range(10) for x in ("f%d" % i, str(i))])
    diff.check("HDEL", "h", "f3", "f7")
    diff.check("HSET", "h", "f0", "new", "f3", "back")
    for cmd in (("HGETALL", "h"), ("HKEYS", "h"), ("HVALS", "h"), ("HSCAN", "h", "0")):
        both(diff, *cmd)


def test_big_hashes_as_multisets(diff):
    big_hash(diff)
    big_hash(diff, "wide", n=20, value_size=100)         # hashtable by value size
    for key in ("big", "wide"):
        same_members_both(diff, "HKEYS", key)
        same_members_both(diff, "HVALS", key)
        same_members(diff, "HGETALL", key, pairs=True)
        same_members(diff, "HGETALL", key, resp3=True, pairs=True)
        both(diff, "HLEN", key)
    both(diff, "HGET", "big", "f299")
    both(diff, "HMGET", "big", "f0", "f150", "zz")


# -- HDEL ------------------------------------------------------------------------------
def test_hdel(diff):
    diff.check("HSET", "h", "a", "1", "b", "2", "c", "3")
    for cmd in (("HDEL", "h", "a"), ("HDEL", "h", "a"), ("HDEL", "h", "x", "b", "b"),
                ("HDEL", "nokey", "a"), ("HDEL", "h"), ("HDEL", "h", "c", "zz"),
                ("EXISTS", "h"), ("HLEN", "h"), ("TYPE", "h")):
        both(diff, *cmd)


# -- counters --------------------------------------------------------------------------
@pytest.mark.parametrize("start, inc", [
    (None, "1"), (None, "-5"), ("10", "5"), ("-10", "-5"), ("0", INT64_MAX), ("1", INT64_MAX),
    ("-1", INT64_MIN), ("-2", INT64_MIN), (INT64_MAX, "0"), (INT64_MIN, "-1"),
    ("x", "1"), ("1.5", "1"), (" 1", "1"), ("01", "1"), ("", "1"), ("+1", "1"),
    ("10", "x"), ("10", "1.5"), ("10", ""), ("10", "01"), ("10", "9223372036854775808"),
])
def test_hincrby(diff, start, inc):
    if start is not None:
        diff.check("HSET", "h", "f", start)
    else:
        diff.check("HSET", "h", "other", "1")
    both(diff, "HINCRBY", "h", "f", inc)
    both(diff, "HGET", "h", "f")


def test_hincrby_missing_key_and_arity(diff):
    for cmd in (("HINCRBY", "nokey", "f", "3"), ("HGETALL", "nokey"), ("HINCRBY", "h", "f"),
                ("HINCRBY", "h", "f", "1", "2"), ("HINCRBY", "nokey2", "f", "x"),
                ("EXISTS", "nokey2")):
        both(diff, *cmd)


@pytest.mark.parametrize("start, inc", [
    (None, "1.5"), ("10.5", "0.1"), ("0.1", "0.2"), ("5", "-5"), ("5.0e3", "2.0e2"),
    ("1", "1e-20"), ("3", "-3.0000000000000001"), ("1", "0x10"), ("1", "1e4000"),
    ("1e4930", "1e4930"), ("1", "inf"), ("1", "-inf"), ("1", "nan"), ("1", "abc"),
    ("1", "1e5000"), ("1", " 1"), ("1", ""), ("inf", "1"), ("nan", "1"), ("abc", "1"),
    ("1.5abc", "1"), ("17179869184", "1.5"), ("-1.1", "1.1"), ("1", "1e-4950"),
    ("12345678901234567890", "1"), ("0", "-0.0"), ("1", ".5"), ("1", "5."),
])
def test_hincrbyfloat(diff, start, inc):
    if start is not None:
        diff.check("HSET", "h", "f", start)
    both(diff, "HINCRBYFLOAT", "h", "f", inc)
    both(diff, "HGET", "h", "f")
    both(diff, "EXISTS", "h")


def test_counters_keep_ttl(diff):
    diff.check("HSET", "h", "f", "1")
    diff.check("EXPIRE", "h", "1000")
    for cmd in (("HINCRBY", "h", "f", "2"), ("HINCRBYFLOAT", "h", "f", "0.5"),
                ("HSET", "h", "g", "1"), ("HDEL", "h", "g"), ("HSETNX", "h", "n", "v")):
        diff.check(*cmd)
        diff.check_approx("TTL", "h")


# -- HRANDFIELD ------------------------------------------------------------------------
def test_hrandfield_deterministic(diff):
    diff.check("HSET", "h", "a", "1", "b", "2", "c", "3")
    diff.check("HSET", "one", "only", "v")
    for cmd in (("HRANDFIELD", "nokey"), ("HRANDFIELD", "nokey", "3"),
                ("HRANDFIELD", "nokey", "-3"), ("HRANDFIELD", "nokey", "3", "WITHVALUES"),
                ("HRANDFIELD", "h", "0"), ("HRANDFIELD", "h", "0", "WITHVALUES"),
                ("HRANDFIELD", "h", "3"), ("HRANDFIELD", "h", "100"),
                ("HRANDFIELD", "h", "3", "WITHVALUES"), ("HRANDFIELD", "h", "4", "withvalues"),
                ("HRANDFIELD", "one"), ("HRANDFIELD", "one", "1"), ("HRANDFIELD", "one", "-4"),
                ("HRANDFIELD", "one", "-3", "WITHVALUES"), ("HRANDFIELD", "one", "1", "WITHVALUES"),
                ("HRANDFIELD", "nokey", "0")):
        both(diff, *cmd)


def test_hrandfield_errors(diff):
    diff.check("HSET", "h", "a", "1")
    diff.check("SET", "s", "x")
    for cmd in (("HRANDFIELD", "h", "x"), ("HRANDFIELD", "h", "1.5"),
                ("HRANDFIELD", "h", INT64_MIN),
                ("HRANDFIELD", "h", "9223372036854775808"),
                ("HRANDFIELD", "h", "1", "WITHVALUE"), ("HRANDFIELD", "h", "1", "WITHVALUES", "x"),
                ("HRANDFIELD", "h", "4611686018427387904", "WITHVALUES"),
                ("HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"),
                ("HRANDFIELD", "h", "4611686018427387903", "WITHVALUES"),
                ("HRANDFIELD", "nokey", "x"), ("HRANDFIELD", "nokey", "1", "foo"),
                ("HRANDFIELD", "s"), ("HRANDFIELD", "s", "1"), ("HRANDFIELD", "s", "0"),
                ("HRANDFIELD", "s", "x"), ("HRANDFIELD",)):
        both(diff, *cmd)


def test_hrandfield_properties(diff):
    diff.check("HSET", "h", *[x for i in range(20) for x in ("f%d" % i, "v%d" % i)])
    fields = {b"f%d" % i: b"v%d" % i for i in range(20)}
    for conns in (connections(diff), connections(diff, True)):
        for conn in conns:
            assert parse(conn.send("HRANDFIELD", "h")) in fields
            got = parse(conn.send("HRANDFIELD", "h", "7"))
            assert len(got) == 7 and len(set(got)) == 7 and set(got) <= set(fields)
            got = parse(conn.send("HRANDFIELD", "h", "-50"))
            assert len(got) == 50 and set(got) <= set(fields)
            got = parse(conn.send("HRANDFIELD", "h", "-50", "WITHVALUES"))
            flat = got if conn not in connections(diff, True) else [x for p in got for x in p]
            assert len(flat) == 100
            assert all(fields[f] == v for f, v in zip(flat[::2], flat[1::2]))
            got = parse(conn.send("HRANDFIELD", "h", "15", "WITHVALUES"))
            pairs = got if conn in connections(diff, True) else list(zip(got[::2], got[1::2]))
            assert len({f for f, _ in pairs}) == 15
            assert all(fields[f] == v for f, v in pairs)
    # the RESP3 shape of WITHVALUES with a random count: an array of pairs
    r3 = [c.send("HRANDFIELD", "h", "2", "WITHVALUES") for c in connections(diff, True)]
    assert [r[:8] for r in r3] == [b"*2\r\n*2\r\n"] * 2


# -- HSCAN -----------------------------------------------------------------------------
def test_hscan_small(diff):
    diff.check("HSET", "h", "a", "1", "b", "2", "foo", "3", "bar", "4")
    for cmd in (("HSCAN", "h", "0"), ("HSCAN", "h", "0", "COUNT", "1"),
                ("HSCAN", "h", "0", "MATCH", "b*"), ("HSCAN", "h", "0", "match", "*o*", "count", "2"),
                ("HSCAN", "h", "0", "MATCH", "zz"), ("HSCAN", "h", "123"),
                ("HSCAN", "nokey", "0"), ("HSCAN", "nokey", "0", "COUNT", "0"),
                ("HSCAN", "nokey", "0", "TYPE", "x"), ("HSCAN", "nokey", "0", "MATCH")):
        both(diff, *cmd)


def test_hscan_errors(diff):
    diff.check("HSET", "h", "a", "1")
    diff.check("SET", "s", "x")
    for cmd in (("HSCAN", "h", "x"), ("HSCAN", "h", "-1"), ("HSCAN", "h", "1.5"),
                ("HSCAN", "h", "0", "COUNT", "0"), ("HSCAN", "h", "0", "COUNT", "-1"),
                ("HSCAN", "h", "0", "COUNT", "x"), ("HSCAN", "h", "0", "COUNT"),
                ("HSCAN", "h", "0", "MATCH"), ("HSCAN", "h", "0", "TYPE", "string"),
                ("HSCAN", "h", "0", "FOO", "1"), ("HSCAN", "s", "0"), ("HSCAN", "s", "x"),
                ("HSCAN", "nokey", "x"), ("HSCAN", "s", "0", "COUNT", "0"), ("HSCAN", "h")):
        both(diff, *cmd)


def test_hscan_full_walks(diff):
    big_hash(diff)
    big_hash(diff, "wide", n=20, value_size=100)
    for key, options in (("big", ()), ("big", ("COUNT", "7")), ("big", ("MATCH", "f1*")),
                         ("big", ("COUNT", "1000")), ("wide", ("COUNT", "3"))):
        expected, got = (full_scan(c, "HSCAN", key, *options) for c in connections(diff))
        assert set(zip(got[::2], got[1::2])) == set(zip(expected[::2], expected[1::2]))


def test_hscan_listpack_by_config(diff):
    """A hash under the listpack limits comes back whole in one call."""
    big_hash(diff, "h", n=128)
    page = same_scan_page(diff, "HSCAN", "h", "0", "COUNT", "5", pairs=True)
    assert len(page) == 256
    diff.check("HSET", "h", "long", "v" * 65)       # now a hashtable: paged
    for conn in connections(diff):
        assert parse(conn.send("HSCAN", "h", "0", "COUNT", "5"))[0] != b"0"


# -- WRONGTYPE -------------------------------------------------------------------------
@pytest.mark.parametrize("cmd", [
    ("HSET", "k", "f", "v"), ("HMSET", "k", "f", "v"), ("HSETNX", "k", "f", "v"),
    ("HGET", "k", "f"), ("HMGET", "k", "f"), ("HDEL", "k", "f"), ("HEXISTS", "k", "f"),
    ("HLEN", "k"), ("HKEYS", "k"), ("HVALS", "k"), ("HGETALL", "k"), ("HINCRBY", "k", "f", "1"),
    ("HINCRBYFLOAT", "k", "f", "1"), ("HSTRLEN", "k", "f"), ("HRANDFIELD", "k"),
    ("HRANDFIELD", "k", "2", "WITHVALUES"), ("HSCAN", "k", "0"),
    # the argument is checked before the type
    ("HINCRBY", "k", "f", "x"), ("HINCRBYFLOAT", "k", "f", "x"), ("HRANDFIELD", "k", "x"),
])
def test_wrongtype(diff, cmd):
    diff.check("SADD", "k", "m")
    both(diff, *cmd)
    diff.check("SET", "k", "v")
    both(diff, *cmd)


# -- dirty counters and keyspace events --------------------------------------------------
def test_dirty_counts(diff):
    for cmd in (("HSET", "h", "a", "1", "b", "2"), ("HSET", "h", "a", "1", "c", "3"),
                ("HMSET", "h", "a", "1"), ("HSETNX", "h", "a", "1"), ("HSETNX", "h", "n", "1"),
                ("HDEL", "h", "a", "b", "zz"), ("HDEL", "h", "zz"), ("HINCRBY", "h", "i", "1"),
                ("HINCRBY", "h", "a", "x"), ("HINCRBYFLOAT", "h", "i", "1.5"),
                ("HGET", "h", "i"), ("HDEL", "h", "c", "n", "i"), ("HDEL", "h", "x")):
        same_dirty(diff, *cmd)


def test_keyspace_events(diff, events):
    for cmd in (("HSET", "h", "a", "1", "b", "2"), ("HMSET", "h", "c", "3"),
                ("HSETNX", "h", "a", "1"), ("HSETNX", "h", "d", "1"), ("HINCRBY", "h", "i", "1"),
                ("HINCRBYFLOAT", "h", "i", "1.5"), ("HINCRBYFLOAT", "h", "a", "x"),
                ("HDEL", "h", "a", "zz"), ("HDEL", "h", "zz"), ("HGETALL", "h"),
                ("HDEL", "h", "b", "c", "d", "i"), ("HDEL", "h", "a")):
        events.same(*cmd)
