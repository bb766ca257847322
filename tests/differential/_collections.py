"""Helpers for the hash and set differential tests: replies whose order Redis
does not fix (SMEMBERS, HGETALL of a big hash, SPOP...), full HSCAN/SSCAN
walks, dirty counters and keyspace events compared between the servers."""


def parse(raw):
    """One RESP2/RESP3 reply as Python values: bulk -> bytes, ``*``/``~`` ->
    list, ``%`` -> list of [k, v], error -> Exception, null -> None."""
    def one(pos):
        t = raw[pos:pos + 1]
        end = raw.index(b"\r\n", pos)
        head = raw[pos + 1:end]
        if t in (b"$", b"="):
            n = int(head)
            if n < 0:
                return None, end + 2
            return raw[end + 2:end + 2 + n], end + 4 + n
        if t in (b"*", b"~", b">", b"%"):
            n = int(head)
            if n < 0:
                return None, end + 2
            items, p = [], end + 2
            for _ in range(n * (2 if t == b"%" else 1)):
                item, p = one(p)
                items.append(item)
            if t == b"%":
                items = [items[i:i + 2] for i in range(0, len(items), 2)]
            return items, p
        if t == b":":
            return int(head), end + 2
        if t == b"-":
            return Exception(head.decode()), end + 2
        if t == b"_":
            return None, end + 2
        return head, end + 2
    value, end = one(0)
    assert end == len(raw), raw
    return value


def split(raw):
    """(header line, [raw top-level elements]) of an aggregate reply."""
    end = raw.index(b"\r\n")
    header = raw[:end + 2]
    if raw[:1] not in (b"*", b"~", b"%") or int(raw[1:end]) < 0:
        return header, []
    n = int(raw[1:end]) * (2 if raw[:1] == b"%" else 1)
    items, pos = [], end + 2
    for _ in range(n):
        nxt = _end(raw, pos)
        items.append(raw[pos:nxt])
        pos = nxt
    return header, items


def _end(raw, pos):
    end = raw.index(b"\r\n", pos)
    t = raw[pos:pos + 1]
    if t in (b"$", b"="):
        n = int(raw[pos + 1:end])
        return end + 2 if n < 0 else end + 4 + n
    if t in (b"*", b"~", b"%", b">"):
        n = int(raw[pos + 1:end])
        p = end + 2
        for _ in range(max(n, 0) * (2 if t == b"%" else 1)):
            p = _end(raw, p)
        return p
    return end + 2


def connections(diff, resp3=False):
    if resp3:
        if diff.conns3 is None:
            diff.check3("PING")
        return diff.conns3
    return diff.conns


def _grouped(items, pairs):
    if pairs:
        return sorted(b"".join(items[i:i + 2]) for i in range(0, len(items), 2))
    return sorted(items)


def same_members(diff, *cmd, resp3=False, pairs=False):
    """The same reply type, size and elements in any order (``pairs``: a flat
    field/value array whose pairs may come in any order)."""
    expected, got = (c.send(*cmd) for c in connections(diff, resp3))
    he, ie = split(expected)
    hg, ig = split(got)
    assert (hg, _grouped(ig, pairs)) == (he, _grouped(ie, pairs)), \
        "%r%s: redis %r, redlet %r" % (cmd, " (RESP3)" if resp3 else "", expected, got)
    return parse(got)


def same_members_both(diff, *cmd, pairs=False):
    same_members(diff, *cmd, pairs=pairs)
    return same_members(diff, *cmd, resp3=True, pairs=pairs)


def same_scan_page(diff, *cmd, pairs=False, resp3=False):
    """A scan call answered in one page by both: cursor 0 and the same elements."""
    expected, got = (parse(c.send(*cmd)) for c in connections(diff, resp3))
    assert not isinstance(expected, Exception), expected
    assert got[0] == expected[0] == b"0", (cmd, expected, got)
    group = (lambda xs: sorted(zip(xs[::2], xs[1::2]))) if pairs else sorted
    assert group(got[1]) == group(expected[1]), (cmd, expected, got)
    return got[1]


def full_scan(conn, cmd, key, *options):
    """Every element a complete walk returns (with repeats), following cursors."""
    seen, cursor = [], b"0"
    for _ in range(100_000):
        cursor, batch = parse(conn.send(cmd, key, cursor, *options))
        seen.extend(batch)
        if cursor == b"0":
            return seen
    raise AssertionError("scan never ended")


def dirty(conn):
    info = parse(conn.send("INFO", "persistence"))
    for line in info.decode().splitlines():
        if line.startswith("rdb_changes_since_last_save:"):
            return int(line.split(":")[1])
    raise AssertionError("no rdb_changes_since_last_save")


def same_dirty(diff, *cmd):
    """The command's reply (compared exactly) and its dirty delta on both servers."""
    before = [dirty(c) for c in diff.conns]
    got = diff.check(*cmd)
    after = [dirty(c) for c in diff.conns]
    deltas = [a - b for a, b in zip(after, before)]
    assert deltas[0] == deltas[1], "%r: redis dirty +%d, redlet +%d" % (cmd, *deltas)
    return deltas[0], got


class Events:
    """Keyspace events of both servers, from one PSUBSCRIBE connection each."""

    SENTINEL = b"__keyevent@0__:zz-end"

    def __init__(self, diff, conn_class):
        self.diff = diff
        self.subs = [conn_class(p) for p in diff.ports]
        for c in self.subs:
            c.send("PSUBSCRIBE", "__key*@0__:*")

    def collect(self, *cmd):
        """Run ``cmd`` (reply compared) and return the events it caused on
        each server as [(channel, message)...]."""
        self.diff.check(*cmd)
        self.diff.both("PUBLISH", self.SENTINEL, "x")
        out = []
        for c in self.subs:
            events = []
            while True:
                msg = parse(c.read_reply())
                if msg[2] == self.SENTINEL:
                    break
                events.append((msg[2], msg[3]))
            out.append(events)
        return out

    def same(self, *cmd):
        expected, got = self.collect(*cmd)
        assert got == expected, "%r: redis %r, redlet %r" % (cmd, expected, got)
        return got

    def close(self):
        for c in self.subs:
            c.close()
