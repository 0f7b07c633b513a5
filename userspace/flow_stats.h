/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow_stats.h - statistics derived from the meter's sums (struct xf_dir):
 * averages, standard deviations, rates and asymmetry.  The TSV and JSON
 * columns and the docs all use these, so they cannot disagree.
 *
 * Conventions (docs/formats.md):
 * - Standard deviations are population deviations: sqrt(E[x^2] - E[x]^2),
 *   0 with fewer than two samples.
 * - IATs: a direction with n packets has n - 1 IATs; times in seconds.
 * - Rates divide by the flow's duration (last - first packet of the whole
 *   flow, shared by the A and B lines); 0 when the duration is 0.
 * - Asymmetry (snt - rcvd) / (snt + rcvd) in [-1, 1]; 0 when both are 0.
 */
#ifndef XF_FLOW_STATS_H
#define XF_FLOW_STATS_H

#include <stdint.h>
#include <xdpflow/abi.h>

double xf_fs_ave_size(const struct xf_dir *d);
double xf_fs_std_size(const struct xf_dir *d);
double xf_fs_min_iat(const struct xf_dir *d);           /* seconds */
double xf_fs_max_iat(const struct xf_dir *d);
double xf_fs_ave_iat(const struct xf_dir *d);
double xf_fs_std_iat(const struct xf_dir *d);
double xf_fs_duration(const struct xf_flow *f);         /* seconds */
double xf_fs_rate(uint64_t count, const struct xf_flow *f);   /* count per second */
double xf_fs_asym(uint64_t snt, uint64_t rcvd);
double xf_fs_ave_win(const struct xf_dir *d);
/* the 128-bit IAT square sum as a double (ns^2) */
double xf_fs_u128(uint64_t hi, uint64_t lo);

#endif
