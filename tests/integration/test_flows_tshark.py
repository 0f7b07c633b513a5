# SPDX-License-Identifier: BSD-3-Clause
"""(a) Every `flows` capture: xdpflow's per-flow packet and byte counts agree
with tshark's conversation statistics, except where a rule of
docs/tshark-differences.md says exactly why not."""
import os

import pytest

import compare
import tshark_conv
import xf
from conftest import ALLOWED, corpus_path, rows_with_role

FLOWS = rows_with_role("flows")

# Differences no rule covers yet, each written down in the Findings of
# docs/tshark-differences.md.  Strict: the day one passes, the test fails
# until it is taken off this list.
KNOWN = {
    "zeek/tunnels/gre-aruba-amsdu.pcap":
        "tshark counts a frame once per 802.11 A-MSDU subframe inside Aruba GRE "
        "(docs/tshark-differences.md, Findings)",
}
PARAMS = [pytest.param(r, id=r["file"], marks=pytest.mark.xfail(
    strict=True, reason=KNOWN[r["file"]])) if r["file"] in KNOWN else
    pytest.param(r, id=r["file"]) for r in FLOWS]


@pytest.mark.parametrize("entry", PARAMS)
def test_flows_match_tshark(entry, tmp_path, tshark_cache):
    path = corpus_path(entry["file"])
    prefix = str(tmp_path / "out")
    res = xf.run(["-r", path, "-w", prefix, "-D", "BYTE_LAYER=2"])
    assert not res.timed_out, "xdpflow hung: %r" % res
    san = res.sanitizer_report()
    assert san is None, "sanitizer report:\n%s" % san
    assert res.rc == 0, "xdpflow failed on a capture tshark reads: %r" % res
    cols, rows = xf.read_tsv(prefix + "_flows.txt")
    flows, problems = xf.flows_from_rows(rows)
    assert not problems, "flow file inconsistent: %s" % problems

    meta, tables = tshark_conv.load(tshark_cache, entry["sha256"])
    assert tables is not None, "tshark failed on %s: %s" % (path, meta)
    rep = compare.compare(flows, tables, entry["encapsulation"])
    for line in rep.allowed:
        ALLOWED.append((entry["file"], line))
    assert not rep.problems, "%d difference(s) with tshark:\n  %s" % (
        len(rep.problems), "\n  ".join(rep.problems[:20]))
