"""Sans-IO parsing of client requests.

A parser is fed the bytes a connection received and returns the complete
requests they finish, as lists of arguments, plus a protocol error when the
bytes stop being RESP.  It never touches a socket.  Two implementations
behave identically:

* ``PythonRequestParser``: pure Python, handles everything: RESP multibulk
  requests, inline commands (``PING\\r\\n``), typed elements (``:`` ``,`` ``_``
  ``#`` ``*`` ``%`` ``~`` ``(``), Redis' limits and exact error texts.
* ``HiredisRequestParser``: lets ``hiredis.Reader`` parse whole batches of
  well-formed multibulk requests (the fast, common case) and hands the
  stream to the Python parser from the last request boundary whenever
  hiredis cannot be trusted with it: an inline command, a protocol error, a
  typed set, a request split across reads, an unauthenticated client.

``make_parser()`` returns the fastest one available.
"""
import re

from .types import RespSet

PROTO_INLINE_MAX_SIZE = 64 * 1024
DEFAULT_MAX_BULK_LEN = 512 * 1024 * 1024
DEFAULT_QUERY_BUFFER_LIMIT = 1024 * 1024 * 1024
MAX_MULTIBULK_LEN = 2 ** 31 - 1       # Redis: INT_MAX
MAX_TYPED_DEPTH = 64                  # nesting of typed request elements
MAX_TYPED_ELEMENTS = 1024 * 1024      # elements of one typed aggregate
UNAUTH_MAX_MULTIBULK = 10
UNAUTH_MAX_BULK = 16384


class RequestProtocolError(Exception):
    """Bytes that are not a request.  ``reply`` is the error text to send
    (``ERR Protocol error: ...``) or None when the connection is closed
    without a reply (query buffer limit)."""

    def __init__(self, reply):
        super().__init__(reply)
        self.reply = reply


class TypedRequest(list):
    """A request with at least one typed (non-bulk-string) element."""
    __slots__ = ()


class _Incomplete(Exception):
    pass


_INCOMPLETE = _Incomplete()


def _string2ll(s):
    """Redis' strict integer syntax: no spaces, no '+', no leading zeros."""
    n = len(s)
    if n == 0 or n > 20:
        return None
    if n == 1 and s == b"0":
        return 0
    i = 1 if s[:1] == b"-" else 0
    if i == n or not (0x31 <= s[i] <= 0x39):
        return None
    if not s[i:].isdigit():
        return None
    v = int(s)
    if v < -2 ** 63 or v > 2 ** 63 - 1:
        return None
    return v


_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b",
            ord("a"): b"\a"}
_SPACE = b" \n\r\t\v\f\x00"
_HEX = b"0123456789abcdefABCDEF"


def split_args(line):
    """Split an inline command line as Redis' ``sdssplitargs`` does.

    Returns a list of bytes, or None for unbalanced quotes."""
    args = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i] in _SPACE:
            i += 1
        if i >= n:
            return args
        cur = bytearray()
        inq = insq = False
        while True:
            if inq:
                if i >= n:
                    return None
                c = line[i]
                if (c == 0x5C and i + 3 < n and line[i + 1] == 0x78
                        and line[i + 2] in _HEX and line[i + 3] in _HEX):
                    cur.append(int(line[i + 2:i + 4], 16))
                    i += 3
                elif c == 0x5C and i + 1 < n:
                    i += 1
                    cur += _ESCAPES.get(line[i], bytes((line[i],)))
                elif c == 0x22:
                    if i + 1 < n and line[i + 1] not in _SPACE:
                        return None
                    inq = False
                    i += 1
                    break
                else:
                    cur.append(c)
            elif insq:
                if i >= n:
                    return None
                c = line[i]
                if c == 0x5C and i + 1 < n and line[i + 1] == 0x27:
                    i += 1
                    cur.append(0x27)
                elif c == 0x27:
                    if i + 1 < n and line[i + 1] not in _SPACE:
                        return None
                    insq = False
                    i += 1
                    break
                else:
                    cur.append(c)
            else:
                if i >= n:
                    break
                c = line[i]
                if c in _SPACE:
                    break
                if c == 0x22:
                    inq = True
                elif c == 0x27:
                    insq = True
                else:
                    cur.append(c)
            i += 1
        args.append(bytes(cur))


class PythonRequestParser:
    """Pure-Python request parser; see the module docstring."""

    def __init__(self, max_bulk_len=DEFAULT_MAX_BULK_LEN,
                 query_buffer_limit=DEFAULT_QUERY_BUFFER_LIMIT):
        self.max_bulk_len = max_bulk_len
        self.query_buffer_limit = query_buffer_limit
        self.authenticated = True
        self._buf = bytearray()
        self._pos = 0
        # state of a top-level multibulk request being received
        self._args = None
        self._remaining = 0
        self._consumed = 0          # bytes dropped from the buffer so far
        self.boundary_offset = 0    # stream offset just after the last complete request

    @property
    def at_boundary(self):
        """True when no partial request is buffered."""
        return self._args is None and self._pos >= len(self._buf)

    def pending_bytes(self):
        return len(self._buf) - self._pos

    def feed(self, data):
        """Consume ``data``; return ``(requests, error)``.

        ``error`` is a RequestProtocolError after which the connection must
        be closed (the requests before it are still valid)."""
        buf = self._buf
        buf += data
        out = []
        error = None
        try:
            while True:
                req = self._parse_one()
                if req is None:
                    break
                self.boundary_offset = self._consumed + self._pos
                if req:
                    out.append(req)
        except RequestProtocolError as e:
            error = e
        if self._pos:
            self._consumed += self._pos
            del buf[:self._pos]
            self._pos = 0
        if error is None and len(buf) > self.query_buffer_limit:
            error = RequestProtocolError(None)
        return out, error

    # -- one request ---------------------------------------------------------
    def _parse_one(self):
        buf = self._buf
        if self._args is None:
            pos = self._pos
            if pos >= len(buf):
                return None
            if buf[pos] != 0x2A:      # '*'
                return self._parse_inline()
            nl = buf.find(b"\r", pos)
            if nl < 0:
                if len(buf) - pos > PROTO_INLINE_MAX_SIZE:
                    raise RequestProtocolError(
                        "ERR Protocol error: too big mbulk count string")
                return None
            if nl + 1 >= len(buf):
                return None
            n = _string2ll(bytes(buf[pos + 1:nl]))
            if n is None or n > MAX_MULTIBULK_LEN:
                raise RequestProtocolError("ERR Protocol error: invalid multibulk length")
            if not self.authenticated and n > UNAUTH_MAX_MULTIBULK:
                raise RequestProtocolError(
                    "ERR Protocol error: unauthenticated multibulk length")
            self._pos = nl + 2
            if n <= 0:
                return []
            self._args = []
            self._remaining = n
        args = self._args
        while self._remaining:
            try:
                value, newpos = self._element(self._pos, 0)
            except _Incomplete:
                _INCOMPLETE.__traceback__ = None    # shared instance: drop the frames
                return None
            if type(value) is not bytes and type(args) is list:
                args = self._args = TypedRequest(args)
            args.append(value)
            self._pos = newpos
            self._remaining -= 1
        self._args = None
        return args

    def _parse_inline(self):
        buf = self._buf
        pos = self._pos
        nl = buf.find(b"\n", pos)
        if nl < 0:
            if len(buf) - pos > PROTO_INLINE_MAX_SIZE:
                raise RequestProtocolError("ERR Protocol error: too big inline request")
            return None
        end = nl - 1 if nl > pos and buf[nl - 1] == 0x0D else nl
        args = split_args(bytes(buf[pos:end]))
        if args is None:
            raise RequestProtocolError("ERR Protocol error: unbalanced quotes in request")
        self._pos = nl + 1
        return args

    def _line(self, pos, what):
        buf = self._buf
        nl = buf.find(b"\r", pos)
        if nl < 0:
            if len(buf) - pos > PROTO_INLINE_MAX_SIZE:
                raise RequestProtocolError("ERR Protocol error: too big %s string" % what)
            raise _INCOMPLETE
        if nl + 1 >= len(buf):
            raise _INCOMPLETE
        return bytes(buf[pos + 1:nl]), nl + 2

    def _element(self, pos, depth):
        """Parse one element at ``pos``; return (value, next position)."""
        buf = self._buf
        if pos >= len(buf):
            raise _INCOMPLETE
        t = buf[pos]
        if t == 0x24:            # '$' bulk string
            line, start = self._line(pos, "bulk count")
            n = _string2ll(line)
            if n is None or n < 0 or n > self.max_bulk_len:
                raise RequestProtocolError("ERR Protocol error: invalid bulk length")
            if not self.authenticated and n > UNAUTH_MAX_BULK:
                raise RequestProtocolError("ERR Protocol error: unauthenticated bulk length")
            end = start + n
            if end + 2 > len(buf):
                raise _INCOMPLETE
            return bytes(buf[start:end]), end + 2
        if depth == 0 and not self.authenticated:
            raise RequestProtocolError("ERR Protocol error: expected '$', got '%c'" % t)
        if t == 0x3A:            # ':' integer
            line, nxt = self._line(pos, "integer")
            v = _string2ll(line)
            if v is None:
                raise RequestProtocolError("ERR Protocol error: invalid integer")
            return v, nxt
        if t == 0x2C:            # ',' double
            line, nxt = self._line(pos, "double")
            v = _parse_double(line)
            if v is None:
                raise RequestProtocolError("ERR Protocol error: invalid double")
            return v, nxt
        if t == 0x5F:            # '_' null
            line, nxt = self._line(pos, "null")
            if line:
                raise RequestProtocolError("ERR Protocol error: invalid null")
            return None, nxt
        if t == 0x23:            # '#' boolean
            line, nxt = self._line(pos, "boolean")
            if line == b"t":
                return True, nxt
            if line == b"f":
                return False, nxt
            raise RequestProtocolError("ERR Protocol error: invalid boolean")
        if t == 0x28:            # '(' big number
            line, nxt = self._line(pos, "big number")
            if not line or not line.lstrip(b"-").isdigit() or len(line) > 4096:
                raise RequestProtocolError("ERR Protocol error: invalid big number")
            return line, nxt
        if t in (0x2A, 0x25, 0x7E):   # '*' array, '%' map, '~' set
            if depth >= MAX_TYPED_DEPTH:
                raise RequestProtocolError("ERR Protocol error: typed value nested too deep")
            line, nxt = self._line(pos, "aggregate count")
            n = _string2ll(line)
            if n is None or n < 0 or n > MAX_TYPED_ELEMENTS:
                raise RequestProtocolError("ERR Protocol error: invalid aggregate length")
            if t == 0x25:
                result = {}
                for _ in range(n):
                    k, nxt = self._element(nxt, depth + 1)
                    v, nxt = self._element(nxt, depth + 1)
                    try:
                        result[k] = v
                    except TypeError:
                        raise RequestProtocolError(
                            "ERR Protocol error: unsupported map key type") from None
                return result, nxt
            result = [] if t == 0x2A else RespSet()
            for _ in range(n):
                v, nxt = self._element(nxt, depth + 1)
                result.append(v)
            return result, nxt
        raise RequestProtocolError("ERR Protocol error: expected '$', got '%c'" % t)


def _parse_double(line):
    if line in (b"inf", b"+inf"):
        return float("inf")
    if line == b"-inf":
        return float("-inf")
    if line == b"nan":
        return float("nan")
    try:
        v = float(line)
    except ValueError:
        return None
    if line.strip() != line or b"_" in line or line[-1:].isalpha() and line[-1:] not in b"0123456789":
        return None
    return v


try:
    import hiredis
except ImportError:          # pragma: no cover - exercised when hiredis is absent
    hiredis = None


# A line that starts with a type byte other than ``$`` and ``*`` (RESP3 typed
# elements ``:`` ``,`` ``_`` ``#`` ``%`` ``~``, which the Python parser reads
# and marks as a TypedRequest; ``+OK``, ``-ERR``, ``(`` ``=`` ``|`` ``>``
# ``!``, which hiredis would accept inside a request and Redis rejects) sends
# the chunk to the Python parser; nested arrays are caught by counting array
# headers (one per request).  Bulk data with a line that starts with one of
# these bytes (a value like ``-5``) only takes the Python path: slower, same
# result.  One character class keeps the scan cheap (an alternation of line
# patterns cost 0.5 us per command), and the two-byte line end as its prefix
# halves it again (hiredis ends every header line with CRLF).
_TYPED_HEADER = re.compile(rb"\r\n[-+(=|>!_#%~:,]")
# the same, or an array header: for a chunk of one request, where none may follow
_TYPED_OR_ARRAY_HEADER = re.compile(rb"\r\n[-+(=|>!_#%~:,*]")


class HiredisRequestParser:
    """hiredis for whole batches, the Python parser for everything else."""

    def __init__(self, max_bulk_len=DEFAULT_MAX_BULK_LEN,
                 query_buffer_limit=DEFAULT_QUERY_BUFFER_LIMIT):
        self._py = PythonRequestParser(max_bulk_len, query_buffer_limit)
        self._reader = hiredis.Reader()
        self._python_mode = False

    @property
    def authenticated(self):
        return self._py.authenticated

    @authenticated.setter
    def authenticated(self, value):
        self._py.authenticated = value

    @property
    def at_boundary(self):
        return self._py.at_boundary

    def feed(self, data):
        py = self._py
        if self._python_mode or not py.authenticated:
            reqs, err = py.feed(data)
            if err is None and py.at_boundary:
                if self._python_mode:
                    self._python_mode = False
                    self._reader = hiredis.Reader()
            else:
                self._python_mode = True
            return reqs, err
        reader = self._reader
        reader.feed(data)
        gets = reader.gets
        try:
            req = gets()
            if type(req) is list:
                nxt = gets()
                if nxt is False:
                    # one request, the common unpipelined read: no array
                    # header may follow its own
                    if (data[0] == 0x2A and data[-2:] == b"\r\n" and not reader.has_data()
                            and _TYPED_OR_ARRAY_HEADER.search(data) is None):
                        return ([req] if req else []), None
                else:
                    out = [req] if req else []
                    nreq = 1
                    while type(nxt) is list:
                        if nxt:
                            out.append(nxt)
                        nreq += 1
                        nxt = gets()
                    # at a request boundary iff the chunk (which starts at
                    # one) begins with an array header and ends with a line
                    # end, hiredis holds no unconsumed bytes (it consumes a
                    # type byte at once, but a partial bulk or line stays
                    # unconsumed) and there is one array header per request
                    # (a partial request or a nested array adds one):
                    # ``has_data()`` alone is False between two elements of
                    # a request.
                    if (nxt is False and data[0] == 0x2A and data[-2:] == b"\r\n"
                            and not reader.has_data() and data.count(b"\n*") == nreq - 1
                            and _TYPED_HEADER.search(data) is None):
                        return out, None
        except hiredis.ProtocolError:
            pass
        # hiredis cannot be trusted with this chunk: parse it again in Python
        # from its start, the last request boundary.
        self._reader = hiredis.Reader()
        self._python_mode = True
        reqs, err = py.feed(data)
        if err is None and py.at_boundary:
            self._python_mode = False
        return reqs, err


def make_parser(max_bulk_len=DEFAULT_MAX_BULK_LEN,
                query_buffer_limit=DEFAULT_QUERY_BUFFER_LIMIT, use_hiredis=True):
    if use_hiredis and hiredis is not None:
        return HiredisRequestParser(max_bulk_len, query_buffer_limit)
    return PythonRequestParser(max_bulk_len, query_buffer_limit)
