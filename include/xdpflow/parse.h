/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * parse.h - the packet parser shared by the XDP program and the libpcap
 * engine.  Header-only, static inline, every read bounds-checked against
 * data_end the way the BPF verifier wants; loop depths are compile-time
 * constants.
 *
 *   int xf_parse(const void *data, const void *data_end, __u32 frame_len,
 *                __u32 linktype, const struct xf_cfg *cfg, struct xf_pkt *p);
 *
 * Fills *p (zeroing it first; the engine sets wire_len/cap_len afterwards)
 * and returns enum xf_parse_reason, also stored in p->reason.  Link types are
 * pcap DLT numbers (XF_DLT_*).  data..data_end is what can be read;
 * frame_len is how many bytes of the frame were captured, which is more
 * when the reader sees only the frame's first part (an XDP multi-buffer
 * frame, a TC skb with paged data, a frame cut to what BPF_PROG_RUN takes):
 * "cut by the capture", "trailer follows" and a length field of 0 are
 * decided against frame_len, reads against data_end.  Offline both are the
 * same.  Passing the length also spares the BPF side finding it out by a
 * search of pointer comparisons (the verifier forbids data_end - data).  Whatever could be parsed before a truncation
 * stays valid: a TCP segment cut inside its header keeps its addresses and
 * l4_proto and is reported TRUNCATED without XF_PS_HAS_L4.
 *
 * Verifier rules kept throughout:
 * - every read goes through xf_at(), which bounds the offset with a compare
 *   and a mask before adding it to the packet pointer and checks the whole
 *   read against data_end right there;
 * - loops have constant bounds (XF_*_DEPTH / XF_*_ITER below);
 * - no globals, no function pointers, everything __always_inline;
 * - pointer subtraction involving data_end is never used (the verifier
 *   forbids arithmetic on it): how much was captured is the caller's
 *   frame_len.
 *
 * Decisions:
 * - Lengths come from headers (IPv4 total length, IPv6 payload length), never
 *   from the capture, so Ethernet padding is never payload.  One exception,
 *   as in tcpdump and Wireshark: a length field of 0 (IPv4 total length 0 from
 *   TSO / BIG TCP super-frames captured on the sender; IPv6 payload length 0
 *   of BIG TCP and jumbograms, unless the next header is "no next header")
 *   means "the rest of the frame" (l3_len/l4_len saturate at 0xffff).
 * - A carrier's own payload length bounds the IP datagram in it, as in
 *   Wireshark: PPPoE (its length, 0 = no bound) and GTP-U (its length).  An IP
 *   length past it is cut there and flagged SNAPPED; the bytes after it
 *   (Ethernet padding) are never payload.
 * - An IP header the outermost layer cannot accept (bad version, header or
 *   total length impossible, cut before its fixed part ends), or a VLAN tag,
 *   MPLS label stack or PPPoE header cut by the capture, leaves the frame an
 *   L2 flow (MACs + ethertype, XF_PS_L2_ONLY) with reason MALFORMED or
 *   TRUNCATED, so the frame is still metered in a flow, not dropped.
 * - LINKTYPE_RAW and LINKTYPE_IPV4 are dispatched on the version nibble (an
 *   IPv6 packet in LINKTYPE_IPV4 is IPv6, as in Wireshark); LINKTYPE_IPV6
 *   takes IPv6 only (Wireshark calls version 4 there bogus).
 * - ICMP/ICMPv6 echo request/reply: sport = dport = identifier (so a ping
 *   session is one flow per identifier) and XF_PS_ICMP_ECHO; other ICMP types
 *   have ports 0.
 * - IPv4 and IPv6 later fragments (offset != 0): no L4; l4_off/l4_len cover
 *   the fragment's payload and l7 is the same range (it is all data).
 * - Tunnels (cfg->decap_tunnels): the innermost headers win.  GRE, IP-in-IP
 *   and, on their UDP ports (0 = off), VXLAN, Geneve, Teredo, GTP-U (G-PDU
 *   only), GRE in UDP (destination port) and AYIYA (forward only).  The
 *   tunnel's own token (gre, vxlan, gtp, ...) is appended when the tunnel
 *   header is read.
 *   If the inner packet does not yield an IP header (truncated, garbage, or
 *   a non-IP frame such as ARP inside VXLAN), the outer result is restored
 *   (addresses, ports, L2 fields, hdr[] up to and including the tunnel token)
 *   and the reason is the outer one (OK): the packet still belongs to the
 *   outer UDP/GRE flow, which is what a monitor without decapsulation would
 *   have keyed it on.  Once the inner IP header is accepted, a later
 *   truncation inside the inner packet is reported as TRUNCATED.  An IP
 *   fragment is never decapsulated (its later fragments carry no tunnel
 *   header and could only join the outer flow).
 * - 802.3 length frames (type < 0x600) are L2 flows with ethertype 0, unless
 *   LLC/SNAP (OUI 0) carries IPv4 or IPv6, which is parsed on.
 */
#ifndef XDPFLOW_PARSE_H
#define XDPFLOW_PARSE_H

#include "compat.h"
#include "abi.h"

#define XF_DLT_NULL       0
#define XF_DLT_EN10MB     1
#define XF_DLT_RAW        12    /* some platforms: 14 */
#define XF_DLT_RAW_ALT    14
#define XF_DLT_LOOP       108
#define XF_DLT_RAW101     101   /* LINKTYPE_RAW */
#define XF_DLT_LINUX_SLL  113
#define XF_DLT_IPV4       228
#define XF_DLT_IPV6       229
#define XF_DLT_LINUX_SLL2 276

/* loop bounds: constants, so the verifier sees every loop end */
#define XF_OFF_MASK        0x3fff  /* headers are followed up to 16 KiB into a frame */
#ifndef XF_VLAN_DEPTH
#define XF_VLAN_DEPTH      4       /* VLAN tags walked (XF_MAX_VLANS recorded) */
#endif
#ifndef XF_MPLS_DEPTH
#define XF_MPLS_DEPTH      8       /* MPLS labels walked */
#endif
#ifndef XF_IP6_EXT_DEPTH
#define XF_IP6_EXT_DEPTH   8       /* IPv6 extension headers walked */
#endif
#ifndef XF_IPOPT_ITER
#define XF_IPOPT_ITER      10      /* IPv4 options counted */
#endif
#ifndef XF_TCPOPT_ITER
#define XF_TCPOPT_ITER     16      /* TCP options walked (40 bytes of NOPs stop early) */
#endif
#ifndef XF_GTP_EXT_DEPTH
#define XF_GTP_EXT_DEPTH   4       /* GTP-U extension headers walked */
#endif

_Static_assert((XF_MAX_HDRS & (XF_MAX_HDRS - 1)) == 0, "XF_MAX_HDRS is used as a mask");
_Static_assert((XF_MAX_VLANS & (XF_MAX_VLANS - 1)) == 0, "XF_MAX_VLANS is used as a mask");

#define XF_ETH_P_IPV4      0x0800
#define XF_ETH_P_ARP       0x0806
#define XF_ETH_P_TEB       0x6558  /* transparent Ethernet bridging */
#define XF_ETH_P_8021Q     0x8100
#define XF_ETH_P_8021AD    0x88a8
#define XF_ETH_P_QINQ_OLD  0x9100
#define XF_ETH_P_IPV6      0x86dd
#define XF_ETH_P_MPLS_UC   0x8847
#define XF_ETH_P_MPLS_MC   0x8848
#define XF_ETH_P_PPPOE_D   0x8863
#define XF_ETH_P_PPPOE_S   0x8864
#define XF_ETH_P_PPP       0x880b  /* PPTP enhanced GRE payload */
#define XF_ETH_P_ERSPAN2   0x88be
#define XF_ETH_P_ERSPAN3   0x22eb
#define XF_ETH_P_PBB       0x88e7  /* 802.1ah backbone: I-TAG + customer frame */
#define XF_ETH_P_WCCP      0x883e  /* GRE payload: WCCP redirect */
#define XF_ETH_P_ARUBA     0x8200  /* GRE payload: Aruba WLAN (802.11), 0x8200..0x8370 */
#define XF_ETH_P_ARUBA_9K  0x9000  /* the other Aruba WLAN GRE protocol */

#define XF_PPP_IPV4        0x0021
#define XF_PPP_IPV6        0x0057

/* what the next header is, as the cursor moves inwards */
enum xf_next {
	XF_NX_STOP = 0,         /* nothing more to parse (L2 flow, or L4 done) */
	XF_NX_ETH,              /* an Ethernet frame (tunnel payload) */
	XF_NX_PPP,              /* a PPP frame (PPTP GRE payload) */
	XF_NX_IPV4,
	XF_NX_IPV6,
	XF_NX_GRE,              /* GRE in UDP: a GRE header at c->off (xf_l4()) */
	XF_NX_WLAN,             /* an 802.11 frame (Aruba GRE payload) */
};

#define XF_CAP_MAX 0x3ffff /* frame lengths are capped here (256 KiB) */

/* the parse cursor */
struct xf_pc {
	const __u8 *data;
	const __u8 *end;
	const struct xf_cfg *cfg;
	struct xf_pkt *p;
	__u32 off;              /* offset of the next header from the frame start */
	__u32 no_l4;            /* the IP layer says no L4 header follows (later fragment) */
	__u32 frag_first;       /* the IP layer is a first fragment: no decapsulation */
	__u32 layer;            /* 0 = outermost, n = inside the n-th tunnel */
	__u32 l3_end;           /* where the carrier (PPPoE, GTP-U) says the next IP
				 * datagram ends at the latest; 0 = no such bound */
	__u32 z;                /* 0, unknown to the verifier: see xf_loosen() */
	__u32 cap;              /* frame_len, at most XF_CAP_MAX */
};

/* L2 fields of the outer packet, restored when a tunnel's payload is not IP */
struct xf_snap {
	__u8  smac[6];
	__u8  dmac[6];
	__u16 vlan[XF_MAX_VLANS];
	__u16 ethertype;
	__u8  nvlan;
	__u8  nhdr;
	__u32 status;
};

/* ------------------------------------------------------------ reading --- */

/* A pointer to len bytes at off, or NULL if the frame does not hold them. */
static __always_inline const __u8 *xf_at(const struct xf_pc *c, __u32 off, __u32 len)
{
	const __u8 *h;

	if (off > XF_OFF_MASK)
		return 0;
	h = c->data + (off & XF_OFF_MASK);
	if (h + len > c->end)
		return 0;
	return h;
}

static __always_inline __u16 xf_rd16(const __u8 *b)
{
	return (__u16)((__u16)b[0] << 8 | b[1]);
}

static __always_inline __u32 xf_rd32(const __u8 *b)
{
	return (__u32)b[0] << 24 | (__u32)b[1] << 16 | (__u32)b[2] << 8 | b[3];
}

/* Hides a value's origin from the optimiser: clang would otherwise turn an
 * aligned stack address + small index into an OR, which the verifier
 * rejects as pointer arithmetic. */
#define xf_opaque(x) __asm__ volatile("" : "+r"(x))

/*
 * Verifier state pruning.  Header stacks of different depths (VLAN tags,
 * MPLS labels, extension headers, option lists) reach the same code with
 * different exact offsets and counts, and the verifier would walk everything
 * after them once per combination.  xf_loosen() returns x unchanged at run
 * time (x ^ 0, and x <= m at every call site) while the verifier, which
 * cannot see that c->z is zero, only knows "some value in [0, m]": the
 * states become equal and are pruned.  c->z comes from an XOR of a register
 * with itself behind an asm barrier; in userspace it is a plain 0.
 */
static __always_inline __u32 xf_loosen(const struct xf_pc *c, __u32 x, __u32 m)
{
	return (x ^ c->z) & m;
}

static __always_inline void xf_loosen_off(struct xf_pc *c)
{
	c->off = xf_loosen(c, c->off, 0x7fff);  /* offsets stay below 0x3fff + 2 KiB */
}

static __always_inline void xf_hdr_add(struct xf_pc *c, __u8 h)
{
	struct xf_pkt *p = c->p;
	__u8 *slot = p->hdr;
	__u32 n = xf_loosen(c, p->nhdr, 0x1f);

	if (n < XF_MAX_HDRS) {
		xf_opaque(slot);
		slot[n & (XF_MAX_HDRS - 1)] = h;
		p->nhdr = n + 1;
	}
}

static __always_inline __u32 xf_clamp_sub(__u32 a, __u32 b)
{
	return a > b ? a - b : 0;
}

/* Marks a datagram ending at end_off as cut by the capture, or followed by
 * trailer bytes (Ethernet padding, FCS, ...), against the frame's captured
 * length (not the part the reader sees).  Ends past 128 KiB count as cut. */
static __always_inline void xf_len_check(struct xf_pc *c, __u32 end_off)
{
	if (end_off > 0x1ffff || end_off > c->cap)
		c->p->status |= XF_PS_SNAPPED;
	else if (end_off < c->cap)
		c->p->status |= XF_PS_L2_TRAILER;
}

/* ------------------------------------------------------------- layer 2 --- */

/* A non-IP frame: keyed on MACs + ethertype when L2 flows are on. */
static __always_inline int xf_l2_flow(struct xf_pc *c, __u8 hdr, __u16 type)
{
	struct xf_pkt *p = c->p;

	if (hdr)
		xf_hdr_add(c, hdr);
	p->ethertype = type;
	p->status |= XF_PS_L2_ONLY;
	if (!c->layer) {        /* a tunnel's L2 payload is dropped for the outer result */
		__builtin_memcpy(p->src, p->smac, 6);
		__builtin_memcpy(p->dst, p->dmac, 6);
	}
	return XF_PR_OK;
}

static __always_inline int xf_ip_nibble(struct xf_pc *c, int *nx)
{
	const __u8 *h = xf_at(c, c->off, 1);

	if (!h)
		return XF_PR_TRUNCATED;
	if ((h[0] >> 4) == 4)
		*nx = XF_NX_IPV4;
	else if ((h[0] >> 4) == 6)
		*nx = XF_NX_IPV6;
	else
		return XF_PR_MALFORMED;
	return XF_PR_OK;
}

/* MPLS label stack (bounded), then IPv4/IPv6 by the first nibble. */
static __always_inline int xf_mpls(struct xf_pc *c, __u16 type, int *nx)
{
	const __u8 *h;
	int i, bos = 0;

	c->p->status |= XF_PS_MPLS;
	for (i = 0; i < XF_MPLS_DEPTH; i++) {
		xf_loosen_off(c);
		h = xf_at(c, c->off, 4);
		if (!h) {                       /* cut in the stack: still an L2 flow */
			xf_l2_flow(c, 0, type);
			return XF_PR_TRUNCATED;
		}
		xf_hdr_add(c, XF_H_MPLS);
		c->off += 4;
		if (h[2] & 1) {
			bos = 1;
			break;
		}
	}
	h = xf_at(c, c->off, 1);
	if (bos && !h) {
		xf_l2_flow(c, 0, type);
		return XF_PR_TRUNCATED;
	}
	if (bos && (h[0] >> 4) == 4) {
		*nx = XF_NX_IPV4;
		return XF_PR_OK;
	}
	if (bos && (h[0] >> 4) == 6) {
		*nx = XF_NX_IPV6;
		return XF_PR_OK;
	}
	/* deeper stack, pseudowire control word, Ethernet over MPLS: L2 */
	xf_l2_flow(c, 0, type);
	return XF_PR_UNSUPPORTED;
}

/* PPP protocol field (after PPPoE, or in PPTP GRE with address/control). */
static __always_inline int xf_ppp(struct xf_pc *c, int *nx)
{
	const __u8 *h = xf_at(c, c->off, 2);
	__u16 proto;

	if (!h)
		return XF_PR_TRUNCATED;
	if (h[0] == 0xff && h[1] == 0x03) {     /* address + control */
		c->off += 2;
		h = xf_at(c, c->off, 2);
		if (!h)
			return XF_PR_TRUNCATED;
	}
	xf_hdr_add(c, XF_H_PPP);
	if (h[0] & 1) {                         /* compressed 1-byte protocol */
		proto = h[0];
		c->off += 1;
	} else {
		proto = xf_rd16(h);
		c->off += 2;
	}
	if (proto == XF_PPP_IPV4)
		*nx = XF_NX_IPV4;
	else if (proto == XF_PPP_IPV6)
		*nx = XF_NX_IPV6;
	return XF_PR_OK;
}

/* PPPoE session: its payload length (PPP protocol field included) bounds
 * the datagram, as in Wireshark; 0 sets no bound. */
static __always_inline int xf_pppoe(struct xf_pc *c, int *nx)
{
	const __u8 *h = xf_at(c, c->off, 6);
	__u32 len;

	if (!h) {                               /* cut: still an L2 flow */
		xf_l2_flow(c, 0, XF_ETH_P_PPPOE_S);
		return XF_PR_TRUNCATED;
	}
	xf_hdr_add(c, XF_H_PPPOE);
	c->p->status |= XF_PS_PPPOE;
	len = xf_rd16(h + 4);
	c->off += 6;
	if (len)
		c->l3_end = c->off + len;
	if (xf_ppp(c, nx) == XF_PR_TRUNCATED) {
		xf_l2_flow(c, 0, XF_ETH_P_PPPOE_S);
		return XF_PR_TRUNCATED;
	}
	if (*nx == XF_NX_STOP)                  /* LCP, IPCP, ...: an L2 flow */
		xf_l2_flow(c, 0, XF_ETH_P_PPPOE_S);
	return XF_PR_OK;
}

/* 802.2 LLC.  SNAP with OUI 0 (RFC 1042) carries an ethertype: IP in it is
 * parsed on (as tcpdump and Wireshark do); anything else is an L2 flow. */
static __always_inline int xf_llc(struct xf_pc *c, int *nx)
{
	const __u8 *h = xf_at(c, c->off, 8);
	__u16 type;

	if (!h || h[0] != 0xaa || h[1] != 0xaa || h[2] != 0x03 || h[3] || h[4] || h[5])
		return xf_l2_flow(c, XF_H_LLC, 0);
	type = xf_rd16(h + 6);
	if (type != XF_ETH_P_IPV4 && type != XF_ETH_P_IPV6)
		return xf_l2_flow(c, XF_H_LLC, 0);
	xf_hdr_add(c, XF_H_LLC);
	c->off += 8;
	c->p->ethertype = type;
	*nx = type == XF_ETH_P_IPV4 ? XF_NX_IPV4 : XF_NX_IPV6;
	return XF_PR_OK;
}

static __always_inline int xf_is_vlan(__u16 type)
{
	return type == XF_ETH_P_8021Q || type == XF_ETH_P_8021AD || type == XF_ETH_P_QINQ_OLD;
}

/* Records a VLAN tag by its TCI (the first XF_MAX_VLANS IDs are kept). */
static __always_inline void xf_vlan_tag(struct xf_pc *c, __u16 tci)
{
	struct xf_pkt *p = c->p;
	__u32 nv;

	xf_hdr_add(c, XF_H_VLAN);
	p->status |= XF_PS_VLAN;
	nv = xf_loosen(c, p->nvlan, 0x7);
	if (nv < XF_MAX_VLANS) {
		__u16 *slot = p->vlan;

		xf_opaque(slot);
		slot[nv & (XF_MAX_VLANS - 1)] = tci & 0x0fff;
		p->nvlan = nv + 1;
	}
}

/* Whether an 802.1ah customer frame whose ethertype is at h[16] is IP,
 * behind up to two customer VLAN tags (h holds 26 bytes). */
static __always_inline int xf_pbb_is_ip(const __u8 *h)
{
	__u16 type = xf_rd16(h + 16);

	if (xf_is_vlan(type))
		type = xf_rd16(h + 20);
	if (xf_is_vlan(type))
		type = xf_rd16(h + 24);
	return type == XF_ETH_P_IPV4 || type == XF_ETH_P_IPV6;
}

/*
 * 802.1ah Provider Backbone Bridging (MAC-in-MAC), met in the tag loop of
 * xf_ethertype(): I-TAG (flags + I-SID, 4 bytes), the customer destination
 * and source MACs, the customer ethertype; customer VLAN tags (up to two)
 * are then read by the loop's next rounds.  Decoded (with decap_tunnels)
 * only when the customer frame is IP, which is then keyed like any
 * Ethernet frame: on the customer MACs, as the inner Ethernet header of
 * VXLAN or GRE TEB gives its MACs, with the customer VLAN IDs after the
 * backbone's.  Anything else (ARP or a control protocol inside, a nested
 * I-TAG, a cut header) stays the backbone L2 flow (B-MACs, ethertype
 * 0x88e7) it is without decoding.  Backbone and customer tags share the
 * loop's XF_VLAN_DEPTH rounds; more is an over-tagged frame (an L2 flow, on
 * the customer MACs).  PBB is bridging, not an IP tunnel: no tunnel is
 * counted (XF_PS_TUNNEL) and there is no outer IP flow.
 * Returns the customer ethertype, or 0 when the frame is not decoded.
 */
static __always_inline __u16 xf_pbb(struct xf_pc *c)
{
	const __u8 *h = xf_at(c, c->off, 26);
	struct xf_pkt *p = c->p;

	if (!h)                         /* the shortest IP frame is longer */
		return 0;
	if (!xf_pbb_is_ip(h))
		return 0;
	xf_hdr_add(c, XF_H_PBB);
	__builtin_memcpy(p->dmac, h + 4, 6);
	__builtin_memcpy(p->smac, h + 10, 6);
	c->off += 18;
	return xf_rd16(h + 16);
}

/* After an Ethernet/SLL header: VLAN tags, then what the ethertype says. */
static __always_inline int xf_ethertype(struct xf_pc *c, __u16 type, int *nx)
{
	struct xf_pkt *p = c->p;
	const __u8 *h;
	__u16 ctype;
	int i;

	for (i = 0; i < XF_VLAN_DEPTH; i++) {
		if (!xf_is_vlan(type)) {
			if (type != XF_ETH_P_PBB || !c->cfg->decap_tunnels)
				break;
			xf_loosen_off(c);
			ctype = xf_pbb(c);
			if (!ctype)
				break;
			type = ctype;
			continue;
		}
		xf_loosen_off(c);
		h = xf_at(c, c->off, 4);
		if (!h) {                       /* cut in a tag: still an L2 flow */
			xf_l2_flow(c, 0, type);
			return XF_PR_TRUNCATED;
		}
		xf_vlan_tag(c, xf_rd16(h));
		type = xf_rd16(h + 2);
		c->off += 4;
	}
	p->ethertype = type;
	if (type == XF_ETH_P_IPV4)
		*nx = XF_NX_IPV4;
	else if (type == XF_ETH_P_IPV6)
		*nx = XF_NX_IPV6;
	else if (type == XF_ETH_P_MPLS_UC || type == XF_ETH_P_MPLS_MC)
		return xf_mpls(c, type, nx);
	else if (type == XF_ETH_P_PPPOE_S)
		return xf_pppoe(c, nx);
	else if (type == XF_ETH_P_ARP)
		return xf_l2_flow(c, XF_H_ARP, type);
	else if (type < 0x600)                  /* 802.3 length: LLC follows */
		return xf_llc(c, nx);
	else                                    /* too many tags lands here too */
		return xf_l2_flow(c, XF_H_ETHTYPE, type);
	return XF_PR_OK;
}

static __always_inline int xf_eth(struct xf_pc *c, int *nx)
{
	const __u8 *h = xf_at(c, c->off, 14);
	struct xf_pkt *p = c->p;

	if (!h)
		return XF_PR_TRUNCATED;
	xf_hdr_add(c, XF_H_ETH);
	__builtin_memcpy(p->dmac, h, 6);
	__builtin_memcpy(p->smac, h + 6, 6);
	c->off += 14;
	return xf_ethertype(c, xf_rd16(h + 12), nx);
}

/* Linux cooked v1: type(2) hatype(2) alen(2) addr(8) protocol(2) */
static __always_inline int xf_sll(struct xf_pc *c, int *nx)
{
	const __u8 *h = xf_at(c, c->off, 16);
	__u16 proto;

	if (!h)
		return XF_PR_TRUNCATED;
	xf_hdr_add(c, XF_H_SLL);
	if (xf_rd16(h + 4) == 6)
		__builtin_memcpy(c->p->smac, h + 6, 6);
	proto = xf_rd16(h + 14);
	c->off += 16;
	if (xf_rd16(h + 2) == 824)              /* ARPHRD_NETLINK: not a network frame */
		return XF_PR_UNSUPPORTED;
	if (proto == 0x0001 || proto == 0x0004) /* Novell 802.3 / 802.2 LLC */
		return xf_l2_flow(c, XF_H_LLC, 0);
	return xf_ethertype(c, proto, nx);
}

/* Linux cooked v2: protocol(2) rsvd(2) ifindex(4) hatype(2) type(1) alen(1) addr(8) */
static __always_inline int xf_sll2(struct xf_pc *c, int *nx)
{
	const __u8 *h = xf_at(c, c->off, 20);
	__u16 proto;

	if (!h)
		return XF_PR_TRUNCATED;
	xf_hdr_add(c, XF_H_SLL2);
	if (h[11] == 6)
		__builtin_memcpy(c->p->smac, h + 12, 6);
	proto = xf_rd16(h);
	c->off += 20;
	if (xf_rd16(h + 8) == 824)
		return XF_PR_UNSUPPORTED;
	if (proto == 0x0001 || proto == 0x0004)
		return xf_l2_flow(c, XF_H_LLC, 0);
	return xf_ethertype(c, proto, nx);
}

/* BSD null/loopback: a 4-byte address family in either byte order */
static __always_inline int xf_null(struct xf_pc *c, int *nx)
{
	const __u8 *h = xf_at(c, c->off, 4);
	__u32 fam;

	if (!h)
		return XF_PR_TRUNCATED;
	xf_hdr_add(c, XF_H_NULL);
	fam = (__u32)h[0] | (__u32)h[1] << 8 | (__u32)h[2] << 16 | (__u32)h[3] << 24;
	if (fam & 0xffff0000u)
		fam = xf_ntohl(fam);
	c->off += 4;
	if (fam == 2)
		*nx = XF_NX_IPV4;
	else if (fam == 24 || fam == 28 || fam == 30)
		*nx = XF_NX_IPV6;
	else
		return XF_PR_UNSUPPORTED;
	return XF_PR_OK;
}

/* Bytes captured from off to the end of the frame. */
static __always_inline __u32 xf_cap_after(const struct xf_pc *c, __u32 off)
{
	return xf_clamp_sub(c->cap, off);
}

static __always_inline int xf_link(struct xf_pc *c, __u32 linktype, int *nx)
{
	switch (linktype) {
	case XF_DLT_EN10MB:
		return xf_eth(c, nx);
	case XF_DLT_LINUX_SLL:
		return xf_sll(c, nx);
	case XF_DLT_LINUX_SLL2:
		return xf_sll2(c, nx);
	case XF_DLT_NULL:
	case XF_DLT_LOOP:
		return xf_null(c, nx);
	case XF_DLT_RAW:
	case XF_DLT_RAW_ALT:
	case XF_DLT_RAW101:
	case XF_DLT_IPV4:                       /* Wireshark hands version 6 on too */
		return xf_ip_nibble(c, nx);
	case XF_DLT_IPV6:
		*nx = XF_NX_IPV6;
		return XF_PR_OK;
	}
	return XF_PR_UNSUPPORTED;
}

/* ------------------------------------------------------------- layer 3 --- */

/* A new (possibly inner) IP header replaces what outer layers set. */
static __always_inline void xf_l3_begin(struct xf_pc *c, __u8 ver, __u8 hdr)
{
	struct xf_pkt *p = c->p;

	p->status &= ~(XF_PS_IPV4 | XF_PS_IPV6 | XF_PS_FRAG | XF_PS_FRAG_FIRST |
		       XF_PS_IP_OPTIONS | XF_PS_IP6_EXT | XF_PS_HAS_L4 | XF_PS_ICMP_ECHO);
	p->status |= ver == 4 ? XF_PS_IPV4 : XF_PS_IPV6;
	__builtin_memset(p->src, 0, sizeof(p->src));
	__builtin_memset(p->dst, 0, sizeof(p->dst));
	p->sport = 0;
	p->dport = 0;
	p->icmp_type = 0;
	p->icmp_code = 0;
	p->ip_flags = 0;
	p->ip_opt_cnt = 0;
	p->frag_off = 0;
	p->frag_id = 0;
	p->l7_off = 0;
	p->l7_len = 0;
	p->ip_ver = ver;
	p->ethertype = ver == 4 ? XF_ETH_P_IPV4 : XF_ETH_P_IPV6;
	p->l3_off = c->off;
	xf_hdr_add(c, hdr);
}

/* Counts IPv4 options (NOPs included, EOL ends the list). */
static __always_inline __u8 xf_ipv4_opt_count(struct xf_pc *c, __u32 hlen)
{
	const __u8 *b;
	__u32 o = 20;
	__u8 n = 0;
	int i;

	for (i = 0; i < XF_IPOPT_ITER; i++) {
		o = xf_loosen(c, o, 0x3f);
		if (o >= hlen)
			break;
		b = xf_at(c, c->off + o, 2);
		if (!b || b[0] == 0)            /* EOL; a lone last byte */
			break;
		n++;
		if (b[0] == 1) {
			o++;
			continue;
		}
		if (b[1] < 2)
			break;
		o += b[1];
	}
	return n;
}

/* The header checksum.  h holds the 20 fixed bytes, already bounds-checked:
 * the common header without options is summed from it directly, without a
 * bounds check per word. */
static __always_inline int xf_ipv4_csum_ok(struct xf_pc *c, const __u8 *h, __u32 hlen)
{
	const __u8 *w;
	__u32 sum = 0;
	int i;

	if (hlen == 20) {
		for (i = 0; i < 20; i += 2)
			sum += xf_rd16(h + i);
		hlen = 0;
	}
	for (i = 0; i < 30; i++) {
		if ((__u32)i * 2 >= hlen)
			break;
		w = xf_at(c, c->off + i * 2, 2);
		if (!w)
			return 1;               /* unreachable: hlen bytes were checked */
		sum += xf_rd16(w);
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

static __always_inline void xf_ipv4_frag(struct xf_pc *c, const __u8 *h)
{
	struct xf_pkt *p = c->p;
	__u16 fo = xf_rd16(h + 6);
	__u32 off = (__u32)(fo & 0x1fff) * 8;

	if (fo & 0x8000)
		p->ip_flags |= XF_IPF_RF;
	if (fo & 0x4000)
		p->ip_flags |= XF_IPF_DF;
	if (fo & 0x2000)
		p->ip_flags |= XF_IPF_MF;
	if (!(fo & 0x2000) && !off)
		return;
	p->status |= XF_PS_FRAG;
	p->frag_off = off;
	p->frag_id = p->ipid;
	if (off) {
		p->ip_flags |= XF_IPF_FRAG;
		c->no_l4 = 1;
	} else {
		p->status |= XF_PS_FRAG_FIRST;
		c->frag_first = 1;
	}
}

/*
 * An IP datagram's length bounded by its carrier's payload length (PPPoE,
 * GTP-U; c->l3_end, used once): an IP length that runs past it is cut there
 * and the packet flagged SNAPPED, since the bytes after the carrier's
 * payload (Ethernet padding) are not the datagram's.  Wireshark does the
 * same ("IPv4 total length exceeds packet length").  No local flag: the
 * 6.1 verifier's stack limit (512 bytes, frames rounded to 32) leaves the
 * parser's frame no room.
 */
static __always_inline __u32 xf_l3_bound(struct xf_pc *c, __u32 len)
{
	__u32 end = c->l3_end;

	c->l3_end = 0;
	if (!end || c->off + len <= end)
		return len;
	c->p->status |= XF_PS_SNAPPED;
	return xf_clamp_sub(end, c->off);
}

/* IPv4.  *committed is set once the fixed header is accepted. */
static __always_inline int xf_ipv4(struct xf_pc *c, int *committed)
{
	const __u8 *h = xf_at(c, c->off, 20);
	struct xf_pkt *p = c->p;
	__u32 hlen, tot;

	if (!h)
		return XF_PR_TRUNCATED;
	if ((h[0] >> 4) != 4)
		return XF_PR_MALFORMED;
	hlen = (__u32)(h[0] & 0x0f) * 4;
	tot = xf_rd16(h + 2);
	if (!tot && hlen >= 20) {               /* TSO / BIG TCP: the frame says */
		tot = xf_cap_after(c, c->off);
		if (tot < hlen)                 /* reported as TRUNCATED below */
			tot = hlen;
	}
	tot = xf_l3_bound(c, tot);
	tot = xf_loosen(c, tot, 0x3ffff);       /* one verifier state for both */
	if (hlen < 20 || tot < hlen)            /* also: the carrier ends in it */
		return XF_PR_MALFORMED;
	xf_l3_begin(c, 4, XF_H_IPV4);
	*committed = 1;
	__builtin_memcpy(p->src, h + 12, 4);
	__builtin_memcpy(p->dst, h + 16, 4);
	p->tos = h[1];
	p->ttl = h[8];
	p->ipid = xf_rd16(h + 4);
	p->l4_proto = h[9];
	p->l3_len = tot > 0xffff ? 0xffff : tot;
	xf_ipv4_frag(c, h);
	if (!xf_at(c, c->off, hlen))            /* options cut short */
		return XF_PR_TRUNCATED;
	if (hlen > 20) {
		p->status |= XF_PS_IP_OPTIONS;
		p->ip_opt_cnt = xf_ipv4_opt_count(c, hlen);
	}
	if (c->cfg->ipv4_csum && !xf_ipv4_csum_ok(c, h, hlen))
		p->status |= XF_PS_BAD_IPCSUM;
	xf_len_check(c, c->off + tot);
	c->off += hlen;
	p->l4_off = c->off;
	p->l4_len = tot - hlen > 0xffff ? 0xffff : tot - hlen;
	return XF_PR_OK;
}

static __always_inline __u8 xf_ip6_ext_hdr(__u8 nh)
{
	switch (nh) {
	case 0:   return XF_H_IP6_HOPOPT;
	case 43:  return XF_H_IP6_ROUTE;
	case 44:  return XF_H_IP6_FRAG;
	case 60:  return XF_H_IP6_DSTOPT;
	case 51:  return XF_H_AH;
	case 135: return XF_H_IP6_MH;
	}
	return XF_H_NONE;
}

/* The fragment extension header: 8 bytes, offset in bytes, 32-bit id. */
static __always_inline void xf_ip6_frag(struct xf_pc *c, const __u8 *b)
{
	struct xf_pkt *p = c->p;
	__u16 fo = xf_rd16(b + 2);

	p->frag_id = xf_rd32(b + 4);
	if (fo & 1)
		p->ip_flags |= XF_IPF_MF;
	if (!(fo & 0xfff9))             /* atomic fragment: offset 0, no M */
		return;
	p->status |= XF_PS_FRAG;
	p->frag_off = fo & 0xfff8;
	if (fo & 0xfff8) {
		p->ip_flags |= XF_IPF_FRAG;
		c->no_l4 = 1;
	} else {
		p->status |= XF_PS_FRAG_FIRST;
		c->frag_first = 1;
	}
}

/* The extension header chain; c->off ends on the L4 header. */
static __always_inline int xf_ip6_ext(struct xf_pc *c, __u8 *nhp)
{
	struct xf_pkt *p = c->p;
	const __u8 *b;
	__u8 nh = *nhp, code;
	int i;

	for (i = 0; i < XF_IP6_EXT_DEPTH; i++) {
		xf_loosen_off(c);
		code = xf_ip6_ext_hdr(nh);
		if (code == XF_H_NONE)
			break;
		b = xf_at(c, c->off, 8);        /* every extension header is >= 8 bytes */
		if (!b) {
			*nhp = nh;
			return XF_PR_TRUNCATED;
		}
		xf_hdr_add(c, code);
		p->status |= XF_PS_IP6_EXT;
		p->ip_opt_cnt++;
		if (nh == 44) {
			xf_ip6_frag(c, b);
			c->off += 8;
		} else if (nh == 51) {
			c->off += ((__u32)b[1] + 2) * 4;
		} else {
			c->off += ((__u32)b[1] + 1) * 8;
		}
		nh = b[0];
		if (c->no_l4)
			break;
	}
	*nhp = nh;
	if (xf_ip6_ext_hdr(nh) != XF_H_NONE && !c->no_l4)
		c->no_l4 = 1;                   /* chain deeper than we walk */
	return XF_PR_OK;
}

static __always_inline int xf_ipv6(struct xf_pc *c, int *committed)
{
	const __u8 *h = xf_at(c, c->off, 40);
	struct xf_pkt *p = c->p;
	__u32 l3_len;
	__u8 nh;
	int r;

	if (!h)
		return XF_PR_TRUNCATED;
	l3_len = 40 + (__u32)xf_rd16(h + 4);
	nh = h[6];
	if (l3_len == 40 && nh != 59)           /* BIG TCP / jumbogram: the frame says */
		l3_len = 40 + xf_cap_after(c, c->off + 40);
	l3_len = xf_l3_bound(c, l3_len);
	if ((h[0] >> 4) != 6 || l3_len < 40)    /* also: the carrier ends in it */
		return XF_PR_MALFORMED;
	xf_l3_begin(c, 6, XF_H_IPV6);
	*committed = 1;
	__builtin_memcpy(p->src, h + 8, 16);
	__builtin_memcpy(p->dst, h + 24, 16);
	p->tos = (__u8)((h[0] & 0x0f) << 4 | h[1] >> 4);
	p->ttl = h[7];
	l3_len = xf_loosen(c, l3_len, 0x7ffff); /* one verifier state for both */
	p->l3_len = l3_len > 0xffff ? 0xffff : l3_len;
	xf_len_check(c, c->off + l3_len);
	c->off += 40;
	r = xf_ip6_ext(c, &nh);
	p->l4_proto = nh;
	p->l4_off = c->off;
	l3_len = xf_clamp_sub(l3_len, c->off - p->l3_off);
	p->l4_len = l3_len > 0xffff ? 0xffff : l3_len;
	return r;
}

/* ------------------------------------------------------------- layer 4 --- */

/* One TCP option at o (bytes into the header); returns its length, 0 to stop. */
static __always_inline __u32 xf_tcp_opt(struct xf_pc *c, __u32 base, __u32 o, __u32 hlen)
{
	struct xf_pkt *p = c->p;
	const __u8 *b = xf_at(c, base + o, 1);
	__u8 kind, len;

	if (!b || b[0] == 0)                    /* end of list */
		return 0;
	kind = b[0];
	if (kind == 1)
		return 1;
	b = xf_at(c, base + o, 2);
	if (!b || o + 2 > hlen || b[1] < 2 || o + b[1] > hlen) {
		p->tcp_opts |= XF_TO_CORRUPT;
		return 0;
	}
	len = b[1];
	if (kind == 2 && len == 4) {
		b = xf_at(c, base + o, 4);
		if (b) {
			p->mss = xf_rd16(b + 2);
			p->tcp_opts |= XF_TO_MSS;
		}
	} else if (kind == 3 && len == 3) {
		b = xf_at(c, base + o, 3);
		if (b) {
			p->wscale = b[2];
			p->tcp_opts |= XF_TO_WSCALE;
		}
	} else if (kind == 4) {
		p->tcp_opts |= XF_TO_SACK_OK;
	} else if (kind == 5) {
		p->tcp_opts |= XF_TO_SACK;
	} else if (kind == 8) {
		p->tcp_opts |= XF_TO_TS;
	} else if (kind == 30) {
		p->tcp_opts |= XF_TO_MPTCP;
	} else if (kind == 34) {
		p->tcp_opts |= XF_TO_TFO;
	} else {
		p->tcp_opts |= XF_TO_OTHER;
	}
	return len;
}

static __always_inline void xf_tcp_opts(struct xf_pc *c, __u32 base, __u32 hlen)
{
	__u32 o = 20, n;
	int i;

	for (i = 0; i < XF_TCPOPT_ITER; i++) {
		o = xf_loosen(c, o, 0x3f);
		if (o >= hlen)
			break;
		n = xf_tcp_opt(c, base, o, hlen);
		if (!n)
			break;
		o += n;
	}
}

static __always_inline int xf_tcp(struct xf_pc *c)
{
	const __u8 *h = xf_at(c, c->off, 20);
	struct xf_pkt *p = c->p;
	__u32 hlen;

	if (!h)
		return XF_PR_TRUNCATED;
	xf_hdr_add(c, XF_H_TCP);
	hlen = (__u32)(h[12] >> 4) * 4;
	if (hlen < 20)
		return XF_PR_MALFORMED;
	p->sport = xf_rd16(h);
	p->dport = xf_rd16(h + 2);
	p->seq = xf_rd32(h + 4);
	p->ack = xf_rd32(h + 8);
	p->tcp_flags = h[13];
	p->tcp_win = xf_rd16(h + 14);
	p->tcp_hlen = hlen;
	if (!xf_at(c, c->off, hlen)) {          /* options cut short: no L4 */
		p->sport = 0;
		p->dport = 0;
		return XF_PR_TRUNCATED;
	}
	p->status |= XF_PS_HAS_L4;
	if (hlen > 20)
		xf_tcp_opts(c, c->off, hlen);
	p->l7_off = c->off + hlen;
	p->l7_len = xf_clamp_sub(p->l4_len, hlen);
	return XF_PR_OK;
}

static __always_inline int xf_sctp(struct xf_pc *c)
{
	const __u8 *h = xf_at(c, c->off, 12);
	struct xf_pkt *p = c->p;

	if (!h)
		return XF_PR_TRUNCATED;
	xf_hdr_add(c, XF_H_SCTP);
	p->sport = xf_rd16(h);
	p->dport = xf_rd16(h + 2);
	p->status |= XF_PS_HAS_L4;
	p->l7_off = c->off + 12;
	p->l7_len = xf_clamp_sub(p->l4_len, 12);
	return XF_PR_OK;
}

static __always_inline int xf_icmp(struct xf_pc *c, int v6)
{
	const __u8 *h = xf_at(c, c->off, 4);
	struct xf_pkt *p = c->p;
	int echo;

	if (!h)
		return XF_PR_TRUNCATED;
	xf_hdr_add(c, v6 ? XF_H_ICMP6 : XF_H_ICMP);
	p->icmp_type = h[0];
	p->icmp_code = h[1];
	echo = v6 ? (h[0] == 128 || h[0] == 129) : (h[0] == 8 || h[0] == 0);
	if (echo) {
		h = xf_at(c, c->off, 8);
		if (!h)
			return XF_PR_TRUNCATED;
		p->sport = xf_rd16(h + 4);
		p->dport = p->sport;
		p->status |= XF_PS_ICMP_ECHO;
	}
	p->status |= XF_PS_HAS_L4;
	p->l7_off = c->off + 8;
	p->l7_len = xf_clamp_sub(p->l4_len, 8);
	return XF_PR_OK;
}

/* IPv4 or IPv6 by the version nibble at off; 0 if neither. */
static __always_inline int xf_ip_at(const struct xf_pc *c, __u32 off)
{
	const __u8 *b = xf_at(c, off, 1);

	if (b && (b[0] >> 4) == 4)
		return XF_NX_IPV4;
	if (b && (b[0] >> 4) == 6)
		return XF_NX_IPV6;
	return XF_NX_STOP;
}

/*
 * WCCP redirect (GRE protocol 0x883E) at off: WCCPv2 puts a 4-byte redirect
 * header before the packet, WCCPv1 none; as in Wireshark, a first nibble
 * of 4 is the IPv4 header itself, anything else a redirect header.  IPv4
 * or IPv6 follows (by its version nibble).  Returns the redirect header's
 * length: it is part of the tunnel header, so an undecoded payload (the
 * outer flow's L7) starts after it, as after an ERSPAN header.
 */
static __always_inline __u32 xf_wccp(struct xf_pc *c, __u32 off, int *nx)
{
	int ip = xf_ip_at(c, off);
	__u32 skip = 0;

	if (ip != XF_NX_IPV4 && xf_at(c, off, 1)) {     /* a redirect header */
		skip = 4;
		ip = xf_ip_at(c, off + 4);
	}
	if (ip != XF_NX_STOP)
		*nx = ip;
	return skip;
}

/* The GRE protocols Wireshark hands to 802.11: Aruba WLAN tunnels. */
static __always_inline int xf_is_aruba(__u16 proto)
{
	return (proto >= XF_ETH_P_ARUBA && proto <= 0x8370 && !(proto & 0xf)) ||
	       proto == XF_ETH_P_ARUBA_9K;
}

/* GRE: flags C/K/S (+ PPTP's ack); sets *nx when the payload is decoded. */
static __always_inline int xf_gre(struct xf_pc *c, int *nx)
{
	const __u8 *h = xf_at(c, c->off, 4);
	struct xf_pkt *p = c->p;
	__u16 flags, proto;
	__u32 len = 4;

	if (!h)
		return XF_PR_TRUNCATED;
	xf_hdr_add(c, XF_H_GRE);
	flags = xf_rd16(h);
	proto = xf_rd16(h + 2);
	if (flags & 0x8000)
		len += 4;
	if (flags & 0x2000)
		len += 4;
	if (flags & 0x1000)
		len += 4;
	if ((flags & 7) == 1) {                 /* PPTP enhanced GRE */
		if (flags & 0x0080)
			len += 4;
		if (proto == XF_ETH_P_PPP)
			*nx = XF_NX_PPP;
	} else if ((flags & 7) == 0) {
		if (proto == XF_ETH_P_IPV4)
			*nx = XF_NX_IPV4;
		else if (proto == XF_ETH_P_IPV6)
			*nx = XF_NX_IPV6;
		else if (proto == XF_ETH_P_TEB)
			*nx = XF_NX_ETH;
		else if (proto == XF_ETH_P_ERSPAN2) {
			if (flags & 0x1000)     /* type II; type I has no header */
				len += 8;
			*nx = XF_NX_ETH;
		} else if (proto == XF_ETH_P_ERSPAN3) {
			h = xf_at(c, c->off + len, 12);
			if (h) {
				len += (h[11] & 1) ? 20 : 12;
				*nx = XF_NX_ETH;
			}
		}
		else if (proto == XF_ETH_P_WCCP) {
			xf_hdr_add(c, XF_H_WCCP);
			len += xf_wccp(c, c->off + len, nx);
		} else if (xf_is_aruba(proto))
			*nx = XF_NX_WLAN;
		if (proto == XF_ETH_P_ERSPAN2 || proto == XF_ETH_P_ERSPAN3)
			xf_hdr_add(c, XF_H_ERSPAN);
	}
	p->l7_off = c->off + len;
	p->l7_len = xf_clamp_sub(p->l4_len, len);
	c->off += len;
	return XF_PR_OK;
}

/* Teredo: optional authentication / origin indication, then IPv6 only. */
static __always_inline int xf_teredo(struct xf_pc *c, __u32 off, int *nx)
{
	const __u8 *b = xf_at(c, off, 4);

	if (b && b[0] == 0 && b[1] == 1) {      /* authentication header */
		off += 4 + (__u32)b[2] + b[3] + 9;
		b = xf_at(c, off, 2);
	}
	if (b && b[0] == 0 && b[1] == 0)        /* origin indication */
		off += 8;
	b = xf_at(c, off, 40);
	if (!b || (b[0] >> 4) != 6)
		return 0;
	xf_hdr_add(c, XF_H_TEREDO);
	c->off = off;
	*nx = XF_NX_IPV6;
	return 1;
}

/*
 * GTPv1-U (3GPP TS 29.281).  Only a G-PDU (type 255) of version 1 with PT 1
 * (not GTP') carries a packet; echo, error indication, end marker stay the
 * outer UDP flow.  E, S or PN add sequence number, N-PDU number and the type
 * of the first extension header; each extension header gives its length in
 * 4-byte units and ends with the next type (0: the payload follows).  The
 * length field (bytes after the first 8) bounds the inner datagram.
 */
static __always_inline int xf_gtpu(struct xf_pc *c, __u32 off, int *nx)
{
	const __u8 *h = xf_at(c, off, 8);
	__u32 end, next = 0;
	__u8 flags;
	int i, ip;

	if (!h || (h[0] & 0xf0) != 0x30 || h[1] != 255)
		return 0;
	flags = h[0];
	end = off + 8 + xf_rd16(h + 2);
	off += 8;
	if (flags & 0x07) {                     /* E, S or PN: 4 more bytes */
		h = xf_at(c, off, 4);
		if (!h)
			return 0;
		if (flags & 0x04)               /* E: an extension header follows */
			next = h[3];
		off += 4;
	}
	for (i = 0; i < XF_GTP_EXT_DEPTH && next; i++) {
		off = xf_loosen(c, off, 0x7fff);
		h = xf_at(c, off, 4);
		if (!h || !h[0])
			return 0;
		off += (__u32)h[0] * 4;
		h = xf_at(c, off - 1, 1);
		if (!h)
			return 0;
		next = h[0];
	}
	ip = xf_ip_at(c, off);
	if (next || off > end || ip == XF_NX_STOP)  /* chain longer than walked */
		return 0;
	xf_hdr_add(c, XF_H_GTP);
	c->off = off;
	c->l3_end = end;
	*nx = ip;
	return 1;
}

/*
 * AYIYA ("anything in anything", SixXS): identity length/type, signature
 * length/hash, authentication method/opcode, next header (IP protocol),
 * epoch, then the identity (2^idlen bytes) and the signature (4 * siglen
 * bytes).  Only opcode 1 (forward) carries a packet; IPv6 (41) and IPv4 (4)
 * are decapsulated.
 */
static __always_inline int xf_ayiya(struct xf_pc *c, __u32 off, int *nx)
{
	const __u8 *h = xf_at(c, off, 8);
	int ip;

	if (!h || (h[2] & 0x0f) != 1)
		return 0;
	if (h[3] == 41)
		ip = XF_NX_IPV6;
	else if (h[3] == 4)
		ip = XF_NX_IPV4;
	else
		return 0;
	off += 8 + (1u << (h[0] >> 4)) + (__u32)(h[1] >> 4) * 4;
	if (xf_ip_at(c, off) != ip)             /* next header and version disagree */
		return 0;
	xf_hdr_add(c, XF_H_AYIYA);
	c->off = off;
	*nx = ip;
	return 1;
}

/* UDP-carried tunnels (ports from the config, 0 = off): VXLAN, Geneve,
 * Teredo, GTP-U, GRE in UDP, AYIYA.  A datagram to or from none of them
 * costs a compare per port. */
static __always_inline void xf_udp_tunnel(struct xf_pc *c, int *nx)
{
	const struct xf_cfg *cfg = c->cfg;
	struct xf_pkt *p = c->p;
	__u32 off = c->off + 8;
	const __u8 *h;
	__u16 proto;

	if (cfg->vxlan_port && p->dport == cfg->vxlan_port) {
		h = xf_at(c, off, 8);
		if (h && (h[0] & 0x08)) {       /* I flag: VNI valid */
			xf_hdr_add(c, XF_H_VXLAN);
			c->off = off + 8;
			*nx = XF_NX_ETH;
		}
	} else if (cfg->geneve_port && p->dport == cfg->geneve_port) {
		h = xf_at(c, off, 8);
		if (!h || (h[0] >> 6) != 0)
			return;
		proto = xf_rd16(h + 2);
		if (proto == XF_ETH_P_TEB)
			*nx = XF_NX_ETH;
		else if (proto == XF_ETH_P_IPV4)
			*nx = XF_NX_IPV4;
		else if (proto == XF_ETH_P_IPV6)
			*nx = XF_NX_IPV6;
		else
			return;
		xf_hdr_add(c, XF_H_GENEVE);
		c->off = off + 8 + (__u32)(h[0] & 0x3f) * 4;
	} else if (cfg->teredo_port &&
		   (p->dport == cfg->teredo_port || p->sport == cfg->teredo_port)) {
		xf_teredo(c, off, nx);
	} else if (cfg->gtp_port &&
		   (p->dport == cfg->gtp_port || p->sport == cfg->gtp_port)) {
		xf_gtpu(c, off, nx);
	} else if (cfg->gre_udp_port && p->dport == cfg->gre_udp_port) {
		c->off = off;                   /* GRE in UDP (RFC 8086): xf_l4() */
		*nx = XF_NX_GRE;
	} else if (cfg->ayiya_port &&
		   (p->dport == cfg->ayiya_port || p->sport == cfg->ayiya_port)) {
		xf_ayiya(c, off, nx);
	}
}

static __always_inline int xf_udp(struct xf_pc *c, int *nx, int may_tunnel)
{
	const __u8 *h = xf_at(c, c->off, 8);
	struct xf_pkt *p = c->p;

	if (!h)
		return XF_PR_TRUNCATED;
	xf_hdr_add(c, XF_H_UDP);
	p->sport = xf_rd16(h);
	p->dport = xf_rd16(h + 2);
	p->status |= XF_PS_HAS_L4;
	p->l7_off = c->off + 8;
	p->l7_len = xf_clamp_sub(p->l4_len, 8);
	if (may_tunnel)
		xf_udp_tunnel(c, nx);
	return XF_PR_OK;
}

/*
 * GRE over IP, or in UDP (RFC 8086, in_udp): one xf_gre() for both, so the
 * verifier walks GRE and what follows it once.  In UDP, xf_gre() counted the
 * payload from the UDP header: 8 bytes less; a GRE header cut short leaves
 * the UDP flow as it was.
 */
static __always_inline int xf_gre_l4(struct xf_pc *c, int *nx, int in_udp)
{
	int r;

	xf_loosen_off(c);
	r = xf_gre(c, nx);
	if (!in_udp)
		return r;
	if (r != XF_PR_OK) {
		c->off -= 8;
		return XF_PR_OK;
	}
	c->p->l7_len = xf_clamp_sub(c->p->l7_len, 8);
	return r;
}

/* L4 by IP protocol; *nx set when a tunnel's payload is to be parsed next. */
static __always_inline int xf_l4(struct xf_pc *c, int *nx, int may_tunnel)
{
	struct xf_pkt *p = c->p;
	int r, in_udp = 0;

	xf_loosen_off(c);
	switch (p->l4_proto) {
	case 6:
		return xf_tcp(c);
	case 17:
		r = xf_udp(c, nx, may_tunnel);
		if (*nx != XF_NX_GRE)
			return r;
		*nx = XF_NX_STOP;               /* GRE in UDP: on as GRE */
		in_udp = 1;
		/* fall through */
	case 47:
		if (may_tunnel)
			return xf_gre_l4(c, nx, in_udp);
		break;
	case 132:
		return xf_sctp(c);
	case 1:
		return xf_icmp(c, 0);
	case 58:
		return xf_icmp(c, 1);
	case 4:
		if (may_tunnel) {
			*nx = XF_NX_IPV4;
			return XF_PR_OK;
		}
		break;
	case 41:
		if (may_tunnel) {
			*nx = XF_NX_IPV6;
			return XF_PR_OK;
		}
		break;
	}
	xf_hdr_add(c, XF_H_IPPROTO);
	p->l7_off = p->l4_off;
	p->l7_len = p->l4_len;
	return XF_PR_OK;
}

/*
 * An 802.11 frame (Aruba GRE payload).  Only data frames with a body
 * (type 2, not a "no data" subtype) that are not protected (a WEP/CCMP body
 * cannot be read) are decoded.  Header: 24 bytes, +6 (addr4) when ToDS and
 * FromDS, +2 QoS control on QoS subtypes, +4 HT control when such a frame
 * has the order bit; then LLC/SNAP -> IPv4/IPv6.  An A-MSDU (QoS control
 * bit 7) is read up to its first subframe (DA, SA, length, LLC/SNAP): the
 * flow and the lengths are the first subframe's, the later subframes are
 * not metered on their own (their bytes stay in the frame's counts).  The
 * flow gets the frame's own source and destination (or the subframe's),
 * as a TEB/VXLAN inner Ethernet header gives its MACs.  Returns non-OK or
 * leaves *nx unset when the frame is not decoded: the caller then restores
 * the outer GRE result.
 */
static __always_inline int xf_wlan(struct xf_pc *c, int *nx)
{
	const __u8 *h = xf_at(c, c->off, 32), *s;
	struct xf_pkt *p = c->p;
	__u32 len = 24, ds;
	__u8 qos = 0;

	if (!h)
		return XF_PR_TRUNCATED;
	if ((h[0] & 0x4f) != 0x08 || (h[1] & 0x40))  /* data v0 with a body, clear */
		return XF_PR_UNSUPPORTED;
	ds = h[1] & 3;
	if (ds & 1)                             /* ToDS: DA is addr3 */
		__builtin_memcpy(p->dmac, h + 16, 6);
	else
		__builtin_memcpy(p->dmac, h + 4, 6);
	if (ds == 3) {                          /* WDS: SA is addr4 */
		__builtin_memcpy(p->smac, h + 24, 6);
		len += 6;
		qos = h[30];
	} else {
		if (ds == 2)                    /* FromDS: SA is addr3 */
			__builtin_memcpy(p->smac, h + 16, 6);
		else
			__builtin_memcpy(p->smac, h + 10, 6);
		qos = h[24];
	}
	if (h[0] & 0x80) {                      /* QoS subtypes */
		len += (h[1] & 0x80) ? 6 : 2;   /* + HT control (order bit) */
		if (qos & 0x80) {               /* A-MSDU: the first subframe */
			s = xf_at(c, c->off + len, 14);
			if (!s)
				return XF_PR_TRUNCATED;
			__builtin_memcpy(p->dmac, s, 6);
			__builtin_memcpy(p->smac, s + 6, 6);
			len += 14;
		}
	}
	xf_hdr_add(c, XF_H_WLAN);
	c->off += len;
	return xf_llc(c, nx);
}

/* --------------------------------------------------------------- layers --- */

static __always_inline void xf_snap_take(const struct xf_pkt *p, struct xf_snap *s)
{
	__builtin_memcpy(s->smac, p->smac, 6);
	__builtin_memcpy(s->dmac, p->dmac, 6);
	s->vlan[0] = p->vlan[0];
	s->vlan[1] = p->vlan[1];
	s->ethertype = p->ethertype;
	s->nvlan = p->nvlan;
	s->nhdr = p->nhdr;
	s->status = p->status;
}

static __always_inline void xf_snap_restore(struct xf_pkt *p, const struct xf_snap *s)
{
	__builtin_memcpy(p->smac, s->smac, 6);
	__builtin_memcpy(p->dmac, s->dmac, 6);
	p->vlan[0] = s->vlan[0];
	p->vlan[1] = s->vlan[1];
	p->ethertype = s->ethertype;
	p->nvlan = s->nvlan;
	p->nhdr = s->nhdr;
	p->status = s->status;
}

static __always_inline int xf_l3(struct xf_pc *c, int nx, int *committed)
{
	xf_loosen_off(c);
	if (nx == XF_NX_IPV4)
		return xf_ipv4(c, committed);
	return xf_ipv6(c, committed);
}

/*
 * One IP layer: the tunnel payload's link header (layer > 0), the IP header,
 * the L4 header.  Returns the reason; *nx says whether a tunnel follows.
 */
static __always_inline int xf_layer(struct xf_pc *c, int *nx, int layer)
{
	struct xf_pkt *p = c->p;
	struct xf_snap s;
	int committed = 0, ip = XF_NX_STOP, r = XF_PR_OK;

	xf_snap_take(p, &s);
	xf_loosen_off(c);       /* one verifier state whichever tunnel led here */
	if (*nx == XF_NX_ETH)
		r = xf_eth(c, nx);
	else if (*nx == XF_NX_PPP)
		r = xf_ppp(c, nx);
	else if (*nx == XF_NX_WLAN)
		r = xf_wlan(c, nx);
	if (r == XF_PR_OK && (*nx == XF_NX_IPV4 || *nx == XF_NX_IPV6)) {
		ip = *nx;
		r = xf_l3(c, *nx, &committed);
	}
	*nx = XF_NX_STOP;
	if (layer > 0 && !committed) {          /* tunnel payload not IP: outer result */
		xf_snap_restore(p, &s);
		return XF_PR_OK;
	}
	if (ip != XF_NX_STOP && !committed) {   /* outer IP header refused: an L2 flow */
		xf_l2_flow(c, 0, p->ethertype ? p->ethertype :
			   ip == XF_NX_IPV4 ? XF_ETH_P_IPV4 : XF_ETH_P_IPV6);
		return r;
	}
	if (layer > 0) {
		p->ntunnel++;
		p->status |= XF_PS_TUNNEL;
	}
	if (r == XF_PR_OK && c->no_l4) {       /* a later fragment: all of it is data */
		p->l7_off = p->l4_off;
		p->l7_len = p->l4_len;
	}
	if (r != XF_PR_OK || c->no_l4)
		return r;
	/* A first fragment is not decapsulated: its later fragments have no
	 * L4 and join the outer flow, so the whole datagram stays there. */
	return xf_l4(c, nx, layer < XF_MAX_TUNNELS && c->cfg->decap_tunnels &&
		     !c->frag_first);
}

/*
 * Sets the reason.  The fields a caller branches on are then loosened (see
 * xf_loosen(); no change at run time): every parse path would otherwise leave
 * a different set of constants behind, and the verifier would walk the
 * caller's code (the meter) once per header stack instead of once.
 */
static __always_inline int xf_finish(const struct xf_pc *c, int r)
{
	struct xf_pkt *p = c->p;

	if (r == XF_PR_TRUNCATED)
		p->status |= XF_PS_TRUNCATED;
	else if (r == XF_PR_MALFORMED)
		p->status |= XF_PS_MALFORMED;
	r = xf_loosen(c, r, 0x7);
	p->reason = r;
	p->status = xf_loosen(c, p->status, 0x3ffff);
	p->ip_ver = xf_loosen(c, p->ip_ver, 0xf);
	p->nhdr = xf_loosen(c, p->nhdr, 0x1f);
	p->nvlan = xf_loosen(c, p->nvlan, 0x7);
	p->ntunnel = xf_loosen(c, p->ntunnel, 0x7);
	p->l4_proto = xf_loosen(c, p->l4_proto, 0xff);
	p->ethertype = xf_loosen(c, p->ethertype, 0xffff);
	p->ip_flags = xf_loosen(c, p->ip_flags, 0xf);
	p->ip_opt_cnt = xf_loosen(c, p->ip_opt_cnt, 0xff);
	p->tcp_opts = xf_loosen(c, p->tcp_opts, 0x1ff);
	return r;
}

static __always_inline int xf_parse(const void *data, const void *data_end, __u32 frame_len,
				    __u32 linktype, const struct xf_cfg *cfg, struct xf_pkt *p)
{
	struct xf_pc c = {
		.data = (const __u8 *)data, .end = (const __u8 *)data_end,
		.cfg = cfg, .p = p, .off = 0, .no_l4 = 0, .frag_first = 0, .layer = 0, .z = 0,
		.cap = frame_len > XF_CAP_MAX ? XF_CAP_MAX : frame_len,
	};
	int nx = XF_NX_STOP, r, layer;

	__builtin_memset(p, 0, sizeof(*p));
	if (!xf_at(&c, 0, 1))                   /* an empty frame */
		return xf_finish(&c, XF_PR_TRUNCATED);
#if XF_BPF
	{
		__u64 z = *c.data;

		__asm__ volatile("%[z] ^= %[z]" : [z] "+r"(z));
		c.z = (__u32)(z * 0x01010101u);  /* 32 unknown bits */
	}
#endif
	xf_loosen_off(&c);      /* no check ever gives data itself a range */
	c.cap = xf_loosen(&c, c.cap, XF_CAP_MAX);
	r = xf_link(&c, linktype, &nx);
	for (layer = 0; layer <= XF_MAX_TUNNELS; layer++) {
		if (r != XF_PR_OK || nx == XF_NX_STOP)
			break;
		c.layer = layer;
		r = xf_layer(&c, &nx, layer);
	}
	return xf_finish(&c, r);
}

#endif /* XDPFLOW_PARSE_H */
