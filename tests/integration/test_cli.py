# SPDX-License-Identifier: BSD-3-Clause
"""(e) Input formats, configuration options, the report and signals."""
import gzip
import json
import os
import signal
import subprocess
import time

import pytest

import xf
from conftest import corpus_path

BASE = "zeek/ftp/retr.pcap"            # 67 packets, 2 TCP flows


def flows_text(args):
    res = xf.run(args + ["-q"])
    assert res.rc == 0 and res.sanitizer_report() is None, res
    return res.out


@pytest.fixture(scope="module")
def reference():
    return flows_text(["-r", corpus_path(BASE)])


def test_gzip_input(tmp_path, reference):
    gz = tmp_path / "retr.pcap.gz"
    with open(corpus_path(BASE), "rb") as f:
        gz.write_bytes(gzip.compress(f.read()))
    assert flows_text(["-r", str(gz)]) == reference


@pytest.mark.parametrize("fmt", ["pcapng", "nsecpcap"])
def test_pcapng_and_nanosecond_input(tmp_path, reference, fmt):
    out = str(tmp_path / ("retr." + fmt))
    subprocess.run(["editcap", "-F", fmt, corpus_path(BASE), out], check=True,
                   capture_output=True)
    assert flows_text(["-r", out]) == reference


def test_nanosecond_timestamps_kept(tmp_path):
    out = str(tmp_path / "retr.ns.pcap")
    subprocess.run(["editcap", "-F", "nsecpcap", corpus_path(BASE), out],
                   check=True, capture_output=True)
    _, rows = xf.parse_tsv(flows_text(["-r", out, "-D", "TSTAMP_DECIMALS=9"]))
    assert all(len(r["timeFirst"].split(".")[1]) == 9 for r in rows)


def test_config_file_equals_define(tmp_path):
    cfg = tmp_path / "x.conf"
    cfg.write_text("# a comment\nBYTE_LAYER = 2\n\nFLOW_TIMEOUT=0.01\n")
    a = flows_text(["-r", corpus_path(BASE), "-c", str(cfg)])
    b = flows_text(["-r", corpus_path(BASE), "-D", "BYTE_LAYER=2",
                    "-D", "FLOW_TIMEOUT=0.01"])
    assert a == b
    # a 10 ms idle timeout splits the FTP control connection: more flows
    assert len(a.splitlines()) > len(flows_text(["-r", corpus_path(BASE)]).splitlines())


def test_bad_setting_value_names_it(tmp_path):
    res = xf.run(["-r", corpus_path(BASE), "-D", "FLOW_TIMEOUT=soon"])
    assert res.rc not in (0, None)
    assert any("FLOW_TIMEOUT" in l and "soon" in l for l in res.err_lines()), res


def test_bad_config_file_line_names_it(tmp_path):
    cfg = tmp_path / "bad.conf"
    cfg.write_text("BYTE_LAYER=2\nthis is not a setting\n")
    res = xf.run(["-r", corpus_path(BASE), "-c", str(cfg)])
    assert res.rc not in (0, None)
    assert any("bad.conf" in l for l in res.err_lines()), res


def test_list_config_json_has_every_field():
    res = xf.run(["--list-config", "--json"])
    assert res.rc == 0
    items = json.loads(res.out)
    assert len(items) > 20
    for it in items:
        for k in ("name", "module", "type", "default", "value", "description"):
            assert k in it, it
    byte_layer = [i for i in items if i["name"] == "BYTE_LAYER"][0]
    assert byte_layer["default"] == "7"


def test_explain_flowstat():
    res = xf.run(["--explain-flowstat", "0x0000000000000221"])
    assert res.rc == 0
    assert "B direction" in res.out and "IPv4" in res.out and "end of the input" in res.out
    res = xf.run(["--explain-flowstat", "0xZZ"])
    assert res.rc not in (0, None) and "0xZZ" in res.err


def test_report_names_every_loss_counter(tmp_path):
    prefix = str(tmp_path / "r")
    res = xf.run(["-r", corpus_path(BASE), "-w", prefix])
    assert res.rc == 0
    log = open(prefix + "_log.txt").read()
    for line in ("Number of processed packets: 67", "Number of flows: 2",
                 "Max number of flows in memory: 2", "Losses:",
                 "flows ended early (MAX_FLOWS reached): 0"):
        assert line in log, line
    assert log in res.err, "stderr report differs from _log.txt"


def test_quiet_keeps_log(tmp_path):
    prefix = str(tmp_path / "q")
    res = xf.run(["-r", corpus_path(BASE), "-w", prefix, "-q"])
    assert res.rc == 0 and "processed packets" not in res.err
    assert "processed packets" in open(prefix + "_log.txt").read()


def test_max_flows_evicts_and_counts(tmp_path):
    # 450 flows (IGMP groups) through a table of 16 (MAX_FLOWS' lower bound)
    big = corpus_path("zeek/igmp/igmp-many-groups.pcap")
    prefix = str(tmp_path / "e")
    res = xf.run(["-r", big, "-w", prefix, "-D", "MAX_FLOWS=16"])
    assert res.rc == 0, res
    _, rows = xf.read_tsv(prefix + "_flows.txt")
    log = open(prefix + "_log.txt").read()
    evicted = {r["flowInd"] for r in rows if int(r["flowStat"], 16) & 0x40}
    n = int(log.split("flows ended early (MAX_FLOWS reached): ")[1].split()[0])
    assert n > 0 and n == len(evicted), (n, len(evicted))
    assert int(log.split("Max number of flows in memory: ")[1].split()[0]) == 16
    # nothing lost: every packet is still in some flow
    pkts = sum(int(r["numPktsSnt"]) for r in rows)
    assert "Number of processed packets: %d\n" % pkts in log


def wait_started(p, path):
    """Until xdpflow has created its flow file (it reads input after that)."""
    for _ in range(400):
        if os.path.exists(path) or p.poll() is not None:
            return
        time.sleep(0.05)


def test_sigusr1_prints_report_and_continues(tmp_path):
    lst = tmp_path / "list.txt"
    lst.write_text((corpus_path(BASE) + "\n") * 30000)
    p = subprocess.Popen([xf.binary(), "-R", str(lst), "-w", str(tmp_path / "s")],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_started(p, str(tmp_path / "s_flows.txt"))
    time.sleep(0.1)
    p.send_signal(signal.SIGUSR1)
    time.sleep(0.5)
    running = p.poll() is None
    p.send_signal(signal.SIGINT)            # it went on: stop it now
    _, err = p.communicate(timeout=xf.timeout())
    err = err.decode("utf-8", "replace")
    assert running, "xdpflow ended within 0.5 s of SIGUSR1: %s" % err[-500:]
    assert "report so far" in err, err[-500:]
    assert p.returncode == 0
    # the report so far, then the end report
    assert err.count("Number of processed packets:") == 2


def test_sigint_flushes_and_reports(tmp_path):
    lst = tmp_path / "list.txt"
    lst.write_text((corpus_path(BASE) + "\n") * 100000)
    prefix = str(tmp_path / "i")
    p = subprocess.Popen([xf.binary(), "-R", str(lst), "-w", prefix],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_started(p, prefix + "_flows.txt")
    time.sleep(0.2)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=xf.timeout())
    assert p.returncode == 0, err[-500:]
    _, rows = xf.read_tsv(prefix + "_flows.txt")
    assert rows, "no flows written after SIGINT"
    assert "Number of processed packets" in open(prefix + "_log.txt").read()
