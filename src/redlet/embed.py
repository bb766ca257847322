"""Running redlet inside a Python process.

``serve()`` starts a server in a background thread with its own event loop::

    with redlet.serve() as server:          # a free loopback port
        r = server.client()                 # a redis.Redis connected to it
        r.set("a", 1)

In a process monkey-patched by gevent, ``serve()`` runs the server on the
gevent hub as greenlets instead (``mode="gevent"``; ``mode="thread"`` forces
the thread).

``start_server()`` runs one on the caller's asyncio loop (no extra thread)::

    server = await redlet.start_server(port=0)
    ...
    await server.close()
"""
import asyncio
import threading

from .app import build_engine
from .config import Config, ConfigError


def make_config(port=0, unix_socket=None, data_dir=None, password=None, appendonly=None,
                **directives):
    """A Config for an embedded server; extra directives as ``name_with_underscores=value``."""
    cfg = Config()
    cfg.values["port"] = port
    cfg.values["bind"] = "127.0.0.1"
    cfg.values["save"] = []
    if unix_socket:
        cfg.values["unixsocket"] = str(unix_socket)
        if not port:
            cfg.values["port"] = 0
    if data_dir is not None:
        cfg.values["dir"] = str(data_dir)
        cfg.values["appendonly"] = True if appendonly is None else bool(appendonly)
    elif appendonly:
        cfg.values["appendonly"] = True
    if password:
        cfg.values["requirepass"] = password
    for name, value in directives.items():
        words = value if isinstance(value, (list, tuple)) else [
            ("yes" if value else "no") if isinstance(value, bool) else str(value)]
        directive = name.replace("_", "-")
        try:
            cfg.set_from_text(directive, [str(w) for w in words])
        except ConfigError as e:
            raise ConfigError("%s: '%s'" % (e, directive)) from None
    return cfg


def gevent_patched():
    """True in a process whose socket module gevent has monkey-patched."""
    try:
        from gevent import monkey
    except ImportError:
        return False
    return monkey.is_module_patched("socket")


class EmbeddedServer:
    """A redlet server running in a background thread, or on the gevent hub
    (``mode="gevent"``)."""

    def __init__(self, config, mode="thread"):
        if mode not in ("thread", "gevent"):
            raise ValueError("mode must be 'thread' or 'gevent'")
        self.mode = mode
        self.config = config
        self.server = None
        self.port = None
        self.unix_socket = config["unixsocket"] or None
        self._thread = None
        self._loop = None
        self._ready = threading.Event()
        self._error = None

    @property
    def engine(self):
        return self.server.engine

    @property
    def url(self):
        auth = (":%s@" % self.config["requirepass"]) if self.config["requirepass"] else ""
        if self.port:
            return "redis://%s127.0.0.1:%d/0" % (auth, self.port)
        return "unix://%s%s" % (auth, self.unix_socket)

    def start(self):
        if self.mode == "gevent":
            from .server.gevent_server import GeventServer
            self.server = GeventServer(self.config, build_engine(self.config),
                                       any_port=not self.unix_socket).start()
            self.port = self.server.ports[0] if self.server.ports else None
            return self
        from .server.asyncio_server import Server, new_event_loop
        self._loop = new_event_loop()

        def run():
            asyncio.set_event_loop(self._loop)
            try:
                self.server = Server(self.config, build_engine(self.config),
                                     any_port=not self.unix_socket)
                self._loop.run_until_complete(self.server.start())
                self.port = self.server.ports[0] if self.server.ports else None
            except BaseException as e:       # reported to the starting thread
                self._error = e
                self._ready.set()
                self._loop.close()
                return
            self._ready.set()
            try:
                self._loop.run_until_complete(self.server.serve_until_stopped())
            finally:
                self._loop.close()

        self._thread = threading.Thread(target=run, name="redlet-server", daemon=True)
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            self._thread.join()
            raise self._error
        return self

    def stop(self):
        """Stop serving, release the port and join the thread."""
        if self.mode == "gevent":
            if self.server is not None:
                self.server.stop()
                self.server = None
            return
        if self._thread is None:
            return
        if self.server is not None:
            self.server.request_stop()
        self._thread.join(30)
        self._thread = None

    def client(self, **kwargs):
        """A ``redis.Redis`` connected to this server."""
        import redis
        if self.port:
            return redis.Redis(host="127.0.0.1", port=self.port,
                               password=self.config["requirepass"] or None, **kwargs)
        return redis.Redis(unix_socket_path=self.unix_socket,
                           password=self.config["requirepass"] or None, **kwargs)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def serve(port=0, unix_socket=None, data_dir=None, password=None, mode=None, **directives):
    """Start an embedded server (see the module docstring); ``mode`` is
    ``"thread"`` or ``"gevent"``, by default gevent when it has patched the
    process."""
    if mode is None:
        mode = "gevent" if gevent_patched() else "thread"
    return EmbeddedServer(make_config(port, unix_socket, data_dir, password,
                                      **directives), mode).start()


async def start_server(port=0, unix_socket=None, data_dir=None, password=None, **directives):
    """Start a server on the running asyncio loop; ``await server.close()`` stops it."""
    from .server.asyncio_server import Server
    cfg = make_config(port, unix_socket, data_dir, password, **directives)
    server = Server(cfg, build_engine(cfg), any_port=not unix_socket)
    await server.start()
    server.port = server.ports[0] if server.ports else None
    return server
