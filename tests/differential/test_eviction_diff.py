"""maxmemory replies against redis-server: the OOM error of a denyoom
command under noeviction (also inside MULTI and for EXEC), reads and DEL
still served, and the memory fields of INFO / CONFIG GET."""
import pytest


@pytest.fixture
def tight(diff):
    diff.check("SET", "present", "v")
    diff.check("CONFIG", "SET", "maxmemory-policy", "noeviction")
    diff.check("CONFIG", "SET", "maxmemory", "1")
    yield diff
    diff.both("CONFIG", "SET", "maxmemory", "0")


def test_denyoom_commands_get_oom(tight):
    for cmd in (("SET", "a", "1"), ("LPUSH", "l", "x"), ("HSET", "h", "f", "v"),
                ("SADD", "s", "m"), ("ZADD", "z", "1", "m"), ("INCR", "n"),
                ("APPEND", "present", "x")):
        tight.check(*cmd)


def test_reads_and_deletes_still_work(tight):
    tight.check("GET", "present")
    tight.check("EXISTS", "present")
    tight.check("DEL", "present")
    tight.check("DBSIZE")


def test_multi_under_oom(tight):
    tight.check("MULTI")
    tight.check("GET", "present")
    tight.check("SET", "a", "1")
    tight.check("EXEC")


def test_config_reports_the_settings(tight):
    tight.check("CONFIG", "GET", "maxmemory")
    tight.check("CONFIG", "GET", "maxmemory-policy")
    tight.check("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
    tight.check("CONFIG", "GET", "maxmemory-policy")
    tight.check("CONFIG", "SET", "maxmemory-policy", "bogus")
