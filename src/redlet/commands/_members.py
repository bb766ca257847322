"""Helpers shared by the hash and set commands: random picks and the
HSCAN/SSCAN walk.  No commands here.

Python's dicts and sets expose no random access, so a random pick walks the
container to a random position (a C-speed iteration, O(n)); picks of several
elements copy the names once and sample the copy.  Both are uniform, as
Redis' picks are (near) uniform.
"""
import random
from itertools import islice

from ..keyspace.scan import parse_scan_options, pattern_matcher, scan_page


def random_one(container):
    """One element name of a non-empty dict or set, uniformly."""
    return next(islice(iter(container), random.randrange(len(container)), None))


def random_distinct(container, count):
    """``count`` distinct element names (``count`` < len), in random order."""
    if count == 1:
        return [random_one(container)]
    return random.sample(list(container), count)


def random_repeated(container, count):
    """``count`` element names drawn independently (repeats allowed)."""
    if count == 1:
        return [random_one(container)]
    return random.choices(list(container), k=count)


def scan_reply(value, cursor, args, whole, pairs, source=None):
    """One HSCAN/SSCAN call over ``value`` (None if the key is missing).

    As Redis 7.0: the caller parses the cursor (``parse_cursor``) first, then
    looks the key up, and the options are read only when the key exists, so a
    missing key answers an empty page whatever the options.  ``whole`` is the size up to which the
    collection is answered in one call (Redis' listpack/intset encodings);
    ``pairs`` adds each field's value after it (HSCAN); ``source`` is the order to
    walk (default: the value's own).
    """
    if value is None:
        return [b"0", []]
    pattern, count, _ = parse_scan_options(args, allow_type=False)
    nxt, candidates = scan_page(value, value if source is None else source, cursor, count,
                                whole)
    match = pattern_matcher(pattern)
    out = []
    if pairs:
        get = value.get
        for f in candidates:
            v = get(f)
            if v is not None and (match is None or match(f)):
                out.append(f)
                out.append(v)
    else:
        for m in candidates:
            if m in value and (match is None or match(m)):
                out.append(m)
    return [b"%d" % nxt, out]
