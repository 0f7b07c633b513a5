# SPDX-License-Identifier: BSD-3-Clause
"""Running xdpflow and reading its output files for the integration tests."""
import os
import re
import subprocess

SANITIZER_RE = re.compile(r"ERROR: (Address|Leak|Undefined)Sanitizer|"
                          r"runtime error:|SUMMARY: \w+Sanitizer")


def binary():
    path = os.environ.get("XDPFLOW")
    if not path:
        raise RuntimeError("XDPFLOW is not set (path to the xdpflow binary)")
    return path


def quick():
    return os.environ.get("XF_QUICK") == "1"


def timeout():
    # The sanitizer build is several times slower.
    return 120 if quick() else 60


class Result:
    def __init__(self, args, rc, out, err, timed_out=False):
        self.args, self.rc, self.out, self.err = args, rc, out, err
        self.timed_out = timed_out

    def sanitizer_report(self):
        m = SANITIZER_RE.search(self.err)
        if not m:
            return None
        start = max(0, m.start() - 200)
        return self.err[start:start + 1500]

    def err_lines(self):
        """stderr lines that are not the end report (which is indented or
        made of "name: value" counters) -- the error messages."""
        return [l for l in self.err.splitlines() if l.strip()]

    def __repr__(self):
        return "xdpflow %s -> rc=%s%s\nstderr: %s" % (
            " ".join(self.args), self.rc,
            " (TIMEOUT)" if self.timed_out else "", self.err[-1500:])


def run(args, timeout_s=None, stdin=None):
    cmd = [binary()] + list(args)
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1")
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout_s or
                           timeout(), env=env, stdin=stdin or
                           subprocess.DEVNULL)
        return Result(args, p.returncode,
                      p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"))
    except subprocess.TimeoutExpired as e:
        return Result(args, None, (e.stdout or b"").decode("utf-8", "replace"),
                      (e.stderr or b"").decode("utf-8", "replace"), True)


def parse_tsv(text):
    """T2-style TSV (header line starting with '%') -> (columns, [row dict])."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("%"):
        raise ValueError("no '%%' header line: %r" % (lines[:1],))
    cols = lines[0][1:].split("\t")
    rows = []
    for n, line in enumerate(lines[1:], 2):
        if not line:
            continue
        vals = line.split("\t")
        if len(vals) != len(cols):
            raise ValueError("line %d has %d fields, header has %d" %
                             (n, len(vals), len(cols)))
        rows.append(dict(zip(cols, vals)))
    return cols, rows


def read_tsv(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return parse_tsv(f.read())


def num(v):
    if v in ("", "-"):
        return 0
    return int(v, 0)


class Flow:
    """One bidirectional flow from its A line (and B line if present)."""

    def __init__(self, a, b=None):
        self.a_line, self.b_line = a, b
        self.index = num(a["flowInd"])
        self.stat = num(a["flowStat"])
        self.hdr = a.get("hdrDesc", "")
        self.src_mac = a.get("srcMac", "").lower()
        self.dst_mac = a.get("dstMac", "").lower()
        self.eth_type = a.get("ethType", "")
        self.vlan = a.get("ethVlanID", "")
        self.src_ip = a.get("srcIP", "")
        self.dst_ip = a.get("dstIP", "")
        self.src_port = num(a.get("srcPort", "0") or "0")
        self.dst_port = num(a.get("dstPort", "0") or "0")
        self.proto = num(a.get("l4Proto", "0") or "0")
        self.pkts_ab = num(a["numPktsSnt"])
        self.pkts_ba = num(a["numPktsRcvd"])
        self.bytes_ab = num(a["numBytesSnt"])
        self.bytes_ba = num(a["numBytesRcvd"])

    def __repr__(self):
        return ("flow %d [%s 0x%x] %s:%s -> %s:%s proto %d %s->%s "
                "pkts %d/%d bytes %d/%d" %
                (self.index, self.hdr, self.stat, self.src_ip, self.src_port,
                 self.dst_ip, self.dst_port, self.proto, self.src_mac,
                 self.dst_mac, self.pkts_ab, self.pkts_ba, self.bytes_ab,
                 self.bytes_ba))


def flows_from_rows(rows):
    """Pair A and B lines by flowInd; returns ([Flow], [problem str])."""
    problems = []
    a_lines, b_lines = {}, {}
    for r in rows:
        ind = num(r["flowInd"])
        d = r.get("dir")
        target = a_lines if d == "A" else b_lines if d == "B" else None
        if target is None:
            problems.append("line with dir %r (not A or B): %r" % (d, r))
            continue
        if ind in target:
            problems.append("two %s lines for flowInd %d" % (d, ind))
        target[ind] = r
    flows = []
    for ind, a in sorted(a_lines.items()):
        b = b_lines.get(ind)
        f = Flow(a, b)
        if b is not None:
            if (num(b["numPktsSnt"]), num(b["numPktsRcvd"]),
                    num(b["numBytesSnt"]), num(b["numBytesRcvd"])) != \
                    (f.pkts_ba, f.pkts_ab, f.bytes_ba, f.bytes_ab):
                problems.append("flowInd %d: B line counters are not the A "
                                "line's mirrored" % ind)
        flows.append(f)
    for ind in b_lines:
        if ind not in a_lines:
            problems.append("flowInd %d has a B line but no A line" % ind)
    return flows, problems


def output_files(prefix):
    return {s: prefix + "_" + s for s in
            ("flows.txt", "headers.txt", "log.txt", "packets.txt",
             "flows.json")}
