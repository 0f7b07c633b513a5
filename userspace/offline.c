/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * offline.c - see offline.h.  Per packet: parse, count, find the flow of a
 * later IP fragment through the fragment table, make the key, look the flow
 * up (or create it, evicting the least recently seen flow when the table is
 * full), cut it on the active timeout, meter it, and move it to the closing
 * list when its TCP connection is over.  Expiry runs on packet time, before
 * each packet, exactly as the kernel engine's replay does, so both engines
 * end the same flows at the same packets.
 */
#include <stdlib.h>
#include <string.h>
#include <xdpflow/parse.h>
#include <xdpflow/meter.h>
#include "collector.h"
#include "config.h"
#include "flow_table.h"
#include "log.h"
#include "offline.h"
#include "stats.h"

/* Fragment table: the ports of a datagram's first fragment, for its later
 * fragments.  Direct-mapped and bounded: a head that displaces another
 * datagram's is counted (its later fragments then have no head). */
#define FRAG_SLOTS 65536

struct frag_slot {
	struct xf_frag_key key;
	struct xf_frag_val val;
	uint8_t used;
};

static struct {
	struct xf_flow_table *ft;
	struct frag_slot *frags;
	struct xf_cfg cfg;
	uint64_t idle_ns, active_ns, close_ns, frag_ns;
	int early_end;
	uint64_t next_index;
	uint64_t pkt_no;
	uint64_t last_ts;           /* newest packet time seen */
	uint64_t frag_displaced;
	uint64_t oom_pkts;          /* packets not metered: no memory for their flow */
} off;

static struct xf_loss_counter loss_frag = { "fragment heads displaced (table full)", &off.frag_displaced, NULL };
static struct xf_loss_counter loss_oom = { "packets not metered (out of memory for a flow)", &off.oom_pkts, NULL };
static struct xf_loss_counter loss_evict = { "flows ended early (MAX_FLOWS reached)", &xf_stats.flows_evicted, NULL };

static uint64_t ns_of(double s)
{
	return (uint64_t)(s * 1e9 + 0.5);
}

int xf_linktype_supported(int linktype)
{
	switch (linktype) {
	case XF_DLT_NULL: case XF_DLT_EN10MB: case XF_DLT_RAW: case XF_DLT_RAW_ALT:
	case XF_DLT_LOOP: case XF_DLT_RAW101: case XF_DLT_LINUX_SLL: case XF_DLT_IPV4:
	case XF_DLT_IPV6: case XF_DLT_LINUX_SLL2:
		return 1;
	}
	return 0;
}

int xf_offline_open(void)
{
	memset(&off, 0, sizeof(off));
	xf_cfg_from_settings(&off.cfg);
	off.idle_ns = ns_of(xf_cfg_double("FLOW_TIMEOUT"));
	off.active_ns = ns_of(xf_cfg_double("FLOW_ACTIVE_TIMEOUT"));
	off.close_ns = ns_of(xf_cfg_double("TCP_CLOSE_TIMEOUT"));
	off.frag_ns = ns_of(xf_cfg_double("FRAG_TIMEOUT"));
	off.early_end = xf_cfg_bool("TCP_EARLY_END");
	off.ft = xf_ft_new((size_t)xf_cfg_int("MAX_FLOWS"));
	off.frags = calloc(FRAG_SLOTS, sizeof(*off.frags));
	if (!off.ft || !off.frags) {
		pr_err("-D MAX_FLOWS=%lld: cannot allocate the flow table", (long long)xf_cfg_int("MAX_FLOWS"));
		xf_offline_close();
		return -1;
	}
	xf_loss_register(&loss_frag);
	xf_loss_register(&loss_oom);
	xf_loss_register(&loss_evict);
	return 0;
}

void xf_offline_close(void)
{
	xf_ft_free(off.ft);
	free(off.frags);
	off.ft = NULL;
	off.frags = NULL;
}

/* ------------------------------------------------------------ counting */

static void count_packet(const struct xf_pkt *p)
{
	struct xf_stats *s = &xf_stats;

	s->pkts++;
	s->bytes_wire += p->wire_len;
	s->bytes_cap += p->cap_len;
	s->parse[p->reason < XF_PR__COUNT ? p->reason : XF_PR_MALFORMED]++;
	if (p->status & XF_PS_SNAPPED)
		s->snapped++;
	if (p->status & XF_PS_BAD_IPCSUM)
		s->bad_ipcsum++;
	if (p->status & XF_PS_FRAG)
		s->pkts_frag++;
	if (p->ip_ver == 4)
		s->pkts_v4++;
	else if (p->ip_ver == 6)
		s->pkts_v6++;
	else
		s->pkts_l2++;
	if (!p->ip_ver)
		return;
	switch (p->l4_proto) {
	case 6:   s->pkts_tcp++; break;
	case 17:  s->pkts_udp++; break;
	case 1: case 58: s->pkts_icmp++; break;
	case 132: s->pkts_sctp++; break;
	default:  s->pkts_other_l4++; break;
	}
}

/* ----------------------------------------------------------- fragments */

static struct frag_slot *frag_slot(const struct xf_frag_key *k)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const uint8_t *b = (const uint8_t *)k;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return &off.frags[(h ^ (h >> 29)) & (FRAG_SLOTS - 1)];
}

/* Later fragments take the ports their first fragment left; returns 1 when
 * that first fragment was not seen (or too long ago). */
static int frag_ports(struct xf_pkt *p, uint64_t ts)
{
	struct xf_frag_key k;
	struct frag_slot *s;

	if (!(p->status & XF_PS_FRAG))
		return 0;
	xf_frag_key_make(p, &k);
	s = frag_slot(&k);
	if (p->status & XF_PS_FRAG_FIRST) {
		if (s->used && memcmp(&s->key, &k, sizeof(k)) &&
		    ts - s->val.ts <= off.frag_ns && ts >= s->val.ts)
			off.frag_displaced++;
		s->key = k;
		s->val.sport = p->sport;
		s->val.dport = p->dport;
		s->val.ts = ts;
		s->used = 1;
		return 0;
	}
	if (!s->used || memcmp(&s->key, &k, sizeof(k)) || ts - s->val.ts > off.frag_ns) {
		xf_stats.frag_nohead++;
		return 1;
	}
	p->sport = s->val.sport;
	p->dport = s->val.dport;
	return 0;
}

/* ---------------------------------------------------------------- flows */

static void end_flow(struct xf_flow_ctx *fc, uint64_t reason)
{
	xf_collector_finalize(fc, reason);
	xf_ft_remove(off.ft, fc);
	xf_stats.flows_in_mem = xf_ft_count(off.ft);
}

void xf_offline_expire(uint64_t now)
{
	struct xf_flow_ctx *fc;

	while ((fc = xf_ft_oldest(off.ft, XF_LIST_CLOSING)) && fc->f.last_ts + off.close_ns <= now)
		end_flow(fc, XF_FS_TCP_END);
	while ((fc = xf_ft_oldest(off.ft, XF_LIST_ACTIVE)) && fc->f.last_ts + off.idle_ns <= now)
		end_flow(fc, XF_FS_IDLE_END);
}

/* The table is full: the least recently seen flow (closing ones first) ends. */
static void evict_one(void)
{
	struct xf_flow_ctx *fc = xf_ft_oldest(off.ft, XF_LIST_CLOSING);

	if (!fc)
		fc = xf_ft_oldest(off.ft, XF_LIST_ACTIVE);
	if (fc) {
		xf_stats.flows_evicted++;
		end_flow(fc, XF_FS_EVICTED);
	}
}

static struct xf_flow_ctx *flow_get(const struct xf_flow_key *k, const struct xf_pkt *p,
				    uint32_t side, uint64_t ts)
{
	uint64_t h = xf_ft_hash(k);
	struct xf_flow_ctx *fc = xf_ft_lookup(off.ft, k, h);
	int continued = 0;

	if (fc && off.active_ns && ts >= fc->f.first_ts + off.active_ns) {
		end_flow(fc, XF_FS_ACTIVE_END);
		fc = NULL;
		continued = 1;
	}
	if (fc)
		return fc;
	fc = xf_ft_insert(off.ft, k, h);
	if (!fc) {
		evict_one();
		fc = xf_ft_insert(off.ft, k, h);
		if (!fc) {
			if (!off.oom_pkts++)
				pr_err("flow table: out of memory at packet %llu (such packets are counted, not metered)",
				       (unsigned long long)off.pkt_no);
			return NULL;
		}
	}
	xf_flow_init(&fc->f, p, side, ts, ++off.next_index);
	if (continued)
		fc->f.stat |= XF_FS_CONTINUED;
	xf_stats.flows++;
	xf_stats.flows_in_mem = xf_ft_count(off.ft);
	if (xf_stats.flows_in_mem > xf_stats.flows_in_mem_max)
		xf_stats.flows_in_mem_max = xf_stats.flows_in_mem;
	return fc;
}

void xf_offline_packet(const uint8_t *frame, uint32_t caplen, uint32_t wire_len,
		       uint64_t ts, int linktype)
{
	struct xf_pkt p;
	struct xf_flow_key k;
	struct xf_pkt_view pv;
	int nohead;
	uint32_t side;

	off.pkt_no++;
	xf_offline_expire(ts);
	if (ts > off.last_ts)
		off.last_ts = ts;
	else if (ts < off.last_ts)
		xf_stats.time_jumps++;
	xf_parse(frame, frame + caplen, caplen, (uint32_t)linktype, &off.cfg, &p);
	p.wire_len = wire_len;
	p.cap_len = caplen;
	count_packet(&p);
	nohead = frag_ports(&p, ts);
	xf_pkt_view_init(&pv, &p, frame, caplen, ts, off.pkt_no);
	if (!xf_pkt_makes_flow(&p, &off.cfg)) {
		xf_stats.no_flow++;
		xf_collector_packet(&pv);
		return;
	}
	side = xf_flow_key_make(&p, &off.cfg, &k);
	pv.fc = flow_get(&k, &p, side, ts);
	if (!pv.fc) {
		xf_stats.no_flow++;
		xf_collector_packet(&pv);
		return;
	}
	pv.dir = xf_flow_dir(&pv.fc->f, side);
	pv.iat = xf_meter_update(&pv.fc->f, &p, pv.dir, ts, &off.cfg);
	if (nohead)
		pv.fc->f.stat |= XF_FS_FRAG_NOHEAD;
	if (pv.dir) {
		xf_stats.pkts_b++;
		xf_stats.bytes_b += wire_len;
	} else {
		xf_stats.pkts_a++;
		xf_stats.bytes_a += wire_len;
	}
	xf_ft_touch(off.ft, pv.fc, off.early_end && xf_flow_tcp_done(&pv.fc->f) ?
		    XF_LIST_CLOSING : XF_LIST_ACTIVE);
	xf_collector_packet(&pv);
}

void xf_offline_flush(void)
{
	struct xf_flow_ctx *a, *c;

	/* least recently seen first, across both lists, as expiry would */
	for (;;) {
		a = xf_ft_oldest(off.ft, XF_LIST_ACTIVE);
		c = xf_ft_oldest(off.ft, XF_LIST_CLOSING);
		if (!a && !c)
			break;
		if (!a || (c && c->f.last_ts <= a->f.last_ts))
			a = c;
		end_flow(a, XF_FS_INPUT_END);
	}
}

uint64_t xf_offline_flows_in_memory(void)
{
	return off.ft ? xf_ft_count(off.ft) : 0;
}

size_t xf_offline_memory(void)
{
	return off.ft ? xf_ft_memory(off.ft) : 0;
}
