"""AOF rewrite: BGREWRITEAOF, the automatic rewrite, CONFIG SET appendonly,
in Redis 7's multi-part layout; the files load in redlet and in redis-server."""
import os
import shutil
import subprocess
import time

import pytest
import redis

from redlet.app import build_engine
from redlet.config import Config
from tests.differential.conftest import free_port

REDIS_SERVER = shutil.which("redis-server")


def make_engine(tmp_path, **values):
    cfg = Config()
    cfg.values.update({"dir": str(tmp_path), "appendonly": True, "save": [],
                       "appendfsync": "always", "aof-use-rdb-preamble": False})
    cfg.values.update(values)
    return build_engine(cfg)


def run(engine, client, *argv):
    return engine.execute(client, [a if isinstance(a, bytes) else str(a).encode()
                                   for a in argv])


def wait_rewrite(engine, timeout=30):
    aof = engine.aof_file
    deadline = time.time() + timeout
    while aof.child is not None:
        assert time.time() < deadline, "rewrite did not finish"
        aof.cron()
        time.sleep(0.01)


def aofdir(tmp_path):
    return tmp_path / "appendonlydir"


def manifest(tmp_path):
    return (aofdir(tmp_path) / "appendonly.aof.manifest").read_text()


DATASET = [
    ("SET", "str", "hello"), ("SET", "num", "12345"),
    ("RPUSH", "list", *[str(i) for i in range(150)]),
    ("HSET", "hash", "f1", "v1", "f2", "v2"),
    ("SADD", "set", "a", "b", "c"), ("SADD", "intset", "1", "2", "3"),
    ("ZADD", "zset", "1.5", "m1", "-inf", "m0", "3", "m3", "0.1", "tenth"),
    ("XADD", "stream", "1-1", "f", "v"), ("XADD", "stream", "2-1", "g", "w"),
    ("XDEL", "stream", "2-1"),
    ("XGROUP", "CREATE", "stream", "grp", "0"),
    ("XGROUP", "CREATECONSUMER", "stream", "grp", "idle"),
    ("XREADGROUP", "GROUP", "grp", "c1", "COUNT", "1", "STREAMS", "stream", ">"),
    ("XADD", "emptystream", "5-5", "f", "v"), ("XDEL", "emptystream", "5-5"),
    ("SET", "ttl", "v"), ("PEXPIRE", "ttl", "100000"),
    ("SELECT", "3"), ("SET", "in3", "x"), ("SELECT", "0"),
]


def fill(engine, client):
    for argv in DATASET:
        reply = run(engine, client, *argv)
        assert not isinstance(reply, Exception), (argv, reply)


def _without_seen_time(v):
    """XINFO STREAM FULL without the consumers' seen-time (a rewrite does not
    keep it, in Redis either)."""
    if isinstance(v, dict):
        return {k: _without_seen_time(x) for k, x in v.items() if k != b"seen-time"}
    if isinstance(v, list):
        return [_without_seen_time(x) for x in v]
    return v


def snapshot(engine, client):
    """What the dataset looks like through commands, database by database."""
    out = {}
    for db in (0, 3):
        run(engine, client, "SELECT", db)
        keys = sorted(run(engine, client, "KEYS", "*"))
        for k in keys:
            t = run(engine, client, "TYPE", k)
            if t == b"string":
                v = run(engine, client, "GET", k)
            elif t == b"list":
                v = run(engine, client, "LRANGE", k, 0, -1)
            elif t == b"hash":
                v = sorted(run(engine, client, "HGETALL", k))
            elif t == b"set":
                v = sorted(run(engine, client, "SMEMBERS", k))
            elif t == b"zset":
                v = run(engine, client, "ZRANGE", k, 0, -1, "WITHSCORES")
            else:
                v = _without_seen_time(run(engine, client, "XINFO", "STREAM", k, "FULL"))
            out[(db, k)] = (t, v)
        ttl = run(engine, client, "PTTL", "ttl")
        if db == 0:
            out["ttl"] = 99000 < ttl <= 100000
    run(engine, client, "SELECT", 0)
    return out


def test_bgrewriteaof_layout_and_reload(tmp_path):
    e = make_engine(tmp_path)
    c = e.new_client()
    fill(e, c)
    before = snapshot(e, c)
    assert run(e, c, "BGREWRITEAOF") == b"Background append only file rewriting started"
    again = run(e, c, "BGREWRITEAOF")
    assert str(again) == "ERR Background append only file rewriting already in progress"
    assert "aof_rewrite_in_progress:1" in run(e, c, "INFO", "persistence").decode()
    # written while the child works: goes to the new incr file
    run(e, c, "SET", "during", "rewrite")
    wait_rewrite(e)
    assert manifest(tmp_path) == ("file appendonly.aof.1.base.aof seq 1 type b\n"
                                  "file appendonly.aof.2.incr.aof seq 2 type i\n")
    assert sorted(os.listdir(aofdir(tmp_path))) == [
        "appendonly.aof.1.base.aof", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"]
    info = run(e, c, "INFO", "persistence").decode()
    assert "aof_rewrites:1" in info and "aof_last_bgrewrite_status:ok" in info
    base = (aofdir(tmp_path) / "appendonly.aof.1.base.aof").read_bytes()
    assert base.startswith(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n")
    assert b"PEXPIREAT" in base and b"XSETID" in base and b"during" not in base
    run(e, c, "SET", "after", "done")
    e.aof_file.shutdown()

    e2 = make_engine(tmp_path)
    c2 = e2.new_client()
    after = snapshot(e2, c2)
    assert run(e2, c2, "GET", "during") == b"rewrite"
    assert run(e2, c2, "GET", "after") == b"done"
    del after[(0, b"during")], after[(0, b"after")]
    assert after == before
    e2.aof_file.shutdown()


def test_expired_keys_are_left_out(tmp_path):
    e = make_engine(tmp_path)
    c = e.new_client()
    run(e, c, "SET", "gone", "v", "PX", "1")
    run(e, c, "SET", "kept", "v")
    time.sleep(0.01)
    run(e, c, "BGREWRITEAOF")
    wait_rewrite(e)
    base = (aofdir(tmp_path) / "appendonly.aof.1.base.aof").read_bytes()
    assert b"kept" in base and b"gone" not in base
    e.aof_file.shutdown()


def test_rewrites_in_a_row_keep_two_files(tmp_path):
    e = make_engine(tmp_path)
    c = e.new_client()
    for i in range(3):
        run(e, c, "INCR", "n")
        run(e, c, "BGREWRITEAOF")
        wait_rewrite(e)
    run(e, c, "INCR", "n")
    assert manifest(tmp_path) == ("file appendonly.aof.3.base.aof seq 3 type b\n"
                                  "file appendonly.aof.4.incr.aof seq 4 type i\n")
    assert len(os.listdir(aofdir(tmp_path))) == 3
    e.aof_file.shutdown()
    e2 = make_engine(tmp_path)
    assert run(e2, e2.new_client(), "GET", "n") == b"4"
    e2.aof_file.shutdown()


def test_bgrewriteaof_with_appendonly_off_writes_a_base_only(tmp_path):
    e = make_engine(tmp_path, appendonly=False)
    c = e.new_client()
    run(e, c, "SET", "k", "v")
    assert run(e, c, "BGREWRITEAOF") == b"Background append only file rewriting started"
    wait_rewrite(e)
    assert manifest(tmp_path) == "file appendonly.aof.1.base.aof seq 1 type b\n"
    assert "aof_enabled:0" in run(e, c, "INFO", "persistence").decode()
    e.aof_file.shutdown()


def test_config_set_appendonly_yes_then_no(tmp_path):
    e = make_engine(tmp_path, appendonly=False)
    c = e.new_client()
    run(e, c, "SET", "before", "1")
    assert run(e, c, "CONFIG", "SET", "appendonly", "yes") == b"OK"
    run(e, c, "SET", "while", "2")      # appended to the temporary incr file
    wait_rewrite(e)
    run(e, c, "SET", "later", "3")
    assert manifest(tmp_path) == ("file appendonly.aof.1.base.aof seq 1 type b\n"
                                  "file appendonly.aof.1.incr.aof seq 1 type i\n")
    assert not [n for n in os.listdir(aofdir(tmp_path)) if n.startswith("temp-")]
    assert run(e, c, "CONFIG", "SET", "appendonly", "no") == b"OK"
    run(e, c, "SET", "unlogged", "4")
    e.aof_file.shutdown()
    e2 = make_engine(tmp_path)
    c2 = e2.new_client()
    assert [run(e2, c2, "GET", k) for k in ("before", "while", "later", "unlogged")] == [
        b"1", b"2", b"3", None]
    e2.aof_file.shutdown()


def test_automatic_rewrite_on_growth(tmp_path):
    e = make_engine(tmp_path, **{"auto-aof-rewrite-min-size": 4096,
                                 "auto-aof-rewrite-percentage": 100})
    c = e.new_client()
    for i in range(200):
        run(e, c, "SET", "key", "x" * 50)      # the same key: compacts to one SET
    e.aof_file.flush()
    e.aof_file.cron()                          # starts it
    assert e.aof_file.child is not None
    wait_rewrite(e)
    base = (aofdir(tmp_path) / "appendonly.aof.1.base.aof").read_bytes()
    assert base.count(b"\r\nSET\r\n") == 1      # one SET left
    assert e.aof_file.size < 4096
    e.aof_file.cron()
    assert e.aof_file.child is None            # no growth since: no new rewrite
    e.aof_file.shutdown()


def test_failed_rewrite_keeps_every_write(tmp_path):
    e = make_engine(tmp_path)
    c = e.new_client()
    run(e, c, "SET", "a", "1")
    # the child cannot create its temporary file: it fails
    (aofdir(tmp_path) / ("temp-rewriteaof-bg-%d.aof.part" % os.getpid())).mkdir()
    run(e, c, "BGREWRITEAOF")
    run(e, c, "SET", "b", "2")
    wait_rewrite(e)
    info = run(e, c, "INFO", "persistence").decode()
    assert "aof_last_bgrewrite_status:err" in info
    assert "aof_rewrites_consecutive_failures:1" in info
    assert manifest(tmp_path) == ("file appendonly.aof.1.incr.aof seq 1 type i\n"
                                  "file appendonly.aof.2.incr.aof seq 2 type i\n")
    e.aof_file.shutdown()
    (aofdir(tmp_path) / ("temp-rewriteaof-bg-%d.aof.part" % os.getpid())).rmdir()
    e2 = make_engine(tmp_path)
    c2 = e2.new_client()
    assert [run(e2, c2, "GET", k) for k in ("a", "b")] == [b"1", b"2"]
    e2.aof_file.shutdown()


def test_shutdown_during_rewrite_removes_temporary_files(tmp_path):
    e = make_engine(tmp_path)
    c = e.new_client()
    for i in range(20000):
        run(e, c, "SET", "k%d" % i, "v")
    run(e, c, "BGREWRITEAOF")
    e.aof_file.shutdown()
    assert not [n for n in os.listdir(aofdir(tmp_path)) if n.startswith("temp-")]
    e2 = make_engine(tmp_path)
    assert run(e2, e2.new_client(), "DBSIZE") == 20000
    e2.aof_file.shutdown()


def _redis(tmp_path, *extra):
    if REDIS_SERVER is None:
        pytest.fail("redis-server is needed")
    port = free_port()
    proc = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--dir", str(tmp_path), *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    r = redis.Redis(port=port)
    deadline = time.time() + 10
    while True:
        try:
            r.ping()
            break
        except redis.ConnectionError:
            assert time.time() < deadline and proc.poll() is None, "redis-server failed"
            time.sleep(0.05)
    return proc, r


def _stop(proc):
    proc.terminate()
    proc.wait(10)


def test_redis_server_loads_our_rewritten_files(tmp_path):
    e = make_engine(tmp_path)
    c = e.new_client()
    fill(e, c)
    run(e, c, "BGREWRITEAOF")
    wait_rewrite(e)
    run(e, c, "RPUSH", "list", "tail")
    ours = snapshot(e, c)
    e.aof_file.shutdown()
    proc, r = _redis(tmp_path, "--appendonly", "yes")
    try:
        assert r.dbsize() == len([k for k in ours if k != "ttl" and k[0] == 0])
        assert r.lrange("list", 0, -1)[-1] == b"tail"
        assert r.lrange("list", 0, -2) == [str(i).encode() for i in range(150)]
        assert r.zrange("zset", 0, -1, withscores=True) == [
            (b"m0", float("-inf")), (b"tenth", 0.1), (b"m1", 1.5), (b"m3", 3.0)]
        assert r.hgetall("hash") == {b"f1": b"v1", b"f2": b"v2"}
        assert 99000 < r.pttl("ttl") <= 100000
        info = r.xinfo_stream("stream", full=True)
        assert info["entries-added"] == 2 and info["max-deleted-entry-id"] == b"2-1"
        assert [c["name"] for c in info["groups"][0]["consumers"]] == [b"c1", b"idle"]
        assert r.xinfo_stream("emptystream")["length"] == 0
        assert r.execute_command("SELECT", 3) and r.get("in3") == b"x"
    finally:
        _stop(proc)


def test_we_load_redis_rewritten_files(tmp_path):
    proc, r = _redis(tmp_path, "--appendonly", "yes", "--aof-use-rdb-preamble", "no")
    try:
        r.set("s", "v")
        r.rpush("l", *range(10))
        r.zadd("z", {"a": 1.25})
        r.bgrewriteaof()
        deadline = time.time() + 10
        while r.info("persistence")["aof_rewrite_in_progress"] or \
                r.info("persistence")["aof_rewrites"] < 1:
            assert time.time() < deadline
            time.sleep(0.05)
        r.hset("h", "f", "after")
    finally:
        _stop(proc)
    names = sorted(os.listdir(aofdir(tmp_path)))
    assert "appendonly.aof.2.base.aof" in names
    e = make_engine(tmp_path)
    c = e.new_client()
    assert run(e, c, "GET", "s") == b"v"
    assert run(e, c, "LRANGE", "l", 0, -1) == [str(i).encode() for i in range(10)]
    assert run(e, c, "ZSCORE", "z", "a") == 1.25
    assert run(e, c, "HGET", "h", "f") == b"after"
    e.aof_file.shutdown()


def test_rdb_preamble_base(tmp_path):
    """``aof-use-rdb-preamble yes`` (the default): the base is an RDB file,
    which we and redis-server load."""
    e = make_engine(tmp_path, **{"aof-use-rdb-preamble": True})
    c = e.new_client()
    fill(e, c)
    run(e, c, "BGREWRITEAOF")
    wait_rewrite(e)
    run(e, c, "SET", "after", "1")
    assert manifest(tmp_path) == ("file appendonly.aof.1.base.rdb seq 1 type b\n"
                                  "file appendonly.aof.2.incr.aof seq 2 type i\n")
    assert (aofdir(tmp_path) / "appendonly.aof.1.base.rdb").read_bytes().startswith(b"REDIS0010")
    before = snapshot(e, c)
    e.aof_file.shutdown()
    e2 = make_engine(tmp_path)
    assert snapshot(e2, e2.new_client()) == before
    e2.aof_file.shutdown()
    proc, r = _redis(tmp_path, "--appendonly", "yes")
    try:
        assert r.get("after") == b"1"
        assert r.lrange("list", 0, -1) == [str(i).encode() for i in range(150)]
        assert r.xinfo_stream("stream")["entries-added"] == 2
    finally:
        _stop(proc)
