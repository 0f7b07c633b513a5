/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * outbuf.h - a growable byte buffer with fast formatters for the hot output
 * path (no printf per field).  Sinks format a whole line into an outbuf and
 * hand it to write()/fwrite() in one piece.
 */
#ifndef XF_OUTBUF_H
#define XF_OUTBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct xf_outbuf {
	char  *buf;
	size_t len;
	size_t cap;
	int    json;        /* formatting for JSON: repeated values use ',' */
};

void xf_ob_grow(struct xf_outbuf *ob, size_t need);
void xf_ob_free(struct xf_outbuf *ob);

static inline void xf_ob_reserve(struct xf_outbuf *ob, size_t n)
{
	if (ob->len + n > ob->cap)
		xf_ob_grow(ob, ob->len + n);
}

static inline void xf_ob_putc(struct xf_outbuf *ob, char c)
{
	xf_ob_reserve(ob, 1);
	ob->buf[ob->len++] = c;
}

static inline void xf_ob_put(struct xf_outbuf *ob, const void *s, size_t n)
{
	xf_ob_reserve(ob, n);
	memcpy(ob->buf + ob->len, s, n);
	ob->len += n;
}

static inline void xf_ob_puts(struct xf_outbuf *ob, const char *s)
{
	xf_ob_put(ob, s, strlen(s));
}

void xf_ob_u64(struct xf_outbuf *ob, uint64_t v);
void xf_ob_i64(struct xf_outbuf *ob, int64_t v);
void xf_ob_hex(struct xf_outbuf *ob, uint64_t v, int digits);   /* 0x%0*x */
void xf_ob_double(struct xf_outbuf *ob, double v);               /* %g-like, T2 style */
void xf_ob_fixed(struct xf_outbuf *ob, double v, int decimals);  /* %.Nf */
void xf_ob_time(struct xf_outbuf *ob, uint64_t ns, int decimals);/* sec.frac from ns */
void xf_ob_mac(struct xf_outbuf *ob, const uint8_t mac[6]);
void xf_ob_ip(struct xf_outbuf *ob, const uint8_t addr[16], int ver); /* RFC 5952 for v6 */
void xf_ob_printf(struct xf_outbuf *ob, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* C-style escaping so arbitrary bytes stay on one line (T2's l7Content) */
void xf_ob_escaped(struct xf_outbuf *ob, const uint8_t *p, size_t n);
/* JSON string body escaping (no surrounding quotes) */
void xf_ob_json_str(struct xf_outbuf *ob, const char *s, size_t n);

#endif
