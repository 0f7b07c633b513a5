#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""mk-partial-frames.py [--jumbo] OUT.pcap - frames the kernel's parser sees only in part.

Replayed through BPF_PROG_RUN, a frame over ~3.5 KB is a multi-buffer XDP
frame whose linear part is all the parser sees, and a frame over 64 KiB is
handed over cut (userspace/engine_xdp.c, XDP_RUN_MAX).  Each frame here is
its own flow (its own UDP/TCP port) and tests one thing the program must
redo from the real length (fix_partial_view() in bpf/xdpflow.bpf.c):
datagram ending with the frame, before it (trailer), after it (snapped),
IP length fields of 0, 16-bit saturation, a tunnel.  diff-engines.sh then
requires the kernel engine to write the offline engine's flows.
"""
import struct
import sys

MAC = b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02"


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4(proto, payload, tot=None):
    tot = 20 + len(payload) if tot is None else tot
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, tot, 1, 0, 64, proto, 0,
                    bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ipv6(nh, payload, plen=None):
    plen = len(payload) if plen is None else plen
    return struct.pack("!IHBB16s16s", 6 << 28, plen, nh, 64,
                       b"\xfd" + b"\0" * 14 + b"\1", b"\xfd" + b"\0" * 14 + b"\2") + payload


def udp(sport, n):
    return struct.pack("!HHHH", sport, 9, min(8 + n, 0xffff), 0) + b"u" * n


def tcp(sport, n):
    return struct.pack("!HHIIBBHHH", sport, 80, 1000, 0, 5 << 4, 0x18, 512, 0, 0) + b"t" * n


def eth(ethertype, l3):
    return MAC + struct.pack("!H", ethertype) + l3


def frames():
    """(frame bytes, captured length or None for all of it)"""
    # ends with the frame / before it (trailer) / after it (snapped)
    yield eth(0x0800, ipv4(17, udp(1001, 8958))), None
    yield eth(0x0800, ipv4(17, udp(1002, 8958), tot=8000)), None
    yield eth(0x0800, ipv4(17, udp(1003, 8958))), 6000
    # TSO: IPv4 total length 0, the rest of the frame
    yield eth(0x0800, ipv4(6, tcp(1004, 19946), tot=0)), None
    # ... over 64 KiB: l3_len saturates, replay hands the first 64 KiB
    yield eth(0x0800, ipv4(6, tcp(1005, 69946), tot=0)), None
    # a full 64 KB datagram in a frame just over 64 KiB, and one with a trailer
    yield eth(0x0800, ipv4(17, udp(1006, 65507))), None
    yield eth(0x0800, ipv4(17, udp(1007, 69000), tot=60000)), None
    # TSO cut by the capture: the rest of what was captured
    yield eth(0x0800, ipv4(6, tcp(1008, 19946), tot=0)), 10000
    # BIG TCP IPv6: payload length 0, hop-by-hop jumbo option, 90 KB
    hbh = struct.pack("!BBBBI", 6, 0, 0xc2, 4, 0) + b""
    yield eth(0x86dd, ipv6(0, hbh + tcp(1009, 90000), plen=0)), None
    # IPv6 payload length 0 with "no next header": nothing follows
    yield eth(0x86dd, ipv6(59, b"n" * 9000, plen=0)), None
    # IPv6 exact and snapped
    yield eth(0x86dd, ipv6(17, udp(1010, 12000))), None
    yield eth(0x86dd, ipv6(17, udp(1011, 12000))), 7000
    # VXLAN: an inner IPv4/UDP jumbo datagram inside an outer one
    inner = eth(0x0800, ipv4(17, udp(1012, 8900)))
    vx = struct.pack("!BBHI", 0x08, 0, 0, 42 << 8) + inner
    outer_udp = struct.pack("!HHHH", 5555, 4789, 8 + len(vx), 0) + vx
    yield eth(0x0800, ipv4(17, outer_udp)), None
    # a small linear frame for contrast
    yield eth(0x0800, ipv4(17, udp(1013, 100))), None


def jumbo_frames():
    """Whole frames of at most 9014 bytes, three of each, for a veth with
    MTU 9100 (live-veth.sh): live, XDP sees them as multi-buffer frames and
    TC egress as skbs whose data is mostly paged."""
    one = [eth(0x0800, ipv4(17, udp(1001, 8958))),
           eth(0x0800, ipv4(17, udp(1002, 8958), tot=8000)),
           eth(0x0800, ipv4(6, tcp(1004, 8946), tot=0)),
           eth(0x86dd, ipv6(17, udp(1010, 8900))),
           eth(0x0800, ipv4(17, udp(1013, 100)))]
    for fr in one * 3:
        yield fr, None


def main():
    args = sys.argv[1:]
    jumbo = args[:1] == ["--jumbo"]
    if jumbo:
        args = args[1:]
    if len(args) != 1:
        sys.exit("usage: mk-partial-frames.py [--jumbo] OUT.pcap")
    with open(args[0], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        for i, (fr, cap) in enumerate(jumbo_frames() if jumbo else frames()):
            cap = len(fr) if cap is None else cap
            f.write(struct.pack("<IIII", 1700000000 + i, 0, cap, len(fr)))
            f.write(fr[:cap])


if __name__ == "__main__":
    main()
