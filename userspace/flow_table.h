/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow_table.h - the userspace flow table: open-addressing hash index over a
 * chunked pool of flows (pointers stay valid while a flow lives), and
 * recency lists (least recently seen first) for O(1) timeout expiry and
 * eviction.
 */
#ifndef XF_FLOW_TABLE_H
#define XF_FLOW_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include "flow.h"

enum xf_ft_list {
	XF_LIST_ACTIVE = 0,     /* idle timeout applies */
	XF_LIST_CLOSING,        /* TCP finished: short linger */
	XF_LIST__COUNT
};

struct xf_flow_table;

struct xf_flow_table *xf_ft_new(size_t max_flows);
void     xf_ft_free(struct xf_flow_table *ft);
uint64_t xf_ft_hash(const struct xf_flow_key *k);
/* NULL if absent */
struct xf_flow_ctx *xf_ft_lookup(struct xf_flow_table *ft, const struct xf_flow_key *k, uint64_t hash);
/* New zeroed flow at the tail of XF_LIST_ACTIVE; NULL when max_flows are held
 * (the caller evicts first) or memory ran out. */
struct xf_flow_ctx *xf_ft_insert(struct xf_flow_table *ft, const struct xf_flow_key *k, uint64_t hash);
void     xf_ft_remove(struct xf_flow_table *ft, struct xf_flow_ctx *fc);
/* Mark as just seen: move to the tail of `list`. */
void     xf_ft_touch(struct xf_flow_table *ft, struct xf_flow_ctx *fc, enum xf_ft_list list);
/* Least recently seen flow of `list`, or NULL. */
struct xf_flow_ctx *xf_ft_oldest(struct xf_flow_table *ft, enum xf_ft_list list);
size_t   xf_ft_count(const struct xf_flow_table *ft);
size_t   xf_ft_max(const struct xf_flow_table *ft);
size_t   xf_ft_memory(const struct xf_flow_table *ft);   /* bytes held */

#endif
