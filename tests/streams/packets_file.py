#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write a T2-style packets file (-s output: '%'-header TSV, C-escaped
l7Content) for a capture, from tshark's fields, so `xdpflow follow` on a
packets file is tested independently of the engine.
usage: packets_file.py PCAP OUT [SNAPLEN]"""
import subprocess
import sys

FIELDS = ["frame.number", "frame.time_epoch", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst",
          "ipv6.dst", "tcp.dstport", "tcp.seq_raw", "tcp.ack_raw", "tcp.flags", "tcp.len",
          "tcp.payload"]


def escape(b):
    out = []
    for c in b:
        ch = chr(c)
        if ch in "\n\r\t\\\"":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\", '"': '\\"'}[ch])
        elif 0x20 <= c < 0x7F:
            out.append(ch)
        else:
            out.append("\\x%02x" % c)
    return "".join(out)


def main():
    pcap, out = sys.argv[1], sys.argv[2]
    snap = int(sys.argv[3]) if len(sys.argv) > 3 else 1 << 30
    args = ["tshark", "-r", pcap, "-Y", "tcp", "-T", "fields", "-E", "separator=\t"]
    for f in FIELDS:
        args += ["-e", f]
    rows = subprocess.run(args, capture_output=True, text=True, check=True).stdout.splitlines()
    with open(out, "w") as f:
        f.write("%pktNo\tflowInd\ttime\tsrcIP\tsrcPort\tdstIP\tdstPort\tl4Proto\ttcpSeq\ttcpAck"
                "\ttcpFlags\tl7Len\tl7Content\n")
        for r in rows:
            v = (r.split("\t") + [""] * len(FIELDS))[:len(FIELDS)]
            num, t, s4, s6, sp, d4, d6, dp, seq, ack, fl, ln, pl = v
            data = bytes.fromhex(pl.replace(":", ""))[:snap]
            f.write("\t".join([num, "1", t, s4 or s6, sp, d4 or d6, dp, "6", seq, ack,
                               "0x%02x" % int(fl, 16), ln, escape(data)]) + "\n")


if __name__ == "__main__":
    main()
