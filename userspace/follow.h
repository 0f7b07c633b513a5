/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * follow.h - the packets of one flow, read from a pcap (parsed and keyed
 * with the shared parser and flow key) or from a packets file (-s output),
 * for `xdpflow follow`, transcripts and `xdpflow split`.
 */
#ifndef XF_FOLLOW_H
#define XF_FOLLOW_H

#include <stdint.h>
#include <stdio.h>
#include "reasm.h"
#include <xdpflow/abi.h>

/* Which flow: a flowInd, or a 5-tuple (either direction). */
struct xf_fsel {
	uint64_t flow_ind;              /* 0: use the tuple */
	uint8_t  addr[2][XF_ADDR_LEN];
	uint16_t port[2];
	uint8_t  ip_ver;
	uint8_t  l4_proto;              /* 0: any */
};

struct xf_fpkt {
	uint64_t pkt_no;
	uint64_t ts;                    /* ns */
	int      dir;                   /* 0 = A, 1 = B */
	uint32_t seq, ack;
	uint8_t  tcp_flags;
	uint8_t  l2_trailer;            /* the frame had bytes after the IP datagram */
	uint8_t  tso;                   /* IP length 0 (TSO / BIG TCP): the frame says */
	uint8_t  ip6_ext;               /* IPv6 with extension headers */
	uint8_t  tunnel;                /* decapsulated (GRE, VXLAN, ...) */
	uint32_t wire_len;
	uint32_t l7_len;                /* payload length per headers */
	uint32_t plen;                  /* payload bytes captured (<= l7_len) */
	uint8_t *payload;
	uint32_t caplen;                /* keep_frames: the frame */
	uint8_t *frame;
};

struct xf_fflow {
	uint64_t flow_ind;
	uint8_t  ip_ver, l4_proto;
	uint8_t  addr[2][XF_ADDR_LEN];  /* [0] = A */
	uint16_t port[2];
	int      linktype;
	uint64_t first_ts;
	size_t   npkts, cap;
	struct xf_fpkt *pkts;
};

/* An event of the followed flow (reasm.h), in delivery order; data copied. */
struct xf_fevent {
	struct xf_rs_event ev;
	uint8_t *data;
	uint32_t wire_len;
};

struct xf_fevents {
	struct xf_fevent *v;
	size_t n, cap;
	int oom;
};

enum xf_tr_fmt { XF_TR_TEXT, XF_TR_HEX, XF_TR_JSON };

/* Conversation transcript (transcript.c): the turns in the order the two
 * sides spoke, with direction markers, as text, hex+ASCII or JSON. */
void xf_transcript_write(FILE *out, enum xf_tr_fmt fmt, const struct xf_fflow *fl,
			 const struct xf_fevents *fe);
/* hexdump lines as tshark's follow hex (offset, 16 bytes, ASCII) */
void xf_hexdump(FILE *out, const char *indent, uint64_t off, const uint8_t *p, size_t n);
void xf_base64(FILE *out, const uint8_t *p, size_t n);

/* "42" or "10.0.0.1:40000-10.0.0.2:80[/tcp]" ("[2001:db8::1]:40000-..."). */
int  xf_fsel_parse(const char *s, struct xf_fsel *sel);
/* Read the flow's packets from SOURCE (pcap/pcapng, or a packets file).
 * keep_frames: also keep each frame (pcap sources only).  0, or -1 after
 * one line naming the source and the problem. */
int  xf_follow_load(const char *source, const struct xf_fsel *sel, int keep_frames,
		    struct xf_fflow *out);
void xf_fflow_free(struct xf_fflow *fl);
/* "10.0.0.1" / "2001:db8::1" (RFC 5952) */
void xf_fflow_addr_str(const struct xf_fflow *fl, int side, char *buf, size_t n);

/* Flow numbering over a capture, as follow does it (shared parser and key):
 * the flowInd of a frame (0: it makes no flow; UINT64_MAX: no memory),
 * its direction, and whether it started the flow. */
struct xf_flow_numbers;
struct xf_flow_numbers *xf_fnum_new(void);
void     xf_fnum_free(struct xf_flow_numbers *fn);
uint64_t xf_fnum_packet(struct xf_flow_numbers *fn, int linktype, const uint8_t *data,
			uint32_t caplen, struct xf_pkt *p, int *dir, int *fresh);

#endif
