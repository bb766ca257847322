"""Differential testing: the same commands to a real redis-server and to
redlet, raw reply bytes compared.  A missing redis-server fails the run."""
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port, proc, log, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited early: " + open(log).read())
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start: " + open(log).read())


def _start(argv, port, tmp):
    log = os.path.join(tmp, "server.log")
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src"))
    proc = subprocess.Popen(argv, stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env,
                            cwd=tmp)
    _wait(port, proc, log)
    return proc


class RawConn:
    """A blocking connection that sends commands and returns raw reply bytes."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), 5)
        self.sock.settimeout(5)
        self.buf = b""

    def send(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return self.read_reply()

    def send_raw(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        self.buf += chunk

    def _line(self, pos):
        while True:
            i = self.buf.find(b"\r\n", pos)
            if i >= 0:
                return i
            self._fill()

    def _reply_end(self, pos):
        end = self._line(pos)
        t = self.buf[pos:pos + 1]
        if t in (b"$", b"=", b"!"):
            n = int(self.buf[pos + 1:end])
            if n < 0:
                return end + 2
            while len(self.buf) < end + 2 + n + 2:
                self._fill()
            return end + 2 + n + 2
        if t in (b"*", b"~", b">", b"%", b"|"):
            n = int(self.buf[pos + 1:end])
            p = end + 2
            for _ in range(max(n, 0) * (2 if t in (b"%", b"|") else 1)):
                p = self._reply_end(p)
            return p
        return end + 2

    def read_reply(self):
        if not self.buf:
            self._fill()
        end = self._reply_end(0)
        reply, self.buf = self.buf[:end], self.buf[end:]
        return reply

    def close(self):
        self.sock.close()


_DIRTY = re.compile(rb"rdb_changes_since_last_save:(\d+)")


def dirty(diff):
    return [int(_DIRTY.search(r).group(1)) for r in diff.both("INFO", "persistence")]


def check_dirty(diff, *cmd):
    """The reply and the number of changes the command counted agree."""
    before = dirty(diff)
    diff.check(*cmd)
    after = dirty(diff)
    assert after[0] - before[0] == after[1] - before[1], \
        f"{cmd[:3]!r}: redis counted {after[0] - before[0]} changes, " \
        f"redlet {after[1] - before[1]}"


def raw_conns(ports, resp3=False):
    """A RawConn to each port, after ``HELLO 3`` when ``resp3``."""
    conns = [RawConn(p) for p in ports]
    if resp3:
        for c in conns:
            c.send("HELLO", "3")
    return conns


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    redis_bin = shutil.which("redis-server")
    if redis_bin is None:
        pytest.fail("redis-server is required for the differential tests "
                    "(apt-get install redis-server)")
    rport, lport = free_port(), free_port()
    rdir = str(tmp_path_factory.mktemp("redis"))
    ldir = str(tmp_path_factory.mktemp("redlet"))
    redis_proc = _start([redis_bin, "--port", str(rport), "--bind", "127.0.0.1", "--save", "",
                         "--appendonly", "no", "--dir", rdir], rport, rdir)
    redlet_proc = _start([sys.executable, "-m", "redlet", "--port", str(lport), "--bind",
                          "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", ldir],
                         lport, ldir)
    yield rport, lport
    for p in (redis_proc, redlet_proc):
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()


class Differ:
    def __init__(self, rport, lport):
        self.ports = (rport, lport)
        self.conns = [RawConn(rport), RawConn(lport)]
        self.conns3 = None

    def both(self, *cmd):
        return [c.send(*cmd) for c in self.conns]

    def check(self, *cmd):
        expected, got = self.both(*cmd)
        assert got == expected, "%r: redis %r, redlet %r" % (cmd, expected, got)
        return got

    def check3(self, *cmd):
        if self.conns3 is None:
            self.conns3 = [RawConn(p) for p in self.ports]
            for c in self.conns3:
                c.send("HELLO", "3")
        expected, got = [c.send(*cmd) for c in self.conns3]
        assert got == expected, "%r (RESP3): redis %r, redlet %r" % (cmd, expected, got)
        return got

    def check_sorted(self, *cmd):
        expected, got = self.both(*cmd)

        def elements(raw):
            conn = RawConn.__new__(RawConn)
            conn.buf = raw
            end = conn._line(0)
            header, pos, items = raw[:end + 2], end + 2, []
            n = int(raw[1:end]) if raw[:1] == b"*" else 0
            for _ in range(max(n, 0)):
                e = conn._reply_end(pos)
                items.append(raw[pos:e])
                pos = e
            return header, sorted(items)
        assert elements(got) == elements(expected), \
            "%r: redis %r, redlet %r" % (cmd, expected, got)

    def check_approx(self, *cmd, tolerance=1):
        expected, got = self.both(*cmd)
        assert expected[:1] == got[:1] == b":", (expected, got)
        assert abs(int(expected[1:-2]) - int(got[1:-2])) <= tolerance, (cmd, expected, got)

    def close(self):
        for c in self.conns + (self.conns3 or []):
            c.close()


@pytest.fixture
def diff(servers):
    d = Differ(*servers)
    d.both("FLUSHALL")
    yield d
    d.close()
