"""A Hypothesis state machine drives random sequences of hash commands on
three keys (sometimes a string, for WRONGTYPE); redlet and redis-server must
agree on every reply, byte for byte (HKEYS, HVALS, HGETALL compared sorted)."""
from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule, run_state_machine_as_test

from ._state_common import KEYS, STATE_SETTINGS, TypeMachine, flat_pairs

FIELDS = st.sampled_from(["f", "g", "h", "1", ""])
FIELD_LISTS = st.lists(FIELDS, min_size=1, max_size=4)
VALUES = st.sampled_from(["", "0", "1", "-1", "10", "007", "abc", "1.5", "-0.25", "3.0e3",
                          "9223372036854775807", "-9223372036854775808", "inf", " 1",
                          "1e400", "x" * 40])
INTS = st.integers(-5, 5).map(str) | st.sampled_from(["9223372036854775807",
                                                      "-9223372036854775808", "x", "01", "1.5"])
FLOATS = st.sampled_from(["0.1", "-0.1", "1", "1e10", "-2.5", "3.0e3", "1e-20", "inf", "abc",
                          "0x10", "5e-18", "1e400", "-inf", "nan"])


class HashMachine(TypeMachine):
    RESP3 = frozenset(["HGET", "HMGET", "HEXISTS", "HSTRLEN", "HLEN"])

    @initialize(contents=st.lists(flat_pairs(st.lists(st.tuples(FIELDS, VALUES), max_size=4)),
                                  min_size=3, max_size=3))
    def start(self, contents):
        self.fill("HSET", contents)

    @rule(key=KEYS, pairs=st.lists(st.tuples(FIELDS, VALUES), min_size=1, max_size=3),
          hmset=st.booleans())
    def hset(self, key, pairs, hmset):
        self.check("HMSET" if hmset else "HSET", key, *[x for p in pairs for x in p])

    @rule(key=KEYS, field=FIELDS, value=VALUES)
    def hsetnx(self, key, field, value):
        self.check("HSETNX", key, field, value)

    @rule(cmd=st.sampled_from(["HGET", "HEXISTS", "HSTRLEN"]), key=KEYS, field=FIELDS)
    def one_field(self, cmd, key, field):
        self.check(cmd, key, field)

    @rule(cmd=st.sampled_from(["HMGET", "HDEL"]), key=KEYS, fields=FIELD_LISTS)
    def many_fields(self, cmd, key, fields):
        self.check(cmd, key, *fields)

    @rule(key=KEYS)
    def hlen(self, key):
        self.check("HLEN", key)

    @rule(cmd=st.sampled_from(["HKEYS", "HVALS"]), key=KEYS)
    def keys_vals(self, cmd, key):
        self.check_sorted(cmd, key)

    @rule(key=KEYS)
    def hgetall(self, key):
        # hash order is unspecified: compare the field/value pairs sorted
        expected, got = self.diff.both("HGETALL", key)
        if expected[:1] == b"*" and got[:1] == b"*":
            assert expected[:expected.index(b"\r\n")] == got[:got.index(b"\r\n")], \
                (key, expected, got)
            assert sorted(_pairs(expected)) == sorted(_pairs(got)), (key, expected, got)
        else:
            assert got == expected, (key, expected, got)

    @rule(key=KEYS, field=FIELDS, n=INTS)
    def hincrby(self, key, field, n):
        self.check("HINCRBY", key, field, n)

    @rule(key=KEYS, field=FIELDS, f=FLOATS)
    def hincrbyfloat(self, key, field, f):
        self.check("HINCRBYFLOAT", key, field, f)


def _pairs(raw):
    """The (field, value) pairs of a RESP2 flat array of bulk strings (the
    alphabets hold no CR LF, so lines are elements)."""
    items = raw.split(b"\r\n")[2:-1:2]
    return list(zip(items[0::2], items[1::2]))


def test_hash_state_machine(diff):
    HashMachine.diff = diff
    run_state_machine_as_test(HashMachine, settings=STATE_SETTINGS)
