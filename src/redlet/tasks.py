"""Background tasks inside a gevent web process, kept across restarts.

The technique known as "ditching the task queue for gevent" runs background
work (email, API calls, cache warming) as greenlets of the web process; its
price is that work still queued when the process stops is lost.
``InProcessTasks`` keeps the convenience and drops the price: the queue is a
huey queue stored in an embedded redlet server with its append-only file
(``appendfsync always`` by default: a task whose enqueue returned is on
disk), and the huey consumer runs as greenlets in the same process.  After
a restart, tasks that were queued or scheduled and had not run yet run.

::

    from gevent import monkey; monkey.patch_all()
    from redlet.tasks import InProcessTasks

    tasks = InProcessTasks("myapp", data_dir="./data")
    huey = tasks.huey

    @huey.task()
    def send_mail(to):
        ...

    tasks.start()                # redlet and the consumer, as greenlets
    send_mail("a@example.com")   # returns at once; runs in this process
    ...
    tasks.stop()

Known limit: greenlets share one thread, so a CPU-heavy task blocks the web
server (and redlet) until it yields.  Use a separate consumer process
(``huey_consumer``, against the same redlet) for such work.

Needs ``gevent``, ``huey`` and ``redis`` (``pip install redlet[tasks]``) and
a process monkey-patched by gevent before anything else is imported.
"""
import os

from .embed import EmbeddedServer, make_config


class InProcessTasks:
    """A huey instance on an embedded redlet, and its in-process consumer.

    ``data_dir`` holds redlet's append-only file and, unless ``port`` is
    given, the unix socket huey connects through (known before the server
    starts, so tasks can be declared at import time).  ``huey_options`` go
    to ``huey.RedisHuey`` (``results``, ``utc``, ``immediate``...)."""

    def __init__(self, name="tasks", data_dir="./data", workers=4, port=None,
                 appendfsync="always", periodic=True, scheduler_interval=1,
                 **huey_options):
        from huey import RedisHuey
        self.data_dir = os.path.abspath(str(data_dir))
        self.workers = workers
        self.periodic = periodic
        self.scheduler_interval = scheduler_interval
        self.socket_path = None if port else os.path.join(self.data_dir, "redlet.sock")
        self._config = make_config(port=port or 0, unix_socket=self.socket_path,
                                   data_dir=self.data_dir, appendfsync=appendfsync)
        url = ("redis://127.0.0.1:%d/0" % port) if port else "unix://" + self.socket_path
        self.huey = RedisHuey(name, url=url, **huey_options)
        self.server = None
        self.consumer = None

    def start(self):
        """Start redlet on the gevent hub, then the consumer's greenlets."""
        from huey.consumer import Consumer
        os.makedirs(self.data_dir, exist_ok=True)
        self.server = EmbeddedServer(self._config, mode="gevent").start()
        consumer = Consumer(self.huey, workers=self.workers, periodic=self.periodic,
                            worker_type="greenlet",
                            scheduler_interval=self.scheduler_interval)
        # the consumer's start() would also take over SIGINT/SIGTERM, which
        # belong to the web server: start its greenlets only
        consumer.scheduler.start()
        for _, worker in consumer.worker_threads:
            worker.start()
        self.consumer = consumer
        return self

    def stop(self, graceful=True):
        """Stop the consumer (letting running tasks finish when ``graceful``),
        then redlet (its append-only file flushed and closed)."""
        if self.consumer is not None:
            self.consumer.stop(graceful=graceful)
            self.consumer = None
        self.huey.storage.pool.disconnect()
        if self.server is not None:
            self.server.stop()
            self.server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
