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

from tshark_conv import split_endpoint

FS_L2 = 0x100
FS_IPV4 = 0x200
FS_IPV6 = 0x400
FS_TUNNEL = 0x4000
FS_FRAG = 0x8000
FS_IP_OPTIONS = 0x20000
FS_SNAPPED = 0x40000
FS_HDR_TRUNC = 0x80000
FS_MALFORMED = 0x100000
FS_HDR_CHANGE = 0x1000000
FS_L2_TRAILER = 0x2000000

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
    """Same shape for tshark's conversation rows."""

    def add_row(self, a, b, row):
        for ep, fr, by in ((a, row["tx_frames"], row["tx_bytes"]),
                           (b, row["rx_frames"], row["rx_bytes"])):
            s = self.sides.get(ep)
            if s is None:
                self.sides[ep] = Side(fr, by)
                continue
            s.frames += fr
            s.bytes += by
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


def tunnel_outer_layers(f, table):
    """outer_layers() of a tunnelled flow; a flow whose first packet was not
    tunnelled (flowStat 0x1000000, header description changed) may have one
    outer layer of each kind on any packet."""
    n = outer_layers(f.hdr, table)
    if n == 0 and f.stat & FS_HDR_CHANGE:
        return 1
    return n


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
# GTP-U, AYIYA and GRE in UDP are decapsulated (D5) except in an outer IP
# fragment (tshark reassembles) or when the inner IP header is refused.
CARRIER_UDP_PORTS = {
    2152: "GTP-U", 5072: "AYIYA", 6635: "MPLS-in-UDP", 4790: "VXLAN-GPE",
    3386: "GTP' (charging data records quoting packets)",
    4754: "GRE in UDP", 6343: "sFlow (sampled packet headers)",
}
CARRIER_TCP_PORTS = {6633: "OpenFlow (packet-in/out)",
                     6653: "OpenFlow (packet-in/out)"}
CARRIER_IP_PROTOS = {47: "GRE payload xdpflow does not decode",
                     103: "PIM Register",
                     143: "Ethernet in IPv6 (SRv6 End.DX2)"}
# L2 flows (flowStat 0x100) whose ethertype carries frames or IP that
# tshark dissects and xdpflow's parser does not (D7).
CARRIER_ETHERTYPES = {
    0x88e5: "MACsec", 0x88e7: "PBB (802.1ah)", 0x894f: "NSH",
    0x8926: "VN-Tag", 0xd28b: "Arista timestamp", 0x8903: "FabricPath",
}
# Cisco ISL: tshark dissects the ISL header and the frame inside it (D7).
ISL_MACS = ("01:00:0c:00:00:00", "03:00:0c:00:00:00")
# hdrDesc tokens of tunnels xdpflow opens; a flow that shows one without
# flowStat 0x4000 carried a payload that was not IP (ARP in VXLAN, ...),
# which tshark dissects as inner Ethernet conversations (D7).
TUNNEL_TOKENS = ("vxlan", "geneve", "gre", "erspan", "teredo", "gtp", "ayiya")
MAX_TUNNELS = 2         # XF_MAX_TUNNELS in include/xdpflow/abi.h
# What a flow decapsulated MAX_TUNNELS times may still carry (D7).
DEEPER_UDP_PORTS = {4789: "VXLAN", 6081: "Geneve", 3544: "Teredo"}
DEEPER_IP_PROTOS = {4: "IP in IP", 41: "IPv6 in IP", 47: "GRE"}


def undecoded_carrier(f):
    """Name of the encapsulation tshark opens in this flow and xdpflow does
    not, or None."""
    if f.stat & FS_TUNNEL:
        if f.stat & FS_HDR_CHANGE:
            return None
        toks = _tokens(f)
        depth = toks.count("ipv4") + toks.count("ipv6") - 1
        if depth < MAX_TUNNELS:
            return None
        if f.proto == 17:
            for port in (f.src_port, f.dst_port):
                if port in DEEPER_UDP_PORTS:
                    return DEEPER_UDP_PORTS[port] + " deeper than xdpflow opens"
        if f.proto in DEEPER_IP_PROTOS:
            return DEEPER_IP_PROTOS[f.proto] + " deeper than xdpflow opens"
        return None
    if f.stat & FS_L2 and f.dst_mac in ISL_MACS:
        return "Cisco ISL"
    if f.stat & FS_L2:
        try:
            return CARRIER_ETHERTYPES.get(int(f.eth_type, 16))
        except ValueError:
            return None
    ports = (f.src_port, f.dst_port)
    if f.proto == 17:
        for port in ports:
            if port in CARRIER_UDP_PORTS:
                return CARRIER_UDP_PORTS[port]
    if f.proto == 6:
        for port in ports:
            if port in CARRIER_TCP_PORTS:
                return CARRIER_TCP_PORTS[port]
    toks = _tokens(f)
    for t in TUNNEL_TOKENS:
        if t in toks:
            return "%s with a payload that is not IP" % t
    return CARRIER_IP_PROTOS.get(f.proto)


IP6_EXT_TOKENS = ("hopopt", "route", "dstopt", "mh", "ah")
SUPER_FRAME = 65599     # no IP length field describes a longer frame (D12)


def _tokens(f):
    return f.hdr.split(":")


def _max_size(f):
    sizes = [f.a_line.get("maxPktSz", "0")]
    if f.b_line is not None:
        sizes.append(f.b_line.get("maxPktSz", "0"))
    return max(int(v or 0) for v in sizes)


def header_unread(f, table):
    """D8: this flow's packets carry a header of the table's layer that the
    capture cut or that is impossible, so tshark's dissector throws before
    it taps that layer."""
    if not f.stat & (FS_HDR_TRUNC | FS_MALFORMED):
        return False
    if table in L4_TABLES:
        return f.src_port == 0 and f.dst_port == 0
    return table in ("ip", "ipv6")


def ip6_chain_untapped(f, table):
    """D11: an IPv6 flow with extension headers: tshark taps ipv6 (and the
    L4 above it) only after the whole chain dissected without an exception."""
    if table not in L4_TABLES and table != "ipv6":
        return False
    return bool(f.stat & FS_IPV6) and \
        any(t in IP6_EXT_TOKENS for t in _tokens(f))


def super_frame(f, table):
    """D12: BIG TCP / TSO super-frames (longer than any IP length field can
    describe, fully captured): tshark takes IPv6 payload length 0 and UDP
    length 0 as written, so it taps no L4 and opens no tunnel in them."""
    return _max_size(f) > SUPER_FRAME and not f.stat & FS_SNAPPED


HDR_BYTES = {"eth": 14, "vlan": 4, "ipv4": 20, "ipv6": 40}


def sctp_without_chunks(f, table):
    """D13: tshark taps an SCTP conversation only from a packet's chunks; a
    bare 12-byte common header adds to no SCTP conversation.  A flow
    qualifies when no frame of it can hold a chunk: each is exactly link +
    IP (no options) + 12 bytes, or a minimum-size Ethernet frame padded
    (flowStat 0x2000000) that leaves room for no chunk of 16 bytes or
    more."""
    if table != "sctp" or f.proto != 132 or f.stat & FS_IP_OPTIONS:
        return False
    toks = _tokens(f)
    if "sctp" not in toks:
        return False
    toks = toks[:toks.index("sctp")]
    if any(t not in HDR_BYTES for t in toks):
        return False
    bare = sum(HDR_BYTES[t] for t in toks) + 12
    size = _max_size(f)
    return size == bare or (size == 60 and bare + 16 > 60 and
                            f.stat & FS_L2_TRAILER)


# (rule, predicate(flow, table)): xdpflow may count more frames than tshark
# in a group by at most the packets of the group's flows the predicate holds
# for.
EXCESS_RULES = (("D8", header_unread), ("D11", ip6_chain_untapped),
                ("D12", super_frame), ("D13", sctp_without_chunks))


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


def _excess_rule(table, x, excess):
    """The EXCESS_RULES rule that explains xdpflow counting `excess` more
    frames than tshark in group x, or None."""
    for rule, pred in EXCESS_RULES:
        n = sum(f.pkts_ab + f.pkts_ba for f in x.flows if pred(f, table))
        if n >= excess:
            return rule
    return None


def unread_ports_budget(flows, table):
    """D8, other side: xdpflow keeps a datagram whose L4 header it could not
    read (cut in the first fragment, ...) under ports 0; tshark reassembles
    or reads further and counts it under the real ports.  Budget per
    {ipA, ipB}: packets of such flows."""
    budget = {}
    for f in flows:
        if table in L4_TABLES and f.proto == L4_TABLES[table] and \
                header_unread(f, table):
            k = _key(norm_ip(f.src_ip), norm_ip(f.dst_ip))
            budget[k] = budget.get(k, 0) + f.pkts_ab + f.pkts_ba
        if table == "ipv6" and f.stat & FS_L2 and f.stat & FS_MALFORMED \
                and f.eth_type.lower() == "0x0800":
            budget["v6-in-v4"] = budget.get("v6-in-v4", 0) + \
                f.pkts_ab + f.pkts_ba
    return budget


def compare_table(table, flows, rows, rep, tunnel_budget, carrier_budget):
    xg = group_flows(flows, table)
    tg = group_rows(rows, table)
    diffs = []
    for key in sorted(set(xg) | set(tg), key=lambda k: sorted(map(str, k))):
        x = xg.get(key, Group())
        t = tg.get(key, TsGroup())
        eps = set(x.sides) | set(t.sides)
        for ep in sorted(eps, key=str):
            xs, ts = x.side(ep), t.side(ep)
            tsb = ts.bytes if ep in t.sides else 0
            if xs.frames == ts.frames and tsb == xs.bytes:
                continue
            what = ("%s sent: xdpflow %d frames %d bytes, tshark %d frames "
                    "%d bytes" % (_fmt_ep(ep), xs.frames, xs.bytes, ts.frames, tsb))
            diffs.append((key, x, t, xs, ts, tsb, what))
    # D9, D10: the same frames under other keys (exact totals).
    settled = set()
    for i, rule in balanced_components(table, diffs, xg, tg):
        if rule:
            rep.ok_by(rule, table, diffs[i][6])
            settled.add(i)
    ports_budget = unread_ports_budget(flows, table)
    for i, (key, x, t, xs, ts, tsb, what) in enumerate(diffs):
        if i in settled:
            continue
        rule = _group_rule(table, key, x, xs, ts, tsb, ports_budget,
                           tunnel_budget, carrier_budget)
        if rule:
            rep.ok_by(rule, table, what)
        else:
            rep.bad(table, what + _why(x, t))


def _group_rule(table, key, x, xs, ts, tsb, ports_budget, tunnel_budget,
                carrier_budget):
    """The rule that explains one endpoint's difference, or None."""
    # D4: fragments join their flow; tshark's L4 tap sees only the
    # reassembled datagram (one frame: the last fragment).
    if ((table in L4_TABLES or table == "ipv6") and x.stat & FS_FRAG and
            xs.frames > ts.frames and
            xs.bytes > tsb):
        return "D4"
    # D8, D11, D12: tshark taps no conversation of this layer for some of
    # the group's frames.
    if xs.frames > ts.frames:
        rule = _excess_rule(table, x, xs.frames - ts.frames)
        if rule:
            return rule
    excess = ts.frames - xs.frames
    # D8, other side: tshark read the ports xdpflow could not.
    if excess > 0 and table in L4_TABLES:
        ips = sorted(a for a, _ in key)
        if _spend(ports_budget, _key(ips[0], ips[-1]), excess):
            return "D8"
    # D8, IPv6 behind ethertype IPv4: tshark's IPv4 dissector hands a
    # version-6 header to IPv6; xdpflow refuses it (an L2 flow).
    if excess > 0 and table == "ipv6" and \
            _spend(ports_budget, "v6-in-v4", excess):
        return "D8"
    # D5: tshark also counts the outer headers of tunnels.
    # D7: tshark counts the inner headers of carriers xdpflow does not open.
    if excess > 0 and _spend(tunnel_budget, table, excess):
        return "D5"
    if excess > 0 and _spend(carrier_budget, table, excess):
        return "D7"
    # a frame can carry both (a carrier inside a tunnel): both budgets
    if excess > 0 and tunnel_budget.get(table, 0) + \
            carrier_budget.get(table, 0) >= excess:
        used = min(tunnel_budget.get(table, 0), excess)
        tunnel_budget[table] -= used
        carrier_budget[table] -= excess - used
        return "D5+D7"
    return None


def _balances(keys, xg, tg, chain_slack=False):
    """Same frames and bytes in total
    over keys.  chain_slack (D10 with D11): tshark may have fewer frames,
    none of them counted elsewhere, when it did not finish an IPv6
    extension chain; then only the frames are compared."""
    fx = fb = ft = tb = 0
    for k in keys:
        x, t = xg.get(k, Group()), tg.get(k, TsGroup())
        for s in x.sides.values():
            fx += s.frames
            fb += s.bytes
        for s in t.sides.values():
            ft += s.frames
            tb += s.bytes
    if chain_slack and ft < fx:
        return ft > 0
    return fx == ft and fb == tb


def _component_rule(table, keys, xg):
    """The rule a balanced component of unexplained differences falls
    under, or None."""
    flows = [f for k in keys for f in xg.get(k, Group()).flows]
    if not flows:
        return None
    if table == "eth" and any(mac_changer(f) for f in flows):
        return "D9"
    if table in L4_TABLES and all(
            f.stat & FS_IPV6 and ("route" in _tokens(f) or
                                  "dstopt" in _tokens(f)) for f in flows):
        return "D10"
    return None


def mac_changer(f):
    """D9: a flow whose frames tshark may count under other MAC pairs than
    its first packet's: any IP flow (keyed on addresses, not MACs)."""
    return not f.stat & FS_L2


def balanced_components(table, diffs, xg, tg):
    """D9 / D10: differences whose groups share an endpoint are joined; a
    component whose frames and bytes add up to the same totals on both sides, and whose flows have the
    rule's property, is one set of frames that the two tools attribute to
    different keys.  Yields (index into diffs, rule) per settled diff."""
    parent = {}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    keys = []
    for d in diffs:
        if d[0] not in parent:
            parent[d[0]] = d[0]
            keys.append(d[0])
    by_ep = {}
    for k in keys:
        for ep in k:
            if ep in by_ep:
                parent[find(k)] = find(by_ep[ep])
            else:
                by_ep[ep] = k
    comps = {}
    for k in keys:
        comps.setdefault(find(k), []).append(k)
    rules = {}
    for root, comp in comps.items():
        if _balances(comp, xg, tg, table == "ipv6" or table in L4_TABLES):
            rules[root] = _component_rule(table, comp, xg)
    if table == "eth":
        # D9 across components: a tunnel's outer MACs share nothing with
        # the inner ones; all open eth differences together must balance.
        rest = [c for r, c in comps.items() if not rules.get(r)]
        keys = [k for c in rest for k in c]
        if len(rest) > 1 and _balances(keys, xg, tg) and \
                _component_rule(table, keys, xg):
            for r, c in comps.items():
                if not rules.get(r):
                    rules[r] = "D9"
    for i, d in enumerate(diffs):
        rule = rules.get(find(d[0]))
        if rule:
            yield i, rule


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
                    (f.pkts_ab + f.pkts_ba) * tunnel_outer_layers(f, t)
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
