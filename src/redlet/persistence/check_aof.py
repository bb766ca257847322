"""``redlet-server check-aof [--fix] FILE``: find where an append-only file
stops being valid RESP and, with ``--fix``, cut it there (as
``redis-check-aof --fix`` does, without asking).

FILE is one ``.aof`` file or a Redis 7 manifest (every file it lists is
checked).  Exit status: 0 when every file is valid (or was fixed), 1 when a
file is damaged and ``--fix`` was not given, 2 on a usage error.
"""
import os
import sys

from ..protocol import PythonRequestParser

USAGE = "Usage: redlet-server check-aof [--fix] <file.aof|file.manifest>"


def analyze(path):
    """(size, ok_up_to, problem): the offset after the last complete command
    and why the rest is bad (None when the whole file is valid)."""
    parser = PythonRequestParser(max_bulk_len=2 ** 62, query_buffer_limit=2 ** 62)
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            _, err = parser.feed(chunk)
            if err is not None:
                return size, parser.boundary_offset, "bad format: " + (err.reply or "?")
    if not parser.at_boundary:
        return size, parser.boundary_offset, "truncated: the last command is incomplete"
    return size, size, None


def _files(path):
    if path.endswith(".manifest"):
        base = os.path.dirname(path)
        with open(path) as f:
            return [os.path.join(base, line.split()[1]) for line in f
                    if line.split()[:1] == ["file"] and len(line.split()) >= 2]
    return [path]


def main(argv, out=sys.stdout):
    args = list(argv)
    fix = "--fix" in args
    args = [a for a in args if a != "--fix"]
    if len(args) != 1:
        print(USAGE, file=out)
        return 2
    if not os.path.exists(args[0]):
        print("Cannot open file %s" % args[0], file=out)
        return 2
    status = 0
    for path in _files(args[0]):
        size, ok_up_to, problem = analyze(path)
        print("AOF analyzed: filename=%s, size=%d, ok_up_to=%d, diff=%d"
              % (path, size, ok_up_to, size - ok_up_to), file=out)
        if problem is None:
            print("AOF %s is valid" % path, file=out)
            continue
        print("AOF %s: %s at offset %d" % (path, problem, ok_up_to), file=out)
        if fix:
            with open(path, "r+b") as f:
                f.truncate(ok_up_to)
                f.flush()
                os.fsync(f.fileno())
            print("Successfully truncated AOF %s to %d bytes (%d bytes dropped)"
                  % (path, ok_up_to, size - ok_up_to), file=out)
        else:
            print("AOF %s is not valid. Use the --fix option to try fixing it." % path,
                  file=out)
            status = 1
    return status
