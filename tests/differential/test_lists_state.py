"""A Hypothesis state machine drives random sequences of list commands on
three keys (sometimes a string, for WRONGTYPE); redlet and redis-server must
agree on every reply, byte for byte."""
from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule, run_state_machine_as_test

from ._state_common import KEYS, KEY_LISTS, STATE_SETTINGS, TypeMachine, mostly

ITEMS = st.sampled_from(["a", "b", "c", "1", "", "x" * 30])
ITEM_LISTS = st.lists(ITEMS, min_size=1, max_size=4)
INDEXES = mostly([str(i) for i in range(-6, 7)],
                 ["x", "9223372036854775807", "-9223372036854775808", "1.5", "01", ""])
COUNTS = mostly([str(i) for i in range(0, 7)], ["-1", "x", "9223372036854775807"])
ENDS = st.sampled_from(["LEFT", "RIGHT"])


class ListMachine(TypeMachine):
    RESP3 = frozenset(["LRANGE", "LINDEX", "LPOS", "LLEN"])

    @initialize(contents=st.lists(st.lists(ITEMS, max_size=6), min_size=3, max_size=3))
    def start(self, contents):
        self.fill("RPUSH", contents)

    @rule(cmd=st.sampled_from(["LPUSH", "RPUSH", "LPUSHX", "RPUSHX"]), key=KEYS,
          items=ITEM_LISTS)
    def push(self, cmd, key, items):
        self.check(cmd, key, *items)

    @rule(cmd=st.sampled_from(["LPOP", "RPOP"]), key=KEYS,
          count=st.none() | COUNTS)
    def pop(self, cmd, key, count):
        self.check(cmd, key, *([] if count is None else [count]))

    @rule(key=KEYS, start=INDEXES, stop=INDEXES)
    def lrange(self, key, start, stop):
        self.check("LRANGE", key, start, stop)

    @rule(key=KEYS, index=INDEXES)
    def lindex(self, key, index):
        self.check("LINDEX", key, index)

    @rule(key=KEYS, index=INDEXES, item=ITEMS)
    def lset(self, key, index, item):
        self.check("LSET", key, index, item)

    @rule(key=KEYS, where=st.sampled_from(["BEFORE", "AFTER", "after", "MIDDLE"]),
          pivot=ITEMS, item=ITEMS)
    def linsert(self, key, where, pivot, item):
        self.check("LINSERT", key, where, pivot, item)

    @rule(key=KEYS, count=mostly([str(i) for i in range(-3, 4)], ["x"]), item=ITEMS)
    def lrem(self, key, count, item):
        self.check("LREM", key, count, item)

    @rule(key=KEYS, start=INDEXES, stop=INDEXES)
    def ltrim(self, key, start, stop):
        self.check("LTRIM", key, start, stop)

    @rule(key=KEYS, item=ITEMS, opts=st.lists(st.sampled_from([
        ("RANK", "1"), ("RANK", "-1"), ("RANK", "2"), ("RANK", "-2"), ("RANK", "0"),
        ("RANK", "-9223372036854775808"), ("COUNT", "0"), ("COUNT", "2"), ("COUNT", "-1"),
        ("MAXLEN", "0"), ("MAXLEN", "2"), ("MAXLEN", "-1"), ("FOO", "1")]), max_size=3))
    def lpos(self, key, item, opts):
        self.check("LPOS", key, item, *[x for o in opts for x in o])

    @rule(src=KEYS, dst=KEYS, wfrom=ENDS, wto=ENDS, blocking=st.booleans())
    def lmove(self, src, dst, wfrom, wto, blocking):
        if blocking:
            # non-blocking outcome only: never wait on an empty source
            if self.diff.both("LLEN", src)[0] in (b":0\r\n",):
                return
            self.check("BLMOVE", src, dst, wfrom, wto, "0.01")
        else:
            self.check("LMOVE", src, dst, wfrom, wto)

    @rule(src=KEYS, dst=KEYS)
    def rpoplpush(self, src, dst):
        self.check("RPOPLPUSH", src, dst)

    @rule(keys=KEY_LISTS, end=ENDS, count=st.none() | st.sampled_from(["1", "2", "5", "0", "x"]))
    def lmpop(self, keys, end, count):
        self.check("LMPOP", str(len(keys)), *keys, end,
                   *([] if count is None else ["COUNT", count]))

    @rule(cmd=st.sampled_from(["BLPOP", "BRPOP"]), keys=KEY_LISTS)
    def bpop(self, cmd, keys):
        # only when some key holds a non-empty list or a wrong type: no waiting
        lens = [self.diff.both("LLEN", k)[0] for k in keys]
        if all(x == b":0\r\n" for x in lens):
            return
        self.check(cmd, *keys, "0.01")

    @rule(key=KEYS)
    def llen(self, key):
        self.check("LLEN", key)


def test_list_state_machine(diff):
    ListMachine.diff = diff
    run_state_machine_as_test(ListMachine, settings=STATE_SETTINGS)
