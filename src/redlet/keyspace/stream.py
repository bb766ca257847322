"""Stream storage (the data half of Redis 7.0's t_stream.c).  No protocol here.

An entry id ``ms-seq`` (two unsigned 64-bit numbers) is kept as one int,
``ms << 64 | seq``, so ids compare and sort as ints.  A ``StreamValue`` holds

* ``ids``: a ``SortedList`` of the live ids (O(log n) range start, rank,
  insert and delete) and ``entries``: id -> flat tuple ``(f1, v1, f2, v2...)``;
* ``nodes``: a model of Redis' radix tree of listpacks.  Approximate trimming
  (``MAXLEN ~``/``MINID ~``, ``LIMIT``) removes whole listpacks only, so its
  results depend on where Redis starts a new one; a ``Node`` records what
  decides that: the live and deleted entry counts, the last id, and the
  listpack's size in bytes, computed with the listpack encoding rules;
* the stream's metadata: ``last_id``, ``max_deleted_id``, ``entries_added``
  and the consumer ``groups`` (name -> ``Group``).

A group's pending entries list (PEL) and each consumer's are ``SortedDict``s
of id -> ``Nack``; a ``Nack`` is shared between the group's PEL and the
owning consumer's.  Groups and consumers are listed in byte order (Redis
keeps them in radix trees).
"""
from bisect import bisect_right

from sortedcontainers import SortedDict, SortedList

U64 = (1 << 64) - 1
MAX_ID = (U64 << 64) | U64
INVALID_ENTRIES_READ = -1       # SCG_INVALID_ENTRIES_READ: the counter is unknown


def make_id(ms, seq):
    return (ms << 64) | seq


def format_id(i):
    return b"%d-%d" % (i >> 64, i & U64)


# -- listpack sizes (listpack.c), to decide when Redis starts a new node ---------------
def _backlen_size(n):
    if n <= 127:
        return 1
    if n < 16383:
        return 2
    if n < 2097151:
        return 3
    if n < 268435455:
        return 4
    return 5


def lp_int_size(v):
    """Bytes of a listpack element holding the int64 ``v`` (with its backlen)."""
    if 0 <= v <= 127:
        return 2
    if -4096 <= v <= 4095:
        return 3
    if -32768 <= v <= 32767:
        return 4
    if -8388608 <= v <= 8388607:
        return 5
    if -2147483648 <= v <= 2147483647:
        return 6
    return 10


def _as_int64(b):
    """The value of ``b`` if the listpack stores it as an integer, else None."""
    n = len(b)
    if n == 0 or n > 20:
        return None
    c = b[0]
    if 0x31 <= c <= 0x39 or (c == 0x2D and n > 1 and 0x31 <= b[1] <= 0x39):
        if n == 1 or b[1:].isdigit():
            v = int(b)
            if -(1 << 63) <= v < (1 << 63):
                return v
        return None
    return 0 if b == b"0" else None


def lp_str_size(b):
    v = _as_int64(b)
    if v is not None:
        return lp_int_size(v)
    n = len(b)
    enc = 1 + n if n < 64 else (2 + n if n < 4096 else 5 + n)
    return enc + _backlen_size(enc)


def _signed64(v):
    v &= U64
    return v - (1 << 64) if v >> 63 else v


_LP_EMPTY = 7                   # header (total bytes, element count) and end byte
_LP_MAX_SIZE = 1 << 30          # STREAM_LISTPACK_MAX_SIZE


class Node:
    """One listpack of Redis' radix tree: entries whose ids start at ``master``."""
    __slots__ = ("master", "fields", "live", "deleted", "last", "nbytes")

    def __init__(self, master, fields):
        self.master = master
        self.fields = fields      # the master entry's field names
        self.live = 0
        self.deleted = 0
        self.last = master        # last id stored, deleted or not
        self.nbytes = (_LP_EMPTY + lp_int_size(0) + lp_int_size(0) + lp_int_size(len(fields))
                       + sum(lp_str_size(f) for f in fields) + lp_int_size(0))

    def set_counts(self, live, deleted):
        self.nbytes += (lp_int_size(live) - lp_int_size(self.live)
                        + lp_int_size(deleted) - lp_int_size(self.deleted))
        self.live = live
        self.deleted = deleted

    def copy(self):
        n = Node.__new__(Node)
        n.master, n.fields, n.live, n.deleted = self.master, self.fields, self.live, self.deleted
        n.last, n.nbytes = self.last, self.nbytes
        return n


# -- consumer groups ---------------------------------------------------------------------
class Nack:
    """A pending entry: delivered to ``consumer``, not acknowledged yet."""
    __slots__ = ("delivery_time", "delivery_count", "consumer")

    def __init__(self, consumer, delivery_time, delivery_count=1):
        self.consumer = consumer
        self.delivery_time = delivery_time
        self.delivery_count = delivery_count


class Consumer:
    __slots__ = ("name", "seen_time", "pel")

    def __init__(self, name, seen_time):
        self.name = name
        self.seen_time = seen_time
        self.pel = SortedDict()


class Group:
    __slots__ = ("name", "last_id", "entries_read", "pel", "consumers")

    def __init__(self, name, last_id, entries_read=INVALID_ENTRIES_READ):
        self.name = name
        self.last_id = last_id
        self.entries_read = entries_read
        self.pel = SortedDict()
        self.consumers = {}

    def sorted_consumers(self):
        return [self.consumers[k] for k in sorted(self.consumers)]

    def create_consumer(self, name, now):
        """The new consumer, or None if it exists."""
        if name in self.consumers:
            return None
        c = self.consumers[name] = Consumer(name, now)
        return c

    def delete_consumer(self, consumer):
        for i in consumer.pel:
            del self.pel[i]
        del self.consumers[consumer.name]

    def ack(self, i):
        nack = self.pel.pop(i, None)
        if nack is None:
            return False
        del nack.consumer.pel[i]
        return True

    def copy(self):
        g = Group(self.name, self.last_id, self.entries_read)
        for name, c in self.consumers.items():
            g.consumers[name] = Consumer(name, c.seen_time)
        for i, n in self.pel.items():
            owner = g.consumers[n.consumer.name]
            nack = Nack(owner, n.delivery_time, n.delivery_count)
            g.pel[i] = nack
            owner.pel[i] = nack
        return g


class StreamValue:
    """A stream: entries ordered by id, listpack nodes, metadata, groups."""
    __slots__ = ("ids", "entries", "nodes", "masters", "last_id", "max_deleted_id",
                 "entries_added", "groups")
    type_name = b"stream"       # TYPE and OBJECT ENCODING (commands/keys.py)
    encoding = b"stream"

    def __init__(self):
        self.ids = SortedList()
        self.entries = {}
        self.nodes = []           # Node, by master id
        self.masters = []         # the nodes' master ids, for bisection
        self.last_id = 0
        self.max_deleted_id = 0
        self.entries_added = 0
        self.groups = {}

    def __len__(self):
        return len(self.ids)

    # -- reads ---------------------------------------------------------------------
    @property
    def first_id(self):
        """The first live id (Redis' ``first_id``), 0 when empty."""
        return self.ids[0] if self.ids else 0

    def last_live_id(self):
        return self.ids[-1] if self.ids else 0

    def range(self, start, end, rev=False):
        """Ids in [start, end], ascending (or descending): an iterator."""
        if start > end:
            return iter(())
        return self.ids.irange(start, end, reverse=rev)

    def sorted_groups(self):
        return [self.groups[k] for k in sorted(self.groups)]

    # -- writes --------------------------------------------------------------------
    def append(self, i, pairs, node_max_entries=100, node_max_bytes=4096):
        """Add entry ``i`` (greater than ``last_id``) with ``pairs`` (f1, v1...)."""
        fields = pairs[0::2]
        node = self.nodes[-1] if self.nodes else None
        if node is not None:
            max_bytes = node_max_bytes if 0 < node_max_bytes <= _LP_MAX_SIZE else _LP_MAX_SIZE
            if node.nbytes + sum(len(x) for x in pairs) >= max_bytes:
                node = None
            elif node_max_entries and node.live + node.deleted >= node_max_entries:
                node = None
        if node is None:
            node = Node(i, fields)
            self.nodes.append(node)
            self.masters.append(i)
            same = True
        else:
            same = fields == node.fields
        node.set_counts(node.live + 1, node.deleted)
        size = (lp_int_size(2 if same else 0) + lp_int_size(_signed64((i >> 64) - (node.master >> 64)))
                + lp_int_size(_signed64((i & U64) - (node.master & U64))))
        n = len(fields)
        if same:
            size += sum(lp_str_size(v) for v in pairs[1::2]) + lp_int_size(n + 3)
        else:
            size += (lp_int_size(n) + sum(lp_str_size(x) for x in pairs)
                     + lp_int_size(2 * n + 4))
        node.nbytes += size
        node.last = i
        self.ids.add(i)
        self.entries[i] = pairs
        self.last_id = i
        self.entries_added += 1

    def _node_of(self, i):
        k = bisect_right(self.masters, i) - 1
        return k

    def delete(self, i):
        """Delete entry ``i``; True if it was there."""
        pairs = self.entries.pop(i, None)
        if pairs is None:
            return False
        self.ids.remove(i)
        k = self._node_of(i)
        node = self.nodes[k]
        if node.live == 1:
            del self.nodes[k]
            del self.masters[k]
        else:
            node.set_counts(node.live - 1, node.deleted + 1)
        return True

    def _drop_head(self, n):
        ids = self.ids
        entries = self.entries
        for i in ids.islice(0, n):
            del entries[i]
        del ids[:n]

    def trim(self, maxlen=None, minid=None, approx=False, limit=0):
        """Redis' streamTrim: by length (``maxlen``) or by id (``minid``); with
        ``approx`` only whole nodes go; ``limit`` caps the entries removed
        (0: no cap).  Returns the number of entries removed."""
        deleted = 0
        nodes = self.nodes
        while nodes:
            if maxlen is not None and len(self.ids) <= maxlen:
                break
            node = nodes[0]
            live = node.live
            if limit and deleted + live > limit:
                break
            if maxlen is not None:
                whole = len(self.ids) - live >= maxlen
            else:
                whole = node.last < minid
            if whole:
                self._drop_head(live)
                del nodes[0]
                del self.masters[0]
                deleted += live
                continue
            if approx:
                break
            # mark entries of this node deleted (they stay in the listpack)
            if maxlen is not None:
                k = len(self.ids) - maxlen
            else:
                k = self.ids.bisect_left(minid)
            if k:
                self._drop_head(k)
                node.set_counts(live - k, node.deleted + k)
                deleted += k
            break
        return deleted

    # -- consumer groups -------------------------------------------------------------
    def estimate_distance(self, i):
        """streamEstimateDistanceFromFirstEverEntry: the entries-read counter of
        id ``i``, or INVALID_ENTRIES_READ when it cannot be known."""
        if not self.entries_added:
            return 0
        if not self.ids and i <= self.last_id:
            return self.entries_added
        if i == self.last_id:
            return self.entries_added
        if i > self.last_id:
            return INVALID_ENTRIES_READ
        first = self.first_id
        if self.max_deleted_id == 0 or self.max_deleted_id < first:
            if i < first:
                return self.entries_added - len(self.ids)
            if i == first:
                return self.entries_added - len(self.ids) + 1
        return INVALID_ENTRIES_READ

    def has_tombstones(self, start=0, end=MAX_ID):
        """streamRangeHasTombstones: may an entry in [start, end] have been deleted?"""
        if not self.ids or self.max_deleted_id == 0:
            return False
        if self.first_id > self.max_deleted_id:
            return False
        return start <= self.max_deleted_id <= end

    def group_lag(self, g):
        """The group's lag, or None when unknown (XINFO)."""
        if not self.entries_added:
            return 0
        if g.entries_read != INVALID_ENTRIES_READ and not self.has_tombstones(g.last_id):
            return self.entries_added - g.entries_read
        read = self.estimate_distance(g.last_id)
        if read != INVALID_ENTRIES_READ:
            return self.entries_added - read
        return None

    def advance_group(self, g, i):
        """A group delivered entry ``i`` (greater than its last id)."""
        if g.entries_read != INVALID_ENTRIES_READ and not self.has_tombstones(i):
            g.entries_read += 1
        elif self.entries_added:
            g.entries_read = self.estimate_distance(i)
        g.last_id = i

    # -- introspection ---------------------------------------------------------------
    def radix_tree_nodes(self):
        """The node count of Redis' radix tree keyed by the nodes' master ids
        (16-byte big-endian keys), as a compressed trie holds them."""
        keys = [m.to_bytes(16, "big") for m in self.masters]
        if not keys:
            return 1
        return _trie_nodes(keys, 0, len(keys), 0)

    def copy(self):
        s = StreamValue()
        s.ids = SortedList(self.ids)
        s.entries = dict(self.entries)
        s.nodes = [n.copy() for n in self.nodes]
        s.masters = list(self.masters)
        s.last_id = self.last_id
        s.max_deleted_id = self.max_deleted_id
        s.entries_added = self.entries_added
        s.groups = {name: g.copy() for name, g in self.groups.items()}
        return s


def _trie_nodes(keys, lo, hi, depth):
    if hi - lo == 1:
        return 1 if depth == 16 else 2
    first, last = keys[lo], keys[hi - 1]
    common = depth
    while first[common] == last[common]:
        common += 1
    n = 2 if common > depth else 1       # a compressed node before the branch
    i = lo
    while i < hi:
        c = keys[i][common]
        j = i + 1
        while j < hi and keys[j][common] == c:
            j += 1
        n += _trie_nodes(keys, i, j, common + 1)
        i = j
    return n
