"""CONFIG SET of paths and limits against redis-server: protected configs
(``dir``, ``dbfilename``) refused unless ``enable-protected-configs`` allows
it, immutable ones (``appendfilename``, ``appenddirname``,
``enable-protected-configs`` itself) always; ``tcp-keepalive``, ``timeout``,
``maxclients``, ``client-query-buffer-limit`` and ``proto-max-bulk-len`` read
and set as Redis does (issue 9)."""
import pytest

PROTECTED = [
    ("CONFIG", "SET", "dir", "/tmp"),
    ("CONFIG", "SET", "dbfilename", "other.rdb"),
    ("CONFIG", "SET", "appendfilename", "other.aof"),
    ("CONFIG", "SET", "appenddirname", "elsewhere"),
    ("CONFIG", "SET", "enable-protected-configs", "yes"),
    ("CONFIG", "SET", "enable-debug-command", "yes"),
    ("CONFIG", "SET", "enable-module-command", "yes"),
    ("CONFIG", "GET", "enable-protected-configs"),
    ("CONFIG", "GET", "enable-debug-command"),
]


@pytest.mark.parametrize("cmd", PROTECTED, ids=[" ".join(c[1:3]) for c in PROTECTED])
def test_protected_and_immutable(diff, cmd):
    diff.check(*cmd)


LIMITS = [
    ("tcp-keepalive", ["60", "0", "-1", "abc", "300"]),
    ("timeout", ["5", "-1", "0"]),
    ("client-query-buffer-limit", ["2mb", "1048575", "1gb"]),
    ("proto-max-bulk-len", ["1mb", "512mb"]),
    ("maxclients", ["100", "0", "10000"]),
]


@pytest.mark.parametrize("name,values", LIMITS, ids=[n for n, _ in LIMITS])
def test_limits_set_and_get(diff, name, values):
    diff.check("CONFIG", "GET", name)
    for v in values:
        diff.check("CONFIG", "SET", name, v)
        diff.check("CONFIG", "GET", name)


@pytest.mark.parametrize("cmd", [
    ("CONFIG", "GET", "loadmodule"), ("CONFIG", "GET", "user"),
    ("CONFIG", "GET", "rename-command"), ("CONFIG", "SET", "save", " "),
    ("CONFIG", "SET", "save", ""), ("CONFIG", "GET", "save"),
])
def test_config_file_only_and_blank_save(diff, cmd):
    diff.check(*cmd)
