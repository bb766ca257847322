"""Pub/sub against redis-server with several real connections (publisher,
subscribers, pattern subscribers, RESP2 and RESP3): confirmations, messages
and replies compared byte for byte; keyspace notifications; the
notify-keyspace-events and client-output-buffer-limit settings."""
import time

import pytest

from ._collections import parse
from .conftest import RawConn


class Peer:
    """One more client: a connection to each server, replies compared."""

    def __init__(self, diff, resp3=False):
        self.conns = [RawConn(p) for p in diff.ports]
        if resp3:
            for c in self.conns:
                c.send("HELLO", "3")

    def check(self, *cmd):
        expected, got = (c.send(*cmd) for c in self.conns)
        assert got == expected, f"{cmd!r}: redis {expected!r}, redlet {got!r}"
        if cmd[0].upper().endswith("SUBSCRIBE") and len(cmd) > 2:
            for _ in cmd[2:]:               # one confirmation per channel
                self.read()
        return got

    def read(self):
        """The next reply (a pushed message) on each, compared."""
        expected, got = (c.read_reply() for c in self.conns)
        assert got == expected, f"pushed: redis {expected!r}, redlet {got!r}"
        return got

    def nothing_pending(self):
        """No message is waiting: the next reply is the answer to a PING."""
        expected, got = (c.send("PING") for c in self.conns)
        assert got == expected, f"after the messages: redis {expected!r}, redlet {got!r}"
        assert got in (b"+PONG\r\n", b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"), got

    def close(self):
        for c in self.conns:
            c.close()


@pytest.fixture
def peers(diff):
    made = []

    def make(resp3=False):
        p = Peer(diff, resp3)
        made.append(p)
        return p
    yield make
    for p in made:
        p.close()


def both(diff, *cmd):
    diff.check(*cmd)
    return diff.check3(*cmd)


def wait_numsub(diff, channel, n):
    """Until both servers count ``n`` subscribers (a closed connection is
    noticed asynchronously)."""
    deadline = time.time() + 5
    while time.time() < deadline:
        counts = [parse(c.send("PUBSUB", "NUMSUB", channel))[1] for c in diff.conns]
        if counts == [n, n]:
            return
        time.sleep(0.02)
    raise AssertionError(f"NUMSUB {channel}: {counts}")


# -- commands and errors --------------------------------------------------------------
def test_arity_and_subcommand_errors(diff):
    for cmd in (("SUBSCRIBE",), ("PSUBSCRIBE",), ("SSUBSCRIBE",), ("PUBLISH", "a"),
                ("PUBLISH", "a", "b", "c"), ("SPUBLISH", "a"), ("PUBSUB",), ("PUBSUB", "FOO"),
                ("PUBSUB", "CHANNELS", "a", "b"), ("PUBSUB", "SHARDCHANNELS", "a", "b"),
                ("PUBSUB", "NUMPAT", "x"), ("PUBSUB", "HELP", "x"), ("PUBSUB", "HELP"),
                ("PUBSUB", "help"), ("PUBSUB", "CHANNELS"), ("PUBSUB", "NUMSUB"),
                ("PUBSUB", "NUMSUB", "a", "b", "a"), ("PUBSUB", "NUMPAT"),
                ("PUBSUB", "SHARDCHANNELS"), ("PUBSUB", "SHARDNUMSUB", "x"),
                ("PUBLISH", "nobody", "hi"), ("SPUBLISH", "nobody", "hi")):
        both(diff, *cmd)


def test_unsubscribe_when_subscribed_to_nothing(diff):
    for cmd in (("UNSUBSCRIBE",), ("PUNSUBSCRIBE",), ("SUNSUBSCRIBE",), ("UNSUBSCRIBE", "a"),
                ("PUNSUBSCRIBE", "a*", "b*"), ("SUNSUBSCRIBE", "s")):
        both(diff, *cmd)


def test_subscribe_confirmations_and_counts(diff):
    for check in (diff.check, diff.check3):
        check("SUBSCRIBE", "a", "a", "b")
        check("PSUBSCRIBE", "p*", "p*", "q?")
        check("SSUBSCRIBE", "s1", "s2")           # shard channels count apart
        check("SUBSCRIBE", "c")
        check("UNSUBSCRIBE", "b", "zz", "b")
        check("PUNSUBSCRIBE", "q?", "none")
        check("SUNSUBSCRIBE", "s2")
        check("UNSUBSCRIBE", "a")
        check("UNSUBSCRIBE")                      # the last channel: c
        check("PUNSUBSCRIBE")
        check("SUNSUBSCRIBE")
        check("UNSUBSCRIBE")


def test_punsubscribe_all_goes_in_subscription_order(diff):
    for check in (diff.check, diff.check3):
        check("PSUBSCRIBE", "p3*", "p1*", "p2*")
        check("PUNSUBSCRIBE")


def test_resp2_subscribed_context(diff):
    diff.check("SUBSCRIBE", "a")
    for cmd in (("SET", "x", "1"), ("GET", "x"), ("PUBSUB", "NUMPAT"), ("MULTI",),
                ("PUBLISH", "a", "x"), ("CLIENT", "ID"), ("PING",), ("PING", "hello"),
                ("PING", "a", "b"), ("SUBSCRIBE", "b"), ("PSUBSCRIBE", "x*"),
                ("PUNSUBSCRIBE",), ("UNSUBSCRIBE", "b"), ("UNSUBSCRIBE",), ("SET", "x", "1"),
                ("PING",)):
        diff.check(*cmd)
    diff.check("SSUBSCRIBE", "shard")             # shard channels are a subscribed context too
    diff.check("GET", "x")
    diff.check("PING")
    diff.check("SUNSUBSCRIBE")
    diff.check("GET", "x")


def test_resp3_client_subscribes_and_runs_anything(diff, peers):
    pub = peers()
    diff.check3("SUBSCRIBE", "a")
    for cmd in (("SET", "x", "1"), ("GET", "x"), ("PING",), ("PING", "x"),
                ("PUBSUB", "NUMSUB", "a"), ("CLIENT", "GETNAME")):
        diff.check3(*cmd)
    pub.check("PUBLISH", "a", "hello")
    # the push arrives before the reply to the next command
    diff.check3("GET", "x")
    diff.check3("UNSUBSCRIBE")


def test_messages_to_channel_and_pattern_subscribers(diff, peers):
    pub, sub2, sub3, psub2, psub3 = peers(), peers(), peers(resp3=True), peers(), \
        peers(resp3=True)
    for s in (sub2, sub3):
        s.check("SUBSCRIBE", "news", "h\x00bin")
    for p in (psub2, psub3):
        p.check("PSUBSCRIBE", "n*", "h?llo", "h[ae]llo", "x\\*")
    for channel, message in (("news", "first"), ("news", ""), ("nothing", "x"),
                             ("hello", "m1"), ("hallo", "m2"), ("hxllo", "m3"),
                             ("x*", "literal"), ("xy", "no"), ("h\x00bin", "b\x00in"),
                             ("n", "short")):
        pub.check("PUBLISH", channel, message)
        pub.check("PUBSUB", "NUMSUB", channel)
    for s in (sub2, sub3):
        for _ in range(3):
            s.read()
        s.nothing_pending()
    for p in (psub2, psub3):
        # a channel matching two patterns of one client gets two pmessages, in
        # an order Redis leaves to its hash table: read them as a set
        for _ in range(3):                        # news, news, nothing
            p.read()
        for _ in ("hello", "hallo"):
            expected, got = ([c.read_reply() for _ in range(2)] for c in p.conns)
            assert sorted(got) == sorted(expected)
        for _ in range(3):                        # hxllo, x*, n
            p.read()
        p.nothing_pending()


def test_a_client_on_channel_and_pattern_gets_both(diff, peers):
    pub, sub = peers(), peers()
    sub.check("SUBSCRIBE", "ch")
    sub.check("PSUBSCRIBE", "c*")
    pub.check("PUBLISH", "ch", "both")            # 2 receivers
    sub.read()                                    # message first, then pmessage
    sub.read()
    sub.nothing_pending()


def test_pubsub_introspection_with_several_clients(diff, peers):
    a, b = peers(), peers(resp3=True)
    a.check("SUBSCRIBE", "c1", "c2")
    b.check("SUBSCRIBE", "c2", "d1")
    a.check("PSUBSCRIBE", "p*")
    b.check("PSUBSCRIBE", "p*", "q*")
    a.check("SSUBSCRIBE", "s1")
    for cmd in (("PUBSUB", "NUMSUB", "c1", "c2", "d1", "zz"), ("PUBSUB", "NUMPAT"),
                ("PUBSUB", "SHARDNUMSUB", "s1", "c1"), ("PUBSUB", "CHANNELS", "zz*"),
                ("PUBSUB", "SHARDCHANNELS", "s*")):
        both(diff, *cmd)
    for cmd in (("PUBSUB", "CHANNELS"), ("PUBSUB", "CHANNELS", "*1"),
                ("PUBSUB", "CHANNELS", "c?")):
        expected, got = (sorted(parse(c.send(*cmd))) for c in diff.conns)
        assert got == expected
    b.check("PUNSUBSCRIBE", "p*")
    diff.check("PUBSUB", "NUMPAT")
    b.close()
    wait_numsub(diff, "d1", 0)
    diff.check("PUBSUB", "NUMSUB", "c2", "d1")
    diff.check("PUBSUB", "NUMPAT")


def test_shard_channels(diff, peers):
    pub, s2, s3, plain = peers(), peers(), peers(resp3=True), peers()
    s2.check("SSUBSCRIBE", "orders")
    s3.check("SSUBSCRIBE", "orders", "other")
    plain.check("SUBSCRIBE", "orders")
    pub.check("SPUBLISH", "orders", "o1")          # shard subscribers only
    pub.check("PUBLISH", "orders", "p1")           # channel subscribers only
    s2.read()
    s3.read()
    plain.read()
    for p in (s2, s3, plain):
        p.nothing_pending()
    s3.check("SUNSUBSCRIBE", "orders")
    pub.check("SPUBLISH", "orders", "o2")
    s2.read()


def test_reset_drops_subscriptions(diff, peers):
    pub = peers()
    conns = [RawConn(p) for p in diff.ports]
    try:
        for c in conns:
            c.send("SUBSCRIBE", "r")
            c.send("PSUBSCRIBE", "r*")
        expected, got = (c.send("RESET") for c in conns)
        assert got == expected == b"+RESET\r\n"
        pub.check("PUBLISH", "r", "after reset")   # 0 receivers
        expected, got = (c.send("GET", "x") for c in conns)
        assert got == expected
    finally:
        for c in conns:
            c.close()


def test_disconnect_drops_subscriptions(diff, peers):
    sub = peers()
    sub.check("SUBSCRIBE", "gone")
    sub.check("PSUBSCRIBE", "gone*")
    wait_numsub(diff, "gone", 1)
    sub.close()
    wait_numsub(diff, "gone", 0)
    diff.check("PUBSUB", "NUMPAT")
    diff.check("PUBLISH", "gone", "x")


def test_subscribe_and_publish_inside_a_transaction(diff):
    for check in (diff.check, diff.check3):
        check("MULTI")
        check("SUBSCRIBE", "t")
        check("PUBLISH", "t", "to myself")
        check("SSUBSCRIBE", "st")                 # refused inside EXEC
        check("EXEC")                             # the message lands between the replies
        check("UNSUBSCRIBE")


def test_publish_to_myself_in_resp3(diff):
    diff.check3("SUBSCRIBE", "me")
    diff.check3("PSUBSCRIBE", "m*")
    diff.check3("PUBLISH", "me", "x")             # message, pmessage, then :2
    diff.check3("UNSUBSCRIBE")
    diff.check3("PUNSUBSCRIBE")


def test_client_list_of_subscribers(diff, peers):
    sub = peers()
    sub.check("SUBSCRIBE", "a", "b")
    sub.check("PSUBSCRIBE", "c*")
    sub.check("SSUBSCRIBE", "s")

    def fields(conn):
        line = parse(conn.send("CLIENT", "INFO")).decode()
        return {k: v for k, v in (f.split("=", 1) for f in line.split())
                if k in ("flags", "sub", "psub", "ssub")}
    expected, got = (fields(c) for c in diff.conns3 or [RawConn(p) for p in diff.ports])
    assert got == expected
    sub.check("SUNSUBSCRIBE")
    sub.check("PUNSUBSCRIBE")
    sub.check("UNSUBSCRIBE", "a")
    for c in sub.conns:
        c.send_raw(b"*1\r\n$6\r\nCLIENT\r\n")     # refused: subscribed (RESP2)
    sub.read()


# -- keyspace notifications -----------------------------------------------------------
@pytest.fixture
def config(diff):
    """CONFIG SET on both servers, undone after the test (the servers are shared)."""
    changed = {}

    def set_(name, value):
        if name not in changed:
            changed[name] = [parse(c.send("CONFIG", "GET", name))[1] for c in diff.conns]
        diff.check("CONFIG", "SET", name, value)
    yield set_
    for name, olds in changed.items():
        for conn, old in zip(diff.conns, olds):
            conn.send("CONFIG", "SET", name, old)


class Events:
    """Every keyspace event of both servers, from a PSUBSCRIBE connection each."""

    END = "zz-end-of-events"            # a channel no keyspace pattern matches

    def __init__(self, diff, pattern="__key*__:*", resp3=False):
        self.diff = diff
        self.peer = Peer(diff, resp3)
        self.peer.check("PSUBSCRIBE", pattern)
        self.peer.check("SUBSCRIBE", self.END)

    def after(self, *cmds, pause=0):
        """Run the commands (replies compared) and compare the events."""
        for cmd in cmds:
            if cmd == "sleep":
                time.sleep(pause)
            else:
                self.diff.check(*cmd)
        self.diff.check("PUBLISH", self.END, "x")
        out = []
        for c in self.peer.conns:
            events = []
            while True:
                raw = c.read_reply()
                if self.END.encode() in raw:
                    break
                events.append(raw)
            out.append(events)
        expected, got = out
        assert got == expected, f"{cmds!r}: redis {expected!r}, redlet {got!r}"
        return got


def test_keyspace_events_of_string_and_key_commands(diff, config):
    config("notify-keyspace-events", "KEA")
    ev = Events(diff)
    try:
        assert ev.after(("SET", "a", "1")), "no event at all"
        ev.after(("SET", "a", "2", "EX", "100"), ("SETNX", "a", "x"), ("SETNX", "b", "1"),
                 ("APPEND", "b", "x"), ("INCR", "n"), ("INCRBY", "n", "2"),
                 ("DECR", "n"), ("INCRBYFLOAT", "n", "1.5"), ("SETRANGE", "b", "5", "z"),
                 ("MSET", "m1", "1", "m2", "2"), ("MSETNX", "m1", "x", "m3", "y"),
                 ("GETSET", "a", "3"), ("GETDEL", "m1"), ("GETEX", "m2", "PX", "5000"),
                 ("GETEX", "m2", "PERSIST"), ("SETEX", "e", "10", "v"),
                 ("PSETEX", "e", "10000", "v"), ("SETBIT", "bits", "7", "1"))
        ev.after(("EXPIRE", "a", "100"), ("PEXPIRE", "a", "100000"), ("PERSIST", "a"),
                 ("RENAME", "a", "a2"), ("RENAMENX", "a2", "b"), ("COPY", "a2", "c"),
                 ("MOVE", "c", "3"), ("DEL", "a2", "nokey"), ("UNLINK", "b"),
                 ("EXPIRE", "n", "-1"), ("TOUCH", "m2"), ("RENAME", "m2", "m2"))
        ev.after(("SELECT", "3"), ("DEL", "c"), ("SELECT", "0"), ("FLUSHDB",),
                 ("FLUSHALL",))
    finally:
        ev.peer.close()


def test_expired_events_lazy_and_active(diff, config):
    config("notify-keyspace-events", "Ex")        # expired events on the keyevent channel
    ev = Events(diff)
    try:
        assert len(ev.after(("SET", "lazy", "1", "PX", "20"), "sleep", ("GET", "lazy"),
                            pause=0.05)) == 1
        diff.check("SET", "active", "1", "PX", "20")
        deadline = time.time() + 5
        while time.time() < deadline:             # until both active cycles deleted it
            if [parse(c.send("DBSIZE")) for c in diff.conns] == [0, 0]:
                break
            time.sleep(0.05)
        assert len(ev.after()) == 1               # one expired event each
        ev.after(("SET", "k", "1", "PX", "1"), ("PEXPIREAT", "k2", "1"),
                 ("SET", "k3", "v"), ("PEXPIREAT", "k3", "1"))  # deleted at once: "del"
    finally:
        ev.peer.close()


@pytest.mark.parametrize("flags", ["K$", "E$", "Kg", "E", "K", "g$", "A", "KA", "Eg$x"])
def test_event_classes_and_channels(diff, config, flags):
    config("notify-keyspace-events", flags)
    ev = Events(diff, resp3=True)
    try:
        ev.after(("SET", "a", "1"), ("EXPIRE", "a", "10"), ("DEL", "a"), ("INCR", "n"),
                 ("SET", "x", "1", "PX", "1"), "sleep", ("GET", "x"), pause=0.02)
    finally:
        ev.peer.close()


def test_events_in_another_database(diff, config):
    config("notify-keyspace-events", "KEA")
    ev = Events(diff, pattern="__key*@5__:*")
    try:
        ev.after(("SELECT", "5"), ("SET", "a", "1"), ("DEL", "a"), ("SELECT", "0"),
                 ("SET", "a", "1"))
    finally:
        ev.peer.close()
    diff.check("DEL", "a")


def test_notify_keyspace_events_setting(diff, config):
    for value in ("", "KEA", "AKE", "Kxg$", "EAmn", "mn", "AKEd", "g$lshzxetKE", "KEAm",
                  "lshz", "t", "KEd", "E", "AAA"):
        config("notify-keyspace-events", value)
        diff.check("CONFIG", "GET", "notify-keyspace-events")
    for bad in ("Q", "KEAQ", "a", " ", "k"):
        diff.check("CONFIG", "SET", "notify-keyspace-events", bad)
    diff.check("CONFIG", "GET", "notify-keyspace-events")


def test_client_output_buffer_limit_setting(diff, config):
    diff.check("CONFIG", "GET", "client-output-buffer-limit")
    for value in ("pubsub 1mb 512kb 10", "normal 5 4 3 replica 1 1 1", "",
                  "slave 256mb 64mb 60", "PUBSUB 0 0 0"):
        config("client-output-buffer-limit", value)
        diff.check("CONFIG", "GET", "client-output-buffer-limit")
    for bad in ("pubsub 1mb 512kb", "foo 1 1 1", "pubsub x 1 1", "pubsub 1 1 x",
                "pubsub 1 1 -1", "pubsub -1 1 1"):
        diff.check("CONFIG", "SET", "client-output-buffer-limit", bad)
    diff.check("CONFIG", "GET", "client-output-buffer-limit")


@pytest.mark.parametrize("flags", ["En", "KEAn", "Kn"])
def test_new_key_events(diff, config, flags):
    config("notify-keyspace-events", flags)
    ev = Events(diff)
    try:
        ev.after(("SET", "a", "1"), ("SET", "a", "2"), ("HSET", "h", "f", "v"),
                 ("SADD", "s", "m"), ("RENAME", "a", "b"), ("COPY", "b", "c"), ("INCR", "n"),
                 ("APPEND", "ap", "x"), ("MSET", "m1", "1", "m2", "2"),
                 ("SETBIT", "bb", "1", "1"), ("MOVE", "c", "1"), ("SETNX", "q", "1"),
                 ("SETNX", "q", "2"), ("GETSET", "g", "1"), ("INCRBYFLOAT", "f", "1"),
                 ("XADD", "x", "1-1", "f", "v"), ("SINTERSTORE", "s2", "s", "s"),
                 ("SELECT", "1"), ("COPY", "c", "c2", "DB", "0"), ("FLUSHDB",),
                 ("SELECT", "0"))
    finally:
        ev.peer.close()


def test_info_and_client_list_count_pubsub_clients(diff, peers):
    a, b, c = peers(), peers(), peers()
    a.check("SUBSCRIBE", "i1")
    b.check("PSUBSCRIBE", "i*")
    c.check("SSUBSCRIBE", "i2")

    def info_fields(conn):
        text = parse(conn.send("INFO", "stats")).decode()
        return [line for line in text.splitlines() if line.startswith("pubsub")]
    expected, got = (info_fields(conn) for conn in diff.conns)
    assert got == expected and len(got) == 3
    expected, got = (parse(conn.send("CLIENT", "LIST", "TYPE", "pubsub")).decode().count("\n")
                     for conn in diff.conns)
    assert got == expected == 3
    diff.check("CLIENT", "KILL", "TYPE", "pubsub")     # 3
    wait_numsub(diff, "i1", 0)
    diff.check("PUBSUB", "NUMPAT")


def test_publish_from_a_script(diff, peers):
    sub = peers()
    sub.check("SUBSCRIBE", "from-lua")
    both(diff, "EVAL", "return redis.call('PUBLISH', KEYS[1], ARGV[1])", "1", "from-lua", "hi")
    sub.read()
    sub.read()
    sub.nothing_pending()


def test_resp3_client_gets_its_own_keyspace_events_in_place(diff, config):
    config("notify-keyspace-events", "KEA")
    diff.check3("PSUBSCRIBE", "__keyevent@0__:*")
    for cmd in (("SET", "own", "1"), ("INCR", "own"), ("MULTI",), ("SET", "own", "2"),
                ("DEL", "own"), ("GET", "own"), ("EXEC",), ("PUNSUBSCRIBE",)):
        diff.check3(*cmd)                         # events before the reply, or inside EXEC's


def test_ping_in_one_batch_before_and_after_subscribe(servers):
    """PING is on the batch fast path; after a SUBSCRIBE in the same read it
    must answer as a subscribed client does."""
    replies = []
    for port in servers:
        c = RawConn(port)
        c.send_raw(b"PING\r\nSUBSCRIBE ch\r\nPING\r\nPING x\r\n")
        replies.append([c.read_reply() for _ in range(4)])
        c.close()
    assert replies[1] == replies[0]
    assert replies[0][2] == b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"
