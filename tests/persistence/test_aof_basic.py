"""Append-only file: layout, writing, replay, torn tails and corruption."""
import os

import pytest

from redlet.app import build_engine
from redlet.config import Config
from redlet.persistence.aof import AOFLoadError


def make_engine(tmp_path, **values):
    cfg = Config()
    cfg.values.update({"dir": str(tmp_path), "appendonly": True, "save": [],
                       "appendfsync": "always"})
    cfg.values.update(values)
    return build_engine(cfg)


def aof_path(tmp_path):
    return tmp_path / "appendonlydir" / "appendonly.aof.1.incr.aof"


def test_layout_is_redis7_multipart(tmp_path):
    e = make_engine(tmp_path)
    manifest = (tmp_path / "appendonlydir" / "appendonly.aof.manifest").read_text()
    assert manifest == "file appendonly.aof.1.incr.aof seq 1 type i\n"
    assert aof_path(tmp_path).exists()
    e.aof.shutdown()


def test_propagated_writes_are_appended_with_select(tmp_path):
    e = make_engine(tmp_path)
    c = e.new_client()
    e.process_batch(c, [[b"SELECT", b"3"], [b"FLUSHDB"], [b"PING"]])
    data = aof_path(tmp_path).read_bytes()
    assert data == b"*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*1\r\n$7\r\nFLUSHDB\r\n"
    e.aof.shutdown()


def test_replay_and_torn_tail_is_truncated(tmp_path):
    e = make_engine(tmp_path)
    e.aof.shutdown()
    path = aof_path(tmp_path)
    good = b"*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*1\r\n$7\r\nFLUSHDB\r\n"
    path.write_bytes(good + b"*3\r\n$3\r\nSET\r\n$1\r\nk")
    e2 = make_engine(tmp_path)
    assert path.read_bytes() == good          # the incomplete record was dropped
    e2.aof.shutdown()


def test_torn_tail_refused_when_not_allowed(tmp_path):
    make_engine(tmp_path).aof.shutdown()
    aof_path(tmp_path).write_bytes(b"*1\r\n$7\r\nFLUSHDB\r\n*1\r\n$4\r\nPI")
    with pytest.raises(AOFLoadError, match="Unexpected end of file"):
        make_engine(tmp_path, **{"aof-load-truncated": False})


def test_corrupt_middle_names_the_offset(tmp_path):
    make_engine(tmp_path).aof.shutdown()
    aof_path(tmp_path).write_bytes(b"*1\r\n$7\r\nFLUSHDB\r\n*1\r\n$x\r\nPING\r\n")
    with pytest.raises(AOFLoadError, match="near offset 17"):
        make_engine(tmp_path)


def test_write_error_refuses_writes_with_misconf(tmp_path):
    e = make_engine(tmp_path)
    c = e.new_client()
    os.close(e.aof.fd)
    e.aof.fd = os.open(os.devnull, os.O_RDONLY)    # writes now fail with EBADF
    e.process_batch(c, [[b"FLUSHDB"]])
    reply = e.process_batch(c, [[b"FLUSHDB"]])
    assert reply.startswith(b"-MISCONF Errors writing to the AOF file: ")
    assert e.process_batch(c, [[b"DBSIZE"]]) == b":0\r\n"   # reads keep working
    e.aof.shutdown()
