"""List commands (group "list", Redis 7.0's t_list.c) and the blocking pops.

A list is a ``ListValue`` (a deque of bytes: O(1) push and pop at both
ends); a list whose last element goes is deleted.  Replies, argument
checks (in Redis' order), dirty counting, keyspace events (class ``l``) and
propagation follow Redis 7.0:

* LPOP/RPOP with a count reply an array (a null array for a missing key);
  RPOP's array is in pop order.
* LMOVE/RPOPLPUSH notify the push on the destination before the pop on the
  source, and count one change.
* The blocking forms (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) act as
  their plain form when an element is there, are propagated as that plain
  form (``LPOP key``, ``LPOP key <n>``, ``LMOVE``, ``RPOPLPUSH``), act as a
  timed-out call inside MULTI and scripts, and otherwise park the client
  until a push serves it (clients blocked on a key are served first come,
  first served) or the timeout passes (a null array, also for BLMOVE, as in
  Redis).
"""
from itertools import islice

from .. import errors
from ..errors import ReplyError
from ..keyspace.values import ListValue
from ..protocol import NO_REPLY, NULL_ARRAY, OK
from ..util import INT64_MAX, parse_int
from .registry import command
from .zsets import _mpop_keys, _positive_count, _timeout

_GROUP = "list"
_LEFT, _RIGHT = b"LEFT", b"RIGHT"


def _list(ctx, key):
    """The list at ``key`` or None; WRONGTYPE for another type."""
    return ctx.db.get_typed(key, ListValue)


def _side(raw):
    """LEFT/RIGHT (getListPositionFromObjectOrReply): True for LEFT."""
    s = raw.upper()
    if s == _LEFT:
        return True
    if s == _RIGHT:
        return False
    raise ReplyError(errors.SYNTAX)


def _emptied(ctx, key):
    """The list at ``key`` lost its last element: the key goes."""
    ctx.db.delete(key)
    ctx.engine.notify(ctx.db, "g", "del", key)


def _removed(ctx, key, lst, left, count):
    """Redis' listElementsRemoved: the pop event, the key deleted when
    emptied, ``count`` changes."""
    engine = ctx.engine
    if engine.notify_flags:
        engine.notify(ctx.db, "l", "lpop" if left else "rpop", key)
    if not lst:
        _emptied(ctx, key)
    engine.dirty += count


def _range(n, start, end):
    """LRANGE/LTRIM index normalisation: (start, end) inclusive or None if empty."""
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


def _slice(lst, start, end):
    """Elements ``start..end`` (inclusive) of a deque, walking from the nearer end."""
    n = len(lst)
    if start == 0 and end == n - 1:
        return list(lst)
    if start > n - 1 - end:           # nearer the tail: walk backwards
        out = list(islice(reversed(lst), n - 1 - end, n - start))
        out.reverse()
        return out
    return list(islice(lst, start, end + 1))


# -- pushes -----------------------------------------------------------------------------
def _push(ctx, key, values, left, event):
    db = ctx.db
    lst = db.get_typed(key, ListValue)
    if lst is None:
        lst = ListValue()
        db.set(key, lst)
        if db.blocking:
            db.signal_ready(key)
    if left:
        lst.extendleft(values)
    else:
        lst.extend(values)
    engine = ctx.engine
    engine.dirty += len(values)
    if engine.notify_flags:
        engine.notify(db, "l", event, key)
    return len(lst)


def _pushx(ctx, key, values, left, event):
    lst = _list(ctx, key)
    if lst is None:
        return 0
    if left:
        lst.extendleft(values)
    else:
        lst.extend(values)
    engine = ctx.engine
    engine.dirty += len(values)
    engine.notify(ctx.db, "l", event, key)
    return len(lst)


@command("LPUSH", arity=-3, flags="write denyoom fast", keys=(1, 1, 1), group=_GROUP,
         summary="Prepend one or multiple elements to a list", since="1.0.0",
         complexity="O(1) for each element added, so O(N) to add N elements when the "
                    "command is called with multiple arguments.")
def lpush(ctx, key, *values):
    return _push(ctx, key, values, True, "lpush")


@command("RPUSH", arity=-3, flags="write denyoom fast", keys=(1, 1, 1), group=_GROUP,
         summary="Append one or multiple elements to a list", since="1.0.0",
         complexity="O(1) for each element added, so O(N) to add N elements when the "
                    "command is called with multiple arguments.")
def rpush(ctx, key, *values):
    return _push(ctx, key, values, False, "rpush")


@command("LPUSHX", arity=-3, flags="write denyoom fast", keys=(1, 1, 1), group=_GROUP,
         summary="Prepend an element to a list, only if the list exists", since="2.2.0",
         complexity="O(1) for each element added, so O(N) to add N elements when the "
                    "command is called with multiple arguments.")
def lpushx(ctx, key, *values):
    return _pushx(ctx, key, values, True, "lpush")


@command("RPUSHX", arity=-3, flags="write denyoom fast", keys=(1, 1, 1), group=_GROUP,
         summary="Append an element to a list, only if the list exists", since="2.2.0",
         complexity="O(1) for each element added, so O(N) to add N elements when the "
                    "command is called with multiple arguments.")
def rpushx(ctx, key, *values):
    return _pushx(ctx, key, values, False, "rpush")


# -- pops -------------------------------------------------------------------------------
def _pop(ctx, key, args, left):
    if len(args) > 1:
        raise ReplyError(errors.WRONG_ARITY % ("lpop" if left else "rpop"))
    if not args:
        lst = _list(ctx, key)
        if lst is None:
            return None
        value = lst.popleft() if left else lst.pop()
        _removed(ctx, key, lst, left, 1)
        return value
    count = parse_int(args[0], _MUST_BE_POSITIVE)
    if count < 0:
        raise _MUST_BE_POSITIVE
    lst = _list(ctx, key)
    if lst is None:
        return NULL_ARRAY
    if not count:
        return []
    return _pop_many(ctx, key, lst, left, count)


def _pop_many(ctx, key, lst, left, count):
    take = min(count, len(lst))
    pop = lst.popleft if left else lst.pop
    out = [pop() for _ in range(take)]
    _removed(ctx, key, lst, left, take)
    return out


_MUST_BE_POSITIVE = ReplyError(errors.MUST_BE_POSITIVE)


@command("LPOP", arity=-2, flags="write fast", keys=(1, 1, 1), group=_GROUP,
         summary="Remove and get the first elements in a list", since="1.0.0",
         complexity="O(N) where N is the number of elements returned")
def lpop(ctx, key, *args):
    return _pop(ctx, key, args, True)


@command("RPOP", arity=-2, flags="write fast", keys=(1, 1, 1), group=_GROUP,
         summary="Remove and get the last elements in a list", since="1.0.0",
         complexity="O(N) where N is the number of elements returned")
def rpop(ctx, key, *args):
    return _pop(ctx, key, args, False)


# -- reads ------------------------------------------------------------------------------
@command("LLEN", arity=2, flags="readonly fast", keys=(1, 1, 1), group=_GROUP,
         summary="Get the length of a list", since="1.0.0", complexity="O(1)")
def llen(ctx, key):
    lst = _list(ctx, key)
    return 0 if lst is None else len(lst)


@command("LINDEX", arity=3, flags="readonly", keys=(1, 1, 1), group=_GROUP,
         summary="Get an element from a list by its index", since="1.0.0",
         complexity="O(N) where N is the number of elements to traverse to get to the element "
                    "at index. This makes asking for the first or the last element of the list "
                    "O(1).")
def lindex(ctx, key, raw_index):
    lst = _list(ctx, key)
    if lst is None:
        return None
    index = parse_int(raw_index)
    n = len(lst)
    if index < 0:
        index += n
    if index < 0 or index >= n:
        return None
    return lst[index]


@command("LRANGE", arity=4, flags="readonly", keys=(1, 1, 1), group=_GROUP,
         summary="Get a range of elements from a list", since="1.0.0",
         complexity="O(S+N) where S is the distance of start offset from HEAD for small lists, "
                    "from nearest end (HEAD or TAIL) for large lists; and N is the number of "
                    "elements in the specified range.")
def lrange(ctx, key, raw_start, raw_end):
    start = parse_int(raw_start)
    end = parse_int(raw_end)
    lst = _list(ctx, key)
    if lst is None:
        return []
    r = _range(len(lst), start, end)
    return [] if r is None else _slice(lst, *r)


def _lpos_option(raw, msg):
    """getPositiveLongFromObjectOrReply with ``msg`` for any failure."""
    error = ReplyError(msg)
    v = parse_int(raw, error)
    if v < 0:
        raise error
    return v


@command("LPOS", arity=-3, flags="readonly", keys=(1, 1, 1), group=_GROUP,
         summary="Return the index of matching elements on a list", since="6.0.6",
         complexity="O(N) where N is the number of elements in the list, for the average "
                    "case. When searching for elements near the head or the tail of the list, "
                    "or when the MAXLEN option is provided, the command may run in constant "
                    "time.")
def lpos(ctx, key, element, *args):
    rank, count, maxlen = 1, None, 0
    i, n = 0, len(args)
    while i < n:
        opt = args[i].lower()
        more = i + 1 < n
        if opt == b"rank" and more:
            rank = parse_int(args[i + 1])
            if rank < -INT64_MAX:
                rank = -1       # Redis 7.0 negates LONG_MIN to itself: any match counts
            if rank == 0:
                raise ReplyError(errors.LPOS_RANK_ZERO)
        elif opt == b"count" and more:
            count = _lpos_option(args[i + 1], errors.LPOS_COUNT_NEGATIVE)
        elif opt == b"maxlen" and more:
            maxlen = _lpos_option(args[i + 1], errors.LPOS_MAXLEN_NEGATIVE)
        else:
            raise ReplyError(errors.SYNTAX)
        i += 2
    lst = _list(ctx, key)
    if lst is None:
        return None if count is None else []
    size = len(lst)
    if rank > 0:
        it = lst
        index_of = int
    else:
        it = reversed(lst)
        rank = -rank

        def index_of(i):
            return size - i - 1
    if maxlen:
        it = islice(it, maxlen)
    matches = 0
    out = []
    for i, v in enumerate(it):
        if v == element:
            matches += 1
            if matches >= rank:
                if count is None:
                    return index_of(i)
                out.append(index_of(i))
                if count and len(out) >= count:
                    break
    return None if count is None else out


# -- in-place writes --------------------------------------------------------------------
@command("LSET", arity=4, flags="write denyoom", keys=(1, 1, 1), group=_GROUP,
         summary="Set the value of an element in a list by its index", since="1.0.0",
         complexity="O(N) where N is the length of the list. Setting either the first or the "
                    "last element of the list is O(1).")
def lset(ctx, key, raw_index, value):
    lst = _list(ctx, key)
    if lst is None:
        raise ReplyError(errors.NO_SUCH_KEY)
    index = parse_int(raw_index)
    n = len(lst)
    if index < 0:
        index += n
    if index < 0 or index >= n:
        raise ReplyError(errors.INDEX_OUT_OF_RANGE)
    lst[index] = value
    engine = ctx.engine
    engine.notify(ctx.db, "l", "lset", key)
    engine.dirty += 1
    return OK


@command("LINSERT", arity=5, flags="write denyoom", keys=(1, 1, 1), group=_GROUP,
         summary="Insert an element before or after another element in a list",
         since="2.2.0",
         complexity="O(N) where N is the number of elements to traverse before seeing the "
                    "value pivot. This means that inserting somewhere on the left end on the "
                    "list (head) can be considered O(1) and inserting somewhere on the right "
                    "end (tail) is O(N).")
def linsert(ctx, key, where, pivot, value):
    w = where.lower()
    if w == b"after":
        after = True
    elif w == b"before":
        after = False
    else:
        raise ReplyError(errors.SYNTAX)
    lst = _list(ctx, key)
    if lst is None:
        return 0
    try:
        i = lst.index(pivot)
    except ValueError:
        return -1
    lst.insert(i + 1 if after else i, value)
    engine = ctx.engine
    engine.notify(ctx.db, "l", "linsert", key)
    engine.dirty += 1
    return len(lst)


@command("LREM", arity=4, flags="write", keys=(1, 1, 1), group=_GROUP,
         summary="Remove elements from a list", since="1.0.0",
         complexity="O(N+M) where N is the length of the list and M is the number of elements "
                    "removed.")
def lrem(ctx, key, raw_count, element):
    count = parse_int(raw_count)
    lst = _list(ctx, key)
    if lst is None:
        return 0
    if count == 0:
        kept = [v for v in lst if v != element]
        removed = len(lst) - len(kept)
        if removed:
            lst.clear()
            lst.extend(kept)
    else:
        limit = abs(count)
        kept = []
        removed = 0
        source = lst if count > 0 else reversed(lst)
        for v in source:
            if removed < limit and v == element:
                removed += 1
            else:
                kept.append(v)
        if removed:
            if count < 0:
                kept.reverse()
            lst.clear()
            lst.extend(kept)
    if removed:
        ctx.engine.notify(ctx.db, "l", "lrem", key)
        if not lst:
            _emptied(ctx, key)
        ctx.engine.dirty += removed
    return removed


@command("LTRIM", arity=4, flags="write", keys=(1, 1, 1), group=_GROUP,
         summary="Trim a list to the specified range", since="1.0.0",
         complexity="O(N) where N is the number of elements to be removed by the operation.")
def ltrim(ctx, key, raw_start, raw_end):
    start = parse_int(raw_start)
    end = parse_int(raw_end)
    lst = _list(ctx, key)
    if lst is None:
        return OK
    n = len(lst)
    r = _range(n, start, end)
    if r is None:
        lst.clear()
    else:
        first, last = r
        if first + (n - 1 - last) > n // 2:       # most go: rebuild from the kept slice
            kept = _slice(lst, first, last)
            lst.clear()
            lst.extend(kept)
        else:
            for _ in range(first):
                lst.popleft()
            for _ in range(n - 1 - last):
                lst.pop()
    removed = n - len(lst)
    engine = ctx.engine
    engine.notify(ctx.db, "l", "ltrim", key)
    if not lst:
        _emptied(ctx, key)
    engine.dirty += removed
    return OK


# -- moves ------------------------------------------------------------------------------
def _move(ctx, src, dst, from_left, to_left):
    """LMOVE: the element moved, or None when ``src`` is missing."""
    db = ctx.db
    lst = db.get_typed(src, ListValue)
    if lst is None:
        return None
    target = db.get_typed(dst, ListValue)
    value = lst.popleft() if from_left else lst.pop()
    _push_moved(ctx, dst, target, value, to_left)
    engine = ctx.engine
    engine.notify(db, "l", "lpop" if from_left else "rpop", src)
    if not lst and db.data.get(src) is lst:
        _emptied(ctx, src)
    engine.dirty += 1
    return value


def _push_moved(ctx, dst, target, value, to_left):
    """lmoveHandlePush: create ``dst`` if needed, push, notify."""
    db = ctx.db
    if target is None:
        target = ListValue()
        db.set(dst, target)
        if db.blocking:
            db.signal_ready(dst)
    if to_left:
        target.appendleft(value)
    else:
        target.append(value)
    ctx.engine.notify(db, "l", "lpush" if to_left else "rpush", dst)


def _sides(from_left, to_left):
    return (_LEFT if from_left else _RIGHT), (_LEFT if to_left else _RIGHT)


@command("LMOVE", arity=5, flags="write denyoom", keys=(1, 2, 1), group=_GROUP,
         summary="Pop an element from a list, push it to another list and return it",
         since="6.2.0", complexity="O(1)")
def lmove(ctx, src, dst, raw_from, raw_to):
    return _move(ctx, src, dst, _side(raw_from), _side(raw_to))


@command("RPOPLPUSH", arity=3, flags="write denyoom", keys=(1, 2, 1), group=_GROUP,
         summary="Remove the last element in a list, prepend it to another list and return "
                 "it", since="1.2.0", complexity="O(1)")
def rpoplpush(ctx, src, dst):
    return _move(ctx, src, dst, False, True)


# -- LMPOP ------------------------------------------------------------------------------
def _parse_mpop(args):
    """``numkeys key... LEFT|RIGHT [COUNT count]`` -> (keys, left, count)."""
    numkeys = _positive_count(args[0], errors.NUMKEYS_NOT_POSITIVE)
    where = numkeys + 1
    if where >= len(args):
        raise ReplyError(errors.SYNTAX)
    left = _side(args[where])
    count = None
    i = where + 1
    while i < len(args):
        if count is None and args[i].lower() == b"count" and i + 1 < len(args):
            count = _positive_count(args[i + 1], errors.COUNT_NOT_POSITIVE)
            i += 2
        else:
            raise ReplyError(errors.SYNTAX)
    return list(args[1:where]), left, count or 1


def _first_nonempty(ctx, keys):
    """The first key holding a list (WRONGTYPE stops the walk, as in Redis)."""
    get = ctx.db.get_typed
    for k in keys:
        lst = get(k, ListValue)
        if lst:
            return k, lst
    return None, None


def _ready(ctx, keys):
    """The key being served (``engine.ready_key``, one of ``keys``: Redis
    serves a woken client from the key that got data) and its list, or
    (None, None) when it holds none (another type: the client waits on)."""
    k = ctx.engine.ready_key
    lst = ctx.db.get(k)
    if type(lst) is ListValue and lst:
        return k, lst
    return None, None


def _verb(left):
    return b"LPOP" if left else b"RPOP"


def _serve_mpop(ctx, key, lst, left, count):
    """[B]LMPOP served: [key, [elements]], replayed as LPOP key <n>."""
    out = _pop_many(ctx, key, lst, left, count)
    ctx.engine.rewrite_propagation(ctx, (ctx.db.id, [_verb(left), key, b"%d" % len(out)]))
    return [key, out]


@command("LMPOP", arity=-4, flags="write", keys=(0, 0, 0), group=_GROUP,
         summary="Pop elements from a list", since="7.0.0",
         complexity="O(N+M) where N is the number of provided keys and M is the number of "
                    "elements returned.", getkeys=_mpop_keys(1))
def lmpop(ctx, *args):
    keys, left, count = _parse_mpop(args)
    key, lst = _first_nonempty(ctx, keys)
    if lst is None:
        return NULL_ARRAY
    return _serve_mpop(ctx, key, lst, left, count)


# -- blocking pops ----------------------------------------------------------------------
def _serve_bpop(ctx, key, lst, left):
    """BLPOP/BRPOP served: [key, element], replayed as LPOP/RPOP key."""
    value = lst.popleft() if left else lst.pop()
    _removed(ctx, key, lst, left, 1)
    ctx.engine.rewrite_propagation(ctx, (ctx.db.id, [_verb(left), key]))
    return [key, value]


def _bpop(ctx, args, left):
    timeout = _timeout(args[-1])
    keys = list(args[:-1])
    key, lst = _first_nonempty(ctx, keys)
    if lst is not None:
        return _serve_bpop(ctx, key, lst, left)
    if not ctx.engine.can_block(ctx):
        return NULL_ARRAY

    def retry():
        k, ll = _ready(ctx, keys)
        if ll is None:
            return NO_REPLY
        reply = _serve_bpop(ctx, k, ll, left)
        ctx.engine.dirty -= 1           # Redis 7.0 counts no change for a served BLPOP
        return reply
    return ctx.engine.block(ctx, keys, timeout, retry)


@command("BLPOP", arity=-3, flags="write noscript blocking", keys=(1, -2, 1), group=_GROUP,
         summary="Remove and get the first element in a list, or block until one is "
                 "available", since="2.0.0",
         complexity="O(N) where N is the number of provided keys.")
def blpop(ctx, *args):
    return _bpop(ctx, args, True)


@command("BRPOP", arity=-3, flags="write noscript blocking", keys=(1, -2, 1), group=_GROUP,
         summary="Remove and get the last element in a list, or block until one is "
                 "available", since="2.0.0",
         complexity="O(N) where N is the number of provided keys.")
def brpop(ctx, *args):
    return _bpop(ctx, args, False)


@command("BLMPOP", arity=-5, flags="write blocking", keys=(0, 0, 0), group=_GROUP,
         summary="Pop elements from a list or block until one is available", since="7.0.0",
         complexity="O(N+M) where N is the number of provided keys and M is the number of "
                    "elements returned.", getkeys=_mpop_keys(2))
def blmpop(ctx, raw_timeout, *args):
    keys, left, count = _parse_mpop(args)
    timeout = _timeout(raw_timeout)
    key, lst = _first_nonempty(ctx, keys)
    if lst is not None:
        return _serve_mpop(ctx, key, lst, left, count)
    if not ctx.engine.can_block(ctx):
        return NULL_ARRAY

    def retry():
        k, ll = _ready(ctx, keys)
        return NO_REPLY if ll is None else _serve_mpop(ctx, k, ll, left, count)
    return ctx.engine.block(ctx, keys, timeout, retry)


def _bmove(ctx, src, dst, from_left, to_left, timeout, replay):
    """BLMOVE/BRPOPLPUSH: LMOVE now if ``src`` has elements, else block on it.
    ``replay`` builds the plain command propagated in its place."""
    db = ctx.db
    lst = db.get_typed(src, ListValue)
    if lst is not None:
        value = _move(ctx, src, dst, from_left, to_left)
        ctx.engine.rewrite_propagation(ctx, (db.id, replay))
        return value
    if not ctx.engine.can_block(ctx):
        return None

    def retry():
        d = ctx.db
        source = d.get(src)
        if type(source) is not ListValue or not source:
            return NO_REPLY
        target = d.get(dst)
        if target is not None and type(target) is not ListValue:
            raise ReplyError(errors.WRONGTYPE)     # the client is unblocked with it
        value = _move(ctx, src, dst, from_left, to_left)
        ctx.engine.dirty -= 1           # no change counted when served, as Redis 7.0
        ctx.engine.rewrite_propagation(ctx, (d.id, replay))
        return value
    return ctx.engine.block(ctx, [src], timeout, retry)


@command("BLMOVE", arity=6, flags="write denyoom noscript blocking", keys=(1, 2, 1),
         group=_GROUP, summary="Pop an element from a list, push it to another list and "
                               "return it; or block until one is available", since="6.2.0",
         complexity="O(1)")
def blmove(ctx, src, dst, raw_from, raw_to, raw_timeout):
    from_left = _side(raw_from)
    to_left = _side(raw_to)
    timeout = _timeout(raw_timeout)
    f, t = _sides(from_left, to_left)
    return _bmove(ctx, src, dst, from_left, to_left, timeout, [b"LMOVE", src, dst, f, t])


@command("BRPOPLPUSH", arity=4, flags="write denyoom noscript blocking", keys=(1, 2, 1),
         group=_GROUP, summary="Pop an element from a list, push it to another list and "
                               "return it; or block until one is available", since="2.2.0",
         complexity="O(1)")
def brpoplpush(ctx, src, dst, raw_timeout):
    timeout = _timeout(raw_timeout)
    return _bmove(ctx, src, dst, False, True, timeout, [b"RPOPLPUSH", src, dst])
