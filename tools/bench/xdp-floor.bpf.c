// SPDX-License-Identifier: BSD-3-Clause
/*
 * xdp-floor.bpf.c - what any XDP flow meter pays on this machine before it
 * parses a header: BPF_PROG_RUN's own cost per run, one clock read, one hash
 * lookup of xdpflow's flow key in a map like xdpflow's, and the least a
 * meter can do with the flow it found (one counter under the flow's lock).
 * tools/bench/xdp-floor.c runs each program and prints the figures next to
 * xdpflow's own in `make bench`, so the 50 ns target can be read against
 * what this machine allows.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include <xdpflow/abi.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct xf_flow_key key = {};    /* set by the tool: the one flow in the map */
__u64 sink = 0;                 /* keeps the clock reads from being optimised out */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct xf_flow_key);
	__type(value, struct xf_flow);
} flows SEC(".maps");

SEC("xdp")
int floor_empty(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int floor_clock(struct xdp_md *ctx)
{
	sink += bpf_ktime_get_ns();
	return XDP_PASS;
}

SEC("xdp")
int floor_lookup(struct xdp_md *ctx)
{
	struct xf_flow_key k = key;
	struct xf_flow *f = bpf_map_lookup_elem(&flows, &k);

	if (f)
		sink += f->index;
	return XDP_PASS;
}

/* clock + lookup + lock + one counter: the least a flow meter does */
SEC("xdp")
int floor_count(struct xdp_md *ctx)
{
	struct xf_flow_key k = key;
	__u64 ts = bpf_ktime_get_ns();
	struct xf_flow *f = bpf_map_lookup_elem(&flows, &k);

	if (!f)
		return XDP_PASS;
	bpf_spin_lock(&f->lock);
	f->dir[0].pkts++;
	f->last_ts = ts;
	bpf_spin_unlock(&f->lock);
	return XDP_PASS;
}
