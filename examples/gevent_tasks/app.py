"""A gevent web app whose background tasks run in the same process.

    python examples/gevent_tasks/app.py --port 8000 --data ./data

Routes (all GET, JSON replies):
  /                       a plain page, no task
  /enqueue?n=5            enqueue square(5); replies {"id": ...} at once
  /schedule?n=5&delay=3   the same, run in 3 seconds
  /result?id=...          {"ready": bool, "value": ...}
  /ticks                  how many times the periodic task ran

Stop it with SIGTERM or SIGINT; tasks queued or scheduled and not yet run
are in redlet's append-only file and run after the next start.
"""
from gevent import monkey

monkey.patch_all()

import argparse   # noqa: E402
import json       # noqa: E402
import signal     # noqa: E402
from urllib.parse import parse_qs   # noqa: E402

import gevent     # noqa: E402
import gevent.socket   # noqa: E402
from gevent.pywsgi import WSGIServer   # noqa: E402
from huey import crontab               # noqa: E402

from redlet.tasks import InProcessTasks   # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=8000)
parser.add_argument("--data", default="./data")
parser.add_argument("--workers", type=int, default=4)
args = parser.parse_args()

tasks = InProcessTasks("example", data_dir=args.data, workers=args.workers)
huey = tasks.huey


@huey.task()
def square(n):
    gevent.sleep(0.01)          # stands for I/O: an API call, an email
    return n * n


@huey.periodic_task(crontab(minute="*"))
def tick():
    huey.storage.conn.incr("ticks")


def app(environ, start_response):
    path = environ["PATH_INFO"]
    query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    status, body = "200 OK", None
    if path == "/":
        body = {"hello": "world"}
    elif path == "/enqueue":
        body = {"id": square(int(query.get("n", 0))).id}
    elif path == "/schedule":
        result = square.schedule((int(query.get("n", 0)),), delay=float(query.get("delay", 1)))
        body = {"id": result.id}
    elif path == "/result":
        value = huey.result(query["id"], preserve=True)
        body = {"ready": value is not None, "value": value}
    elif path == "/ticks":
        body = {"ticks": int(huey.storage.conn.get("ticks") or 0)}
    else:
        status, body = "404 Not Found", {"error": "not found"}
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(data)))])
    return [data]


def main():
    tasks.start()
    listener = gevent.socket.socket()
    listener.setsockopt(gevent.socket.SOL_SOCKET, gevent.socket.SO_REUSEADDR, 1)
    # replies go out as two writes (head, body): without NODELAY, Nagle and
    # the client's delayed ACK add 40 ms to every keep-alive request
    listener.setsockopt(gevent.socket.IPPROTO_TCP, gevent.socket.TCP_NODELAY, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(1024)
    server = WSGIServer(listener, app, log=None)

    for sig in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(sig, lambda: gevent.spawn(server.stop, timeout=1))
    print("serving on http://127.0.0.1:%d" % args.port, flush=True)
    try:
        server.serve_forever()
    finally:
        tasks.stop()            # running tasks finish; redlet closes its AOF


if __name__ == "__main__":
    main()
