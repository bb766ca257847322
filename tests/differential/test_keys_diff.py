"""Generic key commands and expiry against redis-server: raw reply bytes.

Replies whose order is not fixed (KEYS, SCAN) are compared as sets; TTLs
with a tolerance.  Scripts that need other groups' commands (RPUSH, HSET,
SUBSCRIBE...) run once redlet has them.
"""
import time

import pytest

from redlet.commands import load_all
from redlet.commands.registry import COMMANDS

load_all()          # the table as the server has it, for the scripts that need other groups


def parse(raw):
    """One RESP2/RESP3 reply as Python values (bulk -> bytes, error -> Exception)."""
    def one(pos):
        t = raw[pos:pos + 1]
        end = raw.index(b"\r\n", pos)
        head = raw[pos + 1:end]
        if t in (b"$", b"="):
            n = int(head)
            if n < 0:
                return None, end + 2
            return raw[end + 2:end + 2 + n], end + 4 + n
        if t in (b"*", b"~", b">"):
            n = int(head)
            if n < 0:
                return None, end + 2
            items, p = [], end + 2
            for _ in range(n):
                item, p = one(p)
                items.append(item)
            return items, p
        if t == b":":
            return int(head), end + 2
        if t == b"-":
            return Exception(head.decode()), end + 2
        if t == b"_":
            return None, end + 2
        return head, end + 2
    value, end = one(0)
    assert end == len(raw), raw
    return value


def has(*names):
    return all(n in COMMANDS for n in names)


def needs(*names):
    return pytest.mark.skipif(not has(*names), reason="redlet has no %s yet" % "/".join(names))


def connections(diff, resp3=False):
    """The fixture's own (redis, redlet) connections, for walks whose cursors
    differ per server."""
    if resp3:
        if diff.conns3 is None:
            diff.check3("PING")
        return diff.conns3
    return diff.conns


def full_scan(conn, *options):
    seen, cursor = [], b"0"
    for _ in range(100_000):
        cursor, batch = parse(conn.send("SCAN", cursor, *options))
        seen.extend(batch)
        if cursor == b"0":
            return seen
    raise AssertionError("SCAN never ended")


def scan_both(diff, *options):
    """A complete SCAN on each server: the key sets must agree (order and
    batching differ: hash table buckets vs snapshot slices)."""
    expected, got = (full_scan(c, *options) for c in connections(diff))
    assert sorted(set(got)) == sorted(set(expected)), (options, expected, got)
    return got


@pytest.fixture
def config(diff):
    """CONFIG SET on both servers, undone after the test (the servers are shared)."""
    changed = {}

    def set_(name, value):
        if name not in changed:
            changed[name] = [parse(c.send("CONFIG", "GET", name))[1]
                             for c in connections(diff)]
        diff.check("CONFIG", "SET", name, value)
    yield set_
    for name, olds in changed.items():
        for conn, old in zip(connections(diff), olds):
            conn.send("CONFIG", "SET", name, old)


# -- scripts compared byte for byte ---------------------------------------------------
SCRIPTS = {
    "del": [
        ("SET", "a", "1"), ("SET", "b", "2"), ("DEL", "a", "b", "c", "a"), ("DEL", "a"),
        ("DEL",), ("SET", "a", "1"), ("UNLINK", "a", "a", "x"), ("UNLINK",), ("EXISTS", "a"),
    ],
    "exists": [
        ("SET", "a", "1"), ("EXISTS", "a", "a", "a", "b"), ("EXISTS", "b"), ("EXISTS",),
        ("TOUCH", "a", "a", "b"), ("TOUCH", "b"), ("TOUCH",),
    ],
    "type": [
        ("SET", "a", "1"), ("TYPE", "a"), ("TYPE", "nokey"), ("TYPE",), ("TYPE", "a", "b"),
        ("SET", "", "empty"), ("TYPE", ""), ("EXISTS", ""), ("DEL", ""),
    ],
    "rename": [
        ("SET", "a", "1"), ("RENAME", "a", "b"), ("GET", "a"), ("GET", "b"),
        ("RENAME", "a", "b"), ("RENAMENX", "a", "b"), ("RENAME", "b", "b"), ("RENAMENX", "b", "b"),
        ("RENAME", "nokey", "nokey"), ("SET", "c", "3"), ("RENAMENX", "b", "c"), ("GET", "b"),
        ("RENAMENX", "b", "d"), ("GET", "d"), ("RENAME", "d", "c"), ("GET", "c"), ("EXISTS", "d"),
        ("RENAME", "c"), ("RENAMENX", "c"), ("RENAME", "a", "b", "c"),
        ("SET", "t", "1"), ("PEXPIREAT", "t", "99999999999999"), ("RENAME", "t", "u"),
        ("PEXPIRETIME", "u"), ("PEXPIRETIME", "t"), ("SET", "v", "1"), ("RENAME", "v", "u"),
        ("PEXPIRETIME", "u"),
    ],
    "copy": [
        ("SET", "a", "1"), ("COPY", "a", "b"), ("GET", "b"), ("COPY", "a", "b"),
        ("SET", "a", "2"), ("COPY", "a", "b", "REPLACE"), ("GET", "b"),
        ("COPY", "a", "b", "replace", "REPLACE"), ("COPY", "a", "a"), ("COPY", "a", "a", "DB", "0"),
        ("COPY", "nokey", "b"), ("COPY", "nokey", "b", "REPLACE"), ("COPY", "nokey", "nokey"),
        ("COPY", "a", "b", "DB", "99"), ("COPY", "a", "b", "DB", "-1"),
        ("COPY", "a", "b", "DB", "x"), ("COPY", "a", "b", "DB", "4294967296"),
        ("COPY", "a", "b", "DB", "99999999999999999999"), ("COPY", "a", "b", "DB"),
        ("COPY", "a", "b", "FOO"), ("COPY", "a", "b", "DB", "x", "FOO"),
        ("COPY", "a", "b", "FOO", "DB", "x"), ("COPY", "a"), ("COPY", "a", "z", "DB", "1"),
        ("COPY", "a", "z", "db", "1"), ("COPY", "a", "z", "DB", "1", "REPLACE"),
        ("COPY", "a", "a", "DB", "2"), ("SELECT", "1"), ("GET", "z"), ("DEL", "z"),
        ("SELECT", "2"), ("GET", "a"), ("DEL", "a"), ("SELECT", "0"),
        ("SET", "t", "v"), ("PEXPIREAT", "t", "99999999999999"), ("COPY", "t", "t2"),
        ("PEXPIRETIME", "t2"), ("COPY", "a", "t2", "REPLACE"), ("PEXPIRETIME", "t2"),
    ],
    "move": [
        ("SET", "a", "1"), ("MOVE", "a", "1"), ("MOVE", "a", "1"), ("SET", "a", "2"),
        ("MOVE", "a", "1"), ("GET", "a"), ("MOVE", "a", "0"), ("MOVE", "nokey", "0"),
        ("MOVE", "a", "16"), ("MOVE", "a", "-1"), ("MOVE", "a", "x"), ("MOVE", "a", "1.5"),
        ("MOVE", "a", "4294967296"), ("MOVE", "a", "-2147483649"),
        ("MOVE", "a", "99999999999999999999"), ("MOVE", "a"), ("MOVE", "a", "1", "2"),
        ("SET", "t", "1"), ("PEXPIREAT", "t", "99999999999999"), ("MOVE", "t", "3"),
        ("SELECT", "3"), ("PEXPIRETIME", "t"), ("GET", "t"), ("MOVE", "t", "0"),
        ("SELECT", "1"), ("GET", "a"), ("DEL", "a"), ("SELECT", "0"), ("PEXPIRETIME", "t"),
    ],
    "expire_options": [
        ("SET", "a", "1"), ("EXPIRE", "a", "100", "XX"), ("EXPIRE", "a", "100", "GT"),
        ("EXPIRE", "a", "100", "LT"), ("PERSIST", "a"), ("EXPIRE", "a", "100", "NX"),
        ("EXPIRE", "a", "200", "NX"), ("EXPIRE", "a", "200", "xx"), ("EXPIRE", "a", "100", "GT"),
        ("EXPIRE", "a", "300", "gt"), ("EXPIRE", "a", "400", "LT"), ("EXPIRE", "a", "50", "lt"),
        ("EXPIRE", "a", "60", "XX", "GT"), ("EXPIRE", "a", "10", "LT", "XX"),
        ("EXPIRE", "a", "10", "NX", "NX"), ("EXPIRE", "nokey", "10", "NX"),
        ("EXPIRE", "a", "5", "NX", "XX"), ("EXPIRE", "a", "5", "XX", "NX"),
        ("EXPIRE", "a", "5", "GT", "NX"), ("EXPIRE", "a", "5", "NX", "LT"),
        ("EXPIRE", "a", "5", "GT", "LT"), ("EXPIRE", "a", "5", "LT", "GT", "XX"),
        ("EXPIRE", "a", "5", "FOO"), ("EXPIRE", "a", "5", "NX", "bar"),
        ("EXPIRE", "a", "x", "NX", "XX"), ("EXPIRE", "a", "x", "FOO"), ("EXPIRE", "a", "x"),
        ("EXPIRE", "a", "1.5"), ("EXPIRE", "a", " 1"), ("EXPIRE", "a", "01"),
        ("EXPIRE", "a"), ("PEXPIRE", "a"), ("EXPIREAT", "a"), ("PEXPIREAT", "a"),
        ("PEXPIRE", "a", "5", "GT", "LT"), ("EXPIREAT", "a", "5", "XX", "NX"),
        ("PEXPIREAT", "a", "5", "foo"),
    ],
    "expire_absolute": [
        ("SET", "a", "1"), ("EXPIREAT", "a", "99999999999"), ("EXPIRETIME", "a"),
        ("PEXPIRETIME", "a"), ("PEXPIREAT", "a", "99999999999499"), ("EXPIRETIME", "a"),
        ("PEXPIREAT", "a", "99999999999500"), ("EXPIRETIME", "a"),
        ("PEXPIREAT", "a", "99999999999999", "GT"), ("PEXPIREAT", "a", "99999999999998", "GT"),
        ("PEXPIREAT", "a", "99999999999998", "LT"), ("PEXPIRETIME", "a"),
        ("EXPIREAT", "a", "9223372036854775"), ("PEXPIRETIME", "a"), ("EXPIRETIME", "a"),
        ("PEXPIREAT", "a", "9223372036854775807"), ("PEXPIRETIME", "a"), ("EXPIRETIME", "a"),
        ("TTL", "a"), ("EXPIRETIME", "nokey"), ("PEXPIRETIME", "nokey"), ("TTL", "nokey"),
        ("PTTL", "nokey"), ("SET", "b", "1"), ("EXPIRETIME", "b"), ("PEXPIRETIME", "b"),
        ("TTL", "b"), ("PTTL", "b"), ("EXPIRETIME",), ("PEXPIRETIME", "a", "b"), ("TTL",),
        ("PTTL", "a", "b"),
    ],
    "expire_overflow": [
        ("SET", "a", "1"), ("EXPIRE", "a", "9223372036854775807"),
        ("EXPIRE", "a", "9223372036854775"), ("EXPIRE", "a", "9223372036854776"),
        ("EXPIRE", "a", "-9223372036854775"), ("SET", "a", "1"),
        ("EXPIRE", "a", "-9223372036854776"), ("EXPIRE", "a", "-9223372036854775808"),
        ("EXPIREAT", "a", "9223372036854776"), ("EXPIREAT", "a", "-9223372036854776"),
        ("PEXPIRE", "a", "9223372036854775807"), ("PEXPIRE", "a", "9223372036854775808"),
        ("PEXPIRE", "nokey", "9223372036854775807"), ("EXPIRE", "nokey", "9223372036854775807"),
        ("EXISTS", "a"), ("PEXPIREAT", "a", "-9223372036854775808"), ("EXISTS", "a"),
    ],
    "expire_past": [
        ("SET", "a", "1"), ("EXPIRE", "a", "-1"), ("EXISTS", "a"), ("SET", "a", "1"),
        ("EXPIRE", "a", "0"), ("EXISTS", "a"), ("SET", "a", "1"), ("PEXPIRE", "a", "0"),
        ("EXISTS", "a"), ("SET", "a", "1"), ("EXPIREAT", "a", "1"), ("EXISTS", "a"),
        ("SET", "a", "1"), ("PEXPIREAT", "a", "1"), ("GET", "a"), ("SET", "a", "1"),
        ("EXPIRE", "a", "100"), ("EXPIRE", "a", "-1", "GT"), ("EXISTS", "a"),
        ("EXPIRE", "a", "-1", "LT"), ("EXISTS", "a"), ("EXPIRE", "a", "-1"),
    ],
    "persist": [
        ("SET", "a", "1"), ("PERSIST", "a"), ("PERSIST", "nokey"), ("EXPIRE", "a", "100"),
        ("PERSIST", "a"), ("TTL", "a"), ("PERSIST", "a"), ("PERSIST",), ("PERSIST", "a", "b"),
        ("EXPIRE", "a", "100"), ("SET", "a", "2"), ("TTL", "a"),
    ],
    "object": [
        ("SET", "a", "12345"), ("OBJECT", "ENCODING", "a"), ("SET", "a", "-9223372036854775808"),
        ("OBJECT", "ENCODING", "a"), ("SET", "a", "9223372036854775808"),
        ("OBJECT", "ENCODING", "a"), ("SET", "a", "012"), ("OBJECT", "ENCODING", "a"),
        ("SET", "a", "-0"), ("OBJECT", "ENCODING", "a"), ("SET", "a", "+1"),
        ("OBJECT", "ENCODING", "a"), ("SET", "a", ""), ("OBJECT", "ENCODING", "a"),
        ("SET", "a", "x" * 44), ("OBJECT", "ENCODING", "a"), ("SET", "a", "x" * 45),
        ("OBJECT", "ENCODING", "a"), ("SET", "a", "1.5"), ("OBJECT", "encoding", "a"),
        ("OBJECT", "ENCODING", "nokey"), ("SET", "a", "0"), ("OBJECT", "REFCOUNT", "a"),
        ("SET", "a", "9999"), ("OBJECT", "REFCOUNT", "a"), ("SET", "a", "10000"),
        ("OBJECT", "REFCOUNT", "a"), ("SET", "a", "-1"), ("OBJECT", "REFCOUNT", "a"),
        ("SET", "a", "abc"), ("OBJECT", "REFCOUNT", "a"), ("OBJECT", "REFCOUNT", "nokey"),
        ("OBJECT", "IDLETIME", "nokey"), ("OBJECT", "FREQ", "a"), ("OBJECT", "FREQ", "nokey"),
        ("OBJECT", "HELP"), ("OBJECT", "help"), ("OBJECT",), ("OBJECT", "HELP", "x"),
        ("OBJECT", "ENCODING"), ("OBJECT", "ENCODING", "a", "b"), ("OBJECT", "REFCOUNT"),
        ("OBJECT", "FREQ", "a", "b"), ("OBJECT", "IDLETIME"), ("OBJECT", "bogus"),
        ("OBJECT", "Bogus", "a"),
    ],
    "scan_errors": [
        ("SCAN",), ("SCAN", "x"), ("SCAN", " 1"), ("SCAN", "1 "), ("SCAN", "-"), ("SCAN", "+"),
        ("SCAN", "0x10"), ("SCAN", "1.5"), ("SCAN", "+-1"), ("SCAN", "18446744073709551616"),
        ("SCAN", "-18446744073709551616"), ("SCAN", "99999999999999999999999"),
        ("SCAN", "x", "FOO"), ("SCAN", "0", "COUNT", "0"), ("SCAN", "0", "COUNT", "-1"),
        ("SCAN", "0", "COUNT", "x"), ("SCAN", "0", "COUNT", "01"),
        ("SCAN", "0", "COUNT", "9223372036854775808"), ("SCAN", "0", "COUNT"),
        ("SCAN", "0", "MATCH"), ("SCAN", "0", "TYPE"), ("SCAN", "0", "FOO", "1"),
        ("SCAN", "0", "MATCH", "*", "COUNT"), ("SCAN", "0", "COUNT", "0", "FOO"),
        ("SCAN", "0", "FOO", "1", "COUNT", "0"),
        # an empty database: every cursor ends at once
        ("SCAN", "0"), ("SCAN", ""), ("SCAN", "-1"), ("SCAN", "+5"), ("SCAN", "00"),
        ("SCAN", "18446744073709551615"), ("SCAN", "0", "TYPE", "string"),
        ("SCAN", "0", "MATCH", "x*", "COUNT", "1000"),
    ],
    "randomkey": [
        ("RANDOMKEY",), ("RANDOMKEY", "x"), ("SET", "a", "1"), ("RANDOMKEY",), ("DEL", "a"),
        ("RANDOMKEY",),
    ],
}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_script(diff, name):
    for cmd in SCRIPTS[name]:
        diff.check(*cmd)


@pytest.mark.parametrize("name", ["type", "rename", "object", "scan_errors", "randomkey",
                                  "expire_absolute"])
def test_script_resp3(diff, name):
    for cmd in SCRIPTS[name]:
        diff.check3(*cmd)


def test_arity_of_every_generic_command(diff):
    for name in ("DEL", "UNLINK", "EXISTS", "TOUCH", "TYPE", "KEYS", "SCAN", "RANDOMKEY",
                 "RENAME", "RENAMENX", "COPY", "MOVE", "EXPIRE", "PEXPIRE", "EXPIREAT",
                 "PEXPIREAT", "TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME", "PERSIST"):
        diff.check(name)
        diff.check(name, *["a"] * 6)
        diff.check(name.lower(), *["a"] * 6)


# -- TTLs (time passes between the two servers: a tolerance) --------------------------
def test_relative_ttls(diff):
    diff.both("SET", "a", "1")
    diff.check("EXPIRE", "a", "100")
    diff.check_approx("TTL", "a", tolerance=0)
    diff.check_approx("PTTL", "a", tolerance=50)
    diff.check("PEXPIRE", "a", "1499")
    diff.check_approx("TTL", "a", tolerance=0)
    diff.check("PEXPIRE", "a", "100500")
    diff.check_approx("TTL", "a", tolerance=1)
    diff.check_approx("PTTL", "a", tolerance=50)
    now = int(time.time())
    diff.check("EXPIRE", "a", "1000")
    for conn in connections(diff):
        when = parse(conn.send("EXPIRETIME", "a"))
        assert now + 999 <= when <= now + 1002


def test_lazy_expiry(diff):
    diff.both("SET", "a", "1")
    diff.both("SET", "b", "1")
    diff.check("PEXPIRE", "a", "50")
    diff.check("PEXPIRE", "b", "50")
    diff.check_approx("PTTL", "a", tolerance=50)
    time.sleep(0.12)
    diff.check("PTTL", "a")
    diff.check("TTL", "a")
    diff.check("EXISTS", "a", "b")
    diff.check("GET", "b")
    diff.check("RENAME", "a", "c")
    diff.check("PERSIST", "a")
    diff.check("EXPIRE", "a", "10")
    diff.check("TYPE", "a")
    diff.check("OBJECT", "ENCODING", "a")
    diff.check("KEYS", "*")
    diff.check("DBSIZE")


def test_expired_keys_leave_keys_scan_and_randomkey(diff):
    for i in range(30):
        diff.both("SET", "gone:%d" % i, "v", "PX", "30")
    diff.both("SET", "live", "v")
    time.sleep(0.1)
    diff.check("KEYS", "*")
    diff.check("KEYS", "gone:*")
    assert scan_both(diff) == [b"live"]
    diff.check("RANDOMKEY")
    diff.check("DBSIZE")


# -- KEYS -----------------------------------------------------------------------------
KEY_NAMES = ["hello", "hallo", "hxllo", "hllo", "heeeello", "h[a]llo", "h*llo", "h?llo",
             "x\\y", "user:1", "user:2", "user:10", "1:user", "a-b", "a]b", "^", "-", "]",
             "[", "\\", "ab", "abc", "", "h-llo", "hzllo", "h]llo", "h\\llo"]
PATTERNS = ["*", "**", "h?llo", "h*llo", "h[ae]llo", "h[^e]llo", "h[a-b]llo", "h[b-a]llo",
            "h\\*llo", "h\\?llo", "h[a", "*ll*", "x\\\\y", "x\\y", "[", "]", "h[]llo",
            "h[]]llo", "[^]", "[a-]", "[-a]", "[]]", "\\", "*\\", "a\\", "user:?",
            "user:??", "user:*", "*user", "*:*", "?", "??", "???", "[^a-z]*", "[\\]]*",
            "[\\-]*", "h[\\a]llo", "*[", "hello", "nokey", "", "h[!e]llo", "*o", "a*b",
            "a*c*", "*a*b*c*", "[a-c][a-c]*", "h[a-]llo", "h[-]llo", "h\\"]


def test_keys_patterns(diff):
    for k in KEY_NAMES:
        diff.both("SET", k, "1")
    for pat in PATTERNS:
        diff.check_sorted("KEYS", pat)


def test_keys_resp3(diff):
    for k in ("a", "b", "c"):
        diff.both("SET", k, "1")
    for pat in ("a", "[a]", "none", "?x"):
        diff.check3("KEYS", pat)
    expected, got = (sorted(parse(c.send("KEYS", "*"))) for c in connections(diff, resp3=True))
    assert got == expected == [b"a", b"b", b"c"]


# -- SCAN -----------------------------------------------------------------------------
def test_scan_matches_redis(diff):
    for k in KEY_NAMES:
        diff.both("SET", k, "1")
    for i in range(300):
        diff.both("SET", "key:%d" % i, "v")
    for options in [(), ("COUNT", "1"), ("COUNT", "7"), ("COUNT", "1000"),
                    ("MATCH", "key:1*"), ("MATCH", "key:1*", "COUNT", "3"),
                    ("MATCH", "h[ae]llo", "COUNT", "50"), ("MATCH", "*"), ("MATCH", "nothing"),
                    ("TYPE", "string"), ("TYPE", "STRING", "COUNT", "13"), ("TYPE", "list"),
                    ("TYPE", "bogus"), ("type", "string", "match", "*:2?", "count", "20"),
                    ("MATCH", "x", "MATCH", "key:7*", "COUNT", "1", "COUNT", "40")]:
        scan_both(diff, *options)


def test_scan_small_database_in_one_call(diff):
    for k in ("a", "b", "c", "d"):
        diff.both("SET", k, "1")
    for options in [(), ("COUNT", "5"), ("MATCH", "[ab]"), ("TYPE", "string")]:
        (rc, rkeys), (lc, lkeys) = (parse(c.send("SCAN", "0", *options))
                                    for c in connections(diff))
        assert rc == lc == b"0"
        assert sorted(rkeys) == sorted(lkeys)


def test_scan_resp3(diff):
    diff.both("SET", "a", "1")
    replies = [c.send("SCAN", "0") for c in connections(diff, resp3=True)]
    assert replies[0] == replies[1] == b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n"


def test_scan_returns_keys_present_throughout_while_others_change(diff):
    """redlet alone (redis-server gives the same promise): keys present for
    the whole walk are all returned while others are added and deleted."""
    import random
    rnd = random.Random(3)
    conn = connections(diff)[1]
    stable = {b"stable:%d" % i for i in range(400)}
    for k in stable:
        conn.send("SET", k, "v")
    churn = [b"churn:%d" % i for i in range(1500)]
    seen, cursor = set(), b"0"
    while True:
        cursor, batch = parse(conn.send("SCAN", cursor, "COUNT", "9"))
        seen.update(batch)
        for _ in range(15):
            k = rnd.choice(churn)
            if rnd.random() < 0.6:
                conn.send("SET", k, "v")
            else:
                conn.send("DEL", k)
        if cursor == b"0":
            break
    assert stable <= seen
    assert not {k for k in seen if k.startswith(b"churn:")} - set(churn)


# -- RANDOMKEY, OBJECT with config ----------------------------------------------------
def test_randomkey_returns_existing_keys(diff):
    for i in range(50):
        diff.both("SET", "k%d" % i, "v")
    names = {b"k%d" % i for i in range(50)}
    for _ in range(30):
        for conn in connections(diff):
            assert parse(conn.send("RANDOMKEY")) in names


def test_object_freq_and_idletime_with_lfu(diff, config):
    diff.both("SET", "a", "1")
    config("maxmemory-policy", "allkeys-lfu")
    diff.check("OBJECT", "IDLETIME", "a")
    diff.check("OBJECT", "IDLETIME", "nokey")
    diff.check("OBJECT", "FREQ", "nokey")
    for conn in connections(diff):
        assert type(parse(conn.send("OBJECT", "FREQ", "a"))) is int
    config("maxmemory-policy", "volatile-lfu")
    diff.check("OBJECT", "IDLETIME", "a")
    config("maxmemory-policy", "allkeys-lru")
    diff.check("OBJECT", "FREQ", "a")
    diff.check("OBJECT", "REFCOUNT", "a")       # shared integers: maxmemory is 0
    config("maxmemory", "1gb")
    diff.check("SET", "a", "1")
    diff.check("OBJECT", "REFCOUNT", "a")       # no shared integers with LRU eviction
    diff.check("OBJECT", "ENCODING", "a")


# -- other value types ---------------------------------------------------------------
@needs("rpush", "hset", "sadd", "zadd")
def test_types_and_encodings(diff, config):
    diff.check("RPUSH", "l", "a", "b")
    diff.check("HSET", "h", "f", "v")
    diff.check("SADD", "s", "1", "2")
    diff.check("SADD", "s2", "a")
    diff.check("ZADD", "z", "1", "m")
    for k in ("l", "h", "s", "s2", "z"):
        diff.check("TYPE", k)
        diff.check("OBJECT", "ENCODING", k)
        diff.check("OBJECT", "REFCOUNT", k)
    for t in ("list", "hash", "set", "zset", "string"):
        scan_both(diff, "TYPE", t)
    diff.check("HSET", "h", "big", "v" * 65)
    diff.check("OBJECT", "ENCODING", "h")
    diff.check("HSET", "h2", *[x for i in range(129) for x in ("f%d" % i, "v")])
    diff.check("OBJECT", "ENCODING", "h2")
    diff.check("SADD", "s3", *[str(i) for i in range(513)])
    diff.check("OBJECT", "ENCODING", "s3")
    diff.check("ZADD", "z2", *[x for i in range(129) for x in (str(i), "m%d" % i)])
    diff.check("OBJECT", "ENCODING", "z2")
    diff.check("ZADD", "z3", "1", "m" * 65)
    diff.check("OBJECT", "ENCODING", "z3")
    config("hash-max-listpack-entries", "1")
    diff.check("HSET", "h4", "a", "1", "b", "2")
    diff.check("OBJECT", "ENCODING", "h4")


@needs("rpush", "hset", "sadd", "zadd", "lrange", "hgetall", "smembers", "zrange")
def test_copy_rename_move_of_every_type(diff):
    diff.check("RPUSH", "l", "a", "b")
    diff.check("HSET", "h", "f", "v")
    diff.check("SADD", "s", "x")
    diff.check("ZADD", "z", "1", "m", "2", "n")
    for k in ("l", "h", "s", "z"):
        diff.check("COPY", k, k + "2")
        diff.check("COPY", k, k, "DB", "1")
        diff.check("TYPE", k + "2")
    diff.check("RPUSH", "l2", "c")
    diff.check("HSET", "h2", "g", "w")
    diff.check("SADD", "s2", "y")
    diff.check("ZADD", "z2", "3", "o")
    diff.check("LRANGE", "l", "0", "-1")
    diff.check("LRANGE", "l2", "0", "-1")
    diff.check_sorted("HGETALL", "h")
    diff.check_sorted("SMEMBERS", "s")
    diff.check("ZRANGE", "z", "0", "-1", "WITHSCORES")
    diff.check("ZRANGE", "z2", "0", "-1", "WITHSCORES")
    diff.check("RENAME", "z2", "zz")
    diff.check("ZRANGE", "zz", "0", "-1")
    diff.check("MOVE", "zz", "2")
    diff.check("SELECT", "2")
    diff.check("ZRANGE", "zz", "0", "-1")
    diff.check("FLUSHDB")
    diff.check("SELECT", "1")
    diff.check("FLUSHDB")
    diff.check("SELECT", "0")


def test_keyspace_events(diff, config):
    from tests.differential.conftest import RawConn
    config("notify-keyspace-events", "KEA")
    subs = [RawConn(p) for p in diff.ports]
    try:
        for s in subs:
            s.send("PSUBSCRIBE", "__key*__:*")
        script = [("SET", "a", "1"), ("EXPIRE", "a", "100"), ("PERSIST", "a"),
                  ("RENAME", "a", "b"), ("COPY", "b", "c"), ("COPY", "b", "c", "DB", "1",
                                                              "REPLACE"),
                  ("MOVE", "c", "2"), ("EXPIRE", "b", "-1"), ("SET", "d", "1"),
                  ("PEXPIREAT", "d", "1"), ("SET", "e", "1"), ("DEL", "e", "nokey"),
                  ("SET", "f", "1"), ("UNLINK", "f"), ("SET", "g", "1"), ("PEXPIRE", "g", "1")]
        for cmd in script:
            diff.both(*cmd)
        time.sleep(0.05)
        diff.both("GET", "g")                   # the lazy expiry: "expired"
        diff.both("PING")
        expected, got = ([], [])
        for s, out in zip(subs, (expected, got)):
            s.send_raw(b"*1\r\n$4\r\nPING\r\n")
            while True:
                msg = s.read_reply()
                if msg.startswith(b"*2\r\n$4\r\npong") or msg == b"+PONG\r\n":
                    break
                out.append(msg)
        assert got == expected
    finally:
        for s in subs:
            s.close()
        for db in ("1", "2"):
            diff.both("SELECT", db)
            diff.both("FLUSHDB")
        diff.both("SELECT", "0")


def test_rename_invalidates_watch_on_both_keys(diff):
    from tests.differential.conftest import RawConn
    for watched in ("src", "dst"):
        others = [RawConn(p) for p in diff.ports]
        try:
            diff.both("SET", "src", "1")
            diff.check("WATCH", watched)
            for o in others:
                o.send("RENAME", "src", "dst")
            diff.check("MULTI")
            diff.check("GET", "dst")
            diff.check("EXEC")
        finally:
            for o in others:
                o.close()
