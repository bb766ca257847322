"""HyperLogLog commands against redis-server 7.0: raw replies and the bytes of
the strings (GET, DUMP) after every step.

An HLL is a string in Redis' own layout, so the same PFADDs must leave the same
bytes (sparse opcodes, promotion to dense, the cached cardinality), and PFCOUNT
must give Redis' estimate exactly.  The number of changes a command counts
(``rdb_changes_since_last_save``) is compared too: it decides propagation.
"""
import random

import pytest

from .conftest import check_dirty

HEADER_SPARSE = b"HYLL\x01" + bytes(11)
HEADER_DENSE = b"HYLL\x00" + bytes(11)


def check_key(diff, key):
    """The string, its length and its encoding agree."""
    diff.check("GET", key)
    diff.check("STRLEN", key)
    diff.check("PFDEBUG", "ENCODING", key)


def pipeline(diff, commands):
    """Send ``commands`` to both servers in one write each; replies compared."""
    def encode(args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)
    payload = b"".join(encode(c) for c in commands)
    for conn in diff.conns:
        conn.send_raw(payload)
    replies = [[conn.read_reply() for _ in commands] for conn in diff.conns]
    assert replies[0] == replies[1]
    return replies[0]


# -- small sparse HLLs, step by step ---------------------------------------------------------
def test_sparse_steps(diff):
    check_dirty(diff, "PFADD", "h")                 # creates the key: 1 change
    check_key(diff, "h")
    diff.check("PFDEBUG", "DECODE", "h")
    check_dirty(diff, "PFCOUNT", "h")               # the cache written: 1 change
    check_dirty(diff, "PFCOUNT", "h")               # valid cache: none
    for i in range(60):
        check_dirty(diff, "PFADD", "h", "a%d" % i, "b%d" % i, "a%d" % i)
        check_key(diff, "h")
        diff.check("PFDEBUG", "DECODE", "h")
        if i % 5 == 0:
            check_dirty(diff, "PFCOUNT", "h")
            diff.check("GET", "h")
    check_dirty(diff, "PFADD", "h", "a1", "b1")     # nothing new: 0, no change
    diff.check("GET", "h")


def test_elements_of_every_length(diff):
    rng = random.Random(7)
    for n in range(0, 40):
        element = bytes(rng.randrange(256) for _ in range(n))
        diff.check("PFADD", "h", element)
        diff.check("GET", "h")
    diff.check("PFCOUNT", "h")
    diff.check("PFADD", "bin", b"\x00", b"\x00\x00", b"\r\n", b"\xff" * 17, "")
    diff.check("GET", "bin")


def test_promotion_to_dense(diff):
    """Past hll-sparse-max-bytes (3000) the HLL becomes dense, in the same step."""
    n = 0
    encodings = set()
    while n < 6000:
        count = 1 if n % 3 else 7
        diff.check("PFADD", "h", *["e%d" % (n + i) for i in range(count)])
        n += count
        diff.check("GET", "h")
        encodings.add(diff.check("PFDEBUG", "ENCODING", "h"))
        if n % 50 == 0:
            diff.check("PFCOUNT", "h")
    assert encodings == {b"+sparse\r\n", b"+dense\r\n"}
    diff.check("PFCOUNT", "h")
    diff.check("DUMP", "h")


def test_sparse_max_bytes_setting(diff):
    diff.check("CONFIG", "SET", "hll-sparse-max-bytes", "200")
    try:
        for i in range(120):
            diff.check("PFADD", "h", "x%d" % i)
            check_key(diff, "h")
        diff.check("PFADD", "g", *["y%d" % i for i in range(30)])
        diff.check("PFMERGE", "m", "g")
        check_key(diff, "m")
    finally:
        diff.both("CONFIG", "SET", "hll-sparse-max-bytes", "3000")


# -- large cardinalities ---------------------------------------------------------------------
@pytest.mark.parametrize("total", [100_000, 250_000])
def test_large_cardinality(diff, total):
    batch = 2000
    pipeline(diff, [["PFADD", "big"] + [b"m%d" % i for i in range(b, b + batch)]
                    for b in range(0, total, batch)])
    check_key(diff, "big")
    check_dirty(diff, "PFCOUNT", "big")
    diff.check("GET", "big")
    diff.check("DUMP", "big")
    diff.check("PFDEBUG", "GETREG", "big")


def test_unions(diff):
    keys = []
    for k in range(24):
        key = "u%d" % k
        keys.append(key)
        size = [3, 50, 400, 2500, 20000][k % 5]
        pipeline(diff, [["PFADD", key] + [b"%d:%d" % (k % 7, i)
                                          for i in range(b, min(b + 1000, size))]
                        for b in range(0, size, 1000)])
        check_key(diff, key)
    for n in (2, 3, 5, 10, 24):
        check_dirty(diff, "PFCOUNT", *keys[:n])        # a union changes nothing
        check_dirty(diff, "PFCOUNT", *keys[-n:], "missing")
    for k in keys:
        diff.check("GET", k)
    # into a new key, an existing sparse one, a dense one; sparse-only and mixed
    check_dirty(diff, "PFMERGE", "all", *keys)
    check_key(diff, "all")
    diff.check("PFMERGE", "small", "u0", "u1", "u5", "u6", "u10")
    check_key(diff, "small")
    diff.check("PFMERGE", "u0", "u1", "u2", "u6")
    check_key(diff, "u0")
    diff.check("PFMERGE", "u4", "u1")
    check_key(diff, "u4")
    diff.check("PFMERGE", "u1", "u4")
    check_key(diff, "u1")
    diff.check("PFMERGE", "fresh")
    check_key(diff, "fresh")
    diff.check("PFMERGE", "fresh2", "nothing", "fresh")
    check_key(diff, "fresh2")
    for k in ("all", "small", "u0", "u1", "u4"):
        diff.check("PFCOUNT", k)
        diff.check("DUMP", k)


def test_random_sequences(diff):
    rng = random.Random(1234)
    keys = ["r%d" % i for i in range(5)]
    for step in range(500):
        key = rng.choice(keys)
        op = rng.random()
        if op < 0.55:
            n = rng.choice([0, 1, 2, 5, 30, 200])
            diff.check("PFADD", key, *[rng.randbytes(rng.randrange(1, 12)) for _ in range(n)])
        elif op < 0.7:
            diff.check("PFMERGE", key, *rng.sample(keys, rng.randrange(0, 4)))
        elif op < 0.9:
            diff.check("PFCOUNT", *rng.sample(keys, rng.randrange(1, 4)))
        else:
            diff.check("PFDEBUG", rng.choice(["ENCODING", "DECODE", "TODENSE"]), key)
        diff.check("GET", key)
    for key in keys:
        diff.check("DUMP", key)


# -- interoperation with the string commands -------------------------------------------------
def test_strings_and_dump(diff):
    diff.check("PFADD", "h", "a", "b", "c")
    payload = diff.check("DUMP", "h")
    assert payload.startswith(b"$")
    dump = payload.split(b"\r\n", 1)[1][:-2]
    diff.check("RESTORE", "copy", "0", dump)
    check_key(diff, "copy")
    diff.check("PFCOUNT", "copy")
    # SET of the bytes Redis made, then PFADD goes on from them
    raw = diff.check("GET", "h").split(b"\r\n", 1)[1][:-2]
    diff.check("SET", "again", raw)
    diff.check("PFADD", "again", "d")
    diff.check("GET", "again")
    # a TTL survives PFADD, PFCOUNT's cache write and PFMERGE
    diff.check("EXPIRE", "h", "1000")
    diff.check("PFADD", "h", "z")
    diff.check("PFCOUNT", "h")
    diff.check("PFMERGE", "h", "copy")
    diff.check("TTL", "h")
    # APPEND makes more opcodes: cardinality of the longer string, or corrupted
    diff.check("APPEND", "copy", b"\x80")
    diff.check("PFCOUNT", "copy")
    diff.check("APPEND", "copy", b"\x7f\xff")
    diff.check("PFCOUNT", "copy")
    diff.check("PFADD", "copy", "q")
    diff.check("GET", "copy")


def test_todense_and_getreg(diff):
    diff.check("PFADD", "h", *["g%d" % i for i in range(100)])
    diff.check("PFDEBUG", "GETREG", "h")
    check_key(diff, "h")
    diff.check("PFADD", "s", *["g%d" % i for i in range(100)])
    check_dirty(diff, "PFDEBUG", "TODENSE", "s")
    check_key(diff, "s")
    check_dirty(diff, "PFDEBUG", "TODENSE", "s")
    diff.check("PFDEBUG", "DECODE", "s")
    diff.check("PFDEBUG", "GETREG", "s")
    diff.check3("PFDEBUG", "ENCODING", "s")
    diff.check3("PFDEBUG", "GETREG", "s")
    diff.check("PFADD", "s", "more")
    diff.check("GET", "s")
    diff.check("PFCOUNT", "s", "h")


# -- errors ------------------------------------------------------------------------------------
def test_wrong_types_and_arity(diff):
    diff.check("RPUSH", "list", "a")
    diff.check("SET", "str", "not an hll at all")
    diff.check("SET", "int", "12345")
    for key in ("list", "str", "int"):
        for cmd in (("PFADD", key, "a"), ("PFADD", key), ("PFCOUNT", key), ("PFCOUNT", "x", key),
                    ("PFCOUNT", key, "missing"), ("PFMERGE", key, "x"), ("PFMERGE", "x", key),
                    ("PFMERGE", "dest", key), ("PFDEBUG", "ENCODING", key),
                    ("PFDEBUG", "nosuch", key)):
            diff.check(*cmd)
        diff.check("GET", "x")
        diff.check("EXISTS", "dest")
    for cmd in (("PFADD",), ("PFCOUNT",), ("PFMERGE",), ("PFDEBUG",), ("PFDEBUG", "GETREG"),
                ("PFDEBUG", "GETREG", "a", "b"), ("PFSELFTEST", "x"),
                ("PFDEBUG", "ENCODING", "missing"), ("PFDEBUG", "nosuch", "missing")):
        diff.check(*cmd)
    diff.check("PFADD", "h", "a")
    diff.check("PFDEBUG", "nosuch", "h")
    diff.check("PFDEBUG", "DECODE", "h")
    diff.check("PFDEBUG", "TODENSE", "h")
    diff.check("PFDEBUG", "DECODE", "h")


CORRUPTED = {
    "empty": b"",
    "short": b"HYLL",
    "bad_magic": b"HYLX\x01" + bytes(11) + b"\x7f\xff",
    "bad_encoding": b"HYLL\x02" + bytes(11) + b"\x7f\xff",
    "dense_short": HEADER_DENSE + bytes(100),
    "dense_long": HEADER_DENSE + bytes(12289),
    "dense_random": HEADER_DENSE + random.Random(3).randbytes(12288),
    "sparse_no_ops": HEADER_SPARSE,
    "sparse_short": HEADER_SPARSE + b"\x7f\xfe",
    "sparse_long": HEADER_SPARSE + b"\x7f\xff\x00",
    "sparse_cut_xzero": HEADER_SPARSE + b"\x7f",
    "sparse_vals_over": HEADER_SPARSE + b"\xff" * 5000,
    "sparse_val_tail": HEADER_SPARSE + b"\x7f\xfe\x80",
    "sparse_zeros": HEADER_SPARSE + b"\x3f" * 256,
    "sparse_zero_overflow": HEADER_SPARSE + b"\x3f" * 255 + b"\x80\x80\x80",
    "valid_cache_bad_ops": b"HYLL\x01" + bytes(3) + b"\x05" + bytes(7) + b"\x00",
}


@pytest.mark.parametrize("name", sorted(CORRUPTED))
def test_invalid_and_corrupted(diff, name):
    value = CORRUPTED[name]
    for cmd in (("PFCOUNT", "c"), ("PFCOUNT", "c", "c"), ("PFADD", "c", "a", "b", "c"),
                ("PFADD", "c"), ("PFMERGE", "d", "c"), ("PFMERGE", "c"), ("PFMERGE", "c", "d"),
                ("PFDEBUG", "DECODE", "c"), ("PFDEBUG", "ENCODING", "c"),
                ("PFDEBUG", "GETREG", "c"), ("PFDEBUG", "TODENSE", "c"),
                ("PFDEBUG", "nosuch", "c")):
        diff.both("DEL", "d")
        diff.check("SET", "c", value)
        check_dirty(diff, *cmd)
        diff.check("GET", "c")
        diff.check("GET", "d")


def test_selftest(diff):
    diff.check("PFSELFTEST")
