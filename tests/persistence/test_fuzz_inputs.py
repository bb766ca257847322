"""Never trust a payload: fuzzed RESTORE payloads, RDB files and AOF files.

Mutations of real DUMP payloads and dump.rdb files get their CRC64 (and the
payload's version trailer) recomputed so that they reach the decoder.  Each
input must load / reply OK, or fail with the one clear error (an error reply,
``SnapshotLoadError``, ``AOFLoadError``); never another exception, never a hang,
and the server stays usable.
"""
import io
import os
import struct

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from redlet.app import build_engine
from redlet.config import Config
from redlet.persistence import rdb
from redlet.persistence.aof import AOFLoadError
from redlet.persistence.snapshot import SnapshotLoadError, load_rdb_file, write_dataset

FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


# -- a server in-process ------------------------------------------------------------
def make_engine(tmp_path, **values):
    cfg = Config()
    cfg.values.update({"dir": str(tmp_path), "save": [], "appendonly": False})
    cfg.values.update(values)
    return build_engine(cfg)


def cmd(engine, client, *argv):
    return engine.process_batch(client, [[a if isinstance(a, bytes) else str(a).encode()
                                          for a in argv]])


SETUP = [
    ("SET", "s:int", "12345"), ("SET", "s:neg", "-70000"), ("SET", "s:big", "4294967296"),
    ("SET", "s:lzf", "abc" * 200), ("SET", "s:raw", "hello world"),
    ("RPUSH", "l:small", "a", "1", "-3", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
     "70000", "4294967296"),
    ("HSET", "h:small", "f1", "v1", "f2", "22", "f3", "x" * 40),
    ("HSET", "h:big", *[f"f{i}" if j == 0 else "v" * (i % 80) for i in range(140)
                        for j in (0, 1)]),
    ("SADD", "set:int", "1", "2", "300", "-70000", "5000000000"),
    ("SADD", "set:str", "a", "b", "c", "dddd"),
    ("ZADD", "z:small", "1", "a", "2.5", "b", "-inf", "c", "3", "12"),
    ("ZADD", "z:big", *[x for i in range(140) for x in (str(i / 3), f"m{i}")]),
    ("XADD", "x:1", "1-1", "a", "1", "b", "2"), ("XADD", "x:1", "1-2", "a", "3", "b", "4"),
    ("XADD", "x:1", "2-0", "c", "5"),
    ("XGROUP", "CREATE", "x:1", "g1", "0"),
    ("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "2", "STREAMS", "x:1", ">"),
    ("XDEL", "x:1", "1-2"),
    ("SET", "s:ttl", "v"), ("PEXPIRE", "s:ttl", "100000000"),
]


def populate(engine):
    c = engine.new_client()
    for argv in SETUP:
        reply = cmd(engine, c, *argv)
        assert not reply.startswith(b"-"), (argv, reply)
    cmd(engine, c, "RPUSH", "l:big", *[("e%d" % i) * 30 for i in range(400)])
    return c


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    e = make_engine(tmp_path_factory.mktemp("fuzz"), rdbcompression=True)
    client = populate(e)
    return e, client


def payloads(engine):
    e, c = engine
    keys = e.dbs[0].data.keys()
    out = {}
    for k in sorted(keys):
        out[k] = rdb.dump_payload(e.dbs[0].data[k], compress=True)
    return out


def with_trailer(body, version=rdb.RDB_VERSION):
    body = bytes(body) + struct.pack("<H", version)
    return body + struct.pack("<Q", rdb.crc64(body))


# mutations of a byte string, applied in order
_mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10 ** 6), st.integers(0, 7)),
    st.tuples(st.just("truncate"), st.integers(0, 10 ** 6)),
    st.tuples(st.just("insert"), st.integers(0, 10 ** 6), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("delete"), st.integers(0, 10 ** 6), st.integers(1, 16)),
    st.tuples(st.just("byte"), st.integers(0, 10 ** 6), st.integers(0, 255)),
    st.tuples(st.just("length"), st.integers(0, 10 ** 6),
              st.sampled_from([b"\x80\xff\xff\xff\xff", b"\x81" + b"\xff" * 8,
                               b"\x81\x7f" + b"\xff" * 7, b"\x80\x00\x10\x00\x00", b"\x7f\xff",
                               b"\xc3\x80\xff\xff\xff\xff\x00", b"\xff\xff\xff\xff",
                               b"\xf0\xff\xff\xff\x7f", b"\x00\x00\x00\x00"])),
)


def mutate(data, ops):
    b = bytearray(data)
    for op in ops:
        if not b:
            break
        i = op[1] % (len(b) + (op[0] in ("insert", "length")))
        if op[0] == "flip":
            b[min(i, len(b) - 1)] ^= 1 << op[2]
        elif op[0] == "truncate":
            del b[i:]
        elif op[0] == "insert":
            b[i:i] = op[2]
        elif op[0] == "delete":
            del b[i:i + op[2]]
        elif op[0] == "byte":
            b[min(i, len(b) - 1)] = op[2]
        elif op[0] == "length":        # overwrite with a (huge) length field
            b[i:i + len(op[2])] = op[2]
    return bytes(b)


# -- 1. RESTORE ----------------------------------------------------------------------
_RESTORE_OK = (b"+OK\r\n",)
_RESTORE_ERRORS = (b"-ERR Bad data format\r\n",
                   b"-ERR DUMP payload version or checksum are wrong\r\n")


def check_restore(engine, payload):
    e, c = engine
    reply = cmd(e, c, "RESTORE", "fuzz:key", "0", payload, "REPLACE")
    assert reply in _RESTORE_OK + _RESTORE_ERRORS, reply
    assert cmd(e, c, "PING") == b"+PONG\r\n"
    if reply in _RESTORE_OK:
        t = cmd(e, c, "TYPE", "fuzz:key")
        assert t.startswith(b"+") and t != b"+none\r\n", t
        d = cmd(e, c, "DUMP", "fuzz:key")
        assert d.startswith(b"$"), d
        assert cmd(e, c, "DEL", "fuzz:key") == b":1\r\n"
    return reply


def test_real_payloads_restore(engine):
    for key, p in payloads(engine).items():
        assert check_restore(engine, p) == b"+OK\r\n", key


@FUZZ
@given(st.binary(max_size=300))
@example(b"")
@example(b"\x00" * 10)
@example(with_trailer(b"\x00\xc3\x05\x81" + b"\xff" * 8 + b"ab"))   # LZF: huge length
def test_restore_random_bytes(engine, data):
    check_restore(engine, data)


@FUZZ
@given(st.binary(max_size=300))
def test_restore_random_body_with_valid_trailer(engine, body):
    check_restore(engine, with_trailer(body))


KEYS = [b"s:int", b"s:neg", b"s:lzf", b"s:raw", b"l:small", b"l:big", b"h:small", b"h:big",
        b"set:int", b"set:str", b"z:small", b"z:big", b"x:1"]


@FUZZ
@given(st.sampled_from(KEYS), st.lists(_mutation, min_size=1, max_size=4),
       st.booleans())
def test_restore_mutated_payloads(engine, key, ops, keep_type):
    p = rdb.dump_payload(engine[0].dbs[0].data[key], compress=True)
    body = p[:-10]
    mutated = mutate(body[1:], ops)
    mutated = (body[:1] + mutated) if keep_type else mutate(body, ops[:1]) if ops else body
    check_restore(engine, with_trailer(mutated))


# -- 2. RDB files --------------------------------------------------------------------
@pytest.fixture(scope="module")
def rdb_file(engine):
    f = io.BytesIO()
    write_dataset(engine[0], f)
    return f.getvalue()


@pytest.fixture(scope="module")
def loader(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rdbload")
    return make_engine(tmp), str(tmp / "fuzz.rdb")


def check_rdb(loader, data):
    e, path = loader
    c = e.new_client()
    cmd(e, c, "FLUSHALL")
    with open(path, "wb") as f:
        f.write(data)
    try:
        load_rdb_file(e, path)
    except SnapshotLoadError as err:
        assert "Short read or OOM loading DB" in str(err) or "databases" in str(err)
        return False
    # what loaded is usable
    for db in e.dbs:
        for key in list(db.data):
            cmd(e, c, "SELECT", db.id)
            assert cmd(e, c, "TYPE", key).startswith(b"+")
            assert cmd(e, c, "DUMP", key).startswith(b"$")
    cmd(e, c, "SELECT", 0)
    return True


def test_real_rdb_loads(loader, rdb_file, engine):
    assert check_rdb(loader, rdb_file)
    assert len(loader[0].dbs[0].data) == len(engine[0].dbs[0].data)


def fix_crc(body):
    return bytes(body) + struct.pack("<Q", rdb.crc64(body))


@FUZZ
@given(st.lists(_mutation, min_size=1, max_size=4))
def test_rdb_mutated(loader, rdb_file, ops):
    body = rdb_file[:-8]
    check_rdb(loader, body[:9] + mutate(body[9:], ops) if ops else body)
    check_rdb(loader, fix_crc(body[:9] + mutate(body[9:], ops)))


@FUZZ
@given(st.binary(max_size=200))
def test_rdb_random_body(loader, body):
    check_rdb(loader, fix_crc(b"REDIS0010" + body))
    check_rdb(loader, b"REDIS0010" + body + b"\x00" * 8)     # checksum disabled


# -- 3. AOF files --------------------------------------------------------------------
def resp(*argv):
    out = [b"*%d\r\n" % len(argv)]
    for a in argv:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


VALID_AOF = b"".join([
    resp("SELECT", "0"), resp("SET", "a", "1"), resp("RPUSH", "l", "x", "y"),
    resp("MULTI"), resp("INCR", "a"), resp("HSET", "h", "f", "v"), resp("EXEC"),
    resp("SELECT", "3"), resp("SADD", "s", "m"), resp("PEXPIREAT", "s", "99999999999999"),
    resp("XADD", "x", "1-1", "f", "v"), resp("ZADD", "z", "1", "m"),
])


@pytest.fixture(scope="module")
def aof_dir(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("aof")
    make_engine(tmp, appendonly=True).aof.shutdown()
    return tmp


def check_aof(aof_dir, data, truncated_ok=True):
    path = aof_dir / "appendonlydir" / "appendonly.aof.1.incr.aof"
    path.write_bytes(data)
    try:
        e = make_engine(aof_dir, appendonly=True, **{"aof-load-truncated": truncated_ok})
    except AOFLoadError as err:
        msg = str(err)
        assert ("near offset" in msg or "Unexpected end of file" in msg), msg
        return None
    try:
        c = e.new_client()
        assert cmd(e, c, "PING") == b"+PONG\r\n"
        after = path.read_bytes()
        assert data.startswith(after[:len(data)]) or after.startswith(data[:len(after)])
    finally:
        e.aof.shutdown()
    return e


def test_valid_aof_loads(aof_dir):
    e = check_aof(aof_dir, VALID_AOF)
    assert e is not None and len(e.dbs[0].data) == 3 and len(e.dbs[3].data) == 3


@settings(FUZZ, max_examples=60)
@given(st.integers(0, len(VALID_AOF)), st.booleans())
def test_aof_torn_tail(aof_dir, cut, truncated_ok):
    check_aof(aof_dir, VALID_AOF[:cut], truncated_ok)


@settings(FUZZ, max_examples=80)
@given(st.lists(_mutation, min_size=1, max_size=3), st.booleans())
@example([("insert", 17, b"*1\r\n$99999999999999999999\r\n")], True)
@example([("insert", 17, b"*99999999999999\r\n")], True)
@example([("insert", 17, b"$-1\r\n*-1\r\n*0\r\n")], True)
def test_aof_mutated(aof_dir, ops, truncated_ok):
    check_aof(aof_dir, mutate(VALID_AOF, ops), truncated_ok)


@settings(FUZZ, max_examples=60)
@given(st.binary(max_size=120))
def test_aof_random(aof_dir, data):
    check_aof(aof_dir, data)


def test_forged_lzf_length_is_refused_before_allocating():
    from redlet.persistence import rdb
    with pytest.raises(rdb.RDBError):
        rdb.lzf_decompress(b"\x00a", 10 ** 12)
    data = b"\0" * 1000000                     # LZF's best ratio (~88) still decodes
    packed = rdb.lzf_compress(data)
    assert len(data) / len(packed) > 80
    assert rdb.lzf_decompress(packed, len(data)) == data
