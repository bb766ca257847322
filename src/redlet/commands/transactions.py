"""Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH (Redis 7.0 semantics).

The dispatcher does the queueing: while ``client.multi`` is a list, every
command but EXEC, DISCARD, MULTI, WATCH, QUIT and RESET is appended to it and
answered ``+QUEUED``; a command refused at queue time (unknown, wrong arity,
out of memory, MISCONF...) sets ``client.multi_error`` and EXEC then answers
-EXECABORT.

WATCH records, per watched key, whether the key had already expired (but
was not yet deleted) when it was watched; ``Database.touch`` marks the
watchers dirty on any modification, and EXEC also fails when a watched key
expired since (nobody needs to have looked it up).

EXEC runs the queued commands through ``Engine.call``, so each write has
its usual effects.  Their propagation is collected and written as one
``MULTI ... EXEC`` block when there is more than one, the single write alone
when there is one, nothing when there is none (Redis 7.0's
``propagatePendingCommands``).  Clients blocked on keys the transaction
filled are served after EXEC, and blocking commands inside act as their
non-blocking forms (``Engine.can_block``).
"""
from .. import errors
from ..errors import ReplyError
from ..keyspace.db import now_ms
from ..protocol import NULL_ARRAY, OK, Raw, encode_into
from .registry import command

_DOC = {"group": "transactions", "complexity": "O(1)"}


@command("MULTI", arity=1, flags="noscript loading stale fast allow_busy",
         summary="Mark the start of a transaction block", since="1.2.0", **_DOC)
def multi(ctx):
    if ctx.multi is not None:
        raise ReplyError(errors.NESTED_MULTI)
    ctx.multi = []
    ctx.multi_error = False
    return OK


@command("DISCARD", arity=1, flags="noscript loading stale fast allow_busy",
         summary="Discard all commands issued after MULTI", since="2.0.0",
         group="transactions", complexity="O(N), when N is the number of queued commands")
def discard(ctx):
    if ctx.multi is None:
        raise ReplyError(errors.DISCARD_WITHOUT_MULTI)
    ctx.engine.discard_transaction(ctx)
    return OK


@command("WATCH", arity=-2, flags="noscript loading stale fast allow_busy", keys=(1, -1, 1),
         summary="Watch the given keys to determine execution of the MULTI/EXEC block",
         since="2.2.0", group="transactions", complexity="O(1) for every key.")
def watch(ctx, *keys):
    if ctx.multi is not None:
        raise ReplyError(errors.WATCH_IN_MULTI)
    if ctx.watch_dirty:
        return OK            # the transaction fails anyway: no point in watching more
    db = ctx.db
    watching = ctx.watching
    for key in keys:
        if (db, key) in watching:
            continue
        db.watched.setdefault(key, set()).add(ctx)
        watching[(db, key)] = _logically_expired(db, key)
    return OK


@command("UNWATCH", arity=1, flags="noscript loading stale fast allow_busy",
         summary="Forget about all watched keys", since="2.2.0", **_DOC)
def unwatch(ctx):
    ctx.engine.unwatch_all(ctx)
    return OK


def _logically_expired(db, key):
    """Whether ``key`` is still stored but past its deadline (not deleting it)."""
    when = db.expires.get(key) if db.expires else None
    return when is not None and key in db.data and when < now_ms()


def _watched_key_expired(client):
    """A key that was live when WATCHed has expired since (Redis'
    ``isWatchedKeyExpired``): the transaction must fail."""
    for (db, key), expired_then in client.watching.items():
        if not expired_then and _logically_expired(db, key):
            return True
    return False


@command("EXEC", arity=1, flags="noscript loading stale skip_slowlog",
         summary="Execute all commands issued after MULTI", since="1.2.0",
         group="transactions", complexity="Depends on commands in the transaction")
def exec_(ctx):
    engine = ctx.engine
    queued = ctx.multi
    if queued is None:
        raise ReplyError(errors.EXEC_WITHOUT_MULTI)
    if ctx.multi_error:
        engine.discard_transaction(ctx)
        raise ReplyError(errors.EXECABORT)
    if ctx.watch_dirty or _watched_key_expired(ctx):
        engine.discard_transaction(ctx)
        return NULL_ARRAY
    engine.unwatch_all(ctx)          # nothing the transaction does can fail it now
    # The replies are encoded here, in order, so that pub/sub messages this
    # client gets from its own commands (RESP3, or after a SUBSCRIBE inside)
    # land between them, where Redis writes them.
    out = [b"*%d\r\n" % len(queued)]
    saved_out, ctx.out = ctx.out, out
    dirty = engine.dirty
    collected = []
    saved_buffer, engine.propagate_buffer = engine.propagate_buffer, collected
    ctx.in_exec = True
    # extensions that check a queued command again as it runs (the ACL)
    checks = [ext.check_queued for ext in engine.extensions if hasattr(ext, "check_queued")]
    try:
        for cmd, argv in queued:
            for check in checks:
                reply = check(ctx, cmd, argv)
                if reply is not None:
                    engine._count_error(reply)
                    break
            else:
                reply = engine.call(ctx, cmd, argv)
            encode_into(out, reply, ctx.resp3)
    finally:
        ctx.in_exec = False
        ctx.out = saved_out
        engine.propagate_buffer = saved_buffer
        ctx.multi = None
        ctx.multi_error = False
    if engine.dirty != dirty:
        ctx.propagate_override = []  # the EXEC itself is not propagated
    if len(collected) > 1:
        collected = ([(collected[0][0], [b"MULTI"])] + collected
                     + [(collected[-1][0], [b"EXEC"])])
    for db_index, args in collected:
        engine.propagate(db_index, args)
    return Raw(b"".join(out))
