"""An example redlet extension module.

Load it at start with ``loadmodule examples/modules/hello.py`` (or
``MODULE LOAD examples/modules/hello.py`` when enable-module-command allows).
"""
import redlet
from redlet.errors import ReplyError
from redlet.util import INT64_MAX, INT64_MIN, parse_int

MODULE_NAME = "hello"
MODULE_VERSION = 1


@redlet.command("HELLO.GREET", arity=2, flags="readonly fast",
                summary="Greet someone", complexity="O(1)")
def greet(ctx, name):
    return b"Hello, " + name + b"!"


@redlet.command("HELLO.INCRBY", arity=3, flags="write denyoom fast", keys=(1, 1, 1),
                summary="Add an integer to a string key", complexity="O(1)")
def incrby(ctx, key, increment):
    delta = parse_int(increment)
    old = ctx.db.get(key)
    if old is None:
        new = delta
    elif type(old) is bytes:
        new = parse_int(old) + delta
        if not INT64_MIN <= new <= INT64_MAX:
            raise ReplyError("ERR increment or decrement would overflow")
    else:
        raise ReplyError("WRONGTYPE Operation against a key holding the wrong kind of value")
    ctx.db.set(key, b"%d" % new, True)
    ctx.engine.dirty += 1            # a write: the engine appends the call to the AOF
    if ctx.engine.notify_flags:
        ctx.engine.notify(ctx.db, "$", "hello.incrby", key)
    return new
