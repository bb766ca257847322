"""redlet: a Redis-compatible data server in Python."""
__version__ = "0.1.0"
REDIS_VERSION = "7.0.15"


def __getattr__(name):
    # imported on first use, so that ``import redlet`` stays light
    if name in ("serve", "start_server", "EmbeddedServer"):
        from . import embed
        return getattr(embed, name)
    if name in ("Client", "AsyncClient", "ResponseError", "ConnectionError"):
        from . import client
        return getattr(client, name)
    if name == "command":
        from .modules import command
        return command
    raise AttributeError("module 'redlet' has no attribute %r" % name)
