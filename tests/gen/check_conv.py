# SPDX-License-Identifier: BSD-3-Clause
"""Compare xdpflow-gen's ground truth (--summary TSV) with tshark's TCP and UDP
conversation tables of the capture it wrote.

    python3 check_conv.py SUMMARY.tsv TSHARK_CONV.txt

Every TCP/UDP flow of the summary must be exactly one tshark conversation with
the same endpoints (A = the summary's client = tshark's first sender) and the
same frames and bytes each way; tshark must show no conversation the summary
lacks.  tshark 4.0 prints byte counts of 10000 and more cut to a unit
("17 kB"), so the summary's count is formatted the same way before comparing.
Prints one line per problem and exits 1 if there is any.
"""
import re
import sys

UNITS = {"bytes": 1, "kB": 1000, "MB": 1000 ** 2, "GB": 1000 ** 3}
NUM = r"(\d+)\s+(\d+)\s+(bytes|kB|MB|GB)"
ROW = re.compile(r"^(\S+)\s+<->\s+(\S+)\s+" + NUM + r"\s+" + NUM + r"\s+" + NUM)


def format_size(n):
    for unit in ("GB", "MB", "kB"):
        if n // UNITS[unit] >= 10:
            return "%d %s" % (n // UNITS[unit], unit)
    return "%d bytes" % n


def endpoint(addr, port):
    return "%s:%s" % (addr, port)


def load_summary(path):
    flows = {}
    with open(path) as f:
        for line in f:
            if line.startswith("%"):
                continue
            c = line.rstrip("\n").split("\t")
            if c[2] not in ("6", "17"):
                continue
            table = "tcp" if c[2] == "6" else "udp"
            key = (table, endpoint(c[5], c[6]), endpoint(c[7], c[8]))
            if key in flows:
                print("summary: flow %s repeats the 5-tuple of flow %s" %
                      (c[0], flows[key]["ind"]))
            flows[key] = {"ind": c[0], "ab": (int(c[9]), int(c[10])),
                          "ba": (int(c[11]), int(c[12]))}
    return flows


def load_tshark(path):
    convs, table = {}, None
    with open(path) as f:
        for line in f:
            if line.startswith("TCP Conversations"):
                table = "tcp"
            elif line.startswith("UDP Conversations"):
                table = "udp"
            m = ROW.match(line)
            if table and m:
                g = m.groups()
                convs[(table, g[0], g[1])] = {
                    "ba": (int(g[2]), "%s %s" % (g[3], g[4])),
                    "ab": (int(g[5]), "%s %s" % (g[6], g[7]))}
    return convs


def main():
    truth, convs = load_summary(sys.argv[1]), load_tshark(sys.argv[2])
    bad = 0
    for key, flow in sorted(truth.items()):
        conv = convs.pop(key, None)
        if conv is None:
            print("flow %s %s %s <-> %s: no tshark conversation" % ((flow["ind"],) + key))
            bad += 1
            continue
        for d in ("ab", "ba"):
            want = (flow[d][0], format_size(flow[d][1]))
            if conv[d] != want:
                print("flow %s %s %s <-> %s %s: tshark %s, summary %s" %
                      ((flow["ind"],) + key + (d, conv[d], want)))
                bad += 1
    for key in sorted(convs):
        print("tshark conversation %s %s <-> %s is not in the summary" % key)
        bad += 1
    print("check_conv: %d TCP/UDP flows compared, %d problem(s)" % (len(truth), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
