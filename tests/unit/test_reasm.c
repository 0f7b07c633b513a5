// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_reasm.c - the stream reassembler, one case per line of issue 4's
 * "Reassembly" list.  Each test feeds segments and checks the exact stream,
 * the gaps and overlaps reported, and the counters.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <xdpflow/abi.h>
#include "reasm.h"

#define SYN XF_RS_TCP_SYN
#define FIN XF_RS_TCP_FIN
#define RST XF_RS_TCP_RST
#define ACK XF_RS_TCP_ACK

struct sink {
	char     out[8192];
	size_t   len;
	uint64_t next_off;          /* DATA must arrive at increasing offsets */
	int      gaps;
	uint64_t gap_off[8], gap_len[8];
	int      overlaps;
	uint64_t ovl_off[8], ovl_len[8];
	int      fins, rsts;
	uint64_t last_pkt;
};

static void sink_cb(void *user, const struct xf_rs_event *ev)
{
	struct sink *s = user;

	switch (ev->type) {
	case XF_RS_DATA:
		assert_int_equal(ev->off, s->next_off);
		assert_true(s->len + ev->len <= sizeof(s->out));
		memcpy(s->out + s->len, ev->data, ev->len);
		s->len += ev->len;
		s->next_off = ev->off + ev->len;
		s->last_pkt = ev->pkt_no;
		break;
	case XF_RS_GAP:
		assert_int_equal(ev->off, s->next_off);
		s->gap_off[s->gaps] = ev->off;
		s->gap_len[s->gaps++] = ev->len;
		s->next_off += ev->len;
		break;
	case XF_RS_OVERLAP:
		s->ovl_off[s->overlaps] = ev->off;
		s->ovl_len[s->overlaps++] = ev->len;
		break;
	case XF_RS_FIN:
		s->fins++;
		break;
	case XF_RS_RST:
		s->rsts++;
		break;
	}
}

struct fx {
	struct xf_reasm r;
	struct sink s;
	uint64_t pkt;
};

static void fx_init(struct fx *f, enum xf_rs_policy pol, uint64_t max_ooo,
		    struct xf_rs_pool *pool)
{
	struct xf_rs_cfg cfg = { .policy = pol, .max_ooo = max_ooo,
				 .history = 4096, .pool = pool };

	memset(f, 0, sizeof(*f));
	xf_reasm_init(&f->r, &cfg, 0, sink_cb, &f->s);
}

static void seg(struct fx *f, uint32_t seq, uint8_t flags, const char *data)
{
	uint32_t n = data ? strlen(data) : 0;

	f->pkt++;
	xf_reasm_tcp(&f->r, seq, flags | ACK, (const uint8_t *)data, n, n,
		     f->pkt * 1000, f->pkt);
}

static void expect_stream(struct fx *f, const char *want)
{
	f->s.out[f->s.len] = 0;
	assert_int_equal(f->s.len, strlen(want));
	assert_memory_equal(f->s.out, want, f->s.len);
}

static void fx_done(struct fx *f)
{
	xf_reasm_free(&f->r);
}

/* ---- cases ---- */

static void in_order(void **state)
{
	struct fx f;

	fx_init(&f, XF_RS_FIRST, 0, NULL);
	seg(&f, 1000, SYN, NULL);
	seg(&f, 1001, 0, "GET / ");
	seg(&f, 1007, 0, "HTTP/1.0\r\n");
	seg(&f, 1017, FIN, NULL);
	xf_reasm_flush(&f.r);
	expect_stream(&f, "GET / HTTP/1.0\r\n");
	assert_int_equal(f.s.fins, 1);
	assert_int_equal(f.s.gaps, 0);
	assert_true(f.r.flags & XF_RSF_SYN);
	assert_true(f.r.flags & XF_RSF_FIN);
	assert_int_equal(f.r.st.bytes, 16);
	fx_done(&f);
}

static void exact_retransmission(void **state)
{
	struct fx f;

	fx_init(&f, XF_RS_FIRST, 0, NULL);
	seg(&f, 100, SYN, NULL);
	seg(&f, 101, 0, "hello ");
	seg(&f, 101, 0, "hello ");      /* exact retransmission */
	seg(&f, 107, 0, "world");
	seg(&f, 107, 0, "world");
	xf_reasm_flush(&f.r);
	expect_stream(&f, "hello world");
	assert_int_equal(f.r.st.retrans_segs, 2);
	assert_int_equal(f.r.st.retrans_bytes, 11);
	assert_int_equal(f.r.st.overlap_bytes, 0);
	assert_int_equal(f.s.overlaps, 0);
	fx_done(&f);
}

static void repacketised_retransmission(void **state)
{
	struct fx f;

	fx_init(&f, XF_RS_FIRST, 0, NULL);
	seg(&f, 100, SYN, NULL);
	seg(&f, 101, 0, "abcd");
	seg(&f, 105, 0, "efgh");
	/* the sender coalesces and resends with new data on the end */
	seg(&f, 103, 0, "cdefghij");
	seg(&f, 111, 0, "kl");
	xf_reasm_flush(&f.r);
	expect_stream(&f, "abcdefghijkl");
	assert_int_equal(f.r.st.retrans_bytes, 6);
	assert_int_equal(f.s.overlaps, 0);
	fx_done(&f);
}

static void out_of_order(void **state)
{
	struct fx f;

	fx_init(&f, XF_RS_FIRST, 0, NULL);
	seg(&f, 100, SYN, NULL);
	seg(&f, 107, 0, "ghi");          /* arrives first, gap before it */
	seg(&f, 104, 0, "def");          /* still a gap (101..103) */
	assert_int_equal(f.s.len, 0);
	seg(&f, 101, 0, "abc");          /* fills the gap: everything flows */
	xf_reasm_flush(&f.r);
	expect_stream(&f, "abcdefghi");
	assert_int_equal(f.r.st.ooo_segs, 2);
	assert_int_equal(f.s.gaps, 0);
	assert_int_equal(f.r.buffered, 0);
	fx_done(&f);
}

static void data_before_gap_filled_with_fin(void **state)
{
	struct fx f;

	fx_init(&f, XF_RS_FIRST, 0, NULL);
	seg(&f, 100, SYN, NULL);
	seg(&f, 104, FIN, "def");        /* data and FIN before the gap fills */
	assert_int_equal(f.s.fins, 0);
	seg(&f, 101, 0, "abc");
	expect_stream(&f, "abcdef");
	assert_int_equal(f.s.fins, 1);   /* FIN only once the stream reached it */
	fx_done(&f);
}

static void sequence_wrap(void **state)
{
	struct fx f;

	fx_init(&f, XF_RS_FIRST, 0, NULL);
	seg(&f, 0xfffffffa, SYN, NULL);  /* data starts at 0xfffffffb */
	seg(&f, 0xfffffffb, 0, "01234");
	seg(&f, 0x00000003, 0, "89");    /* out of order across the wrap */
	seg(&f, 0x00000000, 0, "567");
	seg(&f, 0x00000005, FIN, NULL);
	xf_reasm_flush(&f.r);
	expect_stream(&f, "0123456789");
	assert_int_equal(f.s.fins, 1);
	assert_int_equal(f.s.gaps, 0);
	assert_int_equal(f.r.next_off, 10);
	fx_done(&f);
}

static void keepalive_byte_ignored(void **state)
{
	struct fx f;

	fx_init(&f, XF_RS_FIRST, 0, NULL);
	seg(&f, 100, SYN, NULL);
	seg(&f, 101, 0, "data");
	seg(&f, 104, 0, "\x00");         /* keep-alive: seq = next - 1, 1 garbage byte */
	seg(&f, 104, 0, NULL);           /* keep-alive without the byte */
	seg(&f, 105, 0, "more");
	xf_reasm_flush(&f.r);
	expect_stream(&f, "datamore");
	assert_int_equal(f.r.st.keepalives, 2);
	assert_int_equal(f.s.overlaps, 0);   /* the garbage byte is no overlap */
	fx_done(&f);
}

static void zero_window_probe(void **state)
{
	struct fx f;

	fx_init(&f, XF_RS_FIRST, 0, NULL);
	seg(&f, 100, SYN, NULL);
	seg(&f, 101, 0, "abc");
	seg(&f, 104, 0, "d");            /* probe: the next real byte, alone */
	seg(&f, 104, 0, "d");            /* probe again */
	seg(&f, 104, 0, "defg");         /* window opens: resent with more */
	xf_reasm_flush(&f.r);
	expect_stream(&f, "abcdefg");
	assert_int_equal(f.s.overlaps, 0);
	fx_done(&f);
}

static void midstream_start(void **state)
{
	struct fx f;

	fx_init(&f, XF_RS_FIRST, 0, NULL);
	seg(&f, 5000, 0, "middle ");     /* no SYN: offsets from here */
	seg(&f, 5007, 0, "of it");
	seg(&f, 4990, 0, "0123456789");  /* before the first byte seen: counted */
	xf_reasm_flush(&f.r);
	expect_stream(&f, "middle of it");
	assert_true(f.r.flags & XF_RSF_MIDSTREAM);
	assert_false(f.r.flags & XF_RSF_SYN);
	assert_int_equal(f.r.st.before_start, 10);
	fx_done(&f);
}

static void syn_with_data_and_rst(void **state)
{
	struct fx f;

	fx_init(&f, XF_RS_FIRST, 0, NULL);
	seg(&f, 700, SYN, "tfo");        /* TCP fast open: data on the SYN */
	seg(&f, 704, 0, "!");
	seg(&f, 705, RST, "diag");       /* RST payload is not stream data */
	xf_reasm_flush(&f.r);
	expect_stream(&f, "tfo!");
	assert_int_equal(f.s.rsts, 1);
	assert_true(f.r.flags & XF_RSF_RST);
	fx_done(&f);
}

static void data_after_fin_counted(void **state)
{
	struct fx f;

	fx_init(&f, XF_RS_FIRST, 0, NULL);
	seg(&f, 100, SYN, NULL);
	seg(&f, 101, FIN, "end");
	seg(&f, 101, FIN, "end");        /* retransmitted FIN: nothing new */
	seg(&f, 105, 0, "junk");         /* past the FIN */
	xf_reasm_flush(&f.r);
	expect_stream(&f, "end");
	assert_int_equal(f.s.fins, 1);
	assert_int_equal(f.r.st.after_fin, 4);
	fx_done(&f);
}

static void gap_never_filled(void **state)
{
	struct fx f;

	fx_init(&f, XF_RS_FIRST, 0, NULL);
	seg(&f, 100, SYN, NULL);
	seg(&f, 101, 0, "abc");
	seg(&f, 110, 0, "jkl");          /* 104..109 never arrive */
	seg(&f, 113, FIN, NULL);
	expect_stream(&f, "abc");
	xf_reasm_flush(&f.r);
	expect_stream(&f, "abcjkl");
	assert_int_equal(f.s.gaps, 1);
	assert_int_equal(f.s.gap_off[0], 3);
	assert_int_equal(f.s.gap_len[0], 6);
	assert_int_equal(f.s.fins, 1);
	assert_true(xf_reasm_flowstat(&f.r) & XF_FS_RS_GAP);
	fx_done(&f);
}

static void trailing_gap_from_ack(void **state)
{
	struct fx f;

	fx_init(&f, XF_RS_FIRST, 0, NULL);
	seg(&f, 100, SYN, NULL);
	seg(&f, 101, 0, "abc");
	xf_reasm_ack(&f.r, 111);         /* peer got 10 bytes; capture saw 3 */
	xf_reasm_flush(&f.r);
	expect_stream(&f, "abc");
	assert_int_equal(f.s.gaps, 1);
	assert_int_equal(f.s.gap_off[0], 3);
	assert_int_equal(f.s.gap_len[0], 7);
	fx_done(&f);
}

/* Overlap: old segment "OLD" buffered at 4..6 (seg 4..7), then a new
 * segment with other bytes; the policies choose per docs/streams.md. */
static const char *overlap_case(enum xf_rs_policy pol, uint32_t nseq, const char *ndata)
{
	static char out[64];
	struct fx f;

	fx_init(&f, pol, 0, NULL);
	seg(&f, 100, SYN, NULL);
	seg(&f, 101, 0, "012");
	seg(&f, 105, 0, "OLD");          /* offsets 4..6, buffered (gap at 3) */
	seg(&f, nseq, 0, ndata);
	seg(&f, 104, 0, "3");            /* fill the gap */
	xf_reasm_flush(&f.r);
	assert_int_equal(f.s.gaps, 0);
	assert_true(f.s.overlaps >= 1);
	assert_true(f.r.flags & XF_RSF_OVERLAP);
	assert_true(xf_reasm_flowstat(&f.r) & XF_FS_RS_OVERLAP);
	memcpy(out, f.s.out, f.s.len);
	out[f.s.len] = 0;
	fx_done(&f);
	return out;
}

static void overlap_policies(void **state)
{
	/* same start, same end */
	assert_string_equal(overlap_case(XF_RS_FIRST, 105, "new"), "0123OLD");
	assert_string_equal(overlap_case(XF_RS_LAST, 105, "new"), "0123new");
	assert_string_equal(overlap_case(XF_RS_BSD, 105, "new"), "0123OLD");
	assert_string_equal(overlap_case(XF_RS_LINUX, 105, "new"), "0123OLD");
	assert_string_equal(overlap_case(XF_RS_WINDOWS, 105, "new"), "0123OLD");
	/* same start, longer: linux takes the new one */
	assert_string_equal(overlap_case(XF_RS_FIRST, 105, "newX"), "0123OLDX");
	assert_string_equal(overlap_case(XF_RS_LINUX, 105, "newX"), "0123newX");
	assert_string_equal(overlap_case(XF_RS_BSD, 105, "newX"), "0123OLDX");
	/* starts before the old one, ends inside it: bsd and linux take it */
	assert_string_equal(overlap_case(XF_RS_BSD, 104, "3ne"), "0123neD");
	assert_string_equal(overlap_case(XF_RS_LINUX, 104, "3ne"), "0123neD");
	assert_string_equal(overlap_case(XF_RS_WINDOWS, 104, "3ne"), "0123OLD");
	assert_string_equal(overlap_case(XF_RS_FIRST, 104, "3ne"), "0123OLD");
	/* starts before and covers it: windows takes it too */
	assert_string_equal(overlap_case(XF_RS_WINDOWS, 104, "3new"), "0123new");
	assert_string_equal(overlap_case(XF_RS_FIRST, 104, "3new"), "0123OLD");
	/* starts inside, ends after: only last */
	assert_string_equal(overlap_case(XF_RS_BSD, 106, "nwXY"), "0123OLDXY");
	assert_string_equal(overlap_case(XF_RS_LAST, 106, "nwXY"), "0123OnwXY");
}

static void overlap_with_delivered_counted(void **state)
{
	struct fx f;

	fx_init(&f, XF_RS_LAST, 0, NULL);   /* even LAST: delivered bytes are final */
	seg(&f, 100, SYN, NULL);
	seg(&f, 101, 0, "hello");
	seg(&f, 101, 0, "HELLO");
	xf_reasm_flush(&f.r);
	expect_stream(&f, "hello");
	assert_int_equal(f.s.overlaps, 1);
	assert_int_equal(f.s.ovl_off[0], 0);
	assert_int_equal(f.s.ovl_len[0], 5);
	assert_int_equal(f.r.st.overlap_bytes, 5);
	fx_done(&f);
}

static void three_way_overlap_splits(void **state)
{
	struct fx f;

	fx_init(&f, XF_RS_LAST, 0, NULL);
	seg(&f, 100, SYN, NULL);
	seg(&f, 102, 0, "aaaaaa");       /* offsets 1..6 */
	seg(&f, 104, 0, "bb");           /* 3..4 rewritten */
	seg(&f, 103, 0, "cccccccc");     /* 2..9 rewritten, extends */
	seg(&f, 101, 0, "x");
	xf_reasm_flush(&f.r);
	expect_stream(&f, "xacccccccc");
	assert_int_equal(f.r.buffered, 0);
	fx_done(&f);
}

static void snapped_segment_is_a_gap(void **state)
{
	struct fx f;

	fx_init(&f, XF_RS_FIRST, 0, NULL);
	seg(&f, 100, SYN, NULL);
	/* headers said 8 bytes and a FIN; 3 captured */
	xf_reasm_tcp(&f.r, 101, FIN | ACK, (const uint8_t *)"abc", 3, 8, 5, 5);
	assert_int_equal(f.s.fins, 0);
	xf_reasm_flush(&f.r);
	expect_stream(&f, "abc");
	assert_int_equal(f.s.gaps, 1);
	assert_int_equal(f.s.gap_off[0], 3);
	assert_int_equal(f.s.gap_len[0], 5);
	assert_int_equal(f.s.fins, 1);       /* the FIN after the 8 bytes */
	assert_int_equal(f.r.fin_off, 8);
	fx_done(&f);
}

static void unseen_fin_is_no_gap(void **state)
{
	struct fx f;

	fx_init(&f, XF_RS_FIRST, 0, NULL);
	seg(&f, 100, SYN, NULL);
	seg(&f, 101, 0, "abc");
	xf_reasm_ack(&f.r, 105);         /* acks the FIN the capture missed */
	xf_reasm_flush(&f.r);
	expect_stream(&f, "abc");
	assert_int_equal(f.s.gaps, 0);
	fx_done(&f);
}

static void per_flow_cap(void **state)
{
	struct fx f;

	fx_init(&f, XF_RS_FIRST, 8, NULL);  /* at most 8 bytes waiting */
	seg(&f, 100, SYN, NULL);
	seg(&f, 101, 0, "ab");
	seg(&f, 110, 0, "12345");        /* 5 buffered */
	assert_int_equal(f.s.len, 2);
	seg(&f, 115, 0, "6789");         /* 9 > 8: give up on the gap */
	expect_stream(&f, "ab123456789");
	assert_int_equal(f.s.gaps, 1);
	assert_int_equal(f.s.gap_off[0], 2);
	assert_int_equal(f.s.gap_len[0], 7);
	assert_int_equal(f.r.st.cap_flow_hits, 1);
	assert_true(xf_reasm_flowstat(&f.r) & XF_FS_RS_CAP_FLOW);
	assert_int_equal(f.r.buffered, 0);
	seg(&f, 103, 0, "late");         /* the gap's data, too late: counted */
	assert_int_equal(f.r.st.unverified_bytes, 0);
	assert_true(f.r.st.retrans_bytes >= 4);
	fx_done(&f);
}

static void global_cap(void **state)
{
	struct xf_rs_pool pool = { .cap = 6 };
	struct fx a, b;

	fx_init(&a, XF_RS_FIRST, 0, &pool);
	fx_init(&b, XF_RS_FIRST, 0, &pool);
	seg(&a, 100, SYN, NULL);
	seg(&b, 500, SYN, NULL);
	seg(&a, 105, 0, "xxxx");         /* 4 buffered in a */
	assert_int_equal(pool.used, 4);
	seg(&b, 505, 0, "yyyy");         /* 8 > 6: b gives up its gap */
	assert_int_equal(b.r.st.cap_global_hits, 1);
	assert_true(xf_reasm_flowstat(&b.r) & XF_FS_RS_CAP_GLOBAL);
	assert_int_equal(b.s.gaps, 1);
	assert_int_equal(pool.used, 4);
	assert_int_equal(pool.cap_hits, 1);
	xf_reasm_flush(&a.r);
	assert_int_equal(pool.used, 0);
	assert_int_equal(pool.peak, 8);
	fx_done(&a);
	fx_done(&b);
}

static void datagrams_in_order(void **state)
{
	struct fx f;

	fx_init(&f, XF_RS_FIRST, 0, NULL);
	xf_reasm_dgram(&f.r, (const uint8_t *)"one", 3, 1, 1);
	xf_reasm_dgram(&f.r, (const uint8_t *)"", 0, 2, 2);
	xf_reasm_dgram(&f.r, (const uint8_t *)"two", 3, 3, 3);
	expect_stream(&f, "onetwo");
	assert_int_equal(f.r.st.segs, 3);
	fx_done(&f);
}

static void policy_names(void **state)
{
	assert_int_equal(xf_rs_policy_parse("first"), XF_RS_FIRST);
	assert_int_equal(xf_rs_policy_parse("Linux"), XF_RS_LINUX);
	assert_int_equal(xf_rs_policy_parse("windows"), XF_RS_WINDOWS);
	assert_int_equal(xf_rs_policy_parse("solaris"), -1);
	assert_string_equal(xf_rs_policy_name(XF_RS_BSD), "bsd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_order),
		cmocka_unit_test(exact_retransmission),
		cmocka_unit_test(repacketised_retransmission),
		cmocka_unit_test(out_of_order),
		cmocka_unit_test(data_before_gap_filled_with_fin),
		cmocka_unit_test(sequence_wrap),
		cmocka_unit_test(keepalive_byte_ignored),
		cmocka_unit_test(zero_window_probe),
		cmocka_unit_test(midstream_start),
		cmocka_unit_test(syn_with_data_and_rst),
		cmocka_unit_test(data_after_fin_counted),
		cmocka_unit_test(gap_never_filled),
		cmocka_unit_test(trailing_gap_from_ack),
		cmocka_unit_test(overlap_policies),
		cmocka_unit_test(overlap_with_delivered_counted),
		cmocka_unit_test(three_way_overlap_splits),
		cmocka_unit_test(snapped_segment_is_a_gap),
		cmocka_unit_test(unseen_fin_is_no_gap),
		cmocka_unit_test(per_flow_cap),
		cmocka_unit_test(global_cap),
		cmocka_unit_test(datagrams_in_order),
		cmocka_unit_test(policy_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
