/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_flow_table.c - the userspace flow table (userspace/flow_table.c):
 * insert/lookup/remove, growth of the index under 100k keys, removal in
 * random order (backward-shift deletion must keep every probe chain
 * intact), crafted collisions, the max_flows limit, the recency lists and
 * the memory accounting.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "flow_table.h"

/* Key number i: i in the first address, everything else fixed. */
static struct xf_flow_key key_n(uint32_t i)
{
	struct xf_flow_key k;

	memset(&k, 0, sizeof(k));
	k.addr[0][0] = i >> 24;
	k.addr[0][1] = i >> 16;
	k.addr[0][2] = i >> 8;
	k.addr[0][3] = i;
	k.addr[1][0] = 10;
	k.addr[1][3] = 1;
	k.port[0] = 80;
	k.port[1] = 443;
	k.ethertype = 0x0800;
	k.l4_proto = 6;
	k.ip_ver = 4;
	return k;
}

static struct xf_flow_ctx *ins(struct xf_flow_table *ft, uint32_t i)
{
	struct xf_flow_key k = key_n(i);

	return xf_ft_insert(ft, &k, xf_ft_hash(&k));
}

static struct xf_flow_ctx *find(struct xf_flow_table *ft, uint32_t i)
{
	struct xf_flow_key k = key_n(i);

	return xf_ft_lookup(ft, &k, xf_ft_hash(&k));
}

static uint32_t key_id(const struct xf_flow_ctx *fc)
{
	const uint8_t *a = fc->key.addr[0];

	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

static uint32_t rng_state = 0x9e3779b9;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void shuffle(uint32_t *v, uint32_t n)
{
	uint32_t i, j, t;

	for (i = n; i > 1; i--) {
		j = rnd() % i;
		t = v[i - 1];
		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* ------------------------------------------------------------- basics */

static void test_insert_lookup_remove(void **state)
{
	struct xf_flow_table *ft = xf_ft_new(100);
	struct xf_flow_key k = key_n(1), k2 = key_n(2);
	struct xf_flow_ctx *a, *b;
	static const uint8_t zero[sizeof(struct xf_flow)];

	assert_non_null(ft);
	assert_int_equal(xf_ft_count(ft), 0);
	assert_int_equal(xf_ft_max(ft), 100);
	assert_null(xf_ft_lookup(ft, &k, xf_ft_hash(&k)));
	assert_null(xf_ft_oldest(ft, XF_LIST_ACTIVE));
	assert_null(xf_ft_oldest(ft, XF_LIST_CLOSING));

	a = xf_ft_insert(ft, &k, xf_ft_hash(&k));
	assert_non_null(a);
	assert_memory_equal(&a->key, &k, sizeof(k));
	assert_memory_equal(&a->f, zero, sizeof(a->f));      /* a new flow is zeroed */
	assert_null(a->mod[0]);
	assert_int_equal(a->end_reason, 0);
	assert_int_equal(a->in_use, 1);
	assert_int_equal(a->lru_list, XF_LIST_ACTIVE);
	assert_ptr_equal(xf_ft_lookup(ft, &k, xf_ft_hash(&k)), a);
	assert_null(xf_ft_lookup(ft, &k2, xf_ft_hash(&k2)));
	assert_int_equal(xf_ft_count(ft), 1);

	/* a key that differs only in its last word is another key */
	k2 = k;
	k2.ip_ver = 6;
	assert_null(xf_ft_lookup(ft, &k2, xf_ft_hash(&k2)));

	b = ins(ft, 2);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(xf_ft_count(ft), 2);
	assert_ptr_equal(find(ft, 1), a);
	assert_ptr_equal(find(ft, 2), b);

	xf_ft_remove(ft, a);
	assert_int_equal(xf_ft_count(ft), 1);
	assert_null(find(ft, 1));
	assert_ptr_equal(find(ft, 2), b);
	assert_ptr_equal(xf_ft_oldest(ft, XF_LIST_ACTIVE), b);
	xf_ft_remove(ft, b);
	assert_int_equal(xf_ft_count(ft), 0);
	assert_null(find(ft, 2));
	assert_null(xf_ft_oldest(ft, XF_LIST_ACTIVE));
	xf_ft_free(ft);
	xf_ft_free(NULL);                       /* allowed, like free() */
}

static void test_hash(void **state)
{
	struct xf_flow_key k = key_n(7), k2 = key_n(7);
	uint32_t i, same_low = 0;

	assert_int_equal(xf_ft_hash(&k), xf_ft_hash(&k2));   /* deterministic */
	/* every byte of the key feeds the hash, the last 4 (tail word) too */
	for (i = 0; i < sizeof(k); i++) {
		k2 = k;
		((uint8_t *)&k2)[i] ^= 0x01;
		assert_int_not_equal(xf_ft_hash(&k), xf_ft_hash(&k2));
	}
	/* consecutive keys spread over the low bits the index uses */
	for (i = 0; i < 1024; i++) {
		k = key_n(i);
		k2 = key_n(i + 1);
		same_low += (xf_ft_hash(&k) & 1023) == (xf_ft_hash(&k2) & 1023);
	}
	assert_true(same_low < 16);
}

/* ---------------------------------------------------- many keys, growth */

#define MANY 100000

static void test_many_keys_growth(void **state)
{
	struct xf_flow_table *ft = xf_ft_new(2 * MANY);
	struct xf_flow_ctx *first, *fc;
	size_t mem0, mem1;
	uint32_t i;

	assert_non_null(ft);
	mem0 = xf_ft_memory(ft);
	assert_true(mem0 > 0);
	first = ins(ft, 0);
	assert_non_null(first);
	first->f.index = 4242;                  /* must survive index growth */
	for (i = 1; i < MANY; i++) {
		fc = ins(ft, i);
		assert_non_null(fc);
		fc->f.index = i;
	}
	assert_int_equal(xf_ft_count(ft), MANY);
	mem1 = xf_ft_memory(ft);
	assert_true(mem1 > mem0);
	/* flow_table.c: flows in 4096-entry chunks, and an index of 8-byte
	 * slots kept at most half full (a full one would make a lookup of an
	 * absent key probe forever) */
	{
		size_t chunks = (MANY + 4095) / 4096;
		size_t flows = chunks * 4096 * sizeof(struct xf_flow_ctx);

		assert_true(mem1 > flows);
		assert_true(mem1 - flows >= 2 * (size_t)MANY * 8);
	}

	assert_ptr_equal(find(ft, 0), first);   /* pointers stay valid */
	assert_int_equal(first->f.index, 4242);
	for (i = 1; i < MANY; i++) {
		fc = find(ft, i);
		if (!fc)
			print_error("key %u lost after growth\n", i);
		assert_non_null(fc);
		assert_int_equal(fc->f.index, i);
		assert_int_equal(key_id(fc), i);
	}
	for (i = MANY; i < MANY + 1000; i++)
		assert_null(find(ft, i));
	xf_ft_free(ft);
}

/*
 * Removal in random order: after each removal the removed key is gone and a
 * few random survivors are still found; every 10000 removals all of them.
 */
static void test_random_removal(void **state)
{
	const uint32_t n = MANY / 2;
	struct xf_flow_table *ft = xf_ft_new(n);
	uint32_t *order = malloc(n * sizeof(*order));
	uint8_t *live = calloc(n, 1);
	uint32_t i, j, r;

	assert_non_null(ft);
	assert_non_null(order);
	assert_non_null(live);
	for (i = 0; i < n; i++) {
		assert_non_null(ins(ft, i));
		order[i] = i;
		live[i] = 1;
	}
	shuffle(order, n);
	for (i = 0; i < n; i++) {
		struct xf_flow_ctx *fc = find(ft, order[i]);

		assert_non_null(fc);
		xf_ft_remove(ft, fc);
		live[order[i]] = 0;
		assert_null(find(ft, order[i]));
		assert_int_equal(xf_ft_count(ft), n - i - 1);
		for (j = 0; j < 3 && i + 1 < n; j++) {
			r = order[i + 1 + rnd() % (n - i - 1)];
			assert_non_null(find(ft, r));
		}
		if (i % 10000 == 0) {
			for (r = 0; r < n; r++) {
				fc = find(ft, r);
				if (!!fc != live[r])
					print_error("after %u removals key %u: %s\n", i + 1, r,
						    fc ? "found but removed" : "lost");
				assert_int_equal(!!fc, live[r]);
			}
		}
	}
	assert_int_equal(xf_ft_count(ft), 0);
	assert_null(xf_ft_oldest(ft, XF_LIST_ACTIVE));
	free(order);
	free(live);
	xf_ft_free(ft);
}

/* ----------------------------------------------------------- collisions */

/* Keys whose home slot in a fresh (1024-slot) index is `home`. */
static uint32_t keys_with_home(uint32_t home, uint32_t *out, uint32_t want, uint32_t start)
{
	uint32_t i, n = 0;

	for (i = start; n < want; i++) {
		struct xf_flow_key k = key_n(i);

		if ((xf_ft_hash(&k) & 1023) == home)
			out[n++] = i;
	}
	return n;
}

static void check_set(struct xf_flow_table *ft, const uint32_t *ids, const uint8_t *live,
		      uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		struct xf_flow_ctx *fc = find(ft, ids[i]);

		if (!!fc != live[i])
			print_error("key %u: %s\n", ids[i], fc ? "found but removed" : "lost");
		assert_int_equal(!!fc, live[i]);
		if (fc)
			assert_int_equal(key_id(fc), ids[i]);
	}
}

/*
 * Long probe chains in the 1024-slot index: 40 keys sharing home slot 1021
 * and 40 sharing slot 1 interleave around the end of the table (the chain
 * from 1021 wraps to 0, 1, 2, ...), then are removed in several orders.
 */
static void test_colliding_chains(void **state)
{
	uint32_t ids[80];
	uint8_t live[80];
	uint32_t order[80], i, round;

	keys_with_home(1021, ids, 40, 1);
	keys_with_home(1, ids + 40, 40, 1);
	for (round = 0; round < 4; round++) {
		struct xf_flow_table *ft = xf_ft_new(400);   /* 80 < 512: no growth */
		size_t mem = 0;

		for (i = 0; i < 80; i++) {
			/* alternate the two groups so their chains interleave */
			uint32_t id = ids[(i % 2) * 40 + i / 2];

			assert_non_null(ins(ft, id));
			if (!i)
				mem = xf_ft_memory(ft);
		}
		assert_int_equal(xf_ft_memory(ft), mem);     /* index did not grow */
		memset(live, 1, sizeof(live));
		check_set(ft, ids, live, 80);
		for (i = 0; i < 80; i++)
			order[i] = i;
		if (round == 1) {                       /* reverse */
			for (i = 0; i < 80; i++)
				order[i] = 79 - i;
		} else if (round >= 2) {
			shuffle(order, 80);
		}
		for (i = 0; i < 80; i++) {
			struct xf_flow_ctx *fc = find(ft, ids[order[i]]);

			assert_non_null(fc);
			xf_ft_remove(ft, fc);
			live[order[i]] = 0;
			check_set(ft, ids, live, 80);
			/* re-inserting and removing again in the middle of a chain */
			if (i % 7 == 3) {
				assert_non_null(ins(ft, ids[order[i]]));
				live[order[i]] = 1;
				check_set(ft, ids, live, 80);
				xf_ft_remove(ft, find(ft, ids[order[i]]));
				live[order[i]] = 0;
			}
		}
		assert_int_equal(xf_ft_count(ft), 0);
		xf_ft_free(ft);
	}
}

/*
 * Two keys with the same home slot and the same 32-bit tag (found by an
 * offline search over key_n()): lookup must fall back to comparing keys.
 */
static void test_tag_collision(void **state)
{
	const uint32_t ia = 86536, ib = 4420552;
	struct xf_flow_key ka = key_n(ia), kb = key_n(ib);
	uint64_t ha = xf_ft_hash(&ka), hb = xf_ft_hash(&kb);
	struct xf_flow_table *ft;
	struct xf_flow_ctx *a, *b;

	if ((ha >> 32) != (hb >> 32) || (ha & 1023) != (hb & 1023)) {
		printf("SKIP test_tag_collision: keys %u and %u no longer share tag and home slot "
		       "(xf_ft_hash changed?); search a new pair\n", ia, ib);
		skip();
	}
	ft = xf_ft_new(10);
	assert_non_null(ft);
	a = xf_ft_insert(ft, &ka, ha);
	assert_non_null(a);
	assert_null(xf_ft_lookup(ft, &kb, hb));          /* same tag, other key */
	b = xf_ft_insert(ft, &kb, hb);
	assert_non_null(b);
	assert_ptr_equal(xf_ft_lookup(ft, &ka, ha), a);
	assert_ptr_equal(xf_ft_lookup(ft, &kb, hb), b);
	xf_ft_remove(ft, a);                            /* b shifts back home */
	assert_null(xf_ft_lookup(ft, &ka, ha));
	assert_ptr_equal(xf_ft_lookup(ft, &kb, hb), b);
	a = xf_ft_insert(ft, &ka, ha);
	xf_ft_remove(ft, b);
	assert_ptr_equal(xf_ft_lookup(ft, &ka, ha), a);
	assert_null(xf_ft_lookup(ft, &kb, hb));
	xf_ft_free(ft);
}

/* ------------------------------------------------ limits, slots, memory */

static void test_max_flows(void **state)
{
	struct xf_flow_table *ft = xf_ft_new(10);
	struct xf_flow_ctx *fc[10], *again;
	uint32_t i;

	assert_non_null(ft);
	for (i = 0; i < 10; i++) {
		fc[i] = ins(ft, i);
		assert_non_null(fc[i]);
	}
	assert_null(ins(ft, 10));               /* full: the caller evicts first */
	assert_null(ins(ft, 11));
	assert_int_equal(xf_ft_count(ft), 10);
	assert_null(find(ft, 10));
	for (i = 0; i < 10; i++)
		assert_ptr_equal(find(ft, i), fc[i]);

	xf_ft_remove(ft, fc[4]);
	again = ins(ft, 10);
	assert_non_null(again);
	assert_ptr_equal(again, fc[4]);         /* the freed slot is reused */
	assert_int_equal(key_id(again), 10);
	assert_null(find(ft, 4));
	assert_null(ins(ft, 12));
	xf_ft_free(ft);

	/* a limit just past one 4096-flow chunk */
	ft = xf_ft_new(4097);
	assert_non_null(ft);
	for (i = 0; i < 4097; i++)
		assert_non_null(ins(ft, i));
	assert_null(ins(ft, 4097));
	for (i = 0; i < 4097; i++)
		assert_non_null(find(ft, i));
	xf_ft_free(ft);

	/* no room at all */
	ft = xf_ft_new(0);
	if (ft) {
		assert_null(ins(ft, 1));
		assert_int_equal(xf_ft_count(ft), 0);
		xf_ft_free(ft);
	}
}

static void test_slot_reuse_and_memory(void **state)
{
	struct xf_flow_table *ft = xf_ft_new(20000);
	struct xf_flow_ctx *fc;
	size_t m0, m1, m2, m3;
	uint32_t i;
	static const uint8_t zero[sizeof(struct xf_flow)];
	void *marker = &marker;

	assert_non_null(ft);
	m0 = xf_ft_memory(ft);
	assert_true(m0 > 0);
	fc = ins(ft, 0);
	m1 = xf_ft_memory(ft);
	assert_true(m1 > m0);                   /* the first chunk of flows */
	assert_true(m1 >= m0 + sizeof(struct xf_flow_ctx));

	/* fill in module state and counters, remove, reuse: all zero again */
	fc->f.index = 99;
	fc->f.dir[1].pkts = 5;
	fc->mod[3] = marker;
	fc->end_reason = 7;
	xf_ft_remove(ft, fc);
	assert_int_equal(fc->in_use, 0);
	fc = ins(ft, 1);
	assert_memory_equal(&fc->f, zero, sizeof(fc->f));
	assert_null(fc->mod[3]);
	assert_int_equal(fc->end_reason, 0);
	assert_int_equal(fc->in_use, 1);
	xf_ft_remove(ft, fc);

	for (i = 0; i < 10000; i++)
		assert_non_null(ins(ft, i));
	m2 = xf_ft_memory(ft);
	assert_true(m2 > m1);                   /* more chunks, bigger index */
	for (i = 0; i < 10000; i++)
		xf_ft_remove(ft, find(ft, i));
	assert_int_equal(xf_ft_count(ft), 0);
	assert_int_equal(xf_ft_memory(ft), m2); /* memory is kept for reuse */
	for (i = 0; i < 10000; i++)
		assert_non_null(ins(ft, 100000 + i));
	m3 = xf_ft_memory(ft);
	assert_int_equal(m3, m2);               /* the freed slots were reused */
	for (i = 0; i < 10000; i++) {
		assert_null(find(ft, i));
		assert_non_null(find(ft, 100000 + i));
	}
	xf_ft_free(ft);
}

/* --------------------------------------------------------- recency lists */

static void test_lru_basic(void **state)
{
	struct xf_flow_table *ft = xf_ft_new(10);
	struct xf_flow_ctx *a = ins(ft, 1), *b = ins(ft, 2), *c = ins(ft, 3);

	assert_ptr_equal(xf_ft_oldest(ft, XF_LIST_ACTIVE), a);
	xf_ft_touch(ft, a, XF_LIST_ACTIVE);     /* a moves to the tail */
	assert_ptr_equal(xf_ft_oldest(ft, XF_LIST_ACTIVE), b);
	xf_ft_touch(ft, a, XF_LIST_ACTIVE);     /* already the tail: no change */
	assert_ptr_equal(xf_ft_oldest(ft, XF_LIST_ACTIVE), b);

	xf_ft_touch(ft, b, XF_LIST_CLOSING);    /* ACTIVE -> CLOSING */
	assert_int_equal(b->lru_list, XF_LIST_CLOSING);
	assert_ptr_equal(xf_ft_oldest(ft, XF_LIST_ACTIVE), c);
	assert_ptr_equal(xf_ft_oldest(ft, XF_LIST_CLOSING), b);
	xf_ft_touch(ft, c, XF_LIST_CLOSING);
	assert_ptr_equal(xf_ft_oldest(ft, XF_LIST_ACTIVE), a);
	assert_ptr_equal(xf_ft_oldest(ft, XF_LIST_CLOSING), b);
	xf_ft_touch(ft, b, XF_LIST_CLOSING);    /* b behind c now */
	assert_ptr_equal(xf_ft_oldest(ft, XF_LIST_CLOSING), c);

	xf_ft_remove(ft, c);
	assert_ptr_equal(xf_ft_oldest(ft, XF_LIST_CLOSING), b);
	xf_ft_remove(ft, b);
	assert_null(xf_ft_oldest(ft, XF_LIST_CLOSING));
	assert_ptr_equal(xf_ft_oldest(ft, XF_LIST_ACTIVE), a);

	/* a new flow lands at the tail of ACTIVE; back from CLOSING too */
	b = ins(ft, 4);
	xf_ft_touch(ft, a, XF_LIST_CLOSING);
	assert_ptr_equal(xf_ft_oldest(ft, XF_LIST_ACTIVE), b);
	xf_ft_touch(ft, a, XF_LIST_ACTIVE);
	assert_null(xf_ft_oldest(ft, XF_LIST_CLOSING));
	assert_ptr_equal(xf_ft_oldest(ft, XF_LIST_ACTIVE), b);
	xf_ft_remove(ft, b);
	assert_ptr_equal(xf_ft_oldest(ft, XF_LIST_ACTIVE), a);
	xf_ft_remove(ft, a);
	assert_null(xf_ft_oldest(ft, XF_LIST_ACTIVE));
	xf_ft_free(ft);
}

/*
 * The lists against a model: random inserts, touches (to either list) and
 * removals; after each step the oldest of each list is what the model says.
 * The model keeps a "last touched" stamp per key; the oldest of a list is
 * the smallest stamp in it.  Finally expiry drains each list in stamp order.
 */
#define MODEL_N 300

struct model {
	uint64_t stamp[MODEL_N];        /* 0 = not in the table */
	uint8_t list[MODEL_N];
	uint64_t clock;
};

static int model_oldest(const struct model *m, int list)
{
	int i, best = -1;

	for (i = 0; i < MODEL_N; i++)
		if (m->stamp[i] && m->list[i] == list && (best < 0 || m->stamp[i] < m->stamp[best]))
			best = i;
	return best;
}

static void model_check(struct xf_flow_table *ft, const struct model *m)
{
	int l;

	for (l = 0; l < XF_LIST__COUNT; l++) {
		int want = model_oldest(m, l);
		struct xf_flow_ctx *got = xf_ft_oldest(ft, l);

		if (want < 0) {
			assert_null(got);
		} else {
			assert_non_null(got);
			assert_int_equal(key_id(got), want);
		}
	}
}

static void test_lru_model(void **state)
{
	struct xf_flow_table *ft = xf_ft_new(MODEL_N);
	struct model *m = calloc(1, sizeof(*m));
	uint32_t step, i, l;
	uint64_t last;

	assert_non_null(ft);
	assert_non_null(m);
	for (step = 0; step < 20000; step++) {
		uint32_t k = rnd() % MODEL_N, op = rnd() % 10;
		struct xf_flow_ctx *fc = find(ft, k);

		assert_int_equal(!!fc, m->stamp[k] != 0);
		if (!fc) {
			if (op < 7) {
				assert_non_null(ins(ft, k));
				m->stamp[k] = ++m->clock;
				m->list[k] = XF_LIST_ACTIVE;
			}
		} else if (op < 6) {
			l = rnd() % 4 == 0 ? XF_LIST_CLOSING : m->list[k];
			xf_ft_touch(ft, fc, l);
			m->stamp[k] = ++m->clock;
			m->list[k] = (uint8_t)l;
		} else {
			xf_ft_remove(ft, fc);
			m->stamp[k] = 0;
		}
		model_check(ft, m);
	}
	/* expiry: drain each list oldest first; stamps must increase */
	for (l = 0; l < XF_LIST__COUNT; l++) {
		struct xf_flow_ctx *fc;

		last = 0;
		while ((fc = xf_ft_oldest(ft, l))) {
			i = key_id(fc);
			assert_int_equal(m->list[i], l);
			assert_true(m->stamp[i] > last);
			last = m->stamp[i];
			xf_ft_remove(ft, fc);
			m->stamp[i] = 0;
		}
	}
	assert_int_equal(xf_ft_count(ft), 0);
	free(m);
	xf_ft_free(ft);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_lookup_remove),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_many_keys_growth),
		cmocka_unit_test(test_random_removal),
		cmocka_unit_test(test_colliding_chains),
		cmocka_unit_test(test_tag_collision),
		cmocka_unit_test(test_max_flows),
		cmocka_unit_test(test_slot_reuse_and_memory),
		cmocka_unit_test(test_lru_basic),
		cmocka_unit_test(test_lru_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
