"""Random bytes on real connections (issue 9): whatever a client sends, the
server answers or closes that connection, and keeps serving the others.
Mutations of valid RESP (cut, flipped, repeated frames, huge lengths) and
plain noise, each on its own connection of one embedded server."""
import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import redlet

VALID = [b"*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\nb\r\n", b"*2\r\n$3\r\nGET\r\n$1\r\na\r\n",
         b"PING\r\n", b"*1\r\n$4\r\nPING\r\n", b"*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n",
         b"*3\r\n$3\r\nSET\r\n$1\r\nt\r\n%1\r\n+a\r\n:1\r\n", b"*-1\r\n", b"*0\r\n",
         b"$5\r\nhello\r\n", b"*1\r\n$-1\r\n", b"*2\r\n$4\r\nEVAL\r\n$8\r\nreturn 1\r\n",
         b"*999999999\r\n", b"*1\r\n$999999999999\r\n", b"*3\r\n$5\r\nRPUSH\r\n$1\r\nq\r\n"]


@st.composite
def payloads(draw):
    parts = draw(st.lists(st.sampled_from(VALID) | st.binary(max_size=40), min_size=1,
                          max_size=6))
    data = bytearray(b"".join(parts))
    for _ in range(draw(st.integers(0, 3))):
        if data:
            i = draw(st.integers(0, len(data) - 1))
            data[i] = draw(st.integers(0, 255))
    cut = draw(st.integers(0, len(data)))
    return bytes(data[:cut] if draw(st.booleans()) else data)


@pytest.fixture(scope="module")
def server():
    with redlet.serve() as s:
        yield s


def _exchange(port, data):
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.settimeout(5)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)             # the server sees the end: replies, then closes
    got = b""
    try:
        while len(got) < 1 << 20:
            chunk = s.recv(65536)
            if not chunk:
                break                      # closed by the server: fine
            got += chunk
    except ConnectionResetError:
        pass
    s.close()
    return got


@settings(max_examples=80, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=payloads())
def test_random_bytes_never_hurt_the_server(server, data):
    got = _exchange(server.port, data)
    assert b"internal error" not in got
    if got:
        assert got[:1] in b"+-:$*%~,_#>|=(!"
    r = server.client()
    assert r.ping() is True                # everyone else is still served
    r.close()
