"""Writing a file from a snapshot of memory without stopping the server.

``Child.start(write, part, final)`` forks; the child (niced, its garbage
collector off so that it touches as few of the parent's pages as it can)
calls ``write(f)`` on ``part``, fsyncs it, renames it to ``final`` and exits.
The parent goes on serving and asks ``poll()`` from its cron.  Without
``os.fork`` the file is written in place (the server stops meanwhile).
Used by BGREWRITEAOF (``aof``) and BGSAVE (``snapshot``).
"""
import gc
import logging
import os
import signal
import time

log = logging.getLogger("redlet")


class Child:
    def __init__(self, part, final):
        self.part = part
        self.final = final
        self.started = time.monotonic()
        self.pid = None
        self.result = None          # the outcome of an in-place write

    @classmethod
    def start(cls, write, part, final):
        """Raises OSError when fork fails."""
        child = cls(part, final)
        if not hasattr(os, "fork"):
            child.result = write_file(write, part, final)
            return child
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                gc.disable()
                try:
                    os.nice(10)     # leave the CPU to the serving parent first
                except OSError:
                    pass
                try:
                    signal.set_wakeup_fd(-1)
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
                    signal.signal(signal.SIGINT, signal.SIG_IGN)
                except (ValueError, OSError):
                    pass
                code = 0 if write_file(write, part, final) else 1
            finally:
                os._exit(code)
        child.pid = pid
        return child

    def poll(self):
        """None while running, then True (the file is in place) or False."""
        if self.pid is None:
            return self.result
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:       # reaped by someone else: the file tells
            pid, status = self.pid, 0
        if pid == 0:
            return None
        return status == 0 and os.path.exists(self.final)

    def kill(self):
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        unlink(self.part)
        unlink(self.final)


def write_file(write, part, final):
    """``write(f)`` into ``part``, fsync, rename to ``final``; True on success."""
    try:
        with open(part, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(part, final)
        fsync_dir(os.path.dirname(final) or ".")
        return True
    except OSError as e:
        try:
            log.warning("Write error saving %s on disk: %s", final, e)
        except Exception:
            pass
        unlink(part)
        return False


def unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def fsync_dir(path):
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
