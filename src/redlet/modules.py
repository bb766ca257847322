"""Extension modules: Python modules that add commands to an engine.

An extension declares its commands as built-ins do, with ``redlet.command``::

    import redlet

    MODULE_NAME = "hello"        # optional: default is the file's (or last dotted) name
    MODULE_VERSION = 1           # optional int, shown by MODULE LIST

    @redlet.command("HELLO.GREET", arity=2, flags="readonly fast")
    def greet(ctx, name):
        return b"Hello, " + name

The handler contract is the built-ins' one: ``fn(ctx, *args)`` returns a reply
value or raises ``ReplyError``; a write changes the keyspace through
``ctx.db`` and bumps ``ctx.engine.dirty``, so the engine appends the call to
the AOF as it does for built-ins.  Replaying the AOF calls the command again:
load the module at start (``loadmodule``) on a server with an AOF.

An optional ``redlet_onload(engine, args)`` runs after the module is imported
(``args``: the load arguments, bytes); it may raise to refuse the load, and
may return more ``@redlet.command`` functions.  ``redlet_onunload(engine)``
runs on MODULE UNLOAD.

Loads are per engine: ``loadmodule path-or-dotted.name [args...]`` at start
and ``MODULE LOAD`` add the commands to that engine's dispatch table only.
Each load executes the module afresh (it is not put in ``sys.modules``).
"""
import importlib.util
import logging
import os

from .commands.registry import (
    Command,
    register_module_command,
    unregister_module_command,
)

log = logging.getLogger("redlet")


class ModuleLoadError(Exception):
    """A module could not be imported or registered."""


def command(name, arity, flags="", keys=(0, 0, 0), group="module", summary="",
            since="1.0.0", complexity="", getkeys=None, write_keys=None, acl=(),
            doc_args=(), tips=()):
    """Declare an extension command (same declaration as the built-ins')."""
    flags = (flags.split() if isinstance(flags, str) else list(flags)) + ["module"]
    spec = dict(name=name, arity=arity, flags=flags, keys=keys, group=group,
                summary=summary, since=since, complexity=complexity, getkeys=getkeys,
                write_keys=write_keys, acl=acl, doc_args=doc_args, tips=tips)

    def declare(fn):
        _build(fn, spec)               # bad flags fail here, at import
        fn.redlet_command = spec
        return fn
    return declare


def _build(fn, spec):
    s = dict(spec)
    return Command(s.pop("name"), fn, s.pop("arity"), s.pop("flags"), s.pop("keys"),
                   s.pop("group"), s.pop("summary"), s.pop("since"), s.pop("complexity"),
                   **s)


class LoadedModule:
    def __init__(self, name, ver, path, args, pymodule, commands):
        self.name, self.ver, self.path, self.args = name, ver, path, args
        self.pymodule = pymodule
        self.commands = commands


def _import(path):
    if path.endswith(".py") or os.sep in path:
        if not os.path.isfile(path):
            raise ModuleLoadError("no such file: %s" % path)
        spec = importlib.util.spec_from_file_location(
            "redlet_ext_" + os.path.splitext(os.path.basename(path))[0], path)
        default = os.path.splitext(os.path.basename(path))[0]
    else:
        try:
            spec = importlib.util.find_spec(path)
        except (ImportError, ValueError) as e:
            raise ModuleLoadError(str(e)) from None
        if spec is None:
            raise ModuleLoadError("no module named %r" % path)
        default = path.rsplit(".", 1)[-1]
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as e:
        raise ModuleLoadError("%s: %s" % (type(e).__name__, e)) from e
    return module, default


class ModuleHost:
    """The engine extension holding its loaded modules (INFO modules too)."""

    def __init__(self, engine):
        self.engine = engine
        self.loaded = {}               # name -> LoadedModule, in load order

    def load(self, path, args):
        """Import ``path`` (a file or dotted name) and add its commands."""
        module, default = _import(path)
        name = str(getattr(module, "MODULE_NAME", default))
        ver = int(getattr(module, "MODULE_VERSION", 1))
        if name in self.loaded:
            raise ModuleLoadError("a module named %r is already loaded" % name)
        fns = [v for v in vars(module).values() if hasattr(v, "redlet_command")]
        onload = getattr(module, "redlet_onload", None)
        if onload is not None:
            try:
                extra = onload(self.engine, list(args))
            except Exception as e:
                raise ModuleLoadError("redlet_onload failed: %s" % e) from e
            fns.extend(extra or ())
        commands = [_build(fn, fn.redlet_command) for fn in fns]
        table = self.engine.table
        added = []
        for cmd in commands:
            if cmd.name.encode() in table or not register_module_command(cmd, name):
                for c in added:
                    self._remove(c)
                raise ModuleLoadError("command %r already exists" % cmd.name)
            table[cmd.name.encode()] = table[cmd.name.upper().encode()] = cmd
            added.append(cmd)
        self.loaded[name] = LoadedModule(name, ver, path, list(args), module, commands)
        log.info("Module '%s' loaded from %s", name, path)
        return self.loaded[name]

    def _remove(self, cmd):
        for key in (cmd.name.encode(), cmd.name.upper().encode()):
            self.engine.table.pop(key, None)
            self.engine.hot.pop(key, None)
        unregister_module_command(cmd)

    def unload(self, name):
        """False if no module has that name."""
        mod = self.loaded.pop(name, None)
        if mod is None:
            return False
        hook = getattr(mod.pymodule, "redlet_onunload", None)
        if hook is not None:
            hook(self.engine)
        for cmd in mod.commands:
            self._remove(cmd)
        log.info("Module %s unloaded", name)
        return True

    def shutdown(self):
        """Server stopping: its commands leave the shared COMMAND listing."""
        for mod in self.loaded.values():
            for cmd in mod.commands:
                unregister_module_command(cmd)

    def list_reply(self):
        return [{b"name": m.name.encode(), b"ver": m.ver, b"path": m.path.encode(),
                 b"args": list(m.args)} for m in self.loaded.values()]

    def info_modules(self):
        return [("module", "name=%s,ver=%d,api=1,filters=0,usedby=[],using=[],options=[]"
                 % (m.name, m.ver)) for m in self.loaded.values()]


def host(engine):
    """The engine's ModuleHost (added if the engine was built without one)."""
    for ext in engine.extensions:
        if isinstance(ext, ModuleHost):
            return ext
    h = ModuleHost(engine)
    engine.extensions.append(h)
    return h


def attach(engine):
    """Extension factory: load the ``loadmodule`` directives (before the AOF
    loads, so that its replay finds their commands); a bad module stops the
    start."""
    h = ModuleHost(engine)
    for line in engine.config["loadmodule"]:
        words = line.split()
        if not words:
            continue
        try:
            h.load(words[0], [w.encode() for w in words[1:]])
        except ModuleLoadError as e:
            raise ModuleLoadError("Can't load module from %s: server aborting (%s)"
                                  % (words[0], e)) from None
    return h

