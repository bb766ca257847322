"""String commands (Redis' t_string.c): GET, SET and friends, counters, ranges.

Strings are stored as plain ``bytes``; a RESP3 client's typed value (the
seed's native values) is stored as ``TypedValue`` by the commands flagged
``typed`` and returned with its type by the reading commands.
"""
import math

from .. import errors
from ..errors import ReplyError
from ..keyspace.db import now_ms
from ..keyspace.values import TypedValue
from ..protocol import OK
from ..util import INT64_MAX, INT64_MIN, parse_float, parse_int
from .registry import command

_WRONGTYPE = ReplyError(errors.WRONGTYPE)
_SYNTAX = ReplyError(errors.SYNTAX)
_NOT_INTEGER = ReplyError(errors.NOT_INTEGER)
_OVERFLOW = ReplyError(errors.OVERFLOW)
_MAX_STRING = 512 * 1024 * 1024


def _store(value):
    """A request value as stored: bytes as they are, typed values wrapped."""
    return value if type(value) is bytes else TypedValue(value)


def _load(value):
    """A stored string value as a reply."""
    if value is None or type(value) is bytes:
        return value
    if type(value) is TypedValue:
        return value.value
    raise _WRONGTYPE


def _every_other(start):
    return lambda argc: range(start, argc, 2)


# -- GET / SET ---------------------------------------------------------------------
@command("GET", arity=2, flags="readonly fast", keys=(1, 1, 1), group="string",
         summary="Returns the string value of a key.", complexity="O(1)")
def get(ctx, key):
    return _load(ctx.db.get(key))


def _expire_arg(unit, raw, cmdname, now):
    """Absolute deadline in ms for EX/PX/EXAT/PXAT ``raw``."""
    v = parse_int(raw)
    if v <= 0:
        raise ReplyError(errors.INVALID_EXPIRE % cmdname)
    if unit == b"EX":
        if v > (INT64_MAX - now) // 1000:
            raise ReplyError(errors.INVALID_EXPIRE % cmdname)
        return now + v * 1000
    if unit == b"PX":
        if v > INT64_MAX - now:
            raise ReplyError(errors.INVALID_EXPIRE % cmdname)
        return now + v
    if unit == b"EXAT":
        if v > INT64_MAX // 1000:
            raise ReplyError(errors.INVALID_EXPIRE % cmdname)
        return v * 1000
    return v


def _set_options(args, cmdname):
    """Parse SET's options: (nx, xx, get, keepttl, unit, raw_expire)."""
    nx = xx = get = keepttl = False
    unit = raw = None
    i = 0
    n = len(args)
    while i < n:
        opt = args[i].upper()
        if opt == b"NX" and not xx:
            nx = True
        elif opt == b"XX" and not nx:
            xx = True
        elif opt == b"GET":
            get = True
        elif opt == b"KEEPTTL" and unit is None:
            keepttl = True
        elif opt in (b"EX", b"PX", b"EXAT", b"PXAT") and unit is None and not keepttl \
                and i + 1 < n:
            unit = opt
            raw = args[i + 1]
            i += 1
        else:
            raise _SYNTAX
        i += 1
    return nx, xx, get, keepttl, unit, raw


@command("SET", arity=-3, flags="write denyoom typed", keys=(1, 1, 1), group="string",
         summary="Sets the string value of a key, ignoring its type. The key is created if "
                 "it doesn't exist.", complexity="O(1)")
def set_(ctx, key, value, *args):
    db = ctx.db
    if not args:                                    # the common shape, kept cheap
        db.set(key, value if type(value) is bytes else TypedValue(value))
        ctx.engine.dirty += 1
        if ctx.engine.notify_flags:
            ctx.engine.notify(db, "$", "set", key)
        return OK
    nx, xx, get, keepttl, unit, raw = _set_options(args, "set")
    now = now_ms()
    when = _expire_arg(unit, raw, "set", now) if unit is not None else None
    old = db.get(key)
    if get and old is not None and type(old) is not bytes and type(old) is not TypedValue:
        raise _WRONGTYPE
    reply = _load(old) if get else OK
    if (nx and old is not None) or (xx and old is None):
        return reply if get else None
    db.set(key, _store(value), keepttl=keepttl)
    if when is not None:
        if when <= now:
            db.delete(key)
            ctx.engine.dirty += 1
            ctx.engine.rewrite_propagation(ctx, (db.id, [b"DEL", key]))
            ctx.engine.notify(db, "g", "del", key)
            return reply
        db.set_expire(key, when)
        if unit != b"PXAT":
            ctx.engine.rewrite_propagation(ctx, (db.id, [b"SET", key, value, b"PXAT",
                                                         b"%d" % when]))
    ctx.engine.dirty += 1
    ctx.engine.notify(db, "$", "set", key)
    if when is not None:
        ctx.engine.notify(db, "g", "expire", key)
    return reply


set_.typed_positions = lambda argc: (2,)


@command("SETNX", arity=3, flags="write denyoom fast typed", keys=(1, 1, 1), group="string",
         summary="Set the string value of a key only when the key doesn't exist.",
         complexity="O(1)")
def setnx(ctx, key, value):
    db = ctx.db
    if db.get(key) is not None:
        return 0
    db.set(key, _store(value))
    ctx.engine.dirty += 1
    ctx.engine.notify(db, "$", "set", key)
    return 1


setnx.typed_positions = lambda argc: (2,)


def _setex(ctx, key, raw, value, unit, name):
    db = ctx.db
    now = now_ms()
    when = _expire_arg(unit, raw, name, now)
    db.set(key, _store(value))
    db.set_expire(key, when)
    ctx.engine.dirty += 1
    ctx.engine.rewrite_propagation(ctx, (db.id, [b"SET", key, value, b"PXAT",
                                                 b"%d" % when]))
    ctx.engine.notify(db, "$", "set", key)
    ctx.engine.notify(db, "g", "expire", key)
    return OK


@command("SETEX", arity=4, flags="write denyoom typed", keys=(1, 1, 1), group="string",
         summary="Sets the string value and expiration time of a key. Creates the key if it "
                 "doesn't exist.", since="2.0.0", complexity="O(1)")
def setex(ctx, key, seconds, value):
    return _setex(ctx, key, seconds, value, b"EX", "setex")


setex.typed_positions = lambda argc: (3,)


@command("PSETEX", arity=4, flags="write denyoom typed", keys=(1, 1, 1), group="string",
         summary="Sets both string value and expiration time in milliseconds of a key. The key "
                 "is created if it doesn't exist.", since="2.6.0", complexity="O(1)")
def psetex(ctx, key, ms, value):
    return _setex(ctx, key, ms, value, b"PX", "psetex")


psetex.typed_positions = lambda argc: (3,)


@command("GETSET", arity=3, flags="write denyoom fast typed", keys=(1, 1, 1), group="string",
         summary="Returns the previous string value of a key after setting it to a new value.",
         complexity="O(1)")
def getset(ctx, key, value):
    db = ctx.db
    old = _load(db.get(key))
    db.set(key, _store(value))
    ctx.engine.dirty += 1
    ctx.engine.notify(db, "$", "set", key)
    return old


getset.typed_positions = lambda argc: (2,)


@command("GETDEL", arity=2, flags="write fast", keys=(1, 1, 1), group="string",
         summary="Returns the string value of a key after deleting the key.", since="6.2.0",
         complexity="O(1)")
def getdel(ctx, key):
    db = ctx.db
    old = _load(db.get(key))
    if old is not None:
        db.delete(key)
        ctx.engine.dirty += 1
        ctx.engine.notify(db, "g", "del", key)
    return old


@command("GETEX", arity=-2, flags="write fast", keys=(1, 1, 1), group="string",
         summary="Returns the string value of a key after setting its expiration time.",
         since="6.2.0", complexity="O(1)")
def getex(ctx, key, *args):
    db = ctx.db
    unit = raw = None
    i = 0
    while i < len(args):
        opt = args[i].upper()
        if opt in (b"EX", b"PX", b"EXAT", b"PXAT") and unit is None and i + 1 < len(args):
            unit, raw = opt, args[i + 1]
            i += 2
        elif opt == b"PERSIST" and unit is None:
            unit = b"PERSIST"
            i += 1
        else:
            raise _SYNTAX
    now = now_ms()
    when = _expire_arg(unit, raw, "getex", now) if unit not in (None, b"PERSIST") else None
    value = db.get(key)
    reply = _load(value)
    if value is None or unit is None:
        return reply
    if unit == b"PERSIST":
        if db.persist(key):
            ctx.engine.dirty += 1
            ctx.engine.rewrite_propagation(ctx, (db.id, [b"PERSIST", key]))
            ctx.engine.notify(db, "g", "persist", key)
        return reply
    if when <= now:
        db.delete(key)
        ctx.engine.dirty += 1
        ctx.engine.rewrite_propagation(ctx, (db.id, [b"DEL", key]))
        ctx.engine.notify(db, "g", "del", key)
        return reply
    db.set_expire(key, when)
    ctx.engine.dirty += 1
    ctx.engine.rewrite_propagation(ctx, (db.id, [b"PEXPIREAT", key, b"%d" % when]))
    ctx.engine.notify(db, "g", "expire", key)
    return reply


@command("MGET", arity=-2, flags="readonly fast", keys=(1, -1, 1), group="string",
         summary="Atomically returns the string values of one or more keys.",
         complexity="O(N) where N is the number of keys to retrieve.")
def mget(ctx, *keys):
    get = ctx.db.get
    out = []
    for k in keys:
        v = get(k)
        t = type(v)
        out.append(v if t is bytes else v.value if t is TypedValue else None)
    return out


@command("MSET", arity=-3, flags="write denyoom typed", keys=(1, -1, 2), group="string",
         summary="Atomically creates or modifies the string values of one or more keys.",
         since="1.0.1", complexity="O(N) where N is the number of keys to set.")
def mset(ctx, *args):
    if len(args) % 2:
        raise ReplyError(errors.WRONG_ARITY % "mset")
    db = ctx.db
    for i in range(0, len(args), 2):
        key = args[i]
        db.set(key, _store(args[i + 1]))
        ctx.engine.notify(db, "$", "set", key)
    ctx.engine.dirty += len(args) // 2
    return OK


mset.typed_positions = _every_other(2)


@command("MSETNX", arity=-3, flags="write denyoom typed", keys=(1, -1, 2), group="string",
         summary="Atomically modifies the string values of one or more keys only when all "
                 "keys don't exist.", since="1.0.1",
         complexity="O(N) where N is the number of keys to set.")
def msetnx(ctx, *args):
    if len(args) % 2:
        raise ReplyError(errors.WRONG_ARITY % "msetnx")
    db = ctx.db
    for i in range(0, len(args), 2):
        if db.get(args[i]) is not None:
            return 0
    for i in range(0, len(args), 2):
        db.set(args[i], _store(args[i + 1]))
        ctx.engine.notify(db, "$", "set", args[i])
    ctx.engine.dirty += len(args) // 2
    return 1


msetnx.typed_positions = _every_other(2)


# -- editing -------------------------------------------------------------------------
@command("APPEND", arity=3, flags="write denyoom fast", keys=(1, 1, 1), group="string",
         summary="Appends a string to the value of a key. Creates the key if it doesn't exist.",
         since="2.0.0", complexity="O(1).")
def append(ctx, key, value):
    db = ctx.db
    old = db.get_string(key)
    new = value if old is None else old + value
    if len(new) > _MAX_STRING:
        raise ReplyError(errors.STRING_TOO_LONG)
    db.set(key, new, keepttl=True)
    ctx.engine.dirty += 1
    ctx.engine.notify(db, "$", "append", key)
    return len(new)


@command("STRLEN", arity=2, flags="readonly fast", keys=(1, 1, 1), group="string",
         summary="Returns the length of a string value.", since="2.2.0", complexity="O(1)")
def strlen(ctx, key):
    v = ctx.db.get_string(key)
    return 0 if v is None else len(v)


def _range(start, end, n):
    if start < 0:
        start = n + start
    if end < 0:
        end = n + end
    if start < 0:
        start = 0
    if end < 0:
        end = 0
    if end >= n:
        end = n - 1
    return start, end


@command("GETRANGE", arity=4, flags="readonly", keys=(1, 1, 1), group="string",
         summary="Returns a substring of the string stored at a key.", since="2.4.0",
         complexity="O(N) where N is the length of the returned string.")
def getrange(ctx, key, start, end):
    s = parse_int(start)
    e = parse_int(end)
    v = ctx.db.get_string(key)
    if v is None:
        return b""
    if s < 0 and e < 0 and s > e:
        return b""
    n = len(v)
    s, e = _range(s, e, n)
    if s > e or n == 0:
        return b""
    return v[s:e + 1]


@command("SUBSTR", arity=4, flags="readonly", keys=(1, 1, 1), group="string",
         summary="Returns a substring from a string value.",
         complexity="O(N) where N is the length of the returned string.")
def substr(ctx, key, start, end):
    return getrange(ctx, key, start, end)


@command("SETRANGE", arity=4, flags="write denyoom", keys=(1, 1, 1), group="string",
         summary="Overwrites a part of a string value with another by an offset. Creates the "
                 "key if it doesn't exist.", since="2.2.0", complexity="O(1)")
def setrange(ctx, key, offset, value):
    off = parse_int(offset)
    if off < 0:
        raise ReplyError(errors.OFFSET_OUT_OF_RANGE)
    db = ctx.db
    old = db.get_string(key)
    if old is None:
        if not value:
            return 0
        old = b""
    elif not value:
        return len(old)
    if off + len(value) > _MAX_STRING:
        raise ReplyError(errors.STRING_TOO_LONG)
    buf = bytearray(old)
    if len(buf) < off:
        buf.extend(b"\x00" * (off - len(buf)))
    buf[off:off + len(value)] = value
    db.set(key, bytes(buf), keepttl=True)
    ctx.engine.dirty += 1
    ctx.engine.notify(db, "$", "setrange", key)
    return len(buf)


# -- counters ------------------------------------------------------------------------
def _incr(ctx, key, delta):
    db = ctx.db
    old = db.get(key)
    if old is None:
        cur = 0
    elif type(old) is bytes:
        cur = parse_int(old) if len(old) <= 20 else None
        if cur is None:
            raise _NOT_INTEGER
    else:
        raise _WRONGTYPE
    new = cur + delta
    if new < INT64_MIN or new > INT64_MAX:
        raise _OVERFLOW
    db.set(key, b"%d" % new, keepttl=True)
    ctx.engine.dirty += 1
    if ctx.engine.notify_flags:
        ctx.engine.notify(db, "$", "incrby", key)
    return new


@command("INCR", arity=2, flags="write denyoom fast", keys=(1, 1, 1), group="string",
         summary="Increments the integer value of a key by one. Uses 0 as initial value if the "
                 "key doesn't exist.", complexity="O(1)")
def incr(ctx, key):
    return _incr(ctx, key, 1)


@command("DECR", arity=2, flags="write denyoom fast", keys=(1, 1, 1), group="string",
         summary="Decrements the integer value of a key by one. Uses 0 as initial value if the "
                 "key doesn't exist.", complexity="O(1)")
def decr(ctx, key):
    return _incr(ctx, key, -1)


@command("INCRBY", arity=3, flags="write denyoom fast", keys=(1, 1, 1), group="string",
         summary="Increments the integer value of a key by a number. Uses 0 as initial value "
                 "if the key doesn't exist.", complexity="O(1)")
def incrby(ctx, key, delta):
    return _incr(ctx, key, parse_int(delta))


@command("DECRBY", arity=3, flags="write denyoom fast", keys=(1, 1, 1), group="string",
         summary="Decrements a number from the integer value of a key. Uses 0 as initial value "
                 "if the key doesn't exist.", complexity="O(1)")
def decrby(ctx, key, delta):
    d = parse_int(delta)
    if d == INT64_MIN:
        raise ReplyError("ERR decrement would overflow")
    return _incr(ctx, key, -d)


def format_long_double(v):
    """INCRBYFLOAT's output: Redis prints a long double with %.17Lf and trims
    trailing zeros; the shortest repr that round-trips is what that gives for
    values that came from a double."""
    if v == int(v) and abs(v) < 1e17:
        return b"%d" % int(v)
    text = repr(v)
    if "e" in text or "E" in text:
        text = "%.17f" % v
        text = text.rstrip("0").rstrip(".")
    return text.encode()


@command("INCRBYFLOAT", arity=3, flags="write denyoom fast", keys=(1, 1, 1), group="string",
         summary="Increment the floating point value of a key by a number. Uses 0 as initial "
                 "value if the key doesn't exist.", since="2.6.0", complexity="O(1)")
def incrbyfloat(ctx, key, delta):
    db = ctx.db
    d = parse_float(delta)
    old = db.get(key)
    if old is None:
        cur = 0.0
    elif type(old) is bytes:
        cur = parse_float(old)
    else:
        raise _WRONGTYPE
    new = cur + d
    if math.isinf(new) or math.isnan(new):
        raise ReplyError(errors.INCR_NAN_INF)
    text = format_long_double(new)
    db.set(key, text, keepttl=True)
    ctx.engine.dirty += 1
    ctx.engine.rewrite_propagation(ctx, (db.id, [b"SET", key, text, b"KEEPTTL"]))
    ctx.engine.notify(db, "$", "incrbyfloat", key)
    return text



# -- bitmaps ---------------------------------------------------------------------------
_BIT_OFFSET = ReplyError(errors.BIT_OFFSET)
_MAX_BIT_OFFSET = 4 * 1024 * 1024 * 1024 - 1     # 512 MB in bits


def _bit_offset(raw):
    try:
        v = parse_int(raw)
    except ReplyError:
        raise _BIT_OFFSET from None
    if v < 0 or v > _MAX_BIT_OFFSET:
        raise _BIT_OFFSET
    return v


@command("SETBIT", arity=4, flags="write denyoom", keys=(1, 1, 1), group="bitmap",
         summary="Sets or clears the bit at offset of the string value. Creates the key if it "
                 "doesn't exist.", since="2.2.0", complexity="O(1)")
def setbit(ctx, key, offset, value):
    off = _bit_offset(offset)
    if value not in (b"0", b"1"):
        raise ReplyError(errors.BIT_VALUE)
    db = ctx.db
    old = db.get_string(key) or b""
    byte = off >> 3
    buf = bytearray(old)
    if len(buf) <= byte:
        buf.extend(b"\x00" * (byte + 1 - len(buf)))
    mask = 1 << (7 - (off & 7))
    prev = 1 if buf[byte] & mask else 0
    if value == b"1":
        buf[byte] |= mask
    else:
        buf[byte] &= ~mask & 0xFF
    db.set(key, bytes(buf), keepttl=True)
    ctx.engine.dirty += 1
    ctx.engine.notify(db, "$", "setbit", key)
    return prev


@command("GETBIT", arity=3, flags="readonly fast", keys=(1, 1, 1), group="bitmap",
         summary="Returns a bit value by offset.", since="2.2.0", complexity="O(1)")
def getbit(ctx, key, offset):
    off = _bit_offset(offset)
    v = ctx.db.get_string(key)
    if v is None or (off >> 3) >= len(v):
        return 0
    return 1 if v[off >> 3] & (1 << (7 - (off & 7))) else 0


def _bit_range(args, n_bytes, allow_end=True):
    """(start, end, bit_mode) from [start end [BYTE|BIT]] in BYTE or BIT units."""
    start = parse_int(args[0])
    end = parse_int(args[1]) if len(args) > 1 else None
    bit = False
    if len(args) > 2:
        unit = args[2].upper()
        if unit == b"BIT":
            bit = True
        elif unit != b"BYTE":
            raise _SYNTAX
    if len(args) > 3:
        raise _SYNTAX
    total = n_bytes * 8 if bit else n_bytes
    if end is None:
        end = total - 1
    if start < 0:
        start += total
    if end < 0:
        end += total
    if start < 0:
        start = 0
    if end < 0:
        end = 0
    if end >= total:
        end = total - 1
    return start, end, bit


@command("BITCOUNT", arity=-2, flags="readonly", keys=(1, 1, 1), group="bitmap",
         summary="Counts the number of set bits (population counting) in a string.",
         since="2.6.0", complexity="O(N)")
def bitcount(ctx, key, *args):
    if len(args) == 1 or len(args) > 3:
        raise _SYNTAX
    if args:
        parse_int(args[0])
        parse_int(args[1])
    v = ctx.db.get_string(key)
    if v is None:
        if len(args) == 3 and args[2].upper() not in (b"BIT", b"BYTE"):
            raise _SYNTAX
        return 0
    if not args:
        return int.from_bytes(v, "big").bit_count()
    start, end, bit = _bit_range(args, len(v))
    if start > end:
        return 0
    if not bit:
        return int.from_bytes(v[start:end + 1], "big").bit_count()
    n = int.from_bytes(v, "big")
    total = len(v) * 8
    width = end - start + 1
    return ((n >> (total - 1 - end)) & ((1 << width) - 1)).bit_count()


@command("BITPOS", arity=-3, flags="readonly", keys=(1, 1, 1), group="bitmap",
         summary="Finds the first set (1) or clear (0) bit in a string.", since="2.8.7",
         complexity="O(N)")
def bitpos(ctx, key, bit, *args):
    if bit not in (b"0", b"1"):
        raise ReplyError("ERR The bit argument must be 1 or 0.")
    if len(args) > 3:
        raise _SYNTAX
    for a in args[:2]:
        parse_int(a)
    want = bit == b"1"
    v = ctx.db.get_string(key)
    if v is None:
        if len(args) == 3 and args[2].upper() not in (b"BIT", b"BYTE"):
            raise _SYNTAX
        return -1 if want else 0
    end_given = len(args) >= 2
    if args:
        start, end, bitmode = _bit_range(args if len(args) > 1 else (args[0],), len(v))
    else:
        start, end, bitmode = 0, len(v) - 1, False
    if start > end:
        return -1
    if bitmode:
        first, last = start, end
    else:
        first, last = start * 8, end * 8 + 7
    for pos in range(first, last + 1):
        byte = v[pos >> 3]
        if (byte == 0 and want) or (byte == 0xFF and not want):
            continue
        if bool(byte & (1 << (7 - (pos & 7)))) == want:
            return pos
    if not want and not end_given and not bitmode:
        return last + 1
    return -1


@command("BITOP", arity=-4, flags="write denyoom", keys=(2, -1, 1), group="bitmap",
         summary="Performs bitwise operations on multiple strings, and stores the result.",
         since="2.6.0", complexity="O(N)", write_keys=lambda argv: [argv[2]])
def bitop(ctx, op, dest, *keys):
    o = op.upper()
    if o not in (b"AND", b"OR", b"XOR", b"NOT"):
        raise _SYNTAX
    if o == b"NOT" and len(keys) != 1:
        raise ReplyError("ERR BITOP NOT must be called with a single source key.")
    db = ctx.db
    values = [db.get_string(k) or b"" for k in keys]
    n = max((len(v) for v in values), default=0)
    if n == 0:
        if db.delete(dest):
            ctx.engine.dirty += 1
            ctx.engine.notify(db, "g", "del", dest)
        return 0
    ints = [int.from_bytes(v.ljust(n, b"\x00"), "big") for v in values]
    if o == b"NOT":
        r = ~ints[0] & ((1 << (8 * n)) - 1)
    else:
        r = ints[0]
        for x in ints[1:]:
            if o == b"AND":
                r &= x
            elif o == b"OR":
                r |= x
            else:
                r ^= x
    db.set(dest, r.to_bytes(n, "big"))
    ctx.engine.dirty += 1
    ctx.engine.notify(db, "$", "set", dest)
    return n


def _bitfield_type(raw):
    t = raw.lower()
    if t[:1] in (b"i", b"u") and t[1:].isdigit():
        bits = int(t[1:])
        signed = t[:1] == b"i"
        if 1 <= bits <= (64 if signed else 63):
            return signed, bits
    raise ReplyError("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is "
                     "not supported but i64 is.")


def _bitfield_offset(raw, bits):
    mult = raw[:1] == b"#"
    try:
        v = parse_int(raw[1:] if mult else raw)
    except ReplyError:
        raise _BIT_OFFSET from None
    if mult:
        v *= bits
    if v < 0 or v > _MAX_BIT_OFFSET:
        raise _BIT_OFFSET
    return v


def _read_field(buf, off, bits, signed):
    v = 0
    for i in range(bits):
        pos = off + i
        byte = buf[pos >> 3] if (pos >> 3) < len(buf) else 0
        v = (v << 1) | ((byte >> (7 - (pos & 7))) & 1)
    if signed and v >> (bits - 1):
        v -= 1 << bits
    return v


def _write_field(buf, off, bits, value):
    need = (off + bits + 7) >> 3
    if len(buf) < need:
        buf.extend(b"\x00" * (need - len(buf)))
    value &= (1 << bits) - 1
    for i in range(bits):
        pos = off + i
        bit = (value >> (bits - 1 - i)) & 1
        mask = 1 << (7 - (pos & 7))
        if bit:
            buf[pos >> 3] |= mask
        else:
            buf[pos >> 3] &= ~mask & 0xFF


def _overflow(value, bits, signed, mode):
    """(value, overflowed) after applying WRAP/SAT/FAIL."""
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    if lo <= value <= hi:
        return value, False
    if mode == b"WRAP":
        value &= (1 << bits) - 1
        if signed and value >> (bits - 1):
            value -= 1 << bits
        return value, False
    if mode == b"SAT":
        return (hi if value > hi else lo), False
    return None, True


def _bitfield(ctx, key, args, readonly):
    ops = []
    i = 0
    mode = b"WRAP"
    while i < len(args):
        op = args[i].upper()
        if op == b"GET" and i + 2 < len(args):
            signed, bits = _bitfield_type(args[i + 1])
            ops.append((b"GET", signed, bits, _bitfield_offset(args[i + 2], bits), None, mode))
            i += 3
        elif op in (b"SET", b"INCRBY") and i + 3 < len(args) and not readonly:
            signed, bits = _bitfield_type(args[i + 1])
            off = _bitfield_offset(args[i + 2], bits)
            ops.append((op, signed, bits, off, parse_int(args[i + 3]), mode))
            i += 4
        elif op == b"OVERFLOW" and i + 1 < len(args) and not readonly:
            mode = args[i + 1].upper()
            if mode not in (b"WRAP", b"SAT", b"FAIL"):
                raise ReplyError("ERR Invalid OVERFLOW type specified")
            i += 2
        elif readonly and op in (b"SET", b"INCRBY", b"OVERFLOW"):
            raise ReplyError("ERR BITFIELD_RO only supports the GET subcommand")
        else:
            raise _SYNTAX
    db = ctx.db
    old = db.get_string(key)
    buf = bytearray(old or b"")
    out = []
    changed = False
    for op, signed, bits, off, arg, mode in ops:
        cur = _read_field(buf, off, bits, signed)
        if op == b"GET":
            out.append(cur)
            continue
        new = arg if op == b"SET" else cur + arg
        if op == b"SET":
            # SET wraps the given value into the field as Redis does
            val, failed = _overflow(new, bits, signed, mode) if mode != b"WRAP" else (
                _overflow(new, bits, signed, b"WRAP")[0], False)
        else:
            val, failed = _overflow(new, bits, signed, mode)
        if failed:
            out.append(None)
            continue
        _write_field(buf, off, bits, val)
        changed = True
        out.append(cur if op == b"SET" else val)
    if changed:
        db.set(key, bytes(buf), keepttl=True)
        ctx.engine.dirty += 1
        ctx.engine.notify(db, "$", "setbit", key)
    return out


@command("BITFIELD", arity=-2, flags="write denyoom", keys=(1, 1, 1), group="bitmap",
         summary="Performs arbitrary bitfield integer operations on strings.", since="3.2.0",
         complexity="O(1) for each subcommand specified")
def bitfield(ctx, key, *args):
    return _bitfield(ctx, key, args, False)


@command("BITFIELD_RO", arity=-2, flags="readonly fast", keys=(1, 1, 1), group="bitmap",
         summary="Performs arbitrary read-only bitfield integer operations on strings.",
         since="6.0.0", complexity="O(1) for each subcommand specified")
def bitfield_ro(ctx, key, *args):
    return _bitfield(ctx, key, args, True)


# -- LCS -------------------------------------------------------------------------------
@command("LCS", arity=-3, flags="readonly", keys=(1, 2, 1), group="string",
         summary="Finds the longest common substring.", since="7.0.0",
         complexity="O(N*M) where N and M are the lengths of s1 and s2, respectively")
def lcs(ctx, key1, key2, *args):
    want_len = want_idx = with_len = False
    min_len = 0
    i = 0
    while i < len(args):
        opt = args[i].upper()
        if opt == b"LEN":
            want_len = True
        elif opt == b"IDX":
            want_idx = True
        elif opt == b"WITHMATCHLEN":
            with_len = True
        elif opt == b"MINMATCHLEN" and i + 1 < len(args):
            min_len = max(0, parse_int(args[i + 1]))
            i += 1
        else:
            raise _SYNTAX
        i += 1
    if want_len and want_idx:
        raise ReplyError("ERR If you want both the length and indexes, please just use IDX.")
    a = ctx.db.get_string(key1) or b""
    b = ctx.db.get_string(key2) or b""
    n, m = len(a), len(b)
    if (n + 1) * (m + 1) > 10 ** 8:
        raise ReplyError("ERR Insufficient memory, transient memory for LCS exceeds "
                         "proto-max-bulk-len")
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for x in range(1, n + 1):
        ax = a[x - 1]
        row, prev = table[x], table[x - 1]
        for y in range(1, m + 1):
            row[y] = prev[y - 1] + 1 if ax == b[y - 1] else max(prev[y], row[y - 1])
    length = table[n][m]
    if want_len:
        return length
    # walk back collecting the string and the matching ranges
    out = bytearray(length)
    idx = length
    matches = []
    x, y = n, m
    arange = brange = None
    while x > 0 and y > 0:
        if a[x - 1] == b[y - 1]:
            idx -= 1
            out[idx] = a[x - 1]
            if arange is not None and arange[0] == x and brange[0] == y:
                arange[0] -= 1
                brange[0] -= 1
            else:
                if arange is not None:
                    matches.append((arange, brange))
                arange = [x - 1, x - 1]
                brange = [y - 1, y - 1]
            x -= 1
            y -= 1
        elif table[x - 1][y] > table[x][y - 1]:
            x -= 1
        else:
            y -= 1
    if arange is not None:
        matches.append((arange, brange))
    if not want_idx:
        return bytes(out)
    items = []
    for ar, br in matches:
        mlen = ar[1] - ar[0] + 1
        if mlen < min_len:
            continue
        item = [[ar[0], ar[1]], [br[0], br[1]]]
        if with_len:
            item.append(mlen)
        items.append(item)
    return {b"matches": items, b"len": length}
