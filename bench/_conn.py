"""A minimal pipelining RESP connection for the benchmarks (no client library
in the measured path)."""
import socket


def _resp(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    """A pipelining connection that counts complete top-level replies."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=300)
        self.buf = b""

    def _end(self, pos):
        while True:
            i = self.buf.find(b"\r\n", pos)
            if i >= 0:
                break
            self._fill()
        t = self.buf[pos:pos + 1]
        if t == b"$":
            n = int(self.buf[pos + 1:i])
            end = i + 2 if n < 0 else i + 4 + n
            while len(self.buf) < end:
                self._fill()
            return end
        if t == b"*":
            p = i + 2
            for _ in range(max(int(self.buf[pos + 1:i]), 0)):
                p = self._end(p)
            return p
        if t == b"-":
            raise RuntimeError(self.buf[pos:i].decode())
        return i + 2

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise RuntimeError("connection closed")
        self.buf += chunk

    def pipeline(self, commands):
        self.sock.sendall(b"".join(_resp(c) for c in commands))
        pos = 0
        for _ in commands:
            pos = self._end(pos)
        self.buf = self.buf[pos:]

    def close(self):
        self.sock.close()
