# SPDX-License-Identifier: BSD-3-Clause
"""Session: one run of xdpflow on a capture, a list of captures or an
interface, and its results as Python values (in the manner of t2py's
T2 session)."""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from ._binary import XdpflowError, find_binary, run_xdpflow
from .columns import (converter, infer_value, json_lines, read_headers, read_tsv,
                      typed_record)
from .config import config_options

__all__ = ["Session"]

_TEXT_FORMATS = ("text", "ascii", "hex", "raw", "transcript", "transcript-hex")
_JSON_FORMATS = ("json", "transcript-json")


class Session:
    """One xdpflow run.

    Exactly one input: pcap (a pcap/pcapng file), pcap_list (a list of files,
    or the path of a list file, as -R) or iface (a live interface).  Output
    goes to output_prefix (default: a new temporary directory); config is a
    {SETTING: value} dict passed as -D options; bpf a filter expression."""

    def __init__(self, pcap=None, iface=None, pcap_list=None, output_prefix=None,
                 packet_mode=False, config=None, bpf=None, binary=None,
                 json_output=False):
        inputs = [x for x in (pcap, iface, pcap_list) if x is not None]
        if len(inputs) != 1:
            raise ValueError("Session needs exactly one of pcap, iface, pcap_list")
        self.pcap, self.iface, self.pcap_list = pcap, iface, pcap_list
        self.packet_mode = bool(packet_mode)
        self.config = dict(config or {})
        self.bpf = bpf
        self.json_output = json_output
        self.binary = binary or find_binary()
        self._tmpdir = None
        if output_prefix is None:
            self._tmpdir = tempfile.mkdtemp(prefix="xdpflow-")
            output_prefix = os.path.join(self._tmpdir, self._stem())
        self.output_prefix = str(output_prefix)
        self.returncode = None
        self.stderr = ""
        self._flows = None
        self._convs = None

    # ---- running ----

    def _stem(self):
        if self.pcap:
            return os.path.splitext(os.path.basename(str(self.pcap)))[0] or "capture"
        return self.iface or "list"

    def _input_args(self):
        if self.pcap is not None:
            return ["-r", str(self.pcap)]
        if self.iface is not None:
            return ["-i", str(self.iface)]
        if isinstance(self.pcap_list, (list, tuple)):
            path = self.output_prefix + "_input-list.txt"
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
            with open(path, "w") as f:
                f.writelines(os.path.abspath(str(p)) + "\n" for p in self.pcap_list)
            return ["-R", path]
        return ["-R", str(self.pcap_list)]

    def command(self, extra_config=None):
        """The xdpflow command line this session runs."""
        cfg = dict(self.config)
        cfg.update(extra_config or {})
        args = [self.binary] + self._input_args() + ["-w", self.output_prefix]
        if self.packet_mode:
            args.append("-s")
        if self.json_output:
            args.append("--json")
        args += config_options(cfg)
        if self.bpf:
            args.append(self.bpf)
        return args

    def _start(self, extra_config=None):
        d = os.path.dirname(os.path.abspath(self.output_prefix))
        os.makedirs(d, exist_ok=True)
        self._flows = None
        self._stderr_file = tempfile.TemporaryFile()
        self._cmd = self.command(extra_config)
        # stderr to a file: a chatty run must never block on a full pipe
        return subprocess.Popen(self._cmd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=self._stderr_file)

    def _finish(self, proc, timeout=None):
        """Wait for proc; after `timeout` seconds stop it as Ctrl-C would
        (xdpflow then writes what it has).  Raise XdpflowError on failure."""
        interrupted = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            interrupted = True
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._stderr_file.seek(0)
        self.stderr = self._stderr_file.read().decode("utf-8", "replace")
        self._stderr_file.close()
        self.returncode = proc.returncode
        if proc.returncode != 0 and not (interrupted and proc.returncode == -signal.SIGINT):
            raise XdpflowError(self._cmd, proc.returncode, self.stderr)

    def run(self, timeout=None):
        """Run xdpflow to the end of its input (a live interface: until
        `timeout` seconds, then stop it as Ctrl-C would).  Returns self."""
        if self.iface is not None and timeout is None:
            raise ValueError("a live interface runs until stopped: give run() a timeout")
        self._finish(self._start(), timeout)
        return self

    # ---- results ----

    def _path(self, suffix):
        return self.output_prefix + suffix

    def _need(self, suffix, hint=""):
        path = self._path(suffix)
        if not os.path.exists(path):
            raise FileNotFoundError("%s: not written%s" % (
                path, hint or " (has the session run?)"))
        return path

    def _converters(self):
        if self._convs is None:
            if os.path.exists(self._path("_headers.txt")):
                cols = read_headers(self._path("_headers.txt"))
            else:
                out = run_xdpflow(["--list-columns", "--json"] + config_options(self.config),
                                  self.binary)
                cols = json.loads(out)
            self._convs = {c["name"]: converter(c["type"]) for c in cols}
        return self._convs

    def headers(self):
        """PREFIX_headers.txt: a list of dicts {col, type, name, description}."""
        return read_headers(self._need("_headers.txt"))

    def flows(self):
        """The flows file as a list of dicts, one per flow direction (A, B),
        values typed by the column types."""
        if self._flows is None:
            self._flows = read_tsv(self._need("_flows.txt"), self._converters())
        return list(self._flows)

    def flows_json(self):
        """PREFIX_flows.json (json_output=True) as typed dicts."""
        return json_lines(self._need("_flows.json", " (Session(json_output=True))"),
                          self._converters())

    def packets(self):
        """PREFIX_packets.txt (packet_mode=True) as a list of dicts."""
        return read_tsv(self._need("_packets.txt", " (Session(packet_mode=True))"))

    def to_pandas(self, what="flows"):
        """flows (default) or packets as a pandas DataFrame."""
        try:
            import pandas
        except ImportError:
            raise ImportError("to_pandas() needs pandas, which is not installed; "
                              "flows() and packets() give lists of dicts") from None
        rows = self.flows() if what == "flows" else self.packets()
        return pandas.DataFrame(rows)

    def report(self):
        """The end report (PREFIX_log.txt) as text."""
        with open(self._need("_log.txt"), encoding="utf-8", errors="replace") as f:
            return f.read()

    def monitoring(self):
        """PREFIX_monitoring.txt (config MONITOR_INTERVAL > 0) as typed dicts."""
        return read_tsv(self._need("_monitoring.txt", " (set MONITOR_INTERVAL)"))

    # ---- streams ----

    def _follow_source(self):
        if self.pcap is not None:
            return str(self.pcap)
        if self.packet_mode:
            return self._need("_packets.txt")
        raise ValueError("follow_stream() needs a pcap session, or packet_mode=True "
                         "(it then reads PREFIX_packets.txt)")

    def follow_stream(self, flow, direction=None, output_format="text", config=None):
        """One flow's stream via `xdpflow follow`.  flow: a flowInd, a flow
        dict from flows(), or 'ip:port-ip:port[/tcp|udp]'.  direction: None
        (both), 'A' or 'B'.  Returns bytes for 'bytes', a list of dicts for
        'json'/'transcript-json', else text."""
        if isinstance(flow, dict):
            flow = flow["flowInd"]
        args = ["follow", self._follow_source(), str(flow), "--format", output_format]
        if direction is not None:
            if str(direction).upper() not in ("A", "B"):
                raise ValueError("direction must be None, 'A' or 'B'")
            args += ["--dir", str(direction).upper()]
        args += config_options(config)
        if output_format == "bytes":
            return run_xdpflow(args, self.binary, text=False)
        out = run_xdpflow(args, self.binary)
        if output_format in _JSON_FORMATS:
            return _json_objects(out)
        return out

    def stream(self, timeout=None, connect_timeout=30.0):
        """Run xdpflow and yield each flow direction (a typed dict) the
        moment it is finalized, from the Unix socket export.  The files are
        written as by run().  A live interface stops after `timeout` s."""
        sockdir = tempfile.mkdtemp(prefix="xf-")
        path = os.path.join(sockdir, "flows.sock")
        proc = self._start({"SOCKET_PATH": path, "SOCKET_FORMAT": "json",
                            "SOCKET_WAIT": 1, "SOCKET_WAIT_TIMEOUT": connect_timeout})
        sock = None
        try:
            sock = _connect(path, proc, connect_timeout)
            deadline = None if timeout is None else time.monotonic() + timeout
            for line in _lines(sock, proc, deadline):
                yield typed_record(json.loads(line), self._converters())
        finally:
            if sock:
                sock.close()
            if proc.poll() is None and self.iface is not None:
                proc.send_signal(signal.SIGINT)
            self._finish(proc, None if self.iface is None else 30)
            shutil.rmtree(sockdir, ignore_errors=True)

    def cleanup(self):
        """Remove the temporary output directory (if the session made one)."""
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __repr__(self):
        src = self.pcap or self.iface or self.pcap_list
        return "<xdpflow.Session %r -> %s>" % (src, self.output_prefix)


def _json_objects(text):
    """One JSON document or JSON lines, as a list of dicts."""
    text = text.strip()
    if not text:
        return []
    try:
        doc = json.loads(text)
        return doc if isinstance(doc, list) else [doc]
    except ValueError:
        return [json.loads(l) for l in text.splitlines() if l.strip()]


def _connect(path, proc, timeout):
    end = time.monotonic() + timeout
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
        if proc.poll() is not None or time.monotonic() > end:
            raise RuntimeError("xdpflow socket %s: could not subscribe (xdpflow %s)" % (
                path, "exited" if proc.poll() is not None else "did not listen in time"))
        time.sleep(0.02)


def _lines(sock, proc, deadline):
    """Lines from sock until xdpflow closes it (end of run); with a
    deadline, stop xdpflow as Ctrl-C would when it passes."""
    buf = b""
    sock.settimeout(0.5)
    while True:
        if deadline is not None and time.monotonic() > deadline and proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            deadline = None
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            break
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for line in lines:
            if line:
                yield line.decode("utf-8", "replace")
