"""Extension modules (issue 8) against a real embedded server and redis-py:
loadmodule at start, MODULE LOAD/LIST/UNLOAD, the refusal, COMMAND INFO,
MULTI, AOF replay after a restart, a bad module."""
import os

import pytest
import redis

import redlet

HELLO = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "modules", "hello.py")
HELLO = os.path.abspath(HELLO)

REFUSED = ("MODULE command not allowed. If the enable-module-command option is set to "
           "\"local\", you can run it from a local connection, otherwise you need to set "
           "this option in the configuration file, and then restart the server.")


def raw(server, *args):
    """A reply as sent, without redis-py's per-command parsing."""
    conn = server.client().connection_pool.get_connection()
    conn.send_command(*args)
    return conn.read_response()


def test_loadmodule_at_start_and_commands():
    with redlet.serve(loadmodule=HELLO) as s:
        r = s.client()
        assert r.execute_command("HELLO.GREET", "bob") == b"Hello, bob!"
        assert r.execute_command("hello.incrby", "k", 5) == 5
        assert r.execute_command("HELLO.INCRBY", "k", "-2") == 3
        assert r.get("k") == b"3"
        r.lpush("l", "x")
        with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
            r.execute_command("HELLO.INCRBY", "l", 1)
        with pytest.raises(redis.ResponseError,
                           match="wrong number of arguments for 'hello.greet' command"):
            r.execute_command("HELLO.GREET")
        # MODULE LIST is allowed with enable-module-command no, as in Redis
        assert r.module_list() == [{b"name": b"hello", b"ver": 1, b"path": HELLO.encode(),
                                    b"args": []}]
        names = [c[0] for c in raw(s, "COMMAND")]
        assert b"hello.greet" in names and b"hello.incrby" in names and b"get" in names
        assert raw(s, "COMMAND", "COUNT") == len(names)
        assert raw(s, "COMMAND", "LIST", "FILTERBY", "MODULE", "hello") == [
            b"hello.greet", b"hello.incrby"]
        assert raw(s, "COMMAND", "LIST", "FILTERBY", "MODULE", "nope") == []
        assert "module:name=hello,ver=1" in raw(s, "INFO", "modules").decode()
        with pytest.raises(redis.ResponseError) as e:
            r.execute_command("MODULE", "UNLOAD", "hello")
        assert str(e.value) == REFUSED


def test_command_info_of_extension_command():
    with redlet.serve(loadmodule=HELLO) as s:
        incr, greet = raw(s, "COMMAND", "INFO", "hello.incrby", "hello.greet")
        assert incr[0] == b"hello.incrby" and incr[1] == 3
        assert set(incr[2]) == {b"write", b"denyoom", b"module", b"fast"}
        assert incr[3:6] == [1, 1, 1]
        assert set(incr[6]) == {b"@write", b"@fast"}
        assert greet[1] == 2 and set(greet[2]) == {b"readonly", b"module", b"fast"}
        assert raw(s, "COMMAND", "GETKEYS", "HELLO.INCRBY", "kk", "1") == [b"kk"]


def test_module_load_list_unload():
    with redlet.serve(enable_module_command="yes") as s:
        r = s.client()
        with pytest.raises(redis.ResponseError, match="unknown command"):
            r.execute_command("HELLO.GREET", "x")
        assert r.module_list() == []
        assert r.execute_command("MODULE", "LOAD", HELLO, "a1", "a2") == b"OK"
        assert r.module_list() == [{b"name": b"hello", b"ver": 1, b"path": HELLO.encode(),
                                    b"args": [b"a1", b"a2"]}]
        assert r.execute_command("HELLO.GREET", "x") == b"Hello, x!"
        with pytest.raises(redis.ResponseError) as e:     # already loaded
            r.execute_command("MODULE", "LOAD", HELLO)
        assert str(e.value) == "Error loading the extension. Please check the server logs."
        assert r.execute_command("MODULE", "UNLOAD", "hello") == b"OK"
        with pytest.raises(redis.ResponseError, match="unknown command"):
            r.execute_command("HELLO.GREET", "x")
        assert raw(s, "COMMAND", "INFO", "hello.greet") == [None]
        with pytest.raises(redis.ResponseError) as e:
            r.execute_command("MODULE", "UNLOAD", "hello")
        assert str(e.value) == "Error unloading module: no such module with that name"
        assert r.execute_command("MODULE", "LOADEX", HELLO, "ARGS", "z") == b"OK"
        assert r.module_list()[0][b"args"] == [b"z"]
        assert r.execute_command("MODULE", "UNLOAD", "hello") == b"OK"
        with pytest.raises(redis.ResponseError) as e:
            r.execute_command("MODULE", "LOAD", "/nonexistent/mod.py")
        assert str(e.value) == "Error loading the extension. Please check the server logs."
        assert r.execute_command("MODULE", "HELP")[0].startswith(b"MODULE <subcommand>")


def test_refused_unless_enabled():
    with redlet.serve() as s:
        r = s.client()
        for args in (("LOAD", HELLO), ("LOADEX", HELLO), ("UNLOAD", "hello")):
            with pytest.raises(redis.ResponseError) as e:
                r.execute_command("MODULE", *args)
            assert str(e.value) == REFUSED
    with redlet.serve(enable_module_command="local") as s:   # loopback: allowed
        assert s.client().execute_command("MODULE", "LOAD", HELLO) == b"OK"


def test_load_is_per_engine():
    with redlet.serve(enable_module_command="yes") as a, redlet.serve() as b:
        a.client().execute_command("MODULE", "LOAD", HELLO)
        assert a.client().execute_command("HELLO.GREET", "a") == b"Hello, a!"
        with pytest.raises(redis.ResponseError, match="unknown command"):
            b.client().execute_command("HELLO.GREET", "b")


def test_multi_exec_with_extension_command():
    with redlet.serve(loadmodule=HELLO) as s:
        p = s.client().pipeline(transaction=True)
        p.execute_command("HELLO.INCRBY", "m", 2)
        p.execute_command("HELLO.GREET", "t")
        p.execute_command("HELLO.INCRBY", "m", 3)
        assert p.execute() == [2, b"Hello, t!", 5]
        r = s.client()
        r.execute_command("MULTI")
        assert r.execute_command("HELLO.INCRBY", "m", 1) == b"QUEUED"
        assert r.execute_command("EXEC") == [6]


def test_aof_replay_after_restart(tmp_path):
    with redlet.serve(data_dir=tmp_path, loadmodule=HELLO) as s:
        r = s.client()
        r.execute_command("HELLO.INCRBY", "c", 7)
        r.execute_command("HELLO.INCRBY", "c", 5)
        r.execute_command("HELLO.GREET", "nobody")        # read-only: not appended
    aof = b"".join(p.read_bytes() for p in (tmp_path / "appendonlydir").glob("*.incr.aof"))
    assert aof.count(b"HELLO.INCRBY") == 2 and b"HELLO.GREET" not in aof
    with redlet.serve(data_dir=tmp_path, loadmodule=HELLO) as s:
        assert s.client().get("c") == b"12"


def test_unknown_module_is_a_startup_error(tmp_path):
    with pytest.raises(Exception, match="Can't load module from /nonexistent/x.py"):
        redlet.serve(loadmodule="/nonexistent/x.py")
    with pytest.raises(Exception, match="no_such_pkg_zz"):
        redlet.serve(loadmodule="no_such_pkg_zz.mod")
    bad = tmp_path / "bad.py"
    bad.write_text("raise RuntimeError('boom')\n")
    with pytest.raises(Exception, match="boom"):
        redlet.serve(loadmodule=str(bad))
    clash = tmp_path / "clash.py"
    clash.write_text("import redlet\n@redlet.command('GET', arity=2)\ndef g(ctx, k):\n"
                     "    return k\n")
    with pytest.raises(Exception, match="already exists"):
        redlet.serve(loadmodule=str(clash))


def test_onload_hook_and_dotted_name(tmp_path, monkeypatch):
    pkg = tmp_path / "extpkg_zz"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "ext.py").write_text(
        "import redlet\nMODULE_NAME = 'dotted'\nMODULE_VERSION = 3\n"
        "def redlet_onload(engine, args):\n"
        "    if args and args[0] == b'refuse':\n"
        "        raise ValueError('refused')\n"
        "    @redlet.command('DOTTED.ARGS', arity=1)\n"
        "    def dotted_args(ctx):\n"
        "        return list(args)\n"
        "    return [dotted_args]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with redlet.serve(loadmodule=["extpkg_zz.ext", "x", "y"]) as s:
        r = s.client()
        assert r.execute_command("DOTTED.ARGS") == [b"x", b"y"]
        assert r.module_list()[0][b"ver"] == 3
    with pytest.raises(Exception, match="refused"):
        redlet.serve(loadmodule=["extpkg_zz.ext", "refuse"])
