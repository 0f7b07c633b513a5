/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * module.h - feature groups (T2's plugins) chosen and configured at run time.
 * A module registers itself from a constructor (XF_MODULE()), declares its
 * settings and columns, and may hook packets, flow ends and the report.
 */
#ifndef XF_MODULE_H
#define XF_MODULE_H

#include <stdio.h>
#include "columns.h"
#include "config.h"
#include "flow.h"
#include "outbuf.h"

struct xf_module {
	const char *name;                 /* T2's plugin name where it is the same */
	const char *desc;
	int         default_on;
	uint8_t     meter_bit;            /* XF_MOD_* for the shared meter, or 0 */
	const struct xf_setting *settings;
	size_t      nsettings;
	const struct xf_column *columns;
	size_t      ncolumns;
	const struct xf_pkt_column *pkt_columns;   /* packet mode (-s) columns */
	size_t      npkt_columns;
	/* hooks, all optional */
	int  (*init)(void);                              /* settings are final; 0 or -1 */
	void (*packet)(const struct xf_pkt_view *pv);    /* after the meter counted it */
	void (*flow_end)(struct xf_flow_ctx *fc);        /* before sinks see the flow */
	void (*flow_free)(struct xf_flow_ctx *fc);       /* after sinks: drop fc->mod[id] */
	void (*report)(FILE *out);                       /* lines for the end report */
	void (*fini)(void);                              /* end of run */
	/* set by the registry */
	int         id;
	int         enabled;
};

void xf_module_register(struct xf_module *m);
#define XF_MODULE(var) \
	static void __attribute__((constructor)) var##_register(void) { xf_module_register(&var); }

/* Registry access */
size_t xf_modules(struct xf_module ***mods);
struct xf_module *xf_module_find(const char *name);
/* enable per the MODULES setting; run init hooks; -1 on error (reported) */
int  xf_modules_start(void);
void xf_modules_packet(const struct xf_pkt_view *pv);
void xf_modules_flow_end(struct xf_flow_ctx *fc);
void xf_modules_flow_free(struct xf_flow_ctx *fc);
void xf_modules_report(FILE *out);
void xf_modules_fini(void);
uint8_t xf_modules_meter_bits(void);

#endif
