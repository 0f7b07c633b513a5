#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Peer outputs for stream comparisons (python3 standard library only).

tshark_streams(pcap): {stream: {"nodes": (ep0, ep1), "data": [bytes0, bytes1]}}
    from one tshark run with -z follow,tcp,raw,N for every TCP stream.
tcpflow_streams(pcap): {(src_ep, dst_ep): bytes} from tcpflow's files.
Endpoints are normalised "addr:port" strings (IPv6 without brackets).
Both are cached under CACHE/<sha256 of the capture>/ so reruns are fast.
"""
import hashlib
import ipaddress
import json
import os
import re
import shutil
import subprocess
import tempfile


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for blk in iter(lambda: f.read(1 << 20), b""):
            h.update(blk)
    return h.hexdigest()


def norm_ep(ep):
    """'[2001:db8::1]:80' / '10.0.0.1:80' / '010.000.000.001.00080' -> 'addr:port'"""
    ep = ep.strip()
    m = re.match(r"^\[(.*)\]:(\d+)$", ep)
    if m:
        return "%s:%d" % (ipaddress.ip_address(m.group(1)), int(m.group(2)))
    m = re.match(r"^(.*):(\d+)$", ep)
    if m:
        return "%s:%d" % (ipaddress.ip_address(m.group(1)), int(m.group(2)))
    raise ValueError(ep)


def _cache_dir(cache, pcap):
    d = os.path.join(cache, sha256(pcap))
    os.makedirs(d, exist_ok=True)
    return d


def parse_follow_raw(text):
    """tshark/xdpflow -z follow raw output -> list of {nodes, data, gaps}"""
    out, cur = [], None
    for line in text.splitlines():
        if line.startswith("Follow: "):
            cur = {"nodes": [None, None], "data": [bytearray(), bytearray()], "gaps": [0, 0],
                   "stream": None}
            out.append(cur)
        elif cur is None:
            continue
        elif line.startswith("Node 0: ") or line.startswith("Node 1: "):
            # ":0": tshark followed nothing of this stream (no endpoints)
            if line[8:].strip() != ":0":
                cur["nodes"][int(line[5])] = norm_ep(line[8:])
        elif line.startswith("Filter: "):
            m = re.match(r"Filter: tcp\.stream eq (\d+)", line)
            cur["stream"] = int(m.group(1)) if m else None
        elif line.startswith("====") or not line:
            continue
        else:
            d = 1 if line.startswith("\t") else 0
            s = line.strip()
            if s.startswith("["):
                m = re.match(r"\[(\d+) bytes missing", s)
                cur["gaps"][d] += int(m.group(1)) if m else 0
                continue
            cur["data"][d] += bytes.fromhex(s)
    return out


def tshark_streams(pcap, cache, disable=()):
    """disable: dissectors to turn off (--disable-protocol), cached apart"""
    d = _cache_dir(cache, pcap)
    path = os.path.join(d, "tshark-follow-raw%s.json" % "".join("-no-" + p for p in disable))
    if os.path.exists(path):
        with open(path) as f:
            j = json.load(f)
        return {int(k): {"nodes": v["nodes"], "data": [bytes.fromhex(x) for x in v["data"]]}
                for k, v in j.items()}
    ids = subprocess.run(["tshark", "-r", pcap, "-Y", "tcp", "-T", "fields", "-e", "tcp.stream"],
                         capture_output=True, text=True).stdout.split()
    streams = sorted({int(x) for x in ids if x.isdigit()})
    res = {}
    for i in range(0, len(streams), 200):       # bounded command lines
        args = ["tshark", "-r", pcap, "-q"]
        for p in disable:
            args += ["--disable-protocol", p]
        for s in streams[i:i + 200]:
            args += ["-z", "follow,tcp,raw,%d" % s]
        txt = subprocess.run(args, capture_output=True, text=True).stdout
        # tshark prints the blocks in reverse order of the -z options: the
        # Filter line names each block's stream
        for blk in parse_follow_raw(txt):
            res[blk["stream"]] = {"nodes": blk["nodes"],
                                  "data": [bytes(blk["data"][0]), bytes(blk["data"][1])]}
    tmp = tempfile.mkstemp(dir=d, suffix=".tmp")[1]     # the same capture may be
    with open(tmp, "w") as f:                           # read by two workers
        json.dump({k: {"nodes": v["nodes"], "data": [x.hex() for x in v["data"]]}
                   for k, v in res.items()}, f)
    os.replace(tmp, path)
    return res


def _tcpflow_ep(s):
    # 010.000.000.001.40000 or 2001:db8::1.40000 (port zero-padded to 5)
    addr, port = s.rsplit(".", 1)
    if ":" not in addr:
        addr = ".".join(str(int(x)) for x in addr.split("."))
    return "%s:%d" % (ipaddress.ip_address(addr), int(port))


def tcpflow_streams(pcap, cache):
    d = os.path.join(_cache_dir(cache, pcap), "tcpflow")
    if not os.path.isdir(d):
        tmp = tempfile.mkdtemp(dir=os.path.dirname(d))
        subprocess.run(["tcpflow", "-r", pcap, "-o", tmp], capture_output=True)
        try:
            os.rename(tmp, d)
        except OSError:         # another worker, on the same capture, was first
            if not os.path.isdir(d):
                raise
            shutil.rmtree(tmp)
    res = {}
    for name in os.listdir(d):
        m = re.match(r"^(.+\.\d{5})-(.+\.\d{5})(c\d+)?$", name)
        if not m:
            continue
        key = (_tcpflow_ep(m.group(1)), _tcpflow_ep(m.group(2)))
        with open(os.path.join(d, name), "rb") as f:
            data = f.read()
        # tcpflow numbers repeated connections c1, c2...: keep them apart
        res.setdefault(key, []).append((m.group(3) or "", data))
    return {k: [x[1] for x in sorted(v)] for k, v in res.items()}
