"""huey 3.x end to end on an in-process redlet: a real huey Consumer with
thread workers runs tasks queued by RedisHuey, PriorityRedisHuey and
RedisExpireHuey (LPUSH/BRPOP or ZADD/BZPOPMIN queues, the schedule-pop Lua
script, result hashes or expiring string keys, SET NX locks, HINCRBY/INCRBY
counters)."""
import contextlib
import datetime
import signal
import threading
import time

import pytest

import redlet

huey_api = pytest.importorskip("huey")   # listed in the test extras
from huey import PriorityRedisHuey, RedisExpireHuey, RedisHuey, crontab  # noqa: E402
from huey.consumer import Consumer  # noqa: E402
from huey.exceptions import TaskException, TaskLockedException  # noqa: E402

KINDS = {"plain": RedisHuey, "priority": PriorityRedisHuey, "expire": RedisExpireHuey}


@pytest.fixture
def server():
    with redlet.serve() as s:
        yield s


def make_huey(server, kind, name="t", **extra):
    kwargs = {"host": "127.0.0.1", "port": server.port, "blocking": True, "read_timeout": 1,
              **extra}
    if kind == "expire":
        kwargs["expire_time"] = 60
    return KINDS[kind](name, **kwargs)


@contextlib.contextmanager
def consuming(huey, workers=4, **options):
    """A huey Consumer with thread workers, stopped gracefully at the end
    (its signal handlers are put back as they were)."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = Consumer(huey, workers=workers, worker_type="thread", periodic=True,
                        scheduler_interval=1, initial_delay=0.05, max_delay=0.2,
                        check_worker_health=False, **options)
    consumer.start()
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@pytest.mark.parametrize("kind", list(KINDS))
def test_thousand_tasks_results(server, kind):
    huey = make_huey(server, kind)

    @huey.task()
    def mul(a, b):
        return a * b

    handles = [mul(i, 3) for i in range(1000)]
    with consuming(huey, workers=6):
        results = [h.get(blocking=True, timeout=60) for h in handles]
    assert results == [i * 3 for i in range(1000)]
    assert huey.pending_count() == 0
    if kind == "expire":
        # results stay (the server expires them); each has a TTL <= expire_time
        key = huey.storage.result_key(handles[0].id)
        assert 0 < server.client().ttl(key) <= 60
    else:
        assert huey.storage.result_store_size() == 0   # read results are popped


@pytest.mark.parametrize("kind", list(KINDS))
def test_scheduled_tasks_run_after_their_time(server, kind):
    huey = make_huey(server, kind)
    ran = {}

    @huey.task()
    def stamp(label):
        ran[label] = time.time()
        return label

    t0 = time.time()
    late = stamp.schedule(args=("late",), delay=3)
    eta = datetime.datetime.now() + datetime.timedelta(seconds=2)
    if huey.utc:
        eta = datetime.datetime.utcnow() + datetime.timedelta(seconds=2)
    early = stamp.schedule(args=("early",), eta=eta)
    now = stamp("now")
    assert huey.scheduled_count() == 0      # the schedule is filled by the consumer
    with consuming(huey):
        assert now.get(blocking=True, timeout=20) == "now"
        assert early.get(blocking=True, timeout=20) == "early"
        assert late.get(blocking=True, timeout=20) == "late"
    assert ran["early"] >= t0 + 1.9
    assert ran["late"] >= t0 + 2.9
    assert ran["now"] < ran["early"] < ran["late"]
    assert huey.storage.schedule_size() == 0


def test_schedule_pop_script_directly(server):
    """huey's Lua script pops only the due members of the schedule zset."""
    huey = make_huey(server, "plain")
    now = datetime.datetime.now()
    huey.storage.add_to_schedule(b"past", now - datetime.timedelta(seconds=5))
    huey.storage.add_to_schedule(b"future", now + datetime.timedelta(seconds=60))
    assert huey.storage.schedule_size() == 2
    assert huey.storage.read_schedule(now) == [b"past"]
    assert huey.storage.read_schedule(now) == []
    assert huey.storage.scheduled_items() == [b"future"]
    assert huey.storage.read_schedule(now + datetime.timedelta(seconds=61)) == [b"future"]
    assert huey.storage.schedule_size() == 0


@pytest.mark.parametrize("kind", list(KINDS))
def test_periodic_task_runs(server, kind):
    huey = make_huey(server, kind)
    fired = threading.Event()

    @huey.periodic_task(crontab(minute="*"))
    def tick():
        fired.set()
        return "tick"

    # the scheduler checks periodic tasks on its first loop, then every 60 s
    with consuming(huey):
        assert fired.wait(15)
    assert [t.name for t in huey.read_periodic(datetime.datetime.now())] == ["tick"]


@pytest.mark.parametrize("kind", list(KINDS))
def test_retries(server, kind):
    # intermediate errors withheld, so a result is only the final outcome
    huey = make_huey(server, kind, store_intermediate_errors=False)
    calls = {"flaky": 0, "broken": 0}
    lock = threading.Lock()

    @huey.task(retries=2)
    def flaky():
        with lock:
            calls["flaky"] += 1
            n = calls["flaky"]
        if n <= 2:
            raise ValueError("fail %d" % n)
        return "ok after %d" % n

    @huey.task(retries=2)
    def broken():
        with lock:
            calls["broken"] += 1
        raise RuntimeError("always")

    a, b = flaky(), broken()
    with consuming(huey):
        assert a.get(blocking=True, timeout=30) == "ok after 3"
        with pytest.raises(TaskException) as info:
            b.get(blocking=True, timeout=30)
    assert "RuntimeError" in info.value.metadata["error"]
    assert info.value.metadata["retries"] == 0
    assert calls == {"flaky": 3, "broken": 3}


@pytest.mark.parametrize("kind", list(KINDS))
def test_lock_task(server, kind):
    huey = make_huey(server, kind)
    inside = threading.Event()
    release = threading.Event()

    @huey.task()
    @huey.lock_task("only-one")
    def exclusive(n):
        inside.set()
        release.wait(10)
        return n

    with consuming(huey, workers=3):
        first = exclusive(1)
        assert inside.wait(10)
        second = exclusive(2)           # runs while the lock is held
        with pytest.raises(TaskException) as info:
            second.get(blocking=True, timeout=20)
        assert "TaskLockedException" in info.value.metadata["error"]
        release.set()
        assert first.get(blocking=True, timeout=20) == 1
        assert huey.is_locked("only-one") is False
        third = exclusive(3)
        assert third.get(blocking=True, timeout=20) == 3
    # the context manager form, without a consumer
    with huey.lock_task("manual"):
        assert huey.is_locked("manual")
        with pytest.raises(TaskLockedException):
            with huey.lock_task("manual"):
                pass
    assert not huey.is_locked("manual")


def test_priorities(server):
    huey = make_huey(server, "priority")
    order = []

    @huey.task()
    def job(n):
        order.append(n)
        return n

    handles = [job.s(n, priority=p) for n, p in [(1, 0), (2, 10), (3, 5), (4, 10), (5, 1)]]
    for h in handles:
        huey.enqueue(h)
    assert huey.pending_count() == 5
    with consuming(huey, workers=1):
        results = [huey.result(t.id, blocking=True, timeout=20) for t in handles]
    assert results == [1, 2, 3, 4, 5]
    assert order == [2, 4, 3, 5, 1]   # higher first, FIFO among equals


def test_result_expiry(server):
    huey = RedisExpireHuey("exp", host="127.0.0.1", port=server.port, expire_time=1)

    @huey.task()
    def val():
        return 42

    r = val()
    with consuming(huey):
        assert r.get(blocking=True, timeout=20) == 42
    assert r.get() == 42       # reading does not delete it (the server expires it)
    key = huey.storage.result_key(r.id)
    deadline = time.time() + 10
    client = server.client()
    while client.exists(key) and time.time() < deadline:
        time.sleep(0.1)
    assert client.exists(key) == 0
    assert huey.result(r.id) is None


@pytest.mark.parametrize("kind", list(KINDS))
def test_revoke_restore_pending_flush(server, kind):
    huey = make_huey(server, kind)

    @huey.task()
    def work(n):
        return n + 100

    a, b, c = work(1), work(2), work(3)
    assert huey.pending_count() == 3
    assert [t.args for t in huey.pending()] == [(1,), (2,), (3,)]
    b.revoke()
    assert b.is_revoked()
    c.revoke()
    c.restore()
    assert not c.is_revoked()
    work.revoke(revoke_once=True)        # whole task type, once
    d = work(4)
    work.restore()
    assert not work.is_revoked()
    with consuming(huey):
        assert a.get(blocking=True, timeout=20) == 101
        assert c.get(blocking=True, timeout=20) == 103
        assert d.get(blocking=True, timeout=20) == 104
        time.sleep(0.3)
        assert b.get() is None             # revoked: never ran
    assert huey.pending_count() == 0
    # flush() empties queue, schedule and results
    work(5)
    work.schedule(args=(6,), delay=300)
    huey.put("k", "v")
    assert huey.pending_count() == 2    # schedule() enqueues; the consumer schedules it
    huey.flush()
    assert huey.pending_count() == 0
    assert huey.scheduled_count() == 0
    assert huey.get("k", peek=True) is None
    assert server.client().keys("huey.*") == []


@pytest.mark.parametrize("kind", list(KINDS))
def test_rate_limit(server, kind):
    huey = make_huey(server, kind)
    limit = huey.rate_limit("rl", limit=3, per=3600, retry=False)
    for _ in range(3):
        limit.acquire()
    assert limit.current_usage() == 3
    with pytest.raises(huey_api.exceptions.RateLimitExceeded):
        limit.acquire()
    limit.reset()
    limit.acquire()
    assert limit.current_usage() == 1

    @huey.task()
    @huey.rate_limit("task-rl", limit=2, per=3600, retry=False)
    def limited(n):
        return n

    with consuming(huey, workers=1):
        outcomes = []
        for n in range(4):
            try:
                outcomes.append(limited(n).get(blocking=True, timeout=20))
            except TaskException as exc:
                outcomes.append(exc.metadata["error"].split("(")[0])
    assert outcomes[:2] == [0, 1]
    assert all("RateLimitExceeded" in o for o in outcomes[2:])
