/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * collector.h - what happens after the meter, for both engines: flows are
 * finalized (module flow_end hooks, counters, sinks) and freed; packets are
 * handed to the modules and to the packet file.
 */
#ifndef XF_COLLECTOR_H
#define XF_COLLECTOR_H

#include <stdio.h>
#include "flow.h"
#include "run.h"

int  xf_collector_open(struct xf_run *run);   /* opens the files; -1 on error (reported) */
/* A flow ended for `reason` (an XF_FS_*_END bit): sinks get it, then it may be freed. */
void xf_collector_finalize(struct xf_flow_ctx *fc, uint64_t reason);
/* A packet has been metered (pv->fc set) or could not make a flow (pv->fc NULL). */
void xf_collector_packet(const struct xf_pkt_view *pv);
/* Fill a packet view (fc NULL, dir/iat 0); l7 is the captured part of the
 * payload, clipped to the length the headers give. */
void xf_pkt_view_init(struct xf_pkt_view *pv, const struct xf_pkt *p, const uint8_t *frame,
		      uint32_t caplen, uint64_t ts, uint64_t pkt_no);
/* End of run: close sinks, write the report to stderr and PREFIX_log.txt. */
void xf_collector_close(struct xf_run *run, int status);
/* The report so far (SIGUSR1), to `out`. */
void xf_collector_report(FILE *out, struct xf_run *run);

#endif
