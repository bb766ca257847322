"""The RDB codec (persistence/rdb.py) against redis-server 7.0: files Redis
saves are read back, files we write are accepted by redis-check-rdb and
loaded by redis-server, DUMP payloads agree, bad data raises RDBError."""
import io
import os
import random
import shutil
import socket
import struct
import subprocess
import time

import pytest
import redis

from redlet.keyspace.values import HashValue, ListValue, SetValue, TypedValue
from redlet.keyspace.zset import ZSetValue
from redlet.persistence import rdb
from redlet.persistence.rdb import RDBError
from redlet.protocol.types import RespSet, Verbatim

REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
CHECK = shutil.which("redis-check-rdb") or "/usr/bin/redis-check-rdb"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisProc:
    def __init__(self, tmp, *extra, dbfilename="dump.rdb"):
        self.port = _free_port()
        self.log = os.path.join(tmp, "redis-%d.log" % self.port)
        self.proc = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(tmp), "--dbfilename", dbfilename, *extra],
            stdout=open(self.log, "w"), stderr=subprocess.STDOUT, cwd=str(tmp))
        deadline = time.time() + 15
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("redis-server exited: " + open(self.log).read())
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self.client = redis.Redis(port=self.port)
        self.client.ping()      # may be LOADING just after start
        self.dbs = {}

    def db(self, n):
        if n not in self.dbs:
            self.dbs[n] = redis.Redis(port=self.port, db=n)
        return self.dbs[n]

    def stop(self):
        for c in [self.client, *self.dbs.values()]:
            c.close()
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture
def server(tmp_path):
    procs = []

    def start(*extra, dbfilename="dump.rdb"):
        p = RedisProc(tmp_path, *extra, dbfilename=dbfilename)
        procs.append(p)
        return p
    yield start
    for p in procs:
        p.stop()


# -- helpers -------------------------------------------------------------------------
def zset(pairs):
    z = ZSetValue()
    for m, s in pairs:
        z.add(m, s)
    return z


def zitems(z):
    return sorted((m, s) for s, m in z.index)


def normal(v):
    """A comparable plain form of a stored value."""
    t = type(v)
    if t is ZSetValue:
        return ("zset", zitems(v))
    if t is ListValue:
        return ("list", list(v))
    if t is HashValue:
        return ("hash", dict(v))
    if t is SetValue:
        return ("set", set(v))
    return (t.__name__, v)


def read_back(r, key):
    """A key's value as redis-py reads it, in ``normal`` form."""
    t = r.type(key)
    if t == b"string":
        return ("bytes", r.get(key))
    if t == b"list":
        return ("list", r.lrange(key, 0, -1))
    if t == b"hash":
        return ("hash", r.hgetall(key))
    if t == b"set":
        return ("set", r.smembers(key))
    if t == b"zset":
        return ("zset", sorted(r.zrange(key, 0, -1, withscores=True)))
    raise AssertionError(t)


def sample_values():
    rnd = random.Random(7)
    return {
        b"s:empty": b"",
        b"s:int8": b"-12", b"s:int16": b"3000", b"s:int32": b"-2000000000",
        b"s:int64": b"9223372036854775807", b"s:notcanon": b"007", b"s:plus": b"+5",
        b"s:raw": b"hello world", b"s:long": b"abcdefgh" * 300,
        b"s:bin": bytes(range(256)) * 3, b"s:12digits": b"123456789012",
        b"l:small": ListValue([b"a", b"1", b"-5000", b"x" * 70, b"99999999999"]),
        b"l:big": ListValue([b"item-%d" % i for i in range(3000)] + [b"y" * 10000]),
        b"h:small": HashValue({b"f1": b"v1", b"n": b"42", b"neg": b"-300000"}),
        b"h:bigvalue": HashValue({b"f": b"v" * 65}),
        b"h:many": HashValue({b"f%d" % i: b"%d" % i for i in range(600)}),
        b"set:ints": SetValue([b"1", b"-2", b"300", b"70000"]),
        b"set:int64": SetValue([b"1", b"9000000000"]),
        b"set:strs": SetValue([b"a", b"b", b"1"]),
        b"set:manyints": SetValue(b"%d" % i for i in range(700)),
        b"z:small": zset([(b"a", 1.0), (b"b", -2.5), (b"c", 1e300), (b"d", float("inf")),
                          (b"e", 0.1), (b"f", 12345678901.0), (b"g", float("-inf"))]),
        b"z:big": zset([(b"m%d" % i, rnd.random() * 1000) for i in range(300)]),
        b"z:longmember": zset([(b"x" * 100, 3.0)]),
    }


# -- round trips ---------------------------------------------------------------------
@pytest.mark.parametrize("key", sorted(sample_values()))
@pytest.mark.parametrize("compress", [False, True])
def test_value_round_trip(key, compress):
    v = sample_values()[key]
    t, payload = rdb.encode_value(v, compress=compress)
    back, pos = rdb.decode_value(t, payload + b"tail", 0)
    assert pos == len(payload)
    assert normal(back) == normal(v)


def test_encodings_chosen_as_redis():
    v = sample_values()
    assert rdb.encode_value(v[b"s:int8"])[1] == b"\xc0\xf4"
    assert rdb.encode_value(v[b"s:int16"])[1] == b"\xc1" + struct.pack("<h", 3000)
    assert rdb.encode_value(v[b"s:int64"])[1][:1] == bytes((19,))   # raw: > 11 chars
    assert rdb.encode_value(v[b"s:notcanon"])[1] == b"\x03007"
    assert rdb.encode_value(v[b"l:small"])[0] == rdb.TYPE_LIST_QUICKLIST_2
    assert rdb.encode_value(v[b"h:small"])[0] == rdb.TYPE_HASH_LISTPACK
    assert rdb.encode_value(v[b"h:bigvalue"])[0] == rdb.TYPE_HASH
    assert rdb.encode_value(v[b"h:many"])[0] == rdb.TYPE_HASH
    assert rdb.encode_value(v[b"set:ints"])[0] == rdb.TYPE_SET_INTSET
    assert rdb.encode_value(v[b"set:strs"])[0] == rdb.TYPE_SET
    assert rdb.encode_value(v[b"set:manyints"])[0] == rdb.TYPE_SET
    assert rdb.encode_value(v[b"z:small"])[0] == rdb.TYPE_ZSET_LISTPACK
    assert rdb.encode_value(v[b"z:big"])[0] == rdb.TYPE_ZSET_2
    assert rdb.encode_value(v[b"z:longmember"])[0] == rdb.TYPE_ZSET_2
    # limits are parameters
    assert rdb.encode_value(v[b"h:many"], hash_max_entries=1000)[0] == rdb.TYPE_HASH_LISTPACK
    assert rdb.encode_value(v[b"set:ints"], set_max_intset_entries=2)[0] == rdb.TYPE_SET


def test_compressed_string_is_lzf():
    payload = rdb.encode_string(b"abcdefgh" * 300, compress=True)
    assert payload[0] == 0xC3 and len(payload) < 100
    assert rdb.encode_string(b"short string 20 byte", compress=True)[0] == 20


@pytest.mark.parametrize("value", [
    None, True, False, 0, -(2 ** 100), 3.25, float("inf"), b"", b"\x00bin", Verbatim(b"txt"),
    [1, [2, b"x"], {b"k": [None]}], {1: 2.5, b"a": RespSet([b"m", 3])}, RespSet([]),
])
def test_typed_value_round_trip(value):
    t, payload = rdb.encode_value(TypedValue(value))
    assert t == rdb.TYPE_STRING
    back, _ = rdb.decode_value(t, payload, 0)
    assert type(back) is TypedValue and back.value == value
    assert type(back.value) is type(value)


def test_string_with_magic_prefix_that_does_not_parse_stays_a_string():
    s = rdb.TYPED_MAGIC + b"not a typed value"
    back, _ = rdb.decode_value(*rdb.encode_value(s))
    assert back == s


def test_crc64_check_value():
    assert rdb.crc64(b"123456789") == 0xE9C6D914C4B8D9CA


# -- files saved by redis-server -----------------------------------------------------
def fill(r_by_db, values):
    """Write ``values`` (db -> {key: value}) with redis-py."""
    for n, kv in values.items():
        r = r_by_db(n)
        for k, v in kv.items():
            t = type(v)
            if t is bytes:
                r.set(k, v)
            elif t is ListValue:
                r.rpush(k, *v)
            elif t is HashValue:
                r.hset(k, mapping=dict(v))
            elif t is SetValue:
                r.sadd(k, *v)
            elif t is ZSetValue:
                r.zadd(k, {m: s for s, m in v.index})


@pytest.mark.parametrize("compression", ["yes", "no"])
def test_read_files_saved_by_redis(server, tmp_path, compression):
    s = server("--rdbcompression", compression)
    values = {0: sample_values(), 3: {b"other-db": b"x", b"l": ListValue([b"1"])},
              15: {b"z": zset([(b"q", 2.0)])}}
    fill(s.db, values)
    s.client.pexpireat(b"s:raw", 4102444800123)
    s.db(3).expireat(b"other-db", 4102444800)
    s.client.set(b"counter", 5)
    s.client.incr(b"counter")               # an int-encoded object
    values[0][b"counter"] = b"6"
    s.client.execute_command("FUNCTION", "LOAD",
                             "#!lua name=mylib\nredis.register_function('f', function() return 1 end)")
    s.client.save()
    data = (tmp_path / "dump.rdb").read_bytes()
    meta = {}
    got = {}
    for db, key, value, expire in rdb.read_rdb(data, meta):
        got[(db, key)] = (normal(value), expire)
    assert meta["aux"][b"redis-ver"].startswith(b"7.0")
    assert meta["functions"] and b"mylib" in meta["functions"][0]
    want = {}
    for n, kv in values.items():
        for k in kv:
            want[(n, k)] = (read_back(s.db(n), k), None)
    want[(0, b"s:raw")] = (want[(0, b"s:raw")][0], 4102444800123)
    want[(3, b"other-db")] = (want[(3, b"other-db")][0], 4102444800000)
    assert got == want


def test_read_checksum_disabled_and_wrong(server, tmp_path):
    s = server("--rdbchecksum", "no")
    s.client.set("a", "b")
    s.client.save()
    data = (tmp_path / "dump.rdb").read_bytes()
    assert data[-8:] == b"\0" * 8
    assert list(rdb.read_rdb(data)) == [(0, b"a", b"b", None)]
    good = io.BytesIO()
    rdb.write_rdb([(0, [(b"a", b"b", None)])], good)
    bad = bytearray(good.getvalue())
    bad[-1] ^= 1
    with pytest.raises(RDBError, match="checksum"):
        list(rdb.read_rdb(bytes(bad)))


# -- files we write, loaded by redis-server ------------------------------------------
@pytest.mark.parametrize("compress", [False, True])
def test_written_file_loads_in_redis(server, tmp_path, compress):
    values = {0: sample_values(), 2: {b"two": b"2", b"h": HashValue({b"a": b"b"})},
              9: {b"typed": TypedValue([1, b"x"])}}
    expires = {(0, b"s:raw"): 4102444800123, (2, b"two"): 4102444800000}
    dbs = [(n, [(k, v, expires.get((n, k))) for k, v in kv.items()])
           for n, kv in sorted(values.items())]
    path = tmp_path / "ours.rdb"
    with open(path, "wb") as f:
        rdb.write_rdb(dbs, f, compress=compress)
    check = subprocess.run([CHECK, str(path)], capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "RDB looks OK" in check.stdout
    s = server(dbfilename="ours.rdb")
    for n, kv in values.items():
        r = s.db(n)
        assert r.dbsize() == len(kv)
        for k, v in kv.items():
            if type(v) is TypedValue:
                assert r.get(k) == rdb.encode_typed(v.value)
            else:
                assert read_back(r, k) == normal(v), k
    assert s.db(0).pexpiretime(b"s:raw") == 4102444800123
    assert s.db(2).pexpiretime(b"two") == 4102444800000
    assert s.db(0).object("encoding", b"h:small") == b"listpack"
    assert s.db(0).object("encoding", b"set:ints") == b"intset"
    assert s.db(0).object("encoding", b"z:small") == b"listpack"
    assert s.db(0).object("encoding", b"z:big") == b"skiplist"
    # and a SAVE of what it loaded reads back the same
    s.client.save()
    again = {(db, k): normal(v) for db, k, v, _ in rdb.read_rdb((tmp_path / "ours.rdb").read_bytes())}
    for n, kv in values.items():
        for k, v in kv.items():
            assert again[(n, k)] == normal(v)


# -- DUMP payloads -------------------------------------------------------------------
def test_dump_payload_bytes_equal_redis(server):
    s = server()
    r = s.client
    cases = {
        b"str": b"hello", b"int": b"12345", b"neg": b"-7",
        b"list": ListValue([b"a", b"12", b"-3"]),
        b"hash": HashValue({b"f": b"v", b"n": b"100000"}),
        b"iset": SetValue([b"5", b"-1", b"70000"]),
        b"zs": zset([(b"a", 1.0), (b"b", 2.5), (b"c", -3.0), (b"d", 0.1)]),
    }
    fill(lambda n: r, {0: cases})
    # (values too small for LZF to pay: our compressor's bytes differ from liblzf's)
    for k, v in cases.items():
        assert rdb.dump_payload(v, compress=True) == r.dump(k), k


def test_redis_dumps_restore_and_ours_restore_in_redis(server):
    s = server()
    r = s.client
    values = sample_values()
    fill(lambda n: r, {0: values})
    for k, v in values.items():
        ours = rdb.restore_payload(r.dump(k))
        assert normal(ours) == read_back(r, k), k
        r.restore(b"copy:" + k, 0, rdb.dump_payload(v))
        assert read_back(r, b"copy:" + k) == read_back(r, k), k


# -- encodings Redis 7.0 loads but no longer writes ----------------------------------
def _zl_entry(x, prevlen):
    if type(x) is int:
        if 0 <= x <= 12:
            enc = bytes((0xF1 + x,))
        elif -128 <= x <= 127:
            enc = b"\xfe" + struct.pack("<b", x)
        elif -32768 <= x <= 32767:
            enc = b"\xc0" + struct.pack("<h", x)
        elif -8388608 <= x <= 8388607:
            enc = b"\xf0" + struct.pack("<i", x)[:3]
        elif -2 ** 31 <= x < 2 ** 31:
            enc = b"\xd0" + struct.pack("<i", x)
        else:
            enc = b"\xe0" + struct.pack("<q", x)
    elif len(x) < 64:
        enc = bytes((len(x),)) + x
    elif len(x) < 16384:
        enc = bytes((0x40 | (len(x) >> 8), len(x) & 0xFF)) + x
    else:
        enc = b"\x80" + struct.pack(">I", len(x)) + x
    pre = bytes((prevlen,)) if prevlen < 254 else b"\xfe" + struct.pack("<I", prevlen)
    return pre + enc


def ziplist(items):
    body, prev, last = b"", 0, 10
    for x in items:
        e = _zl_entry(x, prev)
        last = 10 + len(body)
        body += e
        prev = len(e)
    return struct.pack("<IIH", 11 + len(body), last, len(items)) + body + b"\xff"


def zipmap(pairs):
    out = bytes((len(pairs),))
    for k, v in pairs:
        out += bytes((len(k),)) + k + bytes((len(v),)) + b"\x00" + v
    return out + b"\xff"


def payload(t, body, version=9):
    b = bytes((t,)) + body + struct.pack("<H", version)
    return b + struct.pack("<Q", rdb.crc64(b))


LEGACY = {
    b"zl-list": (rdb.TYPE_LIST_ZIPLIST,
                 rdb.encode_string(ziplist([b"a", 5, -100, 1000, 100000, 2 ** 40, b"q" * 300]))),
    b"quicklist": (rdb.TYPE_LIST_QUICKLIST,
                   rdb.encode_length(2) + rdb.encode_string(ziplist([b"a", 1]))
                   + rdb.encode_string(ziplist([b"b" * 70, -9000000]))),
    b"zl-hash": (rdb.TYPE_HASH_ZIPLIST, rdb.encode_string(ziplist([b"f", b"v", b"n", 12]))),
    b"zl-zset": (rdb.TYPE_ZSET_ZIPLIST, rdb.encode_string(ziplist([b"a", 1, b"b", b"2.5"]))),
    b"zipmap": (rdb.TYPE_HASH_ZIPMAP, rdb.encode_string(zipmap([(b"k1", b"v1"), (b"k2", b"")]))),
    b"old-zset": (rdb.TYPE_ZSET, rdb.encode_length(3) + rdb.encode_string(b"a") + b"\x031.5"
                  + rdb.encode_string(b"b") + b"\xfe" + rdb.encode_string(b"c") + b"\xff"),
    b"old-list": (rdb.TYPE_LIST, rdb.encode_length(2) + rdb.encode_string(b"x")
                  + rdb.encode_string(b"77")),
}


def test_legacy_encodings_decode_as_redis_loads_them(server):
    r = server().client
    for k, (t, body) in LEGACY.items():
        p = payload(t, body)
        r.restore(k, 0, p)
        assert normal(rdb.restore_payload(p)) == read_back(r, k), k


# -- bad data ------------------------------------------------------------------------
def test_restore_payload_rejects_version_and_checksum():
    good = rdb.dump_payload(b"value")
    assert rdb.restore_payload(good) == b"value"
    with pytest.raises(RDBError, match="checksum"):
        rdb.restore_payload(good[:-1] + bytes((good[-1] ^ 1,)))
    with pytest.raises(RDBError, match="version"):
        rdb.restore_payload(payload(0, rdb.encode_string(b"v"), version=11))
    assert rdb.restore_payload(payload(0, rdb.encode_string(b"v"), version=1)) == b"v"
    with pytest.raises(RDBError):
        rdb.restore_payload(b"short")
    with pytest.raises(RDBError):
        rdb.restore_payload(payload(rdb.TYPE_LIST, rdb.encode_length(0)))   # empty key
    with pytest.raises(RDBError, match="unsupported"):
        rdb.restore_payload(payload(rdb.TYPE_MODULE_2, b"\x00" * 8))
    with pytest.raises(RDBError, match="unsupported"):
        rdb.restore_payload(payload(21, b"\x00" * 8))
    with pytest.raises(RDBError, match="unknown value type"):
        rdb.restore_payload(payload(30, b""))


@pytest.mark.parametrize("key", sorted(set(sample_values()) | set(LEGACY)))
def test_truncated_and_mangled_payloads_raise_rdberror(key):
    if key in LEGACY:
        t, body = LEGACY[key]
    else:
        t, body = rdb.encode_value(sample_values()[key], compress=True)
    rnd = random.Random(key)
    full = bytes((t,)) + body
    cuts = range(1, len(full)) if len(full) < 400 else rnd.sample(range(1, len(full)), 200)
    for cut in cuts:
        with pytest.raises(RDBError):
            rdb.decode_value(t, full[:cut], 1)
        try:        # (Redis reads on into the footer: that may parse)
            rdb.restore_payload(_repack(full[:cut]))
        except RDBError:
            pass
    for _ in range(200):
        b = bytearray(full)
        for _ in range(rnd.randint(1, 3)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        try:
            rdb.restore_payload(_repack(bytes(b)))
        except RDBError:
            pass


def _repack(body):
    b = body + struct.pack("<H", 10)
    return b + struct.pack("<Q", rdb.crc64(b))


def test_bad_files_raise_rdberror():
    good = io.BytesIO()
    rdb.write_rdb([(0, [(b"k", ListValue([b"a"]), None)])], good)
    data = good.getvalue()
    for cut in range(len(data)):
        with pytest.raises(RDBError):
            list(rdb.read_rdb(data[:cut]))
    with pytest.raises(RDBError, match="signature"):
        list(rdb.read_rdb(b"RADIS0010" + data[9:]))
    with pytest.raises(RDBError, match="version"):
        list(rdb.read_rdb(b"REDIS0011" + data[9:]))
    module_aux = b"REDIS0010" + bytes((rdb.OP_MODULE_AUX,)) + b"\x00" * 20 + bytes((rdb.OP_EOF,))
    with pytest.raises(RDBError, match="unsupported"):
        list(rdb.read_rdb(module_aux + b"\0" * 8))


def test_file_opcodes_expiretime_seconds_idle_freq():
    body = (b"REDIS0009" + bytes((rdb.OP_SELECTDB,)) + rdb.encode_length(1)
            + bytes((rdb.OP_EXPIRETIME,)) + struct.pack("<i", 2000000000)
            + b"\x00" + rdb.encode_string(b"k") + rdb.encode_string(b"v")
            + bytes((rdb.OP_IDLE,)) + rdb.encode_length(100)
            + b"\x00" + rdb.encode_string(b"i") + rdb.encode_string(b"1")
            + bytes((rdb.OP_FREQ, 7))
            + b"\x00" + rdb.encode_string(b"f") + rdb.encode_string(b"2")
            + bytes((rdb.OP_EOF,)))
    data = body + struct.pack("<Q", rdb.crc64(body))
    meta = {}
    assert list(rdb.read_rdb(data, meta)) == [(1, b"k", b"v", 2000000000000),
                                              (1, b"i", b"1", None), (1, b"f", b"2", None)]
    assert meta["lru"] == {(1, b"i"): (100, None), (1, b"f"): (None, 7)}


# -- streams -------------------------------------------------------------------------
def _stream_state(r, key):
    groups = r.xinfo_groups(key)
    pending = [[(p["message_id"], p["consumer"], p["times_delivered"])
                for p in r.xpending_range(key, g["name"], "-", "+", 100)] for g in groups]
    consumers = [[(c["name"], c["pending"]) for c in r.xinfo_consumers(key, g["name"])]
                 for g in groups]
    return r.xrange(key), groups, pending, consumers


def test_streams_saved_by_redis_read_and_written_back(server, tmp_path):
    s = server()
    r = s.client
    for i in range(1, 300):
        r.xadd("s", {"f": "v%d" % i, "n": i}, id="%d-%d" % (i, i % 3))
    r.xadd("s", {"other": "fields"}, id="400-0")
    r.xdel("s", "2-2", "400-0")
    r.xgroup_create("s", "g1", id="0")
    r.xgroup_create("s", "g2", id="$")
    r.xreadgroup("g1", "alice", {"s": ">"}, count=5)
    r.xreadgroup("g1", "bob", {"s": ">"}, count=3)
    r.xack("s", "g1", "1-1")
    r.xadd("e", {"a": "b"}, id="7-7")
    r.xdel("e", "7-7")                  # an empty stream stays
    want = {k: (_stream_state(r, k), r.xinfo_stream(k)["last-generated-id"]) for k in ("s", "e")}
    r.save()
    got = {k: v for _, k, v, _ in rdb.read_rdb((tmp_path / "dump.rdb").read_bytes())}
    assert set(got) == {b"s", b"e"}
    sv = got[b"s"]
    assert len(sv) == 298 and sv.entries[rdb.make_id(3, 0)] == (b"f", b"v3", b"n", b"3")
    assert sorted(sv.groups) == [b"g1", b"g2"]
    assert sorted(sv.groups[b"g1"].consumers) == [b"alice", b"bob"]
    assert len(got[b"e"]) == 0 and got[b"e"].last_id == rdb.make_id(7, 7)
    # round trip through our encoder, and into a fresh redis-server
    for v in got.values():
        back, _ = rdb.decode_value(*rdb.encode_value(v))
        assert list(back.ids) == list(v.ids) and back.last_id == v.last_id
    with open(tmp_path / "ours.rdb", "wb") as f:
        rdb.write_rdb([(0, [(k, v, None) for k, v in got.items()])], f)
    check = subprocess.run([CHECK, str(tmp_path / "ours.rdb")], capture_output=True,
                           text=True, timeout=60)
    assert check.returncode == 0, check.stdout
    s2 = server(dbfilename="ours.rdb")
    for k in ("s", "e"):
        assert (_stream_state(s2.client, k), s2.client.xinfo_stream(k)["last-generated-id"]) \
            == want[k]


def test_mangled_stream_payloads_raise_rdberror():
    from redlet.keyspace.stream import Group, StreamValue, make_id
    sv = StreamValue()
    for i in range(1, 30):
        sv.append(make_id(i, 0), (b"f", b"%d" % i) if i % 5 else (b"g", b"x", b"h", b"-7"))
    g = sv.groups[b"grp"] = Group(b"grp", make_id(3, 0), 3)
    c = g.create_consumer(b"c", 1000)
    from redlet.keyspace.stream import Nack
    for i in (1, 2, 3):
        g.pel[make_id(i, 0)] = c.pel[make_id(i, 0)] = Nack(c, 5000 + i, 2)
    t, body = rdb.encode_value(sv)
    back, _ = rdb.decode_value(t, body)
    assert list(back.ids) == list(sv.ids) and back.entries == sv.entries
    assert list(back.groups[b"grp"].pel) == list(g.pel)
    full = bytes((t,)) + body
    rnd = random.Random(5)
    for cut in range(1, len(full)):
        with pytest.raises(RDBError):
            rdb.decode_value(t, full[:cut], 1)
    for _ in range(500):
        b = bytearray(full)
        for _ in range(rnd.randint(1, 3)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        try:
            rdb.restore_payload(_repack(bytes(b)))
        except RDBError:
            pass
