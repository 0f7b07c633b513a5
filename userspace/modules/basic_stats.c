/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * basic_stats.c - T2's basicStats: packet and byte counts, packet size and
 * inter-arrival time statistics, rates and asymmetry, per flow direction.
 * "Snt" is what this line's side sent (f.dir[dir]), "Rcvd" what it received
 * (f.dir[!dir]).  Which byte counts is BYTE_LAYER (the meter's setting).
 * The derived values come from flow_stats.c (definitions there); a direction
 * without packets, or a flow of one packet, prints 0, never NaN.
 */
#include "flow_stats.h"
#include "module.h"

static const struct xf_dir *snt(const struct xf_flow_ctx *fc, int dir)
{
	return &fc->f.dir[dir ? 1 : 0];
}

static const struct xf_dir *rcvd(const struct xf_flow_ctx *fc, int dir)
{
	return &fc->f.dir[dir ? 0 : 1];
}

static void fmt_pkts_snt(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_u64(ob, snt(fc, dir)->pkts);
}

static void fmt_pkts_rcvd(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_u64(ob, rcvd(fc, dir)->pkts);
}

static void fmt_bytes_snt(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_u64(ob, snt(fc, dir)->bytes);
}

static void fmt_bytes_rcvd(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_u64(ob, rcvd(fc, dir)->bytes);
}

static void fmt_min_sz(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_u64(ob, snt(fc, dir)->pkts ? snt(fc, dir)->min_sz : 0);
}

static void fmt_max_sz(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_u64(ob, snt(fc, dir)->max_sz);
}

static void fmt_ave_sz(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_double(ob, xf_fs_ave_size(snt(fc, dir)));
}

static void fmt_std_sz(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_double(ob, xf_fs_std_size(snt(fc, dir)));
}

static void fmt_min_iat(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_double(ob, xf_fs_min_iat(snt(fc, dir)));
}

static void fmt_max_iat(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_double(ob, xf_fs_max_iat(snt(fc, dir)));
}

static void fmt_ave_iat(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_double(ob, xf_fs_ave_iat(snt(fc, dir)));
}

static void fmt_std_iat(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_double(ob, xf_fs_std_iat(snt(fc, dir)));
}

static void fmt_pktps(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_double(ob, xf_fs_rate(snt(fc, dir)->pkts, &fc->f));
}

static void fmt_bytps(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_double(ob, xf_fs_rate(snt(fc, dir)->bytes, &fc->f));
}

static void fmt_pkt_asm(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_double(ob, xf_fs_asym(snt(fc, dir)->pkts, rcvd(fc, dir)->pkts));
}

static void fmt_byt_asm(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_double(ob, xf_fs_asym(snt(fc, dir)->bytes, rcvd(fc, dir)->bytes));
}

static const struct xf_column bs_columns[] = {
	{ "numPktsSnt", "U64", "Number of packets sent", XF_J_NUM, fmt_pkts_snt, NULL },
	{ "numPktsRcvd", "U64", "Number of packets received", XF_J_NUM, fmt_pkts_rcvd, NULL },
	{ "numBytesSnt", "U64", "Number of bytes sent (layer per BYTE_LAYER)", XF_J_NUM, fmt_bytes_snt, NULL },
	{ "numBytesRcvd", "U64", "Number of bytes received (layer per BYTE_LAYER)", XF_J_NUM, fmt_bytes_rcvd, NULL },
	{ "minPktSz", "U32", "Minimum packet size sent (0 without packets)", XF_J_NUM, fmt_min_sz, NULL },
	{ "maxPktSz", "U32", "Maximum packet size sent", XF_J_NUM, fmt_max_sz, NULL },
	{ "avePktSize", "F", "Average packet size sent", XF_J_NUM, fmt_ave_sz, NULL },
	{ "stdPktSize", "F", "Standard deviation of the packet size sent (population)", XF_J_NUM, fmt_std_sz, NULL },
	{ "minIAT", "F", "Minimum inter-arrival time (s; 0 with fewer than 2 packets)", XF_J_NUM, fmt_min_iat, NULL },
	{ "maxIAT", "F", "Maximum inter-arrival time (s)", XF_J_NUM, fmt_max_iat, NULL },
	{ "aveIAT", "F", "Average inter-arrival time (s)", XF_J_NUM, fmt_ave_iat, NULL },
	{ "stdIAT", "F", "Standard deviation of the inter-arrival time (s, population)", XF_J_NUM, fmt_std_iat, NULL },
	{ "pktps", "F", "Sent packets per second of flow duration (0 if duration is 0)", XF_J_NUM, fmt_pktps, NULL },
	{ "bytps", "F", "Sent bytes per second of flow duration (0 if duration is 0)", XF_J_NUM, fmt_bytps, NULL },
	{ "pktAsm", "F", "Packet stream asymmetry (snt-rcvd)/(snt+rcvd)", XF_J_NUM, fmt_pkt_asm, NULL },
	{ "bytAsm", "F", "Byte stream asymmetry (snt-rcvd)/(snt+rcvd)", XF_J_NUM, fmt_byt_asm, NULL },
};

static struct xf_module basic_stats = {
	.name = "basicStats",
	.desc = "packet/byte counts, size and inter-arrival statistics, rates, asymmetry",
	.default_on = 1,
	.meter_bit = XF_MOD_BASIC_STATS,
	.columns = bs_columns,
	.ncolumns = sizeof(bs_columns) / sizeof(bs_columns[0]),
};
XF_MODULE(basic_stats)
