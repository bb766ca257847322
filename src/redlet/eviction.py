"""``maxmemory``: bounded memory with Redis' eviction policies.

Redis asks its allocator how many bytes are in use; a Python process cannot
(freed objects stay in pymalloc's arenas, RSS hardly shrinks).  So the
figure compared with ``maxmemory`` is an estimate of the dataset's size:

* every second (and whenever a write would cross the limit) each database
  is sampled: the mean size of up to 32 random entries (key, value, TTL,
  the dict slot; containers themselves sampled as MEMORY USAGE does) times
  its number of keys, plus the clients' buffers' fixed cost;
* between two samplings, every write command (``denyoom``) adds the bytes
  of its arguments, an upper bound of what it can add;
* an evicted key subtracts its own estimated size.

When a ``denyoom`` command finds the estimate above ``maxmemory`` the
policy evicts keys until it is below (as Redis' performEvictions):
``allkeys-*`` choose among all keys, ``volatile-*`` among keys with a TTL;
``lru`` evicts the least recently used of ``maxmemory-samples`` random
keys, ``lfu`` the least frequently used (Redis' logarithmic counter with
``lfu-log-factor`` and ``lfu-decay-time``), ``ttl`` the one expiring
soonest, ``random`` any.  With ``noeviction``, or when nothing can be
evicted, the command gets ``-OOM command not allowed when used memory >
'maxmemory'.``.  Each eviction deletes the key as an expiry does (WATCH,
blocked clients), propagates a DEL to the AOF, counts in ``evicted_keys``
and sends the ``evicted`` keyspace event.

Access times and counters are kept only while a ``maxmemory`` is set with
an lru/lfu policy (the batch fast path is off then anyway).
"""
import math
import random
import time

from . import errors
from .commands.registry import DENYOOM
from .errors import ReplyError

_SAMPLE_KEYS = 32
# what a key costs beside its value in a Python dict: the bytes object's header
# (33), the hash table's slot and index at the usual load (~50), plus its
# entry in the access table while an lru/lfu policy is on (~80)
_KEY_OVERHEAD = 33 + 50
_ACCESS_OVERHEAD = 80
_LFU_INIT = 5                      # Redis' LFU_INIT_VAL


def value_size(value):
    """MEMORY USAGE's estimate (imported on first use: commands load late)."""
    global value_size
    from .commands.operations import value_size
    return value_size(value)


def _load_trim():
    """glibc's ``malloc_trim`` (a no-op elsewhere)."""
    try:
        import ctypes
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (ImportError, OSError, AttributeError):
        return lambda: None
    trim.argtypes = [ctypes.c_size_t]
    return lambda: trim(0)


_trim = _load_trim()


class _KeySample:
    """Random keys of a dict in O(1): draws from a snapshot of its keys
    (rebuilt when stale), checking each draw is still present."""

    def __init__(self):
        self.keys = []
        # the id of the dict the snapshot is of, not the dict: a reference
        # would keep a flushed database's whole dataset alive
        self.source = None
        self.built = 0.0

    def draw(self, d):
        n = len(d)
        if not n:
            return None
        now = time.monotonic()
        if (self.source != id(d) or now - self.built > 1.0
                or abs(len(self.keys) - n) > n // 8 + 1):
            self.keys, self.source, self.built = list(d), id(d), now
        keys = self.keys
        for _ in range(8):
            k = keys[random.randrange(len(keys))]
            if k in d:
                return k
        self.keys, self.built = list(d), now
        return self.keys[random.randrange(len(self.keys))] if self.keys else None


class Eviction:
    """The engine extension behind ``maxmemory`` (see the module docstring)."""

    def __init__(self, engine):
        self.engine = engine
        self.estimate = 0          # the dataset estimate at the last sampling
        self.growth = 0            # bytes added by writes since then
        self.sampled_at = 0.0
        self.access = {}           # db id -> {key: LRU clock (s) or [counter, minutes]}
        self.samplers = {}         # (db id, "all"|"volatile") -> _KeySample
        engine.dataset_memory = self.used_memory
        self.trimmed_at = 0.0      # the last malloc_trim, and evicted_keys then
        self.trimmed_at_evicted = 0

    # -- the estimate ----------------------------------------------------------
    def used_memory(self):
        """The estimate compared with ``maxmemory`` (INFO's used_memory)."""
        if time.monotonic() - self.sampled_at > 1.0:
            self.resample()
        return self.estimate + self.growth

    def _key_overhead(self):
        policy = self.engine.config["maxmemory-policy"]
        return _KEY_OVERHEAD + (_ACCESS_OVERHEAD if policy.endswith(("lru", "lfu")) else 0)

    def resample(self):
        total = 0
        overhead = self._key_overhead()
        for db in self.engine.dbs:
            n = len(db.data)
            if not n:
                continue
            sampler = self._sampler(db, "all")
            size = taken = 0
            for _ in range(min(n, _SAMPLE_KEYS)):
                k = sampler.draw(db.data)
                v = db.data.get(k)
                if v is None:
                    continue
                size += len(k) + overhead + value_size(v)
                taken += 1
            if taken:
                total += size * n // taken
        total += 20000 * len(self.engine.clients)     # a client's buffers and state
        self.estimate = total
        self.growth = 0
        self.sampled_at = time.monotonic()

    def _sampler(self, db, kind):
        s = self.samplers.get((db.id, kind))
        if s is None:
            s = self.samplers[(db.id, kind)] = _KeySample()
        return s

    # -- engine hooks ------------------------------------------------------------
    def check_command(self, client, cmd, argv):
        """Record the access of the command's keys (lru/lfu policies)."""
        engine = self.engine
        if not engine.maxmemory:
            return None
        if cmd.flags & DENYOOM:
            # an upper bound of what the write adds, until the next sampling
            self.growth += sum(len(a) + 16 if type(a) is bytes else 64 for a in argv)
        policy = engine.config["maxmemory-policy"]
        if policy.endswith("lru"):
            now = time.monotonic()
            access = self._access(client.db.id)
            for k in cmd.keys(argv):
                access[k] = now
        elif policy.endswith("lfu"):
            access = self._access(client.db.id)
            for k in cmd.keys(argv):
                self._lfu_touch(access, k)
        return None

    def _access(self, dbid):
        a = self.access.get(dbid)
        if a is None:
            a = self.access[dbid] = {}
        return a

    def hot_ok(self):
        return not self.engine.maxmemory

    def check_memory(self, client, cmd):
        """Evict until under ``maxmemory``; the OOM error when impossible."""
        limit = self.engine.maxmemory
        if not limit or self.used_memory() <= limit:
            return None
        if self.growth > limit // 16 or time.monotonic() - self.sampled_at > 0.1:
            self.resample()           # the growth bound may overstate: measure
            if self.estimate <= limit:
                return None
        if not self.evict_until(limit):
            self.resample()           # measure before refusing (FLUSHALL, DEL...)
            if self.estimate > limit:
                return ReplyError(errors.OOM)
        return None

    def cron(self):
        engine = self.engine
        if not engine.maxmemory:
            if self.access:
                self.access.clear()
            return
        now = time.monotonic()
        if now - self.sampled_at > 1.0:
            self.resample()
        for (index, kind), sampler in list(self.samplers.items()):
            db = engine.dbs[index]
            if sampler.source != id(db.data if kind == "all" else db.expires):
                del self.samplers[index, kind]     # its database was flushed or swapped
        evicted = engine.stats["evicted_keys"]
        if evicted != self.trimmed_at_evicted and now - self.trimmed_at > 2.0:
            # the allocator keeps what evicted values freed; give it back to
            # the system (glibc), as Redis' allocator does by itself
            self.trimmed_at, self.trimmed_at_evicted = now, evicted
            _trim()
        for db in engine.dbs:
            access = self.access.get(db.id)
            if access is not None and len(access) > 2 * len(db.data) + 1024:
                data = db.data
                self.access[db.id] = {k: v for k, v in access.items() if k in data}

    # -- eviction --------------------------------------------------------------------
    def evict_until(self, limit):
        """Evict keys by the policy until the estimate is at most ``limit``;
        False when nothing (more) can be evicted."""
        engine = self.engine
        policy = engine.config["maxmemory-policy"]
        if policy == "noeviction":
            return False
        samples = engine.config["maxmemory-samples"]
        overhead = self._key_overhead()
        volatile = policy.startswith("volatile")
        while self.estimate + self.growth > limit:
            best = None            # (score, db, key): the highest score goes
            for db in engine.dbs:
                source = db.expires if volatile else db.data
                if not source:
                    continue
                sampler = self._sampler(db, "volatile" if volatile else "all")
                for _ in range(samples):
                    k = sampler.draw(source)
                    if k is None or k not in db.data:
                        continue
                    score = self._score(policy, db, k)
                    if best is None or score > best[0]:
                        best = (score, db, k)
            if best is None:
                return False
            _, db, key = best
            size = len(key) + overhead + value_size(db.data[key])
            self._evict(db, key)
            self.estimate -= size
        return True

    def _score(self, policy, db, key):
        access = self.access.get(db.id) or {}
        if policy.endswith("lru"):
            # never accessed since maxmemory was set: as old as can be
            return time.monotonic() - access.get(key, 0.0)
        if policy.endswith("lfu"):
            return -self._lfu_value(access.get(key))
        if policy == "volatile-ttl":
            return -db.expires.get(key, math.inf)
        return random.random()

    def _evict(self, db, key):
        engine = self.engine
        db.data.pop(key, None)
        db.expires.pop(key, None)
        access = self.access.get(db.id)
        if access is not None:
            access.pop(key, None)
        if db.watched:
            db.touch(key)
        if db.blocking and key in db.blocking:
            db.signal_ready(key)
        engine.stats["evicted_keys"] += 1
        engine.propagate_now(db.id, [b"DEL", key])
        engine.notify(db, "e", "evicted", key)

    # -- LFU: Redis' logarithmic counter -------------------------------------------------
    def _lfu_value(self, entry):
        if entry is None:
            return _LFU_INIT
        self._lfu_decay(entry)
        return entry[0]

    def _lfu_decay(self, entry):
        period = self.engine.config["lfu-decay-time"]
        if period:
            now = int(time.monotonic() // 60)
            elapsed = (now - entry[1]) // period
            if elapsed:
                entry[0] = max(0, entry[0] - elapsed)
                entry[1] = now

    def _lfu_touch(self, access, key):
        entry = access.get(key)
        if entry is None:
            entry = access[key] = [_LFU_INIT, int(time.monotonic() // 60)]
        else:
            self._lfu_decay(entry)
        counter = entry[0]
        if counter < 255:
            base = max(0, counter - _LFU_INIT)
            if random.random() < 1.0 / (base * self.engine.config["lfu-log-factor"] + 1):
                entry[0] = counter + 1


def attach(engine):
    return Eviction(engine)
