"""The RDB format of Redis 7.0 (RDB version 10): values, whole files, DUMP payloads.

Sans-IO: everything here takes and returns bytes (``write_rdb`` writes to a
file object it is given).  No keyspace or protocol knowledge beyond the value
types of ``keyspace.values``.

* ``encode_value(value)`` -> ``(type_byte, payload)`` as Redis 7.0 writes the
  value: strings (integer-encoded when Redis would, LZF only with
  ``compress=True``), lists as QUICKLIST_2 of listpacks, hashes as LISTPACK or
  HASH, sets as INTSET or SET, sorted sets as ZSET_LISTPACK or ZSET_2.
* ``decode_value(type_byte, data, pos)`` -> ``(value, newpos)`` for every type
  Redis 7.0 can load except modules (listpack, ziplist, intset,
  zipmap and LZF are decoded here, in Python).  Streams are STREAM_LISTPACKS_2
  (read: also STREAM_LISTPACKS); the listpacks written hold live entries only.
* ``write_rdb`` / ``read_rdb``: whole files, CRC64-checked.
* ``dump_payload`` / ``restore_payload``: DUMP/RESTORE serialized values.

Every malformed input raises ``RDBError``.

Typed values (``TypedValue``, a RESP3 client's native value) are stored as an
RDB *string* so that redis-server loads the file; the string is
``TYPED_MAGIC`` followed by a tagged encoding::

    N            None             T / F       True / False
    I<dec>;      int              D<8 bytes>  float (IEEE 754, little endian)
    B<len>;<b>   bytes            V<len>;<b>  Verbatim text
    L<n>;...     list (n items)   E<n>;...    RespSet (n items)
    M<n>;...     dict (n key, value pairs)

A real string that happens to start with ``TYPED_MAGIC`` (a NUL, the text
``redlet:tv1`` and a NUL) and parses completely would come back as a typed
value: it is unlikely for data not written by redlet; a string that starts
with the magic but does not parse stays a string.

The checksum is Redis' CRC-64/Jones (reflected, poly 0xad93d23594c935a9,
init 0, xorout 0): crcmod's C extension when it is built, else a table
driven loop in Python.  LZF is the Python code here, which reproduces the
bytes of the liblzf Redis 7.0 is built with; the ``lzf`` C extension
(python-lzf) speeds it up when it can be imported.
"""
import math
import struct

from ..keyspace.stream import U64, Consumer, Group, Nack, StreamValue, make_id
from ..keyspace.values import HashValue, ListValue, SetValue, TypedValue
from ..keyspace.zset import ZSetValue
from ..protocol.types import RespSet, Verbatim

try:                                    # optional C implementation of LZF
    import lzf as _c_lzf
except ImportError:                     # pragma: no cover - depends on the machine
    _c_lzf = None

RDB_VERSION = 10


class RDBError(Exception):
    """Malformed, truncated or unsupported RDB data."""


# -- value types and opcodes ---------------------------------------------------------
TYPE_STRING = 0
TYPE_LIST = 1
TYPE_SET = 2
TYPE_ZSET = 3
TYPE_HASH = 4
TYPE_ZSET_2 = 5
TYPE_MODULE = 6
TYPE_MODULE_2 = 7
TYPE_HASH_ZIPMAP = 9
TYPE_LIST_ZIPLIST = 10
TYPE_SET_INTSET = 11
TYPE_ZSET_ZIPLIST = 12
TYPE_HASH_ZIPLIST = 13
TYPE_LIST_QUICKLIST = 14
TYPE_STREAM_LISTPACKS = 15
TYPE_HASH_LISTPACK = 16
TYPE_ZSET_LISTPACK = 17
TYPE_LIST_QUICKLIST_2 = 18
TYPE_STREAM_LISTPACKS_2 = 19

OP_FUNCTION2 = 245
OP_FUNCTION = 246
OP_MODULE_AUX = 247
OP_IDLE = 248
OP_FREQ = 249
OP_AUX = 250
OP_RESIZEDB = 251
OP_EXPIRETIME_MS = 252
OP_EXPIRETIME = 253
OP_SELECTDB = 254
OP_EOF = 255

_ENC_INT8, _ENC_INT16, _ENC_INT32, _ENC_LZF = 0, 1, 2, 3
_QUICKLIST_PLAIN, _QUICKLIST_PACKED = 1, 2
_LIST_NODE_BYTES = 8192         # list-max-listpack-size -2

TYPED_MAGIC = b"\x00redlet:tv1\x00"

_INT64_MIN, _INT64_MAX = -2 ** 63, 2 ** 63 - 1


# -- CRC64 (Jones) -------------------------------------------------------------------
def _crc64_table():
    poly = 0x95AC9329AC4BC9B5          # 0xad93d23594c935a9 bit-reversed
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc64_table()


def _crc64_python(data, crc=0):
    table = _CRC_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def _crc64_c():
    """crcmod's C implementation for Redis' variant, when it is compiled in
    (~400 MB/s against ~9 MB/s for the table loop above)."""
    try:
        import crcmod
        import crcmod._crcfunext  # noqa: F401  (the C extension, not the Python fallback)
    except ImportError:
        return None
    return crcmod.mkCrcFun(0x1AD93D23594C935A9, initCrc=0, rev=True, xorOut=0)


_crc64_fast = _crc64_c()


def crc64(data, crc=0):
    """Redis' crc64 of ``data`` (continuing from ``crc``)."""
    if _crc64_fast is not None:
        return _crc64_fast(data, crc)
    return _crc64_python(data, crc)


# -- LZF -----------------------------------------------------------------------------
# the most one compressed byte can expand to: a 3-byte back reference
# copies up to 264 bytes
_LZF_MAX_RATIO = 88


def lzf_decompress(data, expected_len):
    if expected_len > len(data) * _LZF_MAX_RATIO + 64:
        # a forged length: refuse before allocating it
        raise RDBError("Invalid LZF compressed string")
    if _c_lzf is not None:
        try:
            out = _c_lzf.decompress(bytes(data), expected_len + 1)
        except Exception as e:
            raise RDBError("Invalid LZF compressed string") from e
        if out is None or len(out) != expected_len:
            raise RDBError("Invalid LZF compressed string")
        return out
    out = bytearray()
    i, n = 0, len(data)
    try:
        while i < n:
            ctrl = data[i]
            i += 1
            if ctrl < 32:
                run = ctrl + 1
                if i + run > n:
                    raise RDBError("Invalid LZF compressed string")
                out += data[i:i + run]
                i += run
            else:
                length = ctrl >> 5
                if length == 7:
                    length += data[i]
                    i += 1
                ref = len(out) - ((ctrl & 0x1F) << 8) - data[i] - 1
                i += 1
                if ref < 0:
                    raise RDBError("Invalid LZF compressed string")
                length += 2
                for k in range(length):     # may overlap: byte by byte
                    out.append(out[ref + k])
    except IndexError:
        raise RDBError("Invalid LZF compressed string") from None
    if len(out) != expected_len:
        raise RDBError("Invalid LZF compressed string")
    return bytes(out)


def lzf_compress(data, out_len=None):
    """``data`` as an LZF stream of at most ``out_len`` bytes (default: four
    fewer than the input, as Redis asks), or None when it does not fit."""
    if out_len is None:
        out_len = len(data) - 4
    if out_len <= 0 or not data:
        return None
    if _c_lzf is not None:
        out = _c_lzf.compress(bytes(data), out_len)
        # python-lzf's liblzf gives up on a full buffer later than Redis' does:
        # when the result is that close to the bound, Redis' rule decides
        if out is None or len(out) < out_len - 3:
            return out
    return lzf_compress_py(data, out_len)


def lzf_compress_py(data, out_len):
    """LZF compression giving the same bytes as the liblzf Redis is built with
    (a 2**16-slot table keyed by a hash of 3 bytes, so collisions behave the
    same; VERY_FAST: two positions of a match's tail are hashed).  A DUMP or
    RDB file written without the C extension is then byte-identical too."""
    d = bytes(data)
    n = len(d)
    if not n or out_len <= 0:
        return None
    table = {}
    out = bytearray(1)          # out[run] will hold the length of the literal run
    run = 0
    lit = 0
    ip = 0
    while ip < n - 2:
        h = (d[ip] << 16) | (d[ip + 1] << 8) | d[ip + 2]
        slot = ((h >> 8) - h * 5) & 0xFFFF
        ref = table.get(slot)
        table[slot] = ip
        if (ref is not None and ref > 0 and ip - ref - 1 < 8192
                and d[ref] == d[ip] and d[ref + 1] == d[ip + 1] and d[ref + 2] == d[ip + 2]):
            off = ip - ref - 1
            maxlen = n - ip - 2
            if maxlen > 264:
                maxlen = 264
            if lit:                     # close the literal run, or take back its byte
                out[run] = lit - 1
            else:
                del out[run]
            if len(out) + 4 >= out_len:
                return None
            length = 3                  # liblzf checks up to 16 bytes before the bound
            if maxlen > 16:
                while length < 19 and d[ref + length] == d[ip + length]:
                    length += 1
                if length == 19:
                    while length < maxlen and d[ref + length] == d[ip + length]:
                        length += 1
            else:
                while length < maxlen and d[ref + length] == d[ip + length]:
                    length += 1
            code = length - 2
            if code < 7:
                out.append((off >> 8) + (code << 5))
            else:
                out.append((off >> 8) + (7 << 5))
                out.append(code - 7)
            out.append(off & 0xFF)
            run = len(out)
            out.append(0)
            lit = 0
            ip += length
            if ip >= n - 2:
                break
            for back in (ip - 2, ip - 1):   # hash the last two positions of the match
                h = (d[back] << 16) | (d[back + 1] << 8) | d[back + 2]
                table[((h >> 8) - h * 5) & 0xFFFF] = back
        else:
            if len(out) >= out_len:
                return None
            lit += 1
            out.append(d[ip])
            ip += 1
            if lit == 32:
                out[run] = 31
                run = len(out)
                out.append(0)
                lit = 0
    if len(out) + 3 > out_len:
        return None
    while ip < n:
        lit += 1
        out.append(d[ip])
        ip += 1
        if lit == 32:
            out[run] = 31
            run = len(out)
            out.append(0)
            lit = 0
    if lit:
        out[run] = lit - 1
    else:
        del out[run]
    return bytes(out)


# -- primitive writers ---------------------------------------------------------------
def encode_length(n):
    if n < 64:
        return bytes((n,))
    if n < 16384:
        return bytes((0x40 | (n >> 8), n & 0xFF))
    if n <= 0xFFFFFFFF:
        return b"\x80" + struct.pack(">I", n)
    return b"\x81" + struct.pack(">Q", n)


def _canonical_int(s):
    """The integer ``s`` spells in Redis' canonical form (string2ll), or None."""
    if not s or len(s) > 20:
        return None
    c = s[0]
    if not (48 <= c <= 57 or c == 45):
        return None
    try:
        v = int(s)
    except ValueError:
        return None
    if v < _INT64_MIN or v > _INT64_MAX or b"%d" % v != s:
        return None
    return v


def encode_string(s, compress=False):
    """An RDB string object: integer-encoded when Redis would, else raw
    (LZF-compressed when ``compress`` and worth it)."""
    if len(s) <= 11:
        v = _canonical_int(s)
        if v is not None:
            if -128 <= v <= 127:
                return struct.pack("<Bb", 0xC0 | _ENC_INT8, v)
            if -32768 <= v <= 32767:
                return struct.pack("<Bh", 0xC0 | _ENC_INT16, v)
            if -2 ** 31 <= v < 2 ** 31:
                return struct.pack("<Bi", 0xC0 | _ENC_INT32, v)
    if compress and len(s) > 20:
        c = lzf_compress(s)
        if c is not None:
            return (bytes((0xC0 | _ENC_LZF,)) + encode_length(len(c)) + encode_length(len(s))
                    + c)
    return encode_length(len(s)) + s


def _double_string(x):
    """Redis' d2string as ZADD stores a score in a listpack (7.0)."""
    if math.isnan(x):
        return b"nan"
    if math.isinf(x):
        return b"inf" if x > 0 else b"-inf"
    if x == int(x) and -2 ** 63 < x < 2 ** 63 and not (x == 0 and math.copysign(1, x) < 0):
        return b"%d" % int(x)
    return b"%.17g" % x


# -- listpack ------------------------------------------------------------------------
def _lp_backlen(n):
    if n <= 127:
        return bytes((n,))
    if n < 16383:
        return bytes((n >> 7, (n & 127) | 128))
    if n < 2097151:
        return bytes((n >> 14, ((n >> 7) & 127) | 128, (n & 127) | 128))
    if n < 268435455:
        return bytes((n >> 21, ((n >> 14) & 127) | 128, ((n >> 7) & 127) | 128,
                      (n & 127) | 128))
    return bytes((n >> 28, ((n >> 21) & 127) | 128, ((n >> 14) & 127) | 128,
                  ((n >> 7) & 127) | 128, (n & 127) | 128))


def _lp_entry(s):
    v = _canonical_int(s) if type(s) is bytes else s
    if v is not None:
        if 0 <= v <= 127:
            enc = bytes((v,))
        elif -4096 <= v <= 4095:
            u = v & 0x1FFF
            enc = bytes((0xC0 | (u >> 8), u & 0xFF))
        elif -32768 <= v <= 32767:
            enc = b"\xf1" + struct.pack("<h", v)
        elif -8388608 <= v <= 8388607:
            enc = b"\xf2" + struct.pack("<i", v)[:3]
        elif -2 ** 31 <= v < 2 ** 31:
            enc = b"\xf3" + struct.pack("<i", v)
        else:
            enc = b"\xf4" + struct.pack("<q", v)
    else:
        n = len(s)
        if n < 64:
            enc = bytes((0x80 | n,)) + s
        elif n < 4096:
            enc = bytes((0xE0 | (n >> 8), n & 0xFF)) + s
        else:
            enc = b"\xf0" + struct.pack("<I", n) + s
    return enc + _lp_backlen(len(enc))


def encode_listpack(items):
    body = b"".join(_lp_entry(x) for x in items)
    count = len(items)
    total = 6 + len(body) + 1
    return struct.pack("<IH", total, count if count < 65535 else 65535) + body + b"\xff"


def decode_listpack(blob):
    """The elements of a listpack (bytes for strings, int for integers)."""
    n = len(blob)
    if n < 7:
        raise RDBError("listpack too short")
    total, count = struct.unpack_from("<IH", blob, 0)
    if total != n or blob[-1] != 0xFF:
        raise RDBError("listpack header does not match its size")
    out = []
    p = 6
    try:
        while True:
            b = blob[p]
            if b == 0xFF:
                break
            start = p
            if b < 0x80:
                out.append(b)
                p += 1
            elif b < 0xC0:
                ln = b & 0x3F
                out.append(bytes(blob[p + 1:p + 1 + ln]))
                p += 1 + ln
            elif b < 0xE0:
                u = ((b & 0x1F) << 8) | blob[p + 1]
                out.append(u - 0x2000 if u >= 0x1000 else u)
                p += 2
            elif b < 0xF0:
                ln = ((b & 0x0F) << 8) | blob[p + 1]
                out.append(bytes(blob[p + 2:p + 2 + ln]))
                p += 2 + ln
            elif b == 0xF0:
                ln = struct.unpack_from("<I", blob, p + 1)[0]
                out.append(bytes(blob[p + 5:p + 5 + ln]))
                p += 5 + ln
            elif b == 0xF1:
                out.append(struct.unpack_from("<h", blob, p + 1)[0])
                p += 3
            elif b == 0xF2:
                u = blob[p + 1] | (blob[p + 2] << 8) | (blob[p + 3] << 16)
                out.append(u - 0x1000000 if u & 0x800000 else u)
                p += 4
            elif b == 0xF3:
                out.append(struct.unpack_from("<i", blob, p + 1)[0])
                p += 5
            elif b == 0xF4:
                out.append(struct.unpack_from("<q", blob, p + 1)[0])
                p += 9
            else:
                raise RDBError("invalid listpack entry encoding")
            if p > n - 1:
                raise RDBError("listpack entry past the end")
            back = _lp_backlen(p - start)
            if blob[p:p + len(back)] != back:
                raise RDBError("listpack entry back-length is wrong")
            p += len(back)
    except (IndexError, struct.error):
        raise RDBError("truncated listpack") from None
    if p != n - 1:
        raise RDBError("listpack end marker misplaced")
    if count != 65535 and count != len(out):
        raise RDBError("listpack element count is wrong")
    return out


# -- ziplist -------------------------------------------------------------------------
def decode_ziplist(blob):
    n = len(blob)
    if n < 11:
        raise RDBError("ziplist too short")
    total, tail, count = struct.unpack_from("<IIH", blob, 0)
    if total != n or blob[-1] != 0xFF:
        raise RDBError("ziplist header does not match its size")
    out = []
    p = 10
    try:
        while blob[p] != 0xFF:
            p += 5 if blob[p] == 0xFE else 1   # prevlen
            b = blob[p]
            kind = b >> 6
            if kind == 0:
                ln = b & 0x3F
                out.append(bytes(blob[p + 1:p + 1 + ln]))
                p += 1 + ln
            elif kind == 1:
                ln = ((b & 0x3F) << 8) | blob[p + 1]
                out.append(bytes(blob[p + 2:p + 2 + ln]))
                p += 2 + ln
            elif kind == 2:
                ln = struct.unpack_from(">I", blob, p + 1)[0]
                out.append(bytes(blob[p + 5:p + 5 + ln]))
                p += 5 + ln
            elif b == 0xC0:
                out.append(struct.unpack_from("<h", blob, p + 1)[0])
                p += 3
            elif b == 0xD0:
                out.append(struct.unpack_from("<i", blob, p + 1)[0])
                p += 5
            elif b == 0xE0:
                out.append(struct.unpack_from("<q", blob, p + 1)[0])
                p += 9
            elif b == 0xF0:
                u = blob[p + 1] | (blob[p + 2] << 8) | (blob[p + 3] << 16)
                out.append(u - 0x1000000 if u & 0x800000 else u)
                p += 4
            elif b == 0xFE:
                out.append(struct.unpack_from("<b", blob, p + 1)[0])
                p += 2
            elif 0xF1 <= b <= 0xFD:
                out.append((b & 0x0F) - 1)
                p += 1
            else:
                raise RDBError("invalid ziplist entry encoding")
            if p >= n:
                raise RDBError("ziplist entry past the end")
    except (IndexError, struct.error):
        raise RDBError("truncated ziplist") from None
    if p != n - 1:
        raise RDBError("ziplist end marker misplaced")
    if count != 65535 and count != len(out):
        raise RDBError("ziplist element count is wrong")
    return out


# -- intset, zipmap ------------------------------------------------------------------
def encode_intset(values):
    values = sorted(values)
    lo, hi = values[0], values[-1]
    if -32768 <= lo and hi <= 32767:
        width, fmt = 2, "h"
    elif -2 ** 31 <= lo and hi < 2 ** 31:
        width, fmt = 4, "i"
    else:
        width, fmt = 8, "q"
    return struct.pack("<II", width, len(values)) + struct.pack("<%d%s" % (len(values), fmt),
                                                                *values)


def decode_intset(blob):
    if len(blob) < 8:
        raise RDBError("intset too short")
    width, count = struct.unpack_from("<II", blob, 0)
    fmt = {2: "h", 4: "i", 8: "q"}.get(width)
    if fmt is None or len(blob) != 8 + width * count:
        raise RDBError("intset header does not match its size")
    values = struct.unpack_from("<%d%s" % (count, fmt), blob, 8)
    if any(values[i] >= values[i + 1] for i in range(count - 1)):
        raise RDBError("intset is not sorted")
    return [b"%d" % v for v in values]


def decode_zipmap(blob):
    out = []
    n = len(blob)
    p = 1

    def length(p):
        b = blob[p]
        if b < 254:
            return b, p + 1
        if b == 254:
            return struct.unpack_from("<I", blob, p + 1)[0], p + 5
        raise RDBError("invalid zipmap length")

    try:
        while blob[p] != 0xFF:
            ln, p = length(p)
            key = bytes(blob[p:p + ln])
            p += ln
            ln, p = length(p)
            free = blob[p]
            p += 1
            val = bytes(blob[p:p + ln])
            p += ln + free
            if p >= n:
                raise RDBError("zipmap entry past the end")
            out.append((key, val))
    except (IndexError, struct.error):
        raise RDBError("truncated zipmap") from None
    if p != n - 1:
        raise RDBError("zipmap end marker misplaced")
    return out


# -- typed values --------------------------------------------------------------------
def _typed_encode(v, out):
    t = type(v)
    if v is None:
        out.append(b"N")
    elif v is True:
        out.append(b"T")
    elif v is False:
        out.append(b"F")
    elif t is int:
        out.append(b"I%d;" % v)
    elif t is float:
        out.append(b"D" + struct.pack("<d", v))
    elif t is Verbatim:
        out.append(b"V%d;" % len(v) + v)
    elif isinstance(v, bytes):
        out.append(b"B%d;" % len(v) + bytes(v))
    elif isinstance(v, str):
        b = v.encode()
        out.append(b"B%d;" % len(b) + b)
    elif isinstance(v, dict):
        out.append(b"M%d;" % len(v))
        for k, x in v.items():
            _typed_encode(k, out)
            _typed_encode(x, out)
    elif t is RespSet or isinstance(v, (set, frozenset)):
        out.append(b"E%d;" % len(v))
        for x in v:
            _typed_encode(x, out)
    elif isinstance(v, (list, tuple)):
        out.append(b"L%d;" % len(v))
        for x in v:
            _typed_encode(x, out)
    else:
        raise RDBError("cannot encode a typed value of type %s" % t.__name__)


def encode_typed(value):
    out = [TYPED_MAGIC]
    _typed_encode(value, out)
    return b"".join(out)


def _typed_decode(data, p, depth=0):
    if depth > 512:
        raise RDBError("typed value nested too deep")
    tag = data[p:p + 1]
    p += 1
    if tag == b"N":
        return None, p
    if tag == b"T":
        return True, p
    if tag == b"F":
        return False, p
    if tag == b"D":
        if p + 8 > len(data):
            raise RDBError("truncated typed value")
        return struct.unpack_from("<d", data, p)[0], p + 8
    end = data.find(b";", p)
    if end < 0 or tag not in b"IBVLEM" or not tag:
        raise RDBError("invalid typed value")
    try:
        n = int(data[p:end])
    except ValueError:
        raise RDBError("invalid typed value") from None
    p = end + 1
    if tag == b"I":
        return n, p
    if n < 0:
        raise RDBError("invalid typed value")
    if tag in (b"B", b"V"):
        if p + n > len(data):
            raise RDBError("truncated typed value")
        s = bytes(data[p:p + n])
        return (Verbatim(s) if tag == b"V" else s), p + n
    if tag == b"M":
        d = {}
        for _ in range(n):
            k, p = _typed_decode(data, p, depth + 1)
            v, p = _typed_decode(data, p, depth + 1)
            try:
                d[k] = v
            except TypeError:
                raise RDBError("invalid typed value: unhashable key") from None
        return d, p
    items = []
    for _ in range(n):
        x, p = _typed_decode(data, p, depth + 1)
        items.append(x)
    return (RespSet(items) if tag == b"E" else items), p


def decode_typed(data):
    """The typed value a TYPED_MAGIC string holds, or None if it is not one."""
    try:
        v, p = _typed_decode(data, len(TYPED_MAGIC))
    except (RDBError, RecursionError):
        return None
    if p != len(data):
        return None
    return TypedValue(v)


# -- encode_value --------------------------------------------------------------------
def _list_nodes(items):
    nodes, cur, size = [], [], 0
    for x in items:
        entry = len(x) + 11
        if cur and size + entry > _LIST_NODE_BYTES:
            nodes.append(cur)
            cur, size = [], 0
        cur.append(x)
        size += entry
    if cur:
        nodes.append(cur)
    return nodes


def encode_value(value, compress=False, hash_max_entries=128, hash_max_value=64,
                 set_max_intset_entries=512, zset_max_entries=128, zset_max_value=64):
    """``(type_byte, payload)`` of a value as Redis 7.0 writes it."""
    t = type(value)
    if t is bytes:
        return TYPE_STRING, encode_string(value, compress)
    if t is TypedValue:
        return TYPE_STRING, encode_string(encode_typed(value.value), compress)
    if t is ListValue:
        nodes = _list_nodes(value)
        parts = [encode_length(len(nodes))]
        for node in nodes:
            parts.append(encode_length(_QUICKLIST_PACKED))
            parts.append(encode_string(encode_listpack(node), compress))
        return TYPE_LIST_QUICKLIST_2, b"".join(parts)
    if t is HashValue:
        if len(value) <= hash_max_entries and all(
                len(k) <= hash_max_value and len(v) <= hash_max_value
                for k, v in value.items()):
            flat = []
            for k, v in value.items():
                flat.append(k)
                flat.append(v)
            return TYPE_HASH_LISTPACK, encode_string(encode_listpack(flat), compress)
        parts = [encode_length(len(value))]
        for k, v in value.items():
            parts.append(encode_string(k, compress))
            parts.append(encode_string(v, compress))
        return TYPE_HASH, b"".join(parts)
    if t is SetValue:
        if value and len(value) <= set_max_intset_entries:
            ints = [_canonical_int(m) for m in value]
            if None not in ints:
                return TYPE_SET_INTSET, encode_string(encode_intset(ints), compress)
        parts = [encode_length(len(value))]
        parts.extend(encode_string(m, compress) for m in value)
        return TYPE_SET, b"".join(parts)
    if t is ZSetValue:
        pairs = list(value.index)
        if len(pairs) <= zset_max_entries and all(len(m) <= zset_max_value for _, m in pairs):
            flat = []
            for score, member in pairs:
                flat.append(member)
                flat.append(_double_string(score))
            return TYPE_ZSET_LISTPACK, encode_string(encode_listpack(flat), compress)
        parts = [encode_length(len(pairs))]
        for score, member in reversed(pairs):   # Redis writes from the tail
            parts.append(encode_string(member, compress))
            parts.append(struct.pack("<d", score))
        return TYPE_ZSET_2, b"".join(parts)
    if t is StreamValue:
        return TYPE_STREAM_LISTPACKS_2, _encode_stream(value, compress)
    raise RDBError("cannot encode a value of type %s" % t.__name__)


# -- streams -------------------------------------------------------------------------
def _signed(d):
    d &= U64
    return d - (1 << 64) if d >> 63 else d


def _raw_id(i):
    return struct.pack(">QQ", i >> 64, i & U64)


def _id_lengths(i):
    return encode_length(i >> 64) + encode_length(i & U64)


def _stream_node_listpack(master, fields, ids, entries):
    items = [len(ids), 0, len(fields), *fields, 0]
    mms, mseq = master >> 64, master & U64
    for i in ids:
        pairs = entries[i]
        efields = pairs[0::2]
        same = list(efields) == list(fields)
        items.append(2 if same else 0)
        items.append(_signed((i >> 64) - mms))
        items.append(_signed((i & U64) - mseq))
        n = len(efields)
        if same:
            items.extend(pairs[1::2])
            items.append(n + 3)
        else:
            items.append(n)
            items.extend(pairs)
            items.append(2 * n + 4)
    return encode_listpack(items)


def _encode_stream(sv, compress):
    """STREAM_LISTPACKS_2: one listpack per node of live entries (deleted
    entries are not kept by redlet, so a node is written without them)."""
    nodes = []
    masters = [n.master for n in sv.nodes]
    for k, node in enumerate(sv.nodes):
        hi = masters[k + 1] - 1 if k + 1 < len(masters) else (U64 << 64) | U64
        ids = list(sv.ids.irange(node.master, hi))
        if ids:
            nodes.append((node.master, list(node.fields), ids))
    covered = sum(len(n[2]) for n in nodes)
    if covered != len(sv.ids):          # no node model: one listpack per 100 entries
        nodes = []
        ids = list(sv.ids)
        for j in range(0, len(ids), 100):
            chunk = ids[j:j + 100]
            nodes.append((chunk[0], list(sv.entries[chunk[0]][0::2]), chunk))
    parts = [encode_length(len(nodes))]
    for master, fields, ids in nodes:
        parts.append(encode_string(_raw_id(master)))
        parts.append(encode_string(_stream_node_listpack(master, fields, ids, sv.entries),
                                   compress))
    parts.append(encode_length(len(sv.ids)))
    parts.append(_id_lengths(sv.last_id))
    parts.append(_id_lengths(sv.first_id))
    parts.append(_id_lengths(sv.max_deleted_id))
    parts.append(encode_length(sv.entries_added))
    parts.append(encode_length(len(sv.groups)))
    for g in sv.sorted_groups():
        parts.append(encode_string(g.name))
        parts.append(_id_lengths(g.last_id))
        parts.append(encode_length(g.entries_read & U64))
        parts.append(encode_length(len(g.pel)))
        for i, nack in g.pel.items():
            parts.append(_raw_id(i) + struct.pack("<Q", nack.delivery_time & U64)
                         + encode_length(nack.delivery_count))
        consumers = g.sorted_consumers()
        parts.append(encode_length(len(consumers)))
        for c in consumers:
            parts.append(encode_string(c.name) + struct.pack("<Q", c.seen_time & U64))
            parts.append(encode_length(len(c.pel)))
            parts.extend(_raw_id(i) for i in c.pel)
    return b"".join(parts)


def _read_raw_id(r):
    ms, seq = struct.unpack(">QQ", r.take(16))
    return make_id(ms, seq)


def _read_id_lengths(r):
    ms = r.length()
    return make_id(ms, r.length())


def _decode_stream(r, v2):
    sv = StreamValue()
    last_added = -1
    for _ in range(r.length()):
        key = r.string()
        if len(key) != 16:
            raise RDBError("stream node key is not a 128 bit id")
        mms, mseq = struct.unpack(">QQ", key)
        items = decode_listpack(r.string())
        if not items:
            raise RDBError("empty listpack inside a stream")
        try:
            count, deleted, nfields = items[0], items[1], items[2]
            fields = [_as_bytes(f) for f in items[3:3 + nfields]]
            if items[3 + nfields] != 0:
                raise RDBError("stream master entry not terminated")
            p = 4 + nfields
            for _ in range(count + deleted):
                flags, dms, dseq = items[p], items[p + 1], items[p + 2]
                p += 3
                if flags & 2:
                    values = [_as_bytes(x) for x in items[p:p + nfields]]
                    p += nfields
                    pairs = []
                    for f, x in zip(fields, values):
                        pairs += (f, x)
                else:
                    n = items[p]
                    pairs = [_as_bytes(x) for x in items[p + 1:p + 1 + 2 * n]]
                    p += 1 + 2 * n
                if len(pairs) & 1 or (flags & 2 and len(values) != nfields):
                    raise RDBError("truncated stream entry")
                p += 1                          # lp-count
                i = make_id((mms + dms) & U64, (mseq + dseq) & U64)
                if flags & 1:
                    continue
                if i <= last_added:
                    raise RDBError("stream ids out of order")
                sv.append(i, tuple(pairs))
                last_added = i
            if p != len(items):
                raise RDBError("stream listpack has trailing elements")
        except (TypeError, IndexError):
            raise RDBError("bad stream listpack") from None
    length = r.length()
    if length != len(sv.ids):
        raise RDBError("stream length does not match its entries")
    sv.last_id = _read_id_lengths(r)
    if v2:
        _read_id_lengths(r)                     # first id: recomputed from the entries
        sv.max_deleted_id = _read_id_lengths(r)
        sv.entries_added = r.length()
    else:
        sv.entries_added = length
    if sv.ids and sv.ids[-1] > sv.last_id:
        raise RDBError("stream last id is below an entry")
    for _ in range(r.length()):
        name = r.string()
        last = _read_id_lengths(r)
        entries_read = -1
        if v2:
            entries_read = r.length()
            if entries_read == U64:
                entries_read = -1
        g = Group(name, last, entries_read)
        if name in sv.groups:
            raise RDBError("duplicated consumer group name")
        sv.groups[name] = g
        for _ in range(r.length()):
            i = _read_raw_id(r)
            when = struct.unpack("<Q", r.take(8))[0]
            if i in g.pel:
                raise RDBError("duplicated global PEL entry")
            g.pel[i] = Nack(None, when, r.length())
        for _ in range(r.length()):
            cname = r.string()
            c = Consumer(cname, struct.unpack("<Q", r.take(8))[0])
            if cname in g.consumers:
                raise RDBError("duplicated consumer name")
            g.consumers[cname] = c
            for _ in range(r.length()):
                i = _read_raw_id(r)
                nack = g.pel.get(i)
                if nack is None or nack.consumer is not None:
                    raise RDBError("consumer PEL entry not in the group's PEL")
                nack.consumer = c
                c.pel[i] = nack
        if any(n.consumer is None for n in g.pel.values()):
            raise RDBError("group PEL entry without a consumer")
    return sv


# -- decoding ------------------------------------------------------------------------
class _Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data, pos=0):
        self.data = data
        self.pos = pos

    def take(self, n):
        p = self.pos
        if n < 0 or p + n > len(self.data):
            raise RDBError("unexpected end of RDB data")
        self.pos = p + n
        return self.data[p:p + n]

    def byte(self):
        return self.take(1)[0]

    def length_or_encoding(self):
        """(length, is_encoded): the encoding number when is_encoded."""
        b = self.byte()
        kind = b >> 6
        if kind == 0:
            return b & 0x3F, False
        if kind == 1:
            return ((b & 0x3F) << 8) | self.byte(), False
        if kind == 3:
            return b & 0x3F, True
        if b == 0x80:
            return struct.unpack(">I", self.take(4))[0], False
        if b == 0x81:
            return struct.unpack(">Q", self.take(8))[0], False
        raise RDBError("unknown length encoding 0x%02x" % b)

    def length(self):
        n, encoded = self.length_or_encoding()
        if encoded:
            raise RDBError("unexpected encoded length")
        return n

    def string(self):
        n, encoded = self.length_or_encoding()
        if not encoded:
            return bytes(self.take(n))
        if n == _ENC_INT8:
            return b"%d" % struct.unpack("<b", self.take(1))[0]
        if n == _ENC_INT16:
            return b"%d" % struct.unpack("<h", self.take(2))[0]
        if n == _ENC_INT32:
            return b"%d" % struct.unpack("<i", self.take(4))[0]
        if n == _ENC_LZF:
            clen = self.length()
            ulen = self.length()
            return lzf_decompress(self.take(clen), ulen)
        raise RDBError("unknown string encoding %d" % n)

    def old_double(self):
        n = self.byte()
        if n == 253:
            return math.nan
        if n == 254:
            return math.inf
        if n == 255:
            return -math.inf
        try:
            return float(self.take(n))
        except ValueError:
            raise RDBError("invalid double") from None

    def binary_double(self):
        return struct.unpack("<d", self.take(8))[0]


def _as_bytes(x):
    return x if type(x) is bytes else b"%d" % x


def _score(x):
    if type(x) is int:
        return float(x)
    try:
        return float(x)
    except ValueError:
        raise RDBError("invalid score in a sorted set") from None


def _pairs(items):
    if len(items) & 1:
        raise RDBError("odd number of elements in a key/value encoding")
    return zip(items[0::2], items[1::2])


def _zset_from(pairs):
    z = ZSetValue()
    for member, score in pairs:
        if math.isnan(score):
            raise RDBError("NaN score in a sorted set")
        if not z.add(member, score):
            raise RDBError("duplicate member in a sorted set")
    return z


def _hash_from(pairs):
    h = HashValue()
    for k, v in pairs:
        if k in h:
            raise RDBError("duplicate field in a hash")
        h[k] = v
    return h


def _set_from(members):
    s = SetValue(members)
    if len(s) != len(members):
        raise RDBError("duplicate member in a set")
    return s


def _decode(r, t):
    if t == TYPE_STRING:
        s = r.string()
        if s.startswith(TYPED_MAGIC):
            typed = decode_typed(s)
            if typed is not None:
                return typed
        return s
    if t == TYPE_LIST:
        return ListValue(r.string() for _ in range(r.length()))
    if t == TYPE_SET:
        return _set_from([r.string() for _ in range(r.length())])
    if t in (TYPE_ZSET, TYPE_ZSET_2):
        n = r.length()
        read = r.old_double if t == TYPE_ZSET else r.binary_double
        return _zset_from([(r.string(), read()) for _ in range(n)])
    if t == TYPE_HASH:
        n = r.length()
        return _hash_from([(r.string(), r.string()) for _ in range(n)])
    if t == TYPE_HASH_ZIPMAP:
        return _hash_from(decode_zipmap(r.string()))
    if t == TYPE_LIST_ZIPLIST:
        return ListValue(_as_bytes(x) for x in decode_ziplist(r.string()))
    if t == TYPE_SET_INTSET:
        return _set_from(decode_intset(r.string()))
    if t in (TYPE_ZSET_ZIPLIST, TYPE_ZSET_LISTPACK):
        blob = r.string()
        items = decode_ziplist(blob) if t == TYPE_ZSET_ZIPLIST else decode_listpack(blob)
        return _zset_from([(_as_bytes(m), _score(s)) for m, s in _pairs(items)])
    if t in (TYPE_HASH_ZIPLIST, TYPE_HASH_LISTPACK):
        blob = r.string()
        items = decode_ziplist(blob) if t == TYPE_HASH_ZIPLIST else decode_listpack(blob)
        return _hash_from([(_as_bytes(k), _as_bytes(v)) for k, v in _pairs(items)])
    if t == TYPE_LIST_QUICKLIST:
        out = ListValue()
        for _ in range(r.length()):
            out.extend(_as_bytes(x) for x in decode_ziplist(r.string()))
        return out
    if t == TYPE_LIST_QUICKLIST_2:
        out = ListValue()
        for _ in range(r.length()):
            container = r.length()
            blob = r.string()
            if container == _QUICKLIST_PLAIN:
                out.append(blob)
            elif container == _QUICKLIST_PACKED:
                out.extend(_as_bytes(x) for x in decode_listpack(blob))
            else:
                raise RDBError("unknown quicklist container %d" % container)
        return out
    if t in (TYPE_MODULE, TYPE_MODULE_2):
        raise RDBError("unsupported: module value types")
    if t in (TYPE_STREAM_LISTPACKS, TYPE_STREAM_LISTPACKS_2):
        return _decode_stream(r, t == TYPE_STREAM_LISTPACKS_2)
    if t == 21:
        raise RDBError("unsupported: Redis 7.2 streams (STREAM_LISTPACKS_3)")
    raise RDBError("unknown value type %d" % t)


def decode_value(type_byte, data, pos=0):
    """``(value, newpos)``: the value of type ``type_byte`` at ``data[pos:]``.
    An empty collection comes back empty (Redis skips such keys)."""
    r = _Reader(data, pos)
    try:
        v = _decode(r, type_byte)
    except RDBError:
        raise
    except (IndexError, struct.error, ValueError, OverflowError, MemoryError) as e:
        raise RDBError("bad RDB value: %s" % e) from None
    return v, r.pos


_COLLECTIONS = (ListValue, HashValue, SetValue, ZSetValue)


def _is_empty(v):
    """An empty list, hash, set or sorted set (a stream may be empty)."""
    return type(v) in _COLLECTIONS and len(v) == 0


# -- DUMP / RESTORE ------------------------------------------------------------------
def dump_payload(value, **limits):
    """DUMP's serialized value: type, payload, RDB version (2 bytes LE), CRC64 (8 bytes LE)."""
    t, payload = encode_value(value, **limits)
    body = bytes((t,)) + payload + struct.pack("<H", RDB_VERSION)
    return body + struct.pack("<Q", crc64(body))


def verify_payload(data):
    """True if ``data`` has an acceptable RDB version and a matching CRC64."""
    if len(data) < 10:
        return False
    version = struct.unpack_from("<H", data, len(data) - 10)[0]
    if version > RDB_VERSION:
        return False
    return struct.unpack_from("<Q", data, len(data) - 8)[0] == crc64(data[:-8])


def restore_payload(data):
    """The value a DUMP payload holds (RDBError for a bad version, checksum or body)."""
    if not verify_payload(data):
        raise RDBError("DUMP payload version or checksum are wrong")
    # read from the whole payload as Redis does (a value may run into the footer)
    value, _ = decode_value(data[0], data, 1)
    if _is_empty(value):
        raise RDBError("Bad data format: empty value")
    return value


# -- whole files ---------------------------------------------------------------------
def default_aux(ctime=None, used_mem=0):
    import time
    return [(b"redis-ver", b"7.0.15"), (b"redis-bits", b"64"),
            (b"ctime", b"%d" % int(ctime if ctime is not None else time.time())),
            (b"used-mem", b"%d" % used_mem), (b"aof-base", b"0")]


class _CRCWriter:
    __slots__ = ("f", "crc")

    def __init__(self, f):
        self.f = f
        self.crc = 0

    def write(self, b):
        self.crc = crc64(b, self.crc)
        self.f.write(b)


def write_rdb(databases, fileobj, aux=None, compress=False, **limits):
    """Write an RDB file: ``databases`` is an iterable of ``(db_index, entries)``
    with entries ``(key, value, expire_ms_or_None)`` (or a sized collection of
    them, for RESIZEDB's sizes).  Empty collections are left out, as Redis
    never stores them."""
    w = _CRCWriter(fileobj)
    w.write(b"REDIS%04d" % RDB_VERSION)
    for k, v in (default_aux() if aux is None else aux):
        k = k.encode() if isinstance(k, str) else k
        v = v.encode() if isinstance(v, str) else v
        w.write(bytes((OP_AUX,)) + encode_string(k) + encode_string(v))
    for index, entries in databases:
        entries = list(entries)
        if not entries:
            continue
        w.write(bytes((OP_SELECTDB,)) + encode_length(index))
        expiring = sum(1 for e in entries if e[2] is not None)
        w.write(bytes((OP_RESIZEDB,)) + encode_length(len(entries)) + encode_length(expiring))
        for key, value, expire in entries:
            if _is_empty(value):
                continue
            t, payload = encode_value(value, compress=compress, **limits)
            parts = []
            if expire is not None:
                parts.append(bytes((OP_EXPIRETIME_MS,)) + struct.pack("<q", expire))
            parts.append(bytes((t,)))
            parts.append(encode_string(key, compress))
            parts.append(payload)
            w.write(b"".join(parts))
    w.write(bytes((OP_EOF,)))
    fileobj.write(struct.pack("<Q", w.crc))


def read_rdb(data, meta=None):
    """Iterate ``(db_index, key, value, expire_ms_or_None)`` over an RDB file's
    bytes.  The checksum is verified first (0 means disabled).  ``meta``, a
    dict if given, receives ``aux`` (a dict), ``functions`` (library codes,
    which are not loaded), ``version`` and per-key ``idle``/``freq`` as
    ``lru`` (key -> (idle, freq)).  Empty collections are skipped, as Redis
    does."""
    data = memoryview(data) if not isinstance(data, (bytes, bytearray)) else data
    if len(data) < 9 or bytes(data[:5]) != b"REDIS":
        raise RDBError("wrong signature: not an RDB file")
    try:
        version = int(bytes(data[5:9]))
    except ValueError:
        raise RDBError("wrong signature: bad RDB version") from None
    if version < 1 or version > RDB_VERSION:
        raise RDBError("can't handle RDB format version %d" % version)
    if version >= 5:
        if len(data) < 18:
            raise RDBError("unexpected end of RDB data")
        stored = struct.unpack_from("<Q", data, len(data) - 8)[0]
        if stored and stored != crc64(data[:-8]):
            raise RDBError("wrong RDB checksum")
    if meta is not None:
        meta.setdefault("aux", {})
        meta.setdefault("functions", [])
        meta.setdefault("lru", {})
        meta["version"] = version
    return _records(data, meta, version)


def _records(data, meta, version):
    r = _Reader(data, 9)
    db = 0
    expire = None
    idle = freq = None
    try:
        while True:
            op = r.byte()
            if op == OP_EOF:
                break
            if op == OP_SELECTDB:
                db = r.length()
                continue
            if op == OP_RESIZEDB:
                r.length()
                r.length()
                continue
            if op == OP_AUX:
                k, v = r.string(), r.string()
                if meta is not None:
                    meta["aux"][k] = v
                continue
            if op == OP_EXPIRETIME_MS:
                expire = struct.unpack("<q", r.take(8))[0]
                continue
            if op == OP_EXPIRETIME:
                expire = struct.unpack("<i", r.take(4))[0] * 1000
                continue
            if op == OP_IDLE:
                idle = r.length()
                continue
            if op == OP_FREQ:
                freq = r.byte()
                continue
            if op == OP_FUNCTION2:
                code = r.string()
                if meta is not None:
                    meta["functions"].append(code)
                continue
            if op == OP_FUNCTION:
                raise RDBError("unsupported: pre-release FUNCTION opcode")
            if op == OP_MODULE_AUX:
                raise RDBError("unsupported: module auxiliary data")
            key = r.string()
            value = _decode(r, op)
            when, expire = expire, None
            lru, idle, freq = (idle, freq), None, None
            if _is_empty(value):
                continue
            if meta is not None and lru != (None, None):
                meta["lru"][(db, key)] = lru
            yield db, key, value, when
    except RDBError:
        raise
    except (IndexError, struct.error, ValueError, OverflowError, MemoryError) as e:
        raise RDBError("bad RDB data: %s" % e) from None
    if version >= 5 and r.pos != len(data) - 8:
        raise RDBError("unexpected data after the EOF opcode")
