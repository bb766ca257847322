"""Stream commands against redis-server: raw reply bytes over RESP2 and RESP3.

Entries get explicit ids so that replies are deterministic; ``*`` ids are
compared by shape.  Times (XINFO's seen-time and idle, pending delivery
times, XPENDING's idle) are masked before the bytes are compared: the two
servers do not run on the same millisecond.  Each scenario runs once over
RESP2 and once over RESP3 (on a flushed server each time).
"""
import re
import shlex
import time

import pytest

from ._collections import parse, same_dirty
from .conftest import RawConn


def script(text):
    return [shlex.split(line) for line in text.strip().splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


_TIME_MASKS = (
    (re.compile(rb"(\$9\r\nseen-time\r\n):\d+\r\n"), rb"\1:T\r\n"),
    (re.compile(rb"(\$4\r\nidle\r\n):\d+\r\n"), rb"\1:T\r\n"),
    (re.compile(rb":1\d{12}\r\n"), rb":T\r\n"),          # a delivery time (ms since 1970)
)


def mask_times(raw):
    for pattern, repl in _TIME_MASKS:
        raw = pattern.sub(repl, raw)
    return raw


def mask_pending_idle(raw):
    """XPENDING's extended form: [id, consumer, idle, count] with idle masked."""
    value = parse(raw)
    if isinstance(value, list):
        value = [[e[0], e[1], "idle", e[3]] for e in value]
    return value


class Scenario:
    """Commands sent to both servers over one protocol, replies compared."""

    def __init__(self, diff, resp3):
        self.diff = diff
        self.resp3 = resp3
        self.conns = [RawConn(p) for p in diff.ports]
        if resp3:
            for c in self.conns:
                c.send("HELLO", "3")

    def replies(self, *cmd):
        return [c.send(*cmd) for c in self.conns]

    def check(self, *cmd, mask=None):
        expected, got = self.replies(*cmd)
        if mask is not None:
            expected, got = mask(expected), mask(got)
        assert got == expected, "{!r}{}: redis {!r}, redlet {!r}".format(
            cmd, " (RESP3)" if self.resp3 else "", expected, got)
        return got

    def run(self, text, mask=None):
        for cmd in script(text):
            self.check(*cmd, mask=mask)

    def close(self):
        for c in self.conns:
            c.close()


@pytest.fixture(params=[False, True], ids=["resp2", "resp3"])
def sc(diff, request):
    s = Scenario(diff, request.param)
    yield s
    s.close()


# -- XADD -----------------------------------------------------------------------------------
def test_xadd_ids_and_errors(sc):
    sc.run("""
        XADD s 1-1 a 1
        XADD s 1-1 a 1
        XADD s 1-0 a 1
        XADD s 0-0 a 1
        XADD s2 0-0 a 1
        XADD s2 0 a 1
        XADD s2 0-* a 1
        XADD s2 0-* a 1
        XADD s 0-1 a 1
        XADD s 1-* b 2
        XADD s 5-* b 2
        XADD s 5-* b 2 c 3
        XADD s 4-* b 2
        XADD s abc a 1
        XADD s 1-x a 1
        XADD s -1 a 1
        XADD s 1- a 1
        XADD s -5 a 1
        XADD s *-1 a 1
        XADD s 5-** a 1
        XADD s 18446744073709551616 a 1
        XADD s 6-18446744073709551616 a 1
        XADD s +7 a 1
        XADD s 008-01 a 1
        XADD s 10 a
        XADD s 10 a 1 b
        XADD s 10
        XADD s
        XADD s NOMKSTREAM 10 a 1
        XADD nos NOMKSTREAM 10 a 1
        EXISTS nos
        XADD s 18446744073709551615-18446744073709551614 a 1
        XADD s 18446744073709551615-* a 1
        XADD s 18446744073709551615-* a 1
        XADD s * a 1
        XADD s 18446744073709551615-18446744073709551615 a 1
        XLEN s
        XRANGE s - +
        XADD big 1-0 f %s
        XRANGE big - +
    """ % ("x" * 5000))
    sc.check("XADD", "bin", "1-0", "\x00\r\n", "\xff", "", "")
    sc.check("XRANGE", "bin", "-", "+")


def test_xadd_star_ids_by_shape(sc):
    """``*`` ids come from the clock: their form and order, not their values."""
    for conn in sc.conns:
        conn.send("XADD", "s", "1-0", "a", "1")
        ids = [conn.send("XADD", "s", "*", "n", str(k)) for k in range(5)]
        assert all(re.fullmatch(rb"\$\d+\r\n1\d{12}-\d+\r\n", i) for i in ids), ids
        parsed = [tuple(map(int, parse(i).split(b"-"))) for i in ids]
        assert parsed == sorted(parsed) and len(set(parsed)) == 5
        now = time.time() * 1000
        assert abs(parsed[-1][0] - now) < 60_000
        assert parse(conn.send("XLEN", "s")) == 6
        # a stream whose last id is in the future: * gives last + 1
        conn.send("XADD", "f", "99999999999999-5", "a", "1")
        assert parse(conn.send("XADD", "f", "*", "a", "1")) == b"99999999999999-6"
        assert parse(conn.send("XADD", "f", "MAXLEN", "1", "*", "a", "1")) \
            == b"99999999999999-7"
    sc.check("XLEN", "f")
    sc.check("XRANGE", "f", "-", "+")


def test_xadd_trimming(sc):
    sc.run("""
        XADD s MAXLEN 2 1-1 x y
        XADD s MAXLEN 2 2-1 x y
        XADD s MAXLEN 2 3-1 x y
        XLEN s
        XRANGE s - +
        XADD s MAXLEN = 1 21-1 x y
        XRANGE s - +
        XADD s MAXLEN ~ 1 22-1 x y
        XADD s maxlen ~ 1 nomkstream 23-1 x y
        XLEN s
        XADD s MAXLEN 0 24-1 x y
        XLEN s
        EXISTS s
        XADD s MAXLEN -1 25-1 x y
        XADD s MAXLEN x 25-1 x y
        XADD s MAXLEN 1.5 25-1 x y
        XADD s MINID 22 26-1 x y
        XADD s MINID 27 27-1 x y
        XRANGE s - +
        XADD s MINID = 28 28-1 x y
        XADD s MINID ~ 29 29-1 x y
        XADD s MINID - 30-1 x y
        XADD s MINID + 30-1 x y
        XADD s MINID (5 30-1 x y
        XADD s MAXLEN 1 MINID 1 30-1 x y
        XADD s MINID 1 MAXLEN 1 30-1 x y
        XADD s LIMIT 10 30-1 x y
        XADD s MAXLEN 1 LIMIT 10 30-1 x y
        XADD s MAXLEN = 1 LIMIT 10 30-1 x y
        XADD s MAXLEN ~ 1 LIMIT 10 30-1 x y
        XADD s MAXLEN ~ 1 LIMIT 0 31-1 x y
        XADD s MAXLEN ~ 1 LIMIT -1 32-1 x y
        XADD s MAXLEN ~ 1 LIMIT x 32-1 x y
        XADD s LIMIT 10 MAXLEN ~ 1 32-1 x y
        XADD s MINID bad 32-1 x y
        XADD s MINID ~ bad 32-1 x y
        XADD s maxlen
        XADD s maxlen 1
        XADD s maxlen ~
        XADD s maxlen ~ 1
        XADD s foo 1 x
        XADD s MAXLEN 1 MAXLEN 2 33-1 x y
        XRANGE s - +
        XADD nokey NOMKSTREAM MAXLEN x 1 a b
        XADD nokey NOMKSTREAM 0-0 a b
    """)


def _fill(sc, key, n, start=1, field="f", value="v{}"):
    for conn in sc.conns:
        for i in range(start, start + n):
            conn.send("XADD", key, f"{i}-1", field, value.format(i))


def test_approximate_trimming_by_node(sc):
    """~ trims whole listpacks only: where Redis starts a new node decides."""
    _fill(sc, "big", 350)
    sc.run("""
        XLEN big
        XINFO STREAM big
        XTRIM big MAXLEN ~ 250
        XLEN big
        XTRIM big MAXLEN ~ 150 LIMIT 50
        XLEN big
        XTRIM big MAXLEN ~ 150 LIMIT 100
        XLEN big
        XTRIM big MINID ~ 260
        XLEN big
        XTRIM big MINID 260
        XTRIM big MINID 260
        XLEN big
        XINFO STREAM big
        XADD big MAXLEN ~ 10 351-1 f v
        XLEN big
        XADD big MAXLEN ~ 10 LIMIT 1000 352-1 f v
        XLEN big
        XINFO STREAM big
    """)


def test_node_limits_from_config(sc):
    for conn in sc.conns:
        conn.send("CONFIG", "SET", "stream-node-max-entries", "5")
        for i in range(1, 40):
            conn.send("XADD", "small", f"{i}-0", "a", str(i))
        conn.send("CONFIG", "SET", "stream-node-max-entries", "100")
        conn.send("CONFIG", "SET", "stream-node-max-bytes", "100")
        for i in range(1, 40):
            conn.send("XADD", "bytes", f"{i}-0", "abc", str(i * 1000))
        conn.send("CONFIG", "SET", "stream-node-max-bytes", "4096")
        for i in range(1, 120):
            conn.send("XADD", "mix", f"{i}-0", f"f{i % 3}", "x" * (i * 7))
    try:
        sc.run("""
            XINFO STREAM small
            XTRIM small MAXLEN ~ 12
            XLEN small
            XADD small MINID ~ 25 LIMIT 5 100-0 a 1
            XLEN small
            XINFO STREAM small
            XINFO STREAM bytes
            XTRIM bytes MAXLEN ~ 12
            XINFO STREAM bytes
            XINFO STREAM mix
            XTRIM mix MAXLEN ~ 20
            XINFO STREAM mix
            XDEL mix 119-0 118-0
            XINFO STREAM mix
        """)
    finally:
        for conn in sc.conns:
            conn.send("CONFIG", "SET", "stream-node-max-entries", "100")
            conn.send("CONFIG", "SET", "stream-node-max-bytes", "4096")


# -- XRANGE, XREVRANGE, XDEL, XTRIM, XLEN ------------------------------------------------------
def test_xrange_xrevrange(sc):
    sc.run("""
        XADD s 21-1 a 1
        XADD s 22-1 b 2
        XADD s 22-2 c 3
        XADD s 24-1 d 4
        XADD s 25-1 e 5
        XRANGE s - +
        XRANGE s (21-1 +
        XRANGE s - (25-1
        XRANGE s (- +
        XRANGE s - (+
        XRANGE s (0-0 +
        XRANGE s - (0-0
        XRANGE s (18446744073709551615-18446744073709551615 +
        XRANGE s - (18446744073709551615-18446744073709551615
        XRANGE s ( +
        XRANGE s 22 24
        XRANGE s 22 22
        XRANGE s 22-2 22-2
        XRANGE s (22 +
        XRANGE s 22 24 COUNT 1
        XRANGE s - + COUNT 0
        XRANGE s - + COUNT -1
        XRANGE s - + COUNT 2 COUNT 3
        XRANGE s - + count 2
        XRANGE s - + COUNT x
        XRANGE s - + COUNT
        XRANGE s - + FOO 1
        XRANGE nokey - +
        XRANGE nokey - + COUNT 0
        XRANGE nokey x +
        XRANGE s x +
        XRANGE s - x
        XRANGE s 5 1
        XRANGE s 1-5-6 +
        XRANGE s
        XREVRANGE s + -
        XREVRANGE s + - COUNT 2
        XREVRANGE s (25 -
        XREVRANGE s + (22-1
        XREVRANGE s - +
        XREVRANGE s 24 22
        XREVRANGE s + - COUNT 0
        XREVRANGE s (- +
        XREVRANGE nokey + -
        XREVRANGE s + - COUNT
    """)


def test_xdel_xlen_xtrim_empty_stream_stays(sc):
    sc.run("""
        XADD s 1-1 a 1
        XADD s 2-1 a 1
        XADD s 3-1 a 1
        XADD s 4-1 a 1
        XDEL s 1-1 1-1 999-1
        XDEL s bad
        XDEL s 2-1 bad
        XLEN s
        XDEL nokey 1-1
        XDEL nokey bad
        XDEL s
        XDEL s -
        XDEL s 2
        XLEN s
        XLEN nokey
        XLEN s x
        XTRIM s MAXLEN 1
        XTRIM s MAXLEN 5
        XTRIM s MINID 10
        XLEN s
        EXISTS s
        TYPE s
        XRANGE s - +
        XINFO STREAM s
        XADD s 4-1 a 1
        XADD s 5-1 a 1
        XTRIM s MAXLEN 0
        XTRIM nokey MAXLEN 1
        XTRIM nokey FOO
        XTRIM s
        XTRIM s FOO
        XTRIM s MAXLEN
        XTRIM s MAXLEN -1
        XTRIM s MAXLEN x
        XTRIM s MINID 1 LIMIT 10
        XTRIM s MINID ~ 1 LIMIT 10
        XTRIM s MINID ~ 1 LIMIT -1
        XTRIM s MAXLEN 1 extra
        XTRIM s MAXLEN 1 MINID 1
        XTRIM s 5-1
        XTRIM s NOMKSTREAM MAXLEN 1
        XINFO STREAM s
    """)


# -- XREAD (non-blocking) ----------------------------------------------------------------------
def test_xread(sc):
    sc.run("""
        XADD s 1-0 a 1
        XADD s 2-0 b 2
        XADD t 1-5 c 3
        XREAD STREAMS s 0
        XREAD STREAMS s 1
        XREAD STREAMS s 1-0
        XREAD STREAMS s 2-0
        XREAD STREAMS s $
        XREAD COUNT 1 STREAMS s 0
        XREAD COUNT 1 STREAMS s t 0 0
        XREAD STREAMS s t nokey 0 0 0
        XREAD STREAMS nokey s 0 1
        XREAD STREAMS s t $ $
        XREAD COUNT 0 STREAMS s 0
        XREAD COUNT -3 STREAMS s 0
        XREAD count 1 count 2 STREAMS s 0
        XREAD STREAMS s -
        XREAD STREAMS s +
        XREAD STREAMS s (0
        XREAD STREAMS s
        XREAD STREAMS s t 0
        XREAD STREAMS
        XREAD COUNT 1 STREAMS s 0 0 0
        XREAD STREAMS s >
        XREAD STREAMS s bad
        XREAD STREAMS s t 0 bad
        XREAD COUNT x STREAMS s 0
        XREAD BLOCK x STREAMS s 0
        XREAD BLOCK -1 STREAMS s 0
        XREAD BLOCK 1.5 STREAMS s 0
        XREAD BLOCK 0 STREAMS s 0
        XREAD GROUP g c STREAMS s 0
        XREAD NOACK STREAMS s 0
        XREAD FOO STREAMS s 0
        XREAD COUNT
        XREAD COUNT 1
        XREAD streams s 0
    """)


# -- consumer groups -------------------------------------------------------------------------
def test_xgroup_create_setid_destroy(sc):
    sc.run("""
        XGROUP CREATE s g 0
        XGROUP CREATE s g 0 MKSTREAM
        XGROUP CREATE s g $ MKSTREAM
        XGROUP CREATE s g $ MKSTREAM
        XGROUP CREATE s g2 0 ENTRIESREAD 5
        XGROUP CREATE s g3 0 ENTRIESREAD -1
        XGROUP CREATE s g4 0 ENTRIESREAD -2
        XGROUP CREATE s g4 0 ENTRIESREAD x
        XGROUP CREATE s g4 0 ENTRIESREAD
        XGROUP CREATE s g4 0 FOO
        XGROUP CREATE s g4 bad
        XGROUP CREATE s g4 -
        XGROUP CREATE s g4 +
        XGROUP CREATE s g4 (1
        XGROUP CREATE s g4 0 MKSTREAM MKSTREAM ENTRIESREAD 1
        XGROUP CREATE s g4 1 ENTRIESREAD 1 ENTRIESREAD 2
        XGROUP CREATE s g4 1 ENTRIESREAD 1 MKSTREAM FOO
        XGROUP CREATE nokey g4 0 ENTRIESREAD x
        XGROUP CREATE nokey g4 bad
        XGROUP CREATE nokey g4 bad MKSTREAM
        XGROUP CREATE s g4 0 MKSTREAM ENTRIESREAD 3
        XGROUP CREATE s g5 5-5
        XGROUP CREATE s
        XGROUP CREATE s g
        XINFO GROUPS s
        XADD s 1-0 a 1
        XADD s 2-0 b 2
        XINFO GROUPS s
        XGROUP SETID s g 0
        XGROUP SETID s g -
        XGROUP SETID s g +
        XINFO GROUPS s
        XGROUP SETID s g $
        XINFO GROUPS s
        XGROUP SETID s g 1-0 ENTRIESREAD 1
        XINFO GROUPS s
        XGROUP SETID s g 2-0 ENTRIESREAD -1
        XGROUP SETID s g 2-0 ENTRIESREAD -2
        XGROUP SETID s g 2-0 ENTRIESREAD x
        XGROUP SETID s g 2-0 ENTRIESREAD 99999999999999999999
        XGROUP SETID s g 2-0 ENTRIESREAD
        XGROUP SETID s g 2-0 FOO 1
        XGROUP SETID s g 1-0 ENTRIESREAD 1 extra
        XGROUP SETID s g 1-0 ENTRIESREAD 1 extra 2
        XGROUP SETID s nog 2-0
        XGROUP SETID nokey g 2-0
        XGROUP SETID s g bad
        XGROUP SETID s g
        XINFO GROUPS s
        XGROUP DESTROY s g5
        XGROUP DESTROY s g5
        XGROUP DESTROY nokey g5
        XGROUP DESTROY s
        XGROUP DESTROY s g5 x
        XGROUP HELP
        XGROUP help x
        XGROUP FOO
        XGROUP
        XINFO GROUPS s
        XGROUP CREATE empty g $ MKSTREAM
        XINFO STREAM empty
        XLEN empty
        TYPE empty
    """)


def test_xreadgroup_ack_pending(sc):
    sc.run("""
        XGROUP CREATE s g 0 MKSTREAM
        XADD s 1-0 a 1
        XADD s 2-0 b 2
        XADD s 3-0 c 3
        XADD s 4-0 d 4
        XREADGROUP GROUP g alice STREAMS s >
        XREADGROUP GROUP g alice STREAMS s >
        XREADGROUP GROUP g bob COUNT 1 STREAMS s >
        XINFO CONSUMERS s g
        XREADGROUP GROUP g alice STREAMS s 0
        XREADGROUP GROUP g alice COUNT 2 STREAMS s 0
        XREADGROUP GROUP g alice STREAMS s 2-0
        XREADGROUP GROUP g alice STREAMS s 18446744073709551615-18446744073709551615
        XREADGROUP GROUP g alice STREAMS s $
        XREADGROUP GROUP g alice STREAMS s
        XREADGROUP GROUP g alice STREAMS s > 0
        XREADGROUP GROUP g alice STREAMS s 0 0 0
        XREADGROUP GROUP nog alice STREAMS s >
        XREADGROUP GROUP g alice STREAMS nokey >
        XREADGROUP GROUP g alice STREAMS s bad
        XREADGROUP GROUP g alice STREAMS s -
        XREADGROUP GROUP g alice COUNT x STREAMS s >
        XREADGROUP GROUP g alice BLOCK x STREAMS s >
        XREADGROUP GROUP g alice BLOCK -1 STREAMS s >
        XREADGROUP GROUP g STREAMS s >
        XREADGROUP alice STREAMS s >
        XREADGROUP COUNT 1 STREAMS s >
        XREADGROUP GROUP g alice FOO STREAMS s >
        XREADGROUP GROUP g alice
        XREADGROUP GROUP g alice STREAMS
        XREADGROUP GROUP g newbie STREAMS s >
        XINFO GROUPS s
        XINFO CONSUMERS s g
        XPENDING s g
        XPENDING s nog
        XPENDING nokey g
        XPENDING s g - +
        XPENDING s g -
        XPENDING s g - + x
        XPENDING s g x + 10
        XPENDING s g IDLE x - + 10
        XPENDING s g IDLE 0 - +
        XPENDING s g IDLE 10 - + 10 alice extra
        XPENDING s nog - + 10
        XPENDING nokey g - + 10
        XPENDING nokey g - + x
        XPENDING nokey g x + 10
        XPENDING s g ( + 10
        XPENDING s g - + 0
        XPENDING s g - + -1
        XPENDING s g - + 10 nobody
        XPENDING s g IDLE 100000000 - + 10
        XPENDING s g (4-0 + 10
        XPENDING s g 5 1 10
        XACK s g 1-0 9-0
        XACK s g 1-0
        XACK s g bad
        XACK s g 2-0 bad
        XACK s nog 2-0
        XACK nokey g 2-0
        XACK nokey g bad
        XACK s g
        XPENDING s g
        XADD s 5-0 e 5
        XREADGROUP GROUP g carol NOACK STREAMS s >
        XREADGROUP GROUP g carol NOACK NOACK STREAMS s 0
        XPENDING s g
        XINFO GROUPS s
        XINFO CONSUMERS s g
    """, mask=mask_times)
    for cmd in (("XPENDING", "s", "g", "-", "+", "10"),
                ("XPENDING", "s", "g", "-", "+", "10", "alice"),
                ("XPENDING", "s", "g", "-", "+", "10", "bob"),
                ("XPENDING", "s", "g", "-", "+", "1"),
                ("XPENDING", "s", "g", "-", "+", "10", "alice", "extra"),
                ("XPENDING", "s", "g", "(2-0", "(4-0", "10"),
                ("XPENDING", "s", "g", "IDLE", "0", "-", "+", "10"),
                ("XPENDING", "s", "g", "IDLE", "0", "-", "+", "10", "alice"),
                ("XPENDING", "s", "g", "IDLE", "-5", "-", "+", "10")):
        sc.check(*cmd, mask=mask_pending_idle)


def test_xreadgroup_counters_and_deleted_entries(sc):
    sc.run("""
        XADD s 1-0 a 1
        XADD s 2-0 b 2
        XADD s 3-0 c 3
        XADD s 4-0 d 4
        XADD s 5-0 e 5
        XGROUP CREATE s g 0
        XGROUP CREATE s late $
        XGROUP CREATE s mid 2-0
        XGROUP CREATE s known 2-0 ENTRIESREAD 2
        XINFO GROUPS s
        XREADGROUP GROUP g c COUNT 2 STREAMS s >
        XINFO GROUPS s
        XDEL s 3-0
        XINFO GROUPS s
        XREADGROUP GROUP g c STREAMS s >
        XREADGROUP GROUP mid c STREAMS s >
        XREADGROUP GROUP known c COUNT 1 STREAMS s >
        XINFO GROUPS s
        XDEL s 4-0
        XREADGROUP GROUP g c STREAMS s 0
        XREADGROUP GROUP g c COUNT 1 STREAMS s 0-0
        XREADGROUP GROUP g c STREAMS s 3
        XINFO GROUPS s
        XADD s 6-0 f 6
        XINFO GROUPS s
        XTRIM s MAXLEN 1
        XINFO GROUPS s
        XINFO STREAM s
        XADD s2 1-0 x 1
        XGROUP CREATE s2 g 0
        XREADGROUP GROUP g multi STREAMS s s2 > >
        XREADGROUP GROUP g multi COUNT 1 STREAMS s s2 0 0
        XREADGROUP GROUP g multi STREAMS s s2 0 >
        XREADGROUP GROUP g multi STREAMS s2 nokey > >
        XREADGROUP GROUP g multi STREAMS s2 s3 0 0
        XINFO STREAM s2
    """, mask=mask_times)


def test_xgroup_consumers(sc):
    sc.run("""
        XADD s 1-0 a 1
        XADD s 2-0 b 2
        XGROUP CREATE s g 0
        XGROUP CREATECONSUMER s g dave
        XGROUP CREATECONSUMER s g dave
        XGROUP CREATECONSUMER s nog dave
        XGROUP CREATECONSUMER nokey g dave
        XGROUP CREATECONSUMER s g
        XGROUP CREATECONSUMER s g a b
        XREADGROUP GROUP g alice STREAMS s >
        XGROUP CREATECONSUMER s g ""
        XINFO CONSUMERS s g
        XGROUP DELCONSUMER s g alice
        XGROUP DELCONSUMER s g alice
        XGROUP DELCONSUMER s g dave
        XGROUP DELCONSUMER s nog alice
        XGROUP DELCONSUMER nokey g alice
        XGROUP DELCONSUMER s g
        XPENDING s g
        XINFO CONSUMERS s g
        XINFO GROUPS s
    """, mask=mask_times)


def test_xclaim(sc):
    sc.run("""
        XADD s 1-0 a 1
        XADD s 2-0 b 2
        XADD s 3-0 c 3
        XADD s 4-0 d 4
        XADD s 5-0 e 5
        XGROUP CREATE s g 0
        XREADGROUP GROUP g alice COUNT 3 STREAMS s >
        XCLAIM s g bob 0 1-0
        XCLAIM s g bob 0 1-0 JUSTID
        XCLAIM s g bob 0 1-0 2-0 9-0
        XCLAIM s g bob 3600000 3-0
        XCLAIM s g bob 0 4-0
        XCLAIM s g bob 0 4-0 FORCE
        XCLAIM s g bob 0 5-0 FORCE JUSTID
        XCLAIM s g bob 0 99-0 FORCE
        XPENDING s g
        XCLAIM s g carol 0 1-0 RETRYCOUNT 7
        XCLAIM s g carol 0 1-0 RETRYCOUNT x
        XCLAIM s g carol 0 1-0 RETRYCOUNT -1
        XCLAIM s g carol 0 1-0 IDLE x
        XCLAIM s g carol 0 1-0 TIME x
        XCLAIM s g carol 0 1-0 LASTID x
        XCLAIM s g carol 0 1-0 FOO
        XCLAIM s g carol 0 1-0 IDLE
        XCLAIM s g carol 0 1-0 bad
        XCLAIM s g carol x 1-0
        XCLAIM s g carol -5 1-0
        XCLAIM s g carol 0 bad
        XCLAIM s nog carol 0 1-0
        XCLAIM nokey g carol 0 1-0
        XCLAIM nokey g carol x 1-0
        XCLAIM s g carol 0
        XCLAIM s g carol 0 1-0 IDLE 100000000
        XCLAIM s g carol 3600000 1-0
        XCLAIM s g carol 0 1-0 TIME 1000
        XCLAIM s g dave 3600000 1-0
        XCLAIM s g dave 0 1-0 TIME 99999999999999
        XCLAIM s g dave 0 1-0 IDLE -10
        XCLAIM s g dave 0 1-0 LASTID 10-0 JUSTID
        XINFO GROUPS s
        XCLAIM s g dave 0 1-0 LASTID 1-0
        XCLAIM s g dave 0 1-0 2-0 JUSTID RETRYCOUNT 3 IDLE 5 TIME 7 FORCE LASTID 0
        XPENDING s g
        XINFO CONSUMERS s g
        XDEL s 2-0
        XCLAIM s g erin 0 2-0 1-0
        XPENDING s g
        XCLAIM s g erin 0 2-0 FORCE
        XCLAIM s g erin 0 10-0 FORCE LASTID 20-0
        XINFO GROUPS s
        XCLAIM s g erin 0 1-0 JUSTID 2-0
    """, mask=mask_times)
    for cmd in (("XPENDING", "s", "g", "-", "+", "10"),):
        sc.check(*cmd, mask=mask_pending_idle)


def test_xautoclaim(sc):
    sc.run("""
        XADD s 1-0 a 1
        XADD s 2-0 b 2
        XADD s 3-0 c 3
        XADD s 4-0 d 4
        XADD s 5-0 e 5
        XGROUP CREATE s g 0
        XREADGROUP GROUP g alice STREAMS s >
        XAUTOCLAIM s g zed 0 0
        XAUTOCLAIM s g zed 0 0 COUNT 1
        XAUTOCLAIM s g zed 0 0 COUNT 1 JUSTID
        XAUTOCLAIM s g zed 0 (1-0 COUNT 1 JUSTID
        XAUTOCLAIM s g zed 0 - JUSTID
        XAUTOCLAIM s g zed 3600000 0
        XAUTOCLAIM s g zed 0 0 COUNT 0
        XAUTOCLAIM s g zed 0 0 COUNT -1
        XAUTOCLAIM s g zed 0 0 COUNT x
        XAUTOCLAIM s g zed 0 0 COUNT 9223372036854775807
        XAUTOCLAIM s g zed 0 0 COUNT 576460752303423487
        XAUTOCLAIM s g zed 0 0 COUNT 576460752303423488
        XAUTOCLAIM s g zed 0 0 COUNT 1000000000000
        XAUTOCLAIM s g zed 0 0 FOO
        XAUTOCLAIM s g zed 0 0 COUNT
        XAUTOCLAIM s g zed 0 0 JUSTID JUSTID COUNT 2 COUNT 3
        XAUTOCLAIM s g zed x 0
        XAUTOCLAIM s g zed -1 0
        XAUTOCLAIM s g zed 0 bad
        XAUTOCLAIM s g zed 0 (
        XAUTOCLAIM s nog zed 0 0
        XAUTOCLAIM nokey g zed 0 0
        XAUTOCLAIM nokey g zed 0 bad
        XAUTOCLAIM nokey g zed x 0
        XAUTOCLAIM nokey g zed 0 0 COUNT 0
        XAUTOCLAIM s g zed 0 (18446744073709551615-18446744073709551615
        XAUTOCLAIM s g zed 0 18446744073709551615-18446744073709551615
        XREADGROUP GROUP g alice STREAMS s >
        XDEL s 3-0 4-0
        XAUTOCLAIM s g yan 0 0 COUNT 1
        XPENDING s g
        XAUTOCLAIM s g yan 0 0 COUNT 2
        XPENDING s g
        XAUTOCLAIM s g yan 0 0
        XPENDING s g
        XINFO CONSUMERS s g
        XACK s g 1-0 5-0 10-0
        XAUTOCLAIM s g yan 0 0
        XPENDING s g
    """, mask=mask_times)


def test_xautoclaim_attempts_and_cursor(sc):
    """COUNT entries claimed per call, at most 10 * COUNT pending entries looked at."""
    for conn in sc.conns:
        for i in range(1, 61):
            conn.send("XADD", "s", f"{i}-0", "f", str(i))
        conn.send("XGROUP", "CREATE", "s", "g", "0")
        conn.send("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">")
        for i in range(2, 61, 2):
            conn.send("XDEL", "s", f"{i}-0")
    sc.run("""
        XAUTOCLAIM s g b 3600000 0 COUNT 2
        XAUTOCLAIM s g b 0 0 COUNT 2 JUSTID
        XAUTOCLAIM s g b 0 5-0 COUNT 3 JUSTID
        XAUTOCLAIM s g b 0 0 COUNT 50 JUSTID
        XAUTOCLAIM s g b 0 0 COUNT 50 JUSTID
        XPENDING s g
    """, mask=mask_times)


# -- XINFO ---------------------------------------------------------------------------------------
def test_xinfo(sc):
    for conn in sc.conns:
        for i in range(1, 16):
            conn.send("XADD", "s", f"{i}-0", "f", str(i), "g", "x" * i)
    sc.run("""
        XGROUP CREATE s g1 0
        XGROUP CREATE s g2 $
        XGROUP CREATE s a0 5-0
        XREADGROUP GROUP g1 zoe COUNT 3 STREAMS s >
        XREADGROUP GROUP g1 adam COUNT 12 STREAMS s >
        XREADGROUP GROUP a0 adam NOACK STREAMS s >
        XDEL s 2-0 14-0
        XINFO STREAM s
        XINFO STREAM s FULL
        XINFO STREAM s full COUNT 3
        XINFO STREAM s FULL COUNT 0
        XINFO STREAM s FULL COUNT -5
        XINFO STREAM s FULL COUNT x
        XINFO STREAM s FULL COUNT
        XINFO STREAM s FULL x
        XINFO STREAM s FULL COUNT 1 x
        XINFO STREAM s FOO
        XINFO STREAM nokey
        XINFO STREAM nokey FULL
        XINFO STREAM
        XINFO GROUPS s
        XINFO GROUPS nokey
        XINFO GROUPS s x
        XINFO CONSUMERS s g1
        XINFO CONSUMERS s a0
        XINFO CONSUMERS s nog
        XINFO CONSUMERS nokey g
        XINFO CONSUMERS s
        XINFO
        XINFO HELP
        XINFO help extra
        XINFO FOO
        XGROUP CREATE e g $ MKSTREAM
        XINFO STREAM e
        XINFO STREAM e FULL
        XINFO GROUPS e
        XINFO CONSUMERS e g
    """, mask=mask_times)


# -- XSETID ----------------------------------------------------------------------------------------
def test_xsetid(sc):
    sc.run("""
        XADD s 1-0 a 1
        XADD s 2-0 b 2
        XSETID s 5-0
        XINFO STREAM s
        XADD s 3-0 c 3
        XADD s 5-* c 3
        XSETID s 1-0
        XSETID s 5-1
        XSETID s 10-0 ENTRIESADDED 10 MAXDELETEDID 9-0
        XINFO STREAM s
        XSETID s 11-0 ENTRIESADDED 1
        XSETID s 11-0 ENTRIESADDED -1
        XSETID s 11-0 ENTRIESADDED x
        XSETID s 11-0 MAXDELETEDID 12-0
        XSETID s 11-0 MAXDELETEDID bad
        XSETID s 11-0 MAXDELETEDID
        XSETID s 11-0 FOO
        XSETID s bad
        XSETID s -
        XSETID s +
        XSETID s 11
        XSETID nokey 1-0
        XSETID nokey bad
        XSETID nokey 1-0 ENTRIESADDED -1
        XSETID s
        XINFO STREAM s
        XDEL s 1-0 5-1
        XSETID s 0-0
        XINFO STREAM s
        XGROUP CREATE e g $ MKSTREAM
        XSETID e 0-0
        XSETID e 3-3 ENTRIESADDED 0
        XSETID e 3-3 ENTRIESADDED 7 MAXDELETEDID 3-3
        XINFO STREAM e
        XADD e 3-3 a 1
        XADD e * a 1
        XLEN e
    """, mask=lambda raw: re.sub(rb"1\d{12}-0", b"NOW-0", raw))


# -- WRONGTYPE --------------------------------------------------------------------------------------
@pytest.mark.parametrize("cmd", [
    ("XADD", "k", "1-0", "a", "1"), ("XADD", "k", "NOMKSTREAM", "*", "a", "1"),
    ("XLEN", "k"), ("XRANGE", "k", "-", "+"), ("XREVRANGE", "k", "+", "-"),
    ("XDEL", "k", "1-0"), ("XTRIM", "k", "MAXLEN", "1"), ("XREAD", "STREAMS", "k", "0"),
    ("XREAD", "STREAMS", "k", "$"), ("XREADGROUP", "GROUP", "g", "c", "STREAMS", "k", ">"),
    ("XGROUP", "CREATE", "k", "g", "0"), ("XGROUP", "CREATE", "k", "g", "0", "MKSTREAM"),
    ("XGROUP", "SETID", "k", "g", "0"), ("XGROUP", "DESTROY", "k", "g"),
    ("XGROUP", "CREATECONSUMER", "k", "g", "c"), ("XGROUP", "DELCONSUMER", "k", "g", "c"),
    ("XACK", "k", "g", "1-0"), ("XPENDING", "k", "g"), ("XPENDING", "k", "g", "-", "+", "1"),
    ("XCLAIM", "k", "g", "c", "0", "1-0"), ("XAUTOCLAIM", "k", "g", "c", "0", "0"),
    ("XINFO", "STREAM", "k"), ("XINFO", "GROUPS", "k"), ("XINFO", "CONSUMERS", "k", "g"),
    ("XSETID", "k", "1-0"),
    # arguments checked before the type
    ("XADD", "k", "bad", "a", "1"), ("XRANGE", "k", "x", "+"), ("XDEL", "k", "bad"),
    ("XTRIM", "k", "FOO"), ("XREAD", "STREAMS", "k", "bad"), ("XSETID", "k", "bad"),
    ("XAUTOCLAIM", "k", "g", "c", "x", "0"), ("XACK", "k", "g", "bad"),
])
def test_wrongtype(sc, cmd):
    sc.check("SET", "k", "v")
    sc.check(*cmd)
    sc.check("DEL", "k")
    sc.check("HSET", "k", "f", "v")
    sc.check(*cmd)


def test_stream_as_a_key(sc):
    sc.run("""
        XADD s 1-0 a 1
        XGROUP CREATE s g 0
        XREADGROUP GROUP g c STREAMS s >
        TYPE s
        OBJECT ENCODING s
        COPY s t
        XRANGE t - +
        XINFO GROUPS t
        XPENDING t g
        XADD t 2-0 b 2
        XLEN s
        RENAME t u
        XINFO STREAM u
        EXISTS t
        SET s x
        TYPE s
    """, mask=mask_times)


# -- dirty counters -----------------------------------------------------------------------------------
def test_dirty_counts(diff):
    for cmd in script("""
        XADD s 1-0 a 1
        XADD s 1-0 a 1
        XADD s 2-0 a 1 b 2
        XADD s MAXLEN 1 3-0 a 1
        XADD nokey NOMKSTREAM 1-0 a 1
        XADD s 4-0 a 1
        XADD s 5-0 a 1
        XADD s 6-0 a 1
        XDEL s 4-0 5-0 99-0
        XDEL s 99-0
        XTRIM s MAXLEN 0
        XTRIM s MAXLEN 0
        XADD s 7-0 a 1
        XADD s 8-0 a 1
        XADD s 9-0 a 1
        XGROUP CREATE s g 0
        XGROUP CREATE s g 0
        XGROUP CREATE mk g $ MKSTREAM
        XREADGROUP GROUP g alice COUNT 2 STREAMS s >
        XREADGROUP GROUP g alice STREAMS s >
        XREADGROUP GROUP g alice STREAMS s >
        XREADGROUP GROUP g bob STREAMS s >
        XREADGROUP GROUP g alice STREAMS s 0
        XREADGROUP GROUP g alice NOACK STREAMS s 0
        XACK s g 7-0 8-0 99-0
        XACK s g 7-0
        XGROUP CREATECONSUMER s g carol
        XGROUP CREATECONSUMER s g carol
        XCLAIM s g carol 0 9-0
        XCLAIM s g carol 0 9-0 JUSTID
        XCLAIM s g carol 3600000 9-0
        XCLAIM s g dave 0 99-0
        XCLAIM s g dave 0 99-0 FORCE
        XCLAIM s g dave 0 9-0 LASTID 20-0
        XCLAIM s g dave 3600000 9-0 LASTID 30-0
        XAUTOCLAIM s g erin 0 0
        XAUTOCLAIM s g erin 3600000 0
        XAUTOCLAIM s g erin 0 0 JUSTID
        XGROUP SETID s g 0
        XGROUP DELCONSUMER s g erin
        XGROUP DELCONSUMER s g erin
        XGROUP DESTROY s g
        XGROUP DESTROY s g
        XSETID s 100-0
        XLEN s
        XRANGE s - +
        XINFO STREAM s
    """):
        same_dirty(diff, *cmd)


def test_dirty_counts_deleted_pending_entries(diff):
    for cmd in script("""
        XADD s 1-0 a 1
        XADD s 2-0 a 1
        XADD s 3-0 a 1
        XGROUP CREATE s g 0
        XREADGROUP GROUP g alice STREAMS s >
        XDEL s 1-0 2-0
        XCLAIM s g bob 0 1-0 3-0
        XAUTOCLAIM s g bob 0 0
        XREADGROUP GROUP g alice STREAMS s 0
        XREADGROUP GROUP g bob STREAMS s 0
    """):
        same_dirty(diff, *cmd)


# -- blocking XREAD / XREADGROUP ---------------------------------------------------------------------
def _encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Blocking:
    """For each server: a control connection and waiting clients."""

    def __init__(self, diff, resp3):
        self.diff = diff
        self.resp3 = resp3
        self.ctl = [self._conn(p) for p in diff.ports]
        self.waiters = {}

    def _conn(self, port):
        c = RawConn(port)
        if self.resp3:
            c.send("HELLO", "3")
        return c

    def ctl_check(self, *cmd, mask=None):
        expected, got = (c.send(*cmd) for c in self.ctl)
        if mask is not None:
            expected, got = mask(expected), mask(got)
        assert got == expected, f"{cmd!r}: redis {expected!r}, redlet {got!r}"
        return got

    def start(self, name, *cmd):
        """Send ``cmd`` from client ``name`` without waiting for its reply."""
        if name not in self.waiters:
            self.waiters[name] = [self._conn(p) for p in self.diff.ports]
        for c in self.waiters[name]:
            c.send_raw(_encode(*cmd))

    def blocked(self, n):
        """Wait until both servers have ``n`` blocked clients."""
        for c in self.ctl:
            for _ in range(1000):
                info = parse(c.send("INFO", "clients")).decode()
                got = int(re.search(r"blocked_clients:(\d+)", info).group(1))
                if got == n:
                    break
                time.sleep(0.005)
            else:
                raise AssertionError(f"{got} blocked clients, not {n}")

    def reply(self, name, mask=None):
        expected, got = (c.read_reply() for c in self.waiters[name])
        if mask is not None:
            expected, got = mask(expected), mask(got)
        assert got == expected, f"{name}: redis {expected!r}, redlet {got!r}"
        return got

    def no_reply(self, name):
        """Neither server has answered ``name`` (checked with a short read)."""
        for c in self.waiters[name]:
            c.sock.settimeout(0.05)
            try:
                assert not c.buf
                data = c.sock.recv(65536)
                raise AssertionError(f"unexpected reply {data!r}")
            except (TimeoutError, BlockingIOError):
                pass
            finally:
                c.sock.settimeout(5)

    def close(self):
        for c in self.ctl + [c for cs in self.waiters.values() for c in cs]:
            c.close()


@pytest.fixture(params=[False, True], ids=["resp2", "resp3"])
def blk(diff, request):
    b = Blocking(diff, request.param)
    yield b
    b.close()


def test_xread_block_served_by_xadd(blk):
    blk.ctl_check("XADD", "s", "1-0", "a", "1")
    blk.start("w", "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    blk.blocked(1)
    blk.no_reply("w")
    blk.ctl_check("XADD", "s", "2-0", "b", "2")
    blk.blocked(0)
    blk.reply("w")
    # a timeout with an id past the end, then served by a later XADD
    blk.start("w", "XREAD", "BLOCK", "100000", "COUNT", "1", "STREAMS", "s", "other", "2-0", "$")
    blk.blocked(1)
    blk.ctl_check("XADD", "other", "5-0", "x", "y")
    blk.reply("w")
    blk.start("w", "XREAD", "BLOCK", "0", "STREAMS", "nokey", "0")
    blk.blocked(1)
    blk.ctl_check("XADD", "nokey", "1-1", "x", "y", "z", "w")
    blk.reply("w")


def test_xread_block_timeout_replies_null(blk):
    blk.ctl_check("XADD", "s", "1-0", "a", "1")
    blk.start("t", "XREAD", "BLOCK", "50", "STREAMS", "s", "$")
    blk.reply("t")
    blk.start("t", "XREAD", "BLOCK", "50", "STREAMS", "nokey", "0")
    blk.reply("t")
    blk.start("t", "XREADGROUP", "GROUP", "g", "c", "BLOCK", "50", "STREAMS", "s", ">")
    blk.reply("t")
    blk.ctl_check("XGROUP", "CREATE", "s", "g", "$")
    blk.start("t", "XREADGROUP", "GROUP", "g", "c", "BLOCK", "50", "STREAMS", "s", ">")
    blk.reply("t")
    # the consumer exists only once it was served (Redis 7.0)
    blk.ctl_check("XINFO", "CONSUMERS", "s", "g")


def test_xread_block_ignores_other_writes(blk):
    blk.ctl_check("XADD", "s", "5-0", "a", "1")
    blk.start("w", "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    blk.blocked(1)
    blk.ctl_check("XDEL", "s", "5-0")
    blk.ctl_check("XTRIM", "s", "MAXLEN", "0")
    blk.ctl_check("XGROUP", "CREATE", "s", "g", "0")
    blk.ctl_check("XSETID", "s", "9-0")
    blk.no_reply("w")
    blk.ctl_check("DEL", "s")
    blk.ctl_check("SET", "s", "str")
    blk.no_reply("w")
    blk.ctl_check("DEL", "s")
    blk.ctl_check("XADD", "s", "4-0", "a", "1")      # not past the id $ stood for
    blk.no_reply("w")
    blk.ctl_check("XADD", "s", "6-0", "a", "1")
    blk.reply("w")


def test_several_waiters_served_in_order(blk):
    blk.ctl_check("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    blk.start("r1", "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    blk.start("g1", "XREADGROUP", "GROUP", "g", "c1", "BLOCK", "0", "COUNT", "1",
              "STREAMS", "s", ">")
    blk.start("g2", "XREADGROUP", "GROUP", "g", "c2", "BLOCK", "0", "STREAMS", "s", ">")
    blk.start("r2", "XREAD", "BLOCK", "0", "COUNT", "5", "STREAMS", "s", "$")
    blk.blocked(4)
    blk.ctl_check("XADD", "s", "1-0", "a", "1")
    for name in ("r1", "g1", "r2"):
        blk.reply(name)
    blk.blocked(1)
    blk.no_reply("g2")
    blk.ctl_check("MULTI")
    blk.ctl_check("XADD", "s", "2-0", "b", "2")
    blk.ctl_check("XADD", "s", "3-0", "c", "3")
    blk.ctl_check("EXEC")
    blk.reply("g2")
    blk.ctl_check("XPENDING", "s", "g")
    blk.ctl_check("XINFO", "GROUPS", "s")
    blk.ctl_check("XINFO", "CONSUMERS", "s", "g", mask=mask_times)


def test_xreadgroup_block_served_by_xadd(blk):
    blk.ctl_check("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    blk.start("w", "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
    blk.blocked(1)
    blk.ctl_check("XINFO", "CONSUMERS", "s", "g")
    blk.ctl_check("XADD", "s", "1-0", "a", "1")
    blk.reply("w")
    blk.ctl_check("XPENDING", "s", "g")
    blk.ctl_check("XINFO", "CONSUMERS", "s", "g", mask=mask_times)
    blk.start("w", "XREADGROUP", "GROUP", "g", "alice", "NOACK", "BLOCK", "0",
              "STREAMS", "s", ">")
    blk.blocked(1)
    blk.ctl_check("XADD", "s", "2-0", "a", "2")
    blk.reply("w")
    blk.ctl_check("XPENDING", "s", "g")
    blk.ctl_check("XINFO", "GROUPS", "s")
    # an XADD that an XGROUP SETID then hides: the reader gets what is new for the group
    blk.start("w", "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
    blk.blocked(1)
    blk.ctl_check("XGROUP", "SETID", "s", "g", "0")
    blk.no_reply("w")
    blk.ctl_check("XADD", "s", "3-0", "a", "3")
    blk.reply("w")


@pytest.mark.parametrize("kill", [
    ("DEL", "s"), ("SET", "s", "x"), ("FLUSHALL",), ("UNLINK", "s"),
    ("RENAME", "s", "s2"), ("XGROUP", "DESTROY", "s", "g"),
])
def test_xreadgroup_blocked_when_stream_or_group_goes(blk, kill):
    blk.ctl_check("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    blk.start("w", "XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">")
    blk.start("r", "XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    blk.blocked(2)
    blk.ctl_check(*kill)
    blk.reply("w")
    blk.blocked(1)
    blk.no_reply("r")
    blk.ctl_check("DEL", "s")
    blk.ctl_check("XADD", "s", "1-0", "a", "1")
    blk.reply("r")


def test_xreadgroup_blocked_on_two_streams(blk):
    blk.ctl_check("XGROUP", "CREATE", "a", "g", "$", "MKSTREAM")
    blk.ctl_check("XGROUP", "CREATE", "b", "g", "$", "MKSTREAM")
    blk.start("w", "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "a", "b", ">", ">")
    blk.blocked(1)
    blk.ctl_check("XADD", "b", "1-0", "x", "1")
    blk.reply("w")
    blk.start("w", "XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "a", "b", ">", ">")
    blk.blocked(1)
    blk.ctl_check("XGROUP", "DESTROY", "b", "g")
    blk.reply("w")


def test_blocking_forms_inside_multi_do_not_block(blk):
    blk.ctl_check("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM")
    for cmd in (("MULTI",), ("XREAD", "BLOCK", "0", "STREAMS", "s", "$"),
                ("XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"),
                ("EXEC",)):
        blk.ctl_check(*cmd)


def test_block_option_from_scripts(sc):
    sc.run("""
        XGROUP CREATE s g $ MKSTREAM
        EVAL "return redis.pcall('XREAD', 'BLOCK', '0', 'STREAMS', 's', '$')" 0
        EVAL "return redis.pcall('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', 'x', 'STREAMS', 's', '>')" 0
        EVAL "return redis.pcall('XREAD', 'STREAMS', 's', '$')" 0
        EVAL "return redis.pcall('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '>')" 0
    """)
