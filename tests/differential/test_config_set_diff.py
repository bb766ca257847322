"""CONFIG SET of every setting redlet declares, against redis-server: edge
values per type (negative, 0, beyond int and long long, non-numeric, units,
the empty string) must get the same reply, and CONFIG GET the same value
afterwards; each setting is put back to its own value after every attempt.

A few values are left out on purpose, each for a reason given below."""
import pytest

from redlet.config import SETTINGS, SETTINGS_BY_NAME

NUMERIC = ["-5", "-1", "0", "1", "5", "64", "500", "501", "65535", "65536", "1048576",
           "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967295",
           "4294967296", "9223372036854775807", "9223372036854775808",
           "-9223372036854775808", "-9223372036854775809", "18446744073709551615",
           "18446744073709551616", "99999999999999999999", "abc", "", "1k", "1kb", "1K",
           "1Gb", "2mb", "1m", "1g", "1b", "k", "-1k", "1.5", "1.5k", "1e3", " 1", "1 ",
           "+1", "01", "00", "-0", "0x10", "1t", "1kk", "9999999999999999999k",
           "8589934592gb", "17179869184gb"]
BOOL = ["yes", "no", "YES", "No", "1", "0", "", "true", " yes", "yes "]
ENUM_EXTRA = ["", "abc", "YES", "No", "no ", " yes", "relative", "absolute", "Local",
              "always", "EVERYSEC", "allkeys-LRU", "nothing", "warning", "clients",
              "optional", "allchannels"]
STRING = ["", "abc", "a b", "/nonexistent/file"]
FLAGS = ["default", "save", "nosave", "now", "force", "SAVE", "now save", "force nosave now",
         "default now", "save save", "nosave save", "  save", "save  now", "", "bogus",
         "save bogus"]
SAVE = ["", "100", "100 10", "abc 1", "-1 1", "1 -1", "0 0", "1 0", "0 1", "100 10 200",
        "100 10 200 20", "01 1", "+1 1", "99999999999 1", "99999999999999999999 1",
        "1 99999999999", "1 2147483648", "1 4294967295", "1.5 1", "1 1a", "0x10 1",
        "-9223372036854775809 1", "3600 1 3600 1"]
OBUF = ["normal 1 2 3", "normal 1k 2mb 3", "normal", "bogus 1 2 3", "master 1 2 3",
        "normal -1 2 3", "normal a 2 3", "normal 1 2 -3", "normal 1 2 a", "normal 1 2 3.5",
        "normal 1.5 0 0", "normal 1 2 99999999999", "normal 1 2 99999999999999999999",
        "normal 1 2 2147483648", "normal 1 2 4294967296", "normal 1 2 +3", "normal 1 2 -0",
        "normal 1 2 01", "replica 1 2 3", "slave 1 2 3", "pubsub 1 2 3 normal 0 0 0",
        "normal 1 2 3 x", "", "NORMAL 1 2 3", "normal 99999999999999999999 0 0",
        "normal k kb 0", "normal 1 1 1 bogus 1 1 1", "normal 0 0 0 normal 1 1 1"]
NOTIFY = ["", "A", "KEA", "x", "Kx", "AK", "K", "E", "g$", "n", "Am", "KEAm", "KEAn",
          "KEA  ", "AAA", "gA", "KA", "z", "lshzxetd", "Kg$lshzxetd", "Y", "a", "KEA1"]

# values whose outcome depends on the server rather than on parsing: these
# change where the servers listen or who may connect, start an AOF rewrite,
# make Redis spend seconds raising its file limit (maxclients),
# or are refused by this Redis build only (activedefrag needs Redis' own
# jemalloc; tls-replication/tls-cluster reload TLS without certificates)
EXCLUDED = {
    "port": {"0", "1", "5", "64", "500", "501", "65535", "1048576"},
    "bind": set(STRING),
    "requirepass": set(STRING),
    "appendonly": {"yes", "YES"},
    "maxclients": {"65535", "65536", "1048576", "2147483647", "2147483648", "4294967295"},
    "activedefrag": {"yes", "YES"},
    "tls-replication": {"yes", "YES"},
    "tls-cluster": {"yes", "YES"},
}


def _values(setting):
    k = setting.kind
    if k in ("int", "memory"):
        return NUMERIC
    if k == "bool":
        return BOOL
    if k == "enum":
        return list(setting.choices) + [c.upper() for c in setting.choices] + ENUM_EXTRA
    if k == "flags":
        return FLAGS
    if k == "save":
        return SAVE
    if k == "obuf":
        return OBUF
    if k == "notify":
        return NOTIFY
    return STRING


def _names():
    names = []
    for s in SETTINGS:
        if s.multi:     # loadmodule, user, rename-command: start-up only
            continue
        names.append(s.name)
        names.extend(s.aliases)
    return names


def _value_of(reply):
    """The value in a one-setting CONFIG GET reply (None when unknown)."""
    parts = reply.split(b"\r\n")
    return None if reply == b"*0\r\n" else parts[-2]


@pytest.mark.parametrize("name", _names())
def test_config_set_every_value(diff, name):
    rconn, lconn = diff.conns
    originals = [_value_of(c.send("CONFIG", "GET", name)) for c in diff.conns]
    assert originals[0] is not None, "%s: redis-server does not know this setting" % name
    skip = EXCLUDED.get(SETTINGS_BY_NAME[name].name, set())
    mismatches = []
    for value in _values(SETTINGS_BY_NAME[name]):
        if value in skip:
            continue
        replies = [c.send("CONFIG", "SET", name, value) for c in diff.conns]
        values = [c.send("CONFIG", "GET", name) for c in diff.conns]
        for conn, original in zip(diff.conns, originals):
            conn.send("CONFIG", "SET", name, original)
        if replies[0] != replies[1]:
            mismatches.append("SET %r: redis %r, redlet %r" % (value, *replies))
        elif values[0] != values[1] and originals[0] == originals[1]:
            mismatches.append("GET after %r: redis %r, redlet %r" % (value, *values))
    assert [_value_of(c.send("CONFIG", "GET", name)) for c in diff.conns] == originals
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("cmd", [
    ("CONFIG", "SET", "lua-replicate-commands", "yes"),
    ("CONFIG", "GET", "lua-replicate-commands"),
    ("CONFIG", "SET", "locale-collate", "C"),
    ("CONFIG", "SET", "no-such-setting", "1"),
    ("CONFIG", "SET", "hz", "0", "hz", "5"),
    ("CONFIG", "SET", "hz", "abc", "maxmemory-samples", "0"),
    ("CONFIG", "SET", "tls-port", "0"),
    ("CONFIG", "SET", "tls-port", "6390"),
    ("CONFIG", "SET", "loadmodule", "/nonexistent.so"),
    ("CONFIG", "SET", "rename-command", "GET FOO"),
], ids=lambda c: " ".join(c[1:]))
def test_config_set_special(diff, cmd):
    diff.check(*cmd)
    if cmd[1] == "SET" and cmd[2] not in ("loadmodule", "rename-command"):
        diff.check("CONFIG", "GET", cmd[2])
