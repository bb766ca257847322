"""The asyncio I/O adapter (uvloop when installed).

Thin by design: a ``Protocol`` per connection feeds the bytes of each read to
the sans-IO parser, hands the complete requests to the engine as one batch
and writes all their replies back in one ``transport.write``.
"""
import asyncio
import logging
import os
import socket
from time import time as _time

from ..engine.core import Engine
from ..protocol import make_parser
from . import finish_shutdown, protocol_error

log = logging.getLogger("redlet")


class RedisProtocol(asyncio.Protocol):
    __slots__ = ("server", "engine", "transport", "client", "parser", "closed", "auth",
                 "queued", "backlogged")

    def __init__(self, server):
        self.server = server
        self.engine = server.engine
        self.transport = None
        self.client = None
        self.parser = None
        self.closed = False
        self.auth = None
        self.queued = None       # replies waiting for the AOF write (list of bytes)
        # output piles up in the transport (the peer does not read): from
        # then on every write checks client-output-buffer-limit
        self.backlogged = False

    def connection_made(self, transport):
        self.transport = transport
        engine = self.engine
        sock = transport.get_extra_info("socket")
        peer = transport.get_extra_info("peername")
        local = transport.get_extra_info("sockname")
        unix = sock is not None and sock.family == getattr(socket, "AF_UNIX", None)
        if unix:
            addr, laddr = "%s:0" % (local or ""), "%s:0" % (local or "")
        else:
            addr = "%s:%s" % (peer[0], peer[1]) if peer else "?"
            laddr = "%s:%s" % (local[0], local[1]) if local else "?"
            if sock is not None:
                try:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    ka = engine.config["tcp-keepalive"]
                    if ka:
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
                        if hasattr(socket, "TCP_KEEPIDLE"):
                            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, ka)
                            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL,
                                            max(1, ka // 3))
                            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
                except OSError:
                    pass
        fd = sock.fileno() if sock is not None else -1
        # pause_writing is our cue to check the output limits: asyncio's
        # default (64 KiB) unless a limit is smaller
        low = engine.smallest_output_limit()
        if 0 < low < 65536:
            transport.set_write_buffer_limits(high=low, low=low // 2)
        self.client = engine.new_client(self._send, self._close, addr, laddr, fd, unix)
        self.parser = make_parser(engine.config["proto-max-bulk-len"],
                                  engine.config["client-query-buffer-limit"])
        self.client.parser = self.parser
        self.auth = self.parser.authenticated = self.client.authenticated
        for ext in engine.extensions:
            hook = getattr(ext, "client_connected", None)
            if hook is not None:
                err = hook(self.client)
                if err is not None:
                    transport.write(err)
                    self._close()
                    return
        err = engine.admission_error(self.client)
        if err is not None:
            transport.write(err)
            self._close()

    def data_received(self, data):
        client = self.client
        if client.closing:
            return
        engine = self.engine
        engine.net_input_bytes += len(data)
        reqs, err = self.parser.feed(data)
        client.last_interaction = _time()
        if client.blocked is not None or client.paused is not None:
            if reqs:
                client.deferred = (client.deferred or []) + reqs
            out = b""
        else:
            out = engine.process_batch(client, reqs) if reqs else b""
        auth = client.authenticated
        if auth is not self.auth:
            # the parser applies tighter limits to unauthenticated clients
            self.auth = auth
            self.parser.authenticated = auth
        if err is not None:
            out += protocol_error(client, err)
        aof = engine.aof
        if aof is not None and aof.buf:
            # replies go out after the append-only file has the writes: once
            # per loop iteration for every client (group commit)
            self.server.schedule_flush()
            if out:
                engine.net_output_bytes += len(out)
                self._queue(out)
        elif out:
            engine.net_output_bytes += len(out)
            if self.queued is not None:
                self.queued.append(out)
            else:
                self.transport.write(out)
                if self.backlogged:
                    self._check_output_limits()
        if client.closing:
            if self.queued is not None:
                self.server.flush_writes()
            self._close()

    def _queue(self, data):
        if self.queued is None:
            self.queued = [data]
            self.server.queue_write(self)
        else:
            self.queued.append(data)

    def _send(self, data):
        if not self.closed:
            self.engine.net_output_bytes += len(data)
            if self.queued is not None:
                self.queued.append(data)
            else:
                self.transport.write(data)
                if self.backlogged:
                    self._check_output_limits()

    def _check_output_limits(self):
        """Close the connection at once (its pending output dropped) when the
        client passed its class' client-output-buffer-limit."""
        pending = self.transport.get_write_buffer_size()
        if self.queued:
            pending += sum(map(len, self.queued))
        if self.engine.output_limit_reached(self.client, pending):
            self.closed = True
            self.client.closing = True
            self.queued = None
            self.transport.abort()

    def _close(self):
        if not self.closed:
            self.closed = True
            if self.client is not None:
                self.client.closing = True
            self.transport.close()

    def connection_lost(self, exc):
        self.closed = True
        if self.client is not None:
            self.engine.client_gone(self.client)

    def pause_writing(self):
        self.backlogged = True
        if not self.closed and self.client is not None:
            self._check_output_limits()

    def resume_writing(self):
        self.backlogged = False
        if self.client is not None:
            self.client.output_bytes = self.transport.get_write_buffer_size()
            self.client.soft_limit_since = None


class Server:
    """A redlet server bound to its listeners, running on an asyncio loop."""

    def __init__(self, config, engine=None, any_port=False):
        """``any_port``: with port 0, listen on a port the OS picks (embedding)
        instead of Redis' meaning of 0, "no TCP listener"."""
        self.config = config
        self.any_port = any_port
        self.engine = engine or Engine(config)
        self.servers = []
        self.loop = None
        self._cron_handle = None
        self._stopped = None
        self.ports = []
        self.tls_ports = []
        self._writes = []        # protocols with replies queued behind the AOF
        self._flush_scheduled = False

    async def start(self):
        self.loop = asyncio.get_running_loop()
        loop = self.loop
        engine = self.engine
        engine.call_later = self._call_later
        engine.defer_aof_flush = True     # flush_writes writes it once per iteration
        self._stopped = asyncio.Event()
        cfg = self.config
        port = cfg["port"]
        if port or self.any_port:
            ports = await self._listen(port)
            if port == 0 and ports:
                cfg.values["port"] = ports[0]
        if cfg["tls-port"]:
            from .tls import server_context
            self.tls_ports = await self._listen(cfg["tls-port"], server_context(cfg))
        path = cfg["unixsocket"]
        if path:
            if os.path.exists(path):
                os.unlink(path)
            srv = await loop.create_unix_server(lambda: RedisProtocol(self), path)
            perm = cfg["unixsocketperm"]
            if perm:
                os.chmod(path, int(str(perm), 8))
            self.servers.append(srv)
        for ext in engine.extensions:
            hook = getattr(ext, "server_started", None)
            if hook is not None:
                hook(self)
        self._schedule_cron()
        engine.shutdown_requested = self.request_stop

    async def _listen(self, port, ssl=None):
        """Listen on ``port`` at every ``bind`` address (``-addr``: optional);
        the ports bound."""
        bound = []
        addrs = [a for a in self.config["bind"].split() if a]
        for a in addrs:
            host = a.lstrip("-")
            try:
                srv = await self.loop.create_server(
                    lambda: RedisProtocol(self), host, port, reuse_address=True,
                    backlog=self.config["tcp-backlog"], ssl=ssl)
            except OSError as e:
                if a.startswith("-"):
                    continue
                raise OSError("Could not create server %sTCP listening socket %s:%d: %s"
                              % ("TLS " if ssl else "", host, port, e.strerror)) from None
            self.servers.append(srv)
            for sock in srv.sockets:
                bound.append(sock.getsockname()[1])
            if port == 0:
                port = bound[0]
        if ssl is None:
            self.ports.extend(bound)
        return bound

    def queue_write(self, proto):
        """``proto`` has replies that wait for the AOF: write them (after the
        AOF) at the end of this loop iteration."""
        self._writes.append(proto)

    def schedule_flush(self):
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.loop.call_soon(self.flush_writes)

    def flush_writes(self):
        self._flush_scheduled = False
        writes, self._writes = self._writes, []
        self.engine.flush_pending()          # the AOF first, then other output
        for proto in writes:
            data, proto.queued = proto.queued, None
            if data and not proto.closed:
                proto.transport.write(b"".join(data))
                if proto.backlogged:
                    proto._check_output_limits()

    def _call_later(self, delay, fn):
        def run():
            fn()
            self.engine.flush_pending()
        return self.loop.call_later(delay, run)

    def _schedule_cron(self):
        hz = self.config["hz"]
        self._cron_handle = self.loop.call_later(1.0 / hz, self._cron)

    def _cron(self):
        try:
            self.engine.cron()
        except Exception:
            log.exception("error in server cron")
        aof = self.engine.aof
        if aof is not None and aof.buf:          # expired keys' DELs, for instance
            self.schedule_flush()
        if not self._stopped.is_set():
            self._schedule_cron()

    def request_stop(self):
        if self._stopped is not None:
            self.loop.call_soon_threadsafe(self._stopped.set)

    async def serve_until_stopped(self):
        await self._stopped.wait()
        await self.close()

    async def close(self):
        if self._cron_handle is not None:
            self._cron_handle.cancel()
        for srv in self.servers:
            srv.close()
        for c in list(self.engine.clients.values()):
            c.closing = True
            c.close()
        for srv in self.servers:
            try:
                await asyncio.wait_for(srv.wait_closed(), 1.0)
            except (asyncio.TimeoutError, Exception):
                pass
        finish_shutdown(self.engine, self.config)


def new_event_loop():
    try:
        import uvloop
        return uvloop.new_event_loop()
    except ImportError:
        return asyncio.new_event_loop()
