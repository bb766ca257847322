"""redlet-cli against a real (embedded) redlet server: one-shot runs in the
raw and the pretty formats, RESP3, commands from stdin, URLs with a password
and a database, an unreachable server, and the interactive shell driven in a
pseudo-terminal (prompt, history, completion, hints, reconnection)."""
import fcntl
import os
import re
import select
import signal
import socket
import subprocess
import sys
import termios
import time

import pytest

import redlet
from redlet.cli import (CommandDocs, MapReply, argument_hint, format_pretty, format_raw,
                        quote)
from redlet.protocol.types import RespSet, Status

SRC = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "src"))
TIMEOUT = 20
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]")


def cli_env(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env["REDLETCLI_HISTFILE"] = str(tmp_path / "history")
    env["INPUTRC"] = os.devnull
    env["TERM"] = "dumb"
    env.pop("REDLETCLI_AUTH", None)
    return env


def run_cli(tmp_path, *args, stdin=b""):
    """The CLI with stdout a pipe (so raw output unless --no-raw)."""
    return subprocess.run([sys.executable, "-m", "redlet.cli", *args], input=stdin,
                          capture_output=True, env=cli_env(tmp_path), timeout=TIMEOUT)


@pytest.fixture(scope="module")
def server():
    s = redlet.serve(port=0)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def secured():
    s = redlet.serve(port=0, password="s3cret")
    yield s
    s.stop()


@pytest.fixture
def port(server):
    c = redlet.Client(port=server.port)
    c.flushall()
    c.close()
    return str(server.port)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- formats, without a server ---------------------------------------------------------
def test_quote_like_redis_cli():
    assert quote(b'a b"\\\n\r\t\x07\x08\x00\xff') == '"a b\\"\\\\\\n\\r\\t\\a\\b\\x00\\xff"'


def test_pretty_nested_map_layout():
    # the layout redis-cli 7.0 prints for {a: [1, 2], d: 1.5, b: {c: 1}}
    reply = MapReply([b"a", [1, 2], b"d", 1.5, b"b", MapReply([b"c", 1])])
    assert format_pretty(reply) == ('1# "a" => \n'
                                    '   1) (integer) 1\n'
                                    '   2) (integer) 2\n'
                                    '2# "d" => (double) 1.5\n'
                                    '3# "b" => 1# "c" => (integer) 1\n')
    assert format_raw(reply) == b"a 1\n2\nd 1.5\nb c 1"


def test_pretty_scalars_and_empties():
    assert format_pretty(None) == "(nil)\n"
    assert format_pretty(True) == "(true)\n"
    assert format_pretty(3.0) == "(double) 3\n"
    assert format_pretty(Status(b"OK")) == "OK\n"
    assert format_pretty([]) == "(empty array)\n"
    assert format_pretty(MapReply()) == "(empty hash)\n"
    assert format_pretty(RespSet()) == "(empty set)\n"
    assert format_pretty(RespSet([b"x", b"y"])) == '1~ "x"\n2~ "y"\n'
    eleven = format_pretty([[i] for i in range(1, 12)])
    assert eleven.splitlines()[0] == " 1) 1) (integer) 1"
    assert eleven.splitlines()[-1] == "11) 1) (integer) 11"


def test_argument_hints_from_docs():
    def arg(name, type, **kw):
        return MapReply([b"name", name.encode(), b"type", type.encode(),
                         *[x for k, v in kw.items() for x in (k.encode(), v)]])
    docs = [
        arg("key", "key"), arg("value", "string"),
        arg("condition", "oneof", flags=[Status(b"optional")],
            arguments=[arg("nx", "pure-token", token=b"NX"), arg("xx", "pure-token", token=b"XX")]),
        arg("seconds", "integer", token=b"EX", flags=[Status(b"optional")]),
        arg("field", "string", flags=[b"multiple"]),
    ]
    assert " ".join(argument_hint(a) for a in docs) == (
        "key value [NX|XX] [EX seconds] field [field ...]")
    cd = CommandDocs([b"set", MapReply([b"summary", b"Set it", b"arguments", docs])])
    assert cd.hint("SET").startswith("key value [NX|XX]")
    assert "summary: Set it" in cd.help("set")


# -- one-shot --------------------------------------------------------------------------
def test_one_shot_raw(tmp_path, port):
    assert run_cli(tmp_path, "-p", port, "set", "k", 'a b"\n').stdout == b"OK\n"
    r = run_cli(tmp_path, "-p", port, "get", "k")
    assert (r.returncode, r.stdout) == (0, b'a b"\n\n')
    run_cli(tmp_path, "-p", port, "rpush", "l", "x", "y")
    assert run_cli(tmp_path, "-p", port, "lrange", "l", "0", "-1").stdout == b"x\ny\n"
    assert run_cli(tmp_path, "-p", port, "get", "missing").stdout == b"\n"
    r = run_cli(tmp_path, "-p", port, "incr", "l")
    assert r.stdout == b"WRONGTYPE Operation against a key holding the wrong kind of value\n\n"
    r = run_cli(tmp_path, "-p", port, "--no-raw", "get", "k")
    assert r.stdout == b'"a b\\"\\n"\n'


def test_one_shot_resp3(tmp_path, port):
    run_cli(tmp_path, "-p", port, "hset", "h", "f", "v", "g", "w")
    run_cli(tmp_path, "-p", port, "zadd", "z", "1.5", "m")
    r = run_cli(tmp_path, "-p", port, "-3", "--no-raw", "hgetall", "h")
    assert r.stdout == b'1# "f" => "v"\n2# "g" => "w"\n'
    r = run_cli(tmp_path, "-p", port, "--no-raw", "hgetall", "h")      # RESP2: an array
    assert r.stdout == b'1) "f"\n2) "v"\n3) "g"\n4) "w"\n'
    assert run_cli(tmp_path, "-p", port, "-3", "hgetall", "h").stdout == b"f v\ng w\n"
    r = run_cli(tmp_path, "-p", port, "-3", "--no-raw", "zscore", "z", "m")
    assert r.stdout == b"(double) 1.5\n"
    r = run_cli(tmp_path, "-p", port, "--no-raw", "zscore", "z", "m")
    assert r.stdout == b'"1.5"\n'
    r = run_cli(tmp_path, "-p", port, "-3", "--no-raw", "zrange", "z", "0", "-1", "withscores")
    assert r.stdout == b'1) 1) "m"\n   2) (double) 1.5\n'


def test_stdin_mode(tmp_path, port):
    lines = b'set a 1\nget a\n\nincr a\nlrange nol 0 -1\nset "b c" \'x y\'\nget "b c"\nget "a\n'
    r = run_cli(tmp_path, "-p", port, stdin=lines)
    assert r.returncode == 0
    assert r.stdout == b"OK\n1\n2\n\nOK\nx y\nInvalid argument(s)\n"
    r = run_cli(tmp_path, "-p", port, "--no-raw", stdin=b'get a\nget "\\x41\\n"\nquit\nget a\n')
    assert r.stdout == b'"2"\n(nil)\n'


def test_url_with_password_and_db(tmp_path, secured):
    url = "redis://:s3cret@127.0.0.1:%d/2" % secured.port
    r = run_cli(tmp_path, "-u", url, "set", "dbkey", "v2")
    assert r.stdout == b"OK\n" and b"may not be safe" in r.stderr
    c = redlet.Client(port=secured.port, password="s3cret", db=2)
    assert c.execute_command("GET", "dbkey") == "v2"
    c.close()
    r = run_cli(tmp_path, "-p", str(secured.port), "-a", "s3cret", "--no-auth-warning",
                "-n", "2", "get", "dbkey")
    assert (r.stdout, r.stderr) == (b"v2\n", b"")
    r = run_cli(tmp_path, "-p", str(secured.port), "-a", "wrong", "--no-auth-warning", "ping")
    assert r.returncode == 1 and r.stderr.startswith(b"AUTH failed: WRONGPASS")


def test_unreachable(tmp_path):
    r = run_cli(tmp_path, "-p", "1", "get", "k")
    assert r.returncode == 1
    assert r.stderr == b"Could not connect to Redis at 127.0.0.1:1: Connection refused\n"
    r = run_cli(tmp_path, "-s", str(tmp_path / "none.sock"), "ping")
    assert r.returncode == 1
    assert r.stderr.endswith(b"none.sock: No such file or directory\n")


def test_script_is_installed():
    script = os.path.join(os.path.dirname(sys.executable), "redlet-cli")
    out = subprocess.run([script, "--version"], capture_output=True, timeout=TIMEOUT)
    assert out.stdout.strip() == b"redlet-cli " + redlet.__version__.encode()


# -- the interactive shell in a pseudo-terminal --------------------------------------------
def _own_terminal():
    """In the child: a session of its own, the pseudo-terminal its controlling
    terminal (so that ^C is SIGINT), and SIGINT as a terminal gives it (not
    ignored, as it is when the tests run as a background job)."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _own_terminal_sigint_ignored():
    """As ``_own_terminal``, but SIGINT inherited ignored (``cmd &`` in a script)."""
    _own_terminal()
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Terminal:
    """The CLI on a pseudo-terminal; every read bounded by a timeout."""

    def __init__(self, tmp_path, *args, sigint_ignored=False):
        self.master, slave = os.openpty()
        setup = _own_terminal_sigint_ignored if sigint_ignored else _own_terminal
        self.proc = subprocess.Popen([sys.executable, "-m", "redlet.cli", *args],
                                     stdin=slave, stdout=slave, stderr=slave,
                                     env=cli_env(tmp_path), preexec_fn=setup)
        os.close(slave)
        self.seen = b""

    def send(self, data: bytes):
        os.write(self.master, data)

    def expect(self, what: bytes, timeout=TIMEOUT) -> bytes:
        """Read until ``what`` appears (escape sequences removed); what came before it."""
        deadline = time.monotonic() + timeout
        while what not in ANSI.sub(b"", self.seen):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("%r not seen in %r" % (what, self.seen))
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:            # the child closed the terminal
                    chunk = b""
                if not chunk:
                    raise AssertionError("EOF before %r in %r" % (what, self.seen))
                self.seen += chunk
        text = ANSI.sub(b"", self.seen)
        before, _, after = text.partition(what)
        self.seen = after
        return before

    def wait(self):
        try:
            return self.proc.wait(TIMEOUT)
        finally:
            os.close(self.master)

    def kill(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@pytest.fixture
def terminal(tmp_path):
    made = []

    def start(*args, **kwargs):
        t = Terminal(tmp_path, *args, **kwargs)
        made.append(t)
        return t
    yield start
    for t in made:
        t.kill()


def test_shell_session(tmp_path, port, terminal):
    t = terminal("-p", port)
    prompt = b"127.0.0.1:%s> " % port.encode()
    t.expect(prompt)
    t.send(b'set greeting "hello world"\r')
    assert t.expect(prompt).endswith(b"OK\r\n")
    t.send(b"get greeting\r")
    assert t.expect(prompt).endswith(b'"hello world"\r\n')
    t.send(b"hset h f v\r")
    t.expect(prompt)
    t.send(b"HGETA\t h\r")                    # TAB completes the command name
    out = t.expect(prompt)
    assert b"HGETALL " in out and out.endswith(b'1) "f"\r\n2) "v"\r\n')
    t.send(b"hello 3\r")
    t.expect(prompt)
    t.send(b'eval "return {1, {2, \'a\'}, {}}" 0\r')   # nested, and an empty array
    assert t.expect(prompt).endswith(b'1) (integer) 1\r\n2) 1) (integer) 2\r\n'
                                     b'   2) "a"\r\n3) (empty array)\r\n')
    t.send(b"hgetall h\r")                      # RESP3 map now
    assert t.expect(prompt).endswith(b'1# "f" => "v"\r\n')
    t.send(b"select 3\r")
    t.expect(b"127.0.0.1:%s[3]> " % port.encode())
    t.send(b"quit\r")
    assert t.wait() == 0
    history = (tmp_path / "history").read_bytes()
    assert b'set greeting "hello world"' in history and b"select 3" in history


def test_shell_hint_and_help(tmp_path, port, terminal):
    t = terminal("-p", port)
    prompt = b"127.0.0.1:%s> " % port.encode()
    t.expect(prompt)
    t.send(b"hgetall \t")                       # TAB after a command name: its hint
    t.expect(b"HGETALL key")                    # the arguments, from COMMAND DOCS
    t.expect(prompt + b"hgetall ")              # the line is given back as it was
    t.send(b"\x15help get\r")                  # ^U clears the line
    t.expect(b"summary: Get the value of a key")
    t.expect(prompt)
    t.send(b"\x04")                             # ^D leaves too
    assert t.wait() == 0


def test_shell_not_connected_then_reconnects(tmp_path, terminal):
    port = free_port()
    t = terminal("-p", str(port))
    t.expect(b"Could not connect to Redis at 127.0.0.1:%d: Connection refused" % port)
    t.expect(b"not connected> ")
    t.send(b"ping\r")
    t.expect(b"Connection refused")
    t.expect(b"not connected> ")
    server = redlet.serve(port=port)
    try:
        t.send(b"ping\r")
        assert t.expect(b"127.0.0.1:%d> " % port).endswith(b"PONG\r\n")
    finally:
        server.stop()
    t.send(b"ping\r")                           # the server went away
    t.expect(b"Error: Server closed the connection")
    t.expect(b"not connected> ")
    t.send(b"ping\r")
    t.expect(b"Could not connect to Redis at 127.0.0.1:%d: Connection refused" % port)
    t.send(b"exit\r")
    assert t.wait() == 0


# started with SIGINT ignored (a background job of a script), the shell must
# still take ^C: Python leaves an inherited SIG_IGN in place unless told
@pytest.mark.parametrize("sigint_ignored", [False, True], ids=["sigint-default", "sigint-ignored"])
def test_shell_subscribe_resp3_and_ctrl_c(tmp_path, server, port, terminal, sigint_ignored):
    t = terminal("-3", "-p", port, sigint_ignored=sigint_ignored)
    prompt = b"127.0.0.1:%s> " % port.encode()
    t.expect(prompt)
    t.send(b"subscribe news\r")                 # confirmed by a push in RESP3
    t.expect(b"Reading messages... (press Ctrl-C to quit)")
    t.expect(b'1) "subscribe"\r\n2) "news"\r\n3) (integer) 1\r\n')
    c = redlet.Client(port=server.port)
    deadline = time.monotonic() + TIMEOUT
    while c.execute_command("PUBLISH", "news", "hi") != 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    c.close()
    t.expect(b'1) "message"\r\n2) "news"\r\n3) "hi"\r\n')
    t.send(b"\x03")                             # ^C leaves the subscription, not the shell
    t.expect(prompt)
    t.send(b"ping\r")
    assert t.expect(prompt).endswith(b"PONG\r\n")
    t.send(b"quit\r")
    assert t.wait() == 0


def test_one_shot_on_a_terminal_is_pretty(tmp_path, port, terminal):
    run_cli(tmp_path, "-p", port, "rpush", "l", "a", "b")
    t = terminal("-p", port, "lrange", "l", "0", "-1")
    t.expect(b'1) "a"\r\n2) "b"\r\n')
    assert t.wait() == 0


def test_shell_auth_kept_for_reconnects(tmp_path, secured, terminal):
    t = terminal("-p", str(secured.port))
    t.expect(b"NOAUTH")                         # HELLO without credentials is refused
    t.expect(b"not connected> ")
    t.send(b"auth wrong\r")
    t.expect(b"(error) WRONGPASS")
    t.send(b"auth s3cret\r")
    t.expect(b"OK\r\n127.0.0.1:%d> " % secured.port)
    t.send(b"ping\r")
    t.expect(b"PONG")
    t.send(b"quit\r")
    assert t.wait() == 0
    assert b"auth" not in (tmp_path / "history").read_bytes()   # passwords stay out
