/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats.h - run-wide counters for the end report and the monitor.  Loss
 * counters are registered by whoever can drop something, so the report and
 * the monitor list every one of them: nothing is lost silently.
 */
#ifndef XF_STATS_H
#define XF_STATS_H

#include <stdint.h>
#include <xdpflow/abi.h>

struct xf_stats {
	uint64_t pkts;              /* packets read */
	uint64_t bytes_wire;        /* sum of wire lengths */
	uint64_t bytes_cap;         /* sum of captured lengths */
	uint64_t pkts_v4, pkts_v6, pkts_l2, pkts_tcp, pkts_udp, pkts_icmp, pkts_sctp, pkts_other_l4;
	uint64_t pkts_frag;
	uint64_t pkts_a, pkts_b;
	uint64_t bytes_a, bytes_b;
	uint64_t parse[XF_PR__COUNT];  /* parse outcomes */
	uint64_t snapped;           /* captured < wire */
	uint64_t bad_ipcsum;
	uint64_t flows;             /* flows created */
	uint64_t flows_a, flows_b;  /* finalized flows with an A / a B direction */
	uint64_t flows_in_mem, flows_in_mem_max;
	uint64_t flows_evicted;     /* table full: ended early */
	uint64_t flows_idle, flows_active, flows_tcp_end, flows_input_end;
	uint64_t time_jumps;        /* timestamps going backwards */
	uint64_t frag_nohead;
	uint64_t no_flow;           /* packets that made no flow (parse failures, L2 off) */
	uint64_t first_ts, last_ts; /* ns */
	uint64_t flowstat_or;       /* aggregated flowStat */
};

extern struct xf_stats xf_stats;

struct xf_loss_counter {
	const char *name;          /* e.g. "ringbuf reserve failed (payload)" */
	const uint64_t *value;
	struct xf_loss_counter *next;
};
void xf_loss_register(struct xf_loss_counter *c);
struct xf_loss_counter *xf_loss_counters(void);

#endif
