"""The runnable examples under examples/ still run (the gevent web app has
its own end-to-end tests in test_gevent.py, the extension module in
tests/integration/test_modules.py)."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_asyncio_example():
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "asyncio_app.py")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "processed: ALPHA BETA GAMMA"


def test_pytest_fixtures_example():
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           os.path.join(ROOT, "examples", "pytest_fixtures")],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "4 passed" in proc.stdout
