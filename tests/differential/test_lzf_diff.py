"""The Python LZF compressor against redis-server's: DUMP of a string over 20
bytes carries liblzf's output, which ours must reproduce byte for byte (the
C extension, when installed, is only an accelerator; this tests the Python
code whichever is in use)."""
import random

import pytest

from redlet.persistence import rdb


def _length(b, i):
    kind = b[i] >> 6
    if kind == 0:
        return b[i] & 63, i + 1
    if kind == 1:
        return ((b[i] & 63) << 8) | b[i + 1], i + 2
    if b[i] == 0x80:
        return int.from_bytes(b[i + 1:i + 5], "big"), i + 5
    return int.from_bytes(b[i + 1:i + 9], "big"), i + 9


def redis_lzf(conn, data):
    """The LZF stream redis-server stores for ``data``, or None if it stores it raw."""
    assert conn.send("SET", "k", data) == b"+OK\r\n"
    reply = conn.send("DUMP", "k")
    header_end = reply.index(b"\r\n")
    body = reply[header_end + 2:-2][1:-10]          # type byte ... version, CRC
    if body[0] != 0xC3:
        return None
    clen, i = _length(body, 1)
    ulen, i = _length(body, i)
    assert ulen == len(data)
    return body[i:i + clen]


def _samples():
    rng = random.Random(20261207)
    out = [b"a" * n for n in (21, 22, 23, 24, 25, 30, 40, 300, 5000)]
    out += [b"ab" * n for n in (11, 12, 13, 20, 150)]
    out += [b"abc" * 7 + b"x", b"0123456789" * 3, rng.randbytes(9000) * 2,
            rng.randbytes(100) + b"z" * 300 + rng.randbytes(100)]
    for _ in range(120):
        n = rng.choice([21, 24, 27, 33, 40, 64, 100, 257, 1000, 4000, 12288])
        alphabet = rng.choice([b"ab", b"abc", b"abcdefghij  \n", bytes(range(256)), b"\0\1"])
        out.append(bytes(rng.choice(alphabet) for _ in range(n)))
    return out


def test_python_lzf_matches_redis(diff):
    redis_conn = diff.conns[0]
    compressed = raw = 0
    for data in _samples():
        expected = redis_lzf(redis_conn, data)
        got = rdb.lzf_compress_py(data, len(data) - 4)
        assert got == expected, (len(data), data[:40])
        assert rdb.lzf_compress(data) == expected, ("with the C extension", len(data))
        if got is None:
            raw += 1
        else:
            compressed += 1
            assert rdb.lzf_decompress(got, len(data)) == data
    assert compressed > 60 and raw > 20      # both outcomes were exercised


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 6])
def test_tiny_inputs(n):
    """Too short to fit in n - 4 bytes; with room, a run of literals (or a
    back reference from the second byte on) that decodes back."""
    data = b"a" * n
    assert rdb.lzf_compress_py(data, len(data) - 4) is None
    out = rdb.lzf_compress_py(data, 100)
    # the first back reference needs a source past position 0 (liblzf's rule)
    expected = {5: b"\x01aa \x00", 6: b"\x01aa \x00\x00a"}.get(n, bytes((n - 1,)) + data)
    assert out == expected
    assert rdb.lzf_decompress(out, n) == data
    assert rdb.lzf_compress_py(b"", 100) is None
