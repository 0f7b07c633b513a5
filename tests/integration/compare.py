# SPDX-License-Identifier: BSD-3-Clause
"""Compare xdpflow's flows with tshark's conversation tables.

Every rule below that lets a difference pass is written down, with its
reason, in docs/tshark-differences.md (the D-numbers refer to it).  Anything
not covered by a rule is a problem and fails the test.

Groupings (tshark keys conversations on fewer fields than xdpflow keys flows,
so xdpflow's flows are summed over the fields tshark does not key on):
  tcp/udp/sctp  (proto, {(ipA, portA), (ipB, portB)})  -- VLAN, MACs, and
                tshark's TCP stream / xdpflow's flow splits summed  (D1, D2)
  ip / ipv6     {ipA, ipB} over every IPv4 / IPv6 flow, any protocol
  eth           {macA, macB} over every flow, IP or not            (D3)
"""
import ipaddress

from tshark_conv import Bytes, split_endpoint

FS_L2 = 0x100
FS_IPV4 = 0x200
FS_IPV6 = 0x400
FS_TUNNEL = 0x4000
FS_FRAG = 0x8000

L4_TABLES = {"tcp": 6, "udp": 17, "sctp": 132}


def norm_ip(s):
    try:
        return str(ipaddress.ip_address(s))
    except ValueError:
        return s


def norm_mac(s):
    return s.lower()


class Side:
    """Frames and bytes one endpoint of a conversation sent."""
    __slots__ = ("frames", "bytes")

    def __init__(self, frames=0, nbytes=0):
        self.frames, self.bytes = frames, nbytes


class Group:
    """A conversation: endpoint -> Side, plus the flows that made it."""

    def __init__(self):
        self.sides = {}
        self.flows = []
        self.stat = 0

    def add(self, ep, frames, nbytes):
        s = self.sides.setdefault(ep, Side())
        s.frames += frames
        s.bytes += nbytes

    def side(self, ep):
        return self.sides.get(ep, Side())


def _key(a, b):
    return frozenset((a, b)) if a != b else frozenset((a,))


def group_flows(flows, table):
    """xdpflow flows -> {key: Group} for one tshark table."""
    groups = {}
    for f in flows:
        if table in L4_TABLES:
            if f.proto != L4_TABLES[table] or not f.stat & (FS_IPV4 | FS_IPV6):
                continue
            a = (norm_ip(f.src_ip), f.src_port)
            b = (norm_ip(f.dst_ip), f.dst_port)
        elif table in ("ip", "ipv6"):
            if not f.stat & (FS_IPV4 if table == "ip" else FS_IPV6):
                continue
            a, b = norm_ip(f.src_ip), norm_ip(f.dst_ip)
        else:
            a, b = norm_mac(f.src_mac), norm_mac(f.dst_mac)
            if f.b_line is not None:
                bs = norm_mac(f.b_line.get("srcMac", ""))
                bd = norm_mac(f.b_line.get("dstMac", ""))
                if (bs, bd) != (b, a):
                    # D3: each direction through its own first MACs
                    for src, dst, n, by in ((a, b, f.pkts_ab, f.bytes_ab),
                                            (bs, bd, f.pkts_ba, f.bytes_ba)):
                        g = groups.setdefault(_key(src, dst), Group())
                        g.add(src, n, by)
                        g.add(dst, 0, 0)
                        g.flows.append(f)
                        g.stat |= f.stat
                    continue
        g = groups.setdefault(_key(a, b), Group())
        g.add(a, f.pkts_ab, f.bytes_ab)
        g.add(b, f.pkts_ba, f.bytes_ba)
        g.flows.append(f)
        g.stat |= f.stat
    return groups


class TsGroup(Group):
    """Same shape for tshark; byte counts may be formatted (tshark_conv.Bytes),
    so rows that fall into one group must add up exactly or stay single."""

    def add_row(self, a, b, row):
        for ep, fr, by in ((a, row["tx_frames"], row["tx_bytes"]),
                           (b, row["rx_frames"], row["rx_bytes"])):
            s = self.sides.get(ep)
            if s is None:
                self.sides[ep] = Side(fr, by)
                continue
            s.frames += fr
            if isinstance(s.bytes, Bytes) and s.bytes.exact and by.exact:
                s.bytes = Bytes(s.bytes.value + by.value, "bytes")
            else:
                s.bytes = None       # inexact sum: bytes not comparable
        self.flows.append(row)


def group_rows(rows, table):
    groups = {}
    for row in rows:
        if table in L4_TABLES:
            a, b = split_endpoint(row["a"]), split_endpoint(row["b"])
            a, b = (norm_ip(a[0]), a[1]), (norm_ip(b[0]), b[1])
        elif table in ("ip", "ipv6"):
            a, b = norm_ip(row["a"]), norm_ip(row["b"])
        else:
            a, b = norm_mac(row["a"]), norm_mac(row["b"])
        if a == b:
            # tshark folds a self-conversation into one row: both directions
            row = dict(row, tx_frames=row["tx_frames"] + row["rx_frames"],
                       rx_frames=0)
        groups.setdefault(_key(a, b), TsGroup()).add_row(a, b, row)
    return groups


def bytes_agree(ts_bytes, n):
    if ts_bytes is None:
        return True     # documented: sum of several rounded rows (D6)
    return ts_bytes.matches(n)


def outer_layers(hdr, table):
    """How many layers of the table's kind a tunnelled flow's packets carry
    outside the innermost headers xdpflow keys it on (its last IP header and
    what follows it; for eth, one Ethernet header is the flow's own)."""
    toks = hdr.split(":")
    ips = [i for i, t in enumerate(toks) if t in ("ipv4", "ipv6")]
    last_ip = ips[-1] if ips else len(toks)
    if table == "eth":
        return max(0, toks.count("eth") - 1)
    tok = {"ip": "ipv4", "ipv6": "ipv6", "tcp": "tcp", "udp": "udp",
           "sctp": "sctp"}[table]
    return sum(1 for t in toks[:last_ip] if t == tok)


# D7: protocols that carry IP (or Ethernet) which tshark dissects and
# xdpflow, by design, does not decapsulate: the flow is the carrier's.
CARRIER_UDP_PORTS = {
    2152: "GTP-U", 5072: "AYIYA", 6635: "MPLS-in-UDP", 4790: "VXLAN-GPE",
}
CARRIER_IP_PROTOS = {47: "GRE payload xdpflow does not decode",
                     103: "PIM Register"}


def undecoded_carrier(f):
    """Name of the encapsulation tshark opens in this flow and xdpflow does
    not, or None."""
    if f.stat & FS_TUNNEL:
        return None
    if f.proto == 17:
        for port in (f.src_port, f.dst_port):
            if port in CARRIER_UDP_PORTS:
                return CARRIER_UDP_PORTS[port]
    return CARRIER_IP_PROTOS.get(f.proto)


class Report:
    def __init__(self):
        self.problems = []
        self.allowed = []       # (rule, text): differences a rule accepted

    def bad(self, table, text):
        self.problems.append("%s: %s" % (table, text))

    def ok_by(self, rule, table, text):
        self.allowed.append("%s %s: %s" % (rule, table, text))


def _spend(budget, table, n):
    if budget.get(table, 0) < n:
        return False
    budget[table] -= n
    return True


def compare_table(table, flows, rows, rep, tunnel_budget, carrier_budget):
    xg = group_flows(flows, table)
    tg = group_rows(rows, table)
    for key in sorted(set(xg) | set(tg), key=lambda k: sorted(map(str, k))):
        x = xg.get(key, Group())
        t = tg.get(key, TsGroup())
        eps = set(x.sides) | set(t.sides)
        for ep in sorted(eps, key=str):
            xs, ts = x.side(ep), t.side(ep)
            tsb = ts.bytes if ep in t.sides else Bytes(0, "bytes")
            same_frames = xs.frames == ts.frames
            same_bytes = bytes_agree(tsb, xs.bytes)
            if same_frames and same_bytes:
                continue
            what = ("%s sent: xdpflow %d frames %d bytes, tshark %d frames "
                    "%s" % (_fmt_ep(ep), xs.frames, xs.bytes, ts.frames, tsb))
            # D4: fragments join their flow; tshark's L4 tap sees only the
            # reassembled datagram (one frame: the last fragment).
            if (table in L4_TABLES and x.stat & FS_FRAG and
                    xs.frames > ts.frames and
                    (tsb is None or not tsb.exact or xs.bytes > tsb.value)):
                rep.ok_by("D4", table, what)
                continue
            # D5: tshark also counts the outer headers of tunnels.
            # D7: tshark counts the inner headers of carriers xdpflow does
            # not open.
            excess = ts.frames - xs.frames
            if excess > 0 and _spend(tunnel_budget, table, excess):
                rep.ok_by("D5", table, what)
                continue
            if excess > 0 and _spend(carrier_budget, table, excess):
                rep.ok_by("D7", table, what)
                continue
            rep.bad(table, what + _why(x, t))


def _fmt_ep(ep):
    if isinstance(ep, tuple):
        return "%s:%d" % ep
    return ep


def _why(x, t):
    fl = "; ".join(repr(f) for f in x.flows[:3])
    rows = "; ".join("%s<->%s" % (r["a"], r["b"]) for r in t.flows[:3])
    return " [xdpflow: %s] [tshark rows: %s]" % (fl or "none",
                                                 rows or "none")


def compare(flows, tables, encap):
    """All checks for one capture; returns a Report."""
    rep = Report()
    budget = {}
    for f in flows:
        if f.stat & FS_TUNNEL:
            for t in ("eth", "ip", "ipv6", "tcp", "udp", "sctp"):
                budget[t] = budget.get(t, 0) + \
                    (f.pkts_ab + f.pkts_ba) * outer_layers(f.hdr, t)
    carriers = {}
    for f in flows:
        if undecoded_carrier(f):
            for t in ("eth", "ip", "ipv6", "tcp", "udp", "sctp"):
                carriers[t] = carriers.get(t, 0) + f.pkts_ab + f.pkts_ba
    for table in ("tcp", "udp", "sctp", "ip", "ipv6"):
        compare_table(table, flows, tables[table], rep, budget, carriers)
    if encap == "ether":
        compare_table("eth", flows, tables["eth"], rep, budget, carriers)
    return rep
