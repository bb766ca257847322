"""Sorted set commands (group "sorted-set", Redis 7.0's t_zset.c).

A sorted set is a ``ZSetValue`` (``keyspace/zset.py``: a dict of member ->
score and a sorted index of ``(score, member)``); a set whose last member
goes is deleted.  Replies, errors, dirty counting, keyspace events (class
``z``) and propagation follow Redis 7.0:

* scores print as Redis 7.0 prints doubles (``%.17g``; RESP3 doubles), a
  listpack-encoded set stores -0.0 as 0 (``ZSetValue.listpack``);
* ZADD/ZINCRBY count one change per member added or updated and notify
  ``zadd``/``zincr``; ZREM and the ZREMRANGEBY* commands one per member removed;
* ZPOPMIN/ZPOPMAX are replayed as called; ZMPOP, BZMPOP and served BZPOP*
  as ``ZPOPMIN|ZPOPMAX key [count]`` (Redis 7.0 does the same);
* the STORE commands overwrite a destination of any type (its TTL goes), or
  delete it when the result is empty; sets are inputs with score 1.

WITHSCORES replies are flat arrays in RESP2 and arrays of [member, score]
pairs in RESP3, as Redis 7.0 sends them.
"""
import math
from fractions import Fraction

from .. import errors
from ..errors import ReplyError
from ..keyspace.scan import parse_cursor, parse_scan_options, pattern_matcher, scan_page
from ..keyspace.values import SetValue
from ..keyspace.zset import MAX_LEX, MIN_LEX, ZSetValue
from ..protocol import NO_REPLY, NULL_ARRAY, format_double
from ..util import INT64_MAX, parse_float, parse_int
from ._members import random_distinct, random_one, random_repeated
from .registry import command

_LONG_MAX = INT64_MAX
_GROUP = "sorted-set"
_SPACES = b" \t\n\v\f\r"


def _zset(ctx, key):
    """The sorted set at ``key`` or None; WRONGTYPE for another type."""
    return ctx.db.get_typed(key, ZSetValue)


def _limits(ctx):
    cfg = ctx.engine.config
    return cfg["zset-max-listpack-entries"], cfg["zset-max-listpack-value"]


def _put(z, member, score, limits):
    """Insert or update as Redis' zsetAdd stores: a new member that outgrows
    the listpack limits turns the set into a skiplist for good; a listpack
    keeps -0.0 as 0.  Returns True if the member is new."""
    if z.listpack:
        if member not in z.scores and (len(z.scores) + 1 > limits[0]
                                       or len(member) > limits[1]):
            z.listpack = False
        elif score == 0.0:
            score = 0.0
    return z.add(member, score)


def _fits_listpack(z, limits):
    return len(z) <= limits[0] and all(len(m) <= limits[1] for m in z.scores)


def _emptied(ctx, key):
    """The set at ``key`` lost its last member: the key goes."""
    ctx.db.delete(key)
    ctx.engine.notify(ctx.db, "g", "del", key)


def _pairs_reply(ctx, items, withscores):
    """``items`` ((score, member) pairs) as Redis replies them."""
    if not withscores:
        return [m for _, m in items]
    if ctx.resp3:
        return [[m, s] for s, m in items]
    out = []
    for s, m in items:
        out.append(m)
        out.append(s)
    return out


# -- argument parsing -----------------------------------------------------------------
def _strtod(b):
    """``b`` as C's strtod reads a whole string (zslParseRange): leading
    spaces, ``inf``, hex floats and overflow to infinity allowed, an empty
    string is 0; None if anything is left over or it is NaN."""
    s = b.lstrip(_SPACES)
    if not s:
        return 0.0 if b == s else None     # "" is 0; only spaces are not
    if s[-1] in _SPACES or b"_" in s:
        return None
    try:
        v = float(s)
    except ValueError:
        body = s.lstrip(b"+-")
        if not body.lower().startswith(b"0x") or len(s) - len(body) > 1:
            return None
        try:
            v = float.fromhex(s.decode("ascii"))
        except (ValueError, UnicodeDecodeError, OverflowError):
            return None
    return None if math.isnan(v) else v


def _score_bound(b):
    exclusive = b[:1] == b"("
    v = _strtod(b[1:] if exclusive else b)
    if v is None:
        raise ReplyError(errors.ZRANGE_NOT_FLOAT)
    return v, exclusive


def _score_range(lo, hi):
    (a, a_ex), (b, b_ex) = _score_bound(lo), _score_bound(hi)
    return a, a_ex, b, b_ex


def _lex_bound(b):
    if b == b"+":
        return MAX_LEX
    if b == b"-":
        return MIN_LEX
    c = b[:1]
    if c == b"(":
        return (b[1:], True)
    if c == b"[":
        return (b[1:], False)
    raise ReplyError(errors.ZRANGE_NOT_LEX)


def _lex_range(lo, hi):
    return _lex_bound(lo), _lex_bound(hi)


def _long_double(x):
    """``x`` (a Fraction) rounded to x87 long double precision (a 64-bit
    mantissa, ties to even), as strtold and long double arithmetic do."""
    if not x:
        return x
    e = abs(x.numerator).bit_length() - abs(x.denominator).bit_length() - 64
    while True:                       # scale so the mantissa has exactly 64 bits
        m = x / (Fraction(2) ** e)
        if abs(m) >= 2 ** 64:
            e += 1
        elif abs(m) < 2 ** 63:
            e -= 1
        else:
            break
    return round(m) * Fraction(2) ** e


def _timeout(raw):
    """A blocking timeout in seconds as Redis 7.0 reads one: a long double,
    times 1000, rounded up to milliseconds, cast to long long (out of range
    becomes negative); 0 = forever."""
    if not raw or raw[0] in _SPACES:
        raise ReplyError(errors.TIMEOUT_NOT_FLOAT)
    v = _strtod(raw)
    if v is None:
        raise ReplyError(errors.TIMEOUT_NOT_FLOAT)
    if math.isinf(v):
        raise ReplyError(errors.TIMEOUT_NEGATIVE)
    try:
        exact = Fraction(raw.decode("ascii").strip())
    except ValueError:                # hex: a double holds it exactly enough
        exact = Fraction(v)
    ms = math.ceil(_long_double(_long_double(exact) * 1000))
    if ms < 0 or ms >= 2 ** 63:
        raise ReplyError(errors.TIMEOUT_NEGATIVE)
    if ms > 10 ** 12:                 # beyond any real wait: as good as forever
        ms = 0
    return ms / 1000.0


def _positive_count(raw, msg):
    """getRangeLongFromObjectOrReply(1..LONG_MAX) with ``msg`` for any failure."""
    error = ReplyError(msg)
    v = parse_int(raw, error)
    if v < 1:
        raise error
    return v


# -- ZADD / ZINCRBY ---------------------------------------------------------------------
def _zadd(ctx, key, args, incr=False):
    nx = xx = gt = lt = ch = False
    i, n = 0, len(args)
    while i < n:
        opt = args[i].lower()
        if opt == b"nx":
            nx = True
        elif opt == b"xx":
            xx = True
        elif opt == b"ch":
            ch = True
        elif opt == b"incr":
            incr = True
        elif opt == b"gt":
            gt = True
        elif opt == b"lt":
            lt = True
        else:
            break
        i += 1
    rest = args[i:]
    if not rest or len(rest) & 1:
        raise ReplyError(errors.SYNTAX)
    if nx and xx:
        raise ReplyError(errors.ZADD_XX_NX)
    if (gt and nx) or (lt and nx) or (gt and lt):
        raise ReplyError(errors.ZADD_GT_LT_NX)
    if incr and len(rest) > 2:
        raise ReplyError(errors.ZADD_INCR_PAIR)
    scores = [parse_float(rest[j]) for j in range(0, len(rest), 2)]
    db = ctx.db
    z = db.get_typed(key, ZSetValue)
    created = z is None
    if created:
        if xx:
            return None if incr else 0
        z = ZSetValue()
    limits = _limits(ctx)
    added = updated = processed = 0
    result = None
    current = z.scores
    for score, member in zip(scores, rest[1::2]):
        cur = current.get(member)
        if cur is not None:
            if nx:
                continue
            new = cur + score if incr else score
            if math.isnan(new):
                raise ReplyError(errors.ZSCORE_NAN)
            if (lt and new >= cur) or (gt and new <= cur):
                continue
            processed += 1
            if new != cur:
                _put(z, member, new, limits)
                updated += 1
            result = new
        else:
            if xx:
                continue
            _put(z, member, score, limits)
            added += 1
            processed += 1
            result = score
    if created:
        db.set(key, z)
    if added or updated:
        engine = ctx.engine
        engine.dirty += added + updated
        engine.notify(db, "z", "zincr" if incr else "zadd", key)
        if added:
            db.signal_ready(key)
    if incr:
        return float(result) if processed else None
    return added + updated if ch else added


@command("ZADD", arity=-4, flags="write denyoom fast", keys=(1, 1, 1), group=_GROUP,
         summary="Add one or more members to a sorted set, or update its score if it "
                 "already exists", since="1.2.0",
         complexity="O(log(N)) for each item added, where N is the number of elements in "
                    "the sorted set.")
def zadd(ctx, key, *args):
    return _zadd(ctx, key, args)


@command("ZINCRBY", arity=4, flags="write denyoom fast", keys=(1, 1, 1), group=_GROUP,
         summary="Increment the score of a member in a sorted set", since="1.2.0",
         complexity="O(log(N)) where N is the number of elements in the sorted set.")
def zincrby(ctx, key, increment, member):
    # Redis runs ZADD's parser with INCR set: "ZINCRBY k nx m" is a syntax error
    return _zadd(ctx, key, (increment, member), incr=True)


# -- ZREM -------------------------------------------------------------------------------
@command("ZREM", arity=-3, flags="write fast", keys=(1, 1, 1), group=_GROUP,
         summary="Remove one or more members from a sorted set", since="1.2.0",
         complexity="O(M*log(N)) with N being the number of elements in the sorted set and "
                    "M the number of elements to be removed.")
def zrem(ctx, key, *members):
    z = _zset(ctx, key)
    if z is None:
        return 0
    deleted = 0
    for m in members:
        if z.discard(m):
            deleted += 1
            if not z:
                break
    if deleted:
        ctx.engine.dirty += deleted
        ctx.engine.notify(ctx.db, "z", "zrem", key)
        if not z:
            _emptied(ctx, key)
    return deleted


# -- reads ------------------------------------------------------------------------------
@command("ZCARD", arity=2, flags="readonly fast", keys=(1, 1, 1), group=_GROUP,
         summary="Get the number of members in a sorted set", since="1.2.0",
         complexity="O(1)")
def zcard(ctx, key):
    z = _zset(ctx, key)
    return 0 if z is None else len(z)


@command("ZSCORE", arity=3, flags="readonly fast", keys=(1, 1, 1), group=_GROUP,
         summary="Get the score associated with the given member in a sorted set",
         since="1.2.0", complexity="O(1)")
def zscore(ctx, key, member):
    z = _zset(ctx, key)
    if z is None:
        return None
    s = z.scores.get(member)
    return None if s is None else float(s)


@command("ZMSCORE", arity=-3, flags="readonly fast", keys=(1, 1, 1), group=_GROUP,
         summary="Get the score associated with the given members in a sorted set",
         since="6.2.0",
         complexity="O(N) where N is the number of members being requested.")
def zmscore(ctx, key, *members):
    z = _zset(ctx, key)
    if z is None:
        return [None] * len(members)
    get = z.scores.get
    out = []
    for m in members:
        s = get(m)
        out.append(None if s is None else float(s))
    return out


def _rank(ctx, key, member, reverse):
    z = _zset(ctx, key)
    if z is None:
        return None
    r = z.rank(member)
    if r is None:
        return None
    return len(z) - 1 - r if reverse else r


@command("ZRANK", arity=3, flags="readonly fast", keys=(1, 1, 1), group=_GROUP,
         summary="Determine the index of a member in a sorted set", since="2.0.0",
         complexity="O(log(N))")
def zrank(ctx, key, member):
    return _rank(ctx, key, member, False)


@command("ZREVRANK", arity=3, flags="readonly fast", keys=(1, 1, 1), group=_GROUP,
         summary="Determine the index of a member in a sorted set, with scores ordered "
                 "from high to low", since="2.0.0", complexity="O(log(N))")
def zrevrank(ctx, key, member):
    return _rank(ctx, key, member, True)


@command("ZCOUNT", arity=4, flags="readonly fast", keys=(1, 1, 1), group=_GROUP,
         summary="Count the members in a sorted set with scores within the given values",
         since="2.0.0", complexity="O(log(N)) with N being the number of elements in the "
                                   "sorted set.")
def zcount(ctx, key, lo, hi):
    rng = _score_range(lo, hi)
    z = _zset(ctx, key)
    if z is None:
        return 0
    start, end = z.score_bounds(*rng)
    return end - start


@command("ZLEXCOUNT", arity=4, flags="readonly fast", keys=(1, 1, 1), group=_GROUP,
         summary="Count the number of members in a sorted set between a given "
                 "lexicographical range", since="2.8.9",
         complexity="O(log(N)) with N being the number of elements in the sorted set.")
def zlexcount(ctx, key, lo, hi):
    rng = _lex_range(lo, hi)
    z = _zset(ctx, key)
    if z is None:
        return 0
    start, end = z.lex_bounds(*rng)
    return end - start


# -- ZRANGE and friends -------------------------------------------------------------------
_RANK, _SCORE, _LEX = "rank", "score", "lex"


def _rank_window(n, start, end):
    """Redis' rank sanitising: (first, last) inclusive, or None if empty."""
    if start < 0:
        start += n
    if end < 0:
        end += n
    start = max(start, 0)
    if start > end or start >= n:
        return None
    if end >= n:
        end = n - 1
    return start, end


def _select(z, kind, rng, reverse, offset, limit):
    """The (score, member) pairs a ZRANGE-like call selects, in reply order."""
    n = len(z)
    if kind == _RANK:
        window = _rank_window(n, rng[0], rng[1])
        if window is None:
            return []
        first, last = window
        if reverse:
            return z.items(n - 1 - last, n - first, reverse=True)
        return z.items(first, last + 1)
    if kind == _SCORE:
        start, end = z.score_bounds(*rng)
    else:
        start, end = z.lex_bounds(*rng)
    if offset < 0 or start >= end:
        return []
    if reverse:
        hi = end - offset
        if hi <= start:
            return []
        lo = start if limit < 0 else max(start, hi - limit)
        return z.items(lo, hi, reverse=True)
    lo = start + offset
    if lo >= end:
        return []
    hi = end if limit < 0 else min(end, lo + limit)
    return z.items(lo, hi)


def _zrange(ctx, key, args, kind=None, reverse=None, store=None):
    """zrangeGenericCommand: ``args`` are min, max and the options."""
    withscores = False
    offset, limit = 0, -1
    i, n = 2, len(args)
    while i < n:
        opt = args[i].lower()
        left = n - i - 1
        if store is None and opt == b"withscores":
            withscores = True
        elif opt == b"limit" and left >= 2:
            offset = parse_int(args[i + 1])
            limit = parse_int(args[i + 2])
            i += 2
        elif reverse is None and opt == b"rev":
            reverse = True
        elif kind is None and opt == b"bylex":
            kind = _LEX
        elif kind is None and opt == b"byscore":
            kind = _SCORE
        else:
            raise ReplyError(errors.SYNTAX)
        i += 1
    reverse = bool(reverse)
    kind = kind or _RANK
    if limit != -1 and kind == _RANK:
        raise ReplyError(errors.ZRANGE_LIMIT_RANK)
    if withscores and kind == _LEX:
        raise ReplyError(errors.ZRANGE_WITHSCORES_BYLEX)
    lo, hi = args[0], args[1]
    if reverse and kind != _RANK:
        lo, hi = hi, lo                     # given as max, min
    if kind == _RANK:
        rng = (parse_int(lo), parse_int(hi))
    elif kind == _SCORE:
        rng = _score_range(lo, hi)
    else:
        rng = _lex_range(lo, hi)
    z = _zset(ctx, key)
    items = [] if z is None else _select(z, kind, rng, reverse, offset, limit)
    if store is not None:
        return _store(ctx, store, items, "zrangestore")
    return _pairs_reply(ctx, items, withscores)


_RANGE_COMPLEXITY = ("O(log(N)+M) with N being the number of elements in the sorted set and "
                     "M the number of elements returned.")


@command("ZRANGE", arity=-4, flags="readonly", keys=(1, 1, 1), group=_GROUP,
         summary="Return a range of members in a sorted set", since="1.2.0",
         complexity=_RANGE_COMPLEXITY)
def zrange(ctx, key, *args):
    return _zrange(ctx, key, args)


@command("ZRANGESTORE", arity=-5, flags="write denyoom", keys=(1, 2, 1), group=_GROUP,
         summary="Store a range of members from sorted set into another key",
         since="6.2.0", complexity="O(log(N)+M) with N being the number of elements in the "
                                   "sorted set and M the number of elements stored into the "
                                   "destination key.",
         write_keys=lambda argv: [argv[1]])
def zrangestore(ctx, dst, src, *args):
    return _zrange(ctx, src, args, store=dst)


@command("ZREVRANGE", arity=-4, flags="readonly", keys=(1, 1, 1), group=_GROUP,
         summary="Return a range of members in a sorted set, by index, with scores ordered "
                 "from high to low", since="1.2.0", complexity=_RANGE_COMPLEXITY)
def zrevrange(ctx, key, *args):
    return _zrange(ctx, key, args, kind=_RANK, reverse=True)


@command("ZRANGEBYSCORE", arity=-4, flags="readonly", keys=(1, 1, 1), group=_GROUP,
         summary="Return a range of members in a sorted set, by score", since="1.0.5",
         complexity=_RANGE_COMPLEXITY)
def zrangebyscore(ctx, key, *args):
    return _zrange(ctx, key, args, kind=_SCORE, reverse=False)


@command("ZREVRANGEBYSCORE", arity=-4, flags="readonly", keys=(1, 1, 1), group=_GROUP,
         summary="Return a range of members in a sorted set, by score, with scores ordered "
                 "from high to low", since="2.2.0", complexity=_RANGE_COMPLEXITY)
def zrevrangebyscore(ctx, key, *args):
    return _zrange(ctx, key, args, kind=_SCORE, reverse=True)


@command("ZRANGEBYLEX", arity=-4, flags="readonly", keys=(1, 1, 1), group=_GROUP,
         summary="Return a range of members in a sorted set, by lexicographical range",
         since="2.8.9", complexity=_RANGE_COMPLEXITY)
def zrangebylex(ctx, key, *args):
    return _zrange(ctx, key, args, kind=_LEX, reverse=False)


@command("ZREVRANGEBYLEX", arity=-4, flags="readonly", keys=(1, 1, 1), group=_GROUP,
         summary="Return a range of members in a sorted set, by lexicographical range, "
                 "ordered from higher to lower strings.", since="2.8.9",
         complexity=_RANGE_COMPLEXITY)
def zrevrangebylex(ctx, key, *args):
    return _zrange(ctx, key, args, kind=_LEX, reverse=True)


# -- ZREMRANGEBY* ---------------------------------------------------------------------------
def _zremrange(ctx, key, kind, lo, hi):
    if kind == _RANK:
        rng = (parse_int(lo), parse_int(hi))
    elif kind == _SCORE:
        rng = _score_range(lo, hi)
    else:
        rng = _lex_range(lo, hi)
    z = _zset(ctx, key)
    if z is None:
        return 0
    if kind == _RANK:
        window = _rank_window(len(z), *rng)
        if window is None:
            return 0
        start, end = window[0], window[1] + 1
    elif kind == _SCORE:
        start, end = z.score_bounds(*rng)
    else:
        start, end = z.lex_bounds(*rng)
    deleted = z.remove_slice(start, end)
    if deleted:
        ctx.engine.dirty += deleted
        ctx.engine.notify(ctx.db, "z", "zremrangeby" + kind, key)
        if not z:
            _emptied(ctx, key)
    return deleted


@command("ZREMRANGEBYRANK", arity=4, flags="write", keys=(1, 1, 1), group=_GROUP,
         summary="Remove all members in a sorted set within the given indexes",
         since="2.0.0", complexity="O(log(N)+M) with N being the number of elements in the "
                                   "sorted set and M the number of elements removed by the "
                                   "operation.")
def zremrangebyrank(ctx, key, start, stop):
    return _zremrange(ctx, key, _RANK, start, stop)


@command("ZREMRANGEBYSCORE", arity=4, flags="write", keys=(1, 1, 1), group=_GROUP,
         summary="Remove all members in a sorted set within the given scores",
         since="1.2.0", complexity="O(log(N)+M) with N being the number of elements in the "
                                   "sorted set and M the number of elements removed by the "
                                   "operation.")
def zremrangebyscore(ctx, key, lo, hi):
    return _zremrange(ctx, key, _SCORE, lo, hi)


@command("ZREMRANGEBYLEX", arity=4, flags="write", keys=(1, 1, 1), group=_GROUP,
         summary="Remove all members in a sorted set between the given lexicographical "
                 "range", since="2.8.9",
         complexity="O(log(N)+M) with N being the number of elements in the sorted set and "
                    "M the number of elements removed by the operation.")
def zremrangebylex(ctx, key, lo, hi):
    return _zremrange(ctx, key, _LEX, lo, hi)


# -- storing results --------------------------------------------------------------------------
def _store(ctx, dst, items, event):
    """Store ``items`` ((score, member) pairs) at ``dst``, or delete ``dst``
    when there are none; replies the size (Redis' store finalisers)."""
    db = ctx.db
    engine = ctx.engine
    if items:
        limits = _limits(ctx)
        z = ZSetValue()
        z.listpack = len(items) <= limits[0] and all(len(m) <= limits[1] for _, m in items)
        if z.listpack:
            items = [(0.0 if s == 0.0 else s, m) for s, m in items]
        z.scores = {m: s for s, m in items}
        z.index.update(items)
        db.set(dst, z)
        engine.dirty += 1
        engine.notify(db, "z", event, dst)
        db.signal_ready(dst)
        return len(z)
    if db.delete(dst):
        engine.dirty += 1
        engine.notify(db, "g", "del", dst)
    return 0


# -- pops ---------------------------------------------------------------------------------------
def _pop(ctx, key, z, count, maximum):
    """Pop up to ``count`` members; returns [(score, member)...]."""
    n = len(z)
    take = min(count, n)
    if maximum:
        items = z.items(n - take, n, reverse=True)
        z.remove_slice(n - take, n)
    else:
        items = z.items(0, take)
        z.remove_slice(0, take)
    engine = ctx.engine
    engine.dirty += take
    engine.notify(ctx.db, "z", "zpopmax" if maximum else "zpopmin", key)
    if not z:
        _emptied(ctx, key)
    return items


def _flat(items):
    out = []
    for s, m in items:
        out.append(m)
        out.append(float(s))
    return out


def _nested(items):
    return [[m, float(s)] for s, m in items]


def _zpop(ctx, key, args, maximum):
    if len(args) > 1:
        raise ReplyError(errors.SYNTAX)
    count = None
    if args:
        error = ReplyError(errors.MUST_BE_POSITIVE)
        count = parse_int(args[0], error)
        if count < 0:
            raise error
    z = _zset(ctx, key)
    if z is None or count == 0:
        return []
    items = _pop(ctx, key, z, 1 if count is None else count, maximum)
    return _nested(items) if ctx.resp3 and count is not None else _flat(items)


@command("ZPOPMIN", arity=-2, flags="write fast", keys=(1, 1, 1), group=_GROUP,
         summary="Remove and return members with the lowest scores in a sorted set",
         since="5.0.0", complexity="O(log(N)*M) with N being the number of elements in the "
                                   "sorted set, and M being the number of elements popped.")
def zpopmin(ctx, key, *args):
    return _zpop(ctx, key, args, False)


@command("ZPOPMAX", arity=-2, flags="write fast", keys=(1, 1, 1), group=_GROUP,
         summary="Remove and return members with the highest scores in a sorted set",
         since="5.0.0", complexity="O(log(N)*M) with N being the number of elements in the "
                                   "sorted set, and M being the number of elements popped.")
def zpopmax(ctx, key, *args):
    return _zpop(ctx, key, args, True)


def _pop_verb(maximum):
    return b"ZPOPMAX" if maximum else b"ZPOPMIN"


def _serve_bzpop(ctx, key, z, maximum):
    """BZPOPMIN/BZPOPMAX served: [key, member, score], replayed as ZPOPMIN key."""
    items = _pop(ctx, key, z, 1, maximum)
    ctx.engine.rewrite_propagation(ctx, (ctx.db.id, [_pop_verb(maximum), key]))
    return [key] + _flat(items)


def _serve_mpop(ctx, key, z, count, maximum):
    """ZMPOP/BZMPOP served: [key, [[member, score]...]], replayed as
    ZPOPMIN key <popped>."""
    items = _pop(ctx, key, z, count, maximum)
    ctx.engine.rewrite_propagation(
        ctx, (ctx.db.id, [_pop_verb(maximum), key, b"%d" % len(items)]))
    return [key, _nested(items)]


def _first_nonempty(ctx, keys):
    """The first key holding a sorted set (WRONGTYPE stops the walk, as in Redis)."""
    get = ctx.db.get_typed
    for k in keys:
        z = get(k, ZSetValue)
        if z is not None and len(z):
            return k, z
    return None, None


def _ready(ctx, keys):
    """The key being served (``engine.ready_key``, one of ``keys``) and its
    sorted set, or (None, None) when it holds none (another type: the
    client waits on)."""
    k = ctx.engine.ready_key
    z = ctx.db.get(k)
    if type(z) is ZSetValue and len(z):
        return k, z
    return None, None


def _bzpop(ctx, keys, raw_timeout, maximum):
    timeout = _timeout(raw_timeout)
    key, z = _first_nonempty(ctx, keys)
    if z is not None:
        return _serve_bzpop(ctx, key, z, maximum)
    if not ctx.engine.can_block(ctx):
        return NULL_ARRAY
    keys = list(keys)

    def retry():
        k, zz = _ready(ctx, keys)
        return NO_REPLY if zz is None else _serve_bzpop(ctx, k, zz, maximum)
    return ctx.engine.block(ctx, keys, timeout, retry)


@command("BZPOPMIN", arity=-3, flags="write noscript blocking fast", keys=(1, -2, 1),
         group=_GROUP, summary="Remove and return the member with the lowest score from one "
                               "or more sorted sets, or block until one is available",
         since="5.0.0", complexity="O(log(N)) with N being the number of elements in the "
                                   "sorted set.")
def bzpopmin(ctx, *args):
    return _bzpop(ctx, args[:-1], args[-1], False)


@command("BZPOPMAX", arity=-3, flags="write noscript blocking fast", keys=(1, -2, 1),
         group=_GROUP, summary="Remove and return the member with the highest score from one "
                               "or more sorted sets, or block until one is available",
         since="5.0.0", complexity="O(log(N)) with N being the number of elements in the "
                                   "sorted set.")
def bzpopmax(ctx, *args):
    return _bzpop(ctx, args[:-1], args[-1], True)


def _parse_mpop(args):
    """``numkeys key... MIN|MAX [COUNT count]`` -> (keys, maximum, count)."""
    numkeys = _positive_count(args[0], errors.NUMKEYS_NOT_POSITIVE)
    where = numkeys + 1
    if where >= len(args):
        raise ReplyError(errors.SYNTAX)
    side = args[where].lower()
    if side not in (b"min", b"max"):
        raise ReplyError(errors.SYNTAX)
    count = None
    i = where + 1
    while i < len(args):
        if count is None and args[i].lower() == b"count" and i + 1 < len(args):
            count = _positive_count(args[i + 1], errors.COUNT_NOT_POSITIVE)
            i += 2
        else:
            raise ReplyError(errors.SYNTAX)
    return list(args[1:where]), side == b"max", count or 1


def _mpop_keys(first):
    """Key positions of [B]ZMPOP: numkeys at ``first``, then the keys."""
    def positions(argv):
        try:
            n = int(argv[first])
        except (ValueError, IndexError):
            return []
        if n < 1:
            return []
        return list(range(first + 1, min(first + 1 + n, len(argv))))
    return positions


@command("ZMPOP", arity=-4, flags="write", keys=(0, 0, 0), group=_GROUP,
         summary="Remove and return members with scores in a sorted set", since="7.0.0",
         complexity="O(K) + O(N*log(M)) where K is the number of provided keys, N being the "
                    "number of elements in the sorted set, and M being the number of elements "
                    "popped.", getkeys=_mpop_keys(1))
def zmpop(ctx, *args):
    keys, maximum, count = _parse_mpop(args)
    key, z = _first_nonempty(ctx, keys)
    if z is None:
        return NULL_ARRAY
    return _serve_mpop(ctx, key, z, count, maximum)


@command("BZMPOP", arity=-5, flags="write blocking", keys=(0, 0, 0), group=_GROUP,
         summary="Remove and return members with scores in a sorted set or block until one "
                 "is available", since="7.0.0",
         complexity="O(K) + O(N*log(M)) where K is the number of provided keys, N being the "
                    "number of elements in the sorted set, and M being the number of elements "
                    "popped.", getkeys=_mpop_keys(2))
def bzmpop(ctx, raw_timeout, *args):
    keys, maximum, count = _parse_mpop(args)
    timeout = _timeout(raw_timeout)
    key, z = _first_nonempty(ctx, keys)
    if z is not None:
        return _serve_mpop(ctx, key, z, count, maximum)
    if not ctx.engine.can_block(ctx):
        return NULL_ARRAY

    def retry():
        k, zz = _ready(ctx, keys)
        return NO_REPLY if zz is None else _serve_mpop(ctx, k, zz, count, maximum)
    return ctx.engine.block(ctx, keys, timeout, retry)


# -- ZUNION / ZINTER / ZDIFF ------------------------------------------------------------------
_UNION, _INTER, _DIFF = "union", "inter", "diff"


def _aggregate(kind):
    if kind == b"sum":
        def agg(a, v):
            t = a + v
            return 0.0 if math.isnan(t) else t
    elif kind == b"min":
        def agg(a, v):
            return min(a, v)
    else:
        def agg(a, v):
            return max(a, v)
    return agg


def _sources(ctx, keys):
    """Each input as a dict member -> score (a set's members score 1)."""
    get = ctx.db.get
    out = []
    for k in keys:
        v = get(k)
        if v is None:
            out.append({})
        elif type(v) is ZSetValue:
            out.append(v.scores)
        elif type(v) is SetValue:
            out.append(dict.fromkeys(v, 1.0))
        else:
            raise ReplyError(errors.WRONGTYPE)
    return out


def _combine(ctx, name, op, args, dst=None, card=False):
    """zunionInterDiffGenericCommand; ``args`` start with numkeys."""
    setnum = parse_int(args[0])
    if setnum < 1:
        raise ReplyError(errors.ZSET_NO_INPUT_KEY % name)
    if setnum > len(args) - 1:
        raise ReplyError(errors.SYNTAX)
    srcs = _sources(ctx, args[1:1 + setnum])
    weights = [1.0] * setnum
    agg_kind = b"sum"
    withscores = False
    limit = 0
    j = 1 + setnum
    n = len(args)
    while j < n:
        remaining = n - j
        opt = args[j].lower()
        if op != _DIFF and not card and remaining >= setnum + 1 and opt == b"weights":
            weights = [parse_float(w, ReplyError(errors.WEIGHT_NOT_FLOAT))
                       for w in args[j + 1:j + 1 + setnum]]
            j += 1 + setnum
        elif op != _DIFF and not card and remaining >= 2 and opt == b"aggregate":
            agg_kind = args[j + 1].lower()
            if agg_kind not in (b"sum", b"min", b"max"):
                raise ReplyError(errors.SYNTAX)
            j += 2
        elif remaining >= 1 and dst is None and not card and opt == b"withscores":
            withscores = True
            j += 1
        elif card and remaining >= 2 and opt == b"limit":
            error = ReplyError(errors.LIMIT_NEGATIVE)
            limit = parse_int(args[j + 1], error)
            if limit < 0:
                raise error
            j += 2
        else:
            raise ReplyError(errors.SYNTAX)
    agg = _aggregate(agg_kind)
    result = {}
    if op == _DIFF:
        first, rest = srcs[0], srcs[1:]
        for m, s in first.items():
            for other in rest:
                if m in other:
                    break
            else:
                result[m] = s
    else:
        order = sorted(zip(srcs, weights), key=lambda p: len(p[0]))
        if op == _UNION:
            for src, w in order:
                for m, s in src.items():
                    v = w * s
                    if math.isnan(v):
                        v = 0.0
                    if m in result:
                        result[m] = agg(result[m], v)
                    else:
                        result[m] = v
        else:
            (first, w0), rest = order[0], order[1:]
            cardinality = 0
            for m, s in first.items():
                score = w0 * s
                if math.isnan(score):
                    score = 0.0
                for src, w in rest:
                    v = src.get(m)
                    if v is None:
                        break
                    score = agg(score, v * w)
                else:
                    if card:
                        cardinality += 1
                        if limit and cardinality >= limit:
                            break
                    else:
                        result[m] = score
            if card:
                return cardinality
    items = sorted((s, m) for m, s in result.items())
    if dst is not None:
        return _store(ctx, dst, items, f"z{op}store")
    return _pairs_reply(ctx, [(float(s), m) for s, m in items], withscores)


def _numkeys_keys(first, with_dst):
    def positions(argv):
        try:
            n = int(argv[first])
        except (ValueError, IndexError):
            return []
        if n < 1:
            return []
        keys = list(range(first + 1, min(first + 1 + n, len(argv))))
        return ([1] if with_dst else []) + keys
    return positions


def _dst_key(argv):
    return [argv[1]]


_UNION_COMPLEXITY = ("O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted "
                     "sets, and M being the number of elements in the resulting sorted set.")
_INTER_COMPLEXITY = ("O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted "
                     "set, K being the number of input sorted sets and M being the number of "
                     "elements in the resulting sorted set.")
_DIFF_COMPLEXITY = ("O(L + (N-K)log(N)) worst case where L is the total number of elements in "
                    "all the sets, N is the size of the first set, and K is the size of the "
                    "result set.")


@command("ZUNION", arity=-3, flags="readonly", keys=(0, 0, 0), group=_GROUP,
         summary="Add multiple sorted sets", since="6.2.0", complexity=_UNION_COMPLEXITY,
         getkeys=_numkeys_keys(1, False))
def zunion(ctx, *args):
    return _combine(ctx, "zunion", _UNION, args)


@command("ZINTER", arity=-3, flags="readonly", keys=(0, 0, 0), group=_GROUP,
         summary="Intersect multiple sorted sets", since="6.2.0",
         complexity=_INTER_COMPLEXITY, getkeys=_numkeys_keys(1, False))
def zinter(ctx, *args):
    return _combine(ctx, "zinter", _INTER, args)


@command("ZDIFF", arity=-3, flags="readonly", keys=(0, 0, 0), group=_GROUP,
         summary="Subtract multiple sorted sets", since="6.2.0", complexity=_DIFF_COMPLEXITY,
         getkeys=_numkeys_keys(1, False))
def zdiff(ctx, *args):
    return _combine(ctx, "zdiff", _DIFF, args)


@command("ZUNIONSTORE", arity=-4, flags="write denyoom", keys=(1, 1, 1), group=_GROUP,
         summary="Add multiple sorted sets and store the resulting sorted set in a new key",
         since="2.0.0", complexity=_UNION_COMPLEXITY, getkeys=_numkeys_keys(2, True),
         write_keys=_dst_key)
def zunionstore(ctx, dst, *args):
    return _combine(ctx, "zunionstore", _UNION, args, dst=dst)


@command("ZINTERSTORE", arity=-4, flags="write denyoom", keys=(1, 1, 1), group=_GROUP,
         summary="Intersect multiple sorted sets and store the resulting sorted set in a "
                 "new key", since="2.0.0", complexity=_INTER_COMPLEXITY,
         getkeys=_numkeys_keys(2, True), write_keys=_dst_key)
def zinterstore(ctx, dst, *args):
    return _combine(ctx, "zinterstore", _INTER, args, dst=dst)


@command("ZDIFFSTORE", arity=-4, flags="write denyoom", keys=(1, 1, 1), group=_GROUP,
         summary="Subtract multiple sorted sets and store the resulting sorted set in a new "
                 "key", since="6.2.0", complexity=_DIFF_COMPLEXITY,
         getkeys=_numkeys_keys(2, True), write_keys=_dst_key)
def zdiffstore(ctx, dst, *args):
    return _combine(ctx, "zdiffstore", _DIFF, args, dst=dst)


@command("ZINTERCARD", arity=-3, flags="readonly", keys=(0, 0, 0), group=_GROUP,
         summary="Intersect multiple sorted sets and return the cardinality of the result",
         since="7.0.0", complexity="O(N*K) worst case with N being the smallest input sorted "
                                   "set, K being the number of input sorted sets.",
         getkeys=_numkeys_keys(1, False))
def zintercard(ctx, *args):
    return _combine(ctx, "zintercard", _INTER, args, card=True)


# -- ZRANDMEMBER ------------------------------------------------------------------------------
@command("ZRANDMEMBER", arity=-2, flags="readonly", keys=(1, 1, 1), group=_GROUP,
         summary="Get one or multiple random elements from a sorted set", since="6.2.0",
         complexity="O(N) where N is the number of elements returned")
def zrandmember(ctx, key, *args):
    if not args:
        z = _zset(ctx, key)
        return None if z is None else random_one(z.scores)
    count = parse_int(args[0])
    if count < -_LONG_MAX:
        raise ReplyError(errors.INT_OUT_OF_RANGE % (-_LONG_MAX, _LONG_MAX))
    if len(args) > 2 or (len(args) == 2 and args[1].lower() != b"withscores"):
        raise ReplyError(errors.SYNTAX)
    withscores = len(args) == 2
    if withscores and (count < -(_LONG_MAX // 2) or count > _LONG_MAX // 2):
        raise ReplyError(errors.VALUE_OUT_OF_RANGE)
    z = _zset(ctx, key)
    if z is None or count == 0:
        return []
    if count < 0 or count == 1:
        members = random_repeated(z.scores, -count if count < 0 else 1)
    elif count >= len(z):
        # the whole set, highest first (as Redis 7.0 walks it)
        return _pairs_reply(ctx, z.items(0, len(z), reverse=True), withscores)
    else:
        members = random_distinct(z.scores, count)
    scores = z.scores
    return _pairs_reply(ctx, [(scores[m], m) for m in members], withscores)


# -- ZSCAN ------------------------------------------------------------------------------------
@command("ZSCAN", arity=-3, flags="readonly", keys=(1, 1, 1), group=_GROUP,
         summary="Incrementally iterate sorted sets elements and associated scores",
         since="2.8.0", complexity="O(1) for every call. O(N) for a complete iteration, "
                                   "including enough command calls for the cursor to return "
                                   "back to 0. N is the number of elements inside the "
                                   "collection..")
def zscan(ctx, key, cursor, *args):
    cur = parse_cursor(cursor)
    z = _zset(ctx, key)
    if z is None:
        return [b"0", []]
    pattern, count, _ = parse_scan_options(args, allow_type=False)
    limits = _limits(ctx)
    text = format_double
    if z.listpack and _fits_listpack(z, limits):
        # a listpack comes back whole, in its (sorted) order, with the scores
        # as it stores them
        nxt, candidates = scan_page(z, [m for _, m in z.index], cur, count, len(z))
        text = _listpack_score
    else:
        nxt, candidates = scan_page(z, z.scores, cur, count, 0)
    match = pattern_matcher(pattern)
    scores = z.scores
    out = []
    for m in candidates:
        s = scores.get(m)
        if s is not None and (match is None or match(m)):
            out.append(m)
            out.append(text(s))
    return [b"%d" % nxt, out]


_HALF_LLONG = float(INT64_MAX // 2)


def _listpack_score(s):
    """A score as a listpack holds it: an integer when it is one (within
    +-LLONG_MAX/2, Redis' double2ll), else ``%.17g``."""
    if -_HALF_LLONG <= s <= _HALF_LLONG and s == int(s):
        return b"%d" % int(s)
    return format_double(s)
