"""HyperLogLog commands (Redis 7.0's hyperloglog.c): PFADD, PFCOUNT, PFMERGE,
PFDEBUG and PFSELFTEST.

An HLL is a string value in Redis' own layout (``keyspace.hll``), so its bytes
are Redis' after the same commands.  Like Redis, PFCOUNT of one key stores the
cardinality it computed in the header: the string changes, the change counts
as a write (dirty, WATCH, propagation) although the command is read-only.
"""
import math
import random

from .. import errors
from ..errors import ReplyError
from ..keyspace import hll as H
from ..keyspace.values import TypedValue
from ..protocol import OK
from ..protocol.types import Status
from .registry import command

_INVALIDOBJ = ReplyError(errors.HLL_INVALIDOBJ)


def _checked(value):
    """Redis' isHLLObjectOrReply: a string holding a well-formed HLL header."""
    if type(value) is bytes:
        if H.is_hll(value):
            return value
    elif type(value) is not TypedValue:
        raise ReplyError(errors.WRONGTYPE)
    raise ReplyError(errors.HLL_WRONGTYPE)


def _max_sparse(ctx):
    return ctx.engine.config["hll-sparse-max-bytes"]


def _changed(ctx, key, hll, dirty, event=None):
    """Store the changed HLL in place (its TTL kept) counting ``dirty`` changes."""
    db = ctx.db
    db.set(key, H.store(hll), keepttl=True)
    ctx.engine.dirty += dirty
    if event:
        ctx.engine.notify(db, "$", event, key)


@command("PFADD", arity=-2, flags="write denyoom fast", keys=(1, 1, 1), group="hyperloglog",
         summary="Adds the specified elements to the specified HyperLogLog.", since="2.8.9",
         complexity="O(1) to add every element.")
def pfadd(ctx, key, *elements):
    value = ctx.db.get(key)
    if value is None:
        hll = H.HLL.empty()
        updated = 1                 # the key is created even without elements
    else:
        hll = H.load(_checked(value))
        updated = 0
    limit = _max_sparse(ctx)
    add = hll.add
    for element in elements:
        r = add(element, limit)
        if r > 0:
            updated += 1
        elif r < 0:
            if updated:             # Redis changed the string in place up to there
                ctx.db.set(key, H.store(hll), keepttl=True)
            raise _INVALIDOBJ
    if not updated:
        H.remember(value, hll)
        return 0
    hll.invalidate()
    _changed(ctx, key, hll, updated, "pfadd")
    return 1


@command("PFCOUNT", arity=-2, flags="readonly may_replicate", keys=(1, -1, 1),
         group="hyperloglog",
         summary="Return the approximated cardinality of the set(s) observed by the "
                 "HyperLogLog at key(s).", since="2.8.9",
         complexity="O(1) with a very small average constant time when called with a single "
                    "key. O(N) with N being the number of keys, and much bigger constant "
                    "times, when called with multiple keys.")
def pfcount(ctx, *keys):
    db = ctx.db
    if len(keys) > 1:
        union = bytearray(H.REGISTERS)
        for key in keys:
            value = db.get(key)
            if value is None:
                continue
            regs = H.peek(_checked(value)).registers()
            if regs is None:
                raise _INVALIDOBJ
            union = H.registers_max(union, regs)
        return H.count_registers(union)
    key = keys[0]
    value = db.get(key)
    if value is None:
        return 0
    _checked(value)
    if H.cache_valid(value):
        return H.cached_count(value)
    hll = H.load(value)
    card = hll.count()
    if card is None:
        H.remember(value, hll)
        raise _INVALIDOBJ
    hll.header[8:16] = card.to_bytes(8, "little")
    _changed(ctx, key, hll, 1)
    return card


@command("PFMERGE", arity=-2, flags="write denyoom", keys=(1, -1, 1), group="hyperloglog",
         summary="Merge N different HyperLogLogs into a single one.", since="2.8.9",
         complexity="O(N) to merge N HyperLogLogs, but with high constant times.")
def pfmerge(ctx, dest, *sources):
    db = ctx.db
    union = bytearray(H.REGISTERS)
    use_dense = False
    for key in (dest,) + sources:
        value = db.get(key)
        if value is None:
            continue
        hll = H.peek(_checked(value))
        if hll.encoding == H.DENSE:
            use_dense = True
        regs = hll.registers()
        if regs is None:
            raise _INVALIDOBJ
        union = H.registers_max(union, regs)
    value = db.get(dest)
    hll = H.HLL.empty() if value is None else H.load(value)
    if use_dense and not hll.to_dense():
        raise _INVALIDOBJ
    hll.merge_max(union, _max_sparse(ctx))
    hll.invalidate()
    _changed(ctx, dest, hll, 1, "pfadd")        # Redis' event for a mass add
    return OK


@command("PFDEBUG", arity=3, flags="write denyoom admin", keys=(2, 2, 1),
         group="hyperloglog", summary="Internal commands for debugging HyperLogLog values",
         since="2.8.9", complexity="N/A")
def pfdebug(ctx, subcommand, key):
    value = ctx.db.get(key)
    if value is None:
        raise ReplyError(errors.PFDEBUG_NO_KEY)
    _checked(value)
    name = subcommand.split(b"\x00", 1)[0]      # compared as a C string
    sub = name.lower()
    if sub in (b"getreg", b"todense"):
        converted = value[4] == H.SPARSE
        hll = H.load(value)
        if converted:
            if not hll.to_dense():
                H.remember(value, hll)
                raise _INVALIDOBJ
            _changed(ctx, key, hll, 1)          # propagates the encoding change
        else:
            H.remember(value, hll)
        if sub == b"todense":
            return 1 if converted else 0
        return list(hll.regs)
    if sub == b"decode":
        if value[4] != H.SPARSE:
            raise ReplyError(errors.PFDEBUG_NOT_SPARSE)
        return H.decode_text(value)
    if sub == b"encoding":
        return Status(b"dense" if value[4] == H.DENSE else b"sparse")
    raise ReplyError(errors.PFDEBUG_UNKNOWN % name.decode("utf-8", "replace"))


_SELFTEST_CYCLES = 32
_SELFTEST_ELEMENTS = 20000      # Redis goes to 10 million; the same checks, fewer points


@command("PFSELFTEST", arity=1, flags="admin", group="hyperloglog",
         summary="An internal command for testing HyperLogLog values", since="2.8.9",
         complexity="N/A")
def pfselftest(ctx):
    # 1. register access: random registers survive packing and unpacking
    rng = random.Random()
    for _ in range(_SELFTEST_CYCLES):
        regs = bytearray(rng.getrandbits(8) & 63 for _ in range(H.REGISTERS))
        back = H.unpack_dense(H.pack_dense(regs))
        if back != regs:
            i = next(i for i in range(H.REGISTERS) if back[i] != regs[i])
            raise ReplyError(errors.PFSELFTEST_REGISTER % (i, regs[i], back[i]))
    # 2. approximation error, a dense and a sparse HLL fed the same elements
    dense = H.HLL.empty()
    dense.to_dense()
    sparse = H.HLL.empty()
    limit = _max_sparse(ctx)
    relerr = 1.04 / math.sqrt(H.REGISTERS)
    seed = rng.getrandbits(64)
    checkpoint = 1
    for j in range(1, _SELFTEST_ELEMENTS + 1):
        element = (j ^ seed).to_bytes(8, "little")
        dense.add(element, limit)
        sparse.add(element, limit)
        if j != checkpoint:
            continue
        if j < limit // 2 and sparse.encoding != H.SPARSE:
            raise ReplyError(errors.PFSELFTEST_NOT_SPARSE)
        card = dense.count()
        if card != sparse.count():
            raise ReplyError(errors.PFSELFTEST_DISAGREE)
        maxerr = 1 if j == 10 else math.ceil(relerr * 6 * checkpoint)
        if abs(checkpoint - card) > maxerr:
            raise ReplyError(errors.PFSELFTEST_ERROR % (checkpoint, abs(checkpoint - card)))
        checkpoint *= 10
    return OK
