"""Text formats of the scripting commands: shebang lines and FUNCTION DUMP payloads.

* ``split_args`` is Redis' ``sdssplitargs`` (quotes, ``\\x`` escapes), used
  for ``#!lua flags=...`` and ``#!lua name=...`` lines.
* ``dump_libraries``/``load_payload`` write and read the payload of FUNCTION
  DUMP/RESTORE in Redis' format: per library the RDB opcode FUNCTION2 (245)
  and the code as an RDB string, then the RDB version (10) and a CRC64
  (Jones polynomial, reflected) of everything before it.  Strings are written
  uncompressed; LZF-compressed strings (what redis-server writes) are read.
"""
from ..persistence.rdb import crc64   # Redis' crc64 (crcmod's C one when built)

RDB_VERSION = 10
OPCODE_FUNCTION = 246       # the pre-7.0 GA format (name, engine, desc, code)
OPCODE_FUNCTION2 = 245


class PayloadError(Exception):
    pass


def split_args(line):
    """``sdssplitargs``: the words of ``line`` (bytes), or None on bad quoting."""
    out = []
    p, n = 0, len(line)
    space = b" \n\r\t\v\f"
    while True:
        while p < n and line[p] in space:
            p += 1
        if p >= n:
            return out
        cur = bytearray()
        inq = insq = False
        while True:
            c = line[p] if p < n else 0
            if inq:
                if c == 0x5C and p + 3 < n + 0 and line[p + 1:p + 2] == b"x" and \
                        _ishex(line[p + 2:p + 3]) and _ishex(line[p + 3:p + 4]):
                    cur.append(int(line[p + 2:p + 4], 16))
                    p += 3
                elif c == 0x5C and p + 1 < n:
                    p += 1
                    e = line[p]
                    cur.append({0x6E: 10, 0x72: 13, 0x74: 9, 0x62: 8, 0x61: 7}.get(e, e))
                elif c == 0x22:
                    if p + 1 < n and line[p + 1] not in space:
                        return None
                    p += 1
                    break
                elif p >= n:
                    return None
                else:
                    cur.append(c)
            elif insq:
                if c == 0x5C and line[p + 1:p + 2] == b"'":
                    p += 1
                    cur.append(0x27)
                elif c == 0x27:
                    if p + 1 < n and line[p + 1] not in space:
                        return None
                    p += 1
                    break
                elif p >= n:
                    return None
                else:
                    cur.append(c)
            else:
                if p >= n or c in space:
                    break
                if c == 0x22:
                    inq = True
                elif c == 0x27:
                    insq = True
                else:
                    cur.append(c)
            p += 1
        out.append(bytes(cur))


def _ishex(b):
    return len(b) == 1 and b in b"0123456789abcdefABCDEF"


# -- RDB strings ----------------------------------------------------------------------
def _rdb_len(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xFF])
    if n <= 0xFFFFFFFF:
        return b"\x80" + n.to_bytes(4, "big")
    return b"\x81" + n.to_bytes(8, "big")


def rdb_string(b):
    return _rdb_len(len(b)) + b


class _Reader:
    def __init__(self, data, end):
        self.data = data
        self.pos = 0
        self.end = end

    def take(self, n):
        if self.pos + n > self.end:
            raise PayloadError("truncated")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def byte(self):
        return self.take(1)[0]

    def length(self):
        """(value, is_encoded)"""
        b = self.byte()
        kind = b >> 6
        if kind == 0:
            return b & 0x3F, False
        if kind == 1:
            return ((b & 0x3F) << 8) | self.byte(), False
        if kind == 3:
            return b & 0x3F, True
        if b == 0x80:
            return int.from_bytes(self.take(4), "big"), False
        if b == 0x81:
            return int.from_bytes(self.take(8), "big"), False
        raise PayloadError("bad length")

    def string(self):
        n, encoded = self.length()
        if not encoded:
            return self.take(n)
        if n == 0:
            return b"%d" % int.from_bytes(self.take(1), "little", signed=True)
        if n == 1:
            return b"%d" % int.from_bytes(self.take(2), "little", signed=True)
        if n == 2:
            return b"%d" % int.from_bytes(self.take(4), "little", signed=True)
        if n == 3:
            clen = self.length()[0]
            ulen = self.length()[0]
            return lzf_decompress(self.take(clen), ulen)
        raise PayloadError("bad string encoding")


def lzf_decompress(data, out_len):
    out = bytearray()
    i, n = 0, len(data)
    while i < n:
        ctrl = data[i]
        i += 1
        if ctrl < 32:                      # literal run of ctrl + 1 bytes
            run = ctrl + 1
            if i + run > n:
                raise PayloadError("bad lzf data")
            out += data[i:i + run]
            i += run
        else:                              # back reference
            length = ctrl >> 5
            if length == 7:
                if i >= n:
                    raise PayloadError("bad lzf data")
                length += data[i]
                i += 1
            if i >= n:
                raise PayloadError("bad lzf data")
            ref = len(out) - ((ctrl & 0x1F) << 8) - data[i] - 1
            i += 1
            if ref < 0:
                raise PayloadError("bad lzf data")
            for _ in range(length + 2):
                out.append(out[ref])
                ref += 1
    if len(out) != out_len:
        raise PayloadError("bad lzf length")
    return bytes(out)


def dump_libraries(codes):
    """A FUNCTION DUMP payload holding the libraries' code (bytes)."""
    body = b"".join(bytes([OPCODE_FUNCTION2]) + rdb_string(c) for c in codes)
    body += RDB_VERSION.to_bytes(2, "little")
    return body + crc64(body).to_bytes(8, "little")


def verify_payload(data):
    """True if the trailer (RDB version <= 10, CRC64) is right."""
    if len(data) < 10:
        return False
    version = int.from_bytes(data[-10:-8], "little")
    if version > RDB_VERSION:
        return False
    crc = int.from_bytes(data[-8:], "little")
    return crc == 0 or crc64(data[:-8]) == crc


def load_payload(data):
    """The libraries' code in a verified payload; PayloadError with Redis'
    message when an entry is not a function."""
    r = _Reader(data, len(data) - 10)
    codes = []
    while r.pos < r.end:
        try:
            t = r.byte()
        except PayloadError:
            raise PayloadError("can not read data type") from None
        if t == OPCODE_FUNCTION2:
            try:
                codes.append(r.string())
            except PayloadError:
                raise PayloadError("failed loading the given functions payload") from None
        elif t == OPCODE_FUNCTION:
            try:
                r.string()                  # name
                r.string()                  # engine
                if r.byte():                # has a description
                    r.string()
                codes.append(r.string())
            except PayloadError:
                raise PayloadError("failed loading the given functions payload") from None
        else:
            raise PayloadError("given type is not a function")
    return codes
