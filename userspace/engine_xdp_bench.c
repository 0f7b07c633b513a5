// SPDX-License-Identifier: BSD-3-Clause
/*
 * engine_xdp_bench.c - XDP_BENCH_REPEAT: how many nanoseconds the live XDP
 * program spends per packet.  During a replay (-r FILE --engine xdp) every
 * Ethernet packet also runs N times (BPF_PROG_RUN repeat) through a second
 * copy of the program loaded exactly as for an interface (kernel clock,
 * real frame length, its own maps), so the replay's results stay untouched.
 * After the first run the packet's flow exists: the figure is the steady
 * metering path (parse, key, lookup, lock, meter, counters, and with
 * XDP_PAYLOAD=1 the ringbuf records).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <xdpflow/parse.h>
#include "config.h"
#include "kern_engine.h"
#include "bpf/xdpflow.skel.h" /* after kern_engine.h: needs the ABI types */
#include "log.h"

struct xf_kern_bench {
	struct xf_kern k;
	int fd;
	int repeat;
	uint64_t ns_sum;        /* sum over packets of the per-run average */
	uint64_t pkts;
	uint64_t skipped;       /* not Ethernet, or the kernel refused the frame */
};

static int drain(void *ctx, void *data, size_t size)
{
	return 0;
}

int xf_kern_bench_open(struct xf_kern *k)
{
	struct xf_kern_bench *b = calloc(1, sizeof(*b));

	if (!b) {
		pr_err("XDP_BENCH_REPEAT: out of memory");
		return -1;
	}
	b->repeat = (int)xf_cfg_int("XDP_BENCH_REPEAT");
	b->k.run = k->run;
	b->k.bench_only = 1;
	b->k.pkt_mode = k->pkt_mode;
	b->k.xdp_link_fd = b->k.tc_link_fd = -1;
	if (xf_kern_open_load(&b->k)) {
		free(b);
		return -1;
	}
	b->k.rb = ring_buffer__new(bpf_map__fd(b->k.skel->maps.events), drain, NULL, NULL);
	b->fd = bpf_program__fd(b->k.skel->progs.xdpflow_xdp);
	k->bench = b;
	return 0;
}

void xf_kern_bench_packet(struct xf_kern_bench *b, const uint8_t *bytes, uint32_t len, int linktype)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = bytes, .data_size_in = len, .repeat = b->repeat);

	if (linktype != XF_DLT_EN10MB || bpf_prog_test_run_opts(b->fd, &o)) {
		b->skipped++;
		return;
	}
	b->ns_sum += o.duration;
	b->pkts++;
	if (b->k.rb)
		ring_buffer__consume(b->k.rb);
}

void xf_kern_bench_close(struct xf_kern *k)
{
	struct xf_kern_bench *b = k->bench;

	if (!b)
		return;
	if (b->pkts)
		fprintf(stderr, "xdpflow: XDP_BENCH_REPEAT=%d: %.1f ns/packet over %llu packets (%llu skipped), payload sampling %s, packet records %s\n",
			b->repeat, (double)b->ns_sum / (double)b->pkts, (unsigned long long)b->pkts,
			(unsigned long long)b->skipped, b->k.skel->rodata->cfg_payload ? "on" : "off",
			b->k.skel->rodata->cfg_pkt_mode ? "on" : "off");
	else
		fprintf(stderr, "xdpflow: XDP_BENCH_REPEAT: no Ethernet packet could be timed\n");
	if (b->k.rb)
		ring_buffer__free(b->k.rb);
	xf_kern_close(&b->k);
	free(b);
	k->bench = NULL;
}
