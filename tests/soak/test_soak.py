"""The soak (bench/soak.py) for a minute in the test suite: 200 clients over
every type against a redlet process with maxmemory 64mb / allkeys-lru.  No
unexpected error reply, the server alive and answering at the end, its peak
RSS under 400 MB, PING's p99 under 1 s.  REDLET_SOAK_SECONDS sets the
duration (``make soak`` runs the full 300 s).  Run with ``-s`` to see the
figures."""
import importlib.util
import json
import os

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SECONDS = float(os.environ.get("REDLET_SOAK_SECONDS", "60"))


def _soak_module():
    spec = importlib.util.spec_from_file_location("soak", os.path.join(ROOT, "bench", "soak.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.timeout(SECONDS + 180)
def test_soak():
    result = _soak_module().main(["--clients", "200", "--seconds", str(SECONDS)])
    figures = json.dumps(result)
    assert result["unexpected_errors"] == 0, figures
    assert result["server_alive"], figures
    assert result["ping"]["failures"] == 0, figures
    assert result["peak_rss_mb"] < 400, figures
    assert result["ping"]["p99_ms"] < 1000, figures
    assert result["ops"] > 0 and result["evicted_keys"] + result["expired_keys"] > 0, figures
    assert result["ok"], figures
