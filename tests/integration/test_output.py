# SPDX-License-Identifier: BSD-3-Clause
"""(d) Output files and naming, packet mode, JSON, -R, and BPF filters."""
import json
import os
import subprocess

import pytest

import xf
from conftest import corpus_path
from pcapfile import Pcap

BASE = "zeek/ftp/retr.pcap"            # 67 packets, FTP control + data
SECOND = "zeek/http/get.pcap"          # 14 packets, one HTTP connection


def flows_of(prefix):
    cols, rows = xf.read_tsv(prefix + "_flows.txt")
    flows, problems = xf.flows_from_rows(rows)
    assert not problems, problems
    return cols, rows, flows


def run_ok(args):
    res = xf.run(args)
    assert not res.timed_out and res.rc == 0, res
    assert res.sanitizer_report() is None, res.sanitizer_report()
    return res


def test_w_directory_uses_capture_basename(tmp_path):
    out = tmp_path / "results"
    out.mkdir()
    run_ok(["-r", corpus_path(BASE), "-w", str(out) + "/"])
    for suffix in ("flows.txt", "headers.txt", "log.txt"):
        p = out / ("retr_" + suffix)
        assert p.is_file() and p.stat().st_size > 0, "missing %s" % p
    cols, rows, flows = flows_of(str(out / "retr"))
    assert sum(f.pkts_ab + f.pkts_ba for f in flows) == 67


def test_w_prefix(tmp_path):
    prefix = str(tmp_path / "myrun")
    run_ok(["-r", corpus_path(BASE), "-w", prefix])
    assert os.path.isfile(prefix + "_flows.txt")
    assert os.path.isfile(prefix + "_headers.txt")
    assert not os.path.exists(prefix + "_packets.txt"), "-s was not given"


def test_no_w_flows_on_stdout(tmp_path):
    res = run_ok(["-r", corpus_path(BASE)])
    cols, rows = xf.parse_tsv(res.out)
    assert cols[0] == "dir"
    prefix = str(tmp_path / "f")
    run_ok(["-r", corpus_path(BASE), "-w", prefix])
    with open(prefix + "_flows.txt") as f:
        assert res.out == f.read(), "stdout differs from _flows.txt"


def test_packet_mode_one_line_per_packet(tmp_path):
    prefix = str(tmp_path / "p")
    run_ok(["-r", corpus_path(BASE), "-w", prefix, "-s"])
    cols, rows = xf.read_tsv(prefix + "_packets.txt")
    assert len(rows) == 67, "%d packet lines for 67 packets" % len(rows)
    for need in ("pktNo", "flowInd", "flowStat", "time", "pktIAT",
                 "flowDuration", "numHdrs", "hdrDesc", "ethVlanID", "srcMac",
                 "dstMac", "ethType", "srcIP", "srcPort", "dstIP", "dstPort",
                 "l4Proto", "l7Content"):
        assert need in cols, "packet file lacks column %s" % need
    assert [int(r["pktNo"]) for r in rows] == list(range(1, 68))
    _, _, flows = flows_of(prefix)
    per_flow = {}
    for r in rows:
        per_flow[int(r["flowInd"])] = per_flow.get(int(r["flowInd"]), 0) + 1
    assert per_flow == {f.index: f.pkts_ab + f.pkts_ba for f in flows}


def test_json_lines_match_tsv(tmp_path):
    prefix = str(tmp_path / "j")
    run_ok(["-r", corpus_path(BASE), "-w", prefix, "--json"])
    cols, rows = xf.read_tsv(prefix + "_flows.txt")
    with open(prefix + "_flows.json") as f:
        objs = [json.loads(l) for l in f if l.strip()]
    assert len(objs) == len(rows), "one JSON object per flow direction"
    for o, r in zip(objs, rows):
        assert list(o.keys()) == cols, "JSON names differ from the TSV header"
        for name in ("dir", "flowInd", "numPktsSnt", "numBytesSnt", "srcIP",
                     "srcPort", "dstIP", "dstPort", "l4Proto"):
            assert str(o[name]) == r[name] or \
                xf.num(str(o[name])) == xf.num(r[name]), (name, o, r)


def test_list_equals_concatenated_capture(tmp_path):
    a, b = corpus_path(BASE), corpus_path(SECOND)
    lst = tmp_path / "list.txt"
    lst.write_text("%s\n%s\n" % (a, b))
    cat = str(tmp_path / "cat.pcap")
    subprocess.run(["mergecap", "-a", "-F", "pcap", "-w", cat, a, b],
                   check=True, capture_output=True)
    run_ok(["-R", str(lst), "-w", str(tmp_path / "list")])
    run_ok(["-r", cat, "-w", str(tmp_path / "cat")])
    _, rows_l = xf.read_tsv(str(tmp_path / "list_flows.txt"))
    _, rows_c = xf.read_tsv(str(tmp_path / "cat_flows.txt"))
    assert rows_l == rows_c


def tshark_count(path, display_filter):
    p = subprocess.run(["tshark", "-n", "-r", path, "-Y", display_filter,
                        "-T", "fields", "-e", "frame.number"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return len(p.stdout.split())


@pytest.mark.parametrize("bpf,dfilter,capture", [
    ("tcp port 21", "tcp.port == 21", BASE),
    ("tcp port 80", "tcp.port == 80", SECOND),
    ("not tcp port 21", "!(tcp.port == 21)", BASE),
])
def test_bpf_filter_keeps_matching_packets(tmp_path, bpf, dfilter, capture):
    if xf.quick():
        pytest.skip("SKIP: XF_QUICK (sanitizer pass) runs no extra tshark")
    path = corpus_path(capture)
    prefix = str(tmp_path / "f")
    run_ok(["-r", path, "-w", prefix, bpf])
    _, _, flows = flows_of(prefix)
    got = sum(f.pkts_ab + f.pkts_ba for f in flows)
    assert got == tshark_count(path, dfilter)
    if bpf.startswith("tcp port"):
        port = int(bpf.split()[-1])
        assert all(port in (f.src_port, f.dst_port) for f in flows)


@pytest.mark.parametrize("capture", [BASE, "zeek/http/get.pcap"])
def test_each_direction_has_its_own_times_and_macs(tmp_path, capture):
    """A and B lines carry their own direction's first/last packet time
    and MACs (as T2's A and B flows do), checked against the packets file
    of the same run: every packet line's time, MACs and endpoints."""
    from decimal import Decimal
    prefix = str(tmp_path / "d")
    run_ok(["-r", corpus_path(capture), "-w", prefix, "-s"])
    _, pkts = xf.read_tsv(prefix + "_packets.txt")
    _, rows = xf.read_tsv(prefix + "_flows.txt")
    seen = {}
    for p in pkts:
        k = (p["flowInd"], p["srcIP"], p["srcPort"])
        t = Decimal(p["time"])
        first, last, macs = seen.get(k, (t, t, (p["srcMac"], p["dstMac"])))
        seen[k] = (min(first, t), max(last, t), macs)
    checked = 0
    for r in rows:
        k = (r["flowInd"], r["srcIP"], r["srcPort"])
        if int(r["numPktsSnt"]) == 0:
            assert k not in seen, "flow %s dir %s sent nothing but has packets" % (
                r["flowInd"], r["dir"])
            continue
        first, last, macs = seen[k]
        assert Decimal(r["timeFirst"]) == first, (r["flowInd"], r["dir"], r["timeFirst"], first)
        assert Decimal(r["timeLast"]) == last, (r["flowInd"], r["dir"], r["timeLast"], last)
        assert (r["srcMac"], r["dstMac"]) == macs, (r["flowInd"], r["dir"])
        checked += 1
    b_lines = sum(1 for r in rows if r["dir"] == "B" and int(r["numPktsSnt"]))
    assert b_lines > 0, "no B direction with packets: the test would check nothing"
    assert checked == len(seen), "%d directions checked, %d seen in packets" % (
        checked, len(seen))
