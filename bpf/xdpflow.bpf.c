// SPDX-License-Identifier: BSD-3-Clause
/*
 * xdpflow.bpf.c - the kernel engine: XDP on ingress and TC on egress run the
 * same code: parse the frame with the shared parser, find or insert the
 * flow, count the packet with the shared meter under the flow's spin lock,
 * and send the records the collector asked for through one ringbuf.
 *
 * A monitor never changes the verdict: XDP_PASS, and on TC "no opinion"
 * (TC_ACT_UNSPEC == TCX_NEXT) so programs after us still decide.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include <xdpflow/parse.h>
#include <xdpflow/meter.h>
#include "xdpflow.h"

#ifndef EEXIST
#define EEXIST 17
#endif

#define XF_TC_PULL_LEN 256      /* headers TC makes linear before parsing */

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* ---- load-time configuration: set between __open and __load ---- */
const volatile struct xf_cfg cfg = {};

/*
 * The parser and meter take a plain const pointer.  Casting `volatile` away
 * from a const object the compiler sees initialised to zero lets it fold
 * every read to 0 (the TCP analysis vanished that way); the empty asm hides
 * where the pointer comes from, so each read is a real load from .rodata,
 * which the verifier still sees as a constant.
 */
static __always_inline const struct xf_cfg *cfg_ptr(void)
{
	const struct xf_cfg *c = (const struct xf_cfg *)&cfg;

	asm volatile("" : "+r"(c));
	return c;
}
const volatile __u32 cfg_replay = 0;        /* BPF_PROG_RUN replay: ts/len/linktype from .bss */
const volatile __u32 cfg_pkt_mode = 0;      /* -s: a record per packet */
const volatile __u32 cfg_snap_len = 0;      /* frame bytes copied into packet records */
const volatile __u32 cfg_payload = 0;       /* payload sampling on */
const volatile __u32 cfg_payload_ports = 0; /* ... restricted to the ports in sample_ports */
const volatile __u32 cfg_payload_flows = 0; /* ... or the flows in sample_flows */
const volatile __u32 cfg_sample_rate = 1;   /* 1 payload packet in N */
const volatile __u32 cfg_flow_events = 1;   /* new-flow records */
const volatile __u64 cfg_frag_timeout = 30000000000ULL; /* ns */
const volatile __u64 cfg_wakeup_bytes = 0;  /* wake the collector past this much unread data */

/* ---- runtime state shared with the collector (mmapped .bss) ---- */
__u64 wall_offset_ns = 0;       /* CLOCK_REALTIME - CLOCK_MONOTONIC, kept fresh by the collector */
__u64 next_flow_index = 0;      /* flowInd source; the collector takes overflow indexes from it too */
__u64 replay_ts = 0;            /* replay: capture timestamp of the packet, ns */
__u32 replay_wire_len = 0;      /* replay: original frame length */
__u32 replay_cap_len = 0;       /* replay: captured length */
__u32 replay_linktype = XF_DLT_EN10MB;
__u32 replay_dry = 0;           /* replay: parse and make the key only (active timeout check) */
struct xf_replay_out replay_out = {};

/*
 * Flows: a plain preallocated hash, not LRU.  An LRU map would evict a live
 * flow silently under pressure; a full hash fails the insert, which we count
 * and turn into an overflow record the collector meters itself (flagged
 * XF_FS_MAP_FULL), so no flow vanishes.  The value holds a bpf_spin_lock:
 * IATs, TCP state and retransmission accounting need one serial order per
 * flow, which per-CPU values cannot give (see docs/kernel-engine.md).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct xf_flow_key);
	__type(value, struct xf_flow);
} flows SEC(".maps");

/* First-fragment ports for later fragments.  LRU: stale entries of
 * datagrams whose other fragments never came must go by themselves. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct xf_frag_key);
	__type(value, struct xf_frag_val);
} frags SEC(".maps");

/* A new flow record is built here: it is too big for the stack.  Raw bytes:
 * a per-CPU map may not hold a bpf_spin_lock. */
struct xf_flow_bytes {
	__u8 b[sizeof(struct xf_flow)];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xf_flow_bytes);
} flow_scratch SEC(".maps");

/* The parsed packet lives here rather than on the stack: the program's
 * frame plus the parser's must stay under the verifier's 512 bytes. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xf_pkt);
} pkt_scratch SEC(".maps");

struct xf_kcounters {
	__u64 c[XF_KC__COUNT];
};

/* Counters: per-CPU, summed by the collector; no atomics on the hot path.
 * Slot 1 takes the counts of replay dry runs, which the collector ignores. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct xf_kcounters);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

/* Payload sampling selections, filled by the collector. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536 / 64);        /* one bit per port */
	__type(key, __u32);
	__type(value, __u64);
} sample_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct xf_flow_key);
	__type(value, __u32);
} sample_flows SEC(".maps");

/* What the packet handler learned, passed between its steps. */
struct xf_ctx {
	void *ctx;
	struct xf_kcounters *cnt;
	__u64 ts;
	__u64 index;
	__u64 iat;
	__u32 side;
	__u32 dir;
	__u32 ifindex;
	__u32 is_xdp;
	__u32 egress;
	__u32 flags;            /* XF_RO_* */
};

static __always_inline void count(struct xf_ctx *x, __u32 i, __u64 n)
{
	if (i < XF_KC__COUNT)
		x->cnt->c[i] += n;
}

static __always_inline void count_pkt(struct xf_ctx *x, const struct xf_pkt *p)
{
	count(x, XF_KC_PKTS, 1);
	count(x, XF_KC_BYTES_WIRE, p->wire_len);
	count(x, XF_KC_BYTES_CAP, p->cap_len);
	count(x, XF_KC_PARSE_OK + (p->reason & 3), 1);
	if (p->status & XF_PS_SNAPPED)
		count(x, XF_KC_SNAPPED, 1);
	if (p->status & XF_PS_BAD_IPCSUM)
		count(x, XF_KC_BAD_IPCSUM, 1);
	if (p->status & XF_PS_FRAG)
		count(x, XF_KC_FRAG, 1);
	if (p->ip_ver == 4)
		count(x, XF_KC_V4, 1);
	else if (p->ip_ver == 6)
		count(x, XF_KC_V6, 1);
	else if (p->status & XF_PS_L2_ONLY)
		count(x, XF_KC_L2, 1);
	if (!p->ip_ver)
		return;
	switch (p->l4_proto) {
	case 6:  count(x, XF_KC_TCP, 1); break;
	case 17: count(x, XF_KC_UDP, 1); break;
	case 1:
	case 58: count(x, XF_KC_ICMP, 1); break;
	case 132: count(x, XF_KC_SCTP, 1); break;
	default: count(x, XF_KC_OTHER_L4, 1); break;
	}
}

static __always_inline __u64 now_ns(void)
{
	if (cfg_replay)
		return replay_ts;
	return bpf_ktime_get_ns() + wall_offset_ns;
}

/*
 * Later fragments carry no L4 header: take the ports the first fragment left
 * in the fragment map, before the key is made (as the offline engine does).
 * Returns 1 when a later fragment's first fragment was not seen.
 */
static __always_inline int frag_ports(struct xf_ctx *x, struct xf_pkt *p)
{
	struct xf_frag_key fk;
	struct xf_frag_val *v, nv = {};

	if (!(p->status & XF_PS_FRAG))
		return 0;
	xf_frag_key_make(p, &fk);
	if (p->status & XF_PS_FRAG_FIRST) {
		nv.sport = p->sport;
		nv.dport = p->dport;
		nv.ts = x->ts;
		if (bpf_map_update_elem(&frags, &fk, &nv, BPF_ANY))
			count(x, XF_KC_FRAG_MAP_FULL, 1);
		return 0;
	}
	v = bpf_map_lookup_elem(&frags, &fk);
	if (!v || x->ts - v->ts > cfg_frag_timeout) {
		count(x, XF_KC_FRAG_NOHEAD, 1);
		return 1;
	}
	p->sport = v->sport;
	p->dport = v->dport;
	return 0;
}

/*
 * Waking the collector for every record costs an irq_work per packet at high
 * rates; it is woken once enough data waits, and its timer drains the rest.
 */
static __always_inline __u64 wakeup_flag(void)
{
	if (!cfg_wakeup_bytes)
		return 0;
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= cfg_wakeup_bytes ?
	       BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

static __always_inline void send_new_flow(struct xf_ctx *x, const struct xf_flow_key *k)
{
	struct xf_ev_flow *e;

	if (!cfg_flow_events)
		return;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(x, XF_KC_RB_NEW_FLOW, 1);
		return;
	}
	e->hdr.type = XF_EV_NEW_FLOW;
	e->hdr.why = 0;
	e->hdr.len = sizeof(*e);
	e->side = x->side;
	e->ifindex = x->ifindex;
	e->index = x->index;
	e->ts = x->ts;
	e->key = *k;
	e->pad = 0;
	bpf_ringbuf_submit(e, wakeup_flag());
}

/*
 * Insert a new flow.  Both directions of a new connection can race on two
 * CPUs: BPF_NOEXIST makes one insert win, the loser finds the winner's entry
 * on the second lookup.  The flow index is taken after a successful insert
 * (under the lock, with the first update) so a lost race leaves no gap.
 */
static __always_inline struct xf_flow *flow_insert(struct xf_ctx *x, const struct xf_flow_key *k,
						   const struct xf_pkt *p)
{
	struct xf_flow *nf;
	__u32 zero = 0;
	long err;

	nf = (struct xf_flow *)bpf_map_lookup_elem(&flow_scratch, &zero);
	if (!nf)
		return 0;
	__builtin_memset(nf, 0, sizeof(*nf));
	xf_flow_init(nf, p, x->side, x->ts, 0);
	err = bpf_map_update_elem(&flows, k, nf, BPF_NOEXIST);
	if (!err) {
		x->flags |= XF_RO_NEW_FLOW;
		count(x, XF_KC_FLOWS, 1);
	} else if (err == -EEXIST) {
		count(x, XF_KC_INSERT_RACE, 1);
	} else {
		return 0;
	}
	return bpf_map_lookup_elem(&flows, k);
}

/* Count the packet in its flow: one serial order per flow via the lock. */
static __always_inline int flow_meter(struct xf_ctx *x, const struct xf_flow_key *k,
				      const struct xf_pkt *p, int frag_nohead)
{
	struct xf_flow *f;
	__u64 new_index = 0;
	int done;

	f = bpf_map_lookup_elem(&flows, k);
	if (!f) {
		f = flow_insert(x, k, p);
		if (!f) {
			x->flags |= XF_RO_MAP_FULL;
			count(x, XF_KC_MAP_FULL, 1);
			return -1;
		}
		if (x->flags & XF_RO_NEW_FLOW)
			new_index = __sync_fetch_and_add(&next_flow_index, 1) + 1;
	}
	bpf_spin_lock(&f->lock);
	if (new_index)
		f->index = new_index;
	x->dir = xf_flow_dir(f, x->side);
	x->iat = xf_meter_update(f, p, x->dir, x->ts, cfg_ptr());
	if (frag_nohead)
		f->stat |= XF_FS_FRAG_NOHEAD;
	done = xf_flow_tcp_done(f);
	x->index = f->index;
	bpf_spin_unlock(&f->lock);

	x->flags |= XF_RO_METERED;
	if (done)
		x->flags |= XF_RO_TCP_DONE;
	if (x->dir) {
		count(x, XF_KC_PKTS_B, 1);
		count(x, XF_KC_BYTES_B, p->wire_len);
	} else {
		count(x, XF_KC_PKTS_A, 1);
		count(x, XF_KC_BYTES_A, p->wire_len);
	}
	if (x->flags & XF_RO_NEW_FLOW)
		send_new_flow(x, k);
	return 0;
}

static __always_inline int port_selected(__u16 port)
{
	__u32 slot = port >> 6;
	__u64 *bits = bpf_map_lookup_elem(&sample_ports, &slot);

	return bits && (*bits >> (port & 63)) & 1;
}

/* Does this packet's payload go to userspace (port/flow selection, rate)? */
static __always_inline int payload_wanted(const struct xf_flow_key *k, const struct xf_pkt *p)
{
	int sel = !cfg_payload_ports && !cfg_payload_flows;

	if (!cfg_payload || !p->l7_len)
		return 0;
	if (cfg_payload_ports && (port_selected(p->sport) || port_selected(p->dport)))
		sel = 1;
	if (!sel && cfg_payload_flows && bpf_map_lookup_elem(&sample_flows, k))
		return 1;       /* selected flows: every payload packet, no sampling */
	if (!sel)
		return 0;
	return cfg_sample_rate <= 1 || bpf_get_prandom_u32() % cfg_sample_rate == 0;
}

static __always_inline long copy_frame(struct xf_ctx *x, void *to, __u32 len)
{
	if (x->is_xdp)
		return bpf_xdp_load_bytes(x->ctx, 0, to, len);
	return bpf_skb_load_bytes(x->ctx, 0, to, len);
}

/* A packet record: the parser's view and the first cfg_snap_len bytes. */
static __always_inline void send_pkt(struct xf_ctx *x, const struct xf_flow_key *k,
				     const struct xf_pkt *p, __u16 why, __u32 lost_ctr)
{
	struct xf_ev_pkt *e;
	__u32 len = p->cap_len;
	__u64 m1;       /* 64-bit: no zero-extended copy for the check to miss */

	e = bpf_ringbuf_reserve(&events, XF_EVP_SIZE(cfg_snap_len), 0);
	if (!e) {
		count(x, lost_ctr, 1);
		return;
	}
	/*
	 * Copy 1..cfg_snap_len bytes in a form every verifier can bound: older
	 * ones (6.1) learn nothing from "len != 0", so the length is carried
	 * as len - 1 (0 wraps to huge) and checked with "<" before the call.
	 */
	if (len > cfg_snap_len)
		len = cfg_snap_len;
	m1 = (__u64)len - 1;
	barrier_var(m1);
	if (m1 < cfg_snap_len) {
		if (copy_frame(x, e->data, m1 + 1)) {
			count(x, XF_KC_LOAD_BYTES, 1);
			len = 0;
		}
	} else {
		len = 0;
	}
	e->hdr.type = XF_EV_PKT;
	e->hdr.why = why;
	e->hdr.len = XF_EVP_SIZE(cfg_snap_len);
	e->dir = x->dir;
	e->snap_len = len;
	e->ts = x->ts;
	e->index = x->index;
	e->iat = x->iat;
	e->side = x->side;
	e->ifindex = x->ifindex;
	e->key = *k;
	e->egress = x->egress;
	e->pkt = *p;
	bpf_ringbuf_submit(e, wakeup_flag());
}

static __always_inline void replay_record(const struct xf_ctx *x, const struct xf_flow_key *k,
					  const struct xf_pkt *p)
{
	if (!cfg_replay)
		return;
	replay_out.key = *k;
	replay_out.flags = x->flags;
	replay_out.side = x->side;
	replay_out.dir = x->dir;
	replay_out.index = x->index;
	replay_out.iat = x->iat;
	replay_out.pkt = *p;
}

/*
 * The parser runs as a global function: the verifier checks it once, on its
 * own, instead of once per path of the code around it (inlined, the
 * parser's paths times ours exceed the verifier's budget).  Its pointer
 * argument may be NULL as far as the verifier knows.
 *
 * The parser reads data..data_end, which on a multi-buffer XDP frame, a TC
 * skb with paged data or a replayed frame cut to what BPF_PROG_RUN takes is
 * only the frame's first part; frame_len is the whole frame's captured
 * length, against which it decides "cut by the capture" and length fields
 * of 0 (docs/kernel-engine.md, "Frames the parser sees in part").
 */
__attribute__((noinline)) int xdpflow_parse_xdp(struct xdp_md *ctx, __u32 frame_len,
						__u32 linktype, struct xf_pkt *p)
{
	if (!p)
		return XF_PR_MALFORMED;
	return xf_parse((void *)(long)ctx->data, (void *)(long)ctx->data_end, frame_len,
			linktype, cfg_ptr(), p);
}

__attribute__((noinline)) int xdpflow_parse_skb(struct __sk_buff *skb, __u32 frame_len,
						struct xf_pkt *p)
{
	if (!p)
		return XF_PR_MALFORMED;
	return xf_parse((void *)(long)skb->data, (void *)(long)skb->data_end, frame_len,
			XF_DLT_EN10MB, cfg_ptr(), p);
}

/* The whole per-packet path, for XDP and TC alike. */
static __always_inline void handle(struct xf_ctx *x, __u32 wire_len, __u32 cap_len)
{
	struct xf_flow_key k;   /* xf_flow_key_make zeroes it; no-flow paths below */
	struct xf_pkt *pp;
	__u32 zero = 0;
	__u32 slot = cfg_replay && replay_dry, linktype = XF_DLT_EN10MB;
	int frag_nohead;

	x->cnt = bpf_map_lookup_elem(&counters, &slot);
	if (!x->cnt)
		return;
	x->ts = now_ns();
	if (cfg_replay)
		linktype = replay_linktype;
	pp = bpf_map_lookup_elem(&pkt_scratch, &zero);
	if (!pp)
		return;
	/* xf_parse() zeroes *pp first: nothing is left from the previous packet */
	if (x->is_xdp)
		xdpflow_parse_xdp(x->ctx, cap_len, linktype, pp);
	else
		xdpflow_parse_skb(x->ctx, cap_len, pp);
	pp->wire_len = wire_len;
	pp->cap_len = cap_len;
	count_pkt(x, pp);
	frag_nohead = frag_ports(x, pp);

	if (!xf_pkt_makes_flow(pp, cfg_ptr())) {
		x->flags |= XF_RO_NO_FLOW;
	} else {
		x->side = xf_flow_key_make(pp, cfg_ptr(), &k);
		x->dir = x->side;
		if (cfg_replay && replay_dry) {
			replay_record(x, &k, pp);
			return;
		}
		if (flow_meter(x, &k, pp, frag_nohead))
			send_pkt(x, &k, pp, XF_EVP_OVERFLOW | (cfg_pkt_mode ? XF_EVP_PKT_MODE : 0),
				 XF_KC_RB_OVERFLOW);
	}
	if (x->flags & XF_RO_NO_FLOW) {
		__builtin_memset(&k, 0, sizeof(k));
		count(x, XF_KC_NO_FLOW, 1);
		if (cfg_pkt_mode)
			send_pkt(x, &k, pp, XF_EVP_NO_FLOW | XF_EVP_PKT_MODE, XF_KC_RB_PKT);
	} else if (x->flags & XF_RO_METERED) {
		__u16 why = 0;

		if (cfg_pkt_mode)
			why |= XF_EVP_PKT_MODE;
		if (payload_wanted(&k, pp))
			why |= XF_EVP_PAYLOAD;
		if (why && (x->flags & XF_RO_TCP_DONE))
			why |= XF_EVP_TCP_DONE;
		if (why)
			send_pkt(x, &k, pp, why, cfg_pkt_mode ? XF_KC_RB_PKT : XF_KC_RB_PAYLOAD);
	}
	replay_record(x, &k, pp);
}

SEC("xdp.frags")
int xdpflow_xdp(struct xdp_md *ctx)
{
	struct xf_ctx x = { .ctx = ctx, .is_xdp = 1, .ifindex = ctx->ingress_ifindex };
	__u32 len;

	if (cfg_replay) {
		/* replay_cap_len: a frame over BPF_PROG_RUN's limit comes cut */
		handle(&x, replay_wire_len, replay_cap_len);
	} else {
		len = bpf_xdp_get_buff_len(ctx);
		handle(&x, len, len);
	}
	return XDP_PASS;
}

SEC("tc")
int xdpflow_tc(struct __sk_buff *skb)
{
	struct xf_ctx x = { .ctx = skb, .egress = 1, .ifindex = skb->ifindex };
	__u32 len = skb->len, want = len < XF_TC_PULL_LEN ? len : XF_TC_PULL_LEN;
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;

	/* Egress skbs may keep headers in fragments: make them linear. */
	if (data + want > data_end && bpf_skb_pull_data(skb, want)) {
		struct xf_kcounters *c;
		__u32 zero = 0;

		c = bpf_map_lookup_elem(&counters, &zero);
		if (c)
			c->c[XF_KC_PULL_FAIL]++;
	}
	handle(&x, len, len);
	/* before segmentation: one packet of the super-packet's length */
	if (skb->gso_segs > 1 && x.cnt)
		x.cnt->c[XF_KC_TC_GSO]++;
	return TC_ACT_UNSPEC;
}
