"""Reply encoding: RESP3, and the RESP2 downgrade, in one place.

``encode(value, resp3)`` returns the bytes of one reply; see ``types`` for
how Python values map to reply types.
"""
import math

from ..errors import ReplyError
from .types import NULL_ARRAY, Push, Raw, Replies, RespSet, Status, Verbatim

_BULK_HEADERS = [b"$%d\r\n" % n for n in range(1024)]
_INT_REPLIES = [b":%d\r\n" % n for n in range(-1, 1024)]
_BULK_LENS = [b"$%d" % n for n in range(1024)]       # without the line end
_ARRAY_HEADERS = [b"*%d\r\n" % n for n in range(1024)]


def _encode_bulks(out, v):
    """Append an array of plain byte strings (LRANGE, SMEMBERS, MGET...) as one
    join; False (nothing appended) if an element is something else or long.
    About 2.5x faster than an element at a time."""
    n = len(v)
    try:
        heads = [_BULK_LENS[len(x)] for x in v if type(x) is bytes]
    except IndexError:
        return False
    if len(heads) != n:
        return False
    parts = [None] * (2 * n)
    parts[0::2] = heads
    parts[1::2] = v
    out.append(_ARRAY_HEADERS[n] if n < 1024 else b"*%d\r\n" % n)
    out.append(b"\r\n".join(parts))
    out.append(b"\r\n")
    return True


def format_double(d):
    """A double as Redis 7.0 prints it (``%.17g``, ``inf``, ``-inf``, ``nan``)."""
    if d != d:
        return b"nan"
    if d == math.inf:
        return b"inf"
    if d == -math.inf:
        return b"-inf"
    return b"%.17g" % d


def _error_bytes(e):
    msg = e.message if isinstance(e, ReplyError) else str(e)
    if isinstance(msg, bytes):
        msg = msg.decode("utf-8", "replace")
    # an error line cannot hold a line break
    msg = msg.replace("\r", " ").replace("\n", " ")
    return b"-" + msg.encode("utf-8", "replace") + b"\r\n"


def encode_into(out, v, resp3):
    """Append the encoding of ``v`` to the list ``out``."""
    t = type(v)
    if t is bytes:
        n = len(v)
        out.append(_BULK_HEADERS[n] if n < 1024 else b"$%d\r\n" % n)
        out.append(v)
        out.append(b"\r\n")
    elif t is int:
        out.append(_INT_REPLIES[v + 1] if -1 <= v < 1023 else b":%d\r\n" % v)
    elif v is None:
        out.append(b"_\r\n" if resp3 else b"$-1\r\n")
    elif t is Status:
        out.append(b"+" + v + b"\r\n")
    elif t is list or t is tuple:
        if len(v) > 2 and _encode_bulks(out, v):
            return
        out.append(_ARRAY_HEADERS[len(v)] if len(v) < 1024 else b"*%d\r\n" % len(v))
        for x in v:
            encode_into(out, x, resp3)
    elif t is Raw:
        out.append(v)
    elif t is float:
        s = format_double(v)
        if resp3:
            out.append(b"," + s + b"\r\n")
        else:
            out.append(b"$%d\r\n%s\r\n" % (len(s), s))
    elif t is dict:
        out.append((b"%%%d\r\n" if resp3 else b"*%d\r\n") % (len(v) * (1 if resp3 else 2)))
        for k, x in v.items():
            encode_into(out, k, resp3)
            encode_into(out, x, resp3)
    elif t is bool:
        if resp3:
            out.append(b"#t\r\n" if v else b"#f\r\n")
        else:
            out.append(b":1\r\n" if v else b":0\r\n")
    elif t is RespSet:
        out.append((b"~%d\r\n" if resp3 else b"*%d\r\n") % len(v))
        for x in v:
            encode_into(out, x, resp3)
    elif v is NULL_ARRAY:
        out.append(b"_\r\n" if resp3 else b"*-1\r\n")
    elif t is Verbatim:
        if resp3:
            out.append(b"=%d\r\ntxt:%s\r\n" % (len(v) + 4, v))
        else:
            out.append(b"$%d\r\n%s\r\n" % (len(v), v))
    elif t is Push:
        out.append((b">%d\r\n" if resp3 else b"*%d\r\n") % len(v))
        for x in v:
            encode_into(out, x, resp3)
    elif t is Replies:
        for x in v:
            encode_into(out, x, resp3)
    elif isinstance(v, BaseException):
        out.append(_error_bytes(v))
    elif isinstance(v, bytes):          # bytes subclasses (e.g. bytearray views)
        encode_into(out, bytes(v), resp3)
    elif t is bytearray or t is memoryview:
        encode_into(out, bytes(v), resp3)
    elif t is str:
        encode_into(out, v.encode(), resp3)
    elif isinstance(v, (set, frozenset)):
        encode_into(out, RespSet(v), resp3)
    elif isinstance(v, (list, tuple)):
        encode_into(out, list(v), resp3)
    else:
        raise TypeError("cannot encode reply of type %s" % t.__name__)


def encode(v, resp3=False):
    out = []
    encode_into(out, v, resp3)
    return b"".join(out)


def encode_typed(v):
    """RESP3 encoding of a native typed value (used by persistence)."""
    return encode(v, True)


def encode_command(args):
    """Encode a command as a RESP multibulk (AOF, clients); bytes and str are
    bulk strings, other values typed RESP3 elements."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if type(a) is bytes:
            out.append(b"$%d\r\n" % len(a))
            out.append(a)
            out.append(b"\r\n")
        elif isinstance(a, str):
            a = a.encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        else:                      # a typed value keeps its RESP3 type
            encode_into(out, a, True)
    return b"".join(out)
