"""A Hypothesis state machine drives random sequences of set commands on
three keys (sometimes a string, for WRONGTYPE); redlet and redis-server must
agree on every reply, byte for byte, except unordered replies (SMEMBERS,
SINTER, SUNION, SDIFF, SPOP and SRANDMEMBER covering the whole set), which are
compared sorted."""
from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule, run_state_machine_as_test

from ._state_common import KEYS, KEY_LISTS, STATE_SETTINGS, TypeMachine

# integers too, so intsets and listpacks both appear and convert
MEMBERS = st.sampled_from(["a", "b", "c", "1", "2", "-3", "10", "", "x" * 70])
MEMBER_LISTS = st.lists(MEMBERS, min_size=1, max_size=5)


class SetMachine(TypeMachine):
    RESP3 = frozenset(["SISMEMBER", "SMISMEMBER", "SCARD", "SINTERCARD"])

    @initialize(contents=st.lists(st.lists(MEMBERS, max_size=6), min_size=3, max_size=3))
    def start(self, contents):
        self.fill("SADD", contents)

    @rule(cmd=st.sampled_from(["SADD", "SREM", "SMISMEMBER"]), key=KEYS, members=MEMBER_LISTS)
    def many_members(self, cmd, key, members):
        self.check(cmd, key, *members)

    @rule(key=KEYS)
    def scard(self, key):
        self.check("SCARD", key)

    @rule(key=KEYS, member=MEMBERS)
    def sismember(self, key, member):
        self.check("SISMEMBER", key, member)

    @rule(key=KEYS)
    def smembers(self, key):
        self.check_sorted("SMEMBERS", key)

    @rule(src=KEYS, dst=KEYS, member=MEMBERS)
    def smove(self, src, dst, member):
        self.check("SMOVE", src, dst, member)

    @rule(cmd=st.sampled_from(["SINTER", "SUNION", "SDIFF"]), keys=KEY_LISTS)
    def combine(self, cmd, keys):
        self.check_sorted(cmd, *keys)

    @rule(cmd=st.sampled_from(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), dst=KEYS,
          keys=KEY_LISTS)
    def combine_store(self, cmd, dst, keys):
        self.check(cmd, dst, *keys)

    @rule(keys=KEY_LISTS, limit=st.none() | st.sampled_from(["0", "1", "2", "-1", "x"]))
    def sintercard(self, keys, limit):
        self.check("SINTERCARD", str(len(keys)), *keys,
                   *([] if limit is None else ["LIMIT", limit]))

    @rule(key=KEYS, cmd=st.sampled_from(["SPOP", "SRANDMEMBER"]),
          count=st.sampled_from(["0", "-1", "x", "100", "10", "9223372036854775807"]))
    def whole_set_draw(self, key, cmd, count):
        # count 0, a negative count of an empty set, an error, or >= size:
        # every reply deterministic up to order
        if count == "-1" and self.diff.both("SCARD", key)[0] != b":0\r\n":
            count = "0"
        self.check_sorted(cmd, key, count)

    @rule(key=KEYS, cmd=st.sampled_from(["SPOP", "SRANDMEMBER"]))
    def single_draw(self, key, cmd):
        # deterministic when the set is empty, missing, or has one member
        card = self.diff.both("SCARD", key)[0]
        if card in (b":0\r\n", b":1\r\n") or card[:1] == b"-":
            self.check(cmd, key)


def test_set_state_machine(diff):
    SetMachine.diff = diff
    run_state_machine_as_test(SetMachine, settings=STATE_SETTINGS)
