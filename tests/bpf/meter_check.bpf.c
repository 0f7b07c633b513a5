/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * meter_check.bpf.c - proves the verifier accepts include/xdpflow/meter.h
 * as the kernel engine uses it: the whole xf_meter_update() inlined between
 * bpf_spin_lock() and bpf_spin_unlock() on a hash-map value.  The packet is
 * faked from the first bytes of the frame (or zeroes), so every field is
 * unknown to the verifier and every branch is explored.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <xdpflow/meter.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct xf_flow_key);
	__type(value, struct xf_flow);
} meter_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	/* raw bytes: a bpf_spin_lock is not allowed in a per-CPU map's BTF */
	__type(value, struct { __u8 b[sizeof(struct xf_flow)]; });
} meter_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xf_pkt);
} meter_pkt SEC(".maps");

/* .data, not .rodata: the verifier must treat every setting as unknown and
 * so explore every module and byte layer */
volatile struct xf_cfg meter_cfg = {
	.byte_layer = XF_BL_L7,
	.modules = XF_MOD_BASIC_STATS | XF_MOD_TCP_FLAGS | XF_MOD_TCP_STATES,
	.vlan_in_key = 1,
};
volatile __u64 meter_last_iat;

/* the fake packet: the frame's first bytes when there are enough, else zeroes */
static __always_inline void fake_pkt(struct xf_pkt *p, const __u8 *data, const __u8 *end)
{
	__builtin_memset(p, 0, sizeof(*p));
	if (data + sizeof(*p) <= end)
		__builtin_memcpy(p, data, sizeof(*p));
	p->wire_len = end - data;
	p->cap_len = end - data;
}

SEC("xdp")
int meter_check(struct xdp_md *ctx)
{
	const __u8 *data = (const __u8 *)(long)ctx->data;
	const __u8 *end = (const __u8 *)(long)ctx->data_end;
	const struct xf_cfg *cfg = (const struct xf_cfg *)&meter_cfg;
	struct xf_flow_key k;
	struct xf_flow *f, *nf;
	struct xf_pkt *p;
	__u32 zero = 0, side, dir;
	__u64 ts = 1000;

	p = bpf_map_lookup_elem(&meter_pkt, &zero);
	if (!p)
		return XDP_PASS;
	fake_pkt(p, data, end);
	side = xf_flow_key_make(p, cfg, &k);
	f = bpf_map_lookup_elem(&meter_flows, &k);
	if (!f) {
		nf = (struct xf_flow *)bpf_map_lookup_elem(&meter_scratch, &zero);
		if (!nf)
			return XDP_PASS;
		__builtin_memset(nf, 0, sizeof(*nf));
		xf_flow_init(nf, p, side, ts, 1);
		bpf_map_update_elem(&meter_flows, &k, nf, BPF_NOEXIST);
		f = bpf_map_lookup_elem(&meter_flows, &k);
		if (!f)
			return XDP_PASS;
	}
	bpf_spin_lock(&f->lock);
	dir = xf_flow_dir(f, side);
	meter_last_iat = xf_meter_update(f, p, dir, ts, cfg);
	if (xf_flow_tcp_done(f))
		f->stat |= XF_FS_TCP_END;
	bpf_spin_unlock(&f->lock);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
