// SPDX-License-Identifier: BSD-3-Clause
/*
 * parse_check.bpf.c - the shared parser (include/xdpflow/parse.h) alone
 * under the BPF verifier: parse the frame, store the xf_pkt in an array map,
 * pass the packet.  The configuration turns every optional path on (IPv4
 * checksum, all tunnels) so the verifier walks the worst case; with a
 * feature off in .rodata the kernel engine only gets cheaper.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include <xdpflow/parse.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* -DXF_CHECK_DECAP=0 / -DXF_CHECK_CSUM=0 measure the parser without them */
#ifndef XF_CHECK_DECAP
#define XF_CHECK_DECAP 1
#endif
#ifndef XF_CHECK_CSUM
#define XF_CHECK_CSUM 1
#endif

const volatile struct xf_cfg cfg = {
	.decap_tunnels = XF_CHECK_DECAP,
	.ipv4_csum = XF_CHECK_CSUM,
	.l2_flows = 1,
	.vxlan_port = 4789,
	.geneve_port = 6081,
	.teredo_port = 3544,
	.gtp_port = 2152,
	.gre_udp_port = 4754,
	.ayiya_port = 5072,
};
const volatile __u32 linktype = XF_DLT_EN10MB;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xf_pkt);
} parsed SEC(".maps");

SEC("xdp")
int parse_check(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct xf_pkt p;
	struct xf_pkt *out;
	__u32 zero = 0;

	xf_parse(data, data_end, bpf_xdp_get_buff_len(ctx), linktype, (const struct xf_cfg *)&cfg, &p);
	out = bpf_map_lookup_elem(&parsed, &zero);
	if (out)
		__builtin_memcpy(out, &p, sizeof(p));
	return XDP_PASS;
}
