"""Persistence commands (group "server"): BGREWRITEAOF.

The work is done by ``persistence.aof.AppendOnlyFile`` (the manifest, the
forked child writing the base file, the switch of incr files)."""
from ..errors import ReplyError
from ..protocol import Status
from .registry import command


@command("BGREWRITEAOF", arity=1, flags="admin noscript no_async_loading", group="server",
         summary="Asynchronously rewrite the append-only file", complexity="O(1)")
def bgrewriteaof(ctx):
    aof = ctx.engine.aof_file
    if aof is None:
        raise ReplyError("ERR Background append only file rewriting is not available")
    err = aof.rewrite()
    if err is not None:
        raise ReplyError("ERR " + err)
    return Status(b"Background append only file rewriting started")
