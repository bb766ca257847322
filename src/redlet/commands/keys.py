"""Generic key commands and expiry: DEL, EXISTS, TYPE, KEYS, SCAN, RENAME,
COPY, MOVE, EXPIRE and friends, TTL, PERSIST, OBJECT."""
import copy as _copy

from .. import errors
from ..errors import ReplyError
from ..keyspace.db import TYPE_NAMES, now_ms
from ..keyspace.values import HashValue, ListValue, SetValue, TypedValue
from ..keyspace.zset import ZSetValue
from ..protocol import OK, Status
from ..util import INT64_MAX, glob_match, parse_int
from .registry import command

_NO_SUCH_KEY = ReplyError(errors.NO_SUCH_KEY)


def _del(ctx, keys):
    db = ctx.db
    n = 0
    for k in keys:
        if db.delete(k):
            n += 1
            ctx.engine.notify(db, "g", "del", k)
    ctx.engine.dirty += n
    return n


@command("DEL", arity=-2, flags="write", keys=(1, -1, 1), group="generic",
         summary="Deletes one or more keys.",
         complexity="O(N) where N is the number of keys that will be removed.")
def del_(ctx, *keys):
    return _del(ctx, keys)


@command("UNLINK", arity=-2, flags="write fast", keys=(1, -1, 1), group="generic",
         summary="Asynchronously deletes one or more keys.", since="4.0.0",
         complexity="O(1) for each key removed regardless of its size.")
def unlink(ctx, *keys):
    return _del(ctx, keys)


@command("DELETE", arity=-2, flags="write", keys=(1, -1, 1), group="generic",
         summary="Deletes one or more keys (the seed server's name for DEL).", since="0.1.0",
         complexity="O(N) where N is the number of keys that will be removed.")
def delete(ctx, *keys):
    return _del(ctx, keys)


@command("EXISTS", arity=-2, flags="readonly fast", keys=(1, -1, 1), group="generic",
         summary="Determines whether one or more keys exist.", since="1.0.0",
         complexity="O(N) where N is the number of keys to check.")
def exists(ctx, *keys):
    get = ctx.db.get
    return sum(1 for k in keys if get(k) is not None)


@command("TOUCH", arity=-2, flags="readonly fast", keys=(1, -1, 1), group="generic",
         summary="Returns the number of existing keys out of those specified after updating "
                 "the time they were last accessed.", since="3.2.1",
         complexity="O(N) where N is the number of keys that will be touched.")
def touch(ctx, *keys):
    return exists(ctx, *keys)


@command("TYPE", arity=2, flags="readonly fast", keys=(1, 1, 1), group="generic",
         summary="Determines the type of value stored at a key.", complexity="O(1)")
def type_(ctx, key):
    v = ctx.db.get(key)
    if v is None:
        return Status(b"none")
    return Status(TYPE_NAMES.get(type(v), b"string"))


@command("KEYS", arity=2, flags="readonly", keys=(0, 0, 0), group="generic",
         summary="Returns all key names that match a pattern.",
         complexity="O(N) with N being the number of keys in the database")
def keys(ctx, pattern):
    db = ctx.db
    now = now_ms()
    expires = db.expires
    out = []
    everything = pattern == b"*"
    for k in list(db.data):
        when = expires.get(k) if expires else None
        if when is not None and when <= now:
            db.expire_now(k)
            continue
        if everything or glob_match(pattern, k):
            out.append(k)
    return out


_SCANS = {}          # cursor id -> snapshot of keys (bounded)
_MAX_SCANS = 64


def scan_snapshot(keys_iterable, cursor):
    """Resumable iteration over a snapshot of keys: returns (keys list, position).

    A scan takes a snapshot of the key names at cursor 0 and walks it, so a key
    present for the whole scan is returned exactly once; keys deleted since are
    skipped by the caller.  The cursor encodes (snapshot id, position); an
    unknown (evicted) snapshot restarts from a fresh one, which may repeat keys
    but never misses one.  Costs 8 bytes per key per running scan.
    """
    if cursor:
        sid, pos = cursor & 0xFFFF, cursor >> 16
        snap = _SCANS.get(sid)
        if snap is not None:
            return sid, snap, pos
    snap = list(keys_iterable)
    sid = 1
    while sid in _SCANS:
        sid += 1
        if sid > 0xFFFF:
            _SCANS.clear()
            sid = 1
    if len(_SCANS) >= _MAX_SCANS:
        _SCANS.pop(next(iter(_SCANS)))
    _SCANS[sid] = snap
    return sid, snap, 0


def parse_scan_args(args, allow_type=True):
    pattern = None
    count = 10
    kind = None
    i = 0
    while i < len(args):
        opt = args[i].upper()
        if i + 1 >= len(args):
            raise ReplyError(errors.SYNTAX)
        if opt == b"MATCH":
            pattern = args[i + 1]
            if pattern == b"*":
                pattern = None
        elif opt == b"COUNT":
            count = parse_int(args[i + 1])
            if count < 1:
                raise ReplyError(errors.SYNTAX)
        elif opt == b"TYPE" and allow_type:
            kind = args[i + 1].lower()
        else:
            raise ReplyError(errors.SYNTAX)
        i += 2
    return pattern, count, kind


def parse_cursor(raw):
    if not raw.isdigit() or len(raw) > 20 or int(raw) > 2 ** 64 - 1:
        raise ReplyError(errors.CURSOR_INVALID)
    return int(raw)


@command("SCAN", arity=-2, flags="readonly", keys=(0, 0, 0), group="generic",
         summary="Iterates over the key names in the database.", since="2.8.0",
         complexity="O(1) for every call. O(N) for a complete iteration.")
def scan(ctx, cursor, *args):
    cur = parse_cursor(cursor)
    pattern, count, kind = parse_scan_args(args)
    db = ctx.db
    sid, snap, pos = scan_snapshot(db.data, cur)
    out = []
    end = min(pos + count, len(snap))
    for k in snap[pos:end]:
        v = db.get(k)
        if v is None:
            continue
        if pattern is not None and not glob_match(pattern, k):
            continue
        if kind is not None and TYPE_NAMES.get(type(v), b"string") != kind:
            continue
        out.append(k)
    if end >= len(snap):
        _SCANS.pop(sid, None)
        return [b"0", out]
    return [b"%d" % ((end << 16) | sid), out]


@command("RANDOMKEY", arity=1, flags="readonly", keys=(0, 0, 0), group="generic",
         summary="Returns a random key name from the database.", complexity="O(1)")
def randomkey(ctx):
    return ctx.db.random_key()


def _rename(ctx, src, dst, nx):
    db = ctx.db
    v = db.get(src)
    if v is None:
        raise _NO_SUCH_KEY
    if src == dst:
        return 0 if nx else OK
    if nx and db.get(dst) is not None:
        return 0
    when = db.expires.get(src)
    db.delete(src)
    db.set(dst, v)
    if when is not None:
        db.set_expire(dst, when)
    ctx.engine.dirty += 1
    ctx.engine.notify(db, "g", "rename_from", src)
    ctx.engine.notify(db, "g", "rename_to", dst)
    db.signal_ready(dst)
    return 1 if nx else OK


@command("RENAME", arity=3, flags="write", keys=(1, 2, 1), group="generic",
         summary="Renames a key and overwrites the destination.", complexity="O(1)")
def rename(ctx, src, dst):
    return _rename(ctx, src, dst, False)


@command("RENAMENX", arity=3, flags="write fast", keys=(1, 2, 1), group="generic",
         summary="Renames a key only when the target key name doesn't exist.",
         complexity="O(1)")
def renamenx(ctx, src, dst):
    return _rename(ctx, src, dst, True)


def copy_value(v):
    t = type(v)
    if t is bytes:
        return v
    if t is ZSetValue:
        return v.copy()
    if t is ListValue:
        return ListValue(v)
    if t is HashValue:
        return HashValue(v)
    if t is SetValue:
        return SetValue(v)
    if t is TypedValue:
        return TypedValue(_copy.deepcopy(v.value))
    return _copy.deepcopy(v)


@command("COPY", arity=-3, flags="write denyoom", keys=(1, 2, 1), group="generic",
         summary="Copies the value of a key to a new key.", since="6.2.0",
         complexity="O(N) worst case for collections, where N is the number of nested items. "
                    "O(1) for string values.", write_keys=lambda argv: [argv[2]])
def copy(ctx, src, dst, *args):
    target = ctx.db
    replace = False
    i = 0
    while i < len(args):
        opt = args[i].upper()
        if opt == b"REPLACE":
            replace = True
            i += 1
        elif opt == b"DB" and i + 1 < len(args):
            idx = parse_int(args[i + 1])
            if idx < 0 or idx >= len(ctx.engine.dbs):
                raise ReplyError(errors.DB_INDEX_OUT_OF_RANGE)
            target = ctx.engine.dbs[idx]
            i += 2
        else:
            raise ReplyError(errors.SYNTAX)
    db = ctx.db
    if src == dst and target is db:
        raise ReplyError(errors.SAME_OBJECT)
    v = db.get(src)
    if v is None:
        return 0
    if target.get(dst) is not None:
        if not replace:
            return 0
        target.delete(dst)
    target.set(dst, copy_value(v))
    when = db.expires.get(src)
    if when is not None:
        target.set_expire(dst, when)
    if target is not db and target.watched:
        target.touch(dst)
    ctx.engine.dirty += 1
    ctx.engine.notify(target, "g", "copy_to", dst)
    target.signal_ready(dst)
    return 1


@command("MOVE", arity=3, flags="write fast", keys=(1, 1, 1), group="generic",
         summary="Moves a key to another database.", complexity="O(1)")
def move(ctx, key, dbindex):
    try:
        idx = parse_int(dbindex)
    except ReplyError:
        raise ReplyError(errors.NOT_INTEGER) from None
    if idx < 0 or idx >= len(ctx.engine.dbs):
        raise ReplyError(errors.DB_INDEX_OUT_OF_RANGE)
    db = ctx.db
    target = ctx.engine.dbs[idx]
    if target is db:
        raise ReplyError(errors.SAME_OBJECT)
    v = db.get(key)
    if v is None or target.get(key) is not None:
        return 0
    when = db.expires.get(key)
    db.delete(key)
    target.set(key, v)
    if when is not None:
        target.set_expire(key, when)
    if target.watched:
        target.touch(key)
    ctx.engine.dirty += 1
    ctx.engine.notify(db, "g", "move_from", key)
    ctx.engine.notify(target, "g", "move_to", key)
    target.signal_ready(key)
    return 1


# -- expiry --------------------------------------------------------------------------
def _expire(ctx, name, key, raw, unit_ms, absolute, args):
    nx = xx = gt = lt = False
    for a in args:
        opt = a.upper()
        if opt == b"NX":
            nx = True
        elif opt == b"XX":
            xx = True
        elif opt == b"GT":
            gt = True
        elif opt == b"LT":
            lt = True
        else:
            raise ReplyError("ERR Unsupported option %s" % a.decode("utf-8", "replace"))
    if nx and (xx or gt or lt):
        raise ReplyError("ERR NX and XX, GT or LT options at the same time are not compatible")
    if gt and lt:
        raise ReplyError("ERR GT and LT options at the same time are not compatible")
    v = parse_int(raw)
    now = now_ms()
    if unit_ms == 1000:
        if v > INT64_MAX // 1000 or v < -(INT64_MAX // 1000):
            raise ReplyError(errors.INVALID_EXPIRE % name)
        v *= 1000
    if not absolute:
        if v > INT64_MAX - now:
            raise ReplyError(errors.INVALID_EXPIRE % name)
        v += now
    db = ctx.db
    if db.get(key) is None:
        return 0
    current = db.expires.get(key)
    if nx and current is not None:
        return 0
    if xx and current is None:
        return 0
    if gt and (current is None or v <= current):
        return 0
    if lt and current is not None and v >= current:
        return 0
    if v <= now:
        db.delete(key)
        ctx.engine.dirty += 1
        ctx.engine.rewrite_propagation(ctx, (db.id, [b"DEL", key]))
        ctx.engine.notify(db, "g", "del", key)
        return 1
    db.set_expire(key, v)
    ctx.engine.dirty += 1
    if name != "pexpireat":
        ctx.engine.rewrite_propagation(ctx, (db.id, [b"PEXPIREAT", key, b"%d" % v]))
    ctx.engine.notify(db, "g", "expire", key)
    return 1


_EXPIRE_COMPLEXITY = "O(1)"


@command("EXPIRE", arity=-3, flags="write fast", keys=(1, 1, 1), group="generic",
         summary="Sets the expiration time of a key in seconds.", complexity="O(1)")
def expire(ctx, key, seconds, *args):
    return _expire(ctx, "expire", key, seconds, 1000, False, args)


@command("PEXPIRE", arity=-3, flags="write fast", keys=(1, 1, 1), group="generic",
         summary="Sets the expiration time of a key in milliseconds.", since="2.6.0",
         complexity="O(1)")
def pexpire(ctx, key, ms, *args):
    return _expire(ctx, "pexpire", key, ms, 1, False, args)


@command("EXPIREAT", arity=-3, flags="write fast", keys=(1, 1, 1), group="generic",
         summary="Sets the expiration time of a key to a Unix timestamp.", since="1.2.0",
         complexity="O(1)")
def expireat(ctx, key, when, *args):
    return _expire(ctx, "expireat", key, when, 1000, True, args)


@command("PEXPIREAT", arity=-3, flags="write fast", keys=(1, 1, 1), group="generic",
         summary="Sets the expiration time of a key to a Unix milliseconds timestamp.",
         since="2.6.0", complexity="O(1)")
def pexpireat(ctx, key, when, *args):
    return _expire(ctx, "pexpireat", key, when, 1, True, args)


@command("TTL", arity=2, flags="readonly fast", keys=(1, 1, 1), group="generic",
         summary="Returns the expiration time in seconds of a key.", complexity="O(1)")
def ttl(ctx, key):
    ms = ctx.db.ttl_ms(key)
    return ms if ms < 0 else (ms + 500) // 1000


@command("PTTL", arity=2, flags="readonly fast", keys=(1, 1, 1), group="generic",
         summary="Returns the expiration time in milliseconds of a key.", since="2.6.0",
         complexity="O(1)")
def pttl(ctx, key):
    return ctx.db.ttl_ms(key)


def _expiretime(ctx, key, div):
    db = ctx.db
    if db.get(key) is None:
        return -2
    when = db.expires.get(key)
    if when is None:
        return -1
    return (when + div // 2) // div


@command("EXPIRETIME", arity=2, flags="readonly fast", keys=(1, 1, 1), group="generic",
         summary="Returns the expiration time of a key as a Unix timestamp.", since="7.0.0",
         complexity="O(1)")
def expiretime(ctx, key):
    return _expiretime(ctx, key, 1000)


@command("PEXPIRETIME", arity=2, flags="readonly fast", keys=(1, 1, 1), group="generic",
         summary="Returns the expiration time of a key as a Unix milliseconds timestamp.",
         since="7.0.0", complexity="O(1)")
def pexpiretime(ctx, key):
    return _expiretime(ctx, key, 1)


@command("PERSIST", arity=2, flags="write fast", keys=(1, 1, 1), group="generic",
         summary="Removes the expiration time of a key.", since="2.2.0", complexity="O(1)")
def persist(ctx, key):
    db = ctx.db
    if db.get(key) is None or not db.persist(key):
        return 0
    ctx.engine.dirty += 1
    ctx.engine.notify(db, "g", "persist", key)
    return 1


# -- OBJECT --------------------------------------------------------------------------
def object_encoding(engine, v):
    cfg = engine.config
    t = type(v)
    if t is bytes:
        if len(v) <= 20:
            try:
                parse_int(v)
                return b"int"
            except ReplyError:
                pass
        return b"embstr" if len(v) <= 44 else b"raw"
    if t is ListValue:
        return b"listpack" if len(v) <= 128 and all(len(x) <= 64 for x in v) else b"quicklist"
    if t is HashValue:
        small = len(v) <= cfg["hash-max-listpack-entries"] and all(
            len(a) <= cfg["hash-max-listpack-value"] and len(b) <= cfg["hash-max-listpack-value"]
            for a, b in v.items())
        return b"listpack" if small else b"hashtable"
    if t is SetValue:
        if len(v) <= cfg["set-max-intset-entries"]:
            try:
                for m in v:
                    parse_int(m)
                return b"intset"
            except ReplyError:
                pass
        return b"hashtable"
    if t is ZSetValue:
        small = len(v) <= cfg["zset-max-listpack-entries"] and all(
            len(m) <= cfg["zset-max-listpack-value"] for m in v.scores)
        return b"listpack" if small else b"skiplist"
    return b"raw"


@command("OBJECT", arity=-2, flags="readonly", keys=(2, 2, 1), group="generic",
         summary="A container for object introspection commands.", since="2.2.3",
         complexity="Depends on subcommand.")
def object_(ctx, sub, *args):
    s = sub.upper()
    if s == b"HELP" and not args:
        return [Status(x.encode()) for x in (
            "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "ENCODING <key>", "    Return the kind of internal representation used in order "
            "to store the value", "    associated with a <key>.", "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>", "    Return the idle time of the <key>, that is the approximated "
            "number of", "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>", "    Return the number of references of the value associated "
            "with the specified", "    <key>.", "HELP", "    Print this help.")]
    if s not in (b"ENCODING", b"REFCOUNT", b"IDLETIME", b"FREQ", b"HELP"):
        raise ReplyError(errors.UNKNOWN_SUBCOMMAND % (sub.decode("utf-8", "replace"), "OBJECT"))
    if len(args) != (0 if s == b"HELP" else 1):
        raise ReplyError(errors.WRONG_ARITY % ("object|" + s.decode().lower()))
    v = ctx.db.get(args[0])
    if v is None:
        return None
    if s == b"ENCODING":
        return object_encoding(ctx.engine, v)
    if s == b"REFCOUNT":
        return 1
    if s == b"IDLETIME":
        if "lfu" in ctx.engine.config["maxmemory-policy"]:
            raise ReplyError("ERR An LFU maxmemory policy is selected, idle time not tracked. "
                             "Please note that when switching between policies at runtime LRU "
                             "and LFU data will take some time to adjust.")
        return 0
    if "lfu" not in ctx.engine.config["maxmemory-policy"]:
        raise ReplyError("ERR An LFU maxmemory policy is not selected, access frequency not "
                         "tracked. Please note that when switching between policies at "
                         "runtime LRU and LFU data will take some time to adjust.")
    return 0
