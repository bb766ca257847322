"""DUMP and RESTORE (group "generic"): a key's value as Redis 7.0's
serialized form (``persistence.rdb``) and back.

Replies, argument checks (in Redis' order: options, BUSYKEY, TTL, payload),
the "restore" keyspace event and propagation follow ``cluster.c``'s
``restoreCommand``: a relative TTL propagates as an absolute one with ABSTTL
appended; a TTL already past stores nothing (and with REPLACE deletes the
old key, propagated as DEL, or UNLINK with ``lazyfree-lazy-server-del``).
IDLETIME and FREQ are checked and accepted; redlet does not track access
times or frequencies, so they have no further effect.
"""
from .. import errors
from ..errors import ReplyError
from ..keyspace.db import now_ms
from ..keyspace.stream import StreamValue
from ..keyspace.values import ListValue
from ..keyspace.zset import ZSetValue
from ..persistence import rdb
from ..protocol import OK
from ..util import parse_int
from .registry import command

# (to move to errors.py)
BUSYKEY = "BUSYKEY Target key name already exists."
DUMP_PAYLOAD_WRONG = "ERR DUMP payload version or checksum are wrong"
BAD_DATA_FORMAT = "ERR Bad data format"
INVALID_TTL = "ERR Invalid TTL value, must be >= 0"
INVALID_IDLETIME = "ERR Invalid IDLETIME value, must be >= 0"
INVALID_FREQ = "ERR Invalid FREQ value, must be >= 0 and <= 255"

_BLOCKABLE = (ListValue, ZSetValue, StreamValue)   # clients blocked on the key may be served


def _limits(config):
    return dict(compress=config["rdbcompression"],
                hash_max_entries=config["hash-max-listpack-entries"],
                hash_max_value=config["hash-max-listpack-value"],
                set_max_intset_entries=config["set-max-intset-entries"],
                zset_max_entries=config["zset-max-listpack-entries"],
                zset_max_value=config["zset-max-listpack-value"])


@command("DUMP", arity=2, flags="readonly", keys=(1, 1, 1), group="generic",
         summary="Return a serialized version of the value stored at the specified key.",
         since="2.6.0", tips=("nondeterministic_output",),
         complexity="O(1) to access the key and additional O(N*M) to serialize it, where N is "
                    "the number of Redis objects composing the value and M their average size. "
                    "For small string values the time complexity is thus O(1)+O(1*M) where M "
                    "is small, so simply O(1).")
def dump(ctx, key):
    v = ctx.db.get(key)
    if v is None:
        return None
    limits = _limits(ctx.engine.config)
    if type(v) is ZSetValue and not v.listpack:
        limits["zset_max_entries"] = -1     # a skiplist stays one (Redis' encoding is sticky)
    try:
        return rdb.dump_payload(v, **limits)
    except rdb.RDBError as e:               # a value type the codec does not know
        raise ReplyError("ERR " + str(e)) from None


@command("RESTORE", arity=-4, flags="write denyoom", keys=(1, 1, 1), group="generic",
         summary="Create a key using the provided serialized value, previously obtained "
                 "using DUMP.", since="2.6.0", acl=("dangerous",),
         complexity="O(1) to create the new key and additional O(N*M) to reconstruct the "
                    "serialized value, where N is the number of Redis objects composing the "
                    "value and M their average size. For small string values the time "
                    "complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However "
                    "for sorted set values the complexity is O(N*M*log(N)) because inserting "
                    "values into sorted sets is O(log(N)).")
def restore(ctx, key, ttl_raw, data, *args):
    replace = absttl = False
    idle = freq = -1
    i, n = 0, len(args)
    while i < n:
        opt = args[i].lower()
        more = n - i - 1
        if opt == b"replace":
            replace = True
        elif opt == b"absttl":
            absttl = True
        elif opt == b"idletime" and more >= 1 and freq == -1:
            idle = parse_int(args[i + 1])
            if idle < 0:
                raise ReplyError(INVALID_IDLETIME)
            i += 1
        elif opt == b"freq" and more >= 1 and idle == -1:
            freq = parse_int(args[i + 1])
            if freq < 0 or freq > 255:
                raise ReplyError(INVALID_FREQ)
            i += 1
        else:
            raise ReplyError(errors.SYNTAX)
        i += 1
    db = ctx.db
    if not replace and db.get(key) is not None:
        raise ReplyError(BUSYKEY)
    ttl = parse_int(ttl_raw)
    if ttl < 0:
        raise ReplyError(INVALID_TTL)
    if not rdb.verify_payload(data):
        raise ReplyError(DUMP_PAYLOAD_WRONG)
    try:
        value = rdb.restore_payload(data)
    except rdb.RDBError:
        raise ReplyError(BAD_DATA_FORMAT) from None
    if type(value) is ZSetValue:
        cfg = ctx.engine.config
        value.listpack = (len(value) <= cfg["zset-max-listpack-entries"] and all(
            len(m) <= cfg["zset-max-listpack-value"] for m in value.scores))
    engine = ctx.engine
    deleted = db.delete(key) if replace else False
    if ttl and not absttl:
        ttl += now_ms()
    if ttl and ttl <= now_ms():
        if deleted:
            verb = b"UNLINK" if engine.config["lazyfree-lazy-server-del"] else b"DEL"
            engine.rewrite_propagation(ctx, (db.id, [verb, key]))
            engine.notify(db, "g", "del", key)
            engine.dirty += 1
        return OK
    db.set(key, value)
    if ttl:
        db.set_expire(key, ttl)
        if not absttl:
            engine.rewrite_propagation(
                ctx, (db.id, [b"RESTORE", key, b"%d" % ttl, data, *args, b"ABSTTL"]))
    engine.notify(db, "g", "restore", key)
    engine.dirty += 1
    if type(value) in _BLOCKABLE:
        db.signal_ready(key)
    return OK
