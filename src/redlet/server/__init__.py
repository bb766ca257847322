"""I/O adapters: asyncio (``asyncio_server``) and gevent (``gevent_server``)."""
import logging
import os

log = logging.getLogger("redlet")


def protocol_error(client, err):
    """The parser gave up on ``client``'s input: log it, mark the client for
    closing and return the error line to send first (none when the query
    buffer limit was passed, as Redis)."""
    client.closing = True
    if err.reply is not None:
        log.info("Protocol error (%s) from client: id=%d addr=%s", err.reply, client.id,
                 client.addr)
        return b"-" + err.reply.encode() + b"\r\n"
    log.warning("closing client that reached max query buffer length: id=%d addr=%s",
                client.id, client.addr)
    return b""


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
