"""A client session: the state one connection carries between commands.

The I/O adapter creates a ``Client`` per connection with two callbacks:
``send(bytes)`` writes to the connection at once (used for replies produced
outside the client's own batch: unblocked pops, pub/sub messages) and
``close()`` closes it after pending output is flushed.
"""
import time


class Client:
    __slots__ = (
        "id", "engine", "db", "resp3", "authenticated", "user", "name", "lib_name",
        "lib_ver", "addr", "laddr", "fd", "created", "last_interaction", "last_cmd",
        "multi", "multi_error", "watching", "watch_dirty", "subscriptions",
        "psubscriptions", "blocked", "send", "close", "closing", "out", "in_batch",
        "propagate_override", "flags", "parser", "unix_socket", "no_evict", "kind",
        "tracking", "output_bytes", "soft_limit_since", "in_script", "paused",
        "deferred", "pending_out", "in_exec", "ssubscriptions", "monitor", "reply_mode",
    )

    def __init__(self, engine, client_id, send=None, close=None, addr="", laddr="",
                 fd=-1, unix_socket=False):
        self.id = client_id
        self.engine = engine
        self.db = engine.dbs[0]
        self.resp3 = False
        self.authenticated = not engine.auth_required()
        self.user = "default"
        self.name = b""
        self.lib_name = b""
        self.lib_ver = b""
        self.addr = addr
        self.laddr = laddr
        self.fd = fd
        self.unix_socket = unix_socket
        now = time.time()
        self.created = now
        self.last_interaction = now
        self.last_cmd = "NULL"
        self.multi = None            # list of queued (cmd, argv) while in MULTI
        self.multi_error = False     # a command was rejected while queueing
        self.watching = {}           # (db, key) -> None
        self.watch_dirty = False
        # channel/pattern -> None: dicts keep the order of subscription
        # (PUNSUBSCRIBE without arguments goes in that order, as in Redis)
        self.subscriptions = {}
        self.psubscriptions = {}
        self.ssubscriptions = {}     # shard channels (SSUBSCRIBE)
        self.blocked = None          # a Waiter while blocked
        self.send = send or (lambda data: None)
        self.close = close or (lambda: None)
        self.closing = False
        self.out = None              # list collecting replies during a batch
        self.in_batch = False
        self.propagate_override = None
        self.flags = set()
        self.parser = None
        self.no_evict = False
        self.kind = "normal"
        self.monitor = False           # MONITOR: hears every command
        self.tracking = False
        self.output_bytes = 0
        self.soft_limit_since = None
        self.in_script = False
        self.paused = None           # True while held by CLIENT PAUSE
        self.reply_mode = 0          # CLIENT REPLY: 0 ON, 1 OFF, 2 SKIP this, 3 SKIP next
        self.deferred = None         # requests held while blocked or paused
        self.pending_out = None      # output produced by other clients' commands
        self.in_exec = False         # running the commands of EXEC

    @property
    def db_index(self):
        return self.db.id

    @property
    def subscribed(self):
        """Subscribed to a channel, pattern or shard channel (pub/sub client)."""
        return bool(self.subscriptions or self.psubscriptions or self.ssubscriptions)

    def subscribed_count(self):
        return len(self.subscriptions) + len(self.psubscriptions)

    def info_line(self):
        """A line of CLIENT LIST / CLIENT INFO."""
        now = time.time()
        # Redis' letters, in its order
        flags = "O" if self.monitor else ""
        if self.subscriptions or self.psubscriptions or self.ssubscriptions:
            flags += "P"
        if self.multi is not None:
            flags += "x"
        if self.blocked is not None:
            flags += "b"
        if self.watch_dirty:
            flags += "d"
        flags = flags or "N"
        return (
            "id=%d addr=%s laddr=%s fd=%d name=%s age=%d idle=%d flags=%s db=%d sub=%d "
            "psub=%d ssub=%d multi=%d qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=1024 "
            "rbp=0 obl=0 oll=0 omem=%d tot-mem=1024 events=r cmd=%s user=%s redir=-1 "
            "resp=%d lib-name=%s lib-ver=%s" % (
                self.id, self.addr, self.laddr, self.fd,
                self.name.decode("utf-8", "replace"), int(now - self.created),
                int(now - self.last_interaction), flags, self.db.id,
                len(self.subscriptions), len(self.psubscriptions), len(self.ssubscriptions),
                len(self.multi) if self.multi is not None else -1, self.output_bytes,
                self.last_cmd,
                self.user, 3 if self.resp3 else 2,
                self.lib_name.decode("utf-8", "replace"),
                self.lib_ver.decode("utf-8", "replace"))
        )
