"""redis.conf-style settings: the config file, ``--name value`` on the
command line, and ``CONFIG GET/SET``.

Every directive redlet knows is declared once in ``SETTINGS`` with its type
and default.  Directives that Redis has but that have no effect here (for
example replication tuning) are accepted and reported by ``CONFIG GET`` so
that configuration files written for Redis load; an unknown directive is an
error, as in Redis.
"""
import os
import re
import shlex

from .errors import NOTIFY_EVENTS_INVALID

MEMORY_UNITS = {"b": 1, "k": 1000, "kb": 1024, "m": 1000 ** 2, "mb": 1024 ** 2,
                "g": 1000 ** 3, "gb": 1024 ** 3}

# the C limits Redis' numeric configs are declared with (its range errors print them)
INT_MIN, INT_MAX = -2 ** 31, 2 ** 31 - 1
UINT_MAX = 2 ** 32 - 1
LLONG_MIN, LLONG_MAX = -2 ** 63, 2 ** 63 - 1
ULLONG_MAX = 2 ** 64 - 1

_STRICT_INT = re.compile(r"(0|-?[1-9][0-9]*)\Z")
_C_INT = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-9]+\Z")
_MEMORY = re.compile(r"([0-9]*)(b|k|kb|m|mb|g|gb)?\Z")


class ConfigError(Exception):
    pass


def string2ll(text):
    """A strict integer as Redis reads config integers: no sign but '-', no
    leading zeros or spaces, within a long long; None otherwise."""
    if not _STRICT_INT.match(text):
        return None
    v = int(text)
    return v if LLONG_MIN <= v <= LLONG_MAX else None


def strtoll(text):
    """C ``strtoll`` of a whole word (leading blanks and a sign allowed),
    saturating at the long long limits; None when not all digits."""
    if not _C_INT.match(text):
        return None
    return max(LLONG_MIN, min(LLONG_MAX, int(text)))


def to_c_int(v):
    """A long long stored into a C int (two's complement truncation)."""
    v &= 0xFFFFFFFF
    return v - 2 ** 32 if v > INT_MAX else v


def parse_memory(text):
    """A memory size as Redis reads it: digits (possibly none) and an
    optional unit (b, k, kb, m, mb, g, gb in any case); the number saturates
    at ULLONG_MAX and the product wraps as a C unsigned long long does."""
    m = _MEMORY.match(text.lower())
    if m is None:
        raise ConfigError("argument must be a memory value")
    digits, unit = m.groups()
    n = min(int(digits), ULLONG_MAX) if digits else 0
    return (n * MEMORY_UNITS[unit or "b"]) & ULLONG_MAX


def _bool(text):
    t = text.lower()
    if t == "yes":
        return True
    if t == "no":
        return False
    raise ConfigError("argument must be 'yes' or 'no'")


class Setting:
    """One directive.  ``kind`` is bool, int (a strict long long), memory
    (a size with units), enum (``choices``, with ``aliases`` of choices in
    ``enum_aliases``), flags (a set of ``choices``), float, save, obuf,
    notify or string.  ``minimum``/``maximum`` are Redis' declared bounds
    (its error message prints them); ``clamp`` narrows an accepted value
    silently, as Redis does for ``hz``."""
    __slots__ = ("name", "kind", "default", "choices", "minimum", "maximum", "immutable",
                 "protected", "multi", "aliases", "clamp", "enum_aliases")

    def __init__(self, name, kind, default, choices=None, minimum=None, maximum=None,
                 immutable=False, protected=False, multi=False, aliases=(), clamp=None,
                 enum_aliases=None):
        self.name = name
        self.kind = kind
        self.default = default
        self.choices = choices
        if kind == "int":
            minimum = INT_MIN if minimum is None else minimum
            maximum = INT_MAX if maximum is None else maximum
        elif kind == "memory":
            minimum = 0 if minimum is None else minimum
            maximum = LLONG_MAX if maximum is None else maximum
        self.minimum = minimum
        self.maximum = maximum
        self.immutable = immutable
        self.protected = protected
        self.multi = multi
        self.aliases = aliases
        self.clamp = clamp
        self.enum_aliases = enum_aliases or {}

    def parse(self, text):
        k = self.kind
        if k == "bool":
            return _bool(text)
        if k == "int":
            v = string2ll(text)
            if v is None:
                raise ConfigError("argument couldn't be parsed into an integer")
            return self._range(v)
        if k == "memory":
            return self._range(parse_memory(text))
        if k == "enum":
            t = text.lower()
            t = self.enum_aliases.get(t, t)
            if t not in self.choices:
                raise ConfigError(self._one_of())
            return t
        if k == "flags":
            return self._parse_flags(text)
        if k == "float":
            try:
                return float(text)
            except ValueError:
                raise ConfigError("argument couldn't be parsed into a float") from None
        if k == "save":
            return _parse_save(text)
        if k == "obuf":
            return _parse_obuf(text)
        if k == "notify":
            return _parse_notify(text)
        return text

    def _one_of(self):
        return "argument(s) must be one of the following: " + ", ".join(self.choices)

    def _parse_flags(self, text):
        """Words separated by single spaces, each one of ``choices``; the
        value is kept in ``choices`` order; the first choice means none."""
        words = text.lower().split(" ")
        if any(w not in self.choices for w in words):
            raise ConfigError(self._one_of())
        if "save" in words and "nosave" in words:
            raise ConfigError("shutdown options SAVE and NOSAVE can't be used simultaneously")
        chosen = [c for c in self.choices[1:] if c in words]
        return " ".join(chosen) if chosen else self.choices[0]

    def _range(self, v):
        if not self.minimum <= v <= self.maximum:
            raise ConfigError("argument must be between %d and %d inclusive"
                              % (self.minimum, self.maximum))
        if self.clamp is not None:
            v = max(self.clamp[0], min(self.clamp[1], v))
        return v

    def format(self, v):
        k = self.kind
        if k == "bool":
            return "yes" if v else "no"
        if k == "save":
            return " ".join("%d %d" % p for p in v)
        if k == "obuf":
            return " ".join(f"{'slave' if cls == 'replica' else cls} {h} {s} {sec}"
                            for cls, (h, s, sec) in v.items())
        if k == "notify":
            return _format_notify(v)
        if k == "float":
            return ("%.17g" % v).rstrip("0").rstrip(".") if "." in "%.17g" % v else "%g" % v
        return str(v)


def _parse_save(text):
    """``seconds changes`` pairs, each number read as C ``strtoll`` does;
    seconds at least 1, changes at least 0 and stored into a C int."""
    parts = text.split()
    if not text or parts == ['""'] or parts == ["''"]:
        return []
    if not parts or len(parts) % 2:     # blanks only: not the empty string
        raise ConfigError("Invalid save parameters")
    out = []
    for i in range(0, len(parts), 2):
        seconds, changes = strtoll(parts[i]), strtoll(parts[i + 1])
        if seconds is None or changes is None or seconds < 1 or changes < 0:
            raise ConfigError("Invalid save parameters")
        out.append((seconds, to_c_int(changes)))
    return out


def _parse_obuf(text):
    """``class hard soft seconds`` groups: sizes as memory values, seconds
    read by ``strtoll`` into a C int, which must not be negative."""
    parts = text.split()
    if len(parts) % 4:
        raise ConfigError("Wrong number of arguments in buffer limit configuration.")
    out = {}
    for i in range(0, len(parts), 4):
        cls = parts[i].lower()
        if cls == "slave":
            cls = "replica"
        if cls not in ("normal", "replica", "pubsub"):
            raise ConfigError("Invalid client class specified in buffer limit configuration.")
        seconds = strtoll(parts[i + 3])
        try:
            hard, soft = parse_memory(parts[i + 1]), parse_memory(parts[i + 2])
        except ConfigError:
            seconds = None
        if seconds is None or to_c_int(seconds) < 0:
            raise ConfigError("Error in hard, soft or soft_seconds setting in buffer limit "
                              "configuration.")
        out[cls] = (hard, soft, to_c_int(seconds))
    return out


# keyspace notification classes: A stands for all of _NOTIFY_ALL; K and E
# choose the channels; m (key miss) and n (new key) are outside A
_NOTIFY_ALL = "g$lshzxetd"
_NOTIFY_LETTERS = _NOTIFY_ALL + "nKEm"


def _parse_notify(text):
    """notify-keyspace-events as the set of its letters, A expanded, in a
    fixed order (``Engine`` reads the letters)."""
    letters = set()
    for ch in text:
        if ch == "A":
            letters.update(_NOTIFY_ALL)
        elif ch in _NOTIFY_LETTERS:
            letters.add(ch)
        else:
            raise ConfigError(NOTIFY_EVENTS_INVALID)
    return "".join(ch for ch in _NOTIFY_LETTERS if ch in letters)


def _format_notify(value):
    """As Redis prints it: A when every class of A is on (and then without n,
    as Redis 7.0 does), then K, E, m."""
    if all(ch in value for ch in _NOTIFY_ALL):
        out = "A"
    else:
        out = "".join(ch for ch in _NOTIFY_ALL + "n" if ch in value)
    return out + "".join(ch for ch in "KEm" if ch in value)


# in Redis' order (its CONFIG SET error lists them so)
POLICIES = ("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
            "allkeys-lfu", "allkeys-random", "noeviction")

SHUTDOWN_FLAGS = ("default", "save", "nosave", "now", "force")

_S = Setting
SETTINGS = [
    _S("bind", "string", "127.0.0.1 -::1"),
    _S("port", "int", 6379, minimum=0, maximum=65535),
    _S("unixsocket", "string", "", immutable=True),
    _S("unixsocketperm", "int", 0, minimum=0, maximum=0o777, immutable=True),
    _S("protected-mode", "bool", True),
    _S("requirepass", "string", ""),
    _S("masterauth", "string", ""),
    _S("databases", "int", 16, minimum=1, maximum=INT_MAX, immutable=True),
    _S("dir", "string", ".", protected=True),
    _S("dbfilename", "string", "dump.rdb", protected=True),
    _S("appendonly", "bool", False),
    _S("appendfsync", "enum", "everysec", choices=("everysec", "always", "no")),
    _S("appendfilename", "string", "appendonly.aof", immutable=True),
    _S("appenddirname", "string", "appendonlydir", immutable=True),
    _S("aof-load-truncated", "bool", True),
    _S("aof-use-rdb-preamble", "bool", True),
    _S("aof-timestamp-enabled", "bool", False),
    _S("aof-rewrite-incremental-fsync", "bool", True),
    _S("no-appendfsync-on-rewrite", "bool", False),
    _S("auto-aof-rewrite-percentage", "int", 100, minimum=0),
    _S("auto-aof-rewrite-min-size", "memory", 64 * 1024 * 1024),
    _S("save", "save", [(3600, 1), (300, 100), (60, 10000)]),
    _S("stop-writes-on-bgsave-error", "bool", True),
    _S("rdbcompression", "bool", True),
    _S("rdbchecksum", "bool", True, immutable=True),
    _S("rdb-del-sync-files", "bool", False),
    _S("sanitize-dump-payload", "enum", "no", choices=("no", "yes", "clients")),
    _S("maxmemory", "memory", 0, maximum=ULLONG_MAX),
    _S("maxmemory-policy", "enum", "noeviction", choices=POLICIES),
    _S("maxmemory-samples", "int", 5, minimum=1),
    _S("maxmemory-eviction-tenacity", "int", 10, minimum=0, maximum=100),
    _S("maxclients", "int", 10000, minimum=1, maximum=UINT_MAX),
    _S("timeout", "int", 0, minimum=0),
    _S("tcp-keepalive", "int", 300, minimum=0),
    _S("tcp-backlog", "int", 511, minimum=0, immutable=True),
    _S("loglevel", "enum", "notice", choices=("debug", "verbose", "notice", "warning")),
    _S("logfile", "string", "", immutable=True),
    _S("syslog-enabled", "bool", False, immutable=True),
    _S("daemonize", "bool", False, immutable=True),
    _S("supervised", "enum", "no", choices=("upstart", "systemd", "auto", "no"),
       immutable=True),
    _S("pidfile", "string", "", immutable=True),
    _S("always-show-logo", "bool", False, immutable=True),
    _S("set-proc-title", "bool", True, immutable=True),
    _S("notify-keyspace-events", "notify", ""),
    _S("proto-max-bulk-len", "memory", 512 * 1024 * 1024, minimum=1024 * 1024),
    _S("client-query-buffer-limit", "memory", 1024 * 1024 * 1024, minimum=1024 * 1024),
    _S("client-output-buffer-limit", "obuf",
       {"normal": (0, 0, 0), "replica": (256 * 1024 * 1024, 64 * 1024 * 1024, 60),
        "pubsub": (32 * 1024 * 1024, 8 * 1024 * 1024, 60)}),
    _S("hz", "int", 10, minimum=0, clamp=(1, 500)),
    _S("dynamic-hz", "bool", True),
    _S("active-expire-effort", "int", 1, minimum=1, maximum=10),
    _S("busy-reply-threshold", "int", 5000, minimum=0, maximum=LLONG_MAX, aliases=("lua-time-limit",)),
    _S("slowlog-log-slower-than", "int", 10000, minimum=-1, maximum=LLONG_MAX),
    _S("slowlog-max-len", "int", 128, minimum=0, maximum=LLONG_MAX),
    _S("latency-monitor-threshold", "int", 0, minimum=0, maximum=LLONG_MAX),
    _S("latency-tracking", "bool", True),
    _S("enable-protected-configs", "enum", "no", choices=("no", "yes", "local"),
       immutable=True),
    _S("enable-debug-command", "enum", "no", choices=("no", "yes", "local"), immutable=True),
    _S("enable-module-command", "enum", "no", choices=("no", "yes", "local"),
       immutable=True),
    _S("loadmodule", "string", [], immutable=True, multi=True),
    _S("aclfile", "string", "", immutable=True),
    _S("acllog-max-len", "int", 128, minimum=0, maximum=LLONG_MAX),
    _S("acl-pubsub-default", "enum", "resetchannels", choices=("allchannels",
                                                               "resetchannels")),
    _S("user", "string", [], immutable=True, multi=True),
    _S("rename-command", "string", [], immutable=True, multi=True),
    _S("tls-port", "int", 0, minimum=0, maximum=65535),
    _S("tls-cert-file", "string", ""),
    _S("tls-key-file", "string", ""),
    _S("tls-key-file-pass", "string", ""),
    _S("tls-ca-cert-file", "string", ""),
    _S("tls-ca-cert-dir", "string", ""),
    _S("tls-auth-clients", "enum", "yes", choices=("no", "yes", "optional")),
    _S("tls-protocols", "string", ""),
    _S("tls-ciphers", "string", ""),
    _S("tls-ciphersuites", "string", ""),
    _S("tls-prefer-server-ciphers", "bool", False),
    _S("tls-replication", "bool", False),
    _S("tls-cluster", "bool", False),
    _S("io-threads", "int", 1, minimum=1, maximum=128, immutable=True),
    _S("io-threads-do-reads", "bool", False, immutable=True),
    _S("lazyfree-lazy-eviction", "bool", False),
    _S("lazyfree-lazy-expire", "bool", False),
    _S("lazyfree-lazy-server-del", "bool", False),
    _S("lazyfree-lazy-user-del", "bool", False),
    _S("lazyfree-lazy-user-flush", "bool", False),
    _S("replica-lazy-flush", "bool", False),
    _S("activerehashing", "bool", True),
    _S("activedefrag", "bool", False),
    _S("jemalloc-bg-thread", "bool", True),
    _S("list-max-listpack-size", "int", -2, aliases=("list-max-ziplist-size",)),
    _S("list-compress-depth", "int", 0, minimum=0),
    _S("hash-max-listpack-entries", "int", 512, minimum=0, maximum=LLONG_MAX, aliases=("hash-max-ziplist-entries",)),
    _S("hash-max-listpack-value", "memory", 64, aliases=("hash-max-ziplist-value",)),
    _S("set-max-intset-entries", "int", 512, minimum=0, maximum=LLONG_MAX),
    _S("zset-max-listpack-entries", "int", 128, minimum=0, maximum=LLONG_MAX, aliases=("zset-max-ziplist-entries",)),
    _S("zset-max-listpack-value", "memory", 64, aliases=("zset-max-ziplist-value",)),
    _S("hll-sparse-max-bytes", "memory", 3000),
    _S("stream-node-max-bytes", "memory", 4096),
    _S("stream-node-max-entries", "int", 100, minimum=0, maximum=LLONG_MAX),
    _S("lfu-log-factor", "int", 10, minimum=0),
    _S("lfu-decay-time", "int", 1, minimum=0),
    _S("replica-read-only", "bool", True, aliases=("slave-read-only",)),
    _S("replica-serve-stale-data", "bool", True),
    _S("repl-diskless-sync", "bool", True),
    _S("repl-diskless-sync-delay", "int", 5, minimum=0),
    _S("repl-backlog-size", "memory", 1024 * 1024, minimum=1,
       clamp=(16 * 1024, LLONG_MAX)),
    _S("repl-timeout", "int", 60, minimum=1),
    _S("min-replicas-to-write", "int", 0, minimum=0),
    _S("min-replicas-max-lag", "int", 10, minimum=0),
    _S("replica-priority", "int", 100, minimum=0),
    _S("cluster-enabled", "bool", False, immutable=True),
    _S("oom-score-adj", "enum", "no", choices=("no", "yes", "relative", "absolute"),
       enum_aliases={"relative": "yes"}),
    _S("crash-log-enabled", "bool", True),
    _S("crash-memcheck-enabled", "bool", True),
    _S("disable-thp", "bool", True, immutable=True),
    _S("tracking-table-max-keys", "int", 1000000, minimum=0, maximum=LLONG_MAX),
    _S("shutdown-timeout", "int", 10, minimum=0),
    _S("shutdown-on-sigint", "flags", "default", choices=SHUTDOWN_FLAGS),
    _S("shutdown-on-sigterm", "flags", "default", choices=SHUTDOWN_FLAGS),
]
# directives Redis 7.0 still reads in a config file (and ignores) but that
# CONFIG GET/SET do not know
IGNORED_DIRECTIVES = ("lua-replicate-commands",)

SETTINGS_BY_NAME = {}
for _s in SETTINGS:
    SETTINGS_BY_NAME[_s.name] = _s
    for _a in _s.aliases:
        SETTINGS_BY_NAME[_a] = _s


class Config:
    """The running configuration: ``config["port"]``."""

    def __init__(self):
        self.values = {s.name: (list(s.default) if s.multi else s.default) for s in SETTINGS}
        self.listeners = []      # callables(name, value) run after a successful set

    def __getitem__(self, name):
        return self.values[name]

    def set_from_text(self, name, args, *, startup=True):
        """Apply one directive (``args`` are its words)."""
        setting = SETTINGS_BY_NAME.get(name.lower())
        if setting is None and startup and name.lower() in IGNORED_DIRECTIVES:
            return name.lower()
        if setting is None:
            raise ConfigError("Bad directive or wrong number of arguments")
        if not startup and setting.immutable:
            raise ConfigError("can't set immutable config")
        if setting.multi:
            self.values[setting.name].append(" ".join(args))
            return setting.name
        text = " ".join(args)
        if not startup and setting.name == "tls-port" \
                and setting.parse(text) != self.values[setting.name]:
            # the listeners open at start-up only; Redis' reply when it cannot
            # set up TLS for a new port
            raise ConfigError("Unable to update TLS configuration. Check server logs.")
        if setting.kind == "save" and not startup:
            self.values[setting.name] = _parse_save(text)
        elif setting.kind == "save" and self.values.get("_save_seen") is None:
            self.values["_save_seen"] = True
            self.values[setting.name] = _parse_save(text)
        elif setting.kind == "save":
            self.values[setting.name] = self.values[setting.name] + _parse_save(text)
        elif setting.kind == "obuf" and not startup:
            merged = dict(self.values[setting.name])
            merged.update(_parse_obuf(text))
            self.values[setting.name] = merged
        elif setting.kind == "obuf":
            merged = dict(self.values[setting.name])
            merged.update(_parse_obuf(text))
            self.values[setting.name] = merged
        else:
            self.values[setting.name] = setting.parse(text)
        for fn in self.listeners:
            fn(setting.name, self.values[setting.name])
        return setting.name

    def format(self, name):
        s = SETTINGS_BY_NAME[name]
        v = self.values[s.name]
        if s.multi:
            return " ".join(v)
        return s.format(v)

    def load_file(self, path):
        with open(path, encoding="utf-8") as f:
            self.load_text(f.read(), source=path)

    def load_text(self, text, source="config"):
        for lineno, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            try:
                words = shlex.split(line)
            except ValueError:
                raise ConfigError("%s:%d: unbalanced quotes in configuration line"
                                  % (source, lineno)) from None
            if not words:
                continue
            name, args = words[0], words[1:]
            if name.lower() == "include":
                for inc in args:
                    self.load_file(os.path.join(os.path.dirname(source), inc)
                                   if not os.path.isabs(inc) else inc)
                continue
            if not args and SETTINGS_BY_NAME.get(name.lower()) is not None \
                    and SETTINGS_BY_NAME[name.lower()].kind != "save":
                raise ConfigError("%s:%d: '%s': wrong number of arguments"
                                  % (source, lineno, line))
            try:
                self.set_from_text(name, args)
            except ConfigError as e:
                raise ConfigError("%s:%d: '%s': %s" % (source, lineno, line, e)) from None


def parse_command_line(argv):
    """``[config-file] [--name value ...]`` -> Config (raises ConfigError)."""
    config = Config()
    args = list(argv)
    if args and not args[0].startswith("--"):
        config.load_file(args.pop(0))
    directives = []
    cur = None
    for a in args:
        if a.startswith("--") and len(a) > 2:
            cur = [a[2:]]
            directives.append(cur)
        elif cur is None:
            raise ConfigError("Invalid argument %r" % a)
        else:
            cur.append(a)
    for d in directives:
        name, words = d[0], d[1:]
        if name.lower() in IGNORED_DIRECTIVES:
            continue
        if SETTINGS_BY_NAME.get(name.lower()) is None:
            raise ConfigError("Bad directive or wrong number of arguments: '%s'" % name)
        if not words:
            if SETTINGS_BY_NAME[name.lower()].kind == "bool":
                words = ["yes"]
            elif SETTINGS_BY_NAME[name.lower()].kind != "save":
                raise ConfigError("'%s': wrong number of arguments" % name)
        try:
            if SETTINGS_BY_NAME[name.lower()].kind == "save":
                config.values["_save_seen"] = None
            config.set_from_text(name, words)
        except ConfigError as e:
            raise ConfigError("'--%s %s': %s" % (name, " ".join(words), e)) from None
    config.values.pop("_save_seen", None)
    return config
