# SPDX-License-Identifier: BSD-3-Clause
"""The file readers against the documented formats (no xdpflow run):
PREFIX_headers.txt types, the '%' header line, T2 type codes -> Python."""
from xdpflow.columns import converter, json_lines, read_headers, read_tsv

HEADERS = """# Date: Mon 23 Nov 2026 10:00:00 UTC
# xdpflow 0.1.0
# Modules loaded:
#   basicFlow: flow identity
# Col No.\tType\tName\tDescription
1\tC\tdir\tFlow direction
2\tU64\tflowInd\tFlow index
3\tH64\tflowStat\tFlow status
4\tU64.U32\ttimeFirst\tFirst packet
5\tIPX\tsrcIP\tSource address
6\tF\tavePktSize\tAverage packet size
7\tR(U16)\tvlanID\tVLAN IDs
8\tS\thdrDesc\tHeaders
"""

FLOWS = ("%dir\tflowInd\tflowStat\ttimeFirst\tsrcIP\tavePktSize\tvlanID\thdrDesc\n"
         "A\t1\t0x0000000000004000\t1258062103.123456\t10.0.0.1\t60.5\t10;20\teth:ipv4:tcp\n"
         "B\t1\t0x0000000000004001\t1258062103.223456\t2001:db8::1\t0\t\teth:ipv6:tcp\n")


def test_headers_and_typed_flows(tmp_path):
    (tmp_path / "x_headers.txt").write_text(HEADERS)
    (tmp_path / "x_flows.txt").write_text(FLOWS)
    cols = read_headers(str(tmp_path / "x_headers.txt"))
    assert [c["name"] for c in cols] == ["dir", "flowInd", "flowStat", "timeFirst",
                                         "srcIP", "avePktSize", "vlanID", "hdrDesc"]
    assert cols[1] == {"col": 2, "type": "U64", "name": "flowInd",
                       "description": "Flow index"}
    convs = {c["name"]: converter(c["type"]) for c in cols}
    a, b = read_tsv(str(tmp_path / "x_flows.txt"), convs)
    assert a == {"dir": "A", "flowInd": 1, "flowStat": 0x4000,
                 "timeFirst": 1258062103.123456, "srcIP": "10.0.0.1",
                 "avePktSize": 60.5, "vlanID": [10, 20], "hdrDesc": "eth:ipv4:tcp"}
    assert b["flowStat"] & 1 and b["vlanID"] == [] and b["srcIP"] == "2001:db8::1"
    assert isinstance(b["avePktSize"], float)


def test_json_lines_typed_like_tsv(tmp_path):
    convs = {c["name"]: converter(c["type"]) for c in
             [{"name": "flowStat", "type": "H64"}, {"name": "vlanID", "type": "R(U16)"},
              {"name": "flowInd", "type": "U64"}]}
    lines = ['{"dir":"A","flowInd":1,"flowStat":"0x0000000000004000","vlanID":[10,20]}\n']
    assert json_lines(lines, convs) == [
        {"dir": "A", "flowInd": 1, "flowStat": 0x4000, "vlanID": [10, 20]}]


def test_empty_fields_are_none_and_untyped_columns_inferred(tmp_path):
    p = tmp_path / "p.txt"
    p.write_text("%pktNo\ttime\tflowStat\tl4Proto\tinfo\n1\t1.5\t0x10\t\tabc\n")
    (row,) = read_tsv(str(p))
    assert row == {"pktNo": 1, "time": 1.5, "flowStat": 16, "l4Proto": None, "info": "abc"}
