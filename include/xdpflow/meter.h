/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * meter.h - the per-packet flow update shared by the XDP/TC programs and the
 * userspace engine.  Header-only and BPF-safe: no helpers, no floats, no
 * unbounded loops, so the kernel can run it under the flow's bpf_spin_lock.
 *
 *   __u32 xf_flow_key_make(const struct xf_pkt *p, const struct xf_cfg *cfg,
 *                          struct xf_flow_key *k);
 *       canonical key; returns the key side (0/1) the packet's source is on.
 *   void  xf_frag_key_make(const struct xf_pkt *p, struct xf_frag_key *k);
 *   void  xf_flow_init(struct xf_flow *f, const struct xf_pkt *p, __u32 side,
 *                      __u64 ts, __u64 index);
 *   __u32 xf_flow_dir(const struct xf_flow *f, __u32 side);   0 = A, 1 = B
 *   __u64 xf_meter_update(struct xf_flow *f, const struct xf_pkt *p,
 *                         __u32 dir, __u64 ts, const struct xf_cfg *cfg);
 *       counts the packet; returns its IAT in its direction (ns, 0 first).
 *   int   xf_flow_tcp_done(const struct xf_flow *f);
 *       the connection is over (both FINs acked, or RST): finalize early.
 *
 * The caller calls xf_meter_update() for the flow's first packet too (after
 * xf_flow_init()).  Semantics worth knowing (docs/formats.md repeats them):
 *
 * - Sizes: the packet's size is its length at cfg->byte_layer (L2 wire
 *   length, L3 IP length, L4 length, L7 payload); a non-IP frame's L3 size
 *   is its wire length.  numBytes and min/max/avg/std size use it.
 * - Time: a packet older than the flow's last packet (either direction) sets
 *   XF_FS_TIME_JUMP and has IAT 0 (counted as a 0 sample); the flow's last_ts
 *   never goes backwards, a direction's last_ts is always its previous
 *   packet's time (what the next IAT is measured from).
 * - TCP sequence analysis uses seg_len = payload + SYN + FIN against
 *   next_seq, the highest seq + seg_len of the direction (mod 2^32, compared
 *   as signed 32-bit differences).  See xf_mt_tcp_seq() for the cases.
 * - Windows are the raw 16-bit field: window scaling is not applied.
 *   RST segments are left out of the window statistics.
 * - The TCP tracking runs when either tcpFlags or tcpStates is enabled
 *   (the state machine needs next_seq and the last ACK).
 */
#ifndef XDPFLOW_METER_H
#define XDPFLOW_METER_H

/* Internal helpers are xf_mt_*: parse.h is included alongside this header. */

#include "compat.h"
#include "abi.h"

/* constant-bound loops unrolled for old verifiers; gcc needs no hint */
#ifdef __clang__
#define XF_METER_UNROLL _Pragma("unroll")
#else
#define XF_METER_UNROLL
#endif

/* xf_dir.seq_flags: the meter's memory between segments */
#define XF_SQ_LAST_KEEPALIVE 0x1       /* the direction's last segment was a keep-alive */

#define XF_TCP_FIN 0x01
#define XF_TCP_SYN 0x02
#define XF_TCP_RST 0x04
#define XF_TCP_PSH 0x08
#define XF_TCP_ACK 0x10
#define XF_TCP_URG 0x20
#define XF_TCP_ECE 0x40
#define XF_TCP_CWR 0x80

/* a precedes b in sequence space (RFC 1982 style) */
static __always_inline int xf_mt_seq_lt(__u32 a, __u32 b)
{
	return (__s32)(a - b) < 0;
}

static __always_inline int xf_mt_seq_le(__u32 a, __u32 b)
{
	return (__s32)(a - b) <= 0;
}

/* ---------------------------------------------------------------- keys --- */

/* memcmp() order of two n-byte addresses, then ports: <0, 0, >0 */
static __always_inline int xf_mt_end_cmp(const __u8 *a, __u16 pa, const __u8 *b, __u16 pb,
				      const int n)
{
	int i;

	XF_METER_UNROLL
	for (i = 0; i < n; i++) {
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	}
	if (pa != pb)
		return pa < pb ? -1 : 1;
	return 0;
}

static __always_inline __u16 xf_mt_inner_vlan(const struct xf_pkt *p)
{
	if (p->nvlan >= 2)
		return p->vlan[1];
	if (p->nvlan == 1)
		return p->vlan[0];
	return 0;
}

/* L2 flows: the MACs (zero-padded to 16 bytes, so memcmp order is kept) */
static __always_inline __u32 xf_flow_key_l2(const struct xf_pkt *p, struct xf_flow_key *k)
{
	__u32 side = xf_mt_end_cmp(p->smac, 0, p->dmac, 0, 6) > 0;

	/* constant indexes: the verifier rejects pointer arithmetic on a side */
	if (side) {
		__builtin_memcpy(k->addr[0], p->dmac, 6);
		__builtin_memcpy(k->addr[1], p->smac, 6);
	} else {
		__builtin_memcpy(k->addr[0], p->smac, 6);
		__builtin_memcpy(k->addr[1], p->dmac, 6);
	}
	return side;
}

static __always_inline __u32 xf_flow_key_ip(const struct xf_pkt *p, struct xf_flow_key *k)
{
	__u32 side = xf_mt_end_cmp(p->src, p->sport, p->dst, p->dport, XF_ADDR_LEN) > 0;

	if (side) {
		__builtin_memcpy(k->addr[0], p->dst, XF_ADDR_LEN);
		__builtin_memcpy(k->addr[1], p->src, XF_ADDR_LEN);
		k->port[0] = p->dport;
		k->port[1] = p->sport;
	} else {
		__builtin_memcpy(k->addr[0], p->src, XF_ADDR_LEN);
		__builtin_memcpy(k->addr[1], p->dst, XF_ADDR_LEN);
		k->port[0] = p->sport;
		k->port[1] = p->dport;
	}
	return side;
}

static __always_inline __u32 xf_flow_key_make(const struct xf_pkt *p, const struct xf_cfg *cfg,
					      struct xf_flow_key *k)
{
	__u32 side;

	__builtin_memset(k, 0, sizeof(*k));
	if (p->status & XF_PS_L2_ONLY)
		side = xf_flow_key_l2(p, k);
	else
		side = xf_flow_key_ip(p, k);
	if (cfg->vlan_in_key)
		k->vlan = xf_mt_inner_vlan(p);
	k->ethertype = p->ethertype;
	k->l4_proto = p->l4_proto;
	k->ip_ver = p->ip_ver;
	return side;
}

static __always_inline void xf_frag_key_make(const struct xf_pkt *p, struct xf_frag_key *k)
{
	__builtin_memset(k, 0, sizeof(*k));
	__builtin_memcpy(k->src, p->src, XF_ADDR_LEN);
	__builtin_memcpy(k->dst, p->dst, XF_ADDR_LEN);
	k->id = p->frag_id;
	k->vlan = xf_mt_inner_vlan(p);
	k->l4_proto = p->l4_proto;
	k->ip_ver = p->ip_ver;
}

/* ---------------------------------------------------------- flow start --- */

/* FNV-1a over the header descriptor; never 0 (0 marks an unused slot) */
static __always_inline __u32 xf_mt_hdr_hash(const struct xf_pkt *p)
{
	__u32 h = 2166136261u ^ p->nhdr;
	int i;

	XF_METER_UNROLL
	for (i = 0; i < XF_MAX_HDRS; i++) {
		if (i < p->nhdr)
			h = (h ^ p->hdr[i]) * 16777619u;
	}
	return h ? h : 1;
}

/* flowStat bits a packet implies about its flow (XF_PS_* -> XF_FS_*) */
static __always_inline __u64 xf_mt_flow_stat(__u32 st)
{
	__u64 fs = 0;

	if (st & XF_PS_SNAPPED)
		fs |= XF_FS_SNAPPED;
	if (st & XF_PS_TRUNCATED)
		fs |= XF_FS_HDR_TRUNC;
	if (st & XF_PS_MALFORMED)
		fs |= XF_FS_MALFORMED;
	if (st & XF_PS_BAD_IPCSUM)
		fs |= XF_FS_BAD_IPCSUM;
	if (st & (XF_PS_IP_OPTIONS | XF_PS_IP6_EXT))
		fs |= XF_FS_IP_OPTIONS;
	if (st & XF_PS_FRAG)
		fs |= XF_FS_FRAG;
	if (st & XF_PS_L2_TRAILER)
		fs |= XF_FS_L2_TRAILER;
	if (st & XF_PS_TUNNEL)
		fs |= XF_FS_TUNNEL;
	return fs;
}

/* flowStat bits that describe the flow's kind (set once, at the start) */
static __always_inline __u64 xf_mt_flow_kind(__u32 st)
{
	__u64 fs = 0;

	if (st & XF_PS_IPV4)
		fs |= XF_FS_IPV4;
	if (st & XF_PS_IPV6)
		fs |= XF_FS_IPV6;
	if (st & XF_PS_L2_ONLY)
		fs |= XF_FS_L2_FLOW;
	if (st & XF_PS_VLAN)
		fs |= XF_FS_VLAN;
	if (st & XF_PS_MPLS)
		fs |= XF_FS_MPLS;
	if (st & XF_PS_PPPOE)
		fs |= XF_FS_PPPOE;
	if (st & XF_PS_TUNNEL)
		fs |= XF_FS_TUNNEL;
	if (st & XF_PS_ICMP_ECHO)
		fs |= XF_FS_ICMP_ECHO;
	return fs;
}

static __always_inline int xf_mt_is_tcp(const struct xf_pkt *p)
{
	return p->l4_proto == 6 && p->ip_ver && !(p->status & XF_PS_L2_ONLY);
}

/* f is zeroed by the caller, except the kernel's lock: never memset f here */
static __always_inline void xf_flow_init(struct xf_flow *f, const struct xf_pkt *p, __u32 side,
					 __u64 ts, __u64 index)
{
	f->a_side = side & 1;
	f->index = index;
	f->first_ts = ts;
	f->last_ts = ts;
	__builtin_memcpy(f->smac, p->smac, 6);
	__builtin_memcpy(f->dmac, p->dmac, 6);
	f->vlan[0] = p->vlan[0];
	f->vlan[1] = p->vlan[1];
	f->nvlan = p->nvlan > XF_MAX_VLANS ? XF_MAX_VLANS : p->nvlan;
	__builtin_memcpy(f->hdr, p->hdr, XF_MAX_HDRS);
	f->nhdr = p->nhdr > XF_MAX_HDRS ? XF_MAX_HDRS : p->nhdr;
	f->hdr_hash[0] = xf_mt_hdr_hash(p);
	f->num_hdr_desc = 1;
	f->stat |= xf_mt_flow_kind(p->status);
	f->tcp_state = xf_mt_is_tcp(p) ? XF_TCP_NEW : XF_TCP_NONE;
}

/* Which packets make a flow: every IP packet, and non-IP frames when
 * L2 flows are on.  Both engines ask this one question. */
static __always_inline int xf_pkt_makes_flow(const struct xf_pkt *p, const struct xf_cfg *cfg)
{
	if (p->ip_ver)
		return 1;
	return (p->status & XF_PS_L2_ONLY) && cfg->l2_flows;
}

static __always_inline __u32 xf_flow_dir(const struct xf_flow *f, __u32 side)
{
	return (side & 1) != f->a_side;
}

static __always_inline int xf_flow_tcp_done(const struct xf_flow *f)
{
	return f->tcp_state == XF_TCP_CLOSED || f->tcp_state == XF_TCP_RESET;
}

/* ------------------------------------------------------ basic counters --- */

static __always_inline __u32 xf_mt_pkt_size(const struct xf_pkt *p, const struct xf_cfg *cfg)
{
	switch (cfg->byte_layer) {
	case XF_BL_L2:
		return p->wire_len;
	case XF_BL_L3:
		return p->ip_ver ? p->l3_len : p->wire_len;
	case XF_BL_L4:
		return p->l4_len;
	default:
		return p->l7_len;
	}
}

/* *hi:*lo += x * x, exact, without __int128 (BPF has none) */
static __always_inline void xf_add_sq128(__u64 *hi, __u64 *lo, __u64 x)
{
	__u64 xl = x & 0xffffffffULL, xh = x >> 32;
	__u64 ll = xl * xl, mid = xh * xl, hh = xh * xh;
	__u64 sq_lo = ll + (mid << 33);
	__u64 sq_hi = hh + (mid >> 31) + (sq_lo < ll);

	*lo += sq_lo;
	*hi += sq_hi + (*lo < sq_lo);
}

/* time, IAT and size statistics of the direction; returns the IAT */
static __always_inline __u64 xf_mt_count_basic(struct xf_flow *f, struct xf_dir *d, __u64 ts,
					    __u32 sz, __u32 l7)
{
	__u64 iat = 0;
	int jump = ts < f->last_ts;

	if (jump)
		f->stat |= XF_FS_TIME_JUMP;
	else
		f->last_ts = ts;
	if (d->pkts == 0) {
		d->first_ts = ts;
		d->min_sz = sz;
		d->max_sz = sz;
	} else {
		if (!jump && ts > d->last_ts)
			iat = ts - d->last_ts;
		if (d->pkts == 1 || iat < d->min_iat)
			d->min_iat = iat;
		if (iat > d->max_iat)
			d->max_iat = iat;
		d->sum_iat += iat;
		xf_add_sq128(&d->sumsq_iat_hi, &d->sumsq_iat_lo, iat);
		if (sz < d->min_sz)
			d->min_sz = sz;
		if (sz > d->max_sz)
			d->max_sz = sz;
	}
	d->last_ts = ts;
	d->pkts++;
	d->bytes += sz;
	d->l7_bytes += l7;
	d->sum_sz += sz;
	d->sumsq_sz += (__u64)sz * sz;
	return iat;
}

static __always_inline void xf_mt_count_ip(struct xf_dir *d, const struct xf_pkt *p)
{
	if (!p->ip_ver)
		return;
	if (d->ip_pkts == 0) {
		d->min_ttl = p->ttl;
		d->max_ttl = p->ttl;
	} else {
		if (p->ttl != d->last_ttl)
			d->ttl_chg++;
		if (p->ttl < d->min_ttl)
			d->min_ttl = p->ttl;
		if (p->ttl > d->max_ttl)
			d->max_ttl = p->ttl;
		if (p->ip_ver == 4) {
			__u16 dipid = (__u16)(p->ipid - d->last_ipid);

			if (d->ip_pkts == 1 || dipid < d->min_dipid)
				d->min_dipid = dipid;
			if (dipid > d->max_dipid)
				d->max_dipid = dipid;
		}
	}
	d->ip_pkts++;
	d->last_ttl = p->ttl;
	d->last_ipid = p->ipid;
	d->tos_or |= p->tos;
	d->ip_flags |= p->ip_flags;
	if (p->status & (XF_PS_IP_OPTIONS | XF_PS_IP6_EXT))
		d->ip_opt_pkts++;
	if (p->status & XF_PS_FRAG)
		d->frag_pkts++;
}

/* a new header description: first two remembered, later ones approximated */
static __always_inline void xf_mt_count_hdr(struct xf_flow *f, const struct xf_pkt *p)
{
	__u32 h = xf_mt_hdr_hash(p);

	if (h == f->hdr_hash[0] || h == f->hdr_hash[1])
		return;
	f->stat |= XF_FS_HDR_CHANGE;
	f->hdr_hash[1] = h;
	if (f->num_hdr_desc < 255)
		f->num_hdr_desc++;
}

/* ----------------------------------------------------------- tcpFlags --- */

/* tcpAnomaly bits a flag combination implies */
static __always_inline __u32 xf_mt_tcp_flag_anomaly(__u8 fl)
{
	__u32 a = 0;

	if ((fl & (XF_TCP_FIN | XF_TCP_ACK)) == (XF_TCP_FIN | XF_TCP_ACK))
		a |= XF_TA_FIN_ACK;
	if ((fl & (XF_TCP_SYN | XF_TCP_ACK)) == (XF_TCP_SYN | XF_TCP_ACK))
		a |= XF_TA_SYN_ACK;
	if ((fl & (XF_TCP_RST | XF_TCP_ACK)) == (XF_TCP_RST | XF_TCP_ACK))
		a |= XF_TA_RST_ACK;
	switch (fl & (XF_TCP_SYN | XF_TCP_FIN | XF_TCP_RST)) {
	case XF_TCP_SYN | XF_TCP_FIN:
		a |= XF_TA_SYN_FIN;
		break;
	case XF_TCP_SYN | XF_TCP_FIN | XF_TCP_RST:
		a |= XF_TA_SYN_FIN_RST;
		break;
	case XF_TCP_FIN | XF_TCP_RST:
		a |= XF_TA_FIN_RST;
		break;
	}
	if ((fl & 0x3f) == 0)
		a |= XF_TA_NULL;
	if ((fl & (XF_TCP_FIN | XF_TCP_PSH | XF_TCP_URG)) == (XF_TCP_FIN | XF_TCP_PSH | XF_TCP_URG))
		a |= XF_TA_XMAS;
	return a;
}

static __always_inline void xf_mt_tcp_count_opts(struct xf_dir *d, const struct xf_pkt *p)
{
	d->tcp_opts |= p->tcp_opts;
	if (p->tcp_hlen > 20)
		d->tcp_opt_pkts++;
	if (p->tcp_opts & XF_TO_CORRUPT)
		d->tcp_anomaly |= XF_TA_OPT_CORRUPT;
	if (p->tcp_flags & XF_TCP_SYN) {
		if (p->tcp_opts & XF_TO_MSS)
			d->mss = p->mss;
		if (p->tcp_opts & XF_TO_WSCALE)
			d->wscale = p->wscale;
	}
}

/* raw window statistics (no scaling); RSTs excluded */
static __always_inline void xf_mt_tcp_window(struct xf_dir *d, const struct xf_pkt *p)
{
	__u32 w = p->tcp_win;

	if (p->tcp_flags & XF_TCP_RST)
		return;
	if (w == 0) {
		d->zero_win++;
		d->tcp_anomaly |= XF_TA_ZERO_WIN;
	}
	if (d->win_pkts == 0) {
		d->win_init = w;
		d->win_min = w;
		d->win_max = w;
	} else if (w > d->win_last) {
		d->win_up++;
		if (d->win_trend < 0)
			d->win_chgdir++;
		d->win_trend = 1;
	} else if (w < d->win_last) {
		d->win_down++;
		if (d->win_trend > 0)
			d->win_chgdir++;
		d->win_trend = -1;
	}
	if (w < d->win_min)
		d->win_min = w;
	if (w > d->win_max)
		d->win_max = w;
	d->win_last = w;
	d->win_sum += w;
	d->win_pkts++;
}

/*
 * Sequence analysis against next_seq (the highest seq + seg_len so far):
 *   keep-alive    payload <= 1, seq == next_seq - 1 (peer window open)
 *   zero-win probe payload 1 while the peer's last window was 0, at
 *                 next_seq or next_seq - 1 (a repeated probe)
 *   retransmission seg_len > 0 and seq + seg_len <= next_seq
 *   out of order  seq > next_seq: a gap before the segment
 *   partial overlap seq < next_seq < seq + seg_len: only the new part counts
 * seq_bytes is the payload by which next_seq advanced (gap bytes included:
 * the sender sent them; retransmitted bytes are not counted twice).  RSTs are
 * left out: their sequence numbers carry no data.
 */
static __always_inline void xf_mt_tcp_seq(struct xf_dir *d, const struct xf_dir *o,
				       const struct xf_pkt *p)
{
	__u8 fl = p->tcp_flags;
	__u32 len = p->l7_len;
	__u32 ctl = !!(fl & XF_TCP_SYN) + !!(fl & XF_TCP_FIN);
	__u32 end = p->seq + len + ctl;
	__u32 nxt = d->next_seq;
	int peer_zero = o->win_pkts && o->win_last == 0;
	int probe = 0;
	__u32 adv;

	if (fl & XF_TCP_RST)
		return;
	d->seq_flags &= ~XF_SQ_LAST_KEEPALIVE;
	if (d->tcp_pkts == 0) {
		d->isn = p->seq;
		d->next_seq = end;
		d->seq_bytes += len;
		d->seq_pkts += len > 0;
		return;
	}
	if (peer_zero && len == 1 && (p->seq == nxt || p->seq == nxt - 1)) {
		probe = 1;
		d->tcp_anomaly |= XF_TA_ZWIN_PROBE;
	} else if (len <= 1 && !ctl && p->seq == nxt - 1) {
		d->tcp_anomaly |= XF_TA_KEEPALIVE;
		d->seq_flags |= XF_SQ_LAST_KEEPALIVE;
		return;
	}
	if (xf_mt_seq_lt(nxt, p->seq)) {
		d->ooo++;
		d->seq_faults++;
		d->tcp_anomaly |= XF_TA_OOO;
	} else if (len + ctl > 0 && xf_mt_seq_le(end, nxt)) {
		if (!probe) {
			d->retrans++;
			d->seq_faults++;
			d->tcp_anomaly |= XF_TA_RETRANS;
		}
		if ((fl & XF_TCP_SYN) && p->seq == d->isn)
			d->tcp_anomaly |= XF_TA_SYN_RETRY;
		return;
	}
	if (!xf_mt_seq_lt(nxt, end))
		return;
	/* next_seq advances by adv; SYN/FIN occupy sequence space, not data */
	adv = end - nxt;
	if (adv > ctl) {
		d->seq_bytes += adv - ctl;
		d->seq_pkts++;
	}
	if (end < nxt)
		d->tcp_anomaly |= XF_TA_SEQ_WRAP;
	d->next_seq = end;
}

/*
 * ACK faults and duplicate ACKs; last_ack is the previous ACK number sent.
 * A duplicate ACK (as Wireshark defines it): no payload, no SYN/FIN/RST, the
 * same ACK number and the same non-zero window as the previous segment, and
 * no new data sent since (seq == next_seq).  Zero-window ACKs and the ACK
 * answering a keep-alive are not dups.
 */
static __always_inline void xf_mt_tcp_ack(struct xf_dir *d, const struct xf_dir *o,
				       const struct xf_pkt *p)
{
	__u8 fl = p->tcp_flags;

	if (!(fl & XF_TCP_ACK) || (fl & XF_TCP_RST))
		return;
	if (d->tcp_flags & XF_TCP_ACK) {
		if (xf_mt_seq_lt(p->ack, d->last_ack)) {
			d->ack_faults++;
			d->tcp_anomaly |= XF_TA_ACK_BACK;
		} else if (p->ack == d->last_ack && p->l7_len == 0 && p->tcp_win &&
			   !(fl & (XF_TCP_SYN | XF_TCP_FIN)) && p->tcp_win == d->win_last &&
			   p->seq == d->next_seq && !(o->seq_flags & XF_SQ_LAST_KEEPALIVE)) {
			d->dup_acks++;
			d->tcp_anomaly |= XF_TA_DUP_ACK;
		}
	}
	d->last_ack = p->ack;
}

/* ---------------------------------------------------------- tcpStates --- */

/* SYN / SYN-ACK handling; returns the new state */
static __always_inline __u8 xf_mt_tcp_open(struct xf_flow *f, const struct xf_dir *d,
					const struct xf_pkt *p, __u32 dir, __u8 st)
{
	__u8 fl = p->tcp_flags;
	int syn = fl & XF_TCP_SYN, ack = fl & XF_TCP_ACK;

	/* the same kind of SYN again (a simultaneous open's SYN-ACK is not) */
	if (syn && (d->tcp_flags & XF_TCP_SYN) && !ack == !(d->tcp_flags & XF_TCP_ACK)) {
		f->tcp_state_anom |= XF_TS_SYN_RETRY;
		if (st >= XF_TCP_ESTABLISHED && p->seq != d->isn)
			f->tcp_state_anom |= XF_TS_BAD_FLAGS;
		return st;
	}
	switch (st) {
	case XF_TCP_NEW:
		if (syn && !ack)
			return XF_TCP_SYN_SENT;
		f->tcp_state_anom |= XF_TS_NO_SYN;     /* the opening SYN was missed */
		if (syn)
			return XF_TCP_SYN_RCVD;
		f->tcp_state_anom |= XF_TS_NO_SYN;
		return XF_TCP_ESTABLISHED;
	case XF_TCP_SYN_SENT:
		if (syn && !ack && dir == 1)
			f->tcp_state_anom |= XF_TS_SIMOPEN;
		if (syn)
			return XF_TCP_SYN_RCVD;
		f->tcp_state_anom |= XF_TS_BAD_OPEN;   /* data/ACK before any SYN-ACK */
		return XF_TCP_ESTABLISHED;
	case XF_TCP_SYN_RCVD:
		if (syn)
			return st;                      /* the other side's SYN(-ACK) */
		if (ack)
			return XF_TCP_ESTABLISHED;
		f->tcp_state_anom |= XF_TS_BAD_OPEN;
		return st;
	default:
		if (syn)                                /* a SYN the side never sent before */
			f->tcp_state_anom |= XF_TS_BAD_FLAGS;
		else if (!ack)
			f->tcp_state_anom |= XF_TS_BAD_FLAGS;
		return st;
	}
}

/* FIN handling and the final ACK; d sends, o receives */
static __always_inline __u8 xf_mt_tcp_close(struct xf_flow *f, const struct xf_dir *d,
					 const struct xf_dir *o, const struct xf_pkt *p, __u8 st)
{
	__u8 fl = p->tcp_flags;
	int d_fin = d->tcp_flags & XF_TCP_FIN, o_fin = o->tcp_flags & XF_TCP_FIN;

	if ((d->tcp_flags & XF_TCP_FIN) && p->l7_len && xf_mt_seq_le(d->next_seq, p->seq))
		f->tcp_state_anom |= XF_TS_BAD_CLOSE;   /* new data after its own FIN */
	if (fl & XF_TCP_FIN) {
		if (st < XF_TCP_ESTABLISHED)
			f->tcp_state_anom |= XF_TS_BAD_CLOSE;
		st = o_fin ? XF_TCP_CLOSING : XF_TCP_FIN_WAIT;
	}
	/* d's FIN was sent earlier and is ACKed, this ACK covers o's FIN */
	if (st == XF_TCP_CLOSING && d_fin && o_fin && (fl & XF_TCP_ACK) &&
	    xf_mt_seq_le(o->next_seq, p->ack) && (o->tcp_flags & XF_TCP_ACK) &&
	    xf_mt_seq_le(d->next_seq, o->last_ack))
		st = XF_TCP_CLOSED;
	return st;
}

/* d/o are the sending/receiving direction state before this packet */
static __always_inline void xf_mt_tcp_state(struct xf_flow *f, const struct xf_dir *d,
					 const struct xf_dir *o, const struct xf_pkt *p, __u32 dir)
{
	__u8 st = f->tcp_state, fl = p->tcp_flags;

	if (st == XF_TCP_RESET) {
		if (!(fl & XF_TCP_RST))
			f->tcp_state_anom |= XF_TS_AFTER_RESET;
		return;
	}
	if (st == XF_TCP_CLOSED) {
		f->tcp_state_anom |= XF_TS_AFTER_CLOSE;
		return;
	}
	if ((fl & 0x3f) == 0 || (fl & (XF_TCP_SYN | XF_TCP_FIN)) == (XF_TCP_SYN | XF_TCP_FIN))
		f->tcp_state_anom |= XF_TS_BAD_FLAGS;
	if (fl & XF_TCP_RST) {
		if (st == XF_TCP_NEW)
			f->tcp_state_anom |= XF_TS_NO_SYN;
		if (st == XF_TCP_SYN_SENT && dir == 1)
			f->tcp_state_anom |= XF_TS_SCAN;
		f->tcp_state_anom |= dir ? XF_TS_RST_BY_B : XF_TS_RST_BY_A;
		f->tcp_state = XF_TCP_RESET;
		return;
	}
	if (st < XF_TCP_FIN_WAIT || (fl & XF_TCP_SYN))
		st = xf_mt_tcp_open(f, d, p, dir, st);
	f->tcp_state = xf_mt_tcp_close(f, d, o, p, st);
}

/* ------------------------------------------------------------- update --- */

static __always_inline void xf_meter_tcp(struct xf_flow *f, struct xf_dir *d, struct xf_dir *o,
					 const struct xf_pkt *p, __u32 dir, const struct xf_cfg *cfg)
{
	if (cfg->modules & XF_MOD_TCP_STATES)
		xf_mt_tcp_state(f, d, o, p, dir);
	d->tcp_anomaly |= xf_mt_tcp_flag_anomaly(p->tcp_flags);
	xf_mt_tcp_count_opts(d, p);
	xf_mt_tcp_ack(d, o, p);
	xf_mt_tcp_seq(d, o, p);
	xf_mt_tcp_window(d, p);
	d->tcp_flags |= p->tcp_flags;
	d->ack_pkts += !!(p->tcp_flags & XF_TCP_ACK);
	d->tcp_pkts++;
}

static __always_inline __u64 xf_meter_update(struct xf_flow *f, const struct xf_pkt *p,
					     __u32 dir, __u64 ts, const struct xf_cfg *cfg)
{
	struct xf_dir *d = dir ? &f->dir[1] : &f->dir[0];
	struct xf_dir *o = dir ? &f->dir[0] : &f->dir[1];
	__u64 iat;

	if (d->pkts == 0) {
		__builtin_memcpy(d->smac, p->smac, 6);
		__builtin_memcpy(d->dmac, p->dmac, 6);
	}
	iat = xf_mt_count_basic(f, d, ts, xf_mt_pkt_size(p, cfg), p->l7_len);
	xf_mt_count_ip(d, p);
	xf_mt_count_hdr(f, p);
	f->stat |= xf_mt_flow_stat(p->status);
	if ((cfg->modules & (XF_MOD_TCP_FLAGS | XF_MOD_TCP_STATES)) &&
	    (p->status & XF_PS_HAS_L4) && xf_mt_is_tcp(p))
		xf_meter_tcp(f, d, o, p, dir, cfg);
	return iat;
}

#endif /* XDPFLOW_METER_H */
