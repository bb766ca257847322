"""Crash tests for the append-only file: the server is killed with SIGKILL
while clients are writing, restarted on the same directory, and every
acknowledged write must have survived (``appendfsync always``), or every write
acknowledged more than ~2 s before the kill (``everysec``).  A torn last
record added by hand must be cut off on start and logged."""
import os
import random
import socket
import sys
import threading
import time

import pytest

from tests.differential.conftest import RawConn, _start, free_port

WRITERS = 4


def start_server(data_dir, fsync):
    port = free_port()
    proc = _start([sys.executable, "-m", "redlet", "--port", str(port), "--bind", "127.0.0.1",
                   "--dir", data_dir, "--save", "", "--appendonly", "yes",
                   "--appendfsync", fsync], port, data_dir)
    return proc, port


def server_log(data_dir):
    with open(os.path.join(data_dir, "server.log")) as f:
        return f.read()


def parse_array(raw):
    """The bulk strings of a flat RESP2 array reply."""
    assert raw[:1] == b"*", raw
    lines = raw.split(b"\r\n")
    n = int(lines[0][1:])
    return [lines[2 + 2 * i] for i in range(n)]


class Writer(threading.Thread):
    """One client, one command at a time: INCR counter:<w>, then RPUSH log:<w>
    <seq>.  Counts what was sent and records each acknowledgement with the
    time it arrived."""

    def __init__(self, port, w, next_seq):
        super().__init__(daemon=True)
        self.port, self.w, self.seq = port, w, next_seq
        self.incr_sent = self.rpush_sent = 0
        self.incr_acks = []     # (monotonic time, counter value)
        self.rpush_acks = []    # (monotonic time, seq)
        self.error = None

    def run(self):
        try:
            conn = RawConn(self.port)
        except OSError as e:
            self.error = e
            return
        try:
            while True:
                self.incr_sent += 1
                reply = conn.send("INCR", "counter:%d" % self.w)
                assert reply[:1] == b":", reply
                self.incr_acks.append((time.monotonic(), int(reply[1:-2])))
                self.rpush_sent += 1
                reply = conn.send("RPUSH", "log:%d" % self.w, self.seq)
                assert reply[:1] == b":", reply
                self.rpush_acks.append((time.monotonic(), self.seq))
                self.seq += 1
        except (OSError, ConnectionError):
            pass                # the server was killed
        except Exception as e:  # a wrong reply: reported by the test
            self.error = e
        finally:
            conn.close()


def read_state(port):
    """(counter, log) for each writer, from a fresh connection."""
    conn = RawConn(port)
    try:
        state = []
        for w in range(WRITERS):
            raw = conn.send("GET", "counter:%d" % w)
            counter = 0 if raw == b"$-1\r\n" else int(raw.split(b"\r\n")[1])
            log = [int(x) for x in parse_array(conn.send("LRANGE", "log:%d" % w, 0, -1))]
            state.append((counter, log))
        return state
    finally:
        conn.close()


def run_round(data_dir, fsync, state, duration):
    """Start on data_dir, write for `duration` seconds, SIGKILL.  Returns the
    writers and the monotonic time of the kill."""
    proc, port = start_server(data_dir, fsync)
    writers = [Writer(port, w, len(state[w][1]) + 1) for w in range(WRITERS)]
    try:
        for t in writers:
            t.start()
        time.sleep(duration)
        killed_at = time.monotonic()
        proc.kill()
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    for t in writers:
        t.join(10)
        assert not t.is_alive(), "writer %d did not stop" % t.w
        assert t.error is None, "writer %d: %r" % (t.w, t.error)
    return writers, killed_at


def recover(data_dir, fsync):
    proc, port = start_server(data_dir, fsync)   # raises if it does not start
    try:
        return read_state(port), server_log(data_dir)
    finally:
        proc.kill()
        proc.wait(10)


def check_log_shape(w, log):
    assert log == list(range(1, len(log) + 1)), \
        "writer %d: log list is not 1..n (gap or duplicate): %r" % (w, _diff_hint(log))


def _diff_hint(log):
    for i, x in enumerate(log):
        if x != i + 1:
            return "index %d holds %r (around: %r), len %d" % (i, x, log[max(0, i - 3):i + 4],
                                                               len(log))
    return "len %d" % len(log)


def test_kill9_appendfsync_always_keeps_every_acknowledged_write(tmp_path):
    data_dir = str(tmp_path)
    rng = random.Random(1234)
    state = [(0, [])] * WRITERS
    total_acked = 0
    started = time.monotonic()
    for rnd in range(20):
        writers, _ = run_round(data_dir, "always", state, rng.uniform(0.3, 0.8))
        recovered, log_text = recover(data_dir, "always")
        for t in writers:
            c0, log0 = state[t.w]
            counter, log = recovered[t.w]
            where = "round %d writer %d" % (rnd, t.w)
            if t.incr_acks:
                assert counter >= t.incr_acks[-1][1], \
                    "%s: acknowledged INCR %d lost, counter is %d\n%s" % (
                        where, t.incr_acks[-1][1], counter, log_text)
            assert c0 <= counter <= c0 + t.incr_sent, (where, c0, counter, t.incr_sent)
            check_log_shape(t.w, log)
            assert len(log) >= len(log0) + len(t.rpush_acks), \
                "%s: acknowledged RPUSH lost: %d before, %d acked, %d after\n%s" % (
                    where, len(log0), len(t.rpush_acks), len(log), log_text)
            assert len(log) <= len(log0) + t.rpush_sent, (where, len(log0), t.rpush_sent,
                                                          len(log))
            total_acked += len(t.incr_acks) + len(t.rpush_acks)
        state = recovered
    assert total_acked > 0, "no write was acknowledged in 20 rounds"
    assert all(c > 0 for c, _ in state)
    assert time.monotonic() - started < 60


def test_kill9_appendfsync_everysec_loses_at_most_the_last_two_seconds(tmp_path):
    data_dir = str(tmp_path)
    state = [(0, [])] * WRITERS
    for rnd in range(3):
        writers, killed_at = run_round(data_dir, "everysec", state, 3.0)
        recovered, log_text = recover(data_dir, "everysec")
        horizon = killed_at - 2.0
        for t in writers:
            c0, log0 = state[t.w]
            counter, log = recovered[t.w]
            where = "round %d writer %d" % (rnd, t.w)
            old_incrs = [v for ts, v in t.incr_acks if ts < horizon]
            old_pushes = [s for ts, s in t.rpush_acks if ts < horizon]
            assert old_incrs and old_pushes, "%s: nothing acknowledged >2 s before the kill" % where
            assert counter >= old_incrs[-1], \
                "%s: INCR %d acknowledged %.2f s before the kill lost, counter %d\n%s" % (
                    where, old_incrs[-1], killed_at - t.incr_acks[len(old_incrs) - 1][0],
                    counter, log_text)
            assert c0 <= counter <= c0 + t.incr_sent, (where, c0, counter, t.incr_sent)
            check_log_shape(t.w, log)
            assert len(log) >= old_pushes[-1], \
                "%s: RPUSH %d acknowledged >2 s before the kill lost, log has %d\n%s" % (
                    where, old_pushes[-1], len(log), log_text)
            assert len(log) <= len(log0) + t.rpush_sent, (where, len(log0), t.rpush_sent,
                                                          len(log))
        state = recovered


def incr_file(data_dir):
    aof_dir = os.path.join(data_dir, "appendonlydir")
    with open(os.path.join(aof_dir, "appendonly.aof.manifest")) as f:
        incr = [line.split()[1] for line in f if line.split()[-1:] == ["i"]]
    assert incr, "the manifest names no incr file"
    return os.path.join(aof_dir, incr[-1])


def test_torn_tail_after_kill9_is_truncated_and_logged(tmp_path):
    data_dir = str(tmp_path)
    state = [(0, [])] * WRITERS
    writers, _ = run_round(data_dir, "always", state, 0.5)
    path = incr_file(data_dir)
    size = os.path.getsize(path)
    assert size > 0
    with open(path, "rb") as f:
        f.seek(max(0, size - 2))
        assert f.read() == b"\r\n", "the kill itself left a torn record"
    torn = b"*3\r\n$5\r\nRPUSH\r\n$5\r\nlog:0\r\n$6\r\n99"
    with open(path, "ab") as f:
        f.write(torn)
    proc, port = start_server(data_dir, "always")   # raises if it does not start
    try:
        recovered = read_state(port)
        log_text = server_log(data_dir)
    finally:
        proc.kill()
        proc.wait(10)
    assert "short read while loading the AOF file" in log_text, log_text
    assert "truncating %d bytes" % len(torn) in log_text, log_text
    assert os.path.getsize(path) == size, "the torn record was not cut off"
    for t in writers:
        counter, log = recovered[t.w]
        if t.incr_acks:
            assert counter >= t.incr_acks[-1][1]
        check_log_shape(t.w, log)
        assert len(log) >= len(t.rpush_acks)
        assert len(log) <= t.rpush_sent
