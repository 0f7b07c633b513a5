/* SPDX-License-Identifier: BSD-3-Clause */
#include <math.h>
#include "flow_stats.h"

#define NS_PER_S 1e9

double xf_fs_u128(uint64_t hi, uint64_t lo)
{
	return (double)hi * 18446744073709551616.0 + (double)lo;
}

/*
 * Population deviation from n samples, their sum and sum of squares, in long
 * double: E[x^2] - E[x]^2 cancels badly when the deviation is small next to
 * the mean (IATs in ns), and x86's 64-bit mantissa buys 11 more bits.
 */
static double pop_std(long double n, long double sum, long double sumsq)
{
	long double mean, var;

	if (n < 2)
		return 0;
	mean = sum / n;
	var = sumsq / n - mean * mean;
	return var > 0 ? (double)sqrtl(var) : 0;   /* rounding can make it a hair negative */
}

double xf_fs_ave_size(const struct xf_dir *d)
{
	return d->pkts ? (double)d->sum_sz / (double)d->pkts : 0;
}

double xf_fs_std_size(const struct xf_dir *d)
{
	return pop_std(d->pkts, d->sum_sz, d->sumsq_sz);
}

double xf_fs_min_iat(const struct xf_dir *d)
{
	return d->pkts > 1 ? (double)d->min_iat / NS_PER_S : 0;
}

double xf_fs_max_iat(const struct xf_dir *d)
{
	return d->pkts > 1 ? (double)d->max_iat / NS_PER_S : 0;
}

double xf_fs_ave_iat(const struct xf_dir *d)
{
	return d->pkts > 1 ? (double)d->sum_iat / (double)(d->pkts - 1) / NS_PER_S : 0;
}

double xf_fs_std_iat(const struct xf_dir *d)
{
	uint64_t n = d->pkts > 1 ? d->pkts - 1 : 0;
	long double sumsq = (long double)d->sumsq_iat_hi * 18446744073709551616.0L +
			    (long double)d->sumsq_iat_lo;

	return pop_std(n, d->sum_iat, sumsq) / NS_PER_S;
}

double xf_fs_duration(const struct xf_flow *f)
{
	return f->last_ts > f->first_ts ? (double)(f->last_ts - f->first_ts) / NS_PER_S : 0;
}

double xf_fs_rate(uint64_t count, const struct xf_flow *f)
{
	double dur = xf_fs_duration(f);

	return dur > 0 ? (double)count / dur : 0;
}

double xf_fs_asym(uint64_t snt, uint64_t rcvd)
{
	if (snt + rcvd == 0)
		return 0;
	return ((double)snt - (double)rcvd) / ((double)snt + (double)rcvd);
}

double xf_fs_ave_win(const struct xf_dir *d)
{
	return d->win_pkts ? (double)d->win_sum / (double)d->win_pkts : 0;
}
