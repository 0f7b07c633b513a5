/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow.h - the userspace view of a flow and of a packet, common to both
 * engines.  Everything after the meter (finalization, modules, sinks,
 * reassembly) sees only these.
 */
#ifndef XF_FLOW_H
#define XF_FLOW_H

#include <stdint.h>
#include <xdpflow/abi.h>

#define XF_MAX_MODULES 16

/* A flow as userspace holds it: the shared record plus its key and the
 * per-module state slots (payload dumper files, reassemblers, ...). */
struct xf_flow_ctx {
	struct xf_flow     f;                     /* the meter's record (as in the BPF map) */
	struct xf_flow_key key;
	uint32_t           end_reason;            /* XF_FS_* bit that ended it */
	void              *mod[XF_MAX_MODULES];   /* module state, indexed by module id */
	/* flow table bookkeeping (engine-private) */
	uint32_t           lru_prev, lru_next;
	uint32_t           hnext;
	uint8_t            lru_list;
	uint8_t            in_use;
	uint16_t           pad;
};

/* One packet as the modules and packet sinks see it. */
struct xf_pkt_view {
	const struct xf_pkt *p;
	const uint8_t *frame;        /* captured bytes (kernel engine: sampled bytes) */
	uint32_t caplen;             /* bytes available in frame */
	uint32_t dir;                /* 0 = A, 1 = B */
	uint64_t ts;                 /* ns since the epoch */
	uint64_t pkt_no;             /* 1-based packet number in the input */
	uint64_t iat;                /* ns to the previous packet of the same flow direction */
	struct xf_flow_ctx *fc;      /* NULL if the packet made no flow */
	const uint8_t *l7;           /* payload bytes available (clipped to IP length) */
	uint32_t l7_caplen;
	uint32_t l7_len;             /* payload length per headers; unlike p->l7_len not capped
				      * at 0xffff (TSO / BIG TCP frames, IP length field 0) */
};

/*
 * The payload length per headers.  The parser's lengths are 16 bits and
 * saturate at 0xffff (parse.h): a TSO / BIG TCP super-frame, whose IP
 * length field is 0 ("the frame says"), can carry more (80000 bytes in
 * tcpdump's bigtcp-ipv4.pcap); its payload runs to the frame's end on the
 * wire.  Used by the packet view (payloadDumper) and by follow.
 */
static inline int xf_ip_len_zero(const struct xf_pkt *p, const uint8_t *frame, uint32_t caplen)
{
	uint32_t at = (uint32_t)p->l3_off + (p->ip_ver == 6 ? 4 : 2);   /* the length field */

	return p->ip_ver && at + 2 <= caplen && !frame[at] && !frame[at + 1];
}

static inline uint32_t xf_l7_length(const struct xf_pkt *p, const uint8_t *frame,
				    uint32_t caplen, uint32_t wire_len)
{
	if (p->l4_len != 0xffff || !xf_ip_len_zero(p, frame, caplen) || wire_len <= p->l7_off)
		return p->l7_len;
	return wire_len - p->l7_off;
}

/* Address/port of key side `side` in the flow's A/B terms. */
static inline uint32_t xf_ctx_side(const struct xf_flow_ctx *fc, int dir)
{
	return dir ? !fc->f.a_side : fc->f.a_side;
}

#endif
