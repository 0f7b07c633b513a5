// SPDX-License-Identifier: BSD-3-Clause
/*
 * follow_load.c - find one flow's packets in a pcap or a packets file.
 *
 * Pcap: every frame goes through the shared parser (xf_parse) and the
 * shared flow key (xf_flow_key_make); flows are numbered in the order of
 * their first packet, starting at 1, as the engine numbers flowInd.  The
 * engine also splits a key into several flows after timeouts or a finished
 * TCP connection; here a key is one flow (a port reused within one capture
 * is the one case where the numbers can differ; select by 5-tuple then).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#define PCAP_DONT_INCLUDE_PCAP_BPF_H   /* linux/bpf.h has struct bpf_insn too */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xdpflow/parse.h>
#include <xdpflow/meter.h>
#include "flow.h"
#include "follow.h"
#include "kern_engine.h"
#include "log.h"

/* ---- flow selector ---- */

static int parse_endpoint(const char *s, const char *end, uint8_t addr[16],
			  uint16_t *port, uint8_t *ver)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	char *ep;
	unsigned long pv;
	size_t hl;

	if (*s == '[') {
		const char *rb = memchr(s, ']', end - s);

		if (!rb || rb + 1 >= end || rb[1] != ':')
			return -1;
		hl = rb - s - 1;
		s++;
		colon = rb + 1;
		*ver = 6;
	} else {
		colon = NULL;
		for (const char *q = s; q < end; q++)
			if (*q == ':')
				colon = q;
		if (!colon)
			return -1;
		hl = colon - s;
		*ver = 4;
	}
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = 0;
	memset(addr, 0, 16);
	if (inet_pton(*ver == 6 ? AF_INET6 : AF_INET, host, addr) != 1)
		return -1;
	errno = 0;
	pv = strtoul(colon + 1, &ep, 10);
	if (errno || ep != end || pv > 65535 || ep == colon + 1)
		return -1;
	*port = pv;
	return 0;
}

int xf_fsel_parse(const char *s, struct xf_fsel *sel)
{
	const char *dash, *slash, *end;
	uint8_t v0, v1;
	char *ep;

	memset(sel, 0, sizeof(*sel));
	if (isdigit((unsigned char)*s)) {
		unsigned long long n = strtoull(s, &ep, 10);

		if (!*ep && n > 0) {
			sel->flow_ind = n;
			return 0;
		}
	}
	end = s + strlen(s);
	slash = strrchr(s, '/');
	if (slash) {
		if (!strcasecmp(slash + 1, "tcp"))
			sel->l4_proto = 6;
		else if (!strcasecmp(slash + 1, "udp"))
			sel->l4_proto = 17;
		else if (!strcasecmp(slash + 1, "sctp"))
			sel->l4_proto = 132;
		else if ((sel->l4_proto = strtoul(slash + 1, &ep, 10)) == 0 || *ep)
			return -1;
		end = slash;
	}
	/* the dash between the endpoints follows a port number */
	dash = NULL;
	for (const char *q = s; q < end; q++)
		if (*q == '-' && q > s && isdigit((unsigned char)q[-1]))
			dash = q;
	if (!dash)
		return -1;
	if (parse_endpoint(s, dash, sel->addr[0], &sel->port[0], &v0) ||
	    parse_endpoint(dash + 1, end, sel->addr[1], &sel->port[1], &v1) || v0 != v1)
		return -1;
	sel->ip_ver = v0;
	return 0;
}

/* ---- collecting packets ---- */

static int fflow_add(struct xf_fflow *fl, const struct xf_fpkt *pk)
{
	if (fl->npkts == fl->cap) {
		size_t ncap = fl->cap ? fl->cap * 2 : 64;
		struct xf_fpkt *np = realloc(fl->pkts, ncap * sizeof(*np));

		if (!np)
			return -1;
		fl->pkts = np;
		fl->cap = ncap;
	}
	fl->pkts[fl->npkts++] = *pk;
	return 0;
}

void xf_fflow_free(struct xf_fflow *fl)
{
	for (size_t i = 0; i < fl->npkts; i++) {
		free(fl->pkts[i].payload);
		free(fl->pkts[i].frame);
	}
	free(fl->pkts);
	memset(fl, 0, sizeof(*fl));
}

void xf_fflow_addr_str(const struct xf_fflow *fl, int side, char *buf, size_t n)
{
	if (!inet_ntop(fl->ip_ver == 6 ? AF_INET6 : AF_INET, fl->addr[side], buf, n))
		snprintf(buf, n, "?");
}

static uint8_t *dup_bytes(const uint8_t *p, uint32_t n)
{
	uint8_t *d = malloc(n ? n : 1);

	if (d && n)
		memcpy(d, p, n);
	return d;
}

/* ---- flow numbering: key -> (flowInd, A side), open addressing ---- */

struct key_slot {
	struct xf_flow_key key;
	uint64_t ind;
	uint32_t a_side;
};

struct key_index {
	struct key_slot *slots;
	size_t cap, n;
};

static uint64_t key_hash(const struct xf_flow_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

static struct key_slot *key_find(struct key_index *ix, const struct xf_flow_key *k, int *fresh)
{
	size_t i;

	if (2 * (ix->n + 1) > ix->cap) {
		struct key_index big = { .cap = ix->cap ? ix->cap * 2 : 1024 };

		big.slots = calloc(big.cap, sizeof(*big.slots));
		if (!big.slots)
			return NULL;
		for (i = 0; i < ix->cap; i++) {
			if (!ix->slots[i].ind)
				continue;
			size_t j = key_hash(&ix->slots[i].key) & (big.cap - 1);

			while (big.slots[j].ind)
				j = (j + 1) & (big.cap - 1);
			big.slots[j] = ix->slots[i];
		}
		big.n = ix->n;
		free(ix->slots);
		*ix = big;
	}
	i = key_hash(k) & (ix->cap - 1);
	while (ix->slots[i].ind && memcmp(&ix->slots[i].key, k, sizeof(*k)))
		i = (i + 1) & (ix->cap - 1);
	*fresh = !ix->slots[i].ind;
	if (*fresh) {
		ix->slots[i].key = *k;
		ix->n++;
	}
	return &ix->slots[i];
}

/* Does the packet match a 5-tuple selector (either direction)? */
static int tuple_match(const struct xf_fsel *sel, const struct xf_pkt *p)
{
	if (sel->ip_ver != p->ip_ver || (sel->l4_proto && sel->l4_proto != p->l4_proto))
		return 0;
	if (!memcmp(sel->addr[0], p->src, 16) && !memcmp(sel->addr[1], p->dst, 16) &&
	    sel->port[0] == p->sport && sel->port[1] == p->dport)
		return 1;
	return !memcmp(sel->addr[1], p->src, 16) && !memcmp(sel->addr[0], p->dst, 16) &&
	       sel->port[1] == p->sport && sel->port[0] == p->dport;
}

static void flow_meta(struct xf_fflow *fl, const struct xf_pkt *p, uint64_t ind, uint64_t ts)
{
	fl->flow_ind = ind;
	fl->ip_ver = p->ip_ver;
	fl->l4_proto = p->l4_proto;
	memcpy(fl->addr[0], p->src, 16);
	memcpy(fl->addr[1], p->dst, 16);
	fl->port[0] = p->sport;
	fl->port[1] = p->dport;
	fl->first_ts = ts;
}

static int take_packet(struct xf_fflow *fl, const struct xf_pkt *p, const struct pcap_pkthdr *h,
		       const uint8_t *data, uint64_t pkt_no, uint64_t ts, int dir, int keep)
{
	struct xf_fpkt pk = {
		.pkt_no = pkt_no, .ts = ts, .dir = dir, .seq = p->seq, .ack = p->ack,
		.tcp_flags = p->tcp_flags, .wire_len = h->len,
		.l7_len = xf_l7_length(p, data, h->caplen, h->len),
		.l2_trailer = !!(p->status & XF_PS_L2_TRAILER),
	};
	uint32_t avail = h->caplen > p->l7_off ? h->caplen - p->l7_off : 0;

	pk.tso = (p->status & XF_PS_HAS_L4) && xf_ip_len_zero(p, data, h->caplen);
	pk.ip6_ext = p->ip_ver == 6 && p->ip_opt_cnt;
	pk.tunnel = !!(p->status & XF_PS_TUNNEL);
	/* payload stops where the IP length says: padding is not payload */
	pk.plen = p->l7_off && (p->status & XF_PS_HAS_L4) ?
		  (pk.l7_len < avail ? pk.l7_len : avail) : 0;
	pk.payload = dup_bytes(data + p->l7_off, pk.plen);
	if (keep) {
		pk.caplen = h->caplen;
		pk.frame = dup_bytes(data, h->caplen);
	}
	if (!pk.payload || (keep && !pk.frame) || fflow_add(fl, &pk)) {
		free(pk.payload);
		free(pk.frame);
		return -1;
	}
	return 0;
}

/* ---- numbering flows over a capture (shared with split.c) ---- */

struct xf_flow_numbers {
	struct key_index ix;
	uint64_t nflows;
	struct xf_cfg cfg;
};

struct xf_flow_numbers *xf_fnum_new(void)
{
	struct xf_flow_numbers *fn = calloc(1, sizeof(*fn));

	if (fn)
		xf_kern_cfg_from_settings(&fn->cfg);
	return fn;
}

void xf_fnum_free(struct xf_flow_numbers *fn)
{
	if (fn)
		free(fn->ix.slots);
	free(fn);
}

uint64_t xf_fnum_packet(struct xf_flow_numbers *fn, int linktype, const uint8_t *data,
			uint32_t caplen, struct xf_pkt *p, int *dir, int *fresh)
{
	struct xf_flow_key k;
	struct key_slot *ks;
	uint32_t side;

	xf_parse(data, data + caplen, caplen, linktype, &fn->cfg, p);
	if (!p->ip_ver && !(p->status & XF_PS_L2_ONLY))
		return 0;
	if ((p->status & XF_PS_FRAG) && !(p->status & XF_PS_FRAG_FIRST))
		return 0;       /* later fragments join their flow; no L4 here */
	side = xf_flow_key_make(p, &fn->cfg, &k);
	ks = key_find(&fn->ix, &k, fresh);
	if (!ks)
		return UINT64_MAX;
	if (*fresh) {
		ks->ind = ++fn->nflows;
		ks->a_side = side;
	}
	*dir = side != ks->a_side;
	return ks->ind;
}

static uint64_t xf_pcap_ts_ns(const struct pcap_pkthdr *h, int nano)
{
	return (uint64_t)h->ts.tv_sec * 1000000000ULL + (uint64_t)h->ts.tv_usec * (nano ? 1 : 1000);
}

static int load_pcap(pcap_t *pc, const char *path, const struct xf_fsel *sel, int keep,
		     struct xf_fflow *fl)
{
	struct xf_flow_numbers *fn = xf_fnum_new();
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t pkt_no = 0;
	int rc, found = 0, nano = pcap_get_tstamp_precision(pc) == PCAP_TSTAMP_PRECISION_NANO;

	if (!fn)
		goto nomem;
	fl->linktype = pcap_datalink(pc);
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		uint64_t ts = xf_pcap_ts_ns(h, nano), ind;
		struct xf_pkt p;
		int dir, fresh;

		pkt_no++;
		ind = xf_fnum_packet(fn, fl->linktype, data, h->caplen, &p, &dir, &fresh);
		if (ind == UINT64_MAX)
			goto nomem;
		if (!ind || (sel->flow_ind ? ind != sel->flow_ind :
			     !tuple_match(sel, &p) || (found && ind != fl->flow_ind)))
			continue;
		if (!found) {
			flow_meta(fl, &p, ind, ts);
			found = 1;
		}
		if (take_packet(fl, &p, h, data, pkt_no, ts, dir, keep))
			goto nomem;
	}
	xf_fnum_free(fn);
	if (rc == -1) {
		pr_err("%s: %s", path, pcap_geterr(pc));
		return -1;
	}
	return found ? 0 : 1;
nomem:
	xf_fnum_free(fn);
	pr_err("%s: out of memory holding the flow's packets", path);
	return -1;
}

int xf_packets_file_load(const char *path, FILE *f, const struct xf_fsel *sel,
			 struct xf_fflow *fl);

int xf_follow_load(const char *source, const struct xf_fsel *sel, int keep_frames,
		   struct xf_fflow *out)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc;
	FILE *f;
	int rc;

	memset(out, 0, sizeof(*out));
	pc = pcap_open_offline_with_tstamp_precision(source, PCAP_TSTAMP_PRECISION_NANO, err);
	if (pc) {
		rc = load_pcap(pc, source, sel, keep_frames, out);
		pcap_close(pc);
	} else {
		f = fopen(source, "r");
		if (!f) {
			pr_err("%s: %s", source, strerror(errno));
			return -1;
		}
		if (keep_frames) {
			fclose(f);
			pr_err("%s: not a pcap (%s); packets files hold no frames", source, err);
			return -1;
		}
		rc = xf_packets_file_load(source, f, sel, out);
		fclose(f);
	}
	if (rc == 1) {
		pr_err("%s: no such flow", source);
		return -1;
	}
	return rc;
}

/* ---- packets file (-s): header-driven, T2 column names ---- */

enum pcol { C_PKTNO, C_FLOWIND, C_DIR, C_FLOWSTAT, C_TIME, C_SRCIP, C_SRCPORT, C_DSTIP,
	    C_DSTPORT, C_PROTO, C_SEQ, C_ACK, C_FLAGS, C_L7LEN, C_L7, C__N };

static const char *const pcol_names[C__N][3] = {
	[C_PKTNO] = { "pktNo" }, [C_FLOWIND] = { "flowInd" }, [C_DIR] = { "dir" },
	[C_FLOWSTAT] = { "flowStat" }, [C_TIME] = { "time", "timeFirst" },
	[C_SRCIP] = { "srcIP" }, [C_SRCPORT] = { "srcPort" }, [C_DSTIP] = { "dstIP" },
	[C_DSTPORT] = { "dstPort" }, [C_PROTO] = { "l4Proto" },
	[C_SEQ] = { "tcpSeq", "tcpSeqNum" }, [C_ACK] = { "tcpAck", "tcpAckNum" },
	[C_FLAGS] = { "tcpFlags", "tcpFlgs" }, [C_L7LEN] = { "l7Len", "l7Size" },
	[C_L7] = { "l7Content" },
};

static int split_tabs(char *line, char **f, int max)
{
	int n = 0;

	line[strcspn(line, "\r\n")] = 0;
	while (n < max) {
		f[n++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = 0;
	}
	return n;
}

/* inverse of xf_ob_escaped(): \n \r \t \\ \" \xHH */
static uint32_t unescape(const char *s, uint8_t *out)
{
	uint32_t n = 0;

	while (*s) {
		if (*s != '\\' || !s[1]) {
			out[n++] = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': out[n++] = '\n'; s++; break;
		case 'r': out[n++] = '\r'; s++; break;
		case 't': out[n++] = '\t'; s++; break;
		case 'x':
			if (isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])) {
				char hx[3] = { s[1], s[2], 0 };

				out[n++] = strtoul(hx, NULL, 16);
				s += 3;
				break;
			}
			/* fall through */
		default: out[n++] = *s++; break;
		}
	}
	return n;
}

static uint64_t parse_time_ns(const char *s)
{
	char *ep;
	uint64_t sec = strtoull(s, &ep, 10), ns = 0;
	int digits = 0;

	if (*ep == '.')
		for (ep++; isdigit((unsigned char)*ep) && digits < 9; ep++, digits++)
			ns = ns * 10 + (*ep - '0');
	while (digits++ < 9)
		ns *= 10;
	return sec * 1000000000ULL + ns;
}

static int pkt_line(struct xf_fflow *fl, char **f, int nf, const int *col,
		    const struct xf_fsel *sel)
{
	struct xf_fpkt pk = { 0 };
	const char *v[C__N] = { 0 };
	uint8_t src[16] = { 0 };
	int ver;

	for (int c = 0; c < C__N; c++)
		v[c] = col[c] >= 0 && col[c] < nf ? f[col[c]] : NULL;
	if (!v[C_SRCIP] || !v[C_DSTIP])
		return 0;
	ver = strchr(v[C_SRCIP], ':') ? 6 : 4;
	if (inet_pton(ver == 6 ? AF_INET6 : AF_INET, v[C_SRCIP], src) != 1)
		return 0;
	if (sel->flow_ind) {
		if (!v[C_FLOWIND] || strtoull(v[C_FLOWIND], NULL, 10) != sel->flow_ind)
			return 0;
	} else {
		struct xf_pkt p = { .ip_ver = ver };

		memcpy(p.src, src, 16);
		inet_pton(ver == 6 ? AF_INET6 : AF_INET, v[C_DSTIP], p.dst);
		p.sport = v[C_SRCPORT] ? atoi(v[C_SRCPORT]) : 0;
		p.dport = v[C_DSTPORT] ? atoi(v[C_DSTPORT]) : 0;
		p.l4_proto = v[C_PROTO] ? atoi(v[C_PROTO]) : 0;
		if (!tuple_match(sel, &p))
			return 0;
	}
	if (!fl->npkts) {
		fl->flow_ind = v[C_FLOWIND] ? strtoull(v[C_FLOWIND], NULL, 10) : 0;
		fl->ip_ver = ver;
		fl->l4_proto = v[C_PROTO] ? atoi(v[C_PROTO]) : 0;
		memcpy(fl->addr[0], src, 16);
		inet_pton(ver == 6 ? AF_INET6 : AF_INET, v[C_DSTIP], fl->addr[1]);
		fl->port[0] = v[C_SRCPORT] ? atoi(v[C_SRCPORT]) : 0;
		fl->port[1] = v[C_DSTPORT] ? atoi(v[C_DSTPORT]) : 0;
	}
	pk.pkt_no = v[C_PKTNO] ? strtoull(v[C_PKTNO], NULL, 10) : fl->npkts + 1;
	pk.ts = v[C_TIME] ? parse_time_ns(v[C_TIME]) : 0;
	if (v[C_DIR])
		pk.dir = v[C_DIR][0] == 'B';
	else if (v[C_FLOWSTAT])
		pk.dir = strtoull(v[C_FLOWSTAT], NULL, 16) & XF_FS_DIR_B ? 1 : 0;
	else
		pk.dir = memcmp(src, fl->addr[0], 16) != 0;
	pk.seq = v[C_SEQ] ? strtoul(v[C_SEQ], NULL, 0) : 0;
	pk.ack = v[C_ACK] ? strtoul(v[C_ACK], NULL, 0) : 0;
	pk.tcp_flags = v[C_FLAGS] ? strtoul(v[C_FLAGS], NULL, 16) : 0;
	pk.payload = malloc(v[C_L7] ? strlen(v[C_L7]) + 1 : 1);
	if (!pk.payload)
		return -1;
	pk.plen = v[C_L7] ? unescape(v[C_L7], pk.payload) : 0;
	pk.l7_len = v[C_L7LEN] ? strtoul(v[C_L7LEN], NULL, 10) : pk.plen;
	if (!fl->npkts)
		fl->first_ts = pk.ts;
	if (fflow_add(fl, &pk)) {
		free(pk.payload);
		return -1;
	}
	return 0;
}

int xf_packets_file_load(const char *path, FILE *f, const struct xf_fsel *sel,
			 struct xf_fflow *fl)
{
	char *line = NULL, *fields[256];
	size_t cap = 0;
	int col[C__N], have_header = 0, nf;
	unsigned long lineno = 0;

	for (int c = 0; c < C__N; c++)
		col[c] = -1;
	while (getline(&line, &cap, f) > 0) {
		lineno++;
		if (line[0] == '%') {
			nf = split_tabs(line + 1, fields, 256);
			for (int i = 0; i < nf; i++)
				for (int c = 0; c < C__N; c++)
					for (int a = 0; a < 3 && pcol_names[c][a]; a++)
						if (!strcmp(fields[i], pcol_names[c][a]))
							col[c] = i;
			have_header = 1;
			continue;
		}
		if (!have_header || line[0] == '#')
			continue;
		nf = split_tabs(line, fields, 256);
		if (pkt_line(fl, fields, nf, col, sel) < 0) {
			free(line);
			pr_err("%s:%lu: out of memory", path, lineno);
			return -1;
		}
	}
	free(line);
	if (!have_header) {
		pr_err("%s: neither a capture nor a packets file (no '%%' header line)", path);
		return -1;
	}
	if (col[C_L7] < 0)
		pr_warn("%s: no l7Content column: the streams will be empty", path);
	return fl->npkts ? 0 : 1;
}
