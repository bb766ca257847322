"""Connection and server commands, and the dispatcher's gates, in-process."""
import pytest

from redlet.config import Config
from redlet.app import build_engine
from redlet.protocol import make_parser


def test_ping_echo(run):
    assert run("PING") == b"+PONG\r\n"
    assert run("ping", "hi") == b"$2\r\nhi\r\n"
    assert run("PING", "a", "b") == b"-ERR wrong number of arguments for 'ping' command\r\n"
    assert run("ECHO", "x") == b"$1\r\nx\r\n"
    assert run("ECHO") == b"-ERR wrong number of arguments for 'echo' command\r\n"


def test_unknown_command_texts(run):
    assert run("FOO") == b"-ERR unknown command 'FOO', with args beginning with: \r\n"
    assert run("foo", "a", "b") == \
        b"-ERR unknown command 'foo', with args beginning with: 'a' 'b' \r\n"
    long = run("foo", "x" * 200)
    assert long == b"-ERR unknown command 'foo', with args beginning with: '" + \
        b"x" * 128 + b"' \r\n"


def test_subcommand_errors(run):
    assert run("CONFIG") == b"-ERR wrong number of arguments for 'config' command\r\n"
    assert run("CONFIG", "nope") == b"-ERR unknown subcommand 'nope'. Try CONFIG HELP.\r\n"
    assert run("CONFIG", "GET") == \
        b"-ERR wrong number of arguments for 'config|get' command\r\n"
    assert run("client", "id").startswith(b":")


def test_select(run):
    assert run("SELECT", "15") == b"+OK\r\n"
    assert run("SELECT", "16") == b"-ERR DB index is out of range\r\n"
    assert run("SELECT", "-1") == b"-ERR DB index is out of range\r\n"
    assert run("SELECT", "x") == b"-ERR value is not an integer or out of range\r\n"


def test_hello(session):
    s = session()
    r = s("HELLO", "3")
    assert r.startswith(b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15")
    assert b"$5\r\nproto\r\n:3\r\n" in r
    assert s.client.resp3
    assert s("HELLO", "4") == b"-NOPROTO unsupported protocol version\r\n"
    assert s("HELLO", "x") == \
        b"-ERR Protocol version is not an integer or out of range\r\n"
    assert s("HELLO", "2", "FOO") == b"-ERR Syntax error in HELLO option 'FOO'\r\n"
    r = s("HELLO", "2", "SETNAME", "me")
    assert r.startswith(b"*14\r\n") and not s.client.resp3
    assert s("CLIENT", "GETNAME") == b"$2\r\nme\r\n"


def test_auth_without_password(run):
    assert run("AUTH", "x").startswith(b"-ERR AUTH <password> called without any password")
    assert run("AUTH", "default", "x") == b"+OK\r\n"
    assert run("AUTH", "other", "x") == \
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"


def test_requirepass_gate():
    cfg = Config()
    cfg.values["requirepass"] = "pw"
    engine = build_engine(cfg)
    c = engine.new_client()
    run = lambda *a: engine.process_batch(c, [[x.encode() for x in a]])
    assert run("DBSIZE") == b"-NOAUTH Authentication required.\r\n"
    assert run("NOSUCH").startswith(b"-ERR unknown command")   # lookup comes first
    assert run("PING") == b"-NOAUTH Authentication required.\r\n"
    assert run("AUTH", "bad") == \
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    assert run("AUTH", "pw") == b"+OK\r\n"
    assert run("PING") == b"+PONG\r\n"
    assert run("RESET") == b"+RESET\r\n"
    assert run("PING") == b"-NOAUTH Authentication required.\r\n"
    assert run("HELLO", "3", "AUTH", "default", "pw").startswith(b"%7\r\n")


def test_client_commands(session):
    s = session()
    assert s("CLIENT", "SETNAME", "a b") == \
        b"-ERR Client names cannot contain spaces, newlines or special characters.\r\n"
    assert s("CLIENT", "GETNAME") == b"$-1\r\n"
    assert s("CLIENT", "SETNAME", "n1") == b"+OK\r\n"
    assert s("CLIENT", "ID") == b":%d\r\n" % s.client.id
    info = s("CLIENT", "INFO")
    assert b"name=n1" in info and b"id=%d " % s.client.id in info
    assert s("CLIENT", "SETINFO", "LIB-NAME", "redis-py") == b"+OK\r\n"
    assert s("CLIENT", "SETINFO", "BAD", "x") == b"-ERR Unrecognized option 'BAD'\r\n"
    other = session()
    assert s("CLIENT", "KILL", "ID", str(other.client.id)) == b":1\r\n"
    assert other.client.closing
    assert s("CLIENT", "KILL", "ID", "99999") == b":0\r\n"
    assert s("CLIENT", "LIST", "TYPE", "bogus") == b"-ERR Unknown client type 'bogus'\r\n"


def test_quit_closes(session):
    s = session()
    assert s("QUIT") == b"+OK\r\n"
    assert s.client.closing


def test_dbsize_flush_swapdb(engine, session):
    s = session()
    db0, db1 = engine.dbs[0], engine.dbs[1]
    db0.set(b"a", b"1")
    db0.set(b"b", b"2")
    db1.set(b"c", b"3")
    assert s("DBSIZE") == b":2\r\n"
    assert s("SWAPDB", "0", "1") == b"+OK\r\n"
    assert s("DBSIZE") == b":1\r\n"
    assert s("SWAPDB", "0", "x") == b"-ERR invalid second DB index\r\n"
    assert s("SWAPDB", "0", "99") == b"-ERR DB index is out of range\r\n"
    assert s("FLUSHDB", "BAD") == b"-ERR syntax error\r\n"
    assert s("FLUSH") == b":1\r\n"              # the seed's FLUSH returns the count
    assert s("DBSIZE") == b":0\r\n"
    assert s("FLUSHALL", "ASYNC") == b"+OK\r\n"
    assert len(engine.dbs[1]) == 0


def test_config_get_set(session):
    s = session()
    assert s("CONFIG", "GET", "maxmemory") == b"*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n"
    assert s("CONFIG", "SET", "maxmemory", "10mb") == b"+OK\r\n"
    assert s("CONFIG", "GET", "maxmemory") == \
        b"*2\r\n$9\r\nmaxmemory\r\n$8\r\n10485760\r\n"
    assert s("CONFIG", "SET", "maxmemory", "lots") == (
        b"-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - "
        b"argument must be a memory value\r\n")
    assert s("CONFIG", "SET", "nosuch", "1") == \
        b"-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n"
    assert s("CONFIG", "SET", "daemonize", "yes") == (
        b"-ERR CONFIG SET failed (possibly related to argument 'daemonize') - "
        b"can't set immutable config\r\n")
    assert s("CONFIG", "SET", "dir", "/tmp") == (
        b"-ERR CONFIG SET failed (possibly related to argument 'dir') - "
        b"can't set protected config\r\n")
    r3 = session(resp3=True)
    assert r3("CONFIG", "GET", "timeout") == b"%1\r\n$7\r\ntimeout\r\n$1\r\n0\r\n"
    assert s("CONFIG", "SET", "save", "") == b"+OK\r\n"
    assert s("CONFIG", "GET", "save") == b"*2\r\n$4\r\nsave\r\n$0\r\n\r\n"


def test_info_sections(session):
    s = session()
    text = s("INFO")
    for section in (b"# Server", b"# Clients", b"# Memory", b"# Persistence", b"# Stats",
                    b"# Replication", b"# CPU", b"# Keyspace"):
        assert section in text
    assert b"redis_version:7.0.15" in text
    assert s("INFO", "keyspace") == b"$12\r\n# Keyspace\r\n\r\n"
    s("PING")
    assert b"cmdstat_ping:calls=" in s("INFO", "commandstats")
    r3 = session(resp3=True)
    assert r3("INFO", "keyspace") == b"=16\r\ntxt:# Keyspace\r\n\r\n"


def test_command_table(session):
    s = session()
    count = int(s("COMMAND", "COUNT")[1:-2])
    assert count >= 20
    info = s("COMMAND", "INFO", "ping", "nosuch")
    assert info.startswith(b"*2\r\n*10\r\n$4\r\nping\r\n:-1\r\n")
    assert info.endswith(b"$-1\r\n")
    docs = s("COMMAND", "DOCS", "ping")
    assert b"summary" in docs and b"connection" in docs
    assert s("COMMAND", "GETKEYS", "ping") == \
        b"-ERR wrong number of arguments for 'command|getkeys' command\r\n"
    assert s("COMMAND", "GETKEYS", "ping", "x") == b"-ERR The command has no key arguments\r\n"
    assert s("COMMAND", "GETKEYS", "nosuch", "x") == b"-ERR Invalid command specified\r\n"


def test_typed_arguments_become_bytes_for_plain_commands(engine, session):
    s = session()
    reqs, err = make_parser().feed(b"*2\r\n$4\r\nECHO\r\n:42\r\n*2\r\n$4\r\nECHO\r\n,1.5\r\n")
    assert err is None
    assert engine.process_batch(s.client, reqs) == b"$2\r\n42\r\n$3\r\n1.5\r\n"
    reqs, err = make_parser().feed(b"*2\r\n$4\r\nECHO\r\n*1\r\n:1\r\n")
    assert engine.process_batch(s.client, reqs) == \
        b"-ERR typed value not allowed as this argument\r\n"


def test_errors_are_counted(session):
    s = session()
    s("NOSUCH")
    s("ECHO")
    stats = s("INFO", "errorstats")
    assert b"errorstat_ERR:count=2" in stats


@pytest.mark.parametrize("mode", [b"SYNC", b"ASYNC"])
def test_flushall_modes(run, mode):
    assert run("FLUSHALL", mode) == b"+OK\r\n"


def test_one_batch_stops_at_the_output_limit():
    """A single read can ask for far more output than the limit allows: the
    batch stops once its replies pass the hard limit, the replies are
    dropped and the client is closing (nothing piles up in memory)."""
    cfg = Config()
    engine = build_engine(cfg)
    c = engine.new_client()
    assert engine.process_batch(c, [[b"CONFIG", b"SET", b"client-output-buffer-limit",
                                     b"normal 1mb 0 0"]]) == b"+OK\r\n"
    assert engine.process_batch(c, [[b"SET", b"big", b"v" * 100_000]]) == b"+OK\r\n"
    reply = engine.process_batch(c, [[b"GET", b"big"]] * 5)
    assert reply == (b"$100000\r\n" + b"v" * 100_000 + b"\r\n") * 5
    assert not c.closing
    before = engine.stats["total_commands_processed"]
    assert engine.process_batch(c, [[b"GET", b"big"]] * 1000) == b""
    assert c.closing
    # it stopped at the limit: 1 MB is 11 replies of 100 KB, not 1000
    assert engine.stats["total_commands_processed"] - before == 11


def test_big_array_replies_count_toward_the_output_limit():
    cfg = Config()
    engine = build_engine(cfg)
    c = engine.new_client()
    assert engine.process_batch(c, [[b"CONFIG", b"SET", b"client-output-buffer-limit",
                                     b"normal 1mb 0 0"]]) == b"+OK\r\n"
    engine.process_batch(c, [[b"RPUSH", b"l"] + [b"x" * 1000] * 100])
    before = engine.stats["total_commands_processed"]
    assert engine.process_batch(c, [[b"LRANGE", b"l", b"0", b"-1"]] * 100) == b""
    assert c.closing
    # replies of 100 KB: past 1 MB after 11, counted every few replies
    assert 11 <= engine.stats["total_commands_processed"] - before <= 16
