"""RDB snapshots at the server level: SAVE, BGSAVE, save points, MISCONF,
SHUTDOWN, load at start; files exchanged with redis-server and
redis-check-rdb."""
import os
import random
import shutil
import subprocess
import time

import pytest
import redis

from redlet.app import build_engine
from redlet.config import Config
from redlet.errors import MISCONF_RDB
from tests.persistence.test_aof_rewrite import _redis, _stop, fill, run, snapshot


def make_engine(tmp_path, **values):
    cfg = Config()
    cfg.values.update({"dir": str(tmp_path), "appendonly": False, "save": []})
    cfg.values.update(values)
    return build_engine(cfg)


def wait_save(engine, timeout=60):
    snap = engine.snapshot
    deadline = time.time() + timeout
    while snap.child is not None:
        assert time.time() < deadline, "BGSAVE did not finish"
        snap.cron()
        time.sleep(0.01)


def test_save_bgsave_and_reload(tmp_path):
    e = make_engine(tmp_path)
    c = e.new_client()
    fill(e, c)
    before = snapshot(e, c)
    assert run(e, c, "SAVE") == b"OK"
    assert (tmp_path / "dump.rdb").read_bytes().startswith(b"REDIS0010")
    assert "rdb_changes_since_last_save:0" in run(e, c, "INFO", "persistence").decode()
    run(e, c, "SET", "more", "1")
    assert run(e, c, "BGSAVE") == b"Background saving started"
    assert str(run(e, c, "BGSAVE")) == "ERR Background save already in progress"
    assert str(run(e, c, "SAVE")) == "ERR Background save already in progress"
    assert str(run(e, c, "BGSAVE", "NOW")) == "ERR syntax error"
    wait_save(e)
    info = run(e, c, "INFO", "persistence").decode()
    assert "rdb_last_bgsave_status:ok" in info and "rdb_saves:2" in info
    assert not [n for n in os.listdir(tmp_path) if n.startswith("temp-")]
    e2 = make_engine(tmp_path)
    c2 = e2.new_client()
    assert run(e2, c2, "GET", "more") == b"1"
    after = snapshot(e2, c2)
    del after[(0, b"more")]
    assert after == before
    assert "rdb_last_load_keys_loaded:%d" % (len(before) - 1 + 1) in run(
        e2, c2, "INFO", "persistence").decode()


def test_save_points_start_a_bgsave(tmp_path):
    e = make_engine(tmp_path, save=[(0, 3)])
    c = e.new_client()
    run(e, c, "SET", "a", "1")
    run(e, c, "SET", "b", "2")
    e.snapshot.cron()
    assert e.snapshot.child is None           # 2 changes < 3
    run(e, c, "SET", "c", "3")
    e.snapshot.cron()
    assert e.snapshot.child is not None
    wait_save(e)
    assert e.dirty == 0
    assert sorted(run(make_engine(tmp_path), c, "KEYS", "*")) == [b"a", b"b", b"c"]


def test_failed_bgsave_refuses_writes_with_misconf(tmp_path):
    e = make_engine(tmp_path, save=[(3600, 1)])
    c = e.new_client()
    run(e, c, "SET", "a", "1")
    (tmp_path / "dump.rdb").mkdir()           # the rename over it fails
    assert run(e, c, "BGSAVE") == b"Background saving started"
    wait_save(e)
    assert "rdb_last_bgsave_status:err" in run(e, c, "INFO", "persistence").decode()
    assert str(run(e, c, "SET", "b", "2")) == MISCONF_RDB
    assert run(e, c, "GET", "a") == b"1"      # reads keep working
    (tmp_path / "dump.rdb").rmdir()
    assert run(e, c, "BGSAVE") == b"Background saving started"
    wait_save(e)
    assert run(e, c, "SET", "b", "2") == b"OK"


def test_shutdown_saves_with_save_points_unless_nosave(tmp_path):
    e = make_engine(tmp_path, save=[(3600, 1)])
    c = e.new_client()
    run(e, c, "SET", "a", "1")
    run(e, c, "SHUTDOWN", "NOSAVE")
    e.snapshot.shutdown()
    assert not (tmp_path / "dump.rdb").exists()
    e = make_engine(tmp_path, save=[(3600, 1)])
    c = e.new_client()
    run(e, c, "SET", "a", "1")
    e.snapshot.shutdown()                     # SIGTERM path: saves
    assert run(make_engine(tmp_path), c, "GET", "a") == b"1"


def test_bgsave_and_rewrite_take_turns(tmp_path):
    e = make_engine(tmp_path, appendonly=True, appendfsync="always")
    c = e.new_client()
    for i in range(5000):
        run(e, c, "SET", "k%d" % i, "v")
    assert run(e, c, "BGREWRITEAOF") == b"Background append only file rewriting started"
    assert str(run(e, c, "BGSAVE")).startswith("ERR An AOF log rewriting in progress")
    assert run(e, c, "BGSAVE", "SCHEDULE") == b"Background saving scheduled"
    while e.aof_file.child is not None:
        e.aof_file.cron()
        time.sleep(0.01)
    e.snapshot.cron()                          # the scheduled BGSAVE starts now
    assert e.snapshot.child is not None
    assert run(e, c, "BGREWRITEAOF") == b"Background append only file rewriting scheduled"
    wait_save(e)
    e.aof_file.cron()
    assert e.aof_file.child is not None
    e.aof_file.shutdown()


def _mixed_dataset(r, n, seed=7):
    """n keys of every type and encoding size, some with a TTL, in db 0."""
    rng = random.Random(seed)

    def size(big):          # mostly small (listpack, intset), a few big encodings
        return big if rng.random() < 0.02 else rng.choice((1, 3, 6))

    p = r.pipeline(transaction=False)
    for i in range(n):
        kind = i % 6
        k = "k:%d" % i
        if kind == 0:
            p.set(k, "v%d" % rng.randrange(10 ** 9))
        elif kind == 1:
            p.set(k, str(rng.randrange(-10 ** 12, 10 ** 12)))
        elif kind == 2:
            p.rpush(k, *["e%d" % j for j in range(size(300))])
        elif kind == 3:
            p.hset(k, mapping={"f%d" % j: "x" * rng.choice((1, 80)) for j in
                               range(size(200))})
        elif kind == 4:
            p.sadd(k, *[str(j) if rng.random() < 0.5 else "m%d" % j
                        for j in range(size(600))])
        else:
            p.zadd(k, {"m%d" % j: rng.random() * 100 for j in range(size(200))})
        if i % 10 == 0:
            p.expire(k, 10000 + i)
        if i % 1000 == 999:
            p.execute()
    p.execute()


def _read_all(r):
    """key -> (type, value, has a TTL), read in pipelined batches."""
    keys = sorted(r.scan_iter(count=1000))
    readers = {b"string": lambda p, k: p.get(k), b"list": lambda p, k: p.lrange(k, 0, -1),
               b"hash": lambda p, k: p.hgetall(k), b"set": lambda p, k: p.smembers(k),
               b"zset": lambda p, k: p.zrange(k, 0, -1, withscores=True)}
    out = {}
    for start in range(0, len(keys), 2000):
        batch = keys[start:start + 2000]
        p = r.pipeline(transaction=False)
        for k in batch:
            p.type(k)
            p.ttl(k)
        meta = p.execute()
        p = r.pipeline(transaction=False)
        for i, k in enumerate(batch):
            readers[meta[2 * i]](p, k)
        for i, (k, v) in enumerate(zip(batch, p.execute())):
            out[k] = (meta[2 * i], v, meta[2 * i + 1] > 0)
    return out


def test_redis_check_rdb_and_redis_server_accept_our_100k_dump(tmp_path):
    check = shutil.which("redis-check-rdb")
    if check is None:
        pytest.fail("redis-check-rdb is needed (apt-get install redis-server)")
    import redlet
    ours = tmp_path / "ours"
    ours.mkdir()
    with redlet.serve(data_dir=str(ours), appendonly=False) as s:
        r = s.client()
        _mixed_dataset(r, 100_000)
        expected = _read_all(r)
        assert r.bgsave()
        while r.info("persistence")["rdb_bgsave_in_progress"] or \
                r.info("persistence")["rdb_saves"] < 1:
            time.sleep(0.05)
    out = subprocess.run([check, str(ours / "dump.rdb")], capture_output=True, text=True)
    assert out.returncode == 0 and "RDB looks OK" in out.stdout, out.stdout
    assert "100000 keys read" in out.stdout
    proc, r = _redis(ours, "--appendonly", "no")
    try:
        assert _read_all(r) == expected
        # and back: redis-server's own dump of it loads in redlet identically
        r.save()
    finally:
        _stop(proc)
    e = make_engine(ours)
    c = e.new_client()
    assert run(e, c, "DBSIZE") == 100_000
    for k, (t, v, has_ttl) in list(expected.items())[:2000]:
        assert run(e, c, "TYPE", k) == t
        assert (run(e, c, "TTL", k) > 0) == has_ttl


def test_we_load_redis_dump_with_compact_encodings(tmp_path):
    proc, r = _redis(tmp_path, "--appendonly", "no")
    try:
        _mixed_dataset(r, 3000)
        r.execute_command("SELECT", 5)
        r.set("in5", "x")
        r.execute_command("SELECT", 0)
        expected = _read_all(r)
        r.save()
    finally:
        _stop(proc)
    e = make_engine(tmp_path)
    c = e.new_client()
    assert run(e, c, "DBSIZE") == 3000
    for k, (t, v, has_ttl) in expected.items():
        assert run(e, c, "TYPE", k) == t
        if t == b"string":
            assert run(e, c, "GET", k) == v
        elif t == b"list":
            assert run(e, c, "LRANGE", k, 0, -1) == v
        elif t == b"set":
            assert set(run(e, c, "SMEMBERS", k)) == v
        elif t == b"hash":
            flat = run(e, c, "HGETALL", k)
            assert (flat if isinstance(flat, dict) else dict(zip(flat[0::2], flat[1::2]))) == v
        else:
            assert run(e, c, "ZRANGE", k, 0, -1, "WITHSCORES") == [
                x for m, sc in v for x in (m, sc)]
        assert (run(e, c, "TTL", k) > 0) == has_ttl
    run(e, c, "SELECT", 5)
    assert run(e, c, "GET", "in5") == b"x"


def test_typed_values_survive_a_restart(tmp_path):
    import redlet
    from redlet.client import Client
    with redlet.serve(data_dir=str(tmp_path), appendonly=False) as s:
        cl = Client(port=s.port)
        cl.set("native", {"a": [1, 2.5, None, b"x"], "b": {"c": True}})
        assert s.client().save()
    with redlet.serve(data_dir=str(tmp_path), appendonly=False) as s:
        cl = Client(port=s.port)
        assert cl.get("native") == {"a": [1, 2.5, None, b"x"], "b": {"c": True}}
