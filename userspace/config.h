/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config.h - the settings registry.  Every setting has a name, a type, a
 * default, a one-line description and a current value; `-D NAME=VALUE`,
 * `-c FILE` and `--list-config [--json]` work on all of them.  No rebuild,
 * ever, to change configuration.
 */
#ifndef XF_CONFIG_H
#define XF_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum xf_setting_type { XF_ST_BOOL, XF_ST_INT, XF_ST_DOUBLE, XF_ST_STRING, XF_ST_ENUM };

struct xf_setting {
	const char *name;            /* UPPER_CASE, T2's name where the meaning is the same */
	enum xf_setting_type type;
	const char *def;             /* default, as text */
	const char *desc;            /* one line */
	const char *choices;         /* XF_ST_ENUM: "a|b|c" */
	double      min, max;        /* XF_ST_INT/DOUBLE: range (min == max: none) */
};

/* Register settings (module registration does this for module settings). */
void xf_settings_register(const struct xf_setting *s, size_t n, const char *module);

/* Set from -D / -c; origin names the option or "file:line" for errors.
 * Returns 0, or -1 after printing one line naming origin and the problem. */
int  xf_setting_set(const char *name, const char *value, const char *origin);
int  xf_settings_load_file(const char *path);
/* After all registration: check that every -D named a known setting. */
int  xf_settings_check_unknown(void);

bool        xf_cfg_bool(const char *name);
int64_t     xf_cfg_int(const char *name);
double      xf_cfg_double(const char *name);
const char *xf_cfg_str(const char *name);

void xf_settings_list(FILE *out, bool json);
void xf_settings_free(void);

/* settings_core.c: the parser/meter configuration from the settings */
struct xf_cfg;
void xf_cfg_from_settings(struct xf_cfg *cfg);

#endif
