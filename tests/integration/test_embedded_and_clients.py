"""Real clients against a real redlet listening on loopback: redis-py (RESP2
and RESP3, with and without hiredis), redis-cli, and the embedded server."""
import shutil
import socket
import subprocess
import threading

import pytest
import redis

import redlet


@pytest.fixture(scope="module")
def server():
    with redlet.serve() as s:
        yield s


def _redis_cli():
    path = shutil.which("redis-cli")
    if path is None:
        pytest.fail("redis-cli is required (apt-get install redis-tools)")
    return path


@pytest.mark.parametrize("protocol", [2, 3])
@pytest.mark.parametrize("parser", ["hiredis", "python"])
def test_redis_py_connection_commands(server, protocol, parser):
    kwargs = {"protocol": protocol}
    if parser == "python":
        from redis.connection import _RESP2Parser, _RESP3Parser
        kwargs["parser_class"] = _RESP3Parser if protocol == 3 else _RESP2Parser
    r = redis.Redis(connection_pool=redis.ConnectionPool(
        host="127.0.0.1", port=server.port, **kwargs))
    assert r.ping() is True
    assert r.echo("hello") == b"hello"
    r.client_setname("tester")
    assert r.client_getname() in ("tester", b"tester")   # redis-py decodes it itself
    info = r.info("server")
    assert info["redis_version"].startswith("7.0")
    assert r.config_get("maxmemory") == {"maxmemory": "0"}
    assert r.dbsize() == 0
    assert isinstance(r.client_id(), int)
    clients = r.client_list()
    assert any(c["name"] == "tester" for c in clients)
    r.close()


def test_redis_cli(server):
    cli = _redis_cli()
    out = subprocess.run([cli, "-p", str(server.port), "ping"], capture_output=True,
                         text=True, timeout=10)
    assert out.stdout.strip() == "PONG"
    out = subprocess.run([cli, "-p", str(server.port), "-3", "hello", "3"],
                         capture_output=True, text=True, timeout=10)
    lines = out.stdout.splitlines()       # redis-cli's non-tty map format: "key value"
    assert "server redis" in lines and "proto 3" in lines and "version 7.0.15" in lines
    out = subprocess.run([cli, "-p", str(server.port), "info", "keyspace"],
                         capture_output=True, text=True, timeout=10)
    assert out.stdout.strip() == "# Keyspace"
    out = subprocess.run([cli, "-p", str(server.port), "nosuchcommand", "x"],
                         capture_output=True, text=True, timeout=10)
    assert out.stdout.strip() == \
        "ERR unknown command 'nosuchcommand', with args beginning with: 'x'"


def test_protocol_error_closes_only_that_connection(server):
    bad = socket.create_connection(("127.0.0.1", server.port))
    good = redis.Redis(host="127.0.0.1", port=server.port)
    bad.sendall(b"*1\r\n$-5\r\n")
    assert bad.recv(1000) == b"-ERR Protocol error: invalid bulk length\r\n"
    assert bad.recv(1000) == b""          # closed by the server
    assert good.ping() is True


def test_many_concurrent_clients(server):
    errors = []

    def worker():
        try:
            c = redis.Redis(host="127.0.0.1", port=server.port)
            for _ in range(20):
                assert c.ping()
            c.close()
        except Exception as e:  # collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


def test_start_stop_releases_port():
    s = redlet.serve()
    port = s.port
    assert s.client().ping()
    s.stop()
    probe = socket.socket()
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    probe.bind(("127.0.0.1", port))
    probe.close()


def test_unix_socket(tmp_path):
    path = tmp_path / "redlet.sock"
    with redlet.serve(unix_socket=path) as s:
        r = redis.Redis(unix_socket_path=str(path))
        assert r.ping() is True


def test_password(tmp_path):
    with redlet.serve(password="s3cret") as s:
        anon = redis.Redis(host="127.0.0.1", port=s.port)
        with pytest.raises(redis.AuthenticationError):
            anon.dbsize()
        assert s.client().dbsize() == 0
        wrong = redis.Redis(host="127.0.0.1", port=s.port, password="nope")
        with pytest.raises(redis.AuthenticationError):
            wrong.ping()


def test_asyncio_start_server():
    import asyncio

    async def main():
        server = await redlet.start_server()
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"PING\r\n")
        await writer.drain()
        line = await reader.readline()
        writer.close()
        await server.close()
        return line

    assert asyncio.run(main()) == b"+PONG\r\n"
