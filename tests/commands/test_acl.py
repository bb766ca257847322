"""ACL users in process: the ACL file (SAVE/LOAD round trip, loading at
start), ``user`` directives, the default user following ``requirepass``, and
the hot path staying on while no user is restricted."""
import hashlib

import pytest

import redlet
from redlet.app import build_engine
from redlet.config import Config


def _engine(**values):
    cfg = Config()
    cfg.values["save"] = []
    for k, v in values.items():
        cfg.values[k] = v
    return build_engine(cfg)


class _Client:
    def __init__(self, engine):
        self.engine = engine
        self.client = engine.new_client()

    def __call__(self, *args):
        argv = [a if isinstance(a, bytes) else str(a).encode() for a in args]
        return self.engine.process_batch(self.client, [argv])


def test_save_load_round_trip(tmp_path):
    path = tmp_path / "users.acl"
    path.write_text("")             # Redis refuses to start without the file
    e = _engine(aclfile=str(path))
    c = _Client(e)
    assert c("ACL", "SETUSER", "alice", "on", ">secret", "~app:*", "%R~ro:*", "&news.*",
             "+@read", "-keys", "+set") == b"+OK\r\n"
    assert c("ACL", "SETUSER", "bob", "off", "nopass", "allcommands", "allkeys") == b"+OK\r\n"
    before = c("ACL", "LIST")
    assert c("ACL", "SAVE") == b"+OK\r\n"
    text = path.read_text()
    assert text.startswith("user alice on #%s ~app:* %%R~ro:* resetchannels &news.* -@all "
                           "+@read" % hashlib.sha256(b"secret").hexdigest())
    assert text.count("\n") == 3
    assert c("ACL", "DELUSER", "alice", "bob") == b":2\r\n"
    assert c("ACL", "LOAD") == b"+OK\r\n"
    assert c("ACL", "LIST") == before
    other = _Client(e)
    assert other("AUTH", "alice", "secret") == b"+OK\r\n"
    assert other("SET", "app:1", "x") == b"+OK\r\n"
    assert other("SET", "ro:1", "x") == (b"-NOPERM this user has no permissions to access one "
                                         b"of the keys used as arguments\r\n")
    assert other("GET", "ro:1") == b"$-1\r\n"


def test_load_keeps_users_on_error(tmp_path):
    path = tmp_path / "users.acl"
    path.write_text("")             # Redis refuses to start without the file
    e = _engine(aclfile=str(path))
    c = _Client(e)
    c("ACL", "SETUSER", "keep", "on", "nopass")
    path.write_text("user ok on nopass\nuser bad on +nosuchcommand\n")
    reply = c("ACL", "LOAD")
    assert reply.startswith(b"-ERR ") and b":2: " in reply
    assert c("ACL", "USERS") == b"*2\r\n$7\r\ndefault\r\n$4\r\nkeep\r\n"
    path.write_text("user a on nopass\nuser a off\n")
    assert b"Duplicate user 'a'" in c("ACL", "LOAD")
    path.unlink()
    assert c("ACL", "LOAD").startswith(b"-ERR Error loading ACLs, opening file")


def test_missing_aclfile_at_start(tmp_path):
    with pytest.raises(SystemExit):
        _engine(aclfile=str(tmp_path / "missing.acl"))


def test_no_aclfile_errors():
    c = _Client(_engine())
    for sub in ("SAVE", "LOAD"):
        assert c("ACL", sub).startswith(
            b"-ERR This Redis instance is not configured to use an ACL file.")


def test_aclfile_loaded_at_start_by_serve(tmp_path):
    path = tmp_path / "users.acl"
    path.write_text("user default off\nuser app on >pw ~app:* +@all\n")
    with redlet.serve(aclfile=str(path)) as server:
        import redis
        anon = redis.Redis(host="127.0.0.1", port=server.port)
        with pytest.raises(redis.AuthenticationError):
            anon.ping()
        r = redis.Redis(host="127.0.0.1", port=server.port, username="app", password="pw")
        assert r.acl_whoami() == "app"
        assert r.set("app:1", "v") is True
        with pytest.raises(redis.exceptions.NoPermissionError):
            r.set("other", "v")
        assert [u for u in r.acl_users()] == ["app", "default"]
        anon.close()
        r.close()


def test_user_directives():
    cfg = Config()
    cfg.values["save"] = []
    cfg.load_text('user worker on >w ~jobs:* +@list\n')
    e = build_engine(cfg)
    c = _Client(e)
    line = ("user worker on #%s ~jobs:* resetchannels -@all +@list"
            % hashlib.sha256(b"w").hexdigest()).encode()
    assert c("ACL", "LIST") == (b"*2\r\n$34\r\nuser default on nopass ~* &* +@all\r\n"
                                b"$%d\r\n%s\r\n" % (len(line), line))
    w = _Client(e)
    assert w("AUTH", "worker", "w") == b"+OK\r\n"
    assert w("LPUSH", "jobs:1", "x") == b":1\r\n"
    assert w("GET", "jobs:1").startswith(b"-NOPERM")


def test_default_user_follows_requirepass():
    e = _engine(requirepass="s3")
    c = _Client(e)
    assert c("PING").startswith(b"-NOAUTH")
    assert c("AUTH", "s3") == b"+OK\r\n"
    assert c("CONFIG", "SET", "requirepass", "") == b"+OK\r\n"
    assert _Client(e)("PING") == b"+PONG\r\n"
    assert c("ACL", "GETUSER", "default").split(b"\r\n")[4:8] == [
        b"$2", b"on", b"$6", b"nopass"]


def test_hot_path_only_while_unrestricted():
    e = _engine()
    acl = e.acl
    assert acl.hot_ok()
    c = _Client(e)
    c("ACL", "SETUSER", "free", "on", "nopass", "+@all", "~*", "&*")
    assert acl.hot_ok()
    c("ACL", "SETUSER", "tight", "on", "nopass", "+get")
    assert not acl.hot_ok()
    c("ACL", "DELUSER", "tight")
    assert acl.hot_ok()


def test_script_calls_are_checked():
    e = _engine()
    c = _Client(e)
    c("ACL", "SETUSER", "lua", "on", "nopass", "+eval", "+get", "~*")
    u = _Client(e)
    assert u("AUTH", "lua", "x") == b"+OK\r\n"
    reply = u("EVAL", "return redis.call('set','k','v')", "0")
    assert reply.startswith(b"-ERR The user executing the script can't run this command or "
                            b"subcommand")
    assert u("EVAL", "return redis.call('get','k')", "0") == b"$-1\r\n"
