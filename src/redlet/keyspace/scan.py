"""Resumable iteration for the SCAN family (SCAN, HSCAN, SSCAN, ZSCAN).

What SCAN promises
------------------
An element present in the collection for the whole iteration (from the call
with cursor 0 to the call that returns cursor 0) is returned at least once,
whatever is added or removed meanwhile; elements added or removed during the
iteration may or may not be returned; an element may be returned more than
once.  Redis keeps that promise with a reverse-binary cursor over its hash
table buckets.  Python dicts and sets expose no bucket order to resume from,
and their iteration order shifts when earlier entries are deleted, so a plain
"position" cursor would skip elements.

How: a snapshot per iteration
-----------------------------
The first call (cursor 0) copies the collection's element names into a list:
the snapshot.  Later calls walk that list ``count`` entries at a time; the
caller drops the entries that are no longer in the collection.  The cursor
encodes ``(position, snapshot id)`` as one unsigned 64-bit integer::

    cursor = position << 24 | snapshot_id        (snapshot_id in 1 .. 2**24-1)

so every cursor we hand out is non-zero until the walk ends with 0.  An element
present throughout is in the snapshot, hence returned exactly once by a
completed walk.

Snapshots live in a registry with bounds: at most ``MAX_SNAPSHOTS`` live
walks and ``MAX_SNAPSHOT_ITEMS`` snapshot entries in all; the least recently
used walk is evicted first, and walks idle for ``IDLE_SECONDS`` are dropped.
A cursor whose snapshot is gone (evicted, idle, another process, made up)
restarts the walk from a fresh snapshot: the client sees duplicates but never
misses an element, so the guarantee survives eviction.  A snapshot is tied to
its owner (the Database for SCAN, the hash/set/zset value for the others): a
cursor used against another owner restarts too.

Trade-off
---------
Memory: 8 bytes per element per running walk (the list of references; the
element names themselves are shared with the collection), and names deleted
during a walk stay alive until the walk ends or is evicted.  Time: the call
with cursor 0 is O(N) (a C-speed copy: about 5 ms per million keys), every
later call O(count).  Redis needs no memory per walk and is O(1) per call, but
it only promises what we promise.  Collections of at most ``count`` elements
(or of at most ``whole`` elements, which HSCAN and friends set to their
listpack/intset thresholds, as Redis returns such encodings in one call) are
answered in one call with cursor 0 and no snapshot.

No protocol here, except the argument parsing the four commands share
(``parse_cursor``, ``parse_scan_options``), which raises Redis' errors.
"""
import functools
import re
import threading
import time
from collections import OrderedDict

from .. import errors
from ..errors import ReplyError
from ..util import parse_int

MAX_SNAPSHOTS = 1024
MAX_SNAPSHOT_ITEMS = 16_000_000       # about 128 MB of references in all
IDLE_SECONDS = 600.0

_ID_BITS = 24
_ID_MASK = (1 << _ID_BITS) - 1
_MAX_CURSOR = 2 ** 64 - 1



class _Snapshot:
    __slots__ = ("owner", "items", "used")

    def __init__(self, owner, items, used):
        self.owner = owner          # id() of the owner object
        self.items = items
        self.used = used


class ScanRegistry:
    """The live snapshots of unfinished walks, bounded as the module says."""

    def __init__(self, max_snapshots=MAX_SNAPSHOTS, max_items=MAX_SNAPSHOT_ITEMS,
                 idle_seconds=IDLE_SECONDS, clock=time.monotonic):
        self.max_snapshots = max_snapshots
        self.max_items = max_items
        self.idle_seconds = idle_seconds
        self.clock = clock
        self.snapshots = OrderedDict()      # id -> _Snapshot, least recently used first
        self.items = 0                      # entries held by all snapshots
        self._next_id = 1
        # engines embedded in several threads share the registry
        self._lock = threading.Lock()

    def __len__(self):
        return len(self.snapshots)

    def page(self, owner, source, cursor, count, whole=0):
        """One call of a walk over ``source`` (a dict, set or any sized
        iterable of element names) on behalf of ``owner``.

        Returns ``(next_cursor, candidates)``: ``candidates`` are names from
        the snapshot, some of which may have left ``source`` since (the caller
        drops those, and applies MATCH/TYPE); ``next_cursor`` is 0 when the
        walk is complete.
        """
        with self._lock:
            return self._page(owner, source, cursor, count, whole)

    def _page(self, owner, source, cursor, count, whole):
        now = self.clock()
        snap = None
        sid = cursor & _ID_MASK
        pos = cursor >> _ID_BITS
        if cursor:
            snap = self.snapshots.get(sid)
            if snap is not None and snap.owner != id(owner):
                snap = None
        if snap is None:
            if len(source) <= max(count, whole):
                return 0, list(source)
            sid, snap = self._create(owner, list(source), now)
            pos = 0
        else:
            snap.used = now
            self.snapshots.move_to_end(sid)
        items = snap.items
        end = pos + count
        if end >= len(items):
            self._drop(sid)
            return 0, items[pos:]
        return (end << _ID_BITS) | sid, items[pos:end]

    # -- bookkeeping ---------------------------------------------------------
    def _create(self, owner, items, now):
        snapshots = self.snapshots
        # idle walks first, then the least recently used ones
        while snapshots:
            sid, oldest = next(iter(snapshots.items()))
            if (now - oldest.used > self.idle_seconds
                    or len(snapshots) >= self.max_snapshots
                    or self.items + len(items) > self.max_items):
                self._drop(sid)
            else:
                break
        sid = self._next_id
        while sid in snapshots:                 # only after 2**24 ids wrapped
            sid = sid % _ID_MASK + 1
        self._next_id = sid % _ID_MASK + 1
        snapshots[sid] = _Snapshot(id(owner), items, now)
        self.items += len(items)
        return sid, snapshots[sid]

    def _drop(self, sid):
        snap = self.snapshots.pop(sid, None)
        if snap is not None:
            self.items -= len(snap.items)

    def clear(self):
        with self._lock:
            self.snapshots.clear()
            self.items = 0


REGISTRY = ScanRegistry()


def scan_page(owner, source, cursor, count, whole=0):
    """``REGISTRY.page``: the one entry point the SCAN commands use."""
    return REGISTRY.page(owner, source, cursor, count, whole)


# -- arguments shared by SCAN, HSCAN, SSCAN, ZSCAN ----------------------------------
def parse_cursor(raw):
    """A cursor as Redis reads one (``strtoul``, base 10): digits with an
    optional sign (``-1`` wraps to 2**64-1), no leading space; an empty string
    is 0.  Anything else, or more than 64 bits, is ``ERR invalid cursor``."""
    if not raw:
        return 0
    body = raw
    negative = False
    if body[:1] in (b"+", b"-"):
        negative = body[:1] == b"-"
        body = body[1:]
    if not body.isdigit():          # also rejects a bare sign and any space
        raise ReplyError(errors.CURSOR_INVALID)
    digits = body.lstrip(b"0")
    if len(digits) > 20:
        raise ReplyError(errors.CURSOR_INVALID)
    value = int(digits or b"0")
    if value > _MAX_CURSOR:
        raise ReplyError(errors.CURSOR_INVALID)
    if negative:
        value = (-value) & _MAX_CURSOR
    return value


def parse_scan_options(args, allow_type=True):
    """``[MATCH pattern] [COUNT count] [TYPE type]`` in any order, repeated
    options overriding.  Returns ``(pattern or None, count, type or None)``;
    a ``*`` pattern is None (matches everything).  TYPE only for SCAN."""
    pattern = None
    count = 10
    kind = None
    i = 0
    n = len(args)
    while i < n:
        opt = args[i].lower()
        if i + 1 >= n:
            raise ReplyError(errors.SYNTAX)
        if opt == b"count":
            count = parse_int(args[i + 1])
            if count < 1:
                raise ReplyError(errors.SYNTAX)
        elif opt == b"match":
            pattern = None if args[i + 1] == b"*" else args[i + 1]
        elif opt == b"type" and allow_type:
            kind = args[i + 1]
        else:
            raise ReplyError(errors.SYNTAX)
        i += 2
    return pattern, count, kind


# -- MATCH -----------------------------------------------------------------------
_GLOB_SPECIAL = frozenset(b"*?[\\")
_STAR = None                    # a '*' among the compiled tokens


def _plain(b):
    return not _GLOB_SPECIAL.intersection(b)


def _glob_tokens(p):
    """A Redis glob (``stringmatchlen``) as tokens: ``_STAR``, or a regex (bytes)
    matching exactly one byte.  Brackets follow Redis to the letter: ``\\``
    escapes, ``]`` closes, ``x-y`` is a range (either order) when two more
    bytes follow, and a class left open at the end of the pattern ends it."""
    tokens = []
    i, n = 0, len(p)
    while i < n:
        c = p[i]
        if c == 0x2A:                                       # '*'
            if not tokens or tokens[-1] is not _STAR:
                tokens.append(_STAR)
            i += 1
        elif c == 0x3F:                                     # '?'
            tokens.append(b".")
            i += 1
        elif c == 0x5B:                                     # '['
            i += 1
            negate = i < n and p[i] == 0x5E
            if negate:
                i += 1
            items = []
            while True:
                if i < n and p[i] == 0x5C and n - i >= 2:   # escaped byte
                    items.append(b"\\x%02x" % p[i + 1])
                    i += 2
                elif i < n and p[i] == 0x5D:                # ']'
                    i += 1
                    break
                elif i >= n:                                # open class: the pattern ends
                    break
                elif n - i >= 3 and p[i + 1] == 0x2D:       # range
                    lo, hi = sorted((p[i], p[i + 2]))
                    items.append(b"\\x%02x-\\x%02x" % (lo, hi))
                    i += 3
                else:
                    items.append(b"\\x%02x" % p[i])
                    i += 1
            if items:
                tokens.append(b"[" + (b"^" if negate else b"") + b"".join(items) + b"]")
            else:
                tokens.append(b"." if negate else b"(?!)")
        else:
            if c == 0x5C and n - i >= 2:                    # escape
                i += 1
                c = p[i]
            tokens.append(b"\\x%02x" % c)
            i += 1
    return tokens


@functools.lru_cache(maxsize=256)
def _compiled_glob(pattern):
    """A predicate for any glob.  The pattern is cut at its stars into
    fixed-width segments, each a compiled regex: the first must match at the
    start, the last at the end, the others leftmost in order between them.
    Greedy leftmost placement is exact for globs and never backtracks, so a
    pattern full of stars stays linear (a single regex could explode)."""
    segments = [[]]
    for t in _glob_tokens(pattern):
        if t is _STAR:
            segments.append([])
        else:
            segments[-1].append(t)
    compiled = [(re.compile(b"".join(seg), re.DOTALL), len(seg)) for seg in segments]
    if len(compiled) == 1:
        whole = compiled[0][0]
        return lambda s: whole.fullmatch(s) is not None
    (head, head_len), (tail, tail_len) = compiled[0], compiled[-1]
    middle = compiled[1:-1]
    fixed = head_len + tail_len + sum(w for _, w in middle)

    def match(s):
        n = len(s)
        # Redis: an empty string matches only the empty pattern
        if n == 0 or n < fixed:
            return False
        if head_len and head.match(s, 0, head_len) is None:
            return False
        end = n - tail_len
        if tail_len and tail.fullmatch(s, end) is None:
            return False
        pos = head_len
        for seg, width in middle:
            if width == 0:
                continue
            m = seg.search(s, pos, end)
            if m is None:
                return False
            pos = m.end()
        return True
    return match


def pattern_matcher(pattern):
    """A predicate for a MATCH/KEYS glob (Redis' ``stringmatchlen``, as
    ``util.glob_match``), or None when the pattern matches everything.  The
    common shapes (``exact``, ``prefix*``, ``*suffix``, ``*middle*``) are plain
    bytes operations; the rest run compiled (``_compiled_glob``)."""
    if pattern is None or pattern == b"*":
        return None
    if _plain(pattern):
        return pattern.__eq__
    if len(pattern) >= 2:
        head, body, tail = pattern[:1], pattern[1:-1], pattern[-1:]
        if tail == b"*" and _plain(pattern[:-1]):
            return lambda s, p=pattern[:-1]: s.startswith(p)
        if head == b"*" and _plain(pattern[1:]):
            return lambda s, p=pattern[1:]: s.endswith(p)
        if head == b"*" and tail == b"*" and body and _plain(body):
            return lambda s, p=body: p in s
    return _compiled_glob(pattern)
