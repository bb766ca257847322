"""Fuzzing every command's argument handling in-process (issue 9).

Random argument lists, built from tokens that hit parsing edges (numbers at
the 64-bit limits, inf/nan, range syntax, option words, binary), go to every
command of the table against a keyspace holding one key of each type.  A
reply may be anything Redis could answer, but never redlet's "internal
error" (an exception escaping a handler), and no command may take more than
a second.  ``corpus_commands.txt`` is replayed on every run: every command a
run ever found failing goes there.  Deterministic (derandomized) and bounded,
so CI runs the same examples each time.
"""
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from redlet.app import build_engine
from redlet.commands import load_all
from redlet.commands.registry import COMMANDS
from redlet.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
# CI runs 1500 examples; REDLET_FUZZ_EXAMPLES=20000 for a long run (still derandomized)
EXAMPLES = int(os.environ.get("REDLET_FUZZ_EXAMPLES", "1500"))

# commands that stop, fork, block the caller's process or touch the host
_SKIP = {"shutdown", "debug", "monitor", "save", "bgsave", "bgrewriteaof", "sync", "psync",
         "replicaof", "slaveof", "failover", "module", "client|pause", "client|kill",
         "quit", "reset", "acl|load", "acl|save", "config|rewrite", "function|restore",
         "script|kill", "function|kill", "lolwut", "wait", "waitaof"}

TOKENS = [b"", b"0", b"1", b"-1", b"2", b"10", b"100", b"1.5", b"-0.5", b"1e400", b"inf",
          b"-inf", b"+inf", b"nan", b"(1", b"(a", b"[a", b"[z", b"-", b"+", b"*", b"$", b">",
          b"#", b"k", b"l", b"h", b"s", b"z", b"x", b"new", b"f", b"m", b"v", b"g", b"c",
          b"9223372036854775807", b"-9223372036854775808", b"9223372036854775808",
          b"18446744073709551616", b"4294967296", b"536870912", b"0-1", b"1-0", b"0-0",
          b"COUNT", b"LIMIT", b"WITHSCORES", b"EX", b"PX", b"EXAT", b"NX", b"XX", b"GT",
          b"LT", b"CH", b"INCR", b"BYSCORE", b"BYLEX", b"REV", b"MATCH", b"TYPE", b"BLOCK",
          b"STREAMS", b"GROUP", b"WEIGHTS", b"AGGREGATE", b"MAX", b"SUM", b"KEEPTTL", b"GET",
          b"LEFT", b"RIGHT", b"BEFORE", b"AFTER", b"RANK", b"MAXLEN", b"MINID", b"~", b"=",
          b"IDLE", b"JUSTID", b"FORCE", b"RETRYCOUNT", b"BIT", b"BYTE", b"i8", b"u63",
          b"OVERFLOW", b"FAIL", b"SAT", b"WRAP", b"DB", b"REPLACE", b"ABSTTL", b"STORE",
          b"ALPHA", b"DESC", b"BY", b"nosort", b"return 1", b"\x00\xff", b"\xc3\x28"]

ARGS = st.lists(st.sampled_from(TOKENS) | st.binary(max_size=12), max_size=7)


def _names():
    load_all()
    names = []
    for name, cmd in sorted(COMMANDS.items()):
        if cmd.subcommands:
            names += [(name, sub) for sub in sorted(cmd.subcommands)
                      if "%s|%s" % (name, sub) not in _SKIP]
            if cmd.fn is not None:
                names.append((name, None))
        elif name not in _SKIP:
            names.append((name, None))
    return names


def _engine():
    cfg = Config()
    cfg.values["save"] = []
    return build_engine(cfg)


_SETUP = [[b"SET", b"k", b"12"], [b"RPUSH", b"l", b"a", b"b", b"c"],
          [b"HSET", b"h", b"f", b"1", b"g", b"x"], [b"SADD", b"s", b"1", b"2", b"m"],
          [b"ZADD", b"z", b"1", b"m", b"2", b"a", b"2", b"b"],
          [b"XADD", b"x", b"1-1", b"f", b"v"], [b"XGROUP", b"CREATE", b"x", b"g", b"0"]]


class _Runner:
    def __init__(self):
        self.engine = _engine()

    def run(self, argv):
        engine = self.engine
        client = engine.new_client()
        try:
            engine.process_batch(client, [[b"FLUSHALL"]] + [list(c) for c in _SETUP])
            t = time.perf_counter()
            out = engine.process_batch(client, [argv])
            elapsed = time.perf_counter() - t
        finally:
            if client.multi is not None:
                engine.discard_transaction(client)
            engine.client_gone(client)
        assert b"internal error" not in out, (argv, out)
        assert elapsed < 1.0, (argv, elapsed)
        return out


@pytest.fixture(scope="module")
def runner():
    return _Runner()


def _corpus():
    with open(os.path.join(HERE, "corpus_commands.txt"), "rb") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(b"#"):
                yield [w.decode("unicode_escape").encode("latin-1") for w in line.split(b" ")]


@pytest.mark.parametrize("argv", list(_corpus()), ids=lambda a: b" ".join(a)[:40].decode(
    "latin-1"))
def test_corpus(runner, argv):
    out = runner.run(argv)
    assert out[:1] in (b"+", b"-", b":", b"$", b"*", b"%", b"~", b",", b"_", b"#")


NAMES = _names()


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(NAMES), args=ARGS)
def test_random_arguments(runner, name, args):
    cmd, sub = name
    argv = [cmd.upper().encode()] + ([sub.upper().encode()] if sub else []) + args
    runner.run(argv)


def test_every_command_is_fuzzed():
    # the table grows: the fuzzer covers what it holds, minus the skip list
    assert len(NAMES) > 200
