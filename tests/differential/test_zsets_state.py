"""A Hypothesis state machine drives random sequences of sorted-set commands
on three keys (sometimes a string, for WRONGTYPE); redlet and redis-server
must agree on every reply, byte for byte.  Sorted-set replies are ordered, so
nothing is compared sorted.  Lex ranges run only on sets whose members share
one score: Redis leaves them unspecified otherwise (a listpack scans, a
skiplist descends its random levels)."""
from hypothesis import strategies as st
from hypothesis.stateful import initialize, rule, run_state_machine_as_test

from ._state_common import KEYS, KEY_LISTS, STATE_SETTINGS, TypeMachine, flat_pairs, mostly

MEMBERS = st.sampled_from(["a", "b", "c", "d", "1", "", "x" * 70])
VALID_SCORES = ["0", "1", "-1", "2", "1.5", "-0.5", "0.1", "1e10", "3e-5", "inf", "-inf", "+inf",
                "007", "-0", "1e-320"]
SCORES = mostly(VALID_SCORES, ["nan", "1e400", "(1", "x", ""])
INCRS = mostly(["1", "-1", "0.5", "inf", "-inf", "2.5e3"], ["nan", "x", "1e400"])
RANGE_SCORES = mostly(["-inf", "+inf", "inf", "0", "1", "(1", "2", "(2", "-1", "1.5", "(-inf"],
                      ["x", "nan", "(nan", "1e400", "(x"])
LEX = mostly(["-", "+", "[a", "(a", "[b", "(c", "[d", "[1", "(x", "["],
             ["(", "a", "", "+a"])
INDEXES = st.integers(-5, 5).map(str) | st.sampled_from(["x", "9223372036854775807"])
ZADD_FLAGS = st.lists(st.sampled_from(["NX", "XX", "GT", "LT", "CH", "INCR"]), max_size=3,
                      unique=True) | st.just([]) | st.sampled_from([["CH"], ["GT", "CH"]])
LIMITS = st.none() | st.tuples(mostly(["0", "1", "2"], ["-1", "x"]),
                               mostly(["1", "2", "-1", "0", "100"], ["x"]))
AGGREGATES = st.none() | mostly(["SUM", "MIN", "MAX", "min"], ["FOO"])
WEIGHTS = mostly(["1", "2", "-1", "0", "0.5", "inf", "-inf"], ["x", "nan"])


class ZSetMachine(TypeMachine):
    RESP3 = frozenset(["ZRANGE", "ZRANGEBYSCORE", "ZREVRANGEBYSCORE", "ZRANGEBYLEX",
                       "ZREVRANGEBYLEX", "ZREVRANGE", "ZSCORE", "ZMSCORE", "ZRANK", "ZREVRANK",
                       "ZCOUNT", "ZLEXCOUNT", "ZCARD", "ZUNION", "ZINTER", "ZDIFF", "ZINTERCARD"])

    @initialize(contents=st.lists(flat_pairs(st.lists(st.tuples(st.sampled_from(VALID_SCORES),
                                                                 MEMBERS), max_size=5)),
                                  min_size=3, max_size=3))
    def start(self, contents):
        # "c" holds members of one score, the case lex ranges are meant for
        contents[2] = [x if i % 2 else "0" for i, x in enumerate(contents[2])]
        self.fill("ZADD", contents)

    def one_score(self, key):
        """True unless ``key`` holds a sorted set with members of different
        scores (the reply error of a wrong type is compared as usual)."""
        raw = self.diff.both("ZRANGE", key, "0", "-1", "WITHSCORES")[0]
        scores = raw.split(b"\r\n")[4:-1:4]       # no CR LF in the alphabets
        return len(set(scores)) <= 1

    @rule(key=KEYS, flags=ZADD_FLAGS,
          pairs=st.lists(st.tuples(SCORES, MEMBERS), min_size=1, max_size=3))
    def zadd(self, key, flags, pairs):
        self.check("ZADD", key, *flags, *[x for p in pairs for x in p])

    @rule(key=KEYS, members=st.lists(MEMBERS, min_size=1, max_size=3),
          cmd=st.sampled_from(["ZREM", "ZMSCORE"]))
    def many_members(self, key, members, cmd):
        self.check(cmd, key, *members)

    @rule(key=KEYS)
    def zcard(self, key):
        self.check("ZCARD", key)

    @rule(key=KEYS, lo=RANGE_SCORES, hi=RANGE_SCORES)
    def zcount(self, key, lo, hi):
        self.check("ZCOUNT", key, lo, hi)

    @rule(key=KEYS, member=MEMBERS, cmd=st.sampled_from(["ZSCORE", "ZRANK", "ZREVRANK"]),
          withscore=st.booleans())
    def one_member(self, key, member, cmd, withscore):
        self.check(cmd, key, member, *(["WITHSCORE"] if withscore and cmd != "ZSCORE" else []))

    @rule(key=KEYS, incr=INCRS, member=MEMBERS)
    def zincrby(self, key, incr, member):
        self.check("ZINCRBY", key, incr, member)

    def _range_args(self, by, rev, limit, withscores, lo, hi, start, stop, llo, lhi):
        if by == "BYSCORE":
            bounds = [lo, hi]
        elif by == "BYLEX":
            bounds = [llo, lhi]
        else:
            bounds = [start, stop]
        args = bounds + ([by] if by else []) + (["REV"] if rev else [])
        if limit is not None:
            args += ["LIMIT", *limit]
        return args + (["WITHSCORES"] if withscores else [])

    @rule(key=KEYS, by=st.sampled_from([None, "BYSCORE", "BYLEX"]), rev=st.booleans(),
          limit=LIMITS, withscores=st.booleans(), lo=RANGE_SCORES, hi=RANGE_SCORES,
          start=INDEXES, stop=INDEXES, llo=LEX, lhi=LEX)
    def zrange(self, key, by, rev, limit, withscores, **bounds):
        if by == "BYLEX" and not self.one_score(key):
            return
        self.check("ZRANGE", key, *self._range_args(by, rev, limit, withscores, **bounds))

    @rule(dst=KEYS, key=KEYS, by=st.sampled_from([None, "BYSCORE", "BYLEX"]),
          rev=st.booleans(), limit=LIMITS, lo=RANGE_SCORES, hi=RANGE_SCORES,
          start=INDEXES, stop=INDEXES, llo=LEX, lhi=LEX)
    def zrangestore(self, dst, key, by, rev, limit, **bounds):
        if by == "BYLEX" and not self.one_score(key):
            return
        self.check("ZRANGESTORE", dst, key, *self._range_args(by, rev, limit, False, **bounds))

    @rule(key=KEYS, cmd=st.sampled_from(["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"]),
          lo=RANGE_SCORES, hi=RANGE_SCORES, withscores=st.booleans(), limit=LIMITS)
    def zrangebyscore(self, key, cmd, lo, hi, withscores, limit):
        self.check(cmd, key, lo, hi, *(["WITHSCORES"] if withscores else []),
                   *(["LIMIT", *limit] if limit else []))

    @rule(key=KEYS, cmd=st.sampled_from(["ZRANGEBYLEX", "ZREVRANGEBYLEX"]), lo=LEX, hi=LEX,
          limit=LIMITS)
    def zrangebylex(self, key, cmd, lo, hi, limit):
        if not self.one_score(key):
            return
        self.check(cmd, key, lo, hi, *(["LIMIT", *limit] if limit else []))

    @rule(key=KEYS, cmd=st.sampled_from(["ZREVRANGE"]), start=INDEXES, stop=INDEXES,
          withscores=st.booleans())
    def zrevrange(self, key, cmd, start, stop, withscores):
        self.check(cmd, key, start, stop, *(["WITHSCORES"] if withscores else []))

    @rule(key=KEYS, start=INDEXES, stop=INDEXES)
    def zremrangebyrank(self, key, start, stop):
        self.check("ZREMRANGEBYRANK", key, start, stop)

    @rule(key=KEYS, lo=RANGE_SCORES, hi=RANGE_SCORES)
    def zremrangebyscore(self, key, lo, hi):
        self.check("ZREMRANGEBYSCORE", key, lo, hi)

    @rule(key=KEYS, lo=LEX, hi=LEX, cmd=st.sampled_from(["ZREMRANGEBYLEX", "ZLEXCOUNT"]))
    def lex_range(self, key, lo, hi, cmd):
        if not self.one_score(key):
            return
        self.check(cmd, key, lo, hi)

    @rule(key=KEYS, cmd=st.sampled_from(["ZPOPMIN", "ZPOPMAX"]),
          count=st.none() | st.sampled_from(["0", "1", "2", "10", "-1", "x"]))
    def zpop(self, key, cmd, count):
        self.check(cmd, key, *([] if count is None else [count]))

    @rule(keys=KEY_LISTS, end=st.sampled_from(["MIN", "MAX"]),
          count=st.none() | st.sampled_from(["1", "2", "0", "x"]))
    def zmpop(self, keys, end, count):
        self.check("ZMPOP", str(len(keys)), *keys, end,
                   *([] if count is None else ["COUNT", count]))

    @rule(cmd=st.sampled_from(["ZUNIONSTORE", "ZINTERSTORE"]), dst=KEYS, keys=KEY_LISTS,
          weights=st.none() | st.lists(WEIGHTS, min_size=3, max_size=3), agg=AGGREGATES)
    def combine_store(self, cmd, dst, keys, weights, agg):
        args = [] if weights is None else ["WEIGHTS", *weights[:len(keys)]]
        args += [] if agg is None else ["AGGREGATE", agg]
        self.check(cmd, dst, str(len(keys)), *keys, *args)

    @rule(cmd=st.sampled_from(["ZUNION", "ZINTER"]), keys=KEY_LISTS,
          weights=st.none() | st.lists(WEIGHTS, min_size=3, max_size=3), agg=AGGREGATES,
          withscores=st.booleans())
    def combine(self, cmd, keys, weights, agg, withscores):
        args = [] if weights is None else ["WEIGHTS", *weights[:len(keys)]]
        args += [] if agg is None else ["AGGREGATE", agg]
        self.check(cmd, str(len(keys)), *keys, *args, *(["WITHSCORES"] if withscores else []))

    @rule(dst=KEYS, keys=KEY_LISTS, store=st.booleans(), withscores=st.booleans())
    def zdiff(self, dst, keys, store, withscores):
        if store:
            self.check("ZDIFFSTORE", dst, str(len(keys)), *keys)
        else:
            self.check("ZDIFF", str(len(keys)), *keys, *(["WITHSCORES"] if withscores else []))

    @rule(keys=KEY_LISTS, limit=st.none() | st.sampled_from(["0", "1", "2", "-1", "x"]))
    def zintercard(self, keys, limit):
        self.check("ZINTERCARD", str(len(keys)), *keys,
                   *([] if limit is None else ["LIMIT", limit]))


def test_zset_state_machine(diff):
    ZSetMachine.diff = diff
    run_state_machine_as_test(ZSetMachine, settings=STATE_SETTINGS)
