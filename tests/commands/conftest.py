"""In-process command tests: an Engine without sockets.

``run(*args)`` sends one command as a fresh RESP2 client would and returns
the raw reply bytes; ``session()`` gives a client to send several commands.
"""
import pytest

from redlet.config import Config
from redlet.app import build_engine


class Session:
    def __init__(self, engine, resp3=False):
        self.engine = engine
        self.client = engine.new_client()
        self.client.resp3 = resp3

    def __call__(self, *args):
        argv = [a if isinstance(a, bytes) else str(a).encode() for a in args]
        return self.engine.process_batch(self.client, [argv])

    def many(self, *commands):
        reqs = [[a if isinstance(a, bytes) else str(a).encode() for a in c] for c in commands]
        return self.engine.process_batch(self.client, reqs)


@pytest.fixture
def engine():
    cfg = Config()
    cfg.values["save"] = []
    return build_engine(cfg)


@pytest.fixture
def session(engine):
    return lambda resp3=False: Session(engine, resp3)


@pytest.fixture
def run(engine):
    return Session(engine)
