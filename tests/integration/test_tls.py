"""TLS listeners (``tls-port``) with real clients: redis-py and
``redis-cli --tls``, client certificates required, optional or off, and a
clear startup error for a bad certificate."""
import os
import socket
import subprocess
import sys
import textwrap

import pytest
import redis
import trustme

import redlet

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    client = ca.issue_cert("client.example")
    files = {"ca": d / "ca.crt", "cert": d / "server.crt", "key": d / "server.key",
             "client_cert": d / "client.crt", "client_key": d / "client.key"}
    ca.cert_pem.write_to_path(str(files["ca"]))
    server.cert_chain_pems[0].write_to_path(str(files["cert"]))
    server.private_key_pem.write_to_path(str(files["key"]))
    client.cert_chain_pems[0].write_to_path(str(files["client_cert"]))
    client.private_key_pem.write_to_path(str(files["client_key"]))
    return {k: str(v) for k, v in files.items()}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tls_directives(certs, auth="yes"):
    return {"tls_cert_file": certs["cert"], "tls_key_file": certs["key"],
            "tls_ca_cert_file": certs["ca"], "tls_auth_clients": auth}


def _client(port, certs, with_cert=True):
    kwargs = dict(host="127.0.0.1", port=port, ssl=True, ssl_ca_certs=certs["ca"],
                  socket_timeout=5)
    if with_cert:
        kwargs.update(ssl_certfile=certs["client_cert"], ssl_keyfile=certs["client_key"])
    return redis.Redis(**kwargs)


def test_redis_py_over_tls_with_client_certificate(certs):
    port = _free_port()
    with redlet.serve(tls_port=port, **_tls_directives(certs)) as server:
        r = _client(port, certs)
        assert r.set("secret", "value") is True
        assert r.get("secret") == b"value"
        r.rpush("q", *range(1000))
        assert r.llen("q") == 1000
        # the plain port serves too, same data
        assert server.client().get("secret") == b"value"
        r.close()


def test_client_certificate_required(certs):
    port = _free_port()
    with redlet.serve(tls_port=port, **_tls_directives(certs)):
        r = _client(port, certs, with_cert=False)
        with pytest.raises(redis.ConnectionError):
            r.ping()
        # the server is still fine
        assert _client(port, certs).ping() is True


def test_tls_auth_clients_no_and_optional(certs):
    for auth in ("no", "optional"):
        port = _free_port()
        with redlet.serve(tls_port=port, **_tls_directives(certs, auth)):
            assert _client(port, certs, with_cert=False).ping() is True
            assert _client(port, certs).ping() is True


def test_plaintext_on_the_tls_port_is_refused(certs):
    port = _free_port()
    with redlet.serve(tls_port=port, **_tls_directives(certs)):
        with pytest.raises(redis.ConnectionError):
            redis.Redis(port=port, socket_timeout=3).ping()
        assert _client(port, certs).ping() is True


def test_redis_cli_tls(certs, tmp_path):
    port = _free_port()
    with redlet.serve(tls_port=port, **_tls_directives(certs)):
        base = ["redis-cli", "-p", str(port), "--tls", "--cacert", certs["ca"], "--cert",
                certs["client_cert"], "--key", certs["client_key"]]
        assert subprocess.run(base + ["set", "k", "v"], capture_output=True, text=True,
                              timeout=10).stdout.strip() == "OK"
        assert subprocess.run(base + ["get", "k"], capture_output=True, text=True,
                              timeout=10).stdout.strip() == "v"


def test_bad_certificate_stops_the_start(certs, tmp_path):
    port = _free_port()
    proc = subprocess.run(
        [sys.executable, "-m", "redlet", "--port", "0", "--tls-port", str(port),
         "--tls-cert-file", str(tmp_path / "missing.crt"), "--tls-key-file", certs["key"],
         "--tls-ca-cert-file", certs["ca"], "--save", "", "--appendonly", "no"],
        capture_output=True, text=True, timeout=30, cwd=str(tmp_path),
        env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src")))
    assert proc.returncode == 1
    assert "Failed to load certificate" in proc.stdout + proc.stderr


def test_tls_port_without_certificate_is_an_error(tmp_path):
    with pytest.raises(Exception) as info:
        redlet.serve(tls_port=_free_port())
    assert "tls-cert-file" in str(info.value)


GEVENT_SCRIPT = textwrap.dedent(r'''
    from gevent import monkey; monkey.patch_all()
    import sys, redis, redlet
    port, ca, cert, key, ccert, ckey = sys.argv[1:]
    s = redlet.serve(tls_port=int(port), tls_cert_file=cert, tls_key_file=key,
                     tls_ca_cert_file=ca)
    r = redis.Redis(port=int(port), ssl=True, ssl_ca_certs=ca, ssl_certfile=ccert,
                    ssl_keyfile=ckey, socket_timeout=5)
    r.set("g", "tls")
    print(s.mode, r.get("g").decode(), r.incrby("n", 5))
    r.close(); s.stop()
''')


def test_tls_on_the_gevent_hub(certs):
    port = _free_port()
    proc = subprocess.run([sys.executable, "-c", GEVENT_SCRIPT, str(port), certs["ca"],
                           certs["cert"], certs["key"], certs["client_cert"],
                           certs["client_key"]], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["gevent", "tls", "5"]
