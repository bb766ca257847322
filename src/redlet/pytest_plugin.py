"""pytest fixtures for a real Redis-compatible server per test session.

Installed with redlet (the ``pytest11`` entry point), nothing to configure::

    def test_counter(redis_client):          # a redis.Redis, flushed before each test
        assert redis_client.incr("hits") == 1

    def test_native(redlet_client):          # redlet's client for native values
        redlet_client.set("k", {"a": [1, 2.5]})
        assert redlet_client.get("k") == {"a": [1, 2.5]}

    def test_url(redlet_url):                # "redis://127.0.0.1:PORT/0" for your app
        app = make_app(redis_url=redlet_url)

Fixtures:

* ``redlet_server`` (session): the embedded server (``redlet.serve()``), in
  memory, on a free loopback port; ``.url``, ``.port``, ``.client()``.
* ``redlet_url``: its URL.
* ``redis_client``: a ``redis.Redis`` connected to it; the server is flushed
  (every database) before each test.
* ``redlet_client``: a ``redlet.Client`` connected to it, flushed the same way.

Override ``redlet_server_options`` (a session-scoped fixture returning the
keyword arguments of ``redlet.serve()``) in a ``conftest.py`` to give the
server a password, a data directory or any directive.
"""
import pytest


@pytest.fixture(scope="session")
def redlet_server_options():
    """Keyword arguments for ``redlet.serve()``; override to configure."""
    return {}


@pytest.fixture(scope="session")
def redlet_server(redlet_server_options):
    from .embed import serve
    server = serve(**redlet_server_options)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redlet_url(redlet_server):
    return redlet_server.url


@pytest.fixture
def redis_client(redlet_server):
    client = redlet_server.client()
    client.flushall()
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def redlet_client(redlet_server):
    from .client import Client
    password = redlet_server.config["requirepass"] or None
    if redlet_server.port:
        client = Client(host="127.0.0.1", port=redlet_server.port, password=password)
    else:
        client = Client(unix_socket_path=redlet_server.unix_socket, password=password)
    client.flushall()
    try:
        yield client
    finally:
        client.close()
