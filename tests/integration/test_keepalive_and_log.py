"""tcp-keepalive and logging on a real server process (issue 9): accepted
connections carry the kernel's keepalive timer with the configured idle time
(as ``ss`` shows it) or none with ``tcp-keepalive 0``; log lines have Redis'
shape (pid, role, date with milliseconds, level mark, message) on stdout or
in ``logfile``, and ``loglevel`` filters them."""
import os
import re
import socket
import time

import pytest

from .test_pubsub_limits import Conn, server_with  # noqa: F401  (fixture)

LOG_LINE = re.compile(r"^\d+:M \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} [.\-*#] \S")


def _timer(server_port, client_port):
    """(timer kind, seconds left) of the server side of the connection, from
    /proc/net/tcp: kind 2 is the keepalive timer, 0 none."""
    local = "0100007F:%04X" % server_port
    remote = "0100007F:%04X" % client_port
    hz = os.sysconf("SC_CLK_TCK")
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1] == local and fields[2] == remote:
                kind, when = fields[5].split(":")
                return int(kind, 16), int(when, 16) / hz
    raise AssertionError("connection not found in /proc/net/tcp")


@pytest.mark.parametrize("seconds", ["7", "0"])
def test_tcp_keepalive_on_accepted_connections(server_with, seconds):  # noqa: F811
    server = server_with("--tcp-keepalive", seconds)
    c = Conn(server.port)
    c.send("PING")
    assert c.line() == b"+PONG"
    kind, left = _timer(server.port, c.sock.getsockname()[1])
    if seconds == "0":
        assert kind == 0
    else:
        assert kind == 2 and 0 < left <= 7
    c.sock.close()


def test_log_lines_on_stdout_have_redis_shape(server_with):  # noqa: F811
    server = server_with()
    lines = [x for x in server.log().splitlines() if x.strip()]
    assert lines and all(LOG_LINE.match(x) for x in lines), lines
    assert any("Ready to accept connections" in x for x in lines)


def test_logfile_and_loglevel(server_with, tmp_path):  # noqa: F811
    path = tmp_path / "redlet.log"
    server = server_with("--logfile", str(path), "--loglevel", "warning")
    c = Conn(server.port)
    # a warning: a client dropped for its output buffer
    c.send("CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0")
    assert c.line() == b"+OK"
    reader = socket.create_connection(("127.0.0.1", server.port))
    reader.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.send("SET", "big", "v" * 200_000)
    assert c.line() == b"+OK"
    try:
        for _ in range(100):
            reader.sendall(b"*2\r\n$3\r\nGET\r\n$3\r\nbig\r\n" * 50)
    except OSError:
        pass
    reader.close()
    deadline = time.time() + 5
    while time.time() < deadline and "output buffer" not in path.read_text():
        time.sleep(0.05)
    text = path.read_text()
    lines = [x for x in text.splitlines() if x.strip()]
    assert lines and all(LOG_LINE.match(x) for x in lines), lines
    assert any(" # " in x and "output buffer limits" in x for x in lines)
    # notices (start-up lines) are filtered out at loglevel warning
    assert not any("Ready to accept connections" in x for x in lines)
    assert "Ready to accept" not in server.log()       # nothing went to stdout either
    c.sock.close()
