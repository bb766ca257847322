"""Assembling a server: configuration -> engine with its extensions -> I/O.

Shared by the command line (``__main__``) and embedding (``embed``).
Extensions are objects the engine calls at fixed points (``cron``,
``check_command``, ``check_memory``, ``client_gone``, ``shutdown``...);
features that need them (persistence, ACL, eviction) register here.
"""
import logging
import os
import sys
import time

from .engine.core import Engine

log = logging.getLogger("redlet")

def _modules(engine):
    from .modules import attach
    return attach(engine)


def _acl(engine):
    from .acl import attach
    return attach(engine)


def _eviction(engine):
    from .eviction import attach
    return attach(engine)


def _aof(engine):
    from .persistence.aof import attach
    return attach(engine)


def _snapshot(engine):
    from .persistence.snapshot import attach
    return attach(engine)


# callables(engine) -> extension or None, in order: modules first (the AOF
# replay needs their commands), then the AOF, which loads before a snapshot
EXTENSION_FACTORIES = [_modules, _acl, _eviction, _aof, _snapshot]


def build_engine(config):
    engine = Engine(config)
    for factory in EXTENSION_FACTORIES:
        ext = factory(engine)
        if ext is not None:
            engine.extensions.append(ext)
    return engine


class RedisLogFormatter(logging.Formatter):
    """``pid:M 05 Dec 2026 11:27:03.123 * message``, as Redis logs."""
    _levels = {logging.DEBUG: ".", logging.INFO: "-", logging.WARNING: "#",
               logging.ERROR: "#", logging.CRITICAL: "#"}

    def format(self, record):
        t = record.created
        stamp = time.strftime("%d %b %Y %H:%M:%S", time.localtime(t)) + ".%03d" % (
            int(t * 1000) % 1000)
        mark = self._levels.get(record.levelno, "*")
        if record.levelno == logging.INFO and getattr(record, "notice", True):
            mark = "*"
        return "%d:M %s %s %s" % (os.getpid(), stamp, mark, record.getMessage())


_LOGLEVELS = {"debug": logging.DEBUG, "verbose": logging.INFO, "notice": logging.INFO,
              "warning": logging.WARNING, "nothing": logging.CRITICAL + 1}


def setup_logging(config):
    handler = (logging.FileHandler(config["logfile"]) if config["logfile"]
               else logging.StreamHandler(sys.stdout))
    handler.setFormatter(RedisLogFormatter())
    log.handlers[:] = [handler]
    log.setLevel(_LOGLEVELS[config["loglevel"]])
    log.propagate = False
