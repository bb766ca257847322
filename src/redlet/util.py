"""Small helpers shared by command groups: Redis' glob matching, number parsing."""
import math

from . import errors
from .errors import ReplyError

_NOT_INTEGER = ReplyError(errors.NOT_INTEGER)
_NOT_FLOAT = ReplyError(errors.NOT_FLOAT)

INT64_MIN = -2 ** 63
INT64_MAX = 2 ** 63 - 1


def parse_int(b, error=_NOT_INTEGER):
    """A signed 64-bit integer in Redis' strict syntax (string2ll: no spaces,
    no '+', no leading zeros, no '-0'): exactly the canonical decimal form."""
    if b.isdigit() and len(b) < 19 and (b[0] != 48 or len(b) == 1):
        return int(b)               # the common case: a small non-negative number
    try:
        v = int(b)
    except (ValueError, TypeError):
        raise error from None
    if b"%d" % v != b or v > INT64_MAX or v < INT64_MIN:
        raise error
    return v


def parse_float(b, error=_NOT_FLOAT):
    """A double as Redis parses one with strtod: ``inf``, ``1e5``, hex floats;
    no surrounding spaces, no NaN, no overflow to infinity or underflow to 0."""
    if b.isdigit() and len(b) < 300:    # the common case: a plain non-negative integer
        return float(b)
    if not b or b[0] in b" \t\r\n\v\f" or b[-1] in b" \t\r\n\v\f" or b"_" in b:
        raise error
    try:
        v = float(b)
    except ValueError:
        if not b.lower().lstrip(b"+-").startswith(b"0x"):
            raise error from None
        try:
            v = float.fromhex(b.decode("ascii"))
        except (ValueError, UnicodeDecodeError, OverflowError):
            raise error from None
    if v != v:
        raise error
    if v in (math.inf, -math.inf):
        if b.lstrip(b"+-").lower() not in (b"inf", b"infinity"):
            raise error        # ERANGE overflow
    elif v == 0.0:
        mantissa = b.lower().split(b"e", 1)[0]
        if any(0x31 <= c <= 0x39 for c in mantissa):
            raise error        # ERANGE underflow
    return v


def is_finite(v):
    return not (math.isinf(v) or math.isnan(v))


def glob_match(pattern, string, nocase=False):
    """Redis' ``stringmatchlen``: ``*``, ``?``, ``[...]`` with ``^`` and ranges, ``\\`` escapes."""
    if pattern == b"*":
        return True
    if nocase:
        pattern = pattern.lower()
        string = string.lower()
    return _match(pattern, 0, string, 0, {})


def _match(p, pi, s, si, memo):
    plen, slen = len(p), len(s)
    while pi < plen and si < slen:
        c = p[pi]
        if c == 0x2A:                       # '*'
            while pi + 1 < plen and p[pi + 1] == 0x2A:
                pi += 1
            if pi + 1 == plen:
                return True
            for k in range(si, slen + 1):
                key = (pi + 1, k)
                r = memo.get(key)
                if r is None:
                    r = memo[key] = _match(p, pi + 1, s, k, memo)
                if r:
                    return True
            return False
        if c == 0x3F:                       # '?'
            si += 1
        elif c == 0x5B:                     # '['
            pi += 1
            neg = pi < plen and p[pi] == 0x5E
            if neg:
                pi += 1
            matched = False
            ch = s[si]
            while True:
                if pi < plen and p[pi] == 0x5C and pi + 1 < plen:
                    pi += 1
                    if p[pi] == ch:
                        matched = True
                elif pi >= plen:
                    pi -= 1
                    break
                elif p[pi] == 0x5D:
                    break
                elif pi + 2 < plen and p[pi + 1] == 0x2D:
                    lo, hi = p[pi], p[pi + 2]
                    if lo > hi:
                        lo, hi = hi, lo
                    if lo <= ch <= hi:
                        matched = True
                    pi += 2
                elif p[pi] == ch:
                    matched = True
                pi += 1
            if neg:
                matched = not matched
            if not matched:
                return False
            si += 1
        else:
            if c == 0x5C and pi + 1 < plen:  # '\' escape
                pi += 1
                c = p[pi]
            if c != s[si]:
                return False
            si += 1
        pi += 1
        if si == slen:
            while pi < plen and p[pi] == 0x2A:
                pi += 1
            break
    return pi == plen and si == slen



class Ticker:
    """Calls ``fn()`` every ``interval`` seconds in a real OS thread, also in a
    process monkey-patched by gevent (there a patched thread is a greenlet,
    and an fsync in it would block the hub).  ``stop()`` waits for the
    thread to finish its current call."""

    def __init__(self, interval, fn, name="redlet-ticker"):
        self.interval = interval
        self.fn = fn
        self.name = name
        self._stopping = False
        self._done = True

    def start(self):
        if not self._done:
            return
        self._stopping = False
        self._done = False
        _os_thread_start()(self._run, ())

    def _run(self):
        sleep = _os_sleep()
        try:
            while True:
                waited = 0.0
                while waited < self.interval and not self._stopping:
                    sleep(0.05)
                    waited += 0.05
                if self._stopping:
                    return
                self.fn()
        finally:
            self._done = True

    def stop(self, timeout=2.0):
        self._stopping = True
        sleep = _os_sleep()
        waited = 0.0
        while not self._done and waited < timeout:
            sleep(0.01)
            waited += 0.01


def _original(module, name):
    try:
        from gevent import monkey
    except ImportError:
        return getattr(__import__(module), name)
    return monkey.get_original(module, name)


def _os_thread_start():
    return _original("_thread", "start_new_thread")


def _os_sleep():
    return _original("time", "sleep")
