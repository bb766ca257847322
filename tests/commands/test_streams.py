"""Stream commands in process: what the differential tests cannot see.

Propagation (checked against Redis 7.0.15's append-only file: XADD's
concrete ids and exact trims, XREADGROUP/XCLAIM/XAUTOCLAIM as XCLAIM ...
FORCE JUSTID LASTID, XGROUP SETID/CREATECONSUMER for NOACK reads; Redis
also wraps several effects of one command in MULTI/EXEC, which is the
engine's business and not checked here), a replay
of the propagated commands rebuilding the same stream, dirty counting,
keyspace events (class ``t``), streams that stay when empty, blocking
served in process, and TYPE/OBJECT ENCODING/COPY/RENAME of a stream.
"""
import pytest

import redlet.commands.streams as streams_mod
import redlet.keyspace.db as db_mod
from redlet.app import build_engine
from redlet.config import Config

OK = b"+OK\r\n"
NOW = 1_700_000_000_000


def bulk(b):
    return b"$%d\r\n%s\r\n" % (len(b), b)


def args(*items):
    return [a if isinstance(a, bytes) else str(a).encode() for a in items]


@pytest.fixture
def clock(monkeypatch):
    """A frozen clock, moved by hand (``clock.now``)."""
    class Clock:
        now = NOW

        def __call__(self):
            return self.now
    c = Clock()
    monkeypatch.setattr(db_mod, "now_ms", c)
    monkeypatch.setattr(streams_mod, "now_ms", c)
    return c


@pytest.fixture
def propagated(engine):
    seen = []
    engine.propagation_hooks.append(lambda db_index, argv: seen.append(list(argv)))
    return seen


@pytest.fixture
def events(engine, monkeypatch):
    """Keyspace events as (class, event, key), whatever notify-keyspace-events says."""
    seen = []
    monkeypatch.setattr(engine, "notify",
                        lambda db, cls, event, key: seen.append((cls, event, key)))
    return seen


def strip_exec(commands):
    return [c for c in commands if c[0] not in (b"MULTI", b"EXEC")]


def after(run, propagated, *cmd):
    """The commands propagated by ``cmd`` (MULTI/EXEC wrappers left out)."""
    del propagated[:]
    reply = run(*cmd)
    assert not reply.startswith(b"-"), reply
    return strip_exec(propagated)


# -- XADD / XTRIM / XDEL propagation -------------------------------------------------------
def test_xadd_star_propagates_the_concrete_id(run, propagated, clock):
    assert run("XADD", "s", "*", "a", "1") == bulk(b"%d-0" % NOW)
    assert propagated[-1] == args("XADD", "s", f"{NOW}-0", "a", "1")
    assert run("XADD", "s", "*", "a", "2") == bulk(b"%d-1" % NOW)
    assert propagated[-1] == args("XADD", "s", f"{NOW}-1", "a", "2")
    clock.now += 5
    assert after(run, propagated, "XADD", "s", "NOMKSTREAM", "MAXLEN", "100", "*", "b", "3") \
        == [args("XADD", "s", "NOMKSTREAM", "MAXLEN", "100", f"{NOW + 5}-0", "b", "3")]
    assert after(run, propagated, "XADD", "t", "5-*", "a", "1") == [args("XADD", "t", "5-0", "a", "1")]
    assert after(run, propagated, "XADD", "t", "5-*", "a", "1") == [args("XADD", "t", "5-1", "a", "1")]
    # an explicit id goes as it came
    assert after(run, propagated, "XADD", "t", "6-1", "a", "1") == [args("XADD", "t", "6-1", "a", "1")]


def test_approximate_trims_propagate_as_exact(run, propagated):
    for i in range(1, 4):
        run("XADD", "s", f"{i}-0", "a", "1")
    assert after(run, propagated, "XADD", "s", "MAXLEN", "~", "1", "7-1", "a", "1") \
        == [args("XADD", "s", "MAXLEN", "=", "4", "7-1", "a", "1")]
    assert after(run, propagated, "XADD", "s", "MAXLEN", "=", "1", "8-1", "a", "1") \
        == [args("XADD", "s", "MAXLEN", "=", "1", "8-1", "a", "1")]
    assert after(run, propagated, "XADD", "s", "MAXLEN", "~", "1", "LIMIT", "10", "9-1", "a", "1") \
        == [args("XADD", "s", "MAXLEN", "=", "2", "9-1", "a", "1")]
    assert after(run, propagated, "XADD", "s", "MINID", "~", "2", "10-1", "a", "1") \
        == [args("XADD", "s", "MINID", "=", "8-1", "10-1", "a", "1")]
    assert after(run, propagated, "XTRIM", "s", "MAXLEN", "~", "0") \
        == [args("XTRIM", "s", "MAXLEN", "=", "0")]
    # nothing trimmed, nothing deleted: nothing propagated
    assert after(run, propagated, "XTRIM", "s", "MAXLEN", "0") == []
    run("XADD", "s", "20-1", "a", "1")
    assert after(run, propagated, "XDEL", "s", "99-1") == []
    assert after(run, propagated, "XDEL", "s", "20-1", "99-1") == [args("XDEL", "s", "20-1", "99-1")]


# -- consumer groups propagation ----------------------------------------------------------
@pytest.fixture
def grouped(run):
    for i in (21, 22):
        run("XADD", "s", f"{i}-1", "a", "1")
    assert run("XGROUP", "CREATE", "s", "g", "0") == OK
    return run


def xclaim_effect(consumer, entry, count, last, time=NOW, group="g"):
    return args("XCLAIM", "s", group, consumer, "0", entry, "TIME", time, "RETRYCOUNT", count,
                "FORCE", "JUSTID", "LASTID", last)


def test_xreadgroup_propagates_xclaims_not_setid(grouped, propagated, clock):
    run = grouped
    assert after(run, propagated, "XREADGROUP", "GROUP", "g", "alice", "COUNT", "1",
                 "STREAMS", "s", ">") == [xclaim_effect("alice", "21-1", 1, "21-1")]
    run("XADD", "s", "23-1", "a", "1")
    assert after(run, propagated, "XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">") \
        == [xclaim_effect("alice", "22-1", 1, "22-1"), xclaim_effect("alice", "23-1", 1, "23-1")]
    # nothing new: no write, nothing propagated
    assert after(run, propagated, "XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">") == []
    # a history read changes delivery counts locally only (as Redis 7.0)
    assert after(run, propagated, "XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0") == []
    assert after(run, propagated, "XREADGROUP", "GROUP", "g", "zoe", "STREAMS", "s", "0") == []


def test_xreadgroup_noack_propagates_consumer_and_setid(grouped, propagated):
    run = grouped
    assert after(run, propagated, "XREADGROUP", "GROUP", "g", "carol", "NOACK",
                 "STREAMS", "s", ">") == [
        args("XGROUP", "CREATECONSUMER", "s", "g", "carol"),
        args("XGROUP", "SETID", "s", "g", "22-1", "ENTRIESREAD", "2")]
    run("XADD", "s", "24-1", "a", "1")
    assert after(run, propagated, "XREADGROUP", "GROUP", "g", "carol", "NOACK",
                 "STREAMS", "s", ">") == [args("XGROUP", "SETID", "s", "g", "24-1",
                                               "ENTRIESREAD", "3")]
    # an empty history read by a new consumer still creates it
    assert after(run, propagated, "XREADGROUP", "GROUP", "g", "bob", "NOACK",
                 "STREAMS", "s", "0") == [args("XGROUP", "CREATECONSUMER", "s", "g", "bob")]


def test_xclaim_propagation(grouped, propagated, clock):
    run = grouped
    run("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    clock.now += 10
    assert after(run, propagated, "XCLAIM", "s", "g", "erin", "0", "22-1") \
        == [xclaim_effect("erin", "22-1", 2, "22-1", NOW + 10)]
    assert after(run, propagated, "XCLAIM", "s", "g", "erin", "0", "22-1", "JUSTID") \
        == [xclaim_effect("erin", "22-1", 2, "22-1", NOW + 10)]
    assert after(run, propagated, "XCLAIM", "s", "g", "erin", "3600000", "22-1") == []
    assert after(run, propagated, "XCLAIM", "s", "g", "erin", "0", "22-1", "TIME", "5",
                 "RETRYCOUNT", "9") == [xclaim_effect("erin", "22-1", 9, "22-1", 5)]
    # LASTID: in the XCLAIM when something was claimed, else as XGROUP SETID
    assert after(run, propagated, "XCLAIM", "s", "g", "frank", "0", "22-1", "LASTID", "30-0") \
        == [xclaim_effect("frank", "22-1", 10, "30-0", NOW + 10)]
    assert after(run, propagated, "XCLAIM", "s", "g", "frank", "3600000", "22-1",
                 "LASTID", "31-0") == [args("XGROUP", "SETID", "s", "g", "31-0",
                                            "ENTRIESREAD", "2")]
    # FORCE creates the pending entry (delivery count 1, then claimed)
    run("XADD", "s", "40-1", "a", "1")
    assert after(run, propagated, "XCLAIM", "s", "g", "gus", "0", "40-1", "FORCE") \
        == [xclaim_effect("gus", "40-1", 2, "31-0", NOW + 10)]
    # a pending entry whose stream entry is gone: propagated (as it was), then dropped
    run("XDEL", "s", "22-1")
    assert after(run, propagated, "XCLAIM", "s", "g", "hal", "0", "22-1") \
        == [xclaim_effect("frank", "22-1", 10, "31-0", NOW + 10)]
    assert run("XPENDING", "s", "g", "-", "+", "10", "frank") == b"*0\r\n"


def test_xautoclaim_propagation(grouped, propagated, clock):
    run = grouped
    run("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    clock.now += 3
    assert after(run, propagated, "XAUTOCLAIM", "s", "g", "gus", "0", "0", "COUNT", "1") \
        == [xclaim_effect("gus", "21-1", 2, "22-1", NOW + 3)]
    assert after(run, propagated, "XAUTOCLAIM", "s", "g", "gus", "3600000", "0") == []
    run("XDEL", "s", "22-1")
    assert after(run, propagated, "XAUTOCLAIM", "s", "g", "gus", "0", "0", "JUSTID") \
        == [xclaim_effect("gus", "21-1", 2, "22-1", NOW + 3),
            xclaim_effect("alice", "22-1", 1, "22-1", NOW)]


def test_xgroup_and_xsetid_propagate_verbatim(grouped, propagated):
    run = grouped
    run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    for cmd in (("XGROUP", "SETID", "s", "g", "0"),
                ("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "2"),
                ("XGROUP", "CREATECONSUMER", "s", "g", "hal"),
                ("XGROUP", "DELCONSUMER", "s", "g", "hal"),
                ("XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", "3"),
                ("XGROUP", "DESTROY", "s", "g2"),
                ("XSETID", "s", "100-0"),
                ("XSETID", "s", "101-0", "ENTRIESADDED", "50", "MAXDELETEDID", "5-0"),
                ("XACK", "s", "g", "21-1")):
        assert after(run, propagated, *cmd) == [args(*cmd)]
    for cmd in (("XGROUP", "CREATECONSUMER", "s", "g", "x"),):
        run(*cmd)
        assert after(run, propagated, *cmd) == []     # already there: no write


def test_replaying_the_effects_rebuilds_the_stream(engine, run, propagated, clock):
    """The propagated commands, run on a fresh server, give the same stream
    (entries, groups, pending entries with their owners, times and counts)."""
    script = [
        ("XADD", "s", "*", "a", "1"), ("XADD", "s", "*", "b", "2"),
        ("XGROUP", "CREATE", "s", "g", "0"), ("XGROUP", "CREATE", "s", "n", "0"),
        ("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "n", "nora", "NOACK", "STREAMS", "s", ">"),
        ("XADD", "s", "MAXLEN", "~", "100", "*", "c", "3"),
        ("XCLAIM", "s", "g", "carol", "0", f"{NOW + 1}-0", "RETRYCOUNT", "5"),
        ("XAUTOCLAIM", "s", "g", "dave", "0", "0", "COUNT", "1"),
        ("XREADGROUP", "GROUP", "g", "erin", "STREAMS", "s", ">"),
        ("XACK", "s", "g", f"{NOW + 2}-0"),
        ("XDEL", "s", f"{NOW + 1}-0"),
        ("XAUTOCLAIM", "s", "g", "dave", "0", "0"),
        ("XGROUP", "CREATECONSUMER", "s", "g", "idle"),
    ]
    for cmd in script:
        clock.now += 1
        assert not run(*cmd).startswith(b"-"), cmd
    assert run("XLEN", "s") == b":2\r\n"
    assert run("XPENDING", "s", "g").startswith(b"*4\r\n:1\r\n")
    cfg = Config()
    cfg.values["save"] = []
    replica = build_engine(cfg)
    rc = replica.new_client()
    for argv in propagated:
        replica.process_batch(rc, [argv])
    for cmd in (("XRANGE", "s", "-", "+"), ("XPENDING", "s", "g"), ("XPENDING", "s", "n"),
                ("XPENDING", "s", "g", "-", "+", "10")):
        assert replica.process_batch(rc, [args(*cmd)]) == run(*cmd), cmd
    mine, theirs = (e.dbs[0].get(b"s") for e in (engine, replica))
    assert (theirs.last_id, theirs.entries_added, theirs.max_deleted_id) \
        == (mine.last_id, mine.entries_added, mine.max_deleted_id)
    for name, g in mine.groups.items():
        r = theirs.groups[name]
        assert r.last_id == g.last_id
        assert [(i, n.consumer.name, n.delivery_time, n.delivery_count)
                for i, n in r.pel.items()] \
            == [(i, n.consumer.name, n.delivery_time, n.delivery_count) for i, n in g.pel.items()]
    # consumers that own entries or were created by NOACK reads are there
    assert set(theirs.groups[b"g"].consumers) <= set(mine.groups[b"g"].consumers)
    assert {b"carol", b"dave"} <= set(theirs.groups[b"g"].consumers)


# -- dirty counting ----------------------------------------------------------------------
@pytest.mark.parametrize("cmd, delta", [
    (("XADD", "s", "9-0", "a", "1"), 1),
    (("XADD", "s", "MAXLEN", "1", "9-0", "a", "1"), 1),
    (("XADD", "s", "1-0", "a", "1"), 0),
    (("XDEL", "s", "1-0", "2-0", "9-0"), 2),
    (("XTRIM", "s", "MAXLEN", "1"), 2),
    (("XTRIM", "s", "MAXLEN", "5"), 0),
    (("XGROUP", "CREATE", "s", "g2", "0"), 1),
    (("XGROUP", "CREATE", "s", "g", "0"), 0),
    (("XREADGROUP", "GROUP", "g", "new", "STREAMS", "s", ">"), 0),     # nothing new
    (("XREADGROUP", "GROUP", "g", "new", "STREAMS", "s", "0"), 2),     # consumer + read
    (("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"), 1),
    (("XACK", "s", "g", "1-0", "2-0", "9-0"), 0),
    (("XGROUP", "SETID", "s", "g", "0"), 1),
    (("XSETID", "s", "50-0"), 1),
])
def test_dirty(run, engine, cmd, delta):
    for i in (1, 2, 3):
        run("XADD", "s", f"{i}-0", "a", "1")
    run("XGROUP", "CREATE", "s", "g", "$")
    run("XGROUP", "CREATECONSUMER", "s", "g", "c")
    before = engine.dirty
    run(*cmd)
    assert engine.dirty - before == delta


# -- keyspace events -----------------------------------------------------------------------
def test_keyspace_events(run, events):
    run("XADD", "s", "1-0", "a", "1")
    run("XADD", "s", "MAXLEN", "1", "2-0", "a", "1")
    run("XADD", "s", "MAXLEN", "5", "3-0", "a", "1")          # nothing trimmed: no xtrim
    run("XADD", "s", "1-0", "a", "1")                         # error: no event
    run("XDEL", "s", "2-0")
    run("XDEL", "s", "2-0")
    run("XTRIM", "s", "MAXLEN", "0")
    run("XTRIM", "s", "MAXLEN", "0")
    run("XGROUP", "CREATE", "s", "g", "0")
    run("XGROUP", "CREATE", "m", "g", "0", "MKSTREAM")
    run("XGROUP", "CREATECONSUMER", "s", "g", "c")
    run("XGROUP", "SETID", "s", "g", "0")
    run("XADD", "s", "4-0", "a", "1")
    run("XREADGROUP", "GROUP", "g", "d", "STREAMS", "s", ">")
    run("XGROUP", "DELCONSUMER", "s", "g", "d")
    run("XGROUP", "DESTROY", "s", "g")
    run("XSETID", "s", "9-0")
    assert events == [
        ("t", "xadd", b"s"), ("t", "xadd", b"s"), ("t", "xtrim", b"s"), ("t", "xadd", b"s"),
        ("t", "xdel", b"s"), ("t", "xtrim", b"s"), ("t", "xgroup-create", b"s"),
        ("t", "xgroup-create", b"m"), ("t", "xgroup-createconsumer", b"s"),
        ("t", "xgroup-setid", b"s"), ("t", "xadd", b"s"), ("t", "xgroup-createconsumer", b"s"),
        ("t", "xgroup-delconsumer", b"s"), ("t", "xgroup-destroy", b"s"), ("t", "xsetid", b"s")]


def test_claims_create_consumers_with_an_event(run, events):
    run("XADD", "s", "1-0", "a", "1")
    run("XGROUP", "CREATE", "s", "g", "0")
    run("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">")
    del events[:]
    run("XCLAIM", "s", "g", "b", "0", "1-0")
    run("XAUTOCLAIM", "s", "g", "c", "0", "0")
    run("XCLAIM", "s", "g", "d", "3600000", "1-0")             # nothing claimed: no consumer
    assert events == [("t", "xgroup-createconsumer", b"s")] * 2
    assert b"$1\r\nd\r\n" not in run("XINFO", "CONSUMERS", "s", "g")


# -- empty streams stay ----------------------------------------------------------------------
def test_empty_stream_is_not_deleted(run):
    run("XADD", "s", "1-0", "a", "1")
    run("XADD", "s", "2-0", "a", "1")
    assert run("XDEL", "s", "1-0", "2-0") == b":2\r\n"
    assert run("EXISTS", "s") == b":1\r\n"
    assert run("TYPE", "s") == b"+stream\r\n"
    assert run("XLEN", "s") == b":0\r\n"
    run("XADD", "s", "3-0", "a", "1")
    assert run("XTRIM", "s", "MAXLEN", "0") == b":1\r\n"
    assert run("EXISTS", "s") == b":1\r\n"
    # the ids go on from where they were
    assert run("XADD", "s", "3-0", "a", "1").startswith(b"-ERR The ID specified in XADD")
    assert run("XGROUP", "CREATE", "e", "g", "$", "MKSTREAM") == OK
    assert run("EXISTS", "e") == b":1\r\n"


# -- a stream as a key ------------------------------------------------------------------------
def test_type_encoding_copy_rename(run):
    run("XADD", "s", "1-0", "a", "1")
    run("XGROUP", "CREATE", "s", "g", "0")
    run("XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">")
    assert run("TYPE", "s") == b"+stream\r\n"
    assert run("OBJECT", "ENCODING", "s") == bulk(b"stream")
    assert run("COPY", "s", "t") == b":1\r\n"
    # the copy is deep: entries, groups and pending entries apart
    run("XADD", "t", "2-0", "b", "2")
    run("XACK", "t", "g", "1-0")
    run("XGROUP", "CREATECONSUMER", "t", "g", "other")
    assert run("XLEN", "s") == b":1\r\n"
    assert run("XPENDING", "s", "g").startswith(b"*4\r\n:1\r\n")
    assert run("XPENDING", "t", "g").startswith(b"*4\r\n:0\r\n")
    assert b"other" not in run("XINFO", "CONSUMERS", "s", "g")
    assert run("RENAME", "t", "u") == OK
    assert run("XLEN", "u") == b":2\r\n" and run("EXISTS", "t") == b":0\r\n"
    assert run("XPENDING", "u", "g").startswith(b"*4\r\n:0\r\n")
    assert run("OBJECT", "ENCODING", "u") == bulk(b"stream")


# -- blocking in process ----------------------------------------------------------------------
def blocked_client(engine):
    out = []
    client = engine.new_client(send=out.append)
    return client, out


def send(engine, client, *cmd):
    return engine.process_batch(client, [args(*cmd)])


def test_blocked_xreadgroup_served_propagates_like_a_direct_read(engine, run, propagated,
                                                                 clock):
    run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    waiter, out = blocked_client(engine)
    assert send(engine, waiter, "XREADGROUP", "GROUP", "g", "w", "BLOCK", "0",
                "STREAMS", "s", ">") == b""
    assert run("XINFO", "CONSUMERS", "s", "g") == b"*0\r\n"     # created when served
    del propagated[:]
    run("XADD", "s", "5-0", "a", "1")
    engine.flush_pending()
    assert out == [b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n5-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"]
    assert strip_exec(propagated) == [args("XADD", "s", "5-0", "a", "1"),
                                      xclaim_effect("w", "5-0", 1, "5-0")]
    # NOACK: the consumer creation and the group's new position
    waiter2, out2 = blocked_client(engine)
    send(engine, waiter2, "XREADGROUP", "GROUP", "g", "n", "NOACK", "BLOCK", "0",
         "STREAMS", "s", ">")
    del propagated[:]
    run("XADD", "s", "6-0", "a", "1")
    engine.flush_pending()
    assert len(out2) == 1
    assert strip_exec(propagated) == [args("XADD", "s", "6-0", "a", "1"),
                                      args("XGROUP", "CREATECONSUMER", "s", "g", "n"),
                                      args("XGROUP", "SETID", "s", "g", "6-0", "ENTRIESREAD", "2")]


def test_blocked_readers_and_deleted_keys(engine, run):
    run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    group_reader, gout = blocked_client(engine)
    plain_reader, pout = blocked_client(engine)
    send(engine, group_reader, "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
    send(engine, plain_reader, "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    run("DEL", "s")
    engine.flush_pending()
    assert gout == [b"-UNBLOCKED the stream key no longer exists\r\n"]
    assert pout == [] and plain_reader.blocked is not None
    run("XADD", "s", "1-0", "a", "1")
    engine.flush_pending()
    assert pout == [b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"]


def test_block_in_multi_and_scripts(run, session):
    s = session()
    run("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    assert s("MULTI") == OK
    s("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    s("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">")
    assert s("EXEC") == b"*2\r\n*-1\r\n*-1\r\n"
    assert run("EVAL", "return redis.pcall('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$')", "0") \
        == b"-ERR XREAD command is not allowed with BLOCK option from scripts\r\n"
    assert run("EVAL", "return redis.pcall('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', 'x', "
               "'STREAMS', 's', '>')", "0") \
        == b"-ERR XREADGROUP command is not allowed with BLOCK option from scripts\r\n"
    assert run("EVAL", "return redis.pcall('XREAD', 'STREAMS', 's', '$')", "0") == b"$-1\r\n"
