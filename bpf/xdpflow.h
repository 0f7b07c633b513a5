/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xdpflow.h - the ABI between bpf/xdpflow.bpf.c and the collector
 * (userspace/engine_xdp.c): ringbuf record layouts, the per-packet result
 * the replay loop reads back, and the kernel counter indexes.  Fixed-width
 * types, explicit padding, sizes pinned by _Static_assert.
 */
#ifndef XDPFLOW_BPF_H
#define XDPFLOW_BPF_H

#include <xdpflow/abi.h>

/* Ringbuf record types (struct xf_ev_hdr.type) */
enum xf_ev_type {
	XF_EV_NEW_FLOW = 1,     /* struct xf_ev_flow: a flow was inserted in the map */
	XF_EV_PKT,              /* struct xf_ev_pkt: packet mode / payload sample / overflow */
};

/* struct xf_ev_pkt.why: why this packet record was sent (bits) */
#define XF_EVP_PKT_MODE   0x01  /* -s: every metered packet */
#define XF_EVP_PAYLOAD    0x02  /* payload sample (port/flow selection, rate) */
#define XF_EVP_OVERFLOW   0x04  /* flow map full: the collector meters this packet */
#define XF_EVP_NO_FLOW    0x08  /* the packet made no flow (parse failure, L2 off) */
#define XF_EVP_TCP_DONE   0x10  /* the connection is over after this packet */

struct xf_ev_hdr {
	__u16 type;             /* enum xf_ev_type */
	__u16 why;              /* XF_EVP_* (packet records) */
	__u32 len;              /* whole record, bytes */
};

/* A new flow entered the flow map. */
struct xf_ev_flow {
	struct xf_ev_hdr hdr;
	__u32 side;             /* key side of the first packet's source (A) */
	__u32 ifindex;
	__u64 index;            /* flowInd */
	__u64 ts;               /* first packet, ns since the epoch */
	struct xf_flow_key key;
	__u32 pad;
};

/*
 * One packet: the parser's view plus the first snap_len bytes of the frame
 * (data[]; the reservation is always XF_EVP_SIZE(cfg_snap_len) bytes).
 */
struct xf_ev_pkt {
	struct xf_ev_hdr hdr;
	__u32 dir;              /* 0 = A, 1 = B (overflow/no flow: key side) */
	__u32 snap_len;         /* valid bytes in data[] */
	__u64 ts;               /* ns since the epoch */
	__u64 index;            /* flowInd, 0 if the flow is not in the map */
	__u64 iat;              /* ns to the previous packet of this flow direction */
	__u32 side;             /* key side of the packet's source */
	__u32 ifindex;
	struct xf_flow_key key;
	__u32 egress;           /* 1: seen by the TC egress program */
	struct xf_pkt pkt;
	__u8  data[];
};

#define XF_EVP_SIZE(snap) ((sizeof(struct xf_ev_pkt) + (snap) + 7) & ~7u)

/*
 * Replay (BPF_PROG_RUN): the program writes what it did with the packet
 * here (.bss), the replay loop reads it back before the next run.
 */
#define XF_RO_NEW_FLOW    0x01
#define XF_RO_MAP_FULL    0x02
#define XF_RO_NO_FLOW     0x04
#define XF_RO_TCP_DONE    0x08
#define XF_RO_METERED     0x10

struct xf_replay_out {
	struct xf_flow_key key;
	__u32 flags;            /* XF_RO_* */
	__u32 side;
	__u32 dir;
	__u64 index;
	__u64 iat;
	struct xf_pkt pkt;
};

/* Per-CPU kernel counters, indexed by enum xf_kcounter (abi.h). */

_Static_assert(sizeof(struct xf_ev_hdr) == 8, "xf_ev_hdr layout");
_Static_assert(sizeof(struct xf_ev_flow) % 8 == 0, "xf_ev_flow padding");
_Static_assert(sizeof(struct xf_ev_pkt) % 8 == 0, "xf_ev_pkt padding");

#endif /* XDPFLOW_BPF_H */
