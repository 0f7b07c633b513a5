// SPDX-License-Identifier: BSD-3-Clause
/*
 * kern_collect.c - the collector's side of the kernel engine: ringbuf
 * records (new flows, packet records, payload samples, overflow packets),
 * polling the flow map for ended flows (batch lookups), finalizing them
 * through the same collector as the offline engine, and the counters.
 *
 * The userspace table `ft` holds one xf_flow_ctx per kernel flow that
 * userspace has heard of, for the modules' per-flow state; the counters live
 * in the map until the flow ends.  `ovf` holds the flows metered here
 * because the kernel map was full (flagged XF_FS_MAP_FULL).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <xdpflow/meter.h>
#include "collector.h"
#include "config.h"
#include "kern_engine.h"
#include "bpf/xdpflow.skel.h" /* after kern_engine.h: needs the ABI types */
#include "log.h"
#include "stats.h"

#define BATCH 128

static struct xf_flow_ctx *ctx_get(struct xf_flow_table *ft, const struct xf_flow_key *key)
{
	uint64_t h = xf_ft_hash(key);
	struct xf_flow_ctx *fc = xf_ft_lookup(ft, key, h);

	return fc ? fc : xf_ft_insert(ft, key, h);
}

/*
 * The active timeout cuts a flow; the kernel starts the next one with the
 * next packet.  `cont` remembers the keys cut (with the time) so that next
 * flow is flagged XF_FS_CONTINUED when it ends.
 */
static void continued_mark(struct xf_kern *k, struct xf_flow_ctx *fc, uint64_t reason)
{
	uint64_t h = xf_ft_hash(&fc->key);
	struct xf_flow_ctx *c = xf_ft_lookup(k->cont, &fc->key, h);

	if (c) {
		if (fc->f.first_ts >= c->f.last_ts)
			fc->f.stat |= XF_FS_CONTINUED;
		xf_ft_remove(k->cont, c);
	}
	if (reason != XF_FS_ACTIVE_END)
		return;
	c = xf_ft_insert(k->cont, &fc->key, h);
	if (c)
		c->f.last_ts = fc->f.last_ts;
}

static void continued_expire(struct xf_kern *k, uint64_t now)
{
	struct xf_flow_ctx *c;

	while ((c = xf_ft_oldest(k->cont, XF_LIST_ACTIVE)) && c->f.last_ts + k->idle_ns <= now)
		xf_ft_remove(k->cont, c);
}

/* A flow ended: take its final record out of the map, hand it to the
 * collector, forget it.  fc may be a temporary (table full). */
void xf_kern_finalize(struct xf_kern *k, struct xf_flow_ctx *fc, uint64_t reason, int from_map)
{
	struct xf_flow v;

	if (from_map) {
		if (!bpf_map_lookup_and_delete_elem_flags(k->flows_fd, &fc->key, &v, BPF_F_LOCK)) {
			fc->f = v;
		} else if (bpf_map_lookup_elem_flags(k->flows_fd, &fc->key, &v, BPF_F_LOCK) == 0) {
			/* kernels without lookup-and-delete on hash maps */
			fc->f = v;
			bpf_map_delete_elem(k->flows_fd, &fc->key);
		} else if (!fc->f.dir[0].pkts && !fc->f.dir[1].pkts) {
			/* a late new-flow record of a flow already ended: nothing to report */
			return;
		}
	}
	memset(&fc->f.lock, 0, sizeof(fc->f.lock));
	continued_mark(k, fc, reason);
	xf_collector_finalize(fc, reason);
}

static void finalize_in(struct xf_kern *k, struct xf_flow_table *ft, struct xf_flow_ctx *fc,
			uint64_t reason, int from_map)
{
	xf_kern_finalize(k, fc, reason, from_map);
	if (fc->in_use)
		xf_ft_remove(ft, fc);
}

/* Userspace-ordered tables (replay shadow, overflow): least recently seen
 * first, so expiry stops at the first flow still alive. */
void xf_kern_expire_table(struct xf_kern *k, struct xf_flow_table *ft, uint64_t now, int from_map)
{
	struct xf_flow_ctx *fc;

	while ((fc = xf_ft_oldest(ft, XF_LIST_CLOSING)) && fc->f.last_ts + k->close_ns <= now)
		finalize_in(k, ft, fc, XF_FS_TCP_END, from_map);
	while ((fc = xf_ft_oldest(ft, XF_LIST_ACTIVE)) && fc->f.last_ts + k->idle_ns <= now)
		finalize_in(k, ft, fc, XF_FS_IDLE_END, from_map);
	continued_expire(k, now);
}

void xf_kern_flush_table(struct xf_kern *k, struct xf_flow_table *ft, int from_map)
{
	struct xf_flow_ctx *fc;
	int l;

	for (l = 0; l < XF_LIST__COUNT; l++)
		while ((fc = xf_ft_oldest(ft, (enum xf_ft_list)l)))
			finalize_in(k, ft, fc, XF_FS_INPUT_END, from_map);
}

/* Has a flow in the kernel map ended by `now`?  Returns the reason or 0. */
static uint64_t flow_ended(const struct xf_kern *k, const struct xf_flow *f, uint64_t now)
{
	if (k->early_end && xf_flow_tcp_done(f) && f->last_ts + k->close_ns <= now)
		return XF_FS_TCP_END;
	if (f->last_ts + k->idle_ns <= now)
		return XF_FS_IDLE_END;
	if (k->active_ns && f->first_ts + k->active_ns <= now)
		return XF_FS_ACTIVE_END;
	return 0;
}

struct ended {
	struct xf_flow_key key;
	uint64_t reason;
};

/* Walk the whole flow map with batch lookups; collect what ended. */
static size_t scan_map(struct xf_kern *k, uint64_t now, int flush_all, struct ended **out)
{
	static struct xf_flow_key keys[BATCH];
	static struct xf_flow vals[BATCH];
	LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_F_LOCK);
	struct ended *list = NULL;
	size_t n = 0, cap = 0;
	__u32 in_b = 0, out_b = 0;
	int first = 1, err;

	do {
		__u32 i, count = BATCH;

		err = bpf_map_lookup_batch(k->flows_fd, first ? NULL : &in_b, &out_b,
					   keys, vals, &count, &opts);
		if (err && errno != ENOENT) {
			pr_warn("kernel engine: flow map batch lookup failed: %s", strerror(errno));
			break;
		}
		for (i = 0; i < count; i++) {
			uint64_t r = flush_all ? XF_FS_INPUT_END : flow_ended(k, &vals[i], now);

			if (!r)
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 256;
				list = realloc(list, cap * sizeof(*list));
				if (!list)
					return 0;
			}
			list[n].key = keys[i];
			list[n].reason = r;
			n++;
		}
		in_b = out_b;
		first = 0;
	} while (!err);
	*out = list;
	return n;
}

void xf_kern_poll_map(struct xf_kern *k, uint64_t now, int flush_all)
{
	static struct xf_flow_ctx tmp;
	struct ended *list = NULL;
	size_t i, n = scan_map(k, now, flush_all, &list);

	for (i = 0; i < n; i++) {
		struct xf_flow_ctx *fc = ctx_get(k->ft, &list[i].key);

		if (!fc) {              /* table full: finalize without module state */
			memset(&tmp, 0, sizeof(tmp));
			tmp.key = list[i].key;
			fc = &tmp;
		}
		finalize_in(k, k->ft, fc, list[i].reason, 1);
	}
	free(list);
}

/* The kernel map was full: meter the packet here so the flow is not lost. */
void xf_kern_overflow_packet(struct xf_kern *k, const struct xf_flow_key *key, uint32_t side,
			     const struct xf_pkt *p, uint64_t ts, struct xf_pkt_view *pv)
{
	uint64_t h = xf_ft_hash(key);
	struct xf_flow_ctx *fc = xf_ft_lookup(k->ovf, key, h);
	int done;

	if (fc && k->active_ns && ts >= fc->f.first_ts + k->active_ns) {
		finalize_in(k, k->ovf, fc, XF_FS_ACTIVE_END, 0);
		fc = NULL;
	}
	if (!fc) {
		fc = xf_ft_insert(k->ovf, key, h);
		if (!fc) {
			k->ovf_full++;
			pv->fc = NULL;
			return;
		}
		xf_flow_init(&fc->f, p, side,  ts,
			     __atomic_add_fetch(&k->skel->bss->next_flow_index, 1, __ATOMIC_SEQ_CST));
		fc->f.stat |= XF_FS_MAP_FULL;
		k->ovf_flows++;
	}
	pv->dir = xf_flow_dir(&fc->f, side);
	pv->iat = xf_meter_update(&fc->f, p, pv->dir, ts, &k->cfg);
	done = k->early_end && xf_flow_tcp_done(&fc->f);
	xf_ft_touch(k->ovf, fc, done ? XF_LIST_CLOSING : XF_LIST_ACTIVE);
	pv->fc = fc;
}

static void on_pkt_record(struct xf_kern *k, const struct xf_ev_pkt *e)
{
	struct xf_pkt_view pv;

	xf_pkt_view_init(&pv, &e->pkt, e->data, e->snap_len, e->ts, ++k->pkt_no);
	pv.dir = e->dir;
	pv.iat = e->iat;
	if (e->hdr.why & XF_EVP_OVERFLOW) {
		xf_kern_overflow_packet(k, &e->key, e->side, &e->pkt, e->ts, &pv);
	} else if (!(e->hdr.why & XF_EVP_NO_FLOW)) {
		pv.fc = ctx_get(k->ft, &e->key);
		if (pv.fc && !pv.fc->f.index)
			pv.fc->f.index = e->index;
	}
	xf_collector_packet(&pv);
}

static void on_new_flow(struct xf_kern *k, const struct xf_ev_flow *e)
{
	struct xf_flow_ctx *fc = ctx_get(k->ft, &e->key);

	if (!fc)
		return;
	fc->f.index = e->index;
	fc->f.first_ts = e->ts;
	fc->f.last_ts = e->ts;
	fc->f.a_side = e->side;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct xf_kern *k = ctx;
	const struct xf_ev_hdr *h = data;

	if (size < sizeof(*h) || k->bench_only)     /* benchmark: records only drained */
		return 0;
	if (h->type == XF_EV_NEW_FLOW && size >= sizeof(struct xf_ev_flow))
		on_new_flow(k, data);
	else if (h->type == XF_EV_PKT && size >= sizeof(struct xf_ev_pkt))
		on_pkt_record(k, data);
	return 0;
}

int xf_kern_ringbuf_drain(struct xf_kern *k)
{
	return k->rb ? ring_buffer__consume(k->rb) : 0;
}

void xf_kern_counters_read(struct xf_kern *k)
{
	size_t vsz = sizeof(uint64_t) * XF_KC__COUNT;
	uint64_t *buf = calloc((size_t)k->ncpus, vsz);
	uint64_t fin;
	__u32 zero = 0;
	int c, i;

	if (!buf)
		return;
	if (!bpf_map_lookup_elem(bpf_map__fd(k->skel->maps.counters), &zero, buf)) {
		memcpy(k->kc, k->kc_user, sizeof(k->kc));
		for (c = 0; c < k->ncpus; c++)
			for (i = 0; i < XF_KC__COUNT; i++)
				k->kc[i] += buf[(size_t)c * XF_KC__COUNT + i];
	}
	free(buf);
	xf_stats.pkts = k->kc[XF_KC_PKTS];
	xf_stats.bytes_wire = k->kc[XF_KC_BYTES_WIRE];
	xf_stats.bytes_cap = k->kc[XF_KC_BYTES_CAP];
	xf_stats.pkts_v4 = k->kc[XF_KC_V4];
	xf_stats.pkts_v6 = k->kc[XF_KC_V6];
	xf_stats.pkts_l2 = k->kc[XF_KC_L2];
	xf_stats.pkts_tcp = k->kc[XF_KC_TCP];
	xf_stats.pkts_udp = k->kc[XF_KC_UDP];
	xf_stats.pkts_icmp = k->kc[XF_KC_ICMP];
	xf_stats.pkts_sctp = k->kc[XF_KC_SCTP];
	xf_stats.pkts_other_l4 = k->kc[XF_KC_OTHER_L4];
	xf_stats.pkts_frag = k->kc[XF_KC_FRAG];
	xf_stats.pkts_a = k->kc[XF_KC_PKTS_A];
	xf_stats.pkts_b = k->kc[XF_KC_PKTS_B];
	xf_stats.bytes_a = k->kc[XF_KC_BYTES_A];
	xf_stats.bytes_b = k->kc[XF_KC_BYTES_B];
	for (i = 0; i < XF_PR__COUNT; i++)
		xf_stats.parse[i] = k->kc[XF_KC_PARSE_OK + i];
	xf_stats.snapped = k->kc[XF_KC_SNAPPED];
	xf_stats.bad_ipcsum = k->kc[XF_KC_BAD_IPCSUM];
	xf_stats.flows = k->kc[XF_KC_FLOWS] + k->ovf_flows;
	xf_stats.frag_nohead = k->kc[XF_KC_FRAG_NOHEAD];
	xf_stats.no_flow = k->kc[XF_KC_NO_FLOW];
	/* flows in the map and the overflow table: created minus finalized
	 * (the maximum is as often as the counters are read, each tick) */
	fin = xf_stats.flows_idle + xf_stats.flows_active + xf_stats.flows_tcp_end +
	      xf_stats.flows_input_end + xf_stats.flows_evicted;
	xf_stats.flows_in_mem = xf_stats.flows > fin ? xf_stats.flows - fin : 0;
	if (xf_stats.flows_in_mem > xf_stats.flows_in_mem_max)
		xf_stats.flows_in_mem_max = xf_stats.flows_in_mem;
}

/* Every place the kernel side can lose something, for the end report. */
void xf_kern_losses_register(struct xf_kern *k)
{
	static struct xf_loss_counter lc[] = {
		{ "kernel flow map full: packets metered in userspace (flows flagged mapFull)", NULL, NULL },
		{ "kernel fragment map insert failed", NULL, NULL },
		{ "kernel ringbuf full: new-flow records", NULL, NULL },
		{ "kernel ringbuf full: packet records (-s)", NULL, NULL },
		{ "kernel ringbuf full: payload samples", NULL, NULL },
		{ "kernel ringbuf full: overflow packets (not metered)", NULL, NULL },
		{ "kernel payload copy failed", NULL, NULL },
		{ "kernel TC could not linearize headers", NULL, NULL },
		{ "kernel TC egress GSO packets counted once (not per segment)", NULL, NULL },
		{ "userspace overflow table full (packets not metered)", NULL, NULL },
		{ "replay: frames BPF_PROG_RUN refused (not metered)", NULL, NULL },
	};
	static const int idx[] = {
		XF_KC_MAP_FULL, XF_KC_FRAG_MAP_FULL, XF_KC_RB_NEW_FLOW, XF_KC_RB_PKT,
		XF_KC_RB_PAYLOAD, XF_KC_RB_OVERFLOW, XF_KC_LOAD_BYTES, XF_KC_PULL_FAIL,
		XF_KC_TC_GSO,
	};
	static int done;
	size_t i;

	if (done++)
		return;
	for (i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
		lc[i].value = &k->kc[idx[i]];
		xf_loss_register(&lc[i]);
	}
	lc[i].value = &k->ovf_full;
	xf_loss_register(&lc[i++]);
	lc[i].value = &k->replay_errors;
	xf_loss_register(&lc[i]);
}

int xf_kern_collect_init(struct xf_kern *k)
{
	size_t max = (size_t)xf_cfg_int("MAX_FLOWS");

	k->ft = xf_ft_new(max);
	k->ovf = xf_ft_new((size_t)xf_cfg_int("XDP_OVERFLOW_FLOWS"));
	k->cont = xf_ft_new(max);
	if (!k->ft || !k->ovf || !k->cont) {
		pr_err("kernel engine: out of memory for the flow tables");
		return -1;
	}
	k->rb = ring_buffer__new(bpf_map__fd(k->skel->maps.events), on_event, k, NULL);
	if (!k->rb) {
		pr_err("kernel engine: cannot open the ringbuf: %s", strerror(errno));
		return -1;
	}
	xf_kern_losses_register(k);
	return 0;
}

void xf_kern_collect_fini(struct xf_kern *k)
{
	if (k->rb)
		ring_buffer__free(k->rb);
	k->rb = NULL;
	if (k->ft)
		xf_ft_free(k->ft);
	if (k->ovf)
		xf_ft_free(k->ovf);
	if (k->cont)
		xf_ft_free(k->cont);
	k->ft = k->ovf = k->cont = NULL;
}
