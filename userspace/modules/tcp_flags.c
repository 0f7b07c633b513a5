/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_flags.c - T2's tcpFlags: IP header statistics (TTL, IP ID, ToS, flags,
 * options) and the TCP analysis of the shared meter (flags, anomalies,
 * sequence and ACK faults, retransmissions, windows, options) for what this
 * line's side sent (f.dir[dir]).
 *
 * Non-TCP flows print 0 in every tcp* column (0x0.. for hex ones); L2 flows
 * also print 0 in the ip* columns: the meter never touches those fields.
 * Windows are the raw 16-bit header field, without window scaling; RST
 * segments are not part of the window statistics.
 *
 * tcpFStat (this module's own status bits, per direction):
 *   0x0001 TCP segments with a header were seen (the tcp* columns are valid)
 *   0x0002 a SYN was seen: tcpISeqN is a true initial sequence number
 *   0x0004 window scale option seen (tcpWS valid)
 *   0x0008 MSS option seen (tcpMSS valid)
 *   0x0010 sequence numbers wrapped past 2^32
 *   0x0020 IPv4 ID deltas valid (two or more IPv4 packets)
 */
#include <xdpflow/meter.h>       /* XF_TCP_* flag bits */
#include "flow_stats.h"
#include "module.h"

#define TFS_TCP        0x0001
#define TFS_SYN        0x0002
#define TFS_WS         0x0004
#define TFS_MSS        0x0008
#define TFS_SEQ_WRAP   0x0010
#define TFS_DIPID      0x0020

static const struct xf_dir *snt(const struct xf_flow_ctx *fc, int dir)
{
	return &fc->f.dir[dir ? 1 : 0];
}

static uint64_t tcp_fstat(const struct xf_flow_ctx *fc, const struct xf_dir *d)
{
	uint64_t s = 0;

	if (d->tcp_pkts)
		s |= TFS_TCP;
	if (d->tcp_flags & XF_TCP_SYN)
		s |= TFS_SYN;
	if (d->tcp_opts & XF_TO_WSCALE)
		s |= TFS_WS;
	if (d->tcp_opts & XF_TO_MSS)
		s |= TFS_MSS;
	if (d->tcp_anomaly & XF_TA_SEQ_WRAP)
		s |= TFS_SEQ_WRAP;
	if ((fc->f.stat & XF_FS_IPV4) && d->ip_pkts > 1)
		s |= TFS_DIPID;
	return s;
}

/* one formatter per column of the sending side d: name, how to print */
#define DIR_COL(fn, print)                                                        \
	static void fn(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)    \
	{                                                                               \
		const struct xf_dir *d = snt(fc, dir);                                  \
		(void)d;                                                                \
		print;                                                                  \
	}
#define U(fn, expr)      DIR_COL(fn, xf_ob_u64(ob, (expr)))
#define H(fn, n, expr)   DIR_COL(fn, xf_ob_hex(ob, (expr), n))

H(fmt_fstat, 4, tcp_fstat(fc, d))
U(fmt_min_dipid, (fc->f.stat & XF_FS_IPV4) && d->ip_pkts > 1 ? d->min_dipid : 0)
U(fmt_max_dipid, (fc->f.stat & XF_FS_IPV4) && d->ip_pkts > 1 ? d->max_dipid : 0)
U(fmt_min_ttl, d->min_ttl)
U(fmt_max_ttl, d->max_ttl)
U(fmt_ttl_chg, d->ttl_chg)
H(fmt_tos, 2, d->tos_or)
H(fmt_ip_flags, 2, d->ip_flags)
U(fmt_ip_opt_cnt, d->ip_opt_pkts)
U(fmt_isn, d->isn)
U(fmt_pseq_cnt, d->seq_pkts)
U(fmt_seq_bytes, d->seq_bytes)
U(fmt_seq_faults, d->seq_faults)
U(fmt_pack_cnt, d->ack_pkts)
U(fmt_ack_faults, d->ack_faults)
U(fmt_win_init, d->win_init)
DIR_COL(fmt_win_ave, xf_ob_double(ob, xf_fs_ave_win(d)))
U(fmt_win_min, d->win_min)
U(fmt_win_max, d->win_max)
U(fmt_win_down, d->win_down)
U(fmt_win_up, d->win_up)
U(fmt_win_chgdir, d->win_chgdir)
H(fmt_flags, 2, d->tcp_flags)
H(fmt_anomaly, 8, d->tcp_anomaly)
U(fmt_opt_pkts, d->tcp_opt_pkts)
H(fmt_options, 4, d->tcp_opts)
U(fmt_mss, d->mss)
U(fmt_ws, d->wscale)
U(fmt_retrans, d->retrans)
U(fmt_ooo, d->ooo)
U(fmt_dup_acks, d->dup_acks)
U(fmt_zero_win, d->zero_win)

static const struct xf_column tf_columns[] = {
	{ "tcpFStat", "H16", "tcpFlags status (see docs: 0x1 TCP seen, 0x2 SYN seen, 0x4 WS, 0x8 MSS, 0x10 seq wrap, 0x20 IP ID deltas valid)", XF_J_STR, fmt_fstat, NULL },
	{ "ipMindIPID", "U16", "Minimum IPv4 ID delta between consecutive packets", XF_J_NUM, fmt_min_dipid, NULL },
	{ "ipMaxdIPID", "U16", "Maximum IPv4 ID delta between consecutive packets", XF_J_NUM, fmt_max_dipid, NULL },
	{ "ipMinTTL", "U8", "Minimum IP TTL / hop limit", XF_J_NUM, fmt_min_ttl, NULL },
	{ "ipMaxTTL", "U8", "Maximum IP TTL / hop limit", XF_J_NUM, fmt_max_ttl, NULL },
	{ "ipTTLChg", "U16", "Number of IP TTL changes", XF_J_NUM, fmt_ttl_chg, NULL },
	{ "ipToS", "H8", "IP type of service / traffic class, ORed", XF_J_STR, fmt_tos, NULL },
	{ "ipFlags", "H8", "IP flags ORed: 0x1 MF, 0x2 DF, 0x4 reserved bit, 0x8 fragment offset != 0", XF_J_STR, fmt_ip_flags, NULL },
	{ "ipOptCnt", "U32", "Packets with IPv4 options / IPv6 extension headers", XF_J_NUM, fmt_ip_opt_cnt, NULL },
	{ "tcpISeqN", "U32", "TCP initial sequence number (first segment seen)", XF_J_NUM, fmt_isn, NULL },
	{ "tcpPSeqCnt", "U32", "TCP segments that carried new data (advanced the sequence)", XF_J_NUM, fmt_pseq_cnt, NULL },
	{ "tcpSeqSntBytes", "U64", "TCP payload bytes sent according to sequence numbers (gaps included, retransmissions not)", XF_J_NUM, fmt_seq_bytes, NULL },
	{ "tcpSeqFaultCnt", "U32", "TCP sequence faults (retransmissions + out of order)", XF_J_NUM, fmt_seq_faults, NULL },
	{ "tcpPAckCnt", "U32", "TCP segments with the ACK flag", XF_J_NUM, fmt_pack_cnt, NULL },
	{ "tcpAckFaultCnt", "U32", "TCP ACK number went backwards", XF_J_NUM, fmt_ack_faults, NULL },
	{ "tcpInitWinSz", "U32", "TCP initial window (raw, unscaled)", XF_J_NUM, fmt_win_init, NULL },
	{ "tcpAveWinSz", "F", "TCP average window (raw, unscaled; RSTs excluded)", XF_J_NUM, fmt_win_ave, NULL },
	{ "tcpMinWinSz", "U32", "TCP minimum window (raw)", XF_J_NUM, fmt_win_min, NULL },
	{ "tcpMaxWinSz", "U32", "TCP maximum window (raw)", XF_J_NUM, fmt_win_max, NULL },
	{ "tcpWinSzDwnCnt", "U32", "TCP window decreases", XF_J_NUM, fmt_win_down, NULL },
	{ "tcpWinSzUpCnt", "U32", "TCP window increases", XF_J_NUM, fmt_win_up, NULL },
	{ "tcpWinSzChgDirCnt", "U32", "TCP window changes of direction (up <-> down)", XF_J_NUM, fmt_win_chgdir, NULL },
	{ "tcpFlags", "H8", "TCP flags ORed (CWR ECE URG ACK PSH RST SYN FIN)", XF_J_STR, fmt_flags, NULL },
	{ "tcpAnomaly", "H32", "TCP anomalies (see docs: flag combinations, retransmission, out of order, ...)", XF_J_STR, fmt_anomaly, NULL },
	{ "tcpOptPktCnt", "U32", "TCP segments with options", XF_J_NUM, fmt_opt_pkts, NULL },
	{ "tcpOptions", "H16", "TCP options seen: 0x1 MSS, 0x2 WS, 0x4 SACK-perm, 0x8 SACK, 0x10 TS, 0x20 MPTCP, 0x40 TFO, 0x80 other, 0x100 corrupt", XF_J_STR, fmt_options, NULL },
	{ "tcpMSS", "U16", "TCP maximum segment size (from SYN)", XF_J_NUM, fmt_mss, NULL },
	{ "tcpWS", "U8", "TCP window scale shift (from SYN)", XF_J_NUM, fmt_ws, NULL },
	{ "tcpRetransCnt", "U32", "TCP retransmitted segments (entirely below the highest sequence sent)", XF_J_NUM, fmt_retrans, NULL },
	{ "tcpOooCnt", "U32", "TCP out-of-order segments (a gap before them)", XF_J_NUM, fmt_ooo, NULL },
	{ "tcpDupAckCnt", "U32", "TCP duplicate ACKs", XF_J_NUM, fmt_dup_acks, NULL },
	{ "tcpZeroWinCnt", "U32", "TCP zero-window advertisements", XF_J_NUM, fmt_zero_win, NULL },
};

/* ---- packet mode (-s): the packet's own IP and TCP fields ---- */

static int pkt_is_tcp(const struct xf_pkt *p)
{
	return p->l4_proto == 6 && p->ip_ver && (p->status & XF_PS_HAS_L4);
}

#define PKT_COL(fn, print)                                                      \
	static void fn(struct xf_outbuf *ob, const struct xf_pkt_view *pv)      \
	{                                                                       \
		const struct xf_pkt *p = pv->p;                                 \
		print;                                                          \
	}

PKT_COL(pk_tos, xf_ob_hex(ob, p->ip_ver ? p->tos : 0, 2))
PKT_COL(pk_ipid, xf_ob_u64(ob, p->ip_ver == 4 ? p->ipid : 0))
PKT_COL(pk_ttl, xf_ob_u64(ob, p->ip_ver ? p->ttl : 0))
PKT_COL(pk_ip_flags, xf_ob_hex(ob, p->ip_ver ? p->ip_flags : 0, 2))
PKT_COL(pk_seq, xf_ob_u64(ob, pkt_is_tcp(p) ? p->seq : 0))
PKT_COL(pk_ack, xf_ob_u64(ob, pkt_is_tcp(p) ? p->ack : 0))
PKT_COL(pk_flags, xf_ob_hex(ob, pkt_is_tcp(p) ? p->tcp_flags : 0, 2))
PKT_COL(pk_win, xf_ob_u64(ob, pkt_is_tcp(p) ? p->tcp_win : 0))

static const struct xf_pkt_column tf_pkt_columns[] = {
	{ "ipToS", "H8", "IP type of service / traffic class", XF_J_STR, pk_tos },
	{ "ipID", "U16", "IPv4 identification", XF_J_NUM, pk_ipid },
	{ "ipTTL", "U8", "IP TTL / hop limit", XF_J_NUM, pk_ttl },
	{ "ipFlags", "H8", "IP flags (as the flow column)", XF_J_STR, pk_ip_flags },
	{ "seq", "U32", "TCP sequence number (0: not TCP)", XF_J_NUM, pk_seq },
	{ "ack", "U32", "TCP acknowledgement number", XF_J_NUM, pk_ack },
	{ "tcpFlags", "H8", "TCP flags", XF_J_STR, pk_flags },
	{ "tcpWin", "U16", "TCP window (raw)", XF_J_NUM, pk_win },
};

static struct xf_module tcp_flags = {
	.name = "tcpFlags",
	.desc = "IP header statistics and TCP flags, anomalies, sequence/ACK analysis, windows",
	.default_on = 1,
	.meter_bit = XF_MOD_TCP_FLAGS,
	.columns = tf_columns,
	.ncolumns = sizeof(tf_columns) / sizeof(tf_columns[0]),
	.pkt_columns = tf_pkt_columns,
	.npkt_columns = sizeof(tf_pkt_columns) / sizeof(tf_pkt_columns[0]),
};
XF_MODULE(tcp_flags)
