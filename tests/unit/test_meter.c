/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_meter.c - the shared meter (include/xdpflow/meter.h) on hand-built
 * xf_pkt sequences: keys, directions, counters, statistics, the TCP analysis
 * and the TCP state machine.  Expected values are worked out by hand in the
 * comments next to each check.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>
#include <xdpflow/meter.h>
#include "flow_stats.h"
#include "module.h"

#define S(x) ((uint64_t)(x) * 1000000000ULL)

/* A = 10.0.0.2:40000 (compares higher: key side 1), B = 10.0.0.1:80 */
static const uint8_t ip_a[4] = { 10, 0, 0, 2 }, ip_b[4] = { 10, 0, 0, 1 };

static struct xf_cfg cfg_all(uint8_t layer)
{
	struct xf_cfg c = { 0 };

	c.byte_layer = layer;
	c.modules = XF_MOD_BASIC_FLOW | XF_MOD_BASIC_STATS | XF_MOD_TCP_FLAGS | XF_MOD_TCP_STATES;
	c.vlan_in_key = 1;
	return c;
}

static struct xf_pkt ip_pkt(int from_a, uint8_t proto, uint16_t len)
{
	struct xf_pkt p;

	memset(&p, 0, sizeof(p));
	memcpy(p.src, from_a ? ip_a : ip_b, 4);
	memcpy(p.dst, from_a ? ip_b : ip_a, 4);
	p.smac[5] = from_a ? 2 : 1;
	p.dmac[5] = from_a ? 1 : 2;
	p.sport = from_a ? 40000 : 80;
	p.dport = from_a ? 80 : 40000;
	p.ethertype = 0x0800;
	p.l4_proto = proto;
	p.ip_ver = 4;
	p.nhdr = 3;
	p.hdr[0] = XF_H_ETH;
	p.hdr[1] = XF_H_IPV4;
	p.hdr[2] = proto == 6 ? XF_H_TCP : XF_H_UDP;
	p.ttl = 64;
	p.status = XF_PS_IPV4 | XF_PS_HAS_L4;
	p.l7_len = len;
	p.l4_len = (uint16_t)(len + (proto == 6 ? 20 : 8));
	p.l3_len = (uint16_t)(p.l4_len + 20);
	p.wire_len = p.l3_len + 14u;
	p.cap_len = p.wire_len;
	return p;
}

static struct xf_pkt tcp_pkt(int from_a, uint8_t flags, uint32_t seq, uint32_t ack,
			     uint16_t len, uint16_t win)
{
	struct xf_pkt p = ip_pkt(from_a, 6, len);

	p.tcp_flags = flags;
	p.seq = seq;
	p.ack = ack;
	p.tcp_win = win;
	p.tcp_hlen = 20;
	return p;
}

/* A test flow: keyed and initialised by its first packet, like an engine */
struct tflow {
	struct xf_flow f;
	struct xf_flow_key k;
	struct xf_cfg cfg;
	int started;
	uint32_t last_dir;
};

static uint64_t feed(struct tflow *t, const struct xf_pkt *p, uint64_t ts)
{
	struct xf_flow_key k;
	uint32_t side = xf_flow_key_make(p, &t->cfg, &k);

	if (!t->started) {
		memset(&t->f, 0, sizeof(t->f));
		xf_flow_init(&t->f, p, side, ts, 1);
		t->k = k;
		t->started = 1;
	}
	assert_memory_equal(&k, &t->k, sizeof(k));
	t->last_dir = xf_flow_dir(&t->f, side);
	return xf_meter_update(&t->f, p, t->last_dir, ts, &t->cfg);
}

static void tflow_start(struct tflow *t, uint8_t layer)
{
	memset(t, 0, sizeof(*t));
	t->cfg = cfg_all(layer);
}

/* A: SYN, B: SYN-ACK, A: ACK; ISNs 1000 (A) and 5000 (B) */
static void handshake(struct tflow *t)
{
	struct xf_pkt p;

	p = tcp_pkt(1, XF_TCP_SYN, 1000, 0, 0, 64240);
	feed(t, &p, S(1));
	p = tcp_pkt(0, XF_TCP_SYN | XF_TCP_ACK, 5000, 1001, 0, 65160);
	feed(t, &p, S(1) + 1000);
	p = tcp_pkt(1, XF_TCP_ACK, 1001, 5001, 0, 502);
	feed(t, &p, S(1) + 2000);
}

/* ------------------------------------------------------------------ keys */

static void test_key_canonical(void **state)
{
	struct xf_cfg c = cfg_all(XF_BL_L7);
	struct xf_pkt ab = tcp_pkt(1, XF_TCP_SYN, 1, 0, 0, 0);
	struct xf_pkt ba = tcp_pkt(0, XF_TCP_ACK, 1, 0, 0, 0);
	struct xf_flow_key k1, k2;

	memset(&k1, 0xff, sizeof(k1));          /* padding must be zeroed */
	memset(&k2, 0x55, sizeof(k2));
	assert_int_equal(xf_flow_key_make(&ab, &c, &k1), 1);   /* 10.0.0.2 > 10.0.0.1 */
	assert_int_equal(xf_flow_key_make(&ba, &c, &k2), 0);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_memory_equal(k1.addr[0], ip_b, 4);
	assert_int_equal(k1.addr[0][4], 0);
	assert_int_equal(k1.port[0], 80);
	assert_int_equal(k1.port[1], 40000);
	assert_int_equal(k1.ethertype, 0x0800);
	assert_int_equal(k1.l4_proto, 6);
	assert_int_equal(k1.ip_ver, 4);
	assert_int_equal(k1.pad[0] | k1.pad[1], 0);
}

static void test_key_port_tiebreak(void **state)
{
	struct xf_cfg c = cfg_all(XF_BL_L7);
	struct xf_pkt p = ip_pkt(1, 17, 10);
	struct xf_flow_key k;

	memcpy(p.dst, p.src, 4);                /* same host, ports decide */
	p.sport = 5000;
	p.dport = 53;
	assert_int_equal(xf_flow_key_make(&p, &c, &k), 1);
	assert_int_equal(k.port[0], 53);
	p.sport = 53;
	p.dport = 5000;
	assert_int_equal(xf_flow_key_make(&p, &c, &k), 0);
	assert_int_equal(k.port[0], 53);
}

static void test_key_l2_vlan_icmp(void **state)
{
	struct xf_cfg c = cfg_all(XF_BL_L7);
	struct xf_pkt p = ip_pkt(0, 0, 0);
	struct xf_flow_key k;

	/* L2 flow: MACs as addresses, ports 0 whatever the packet says */
	memset(&p, 0, sizeof(p));
	p.status = XF_PS_L2_ONLY | XF_PS_VLAN;
	p.ethertype = 0x0806;
	memcpy(p.smac, "\x00\x11\x22\x33\x44\x66", 6);
	memcpy(p.dmac, "\x00\x11\x22\x33\x44\x55", 6);
	p.sport = 7;
	p.nvlan = 2;
	p.vlan[0] = 100;
	p.vlan[1] = 200;
	assert_int_equal(xf_flow_key_make(&p, &c, &k), 1);
	assert_memory_equal(k.addr[0], "\x00\x11\x22\x33\x44\x55\0\0\0\0\0\0\0\0\0\0", 16);
	assert_memory_equal(k.addr[1], "\x00\x11\x22\x33\x44\x66\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(k.port[0] | k.port[1], 0);
	assert_int_equal(k.vlan, 200);          /* innermost */
	assert_int_equal(k.ethertype, 0x0806);
	c.vlan_in_key = 0;
	xf_flow_key_make(&p, &c, &k);
	assert_int_equal(k.vlan, 0);

	/* ICMP echo: the identifier in both ports; request and reply match */
	{
		struct xf_pkt rq = ip_pkt(1, 1, 56), rp = ip_pkt(0, 1, 56);
		struct xf_flow_key k1, k2;

		rq.sport = rq.dport = rp.sport = rp.dport = 0x1234;
		rq.status |= XF_PS_ICMP_ECHO;
		rp.status |= XF_PS_ICMP_ECHO;
		assert_int_equal(xf_flow_key_make(&rq, &c, &k1), 1);
		assert_int_equal(xf_flow_key_make(&rp, &c, &k2), 0);
		assert_memory_equal(&k1, &k2, sizeof(k1));
		assert_int_equal(k1.port[0], 0x1234);
		assert_int_equal(k1.port[1], 0x1234);
	}
}

static void test_frag_key(void **state)
{
	struct xf_pkt p = ip_pkt(1, 17, 0);
	struct xf_frag_key k;

	memset(&k, 0xee, sizeof(k));
	p.frag_id = 0xabcd;
	p.nvlan = 1;
	p.vlan[0] = 7;
	xf_frag_key_make(&p, &k);
	assert_memory_equal(k.src, ip_a, 4);
	assert_memory_equal(k.dst, ip_b, 4);
	assert_int_equal(k.src[4], 0);
	assert_int_equal(k.id, 0xabcd);
	assert_int_equal(k.vlan, 7);
	assert_int_equal(k.l4_proto, 17);
	assert_int_equal(k.ip_ver, 4);
}

/* ------------------------------------------------------ flow and counters */

static void test_init_and_direction(void **state)
{
	struct tflow t;
	struct xf_pkt p = ip_pkt(1, 17, 10);

	tflow_start(&t, XF_BL_L7);
	p.status |= XF_PS_VLAN;
	p.nvlan = 1;
	p.vlan[0] = 42;
	assert_int_equal(feed(&t, &p, S(5)), 0);
	assert_int_equal(t.f.a_side, 1);        /* A = 10.0.0.2 is key side 1 */
	assert_int_equal(t.last_dir, 0);
	assert_int_equal(t.f.index, 1);
	assert_int_equal(t.f.first_ts, S(5));
	assert_int_equal(t.f.smac[5], 2);
	assert_int_equal(t.f.vlan[0], 42);
	assert_int_equal(t.f.nhdr, 3);
	assert_int_equal(t.f.hdr[2], XF_H_UDP);
	assert_int_equal(t.f.num_hdr_desc, 1);
	assert_int_equal(t.f.tcp_state, XF_TCP_NONE);
	assert_true(t.f.stat & XF_FS_IPV4);
	assert_true(t.f.stat & XF_FS_VLAN);
	assert_false(t.f.stat & XF_FS_IPV6);
	p = ip_pkt(0, 17, 20);
	p.status |= XF_PS_VLAN;
	p.nvlan = 1;
	p.vlan[0] = 42;
	feed(&t, &p, S(6));
	assert_int_equal(t.last_dir, 1);
	assert_int_equal(t.f.dir[0].pkts, 1);
	assert_int_equal(t.f.dir[1].pkts, 1);
	assert_int_equal(t.f.dir[1].bytes, 20);
	assert_int_equal(t.f.last_ts, S(6));
	assert_int_equal(xf_flow_dir(&t.f, 1), 0);
	assert_int_equal(xf_flow_dir(&t.f, 0), 1);
}

static void test_byte_layers(void **state)
{
	static const struct { uint8_t layer; uint64_t bytes; } cases[] = {
		{ XF_BL_L2, 154 }, { XF_BL_L3, 140 }, { XF_BL_L4, 120 }, { XF_BL_L7, 100 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tflow t;
		struct xf_pkt p = tcp_pkt(1, XF_TCP_ACK, 1, 1, 100, 100);

		tflow_start(&t, cases[i].layer);
		feed(&t, &p, S(1));
		assert_int_equal(t.f.dir[0].bytes, cases[i].bytes);
		assert_int_equal(t.f.dir[0].min_sz, cases[i].bytes);
		assert_int_equal(t.f.dir[0].l7_bytes, 100);
	}
	/* L3 of a non-IP frame is its wire length */
	{
		struct tflow t;
		struct xf_pkt p;

		tflow_start(&t, XF_BL_L3);
		memset(&p, 0, sizeof(p));
		p.status = XF_PS_L2_ONLY;
		p.ethertype = 0x88cc;
		p.wire_len = 60;
		feed(&t, &p, S(1));
		assert_int_equal(t.f.dir[0].bytes, 60);
		assert_true(t.f.stat & XF_FS_L2_FLOW);
	}
}

static void test_size_stats(void **state)
{
	static const uint16_t sizes[] = { 100, 200, 600 };
	struct tflow t;
	size_t i;

	tflow_start(&t, XF_BL_L7);
	for (i = 0; i < 3; i++) {
		struct xf_pkt p = ip_pkt(1, 17, sizes[i]);

		feed(&t, &p, S(1 + i));
	}
	/* sum 900, sum of squares 10000 + 40000 + 360000 = 410000 */
	assert_int_equal(t.f.dir[0].sum_sz, 900);
	assert_int_equal(t.f.dir[0].sumsq_sz, 410000);
	assert_int_equal(t.f.dir[0].min_sz, 100);
	assert_int_equal(t.f.dir[0].max_sz, 600);
	assert_float_equal(xf_fs_ave_size(&t.f.dir[0]), 300.0, 1e-9);
	/* population: sqrt(410000/3 - 300^2) = sqrt(46666.667) = 216.0247 */
	assert_float_equal(xf_fs_std_size(&t.f.dir[0]), 216.02468994, 1e-6);
	/* 3 packets in 2 s: 1.5 pkt/s, 450 byte/s; nothing received: asymmetry 1 */
	assert_float_equal(xf_fs_rate(t.f.dir[0].pkts, &t.f), 1.5, 1e-12);
	assert_float_equal(xf_fs_rate(t.f.dir[0].bytes, &t.f), 450.0, 1e-9);
	assert_float_equal(xf_fs_asym(t.f.dir[0].pkts, t.f.dir[1].pkts), 1.0, 1e-12);
	assert_float_equal(xf_fs_asym(3, 1), 0.5, 1e-12);
	assert_float_equal(xf_fs_asym(0, 0), 0.0, 0);
	/* no B packets: everything 0, not NaN */
	assert_float_equal(xf_fs_ave_size(&t.f.dir[1]), 0.0, 0);
	assert_float_equal(xf_fs_std_iat(&t.f.dir[1]), 0.0, 0);
}

static void test_iat_128bit(void **state)
{
	struct tflow t;
	struct xf_pkt p = ip_pkt(1, 17, 1);
	__u64 hi = 0, lo = 0;

	tflow_start(&t, XF_BL_L7);
	assert_int_equal(feed(&t, &p, 0), 0);
	assert_int_equal(feed(&t, &p, S(1)), S(1));
	assert_int_equal(feed(&t, &p, S(6)), S(5));    /* 5 s > 2^32 ns */
	/* squares 1e18 + 25e18 = 26e18 = 1 * 2^64 + 7553255926290448384 */
	assert_int_equal(t.f.dir[0].sumsq_iat_hi, 1);
	assert_true(t.f.dir[0].sumsq_iat_lo == 7553255926290448384ULL);
	assert_true(t.f.dir[0].sum_iat == S(6));
	assert_true(t.f.dir[0].min_iat == S(1));
	assert_true(t.f.dir[0].max_iat == S(5));
	/* IATs 1 and 5 s: mean 3, population std 2 */
	assert_float_equal(xf_fs_ave_iat(&t.f.dir[0]), 3.0, 1e-9);
	assert_float_equal(xf_fs_std_iat(&t.f.dir[0]), 2.0, 1e-6);
	assert_float_equal(xf_fs_min_iat(&t.f.dir[0]), 1.0, 1e-12);
	assert_float_equal(xf_fs_max_iat(&t.f.dir[0]), 5.0, 1e-12);

	/* a small deviation on a large mean: IATs 100 s +- 1 us, std 1 us */
	tflow_start(&t, XF_BL_L7);
	feed(&t, &p, 0);
	feed(&t, &p, S(100) + 1000);
	feed(&t, &p, S(200));
	feed(&t, &p, S(300) + 1000);
	feed(&t, &p, S(400));
	assert_float_equal(xf_fs_std_iat(&t.f.dir[0]), 1e-6, 1e-8);

	/* (2^64 - 1)^2 = 2^128 - 2^65 + 1: hi = 2^64 - 2, lo = 1 */
	xf_add_sq128(&hi, &lo, UINT64_MAX);
	assert_true(hi == UINT64_MAX - 1);
	assert_true(lo == 1);
	/* carry from lo into hi: lo = 2^64 - 1, + 1^2 */
	hi = 0;
	lo = UINT64_MAX;
	xf_add_sq128(&hi, &lo, 1);
	assert_true(hi == 1 && lo == 0);
	/* (2^32)^2 = 2^64 exactly */
	hi = lo = 0;
	xf_add_sq128(&hi, &lo, 1ULL << 32);
	assert_true(hi == 1 && lo == 0);
}

static void test_time_jump(void **state)
{
	struct tflow t;
	struct xf_pkt p = ip_pkt(1, 17, 1);

	tflow_start(&t, XF_BL_L7);
	feed(&t, &p, S(10));
	assert_int_equal(feed(&t, &p, S(5)), 0);
	assert_true(t.f.stat & XF_FS_TIME_JUMP);
	assert_true(t.f.last_ts == S(10));      /* the flow's end never goes back */
	assert_int_equal(t.f.dir[0].pkts, 2);
	assert_int_equal(t.f.dir[0].min_iat, 0);
	/* the next IAT is measured from the previous packet (5 s), but a packet
	 * still older than the flow's newest (10 s) has IAT 0 */
	assert_int_equal(feed(&t, &p, S(7)), 0);
	assert_true(feed(&t, &p, S(12)) == S(5));
	/* older than the flow's newest packet, though newer in its direction */
	p = ip_pkt(0, 17, 1);
	feed(&t, &p, S(20));
	p = ip_pkt(1, 17, 1);
	assert_int_equal(feed(&t, &p, S(15)), 0);
}

static void test_ip_fields_and_status(void **state)
{
	struct tflow t;
	struct xf_pkt p = ip_pkt(1, 17, 1);

	tflow_start(&t, XF_BL_L7);
	p.ipid = 65530;
	p.tos = 0x10;
	p.ip_flags = XF_IPF_DF;
	feed(&t, &p, S(1));
	p.ipid = 4;                             /* +10 with wrap */
	p.ttl = 60;
	p.tos = 0x02;
	p.status |= XF_PS_IP_OPTIONS | XF_PS_SNAPPED | XF_PS_BAD_IPCSUM;
	feed(&t, &p, S(2));
	p.ipid = 5;
	p.ttl = 60;
	p.status = XF_PS_IPV4 | XF_PS_FRAG | XF_PS_L2_TRAILER | XF_PS_TRUNCATED;
	p.ip_flags = XF_IPF_MF;
	feed(&t, &p, S(3));
	assert_int_equal(t.f.dir[0].min_ttl, 60);
	assert_int_equal(t.f.dir[0].max_ttl, 64);
	assert_int_equal(t.f.dir[0].ttl_chg, 1);
	assert_int_equal(t.f.dir[0].min_dipid, 1);
	assert_int_equal(t.f.dir[0].max_dipid, 10);
	assert_int_equal(t.f.dir[0].tos_or, 0x12);
	assert_int_equal(t.f.dir[0].ip_flags, XF_IPF_DF | XF_IPF_MF);
	assert_int_equal(t.f.dir[0].ip_opt_pkts, 1);
	assert_int_equal(t.f.dir[0].frag_pkts, 1);
	assert_true(t.f.stat & XF_FS_IP_OPTIONS);
	assert_true(t.f.stat & XF_FS_SNAPPED);
	assert_true(t.f.stat & XF_FS_BAD_IPCSUM);
	assert_true(t.f.stat & XF_FS_FRAG);
	assert_true(t.f.stat & XF_FS_L2_TRAILER);
	assert_true(t.f.stat & XF_FS_HDR_TRUNC);
	assert_false(t.f.stat & XF_FS_MALFORMED);
}

static void test_hdr_change(void **state)
{
	struct tflow t;
	struct xf_pkt p = ip_pkt(1, 17, 1), q = p, r = p;

	tflow_start(&t, XF_BL_L7);
	feed(&t, &p, S(1));
	feed(&t, &p, S(2));
	assert_false(t.f.stat & XF_FS_HDR_CHANGE);
	q.nhdr = 4;                             /* eth:vlan:ipv4:udp */
	q.hdr[1] = XF_H_VLAN;
	q.hdr[2] = XF_H_IPV4;
	q.hdr[3] = XF_H_UDP;
	feed(&t, &q, S(3));
	feed(&t, &p, S(4));
	feed(&t, &q, S(5));
	assert_true(t.f.stat & XF_FS_HDR_CHANGE);
	assert_int_equal(t.f.num_hdr_desc, 2);
	r.nhdr = 4;                             /* a third: eth:mpls:ipv4:udp */
	r.hdr[1] = XF_H_MPLS;
	r.hdr[2] = XF_H_IPV4;
	r.hdr[3] = XF_H_UDP;
	feed(&t, &r, S(6));
	assert_int_equal(t.f.num_hdr_desc, 3);
	assert_int_equal(t.f.nhdr, 3);          /* hdrDesc stays the first packet's */
}

/* ------------------------------------------------------------------- TCP */

static void test_tcp_full_close(void **state)
{
	struct tflow t;
	struct xf_pkt p;

	tflow_start(&t, XF_BL_L7);
	p = tcp_pkt(1, XF_TCP_SYN, 1000, 0, 0, 64240);
	p.tcp_opts = XF_TO_MSS | XF_TO_WSCALE | XF_TO_SACK_OK;
	p.tcp_hlen = 32;
	p.mss = 1460;
	p.wscale = 7;
	feed(&t, &p, S(1));
	assert_int_equal(t.f.tcp_state, XF_TCP_SYN_SENT);
	p = tcp_pkt(0, XF_TCP_SYN | XF_TCP_ACK, 5000, 1001, 0, 65160);
	feed(&t, &p, S(1) + 1000);
	assert_int_equal(t.f.tcp_state, XF_TCP_SYN_RCVD);
	p = tcp_pkt(1, XF_TCP_ACK, 1001, 5001, 0, 502);
	feed(&t, &p, S(1) + 2000);
	assert_int_equal(t.f.tcp_state, XF_TCP_ESTABLISHED);
	p = tcp_pkt(1, XF_TCP_ACK | XF_TCP_PSH, 1001, 5001, 100, 502);
	feed(&t, &p, S(2));
	p = tcp_pkt(0, XF_TCP_ACK | XF_TCP_PSH, 5001, 1101, 300, 509);
	feed(&t, &p, S(2) + 100);
	p = tcp_pkt(1, XF_TCP_ACK | XF_TCP_FIN, 1101, 5301, 0, 502);
	feed(&t, &p, S(3));
	assert_int_equal(t.f.tcp_state, XF_TCP_FIN_WAIT);
	assert_false(xf_flow_tcp_done(&t.f));
	p = tcp_pkt(0, XF_TCP_ACK | XF_TCP_FIN, 5301, 1102, 0, 509);
	feed(&t, &p, S(3) + 100);
	assert_int_equal(t.f.tcp_state, XF_TCP_CLOSING);
	assert_false(xf_flow_tcp_done(&t.f));
	p = tcp_pkt(1, XF_TCP_ACK, 1102, 5302, 0, 502);
	feed(&t, &p, S(3) + 200);
	assert_int_equal(t.f.tcp_state, XF_TCP_CLOSED);
	assert_true(xf_flow_tcp_done(&t.f));
	assert_int_equal(t.f.tcp_state_anom, 0);

	assert_int_equal(t.f.dir[0].isn, 1000);
	assert_int_equal(t.f.dir[1].isn, 5000);
	assert_int_equal(t.f.dir[0].seq_bytes, 100);   /* SYN and FIN are not data */
	assert_int_equal(t.f.dir[1].seq_bytes, 300);
	assert_int_equal(t.f.dir[0].next_seq, 1102);
	assert_int_equal(t.f.dir[0].mss, 1460);
	assert_int_equal(t.f.dir[0].wscale, 7);
	assert_int_equal(t.f.dir[0].tcp_opt_pkts, 1);
	assert_int_equal(t.f.dir[0].tcp_opts, XF_TO_MSS | XF_TO_WSCALE | XF_TO_SACK_OK);
	assert_int_equal(t.f.dir[0].tcp_flags, XF_TCP_SYN | XF_TCP_ACK | XF_TCP_PSH | XF_TCP_FIN);
	assert_int_equal(t.f.dir[0].retrans + t.f.dir[0].ooo + t.f.dir[0].dup_acks, 0);
	assert_int_equal(t.f.dir[1].retrans + t.f.dir[1].ooo + t.f.dir[1].dup_acks, 0);
	assert_int_equal(t.f.dir[0].tcp_anomaly, XF_TA_FIN_ACK);
	assert_int_equal(t.f.dir[1].tcp_anomaly, XF_TA_SYN_ACK | XF_TA_FIN_ACK);
	/* windows A: 64240 502 502 502 502: init 64240, min 502, 1 down */
	assert_int_equal(t.f.dir[0].win_init, 64240);
	assert_int_equal(t.f.dir[0].win_min, 502);
	assert_int_equal(t.f.dir[0].win_max, 64240);
	assert_int_equal(t.f.dir[0].win_down, 1);
	assert_int_equal(t.f.dir[0].win_up, 0);
	assert_float_equal(xf_fs_ave_win(&t.f.dir[0]), (64240.0 + 4 * 502) / 5, 1e-9);

	/* anything after the close is flagged */
	feed(&t, &p, S(4));
	assert_true(t.f.tcp_state_anom & XF_TS_AFTER_CLOSE);
}

static void test_tcp_reset_and_scan(void **state)
{
	struct tflow t;
	struct xf_pkt p;

	tflow_start(&t, XF_BL_L7);
	handshake(&t);
	p = tcp_pkt(0, XF_TCP_RST | XF_TCP_ACK, 5001, 1001, 0, 0);
	feed(&t, &p, S(2));
	assert_int_equal(t.f.tcp_state, XF_TCP_RESET);
	assert_true(xf_flow_tcp_done(&t.f));
	assert_true(t.f.tcp_state_anom & XF_TS_RST_BY_B);
	assert_false(t.f.tcp_state_anom & XF_TS_SCAN);
	assert_int_equal(t.f.dir[1].zero_win, 0);      /* an RST's window is not counted */
	p = tcp_pkt(1, XF_TCP_ACK, 1001, 5001, 10, 502);
	feed(&t, &p, S(3));
	assert_true(t.f.tcp_state_anom & XF_TS_AFTER_RESET);

	/* SYN answered by RST: a scan or a refused connection */
	tflow_start(&t, XF_BL_L7);
	p = tcp_pkt(1, XF_TCP_SYN, 77, 0, 0, 1024);
	feed(&t, &p, S(1));
	p = tcp_pkt(0, XF_TCP_RST | XF_TCP_ACK, 0, 78, 0, 0);
	feed(&t, &p, S(1) + 50);
	assert_int_equal(t.f.tcp_state, XF_TCP_RESET);
	assert_true(t.f.tcp_state_anom & XF_TS_SCAN);
	assert_true(t.f.tcp_state_anom & XF_TS_RST_BY_B);
	assert_true(t.f.dir[1].tcp_anomaly & XF_TA_RST_ACK);
}

static void test_tcp_retrans_ooo(void **state)
{
	struct tflow t;
	struct xf_pkt p;

	tflow_start(&t, XF_BL_L7);
	handshake(&t);
	p = tcp_pkt(1, XF_TCP_ACK, 1001, 5001, 100, 502);     /* 1001..1100 */
	feed(&t, &p, S(2));
	feed(&t, &p, S(2) + 10);                                /* again: retransmission */
	assert_int_equal(t.f.dir[0].retrans, 1);
	assert_true(t.f.dir[0].tcp_anomaly & XF_TA_RETRANS);
	p = tcp_pkt(1, XF_TCP_ACK, 1201, 5001, 100, 502);     /* gap 1101..1200 */
	feed(&t, &p, S(2) + 20);
	assert_int_equal(t.f.dir[0].ooo, 1);
	assert_true(t.f.dir[0].tcp_anomaly & XF_TA_OOO);
	p = tcp_pkt(1, XF_TCP_ACK, 1101, 5001, 100, 502);     /* the late segment */
	feed(&t, &p, S(2) + 30);
	assert_int_equal(t.f.dir[0].retrans, 2);               /* below next_seq: counted */
	p = tcp_pkt(1, XF_TCP_ACK, 1251, 5001, 100, 502);     /* partial overlap: 50 new */
	feed(&t, &p, S(2) + 40);
	assert_int_equal(t.f.dir[0].retrans, 2);
	assert_int_equal(t.f.dir[0].seq_faults, 3);
	/* advance: 100 + 200 (gap included) + 50 */
	assert_int_equal(t.f.dir[0].seq_bytes, 350);
	assert_int_equal(t.f.dir[0].seq_pkts, 3);      /* 1001, 1201, 1251 */
	assert_int_equal(t.f.dir[0].ack_pkts, 6);      /* all but the SYN */
	assert_int_equal(t.f.dir[0].tcp_pkts, 7);
	assert_int_equal(t.f.dir[0].next_seq, 1351);
	assert_int_equal(t.f.dir[0].l7_bytes, 500);
}

static void test_tcp_keepalive_zero_window(void **state)
{
	struct tflow t;
	struct xf_pkt p;

	tflow_start(&t, XF_BL_L7);
	handshake(&t);
	p = tcp_pkt(1, XF_TCP_ACK, 1001, 5001, 100, 502);
	feed(&t, &p, S(2));
	p = tcp_pkt(1, XF_TCP_ACK, 1100, 5001, 0, 502);       /* next_seq - 1, no data */
	feed(&t, &p, S(60));
	p = tcp_pkt(1, XF_TCP_ACK, 1100, 5001, 1, 502);       /* 1 garbage byte */
	feed(&t, &p, S(120));
	assert_true(t.f.dir[0].tcp_anomaly & XF_TA_KEEPALIVE);
	assert_int_equal(t.f.dir[0].retrans, 0);
	assert_int_equal(t.f.dir[0].seq_bytes, 100);

	/* B's window closes; A probes with one byte, twice */
	p = tcp_pkt(0, XF_TCP_ACK, 5001, 1101, 0, 0);
	feed(&t, &p, S(121));
	assert_int_equal(t.f.dir[1].zero_win, 1);
	assert_true(t.f.dir[1].tcp_anomaly & XF_TA_ZERO_WIN);
	p = tcp_pkt(1, XF_TCP_ACK, 1101, 5001, 1, 502);
	feed(&t, &p, S(122));
	feed(&t, &p, S(123));
	assert_true(t.f.dir[0].tcp_anomaly & XF_TA_ZWIN_PROBE);
	assert_int_equal(t.f.dir[0].retrans, 0);
	assert_int_equal(t.f.dir[0].seq_bytes, 101);
	/* B: window 65160 then 0: one down; after reopening one up and a turn */
	p = tcp_pkt(0, XF_TCP_ACK, 5001, 1102, 0, 1000);
	feed(&t, &p, S(124));
	assert_int_equal(t.f.dir[1].win_down, 1);
	assert_int_equal(t.f.dir[1].win_up, 1);
	assert_int_equal(t.f.dir[1].win_chgdir, 1);
	assert_int_equal(t.f.dir[1].win_min, 0);
}

static void test_tcp_keepalive_ack_not_dup(void **state)
{
	struct tflow t;
	struct xf_pkt p;

	tflow_start(&t, XF_BL_L7);
	handshake(&t);
	p = tcp_pkt(0, XF_TCP_ACK, 5001, 1001, 0, 509);       /* B: window update */
	feed(&t, &p, S(2));
	p = tcp_pkt(1, XF_TCP_ACK, 1000, 5001, 0, 502);       /* A: keep-alive */
	feed(&t, &p, S(60));
	p = tcp_pkt(0, XF_TCP_ACK, 5001, 1001, 0, 509);       /* B: keep-alive ACK */
	feed(&t, &p, S(60) + 1);
	assert_true(t.f.dir[0].tcp_anomaly & XF_TA_KEEPALIVE);
	assert_int_equal(t.f.dir[1].dup_acks, 0);
	p = tcp_pkt(1, XF_TCP_ACK, 1001, 5001, 10, 502);      /* A: data again */
	feed(&t, &p, S(61));
	p = tcp_pkt(0, XF_TCP_ACK, 5001, 1001, 0, 509);       /* B: a real dup ACK */
	feed(&t, &p, S(61) + 1);
	assert_int_equal(t.f.dir[1].dup_acks, 1);
	/* a zero-window ACK repeated is not a duplicate ACK */
	p = tcp_pkt(0, XF_TCP_ACK, 5001, 1011, 0, 0);
	feed(&t, &p, S(62));
	feed(&t, &p, S(62) + 1);
	assert_int_equal(t.f.dir[1].dup_acks, 1);
	assert_int_equal(t.f.dir[1].zero_win, 2);
}

static void test_tcp_seq_wrap(void **state)
{
	struct tflow t;
	struct xf_pkt p;

	tflow_start(&t, XF_BL_L7);
	p = tcp_pkt(1, XF_TCP_SYN, 0xffffff00u, 0, 0, 1000);
	feed(&t, &p, S(1));
	p = tcp_pkt(0, XF_TCP_SYN | XF_TCP_ACK, 7, 0xffffff01u, 0, 1000);
	feed(&t, &p, S(1) + 1);
	p = tcp_pkt(1, XF_TCP_ACK, 0xffffff01u, 8, 0, 1000);
	feed(&t, &p, S(1) + 2);
	p = tcp_pkt(1, XF_TCP_ACK, 0xffffff01u, 8, 512, 1000); /* crosses 2^32 */
	feed(&t, &p, S(2));
	p = tcp_pkt(1, XF_TCP_ACK, 0x101u, 8, 512, 1000);      /* after the wrap */
	feed(&t, &p, S(3));
	assert_true(t.f.dir[0].tcp_anomaly & XF_TA_SEQ_WRAP);
	assert_int_equal(t.f.dir[0].ooo, 0);
	assert_int_equal(t.f.dir[0].retrans, 0);
	assert_int_equal(t.f.dir[0].seq_bytes, 1024);
	assert_int_equal(t.f.dir[0].next_seq, 0x301u);
	/* B acks across the wrap: not a fault */
	p = tcp_pkt(0, XF_TCP_ACK, 8, 0x301u, 0, 1000);
	feed(&t, &p, S(4));
	assert_int_equal(t.f.dir[1].ack_faults, 0);
}

static void test_tcp_dup_ack_ack_fault(void **state)
{
	struct tflow t;
	struct xf_pkt p;

	tflow_start(&t, XF_BL_L7);
	handshake(&t);
	p = tcp_pkt(0, XF_TCP_ACK, 5001, 1001, 0, 509);
	feed(&t, &p, S(2));                     /* window 65160 -> 509: not a dup */
	feed(&t, &p, S(2) + 1);
	feed(&t, &p, S(2) + 2);
	assert_int_equal(t.f.dir[1].dup_acks, 2);
	assert_true(t.f.dir[1].tcp_anomaly & XF_TA_DUP_ACK);
	p = tcp_pkt(0, XF_TCP_ACK, 5001, 1000, 0, 509);       /* ack went back */
	feed(&t, &p, S(3));
	assert_int_equal(t.f.dir[1].ack_faults, 1);
	assert_true(t.f.dir[1].tcp_anomaly & XF_TA_ACK_BACK);
	assert_int_equal(t.f.dir[1].dup_acks, 2);
}

static void test_tcp_flag_anomalies(void **state)
{
	static const struct { uint8_t fl; uint32_t ta; } cases[] = {
		{ XF_TCP_SYN | XF_TCP_FIN, XF_TA_SYN_FIN },
		{ XF_TCP_SYN | XF_TCP_FIN | XF_TCP_RST, XF_TA_SYN_FIN_RST },
		{ XF_TCP_FIN | XF_TCP_RST, XF_TA_FIN_RST },
		{ 0, XF_TA_NULL },
		{ XF_TCP_FIN | XF_TCP_PSH | XF_TCP_URG, XF_TA_XMAS },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tflow t;
		struct xf_pkt p;

		tflow_start(&t, XF_BL_L7);
		handshake(&t);
		p = tcp_pkt(1, cases[i].fl, 1001, 5001, 0, 502);
		feed(&t, &p, S(2));
		assert_true(t.f.dir[0].tcp_anomaly & cases[i].ta);
	}
	/* corrupt option list */
	{
		struct tflow t;
		struct xf_pkt p = tcp_pkt(1, XF_TCP_SYN, 1, 0, 0, 10);

		tflow_start(&t, XF_BL_L7);
		p.tcp_opts = XF_TO_CORRUPT;
		feed(&t, &p, S(1));
		assert_true(t.f.dir[0].tcp_anomaly & XF_TA_OPT_CORRUPT);
	}
	/* null flags in an established connection: a state anomaly too */
	{
		struct tflow t;
		struct xf_pkt p;

		tflow_start(&t, XF_BL_L7);
		handshake(&t);
		p = tcp_pkt(1, 0, 1001, 0, 0, 502);
		feed(&t, &p, S(2));
		assert_true(t.f.tcp_state_anom & XF_TS_BAD_FLAGS);
	}
}

static void test_tcp_mid_stream(void **state)
{
	struct tflow t;
	struct xf_pkt p;

	tflow_start(&t, XF_BL_L7);
	p = tcp_pkt(1, XF_TCP_ACK | XF_TCP_PSH, 424242, 99, 50, 300);
	feed(&t, &p, S(1));
	assert_int_equal(t.f.tcp_state, XF_TCP_ESTABLISHED);
	assert_true(t.f.tcp_state_anom & XF_TS_NO_SYN);
	assert_int_equal(t.f.dir[0].isn, 424242);
	assert_int_equal(t.f.dir[0].seq_bytes, 50);
	p = tcp_pkt(0, XF_TCP_ACK, 99, 424292, 0, 300);
	feed(&t, &p, S(1) + 5);
	assert_int_equal(t.f.dir[1].isn, 99);
	assert_int_equal(t.f.dir[1].retrans + t.f.dir[1].ooo, 0);

	/* the capture starts at the SYN-ACK: its sender is A, SYN missed */
	tflow_start(&t, XF_BL_L7);
	p = tcp_pkt(0, XF_TCP_SYN | XF_TCP_ACK, 5000, 1001, 0, 65160);
	feed(&t, &p, S(1));
	assert_int_equal(t.f.tcp_state, XF_TCP_SYN_RCVD);
	assert_true(t.f.tcp_state_anom & XF_TS_NO_SYN);
	p = tcp_pkt(1, XF_TCP_ACK, 1001, 5001, 0, 502);
	feed(&t, &p, S(1) + 5);
	assert_int_equal(t.f.tcp_state, XF_TCP_ESTABLISHED);
}

static void test_tcp_syn_retry_simopen(void **state)
{
	struct tflow t;
	struct xf_pkt p;

	tflow_start(&t, XF_BL_L7);
	p = tcp_pkt(1, XF_TCP_SYN, 1000, 0, 0, 64240);
	feed(&t, &p, S(1));
	feed(&t, &p, S(2));
	assert_true(t.f.tcp_state_anom & XF_TS_SYN_RETRY);
	assert_true(t.f.dir[0].tcp_anomaly & XF_TA_SYN_RETRY);
	assert_int_equal(t.f.tcp_state, XF_TCP_SYN_SENT);

	/* simultaneous open: both send SYN, then both SYN-ACK */
	tflow_start(&t, XF_BL_L7);
	p = tcp_pkt(1, XF_TCP_SYN, 1000, 0, 0, 100);
	feed(&t, &p, S(1));
	p = tcp_pkt(0, XF_TCP_SYN, 5000, 0, 0, 100);
	feed(&t, &p, S(1) + 1);
	assert_true(t.f.tcp_state_anom & XF_TS_SIMOPEN);
	p = tcp_pkt(1, XF_TCP_SYN | XF_TCP_ACK, 1000, 5001, 0, 100);
	feed(&t, &p, S(1) + 2);
	p = tcp_pkt(0, XF_TCP_SYN | XF_TCP_ACK, 5000, 1001, 0, 100);
	feed(&t, &p, S(1) + 3);
	p = tcp_pkt(1, XF_TCP_ACK, 1001, 5001, 0, 100);
	feed(&t, &p, S(1) + 4);
	assert_int_equal(t.f.tcp_state, XF_TCP_ESTABLISHED);
	assert_false(t.f.tcp_state_anom & XF_TS_SYN_RETRY);
}

static void test_tcp_modules_off(void **state)
{
	struct tflow t;
	struct xf_pkt p;

	tflow_start(&t, XF_BL_L7);
	t.cfg.modules = XF_MOD_BASIC_STATS;
	handshake(&t);
	assert_int_equal(t.f.tcp_state, XF_TCP_NEW);    /* no state machine */
	assert_int_equal(t.f.dir[0].tcp_flags, 0);
	assert_int_equal(t.f.dir[0].pkts, 2);
	/* tcpStates alone still tracks what the state machine needs */
	tflow_start(&t, XF_BL_L7);
	t.cfg.modules = XF_MOD_TCP_STATES;
	handshake(&t);
	p = tcp_pkt(1, XF_TCP_RST, 1001, 0, 0, 0);
	feed(&t, &p, S(2));
	assert_int_equal(t.f.tcp_state, XF_TCP_RESET);
	assert_true(t.f.tcp_state_anom & XF_TS_RST_BY_A);
}

/* --------------------------------------- module columns over the meter */

/* one column of one module formatted for line dir (0 = A, 1 = B) */
static const char *col(const char *mod, const char *name, const struct tflow *t, int dir)
{
	static char text[128];
	static struct xf_flow_ctx fc;
	struct xf_outbuf ob = { 0 };
	struct xf_module *m = xf_module_find(mod);
	size_t i;

	assert_non_null(m);
	memset(&fc, 0, sizeof(fc));
	fc.f = t->f;
	fc.key = t->k;
	for (i = 0; i < m->ncolumns; i++) {
		if (strcmp(m->columns[i].name, name))
			continue;
		m->columns[i].fmt(&ob, &fc, dir);
		assert_true(ob.len < sizeof(text));
		if (ob.len)
			memcpy(text, ob.buf, ob.len);
		text[ob.len] = 0;
		xf_ob_free(&ob);
		return text;
	}
	fail_msg("no column %s in module %s", name, mod);
	return NULL;
}

static void test_columns_basic_stats(void **state)
{
	static const uint16_t sizes[] = { 100, 200, 600 };
	struct tflow t;
	size_t i;

	tflow_start(&t, XF_BL_L7);
	for (i = 0; i < 3; i++) {
		struct xf_pkt p = ip_pkt(1, 17, sizes[i]);

		feed(&t, &p, S(1 + i));
	}
	{
		struct xf_pkt p = ip_pkt(0, 17, 50);

		feed(&t, &p, S(3));
	}
	/* A sent 3 (900 bytes) in a 2 s flow, received 1 (50 bytes) */
	assert_string_equal(col("basicStats", "numPktsSnt", &t, 0), "3");
	assert_string_equal(col("basicStats", "numPktsRcvd", &t, 0), "1");
	assert_string_equal(col("basicStats", "numBytesSnt", &t, 0), "900");
	assert_string_equal(col("basicStats", "numBytesRcvd", &t, 0), "50");
	assert_string_equal(col("basicStats", "minPktSz", &t, 0), "100");
	assert_string_equal(col("basicStats", "maxPktSz", &t, 0), "600");
	assert_string_equal(col("basicStats", "avePktSize", &t, 0), "300");
	assert_string_equal(col("basicStats", "stdPktSize", &t, 0), "216.02469");
	assert_string_equal(col("basicStats", "minIAT", &t, 0), "1");
	assert_string_equal(col("basicStats", "aveIAT", &t, 0), "1");
	assert_string_equal(col("basicStats", "stdIAT", &t, 0), "0");
	assert_string_equal(col("basicStats", "pktps", &t, 0), "1.5");
	assert_string_equal(col("basicStats", "bytps", &t, 0), "450");
	assert_string_equal(col("basicStats", "pktAsm", &t, 0), "0.5");      /* (3-1)/(3+1) */
	assert_string_equal(col("basicStats", "bytAsm", &t, 0), "0.894737");  /* 850/950 */
	/* the B line mirrors it; one packet: no IAT */
	assert_string_equal(col("basicStats", "numPktsSnt", &t, 1), "1");
	assert_string_equal(col("basicStats", "numPktsRcvd", &t, 1), "3");
	assert_string_equal(col("basicStats", "pktAsm", &t, 1), "-0.5");
	assert_string_equal(col("basicStats", "minIAT", &t, 1), "0");
	assert_string_equal(col("basicStats", "stdPktSize", &t, 1), "0");
	assert_string_equal(col("basicStats", "pktps", &t, 1), "0.5");
}

static void test_columns_tcp(void **state)
{
	struct tflow t;
	struct xf_pkt p;

	tflow_start(&t, XF_BL_L7);
	p = tcp_pkt(1, XF_TCP_SYN, 1000, 0, 0, 64240);
	p.tcp_opts = XF_TO_MSS | XF_TO_WSCALE;
	p.tcp_hlen = 28;
	p.mss = 1460;
	p.wscale = 7;
	feed(&t, &p, S(1));
	p = tcp_pkt(0, XF_TCP_SYN | XF_TCP_ACK, 5000, 1001, 0, 65160);
	feed(&t, &p, S(1) + 1000);
	p = tcp_pkt(1, XF_TCP_ACK, 1001, 5001, 0, 502);
	feed(&t, &p, S(1) + 2000);
	p = tcp_pkt(0, XF_TCP_RST, 5001, 0, 0, 0);
	feed(&t, &p, S(2));
	assert_string_equal(col("tcpFlags", "tcpFlags", &t, 0), "0x12");
	assert_string_equal(col("tcpFlags", "tcpFlags", &t, 1), "0x16");
	assert_string_equal(col("tcpFlags", "tcpMSS", &t, 0), "1460");
	assert_string_equal(col("tcpFlags", "tcpWS", &t, 0), "7");
	assert_string_equal(col("tcpFlags", "tcpOptions", &t, 0), "0x0003");
	assert_string_equal(col("tcpFlags", "tcpOptPktCnt", &t, 0), "1");
	assert_string_equal(col("tcpFlags", "tcpFStat", &t, 0), "0x002f");
	assert_string_equal(col("tcpFlags", "tcpISeqN", &t, 1), "5000");
	assert_string_equal(col("tcpFlags", "tcpInitWinSz", &t, 0), "64240");
	assert_string_equal(col("tcpFlags", "tcpAveWinSz", &t, 0), "32371");
	assert_string_equal(col("tcpFlags", "tcpMinWinSz", &t, 1), "65160"); /* RST left out */
	assert_string_equal(col("tcpFlags", "tcpAnomaly", &t, 1), "0x00000002");
	assert_string_equal(col("tcpFlags", "ipMinTTL", &t, 0), "64");
	assert_string_equal(col("tcpStates", "tcpState", &t, 0), "RESET");
	assert_string_equal(col("tcpStates", "tcpStatesAFlags", &t, 0), "0x0040");
	assert_string_equal(col("tcpStates", "tcpStatesAFlags", &t, 1), "0x0040");

	/* a UDP flow: every TCP column is its zero */
	tflow_start(&t, XF_BL_L7);
	p = ip_pkt(1, 17, 10);
	feed(&t, &p, S(1));
	assert_string_equal(col("tcpFlags", "tcpFlags", &t, 0), "0x00");
	assert_string_equal(col("tcpFlags", "tcpFStat", &t, 0), "0x0000");
	assert_string_equal(col("tcpFlags", "tcpAveWinSz", &t, 0), "0");
	assert_string_equal(col("tcpFlags", "tcpISeqN", &t, 0), "0");
	assert_string_equal(col("tcpStates", "tcpState", &t, 0), "");
	assert_string_equal(col("tcpStates", "tcpStatesAFlags", &t, 0), "0x0000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_canonical),
		cmocka_unit_test(test_key_port_tiebreak),
		cmocka_unit_test(test_key_l2_vlan_icmp),
		cmocka_unit_test(test_frag_key),
		cmocka_unit_test(test_init_and_direction),
		cmocka_unit_test(test_byte_layers),
		cmocka_unit_test(test_size_stats),
		cmocka_unit_test(test_iat_128bit),
		cmocka_unit_test(test_time_jump),
		cmocka_unit_test(test_ip_fields_and_status),
		cmocka_unit_test(test_hdr_change),
		cmocka_unit_test(test_tcp_full_close),
		cmocka_unit_test(test_tcp_reset_and_scan),
		cmocka_unit_test(test_tcp_retrans_ooo),
		cmocka_unit_test(test_tcp_keepalive_zero_window),
		cmocka_unit_test(test_tcp_keepalive_ack_not_dup),
		cmocka_unit_test(test_tcp_seq_wrap),
		cmocka_unit_test(test_tcp_dup_ack_ack_fault),
		cmocka_unit_test(test_tcp_flag_anomalies),
		cmocka_unit_test(test_tcp_mid_stream),
		cmocka_unit_test(test_tcp_syn_retry_simopen),
		cmocka_unit_test(test_tcp_modules_off),
		cmocka_unit_test(test_columns_basic_stats),
		cmocka_unit_test(test_columns_tcp),
	};

	return cmocka_run_group_tests_name("meter", tests, NULL, NULL);
}
