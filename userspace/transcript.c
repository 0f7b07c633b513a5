// SPDX-License-Identifier: BSD-3-Clause
/*
 * transcript.c - a conversation transcript: the reassembled bytes of both
 * sides in the order they spoke.  A turn is a run of bytes from one side
 * until the other side sends; gaps stay visible inside the turn.
 *
 *   text  ">>> A 10.0.0.1:40000 -> 10.0.0.2:80  turn 1, pkt 4, 18 bytes at offset 0"
 *         then the bytes, printable ASCII as is, others as \xNN (CR/LF kept)
 *   hex   the same header, then hex+ASCII lines with stream offsets
 *   json  one object per session: {"flowInd":..,"client":..,"server":..,
 *         "turns":[{"dir":"A","pktNo":..,"time":..,"offset":..,"len":..,
 *         "gaps":[[off,len],..],"payload":"<base64>"},..]}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "follow.h"

struct turn {
	int dir;
	size_t first, last;         /* event indexes [first, last] */
	uint64_t off, len, pkt_no, ts;
};

/* Data, or a gap (bytes that side sent but the capture lost) */
static int speaks(const struct xf_rs_event *ev)
{
	return (ev->type == XF_RS_DATA && ev->len) || ev->type == XF_RS_GAP;
}

/* The next turn starting at event *i (skips non-data events between). */
static int next_turn(const struct xf_fevents *fe, size_t *i, struct turn *t)
{
	const struct xf_rs_event *ev;

	while (*i < fe->n && !speaks(&fe->v[*i].ev))
		(*i)++;
	if (*i >= fe->n)
		return 0;
	ev = &fe->v[*i].ev;
	memset(t, 0, sizeof(*t));
	t->dir = ev->dir;
	t->first = *i;
	t->off = ev->off;
	t->pkt_no = ev->pkt_no;
	t->ts = ev->ts;
	for (; *i < fe->n; (*i)++) {
		ev = &fe->v[*i].ev;
		if (speaks(ev) && ev->dir != t->dir)
			break;
		if (ev->dir == t->dir && ev->type == XF_RS_DATA)
			t->len += ev->len;
		t->last = *i;
	}
	return 1;
}

static void endpoint(const struct xf_fflow *fl, int side, char *buf, size_t n)
{
	char a[64];

	xf_fflow_addr_str(fl, side, a, sizeof(a));
	snprintf(buf, n, fl->ip_ver == 6 ? "[%s]:%u" : "%s:%u", a, fl->port[side]);
}

static void text_bytes(FILE *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if ((p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') || p[i] == '\n' || p[i] == '\r')
			fputc(p[i], out);
		else if (p[i] == '\\')
			fputs("\\\\", out);
		else
			fprintf(out, "\\x%02x", p[i]);
	}
}

static void turn_header(FILE *out, const struct xf_fflow *fl, const struct turn *t, uint64_t no)
{
	char src[80], dst[80];

	endpoint(fl, t->dir, src, sizeof(src));
	endpoint(fl, !t->dir, dst, sizeof(dst));
	fprintf(out, "%s %c %s -> %s  turn %llu, pkt %llu, %llu bytes at offset %llu\n",
		t->dir ? "<<<" : ">>>", "AB"[t->dir], src, dst, (unsigned long long)no,
		(unsigned long long)t->pkt_no, (unsigned long long)t->len,
		(unsigned long long)t->off);
}

static void turn_body(FILE *out, enum xf_tr_fmt fmt, const struct xf_fevents *fe,
		      const struct turn *t)
{
	int at_bol = 1;

	for (size_t i = t->first; i <= t->last; i++) {
		const struct xf_rs_event *ev = &fe->v[i].ev;

		if (ev->dir != t->dir)
			continue;
		if (ev->type == XF_RS_GAP) {
			fprintf(out, "%s[%llu bytes missing in capture at offset %llu]\n",
				at_bol ? "" : "\n", (unsigned long long)ev->len,
				(unsigned long long)ev->off);
			at_bol = 1;
		} else if (ev->type == XF_RS_DATA && fmt == XF_TR_HEX) {
			xf_hexdump(out, "", ev->off, ev->data, ev->len);
		} else if (ev->type == XF_RS_DATA && ev->len) {
			text_bytes(out, ev->data, ev->len);
			at_bol = ev->data[ev->len - 1] == '\n';
		}
	}
	if (!at_bol)
		fputc('\n', out);
}

static void json_turn(FILE *out, const struct xf_fevents *fe, const struct turn *t, int comma)
{
	int ngap = 0;

	fprintf(out, "%s{\"dir\":\"%c\",\"pktNo\":%llu,\"time\":%llu.%09llu,\"offset\":%llu,\"len\":%llu,\"gaps\":[",
		comma ? "," : "", "AB"[t->dir], (unsigned long long)t->pkt_no,
		(unsigned long long)(t->ts / 1000000000ULL), (unsigned long long)(t->ts % 1000000000ULL),
		(unsigned long long)t->off, (unsigned long long)t->len);
	for (size_t i = t->first; i <= t->last; i++) {
		const struct xf_rs_event *ev = &fe->v[i].ev;

		if (ev->dir == t->dir && ev->type == XF_RS_GAP)
			fprintf(out, "%s[%llu,%llu]", ngap++ ? "," : "", (unsigned long long)ev->off,
				(unsigned long long)ev->len);
	}
	fputs("],\"payload\":\"", out);
	/* base64 of the turn's bytes, chunk by chunk: concatenate first so the
	 * padding only comes at the end */
	{
		uint8_t *all = malloc(t->len ? t->len : 1);
		size_t k = 0;

		for (size_t i = t->first; all && i <= t->last; i++) {
			const struct xf_rs_event *ev = &fe->v[i].ev;

			if (ev->dir == t->dir && ev->type == XF_RS_DATA) {
				memcpy(all + k, ev->data, ev->len);
				k += ev->len;
			}
		}
		if (all)
			xf_base64(out, all, k);
		free(all);
	}
	fputs("\"}", out);
}

void xf_transcript_write(FILE *out, enum xf_tr_fmt fmt, const struct xf_fflow *fl,
			 const struct xf_fevents *fe)
{
	char a[80], b[80];
	struct turn t;
	uint64_t no = 0;
	size_t i = 0;

	endpoint(fl, 0, a, sizeof(a));
	endpoint(fl, 1, b, sizeof(b));
	if (fmt == XF_TR_JSON)
		fprintf(out, "{\"flowInd\":%llu,\"client\":\"%s\",\"server\":\"%s\",\"l4Proto\":%u,\"turns\":[",
			(unsigned long long)fl->flow_ind, a, b, fl->l4_proto);
	else
		fprintf(out, "# transcript of flow %llu: A %s, B %s\n",
			(unsigned long long)fl->flow_ind, a, b);
	while (next_turn(fe, &i, &t)) {
		no++;
		if (fmt == XF_TR_JSON) {
			json_turn(out, fe, &t, no > 1);
			continue;
		}
		turn_header(out, fl, &t, no);
		turn_body(out, fmt, fe, &t);
	}
	if (fmt == XF_TR_JSON)
		fprintf(out, "],\"nturns\":%llu}\n", (unsigned long long)no);
	else
		fprintf(out, "# %llu turns\n", (unsigned long long)no);
}
