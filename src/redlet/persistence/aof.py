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
import threading
import time

from ..protocol import PythonRequestParser, encode_command
from ..protocol.encoder import _BULK_HEADERS

_MBULK_HEADERS = [b"*%d\r\n" % n for n in range(64)]

log = logging.getLogger("redlet")


class AOFLoadError(Exception):
    pass


class AppendOnlyFile:
    def __init__(self, engine):
        self.engine = engine
        cfg = engine.config
        self.dir = os.path.join(cfg["dir"], cfg["appenddirname"])
        base = cfg["appendfilename"]
        self.manifest = os.path.join(self.dir, base + ".manifest")
        self.incr_name = base + ".1.incr.aof"
        self.path = os.path.join(self.dir, self.incr_name)
        self.buf = []
        self.last_db = -1
        self.fd = None
        self.write_error = None
        self.pending_fsync = False
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = None
        self.size = 0

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
        except OSError as e:
            self.write_error = e.strerror or str(e)
            log.warning("Error writing to the AOF file: %s", self.write_error)
            # keep what was not written: retried on the next flush
            self.buf.insert(0, data[written:])

    def check_command(self, client, cmd, argv):
        from ..commands.registry import WRITE
        from ..errors import ReplyError
        if self.write_error is not None and cmd.flags & WRITE:
            return ReplyError("MISCONF Errors writing to the AOF file: %s" % self.write_error)
        return None

    def hot_ok(self):
        """``check_command`` lets every command through (the engine's hot path)."""
        return self.write_error is None

    def cron(self):
        if self.write_error is not None and self.buf:
            self.flush()

    def info_persistence(self):
        return [("aof_enabled", 1), ("aof_last_write_status",
                                     "ok" if self.write_error is None else "err"),
                ("aof_current_size", self.size)]

    def shutdown(self):
        self.flush()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2)
        if self.fd is not None:
            try:
                os.fsync(self.fd)
            except OSError:
                pass
            os.close(self.fd)
            self.fd = None

    # -- files ----------------------------------------------------------------
    def open(self):
        os.makedirs(self.dir, exist_ok=True)
        if not os.path.exists(self.manifest):
            tmp = self.manifest + ".tmp"
            with open(tmp, "w") as f:
                f.write("file %s seq 1 type i\n" % self.incr_name)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.manifest)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.size = os.fstat(self.fd).st_size
        self._thread = threading.Thread(target=self._fsync_loop, name="redlet-aof-fsync",
                                        daemon=True)
        self._thread.start()

    def _fsync_loop(self):
        while not self._stop.wait(1.0):
            if self.pending_fsync and self.fd is not None:
                self.pending_fsync = False
                try:
                    os.fsync(self.fd)
                except OSError as e:
                    log.warning("fsync of the AOF failed: %s", e)

    def files_to_load(self):
        if not os.path.exists(self.manifest):
            return []
        names = []
        with open(self.manifest) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[0] == "file":
                    names.append(os.path.join(self.dir, parts[1]))
        return [n for n in names if os.path.exists(n)]

    def load(self):
        """Replay the files into the engine; returns the number of commands."""
        engine = self.engine
        saved_aof, engine.aof = engine.aof, None
        client = engine.new_client(addr="aof-loader")
        total = 0
        t0 = time.time()
        try:
            for path in self.files_to_load():
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


def attach(engine):
    """Extension factory: an AppendOnlyFile when ``appendonly yes``."""
    if not engine.config["appendonly"]:
        return None
    aof = AppendOnlyFile(engine)
    aof.load()
    aof.open()
    engine.aof = aof
    return aof
