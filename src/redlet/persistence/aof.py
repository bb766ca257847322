"""The append-only file.

Every write the engine propagates is appended as a RESP command (with a
``SELECT`` whenever the database changes).  The batch's records are written
with one ``write`` before its replies go out (``Engine.process_batch`` calls
``flush``); with ``appendfsync always`` the file is also fsynced then, so an
acknowledged write is on disk; with ``everysec`` a thread fsyncs once a
second off the event loop; with ``no`` the kernel decides.

Files follow Redis 7's multi-part layout so that ``redis-server`` can load
them: ``<dir>/<appenddirname>/<appendfilename>.1.incr.aof`` listed in the
manifest ``<appendfilename>.manifest``.

On start the file is replayed through the dispatcher.  A torn last record (a
crash in the middle of a write) is cut off and logged, as Redis does with
``aof-load-truncated yes``; garbage in the middle stops the start with a
message naming the offset.
"""
import logging
import os
import time

from ..protocol import PythonRequestParser, encode_command
from ..protocol.encoder import _BULK_HEADERS
from ..util import Ticker
from ..commands.registry import WRITE
from ..errors import ReplyError
from .child import Child, fsync_dir, unlink

_MBULK_HEADERS = [b"*%d\r\n" % n for n in range(64)]

log = logging.getLogger("redlet")


class AOFLoadError(Exception):
    pass


class AppendOnlyFile:
    """The AOF files, the manifest, appending, fsync and rewrites.

    It exists whenever the server has a ``dir`` (BGREWRITEAOF works with
    ``appendonly no`` too, as in Redis: it writes a base file only); it
    appends (``engine.aof is self``) while ``appendonly`` is on.
    """

    def __init__(self, engine):
        self.engine = engine
        cfg = engine.config
        self.dir = os.path.join(cfg["dir"], cfg["appenddirname"])
        self.basename = cfg["appendfilename"]
        self.manifest = os.path.join(self.dir, self.basename + ".manifest")
        self.entries = []          # the manifest: [name, seq, type] ("b" base, "i" incr)
        self.path = None           # the incr file being appended to
        self.buf = []
        self.last_db = -1
        self.fd = None
        self.write_error = None
        self.pending_fsync = False
        self._fsyncer = Ticker(1.0, self._fsync_due, "redlet-aof-fsync")
        self.size = 0              # aof_current_size: base and incr files
        self.base_size = 0         # the size after the last rewrite (auto rewrite)
        self.enabled = False
        self.waiting_rewrite = False   # turned on at run time: appending to a temp incr
        self.child = None          # the rewrite in progress: a _Rewrite
        self.scheduled = False
        self.last_rewrite_time = -1
        self.last_rewrite_ok = True
        self.rewrites = 0
        self.failures = 0
        self._retry_after = 0.0

    # -- engine hooks --------------------------------------------------------
    def feed(self, db_index, argv):
        buf = self.buf
        if db_index != self.last_db:
            buf.append(encode_command([b"SELECT", b"%d" % db_index]))
            self.last_db = db_index
        n = len(argv)
        out = [_MBULK_HEADERS[n] if n < 64 else b"*%d\r\n" % n]
        for a in argv:
            if type(a) is not bytes:       # a typed value: the general encoder
                buf.append(encode_command(argv))
                return
            n = len(a)
            out.append(_BULK_HEADERS[n] if n < 1024 else b"$%d\r\n" % n)
            out.append(a)
            out.append(b"\r\n")
        buf.append(b"".join(out))

    def flush(self):
        if not self.buf or self.fd is None:
            return
        data = b"".join(self.buf)
        self.buf = []
        written = 0
        try:
            while written < len(data):
                written += os.write(self.fd, data[written:])
            self.size += len(data)
            if self.engine.config["appendfsync"] == "always":
                os.fsync(self.fd)
            else:
                self.pending_fsync = True
            if self.write_error is not None:
                log.warning("AOF write error looks solved, Redis can write again.")
                self.write_error = None
                self.engine.hot_changed()
        except OSError as e:
            self.write_error = e.strerror or str(e)
            self.engine.hot_changed()
            log.warning("Error writing to the AOF file: %s", self.write_error)
            # keep what was not written: retried on the next flush
            self.buf.insert(0, data[written:])

    def check_command(self, client, cmd, argv):
        if self.write_error is not None and cmd.flags & WRITE:
            return ReplyError("MISCONF Errors writing to the AOF file: %s" % self.write_error)
        return None

    def hot_ok(self):
        """``check_command`` lets every command through (the engine's hot path)."""
        return self.write_error is None

    def cron(self):
        if self.write_error is not None and self.buf:
            self.flush()
        if self.child is not None:
            ok = self.child.poll()
            if ok is not None:
                self.rewrite_done(self.child, ok)
        elif self.scheduled and not self._saving():
            self.scheduled = False
            self.rewrite()
        elif self.enabled and self._rewrite_due():
            log.info("Starting automatic rewriting of AOF on %d%% growth",
                     self._growth())
            self.rewrite()

    def _saving(self):
        snap = self.engine.snapshot
        return snap is not None and snap.child is not None

    def _growth(self):
        return self.size * 100 // (self.base_size or 1) - 100

    def _rewrite_due(self):
        cfg = self.engine.config
        perc = cfg["auto-aof-rewrite-percentage"]
        return (perc and self.size > cfg["auto-aof-rewrite-min-size"]
                and self._growth() >= perc and time.monotonic() >= self._retry_after)

    def info_persistence(self):
        child = self.child
        return [("aof_enabled", 1 if self.enabled else 0),
                ("aof_rewrite_in_progress", 1 if child is not None else 0),
                ("aof_rewrite_scheduled", 1 if self.scheduled else 0),
                ("aof_last_rewrite_time_sec", self.last_rewrite_time),
                ("aof_current_rewrite_time_sec",
                 int(time.monotonic() - child.started) if child is not None else -1),
                ("aof_last_bgrewrite_status", "ok" if self.last_rewrite_ok else "err"),
                ("aof_rewrites", self.rewrites),
                ("aof_rewrites_consecutive_failures", self.failures),
                ("aof_last_write_status", "ok" if self.write_error is None else "err")] + (
            [("aof_current_size", self.size), ("aof_base_size", self.base_size),
             ("aof_pending_rewrite", 0), ("aof_buffer_length", sum(map(len, self.buf))),
             ("aof_pending_bio_fsync", 0), ("aof_delayed_fsync", 0)]
            if self.enabled else [])

    def shutdown(self):
        if self.child is not None:
            self.child.kill()
            self.child = None
        self.flush()
        self._fsyncer.stop()
        self._close_incr()

    def _close_incr(self):
        if self.fd is not None:
            try:
                os.fsync(self.fd)
            except OSError:
                pass
            os.close(self.fd)
            self.fd = None

    # -- the manifest ----------------------------------------------------------
    def read_manifest(self):
        """The manifest's entries, [name, seq, type], in file order."""
        entries = []
        if not os.path.exists(self.manifest):
            return entries
        with open(self.manifest) as f:
            for lineno, line in enumerate(f, 1):
                parts = line.split()
                if not parts or parts[0].startswith("#"):
                    continue
                fields = dict(zip(parts[0::2], parts[1::2]))
                if "file" not in fields or "seq" not in fields or "type" not in fields:
                    raise AOFLoadError("Invalid AOF manifest file format (line %d of %s)"
                                       % (lineno, self.manifest))
                entries.append([fields["file"], int(fields["seq"]), fields["type"]])
        return entries

    def write_manifest(self, entries):
        tmp = self.manifest + ".tmp"
        with open(tmp, "w") as f:
            for name, seq, kind in entries:
                f.write("file %s seq %d type %s\n" % (name, seq, kind))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.manifest)
        fsync_dir(self.dir)
        self.entries = [list(e) for e in entries]

    def _next_seq(self, kind):
        return max((seq for _, seq, k in self.entries if k == kind), default=0) + 1

    def _incr_name(self, seq):
        return "%s.%d.incr.aof" % (self.basename, seq)

    # -- files ----------------------------------------------------------------
    def open(self):
        """Start appending (at start, after ``load``)."""
        os.makedirs(self.dir, exist_ok=True)
        self.entries = self.read_manifest()
        incrs = [e for e in self.entries if e[2] == "i"]
        if incrs:
            name = incrs[-1][0]
        else:
            name = self._incr_name(self._next_seq("i"))
            self.write_manifest(self.entries + [[name, self._next_seq("i"), "i"]])
        self._open_incr(os.path.join(self.dir, name))
        self.size = sum(os.path.getsize(os.path.join(self.dir, n))
                        for n, _, k in self.entries if k in "bi"
                        and os.path.exists(os.path.join(self.dir, n)))
        self.base_size = self.size
        self._start_fsync_thread()
        self.enabled = True

    def _open_incr(self, path):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.path = path
        self.last_db = -1          # every file starts with a SELECT

    def _start_fsync_thread(self):
        self._fsyncer.start()

    def _fsync_due(self):
        """everysec: once a second, off the event loop."""
        if self.pending_fsync and self.fd is not None:
            self.pending_fsync = False
            try:
                os.fsync(self.fd)
            except OSError as e:
                log.warning("fsync of the AOF failed: %s", e)

    # -- turning appendonly on and off at run time -------------------------------
    def set_enabled(self, on):
        if on == self.enabled:
            return
        engine = self.engine
        if on:
            # as Redis: append to a temporary incr file while a rewrite writes
            # the base; both are put in the manifest when the rewrite is done
            os.makedirs(self.dir, exist_ok=True)
            self.entries = self.read_manifest()
            if self.child is not None:
                self.child.kill()
                self.child = None
            self.waiting_rewrite = True
            self._open_incr(os.path.join(self.dir, "temp-%s.incr" % self.basename))
            os.ftruncate(self.fd, 0)
            self.buf = []
            self.enabled = True
            engine.aof = self
            self._start_fsync_thread()
            if self.rewrite() is not None:
                log.warning("Redis needs to enable the AOF but can't trigger a background "
                            "AOF rewrite operation.")
        else:
            self.flush()
            engine.aof = None
            self.enabled = False
            if self.child is not None:
                self.child.kill()
                self.child = None
            self._fsyncer.stop()
            self._close_incr()
            if self.waiting_rewrite:
                self.waiting_rewrite = False
                unlink(os.path.join(self.dir, "temp-%s.incr" % self.basename))

    # -- rewrite ----------------------------------------------------------------
    def rewrite(self):
        """Start a background rewrite; returns None, or an error message."""
        if self.child is not None:
            return "Background append only file rewriting already in progress"
        os.makedirs(self.dir, exist_ok=True)
        if not self.entries:
            self.entries = self.read_manifest()
        self.flush()
        if self.fd is not None:
            try:
                os.fsync(self.fd)
            except OSError:
                pass
        new_incr = None
        if self.enabled and not self.waiting_rewrite:
            # writes from now on go to a new incr file, listed at once, so a
            # crash before the rewrite ends loses nothing
            seq = self._next_seq("i")
            new_incr = [self._incr_name(seq), seq, "i"]
            self._close_incr()
            self._open_incr(os.path.join(self.dir, new_incr[0]))
            self.write_manifest(self.entries + [new_incr])
        ext = "rdb" if self.engine.config["aof-use-rdb-preamble"] else "aof"
        tmp = os.path.join(self.dir, "temp-rewriteaof-bg-%d.%s" % (os.getpid(), ext))
        try:
            self.child = Child.start(_rewrite_writer(self.engine), tmp + ".part", tmp)
            self.child.incr = new_incr
        except OSError as e:
            self.last_rewrite_ok = False
            self.failures += 1
            self._retry_after = time.monotonic() + 60
            log.warning("Can't rewrite append only file in background: fork: %s", e)
            return "Can't rewrite append only file in background: fork: %s" % (
                e.strerror or e)
        log.info("Background append only file rewriting started by pid %s", self.child.pid)
        return None

    def rewrite_done(self, rewrite, ok):
        """Called by the child's watcher: install the new base, or give up."""
        self.child = None
        self.last_rewrite_time = int(time.monotonic() - rewrite.started)
        if not ok:
            unlink(rewrite.final)
            self.last_rewrite_ok = False
            self.failures += 1
            self._retry_after = time.monotonic() + 60
            log.warning("Background AOF rewrite terminated with error")
            return
        seq = self._next_seq("b")
        ext = "rdb" if rewrite.final.endswith(".rdb") else "aof"
        base = ["%s.%d.base.%s" % (self.basename, seq, ext), seq, "b"]
        os.replace(rewrite.final, os.path.join(self.dir, base[0]))
        entries = [base]
        if self.enabled:
            if self.waiting_rewrite:
                iseq = self._next_seq("i")
                incr = [self._incr_name(iseq), iseq, "i"]
                self.flush()
                os.fsync(self.fd)
                os.replace(self.path, os.path.join(self.dir, incr[0]))
                self.path = os.path.join(self.dir, incr[0])
                self.waiting_rewrite = False
            else:
                incr = rewrite.incr
            entries.append(incr)
        old = [e[0] for e in self.entries if e[0] not in {x[0] for x in entries}]
        self.write_manifest(entries)
        for name in old:
            unlink(os.path.join(self.dir, name))
        self.size = sum(os.path.getsize(os.path.join(self.dir, e[0])) for e in entries)
        self.base_size = self.size
        self.last_rewrite_ok = True
        self.failures = 0
        self.rewrites += 1
        log.info("Background AOF rewrite finished successfully")

    def files_to_load(self):
        """The base file, then the incr files in manifest order."""
        entries = self.read_manifest()
        names = [e[0] for e in entries if e[2] == "b"] + [e[0] for e in entries if e[2] == "i"]
        paths = [os.path.join(self.dir, n) for n in names]
        missing = [p for p in paths if not os.path.exists(p)]
        if missing:
            raise AOFLoadError("The AOF file %s doesn't exist" % missing[0])
        return paths

    def load(self):
        """Replay the files into the engine; returns the number of commands."""
        engine = self.engine
        saved_aof, engine.aof = engine.aof, None
        client = engine.new_client(addr="aof-loader")
        total = 0
        t0 = time.time()
        try:
            for path in self.files_to_load():
                if path.endswith(".rdb"):
                    from .snapshot import load_rdb_file
                    total += load_rdb_file(engine, path)
                else:
                    total += self._load_file(path, client)
        finally:
            engine.client_gone(client)
            engine.aof = saved_aof
        if total:
            log.info("DB loaded from append only file: %.3f seconds, %d commands, %d keys",
                     time.time() - t0, total, sum(len(db.data) for db in engine.dbs))
        return total

    def _load_file(self, path, client):
        engine = self.engine
        parser = PythonRequestParser(max_bulk_len=2 ** 62, query_buffer_limit=2 ** 62)
        n = 0
        offset = 0            # bytes of complete commands consumed
        before_multi = None   # offset of the MULTI of a transaction not yet closed
        with open(path, "rb") as f:
            while True:
                chunk = f.read(1 << 20)
                if not chunk:
                    break
                reqs, err = parser.feed(chunk)
                if err is not None:
                    raise AOFLoadError(
                        "Bad file format reading the append only file %s near offset %d: %s"
                        " (use 'redlet-server check-aof --fix %s')"
                        % (path, parser.boundary_offset, err.reply, path))
                # where each command starts matters only around a MULTI
                pos = offset if any(a[0] in _MULTI for a in reqs) else None
                for argv in reqs:
                    if pos is not None:
                        if argv[0] in _MULTI:
                            before_multi = pos
                        pos += _record_len(argv)
                    reply = engine.execute(client, argv)
                    if isinstance(reply, Exception) and argv[0].upper() != b"SELECT":
                        log.warning("AOF command %r failed on load: %s", argv[0], reply)
                    n += 1
                offset = parser.boundary_offset
        if client.multi is not None and before_multi is not None:
            # a transaction cut short (MULTI without EXEC): none of it is
            # applied and the tail goes, as a torn record would (Redis)
            log.warning("Revert incomplete MULTI/EXEC transaction in AOF file %s", path)
            engine.discard_transaction(client)
            if not engine.config["aof-load-truncated"]:
                raise AOFLoadError(
                    f"Unexpected end of file reading the append only file {path}")
            log.warning("!!! Warning: short read while loading the AOF file %s!!! "
                        "AOF loaded anyway because aof-load-truncated is enabled; "
                        "truncating %d bytes at offset %d", path,
                        os.path.getsize(path) - before_multi, before_multi)
            with open(path, "r+b") as f:
                f.truncate(before_multi)
            return n
        if not parser.at_boundary:
            if not engine.config["aof-load-truncated"]:
                raise AOFLoadError("Unexpected end of file reading the append only file %s"
                                   % path)
            size = os.path.getsize(path)
            log.warning("!!! Warning: short read while loading the AOF file %s!!! "
                        "AOF loaded anyway because aof-load-truncated is enabled; "
                        "truncating %d bytes of an incomplete command at offset %d",
                        path, size - offset, offset)
            with open(path, "r+b") as f:
                f.truncate(offset)
        return n


_MULTI = (b"MULTI", b"multi")


def _record_len(argv):
    """Bytes of ``argv`` as a RESP multibulk record (the AOF's form)."""
    n = 3 + len(str(len(argv)))
    for a in argv:
        n += 5 + len(str(len(a))) + len(a)
    return n


def _rewrite_writer(engine):
    """The base file's body: RDB (``aof-use-rdb-preamble yes``, Redis' default)
    or commands."""
    if engine.config["aof-use-rdb-preamble"]:
        from .snapshot import write_dataset
        return lambda f: write_dataset(engine, f, aof_base=True)
    from .rewrite import write_snapshot
    return lambda f: write_snapshot(engine.dbs, f)


def attach(engine):
    """Extension factory: the AppendOnlyFile (loaded and appending when
    ``appendonly yes``)."""
    aof = AppendOnlyFile(engine)
    engine.aof_file = aof
    if engine.config["appendonly"]:
        aof.load()
        aof.open()
        engine.aof = aof
    return aof
