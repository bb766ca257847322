"""The scripting engine: Lua states, the script cache, function libraries, runs.

One ``Scripting`` per ``Engine`` (``scripting_of(engine)``), with two Lua 5.1
states as Redis has: one for EVAL scripts (reset by SCRIPT FLUSH) and one
for FUNCTION libraries (reset by FUNCTION FLUSH).  The command handlers in
``commands/scripting.py`` parse arguments and call ``eval``/``fcall``/
``load_library``...; everything else is here.

A run
-----
``_run`` follows Redis' ``scriptPrepareForRun``/``luaCallFunction``: the
script's ``redis.call`` goes through the same command table as clients
(``_lua_call``: lookup, arity, ``noscript``, ACL and MISCONF hooks, the
read-only check of EVAL_RO/FCALL_RO/``no-writes``, the OOM check before the
first write) and the engine's ``call``, on a dedicated script client that
has ``in_script`` set (blocking commands act as their non-blocking form)
and the caller's database.  Key expiry time stands still during the run
(``keyspace.db.freeze_time``).

Propagation: the engine hands every write of the script client to
``engine.script_effects`` instead of the append-only file; when the script
ends they become the propagation of the EVAL/FCALL itself (wrapped in
MULTI/EXEC when there are several and the caller is not already in a
transaction), as Redis 7 replicates script effects.  ``redis.set_repl``
can switch this off.  WATCHed keys are touched by each write as it
happens; clients blocked on keys the script filled are served by the
dispatcher after the script returns.

Busy scripts
------------
The Lua count hook calls ``_tick`` every ``HOOK_COUNT`` instructions.  Once a
script has run longer than ``busy-reply-threshold`` ms it is *busy*:
``engine.script_busy`` is set (the dispatcher then answers -BUSY to every
command without the ``allow_busy`` flag) and ``engine.poll_busy(caller)``,
provided by the I/O adapter, is called every few milliseconds to read and
serve the other connections without blocking; SCRIPT KILL / FUNCTION KILL
arriving that way mark the run killed and the next hook raises the kill
error in the script.  A script that already wrote is UNKILLABLE.  Without an
adapter callback (in-process use) the busy state and kill flag still work
but nothing is read while the script runs.
"""
import hashlib
import logging
import time

from .. import REDIS_VERSION, errors
from ..commands.registry import DENYOOM, MAY_REPLICATE, NOSCRIPT, WRITE
from ..engine.client import Client
from ..errors import ReplyError
from ..keyspace import db as _db
from ..keyspace.values import TypedValue
from ..protocol import NULL_ARRAY, NO_REPLY, format_double
from ..protocol.types import Push, Raw, Replies, RespSet, Status, Verbatim
from . import _libs, payload as _payload
from ._sandbox import SANDBOX

log = logging.getLogger("redlet")

HOOK_COUNT = 10000           # Lua instructions between two calls of the hook
POLL_INTERVAL = 0.005        # seconds between two polls of a busy script
LOAD_TIMEOUT = 0.5           # FUNCTION LOAD, as Redis' LOAD_TIMEOUT_MS

# script flags (shebang / register_function); EVAL_COMPAT: an EVAL without shebang
NO_WRITES, ALLOW_OOM, ALLOW_STALE, NO_CLUSTER, ALLOW_CROSS_SLOT = 1, 2, 4, 8, 16
EVAL_COMPAT = 32
FLAG_NAMES = (("no-writes", NO_WRITES), ("allow-oom", ALLOW_OOM), ("allow-stale", ALLOW_STALE),
              ("no-cluster", NO_CLUSTER), ("allow-cross-slot-keys", ALLOW_CROSS_SLOT))
_FLAGS_BY_NAME = {name.encode(): bit for name, bit in FLAG_NAMES}

_LOG_LEVELS = (logging.DEBUG, logging.INFO, logging.INFO, logging.WARNING)


def _version_num():
    major, minor, patch = (int(x) for x in REDIS_VERSION.split("."))
    return (major << 16) | (minor << 8) | patch


def sha1hex(b):
    return hashlib.sha1(b).hexdigest().encode()


def _name_ok(name):
    return bool(name) and all(c == 0x5F or 0x30 <= c <= 0x39 or 0x41 <= c <= 0x5A or
                              0x61 <= c <= 0x7A for c in name)


def _deny_attributes(obj, name, setting):
    raise AttributeError("access to Python objects is not allowed")


class Script:
    __slots__ = ("sha", "body", "flags", "fn")

    def __init__(self, sha, body, flags, fn):
        self.sha, self.body, self.flags, self.fn = sha, body, flags, fn


class Function:
    __slots__ = ("name", "callback", "flags", "description", "library")

    def __init__(self, name, callback, flags, description, library):
        self.name = name
        self.callback = callback
        self.flags = flags
        self.description = description
        self.library = library


class Library:
    __slots__ = ("name", "code", "functions")

    def __init__(self, name, code):
        self.name = name
        self.code = code
        self.functions = {}     # name (bytes) -> Function, in registration order


class Run:
    """The state of the script being executed (Redis' scriptRunCtx)."""
    __slots__ = ("caller", "client", "kind", "name", "argv", "start", "readonly", "allow_oom",
                 "oom", "wrote", "killed", "timedout", "repl", "effects", "last_poll", "vm",
                 "stopping", "timeout", "library")

    def __init__(self, kind, caller, name, argv, vm):
        self.kind = kind             # "eval", "function" or "load"
        self.caller = caller
        self.client = None
        self.name = name
        self.argv = argv
        self.start = time.monotonic()
        self.readonly = False
        self.allow_oom = False
        self.oom = False
        self.wrote = False
        self.killed = False
        self.timedout = False
        self.repl = 3
        self.effects = []
        self.last_poll = 0.0
        self.vm = vm
        self.stopping = False
        self.timeout = LOAD_TIMEOUT
        self.library = None


class LuaVM:
    """A Lua 5.1 state with Redis' sandbox and libraries."""

    def __init__(self, scripting, mode):
        from lupa import lua51
        self.lua = lua51.LuaRuntime(unpack_returned_tuples=True, register_eval=False,
                                    register_builtins=False, encoding=None,
                                    attribute_filter=_deny_attributes)
        lua = self.lua
        helpers = lua.table_from({
            b"pack_double": _libs.pack_double, b"unpack_float": _libs.unpack_float,
            b"bit_op": _libs.bit_op, b"struct_call": _libs.struct_call,
        })
        libs = {}
        for name, src in ((b"cjson", _libs.CJSON), (b"cmsgpack", _libs.CMSGPACK),
                          (b"bit", _libs.BIT), (b"struct", _libs.STRUCT)):
            libs[name] = lua.compile(src, name="=redlet")(helpers)
        s = scripting
        callbacks = {
            b"tick": s._tick, b"call": s._lua_call, b"setresp": s._lua_setresp,
            b"log": s._lua_log, b"sha1hex": sha1hex, b"set_repl": s._lua_set_repl,
            b"acl_check": s._lua_acl_check, b"register": s._lua_register,
            b"libs": lua.table_from(libs),
        }
        entry = lua.compile(SANDBOX, name="=redlet")(
            lua.table_from(callbacks), mode.encode(), HOOK_COUNT, REDIS_VERSION.encode(),
            _version_num())
        self.compile = entry[b"compile"]
        self.run_eval = entry[b"run_eval"]
        self.run_function = entry[b"run_function"]
        self.load_library = entry[b"load_library"]
        self.table_from = lua.table_from

    # -- Redis reply -> Lua value (redisProtocolToLuaType) ---------------------------
    def to_lua(self, v, resp3):
        t = type(v)
        if t is bytes or t is int:
            return v
        x = _to_lua(v, resp3)
        if type(x) is list or type(x) is dict:
            return self.table_from(x, recursive=True)
        return x


def _lua_error_text(msg):
    """Redis' error reply text as a Lua error table holds it (luaPushErrorBuff)."""
    s = msg if msg.startswith("-") else "-" + msg
    sp = s.find(" ")
    if sp < 0:
        return "ERR " + s[1:].strip("\r\n")
    return s[1:sp] + " " + s[sp + 1:].strip("\r\n")


def _key(x):
    return x if type(x) in (bytes, int, float, bool) else None


def _to_lua(v, resp3):
    t = type(v)
    if t is bytes or t is int:
        return v
    if v is None or v is NULL_ARRAY or v is NO_REPLY:
        return None if resp3 else False
    if t is Status:
        return {b"ok": bytes(v)}
    if t is bool:
        return v if resp3 else int(v)
    if t is float:
        return {b"double": v} if resp3 else format_double(v)
    if t is list or t is tuple or t is Replies or t is Push:
        items = [_to_lua(x, resp3) for x in v]
        if resp3 and None in items:
            return {i + 1: x for i, x in enumerate(items) if x is not None}
        return items
    if t is dict:
        if resp3:
            m = {}
            for k, x in v.items():
                k = _key(_to_lua(k, resp3))
                x = _to_lua(x, resp3)
                if k is not None and x is not None:
                    m[k] = x
            return {b"map": m}
        flat = []
        for k, x in v.items():
            flat.append(_to_lua(k, resp3))
            flat.append(_to_lua(x, resp3))
        return flat
    if t is RespSet or t is set or t is frozenset:
        if resp3:
            return {b"set": {k: True for k in (_key(_to_lua(m, resp3)) for m in v)
                             if k is not None}}
        return [_to_lua(m, resp3) for m in v]
    if t is Verbatim:
        if resp3:
            return {b"verbatim_string": {b"format": b"txt", b"string": bytes(v)}}
        return bytes(v)
    if isinstance(v, ReplyError):
        return {b"err": _lua_error_text(v.message).encode("utf-8", "surrogateescape")}
    if t is TypedValue:
        return _to_lua(v.value, resp3)
    if t is Raw:
        return bytes(v)
    if isinstance(v, bytes):
        return bytes(v)
    if t is str:
        return v.encode()
    return repr(v).encode()


class Scripting:
    def __init__(self, engine):
        self.engine = engine
        self.scripts = {}           # sha1 hex (bytes, lower case) -> Script
        self.libraries = {}         # name (bytes) -> Library
        self.functions = {}         # lower-case name (bytes) -> Function
        self.run = None             # the Run in progress
        self._eval_vm = None
        self._fn_vm = None
        self._client = None

    # -- Lua states ------------------------------------------------------------------
    @property
    def eval_vm(self):
        if self._eval_vm is None:
            self._eval_vm = LuaVM(self, "eval")
        return self._eval_vm

    @property
    def fn_vm(self):
        if self._fn_vm is None:
            self._fn_vm = LuaVM(self, "function")
        return self._fn_vm

    def script_client(self):
        if self._client is None:
            c = Client(self.engine, 0, addr="lua")
            c.kind = "lua"
            self._client = c
        return self._client

    # -- the script cache --------------------------------------------------------------
    def create_script(self, body):
        """Compile ``body`` into the cache (EVAL, SCRIPT LOAD); returns the Script."""
        sha = sha1hex(body)
        s = self.scripts.get(sha)
        if s is not None:
            return s
        flags, shebang_len = eval_shebang(body)
        code = body[shebang_len:]
        fn, err = self.eval_vm.compile(code, b"@user_script")
        if fn is None:
            raise ReplyError("ERR Error compiling script (new function): %s"
                             % _text(err))
        s = self.scripts[sha] = Script(sha, body, flags, fn)
        return s

    def flush_scripts(self):
        """SCRIPT FLUSH: the cache and the Lua state start anew."""
        self.scripts = {}
        self._eval_vm = None

    # -- EVAL ---------------------------------------------------------------------------
    def eval(self, client, argv, evalsha, ro):
        numkeys = _numkeys(argv[2], errors.NOT_INTEGER, len(argv) - 3)
        if evalsha:
            sha = argv[1][:40].lower() if len(argv[1]) >= 40 else None
            script = self.scripts.get(sha) if sha else None
            if script is None:
                raise ReplyError(errors.NOSCRIPT)
        else:
            script = self.create_script(argv[1])
        run = Run("eval", client, script.sha.decode(), argv, self.eval_vm)
        self._prepare(run, script.flags, ro)
        return self._execute(run, self.eval_vm.run_eval, script.fn, numkeys, argv[3:])

    # -- FCALL ----------------------------------------------------------------------------
    def fcall(self, client, argv, ro):
        fn = self.functions.get(argv[1].lower())
        if fn is None:
            raise ReplyError("ERR Function not found")
        numkeys = _numkeys(argv[2], "ERR Bad number of keys provided", len(argv) - 3)
        run = Run("function", client, _text(fn.name), argv, self.fn_vm)
        self._prepare(run, fn.flags, ro)
        return self._execute(run, self.fn_vm.run_function, fn.callback, numkeys, argv[3:])

    # -- the run ----------------------------------------------------------------------------
    def _prepare(self, run, flags, ro):
        """scriptPrepareForRun: checks that depend on the script's flags."""
        engine = self.engine
        if not flags & EVAL_COMPAT:
            if not flags & NO_WRITES:
                aof = engine.aof
                if aof is not None and getattr(aof, "write_error", None) is not None:
                    raise ReplyError("MISCONF Errors writing to the AOF file: %s"
                                     % aof.write_error)
                if ro:
                    raise ReplyError(
                        "ERR Can not execute a script with write flag using *_ro command.")
            if not flags & (ALLOW_OOM | NO_WRITES) and self._out_of_memory(run.caller):
                raise ReplyError(errors.OOM)
            run.allow_oom = bool(flags & ALLOW_OOM)
            if flags & NO_WRITES:
                run.readonly = True
        elif engine.config["maxmemory"]:
            run.oom = self._out_of_memory(run.caller)
        if ro:
            run.readonly = True

    def _out_of_memory(self, caller):
        engine = self.engine
        if not engine.config["maxmemory"]:
            return False
        probe = engine.table.get(b"set")
        return engine.check_memory(caller, probe) is not None

    def _execute(self, run, runner, fn, numkeys, args):
        engine = self.engine
        caller = run.caller
        sc = self.script_client()
        sc.db = caller.db
        sc.resp3 = False
        sc.in_script = True
        sc.in_exec = caller.in_exec
        sc.user = caller.user
        sc.authenticated = True
        sc.propagate_override = None
        run.client = sc
        dirty = engine.dirty
        self.run = run
        engine.script_effects = self.collect_effect
        _db.freeze_time(_db.now_ms())
        try:
            kind, out = runner(fn, run.name.encode(), numkeys, caller.resp3, *args)
        except Exception as e:            # the Lua state itself failed (memory...)
            log.error("Lua state error running %s: %s", run.name, e)
            kind, out = b"e", ("ERR Error running script %s, %s" % (run.name, e)).encode()
        finally:
            _db.freeze_time(None)
            self.run = None
            engine.script_effects = None
            if engine.script_busy is run:
                engine.script_busy = None
                engine.hot_changed()
            sc.in_script = False
            sc.propagate_override = None
        if run.killed and not run.stopping:
            log.warning("Lua script killed by user with SCRIPT KILL.")
        if engine.dirty != dirty:
            self._propagate(run)
        if kind == b"r":
            return Raw(out)
        err = ReplyError(out.decode("utf-8", "replace"))
        # the script failed (failed_calls); an error of a command it called
        # ('E') is already in the error stats, as in Redis
        err.stats_counted = kind == b"E"
        raise err

    def _propagate(self, run):
        effects = run.effects
        caller = run.caller
        if len(effects) > 1 and not caller.in_exec and caller.multi is None:
            effects = ([(effects[0][0], [b"MULTI"])] + effects +
                       [(effects[-1][0], [b"EXEC"])])
        self.engine.rewrite_propagation(caller, *effects)

    def collect_effect(self, db_index, argv):
        """Called by the engine for every write of the script client."""
        run = self.run
        if run is not None and run.repl:
            run.effects.append((db_index, list(argv)))

    # -- callbacks from Lua --------------------------------------------------------------
    def _tick(self):
        run = self.run
        if run is None:
            return 0
        if run.killed:
            return 1
        now = time.monotonic()
        if run.kind == "load":
            return 2 if run.timeout and now - run.start > run.timeout else 0
        engine = self.engine
        if not run.timedout:
            if (now - run.start) * 1000 < engine.config["busy-reply-threshold"]:
                return 0
            run.timedout = True
            engine.script_busy = run
            engine.hot_changed()
            log.warning("Slow script detected: still in execution after %d milliseconds. "
                        "You can try killing the script using the %s command. Script name "
                        "is: %s.", int((now - run.start) * 1000),
                        "SCRIPT KILL" if run.kind == "eval" else "FUNCTION KILL", run.name)
        if now - run.last_poll >= POLL_INTERVAL:
            run.last_poll = now
            poll = engine.poll_busy
            if poll is not None:
                try:
                    if poll(run.caller):
                        run.killed = run.stopping = True
                except Exception:
                    log.exception("error serving clients during a busy script")
                run.last_poll = time.monotonic()
        return 1 if run.killed else 0

    def _lua_call(self, *argv):
        run = self.run
        if run is None or run.kind == "load":
            return False, b"ERR redis.call/pcall can only be called inside a script invocation"
        try:
            return self._call(run, list(argv))
        except Exception as e:
            log.exception("internal error in redis.call")
            return False, ("ERR internal error: %s" % e).encode()

    def _call(self, run, argv):
        engine = self.engine
        sc = run.client
        name = argv[0]
        cmd = engine.table.get(name) or engine.table.get(name.lower())
        if cmd is not None and cmd.subcommands is not None:
            if len(argv) >= 2:
                cmd = cmd.subcommands.get(argv[1].lower().decode("utf-8", "replace"))
            elif cmd.fn is None:
                return False, b"ERR Wrong number of args calling Redis command from script"
        if cmd is None:
            return self._refused(None, b"ERR Unknown Redis command called from script")
        n, argc = cmd.arity, len(argv)
        if (argc != n) if n > 0 else (argc < -n):
            return self._refused(cmd, b"ERR Wrong number of args calling Redis command from script")
        flags = cmd.flags
        if flags & NOSCRIPT:
            return self._refused(cmd, b"ERR This Redis command is not allowed from script")
        for ext in engine.extensions:
            check = getattr(ext, "check_command", None)
            if check is not None:
                err = check(sc, cmd, argv)
                if err is not None and not (run.wrote and err.code == "MISCONF"):
                    return self._refused(cmd, err.message.encode("utf-8", "surrogateescape"))
        if run.readonly and flags & (WRITE | MAY_REPLICATE):
            return self._refused(cmd, b"ERR Write commands are not allowed from read-only scripts.")
        if flags & DENYOOM and not run.allow_oom and not run.wrote and \
                engine.config["maxmemory"] and (run.oom or self._out_of_memory(run.caller)):
            return self._refused(cmd, errors.OOM.encode())
        if flags & WRITE:
            run.wrote = True
        reply = engine.call(sc, cmd, argv)
        if isinstance(reply, ReplyError):
            return False, reply.message.encode("utf-8", "surrogateescape")
        return True, run.vm.to_lua(reply, sc.resp3)

    def _refused(self, cmd, message):
        """A command the script called was refused before it ran: counted
        in the error stats (and the command's rejected_calls) now, as Redis
        does, so the script's own error reply is not counted again."""
        if cmd is not None:
            cmd.stats_rejected += 1
        self.engine._count_error(ReplyError(message.decode("utf-8", "replace")))
        return False, message

    def _lua_setresp(self, r):
        run = self.run
        if run is not None and run.client is not None:
            run.client.resp3 = r == 3

    def _lua_log(self, level, msg):
        log.log(_LOG_LEVELS[int(level)], "%s", msg.decode("utf-8", "replace"))

    def _lua_set_repl(self, flags):
        if self.run is not None:
            self.run.repl = int(flags)

    def _lua_acl_check(self, *argv):
        engine = self.engine
        name = argv[0]
        cmd = engine.table.get(name) or engine.table.get(name.lower())
        if cmd is not None and cmd.subcommands is not None and len(argv) >= 2:
            cmd = cmd.subcommands.get(argv[1].lower().decode("utf-8", "replace"), cmd)
        if cmd is None:
            return False, b"ERR Invalid command passed to redis.acl_check_cmd()"
        run = self.run
        client = run.caller if run is not None else None
        for ext in engine.extensions:
            hook = getattr(ext, "acl_allows", None)
            if hook is not None and client is not None:
                return True, bool(hook(client, cmd, list(argv)))
        return True, True

    def _lua_register(self, name, callback, flags, description):
        run = self.run
        if run is None or run.kind != "load":
            return False, b"redis.register_function can only be called on FUNCTION LOAD command"
        lib = run.library
        if not _name_ok(name):
            return False, (b"Library names can only contain letters, numbers, or "
                           b"underscores(_) and must be at least one character long")
        if name in lib.functions:
            return False, b"Function already exists in the library"
        lib.functions[name] = Function(name, callback, int(flags), description, lib)
        return True, None

    # -- FUNCTION ---------------------------------------------------------------------------
    def create_library(self, code, client, timeout=LOAD_TIMEOUT):
        """Parse and run a library's code: a Library not yet linked; ReplyError."""
        name, engine_name, body = library_metadata(code)
        if not _name_ok(name):
            raise ReplyError("ERR Library names can only contain letters, numbers, or "
                             "underscores(_) and must be at least one character long")
        if engine_name.lower() != b"lua":
            raise ReplyError("ERR Engine '%s' not found" % _text(engine_name))
        lib = Library(name, code)
        vm = self.fn_vm
        run = Run("load", client, "", [], vm)
        run.library = lib
        run.timeout = timeout
        prev, self.run = self.run, run
        try:
            kind, msg = vm.load_library(body)
        finally:
            self.run = prev
        if kind == b"c":
            raise ReplyError("ERR Error compiling function: %s" % _text(msg))
        if kind == b"e":
            raise ReplyError("ERR Error registering functions: %s" % _text(msg))
        if not lib.functions:
            raise ReplyError("ERR No functions registered")
        return lib

    def load_library(self, code, replace, client):
        """FUNCTION LOAD: returns the library name."""
        timeout = 0 if client.addr == "aof-loader" else LOAD_TIMEOUT
        lib = self.create_library(code, client, timeout)
        old = self.libraries.get(lib.name)
        if old is not None and not replace:
            raise ReplyError("ERR Library '%s' already exists" % _text(lib.name))
        for fname in lib.functions:
            other = self.functions.get(fname.lower())
            if other is not None and other.library is not old:
                raise ReplyError("ERR Function %s already exists" % _text(fname))
        if old is not None:
            self._unlink(old)
        self._link(lib)
        return lib.name

    def _link(self, lib):
        self.libraries[lib.name] = lib
        for fname, fn in lib.functions.items():
            self.functions[fname.lower()] = fn

    def _unlink(self, lib):
        del self.libraries[lib.name]
        for fname in lib.functions:
            if self.functions.get(fname.lower()) is lib.functions[fname]:
                del self.functions[fname.lower()]

    def delete_library(self, name):
        lib = self.libraries.get(name)
        if lib is None:
            raise ReplyError("ERR Library not found")
        self._unlink(lib)

    def flush_functions(self):
        self.libraries = {}
        self.functions = {}
        self._fn_vm = None

    def dump(self):
        return _payload.dump_libraries([lib.code for lib in self.libraries.values()])

    def restore(self, data, policy, client):
        if not _payload.verify_payload(data):
            raise ReplyError("ERR DUMP payload version or checksum are wrong")
        try:
            codes = _payload.load_payload(data)
        except _payload.PayloadError as e:
            raise ReplyError("ERR %s" % e) from None
        new = {}
        new_functions = {}
        for code in codes:
            lib = self.create_library(code, client, 0)
            if lib.name in new:
                raise ReplyError("ERR Library '%s' already exists" % _text(lib.name))
            for fname in lib.functions:
                if fname.lower() in new_functions:
                    raise ReplyError("ERR Function %s already exists" % _text(fname))
                new_functions[fname.lower()] = lib
            new[lib.name] = lib
        if policy == "flush":
            self.libraries = {}
            self.functions = {}
        else:
            replaced = []
            for name in new:
                old = self.libraries.get(name)
                if old is not None:
                    if policy != "replace":
                        raise ReplyError("ERR Library %s already exists" % _text(name))
                    replaced.append(old)
            for old in replaced:
                self._unlink(old)
            for lib in new.values():
                for fname in lib.functions:
                    if fname.lower() in self.functions:
                        for old in replaced:       # put everything back
                            self._link(old)
                        raise ReplyError("ERR Function %s already exists" % _text(fname))
        for lib in new.values():
            self._link(lib)

    # -- KILL / STATS --------------------------------------------------------------------------
    def kill(self, is_eval):
        run = self.run
        if run is None or run.kind == "load":
            raise ReplyError("NOTBUSY No scripts in execution right now.")
        if run.wrote:
            raise ReplyError(
                "UNKILLABLE Sorry the script already executed write commands against the "
                "dataset. You can either wait the script termination or kill the server in "
                "a hard way using the SHUTDOWN NOSAVE command.")
        if is_eval and run.kind != "eval":
            raise ReplyError(errors.BUSY_FUNCTION)
        if not is_eval and run.kind == "eval":
            raise ReplyError(errors.BUSY)
        run.killed = True


def _text(b):
    return b.decode("utf-8", "replace") if isinstance(b, bytes) else str(b)


def _numkeys(arg, not_integer, available):
    from ..util import parse_int
    n = parse_int(arg, ReplyError(not_integer))
    if n > available:
        raise ReplyError(errors.NUMKEYS_TOO_MANY)
    if n < 0:
        raise ReplyError("ERR Number of keys can't be negative")
    return n


def eval_shebang(body):
    """(flags, length of the shebang line) of an EVAL script (evalExtractShebangFlags)."""
    if not body.startswith(b"#!"):
        return EVAL_COMPAT, 0
    end = body.find(b"\n")
    if end < 0:
        raise ReplyError("ERR Invalid script shebang")
    parts = _payload.split_args(body[:end])
    if not parts:
        raise ReplyError("ERR Invalid engine in script shebang")
    if parts[0] != b"#!lua":
        raise ReplyError("ERR Unexpected engine in script shebang: %s" % _text(parts[0]))
    flags = 0
    for p in parts[1:]:
        if not p.startswith(b"flags="):
            raise ReplyError("ERR Unknown lua shebang option: %s" % _text(p))
        value = p[6:]
        for f in (value.split(b",") if value else []):
            bit = _FLAGS_BY_NAME.get(f)
            if bit is None:
                raise ReplyError("ERR Unexpected flag in script shebang: %s" % _text(f))
            flags |= bit
    return flags, end


def library_metadata(code):
    """(name, engine, code to compile) of a FUNCTION LOAD payload."""
    if not code.startswith(b"#!"):
        raise ReplyError("ERR Missing library metadata")
    end = code.find(b"\n")
    if end < 0:
        raise ReplyError("ERR Invalid library metadata")
    parts = _payload.split_args(code[:end])
    if not parts:
        raise ReplyError("ERR Invalid library metadata")
    engine_name = parts[0][2:]
    name = None
    for p in parts[1:]:
        if p[:5].lower() == b"name=":
            if name is not None:
                raise ReplyError(
                    "ERR Invalid metadata value, name argument was given multiple times")
            name = p[5:]
            continue
        raise ReplyError("ERR Invalid metadata value given: %s" % _text(p))
    if name is None:
        raise ReplyError("ERR Library name was not given")
    # the shebang line is not Lua; its line feed stays so line numbers match
    return name, engine_name, code[end:]


def scripting_of(engine):
    s = getattr(engine, "scripting", None)
    if s is None:
        s = engine.scripting = Scripting(engine)
    return s
