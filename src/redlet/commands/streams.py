"""Stream commands (group "stream", the command half of Redis 7.0's t_stream.c).

A stream is a ``keyspace.stream.StreamValue``; unlike other containers an
empty stream stays (XDEL/XTRIM never delete the key).  Ids are parsed as
Redis parses them (``string2ull``: ``01``, ``+5`` and `` 5`` are accepted,
``-5`` is not), replies and errors are Redis 7.0's in RESP2 and RESP3.

Effects follow Redis: dirty counts, keyspace events of class ``t`` (xadd,
xtrim, xdel, xgroup-create, xgroup-createconsumer, xgroup-setid,
xgroup-destroy, xgroup-delconsumer, xsetid), ``signal_ready`` on XADD.
Propagation is Redis 7.0.15's (checked against its append-only file):

* XADD propagates the id it generated (``*``, ``ms-*``) and an approximate
  trim (``~``) as the exact trim it did (``MAXLEN = <length>``, ``MINID =
  <first id>``); Redis keeps a LIMIT there, which only a replica or the AOF
  loader accepts: we drop it (the same trim, valid for any client);
* XREADGROUP (served at once or when blocked), XCLAIM and XAUTOCLAIM
  propagate one ``XCLAIM key group consumer 0 id TIME t RETRYCOUNT n FORCE
  JUSTID LASTID <group last id>`` per entry whose pending state they
  changed (a pending entry whose stream entry is gone too: the replay drops
  it); a NOACK read propagates ``XGROUP CREATECONSUMER`` for a consumer it
  created and ``XGROUP SETID ... ENTRIESREAD n`` when the group moved; an
  XCLAIM whose LASTID alone moved the group propagates that SETID; a history
  read propagates nothing (its new delivery counts stay local, as in Redis).

Blocking XREAD/XREADGROUP use ``engine.block``; BLOCK is in milliseconds.
A blocked XREADGROUP whose key goes away (DEL, SET, RENAME, expiry, FLUSHALL)
gets ``-UNBLOCKED``, one whose group was destroyed ``-NOGROUP``, as Redis
7.0.15 does.
"""
from .. import errors
from ..errors import ReplyError
from ..keyspace.db import now_ms
from ..keyspace.stream import (
    INVALID_ENTRIES_READ,
    MAX_ID,
    U64,
    Group,
    Nack,
    StreamValue,
    format_id,
    make_id,
)
from ..protocol import NO_REPLY, NULL_ARRAY, OK, Status
from ..protocol.encoder import encode
from ..protocol.types import Raw
from ..util import parse_int
from .registry import command, container, subcommand

_XREAD_BLOCKED_DEFAULT_COUNT = 1000
_MAX_BLOCK_MS = 10 * 365 * 86400 * 1000      # beyond this BLOCK waits forever
_SPACES = b" \t\n\v\f\r"
# XAUTOCLAIM allocates 16 bytes per COUNT for the deleted ids; Redis' allocation
# fails between 64 and 128 TiB on x86-64 Linux (the address space): the error
# comes above 64 TiB here
_TRANSIENT_ALLOC_MAX = 1 << 46


def _err(msg):
    return ReplyError(msg)


# -- ids ---------------------------------------------------------------------------------
def _string2ull(b):
    """Redis' string2ull: string2ll, else strtoull (leading spaces, a sign,
    decimal digits to the end, no overflow); None when invalid."""
    v = _string2ll(b)
    if v is not None:
        return v if v >= 0 else None
    i, n = 0, len(b)
    while i < n and b[i] in _SPACES:
        i += 1
    neg = False
    if i < n and b[i] in b"+-":
        neg = b[i] == 0x2D
        i += 1
    digits = b[i:]
    if not digits or not digits.isdigit():
        return None
    v = int(digits)
    if v > U64:
        return None
    return (-v) & U64 if neg else v


def _string2ll(b):
    n = len(b)
    if n == 0 or n > 20:
        return None
    c = b[0]
    if 0x31 <= c <= 0x39 or (c == 0x2D and n > 1 and 0x31 <= b[1] <= 0x39):
        if n == 1 or b[1:].isdigit():
            v = int(b)
            if -(1 << 63) <= v < (1 << 63):
                return v
        return None
    return 0 if b == b"0" else None


def parse_id(raw, missing_seq=0, strict=False, seq_star=False):
    """(id, seq_given) as streamGenericParseIDOrReply reads ``raw``."""
    if len(raw) > 127:
        raise _err(errors.STREAM_INVALID_ID)
    z = raw.find(b"\0")
    b = raw if z < 0 else raw[:z]          # Redis reads the id as a C string
    if b == b"-" or b == b"+":
        if strict:
            raise _err(errors.STREAM_INVALID_ID)
        return (0 if b == b"-" else MAX_ID), True
    dash = b.find(b"-")
    ms = _string2ull(b if dash < 0 else b[:dash])
    if ms is None:
        raise _err(errors.STREAM_INVALID_ID)
    if dash < 0:
        return make_id(ms, missing_seq), True
    rest = b[dash + 1:]
    if seq_star and rest == b"*":
        return make_id(ms, 0), False
    seq = _string2ull(rest)
    if seq is None:
        raise _err(errors.STREAM_INVALID_ID)
    return make_id(ms, seq), True


def strict_id(raw, missing_seq=0):
    return parse_id(raw, missing_seq, strict=True)[0]


def _interval_id(raw, missing_seq):
    """(id, exclusive) of a range bound: ``-``, ``+``, ``ms[-seq]``, ``(id``."""
    if len(raw) > 1 and raw[0] == 0x28:
        return parse_id(raw[1:], missing_seq, strict=True)[0], True
    return parse_id(raw, missing_seq)[0], False


def _range_start(raw):
    i, ex = _interval_id(raw, 0)
    if ex:
        if i == MAX_ID:
            raise _err(errors.STREAM_INTERVAL_START)
        i += 1
    return i


def _range_end(raw):
    i, ex = _interval_id(raw, U64)
    if ex:
        if i == 0:
            raise _err(errors.STREAM_INTERVAL_END)
        i -= 1
    return i


def _incr(i):
    """streamIncrID (the last id wraps to 0-0)."""
    return 0 if i == MAX_ID else i + 1


# -- helpers -----------------------------------------------------------------------------
def _stream(ctx, key):
    return ctx.db.get_typed(key, StreamValue)


def _entry(s, i):
    return [format_id(i), list(s.entries[i])]


def _entries(s, start, end, count=0, rev=False):
    out = []
    if count:
        for i in s.range(start, end, rev):
            out.append([format_id(i), list(s.entries[i])])
            if len(out) == count:
                break
    else:
        for i in s.range(start, end, rev):
            out.append([format_id(i), list(s.entries[i])])
    return out


def _map(pairs, resp3):
    """A map reply (RESP3) / array of [k, v] pairs (RESP2) that may repeat keys."""
    if not resp3:
        return [[k, v] for k, v in pairs]
    keys = [k for k, _ in pairs]
    if len(set(keys)) == len(keys):
        return dict(pairs)
    out = [b"%%%d\r\n" % len(pairs)]
    for k, v in pairs:
        out.append(encode(k, True))
        out.append(encode(v, True))
    return Raw(b"".join(out))


def _changed(ctx, key, event, dirty=1):
    ctx.engine.dirty += dirty
    ctx.engine.notify(ctx.db, "t", event, key)


def _subcommand_syntax(name, container_name):
    return _err(errors.SUBCOMMAND_SYNTAX % (name.decode("utf-8", "replace"), container_name))


class _Effects:
    """What a consumer-group command changed, to propagate afterwards."""
    __slots__ = ("commands", "ctx", "dirty")

    def __init__(self, ctx):
        self.ctx = ctx
        self.dirty = ctx.engine.dirty
        self.commands = []

    def xclaim(self, key, group, nack, i):
        self.commands.append([
            b"XCLAIM", key, group.name, nack.consumer.name, b"0", format_id(i),
            b"TIME", b"%d" % nack.delivery_time, b"RETRYCOUNT", b"%d" % nack.delivery_count,
            b"FORCE", b"JUSTID", b"LASTID", format_id(group.last_id)])

    def setid(self, key, group):
        self.commands.append([b"XGROUP", b"SETID", key, group.name, format_id(group.last_id),
                              b"ENTRIESREAD", b"%d" % group.entries_read])

    def createconsumer(self, key, group, name):
        self.commands.append([b"XGROUP", b"CREATECONSUMER", key, group.name, name])

    def done(self):
        ctx = self.ctx
        if ctx.engine.dirty != self.dirty:
            db = ctx.db.id
            ctx.engine.rewrite_propagation(ctx, *[(db, c) for c in self.commands])


def _consumer(ctx, s, key, group, name, now, fx, propagate=False):
    """The consumer ``name`` (its seen time refreshed), created if missing;
    with ``propagate`` its creation is propagated (a NOACK read, whose
    effects have no XCLAIM that would create it on replay)."""
    c = group.consumers.get(name)
    if c is None:
        c = group.create_consumer(name, now)
        _changed(ctx, key, "xgroup-createconsumer")
        if propagate:
            fx.createconsumer(key, group, name)
    c.seen_time = now
    return c


# -- XADD, XTRIM ---------------------------------------------------------------------------
class _TrimArgs:
    __slots__ = (
        "approx",
        "arg_at",
        "id",
        "id_at",
        "id_given",
        "limit",
        "limit_at",
        "maxlen",
        "minid",
        "no_mkstream",
        "seq_given",
        "strategy",
    )

    def __init__(self):
        self.strategy = None          # "maxlen" or "minid"
        self.maxlen = self.minid = None
        self.approx = False
        self.limit = 0
        self.limit_at = None          # index of LIMIT's value
        self.arg_at = None            # index of the MAXLEN/MINID argument
        self.no_mkstream = False
        self.id = 0
        self.id_given = self.seq_given = False
        self.id_at = None


def _parse_add_trim(args, xadd):
    """streamParseAddOrTrimArgsOrReply over ``args`` (the arguments after the key)."""
    t = _TrimArgs()
    limit_given = False
    n = len(args)
    i = 0
    while i < n:
        more = n - 1 - i
        opt = args[i]
        low = opt.lower()
        if xadd and opt == b"*":
            break
        if low in (b"maxlen", b"minid") and more:
            if t.strategy is not None:
                raise _err(errors.STREAM_MAXLEN_AND_MINID)
            t.approx = False
            nxt = args[i + 1]
            if more >= 2 and nxt == b"~":
                t.approx = True
                i += 1
            elif more >= 2 and nxt == b"=":
                i += 1
            if low == b"maxlen":
                t.maxlen = parse_int(args[i + 1])
                if t.maxlen < 0:
                    raise _err(errors.STREAM_MAXLEN_NEGATIVE)
            else:
                t.minid = strict_id(args[i + 1])
            i += 1
            t.strategy = low.decode()
            t.arg_at = i
        elif low == b"limit" and more:
            t.limit = parse_int(args[i + 1])
            if t.limit < 0:
                raise _err(errors.STREAM_LIMIT_NEGATIVE)
            limit_given = True
            i += 1
            t.limit_at = i
        elif xadd and low == b"nomkstream":
            t.no_mkstream = True
        elif xadd:
            t.id, t.seq_given = parse_id(opt, 0, strict=True, seq_star=True)
            t.id_given = True
            break
        else:
            raise _err(errors.SYNTAX)
        i += 1
    if t.limit and t.strategy is None:
        raise _err(errors.STREAM_LIMIT_WITHOUT_STRATEGY)
    if not xadd and t.strategy is None:
        raise _err(errors.XTRIM_NO_STRATEGY)
    if limit_given:
        if not t.approx:
            raise _err(errors.STREAM_LIMIT_WITHOUT_APPROX)
    elif t.approx:
        t.limit = -1                  # set from the configuration by _trim
    else:
        t.limit = 0
    t.id_at = i
    return t


def _trim(ctx, s, t):
    limit = t.limit
    if limit == -1:
        limit = 100 * ctx.engine.config["stream-node-max-entries"]
        if limit <= 0 or limit > 1000000:
            limit = 10000
    return s.trim(t.maxlen, t.minid, t.approx, limit)


def _exact_trim_args(s, t, args):
    """``args`` with an approximate trim rewritten as the exact one it did."""
    out = list(args)
    out[t.arg_at - 1] = b"="
    if t.strategy == "maxlen":
        out[t.arg_at] = b"%d" % len(s)
    else:
        out[t.arg_at] = format_id(s.first_id if len(s) else MAX_ID)
    if t.limit_at is not None:
        out[t.limit_at - 1:t.limit_at + 1] = [None, None]
    return out


def _next_id(s):
    ms = now_ms()
    last = s.last_id
    if ms > last >> 64:
        return make_id(ms, 0)
    return last + 1


@command("XADD", arity=-5, flags="write denyoom fast", keys=(1, 1, 1), group="stream",
         summary="Appends a new entry to a stream", since="5.0.0",
         complexity="O(1) when adding a new entry, O(N) when trimming where N being the number "
                    "of entries evicted.")
def xadd(ctx, key, *args):
    t = _parse_add_trim(args, True)
    fields = args[t.id_at + 1:]
    if len(fields) < 2 or len(fields) & 1:
        raise _err(errors.WRONG_ARITY % "xadd")
    if t.id_given and t.seq_given and t.id == 0:
        raise _err(errors.XADD_ID_ZERO)
    db = ctx.db
    s = db.get_typed(key, StreamValue)
    if s is None:
        if t.no_mkstream:
            return None
        s = StreamValue()
        new = True
    else:
        new = False
    if s.last_id == MAX_ID:
        raise _err(errors.STREAM_EXHAUSTED)
    if not t.id_given:
        i = _next_id(s)
    elif t.seq_given:
        i = t.id
    elif t.id >> 64 == s.last_id >> 64:
        if s.last_id & U64 == U64:
            raise _err(errors.XADD_ID_TOO_SMALL)
        i = s.last_id + 1
    else:
        i = t.id
    if i <= s.last_id:
        raise _err(errors.XADD_ID_TOO_SMALL)
    cfg = ctx.engine.config
    s.append(i, tuple(fields), cfg["stream-node-max-entries"], cfg["stream-node-max-bytes"])
    if new:
        db.set(key, s)
    _changed(ctx, key, "xadd")
    rewritten = None
    if t.strategy is not None:
        if _trim(ctx, s, t):
            ctx.engine.notify(db, "t", "xtrim", key)
        if t.approx:
            rewritten = _exact_trim_args(s, t, args)
    if not t.id_given or not t.seq_given:
        rewritten = list(args) if rewritten is None else rewritten
        rewritten[t.id_at] = format_id(i)
    if rewritten is not None:
        ctx.engine.rewrite_propagation(ctx, (db.id, [b"XADD", key] + [
            a for a in rewritten if a is not None]))
    db.signal_ready(key)
    return format_id(i)


@command("XTRIM", arity=-4, flags="write", keys=(1, 1, 1), group="stream",
         summary="Trims the stream to (approximately if '~' is passed) a certain size", since="5.0.0",
         complexity="O(N), with N being the number of evicted entries. Constant times are "
                    "very small however, since entries are organized in macro nodes containing "
                    "multiple entries that can be released with a single deallocation.")
def xtrim(ctx, key, *args):
    t = _parse_add_trim(args, False)
    s = _stream(ctx, key)
    if s is None:
        return 0
    deleted = _trim(ctx, s, t)
    if deleted:
        _changed(ctx, key, "xtrim", deleted)
        if t.approx:
            ctx.engine.rewrite_propagation(ctx, (ctx.db.id, [b"XTRIM", key] + [
                a for a in _exact_trim_args(s, t, args) if a is not None]))
    return deleted


# -- XDEL, XLEN, XRANGE --------------------------------------------------------------------
@command("XDEL", arity=-3, flags="write fast", keys=(1, 1, 1), group="stream",
         summary="Removes the specified entries from the stream. Returns the number of items "
                 "actually deleted, that may be different from the number of IDs passed in "
                 "case certain IDs do not exist.", since="5.0.0",
         complexity="O(1) for each single item to delete in the stream, regardless of the "
                    "stream size.")
def xdel(ctx, key, *ids):
    s = _stream(ctx, key)
    if s is None:
        return 0
    parsed = [strict_id(a) for a in ids]
    deleted = 0
    for i in parsed:
        if s.delete(i):
            s.max_deleted_id = max(s.max_deleted_id, i)
            deleted += 1
    if deleted:
        _changed(ctx, key, "xdel", deleted)
    return deleted


@command("XLEN", arity=2, flags="readonly fast", keys=(1, 1, 1), group="stream",
         summary="Return the number of entries in a stream", since="5.0.0", complexity="O(1)")
def xlen(ctx, key):
    s = _stream(ctx, key)
    return 0 if s is None else len(s)


def _xrange(ctx, key, start_arg, end_arg, opts, rev):
    start = _range_start(start_arg)
    end = _range_end(end_arg)
    count = -1
    j = 0
    while j < len(opts):
        if opts[j].lower() == b"count" and j + 1 < len(opts):
            count = parse_int(opts[j + 1])
            count = max(count, 0)
            j += 2
        else:
            raise _err(errors.SYNTAX)
    s = _stream(ctx, key)
    if s is None:
        return []
    if count == 0:
        return NULL_ARRAY
    if rev:
        return _entries(s, start, end, max(count, 0), True)
    return _entries(s, start, end, max(count, 0))


@command("XRANGE", arity=-4, flags="readonly", keys=(1, 1, 1), group="stream",
         summary="Return a range of elements in a stream, with IDs matching the specified IDs "
                 "interval", since="5.0.0",
         complexity="O(N) with N being the number of elements being returned. If N is "
                    "constant (e.g. always asking for the first 10 elements with COUNT), you "
                    "can consider it O(1).")
def xrange(ctx, key, start, end, *opts):
    return _xrange(ctx, key, start, end, opts, False)


@command("XREVRANGE", arity=-4, flags="readonly", keys=(1, 1, 1), group="stream",
         summary="Return a range of elements in a stream, with IDs matching the specified IDs "
                 "interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
         since="5.0.0",
         complexity="O(N) with N being the number of elements returned. If N is constant "
                    "(e.g. always asking for the first 10 elements with COUNT), you can "
                    "consider it O(1).")
def xrevrange(ctx, key, end, start, *opts):
    return _xrange(ctx, key, start, end, opts, True)


# -- XREAD, XREADGROUP ---------------------------------------------------------------------
def _streams_keys(startfrom):
    def getkeys(argv):
        for i in range(startfrom, len(argv)):
            if argv[i].lower() == b"streams":
                n = (len(argv) - i - 1) // 2
                return list(range(i + 1, i + 1 + n))
        return []
    return getkeys


def _serve_group(ctx, s, key, group, consumer, start, count, noack, now, fx):
    """New entries from ``start`` for a consumer of ``group`` (streamReplyWithRange
    with a group): the group's last id moves, the entries become pending."""
    out = []
    moved = False
    for i in s.range(start, MAX_ID):
        if i > group.last_id:
            s.advance_group(group, i)
            moved = True
        out.append([format_id(i), list(s.entries[i])])
        if not noack:
            nack = group.pel.get(i)
            if nack is None:
                nack = Nack(consumer, now)
                group.pel[i] = nack
                consumer.pel[i] = nack
            else:                          # already pending (after SETID): reassigned
                del nack.consumer.pel[i]
                nack.consumer = consumer
                nack.delivery_time = now
                nack.delivery_count = 1
                consumer.pel[i] = nack
            fx.xclaim(key, group, nack, i)
        if count and len(out) == count:
            break
    if moved and noack:            # otherwise the XCLAIMs carry the last id (LASTID)
        fx.setid(key, group)
    return out


def _serve_history(s, group, consumer, start, count, now):
    """The consumer's own pending entries from ``start``; a deleted entry is
    ``[id, nil]``."""
    out = []
    pel = consumer.pel
    for i in list(pel.irange(start)):
        if count and len(out) >= count:
            break
        pairs = s.entries.get(i)
        if pairs is None:
            out.append([format_id(i), NULL_ARRAY])
        else:
            nack = pel[i]
            nack.delivery_time = now
            nack.delivery_count += 1
            out.append([format_id(i), list(pairs)])
    return out


def _parse_block(raw):
    try:
        ms = parse_int(raw)
    except ReplyError:
        raise _err(errors.TIMEOUT_NOT_INTEGER) from None
    if ms < 0:
        raise _err(errors.TIMEOUT_NEGATIVE)
    return ms


def _xread(ctx, args, grouped):
    block = -1
    count = 0
    streams_at = None
    group_name = consumer_name = None
    noack = False
    n = len(args)
    i = 0
    while i < n:
        more = n - 1 - i
        opt = args[i].lower()
        if opt == b"block" and more:
            if ctx.in_script:
                # Redis names the command as the script typed it; we have its canonical name
                raise _err(errors.XREAD_BLOCK_IN_SCRIPT % ("XREADGROUP" if grouped else "XREAD"))
            i += 1
            block = _parse_block(args[i])
        elif opt == b"count" and more:
            i += 1
            count = parse_int(args[i])
            count = max(count, 0)
        elif opt == b"streams" and more:
            streams_at = i + 1
            if (n - streams_at) & 1:
                raise _err(errors.XREAD_UNBALANCED)
            break
        elif opt == b"group" and more >= 2:
            if not grouped:
                raise _err(errors.XREAD_GROUP_OPTION)
            group_name, consumer_name = args[i + 1], args[i + 2]
            i += 2
        elif opt == b"noack":
            if not grouped:
                raise _err(errors.XREAD_NOACK_OPTION)
            noack = True
        else:
            raise _err(errors.SYNTAX)
        i += 1
    if streams_at is None:
        raise _err(errors.SYNTAX)
    if grouped and group_name is None:
        raise _err(errors.XREADGROUP_MISSING_GROUP)
    nkeys = (n - streams_at) // 2
    keys = args[streams_at:streams_at + nkeys]
    db = ctx.db
    ids = []
    groups = []
    for k, raw in zip(keys, args[streams_at + nkeys:]):
        s = db.get_typed(k, StreamValue)
        if grouped:
            g = None if s is None else s.groups.get(group_name)
            if g is None:
                raise _err(errors.XREADGROUP_NOGROUP % (
                    k.decode("utf-8", "replace"), group_name.decode("utf-8", "replace")))
            groups.append(g)
        if raw == b"$":
            if grouped:
                raise _err(errors.XREADGROUP_DOLLAR)
            ids.append(s.last_id if s is not None else 0)
        elif raw == b">":
            if not grouped:
                raise _err(errors.XREAD_GREATER)
            ids.append(None)
        else:
            i = strict_id(raw)
            # Redis marks ">" with the last possible id: given explicitly, it means ">"
            ids.append(None if grouped and i == MAX_ID else i)

    now = now_ms()
    fx = _Effects(ctx)
    served = []
    for idx, k in enumerate(keys):
        s = db.get(k)
        if s is None:
            continue
        gt = ids[idx]
        if grouped:
            g = groups[idx]
            history = gt is not None
            sync = history
            if not history and len(s) and s.last_live_id() > g.last_id:
                sync = True
                gt = g.last_id
            if sync:
                consumer = _consumer(ctx, s, k, g, consumer_name, now, fx, noack)
                start = _incr(gt)
                if history:
                    served.append((k, _serve_history(s, g, consumer, start, count, now)))
                else:
                    served.append((k, _serve_group(ctx, s, k, g, consumer, start, count, noack,
                                                   now, fx)))
                ctx.engine.dirty += 1
        elif len(s) and s.last_live_id() > gt:
            served.append((k, _entries(s, _incr(gt), MAX_ID, count)))
    fx.done()
    if served:
        return _map(served, ctx.resp3)
    if block < 0 or not ctx.engine.can_block(ctx):
        return NULL_ARRAY
    if block > _MAX_BLOCK_MS:
        block = 0
    wait_count = count or _XREAD_BLOCKED_DEFAULT_COUNT

    if grouped:
        def retry():
            return _wake_group(ctx, keys, group_name, consumer_name, wait_count, noack)
    else:
        def retry():
            return _wake(ctx, keys, ids, wait_count)
    retry.serve_missing_key = grouped        # a blocked XREADGROUP hears of a deleted key
    return ctx.engine.block(ctx, list(keys), block / 1000.0, retry)


def _wake(ctx, keys, ids, count):
    db = ctx.db
    for k, gt in zip(keys, ids):
        s = db.get(k)
        if type(s) is StreamValue and s.last_id > gt:
            return _map([(k, _entries(s, _incr(gt), MAX_ID, count))], ctx.resp3)
    return NO_REPLY


def _wake_group(ctx, keys, group_name, consumer_name, count, noack):
    db = ctx.db
    for k in keys:
        s = db.get(k)
        if type(s) is not StreamValue:
            raise _err(errors.XREADGROUP_KEY_GONE)
        g = s.groups.get(group_name)
        if g is None:
            raise _err(errors.XREADGROUP_GROUP_GONE)
        if s.last_id > g.last_id:
            now = now_ms()
            fx = _Effects(ctx)
            consumer = _consumer(ctx, s, k, g, consumer_name, now, fx, noack)
            entries = _serve_group(ctx, s, k, g, consumer, _incr(g.last_id), count, noack,
                                   now, fx)
            ctx.engine.dirty += 1
            fx.done()
            return _map([(k, entries)], ctx.resp3)
    return NO_REPLY


@command("XREAD", arity=-4, flags="readonly blocking", keys=(0, 0, 0), group="stream",
         summary="Return never seen elements in multiple streams, with IDs greater than the "
                 "ones reported by the caller for each stream. Can block.", since="5.0.0",
         complexity="For each stream mentioned: O(N) with N being the number of elements "
                    "being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note "
                    "that when the BLOCK option is used, XADD will pay O(M) time in order to "
                    "serve the M clients blocked on the stream getting new data.",
         getkeys=_streams_keys(1))
def xread(ctx, *args):
    return _xread(ctx, args, False)


@command("XREADGROUP", arity=-7, flags="write blocking", keys=(0, 0, 0), group="stream",
         summary="Return new entries from a stream using a consumer group, or access the "
                 "history of the pending entries for a given consumer. Can block.",
         since="5.0.0",
         complexity="For each stream mentioned: O(M) with M being the number of elements "
                    "returned. If M is constant (e.g. always asking for the first 10 elements "
                    "with COUNT), you can consider it O(1). On the other side when XREADGROUP "
                    "blocks, XADD will pay the O(N) time in order to serve the N clients "
                    "blocked on the stream getting new data.",
         getkeys=_streams_keys(4))
def xreadgroup(ctx, *args):
    return _xread(ctx, args, True)


# -- XGROUP ---------------------------------------------------------------------------------
container("XGROUP", group="stream", summary="A container for consumer groups commands",
          since="5.0.0")

_XGROUP_HELP = (
    "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
    "HELP",
    "    Prints this help.",
)


def _entries_read(raw):
    v = parse_int(raw)
    if v < 0 and v != INVALID_ENTRIES_READ:
        raise _err(errors.ENTRIESREAD_INVALID)
    return v


def _xgroup_target(ctx, sub, key, group_name, need_group):
    """The stream and group (or None) of an XGROUP subcommand, with its errors."""
    s = _stream(ctx, key)
    if s is None:
        raise _err(errors.XGROUP_KEY_REQUIRED)
    g = s.groups.get(group_name)
    if g is None and need_group:
        raise _err(errors.NOGROUP_FOR_KEY % (group_name.decode("utf-8", "replace"),
                                             key.decode("utf-8", "replace")))
    return s, g


@subcommand("XGROUP", "CREATE", arity=-5, flags="write denyoom", keys=(2, 2, 1),
            summary="Create a consumer group.", since="5.0.0",
            complexity="O(1)")
def xgroup_create(ctx, sub, key, group_name, raw_id, *opts):
    mkstream = False
    entries_read = INVALID_ENTRIES_READ
    j = 0
    while j < len(opts):
        o = opts[j].lower()
        if o == b"mkstream":
            mkstream = True
            j += 1
        elif o == b"entriesread" and j + 1 < len(opts):
            entries_read = _entries_read(opts[j + 1])
            j += 2
        else:
            raise _subcommand_syntax(sub, "XGROUP")
    s = _stream(ctx, key)
    if s is None and not mkstream:
        raise _err(errors.XGROUP_KEY_REQUIRED)
    if len(opts) > 3:
        raise _subcommand_syntax(sub, "XGROUP")
    if raw_id == b"$":
        i = s.last_id if s is not None else 0
    else:
        i = strict_id(raw_id)
    if s is None:
        s = StreamValue()
        ctx.db.set(key, s)
    if group_name in s.groups:
        raise _err(errors.BUSYGROUP)
    s.groups[group_name] = Group(group_name, i, entries_read)
    _changed(ctx, key, "xgroup-create")
    return OK


@subcommand("XGROUP", "SETID", arity=-5, flags="write", keys=(2, 2, 1),
            summary="Set a consumer group to an arbitrary last delivered ID value.",
            since="5.0.0", complexity="O(1)")
def xgroup_setid(ctx, sub, key, group_name, raw_id, *opts):
    s, g = _xgroup_target(ctx, sub, key, group_name, True)
    if len(opts) not in (0, 2):
        raise _subcommand_syntax(sub, "XGROUP")
    i = s.last_id if raw_id == b"$" else parse_id(raw_id)[0]
    entries_read = INVALID_ENTRIES_READ
    if opts:
        if opts[0].lower() != b"entriesread":
            raise _subcommand_syntax(sub, "XGROUP")
        entries_read = parse_int(opts[1])
        if entries_read < 0 and entries_read != INVALID_ENTRIES_READ:
            raise _err(errors.ENTRIESREAD_INVALID)
    g.last_id = i
    g.entries_read = entries_read
    _changed(ctx, key, "xgroup-setid")
    return OK


@subcommand("XGROUP", "DESTROY", arity=4, flags="write", keys=(2, 2, 1),
            summary="Destroy a consumer group.", since="5.0.0",
            complexity="O(N) where N is the number of entries in the group's pending entries "
                       "list (PEL).")
def xgroup_destroy(ctx, sub, key, group_name):
    s, g = _xgroup_target(ctx, sub, key, group_name, False)
    if g is None:
        return 0
    del s.groups[group_name]
    _changed(ctx, key, "xgroup-destroy")
    ctx.db.signal_ready(key)              # blocked XREADGROUPs get -NOGROUP
    return 1


@subcommand("XGROUP", "CREATECONSUMER", arity=5, flags="write denyoom", keys=(2, 2, 1),
            summary="Create a consumer in a consumer group.", since="6.2.0",
            complexity="O(1)")
def xgroup_createconsumer(ctx, sub, key, group_name, name):
    _s, g = _xgroup_target(ctx, sub, key, group_name, True)
    if g.create_consumer(name, now_ms()) is None:
        return 0
    _changed(ctx, key, "xgroup-createconsumer")
    return 1


@subcommand("XGROUP", "DELCONSUMER", arity=5, flags="write", keys=(2, 2, 1),
            summary="Delete a consumer from a consumer group.", since="5.0.0",
            complexity="O(1)")
def xgroup_delconsumer(ctx, sub, key, group_name, name):
    _s, g = _xgroup_target(ctx, sub, key, group_name, True)
    c = g.consumers.get(name)
    if c is None:
        return 0
    pending = len(c.pel)
    g.delete_consumer(c)
    _changed(ctx, key, "xgroup-delconsumer")
    return pending


@subcommand("XGROUP", "HELP", arity=2, flags="loading stale",
            summary="Show helpful text about the different subcommands", since="5.0.0",
            complexity="O(1)")
def xgroup_help(ctx, sub):
    return [Status(line.encode()) for line in _XGROUP_HELP]


# -- XACK, XPENDING, XCLAIM, XAUTOCLAIM ----------------------------------------------------
def _group_or_nogroup(ctx, key, group_name):
    s = _stream(ctx, key)
    g = None if s is None else s.groups.get(group_name)
    if g is None:
        raise _err(errors.NOGROUP_KEY_OR_GROUP % (key.decode("utf-8", "replace"),
                                                  group_name.decode("utf-8", "replace")))
    return s, g


@command("XACK", arity=-4, flags="write fast", keys=(1, 1, 1), group="stream",
         summary="Marks a pending message as correctly processed, effectively removing it from "
                 "the pending entries list of the consumer group. Return value of the command "
                 "is the number of messages successfully acknowledged, that is, the IDs we "
                 "were actually able to resolve in the PEL.", since="5.0.0",
         complexity="O(1) for each message ID processed.")
def xack(ctx, key, group_name, *ids):
    s = _stream(ctx, key)
    g = None if s is None else s.groups.get(group_name)
    if g is None:
        return 0
    parsed = [strict_id(a) for a in ids]
    acked = 0
    for i in parsed:
        if g.ack(i):
            acked += 1
    ctx.engine.dirty += acked
    return acked


@command("XPENDING", arity=-3, flags="readonly", keys=(1, 1, 1), group="stream",
         summary="Return information and entries from a stream consumer group pending "
                 "entries list, that are messages fetched but never acknowledged.",
         since="5.0.0",
         complexity="O(N) with N being the number of elements returned, so asking for a small "
                    "fixed number of entries per call is O(1). O(M), where M is the total "
                    "number of entries scanned when used with the IDLE filter. When the "
                    "command returns just the summary and the list of consumers is small, it "
                    "runs in O(1) time; otherwise, an additional O(N) time for iterating "
                    "every consumer.")
def xpending(ctx, key, group_name, *args):
    argc = len(args) + 3
    if argc != 3 and (argc < 6 or argc > 9):
        raise _err(errors.SYNTAX)
    consumer_name = None
    if args:
        at = 0
        minidle = 0
        if args[0].lower() == b"idle":
            minidle = parse_int(args[1])
            if argc < 8:
                raise _err(errors.SYNTAX)
            at = 2
        count = parse_int(args[at + 2])
        count = max(count, 0)
        start = _range_start(args[at])
        end = _range_end(args[at + 1])
        if at + 3 < len(args):
            consumer_name = args[at + 3]
    _s, g = _group_or_nogroup(ctx, key, group_name)
    if not args:
        if not g.pel:
            return [0, None, None, NULL_ARRAY]
        owners = [[c.name, b"%d" % len(c.pel)] for c in g.sorted_consumers() if c.pel]
        return [len(g.pel), format_id(g.pel.keys()[0]), format_id(g.pel.keys()[-1]), owners]
    pel = g.pel
    if consumer_name is not None:
        c = g.consumers.get(consumer_name)
        if c is None:
            return []
        pel = c.pel
    now = now_ms()
    out = []
    if count and start <= end:
        for i in pel.irange(start, end):
            nack = pel[i]
            idle = now - nack.delivery_time
            if minidle and idle < minidle:
                continue
            out.append([format_id(i), nack.consumer.name, max(idle, 0), nack.delivery_count])
            if len(out) == count:
                break
    return out


def _claim(group, nack, consumer, i):
    if nack.consumer is not consumer:
        if nack.consumer is not None:
            del nack.consumer.pel[i]
        consumer.pel[i] = nack
        nack.consumer = consumer


@command("XCLAIM", arity=-6, flags="write fast", keys=(1, 1, 1), group="stream",
         summary="Changes (or acquires) ownership of a message in a consumer group, as if the "
                 "message was delivered to the specified consumer.", since="5.0.0",
         complexity="O(log N) with N being the number of messages in the PEL of the consumer "
                    "group.")
def xclaim(ctx, key, group_name, consumer_name, min_idle, *args):
    s, g = _group_or_nogroup(ctx, key, group_name)
    minidle = parse_int(min_idle, _err(errors.XCLAIM_MIN_IDLE))
    minidle = max(minidle, 0)
    ids = []
    j = 0
    for a in args:
        try:
            ids.append(strict_id(a))
        except ReplyError:
            break
        j += 1
    now = now_ms()
    retrycount = -1
    delivery = -1
    force = justid = False
    last_id = 0
    n = len(args)
    while j < n:
        more = n - 1 - j
        opt = args[j].lower()
        if opt == b"force":
            force = True
        elif opt == b"justid":
            justid = True
        elif opt == b"idle" and more:
            j += 1
            delivery = now - parse_int(args[j], _err(errors.XCLAIM_IDLE))
        elif opt == b"time" and more:
            j += 1
            delivery = parse_int(args[j], _err(errors.XCLAIM_TIME))
        elif opt == b"retrycount" and more:
            j += 1
            retrycount = parse_int(args[j], _err(errors.XCLAIM_RETRYCOUNT))
        elif opt == b"lastid" and more:
            j += 1
            last_id = strict_id(args[j])
        else:
            raise _err(errors.XCLAIM_UNKNOWN_OPTION % args[j].decode("utf-8", "replace"))
        j += 1
    fx = _Effects(ctx)
    propagate_last_id = False
    if last_id > g.last_id:
        g.last_id = last_id
        propagate_last_id = True
    if delivery != -1:
        if delivery < 0 or delivery > now:
            delivery = now
    else:
        delivery = now
    engine = ctx.engine
    consumer = None
    out = []
    for i in ids:
        nack = g.pel.get(i)
        if i not in s.entries:
            if nack is not None:          # the entry is gone: so is its pending state
                fx.xclaim(key, g, nack, i)
                propagate_last_id = False
                engine.dirty += 1
                g.ack(i)
            continue
        if force and nack is None:
            nack = Nack(None, now)
            g.pel[i] = nack
        if nack is None:
            continue
        if nack.consumer is not None and minidle and now - nack.delivery_time < minidle:
            continue
        if consumer is None:
            consumer = _consumer(ctx, s, key, g, consumer_name, now, fx)
        nack.delivery_time = delivery
        if retrycount >= 0:
            nack.delivery_count = retrycount
        elif not justid:
            nack.delivery_count += 1
        _claim(g, nack, consumer, i)
        out.append(format_id(i) if justid else _entry(s, i))
        fx.xclaim(key, g, nack, i)
        propagate_last_id = False
        engine.dirty += 1
    if propagate_last_id:
        fx.setid(key, g)
        engine.dirty += 1
    fx.done()
    return out


@command("XAUTOCLAIM", arity=-6, flags="write fast", keys=(1, 1, 1), group="stream",
         summary="Changes (or acquires) ownership of messages in a consumer group, as if the "
                 "messages were delivered to the specified consumer.", since="6.2.0",
         complexity="O(1) if COUNT is small.")
def xautoclaim(ctx, key, group_name, consumer_name, min_idle, start_arg, *args):
    minidle = parse_int(min_idle, _err(errors.XAUTOCLAIM_MIN_IDLE))
    minidle = max(minidle, 0)
    start = _range_start(start_arg)
    count = 100
    justid = False
    j = 0
    n = len(args)
    while j < n:
        opt = args[j].lower()
        if opt == b"count" and j + 1 < n:
            count = parse_int(args[j + 1], _err(errors.XAUTOCLAIM_COUNT))
            if count < 1 or count > (2 ** 63 - 1) // 16:
                raise _err(errors.XAUTOCLAIM_COUNT)
            j += 1
        elif opt == b"justid":
            justid = True
        else:
            raise _err(errors.SYNTAX)
        j += 1
    s, g = _group_or_nogroup(ctx, key, group_name)
    if count * 16 > _TRANSIENT_ALLOC_MAX:
        raise _err(errors.XAUTOCLAIM_COUNT_TOO_HIGH)
    attempts = count * 10
    now = now_ms()
    fx = _Effects(ctx)
    engine = ctx.engine
    consumer = None
    claimed = []
    deleted = []
    pel = g.pel
    pos = pel.bisect_left(start)
    cursor = 0
    while True:
        if not attempts:
            break
        attempts -= 1
        if not count:
            break
        if pos >= len(pel):
            break
        i = pel.keys()[pos]
        nack = pel[i]
        if i not in s.entries:
            fx.xclaim(key, g, nack, i)
            engine.dirty += 1
            g.ack(i)
            deleted.append(format_id(i))
            count -= 1
            continue
        pos += 1
        if minidle and now - nack.delivery_time < minidle:
            continue
        if consumer is None:
            consumer = _consumer(ctx, s, key, g, consumer_name, now, fx)
        nack.delivery_time = now
        if not justid:
            nack.delivery_count += 1
        _claim(g, nack, consumer, i)
        claimed.append(format_id(i) if justid else _entry(s, i))
        count -= 1
        fx.xclaim(key, g, nack, i)
        engine.dirty += 1
    if pos < len(pel):
        cursor = pel.keys()[pos]
    fx.done()
    return [format_id(cursor), claimed, deleted]


# -- XINFO ----------------------------------------------------------------------------------
container("XINFO", group="stream", summary="A container for stream introspection commands",
          since="5.0.0")

_XINFO_HELP = (
    "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
    "HELP",
    "    Prints this help.",
)


def _xinfo_stream(ctx, key):
    s = _stream(ctx, key)
    if s is None:
        raise _err(errors.NO_SUCH_KEY)
    return s


@subcommand("XINFO", "CONSUMERS", arity=4, flags="readonly", keys=(2, 2, 1),
            summary="List the consumers in a consumer group", since="5.0.0",
            complexity="O(1)")
def xinfo_consumers(ctx, sub, key, group_name):
    s = _xinfo_stream(ctx, key)
    g = s.groups.get(group_name)
    if g is None:
        raise _err(errors.NOGROUP_FOR_KEY % (group_name.decode("utf-8", "replace"),
                                             key.decode("utf-8", "replace")))
    now = now_ms()
    return [{b"name": c.name, b"pending": len(c.pel), b"idle": max(0, now - c.seen_time)}
            for c in g.sorted_consumers()]


@subcommand("XINFO", "GROUPS", arity=3, flags="readonly", keys=(2, 2, 1),
            summary="List the consumer groups of a stream", since="5.0.0",
            complexity="O(1)")
def xinfo_groups(ctx, sub, key):
    s = _xinfo_stream(ctx, key)
    return [{b"name": g.name, b"consumers": len(g.consumers), b"pending": len(g.pel),
             b"last-delivered-id": format_id(g.last_id),
             b"entries-read": None if g.entries_read == INVALID_ENTRIES_READ
             else g.entries_read,
             b"lag": s.group_lag(g)}
            for g in s.sorted_groups()]


@subcommand("XINFO", "STREAM", arity=-3, flags="readonly", keys=(2, 2, 1),
            summary="Get information about a stream", since="5.0.0",
            complexity="O(1)")
def xinfo_stream(ctx, sub, key, *opts):
    s = _xinfo_stream(ctx, key)
    full = False
    count = 10
    if opts:
        if len(opts) not in (1, 3) or opts[0].lower() != b"full":
            raise _subcommand_syntax(sub, "XINFO")
        full = True
        if len(opts) == 3:
            if opts[1].lower() != b"count":
                raise _subcommand_syntax(sub, "XINFO")
            count = parse_int(opts[2])
            if count < 0:
                count = 10
    info = {
        b"length": len(s),
        b"radix-tree-keys": len(s.nodes),
        b"radix-tree-nodes": s.radix_tree_nodes(),
        b"last-generated-id": format_id(s.last_id),
        b"max-deleted-entry-id": format_id(s.max_deleted_id),
        b"entries-added": s.entries_added,
        b"recorded-first-entry-id": format_id(s.first_id),
    }
    if not full:
        info[b"groups"] = len(s.groups)
        info[b"first-entry"] = _entry(s, s.ids[0]) if len(s) else None
        info[b"last-entry"] = _entry(s, s.ids[-1]) if len(s) else None
        return info
    info[b"entries"] = _entries(s, 0, MAX_ID, count)
    groups = []
    for g in s.sorted_groups():
        pel = []
        for i, nack in g.pel.items():
            if count and len(pel) >= count:
                break
            pel.append([format_id(i), nack.consumer.name, nack.delivery_time,
                        nack.delivery_count])
        consumers = []
        for c in g.sorted_consumers():
            cpel = []
            for i, nack in c.pel.items():
                if count and len(cpel) >= count:
                    break
                cpel.append([format_id(i), nack.delivery_time, nack.delivery_count])
            consumers.append({b"name": c.name, b"seen-time": c.seen_time,
                              b"pel-count": len(c.pel), b"pending": cpel})
        groups.append({
            b"name": g.name, b"last-delivered-id": format_id(g.last_id),
            b"entries-read": None if g.entries_read == INVALID_ENTRIES_READ
            else g.entries_read,
            b"lag": s.group_lag(g), b"pel-count": len(g.pel), b"pending": pel,
            b"consumers": consumers})
    info[b"groups"] = groups
    return info


@subcommand("XINFO", "HELP", arity=2, flags="loading stale",
            summary="Show helpful text about the different subcommands", since="5.0.0",
            complexity="O(1)")
def xinfo_help(ctx, sub):
    return [Status(line.encode()) for line in _XINFO_HELP]


# -- XSETID ---------------------------------------------------------------------------------
@command("XSETID", arity=-3, flags="write denyoom fast", keys=(1, 1, 1), group="stream",
         summary="An internal command for replicating stream values", since="5.0.0",
         complexity="O(1)")
def xsetid(ctx, key, raw_id, *opts):
    i = strict_id(raw_id)
    entries_added = -1
    max_deleted = 0
    j = 0
    n = len(opts)
    while j < n:
        more = n - 1 - j
        opt = opts[j].lower()
        if opt == b"entriesadded" and more:
            entries_added = parse_int(opts[j + 1])
            if entries_added < 0:
                raise _err(errors.XSETID_ENTRIES_ADDED_NEGATIVE)
            j += 2
        elif opt == b"maxdeletedid" and more:
            max_deleted = strict_id(opts[j + 1])
            if i < max_deleted:
                raise _err(errors.XSETID_BELOW_MAX_DELETED)
            j += 2
        else:
            raise _err(errors.SYNTAX)
    s = _stream(ctx, key)
    if s is None:
        raise _err(errors.NO_SUCH_KEY)
    if len(s):
        if i < s.last_live_id():
            raise _err(errors.XSETID_TOO_SMALL)
        if entries_added != -1 and len(s) > entries_added:
            raise _err(errors.XSETID_ENTRIES_ADDED_SMALL)
    s.last_id = i
    if entries_added != -1:
        s.entries_added = entries_added
    if max_deleted:
        s.max_deleted_id = max_deleted
    _changed(ctx, key, "xsetid")
    return OK
