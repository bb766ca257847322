"""The blocking client: connections, a thread-safe pool, commands, pipelines.

Only ``socket`` and ``threading`` are used, so gevent's monkey-patching makes
the client cooperative as it is.  Every command checks a connection out of
the pool (an idle one, or a new one), uses it alone, and puts it back: one
connection per thread or greenlet while a command is in flight.  A command
that fails on a *reused* idle connection before any reply byte arrived (the
server restarted, an idle timeout closed it) is retried once on a fresh
connection; a timeout, a protocol error, or a failure after part of the
reply was read is raised (the command may have run).

Values and replies are encoded and decoded by ``reply`` (see its docstring
for how native values map to RESP3).
"""
import datetime
import os
import socket
import threading
import time
from collections import deque
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union
from urllib.parse import parse_qs, unquote, urlparse

from .reply import (NEED_DATA, ConnectionError, ProtocolError, Push, ReplyParser,
                    ResponseError, TimeoutError, encode_request)

KeyT = Union[str, bytes, int]
ExpiryT = Union[int, datetime.timedelta]
AbsExpiryT = Union[int, datetime.datetime]

__all__ = ["Client", "Pipeline", "ConnectionPool", "Connection", "Commands"]


# -- reply callbacks ----------------------------------------------------------------
def _ok(r) -> bool:
    return r == "OK" or r == b"OK"


def _ok_or_none(r) -> Optional[bool]:
    return None if r is None else True


def _bool(r) -> bool:
    return bool(r)


def _float(r) -> Optional[float]:
    return None if r is None else float(r)


def _text(r):
    return r.decode("utf-8", "replace") if type(r) is bytes else r


def _pong(r) -> bool:
    return r == "PONG" or r == b"PONG"


def _scan(r):
    return int(r[0]), r[1]


def _info_value(v: str):
    try:
        return int(v)
    except ValueError:
        pass
    try:
        return float(v)
    except ValueError:
        pass
    if "=" in v and "," in v or v.count("=") == 1:
        out = {}
        for part in v.split(","):
            k, _, x = part.partition("=")
            out[k] = _info_value(x)
        return out
    return v


def parse_info(r) -> Dict[str, Any]:
    """INFO text as a flat dict (numbers converted, ``db0:keys=1,...`` as dicts)."""
    text = r.decode("utf-8", "replace") if isinstance(r, bytes) else r
    info = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        k, sep, v = line.partition(":")
        if sep:
            info[k] = _info_value(v)
    return info


def _seconds(t: ExpiryT) -> int:
    return int(t.total_seconds()) if isinstance(t, datetime.timedelta) else t


def _millis(t: ExpiryT) -> int:
    if isinstance(t, datetime.timedelta):
        return t.days * 86400000 + t.seconds * 1000 + t.microseconds // 1000
    return t


def _unix(t: AbsExpiryT, ms: bool = False) -> int:
    if isinstance(t, datetime.datetime):
        s = t.timestamp()
        return int(s * 1000) if ms else int(s)
    return t


def _flatten_keys(keys, args) -> list:
    if isinstance(keys, (list, tuple)):
        return [*keys, *args]
    return [keys, *args]


def _pairs(args) -> list:
    """MSET-style arguments: a dict, an iterable of pairs, or k, v, k, v..."""
    if len(args) == 1:
        m = args[0]
        items = m.items() if isinstance(m, dict) else m
        flat = []
        for k, v in items:
            flat.append(k)
            flat.append(v)
    else:
        if len(args) % 2:
            raise ValueError("expected key, value pairs, got %d arguments" % len(args))
        flat = list(args)
    if not flat:
        raise ValueError("at least one key, value pair is required")
    return flat


def _odd(argc):
    return range(2, argc, 2)


# -- the commands, shared by the client, the pipeline and the asyncio client ---------
class Commands:
    """Redis commands named as in redis-py.  Each returns what ``_command``
    returns: the decoded reply (Client), the pipeline itself (Pipeline), or
    an awaitable (AsyncClient)."""

    def _command(self, args: Sequence, callback: Optional[Callable] = None,
                 typed: Iterable[int] = ()):
        raise NotImplementedError

    def execute_command(self, *args):
        """Send any command.  Arguments are plain strings (str, bytes, int,
        float); wrap a native value in ``Typed`` to send it typed."""
        return self._command(args)

    # strings
    def get(self, name: KeyT):
        """The value of ``name``, or None."""
        return self._command(("GET", name))

    def set(self, name: KeyT, value: Any, ex: Optional[ExpiryT] = None,
            px: Optional[ExpiryT] = None, nx: bool = False, xx: bool = False,
            keepttl: bool = False, get: bool = False, exat: Optional[AbsExpiryT] = None,
            pxat: Optional[AbsExpiryT] = None):
        """Store ``value`` (a native value).  True, or None when NX/XX prevented
        it; with ``get=True`` the previous value instead."""
        args = ["SET", name, value]
        if ex is not None:
            args += ("EX", _seconds(ex))
        if px is not None:
            args += ("PX", _millis(px))
        if exat is not None:
            args += ("EXAT", _unix(exat))
        if pxat is not None:
            args += ("PXAT", _unix(pxat, ms=True))
        if keepttl:
            args.append("KEEPTTL")
        if nx:
            args.append("NX")
        if xx:
            args.append("XX")
        if get:
            args.append("GET")
        return self._command(args, None if get else _ok_or_none, (2,))

    def mget(self, keys, *args) -> List[Any]:
        """Values of the keys (None for missing ones); keys as a list or arguments."""
        return self._command(["MGET", *_flatten_keys(keys, args)])

    def mset(self, *args) -> bool:
        """``mset({k: v})``, ``mset([(k, v), ...])`` or ``mset(k, v, k, v...)``."""
        flat = _pairs(args)
        return self._command(["MSET", *flat], _ok, _odd(len(flat) + 1))

    def msetnx(self, *args) -> bool:
        """As ``mset`` when none of the keys exists; True if it stored them."""
        flat = _pairs(args)
        return self._command(["MSETNX", *flat], _bool, _odd(len(flat) + 1))

    def getset(self, name: KeyT, value: Any):
        return self._command(("GETSET", name, value), None, (2,))

    def getdel(self, name: KeyT):
        return self._command(("GETDEL", name))

    def getex(self, name: KeyT, ex: Optional[ExpiryT] = None, px: Optional[ExpiryT] = None,
              exat: Optional[AbsExpiryT] = None, pxat: Optional[AbsExpiryT] = None,
              persist: bool = False):
        args = ["GETEX", name]
        if ex is not None:
            args += ("EX", _seconds(ex))
        if px is not None:
            args += ("PX", _millis(px))
        if exat is not None:
            args += ("EXAT", _unix(exat))
        if pxat is not None:
            args += ("PXAT", _unix(pxat, ms=True))
        if persist:
            args.append("PERSIST")
        return self._command(args)

    def setnx(self, name: KeyT, value: Any) -> bool:
        return self._command(("SETNX", name, value), _bool, (2,))

    def setex(self, name: KeyT, time: ExpiryT, value: Any) -> bool:
        return self._command(("SETEX", name, _seconds(time), value), _ok, (3,))

    def psetex(self, name: KeyT, time_ms: ExpiryT, value: Any) -> bool:
        return self._command(("PSETEX", name, _millis(time_ms), value), _ok, (3,))

    def append(self, key: KeyT, value: Union[str, bytes, int, float]) -> int:
        """Append to a plain string (``value`` is sent as its bytes, unmarked)."""
        return self._command(("APPEND", key, value))

    def strlen(self, name: KeyT) -> int:
        return self._command(("STRLEN", name))

    def incr(self, name: KeyT, amount: int = 1) -> int:
        return self._command(("INCRBY", name, amount))

    incrby = incr

    def decr(self, name: KeyT, amount: int = 1) -> int:
        return self._command(("DECRBY", name, amount))

    decrby = decr

    def incrbyfloat(self, name: KeyT, amount: float = 1.0) -> float:
        return self._command(("INCRBYFLOAT", name, amount), _float)

    # keys
    def exists(self, *names: KeyT) -> int:
        return self._command(("EXISTS", *names))

    def delete(self, *names: KeyT) -> int:
        """Remove the keys; the number removed."""
        return self._command(("DEL", *names))

    def unlink(self, *names: KeyT) -> int:
        return self._command(("UNLINK", *names))

    def type(self, name: KeyT) -> str:
        return self._command(("TYPE", name), _text)

    def keys(self, pattern: KeyT = "*") -> list:
        return self._command(("KEYS", pattern))

    def scan(self, cursor: int = 0, match: Optional[KeyT] = None, count: Optional[int] = None,
             _type: Optional[str] = None) -> Tuple[int, list]:
        args = ["SCAN", cursor]
        if match is not None:
            args += ("MATCH", match)
        if count is not None:
            args += ("COUNT", count)
        if _type is not None:
            args += ("TYPE", _type)
        return self._command(args, _scan)

    def expire(self, name: KeyT, time: ExpiryT, nx: bool = False, xx: bool = False,
               gt: bool = False, lt: bool = False) -> bool:
        return self._command(("EXPIRE", name, _seconds(time), *_expire_flags(nx, xx, gt, lt)),
                             _bool)

    def pexpire(self, name: KeyT, time: ExpiryT, nx: bool = False, xx: bool = False,
                gt: bool = False, lt: bool = False) -> bool:
        return self._command(("PEXPIRE", name, _millis(time), *_expire_flags(nx, xx, gt, lt)),
                             _bool)

    def expireat(self, name: KeyT, when: AbsExpiryT, nx: bool = False, xx: bool = False,
                 gt: bool = False, lt: bool = False) -> bool:
        return self._command(("EXPIREAT", name, _unix(when), *_expire_flags(nx, xx, gt, lt)),
                             _bool)

    def pexpireat(self, name: KeyT, when: AbsExpiryT, nx: bool = False, xx: bool = False,
                  gt: bool = False, lt: bool = False) -> bool:
        return self._command(("PEXPIREAT", name, _unix(when, ms=True),
                              *_expire_flags(nx, xx, gt, lt)), _bool)

    def ttl(self, name: KeyT) -> int:
        return self._command(("TTL", name))

    def pttl(self, name: KeyT) -> int:
        return self._command(("PTTL", name))

    def persist(self, name: KeyT) -> bool:
        return self._command(("PERSIST", name), _bool)

    def rename(self, src: KeyT, dst: KeyT) -> bool:
        return self._command(("RENAME", src, dst), _ok)

    def renamenx(self, src: KeyT, dst: KeyT) -> bool:
        return self._command(("RENAMENX", src, dst), _bool)

    # server and connection
    def dbsize(self) -> int:
        return self._command(("DBSIZE",))

    def flush(self) -> int:
        """redlet's FLUSH: empty the current database; how many keys it held."""
        return self._command(("FLUSH",))

    def flushdb(self, asynchronous: bool = False) -> bool:
        return self._command(("FLUSHDB", "ASYNC") if asynchronous else ("FLUSHDB",), _ok)

    def flushall(self, asynchronous: bool = False) -> bool:
        return self._command(("FLUSHALL", "ASYNC") if asynchronous else ("FLUSHALL",), _ok)

    def ping(self) -> bool:
        return self._command(("PING",), _pong)

    def echo(self, value: Union[str, bytes]):
        return self._command(("ECHO", value))

    def info(self, section: Optional[str] = None) -> Dict[str, Any]:
        return self._command(("INFO", section) if section else ("INFO",), parse_info)


def _expire_flags(nx, xx, gt, lt):
    return [f for f, on in (("NX", nx), ("XX", xx), ("GT", gt), ("LT", lt)) if on]


# -- connections ----------------------------------------------------------------------
class Connection:
    """One socket to the server, RESP3 after ``HELLO 3``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 6379, db: int = 0,
                 password: Optional[str] = None, username: Optional[str] = None,
                 socket_timeout: Optional[float] = None,
                 unix_socket_path: Optional[str] = None, decode: bool = True,
                 max_pushes: int = 1000):
        self.host = host
        self.port = port
        self.db = db
        self.password = password
        self.username = username
        self.socket_timeout = socket_timeout
        self.unix_socket_path = unix_socket_path
        self.decode = decode
        self.sock: Optional[socket.socket] = None
        self.parser: Optional[ReplyParser] = None
        self.read_since_send = 0
        self.pushes = deque(maxlen=max_pushes)   # out-of-band messages seen meanwhile

    def __repr__(self):
        where = self.unix_socket_path or "%s:%d" % (self.host, self.port)
        return "<Connection %s db=%d %s>" % (where, self.db,
                                            "open" if self.sock else "closed")

    def connect(self) -> None:
        """Open the socket and say HELLO 3 (with AUTH), then SELECT the db."""
        self.disconnect()
        try:
            if self.unix_socket_path:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(self.socket_timeout)
                sock.connect(self.unix_socket_path)
            else:
                sock = socket.create_connection((self.host, self.port), self.socket_timeout)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(self.socket_timeout)
        except socket.timeout:
            raise TimeoutError("timeout connecting to %s" % self._where()) from None
        except OSError as e:
            raise ConnectionError("error connecting to %s: %s" % (self._where(), e)) from None
        self.sock = sock
        self.parser = ReplyParser(decode=self.decode)
        hello = ["HELLO", 3]
        if self.password is not None:
            hello += ("AUTH", self.username or "default", self.password)
        requests = [encode_request(hello)]
        if self.db:
            requests.append(encode_request(("SELECT", self.db)))
        try:
            self.send(b"".join(requests))
            replies = [self.read_reply() for _ in requests]
        except BaseException:
            self.disconnect()
            raise
        for r in replies:
            if isinstance(r, ResponseError):
                self.disconnect()
                raise r

    def _where(self):
        return self.unix_socket_path or "%s:%d" % (self.host, self.port)

    def disconnect(self) -> None:
        sock, self.sock = self.sock, None
        self.parser = None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    def send(self, data: bytes) -> None:
        if self.sock is None:
            self.connect()
        self.read_since_send = 0
        try:
            self.sock.sendall(data)
        except socket.timeout:
            self.disconnect()
            raise TimeoutError("timeout writing to %s" % self._where()) from None
        except OSError as e:
            self.disconnect()
            raise ConnectionError("error writing to %s: %s" % (self._where(), e)) from None

    def read_reply(self):
        """The next reply that is not a push message (errors returned, not raised)."""
        parser = self.parser
        while True:
            r = parser.get()
            if r is NEED_DATA:
                try:
                    data = self.sock.recv(65536)
                except socket.timeout:
                    self.disconnect()
                    raise TimeoutError("timeout reading from %s" % self._where()) from None
                except OSError as e:
                    self.disconnect()
                    raise ConnectionError("error reading from %s: %s"
                                          % (self._where(), e)) from None
                if not data:
                    self.disconnect()
                    raise ConnectionError("connection closed by %s" % self._where())
                self.read_since_send += len(data)
                parser.feed(data)
                continue
            if type(r) is Push:
                self.pushes.append(r)
                continue
            return r


class ConnectionPool:
    """Idle connections shared by threads (or greenlets); thread-safe."""

    def __init__(self, max_connections: Optional[int] = None, **connection_kwargs):
        self.connection_kwargs = connection_kwargs
        self.max_connections = max_connections
        self._lock = threading.Lock()
        self._idle: List[Connection] = []
        self._created = 0
        self._pid = os.getpid()

    @property
    def db(self) -> int:
        return self.connection_kwargs.get("db", 0)

    def _check_fork(self):
        if self._pid != os.getpid():          # a forked child must not share sockets
            with self._lock:
                if self._pid != os.getpid():
                    self._idle = []
                    self._created = 0
                    self._pid = os.getpid()

    def get_connection(self) -> Tuple[Connection, bool]:
        """A connection to use alone, and whether it was idle (reused)."""
        self._check_fork()
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
            if self.max_connections is not None and self._created >= self.max_connections:
                raise ConnectionError("too many connections (%d)" % self.max_connections)
            self._created += 1
        conn = Connection(**self.connection_kwargs)
        try:
            conn.connect()
        except BaseException:
            with self._lock:
                self._created -= 1
            raise
        return conn, False

    def release(self, conn: Connection) -> None:
        """Give a connection back (a closed one, or one on another db, is dropped)."""
        if conn.sock is None or conn.db != self.db or self._pid != os.getpid():
            conn.disconnect()
            with self._lock:
                self._created -= 1
            return
        with self._lock:
            self._idle.append(conn)

    def set_db(self, db: int) -> None:
        self.connection_kwargs["db"] = db
        self.disconnect()

    def disconnect(self) -> None:
        """Close the idle connections (those in use close when given back)."""
        with self._lock:
            idle, self._idle = self._idle, []
            self._created -= len(idle)
        for c in idle:
            c.disconnect()


# -- the client -----------------------------------------------------------------------
class Client(Commands):
    """A redlet (or Redis) client speaking RESP3 with native values.

    >>> c = Client(port=6379)
    >>> c.set("k", {"a": [1, 2.5, None]})
    True
    >>> c.get("k")
    {'a': [1, 2.5, None]}
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 6379, db: int = 0,
                 password: Optional[str] = None, username: Optional[str] = None,
                 socket_timeout: Optional[float] = None,
                 unix_socket_path: Optional[str] = None, decode: bool = True,
                 max_connections: Optional[int] = None):
        self.decode = decode
        self.pool = ConnectionPool(
            max_connections=max_connections, host=host, port=port, db=db, password=password,
            username=username, socket_timeout=socket_timeout,
            unix_socket_path=unix_socket_path, decode=decode)

    @classmethod
    def from_url(cls, url: str, **kwargs) -> "Client":
        """``redis://[[user]:password@]host[:port][/db]`` or
        ``unix://[[user]:password@]/path/to.sock[?db=N]``; query arguments
        ``db``, ``socket_timeout``, ``decode``; keyword arguments win."""
        u = urlparse(url)
        opts: Dict[str, Any] = {}
        if u.username:
            opts["username"] = unquote(u.username)
        if u.password is not None:
            opts["password"] = unquote(u.password)
        q = {k: v[-1] for k, v in parse_qs(u.query).items()}
        if u.scheme == "unix":
            opts["unix_socket_path"] = unquote(u.path)
        elif u.scheme == "redis":
            if u.hostname:
                opts["host"] = unquote(u.hostname)
            if u.port:
                opts["port"] = u.port
            path = u.path.strip("/")
            if path:
                try:
                    opts["db"] = int(path)
                except ValueError:
                    raise ValueError("invalid database number in %r" % url) from None
        else:
            raise ValueError("unsupported URL scheme %r (redis:// or unix://)" % u.scheme)
        if "db" in q:
            opts["db"] = int(q["db"])
        if "socket_timeout" in q:
            opts["socket_timeout"] = float(q["socket_timeout"])
        if "decode" in q:
            opts["decode"] = q["decode"].lower() not in ("0", "false", "no")
        opts.update(kwargs)
        return cls(**opts)

    def __repr__(self):
        kw = self.pool.connection_kwargs
        where = kw.get("unix_socket_path") or "%s:%d" % (kw["host"], kw["port"])
        return "<redlet.Client %s db=%d>" % (where, kw["db"])

    @property
    def db(self) -> int:
        return self.pool.db

    # transport
    def _command(self, args, callback=None, typed=()):
        data = encode_request(args, typed, self.decode)    # TypeError before anything is sent
        reply = self._round_trip(data, 1)[0]
        if type(reply) is ResponseError:
            raise reply
        return reply if callback is None else callback(reply)

    def _round_trip(self, data: bytes, count: int, keep: bool = True) -> list:
        """Send ``data`` (``count`` commands) on one connection, read ``count`` replies."""
        conn, reused = self.pool.get_connection()
        try:
            try:
                conn.send(data)
                replies = [conn.read_reply() for _ in range(count)]
            except ConnectionError as e:
                # an idle connection the server closed meanwhile: once more, afresh
                if not reused or conn.read_since_send or isinstance(e, (TimeoutError,
                                                                        ProtocolError)):
                    raise
                conn.connect()
                conn.send(data)
                replies = [conn.read_reply() for _ in range(count)]
        except BaseException:
            conn.disconnect()         # its state is unknown (partial reply, interrupt)
            self.pool.release(conn)
            raise
        if not keep:
            conn.disconnect()
        self.pool.release(conn)
        return replies

    def select(self, db: int) -> bool:
        """Use database ``db`` from now on (for every connection of the pool)."""
        conn, _ = self.pool.get_connection()
        try:
            conn.send(encode_request(("SELECT", db)))
            r = conn.read_reply()
        finally:
            conn.disconnect()
            self.pool.release(conn)
        if isinstance(r, ResponseError):
            raise r
        self.pool.set_db(int(db))
        return True

    def pipeline(self) -> "Pipeline":
        """Commands buffered, sent in one write by ``execute()``."""
        return Pipeline(self)

    def scan_iter(self, match: Optional[KeyT] = None, count: Optional[int] = None,
                  _type: Optional[str] = None) -> Iterator:
        """Every key (matching ``match``), by SCAN."""
        cursor = None
        while cursor != 0:
            cursor, keys = self.scan(cursor or 0, match, count, _type)
            yield from keys

    def close(self) -> None:
        """Close the pool's connections (the client reconnects if used again)."""
        self.pool.disconnect()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    # dict-style access
    def __getitem__(self, key: KeyT):
        v = self.get(key)
        if v is None and not self.exists(key):     # a stored None is not a missing key
            raise KeyError(key)
        return v

    def __setitem__(self, key: KeyT, value: Any) -> None:
        self.set(key, value)

    def __delitem__(self, key: KeyT) -> None:
        if not self.delete(key):
            raise KeyError(key)

    def __contains__(self, key: KeyT) -> bool:
        return bool(self.exists(key))

    def __len__(self) -> int:
        return self.dbsize()

    def __iter__(self) -> Iterator:
        return self.scan_iter()


class Pipeline(Commands):
    """Buffered commands; ``execute()`` sends them in one write and returns
    their replies in order, an error reply as a ``ResponseError`` in its place.

    >>> with client.pipeline() as p:
    ...     p.set("a", 1).get("a")
    ...     p.execute()
    [True, 1]
    """

    def __init__(self, client: Client):
        self.client = client
        self._queue: List[Tuple[bytes, Optional[Callable]]] = []
        self._keep = True

    def _command(self, args, callback=None, typed=()):
        self._queue.append((encode_request(args, typed, self.client.decode), callback))
        return self

    def select(self, db: int) -> "Pipeline":
        """SELECT for the commands that follow in this pipeline only."""
        self._keep = False          # the connection is on another db afterwards
        return self._command(("SELECT", db), _ok)

    def __len__(self) -> int:
        return len(self._queue)

    def __bool__(self) -> bool:
        return True

    def reset(self) -> None:
        self._queue = []
        self._keep = True

    def execute(self, raise_on_error: bool = False) -> list:
        """Send the buffered commands; their replies.  With ``raise_on_error``
        the first error reply is raised instead of returned."""
        queue, keep = self._queue, self._keep
        self.reset()
        if not queue:
            return []
        replies = self.client._round_trip(b"".join(d for d, _ in queue), len(queue), keep)
        out = []
        for r, (_, callback) in zip(replies, queue):
            if type(r) is ResponseError:
                if raise_on_error:
                    raise r
                out.append(r)
            else:
                out.append(r if callback is None else callback(r))
        return out

    def __enter__(self) -> "Pipeline":
        return self

    def __exit__(self, *exc) -> None:
        self.reset()
