/* SPDX-License-Identifier: BSD-3-Clause */
/* reasm_settings.h - REASM_* settings into a reassembler configuration. */
#ifndef XF_REASM_SETTINGS_H
#define XF_REASM_SETTINGS_H

#include "reasm.h"

/* Fill cfg from the REASM_* settings; history is at least min_history. */
void xf_rs_cfg_from_settings(struct xf_rs_cfg *cfg, uint32_t min_history);
/* The run-wide pool behind REASM_MAX_OOO_TOTAL. */
const struct xf_rs_pool *xf_rs_global_pool(void);

#endif
