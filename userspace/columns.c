/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * columns.c - the column registry: core columns (dir, flowInd, flowStat),
 * then each enabled module's, in T2's plugin order.  TSV, JSON and the
 * headers file are all generated from this one list.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "columns.h"
#include "module.h"

#define XF_MAX_COLUMNS 512

static void fmt_dir(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_putc(ob, dir ? 'B' : 'A');
}

static void fmt_flow_ind(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_u64(ob, fc->f.index);
}

static void fmt_flow_stat(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_hex(ob, fc->f.stat | (dir ? XF_FS_DIR_B : 0), 16);
}

static const struct xf_column core_columns[] = {
	{ "dir", "C", "Flow direction (A: sent the first packet, B: the other side)", XF_J_STR, fmt_dir, "core" },
	{ "flowInd", "U64", "Flow index (shared by the A and B lines)", XF_J_NUM, fmt_flow_ind, "core" },
	{ "flowStat", "H64", "Flow status and warnings (--explain-flowstat)", XF_J_STR, fmt_flow_stat, "core" },
};

/* T2 plugin order for the modules that have a T2 counterpart */
static const char *const module_order[] = {
	"basicFlow", "basicStats", "tcpFlags", "tcpStates",
};

/* Packet mode: the payload, C-escaped so the line stays one line (T2's
 * l7Content), always last.  L7_SNAPLEN bytes at most. */
static uint32_t l7_snaplen;

static void pk_l7_content(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	uint32_t n = pv->l7_caplen < l7_snaplen ? pv->l7_caplen : l7_snaplen;

	if (pv->l7 && n)
		xf_ob_escaped(ob, pv->l7, n);
}

static const struct xf_pkt_column l7_content_column = {
	"l7Content", "S", "Payload, C-escaped, up to L7_SNAPLEN bytes", XF_J_STR, pk_l7_content,
};

static const struct xf_column *active[XF_MAX_COLUMNS];
static const char *active_module[XF_MAX_COLUMNS];   /* module tables are read-only */
static size_t nactive;
static const struct xf_pkt_column *pkt_active[XF_MAX_COLUMNS];
static size_t npkt_active;

static int module_rank(const struct xf_module *m)
{
	size_t i;

	for (i = 0; i < sizeof(module_order) / sizeof(module_order[0]); i++)
		if (!strcmp(module_order[i], m->name))
			return (int)i;
	return 100 + m->id;
}

static int cmp_rank(const void *a, const void *b)
{
	const struct xf_module *ma = *(struct xf_module *const *)a;
	const struct xf_module *mb = *(struct xf_module *const *)b;

	return module_rank(ma) - module_rank(mb);
}

static void add_col(const struct xf_column *c, const char *module)
{
	if (nactive < XF_MAX_COLUMNS) {
		active_module[nactive] = module;
		active[nactive++] = c;
	}
}

void xf_columns_build(void)
{
	struct xf_module **mods, *sorted[XF_MAX_MODULES];
	size_t n = xf_modules(&mods), i, j;

	memcpy(sorted, mods, n * sizeof(*mods));
	qsort(sorted, n, sizeof(*sorted), cmp_rank);
	nactive = npkt_active = 0;
	for (i = 0; i < sizeof(core_columns) / sizeof(core_columns[0]); i++)
		add_col(&core_columns[i], "core");
	for (i = 0; i < n; i++) {
		struct xf_module *m = sorted[i];

		if (!m->enabled)
			continue;
		for (j = 0; j < m->ncolumns; j++)
			add_col(&m->columns[j], m->name);
		for (j = 0; j < m->npkt_columns && npkt_active < XF_MAX_COLUMNS; j++)
			pkt_active[npkt_active++] = &m->pkt_columns[j];
	}
	l7_snaplen = (uint32_t)xf_cfg_int("L7_SNAPLEN");
	if (npkt_active < XF_MAX_COLUMNS)
		pkt_active[npkt_active++] = &l7_content_column;
}

size_t xf_columns_active(const struct xf_column *const **cols)
{
	*cols = active;
	return nactive;
}

void xf_format_flow_header(struct xf_outbuf *ob)
{
	size_t i;

	xf_ob_putc(ob, '%');
	for (i = 0; i < nactive; i++) {
		if (i)
			xf_ob_putc(ob, '\t');
		xf_ob_puts(ob, active[i]->name);
	}
	xf_ob_putc(ob, '\n');
}

void xf_format_flow_tsv(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	size_t i;

	ob->json = 0;
	for (i = 0; i < nactive; i++) {
		if (i)
			xf_ob_putc(ob, '\t');
		active[i]->fmt(ob, fc, dir);
	}
	xf_ob_putc(ob, '\n');
}

/* JSON: the formatter writes the raw value; we quote or bracket per kind.
 * String values are escaped after the fact (formatters write plain text). */
static void json_value(struct xf_outbuf *ob, const struct xf_column *c,
		       const struct xf_flow_ctx *fc, int dir, struct xf_outbuf *tmp)
{
	size_t i, start;

	tmp->len = 0;
	tmp->json = 1;
	c->fmt(tmp, fc, dir);
	switch (c->json) {
	case XF_J_NUM:
		if (!tmp->len)
			xf_ob_puts(ob, "null");
		else
			xf_ob_put(ob, tmp->buf, tmp->len);
		return;
	case XF_J_STR:
		xf_ob_putc(ob, '"');
		xf_ob_json_str(ob, tmp->buf, tmp->len);
		xf_ob_putc(ob, '"');
		return;
	case XF_J_NUMARR:
		xf_ob_putc(ob, '[');
		xf_ob_put(ob, tmp->buf, tmp->len);
		xf_ob_putc(ob, ']');
		return;
	case XF_J_STRARR:
		xf_ob_putc(ob, '[');
		for (i = 0, start = 0; i <= tmp->len; i++) {
			if (i < tmp->len && tmp->buf[i] != ',')
				continue;
			if (i > start || tmp->len) {
				if (start)
					xf_ob_putc(ob, ',');
				xf_ob_putc(ob, '"');
				xf_ob_json_str(ob, tmp->buf + start, i - start);
				xf_ob_putc(ob, '"');
			}
			start = i + 1;
		}
		xf_ob_putc(ob, ']');
		return;
	}
}

void xf_format_flow_json(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	static struct xf_outbuf tmp;
	size_t i;

	xf_ob_putc(ob, '{');
	for (i = 0; i < nactive; i++) {
		if (i)
			xf_ob_putc(ob, ',');
		xf_ob_putc(ob, '"');
		xf_ob_puts(ob, active[i]->name);
		xf_ob_puts(ob, "\":");
		json_value(ob, active[i], fc, dir, &tmp);
	}
	xf_ob_puts(ob, "}\n");
}

void xf_format_headers_file(struct xf_outbuf *ob)
{
	struct xf_module **mods;
	size_t n = xf_modules(&mods), i;
	char date[64];
	time_t now = time(NULL);

	strftime(date, sizeof(date), "%a %d %b %Y %H:%M:%S %Z", gmtime(&now));
	xf_ob_printf(ob, "# Date: %s\n# xdpflow %s\n# Modules loaded:\n", date, XF_VERSION);
	for (i = 0; i < n; i++)
		if (mods[i]->enabled)
			xf_ob_printf(ob, "#   %s: %s\n", mods[i]->name, mods[i]->desc);
	xf_ob_puts(ob, "# Col No.\tType\tName\tDescription\n");
	for (i = 0; i < nactive; i++)
		xf_ob_printf(ob, "%zu\t%s\t%s\t%s\n", i + 1, active[i]->type, active[i]->name,
			     active[i]->desc);
}

/* ---- packet mode ---- */

void xf_format_packet_header(struct xf_outbuf *ob)
{
	size_t i;

	xf_ob_putc(ob, '%');
	for (i = 0; i < npkt_active; i++) {
		if (i)
			xf_ob_putc(ob, '\t');
		xf_ob_puts(ob, pkt_active[i]->name);
	}
	xf_ob_putc(ob, '\n');
}

void xf_format_packet_tsv(struct xf_outbuf *ob, const struct xf_pkt_view *pv)
{
	size_t i;

	ob->json = 0;
	for (i = 0; i < npkt_active; i++) {
		if (i)
			xf_ob_putc(ob, '\t');
		pkt_active[i]->fmt(ob, pv);
	}
	xf_ob_putc(ob, '\n');
}

static const char *json_kind_name(enum xf_json_kind k)
{
	static const char *const names[] = { "number", "string", "number[]", "string[]" };

	return names[k];
}

void xf_columns_list(FILE *out, int json)
{
	struct xf_outbuf ob = { 0 };
	size_t i;

	if (json)
		xf_ob_puts(&ob, "[\n");
	for (i = 0; i < nactive; i++) {
		const struct xf_column *c = active[i];

		if (!json) {
			xf_ob_printf(&ob, "%-24s %-8s %-12s %s\n", c->name, c->type, active_module[i], c->desc);
			continue;
		}
		xf_ob_puts(&ob, "{\"name\":\"");
		xf_ob_json_str(&ob, c->name, strlen(c->name));
		xf_ob_printf(&ob, "\",\"type\":\"%s\",\"json\":\"%s\",\"module\":\"%s\",\"description\":\"",
			     c->type, json_kind_name(c->json), active_module[i]);
		xf_ob_json_str(&ob, c->desc, strlen(c->desc));
		xf_ob_puts(&ob, i + 1 < nactive ? "\"},\n" : "\"}\n");
	}
	if (json)
		xf_ob_puts(&ob, "]\n");
	fwrite(ob.buf, 1, ob.len, out);
	xf_ob_free(&ob);
}
