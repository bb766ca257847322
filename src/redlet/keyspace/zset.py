"""Sorted set storage: a dict of member -> score plus an ordered index.

The index is a ``sortedcontainers.SortedList`` of ``(score, member)`` pairs,
which gives O(log n) insert, delete, rank and range start, the complexity
Redis documents for its skiplist.
"""
from sortedcontainers import SortedList


class ZSetValue:
    __slots__ = ("scores", "index")

    def __init__(self):
        self.scores = {}            # member (bytes) -> score (float)
        self.index = SortedList()   # (score, member), ordered as Redis orders

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
        return z
