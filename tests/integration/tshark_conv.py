# SPDX-License-Identifier: BSD-3-Clause
"""tshark's conversation statistics for the corpus: run once per capture,
cached by the capture's sha256, parsed into plain dicts.

One tshark start per file prints every table we compare against:
    tshark -n -q -r FILE -z conv,eth -z conv,ip -z conv,ipv6 -z conv,tcp
           -z conv,udp -z conv,sctp
Each row is "A <-> B  | <- frames bytes | -> frames bytes | total | start | dur".
"->" counts frames A sent to B (tx), "<-" frames B sent to A (rx); bytes are
the frame length on the wire (frame.len), summed.

tshark 4.0 prints bytes through format_size(): below 10000 as "N bytes", above
as an integer division by the largest power of 1000 that leaves >= 10 ("17 kB"
is 17000..17999 bytes).  Such counts are kept as (value, unit) so a comparison
can apply exactly the same formatting to xdpflow's number.
"""
import hashlib
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

TABLES = ("eth", "ip", "ipv6", "tcp", "udp", "sctp")
TSHARK_ARGS = ["-n", "-q"] + [a for t in TABLES for a in ("-z", "conv," + t)]
# Bumped whenever the command or the cache layout changes.
CACHE_TAG = "conv-v1"
TSHARK_TIMEOUT = 120

_TITLES = {
    "Ethernet Conversations": "eth",
    "IPv4 Conversations": "ip",
    "IPv6 Conversations": "ipv6",
    "TCP Conversations": "tcp",
    "UDP Conversations": "udp",
    "SCTP Conversations": "sctp",
}
_UNITS = {"bytes": 1, "kB": 1000, "MB": 1000 ** 2, "GB": 1000 ** 3,
          "TB": 1000 ** 4}
_NUM = r"(\d+)\s+(\d+)\s+(bytes|kB|MB|GB|TB)"
_ROW = re.compile(r"^(\S+)\s+<->\s+(\S+)\s+" + _NUM + r"\s+" + _NUM +
                  r"\s+" + _NUM + r"\s+(-?[\d.]+)\s+(-?[\d.]+)\s*$")


class Bytes:
    """A byte count as tshark printed it: exact, or cut to a unit."""

    def __init__(self, value, unit):
        self.value = value
        self.unit = unit

    @property
    def exact(self):
        return self.unit == "bytes"

    def matches(self, n):
        """True if tshark would have printed byte count n this way."""
        return format_size(n) == (self.value, self.unit)

    def __repr__(self):
        return "%d %s" % (self.value, self.unit)


def format_size(n):
    """tshark 4.0's format_size(n, FORMAT_SIZE_UNIT_BYTES, SI) as (v, unit)."""
    for unit in ("TB", "GB", "MB", "kB"):
        v = n // _UNITS[unit]
        if v >= 10:
            return (v, unit)
    return (n, "bytes")


def parse_conv(text):
    """tshark -z conv,... output -> {table: [row dict]}; raises on any line
    inside a table that is not a well-formed row."""
    tables = {}
    cur = None
    for line in text.splitlines():
        title = line.strip()
        if title in _TITLES:
            cur = _TITLES[title]
            tables[cur] = []
            continue
        if cur is None or "<->" not in line:
            continue
        m = _ROW.match(line)
        if not m:
            raise ValueError("unparsable tshark conv row: %r" % line)
        g = m.groups()
        tables[cur].append({
            "a": g[0], "b": g[1],
            "rx_frames": int(g[2]), "rx_bytes": Bytes(int(g[3]), g[4]),
            "tx_frames": int(g[5]), "tx_bytes": Bytes(int(g[6]), g[7]),
            "start": float(g[11]), "duration": float(g[12]),
        })
    missing = [t for t in TABLES if t not in tables]
    if missing:
        raise ValueError("tshark output lacks tables %s" % missing)
    return tables


def split_endpoint(ep):
    """'10.0.0.1:80' / '2001:db8::1:80' -> (addr, port)"""
    addr, _, port = ep.rpartition(":")
    return addr, int(port)


def tshark_version():
    out = subprocess.run(["tshark", "--version"], capture_output=True,
                         text=True).stdout
    return out.splitlines()[0] if out else "unknown"


def cache_paths(cache_dir, sha256):
    base = os.path.join(cache_dir, "%s.%s" % (sha256, CACHE_TAG))
    return base + ".txt", base + ".json"


def run_tshark(path, cache_dir, sha256):
    """Run tshark on path unless cached; returns the meta dict."""
    out_path, meta_path = cache_paths(cache_dir, sha256)
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            return json.load(f)
    try:
        p = subprocess.run(["tshark"] + TSHARK_ARGS + ["-r", path],
                           capture_output=True, text=True,
                           timeout=TSHARK_TIMEOUT, errors="replace")
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        rc, out, err = -1, "", "tshark timed out after %ds" % TSHARK_TIMEOUT
    err = "\n".join(l for l in err.splitlines()
                    if "could be dangerous" not in l)
    meta = {"file": path, "rc": rc, "stderr": err[:2000]}
    tmp = out_path + ".tmp"
    with open(tmp, "w") as f:
        f.write(out)
    os.replace(tmp, out_path)
    tmp = meta_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(meta, f)
    os.replace(tmp, meta_path)
    return meta


def load(cache_dir, sha256):
    """(meta, tables) from the cache; tables is None if tshark failed."""
    out_path, meta_path = cache_paths(cache_dir, sha256)
    with open(meta_path) as f:
        meta = json.load(f)
    with open(out_path) as f:
        text = f.read()
    if meta["rc"] != 0:
        return meta, None
    return meta, parse_conv(text)


def read_manifest(corpus):
    rows = []
    with open(os.path.join(corpus, "MANIFEST.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            rows.append(dict(zip(header, line.rstrip("\n").split("\t"))))
    return rows


def fill_cache(corpus, cache_dir, roles=("flows",), jobs=2, verbose=True):
    """Run tshark on every capture of the given roles that is not cached yet,
    jobs at a time.  Returns the number of tshark runs done."""
    os.makedirs(cache_dir, exist_ok=True)
    todo = [r for r in read_manifest(corpus) if r["role"] in roles and
            not os.path.exists(cache_paths(cache_dir, r["sha256"])[1])]
    if verbose and todo:
        print("tshark: %d capture(s) to read into %s (%d at a time)" %
              (len(todo), cache_dir, jobs), flush=True)

    def one(r):
        return run_tshark(os.path.join(corpus, r["file"]), cache_dir,
                          r["sha256"])

    done = 0
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for _ in pool.map(one, todo):
            done += 1
            if verbose and done % 200 == 0:
                print("tshark: %d/%d" % (done, len(todo)), flush=True)
    return done


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


if __name__ == "__main__":
    # tshark_conv.py CORPUS CACHE_DIR [JOBS]
    n = fill_cache(sys.argv[1], sys.argv[2],
                   jobs=int(sys.argv[3]) if len(sys.argv) > 3 else 2)
    print("tshark: %d new cache entr%s" % (n, "y" if n == 1 else "ies"))
