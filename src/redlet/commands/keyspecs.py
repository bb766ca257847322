"""Key specs: where a command's keys are and what it does to them (Redis 7).

``COMMAND INFO`` shows them (element 9) and ``COMMAND GETKEYS`` /
``GETKEYSANDFLAGS`` find keys with them.  The command declarations elsewhere
only give ``keys=(first, last, step)``; this module derives the plain spec from
that and the command's flags, and holds the entries where Redis says more.

Our notation, one tuple per spec::

    (flags, begin_type, begin_arg, find_type, find_arg[, notes])

* ``flags``: Redis' key-spec flags in its order: one of RO/RW/OW/RM, then
  access/update/insert/delete, not_key, incomplete, variable_flags.
* ``begin_type`` "index" with the argument position; "keyword" with
  ``(keyword, startfrom)`` (a negative startfrom searches back from the end);
  "unknown" with None.
* ``find_type`` "range" with ``(lastkey, keystep, limit)`` (lastkey counts from
  the first key, or from the end when negative; limit > 1 takes 1/limit of the
  rest); "keynum" with ``(keynumidx, firstkey, keystep)`` (offsets from the
  begin position); "unknown" with None.

``KEY_SPECS`` maps a command's full name to a tuple of specs, or to a flags
string alone: one plain spec at the declared (first, last, step) with these
flags.  A command missing from it gets that plain spec with default flags
(``RO access`` for readonly commands, ``RW update`` for writes, ``RW access
update`` otherwise) when it declares keys, no spec when it does not.  The
values are Redis 7.0's (read from ``COMMAND INFO`` of redis-server).
"""
from ..errors import ReplyError
from ..util import parse_int

# -- the table ------------------------------------------------------------------------
_DEST = ("OW update", "index", 1, "range", (0, 1, 0))            # STORE destination at 1
_SOURCES_FROM_2 = ("RO access", "index", 2, "range", (-1, 1, 0))  # all the rest are read
_NUMKEYS_AT_1 = ("RO access", "index", 1, "keynum", (0, 1, 1))    # numkeys key [key ...]
_NUMKEYS_AT_2 = ("RO access", "index", 2, "keynum", (0, 1, 1))
_POP_NUMKEYS_AT_1 = ("RW access delete", "index", 1, "keynum", (0, 1, 1))
_POP_NUMKEYS_AT_2 = ("RW access delete", "index", 2, "keynum", (0, 1, 1))
_MOVE_FROM_TO = (("RW access delete", "index", 1, "range", (0, 1, 0)),
                 ("RW insert", "index", 2, "range", (0, 1, 0)))
_SCRIPT_NOTES_RW = "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE"
_SCRIPT_NOTES_RO = "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"
_SCRIPT_RW = ("RW access update", "index", 2, "keynum", (0, 1, 1))
_SCRIPT_RO = ("RO access", "index", 2, "keynum", (0, 1, 1))
_SORT_BY_GET = ("RO access", "unknown", None, "unknown", None,
                "For the optional BY/GET keyword. It is marked 'unknown' because the key "
                "names derive from the content of the key we sort")
_SORT_STORE = ("OW update", "unknown", None, "unknown", None,
               "For the optional STORE keyword. It is marked 'unknown' because the keyword "
               "can appear anywhere in the argument array")

KEY_SPECS = {
    # metadata only: no access to the value
    **dict.fromkeys(("exists", "hexists", "hlen", "hstrlen", "llen", "scard", "sismember",
                     "strlen", "touch", "type", "watch", "xlen", "zcard", "memory|usage",
                     "object|encoding", "object|freq", "object|idletime",
                     "object|refcount"), "RO"),
    # read and modify
    **dict.fromkeys(("decr", "decrby", "getset", "hincrby", "hincrbyfloat", "incr", "incrby",
                     "incrbyfloat", "move", "setbit", "zincrby"), "RW access update"),
    # read and remove
    **dict.fromkeys(("blpop", "brpop", "bzpopmax", "bzpopmin", "getdel", "lpop", "rpop",
                     "spop", "zpopmax", "zpopmin"), "RW access delete"),
    **dict.fromkeys(("hdel", "lrem", "ltrim", "srem", "xautoclaim", "xdel", "xtrim", "zrem",
                     "zremrangebylex", "zremrangebyrank", "zremrangebyscore",
                     "xgroup|delconsumer", "xgroup|destroy"), "RW delete"),
    **dict.fromkeys(("append", "hsetnx", "linsert", "lpush", "lpushx", "rpush", "rpushx",
                     "sadd", "xgroup|create", "xgroup|createconsumer"), "RW insert"),
    **dict.fromkeys(("mset", "psetex", "restore", "setex"), "OW update"),
    **dict.fromkeys(("msetnx", "setnx"), "OW insert"),
    **dict.fromkeys(("del", "unlink", "delete"), "RM delete"),     # DELETE: redlet's DEL
    # sharded pub/sub: the channels are positioned like keys (cluster slots), not keys
    **dict.fromkeys(("spublish", "ssubscribe", "sunsubscribe"), "not_key"),

    "set": (("RW access update variable_flags", "index", 1, "range", (0, 1, 0),
             "RW and ACCESS due to the optional `GET` argument"),),
    "bitfield": (("RW access update variable_flags", "index", 1, "range", (0, 1, 0),
                  "This command allows both access and modification of the key"),),
    "getex": (("RW access update", "index", 1, "range", (0, 1, 0),
               "RW and UPDATE because it changes the TTL"),),
    "xadd": (("RW update", "index", 1, "range", (0, 1, 0),
              "UPDATE instead of INSERT because of the optional trimming feature"),),
    # HyperLogLog (PFCOUNT rewrites the cached cardinality)
    "pfadd": "RW insert",
    "pfcount": (("RW access", "index", 1, "range", (-1, 1, 0),
                 "RW because it may change the internal representation of the key, and "
                 "propagate to replicas"),),
    "pfmerge": (("RW access insert", "index", 1, "range", (0, 1, 0)), _SOURCES_FROM_2),
    "pfdebug": "RW access",

    "bitop": (("OW update", "index", 2, "range", (0, 1, 0)),
              ("RO access", "index", 3, "range", (-1, 1, 0))),
    "copy": (("RO access", "index", 1, "range", (0, 1, 0)),
             ("OW update", "index", 2, "range", (0, 1, 0))),
    "rename": (("RW access delete", "index", 1, "range", (0, 1, 0)),
               ("OW update", "index", 2, "range", (0, 1, 0))),
    "renamenx": (("RW access delete", "index", 1, "range", (0, 1, 0)),
                 ("OW insert", "index", 2, "range", (0, 1, 0))),
    "lmove": _MOVE_FROM_TO, "blmove": _MOVE_FROM_TO, "rpoplpush": _MOVE_FROM_TO,
    "brpoplpush": _MOVE_FROM_TO, "smove": _MOVE_FROM_TO,
    "sdiffstore": (_DEST, _SOURCES_FROM_2),
    "sunionstore": (_DEST, _SOURCES_FROM_2),
    "sinterstore": (("RW update", "index", 1, "range", (0, 1, 0)), _SOURCES_FROM_2),
    "zrangestore": (_DEST, ("RO access", "index", 2, "range", (0, 1, 0))),
    "geosearchstore": (_DEST, ("RO access", "index", 2, "range", (0, 1, 0))),
    # GEORADIUS*: the optional STORE/STOREDIST destination, searched by keyword
    "georadius": (("RO access", "index", 1, "range", (0, 1, 0)),
                  ("OW update", "keyword", ("STORE", 6), "range", (0, 1, 0)),
                  ("OW update", "keyword", ("STOREDIST", 6), "range", (0, 1, 0))),
    "georadiusbymember": (("RO access", "index", 1, "range", (0, 1, 0)),
                          ("OW update", "keyword", ("STORE", 5), "range", (0, 1, 0)),
                          ("OW update", "keyword", ("STOREDIST", 5), "range", (0, 1, 0))),

    # numkeys key [key ...]
    "lmpop": (_POP_NUMKEYS_AT_1,), "zmpop": (_POP_NUMKEYS_AT_1,),
    "blmpop": (_POP_NUMKEYS_AT_2,), "bzmpop": (_POP_NUMKEYS_AT_2,),
    "sintercard": (_NUMKEYS_AT_1,), "zintercard": (_NUMKEYS_AT_1,),
    "zdiff": (_NUMKEYS_AT_1,), "zinter": (_NUMKEYS_AT_1,), "zunion": (_NUMKEYS_AT_1,),
    "zdiffstore": (_DEST, _NUMKEYS_AT_2), "zinterstore": (_DEST, _NUMKEYS_AT_2),
    "zunionstore": (_DEST, _NUMKEYS_AT_2),
    "eval": (_SCRIPT_RW + (_SCRIPT_NOTES_RW,),), "fcall": (_SCRIPT_RW + (_SCRIPT_NOTES_RW,),),
    "eval_ro": (_SCRIPT_RO + (_SCRIPT_NOTES_RO,),),
    "fcall_ro": (_SCRIPT_RO + (_SCRIPT_NOTES_RO,),),
    "evalsha": (_SCRIPT_RW,), "evalsha_ro": (_SCRIPT_RO,),

    # ... STREAMS key [key ...] id [id ...]
    "xread": (("RO access", "keyword", ("STREAMS", 1), "range", (-1, 1, 2)),),
    "xreadgroup": (("RO access", "keyword", ("STREAMS", 4), "range", (-1, 1, 2)),),

    # keys found by the command's own getkeys (STORE may be anywhere)
    "sort": (("RO access", "index", 1, "range", (0, 1, 0)), _SORT_BY_GET, _SORT_STORE),
    "sort_ro": (("RO access", "index", 1, "range", (0, 1, 0)), _SORT_BY_GET),
}


# -- specs as objects -----------------------------------------------------------------
class KeySpec:
    """One key spec of a command (see the module docstring for the fields)."""

    __slots__ = ("flags", "begin_type", "begin_arg", "find_type", "find_arg", "notes")

    def __init__(self, flags, begin_type, begin_arg, find_type, find_arg, notes=None):
        self.flags = tuple(flags.split())
        self.begin_type = begin_type
        self.begin_arg = begin_arg
        self.find_type = find_type
        self.find_arg = find_arg
        self.notes = notes

    @property
    def not_key(self):
        return "not_key" in self.flags

    def __repr__(self):
        return "KeySpec(%r, %r, %r, %r, %r)" % (" ".join(self.flags), self.begin_type,
                                               self.begin_arg, self.find_type, self.find_arg)


def _default_flags(cmd):
    from .registry import READONLY, WRITE
    if cmd.flags & READONLY:
        return "RO access"
    if cmd.flags & WRITE:
        return "RW update"
    return "RW access update"


def _plain(cmd, flags):
    first, last, step = cmd.first_key, cmd.last_key, cmd.key_step
    return KeySpec(flags, "index", first, "range",
                   (last - first if last >= 0 else last, step, 0))


def specs_for(cmd):
    """The key specs of a ``registry.Command`` (a tuple of ``KeySpec``)."""
    entry = KEY_SPECS.get(cmd.fullname)
    if isinstance(entry, tuple):
        return tuple(KeySpec(*s) for s in entry)
    if not cmd.first_key:
        return ()
    return (_plain(cmd, entry or _default_flags(cmd)),)


# -- finding keys ---------------------------------------------------------------------
def _begin(spec, argv):
    """The position where the spec's keys begin, or None (not found)."""
    if spec.begin_type == "index":
        return spec.begin_arg
    keyword, startfrom = spec.begin_arg
    keyword = keyword.encode()
    argc = len(argv)
    if startfrom >= 0:
        search = range(startfrom, argc - 1)     # as Redis: never the last argument
    else:
        search = range(argc + startfrom, 0, -1)
    for i in search:
        if argv[i].upper() == keyword:
            return i + 1
    return None


def _positions(spec, argv):
    """The key positions of one (known) spec, or None when the arguments do not fit."""
    argc = len(argv)
    first = _begin(spec, argv)
    if first is None:
        return None
    if spec.find_type == "range":
        lastkey, step, limit = spec.find_arg
        if lastkey >= 0:
            last = first + lastkey
        elif limit:
            last = first + (argc - first) // limit + lastkey
        else:
            last = argc + lastkey
    else:
        keynumidx, firstkey, step = spec.find_arg
        if first + keynumidx >= argc:
            return None
        try:
            numkeys = parse_int(argv[first + keynumidx])
        except ReplyError:
            return None
        if numkeys <= 0:
            return None
        first += firstkey
        last = first + (numkeys - 1) * step
    if last >= argc:
        return None
    return range(first, last + 1, step)


def _set_flags(argv, pos, flags):
    # SET ... GET reads the old value; without GET it only overwrites
    if any(a.upper() == b"GET" for a in argv[3:]):
        return ("RW", "access", "update")
    return ("OW", "update")


def _bitfield_flags(argv, pos, flags):
    # read-only unless something other than GET (and OVERFLOW) is asked for
    i, argc = 2, len(argv)
    while i < argc:
        word, rest = argv[i].upper(), argc - i - 1
        if word == b"GET" and rest >= 2:
            i += 3
        elif word == b"OVERFLOW" and rest >= 1:
            i += 2
        else:
            return ("RW", "access", "update")
    return ("RO", "access")


# the key's flags for specs marked variable_flags: fn(argv, position, spec flags)
VARIABLE_FLAGS = {"set": _set_flags, "bitfield": _bitfield_flags}


def _atoi(b):
    """C's atoi: leading white space, a sign, the digits up to the first other byte."""
    b = b.lstrip(b" \t\n\v\f\r")
    sign = -1 if b[:1] == b"-" else 1
    if b[:1] in (b"-", b"+"):
        b = b[1:]
    n = 0
    for c in b:
        if not 48 <= c <= 57:
            break
        n = n * 10 + c - 48
    return sign * n


def _fallback(specs, argv):
    """Redis' answer when a spec does not fit the arguments: its per-command key
    finder, which for numkeys commands reads numkeys leniently (``01``, ``1x``, ``+1``
    count as 1) and lists the numkeys keys, then the other keys, with no flags."""
    keynum = [s for s in specs if s.find_type == "keynum"]
    if len(keynum) != 1:
        return []
    spec = keynum[0]
    keynumidx, firstkey, step = spec.find_arg
    first = spec.begin_arg + keynumidx
    if first >= len(argv):
        return []
    numkeys = _atoi(argv[first])
    first = spec.begin_arg + firstkey
    last = first + (numkeys - 1) * step
    if numkeys < 1 or last >= len(argv):
        return []
    found = [(p, ()) for p in range(first, last + 1, step)]
    for other in specs:
        if other is not spec:
            positions = _positions(other, argv)
            found.extend((p, ()) for p in positions or ())
    return found


def has_keys(cmd):
    """Whether ``COMMAND GETKEYS`` may find keys for the command."""
    return cmd.getkeys is not None or any(not s.not_key for s in cmd.key_specs)


def find_keys(cmd, argv):
    """The keys of a call (``argv`` includes the command name, and the
    subcommand for a subcommand) as ``[(position, flags)]``; empty when the
    arguments do not fit the specs (no key then, as in Redis).

    Specs marked "unknown" (SORT's STORE) take their positions from the
    command's own ``getkeys``: a position of a known spec keeps that spec's
    flags, any other gets the last unknown spec's.  When a spec does not fit,
    the answer is Redis' fallback (``_fallback``)."""
    specs = [s for s in cmd.key_specs if not s.not_key]
    found = []
    unknown = None
    for spec in specs:
        if spec.begin_type == "unknown":
            unknown = spec
            continue
        if spec.begin_type == "keyword" and _begin(spec, argv) is None:
            continue                # an absent keyword: no key from it (GEORADIUS STORE)
        positions = _positions(spec, argv)
        if positions is None:
            return _fallback(specs, argv)
        vary = VARIABLE_FLAGS.get(cmd.fullname) if "variable_flags" in spec.flags else None
        for p in positions:
            found.append((p, vary(argv, p, spec.flags) if vary else spec.flags))
    if unknown is not None and cmd.getkeys is not None:
        known = dict(found)
        found = [(p, known.get(p, unknown.flags)) for p in cmd.getkeys(argv)]
    return found
