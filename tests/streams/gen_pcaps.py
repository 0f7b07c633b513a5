#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Crafted captures for the stream tests (python3 standard library only).

Each case is one TCP (or UDP) conversation in which BOTH sides send the same
segment pattern on their own sequence space, written once over IPv4 and once
over IPv6.  Next to every capture go the streams a correct reassembler must
produce, one file per direction:

    OUT/<case>.<v4|v6>.pcap
    OUT/<case>.<v4|v6>.A.bin     client -> server (A: sent the first packet)
    OUT/<case>.<v4|v6>.B.bin     server -> client
    OUT/<case>.<v4|v6>.gaps      "A off len" / "B off len" lines: gaps to report
    OUT/cases.tsv                case, what it exercises, which peers get it wrong

Gaps in the .bin files are NUL bytes (the --format bytes convention: offsets
stay right, as in tcpflow's files).
"""
import os
import struct
import sys

CLIENT4, SERVER4 = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
CLIENT6 = bytes.fromhex("20010db8000000000000000000000001")
SERVER6 = bytes.fromhex("20010db8000000000000000000000002")
CMAC, SMAC = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")
CPORT, SPORT = 40000, 8080
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Conv:
    """One conversation: frames in capture order, expected streams."""

    def __init__(self, v6, proto=6, c_isn=1000, s_isn=900000):
        self.v6, self.proto = v6, proto
        self.isn = [c_isn, s_isn]
        self.frames = []
        self.t = 1_700_000_000.0
        self.linktype = 1          # 1 Ethernet, 228/229 raw IPv4/IPv6, 0 BSD loopback
        self.sport = SPORT         # the server's port
        self.snaplen = 65535

    def addrs(self, d):
        c, s = (CLIENT6, SERVER6) if self.v6 else (CLIENT4, SERVER4)
        sp = self.sport
        return (c, s, CPORT, sp, CMAC, SMAC) if d == 0 else (s, c, sp, CPORT, SMAC, CMAC)

    def frame(self, d, l4, pad_to=0, bad_csum=False, cut=0, tso=False, ext=False, gre=False):
        """tso: a TSO / BIG TCP super-frame: IPv4 total length 0, IPv6
        payload length 0 with a hop-by-hop jumbo payload option; ext: an
        IPv6 destination options header (PadN) / an IPv4 NOP option; gre:
        inside GRE over IPv4 (192.0.2.1 -> 192.0.2.2)"""
        src, dst, _, _, smac, dmac = self.addrs(d)
        if self.v6:
            pseudo = src + dst + struct.pack("!IxxxB", len(l4), self.proto)
        else:
            pseudo = src + dst + struct.pack("!xBH", self.proto, len(l4) & 0xFFFF)   # TSO: offloaded
        off = 16 if self.proto == 6 else 6
        c = csum(pseudo + l4)
        if bad_csum:
            c ^= 0x5A5A
        l4 = l4[:off] + struct.pack("!H", c) + l4[off + 2:]
        if self.v6 and tso:
            ip = struct.pack("!IHBB", 6 << 28, 0, 0, 64) + src + dst
            ip += struct.pack("!BBBBI", self.proto, 0, 0xC2, 4, 8 + len(l4))
            et = 0x86DD
        elif self.v6 and ext:
            ip = struct.pack("!IHBB", 6 << 28, 8 + len(l4), 60, 64) + src + dst
            ip += struct.pack("!BBBB", self.proto, 0, 1, 4) + bytes(4)     # PadN
            et = 0x86DD
        elif self.v6:
            ip = struct.pack("!IHBB", 6 << 28, len(l4), self.proto, 64) + src + dst
            et = 0x86DD
        elif ext:
            hdr = struct.pack("!BBHHHBBH4s4s", 0x46, 0, 24 + len(l4), 1, 0x4000, 64,
                              self.proto, 0, src, dst) + bytes([1, 1, 1, 0])
            ip = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
            et = 0x0800
        else:
            hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 0 if tso else 20 + len(l4), 1, 0x4000,
                              64, self.proto, 0, src, dst)
            ip = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
            et = 0x0800
        if gre:
            inner = struct.pack("!HH", 0, et) + ip + l4
            hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(inner), 2, 0x4000, 64, 47, 0,
                              bytes([192, 0, 2, 1 + d]), bytes([192, 0, 2, 2 - d]))
            ip, l4, et = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:], inner, 0x0800
        if self.linktype in (228, 229, 101):
            fr = ip + l4
        elif self.linktype == 0:
            fr = struct.pack("<I", 30 if self.v6 else 2) + ip + l4
        else:
            fr = dmac + smac + struct.pack("!H", et) + ip + l4
        if len(fr) < pad_to:
            fr += b"\xee" * (pad_to - len(fr))   # padding that is not payload
        self.t += 0.001
        self.frames.append((self.t, fr[:len(fr) - cut], len(fr)))   # cut: snap length

    def tcp(self, d, rel, flags=ACK, data=b"", ack_rel=None, win=65535, **kw):
        """rel: sequence relative to this side's ISN (0 = the SYN)."""
        _, _, sp, dp, _, _ = self.addrs(d)
        seq = (self.isn[d] + rel) & 0xFFFFFFFF
        ack = 0
        if flags & ACK:
            ack = (self.isn[1 - d] + (ack_rel if ack_rel is not None else 1)) & 0xFFFFFFFF
        hdr = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, win, 0, 0)
        self.frame(d, hdr + data, **kw)

    def udp(self, d, data, **kw):
        _, _, sp, dp, _, _ = self.addrs(d)
        self.frame(d, struct.pack("!HHHH", sp, dp, 8 + len(data), 0) + data, **kw)

    def handshake(self):
        self.tcp(0, 0, SYN)
        self.tcp(1, 0, SYN | ACK, ack_rel=1)
        self.tcp(0, 1, ACK, ack_rel=1)

    def both(self, rel, flags=ACK, data=b"", **kw):
        """the same segment from each side (client first)."""
        for d in (0, 1):
            self.tcp(d, rel, flags, data, **kw)

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, self.snaplen, self.linktype))
            for t, fr, wire in self.frames:
                sec = int(t)
                f.write(struct.pack("<IIII", sec, int(round((t - sec) * 1e6)), len(fr), wire))
                f.write(fr)


# Each case: (name, description, peers-wrong, builder(conv) -> (streamA, streamB, gaps))
CASES = []


def case(desc, wrong=""):
    def reg(fn):
        CASES.append((fn.__name__, desc, wrong, fn))
        return fn
    return reg


def fin_both(c, rel):
    c.both(rel, FIN | ACK)


@case("in-order data, FIN")
def inorder(c):
    c.handshake()
    c.both(1, ACK | PSH, b"hello ")
    c.both(7, ACK | PSH, b"world\n")
    fin_both(c, 13)
    return b"hello world\n", b"hello world\n", []


@case("exact retransmission of a segment")
def retrans_exact(c):
    c.handshake()
    c.both(1, ACK | PSH, b"abcdef")
    c.both(1, ACK | PSH, b"abcdef")
    c.both(7, ACK | PSH, b"ghij")
    fin_both(c, 11)
    return b"abcdefghij", b"abcdefghij", []


@case("re-packetised retransmission overlapping delivered data and adding new")
def retrans_repack(c):
    c.handshake()
    c.both(1, ACK, b"abcd")
    c.both(5, ACK, b"efgh")
    c.both(3, ACK, b"cdefghij")
    c.both(11, ACK, b"kl")
    fin_both(c, 13)
    return b"abcdefghijkl", b"abcdefghijkl", []


@case("out-of-order segments, buffered until the gap fills")
def ooo(c):
    c.handshake()
    c.both(7, ACK, b"ghi")
    c.both(4, ACK, b"def")
    c.both(1, ACK, b"abc")
    fin_both(c, 10)
    return b"abcdefghi", b"abcdefghi", []


@case("sequence numbers wrap at 2^32 inside the data")
def seqwrap(c):
    c.isn = [0xFFFFFFF8, 0xFFFFFFFA]
    c.handshake()
    c.both(1, ACK, b"0123456")
    c.both(8, ACK, b"789abc")
    c.both(14, ACK, b"def")
    fin_both(c, 17)
    return b"0123456789abcdef", b"0123456789abcdef", []


@case("keep-alive probes with a garbage byte", "tcpflow,tshark?")
def keepalive(c):
    c.handshake()
    c.both(1, ACK, b"data")
    c.both(4, ACK, b"\x00")          # seq = next - 1, one garbage byte
    c.both(4, ACK)
    c.both(5, ACK, b"more")
    fin_both(c, 9)
    return b"datamore", b"datamore", []


@case("zero-window probes, then the window opens")
def zwp(c):
    c.handshake()
    c.both(1, ACK, b"abc")
    c.both(4, ACK, b"d")
    c.both(4, ACK, b"d")
    c.both(4, ACK, b"defg")
    fin_both(c, 8)
    return b"abcdefg", b"abcdefg", []


@case("capture starts mid-stream (no SYN)")
def midstream(c):
    c.both(501, ACK, b"middle ")
    c.both(508, ACK, b"of it")
    fin_both(c, 513)
    return b"middle of it", b"middle of it", []


@case("capture starts mid-stream on a keep-alive probe (seq one below the first byte)", "tshark")
def midstream_keepalive(c):
    c.both(500, ACK, ack_rel=501)    # keep-alive: next byte is 501
    for d in (0, 1):                 # data, acknowledged by the other side
        c.tcp(d, 501, ACK | PSH, b"after the probe", ack_rel=501 + 15 * d)
    c.tcp(0, 516, ACK, ack_rel=516)
    c.both(516, FIN | ACK, ack_rel=516)
    return b"after the probe", b"after the probe", []


@case("capture starts mid-stream, then a segment from before the first one arrives",
      "tcpflow(moves the start back)")
def before_start(c):
    c.both(505, ACK | PSH, b"efgh")
    c.both(501, ACK | PSH, b"abcd")      # before the stream's first offset: counted
    c.both(509, ACK | PSH, b"ijkl")
    fin_both(c, 513)
    return b"efghijkl", b"efghijkl", []


@case("data and FIN arrive before the gap before them fills")
def fin_before_gap(c):
    c.handshake()
    c.both(4, FIN | ACK, b"def")
    c.both(1, ACK, b"abc")
    return b"abcdef", b"abcdef", []


@case("overlap with different bytes: first data wins", "tcpflow")
def overlap_diff(c):
    c.handshake()
    c.both(1, ACK, b"012")
    c.both(5, ACK, b"OLD")
    c.both(5, ACK, b"new")
    c.both(4, ACK, b"3")
    fin_both(c, 8)
    return b"0123OLD", b"0123OLD", []


@case("a gap that never fills is reported and kept as NUL bytes")
def gap(c):
    c.handshake()
    c.both(1, ACK, b"abc")
    c.both(10, ACK, b"jkl")
    fin_both(c, 13)
    s = b"abc" + b"\0" * 6 + b"jkl"
    return s, s, [("A", 3, 6), ("B", 3, 6)]


@case("segments cut by the snap length: the uncaptured bytes are gaps", "tcpflow(shorter file),tshark")
def snapped(c):
    c.handshake()
    c.both(1, ACK, b"0123456789", cut=6)       # 4 of 10 bytes captured
    c.both(11, FIN | ACK, b"abcdefgh", cut=5)  # 3 of 8, and the FIN after them
    s = b"0123" + b"\0" * 6 + b"abc" + b"\0" * 5
    return s, s, [("A", 4, 6), ("B", 4, 6), ("A", 13, 5), ("B", 13, 5)]


@case("raw IP link type (no Ethernet header)", "tcpflow(cannot read)")
def rawip(c):
    c.linktype = 229 if c.v6 else 228
    return inorder(c)


@case("BSD loopback link type (4-byte address family)", "tcpflow(IPv6: writes nothing)")
def loopback(c):
    c.linktype = 0
    return inorder(c)


@case("RST ends the stream; its payload is not stream data")
def rst(c):
    c.handshake()
    c.tcp(0, 1, ACK | PSH, b"request")
    c.tcp(1, 1, ACK | PSH, b"reply", ack_rel=8)
    c.tcp(0, 8, RST | ACK, b"diagnostic")
    return b"request", b"reply", []


@case("short segments in frames with Ethernet padding", "tcpflow")
def padding(c):
    c.handshake()
    c.both(1, ACK | PSH, b"a", pad_to=60)
    c.both(2, ACK | PSH, b"bc", pad_to=60)
    fin_both(c, 4)
    return b"abc", b"abc", []


@case("bad TCP checksums (offload on the capturing host)")
def badcsum(c):
    c.handshake()
    c.both(1, ACK | PSH, b"offloaded", bad_csum=True)
    fin_both(c, 10)
    return b"offloaded", b"offloaded", []


@case("TSO / BIG TCP super-frame: a 70000-byte segment, IP length 0 (IPv6: jumbo option)",
      "tcpflow(writes nothing)")
def tso(c):
    c.snaplen = 262144
    big = bytes((i * 7 + 3) & 255 for i in range(70000))
    c.handshake()
    c.both(1, ACK | PSH, big, tso=True)
    c.both(1 + len(big), ACK | PSH, b"end")
    fin_both(c, 4 + len(big))
    return big + b"end", big + b"end", []


@case("IPv6 destination options header on one side (IPv4: a NOP option)", "tcpflow(IPv6: drops them)")
def ip6ext(c):
    c.tcp(0, 0, SYN, ext=True)
    c.tcp(1, 0, SYN | ACK, ack_rel=1)
    c.tcp(0, 1, ACK, ack_rel=1, ext=True)
    c.tcp(0, 1, ACK | PSH, b"GET / HTTP/1.0\r\n", ext=True)
    c.tcp(1, 1, ACK | PSH, b"HTTP/1.0 200 OK\r\n", ack_rel=17)
    c.tcp(0, 17, FIN | ACK, ack_rel=18, ext=True)
    c.tcp(1, 18, FIN | ACK, ack_rel=18)
    return b"GET / HTTP/1.0\r\n", b"HTTP/1.0 200 OK\r\n", []


@case("every other segment tunnelled in GRE (a tap that sees both paths)", "tcpflow")
def gre_mix(c):
    c.handshake()
    for i in range(6):
        c.both(1 + i, ACK | PSH, b"abcdef"[i:i + 1], gre=bool(i % 2))
    fin_both(c, 7)
    return b"abcdef", b"abcdef", []


def openflow_packet_in(xid):
    """OpenFlow 1.0 PACKET_IN carrying a whole frame (an 802.3/LLC STP BPDU)"""
    bpdu = struct.pack("!HBB", 0, 0, 0) + bytes(32)                 # config BPDU
    llc = bytes([0x42, 0x42, 0x03]) + bpdu
    frame = bytes.fromhex("0180c2000000") + SMAC + struct.pack("!H", len(llc)) + llc
    body = struct.pack("!IHHBx", 0xFFFFFFFF, len(frame), 1, 1) + frame
    return struct.pack("!BBHI", 1, 10, 8 + len(body), xid) + body


@case("OpenFlow PACKET_IN with an embedded frame (tshark takes it for another conversation)",
      "tshark")
def openflow(c):
    c.sport = 6633
    streams = []
    c.handshake()
    for d in (0, 1):            # each side its own transaction IDs
        streams.append([struct.pack("!BBHI", 1, 0, 8, 1 + 10 * d), openflow_packet_in(2 + 10 * d),
                        struct.pack("!BBHI", 1, 2, 8, 3 + 10 * d)])
    rel = 1
    for msg in range(3):
        for d in (0, 1):
            c.tcp(d, rel, ACK | PSH, streams[d][msg])
        rel += len(streams[0][msg])
    fin_both(c, rel)
    return b"".join(streams[0]), b"".join(streams[1]), []


def udp_case(c):
    c.proto = 17
    c.udp(0, b"query1")
    c.udp(1, b"answer1")
    c.udp(0, b"q2")
    c.udp(1, b"a2", pad_to=60)
    return b"query1q2", b"answer1a2", []


CASES.append(("udp", "UDP datagrams both ways: payloads in order", "", udp_case))


def bulk(path, flows, segs, size, hole):
    """A stream-heavy capture for benchmarks: `flows` TCP connections, each
    `segs` data segments of `size` bytes from the server, interleaved; with
    `hole`, every flow's first data segment is missing, so everything after
    it waits out of order (the memory caps must hold)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        convs = []
        for i in range(flows):
            c = Conv(False, c_isn=(i * 7919) & 0xFFFFFFFF, s_isn=(i * 104729 + 5) & 0xFFFFFFFF)
            c.addrs_i = i
            convs.append(c)

        def addrs(c, d):
            cl = bytes([10, 1, (c.addrs_i >> 8) & 255, c.addrs_i & 255])
            sv = bytes([10, 2, 0, 1])
            cp = 1024 + c.addrs_i % 60000
            return (cl, sv, cp, 80, CMAC, SMAC) if d == 0 else (sv, cl, 80, cp, SMAC, CMAC)

        payload = bytes((i * 31 + 7) & 255 for i in range(size))
        t = [1_700_000_000.0]

        def emit(c):
            for ts, fr, wire in c.frames:
                sec = int(ts)
                f.write(struct.pack("<IIII", sec, int((ts - sec) * 1e6), len(fr), wire))
                f.write(fr)
            c.frames = []

        for c in convs:
            c.addrs = lambda d, c=c: addrs(c, d)
            c.handshake()
            c.tcp(0, 1, ACK | PSH, b"GET /bulk HTTP/1.0\r\n\r\n")
            emit(c)
        for k in range(segs):
            for c in convs:
                if not (hole and k == 0):
                    c.tcp(1, 1 + k * size, ACK, payload, ack_rel=23)
                emit(c)
        for c in convs:
            c.tcp(1, 1 + segs * size, FIN | ACK, ack_rel=23)
            c.tcp(0, 23, FIN | ACK, ack_rel=2 + segs * size)
            emit(c)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--bulk":
        # --bulk OUT.pcap FLOWS SEGS SIZE [hole]
        bulk(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]),
             len(sys.argv) > 6 and sys.argv[6] == "hole")
        return 0
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "cases.tsv"), "w") as idx:
        idx.write("case\tdescription\tpeers_wrong\n")
        for name, desc, wrong, build in CASES:
            idx.write("%s\t%s\t%s\n" % (name, desc, wrong))
            for v6 in (False, True):
                conv = Conv(v6)
                a, b, gaps = build(conv)
                base = os.path.join(out, "%s.%s" % (name, "v6" if v6 else "v4"))
                conv.write(base + ".pcap")
                for d, s in (("A", a), ("B", b)):
                    with open("%s.%s.bin" % (base, d), "wb") as f:
                        f.write(s)
                with open(base + ".gaps", "w") as f:
                    for d, off, n in gaps:
                        f.write("%s %d %d\n" % (d, off, n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
