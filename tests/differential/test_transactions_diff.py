"""MULTI/EXEC/DISCARD/WATCH/UNWATCH against redis-server: raw reply bytes,
RESP2 and RESP3, with other connections modifying watched keys."""
import time

import pytest

from ._collections import dirty, parse
from .conftest import RawConn


class Other:
    """Another client: one connection to each server, replies compared."""

    def __init__(self, diff, resp3=False):
        self.conns = [RawConn(p) for p in diff.ports]
        if resp3:
            for c in self.conns:
                c.send("HELLO", "3")

    def check(self, *cmd):
        expected, got = (c.send(*cmd) for c in self.conns)
        assert got == expected, f"{cmd!r} (other): redis {expected!r}, redlet {got!r}"
        return got

    def read(self):
        expected, got = (c.read_reply() for c in self.conns)
        assert got == expected, f"pushed: redis {expected!r}, redlet {got!r}"
        return got

    def close(self):
        for c in self.conns:
            c.close()


@pytest.fixture
def other(diff):
    o = Other(diff)
    yield o
    o.close()


def both(diff, *cmd):
    diff.check(*cmd)
    return diff.check3(*cmd)


def transaction(diff, *cmds, resp3=False):
    """MULTI, the commands (each +QUEUED or refused), EXEC: all compared."""
    check = diff.check3 if resp3 else diff.check
    check("MULTI")
    for cmd in cmds:
        check(*cmd)
    return check("EXEC")


# -- the state machine of MULTI ------------------------------------------------------
def test_errors_outside_and_inside_multi(diff):
    for check in (diff.check, diff.check3):
        check("EXEC")
        check("DISCARD")
        check("EXEC", "extra")              # -EXECABORT ... because of: wrong number...
        check("DISCARD", "extra")
        check("MULTI", "extra")
        check("WATCH")
        check("UNWATCH", "extra")
        check("MULTI")
        check("MULTI")                      # nested: an error, the transaction goes on
        check("WATCH", "k")                 # inside MULTI: an error, goes on
        check("SET", "k", "1")
        check("EXEC")
        check("GET", "k")


def test_exec_replies_and_empty_transaction(diff):
    for resp3 in (False, True):
        transaction(diff, resp3=resp3)
        transaction(diff, ("SET", "a", "1"), ("INCR", "a"), ("GET", "a"), ("DEL", "a"),
                    ("GET", "a"), ("HSET", "h", "f", "v"), ("HGETALL", "h"),
                    ("SMEMBERS", "nos"), ("TTL", "a"), ("INCRBYFLOAT", "f", "1.5"),
                    ("PING",), ("ECHO", "x"), resp3=resp3)
        diff.check("DEL", "h", "f")


def test_runtime_errors_are_per_command_replies(diff):
    diff.check("SET", "s", "text")
    diff.check("SADD", "set", "m")
    for resp3 in (False, True):
        transaction(diff, ("INCR", "s"), ("SET", "n", "1"), ("HSET", "set", "f", "v"), ("INCR", "n"),
                    ("SET", "x", "1", "EX", "0"), ("GET", "n"), resp3=resp3)
        diff.check("DEL", "n")


def test_queue_time_rejections_abort_exec(diff):
    for check in (diff.check, diff.check3):
        for bad in (("NOSUCHCOMMAND", "a"), ("SET", "a"), ("GET",), ("CONFIG", "NOSUCH"),
                    ("SHUTDOWN",)):            # SHUTDOWN: not allowed in a transaction
            check("MULTI")
            check("SET", "a", "1")
            check(*bad)
            check("INCR", "c")
            check("EXEC")                       # -EXECABORT, nothing ran
            check("GET", "a")
            check("GET", "c")
            check("EXEC")                       # the transaction is gone


def test_discard_forgets_the_queue_and_watches(diff, other):
    diff.check("WATCH", "w")
    diff.check("MULTI")
    diff.check("SET", "a", "1")
    diff.check("DISCARD")
    diff.check("GET", "a")
    other.check("SET", "w", "changed")
    diff.check("MULTI")
    diff.check("SET", "a", "2")
    diff.check("EXEC")                          # runs: DISCARD unwatched w
    diff.check("GET", "a")


def test_nothing_queued_after_an_error_still_answers_queued(diff):
    diff.check("MULTI")
    diff.check("SET")
    for i in range(3):
        diff.check("SET", f"k{i}", "v")
    diff.check("EXEC")
    diff.check("EXISTS", "k0", "k1", "k2")


def test_select_and_swapdb_inside_exec(diff):
    transaction(diff, ("SET", "a", "0"), ("SELECT", "1"), ("SET", "a", "1"), ("GET", "a"),
                ("SELECT", "0"), ("GET", "a"))
    diff.check("GET", "a")
    transaction(diff, ("SELECT", "2"), ("SET", "b", "2"))
    diff.check("GET", "b")                      # the SELECT inside stays
    diff.check("SELECT", "0")
    for db in ("1", "2"):
        diff.check("SELECT", db)
        diff.check("FLUSHDB")
    diff.check("SELECT", "0")


def test_dirty_counter_of_a_transaction(diff):
    before = [dirty(c) for c in diff.conns]
    transaction(diff, ("SET", "a", "1"), ("GET", "a"), ("INCR", "a"), ("SETNX", "a", "x"),
                ("DEL", "nokey"))
    after = [dirty(c) for c in diff.conns]
    assert after[0] - before[0] == after[1] - before[1]


# -- WATCH ----------------------------------------------------------------------------
@pytest.mark.parametrize("change", [
    ("SET", "w", "new"), ("SET", "w", "old"), ("DEL", "w"), ("UNLINK", "w"),
    ("EXPIRE", "w", "100"), ("APPEND", "w", "x"), ("INCR", "counter"),
    ("RENAME", "w", "w2"), ("RENAME", "other", "w"), ("COPY", "other", "w", "REPLACE"),
    ("MOVE", "w", "2"), ("GETDEL", "w"), ("GETEX", "w", "EX", "100"), ("SETRANGE", "w", "0", "y"),
    ("FLUSHDB",), ("FLUSHALL",), ("SWAPDB", "0", "1"), ("MSET", "x", "1", "w", "2"),
    ("HSET", "wh", "f", "v"), ("SADD", "ws", "m"), ("EXPIRE", "w", "0"),
    ("SET", "w", "x", "XX"), ("SETEX", "w", "100", "v"),
    ("PEXPIREAT", "w", "1"), ("DECRBY", "counter", "5"), ("SETBIT", "w", "0", "1"),
    ("SMOVE", "src", "ws", "m"), ("SINTERSTORE", "ws", "src"), ("HINCRBY", "wh", "f", "1"),
    ("EVAL", "return redis.call('SET', KEYS[1], 'lua')", "1", "w"),
])
def test_watch_invalidated_by_every_kind_of_write(diff, other, change):
    diff.check("SET", "w", "old")
    diff.check("SET", "other", "o")
    diff.check("SET", "counter", "1")
    diff.check("SADD", "src", "m")
    diff.check("SELECT", "1")
    diff.check("SET", "w", "in db 1")
    diff.check("SELECT", "0")
    diff.check("WATCH", "w", "counter", "wh", "ws")
    other.check(*change)
    diff.check("MULTI")
    diff.check("GET", "w")
    assert diff.check("EXEC") == b"*-1\r\n"
    for db in ("1", "2"):
        diff.check("SELECT", db)
        diff.check("FLUSHDB")
    diff.check("SELECT", "0")


@pytest.mark.parametrize("change", [
    ("GET", "w"), ("EXISTS", "w"), ("DEL", "nokey"), ("SET", "elsewhere", "1"),
    ("EXPIRE", "nokey", "10"), ("PERSIST", "w"), ("SETNX", "w", "x"), ("HDEL", "wh", "zz"),
    ("SREM", "ws", "zz"), ("RENAME", "a1", "a2"), ("FLUSHDB",), ("RENAME", "w", "w"),
    ("SET", "w", "x", "NX"), ("GETEX", "w"), ("EXPIRE", "w", "100", "XX"),
    ("TOUCH", "w"), ("OBJECT", "ENCODING", "w"), ("COPY", "w", "w2"),
    ("GETEX", "w", "PERSIST"), ("MOVE", "w", "1"),    # no TTL to drop; w exists in db 1
])
def test_watch_survives_reads_and_no_op_writes(diff, other, change):
    diff.check("SET", "w", "old")
    diff.check("SET", "a1", "x")
    diff.check("SELECT", "1")
    diff.check("SET", "w", "1")
    diff.check("SELECT", "0")
    diff.check("WATCH", "w", "wh", "ws", "missing")
    if change == ("FLUSHDB",):                 # another database: not ours
        other.check("SELECT", "1")
    other.check(*change)
    diff.check("MULTI")
    diff.check("GET", "w")
    assert diff.check("EXEC").startswith(b"*1\r\n")
    other.check("SELECT", "1")
    other.check("FLUSHDB")
    other.check("SELECT", "0")


def test_own_writes_before_multi_invalidate(diff):
    for check in (diff.check, diff.check3):
        check("WATCH", "w")
        check("SET", "w", "mine")
        check("MULTI")
        check("GET", "w")
        check("EXEC")                           # RESP3: _ (null)


def test_watch_a_missing_key_then_it_is_created(diff, other):
    diff.check("WATCH", "new")
    other.check("SET", "new", "1")
    assert transaction(diff, ("GET", "new")) == b"*-1\r\n"


def test_unwatch_and_exec_clear_watches(diff, other):
    diff.check("SET", "w", "1")
    diff.check("WATCH", "w")
    diff.check("UNWATCH")
    other.check("SET", "w", "2")
    transaction(diff, ("GET", "w"))
    diff.check("WATCH", "w")
    transaction(diff, ("GET", "w"))
    other.check("SET", "w", "3")                # after EXEC: nothing watched any more
    transaction(diff, ("GET", "w"))
    diff.check("WATCH", "w")
    other.check("SET", "w", "4")
    diff.check("WATCH", "w")                    # already dirty: the transaction fails
    transaction(diff, ("GET", "w"))


def test_watch_in_other_database_only(diff, other):
    diff.check("SELECT", "3")
    diff.check("WATCH", "w")
    other.check("SET", "w", "db0")              # db 0: not the watched key
    transaction(diff, ("GET", "w"))
    diff.check("WATCH", "w")
    other.check("SELECT", "3")
    other.check("SET", "w", "db3")
    transaction(diff, ("GET", "w"))
    other.check("FLUSHDB")
    other.check("SELECT", "0")
    diff.check("SELECT", "0")


def test_swapdb_invalidates_keys_of_either_database(diff, other):
    diff.check("SELECT", "1")
    diff.check("SET", "only1", "x")
    diff.check("SELECT", "0")
    diff.check("WATCH", "only1")                # missing in 0, present in 1
    other.check("SWAPDB", "0", "1")
    transaction(diff, ("GET", "only1"))
    other.check("FLUSHALL")


def test_watched_key_expiring_before_exec(diff):
    for check in (diff.check, diff.check3):
        check("SET", "e", "v", "PX", "60")
        check("WATCH", "e")
        time.sleep(0.12)                        # expired, nobody looked it up
        check("MULTI")
        check("PING")
        check("EXEC")                           # fails: the key expired since WATCH


def test_watched_key_expired_by_active_expiry(diff):
    diff.check("SET", "e", "v", "PX", "30")
    diff.check("WATCH", "e")
    deadline = time.time() + 5
    while time.time() < deadline:               # until both servers' cycles deleted it
        counts = [parse(c.send("DBSIZE")) for c in diff.conns]
        if counts == [0, 0]:
            break
        time.sleep(0.05)
    assert counts == [0, 0]
    transaction(diff, ("PING",))


def test_watch_of_an_already_expired_key(diff, other):
    diff.check("SET", "e", "v", "PX", "1")
    time.sleep(0.02)
    diff.check("WATCH", "e")                    # already expired: its deletion is no change
    other.check("GET", "e")
    transaction(diff, ("PING",))
    diff.check("SET", "e", "v", "PX", "1")
    time.sleep(0.02)
    diff.check("WATCH", "e")
    other.check("SET", "e", "again")            # but a new value is
    transaction(diff, ("GET", "e"))


def test_lazy_expiry_by_another_client_invalidates(diff, other):
    diff.check("SET", "e", "v", "PX", "50")
    diff.check("WATCH", "e")
    time.sleep(0.1)
    other.check("GET", "e")
    transaction(diff, ("PING",))


# -- blocking commands and other clients -------------------------------------------
def test_blocking_commands_inside_multi_do_not_block(diff):
    for check in (diff.check, diff.check3):
        transaction(diff, ("XREAD", "BLOCK", "0", "STREAMS", "s", "$"),
                    ("XREAD", "BLOCK", "100", "STREAMS", "s", "0-0"))
        check("XADD", "s", "1-1", "f", "v")
        check("MULTI")
        check("XREAD", "BLOCK", "0", "STREAMS", "s", "0-0")
        check("EXEC")
        check("DEL", "s")


def test_blocked_client_served_after_exec(diff, other):
    for c in other.conns:
        c.send_raw(b"*6\r\n$5\r\nXREAD\r\n$5\r\nBLOCK\r\n$1\r\n0\r\n$7\r\nSTREAMS\r\n"
                   b"$1\r\ns\r\n$1\r\n$\r\n")
    time.sleep(0.1)
    transaction(diff, ("XADD", "s", "1-1", "a", "1"), ("XADD", "s", "1-2", "b", "2"),
                ("XLEN", "s"))
    other.read()                                # the blocked XREAD: both entries (after EXEC)


def test_client_info_inside_a_transaction(diff):
    def fields(raw):
        line = parse(raw).decode()
        return {k: v for k, v in (f.split("=", 1) for f in line.split())
                if k in ("flags", "multi", "cmd")}
    diff.check("MULTI")
    diff.check("SET", "a", "1")
    diff.check("CLIENT", "INFO")
    diff.check("CLIENT", "INFO")
    replies = [parse(c.send("EXEC")) for c in diff.conns]
    expected, got = ([fields(b"$%d\r\n%s\r\n" % (len(r), r)) for r in rs[1:]]
                     for rs in replies)
    assert got == expected == [{"flags": "x", "multi": "3", "cmd": "exec"}] * 2
    expected, got = (fields(c.send("CLIENT", "INFO")) for c in diff.conns)
    assert got == expected
    diff.check("WATCH", "a")
    o = Other(diff)
    o.check("SET", "a", "2")
    o.close()
    expected, got = (fields(c.send("CLIENT", "INFO")) for c in diff.conns)
    assert got == expected == {"flags": "d", "multi": "-1", "cmd": "client|info"}
    diff.check("UNWATCH")


def test_reset_and_quit_leave_the_transaction(diff):
    conns = [RawConn(p) for p in diff.ports]
    try:
        for c in conns:
            c.send("MULTI")
            c.send("SET", "q", "1")
        expected, got = (c.send("RESET") for c in conns)
        assert got == expected == b"+RESET\r\n"
        expected, got = (c.send("EXEC") for c in conns)
        assert got == expected
        for c in conns:
            c.send("MULTI")
            c.send("SET", "q", "2")
        expected, got = (c.send("QUIT") for c in conns)
        assert got == expected
    finally:
        for c in conns:
            c.close()
    diff.check("EXISTS", "q")


def test_commands_of_every_group_queue_and_run(diff):
    transaction(diff, ("SADD", "s", "b", "a"), ("SCARD", "s"), ("HSET", "h", "f", "1"),
                ("HINCRBY", "h", "f", "2"), ("XADD", "x", "5-1", "f", "v"), ("XLEN", "x"),
                ("EVAL", "return redis.call('INCR', KEYS[1])", "1", "cnt"),
                ("EXPIRE", "s", "100"), ("TTL", "s"), ("TYPE", "h"), ("DBSIZE",))
