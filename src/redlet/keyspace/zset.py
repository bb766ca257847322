"""Sorted set storage: a dict of member -> score plus an ordered index.

The index is a ``sortedcontainers.SortedList`` of ``(score, member)`` pairs,
ordered as Redis orders a sorted set (score, then member bytes), which gives
O(log n) insert, delete, rank, and the start of a range by rank, score or
lex, the complexity Redis documents for its skiplist.

``listpack`` tells which encoding Redis would use for the set: a set starts
as a listpack and becomes a skiplist for good once it outgrows
``zset-max-listpack-entries``/``-value`` (the commands decide, see
``commands.zsets``).  It matters for OBJECT ENCODING, for ZSCAN (a listpack
is returned in one call) and for -0.0, which a listpack stores as 0.
No protocol here.
"""
from sortedcontainers import SortedList


class _Top:
    """Greater than any member: ``(score, TOP)`` sorts after every ``(score, m)``."""
    __slots__ = ()

    def __lt__(self, other):
        return False

    def __le__(self, other):
        return other is self

    def __gt__(self, other):
        return other is not self

    def __ge__(self, other):
        return True

    def __eq__(self, other):
        return other is self

    def __hash__(self):
        return 0


TOP = _Top()

# lex range bounds: MIN_LEX ("-") and MAX_LEX ("+"), or (member, exclusive)
MIN_LEX = "-"
MAX_LEX = "+"


def _gte_min(member, bound):
    if bound == MIN_LEX:
        return True
    if bound == MAX_LEX:
        return False
    value, exclusive = bound
    return member > value if exclusive else member >= value


def _lte_max(member, bound):
    if bound == MAX_LEX:
        return True
    if bound == MIN_LEX:
        return False
    value, exclusive = bound
    return member < value if exclusive else member <= value


class ZSetValue:
    __slots__ = ("index", "listpack", "scores")

    def __init__(self):
        self.scores = {}            # member (bytes) -> score (float)
        self.index = SortedList()   # (score, member), ordered as Redis orders
        self.listpack = True        # Redis' encoding (see the module docstring)

    def __len__(self):
        return len(self.scores)

    def add(self, member, score):
        """Insert or update; returns True if the member is new."""
        old = self.scores.get(member)
        if old is not None:
            if old == score:
                return False
            self.index.remove((old, member))
            self.scores[member] = score
            self.index.add((score, member))
            return False
        self.scores[member] = score
        self.index.add((score, member))
        return True

    def discard(self, member):
        score = self.scores.pop(member, None)
        if score is None:
            return False
        self.index.remove((score, member))
        return True

    def rank(self, member):
        score = self.scores.get(member)
        if score is None:
            return None
        return self.index.index((score, member))

    def copy(self):
        z = ZSetValue()
        z.scores = dict(self.scores)
        z.index = SortedList(self.index)
        z.listpack = self.listpack
        return z

    # -- ranges: (lo, hi) index bounds, hi exclusive --------------------------
    def score_bounds(self, lo, lo_ex, hi, hi_ex):
        """Index bounds of the members with a score in the range."""
        index = self.index
        start = index.bisect_right((lo, TOP)) if lo_ex else index.bisect_left((lo,))
        end = index.bisect_left((hi,)) if hi_ex else index.bisect_right((hi, TOP))
        return start, max(start, end)

    def lex_bounds(self, lo, hi):
        """Index bounds of the members in a lex range (meant for members of
        one score, as Redis' are; otherwise a binary search on members, as
        Redis' skiplist walk does)."""
        n = len(self.index)
        if not n:
            return 0, 0
        # as Redis: nothing when the last member is below the minimum or the
        # first above the maximum
        if not (_gte_min(self.index[-1][1], lo) and _lte_max(self.index[0][1], hi)):
            return 0, 0
        start = self._lex_first(lo, True)
        end = self._lex_first(hi, False)
        return start, max(start, end)

    def _lex_first(self, bound, is_min):
        """First index past the bound's left side: for the minimum, the first
        member >= (or >) it; for the maximum, the first member beyond it."""
        n = len(self.index)
        if bound == MIN_LEX:
            return 0
        if bound == MAX_LEX:
            return n
        value, exclusive = bound
        index = self.index
        # members greater than value (or equal, for an exclusive min / inclusive max)
        past_equal = exclusive if is_min else not exclusive
        first, last = index[0][0], index[-1][0]
        if first == last:                   # one score: bisect directly
            if past_equal:
                return index.bisect_right((first, value))
            return index.bisect_left((first, value))
        lo, hi = 0, n
        while lo < hi:
            mid = (lo + hi) >> 1
            m = index[mid][1]
            if m > value or (m == value and not past_equal):
                hi = mid
            else:
                lo = mid + 1
        return lo

    def items(self, start, stop, reverse=False):
        """(score, member) pairs of index range [start, stop), in order or reversed."""
        return list(self.index.islice(start, stop, reverse=reverse))

    def remove_slice(self, start, stop):
        """Delete the members at index range [start, stop); returns how many."""
        if start >= stop:
            return 0
        scores = self.scores
        for _, m in self.index.islice(start, stop):
            del scores[m]
        del self.index[start:stop]
        return stop - start
