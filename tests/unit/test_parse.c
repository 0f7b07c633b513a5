/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_parse.c - the shared parser (include/xdpflow/parse.h) on frames built
 * byte by byte: every link type, VLAN/MPLS/PPPoE, IPv4 options and
 * fragments, IPv6 extension chains, TCP options, UDP/ICMP/SCTP, GRE and
 * VXLAN decapsulation, and malformed or truncated headers.  Every frame is
 * handed to the parser in a malloc'd buffer of exactly its length, so an
 * over-read is an ASan error under `make SAN=1 unit`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <xdpflow/parse.h>

/* ------------------------------------------------------ frame building */

#define FB_MAX 2048

struct fb {
	uint8_t b[FB_MAX];
	uint32_t n;
};

static const uint8_t MAC_D[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t MAC_S[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t MAC_ID[6] = { 0x02, 0, 0, 0, 0, 0x12 };   /* inner dst */
static const uint8_t MAC_IS[6] = { 0x02, 0, 0, 0, 0, 0x11 };   /* inner src */
static const uint8_t A4[4] = { 10, 0, 0, 1 }, B4[4] = { 10, 0, 0, 2 };
static const uint8_t C4[4] = { 192, 168, 1, 1 }, D4[4] = { 192, 168, 1, 2 };
static const uint8_t A6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t B6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static void fb_init(struct fb *f)
{
	memset(f, 0, sizeof(*f));
}

static void put(struct fb *f, const void *p, uint32_t n)
{
	assert_true(f->n + n <= FB_MAX);
	memcpy(f->b + f->n, p, n);
	f->n += n;
}

static void put8(struct fb *f, uint8_t v)
{
	put(f, &v, 1);
}

static void put16(struct fb *f, uint16_t v)
{
	put8(f, v >> 8);
	put8(f, v & 0xff);
}

static void put32(struct fb *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}

static void put_fill(struct fb *f, uint8_t byte, uint32_t n)
{
	while (n--)
		put8(f, byte);
}

static void set16(struct fb *f, uint32_t off, uint16_t v)
{
	f->b[off] = v >> 8;
	f->b[off + 1] = v & 0xff;
}

/* payload bytes 'a', 'b', ... so a test can spot them */
static void payload(struct fb *f, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		put8(f, (uint8_t)('a' + i % 26));
}

static void eth_mac(struct fb *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	put(f, dst, 6);
	put(f, src, 6);
	put16(f, type);
}

static void eth(struct fb *f, uint16_t type)
{
	eth_mac(f, MAC_D, MAC_S, type);
}

/* the rest of a VLAN tag whose TPID was the previous type field */
static void vlan(struct fb *f, uint16_t tci, uint16_t type)
{
	put16(f, tci);
	put16(f, type);
}

static void mpls(struct fb *f, uint32_t label, int bos)
{
	put32(f, label << 12 | (bos ? 0x100 : 0) | 64);
}

static void pppoe(struct fb *f, uint16_t ppp_proto)
{
	put8(f, 0x11);                  /* version 1, type 1 */
	put8(f, 0);                     /* code: session data */
	put16(f, 0x1234);               /* session id */
	put16(f, 0);                    /* length 0: no bound (pppoe_end() sets one) */
	put16(f, ppp_proto);
}

/* PPPoE payload length (the PPP protocol field included) up to f->n, less cut */
static void pppoe_end(struct fb *f, uint32_t pppoe_off, uint32_t cut)
{
	set16(f, pppoe_off + 4, (uint16_t)(f->n - pppoe_off - 6 - cut));
}

/* Linux cooked v1: packet type, ARPHRD, address length, address, protocol */
static void sll(struct fb *f, uint16_t hatype, uint16_t proto)
{
	uint8_t addr[8] = { 0 };

	memcpy(addr, MAC_S, 6);
	put16(f, 0);                    /* to us */
	put16(f, hatype);
	put16(f, 6);
	put(f, addr, 8);
	put16(f, proto);
}

/* Linux cooked v2: protocol, reserved, ifindex, ARPHRD, type, alen, address */
static void sll2(struct fb *f, uint16_t hatype, uint16_t proto)
{
	uint8_t addr[8] = { 0 };

	memcpy(addr, MAC_S, 6);
	put16(f, proto);
	put16(f, 0);
	put32(f, 3);
	put16(f, hatype);
	put8(f, 0);
	put8(f, 6);
	put(f, addr, 8);
}

/* BSD null/loopback: address family in host (little) or network order */
static void null_hdr(struct fb *f, uint32_t fam, int big_endian)
{
	if (big_endian) {
		put32(f, fam);
	} else {
		put8(f, fam & 0xff);
		put8(f, (fam >> 8) & 0xff);
		put8(f, (fam >> 16) & 0xff);
		put8(f, fam >> 24);
	}
}

/* IPv4 header with options; total length and checksum set by ip4_end() */
static uint32_t ip4_opt(struct fb *f, const uint8_t *src, const uint8_t *dst, uint8_t proto,
			uint16_t frag, const uint8_t *opts, uint8_t optlen)
{
	uint32_t off = f->n;

	assert_int_equal(optlen % 4, 0);
	put8(f, 0x40 | (uint8_t)((20 + optlen) / 4));
	put8(f, 0x28);                  /* tos */
	put16(f, 0);                    /* total length: ip4_end */
	put16(f, 0x4242);               /* id */
	put16(f, frag);
	put8(f, 64);                    /* ttl */
	put8(f, proto);
	put16(f, 0);                    /* checksum: ip4_end */
	put(f, src, 4);
	put(f, dst, 4);
	if (optlen)
		put(f, opts, optlen);
	return off;
}

static uint32_t ip4(struct fb *f, const uint8_t *src, const uint8_t *dst, uint8_t proto)
{
	return ip4_opt(f, src, dst, proto, 0, NULL, 0);
}

static uint16_t ip4_csum(const uint8_t *h, uint32_t hlen)
{
	uint32_t sum = 0, i;

	for (i = 0; i < hlen; i += 2)
		sum += (uint32_t)h[i] << 8 | h[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* total length = everything appended since the header; then the checksum */
static void ip4_end(struct fb *f, uint32_t off)
{
	uint32_t hlen = (f->b[off] & 0x0f) * 4u;

	set16(f, off + 2, (uint16_t)(f->n - off));
	set16(f, off + 10, 0);
	set16(f, off + 10, ip4_csum(f->b + off, hlen));
}

static uint32_t ip6(struct fb *f, const uint8_t *src, const uint8_t *dst, uint8_t nh)
{
	uint32_t off = f->n;

	put32(f, 0x6a012345);           /* version 6, traffic class 0xa0, flow label */
	put16(f, 0);                    /* payload length: ip6_end */
	put8(f, nh);
	put8(f, 57);                    /* hop limit */
	put(f, src, 16);
	put(f, dst, 16);
	return off;
}

static void ip6_end(struct fb *f, uint32_t off)
{
	set16(f, off + 4, (uint16_t)(f->n - off - 40));
}

/* a generic extension header of len bytes (multiple of 8), Pad1 filled */
static void ext6(struct fb *f, uint8_t nh, uint32_t len)
{
	put8(f, nh);
	put8(f, (uint8_t)(len / 8 - 1));
	put_fill(f, 0, len - 2);
}

static void frag6(struct fb *f, uint8_t nh, uint16_t off_bytes, int more, uint32_t id)
{
	put8(f, nh);
	put8(f, 0);
	put16(f, (uint16_t)(off_bytes | (more ? 1 : 0)));
	put32(f, id);
}

/* AH: length field in 4-byte units minus 2 */
static void ah(struct fb *f, uint8_t nh, uint32_t len)
{
	put8(f, nh);
	put8(f, (uint8_t)(len / 4 - 2));
	put_fill(f, 0, len - 2);
}

static uint32_t tcp_opt(struct fb *f, uint16_t sport, uint16_t dport, uint32_t seq,
			uint32_t ack, uint8_t flags, uint16_t win,
			const uint8_t *opts, uint8_t optlen)
{
	uint32_t off = f->n;

	assert_int_equal(optlen % 4, 0);
	put16(f, sport);
	put16(f, dport);
	put32(f, seq);
	put32(f, ack);
	put8(f, (uint8_t)((20 + optlen) / 4) << 4);
	put8(f, flags);
	put16(f, win);
	put16(f, 0);                    /* checksum: not checked */
	put16(f, 0);                    /* urgent */
	if (optlen)
		put(f, opts, optlen);
	return off;
}

static uint32_t tcp(struct fb *f, uint16_t sport, uint16_t dport)
{
	return tcp_opt(f, sport, dport, 1000, 2000, 0x18, 512, NULL, 0);
}

static uint32_t udp(struct fb *f, uint16_t sport, uint16_t dport)
{
	uint32_t off = f->n;

	put16(f, sport);
	put16(f, dport);
	put16(f, 0);
	put16(f, 0);
	return off;
}

static void udp_end(struct fb *f, uint32_t off)
{
	set16(f, off + 4, (uint16_t)(f->n - off));
}

static void icmp(struct fb *f, uint8_t type, uint8_t code, uint16_t id, uint16_t seq)
{
	put8(f, type);
	put8(f, code);
	put16(f, 0);
	put16(f, id);
	put16(f, seq);
}

static void sctp(struct fb *f, uint16_t sport, uint16_t dport)
{
	put16(f, sport);
	put16(f, dport);
	put32(f, 0xdeadbeef);           /* verification tag */
	put32(f, 0);                    /* checksum */
}

static void vxlan(struct fb *f, uint8_t flags, uint32_t vni)
{
	put8(f, flags);
	put_fill(f, 0, 3);
	put32(f, vni << 8);
}

/* --------------------------------------------------------------- parsing */

static struct xf_cfg cfg_default(void)
{
	struct xf_cfg c;

	memset(&c, 0, sizeof(c));
	c.byte_layer = XF_BL_L7;
	c.decap_tunnels = 1;
	c.l2_flows = 1;
	c.vxlan_port = 4789;
	c.geneve_port = 6081;
	c.gtp_port = 2152;
	c.gre_udp_port = 4754;
	c.ayiya_port = 5072;
	return c;
}

/* Invariants every result must keep, whatever the frame. */
static void check_invariants(const struct xf_pkt *p, int r)
{
	assert_int_equal(r, p->reason);
	assert_true(r >= XF_PR_OK && r < XF_PR__COUNT);
	assert_int_equal(!!(p->status & XF_PS_TRUNCATED), r == XF_PR_TRUNCATED);
	assert_int_equal(!!(p->status & XF_PS_MALFORMED), r == XF_PR_MALFORMED);
	assert_true(p->nhdr <= XF_MAX_HDRS);
	assert_true(p->nvlan <= XF_MAX_VLANS);
	assert_true(p->ntunnel <= XF_MAX_TUNNELS);
	if (p->status & XF_PS_HAS_L4)
		assert_int_not_equal(p->ip_ver, 0);
	assert_int_equal(p->wire_len, 0);       /* the engine's to set */
	assert_int_equal(p->cap_len, 0);
}

/* Parses the first len bytes of f from a buffer of exactly len bytes;
 * cfg NULL: the default configuration. */
static int parse_len(const struct fb *f, uint32_t len, uint32_t dlt, const struct xf_cfg *cfg,
		     struct xf_pkt *p)
{
	struct xf_cfg def = cfg_default();
	uint8_t *buf = malloc(len);
	int r;

	if (!cfg)
		cfg = &def;
	assert_true(buf != NULL || len == 0);
	if (len)
		memcpy(buf, f->b, len);
	memset(p, 0xa5, sizeof(*p));            /* the parser must zero it */
	r = xf_parse(buf, buf + len, len, dlt, cfg, p);
	free(buf);
	check_invariants(p, r);
	return r;
}

static int parse_cfg(const struct fb *f, uint32_t dlt, const struct xf_cfg *cfg, struct xf_pkt *p)
{
	return parse_len(f, f->n, dlt, cfg, p);
}

static int parse(const struct fb *f, uint32_t dlt, struct xf_pkt *p)
{
	struct xf_cfg c = cfg_default();

	return parse_cfg(f, dlt, &c, p);
}

static void hdrs_are(const struct xf_pkt *p, const uint8_t *want, uint32_t n)
{
	uint32_t i;

	if (p->nhdr != n)
		print_error("nhdr %u, want %u\n", p->nhdr, n);
	assert_int_equal(p->nhdr, n);
	for (i = 0; i < n; i++) {
		if (p->hdr[i] != want[i])
			print_error("hdr[%u] = %u, want %u\n", i, p->hdr[i], want[i]);
		assert_int_equal(p->hdr[i], want[i]);
	}
}

#define HDRS(p, ...) hdrs_are((p), (const uint8_t[]){ __VA_ARGS__ }, \
			      sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void addr4_are(const struct xf_pkt *p, const uint8_t *src, const uint8_t *dst)
{
	static const uint8_t zero[12];

	assert_memory_equal(p->src, src, 4);
	assert_memory_equal(p->dst, dst, 4);
	assert_memory_equal(p->src + 4, zero, 12);
	assert_memory_equal(p->dst + 4, zero, 12);
}

static void addr6_are(const struct xf_pkt *p, const uint8_t *src, const uint8_t *dst)
{
	assert_memory_equal(p->src, src, 16);
	assert_memory_equal(p->dst, dst, 16);
}

/* eth / ipv4 / tcp(sport 40000 -> 80) / n bytes of payload */
static void frame_eth_tcp4(struct fb *f, uint32_t n)
{
	uint32_t ip;

	fb_init(f);
	eth(f, XF_ETH_P_IPV4);
	ip = ip4(f, A4, B4, 6);
	tcp(f, 40000, 80);
	payload(f, n);
	ip4_end(f, ip);
}

/* an IPv4/UDP datagram (no link header) */
static void frame_raw_udp4(struct fb *f, uint32_t n)
{
	uint32_t ip, u;

	ip = ip4(f, A4, B4, 17);
	u = udp(f, 5353, 53);
	payload(f, n);
	udp_end(f, u);
	ip4_end(f, ip);
}

static void frame_raw_udp6(struct fb *f, uint32_t n)
{
	uint32_t ip, u;

	ip = ip6(f, A6, B6, 17);
	u = udp(f, 5353, 53);
	payload(f, n);
	udp_end(f, u);
	ip6_end(f, ip);
}

/* ---------------------------------------------------------- link types */

static void test_link_ethernet(void **state)
{
	struct fb f;
	struct xf_pkt p;

	frame_eth_tcp4(&f, 10);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_TCP);
	assert_memory_equal(p.dmac, MAC_D, 6);
	assert_memory_equal(p.smac, MAC_S, 6);
	addr4_are(&p, A4, B4);
	assert_int_equal(p.ethertype, 0x0800);
	assert_int_equal(p.ip_ver, 4);
	assert_int_equal(p.l4_proto, 6);
	assert_int_equal(p.ttl, 64);
	assert_int_equal(p.tos, 0x28);
	assert_int_equal(p.ipid, 0x4242);
	assert_int_equal(p.sport, 40000);
	assert_int_equal(p.dport, 80);
	assert_int_equal(p.seq, 1000);
	assert_int_equal(p.ack, 2000);
	assert_int_equal(p.tcp_flags, 0x18);
	assert_int_equal(p.tcp_win, 512);
	assert_int_equal(p.tcp_hlen, 20);
	assert_int_equal(p.l3_off, 14);
	assert_int_equal(p.l4_off, 34);
	assert_int_equal(p.l7_off, 54);
	assert_int_equal(p.l3_len, 50);
	assert_int_equal(p.l4_len, 30);
	assert_int_equal(p.l7_len, 10);
	assert_int_equal(p.status, XF_PS_IPV4 | XF_PS_HAS_L4);
	assert_int_equal(p.nvlan, 0);
	assert_int_equal(p.ntunnel, 0);
	assert_int_equal(p.ip_flags, 0);
	assert_int_equal(p.tcp_opts, 0);
}

static void test_link_sll(void **state)
{
	struct fb f;
	struct xf_pkt p;

	fb_init(&f);
	sll(&f, 1, XF_ETH_P_IPV4);
	frame_raw_udp4(&f, 4);
	assert_int_equal(parse(&f, XF_DLT_LINUX_SLL, &p), XF_PR_OK);
	HDRS(&p, XF_H_SLL, XF_H_IPV4, XF_H_UDP);
	assert_memory_equal(p.smac, MAC_S, 6);  /* the cooked header's address */
	addr4_are(&p, A4, B4);
	assert_int_equal(p.l3_off, 16);
	assert_int_equal(p.l4_off, 36);
	assert_int_equal(p.l7_off, 44);
	assert_int_equal(p.l7_len, 4);
	assert_int_equal(p.sport, 5353);
	assert_int_equal(p.dport, 53);

	/* a VLAN tag left in the cooked frame is walked like Ethernet's */
	fb_init(&f);
	sll(&f, 1, XF_ETH_P_8021Q);
	vlan(&f, 33, XF_ETH_P_IPV6);
	frame_raw_udp6(&f, 0);
	assert_int_equal(parse(&f, XF_DLT_LINUX_SLL, &p), XF_PR_OK);
	HDRS(&p, XF_H_SLL, XF_H_VLAN, XF_H_IPV6, XF_H_UDP);
	assert_int_equal(p.vlan[0], 33);
	addr6_are(&p, A6, B6);

	/* ARPHRD_NETLINK (824): not a network frame */
	fb_init(&f);
	sll(&f, 824, 0x0010);
	put_fill(&f, 0, 20);
	assert_int_equal(parse(&f, XF_DLT_LINUX_SLL, &p), XF_PR_UNSUPPORTED);

	/* protocol 0x0004: 802.2 LLC, an L2 flow with ethertype 0 */
	fb_init(&f);
	sll(&f, 1, 0x0004);
	put_fill(&f, 0x42, 10);
	assert_int_equal(parse(&f, XF_DLT_LINUX_SLL, &p), XF_PR_OK);
	HDRS(&p, XF_H_SLL, XF_H_LLC);
	assert_true(p.status & XF_PS_L2_ONLY);
	assert_int_equal(p.ethertype, 0);

	/* cut inside the 16-byte cooked header */
	fb_init(&f);
	sll(&f, 1, XF_ETH_P_IPV4);
	assert_int_equal(parse_len(&f, 15, XF_DLT_LINUX_SLL, NULL, &p), XF_PR_TRUNCATED);
	assert_int_equal(p.nhdr, 0);
}

static void test_link_sll2(void **state)
{
	struct fb f;
	struct xf_pkt p;

	fb_init(&f);
	sll2(&f, 1, XF_ETH_P_IPV6);
	frame_raw_udp6(&f, 7);
	assert_int_equal(parse(&f, XF_DLT_LINUX_SLL2, &p), XF_PR_OK);
	HDRS(&p, XF_H_SLL2, XF_H_IPV6, XF_H_UDP);
	assert_memory_equal(p.smac, MAC_S, 6);
	addr6_are(&p, A6, B6);
	assert_int_equal(p.ethertype, 0x86dd);
	assert_int_equal(p.l3_off, 20);
	assert_int_equal(p.l4_off, 60);
	assert_int_equal(p.l7_off, 68);
	assert_int_equal(p.l7_len, 7);
	assert_int_equal(p.l3_len, 55);
	assert_int_equal(p.ttl, 57);
	assert_int_equal(p.tos, 0xa0);

	fb_init(&f);
	sll2(&f, 824, 0x0010);
	put_fill(&f, 0, 20);
	assert_int_equal(parse(&f, XF_DLT_LINUX_SLL2, &p), XF_PR_UNSUPPORTED);

	fb_init(&f);
	sll2(&f, 1, XF_ETH_P_ARP);
	put_fill(&f, 0, 28);
	assert_int_equal(parse(&f, XF_DLT_LINUX_SLL2, &p), XF_PR_OK);
	HDRS(&p, XF_H_SLL2, XF_H_ARP);
	assert_true(p.status & XF_PS_L2_ONLY);
	assert_int_equal(p.ethertype, XF_ETH_P_ARP);

	fb_init(&f);
	sll2(&f, 1, XF_ETH_P_IPV4);
	assert_int_equal(parse_len(&f, 19, XF_DLT_LINUX_SLL2, NULL, &p), XF_PR_TRUNCATED);
}

static void test_link_raw(void **state)
{
	static const uint32_t nibble_dlts[] = { XF_DLT_RAW, XF_DLT_RAW_ALT, XF_DLT_RAW101 };
	struct fb f4, f6, bad;
	struct xf_pkt p;
	uint32_t i;

	fb_init(&f4);
	frame_raw_udp4(&f4, 3);
	fb_init(&f6);
	frame_raw_udp6(&f6, 3);
	fb_init(&bad);
	put8(&bad, 0x50);                       /* version 5 */
	put_fill(&bad, 0, 39);
	for (i = 0; i < 3; i++) {
		assert_int_equal(parse(&f4, nibble_dlts[i], &p), XF_PR_OK);
		HDRS(&p, XF_H_IPV4, XF_H_UDP);
		addr4_are(&p, A4, B4);
		assert_int_equal(p.l3_off, 0);
		assert_int_equal(p.l7_off, 28);
		assert_int_equal(p.l7_len, 3);
		assert_int_equal(p.ethertype, 0x0800);
		assert_int_equal(parse(&f6, nibble_dlts[i], &p), XF_PR_OK);
		HDRS(&p, XF_H_IPV6, XF_H_UDP);
		addr6_are(&p, A6, B6);
		assert_int_equal(p.ethertype, 0x86dd);
		assert_int_equal(parse(&bad, nibble_dlts[i], &p), XF_PR_MALFORMED);
	}
	/* 228 and 229 name the version; no nibble dispatch */
	assert_int_equal(parse(&f4, XF_DLT_IPV4, &p), XF_PR_OK);
	HDRS(&p, XF_H_IPV4, XF_H_UDP);
	assert_int_equal(parse(&f6, XF_DLT_IPV6, &p), XF_PR_OK);
	HDRS(&p, XF_H_IPV6, XF_H_UDP);
	/* LINKTYPE_IPV4 dispatches on the version nibble (as Wireshark does) */
	assert_int_equal(parse(&f6, XF_DLT_IPV4, &p), XF_PR_OK);
	HDRS(&p, XF_H_IPV6, XF_H_UDP);
	assert_int_equal(parse(&f4, XF_DLT_IPV6, &p), XF_PR_TRUNCATED);  /* 31 < 40 */
	fb_init(&f4);
	frame_raw_udp4(&f4, 20);
	assert_int_equal(parse(&f4, XF_DLT_IPV6, &p), XF_PR_MALFORMED);
	assert_int_equal(p.nhdr, 0);
}

static void test_link_null(void **state)
{
	static const uint32_t dlts[] = { XF_DLT_NULL, XF_DLT_LOOP };
	static const uint32_t v6fams[] = { 24, 28, 30 };
	struct fb f;
	struct xf_pkt p;
	uint32_t d, be, i;

	for (d = 0; d < 2; d++) {
		for (be = 0; be < 2; be++) {
			fb_init(&f);
			null_hdr(&f, 2, be);
			frame_raw_udp4(&f, 1);
			assert_int_equal(parse(&f, dlts[d], &p), XF_PR_OK);
			HDRS(&p, XF_H_NULL, XF_H_IPV4, XF_H_UDP);
			addr4_are(&p, A4, B4);
			assert_int_equal(p.l3_off, 4);
			for (i = 0; i < 3; i++) {
				fb_init(&f);
				null_hdr(&f, v6fams[i], be);
				frame_raw_udp6(&f, 1);
				assert_int_equal(parse(&f, dlts[d], &p), XF_PR_OK);
				HDRS(&p, XF_H_NULL, XF_H_IPV6, XF_H_UDP);
				addr6_are(&p, A6, B6);
			}
			fb_init(&f);
			null_hdr(&f, 7, be);            /* AF_IPX-ish: not decoded */
			put_fill(&f, 0x45, 30);
			assert_int_equal(parse(&f, dlts[d], &p), XF_PR_UNSUPPORTED);
		}
		fb_init(&f);
		null_hdr(&f, 2, 0);
		assert_int_equal(parse_len(&f, 3, dlts[d], NULL, &p), XF_PR_TRUNCATED);
	}
}

static void test_link_unknown_and_empty(void **state)
{
	struct fb f;
	struct xf_pkt p;

	frame_eth_tcp4(&f, 0);
	assert_int_equal(parse(&f, 147, &p), XF_PR_UNSUPPORTED);     /* USER0 */
	assert_int_equal(p.nhdr, 0);
	assert_int_equal(p.ip_ver, 0);
	assert_int_equal(parse(&f, 0x7fffffff, &p), XF_PR_UNSUPPORTED);
	assert_int_equal(parse_len(&f, 0, XF_DLT_EN10MB, NULL, &p), XF_PR_TRUNCATED);
	assert_int_equal(p.nhdr, 0);
	assert_int_equal(parse_len(&f, 13, XF_DLT_EN10MB, NULL, &p), XF_PR_TRUNCATED);
	assert_int_equal(p.nhdr, 0);
}

/* ------------------------------------------------------------ layer 2 */

static void test_vlan(void **state)
{
	struct fb f;
	struct xf_pkt p;
	uint32_t ip, i;

	/* 802.1Q, priority bits set: only the 12-bit id is kept */
	fb_init(&f);
	eth(&f, XF_ETH_P_8021Q);
	vlan(&f, 0xa000 | 100, XF_ETH_P_IPV4);
	ip = ip4(&f, A4, B4, 6);
	tcp(&f, 1, 2);
	ip4_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_VLAN, XF_H_IPV4, XF_H_TCP);
	assert_int_equal(p.nvlan, 1);
	assert_int_equal(p.vlan[0], 100);
	assert_true(p.status & XF_PS_VLAN);
	assert_int_equal(p.l3_off, 18);
	assert_int_equal(p.ethertype, 0x0800);

	/* QinQ: 802.1ad outer, 802.1Q inner; outer id first */
	fb_init(&f);
	eth(&f, XF_ETH_P_8021AD);
	vlan(&f, 10, XF_ETH_P_8021Q);
	vlan(&f, 20, XF_ETH_P_IPV6);
	frame_raw_udp6(&f, 0);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_VLAN, XF_H_VLAN, XF_H_IPV6, XF_H_UDP);
	assert_int_equal(p.nvlan, 2);
	assert_int_equal(p.vlan[0], 10);
	assert_int_equal(p.vlan[1], 20);
	assert_int_equal(p.l3_off, 22);

	/* old QinQ TPID 0x9100, three tags: all walked, two recorded */
	fb_init(&f);
	eth(&f, XF_ETH_P_QINQ_OLD);
	vlan(&f, 1, XF_ETH_P_8021Q);
	vlan(&f, 2, XF_ETH_P_8021Q);
	vlan(&f, 3, XF_ETH_P_IPV4);
	frame_raw_udp4(&f, 0);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_VLAN, XF_H_VLAN, XF_H_VLAN, XF_H_IPV4, XF_H_UDP);
	assert_int_equal(p.nvlan, 2);
	assert_int_equal(p.vlan[0], 1);
	assert_int_equal(p.vlan[1], 2);
	assert_int_equal(p.l3_off, 26);

	/* more tags than XF_VLAN_DEPTH: an L2 flow on the last type seen */
	fb_init(&f);
	eth(&f, XF_ETH_P_8021Q);
	for (i = 0; i < XF_VLAN_DEPTH; i++)
		vlan(&f, (uint16_t)(i + 1), XF_ETH_P_8021Q);
	vlan(&f, 99, XF_ETH_P_IPV4);
	frame_raw_udp4(&f, 0);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_int_equal(p.nhdr, 1 + XF_VLAN_DEPTH + 1);
	assert_int_equal(p.hdr[XF_VLAN_DEPTH + 1], XF_H_ETHTYPE);
	assert_true(p.status & XF_PS_L2_ONLY);
	assert_false(p.status & XF_PS_HAS_L4);
	assert_int_equal(p.ethertype, XF_ETH_P_8021Q);
	assert_int_equal(p.ip_ver, 0);

	/* cut inside the second tag: the first stays recorded */
	fb_init(&f);
	eth(&f, XF_ETH_P_8021AD);
	vlan(&f, 10, XF_ETH_P_8021Q);
	vlan(&f, 20, XF_ETH_P_IPV4);
	assert_int_equal(parse_len(&f, 21, XF_DLT_EN10MB, NULL, &p), XF_PR_TRUNCATED);
	assert_int_equal(p.nvlan, 1);
	assert_int_equal(p.vlan[0], 10);
	assert_int_equal(p.ethertype, XF_ETH_P_8021Q);
	HDRS(&p, XF_H_ETH, XF_H_VLAN);
}

static void test_mpls(void **state)
{
	struct fb f;
	struct xf_pkt p;
	uint32_t ip, i;

	/* two labels, bottom of stack on the second, IPv4 */
	fb_init(&f);
	eth(&f, XF_ETH_P_MPLS_UC);
	mpls(&f, 1000, 0);
	mpls(&f, 2000, 1);
	ip = ip4(&f, A4, B4, 6);
	tcp(&f, 1234, 443);
	payload(&f, 5);
	ip4_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_MPLS, XF_H_MPLS, XF_H_IPV4, XF_H_TCP);
	assert_true(p.status & XF_PS_MPLS);
	assert_true(p.status & XF_PS_HAS_L4);
	assert_int_equal(p.ethertype, 0x0800);  /* innermost L3 ethertype */
	assert_int_equal(p.l3_off, 22);
	assert_int_equal(p.l7_len, 5);
	assert_int_equal(p.dport, 443);

	/* multicast MPLS, one label, IPv6 */
	fb_init(&f);
	eth(&f, XF_ETH_P_MPLS_MC);
	mpls(&f, 3, 1);
	frame_raw_udp6(&f, 2);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_MPLS, XF_H_IPV6, XF_H_UDP);
	addr6_are(&p, A6, B6);

	/* no bottom of stack within XF_MPLS_DEPTH labels: L2, unsupported */
	fb_init(&f);
	eth(&f, XF_ETH_P_MPLS_UC);
	for (i = 0; i < XF_MPLS_DEPTH + 1; i++)
		mpls(&f, i + 16, i == XF_MPLS_DEPTH);
	frame_raw_udp4(&f, 0);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_UNSUPPORTED);
	assert_int_equal(p.nhdr, 1 + XF_MPLS_DEPTH);
	assert_true(p.status & XF_PS_L2_ONLY);
	assert_int_equal(p.ethertype, XF_ETH_P_MPLS_UC);
	assert_int_equal(p.ip_ver, 0);

	/* pseudowire control word after the stack: not IP */
	fb_init(&f);
	eth(&f, XF_ETH_P_MPLS_UC);
	mpls(&f, 77, 1);
	put32(&f, 0);
	eth(&f, XF_ETH_P_IPV4);
	frame_raw_udp4(&f, 0);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_UNSUPPORTED);
	assert_true(p.status & XF_PS_L2_ONLY);
	assert_memory_equal(p.src, MAC_S, 6);

	/* cut inside a label, and right after the last label */
	fb_init(&f);
	eth(&f, XF_ETH_P_MPLS_UC);
	mpls(&f, 1, 0);
	mpls(&f, 2, 1);
	assert_int_equal(parse_len(&f, 20, XF_DLT_EN10MB, NULL, &p), XF_PR_TRUNCATED);
	HDRS(&p, XF_H_ETH, XF_H_MPLS);
	assert_int_equal(parse_len(&f, 22, XF_DLT_EN10MB, NULL, &p), XF_PR_TRUNCATED);
	HDRS(&p, XF_H_ETH, XF_H_MPLS, XF_H_MPLS);
}

static void test_pppoe(void **state)
{
	struct fb f;
	struct xf_pkt p;
	uint32_t ip;

	fb_init(&f);
	eth(&f, XF_ETH_P_PPPOE_S);
	pppoe(&f, XF_PPP_IPV4);
	ip = ip4(&f, A4, B4, 6);
	tcp(&f, 5000, 25);
	payload(&f, 3);
	ip4_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_PPPOE, XF_H_PPP, XF_H_IPV4, XF_H_TCP);
	assert_true(p.status & XF_PS_PPPOE);
	assert_int_equal(p.l3_off, 22);
	assert_int_equal(p.ethertype, 0x0800);
	assert_int_equal(p.dport, 25);
	assert_int_equal(p.l7_len, 3);

	fb_init(&f);
	eth(&f, XF_ETH_P_PPPOE_S);
	pppoe(&f, XF_PPP_IPV6);
	frame_raw_udp6(&f, 0);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_PPPOE, XF_H_PPP, XF_H_IPV6, XF_H_UDP);
	addr6_are(&p, A6, B6);

	/* LCP inside the session: an L2 flow on the PPPoE ethertype */
	fb_init(&f);
	eth(&f, XF_ETH_P_PPPOE_S);
	pppoe(&f, 0xc021);
	put_fill(&f, 1, 10);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_PPPOE, XF_H_PPP);
	assert_true(p.status & XF_PS_L2_ONLY);
	assert_int_equal(p.ethertype, XF_ETH_P_PPPOE_S);

	/* discovery stage: just another ethertype */
	fb_init(&f);
	eth(&f, XF_ETH_P_PPPOE_D);
	put_fill(&f, 0, 20);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_ETHTYPE);
	assert_int_equal(p.ethertype, XF_ETH_P_PPPOE_D);

	/* cut inside the PPPoE header and inside the PPP protocol */
	fb_init(&f);
	eth(&f, XF_ETH_P_PPPOE_S);
	pppoe(&f, XF_PPP_IPV4);
	assert_int_equal(parse_len(&f, 19, XF_DLT_EN10MB, NULL, &p), XF_PR_TRUNCATED);
	assert_int_equal(parse_len(&f, 21, XF_DLT_EN10MB, NULL, &p), XF_PR_TRUNCATED);
	assert_int_equal(parse_len(&f, 22, XF_DLT_EN10MB, NULL, &p), XF_PR_TRUNCATED);
}

static void test_l2_frames(void **state)
{
	struct fb f;
	struct xf_pkt p;

	fb_init(&f);
	eth(&f, XF_ETH_P_ARP);
	put_fill(&f, 0, 28);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_ARP);
	assert_int_equal(p.status, XF_PS_L2_ONLY);
	assert_int_equal(p.ethertype, XF_ETH_P_ARP);
	assert_memory_equal(p.src, MAC_S, 6);   /* L2 flow: MACs as addresses */
	assert_memory_equal(p.dst, MAC_D, 6);
	assert_int_equal(p.ip_ver, 0);

	/* 802.3 length field: LLC, ethertype 0 */
	fb_init(&f);
	eth(&f, 38);
	put8(&f, 0x42);
	put8(&f, 0x42);
	put8(&f, 0x03);
	put_fill(&f, 0, 35);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_LLC);
	assert_int_equal(p.ethertype, 0);
	assert_true(p.status & XF_PS_L2_ONLY);

	/* LLDP: some other ethertype */
	fb_init(&f);
	eth(&f, 0x88cc);
	put_fill(&f, 0, 30);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_ETHTYPE);
	assert_int_equal(p.ethertype, 0x88cc);
}

/* ------------------------------------------------------------- IPv4 */

static void test_ipv4_options(void **state)
{
	/* NOP, NOP, router alert (4 bytes), EOL, padding: 3 options */
	static const uint8_t opts[8] = { 1, 1, 148, 4, 0, 0, 0, 0 };
	struct fb f;
	struct xf_pkt p;
	uint32_t ip;

	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	ip = ip4_opt(&f, A4, B4, 6, 0, opts, sizeof(opts));
	tcp(&f, 40000, 80);
	payload(&f, 6);
	ip4_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_true(p.status & XF_PS_IP_OPTIONS);
	assert_int_equal(p.ip_opt_cnt, 3);
	assert_int_equal(p.l3_off, 14);
	assert_int_equal(p.l4_off, 14 + 28);
	assert_int_equal(p.l7_off, 14 + 28 + 20);
	assert_int_equal(p.l3_len, 28 + 20 + 6);
	assert_int_equal(p.l4_len, 26);
	assert_int_equal(p.l7_len, 6);
	assert_int_equal(p.sport, 40000);

	/* options cut short: TRUNCATED, the fixed header's fields kept */
	assert_int_equal(parse_len(&f, 14 + 24, XF_DLT_EN10MB, NULL, &p), XF_PR_TRUNCATED);
	addr4_are(&p, A4, B4);
	assert_int_equal(p.l4_proto, 6);
	assert_false(p.status & XF_PS_HAS_L4);
}

static void test_ipv4_fragments(void **state)
{
	struct xf_cfg c = cfg_default();
	struct fb f;
	struct xf_pkt p;
	uint32_t ip, u;

	/* first fragment: MF, offset 0, carries the UDP header */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	ip = ip4_opt(&f, A4, B4, 17, 0x2000, NULL, 0);
	u = udp(&f, 1111, 2222);
	payload(&f, 32);
	set16(&f, u + 4, 8 + 1000);             /* the whole datagram's UDP length */
	ip4_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_true(p.status & XF_PS_FRAG);
	assert_true(p.status & XF_PS_FRAG_FIRST);
	assert_true(p.status & XF_PS_HAS_L4);
	assert_int_equal(p.ip_flags, XF_IPF_MF);
	assert_int_equal(p.frag_off, 0);
	assert_int_equal(p.frag_id, 0x4242);
	assert_int_equal(p.sport, 1111);
	assert_int_equal(p.l7_len, 32);         /* per the IP header, not UDP's */
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);

	/* later fragment (offset 1480 bytes, last): no L4 */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	ip = ip4_opt(&f, A4, B4, 17, 185, NULL, 0);
	payload(&f, 40);
	ip4_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_true(p.status & XF_PS_FRAG);
	assert_false(p.status & XF_PS_FRAG_FIRST);
	assert_false(p.status & XF_PS_HAS_L4);
	assert_int_equal(p.ip_flags, XF_IPF_FRAG);
	assert_int_equal(p.frag_off, 1480);
	assert_int_equal(p.frag_id, 0x4242);
	assert_int_equal(p.l4_proto, 17);
	assert_int_equal(p.sport, 0);
	assert_int_equal(p.dport, 0);
	HDRS(&p, XF_H_ETH, XF_H_IPV4);
	/* parse.h: "l4_off/l4_len cover the fragment's payload" */
	assert_int_equal(p.l4_off, 34);
	assert_int_equal(p.l4_len, 40);

	/* a middle fragment: MF and an offset */
	set16(&f, ip + 6, 0x2000 | 10);
	ip4_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_int_equal(p.ip_flags, XF_IPF_MF | XF_IPF_FRAG);
	assert_int_equal(p.frag_off, 80);
	assert_false(p.status & XF_PS_FRAG_FIRST);

	/* DF and the reserved bit: flags only, not a fragment */
	frame_eth_tcp4(&f, 0);
	set16(&f, 14 + 6, 0xc000);
	ip4_end(&f, 14);
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	assert_int_equal(p.ip_flags, XF_IPF_DF | XF_IPF_RF);
	assert_false(p.status & XF_PS_FRAG);
	assert_true(p.status & XF_PS_HAS_L4);
	assert_int_equal(p.frag_id, 0);
}

/*
 * DOCUMENTED BEHAVIOUR, FAILS against parse.h as of 5987da1: its header
 * comment says of later fragments "l4_off/l4_len cover the fragment's
 * payload and l7 is the same range (it is all data)", but xf_layer() returns
 * before L4 when c->no_l4 is set and xf_l3_begin() has zeroed l7_off and
 * l7_len, so a later fragment reports l7_len 0 (numBytes at the default L7
 * byte layer then misses every later fragment's data).  Kept apart so the
 * failure names that sentence; parse.h is not this test's to change.
 */
static void test_later_fragment_l7(void **state)
{
	struct fb f;
	struct xf_pkt p;
	uint32_t ip;

	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	ip = ip4_opt(&f, A4, B4, 17, 185, NULL, 0);
	payload(&f, 40);
	ip4_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_int_equal(p.l4_off, 34);
	assert_int_equal(p.l4_len, 40);
	if (p.l7_len != p.l4_len)
		print_error("FINDING parse.h: later IPv4 fragment l7_off %u l7_len %u, "
			    "documented: the l4 range (%u, %u)\n",
			    p.l7_off, p.l7_len, p.l4_off, p.l4_len);

	fb_init(&f);
	eth(&f, XF_ETH_P_IPV6);
	ip = ip6(&f, A6, B6, 44);
	frag6(&f, 17, 1448, 1, 9);
	payload(&f, 40);
	ip6_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_int_equal(p.l4_off, 62);
	assert_int_equal(p.l4_len, 40);
	if (p.l7_len != p.l4_len)
		print_error("FINDING parse.h: later IPv6 fragment l7_off %u l7_len %u, "
			    "documented: the l4 range (%u, %u)\n",
			    p.l7_off, p.l7_len, p.l4_off, p.l4_len);
	assert_int_equal(p.l7_off, p.l4_off);
	assert_int_equal(p.l7_len, p.l4_len);

	/* and the IPv4 one, asserted after both were reported */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	ip = ip4_opt(&f, A4, B4, 17, 185, NULL, 0);
	payload(&f, 40);
	ip4_end(&f, ip);
	parse(&f, XF_DLT_EN10MB, &p);
	assert_int_equal(p.l7_off, p.l4_off);
	assert_int_equal(p.l7_len, p.l4_len);
}

static void test_ipv4_malformed(void **state)
{
	struct fb f;
	struct xf_pkt p;
	uint32_t ihl;

	/* IHL below 5 (0..4): MALFORMED, nothing of the IP layer taken */
	for (ihl = 0; ihl < 5; ihl++) {
		frame_eth_tcp4(&f, 4);
		f.b[14] = (uint8_t)(0x40 | ihl);
		assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_MALFORMED);
		HDRS(&p, XF_H_ETH);
		assert_int_equal(p.ip_ver, 0);
		assert_false(p.status & XF_PS_HAS_L4);
	}
	/* total length below the header length; 0 (TSO super-frames) too */
	frame_eth_tcp4(&f, 4);
	set16(&f, 16, 19);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_MALFORMED);
	/* 0: a TSO/BIG TCP super-frame, the length is the frame's (as tcpdump) */
	set16(&f, 16, 0);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_true(p.status & XF_PS_HAS_L4);
	assert_int_equal(p.l3_len, f.n - 14);
	/* options: IHL 6 with total length 20 */
	frame_eth_tcp4(&f, 4);
	f.b[14] = 0x46;
	set16(&f, 16, 20);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_MALFORMED);
	/* version 6 behind ethertype IPv4 */
	frame_eth_tcp4(&f, 4);
	f.b[14] = 0x65;
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_MALFORMED);
	/* exactly 20 bytes, nothing after: OK with l4_len 0 and no L4 room */
	frame_eth_tcp4(&f, 4);
	set16(&f, 16, 20);
	assert_int_equal(parse_len(&f, 34, XF_DLT_EN10MB, NULL, &p), XF_PR_TRUNCATED);
	assert_int_equal(p.l4_len, 0);
}

static void test_ipv4_snapped_and_padding(void **state)
{
	struct fb f;
	struct xf_pkt p;
	uint32_t ip, u;

	/* a 4-byte UDP payload padded to the 60-byte Ethernet minimum */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	ip = ip4(&f, A4, B4, 17);
	u = udp(&f, 68, 67);
	payload(&f, 4);
	udp_end(&f, u);
	ip4_end(&f, ip);
	put_fill(&f, 0, 60 - f.n);
	assert_int_equal(f.n, 60);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_int_equal(p.l3_len, 32);
	assert_int_equal(p.l4_len, 12);
	assert_int_equal(p.l7_len, 4);          /* padding is not payload */
	assert_true(p.status & XF_PS_L2_TRAILER);
	assert_false(p.status & XF_PS_SNAPPED);

	/* the capture stops inside the payload: SNAPPED, lengths per headers */
	frame_eth_tcp4(&f, 100);
	assert_int_equal(parse_len(&f, 14 + 40 + 30, XF_DLT_EN10MB, NULL, &p), XF_PR_OK);
	assert_true(p.status & XF_PS_SNAPPED);
	assert_false(p.status & XF_PS_L2_TRAILER);
	assert_true(p.status & XF_PS_HAS_L4);
	assert_int_equal(p.l7_len, 100);
	assert_int_equal(p.l3_len, 140);
	/* exact: neither */
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_false(p.status & (XF_PS_SNAPPED | XF_PS_L2_TRAILER));
}

static void test_ipv4_checksum(void **state)
{
	struct xf_cfg c = cfg_default();
	static const uint8_t opts[4] = { 1, 1, 1, 0 };
	struct fb f;
	struct xf_pkt p;
	uint32_t ip;

	c.ipv4_csum = 1;
	frame_eth_tcp4(&f, 3);
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	assert_false(p.status & XF_PS_BAD_IPCSUM);
	f.b[14 + 10] ^= 0x01;
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	assert_true(p.status & XF_PS_BAD_IPCSUM);
	assert_true(p.status & XF_PS_HAS_L4);   /* still parsed on */
	c.ipv4_csum = 0;
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	assert_false(p.status & XF_PS_BAD_IPCSUM);

	/* the options are covered by the checksum */
	c.ipv4_csum = 1;
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	ip = ip4_opt(&f, A4, B4, 6, 0, opts, sizeof(opts));
	tcp(&f, 1, 2);
	ip4_end(&f, ip);
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	assert_false(p.status & XF_PS_BAD_IPCSUM);
	f.b[ip + 21] ^= 0x01;                   /* an option byte */
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	assert_true(p.status & XF_PS_BAD_IPCSUM);
}

/* ------------------------------------------------------------- IPv6 */

static void test_ipv6_ext_chain(void **state)
{
	struct fb f;
	struct xf_pkt p;
	uint32_t ip;

	/* hop-by-hop (8), routing (24), fragment (first, M), dest opts (16), TCP */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV6);
	ip = ip6(&f, A6, B6, 0);
	ext6(&f, 43, 8);
	ext6(&f, 44, 24);
	frag6(&f, 60, 0, 1, 0xcafef00d);
	ext6(&f, 6, 16);
	tcp(&f, 443, 50000);
	payload(&f, 9);
	ip6_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV6, XF_H_IP6_HOPOPT, XF_H_IP6_ROUTE, XF_H_IP6_FRAG,
	     XF_H_IP6_DSTOPT, XF_H_TCP);
	assert_true(p.status & XF_PS_IP6_EXT);
	assert_true(p.status & XF_PS_FRAG);
	assert_true(p.status & XF_PS_FRAG_FIRST);
	assert_true(p.status & XF_PS_HAS_L4);
	assert_int_equal(p.ip_opt_cnt, 4);
	assert_int_equal(p.frag_id, 0xcafef00d);
	assert_int_equal(p.frag_off, 0);
	assert_int_equal(p.ip_flags, XF_IPF_MF);
	assert_int_equal(p.l4_proto, 6);
	assert_int_equal(p.l3_off, 14);
	assert_int_equal(p.l4_off, 14 + 40 + 8 + 24 + 8 + 16);
	assert_int_equal(p.l3_len, 40 + 56 + 20 + 9);
	assert_int_equal(p.l4_len, 29);
	assert_int_equal(p.l7_len, 9);
	assert_int_equal(p.sport, 443);

	/* later fragment: UDP next header, offset 2960, no L4 */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV6);
	ip = ip6(&f, A6, B6, 44);
	frag6(&f, 17, 2960, 0, 77);
	payload(&f, 24);
	ip6_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV6, XF_H_IP6_FRAG);
	assert_true(p.status & XF_PS_FRAG);
	assert_false(p.status & XF_PS_FRAG_FIRST);
	assert_false(p.status & XF_PS_HAS_L4);
	assert_int_equal(p.frag_off, 2960);
	assert_int_equal(p.frag_id, 77);
	assert_int_equal(p.ip_flags, XF_IPF_FRAG);
	assert_int_equal(p.l4_proto, 17);
	assert_int_equal(p.l4_off, 14 + 48);
	assert_int_equal(p.l4_len, 24);
	assert_int_equal(p.sport, 0);

	/* atomic fragment (offset 0, no M): not a fragment, L4 parsed */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV6);
	ip = ip6(&f, A6, B6, 44);
	frag6(&f, 17, 0, 0, 5);
	udp_end(&f, udp(&f, 9, 10));
	ip6_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_false(p.status & XF_PS_FRAG);
	assert_true(p.status & XF_PS_HAS_L4);
	assert_int_equal(p.dport, 10);

	/* AH (length in 4-byte units) before UDP */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV6);
	ip = ip6(&f, A6, B6, 51);
	ah(&f, 17, 24);
	udp_end(&f, udp(&f, 500, 4500));
	ip6_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV6, XF_H_AH, XF_H_UDP);
	assert_int_equal(p.l4_off, 14 + 40 + 24);
	assert_int_equal(p.sport, 500);
}

static void test_ipv6_ext_depth(void **state)
{
	struct fb f;
	struct xf_pkt p;
	uint32_t ip, i;

	/* exactly XF_IP6_EXT_DEPTH headers: the L4 header is still reached */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV6);
	ip = ip6(&f, A6, B6, 60);
	for (i = 0; i < XF_IP6_EXT_DEPTH; i++)
		ext6(&f, i + 1 < XF_IP6_EXT_DEPTH ? 60 : 17, 8);
	udp_end(&f, udp(&f, 1, 2));
	ip6_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_int_equal(p.ip_opt_cnt, XF_IP6_EXT_DEPTH);
	assert_true(p.status & XF_PS_HAS_L4);
	assert_int_equal(p.l4_proto, 17);
	assert_int_equal(p.nhdr, 2 + XF_IP6_EXT_DEPTH + 1);

	/* one more than the limit (a loop of dest-opts): stops, no L4, no overrun */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV6);
	ip = ip6(&f, A6, B6, 60);
	for (i = 0; i < XF_IP6_EXT_DEPTH + 1; i++)
		ext6(&f, i < XF_IP6_EXT_DEPTH ? 60 : 17, 8);
	udp_end(&f, udp(&f, 1, 2));
	ip6_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_int_equal(p.ip_opt_cnt, XF_IP6_EXT_DEPTH);
	assert_false(p.status & XF_PS_HAS_L4);
	assert_int_equal(p.l4_proto, 60);
	assert_int_equal(p.sport, 0);
	assert_int_equal(p.nhdr, 2 + XF_IP6_EXT_DEPTH);

	/* a long chain of 255 hop-by-hop headers in a big frame: bounded */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV6);
	ip = ip6(&f, A6, B6, 0);
	for (i = 0; i < 200; i++)
		ext6(&f, 0, 8);
	ip6_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_int_equal(p.ip_opt_cnt, XF_IP6_EXT_DEPTH);
	assert_false(p.status & XF_PS_HAS_L4);

	/* an extension header cut short */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV6);
	ip = ip6(&f, A6, B6, 0);
	ext6(&f, 6, 8);
	assert_int_equal(parse_len(&f, 14 + 40 + 7, XF_DLT_EN10MB, NULL, &p), XF_PR_TRUNCATED);
	addr6_are(&p, A6, B6);
	assert_false(p.status & XF_PS_HAS_L4);
}

static void test_ipv6_lengths(void **state)
{
	struct fb f;
	struct xf_pkt p;
	uint32_t ip;

	/* payload length larger than what was captured: SNAPPED, still OK */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV6);
	ip = ip6(&f, A6, B6, 6);
	tcp(&f, 22, 60000);
	payload(&f, 10);
	ip6_end(&f, ip);
	set16(&f, ip + 4, 1400);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_true(p.status & XF_PS_SNAPPED);
	assert_true(p.status & XF_PS_HAS_L4);
	assert_int_equal(p.l3_len, 1440);
	assert_int_equal(p.l4_len, 1400);
	assert_int_equal(p.l7_len, 1380);

	/* payload length 0 with a next header (BIG TCP without its jumbo
	 * option): the length is the frame's, as tcpdump and Wireshark take it */
	set16(&f, ip + 4, 0);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_int_equal(p.l3_len, 70);
	assert_int_equal(p.l4_len, 30);
	assert_int_equal(p.l7_len, 10);
	assert_false(p.status & XF_PS_L2_TRAILER);

	/* version 4 behind ethertype IPv6 */
	set16(&f, ip + 4, 30);
	f.b[ip] = 0x45;
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_MALFORMED);
	assert_int_equal(p.ip_ver, 0);
}

/* ------------------------------------------------------------------ L4 */

static void test_tcp_options(void **state)
{
	/* MSS 1460, SACK permitted, timestamps, NOP, window scale 7 */
	static const uint8_t syn[20] = {
		2, 4, 0x05, 0xb4,  4, 2,  8, 10, 0, 0, 0, 1, 0, 0, 0, 0,  1,  3, 3, 7
	};
	/* NOP NOP SACK block (10), MPTCP (4), TFO (4), MD5-ish kind 19 (4), EOL */
	static const uint8_t misc[28] = {
		1, 1,  5, 10, 0, 0, 0, 1, 0, 0, 0, 2,  30, 4, 0, 0,  34, 4, 0, 0,
		19, 4, 0, 0,  0, 0, 0, 0
	};
	/* an option whose length runs past the header */
	static const uint8_t overrun[8] = { 1, 2, 4, 5, 0xb4, 8, 10, 0 };
	/* length 1: impossible */
	static const uint8_t short_len[4] = { 3, 1, 0, 0 };
	/* 40 bytes of NOPs: more than XF_TCPOPT_ITER, must stop quietly */
	uint8_t nops[40];
	struct fb f;
	struct xf_pkt p;
	uint32_t ip;

	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	ip = ip4(&f, A4, B4, 6);
	tcp_opt(&f, 40000, 80, 1, 0, 0x02, 64240, syn, sizeof(syn));
	ip4_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_int_equal(p.tcp_hlen, 40);
	assert_int_equal(p.tcp_opts, XF_TO_MSS | XF_TO_SACK_OK | XF_TO_TS | XF_TO_WSCALE);
	assert_int_equal(p.mss, 1460);
	assert_int_equal(p.wscale, 7);
	assert_int_equal(p.tcp_flags, 0x02);
	assert_int_equal(p.tcp_win, 64240);
	assert_int_equal(p.l7_off, 14 + 20 + 40);
	assert_int_equal(p.l7_len, 0);

	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	ip = ip4(&f, A4, B4, 6);
	tcp_opt(&f, 40000, 80, 1, 0, 0x10, 100, misc, sizeof(misc));
	payload(&f, 2);
	ip4_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_int_equal(p.tcp_opts, XF_TO_SACK | XF_TO_MPTCP | XF_TO_TFO | XF_TO_OTHER);
	assert_int_equal(p.mss, 0);
	assert_int_equal(p.l7_len, 2);

	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	ip = ip4(&f, A4, B4, 6);
	tcp_opt(&f, 40000, 80, 1, 0, 0x10, 100, overrun, sizeof(overrun));
	ip4_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_true(p.tcp_opts & XF_TO_MSS);
	assert_true(p.tcp_opts & XF_TO_CORRUPT);
	assert_false(p.tcp_opts & XF_TO_TS);
	assert_true(p.status & XF_PS_HAS_L4);

	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	ip = ip4(&f, A4, B4, 6);
	tcp_opt(&f, 40000, 80, 1, 0, 0x10, 100, short_len, sizeof(short_len));
	ip4_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_int_equal(p.tcp_opts, XF_TO_CORRUPT);
	assert_int_equal(p.wscale, 0);

	memset(nops, 1, sizeof(nops));
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	ip = ip4(&f, A4, B4, 6);
	tcp_opt(&f, 40000, 80, 1, 0, 0x10, 100, nops, sizeof(nops));
	ip4_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_int_equal(p.tcp_opts, 0);
	assert_int_equal(p.tcp_hlen, 60);
}

static void test_tcp_malformed(void **state)
{
	struct fb f;
	struct xf_pkt p;
	uint32_t doff;

	for (doff = 0; doff < 5; doff++) {
		frame_eth_tcp4(&f, 8);
		f.b[34 + 12] = (uint8_t)(doff << 4);
		assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_MALFORMED);
		assert_false(p.status & XF_PS_HAS_L4);
		addr4_are(&p, A4, B4);          /* the IP layer stays */
		assert_int_equal(p.l4_proto, 6);
		HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_TCP);
	}
	/* data offset past the IP datagram and the capture: options cut short */
	frame_eth_tcp4(&f, 8);
	f.b[34 + 12] = 0xf0;
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_TRUNCATED);
	assert_int_equal(p.sport, 0);
	assert_false(p.status & XF_PS_HAS_L4);
}

static void test_udp_sctp(void **state)
{
	struct fb f;
	struct xf_pkt p;
	uint32_t ip;

	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	frame_raw_udp4(&f, 12);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	assert_int_equal(p.sport, 5353);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.l4_off, 34);
	assert_int_equal(p.l7_off, 42);
	assert_int_equal(p.l4_len, 20);
	assert_int_equal(p.l7_len, 12);
	assert_int_equal(parse_len(&f, 41, XF_DLT_EN10MB, NULL, &p), XF_PR_TRUNCATED);
	assert_false(p.status & XF_PS_HAS_L4);
	assert_int_equal(p.sport, 0);

	fb_init(&f);
	eth(&f, XF_ETH_P_IPV6);
	ip = ip6(&f, A6, B6, 132);
	sctp(&f, 2905, 2906);
	payload(&f, 16);
	ip6_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV6, XF_H_SCTP);
	assert_int_equal(p.sport, 2905);
	assert_int_equal(p.dport, 2906);
	assert_int_equal(p.l7_off, 14 + 40 + 12);
	assert_int_equal(p.l7_len, 16);
	assert_true(p.status & XF_PS_HAS_L4);
	assert_int_equal(parse_len(&f, 14 + 40 + 11, XF_DLT_EN10MB, NULL, &p), XF_PR_TRUNCATED);

	/* an IP protocol without a decoder: its token, l7 = the L4 range */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	ip = ip4(&f, A4, B4, 89);               /* OSPF */
	payload(&f, 24);
	ip4_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_IPPROTO);
	assert_int_equal(p.l4_proto, 89);
	assert_int_equal(p.l7_off, 34);
	assert_int_equal(p.l7_len, 24);
	assert_false(p.status & XF_PS_HAS_L4);
}

static void test_icmp(void **state)
{
	struct fb f;
	struct xf_pkt p;
	uint32_t ip;

	/* echo request: identifier in both ports */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	ip = ip4(&f, A4, B4, 1);
	icmp(&f, 8, 0, 0x1234, 7);
	payload(&f, 56);
	ip4_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_ICMP);
	assert_true(p.status & XF_PS_ICMP_ECHO);
	assert_true(p.status & XF_PS_HAS_L4);
	assert_int_equal(p.sport, 0x1234);
	assert_int_equal(p.dport, 0x1234);
	assert_int_equal(p.icmp_type, 8);
	assert_int_equal(p.l7_off, 42);
	assert_int_equal(p.l7_len, 56);
	/* cut between type/code and the identifier */
	assert_int_equal(parse_len(&f, 40, XF_DLT_EN10MB, NULL, &p), XF_PR_TRUNCATED);
	assert_false(p.status & XF_PS_HAS_L4);
	assert_int_equal(p.icmp_type, 8);
	assert_int_equal(parse_len(&f, 37, XF_DLT_EN10MB, NULL, &p), XF_PR_TRUNCATED);

	/* echo reply */
	f.b[34] = 0;
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_true(p.status & XF_PS_ICMP_ECHO);
	assert_int_equal(p.sport, 0x1234);

	/* destination unreachable: ports 0, no echo bit */
	f.b[34] = 3;
	f.b[35] = 3;
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_false(p.status & XF_PS_ICMP_ECHO);
	assert_true(p.status & XF_PS_HAS_L4);
	assert_int_equal(p.sport, 0);
	assert_int_equal(p.dport, 0);
	assert_int_equal(p.icmp_type, 3);
	assert_int_equal(p.icmp_code, 3);
	/* 4 bytes are enough for a non-echo type */
	assert_int_equal(parse_len(&f, 38, XF_DLT_EN10MB, NULL, &p), XF_PR_OK);
	assert_true(p.status & XF_PS_HAS_L4);
}

static void test_icmp6(void **state)
{
	struct fb f;
	struct xf_pkt p;
	uint32_t ip;

	fb_init(&f);
	eth(&f, XF_ETH_P_IPV6);
	ip = ip6(&f, A6, B6, 58);
	icmp(&f, 129, 0, 0xbeef, 1);
	payload(&f, 8);
	ip6_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV6, XF_H_ICMP6);
	assert_true(p.status & XF_PS_ICMP_ECHO);
	assert_int_equal(p.sport, 0xbeef);
	assert_int_equal(p.dport, 0xbeef);
	assert_int_equal(p.icmp_type, 129);
	assert_int_equal(p.l7_len, 8);

	f.b[54] = 128;
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_true(p.status & XF_PS_ICMP_ECHO);

	/* neighbour solicitation: no echo; ICMPv4's echo types mean nothing here */
	f.b[54] = 135;
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_false(p.status & XF_PS_ICMP_ECHO);
	assert_int_equal(p.sport, 0);
	f.b[54] = 8;
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_false(p.status & XF_PS_ICMP_ECHO);
}

/* ------------------------------------------------------------- tunnels */

static void test_gre(void **state)
{
	struct xf_cfg c = cfg_default();
	struct fb f;
	struct xf_pkt p;
	uint32_t outer, inner;

	/* GRE with checksum, key and sequence (16 bytes), IPv4/TCP inside */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	outer = ip4(&f, A4, B4, 47);
	put16(&f, 0xb000);
	put16(&f, XF_ETH_P_IPV4);
	put32(&f, 0);
	put32(&f, 42);
	put32(&f, 1);
	inner = ip4(&f, C4, D4, 6);
	tcp(&f, 3333, 80);
	payload(&f, 11);
	ip4_end(&f, inner);
	ip4_end(&f, outer);
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_GRE, XF_H_IPV4, XF_H_TCP);
	addr4_are(&p, C4, D4);                  /* the inner addresses win */
	assert_int_equal(p.sport, 3333);
	assert_int_equal(p.ntunnel, 1);
	assert_true(p.status & XF_PS_TUNNEL);
	assert_true(p.status & XF_PS_HAS_L4);
	assert_int_equal(p.l3_off, inner);
	assert_int_equal(p.l4_off, inner + 20);
	assert_int_equal(p.l3_len, 20 + 20 + 11);
	assert_int_equal(p.l7_len, 11);
	assert_memory_equal(p.smac, MAC_S, 6);  /* the only Ethernet header */

	/* decapsulation off: keyed on the outer header, GRE not decoded */
	c.decap_tunnels = 0;
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_IPPROTO);
	addr4_are(&p, A4, B4);
	assert_int_equal(p.l4_proto, 47);
	assert_int_equal(p.ntunnel, 0);
	assert_false(p.status & XF_PS_TUNNEL);
	c.decap_tunnels = 1;

	/* transparent Ethernet bridging: an inner Ethernet frame, IPv6 inside */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	outer = ip4(&f, A4, B4, 47);
	put16(&f, 0x2000);                      /* key present */
	put16(&f, XF_ETH_P_TEB);
	put32(&f, 9);
	eth_mac(&f, MAC_ID, MAC_IS, XF_ETH_P_IPV6);
	frame_raw_udp6(&f, 5);
	ip4_end(&f, outer);
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_GRE, XF_H_ETH, XF_H_IPV6, XF_H_UDP);
	addr6_are(&p, A6, B6);
	assert_memory_equal(p.smac, MAC_IS, 6);  /* innermost Ethernet header */
	assert_memory_equal(p.dmac, MAC_ID, 6);
	assert_int_equal(p.ip_ver, 6);
	assert_int_equal(p.ethertype, 0x86dd);
	assert_int_equal(p.l7_len, 5);

	/* GRE carrying something we do not decode: the outer flow */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	outer = ip4(&f, A4, B4, 47);
	put16(&f, 0);
	put16(&f, 0x88b5);
	payload(&f, 20);
	ip4_end(&f, outer);
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_GRE);
	addr4_are(&p, A4, B4);
	assert_int_equal(p.l7_off, 14 + 20 + 4);
	assert_int_equal(p.l7_len, 20);
	assert_int_equal(p.ntunnel, 0);

	/* inner IPv4 header impossible (IHL 3): not an IP payload, the outer
	 * GRE result stands (OK); inner options cut short after the inner
	 * header was accepted: TRUNCATED with the inner addresses */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	outer = ip4(&f, A4, B4, 47);
	put16(&f, 0);
	put16(&f, XF_ETH_P_IPV4);
	inner = ip4(&f, C4, D4, 6);
	tcp(&f, 3333, 80);
	ip4_end(&f, inner);
	ip4_end(&f, outer);
	f.b[inner] = 0x43;
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_GRE);
	addr4_are(&p, A4, B4);
	assert_int_equal(p.ntunnel, 0);
	assert_false(p.status & XF_PS_MALFORMED);
	f.b[inner] = 0x4f;                      /* 60-byte header, 40 captured */
	set16(&f, inner + 2, 60);
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_TRUNCATED);
	addr4_are(&p, C4, D4);
	assert_int_equal(p.ntunnel, 1);
	assert_false(p.status & XF_PS_HAS_L4);

	/* IP in IP */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	outer = ip4(&f, A4, B4, 4);
	frame_raw_udp4(&f, 1);
	ip4_end(&f, outer);
	memcpy(f.b + 34 + 12, C4, 4);           /* inner 192.168.1.1 -> 10.0.0.2 */
	ip4_end(&f, 34);
	ip4_end(&f, outer);
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_IPV4, XF_H_UDP);
	addr4_are(&p, C4, B4);
	assert_int_equal(p.ntunnel, 1);
}

/* eth / ipv4 A->B / gre (no options) carrying proto; the caller adds the payload */
static uint32_t gre_head(struct fb *f, uint16_t proto)
{
	uint32_t outer;

	fb_init(f);
	eth(f, XF_ETH_P_IPV4);
	outer = ip4(f, A4, B4, 47);
	put16(f, 0);
	put16(f, proto);
	return outer;
}

static void test_gre_wccp(void **state)
{
	struct fb f;
	struct xf_pkt p;
	uint32_t outer, inner;

	/* WCCPv2: a 4-byte redirect header, then IPv4/TCP */
	outer = gre_head(&f, XF_ETH_P_WCCP);
	put32(&f, 0x05590048);                  /* flags, service 89, buckets */
	inner = ip4(&f, C4, D4, 6);
	tcp(&f, 1291, 445);
	payload(&f, 7);
	ip4_end(&f, inner);
	ip4_end(&f, outer);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_GRE, XF_H_WCCP, XF_H_IPV4, XF_H_TCP);
	addr4_are(&p, C4, D4);
	assert_int_equal(p.sport, 1291);
	assert_int_equal(p.dport, 445);
	assert_int_equal(p.ntunnel, 1);
	assert_true(p.status & XF_PS_TUNNEL);
	assert_int_equal(p.l3_off, 14 + 20 + 4 + 4);
	assert_int_equal(p.l7_len, 7);

	/* WCCPv1: no redirect header, the IPv4 header right after GRE */
	outer = gre_head(&f, XF_ETH_P_WCCP);
	inner = ip4(&f, C4, D4, 6);
	tcp(&f, 1291, 445);
	ip4_end(&f, inner);
	ip4_end(&f, outer);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_GRE, XF_H_WCCP, XF_H_IPV4, XF_H_TCP);
	addr4_are(&p, C4, D4);
	assert_int_equal(p.l3_off, 14 + 20 + 4);

	/* WCCPv2 with IPv6 inside */
	outer = gre_head(&f, XF_ETH_P_WCCP);
	put32(&f, 0x01000000);
	frame_raw_udp6(&f, 3);
	ip4_end(&f, outer);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_GRE, XF_H_WCCP, XF_H_IPV6, XF_H_UDP);
	addr6_are(&p, A6, B6);
	assert_int_equal(p.ntunnel, 1);

	/* not IP after the redirect header (version nibble 0, or 6 with no
	 * IPv6 header): the outer GRE flow, its payload after the redirect
	 * header */
	outer = gre_head(&f, XF_ETH_P_WCCP);
	put32(&f, 0x01000000);
	put_fill(&f, 0x01, 10);
	payload(&f, 20);
	ip4_end(&f, outer);
	for (int v = 0; v < 2; v++) {
		f.b[14 + 20 + 4 + 4] = v ? 0x61 : 0x01;
		assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
		HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_GRE, XF_H_WCCP);
		addr4_are(&p, A4, B4);
		assert_int_equal(p.l4_proto, 47);
		assert_int_equal(p.ntunnel, 0);
		assert_false(p.status & XF_PS_TUNNEL);
		assert_int_equal(p.l7_off, 14 + 20 + 4 + 4);
		assert_int_equal(p.l7_len, 30);
	}

	/* cut inside the redirect header, and right after it: outer flow */
	outer = gre_head(&f, XF_ETH_P_WCCP);
	put16(&f, 0x0100);
	ip4_end(&f, outer);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	addr4_are(&p, A4, B4);
	assert_int_equal(p.ntunnel, 0);
	outer = gre_head(&f, XF_ETH_P_WCCP);
	put32(&f, 0x01000000);
	ip4_end(&f, outer);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	addr4_are(&p, A4, B4);
	assert_int_equal(p.ntunnel, 0);

	/* inner IPv4 cut after its header was accepted: TRUNCATED, inner */
	outer = gre_head(&f, XF_ETH_P_WCCP);
	put32(&f, 0x01000000);
	inner = ip4(&f, C4, D4, 6);
	put16(&f, 1291);
	ip4_end(&f, inner);
	ip4_end(&f, outer);
	set16(&f, inner + 2, 40);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_TRUNCATED);
	addr4_are(&p, C4, D4);
	assert_int_equal(p.ntunnel, 1);
	assert_false(p.status & XF_PS_HAS_L4);
}

/* 802.11 data frame header: fc, duration, addr1..3, seq; addr4, QoS
 * control and HT control when the flags ask for them */
static void wlan_hdr(struct fb *f, uint8_t fc0, uint8_t fc1, uint16_t qos)
{
	static const uint8_t bssid[6] = { 0x02, 0, 0, 0, 0, 0xbb };

	put8(f, fc0);
	put8(f, fc1);
	put16(f, 0);                            /* duration */
	switch (fc1 & 3) {
	case 0:                                 /* DA, SA, BSSID */
		put(f, MAC_ID, 6); put(f, MAC_IS, 6); put(f, bssid, 6);
		break;
	case 1:                                 /* ToDS: BSSID, SA, DA */
		put(f, bssid, 6); put(f, MAC_IS, 6); put(f, MAC_ID, 6);
		break;
	case 2:                                 /* FromDS: DA, BSSID, SA */
		put(f, MAC_ID, 6); put(f, bssid, 6); put(f, MAC_IS, 6);
		break;
	default:                                /* WDS: RA, TA, DA, seq, SA */
		put(f, bssid, 6); put(f, bssid, 6); put(f, MAC_ID, 6);
		break;
	}
	put16(f, 0x1230);                       /* sequence control */
	if ((fc1 & 3) == 3)
		put(f, MAC_IS, 6);
	if (fc0 & 0x80) {
		put8(f, qos & 0xff);
		put8(f, qos >> 8);
		if (fc1 & 0x80)
			put32(f, 0xdeadbeef);   /* HT control */
	}
}

static void snap(struct fb *f, uint16_t type)
{
	put8(f, 0xaa); put8(f, 0xaa); put8(f, 0x03);
	put8(f, 0); put8(f, 0); put8(f, 0);
	put16(f, type);
}

/* eth / ipv4 / gre 0x8200 / 802.11 (fc) / llc-snap / ipv4 C->D / tcp */
static uint32_t aruba_tcp4(struct fb *f, uint8_t fc0, uint8_t fc1, uint16_t qos,
			   uint32_t *wlan)
{
	uint32_t outer, inner;

	outer = gre_head(f, XF_ETH_P_ARUBA);
	*wlan = f->n;
	wlan_hdr(f, fc0, fc1, qos);
	if (qos & 0x80) {                       /* A-MSDU: first subframe header */
		put(f, MAC_ID, 6);
		put(f, MAC_IS, 6);
		put16(f, 8 + 20 + 20 + 5);
	}
	snap(f, XF_ETH_P_IPV4);
	inner = ip4(f, C4, D4, 6);
	tcp(f, 443, 49392);
	payload(f, 5);
	ip4_end(f, inner);
	ip4_end(f, outer);
	return inner;
}

static void aruba_ok(const struct fb *f, uint32_t inner)
{
	struct xf_pkt p;

	assert_int_equal(parse(f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_GRE, XF_H_WLAN, XF_H_LLC, XF_H_IPV4, XF_H_TCP);
	addr4_are(&p, C4, D4);
	assert_int_equal(p.sport, 443);
	assert_int_equal(p.ntunnel, 1);
	assert_int_equal(p.l3_off, inner);
	assert_int_equal(p.l7_len, 5);
	assert_memory_equal(p.smac, MAC_IS, 6); /* the 802.11 source/destination */
	assert_memory_equal(p.dmac, MAC_ID, 6);
}

static void aruba_outer(const struct fb *f)
{
	struct xf_pkt p;

	assert_int_equal(parse(f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_GRE);
	addr4_are(&p, A4, B4);
	assert_int_equal(p.l4_proto, 47);
	assert_int_equal(p.ntunnel, 0);
	assert_false(p.status & (XF_PS_TUNNEL | XF_PS_L2_ONLY));
	assert_memory_equal(p.smac, MAC_S, 6);  /* the outer Ethernet header */
	assert_memory_equal(p.dmac, MAC_D, 6);
	assert_int_equal(p.ethertype, XF_ETH_P_IPV4);
	assert_int_equal(p.l7_off, 14 + 20 + 4);
}

static void test_gre_aruba(void **state)
{
	struct fb f;
	struct xf_pkt p;
	uint32_t inner, w;
	uint8_t ds;

	/* QoS data in every DS direction, with and without HT control */
	for (ds = 0; ds < 4; ds++) {
		inner = aruba_tcp4(&f, 0x88, ds, 0, &w);
		aruba_ok(&f, inner);
		inner = aruba_tcp4(&f, 0x88, ds | 0x80, 0, &w);
		aruba_ok(&f, inner);
		inner = aruba_tcp4(&f, 0x08, ds, 0, &w);       /* plain data */
		aruba_ok(&f, inner);
		inner = aruba_tcp4(&f, 0x88, ds, 0x80, &w);    /* A-MSDU */
		aruba_ok(&f, inner);
	}
	/* the other Aruba protocol numbers */
	inner = aruba_tcp4(&f, 0x88, 1, 0, &w);
	set16(&f, 14 + 20 + 2, 0x8370);
	aruba_ok(&f, inner);
	set16(&f, 14 + 20 + 2, 0x9000);
	aruba_ok(&f, inner);
	set16(&f, 14 + 20 + 2, 0x8201);         /* not one of them */
	aruba_outer(&f);

	/* IPv6 inside */
	gre_head(&f, XF_ETH_P_ARUBA);
	wlan_hdr(&f, 0x88, 2, 0);
	snap(&f, XF_ETH_P_IPV6);
	frame_raw_udp6(&f, 9);
	ip4_end(&f, 14);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_GRE, XF_H_WLAN, XF_H_LLC, XF_H_IPV6, XF_H_UDP);
	addr6_are(&p, A6, B6);
	assert_int_equal(p.l7_len, 9);
	assert_int_equal(p.ethertype, XF_ETH_P_IPV6);

	/* not decodable: protected (CCMP), a management frame, null data,
	 * LLC/SNAP carrying ARP, a bad SNAP: the outer GRE flow as before */
	inner = aruba_tcp4(&f, 0x88, 0x41, 0, &w);
	aruba_outer(&f);
	inner = aruba_tcp4(&f, 0x80, 0x01, 0, &w);     /* beacon */
	aruba_outer(&f);
	inner = aruba_tcp4(&f, 0xc8, 0x01, 0, &w);     /* QoS null */
	aruba_outer(&f);
	inner = aruba_tcp4(&f, 0x89, 0x01, 0, &w);     /* version 1 */
	aruba_outer(&f);
	inner = aruba_tcp4(&f, 0x88, 0x01, 0, &w);
	set16(&f, w + 26 + 6, XF_ETH_P_ARP);
	aruba_outer(&f);
	inner = aruba_tcp4(&f, 0x88, 0x01, 0, &w);
	f.b[w + 26 + 2] = 0x04;
	aruba_outer(&f);

	/* cut inside the 802.11 header, the A-MSDU subframe header, LLC */
	gre_head(&f, XF_ETH_P_ARUBA);
	wlan_hdr(&f, 0x88, 1, 0);
	f.n -= 4;
	ip4_end(&f, 14);
	aruba_outer(&f);
	gre_head(&f, XF_ETH_P_ARUBA);
	wlan_hdr(&f, 0x88, 1, 0x80);
	put(&f, MAC_ID, 6);
	put(&f, MAC_IS, 4);
	put_fill(&f, 0, 4);                     /* the 32 bytes of the 802.11 read */
	f.n -= 4;
	ip4_end(&f, 14);
	aruba_outer(&f);
	gre_head(&f, XF_ETH_P_ARUBA);
	wlan_hdr(&f, 0x88, 1, 0);
	snap(&f, XF_ETH_P_IPV4);
	f.n -= 3;
	ip4_end(&f, 14);
	aruba_outer(&f);

	/* the inner IPv4 header accepted, TCP cut: TRUNCATED, the inner flow */
	inner = aruba_tcp4(&f, 0x88, 0x01, 0, &w);
	f.n = inner + 20 + 4;
	set16(&f, 14 + 2, (uint16_t)(f.n - 14));
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_TRUNCATED);
	addr4_are(&p, C4, D4);
	assert_int_equal(p.ntunnel, 1);
	assert_memory_equal(p.smac, MAC_IS, 6);
}

/* eth (B-MACs) / 802.1ad B-tag / I-TAG / customer MACs / type; the caller
 * adds customer tags and the rest */
static void pbb_head(struct fb *f, uint16_t ctype)
{
	fb_init(f);
	eth(f, XF_ETH_P_8021AD);
	vlan(f, 0x0fd3, XF_ETH_P_PBB);          /* B-VID 4051 */
	put32(f, 0x001ebb30);                   /* I-TAG: I-SID 2014000 */
	put(f, MAC_ID, 6);
	put(f, MAC_IS, 6);
	put16(f, ctype);
}

static void pbb_outer(const struct fb *f)
{
	struct xf_pkt p;

	assert_int_equal(parse(f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_VLAN, XF_H_ETHTYPE);
	assert_true(p.status & XF_PS_L2_ONLY);
	assert_int_equal(p.ethertype, XF_ETH_P_PBB);
	assert_memory_equal(p.smac, MAC_S, 6);  /* the backbone MACs */
	assert_memory_equal(p.dmac, MAC_D, 6);
	assert_memory_equal(p.src, MAC_S, 6);
	assert_int_equal(p.nvlan, 1);
	assert_int_equal(p.vlan[0], 4051);
}

static void test_pbb(void **state)
{
	struct xf_cfg c = cfg_default();
	struct fb f;
	struct xf_pkt p;
	uint32_t inner;

	/* IPv4/TCP in the customer frame, behind a customer tag */
	pbb_head(&f, XF_ETH_P_8021Q);
	vlan(&f, 4020, XF_ETH_P_IPV4);
	inner = ip4(&f, C4, D4, 6);
	tcp(&f, 49601, 49416);
	payload(&f, 6);
	ip4_end(&f, inner);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_VLAN, XF_H_PBB, XF_H_VLAN, XF_H_IPV4, XF_H_TCP);
	addr4_are(&p, C4, D4);
	assert_int_equal(p.sport, 49601);
	assert_memory_equal(p.smac, MAC_IS, 6); /* the customer MACs */
	assert_memory_equal(p.dmac, MAC_ID, 6);
	assert_int_equal(p.nvlan, 2);
	assert_int_equal(p.vlan[0], 4051);
	assert_int_equal(p.vlan[1], 4020);
	assert_int_equal(p.l3_off, inner);
	assert_int_equal(p.l7_len, 6);
	assert_int_equal(p.ntunnel, 0);         /* bridging, not an IP tunnel */
	assert_false(p.status & (XF_PS_TUNNEL | XF_PS_L2_ONLY));

	/* IPv6/UDP, untagged customer frame */
	pbb_head(&f, XF_ETH_P_IPV6);
	frame_raw_udp6(&f, 4);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_VLAN, XF_H_PBB, XF_H_IPV6, XF_H_UDP);
	addr6_are(&p, A6, B6);
	assert_memory_equal(p.smac, MAC_IS, 6);
	assert_int_equal(p.ethertype, XF_ETH_P_IPV6);
	assert_int_equal(p.l7_len, 4);

	/* two customer tags: the first two VLAN IDs are kept */
	pbb_head(&f, XF_ETH_P_8021AD);
	vlan(&f, 100, XF_ETH_P_8021Q);
	vlan(&f, 200, XF_ETH_P_IPV4);
	frame_raw_udp4(&f, 2);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_VLAN, XF_H_PBB, XF_H_VLAN, XF_H_VLAN, XF_H_IPV4, XF_H_UDP);
	assert_int_equal(p.vlan[1], 100);

	/* decapsulation off: the backbone L2 flow */
	c.decap_tunnels = 0;
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_VLAN, XF_H_ETHTYPE);
	assert_int_equal(p.ethertype, XF_ETH_P_PBB);
	assert_memory_equal(p.smac, MAC_S, 6);

	/* not decodable: ARP, a control protocol, a nested I-TAG, three
	 * customer tags, a header cut short: the backbone L2 flow */
	pbb_head(&f, XF_ETH_P_ARP);
	put_fill(&f, 0, 28);
	pbb_outer(&f);
	pbb_head(&f, 0x8102);
	put_fill(&f, 0, 40);
	pbb_outer(&f);
	pbb_head(&f, XF_ETH_P_PBB);
	put32(&f, 0x001ebb30);
	put(&f, MAC_ID, 6);
	put(&f, MAC_IS, 6);
	put16(&f, XF_ETH_P_IPV4);
	frame_raw_udp4(&f, 2);
	pbb_outer(&f);
	pbb_head(&f, XF_ETH_P_8021Q);
	vlan(&f, 1, XF_ETH_P_8021Q);
	vlan(&f, 2, XF_ETH_P_8021Q);
	vlan(&f, 3, XF_ETH_P_IPV4);
	frame_raw_udp4(&f, 2);
	pbb_outer(&f);
	pbb_head(&f, XF_ETH_P_IPV4);
	f.n -= 4;                               /* I-TAG + MACs cut */
	pbb_outer(&f);
	pbb_head(&f, XF_ETH_P_IPV4);
	put_fill(&f, 0x45, 8);                  /* 26 bytes read, IPv4 header cut */
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_TRUNCATED);
	HDRS(&p, XF_H_ETH, XF_H_VLAN, XF_H_PBB);
	assert_true(p.status & XF_PS_L2_ONLY);  /* a cut IP header: the customer L2 flow */
	assert_memory_equal(p.src, MAC_IS, 6);
}

/* eth / ipv4 A->B / udp 50000->4789 / vxlan / eth / ipv4 C->D / udp / n bytes */
static void frame_vxlan(struct fb *f, uint8_t vxflags, uint32_t n)
{
	uint32_t outer, ou, inner, iu;

	fb_init(f);
	eth(f, XF_ETH_P_IPV4);
	outer = ip4(f, A4, B4, 17);
	ou = udp(f, 50000, 4789);
	vxlan(f, vxflags, 0x123456);
	eth_mac(f, MAC_ID, MAC_IS, XF_ETH_P_IPV4);
	inner = ip4(f, C4, D4, 17);
	iu = udp(f, 7000, 7001);
	payload(f, n);
	udp_end(f, iu);
	ip4_end(f, inner);
	udp_end(f, ou);
	ip4_end(f, outer);
}

static void test_vxlan(void **state)
{
	struct xf_cfg c = cfg_default();
	struct fb f;
	struct xf_pkt p;
	uint32_t inner_ip = 14 + 20 + 8 + 8 + 14;

	frame_vxlan(&f, 0x08, 6);
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP, XF_H_VXLAN, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	addr4_are(&p, C4, D4);
	assert_memory_equal(p.smac, MAC_IS, 6);
	assert_memory_equal(p.dmac, MAC_ID, 6);
	assert_int_equal(p.sport, 7000);
	assert_int_equal(p.dport, 7001);
	assert_int_equal(p.ntunnel, 1);
	assert_true(p.status & XF_PS_TUNNEL);
	assert_int_equal(p.l3_off, inner_ip);
	assert_int_equal(p.l7_off, inner_ip + 28);
	assert_int_equal(p.l7_len, 6);
	assert_int_equal(p.l3_len, 34);

	/* every cut: before the inner IP header is accepted the outer UDP
	 * flow stands (OK); inside the inner headers after that, TRUNCATED */
	{
		uint32_t len;

		for (len = 14 + 20 + 8; len < f.n; len++) {
			int r = parse_len(&f, len, XF_DLT_EN10MB, &c, &p);

			if (len < inner_ip + 20) {
				assert_int_equal(r, XF_PR_OK);
				if (len >= 14 + 20 + 8 + 8)     /* vxlan token kept */
					HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP, XF_H_VXLAN);
				else
					HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
				addr4_are(&p, A4, B4);
				assert_int_equal(p.dport, 4789);
				assert_int_equal(p.ntunnel, 0);
				assert_false(p.status & XF_PS_TUNNEL);
				assert_memory_equal(p.smac, MAC_S, 6);
			} else if (len < inner_ip + 28) {
				assert_int_equal(r, XF_PR_TRUNCATED);
				addr4_are(&p, C4, D4);
				assert_false(p.status & XF_PS_HAS_L4);
			} else {
				assert_int_equal(r, XF_PR_OK);
				assert_int_equal(p.dport, 7001);
				assert_true(p.status & XF_PS_SNAPPED);
			}
		}
	}

	/* ARP inside VXLAN: the outer result, hdr up to and including vxlan */
	{
		uint32_t outer, ou;

		fb_init(&f);
		eth(&f, XF_ETH_P_IPV4);
		outer = ip4(&f, A4, B4, 17);
		ou = udp(&f, 50000, 4789);
		vxlan(&f, 0x08, 1);
		eth_mac(&f, MAC_ID, MAC_IS, XF_ETH_P_ARP);
		put_fill(&f, 0, 28);
		udp_end(&f, ou);
		ip4_end(&f, outer);
		assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
		HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP, XF_H_VXLAN);
		addr4_are(&p, A4, B4);
		assert_memory_equal(p.smac, MAC_S, 6);
		assert_int_equal(p.ethertype, 0x0800);
		assert_int_equal(p.sport, 50000);
		assert_false(p.status & XF_PS_L2_ONLY);
		assert_false(p.status & XF_PS_TUNNEL);
		assert_true(p.status & XF_PS_HAS_L4);
	}

	/* no I flag: not VXLAN, plain UDP */
	frame_vxlan(&f, 0x00, 6);
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	addr4_are(&p, A4, B4);

	/* VXLAN port off, or decapsulation off: plain UDP */
	frame_vxlan(&f, 0x08, 6);
	c.vxlan_port = 0;
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	c.vxlan_port = 4789;
	c.decap_tunnels = 0;
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	assert_int_equal(p.dport, 4789);
}

static void test_geneve_teredo(void **state)
{
	struct xf_cfg c = cfg_default();
	struct fb f;
	struct xf_pkt p;
	uint32_t outer, ou;

	/* Geneve, one 4-byte option word, Ethernet payload */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	outer = ip4(&f, A4, B4, 17);
	ou = udp(&f, 40000, 6081);
	put8(&f, 1);                            /* version 0, option length 1 */
	put8(&f, 0);
	put16(&f, XF_ETH_P_TEB);
	put32(&f, 0x00abcd00);                  /* VNI */
	put32(&f, 0);                           /* the option */
	eth_mac(&f, MAC_ID, MAC_IS, XF_ETH_P_IPV4);
	frame_raw_udp4(&f, 3);
	memcpy(f.b + f.n - 31 + 12, C4, 4);
	udp_end(&f, ou);
	ip4_end(&f, outer);
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP, XF_H_GENEVE, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	addr4_are(&p, C4, B4);
	assert_memory_equal(p.smac, MAC_IS, 6);
	assert_int_equal(p.l3_off, 14 + 20 + 8 + 12 + 14);
	assert_int_equal(p.ntunnel, 1);

	/* Teredo (port 3544 when configured): IPv6 straight after UDP */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	outer = ip4(&f, A4, B4, 17);
	ou = udp(&f, 3544, 50000);
	frame_raw_udp6(&f, 4);
	udp_end(&f, ou);
	ip4_end(&f, outer);
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);  /* teredo_port 0: off */
	c.teredo_port = 3544;
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP, XF_H_TEREDO, XF_H_IPV6, XF_H_UDP);
	addr6_are(&p, A6, B6);
	assert_int_equal(p.l7_len, 4);
}

/* VLAN tags outside and inside a VXLAN tunnel: recorded outer first; an
 * inner frame that is not IP gives back the outer tags only */
static void test_vxlan_vlans(void **state)
{
	struct fb f;
	struct xf_pkt p;
	uint32_t outer, ou, inner, iu;

	fb_init(&f);
	eth(&f, XF_ETH_P_8021Q);
	vlan(&f, 10, XF_ETH_P_IPV4);
	outer = ip4(&f, A4, B4, 17);
	ou = udp(&f, 50000, 4789);
	vxlan(&f, 0x08, 5);
	eth_mac(&f, MAC_ID, MAC_IS, XF_ETH_P_8021Q);
	vlan(&f, 20, XF_ETH_P_IPV4);
	inner = ip4(&f, C4, D4, 17);
	iu = udp(&f, 7000, 7001);
	udp_end(&f, iu);
	ip4_end(&f, inner);
	udp_end(&f, ou);
	ip4_end(&f, outer);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_VLAN, XF_H_IPV4, XF_H_UDP, XF_H_VXLAN, XF_H_ETH, XF_H_VLAN,
	     XF_H_IPV4, XF_H_UDP);
	assert_int_equal(p.nvlan, 2);
	assert_int_equal(p.vlan[0], 10);
	assert_int_equal(p.vlan[1], 20);
	addr4_are(&p, C4, D4);

	/* the inner tag now carries ARP */
	set16(&f, inner - 2, XF_ETH_P_ARP);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_VLAN, XF_H_IPV4, XF_H_UDP, XF_H_VXLAN);
	assert_int_equal(p.nvlan, 1);
	assert_int_equal(p.vlan[0], 10);
	assert_int_equal(p.vlan[1], 0);
	assert_int_equal(p.ethertype, 0x0800);
	addr4_are(&p, A4, B4);
	assert_memory_equal(p.smac, MAC_S, 6);
}

/* more tunnels than XF_MAX_TUNNELS: the last one is left encapsulated */
static void test_tunnel_depth(void **state)
{
	struct fb f;
	struct xf_pkt p;
	uint32_t o[XF_MAX_TUNNELS + 1], i;

	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	for (i = 0; i <= XF_MAX_TUNNELS; i++)
		o[i] = ip4(&f, A4, B4, 4);
	frame_raw_udp4(&f, 0);
	for (i = XF_MAX_TUNNELS + 1; i-- > 0; )
		ip4_end(&f, o[i]);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_int_equal(p.ntunnel, XF_MAX_TUNNELS);
	assert_int_equal(p.l4_proto, 4);
	assert_false(p.status & XF_PS_HAS_L4);
	assert_int_equal(p.hdr[p.nhdr - 1], XF_H_IPPROTO);
}

/* ---------------------------------------------------------- hdr tokens */

/* 1 eth + 4 vlan + 8 mpls + ipv6 + 8 ext + udp = 23 tokens: 16 kept */
static void test_hdr_overflow(void **state)
{
	struct fb f;
	struct xf_pkt p;
	uint32_t ip, i;

	fb_init(&f);
	eth(&f, XF_ETH_P_8021Q);
	for (i = 0; i < 4; i++)
		vlan(&f, (uint16_t)(i + 1), i < 3 ? XF_ETH_P_8021Q : XF_ETH_P_MPLS_UC);
	for (i = 0; i < XF_MPLS_DEPTH; i++)
		mpls(&f, i + 16, i + 1 == XF_MPLS_DEPTH);
	ip = ip6(&f, A6, B6, 60);
	for (i = 0; i < XF_IP6_EXT_DEPTH; i++)
		ext6(&f, i + 1 < XF_IP6_EXT_DEPTH ? 60 : 17, 8);
	udp_end(&f, udp(&f, 1, 2));
	ip6_end(&f, ip);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_int_equal(p.nhdr, XF_MAX_HDRS);
	assert_int_equal(p.hdr[0], XF_H_ETH);
	for (i = 1; i <= 4; i++)
		assert_int_equal(p.hdr[i], XF_H_VLAN);
	for (i = 5; i < 13; i++)
		assert_int_equal(p.hdr[i], XF_H_MPLS);
	assert_int_equal(p.hdr[13], XF_H_IPV6);
	assert_int_equal(p.hdr[14], XF_H_IP6_DSTOPT);
	assert_int_equal(p.ntunnel, 0);         /* the field after hdr[] untouched */
	assert_true(p.status & XF_PS_HAS_L4);   /* parsing went on regardless */
	assert_int_equal(p.dport, 2);
	assert_int_equal(p.nvlan, 2);
}

/* ---------------------------------------------------- every-byte cuts */

/*
 * Cuts a frame at every length from 0 to full.  Below hdr_end (the end of
 * the last header) the result must be TRUNCATED without L4; from l3_fixed
 * on (the IP fixed header is whole) the addresses must already be there.
 */
static void cut_every_byte(const struct fb *f, uint32_t l3_fixed, uint32_t hdr_end,
			   int v6, uint16_t sport, uint32_t l7_len)
{
	struct xf_cfg c = cfg_default();
	struct xf_pkt p;
	uint32_t len;
	int r;

	for (len = 0; len <= f->n; len++) {
		r = parse_len(f, len, XF_DLT_EN10MB, &c, &p);
		if (len < hdr_end) {
			if (r != XF_PR_TRUNCATED)
				print_error("cut at %u: reason %d\n", len, r);
			assert_int_equal(r, XF_PR_TRUNCATED);
			assert_false(p.status & XF_PS_HAS_L4);
			assert_int_equal(p.sport, 0);
			assert_int_equal(p.dport, 0);
			assert_int_equal(p.l7_len, 0);
		} else {
			assert_int_equal(r, XF_PR_OK);
			assert_true(p.status & XF_PS_HAS_L4);
			assert_int_equal(p.sport, sport);
			assert_int_equal(p.l7_off, hdr_end);
			assert_int_equal(p.l7_len, l7_len);
			assert_int_equal(!!(p.status & XF_PS_SNAPPED), len < f->n);
		}
		if (len >= l3_fixed) {
			assert_int_equal(p.ip_ver, v6 ? 6 : 4);
			if (v6)
				addr6_are(&p, A6, B6);
			else
				addr4_are(&p, A4, B4);
		} else {
			assert_int_equal(p.ip_ver, 0);
		}
		assert_false(p.status & XF_PS_L2_TRAILER);
	}
}

static void test_cut_tcp4(void **state)
{
	static const uint8_t ipopts[4] = { 1, 1, 1, 0 };
	static const uint8_t tcpopts[12] = { 2, 4, 5, 0xb4, 1, 3, 3, 8, 4, 2, 0, 0 };
	struct fb f;
	uint32_t ip, l3;

	fb_init(&f);
	eth(&f, XF_ETH_P_8021Q);
	vlan(&f, 5, XF_ETH_P_IPV4);
	l3 = f.n;
	ip = ip4_opt(&f, A4, B4, 6, 0x4000, ipopts, sizeof(ipopts));
	tcp_opt(&f, 40000, 80, 7, 8, 0x12, 1000, tcpopts, sizeof(tcpopts));
	payload(&f, 10);
	ip4_end(&f, ip);
	cut_every_byte(&f, l3 + 20, l3 + 24 + 32, 0, 40000, 10);
}

static void test_cut_tcp6(void **state)
{
	static const uint8_t tcpopts[8] = { 2, 4, 5, 0xa0, 1, 1, 4, 2 };
	struct fb f;
	uint32_t ip;

	fb_init(&f);
	eth(&f, XF_ETH_P_IPV6);
	ip = ip6(&f, A6, B6, 0);
	ext6(&f, 60, 8);
	ext6(&f, 6, 16);
	tcp_opt(&f, 40001, 443, 7, 8, 0x12, 1000, tcpopts, sizeof(tcpopts));
	payload(&f, 10);
	ip6_end(&f, ip);
	cut_every_byte(&f, 14 + 40, 14 + 40 + 24 + 28, 1, 40001, 10);
}

/* --------------------------------------------------- robustness sweeps */

static uint32_t rng_state = 0x12345678;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Sample frames of many kinds; each is cut at every length and also
 * mutated at random: only the invariants (and ASan) judge the result. */
/* ------------------------------------------- PPPoE length, UDP tunnels */

/* The PPPoE payload length bounds the IP datagram: an IP total length past
 * it (zeek's pppoe-over-qinq.pcap frame 19: PPPoE 42, IP 46, padded frame)
 * is cut where PPPoE ends and flagged snapped; the padding is not data. */
static void test_pppoe_length(void **state)
{
	struct fb f;
	struct xf_pkt p;
	uint32_t po, ip;

	fb_init(&f);
	eth(&f, XF_ETH_P_PPPOE_S);
	po = f.n;
	pppoe(&f, XF_PPP_IPV4);
	ip = ip4(&f, A4, B4, 6);
	tcp(&f, 443, 20394);
	pppoe_end(&f, po, 0);                   /* 2 + 40 */
	payload(&f, 6);                         /* counted by IP, not by PPPoE */
	ip4_end(&f, ip);                        /* 46 */
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_PPPOE, XF_H_PPP, XF_H_IPV4, XF_H_TCP);
	assert_int_equal(p.l3_len, 40);
	assert_int_equal(p.l4_len, 20);
	assert_int_equal(p.l7_len, 0);
	assert_true(p.status & XF_PS_SNAPPED);
	assert_true(p.status & XF_PS_L2_TRAILER);       /* the 6 bytes after PPPoE */
	assert_int_equal(p.dport, 20394);

	/* lengths that agree: nothing flagged; padding after both is a trailer */
	fb_init(&f);
	eth(&f, XF_ETH_P_PPPOE_S);
	po = f.n;
	pppoe(&f, XF_PPP_IPV4);
	ip = ip4(&f, A4, B4, 6);
	tcp(&f, 443, 20394);
	payload(&f, 6);
	ip4_end(&f, ip);
	pppoe_end(&f, po, 0);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_int_equal(p.l7_len, 6);
	assert_false(p.status & (XF_PS_SNAPPED | XF_PS_L2_TRAILER));
	put_fill(&f, 0, 4);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	assert_int_equal(p.l7_len, 6);
	assert_false(p.status & XF_PS_SNAPPED);
	assert_true(p.status & XF_PS_L2_TRAILER);

	/* IPv6: payload length 20 + 8, PPPoE says 6 bytes fewer */
	fb_init(&f);
	eth(&f, XF_ETH_P_PPPOE_S);
	po = f.n;
	pppoe(&f, XF_PPP_IPV6);
	frame_raw_udp6(&f, 20);
	pppoe_end(&f, po, 6);
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_PPPOE, XF_H_PPP, XF_H_IPV6, XF_H_UDP);
	assert_int_equal(p.l3_len, 40 + 8 + 14);
	assert_int_equal(p.l7_len, 14);
	assert_true(p.status & XF_PS_SNAPPED);

	/* PPPoE ends inside the IP header: malformed, an L2 flow */
	fb_init(&f);
	eth(&f, XF_ETH_P_PPPOE_S);
	po = f.n;
	pppoe(&f, XF_PPP_IPV4);
	ip = ip4(&f, A4, B4, 6);
	tcp(&f, 443, 20394);
	ip4_end(&f, ip);
	pppoe_end(&f, po, 30);                  /* 2 + 10 bytes of IPv4 */
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_MALFORMED);
	assert_true(p.status & XF_PS_L2_ONLY);
	assert_int_equal(p.ethertype, XF_ETH_P_PPPOE_S);
	fb_init(&f);
	eth(&f, XF_ETH_P_PPPOE_S);
	po = f.n;
	pppoe(&f, XF_PPP_IPV6);
	frame_raw_udp6(&f, 0);
	pppoe_end(&f, po, 20);                  /* 2 + 28 bytes of IPv6 */
	assert_int_equal(parse(&f, XF_DLT_EN10MB, &p), XF_PR_MALFORMED);
	assert_true(p.status & XF_PS_L2_ONLY);

	/* longer than the frame: the capture decides (snapped by the IP length) */
	fb_init(&f);
	eth(&f, XF_ETH_P_PPPOE_S);
	po = f.n;
	pppoe(&f, XF_PPP_IPV4);
	ip = ip4(&f, A4, B4, 6);
	tcp(&f, 443, 20394);
	payload(&f, 10);
	ip4_end(&f, ip);
	pppoe_end(&f, po, 0);
	assert_int_equal(parse_len(&f, f.n - 4, XF_DLT_EN10MB, NULL, &p), XF_PR_OK);
	assert_int_equal(p.l7_len, 10);
	assert_true(p.status & XF_PS_SNAPPED);
}

/* GTPv1-U header: flags, type, length (set by gtp_end), TEID */
static uint32_t gtp(struct fb *f, uint8_t flags, uint8_t type)
{
	uint32_t off = f->n;

	put8(f, flags);
	put8(f, type);
	put16(f, 0);
	put32(f, 0x00100657);
	return off;
}

static void gtp_end(struct fb *f, uint32_t off, uint32_t cut)
{
	set16(f, off + 2, (uint16_t)(f->n - off - 8 - cut));
}

/* eth / ipv4 / udp(sport -> dport) / GTP-U G-PDU (flags) / inner datagram */
static void frame_gtp(struct fb *f, uint16_t sport, uint16_t dport, uint8_t flags, int v6,
		      uint32_t n)
{
	uint32_t outer, ou, g;

	fb_init(f);
	eth(f, XF_ETH_P_IPV4);
	outer = ip4(f, A4, B4, 17);
	ou = udp(f, sport, dport);
	g = gtp(f, flags, 255);
	if (flags & 0x07) {                     /* seq, N-PDU, next type 0 */
		put16(f, 5);
		put8(f, 0);
		put8(f, 0);
	}
	if (v6)
		frame_raw_udp6(f, n);
	else
		frame_raw_udp4(f, n);
	gtp_end(f, g, 0);
	udp_end(f, ou);
	ip4_end(f, outer);
}

static void test_gtpu(void **state)
{
	struct xf_cfg c = cfg_default();
	struct fb f;
	struct xf_pkt p;
	uint32_t outer, ou, g, inner, i, n;

	/* a G-PDU, IPv4 inside (from any port to 2152) */
	frame_gtp(&f, 5906, 2152, 0x30, 0, 7);
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP, XF_H_GTP, XF_H_IPV4, XF_H_UDP);
	addr4_are(&p, A4, B4);
	assert_int_equal(p.dport, 53);
	assert_int_equal(p.l3_off, 14 + 20 + 8 + 8);
	assert_int_equal(p.l7_len, 7);
	assert_int_equal(p.ntunnel, 1);
	assert_true(p.status & XF_PS_TUNNEL);
	assert_false(p.status & (XF_PS_SNAPPED | XF_PS_L2_TRAILER));

	/* from 2152, IPv6 inside, with a sequence number (flags 0x32) */
	frame_gtp(&f, 2152, 40000, 0x32, 1, 3);
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP, XF_H_GTP, XF_H_IPV6, XF_H_UDP);
	addr6_are(&p, A6, B6);
	assert_int_equal(p.l3_off, 14 + 20 + 8 + 12);
	assert_int_equal(p.l7_len, 3);

	/* GTP_PORT 0: the outer UDP flow */
	c.gtp_port = 0;
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	assert_int_equal(p.sport, 2152);
	c.gtp_port = 2152;

	/* extension headers (E): a 4-byte and an 8-byte one, then IPv4 */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	outer = ip4(&f, A4, B4, 17);
	ou = udp(&f, 2152, 2152);
	g = gtp(&f, 0x34, 255);
	put16(&f, 0);
	put8(&f, 0);
	put8(&f, 0x85);                         /* PDU session container */
	put8(&f, 1);
	put16(&f, 0x0904);
	put8(&f, 0xc0);                         /* next: another one */
	put8(&f, 2);
	put_fill(&f, 0, 6);
	put8(&f, 0);                            /* next: none, payload follows */
	inner = f.n;
	frame_raw_udp4(&f, 2);
	gtp_end(&f, g, 0);
	udp_end(&f, ou);
	ip4_end(&f, outer);
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP, XF_H_GTP, XF_H_IPV4, XF_H_UDP);
	assert_int_equal(p.l3_off, inner);
	assert_int_equal(p.l7_len, 2);
	/* an extension header of length 0 is impossible: not decapsulated */
	f.b[g + 12] = 0;
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	addr4_are(&p, A4, B4);
	assert_int_equal(p.l7_len, f.n - (14 + 20 + 8));
	/* XF_GTP_EXT_DEPTH extension headers are walked, one more is not */
	for (i = XF_GTP_EXT_DEPTH; i <= XF_GTP_EXT_DEPTH + 1; i++) {
		fb_init(&f);
		eth(&f, XF_ETH_P_IPV4);
		outer = ip4(&f, A4, B4, 17);
		ou = udp(&f, 2152, 2152);
		g = gtp(&f, 0x34, 255);
		put16(&f, 0);
		put8(&f, 0);
		put8(&f, 0xc0);
		for (n = 0; n < i; n++) {
			put8(&f, 1);
			put16(&f, 0);
			put8(&f, n + 1 < i ? 0xc0 : 0);
		}
		frame_raw_udp4(&f, 2);
		gtp_end(&f, g, 0);
		udp_end(&f, ou);
		ip4_end(&f, outer);
		assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
		assert_int_equal(p.ntunnel, i == XF_GTP_EXT_DEPTH);
		assert_int_equal(p.nhdr, i == XF_GTP_EXT_DEPTH ? 6 : 3);
	}

	/* the GTP length is shorter than the inner IP length (zeek's
	 * gtp9_unknown_or_too_short_payload.pcap): cut there, flagged */
	frame_gtp(&f, 2152, 2152, 0x30, 0, 100);
	g = 14 + 20 + 8;
	set16(&f, g + 2, 28 + 40);
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP, XF_H_GTP, XF_H_IPV4, XF_H_UDP);
	assert_int_equal(p.l3_len, 68);
	assert_int_equal(p.l7_len, 40);
	assert_true(p.status & XF_PS_SNAPPED);

	/* not G-PDU (echo request), GTP' (PT 0), GTPv2, payload not IP,
	 * header cut: all stay the outer UDP flow */
	frame_gtp(&f, 2152, 2152, 0x30, 0, 4);
	f.b[g + 1] = 1;
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	f.b[g + 1] = 255;
	f.b[g] = 0x20;
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	f.b[g] = 0x48;
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	f.b[g] = 0x30;
	f.b[g + 8] = 0x80;                      /* an RTP-like first byte */
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	addr4_are(&p, A4, B4);
	assert_int_equal(p.ntunnel, 0);
	assert_int_equal(parse_len(&f, g + 6, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	frame_gtp(&f, 2152, 2152, 0x32, 0, 4); /* cut in the optional fields */
	assert_int_equal(parse_len(&f, g + 10, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	/* inner IPv4 header cut: the outer flow, as for every tunnel */
	assert_int_equal(parse_len(&f, g + 12 + 10, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP, XF_H_GTP);
	addr4_are(&p, A4, B4);
	assert_int_equal(p.ntunnel, 0);
}

/* GRE in UDP (RFC 8086): the GRE header right after UDP, to port 4754 */
static void test_gre_udp(void **state)
{
	struct xf_cfg c = cfg_default();
	struct fb f;
	struct xf_pkt p;
	uint32_t outer, ou, inner, i;

	for (i = 0; i < 2; i++) {               /* IPv4, then IPv6 inside */
		fb_init(&f);
		eth(&f, XF_ETH_P_IPV4);
		outer = ip4(&f, A4, B4, 17);
		ou = udp(&f, 50343, 4754);
		put16(&f, 0x2000);              /* key present */
		put16(&f, i ? XF_ETH_P_IPV6 : XF_ETH_P_IPV4);
		put32(&f, 7);
		inner = f.n;
		if (i)
			frame_raw_udp6(&f, 5);
		else
			frame_raw_udp4(&f, 5);
		udp_end(&f, ou);
		ip4_end(&f, outer);
		assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
		HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP, XF_H_GRE,
		     i ? XF_H_IPV6 : XF_H_IPV4, XF_H_UDP);
		if (i)
			addr6_are(&p, A6, B6);
		else
			addr4_are(&p, A4, B4);
		assert_int_equal(p.l3_off, inner);
		assert_int_equal(p.dport, 53);
		assert_int_equal(p.l7_len, 5);
		assert_int_equal(p.ntunnel, 1);
	}

	/* a GRE payload not decoded: the UDP flow, its payload after GRE */
	set16(&f, inner - 6, 0x88b5);          /* local experimental ethertype */
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP, XF_H_GRE);
	addr4_are(&p, A4, B4);
	assert_int_equal(p.dport, 4754);
	assert_int_equal(p.l7_off, inner);
	assert_int_equal(p.l7_len, f.n - inner);
	assert_int_equal(p.ntunnel, 0);
	set16(&f, inner - 6, XF_ETH_P_IPV6);

	/* GRE header cut: the UDP flow, its whole payload */
	assert_int_equal(parse_len(&f, ou + 8 + 3, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	assert_int_equal(p.l7_off, ou + 8);
	assert_int_equal(p.l7_len, f.n - ou - 8);
	assert_true(p.status & XF_PS_SNAPPED);

	/* only the destination port says GRE in UDP; port 0 turns it off */
	set16(&f, ou, 4754);
	set16(&f, ou + 2, 50343);
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	set16(&f, ou, 50343);
	set16(&f, ou + 2, 4754);
	c.gre_udp_port = 0;
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	assert_int_equal(p.l7_len, f.n - ou - 8);
}

/* AYIYA header: idlen 4 (16 bytes), SHA1, siglen 5 (20 bytes), opcode */
static void ayiya(struct fb *f, uint8_t opcode, uint8_t next)
{
	put8(f, 0x41);
	put8(f, 0x52);
	put8(f, 0x10 | opcode);
	put8(f, next);
	put32(f, 0x4af64bad);                   /* epoch */
	put_fill(f, 0x20, 16);                  /* identity */
	put_fill(f, 0xe1, 20);                  /* signature */
}

static void test_ayiya(void **state)
{
	struct xf_cfg c = cfg_default();
	struct fb f;
	struct xf_pkt p;
	uint32_t outer, ou, inner, i;

	for (i = 0; i < 2; i++) {               /* IPv6 from 5072, IPv4 to 5072 */
		fb_init(&f);
		eth(&f, XF_ETH_P_IPV4);
		outer = ip4(&f, A4, B4, 17);
		ou = i ? udp(&f, 53796, 5072) : udp(&f, 5072, 53796);
		ayiya(&f, 1, i ? 4 : 41);
		inner = f.n;
		if (i)
			frame_raw_udp4(&f, 9);
		else
			frame_raw_udp6(&f, 9);
		udp_end(&f, ou);
		ip4_end(&f, outer);
		assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
		HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP, XF_H_AYIYA,
		     i ? XF_H_IPV4 : XF_H_IPV6, XF_H_UDP);
		assert_int_equal(p.l3_off, inner);
		assert_int_equal(p.l7_len, 9);
		assert_int_equal(p.ntunnel, 1);
	}
	/* a larger identity (2^8 bytes, zeek's ayiya-large-identity.pcap) */
	fb_init(&f);
	eth(&f, XF_ETH_P_IPV4);
	outer = ip4(&f, A4, B4, 17);
	ou = udp(&f, 12345, 5072);
	ayiya(&f, 1, 41);
	f.b[ou + 8] = 0x81;
	put_fill(&f, 0, 256 - 16);
	inner = f.n;
	frame_raw_udp6(&f, 0);
	udp_end(&f, ou);
	ip4_end(&f, outer);
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP, XF_H_AYIYA, XF_H_IPV6, XF_H_UDP);
	assert_int_equal(p.l3_off, inner);

	/* not forward (a heartbeat), next header not IP, next header and
	 * version disagree, header cut, port 0: the outer UDP flow */
	f.b[ou + 10] = 0x10;
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	f.b[ou + 10] = 0x11;
	f.b[ou + 11] = 17;
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	f.b[ou + 11] = 4;
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	f.b[ou + 11] = 41;
	assert_int_equal(parse_len(&f, ou + 8 + 7, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	assert_int_equal(parse_len(&f, inner - 1, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
	addr4_are(&p, A4, B4);
	c.ayiya_port = 0;
	assert_int_equal(parse_cfg(&f, XF_DLT_EN10MB, &c, &p), XF_PR_OK);
	HDRS(&p, XF_H_ETH, XF_H_IPV4, XF_H_UDP);
}

static void test_sweep(void **state)
{
	static const uint32_t dlts[] = {
		XF_DLT_NULL, XF_DLT_EN10MB, XF_DLT_RAW, XF_DLT_LOOP, XF_DLT_LINUX_SLL,
		XF_DLT_IPV4, XF_DLT_IPV6, XF_DLT_LINUX_SLL2,
	};
	struct xf_cfg c = cfg_default();
	struct fb frames[6], m;
	struct xf_pkt p;
	uint32_t i, len, k, d;

	frame_eth_tcp4(&frames[0], 20);
	frame_vxlan(&frames[1], 0x08, 10);
	fb_init(&frames[2]);
	eth(&frames[2], XF_ETH_P_MPLS_UC);
	mpls(&frames[2], 1, 1);
	frame_raw_udp6(&frames[2], 4);
	fb_init(&frames[3]);
	eth(&frames[3], XF_ETH_P_PPPOE_S);
	pppoe(&frames[3], XF_PPP_IPV4);
	frame_raw_udp4(&frames[3], 4);
	fb_init(&frames[4]);
	eth(&frames[4], XF_ETH_P_IPV4);
	i = ip4(&frames[4], A4, B4, 47);
	put16(&frames[4], 0x2000);
	put16(&frames[4], XF_ETH_P_TEB);
	put32(&frames[4], 1);
	eth_mac(&frames[4], MAC_ID, MAC_IS, XF_ETH_P_8021Q);
	vlan(&frames[4], 3, XF_ETH_P_IPV6);
	frame_raw_udp6(&frames[4], 3);
	ip4_end(&frames[4], i);
	fb_init(&frames[5]);
	sll2(&frames[5], 1, XF_ETH_P_IPV4);
	frame_raw_udp4(&frames[5], 2);

	for (i = 0; i < 6; i++)
		for (len = 0; len <= frames[i].n; len++)
			for (d = 0; d < 8; d++)
				parse_len(&frames[i], len, dlts[d], &c, &p);

	c.ipv4_csum = 1;
	c.teredo_port = 3544;
	for (k = 0; k < 3000; k++) {
		m = frames[k % 6];
		for (i = 0; i < 1 + rnd() % 4; i++)
			m.b[rnd() % m.n] = (uint8_t)rnd();
		len = rnd() % (m.n + 1);
		parse_len(&m, len, dlts[rnd() % 8], &c, &p);
	}
	/* random bytes of random lengths */
	for (k = 0; k < 2000; k++) {
		fb_init(&m);
		len = rnd() % 160;
		for (i = 0; i < len; i++)
			put8(&m, (uint8_t)rnd());
		parse_len(&m, len, dlts[rnd() % 8], &c, &p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_ethernet),
		cmocka_unit_test(test_link_sll),
		cmocka_unit_test(test_link_sll2),
		cmocka_unit_test(test_link_raw),
		cmocka_unit_test(test_link_null),
		cmocka_unit_test(test_link_unknown_and_empty),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_mpls),
		cmocka_unit_test(test_pppoe),
		cmocka_unit_test(test_l2_frames),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_later_fragment_l7),
		cmocka_unit_test(test_ipv4_malformed),
		cmocka_unit_test(test_ipv4_snapped_and_padding),
		cmocka_unit_test(test_ipv4_checksum),
		cmocka_unit_test(test_ipv6_ext_chain),
		cmocka_unit_test(test_ipv6_ext_depth),
		cmocka_unit_test(test_ipv6_lengths),
		cmocka_unit_test(test_tcp_options),
		cmocka_unit_test(test_tcp_malformed),
		cmocka_unit_test(test_udp_sctp),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_icmp6),
		cmocka_unit_test(test_gre),
		cmocka_unit_test(test_gre_wccp),
		cmocka_unit_test(test_gre_aruba),
		cmocka_unit_test(test_pbb),
		cmocka_unit_test(test_vxlan),
		cmocka_unit_test(test_vxlan_vlans),
		cmocka_unit_test(test_geneve_teredo),
		cmocka_unit_test(test_tunnel_depth),
		cmocka_unit_test(test_hdr_overflow),
		cmocka_unit_test(test_cut_tcp4),
		cmocka_unit_test(test_cut_tcp6),
		cmocka_unit_test(test_pppoe_length),
		cmocka_unit_test(test_gtpu),
		cmocka_unit_test(test_gre_udp),
		cmocka_unit_test(test_ayiya),
		cmocka_unit_test(test_sweep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
