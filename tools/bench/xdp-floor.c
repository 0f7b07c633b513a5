// SPDX-License-Identifier: BSD-3-Clause
/*
 * xdp-floor.c - the cost floor of an XDP flow meter on this machine.
 *
 *   xdp-floor [--repeat N] [--trials N]
 *
 * Runs each program of xdp-floor.bpf.o (empty; one clock read; one lookup
 * of a flow key in a hash map holding that flow; clock + lookup + lock + one
 * counter) through BPF_PROG_RUN on a 64-byte frame, `repeat` runs per call,
 * `trials` calls, and prints the median of the per-run means the kernel
 * reports: xdp_floor_ns_<program>=...  The programs and xdpflow's own
 * (xdp-prog-run) are measured in the same `make bench`, so a target can be
 * read against what this machine allows before a single header is parsed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <xdpflow/abi.h>
#include "tools/xdp-floor.skel.h"

#define MAX_TRIALS 15

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static int run(struct bpf_program *prog, unsigned repeat, unsigned trials)
{
	unsigned char frame[64] = { [12] = 0x08, [13] = 0x00 };
	__u32 ns[MAX_TRIALS];
	unsigned t;

	for (t = 0; t < trials; t++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame,
			    .data_size_in = sizeof(frame), .repeat = repeat);

		if (bpf_prog_test_run_opts(bpf_program__fd(prog), &o)) {
			fprintf(stderr, "xdp-floor: %s: BPF_PROG_RUN failed: %s\n",
				bpf_program__name(prog), strerror(errno));
			return -1;
		}
		ns[t] = o.duration;
	}
	qsort(ns, trials, sizeof(ns[0]), cmp_u32);
	printf("xdp_floor_ns_%s=%u\n", bpf_program__name(prog) + strlen("floor_"), ns[trials / 2]);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repeat", required_argument, NULL, 'n' },
		{ "trials", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned repeat = 1000000, trials = 5;
	struct xf_flow *value;
	struct xdp_floor *s;
	struct bpf_program *prog;
	int c, err;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *end;
		unsigned long v = strtoul(optarg, &end, 10);

		if (*end || !v || (c == 't' && v > MAX_TRIALS)) {
			fprintf(stderr, "xdp-floor: --%s %s: expected a positive number%s\n",
				c == 'n' ? "repeat" : "trials", optarg,
				c == 't' ? " up to 15" : "");
			return 2;
		}
		if (c == 'n')
			repeat = (unsigned)v;
		else
			trials = (unsigned)v;
	}
	s = xdp_floor__open_and_load();
	if (!s) {
		fprintf(stderr, "xdp-floor: loading xdp-floor.bpf.o failed: %s\n", strerror(errno));
		return 1;
	}
	/* one IPv4 TCP flow, keyed as xdpflow keys it */
	s->bss->key.ip_ver = 4;
	s->bss->key.l4_proto = 6;
	s->bss->key.ethertype = 0x0800;
	memcpy(s->bss->key.addr[0], "\x0a\x00\x00\x01", 4);
	memcpy(s->bss->key.addr[1], "\x0a\x00\x00\x02", 4);
	s->bss->key.port[0] = 443;
	s->bss->key.port[1] = 50000;
	value = calloc(1, sizeof(*value));
	err = !value || bpf_map__update_elem(s->maps.flows, &s->bss->key, sizeof(s->bss->key),
					     value, sizeof(*value), BPF_ANY);
	free(value);
	if (err) {
		fprintf(stderr, "xdp-floor: cannot insert the flow into the map\n");
		xdp_floor__destroy(s);
		return 1;
	}
	bpf_object__for_each_program(prog, s->obj)
		if (run(prog, repeat, trials))
			err = 1;
	xdp_floor__destroy(s);
	return err;
}
