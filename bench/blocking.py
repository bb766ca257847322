"""Blocking fan-out: redlet vs redis-server side by side (not a test).

For each server (persistence off): ``--consumers`` connections (default 200)
each loop ``BRPOP k0 .. k9 0``; once all of them are blocked, ``--producers``
processes (default 10) each LPUSH ``--per-producer`` unique elements (default
10,000; one element per LPUSH, pipelined ``--pipeline`` commands at a time)
spread over the keys. Every delivered element is recorded and checked:
no duplicates, none missing, and per consumer the elements one producer
pushed to one key arrive in push order (LPUSH + BRPOP is FIFO and a
consumer's pops are sequential). Prints elapsed seconds and elements/s.

Then, with every consumer blocked again and no traffic, the server's CPU
time (utime + stime from /proc/PID/stat) over ``--idle`` seconds (default 10)
is printed as a percentage of one CPU. Results go to bench/out/blocking.json.
"client CPU %" is the consumer process' CPU over the delivery phase: near
100 % means the load generator, not the server, set the pace.

The consumers are one asyncio (uvloop when installed) process with a
minimal RESP reader; producers are separate processes; the load generator is
pinned to the CPU the server is not on.

    python bench/blocking.py [--consumers N] [--keys N] [--producers N]
                             [--per-producer N] [--pipeline N] [--idle S]
"""
import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _conn import Conn, _resp
from _servers import available, cpus, running

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "out", "blocking.json")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """utime + stime of process ``pid`` in seconds (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    fields = stat[stat.rindex(")") + 2:].split()  # comm may contain spaces
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def element(producer, seq):
    return b"%d:%d" % (producer, seq)


def key_for(producer, seq, keys):
    return b"k%d" % ((producer + seq) % keys)


def blocked_clients(port):
    conn = Conn(port)
    conn.sock.sendall(_resp(["INFO", "clients"]))
    conn._end(0)  # reads until the whole reply is buffered
    conn.close()
    for line in conn.buf.split(b"\r\n"):
        if line.startswith(b"blocked_clients:"):
            return int(line.split(b":")[1])
    raise RuntimeError("INFO clients has no blocked_clients")


def wait_blocked(port, n, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        got = blocked_clients(port)
        if got == n:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{got} clients blocked, expected {n}")
        time.sleep(0.05)


# -- consumers (child process) ---------------------------------------------

class _Consumer(asyncio.Protocol):
    """One connection looping BRPOP; replies are *2 arrays of two bulks."""

    def __init__(self, index, command, sink):
        self.index, self.command, self.sink = index, command, sink
        self.buf = b""

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.command)

    def data_received(self, data):
        buf = self.buf + data
        pos = 0
        while True:
            reply = _parse_pair(buf, pos)
            if reply is None:
                break
            pos, key, value = reply
            self.sink(self.index, key, value)
            self.transport.write(self.command)
        self.buf = buf[pos:]


def _parse_pair(buf, pos):
    """(next_pos, key, value) for a complete ``*2 $key $value`` at pos, else None."""
    i = buf.find(b"\r\n", pos)
    if i < 0:
        return None
    if buf[pos:pos + 1] != b"*":
        raise RuntimeError(f"unexpected reply {buf[pos:i]!r}")
    if int(buf[pos + 1:i]) != 2:
        raise RuntimeError(f"unexpected reply {buf[pos:i]!r}")
    out = []
    p = i + 2
    for _ in range(2):
        j = buf.find(b"\r\n", p)
        if j < 0:
            return None
        n = int(buf[p + 1:j])
        end = j + 2 + n
        if len(buf) < end + 2:
            return None
        out.append(buf[j + 2:end])
        p = end + 2
    return p, out[0], out[1]


def consumers_main(port, consumers, keys, total, pipe, cpu):
    """Child: open the consumers, report 'ready', then the time the total-th
    element arrived, and on 'stop' send every delivery as lines."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    asyncio.run(_consume(port, consumers, keys, total, pipe))


async def _consume(port, consumers, keys, total, pipe):
    loop = asyncio.get_running_loop()
    command = _resp([b"BRPOP"] + [b"k%d" % k for k in range(keys)] + [b"0"])
    delivered = []
    finished = loop.create_future()

    def sink(index, key, value):
        delivered.append(b"%d %s %s" % (index, key, value))
        if len(delivered) == total:
            pipe.send_bytes(b"done %r" % time.monotonic())

    transports = []
    for i in range(consumers):
        transport, _ = await loop.create_connection(
            lambda i=i: _Consumer(i, command, sink), "127.0.0.1", port)
        transports.append(transport)
    pipe.send_bytes(b"ready")
    loop.add_reader(pipe.fileno(), lambda: finished.done() or finished.set_result(None))
    await finished
    loop.remove_reader(pipe.fileno())
    os.set_blocking(pipe.fileno(), True)  # add_reader made it non-blocking
    pipe.recv_bytes()  # the 'stop'
    for t in transports:
        t.close()
    pipe.send_bytes(b"\n".join(delivered))


# -- producers (child processes) --------------------------------------------

def producer_main(port, producer, per_producer, keys, pipeline, go, cpu):
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    conn = Conn(port)
    cmds = [[b"LPUSH", key_for(producer, seq, keys), element(producer, seq)]
            for seq in range(per_producer)]
    go.wait()
    for i in range(0, len(cmds), pipeline):
        conn.pipeline(cmds[i:i + pipeline])
    conn.close()


# -- one run ----------------------------------------------------------------

def verify(lines, producers, per_producer):
    """Exactly-once and per-consumer FIFO checks on 'consumer key value' lines."""
    seen = set()
    duplicates = []
    last = {}  # (consumer, key, producer) -> last seq
    order_violations = 0
    for line in lines:
        consumer, key, value = line.split(b" ")
        if value in seen:
            duplicates.append(value)
        seen.add(value)
        producer, seq = (int(x) for x in value.split(b":"))
        slot = (consumer, key, producer)
        if last.get(slot, -1) > seq:
            order_violations += 1
        last[slot] = seq
    expected = {element(p, s) for p in range(producers) for s in range(per_producer)}
    missing = expected - seen
    unexpected = seen - expected
    return {
        "delivered": len(lines),
        "unique": len(seen),
        "duplicates": len(duplicates),
        "missing": len(missing),
        "unexpected": len(unexpected),
        "order_violations": order_violations,
        "exactly_once": not duplicates and not missing and not unexpected,
        "examples": {
            "duplicates": [d.decode() for d in duplicates[:5]],
            "missing": sorted(m.decode() for m in missing)[:5],
        },
    }


def run(kind, args, server_cpu, client_cpu):
    total = args.producers * args.per_producer
    ctx = multiprocessing.get_context("fork")
    with running(kind, cpu=server_cpu) as srv:
        parent, child = ctx.Pipe()
        consumer = ctx.Process(target=consumers_main, args=(
            srv.port, args.consumers, args.keys, total, child, client_cpu))
        consumer.start()
        if parent.recv_bytes() != b"ready":
            raise RuntimeError("consumers did not start")
        wait_blocked(srv.port, args.consumers)
        go = ctx.Event()
        producers = [ctx.Process(target=producer_main, args=(
            srv.port, p, args.per_producer, args.keys, args.pipeline, go, client_cpu))
            for p in range(args.producers)]
        for p in producers:
            p.start()
        time.sleep(0.5)  # let every producer build its commands and connect
        client_cpu0 = cpu_seconds(consumer.pid)
        t0 = time.monotonic()
        go.set()
        if not parent.poll(args.timeout):
            elapsed = None
        else:
            msg = parent.recv_bytes()
            elapsed = float(msg.split()[1]) - t0
        # Near 100 % means the consumers, not the server, set the pace.
        consumer_cpu = cpu_seconds(consumer.pid) - client_cpu0
        for p in producers:
            p.join()

        wait_blocked(srv.port, args.consumers)  # everyone is waiting again
        time.sleep(0.5)
        cpu0, w0 = cpu_seconds(srv.pid), time.monotonic()
        time.sleep(args.idle)
        cpu1, w1 = cpu_seconds(srv.pid), time.monotonic()
        still_blocked = blocked_clients(srv.port)

        parent.send_bytes(b"stop")
        data = parent.recv_bytes()
        consumer.join()
        lines = data.split(b"\n") if data else []
    result = verify(lines, args.producers, args.per_producer)
    result.update({
        "elapsed_s": elapsed,
        "elements_per_s": total / elapsed if elapsed else None,
        "consumer_process_cpu_pct": 100.0 * consumer_cpu / elapsed if elapsed else None,
        "idle_window_s": w1 - w0,
        "idle_cpu_s": cpu1 - cpu0,
        "idle_cpu_pct": 100.0 * (cpu1 - cpu0) / (w1 - w0),
        "blocked_during_idle": still_blocked,
    })
    return result


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--consumers", type=int, default=200)
    p.add_argument("--keys", type=int, default=10)
    p.add_argument("--producers", type=int, default=10)
    p.add_argument("--per-producer", type=int, default=10_000)
    p.add_argument("--pipeline", type=int, default=100)
    p.add_argument("--idle", type=float, default=10.0)
    p.add_argument("--timeout", type=float, default=300.0)
    args = p.parse_args(argv)
    server_cpu, client_cpu = cpus()
    kinds = [k for k in ("redis", "redlet") if available(k)]
    results = {k: run(k, args, server_cpu, client_cpu) for k in kinds}

    total = args.producers * args.per_producer
    print(f"{args.consumers} consumers in BRPOP on {args.keys} keys, "
          f"{total:,} LPUSHes from {args.producers} producers (pipeline {args.pipeline})")
    print(f"{'':12}{'elapsed s':>11}{'elements/s':>12}{'exactly once':>14}"
          f"{'dup':>5}{'miss':>6}{'order':>7}{'idle CPU %':>12}{'client CPU %':>14}")
    for kind, r in results.items():
        rate = f"{r['elements_per_s']:,.0f}" if r["elements_per_s"] else "timeout"
        elapsed = f"{r['elapsed_s']:.2f}" if r["elapsed_s"] else "-"
        print(f"{kind:12}{elapsed:>11}{rate:>12}{str(r['exactly_once']):>14}"
              f"{r['duplicates']:>5}{r['missing']:>6}{r['order_violations']:>7}"
              f"{r['idle_cpu_pct']:>11.2f}%{r['consumer_process_cpu_pct'] or 0:>13.0f}%")
    if "redis" in results and "redlet" in results and results["redlet"]["elements_per_s"]:
        ratio = results["redis"]["elements_per_s"] / results["redlet"]["elements_per_s"]
        results["ratio_redis_over_redlet"] = ratio
        print(f"redis/redlet throughput ratio: {ratio:.2f}x")
    results["params"] = vars(args)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(results, f, indent=2)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
