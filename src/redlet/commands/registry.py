"""The command table: every command declared once, as data.

A command module registers its handlers with ``@command``::

    @command("LLEN", arity=2, flags="readonly fast", keys=(1, 1, 1), group="list",
             summary="Returns the length of a list.")
    def llen(ctx, key):
        ...

* ``arity`` follows Redis: it counts the command name; negative means
  "at least that many".
* ``flags`` are Redis' command flags (write, readonly, denyoom, admin,
  pubsub, noscript, blocking, loading, stale, fast, no_auth, no_multi,
  allow_busy, typed...).
* ``keys`` is ``(first, last, step)`` as in ``COMMAND INFO``; ``last`` may be
  negative (-1: the last argument).  ``getkeys`` overrides it for commands
  whose keys are not at fixed positions (``ZUNIONSTORE``, ``EVAL``).
* ``write_keys`` names the keys a write modifies (for WATCH), when not all.
* Key specs (``COMMAND INFO``, ``GETKEYSANDFLAGS``) are not declared here:
  ``Command.key_specs`` takes them from ``keyspecs`` on first use.

The handler receives the client context and the arguments after the name,
and returns a reply value (see ``protocol.types``) or raises ``ReplyError``.
Container commands (``CONFIG GET``) register their parts with
``@subcommand("CONFIG", "GET", ...)``.
"""

FLAG_NAMES = (
    "write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript",
    "blocking", "loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast",
    "no_auth", "may_replicate", "sentinel", "only_sentinel", "no_mandatory_keys",
    "protected", "no_async_loading", "no_multi", "movablekeys", "allow_busy",
    "typed",
)
_FLAG_BITS = {name: 1 << i for i, name in enumerate(FLAG_NAMES)}
WRITE = _FLAG_BITS["write"]
READONLY = _FLAG_BITS["readonly"]
DENYOOM = _FLAG_BITS["denyoom"]
ADMIN = _FLAG_BITS["admin"]
PUBSUB = _FLAG_BITS["pubsub"]
NOSCRIPT = _FLAG_BITS["noscript"]
BLOCKING = _FLAG_BITS["blocking"]
LOADING = _FLAG_BITS["loading"]
STALE = _FLAG_BITS["stale"]
FAST = _FLAG_BITS["fast"]
SKIP_MONITOR = _FLAG_BITS["skip_monitor"]
SKIP_SLOWLOG = _FLAG_BITS["skip_slowlog"]
NO_AUTH = _FLAG_BITS["no_auth"]
NO_MULTI = _FLAG_BITS["no_multi"]
ALLOW_BUSY = _FLAG_BITS["allow_busy"]
MAY_REPLICATE = _FLAG_BITS["may_replicate"]
MOVABLEKEYS = _FLAG_BITS["movablekeys"]
# accepts typed (RESP3) values as its value arguments: SET, MSET...
TYPED = _FLAG_BITS["typed"]
MODULE = _FLAG_BITS["module"]

# ACL categories derived from group and flags, as Redis does
_GROUP_CATEGORIES = {
    "string": "string", "list": "list", "hash": "hash", "set": "set",
    "sorted_set": "sortedset", "sorted-set": "sortedset", "generic": "keyspace", "pubsub": "pubsub",
    "transactions": "transaction", "scripting": "scripting", "connection": "connection",
    "server": None, "stream": "stream", "bitmap": "bitmap", "hyperloglog": "hyperloglog",
    "geo": "geo",
}


# Redis' ACL category table, in its order (COMMAND INFO lists them so)
_CATEGORY_ORDER = (
    "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
    "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
    "dangerous", "connection", "transaction", "scripting",
)


def _category_rank(name):
    try:
        return _CATEGORY_ORDER.index(name)
    except ValueError:
        return len(_CATEGORY_ORDER)


class Command:
    """One entry of the command table (a command or a subcommand)."""

    __slots__ = ("name", "fullname", "fn", "arity", "flags", "flag_names", "first_key",
                 "last_key", "key_step", "getkeys", "write_keys", "group", "summary",
                 "since", "complexity", "subcommands", "parent", "acl_categories",
                 "stats_calls", "stats_usec", "stats_rejected", "stats_failed", "doc_args",
                 "tips", "_key_specs", "_docs")

    def __init__(self, name, fn, arity, flags, keys, group, summary, since, complexity,
                 getkeys=None, write_keys=None, parent=None, acl=(), doc_args=(), tips=()):
        self.name = name.lower()
        self.tips = tips            # COMMAND INFO's hints for cluster clients
        self.parent = parent
        self.fullname = (parent.name + "|" + self.name) if parent else self.name
        self.fn = fn
        self.arity = arity
        names = flags.split() if isinstance(flags, str) else list(flags)
        bits = 0
        for f in names:
            bits |= _FLAG_BITS[f]
        if getkeys is not None:
            bits |= MOVABLEKEYS
        self.flags = bits
        self.flag_names = [f for f in FLAG_NAMES if bits & _FLAG_BITS[f]
                           and f not in ("typed", "may_replicate")]
        self.first_key, self.last_key, self.key_step = keys
        self.getkeys = getkeys
        self.write_keys = write_keys
        self.group = group
        self.summary = summary
        self.since = since
        self.complexity = complexity
        self.subcommands = None
        self.doc_args = doc_args
        cats = set(acl)
        if bits & WRITE:
            cats.add("write")
        if bits & READONLY and group != "scripting":
            cats.add("read")
        if bits & ADMIN:
            cats.update(("admin", "dangerous"))
        if bits & PUBSUB:
            cats.add("pubsub")
        if bits & FAST:
            cats.add("fast")
        else:
            cats.add("slow")
        if bits & BLOCKING:
            cats.add("blocking")
        g = _GROUP_CATEGORIES.get(group)
        if g and "-" + g not in cats:
            cats.add(g)
        cats = {c for c in cats if c[0] != "-"}     # "-keyspace": not in the group's one
        self.acl_categories = sorted(cats, key=_category_rank)
        self.stats_calls = 0
        self.stats_usec = 0
        self.stats_rejected = 0
        self.stats_failed = 0
        self._key_specs = None
        self._docs = None

    @property
    def key_specs(self):
        """Redis 7 key specs (a tuple of ``keyspecs.KeySpec``), from ``keyspecs``."""
        if self._key_specs is None:
            from .keyspecs import specs_for
            self._key_specs = specs_for(self)
        return self._key_specs

    @property
    def docs(self):
        """What ``COMMAND DOCS`` says of it (a ``docs.Docs``): the arguments, history
        and deprecation come from ``docs`` on first use."""
        if self._docs is None:
            from .docs import docs_for
            self._docs = docs_for(self)
        return self._docs

    def keys(self, args):
        """Key arguments of a call (``args`` includes the command name)."""
        if self.getkeys is not None:
            return [args[i] for i in self.getkeys(args)]
        return [args[i] for i in self.key_positions(len(args))]

    def key_positions(self, argc):
        if self.getkeys is not None:
            return None
        first = self.first_key
        if not first:
            return ()
        last = self.last_key
        if last < 0:
            last = argc + last
        return range(first, min(last, argc - 1) + 1, self.key_step)

    def __repr__(self):
        return "<Command %s>" % self.fullname


COMMANDS = {}          # lower-case name (str) -> Command


def command(name, arity, flags="", keys=(0, 0, 0), group="generic", summary="",
            since="1.0.0", complexity="", getkeys=None, write_keys=None, acl=(),
            doc_args=(), tips=()):
    """Declare a command; the decorated function is its handler."""
    def register(fn):
        cmd = Command(name, fn, arity, flags, keys, group, summary, since, complexity,
                      getkeys, write_keys, acl=acl, doc_args=doc_args, tips=tips)
        old = COMMANDS.get(cmd.name)
        if old is not None and old.subcommands:
            cmd.subcommands = old.subcommands
        COMMANDS[cmd.name] = cmd
        return fn
    return register


def container(name, group, summary="", since="1.0.0", flags=""):
    """Declare a command made of subcommands (CONFIG, CLIENT...)."""
    cmd = COMMANDS.get(name.lower())
    if cmd is None:
        cmd = Command(name, None, -2, flags, (0, 0, 0), group, summary, since, "")
        cmd.subcommands = {}
        COMMANDS[cmd.name] = cmd
    return cmd


def subcommand(parent, name, arity, flags="", keys=(0, 0, 0), summary="", since="1.0.0",
               complexity="", getkeys=None, write_keys=None, acl=(), doc_args=()):
    """Declare ``PARENT NAME``; arity counts both words."""
    def register(fn):
        p = COMMANDS[parent.lower()]
        cmd = Command(name, fn, arity, flags, keys, p.group, summary, since, complexity,
                      getkeys, write_keys, parent=p, acl=acl, doc_args=doc_args)
        p.subcommands[cmd.name] = cmd
        return fn
    return register


def lookup_table():
    """The dispatch table: bytes names in lower and upper case -> Command."""
    table = {}
    for name, cmd in COMMANDS.items():
        if cmd.flags & MODULE:          # extension commands: only engines that loaded them
            continue
        table[name.encode()] = cmd
        table[name.upper().encode()] = cmd
    return table


# extension commands (``redlet.modules``): each engine dispatches only the ones it
# loaded (``engine.table``); COMMANDS lists them for COMMAND INFO while one is loaded
_MODULE_OWNERS = {}    # name -> [(module name, Command)], one per engine that loaded it


def register_module_command(cmd, module_name):
    """Add an extension command; False if the name is taken (a built-in, or
    another module's command)."""
    owners = _MODULE_OWNERS.get(cmd.name)
    if owners is None and cmd.name in COMMANDS:
        return False
    if owners and owners[0][0] != module_name:
        return False
    _MODULE_OWNERS.setdefault(cmd.name, []).append((module_name, cmd))
    COMMANDS.setdefault(cmd.name, cmd)
    return True


def unregister_module_command(cmd):
    owners = [o for o in _MODULE_OWNERS.get(cmd.name, ()) if o[1] is not cmd]
    if owners:
        _MODULE_OWNERS[cmd.name] = owners
        if COMMANDS.get(cmd.name) is cmd:
            COMMANDS[cmd.name] = owners[0][1]
    else:
        _MODULE_OWNERS.pop(cmd.name, None)
        if COMMANDS.get(cmd.name) is cmd:
            del COMMANDS[cmd.name]
