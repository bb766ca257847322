"""String and bitmap commands (Redis 7.0's t_string.c and bitops.c).

Strings are stored as plain ``bytes``.  A RESP3 client's typed value (the
seed's native values) is stored as ``TypedValue`` by the commands flagged
``typed`` (SET, MSET...) and handed back with its type by the commands that
return a whole value (GET, MGET, GETDEL, GETEX, GETSET, SET ... GET); the
commands that look inside a string (APPEND, INCR, GETRANGE, bit operations,
LCS...) reply WRONGTYPE to it.

The order in which a command validates its arguments and looks its keys up
follows Redis 7.0 exactly, since it decides which error a bad call gets.
INCRBYFLOAT computes in Redis' 80-bit long double (emulated exactly, see
``parse_long_double``) so that its results are the same digits.
"""
import re

from .. import errors
from ..errors import ReplyError
from ..keyspace.db import now_ms
from ..keyspace.values import TypedValue
from ..protocol import OK
from ..util import INT64_MAX, INT64_MIN, parse_int
from .registry import command


def _wrongtype():
    return ReplyError(errors.WRONGTYPE)


def _syntax():
    return ReplyError(errors.SYNTAX)


def _option(arg):
    """An option word as Redis compares it: case-insensitive, up to a NUL
    (C string comparison)."""
    if b"\x00" in arg:
        arg = arg[:arg.index(b"\x00")]
    return arg.upper()


def _store(value):
    """A request value as stored: bytes as they are, typed values wrapped."""
    return value if type(value) is bytes else TypedValue(value)


def _as_reply(value):
    """A whole stored value as a reply (None if missing); WRONGTYPE unless a string."""
    if value is None or type(value) is bytes:
        return value
    if type(value) is TypedValue:
        return value.value
    raise _wrongtype()


def _is_string(value):
    return type(value) is bytes or type(value) is TypedValue


def _max_len(ctx):
    return ctx.engine.config["proto-max-bulk-len"]


# -- GET / SET -------------------------------------------------------------------
@command("GET", arity=2, flags="readonly fast", keys=(1, 1, 1), group="string",
         summary="Get the value of a key", since="1.0.0", complexity="O(1)")
def get(ctx, key):
    db = ctx.db
    # Database.get with its expiry check only for a database with TTLs
    v = db.data.get(key) if not db.expires else db.get(key)
    if v is None or type(v) is bytes:
        return v
    if type(v) is TypedValue:
        return v.value
    raise _wrongtype()


_EXPIRE_UNITS = {b"EX": (1000, True), b"PX": (1, True), b"EXAT": (1000, False),
                 b"PXAT": (1, False)}


def _deadline(unit, raw, cmdname):
    """EX/PX/EXAT/PXAT ``raw`` as an absolute unix time in ms, with Redis'
    checks (positive, no overflow of a signed 64-bit ms value)."""
    v = parse_int(raw)
    scale, relative = _EXPIRE_UNITS[unit]
    if v <= 0 or (scale == 1000 and v > INT64_MAX // 1000):
        raise ReplyError(errors.INVALID_EXPIRE % cmdname)
    v *= scale
    if relative:
        v += now_ms()
        if v > INT64_MAX:
            raise ReplyError(errors.INVALID_EXPIRE % cmdname)
    return v


def _parse_set_options(args):
    """SET's options after the value: (nx, xx, get, keepttl, unit, raw expire).

    As Redis: NX and XX exclude each other, KEEPTTL and the expiry units
    exclude each other, a unit may be repeated (the last one wins)."""
    nx = xx = get = keepttl = False
    unit = raw = None
    i, n = 0, len(args)
    while i < n:
        opt = _option(args[i])
        if opt == b"NX" and not xx:
            nx = True
        elif opt == b"XX" and not nx:
            xx = True
        elif opt == b"GET":
            get = True
        elif opt == b"KEEPTTL" and unit is None:
            keepttl = True
        elif opt in _EXPIRE_UNITS and not keepttl and unit in (None, opt) and i + 1 < n:
            unit = opt
            i += 1
            raw = args[i]
        else:
            raise _syntax()
        i += 1
    return nx, xx, get, keepttl, unit, raw


@command("SET", arity=-3, flags="write denyoom typed", keys=(1, 1, 1), group="string",
         summary="Set the string value of a key", since="1.0.0", complexity="O(1)")
def set_(ctx, key, value, *args):
    if args:
        return _set_with_options(ctx, key, value, args)
    db = ctx.db
    engine = ctx.engine
    if type(value) is bytes and not (db.expires or db.blocking or engine.notify_flags):
        db.data[key] = value    # Database.set when it has nothing else to do
    else:
        db.set(key, value if type(value) is bytes else TypedValue(value))
    engine.dirty += 1
    if engine.notify_flags:
        engine.notify(db, "$", "set", key)
    return OK


set_.typed_positions = lambda argc: (2,)


def _set_with_options(ctx, key, value, args):
    nx, xx, get, keepttl, unit, raw = _parse_set_options(args)
    when = _deadline(unit, raw, "set") if unit is not None else None
    db = ctx.db
    old = db.get(key)
    reply = _as_reply(old) if get else OK
    if (nx and old is not None) or (xx and old is None):
        return reply if get else None
    _set_key(ctx, key, value, when, keepttl)
    if when is None and get:
        # propagated without its GET arguments
        argv = [b"SET", key, value]
        argv.extend(a for a in args if _option(a) != b"GET")
        ctx.engine.rewrite_propagation(ctx, (db.id, argv))
    return reply


def _set_key(ctx, key, value, when=None, keepttl=False):
    """Store a string with the effects SET has: dirty, notifications and,
    with an expiry, propagation as ``SET key value PXAT ms``."""
    db = ctx.db
    engine = ctx.engine
    db.set(key, _store(value), keepttl)
    engine.dirty += 1
    engine.notify(db, "$", "set", key)
    if when is not None:
        db.set_expire(key, when)
        engine.rewrite_propagation(ctx, (db.id, [b"SET", key, value, b"PXAT", b"%d" % when]))
        engine.notify(db, "g", "expire", key)


@command("SETNX", arity=3, flags="write denyoom fast typed", keys=(1, 1, 1), group="string",
         summary="Set the value of a key, only if the key does not exist", since="1.0.0",
         complexity="O(1)")
def setnx(ctx, key, value):
    if ctx.db.get(key) is not None:
        return 0
    _set_key(ctx, key, value)
    return 1


setnx.typed_positions = lambda argc: (2,)


@command("SETEX", arity=4, flags="write denyoom typed", keys=(1, 1, 1), group="string",
         summary="Set the value and expiration of a key", since="2.0.0", complexity="O(1)")
def setex(ctx, key, seconds, value):
    _set_key(ctx, key, value, _deadline(b"EX", seconds, "setex"))
    return OK


setex.typed_positions = lambda argc: (3,)


@command("PSETEX", arity=4, flags="write denyoom typed", keys=(1, 1, 1), group="string",
         summary="Set the value and expiration in milliseconds of a key", since="2.6.0",
         complexity="O(1)")
def psetex(ctx, key, milliseconds, value):
    _set_key(ctx, key, value, _deadline(b"PX", milliseconds, "psetex"))
    return OK


psetex.typed_positions = lambda argc: (3,)


@command("GETSET", arity=3, flags="write denyoom fast typed", keys=(1, 1, 1), group="string",
         summary="Set the string value of a key and return its old value", since="1.0.0",
         complexity="O(1)")
def getset(ctx, key, value):
    old = _as_reply(ctx.db.get(key))
    _set_key(ctx, key, value)
    ctx.engine.rewrite_propagation(ctx, (ctx.db.id, [b"SET", key, value]))
    return old


getset.typed_positions = lambda argc: (2,)


@command("GETDEL", arity=2, flags="write fast", keys=(1, 1, 1), group="string",
         summary="Get the value of a key and delete the key", since="6.2.0",
         complexity="O(1)")
def getdel(ctx, key):
    v = ctx.db.get(key)
    reply = _as_reply(v)
    if v is not None:
        _delete(ctx, key)
    return reply


def _delete(ctx, key):
    db = ctx.db
    if db.delete(key):
        ctx.engine.dirty += 1
        ctx.engine.rewrite_propagation(ctx, (db.id, [b"DEL", key]))
        ctx.engine.notify(db, "g", "del", key)


def _parse_getex_options(args):
    """GETEX's options: (unit or b"PERSIST" or None, raw expire)."""
    unit = raw = None
    i, n = 0, len(args)
    while i < n:
        opt = _option(args[i])
        if opt == b"PERSIST" and unit in (None, b"PERSIST"):
            unit = opt
        elif opt in _EXPIRE_UNITS and unit in (None, opt) and i + 1 < n:
            unit = opt
            i += 1
            raw = args[i]
        else:
            raise _syntax()
        i += 1
    return unit, raw


@command("GETEX", arity=-2, flags="write fast", keys=(1, 1, 1), group="string",
         summary="Get the value of a key and optionally set its expiration", since="6.2.0",
         complexity="O(1)")
def getex(ctx, key, *args):
    unit, raw = _parse_getex_options(args) if args else (None, None)
    db = ctx.db
    v = db.get(key)
    if v is None:
        return None
    reply = _as_reply(v)
    if unit is None:
        return reply
    engine = ctx.engine
    if unit == b"PERSIST":
        if db.persist(key):
            engine.dirty += 1
            engine.rewrite_propagation(ctx, (db.id, [b"PERSIST", key]))
            engine.notify(db, "g", "persist", key)
        return reply
    when = _deadline(unit, raw, "getex")
    if not _EXPIRE_UNITS[unit][1] and when <= now_ms():
        # an absolute deadline already passed: the key goes now
        _delete(ctx, key)
        return reply
    db.set_expire(key, when)
    engine.dirty += 1
    engine.rewrite_propagation(ctx, (db.id, [b"PEXPIREAT", key, b"%d" % when]))
    engine.notify(db, "g", "expire", key)
    return reply


@command("MGET", arity=-2, flags="readonly fast", keys=(1, -1, 1), group="string",
         summary="Get the values of all the given keys", since="1.0.0",
         complexity="O(N) where N is the number of keys to retrieve.")
def mget(ctx, *keys):
    get = ctx.db.get
    out = []
    append = out.append
    for k in keys:
        v = get(k)
        t = type(v)
        if t is bytes:
            append(v)
        elif t is TypedValue:
            append(v.value)
        else:
            append(None)          # missing, or not a string
    return out


def _every_other(start):
    return lambda argc: range(start, argc, 2)


@command("MSET", arity=-3, flags="write denyoom typed", keys=(1, -1, 2), group="string",
         summary="Set multiple keys to multiple values", since="1.0.1",
         complexity="O(N) where N is the number of keys to set.")
def mset(ctx, *args):
    n = len(args)
    if n & 1:
        raise ReplyError(errors.WRONG_ARITY % "mset")
    db = ctx.db
    engine = ctx.engine
    dbset = db.set
    notify = engine.notify_flags
    for i in range(0, n, 2):
        v = args[i + 1]
        dbset(args[i], v if type(v) is bytes else TypedValue(v))
        if notify:
            engine.notify(db, "$", "set", args[i])
    engine.dirty += n >> 1
    return OK


mset.typed_positions = _every_other(2)


@command("MSETNX", arity=-3, flags="write denyoom typed", keys=(1, -1, 2), group="string",
         summary="Set multiple keys to multiple values, only if none of the keys exist",
         since="1.0.1", complexity="O(N) where N is the number of keys to set.")
def msetnx(ctx, *args):
    n = len(args)
    if n & 1:
        raise ReplyError(errors.WRONG_ARITY % "msetnx")
    db = ctx.db
    for i in range(0, n, 2):
        if db.get(args[i]) is not None:
            return 0
    for i in range(0, n, 2):
        db.set(args[i], _store(args[i + 1]))
        ctx.engine.notify(db, "$", "set", args[i])
    ctx.engine.dirty += n >> 1
    return 1


msetnx.typed_positions = _every_other(2)


# -- editing -----------------------------------------------------------------------
def _modified(ctx, key, new, event):
    """Replace a string by ``new`` keeping its TTL, with dirty and notification."""
    db = ctx.db
    db.set(key, new, keepttl=True)
    ctx.engine.dirty += 1
    ctx.engine.notify(db, "$", event, key)


@command("APPEND", arity=3, flags="write denyoom fast", keys=(1, 1, 1), group="string",
         summary="Append a value to a key", since="2.0.0",
         complexity="O(1). The amortized time complexity is O(1) assuming the appended value "
                    "is small and the already present value is of any size, since the dynamic "
                    "string library used by Redis will double the free space available on "
                    "every reallocation.")
def append(ctx, key, value):
    old = ctx.db.get_string(key)
    if old is None:
        new = value
    else:
        if len(old) + len(value) > _max_len(ctx):
            raise ReplyError(errors.STRING_TOO_LONG)
        new = old + value
    _modified(ctx, key, new, "append")
    return len(new)


@command("STRLEN", arity=2, flags="readonly fast", keys=(1, 1, 1), group="string",
         summary="Get the length of the value stored in a key", since="2.2.0",
         complexity="O(1)")
def strlen(ctx, key):
    v = ctx.db.get_string(key)
    return 0 if v is None else len(v)


_RANGE_COMPLEXITY = (
    "O(N) where N is the length of the returned string. The complexity is ultimately "
    "determined by the returned length, but because creating a substring from an existing "
    "string is very cheap, it can be considered O(1) for small strings.")


@command("GETRANGE", arity=4, flags="readonly", keys=(1, 1, 1), group="string",
         summary="Get a substring of the string stored at a key", since="2.4.0",
         complexity=_RANGE_COMPLEXITY)
def getrange(ctx, key, start, end):
    start = parse_int(start)
    end = parse_int(end)
    v = ctx.db.get_string(key)
    if v is None or (start < 0 and end < 0 and start > end):
        return b""
    n = len(v)
    if start < 0:
        start = max(n + start, 0)
    if end < 0:
        end = max(n + end, 0)
    if end >= n:
        end = n - 1
    if start > end or n == 0:
        return b""
    return v[start:end + 1]


@command("SUBSTR", arity=4, flags="readonly", keys=(1, 1, 1), group="string",
         summary="Get a substring of the string stored at a key", since="1.0.0",
         complexity=_RANGE_COMPLEXITY)
def substr(ctx, key, start, end):
    return getrange(ctx, key, start, end)


@command("SETRANGE", arity=4, flags="write denyoom", keys=(1, 1, 1), group="string",
         summary="Overwrite part of a string at key starting at the specified offset",
         since="2.2.0",
         complexity="O(1), not counting the time taken to copy the new string in place. "
                    "Usually, this string is very small so the amortized complexity is O(1). "
                    "Otherwise, complexity is O(M) with M being the length of the value "
                    "argument.")
def setrange(ctx, key, offset, value):
    offset = parse_int(offset)
    if offset < 0:
        raise ReplyError(errors.OFFSET_OUT_OF_RANGE)
    old = ctx.db.get_string(key)
    if not value:
        return 0 if old is None else len(old)
    if offset + len(value) > _max_len(ctx):
        raise ReplyError(errors.STRING_TOO_LONG)
    if old is None:
        old = b""
    pad = offset - len(old)
    if pad >= 0:
        new = old + b"\x00" * pad + value
    else:
        new = old[:offset] + value + old[offset + len(value):]
    _modified(ctx, key, new, "setrange")
    return len(new)


# -- counters ----------------------------------------------------------------------
def _incr(ctx, key, delta):
    db = ctx.db
    old = db.data.get(key) if not db.expires else db.get(key)
    if old is None:
        new = delta
    elif type(old) is bytes:
        # parse_int's common case inline: a small non-negative number
        if old.isdigit() and len(old) < 19 and (old[0] != 48 or len(old) == 1):
            new = int(old) + delta
        else:
            new = parse_int(old) + delta
        if new > INT64_MAX or new < INT64_MIN:
            raise ReplyError(errors.OVERFLOW)
    else:
        raise _wrongtype()
    db.set(key, b"%d" % new, True)
    engine = ctx.engine
    engine.dirty += 1
    if engine.notify_flags:
        engine.notify(db, "$", "incrby", key)
    return new


@command("INCR", arity=2, flags="write denyoom fast", keys=(1, 1, 1), group="string",
         summary="Increment the integer value of a key by one", since="1.0.0",
         complexity="O(1)")
def incr(ctx, key):
    return _incr(ctx, key, 1)


@command("DECR", arity=2, flags="write denyoom fast", keys=(1, 1, 1), group="string",
         summary="Decrement the integer value of a key by one", since="1.0.0",
         complexity="O(1)")
def decr(ctx, key):
    return _incr(ctx, key, -1)


@command("INCRBY", arity=3, flags="write denyoom fast", keys=(1, 1, 1), group="string",
         summary="Increment the integer value of a key by the given amount", since="1.0.0",
         complexity="O(1)")
def incrby(ctx, key, increment):
    return _incr(ctx, key, parse_int(increment))


@command("DECRBY", arity=3, flags="write denyoom fast", keys=(1, 1, 1), group="string",
         summary="Decrement the integer value of a key by the given number", since="1.0.0",
         complexity="O(1)")
def decrby(ctx, key, decrement):
    d = parse_int(decrement)
    if d == INT64_MIN:
        raise ReplyError(errors.DECREMENT_OVERFLOW)
    return _incr(ctx, key, -d)


# INCRBYFLOAT works in the x86-64 80-bit long double (64-bit significand), as
# Redis does: strtold, one rounded addition, then "%.17Lf" with the trailing
# zeros removed.  A finite long double is kept exactly as (m, k) = m * 2**k;
# infinities are the floats inf/-inf.
_LD_DIGITS = 64                  # significand bits
_LD_MIN_EXP = -16445             # exponent of the least subnormal, 2**-16445
_LD_MAX_BITS = 16384             # finite values are below 2**16384
_MAX_LONG_DOUBLE_CHARS = 5 * 1024
_LD_DECIMAL = re.compile(rb"([+-]?)(?:([0-9]+)\.?([0-9]*)|\.([0-9]+))(?:[eE]([+-]?[0-9]+))?\Z")
_LD_HEX = re.compile(rb"([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))"
                     rb"(?:[pP]([+-]?[0-9]+))?\Z")
_LD_INF = re.compile(rb"[+-]?inf(?:inity)?\Z", re.IGNORECASE)
_TEN17 = 10 ** 17
_DIGIT_CHUNK = 4000              # below Python's default int/str conversion limit


def _ld_round(m, k):
    """The long double nearest to m * 2**k (ties to even): (m, k), or None
    on overflow."""
    if m == 0:
        return 0, 0
    a = -m if m < 0 else m
    top = a.bit_length() + k           # a * 2**k < 2**top
    if top <= _LD_MIN_EXP:             # below half the least subnormal
        return 0, 0
    q = max(top - _LD_DIGITS, _LD_MIN_EXP)
    if q > k:
        shift = q - k
        rest = a & ((1 << shift) - 1)
        a >>= shift
        half = 1 << (shift - 1)
        if rest > half or (rest == half and a & 1):
            a += 1
        k = q
    if a.bit_length() + k > _LD_MAX_BITS:
        return None
    return (-a if m < 0 else a), k


def _ld_from_ratio(neg, num, den):
    """The long double nearest to num/den (positive integers)."""
    e = num.bit_length() - den.bit_length()
    if (num << -e if e < 0 else num) < (den << e if e > 0 else den):
        e -= 1                          # now 2**e <= num/den < 2**(e+1)
    if e < _LD_MIN_EXP - 1:
        return 0, 0
    q = max(e + 1 - _LD_DIGITS, _LD_MIN_EXP)
    if q < 0:
        num <<= -q
    else:
        den <<= q
    a, rest = divmod(num, den)
    if 2 * rest > den or (2 * rest == den and a & 1):
        a += 1
    if a.bit_length() + q > _LD_MAX_BITS:
        return None
    return (-a if neg else a), q


def _int_from_digits(s):
    if len(s) <= _DIGIT_CHUNK:
        return int(s)
    v = 0
    for i in range(0, len(s), _DIGIT_CHUNK):
        chunk = s[i:i + _DIGIT_CHUNK]
        v = v * 10 ** len(chunk) + int(chunk)
    return v


def _int_to_digits(v):
    if v < 10 ** _DIGIT_CHUNK:
        return b"%d" % v
    parts = []
    base = 10 ** _DIGIT_CHUNK
    while v >= base:
        v, low = divmod(v, base)
        parts.append(b"%0*d" % (_DIGIT_CHUNK, low))
    parts.append(b"%d" % v)
    return b"".join(reversed(parts))


def parse_long_double(b):
    """``b`` as Redis' string2ld reads it (strtold, nothing around it, no
    NaN, no overflow, no underflow to zero): (m, k), +-inf, or None if invalid."""
    if not b or len(b) >= _MAX_LONG_DOUBLE_CHARS:
        return None
    mt = _LD_DECIMAL.match(b)
    if mt is not None:
        sign, whole, frac, only_frac, exp = mt.groups()
        if whole is None:
            whole, frac = b"", only_frac
        digits = (whole + frac).lstrip(b"0")
        if not digits:
            return 0, 0
        e10 = (int(exp) if exp else 0) - len(frac)
        magnitude = len(digits) + e10      # 10**(magnitude-1) <= value < 10**magnitude
        if magnitude > 4934:
            return None                    # overflow
        if magnitude < -4952:
            return None                    # underflow to zero
        d = _int_from_digits(digits)
        if e10 >= 0:
            r = _ld_round(d * 10 ** e10, 0)
        else:
            r = _ld_from_ratio(False, d, 10 ** -e10)
        if r is None or r[0] == 0:
            return None
        return (-r[0], r[1]) if sign == b"-" else r
    mt = _LD_HEX.match(b)
    if mt is not None:
        sign, whole, frac, only_frac, exp = mt.groups()
        if whole is None:
            whole, frac = b"", only_frac
        h = int(whole + frac, 16)
        if h == 0:
            return 0, 0
        k = (int(exp) if exp else 0) - 4 * len(frac)
        r = _ld_round(-h if sign == b"-" else h, k)
        if r is None or r[0] == 0:
            return None
        return r
    if _LD_INF.match(b):
        return float("-inf") if b[:1] == b"-" else float("inf")
    return None


def format_long_double(v):
    """(m, k) as Redis prints an INCRBYFLOAT result: "%.17Lf" with trailing
    zeros (and the point) removed, "-0" as "0"."""
    m, k = v
    a = -m if m < 0 else m
    if k >= 0:
        text = _int_to_digits(a << k)
    else:
        scaled = a * _TEN17
        shift = -k
        q = scaled >> shift
        rest = scaled & ((1 << shift) - 1)
        half = 1 << (shift - 1)
        if rest > half or (rest == half and q & 1):
            q += 1
        whole, frac = divmod(q, _TEN17)
        text = _int_to_digits(whole)
        if frac:
            text += b"." + (b"%017d" % frac).rstrip(b"0")
    if m < 0 and text != b"0":
        text = b"-" + text
    return text


@command("INCRBYFLOAT", arity=3, flags="write denyoom fast", keys=(1, 1, 1), group="string",
         summary="Increment the float value of a key by the given amount", since="2.6.0",
         complexity="O(1)")
def incrbyfloat(ctx, key, increment):
    db = ctx.db
    old = db.get(key)
    if old is None:
        cur = (0, 0)
    elif type(old) is bytes:
        cur = parse_long_double(old)
    else:
        raise _wrongtype()
    inc = parse_long_double(increment)
    if cur is None or inc is None:
        raise ReplyError(errors.NOT_FLOAT)
    if type(cur) is float or type(inc) is float:
        raise ReplyError(errors.INCR_NAN_INF)
    (m1, k1), (m2, k2) = cur, inc
    k = min(k1, k2)
    total = _ld_round((m1 << (k1 - k)) + (m2 << (k2 - k)), k)
    if total is None:
        raise ReplyError(errors.INCR_NAN_INF)
    text = format_long_double(total)
    _modified(ctx, key, text, "incrbyfloat")
    # replayed as the value it produced, whatever the float formatting elsewhere
    ctx.engine.rewrite_propagation(ctx, (db.id, [b"SET", key, text, b"KEEPTTL"]))
    return text


# -- bitmaps -----------------------------------------------------------------------
def _bit_offset(ctx, raw, hash_bits=0):
    """A bit offset as Redis' getBitOffsetFromArgument: ``#n`` means n * bits
    (BITFIELD), limited to the bits of proto-max-bulk-len bytes."""
    if hash_bits and raw[:1] == b"#":
        raw = raw[1:]
    else:
        hash_bits = 0
    try:
        v = parse_int(raw)
    except ReplyError:
        raise ReplyError(errors.BIT_OFFSET) from None
    if hash_bits:
        v = ((v * hash_bits + 2 ** 63) % 2 ** 64) - 2 ** 63   # C's int64 arithmetic
    if v < 0 or (v >> 3) >= _max_len(ctx):
        raise ReplyError(errors.BIT_OFFSET)
    return v


@command("SETBIT", arity=4, flags="write denyoom", keys=(1, 1, 1), group="bitmap",
         summary="Sets or clears the bit at offset in the string value stored at key",
         since="2.2.0", complexity="O(1)")
def setbit(ctx, key, offset, value):
    offset = _bit_offset(ctx, offset)
    try:
        on = parse_int(value)
    except ReplyError:
        raise ReplyError(errors.BIT_VALUE) from None
    if on & ~1:
        raise ReplyError(errors.BIT_VALUE)
    old = ctx.db.get_string(key)
    byte = offset >> 3
    mask = 0x80 >> (offset & 7)
    if old is None:
        old = b""
    grow = byte + 1 - len(old)
    current = old[byte] if grow <= 0 else 0
    prev = 1 if current & mask else 0
    if grow > 0 or prev != on:
        # Redis counts the write only when the string grows or the bit changes
        buf = bytearray(old)
        if grow > 0:
            buf.extend(bytes(grow))
        buf[byte] = (current | mask) if on else (current & ~mask)
        _modified(ctx, key, bytes(buf), "setbit")
    return prev


@command("GETBIT", arity=3, flags="readonly fast", keys=(1, 1, 1), group="bitmap",
         summary="Returns the bit value at offset in the string value stored at key",
         since="2.2.0", complexity="O(1)")
def getbit(ctx, key, offset):
    offset = _bit_offset(ctx, offset)
    v = ctx.db.get_string(key)
    if v is None or (offset >> 3) >= len(v):
        return 0
    return 1 if v[offset >> 3] & (0x80 >> (offset & 7)) else 0


def _bit_unit(arg):
    unit = _option(arg)
    if unit == b"BIT":
        return True
    if unit == b"BYTE":
        return False
    raise _syntax()


def _clamp(start, end, total):
    """Redis' negative index conversion and clamping of [start, end] to total units."""
    if start < 0:
        start = max(total + start, 0)
    if end < 0:
        end = max(total + end, 0)
    if end >= total:
        end = total - 1
    return start, end


def _edge_masks(first, last):
    """Masks of the bits of the first and last byte inside bit range [first, last]."""
    return 0xFF >> (first & 7), (0xFF << (7 - (last & 7))) & 0xFF


def _popcount(data):
    return int.from_bytes(data, "big").bit_count()


@command("BITCOUNT", arity=-2, flags="readonly", keys=(1, 1, 1), group="bitmap",
         summary="Count set bits in a string", since="2.6.0", complexity="O(N)")
def bitcount(ctx, key, *args):
    # Redis 7.0 looks the key up before it reads the range
    v = ctx.db.get_string(key)
    if v is None:
        return 0
    n = len(args)
    if n == 0:
        return _popcount(v)
    if n not in (2, 3):
        raise _syntax()
    start = parse_int(args[0])
    end = parse_int(args[1])
    if start < 0 and end < 0 and start > end:
        return 0
    bits = n == 3 and _bit_unit(args[2])
    total = len(v) * 8 if bits else len(v)
    start, end = _clamp(start, end, total)
    if start > end:
        return 0
    if not bits:
        return _popcount(v[start:end + 1])
    first, last = start >> 3, end >> 3
    head, tail = _edge_masks(start, end)
    if first == last:
        return (v[first] & head & tail).bit_count()
    return (_popcount(v[first + 1:last]) + (v[first] & head).bit_count()
            + (v[last] & tail).bit_count())


_NOT_ZERO = re.compile(rb"[^\x00]")
_NOT_ONES = re.compile(rb"[^\xff]")


def _first_bit(v, want, first, last):
    """Position of the first bit equal to ``want`` in bit range [first, last] of v, or -1."""
    fb, lb = first >> 3, last >> 3
    head, tail = _edge_masks(first, last)
    flip = 0 if want else 0xFF
    if fb == lb:
        x = (v[fb] ^ flip) & head & tail
        return fb * 8 + 8 - x.bit_length() if x else -1
    x = (v[fb] ^ flip) & head
    if x:
        return fb * 8 + 8 - x.bit_length()
    found = (_NOT_ZERO if want else _NOT_ONES).search(v, fb + 1, lb)
    if found is not None:
        i = found.start()
        return i * 8 + 8 - (v[i] ^ flip).bit_length()
    x = (v[lb] ^ flip) & tail
    return lb * 8 + 8 - x.bit_length() if x else -1


@command("BITPOS", arity=-3, flags="readonly", keys=(1, 1, 1), group="bitmap",
         summary="Find first bit set or clear in a string", since="2.8.7", complexity="O(N)")
def bitpos(ctx, key, bit, *args):
    want = parse_int(bit)
    if want not in (0, 1):
        raise ReplyError(errors.BIT_ARGUMENT)
    # Redis 7.0 looks the key up before it reads the range
    v = ctx.db.get_string(key)
    if v is None:
        return -1 if want else 0
    n = len(args)
    if n > 3:
        raise _syntax()
    end_given = n >= 2
    if n == 0:
        start, end, bits = 0, len(v) - 1, False
    else:
        start = parse_int(args[0])
        bits = n == 3 and _bit_unit(args[2])
        total = len(v) * 8 if bits else len(v)
        end = parse_int(args[1]) if end_given else total - 1
        start, end = _clamp(start, end, total)
    if start > end:
        return -1
    if not bits:
        start, end = start * 8, end * 8 + 7
    pos = _first_bit(v, want, start, end)
    if pos < 0 and not want and not end_given:
        # no clear bit: the string counts as padded with zeros on the right
        return (end >> 3) * 8 + 8
    return pos


_BITOPS = (b"AND", b"OR", b"XOR", b"NOT")


@command("BITOP", arity=-4, flags="write denyoom", keys=(2, -1, 1), group="bitmap",
         summary="Perform bitwise operations between strings", since="2.6.0",
         complexity="O(N)", write_keys=lambda argv: [argv[2]])
def bitop(ctx, operation, destkey, *keys):
    op = _option(operation)
    if op not in _BITOPS:
        raise _syntax()
    if op == b"NOT" and len(keys) != 1:
        raise ReplyError(errors.BITOP_NOT_SINGLE_KEY)
    get_string = ctx.db.get_string
    values = [get_string(k) or b"" for k in keys]
    size = max(len(v) for v in values)
    db = ctx.db
    if size == 0:
        # an empty result deletes the destination (propagated as the BITOP itself)
        if db.delete(destkey):
            ctx.engine.dirty += 1
            ctx.engine.notify(db, "g", "del", destkey)
        return 0
    # as integers, each string padded with zero bytes on the right
    ints = [int.from_bytes(v, "big") << (8 * (size - len(v))) for v in values]
    result = ints[0]
    if op == b"NOT":
        result ^= (1 << (8 * size)) - 1
    elif op == b"AND":
        for x in ints[1:]:
            result &= x
    elif op == b"OR":
        for x in ints[1:]:
            result |= x
    else:
        for x in ints[1:]:
            result ^= x
    db.set(destkey, result.to_bytes(size, "big"))
    ctx.engine.dirty += 1
    ctx.engine.notify(db, "$", "set", destkey)
    return size


_BF_GET, _BF_SET, _BF_INCRBY = 0, 1, 2
_BF_OPS = {b"GET": (_BF_GET, 2), b"SET": (_BF_SET, 3), b"INCRBY": (_BF_INCRBY, 3)}
_BF_OVERFLOWS = (b"WRAP", b"SAT", b"FAIL")


def _bitfield_type(raw):
    """(signed, bits) from ``i<bits>`` (1..64) or ``u<bits>`` (1..63); lower case only."""
    kind = raw[:1]
    if kind in (b"i", b"u"):
        digits = raw[1:]
        if b"\x00" in digits:
            digits = digits[:digits.index(b"\x00")]
        try:
            bits = parse_int(digits)
        except ReplyError:
            bits = 0
        if 1 <= bits <= (64 if kind == b"i" else 63):
            return kind == b"i", bits
    raise ReplyError(errors.BITFIELD_TYPE)


def _parse_bitfield(ctx, args):
    """The operations of a BITFIELD call: (opcode, signed, bits, offset, value, overflow)."""
    ops = []
    overflow = b"WRAP"
    i, n = 0, len(args)
    while i < n:
        name = _option(args[i])
        spec = _BF_OPS.get(name)
        if spec is not None and n - i - 1 >= spec[1]:
            opcode = spec[0]
            signed, bits = _bitfield_type(args[i + 1])
            offset = _bit_offset(ctx, args[i + 2], bits)
            value = parse_int(args[i + 3]) if opcode != _BF_GET else 0
            ops.append((opcode, signed, bits, offset, value, overflow))
            i += 1 + spec[1]
        elif name == b"OVERFLOW" and i + 1 < n:
            overflow = _option(args[i + 1])
            if overflow not in _BF_OVERFLOWS:
                raise ReplyError(errors.BITFIELD_OVERFLOW_TYPE)
            i += 2
        else:
            raise _syntax()
    return ops


def _get_field(v, offset, bits, signed):
    first = offset >> 3
    last = (offset + bits - 1) >> 3
    chunk = v[first:last + 1]
    width = (last - first + 1) * 8
    x = int.from_bytes(chunk, "big") << (width - 8 * len(chunk))   # zeros past the end
    x = (x >> (width - (offset & 7) - bits)) & ((1 << bits) - 1)
    if signed and x >> (bits - 1):
        x -= 1 << bits
    return x


def _set_field(buf, offset, bits, value):
    first = offset >> 3
    last = (offset + bits - 1) >> 3
    width = (last - first + 1) * 8
    shift = width - (offset & 7) - bits
    mask = ((1 << bits) - 1) << shift
    x = int.from_bytes(buf[first:last + 1], "big")
    x = (x & ~mask) | ((value << shift) & mask)
    buf[first:last + 1] = x.to_bytes(last - first + 1, "big")


def _fit(value, bits, signed, overflow):
    """``value`` fitted in the field as OVERFLOW says; None when FAIL refuses it."""
    if signed:
        lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    else:
        lo, hi = 0, (1 << bits) - 1
    if lo <= value <= hi:
        return value
    if overflow == b"WRAP":
        value &= (1 << bits) - 1
        if signed and value >> (bits - 1):
            value -= 1 << bits
        return value
    if overflow == b"SAT":
        return hi if value > hi else lo
    return None


def _bitfield(ctx, key, args, readonly_command):
    ops = _parse_bitfield(ctx, args)
    writes = [op for op in ops if op[0] != _BF_GET]
    db = ctx.db
    if not writes:
        v = db.get(key)
        if v is not None and type(v) is not bytes:
            raise _wrongtype()
        v = v or b""
        return [_get_field(v, offset, bits, signed) for _, signed, bits, offset, _, _ in ops]
    if readonly_command:
        raise ReplyError(errors.BITFIELD_RO_GET_ONLY)
    old = db.get_string(key)
    # the string is made long enough for the farthest write, even if it fails
    need = (max(offset + bits - 1 for _, _, bits, offset, _, _ in writes) >> 3) + 1
    grew = old is None or len(old) < need
    if old is None:
        buf = bytearray(need)
        db.set(key, bytes(buf))
    else:
        buf = bytearray(old)
        if grew:
            buf.extend(bytes(need - len(buf)))
            db.set(key, bytes(buf), keepttl=True)
    out = []
    changes = 0
    for opcode, signed, bits, offset, value, overflow in ops:
        cur = _get_field(buf, offset, bits, signed)
        if opcode == _BF_GET:
            out.append(cur)
            continue
        if opcode == _BF_SET:
            if not signed:
                value &= 0xFFFFFFFFFFFFFFFF       # C: the value as uint64_t
            new = _fit(value, bits, signed, overflow)
            reply = cur
        else:
            new = reply = _fit(cur + value, bits, signed, overflow)
        if new is None:
            out.append(None)
            continue
        _set_field(buf, offset, bits, new)
        # as Redis 7.0: a write counts if the string grew or the field changed
        if grew or new != cur:
            changes += 1
        out.append(reply)
    if changes:
        db.set(key, bytes(buf), keepttl=True)
        ctx.engine.dirty += changes
        ctx.engine.notify(db, "$", "setbit", key)
    return out


@command("BITFIELD", arity=-2, flags="write denyoom", keys=(1, 1, 1), group="bitmap",
         summary="Perform arbitrary bitfield integer operations on strings", since="3.2.0",
         complexity="O(1) for each subcommand specified")
def bitfield(ctx, key, *args):
    return _bitfield(ctx, key, args, False)


@command("BITFIELD_RO", arity=-2, flags="readonly fast", keys=(1, 1, 1), group="bitmap",
         summary="Perform arbitrary bitfield integer operations on strings. Read-only "
                 "variant of BITFIELD", since="6.0.0",
         complexity="O(1) for each subcommand specified")
def bitfield_ro(ctx, key, *args):
    return _bitfield(ctx, key, args, True)


# -- LCS ---------------------------------------------------------------------------
def _lcs_rows(a, b):
    """Bit-parallel LCS table (Hyyro): rows[i] is a bitmask over b such that
    LCS(a[:i], b[:j]) == j - popcount(rows[i] & (2**j - 1))."""
    m = len(b)
    full = (1 << m) - 1
    masks = {}
    rev = b[::-1]
    for c in set(a).intersection(b):
        table = bytes(0x31 if x == c else 0x30 for x in range(256))
        masks[c] = int(rev.translate(table), 2)
    rows = [full]
    v = full
    for c in a:
        u = v & masks.get(c, 0)
        v = ((v + u) | (v - u)) & full
        rows.append(v)
    return rows


@command("LCS", arity=-3, flags="readonly", keys=(1, 2, 1), group="string",
         summary="Find longest common substring", since="7.0.0",
         complexity="O(N*M) where N and M are the lengths of s1 and s2, respectively")
def lcs(ctx, key1, key2, *args):
    db = ctx.db
    a = db.get(key1)
    b = db.get(key2)
    if (a is not None and type(a) is not bytes) or (b is not None and type(b) is not bytes):
        raise ReplyError(errors.LCS_NOT_STRINGS)
    a = a or b""
    b = b or b""
    want_len = want_idx = with_match_len = False
    min_match_len = 0
    i, n = 0, len(args)
    while i < n:
        opt = _option(args[i])
        if opt == b"IDX":
            want_idx = True
        elif opt == b"LEN":
            want_len = True
        elif opt == b"WITHMATCHLEN":
            with_match_len = True
        elif opt == b"MINMATCHLEN" and i + 1 < n:
            i += 1
            min_match_len = max(parse_int(args[i]), 0)
        else:
            raise _syntax()
        i += 1
    if want_len and want_idx:
        raise ReplyError(errors.LCS_LEN_AND_IDX)
    alen, blen = len(a), len(b)
    if alen >= 2 ** 32 - 2 or blen >= 2 ** 32 - 2:
        raise ReplyError(errors.LCS_TOO_LONG)
    if (alen + 1) * (blen + 1) * 4 > _max_len(ctx):
        raise ReplyError(errors.LCS_NO_MEMORY)
    rows = _lcs_rows(a, b)
    length = blen - rows[alen].bit_count()
    if want_len:
        return length

    def table(x, y):
        return y - (rows[x] & ((1 << y) - 1)).bit_count()

    # walk back from the end as Redis does, which decides the LCS and ranges chosen
    out = bytearray(length)
    idx = length
    matches = []
    unset = alen
    a_start, a_end, b_start, b_end = unset, 0, 0, 0
    x, y = alen, blen
    while x > 0 and y > 0:
        emit = False
        if a[x - 1] == b[y - 1]:
            out[idx - 1] = a[x - 1]
            if a_start == unset:
                a_start = a_end = x - 1
                b_start = b_end = y - 1
            elif a_start == x and b_start == y:
                a_start -= 1
                b_start -= 1
            else:
                emit = True
            if a_start == 0 or b_start == 0:
                emit = True
            idx -= 1
            x -= 1
            y -= 1
        else:
            if table(x - 1, y) > table(x, y - 1):
                x -= 1
            else:
                y -= 1
            if a_start != unset:
                emit = True
        if emit:
            match_len = a_end - a_start + 1
            if want_idx and (min_match_len == 0 or match_len >= min_match_len):
                item = [[a_start, a_end], [b_start, b_end]]
                if with_match_len:
                    item.append(match_len)
                matches.append(item)
            a_start = unset
    if want_idx:
        return {b"matches": matches, b"len": length}
    return bytes(out)
