"""Job functions and worker classes for tests/integration/test_rq.py; rq
workers import them by dotted path (``tests.integration.rq_jobs.add``,
``rq worker --worker-class tests.integration.rq_jobs.QuickWorker``)."""
import time

from rq import SimpleWorker, Worker, get_current_job


class QuickListenerMixin:
    """Poll the worker's command channel every 0.2 s instead of rq's 60 s.

    rq's listener thread (redis-py's PubSubWorkerThread) can read the
    UNSUBSCRIBE reply at teardown before its stop flag is cleared; it then
    waits ``sleep_time`` for a new subscription while the worker joins it.
    That race is on the client side (the server has already answered), and
    with 60 s it stalls a test for a minute now and then on a busy machine."""

    def subscribe(self):
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(
            sleep_time=0.2, daemon=True, exception_handler=self._pubsub_exception_handler)


class QuickWorker(QuickListenerMixin, Worker):
    """The forking Worker with a quick command listener."""


class QuickSimpleWorker(QuickListenerMixin, SimpleWorker):
    """The in-thread SimpleWorker with a quick command listener."""


def add(a, b):
    return a + b


def boom(message="boom"):
    raise ValueError(message)


def echo_parent_result(*args):
    """Return the results of the jobs this one depends on, in order."""
    job = get_current_job()
    return [parent.return_value() for parent in job.fetch_dependencies()] + list(args)


def flaky(counter_key, fail_times):
    """Fail ``fail_times`` times (counted in a Redis key), then succeed."""
    job = get_current_job()
    attempts = job.connection.incr(counter_key)
    if attempts <= fail_times:
        raise RuntimeError("attempt %d fails" % attempts)
    return attempts


def record_time(key):
    """Push the time the job ran to a Redis list."""
    job = get_current_job()
    job.connection.rpush(key, repr(time.time()))
    return "ran"


def sleep_for(seconds):
    time.sleep(seconds)
    return seconds


def note_success(job, connection, result, *args, **kwargs):
    """on_success callback: remember the job's result."""
    connection.hset("callbacks", job.id, "success:%r" % (result,))


def note_failure(job, connection, type, value, traceback):
    """on_failure callback: remember the exception."""
    connection.hset("callbacks", job.id, "failure:%s:%s" % (type.__name__, value))


def note_stopped(job, connection):
    """on_stopped callback."""
    connection.hset("callbacks", job.id, "stopped")


def count_run(key):
    """Count the runs of a (repeated) job in a Redis key."""
    return get_current_job().connection.incr(key)
