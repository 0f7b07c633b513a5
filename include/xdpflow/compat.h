/* SPDX-License-Identifier: BSD-3-Clause */
/* compat.h - the few macros the shared headers need on both sides. */
#ifndef XDPFLOW_COMPAT_H
#define XDPFLOW_COMPAT_H

#include <linux/types.h>

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#if defined(__bpf__) || defined(__BPF__)
#define XF_BPF 1
#else
#define XF_BPF 0
#endif

#ifndef xf_likely
#define xf_likely(x)   __builtin_expect(!!(x), 1)
#define xf_unlikely(x) __builtin_expect(!!(x), 0)
#endif

/* byte order: both targets are little-endian here (x86_64, bpfel) */
#define xf_ntohs(x) __builtin_bswap16(x)
#define xf_ntohl(x) __builtin_bswap32(x)
#define xf_htons(x) __builtin_bswap16(x)

#endif /* XDPFLOW_COMPAT_H */
