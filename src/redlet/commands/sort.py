"""SORT and SORT_RO (Redis 7.0's sort.c).

``SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC]
[ALPHA] [STORE destination]`` sorts the elements of a list, set or sorted
set, numerically (each element, or the value its BY pattern names, read as
C's strtod reads it) or byte-wise with ALPHA.  Redis' details kept here:

* numeric ties are broken by comparing the elements as bytes, so the
  result is deterministic; ALPHA compares as strcoll in the C locale
  (bytes, up to a NUL);
* a BY pattern without ``*`` means "do not sort": a list or sorted set
  keeps its own order (reversed by DESC) and LIMIT slices it; a set so
  asked with STORE (or from a script) is sorted ALPHA instead, so what is
  stored does not depend on hash order;
* ``GET #`` is the element, ``GET prefix*->field`` a hash field, a missing
  value is a null reply (an empty string when stored);
* STORE replaces the destination with a list (no TTL) and replies its
  length; an empty result deletes the destination.
"""
import math
from functools import cmp_to_key

from .. import errors
from ..errors import ReplyError
from ..keyspace.values import HashValue, ListValue, SetValue, TypedValue
from ..keyspace.zset import ZSetValue
from ..util import parse_int
from .registry import command
from .zsets import _strtod

_NOT_DOUBLE = "ERR One or more scores can't be converted into double"
_SORTABLE = (ListValue, SetValue, ZSetValue)
_DBL_MIN = 2.2250738585072014e-308


def _score(b):
    """strtod(b) with Redis' checks (the whole string, no ERANGE, no NaN),
    or None."""
    v = _strtod(b)
    if v is None:
        return None
    if math.isinf(v):
        word = b.strip().lstrip(b"+-").lower()
        if word not in (b"inf", b"infinity"):
            return None               # overflow: ERANGE
    elif abs(v) < _DBL_MIN and any(c in b"123456789" for c in _mantissa(b)):
        return None                   # underflow: ERANGE
    return v


def _mantissa(b):
    s = b.strip().lower()
    if s.startswith((b"0x", b"+0x", b"-0x")):
        return s.split(b"p", 1)[0].split(b"x", 1)[1]
    return s.split(b"e", 1)[0]


def _lookup(db, pattern, element):
    """lookupKeyByPattern: ``#`` is the element itself; the first ``*`` is
    replaced by the element; ``->field`` after it reads a hash field.
    None when there is no ``*`` or nothing (of the right type) is there."""
    if pattern == b"#":
        return element
    star = pattern.find(b"*")
    if star < 0:
        return None
    arrow = pattern.find(b"->", star + 1)
    field = None
    if arrow >= 0 and arrow + 2 < len(pattern):
        field = pattern[arrow + 2:]
        pattern = pattern[:arrow]
    v = db.get(pattern[:star] + element + pattern[star + 1:])
    if v is None:
        return None
    if field is not None:
        return v.get(field) if type(v) is HashValue else None
    return v if type(v) is bytes or type(v) is TypedValue else None


def _as_bytes(v):
    """A looked-up value as bytes to compare or store (a native typed value,
    which has no byte form, counts as empty)."""
    return v if type(v) is bytes else b""


def _parse(args, readonly):
    opts = {"desc": False, "alpha": False, "limit": None, "store": None, "by": None,
            "get": []}
    i, n = 0, len(args)
    while i < n:
        a = args[i].lower()
        left = n - i - 1
        if a == b"asc":
            opts["desc"] = False
        elif a == b"desc":
            opts["desc"] = True
        elif a == b"alpha":
            opts["alpha"] = True
        elif a == b"limit" and left >= 2:
            opts["limit"] = (parse_int(args[i + 1]), parse_int(args[i + 2]))
            i += 2
        elif not readonly and a == b"store" and left >= 1:
            opts["store"] = args[i + 1]
            i += 1
        elif a == b"by" and left >= 1:
            opts["by"] = args[i + 1]
            i += 1
        elif a == b"get" and left >= 1:
            opts["get"].append(args[i + 1])
            i += 1
        else:
            raise ReplyError(errors.SYNTAX)
        i += 1
    return opts


def _elements(value):
    if value is None:
        return []
    if type(value) is ZSetValue:
        return [m for _, m in value.index]          # by rank
    return list(value)


def _sort(ctx, key, args, readonly):
    o = _parse(args, readonly)
    db = ctx.db
    value = db.get(key)
    if value is not None and type(value) not in _SORTABLE:
        raise ReplyError(errors.WRONGTYPE)
    by, alpha, desc, store = o["by"], o["alpha"], o["desc"], o["store"]
    dontsort = by is not None and b"*" not in by
    if dontsort and type(value) is SetValue and (store is not None or ctx.in_script):
        dontsort, alpha, by = False, True, None    # a deterministic order to store
    elements = _elements(value)
    n = len(elements)
    start, count = o["limit"] or (0, -1)
    start = max(start, 0)
    end = n - 1 if count < 0 else start + count - 1
    if start >= n:
        start, end = n - 1, n - 2
    end = min(end, n - 1)
    if dontsort:
        if type(value) in (ListValue, ZSetValue) and desc:
            elements.reverse()
    else:
        elements = _sorted(db, elements, by, alpha, desc)
    chosen = elements[start:end + 1] if end >= start else []
    gets = o["get"]
    if store is None:
        if not gets:
            return chosen
        return [_lookup(db, g, e) for e in chosen for g in gets]
    if gets:
        out = [_as_bytes(_lookup(db, g, e) or b"") for e in chosen for g in gets]
    else:
        out = chosen
    engine = ctx.engine
    if out:
        db.set(store, ListValue(out))
        db.signal_ready(store)
        engine.notify(db, "l", "sortstore", store)
        engine.dirty += len(out)
    elif db.delete(store):
        engine.notify(db, "g", "del", store)
        engine.dirty += 1
    return len(out)


def _sorted(db, elements, by, alpha, desc):
    if alpha:
        if by is None:
            keyed = [(e.split(b"\0", 1)[0], e) for e in elements]
        else:
            keyed = []
            for e in elements:
                v = _lookup(db, by, e)
                keyed.append((None if v is None else _as_bytes(v).split(b"\0", 1)[0], e))

        def cmp(a, b):
            x, y = a[0], b[0]
            if x is None or y is None:
                c = 0 if x is y else (-1 if x is None else 1)
            else:
                c = (x > y) - (x < y)
            return -c if desc else c
        keyed.sort(key=cmp_to_key(cmp))
        return [e for _, e in keyed]
    keyed = []
    for e in elements:
        if by is None:
            v = e
        else:
            v = _lookup(db, by, e)
            if v is None:
                keyed.append((0.0, e))
                continue
            v = _as_bytes(v)
        s = _score(v)
        if s is None:
            raise ReplyError(_NOT_DOUBLE)
        keyed.append((s, e))
    keyed.sort(reverse=desc)            # score, then the element's bytes
    return [e for _, e in keyed]


def _sort_keys(argv):
    """sortGetKeys: the key, and the STORE destination if any."""
    out = [1]
    i, n = 2, len(argv)
    store = None
    while i < n:
        a = argv[i].lower()
        if a == b"limit":
            i += 3
            continue
        if a in (b"get", b"by"):
            i += 2
            continue
        if a == b"store" and i + 1 < n:
            store = i + 1          # the last STORE wins, as the command parses it
        i += 1
    if store is not None:
        out.append(store)
    return out


def _written(argv):
    i = _sort_keys(argv)
    return [argv[i[1]]] if len(i) > 1 else []


@command("SORT", arity=-2, flags="write denyoom", keys=(1, 1, 1), group="generic",
         summary="Sort the elements in a list, set or sorted set", since="1.0.0",
         complexity="O(N+M*log(M)) where N is the number of elements in the list or set to "
                    "sort, and M the number of returned elements. When the elements are not "
                    "sorted, complexity is O(N).",
         getkeys=_sort_keys, write_keys=_written, acl=("-keyspace", "set", "sortedset", "list", "dangerous"))
def sort(ctx, key, *args):
    return _sort(ctx, key, args, False)


@command("SORT_RO", arity=-2, flags="readonly", keys=(1, 1, 1), group="generic",
         summary="Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
         since="7.0.0",
         complexity="O(N+M*log(M)) where N is the number of elements in the list or set to "
                    "sort, and M the number of returned elements. When the elements are not "
                    "sorted, complexity is O(N).",
         getkeys=lambda argv: [1], acl=("-keyspace", "set", "sortedset", "list", "dangerous"))
def sort_ro(ctx, key, *args):
    return _sort(ctx, key, args, True)
