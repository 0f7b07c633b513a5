// SPDX-License-Identifier: BSD-3-Clause
/*
 * follow.c - `xdpflow follow SOURCE FLOW [options]`: one flow's streams,
 * reassembled (or as captured), in the formats analysts know:
 *
 *   text     per segment a header (packet, time, length, flow, direction,
 *            addresses, seq) and a hexdump with absolute stream offsets;
 *            a closing line with client/server packets and turns (default)
 *   ascii, hex, raw   as tshark -z follow,tcp,<format>
 *   bytes    one direction's stream, raw, to stdout (md5-comparable)
 *   json     one object per segment (payload in base64), gaps and a summary
 *
 *   transcript, transcript-hex, transcript-json   the turns (transcript.c)
 *
 * Gaps are shown in every format: a line in the text formats, an object in
 * JSON, NUL bytes plus a warning on stderr in `bytes` (so offsets stay
 * right, as in tcpflow's files).
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "config.h"
#include "follow.h"
#include "log.h"
#include "reasm.h"
#include "reasm_settings.h"

enum ffmt { F_TEXT, F_ASCII, F_HEX, F_RAW, F_BYTES, F_JSON, F_TR_TEXT, F_TR_HEX, F_TR_JSON };

struct fopts {
	enum ffmt fmt;
	int dir;                /* -1 both, 0 A, 1 B */
	int no_reasm;
	int color;
	int gap_fill;           /* bytes: write NULs for gaps */
};

static void ev_collect(void *user, const struct xf_rs_event *ev)
{
	struct xf_fevents *fe = user;
	struct xf_fevent *e;

	if (fe->n == fe->cap) {
		size_t ncap = fe->cap ? fe->cap * 2 : 256;
		struct xf_fevent *nv = realloc(fe->v, ncap * sizeof(*nv));

		if (!nv) {
			fe->oom = 1;
			return;
		}
		fe->v = nv;
		fe->cap = ncap;
	}
	e = &fe->v[fe->n];
	e->ev = *ev;
	e->data = NULL;
	e->wire_len = 0;
	if (ev->type == XF_RS_DATA) {
		e->data = malloc(ev->len ? ev->len : 1);
		if (!e->data) {
			fe->oom = 1;
			return;
		}
		memcpy(e->data, ev->data, ev->len);
		e->ev.data = e->data;
	}
	fe->n++;
}

static void events_free(struct xf_fevents *fe)
{
	for (size_t i = 0; i < fe->n; i++)
		free(fe->v[i].data);
	free(fe->v);
}

/* Reassemble both directions into one list, in the order bytes became
 * available; stats of each direction into st[]. */
static void reassemble(const struct xf_fflow *fl, struct xf_fevents *fe,
		       struct xf_rs_stats st[2], uint32_t rsflags[2])
{
	struct xf_reasm r[2];
	struct xf_rs_cfg cfg;

	xf_rs_cfg_from_settings(&cfg, 1 << 20);
	for (int d = 0; d < 2; d++)
		xf_reasm_init(&r[d], &cfg, d, ev_collect, fe);
	for (size_t i = 0; i < fl->npkts; i++) {
		const struct xf_fpkt *pk = &fl->pkts[i];

		if (fl->l4_proto == 6) {
			xf_reasm_tcp(&r[pk->dir], pk->seq, pk->tcp_flags, pk->payload, pk->plen,
				     pk->l7_len, pk->ts, pk->pkt_no);
			if (pk->tcp_flags & XF_RS_TCP_ACK)
				xf_reasm_ack(&r[!pk->dir], pk->ack);
		} else {
			xf_reasm_dgram(&r[pk->dir], pk->payload, pk->plen, pk->ts, pk->pkt_no);
		}
	}
	for (int d = 0; d < 2; d++) {
		xf_reasm_flush(&r[d]);
		st[d] = r[d].st;
		rsflags[d] = r[d].flags;
		xf_reasm_free(&r[d]);
	}
}

/* --no-reassembly: every packet's payload as captured, offsets from the
 * direction's first sequence number. */
static void as_captured(const struct xf_fflow *fl, struct xf_fevents *fe)
{
	uint32_t base[2] = { 0 };
	int have[2] = { 0 };
	uint64_t dg_off[2] = { 0 };

	for (size_t i = 0; i < fl->npkts; i++) {
		const struct xf_fpkt *pk = &fl->pkts[i];
		struct xf_rs_event ev = {
			.type = XF_RS_DATA, .len = pk->plen, .data = pk->payload, .seq = pk->seq,
			.ts = pk->ts, .pkt_no = pk->pkt_no, .dir = pk->dir,
		};

		if (!have[pk->dir]) {
			have[pk->dir] = 1;
			base[pk->dir] = pk->seq + !!(pk->tcp_flags & XF_RS_TCP_SYN);
		}
		if (!pk->plen)
			continue;
		if (fl->l4_proto == 6) {
			ev.off = (uint32_t)(pk->seq - base[pk->dir]);
		} else {
			ev.off = dg_off[pk->dir];
			dg_off[pk->dir] += pk->plen;
		}
		ev_collect(fe, &ev);
	}
}

/* ---- output helpers ---- */

static const char *const dir_name = "AB";

static const char *color_on(const struct fopts *o, int dir)
{
	if (!o->color)
		return "";
	return dir ? "\033[34m" : "\033[31m";   /* Wireshark: client red, server blue */
}

static const char *color_off(const struct fopts *o)
{
	return o->color ? "\033[0m" : "";
}

/* tshark's hex line: offset, 16 bytes in two groups, ASCII in two groups */
static void hex_line(FILE *out, const char *indent, uint64_t off, const uint8_t *p, size_t n)
{
	fprintf(out, "%s%08llX  ", indent, (unsigned long long)off);
	for (size_t i = 0; i < 16; i++) {
		if (i < n)
			fprintf(out, "%02x ", p[i]);
		else
			fputs("   ", out);
		if (i == 7)
			fputc(' ', out);
	}
	fputc(' ', out);
	for (size_t i = 0; i < n; i++) {
		fputc(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.', out);
		if (i == 7 && n > 8)
			fputc(' ', out);
	}
	fputc('\n', out);
}

void xf_hexdump(FILE *out, const char *indent, uint64_t off, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 16)
		hex_line(out, indent, off + i, p + i, n - i < 16 ? n - i : 16);
}

static void endpoint(const struct xf_fflow *fl, int side, char *buf, size_t n)
{
	char a[64];

	xf_fflow_addr_str(fl, side, a, sizeof(a));
	snprintf(buf, n, fl->ip_ver == 6 ? "[%s]:%u" : "%s:%u", a, fl->port[side]);
}

static int shown(const struct fopts *o, int dir)
{
	return o->dir < 0 || o->dir == dir;
}

void xf_base64(FILE *out, const uint8_t *p, size_t n)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = p[i] << 16 | (i + 1 < n ? p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);

		fputc(b64[v >> 18 & 63], out);
		fputc(b64[v >> 12 & 63], out);
		fputc(i + 1 < n ? b64[v >> 6 & 63] : '=', out);
		fputc(i + 2 < n ? b64[v & 63] : '=', out);
	}
}

/* ---- formats ---- */

struct summary {
	uint64_t pkts[2], bytes[2], turns;
};

static void count_summary(const struct xf_fflow *fl, const struct xf_fevents *fe, struct summary *s)
{
	int last = -1;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < fl->npkts; i++)
		s->pkts[fl->pkts[i].dir]++;
	for (size_t i = 0; i < fe->n; i++) {
		const struct xf_rs_event *ev = &fe->v[i].ev;

		if (ev->type != XF_RS_DATA || !ev->len)
			continue;
		s->bytes[ev->dir] += ev->len;
		if (ev->dir != last)
			s->turns++;
		last = ev->dir;
	}
}

static void text_event(FILE *out, const struct xf_fflow *fl, const struct fopts *o,
		       const struct xf_rs_event *ev)
{
	char src[80], dst[80];

	endpoint(fl, ev->dir, src, sizeof(src));
	endpoint(fl, !ev->dir, dst, sizeof(dst));
	switch (ev->type) {
	case XF_RS_DATA:
		fprintf(out, "%s#%llu %llu.%09llu len=%llu flow=%llu %c %s -> %s seq=%u off=%llu%s\n",
			color_on(o, ev->dir), (unsigned long long)ev->pkt_no,
			(unsigned long long)(ev->ts / 1000000000ULL),
			(unsigned long long)(ev->ts % 1000000000ULL), (unsigned long long)ev->len,
			(unsigned long long)fl->flow_ind, dir_name[ev->dir], src, dst, ev->seq,
			(unsigned long long)ev->off, color_off(o));
		xf_hexdump(out, "", ev->off, ev->data, ev->len);
		break;
	case XF_RS_GAP:
		fprintf(out, "%s[%c gap: %llu bytes missing in capture at offset %llu]%s\n",
			color_on(o, ev->dir), dir_name[ev->dir], (unsigned long long)ev->len,
			(unsigned long long)ev->off, color_off(o));
		break;
	case XF_RS_OVERLAP:
		fprintf(out, "[%c overlap: %llu bytes at offset %llu (packet %llu) differ; %s data kept]\n",
			dir_name[ev->dir], (unsigned long long)ev->len,
			(unsigned long long)ev->off, (unsigned long long)ev->pkt_no,
			xf_rs_policy_name(xf_rs_policy_parse(xf_cfg_str("REASM_POLICY"))));
		break;
	case XF_RS_FIN:
		fprintf(out, "[%c FIN at offset %llu]\n", dir_name[ev->dir], (unsigned long long)ev->off);
		break;
	case XF_RS_RST:
		fprintf(out, "[%c RST at offset %llu, packet %llu]\n", dir_name[ev->dir],
			(unsigned long long)ev->off, (unsigned long long)ev->pkt_no);
		break;
	}
}

static void out_text(FILE *out, const struct xf_fflow *fl, const struct xf_fevents *fe,
		     const struct fopts *o, const struct xf_rs_stats st[2])
{
	struct summary s;

	for (size_t i = 0; i < fe->n; i++)
		if (shown(o, fe->v[i].ev.dir))
			text_event(out, fl, o, &fe->v[i].ev);
	count_summary(fl, fe, &s);
	fprintf(out, "flow %llu: client packets %llu (%llu bytes), server packets %llu (%llu bytes), turns %llu",
		(unsigned long long)fl->flow_ind, (unsigned long long)s.pkts[0],
		(unsigned long long)s.bytes[0], (unsigned long long)s.pkts[1],
		(unsigned long long)s.bytes[1], (unsigned long long)s.turns);
	if (!o->no_reasm)
		fprintf(out, ", gaps %llu (%llu bytes), overlaps %llu bytes, retransmitted %llu bytes",
			(unsigned long long)(st[0].gaps + st[1].gaps),
			(unsigned long long)(st[0].gap_bytes + st[1].gap_bytes),
			(unsigned long long)(st[0].overlap_bytes + st[1].overlap_bytes),
			(unsigned long long)(st[0].retrans_bytes + st[1].retrans_bytes));
	fputc('\n', out);
}

static void tshark_data(FILE *out, enum ffmt fmt, const struct xf_rs_event *ev, uint64_t off)
{
	const char *ind = ev->dir ? "\t" : "";

	if (fmt == F_RAW) {
		fputs(ind, out);
		for (uint64_t i = 0; i < ev->len; i++)
			fprintf(out, "%02x", ev->data[i]);
		fputc('\n', out);
	} else if (fmt == F_HEX) {
		xf_hexdump(out, ind, off, ev->data, ev->len);
	} else {
		fprintf(out, "%s%llu\n", ind, (unsigned long long)ev->len);
		for (uint64_t i = 0; i < ev->len; i++) {
			uint8_t c = ev->data[i];

			fputc(c == '\n' || (c >= 0x20 && c < 0x7f) ? c : '.', out);
		}
		fputc('\n', out);
	}
}

static void out_tshark(FILE *out, const struct xf_fflow *fl, const struct xf_fevents *fe,
		       const struct fopts *o)
{
	static const char *const names[] = { [F_ASCII] = "ascii", [F_HEX] = "hex", [F_RAW] = "raw" };
	static const char sep[] = "===================================================================";
	const char *proto = fl->l4_proto == 6 ? "tcp" : fl->l4_proto == 17 ? "udp" : "stream";
	char a[80], b[80];
	uint64_t off[2] = { 0 };

	endpoint(fl, 0, a, sizeof(a));
	endpoint(fl, 1, b, sizeof(b));
	fprintf(out, "\n%s\nFollow: %s,%s\nFilter: flowInd == %llu\nNode 0: %s\nNode 1: %s\n",
		sep, proto, names[o->fmt], (unsigned long long)fl->flow_ind, a, b);
	for (size_t i = 0; i < fe->n; i++) {
		const struct xf_rs_event *ev = &fe->v[i].ev;

		if (!shown(o, ev->dir))
			continue;
		if (ev->type == XF_RS_DATA && ev->len) {
			tshark_data(out, o->fmt, ev, off[ev->dir]);
			off[ev->dir] += ev->len;
		} else if (ev->type == XF_RS_GAP) {
			fprintf(out, "%s[%llu bytes missing in capture file]\n", ev->dir ? "\t" : "",
				(unsigned long long)ev->len);
		}
	}
	fprintf(out, "%s\n", sep);
}

static int out_bytes(FILE *out, const struct xf_fevents *fe, const struct fopts *o)
{
	static const uint8_t zeros[4096];

	for (size_t i = 0; i < fe->n; i++) {
		const struct xf_rs_event *ev = &fe->v[i].ev;

		if (ev->dir != o->dir)
			continue;
		if (ev->type == XF_RS_DATA) {
			fwrite(ev->data, 1, ev->len, out);
		} else if (ev->type == XF_RS_GAP) {
			pr_warn("follow: direction %c: %llu bytes missing at offset %llu%s",
				dir_name[ev->dir], (unsigned long long)ev->len,
				(unsigned long long)ev->off,
				o->gap_fill ? ", written as NUL bytes" : ", left out");
			for (uint64_t n = ev->len; o->gap_fill && n;) {
				size_t k = n < sizeof(zeros) ? n : sizeof(zeros);

				fwrite(zeros, 1, k, out);
				n -= k;
			}
		}
	}
	return ferror(out) ? -1 : 0;
}

static void out_json(FILE *out, const struct xf_fflow *fl, const struct xf_fevents *fe,
		     const struct fopts *o, const struct xf_rs_stats st[2])
{
	static const char *const types[] = {
		[XF_RS_DATA] = "data", [XF_RS_GAP] = "gap", [XF_RS_OVERLAP] = "overlap",
		[XF_RS_FIN] = "fin", [XF_RS_RST] = "rst",
	};
	struct summary s;
	char a[80], b[80];

	for (size_t i = 0; i < fe->n; i++) {
		const struct xf_rs_event *ev = &fe->v[i].ev;

		if (!shown(o, ev->dir))
			continue;
		fprintf(out, "{\"type\":\"%s\",\"flowInd\":%llu,\"dir\":\"%c\",\"pktNo\":%llu,"
			"\"time\":%llu.%09llu,\"seq\":%u,\"offset\":%llu,\"len\":%llu",
			types[ev->type], (unsigned long long)fl->flow_ind, dir_name[ev->dir],
			(unsigned long long)ev->pkt_no, (unsigned long long)(ev->ts / 1000000000ULL),
			(unsigned long long)(ev->ts % 1000000000ULL), ev->seq,
			(unsigned long long)ev->off, (unsigned long long)ev->len);
		if (ev->type == XF_RS_DATA) {
			fputs(",\"payload\":\"", out);
			xf_base64(out, ev->data, ev->len);
			fputc('"', out);
		}
		fputs("}\n", out);
	}
	count_summary(fl, fe, &s);
	endpoint(fl, 0, a, sizeof(a));
	endpoint(fl, 1, b, sizeof(b));
	fprintf(out, "{\"type\":\"summary\",\"A\":\"%s\",\"B\":\"%s\",\"flowInd\":%llu,\"clientPkts\":%llu,\"serverPkts\":%llu,"
		"\"clientBytes\":%llu,\"serverBytes\":%llu,\"turns\":%llu,\"policy\":\"%s\",\"dirs\":[",
		a, b, (unsigned long long)fl->flow_ind, (unsigned long long)s.pkts[0],
		(unsigned long long)s.pkts[1], (unsigned long long)s.bytes[0],
		(unsigned long long)s.bytes[1], (unsigned long long)s.turns,
		xf_cfg_str("REASM_POLICY"));
	for (int d = 0; d < 2; d++) {
		uint64_t trailers = 0, rst_bytes = 0, tso = 0, ip6_ext = 0, tunnel = 0;

		for (size_t i = 0; i < fl->npkts; i++) {
			const struct xf_fpkt *pk = &fl->pkts[i];

			if (pk->dir != d)
				continue;
			trailers += pk->l2_trailer;
			tso += pk->tso;
			ip6_ext += pk->ip6_ext;
			tunnel += pk->tunnel;
			if (pk->tcp_flags & XF_RS_TCP_RST)
				rst_bytes += pk->plen;
		}
		fprintf(out, "%s{\"dir\":\"%c\",\"bytes\":%llu,\"gaps\":%llu,\"gapBytes\":%llu,"
			"\"overlapBytes\":%llu,\"retransBytes\":%llu,\"unverifiedBytes\":%llu,"
			"\"keepalives\":%llu,\"beforeStart\":%llu,\"afterFin\":%llu,"
			"\"capHits\":%llu,\"l2TrailerPkts\":%llu,\"rstPayloadBytes\":%llu,\"tsoPkts\":%llu,\"ip6ExtPkts\":%llu,\"tunnelPkts\":%llu}",
			d ? "," : "", dir_name[d], (unsigned long long)st[d].bytes,
			(unsigned long long)st[d].gaps, (unsigned long long)st[d].gap_bytes,
			(unsigned long long)st[d].overlap_bytes, (unsigned long long)st[d].retrans_bytes,
			(unsigned long long)st[d].unverified_bytes, (unsigned long long)st[d].keepalives,
			(unsigned long long)st[d].before_start, (unsigned long long)st[d].after_fin,
			(unsigned long long)(st[d].cap_flow_hits + st[d].cap_global_hits),
			(unsigned long long)trailers, (unsigned long long)rst_bytes,
			(unsigned long long)tso, (unsigned long long)ip6_ext,
			(unsigned long long)tunnel);
	}
	fputs("]}\n", out);
}

/* ---- command line ---- */

static void usage(FILE *out)
{
	fputs("usage: xdpflow follow SOURCE FLOW [--dir A|B] [--format FMT] [--no-reassembly]\n"
	      "                      [--color auto|always|never] [--gaps zero|skip] [-D NAME=VALUE]\n"
	      "  SOURCE  a pcap/pcapng file, or a packets file written with -s\n"
	      "  FLOW    a flowInd, or srcIP:srcPort-dstIP:dstPort[/tcp|udp] ([v6]:port)\n"
	      "  FMT     text (default), ascii, hex, raw (as tshark -z follow), bytes\n"
	      "          (one direction's stream to stdout; --dir defaults to A), json,\n"
	      "          transcript, transcript-hex, transcript-json (the turns of both sides)\n", out);
}

static int parse_fmt(const char *s, enum ffmt *f)
{
	static const char *const names[] = { "text", "ascii", "hex", "raw", "bytes", "json",
					     "transcript", "transcript-hex", "transcript-json" };

	for (int i = 0; i < 9; i++)
		if (!strcmp(s, names[i])) {
			*f = i;
			return 0;
		}
	return -1;
}

static int parse_opts(int argc, char **argv, struct fopts *o, char **src, char **flow)
{
	static const struct option lo[] = {
		{ "dir", 1, NULL, 'd' }, { "format", 1, NULL, 'f' },
		{ "no-reassembly", 0, NULL, 'n' }, { "color", 1, NULL, 'c' },
		{ "gaps", 1, NULL, 'g' }, { "help", 0, NULL, 'h' }, { 0 },
	};
	const char *color = "auto";
	int c;

	memset(o, 0, sizeof(*o));
	o->dir = -1;
	o->gap_fill = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "D:d:f:h", lo, NULL)) != -1) {
		switch (c) {
		case 'D': {
			char *eq = strchr(optarg, '=');

			if (!eq) {
				pr_err("follow: -D %s: expected NAME=VALUE", optarg);
				return -1;
			}
			*eq = 0;
			if (xf_setting_set(optarg, eq + 1, "-D"))
				return -1;
			break;
		}
		case 'd':
			if (strcasecmp(optarg, "A") && strcasecmp(optarg, "B") && strcasecmp(optarg, "both")) {
				pr_err("follow: --dir %s: expected A, B or both", optarg);
				return -1;
			}
			o->dir = !strcasecmp(optarg, "both") ? -1 : toupper((unsigned char)optarg[0]) == 'B';
			break;
		case 'f':
			if (parse_fmt(optarg, &o->fmt)) {
				pr_err("follow: --format %s: expected text, ascii, hex, raw, bytes, json, transcript, transcript-hex or transcript-json", optarg);
				return -1;
			}
			break;
		case 'n': o->no_reasm = 1; break;
		case 'c': color = optarg; break;
		case 'g': o->gap_fill = strcmp(optarg, "skip") != 0; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return -1;
	}
	*src = argv[optind];
	*flow = argv[optind + 1];
	if (o->fmt == F_BYTES && o->dir < 0)
		o->dir = 0;
	o->color = !strcmp(color, "always") || (!strcmp(color, "auto") && isatty(1) &&
						 o->fmt == F_TEXT);
	return 0;
}

int xf_cmd_follow(int argc, char **argv)
{
	struct xf_rs_stats st[2] = { 0 };
	uint32_t rsflags[2] = { 0 };
	struct xf_fevents fe = { 0 };
	struct xf_fflow fl;
	struct xf_fsel sel;
	struct fopts o;
	char *src, *flow;
	int rc = 0;

	if (parse_opts(argc, argv, &o, &src, &flow))
		return 2;
	if (xf_fsel_parse(flow, &sel)) {
		pr_err("follow: flow '%s': expected a flowInd or srcIP:srcPort-dstIP:dstPort[/proto]", flow);
		return 2;
	}
	if (xf_follow_load(src, &sel, 0, &fl))
		return 1;
	if (o.no_reasm)
		as_captured(&fl, &fe);
	else
		reassemble(&fl, &fe, st, rsflags);
	if (fe.oom) {
		pr_err("follow: %s: out of memory holding the streams", src);
		rc = 1;
	} else if (o.fmt == F_TEXT) {
		out_text(stdout, &fl, &fe, &o, st);
	} else if (o.fmt == F_BYTES) {
		rc = out_bytes(stdout, &fe, &o);
	} else if (o.fmt == F_JSON) {
		out_json(stdout, &fl, &fe, &o, st);
	} else if (o.fmt >= F_TR_TEXT) {
		xf_transcript_write(stdout, o.fmt - F_TR_TEXT, &fl, &fe);
	} else {
		out_tshark(stdout, &fl, &fe, &o);
	}
	events_free(&fe);
	xf_fflow_free(&fl);
	if (fflush(stdout) || rc) {
		if (!rc)
			pr_err("follow: writing to stdout failed");
		return 1;
	}
	return 0;
}
