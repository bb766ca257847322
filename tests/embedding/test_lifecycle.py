"""Embedded servers (``redlet.serve()`` in a thread): start/stop loops leak
no threads, ports or file descriptors; several run side by side."""
import os
import socket
import threading
import time

import redis

import redlet


def _fds():
    return len(os.listdir("/proc/self/fd"))


def _port_free(port):
    s = socket.socket()
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def test_hundred_start_stop_cycles_leak_nothing():
    redlet.serve().stop()                 # warm up: imports, uvloop
    threads, fds = threading.active_count(), _fds()
    times = []
    for i in range(100):
        t0 = time.perf_counter()
        server = redlet.serve()
        r = server.client()
        assert r.set("cycle", i) is True
        assert r.get("cycle") == str(i).encode()
        r.close()
        server.stop()
        times.append(time.perf_counter() - t0)
        assert _port_free(server.port)
    assert threading.active_count() == threads
    assert _fds() <= fds
    times.sort()
    assert times[50] < 1.0                # start + a command + stop, in the median


def test_several_servers_in_one_process(tmp_path):
    servers = [redlet.serve() for _ in range(3)]
    servers.append(redlet.serve(unix_socket=tmp_path / "s.sock"))
    try:
        clients = [s.client() for s in servers]
        for i, r in enumerate(clients):
            r.set("who", i)
        assert [r.get("who") for r in clients] == [b"0", b"1", b"2", b"3"]
        assert len({s.port for s in servers[:3]}) == 3
    finally:
        for s in servers:
            s.stop()
    assert not (tmp_path / "s.sock").exists()


def test_data_dir_keeps_data_across_restarts(tmp_path):
    with redlet.serve(data_dir=tmp_path) as server:
        r = server.client()
        r.rpush("jobs", "a", "b")
        r.hset("h", mapping={"f": "v"})
    assert (tmp_path / "appendonlydir").is_dir()
    with redlet.serve(data_dir=tmp_path) as server:
        r = server.client()
        assert r.lrange("jobs", 0, -1) == [b"a", b"b"]
        assert r.hgetall("h") == {b"f": b"v"}


def test_stopped_server_refuses_connections():
    server = redlet.serve()
    port = server.port
    server.stop()
    r = redis.Redis(port=port, socket_connect_timeout=1)
    try:
        r.ping()
        raised = False
    except redis.ConnectionError:
        raised = True
    assert raised


def test_bad_option_is_a_clear_error():
    try:
        redlet.serve(no_such_directive="1")
        message = ""
    except Exception as e:                  # the config's own error
        message = str(e)
    assert "no-such-directive" in message or "no_such_directive" in message


def test_mode_must_be_known():
    try:
        redlet.serve(mode="fork")
        message = ""
    except ValueError as e:
        message = str(e)
    assert "mode" in message
