/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hdrdesc.h - T2-style header descriptions ("eth:vlan:ipv4:tcp") from the
 * parser's header codes (enum xf_hdr in include/xdpflow/abi.h).
 */
#ifndef XF_HDRDESC_H
#define XF_HDRDESC_H

#include <stdint.h>

#include "outbuf.h"

/* Token of one header code ("eth", "ipv4", ...); "?" for an unknown code.
 * XF_H_ETHTYPE and XF_H_IPPROTO give "ethtype" and "ipproto": their real
 * names depend on the packet (see xf_hdrdesc_format()). */
const char *xf_hdr_name(unsigned code);

/* Appends the tokens of hdr[0..n) joined by ':'.  XF_H_ETHTYPE is named from
 * ethertype (a short table, else "0x88cc" style hex) and XF_H_IPPROTO from
 * l4_proto (a short table, else the decimal number). */
void xf_hdrdesc_format(struct xf_outbuf *ob, const uint8_t *hdr, unsigned n,
		       uint16_t ethertype, uint8_t l4_proto);

#endif
