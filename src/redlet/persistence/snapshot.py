"""RDB snapshots: SAVE, BGSAVE, ``save`` points, loading ``dump.rdb`` at start.

Files are Redis 7.0's RDB version 10 (``rdb.py``), so ``redis-server`` and
``redis-check-rdb`` read them and we read theirs.  BGSAVE forks
(``child.py``): the child writes ``temp-<pid>.rdb`` from memory as it was at
the fork and renames it over ``dbfilename``; the parent keeps serving.  A
failed background save makes writes fail with ``-MISCONF`` while ``save``
points are configured and ``stop-writes-on-bgsave-error`` is on, as Redis.

Loading happens at start when ``appendonly`` is off (with it on the AOF is
the source of truth, as in Redis); an AOF base file in RDB form is loaded
with the same code (``load_rdb_file``).
"""
import logging
import os
import time

from .. import errors
from ..commands.registry import WRITE
from ..errors import ReplyError
from ..keyspace.db import now_ms
from .child import Child, unlink
from .rdb import RDBError, default_aux, read_rdb, write_rdb

log = logging.getLogger("redlet")

_PROGRESS_EVERY = 1_000_000    # a long load logs progress every so many keys


class SnapshotLoadError(Exception):
    pass


def _limits(cfg):
    return {"hash_max_entries": cfg["hash-max-listpack-entries"],
            "hash_max_value": cfg["hash-max-listpack-value"],
            "set_max_intset_entries": cfg["set-max-intset-entries"],
            "zset_max_entries": cfg["zset-max-listpack-entries"],
            "zset_max_value": cfg["zset-max-listpack-value"]}


def write_dataset(engine, f, aof_base=False):
    """The whole keyspace as an RDB file into the binary file ``f``
    (keys already expired are left out)."""
    now = now_ms()

    def entries(db):
        expires = db.expires
        out = []
        for key, value in db.data.items():
            when = expires.get(key)
            if when is None:
                out.append((key, value, None))
            elif when > now:
                out.append((key, value, when))
        return out

    aux = default_aux()
    if aof_base:
        aux = [(k, b"1" if k == b"aof-base" else v) for k, v in aux]
    cfg = engine.config
    write_rdb(((db.id, entries(db)) for db in engine.dbs if db.data), f, aux=aux,
              compress=cfg["rdbcompression"], **_limits(cfg))


def load_rdb_file(engine, path):
    """Load an RDB file into the (empty) databases; returns the keys loaded.
    Keys already expired are skipped, as a Redis master does."""
    t0 = time.time()
    with open(path, "rb") as f:
        data = f.read()
    now = now_ms()
    loaded = expired = 0
    dbs = engine.dbs
    try:
        for index, key, value, expire in read_rdb(data):
            if index >= len(dbs):
                raise SnapshotLoadError(
                    "FATAL: Data file was created with a Redis server configured to handle "
                    "more than %d databases. Exiting" % len(dbs))
            if expire is not None and expire <= now:
                expired += 1
                continue
            db = dbs[index]
            db.data[key] = value
            if expire is not None:
                db.set_expire(key, expire)
            loaded += 1
            if loaded % _PROGRESS_EVERY == 0:
                log.info("Loading RDB %s: %d keys loaded (%.1f seconds)", path, loaded,
                         time.time() - t0)
    except RDBError as e:
        raise SnapshotLoadError("Short read or OOM loading DB. Unrecoverable error, aborting "
                                "now. (%s: %s)" % (path, e)) from None
    engine.rdb_last_load = (loaded, expired)
    log.info("Done loading RDB %s, keys loaded: %d, keys expired: %d.", path, loaded, expired)
    log.info("DB loaded from disk: %.3f seconds", time.time() - t0)
    return loaded


class Snapshot:
    """The engine extension for RDB files (``engine.snapshot``)."""

    def __init__(self, engine):
        self.engine = engine
        self.child = None
        self.dirty_at_start = 0
        self.last_ok = True
        self.last_time = -1
        self.saves = 0
        self.scheduled = False
        self._retry_after = 0.0
        self._shutdown_handled = False

    @property
    def path(self):
        cfg = self.engine.config
        return os.path.join(cfg["dir"], cfg["dbfilename"])

    # -- loading ----------------------------------------------------------------
    def load(self):
        if os.path.exists(self.path):
            return load_rdb_file(self.engine, self.path)
        return 0

    # -- saving -----------------------------------------------------------------
    def _saved(self, dirty_before):
        engine = self.engine
        engine.dirty -= min(engine.dirty, dirty_before)
        engine.lastsave = int(time.time())
        self.last_ok = True
        self.saves += 1

    def save(self):
        """SAVE: write in place; True on success."""
        from .child import write_file
        dirty = self.engine.dirty
        tmp = os.path.join(self.engine.config["dir"], "temp-%d.rdb" % os.getpid())
        ok = write_file(lambda f: write_dataset(self.engine, f), tmp, self.path)
        if ok:
            self._saved(dirty)
            log.info("DB saved on disk")
        else:
            self.last_ok = False
            self.engine.hot_changed()
        return ok

    def bgsave(self):
        """Start a background save; None, or an error message."""
        if self.child is not None:
            return "Background save already in progress"
        tmp = os.path.join(self.engine.config["dir"], "temp-%d.rdb" % os.getpid())
        self.dirty_at_start = self.engine.dirty
        try:
            self.child = Child.start(lambda f: write_dataset(self.engine, f), tmp + ".part", tmp)
        except OSError as e:
            self.last_ok = False
            self.engine.hot_changed()
            log.warning("Can't save in background: fork: %s", e)
            return "Can't save in background: fork: %s" % (e.strerror or e)
        log.info("Background saving started by pid %s", self.child.pid)
        return None

    def _done(self, ok):
        child, self.child = self.child, None
        self.last_time = int(time.monotonic() - child.started)
        if ok:
            try:
                os.replace(child.final, self.path)
            except OSError as e:
                log.warning("Error moving temp DB file on the final destination: %s", e)
                ok = False
        if ok:
            self._saved(self.dirty_at_start)
            log.info("Background saving terminated with success")
        else:
            unlink(child.final)
            self.last_ok = False
            self.engine.hot_changed()
            self._retry_after = time.monotonic() + 5      # CONFIG_BGSAVE_RETRY_DELAY
            log.warning("Background saving error")

    # -- engine hooks -------------------------------------------------------------
    def cron(self):
        if self.child is not None:
            ok = self.child.poll()
            if ok is not None:
                self._done(ok)
            return
        aof = self.engine.aof_file
        if aof is not None and aof.child is not None:
            return
        if self.scheduled:
            self.scheduled = False
            self.bgsave()
            return
        engine = self.engine
        if not engine.dirty:
            return
        elapsed = time.time() - engine.lastsave
        if not self.last_ok and time.monotonic() < self._retry_after:
            return
        for seconds, changes in engine.config["save"]:
            if engine.dirty >= changes and elapsed >= seconds:
                log.info("%d changes in %d seconds. Saving...", changes, seconds)
                self.bgsave()
                return

    def _refuse_writes(self):
        cfg = self.engine.config
        return not self.last_ok and cfg["save"] and cfg["stop-writes-on-bgsave-error"]

    def check_command(self, client, cmd, argv):
        if cmd.flags & WRITE and self._refuse_writes():
            return ReplyError(errors.MISCONF_RDB)
        return None

    def hot_ok(self):
        return not self._refuse_writes()

    def info_persistence(self):
        child = self.child
        loaded, expired = getattr(self.engine, "rdb_last_load", (0, 0))
        return [("rdb_bgsave_in_progress", 1 if child is not None else 0),
                ("rdb_last_bgsave_status", "ok" if self.last_ok else "err"),
                ("rdb_last_bgsave_time_sec", self.last_time),
                ("rdb_current_bgsave_time_sec",
                 int(time.monotonic() - child.started) if child is not None else -1),
                ("rdb_saves", self.saves), ("rdb_last_cow_size", 0),
                ("rdb_last_load_keys_expired", expired),
                ("rdb_last_load_keys_loaded", loaded)]

    def prepare_shutdown(self, save=False, nosave=False):
        """SHUTDOWN [SAVE|NOSAVE]: save when asked or when save points exist."""
        self._shutdown_handled = True
        if nosave or not (save or self.engine.config["save"]):
            return None
        if self.child is not None:
            self.child.kill()
            self.child = None
        log.info("Saving the final RDB snapshot before exiting.")
        if not self.save():
            log.warning("Error trying to save the DB, can't exit.")
            return "ERR Errors trying to SHUTDOWN. Check logs."
        return None

    def shutdown(self):
        if self.child is not None:
            self.child.kill()
            self.child = None
        if not self._shutdown_handled and self.engine.config["save"]:
            self._shutdown_handled = True
            log.info("Saving the final RDB snapshot before exiting.")
            self.save()


def attach(engine):
    """Extension factory: RDB snapshots; ``dump.rdb`` is loaded at start unless
    the AOF is on."""
    snap = Snapshot(engine)
    engine.snapshot = snap
    if not engine.config["appendonly"]:
        snap.load()
    return snap
