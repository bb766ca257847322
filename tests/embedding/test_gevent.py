"""redlet on the gevent hub: a monkey-patched process (a subprocess, as the
test runner itself must stay unpatched), and the example web app with its
in-process background tasks, over real HTTP."""
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
APP = os.path.join(ROOT, "examples", "gevent_tasks", "app.py")

SCRIPT = textwrap.dedent(r'''
    from gevent import monkey; monkey.patch_all()
    import json, os, sys, gevent, redis, redlet
    out = {}
    os_threads = len(os.listdir("/proc/self/task"))
    s = redlet.serve(data_dir=sys.argv[1], appendfsync="always")
    out["mode"] = s.mode
    r = s.client()
    out["set"] = r.set("a", "1")
    out["get"] = r.get("a").decode()
    # one greenlet blocks in BLPOP while another pushes
    waiter = gevent.spawn(lambda: s.client().blpop("q", 5))
    gevent.sleep(0.05)
    r.rpush("q", "job")
    out["blpop"] = [x.decode() for x in waiter.get(timeout=5)]
    p = r.pubsub(); p.subscribe("ch"); p.get_message(timeout=1)
    r.publish("ch", "hi")
    out["message"] = p.get_message(timeout=1)["data"].decode()
    p.close()
    pipe = r.pipeline()
    for i in range(1000):
        pipe.incr("n")
    out["pipeline_last"] = pipe.execute()[-1]
    # no event-loop thread: the OS threads added are the AOF's fsync ticker
    # and gevent's resolver pool (for "localhost"-style lookups)
    out["extra_os_threads"] = len(os.listdir("/proc/self/task")) - os_threads
    r.close(); s.stop()
    s = redlet.serve(data_dir=sys.argv[1])
    r = s.client()
    out["after_restart"] = [r.get("a").decode(), int(r.get("n"))]
    r.close(); s.stop()
    fds = len(os.listdir("/proc/self/fd"))
    for i in range(100):
        s = redlet.serve()
        c = s.client(); c.set("k", i); c.close()
        s.stop()
    out["leaked_fds"] = len(os.listdir("/proc/self/fd")) - fds
    print(json.dumps(out))
''')


def test_serve_runs_on_the_gevent_hub(tmp_path):
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    # gevent's resolver pool starts its thread on the first lookup, or not
    assert out.pop("extra_os_threads") in (1, 2)
    assert out == {
        "mode": "gevent", "set": True, "get": "1", "blpop": ["q", "job"], "message": "hi",
        "pipeline_last": 1000,
        "after_restart": ["1", 1000], "leaked_fds": 0,
    }


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class App:
    """The example app in a subprocess."""

    def __init__(self, data_dir):
        self.data_dir = str(data_dir)
        self.port = _free_port()
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([sys.executable, APP, "--port", str(self.port),
                                      "--data", self.data_dir],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert "serving on" in line, self.proc.stderr.read()
        return self

    def get(self, path):
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (self.port, path),
                                    timeout=10) as resp:
            return json.loads(resp.read())

    def wait_result(self, task_id, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = self.get("/result?id=" + task_id)
            if r["ready"]:
                return r["value"]
            time.sleep(0.05)
        raise AssertionError("task %s never ran" % task_id)

    def stop(self, sig=signal.SIGTERM):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(20)
        if self.proc is not None:
            self.proc.stdout.close()
            self.proc.stderr.close()
        self.proc = None


@pytest.fixture
def app(tmp_path):
    a = App(tmp_path / "data")
    yield a
    a.stop(signal.SIGKILL)


def test_requests_enqueue_tasks_that_run_in_the_process(app):
    app.start()
    assert app.get("/") == {"hello": "world"}
    ids = [app.get("/enqueue?n=%d" % n)["id"] for n in range(50)]
    assert [app.wait_result(i) for i in ids] == [n * n for n in range(50)]
    t0 = time.monotonic()
    sid = app.get("/schedule?n=12&delay=1.5")["id"]
    assert app.get("/result?id=" + sid) == {"ready": False, "value": None}
    assert app.wait_result(sid) == 144
    assert time.monotonic() - t0 >= 1.5


def test_scheduled_and_queued_tasks_survive_a_kill(app):
    app.start()
    scheduled = [app.get("/schedule?n=%d&delay=3" % n)["id"] for n in range(20)]
    queued = [app.get("/enqueue?n=%d" % n)["id"] for n in range(200)]
    app.stop(signal.SIGKILL)           # no shutdown at all: only the AOF remains
    app.start()
    assert [app.wait_result(i) for i in scheduled] == [n * n for n in range(20)]
    # huey runs a task at most once: the ones its 4 workers had taken off the
    # queue when the process died are gone; every other one runs
    done = {}
    for n, task_id in enumerate(queued):
        r = app.get("/result?id=" + task_id)
        if r["ready"]:
            done[n] = r["value"]
    assert len(done) >= 200 - 4
    assert all(v == n * n for n, v in done.items())


def test_graceful_restart_keeps_scheduled_tasks(app):
    app.start()
    sid = app.get("/schedule?n=4&delay=2")["id"]
    app.stop(signal.SIGTERM)
    app.start()
    assert app.wait_result(sid) == 16
