"""redlet-cli: a redis-cli for pip users, on redlet's own client.

Usage mirrors redis-cli 7.0::

    redlet-cli [-h host] [-p port] [-s socket] [-a password] [--user name] [-n db]
               [-u redis://[user:password@]host:port/db] [-2|-3] [--raw|--no-raw] [cmd arg...]

* with a command: run it, print the reply, exit (1 if the server cannot be reached);
* without one, stdin not a terminal: one command per line, each reply printed;
* otherwise an interactive shell: readline history (``~/.redlet_cli_history``,
  or ``$REDLETCLI_HISTFILE``; empty disables it), TAB completion of command
  names and subcommands and, after a command name, its argument hint, both
  from the server's ``COMMAND DOCS``; ``help <command>``; ``quit``/``exit``.

Replies print in redis-cli's formats: the "pretty" one (``"quoted"``,
``(integer) 1``, ``1) ...``, RESP3 ``1# k => v`` maps and ``1~`` sets) on a
terminal or with ``--no-raw``, the raw one (values as they are, one element
per line) when stdout is not a terminal or with ``--raw``.

Transport: a ``redlet.client.Connection`` whose reply parser keeps what the
CLI prints and native decoding would lose (simple strings versus bulk
strings, the order and duplicates of RESP3 maps and sets).  The connection
says ``HELLO 3`` as every redlet connection does, then ``HELLO 2`` unless
``-3`` was given, so that replies are RESP2 by default, as redis-cli's are.
"""
import argparse
import os
import select
import signal
import sys

from . import __version__
from .client import Client
from .client.reply import (_MAP, _PUSH, _SET, NEED_DATA, ConnectionError, Push, ReplyParser,
                           ResponseError, encode_request)
from .client.sync import Connection
from .protocol import format_double, split_args
from .protocol.types import RespSet, Status

HISTORY_ENV = "REDLETCLI_HISTFILE"
AUTH_ENV = "REDLETCLI_AUTH"
DEFAULT_HISTORY = "~/.redlet_cli_history"
SUBSCRIBING = frozenset((b"SUBSCRIBE", b"PSUBSCRIBE", b"SSUBSCRIBE"))
# commands whose arguments (passwords) stay out of the history file
SENSITIVE = frozenset((b"AUTH", b"HELLO", b"MIGRATE", b"ACL"))


# -- replies as the CLI sees them ------------------------------------------------------
class MapReply(list):
    """A RESP3 map as its flat key, value, key, value... elements, in order."""
    __slots__ = ()


class CliReplyParser(ReplyParser):
    """Replies as bytes (bulk), ``Status`` (simple string, verbatim text),
    int, float, bool, None, ``ResponseError``, list, ``MapReply``,
    ``RespSet`` and ``Push``, so that each prints as redis-cli prints it."""

    def __init__(self):
        super().__init__(decode=False)
        self._text = Status

    @staticmethod
    def _build(kind, items):
        if kind == _MAP:
            return MapReply(items)
        if kind == _SET:
            return RespSet(items)
        if kind == _PUSH:
            return Push(items)
        return ReplyParser._build(kind, items)


class CliConnection(Connection):
    """A connection that reads replies with ``CliReplyParser``, in RESP2
    unless ``resp3``."""

    def __init__(self, resp3=False, **kwargs):
        kwargs["decode"] = False
        super().__init__(**kwargs)
        self.resp3 = resp3

    def connect(self) -> None:
        super().connect()
        self.parser = CliReplyParser()      # the handshake's replies are all read
        if not self.resp3:
            self.send(encode_request(("HELLO", 2)))
            r = self.read_reply()
            if isinstance(r, ResponseError):
                self.disconnect()
                raise r

    def where(self) -> str:
        return self._where()

    def read_any(self):
        """The next reply or push message (pub/sub, MONITOR)."""
        if self.pushes:
            return self.pushes.popleft()
        while True:
            r = self.parser.get()
            if r is not NEED_DATA:
                return r
            try:
                # wait in short steps: a Ctrl-C that lands just before a
                # blocking recv would not interrupt it, and is seen between
                while not select.select([self.sock], [], [], 0.2)[0]:
                    pass
                data = self.sock.recv(65536)
            except OSError as e:
                self.disconnect()
                raise ConnectionError("error reading from %s: %s" % (self._where(), e)) from None
            if not data:
                self.disconnect()
                raise ConnectionError("connection closed by %s" % self._where())
            self.parser.feed(data)


# -- formats -----------------------------------------------------------------------------
def _quote_table():
    table = []
    for c in range(256):
        if c in (0x5C, 0x22):
            table.append("\\" + chr(c))
        elif 0x20 <= c < 0x7F:
            table.append(chr(c))
        else:
            table.append({0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x07: "\\a",
                          0x08: "\\b"}.get(c, "\\x%02x" % c))
    return table


_QUOTED = _quote_table()


def quote(b: bytes) -> str:
    """A string as redis-cli shows it: in double quotes, non-printable bytes escaped."""
    return '"' + "".join([_QUOTED[c] for c in b]) + '"'


_EMPTY = {MapReply: "(empty hash)\n", RespSet: "(empty set)\n", Push: "(empty push)\n"}
_NUMSEP = {MapReply: "#", RespSet: "~"}


def format_pretty(v, prefix: str = "") -> str:
    """redis-cli's terminal format, a trailing newline included; ``prefix``
    indents the lines after the first (nested aggregates)."""
    t = type(v)
    if v is None:
        return "(nil)\n"
    if t is bool:
        return "(true)\n" if v else "(false)\n"
    if t is int:
        return "(integer) %d\n" % v
    if t is float:
        return "(double) %s\n" % format_double(v).decode()
    if t is bytes:
        return quote(v) + "\n"
    if t is Status:
        return v.decode("utf-8", "replace") + "\n"
    if isinstance(v, ResponseError):
        return "(error) %s\n" % v.message
    is_map = t is MapReply
    n = len(v) // 2 if is_map else len(v)
    if not n:
        return _EMPTY.get(t, "(empty array)\n")
    width = len(str(n))
    inner = prefix + " " * (width + 2)
    sep = _NUMSEP.get(t, ")")
    out = []
    for i in range(n):
        out.append("%s%*d%s " % (prefix if i else "", width, i + 1, sep))
        if is_map:
            value = format_pretty(v[2 * i + 1], inner)
            if "\n" in value[:-1]:            # a value of several lines starts on its own
                value = "\n" + inner + value
            out.append(format_pretty(v[2 * i], inner)[:-1] + " => " + value)
        else:
            out.append(format_pretty(v[i], inner))
    return "".join(out)


def format_raw(v) -> bytes:
    """redis-cli's raw format (no trailing newline): values as they are,
    elements one a line, map entries as ``key value``."""
    t = type(v)
    if v is None:
        return b""
    if t is bool:
        return b"(true)" if v else b"(false)"
    if t is int:
        return b"%d" % v
    if t is float:
        return format_double(v)
    if t is bytes or t is Status:
        return bytes(v)
    if isinstance(v, ResponseError):
        return v.message.encode("utf-8", "replace") + b"\n"
    if t is MapReply:
        return b"\n".join([format_raw(v[i]) + b" " + format_raw(v[i + 1])
                           for i in range(0, len(v) - 1, 2)])
    return b"\n".join([format_raw(x) for x in v])


# -- COMMAND DOCS: names, hints, help ---------------------------------------------------------
def _text(v) -> str:
    return bytes(v).decode("utf-8", "replace") if isinstance(v, bytes) else str(v)


def _as_dict(v) -> dict:
    """A map reply (RESP3) or a flat key, value array (RESP2) as a dict with str keys."""
    if not isinstance(v, list):
        return {}
    return {_text(v[i]).lower(): v[i + 1] for i in range(0, len(v) - 1, 2)}


def argument_hint(arg) -> str:
    """One COMMAND DOCS argument as the docs write it: ``[EX seconds|PX ms]``,
    ``key [key ...]``."""
    a = _as_dict(arg)
    kind = _text(a.get("type", b""))
    flags = {_text(f) for f in a.get("flags") or ()}
    token = _text(a["token"]) if a.get("token") is not None else ""
    if kind == "oneof":
        core = "|".join(argument_hint(x) for x in a.get("arguments") or ())
    elif kind == "block":
        core = " ".join(argument_hint(x) for x in a.get("arguments") or ())
    elif kind == "pure-token":
        core, token = token, ""
    else:
        core = _text(a.get("display_text") or a.get("name") or b"arg")
    one = (token + " " + core) if token else core
    if "multiple" in flags:
        if "multiple_token" in flags or not token:
            one = "%s [%s ...]" % (one, one)
        else:
            one = "%s %s [%s ...]" % (token, core, core)
    return "[%s]" % one if "optional" in flags else one


class CommandDocs:
    """Command names, argument hints and help texts from ``COMMAND DOCS``."""

    def __init__(self, reply=None):
        self.docs = {}        # "set", "client kill" -> dict
        if isinstance(reply, list):
            self._add(reply, "")

    def _add(self, reply, parent):
        for i in range(0, len(reply) - 1, 2):
            name = _text(reply[i]).lower().replace("|", " ")
            doc = _as_dict(reply[i + 1])
            self.docs[name] = doc
            subs = doc.get("subcommands")
            if isinstance(subs, list):
                self._add(subs, name)

    def names(self):
        return [n for n in self.docs if " " not in n]

    def subcommands(self, command: str):
        command = command.lower() + " "
        return [n[len(command):] for n in self.docs if n.startswith(command)]

    def hint(self, name: str) -> str:
        """The arguments of a command (or its summary when the docs have none)."""
        doc = self.docs.get(name.lower())
        if doc is None:
            return ""
        args = doc.get("arguments")
        if isinstance(args, list) and args:
            return " ".join(argument_hint(a) for a in args)
        summary = doc.get("summary")
        return "(%s)" % _text(summary) if summary else ""

    def help(self, name: str) -> str:
        doc = self.docs.get(name.lower())
        if doc is None:
            return ""
        args = doc.get("arguments")
        usage = " ".join(argument_hint(a) for a in args) if isinstance(args, list) else ""
        lines = ["", "  %s %s" % (name.upper(), usage)]
        for field in ("summary", "since", "group"):
            if doc.get(field) is not None:
                lines.append("  %s: %s" % (field, _text(doc[field])))
        return "\n".join(lines) + "\n\n"

    def match(self, words):
        """The longest command name the words start with, and how many words it took."""
        for n in (2, 1):
            if len(words) >= n and " ".join(words[:n]).lower() in self.docs:
                return " ".join(words[:n]), n
        return None, 0


# -- the session ---------------------------------------------------------------------------
def _reason(e: BaseException) -> str:
    """The operating system's words for a failed connect (``Connection refused``)."""
    cause = e.__context__
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror
    return str(e)


class Session:
    """One server connection as the CLI uses it: commands, replies printed,
    reconnection after a drop, the prompt."""

    def __init__(self, conn: CliConnection, raw: bool, out=None, err=None):
        self.conn = conn
        self.raw = raw
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.connected = False
        self.in_multi = False

    # connection
    def connect(self) -> bool:
        try:
            self.conn.connect()
        except ResponseError as e:
            if self.conn.password is not None:
                self.err.write("AUTH failed: %s\n" % e.message)
            else:
                self.err.write("(error) %s\n" % e.message)
            self.err.flush()
            self.connected = False
            return False
        except (ConnectionError, OSError) as e:
            self.err.write("Could not connect to Redis at %s: %s\n"
                           % (self.conn.where(), _reason(e)))
            self.err.flush()
            self.connected = False
            return False
        self.connected = True
        self.in_multi = False
        return True

    def prompt(self) -> str:
        if not self.connected:
            return "not connected> "
        c = self.conn
        where = ("redis %s" % c.unix_socket_path) if c.unix_socket_path else (
            "%s:%d" % (c.host, c.port))
        return "%s%s%s> " % (where, "[%d]" % c.db if c.db else "", "(TX)" if self.in_multi else "")

    # output
    def show(self, reply) -> None:
        if self.raw:
            self.out.flush()
            self.out.buffer.write(format_raw(reply) + b"\n")
            self.out.buffer.flush()
        else:
            self.out.write(format_pretty(reply))
            self.out.flush()

    # commands
    def call(self, args, read=True):
        """Send one command, return its reply (raises ConnectionError)."""
        if not self.connected and not self.connect():
            raise ConnectionError("not connected")
        self.conn.send(encode_request(args))
        return self.conn.read_reply() if read else None

    def run(self, args) -> bool:
        """Run one command line's arguments, print the reply; False when the
        server could not be reached."""
        name = args[0].upper()
        if name == b"AUTH" and len(args) in (2, 3):
            return self._auth(args)
        if name == b"CONNECT" and len(args) in (2, 3):
            self.conn.host = _text(args[1])
            self.conn.port = int(args[2]) if len(args) == 3 else 6379
            self.conn.unix_socket_path = None
            self.conn.disconnect()
            return self.connect()
        was_connected = self.connected
        try:
            if name in SUBSCRIBING:
                # RESP3 confirms a subscription with a push, not a reply
                self.call(args, read=False)
                self._listen()
            reply = self.call(args)
            while self.conn.pushes:
                self.show(self.conn.pushes.popleft())
            self.show(reply)
            if not isinstance(reply, ResponseError):
                self._track(name, args)
                if name == b"MONITOR":
                    self._listen()
        except ConnectionError:
            self.connected = False
            self.conn.disconnect()
            if was_connected:
                self.err.write("Error: Server closed the connection\n")
                self.err.flush()
            return False
        except KeyboardInterrupt:
            # a blocking command or a subscription left: a fresh connection
            self.conn.disconnect()
            self.out.write("\n")
            self.connect()
        return True

    def _auth(self, args) -> bool:
        """AUTH: the credentials are kept for reconnecting (HELLO ... AUTH)."""
        self.conn.username = _text(args[1]) if len(args) == 3 else None
        self.conn.password = _text(args[-1])
        self.conn.disconnect()
        try:
            self.conn.connect()
        except ResponseError as e:
            self.connected = False
            self.show(e)
            return True
        except (ConnectionError, OSError) as e:
            self.connected = False
            self.err.write("Could not connect to Redis at %s: %s\n"
                           % (self.conn.where(), _reason(e)))
            return False
        self.connected = True
        self.show(Status(b"OK"))
        return True

    def _track(self, name, args):
        """Keep what a reconnect must restore, and what the prompt shows."""
        if name == b"SELECT" and len(args) == 2:
            self.conn.db = int(args[1])
        elif name == b"MULTI":
            self.in_multi = True
        elif name in (b"EXEC", b"DISCARD"):
            self.in_multi = False
        elif name == b"HELLO" and len(args) >= 2 and args[1] in (b"2", b"3"):
            self.conn.resp3 = args[1] == b"3"

    def _listen(self):
        if not self.raw:
            self.out.write("Reading messages... (press Ctrl-C to quit)\n")
            self.out.flush()
        while True:
            self.show(self.conn.read_any())


def split_line(line: bytes):
    """A command line split as redis-cli splits it; None for unbalanced quotes."""
    return split_args(line)


def run_line(session: Session, line: bytes) -> bool:
    """One line of the shell or of stdin; False to leave."""
    args = split_line(line)
    if args is None:
        session.out.write("Invalid argument(s)\n")
        session.out.flush()
        return True
    if not args:
        return True
    if args[0].lower() in (b"quit", b"exit") and len(args) == 1:
        return False
    repeat = 1
    if len(args) > 1 and args[0].isdigit():
        repeat, args = int(args[0]), args[1:]
    for _ in range(repeat):
        if not session.run(args):
            break
    return True


# -- the interactive shell -------------------------------------------------------------------
class Shell:
    """readline around a Session: history, completion, hints, help."""

    def __init__(self, session: Session, history_path):
        import readline
        self.readline = readline
        self.session = session
        self.history_path = history_path
        self.docs = None
        self._matches = []
        self._shown = ""        # the line when completion started
        self._hint = None
        readline.set_completer(self.complete)
        readline.set_completer_delims(" \t\n")
        readline.set_completion_display_matches_hook(self.display_matches)
        readline.parse_and_bind("tab: complete")
        readline.parse_and_bind("set show-all-if-ambiguous on")
        if history_path:
            try:
                readline.read_history_file(history_path)
            except OSError:
                pass

    def load_docs(self):
        if self.docs is not None or not self.session.connected:
            return
        try:
            reply = self.session.call([b"COMMAND", b"DOCS"])
        except ConnectionError:
            self.session.connected = False
            self.session.conn.disconnect()
            return
        self.docs = CommandDocs(reply if not isinstance(reply, ResponseError) else None)

    # completion: command names, subcommands, else the argument hint
    def complete(self, text, state):
        if state == 0:
            self._shown = self.readline.get_line_buffer()
            self._matches = self._complete(self._shown, self.readline.get_begidx(), text)
        return self._matches[state] if state < len(self._matches) else None

    def _complete(self, buffer, begidx, text):
        self._hint = None
        docs = self.docs or CommandDocs()
        words = buffer[:begidx].split()
        upper = not text or not text[:1].islower()
        if not words:
            candidates = docs.names()
        elif len(words) == 1 and docs.subcommands(words[0]):
            candidates = docs.subcommands(words[0])
        else:
            candidates = []
        found = sorted(n for n in candidates if n.startswith(text.lower()))
        if found:
            return [(n.upper() if upper else n) + " " for n in found]
        name, _ = docs.match(words)
        hint = docs.hint(name) if name else ""
        if hint:
            # two candidates with nothing in common: readline inserts nothing
            # and asks display_matches to show them, which prints the hint
            self._hint = "%s %s" % (name.upper(), hint)
            return ["\x01", "\x02"]
        return []

    def display_matches(self, substitution, matches, longest):
        out = self.session.out
        if self._hint is not None:
            out.write("\n" + self._hint + "\n")
        else:
            out.write("\n" + "  ".join(m.strip() for m in matches) + "\n")
        # the line as readline last drew it: it then draws what completion inserted
        out.write(self.session.prompt() + self._shown)
        out.flush()
        self.readline.redisplay()

    def remember(self, args):
        """Write the history file; a line with a password is left out of it."""
        rl = self.readline
        if args and args[0].upper() in SENSITIVE:
            n = rl.get_current_history_length()
            if n:
                rl.remove_history_item(n - 1)
        if self.history_path:
            try:
                rl.write_history_file(self.history_path)
            except OSError:
                pass

    def help(self, args):
        out = self.session.out
        if len(args) == 1:
            out.write("redlet-cli %s\nTo get help about a command: \"help <command>\" "
                      "(TAB after a command name shows its arguments)\n"
                      "To quit: \"quit\" or \"exit\"\n" % __version__)
        else:
            self.load_docs()
            name = " ".join(_text(a) for a in args[1:3])
            docs = self.docs or CommandDocs()
            text = docs.help(name) or docs.help(_text(args[1]))
            out.write(text or "No help for %s\n" % _text(args[1]))
        out.flush()

    def loop(self) -> int:
        session = self.session
        self.load_docs()
        while True:
            try:
                line = input(session.prompt())
            except EOFError:
                session.out.write("\n")
                return 0
            except KeyboardInterrupt:
                session.out.write("^C\n")
                return 0
            data = line.encode("utf-8", "surrogateescape")
            args = split_line(data) or []
            self.remember(args)
            if args and args[0].lower() == b"help":
                self.help(args)
                continue
            if args and args[0].lower() == b"clear":
                session.out.write("\x1b[H\x1b[2J")
                session.out.flush()
                continue
            if not run_line(session, data):
                return 0
            self.load_docs()


# -- the command line -------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="redlet-cli", add_help=False,
        description="A redis-cli for redlet (and Redis) servers.")
    p.add_argument("--help", action="help", help="show this help and exit")
    p.add_argument("-h", dest="host", default=None, help="server hostname (127.0.0.1)")
    p.add_argument("-p", dest="port", type=int, default=None, help="server port (6379)")
    p.add_argument("-s", dest="socket", default=None, help="server unix socket (overrides -h/-p)")
    p.add_argument("-a", dest="password", default=None, help="password (AUTH / HELLO AUTH)")
    p.add_argument("--pass", dest="password", help="alias of -a")
    p.add_argument("--user", default=None, help="ACL user name (with -a)")
    p.add_argument("-n", dest="db", type=int, default=None, help="database number")
    p.add_argument("-u", dest="url", default=None,
                   help="server URL: redis://[user:password@]host[:port][/db] or unix://path")
    p.add_argument("-2", dest="resp3", action="store_false", default=False,
                   help="RESP2 (the default)")
    p.add_argument("-3", dest="resp3", action="store_true", help="RESP3")
    p.add_argument("--raw", dest="raw", action="store_true", default=None,
                   help="raw output even on a terminal")
    p.add_argument("--no-raw", dest="raw", action="store_false",
                   help="formatted output even when stdout is not a terminal")
    p.add_argument("--no-auth-warning", action="store_true",
                   help="no warning about a password on the command line")
    p.add_argument("-v", "--version", action="version", version="redlet-cli " + __version__)
    p.add_argument("command", nargs=argparse.REMAINDER, help="command and arguments to run")
    return p


def connection_from_args(opts) -> CliConnection:
    kw = {"host": "127.0.0.1", "port": 6379, "db": 0, "password": None, "username": None,
          "unix_socket_path": None}
    if opts.url:
        url_client = Client.from_url(opts.url)      # redlet's URL rules, nothing connected
        kw.update({k: url_client.pool.connection_kwargs[k] for k in kw})
        url_client.close()
    for key, value in (("host", opts.host), ("port", opts.port), ("db", opts.db),
                       ("password", opts.password), ("username", opts.user),
                       ("unix_socket_path", opts.socket)):
        if value is not None:
            kw[key] = value
    if kw["password"] is None and os.environ.get(AUTH_ENV):
        kw["password"] = os.environ[AUTH_ENV]
    return CliConnection(resp3=opts.resp3, **kw)


def history_path():
    path = os.environ.get(HISTORY_ENV)
    if path is None:
        return os.path.expanduser(DEFAULT_HISTORY)
    return path or None          # empty: no history


def main(argv=None) -> int:
    opts = build_parser().parse_args(argv)
    if (opts.password or (opts.url and "@" in opts.url)) and not opts.no_auth_warning:
        sys.stderr.write("Warning: Using a password with '-a' or '-u' option on the command "
                         "line interface may not be safe.\n")
    try:
        conn = connection_from_args(opts)
    except ValueError as e:
        sys.stderr.write("Invalid URI: %s\n" % e)
        return 1
    raw = opts.raw if opts.raw is not None else not sys.stdout.isatty()
    session = Session(conn, raw)
    try:
        if opts.command:                                  # one-shot
            if not session.connect():
                return 1
            args = [os.fsencode(a) for a in opts.command]
            return 0 if session.run(args) else 1
        if not sys.stdin.isatty():                        # commands from stdin
            if not session.connect():
                return 1
            for line in sys.stdin.buffer:
                if not run_line(session, line.rstrip(b"\r\n")):
                    break
            return 0
        # ^C leaves a subscription or a blocking command in the shell, even
        # when the shell was started with SIGINT ignored (a background job of
        # a non-interactive shell inherits that, and Python then leaves it so)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        session.connect()                                 # the shell, even when unreachable
        return Shell(session, history_path()).loop()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    finally:
        conn.disconnect()


if __name__ == "__main__":
    sys.exit(main())
