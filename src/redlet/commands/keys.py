"""Generic key commands (group "generic"): DEL, UNLINK, DELETE, EXISTS, TOUCH,
TYPE, KEYS, SCAN, RANDOMKEY, RENAME, RENAMENX, COPY, MOVE, OBJECT, and expiry:
EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, EXPIRETIME, PEXPIRETIME,
PERSIST.

Replies, errors, keyspace events and propagation follow Redis 7.0
(``db.c``, ``expire.c``, ``object.c``).  Deadlines are absolute unix times in
ms; relative ones (EXPIRE, PEXPIRE) and EXPIREAT propagate as PEXPIREAT, and
a deadline already past deletes the key and propagates DEL (UNLINK with
``lazyfree-lazy-expire``), notifying ``del``, as Redis does.
"""
import copy as _copy
import itertools
import random
import time

from .. import errors
from ..errors import ReplyError
from ..keyspace.db import TYPE_NAMES, now_ms
from ..keyspace.scan import parse_cursor, parse_scan_options, pattern_matcher, scan_page
from ..keyspace.stream import StreamValue
from ..keyspace.values import HashValue, ListValue, SetValue, TypedValue
from ..keyspace.zset import ZSetValue
from ..protocol import OK, Status
from ..util import INT64_MAX, INT64_MIN, parse_int
from .registry import command, container, subcommand

_INT32_MIN, _INT32_MAX = -2 ** 31, 2 ** 31 - 1

# values whose arrival at a key may serve clients blocked on it (BLPOP, BZPOPMIN,
# XREAD...): everything but the plain ones
_NOT_BLOCKABLE = (bytes, HashValue, SetValue, TypedValue)


def type_name(v):
    """TYPE's answer for a stored value (``keyspace.db.TYPE_NAMES``)."""
    name = TYPE_NAMES.get(type(v))
    if name is None:
        name = getattr(v, "type_name", b"string")
    return name


def _db_index(ctx, raw):
    """A database index argument as Redis reads one (``getIntFromObjectOrReply``
    then ``selectDb``): the Database it names."""
    idx = parse_int(raw)
    if idx < _INT32_MIN or idx > _INT32_MAX:
        raise ReplyError(errors.INT_OUT_OF_RANGE % (_INT32_MIN, _INT32_MAX))
    dbs = ctx.engine.dbs
    if idx < 0 or idx >= len(dbs):
        raise ReplyError(errors.DB_INDEX_OUT_OF_RANGE)
    return dbs[idx]


def _signal_arrival(db, key, v):
    if type(v) not in _NOT_BLOCKABLE:
        db.signal_ready(key)


# -- DEL, EXISTS, TYPE -------------------------------------------------------------
def _del(ctx, keys):
    db = ctx.db
    engine = ctx.engine
    n = 0
    for k in keys:
        if db.delete(k):
            n += 1
            engine.notify(db, "g", "del", k)
    engine.dirty += n
    return n


@command("DEL", arity=-2, flags="write", keys=(1, -1, 1), group="generic",
         summary="Delete a key",
         complexity="O(N) where N is the number of keys that will be removed. When a key to "
                    "remove holds a value other than a string, the individual complexity for "
                    "this key is O(M) where M is the number of elements in the list, set, "
                    "sorted set or hash. Removing a single key that holds a string value is "
                    "O(1).")
def del_(ctx, *keys):
    return _del(ctx, keys)


@command("UNLINK", arity=-2, flags="write fast", keys=(1, -1, 1), group="generic",
         summary="Delete a key asynchronously in another thread. Otherwise it is just as DEL, but "
                 "non blocking.", since="4.0.0",
         complexity="O(1) for each key removed regardless of its size. Then the command does "
                    "O(N) work in a different thread in order to reclaim memory, where N is "
                    "the number of allocations the deleted objects where composed of.")
def unlink(ctx, *keys):
    return _del(ctx, keys)


@command("DELETE", arity=-2, flags="write", keys=(1, -1, 1), group="generic",
         summary="Deletes one or more keys (the seed server's name for DEL).", since="0.1.0",
         complexity="O(N) where N is the number of keys that will be removed.")
def delete(ctx, *keys):
    return _del(ctx, keys)


@command("EXISTS", arity=-2, flags="readonly fast", keys=(1, -1, 1), group="generic",
         summary="Determine if a key exists", since="1.0.0",
         complexity="O(N) where N is the number of keys to check.")
def exists(ctx, *keys):
    get = ctx.db.get
    n = 0
    for k in keys:             # duplicates count as many times as they are named
        if get(k) is not None:
            n += 1
    return n


@command("TOUCH", arity=-2, flags="readonly fast", keys=(1, -1, 1), group="generic",
         summary="Alters the last access time of a key(s). Returns the number of existing keys "
                 "specified.", since="3.2.1",
         complexity="O(N) where N is the number of keys that will be touched.")
def touch(ctx, *keys):
    return exists(ctx, *keys)


@command("TYPE", arity=2, flags="readonly fast", keys=(1, 1, 1), group="generic",
         summary="Determine the type stored at key", complexity="O(1)")
def type_(ctx, key):
    v = ctx.db.get(key)
    return Status(b"none" if v is None else type_name(v))


# -- KEYS, SCAN, RANDOMKEY -----------------------------------------------------------
@command("KEYS", arity=2, flags="readonly", keys=(0, 0, 0), group="generic",
         summary="Find all keys matching the given pattern", acl=("dangerous",),
         complexity="O(N) with N being the number of keys in the database, under the "
                    "assumption that the key names in the database and the given pattern "
                    "have limited length.")
def keys(ctx, pattern):
    db = ctx.db
    match = pattern_matcher(pattern)
    if match is pattern.__eq__:                 # no wildcard: one lookup
        return [pattern] if db.get(pattern) is not None else []
    candidates = list(db.data) if match is None else [k for k in db.data if match(k)]
    expires = db.expires
    if not expires:
        return candidates
    # expired keys are left out, not deleted: KEYS reads only (as Redis)
    now = now_ms()
    return [k for k in candidates if expires.get(k, INT64_MAX) >= now]


@command("SCAN", arity=-2, flags="readonly", keys=(0, 0, 0), group="generic",
         summary="Incrementally iterate the keys space", since="2.8.0",
         complexity="O(1) for every call. O(N) for a complete iteration, including enough "
                    "command calls for the cursor to return back to 0. N is the number of "
                    "elements inside the collection.")
def scan(ctx, cursor, *args):
    cur = parse_cursor(cursor)
    pattern, count, kind = parse_scan_options(args)
    db = ctx.db
    nxt, candidates = scan_page(db, db.data, cur, count)
    match = pattern_matcher(pattern)
    if match is not None:
        candidates = [k for k in candidates if match(k)]
    if kind is not None:
        kind = kind.lower()
    out = []
    get = db.get
    for k in candidates:
        v = get(k)                  # skips keys deleted since the snapshot, and expires
        if v is None:
            continue
        if kind is not None and type_name(v) != kind:
            continue
        out.append(k)
    return [b"%d" % nxt, out]


# RANDOMKEY on a big database samples a list of its keys (dicts cannot be
# indexed), rebuilt when stale: the list is per Database, bounded in number.
_SAMPLES = {}               # id(db) -> (db, keys list, built at (monotonic s))
_MAX_SAMPLES = 64
_SMALL_DB = 4096            # below this, a walk to a random position is cheap enough


def _random_candidate(db):
    data = db.data
    n = len(data)
    if n <= _SMALL_DB:
        return next(itertools.islice(iter(data), random.randrange(n), None))
    entry = _SAMPLES.get(id(db))
    now = time.monotonic()
    if (entry is None or entry[0] is not db or now - entry[2] > 1.0
            or abs(len(entry[1]) - n) > n // 8):
        if entry is None and len(_SAMPLES) >= _MAX_SAMPLES:
            _SAMPLES.pop(next(iter(_SAMPLES)))
        entry = _SAMPLES[id(db)] = (db, list(data), now)
    sample = entry[1]
    for _ in range(16):
        k = sample[random.randrange(len(sample))]
        if k in data:
            return k
    entry = _SAMPLES[id(db)] = (db, list(data), now)
    return entry[1][random.randrange(len(entry[1]))]


@command("RANDOMKEY", arity=1, flags="readonly", keys=(0, 0, 0), group="generic",
         summary="Return a random key from the keyspace", complexity="O(1)")
def randomkey(ctx):
    db = ctx.db
    while db.data:
        k = _random_candidate(db)
        if db.get(k) is not None:   # an expired pick is deleted: draw again
            return k
    return None


# -- RENAME, COPY, MOVE --------------------------------------------------------------
def _rename(ctx, src, dst, nx):
    db = ctx.db
    v = db.get(src)
    if v is None:
        raise ReplyError(errors.NO_SUCH_KEY)
    if src == dst:
        return 0 if nx else OK
    if db.get(dst) is not None:
        if nx:
            return 0
        db.delete(dst)
    when = db.expires.get(src)
    del db.data[src]
    if when is not None:
        del db.expires[src]
    if type(v) is StreamValue:
        db.signal_ready(src)        # a blocked XREADGROUP hears its stream went away
    db.set(dst, v)
    if when is not None:
        db.set_expire(dst, when)
    engine = ctx.engine
    engine.dirty += 1
    engine.notify(db, "g", "rename_from", src)
    engine.notify(db, "g", "rename_to", dst)
    _signal_arrival(db, dst, v)
    return 1 if nx else OK


@command("RENAME", arity=3, flags="write", keys=(1, 2, 1), group="generic",
         summary="Rename a key", complexity="O(1)")
def rename(ctx, src, dst):
    return _rename(ctx, src, dst, False)


@command("RENAMENX", arity=3, flags="write fast", keys=(1, 2, 1), group="generic",
         summary="Rename a key, only if the new key does not exist",
         complexity="O(1)")
def renamenx(ctx, src, dst):
    return _rename(ctx, src, dst, True)


def copy_value(v):
    """An independent copy of a stored value (COPY): later writes to either
    key never show through the other."""
    t = type(v)
    if t is bytes:
        return v                    # immutable
    if t is ListValue:
        return ListValue(v)         # elements are bytes: a shallow copy is deep
    if t is HashValue:
        return HashValue(v)
    if t is SetValue:
        return SetValue(v)
    if t is ZSetValue:
        return v.copy()
    if t is TypedValue:
        return TypedValue(_copy.deepcopy(v.value))
    own = getattr(v, "copy", None)  # value types added later (streams) copy themselves
    return own() if own is not None else _copy.deepcopy(v)


def _copy_written_keys(argv):
    # With DB the handler signals the key in the target database itself; the
    # dispatcher would touch it in the current one.
    for a in argv[3:]:
        if a.lower() == b"db":
            return ()
    return (argv[2],)


@command("COPY", arity=-3, flags="write denyoom", keys=(1, 2, 1), group="generic",
         summary="Copy a key", since="6.2.0",
         complexity="O(N) worst case for collections, where N is the number of nested items. "
                    "O(1) for string values.", write_keys=_copy_written_keys)
def copy(ctx, src, dst, *args):
    db = ctx.db
    target = db
    explicit_db = False
    replace = False
    i = 0
    n = len(args)
    while i < n:
        opt = args[i].lower()
        if opt == b"replace":
            replace = True
        elif opt == b"db" and i + 1 < n:
            target = _db_index(ctx, args[i + 1])
            explicit_db = True
            i += 1
        else:
            raise ReplyError(errors.SYNTAX)
        i += 1
    if target is db and src == dst:
        raise ReplyError(errors.SAME_OBJECT)
    v = db.get(src)
    if v is None:
        return 0
    if target.get(dst) is not None:
        if not replace:
            return 0
        target.delete(dst)
    when = db.expires.get(src)
    v = copy_value(v)
    target.set(dst, v)
    if when is not None:
        target.set_expire(dst, when)
    if explicit_db and target.watched:
        target.touch(dst)
    engine = ctx.engine
    engine.dirty += 1
    engine.notify(target, "g", "copy_to", dst)
    _signal_arrival(target, dst, v)
    return 1


@command("MOVE", arity=3, flags="write fast", keys=(1, 1, 1), group="generic",
         summary="Move a key to another database", complexity="O(1)")
def move(ctx, key, dbindex):
    db = ctx.db
    target = _db_index(ctx, dbindex)
    if target is db:
        raise ReplyError(errors.SAME_OBJECT)
    v = db.get(key)
    if v is None or target.get(key) is not None:
        return 0
    when = db.expires.get(key)
    del db.data[key]
    if when is not None:
        del db.expires[key]
    if type(v) is StreamValue:
        db.signal_ready(key)        # a blocked XREADGROUP hears its stream went away
    target.set(key, v)
    if when is not None:
        target.set_expire(key, when)
    if target.watched:
        target.touch(key)
    engine = ctx.engine
    engine.dirty += 1
    engine.notify(db, "g", "move_from", key)
    engine.notify(target, "g", "move_to", key)
    _signal_arrival(target, key, v)
    return 1


# -- expiry --------------------------------------------------------------------------
_NX, _XX, _GT, _LT = 1, 2, 4, 8
_EXPIRE_FLAGS = {b"nx": _NX, b"xx": _XX, b"gt": _GT, b"lt": _LT}


def _expire(ctx, name, key, raw, unit_ms, absolute, args):
    flags = 0
    for a in args:
        f = _EXPIRE_FLAGS.get(a.lower())
        if f is None:
            raise ReplyError(errors.EXPIRE_UNSUPPORTED_OPTION % a.decode("utf-8", "replace"))
        flags |= f
    if flags & _NX and flags & (_XX | _GT | _LT):
        raise ReplyError(errors.EXPIRE_NX_CONFLICT)
    if flags & _GT and flags & _LT:
        raise ReplyError(errors.EXPIRE_GT_LT_CONFLICT)
    when = parse_int(raw)
    if unit_ms == 1000:
        # C division truncates toward zero: LLONG_MIN / 1000 = -9223372036854775
        if when > INT64_MAX // 1000 or when < -(-INT64_MIN // 1000):
            raise ReplyError(errors.INVALID_EXPIRE % name)
        when *= 1000
    now = now_ms()
    if not absolute:
        if when > INT64_MAX - now:
            raise ReplyError(errors.INVALID_EXPIRE % name)
        when += now
    db = ctx.db
    if db.get(key) is None:
        return 0
    if flags:
        current = db.expires.get(key)
        if flags & _NX and current is not None:
            return 0
        if flags & _XX and current is None:
            return 0
        # no TTL counts as an infinite one: GT never wins over it, LT always does
        if flags & _GT and (current is None or when <= current):
            return 0
        if flags & _LT and current is not None and when >= current:
            return 0
    engine = ctx.engine
    engine.dirty += 1
    if when <= now:
        db.delete(key)
        verb = b"UNLINK" if engine.config["lazyfree-lazy-expire"] else b"DEL"
        engine.rewrite_propagation(ctx, (db.id, [verb, key]))
        engine.notify(db, "g", "del", key)
        return 1
    db.set_expire(key, when)
    if name != "pexpireat":
        engine.rewrite_propagation(ctx, (db.id, [b"PEXPIREAT", key, b"%d" % when, *args]))
    engine.notify(db, "g", "expire", key)
    return 1


@command("EXPIRE", arity=-3, flags="write fast", keys=(1, 1, 1), group="generic",
         summary="Set a key's time to live in seconds", complexity="O(1)")
def expire(ctx, key, seconds, *args):
    return _expire(ctx, "expire", key, seconds, 1000, False, args)


@command("PEXPIRE", arity=-3, flags="write fast", keys=(1, 1, 1), group="generic",
         summary="Set a key's time to live in milliseconds", since="2.6.0",
         complexity="O(1)")
def pexpire(ctx, key, ms, *args):
    return _expire(ctx, "pexpire", key, ms, 1, False, args)


@command("EXPIREAT", arity=-3, flags="write fast", keys=(1, 1, 1), group="generic",
         summary="Set the expiration for a key as a UNIX timestamp", since="1.2.0",
         complexity="O(1)")
def expireat(ctx, key, when, *args):
    return _expire(ctx, "expireat", key, when, 1000, True, args)


@command("PEXPIREAT", arity=-3, flags="write fast", keys=(1, 1, 1), group="generic",
         summary="Set the expiration for a key as a UNIX timestamp specified in milliseconds",
         since="2.6.0", complexity="O(1)")
def pexpireat(ctx, key, when, *args):
    return _expire(ctx, "pexpireat", key, when, 1, True, args)


@command("TTL", arity=2, flags="readonly fast", keys=(1, 1, 1), group="generic",
         summary="Get the time to live for a key in seconds", complexity="O(1)")
def ttl(ctx, key):
    ms = ctx.db.ttl_ms(key)
    return ms if ms < 0 else (ms + 500) // 1000


@command("PTTL", arity=2, flags="readonly fast", keys=(1, 1, 1), group="generic",
         summary="Get the time to live for a key in milliseconds", since="2.6.0",
         complexity="O(1)")
def pttl(ctx, key):
    return ctx.db.ttl_ms(key)


def _expiretime(ctx, key):
    db = ctx.db
    if db.get(key) is None:
        return -2
    when = db.expires.get(key)
    return -1 if when is None else when


@command("EXPIRETIME", arity=2, flags="readonly fast", keys=(1, 1, 1), group="generic",
         summary="Get the expiration Unix timestamp for a key", since="7.0.0",
         complexity="O(1)")
def expiretime(ctx, key):
    when = _expiretime(ctx, key)
    return when if when < 0 else (when + 500) // 1000


@command("PEXPIRETIME", arity=2, flags="readonly fast", keys=(1, 1, 1), group="generic",
         summary="Get the expiration Unix timestamp for a key in milliseconds",
         since="7.0.0", complexity="O(1)")
def pexpiretime(ctx, key):
    return _expiretime(ctx, key)


@command("PERSIST", arity=2, flags="write fast", keys=(1, 1, 1), group="generic",
         summary="Remove the expiration from a key", since="2.2.0", complexity="O(1)")
def persist(ctx, key):
    db = ctx.db
    if db.get(key) is None or not db.persist(key):
        return 0
    ctx.engine.dirty += 1
    ctx.engine.notify(db, "g", "persist", key)
    return 1


# -- OBJECT --------------------------------------------------------------------------
_SHARED_INTEGERS = 10000              # Redis shares the objects for 0..9999
_SHARED_REFCOUNT = 2 ** 31 - 1        # OBJ_SHARED_REFCOUNT
_EMBSTR_LIMIT = 44                    # OBJ_ENCODING_EMBSTR_SIZE_LIMIT


def _int_or_none(b):
    """``b`` as Redis' ``string2ll`` reads a 64-bit integer, or None (no
    exception: OBJECT ENCODING asks this of every member of a set)."""
    n = len(b)
    if n == 0 or n > 20:
        return None
    if b == b"0":
        return 0
    digits = b[1:] if b[0] == 0x2D else b
    if not digits.isdigit() or digits[0] == 0x30:
        return None
    v = int(b)
    return v if INT64_MIN <= v <= INT64_MAX else None


def _shared_integers(config):
    """Redis stops sharing integer objects when maxmemory evicts by LRU/LFU."""
    policy = config["maxmemory-policy"]
    return not config["maxmemory"] or not ("lru" in policy or "lfu" in policy)


def object_encoding(config, v):
    """The encoding Redis 7.0 would report for a value of this content.

    Redis converts small encodings to big ones one way only (a set that once
    held a non-integer stays ``hashtable``) and APPEND/SETRANGE leave strings
    ``raw``; we answer from the value as it is now.
    """
    t = type(v)
    if t is bytes:
        if _int_or_none(v) is not None:
            return b"int"
        return b"embstr" if len(v) <= _EMBSTR_LIMIT else b"raw"
    if t is ListValue:
        return b"quicklist"           # 7.0 has no listpack lists (7.2 does)
    if t is HashValue:
        limit = config["hash-max-listpack-value"]
        if len(v) <= config["hash-max-listpack-entries"] and all(
                len(f) <= limit and len(x) <= limit for f, x in v.items()):
            return b"listpack"
        return b"hashtable"
    if t is SetValue:
        if len(v) <= config["set-max-intset-entries"] and all(
                _int_or_none(m) is not None for m in v):
            return b"intset"
        return b"hashtable"           # 7.0 has no listpack sets (7.2 does)
    if t is ZSetValue:
        # a sorted set that outgrew the limits stays a skiplist (Redis never
        # converts back on removals)
        limit = config["zset-max-listpack-value"]
        if v.listpack and len(v) <= config["zset-max-listpack-entries"] and all(
                len(m) <= limit for m in v.scores):
            return b"listpack"
        return b"skiplist"
    encoding = getattr(v, "encoding", None)   # value types added later (streams)
    return encoding if encoding is not None else b"raw"


_OBJECT = container("OBJECT", group="generic",
                    summary="A container for object introspection commands", since="2.2.3")
_OBJECT.acl_categories = ["slow"]           # the container itself, as Redis lists it

_OBJECT_HELP = (
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
)


@subcommand("OBJECT", "HELP", arity=2, flags="loading stale",
            summary="Show helpful text about the different subcommands", since="6.2.0",
            complexity="O(1)")
def object_help(ctx, _):
    return [Status(line.encode()) for line in _OBJECT_HELP]


@subcommand("OBJECT", "ENCODING", arity=3, flags="readonly", keys=(2, 2, 1),
            summary="Inspect the internal encoding of a Redis object",
            since="2.2.3", complexity="O(1)")
def object_encoding_(ctx, _, key):
    v = ctx.db.get(key)
    return None if v is None else object_encoding(ctx.engine.config, v)


@subcommand("OBJECT", "REFCOUNT", arity=3, flags="readonly", keys=(2, 2, 1),
            summary="Get the number of references to the value of the key",
            since="2.2.3", complexity="O(1)")
def object_refcount(ctx, _, key):
    v = ctx.db.get(key)
    if v is None:
        return None
    if type(v) is bytes and _shared_integers(ctx.engine.config):
        i = _int_or_none(v)
        if i is not None and 0 <= i < _SHARED_INTEGERS:
            return _SHARED_REFCOUNT
    return 1


def _lfu(config):
    return "lfu" in config["maxmemory-policy"]


@subcommand("OBJECT", "IDLETIME", arity=3, flags="readonly", keys=(2, 2, 1),
            summary="Get the time since a Redis object was last accessed", since="2.2.3", complexity="O(1)")
def object_idletime(ctx, _, key):
    if ctx.db.get(key) is None:
        return None
    if _lfu(ctx.engine.config):
        raise ReplyError(errors.OBJECT_IDLETIME_LFU)
    return 0        # access times are not tracked


@subcommand("OBJECT", "FREQ", arity=3, flags="readonly", keys=(2, 2, 1),
            summary="Get the logarithmic access frequency counter of a Redis object", since="4.0.0", complexity="O(1)")
def object_freq(ctx, _, key):
    if ctx.db.get(key) is None:
        return None
    if not _lfu(ctx.engine.config):
        raise ReplyError(errors.OBJECT_FREQ_NOT_LFU)
    return 0        # access frequencies are not tracked

