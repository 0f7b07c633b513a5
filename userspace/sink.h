/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sink.h - where finalized flows go: flow file, JSON, Unix socket, ...  The
 * collector calls every registered sink for every finalized flow, whichever
 * engine produced it.
 */
#ifndef XF_SINK_H
#define XF_SINK_H

#include "flow.h"

struct xf_sink {
	const char *name;
	void (*flow)(struct xf_sink *s, const struct xf_flow_ctx *fc);   /* both directions */
	void (*poll)(struct xf_sink *s);                                  /* optional: periodic */
	void (*close)(struct xf_sink *s);                                 /* flush, close */
	void *priv;
	struct xf_sink *next;
};

void xf_sink_add(struct xf_sink *s);
void xf_sinks_flow(const struct xf_flow_ctx *fc);
void xf_sinks_poll(void);
void xf_sinks_close(void);

#endif
