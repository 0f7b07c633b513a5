/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reasm.h - stream reassembly: one reassembler per direction of a flow.
 *
 * Independent of pcap and of the flow table: feed it segments (sequence
 * number, TCP flags, payload, time, packet number) in capture order and it
 * calls back with the stream in order: DATA chunks at absolute stream
 * offsets, GAP events for bytes that never arrived (never closed up
 * silently), OVERLAP events for retransmitted bytes that differ, and the
 * FIN/RST that ended the stream.  Both engines can drive it: the libpcap
 * engine with captured frames, the kernel engine with its payload records.
 *
 * Offsets count from the byte after the SYN (ISN + 1), or from the first
 * sequence number seen when the capture starts mid-stream.  They are 64-bit:
 * sequence numbers wrap at 2^32, offsets do not.
 *
 * Overlaps with different bytes (policy applies to bytes still buffered,
 * out of order; bytes already delivered are final and only counted):
 *   FIRST    the data that arrived first wins (default; tshark's choice)
 *   LAST     the data that arrived last wins (tcpflow's effect: it rewrites
 *            the file at the segment's offset)
 *   BSD      the old data wins unless the new segment starts before it
 *   LINUX    as BSD, and the new segment also wins when it starts at the
 *            same place as the old one and ends after it
 *   WINDOWS  the old data wins unless the new segment starts before it and
 *            ends at or after its end (it covers it completely)
 * These follow the target-based policies of Novak and Sturges (2007) as the
 * IDS engines name them; docs/streams.md has the worked examples.
 */
#ifndef XF_REASM_H
#define XF_REASM_H

#include <stdint.h>
#include <stddef.h>

enum xf_rs_policy {
	XF_RS_FIRST = 0,
	XF_RS_LAST,
	XF_RS_BSD,
	XF_RS_LINUX,
	XF_RS_WINDOWS,
	XF_RS__POLICIES
};

/* "first|last|bsd|linux|windows" -> policy, -1 if unknown */
int xf_rs_policy_parse(const char *name);
const char *xf_rs_policy_name(enum xf_rs_policy p);

enum xf_rs_ev_type {
	XF_RS_DATA = 1,         /* bytes of the stream, in order */
	XF_RS_GAP,              /* len bytes at off never arrived */
	XF_RS_OVERLAP,          /* len bytes at off arrived again with other content */
	XF_RS_FIN,              /* the stream ended with a FIN at off */
	XF_RS_RST,              /* the stream was reset at off */
};

struct xf_rs_event {
	enum xf_rs_ev_type type;
	uint64_t off;           /* stream offset of the first byte */
	uint64_t len;           /* DATA/GAP/OVERLAP: bytes */
	const uint8_t *data;    /* DATA: the bytes (valid during the call only) */
	uint32_t seq;           /* TCP sequence number of off (0 for datagrams) */
	uint64_t ts;            /* ns: of the segment that carried the data */
	uint64_t pkt_no;        /* packet number of that segment */
	int      dir;           /* copied from the reassembler */
};

typedef void (*xf_rs_cb)(void *user, const struct xf_rs_event *ev);

/* Run-wide accounting of buffered out-of-order bytes (the global cap). */
struct xf_rs_pool {
	uint64_t cap;           /* 0 = no global cap */
	uint64_t used;
	uint64_t peak;
	uint64_t cap_hits;      /* times the global cap forced a gap */
};

struct xf_rs_cfg {
	enum xf_rs_policy policy;
	uint64_t max_ooo;       /* per-direction cap on buffered bytes, 0 = none */
	uint32_t history;       /* delivered bytes kept to compare retransmissions */
	struct xf_rs_pool *pool;/* NULL: no global cap */
};

/* Per-direction status bits (xf_reasm.flags) */
#define XF_RSF_SYN          0x0001  /* stream started with a SYN */
#define XF_RSF_MIDSTREAM    0x0002  /* no SYN seen: offsets from the first segment */
#define XF_RSF_FIN          0x0004  /* FIN reached in order */
#define XF_RSF_RST          0x0008
#define XF_RSF_GAP          0x0010  /* at least one gap reported */
#define XF_RSF_OVERLAP      0x0020  /* overlapping bytes differed */
#define XF_RSF_CAP_FLOW     0x0040  /* per-flow cap forced a gap */
#define XF_RSF_CAP_GLOBAL   0x0080  /* global cap forced a gap */
#define XF_RSF_RETRANS      0x0100  /* retransmitted bytes seen */
#define XF_RSF_OOO          0x0200  /* out-of-order segments seen */
#define XF_RSF_KEEPALIVE    0x0400  /* keep-alive probes seen (their byte ignored) */

struct xf_rs_stats {
	uint64_t segs;              /* segments fed */
	uint64_t bytes;             /* bytes delivered */
	uint64_t retrans_segs;      /* segments with bytes already delivered/buffered */
	uint64_t retrans_bytes;
	uint64_t ooo_segs;          /* segments buffered with a gap before them */
	uint64_t overlap_bytes;     /* bytes that arrived again with other content */
	uint64_t unverified_bytes;  /* retransmitted bytes older than the history */
	uint64_t gaps, gap_bytes;
	uint64_t keepalives;
	uint64_t before_start;      /* bytes before the stream's first offset */
	uint64_t after_fin;         /* bytes past the FIN */
	uint64_t cap_flow_hits, cap_global_hits;
	uint64_t buffered_peak;
};

struct xf_rs_chunk;

struct xf_reasm {
	struct xf_rs_cfg cfg;
	xf_rs_cb cb;
	void    *user;
	int      dir;
	int      started;
	int      datagram;          /* UDP/SCTP: payloads in order, no sequence */
	uint32_t flags;             /* XF_RSF_* */
	uint32_t next_seq;          /* sequence number of next_off */
	uint64_t next_off;          /* next stream offset to deliver */
	uint64_t fin_off;           /* valid with fin_seen */
	int      fin_seen;
	int      closed;            /* FIN delivered or RST: later bytes are after_fin */
	int      tentative;         /* mid-stream start on an empty segment: it may
				     * be a keep-alive (sequence number one below
				     * the next byte) */
	uint64_t acked_off;         /* highest offset the peer acknowledged */
	int      acked;
	uint64_t seen_off;          /* end of the furthest segment, captured or not */
	struct xf_rs_chunk *ooo;    /* buffered, sorted, non-overlapping */
	uint64_t buffered;          /* bytes in ooo */
	uint8_t *hist;              /* ring of the last cfg.history delivered bytes */
	struct xf_rs_stats st;
};

void xf_reasm_init(struct xf_reasm *r, const struct xf_rs_cfg *cfg, int dir,
		   xf_rs_cb cb, void *user);
/* A TCP segment of this direction; flags are the TCP flags byte.  len bytes
 * of payload were captured of seg_len per the headers (seg_len > len: the
 * snap length cut it; the rest becomes a gap, and a FIN sits after seg_len). */
void xf_reasm_tcp(struct xf_reasm *r, uint32_t seq, uint8_t flags,
		  const uint8_t *data, uint32_t len, uint32_t seg_len,
		  uint64_t ts, uint64_t pkt_no);
/* The other direction acknowledged `ack` (lets flush report a trailing gap). */
void xf_reasm_ack(struct xf_reasm *r, uint32_t ack);
/* The stream reaches at least seq_end (a segment cut by the snap length:
 * its uncaptured bytes become a gap at flush). */
void xf_reasm_seen(struct xf_reasm *r, uint32_t seq_end);
/* A datagram (UDP/SCTP chunk payload): appended as the next bytes. */
void xf_reasm_dgram(struct xf_reasm *r, const uint8_t *data, uint32_t len,
		    uint64_t ts, uint64_t pkt_no);
/* End of the flow: report gaps, deliver what was buffered after them. */
void xf_reasm_flush(struct xf_reasm *r);
/* Frees buffers (without delivering). */
void xf_reasm_free(struct xf_reasm *r);

/* XF_FS_RS_* flowStat bits for this direction's flags */
uint64_t xf_reasm_flowstat(const struct xf_reasm *r);

#define XF_RS_TCP_FIN 0x01
#define XF_RS_TCP_SYN 0x02
#define XF_RS_TCP_RST 0x04
#define XF_RS_TCP_PSH 0x08
#define XF_RS_TCP_ACK 0x10

#endif
