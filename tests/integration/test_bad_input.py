# SPDX-License-Identifier: BSD-3-Clause
"""(c) Bad input: a one-line error naming the file or option, a non-zero exit,
and the flows seen up to that point still written.  The broken captures are
made here from a corpus file (zeek/ftp/retr.pcap: 67 packets, 2 TCP flows)."""
import os
import shutil
import subprocess
import tempfile

import pytest

import xf
from conftest import corpus_path
from pcapfile import Pcap

BASE = "zeek/ftp/retr.pcap"


@pytest.fixture(scope="module")
def base():
    return Pcap.read(corpus_path(BASE))


def write(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def assert_clear_error(res, named):
    """Non-zero exit (not a signal), no sanitizer report, and one stderr line
    that names `named`."""
    assert not res.timed_out, "xdpflow hung: %r" % res
    san = res.sanitizer_report()
    assert san is None, "sanitizer report:\n%s" % san
    assert res.rc is not None and 0 < res.rc < 126, \
        "expected a non-zero exit status (not a signal): %r" % res
    lines = [l for l in res.err_lines() if named in l]
    assert lines, "no stderr line names %r: %r" % (named, res)


def flow_counts(prefix):
    """{(src, sport, dst, dport, proto): (pkts a->b, pkts b->a, bytes, bytes)}"""
    _, rows = xf.read_tsv(prefix + "_flows.txt")
    flows, problems = xf.flows_from_rows(rows)
    assert not problems, problems
    return {(f.src_ip, f.src_port, f.dst_ip, f.dst_port, f.proto):
            (f.pkts_ab, f.pkts_ba, f.bytes_ab, f.bytes_ba) for f in flows}


def reference(tmp_path, pcap, n):
    """Flow counts of a clean file holding the first n records."""
    path = write(tmp_path, "first%d.pcap" % n, pcap.first(n))
    prefix = str(tmp_path / ("ref%d" % n))
    res = xf.run(["-r", path, "-w", prefix, "-D", "BYTE_LAYER=2"])
    assert res.rc == 0, res
    return flow_counts(prefix)


def test_truncated_last_packet(base, tmp_path):
    n = len(base.records)
    last_len = len(base.records[-1][2])
    path = write(tmp_path, "trunc.pcap", base.data[:-(last_len // 2)])
    prefix = str(tmp_path / "out")
    res = xf.run(["-r", path, "-w", prefix, "-D", "BYTE_LAYER=2"])
    assert_clear_error(res, "trunc.pcap")
    assert flow_counts(prefix) == reference(tmp_path, base, n - 1)


def test_corrupt_record_header(base, tmp_path):
    k = 30      # record 31 claims 2 GB: every earlier packet is still metered
    path = write(tmp_path, "corrupt.pcap",
                 base.with_record_caplen(k, 0x7fffffff))
    prefix = str(tmp_path / "out")
    res = xf.run(["-r", path, "-w", prefix, "-D", "BYTE_LAYER=2"])
    assert_clear_error(res, "corrupt.pcap")
    assert flow_counts(prefix) == reference(tmp_path, base, k)


def test_bad_magic(base, tmp_path):
    path = write(tmp_path, "badmagic.pcap", b"NOPE" + base.data[4:])
    res = xf.run(["-r", path, "-w", str(tmp_path / "out")])
    assert_clear_error(res, "badmagic.pcap")


def test_unknown_link_type(base, tmp_path):
    # 147 is LINKTYPE_USER0: libpcap opens it, xdpflow cannot decode it.
    path = write(tmp_path, "user0.pcap", base.with_linktype(147))
    res = xf.run(["-r", path, "-w", str(tmp_path / "out")])
    assert_clear_error(res, "user0.pcap")
    assert [l for l in res.err_lines() if "user0.pcap" in l and
            ("link" in l.lower() or "147" in l)], \
        "the message does not say the link type is the problem: %r" % res


def test_missing_file(tmp_path):
    path = str(tmp_path / "does-not-exist.pcap")
    res = xf.run(["-r", path, "-w", str(tmp_path / "out")])
    assert_clear_error(res, "does-not-exist.pcap")


def test_unreadable_directory(tmp_path):
    d = tmp_path / "a-directory.pcap"
    d.mkdir()
    res = xf.run(["-r", str(d), "-w", str(tmp_path / "out")])
    assert_clear_error(res, "a-directory.pcap")


def test_unreadable_permissions(base, tmp_path):
    if os.geteuid() != 0:
        user_cmd = []
    else:
        # root reads any file: drop to nobody to make the mode bits count
        setpriv = shutil.which("setpriv")
        if not setpriv:
            pytest.skip("SKIP: running as root and setpriv is missing, "
                        "cannot make a file unreadable")
        user_cmd = [setpriv, "--reuid=nobody", "--regid=nogroup",
                    "--clear-groups"]
    # pytest's tmp dirs are private (0700): use a world-traversable one
    top = tempfile.mkdtemp(prefix="xf-noperm-")
    os.chmod(top, 0o755)
    path = os.path.join(top, "noperm.pcap")
    with open(path, "wb") as f:
        f.write(base.data)
    os.chmod(path, 0)
    out = os.path.join(top, "outdir")
    os.mkdir(out)
    os.chmod(out, 0o777)
    binary = xf.binary()
    p = subprocess.run(user_cmd + [binary, "-r", path, "-w", out + "/"],
                       capture_output=True, text=True, timeout=xf.timeout())
    shutil.rmtree(top, ignore_errors=True)
    if user_cmd and "failed to execute" in p.stderr:
        pytest.skip("SKIP: user nobody cannot execute %s: %s" %
                    (binary, p.stderr.strip()))
    res = xf.Result(["-r", path], p.returncode, p.stdout, p.stderr)
    assert_clear_error(res, "noperm.pcap")


def test_bad_filter(tmp_path):
    res = xf.run(["-r", corpus_path(BASE), "-w", str(tmp_path / "out"),
                  "tcp port banana"])
    assert_clear_error(res, "banana")


def test_unknown_setting(tmp_path):
    res = xf.run(["-r", corpus_path(BASE), "-w", str(tmp_path / "out"),
                  "-D", "NOPE=1"])
    assert_clear_error(res, "NOPE")
