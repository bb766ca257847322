"""TLS for the listeners (``tls-port``), with the standard ``ssl`` module.

The directives are Redis': ``tls-cert-file`` / ``tls-key-file`` (and
``tls-key-file-pass``), ``tls-ca-cert-file`` / ``tls-ca-cert-dir`` to verify
client certificates, ``tls-auth-clients yes|no|optional``, ``tls-protocols``
("TLSv1.2 TLSv1.3"), ``tls-ciphers`` (TLS 1.2) and
``tls-prefer-server-ciphers``.  The same context serves the asyncio and the
gevent adapters.
"""
import ssl

_VERSIONS = {"tlsv1": ssl.TLSVersion.TLSv1, "tlsv1.1": ssl.TLSVersion.TLSv1_1,
             "tlsv1.2": ssl.TLSVersion.TLSv1_2, "tlsv1.3": ssl.TLSVersion.TLSv1_3}


class TLSConfigError(Exception):
    """A TLS directive that cannot be applied (the server does not start)."""


def server_context(config):
    """An ``ssl.SSLContext`` for the server from ``config``."""
    cert, key = config["tls-cert-file"], config["tls-key-file"]
    if not cert or not key:
        raise TLSConfigError("Failed to configure TLS: tls-port needs tls-cert-file and "
                             "tls-key-file")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        ctx.load_cert_chain(cert, key, password=config["tls-key-file-pass"] or None)
    except (OSError, ssl.SSLError) as e:
        raise TLSConfigError("Failed to load certificate: %s (%s, %s)" % (e, cert, key)) \
            from None
    auth = config["tls-auth-clients"]
    ca_file, ca_dir = config["tls-ca-cert-file"], config["tls-ca-cert-dir"]
    if ca_file or ca_dir:
        try:
            ctx.load_verify_locations(cafile=ca_file or None, capath=ca_dir or None)
        except (OSError, ssl.SSLError) as e:
            raise TLSConfigError("Failed to configure CA certificate(s) file/directory: %s"
                                 % e) from None
    elif auth != "no":
        raise TLSConfigError("Either tls-ca-cert-file or tls-ca-cert-dir must be specified "
                             "when tls-auth-clients is enabled")
    ctx.verify_mode = {"yes": ssl.CERT_REQUIRED, "optional": ssl.CERT_OPTIONAL,
                       "no": ssl.CERT_NONE}[auth]
    protocols = config["tls-protocols"].lower().split()
    if protocols:
        try:
            versions = sorted(_VERSIONS[p] for p in protocols)
        except KeyError as e:
            raise TLSConfigError("Failed to configure TLS: invalid tls-protocols "
                                 "value %s" % e) from None
        ctx.minimum_version, ctx.maximum_version = versions[0], versions[-1]
    else:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2      # Redis' default
    if config["tls-ciphers"]:
        try:
            ctx.set_ciphers(config["tls-ciphers"])
        except ssl.SSLError as e:
            raise TLSConfigError("Failed to configure ciphers: %s" % e) from None
    if config["tls-prefer-server-ciphers"]:
        ctx.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
    return ctx
