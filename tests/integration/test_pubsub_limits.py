"""Slow subscribers and client-output-buffer-limit, on a real server process.

A subscriber that never reads (small socket receive buffer) while a
publisher floods 1 KB messages must be disconnected once its pending output
passes the pubsub class' hard limit, or stays past the soft limit longer than
its seconds; the server writes a log line, its RSS stays bounded (the dropped
output is not kept), and other clients keep being served meanwhile.  The
limits are small so that the tests are quick; nothing is timed.
Run with ``-s`` to see the figures.
"""
import os
import socket
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MESSAGE = b"m" * 1024
BATCH = 200                       # PUBLISH commands per pipelined write
MAX_MESSAGES = 400_000            # 400 MB: far past any limit used here


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _command(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    """A plain blocking connection reading whole lines of simple replies."""

    def __init__(self, port, rcvbuf=None):
        self.sock = socket.socket()
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.connect(("127.0.0.1", port))
        self.sock.settimeout(30)
        self.buf = b""

    def send(self, *args):
        self.sock.sendall(_command(*args))

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def integers(self, n):
        """Read ``n`` integer replies."""
        return [int(self.line()[1:]) for _ in range(n)]

    def close(self):
        self.sock.close()


class Server:
    """``python -m redlet`` with the given directives, on a free port."""

    def __init__(self, tmp, *directives):
        self.port = _free_port()
        self.log_path = os.path.join(tmp, "redlet.log")
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "redlet", "--port", str(self.port), "--bind",
                 "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", tmp, *directives],
                stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp)
        deadline = time.time() + 15
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("redlet exited: " + self.log())
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)

    def log(self):
        with open(self.log_path) as f:
            return f.read()

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def server_with(tmp_path):
    made = []

    def start(*directives):
        s = Server(str(tmp_path), *directives)
        made.append(s)
        return s
    yield start
    for s in made:
        s.close()


def flood_until_dropped(server, channel, pace=0.0):
    """Publish 1 KB messages to ``channel`` (one subscriber that never
    reads) until PUBLISH counts no receiver; meanwhile another client must
    keep getting answers.  Returns (messages sent, peak RSS in kB)."""
    sub = Conn(server.port, rcvbuf=4096)
    sub.send("SUBSCRIBE", channel)
    assert sub.line() == b"*3"                # the confirmation header; then never read
    pub, other = Conn(server.port), Conn(server.port)
    batch = _command("PUBLISH", channel, MESSAGE) * BATCH
    sent, peak = 0, _rss_kb(server.proc.pid)
    try:
        while sent < MAX_MESSAGES:
            pub.sock.sendall(batch)
            counts = pub.integers(BATCH)
            sent += BATCH
            peak = max(peak, _rss_kb(server.proc.pid))
            other.send("INCR", "served")
            assert other.line().startswith(b":")  # served all along
            if counts[-1] == 0:
                return sent, peak
            if pace:
                time.sleep(pace)
        raise AssertionError(f"the subscriber was never disconnected ({sent} messages)")
    finally:
        pub.close()
        other.close()
        sub.close()


def test_hard_limit_disconnects_a_subscriber_that_never_reads(server_with):
    server = server_with("--client-output-buffer-limit", "pubsub 2mb 0 0")
    base = _rss_kb(server.proc.pid)
    sent, peak = flood_until_dropped(server, "flood")
    print(f"\nhard limit 2 MB: dropped after {sent} messages ({sent // 1024} MB published); "
          f"RSS {base // 1024} MB at start, peak {peak // 1024} MB")
    assert "for overcoming of output buffer limits" in server.log()
    assert "flags=P" in server.log() and "cmd=subscribe" in server.log()
    assert peak - base < 64 * 1024                 # nothing like the MBs published
    check = Conn(server.port)
    check.send("PUBSUB", "NUMSUB", "flood")
    assert [check.line() for _ in range(4)][-1] == b":0"     # *2 $5 flood :0
    check.send("GET", "served")
    check.line()
    assert int(check.line()) == sent // BATCH     # the other client's every INCR
    check.close()


def test_soft_limit_held_for_its_seconds_disconnects(server_with):
    # no hard limit; past 256 KB for more than one second (paced flooding)
    server = server_with("--client-output-buffer-limit", "pubsub 0 256kb 1")
    base = _rss_kb(server.proc.pid)
    sent, peak = flood_until_dropped(server, "slow", pace=0.01)
    print(f"\nsoft limit 256 KB for 1 s: dropped after {sent} messages; "
          f"RSS {base // 1024} MB at start, peak {peak // 1024} MB")
    assert "for overcoming of output buffer limits" in server.log()
    assert peak - base < 64 * 1024


def test_limits_changed_at_runtime_apply(server_with):
    server = server_with()
    c = Conn(server.port)
    c.send("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0")
    assert c.line() == b"+OK"
    c.send("CONFIG", "GET", "client-output-buffer-limit")
    assert [c.line() for _ in range(5)][-1] == b"normal 0 0 0 slave 268435456 67108864 60 " \
        b"pubsub 1048576 0 0"
    c.close()
    flood_until_dropped(server, "rt")
    assert "for overcoming of output buffer limits" in server.log()


def test_a_subscriber_that_reads_is_kept(server_with):
    server = server_with("--client-output-buffer-limit", "pubsub 1mb 512kb 60")
    sub = Conn(server.port)
    sub.send("SUBSCRIBE", "ok")
    assert sub.line() == b"*3"
    for _ in range(5):               # $9 subscribe $2 ok :1
        sub.line()
    pub = Conn(server.port)
    for _ in range(20):              # 4 MB in all, read as it comes
        pub.sock.sendall(_command("PUBLISH", "ok", MESSAGE) * BATCH)
        assert pub.integers(BATCH) == [1] * BATCH
        for _ in range(BATCH * 7):   # *3, $7, message, $2, ok, $1024, payload
            sub.line()
    pub.close()
    sub.close()
    assert "output buffer limits" not in server.log()


def test_normal_client_that_never_reads_is_closed(server_with):
    """The normal class: a client that pipelines GETs of a 100 KB value and
    never reads its replies is closed once they pass the hard limit; the
    server's RSS stays bounded and another client is served."""
    server = server_with("--client-output-buffer-limit", "normal 4mb 0 0")
    base = _rss_kb(server.proc.pid)
    setter = Conn(server.port)
    setter.send("SET", "big", b"v" * 100_000)
    assert setter.line() == b"+OK"
    reader = Conn(server.port, rcvbuf=4096)
    reader.send("CLIENT", "ID")
    reader_id = reader.line()[1:]
    reader.sock.settimeout(5)
    batch = _command("GET", "big") * 100           # 10 MB of replies per write
    sent, closed = 0, False
    while sent < 4000 and not closed:              # at most 400 MB asked for
        try:
            reader.sock.sendall(batch)
            sent += 100
        except OSError:                            # reset: the server closed it
            closed = True
    # our sends may all have gone through before the reset arrived: then ask
    # the server whether the connection is gone (an empty CLIENT LIST ID)
    deadline = time.monotonic() + 10
    while not closed and time.monotonic() < deadline:
        setter.send("CLIENT", "LIST", "ID", reader_id)
        header = setter.line()
        setter.line()
        closed = header == b"$0"
        if not closed:
            time.sleep(0.2)
    peak = _rss_kb(server.proc.pid)
    print(f"\nnormal hard limit 4 MB: closed after {sent} GETs of 100 KB; "
          f"RSS {base // 1024} MB at start, {peak // 1024} MB after")
    assert closed
    assert "for overcoming of output buffer limits" in server.log()
    assert peak - base < 128 * 1024
    setter.send("PING")
    assert setter.line() == b"+PONG"
    setter.close()
    reader.sock.close()
