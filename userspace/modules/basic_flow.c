/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * basic_flow.c - T2's basicFlow: who talked to whom, when, over what headers.
 * Also the core packet-mode columns (one line per packet with -s).
 */
#include <string.h>
#include "config.h"
#include "hdrdesc.h"
#include "module.h"

static int ts_decimals = 6;

static int bf_init(void)
{
	ts_decimals = (int)xf_cfg_int("TSTAMP_DECIMALS");
	return 0;
}

int xf_ts_decimals(void)
{
	return ts_decimals;
}

static const uint8_t *side_addr(const struct xf_flow_ctx *fc, int dir, int src)
{
	uint32_t side = xf_ctx_side(fc, dir);

	return fc->key.addr[src ? side : !side];
}

static uint16_t side_port(const struct xf_flow_ctx *fc, int dir, int src)
{
	uint32_t side = xf_ctx_side(fc, dir);

	return fc->key.port[src ? side : !side];
}

static int is_l2(const struct xf_flow_ctx *fc)
{
	return !!(fc->f.stat & XF_FS_L2_FLOW);
}

/* Each direction's own first and last packet (as in T2, where A and B are
 * two flows); a direction without packets shows the flow's. */
static void dir_times(const struct xf_flow_ctx *fc, int dir, uint64_t *first, uint64_t *last)
{
	const struct xf_dir *d = &fc->f.dir[dir];

	*first = d->pkts ? d->first_ts : fc->f.first_ts;
	*last = d->pkts ? d->last_ts : fc->f.last_ts;
	if (*last < *first)     /* the last packet went back in time */
		*last = *first;
}

static void fmt_time_first(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	uint64_t first, last;

	dir_times(fc, dir, &first, &last);
	xf_ob_time(ob, first, ts_decimals);
}

static void fmt_time_last(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	uint64_t first, last;

	dir_times(fc, dir, &first, &last);
	xf_ob_time(ob, last, ts_decimals);
}

static void fmt_duration(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	uint64_t first, last;

	dir_times(fc, dir, &first, &last);
	xf_ob_time(ob, last - first, ts_decimals);
}

static void fmt_num_hdr_desc(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_u64(ob, fc->f.num_hdr_desc);
}

static void fmt_num_hdrs(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_u64(ob, fc->f.nhdr);
}

static void fmt_hdr_desc(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_hdrdesc_format(ob, fc->f.hdr, fc->f.nhdr, fc->key.ethertype, fc->key.l4_proto);
}

/* Each direction's MACs are those of its own first packet (as in T2, where
 * the two directions are two flows): a reply may leave through another
 * router than the request came in from. */
static void fmt_src_mac(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	if (fc->f.dir[dir].pkts)
		xf_ob_mac(ob, fc->f.dir[dir].smac);
	else
		xf_ob_mac(ob, dir ? fc->f.dmac : fc->f.smac);
}

static void fmt_dst_mac(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	if (fc->f.dir[dir].pkts)
		xf_ob_mac(ob, fc->f.dir[dir].dmac);
	else
		xf_ob_mac(ob, dir ? fc->f.smac : fc->f.dmac);
}

static void fmt_eth_type(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_hex(ob, fc->key.ethertype, 4);
}

static void put_vlans(struct xf_outbuf *ob, const uint16_t *vlan, unsigned n)
{
	unsigned i;

	for (i = 0; i < n && i < XF_MAX_VLANS; i++) {
		if (i)
			xf_col_rep_sep(ob);
		xf_ob_u64(ob, vlan[i]);
	}
}

static void fmt_vlan(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	put_vlans(ob, fc->f.vlan, fc->f.nvlan);
}

static void fmt_src_ip(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	if (!is_l2(fc))
		xf_ob_ip(ob, side_addr(fc, dir, 1), fc->key.ip_ver);
}

static void fmt_dst_ip(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	if (!is_l2(fc))
		xf_ob_ip(ob, side_addr(fc, dir, 0), fc->key.ip_ver);
}

static void fmt_src_port(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_u64(ob, side_port(fc, dir, 1));
}

static void fmt_dst_port(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_u64(ob, side_port(fc, dir, 0));
}

static void fmt_l4_proto(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_u64(ob, fc->key.l4_proto);
}

static const struct xf_column bf_columns[] = {
	{ "timeFirst", "U64.U32", "Time of this direction's first packet (seconds since the epoch, UTC)", XF_J_NUM, fmt_time_first },
	{ "timeLast", "U64.U32", "Time of this direction's last packet", XF_J_NUM, fmt_time_last },
	{ "duration", "U64.U32", "Duration of this direction (last - first packet, seconds)", XF_J_NUM, fmt_duration },
	{ "numHdrDesc", "U8", "Number of different header descriptions", XF_J_NUM, fmt_num_hdr_desc },
	{ "numHdrs", "U16", "Number of headers (depth) in hdrDesc", XF_J_NUM, fmt_num_hdrs },
	{ "hdrDesc", "S", "Header description of the first packet", XF_J_STR, fmt_hdr_desc },
	{ "srcMac", "MAC", "Source MAC address", XF_J_STR, fmt_src_mac },
	{ "dstMac", "MAC", "Destination MAC address", XF_J_STR, fmt_dst_mac },
	{ "ethType", "H16", "Ethernet type (innermost)", XF_J_STR, fmt_eth_type },
	{ "ethVlanID", "R(U16)", "VLAN IDs, outer first", XF_J_NUMARR, fmt_vlan },
	{ "srcIP", "IPX", "Source IP address (empty for L2 flows)", XF_J_STR, fmt_src_ip },
	{ "srcPort", "U16", "Source port (ICMP echo: identifier)", XF_J_NUM, fmt_src_port },
	{ "dstIP", "IPX", "Destination IP address (empty for L2 flows)", XF_J_STR, fmt_dst_ip },
	{ "dstPort", "U16", "Destination port (ICMP echo: identifier)", XF_J_NUM, fmt_dst_port },
	{ "l4Proto", "U8", "Layer 4 protocol", XF_J_NUM, fmt_l4_proto },
};

/* ---- packet mode columns ---- */

static void pk_no(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	xf_ob_u64(ob, pv->pkt_no);
}

static void pk_flow_ind(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	if (pv->fc)
		xf_ob_u64(ob, pv->fc->f.index);
	else
		xf_ob_putc(ob, '0');
}

static void pk_flow_stat(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	uint64_t st = pv->fc ? pv->fc->f.stat | (pv->dir ? XF_FS_DIR_B : 0) : 0;

	xf_ob_hex(ob, st, 16);
}

static void pk_time(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	xf_ob_time(ob, pv->ts, ts_decimals);
}

static void pk_iat(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	xf_ob_time(ob, pv->iat, ts_decimals);
}

static void pk_duration(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	uint64_t d = 0;

	if (pv->fc && pv->ts > pv->fc->f.first_ts)
		d = pv->ts - pv->fc->f.first_ts;
	xf_ob_time(ob, d, ts_decimals);
}

static void pk_num_hdrs(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	xf_ob_u64(ob, pv->p->nhdr);
}

static void pk_hdr_desc(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	xf_hdrdesc_format(ob, pv->p->hdr, pv->p->nhdr, pv->p->ethertype, pv->p->l4_proto);
}

static void pk_vlan(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	put_vlans(ob, pv->p->vlan, pv->p->nvlan);
}

static void pk_src_mac(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	xf_ob_mac(ob, pv->p->smac);
}

static void pk_dst_mac(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	xf_ob_mac(ob, pv->p->dmac);
}

static void pk_eth_type(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	xf_ob_hex(ob, pv->p->ethertype, 4);
}

static void pk_src_ip(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	if (pv->p->ip_ver)
		xf_ob_ip(ob, pv->p->src, pv->p->ip_ver);
}

static void pk_dst_ip(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	if (pv->p->ip_ver)
		xf_ob_ip(ob, pv->p->dst, pv->p->ip_ver);
}

static void pk_src_port(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	xf_ob_u64(ob, pv->p->sport);
}

static void pk_dst_port(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	xf_ob_u64(ob, pv->p->dport);
}

static void pk_l4_proto(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	xf_ob_u64(ob, pv->p->l4_proto);
}

static void pk_dir(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	xf_ob_putc(ob, pv->fc ? (pv->dir ? 'B' : 'A') : '-');
}

static void pk_pkt_len(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	xf_ob_u64(ob, pv->p->wire_len);
}

static void pk_l7_len(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	xf_ob_u64(ob, pv->p->l7_len);
}

static const struct xf_pkt_column bf_pkt_columns[] = {
	{ "pktNo", "U64", "Packet number in the input", XF_J_NUM, pk_no },
	{ "flowInd", "U64", "Flow index (0: the packet made no flow)", XF_J_NUM, pk_flow_ind },
	{ "flowStat", "H64", "Flow status at this packet", XF_J_STR, pk_flow_stat },
	{ "dir", "C", "Direction of the packet in its flow (A/B)", XF_J_STR, pk_dir },
	{ "time", "U64.U32", "Time of the packet", XF_J_NUM, pk_time },
	{ "pktIAT", "U64.U32", "Time since the previous packet of the same flow direction", XF_J_NUM, pk_iat },
	{ "flowDuration", "U64.U32", "Time since the flow's first packet", XF_J_NUM, pk_duration },
	{ "numHdrs", "U8", "Number of headers", XF_J_NUM, pk_num_hdrs },
	{ "hdrDesc", "S", "Header description", XF_J_STR, pk_hdr_desc },
	{ "ethVlanID", "R(U16)", "VLAN IDs", XF_J_NUMARR, pk_vlan },
	{ "srcMac", "MAC", "Source MAC", XF_J_STR, pk_src_mac },
	{ "dstMac", "MAC", "Destination MAC", XF_J_STR, pk_dst_mac },
	{ "ethType", "H16", "Ethernet type", XF_J_STR, pk_eth_type },
	{ "srcIP", "IPX", "Source IP", XF_J_STR, pk_src_ip },
	{ "srcPort", "U16", "Source port", XF_J_NUM, pk_src_port },
	{ "dstIP", "IPX", "Destination IP", XF_J_STR, pk_dst_ip },
	{ "dstPort", "U16", "Destination port", XF_J_NUM, pk_dst_port },
	{ "l4Proto", "U8", "Layer 4 protocol", XF_J_NUM, pk_l4_proto },
	{ "pktLen", "U32", "Frame length on the wire", XF_J_NUM, pk_pkt_len },
	{ "l7Len", "U16", "Payload length per the headers", XF_J_NUM, pk_l7_len },
};

static struct xf_module basic_flow = {
	.name = "basicFlow",
	.desc = "flow identity: time, headers, addresses, ports, protocol",
	.default_on = 1,
	.meter_bit = XF_MOD_BASIC_FLOW,
	.columns = bf_columns,
	.ncolumns = sizeof(bf_columns) / sizeof(bf_columns[0]),
	.pkt_columns = bf_pkt_columns,
	.npkt_columns = sizeof(bf_pkt_columns) / sizeof(bf_pkt_columns[0]),
	.init = bf_init,
};
XF_MODULE(basic_flow)
