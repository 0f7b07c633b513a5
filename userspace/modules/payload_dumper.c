// SPDX-License-Identifier: BSD-3-Clause
/*
 * payload_dumper.c - T2's payloadDumper, a tcpflow replacement: the
 * reassembled payload of each selected flow direction into its own file.
 *
 * TCP goes through the reassembler (reasm.c): retransmissions and overlaps
 * are resolved by REASM_POLICY, out-of-order data is held within the
 * REASM_MAX_OOO caps, and a gap that never fills is written as NUL bytes
 * (PLDUMP_GAPS=zero, so the file offsets stay the stream offsets, as in
 * tcpflow) and flagged in pldStat and flowStat.  UDP/SCTP/L2: the datagram
 * payloads in order.
 *
 * File names are built from parsed numbers only (flowInd, addresses, ports,
 * protocol, time): no byte of payload can steer a path.
 *
 * Output: each direction's bytes are buffered in memory and written in
 * page-aligned pieces by pld_writer.c: by default from a second thread, fed
 * through a bounded queue, so writing (mostly the kernel's copy into the page
 * cache) overlaps with parsing; PLDUMP_WRITER=0 writes inline.  The
 * direction buffers and the queue share PLDUMP_BUF_TOTAL bytes (the queue a
 * quarter), so memory does not grow with the flows.  A direction's file
 * stays open from its first write to the end of its flow (at most `open_max`
 * open at once, from RLIMIT_NOFILE; the least recently written is closed and
 * reopened for appending), so a long stream costs one write() per buffer.
 * A direction whose whole stream fits its buffer is written at its flow's
 * end by the parsing thread itself (open, write, close), without a round
 * trip through the queue.  flow_end returns when the flow's files are
 * complete, so pldStat (0x80: write error) is final when the flow line is
 * written.  (Appending with open/write/close per buffer was 3 system calls
 * per 2-4 KiB and most of the dump's time: docs/bench.md.)
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "log.h"
#include "module.h"
#include "pld_writer.h"
#include "reasm.h"
#include "reasm_settings.h"

/* pldStat bits (per flow direction) */
#define PLD_MATCHED     0x01    /* the flow matched the dump rules */
#define PLD_DUMPED      0x02    /* bytes of this direction were written */
#define PLD_GAP         0x04    /* the stream had a gap (NUL-filled or skipped) */
#define PLD_OVERLAP     0x08    /* retransmitted bytes differed (REASM_POLICY chose) */
#define PLD_CAP_FLOW    0x10    /* per-flow out-of-order cap forced a gap */
#define PLD_CAP_GLOBAL  0x20    /* global out-of-order cap forced a gap */
#define PLD_MAX_BYTES   0x40    /* PLDUMP_MAX_BYTES reached: file truncated */
#define PLD_WRITE_ERR   0x80    /* a write failed (disk full, ...): file incomplete */

#define PLD_BUF_MIN     256     /* a direction's first buffer (at least) */
#define PLD_BUF_MAX     65536   /* bytes held per direction before writing */
#define PLD_QUEUE_SHARE 4       /* the writer's queue takes 1/4 of PLDUMP_BUF_TOTAL;
				 * the direction buffers the rest: beyond it a
				 * direction writes what it holds instead of growing
				 * (or writes unbuffered if it holds no buffer) */
#define PLD_BUF_PAGE    4096u   /* writes end on a page boundary of the file where
				 * they can, so no page is filled by two writes
				 * (on tmpfs, 4000-byte writes took 10-20% more
				 * system time than 4096-byte ones) */
#define OPEN_FILES_MAX  65536u  /* files held open at most, whatever the rlimit */

static const struct xf_setting pld_settings[] = {
	{ "PLDUMP_L2", XF_ST_BOOL, "0", "dump non-IP (L2) flows", NULL, 0, 0 },
	{ "PLDUMP_TCP", XF_ST_BOOL, "1", "dump TCP flows (reassembled)", NULL, 0, 0 },
	{ "PLDUMP_UDP", XF_ST_BOOL, "1", "dump UDP flows (datagram payloads in order)", NULL, 0, 0 },
	{ "PLDUMP_SCTP", XF_ST_BOOL, "0", "dump SCTP flows (payloads after the common header, in order)", NULL, 0, 0 },
	{ "PLDUMP_ETHERTYPES", XF_ST_STRING, "",
	  "comma-separated ethertypes (0x0800,...) to dump; empty: any", NULL, 0, 0 },
	{ "PLDUMP_PORTS", XF_ST_STRING, "",
	  "comma-separated ports: dump flows with either port in the list; empty: any", NULL, 0, 0 },
	{ "PLDUMP_START_OFF", XF_ST_INT, "0", "stream offset of the first byte written", NULL, 0, 1e15 },
	{ "PLDUMP_MAX_BYTES", XF_ST_INT, "0", "bytes written per flow direction at most (0 = all)", NULL, 0, 1e15 },
	{ "PLDUMP_FOLDER", XF_ST_STRING, "/tmp/xdpflow_payload/", "output folder (created if missing)", NULL, 0, 0 },
	{ "PLDUMP_PREFIX", XF_ST_STRING, "", "file name prefix", NULL, 0, 0 },
	{ "PLDUMP_SUFFIX", XF_ST_STRING, "", "file name suffix", NULL, 0, 0 },
	{ "PLDUMP_RMDIR", XF_ST_BOOL, "0", "remove the files in the output folder first", NULL, 0, 0 },
	{ "PLDUMP_NAMES", XF_ST_ENUM, "flowind",
	  "file names: flowind (flowInd_A, flowInd_B), tcpflow (srcIP.srcPort-dstIP.dstPort-l4Proto), "
	  "tstcpflow (the same after the flow's first timestamp)", "flowind|tcpflow|tstcpflow", 0, 0 },
	{ "PLDUMP_GAPS", XF_ST_ENUM, "zero",
	  "bytes missing from a stream: zero (written as NUL bytes, offsets kept) or skip", "zero|skip", 0, 0 },
	{ "PLDUMP_BUF_TOTAL", XF_ST_INT, "16777216",
	  "bytes of output buffers of all flows together, the writer's queue included (a quarter of it)",
	  NULL, 1 << 20, 1e12 },
	{ "PLDUMP_WRITER", XF_ST_BOOL, "1",
	  "write the files from a second thread (overlaps writing with parsing); 0: write inline", NULL, 0, 0 },
};

struct pld_flow;

struct pld_dir {
	struct xf_reasm r;
	uint8_t *buf;
	uint32_t blen, bcap;
	uint64_t written;           /* bytes in the file (incl. buffered) */
	struct pld_flow *pf;        /* the flow this direction belongs to */
	struct pld_file *file;      /* once bytes went to the writer, till flow end */
	uint8_t  dir;
	uint8_t  stat;
};

struct pld_flow {
	struct xf_flow_ctx *fc;
	struct pld_dir d[2];
};

static struct {
	int tcp, udp, sctp, l2, gaps_zero, names;
	uint64_t start_off, max_bytes;
	const char *folder, *prefix, *suffix;
	uint16_t ethertypes[64];
	int nethertypes;
	uint8_t *ports;             /* bitmap of 65536, NULL = any */
	struct xf_rs_cfg rs;
	uint64_t flows_matched, flows_dumped, bytes, gaps, gap_bytes, overlaps, write_errs, truncated;
	uint64_t buffered;          /* sum of every direction's bcap */
	uint64_t buf_total;         /* PLDUMP_BUF_TOTAL */
	uint64_t buf_budget;        /* of it, for the direction buffers */
} pld;

static struct xf_module payload_dumper;
static struct pld_flow not_matched;   /* sentinel: decided, nothing to do */

/* ---- file names and writing ---- */

static void name_tcpflow(char *buf, size_t n, const struct xf_flow_ctx *fc, int dir)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int sa = xf_ctx_side(fc, dir), sb = !sa, fam = fc->key.ip_ver == 6 ? AF_INET6 : AF_INET;

	if (!inet_ntop(fam, fc->key.addr[sa], a, sizeof(a)) ||
	    !inet_ntop(fam, fc->key.addr[sb], b, sizeof(b)))
		a[0] = b[0] = 0;
	snprintf(buf, n, "%s.%u-%s.%u-%u", a, fc->key.port[sa], b, fc->key.port[sb],
		 fc->key.l4_proto);
}

static void file_name(char *path, size_t n, const struct xf_flow_ctx *fc, int dir)
{
	char core[160];

	if (pld.names == 0) {
		snprintf(core, sizeof(core), "%llu_%c", (unsigned long long)fc->f.index, "AB"[dir]);
	} else {
		char tf[140];

		name_tcpflow(tf, sizeof(tf), fc, dir);
		if (pld.names == 2)
			snprintf(core, sizeof(core), "%llu.%06llu_%s",
				 (unsigned long long)(fc->f.first_ts / 1000000000ULL),
				 (unsigned long long)(fc->f.first_ts % 1000000000ULL / 1000), tf);
		else
			snprintf(core, sizeof(core), "%s", tf);
	}
	snprintf(path, n, "%s/%s%s%s", pld.folder, pld.prefix, core, pld.suffix);
}

/* The direction's file is incomplete: say so once, drop what it holds. */
static void write_error(struct pld_dir *d, int err)
{
	char path[4096];

	file_name(path, sizeof(path), d->pf->fc, d->dir);
	pr_warn("payloadDumper: %s: %s (flow %llu %c incomplete)", path, strerror(err),
		(unsigned long long)d->pf->fc->f.index, "AB"[d->dir]);
	if (d->file) {
		pld_file_finish(d->file, NULL, 0);  /* the error is the one above */
		d->file = NULL;
	}
	d->stat |= PLD_WRITE_ERR;
	d->blen = 0;
	pld.write_errs++;
}

/* n bytes to d's file, through the writer. */
static void dir_write(struct pld_dir *d, const uint8_t *p, size_t n)
{
	int err;

	if (d->stat & PLD_WRITE_ERR)
		return;
	if (!d->file) {
		char path[4096];

		file_name(path, sizeof(path), d->pf->fc, d->dir);
		if (!(d->file = pld_file_new(path))) {
			write_error(d, ENOMEM);
			return;
		}
	}
	err = pld_file_write(d->file, p, n);
	if (err)
		write_error(d, err);
}

/* The end of d's stream: what the buffer holds to the file, which is
 * complete on return.  A stream that never left its buffer is written here,
 * in this thread: one open/write/close, no round trip through the queue. */
static void dir_finish(struct pld_dir *d)
{
	int err;

	if (d->stat & PLD_WRITE_ERR)
		return;
	if (!d->file) {
		char path[4096];

		if (!d->blen)
			return;
		file_name(path, sizeof(path), d->pf->fc, d->dir);
		err = pld_write_once(path, d->buf, d->blen);
		d->blen = 0;
		if (err)
			write_error(d, err);
		return;
	}
	err = pld_file_finish(d->file, d->buf, d->blen);
	d->file = NULL;
	d->blen = 0;
	if (err)
		write_error(d, err);
}

/* Write what the buffer holds: all of it when `all`, else up to the last
 * page boundary of the file inside it if there is one (the rest, less
 * than a page, moves to the front of the buffer). */
static void dir_flush(struct pld_dir *d, int all)
{
	uint64_t off = d->written - d->blen;            /* file offset of buf[0] */
	uint64_t end = d->written & ~(uint64_t)(PLD_BUF_PAGE - 1);
	uint32_t n = d->blen;

	if (!all && end > off)
		n = (uint32_t)(end - off);
	if (!n)
		return;
	dir_write(d, d->buf, n);
	if (d->stat & PLD_WRITE_ERR)
		return;                 /* write_error() emptied the buffer */
	if (d->blen > n)
		memmove(d->buf, d->buf + n, d->blen - n);
	d->blen -= n;
}

/* A bigger buffer for d (doubling from PLD_BUF_MIN up to PLD_BUF_MAX), if
 * the budget of all buffers allows it, else by the whole pages the budget
 * has left (so buffers need not stop at half the budget's share): 1 if it
 * grew. */
static int dir_grow(struct pld_dir *d)
{
	uint64_t left = pld.buf_budget > pld.buffered ? pld.buf_budget - pld.buffered : 0;
	uint32_t ncap = d->bcap ? d->bcap * 2 : PLD_BUF_MIN;
	uint8_t *nb;

	if (d->bcap >= PLD_BUF_MAX)
		return 0;
	if (ncap > PLD_BUF_MAX)
		ncap = PLD_BUF_MAX;
	if (ncap - d->bcap > left && d->bcap >= PLD_BUF_PAGE)
		ncap = d->bcap + (uint32_t)(left & ~(uint64_t)(PLD_BUF_PAGE - 1));
	if (ncap <= d->bcap || ncap - d->bcap > left || !(nb = realloc(d->buf, ncap)))
		return 0;
	pld.buffered += ncap - d->bcap;
	d->buf = nb;
	d->bcap = ncap;
	return 1;
}

/* n bytes at p (NULL: a gap, NUL bytes) straight to the file: d has no
 * buffer and the budget none to give. */
static void dir_put_direct(struct pld_dir *d, const uint8_t *p, uint64_t n)
{
	static const uint8_t zeros[PLD_BUF_PAGE];

	while (n && !(d->stat & PLD_WRITE_ERR)) {
		size_t k = p ? n : n < sizeof(zeros) ? n : sizeof(zeros);

		dir_write(d, p ? p : zeros, k);
		if (p)
			p += k;
		d->written += k;
		n -= k;
	}
}

static void dir_put(struct pld_flow *pf, int dir, const uint8_t *p, uint64_t n)
{
	struct pld_dir *d = &pf->d[dir];

	d->stat |= PLD_DUMPED;
	pld.bytes += n;
	while (n && !(d->stat & PLD_WRITE_ERR)) {
		uint32_t k;

		if (d->blen == d->bcap && !dir_grow(d)) {
			if (!d->blen) {
				dir_put_direct(d, p, n);
				return;
			}
			dir_flush(d, 0);
			continue;
		}
		k = d->bcap - d->blen < n ? d->bcap - d->blen : (uint32_t)n;
		if (p) {
			memcpy(d->buf + d->blen, p, k);
			p += k;
		} else {
			memset(d->buf + d->blen, 0, k);     /* a gap */
		}
		d->blen += k;
		d->written += k;
		n -= k;
	}
}

/* Bytes [off, off+len) of the stream (p NULL: a gap): the part inside
 * [START_OFF, START_OFF + MAX_BYTES) goes to the file. */
static void stream_bytes(struct pld_flow *pf, int dir, uint64_t off, const uint8_t *p, uint64_t len)
{
	uint64_t s = off, e = off + len, hi = pld.max_bytes ? pld.start_off + pld.max_bytes : UINT64_MAX;

	if (s < pld.start_off)
		s = pld.start_off;
	if (e > hi) {
		e = hi;
		pf->d[dir].stat |= PLD_MAX_BYTES;
	}
	if (s >= e)
		return;
	dir_put(pf, dir, p ? p + (s - off) : NULL, e - s);
}

static void on_stream(void *user, const struct xf_rs_event *ev)
{
	struct pld_flow *pf = user;
	struct pld_dir *d = &pf->d[ev->dir];

	switch (ev->type) {
	case XF_RS_DATA:
		stream_bytes(pf, ev->dir, ev->off, ev->data, ev->len);
		break;
	case XF_RS_GAP:
		d->stat |= PLD_GAP;
		pld.gaps++;
		pld.gap_bytes += ev->len;
		if (pld.gaps_zero)
			stream_bytes(pf, ev->dir, ev->off, NULL, ev->len);
		break;
	case XF_RS_OVERLAP:
		d->stat |= PLD_OVERLAP;
		pld.overlaps++;
		break;
	default:
		break;
	}
}

/* ---- rules ---- */

static int rule_match(const struct xf_pkt *p)
{
	int i;

	if (p->status & XF_PS_L2_ONLY) {
		if (!pld.l2)
			return 0;
	} else if (!((p->l4_proto == 6 && pld.tcp) || (p->l4_proto == 17 && pld.udp) ||
		     (p->l4_proto == 132 && pld.sctp))) {
		return 0;
	}
	if (pld.nethertypes) {
		for (i = 0; i < pld.nethertypes && pld.ethertypes[i] != p->ethertype; i++)
			;
		if (i == pld.nethertypes)
			return 0;
	}
	if (pld.ports && !(p->status & XF_PS_L2_ONLY)) {
		int sp = pld.ports[p->sport >> 3] & (1 << (p->sport & 7));
		int dp = pld.ports[p->dport >> 3] & (1 << (p->dport & 7));

		if (!sp && !dp)
			return 0;
	}
	return 1;
}

static struct pld_flow *flow_state(const struct xf_pkt_view *pv)
{
	struct xf_flow_ctx *fc = pv->fc;
	struct pld_flow *pf = fc->mod[payload_dumper.id];

	if (pf)
		return pf == &not_matched ? NULL : pf;
	if (!rule_match(pv->p) || !(pf = calloc(1, sizeof(*pf)))) {
		fc->mod[payload_dumper.id] = &not_matched;
		return NULL;
	}
	pf->fc = fc;
	for (int d = 0; d < 2; d++) {
		xf_reasm_init(&pf->d[d].r, &pld.rs, d, on_stream, pf);
		pf->d[d].stat = PLD_MATCHED;
		pf->d[d].pf = pf;
		pf->d[d].dir = d;
	}
	fc->mod[payload_dumper.id] = pf;
	pld.flows_matched++;
	return pf;
}

/* ---- hooks ---- */

static void pld_packet(const struct xf_pkt_view *pv)
{
	const struct xf_pkt *p = pv->p;
	struct pld_flow *pf;
	int dir = pv->dir ? 1 : 0;

	if (!pv->fc || !(pf = flow_state(pv)))
		return;
	if (p->l4_proto == 6 && (p->status & XF_PS_HAS_L4) && !(p->status & XF_PS_L2_ONLY)) {
		xf_reasm_tcp(&pf->d[dir].r, p->seq, p->tcp_flags, pv->l7, pv->l7_caplen,
			     pv->l7_len, pv->ts, pv->pkt_no);
		if (p->tcp_flags & XF_RS_TCP_ACK)
			xf_reasm_ack(&pf->d[!dir].r, p->ack);
	} else if (pv->l7_caplen) {
		xf_reasm_dgram(&pf->d[dir].r, pv->l7, pv->l7_caplen, pv->ts, pv->pkt_no);
	}
}

static void pld_flow_end(struct xf_flow_ctx *fc)
{
	struct pld_flow *pf = fc->mod[payload_dumper.id];
	int dumped = 0;

	if (!pf || pf == &not_matched)
		return;
	for (int d = 0; d < 2; d++) {
		struct pld_dir *pd = &pf->d[d];

		xf_reasm_flush(&pd->r);
		dir_finish(pd);
		if (pd->r.flags & XF_RSF_CAP_FLOW)
			pd->stat |= PLD_CAP_FLOW;
		if (pd->r.flags & XF_RSF_CAP_GLOBAL)
			pd->stat |= PLD_CAP_GLOBAL;
		if (pd->stat & PLD_MAX_BYTES)
			pld.truncated++;
		fc->f.stat |= xf_reasm_flowstat(&pd->r);
		dumped |= pd->stat & PLD_DUMPED;
	}
	if (dumped)
		pld.flows_dumped++;
}

static void pld_flow_free(struct xf_flow_ctx *fc)
{
	struct pld_flow *pf = fc->mod[payload_dumper.id];

	fc->mod[payload_dumper.id] = NULL;
	if (!pf || pf == &not_matched)
		return;
	for (int d = 0; d < 2; d++) {
		xf_reasm_free(&pf->d[d].r);
		if (pf->d[d].file) {    /* flow_end was not called */
			int err = pld_file_finish(pf->d[d].file, NULL, 0);

			pf->d[d].file = NULL;
			if (err)
				write_error(&pf->d[d], err);
		}
		pld.buffered -= pf->d[d].bcap;
		free(pf->d[d].buf);
	}
	free(pf);
}

static void fmt_pld_stat(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	const struct pld_flow *pf = fc->mod[payload_dumper.id];

	xf_ob_hex(ob, pf && pf != &not_matched ? pf->d[dir ? 1 : 0].stat : 0, 2);
}

static void pld_report(FILE *out)
{
	const struct xf_rs_pool *pool = xf_rs_global_pool();

	fprintf(out, "payloadDumper: %llu flows matched, %llu dumped, %llu bytes written to %s\n",
		(unsigned long long)pld.flows_matched, (unsigned long long)pld.flows_dumped,
		(unsigned long long)pld.bytes, pld.folder);
	fprintf(out, "payloadDumper: %llu gaps (%llu bytes %s), %llu overlaps with different bytes, "
		"%llu directions cut at PLDUMP_MAX_BYTES, %llu write errors, peak buffered out of order %llu bytes, global cap hits %llu\n",
		(unsigned long long)pld.gaps, (unsigned long long)pld.gap_bytes,
		pld.gaps_zero ? "written as NUL" : "skipped", (unsigned long long)pld.overlaps,
		(unsigned long long)pld.truncated, (unsigned long long)pld.write_errs,
		(unsigned long long)pool->peak, (unsigned long long)pool->cap_hits);
	struct pld_writer_stats ws;

	pld_writer_stats(&ws);
	fprintf(out, "payloadDumper: %llu files opened, %llu writes (at most %u files open); "
		"output buffers %llu bytes (PLDUMP_BUF_TOTAL) %s, %llu waits for the writer\n",
		(unsigned long long)ws.opens, (unsigned long long)ws.writes, ws.open_max,
		(unsigned long long)pld.buf_total,
		ws.threaded ? "with a writer thread" : "written inline", (unsigned long long)ws.waits);
}

/* ---- init ---- */

static int parse_list(const char *name, int hex_ok, void (*add)(unsigned long))
{
	char *s = strdup(xf_cfg_str(name)), *save = NULL, *tok, *ep;

	if (!s)
		return -1;
	for (tok = strtok_r(s, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		unsigned long v = strtoul(tok, &ep, hex_ok ? 0 : 10);

		if (*ep || v > 65535) {
			pr_err("-D %s: '%s' is not a number 0-65535", name, tok);
			free(s);
			return -1;
		}
		add(v);
	}
	free(s);
	return 0;
}

static void add_port(unsigned long v)
{
	pld.ports[v >> 3] |= 1 << (v & 7);
}

static void add_ethertype(unsigned long v)
{
	if (pld.nethertypes < 64)
		pld.ethertypes[pld.nethertypes++] = v;
}

static int empty_folder(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (!lstat(path, &st) && S_ISREG(st.st_mode) && unlink(path))
			pr_warn("payloadDumper: cannot remove %s: %s", path, strerror(errno));
	}
	closedir(d);
	return 0;
}

static int make_folder(const char *dir)
{
	char tmp[4096];

	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

/* How many output files may be open at once: the soft RLIMIT_NOFILE,
 * raised towards the hard one as tcpflow does, less room for the rest of
 * xdpflow (its output files, the capture, BPF maps). */
static unsigned open_files_max(void)
{
	const rlim_t want = OPEN_FILES_MAX + 256;
	struct rlimit rl;
	rlim_t cur;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 16;
	if (rl.rlim_cur < want && rl.rlim_max > rl.rlim_cur) {
		struct rlimit up = { rl.rlim_max < want ? rl.rlim_max : want, rl.rlim_max };

		if (!setrlimit(RLIMIT_NOFILE, &up))
			rl.rlim_cur = up.rlim_cur;
	}
	cur = rl.rlim_cur;
	cur = cur > 512 ? cur - 256 : cur / 2;
	return cur < 1 ? 1 : cur > OPEN_FILES_MAX ? OPEN_FILES_MAX : (unsigned)cur;
}

static void pld_fini(void)
{
	pld_writer_stop();      /* files of flows not ended: written and closed */
	free(pld.ports);
	pld.ports = NULL;
}

static int pld_init(void)
{
	const char *names = xf_cfg_str("PLDUMP_NAMES");

	pld_fini();             /* a second init (tests) starts afresh */
	pld.nethertypes = 0;
	pld.tcp = xf_cfg_bool("PLDUMP_TCP");
	pld.udp = xf_cfg_bool("PLDUMP_UDP");
	pld.sctp = xf_cfg_bool("PLDUMP_SCTP");
	pld.l2 = xf_cfg_bool("PLDUMP_L2");
	pld.gaps_zero = !strcmp(xf_cfg_str("PLDUMP_GAPS"), "zero");
	pld.names = !strcmp(names, "tcpflow") ? 1 : !strcmp(names, "tstcpflow") ? 2 : 0;
	pld.start_off = xf_cfg_int("PLDUMP_START_OFF");
	pld.max_bytes = xf_cfg_int("PLDUMP_MAX_BYTES");
	pld.folder = xf_cfg_str("PLDUMP_FOLDER");
	pld.prefix = xf_cfg_str("PLDUMP_PREFIX");
	pld.suffix = xf_cfg_str("PLDUMP_SUFFIX");
	if (strchr(pld.prefix, '/') || strchr(pld.suffix, '/')) {
		pr_err("-D PLDUMP_PREFIX/PLDUMP_SUFFIX: a '/' would leave PLDUMP_FOLDER");
		return -1;
	}
	if (*xf_cfg_str("PLDUMP_PORTS")) {
		pld.ports = calloc(1, 65536 / 8);
		if (!pld.ports || parse_list("PLDUMP_PORTS", 0, add_port))
			return -1;
	}
	if (parse_list("PLDUMP_ETHERTYPES", 1, add_ethertype))
		return -1;
	if (make_folder(pld.folder)) {
		pr_err("PLDUMP_FOLDER=%s: %s", pld.folder, strerror(errno));
		return -1;
	}
	if (xf_cfg_bool("PLDUMP_RMDIR"))
		empty_folder(pld.folder);
	xf_rs_cfg_from_settings(&pld.rs, 0);
	pld.buf_total = xf_cfg_int("PLDUMP_BUF_TOTAL");
	pld.buf_budget = pld.buf_total;
	if (xf_cfg_bool("PLDUMP_WRITER"))
		pld.buf_budget -= pld.buf_total / PLD_QUEUE_SHARE;
	return pld_writer_setup(xf_cfg_bool("PLDUMP_WRITER"), pld.buf_total / PLD_QUEUE_SHARE,
				open_files_max());
}

static const struct xf_column pld_columns[] = {
	{ "pldStat", "H8", "payloadDumper status: 0x01 rule matched, 0x02 payload dumped, 0x04 gap, "
	  "0x08 overlap with different bytes, 0x10 per-flow cap hit, 0x20 global cap hit, "
	  "0x40 PLDUMP_MAX_BYTES reached, 0x80 write error", XF_J_STR, fmt_pld_stat, NULL },
};

static struct xf_module payload_dumper = {
	.name = "payloadDumper",
	.desc = "reassembled payload of each flow direction into its own file (tcpflow replacement)",
	.default_on = 0,
	.settings = pld_settings,
	.nsettings = sizeof(pld_settings) / sizeof(pld_settings[0]),
	.columns = pld_columns,
	.ncolumns = sizeof(pld_columns) / sizeof(pld_columns[0]),
	.init = pld_init,
	.packet = pld_packet,
	.flow_end = pld_flow_end,
	.flow_free = pld_flow_free,
	.report = pld_report,
	.fini = pld_fini,
};
XF_MODULE(payload_dumper)
