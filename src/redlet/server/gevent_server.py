"""The gevent I/O adapter: redlet on the gevent hub, as greenlets.

For processes that are monkey-patched by gevent (gunicorn's gevent worker,
``gevent.pywsgi`` apps): the server shares the hub with the application
instead of running a second event loop in a thread.  Each connection is a
reader greenlet that feeds the sans-IO parser and hands complete requests
to the engine, plus a writer greenlet that drains the connection's output
(replies produced by other clients' commands, such as a pub/sub message or
an unblocked pop, are appended to it without blocking their producer).

The append-only file is written before a batch's replies are queued (the
engine flushes it itself: ``defer_aof_flush`` stays off), so an
acknowledged write is in the AOF as with the asyncio adapter.
"""
import logging
import os
import socket as _stdlib_socket
from time import time as _time

import gevent
import gevent.event
import gevent.server
import gevent.socket

from ..protocol import make_parser
from . import finish_shutdown, protocol_error

log = logging.getLogger("redlet")


class _Timer:
    """``engine.call_later``'s handle: a greenlet that can be cancelled."""
    __slots__ = ("greenlet",)

    def __init__(self, greenlet):
        self.greenlet = greenlet

    def cancel(self):
        self.greenlet.kill(block=False)


class Connection:
    """One client connection: a reader loop (the server's handler) and a
    writer greenlet."""

    def __init__(self, server, sock, address):
        self.server = server
        self.engine = server.engine
        self.sock = sock
        self.out = []
        self.wake = gevent.event.Event()
        self.closed = False
        self.client = None

    def run(self):
        engine = self.engine
        sock = self.sock
        unix = sock.family == getattr(_stdlib_socket, "AF_UNIX", None)
        try:
            if unix:
                local = sock.getsockname()
                addr = laddr = "%s:0" % (local or "")
            else:
                peer, local = sock.getpeername(), sock.getsockname()
                addr, laddr = "%s:%s" % peer[:2], "%s:%s" % local[:2]
                sock.setsockopt(_stdlib_socket.IPPROTO_TCP, _stdlib_socket.TCP_NODELAY, 1)
                if engine.config["tcp-keepalive"]:
                    sock.setsockopt(_stdlib_socket.SOL_SOCKET, _stdlib_socket.SO_KEEPALIVE, 1)
        except OSError:
            return
        client = self.client = engine.new_client(self.send, self.close, addr, laddr,
                                                 sock.fileno(), unix)
        parser = client.parser = make_parser(engine.config["proto-max-bulk-len"],
                                             engine.config["client-query-buffer-limit"])
        parser.authenticated = client.authenticated
        writer = gevent.spawn(self._write_loop)
        try:
            for ext in engine.extensions:
                hook = getattr(ext, "client_connected", None)
                if hook is not None:
                    err = hook(client)
                    if err is not None:
                        self.send(err)
                        self.close()
            err = engine.admission_error(client)
            if err is not None:
                self.send(err)
                self.close()
            while not self.closed and not client.closing:
                try:
                    data = sock.recv(65536)
                except OSError:
                    break
                if not data:
                    break
                self._received(client, parser, data)
        finally:
            self.closed = True
            self.wake.set()
            writer.join(5)
            writer.kill(block=False)
            engine.client_gone(client)
            try:
                sock.close()
            except OSError:
                pass

    def _received(self, client, parser, data):
        engine = self.engine
        engine.net_input_bytes += len(data)
        reqs, err = parser.feed(data)
        client.last_interaction = _time()
        if client.blocked is not None or client.paused is not None:
            if reqs:
                client.deferred = (client.deferred or []) + reqs
            out = b""
        else:
            out = engine.process_batch(client, reqs) if reqs else b""
        parser.authenticated = client.authenticated
        if err is not None:
            out += protocol_error(client, err)
        if out:
            self.send(out)
        if client.closing:
            self.close()

    def send(self, data):
        """Queue output; the writer greenlet sends it (never blocks the caller)."""
        if self.closed:
            return
        self.engine.net_output_bytes += len(data)
        self.out.append(data)
        self.wake.set()
        if len(self.out) > 1 and self.engine.output_limit_reached(
                self.client, sum(map(len, self.out))):
            self.out = []
            self.abort()

    def _write_loop(self):
        sock = self.sock
        while True:
            self.wake.wait()
            self.wake.clear()
            if self.out:
                data = b"".join(self.out)
                self.out = []
                try:
                    sock.sendall(data)
                except OSError:
                    self.abort()
                    return
            elif self.closed:
                return

    def close(self):
        """Close after the pending output is written."""
        if self.client is not None:
            self.client.closing = True
        if not self.closed:
            self.closed = True
            self.wake.set()
            gevent.spawn(self._close_after_flush)

    def _close_after_flush(self):
        deadline = _time() + 5
        while self.out and _time() < deadline:
            gevent.sleep(0.001)
        self.abort()

    def abort(self):
        self.closed = True
        if self.client is not None:
            self.client.closing = True
        try:
            self.sock.shutdown(_stdlib_socket.SHUT_RDWR)
        except OSError:
            pass


class GeventServer:
    """A redlet server whose listeners and clients are greenlets on the hub.

    ``start()`` binds and returns at once; ``stop()`` closes the listeners
    and the clients and runs the extensions' shutdown (AOF flush, save)."""

    def __init__(self, config, engine, any_port=False):
        self.config = config
        self.engine = engine
        self.any_port = any_port
        self.servers = []
        self.ports = []
        self.tls_ports = []
        self.connections = set()
        self._cron = None
        self.stopped = gevent.event.Event()

    def start(self):
        engine = self.engine
        engine.call_later = self._call_later
        engine.defer_aof_flush = False
        cfg = self.config
        port = cfg["port"]
        listeners = []
        if port or self.any_port:
            listeners += self._listen(port, self.ports)
            if port == 0 and self.ports:
                cfg.values["port"] = self.ports[0]
        tls = []
        if cfg["tls-port"]:
            from .tls import server_context
            context = server_context(cfg)
            tls = self._listen(cfg["tls-port"], self.tls_ports)
        path = cfg["unixsocket"]
        if path:
            if os.path.exists(path):
                os.unlink(path)
            sock = gevent.socket.socket(_stdlib_socket.AF_UNIX, _stdlib_socket.SOCK_STREAM)
            sock.bind(path)
            sock.listen(cfg["tcp-backlog"])
            if cfg["unixsocketperm"]:
                os.chmod(path, int(str(cfg["unixsocketperm"]), 8))
            listeners.append(sock)
        for sock in listeners:
            srv = gevent.server.StreamServer(sock, self._handle)
            srv.start()
            self.servers.append(srv)
        for sock in tls:
            srv = gevent.server.StreamServer(sock, self._handle, ssl_context=context)
            srv.start()
            self.servers.append(srv)
        for ext in engine.extensions:
            hook = getattr(ext, "server_started", None)
            if hook is not None:
                hook(self)
        self._cron = gevent.spawn(self._cron_loop)
        engine.shutdown_requested = self.request_stop
        return self

    def _listen(self, port, bound):
        """Listening sockets on ``port`` at every ``bind`` address
        (``-addr``: optional); their ports are appended to ``bound``."""
        socks = []
        for a in (a for a in self.config["bind"].split() if a):
            host = a.lstrip("-")
            try:
                family = _stdlib_socket.AF_INET6 if ":" in host else _stdlib_socket.AF_INET
                sock = gevent.socket.socket(family, _stdlib_socket.SOCK_STREAM)
                sock.setsockopt(_stdlib_socket.SOL_SOCKET, _stdlib_socket.SO_REUSEADDR, 1)
                sock.bind((host, port))
                sock.listen(self.config["tcp-backlog"])
            except OSError as e:
                if a.startswith("-"):
                    continue
                raise OSError("Could not create server TCP listening socket %s:%d: %s"
                              % (host, port, e.strerror)) from None
            socks.append(sock)
            bound.append(sock.getsockname()[1])
            if port == 0:
                port = bound[-1]
        return socks

    def _handle(self, sock, address):
        conn = Connection(self, sock, address)
        self.connections.add(conn)
        try:
            conn.run()
        finally:
            self.connections.discard(conn)

    def _call_later(self, delay, fn):
        def run():
            fn()
            self.engine.flush_pending()
        return _Timer(gevent.spawn_later(delay, run))

    def _cron_loop(self):
        period = 1.0 / self.config["hz"]
        while not self.stopped.is_set():
            gevent.sleep(period)
            try:
                self.engine.cron()
            except Exception:
                log.exception("error in server cron")

    def request_stop(self):
        """SHUTDOWN (from a client) or ``stop()``: stop in another greenlet."""
        if not self.stopped.is_set():
            gevent.spawn(self.stop)

    def serve_forever(self):
        self.stopped.wait()

    def stop(self):
        if self.stopped.is_set():
            return
        self.stopped.set()
        if self._cron is not None:
            self._cron.kill(block=False)
        for srv in self.servers:
            srv.close()                   # no new connections
        for c in list(self.engine.clients.values()):
            c.closing = True
            c.close()
        for srv in self.servers:
            srv.stop(timeout=1)           # joins (then kills) the handlers
        finish_shutdown(self.engine, self.config)
