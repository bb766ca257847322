"""The dataset as commands: the body of an AOF rewrite's base file.

``write_snapshot`` writes, for every database, a ``SELECT`` and then for
every key the fewest commands that recreate its value, as Redis 7.0's
``rewriteAppendOnlyFileRio`` does: ``SET`` for strings, ``RPUSH``, ``SADD``,
``ZADD`` and ``HMSET`` with at most 64 items each, streams as ``XADD`` per
entry then ``XSETID`` (last id, entries added, max deleted id), ``XGROUP
CREATE`` per group (with ENTRIES-READ), ``XGROUP CREATECONSUMER`` and an
``XCLAIM ... FORCE`` per pending entry; then ``PEXPIREAT`` for a key with a
deadline.  Keys already expired are left out.  A native typed value is
written as ``SET`` with its RESP3-typed element, as it was appended.

The rewrite runs in a forked child, so this reads the parent's memory as it
was at the fork and never needs a lock.
"""
from ..keyspace.db import now_ms
from ..keyspace.stream import StreamValue, format_id
from ..keyspace.values import HashValue, ListValue, SetValue, TypedValue
from ..keyspace.zset import ZSetValue
from ..protocol import encode_command
from ..protocol.encoder import format_double

ITEMS_PER_CMD = 64          # AOF_REWRITE_ITEMS_PER_CMD


def _set_record(key, value):
    return b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(key), key, len(value), value)


def _batched(name, key, items):
    """``name key item...`` commands of at most 64 items (each item a tuple
    of arguments, e.g. a score and a member)."""
    out = []
    for start in range(0, len(items), ITEMS_PER_CMD):
        argv = [name, key]
        for item in items[start:start + ITEMS_PER_CMD]:
            argv.extend(item)
        out.append(encode_command(argv))
    return out


def _stream_records(key, s):
    out = []
    if len(s):
        for i in s.ids:
            out.append(encode_command([b"XADD", key, format_id(i)] + list(s.entries[i])))
    else:
        # an empty stream still exists: create it with an entry trimmed at once
        out.append(encode_command([b"XADD", key, b"MAXLEN", b"0", format_id(s.last_id),
                                   b"x", b"y"]))
    out.append(encode_command([b"XSETID", key, format_id(s.last_id), b"ENTRIESADDED",
                               b"%d" % s.entries_added, b"MAXDELETEDID",
                               format_id(s.max_deleted_id)]))
    for g in s.sorted_groups():
        out.append(encode_command([b"XGROUP", b"CREATE", key, g.name, format_id(g.last_id),
                                   b"ENTRIESREAD", b"%d" % g.entries_read]))
        for c in g.sorted_consumers():
            if not c.pel:
                out.append(encode_command([b"XGROUP", b"CREATECONSUMER", key, g.name,
                                           c.name]))
            for i, nack in c.pel.items():
                out.append(encode_command([
                    b"XCLAIM", key, g.name, c.name, b"0", format_id(i),
                    b"TIME", b"%d" % nack.delivery_time,
                    b"RETRYCOUNT", b"%d" % nack.delivery_count, b"JUSTID", b"FORCE"]))
    return out


def value_records(key, v):
    """The commands (RESP bytes) that recreate ``key`` holding ``v``."""
    t = type(v)
    if t is bytes:
        return [_set_record(key, v)]
    if t is ListValue:
        return _batched(b"RPUSH", key, [(x,) for x in v])
    if t is SetValue:
        return _batched(b"SADD", key, [(x,) for x in v])
    if t is HashValue:
        return _batched(b"HMSET", key, list(v.items()))
    if t is ZSetValue:
        return _batched(b"ZADD", key, [(format_double(score), member)
                                       for score, member in v.index])
    if t is TypedValue:
        return [encode_command([b"SET", key, v.value])]
    if t is StreamValue:
        return _stream_records(key, v)
    raise TypeError("no rewrite for %r" % t)


def write_snapshot(dbs, f, chunk=1 << 20):
    """Write the dataset of ``dbs`` to the binary file ``f`` as commands;
    returns the number of keys written."""
    now = now_ms()
    buf = []
    size = 0
    keys = 0
    for db in dbs:
        if not db.data:
            continue
        buf.append(encode_command([b"SELECT", b"%d" % db.id]))
        expires = db.expires
        for key, value in db.data.items():
            when = expires.get(key)
            if when is not None and when <= now:
                continue
            if type(value) is bytes:
                rec = _set_record(key, value)
                buf.append(rec)
                size += len(rec)
            else:
                for rec in value_records(key, value):
                    buf.append(rec)
                    size += len(rec)
            if when is not None:
                rec = b"*3\r\n$9\r\nPEXPIREAT\r\n$%d\r\n%s\r\n$%d\r\n%d\r\n" % (
                    len(key), key, len(str(when)), when)
                buf.append(rec)
                size += len(rec)
            keys += 1
            if size >= chunk:
                f.write(b"".join(buf))
                buf = []
                size = 0
    if buf:
        f.write(b"".join(buf))
    return keys
