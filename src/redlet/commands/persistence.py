"""Persistence commands (group "server"): SAVE, BGSAVE, BGREWRITEAOF.

The work is done by ``persistence.snapshot.Snapshot`` (RDB files) and
``persistence.aof.AppendOnlyFile`` (the manifest, the forked child writing
the base file, the switch of incr files).  One background child at a time,
as Redis: the other job is scheduled."""
from .. import errors
from ..errors import ReplyError
from ..protocol import OK, Status
from .registry import command


def _aof_rewriting(engine):
    aof = engine.aof_file
    return aof is not None and aof.child is not None


@command("SAVE", arity=1, flags="admin noscript no_async_loading no_multi", group="server",
         summary="Synchronously save the dataset to disk",
         complexity="O(N) where N is the total number of keys in all databases")
def save(ctx):
    snap = ctx.engine.snapshot
    if snap.child is not None:
        raise ReplyError("ERR Background save already in progress")
    if not snap.save():
        raise ReplyError("ERR")
    return OK


@command("BGSAVE", arity=-1, flags="admin noscript no_async_loading", group="server",
         summary="Asynchronously save the dataset to disk",
         complexity="O(1)")
def bgsave(ctx, *args):
    schedule = False
    if args:
        if len(args) == 1 and args[0].upper() == b"SCHEDULE":
            schedule = True
        else:
            raise ReplyError(errors.SYNTAX)
    snap = ctx.engine.snapshot
    if snap.child is not None:
        raise ReplyError("ERR Background save already in progress")
    if _aof_rewriting(ctx.engine):
        if schedule:
            snap.scheduled = True
            return Status(b"Background saving scheduled")
        raise ReplyError("ERR An AOF log rewriting in progress: can't BGSAVE right now. Use "
                         "BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.")
    err = snap.bgsave()
    if err is not None:
        raise ReplyError("ERR " + err)
    return Status(b"Background saving started")


@command("BGREWRITEAOF", arity=1, flags="admin noscript no_async_loading", group="server",
         summary="Asynchronously rewrite the append-only file", complexity="O(1)")
def bgrewriteaof(ctx):
    aof = ctx.engine.aof_file
    if aof.child is not None:
        raise ReplyError("ERR Background append only file rewriting already in progress")
    snap = ctx.engine.snapshot
    if snap is not None and snap.child is not None:
        aof.scheduled = True
        return Status(b"Background append only file rewriting scheduled")
    err = aof.rewrite()
    if err is not None:
        raise ReplyError("ERR " + err)
    return Status(b"Background append only file rewriting started")
