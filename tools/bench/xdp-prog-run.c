// SPDX-License-Identifier: BSD-3-Clause
/*
 * xdp-prog-run.c - nanoseconds per packet of xdpflow's XDP program.
 *
 *   xdp-prog-run [--payload] [--repeat N] [--snap N] [--label NAME] PCAP...
 *
 * Loads $(BUILD)/bpf/xdpflow.bpf.o through its skeleton, configured as the
 * live engine runs it (every metering module on, byte layer L2, bpf_ktime
 * timestamps: cfg_replay off, so the measured path is the live one), and
 * runs each Ethernet frame of the captures through BPF_PROG_RUN `repeat`
 * times.  The kernel reports the mean duration of one run; the figure
 * printed is the mean over all frames of the mix, so a capture weighs by
 * its packet count.  The first run of a frame may create its flow; the
 * repeats then measure the steady state of an existing flow, which is what
 * a line-rate link spends nearly all of its packets on.
 *
 * --payload turns payload sampling on (every payload packet, snap bytes to
 * the ringbuffer), which this program drains after every frame so no
 * reservation fails and the copy is really measured.
 *
 * Prints key=value lines: xdp_ns_per_pkt_<label>=..., frames and skips.
 */
#include <errno.h>
#include <getopt.h>
/* pcap/bpf.h's classic struct bpf_insn clashes with linux/bpf.h's */
#define PCAP_DONT_INCLUDE_PCAP_BPF_H
#include <pcap/pcap.h>
#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <xdpflow/abi.h>
#include "../../bpf/xdpflow.h"
#include "bpf/xdpflow.skel.h"

#define MIN_FRAME 14            /* BPF_PROG_RUN refuses shorter XDP frames */

struct bench {
	struct xdpflow *skel;
	struct ring_buffer *rb;
	int prog_fd;
	unsigned repeat;
	double ns_sum;          /* sum over frames of the mean ns per run */
	unsigned long frames;
	unsigned long records;  /* ringbuf records drained */
	unsigned long skipped_short, skipped_link, run_errors, files;
};

static int count_record(void *ctx, void *data, size_t len)
{
	struct bench *b = ctx;

	b->records++;
	return 0;
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static int bench_open(struct bench *b, int payload, unsigned snap)
{
	struct xdpflow *s;
	int err;

	s = xdpflow__open();
	if (!s) {
		fprintf(stderr, "xdp-prog-run: cannot open the xdpflow skeleton: %s\n", strerror(errno));
		return -1;
	}
	s->rodata->cfg.byte_layer = XF_BL_L2;
	s->rodata->cfg.modules = XF_MOD_BASIC_FLOW | XF_MOD_BASIC_STATS |
				 XF_MOD_TCP_FLAGS | XF_MOD_TCP_STATES;
	s->rodata->cfg.l2_flows = 1;
	s->rodata->cfg.vxlan_port = 4789;
	s->rodata->cfg.geneve_port = 6081;
	s->rodata->cfg_replay = 0;
	s->rodata->cfg_snap_len = snap;
	s->rodata->cfg_payload = payload;
	s->rodata->cfg_sample_rate = 1;
	/* room for every flow of the corpus: a full map would measure the
	 * overflow path instead */
	bpf_map__set_max_entries(s->maps.flows, 1 << 18);
	err = xdpflow__load(s);
	if (err) {
		fprintf(stderr, "xdp-prog-run: loading the XDP program failed: %s\n", strerror(-err));
		xdpflow__destroy(s);
		return -1;
	}
	b->skel = s;
	b->prog_fd = bpf_program__fd(s->progs.xdpflow_xdp);
	b->rb = ring_buffer__new(bpf_map__fd(s->maps.events), count_record, b, NULL);
	if (!b->rb) {
		fprintf(stderr, "xdp-prog-run: ring_buffer__new: %s\n", strerror(errno));
		xdpflow__destroy(s);
		return -1;
	}
	return 0;
}

static void bench_frame(struct bench *b, const unsigned char *bytes, unsigned len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = bytes, .data_size_in = len,
		    .repeat = b->repeat);

	if (len < MIN_FRAME) {
		b->skipped_short++;
		return;
	}
	if (bpf_prog_test_run_opts(b->prog_fd, &o)) {
		b->run_errors++;
		return;
	}
	b->ns_sum += o.duration;
	b->frames++;
	ring_buffer__consume(b->rb);
}

static int bench_file(struct bench *b, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const unsigned char *bytes;
	pcap_t *p;
	int rc;

	p = pcap_open_offline(path, errbuf);
	if (!p) {
		fprintf(stderr, "xdp-prog-run: %s: %s\n", path, errbuf);
		return -1;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		/* XDP sees Ethernet frames only; other link types do not
		 * happen on a live interface */
		while (pcap_next_ex(p, &h, &bytes) == 1)
			b->skipped_link++;
		pcap_close(p);
		return 0;
	}
	while ((rc = pcap_next_ex(p, &h, &bytes)) == 1)
		bench_frame(b, bytes, h->caplen);
	if (rc == PCAP_ERROR)
		fprintf(stderr, "xdp-prog-run: %s: %s (frames before it counted)\n", path, pcap_geterr(p));
	pcap_close(p);
	b->files++;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: xdp-prog-run [--payload] [--repeat N] [--snap N] [--label NAME] PCAP...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "payload", no_argument, NULL, 'p' },
		{ "repeat", required_argument, NULL, 'n' },
		{ "snap", required_argument, NULL, 's' },
		{ "label", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench b = { .repeat = 200 };
	const char *label = NULL;
	unsigned snap = 256;
	int payload = 0, c, i;
	char *end;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': payload = 1; break;
		case 'n':
			b.repeat = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !b.repeat) {
				fprintf(stderr, "xdp-prog-run: --repeat %s: expected a positive number\n", optarg);
				return 2;
			}
			break;
		case 's':
			snap = (unsigned)strtoul(optarg, &end, 10);
			if (*end || snap > 4096) {
				fprintf(stderr, "xdp-prog-run: --snap %s: expected 0-4096\n", optarg);
				return 2;
			}
			break;
		case 'l': label = optarg; break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();
	if (!label)
		label = payload ? "payload" : "meter";
	libbpf_set_print(quiet_print);
	if (bench_open(&b, payload, snap))
		return 1;
	for (i = optind; i < argc; i++)
		bench_file(&b, argv[i]);
	ring_buffer__free(b.rb);
	xdpflow__destroy(b.skel);
	if (!b.frames) {
		fprintf(stderr, "xdp-prog-run: no frame could be run (%lu run errors)\n", b.run_errors);
		return 1;
	}
	printf("xdp_ns_per_pkt_%s=%.1f\n", label, b.ns_sum / b.frames);
	printf("xdp_frames_%s=%lu\n", label, b.frames);
	printf("xdp_repeat_%s=%u\n", label, b.repeat);
	printf("xdp_files_%s=%lu\n", label, b.files);
	printf("xdp_ringbuf_records_%s=%lu\n", label, b.records);
	printf("xdp_skipped_%s=short:%lu,non_ethernet:%lu,run_errors:%lu\n", label,
	       b.skipped_short, b.skipped_link, b.run_errors);
	return 0;
}
