"""Shared pieces of the per-type Hypothesis state machines (lists, hashes,
sets, sorted sets): three keys, generic key rules (DEL, EXISTS, TYPE, EXPIRE,
TTL, RENAME) and a rule that turns a key into a string to provoke WRONGTYPE."""
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule

KEYS = st.sampled_from(["a", "b", "c"])
KEY_LISTS = st.lists(KEYS, min_size=1, max_size=3)


def flat_pairs(pairs):
    """Strategy of (a, b) pairs to a flat argument list [a1, b1, a2, b2...]."""
    return pairs.map(lambda ps: [x for p in ps for x in p])


def mostly(valid, invalid, weight=4):
    """Draw from ``valid`` about ``weight`` times as often as from ``invalid``,
    so collections grow while error replies still come up."""
    return st.sampled_from(list(valid) * weight + list(invalid))

STATE_SETTINGS = settings(
    max_examples=150, stateful_step_count=30, deadline=None, derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


class TypeMachine(RuleBasedStateMachine):
    """Base: subclasses add the rules of one data type."""
    diff = None          # the ``diff`` fixture, shared by the examples
    # read-only commands whose replies are compared over RESP3 as well
    RESP3 = frozenset()

    def __init__(self):
        super().__init__()
        self.diff.both("FLUSHALL")

    def check(self, *cmd):
        got = self.diff.check(*cmd)
        if cmd[0] in self.RESP3:
            self.diff.check3(*cmd)
        return got

    def check_sorted(self, *cmd):
        self.diff.check_sorted(*cmd)

    def fill(self, cmd, contents):
        """Start from populated keys (subclasses call this from an
        ``initialize`` rule): among some thirty rules, writes are too rare for
        reads to meet non-empty values otherwise."""
        for key, args in zip("abc", contents):
            if args:
                self.check(cmd, key, *args)

    @rule(key=KEYS, value=st.sampled_from(["s", "1"]))
    def set_string(self, key, value):
        # rare enough to let collections grow, common enough to hit WRONGTYPE
        self.check("SET", key, value)

    @rule(cmd=st.sampled_from(["DEL", "EXISTS"]), keys=KEY_LISTS)
    def del_exists(self, cmd, keys):
        self.check(cmd, *keys)

    @rule(key=KEYS)
    def type(self, key):
        self.check("TYPE", key)

    @rule(key=KEYS, ttl=st.sampled_from(["1000", "200000"]))
    def expire(self, key, ttl):
        self.check("EXPIRE", key, ttl)

    @rule(key=KEYS)
    def ttl(self, key):
        # both servers set the TTL a moment apart: allow a rounding step
        expected, got = self.diff.both("TTL", key)
        assert expected[:1] == got[:1] == b":", (key, expected, got)
        e, g = int(expected[1:-2]), int(got[1:-2])
        assert e == g or (min(e, g) >= 0 and abs(e - g) <= 1), (key, expected, got)

    @rule(src=KEYS, dst=KEYS, nx=st.booleans())
    def rename(self, src, dst, nx):
        self.check("RENAMENX" if nx else "RENAME", src, dst)
