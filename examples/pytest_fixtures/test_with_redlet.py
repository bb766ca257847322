"""Tests using redlet's pytest fixtures: installed with redlet, no conftest
needed.  Run: ``pytest examples/pytest_fixtures``."""
import redis


def test_counter(redis_client):
    # a redis.Redis on the session's embedded server, flushed before each test
    assert redis_client.incr("hits") == 1
    assert redis_client.incr("hits") == 2


def test_starts_empty(redis_client):
    assert redis_client.dbsize() == 0


def test_app_connects_by_url(redlet_url):
    # what an application under test receives as its REDIS_URL
    r = redis.Redis.from_url(redlet_url)
    r.lpush("jobs", "email:42")
    assert r.brpop("jobs", timeout=1) == (b"jobs", b"email:42")


def test_native_values(redlet_client):
    redlet_client.set("user:1", {"name": "Ada", "langs": ["en", "fr"], "age": 36})
    assert redlet_client.get("user:1") == {"name": "Ada", "langs": ["en", "fr"], "age": 36}
