"""Sorted set commands in process: dirty counting, propagation rewrites of
the pops, keyspace events, deletion of emptied sets, the encoding flag and
blocking pops served by later writes."""
import pytest

from redlet.keyspace.zset import ZSetValue


def parse(raw):
    """One RESP2 reply as Python values (bulk -> bytes, array -> list)."""
    def one(pos):
        t = raw[pos:pos + 1]
        end = raw.index(b"\r\n", pos)
        head = raw[pos + 1:end]
        if t == b"$":
            n = int(head)
            return (None, end + 2) if n < 0 else (raw[end + 2:end + 2 + n], end + 4 + n)
        if t == b"*":
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
        return head, end + 2
    value, _ = one(0)
    return value


@pytest.fixture
def propagated(engine):
    seen = []
    engine.propagation_hooks.append(lambda db_index, argv: seen.append(list(argv)))
    return seen


@pytest.fixture
def events(engine, run):
    """Keyspace events (event, key) heard by a real PSUBSCRIBE client."""
    run("CONFIG", "SET", "notify-keyspace-events", "KEA")
    out = []
    sub = engine.new_client(send=out.append)
    sub.out = None
    engine.process_batch(sub, [[b"PSUBSCRIBE", b"__keyevent@0__:*"]])
    out.clear()

    def heard():
        msgs = []
        for chunk in out:
            pos = 0
            while pos < len(chunk):
                # pushes are ["pmessage", pattern, channel, key]
                value = parse(chunk[pos:])
                msgs.append((value[2].split(b":", 1)[1].decode(), value[3].decode()))
                pos += len(_encode_len(chunk[pos:]))
        out.clear()
        return msgs
    return heard


def _encode_len(raw):
    """The bytes of the first reply in ``raw``."""
    def end(pos):
        t = raw[pos:pos + 1]
        e = raw.index(b"\r\n", pos)
        if t == b"$":
            n = int(raw[pos + 1:e])
            return e + 2 if n < 0 else e + 4 + n
        if t == b"*":
            p = e + 2
            for _ in range(max(int(raw[pos + 1:e]), 0)):
                p = end(p)
            return p
        return e + 2
    return raw[:end(0)]


def dirty_of(engine, run, *cmd):
    before = engine.dirty
    reply = run(*cmd)
    return engine.dirty - before, reply


# -- dirty counting --------------------------------------------------------------------------
@pytest.mark.parametrize("setup, cmd, delta", [
    ((), ("ZADD", "z", "1", "a", "2", "b"), 2),
    ((("ZADD", "z", "1", "a"),), ("ZADD", "z", "1", "a", "2", "b"), 1),
    ((("ZADD", "z", "1", "a"),), ("ZADD", "z", "5", "a"), 1),
    ((("ZADD", "z", "1", "a"),), ("ZADD", "z", "NX", "5", "a"), 0),
    ((("ZADD", "z", "1", "a"),), ("ZADD", "z", "GT", "0", "a"), 0),
    ((("ZADD", "z", "1", "a"),), ("ZINCRBY", "z", "0", "a"), 0),
    ((("ZADD", "z", "1", "a"),), ("ZINCRBY", "z", "1", "a"), 1),
    ((("ZADD", "z", "1", "a", "2", "b"),), ("ZREM", "z", "a", "b", "x"), 2),
    ((("ZADD", "z", "1", "a", "2", "b", "3", "c"),), ("ZPOPMIN", "z", "2"), 2),
    ((("ZADD", "z", "1", "a", "2", "b", "3", "c"),), ("ZREMRANGEBYSCORE", "z", "2", "3"), 2),
    ((("ZADD", "z", "1", "a"),), ("ZUNIONSTORE", "d", "1", "z"), 1),
    ((("SET", "d", "x"),), ("ZUNIONSTORE", "d", "1", "nokey"), 1),
    ((), ("ZUNIONSTORE", "d", "1", "nokey"), 0),
    ((), ("ZADD", "z", "XX", "1", "a"), 0),
])
def test_dirty(engine, run, setup, cmd, delta):
    for s in setup:
        run(*s)
    assert dirty_of(engine, run, *cmd)[0] == delta


# -- propagation -----------------------------------------------------------------------------
def test_pops_propagate_as_zpop(run, propagated):
    run("ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d")
    propagated.clear()
    run("ZPOPMIN", "z")
    run("ZMPOP", "1", "z", "MAX", "COUNT", "2")
    run("BZPOPMAX", "nokey", "z", "0")
    run("ZADD", "z", "1", "a", "2", "b")
    run("BZMPOP", "0", "1", "z", "MIN", "COUNT", "10")
    run("ZADD", "z", "INCR", "1", "a")
    assert propagated == [
        [b"ZPOPMIN", b"z"],
        [b"ZPOPMAX", b"z", b"2"],
        [b"ZPOPMAX", b"z"],
        [b"ZADD", b"z", b"1", b"a", b"2", b"b"],
        [b"ZPOPMIN", b"z", b"2"],
        [b"ZADD", b"z", b"INCR", b"1", b"a"],
    ]


def test_nothing_popped_propagates_nothing(run, propagated):
    run("ZPOPMIN", "nokey")
    run("ZMPOP", "1", "nokey", "MIN")
    run("MULTI")
    run("BZPOPMIN", "nokey", "0")
    assert parse(run("EXEC")) == [None]
    assert propagated == []


def test_blocked_pop_served_later(engine, run, propagated):
    out = []
    waiter = engine.new_client(send=out.append)
    assert engine.process_batch(waiter, [[b"BZPOPMIN", b"k1", b"k2", b"0"]]) == b""
    assert waiter.blocked is not None
    run("SET", "k1", "not a zset")          # another type: still waiting
    assert waiter.blocked is not None and out == []
    run("ZADD", "k2", "5", "x", "6", "y")
    assert waiter.blocked is None
    assert parse(b"".join(out)) == [b"k2", b"x", b"5"]
    assert propagated[-1] == [b"ZPOPMIN", b"k2"]
    assert parse(run("ZRANGE", "k2", "0", "-1")) == [b"y"]


def test_blocked_bzmpop_served_and_key_deleted(engine, run, propagated):
    out = []
    waiter = engine.new_client(send=out.append)
    engine.process_batch(waiter, [[b"BZMPOP", b"0", b"1", b"q", b"MAX", b"COUNT", b"5"]])
    run("ZADD", "q", "1", "a", "2", "b")
    assert parse(b"".join(out)) == [b"q", [[b"b", b"2"], [b"a", b"1"]]]
    assert propagated[-1] == [b"ZPOPMAX", b"q", b"2"]
    assert run("EXISTS", "q") == b":0\r\n"


def test_two_waiters_served_in_order(engine, run):
    outs = [[], []]
    waiters = [engine.new_client(send=o.append) for o in outs]
    for w in waiters:
        engine.process_batch(w, [[b"BZPOPMIN", b"z", b"0"]])
    run("ZADD", "z", "1", "a")
    assert parse(b"".join(outs[0])) == [b"z", b"a", b"1"]
    assert outs[1] == [] and waiters[1].blocked is not None
    run("ZADD", "z", "2", "b")
    assert parse(b"".join(outs[1])) == [b"z", b"b", b"2"]


# -- keyspace events and emptied sets ---------------------------------------------------------
def test_events(run, events):
    run("ZADD", "z", "1", "a", "2", "b")
    run("ZADD", "z", "NX", "1", "a")
    run("ZINCRBY", "z", "1", "a")
    run("ZREM", "z", "nope")
    run("ZPOPMIN", "z")
    run("ZPOPMAX", "z")
    assert events() == [("zadd", "z"), ("zincr", "z"), ("zpopmin", "z"), ("zpopmax", "z"),
                        ("del", "z")]
    run("ZADD", "z", "1", "a", "2", "b", "3", "c")
    run("ZREMRANGEBYRANK", "z", "0", "0")
    run("ZREMRANGEBYLEX", "z", "[b", "[b")
    run("ZUNIONSTORE", "u", "1", "z")
    run("ZREMRANGEBYSCORE", "z", "-inf", "inf")
    run("ZRANGESTORE", "u", "nokey", "0", "-1")
    assert events() == [("zadd", "z"), ("zremrangebyrank", "z"), ("zremrangebylex", "z"),
                        ("zunionstore", "u"), ("zremrangebyscore", "z"), ("del", "z"),
                        ("del", "u")]


def test_emptied_sets_disappear(engine, run):
    for cmd in (("ZREM", "z", "a"), ("ZPOPMIN", "z"), ("ZMPOP", "1", "z", "MIN"),
                ("ZREMRANGEBYRANK", "z", "0", "-1"), ("ZREMRANGEBYSCORE", "z", "-inf", "inf"),
                ("ZREMRANGEBYLEX", "z", "-", "+"), ("BZPOPMAX", "z", "0")):
        run("ZADD", "z", "1", "a")
        run(*cmd)
        assert b"z" not in engine.dbs[0].data, cmd


def test_ttl_kept_across_writes(run):
    run("ZADD", "z", "1", "a")
    run("EXPIRE", "z", "100")
    run("ZADD", "z", "2", "b")
    run("ZINCRBY", "z", "1", "a")
    run("ZREM", "z", "b")
    assert run("TTL", "z") == b":100\r\n"


def test_encoding_flag_is_sticky(engine, run):
    run("ZADD", "z", *[x for i in range(129) for x in (b"%d" % i, b"m%d" % i)])
    z = engine.dbs[0].data[b"z"]
    assert type(z) is ZSetValue and not z.listpack
    run("ZREMRANGEBYRANK", "z", "0", "100")
    assert run("OBJECT", "ENCODING", "z") == b"$8\r\nskiplist\r\n"
    run("ZADD", "small", "-0.0", "m")
    assert run("ZSCORE", "small", "m") == b"$1\r\n0\r\n"   # a listpack keeps 0
    run("ZADD", "z", "-0.0", "m")
    assert run("ZSCORE", "z", "m") == b"$2\r\n-0\r\n"


def test_range_index_is_consistent_after_many_writes(engine, run):
    import random
    rng = random.Random(3)
    for _ in range(2000):
        m = b"m%d" % rng.randrange(300)
        if rng.random() < 0.7:
            run("ZADD", "z", str(rng.randrange(-50, 50) / 4), m)
        else:
            run("ZREM", "z", m)
    z = engine.dbs[0].data[b"z"]
    assert sorted((s, m) for m, s in z.scores.items()) == list(z.index)
    assert parse(run("ZCOUNT", "z", "-inf", "inf")) == len(z.scores)
