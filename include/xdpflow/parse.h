/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * parse.h - the packet parser shared by the XDP program and the libpcap
 * engine.  Header-only, static inline, every read bounds-checked against
 * data_end the way the BPF verifier wants; loop depths are compile-time
 * constants.
 *
 *   int xf_parse(const void *data, const void *data_end, __u32 linktype,
 *                const struct xf_cfg *cfg, struct xf_pkt *p);
 *
 * Fills *p (zeroing it first; the engine sets wire_len/cap_len afterwards)
 * and returns enum xf_parse_reason.  Link types are pcap DLT numbers
 * (XF_DLT_*).  Whatever could be parsed before a truncation stays valid.
 */
#ifndef XDPFLOW_PARSE_H
#define XDPFLOW_PARSE_H

#include "compat.h"
#include "abi.h"

#define XF_DLT_NULL       0
#define XF_DLT_EN10MB     1
#define XF_DLT_RAW        12    /* some platforms: 14 */
#define XF_DLT_RAW_ALT    14
#define XF_DLT_LOOP       108
#define XF_DLT_RAW101     101   /* LINKTYPE_RAW */
#define XF_DLT_LINUX_SLL  113
#define XF_DLT_IPV4       228
#define XF_DLT_IPV6       229
#define XF_DLT_LINUX_SLL2 276

#endif /* XDPFLOW_PARSE_H */
