"""MONITOR against redis-server: which commands are shown (not admin ones,
not rejected ones, EVAL before its script's calls, EXEC after its
commands), the database, the "lua" address, argument quoting and the
redaction of AUTH/HELLO secrets; times and client ports are masked."""
import re

import pytest

from .conftest import RawConn

_LINE = re.compile(rb"^\+(\d+)\.(\d{6}) \[(\d+) ([^\]]+)\] (.*)\r\n$", re.S)


class Monitors:
    def __init__(self, diff):
        self.diff = diff
        self.mons = [RawConn(p) for p in diff.ports]
        for m in self.mons:
            assert m.send("MONITOR") == b"+OK\r\n"
        self.conns = [RawConn(p) for p in diff.ports]

    def run(self, *cmd, same_reply=True):
        expected, got = (c.send(*cmd) for c in self.conns)
        if same_reply:
            assert got == expected, f"{cmd!r}: redis {expected!r}, redlet {got!r}"
        else:                       # (INFO, HELLO: server-specific fields)
            assert got[:1] == expected[:1], (cmd, expected, got)

    def lines(self):
        """Every line heard since the last call, masked, per server."""
        out = []
        for c, m in zip(self.conns, self.mons):
            c.send("ECHO", "zz-end")
            heard = []
            while True:
                raw = m.read_reply()
                match = _LINE.match(raw)
                assert match, raw
                _, _, db, addr, args = match.groups()
                if args == b'"ECHO" "zz-end"':
                    break
                heard.append((db, addr if addr in (b"lua",) else b"client", args))
            out.append(heard)
        return out

    def same(self):
        expected, got = self.lines()
        assert got == expected
        return got

    def close(self):
        for c in self.mons + self.conns:
            c.close()


@pytest.fixture
def mon(diff):
    m = Monitors(diff)
    yield m
    m.close()


def test_commands_shown_and_quoted(mon):
    mon.run("SET", "a", 'x"y z\n\r\t\x07\x08\\\x01\x7fé')
    mon.run("GET", "a")
    mon.run("PING")
    mon.run("INFO", "server", same_reply=False)
    mon.run("CONFIG", "GET", "maxmemory")         # admin: not shown
    mon.run("CLIENT", "LIST", "ID", "1")         # admin: not shown
    mon.run("NOSUCHCOMMAND", "x")                 # rejected: not shown
    mon.run("GET")                                # arity: not shown
    mon.run("INCR", "a")                          # runtime error: shown
    mon.run("SET", "", "")
    got = mon.same()
    assert [a for _, _, a in got][:3] == [
        b'"SET" "a" "x\\"y z\\n\\r\\t\\a\\b\\\\\\x01\\x7f\\xc3\\xa9"', b'"GET" "a"', b'"PING"']


def test_database_lua_and_transactions(mon):
    mon.run("SELECT", "3")
    mon.run("SET", "k", "v")
    mon.run("SELECT", "0")
    mon.run("EVAL", "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])",
            "1", "k", "v2")
    mon.run("EVAL", "return 1", "0")
    mon.run("MULTI")
    mon.run("SET", "q", "1")
    mon.run("INCR", "q")
    mon.run("EXEC")
    mon.run("FUNCTION", "LOAD", "REPLACE",
            "#!lua name=monlib\nredis.register_function('f', function(k) "
            "return redis.call('INCR', k[1]) end)")
    mon.run("FCALL", "f", "1", "q")
    mon.run("FUNCTION", "DELETE", "monlib")
    got = mon.same()
    assert (b"3", b"client", b'"SET" "k" "v"') in got
    assert (b"0", b"lua", b'"SET" "k" "v2"') in got


def test_secrets_redacted(mon):
    mon.run("AUTH", "nosuchpass")
    mon.run("AUTH", "someone", "secret")
    mon.run("HELLO", "2", "AUTH", "default", "wrong", same_reply=False)
    mon.run("HELLO", "2", "SETNAME", "x", same_reply=False)
    mon.run("HELLO", "2", same_reply=False)
    mon.same()


def test_monitor_twice_and_reset(diff):
    for port in diff.ports:
        c = RawConn(port)
        try:
            assert c.send("MONITOR") == b"+OK\r\n"
            c.send_raw(b"*1\r\n$7\r\nMONITOR\r\n*1\r\n$4\r\nPING\r\n")
            # the second MONITOR says nothing; PING's own line and reply follow
            first = c.read_reply()
            assert first.startswith(b"+") and (b'"PING"' in first or first == b"+PONG\r\n")
            second = c.read_reply()
            assert {first.endswith(b'"PING"\r\n'), second.endswith(b'"PING"\r\n')} == {True, False}
            assert c.send("RESET") == b"+RESET\r\n"
            assert c.send("PING") == b"+PONG\r\n"
        finally:
            c.close()


def test_monitor_in_multi(diff):
    diff.check("MULTI")
    diff.check("MONITOR")
    diff.check("EXEC")
