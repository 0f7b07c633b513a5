// SPDX-License-Identifier: BSD-3-Clause
/*
 * split.c - `xdpflow split SOURCE [-o DIR] [-f LIST] [FILTER]`: each selected
 * flow's packets into its own pcap, as pcapkit's traceflow does.  Flows are
 * numbered as follow numbers them (the shared parser and flow key); a flow
 * is selected by its flowInd (-f 1,4,10-20) and/or by a BPF filter that its
 * first packet matches (default: every flow).  File names come from parsed
 * numbers only:
 *
 *   DIR/<first time>_<srcIP>.<srcPort>-<dstIP>.<dstPort>-<l4Proto>.pcap
 *
 * (A's address and port first; IPv6 in RFC 5952 form; non-IP flows:
 * <first time>_flow<flowInd>.pcap).  Frames are written unchanged with the
 * capture's link type, snap length and nanosecond timestamps.
 */
#include <pcap/pcap.h>          /* with pcap/bpf.h: the filter needs bpf_program */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#define bpf_insn linux_bpf_insn        /* linux/bpf.h (via abi.h) has one too */
#include "follow.h"
#undef bpf_insn
#include "log.h"

#define SPLIT_MAX_OPEN 200      /* open files at most; others are reopened to append */

struct split_flow {
	uint64_t ind;
	int selected;
	FILE *f;
	uint64_t pkts;
	char name[200];
};

struct split {
	const char *dir;
	char *list;                 /* -f: flowInd list, NULL = all */
	struct bpf_program prog;
	int have_prog;
	struct split_flow *flows;   /* indexed by flowInd */
	size_t nflows_cap;
	int nopen;
	uint64_t written_flows, written_pkts, write_errs;
};

static int in_list(const char *list, uint64_t ind)
{
	const char *s = list;

	while (*s) {
		char *ep;
		unsigned long long lo = strtoull(s, &ep, 10), hi = lo;

		if (*ep == '-')
			hi = strtoull(ep + 1, &ep, 10);
		if (ind >= lo && ind <= hi)
			return 1;
		s = *ep == ',' ? ep + 1 : ep;
		if (*ep && *ep != ',')
			break;
	}
	return 0;
}

static int list_ok(const char *list)
{
	for (const char *s = list; *s; s++)
		if (!strchr("0123456789,-", *s))
			return 0;
	return *list != 0;
}

static void flow_name(struct split_flow *sf, const struct xf_pkt *p, uint64_t ts)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int fam = p->ip_ver == 6 ? AF_INET6 : AF_INET;

	if (p->ip_ver && inet_ntop(fam, p->src, a, sizeof(a)) && inet_ntop(fam, p->dst, b, sizeof(b)))
		snprintf(sf->name, sizeof(sf->name), "%llu.%09llu_%s.%u-%s.%u-%u.pcap",
			 (unsigned long long)(ts / 1000000000ULL), (unsigned long long)(ts % 1000000000ULL),
			 a, p->sport, b, p->dport, p->l4_proto);
	else
		snprintf(sf->name, sizeof(sf->name), "%llu.%09llu_flow%llu.pcap",
			 (unsigned long long)(ts / 1000000000ULL), (unsigned long long)(ts % 1000000000ULL),
			 (unsigned long long)sf->ind);
}

static struct split_flow *flow_slot(struct split *sp, uint64_t ind)
{
	if (ind >= sp->nflows_cap) {
		size_t ncap = sp->nflows_cap ? sp->nflows_cap * 2 : 1024;
		struct split_flow *nf;

		while (ncap <= ind)
			ncap *= 2;
		nf = realloc(sp->flows, ncap * sizeof(*nf));
		if (!nf)
			return NULL;
		memset(nf + sp->nflows_cap, 0, (ncap - sp->nflows_cap) * sizeof(*nf));
		sp->flows = nf;
		sp->nflows_cap = ncap;
	}
	return &sp->flows[ind];
}

static void close_all(struct split *sp)
{
	for (size_t i = 0; i < sp->nflows_cap; i++) {
		if (sp->flows[i].f && fclose(sp->flows[i].f))
			sp->write_errs++;
		sp->flows[i].f = NULL;
	}
	sp->nopen = 0;
}

static FILE *flow_file(struct split *sp, struct split_flow *sf, int linktype, int snaplen)
{
	char path[4096];
	int fresh = !sf->pkts;

	if (sf->f)
		return sf->f;
	if (sp->nopen >= SPLIT_MAX_OPEN)
		close_all(sp);
	snprintf(path, sizeof(path), "%s/%s", sp->dir, sf->name);
	sf->f = fopen(path, fresh ? "wb" : "ab");
	if (!sf->f) {
		pr_err("split: %s: %s", path, strerror(errno));
		return NULL;
	}
	sp->nopen++;
	if (fresh) {
		uint32_t hdr[6] = { 0xa1b23c4d, 2 | 4 << 16, 0, 0, snaplen, linktype };

		fwrite(hdr, 1, sizeof(hdr), sf->f);
		sp->written_flows++;
	}
	return sf->f;
}

static int write_pkt(struct split *sp, struct split_flow *sf, const struct pcap_pkthdr *h,
		     const uint8_t *data, uint64_t ts, int linktype, int snaplen)
{
	FILE *f = flow_file(sp, sf, linktype, snaplen);
	uint32_t rec[4] = { ts / 1000000000ULL, ts % 1000000000ULL, h->caplen, h->len };

	if (!f)
		return -1;
	if (fwrite(rec, 1, sizeof(rec), f) != sizeof(rec) || fwrite(data, 1, h->caplen, f) != h->caplen) {
		pr_err("split: %s/%s: write failed: %s", sp->dir, sf->name, strerror(errno));
		return -1;
	}
	sf->pkts++;
	sp->written_pkts++;
	return 0;
}

static int split_run(struct split *sp, pcap_t *pc, const char *src)
{
	struct xf_flow_numbers *fn = xf_fnum_new();
	int lt = pcap_datalink(pc), snap = pcap_snapshot(pc), rc;
	int nano = pcap_get_tstamp_precision(pc) == PCAP_TSTAMP_PRECISION_NANO;
	struct pcap_pkthdr *h;
	const u_char *data;

	if (!fn)
		return -1;
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ULL + (uint64_t)h->ts.tv_usec * (nano ? 1 : 1000);
		struct split_flow *sf;
		struct xf_pkt p;
		int dir, fresh;
		uint64_t ind = xf_fnum_packet(fn, lt, data, h->caplen, &p, &dir, &fresh);

		if (!ind)
			continue;
		if (ind == UINT64_MAX || !(sf = flow_slot(sp, ind))) {
			rc = -3;
			break;
		}
		if (fresh) {
			sf->ind = ind;
			sf->selected = (!sp->list || in_list(sp->list, ind)) &&
				       (!sp->have_prog || pcap_offline_filter(&sp->prog, h, data));
			flow_name(sf, &p, ts);
		}
		if (sf->selected && write_pkt(sp, sf, h, data, ts, lt, snap)) {
			rc = -3;
			break;
		}
	}
	xf_fnum_free(fn);
	close_all(sp);
	if (rc == -1)
		pr_err("%s: %s", src, pcap_geterr(pc));
	return rc == -2 ? 0 : -1;
}

int xf_cmd_split(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", 1, NULL, 'o' }, { "flows", 1, NULL, 'f' }, { "help", 0, NULL, 'h' }, { 0 },
	};
	struct split sp = { .dir = "." };
	char err[PCAP_ERRBUF_SIZE], filter[4096] = "";
	pcap_t *pc;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:f:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': sp.dir = optarg; break;
		case 'f':
			if (!list_ok(optarg)) {
				pr_err("split: -f %s: expected flowInds like 1,4,10-20", optarg);
				return 2;
			}
			sp.list = optarg;
			break;
		case 'h':
			puts("usage: xdpflow split SOURCE [-o DIR] [-f FLOWINDS] [BPF FILTER]\n"
			     "  each selected flow's packets into DIR/<time>_<src>.<sport>-<dst>.<dport>-<proto>.pcap");
			return 0;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		pr_err("split: missing SOURCE (a pcap or pcapng file)");
		return 2;
	}
	for (int i = optind + 1; i < argc; i++) {
		strncat(filter, argv[i], sizeof(filter) - strlen(filter) - 2);
		strcat(filter, " ");
	}
	if (mkdir(sp.dir, 0755) && errno != EEXIST) {
		pr_err("split: -o %s: %s", sp.dir, strerror(errno));
		return 1;
	}
	pc = pcap_open_offline_with_tstamp_precision(argv[optind], PCAP_TSTAMP_PRECISION_NANO, err);
	if (!pc) {
		pr_err("split: %s", err);
		return 1;
	}
	if (*filter) {
		if (pcap_compile(pc, &sp.prog, filter, 1, PCAP_NETMASK_UNKNOWN)) {
			pr_err("split: filter '%s': %s", filter, pcap_geterr(pc));
			pcap_close(pc);
			return 2;
		}
		sp.have_prog = 1;
	}
	rc = split_run(&sp, pc, argv[optind]);
	if (sp.have_prog)
		pcap_freecode(&sp.prog);
	pcap_close(pc);
	free(sp.flows);
	fprintf(stderr, "split: %llu flows, %llu packets written to %s\n",
		(unsigned long long)sp.written_flows, (unsigned long long)sp.written_pkts, sp.dir);
	return rc || sp.write_errs ? 1 : 0;
}
