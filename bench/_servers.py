"""Start and stop the servers compared by the benchmarks (loopback only).

Each server runs as its own process, pinned to one CPU with ``taskset`` when
the machine has more than one (the load generator gets another), and is
stopped when the ``with`` block ends.
"""
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = sys.executable


def cpus():
    """(server_cpu, client_cpu) or (None, None) without taskset / one CPU."""
    try:
        avail = sorted(os.sched_getaffinity(0))
    except AttributeError:
        return None, None
    if len(avail) < 2 or shutil.which("taskset") is None:
        return None, None
    return avail[-1], avail[0]


def pinned(argv, cpu):
    return argv if cpu is None else ["taskset", "-c", str(cpu)] + list(argv)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {proc.args}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not start: {proc.args}")


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class Server:
    """A running server: ``name``, ``port``, ``proc``, ``dir``."""

    def __init__(self, name, port, proc, workdir):
        self.name, self.port, self.proc, self.dir = name, port, proc, workdir

    @property
    def pid(self):
        return self.proc.pid

    def rss(self):
        return rss_bytes(self.proc.pid)


def _argv(kind, port, workdir, settings):
    if kind == "redis":
        argv = [shutil.which("redis-server") or "redis-server", "--port", str(port),
                "--bind", "127.0.0.1", "--dir", workdir, "--save", "", "--appendonly", "no",
                "--protected-mode", "no"]
    elif kind == "redlet":
        argv = [PY, "-m", "redlet", "--port", str(port), "--bind", "127.0.0.1",
                "--dir", workdir, "--save", "", "--appendonly", "no"]
    elif kind == "floor":
        return [PY, os.path.join(ROOT, "bench", "_floor_server.py"), str(port)]
    elif kind == "simpledb":
        return [PY, "-m", "simpledb", "--port", str(port), "--errors"]
    elif kind == "fakeredis":
        code = ("import sys; from fakeredis import TcpFakeServer; "
                "s = TcpFakeServer(('127.0.0.1', int(sys.argv[1])), server_type='redis'); "
                "s.serve_forever()")
        return [PY, "-c", code, str(port)]
    else:
        raise ValueError(kind)
    for name, value in settings.items():
        argv += ["--" + name, value]
    return argv


@contextlib.contextmanager
def running(kind, settings=None, cpu=None):
    """Start ``kind`` (redis, redlet, simpledb, fakeredis) with redis.conf-style
    ``settings`` (redis and redlet only); yields a Server."""
    workdir = tempfile.mkdtemp(prefix=f"bench-{kind}-")
    port = free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.join(ROOT, "src") + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.Popen(pinned(_argv(kind, port, workdir, settings or {}), cpu),
                            cwd=workdir, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        wait_port(port, proc)
        yield Server(kind, port, proc, workdir)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def available(kind):
    """Whether ``kind`` can be started here (redis-server / importable peers)."""
    if kind == "redis":
        return shutil.which("redis-server") is not None
    if kind == "redlet":
        return True
    module = {"simpledb": "simpledb", "fakeredis": "fakeredis"}[kind]
    return subprocess.run([PY, "-c", f"import {module}"], capture_output=True).returncode == 0
