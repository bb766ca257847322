"""``redlet-server check-aof``: valid files, torn tails, corrupt middles, --fix."""
import subprocess
import sys

from redlet.persistence.check_aof import main

SET = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"


def run(args):
    lines = []

    class Out:
        def write(self, s):
            lines.append(s)

    code = main(args, out=Out())
    return code, "".join(lines)


def test_valid_file(tmp_path):
    p = tmp_path / "a.aof"
    p.write_bytes(SET * 3)
    code, text = run([str(p)])
    assert code == 0
    assert "size=%d, ok_up_to=%d, diff=0" % (len(SET) * 3, len(SET) * 3) in text
    assert "is valid" in text


def test_torn_tail_is_reported_then_fixed(tmp_path):
    p = tmp_path / "a.aof"
    p.write_bytes(SET * 2 + SET[:7])
    code, text = run([str(p)])
    assert code == 1
    assert "truncated" in text and "offset %d" % (2 * len(SET)) in text
    assert p.read_bytes() == SET * 2 + SET[:7]           # untouched without --fix
    code, text = run(["--fix", str(p)])
    assert code == 0
    assert p.read_bytes() == SET * 2
    assert run([str(p)])[0] == 0


def test_corrupt_middle_is_cut_at_the_last_good_command(tmp_path):
    p = tmp_path / "a.aof"
    p.write_bytes(SET + b"*2\r\n$3\r\nGET\r\n$x\r\n" + SET)
    code, text = run([str(p)])
    assert code == 1 and "bad format" in text and "offset %d" % len(SET) in text
    assert run([str(p), "--fix"])[0] == 0
    assert p.read_bytes() == SET


def test_manifest_checks_every_listed_file(tmp_path):
    (tmp_path / "x.1.incr.aof").write_bytes(SET)
    (tmp_path / "x.2.incr.aof").write_bytes(SET[:5])
    m = tmp_path / "x.manifest"
    m.write_text("file x.1.incr.aof seq 1 type i\nfile x.2.incr.aof seq 2 type i\n")
    code, text = run([str(m)])
    assert code == 1
    assert "x.1.incr.aof is valid" in text and "x.2.incr.aof: truncated" in text


def test_usage_errors(tmp_path):
    assert run([])[0] == 2
    assert run([str(tmp_path / "missing.aof")])[0] == 2


def test_command_line_entry_point(tmp_path):
    p = tmp_path / "a.aof"
    p.write_bytes(SET + SET[:3])
    r = subprocess.run([sys.executable, "-m", "redlet", "check-aof", "--fix", str(p)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Successfully truncated" in r.stdout
    assert p.read_bytes() == SET
