"""Protected mode against redis-server: a client from outside 127.0.0.1/::1
(here 127.0.0.2, still loopback, so nothing leaves the machine) is refused
with Redis' DENIED line while the default user has no password; a password
or ``protected-mode no`` lets it in."""
import socket

import pytest


def _from_other_address(port, payload=b"PING\r\n", replies=1):
    """Connect from 127.0.0.2, send ``payload`` and return what the server
    sends back: ``replies`` lines, or everything until it closes."""
    s = socket.socket()
    s.settimeout(5)
    s.bind(("127.0.0.2", 0))
    s.connect(("127.0.0.1", port))
    s.sendall(payload)
    data = b""
    while data.count(b"\r\n") < replies or data.startswith(b"-DENIED"):
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        data += chunk
    s.close()
    return data


@pytest.fixture
def restore_settings(diff):
    yield diff
    diff.both("CONFIG", "SET", "requirepass", "")
    diff.both("CONFIG", "SET", "protected-mode", "yes")


def test_denied_without_password(restore_settings, servers):
    rport, lport = servers
    expected, got = _from_other_address(rport), _from_other_address(lport)
    assert expected.startswith(b"-DENIED Redis is running in protected mode")
    assert got == expected


def test_loopback_client_is_served(diff):
    diff.check("PING")


def test_password_lets_outside_clients_in(restore_settings, servers):
    diff = restore_settings
    diff.check("CONFIG", "SET", "requirepass", "pw")
    diff.check("AUTH", "pw")
    rport, lport = servers
    payload = b"AUTH pw\r\nPING\r\n"
    expected = _from_other_address(rport, payload, 2)
    assert expected == b"+OK\r\n+PONG\r\n"
    assert _from_other_address(lport, payload, 2) == expected


def test_protected_mode_off(restore_settings, servers):
    diff = restore_settings
    diff.check("CONFIG", "SET", "protected-mode", "no")
    rport, lport = servers
    assert _from_other_address(rport) == b"+PONG\r\n"
    assert _from_other_address(lport) == b"+PONG\r\n"
    diff.check("CONFIG", "GET", "protected-mode")


def test_maxclients(diff, servers):
    """With maxclients 3 the diff connection and two more are served; the
    next connection gets Redis' error line and is closed."""
    diff.check("CONFIG", "SET", "maxclients", "3")
    try:
        results = []
        for port in servers:
            held = [socket.create_connection(("127.0.0.1", port), 5) for _ in range(2)]
            extra = socket.create_connection(("127.0.0.1", port), 5)
            extra.settimeout(5)
            extra.sendall(b"PING\r\n")
            data = b""
            while True:
                try:
                    chunk = extra.recv(4096)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                data += chunk
            results.append(data)
            for s in held + [extra]:
                s.close()
        assert results[0] == b"-ERR max number of clients reached\r\n"
        assert results[1] == results[0]
    finally:
        diff.both("CONFIG", "SET", "maxclients", "10000")


def test_acl_password_for_default_lets_outside_clients_in(restore_settings, servers):
    diff = restore_settings
    diff.check("ACL", "SETUSER", "default", ">pw2")
    try:
        diff.check("AUTH", "pw2")
        rport, lport = servers
        expected = _from_other_address(rport, b"AUTH pw2\r\nPING\r\n", 2)
        assert expected == b"+OK\r\n+PONG\r\n"
        assert _from_other_address(lport, b"AUTH pw2\r\nPING\r\n", 2) == expected
    finally:
        diff.both("ACL", "SETUSER", "default", "nopass", "resetpass", "nopass")
