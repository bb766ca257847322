"""Hash commands (group "hash", Redis 7.0's t_hash.c).

A hash is a ``HashValue`` (a dict of field -> value, both bytes); a hash
whose last field goes is deleted.  Replies, errors, dirty counting, keyspace
events (class ``h``) and propagation follow Redis 7.0: HSET counts one
change per field/value pair given, HDEL one per field removed,
HINCRBYFLOAT computes in Redis' long double (``strings.parse_long_double``)
and propagates as ``HSET key field <result>``.

Python dicts keep insertion order, as Redis' small (listpack) hashes do, so
HKEYS, HVALS, HGETALL and HSCAN of a small hash list fields in the order
Redis does.
"""
from .. import errors
from ..errors import ReplyError
from ..keyspace.scan import parse_cursor
from ..keyspace.db import _WRONGTYPE
from ..keyspace.values import HashValue
from ..protocol import OK
from ..util import INT64_MAX, INT64_MIN, parse_int
from ._members import random_distinct, random_one, random_repeated, scan_reply
from .keys import object_encoding
from .registry import command
from .strings import _ld_round, format_long_double, parse_long_double

_LONG_MAX = INT64_MAX


def _hash(ctx, key):
    """The hash at ``key`` or None; WRONGTYPE for another type."""
    return ctx.db.get_typed(key, HashValue)


def _hash_or_create(ctx, key):
    """The hash at ``key``, created empty (and stored) if missing."""
    db = ctx.db
    h = db.get_typed(key, HashValue)
    if h is None:
        h = HashValue()
        db.set(key, h)
    return h


def _changed(ctx, key, event, dirty=1):
    engine = ctx.engine
    engine.dirty += dirty
    if engine.notify_flags:
        engine.notify(ctx.db, "h", event, key)


# -- HSET and friends -----------------------------------------------------------------
def _hset(ctx, name, key, pairs):
    n = len(pairs)
    if n == 0 or n & 1:
        raise ReplyError(errors.WRONG_ARITY % name)
    db = ctx.db
    h = db.get(key)             # _hash_or_create, inline: HSET is a hot command
    if h is None:
        h = HashValue()
        db.set(key, h)
    elif type(h) is not HashValue:
        raise _WRONGTYPE
    before = len(h)
    for i in range(0, n, 2):
        h[pairs[i]] = pairs[i + 1]
    # as Redis: one change per pair given, whether or not its value changed
    _changed(ctx, key, "hset", n >> 1)
    return len(h) - before


@command("HSET", arity=-4, flags="write denyoom fast", keys=(1, 1, 1), group="hash",
         summary="Set the string value of a hash field", since="2.0.0",
         complexity="O(1) for each field/value pair added, so O(N) to add N field/value "
                    "pairs when the command is called with multiple field/value pairs.")
def hset(ctx, key, *pairs):
    return _hset(ctx, "hset", key, pairs)


@command("HMSET", arity=-4, flags="write denyoom fast", keys=(1, 1, 1), group="hash",
         summary="Set multiple hash fields to multiple values", since="2.0.0",
         complexity="O(N) where N is the number of fields being set.")
def hmset(ctx, key, *pairs):
    _hset(ctx, "hmset", key, pairs)
    return OK


@command("HSETNX", arity=4, flags="write denyoom fast", keys=(1, 1, 1), group="hash",
         summary="Set the value of a hash field, only if the field does not exist",
         since="2.0.0", complexity="O(1)")
def hsetnx(ctx, key, field, value):
    h = _hash(ctx, key)
    if h is not None and field in h:
        return 0
    _hash_or_create(ctx, key)[field] = value
    _changed(ctx, key, "hset")
    return 1


# -- reads ------------------------------------------------------------------------------
@command("HGET", arity=3, flags="readonly fast", keys=(1, 1, 1), group="hash",
         summary="Get the value of a hash field", since="2.0.0", complexity="O(1)")
def hget(ctx, key, field):
    h = _hash(ctx, key)
    return None if h is None else h.get(field)


@command("HMGET", arity=-3, flags="readonly fast", keys=(1, 1, 1), group="hash",
         summary="Get the values of all the given hash fields", since="2.0.0",
         complexity="O(N) where N is the number of fields being requested.")
def hmget(ctx, key, *fields):
    h = _hash(ctx, key)
    if h is None:
        return [None] * len(fields)
    get = h.get
    return [get(f) for f in fields]


@command("HEXISTS", arity=3, flags="readonly fast", keys=(1, 1, 1), group="hash",
         summary="Determine if a hash field exists", since="2.0.0", complexity="O(1)")
def hexists(ctx, key, field):
    h = _hash(ctx, key)
    return 1 if h is not None and field in h else 0


@command("HLEN", arity=2, flags="readonly fast", keys=(1, 1, 1), group="hash",
         summary="Get the number of fields in a hash", since="2.0.0", complexity="O(1)")
def hlen(ctx, key):
    h = _hash(ctx, key)
    return 0 if h is None else len(h)


@command("HSTRLEN", arity=3, flags="readonly fast", keys=(1, 1, 1), group="hash",
         summary="Get the length of the value of a hash field", since="3.2.0",
         complexity="O(1)")
def hstrlen(ctx, key, field):
    h = _hash(ctx, key)
    v = None if h is None else h.get(field)
    return 0 if v is None else len(v)


@command("HKEYS", arity=2, flags="readonly", keys=(1, 1, 1), group="hash",
         summary="Get all the fields in a hash", since="2.0.0",
         complexity="O(N) where N is the size of the hash.")
def hkeys(ctx, key):
    h = _hash(ctx, key)
    return [] if h is None else list(h)


@command("HVALS", arity=2, flags="readonly", keys=(1, 1, 1), group="hash",
         summary="Get all the values in a hash", since="2.0.0",
         complexity="O(N) where N is the size of the hash.")
def hvals(ctx, key):
    h = _hash(ctx, key)
    return [] if h is None else list(h.values())


@command("HGETALL", arity=2, flags="readonly", keys=(1, 1, 1), group="hash",
         summary="Get all the fields and values in a hash", since="2.0.0",
         complexity="O(N) where N is the size of the hash.")
def hgetall(ctx, key):
    h = _hash(ctx, key)
    return {} if h is None else dict(h)       # a map in RESP3, a flat array in RESP2


# -- HDEL -------------------------------------------------------------------------------
@command("HDEL", arity=-3, flags="write fast", keys=(1, 1, 1), group="hash",
         summary="Delete one or more hash fields", since="2.0.0",
         complexity="O(N) where N is the number of fields to be removed.")
def hdel(ctx, key, *fields):
    h = _hash(ctx, key)
    if h is None:
        return 0
    deleted = 0
    for f in fields:
        if h.pop(f, None) is not None:
            deleted += 1
            if not h:
                break
    if deleted:
        _changed(ctx, key, "hdel", deleted)
        if not h:
            ctx.db.delete(key)
            ctx.engine.notify(ctx.db, "g", "del", key)
    return deleted


# -- counters ---------------------------------------------------------------------------
@command("HINCRBY", arity=4, flags="write denyoom fast", keys=(1, 1, 1), group="hash",
         summary="Increment the integer value of a hash field by the given number",
         since="2.0.0", complexity="O(1)")
def hincrby(ctx, key, field, increment):
    delta = parse_int(increment)
    h = _hash(ctx, key)
    old = None if h is None else h.get(field)
    if old is None:
        value = 0
    else:
        try:
            value = parse_int(old)
        except ReplyError:
            raise ReplyError(errors.HASH_VALUE_NOT_INTEGER) from None
    value += delta
    if value > INT64_MAX or value < INT64_MIN:
        raise ReplyError(errors.OVERFLOW)
    _hash_or_create(ctx, key)[field] = b"%d" % value
    _changed(ctx, key, "hincrby")
    return value


@command("HINCRBYFLOAT", arity=4, flags="write denyoom fast", keys=(1, 1, 1), group="hash",
         summary="Increment the float value of a hash field by the given amount",
         since="2.6.0", complexity="O(1)")
def hincrbyfloat(ctx, key, field, increment):
    inc = parse_long_double(increment)
    if inc is None:
        raise ReplyError(errors.NOT_FLOAT)
    if type(inc) is float:                    # inf
        raise ReplyError(errors.VALUE_NAN_OR_INF)
    h = _hash(ctx, key)
    old = None if h is None else h.get(field)
    if old is None:
        cur = (0, 0)
    else:
        cur = parse_long_double(old)
        if cur is None:
            raise ReplyError(errors.HASH_VALUE_NOT_FLOAT)
        if type(cur) is float:
            raise ReplyError(errors.INCR_NAN_INF)
    (m1, k1), (m2, k2) = cur, inc
    k = min(k1, k2)
    total = _ld_round((m1 << (k1 - k)) + (m2 << (k2 - k)), k)
    if total is None:
        raise ReplyError(errors.INCR_NAN_INF)
    text = format_long_double(total)
    _hash_or_create(ctx, key)[field] = text
    _changed(ctx, key, "hincrbyfloat")
    # replayed as the value it produced, whatever the float formatting elsewhere
    ctx.engine.rewrite_propagation(ctx, (ctx.db.id, [b"HSET", key, field, text]))
    return text


# -- HRANDFIELD -------------------------------------------------------------------------
@command("HRANDFIELD", arity=-2, flags="readonly", keys=(1, 1, 1), group="hash",
         summary="Get one or multiple random fields from a hash", since="6.2.0",
         complexity="O(N) where N is the number of fields returned")
def hrandfield(ctx, key, *args):
    if not args:
        h = _hash(ctx, key)
        return None if h is None else random_one(h)
    count = parse_int(args[0])
    if count < -_LONG_MAX:
        raise ReplyError(errors.INT_OUT_OF_RANGE % (-_LONG_MAX, _LONG_MAX))
    withvalues = False
    if len(args) > 2 or (len(args) == 2 and args[1].lower() != b"withvalues"):
        raise ReplyError(errors.SYNTAX)
    if len(args) == 2:
        withvalues = True
        if count < -(_LONG_MAX // 2) or count > _LONG_MAX // 2:
            raise ReplyError(errors.VALUE_OUT_OF_RANGE)
    h = _hash(ctx, key)
    if h is None or count == 0:
        return []
    if count < 0 or count == 1:
        fields = random_repeated(h, -count if count < 0 else 1)
    elif count >= len(h):
        fields = list(h)                      # the whole hash, in its order
    else:
        fields = random_distinct(h, count)
    if not withvalues:
        return fields
    if ctx.resp3:
        return [[f, h[f]] for f in fields]    # Redis 7.0: an array of pairs
    out = []
    for f in fields:
        out.append(f)
        out.append(h[f])
    return out


# -- HSCAN ------------------------------------------------------------------------------
def _scan_whole(config, h):
    """How many fields Redis returns in one HSCAN call: all of a listpack hash."""
    if (len(h) <= config["hash-max-listpack-entries"]
            and object_encoding(config, h) == b"listpack"):
        return len(h)
    return 0


@command("HSCAN", arity=-3, flags="readonly", keys=(1, 1, 1), group="hash",
         summary="Incrementally iterate hash fields and associated values", since="2.8.0",
         complexity="O(1) for every call. O(N) for a complete iteration, including enough "
                    "command calls for the cursor to return back to 0. N is the number of "
                    "elements inside the collection..")
def hscan(ctx, key, cursor, *args):
    cur = parse_cursor(cursor)
    h = _hash(ctx, key)
    whole = 0 if h is None else _scan_whole(ctx.engine.config, h)
    return scan_reply(h, cur, args, whole, pairs=True)
