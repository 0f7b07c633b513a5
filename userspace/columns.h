/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * columns.h - the one column registry.  Each output column is declared once
 * (name, T2 type, description, module, formatter); the TSV header,
 * PREFIX_headers.txt and the JSON keys are generated from it.
 */
#ifndef XF_COLUMNS_H
#define XF_COLUMNS_H

#include "flow.h"
#include <stdio.h>
#include "outbuf.h"

enum xf_json_kind {
	XF_J_NUM,       /* bare number (also 0x.. hex is quoted: use XF_J_STR) */
	XF_J_STR,       /* quoted string */
	XF_J_NUMARR,    /* repeated numbers: TSV "1;2", JSON [1,2] */
	XF_J_STRARR,    /* repeated strings */
};

typedef void (*xf_col_fmt)(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir);

struct xf_column {
	const char *name;       /* T2 name where the meaning is the same */
	const char *type;       /* T2 type code: U8..U64, H8..H64, I64, F, D, C, S, MAC, IPX, U64.U32, R(...) */
	const char *desc;
	enum xf_json_kind json;
	xf_col_fmt fmt;
	const char *module;     /* unused in module tables (the registry knows the owner) */
};

/* Packet-mode (-s) columns: one value per packet. */
typedef void (*xf_pktcol_fmt)(struct xf_outbuf *ob, const struct xf_pkt_view *pv);

struct xf_pkt_column {
	const char *name;
	const char *type;
	const char *desc;
	enum xf_json_kind json;
	xf_pktcol_fmt fmt;
};

/* Separator between repeated values: ';' in TSV, ',' in JSON */
static inline void xf_col_rep_sep(struct xf_outbuf *ob)
{
	xf_ob_putc(ob, ob->json ? ',' : ';');
}

/* Core columns (dir, flowInd, flowStat) plus enabled modules', in order. */
size_t xf_columns_active(const struct xf_column *const **cols);
void   xf_columns_build(void);   /* after modules are chosen */

/* One flow direction as a TSV line (with '\n') or a JSON object line. */
void xf_format_flow_tsv(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir);
void xf_format_flow_json(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir);
/* "%dir\tflowInd\t..." header line (with '\n') */
void xf_format_flow_header(struct xf_outbuf *ob);
/* PREFIX_headers.txt body */
void xf_format_headers_file(struct xf_outbuf *ob);
/* Packet mode: header line and one line per packet (PREFIX_packets.txt) */
void xf_format_packet_header(struct xf_outbuf *ob);
void xf_format_packet_tsv(struct xf_outbuf *ob, const struct xf_pkt_view *pv);
/* Column list as JSON (--list-columns --json) or text */
void xf_columns_list(FILE *out, int json);

#endif
