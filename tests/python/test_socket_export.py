# SPDX-License-Identifier: BSD-3-Clause
"""Issue 5's proof for the Unix socket export, against real xdpflow runs on
corpus captures, with plain sockets (no package code in the way):

- a subscriber gets every flow exactly once, byte for byte as the flows file
  (JSON lines as PREFIX_flows.json; TSV as PREFIX_flows.txt, header first);
- two subscribers at once;
- a subscriber that never reads changes neither the flows file nor, much,
  the run time, and its drops are reported;
- one that disconnects mid-run does not crash xdpflow;
- SOCKET_CONNECT reconnects after its listener restarts, and says so;
- socket file: mode 0600, stale file replaced, live socket not stolen.
"""
import os
import socket
import stat
import subprocess
import tempfile
import threading
import time

import pytest


def sock_path():
    return os.path.join(tempfile.mkdtemp(prefix="xf-"), "flows.sock")


def start(binary, src, prefix, *extra, list_file=False):
    args = [binary, "-R" if list_file else "-r", src, "-w", prefix] + list(extra)
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def subscribe(path, proc, timeout=20):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if proc.poll() is not None:
                raise AssertionError("xdpflow exited: %s" % proc.stderr.read().decode())
            time.sleep(0.02)
    raise AssertionError("could not connect to %s" % path)


def read_all(s):
    chunks = []
    while True:
        c = s.recv(1 << 16)
        if not c:
            return b"".join(chunks)
        chunks.append(c)


def finish(proc, timeout=120):
    _, err = proc.communicate(timeout=timeout)
    err = err.decode("utf-8", "replace")
    assert proc.returncode == 0, err
    return err


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def tsv_body(path):
    """The flows file as the socket sends it: the '%' header and the lines."""
    with open(path, "rb") as f:
        return b"".join(l for l in f if not l.startswith(b"#"))


def test_json_every_flow_once_same_form(binary, http_many, tmp_path):
    path, prefix = sock_path(), str(tmp_path / "j")
    proc = start(binary, http_many, prefix, "--json", "--socket", path,
                 "-D", "SOCKET_WAIT=1")
    s = subscribe(path, proc)
    got = read_all(s)
    finish(proc)
    want = file_bytes(prefix + "_flows.json")
    assert got == want
    lines = got.splitlines()
    assert len(lines) > 10
    keys = [l.split(b",", 2)[:2] for l in lines]          # "dir" and "flowInd"
    assert len(set(map(tuple, keys))) == len(keys), "a flow line came twice"
    assert not os.path.exists(path), "socket file left behind"


def test_tsv_same_as_flows_file(binary, http_many, tmp_path):
    path, prefix = sock_path(), str(tmp_path / "t")
    proc = start(binary, http_many, prefix, "--socket", path, "--socket-format", "tsv",
                 "-D", "SOCKET_WAIT=1")
    s = subscribe(path, proc)
    got = read_all(s)
    finish(proc)
    assert got.startswith(b"%dir\t")
    assert got == tsv_body(prefix + "_flows.txt")


def test_two_subscribers(binary, http_many, tmp_path):
    path, prefix = sock_path(), str(tmp_path / "two")
    proc = start(binary, http_many, prefix, "--json", "--socket", path,
                 "-D", "SOCKET_WAIT=2")
    a = subscribe(path, proc)
    b = subscribe(path, proc)
    out = {}
    ta = threading.Thread(target=lambda: out.__setitem__("a", read_all(a)))
    ta.start()
    out["b"] = read_all(b)
    ta.join()
    finish(proc)
    want = file_bytes(prefix + "_flows.json")
    assert out["a"] == want and out["b"] == want


def run_time(binary, list_file, prefix, *extra):
    t0 = time.monotonic()
    proc = start(binary, list_file, prefix, *extra, list_file=True)
    return proc, t0


def test_stuck_subscriber_bounded_and_reported(binary, big_list, tmp_path):
    base_prefix = str(tmp_path / "base")
    t0 = time.monotonic()
    finish(start(binary, big_list, base_prefix, list_file=True), 300)
    base_time = time.monotonic() - t0

    path, prefix = sock_path(), str(tmp_path / "stuck")
    t0 = time.monotonic()
    proc = start(binary, big_list, prefix, "--socket", path, "-D", "SOCKET_WAIT=1",
                 "-D", "SOCKET_BUFFER=4096", "-D", "SOCKET_LINGER=1", list_file=True)
    stuck = subscribe(path, proc)                  # connects, never reads
    err = finish(proc, 300)
    took = time.monotonic() - t0
    stuck.close()
    assert file_bytes(prefix + "_flows.txt") == file_bytes(base_prefix + "_flows.txt")
    # bounded: the baseline, plus at most SOCKET_LINGER, plus slack for a busy machine
    assert took < base_time + 1 + 5, (took, base_time)
    log = open(prefix + "_log.txt").read()
    line = [l for l in log.splitlines() if l.startswith("Socket ")]
    assert line, log
    dropped = int(line[0].rsplit(",", 1)[1].split()[0])
    assert dropped > 0, line
    assert "subscriber #1" in log and "dropped" in log
    assert "dropped" in err


def test_subscriber_leaves_mid_run(binary, big_list, tmp_path):
    path, prefix = sock_path(), str(tmp_path / "leave")
    proc = start(binary, big_list, prefix, "--socket", path, "-D", "SOCKET_WAIT=1",
                 list_file=True)
    s = subscribe(path, proc)
    assert s.recv(100)                           # it got something ...
    s.close()                                    # ... and leaves with data unread
    finish(proc, 300)
    assert os.path.getsize(prefix + "_flows.txt") > 0


def test_connect_reconnects_after_listener_restart(binary, big_list, tmp_path):
    path, prefix = sock_path(), str(tmp_path / "rc")

    def listen():
        if os.path.exists(path):
            os.unlink(path)
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(path)
        srv.listen(1)
        return srv

    srv = listen()
    proc = start(binary, big_list, prefix, "--socket-connect", path,
                 "--socket-format", "tsv", "-D", "SOCKET_WAIT=1",
                 "-D", "SOCKET_RETRY_MIN=0.05", "-D", "SOCKET_RETRY_MAX=0.2",
                 "-D", "SOCKET_LINGER=10", list_file=True)
    c, _ = srv.accept()
    first = c.recv(4096)
    c.close()                                     # the listener goes away ...
    srv.close()
    time.sleep(0.3)
    srv = listen()                                # ... and comes back
    srv.settimeout(30)
    c, _ = srv.accept()
    second = read_all(c)
    err = finish(proc, 300)
    srv.close()
    assert first.startswith(b"%dir\t")
    assert second.startswith(b"%dir\t"), "a new stream starts with the header"
    assert second.count(b"\n") > 1
    assert "reconnect" in err, err
    assert "reconnections: 1" in open(prefix + "_log.txt").read()


def test_socket_file_mode_and_stale(binary, http_get, tmp_path):
    path, prefix = sock_path(), str(tmp_path / "m")
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(path)                              # a socket file nobody listens on
    stale.close()
    os.chmod(path, 0o777)                         # tell it from the one xdpflow makes
    proc = start(binary, http_get, prefix, "--socket", path, "-D", "SOCKET_WAIT=1")
    # xdpflow replaces the file and waits for a subscriber (SOCKET_WAIT):
    # look at the new file then, before the short run ends and removes it
    st = None
    for _ in range(500):
        st = os.stat(path) if os.path.exists(path) else None
        if (st and stat.S_IMODE(st.st_mode) != 0o777) or proc.poll() is not None:
            break
        time.sleep(0.01)
    assert st and stat.S_IMODE(st.st_mode) == 0o600, st
    s = subscribe(path, proc)
    read_all(s)
    err = finish(proc)
    assert "stale" in err


def test_live_socket_not_stolen(binary, http_get, tmp_path):
    path, prefix = sock_path(), str(tmp_path / "live")
    other = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    other.bind(path)
    other.listen(1)
    ino = os.stat(path).st_ino
    proc = start(binary, http_get, prefix, "--socket", path)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "listening" in err.decode() and path in err.decode()
    assert os.stat(path).st_ino == ino
    other.close()
