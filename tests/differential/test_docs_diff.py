"""COMMAND DOCS against redis-server, byte for byte in RESP2 and RESP3: every
command and subcommand both servers have (summary, since, group, complexity,
doc_flags, deprecated_since, replaced_by, history, arguments), lookups by
name (subcommands, unknown and repeated names), and the tables of
``commands/docs.py`` naming only commands we have."""
import pytest

from redlet.commands import docs, load_all
from redlet.commands.registry import COMMANDS

from .conftest import RawConn, raw_conns

# commands both servers have whose docs differ on purpose: name -> reason
# (none today; add an entry with the reason rather than weakening the check).
EXCEPTIONS = {}
# ours only: redlet's DELETE (the seed server's DEL) and FLUSH, and CLIENT SETINFO
# (Redis 7.2, documented as 7.2 does, without 7.2's display_text fields)
REDLET_ONLY = {"delete", "flush", "client|setinfo"}


def _spans(raw, pos):
    """The header's end and (start, end) of each element of the aggregate at
    ``pos`` (a map's keys and values in turn)."""
    conn = RawConn.__new__(RawConn)
    conn.buf = raw
    end = conn._line(pos)
    kind, n = raw[pos:pos + 1], int(raw[pos + 1:end])
    assert kind in (b"*", b"%"), raw[pos:pos + 20]
    out, p = [], end + 2
    for _ in range(max(n, 0) * (2 if kind == b"%" else 1)):
        e = conn._reply_end(p)
        out.append((p, e))
        p = e
    return end + 2, out


def _bulk(field):
    assert field[:1] == b"$", field
    return field.split(b"\r\n")[1].decode()


def _entries(raw):
    """{full name: (raw header, raw fields but the subcommands, subcommand
    names)} of a COMMAND DOCS reply, with the subcommands' own entries.  Redis
    lists subcommands in its hash table's order (it changes from run to run),
    so they are compared one by one, not as one string."""
    table = {}

    def walk(start, into):
        header_end, spans = _spans(raw, start)
        pairs = []
        for (ks, ke), (vs, ve) in zip(spans[::2], spans[1::2]):
            if _bulk(raw[ks:ke]) == "subcommands":
                subs = walk_map(vs, table)
                pairs.append((raw[ks:ke], tuple(sorted(subs))))
            else:
                pairs.append((raw[ks:ke], raw[vs:ve]))
        return raw[start:header_end], tuple(pairs)

    def walk_map(start, into):
        _, spans = _spans(raw, start)
        names = []
        for (ks, ke), (vs, _) in zip(spans[::2], spans[1::2]):
            name = _bulk(raw[ks:ke])
            names.append(name)
            into[name] = walk(vs, into)
        return names

    walk_map(0, table)
    return table


def _both(servers, resp3, *cmd):
    conns = raw_conns(servers, resp3)
    try:
        return [c.send(*cmd) for c in conns]
    finally:
        for c in conns:
            c.close()


@pytest.mark.parametrize("resp3", [False, True], ids=["resp2", "resp3"])
def test_docs_of_every_command(servers, resp3):
    redis, ours = (_entries(raw) for raw in _both(servers, resp3, "COMMAND", "DOCS"))
    assert set(ours) - set(redis) == REDLET_ONLY
    common = sorted(set(redis) & set(ours))
    assert len(common) > 330            # every command and subcommand we implement
    differ = []
    for name in common:
        (rhead, rfields), (ohead, ofields) = redis[name], ours[name]
        # a container's subcommands: ours a subset of Redis' (plus ours only)
        rfields = tuple(f for f in rfields if f[0] != b"$11\r\nsubcommands\r\n")
        osubs = [v for k, v in ofields if k == b"$11\r\nsubcommands\r\n"]
        ofields = tuple(f for f in ofields if f[0] != b"$11\r\nsubcommands\r\n")
        if osubs:
            rsubs = dict(redis[name][1])[b"$11\r\nsubcommands\r\n"]
            assert set(osubs[0]) - set(rsubs) <= REDLET_ONLY, name
        if (rhead, rfields) != (ohead, ofields) and name not in EXCEPTIONS:
            differ.append(name)
    assert not differ, [(n, redis[n], ours[n]) for n in differ[:2]]
    # the arguments are there: SET's, a deprecated command's, a subcommand's
    for name in ("set", "getset", "client|kill", "xadd", "sort"):
        assert b"$9\r\narguments\r\n" in dict(ours[name][1]), name


@pytest.mark.parametrize("resp3", [False, True], ids=["resp2", "resp3"])
def test_docs_by_name(servers, resp3):
    redis, ours = (_entries(raw) for raw in _both(servers, resp3, "COMMAND", "DOCS"))
    plain = [n for n in sorted(set(redis) & set(ours)) if "|" not in n
             and b"$11\r\nsubcommands\r\n" not in dict(ours[n][1])]
    subs = [n for n in sorted(set(redis) & set(ours)) if "|" in n]
    conns = raw_conns(servers, resp3)
    try:
        for names in (plain[:120], plain[120:], subs,
                      ["GET", "nosuch", "Client|Kill", "xgroup|nosuch", "get"],  # twice: twice
                      ["nosuch"], ["set", "set", "set"]):
            expected, got = (c.send("COMMAND", "DOCS", *names) for c in conns)
            assert got == expected, (names, expected[:300], got[:300])
    finally:
        for c in conns:
            c.close()


@pytest.mark.parametrize("resp3", [False, True], ids=["resp2", "resp3"])
def test_redlet_only_docs(servers, resp3):
    """DELETE is documented as DEL; FLUSH has no arguments."""
    redis_del, ours_del = (_entries(raw)["del"][1] for raw in
                           _both(servers, resp3, "COMMAND", "DOCS", "del"))
    ours = _entries(_both(servers, resp3, "COMMAND", "DOCS", "delete", "flush",
                          "client|setinfo")[1])
    assert dict(ours["delete"][1])[b"$9\r\narguments\r\n"] == \
        dict(redis_del)[b"$9\r\narguments\r\n"]
    assert b"$9\r\narguments\r\n" not in dict(ours["flush"][1])
    setinfo = dict(ours["client|setinfo"][1])[b"$9\r\narguments\r\n"]
    assert b"LIB-NAME" in setinfo and b"LIB-VER" in setinfo and b"oneof" in setinfo


def _command(fullname):
    parent, _, sub = fullname.partition("|")
    cmd = COMMANDS.get(parent)
    if cmd is not None and sub:
        cmd = (cmd.subcommands or {}).get(sub)
    return cmd


def test_tables_name_only_our_commands():
    load_all()
    names = (set(docs.ARGUMENTS) | set(docs.HISTORY) | set(docs.DEPRECATED)
             | set(docs.DOC_FLAGS) | {n for n, _ in docs.TEXT})
    assert not [n for n in names if _command(n) is None]
    for n, notation in docs.ARGUMENTS.items():
        assert docs.parse(notation, n), n


def test_notation():
    set_args = docs.parse("key:key [condition(NX|XX)]@2.6.12 [GET pattern:pattern#1]+... "
                          "id(auto_id='*'|id) other:key 'ip:port'!2.8.12 f{a b:int}...")
    key, cond, get, oneof, other, old, block = set_args
    assert (key.type, key.key_spec_index, key.flags) == ("key", 0, ())
    assert (cond.type, cond.since, cond.flags) == ("oneof", "2.6.12", ("optional",))
    assert [(a.name, a.type, a.token) for a in cond.arguments] == \
        [("nx", "pure-token", "NX"), ("xx", "pure-token", "XX")]
    assert (get.token, get.type, get.key_spec_index, get.flags) == \
        ("GET", "pattern", 1, ("optional", "multiple", "multiple_token"))
    assert [(a.name, a.type, a.token) for a in oneof.arguments] == \
        [("auto_id", "pure-token", "*"), ("id", "string", None)]
    assert other.key_spec_index == 1            # the key after key 0
    assert (old.name, old.deprecated_since) == ("ip:port", "2.8.12")
    assert (block.type, block.flags, [a.type for a in block.arguments]) == \
        ("block", ("multiple",), ["string", "integer"])
    with pytest.raises(ValueError):
        docs.parse("key:nosuchtype")
    with pytest.raises(ValueError):
        docs.parse("[unclosed")
