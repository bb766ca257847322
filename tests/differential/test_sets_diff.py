"""Set commands against redis-server: raw reply bytes over RESP2 and RESP3,
dirty counters and keyspace events.

Redis 7.0 keeps a set in an intset or a hashtable, so the order of whole-set
replies is not fixed: they are compared as multisets of the raw elements
(the reply header, hence type and size, exactly).  Replies that do not depend
on order (counts, errors, single members) are compared byte for byte.
"""
import pytest

from ._collections import (Events, connections, full_scan, parse, same_dirty, same_members,
                           same_members_both)
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


def fill(diff, key, members):
    members = list(members)
    for i in range(0, len(members), 100):
        diff.check("SADD", key, *members[i:i + 100])


# -- SADD / SREM / SCARD / membership ---------------------------------------------------
def test_sadd_srem_scard(diff):
    for cmd in (("SADD", "s", "a"), ("SADD", "s", "a", "b", "c"), ("SADD", "s", "a"),
                ("SADD", "s", "x", "x", "y"), ("SADD", "s", ""), ("SADD", "s"),
                ("SCARD", "s"), ("SCARD", "nokey"), ("SCARD", "s", "x"),
                ("SREM", "s", "a"), ("SREM", "s", "a"), ("SREM", "s", "b", "b", "zz"),
                ("SREM", "nokey", "a"), ("SREM", "s"), ("SCARD", "s"),
                ("SREM", "s", "c", "x", "y", ""), ("EXISTS", "s"), ("TYPE", "s"),
                ("SCARD", "s")):
        both(diff, *cmd)


def test_binary_members(diff):
    both(diff, "SADD", "s", "\x00\xff\r\n", "\r\n", "x" * 70_000)
    for cmd in (("SISMEMBER", "s", "\x00\xff\r\n"), ("SISMEMBER", "s", "\r\n"),
                ("SISMEMBER", "s", "x" * 70_000), ("SCARD", "s")):
        both(diff, *cmd)
    same_members_both(diff, "SMEMBERS", "s")


def test_sismember_smismember(diff):
    diff.check("SADD", "s", "a", "b", "1", "2")
    for cmd in (("SISMEMBER", "s", "a"), ("SISMEMBER", "s", "z"), ("SISMEMBER", "nokey", "a"),
                ("SISMEMBER", "s", "1"), ("SISMEMBER", "s", "01"),
                ("SMISMEMBER", "s", "a", "z", "1", "a"), ("SMISMEMBER", "nokey", "a", "b"),
                ("SMISMEMBER", "s"), ("SISMEMBER", "s"), ("SISMEMBER", "s", "a", "b")):
        both(diff, *cmd)


@pytest.mark.parametrize("members", [
    ("3", "1", "2", "-5", "100"),                                  # intset: sorted
    ("1", "a", "2"),                                               # hashtable
    tuple(str(i) for i in range(600)),                             # past set-max-intset-entries
    (INT64_MAX, INT64_MIN, "0"),
    ("01", "1", " 1", "+1", "1.0"),
])
def test_smembers(diff, members):
    diff.check("SADD", "s", *members)
    same_members_both(diff, "SMEMBERS", "s")
    both(diff, "SCARD", "s")
    both(diff, "SMEMBERS", "nokey")


def test_intset_order_is_numeric(diff):
    """Redis answers an intset in numeric order; so does redlet."""
    diff.check("SADD", "s", "10", "-3", "7", "0", "9223372036854775807", "-9223372036854775808")
    both(diff, "SMEMBERS", "s")
    both(diff, "SSCAN", "s", "0")
    both(diff, "OBJECT", "ENCODING", "s")
    diff.check("SADD", "s", "x")
    both(diff, "OBJECT", "ENCODING", "s")


# -- SPOP / SRANDMEMBER ----------------------------------------------------------------
def test_spop_srandmember_deterministic(diff):
    diff.check("SADD", "one", "only")
    for cmd in (("SPOP", "nokey"), ("SPOP", "nokey", "3"), ("SPOP", "nokey", "0"),
                ("SRANDMEMBER", "nokey"), ("SRANDMEMBER", "nokey", "3"),
                ("SRANDMEMBER", "nokey", "-3"), ("SRANDMEMBER", "nokey", "0"),
                ("SRANDMEMBER", "one"), ("SRANDMEMBER", "one", "1"), ("SRANDMEMBER", "one", "-3"),
                ("SRANDMEMBER", "one", "0"), ("SRANDMEMBER", "one", "5"),
                ("SPOP", "one", "0"), ("SPOP", "one"), ("EXISTS", "one"),
                ("SADD", "one", "again"), ("SPOP", "one", "5"), ("EXISTS", "one")):
        both(diff, *cmd)


def test_spop_srandmember_errors(diff):
    diff.check("SADD", "s", "a", "b")
    diff.check("SET", "str", "x")
    for cmd in (("SPOP", "s", "x"), ("SPOP", "s", "-1"), ("SPOP", "s", "1.5"),
                ("SPOP", "s", "1", "2"), ("SPOP", "nokey", "-1"), ("SPOP", "s", INT64_MIN),
                ("SPOP", "s", "9223372036854775808"),
                ("SRANDMEMBER", "s", "x"), ("SRANDMEMBER", "s", "1.5"),
                ("SRANDMEMBER", "s", "1", "2"), ("SRANDMEMBER", "s", INT64_MIN),
                ("SRANDMEMBER", "s", "9223372036854775808"),
                ("SRANDMEMBER", "nokey", "x"), ("SPOP", "str"), ("SPOP", "str", "1"),
                ("SRANDMEMBER", "str"), ("SRANDMEMBER", "str", "-1"), ("SPOP",),
                ("SRANDMEMBER",), ("SCARD", "s")):
        both(diff, *cmd)


def test_spop_properties(diff):
    members = {b"m%d" % i for i in range(50)}
    fill(diff, "s", sorted(members))
    for conn in connections(diff):
        popped = parse(conn.send("SPOP", "s"))
        assert popped in members
        batch = parse(conn.send("SPOP", "s", "10"))
        assert len(batch) == 10 and len(set(batch)) == 10 and set(batch) <= members
        assert popped not in batch
        assert parse(conn.send("SCARD", "s")) == 39
        rest = parse(conn.send("SPOP", "s", "100"))
        assert set(rest) | set(batch) | {popped} == members
        assert parse(conn.send("EXISTS", "s")) == 0
    # RESP3: SPOP with a count is a set, SRANDMEMBER with a count an array
    fill(diff, "t", ["a", "b", "c"])
    r3 = [c.send("SPOP", "t", "2") for c in connections(diff, True)]
    assert [r[:4] for r in r3] == [b"~2\r\n"] * 2
    r3 = [c.send("SRANDMEMBER", "t", "-3") for c in connections(diff, True)]
    assert [r[:4] for r in r3] == [b"*3\r\n"] * 2


def test_srandmember_properties(diff):
    members = {b"m%d" % i for i in range(30)}
    fill(diff, "s", sorted(members))
    fill(diff, "ints", [str(i) for i in range(30)])
    for conn in connections(diff) + connections(diff, True):
        assert parse(conn.send("SRANDMEMBER", "s")) in members
        got = parse(conn.send("SRANDMEMBER", "s", "12"))
        assert len(got) == 12 and len(set(got)) == 12 and set(got) <= members
        got = parse(conn.send("SRANDMEMBER", "s", "25"))        # more than half: by removal
        assert len(got) == 25 and len(set(got)) == 25 and set(got) <= members
        got = parse(conn.send("SRANDMEMBER", "s", "-100"))
        assert len(got) == 100 and set(got) <= members
        got = parse(conn.send("SRANDMEMBER", "s", "100"))
        assert sorted(got) == sorted(members)
        got = parse(conn.send("SRANDMEMBER", "ints", "5"))
        assert len(set(got)) == 5 and all(0 <= int(x) < 30 for x in got)
        assert parse(conn.send("SCARD", "s")) == 30


def test_spop_whole_set_and_count_equal(diff):
    fill(diff, "s", ["a", "b", "c"])
    same_members(diff, "SPOP", "s", "3")
    both(diff, "EXISTS", "s")
    fill(diff, "s", [str(i) for i in range(5)])      # intset
    same_members(diff, "SPOP", "s", "5", resp3=False)
    both(diff, "EXISTS", "s")


# -- SMOVE -----------------------------------------------------------------------------
def test_smove(diff):
    diff.check("SADD", "src", "a", "b", "c")
    diff.check("SADD", "dst", "c", "d")
    diff.check("SET", "str", "x")
    for cmd in (("SMOVE", "src", "dst", "a"), ("SMOVE", "src", "dst", "a"),
                ("SMOVE", "src", "dst", "c"), ("SMOVE", "src", "new", "b"),
                ("EXISTS", "src"), ("SMOVE", "nokey", "dst", "a"),
                ("SMOVE", "dst", "dst", "d"), ("SMOVE", "dst", "dst", "zz"),
                ("SMOVE", "dst", "str", "d"), ("SMOVE", "str", "dst", "d"),
                ("SMOVE", "dst", "str", "zz"), ("SMOVE", "nokey", "str", "a"),
                ("SISMEMBER", "dst", "a"), ("SCARD", "dst"), ("SCARD", "new"),
                ("SMOVE", "src", "dst"), ("SMOVE", "src", "dst", "a", "b")):
        both(diff, *cmd)


def test_smove_keeps_and_drops_ttl(diff):
    diff.check("SADD", "src", "a", "b")
    diff.check("SADD", "dst", "z")
    diff.check("EXPIRE", "src", "1000")
    diff.check("EXPIRE", "dst", "2000")
    diff.check("SMOVE", "src", "dst", "a")
    diff.check_approx("TTL", "src")
    diff.check_approx("TTL", "dst")
    diff.check("SMOVE", "src", "dst", "b")
    both(diff, "TTL", "src")
    diff.check_approx("TTL", "dst")


# -- algebra ---------------------------------------------------------------------------
@pytest.fixture
def algebra(diff):
    diff.check("SADD", "a", "1", "2", "3", "x", "y")
    diff.check("SADD", "b", "2", "3", "4", "y")
    diff.check("SADD", "c", "3", "y", "z")
    diff.check("SADD", "ints1", "1", "2", "3")
    diff.check("SADD", "ints2", "2", "3", "4")
    diff.check("SET", "str", "v")
    return diff


@pytest.mark.parametrize("name", ["SINTER", "SUNION", "SDIFF"])
@pytest.mark.parametrize("keys", [
    ("a",), ("a", "b"), ("a", "b", "c"), ("b", "a"), ("a", "nokey"), ("nokey", "a"),
    ("nokey",), ("nokey", "nokey2"), ("a", "a"), ("ints1", "ints2"), ("ints1", "a"),
])
def test_algebra_replies(algebra, name, keys):
    same_members_both(algebra, name, *keys)


@pytest.mark.parametrize("name", ["SINTER", "SUNION", "SDIFF"])
def test_algebra_errors(algebra, name):
    for keys in (("str",), ("a", "str"), ("str", "a"), ("nokey", "str"), ("a", "b", "str"), ()):
        both(algebra, name, *keys)


@pytest.mark.parametrize("name", ["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"])
@pytest.mark.parametrize("keys", [
    ("a", "b"), ("a", "b", "c"), ("a", "nokey"), ("nokey",), ("a",), ("dest", "a"),
    ("a", "dest"), ("ints1", "ints2"), ("a", "a"),
])
def test_store_commands(algebra, name, keys):
    algebra.check("SADD", "dest", "old", "2")
    both(algebra, name, "dest", *keys)
    same_members_both(algebra, "SMEMBERS", "dest")
    both(algebra, "EXISTS", "dest")
    both(algebra, "TYPE", "dest")


@pytest.mark.parametrize("name", ["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"])
def test_store_overwrites_any_type_and_ttl(algebra, name):
    algebra.check("SET", "dest", "string")
    algebra.check("EXPIRE", "dest", "100")
    both(algebra, name, "dest", "a", "b")
    both(algebra, "TTL", "dest")
    algebra.check("SET", "dest2", "x")
    both(algebra, name, "dest2", "nokey", "nokey3")      # empty result deletes
    both(algebra, "EXISTS", "dest2")
    for keys in (("str",), ("a", "str"), ("nokey", "str")):
        both(algebra, name, "dest", *keys)
    both(algebra, "TYPE", "dest")
    both(algebra, name, "dest")


def test_sintercard(algebra):
    for cmd in (("SINTERCARD", "2", "a", "b"), ("SINTERCARD", "3", "a", "b", "c"),
                ("SINTERCARD", "1", "a"), ("SINTERCARD", "2", "a", "nokey"),
                ("SINTERCARD", "2", "a", "b", "LIMIT", "1"), ("SINTERCARD", "2", "a", "b", "LIMIT", "0"),
                ("SINTERCARD", "2", "a", "b", "limit", "100"),
                ("SINTERCARD", "2", "ints1", "ints2", "LIMIT", "1"),
                ("SINTERCARD", "0", "a"), ("SINTERCARD", "-1", "a"), ("SINTERCARD", "x", "a"),
                ("SINTERCARD", "3", "a", "b"), ("SINTERCARD", "1", "a", "b"),
                ("SINTERCARD", "1", "a", "LIMIT"), ("SINTERCARD", "1", "a", "LIMIT", "-1"),
                ("SINTERCARD", "1", "a", "LIMIT", "x"), ("SINTERCARD", "1", "a", "FOO", "1"),
                ("SINTERCARD", "2", "a", "str"), ("SINTERCARD", "2", "nokey", "str"),
                ("SINTERCARD", "1", "a", "LIMIT", "1", "LIMIT", "2"),
                ("SINTERCARD", "1"), ("SINTERCARD", INT64_MAX, "a"),
                ("SINTERCARD", "2147483648", "a")):
        both(algebra, *cmd)


# -- SSCAN -----------------------------------------------------------------------------
def test_sscan_small(diff):
    diff.check("SADD", "ints", "5", "1", "3")
    diff.check("SADD", "s", "a", "foo", "bar")
    for cmd in (("SSCAN", "ints", "0"), ("SSCAN", "ints", "0", "COUNT", "1"),
                ("SSCAN", "ints", "0", "MATCH", "1*"), ("SSCAN", "nokey", "0"),
                ("SSCAN", "nokey", "0", "MATCH", "x", "COUNT", "5"), ("SSCAN", "ints", "77")):
        both(diff, *cmd)
    for cmd in (("SSCAN", "s", "0"), ("SSCAN", "s", "0", "MATCH", "*a*")):
        expected, got = (parse(c.send(*cmd)) for c in connections(diff))
        assert expected[0] == b"0"
        assert got[0] == b"0" and sorted(got[1]) == sorted(expected[1])


def test_sscan_errors(diff):
    diff.check("SADD", "s", "1")          # an intset: answered whole whatever the cursor
    diff.check("SET", "str", "x")
    for cmd in (("SSCAN", "s", "x"), ("SSCAN", "s", "-1"), ("SSCAN", "s", "0", "COUNT", "0"),
                ("SSCAN", "s", "0", "COUNT", "x"), ("SSCAN", "s", "0", "COUNT"),
                ("SSCAN", "s", "0", "MATCH"), ("SSCAN", "s", "0", "TYPE", "set"),
                ("SSCAN", "s", "0", "NOVALUES"), ("SSCAN", "str", "0"), ("SSCAN", "str", "x"),
                ("SSCAN", "s")):
        both(diff, *cmd)


def test_sscan_full_walks(diff):
    fill(diff, "big", ["m%d" % i for i in range(400)])
    fill(diff, "bigints", [str(i) for i in range(1000)])      # past set-max-intset-entries
    for key, options in (("big", ()), ("big", ("COUNT", "7")), ("big", ("MATCH", "m1*")),
                         ("bigints", ("COUNT", "50")), ("big", ("COUNT", "1000"))):
        expected, got = (full_scan(c, "SSCAN", key, *options) for c in connections(diff))
        assert set(got) == set(expected)


# -- WRONGTYPE -------------------------------------------------------------------------
@pytest.mark.parametrize("cmd", [
    ("SADD", "k", "m"), ("SREM", "k", "m"), ("SCARD", "k"), ("SISMEMBER", "k", "m"),
    ("SMISMEMBER", "k", "m"), ("SMEMBERS", "k"), ("SPOP", "k"), ("SPOP", "k", "2"),
    ("SRANDMEMBER", "k"), ("SRANDMEMBER", "k", "2"), ("SMOVE", "k", "other", "m"),
    ("SINTER", "k"), ("SUNION", "k"), ("SDIFF", "k"), ("SINTERSTORE", "d", "k"),
    ("SUNIONSTORE", "d", "k"), ("SDIFFSTORE", "d", "k"), ("SINTERCARD", "1", "k"),
    ("SSCAN", "k", "0"),
    # the argument is checked before the type
    ("SPOP", "k", "x"), ("SRANDMEMBER", "k", "x"), ("SSCAN", "k", "x"),
])
def test_wrongtype(diff, cmd):
    diff.check("HSET", "k", "f", "v")
    both(diff, *cmd)
    diff.check("SET", "k", "v")
    both(diff, *cmd)


# -- TTL ---------------------------------------------------------------------------------
def test_writes_keep_ttl(diff):
    diff.check("SADD", "s", "a", "b", "c")
    diff.check("EXPIRE", "s", "1000")
    for cmd in (("SADD", "s", "d"), ("SREM", "s", "a"), ("SMOVE", "s", "o", "zz")):
        diff.check(*cmd)
        diff.check_approx("TTL", "s")
    for conn in diff.conns:                 # a random member goes; the TTL stays
        assert parse(conn.send("SPOP", "s")) in (b"b", b"c", b"d")
    diff.check_approx("TTL", "s")


# -- dirty counters and keyspace events --------------------------------------------------
def test_dirty_counts(diff):
    diff.check("SET", "str", "x")
    for cmd in (("SADD", "s", "a", "b", "c"), ("SADD", "s", "a", "d"), ("SADD", "s", "a"),
                ("SREM", "s", "a", "zz"), ("SREM", "s", "zz"), ("SMOVE", "s", "t", "b"),
                ("SMOVE", "s", "t", "zz"), ("SADD", "t", "c"), ("SMOVE", "s", "t", "c"),
                ("SINTERSTORE", "d", "s", "t"), ("SUNIONSTORE", "d", "s", "t"),
                ("SDIFFSTORE", "d", "t", "s"), ("SDIFFSTORE", "d", "nokey"),
                ("SDIFFSTORE", "d", "nokey"), ("SINTERSTORE", "str", "s", "t"),
                ("SCARD", "t"), ("SPOP", "nokey"), ("SPOP", "t", "0"),
                ("SREM", "t", "b", "c", "d")):
        same_dirty(diff, *cmd)


def test_dirty_counts_spop(diff):
    fill(diff, "s", ["a", "b", "c", "d", "e"])
    for cmd in (("SPOP", "s"), ("SPOP", "s", "2"), ("SPOP", "s", "5")):
        before = [c.send("INFO", "persistence") for c in diff.conns]
        replies = [c.send(*cmd) for c in diff.conns]
        after = [c.send("INFO", "persistence") for c in diff.conns]
        deltas = [_changes(a) - _changes(b) for a, b in zip(after, before)]
        assert deltas[0] == deltas[1], (cmd, deltas, replies)


def _changes(raw):
    for line in parse(raw).decode().splitlines():
        if line.startswith("rdb_changes_since_last_save:"):
            return int(line.split(":")[1])
    raise AssertionError(raw)


def test_keyspace_events(diff, events):
    diff.check("SET", "str", "x")
    for cmd in (("SADD", "s", "a", "b", "c"), ("SADD", "s", "a"), ("SREM", "s", "a", "zz"),
                ("SREM", "s", "zz"), ("SMOVE", "s", "t", "b"), ("SMOVE", "s", "t", "zz"),
                ("SADD", "t", "x", "y"), ("SINTERSTORE", "d", "s", "t"),
                ("SUNIONSTORE", "d", "s", "t"), ("SDIFFSTORE", "d", "t", "s"),
                ("SDIFFSTORE", "d", "nokey"), ("SUNIONSTORE", "str", "t"),
                ("SCARD", "t"), ("SREM", "s", "c"), ("SPOP", "t", "0")):
        events.same(*cmd)
