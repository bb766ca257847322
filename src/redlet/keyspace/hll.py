"""HyperLogLog values, in Redis 7.0's own string representation.

An HLL is a plain string value (``bytes`` in the keyspace), so that GET, SET,
APPEND, DUMP/RESTORE and snapshots carry it unchanged between redlet and
Redis.  The layout, as Redis documents it in hyperloglog.c:

* a 16-byte header: ``b"HYLL"``, the encoding (0 dense, 1 sparse), three
  unused bytes, the cached cardinality as 8 little-endian bytes whose top bit
  (bit 7 of byte 15) set means "stale, recompute";
* 16384 registers of 6 bits.  Dense: packed LSB first, 12288 bytes.  Sparse:
  run-length opcodes, ``00xxxxxx`` ZERO (1-64 zero registers), ``01xxxxxx
  yyyyyyyy`` XZERO (1-16384 zero registers), ``1vvvvvxx`` VAL (1-4 registers
  of value 1-32).  A sparse HLL becomes dense when a value above 32 is needed
  or when it would grow past ``hll-sparse-max-bytes``.

Elements are hashed with MurmurHash64A (seed 0xadc83b19): the low 14 bits
pick the register, and the position of the lowest set bit of the rest (plus
one) is the candidate value.  The cardinality is Ertl's "new estimator"
(arXiv:1702.01284) over the histogram of register values, as Redis 7.0
computes it, so that the numbers are Redis' own.

The sparse updates reproduce Redis' in-place algorithm step by step (split
of the opcode holding the register, then a merge of equal neighbouring VALs
over at most five opcodes), since the bytes of the result depend on it.  To
keep updates cheap the working form (``HLL``) holds the dense registers one
per byte, or the sparse opcodes as a list with the first register of each
(found by bisection); ``load``/``store`` keep the working forms of recently
stored values, keyed by the value itself, so that a run of PFADDs does not
decode the string again each time.  No protocol knowledge here.
"""
import math
import re
import struct
from bisect import bisect_right
from itertools import accumulate

MAGIC = b"HYLL"
HEADER_SIZE = 16
P = 14
REGISTERS = 1 << P                  # 16384
INDEX_MASK = REGISTERS - 1
Q = 64 - P                          # bits of the hash left for the pattern
DENSE_BYTES = REGISTERS * 6 // 8    # 12288
DENSE_SIZE = HEADER_SIZE + DENSE_BYTES
DENSE = 0
SPARSE = 1
SPARSE_VAL_MAX = 32
SPARSE_VAL_MAX_LEN = 4
SPARSE_ZERO_MAX_LEN = 64
SPARSE_XZERO_MAX_LEN = 16384
SEED = 0xadc83b19
ALPHA_INF = 0.721347520444481703680   # 0.5 / ln(2)

_M = 0xc6a4a7935bd1e995
_MASK64 = (1 << 64) - 1

# -- hashing --------------------------------------------------------------------------


def murmur64a(data, seed=SEED):
    """MurmurHash64A of ``data`` (Austin Appleby's 64-bit hash, little endian)."""
    n = len(data)
    h = (seed ^ (n * _M)) & _MASK64
    blocks = n >> 3
    if blocks:
        for k in struct.unpack_from("<%dQ" % blocks, data):
            k = (k * _M) & _MASK64
            k ^= k >> 47
            h ^= (k * _M) & _MASK64
            h = (h * _M) & _MASK64
    if n & 7:
        h ^= int.from_bytes(data[blocks << 3:], "little")
        h = (h * _M) & _MASK64
    h ^= h >> 47
    h = (h * _M) & _MASK64
    return h ^ (h >> 47)


def pattern(element):
    """(register index, value) an element proposes: the value is the number of
    trailing zero bits of the hash's upper 50 bits, plus one (at most 51)."""
    h = murmur64a(element)
    rest = (h >> P) | (1 << Q)
    return h & INDEX_MASK, (rest & -rest).bit_length()


# -- dense packing, vectorised --------------------------------------------------------
# Four registers take three bytes: r0 = b0 & 63, r1 = b0 >> 6 | (b1 & 15) << 2,
# r2 = b1 >> 4 | (b2 & 3) << 4, r3 = b2 >> 2.  Each lane is computed for all the
# groups at once with bytes.translate; two lanes with disjoint bits are joined
# by an OR of the byte strings read as big integers.

def _table(f):
    return bytes(f(b) & 0xff for b in range(256))


_T_LOW6 = _table(lambda b: b & 63)
_T_SHR6 = _table(lambda b: b >> 6)
_T_LOW4_SHL2 = _table(lambda b: (b & 15) << 2)
_T_SHR4 = _table(lambda b: b >> 4)
_T_LOW2_SHL4 = _table(lambda b: (b & 3) << 4)
_T_SHR2 = _table(lambda b: b >> 2)
_T_LOW2_SHL6 = _table(lambda b: (b & 3) << 6)
_T_BITS2TO5 = _table(lambda b: (b >> 2) & 15)
_T_LOW4_SHL4 = _table(lambda b: (b & 15) << 4)
_T_BITS4TO5 = _table(lambda b: (b >> 4) & 3)
_T_LOW6_SHL2 = _table(lambda b: (b & 63) << 2)
_T_NONZERO = _table(lambda b: 1 if b else 0)


def _or(a, b):
    n = len(a)
    return (int.from_bytes(a, "little") | int.from_bytes(b, "little")).to_bytes(n, "little")


def unpack_dense(packed):
    """The 16384 registers (one per byte) of 12288 bytes of dense registers."""
    b0, b1, b2 = packed[0::3], packed[1::3], packed[2::3]
    regs = bytearray(REGISTERS)
    regs[0::4] = b0.translate(_T_LOW6)
    regs[1::4] = _or(b0.translate(_T_SHR6), b1.translate(_T_LOW4_SHL2))
    regs[2::4] = _or(b1.translate(_T_SHR4), b2.translate(_T_LOW2_SHL4))
    regs[3::4] = b2.translate(_T_SHR2)
    return regs


def pack_dense(regs):
    """The 12288 bytes of dense registers of 16384 registers (values < 64)."""
    r0, r1, r2, r3 = regs[0::4], regs[1::4], regs[2::4], regs[3::4]
    packed = bytearray(DENSE_BYTES)
    packed[0::3] = _or(r0.translate(_T_LOW6), r1.translate(_T_LOW2_SHL6))
    packed[1::3] = _or(r1.translate(_T_BITS2TO5), r2.translate(_T_LOW4_SHL4))
    packed[2::3] = _or(r2.translate(_T_BITS4TO5), r3.translate(_T_LOW6_SHL2))
    return packed


_LANES_HIGH = int.from_bytes(b"\x80" * REGISTERS, "little")
_LANES_ALL = int.from_bytes(b"\xff" * REGISTERS, "little")


def registers_max(a, b):
    """Register-wise maximum of two register arrays (values < 128): per byte
    lane, (a | 0x80) - b keeps bit 7 exactly when a >= b, and no lane borrows."""
    x = int.from_bytes(a, "little")
    y = int.from_bytes(b, "little")
    keep = (((x | _LANES_HIGH) - y) & _LANES_HIGH) >> 7
    keep *= 0xff
    return bytearray(((x & keep) | (y & (_LANES_ALL ^ keep))).to_bytes(REGISTERS, "little"))


# -- sparse opcodes -------------------------------------------------------------------
_BYTE = [bytes((b,)) for b in range(256)]


def _val_op(value, runlen):
    return _BYTE[0x80 | (value - 1) << 2 | (runlen - 1)]


def _zero_ops(runlen):
    """The opcode for a run of zero registers (ZERO up to 64, XZERO beyond)."""
    if runlen > SPARSE_ZERO_MAX_LEN:
        n = runlen - 1
        return bytes((0x40 | n >> 8, n & 0xff))
    return _BYTE[runlen - 1]


def _op_runlen(op):
    b = op[0]
    if b & 0x80:
        return (b & 3) + 1
    if b & 0x40:
        # a cut final XZERO reads the string's terminating NUL, as in Redis
        return ((b & 0x3f) << 8 | (op[1] if len(op) > 1 else 0)) + 1
    return b + 1


def _is_val(op):
    return op[0] & 0x80


def _val_value(op):
    return ((op[0] >> 2) & 0x1f) + 1


_T_RUNLEN = _table(lambda b: (b & 3) + 1 if b & 0x80 else (b & 0x3f) + 1)
_XZERO_FIRST = re.compile(rb"[\x40-\x7f]")


def parse_sparse(data):
    """The opcodes of a sparse HLL string (after the header), a list of bytes,
    and the number of registers each covers.  The one-byte opcodes are taken
    in bulk between the XZEROs (found by a regular expression; a match that is
    the second byte of an XZERO is skipped)."""
    body = data[HEADER_SIZE:]
    ops = []
    lens = []
    pos = 0
    byte = _BYTE.__getitem__
    for m in _XZERO_FIRST.finditer(body):
        i = m.start()
        if i < pos:
            continue
        if i > pos:
            ops.extend(map(byte, body[pos:i]))
            lens.extend(body[pos:i].translate(_T_RUNLEN))
        op = body[i:i + 2]
        ops.append(op)
        lens.append(((op[0] & 0x3f) << 8 | (op[1] if len(op) > 1 else 0)) + 1)
        pos = i + 2
    if pos < len(body):
        ops.extend(map(byte, body[pos:]))
        lens.extend(body[pos:].translate(_T_RUNLEN))
    return ops, lens


def decode_text(data):
    """PFDEBUG DECODE's text of a sparse HLL: ``z:len``, ``Z:len``, ``v:value,len``."""
    out = []
    for op in parse_sparse(data)[0]:
        b = op[0]
        if b & 0x80:
            out.append("v:%d,%d" % (_val_value(op), _op_runlen(op)))
        elif b & 0x40:
            out.append("Z:%d" % _op_runlen(op))
        else:
            out.append("z:%d" % _op_runlen(op))
    return " ".join(out).encode()


# -- validity -------------------------------------------------------------------------
def is_hll(value):
    """Redis' isHLLObjectOrReply check: a string with the header, a known
    encoding, and the exact length when dense (the sparse body is checked
    only when it is read)."""
    if type(value) is not bytes or len(value) < HEADER_SIZE or value[:4] != MAGIC:
        return False
    enc = value[4]
    if enc > SPARSE:
        return False
    return enc == SPARSE or len(value) == DENSE_SIZE


def cache_valid(value):
    return not value[15] & 0x80


def cached_count(value):
    return int.from_bytes(value[8:16], "little")


def with_cached_count(value, count):
    """The HLL string with ``count`` as its cached (valid) cardinality."""
    return value[:8] + count.to_bytes(8, "little") + value[16:]


# -- the estimator --------------------------------------------------------------------
def _sigma(x):
    if x == 1.0:
        return math.inf
    y = 1.0
    z = x
    while True:
        x *= x
        z_prev = z
        z += x * y
        y += y
        if z_prev == z:
            return z


def _tau(x):
    if x == 0.0 or x == 1.0:
        return 0.0
    y = 1.0
    z = 1 - x
    while True:
        x = math.sqrt(x)
        z_prev = z
        y *= 0.5
        d = 1 - x
        z -= d * d * y
        if z_prev == z:
            return z / 3


def estimate(histogram):
    """Cardinality from the histogram of register values (64 counts)."""
    m = float(REGISTERS)
    z = m * _tau((m - histogram[Q + 1]) / m)
    for j in range(Q, 0, -1):
        z += histogram[j]
        z *= 0.5
    z += m * _sigma(histogram[0] / m)
    e = ALPHA_INF * m * m / z
    r = math.floor(e)                  # llround: halves away from zero
    return r + 1 if e - r >= 0.5 else r


def registers_histogram(regs):
    hist = [0] * 64
    data = bytes(regs)          # bytes.count of a bytes needle is the fastest pass
    left = len(data)
    v = 0
    while left and v < 64:
        c = data.count(_BYTE[v])
        hist[v] = c
        left -= c
        v += 1
    return hist


def count_registers(regs):
    return estimate(registers_histogram(regs))


# -- the working form -----------------------------------------------------------------
class HLL:
    """A decoded HLL being read or changed.  ``header`` is a bytearray of the
    16 header bytes; dense: ``regs`` the registers, one per byte; sparse:
    ``ops`` the opcodes (bytes), ``starts`` the first register of each,
    ``covered`` the registers they cover (16384 unless corrupted), ``size``
    the length of the string."""

    __slots__ = ("header", "encoding", "regs", "hist", "ops", "starts", "covered", "size")

    @classmethod
    def empty(cls):
        """A new HLL as PFADD creates it: sparse, all zero (XZERO opcodes)."""
        ops = []
        left = REGISTERS
        while left:
            n = min(left, SPARSE_XZERO_MAX_LEN)
            ops.append(_zero_ops(n))
            left -= n
        return cls.from_bytes(MAGIC + b"\x01" + bytes(11) + b"".join(ops))

    @classmethod
    def from_bytes(cls, value):
        """The working form of a string that passed ``is_hll``."""
        self = cls()
        self.header = bytearray(value[:HEADER_SIZE])
        self.encoding = value[4]
        self.hist = None
        if self.encoding == DENSE:
            self.regs = unpack_dense(value[HEADER_SIZE:])
            self.ops = self.starts = None
        else:
            self.regs = None
            self._set_ops(*parse_sparse(value), len(value))
        return self

    def _set_ops(self, ops, lens, size):
        starts = list(accumulate(lens, initial=0))
        self.covered = starts.pop()
        self.ops = ops
        self.starts = starts
        self.size = size

    def to_bytes(self):
        if self.encoding == DENSE:
            return bytes(self.header) + pack_dense(self.regs)
        return bytes(self.header) + b"".join(self.ops)

    def copy(self):
        other = HLL()
        other.header = bytearray(self.header)
        other.encoding = self.encoding
        other.regs = None if self.regs is None else bytearray(self.regs)
        other.hist = None if self.hist is None else list(self.hist)
        other.ops = None if self.ops is None else list(self.ops)
        other.starts = None if self.starts is None else list(self.starts)
        if self.ops is not None:
            other.covered = self.covered
            other.size = self.size
        return other

    def invalidate(self):
        self.header[15] |= 0x80

    # -- reading --
    def registers(self):
        """All the registers (a new bytearray, one per byte), or None if the
        sparse opcodes do not cover exactly 16384 registers (Redis' check)."""
        if self.encoding == DENSE:
            return bytearray(self.regs)
        regs = bytearray(REGISTERS)
        i = 0
        for op in self.ops:
            n = _op_runlen(op)
            if _is_val(op):
                if i + n > REGISTERS:
                    return None
                regs[i:i + n] = _BYTE[_val_value(op)] * n
            i += n
        return regs if i == REGISTERS else None

    def count(self):
        """The estimated cardinality, or None if the opcodes are corrupted."""
        if self.encoding == DENSE:
            if self.hist is None:
                self.hist = registers_histogram(self.regs)
            return estimate(self.hist)
        if self.covered != REGISTERS:
            return None
        hist = [0] * 64
        for op in self.ops:
            b = op[0]
            if b & 0x80:
                hist[((b >> 2) & 0x1f) + 1] += (b & 3) + 1
        hist[0] = REGISTERS - sum(hist)
        return estimate(hist)

    # -- changes --
    def add(self, element, max_sparse_bytes):
        """Redis' hllAdd: 1 if a register grew, 0 if not, -1 if corrupted."""
        index, value = pattern(element)
        return self.set(index, value, max_sparse_bytes)

    def set(self, index, value, max_sparse_bytes):
        if self.encoding == DENSE:
            regs = self.regs
            old = regs[index]
            if value > old:
                regs[index] = value
                hist = self.hist
                if hist is not None:
                    hist[old] -= 1
                    hist[value] += 1
                return 1
            return 0
        return self._sparse_set(index, value, max_sparse_bytes)

    def to_dense(self):
        """Convert a sparse HLL (False if its opcodes are corrupted).  The
        header is kept, the cached cardinality with it."""
        if self.encoding == DENSE:
            return True
        regs = self.registers()
        if regs is None:
            return False
        self.encoding = DENSE
        self.header[4] = DENSE
        self.regs = regs
        self.hist = None
        self.ops = self.starts = None
        return True

    def merge_max(self, regs, max_sparse_bytes):
        """PFMERGE's write of the union registers: each nonzero register is
        set in index order (so a sparse HLL changes as it would in Redis)."""
        if self.encoding == DENSE:
            self.regs = registers_max(self.regs, regs)
            self.hist = None
            return
        nonzero = regs.translate(_T_NONZERO)
        j = nonzero.find(1)
        while j >= 0:
            if self.encoding == DENSE:      # promoted on the way: the rest at once
                self.regs = registers_max(self.regs, regs)
                self.hist = None
                return
            self._sparse_set(j, regs[j], max_sparse_bytes)
            j = nonzero.find(1, j + 1)

    def _sparse_set(self, index, value, max_sparse_bytes):
        if value > SPARSE_VAL_MAX:
            return self._promote(index, value)
        if index >= self.covered:
            return -1
        ops = self.ops
        starts = self.starts
        i = bisect_right(starts, index) - 1
        op = ops[i]
        first = starts[i]
        runlen = _op_runlen(op)
        b = op[0]
        if b & 0x80:                                        # VAL
            current = _val_value(op)
            if current >= value:
                return 0
            if runlen == 1:
                ops[i] = _val_op(value, 1)
                return self._merge_from(i - 1)
            seq = []
            if index != first:
                seq.append((first, _val_op(current, index - first)))
            seq.append((index, _val_op(value, 1)))
            last = first + runlen - 1
            if index != last:
                seq.append((index + 1, _val_op(current, last - index)))
        else:                                               # ZERO or XZERO
            if not b & 0x40 and runlen == 1:
                ops[i] = _val_op(value, 1)
                return self._merge_from(i - 1)
            seq = []
            if index != first:
                seq.append((first, _zero_ops(index - first)))
            seq.append((index, _val_op(value, 1)))
            last = first + runlen - 1
            if index != last:
                seq.append((index + 1, _zero_ops(last - index)))
        grow = sum(len(o) for _, o in seq) - (2 if b & 0x40 else 1)
        if grow > 0 and self.size + grow > max_sparse_bytes:
            return self._promote(index, value)
        if len(op) == 1 and b & 0x40:
            # a cut final XZERO (corrupted): Redis' in-place rewrite takes it for
            # two bytes, so the string ends one byte short of the new opcodes
            body = b"".join(ops[:i]) + b"".join(o for _, o in seq)[:-1]
            self._set_ops(*parse_sparse(bytes(HEADER_SIZE) + body), HEADER_SIZE + len(body))
            return self._merge_from(i - 1)
        ops[i:i + 1] = [o for _, o in seq]
        starts[i:i + 1] = [s for s, _ in seq]
        self.size += grow
        return self._merge_from(i - 1)

    def _merge_from(self, prev):
        """Join adjacent VALs of equal value, scanning at most five opcodes from
        the one before the change; then the cached cardinality is stale."""
        ops = self.ops
        starts = self.starts
        p = prev if prev >= 0 else 0
        scans = 5
        while p < len(ops) and scans:
            scans -= 1
            op = ops[p]
            if not op[0] & 0x80:
                p += 1
                continue
            if p + 1 < len(ops) and ops[p + 1][0] & 0x80:
                v = _val_value(op)
                nxt = ops[p + 1]
                if v == _val_value(nxt):
                    n = _op_runlen(op) + _op_runlen(nxt)
                    if n <= SPARSE_VAL_MAX_LEN:
                        ops[p:p + 2] = [_val_op(v, n)]
                        del starts[p + 1]
                        self.size -= 1
                        continue
            p += 1
        self.invalidate()
        return 1

    def _promote(self, index, value):
        if not self.to_dense():
            return -1
        self.regs[index] = value        # a sparse register is at most 32: it grows
        return 1


# -- working forms of stored values ---------------------------------------------------
_CACHE_SIZE = 32
_cache = {}         # stored HLL string -> its HLL working form


def load(value):
    """A working form of a stored HLL string (``is_hll`` checked) that the
    caller may change (a copy of the cached one: readers may hold that)."""
    hll = _cache.get(value)
    return hll.copy() if hll is not None else HLL.from_bytes(value)


def peek(value):
    """A working form of a stored HLL string, to read only."""
    hll = _cache.get(value)
    if hll is None:
        hll = HLL.from_bytes(value)
        remember(value, hll)
    return hll


def remember(value, hll):
    """Keep ``hll`` as the working form of the string ``value``."""
    if value not in _cache and len(_cache) >= _CACHE_SIZE:
        del _cache[next(iter(_cache))]
    _cache[value] = hll


def store(hll):
    """The string of ``hll``, its working form kept for the next command."""
    value = hll.to_bytes()
    remember(value, hll)
    return value
