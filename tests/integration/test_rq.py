"""rq 3.x end to end on an in-process redlet: jobs enqueued with Queue run
on a real rq SimpleWorker (in the test's thread) or a forking Worker in a
subprocess (the ``rq worker`` command line). This drives rq's hashes for
jobs, LPUSH/BLMOVE-style queue lists, sorted-set registries, result streams
(XADD/XREVRANGE/XREAD), scheduler locks (SET NX EX), dependency sets,
MULTI/EXEC with WATCH, and worker registration sets and heartbeats."""
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import redlet

rq = pytest.importorskip("rq")   # listed in the test extras
from rq import Callback, Queue, Repeat, Retry, Worker  # noqa: E402
from rq.command import send_shutdown_command, send_stop_job_command  # noqa: E402
from rq.group import Group  # noqa: E402
from rq.job import Dependency, Job, JobStatus  # noqa: E402
from rq.registry import (  # noqa: E402
    CanceledJobRegistry,
    DeferredJobRegistry,
    FailedJobRegistry,
    FinishedJobRegistry,
    ScheduledJobRegistry,
    StartedJobRegistry,
)
from rq.rate_limit import RateLimit  # noqa: E402
from rq.results import Result  # noqa: E402

from . import rq_jobs  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def server():
    with redlet.serve() as s:
        yield s


@pytest.fixture
def conn(server):
    r = server.client()
    yield r
    r.close()


@contextlib.contextmanager
def kept_signal_handlers():
    """rq workers install SIGINT/SIGTERM handlers; put pytest's back."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def burst(conn, *queues, **work_options):
    """Run a SimpleWorker in this thread until the queues are empty."""
    worker = rq_jobs.QuickSimpleWorker(list(queues), connection=conn)
    with kept_signal_handlers():
        worker.work(burst=True, logging_level="WARNING", **work_options)
    return worker


def test_many_jobs_results_statuses_and_registries(conn):
    q = Queue("default", connection=conn)
    assert q.is_empty() and q.count == 0
    jobs = [q.enqueue(rq_jobs.add, i, 1000) for i in range(300)]
    failing = [q.enqueue(rq_jobs.boom, "bad %d" % i) for i in range(5)]
    assert q.count == 305
    assert not q.is_empty()
    assert q.job_ids[:3] == [j.id for j in jobs[:3]]
    assert jobs[10].get_status() == JobStatus.QUEUED
    assert jobs[10].get_position() == 10

    burst(conn, q)

    assert q.count == 0 and q.is_empty()
    assert [j.return_value() for j in jobs] == [i + 1000 for i in range(300)]
    assert all(j.get_status() == JobStatus.FINISHED for j in jobs)
    fetched = Job.fetch(jobs[7].id, connection=conn)
    assert fetched.return_value() == 1007
    assert fetched.args == (7, 1000)
    assert fetched.func_name == "tests.integration.rq_jobs.add"
    assert fetched.ended_at >= fetched.started_at >= fetched.enqueued_at

    for i, job in enumerate(failing):
        assert job.get_status() == JobStatus.FAILED
        result = job.latest_result()
        assert result.type == Result.Type.FAILED
        assert "ValueError: bad %d" % i in result.exc_string
        assert job.return_value() is None

    ok = jobs[0].latest_result()
    assert ok.type == Result.Type.SUCCESSFUL and ok.return_value == 1000
    assert len(jobs[0].results()) == 1

    assert FinishedJobRegistry(queue=q).count == 300
    assert FailedJobRegistry(queue=q).count == 5
    assert StartedJobRegistry(queue=q).count == 0
    assert set(FailedJobRegistry(queue=q).get_job_ids()) == {j.id for j in failing}
    assert q.finished_job_registry.count == 300


def test_failed_job_requeue(conn):
    q = Queue("requeue", connection=conn)
    job = q.enqueue(rq_jobs.flaky, "attempts", 1)
    burst(conn, q)
    assert job.get_status() == JobStatus.FAILED
    assert "attempt 1 fails" in job.latest_result().exc_string
    registry = FailedJobRegistry(queue=q)
    assert registry.count == 1
    registry.requeue(job.id)
    assert registry.count == 0 and q.count == 1
    assert job.get_status() == JobStatus.QUEUED
    burst(conn, q)
    assert job.get_status() == JobStatus.FINISHED
    assert job.return_value() == 2
    assert [r.type for r in job.results()] == [Result.Type.SUCCESSFUL, Result.Type.FAILED]


def test_dependencies(conn):
    q = Queue("deps", connection=conn)
    a = q.enqueue(rq_jobs.add, 1, 2)
    b = q.enqueue(rq_jobs.add, 10, 20)
    both = q.enqueue(rq_jobs.echo_parent_result, "tail", depends_on=[a, b])
    child = q.enqueue(rq_jobs.echo_parent_result, depends_on=both)
    assert both.get_status() == JobStatus.DEFERRED
    assert child.get_status() == JobStatus.DEFERRED
    assert q.count == 2
    assert set(DeferredJobRegistry(queue=q).get_job_ids()) == {both.id, child.id}

    burst(conn, q)
    assert both.return_value() == [3, 30, "tail"]
    assert child.return_value() == [[3, 30, "tail"]]
    assert DeferredJobRegistry(queue=q).count == 0
    assert FinishedJobRegistry(queue=q).count == 4

    # a dependent of a failed job stays deferred unless it allows failure
    bad = q.enqueue(rq_jobs.boom)
    stuck = q.enqueue(rq_jobs.add, 1, 1, depends_on=bad)
    tolerant = q.enqueue(rq_jobs.add, 2, 2, depends_on=Dependency(jobs=[bad], allow_failure=True))
    burst(conn, q)
    assert bad.get_status() == JobStatus.FAILED
    assert stuck.get_status() == JobStatus.DEFERRED
    assert tolerant.get_status() == JobStatus.FINISHED and tolerant.return_value() == 4

    # depending on a job that already finished enqueues straight away
    late = q.enqueue(rq_jobs.add, 5, 5, depends_on=a)
    assert late.get_status() == JobStatus.QUEUED
    burst(conn, q)
    assert late.return_value() == 10


def test_retry_immediately_and_with_interval(conn):
    q = Queue("retry", connection=conn)
    job = q.enqueue(rq_jobs.flaky, "count:a", 2, retry=Retry(max=3))
    burst(conn, q)
    assert job.get_status() == JobStatus.FINISHED
    assert job.return_value() == 3
    assert conn.get("count:a") == b"3"
    job.refresh()
    assert job.retries_left == 1

    exhausted = q.enqueue(rq_jobs.flaky, "count:b", 10, retry=Retry(max=2))
    burst(conn, q)
    assert exhausted.get_status() == JobStatus.FAILED
    assert conn.get("count:b") == b"3"      # first run and two retries
    assert FailedJobRegistry(queue=q).get_job_ids() == [exhausted.id]

    # with an interval the retry is scheduled, and the scheduler enqueues it
    spaced = q.enqueue(rq_jobs.flaky, "count:c", 1, retry=Retry(max=1, interval=1))
    burst(conn, q)
    assert spaced.get_status() == JobStatus.SCHEDULED
    assert ScheduledJobRegistry(queue=q).get_job_ids() == [spaced.id]
    time.sleep(1.2)
    burst(conn, q, with_scheduler=True)
    assert spaced.get_status() == JobStatus.FINISHED
    assert spaced.return_value() == 2


def test_scheduled_jobs_run_with_the_scheduler(conn):
    q = Queue("sched", connection=conn)
    before = time.time()
    later = q.enqueue_in(timedelta(seconds=4), rq_jobs.record_time, "ran:in")
    at = q.enqueue_at(datetime.now(timezone.utc) + timedelta(seconds=1), rq_jobs.record_time,
                      "ran:at")
    now = q.enqueue(rq_jobs.record_time, "ran:now")
    registry = ScheduledJobRegistry(queue=q)
    assert registry.count == 2
    assert registry.get_job_ids() == [at.id, later.id]      # by time
    assert later.get_status() == JobStatus.SCHEDULED
    later_time = registry.get_scheduled_time(later).timestamp()
    at_time = registry.get_scheduled_time(at).timestamp()
    assert int(before) + 4 <= later_time <= time.time() + 4   # rq keeps whole seconds
    assert int(before) + 1 <= at_time <= time.time() + 1

    burst(conn, q, with_scheduler=True)          # too early for the scheduled ones
    assert now.get_status() == JobStatus.FINISHED
    assert later.get_status() == JobStatus.SCHEDULED and at.get_status() == JobStatus.SCHEDULED
    time.sleep(max(0.0, at_time + 0.1 - time.time()))
    burst(conn, q, with_scheduler=True)
    assert at.get_status() == JobStatus.FINISHED
    assert later.get_status() == JobStatus.SCHEDULED and registry.count == 1
    time.sleep(max(0.0, later_time + 0.1 - time.time()))
    burst(conn, q, with_scheduler=True)
    assert later.get_status() == JobStatus.FINISHED
    assert registry.count == 0
    assert float(conn.lindex("ran:in", 0)) >= later_time
    assert float(conn.lindex("ran:at", 0)) >= at_time
    assert conn.llen("ran:now") == 1


def test_ttl_and_result_ttl(conn):
    q = Queue("ttl", connection=conn)
    short = q.enqueue(rq_jobs.add, 1, 1, ttl=1)
    assert 0 < conn.ttl(short.key) <= 1
    time.sleep(1.3)
    assert not conn.exists(short.key)            # expired before a worker took it
    keep = q.enqueue(rq_jobs.add, 2, 2, result_ttl=1)
    forever = q.enqueue(rq_jobs.add, 3, 3, result_ttl=-1)
    discard = q.enqueue(rq_jobs.add, 4, 4, result_ttl=0)
    default = q.enqueue(rq_jobs.add, 5, 5)
    burst(conn, q)                               # skips the vanished job
    assert keep.return_value() == 4
    assert 0 < conn.ttl(keep.key) <= 1
    assert conn.ttl(forever.key) == -1
    assert not conn.exists(discard.key)
    assert 400 < conn.ttl(default.key) <= 500    # rq's default result_ttl
    time.sleep(1.3)
    assert not conn.exists(keep.key)
    assert Job.fetch(forever.id, connection=conn).return_value() == 6
    # FinishedJobRegistry cleanup drops the expired entry
    registry = FinishedJobRegistry(queue=q)
    registry.cleanup(time.time() + 1)
    assert keep.id not in registry.get_job_ids()


def test_empty_count_delete_and_cancel(conn):
    q = Queue("cancel", connection=conn)
    jobs = [q.enqueue(rq_jobs.add, i, i) for i in range(10)]
    assert q.count == 10
    jobs[3].cancel()
    assert jobs[3].get_status() == JobStatus.CANCELED
    assert CanceledJobRegistry(queue=q).get_job_ids() == [jobs[3].id]
    assert q.count == 9 and jobs[3].id not in q.job_ids
    jobs[4].delete()
    assert q.count == 8 and not conn.exists(jobs[4].key)
    burst(conn, q)
    assert [j.get_status() for j in jobs[:3]] == [JobStatus.FINISHED] * 3
    assert jobs[3].get_status() == JobStatus.CANCELED
    assert jobs[3].return_value() is None

    more = [q.enqueue(rq_jobs.add, i, i) for i in range(5)]
    assert q.empty() == 5 or q.count == 0
    assert q.count == 0 and q.is_empty()
    assert not any(conn.exists(j.key) for j in more)   # empty() deletes the jobs too
    assert "cancel" in [queue.name for queue in Queue.all(connection=conn)]

    # cancelling a deferred job leaves its dependency alone
    parent = q.enqueue(rq_jobs.add, 1, 1)
    child = q.enqueue(rq_jobs.add, 2, 2, depends_on=parent)
    child.cancel()
    burst(conn, q)
    assert parent.get_status() == JobStatus.FINISHED
    assert child.get_status() == JobStatus.CANCELED


def test_forking_worker_in_subprocess_registers_itself(server, conn):
    q = Queue("forked", connection=conn)
    slow = q.enqueue(rq_jobs.sleep_for, 1.5)
    quick = [q.enqueue(rq_jobs.add, i, 1) for i in range(5)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO), str(REPO / "src"), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "rq.cli", "worker", "--burst", "--url", server.url,
         "--name", "forker", "--logging_level", "WARNING",
         "--worker-class", "tests.integration.rq_jobs.QuickWorker", "forked"],
        cwd=str(REPO), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 15
        seen = None
        while time.time() < deadline:
            workers = Worker.all(connection=conn)
            # the worker names its job before forking; the horse marks it started
            if (workers and workers[0].get_current_job_id() == slow.id
                    and slow.get_status() == JobStatus.STARTED):
                seen = workers[0]
                break
            time.sleep(0.05)
        assert seen is not None, "worker never reported the running job"
        assert seen.name == "forker"
        assert seen.get_state() == "busy"
        assert seen.queue_names() == ["forked"]
        assert Worker.count(connection=conn) == 1
        assert Worker.count(queue=q) == 1
        assert [w.name for w in Worker.all(queue=q)] == ["forker"]
        assert StartedJobRegistry(queue=q).get_job_ids() == [slow.id]
        assert 0 < conn.ttl(seen.key)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, out.decode(errors="replace")
    assert slow.return_value() == 1.5
    assert [j.return_value() for j in quick] == [i + 1 for i in range(5)]
    assert Worker.all(connection=conn) == []
    assert Worker.count(queue=q) == 0
    assert StartedJobRegistry(queue=q).count == 0
    assert FinishedJobRegistry(queue=q).count == 6


def test_rate_limit_repeat_group_and_callbacks(conn):
    q = Queue("extras", connection=conn)
    limited = [q.enqueue(rq_jobs.add, i, 0, rate_limit=RateLimit("api", 2)) for i in range(5)]
    assert q.count == 2                          # the Lua gate lets two through
    assert [j.get_status() for j in limited] == [JobStatus.QUEUED] * 2 + [
        JobStatus.RATE_LIMITED] * 3
    burst(conn, q)                               # each finish promotes a waiting job
    assert [j.return_value() for j in limited] == [0, 1, 2, 3, 4]
    assert all(j.get_status() == JobStatus.FINISHED for j in limited)

    repeated = q.enqueue(rq_jobs.count_run, "runs", repeat=Repeat(times=2, interval=0))
    burst(conn, q)
    assert conn.get("runs") == b"3"              # the run and two repeats
    assert [r.return_value for r in repeated.results()] == [3, 2, 1]   # newest first

    group = Group.create(connection=conn, name="batch")
    members = group.enqueue_many(q, [Queue.prepare_data(rq_jobs.add, (i, 1)) for i in range(4)])
    assert {j.id for j in group.get_jobs()} == {j.id for j in members}
    assert [g.name for g in Group.all(connection=conn)] == ["batch"]
    burst(conn, q)
    assert [j.return_value() for j in members] == [1, 2, 3, 4]

    hooks = {"on_success": Callback(rq_jobs.note_success),
             "on_failure": Callback(rq_jobs.note_failure)}
    good = q.enqueue(rq_jobs.add, 1, 2, **hooks)
    bad = q.enqueue(rq_jobs.boom, "hooked", **hooks)
    burst(conn, q)
    assert conn.hget("callbacks", good.id) == b"success:3"
    assert conn.hget("callbacks", bad.id) == b"failure:ValueError:hooked"


def test_latest_result_blocks_until_the_job_ends(conn):
    q = Queue("waiting", connection=conn)
    job = q.enqueue(rq_jobs.add, 7, 7)
    got = {}
    waiter = threading.Thread(target=lambda: got.setdefault("result", job.latest_result(timeout=10)))
    waiter.start()
    time.sleep(0.3)                              # the waiter is blocked on the result stream
    assert waiter.is_alive()
    started = time.time()
    burst(conn, q)
    waiter.join(10)
    assert got["result"].return_value == 14
    assert time.time() - started < 5


def test_stop_job_and_shutdown_commands(server, conn):
    q = Queue("commands", connection=conn)
    long = q.enqueue(rq_jobs.sleep_for, 30, on_stopped=Callback(rq_jobs.note_stopped))
    after = q.enqueue(rq_jobs.add, 1, 1)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO), str(REPO / "src"), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen(     # not --burst: it only stops when told to
        [sys.executable, "-m", "rq.cli", "worker", "--url", server.url, "--name", "commanded",
         "--logging_level", "WARNING", "--worker-class", "tests.integration.rq_jobs.QuickWorker",
         "commands"], cwd=str(REPO), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 15
        while time.time() < deadline and long.get_status() != JobStatus.STARTED:
            time.sleep(0.05)
        assert long.get_status() == JobStatus.STARTED
        send_stop_job_command(conn, long.id)     # PUBLISH on the worker's channel
        deadline = time.time() + 15
        while time.time() < deadline and after.get_status() != JobStatus.FINISHED:
            time.sleep(0.05)
        assert long.get_status() == JobStatus.STOPPED
        assert conn.hget("callbacks", long.id) == b"stopped"
        assert after.return_value() == 2
        assert [w.name for w in Worker.all(connection=conn)] == ["commanded"]
        send_shutdown_command(conn, "commanded")
        out, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, out.decode(errors="replace")
    assert Worker.all(connection=conn) == []
    assert FailedJobRegistry(queue=q).get_job_ids() == [long.id]
