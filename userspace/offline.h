/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * offline.h - the userspace flow path of the libpcap engine: every packet
 * goes through the shared parser (parse.h) and meter (meter.h) into the
 * userspace flow table; flows end by timeout, after FIN/RST, by eviction
 * when the table is full, and at the end of input.  The kernel engine runs
 * the same parser and meter in BPF and does not use this file.
 */
#ifndef XF_OFFLINE_H
#define XF_OFFLINE_H

#include <stddef.h>
#include <stdint.h>

int  xf_offline_open(void);     /* settings are final; 0 or -1 (reported) */
/* One captured frame; ts in ns since the epoch, linktype a pcap DLT. */
void xf_offline_packet(const uint8_t *frame, uint32_t caplen, uint32_t wire_len,
		       uint64_t ts, int linktype);
/* Time passes without packets (live capture): end flows idle at `now`. */
void xf_offline_expire(uint64_t now);
/* End of input: every flow still held ends (XF_FS_INPUT_END). */
void xf_offline_flush(void);
void xf_offline_close(void);
uint64_t xf_offline_flows_in_memory(void);
size_t   xf_offline_memory(void);     /* bytes the flow table holds */
/* Is the link type one the parser decodes? */
int  xf_linktype_supported(int linktype);

#endif
