"""MULTI/EXEC in-process: propagation of a transaction (MULTI ... EXEC to the
append-only file, the single write alone, nothing without a write), WATCH
invalidation by every cause (other clients' writes, lazy and active expiry,
FLUSHALL, SWAPDB, MOVE, RENAME), queue-time refusals, blocking commands."""
import pytest

import redlet.commands.keys as keys_mod
import redlet.commands.transactions as tx_mod
import redlet.engine.core as core_mod
import redlet.keyspace.db as db_mod
from redlet.app import build_engine
from redlet.config import Config
from redlet.errors import ReplyError
from redlet.protocol import encode_command


@pytest.fixture
def clock(monkeypatch):
    """Freeze the keyspace clock; ``clock.now`` may be moved by hand."""
    class Clock:
        now = 1_700_000_000_000

        def __call__(self):
            return self.now
    c = Clock()
    for mod in (db_mod, keys_mod, tx_mod, core_mod):
        monkeypatch.setattr(mod, "now_ms", c)
    return c


@pytest.fixture
def propagated(engine):
    """Everything the engine propagates, as (db, argv) pairs."""
    out = []
    engine.propagation_hooks.append(lambda db, argv: out.append((db, list(argv))))
    return out


def tx(s, *cmds):
    """MULTI, the commands, EXEC in one batch; the EXEC reply."""
    out = s.many(("MULTI",), *cmds, ("EXEC",))
    assert out.startswith(b"+OK\r\n" + b"+QUEUED\r\n" * len(cmds)), out
    return out[len(b"+OK\r\n" + b"+QUEUED\r\n" * len(cmds)):]


# -- propagation ----------------------------------------------------------------------
def test_exec_of_several_writes_propagates_multi_exec(run, propagated):
    assert tx(run, ("SET", "a", "1"), ("GET", "a"), ("INCR", "b")) == \
        b"*3\r\n+OK\r\n$1\r\n1\r\n:1\r\n"
    assert propagated == [(0, [b"MULTI"]), (0, [b"SET", b"a", b"1"]), (0, [b"INCR", b"b"]),
                          (0, [b"EXEC"])]


def test_exec_of_one_write_propagates_it_alone(run, propagated):
    tx(run, ("GET", "a"), ("SET", "a", "1"), ("GET", "a"))
    assert propagated == [(0, [b"SET", b"a", b"1"])]


def test_exec_without_writes_propagates_nothing(run, propagated):
    tx(run, ("GET", "a"), ("PING",), ("SETNX", "x", "1"))
    del propagated[:]
    tx(run, ("GET", "a"), ("DEL", "nokey"), ("SETNX", "x", "2"), ("EXISTS", "x"))
    assert propagated == []
    run.many(("MULTI",), ("SET", "k", "v"), ("DISCARD",))
    assert propagated == []


def test_rewritten_propagation_inside_exec(run, propagated, clock):
    tx(run, ("SET", "a", "1"), ("EXPIRE", "a", "100"), ("SELECT", "2"), ("SET", "b", "2"))
    assert propagated == [
        (0, [b"MULTI"]), (0, [b"SET", b"a", b"1"]),
        (0, [b"PEXPIREAT", b"a", b"%d" % (clock.now + 100_000)]),
        (2, [b"SET", b"b", b"2"]), (2, [b"EXEC"])]


def test_the_delete_of_an_expired_key_goes_before_the_transaction(run, propagated, clock):
    run("SET", "e", "1")
    run("PEXPIREAT", "e", str(clock.now + 10))
    del propagated[:]
    clock.now += 20
    tx(run, ("GET", "e"), ("SET", "g", "1"), ("SET", "h", "1"))
    assert propagated == [(0, [b"DEL", b"e"]), (0, [b"MULTI"]), (0, [b"SET", b"g", b"1"]),
                          (0, [b"SET", b"h", b"1"]), (0, [b"EXEC"])]


def test_aof_file_holds_the_transaction(tmp_path):
    cfg = Config()
    cfg.values.update({"dir": str(tmp_path), "appendonly": True, "save": [],
                       "appendfsync": "always"})
    engine = build_engine(cfg)
    c = engine.new_client()
    engine.process_batch(c, [[b"MULTI"], [b"SET", b"a", b"1"], [b"INCR", b"a"], [b"EXEC"]])
    engine.aof.flush()
    data = (tmp_path / "appendonlydir" / "appendonly.aof.1.incr.aof").read_bytes()
    assert data == b"".join(encode_command(c) for c in (
        [b"SELECT", b"0"], [b"MULTI"], [b"SET", b"a", b"1"], [b"INCR", b"a"], [b"EXEC"]))
    engine.aof.shutdown()
    # and it loads back
    engine2 = build_engine(cfg)
    assert engine2.process_batch(engine2.new_client(), [[b"GET", b"a"]]) == b"$1\r\n2\r\n"
    engine2.aof.shutdown()


def test_script_inside_exec_is_not_wrapped_twice(run, propagated):
    tx(run, ("EVAL", "redis.call('SET', KEYS[1], '1') redis.call('INCR', KEYS[1])", "1", "k"),
       ("SET", "x", "1"))
    assert [argv[0] for _, argv in propagated] == [b"MULTI", b"SET", b"INCR", b"SET", b"EXEC"]


def test_dirty_counts_each_write(engine, run):
    before = engine.dirty
    tx(run, ("SET", "a", "1"), ("GET", "a"), ("MSET", "b", "1", "c", "2"))
    assert engine.dirty - before == 1 + 2


# -- WATCH ----------------------------------------------------------------------------
def watch_then(session, engine, *change, key="w", prepare=None, other_db=None):
    """Client A watches ``key``, client B runs ``change``; A's EXEC reply."""
    a, b = session(), session()
    if prepare:
        b.many(*prepare)
    a("WATCH", key)
    if other_db is not None:
        b("SELECT", other_db)
    if change:
        b(*change)
    return tx(a, ("PING",))


NULL = b"*-1\r\n"
RAN = b"*1\r\n+PONG\r\n"


@pytest.mark.parametrize("change,expected", [
    (("SET", "w", "x"), NULL), (("DEL", "w"), NULL), (("DEL", "zz"), RAN),
    (("GET", "w"), RAN), (("FLUSHALL",), NULL), (("FLUSHDB",), NULL),
    (("SWAPDB", "0", "1"), NULL), (("MOVE", "w", "1"), NULL), (("RENAME", "w", "v"), NULL),
    (("RENAME", "o", "w"), NULL), (("EXPIRE", "w", "10"), NULL), (("PERSIST", "w"), RAN),
    (("COPY", "o", "w"), RAN), (("COPY", "o", "w", "REPLACE"), NULL), ((), RAN),
])
def test_watch_invalidation(session, engine, change, expected):
    prepare = [("SET", "w", "1"), ("SET", "o", "2")]
    assert watch_then(session, engine, *change, prepare=prepare) == expected


def test_flushall_on_a_missing_watched_key_is_no_change(session, engine):
    assert watch_then(session, engine, "FLUSHALL", key="missing",
                      prepare=[("SET", "w", "1")]) == RAN


def test_swapdb_brings_the_key_from_the_other_database(session, engine):
    a, b = session(), session()
    b.many(("SELECT", "1"), ("SET", "w", "in1"), ("SELECT", "0"))
    a("WATCH", "w")
    b("SWAPDB", "1", "0")
    assert tx(a, ("GET", "w")) == NULL


def test_writes_in_another_database_do_not_invalidate(session, engine):
    assert watch_then(session, engine, "SET", "w", "x", other_db="4") == RAN


def test_lazy_expiry_invalidates(session, engine, clock):
    a, b = session(), session()
    a("SET", "w", "1")
    a("PEXPIREAT", "w", str(clock.now + 10))
    a("WATCH", "w")
    clock.now += 11
    assert b("GET", "w") == b"$-1\r\n"
    assert tx(a, ("PING",)) == NULL


def test_key_expiring_unseen_before_exec_fails_it(session, engine, clock):
    a = session()
    a("SET", "w", "1")
    a("PEXPIREAT", "w", str(clock.now + 10))
    a("WATCH", "w")
    clock.now += 11
    assert b"w" in engine.dbs[0].data       # still stored: nobody looked it up
    assert tx(a, ("PING",)) == NULL


def test_active_expiry_invalidates(session, engine, clock):
    a = session()
    a("SET", "w", "1")
    a("PEXPIREAT", "w", str(clock.now + 10))
    a("WATCH", "w")
    clock.now += 11
    engine.active_expire_cycle()
    assert b"w" not in engine.dbs[0].data
    assert tx(a, ("PING",)) == NULL


def test_already_expired_key_deleted_later_is_no_change(session, engine, clock):
    a, b = session(), session()
    a("SET", "w", "1")
    a("PEXPIREAT", "w", str(clock.now + 10))
    clock.now += 11
    a("WATCH", "w")                 # expired (not yet deleted) when watched
    engine.active_expire_cycle()
    assert b"w" not in engine.dbs[0].data
    assert tx(a, ("PING",)) == RAN
    a("SET", "w", "1")
    a("PEXPIREAT", "w", str(clock.now + 10))
    clock.now += 11
    a("WATCH", "w")
    b("SET", "w", "new")            # a new value is a change
    assert tx(a, ("PING",)) == NULL


def test_own_write_invalidates_and_client_info_shows_d(session, engine):
    a = session()
    a("WATCH", "w")
    a("SET", "w", "mine")
    assert b" flags=d " in a("CLIENT", "INFO")
    assert tx(a, ("PING",)) == NULL
    assert b" flags=N " in a("CLIENT", "INFO")


def test_disconnect_forgets_watches(session, engine):
    a = session()
    a("WATCH", "w", "v")
    assert set(engine.dbs[0].watched) == {b"w", b"v"}
    engine.client_gone(a.client)
    assert engine.dbs[0].watched == {}


def test_script_writes_invalidate_watches(session, engine):
    a, b = session(), session()
    a("WATCH", "w")
    b("EVAL", "return redis.call('SET', KEYS[1], 'x')", "1", "w")
    assert tx(a, ("PING",)) == NULL


# -- queueing -------------------------------------------------------------------------
class _OutOfMemory:
    """An extension through the engine's documented ``check_memory`` hook,
    standing for the eviction policy saying the memory is over the limit."""

    def check_memory(self, client, cmd):
        return ReplyError("OOM command not allowed when used memory > 'maxmemory'.")


def test_out_of_memory_refuses_every_queued_command(engine, run):
    engine.extensions.append(_OutOfMemory())
    engine.config.values["maxmemory"] = 1
    engine.maxmemory = 1
    out = run.many(("MULTI",), ("GET", "a"), ("EXEC",))
    assert out == (b"+OK\r\n-OOM command not allowed when used memory > 'maxmemory'.\r\n"
                   b"-EXECABORT Transaction discarded because of previous errors.\r\n")
    # DISCARD and EXEC themselves are not refused
    assert run.many(("MULTI",), ("DISCARD",)) == b"+OK\r\n+OK\r\n"
    assert run.many(("MULTI",), ("EXEC",)) == b"+OK\r\n*0\r\n"


def test_blocking_stream_read_inside_exec_does_not_block(run):
    assert tx(run, ("XREAD", "BLOCK", "0", "STREAMS", "s", "$")) == b"*1\r\n*-1\r\n"


def test_blocked_reader_is_served_after_exec(session, engine):
    a, b = session(), session()
    assert b("XREAD", "BLOCK", "0", "STREAMS", "s", "$") == b""
    got = []
    b.client.send = got.append
    reply = tx(a, ("XADD", "s", "1-1", "f", "v"), ("XADD", "s", "1-2", "g", "w"))
    assert reply == b"*2\r\n$3\r\n1-1\r\n$3\r\n1-2\r\n"
    engine.flush_pending()
    assert b"".join(got).count(b"1-") == 2      # both entries: served after the EXEC


def test_multi_and_exec_are_refused_in_scripts(run):
    assert run("EVAL", "return redis.call('MULTI')", "0").startswith(b"-")
    assert run("EVAL", "return redis.call('EXEC')", "0").startswith(b"-")


@pytest.mark.parametrize("tail", [b"", b"*3\r\n$3\r\nSET\r\n$1\r\nc"])
def test_aof_with_a_transaction_cut_short_is_reverted(tmp_path, tail):
    cfg = Config()
    cfg.values.update({"dir": str(tmp_path), "appendonly": True, "save": [],
                       "appendfsync": "always"})
    path = tmp_path / "appendonlydir" / "appendonly.aof.1.incr.aof"
    build_engine(cfg).aof.shutdown()                # the layout
    good = b"".join(encode_command(c) for c in ([b"SELECT", b"0"], [b"SET", b"a", b"1"],
                                                [b"MULTI"], [b"SET", b"t", b"1"], [b"EXEC"]))
    path.write_bytes(good + b"".join(encode_command(c) for c in (
        [b"MULTI"], [b"SET", b"b", b"2"], [b"INCR", b"a"])) + tail)
    engine = build_engine(cfg)
    c = engine.new_client()
    assert engine.process_batch(c, [[b"MGET", b"a", b"t", b"b"]]) == \
        b"*3\r\n$1\r\n1\r\n$1\r\n1\r\n$-1\r\n"
    assert path.read_bytes() == good                # the open transaction is cut off
    engine.process_batch(c, [[b"SET", b"z", b"9"]])
    engine.aof.shutdown()
    engine2 = build_engine(cfg)                     # later writes load normally
    assert engine2.process_batch(engine2.new_client(), [[b"MGET", b"a", b"z"]]) == \
        b"*2\r\n$1\r\n1\r\n$1\r\n9\r\n"
    engine2.aof.shutdown()
