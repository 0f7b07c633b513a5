/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * meter.h - the per-packet flow update shared by the XDP/TC programs and the
 * userspace engine.  Header-only and BPF-safe: no helpers, no floats, no
 * unbounded loops, so the kernel can run it under the flow's bpf_spin_lock.
 *
 *   __u32 xf_flow_key_make(const struct xf_pkt *p, const struct xf_cfg *cfg,
 *                          struct xf_flow_key *k);
 *       canonical key; returns the key side (0/1) the packet's source is on.
 *   void  xf_frag_key_make(const struct xf_pkt *p, struct xf_frag_key *k);
 *   void  xf_flow_init(struct xf_flow *f, const struct xf_pkt *p, __u32 side,
 *                      __u64 ts, __u64 index);
 *   __u32 xf_flow_dir(const struct xf_flow *f, __u32 side);   0 = A, 1 = B
 *   __u64 xf_meter_update(struct xf_flow *f, const struct xf_pkt *p,
 *                         __u32 dir, __u64 ts, const struct xf_cfg *cfg);
 *       counts the packet; returns its IAT in its direction (ns, 0 first).
 *   int   xf_flow_tcp_done(const struct xf_flow *f);
 *       the connection is over (both FINs acked, or RST): finalize early.
 */
#ifndef XDPFLOW_METER_H
#define XDPFLOW_METER_H

#include "compat.h"
#include "abi.h"

#endif /* XDPFLOW_METER_H */
