/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * flow_table.c - see flow_table.h.  The index is linear probing over
 * (hash, pool index) pairs with backward-shift deletion, kept at most half
 * full; flows live in 4096-entry chunks allocated on demand.
 */
#include <stdlib.h>
#include <string.h>
#include "flow_table.h"
#include "log.h"

#define CHUNK_SHIFT 12
#define CHUNK_SIZE  (1u << CHUNK_SHIFT)
#define NIL         UINT32_MAX

struct slot {
	uint32_t tag;           /* high bits of the hash; 0 = empty */
	uint32_t idx;           /* pool index */
};

struct xf_flow_table {
	struct slot *slots;
	size_t nslots;          /* power of two */
	size_t count;
	size_t max;
	struct xf_flow_ctx **chunks;
	size_t nchunks;
	size_t pool_used;       /* indices handed out so far (high-water) */
	uint32_t free_head;     /* free list through hnext */
	uint32_t head[XF_LIST__COUNT], tail[XF_LIST__COUNT];
};

static inline struct xf_flow_ctx *at(const struct xf_flow_table *ft, uint32_t idx)
{
	return &ft->chunks[idx >> CHUNK_SHIFT][idx & (CHUNK_SIZE - 1)];
}

uint64_t xf_ft_hash(const struct xf_flow_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint64_t h = 0x243f6a8885a308d3ULL, w;
	size_t i;

	for (i = 0; i + 8 <= sizeof(*k); i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, p + i, sizeof(*k) - i);
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 32);
}

static inline uint32_t tag_of(uint64_t hash)
{
	uint32_t t = (uint32_t)(hash >> 32);

	return t ? t : 1;
}

struct xf_flow_table *xf_ft_new(size_t max_flows)
{
	struct xf_flow_table *ft = calloc(1, sizeof(*ft));
	size_t i;

	if (!ft)
		return NULL;
	ft->max = max_flows;
	ft->nslots = 1024;
	ft->slots = calloc(ft->nslots, sizeof(*ft->slots));
	ft->nchunks = (max_flows + CHUNK_SIZE - 1) / CHUNK_SIZE;
	ft->chunks = calloc(ft->nchunks, sizeof(*ft->chunks));
	if (!ft->slots || !ft->chunks) {
		xf_ft_free(ft);
		return NULL;
	}
	ft->free_head = NIL;
	for (i = 0; i < XF_LIST__COUNT; i++)
		ft->head[i] = ft->tail[i] = NIL;
	return ft;
}

void xf_ft_free(struct xf_flow_table *ft)
{
	size_t i;

	if (!ft)
		return;
	for (i = 0; i < ft->nchunks; i++)
		free(ft->chunks[i]);
	free(ft->chunks);
	free(ft->slots);
	free(ft);
}

static int grow_index(struct xf_flow_table *ft)
{
	size_t n = ft->nslots * 2, i, mask = n - 1;
	struct slot *s = calloc(n, sizeof(*s));

	if (!s)
		return -1;
	for (i = 0; i < ft->nslots; i++) {
		struct slot o = ft->slots[i];
		size_t j;

		if (!o.tag)
			continue;
		j = (size_t)xf_ft_hash(&at(ft, o.idx)->key) & mask;
		while (s[j].tag)
			j = (j + 1) & mask;
		s[j] = o;
	}
	free(ft->slots);
	ft->slots = s;
	ft->nslots = n;
	return 0;
}

struct xf_flow_ctx *xf_ft_lookup(struct xf_flow_table *ft, const struct xf_flow_key *k, uint64_t hash)
{
	size_t mask = ft->nslots - 1, j = (size_t)hash & mask;
	uint32_t tag = tag_of(hash);

	for (;;) {
		struct slot s = ft->slots[j];

		if (!s.tag)
			return NULL;
		if (s.tag == tag) {
			struct xf_flow_ctx *fc = at(ft, s.idx);

			if (!memcmp(&fc->key, k, sizeof(*k)))
				return fc;
		}
		j = (j + 1) & mask;
	}
}

static void list_unlink(struct xf_flow_table *ft, struct xf_flow_ctx *fc, uint32_t idx)
{
	int l = fc->lru_list;

	if (fc->lru_prev != NIL)
		at(ft, fc->lru_prev)->lru_next = fc->lru_next;
	else
		ft->head[l] = fc->lru_next;
	if (fc->lru_next != NIL)
		at(ft, fc->lru_next)->lru_prev = fc->lru_prev;
	else
		ft->tail[l] = fc->lru_prev;
	(void)idx;
}

static void list_append(struct xf_flow_table *ft, struct xf_flow_ctx *fc, uint32_t idx, int l)
{
	fc->lru_list = (uint8_t)l;
	fc->lru_next = NIL;
	fc->lru_prev = ft->tail[l];
	if (ft->tail[l] != NIL)
		at(ft, ft->tail[l])->lru_next = idx;
	else
		ft->head[l] = idx;
	ft->tail[l] = idx;
}

static uint32_t pool_get(struct xf_flow_table *ft)
{
	uint32_t idx;

	if (ft->free_head != NIL) {
		idx = ft->free_head;
		ft->free_head = at(ft, idx)->hnext;
		return idx;
	}
	if (ft->pool_used >= ft->max)
		return NIL;
	idx = (uint32_t)ft->pool_used;
	if (!ft->chunks[idx >> CHUNK_SHIFT]) {
		ft->chunks[idx >> CHUNK_SHIFT] = malloc(CHUNK_SIZE * sizeof(struct xf_flow_ctx));
		if (!ft->chunks[idx >> CHUNK_SHIFT])
			return NIL;
	}
	ft->pool_used++;
	return idx;
}

/* pool index of a flow: recover it from its neighbours' links is not
 * possible, so flows remember it in hnext while in use */
static inline uint32_t idx_of(const struct xf_flow_ctx *fc)
{
	return fc->hnext;
}

struct xf_flow_ctx *xf_ft_insert(struct xf_flow_table *ft, const struct xf_flow_key *k, uint64_t hash)
{
	size_t mask, j;
	struct xf_flow_ctx *fc;
	uint32_t idx;

	if (ft->count >= ft->max)
		return NULL;
	if ((ft->count + 1) * 2 > ft->nslots && grow_index(ft))
		return NULL;
	idx = pool_get(ft);
	if (idx == NIL)
		return NULL;
	fc = at(ft, idx);
	memset(fc, 0, sizeof(*fc));
	fc->key = *k;
	fc->hnext = idx;
	fc->in_use = 1;
	mask = ft->nslots - 1;
	j = (size_t)hash & mask;
	while (ft->slots[j].tag)
		j = (j + 1) & mask;
	ft->slots[j].tag = tag_of(hash);
	ft->slots[j].idx = idx;
	list_append(ft, fc, idx, XF_LIST_ACTIVE);
	ft->count++;
	return fc;
}

/* backward-shift deletion keeps probe chains intact without tombstones */
static void index_delete(struct xf_flow_table *ft, size_t j)
{
	size_t mask = ft->nslots - 1, i = j, k;

	for (;;) {
		ft->slots[i].tag = 0;
		for (;;) {
			j = (j + 1) & mask;
			if (!ft->slots[j].tag)
				return;
			k = (size_t)xf_ft_hash(&at(ft, ft->slots[j].idx)->key) & mask;
			/* can slot j move to hole i? only if k is not in (i, j] cyclically */
			if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
				continue;
			break;
		}
		ft->slots[i] = ft->slots[j];
		i = j;
	}
}

void xf_ft_remove(struct xf_flow_table *ft, struct xf_flow_ctx *fc)
{
	uint32_t idx = idx_of(fc);
	uint64_t hash = xf_ft_hash(&fc->key);
	size_t mask = ft->nslots - 1, j = (size_t)hash & mask;

	while (ft->slots[j].tag && ft->slots[j].idx != idx)
		j = (j + 1) & mask;
	if (ft->slots[j].tag)
		index_delete(ft, j);
	list_unlink(ft, fc, idx);
	fc->in_use = 0;
	fc->hnext = ft->free_head;
	ft->free_head = idx;
	ft->count--;
}

void xf_ft_touch(struct xf_flow_table *ft, struct xf_flow_ctx *fc, enum xf_ft_list list)
{
	uint32_t idx = idx_of(fc);

	if (fc->lru_list == list && ft->tail[list] == idx)
		return;
	list_unlink(ft, fc, idx);
	list_append(ft, fc, idx, list);
}

struct xf_flow_ctx *xf_ft_oldest(struct xf_flow_table *ft, enum xf_ft_list list)
{
	return ft->head[list] == NIL ? NULL : at(ft, ft->head[list]);
}

size_t xf_ft_count(const struct xf_flow_table *ft)
{
	return ft->count;
}

size_t xf_ft_max(const struct xf_flow_table *ft)
{
	return ft->max;
}

size_t xf_ft_memory(const struct xf_flow_table *ft)
{
	size_t chunks = (ft->pool_used + CHUNK_SIZE - 1) / CHUNK_SIZE;

	return chunks * CHUNK_SIZE * sizeof(struct xf_flow_ctx) + ft->nslots * sizeof(struct slot);
}
