"""I/O adapters: asyncio (``asyncio_server``) and gevent (``gevent_server``)."""
import os


def finish_shutdown(engine, config):
    """The last steps of every adapter's stop, once clients are closed: the
    extensions' shutdown (AOF flush, SHUTDOWN's save) and the unix socket
    file removed."""
    for ext in engine.extensions:
        hook = getattr(ext, "shutdown", None)
        if hook is not None:
            hook()
    path = config["unixsocket"]
    if path and os.path.exists(path):
        try:
            os.unlink(path)
        except OSError:
            pass
