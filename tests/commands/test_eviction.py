"""maxmemory and the eviction policies, through a real embedded server and
redis-py: the limit holds under a write flood, each policy chooses its
victims as Redis' does (approximately, by sampling), noeviction answers
Redis' OOM error, and evictions are counted, notified and persisted."""
import time

import pytest
import redis

import redlet

LIMIT = 3 * 1024 * 1024


def _flood(r, n, prefix="k", size=100, ttl=None, every=None):
    p = r.pipeline(transaction=False)
    for i in range(n):
        if ttl:
            p.set("%s%d" % (prefix, i), "x" * size, ex=ttl)
        else:
            p.set("%s%d" % (prefix, i), "x" * size)
        if i % 500 == 499:
            p.execute()
            if every:
                every()
    p.execute()


@pytest.fixture
def server():
    with redlet.serve(maxmemory=LIMIT, maxmemory_policy="allkeys-lru",
                      maxmemory_samples=10) as s:
        yield s


def test_noeviction_refuses_writes_and_serves_reads(server):
    r = server.client()
    r.config_set("maxmemory-policy", "noeviction")
    with pytest.raises(redis.ResponseError) as info:
        _flood(r, 80000)
    assert str(info.value).endswith("caused error: command not allowed when used memory > "
                                    "'maxmemory'.")
    with pytest.raises(redis.ResponseError) as info:
        r.set("one-more", "x")
    assert str(info.value) == "command not allowed when used memory > 'maxmemory'."
    n = r.dbsize()
    assert n > 1000
    assert r.get("k0") == b"x" * 100             # reads work
    assert r.delete("k0") == 1                   # DEL is not denyoom
    assert r.info("stats")["evicted_keys"] == 0
    assert r.info("memory")["maxmemory_policy"] == "noeviction"


def test_allkeys_lru_holds_the_limit_and_keeps_hot_keys(server):
    r = server.client()
    hot = ["hot%d" % i for i in range(200)]
    for k in hot:
        r.set(k, "h" * 100)

    def touch():
        r.mget(hot)
    _flood(r, 60000, every=touch)
    mem = r.info("memory")
    assert mem["used_memory"] <= LIMIT * 1.02
    assert mem["maxmemory"] == LIMIT
    evicted = r.info("stats")["evicted_keys"]
    assert evicted > 20000
    assert r.dbsize() + evicted == 60000 + 200
    alive_hot = sum(1 for v in r.mget(hot) if v is not None)
    assert alive_hot >= 190                      # recently used: kept
    alive_cold = sum(1 for v in r.mget(["k%d" % i for i in range(5000)]) if v is not None)
    assert alive_cold < 500                      # the oldest writes went first


def test_allkeys_lfu_keeps_frequently_used_keys(server):
    r = server.client()
    r.config_set("maxmemory-policy", "allkeys-lfu")
    hot = ["hot%d" % i for i in range(200)]
    for k in hot:
        r.set(k, "h" * 100)
    for _ in range(100):           # a counter of ~10 (lfu-log-factor 10), new keys 5-6
        r.mget(hot)
    _flood(r, 60000)
    assert r.info("memory")["used_memory"] <= LIMIT * 1.02
    assert sum(1 for v in r.mget(hot) if v is not None) >= 180


def test_volatile_policies_only_evict_keys_with_a_ttl(server):
    r = server.client()
    for policy in ("volatile-lru", "volatile-random", "volatile-ttl", "volatile-lfu"):
        r.flushall()
        r.config_set("maxmemory-policy", policy)
        for i in range(1000):
            r.set("keep%d" % i, "p" * 100)
        _flood(r, 50000, prefix="v", ttl=3600)
        assert all(v is not None for v in r.mget(["keep%d" % i for i in range(1000)])), policy
        assert r.info("memory")["used_memory"] <= LIMIT * 1.02, policy
        # only keys without TTL left to add: OOM, nothing volatile to evict
        r.flushall()
        with pytest.raises(redis.ResponseError):
            _flood(r, 80000, prefix="p")


def test_volatile_ttl_evicts_the_soonest_to_expire(server):
    r = server.client()
    r.config_set("maxmemory-policy", "volatile-ttl")
    p = r.pipeline(transaction=False)
    for i in range(15000):
        p.set("short%d" % i, "s" * 100, ex=600)
    for i in range(2000):
        p.set("long%d" % i, "l" * 100, ex=86400)
    p.execute()
    _flood(r, 15000, prefix="new", ttl=7200)
    longs = sum(1 for v in r.mget(["long%d" % i for i in range(2000)]) if v is not None)
    shorts = sum(1 for v in r.mget(["short%d" % i for i in range(15000)]) if v is not None)
    assert longs >= 1900
    assert shorts < 11000


def test_allkeys_random_holds_the_limit(server):
    r = server.client()
    r.config_set("maxmemory-policy", "allkeys-random")
    _flood(r, 60000)
    assert r.info("memory")["used_memory"] <= LIMIT * 1.02
    assert r.info("stats")["evicted_keys"] > 20000


def test_eviction_sends_keyspace_events(server):
    r = server.client()
    r.config_set("notify-keyspace-events", "Ee")
    sub = r.pubsub()
    sub.psubscribe("__keyevent@0__:evicted")
    assert sub.get_message(timeout=1)["type"] == "psubscribe"
    _flood(r, 50000)
    msg = None
    deadline = time.monotonic() + 5
    while msg is None and time.monotonic() < deadline:
        msg = sub.get_message(timeout=1)
    assert msg["channel"] == b"__keyevent@0__:evicted"
    assert msg["data"].startswith(b"k")
    sub.close()


def test_evictions_reach_the_aof(tmp_path):
    with redlet.serve(data_dir=tmp_path, maxmemory=LIMIT, maxmemory_policy="allkeys-lru") as s:
        r = s.client()
        _flood(r, 50000)
        before = r.dbsize()
        sample = r.mget(["k%d" % i for i in range(0, 50000, 97)])
    with redlet.serve(data_dir=tmp_path) as s:
        r = s.client()
        assert r.dbsize() == before
        assert r.mget(["k%d" % i for i in range(0, 50000, 97)]) == sample


def test_maxmemory_zero_turns_it_off(server):
    r = server.client()
    r.config_set("maxmemory", 0)
    _flood(r, 60000)
    assert r.dbsize() == 60000
    assert r.info("stats")["evicted_keys"] == 0
