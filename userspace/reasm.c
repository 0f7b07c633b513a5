// SPDX-License-Identifier: BSD-3-Clause
/*
 * reasm.c - stream reassembly, one reassembler per flow direction.
 * See reasm.h for the model and docs/streams.md for the policies.
 *
 * In-order data (the common case) is handed to the callback straight from
 * the caller's buffer; only out-of-order bytes are copied into a sorted
 * list of non-overlapping chunks.  Each chunk remembers the segment that
 * supplied its bytes, because the target policies decide by the old and the
 * new segment's boundaries.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xdpflow/abi.h>
#include "reasm.h"

struct xf_rs_chunk {
	struct xf_rs_chunk *next;
	uint64_t off;                /* stream offset of data[0] */
	uint64_t seg_start, seg_end; /* the segment these bytes came from */
	uint64_t ts, pkt_no;
	uint32_t len;
	uint8_t *data;
};

static const char *const policy_names[XF_RS__POLICIES] = {
	[XF_RS_FIRST] = "first", [XF_RS_LAST] = "last", [XF_RS_BSD] = "bsd",
	[XF_RS_LINUX] = "linux", [XF_RS_WINDOWS] = "windows",
};

int xf_rs_policy_parse(const char *name)
{
	for (int i = 0; i < XF_RS__POLICIES; i++)
		if (!strcasecmp(name, policy_names[i]))
			return i;
	return -1;
}

const char *xf_rs_policy_name(enum xf_rs_policy p)
{
	return p < XF_RS__POLICIES ? policy_names[p] : "?";
}

void xf_reasm_init(struct xf_reasm *r, const struct xf_rs_cfg *cfg, int dir,
		   xf_rs_cb cb, void *user)
{
	memset(r, 0, sizeof(*r));
	if (cfg)
		r->cfg = *cfg;
	r->dir = dir;
	r->cb = cb;
	r->user = user;
}

static void emit(struct xf_reasm *r, enum xf_rs_ev_type type, uint64_t off,
		 uint64_t len, const uint8_t *data, uint64_t ts, uint64_t pkt_no)
{
	struct xf_rs_event ev = {
		.type = type, .off = off, .len = len, .data = data,
		.seq = r->datagram ? 0 : r->next_seq + (uint32_t)(off - r->next_off),
		.ts = ts, .pkt_no = pkt_no, .dir = r->dir,
	};

	if (r->cb)
		r->cb(r->user, &ev);
}

/* ---- history of delivered bytes, to compare retransmissions with ---- */

static void history_add(struct xf_reasm *r, uint64_t off, const uint8_t *p, uint32_t n)
{
	uint32_t h = r->cfg.history;

	if (!h)
		return;
	if (!r->hist && !(r->hist = malloc(h))) {
		r->cfg.history = 0;     /* no memory: retransmissions go unverified */
		return;
	}
	if (n > h) {
		off += n - h;
		p += n - h;
		n = h;
	}
	while (n) {
		uint32_t pos = off % h, run = h - pos < n ? h - pos : n;

		memcpy(r->hist + pos, p, run);
		off += run;
		p += run;
		n -= run;
	}
}

/* Retransmitted bytes [off, off+n) that were delivered already: count, and
 * report the ones that differ from what the stream holds (first data won). */
static void check_delivered(struct xf_reasm *r, uint64_t off, const uint8_t *p,
			    uint32_t n, uint64_t ts, uint64_t pkt_no)
{
	uint64_t kept = r->cfg.history < r->next_off ? r->cfg.history : r->next_off;
	uint64_t oldest = r->next_off - kept;
	uint32_t diff = 0;
	uint64_t first_diff = 0;

	r->st.retrans_bytes += n;
	r->flags |= XF_RSF_RETRANS;
	if (off < oldest || !r->hist) {
		uint64_t skip = r->hist ? oldest - off : n;

		if (skip > n)
			skip = n;
		r->st.unverified_bytes += skip;
		off += skip;
		p += skip;
		n -= skip;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (r->hist[(off + i) % r->cfg.history] != p[i]) {
			if (!diff)
				first_diff = off + i;
			diff++;
		}
	}
	if (diff) {
		r->st.overlap_bytes += diff;
		r->flags |= XF_RSF_OVERLAP;
		emit(r, XF_RS_OVERLAP, first_diff, diff, NULL, ts, pkt_no);
	}
}

/* ---- delivery ---- */

static void check_fin(struct xf_reasm *r, uint64_t ts, uint64_t pkt_no)
{
	if (r->fin_seen && !r->closed && r->next_off == r->fin_off) {
		r->closed = 1;
		r->flags |= XF_RSF_FIN;
		emit(r, XF_RS_FIN, r->next_off, 0, NULL, ts, pkt_no);
	}
}

static void deliver(struct xf_reasm *r, const uint8_t *p, uint32_t n,
		    uint64_t ts, uint64_t pkt_no)
{
	emit(r, XF_RS_DATA, r->next_off, n, p, ts, pkt_no);
	history_add(r, r->next_off, p, n);
	r->next_off += n;
	r->next_seq += n;
	r->st.bytes += n;
}

static void skip_gap(struct xf_reasm *r, uint64_t to, uint64_t ts, uint64_t pkt_no)
{
	uint64_t n = to - r->next_off;

	emit(r, XF_RS_GAP, r->next_off, n, NULL, ts, pkt_no);
	r->st.gaps++;
	r->st.gap_bytes += n;
	r->flags |= XF_RSF_GAP;
	r->next_off = to;
	r->next_seq += (uint32_t)n;
}

static void chunk_account(struct xf_reasm *r, int64_t delta)
{
	r->buffered += delta;
	if (r->buffered > r->st.buffered_peak)
		r->st.buffered_peak = r->buffered;
	if (r->cfg.pool) {
		r->cfg.pool->used += delta;
		if (r->cfg.pool->used > r->cfg.pool->peak)
			r->cfg.pool->peak = r->cfg.pool->used;
	}
}

static void chunk_free(struct xf_reasm *r, struct xf_rs_chunk *c)
{
	chunk_account(r, -(int64_t)c->len);
	free(c->data);
	free(c);
}

/* Deliver buffered chunks that are now in order. */
static void drain(struct xf_reasm *r)
{
	struct xf_rs_chunk *c;

	while ((c = r->ooo) && c->off <= r->next_off) {
		uint64_t end = c->off + c->len;

		r->ooo = c->next;
		if (end > r->next_off) {
			uint32_t skip = r->next_off - c->off;

			deliver(r, c->data + skip, c->len - skip, c->ts, c->pkt_no);
			check_fin(r, c->ts, c->pkt_no);
		}
		chunk_free(r, c);
	}
}

/* ---- the out-of-order buffer ---- */

static int new_wins(enum xf_rs_policy pol, uint64_t ns, uint64_t ne,
		    const struct xf_rs_chunk *old)
{
	switch (pol) {
	case XF_RS_LAST:
		return 1;
	case XF_RS_BSD:
		return ns < old->seg_start;
	case XF_RS_LINUX:
		return ns < old->seg_start ||
		       (ns == old->seg_start && ne > old->seg_end);
	case XF_RS_WINDOWS:
		return ns < old->seg_start && ne >= old->seg_end;
	case XF_RS_FIRST:
	default:
		return 0;
	}
}

static struct xf_rs_chunk *chunk_new(struct xf_reasm *r, uint64_t off,
				     const uint8_t *p, uint32_t n)
{
	struct xf_rs_chunk *c = calloc(1, sizeof(*c));

	if (!c || !(c->data = malloc(n ? n : 1))) {
		free(c);
		return NULL;
	}
	memcpy(c->data, p, n);
	c->off = off;
	c->len = n;
	chunk_account(r, n);
	return c;
}

/* Split c at stream offset `at` (inside it); returns the right part. */
static struct xf_rs_chunk *chunk_split(struct xf_reasm *r, struct xf_rs_chunk *c,
				       uint64_t at)
{
	uint32_t left = at - c->off;
	struct xf_rs_chunk *rc = chunk_new(r, at, c->data + left, c->len - left);

	if (!rc)
		return NULL;
	chunk_account(r, -(int64_t)rc->len);   /* bytes moved, not added */
	rc->seg_start = c->seg_start;
	rc->seg_end = c->seg_end;
	rc->ts = c->ts;
	rc->pkt_no = c->pkt_no;
	rc->next = c->next;
	c->next = rc;
	c->len = left;
	return rc;
}

/* Bytes [os, oe) of chunk c are also in the new segment: compare, count,
 * and let the policy choose.  Returns the chunk that ends at or after oe. */
static struct xf_rs_chunk *overlap_chunk(struct xf_reasm *r, struct xf_rs_chunk *c,
					 uint64_t os, uint64_t oe, const uint8_t *np,
					 uint64_t ns, uint64_t ne, uint64_t ts,
					 uint64_t pkt_no)
{
	const uint8_t *cp = c->data + (os - c->off);
	uint32_t n = oe - os;

	r->st.retrans_bytes += n;
	r->flags |= XF_RSF_RETRANS;
	if (!memcmp(cp, np, n))
		return c;
	r->st.overlap_bytes += n;
	r->flags |= XF_RSF_OVERLAP;
	emit(r, XF_RS_OVERLAP, os, n, NULL, ts, pkt_no);
	if (!new_wins(r->cfg.policy, ns, ne, c))
		return c;
	/* isolate [os, oe) so its origin becomes the new segment */
	if (os > c->off && !(c = chunk_split(r, c, os)))
		return NULL;
	if (oe < c->off + c->len && !chunk_split(r, c, oe))
		return NULL;
	memcpy(c->data, np, n);
	c->seg_start = ns;
	c->seg_end = ne;
	c->ts = ts;
	c->pkt_no = pkt_no;
	return c;
}

/* Insert [s, e) into the buffer; free space takes the new bytes, overlaps
 * follow the policy.  Returns 0, or -1 if out of memory (bytes counted as a
 * gap later, when the stream skips them). */
static int buffer_insert(struct xf_reasm *r, uint64_t s, const uint8_t *p,
			 uint32_t n, uint64_t ts, uint64_t pkt_no)
{
	uint64_t e = s + n, pos = s;
	struct xf_rs_chunk **link = &r->ooo, *c;

	while (pos < e) {
		c = *link;
		if (c && c->off + c->len <= pos) {
			link = &c->next;
			continue;
		}
		if (!c || c->off > pos) {
			uint64_t piece_end = c && c->off < e ? c->off : e;
			struct xf_rs_chunk *nc = chunk_new(r, pos, p + (pos - s), piece_end - pos);

			if (!nc)
				return -1;
			nc->seg_start = s;
			nc->seg_end = e;
			nc->ts = ts;
			nc->pkt_no = pkt_no;
			nc->next = c;
			*link = nc;
			link = &nc->next;
			pos = piece_end;
			continue;
		}
		/* c overlaps pos */
		uint64_t oe = c->off + c->len < e ? c->off + c->len : e;

		c = overlap_chunk(r, c, pos, oe, p + (pos - s), s, e, ts, pkt_no);
		if (!c)
			return -1;
		link = &c->next;
		pos = oe;
	}
	return 0;
}

static int over_cap(const struct xf_reasm *r, int *global)
{
	const struct xf_rs_pool *pool = r->cfg.pool;

	*global = 0;
	if (r->cfg.max_ooo && r->buffered > r->cfg.max_ooo)
		return 1;
	if (pool && pool->cap && pool->used > pool->cap) {
		*global = 1;
		return 1;
	}
	return 0;
}

/* Too much is buffered: stop waiting for the gap before the first chunk. */
static void enforce_caps(struct xf_reasm *r, uint64_t ts, uint64_t pkt_no)
{
	int global;

	while (r->ooo && over_cap(r, &global)) {
		if (global) {
			r->st.cap_global_hits++;
			r->flags |= XF_RSF_CAP_GLOBAL;
			r->cfg.pool->cap_hits++;
		} else {
			r->st.cap_flow_hits++;
			r->flags |= XF_RSF_CAP_FLOW;
		}
		if (r->ooo->off > r->next_off)
			skip_gap(r, r->ooo->off, ts, pkt_no);
		drain(r);
	}
}

/* ---- TCP ---- */

static void tcp_start(struct xf_reasm *r, uint32_t seq, int syn, int empty)
{
	r->started = 1;
	r->next_seq = syn ? seq + 1 : seq;
	r->next_off = 0;
	r->flags |= syn ? XF_RSF_SYN : XF_RSF_MIDSTREAM;
	r->tentative = !syn && empty;
}

/* A capture that starts mid-stream on an empty segment took its sequence
 * number for the start; when the first bytes come exactly one later, that
 * segment was a keep-alive probe (seq = next - 1) and no byte is missing
 * before them: start there instead (tcpflow's result). */
static void tcp_rebase(struct xf_reasm *r, uint32_t seq, uint32_t len, uint8_t flags)
{
	if (!r->tentative || (!len && !(flags & (XF_RS_TCP_FIN | XF_RS_TCP_SYN))))
		return;
	r->tentative = 0;
	if (r->next_off || r->ooo || seq != r->next_seq + 1 || (flags & XF_RS_TCP_SYN))
		return;
	r->next_seq = seq;
	r->st.keepalives++;
	r->flags |= XF_RSF_KEEPALIVE;
	if (r->acked_off)
		r->acked_off--;
	if (r->seen_off)
		r->seen_off--;
}

/* Payload at (signed) stream offset soff. */
static void tcp_data(struct xf_reasm *r, int64_t soff, const uint8_t *p, uint32_t n,
		     uint64_t ts, uint64_t pkt_no)
{
	uint64_t s, e;

	if (soff + (int64_t)n <= 0) {
		r->st.before_start += n;
		return;
	}
	if (soff < 0) {
		r->st.before_start += -soff;
		p += -soff;
		n -= -soff;
		soff = 0;
	}
	s = soff;
	e = s + n;
	if (r->fin_seen && e > r->fin_off) {
		uint64_t cut = s > r->fin_off ? s : r->fin_off;

		r->st.after_fin += e - cut;
		n -= e - cut;
		e = cut;
	}
	if (s < r->next_off) {
		uint64_t old_end = e < r->next_off ? e : r->next_off;

		r->st.retrans_segs++;
		check_delivered(r, s, p, old_end - s, ts, pkt_no);
		p += old_end - s;
		s = old_end;
	}
	if (s >= e)
		return;
	n = e - s;
	if (s == r->next_off && (!r->ooo || e <= r->ooo->off)) {
		deliver(r, p, n, ts, pkt_no);
	} else {
		if (s > r->next_off) {
			r->st.ooo_segs++;
			r->flags |= XF_RSF_OOO;
		}
		if (buffer_insert(r, s, p, n, ts, pkt_no) < 0)
			r->flags |= XF_RSF_CAP_FLOW;   /* out of memory acts as a cap */
	}
	drain(r);
	enforce_caps(r, ts, pkt_no);
}

void xf_reasm_tcp(struct xf_reasm *r, uint32_t seq, uint8_t flags,
		  const uint8_t *data, uint32_t len, uint32_t seg_len,
		  uint64_t ts, uint64_t pkt_no)
{
	int64_t soff;

	r->st.segs++;
	if (!r->started)
		tcp_start(r, seq, flags & XF_RS_TCP_SYN,
			  !len && seg_len <= len && !(flags & (XF_RS_TCP_FIN | XF_RS_TCP_RST)));
	else
		tcp_rebase(r, seq, seg_len > len ? seg_len : len, flags);
	if (flags & XF_RS_TCP_SYN)
		seq++;                  /* the SYN takes one sequence number */
	soff = (int64_t)r->next_off + (int32_t)(seq - r->next_seq);
	if (flags & XF_RS_TCP_RST) {
		/* a reset's payload is a diagnostic, not stream data */
		r->flags |= XF_RSF_RST;
		emit(r, XF_RS_RST, soff < 0 ? 0 : (uint64_t)soff, 0, NULL, ts, pkt_no);
		return;
	}
	/* keep-alive: one sequence number below the next byte, 0 or 1 byte of
	 * garbage.  The byte was never stream data; skipping it is also right
	 * for a 1-byte retransmission of the byte just delivered. */
	if (len <= 1 && r->next_off > 0 && soff == (int64_t)r->next_off - 1 &&
	    !(flags & (XF_RS_TCP_SYN | XF_RS_TCP_FIN))) {
		r->st.keepalives++;
		r->flags |= XF_RSF_KEEPALIVE;
		return;
	}
	if (seg_len < len)
		seg_len = len;
	if (len)
		tcp_data(r, soff, data, len, ts, pkt_no);
	if (seg_len > len && soff + (int64_t)seg_len > (int64_t)r->seen_off)
		r->seen_off = soff + seg_len;   /* snapped: the rest is a gap at flush */
	if ((flags & XF_RS_TCP_FIN) && !r->fin_seen && soff + (int64_t)seg_len >= 0) {
		r->fin_seen = 1;
		r->fin_off = soff + seg_len;
	}
	check_fin(r, ts, pkt_no);
}

void xf_reasm_ack(struct xf_reasm *r, uint32_t ack)
{
	int32_t rel;

	if (!r->started || r->datagram)
		return;
	rel = (int32_t)(ack - r->next_seq);
	if (rel > 0 && (!r->acked || r->next_off + rel > r->acked_off)) {
		r->acked = 1;
		r->acked_off = r->next_off + rel;
	}
}

void xf_reasm_seen(struct xf_reasm *r, uint32_t seq_end)
{
	int32_t rel;

	if (!r->started || r->datagram)
		return;
	rel = (int32_t)(seq_end - r->next_seq);
	if (rel > 0 && r->next_off + rel > r->seen_off)
		r->seen_off = r->next_off + rel;
}

void xf_reasm_dgram(struct xf_reasm *r, const uint8_t *data, uint32_t len,
		    uint64_t ts, uint64_t pkt_no)
{
	r->started = 1;
	r->datagram = 1;
	r->st.segs++;
	if (len)
		deliver(r, data, len, ts, pkt_no);
}

void xf_reasm_flush(struct xf_reasm *r)
{
	uint64_t end;

	while (r->ooo) {
		struct xf_rs_chunk *c = r->ooo;

		if (c->off > r->next_off)
			skip_gap(r, c->off, c->ts, c->pkt_no);
		drain(r);
	}
	/* bytes the stream must have had but the capture never showed */
	if (r->fin_seen)
		end = r->fin_off;
	else if (r->acked && r->acked_off > r->next_off + 1)
		end = r->acked_off;     /* one past: only an unseen FIN, no gap */
	else
		end = r->next_off;
	if (!r->fin_seen && r->seen_off > end)
		end = r->seen_off;
	if (end > r->next_off) {
		skip_gap(r, end, 0, 0);
		check_fin(r, 0, 0);
	}
}

void xf_reasm_free(struct xf_reasm *r)
{
	while (r->ooo) {
		struct xf_rs_chunk *c = r->ooo;

		r->ooo = c->next;
		chunk_free(r, c);
	}
	free(r->hist);
	r->hist = NULL;
}

uint64_t xf_reasm_flowstat(const struct xf_reasm *r)
{
	uint64_t fs = 0;

	if (r->flags & XF_RSF_GAP)
		fs |= XF_FS_RS_GAP;
	if (r->flags & XF_RSF_OVERLAP)
		fs |= XF_FS_RS_OVERLAP;
	if (r->flags & XF_RSF_CAP_FLOW)
		fs |= XF_FS_RS_CAP_FLOW;
	if (r->flags & XF_RSF_CAP_GLOBAL)
		fs |= XF_FS_RS_CAP_GLOBAL;
	return fs;
}
