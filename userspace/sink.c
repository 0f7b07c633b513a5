/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>
#include "sink.h"

static struct xf_sink *sinks, **tail = &sinks;

void xf_sink_add(struct xf_sink *s)
{
	s->next = NULL;
	*tail = s;
	tail = &s->next;
}

void xf_sinks_flow(const struct xf_flow_ctx *fc)
{
	struct xf_sink *s;

	for (s = sinks; s; s = s->next)
		s->flow(s, fc);
}

void xf_sinks_poll(void)
{
	struct xf_sink *s;

	for (s = sinks; s; s = s->next)
		if (s->poll)
			s->poll(s);
}

void xf_sinks_close(void)
{
	struct xf_sink *s, *next;

	for (s = sinks; s; s = next) {
		next = s->next;
		if (s->close)
			s->close(s);
	}
	sinks = NULL;
	tail = &sinks;
}
