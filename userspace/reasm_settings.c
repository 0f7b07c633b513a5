// SPDX-License-Identifier: BSD-3-Clause
/*
 * reasm_settings.c - the reassembly settings, shared by `xdpflow follow`,
 * the payload dumper and the transcripts.  Kept apart from reasm.c so the
 * reassembler itself stays free of the settings registry.
 */
#include <stdlib.h>
#include "config.h"
#include "reasm.h"
#include "reasm_settings.h"

static const struct xf_setting reasm_settings[] = {
	{ "REASM_POLICY", XF_ST_ENUM, "first",
	  "overlapping bytes that differ: first data wins, last wins, or the target policies bsd/linux/windows",
	  "first|last|bsd|linux|windows", 0, 0 },
	{ "REASM_MAX_OOO", XF_ST_INT, "4194304",
	  "bytes buffered out of order per flow direction; beyond, the gap is reported and skipped (0 = no cap)",
	  NULL, 0, 1e12 },
	{ "REASM_MAX_OOO_TOTAL", XF_ST_INT, "268435456",
	  "bytes buffered out of order over all flows; beyond, the gap is reported and skipped (0 = no cap)",
	  NULL, 0, 1e13 },
	{ "REASM_HISTORY", XF_ST_INT, "0",
	  "delivered bytes kept per direction to compare retransmissions with (overlap detection on delivered data)",
	  NULL, 0, 1 << 30 },
};

static void __attribute__((constructor)) reasm_settings_register(void)
{
	xf_settings_register(reasm_settings, sizeof(reasm_settings) / sizeof(reasm_settings[0]),
			     "reassembly");
}

static struct xf_rs_pool global_pool;

void xf_rs_cfg_from_settings(struct xf_rs_cfg *cfg, uint32_t min_history)
{
	int pol = xf_rs_policy_parse(xf_cfg_str("REASM_POLICY"));
	int64_t hist = xf_cfg_int("REASM_HISTORY");

	cfg->policy = pol < 0 ? XF_RS_FIRST : pol;
	cfg->max_ooo = xf_cfg_int("REASM_MAX_OOO");
	cfg->history = hist > min_history ? hist : min_history;
	global_pool.cap = xf_cfg_int("REASM_MAX_OOO_TOTAL");
	cfg->pool = &global_pool;
}

const struct xf_rs_pool *xf_rs_global_pool(void)
{
	return &global_pool;
}
