"""Lua scripting against redis-server: EVAL/EVALSHA/SCRIPT/FUNCTION/FCALL,
the Lua <-> RESP conversions, error replies and the sandbox, raw reply bytes
compared over RESP2 and RESP3."""
import pytest

LIB = ("#!lua name=mylib\n"
       "redis.register_function('echo1', function(keys, args) return args[1] end)\n"
       "redis.register_function{function_name='ro', callback=function(keys, args) "
       "return redis.call('get', keys[1]) end, flags={'no-writes'}}\n"
       "redis.register_function('setit', function(keys, args) "
       "return redis.call('set', keys[1], args[1]) end)\n")


def both(diff, *cmd):
    diff.check(*cmd)
    return diff.check3(*cmd)


@pytest.mark.parametrize("script", [
    "return 1",
    "return 3.99",                     # numbers truncate to integers
    "return -7.5",
    "return 'hello'",
    "return true",
    "return false",
    "return nil",
    "return {}",
    "return {1, 2, {3, 'x'}, 'y'}",
    "return {1, nil, 3}",              # arrays stop at the first nil
    "return {ok='fine'}",
    "return {err='custom failure'}",
    "return {err='ERR my message'}",
    "return redis.status_reply('DONE')",
    "return redis.error_reply('MYERR something')",
    "return redis.error_reply('no code')",
    "return {1, 'two', {ok='three'}, {err='four'}}",
    "return #KEYS + #ARGV",
    "return redis.sha1hex('')",
    "return redis.sha1hex('abc')",
    "return tostring(0.1 + 0.2)",
    "return string.format('%d-%s', 5, 'x')",
    "return math.floor(2.7)",
    "return table.concat({'a','b','c'}, ',')",
    "return type(cjson)",
    "return cjson.encode({1, 2, 3})",
    "return cjson.encode({a={b='c'}})",
    "return cjson.decode('[1,2,\"x\"]')",
    "return cjson.decode('{\"a\":[1,2]}')['a'][2]",
    "return cmsgpack.unpack(cmsgpack.pack({1, 2, 'x'}))",
    "return bit.band(12, 10)",
    "return bit.bor(12, 10)",
    "return bit.bxor(12, 10)",
    "return bit.tohex(255)",
    "return struct.pack('>I2', 258)",
    "return {struct.unpack('>I2', 'ab')}",
])
def test_conversions(diff, script):
    both(diff, "EVAL", script, "0")


@pytest.mark.parametrize("script", [
    "redis.setresp(3); return redis.call('hgetall', KEYS[1])",
    "redis.setresp(3); return redis.call('smembers', 'nosuch')",
    "redis.setresp(3); return {double=3.5}",
    "redis.setresp(3); return {map={a=1}}",
    "redis.setresp(3); return {set={x=true}}",
    "redis.setresp(3); return redis.call('get', 'nosuch')",
    "return redis.call('hgetall', KEYS[1])",
])
def test_resp3_conversions(diff, script):
    diff.check("DEL", "h")
    diff.check("HSET", "h", "f", "v")
    both(diff, "EVAL", script, "1", "h")


def test_keys_and_argv_reach_the_script(diff):
    both(diff, "EVAL", "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}", "2", "k1", "k2", "a1", "a2")
    both(diff, "EVAL", "return redis.call('set', KEYS[1], ARGV[1])", "1", "sk", "val")
    both(diff, "GET", "sk")
    both(diff, "EVAL", "return redis.call('incrby', KEYS[1], ARGV[1])", "1", "cnt", "5")
    both(diff, "EVAL", "return redis.call('incrby', KEYS[1], ARGV[1])", "1", "cnt", "5")


@pytest.mark.parametrize("args", [
    ("EVAL", "return 1"),
    ("EVAL", "return 1", "x"),
    ("EVAL", "return 1", "-1"),
    ("EVAL", "return 1", "2", "a"),
    ("EVALSHA", "0000000000000000000000000000000000000000", "0"),
    ("EVALSHA", "short", "0"),
    ("SCRIPT", "EXISTS"),
    ("SCRIPT", "NOPE"),
    ("FCALL", "nosuchfunction", "0"),
    ("FUNCTION", "DELETE", "nosuchlib"),
])
def test_argument_errors(diff, args):
    both(diff, *args)


def test_evalsha_and_script_cache(diff):
    both(diff, "SCRIPT", "FLUSH")
    sha = diff.check("SCRIPT", "LOAD", "return ARGV[1]")
    assert sha.startswith(b"$40\r\n")
    sha = sha[5:45].decode()
    both(diff, "EVALSHA", sha, "0", "hi")
    both(diff, "EVALSHA", sha.upper(), "0", "hi")
    both(diff, "SCRIPT", "EXISTS", sha, "0" * 40)
    both(diff, "EVAL_RO", "return redis.call('get', KEYS[1])", "1", "nosuch")
    both(diff, "SCRIPT", "FLUSH")
    both(diff, "SCRIPT", "EXISTS", sha)
    both(diff, "EVALSHA", sha, "0", "hi")


@pytest.mark.parametrize("script", [
    "local r = redis.call('nosuchcommand') return r",
    "return redis.pcall('nosuchcommand')",
    "redis.call('set', 'str', 'x'); local r = redis.call('incr', 'str') return r",
    "redis.call('set', 'str', 'x'); return redis.pcall('incr', 'str')",
    "redis.call('set', 'str', 'x'); local r = redis.pcall('incr', 'str'); return r['err']",
    "local r = redis.call('get') return r",
    "local r = redis.call() return r",
    "local r = redis.call('set', 'k') return r",
    "\n\nlocal r = redis.call('set', 'k') return r",
    "local r = redis.call('multi') return r",
    "local r = redis.call('eval', 'return 1', '0') return r",
    "error('plain lua error')",
    "error({err='table error'})",
    "return nosuchglobal",
    "nosuchglobal = 1",
    "return loadstring('return 1')",
    "return os",
    "return io",
    "return 1 +",
])
def test_error_replies(diff, script):
    both(diff, "EVAL", script, "0")


@pytest.mark.xfail(strict=True, reason="known divergence: an error raised by redis.call or "
                   "cjson (which tail-calls internally) in tail position ('return redis.call(...)') is located at "
                   "'=(tail call):-1' instead of '@user_script:N' (our redis.call is a Lua "
                   "wrapper, so the tail call replaces the script's frame)")
@pytest.mark.parametrize("script", [
    "return redis.call('nosuchcommand')",
    "return cjson.decode('{bad')",
    "local r = cjson.decode('{bad') return r",                # cjson tail-calls inside
    "local t = {} ; t[1] = t ; local r = cjson.encode(t) return r",
])
def test_error_location_of_tail_calls(diff, script):
    both(diff, "EVAL", script, "0")


def test_eval_ro_and_no_writes_reject_writes(diff):
    both(diff, "EVAL_RO", "local r = redis.call('set', 'k', 'v') return r", "0")
    both(diff, "EVAL", "#!lua flags=no-writes\nlocal r = redis.call('set', 'k', 'v') return r",
         "0")
    both(diff, "EVAL", "#!lua flags=no-writes\nreturn redis.call('get', 'k')", "0")
    both(diff, "EVAL", "#!lua flags=bogus\nreturn 1", "0")
    both(diff, "EVAL", "#!lua\nreturn 1", "0")
    both(diff, "EVAL", "#!python\nreturn 1", "0")


def test_functions(diff):
    both(diff, "FUNCTION", "FLUSH")
    both(diff, "FUNCTION", "LOAD", LIB)
    both(diff, "FUNCTION", "LOAD", LIB)                   # already exists
    both(diff, "FUNCTION", "LOAD", "REPLACE", LIB)
    both(diff, "FCALL", "echo1", "0", "hello")
    both(diff, "FCALL", "setit", "1", "fk", "fv")
    both(diff, "FCALL_RO", "ro", "1", "fk")
    both(diff, "FCALL_RO", "setit", "1", "fk", "fv")
    both(diff, "FUNCTION", "LIST", "LIBRARYNAME", "nomatch")
    both(diff, "FUNCTION", "DELETE", "mylib")
    both(diff, "FCALL", "echo1", "0", "hello")
    both(diff, "FUNCTION", "LIST")
    # one function per library: Redis lists a library's functions in hash order
    one = "#!lua name=one\nredis.register_function('f1', function(k, a) return 1 end)"
    both(diff, "FUNCTION", "LOAD", one)
    both(diff, "FUNCTION", "LIST")
    both(diff, "FUNCTION", "LIST", "WITHCODE")
    both(diff, "FUNCTION", "LIST", "LIBRARYNAME", "on")


@pytest.mark.parametrize("code", [
    "return 1",
    "#!lua\nreturn 1",
    "#!lua name=\nreturn 1",
    "#!lua name=bad-name!\nredis.register_function('f', function() return 1 end)",
    "#!lua name=nofuncs\nlocal x = 1",
    "#!lua name=dup\nredis.register_function('f', function() return 1 end)\n"
    "redis.register_function('f', function() return 2 end)",
    "#!lua name=syntax\nthis is not lua",
])
def test_function_load_errors(diff, code):
    both(diff, "FUNCTION", "FLUSH")
    both(diff, "FUNCTION", "LOAD", code)


def test_function_dump_restore_round_trip(diff):
    """The payload is compared within each server (its bytes may differ)."""
    for conn in diff.conns:
        assert conn.send("FUNCTION", "FLUSH") == b"+OK\r\n"
        assert conn.send("FUNCTION", "LOAD", LIB) == b"$5\r\nmylib\r\n"
    for conn in diff.conns:
        raw = conn.send("FUNCTION", "DUMP")
        assert raw.startswith(b"$")
        payload = raw[raw.index(b"\r\n") + 2:-2]
        assert conn.send("FUNCTION", "RESTORE", payload) == \
            b"-ERR Library mylib already exists\r\n"
        assert conn.send("FUNCTION", "FLUSH") == b"+OK\r\n"
        assert conn.send("FUNCTION", "RESTORE", payload) == b"+OK\r\n"
        assert conn.send("FCALL", "echo1", "0", "back") == b"$4\r\nback\r\n"
        assert conn.send("FUNCTION", "RESTORE", payload, "REPLACE") == b"+OK\r\n"
        assert conn.send("FUNCTION", "RESTORE", b"garbage") .startswith(b"-ERR")
