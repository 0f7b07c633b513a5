/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>
#include "stats.h"

struct xf_stats xf_stats;

static struct xf_loss_counter *losses, **tail = &losses;

void xf_loss_register(struct xf_loss_counter *c)
{
	c->next = NULL;
	*tail = c;
	tail = &c->next;
}

struct xf_loss_counter *xf_loss_counters(void)
{
	return losses;
}
