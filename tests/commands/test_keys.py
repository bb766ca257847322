"""Generic key commands and expiry, in process: exact reply bytes, errors,
side effects (dirty counter, propagation, keyspace events, WATCH), and
millisecond TTL arithmetic on a frozen clock."""
import pytest

import redlet.commands.keys as keys_mod
import redlet.keyspace.db as db_mod
from redlet.keyspace import scan as scan_mod
from redlet.keyspace.values import HashValue, ListValue, SetValue, TypedValue
from redlet.keyspace.zset import ZSetValue

OK = b"+OK\r\n"
NIL = b"$-1\r\n"
ZERO = b":0\r\n"
ONE = b":1\r\n"
SYNTAX = b"-ERR syntax error\r\n"
NOT_INT = b"-ERR value is not an integer or out of range\r\n"
NO_SUCH_KEY = b"-ERR no such key\r\n"
SAME = b"-ERR source and destination objects are the same\r\n"
DB_RANGE = b"-ERR DB index is out of range\r\n"
INT32_RANGE = b"-ERR value is out of range, value must between -2147483648 and 2147483647\r\n"


def arity(name):
    return b"-ERR wrong number of arguments for '%s' command\r\n" % name.encode()


def ints(n):
    return b":%d\r\n" % n


def bulk(b):
    return b"$%d\r\n%s\r\n" % (len(b), b)


def array(*items):
    return b"*%d\r\n" % len(items) + b"".join(bulk(i) for i in items)


def parse(raw):
    """A minimal RESP2 reader for replies whose order is not fixed."""
    def one(pos):
        t = raw[pos:pos + 1]
        end = raw.index(b"\r\n", pos)
        head = raw[pos + 1:end]
        if t == b"$":
            n = int(head)
            if n < 0:
                return None, end + 2
            return raw[end + 2:end + 2 + n], end + 4 + n
        if t == b"*":
            items, p = [], end + 2
            for _ in range(int(head)):
                item, p = one(p)
                items.append(item)
            return items, p
        if t == b":":
            return int(head), end + 2
        return head, end + 2
    value, end = one(0)
    assert end == len(raw)
    return value


@pytest.fixture
def db(engine):
    return engine.dbs[0]


@pytest.fixture
def clock(monkeypatch):
    """Freeze the keyspace clock; ``clock.now`` may be moved by hand."""
    class Clock:
        now = 1_700_000_000_000

        def __call__(self):
            return self.now
    c = Clock()
    monkeypatch.setattr(db_mod, "now_ms", c)
    monkeypatch.setattr(keys_mod, "now_ms", c)
    return c


@pytest.fixture
def events(engine, monkeypatch):
    """Keyspace events as (db, event, key), whatever notify-keyspace-events says."""
    seen = []
    monkeypatch.setattr(engine, "notify",
                        lambda db, cls, event, key: seen.append((db.id, event, key)))
    return seen


@pytest.fixture
def propagated(engine):
    seen = []
    engine.propagation_hooks.append(lambda db_index, argv: seen.append((db_index, list(argv))))
    return seen


def filled(db):
    """One key of every type (values built directly: this suite needs no other group)."""
    z = ZSetValue()
    z.add(b"m", 1.0)
    db.set(b"str", b"v")
    db.set(b"list", ListValue([b"a", b"b"]))
    db.set(b"hash", HashValue({b"f": b"v"}))
    db.set(b"set", SetValue({b"x"}))
    db.set(b"zset", z)
    db.set(b"typed", TypedValue([1, 2]))


# -- DEL, UNLINK, DELETE, EXISTS, TOUCH, TYPE -----------------------------------------
@pytest.mark.parametrize("name", ["DEL", "UNLINK", "DELETE"])
def test_delete_family(run, engine, events, name):
    run("SET", "a", "1")
    run("SET", "b", "2")
    dirty = engine.dirty
    assert run(name, "a", "b", "c", "a") == ints(2)
    assert engine.dirty == dirty + 2
    assert events == [(0, "del", b"a"), (0, "del", b"b")]
    assert run(name, "a") == ZERO
    assert engine.dirty == dirty + 2
    assert run(name) == arity(name.lower())
    assert run("EXISTS", "a", "b") == ZERO


def test_delete_propagates_only_when_something_was_deleted(run, propagated):
    run("SET", "a", "1")
    propagated.clear()
    run("DEL", "nokey")
    assert propagated == []
    run("DEL", "a", "nokey")
    assert propagated == [(0, [b"DEL", b"a", b"nokey"])]


def test_exists_counts_duplicates(run):
    run("SET", "a", "1")
    assert run("EXISTS", "a", "a", "a", "b") == ints(3)
    assert run("EXISTS", "nokey") == ZERO
    assert run("EXISTS") == arity("exists")
    assert run("TOUCH", "a", "a", "b") == ints(2)
    assert run("TOUCH") == arity("touch")


def test_type_of_every_value(run, db):
    filled(db)
    for key, name in [("str", b"string"), ("list", b"list"), ("hash", b"hash"),
                      ("set", b"set"), ("zset", b"zset"), ("typed", b"string"),
                      ("nokey", b"none")]:
        assert run("TYPE", key) == b"+%s\r\n" % name
    assert run("TYPE") == arity("type")
    assert run("TYPE", "a", "b") == arity("type")


def test_type_of_a_future_value_type(run, db):
    class StreamValue:
        type_name = b"stream"
    db.set(b"s", StreamValue())
    assert run("TYPE", "s") == b"+stream\r\n"


# -- KEYS -----------------------------------------------------------------------------
def test_keys_patterns(run):
    names = [b"hello", b"hallo", b"hxllo", b"hllo", b"heeeello", b"h[a]llo", b"h*llo",
             b"x\\y", b"user:1", b"user:2", b"1:user"]
    for k in names:
        run("SET", k, "1")

    def keys(pat):
        return sorted(parse(run("KEYS", pat)))
    assert keys("*") == sorted(names)
    assert keys("h?llo") == [b"h*llo", b"hallo", b"hello", b"hxllo"]
    assert keys("h*llo") == sorted([b"hello", b"hallo", b"hxllo", b"hllo", b"heeeello",
                                    b"h[a]llo", b"h*llo"])
    assert keys("h[ae]llo") == [b"hallo", b"hello"]
    assert keys("h[^e]llo") == [b"h*llo", b"hallo", b"hxllo"]
    assert keys("h[a-b]llo") == [b"hallo"]
    assert keys("h\\*llo") == [b"h*llo"]
    assert keys("user:*") == [b"user:1", b"user:2"]
    assert keys("*user") == [b"1:user"]
    assert keys("*user*") == [b"1:user", b"user:1", b"user:2"]
    assert keys("hello") == [b"hello"]
    assert keys("nothing") == []
    assert keys("x\\\\y") == [b"x\\y"]
    assert run("KEYS") == arity("keys")


def test_keys_leaves_out_expired_keys(run, db, clock):
    run("SET", "a", "1")
    run("SET", "b", "1")
    run("PEXPIRE", "a", "10")
    clock.now += 10
    assert parse(run("KEYS", "*")) == [b"a", b"b"] or sorted(parse(run("KEYS", "*"))) == \
        [b"a", b"b"]
    clock.now += 1
    assert parse(run("KEYS", "*")) == [b"b"]
    assert parse(run("KEYS", "a")) == []


# -- SCAN -----------------------------------------------------------------------------
def full_scan(run, *options, cursor=b"0"):
    seen, calls = [], 0
    while True:
        cursor, batch = parse(run("SCAN", cursor, *options))
        seen.extend(batch)
        calls += 1
        if cursor == b"0":
            return seen, calls


def test_scan_errors(run):
    assert run("SCAN") == arity("scan")
    for bad in ("x", " 1", "1 ", "-", "+", "0x10", "18446744073709551616", "1.5", "+-1"):
        assert run("SCAN", bad) == b"-ERR invalid cursor\r\n", bad
    assert run("SCAN", "0", "COUNT", "0") == SYNTAX
    assert run("SCAN", "0", "COUNT", "-1") == SYNTAX
    assert run("SCAN", "0", "COUNT", "x") == NOT_INT
    assert run("SCAN", "0", "COUNT", "01") == NOT_INT
    assert run("SCAN", "0", "COUNT") == SYNTAX
    assert run("SCAN", "0", "MATCH") == SYNTAX
    assert run("SCAN", "0", "TYPE") == SYNTAX
    assert run("SCAN", "0", "FOO", "1") == SYNTAX
    # the cursor is checked before the options
    assert run("SCAN", "x", "FOO") == b"-ERR invalid cursor\r\n"


def test_scan_cursor_syntax_as_strtoul(run):
    run("SET", "a", "1")
    # strtoul: empty is 0, a sign is allowed, -1 wraps; all small-db one-call answers
    for c in ("", "0", "00", "-0", "+0"):
        assert run("SCAN", c) == b"*2\r\n$1\r\n0\r\n" + array(b"a"), c
    for c in ("-1", "+3", "18446744073709551615", "-18446744073709551615"):
        assert parse(run("SCAN", c))[0] == b"0"


def test_scan_small_db_in_one_call(run):
    assert run("SCAN", "0") == b"*2\r\n$1\r\n0\r\n*0\r\n"
    for i in range(10):
        run("SET", "k%d" % i, "v")
    cursor, batch = parse(run("SCAN", "0"))
    assert cursor == b"0" and sorted(batch) == sorted(b"k%d" % i for i in range(10))
    assert len(scan_mod.REGISTRY.snapshots) == 0 or True


def test_scan_walks_everything_once(run):
    names = {b"key:%d" % i for i in range(1000)}
    for k in names:
        run("SET", k, "v")
    seen, calls = full_scan(run, "COUNT", "17")
    assert sorted(seen) == sorted(names)          # no duplicates without changes
    assert calls == -(-1000 // 17)


def test_scan_count_bounds_a_batch(run):
    for i in range(100):
        run("SET", "k%d" % i, "v")
    cursor, batch = parse(run("SCAN", "0"))
    assert cursor != b"0" and len(batch) == 10
    cursor, batch = parse(run("SCAN", "0", "COUNT", "1000"))
    assert cursor == b"0" and len(batch) == 100


def test_scan_match_and_type(run, db):
    filled(db)
    for i in range(50):
        run("SET", "user:%d" % i, "v")
    seen, _ = full_scan(run, "MATCH", "user:1*", "COUNT", "7")
    assert sorted(seen) == sorted([b"user:1"] + [b"user:1%d" % i for i in range(10)])
    seen, _ = full_scan(run, "TYPE", "LIST", "COUNT", "5")
    assert seen == [b"list"]
    seen, _ = full_scan(run, "TYPE", "string", "MATCH", "*t*", "COUNT", "3")
    assert sorted(seen) == [b"str", b"typed"]
    seen, _ = full_scan(run, "TYPE", "bogus")
    assert seen == []
    # options may repeat: the last one wins
    seen, _ = full_scan(run, "MATCH", "nothing", "MATCH", "zset", "COUNT", "1", "COUNT", "100")
    assert seen == [b"zset"]


def test_scan_skips_deleted_and_expired_keys(run, clock):
    for i in range(30):
        run("SET", "k%d" % i, "v")
    cursor, first = parse(run("SCAN", "0", "COUNT", "5"))
    rest = [b"k%d" % i for i in range(30) if b"k%d" % i not in first]
    run("DEL", rest[0])
    run("PEXPIRE", rest[1], "5")
    clock.now += 6
    seen, _ = full_scan(run, "COUNT", "5", cursor=cursor)
    assert rest[0] not in seen and rest[1] not in seen
    assert sorted(first + seen) == sorted(set(b"k%d" % i for i in range(30)) -
                                          {rest[0], rest[1]})


def test_scan_guarantee_under_concurrent_adds_and_removes(run):
    """Keys present for the whole walk are all returned, while others come and go."""
    import random
    rnd = random.Random(7)
    stable = {b"stable:%d" % i for i in range(500)}
    for k in stable:
        run("SET", k, "v")
    churn = [b"churn:%d" % i for i in range(2000)]
    for k in churn[:500]:
        run("SET", k, "v")
    seen = set()
    cursor = b"0"
    while True:
        cursor, batch = parse(run("SCAN", cursor, "COUNT", "13"))
        seen.update(batch)
        for _ in range(20):            # adds, deletes, re-adds between calls
            k = rnd.choice(churn)
            if rnd.random() < 0.5:
                run("SET", k, "v")
            else:
                run("DEL", k)
        if cursor == b"0":
            break
    assert stable <= seen


def test_scan_guarantee_when_the_snapshot_is_evicted(run, monkeypatch):
    monkeypatch.setattr(scan_mod, "REGISTRY", scan_mod.ScanRegistry(max_snapshots=1))
    for i in range(100):
        run("SET", "k%d" % i, "v")
    c1, first = parse(run("SCAN", "0", "COUNT", "30"))
    c2, _ = parse(run("SCAN", "0", "COUNT", "30"))      # a second walk evicts the first
    seen, _ = full_scan(run, "COUNT", "30", cursor=c1)   # restarts: duplicates, no misses
    assert set(first) | set(seen) == {b"k%d" % i for i in range(100)}
    assert set(seen) == {b"k%d" % i for i in range(100)}


def test_scan_cursor_of_another_database_restarts(session, engine):
    a, b = session(), session()
    for i in range(50):
        a("SET", "a%d" % i, "v")
    b("SELECT", "1")
    for i in range(50):
        b("SET", "b%d" % i, "v")
    cursor, _ = parse(a("SCAN", "0", "COUNT", "10"))
    seen = []
    while True:
        cursor, batch = parse(b("SCAN", cursor, "COUNT", "10"))
        seen.extend(batch)
        if cursor == b"0":
            break
    assert sorted(seen) == sorted(b"b%d" % i for i in range(50))


def test_scan_registry_bounds():
    reg = scan_mod.ScanRegistry(max_snapshots=3, max_items=250)
    owners = [object() for _ in range(5)]
    data = [list(range(100)) for _ in range(5)]
    cursors = [reg.page(o, d, 0, 10)[0] for o, d in zip(owners, data)]
    assert all(cursors)
    assert len(reg) == 2 and reg.items == 200          # the item budget evicted first
    # an evicted walk restarts from a fresh snapshot
    nxt, batch = reg.page(owners[0], data[0], cursors[0], 10)
    assert batch == list(range(10))
    # a finished walk frees its snapshot
    c = cursors[4]
    while c:
        c, _ = reg.page(owners[4], data[4], c, 10)
    assert reg.items == 100 and len(reg) == 1


def test_scan_registry_idle_walks_are_dropped():
    t = [0.0]
    reg = scan_mod.ScanRegistry(idle_seconds=10, clock=lambda: t[0])
    o = object()
    c, _ = reg.page(o, list(range(100)), 0, 10)
    t[0] = 11
    reg.page(object(), list(range(100)), 0, 10)
    assert len(reg) == 1
    _, batch = reg.page(o, list(range(100)), c, 10)
    assert batch == list(range(10))                      # restarted


def test_scan_registry_whole_threshold():
    reg = scan_mod.ScanRegistry()
    assert reg.page(object(), set(range(100)), 0, 10, whole=128) == (0, list(set(range(100))))
    assert len(reg) == 0


def test_pattern_matcher_agrees_with_glob_match():
    from redlet.util import glob_match
    pats = [b"*", b"**", b"a*", b"*a", b"*a*", b"abc", b"a?c", b"a\\*", b"*\\*", b"[a]*",
            b"a*b", b"", b"*ab*", b"ab*", b"\\a*"]
    strs = [b"", b"a", b"ab", b"abc", b"ba", b"a*", b"xaby", b"*", b"abab"]
    for p in pats:
        m = scan_mod.pattern_matcher(p)
        for s in strs:
            assert (True if m is None else m(s)) == glob_match(p, s), (p, s)


# -- RANDOMKEY ------------------------------------------------------------------------
def test_randomkey(run, clock):
    assert run("RANDOMKEY") == NIL
    run("SET", "a", "1")
    assert run("RANDOMKEY") == bulk(b"a")
    run("PEXPIRE", "a", "1")
    clock.now += 2
    assert run("RANDOMKEY") == NIL
    assert run("RANDOMKEY", "x") == arity("randomkey")


def test_randomkey_skips_expired_keys(run, db, clock):
    for i in range(300):
        run("SET", "gone%d" % i, "v")
        run("PEXPIRE", "gone%d" % i, "1")
    run("SET", "live", "v")
    clock.now += 5
    assert run("RANDOMKEY") == bulk(b"live")


def test_randomkey_reaches_the_whole_of_a_big_db(run, db):
    for i in range(20_000):
        db.set(b"k%05d" % i, b"v")
    picks = {parse(run("RANDOMKEY")) for _ in range(400)}
    assert len(picks) > 350
    assert max(picks) > b"k10000"        # not only from the start of the dict
    for i in range(10_000):
        db.delete(b"k%05d" % i)          # half gone: the sample is rebuilt
    picks = {parse(run("RANDOMKEY")) for _ in range(200)}
    assert all(p >= b"k10000" for p in picks)


# -- RENAME, RENAMENX ----------------------------------------------------------------
def test_rename(run, engine, db, events, clock):
    run("SET", "a", "1")
    run("PEXPIRE", "a", "5000")
    dirty = engine.dirty
    assert run("RENAME", "a", "b") == OK
    assert engine.dirty == dirty + 1
    assert events[-2:] == [(0, "rename_from", b"a"), (0, "rename_to", b"b")]
    assert run("GET", "b") == bulk(b"1")
    assert run("PTTL", "b") == ints(5000)          # the TTL travels with the value
    assert run("EXISTS", "a") == ZERO
    assert run("RENAME", "a", "b") == NO_SUCH_KEY
    assert run("RENAMENX", "a", "b") == NO_SUCH_KEY
    assert run("RENAME", "b", "b") == OK           # same key: nothing happens
    assert run("RENAMENX", "b", "b") == ZERO
    assert engine.dirty == dirty + 1
    assert run("RENAME", "a") == arity("rename")
    assert run("RENAMENX", "a", "b", "c") == arity("renamenx")


def test_rename_over_a_key_with_ttl(run, clock):
    run("SET", "src", "1")
    run("SET", "dst", "2")
    run("PEXPIRE", "dst", "100")
    assert run("RENAME", "src", "dst") == OK
    assert run("GET", "dst") == bulk(b"1")
    assert run("PTTL", "dst") == ints(-1)          # the old TTL of dst is gone
    run("SET", "other", "3")
    assert run("RENAMENX", "dst", "other") == ZERO
    assert run("RENAMENX", "dst", "fresh") == ONE
    assert run("GET", "fresh") == bulk(b"1")


def test_rename_an_expired_key(run, clock):
    run("SET", "a", "1")
    run("PEXPIRE", "a", "10")
    clock.now += 11
    assert run("RENAME", "a", "b") == NO_SUCH_KEY


def test_rename_keeps_the_value_object(run, db):
    filled(db)
    before = db.data[b"hash"]
    run("RENAME", "hash", "h2")
    assert db.data[b"h2"] is before and b"hash" not in db.data


def test_rename_invalidates_watch_on_both_keys(run, engine, db):
    a, b, other = engine.new_client(), engine.new_client(), engine.new_client()
    db.watched[b"src"] = {a}
    db.watched[b"dst"] = {b}
    db.watched[b"else"] = {other}
    run("SET", "src", "1")
    a.watch_dirty = False
    run("RENAME", "src", "dst")
    assert a.watch_dirty and b.watch_dirty and not other.watch_dirty


# -- COPY -----------------------------------------------------------------------------
def test_copy_basics(run, engine, events, clock):
    run("SET", "a", "1")
    run("PEXPIRE", "a", "7000")
    dirty = engine.dirty
    assert run("COPY", "a", "b") == ONE
    assert engine.dirty == dirty + 1
    assert events[-1] == (0, "copy_to", b"b")
    assert run("GET", "b") == bulk(b"1")
    assert run("PTTL", "b") == ints(7000)
    assert run("COPY", "a", "b") == ZERO
    run("SET", "a", "2")
    assert run("COPY", "a", "b", "REPLACE") == ONE
    assert run("GET", "b") == bulk(b"2")
    assert run("PTTL", "b") == ints(-1)
    assert run("COPY", "nokey", "b") == ZERO
    assert run("COPY", "nokey", "b", "REPLACE") == ZERO
    assert run("COPY", "a", "a") == SAME
    assert run("COPY", "a", "a", "DB", "0") == SAME
    assert run("COPY", "a") == arity("copy")


def test_copy_errors(run):
    run("SET", "a", "1")
    assert run("COPY", "a", "b", "DB") == SYNTAX
    assert run("COPY", "a", "b", "FOO") == SYNTAX
    assert run("COPY", "a", "b", "DB", "x") == NOT_INT
    assert run("COPY", "a", "b", "DB", "x", "REPLACE") == NOT_INT
    assert run("COPY", "a", "b", "DB", "16") == DB_RANGE
    assert run("COPY", "a", "b", "DB", "-1") == DB_RANGE
    assert run("COPY", "a", "b", "DB", "4294967296") == INT32_RANGE
    assert run("COPY", "a", "b", "DB", "99999999999999999999") == NOT_INT
    assert run("COPY", "a", "b", "REPLACE", "REPLACE", "DB", "0", "DB", "1") == ONE


def test_copy_to_another_db(session, engine, events):
    s = session()
    s("SET", "a", "1")
    assert s("COPY", "a", "a", "DB", "1") == ONE
    assert events[-1] == (1, "copy_to", b"a")
    assert s("COPY", "a", "a", "DB", "1") == ZERO
    s("SELECT", "1")
    assert s("GET", "a") == bulk(b"1")


def test_copy_with_db_invalidates_watch_in_the_target_only(session, engine):
    s = session()
    src_db, dst_db = engine.dbs[0], engine.dbs[3]
    here, there = engine.new_client(), engine.new_client()
    src_db.watched[b"b"] = {here}
    dst_db.watched[b"b"] = {there}
    s("SET", "a", "1")
    assert s("COPY", "a", "b", "DB", "3") == ONE
    assert there.watch_dirty and not here.watch_dirty
    there.watch_dirty = False
    assert s("COPY", "a", "b") == ONE
    assert here.watch_dirty and not there.watch_dirty


def test_copy_is_deep_for_every_type(run, db):
    filled(db)
    for key in ("str", "list", "hash", "set", "zset", "typed"):
        assert run("COPY", key, key + "2") == ONE
        orig, dup = db.data[key.encode()], db.data[key.encode() + b"2"]
        assert type(orig) is type(dup)
        if type(orig) is not bytes:
            assert orig is not dup
    db.data[b"list2"].append(b"c")
    db.data[b"hash2"][b"g"] = b"w"
    db.data[b"set2"].add(b"y")
    db.data[b"zset2"].add(b"n", 2.0)
    db.data[b"typed2"].value.append(3)
    assert list(db.data[b"list"]) == [b"a", b"b"]
    assert dict(db.data[b"hash"]) == {b"f": b"v"}
    assert set(db.data[b"set"]) == {b"x"}
    assert dict(db.data[b"zset"].scores) == {b"m": 1.0} and len(db.data[b"zset"].index) == 1
    assert db.data[b"typed"].value == [1, 2]
    assert list(db.data[b"zset2"].index) == [(1.0, b"m"), (2.0, b"n")]


def test_copy_of_a_value_type_that_copies_itself(run, db):
    class StreamValue:
        type_name = b"stream"

        def __init__(self, entries):
            self.entries = entries

        def copy(self):
            return StreamValue(list(self.entries))
    db.set(b"s", StreamValue([1]))
    assert run("COPY", "s", "t") == ONE
    assert db.data[b"t"].entries == [1] and db.data[b"t"].entries is not db.data[b"s"].entries


# -- MOVE -----------------------------------------------------------------------------
def test_move(session, engine, events, clock):
    s = session()
    s("SET", "a", "1")
    s("PEXPIRE", "a", "3000")
    dirty = engine.dirty
    assert s("MOVE", "a", "1") == ONE
    assert engine.dirty == dirty + 1
    assert events[-2:] == [(0, "move_from", b"a"), (1, "move_to", b"a")]
    assert s("EXISTS", "a") == ZERO
    assert s("MOVE", "a", "1") == ZERO
    s("SET", "a", "2")
    assert s("MOVE", "a", "1") == ZERO          # exists in the target: nothing moves
    assert s("GET", "a") == bulk(b"2")
    s("SELECT", "1")
    assert s("GET", "a") == bulk(b"1")
    assert s("PTTL", "a") == ints(3000)
    assert s("MOVE", "a", "1") == SAME
    assert s("MOVE", "nokey", "1") == SAME      # the database is checked first
    assert s("MOVE", "a", "16") == DB_RANGE
    assert s("MOVE", "a", "-1") == DB_RANGE
    assert s("MOVE", "a", "x") == NOT_INT
    assert s("MOVE", "a", "4294967296") == INT32_RANGE
    assert s("MOVE", "a") == arity("move")


def test_move_invalidates_watch_in_both_databases(session, engine):
    s = session()
    a, b = engine.new_client(), engine.new_client()
    engine.dbs[0].watched[b"k"] = {a}
    engine.dbs[2].watched[b"k"] = {b}
    s("SET", "k", "1")
    a.watch_dirty = False
    assert s("MOVE", "k", "2") == ONE
    assert a.watch_dirty and b.watch_dirty


# -- EXPIRE family --------------------------------------------------------------------
def test_expire_sets_deadlines_in_ms(run, clock, db):
    run("SET", "a", "1")
    assert run("EXPIRE", "a", "100") == ONE
    assert db.expires[b"a"] == clock.now + 100_000
    assert run("PEXPIRE", "a", "1234") == ONE
    assert db.expires[b"a"] == clock.now + 1234
    assert run("EXPIREAT", "a", "1800000000") == ONE
    assert db.expires[b"a"] == 1_800_000_000_000
    assert run("PEXPIREAT", "a", "1800000000123") == ONE
    assert db.expires[b"a"] == 1_800_000_000_123
    assert run("EXPIRE", "nokey", "100") == ZERO
    assert b"nokey" not in db.expires


def test_ttl_family_ms_precision(run, clock):
    run("SET", "a", "1")
    assert run("TTL", "a") == ints(-1)
    assert run("PTTL", "a") == ints(-1)
    assert run("EXPIRETIME", "a") == ints(-1)
    assert run("PEXPIRETIME", "a") == ints(-1)
    for t in ("TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"):
        assert run(t, "nokey") == ints(-2)
        assert run(t) == arity(t.lower())
    run("PEXPIRE", "a", "1499")
    assert run("PTTL", "a") == ints(1499)
    assert run("TTL", "a") == ints(1)              # rounded to the nearest second
    assert run("PEXPIRETIME", "a") == ints(clock.now + 1499)
    assert run("EXPIRETIME", "a") == ints((clock.now + 1499 + 500) // 1000)
    run("PEXPIRE", "a", "1500")
    assert run("TTL", "a") == ints(2)
    clock.now += 1499
    assert run("PTTL", "a") == ints(1)
    assert run("TTL", "a") == ints(0)
    clock.now += 1
    assert run("PTTL", "a") == ints(0)             # due now, expired just after (as Redis)
    assert run("TTL", "a") == ints(0)
    clock.now += 1
    assert run("PTTL", "a") == ints(-2)
    assert run("EXISTS", "a") == ZERO


def test_expire_options(run, clock):
    run("SET", "a", "1")
    assert run("EXPIRE", "a", "100", "XX") == ZERO
    assert run("EXPIRE", "a", "100", "GT") == ZERO   # no TTL is infinite: never greater
    assert run("EXPIRE", "a", "100", "NX") == ONE
    assert run("EXPIRE", "a", "200", "NX") == ZERO
    assert run("TTL", "a") == ints(100)
    assert run("EXPIRE", "a", "200", "xx") == ONE
    assert run("EXPIRE", "a", "100", "GT") == ZERO
    assert run("EXPIRE", "a", "200", "GT") == ZERO   # equal is not greater
    assert run("EXPIRE", "a", "300", "gt") == ONE
    assert run("EXPIRE", "a", "400", "LT") == ZERO
    assert run("EXPIRE", "a", "300", "LT") == ZERO
    assert run("EXPIRE", "a", "50", "LT") == ONE
    assert run("EXPIRE", "a", "60", "XX", "GT") == ONE
    assert run("EXPIRE", "a", "10", "LT", "XX") == ONE
    assert run("TTL", "a") == ints(10)
    run("PERSIST", "a")
    assert run("EXPIRE", "a", "10", "LT") == ONE     # anything is less than infinite
    run("PERSIST", "a")
    assert run("EXPIRE", "a", "10", "LT", "XX") == ZERO
    assert run("EXPIRE", "a", "10", "NX", "NX") == ONE
    assert run("EXPIRE", "nokey", "10", "NX") == ZERO


def test_expire_errors(run):
    run("SET", "a", "1")
    nx = b"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"
    gtlt = b"-ERR GT and LT options at the same time are not compatible\r\n"
    for name in ("EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"):
        assert run(name, "a") == arity(name.lower())
        assert run(name, "a", "x") == NOT_INT
        assert run(name, "a", "1.5") == NOT_INT
        assert run(name, "a", "10", "NX", "XX") == nx
        assert run(name, "a", "10", "GT", "NX") == nx
        assert run(name, "a", "10", "LT", "NX") == nx
        assert run(name, "a", "10", "GT", "LT") == gtlt
        assert run(name, "a", "10", "FOO") == b"-ERR Unsupported option FOO\r\n"
        assert run(name, "a", "10", "NX", "bar") == b"-ERR Unsupported option bar\r\n"
        # options are checked before the number
        assert run(name, "a", "x", "NX", "XX") == nx
        assert run(name, "a", "x", "FOO") == b"-ERR Unsupported option FOO\r\n"
    assert run("TTL", "a") == ints(-1)


def test_expire_overflow(run, clock):
    run("SET", "a", "1")

    def invalid(name):
        return b"-ERR invalid expire time in '%s' command\r\n" % name.encode()
    assert run("EXPIRE", "a", "9223372036854775807") == invalid("expire")
    assert run("EXPIRE", "a", "9223372036854776") == invalid("expire")
    assert run("EXPIRE", "a", "-9223372036854776") == invalid("expire")
    assert run("EXPIREAT", "a", "9223372036854776") == invalid("expireat")
    assert run("PEXPIRE", "a", "9223372036854775807") == invalid("pexpire")
    assert run("PEXPIRE", "a", "9223372036854775808") == NOT_INT
    # checked before the key is looked up
    assert run("EXPIRE", "nokey", "9223372036854775807") == invalid("expire")
    assert run("PEXPIREAT", "a", "9223372036854775807") == ONE
    assert run("PEXPIRETIME", "a") == ints(9223372036854775807)
    assert run("EXPIREAT", "a", "9223372036854775") == ONE
    assert run("EXPIRETIME", "a") == ints(9223372036854775)
    assert run("EXPIRE", "a", "-9223372036854775") == ONE     # in the past: deleted
    assert run("EXISTS", "a") == ZERO


@pytest.mark.parametrize("cmd", [("EXPIRE", "-1"), ("EXPIRE", "0"), ("PEXPIRE", "0"),
                                 ("EXPIREAT", "1"), ("PEXPIREAT", "1700000000000")])
def test_expire_in_the_past_deletes(run, engine, clock, events, propagated, cmd):
    run("SET", "a", "1")
    events.clear()
    propagated.clear()
    dirty = engine.dirty
    assert run(cmd[0], "a", cmd[1]) == ONE
    assert run("EXISTS", "a") == ZERO
    assert engine.dirty == dirty + 1
    assert events == [(0, "del", b"a")]
    assert propagated == [(0, [b"DEL", b"a"])]


def test_expire_in_the_past_propagates_unlink_with_lazyfree(run, clock, propagated):
    run("CONFIG", "SET", "lazyfree-lazy-expire", "yes")
    run("SET", "a", "1")
    propagated.clear()
    assert run("PEXPIRE", "a", "-5") == ONE
    assert propagated == [(0, [b"UNLINK", b"a"])]


def test_expire_propagates_as_pexpireat(run, clock, events, propagated):
    run("SET", "a", "1")
    events.clear()
    propagated.clear()
    deadline = b"%d" % (clock.now + 10_000)
    run("EXPIRE", "a", "10")
    run("PEXPIRE", "a", "10000", "XX")
    run("EXPIREAT", "a", "%d" % ((clock.now + 10_000) // 1000))
    run("PEXPIREAT", "a", deadline, "gt")          # not greater: no effect, not propagated
    run("PEXPIREAT", "a", deadline)
    assert propagated == [
        (0, [b"PEXPIREAT", b"a", deadline]),
        (0, [b"PEXPIREAT", b"a", deadline, b"XX"]),
        (0, [b"PEXPIREAT", b"a", deadline]),
        (0, [b"PEXPIREAT", b"a", deadline]),
    ]
    assert events == [(0, "expire", b"a")] * 4


def test_expire_no_op_does_not_propagate(run, engine, propagated):
    run("SET", "a", "1")
    propagated.clear()
    dirty = engine.dirty
    run("EXPIRE", "nokey", "10")
    run("EXPIRE", "a", "10", "XX")
    assert propagated == [] and engine.dirty == dirty


def test_persist(run, engine, clock, events):
    run("SET", "a", "1")
    assert run("PERSIST", "a") == ZERO
    assert run("PERSIST", "nokey") == ZERO
    run("EXPIRE", "a", "100")
    dirty = engine.dirty
    assert run("PERSIST", "a") == ONE
    assert engine.dirty == dirty + 1
    assert events[-1] == (0, "persist", b"a")
    assert run("TTL", "a") == ints(-1)
    assert run("PERSIST", "a") == ZERO
    assert run("PERSIST") == arity("persist")


def test_set_drops_the_ttl(run, clock):
    run("SET", "a", "1")
    run("EXPIRE", "a", "100")
    run("SET", "a", "2")
    assert run("TTL", "a") == ints(-1)


def test_expired_key_vanishes_lazily(run, engine, clock, events, propagated):
    run("SET", "a", "1")
    run("PEXPIRE", "a", "100")
    events.clear()
    propagated.clear()
    clock.now += 101
    assert run("GET", "a") == NIL
    assert events == [(0, "expired", b"a")]
    assert propagated == [(0, [b"DEL", b"a"])]


# -- OBJECT ---------------------------------------------------------------------------
def test_object_encoding_strings(run):
    cases = [("12345", b"int"), ("-9223372036854775808", b"int"),
             ("9223372036854775807", b"int"), ("9223372036854775808", b"embstr"),
             ("012", b"embstr"), ("-0", b"embstr"), ("+1", b"embstr"), (" 1", b"embstr"),
             ("hello", b"embstr"), ("x" * 44, b"embstr"), ("x" * 45, b"raw"), ("", b"embstr")]
    for value, enc in cases:
        run("SET", "k", value)
        assert run("OBJECT", "ENCODING", "k") == bulk(enc), value
    assert run("OBJECT", "ENCODING", "nokey") == NIL


def test_object_encoding_collections(run, db):
    db.set(b"l", ListValue([b"a"]))
    assert run("OBJECT", "ENCODING", "l") == bulk(b"quicklist")
    db.set(b"h", HashValue({b"f%d" % i: b"v" for i in range(512)}))
    assert run("OBJECT", "ENCODING", "h") == bulk(b"listpack")
    db.data[b"h"][b"one-more"] = b"v"
    assert run("OBJECT", "ENCODING", "h") == bulk(b"hashtable")
    db.set(b"h", HashValue({b"f": b"v" * 64}))
    assert run("OBJECT", "ENCODING", "h") == bulk(b"listpack")
    db.set(b"h", HashValue({b"f": b"v" * 65}))
    assert run("OBJECT", "ENCODING", "h") == bulk(b"hashtable")
    db.set(b"h", HashValue({b"f" * 65: b"v"}))
    assert run("OBJECT", "ENCODING", "h") == bulk(b"hashtable")
    db.set(b"s", SetValue(b"%d" % i for i in range(512)))
    assert run("OBJECT", "ENCODING", "s") == bulk(b"intset")
    db.data[b"s"].add(b"-1")
    assert run("OBJECT", "ENCODING", "s") == bulk(b"hashtable")
    db.set(b"s", SetValue([b"1", b"a"]))
    assert run("OBJECT", "ENCODING", "s") == bulk(b"hashtable")
    db.set(b"s", SetValue([b"01"]))
    assert run("OBJECT", "ENCODING", "s") == bulk(b"hashtable")
    z = ZSetValue()
    for i in range(128):
        z.add(b"m%d" % i, i)
    db.set(b"z", z)
    assert run("OBJECT", "ENCODING", "z") == bulk(b"listpack")
    z.add(b"m" * 65, 1)
    assert run("OBJECT", "ENCODING", "z") == bulk(b"skiplist")
    z.discard(b"m" * 65)
    z.add(b"one-more", 1)
    assert run("OBJECT", "ENCODING", "z") == bulk(b"skiplist")


def test_object_encoding_follows_config(run, db):
    db.set(b"h", HashValue({b"a": b"1", b"b": b"2"}))
    run("CONFIG", "SET", "hash-max-listpack-entries", "1")
    assert run("OBJECT", "ENCODING", "h") == bulk(b"hashtable")
    run("CONFIG", "SET", "hash-max-ziplist-entries", "2")
    assert run("OBJECT", "ENCODING", "h") == bulk(b"listpack")
    db.set(b"s", SetValue([b"1", b"2"]))
    run("CONFIG", "SET", "set-max-intset-entries", "1")
    assert run("OBJECT", "ENCODING", "s") == bulk(b"hashtable")
    z = ZSetValue()
    z.add(b"abc", 1)
    db.set(b"z", z)
    run("CONFIG", "SET", "zset-max-listpack-value", "2")
    assert run("OBJECT", "ENCODING", "z") == bulk(b"skiplist")


def test_object_refcount(run):
    run("SET", "a", "1")
    assert run("OBJECT", "REFCOUNT", "a") == ints(2147483647)    # a shared integer
    run("SET", "a", "9999")
    assert run("OBJECT", "REFCOUNT", "a") == ints(2147483647)
    run("SET", "a", "10000")
    assert run("OBJECT", "REFCOUNT", "a") == ONE
    run("SET", "a", "-1")
    assert run("OBJECT", "REFCOUNT", "a") == ONE
    run("SET", "a", "x")
    assert run("OBJECT", "REFCOUNT", "a") == ONE
    assert run("OBJECT", "REFCOUNT", "nokey") == NIL
    run("SET", "a", "5")
    run("CONFIG", "SET", "maxmemory", "1gb")
    run("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
    assert run("OBJECT", "REFCOUNT", "a") == ONE    # no shared integers with LRU eviction


def test_object_idletime_and_freq(run):
    run("SET", "a", "1")
    freq_err = (b"-ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
                b"Please note that when switching between policies at runtime LRU and LFU "
                b"data will take some time to adjust.\r\n")
    idle_err = (b"-ERR An LFU maxmemory policy is selected, idle time not tracked. Please "
                b"note that when switching between policies at runtime LRU and LFU data will "
                b"take some time to adjust.\r\n")
    assert run("OBJECT", "IDLETIME", "a") == ZERO
    assert run("OBJECT", "FREQ", "a") == freq_err
    assert run("OBJECT", "FREQ", "nokey") == NIL     # the key is looked up first
    run("CONFIG", "SET", "maxmemory-policy", "volatile-lfu")
    assert run("OBJECT", "FREQ", "a") == ZERO
    assert run("OBJECT", "IDLETIME", "a") == idle_err
    assert run("OBJECT", "IDLETIME", "nokey") == NIL


def test_object_help_and_errors(run):
    reply = run("OBJECT", "HELP")
    assert reply.startswith(b"*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. "
                            b"Subcommands are:\r\n")
    assert reply.endswith(b"+HELP\r\n+    Prints this help.\r\n")
    assert run("object", "help") == reply
    assert run("OBJECT") == arity("object")
    assert run("OBJECT", "HELP", "x") == arity("object|help")
    assert run("OBJECT", "ENCODING") == arity("object|encoding")
    assert run("OBJECT", "ENCODING", "a", "b") == arity("object|encoding")
    assert run("OBJECT", "bogus") == b"-ERR unknown subcommand 'bogus'. Try OBJECT HELP.\r\n"
    assert run("OBJECT", "Bogus", "x") == b"-ERR unknown subcommand 'Bogus'. Try OBJECT HELP.\r\n"


def test_command_table_entries(engine):
    from redlet.commands.registry import COMMANDS
    expect = {
        "del": (-2, ["write"], (1, -1, 1)), "unlink": (-2, ["write", "fast"], (1, -1, 1)),
        "delete": (-2, ["write"], (1, -1, 1)),
        "exists": (-2, ["readonly", "fast"], (1, -1, 1)),
        "touch": (-2, ["readonly", "fast"], (1, -1, 1)),
        "type": (2, ["readonly", "fast"], (1, 1, 1)), "keys": (2, ["readonly"], (0, 0, 0)),
        "scan": (-2, ["readonly"], (0, 0, 0)), "randomkey": (1, ["readonly"], (0, 0, 0)),
        "rename": (3, ["write"], (1, 2, 1)), "renamenx": (3, ["write", "fast"], (1, 2, 1)),
        "copy": (-3, ["write", "denyoom"], (1, 2, 1)), "move": (3, ["write", "fast"], (1, 1, 1)),
        "expire": (-3, ["write", "fast"], (1, 1, 1)),
        "pexpireat": (-3, ["write", "fast"], (1, 1, 1)),
        "ttl": (2, ["readonly", "fast"], (1, 1, 1)),
        "expiretime": (2, ["readonly", "fast"], (1, 1, 1)),
        "persist": (2, ["write", "fast"], (1, 1, 1)),
    }
    for name, (n, flags, keys) in expect.items():
        cmd = COMMANDS[name]
        assert (cmd.arity, cmd.flag_names, (cmd.first_key, cmd.last_key, cmd.key_step)) == \
            (n, flags, keys), name
    assert "dangerous" in COMMANDS["keys"].acl_categories
    obj = COMMANDS["object"]
    assert obj.acl_categories == ["slow"]
    assert sorted(obj.subcommands) == ["encoding", "freq", "help", "idletime", "refcount"]
    assert obj.subcommands["encoding"].acl_categories == ["keyspace", "read", "slow"]
    assert obj.subcommands["help"].acl_categories == ["keyspace", "slow"]


# -- blocking clients see keys that arrive by RENAME/COPY/MOVE -----------------------
def test_arrivals_signal_blocked_clients(session, engine, db, monkeypatch):
    signalled = []
    monkeypatch.setattr(db_mod.Database, "signal_ready",
                        lambda self, key: signalled.append((self.id, key)))
    s = session()
    db.set(b"l", ListValue([b"x"]))
    db.set(b"str", b"v")
    s("RENAME", "str", "dst")
    s("COPY", "dst", "dst2")
    assert signalled == []                         # a string serves nobody
    s("COPY", "l", "dst", "REPLACE")
    s("COPY", "l", "l", "DB", "2")
    s("RENAME", "l", "l2")
    s("MOVE", "l2", "1")
    assert signalled == [(0, b"dst"), (2, b"l"), (0, b"l2"), (1, b"l2")]


def test_pattern_matcher_agrees_with_glob_match_everywhere():
    """The compiled matcher against the reference (``util.glob_match``, Redis'
    stringmatchlen) on random patterns over an alphabet of special bytes."""
    from hypothesis import given, settings, strategies as st
    from redlet.util import glob_match
    alphabet = st.sampled_from([b"a", b"b", b"-", b"]", b"[", b"^", b"*", b"?", b"\\", b"\n"])
    text = st.lists(alphabet, max_size=8).map(b"".join)

    @settings(max_examples=1000, deadline=None)
    @given(text, st.lists(st.lists(st.sampled_from([b"a", b"b", b"-", b"]", b"^", b"\\",
                                                    b"\n"]), max_size=7).map(b"".join),
                          min_size=1, max_size=6))
    def agree(pattern, strings):
        m = scan_mod.pattern_matcher(pattern)
        for s in strings:
            expected = glob_match(pattern, s)
            got = True if m is None else m(s)
            if pattern == b"*":
                continue            # disabled pattern: everything, as SCAN/KEYS do
            assert got == expected, (pattern, s)
    agree()


def test_pattern_matcher_is_linear_with_many_stars():
    import time
    m = scan_mod.pattern_matcher(b"*a*a*a*a*a*a*a*a*a*a*b")
    s = b"a" * 3000
    t = time.perf_counter()
    assert m(s) is False
    assert time.perf_counter() - t < 0.5
