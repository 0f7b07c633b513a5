/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * module.c - the module registry.  Modules register from constructors; the
 * MODULES setting (a comma list, "all" or "default") chooses which run.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "module.h"

static struct xf_module *mods[XF_MAX_MODULES];
static size_t nmods;

static const struct xf_setting core_module_settings[] = {
	{ "MODULES", XF_ST_STRING, "default",
	  "modules to run: comma list of names, 'default' or 'all'; -name removes one", NULL, 0, 0 },
};

static void __attribute__((constructor)) module_settings_register(void)
{
	xf_settings_register(core_module_settings, 1, "core");
}

void xf_module_register(struct xf_module *m)
{
	if (nmods == XF_MAX_MODULES) {
		fprintf(stderr, "xdpflow: internal error: too many modules\n");
		abort();
	}
	m->id = (int)nmods;
	mods[nmods++] = m;
	if (m->nsettings)
		xf_settings_register(m->settings, m->nsettings, m->name);
}

size_t xf_modules(struct xf_module ***out)
{
	*out = mods;
	return nmods;
}

struct xf_module *xf_module_find(const char *name)
{
	size_t i;

	for (i = 0; i < nmods; i++)
		if (!strcasecmp(mods[i]->name, name))
			return mods[i];
	return NULL;
}

/* Apply the MODULES list: "default", "all", names, "-name". */
static int modules_choose(void)
{
	char *list = strdup(xf_cfg_str("MODULES")), *save = NULL, *tok;
	size_t i;
	int rc = 0;

	for (i = 0; i < nmods; i++)
		mods[i]->enabled = 0;
	for (tok = strtok_r(list, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		int on = 1;
		struct xf_module *m;

		if (*tok == '-') {
			on = 0;
			tok++;
		}
		if (!strcasecmp(tok, "default") || !strcasecmp(tok, "all")) {
			for (i = 0; i < nmods; i++)
				if (mods[i]->default_on || tolower(*tok) == 'a')
					mods[i]->enabled = on;
			continue;
		}
		m = xf_module_find(tok);
		if (!m) {
			pr_err("-D MODULES: unknown module '%s'", tok);
			rc = -1;
			continue;
		}
		m->enabled = on;
	}
	free(list);
	return rc;
}

int xf_modules_start(void)
{
	size_t i;

	if (modules_choose())
		return -1;
	xf_columns_build();     /* init hooks may format headers (socket sink) */
	for (i = 0; i < nmods; i++)
		if (mods[i]->enabled && mods[i]->init && mods[i]->init())
			return -1;
	return 0;
}

void xf_modules_packet(const struct xf_pkt_view *pv)
{
	size_t i;

	for (i = 0; i < nmods; i++)
		if (mods[i]->enabled && mods[i]->packet)
			mods[i]->packet(pv);
}

void xf_modules_flow_end(struct xf_flow_ctx *fc)
{
	size_t i;

	for (i = 0; i < nmods; i++)
		if (mods[i]->enabled && mods[i]->flow_end)
			mods[i]->flow_end(fc);
}

void xf_modules_flow_free(struct xf_flow_ctx *fc)
{
	size_t i;

	for (i = 0; i < nmods; i++)
		if (mods[i]->flow_free && fc->mod[i])
			mods[i]->flow_free(fc);
}

void xf_modules_report(FILE *out)
{
	size_t i;

	for (i = 0; i < nmods; i++)
		if (mods[i]->enabled && mods[i]->report)
			mods[i]->report(out);
}

void xf_modules_fini(void)
{
	size_t i;

	for (i = 0; i < nmods; i++)
		if (mods[i]->enabled && mods[i]->fini)
			mods[i]->fini();
}

uint8_t xf_modules_meter_bits(void)
{
	uint8_t bits = 0;
	size_t i;

	for (i = 0; i < nmods; i++)
		if (mods[i]->enabled)
			bits |= mods[i]->meter_bit;
	return bits;
}
