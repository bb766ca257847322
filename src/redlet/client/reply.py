"""The client's sans-IO codec: native values to request bytes, reply bytes to values.

Nothing here touches a socket: ``encode_request`` returns bytes to write and
``ReplyParser`` is fed the bytes a connection read and hands back complete
replies (h11 style), so the blocking client, the asyncio client and the
tests share it.

Native values
-------------
A value given to a storing command (SET, MSET, GETSET, SETNX, SETEX, PSETEX,
MSETNX) is sent as a typed RESP3 element, which redlet stores with its type
and returns with it:

==================  ========================================================
Python              sent as
==================  ========================================================
str                 ``$`` bulk string, its UTF-8 bytes
bytes, bytearray    ``$`` bulk string, see "str and bytes" below
bool                ``#t`` / ``#f``
int                 ``:`` integer (signed 64 bits, else ``ValueError``)
float               ``,`` double, ``repr()`` digits (exact; inf, -inf, nan)
None                ``_`` null
list, tuple         ``*`` array
dict                ``%`` map (keys must be scalars: str bytes int float
                    bool None)
set, frozenset      ``~`` set
==================  ========================================================

Anything else raises ``TypeError`` (and nesting deeper than 64 aggregates,
or an int out of range, ``ValueError``) while the request is being encoded,
so nothing is sent.

str and bytes
-------------
RESP has one string type, so the distinction is carried in the bytes, with
one rule applied everywhere (top level, inside arrays, as map keys and as
set members, which must stay hashable scalars on the server):

* a ``str`` is sent as its UTF-8 bytes;
* a ``bytes`` value that is *not* valid UTF-8 (and does not start with the
  marker) is sent as it is: binary data (pickles, images) is stored
  unchanged and other clients read it as it is;
* any other ``bytes`` value (valid UTF-8, or starting with the marker) is
  sent as ``BYTES_MARK + value``.  ``BYTES_MARK`` is ``b"\\xc1b"``; 0xC1
  never occurs in UTF-8, so a marked value can never be mistaken for text.

A bulk string reply is decoded back as: valid UTF-8 -> ``str``; starts with
the marker -> ``bytes`` without the marker; otherwise -> ``bytes``.  The
mapping is a bijection, so str and bytes round-trip exactly and distinctly.
Strings written by other clients read as ``str`` when they are UTF-8 text
and as ``bytes`` otherwise.  A client made with ``decode=False`` skips the
scheme: bulk replies are ``bytes`` as stored and bytes values are sent as
they are.

Reply values: bulk -> str/bytes as above, simple string -> str, integer and
big number -> int, double -> float, null -> None, boolean -> bool, array ->
list, map -> dict, set -> set (members that are arrays become tuples, sets
become frozensets, so that they are hashable; map keys likewise), verbatim
text -> str, push -> ``Push`` (a list), attributes are skipped, an error
(``-`` or ``!``) -> a ``ResponseError`` instance (returned, not raised).
"""
import builtins
import math

__all__ = [
    "BYTES_MARK", "ResponseError", "ConnectionError", "TimeoutError", "ProtocolError",
    "Typed", "Push", "ReplyParser", "NEED_DATA", "encode_request", "encode_value",
    "key_bytes", "decode_bulk",
]

BYTES_MARK = b"\xc1b"
INT64_MIN = -2 ** 63
INT64_MAX = 2 ** 63 - 1
MAX_DEPTH = 64          # the server's MAX_TYPED_DEPTH: aggregates nested in a value


class ResponseError(Exception):
    """The server replied with an error (``-ERR ...``); ``str()`` is its text."""

    @property
    def message(self) -> str:
        return self.args[0] if self.args else ""


class ConnectionError(builtins.ConnectionError):
    """The connection failed, was closed, or the bytes read were not RESP."""


class TimeoutError(ConnectionError, builtins.TimeoutError):
    """No reply within ``socket_timeout`` (the connection is then closed)."""


class ProtocolError(ConnectionError):
    """The server sent bytes that are not a RESP reply."""


class Typed:
    """Marks an argument of ``execute_command`` to be sent as a native value.

    ``c.execute_command("SET", "k", Typed([1, 2]))`` sends the list as a RESP3
    array; without the wrapper, arguments are plain strings (str, bytes, int,
    float), as redis-py sends them."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        return "Typed(%r)" % (self.value,)


class Push(list):
    """An out-of-band push message (RESP3 ``>``: pub/sub, invalidation)."""
    __slots__ = ()


# -- requests -------------------------------------------------------------------------
def _bulk(out, b):
    out.append(b"$%d\r\n" % len(b))
    out.append(b)
    out.append(b"\r\n")


def _bytes_wire(b, scheme):
    """The stored form of a bytes value (see "str and bytes")."""
    b = bytes(b)
    if not scheme:
        return b
    if b[:2] == BYTES_MARK:
        return BYTES_MARK + b
    try:
        b.decode("utf-8")
    except UnicodeDecodeError:
        return b
    return BYTES_MARK + b


def _encode_value(out, v, scheme, depth):
    t = type(v)
    if t is str:
        _bulk(out, v.encode("utf-8"))
    elif t is bytes or t is bytearray or t is memoryview:
        _bulk(out, _bytes_wire(v, scheme))
    elif t is bool:
        out.append(b"#t\r\n" if v else b"#f\r\n")
    elif t is int:
        if not INT64_MIN <= v <= INT64_MAX:
            raise ValueError("int %d does not fit in a signed 64-bit integer" % v)
        out.append(b":%d\r\n" % v)
    elif t is float:
        out.append(b",%s\r\n" % repr(v).encode())
    elif v is None:
        out.append(b"_\r\n")
    elif t is list or t is tuple or t is dict or t is set or t is frozenset:
        if depth >= MAX_DEPTH:
            raise ValueError("value nested deeper than %d aggregates" % MAX_DEPTH)
        depth += 1
        if t is dict:
            out.append(b"%%%d\r\n" % len(v))
            for k, x in v.items():
                if type(k) in (tuple, frozenset):
                    raise TypeError("map keys must be scalars, not %s" % type(k).__name__)
                _encode_value(out, k, scheme, depth)
                _encode_value(out, x, scheme, depth)
        else:
            out.append((b"*%d\r\n" if t is list or t is tuple else b"~%d\r\n") % len(v))
            for x in v:
                _encode_value(out, x, scheme, depth)
    elif isinstance(v, (str, bytes, bool, int, float, list, tuple, dict, set, frozenset)):
        # subclasses (enum.IntEnum, OrderedDict, namedtuple...) as their base type
        for base in (str, bytes, bool, int, float, dict, list, tuple, set, frozenset):
            if isinstance(v, base):
                _encode_value(out, base(v) if base is not bool else bool(v), scheme, depth)
                return
    else:
        raise TypeError("cannot send a value of type %s" % t.__name__)


def encode_value(v, scheme=True) -> bytes:
    """The RESP3 element of one native value (raises before returning anything)."""
    out = []
    _encode_value(out, v, scheme, 0)
    return b"".join(out)


def key_bytes(k) -> bytes:
    """A key or plain argument as bytes: str (UTF-8), bytes, int (decimal)."""
    t = type(k)
    if t is bytes:
        return k
    if t is str:
        return k.encode("utf-8")
    if t is int:
        return b"%d" % k
    if t is bytearray or t is memoryview:
        return bytes(k)
    if t is float:
        return repr(k).encode()
    if isinstance(k, (str, bytes, int)) and not isinstance(k, bool):
        return key_bytes(str(k) if isinstance(k, str) else bytes(k) if isinstance(k, bytes)
                         else int(k))
    raise TypeError("a key or argument must be str, bytes, int or float, not %s"
                    % t.__name__)


def encode_request(args, typed=(), scheme=True) -> bytes:
    """A command as a RESP array.  ``typed`` holds the indices of ``args`` that
    are native values; the others are plain strings (``key_bytes``), except
    ``Typed`` wrappers.  Raises TypeError/ValueError before returning."""
    out = [b"*%d\r\n" % len(args)]
    for i, a in enumerate(args):
        if i in typed:
            _encode_value(out, a, scheme, 0)
        elif type(a) is Typed:
            _encode_value(out, a.value, scheme, 0)
        else:
            _bulk(out, key_bytes(a))
    return b"".join(out)


# -- replies --------------------------------------------------------------------------
def decode_bulk(b: bytes):
    """A bulk string as the native value it stands for (see "str and bytes")."""
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return b[2:] if b[:2] == BYTES_MARK else b


def _raw_bulk(b):
    return b


def _freeze(v):
    """A hashable equivalent of a decoded value (set member, map key)."""
    t = type(v)
    if t is list or t is Push:
        return tuple(_freeze(x) for x in v)
    if t is set:
        return frozenset(v)
    if t is dict:
        return frozenset((k, _freeze(x)) for k, x in v.items())
    return v


def _make_set(items):
    try:
        return set(items)
    except TypeError:
        return {_freeze(x) for x in items}


def _make_map(items):
    it = iter(items)
    try:
        return dict(zip(it, it))
    except TypeError:
        it = iter(items)
        return {_freeze(k): x for k, x in zip(it, it)}


class _NeedData:
    __slots__ = ()

    def __repr__(self):
        return "NEED_DATA"


NEED_DATA = _NeedData()

_ARRAY, _MAP, _SET, _PUSH, _ATTR = 0x2A, 0x25, 0x7E, 0x3E, 0x7C
_AGGREGATES = frozenset((_ARRAY, _MAP, _SET, _PUSH, _ATTR))
_SKIPPED = object()     # an attribute: not a value


class ReplyParser:
    """Incremental RESP2/RESP3 reply parser.

    ``feed(data)`` appends bytes; ``get()`` returns the next complete reply or
    ``NEED_DATA``; a reply split at any byte is resumed where it stopped (an
    aggregate keeps the elements already parsed).  Bytes that are not RESP
    raise ``ProtocolError``; the parser is unusable afterwards."""

    def __init__(self, decode=True):
        self._buf = bytearray()
        self._pos = 0
        # one frame per aggregate being received: [kind, items, remaining]
        self._stack = []
        self._bulk = decode_bulk if decode else _raw_bulk
        self._text = (lambda b: b.decode("utf-8", "replace")) if decode else bytes

    def feed(self, data) -> None:
        self._buf += data

    def pending(self) -> bool:
        """True when a partial reply is buffered."""
        return bool(self._stack) or self._pos < len(self._buf)

    def get(self):
        buf = self._buf
        pos = self._pos
        stack = self._stack
        n_buf = len(buf)
        while True:
            if pos >= n_buf:
                break
            nl = buf.find(b"\r\n", pos)
            if nl < 0:
                break
            t = buf[pos]
            if t == 0x24 or t == 0x3D or t == 0x21:      # '$' bulk, '=' verbatim, '!' error
                n = self._int(buf, pos, nl)
                if n < 0:
                    if n != -1:
                        raise ProtocolError("invalid bulk length %d" % n)
                    value = None
                    pos = nl + 2
                else:
                    end = nl + 2 + n
                    if end + 2 > n_buf:
                        break
                    if buf[end:end + 2] != b"\r\n":
                        raise ProtocolError("bulk string not terminated by CRLF")
                    raw = bytes(buf[nl + 2:end])
                    pos = end + 2
                    if t == 0x24:
                        value = self._bulk(raw)
                    elif t == 0x3D:
                        value = self._text(raw[4:])
                    else:
                        value = ResponseError(raw.decode("utf-8", "replace"))
            elif t == 0x3A:                                # ':' integer
                value = self._int(buf, pos, nl)
                pos = nl + 2
            elif t == 0x2B:                                # '+' simple string
                value = self._text(bytes(buf[pos + 1:nl]))
                pos = nl + 2
            elif t == 0x2D:                                # '-' error
                value = ResponseError(bytes(buf[pos + 1:nl]).decode("utf-8", "replace"))
                pos = nl + 2
            elif t in _AGGREGATES:
                n = self._int(buf, pos, nl)
                pos = nl + 2
                if n < 0:
                    if n != -1 or t != _ARRAY:
                        raise ProtocolError("invalid aggregate length %d" % n)
                    value = None                           # RESP2 null array
                elif n:
                    stack.append([t, [], n * 2 if t == _MAP or t == _ATTR else n])
                    continue
                else:
                    value = self._build(t, [])
                    if value is _SKIPPED:
                        continue
            elif t == 0x2C:                                # ',' double
                line = bytes(buf[pos + 1:nl])
                try:
                    value = float(line)
                except ValueError:
                    raise ProtocolError("invalid double %r" % line) from None
                pos = nl + 2
            elif t == 0x5F:                                # '_' null
                value = None
                pos = nl + 2
            elif t == 0x23:                                # '#' boolean
                c = buf[pos + 1:nl]
                if c == b"t":
                    value = True
                elif c == b"f":
                    value = False
                else:
                    raise ProtocolError("invalid boolean %r" % bytes(c))
                pos = nl + 2
            elif t == 0x28:                                # '(' big number
                value = self._int(buf, pos, nl)
                pos = nl + 2
            else:
                raise ProtocolError("unexpected reply type byte %r" % chr(t))
            # hand the value to the aggregates it completes
            while stack:
                frame = stack[-1]
                frame[1].append(value)
                frame[2] -= 1
                if frame[2]:
                    break
                stack.pop()
                if frame[0] == _ATTR:      # metadata about the next value: skipped
                    value = _SKIPPED
                    break
                value = self._build(frame[0], frame[1])
            else:
                if value is _SKIPPED:
                    continue
                self._consume(pos)
                return value
            if value is _SKIPPED:
                continue
        self._consume(pos)
        return NEED_DATA

    def _consume(self, pos):
        self._pos = pos
        if pos and (pos >= len(self._buf) or pos > 65536):
            del self._buf[:pos]
            self._pos = 0

    @staticmethod
    def _int(buf, pos, nl):
        try:
            return int(buf[pos + 1:nl])
        except ValueError:
            raise ProtocolError("invalid number %r" % bytes(buf[pos + 1:nl])) from None

    @staticmethod
    def _build(kind, items):
        if kind == _ARRAY:
            return items
        if kind == _MAP:
            return _make_map(items)
        if kind == _SET:
            return _make_set(items)
        if kind == _PUSH:
            return Push(items)
        return _SKIPPED
