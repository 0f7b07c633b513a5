/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kern_engine.h - the kernel engine's userspace half, shared by its files:
 * kern_load.c (open, configure, load the skeleton), kern_attach.c (XDP and
 * TC attachment), kern_collect.c (ringbuf records, map polling, flow
 * finalization, counters) and engine_xdp.c (live loop and pcap replay).
 */
#ifndef XF_KERN_ENGINE_H
#define XF_KERN_ENGINE_H

#include <stdint.h>
#include <bpf/libbpf.h>
#include <xdpflow/abi.h>
#include "../bpf/xdpflow.h"
#include "flow.h"
#include "flow_table.h"
#include "run.h"

struct xdpflow;                 /* the skeleton, $(BUILD)/bpf/xdpflow.skel.h */
struct xf_kern_bench;

struct xf_kern {
	struct xdpflow *skel;
	struct xf_run *run;
	struct xf_cfg cfg;
	int replay;                     /* loaded for BPF_PROG_RUN replay */
	int pkt_mode;
	int bench_only;                 /* loaded to be timed, never attached */
	const char *pin;                /* --pin PATH or NULL */
	int flows_fd;
	int ncpus;
	struct ring_buffer *rb;
	struct xf_flow_table *ft;       /* userspace side of kernel flows: module state */
	struct xf_flow_table *ovf;      /* flows metered here while the map was full */
	struct xf_flow_table *cont;     /* keys cut by the active timeout (kern_collect.c) */
	/* attachment */
	const char *iface;
	int ifindex;
	int xdp_link_fd;                /* -1: none */
	int xdp_flags;                  /* XDP_FLAGS_DRV_MODE / XDP_FLAGS_SKB_MODE */
	int tc_link_fd;                 /* tcx link, -1: none */
	int tc_clsact;                  /* 1: filter in the clsact qdisc */
	int tc_hook_created;
	/* timeouts, ns; 0 = off */
	uint64_t idle_ns, active_ns, close_ns;
	int early_end;
	/* counters */
	uint64_t kc[XF_KC__COUNT];      /* kernel counters, summed over CPUs */
	uint64_t kc_user[XF_KC__COUNT]; /* counted in userspace (replay: frames too short for XDP) */
	uint64_t ovf_full;              /* overflow table full too: packets lost */
	uint64_t ovf_flows;             /* flows created in the overflow table */
	uint64_t pkt_no;
	uint64_t replay_errors;         /* frames BPF_PROG_RUN refused */
	uint64_t replay_cut;            /* frames over XDP_RUN_MAX handed over cut */
	struct xf_kern_bench *bench;    /* XDP_BENCH_REPEAT (engine_xdp_bench.c) */
};

/* engine_xdp.c: streams ask for every payload packet of a flow (live only) */
int  xf_xdp_select_flow(const struct xf_flow_key *key, int on);

/* engine_xdp_bench.c */
int  xf_kern_bench_open(struct xf_kern *k);     /* 0 or -1 (reported) */
void xf_kern_bench_packet(struct xf_kern_bench *b, const uint8_t *bytes, uint32_t len, int linktype);
void xf_kern_bench_close(struct xf_kern *k);    /* prints the figure */

/* kern_load.c */
int  xf_kern_probe(void);                       /* 0, or -2 after saying why */
int  xf_kern_open_load(struct xf_kern *k);      /* 0, -1 (reported), -2 (no permission) */
void xf_kern_close(struct xf_kern *k);
void xf_kern_cfg_from_settings(struct xf_cfg *cfg);
const char *xf_kern_payload_ports(void);
uint64_t xf_wall_offset_ns(void);

/* kern_attach.c */
int  xf_kern_iface_check(struct xf_kern *k);   /* exists and up: 0, else -1 (reported) */
int  xf_kern_attach(struct xf_kern *k);         /* 0 or -1 (reported, nothing left attached) */
void xf_kern_detach(struct xf_kern *k);

/* kern_collect.c */
int  xf_kern_collect_init(struct xf_kern *k);
void xf_kern_collect_fini(struct xf_kern *k);
int  xf_kern_ringbuf_drain(struct xf_kern *k);
void xf_kern_poll_map(struct xf_kern *k, uint64_t now, int flush_all);
void xf_kern_expire_table(struct xf_kern *k, struct xf_flow_table *ft, uint64_t now, int from_map);
void xf_kern_flush_table(struct xf_kern *k, struct xf_flow_table *ft, int from_map);
void xf_kern_finalize(struct xf_kern *k, struct xf_flow_ctx *fc, uint64_t reason, int from_map);
void xf_kern_overflow_packet(struct xf_kern *k, const struct xf_flow_key *key, uint32_t side,
			     const struct xf_pkt *p, uint64_t ts, struct xf_pkt_view *pv);
void xf_kern_counters_read(struct xf_kern *k);
void xf_kern_losses_register(struct xf_kern *k);

#endif
