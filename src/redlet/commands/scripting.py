"""Scripting commands (group "scripting", Redis 7.0's eval.c and functions.c).

EVAL/EVALSHA/EVAL_RO/EVALSHA_RO, SCRIPT LOAD/EXISTS/FLUSH/KILL/DEBUG/HELP,
FCALL/FCALL_RO and FUNCTION LOAD/DELETE/FLUSH/LIST/DUMP/RESTORE/STATS/KILL/
HELP.  The handlers only parse arguments; the Lua runtime, the script cache
and the libraries are in ``redlet.scripting``.

EVAL and FCALL are not ``write`` commands in the table (as in Redis): the
writes of the script are checked and propagated one by one as the script
makes them, and the script's effects become the propagation of the call.
FUNCTION LOAD/DELETE/FLUSH/RESTORE change the data set (dirty, propagated as
called); SCRIPT LOAD/FLUSH do not (Redis 7 replicates effects, not scripts).
"""
import time

from .. import errors
from ..errors import ReplyError
from ..protocol import OK
from ..protocol.types import RespSet, Status
from ..scripting.engine import FLAG_NAMES, scripting_of
from ..util import glob_match
from .registry import command, container, subcommand


def _eval_keys(args):
    """Key positions of EVAL/FCALL-like commands (``args`` includes the name)."""
    try:
        n = int(args[2])
    except (ValueError, IndexError):
        return []
    if n <= 0 or n > len(args) - 3:
        return []
    return list(range(3, 3 + n))


def _no_keys_written(argv):
    # the script's own writes touch WATCHed keys as they happen
    return []


_EVAL_FLAGS = "noscript stale skip_monitor no_mandatory_keys"
_DOC = dict(group="scripting", getkeys=_eval_keys, write_keys=_no_keys_written,
            complexity="Depends on the script that is executed.")


@command("EVAL", arity=-3, flags=_EVAL_FLAGS + " may_replicate",
         summary="Execute a Lua script server side",
         since="2.6.0", **_DOC)
def eval_(ctx, *args):
    return scripting_of(ctx.engine).eval(ctx, [b"EVAL", *args], evalsha=False, ro=False)


@command("EVALSHA", arity=-3, flags=_EVAL_FLAGS + " may_replicate",
         summary="Execute a Lua script server side", since="2.6.0", **_DOC)
def evalsha(ctx, *args):
    return scripting_of(ctx.engine).eval(ctx, [b"EVALSHA", *args], evalsha=True, ro=False)


@command("EVAL_RO", arity=-3, flags="readonly " + _EVAL_FLAGS,
         summary="Execute a read-only Lua script server side", since="7.0.0", **_DOC)
def eval_ro(ctx, *args):
    return scripting_of(ctx.engine).eval(ctx, [b"EVAL_RO", *args], evalsha=False, ro=True)


@command("EVALSHA_RO", arity=-3, flags="readonly " + _EVAL_FLAGS,
         summary="Execute a read-only Lua script server side",
         since="7.0.0", **_DOC)
def evalsha_ro(ctx, *args):
    return scripting_of(ctx.engine).eval(ctx, [b"EVALSHA_RO", *args], evalsha=True, ro=True)


@command("FCALL", arity=-3, flags=_EVAL_FLAGS + " may_replicate",
         summary="Invoke a function",
         since="7.0.0", **_DOC)
def fcall(ctx, *args):
    return scripting_of(ctx.engine).fcall(ctx, [b"FCALL", *args], ro=False)


@command("FCALL_RO", arity=-3, flags="readonly " + _EVAL_FLAGS,
         summary="Invoke a read-only function", since="7.0.0", **_DOC)
def fcall_ro(ctx, *args):
    return scripting_of(ctx.engine).fcall(ctx, [b"FCALL_RO", *args], ro=True)


def _syntax_error(sub, parent):
    return ReplyError("ERR unknown subcommand or wrong number of arguments for '%s'. Try %s "
                      "HELP." % (sub.decode("utf-8", "replace"), parent))


# -- SCRIPT ---------------------------------------------------------------------------
container("SCRIPT", group="scripting", summary="A container for Lua scripts management commands", since="2.6.0")


@subcommand("SCRIPT", "LOAD", arity=3, flags="noscript stale",
            summary="Load the specified Lua script into the script cache.", since="2.6.0",
            complexity="O(N) with N being the length in bytes of the script body.")
def script_load(ctx, _, body):
    return scripting_of(ctx.engine).create_script(body).sha


@subcommand("SCRIPT", "EXISTS", arity=-3, flags="noscript",
            summary="Check existence of scripts in the script cache.",
            since="2.6.0", complexity="O(N) with N being the number of scripts to check (so "
                                      "checking a single script is an O(1) operation).")
def script_exists(ctx, _, *shas):
    scripts = scripting_of(ctx.engine).scripts
    return [1 if (len(s) == 40 and s.lower() in scripts) else 0 for s in shas]


def _flush_mode(args, message):
    if not args:
        return
    if len(args) == 1 and args[0].upper() in (b"SYNC", b"ASYNC"):
        return
    raise ReplyError(message)


@subcommand("SCRIPT", "FLUSH", arity=-2, flags="noscript",
            summary="Remove all the scripts from the script cache.",
            since="2.6.0", complexity="O(N) with N being the number of scripts in cache")
def script_flush(ctx, _, *args):
    _flush_mode(args, "ERR SCRIPT FLUSH only support SYNC|ASYNC option")
    scripting_of(ctx.engine).flush_scripts()
    return OK


@subcommand("SCRIPT", "KILL", arity=2, flags="noscript allow_busy",
            summary="Kill the script currently in execution.", since="2.6.0",
            complexity="O(1)")
def script_kill(ctx, _):
    scripting_of(ctx.engine).kill(is_eval=True)
    return OK


@subcommand("SCRIPT", "DEBUG", arity=3, flags="noscript",
            summary="Set the debug mode for executed scripts.", since="3.2.0",
            complexity="O(1)")
def script_debug(ctx, _, mode):
    if ctx.multi is not None:
        raise ReplyError("ERR SCRIPT DEBUG must be called outside MULTI")
    m = mode.upper()
    if m == b"NO":
        return OK
    if m in (b"YES", b"SYNC"):
        raise ReplyError("ERR SCRIPT DEBUG (the Lua debugger) is not supported by redlet")
    raise ReplyError("ERR Use SCRIPT DEBUG YES/SYNC/NO")


@subcommand("SCRIPT", "HELP", arity=2, flags="loading stale",
            summary="Show helpful text about the different subcommands", since="5.0.0",
            complexity="O(1)")
def script_help(ctx, _):
    return [Status(s.encode()) for s in (
        "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DEBUG (YES|SYNC|NO)",
        "    Set the debug mode for subsequent scripts executed.",
        "EXISTS <sha1> [<sha1> ...]",
        "    Return information about the existence of the scripts in the script cache.",
        "FLUSH [ASYNC|SYNC]",
        "    Flush the Lua scripts cache. Very dangerous on replicas.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the scripts cache.",
        "    * SYNC: Synchronously flush the scripts cache.",
        "KILL",
        "    Kill the currently executing Lua script.",
        "LOAD <script>",
        "    Load a script into the scripts cache without executing it.",
        "HELP",
        "    Prints this help.")]


# -- FUNCTION ----------------------------------------------------------------------------
container("FUNCTION", group="scripting", summary="A container for function commands",
          since="7.0.0")


@subcommand("FUNCTION", "LOAD", arity=-3, flags="write denyoom noscript",
            summary="Create a function with the given arguments (name, code, description)", since="7.0.0",
            complexity="O(1) (considering compilation time is redundant)")
def function_load(ctx, _, *args):
    replace = False
    for opt in args[:-1]:
        if opt.lower() == b"replace":
            replace = True
            continue
        raise ReplyError("ERR Unknown option given: %s" % opt.decode("utf-8", "replace"))
    name = scripting_of(ctx.engine).load_library(args[-1], replace, ctx)
    ctx.engine.dirty += 1
    return name


@subcommand("FUNCTION", "DELETE", arity=3, flags="write noscript",
            summary="Delete a function by name", since="7.0.0", complexity="O(1)")
def function_delete(ctx, _, name):
    scripting_of(ctx.engine).delete_library(name)
    ctx.engine.dirty += 1
    return OK


@subcommand("FUNCTION", "FLUSH", arity=-2, flags="write noscript",
            summary="Deleting all functions", since="7.0.0",
            complexity="O(N) where N is the number of functions deleted")
def function_flush(ctx, _, *args):
    if len(args) > 1:
        raise _syntax_error(_, "FUNCTION")
    _flush_mode(args, "ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
    scripting_of(ctx.engine).flush_functions()
    ctx.engine.dirty += 1
    return OK


def _flags_reply(flags):
    return RespSet(Status(name.encode()) for name, bit in FLAG_NAMES if flags & bit)


@subcommand("FUNCTION", "LIST", arity=-2, flags="noscript",
            summary="List information about all the functions", since="7.0.0",
            complexity="O(N) where N is the number of functions")
def function_list(ctx, _, *args):
    with_code = False
    pattern = None
    i = 0
    while i < len(args):
        a = args[i]
        if not with_code and a.lower() == b"withcode":
            with_code = True
        elif pattern is None and a.lower() == b"libraryname":
            if i >= len(args) - 1:
                raise ReplyError("ERR library name argument was not given")
            i += 1
            pattern = args[i]
        else:
            raise ReplyError("ERR Unknown argument %s" % a.decode("utf-8", "replace"))
        i += 1
    out = []
    for lib in scripting_of(ctx.engine).libraries.values():
        if pattern is not None and not glob_match(pattern, lib.name, nocase=True):
            continue
        entry = {
            b"library_name": lib.name, b"engine": b"LUA",
            b"functions": [{b"name": f.name, b"description": f.description,
                            b"flags": _flags_reply(f.flags)}
                           for f in lib.functions.values()],
        }
        if with_code:
            entry[b"library_code"] = lib.code
        out.append(entry)
    return out


@subcommand("FUNCTION", "DUMP", arity=2, flags="noscript",
            summary="Dump all functions into a serialized binary payload", since="7.0.0",
            complexity="O(N) where N is the number of functions")
def function_dump(ctx, _):
    return scripting_of(ctx.engine).dump()


@subcommand("FUNCTION", "RESTORE", arity=-3, flags="write denyoom noscript",
            summary="Restore all the functions on the given payload", since="7.0.0",
            complexity="O(N) where N is the number of functions on the payload")
def function_restore(ctx, _, data, *policy):
    if len(policy) > 1:
        raise _syntax_error(_, "FUNCTION")
    mode = "append"
    if policy:
        p = policy[0].lower()
        if p not in (b"append", b"replace", b"flush"):
            raise ReplyError("ERR Wrong restore policy given, value should be either FLUSH, "
                             "APPEND or REPLACE.")
        mode = p.decode()
    scripting_of(ctx.engine).restore(data, mode, ctx)
    ctx.engine.dirty += 1
    return OK


@subcommand("FUNCTION", "STATS", arity=2, flags="noscript allow_busy",
            summary="Return information about the function currently running (name, description, "
                    "duration)", since="7.0.0",
            complexity="O(1)")
def function_stats(ctx, _):
    s = scripting_of(ctx.engine)
    run = s.run
    if run is not None and run.kind == "load":
        run = None
    if run is not None and run.kind == "eval":
        raise ReplyError(errors.BUSY)
    running = None
    if run is not None:
        running = {b"name": run.name.encode(), b"command": list(run.argv),
                   b"duration_ms": int((time.monotonic() - run.start) * 1000)}
    nfunctions = sum(len(lib.functions) for lib in s.libraries.values())
    return {b"running_script": running,
            b"engines": {b"LUA": {b"libraries_count": len(s.libraries),
                                  b"functions_count": nfunctions}}}


@subcommand("FUNCTION", "KILL", arity=2, flags="noscript allow_busy",
            summary="Kill the function currently in execution.", since="7.0.0",
            complexity="O(1)")
def function_kill(ctx, _):
    scripting_of(ctx.engine).kill(is_eval=False)
    return OK


@subcommand("FUNCTION", "HELP", arity=2, flags="loading stale",
            summary="Show helpful text about the different subcommands", since="7.0.0",
            complexity="O(1)")
def function_help(ctx, _):
    return [Status(s.encode()) for s in (
        "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "LOAD [REPLACE] <FUNCTION CODE>",
        "    Create a new library with the given library name and code.",
        "DELETE <LIBRARY NAME>",
        "    Delete the given library.",
        "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
        "    Return general information on all the libraries:",
        "    * Library name",
        "    * The engine used to run the Library",
        "    * Library description",
        "    * Functions list",
        "    * Library code (if WITHCODE is given)",
        "    It also possible to get only function that matches a pattern using LIBRARYNAME "
        "argument.",
        "STATS",
        "    Return information about the current function running:",
        "    * Function name",
        "    * Command used to run the function",
        "    * Duration in MS that the function is running",
        "    If no function is running, return nil",
        "    In addition, returns a list of available engines.",
        "KILL",
        "    Kill the current running function.",
        "FLUSH [ASYNC|SYNC]",
        "    Delete all the libraries.",
        "    When called without the optional mode argument, the behavior is determined by the",
        "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
        "    * ASYNC: Asynchronously flush the libraries.",
        "    * SYNC: Synchronously flush the libraries.",
        "DUMP",
        "    Return a serialized payload representing the current libraries, can be restored "
        "using FUNCTION RESTORE command",
        "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
        "    Restore the libraries represented by the given payload, it is possible to give a "
        "restore policy to",
        "    control how to handle existing libraries (default APPEND):",
        "    * FLUSH: delete all existing libraries.",
        "    * APPEND: appends the restored libraries to the existing libraries. On collision, "
        "abort.",
        "    * REPLACE: appends the restored libraries to the existing libraries, On collision, "
        "replace the old",
        "      libraries with the new libraries (notice that even on this option there is a "
        "chance of failure",
        "      in case of functions name collision with another library).",
        "HELP",
        "    Prints this help.")]
