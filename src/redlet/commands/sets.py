"""Set commands (group "set", Redis 7.0's t_set.c).

A set is a ``SetValue`` (a Python set of bytes); a set whose last member goes
is deleted.  Replies, errors, dirty counting, keyspace events (class ``s``)
and propagation follow Redis 7.0:

* SADD/SREM count one change per member added/removed;
* SPOP is replayed as its effect: ``SREM key member`` for each popped member,
  or ``DEL key`` (``UNLINK`` with ``lazyfree-lazy-server-del``) when the count
  takes the whole set;
* SMOVE counts one change for the source and one more if the member was new
  in the destination, notifying ``srem`` then ``sadd``;
* the STORE commands overwrite a destination of any type (its TTL goes), or
  delete it when the result is empty.

Whole-set replies (SMEMBERS, SINTER, SUNION, SDIFF, SPOP with a count) are
RESP3 sets (``~``); SRANDMEMBER replies an array, as Redis 7.0 does.
"""
from .. import errors
from ..errors import ReplyError
from ..keyspace.scan import parse_cursor
from ..keyspace.values import SetValue
from ..protocol import RespSet
from ..util import INT64_MAX, parse_int
from ._members import random_distinct, random_one, random_repeated, scan_reply
from .keys import _int_or_none
from .registry import command

_LONG_MAX = INT64_MAX


def _set(ctx, key):
    """The set at ``key`` or None; WRONGTYPE for another type."""
    return ctx.db.get_typed(key, SetValue)


def _sets(ctx, keys):
    """The sets at ``keys`` (None for a missing one); WRONGTYPE if any key holds
    another type (every key is checked, as Redis does)."""
    get = ctx.db.get_typed
    return [get(k, SetValue) for k in keys]


def _intset_order(ctx, members):
    """``members`` sorted numerically if Redis would hold them as an intset
    (integers only, at most ``set-max-intset-entries``), else None."""
    if len(members) > ctx.engine.config["set-max-intset-entries"]:
        return None
    ints = []
    for m in members:
        i = _int_or_none(m)
        if i is None:
            return None
        ints.append((i, m))
    ints.sort()
    return [m for _, m in ints]


def _ordered(ctx, members):
    """A whole-set reply in Redis' order: an intset comes out sorted
    numerically; any other order is Redis' hashtable order (unspecified)."""
    ordered = _intset_order(ctx, members)
    return RespSet(members if ordered is None else ordered)


def _emptied(ctx, key):
    """The set at ``key`` lost its last member: the key goes."""
    ctx.db.delete(key)
    ctx.engine.notify(ctx.db, "g", "del", key)


# -- SADD / SREM ------------------------------------------------------------------------
@command("SADD", arity=-3, flags="write denyoom fast", keys=(1, 1, 1), group="set",
         summary="Add one or more members to a set", since="1.0.0",
         complexity="O(1) for each element added, so O(N) to add N elements when the "
                    "command is called with multiple arguments.")
def sadd(ctx, key, *members):
    db = ctx.db
    s = db.get_typed(key, SetValue)
    if s is None:
        s = SetValue()
        db.set(key, s)
    before = len(s)
    s.update(members)
    added = len(s) - before
    if added:
        engine = ctx.engine
        engine.dirty += added
        if engine.notify_flags:
            engine.notify(db, "s", "sadd", key)
    return added


@command("SREM", arity=-3, flags="write fast", keys=(1, 1, 1), group="set",
         summary="Remove one or more members from a set", since="1.0.0",
         complexity="O(N) where N is the number of members to be removed.")
def srem(ctx, key, *members):
    s = _set(ctx, key)
    if s is None:
        return 0
    before = len(s)
    s.difference_update(members)
    removed = before - len(s)
    if removed:
        ctx.engine.dirty += removed
        ctx.engine.notify(ctx.db, "s", "srem", key)
        if not s:
            _emptied(ctx, key)
    return removed


# -- reads ------------------------------------------------------------------------------
@command("SCARD", arity=2, flags="readonly fast", keys=(1, 1, 1), group="set",
         summary="Get the number of members in a set", since="1.0.0", complexity="O(1)")
def scard(ctx, key):
    s = _set(ctx, key)
    return 0 if s is None else len(s)


@command("SISMEMBER", arity=3, flags="readonly fast", keys=(1, 1, 1), group="set",
         summary="Determine if a given value is a member of a set", since="1.0.0",
         complexity="O(1)")
def sismember(ctx, key, member):
    s = _set(ctx, key)
    return 1 if s is not None and member in s else 0


@command("SMISMEMBER", arity=-3, flags="readonly fast", keys=(1, 1, 1), group="set",
         summary="Returns the membership associated with the given elements for a set",
         since="6.2.0", complexity="O(N) where N is the number of elements being checked "
                                   "for membership")
def smismember(ctx, key, *members):
    s = _set(ctx, key)
    if s is None:
        return [0] * len(members)
    return [1 if m in s else 0 for m in members]


@command("SMEMBERS", arity=2, flags="readonly", keys=(1, 1, 1), group="set",
         summary="Get all the members in a set", since="1.0.0",
         complexity="O(N) where N is the set cardinality.")
def smembers(ctx, key):
    s = _set(ctx, key)
    return RespSet() if s is None else _ordered(ctx, s)


# -- random members ---------------------------------------------------------------------
def _positive_count(raw):
    """SPOP's count (Redis' getPositiveLongFromObjectOrReply)."""
    error = ReplyError(errors.MUST_BE_POSITIVE)
    count = parse_int(raw, error)
    if count < 0:
        raise error
    return count


@command("SPOP", arity=-2, flags="write fast", keys=(1, 1, 1), group="set",
         summary="Remove and return one or multiple random members from a set",
         since="1.0.0", complexity="Without the count argument O(1), otherwise O(N) where N "
                                   "is the value of the passed count.")
def spop(ctx, key, *args):
    if len(args) > 1:
        raise ReplyError(errors.SYNTAX)
    if args:
        return _spop_count(ctx, key, _positive_count(args[0]))
    s = _set(ctx, key)
    if s is None:
        return None
    db = ctx.db
    engine = ctx.engine
    member = random_one(s)
    s.discard(member)
    engine.notify(db, "s", "spop", key)
    engine.rewrite_propagation(ctx, (db.id, [b"SREM", key, member]))
    if not s:
        _emptied(ctx, key)
    engine.dirty += 1
    return member


def _spop_count(ctx, key, count):
    s = _set(ctx, key)
    if s is None or count == 0:
        return RespSet()
    db = ctx.db
    engine = ctx.engine
    size = len(s)
    engine.notify(db, "s", "spop", key)
    if count >= size:
        # the whole set: the key goes, replayed as its deletion
        engine.dirty += size
        reply = RespSet(s)
        _emptied(ctx, key)
        verb = b"UNLINK" if engine.config["lazyfree-lazy-server-del"] else b"DEL"
        engine.rewrite_propagation(ctx, (db.id, [verb, key]))
        return reply
    engine.dirty += count
    popped = random_distinct(s, count)
    s.difference_update(popped)
    # Redis 7.0 replays one SREM per popped member
    engine.rewrite_propagation(ctx, *[(db.id, [b"SREM", key, m]) for m in popped])
    return RespSet(popped)


@command("SRANDMEMBER", arity=-2, flags="readonly", keys=(1, 1, 1), group="set",
         summary="Get one or multiple random members from a set", since="1.0.0",
         complexity="Without the count argument O(1), otherwise O(N) where N is the absolute "
                    "value of the passed count.")
def srandmember(ctx, key, *args):
    if len(args) > 1:
        raise ReplyError(errors.SYNTAX)
    if not args:
        s = _set(ctx, key)
        return None if s is None else random_one(s)
    count = parse_int(args[0])
    if count < -_LONG_MAX:
        raise ReplyError(errors.INT_OUT_OF_RANGE % (-_LONG_MAX, _LONG_MAX))
    s = _set(ctx, key)
    if s is None or count == 0:
        return []
    if count < 0 or count == 1:
        return random_repeated(s, -count if count < 0 else 1)
    if count >= len(s):
        return list(s)
    return random_distinct(s, count)


# -- SMOVE ------------------------------------------------------------------------------
@command("SMOVE", arity=4, flags="write fast", keys=(1, 2, 1), group="set",
         summary="Move a member from one set to another", since="1.0.0", complexity="O(1)")
def smove(ctx, source, destination, member):
    db = ctx.db
    src = db.get(source)
    dst = db.get(destination)
    if src is None:
        return 0
    if type(src) is not SetValue or (dst is not None and type(dst) is not SetValue):
        raise ReplyError(errors.WRONGTYPE)
    if src is dst:
        return 1 if member in src else 0
    if member not in src:
        return 0
    engine = ctx.engine
    src.discard(member)
    engine.notify(db, "s", "srem", source)
    if not src:
        _emptied(ctx, source)
    if dst is None:
        dst = SetValue()
        db.set(destination, dst)
    engine.dirty += 1
    if member not in dst:
        dst.add(member)
        engine.dirty += 1
        engine.notify(db, "s", "sadd", destination)
    return 1


# -- algebra ----------------------------------------------------------------------------
def _intersection(sets):
    if not sets or any(s is None for s in sets):
        return set()
    sets = sorted(sets, key=len)
    return sets[0].intersection(*sets[1:])


def _union(sets):
    return set().union(*[s for s in sets if s is not None])


def _difference(sets):
    first = sets[0]
    if first is None:
        return set()
    return first.difference(*[s for s in sets[1:] if s is not None])


def _store(ctx, destination, result, event):
    """Store the result of a STORE command (or delete the destination when it
    is empty); replies its size."""
    db = ctx.db
    engine = ctx.engine
    if result:
        db.set(destination, SetValue(result))
        engine.dirty += 1
        engine.notify(db, "s", event, destination)
        return len(result)
    if db.delete(destination):
        engine.dirty += 1
        engine.notify(db, "g", "del", destination)
    return 0


_ALGEBRA_COMPLEXITY = {
    "inter": "O(N*M) worst case where N is the cardinality of the smallest set and M is "
             "the number of sets.",
    "union": "O(N) where N is the total number of elements in all given sets.",
    "diff": "O(N) where N is the total number of elements in all given sets.",
}


def _store_keys(argv):
    return [argv[1]]


@command("SINTER", arity=-2, flags="readonly", keys=(1, -1, 1), group="set",
         summary="Intersect multiple sets", since="1.0.0",
         complexity=_ALGEBRA_COMPLEXITY["inter"])
def sinter(ctx, *keys):
    return _ordered(ctx, _intersection(_sets(ctx, keys)))


@command("SINTERSTORE", arity=-3, flags="write denyoom", keys=(1, -1, 1), group="set",
         summary="Intersect multiple sets and store the resulting set in a key",
         since="1.0.0", complexity=_ALGEBRA_COMPLEXITY["inter"], write_keys=_store_keys)
def sinterstore(ctx, destination, *keys):
    return _store(ctx, destination, _intersection(_sets(ctx, keys)), "sinterstore")


@command("SUNION", arity=-2, flags="readonly", keys=(1, -1, 1), group="set",
         summary="Add multiple sets", since="1.0.0", complexity=_ALGEBRA_COMPLEXITY["union"])
def sunion(ctx, *keys):
    return _ordered(ctx, _union(_sets(ctx, keys)))


@command("SUNIONSTORE", arity=-3, flags="write denyoom", keys=(1, -1, 1), group="set",
         summary="Add multiple sets and store the resulting set in a key", since="1.0.0",
         complexity=_ALGEBRA_COMPLEXITY["union"], write_keys=_store_keys)
def sunionstore(ctx, destination, *keys):
    return _store(ctx, destination, _union(_sets(ctx, keys)), "sunionstore")


@command("SDIFF", arity=-2, flags="readonly", keys=(1, -1, 1), group="set",
         summary="Subtract multiple sets", since="1.0.0",
         complexity=_ALGEBRA_COMPLEXITY["diff"])
def sdiff(ctx, *keys):
    return _ordered(ctx, _difference(_sets(ctx, keys)))


@command("SDIFFSTORE", arity=-3, flags="write denyoom", keys=(1, -1, 1), group="set",
         summary="Subtract multiple sets and store the resulting set in a key",
         since="1.0.0", complexity=_ALGEBRA_COMPLEXITY["diff"], write_keys=_store_keys)
def sdiffstore(ctx, destination, *keys):
    return _store(ctx, destination, _difference(_sets(ctx, keys)), "sdiffstore")


def _numkeys_positions(argv):
    """Key positions of ``SINTERCARD numkeys key... [LIMIT n]`` (none if malformed)."""
    try:
        n = int(argv[1])
    except (ValueError, IndexError):
        return []
    if n < 1:
        return []
    return list(range(2, min(2 + n, len(argv))))


@command("SINTERCARD", arity=-3, flags="readonly", keys=(0, 0, 0), group="set",
         summary="Intersect multiple sets and return the cardinality of the result",
         since="7.0.0", complexity="O(N*M) worst case where N is the cardinality of the "
                                   "smallest set and M is the number of sets.",
         getkeys=_numkeys_positions)
def sintercard(ctx, numkeys, *args):
    error = ReplyError(errors.NUMKEYS_NOT_POSITIVE)
    n = parse_int(numkeys, error)
    if n < 1:
        raise error
    if n > len(args):
        raise ReplyError(errors.NUMKEYS_TOO_MANY)
    limit = 0
    i = n
    while i < len(args):
        if args[i].lower() == b"limit" and i + 1 < len(args):
            error = ReplyError(errors.LIMIT_NEGATIVE)
            limit = parse_int(args[i + 1], error)
            if limit < 0:
                raise error
            i += 2
        else:
            raise ReplyError(errors.SYNTAX)
    sets = _sets(ctx, args[:n])
    if any(s is None for s in sets):
        return 0
    sets.sort(key=len)
    first, rest = sets[0], sets[1:]
    if not limit:
        return len(first.intersection(*rest)) if rest else len(first)
    count = 0
    for m in first:
        for s in rest:
            if m not in s:
                break
        else:
            count += 1
            if count >= limit:
                break
    return count


# -- SSCAN ------------------------------------------------------------------------------
@command("SSCAN", arity=-3, flags="readonly", keys=(1, 1, 1), group="set",
         summary="Incrementally iterate Set elements", since="2.8.0",
         complexity="O(1) for every call. O(N) for a complete iteration, including enough "
                    "command calls for the cursor to return back to 0. N is the number of "
                    "elements inside the collection..")
def sscan(ctx, key, cursor, *args):
    cur = parse_cursor(cursor)
    s = _set(ctx, key)
    if s is None:
        return scan_reply(s, cur, args, 0, pairs=False)
    ordered = _intset_order(ctx, s)
    if ordered is not None:               # an intset: answered whole, in its order
        return scan_reply(s, cur, args, len(s), pairs=False, source=ordered)
    return scan_reply(s, cur, args, 0, pairs=False)
