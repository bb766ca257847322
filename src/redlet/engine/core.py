"""The engine: databases, clients and the one command dispatcher.

Everything that executes commands runs on one thread, so every command is
atomic.  I/O adapters (``server/``) feed the engine complete requests through
``process_batch`` and write back the bytes it returns; they also give it a
``call_later(delay, fn)`` scheduler for timers and run ``cron`` ``hz`` times
a second.

``execute`` is a pipeline of gates in Redis' order: lookup, arity,
authentication, ACL, pub/sub context, MULTI queueing, out-of-memory, then
``call``, which runs the handler and the post-write effects every write
shares: the dirty counter, propagation to the append-only file, WATCH
invalidation, and serving clients blocked on keys that became ready.
"""
import collections
import hmac
import logging
import math
import os
import sys
import time
import traceback
from time import perf_counter_ns

from .. import errors
from ..commands import load_all
from ..commands.registry import (
    ADMIN,
    ALLOW_BUSY,
    BLOCKING,
    DENYOOM,
    FAST,
    MAY_REPLICATE,
    NO_AUTH,
    NO_MULTI,
    NOSCRIPT,
    PUBSUB,
    SKIP_MONITOR,
    SKIP_SLOWLOG,
    TYPED,
    WRITE,
    lookup_table,
)
from ..config import Config
from ..errors import ReplyError
from ..keyspace.db import Database, now_ms
from ..protocol import NO_REPLY, TypedRequest, encode_into, format_double
from ..protocol.encoder import _BULK_HEADERS, _INT_REPLIES
from ..protocol.types import OK, Status
from .client import Client

log = logging.getLogger("redlet")

# Commands a RESP2 client may run while subscribed.
_SUBSCRIBED_ALLOWED = {"subscribe", "psubscribe", "unsubscribe", "punsubscribe", "ping",
                       "quit", "reset", "ssubscribe", "sunsubscribe"}
# Commands that are executed, not queued, inside MULTI.
_MULTI_IMMEDIATE = {"exec", "discard", "multi", "watch", "quit", "reset"}

NOTIFY_CLASSES = "g$lshzxetmdn"


_REPR_ESCAPES = {ord("\\"): b"\\\\", ord('"'): b'\\"', ord("\n"): b"\\n", ord("\r"): b"\\r",
                 ord("\t"): b"\\t", 7: b"\\a", 8: b"\\b"}
_REPR = [_REPR_ESCAPES.get(c) or (bytes((c,)) if 0x20 <= c <= 0x7E else b"\\x%02x" % c)
         for c in range(256)]


def _repr(b):
    """``b`` quoted as Redis' sdscatrepr does (MONITOR, CLIENT LIST)."""
    return b'"' + b"".join([_REPR[c] for c in b]) + b'"'


def _redacted(args):
    """Positions of the secrets in a command (AUTH's arguments, HELLO AUTH's)."""
    name = args[0].lower()
    if name == b"auth":
        return range(1, len(args))
    if name == b"hello":
        for i in range(2, len(args) - 2):
            if args[i].lower() == b"auth":
                return (i + 1, i + 2)
    return ()


def _arg_bytes(v):
    """A typed request element as the bytes a plain client would have sent."""
    t = type(v)
    if t is bytes:
        return v
    if t is bool:
        return b"1" if v else b"0"
    if t is int:
        return b"%d" % v
    if t is float:
        return format_double(v)
    raise ReplyError("ERR typed value not allowed as this argument")


# Flags of commands that may change the client's state or need a gate the hot
# path skips (AUTH, HELLO, pub/sub, blocking, MULTI, scripts, admin).
_NOT_HOT = NO_AUTH | PUBSUB | BLOCKING | NOSCRIPT | ADMIN


def _never():
    return False


def _hot_table(table):
    """The commands the hot path of ``process_batch`` may run directly."""
    return {name: cmd for name, cmd in table.items()
            if cmd.subcommands is None and cmd.fn is not None
            and not cmd.flags & _NOT_HOT and cmd.name not in _MULTI_IMMEDIATE
            # PING answers differently in subscribed mode, but the hot path
            # never runs for a subscribed client
            and (cmd.name not in _SUBSCRIBED_ALLOWED or cmd.name == "ping")}


class Engine:
    def __init__(self, config=None):
        self.config = config or Config()
        load_all()
        self.table = lookup_table()
        self.hot = _hot_table(self.table)
        n = self.config["databases"]
        self.dbs = [Database(i, self) for i in range(n)]
        self.clients = {}
        self._next_client_id = 1
        self.dirty = 0
        self.ready_keys = []
        self.ready_key = None          # the key whose blocked clients are being served
        self.monitors = []             # MONITOR clients, in arrival order
        self.slowlog = collections.deque()  # newest first: (id, time, usec, argv, addr, name)
        self.slowlog_next_id = 0
        self.slow_ns = math.inf        # slowlog-log-slower-than, in ns (inf: off)
        self.latency_ms = 0            # latency-monitor-threshold (0: off)
        self.latency_events = {}       # event -> deque of (time, ms), and max
        self.pause_until = 0.0         # CLIENT PAUSE: monotonic end, 0 when not paused
        self.pause_all = False         # ALL (every command) or WRITE
        self.paused_clients = []       # clients holding commands until the pause ends
        self.pending_write = set()     # clients with output produced by others
        self.call_later = None         # set by the I/O adapter
        self.aof = None                # persistence.aof.AppendOnlyFile when appending
        self.aof_file = None           # the AppendOnlyFile, appending or not (BGREWRITEAOF)
        self.snapshot = None           # persistence.snapshot.Snapshot (SAVE, BGSAVE)
        self.rdb_last_load = (0, 0)    # keys loaded, keys expired by the last RDB load
        # the I/O adapter writes the AOF (then the replies held back for it)
        # once per loop iteration instead of after every batch
        self.defer_aof_flush = False
        self.propagation_hooks = []    # callables(db_index, argv): MONITOR, replication...
        self.propagate_buffer = None   # a list while EXEC collects its effects
        self.channels = {}             # channel -> set of clients
        self.patterns = {}             # pattern -> set of clients
        self.shard_channels = {}       # shard channel (SSUBSCRIBE) -> set of clients
        self.notify_flags = ""
        self.start_time = time.time()
        self.lastsave = int(time.time())
        self.run_id = os.urandom(20).hex()
        self.shutdown_requested = None  # set to a callable by the adapter
        self.executing = None          # the client whose command runs now
        # scripting: the Run of a script past busy-reply-threshold (commands
        # without allow_busy get -BUSY), the sink of a script's writes
        # (callable(db_index, argv)), and the adapter's callback that serves
        # other connections while a script is busy (callable(caller) -> stop?)
        self.script_busy = None
        self.script_effects = None
        self.poll_busy = None
        self.stats = {
            "total_connections_received": 0, "total_commands_processed": 0,
            "rejected_connections": 0, "expired_keys": 0, "evicted_keys": 0,
            "keyspace_hits": 0, "keyspace_misses": 0, "total_error_replies": 0,
            "expired_stale_perc": 0.0, "expire_cycle_cpu_milliseconds": 0,
        }
        self.errorstats = {}
        # bytes read and written (INFO stats), kept out of ``stats`` for speed
        self.net_input_bytes = 0
        self.net_output_bytes = 0
        self.extensions = []           # objects with optional hooks (persistence, acl...)
        self.config.listeners.append(self._config_changed)
        for name in ("notify-keyspace-events", "slowlog-log-slower-than",
                     "latency-monitor-threshold", "client-output-buffer-limit"):
            self._config_changed(name, self.config[name])
        self.maxmemory = self.config["maxmemory"]
        self._extensions_seen = -1
        self._command_checks = ()
        # whether the server-wide gates of the hot path are open (None: to be
        # computed again); see hot_changed()
        self._hot_global = None

    # -- clients -------------------------------------------------------------
    def auth_required(self):
        """Whether a new connection starts unauthenticated (the ACL's default
        user has a password or is off; else ``requirepass``)."""
        for ext in self.extensions:
            hook = getattr(ext, "auth_required", None)
            if hook is not None:
                return hook()
        return bool(self.config["requirepass"])

    def authenticate(self, user, password):
        """True if ``user``/``password`` (bytes) may log in."""
        for ext in self.extensions:
            hook = getattr(ext, "authenticate", None)
            if hook is not None:
                return hook(user, password)
        if user != b"default":
            return False
        required = self.config["requirepass"]
        if not required:
            return True
        return hmac.compare_digest(password, required.encode())

    def has_acl_users(self):
        for ext in self.extensions:
            hook = getattr(ext, "has_acl_users", None)
            if hook is not None:
                return hook()
        return False

    def new_client(self, send=None, close=None, addr="", laddr="", fd=-1, unix_socket=False):
        cid = self._next_client_id
        self._next_client_id += 1
        c = Client(self, cid, send, close, addr, laddr, fd, unix_socket)
        self.clients[cid] = c
        self.stats["total_connections_received"] += 1
        return c

    def default_user_nopass(self):
        """No password is needed to be the default user (protected mode)."""
        for ext in self.extensions:
            hook = getattr(ext, "default_user_nopass", None)
            if hook is not None:
                return hook()
        return not self.auth_required()      # the ACL's default user, or requirepass

    def admission_error(self, client):
        """The error line that refuses a new connection, or None: protected
        mode (a client from outside the loopback while the default user has
        no password), then maxclients; the adapter writes it and closes."""
        if self.config["protected-mode"] and not client.unix_socket:
            ip = client.addr.rsplit(":", 1)[0].strip("[]")
            if ip not in ("127.0.0.1", "::1") and self.default_user_nopass():
                self.stats["rejected_connections"] += 1
                return b"-" + errors.PROTECTED_MODE_DENIED.encode() + b"\r\n"
        if len(self.clients) > self.config["maxclients"]:
            self.stats["rejected_connections"] += 1
            return b"-" + errors.MAX_CLIENTS.encode() + b"\r\n"
        return None

    def client_gone(self, client):
        """The connection closed: forget everything the client left behind."""
        self.clients.pop(client.id, None)
        client.closing = True
        if client.blocked is not None:
            self.unblock(client)
        self.unwatch_all(client)
        self.unsubscribe_all(client)
        if client.monitor:
            self.monitors.remove(client)
            self._hot_global = None
        if client.paused is not None:
            self.paused_clients.remove(client)
        self.pending_write.discard(client)
        for ext in self.extensions:
            hook = getattr(ext, "client_gone", None)
            if hook:
                hook(client)

    def unsubscribe_all(self, client):
        """Drop every channel, pattern and shard channel subscription."""
        for table, names in ((self.channels, client.subscriptions),
                             (self.patterns, client.psubscriptions),
                             (self.shard_channels, client.ssubscriptions)):
            for name in list(names):
                self._unsubscribe(table, client, name)
            names.clear()

    @staticmethod
    def _unsubscribe(table, client, name):
        subs = table.get(name)
        if subs is not None:
            subs.discard(client)
            if not subs:
                del table[name]

    def deliver(self, client, data):
        """Output for ``client`` produced outside its own batch (an unblocked
        pop, a pub/sub message); written by ``flush_pending`` once the
        append-only file has the writes that produced it."""
        if client.closing:
            return
        if client.out is not None:       # the client's own batch is running
            client.out.append(data)
            return
        if client.pending_out is None:
            client.pending_out = []
        client.pending_out.append(data)
        self.pending_write.add(client)

    # -- client-output-buffer-limit ----------------------------------------------
    def output_class(self, client):
        """The client's class for client-output-buffer-limit."""
        if client.subscriptions or client.psubscriptions or client.ssubscriptions:
            return "pubsub"
        return "normal"

    def smallest_output_limit(self):
        """The smallest hard or soft limit set (bytes), 0 if none: the I/O
        adapter starts checking a connection's output past it."""
        limits = [n for hard, soft, _ in self.config["client-output-buffer-limit"].values()
                  for n in (hard, soft) if n]
        return min(limits) if limits else 0

    def output_limit_reached(self, client, pending):
        """The adapter reports ``pending`` bytes of output the peer has not
        taken; True when the client must be closed now: past the hard limit
        of its class, or past the soft limit for longer than its seconds
        (Redis' checkClientOutputBufferLimits).  Logs the closing."""
        client.output_bytes = pending
        limits = self.config["client-output-buffer-limit"].get(self.output_class(client))
        if not limits:
            return False
        hard, soft, seconds = limits
        reached = bool(hard and pending >= hard)
        if soft and pending >= soft:
            now = time.monotonic()
            if client.soft_limit_since is None:
                client.soft_limit_since = now
            elif now - client.soft_limit_since > seconds:
                reached = True
        else:
            client.soft_limit_since = None
        if reached:
            log.warning("Client %s scheduled to be closed ASAP for overcoming of output "
                        "buffer limits.",
                        client.info_line())
        return reached

    def flush_pending(self):
        if self.aof is not None:
            self.aof.flush()
        if self.pending_write:
            clients = self.pending_write
            self.pending_write = set()
            for c in clients:
                data = c.pending_out
                c.pending_out = None
                if data and not c.closing:
                    c.send(b"".join(data))

    # -- the batch -----------------------------------------------------------
    def process_batch(self, client, requests):
        """Execute ``requests`` of one read; return the bytes to write back.

        Plain commands of a plain client take the hot path: the gates that
        cannot apply (auth, MULTI, subscribed mode, busy script, maxmemory,
        extension checks) are checked once for the batch instead of once per
        command; anything else goes through ``execute``.
        """
        out = client.out = []
        append = out.append
        hot = self.hot.get
        resp3 = client.resp3
        done = 0
        last = None
        big = 0         # bytes of replies counted by _out_grown (< 0: closed)
        mark = 0        # pieces of ``out`` since the last count
        fast = self._hot_client(client)
        prev = self.executing
        self.executing = client
        t = perf_counter_ns()
        try:
            for i, argv in enumerate(requests):
                if fast:
                    cmd = hot(argv[0])
                    if cmd is not None and type(argv) is list:
                        n = cmd.arity
                        m = len(argv)
                        if m == n or n < 0 and m >= -n:
                            dirty = self.dirty
                            try:
                                # positional calls for the common lengths: a
                                # star call costs 0.2 us more per command
                                if m == 2:
                                    reply = cmd.fn(client, argv[1])
                                elif m == 1:
                                    reply = cmd.fn(client)
                                elif m == 3:
                                    reply = cmd.fn(client, argv[1], argv[2])
                                elif m == 4:
                                    reply = cmd.fn(client, argv[1], argv[2], argv[3])
                                else:
                                    reply = cmd.fn(client, *argv[1:])
                            except Exception as e:
                                reply = self._failed(cmd, e)
                            cmd.stats_calls += 1
                            done += 1
                            last = cmd
                            if self.dirty != dirty:
                                db = client.db
                                if db.watched or client.propagate_override is not None:
                                    self._after_write(client, cmd, argv)
                                else:           # the common case of _after_write
                                    self.propagate(db.id, argv)
                            if self.ready_keys:
                                self.handle_ready_keys()
                            if type(reply) is bytes:
                                n = len(reply)
                                append(_BULK_HEADERS[n] if n < 1024 else b"$%d\r\n" % n)
                                append(reply)
                                append(b"\r\n")
                                if n >= 1024:
                                    big = self._out_grown(client, out, mark, big)
                                    mark = len(out)
                                    if big < 0:
                                        break
                            elif reply is OK:
                                append(b"+OK\r\n")
                            elif type(reply) is int:
                                append(_INT_REPLIES[reply + 1] if -1 <= reply < 1023
                                       else b":%d\r\n" % reply)
                            elif reply is None:
                                append(b"_\r\n" if resp3 else b"$-1\r\n")
                            else:
                                encode_into(out, reply, resp3)
                                if len(out) - mark > 16:
                                    big = self._out_grown(client, out, mark, big)
                                    mark = len(out)
                                    if big < 0:
                                        break
                            t2 = perf_counter_ns()
                            cmd.stats_usec += (t2 - t) // 1000
                            if t2 - t >= self.slow_ns:
                                self.slowlog_push(client, argv, (t2 - t) // 1000)
                            t = t2
                            continue
                if client.blocked is not None or client.paused is not None:
                    client.deferred = (client.deferred or []) + requests[i:]
                    break
                reply = self.execute(client, argv)
                self._hot_global = None         # the command may have changed it
                self.executing = client
                last = None                 # execute() recorded its own last_cmd
                if reply is PAUSED:         # CLIENT PAUSE: hold this and the rest
                    client.deferred = requests[i:] + (client.deferred or [])
                    break
                mode = client.reply_mode
                if mode:                    # CLIENT REPLY OFF / SKIP
                    if mode != 1:
                        client.reply_mode = 2 if mode == 3 else 0
                elif reply is not NO_REPLY:
                    encode_into(out, reply, client.resp3)
                    if len(out) - mark > 16:
                        big = self._out_grown(client, out, mark, big)
                        mark = len(out)
                if client.closing:
                    break
                resp3 = client.resp3
                fast = self._hot_client(client)
                t = perf_counter_ns()
        finally:
            client.out = None
            self.executing = prev
            if done:
                self.stats["total_commands_processed"] += done
                if last is not None and client.last_cmd is not last.fullname:
                    client.last_cmd = last.fullname
        if self.aof is not None and not self.defer_aof_flush:
            self.aof.flush()
        if self.pending_write:
            self.flush_pending()
        if big < 0:                 # closed for its output: the replies are dropped
            return b""
        return b"".join(out)

    def _out_grown(self, client, out, mark, counted):
        """The batch's replies grew by big pieces: the bytes of ``out`` in all
        (``counted`` of them before ``out[mark]``), or -1 when with what the
        connection already holds they pass the client's output limit; the
        client is then closing.  Only replies past 1 KiB or 16 pieces are
        counted, which keeps small commands free of it."""
        total = counted + sum(map(len, out[mark:]))
        if total + client.output_bytes >= self.out_check and \
                self.output_limit_reached(client, total + client.output_bytes):
            client.closing = True
            return -1
        return total

    def _hot_client(self, client):
        """Whether the hot path applies to ``client``'s next commands."""
        if not (client.authenticated and client.multi is None and client.blocked is None
                and client.paused is None and not client.subscriptions
                and not client.psubscriptions and not client.ssubscriptions
                and not client.in_script and not client.reply_mode):
            return False
        ok = self._hot_global
        if ok is None:
            ok = self._hot_global = self._hot_server()
        return ok

    def _hot_server(self):
        """The server-wide half of ``_hot_client``, cached until
        ``hot_changed()``."""
        if len(self.extensions) != self._extensions_seen:
            self._extensions_seen = len(self.extensions)
            # an extension that checks commands tells, with ``hot_ok()``, when
            # its check cannot fire (the AOF: while writes succeed)
            self._command_checks = tuple(getattr(e, "hot_ok", _never)
                                         for e in self.extensions
                                         if hasattr(e, "check_command"))
        if (self.script_busy is not None or self.monitors or self.maxmemory
                or self.pause_until):
            return False
        for ok in self._command_checks:
            if not ok():
                return False
        return True

    def hot_changed(self):
        """Server state the hot path depends on may have changed: a busy
        script, MONITOR, CLIENT PAUSE, maxmemory, an extension's ``hot_ok()``.
        Every command outside the hot path calls it; so must anything else
        (timers, the cron, extensions) that changes such state."""
        self._hot_global = None

    def resume(self, client):
        """Run requests that waited while ``client`` was blocked."""
        if client.deferred and client.blocked is None and client.paused is None \
                and not client.closing:
            reqs, client.deferred = client.deferred, None
            data = self.process_batch(client, reqs)
            if data:
                client.send(data)
            if client.closing:
                client.close()

    # -- the dispatcher ------------------------------------------------------
    def execute(self, client, argv):
        """Run one request through the gates; return its reply value."""
        self._hot_global = None
        cmd = self.table.get(argv[0])
        if cmd is None or cmd.subcommands is not None:
            cmd = self._resolve(argv, cmd)
            if type(cmd) is ReplyError:
                return self._rejected(client, cmd, None)
        n = cmd.arity
        argc = len(argv)
        if (argc != n) if n > 0 else (argc < -n):
            return self._rejected(client, ReplyError(errors.WRONG_ARITY % cmd.fullname), cmd)
        if type(argv) is TypedRequest:
            try:
                argv = self._untype(cmd, argv)
            except ReplyError as e:
                return self._rejected(client, e, cmd)
        if not client.authenticated and not cmd.flags & NO_AUTH:
            return self._rejected(client, ReplyError(errors.NOAUTH), cmd)
        for ext in self.extensions:
            check = getattr(ext, "check_command", None)
            if check is not None:
                err = check(client, cmd, argv)
                if err is not None:
                    return self._rejected(client, err, cmd)
        if client.multi is not None and cmd.flags & NO_MULTI:
            return self._rejected(client, ReplyError(errors.NOT_IN_MULTI), cmd)
        if (client.subscriptions or client.psubscriptions or client.ssubscriptions) \
                and not client.resp3 and cmd.name not in _SUBSCRIBED_ALLOWED:
            return self._rejected(client, ReplyError(
                errors.ONLY_IN_SUBSCRIBE % cmd.fullname), cmd)
        busy = self.script_busy
        if busy is not None and (not cmd.flags & ALLOW_BUSY or cmd.name == "shutdown" and
                                 b"NOSAVE" not in (a.upper() for a in argv[1:])):
            return self._rejected(client, ReplyError(
                errors.BUSY_FUNCTION if busy.kind == "function" and cmd.name != "shutdown"
                else errors.BUSY), cmd)
        if self.pause_until and self._paused_for(client, cmd):
            return PAUSED
        if client.multi is not None and cmd.name not in _MULTI_IMMEDIATE:
            # queueing takes memory: under maxmemory every command is refused,
            # as Redis does (the transaction is then aborted by EXEC)
            if self.config["maxmemory"]:
                err = self.check_memory(client, cmd)
                if err is not None:
                    return self._rejected(client, err, cmd)
            client.multi.append((cmd, argv))
            return Status(b"QUEUED")
        if self.config["maxmemory"] and (cmd.flags & DENYOOM or cmd.name == "exec" and any(
                c.flags & DENYOOM for c, _ in client.multi or ())):
            err = self.check_memory(client, cmd)
            if err is not None:
                return self._rejected(client, err, cmd)
        return self.call(client, cmd, argv)

    def _resolve(self, argv, cmd):
        name = argv[0]
        if cmd is None:
            if type(name) is not bytes:
                name = _arg_bytes(name) if type(name) in (int, float) else repr(name).encode()
            cmd = self.table.get(name.lower())
            if cmd is None:
                args = ""
                for a in argv[1:]:
                    if len(args) >= 128:
                        break
                    a = a if type(a) is bytes else repr(a).encode()
                    args += "'%s' " % a[:128 - len(args)].decode("utf-8", "replace")
                return ReplyError(errors.UNKNOWN_COMMAND % (
                    name[:128].decode("utf-8", "replace"), args))
            if cmd.subcommands is None:
                return cmd
        if len(argv) < 2:
            if cmd.fn is not None:        # COMMAND: a container that also runs alone
                return cmd
            return ReplyError(errors.WRONG_ARITY % cmd.fullname)
        sub = argv[1]
        sub = cmd.subcommands.get(sub.lower().decode("utf-8", "replace")) \
            if type(sub) is bytes else None
        if sub is None:
            return ReplyError(errors.UNKNOWN_SUBCOMMAND % (
                _arg_bytes(argv[1])[:128].decode("utf-8", "replace")
                if type(argv[1]) in (bytes, int, float) else "?", cmd.name.upper()))
        return sub

    def _untype(self, cmd, argv):
        """Typed request elements become bytes, except the values of TYPED
        commands (SET, MSET...), which keep their type."""
        if cmd.flags & TYPED:
            keep = set(cmd.fn.typed_positions(len(argv)))
        else:
            keep = ()
        return [a if i in keep else _arg_bytes(a) for i, a in enumerate(argv)]

    def _rejected(self, client, err, cmd):
        if cmd is not None:
            cmd.stats_rejected += 1
            if cmd.name == "exec":
                # a refused EXEC discards the transaction (Redis' execCommandAbort)
                self.discard_transaction(client)
                msg = err.message
                err = ReplyError(errors.EXECABORT_BECAUSE % (
                    msg[4:] if msg.startswith("ERR ") else msg))
        if client.multi is not None:
            client.multi_error = True
        self._count_error(err)
        return err

    def _count_error(self, err):
        self.stats["total_error_replies"] += 1
        code = err.message.split(" ", 1)[0]
        self.errorstats[code] = self.errorstats.get(code, 0) + 1

    def call(self, client, cmd, argv):
        """Run a command's handler with the post-write effects."""
        dirty = self.dirty
        prev = self.executing
        self.executing = client
        if not client.in_exec:          # CLIENT INFO shows the running command (EXEC)
            client.last_cmd = cmd.fullname
        monitored = bool(self.monitors) and not cmd.flags & ADMIN
        if monitored and cmd.flags & SKIP_MONITOR:      # EVAL, FCALL: before their calls
            self.feed_monitors(client, argv)
            monitored = False
        t0 = time.perf_counter_ns()
        try:
            reply = cmd.fn(client, *argv[1:])
        except Exception as e:
            reply = self._failed(cmd, e)
        finally:
            self.executing = prev
        cmd.stats_calls += 1
        took = time.perf_counter_ns() - t0
        cmd.stats_usec += took // 1000
        self.stats["total_commands_processed"] += 1
        if took >= self.slow_ns and not cmd.flags & SKIP_SLOWLOG and client.blocked is None:
            self.slowlog_push(client, argv, took // 1000)
        if self.latency_ms and took >= self.latency_ms * 1_000_000:
            self.latency_sample("fast-command" if cmd.flags & FAST else "command",
                                took // 1_000_000)
        if monitored:
            self.feed_monitors(client, argv)
        if self.dirty != dirty:
            self._after_write(client, cmd, argv)
        if self.ready_keys and not client.in_script and client.multi is None \
                and not client.in_exec:
            self.handle_ready_keys()
        return reply

    # -- CLIENT PAUSE ----------------------------------------------------------
    def pause(self, seconds, pause_all):
        """Hold clients' commands (all of them, or those that may write) for
        ``seconds``; a pause already in force keeps the later end and the
        stricter mode, as Redis does."""
        end = time.monotonic() + seconds
        if not self.pause_until:
            self.pause_all = pause_all
        else:
            self.pause_all = self.pause_all or pause_all
        if end > self.pause_until:
            self.pause_until = end
            if self.call_later is not None:
                self.call_later(seconds + 0.001, self._pause_expired)

    def _paused_for(self, client, cmd):
        if time.monotonic() >= self.pause_until:
            self.unpause()
            return False
        if not self.pause_all:
            flags = cmd.flags
            if cmd.name == "exec":
                flags = 0
                for c, _ in client.multi or ():
                    flags |= c.flags
            if not flags & (WRITE | MAY_REPLICATE):
                return False
        client.paused = True
        self.paused_clients.append(client)
        return True

    def _pause_expired(self):
        if self.pause_until and time.monotonic() >= self.pause_until:
            self.unpause()

    def unpause(self):
        """End the pause; held clients run their commands in arrival order."""
        self.pause_until = 0.0
        self._hot_global = None
        held, self.paused_clients = self.paused_clients, []
        for c in held:
            c.paused = None
        for c in held:
            if self.call_later is not None:
                self.call_later(0, lambda c=c: self.resume(c))
            else:
                self.resume(c)

    # -- SLOWLOG and LATENCY ------------------------------------------------
    def slowlog_push(self, client, argv, usec):
        """Log a slow command as Redis' slowlogCreateEntry does: at most 32
        arguments and 128 bytes of each, AUTH's secrets redacted."""
        limit = self.config["slowlog-max-len"]
        if not limit:
            return
        args = [a if type(a) is bytes else _arg_bytes(a) for a in argv]
        hidden = _redacted(args)
        out = []
        n = len(args)
        shown = min(n, 32)
        for i in range(shown):
            if shown != n and i == shown - 1:
                out.append(b"... (%d more arguments)" % (n - shown + 1))
                break
            a = b"(redacted)" if i in hidden else args[i]
            if len(a) > 128:
                a = a[:128] + b"... (%d more bytes)" % (len(a) - 128)
            out.append(a)
        if client.kind == "lua":
            addr = "?:0"                # the script's client has no connection
        elif client.unix_socket:
            addr = "unix:" + str(self.config["unixsocket"])
        else:
            addr = client.addr
        self.slowlog.appendleft((self.slowlog_next_id, int(time.time()), usec, out,
                                 addr.encode(), client.name))
        self.slowlog_next_id += 1
        while len(self.slowlog) > limit:
            self.slowlog.pop()

    def latency_sample(self, event, ms):
        """One latency spike of ``event`` (LATENCY LATEST/HISTORY); Redis keeps
        160 samples per event, one per second."""
        now = int(time.time())
        samples, peak = self.latency_events.get(event, (None, 0))
        if samples is None:
            samples = collections.deque(maxlen=160)
        if samples and samples[-1][0] == now:
            if ms > samples[-1][1]:
                samples[-1] = (now, ms)
        else:
            samples.append((now, ms))
        self.latency_events[event] = (samples, max(peak, ms))

    def feed_monitors(self, client, argv):
        """One MONITOR line for a command ``client`` ran (Redis' format:
        time, db, address, the arguments quoted as sdscatrepr does; AUTH's
        and HELLO AUTH's secrets redacted)."""
        now = time.time()
        if client.unix_socket:
            addr = "unix:" + str(self.config["unixsocket"])
        else:
            addr = client.addr
        parts = [b"%d.%06d [%d %s]" % (int(now), int(now * 1e6) % 1000000, client.db.id,
                                       addr.encode())]
        args = [a if type(a) is bytes else _arg_bytes(a) for a in argv]
        hidden = _redacted(args)
        for i, a in enumerate(args):
            parts.append(b'"(redacted)"' if i in hidden else _repr(a))
        line = Status(b" ".join(parts))
        for m in list(self.monitors):
            if m.closing:
                continue
            out = []
            encode_into(out, line, m.resp3)
            self.deliver(m, b"".join(out))

    def _failed(self, cmd, e):
        """The reply for a handler that raised ``e``."""
        if isinstance(e, ReplyError):
            e.__traceback__ = None      # error constants are shared: keep no frames alive
            cmd.stats_failed += 1
            if not getattr(e, "stats_counted", False):
                self._count_error(e)
            return e
        if isinstance(e, RecursionError):
            reply = ReplyError("ERR value nested too deep")
        else:                           # a bug: keep serving, tell the client
            log.error("internal error in %s: %s", cmd.fullname, traceback.format_exc())
            reply = ReplyError("ERR internal error in '%s': %s" % (cmd.fullname, e))
        self._count_error(reply)
        return reply

    def _after_write(self, client, cmd, argv):
        db = client.db
        if db.watched:
            keys = cmd.write_keys(argv) if cmd.write_keys else cmd.keys(argv)
            for k in keys:
                db.touch(k)
        override = client.propagate_override
        if client.in_script:
            # a script's writes are propagated as its effects when it ends
            client.propagate_override = None
            sink = self.script_effects
            if sink is not None:
                for db_index, args in override if override is not None else ((db.id, argv),):
                    sink(db_index, args)
        elif override is not None:
            client.propagate_override = None
            for db_index, args in override:
                self.propagate(db_index, args)
        else:
            self.propagate(db.id, argv)

    def propagate(self, db_index, argv):
        """A write's effect, for the append-only file and other listeners."""
        buffer = self.propagate_buffer
        if buffer is not None:          # EXEC collects its commands' effects
            buffer.append((db_index, argv))
            return
        # propagate_now, inlined: this runs for every write
        if self.aof is not None:
            self.aof.feed(db_index, argv)
        for hook in self.propagation_hooks:
            hook(db_index, argv)

    def propagate_now(self, db_index, argv):
        """Propagate at once, even while EXEC collects effects (the DEL of
        an expired key goes out before the transaction, as in Redis)."""
        if self.aof is not None:
            self.aof.feed(db_index, argv)
        for hook in self.propagation_hooks:
            hook(db_index, argv)

    def rewrite_propagation(self, client, *commands):
        """Propagate ``commands`` (``(db_index, argv)`` pairs) instead of the
        command as it was called (EXPIRE -> PEXPIREAT, SPOP -> SREM...)."""
        if client.propagate_override is None:
            client.propagate_override = list(commands)
        else:
            client.propagate_override.extend(commands)

    # -- memory (extended by the eviction module) ---------------------------
    def check_memory(self, client, cmd):
        for ext in self.extensions:
            hook = getattr(ext, "check_memory", None)
            if hook is not None:
                return hook(client, cmd)
        return None

    # -- WATCH bookkeeping ---------------------------------------------------
    def unwatch_all(self, client):
        for (db, key) in client.watching:
            clients = db.watched.get(key)
            if clients is not None:
                clients.discard(client)
                if not clients:
                    del db.watched[key]
        client.watching = {}
        client.watch_dirty = False

    def discard_transaction(self, client):
        """Leave MULTI: forget the queued commands and every WATCH."""
        client.multi = None
        client.multi_error = False
        self.unwatch_all(client)

    # -- expiry --------------------------------------------------------------
    def key_expired(self, db, key):
        self.stats["expired_keys"] += 1
        self.propagate_now(db.id, [b"DEL", key])
        self.notify(db, "x", "expired", key)

    def active_expire_cycle(self, budget_s=0.025):
        if self.pause_until:
            return          # CLIENT PAUSE holds expiry too: the dataset stays still
        deadline = time.perf_counter() + budget_s
        t0 = time.perf_counter()
        now = now_ms()
        for db in self.dbs:
            if db.expires:
                db.active_expire(deadline, now)
                if time.perf_counter() >= deadline:
                    break
        self.stats["expire_cycle_cpu_milliseconds"] += int((time.perf_counter() - t0) * 1000)

    # -- blocking ------------------------------------------------------------
    def can_block(self, client):
        """Blocking commands act as their non-blocking form in MULTI and scripts."""
        return not client.in_script and not client.in_exec

    def block(self, client, keys, timeout_s, retry, on_timeout=None):
        """Park ``client`` on ``keys`` until ``retry()`` (re-run when a key
        becomes ready) returns something other than NO_REPLY, or the timeout
        (seconds, 0 = forever) passes.  Returns NO_REPLY for the handler."""
        w = Waiter(client, keys, retry, on_timeout)
        client.blocked = w
        db = client.db
        for k in keys:
            db.blocking.setdefault(k, []).append(w)
        w.db = db
        if timeout_s and self.call_later is not None:
            w.timer = self.call_later(timeout_s, lambda: self._block_timeout(w))
        return NO_REPLY

    def unblock(self, client, reply=NO_REPLY):
        w = client.blocked
        if w is None:
            return
        client.blocked = None
        if w.timer is not None:
            w.timer.cancel()
        for k in w.keys:
            lst = w.db.blocking.get(k)
            if lst is not None:
                try:
                    lst.remove(w)
                except ValueError:
                    pass
                if not lst:
                    del w.db.blocking[k]
        if reply is not NO_REPLY and not client.closing:
            out = []
            encode_into(out, reply, client.resp3)
            self.deliver(client, b"".join(out))
        if client.deferred and self.call_later is not None:
            self.call_later(0, lambda: self.resume(client))

    def _block_timeout(self, w):
        client = w.client
        if client.blocked is not w:
            return
        w.timer = None
        reply = w.on_timeout() if w.on_timeout else None
        from ..protocol import NULL_ARRAY
        self.unblock(client, NULL_ARRAY if reply is None else reply)
        self.flush_pending()

    def handle_ready_keys(self):
        """Serve clients blocked on keys that got data, in arrival order."""
        while self.ready_keys:
            ready, self.ready_keys = self.ready_keys, []
            seen = set()
            for db, key in ready:
                if (db.id, key) in seen:
                    continue
                seen.add((db.id, key))
                waiters = db.blocking.get(key)
                if not waiters:
                    continue
                for w in list(waiters):
                    if w.client.blocked is not w:
                        continue
                    # a deleted key serves only waiters that want to hear of it
                    # (XREADGROUP replies -UNBLOCKED)
                    if db.get(key) is None and not getattr(w.retry, "serve_missing_key", False):
                        continue
                    client = w.client
                    # re-run the blocked command as this client
                    client.blocked = None
                    saved_db = client.db
                    client.db = db
                    dirty = self.dirty
                    prev = self.executing
                    self.executing = client
                    self.ready_key = key        # served from this key only, as Redis does
                    try:
                        reply = w.retry()
                    except ReplyError as e:
                        e.__traceback__ = None
                        reply = e
                    finally:
                        self.executing = prev
                    override = client.propagate_override
                    if override is not None or self.dirty != dirty:
                        # (a served BLPOP changes no counter in Redis 7.0, yet it
                        # is propagated: the override alone says it wrote)
                        client.propagate_override = None
                        if db.watched:
                            db.touch(key)
                        for db_index, args in override or ():
                            self.propagate(db_index, args)
                    client.db = saved_db
                    client.blocked = w
                    if reply is not NO_REPLY:
                        self.unblock(client, reply)

    # -- keyspace notifications and publishing ------------------------------
    def _config_changed(self, name, value):
        self._hot_global = None
        if name == "maxmemory":
            self.maxmemory = value
        elif name == "slowlog-log-slower-than":
            self.slow_ns = math.inf if value < 0 else value * 1000
        elif name == "slowlog-max-len":
            while len(self.slowlog) > value:
                self.slowlog.pop()
        elif name == "appendonly":
            if self.aof_file is not None:
                self.aof_file.set_enabled(value)
        elif name == "latency-monitor-threshold":
            self.latency_ms = value
        elif name == "client-output-buffer-limit":
            # a batch whose replies pass this many bytes checks the limits
            # (process_batch): one read can ask for far more than a limit
            self.out_check = self.smallest_output_limit() or math.inf
        elif name == "notify-keyspace-events":
            flags = set(value)
            if "A" in flags:
                flags.update("g$lshzxet")
            self.notify_flags = "".join(sorted(flags))

    def notify(self, db, cls, event, key):
        """A keyspace event of class ``cls`` (one of NOTIFY_CLASSES)."""
        flags = self.notify_flags
        if not flags or cls not in flags:
            return
        ev = event.encode() if isinstance(event, str) else event
        if "K" in flags:
            self.publish(b"__keyspace@%d__:%s" % (db.id, key), ev)
        if "E" in flags:
            self.publish(b"__keyevent@%d__:%s" % (db.id, ev), key)

    def publish(self, channel, message):
        """Deliver a message; returns the number of receivers."""
        from ..protocol.types import Push
        n = 0
        subs = self.channels.get(channel)
        if subs:
            for c in subs:
                self._push(c, Push([b"message", channel, message]))
                n += 1
        if self.patterns:
            from ..util import glob_match
            for pat, clients in self.patterns.items():
                if glob_match(pat, channel):
                    for c in clients:
                        self._push(c, Push([b"pmessage", pat, channel, message]))
                        n += 1
        return n

    def _push(self, client, msg):
        out = []
        encode_into(out, msg, client.resp3)
        self.deliver(client, b"".join(out))

    # -- periodic work -------------------------------------------------------
    def cron(self):
        """Run by the I/O adapter ``hz`` times a second."""
        self.active_expire_cycle(0.25 / self.config["hz"])
        self._cron_ticks = getattr(self, "_cron_ticks", 0) + 1
        if self._cron_ticks % self.config["hz"] == 0:
            self.compact_memory()
        for ext in self.extensions:
            hook = getattr(ext, "cron", None)
            if hook is not None:
                hook()
        timeout = self.config["timeout"]
        if timeout:
            now = time.time()
            for c in list(self.clients.values()):
                if (c.blocked is None and not c.subscriptions and not c.psubscriptions
                        and not c.ssubscriptions
                        and now - c.last_interaction > timeout):
                    c.closing = True
                    c.close()
        self.flush_pending()

    def compact_memory(self):
        """Give memory back once a database has shrunk a lot (mass expiry or
        deletion): Python dicts never shrink by themselves, and the C
        allocator keeps freed pages unless asked to trim."""
        shrunk = False
        for db in self.dbs:
            n = len(db.data)
            high = db.high_water
            if n > high:
                db.high_water = n
            elif high > 10000 and n < high // 4:
                db.data = dict(db.data)
                db.expires = dict(db.expires)
                db._expire_keys = []
                db._expire_pos = 0
                db.high_water = n
                shrunk = True
        if shrunk:
            _malloc_trim()

    def memory_used(self):
        """An estimate of the memory held by the dataset process (RSS)."""
        try:
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            import resource
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class _Paused:
    """execute()'s answer for a command held by CLIENT PAUSE."""
    __slots__ = ()


PAUSED = _Paused()


class Waiter:
    """A client blocked on keys."""
    __slots__ = ("client", "keys", "retry", "on_timeout", "timer", "db")

    def __init__(self, client, keys, retry, on_timeout):
        self.client = client
        self.keys = keys
        self.retry = retry
        self.on_timeout = on_timeout
        self.timer = None
        self.db = None


def _malloc_trim():
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def python_info():
    return "%d.%d.%d" % sys.version_info[:3]
