// SPDX-License-Identifier: BSD-3-Clause
/*
 * xdpflow-gen - write a synthetic but realistic capture, deterministic for a seed.
 *
 *   xdpflow-gen -o FILE -p PACKETS -f FLOWS [-s SEED] [-d SECONDS] [--ns]
 *               [--pcapng] [--summary FILE] [-q]
 *
 * The traffic mix: TCP connections (handshake, request/response rounds with
 * delayed ACKs, some retransmissions and reordering, FIN or RST close), refused
 * TCP connections (SYN, RST/ACK), DNS-like UDP request/response, one-way UDP
 * (RTP-like and syslog-like), ICMP/ICMPv6 echo; about 15% IPv6 and 10% behind an
 * 802.1Q tag.  Flows arrive as a Poisson process over the capture's duration and
 * are interleaved in time order through a heap of the active flows, so memory
 * is bounded by the flows active at once, not by the file.  A few flows stay idle
 * longer than 182 s (T2's idle timeout) in the middle of their life.
 *
 * Exactly PACKETS packets in exactly FLOWS flows (5-tuples are unique, so
 * tshark's conversations and the generator's flows are the same thing).
 * --summary writes the ground truth, one line per flow (see summary_header).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSEC		((uint64_t)1000000000)
#define USEC		((uint64_t)1000)
#define MSEC		((uint64_t)1000000)
#define START_SEC	((uint64_t)1704067200)	/* 2024-01-01 00:00:00 UTC */
#define IDLE_GAP_MIN	183		/* s: just past T2's 182 s idle timeout */
#define PAYLOAD_POOL	(1 << 16)
#define FRAME_MAX	1600
#define ETH_MIN		60		/* minimum frame without FCS */

enum flow_kind { FK_TCP, FK_TCP_REFUSED, FK_DNS, FK_ONEWAY, FK_ICMP, FK_KINDS };
static const char *const kind_name[FK_KINDS] = {
	"tcp", "tcp-refused", "dns", "udp-oneway", "icmp-echo",
};

enum { DIR_A = 0, DIR_B = 1 };	/* A: client, always sends the first packet */

enum tcp_phase { PH_SYN, PH_SYNACK, PH_ACK3, PH_DATA, PH_CLOSE1, PH_CLOSE2,
		 PH_CLOSE3, PH_RST, PH_REFUSE };

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

/* what a planned flow is, decided before any packet is written */
struct flow_plan {
	uint32_t budget;	/* packets of this flow */
	uint8_t kind;
	uint8_t rst_close;	/* TCP: ends with RST instead of FIN */
	uint8_t idle_gap;	/* pauses > 182 s once, halfway */
};

/* one segment or datagram to send */
struct seg {
	uint8_t dir;
	uint8_t flags;
	uint32_t seq;
	uint32_t ack;
	uint16_t len;		/* payload bytes */
	uint8_t http;		/* port 80: starts with a request/response header */
	uint32_t http_total;	/* bytes of the whole message (header + body) */
};

struct flow {
	uint64_t next_ns;
	uint64_t rng;
	uint32_t idx;
	uint32_t left;		/* packets still to send */
	uint32_t sent;
	uint32_t gap_at;	/* left value at which the long pause happens */
	uint8_t kind, v6, phase, rst_close;
	uint16_t vlan;
	uint16_t cport, sport;
	uint32_t chost, shost;
	uint32_t rtt_ns;
	uint32_t seq[2];
	uint16_t ip_id[2];
	uint16_t icmp_seq;
	uint16_t dns_id;
	/* TCP data exchange */
	uint32_t burst_left;
	uint32_t round_bytes;	/* payload bytes of the round not yet segmented */
	uint8_t round_first;	/* next data segment opens the round */
	uint32_t since_ack;
	uint8_t burst_dir;
	uint8_t have_pend;
	uint8_t owed_ack;	/* pure ACK owed by !burst_dir at burst end */
	struct seg pend;	/* retransmitted or reordered segment to send next */
	/* ground truth */
	uint64_t pkts[2], bytes[2], l3bytes[2];
	uint64_t first_ns, last_ns;
	uint32_t gaps;
};

struct gen {
	/* options */
	const char *out_path, *summary_path;
	uint64_t packets, nflows, seed;
	uint64_t duration_s;
	int ns, pcapng, quiet;
	/* state */
	FILE *out, *summary;
	struct flow_plan *plan;
	uint64_t *start_ns;
	struct flow **heap;
	size_t heap_len;
	uint64_t next_flow;	/* next planned flow to start */
	uint32_t nclients, nservers;
	uint64_t written, bytes_written, max_active;
	uint64_t kind_count[FK_KINDS];
	uint8_t payload[PAYLOAD_POOL + FRAME_MAX];
	uint8_t frame[16 + FRAME_MAX + 64];
	uint64_t rng;
};

/* ---- random numbers: splitmix64 to seed, xorshift64* to draw ---- */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* uniform in [0, 1) */
static double rnd01(uint64_t *s)
{
	return (rnd(s) >> 11) * (1.0 / 9007199254740992.0);
}

static uint32_t rnd_range(uint64_t *s, uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rnd(s) % ((uint64_t)hi - lo + 1));
}

static double rnd_exp(uint64_t *s, double mean)
{
	return -mean * log(1.0 - rnd01(s));
}

/* log-uniform in [lo, hi]: spreads times evenly over orders of magnitude */
static uint64_t rnd_logu(uint64_t *s, double lo, double hi)
{
	return (uint64_t)(lo * exp(rnd01(s) * log(hi / lo)));
}

static int chance(uint64_t *s, double p)
{
	return rnd01(s) < p;
}

/* ---- Internet checksum: native-endian 16-bit sums, stored with memcpy ---- */

static uint64_t csum_add(uint64_t acc, const uint8_t *p, size_t n)
{
	uint32_t w32;
	uint16_t w16;

	for (; n >= 4; p += 4, n -= 4) {
		memcpy(&w32, p, 4);
		acc += w32;
	}
	if (n >= 2) {
		memcpy(&w16, p, 2);
		acc += w16;
		p += 2;
		n -= 2;
	}
	if (n) {
		uint8_t last[2] = { p[0], 0 };

		memcpy(&w16, last, 2);
		acc += w16;
	}
	return acc;
}

static uint16_t csum_fold(uint64_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* ---- addresses: clients 10.0.0.0/8 and 2001:db8:c::/64, servers 172.16/12 and 2001:db8:5::/64 ---- */

static void addr4(uint8_t *p, int server, uint32_t host)
{
	if (server)
		put32(p, 0xac100000u | ((host + 1) & 0x000fffffu));
	else
		put32(p, 0x0a000000u | ((host + 1) & 0x00ffffffu));
}

static void addr6(uint8_t *p, int server, uint32_t host)
{
	static const uint8_t cpfx[8] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0c, 0, 0 };
	static const uint8_t spfx[8] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x05, 0, 0 };

	memcpy(p, server ? spfx : cpfx, 8);
	memset(p + 8, 0, 4);
	put32(p + 12, host + 1);
}

static void addr_str(const struct flow *f, int server, char *buf, size_t n)
{
	uint32_t host = server ? f->shost : f->chost;
	uint8_t a[16];

	if (f->v6)
		addr6(a, server, host);
	else
		addr4(a, server, host);
	if (!inet_ntop(f->v6 ? AF_INET6 : AF_INET, a, buf, (socklen_t)n))
		snprintf(buf, n, "?");
}

/* ---- frame assembly ---- */

/* Ethernet (+ 802.1Q) header; returns its length */
static size_t put_l2(uint8_t *p, const struct flow *f, int dir)
{
	static const uint8_t gw_mac[6] = { 0x00, 0x1b, 0x21, 0x3a, 0x5c, 0x01 };
	uint8_t host_mac[6] = { 0x02, 0x00, 0, 0, 0, 0 };
	size_t off = 12;

	put32(host_mac + 2, f->chost + 1);
	memcpy(p, dir == DIR_A ? gw_mac : host_mac, 6);
	memcpy(p + 6, dir == DIR_A ? host_mac : gw_mac, 6);
	if (f->vlan) {
		put16(p + 12, 0x8100);
		put16(p + 14, f->vlan);
		off = 16;
	}
	put16(p + off, f->v6 ? 0x86dd : 0x0800);
	return off + 2;
}

/* IP header in front of an L4 of l4len bytes; checksum of L4 at l4 + csum_off */
static size_t put_l3_and_csum(struct flow *f, int dir, uint8_t *ip, uint8_t proto,
			      size_t l4len, size_t csum_off)
{
	uint8_t *l4 = ip + (f->v6 ? 40 : 20);
	uint8_t pseudo[40];
	uint64_t acc;
	uint16_t c;
	int src_server = dir == DIR_B;

	if (f->v6) {
		put32(ip, 0x60000000u | (f->idx & 0xfffff));
		put16(ip + 4, (uint16_t)l4len);
		ip[6] = proto == 1 ? 58 : proto;
		ip[7] = dir == DIR_A ? 64 : 57;
		addr6(ip + 8, src_server, src_server ? f->shost : f->chost);
		addr6(ip + 24, !src_server, src_server ? f->chost : f->shost);
		memset(pseudo, 0, sizeof(pseudo));
		put32(pseudo + 4, (uint32_t)l4len);
		pseudo[11] = ip[6];
		acc = csum_add(csum_add(0, ip + 8, 32), pseudo + 4, 8);
	} else {
		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 2, (uint16_t)(20 + l4len));
		put16(ip + 4, f->ip_id[dir]++);
		put16(ip + 6, proto == 6 ? 0x4000 : 0);
		ip[8] = dir == DIR_A ? 64 : 52;
		ip[9] = proto;
		put16(ip + 10, 0);
		addr4(ip + 12, src_server, src_server ? f->shost : f->chost);
		addr4(ip + 16, !src_server, src_server ? f->chost : f->shost);
		c = csum_fold(csum_add(0, ip, 20));
		memcpy(ip + 10, &c, 2);
		memset(pseudo, 0, 4);
		pseudo[1] = proto;
		put16(pseudo + 2, (uint16_t)l4len);
		/* IPv4 ICMP has no pseudo header */
		acc = proto == 1 ? 0 : csum_add(csum_add(0, ip + 12, 8), pseudo, 4);
	}
	c = csum_fold(csum_add(acc, l4, l4len));
	if (c == 0 && proto == 17)
		c = 0xffff;
	memcpy(l4 + csum_off, &c, 2);
	return (f->v6 ? 40 : 20) + l4len;
}

/* ---- output: pcap (µs or ns) or pcapng, streamed ---- */

static int write_file_header(struct gen *g)
{
	uint8_t h[64];
	size_t n;

	if (g->pcapng) {
		/* section header block, then one Ethernet interface */
		put_le32(h, 0x0a0d0d0a);
		put_le32(h + 4, 28);
		put_le32(h + 8, 0x1a2b3c4d);
		put_le16(h + 12, 1);
		put_le16(h + 14, 0);
		memset(h + 16, 0xff, 8);	/* section length unknown */
		put_le32(h + 24, 28);
		put_le32(h + 28, 1);		/* IDB */
		put_le32(h + 32, 32);
		put_le16(h + 36, 1);		/* LINKTYPE_ETHERNET */
		put_le16(h + 38, 0);
		put_le32(h + 40, 65535);
		put_le16(h + 44, 9);		/* if_tsresol */
		put_le16(h + 46, 1);
		h[48] = g->ns ? 9 : 6;
		memset(h + 49, 0, 3);
		put_le32(h + 52, 0);		/* opt_endofopt */
		put_le32(h + 56, 32);
		n = 60;
	} else {
		put_le32(h, g->ns ? 0xa1b23c4d : 0xa1b2c3d4);
		put_le16(h + 4, 2);
		put_le16(h + 6, 4);
		put_le32(h + 8, 0);
		put_le32(h + 12, 0);
		put_le32(h + 16, 65535);
		put_le32(h + 20, 1);
		n = 24;
	}
	return fwrite(h, 1, n, g->out) == n ? 0 : -1;
}

/* frame is at g->frame + 28 (room for the largest record header in front) */
static int write_record(struct gen *g, uint64_t t_ns, size_t len)
{
	uint8_t *frame = g->frame + 28;
	uint64_t t = g->ns ? t_ns : t_ns / USEC;
	uint8_t *h;
	size_t pad = 0, n;

	if (g->pcapng) {
		pad = (4 - (len & 3)) & 3;
		h = frame - 28;
		put_le32(h, 6);
		put_le32(h + 4, (uint32_t)(32 + len + pad));
		put_le32(h + 8, 0);
		put_le32(h + 12, (uint32_t)(t >> 32));
		put_le32(h + 16, (uint32_t)t);
		put_le32(h + 20, (uint32_t)len);
		put_le32(h + 24, (uint32_t)len);
		memset(frame + len, 0, pad);
		put_le32(frame + len + pad, (uint32_t)(32 + len + pad));
		n = 32 + len + pad;
	} else {
		uint64_t div = g->ns ? NSEC : NSEC / USEC;

		h = frame - 16;
		put_le32(h, (uint32_t)(t / div));
		put_le32(h + 4, (uint32_t)(t % div));
		put_le32(h + 8, (uint32_t)len);
		put_le32(h + 12, (uint32_t)len);
		n = 16 + len;
	}
	if (fwrite(h, 1, n, g->out) != n)
		return -1;
	g->written++;
	g->bytes_written += len;
	return 0;
}

/* account a finished frame of len bytes (IP part ip_len) in direction dir */
static int emit(struct gen *g, struct flow *f, int dir, size_t len, size_t ip_len)
{
	uint8_t *frame = g->frame + 28;

	if (len < ETH_MIN) {
		memset(frame + len, 0, ETH_MIN - len);
		len = ETH_MIN;
	}
	f->pkts[dir]++;
	f->bytes[dir] += len;
	f->l3bytes[dir] += ip_len;
	if (!f->sent)
		f->first_ns = f->next_ns;
	f->last_ns = f->next_ns;
	f->sent++;
	f->left--;
	return write_record(g, f->next_ns, len);
}

static const uint8_t *payload_bytes(struct gen *g, struct flow *f, uint32_t seq)
{
	return g->payload + ((seq * 7u + f->idx * 131u) & (PAYLOAD_POOL - 1));
}

/* an HTTP/1.1 header over the first bytes of a port-80 message, its
 * Content-Length the rest of the message (a cut-short flow leaves it short) */
static void put_http_header(const struct flow *f, const struct seg *s, uint8_t *p)
{
	char h[160];
	int n = 0, body = (int)s->http_total, i;

	for (i = 0; i < 2; i++) {	/* the header's length depends on body's digits */
		if (s->http == 1)
			n = snprintf(h, sizeof(h), "POST /o/%u HTTP/1.1\r\nHost: h%u.example.net\r\n"
				     "Content-Length: %d\r\n\r\n", s->seq & 0xffff, f->idx, body);
		else
			n = snprintf(h, sizeof(h), "HTTP/1.1 200 OK\r\nContent-Type: "
				     "application/octet-stream\r\nContent-Length: %d\r\n\r\n", body);
		body = (int)s->http_total - n;
		if (body < 0)
			body = 0;
	}
	memcpy(p, h, (size_t)n < s->len ? (size_t)n : s->len);
}

static int send_tcp(struct gen *g, struct flow *f, const struct seg *s)
{
	uint8_t *frame = g->frame + 28;
	size_t l2 = put_l2(frame, f, s->dir);
	uint8_t *tcp = frame + l2 + (f->v6 ? 40 : 20);
	size_t hl = 20;
	size_t ip_len;

	put16(tcp, s->dir == DIR_A ? f->cport : f->sport);
	put16(tcp + 2, s->dir == DIR_A ? f->sport : f->cport);
	put32(tcp + 4, s->seq);
	put32(tcp + 8, s->flags & TH_ACK ? s->ack : 0);
	if (s->flags & TH_SYN) {
		/* MSS, NOP, window scale 7, NOP, NOP, SACK permitted */
		static const uint8_t opts[12] = { 2, 4, 0, 0, 1, 3, 3, 7, 1, 1, 4, 2 };

		memcpy(tcp + 20, opts, 12);
		put16(tcp + 22, f->v6 ? 1440 : 1460);
		hl = 32;
	}
	tcp[12] = (uint8_t)((hl / 4) << 4);
	tcp[13] = s->flags;
	put16(tcp + 14, s->flags & TH_SYN ? 64240 : (s->flags & TH_RST ? 0 : 502));
	put16(tcp + 16, 0);
	put16(tcp + 18, 0);
	memcpy(tcp + hl, payload_bytes(g, f, s->seq), s->len);
	if (s->http)
		put_http_header(f, s, tcp + hl);
	ip_len = put_l3_and_csum(f, s->dir, frame + l2, 6, hl + s->len, 16);
	return emit(g, f, s->dir, l2 + ip_len, ip_len);
}

static int send_udp(struct gen *g, struct flow *f, int dir, const uint8_t *data, size_t n)
{
	uint8_t *frame = g->frame + 28;
	size_t l2 = put_l2(frame, f, dir);
	uint8_t *udp = frame + l2 + (f->v6 ? 40 : 20);
	size_t ip_len;

	put16(udp, dir == DIR_A ? f->cport : f->sport);
	put16(udp + 2, dir == DIR_A ? f->sport : f->cport);
	put16(udp + 4, (uint16_t)(8 + n));
	put16(udp + 6, 0);
	memcpy(udp + 8, data, n);
	ip_len = put_l3_and_csum(f, dir, frame + l2, 17, 8 + n, 6);
	return emit(g, f, dir, l2 + ip_len, ip_len);
}

static int send_icmp_echo(struct gen *g, struct flow *f, int dir)
{
	uint8_t *frame = g->frame + 28;
	size_t l2 = put_l2(frame, f, dir);
	uint8_t *icmp = frame + l2 + (f->v6 ? 40 : 20);
	size_t ip_len;

	if (f->v6)
		icmp[0] = dir == DIR_A ? 128 : 129;
	else
		icmp[0] = dir == DIR_A ? 8 : 0;
	icmp[1] = 0;
	put16(icmp + 2, 0);
	put16(icmp + 4, f->cport);	/* echo identifier */
	put16(icmp + 6, f->icmp_seq);
	memcpy(icmp + 8, g->payload + (f->idx & 0xfff), 56);
	ip_len = put_l3_and_csum(f, dir, frame + l2, 1, 64, 2);
	return emit(g, f, dir, l2 + ip_len, ip_len);
}

/* ---- TCP: handshake, request/response rounds, close ---- */

static uint32_t tcp_mss(const struct flow *f)
{
	return f->v6 ? 1440 : 1460;
}

/* packets the close needs; the data phase stops when only these are left */
static uint32_t tcp_close_need(const struct flow *f)
{
	return f->rst_close ? 1 : 3;
}

/* ports tshark dissects as HTTP get HTTP headers (random bytes would be
 * "malformed HTTP"); the rest looks like TLS or unknown data */
static int tcp_is_http(const struct flow *f)
{
	return f->sport == 80 || f->sport == 8080;
}

static void tcp_new_round(struct flow *f)
{
	uint32_t room = f->left - tcp_close_need(f);
	uint32_t n;

	f->burst_dir = f->sent <= 3 ? DIR_A : !f->burst_dir;
	if (f->burst_dir == DIR_A)
		n = chance(&f->rng, 0.85) ? 1 : rnd_range(&f->rng, 2, 3);
	else
		n = 1 + (uint32_t)rnd_exp(&f->rng, 2.0 + (f->left + f->sent) / 25.0);
	f->burst_left = n < room ? n : room;
	f->since_ack = 0;
	f->round_first = 1;
	f->round_bytes = (n - 1) * tcp_mss(f);
	if (f->burst_dir == DIR_A)
		f->round_bytes += (uint32_t)rnd_logu(&f->rng, tcp_is_http(f) ? 160 : 40, 1400);
	else
		f->round_bytes += rnd_range(&f->rng, tcp_is_http(f) ? 100 : 1, tcp_mss(f));
}

/* MSS segments, the last one what is left of the round */
static uint16_t tcp_seg_len(struct flow *f)
{
	uint32_t len = f->round_bytes < tcp_mss(f) ? f->round_bytes : tcp_mss(f);

	f->round_bytes -= len;
	return (uint16_t)len;
}

static int tcp_send_data(struct gen *g, struct flow *f)
{
	int dir = f->burst_dir;
	struct seg s = { .dir = dir, .flags = TH_ACK, .ack = f->seq[!dir] };
	uint32_t room_after = f->left - 1 - tcp_close_need(f);

	if (f->round_first && tcp_is_http(f)) {
		s.http = dir == DIR_A ? 1 : 2;
		s.http_total = f->round_bytes;
	}
	f->round_first = 0;
	s.seq = f->seq[dir];
	s.len = tcp_seg_len(f);
	if (f->burst_left >= 2 && room_after >= 1 && chance(&f->rng, 0.007)) {
		/* reordering: the next segment overtakes this one */
		struct seg late = s;

		s.seq += late.len;
		s.http = 0;
		f->burst_left--;
		s.len = tcp_seg_len(f);
		f->pend = late;
		f->have_pend = 1;
		f->since_ack++;
	} else if (room_after >= 1 && chance(&f->rng, 0.01)) {
		f->pend = s;	/* lost after the capture point: sent again */
		f->have_pend = 2;
	}
	if (f->burst_left == 1)
		s.flags |= TH_PSH;
	f->seq[dir] = s.seq + s.len;	/* a reordered s is the later one */
	f->burst_left--;
	f->since_ack++;
	return send_tcp(g, f, &s);
}

/* one packet of the data phase: pending segment, owed ACK, or data */
static int tcp_data_step(struct gen *g, struct flow *f, uint64_t *delay)
{
	int rc;

	if (f->have_pend) {
		f->pend.ack = f->seq[!f->pend.dir];
		f->have_pend = 0;
		rc = send_tcp(g, f, &f->pend);
	} else if (f->since_ack >= 2 || (f->burst_left == 0 && f->since_ack &&
					 f->burst_dir == DIR_B)) {
		struct seg s = { .dir = !f->burst_dir, .flags = TH_ACK };

		s.seq = f->seq[s.dir];
		s.ack = f->seq[f->burst_dir];
		f->since_ack = 0;
		rc = send_tcp(g, f, &s);
	} else {
		if (f->burst_left == 0)
			tcp_new_round(f);
		rc = tcp_send_data(g, f);
	}
	/* the gap before the next packet, by what it will be */
	if (f->have_pend == 2)
		*delay = f->rtt_ns * 3ULL > 200 * MSEC ? f->rtt_ns * 3ULL : 200 * MSEC;
	else if (f->have_pend == 1)
		*delay = rnd_logu(&f->rng, 2 * USEC, 80 * USEC);
	else if (f->burst_left && f->since_ack < 2)
		*delay = rnd_logu(&f->rng, 2 * USEC, 150 * USEC);
	else if (f->since_ack)
		*delay = f->burst_dir == DIR_A ? f->rtt_ns : rnd_logu(&f->rng, 10 * USEC, 40 * MSEC);
	else if (f->burst_dir == DIR_A)
		*delay = f->rtt_ns + rnd_logu(&f->rng, 30 * USEC, 50 * MSEC);
	else if (chance(&f->rng, 0.05))
		*delay = rnd_logu(&f->rng, 5 * NSEC, 60 * NSEC);
	else
		*delay = rnd_logu(&f->rng, 1 * MSEC, 5 * NSEC);
	if (f->left == tcp_close_need(f))
		f->phase = PH_CLOSE1;
	return rc;
}

static int tcp_close_step(struct gen *g, struct flow *f, uint64_t *delay)
{
	struct seg s = { .dir = DIR_A, .flags = TH_FIN | TH_ACK };

	if (f->phase == PH_CLOSE1 && f->rst_close) {
		s.dir = chance(&f->rng, 0.5) ? DIR_A : DIR_B;
		s.flags = TH_RST | TH_ACK;
	} else if (f->phase == PH_CLOSE2) {
		s.dir = DIR_B;
	} else if (f->phase == PH_CLOSE3) {
		s.flags = TH_ACK;
	}
	s.seq = f->seq[s.dir];
	s.ack = f->seq[!s.dir];
	if (s.flags & TH_FIN)
		f->seq[s.dir]++;
	*delay = f->phase == PH_CLOSE1 ? f->rtt_ns : rnd_logu(&f->rng, 20 * USEC, 1 * MSEC);
	f->phase++;
	return send_tcp(g, f, &s);
}

static int tcp_step(struct gen *g, struct flow *f, uint64_t *delay)
{
	struct seg s = { .dir = DIR_A, .flags = TH_SYN };

	switch (f->phase) {
	case PH_SYN:
		s.seq = f->seq[DIR_A];
		if (f->kind == FK_TCP_REFUSED) {
			f->phase = PH_REFUSE;
			*delay = f->rtt_ns;
		} else if (f->left - 1 >= 3 + tcp_close_need(f) && chance(&f->rng, 0.02)) {
			*delay = 1 * NSEC;	/* SYN retransmitted after 1 s */
		} else {
			f->seq[DIR_A]++;
			f->phase = PH_SYNACK;
			*delay = f->rtt_ns;
		}
		return send_tcp(g, f, &s);
	case PH_REFUSE:
		s = (struct seg){ .dir = DIR_B, .flags = TH_RST | TH_ACK,
				  .ack = f->seq[DIR_A] + 1 };
		return send_tcp(g, f, &s);
	case PH_SYNACK:
		s = (struct seg){ .dir = DIR_B, .flags = TH_SYN | TH_ACK,
				  .seq = f->seq[DIR_B]++, .ack = f->seq[DIR_A] };
		*delay = rnd_logu(&f->rng, 20 * USEC, 300 * USEC);
		f->phase = PH_ACK3;
		return send_tcp(g, f, &s);
	case PH_ACK3:
		s = (struct seg){ .dir = DIR_A, .flags = TH_ACK,
				  .seq = f->seq[DIR_A], .ack = f->seq[DIR_B] };
		*delay = rnd_logu(&f->rng, 30 * USEC, 2 * MSEC);
		f->phase = f->left - 1 == tcp_close_need(f) ? PH_CLOSE1 : PH_DATA;
		return send_tcp(g, f, &s);
	case PH_DATA:
		return tcp_data_step(g, f, delay);
	default:
		return tcp_close_step(g, f, delay);
	}
}

/* ---- UDP: DNS-like request/response, one-way streams; ICMP echo ---- */

static size_t dns_message(const struct flow *f, int response, uint8_t *m)
{
	char name[32];
	int len = snprintf(name, sizeof(name), "h%u", f->idx);
	static const char zone[] = "\7example\3net";
	uint16_t qtype = f->v6 ? 28 : 1;
	size_t n = 12;

	put16(m, f->dns_id);
	put16(m + 2, response ? 0x8180 : 0x0100);
	put16(m + 4, 1);
	put16(m + 6, response ? 1 : 0);
	put32(m + 8, 0);
	m[n++] = (uint8_t)len;
	memcpy(m + n, name, len);
	n += len;
	memcpy(m + n, zone, sizeof(zone));	/* includes the root label */
	n += sizeof(zone);
	put16(m + n, qtype);
	put16(m + n + 2, 1);
	n += 4;
	if (!response)
		return n;
	put16(m + n, 0xc00c);
	put16(m + n + 2, qtype);
	put16(m + n + 4, 1);
	put32(m + n + 6, 300);
	put16(m + n + 10, f->v6 ? 16 : 4);
	n += 12;
	memset(m + n, 0, f->v6 ? 16 : 4);
	put32(m + n + (f->v6 ? 12 : 0), 0xc6336400u | (f->idx & 0xff));
	return n + (f->v6 ? 16 : 4);
}

/* Q R Q R ...; an odd count starts with a query retried after a timeout */
static int dns_step(struct gen *g, struct flow *f, uint64_t *delay)
{
	uint8_t msg[128];
	uint32_t total = f->left + f->sent;
	uint32_t k = f->sent - (total & 1 && f->sent ? 1 : 0);
	int response = (total & 1 && f->sent == 0) ? 0 : (k & 1);
	size_t n;

	if (!response && !(total & 1 && f->sent == 1))
		f->dns_id++;
	n = dns_message(f, response, msg);
	if (total & 1 && f->sent == 0)
		*delay = rnd_logu(&f->rng, 1 * NSEC, 5 * NSEC);
	else if (!response)
		*delay = f->rtt_ns + rnd_logu(&f->rng, 50 * USEC, 30 * MSEC);
	else
		*delay = rnd_logu(&f->rng, 50 * MSEC, 10 * NSEC);
	return send_udp(g, f, response ? DIR_B : DIR_A, msg, n);
}

static int oneway_step(struct gen *g, struct flow *f, uint64_t *delay)
{
	const uint8_t *data = payload_bytes(g, f, f->sent);
	size_t n;

	if (f->sport == 5004) {
		/* RTP-like voice: 172 bytes every 20 ms with jitter */
		n = 172;
		*delay = 20 * MSEC - 500 * USEC + rnd_range(&f->rng, 0, 1000) * USEC;
	} else {
		n = rnd_logu(&f->rng, 30, 1200);
		*delay = rnd_logu(&f->rng, 100 * USEC, 30 * NSEC);
	}
	return send_udp(g, f, DIR_A, data, n);
}

/* request/reply pairs one second apart; an odd count ends unanswered */
static int icmp_step(struct gen *g, struct flow *f, uint64_t *delay)
{
	int reply = f->sent & 1;
	int rc = send_icmp_echo(g, f, reply ? DIR_B : DIR_A);

	*delay = reply ? NSEC - f->rtt_ns / 2 : f->rtt_ns;
	if (reply)
		f->icmp_seq++;
	return rc;
}

/* ---- the active flows: a min-heap on (next packet time, flow index) ---- */

static int flow_before(const struct flow *a, const struct flow *b)
{
	return a->next_ns < b->next_ns || (a->next_ns == b->next_ns && a->idx < b->idx);
}

static void heap_push(struct gen *g, struct flow *f)
{
	size_t i = g->heap_len++;

	while (i && flow_before(f, g->heap[(i - 1) / 2])) {
		g->heap[i] = g->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	g->heap[i] = f;
	if (g->heap_len > g->max_active)
		g->max_active = g->heap_len;
}

static struct flow *heap_pop(struct gen *g)
{
	struct flow *top = g->heap[0], *last = g->heap[--g->heap_len];
	size_t i = 0, n = g->heap_len;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && flow_before(g->heap[c + 1], g->heap[c]))
			c++;
		if (!flow_before(g->heap[c], last))
			break;
		g->heap[i] = g->heap[c];
		i = c;
	}
	if (n)
		g->heap[i] = last;
	return top;
}

/* ---- the plan: kinds and packet budgets, exactly g->packets in all ---- */

static uint32_t plan_fixed_budget(struct gen *g, struct flow_plan *p)
{
	double u = rnd01(&g->rng);

	switch (p->kind) {
	case FK_TCP_REFUSED:
		return 2;
	case FK_DNS:
		return u < 0.05 ? 1 : u < 0.75 ? 2 : u < 0.83 ? 3 : u < 0.95 ? 4 : 6;
	case FK_ICMP:
		return 2 * rnd_range(&g->rng, 1, 8) + (u < 0.1);
	case FK_TCP:
		p->rst_close = u < 0.12;
		return p->rst_close ? 4 : 6;
	default:
		return 1;
	}
}

/* flows of the kinds that grow share the packets beyond the minima, by a
 * heavy-tailed (Pareto) weight: a few elephants, many mice */
static int plan_flows(struct gen *g)
{
	static const uint8_t first_kinds[] = { FK_TCP, FK_TCP, FK_DNS, FK_ICMP, FK_ONEWAY,
					       FK_ICMP, FK_TCP_REFUSED, FK_DNS };
	double *w = calloc(g->nflows, sizeof(*w)), wsum = 0;
	uint64_t need = 0, extra, given = 0, i, gaps = 0;

	g->plan = calloc(g->nflows, sizeof(*g->plan));
	if (!w || !g->plan)
		return -1;
	for (i = 0; i < g->nflows; i++) {
		struct flow_plan *p = &g->plan[i];
		double u = rnd01(&g->rng);

		p->kind = u < 0.60 ? FK_TCP : u < 0.63 ? FK_TCP_REFUSED :
			  u < 0.81 ? FK_DNS : u < 0.90 ? FK_ONEWAY : FK_ICMP;
		if (i < sizeof(first_kinds))	/* even a tiny capture has the mix */
			p->kind = first_kinds[i];
		p->budget = plan_fixed_budget(g, p);
		need += p->budget;
		if (p->kind == FK_TCP || p->kind == FK_ONEWAY) {
			w[i] = pow(1.0 - rnd01(&g->rng), -1.0 / 1.2);
			if (p->kind == FK_ONEWAY)
				w[i] *= 0.5;
			wsum += w[i];
		}
	}
	if (need > g->packets) {
		fprintf(stderr, "xdpflow-gen: -p %" PRIu64 " is too few for -f %" PRIu64
			" flows (this plan needs at least %" PRIu64 ")\n",
			g->packets, g->nflows, need);
		free(w);
		return -1;
	}
	extra = g->packets - need;
	for (i = 0; i < g->nflows; i++) {
		uint64_t add = w[i] > 0 ? (uint64_t)(extra * (w[i] / wsum)) : 0;

		g->plan[i].budget += add;
		given += add;
	}
	for (i = 0; given < extra; i = (i + 1) % g->nflows) {
		if (w[i] > 0) {
			g->plan[i].budget++;
			given++;
		}
	}
	/* some flows pause past the idle timeout; at least two in any capture */
	for (i = 0; i < g->nflows; i++) {
		struct flow_plan *p = &g->plan[i];

		if (p->budget < 6 || p->kind == FK_DNS || p->kind == FK_TCP_REFUSED)
			continue;
		if (gaps < 2 || chance(&g->rng, 0.006)) {
			p->idle_gap = 1;
			gaps++;
		}
	}
	free(w);
	return 0;
}

/* ---- starting and finishing flows ---- */

static uint16_t server_port(uint64_t *rng, int kind)
{
	double u = rnd01(rng);

	if (kind == FK_DNS)
		return 53;
	if (kind == FK_ONEWAY)
		return u < 0.5 ? 5004 : 514;
	if (kind == FK_ICMP)
		return 0;
	return u < 0.60 ? 443 : u < 0.85 ? 80 : u < 0.90 ? 22 : u < 0.93 ? 25 :
	       u < 0.97 ? 8080 : (uint16_t)rnd_range(rng, 1024, 49151);
}

static struct flow *flow_start(struct gen *g, uint64_t idx, uint64_t t_ns)
{
	static const uint16_t vlans[] = { 10, 20, 30, 100, 200, 1001 };
	const struct flow_plan *p = &g->plan[idx];
	struct flow *f = calloc(1, sizeof(*f));
	uint32_t k;

	if (!f)
		return NULL;
	f->rng = splitmix64(g->seed ^ splitmix64(idx + 1)) | 1;
	f->idx = (uint32_t)idx;
	f->next_ns = t_ns;
	f->left = p->budget;
	f->kind = p->kind;
	f->rst_close = p->rst_close;
	f->gap_at = p->idle_gap ? p->budget / 2 : 0;
	f->v6 = chance(&f->rng, 0.15);
	f->vlan = chance(&f->rng, 0.10) ? vlans[rnd(&f->rng) % 6] : 0;
	if (idx < 8) {
		/* the first flows: TCP, ICMP and DNS over IPv6 (odd), one VLAN */
		f->v6 = idx & 1;
		f->vlan = idx == 5 ? 100 : 0;
	}
	/* client host and port: unique per flow (port differs among a host's flows) */
	f->chost = (uint32_t)(idx % g->nclients);
	k = (uint32_t)(idx / g->nclients);
	f->cport = (uint16_t)(32768 + ((uint64_t)k * 7919 + f->chost * 13ULL) % 28232);
	f->shost = (uint32_t)(g->nservers * pow(rnd01(&f->rng), 3.0));
	f->sport = server_port(&f->rng, f->kind);
	f->rtt_ns = (uint32_t)rnd_logu(&f->rng, 200 * USEC, 150 * MSEC);
	f->seq[0] = (uint32_t)rnd(&f->rng);
	f->seq[1] = (uint32_t)rnd(&f->rng);
	f->ip_id[0] = (uint16_t)rnd(&f->rng);
	f->ip_id[1] = (uint16_t)rnd(&f->rng);
	f->dns_id = (uint16_t)rnd(&f->rng);
	g->kind_count[f->kind]++;
	return f;
}

static const char summary_header[] =
	"%flowInd\tkind\tl4Proto\tipVer\tvlan\tsrcIP\tsrcPort\tdstIP\tdstPort"
	"\tpktsAB\tbytesAB\tpktsBA\tbytesBA\tl3BytesAB\tl3BytesBA"
	"\ttimeFirst\ttimeLast\tidleGaps\n";

static int summary_line(struct gen *g, const struct flow *f)
{
	static const uint8_t proto[FK_KINDS] = { 6, 6, 17, 17, 1 };
	char a[48], b[48];
	int l4 = f->kind == FK_ICMP && f->v6 ? 58 : proto[f->kind];
	int icmp = f->kind == FK_ICMP;

	addr_str(f, 0, a, sizeof(a));
	addr_str(f, 1, b, sizeof(b));
	return fprintf(g->summary, "%u\t%s\t%d\t%d\t%u\t%s\t%u\t%s\t%u\t%" PRIu64 "\t%" PRIu64
		       "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
		       "\t%" PRIu64 ".%09" PRIu64 "\t%" PRIu64 ".%09" PRIu64 "\t%u\n",
		       f->idx + 1, kind_name[f->kind], l4, f->v6 ? 6 : 4, f->vlan,
		       a, icmp ? 0 : f->cport, b, icmp ? 0 : f->sport,
		       f->pkts[0], f->bytes[0], f->pkts[1], f->bytes[1],
		       f->l3bytes[0], f->l3bytes[1],
		       f->first_ns / NSEC, f->first_ns % NSEC,
		       f->last_ns / NSEC, f->last_ns % NSEC, f->gaps) < 0 ? -1 : 0;
}

/* send f's next packet; returns the delay to the one after it */
static int flow_step(struct gen *g, struct flow *f, uint64_t *delay)
{
	int rc;

	switch (f->kind) {
	case FK_TCP:
	case FK_TCP_REFUSED:
		rc = tcp_step(g, f, delay);
		break;
	case FK_DNS:
		rc = dns_step(g, f, delay);
		break;
	case FK_ONEWAY:
		rc = oneway_step(g, f, delay);
		break;
	default:
		rc = icmp_step(g, f, delay);
		break;
	}
	if (f->gap_at && f->left == f->gap_at) {
		*delay += IDLE_GAP_MIN * NSEC + rnd_logu(&f->rng, 1 * MSEC, 200 * NSEC);
		f->gaps++;
	}
	return rc;
}

static int run(struct gen *g)
{
	double mean_gap = (double)g->duration_s * NSEC / g->nflows;
	uint64_t next_start = START_SEC * NSEC;
	struct flow *f;
	uint64_t delay;

	while (g->next_flow < g->nflows || g->heap_len) {
		if (g->next_flow < g->nflows &&
		    (!g->heap_len || next_start <= g->heap[0]->next_ns)) {
			f = flow_start(g, g->next_flow++, next_start);
			if (!f)
				return -1;
			heap_push(g, f);
			next_start += (uint64_t)rnd_exp(&g->rng, mean_gap);
			continue;
		}
		f = heap_pop(g);
		delay = 0;
		if (flow_step(g, f, &delay))
			return -1;
		if (f->left) {
			f->next_ns += delay;
			heap_push(g, f);
			continue;
		}
		if (g->summary && summary_line(g, f))
			return -1;
		free(f);
	}
	return 0;
}

/* ---- command line ---- */

static void usage(FILE *out)
{
	fprintf(out,
		"usage: xdpflow-gen -o FILE -p PACKETS -f FLOWS [-s SEED] [-d SECONDS]\n"
		"                   [--ns] [--pcapng] [--summary FILE] [-q]\n"
		"  -o FILE         output capture ('-' for stdout)\n"
		"  -p PACKETS      exact number of packets (k, M suffixes: 1M = 1000000)\n"
		"  -f FLOWS        exact number of flows (unique 5-tuples)\n"
		"  -s SEED         random seed (default 1); same seed, same bytes\n"
		"  -d SECONDS      span of flow arrivals (default max(300, FLOWS/100))\n"
		"  --ns            nanosecond timestamps (pcap magic a1b23c4d)\n"
		"  --pcapng        write pcapng instead of pcap\n"
		"  --summary FILE  ground truth, one TSV line per flow (A = client)\n"
		"  -q              no end summary on stderr\n");
}

static int parse_count(const char *opt, const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end == 'k' || *end == 'K')
		v *= 1000, end++;
	else if (*end == 'M')
		v *= 1000000, end++;
	else if (*end == 'G')
		v *= 1000000000, end++;
	if (errno || end == s || *end || s[0] == '-') {
		fprintf(stderr, "xdpflow-gen: %s '%s': not a count\n", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_args(struct gen *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "ns", no_argument, NULL, 'N' },
		{ "pcapng", no_argument, NULL, 'G' },
		{ "summary", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc = 0;

	g->seed = 1;
	while (!rc && (c = getopt_long(argc, argv, "o:p:f:s:d:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': g->out_path = optarg; break;
		case 'p': rc = parse_count("-p", optarg, &g->packets); break;
		case 'f': rc = parse_count("-f", optarg, &g->nflows); break;
		case 's': rc = parse_count("-s", optarg, &g->seed); break;
		case 'd': rc = parse_count("-d", optarg, &g->duration_s); break;
		case 'q': g->quiet = 1; break;
		case 'N': g->ns = 1; break;
		case 'G': g->pcapng = 1; break;
		case 'S': g->summary_path = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (rc)
		return -1;
	if (optind != argc || !g->out_path || !g->packets || !g->nflows) {
		fprintf(stderr, "xdpflow-gen: -o, -p and -f are required (and nothing else)\n");
		usage(stderr);
		return -1;
	}
	if (g->nflows > g->packets || g->nflows > UINT32_MAX) {
		fprintf(stderr, "xdpflow-gen: -f %" PRIu64 ": more flows than packets or 2^32\n",
			g->nflows);
		return -1;
	}
	if (!g->duration_s)
		g->duration_s = g->nflows / 100 > 300 ? g->nflows / 100 : 300;
	return 0;
}

static FILE *open_out(const char *path, const char *what)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "wb") : stdout;

	if (!f)
		fprintf(stderr, "xdpflow-gen: %s %s: %s\n", what, path, strerror(errno));
	else
		setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}

static int close_out(FILE *f, const char *path)
{
	if (fflush(f) || ferror(f) || (f != stdout && fclose(f))) {
		fprintf(stderr, "xdpflow-gen: %s: write failed: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void report(const struct gen *g)
{
	int k;

	fprintf(stderr, "xdpflow-gen: %s: %" PRIu64 " packets, %" PRIu64 " bytes, %"
		PRIu64 " flows (", g->out_path, g->written, g->bytes_written, g->nflows);
	for (k = 0; k < FK_KINDS; k++)
		fprintf(stderr, "%s%s %" PRIu64, k ? ", " : "", kind_name[k], g->kind_count[k]);
	fprintf(stderr, "), at most %" PRIu64 " active at once\n", g->max_active);
}

int main(int argc, char **argv)
{
	static struct gen gen;
	struct gen *g = &gen;
	uint64_t s;
	size_t i;

	if (parse_args(g, argc, argv))
		return 2;
	g->rng = splitmix64(g->seed) | 1;
	for (s = splitmix64(~g->seed) | 1, i = 0; i < sizeof(g->payload); i++)
		g->payload[i] = (uint8_t)(rnd(&s) >> 56);
	g->nclients = (uint32_t)(g->nflows / 8 + 1);
	g->nservers = (uint32_t)(g->nflows / 50 + 16);
	g->heap = malloc(g->nflows * sizeof(*g->heap));
	if (!g->heap || plan_flows(g))
		return 1;
	g->out = open_out(g->out_path, "-o");
	if (!g->out)
		return 1;
	if (g->summary_path) {
		g->summary = open_out(g->summary_path, "--summary");
		if (!g->summary || fputs(summary_header, g->summary) < 0)
			return 1;
	}
	if (write_file_header(g) || run(g)) {
		fprintf(stderr, "xdpflow-gen: %s: %s\n", g->out_path,
			errno ? strerror(errno) : "out of memory");
		return 1;
	}
	if (close_out(g->out, g->out_path) ||
	    (g->summary && close_out(g->summary, g->summary_path)))
		return 1;
	if (g->written != g->packets) {
		fprintf(stderr, "xdpflow-gen: internal error: wrote %" PRIu64 " packets, planned %"
			PRIu64 "\n", g->written, g->packets);
		return 1;
	}
	if (!g->quiet)
		report(g);
	return 0;
}
