"""``redlet-server [config-file] [--name value ...]``, as redis-server takes them."""
import asyncio
import logging
import os
import signal
import sys

from . import __version__
from .app import build_engine, setup_logging
from .config import ConfigError, parse_command_line

log = logging.getLogger("redlet")

USAGE = """Usage: redlet-server [/path/to/redlet.conf] [options]
       redlet-server - (read config from stdin)
       redlet-server -v or --version
       redlet-server -h or --help
       redlet-server check-aof [--fix] <file.aof>

Examples:
       redlet-server (run the server with default conf)
       redlet-server /etc/redlet/6379.conf
       redlet-server --port 7777
       redlet-server /etc/myredlet.conf --loglevel verbose
"""


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-v", "--version"):
        print("redlet server v=%s (Redis %s compatible)" % (__version__, "7.0.15"))
        return 0
    if argv and argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    if argv and argv[0] == "check-aof":
        from .persistence.check_aof import main as check_aof
        return check_aof(argv[1:])
    try:
        if argv and argv[0] == "-":
            from .config import Config
            text = sys.stdin.read()
            rest = argv[1:]
            config = parse_command_line(rest)
            base = Config()
            base.load_text(text, source="stdin")
            for k, v in config.values.items():
                if v != Config().values.get(k):
                    base.values[k] = v
            config = base
        else:
            config = parse_command_line(argv)
    except (ConfigError, OSError) as e:
        sys.stderr.write("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n%s\n" % e)
        return 1
    setup_logging(config)
    from .server.asyncio_server import Server, new_event_loop
    loop = new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        engine = build_engine(config)
    except Exception as e:
        log.error("%s", e)
        return 1
    server = Server(config, engine)
    log.info("oO0OoO0OoO0Oo redlet is starting oO0OoO0OoO0Oo")
    log.info("redlet version=%s, pid=%d, just started", __version__, os.getpid())
    from .server.tls import TLSConfigError
    try:
        loop.run_until_complete(server.start())
    except (OSError, TLSConfigError) as e:
        log.error("%s", e)
        return 1
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, server.request_stop)
        except (NotImplementedError, RuntimeError):
            pass
    where = "".join(" %s port %s" % (kind, ",".join(str(p) for p in sorted(set(ports))))
                    for kind, ports in (("tcp", server.ports), ("tls", server.tls_ports))
                    if ports)
    log.info("Ready to accept connections%s", where)
    try:
        loop.run_until_complete(server.serve_until_stopped())
    finally:
        log.info("redlet is now ready to exit, bye bye...")
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
