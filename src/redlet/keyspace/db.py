"""Databases: keys, values and expiry.  No protocol knowledge here.

A ``Database`` keeps values in ``data`` (key -> value) and deadlines in a
side dict ``expires`` (key -> absolute unix time in ms), so keys without a
TTL pay nothing for expiry.  Expired keys vanish lazily when they are looked
up and through ``active_expire_cycle``, which walks the keys that have a TTL
a slice at a time within a time budget.

Writes through commands are signalled to WATCH by the dispatcher (it touches
the keys a write command declares); writes that happen outside a command
(expiry, FLUSHALL, SWAPDB) call ``touch`` here.  Hooks into the engine
(keyspace notifications, propagation of the implicit DEL) go through
``self.engine.key_expired``.
"""
import random as _random
import time

from .. import errors
from ..errors import ReplyError
from .stream import StreamValue
from .values import HashValue, ListValue, SetValue, TypedValue
from .zset import ZSetValue

TYPE_NAMES = {
    bytes: b"string", ListValue: b"list", HashValue: b"hash", SetValue: b"set",
    ZSetValue: b"zset", TypedValue: b"string",
}


# active expiry: keys checked per slice, and the share of expired keys (percent)
# under which a cycle stops early (Redis' ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE)
_EXPIRE_SLICE = 256
ACCEPTABLE_STALE = 10


_frozen_ms = None      # set while a script runs: keys do not expire mid-script


def now_ms():
    t = _frozen_ms
    return int(time.time() * 1000) if t is None else t


def freeze_time(ms):
    """Stop the expiry clock at ``ms`` (None: let it run), as Redis does for the
    duration of a script so that a key cannot expire in the middle of one."""
    global _frozen_ms
    _frozen_ms = ms


_WRONGTYPE = ReplyError(errors.WRONGTYPE)


class Database:
    __slots__ = ("id", "data", "expires", "engine", "watched", "blocking", "_expire_keys",
                 "_expire_pos", "avg_ttl", "high_water")

    def __init__(self, index, engine=None):
        self.id = index
        self.data = {}
        self.expires = {}
        self.engine = engine
        self.watched = {}       # key -> set of clients WATCHing it
        self.blocking = {}      # key -> list of blocked waiters, in arrival order
        self._expire_keys = []  # snapshot walked by the active expire cycle
        self._expire_pos = 0
        self.avg_ttl = 0
        self.high_water = 0     # largest size seen by the memory compaction check

    def __len__(self):
        return len(self.data)

    # -- lookups -------------------------------------------------------------
    def get(self, key):
        """The value of ``key`` or None; an expired key is deleted here."""
        v = self.data.get(key)
        if v is not None and self.expires:
            when = self.expires.get(key)
            # due at ``when``, expired once it has passed (as Redis: now > when)
            if when is not None and when < now_ms():
                self.expire_now(key)
                return None
        return v

    def get_typed(self, key, cls):
        """The value of ``key`` if it is a ``cls``, None if missing; else WRONGTYPE."""
        v = self.get(key)
        if v is None or type(v) is cls:
            return v
        raise _WRONGTYPE

    def get_string(self, key):
        """bytes or None; WRONGTYPE for other types (typed values included)."""
        v = self.get(key)
        if v is None or type(v) is bytes:
            return v
        raise _WRONGTYPE

    def exists(self, key):
        return self.get(key) is not None

    def ttl_ms(self, key):
        """Remaining ms, -1 without TTL, -2 missing."""
        if self.get(key) is None:
            return -2
        when = self.expires.get(key)
        if when is None:
            return -1
        return max(0, when - now_ms())

    # -- writes --------------------------------------------------------------
    def set(self, key, value, keepttl=False):
        """Store ``value``; drops the TTL unless ``keepttl``."""
        if self.blocking and key in self.blocking and type(self.data.get(key)) is StreamValue:
            self.signal_ready(key)      # a stream replaced: blocked XREADGROUPs hear of it
        engine = self.engine
        if engine is not None and engine.notify_flags and key not in self.data:
            engine.notify(self, "n", "new", key)     # class n: a key is created (7.0)
        self.data[key] = value
        if not keepttl and self.expires:
            self.expires.pop(key, None)

    def delete(self, key):
        """Delete ``key`` if present (and not expired); returns True if deleted."""
        if self.get(key) is None:
            return False
        del self.data[key]
        if self.expires:
            self.expires.pop(key, None)
        if self.blocking and key in self.blocking:
            self.signal_ready(key)      # blocked XREADGROUPs hear of a deleted key
        return True

    def set_expire(self, key, when_ms):
        self.expires[key] = when_ms

    def persist(self, key):
        return self.expires.pop(key, None) is not None

    def touch(self, key):
        """Signal a modification of ``key``: invalidates WATCHes on it.

        A key that had already expired when it was WATCHed (the client's
        ``watching`` value is True) and is now gone did not change logically:
        that WATCH holds (Redis 7.0)."""
        clients = self.watched.get(key)
        if clients:
            for c in clients:
                if c.watching.get((self, key)) and key not in self.data:
                    c.watching[(self, key)] = False
                    continue
                c.watch_dirty = True

    def touch_all(self):
        for clients in self.watched.values():
            for c in clients:
                c.watch_dirty = True

    def signal_ready(self, key):
        """A list/zset/stream at ``key`` got elements: blocked clients may run."""
        if key in self.blocking and self.engine is not None:
            self.engine.ready_keys.append((self, key))

    def expire_now(self, key):
        """Delete an expired key, with the effects Redis gives it."""
        self.data.pop(key, None)
        self.expires.pop(key, None)
        if self.watched:
            self.touch(key)
        if self.blocking and key in self.blocking:
            self.signal_ready(key)
        if self.engine is not None:
            self.engine.key_expired(self, key)

    def flush(self):
        n = len(self.data)
        data = self.data
        touched = [k for k in self.watched if k in data] if self.watched else ()
        for key in self.blocking:
            if key in data:
                self.signal_ready(key)
        self.data = {}
        for key in touched:         # after the emptying: see ``touch``
            self.touch(key)
        self.expires = {}
        self._expire_keys = []
        self._expire_pos = 0
        return n

    def random_key(self):
        """A random key (None if empty), skipping expired ones."""
        import random
        for _ in range(100):
            if not self.data:
                return None
            # dicts cannot be sampled in O(1); islice from a random offset is
            # O(offset) but bounded by a small window for big dicts
            n = len(self.data)
            k = _nth_key(self.data, random.randrange(n))
            if self.get(k) is not None:
                return k
        return None

    # -- active expiry -------------------------------------------------------
    def active_expire(self, deadline, now=None):
        """Check keys with a TTL until ``deadline`` (perf_counter); returns
        (checked, expired).

        The keys are walked in order, a slice at a time, from a snapshot of
        ``expires`` (so every key is visited within a pass).  The effort adapts
        as Redis' does: a random sample of the snapshot tells whether many
        keys are stale (more than ACCEPTABLE_STALE); if not, the walk goes on
        only while the slices it reads are that stale, so a large keyspace
        of long TTLs costs one slice a cycle instead of the whole budget."""
        expires = self.expires
        if not expires:
            self._expire_keys = []
            self._expire_pos = 0
            return 0, 0
        now = now_ms() if now is None else now
        checked = expired = 0
        keys = self._expire_keys
        pos = self._expire_pos
        # a new snapshot once the walk is done, or once enough keys arrived
        # that the sample could miss a stale share (ACCEPTABLE_STALE) among them
        if pos >= len(keys) or len(expires) * 100 > len(keys) * (100 + ACCEPTABLE_STALE):
            keys = self._expire_keys = list(expires)
            pos = 0
        busy = len(keys) <= _EXPIRE_SLICE or self._mostly_stale(keys, now)
        perf = time.perf_counter
        while True:
            if pos >= len(keys):
                keys = self._expire_keys = list(expires)
                pos = 0
                if not keys:
                    break
            end = min(pos + _EXPIRE_SLICE, len(keys))
            stale = 0
            for i in range(pos, end):
                k = keys[i]
                when = expires.get(k)
                if when is not None and when < now:
                    self.expire_now(k)
                    stale += 1
            expired += stale
            checked += end - pos
            if not busy and stale * 100 <= (end - pos) * ACCEPTABLE_STALE:
                pos = end
                break
            pos = end
            if checked >= len(expires) + _EXPIRE_SLICE or perf() >= deadline:
                break
        self._expire_pos = pos
        if pos >= len(keys):
            self._expire_keys = []
            self._expire_pos = 0
        return checked, expired

    def _mostly_stale(self, keys, now, samples=20):
        expires = self.expires
        stale = 0
        for _ in range(samples):
            when = expires.get(keys[_random.randrange(len(keys))])
            if when is not None and when < now:
                stale += 1
        return stale * 100 > samples * ACCEPTABLE_STALE


def _nth_key(d, n):
    import itertools
    if n > 1000:
        # keep the walk short; randomness over the first window and the
        # rest of the keys via a second draw is good enough for RANDOMKEY
        import random
        n = random.randrange(min(len(d), 1000))
    return next(itertools.islice(iter(d), n, None))
