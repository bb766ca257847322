"""The pytest plugin, used by small test modules through ``pytester``
(each run is a fresh pytest process that loads the plugin from its
``pytest11`` entry point)."""
import pytest

pytest_plugins = ["pytester"]


def _run(pytester, source, *args):
    pytester.makepyfile(source)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q", *args)


def test_plugin_is_registered_by_entry_point():
    from importlib.metadata import entry_points
    names = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert names.get("redlet") == "redlet.pytest_plugin"


def test_fixtures_work_and_are_flushed_between_tests(pytester):
    result = _run(pytester, """
import redis

def test_first(redis_client):
    assert redis_client.incr("hits") == 1
    redis_client.rpush("q", "a", "b")
    assert redis_client.lrange("q", 0, -1) == [b"a", b"b"]

def test_second_sees_a_flushed_server(redis_client):
    assert redis_client.get("hits") is None
    assert redis_client.incr("hits") == 1

def test_url(redlet_url):
    r = redis.Redis.from_url(redlet_url)
    assert r.ping() is True
    assert r.set("u", "v") is True
    assert r.get("u") == b"v"

def test_native_client(redlet_client):
    redlet_client.set("k", {"a": [1, 2.5, None]})
    assert redlet_client.get("k") == {"a": [1, 2.5, None]}

def test_one_server_per_session(redlet_server, redis_client):
    assert redis_client.connection_pool.connection_kwargs["port"] == redlet_server.port
""")
    result.assert_outcomes(passed=5)


def test_options_fixture_configures_the_server(pytester):
    pytester.makeconftest("""
import pytest

@pytest.fixture(scope="session")
def redlet_server_options():
    return {"password": "s3cret", "databases": 4}
""")
    result = _run(pytester, """
import pytest
import redis

def test_password_required(redlet_server):
    anonymous = redis.Redis(port=redlet_server.port)
    with pytest.raises(redis.AuthenticationError):
        anonymous.get("a")

def test_clients_authenticate(redis_client, redlet_client):
    assert redis_client.config_get("databases") == {"databases": "4"}
    redlet_client.set("n", 5)
    assert redlet_client.get("n") == 5
""")
    result.assert_outcomes(passed=2)


def test_a_failing_assertion_fails(pytester):
    result = _run(pytester, """
def test_wrong(redis_client):
    redis_client.set("a", "1")
    assert redis_client.get("a") == b"2"
""")
    result.assert_outcomes(failed=1)
