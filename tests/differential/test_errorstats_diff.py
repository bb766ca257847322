"""INFO errorstats, total_error_replies and commandstats' rejected_calls and
failed_calls against redis-server: the same errors (rejected before the call,
failed inside it, inside MULTI/EXEC and scripts) counted the same way."""
import re

import pytest

# each sequence runs after CONFIG RESETSTAT on both servers
SEQUENCES = {
    "unknown-and-arity": [
        ("NOSUCHCMD", "a"), ("GET",), ("SET", "k"), ("GET", "k", "extra"),
    ],
    "wrongtype-and-syntax": [
        ("LPUSH", "l", "x"), ("GET", "l"), ("INCR", "l"), ("SET", "k", "v", "BOGUS"),
        ("SET", "n", "abc"), ("INCR", "n"), ("INCRBYFLOAT", "n", "x"), ("EXPIRE", "n", "x"),
    ],
    "scripts": [
        ("EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"),
        ("EVAL", "return redis.call('incr', KEYS[1])", "1", "l"),
        ("LPUSH", "l", "x"),
        ("EVAL", "return redis.call('incr', KEYS[1])", "1", "l"),
        ("EVAL", "return redis.pcall('incr', KEYS[1])", "1", "l"),
        ("EVAL", "return redis.error_reply('MYERR custom')", "0"),
        ("EVAL", "syntax error here", "0"),
    ],
    "script-call-errors": [
        ("LPUSH", "l", "x"),
        ("EVAL", "local r = redis.call('incr', KEYS[1]) return r", "1", "l"),
        ("EVAL", "redis.call('incr', KEYS[1]) return 1", "1", "l"),
        ("EVAL", "local r = redis.pcall('incr', KEYS[1]) return r", "1", "l"),
        ("EVAL", "redis.pcall('incr', KEYS[1]) return 1", "1", "l"),
        ("EVAL", "local r = redis.call('nosuch') return r", "0"),
        ("EVAL", "local r = redis.call('get') return r", "0"),
        ("EVAL", "error('plain lua error')", "0"),
        ("EVAL", "error({err='OWN code'})", "0"),
        ("EVAL", "return {err='TABLE err'}", "0"),
        ("EVAL", "local r = redis.call() return r", "0"),
        ("FCALL", "nosuch", "0"),
        ("EVAL", "redis.pcall('nosuch') return 1", "0"),
        ("EVAL", "redis.pcall('get') return 1", "0"),
        ("EVAL", "redis.pcall('multi') return 1", "0"),
        ("EVAL_RO", "redis.pcall('set', KEYS[1], 'v') return 1", "1", "k"),
        ("EVAL", "local r = redis.pcall('incr', KEYS[1]) return cjson.encode(r)", "1", "l"),
        ("EVAL", "local r = redis.pcall('nosuch') return cjson.encode(r)", "0"),
        ("EVAL", "local r = redis.pcall() return cjson.encode(r)", "0"),
    ],
    "transactions": [
        ("LPUSH", "l", "x"), ("MULTI",), ("INCR", "l"), ("SET", "k", "1"), ("EXEC",),
        ("MULTI",), ("NOSUCHCMD",), ("EXEC",),
        ("MULTI",), ("GET",), ("EXEC",),
        ("EXEC",), ("DISCARD",), ("MULTI",), ("MULTI",), ("DISCARD",),
    ],
    "config-and-select": [
        ("SELECT", "99"), ("CONFIG", "SET", "nosuch", "1"), ("CONFIG", "GET"),
        ("OBJECT", "ENCODING", "missing"), ("RENAME", "missing", "b"),
    ],
}

_STAT_LINE = re.compile(rb"^(errorstat_\S+|total_error_replies):(\S+)\r$", re.M)
_CMD_LINE = re.compile(rb"^cmdstat_(\S+):calls=(\d+),usec=\d+,usec_per_call=[\d.]+,"
                       rb"rejected_calls=(\d+),failed_calls=(\d+)\r$", re.M)


def _counts(conn):
    stats = conn.send("INFO", "errorstats") + conn.send("INFO", "stats")
    errors = dict(_STAT_LINE.findall(stats))
    cmds = {name: (int(c), int(r), int(f))
            for name, c, r, f in _CMD_LINE.findall(conn.send("INFO", "commandstats"))}
    return errors, cmds


@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_error_counters_as_redis(diff, name):
    diff.both("CONFIG", "RESETSTAT")
    for cmd in SEQUENCES[name]:
        diff.check(*cmd)
    (r_err, r_cmd), (l_err, l_cmd) = [_counts(c) for c in diff.conns]
    assert l_err == r_err
    # INFO itself (counted once before the commandstats read) is the same
    assert l_cmd == r_cmd


def test_errorstats_reset_and_format(diff):
    diff.both("CONFIG", "RESETSTAT")
    diff.check("INFO", "errorstats")
    diff.check("GET")
    diff.check("INFO", "errorstats")
