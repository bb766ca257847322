"""List commands in process: what each write propagates (the blocking forms
as their plain forms, LMPOP as LPOP/RPOP with a count), what a served
blocked client propagates and counts, deletion of emptied lists, the stored
value type and SORT ... STORE waking a blocked client."""
import pytest

from redlet.keyspace.values import ListValue


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
    return one(0)[0]


def dirty_of(engine, run, *cmd):
    before = engine.dirty
    reply = run(*cmd)
    return engine.dirty - before, reply


@pytest.fixture
def propagated(engine):
    seen = []
    engine.propagation_hooks.append(lambda db_index, argv: seen.append(list(argv)))
    return seen


def waiter(engine, *cmd):
    out = []
    client = engine.new_client(send=out.append)
    assert engine.process_batch(client, [[a.encode() for a in cmd]]) == b""
    assert client.blocked is not None
    return client, out


def test_pops_and_moves_propagate_as_plain_commands(run, propagated):
    run("RPUSH", "l", "a", "b", "c", "d", "e", "f")
    propagated.clear()
    run("LPOP", "l")
    run("RPOP", "l", "2")
    run("BLPOP", "nokey", "l", "0")
    run("BRPOP", "l", "0")
    run("RPUSH", "l", "x", "y", "z")
    run("LMPOP", "2", "nokey", "l", "RIGHT", "COUNT", "2")
    run("BLMPOP", "0", "1", "l", "LEFT", "COUNT", "9")
    run("RPUSH", "l", "p", "q")
    run("BLMOVE", "l", "d", "RIGHT", "LEFT", "0")
    run("BRPOPLPUSH", "l", "d", "0")
    assert propagated == [
        [b"LPOP", b"l"],
        [b"RPOP", b"l", b"2"],
        [b"LPOP", b"l"],
        [b"RPOP", b"l"],
        [b"RPUSH", b"l", b"x", b"y", b"z"],
        [b"RPOP", b"l", b"2"],
        [b"LPOP", b"l", b"2"],
        [b"RPUSH", b"l", b"p", b"q"],
        [b"LMOVE", b"l", b"d", b"RIGHT", b"LEFT"],
        [b"RPOPLPUSH", b"l", b"d"],
    ]


def test_nothing_done_propagates_nothing(run, propagated):
    for cmd in (("LPOP", "nokey"), ("RPOP", "nokey", "3"), ("LMPOP", "1", "nokey", "LEFT"),
                ("LPUSHX", "nokey", "a"), ("LREM", "nokey", "0", "a"),
                ("LMOVE", "nokey", "d", "LEFT", "LEFT"), ("LINSERT", "nokey", "BEFORE", "a", "b")):
        run(*cmd)
    run("MULTI")
    run("BLPOP", "nokey", "0")
    run("BLMOVE", "nokey", "d", "LEFT", "LEFT", "0")
    run("BLMPOP", "0", "1", "nokey", "LEFT")
    assert parse(run("EXEC")) == [None, None, None]
    assert propagated == []


def test_served_blpop_propagates_lpop_and_counts_as_redis(engine, run, propagated):
    client, out = waiter(engine, "BLPOP", "k1", "k2", "0")
    run("SET", "k1", "not a list")          # another type: still waiting
    assert client.blocked is not None and out == []
    delta, _ = dirty_of(engine, run, "RPUSH", "k2", "a", "b")
    assert client.blocked is None
    assert parse(b"".join(out)) == [b"k2", b"a"]
    assert propagated[-2:] == [[b"RPUSH", b"k2", b"a", b"b"], [b"LPOP", b"k2"]]
    assert delta == 2                       # the served pop counts no change (Redis 7.0)


def test_served_blmpop_counts_its_pops(engine, run, propagated):
    _, out = waiter(engine, "BLMPOP", "0", "1", "q", "RIGHT", "COUNT", "5")
    delta, _ = dirty_of(engine, run, "RPUSH", "q", "a", "b")
    assert parse(b"".join(out)) == [b"q", [b"b", b"a"]]
    assert propagated[-1] == [b"RPOP", b"q", b"2"]
    assert delta == 4
    assert run("EXISTS", "q") == b":0\r\n"


def test_served_blmove_with_a_wrong_type_destination(engine, run):
    run("SET", "dst", "string")
    client, out = waiter(engine, "BLMOVE", "src", "dst", "LEFT", "LEFT", "0")
    run("RPUSH", "src", "a")
    assert b"".join(out).startswith(b"-WRONGTYPE")
    assert client.blocked is None
    assert parse(run("LRANGE", "src", "0", "-1")) == [b"a"]


def test_served_from_the_key_that_got_data(engine, run):
    _, out = waiter(engine, "BRPOP", "k1", "k2", "k3", "0")
    run("MULTI")
    run("RPUSH", "k3", "from-k3")
    run("RPUSH", "k1", "from-k1")
    run("EXEC")
    assert parse(b"".join(out)) == [b"k3", b"from-k3"]


def test_emptied_lists_disappear(engine, run):
    run("RPUSH", "l", "a", "b", "c")
    assert type(engine.dbs[0].data[b"l"]) is ListValue
    run("LREM", "l", "0", "b")
    run("LTRIM", "l", "5", "10")
    assert run("EXISTS", "l") == b":0\r\n"
    run("RPUSH", "l", "a")
    run("LMOVE", "l", "l", "LEFT", "RIGHT")     # rotates a one-element list: still there
    assert parse(run("LRANGE", "l", "0", "-1")) == [b"a"]
    run("RPOPLPUSH", "l", "other")
    assert run("EXISTS", "l") == b":0\r\n"
    assert parse(run("LRANGE", "other", "0", "-1")) == [b"a"]


@pytest.mark.parametrize("cmd, delta", [
    (("RPUSH", "l", "x", "y"), 2),
    (("LPOP", "l", "3"), 3),
    (("LTRIM", "l", "1", "-2"), 2),
    (("LTRIM", "l", "0", "-1"), 0),
    (("LREM", "l", "-2", "b"), 2),
    (("LSET", "l", "0", "z"), 1),
    (("LINSERT", "l", "AFTER", "c", "n"), 1),
    (("LMOVE", "l", "d", "LEFT", "RIGHT"), 1),
])
def test_dirty(engine, run, cmd, delta):
    run("RPUSH", "l", "a", "b", "c", "b", "a", "b")
    assert dirty_of(engine, run, *cmd)[0] == delta


def test_sort_store_wakes_a_blocked_client(engine, run):
    run("RPUSH", "src", "3", "1", "2")
    _, out = waiter(engine, "BLPOP", "sorted", "0")
    assert run("SORT", "src", "STORE", "sorted") == b":3\r\n"
    assert parse(b"".join(out)) == [b"sorted", b"1"]
    assert parse(run("LRANGE", "sorted", "0", "-1")) == [b"2", b"3"]
