# SPDX-License-Identifier: BSD-3-Clause
"""Each Session function against a real run of xdpflow on corpus captures."""
import re
import json
import os

import pytest

import xdpflow


def flow_lines(prefix):
    with open(prefix + "_flows.txt") as f:
        return [l for l in f if not l.startswith(("%", "#")) and l.strip()]


@pytest.fixture
def get_session(binary, http_get, tmp_path):
    return xdpflow.Session(pcap=http_get, output_prefix=str(tmp_path / "get"),
                           json_output=True).run()


def test_run_and_flows_typed(get_session):
    s = get_session
    flows = s.flows()
    assert len(flows) == len(flow_lines(s.output_prefix)) >= 2
    a = [f for f in flows if f["dir"] == "A"]
    assert a, "no A line"
    f = a[0]
    assert isinstance(f["flowInd"], int)
    assert isinstance(f["flowStat"], int)             # H64 -> int
    assert f["dstPort"] == 80 or f["srcPort"] == 80
    assert isinstance(f["srcIP"], str)
    # every value typed as the headers file says
    types = {h["name"]: h["type"] for h in s.headers()}
    for name, v in f.items():
        t = types[name]
        if v is None:
            continue
        if re.match(r"^[UIH](8|16|32|64)$", t):
            assert isinstance(v, int), (name, t, v)
        elif t in ("F", "D", "U64.U32"):
            assert isinstance(v, float), (name, t, v)


def test_flows_json_equals_tsv(get_session):
    assert get_session.flows_json() == get_session.flows()


def test_headers_match_flow_columns(get_session):
    hdr = get_session.headers()
    assert [h["col"] for h in hdr] == list(range(1, len(hdr) + 1))
    assert [h["name"] for h in hdr] == list(get_session.flows()[0].keys())
    assert all(h["type"] and h["description"] for h in hdr)


def test_report(get_session):
    rep = get_session.report()
    with open(get_session.output_prefix + "_log.txt") as f:
        assert rep == f.read()
    assert rep.strip()


def test_packets(binary, http_get, tmp_path):
    s = xdpflow.Session(pcap=http_get, output_prefix=str(tmp_path / "p"),
                        packet_mode=True).run()
    pkts = s.packets()
    with open(s.output_prefix + "_packets.txt") as f:
        n = sum(1 for l in f if l.strip() and not l.startswith(("%", "#")))
    assert len(pkts) == n > 0
    first = pkts[0]
    assert any(isinstance(v, int) for v in first.values())
    with pytest.raises(FileNotFoundError):
        xdpflow.Session(pcap=http_get, output_prefix=str(tmp_path / "q")).run().packets()


def test_to_pandas(get_session):
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pandas"):
            get_session.to_pandas()
        print("pandas not installed: checked the clear ImportError instead")
        return
    df = get_session.to_pandas()
    assert len(df) == len(get_session.flows())
    assert list(df.columns) == list(get_session.flows()[0].keys())


def test_config_and_bpf(binary, http_many, tmp_path):
    full = xdpflow.Session(pcap=http_many, output_prefix=str(tmp_path / "full")).run()
    few = xdpflow.Session(pcap=http_many, output_prefix=str(tmp_path / "few"),
                          config={"MODULES": "basicFlow"}).run()
    assert len(few.flows()[0]) < len(full.flows()[0])
    assert "-D" in few.command() and "MODULES=basicFlow" in few.command()
    filt = xdpflow.Session(pcap=http_many, output_prefix=str(tmp_path / "udp"),
                           bpf="udp").run()
    assert len(filt.flows()) < len(full.flows())
    assert all(f.get("l4Proto") == 17 for f in filt.flows() if "l4Proto" in f)


def test_pcap_list(binary, http_get, tmp_path, http_many):
    one = xdpflow.Session(pcap=http_get, output_prefix=str(tmp_path / "one")).run()
    two = xdpflow.Session(pcap_list=[http_get, http_many],
                          output_prefix=str(tmp_path / "two")).run()
    assert len(two.flows()) > len(one.flows())


def test_default_prefix_and_errors(binary, http_get, tmp_path):
    s = xdpflow.Session(pcap=http_get).run()
    assert os.path.exists(s.output_prefix + "_flows.txt")
    s.cleanup()
    assert not os.path.exists(s.output_prefix + "_flows.txt")
    with pytest.raises(ValueError):
        xdpflow.Session()
    with pytest.raises(xdpflow.XdpflowError):
        xdpflow.Session(pcap=str(tmp_path / "missing.pcap"),
                        output_prefix=str(tmp_path / "m")).run()


def test_follow_stream(get_session):
    s = get_session
    flow = [f for f in s.flows() if f["dir"] == "A"][0]
    text = s.follow_stream(flow)
    assert isinstance(text, str) and text
    req = s.follow_stream(flow, direction="A", output_format="bytes")
    assert isinstance(req, bytes) and req.startswith(b"GET ")
    resp = s.follow_stream(flow["flowInd"], direction="B", output_format="bytes")
    assert resp.startswith(b"HTTP/")
    segs = s.follow_stream(flow, output_format="json")
    assert isinstance(segs, list) and segs and all(isinstance(x, dict) for x in segs)
    with pytest.raises(ValueError):
        s.follow_stream(flow, direction="C")


def test_stream_yields_every_flow_live(binary, http_many, tmp_path):
    s = xdpflow.Session(pcap=http_many, output_prefix=str(tmp_path / "live"))
    got = list(s.stream())
    assert got == s.flows()
    assert len(got) == len(flow_lines(s.output_prefix))


def test_monitoring(binary, http_many, tmp_path):
    s = xdpflow.Session(pcap=http_many, output_prefix=str(tmp_path / "mon"),
                        config={"MONITOR_INTERVAL": 1}).run()
    rows = s.monitoring()
    assert rows and rows[-1]["flowsFinalized"] == sum(
        1 for f in s.flows() if f["dir"] == "A")
    assert "monitor" in s.stderr
