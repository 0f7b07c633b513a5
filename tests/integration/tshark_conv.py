# SPDX-License-Identifier: BSD-3-Clause
"""tshark's conversation statistics for the corpus: read once per capture,
cached by the capture's sha256, as plain dicts.

The tables are those of `tshark -z conv,eth -z conv,ip -z conv,ipv6
-z conv,tcp -z conv,udp -z conv,sctp` (the same conversation taps), read
through sharkd, Wireshark's own daemon (package wireshark-common, a dependency
of tshark): one sharkd process loads capture after capture and taps them, so
the ~1 s tshark spends registering its dissectors at every start is paid once
per worker instead of once per capture (1324 captures: 11 minutes of the cold
test run on 2 cores), and byte counts come exact, where tshark's printed
table rounds them from 10000 up ("17 kB").

Each row is A <-> B with rx (frames and bytes B sent to A), tx (A to B),
start and duration; bytes are the frame length on the wire (frame.len).
"""
import json
import os
import select
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

# tshark's table name -> sharkd's tap
TAPS = {"eth": "conv:Ethernet", "ip": "conv:IPv4", "ipv6": "conv:IPv6",
        "tcp": "conv:TCP", "udp": "conv:UDP", "sctp": "conv:SCTP"}
TABLES = tuple(TAPS)
L4 = ("tcp", "udp", "sctp")
# Bumped whenever the command or the cache layout changes.
CACHE_TAG = "conv-sharkd-v1"
TSHARK_TIMEOUT = 120    # seconds for one capture (load + taps)
# addresses and ports as numbers, as `tshark -n` prints them
PREFS = {"nameres.mac_name": "FALSE", "nameres.network_name": "FALSE",
         "nameres.transport_name": "FALSE"}


def rows_from_taps(result):
    """sharkd's tap reply -> {table: [row dict]}; raises on a reply that
    lacks a table or a field"""
    by_tap = {t["tap"]: t for t in result["taps"]}
    tables = {}
    for name, tap in TAPS.items():
        if tap not in by_tap:
            raise ValueError("sharkd reply lacks %s" % tap)
        rows = []
        for c in by_tap[tap]["convs"]:
            a, b = c["saddr"], c["daddr"]
            if name in L4:
                a, b = "%s:%s" % (a, c["sport"]), "%s:%s" % (b, c["dport"])
            rows.append({"a": a, "b": b,
                         "rx_frames": int(c["rxf"]), "rx_bytes": int(c["rxb"]),
                         "tx_frames": int(c["txf"]), "tx_bytes": int(c["txb"]),
                         "start": float(c["start"]),
                         "duration": float(c["stop"]) - float(c["start"])})
        tables[name] = rows
    return tables


class Sharkd:
    """One sharkd process; load() + taps() per capture, restarted after a
    capture it failed or hung on."""

    def __init__(self):
        self.p = None
        self.id = 0

    def _start(self):
        self.p = subprocess.Popen(["sharkd", "-"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.buf = b""
        for name, value in PREFS.items():
            self.call("setconf", {"name": name, "value": value}, time.monotonic() + 30)

    def stop(self):
        if self.p:
            self.p.kill()
            self.p.wait()
            self.p = None

    def _line(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no answer within %ds" % TSHARK_TIMEOUT)
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if r:
                chunk = os.read(self.p.stdout.fileno(), 1 << 20)
                if not chunk:
                    raise EOFError("sharkd exited (%s)" % self.p.poll())
                self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line

    def call(self, method, params, deadline):
        if self.p is None:
            self._start()
        self.id += 1
        req = {"jsonrpc": "2.0", "id": self.id, "method": method, "params": params}
        self.p.stdin.write((json.dumps(req) + "\n").encode())
        self.p.stdin.flush()
        while True:
            o = json.loads(self._line(deadline))
            if o.get("id") == self.id:
                break
        if "error" in o:
            raise RuntimeError("sharkd %s: %s" % (method, o["error"].get("message")))
        return o["result"]

    def conv(self, path):
        """(rc, tables or None, error text) for one capture"""
        deadline = time.monotonic() + TSHARK_TIMEOUT
        try:
            self.call("load", {"file": os.path.abspath(path)}, deadline)
            taps = {"tap%d" % i: t for i, t in enumerate(TAPS.values())}
            return 0, rows_from_taps(self.call("tap", taps, deadline)), ""
        except (OSError, ValueError, RuntimeError, TimeoutError, EOFError) as e:
            self.stop()         # a failed load keeps the previous capture
            return 1, None, "%s: %s" % (path, e)


def split_endpoint(ep):
    """'10.0.0.1:80' / '2001:db8::1:80' -> (addr, port)"""
    addr, _, port = ep.rpartition(":")
    return addr, int(port)


def cache_path(cache_dir, sha256):
    return os.path.join(cache_dir, "%s.%s.json" % (sha256, CACHE_TAG))


def _save(cache_dir, sha256, entry):
    path = cache_path(cache_dir, sha256)
    tmp = path + ".tmp.%d" % os.getpid()
    with open(tmp, "w") as f:
        json.dump(entry, f)
    os.replace(tmp, path)


def load(cache_dir, sha256):
    """(meta, tables) from the cache; tables is None if sharkd failed."""
    with open(cache_path(cache_dir, sha256)) as f:
        e = json.load(f)
    meta = {"file": e["file"], "rc": e["rc"], "stderr": e["stderr"]}
    return meta, e["tables"] if e["rc"] == 0 else None


def read_manifest(corpus):
    rows = []
    with open(os.path.join(corpus, "MANIFEST.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            rows.append(dict(zip(header, line.rstrip("\n").split("\t"))))
    return rows


def fill_cache(corpus, cache_dir, roles=("flows",), jobs=2, verbose=True):
    """Read every capture of the given roles that is not cached yet, with
    `jobs` sharkd processes.  Returns the number of captures read."""
    os.makedirs(cache_dir, exist_ok=True)
    todo = {r["sha256"]: r for r in read_manifest(corpus) if r["role"] in roles and
            not os.path.exists(cache_path(cache_dir, r["sha256"]))}
    todo = list(todo.values())      # a capture stored twice is read once
    if not todo:
        return 0
    if verbose:
        print("tshark: %d capture(s) to read into %s (%d sharkd at a time)" %
              (len(todo), cache_dir, jobs), flush=True)

    def worker(rows):
        sd = Sharkd()
        try:
            for r in rows:
                path = os.path.join(corpus, r["file"])
                rc, tables, err = sd.conv(path)
                _save(cache_dir, r["sha256"], {"file": path, "rc": rc,
                                               "stderr": err, "tables": tables})
        finally:
            sd.stop()
        return len(rows)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        done = sum(pool.map(worker, [todo[i::jobs] for i in range(jobs)]))
    return done


if __name__ == "__main__":
    # tshark_conv.py CORPUS CACHE_DIR [JOBS]
    n = fill_cache(sys.argv[1], sys.argv[2],
                   jobs=int(sys.argv[3]) if len(sys.argv) > 3 else 2)
    print("tshark: %d new cache entr%s" % (n, "y" if n == 1 else "ies"))
