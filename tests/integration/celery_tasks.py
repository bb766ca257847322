"""A Celery app and its tasks for tests/integration/test_celery.py.

``configure(url)`` points broker and result backend at one redlet server
(a worker started as ``celery -A tests.integration.celery_tasks worker``
gets it from $REDLET_CELERY_URL); tasks may count their attempts in Redis
through ``counter()``."""
import os
import time

import redis
from celery import Celery

app = Celery("redlet_celery_tests")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=False,
    result_expires=600,
    worker_hijack_root_logger=False,
    task_default_retry_delay=0.1,
)
_counter_client = {}


def configure(url):
    app.conf.update(broker_url=url, result_backend=url)
    _counter_client.clear()
    return app


if os.environ.get("REDLET_CELERY_URL"):
    configure(os.environ["REDLET_CELERY_URL"])


def counter():
    """A plain client on the same server (for counters the tests read)."""
    if "r" not in _counter_client:
        _counter_client["r"] = redis.Redis.from_url(app.conf.broker_url)
    return _counter_client["r"]


@app.task
def add(x, y):
    return x + y


@app.task
def mul(x, y):
    return x * y


@app.task
def tsum(numbers):
    return sum(numbers)


@app.task
def fail(message):
    raise ValueError(message)


@app.task
def ran_at(tag):
    counter().rpush("ran:" + tag, repr(time.time()))
    return time.time()


@app.task(bind=True, max_retries=3)
def flaky(self, key, fail_times):
    """Retry (0.1 s apart) until it has failed ``fail_times`` times."""
    attempts = counter().incr(key)
    if attempts <= fail_times:
        raise self.retry(exc=RuntimeError("attempt %d fails" % attempts), countdown=0.1)
    return {"attempts": attempts, "retries": self.request.retries}


@app.task(autoretry_for=(KeyError,), retry_kwargs={"max_retries": 2, "countdown": 0.05})
def always_keyerror(key):
    counter().incr(key)
    raise KeyError(key)


@app.task
def whoami():
    """The pid of the process that ran the task."""
    return os.getpid()
