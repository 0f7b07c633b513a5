/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "outbuf.h"

void xf_ob_grow(struct xf_outbuf *ob, size_t need)
{
	size_t cap = ob->cap ? ob->cap : 4096;
	char *nb;

	while (cap < need)
		cap *= 2;
	nb = realloc(ob->buf, cap);
	if (!nb) {
		fputs("xdpflow: error: out of memory for an output buffer\n", stderr);
		abort();
	}
	ob->buf = nb;
	ob->cap = cap;
}

void xf_ob_free(struct xf_outbuf *ob)
{
	free(ob->buf);
	ob->buf = NULL;
	ob->len = ob->cap = 0;
}

static const char digits2[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static const uint64_t pow10_u64[] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
	100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
	10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL,
};

/* The digits of v, right-aligned ending at end (at least one digit). */
static inline void put_digits(char *end, uint64_t v)
{
	while (v >= 100) {
		unsigned i = (unsigned)(v % 100) * 2;

		v /= 100;
		*--end = digits2[i + 1];
		*--end = digits2[i];
	}
	if (v >= 10) {
		*--end = digits2[v * 2 + 1];
		*--end = digits2[v * 2];
	} else {
		*--end = (char)('0' + v);
	}
}

/* Flow lines are mostly small counters: count the digits first and write
 * them in place, rather than into a scratch buffer and then memcpy() */
void xf_ob_u64(struct xf_outbuf *ob, uint64_t v)
{
	size_t n = 1;

	if (v < 10) {
		xf_ob_putc(ob, (char)('0' + v));
		return;
	}
	while (n < 20 && v >= pow10_u64[n])
		n++;
	xf_ob_reserve(ob, n);
	ob->len += n;
	put_digits(ob->buf + ob->len, v);
}

/* "." and exactly `decimals` digits of frac (< 10^decimals), in place */
static void put_frac(struct xf_outbuf *ob, uint64_t frac, int decimals)
{
	char *p;
	int i;

	xf_ob_reserve(ob, (size_t)decimals + 1);
	p = ob->buf + ob->len;
	p[0] = '.';
	for (i = decimals; i >= 2; i -= 2) {
		unsigned d = (unsigned)(frac % 100) * 2;

		frac /= 100;
		p[i] = digits2[d + 1];
		p[i - 1] = digits2[d];
	}
	if (i == 1)
		p[1] = (char)('0' + frac % 10);
	ob->len += (size_t)decimals + 1;
}

void xf_ob_i64(struct xf_outbuf *ob, int64_t v)
{
	if (v < 0) {
		xf_ob_putc(ob, '-');
		xf_ob_u64(ob, (uint64_t)0 - (uint64_t)v);
	} else {
		xf_ob_u64(ob, (uint64_t)v);
	}
}

void xf_ob_hex(struct xf_outbuf *ob, uint64_t v, int digits)
{
	static const char hx[] = "0123456789abcdef";
	char *p;
	int i;

	if (digits < 1 || digits > 16)
		digits = 16;
	xf_ob_reserve(ob, (size_t)digits + 2);
	p = ob->buf + ob->len;
	p[0] = '0';
	p[1] = 'x';
	for (i = digits - 1; i >= 0; i--) {
		p[2 + i] = hx[v & 0xf];
		v >>= 4;
	}
	ob->len += (size_t)digits + 2;
}

void xf_ob_fixed(struct xf_outbuf *ob, double v, int decimals)
{
	uint64_t scale, whole, frac;
	double r;

	if (decimals < 0 || decimals > 9 || !isfinite(v) || fabs(v) >= 1e15) {
		xf_ob_printf(ob, "%.*f", decimals < 0 ? 6 : decimals, v);
		return;
	}
	if (v < 0) {
		xf_ob_putc(ob, '-');
		v = -v;
	}
	scale = pow10_u64[decimals];
	r = v * (double)scale + 0.5;
	whole = (uint64_t)r / scale;
	frac = (uint64_t)r % scale;
	xf_ob_u64(ob, whole);
	if (decimals)
		put_frac(ob, frac, decimals);
}

/* T2 prints floats with %f-like precision but trims trailing zeros */
void xf_ob_double(struct xf_outbuf *ob, double v)
{
	size_t start;

	if (v == 0.0) {
		xf_ob_putc(ob, '0');
		return;
	}
	if (!isfinite(v) || fabs(v) >= 1e15 || fabs(v) < 1e-6) {
		xf_ob_printf(ob, "%g", v);
		return;
	}
	start = ob->len;
	xf_ob_fixed(ob, v, 6);
	while (ob->len > start && ob->buf[ob->len - 1] == '0')
		ob->len--;
	if (ob->len > start && ob->buf[ob->len - 1] == '.')
		ob->len--;
}

void xf_ob_time(struct xf_outbuf *ob, uint64_t ns, int decimals)
{
	static const uint64_t div[] = { 1000000000, 100000000, 10000000, 1000000, 100000,
					10000, 1000, 100, 10, 1 };

	if (decimals < 0 || decimals > 9)
		decimals = 6;
	xf_ob_u64(ob, ns / 1000000000ULL);
	if (decimals)
		put_frac(ob, (ns % 1000000000ULL) / div[decimals], decimals);
}

void xf_ob_mac(struct xf_outbuf *ob, const uint8_t mac[6])
{
	static const char hx[] = "0123456789abcdef";
	char tmp[17];
	int i;

	for (i = 0; i < 6; i++) {
		tmp[i * 3] = hx[mac[i] >> 4];
		tmp[i * 3 + 1] = hx[mac[i] & 0xf];
		if (i < 5)
			tmp[i * 3 + 2] = ':';
	}
	xf_ob_put(ob, tmp, sizeof(tmp));
}

void xf_ob_ip(struct xf_outbuf *ob, const uint8_t addr[16], int ver)
{
	char tmp[INET6_ADDRSTRLEN];

	if (ver == 4) {
		xf_ob_u64(ob, addr[0]);
		xf_ob_putc(ob, '.');
		xf_ob_u64(ob, addr[1]);
		xf_ob_putc(ob, '.');
		xf_ob_u64(ob, addr[2]);
		xf_ob_putc(ob, '.');
		xf_ob_u64(ob, addr[3]);
		return;
	}
	/* glibc's inet_ntop follows RFC 5952 (lower case, longest zero run) */
	if (!inet_ntop(AF_INET6, addr, tmp, sizeof(tmp)))
		tmp[0] = '\0';
	xf_ob_puts(ob, tmp);
}

void xf_ob_printf(struct xf_outbuf *ob, const char *fmt, ...)
{
	va_list ap;
	int n;

	xf_ob_reserve(ob, 64);
	va_start(ap, fmt);
	n = vsnprintf(ob->buf + ob->len, ob->cap - ob->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= ob->cap - ob->len) {
		xf_ob_reserve(ob, (size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(ob->buf + ob->len, ob->cap - ob->len, fmt, ap);
		va_end(ap);
	}
	ob->len += (size_t)n;
}

void xf_ob_escaped(struct xf_outbuf *ob, const uint8_t *p, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	xf_ob_reserve(ob, n * 4);
	for (i = 0; i < n; i++) {
		uint8_t c = p[i];
		char *o = ob->buf + ob->len;

		switch (c) {
		case '\n': o[0] = '\\'; o[1] = 'n'; ob->len += 2; continue;
		case '\r': o[0] = '\\'; o[1] = 'r'; ob->len += 2; continue;
		case '\t': o[0] = '\\'; o[1] = 't'; ob->len += 2; continue;
		case '\\': o[0] = '\\'; o[1] = '\\'; ob->len += 2; continue;
		case '"':  o[0] = '\\'; o[1] = '"'; ob->len += 2; continue;
		default: break;
		}
		if (c >= 0x20 && c < 0x7f) {
			o[0] = (char)c;
			ob->len++;
		} else {
			o[0] = '\\';
			o[1] = 'x';
			o[2] = hx[c >> 4];
			o[3] = hx[c & 0xf];
			ob->len += 4;
		}
	}
}

void xf_ob_json_str(struct xf_outbuf *ob, const char *s, size_t n)
{
	static const char hx[] = "0123456789abcdef";
	size_t i;

	xf_ob_reserve(ob, n * 6);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char *o = ob->buf + ob->len;

		if (c == '"' || c == '\\') {
			o[0] = '\\';
			o[1] = (char)c;
			ob->len += 2;
		} else if (c < 0x20 || c >= 0x7f) {
			memcpy(o, "\\u00", 4);
			o[4] = hx[c >> 4];
			o[5] = hx[c & 0xf];
			ob->len += 6;
		} else {
			o[0] = (char)c;
			ob->len++;
		}
	}
}
