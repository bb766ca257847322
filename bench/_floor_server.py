"""The floor a Python server stands on: uvloop, hiredis and a dict, SET, GET
and PING only, no features.  ``bench/floor.py`` measures it beside
redis-server and redlet; it is a yardstick, not a server to use."""
import asyncio
import sys

import hiredis
import uvloop

DB = {}


def _set(req):
    DB[req[1]] = req[2]
    return b"+OK\r\n"


def _get(req):
    value = DB.get(req[1])
    return b"$-1\r\n" if value is None else b"$%d\r\n%s\r\n" % (len(value), value)


HANDLERS = {b"SET": _set, b"GET": _get, b"PING": lambda req: b"+PONG\r\n"}


class Floor(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.reader = hiredis.Reader()

    def data_received(self, data):
        reader = self.reader
        reader.feed(data)
        out = []
        req = reader.gets()
        while req is not False:
            out.append(HANDLERS[req[0].upper()](req))
            req = reader.gets()
        self.transport.write(b"".join(out))


async def main(port):
    server = await asyncio.get_running_loop().create_server(Floor, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    uvloop.run(main(int(sys.argv[1])))
