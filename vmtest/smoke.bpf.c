// SPDX-License-Identifier: BSD-3-Clause
/*
 * smoke.bpf.c - a harness self-check, not part of xdpflow.  vmtest and the
 * kernel tests load it first: if this tiny XDP program cannot be loaded and
 * run with BPF_PROG_RUN, the machine (not xdpflow) is the problem, and the
 * report says so instead of blaming the real programs.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} smoke_bytes SEC(".maps");

SEC("xdp")
int smoke_count(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *bytes = bpf_map_lookup_elem(&smoke_bytes, &zero);

	if (bytes)
		*bytes += ctx->data_end - ctx->data;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
