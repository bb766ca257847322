"""ACL users, as Redis 7.0 has them: the engine extension behind ACL, AUTH and
the command gate.

A ``User`` holds what ``ACL SETUSER`` rules compute: on/off, password sha256
digests (or ``nopass``), the allowed commands (a set of full names, plus the
"future commands" bit that only ``+@all`` sets), key patterns with their
read/write permissions and channel patterns.  ``Acl`` is the extension: it
answers the engine's hooks (``authenticate``, ``auth_required``,
``has_acl_users``, ``check_command``, ``hot_ok``, ``acl_allows``), keeps the
ACL LOG and reads/writes the ACL file.

Key permissions: without Redis' per-key-spec flags, a write command needs the
write permission on its keys and any other command the read permission.
"""
import hashlib
import hmac
import time

from . import errors
from .errors import ReplyError
from .util import glob_match

READ = 1
WRITE = 2
ALL = READ | WRITE

# Redis' category table, in its order (ACL CAT, the LIST best-fit search)
CATEGORIES = (
    "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
    "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
    "dangerous", "connection", "transaction", "scripting",
)

_HEX = frozenset("0123456789abcdef")


class RuleError(Exception):
    """A SETUSER modifier was refused; ``str()`` is Redis' reason."""


def hash_password(password):
    return hashlib.sha256(password).hexdigest()


class User:
    __slots__ = ("name", "enabled", "nopass", "sanitize", "passwords", "future", "allowed",
                 "denied", "firstargs", "allkeys", "keys", "allchannels", "channels",
                 "unrestricted")

    def __init__(self, name):
        self.name = name
        self.enabled = False
        self.nopass = False
        self.sanitize = False
        self.passwords = []          # sha256 hex digests, in the order added
        self.future = False          # +@all: commands added later are allowed too
        self.allowed = set()         # full names ("get", "config|get")
        self.denied = set()          # full names cleared after +@all
        self.firstargs = {}          # full name -> [first arg], "+select|0"
        self.allkeys = False
        self.keys = []               # [(flags, pattern bytes)]
        self.allchannels = False
        self.channels = []           # [pattern bytes]
        self.unrestricted = False

    def copy(self):
        u = User(self.name)
        for s in self.__slots__:
            v = getattr(self, s)
            if isinstance(v, (list, set, dict)):
                v = type(v)(v)
                if s == "firstargs":
                    v = {k: list(a) for k, a in v.items()}
            setattr(u, s, v)
        return u

    def can_run(self, fullname):
        return fullname in self.allowed or (self.future and fullname not in self.denied)

    def refresh(self):
        self.unrestricted = (self.future and not self.denied and self.allkeys
                             and self.allchannels)


class Acl:
    """The engine extension (``engine.acl``)."""

    def __init__(self, engine):
        self.engine = engine
        self.config = engine.config
        self.users = {}
        self.log = []                # newest first: dicts
        self._restricted = 0         # users that are not unrestricted
        default = User("default")
        self._apply(default, [b"on", b"nopass", b"~*", b"&*", b"+@all"])
        self.users["default"] = default
        self._sync_requirepass(self.config["requirepass"])
        self.config.listeners.append(self._config_changed)
        self._recount()

    # -- the command universe --------------------------------------------
    def _all_commands(self):
        """Every Command and subcommand the engine dispatches (deduplicated)."""
        seen = {}
        for cmd in self.engine.table.values():
            if cmd.fullname in seen:
                continue
            seen[cmd.fullname] = cmd
            if cmd.subcommands:
                for sub in cmd.subcommands.values():
                    seen[sub.fullname] = sub
        return seen

    def _lookup(self, name):
        """ACLLookupCommand: ``cmd`` or ``cmd|sub``; None if unknown."""
        parts = name.split("|")
        if len(parts) > 2:
            return None
        cmd = self.engine.table.get(parts[0].encode("utf-8", "surrogateescape"))
        if cmd is None:
            return None
        if len(parts) == 2:
            if not cmd.subcommands:
                return None
            return cmd.subcommands.get(parts[1])
        return cmd

    @staticmethod
    def _set_perm(user, cmd, allow):
        """ACLChangeSelectorPerm: the command and all its subcommands."""
        targets = [cmd]
        if cmd.subcommands:
            targets.extend(cmd.subcommands.values())
        for c in targets:
            name = c.fullname
            user.firstargs.pop(name, None)
            if allow:
                user.allowed.add(name)
                user.denied.discard(name)
            else:
                user.allowed.discard(name)
                user.denied.add(name)

    def _set_category(self, user, cat, allow):
        for cmd in self._all_commands().values():
            if cmd.flags & _MODULE:
                continue
            if cat in categories_of(cmd):
                self._set_perm(user, cmd, allow)

    # -- SETUSER rules ------------------------------------------------------
    def _apply(self, user, rules):
        """Apply modifiers (bytes) in order; raises ReplyError naming the bad one."""
        for rule in rules:
            try:
                self._rule(user, rule)
            except RuleError as e:
                raise ReplyError("ERR Error in ACL SETUSER modifier '%s': %s" % (
                    rule.decode("utf-8", "replace"), e)) from None
        user.refresh()

    def _rule(self, u, rule):
        low = rule.lower()
        if low == b"on":
            u.enabled = True
        elif low == b"off":
            u.enabled = False
        elif low == b"nopass":
            u.nopass = True
            u.passwords = []
        elif low == b"resetpass":
            u.nopass = False
            u.passwords = []
        elif low == b"sanitize-payload":
            u.sanitize = True
        elif low == b"skip-sanitize-payload":
            u.sanitize = False
        elif low in (b"allkeys", b"~*"):
            u.allkeys = True
            u.keys = []
        elif low == b"resetkeys":
            u.allkeys = False
            u.keys = []
        elif low in (b"allchannels", b"&*"):
            u.allchannels = True
            u.channels = []
        elif low == b"resetchannels":
            u.allchannels = False
            u.channels = []
        elif low in (b"allcommands", b"+@all"):
            u.future = True
            u.allowed = set(self._all_commands())
            u.denied = set()
            u.firstargs = {}
        elif low in (b"nocommands", b"-@all"):
            u.future = False
            u.allowed = set()
            u.denied = set()
            u.firstargs = {}
        elif low == b"reset":
            for r in (b"resetpass", b"resetkeys", b"resetchannels"):
                self._rule(u, r)
            if self.config["acl-pubsub-default"] == "allchannels":
                self._rule(u, b"allchannels")
            for r in (b"off", b"sanitize-payload", b"-@all"):
                self._rule(u, r)
        elif low == b"clearselectors":
            pass
        elif rule[:1] == b">":
            self._add_hash(u, hash_password(rule[1:]))
        elif rule[:1] == b"#":
            self._add_hash(u, self._valid_hash(rule[1:]))
        elif rule[:1] == b"<":
            self._remove_hash(u, hash_password(rule[1:]))
        elif rule[:1] == b"!":
            self._remove_hash(u, self._valid_hash(rule[1:]))
        elif rule[:1] in (b"~", b"%"):
            self._key_rule(u, rule)
        elif rule[:1] == b"&":
            if u.allchannels:
                raise RuleError(
                    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not "
                    "valid and does not have any effect. Try 'resetchannels' to start with an "
                    "empty list of channels")
            pat = rule[1:]
            if pat not in u.channels:
                u.channels.append(pat)
        elif low[:2] in (b"+@", b"-@"):
            cat = low[2:].decode("utf-8", "replace")
            if cat not in CATEGORIES:
                raise RuleError(_UNKNOWN)
            self._set_category(u, cat, low[:1] == b"+")
        elif low[:1] == b"+":
            self._allow(u, low[1:].decode("utf-8", "surrogateescape"))
        elif low[:1] == b"-":
            cmd = self._lookup(low[1:].decode("utf-8", "surrogateescape"))
            if cmd is None:
                raise RuleError(_UNKNOWN)
            self._set_perm(u, cmd, False)
        else:
            raise RuleError("Syntax error")

    def _allow(self, u, name):
        if "|" not in name:
            cmd = self._lookup(name)
            if cmd is None:
                raise RuleError(_UNKNOWN)
            self._set_perm(u, cmd, True)
            return
        head, sub = name.rsplit("|", 1)
        cmd = self._lookup(head)
        if cmd is None:
            raise RuleError(_UNKNOWN)
        if cmd.parent is not None:
            raise RuleError("Allowing first-arg of a subcommand is not supported")
        if not sub:
            raise RuleError("Syntax error")
        if cmd.subcommands:
            cmd = self._lookup(name)
            if cmd is None:
                raise RuleError(_UNKNOWN)
            self._set_perm(u, cmd, True)
        else:
            args = u.firstargs.setdefault(cmd.fullname, [])
            if sub not in args:
                args.append(sub)

    @staticmethod
    def _valid_hash(h):
        text = h.decode("latin-1")
        if len(text) != 64 or not set(text) <= _HEX:
            raise RuleError("The password hash must be exactly 64 characters and contain "
                            "only lowercase hexadecimal characters")
        return text

    @staticmethod
    def _add_hash(u, h):
        if h not in u.passwords:
            u.passwords.append(h)
        u.nopass = False

    @staticmethod
    def _remove_hash(u, h):
        if h not in u.passwords:
            raise RuleError("The password you are trying to remove from the user does not "
                            "exist")
        u.passwords.remove(h)

    @staticmethod
    def _key_rule(u, rule):
        if u.allkeys:
            raise RuleError(
                "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid "
                "and does not have any effect. Try 'resetkeys' to start with an empty list "
                "of patterns")
        if rule[:1] == b"~":
            flags, pat = ALL, rule[1:]
        else:
            flags, i = 0, 1
            while i < len(rule):
                c = rule[i:i + 1].upper()
                if c == b"R" and not flags & READ:
                    flags |= READ
                elif c == b"W" and not flags & WRITE:
                    flags |= WRITE
                elif c == b"~":
                    i += 1
                    break
                else:
                    raise RuleError("Syntax error")
                i += 1
            pat = rule[i:]
        if pat == b"*" and flags == ALL:
            u.allkeys = True
            u.keys = []
            return
        for j, (f, p) in enumerate(u.keys):
            if p == pat:
                u.keys[j] = (f | flags, p)
                return
        u.keys.append((flags, pat))

    # -- users ----------------------------------------------------------------
    def setuser(self, name, rules):
        """ACL SETUSER: all rules apply or none (the user is left as it was)."""
        old = self.users.get(name)
        user = old.copy() if old is not None else self.new_user(name)
        self._apply(user, rules)
        self.users[name] = user
        self._recount()

    def new_user(self, name):
        u = User(name)
        if self.config["acl-pubsub-default"] == "allchannels":
            u.allchannels = True
        return u

    def deluser(self, name):
        if self.users.pop(name, None) is None:
            return False
        self._recount()
        return True

    def _recount(self):
        self._restricted = sum(1 for u in self.users.values() if not u.unrestricted)
        self.engine.hot_changed()

    def _sync_requirepass(self, password):
        """CONFIG SET requirepass: the default user's password, as Redis does."""
        d = self.users["default"]
        self._rule(d, b"resetpass")
        self._rule(d, (b">" + password.encode("utf-8", "surrogateescape")) if password
                   else b"nopass")

    def _config_changed(self, name, value):
        if name == "requirepass":
            self._sync_requirepass(value)

    # -- describing users -------------------------------------------------
    def describe_commands(self, u):
        """ACLDescribeSelectorCommandRules: the best-fit categories, then
        single commands, as Redis 7.0 rebuilds them from the bitmap."""
        universe = self._all_commands()
        fake = User("")
        if u.future:
            rules = ["+@all"]
            self._rule(fake, b"+@all")
            additive = False
        else:
            rules = ["-@all"]
            additive = True
        bit = {name: u.can_run(name) for name in universe}
        temp = dict(bit)
        cats = {c: [n for n, cmd in universe.items()
                    if not cmd.flags & _MODULE and c in categories_of(cmd)] for c in CATEGORIES}
        applied = set()
        while True:
            best, mindiff, maxsame = None, None, 0
            for c in CATEGORIES:
                if c in applied:
                    continue
                on = sum(1 for n in cats[c] if temp[n])
                off = len(cats[c]) - on
                diff, same = (off, on) if additive else (on, off)
                if same > diff and (mindiff is None or diff < mindiff
                                    or (diff == mindiff and same > maxsame)):
                    best, mindiff, maxsame = c, diff, same
            if best is None:
                break
            self._set_category(fake, best, additive)
            for n in cats[best]:
                # the inverse on temp, as Redis: ACLChangeSelectorPerm touches subcommands
                temp[n] = not additive
                cmd = universe[n]
                if cmd.subcommands:
                    for s in cmd.subcommands.values():
                        temp[s.fullname] = not additive
            rules.append(("+@" if additive else "-@") + best)
            applied.add(best)
        for name, cmd in universe.items():
            if cmd.parent is not None:
                continue
            for c in [cmd] + list((cmd.subcommands or {}).values()):
                want = bit[c.fullname]
                if want != fake.can_run(c.fullname):
                    rules.append(("+" if want else "-") + c.fullname)
                    self._set_perm(fake, c, want)
            if not bit[cmd.fullname]:
                for arg in u.firstargs.get(cmd.fullname, ()):
                    rules.append("+%s|%s" % (cmd.fullname, arg))
        return " ".join(rules)

    @staticmethod
    def describe_keys(u):
        if u.allkeys:
            return "~*"
        return " ".join(_pattern_text(f, p) for f, p in u.keys)

    @staticmethod
    def describe_channels(u):
        if u.allchannels:
            return "&*"
        return " ".join("&" + p.decode("utf-8", "surrogateescape") for p in u.channels)

    def describe(self, u):
        """The ``user <name> ...`` line of ACL LIST and the ACL file."""
        parts = ["user", u.name, "on" if u.enabled else "off"]
        if u.nopass:
            parts.append("nopass")
        if u.sanitize:
            parts.append("sanitize-payload")
        parts.extend("#" + h for h in u.passwords)
        if u.allkeys:
            parts.append("~*")
        else:
            parts.extend(_pattern_text(f, p) for f, p in u.keys)
        if u.allchannels:
            parts.append("&*")
        else:
            parts.append("resetchannels")
            parts.extend("&" + p.decode("utf-8", "surrogateescape") for p in u.channels)
        parts.append(self.describe_commands(u))
        return " ".join(parts)

    def flags(self, u):
        out = [b"on" if u.enabled else b"off"]
        if u.nopass:
            out.append(b"nopass")
        if u.sanitize:
            out.append(b"sanitize-payload")
        return out

    # -- engine hooks -----------------------------------------------------
    def authenticate(self, user, password):
        u = self.users.get(user.decode("utf-8", "replace"))
        if u is None or not u.enabled:
            return False
        if u.nopass:
            return True
        digest = hash_password(password)
        ok = False
        for h in u.passwords:
            ok |= hmac.compare_digest(h, digest)
        return ok

    def auth_required(self):
        d = self.users.get("default")
        return not (d is not None and d.enabled and d.nopass)

    def has_acl_users(self):
        """AUTH <password> is refused as "not configured" only while the
        default user is ``nopass`` (Redis looks at nothing else)."""
        d = self.users.get("default")
        return d is None or not d.nopass

    def hot_ok(self):
        return self._restricted == 0

    def check_command(self, client, cmd, argv):
        name = cmd.name
        if name == "reset":
            client.user = "default"
            return None
        if name == "auth" or name == "hello":
            self._note_auth(client, argv)
        u = self.users.get(client.user)
        if u is not None and u.unrestricted:
            return None
        if u is None:
            reason, obj = "command", cmd.fullname
        else:
            denied = self.denial(u, cmd, argv)
            if denied is None:
                return None
            reason, obj = denied
        self.add_log(client, reason, obj, client.user)
        if client.in_script:
            return ReplyError(_SCRIPT_DENIED[reason])
        if reason == "command":
            return ReplyError(errors.NOPERM_COMMAND % cmd.fullname)
        return ReplyError(errors.NOPERM_KEY if reason == "key" else errors.NOPERM_CHANNEL)

    def check_queued(self, client, cmd, argv):
        """EXEC: each queued command is checked again right before it runs
        (the rules may have changed since it was queued), as Redis 7.0 does."""
        u = self.users.get(client.user)
        if u is not None and u.unrestricted:
            return None
        denied = ("command", cmd.fullname) if u is None else self.denial(u, cmd, argv)
        if denied is None:
            return None
        reason, obj = denied
        self.add_log(client, reason, obj, client.user)
        return ReplyError(errors.NOPERM_EXEC % _EXEC_DENIED[reason])

    def _note_auth(self, client, argv):
        """A failing AUTH / HELLO AUTH goes to the ACL LOG (the check runs
        before the handler, which then refuses it with WRONGPASS)."""
        if argv[0].lower() == b"auth":
            if len(argv) == 2:
                if not self.has_acl_users() and not self.auth_required():
                    return
                user, password = b"default", argv[1]
            elif len(argv) == 3:
                user, password = argv[1], argv[2]
            else:
                return
        else:
            for i in range(2, len(argv) - 2):
                if argv[i].upper() == b"AUTH":
                    user, password = argv[i + 1], argv[i + 2]
                    break
            else:
                return
        if not self.authenticate(user, password):
            self.add_log(client, "auth", argv[0].decode("utf-8", "replace"),
                         user.decode("utf-8", "replace"))

    def acl_allows(self, client, cmd, argv):
        u = self.users.get(client.user)
        return u is not None and (u.unrestricted or self.denial(u, cmd, argv) is None)

    def denial(self, u, cmd, argv):
        """None if ``u`` may run ``argv``; else (reason, object)."""
        name = cmd.fullname
        if not u.can_run(name) and not cmd.flags & _NO_AUTH:
            args = u.firstargs.get(name)
            if not (args and len(argv) > 1 and
                    argv[1].lower().decode("utf-8", "surrogateescape") in args):
                return "command", name
        if not u.allkeys and (cmd.first_key or cmd.getkeys is not None):
            try:
                keys = cmd.keys(argv)
                written = ((cmd.write_keys(argv) if cmd.write_keys else keys)
                           if cmd.flags & _WRITE else ())
            except Exception:           # malformed arguments: the handler will say
                keys = written = ()
            both = cmd.name in _READ_AND_WRITE
            for k in keys:
                if both:
                    need = ALL
                elif k in written:
                    need = ALL if cmd.name in _READ_WRITTEN else WRITE
                else:
                    need = READ
                if not any(f & need == need and glob_match(p, k) for f, p in u.keys):
                    return "key", k.decode("utf-8", "surrogateescape")
        if not u.allchannels:
            base = cmd.name
            if base in ("publish", "spublish"):
                chans, literal = argv[1:2], False
            elif base in ("subscribe", "ssubscribe"):
                chans, literal = argv[1:], False
            elif base == "psubscribe":
                chans, literal = argv[1:], True
            else:
                chans = ()
            for ch in chans:
                if literal:
                    ok = ch in u.channels
                else:
                    ok = any(glob_match(p, ch) for p in u.channels)
                if not ok:
                    return "channel", ch.decode("utf-8", "surrogateescape")
        return None

    # -- ACL LOG ------------------------------------------------------------
    def add_log(self, client, reason, obj, username):
        if client.in_script:
            context = "lua"
        elif client.in_exec or client.multi is not None:
            context = "multi"
        else:
            context = "toplevel"
        now = time.time()
        for e in self.log:
            if (e["reason"], e["context"], e["object"], e["username"]) == (
                    reason, context, obj, username) and now - e["updated"] < 60:
                e["count"] += 1
                e["updated"] = now
                e["client-info"] = _client_info(client)
                self.log.remove(e)
                self.log.insert(0, e)
                return
        self.log.insert(0, {"count": 1, "reason": reason, "context": context, "object": obj,
                            "username": username, "created": now, "updated": now,
                            "client-info": _client_info(client)})
        del self.log[max(self.config["acllog-max-len"], 0):]

    # -- the ACL file -----------------------------------------------------
    def save(self, path):
        import os
        tmp = path + ".tmp-redlet"
        with open(tmp, "w", encoding="utf-8", errors="surrogateescape") as f:
            for name in sorted(self.users):
                f.write(self.describe(self.users[name]) + "\n")
        os.replace(tmp, path)

    def load_lines(self, lines, source):
        """Users from ``user ...`` lines; all or nothing.  Returns None or an
        error text as Redis words it."""
        import shlex
        users = {}
        for lineno, line in enumerate(lines, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                words = shlex.split(line)
            except ValueError:
                return "%s:%d: unbalanced quotes in acl line. " % (source, lineno)
            if words[0] != "user":
                return "%s:%d: should start with user keyword. " % (source, lineno)
            if len(words) < 2:
                return "%s:%d: missing user name. " % (source, lineno)
            name = words[1]
            if name in users:
                return "%s:%d: Duplicate user '%s' found. " % (source, lineno, name)
            u = self.new_user(name)
            try:
                self._apply(u, [w.encode("utf-8", "surrogateescape") for w in words[2:]])
            except ReplyError as e:
                return "%s:%d: %s. " % (source, lineno, e.message[4:])
            users[name] = u
        if "default" not in users:
            d = self.new_user("default")
            self._apply(d, [b"on", b"nopass", b"~*", b"&*", b"+@all"])
            users["default"] = d
        self.users = users
        self._recount()
        return None

    def load(self, path):
        try:
            with open(path, encoding="utf-8", errors="surrogateescape") as f:
                lines = f.read().splitlines()
        except OSError as e:
            return "Error loading ACLs, opening file '%s': %s" % (path, e.strerror)
        return self.load_lines(lines, path)

    def kill_clients_of(self, name, current):
        for c in list(self.engine.clients.values()):
            if c.user == name:
                c.closing = True
                if c is not current:
                    c.close()


# Redis' key specs say which keys a command reads as well as writes (ACCESS with
# INSERT/UPDATE/DELETE): those need both permissions; other written keys need
# the write one and the remaining keys the read one
_READ_WRITTEN = frozenset((
    "incr", "decr", "incrby", "decrby", "incrbyfloat", "getset", "getdel", "getex", "lpop",
    "rpop", "lmove", "blmove", "rpoplpush", "brpoplpush", "blpop", "brpop", "lmpop", "blmpop",
    "spop", "smove", "zpopmin", "zpopmax", "bzpopmin", "bzpopmax", "zmpop", "bzmpop",
    "hincrby", "hincrbyfloat", "pfmerge", "rename", "renamenx", "move", "bitfield",
    "xreadgroup", "xclaim", "xautoclaim",
))
_READ_AND_WRITE = frozenset(("eval", "evalsha", "fcall"))
_UNKNOWN = "Unknown command or category name in ACL"
_EXEC_DENIED = {
    "command": "no permission to execute the command or subcommand",
    "key": "no permission to touch the specified keys",
    "channel": "no permission to access one of the channels used as arguments",
}

_SCRIPT_DENIED = {
    "command": "ERR The user executing the script can't run this command or subcommand",
    "key": "ERR The user executing the script can't access at least one of the keys "
           "mentioned in the command arguments",
    "channel": "ERR The user executing the script can't publish to the channel mentioned "
               "in the command",
}


def categories_of(cmd):
    """A command's ACL categories; a pure container (CONFIG, CLIENT) is only
    @slow in Redis, whatever its group."""
    if cmd.fn is None and cmd.subcommands is not None:
        return ("slow",)
    return cmd.acl_categories


def _pattern_text(flags, pat):
    text = pat.decode("utf-8", "surrogateescape")
    if flags == ALL:
        return "~" + text
    return "%" + ("R" if flags & READ else "") + ("W" if flags & WRITE else "") + "~" + text


def _client_info(client):
    try:
        return client.info_line()
    except Exception:           # a script client without a connection
        return ""


def _flag(name):
    from .commands.registry import _FLAG_BITS
    return _FLAG_BITS[name]


_MODULE = _flag("module")
_WRITE = _flag("write")
_NO_AUTH = _flag("no_auth")


def attach(engine):
    """The extension factory (app.EXTENSION_FACTORIES): users from the config's
    ``user`` lines or the ``aclfile``."""
    import logging
    acl = Acl(engine)
    engine.acl = acl
    cfg = engine.config
    log = logging.getLogger("redlet")
    if cfg["user"] and cfg["aclfile"]:
        raise SystemExit("Configuring Redis with users defined in redis.conf and at the same "
                         "setting an ACL file path is invalid. This setup is very likely to "
                         "lead to configuration errors and security holes, please define "
                         "either an ACL file or declare users directly in your redis.conf, "
                         "but not both.")
    if cfg["user"]:
        err = acl.load_lines(["user " + line for line in cfg["user"]], "config")
        if err:
            log.warning("Error in user declaration '%s'", err)
            raise SystemExit(1)
    elif cfg["aclfile"]:
        err = acl.load(cfg["aclfile"])
        if err:
            log.warning("Aborting Redis startup because of ACL errors: %s", err)
            raise SystemExit(1)
    return acl
