"""celery 5.x end to end on an in-process redlet: one module-wide server is
both broker (kombu's Redis transport: LPUSH/BRPOP queues, the unacked hash
and its ZADD index, pidbox fanout over PUBLISH/PSUBSCRIBE) and result
backend (SETEX result keys, SUBSCRIBE to result channels for get(), chord
counters with INCR/EXPIRE in MULTI). The worker runs in a thread
(celery.contrib.testing.worker.start_worker, thread pool)."""
import gc
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import redlet

celery = pytest.importorskip("celery")   # listed in the test extras
from celery import chain, chord, group  # noqa: E402
from celery.backends.redis import RedisBackend  # noqa: E402
from celery.contrib.testing.worker import start_worker  # noqa: E402
from celery.exceptions import TaskRevokedError  # noqa: E402
from celery.result import AsyncResult  # noqa: E402

from . import celery_tasks as tasks  # noqa: E402

TIMEOUT = 15
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server():
    with redlet.serve() as s:
        yield s


@pytest.fixture(scope="module")
def app(server):
    app = tasks.configure(server.url)
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping)
    with start_worker(app, pool="threads", concurrency=4, perform_ping_check=True,
                      shutdown_timeout=20):
        yield app
    forget_result_subscriptions()
    app.close()


def forget_result_subscriptions():
    """Results unsubscribe from their channels when collected. Let the ones
    collected now do it while the server is up, then empty the subscription
    sets of every backend (celery keeps one per thread, and chords run in
    the worker's threads subscribe too) so results collected after the
    server stopped have nothing to send."""
    gc.collect()
    for obj in gc.get_objects():
        if isinstance(obj, RedisBackend) and "result_consumer" in obj.__dict__:
            obj.result_consumer.subscribed_to.clear()
            obj.result_consumer.stop()


@pytest.fixture
def r(server):
    client = server.client()
    yield client
    client.close()


def test_delay_get(app, r):
    result = tasks.add.delay(2, 3)
    assert result.get(timeout=TIMEOUT) == 5
    assert result.status == "SUCCESS" and result.successful()
    stored = r.get("celery-task-meta-" + result.id)
    assert stored is not None and b'"result": 5' in stored
    assert 0 < r.ttl("celery-task-meta-" + result.id) <= 600
    many = [tasks.mul.delay(i, i) for i in range(200)]
    assert [m.get(timeout=TIMEOUT) for m in many] == [i * i for i in range(200)]
    assert AsyncResult(many[7].id, app=app).get(timeout=TIMEOUT) == 49


def test_failure_propagates(app):
    result = tasks.fail.delay("bad thing")
    with pytest.raises(ValueError, match="bad thing"):
        result.get(timeout=TIMEOUT)
    assert result.status == "FAILURE" and result.failed()
    assert "ValueError" in result.traceback
    assert isinstance(result.get(timeout=TIMEOUT, propagate=False), ValueError)


def test_chain(app):
    result = chain(tasks.add.s(1, 2), tasks.mul.s(10), tasks.add.s(5))()
    assert result.get(timeout=TIMEOUT) == 35
    assert result.parent.get(timeout=TIMEOUT) == 30
    assert result.parent.parent.get(timeout=TIMEOUT) == 3
    assert (tasks.add.s(2, 2) | tasks.mul.s(3)).delay().get(timeout=TIMEOUT) == 12


def test_group_and_chord(app, r):
    g = group(tasks.add.s(i, i) for i in range(20))()
    assert g.get(timeout=TIMEOUT) == [i * 2 for i in range(20)]
    assert g.completed_count() == 20 and g.successful()

    c = chord((tasks.mul.s(i, 2) for i in range(30)), tasks.tsum.s())()
    assert c.get(timeout=TIMEOUT) == sum(i * 2 for i in range(30))
    # the chord counter key is gone once the body ran
    assert not r.keys("chord-unlock-*") and not r.exists("celery-task-meta-%s.j" % c.parent.id)

    # a chord inside a chain, with a chord body that is itself a chain
    workflow = chain(tasks.add.s(1, 1),
                     chord([tasks.mul.s(3), tasks.mul.s(4)], tasks.tsum.s() | tasks.add.s(100)))
    assert workflow.delay().get(timeout=TIMEOUT) == 2 * 3 + 2 * 4 + 100


def test_chord_with_a_failing_header_fails(app):
    c = chord([tasks.add.s(1, 1), tasks.fail.s("in header")], tasks.tsum.s())()
    with pytest.raises(Exception) as excinfo:
        c.get(timeout=TIMEOUT)
    assert "in header" in str(excinfo.value)


def test_retries(app, r):
    result = tasks.flaky.delay("flaky:ok", 2)
    assert result.get(timeout=TIMEOUT) == {"attempts": 3, "retries": 2}
    assert r.get("flaky:ok") == b"3"

    gave_up = tasks.flaky.delay("flaky:never", 99)
    with pytest.raises(RuntimeError, match="attempt 4 fails"):
        gave_up.get(timeout=TIMEOUT)
    assert r.get("flaky:never") == b"4"          # first run and max_retries=3

    auto = tasks.always_keyerror.delay("auto")
    with pytest.raises(KeyError):
        auto.get(timeout=TIMEOUT)
    assert r.get("auto") == b"3"


def test_countdown_and_eta(app):
    sent = time.time()
    later = tasks.ran_at.apply_async(("countdown",), countdown=1.5)
    at = tasks.ran_at.apply_async(("eta",), eta=datetime.now(timezone.utc) + timedelta(seconds=1))
    now = tasks.ran_at.delay("now")
    assert now.get(timeout=TIMEOUT) < sent + 1
    assert not later.ready()
    assert at.get(timeout=TIMEOUT) >= sent + 1
    assert later.get(timeout=TIMEOUT) >= sent + 1.5


def test_revoke(app, r):
    # the countdown leaves time for a few inspect rounds (up to 1 s each)
    # before the revoke: with 1.5 s the doomed task could run first
    doomed = tasks.ran_at.apply_async(("revoked",), countdown=4)
    spared = tasks.ran_at.apply_async(("spared",), countdown=4)
    # wait until the worker holds both (pidbox replies come back over PUBLISH)
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        scheduled = app.control.inspect(timeout=1).scheduled() or {}
        ids = {entry["request"]["id"] for entries in scheduled.values() for entry in entries}
        if {doomed.id, spared.id} <= ids:
            break
    else:
        pytest.fail("worker never scheduled the tasks")
    doomed.revoke()
    assert spared.get(timeout=TIMEOUT) > 0
    with pytest.raises(TaskRevokedError):
        doomed.get(timeout=TIMEOUT)
    assert doomed.status == "REVOKED"
    assert r.llen("ran:revoked") == 0 and r.llen("ran:spared") == 1
    revoked = app.control.inspect(timeout=1).revoked() or {}
    assert any(doomed.id in ids for ids in revoked.values())


def test_control_ping_and_stats(app):
    replies = app.control.ping(timeout=1)
    assert len(replies) == 1 and list(replies[0].values()) == [{"ok": "pong"}]
    stats = app.control.inspect(timeout=1).stats()
    (worker_stats,) = stats.values()
    assert worker_stats["broker"]["transport"] == "redis"
    assert worker_stats["pool"]["max-concurrency"] == 4


def test_forget(app, r):
    result = tasks.add.delay(20, 22)
    assert result.get(timeout=TIMEOUT) == 42
    assert r.exists("celery-task-meta-" + result.id)
    result.forget()
    assert not r.exists("celery-task-meta-" + result.id)
    assert AsyncResult(result.id, app=app).state == "PENDING"


def test_prefork_worker_in_a_subprocess(app, server):
    """The ``celery worker`` command line: prefork pool, mingle and gossip
    on, heartbeats; its own queue so the thread worker leaves its tasks."""
    env = dict(os.environ, REDLET_CELERY_URL=server.url, PYTHONPATH=os.pathsep.join(
        [str(REPO), str(REPO / "src"), os.environ.get("PYTHONPATH", "")]))
    name = "proc%d@redlet-test" % os.getpid()
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tests.integration.celery_tasks", "worker",
         "-P", "prefork", "-c", "2", "-Q", "procq", "-n", name, "-l", "WARNING"],
        cwd=str(REPO), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + TIMEOUT
        replies = None
        while time.time() < deadline:
            if proc.poll() is not None:
                break
            replies = app.control.ping(destination=[name], timeout=0.5)
            if replies:
                break
        assert replies == [{name: {"ok": "pong"}}]
        queues = app.control.inspect(destination=[name], timeout=1).active_queues()
        assert [q["name"] for q in queues[name]] == ["procq"]

        assert tasks.add.apply_async((2, 3), queue="procq").get(timeout=TIMEOUT) == 5
        pids = group(tasks.whoami.s().set(queue="procq") for _ in range(8))().get(
            timeout=TIMEOUT)
        assert os.getpid() not in pids and proc.pid not in pids   # pool children ran them
        c = chord((tasks.mul.s(i, i).set(queue="procq") for i in range(10)),
                  tasks.tsum.s().set(queue="procq"))()
        assert c.get(timeout=TIMEOUT) == sum(i * i for i in range(10))

        app.control.shutdown(destination=[name])
        out, _ = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, out.decode(errors="replace")
