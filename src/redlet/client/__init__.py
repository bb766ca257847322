"""redlet's Python client for native values.

``Client`` (blocking, thread- and gevent-safe pool) and ``AsyncClient``
(asyncio) speak RESP3 and store Python values with their types: str, bytes,
int, float, bool, None, lists, dicts and sets, nested, come back as they
went in (see ``reply`` for the exact encoding, including how str and bytes
stay distinct).

>>> import redlet
>>> c = redlet.Client(port=6379)
>>> c.set("k", {"a": [1, 2.5, None, b"\\x00"]})
True
>>> c.get("k")
{'a': [1, 2.5, None, b'\\x00']}
"""
import asyncio
from typing import Any, List, Optional, Tuple

from .reply import (BYTES_MARK, NEED_DATA, ConnectionError, ProtocolError, Push, ReplyParser,
                    ResponseError, TimeoutError, Typed, encode_request)
from .sync import Client, Commands, Connection, ConnectionPool, Pipeline

__all__ = [
    "Client", "AsyncClient", "Pipeline", "ConnectionPool", "Connection", "ResponseError",
    "ConnectionError", "TimeoutError", "ProtocolError", "Typed", "Push", "BYTES_MARK",
]


class _AsyncConnection:
    """One asyncio stream pair and its reply parser."""

    def __init__(self, reader, writer, decode):
        self.reader = reader
        self.writer = writer
        self.parser = ReplyParser(decode=decode)
        self.read_since_send = 0

    async def round_trip(self, data: bytes, count: int) -> list:
        self.read_since_send = 0
        try:
            self.writer.write(data)
            await self.writer.drain()
            out = []
            while len(out) < count:
                r = self.parser.get()
                if r is NEED_DATA:
                    chunk = await self.reader.read(65536)
                    if not chunk:
                        raise ConnectionError("connection closed by the server")
                    self.read_since_send += len(chunk)
                    self.parser.feed(chunk)
                elif type(r) is not Push:
                    out.append(r)
            return out
        except OSError as e:
            if isinstance(e, ConnectionError):
                raise
            raise ConnectionError(str(e)) from None

    def close(self):
        try:
            self.writer.close()
        except Exception:
            pass


class AsyncClient(Commands):
    """The asyncio client: the same commands as ``Client`` (no pipeline, no
    dict-style access), each a coroutine.  Idle connections are pooled; each
    task in flight uses its own.

    >>> c = AsyncClient(port=6379)
    >>> await c.set("k", [1, "a"]); await c.get("k")
    [1, 'a']
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 6379, db: int = 0,
                 password: Optional[str] = None, username: Optional[str] = None,
                 socket_timeout: Optional[float] = None,
                 unix_socket_path: Optional[str] = None, decode: bool = True):
        self.host, self.port, self.db = host, port, db
        self.password, self.username = password, username
        self.socket_timeout = socket_timeout
        self.unix_socket_path = unix_socket_path
        self.decode = decode
        self._idle: List[_AsyncConnection] = []

    @classmethod
    def from_url(cls, url: str, **kwargs) -> "AsyncClient":
        c = Client.from_url(url, **kwargs)
        kw = dict(c.pool.connection_kwargs)
        c.close()
        return cls(**kw)

    async def _connect(self) -> _AsyncConnection:
        try:
            if self.unix_socket_path:
                opening = asyncio.open_unix_connection(self.unix_socket_path)
            else:
                opening = asyncio.open_connection(self.host, self.port)
            reader, writer = await asyncio.wait_for(opening, self.socket_timeout)
        except asyncio.TimeoutError:
            raise TimeoutError("timeout connecting") from None
        except OSError as e:
            raise ConnectionError("error connecting: %s" % e) from None
        conn = _AsyncConnection(reader, writer, self.decode)
        hello = ["HELLO", 3]
        if self.password is not None:
            hello += ("AUTH", self.username or "default", self.password)
        requests = [encode_request(hello)]
        if self.db:
            requests.append(encode_request(("SELECT", self.db)))
        try:
            replies = await self._timed(conn.round_trip(b"".join(requests), len(requests)))
        except BaseException:
            conn.close()
            raise
        for r in replies:
            if isinstance(r, ResponseError):
                conn.close()
                raise r
        return conn

    async def _timed(self, aw):
        if self.socket_timeout is None:
            return await aw
        try:
            return await asyncio.wait_for(aw, self.socket_timeout)
        except asyncio.TimeoutError:
            raise TimeoutError("no reply within %ss" % self.socket_timeout) from None

    async def _round_trip(self, data: bytes, count: int) -> list:
        reused = bool(self._idle)
        conn = self._idle.pop() if reused else await self._connect()
        try:
            try:
                replies = await self._timed(conn.round_trip(data, count))
            except ConnectionError as e:
                if not reused or conn.read_since_send or isinstance(e, (TimeoutError,
                                                                        ProtocolError)):
                    raise
                conn.close()
                conn = await self._connect()
                replies = await self._timed(conn.round_trip(data, count))
        except BaseException:
            conn.close()
            raise
        self._idle.append(conn)
        return replies

    async def _run(self, data, callback):
        reply = (await self._round_trip(data, 1))[0]
        if type(reply) is ResponseError:
            raise reply
        return reply if callback is None else callback(reply)

    def _command(self, args, callback=None, typed=()):
        # encoded now, so that a bad value raises at the call, before any await
        return self._run(encode_request(args, typed, self.decode), callback)

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for c in idle:
            c.close()
            try:
                await c.writer.wait_closed()
            except Exception:
                pass

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()
