/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config.c - the settings registry.  Settings are registered by the core and
 * by modules (from constructors, so the set is complete before main() runs);
 * values come from defaults, then -c files, then -D, in command-line order.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "log.h"
#include "outbuf.h"

#define XF_MAX_SETTINGS 256

struct setting_slot {
	const struct xf_setting *def;
	const char *module;
	char *value;                /* current value (strdup), NULL = default */
	int64_t ival;
	double dval;
};

static struct setting_slot slots[XF_MAX_SETTINGS];
static size_t nslots;

void xf_settings_register(const struct xf_setting *s, size_t n, const char *module)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (nslots == XF_MAX_SETTINGS) {
			fprintf(stderr, "xdpflow: internal error: too many settings\n");
			abort();
		}
		slots[nslots].def = &s[i];
		slots[nslots].module = module ? module : "core";
		nslots++;
	}
}

static struct setting_slot *find(const char *name)
{
	size_t i;

	for (i = 0; i < nslots; i++)
		if (!strcasecmp(slots[i].def->name, name))
			return &slots[i];
	return NULL;
}

static const char *cur_text(const struct setting_slot *s)
{
	return s->value ? s->value : s->def->def;
}

static int parse_bool(const char *v, int *out)
{
	if (!strcasecmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcasecmp(v, "on"))
		*out = 1;
	else if (!strcasecmp(v, "0") || !strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcasecmp(v, "off"))
		*out = 0;
	else
		return -1;
	return 0;
}

/* The choice `v` names (any case) in "a|b|c": where it starts in choices and
 * its length, or NULL. */
static const char *enum_find(const char *choices, const char *v, size_t *len)
{
	size_t n = strlen(v);
	const char *p = choices;

	while (p && *p) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);

		if (l == n && !strncasecmp(p, v, n)) {
			*len = l;
			return p;
		}
		p = bar ? bar + 1 : NULL;
	}
	return NULL;
}

static int enum_has(const char *choices, const char *v)
{
	size_t len;

	return enum_find(choices, v, &len) != NULL;
}

/* The choice as the setting spells it (modules compare exactly). */
static char *enum_canonical(const char *choices, const char *v)
{
	size_t len;
	const char *p = enum_find(choices, v, &len);

	return p ? strndup(p, len) : NULL;
}

/* Validate `v` for `s` and cache its numeric form; message names origin. */
static int check_value(struct setting_slot *s, const char *v, const char *origin)
{
	const struct xf_setting *d = s->def;
	char *end;
	int b;

	switch (d->type) {
	case XF_ST_BOOL:
		if (parse_bool(v, &b)) {
			pr_err("%s: %s=%s: expected 0/1/yes/no/true/false", origin, d->name, v);
			return -1;
		}
		s->ival = b;
		return 0;
	case XF_ST_INT:
		errno = 0;
		s->ival = strtoll(v, &end, 0);
		if (errno || end == v || *end) {
			pr_err("%s: %s=%s: not an integer", origin, d->name, v);
			return -1;
		}
		s->dval = (double)s->ival;
		break;
	case XF_ST_DOUBLE:
		errno = 0;
		s->dval = strtod(v, &end);
		if (errno || end == v || *end || !isfinite(s->dval)) {
			pr_err("%s: %s=%s: not a number", origin, d->name, v);
			return -1;
		}
		break;
	case XF_ST_ENUM:
		if (!enum_has(d->choices, v)) {
			pr_err("%s: %s=%s: expected one of %s", origin, d->name, v, d->choices);
			return -1;
		}
		return 0;
	case XF_ST_STRING:
		return 0;
	}
	if (d->min != d->max && (s->dval < d->min || s->dval > d->max)) {
		pr_err("%s: %s=%s: out of range [%g, %g]", origin, d->name, v, d->min, d->max);
		return -1;
	}
	return 0;
}

/* -D of a name no module registered: remembered, reported by check_unknown */
static char *unknown_name, *unknown_origin;

int xf_setting_set(const char *name, const char *value, const char *origin)
{
	struct setting_slot *s = find(name);

	if (!s) {
		pr_err("%s: unknown setting '%s' (see xdpflow --list-config)", origin, name);
		if (!unknown_name) {
			unknown_name = strdup(name);
			unknown_origin = strdup(origin);
		}
		return -1;
	}
	if (check_value(s, value, origin))
		return -1;
	free(s->value);
	s->value = s->def->type == XF_ST_ENUM ? enum_canonical(s->def->choices, value) : strdup(value);
	return 0;
}

int xf_settings_check_unknown(void)
{
	return unknown_name ? -1 : 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int xf_settings_load_file(const char *path)
{
	char line[4096], origin[512];
	unsigned lineno = 0;
	int rc = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		pr_err("%s: cannot read config file: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq, *hash;

		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		s = trim(line);
		if (!*s)
			continue;
		snprintf(origin, sizeof(origin), "%s:%u", path, lineno);
		eq = strchr(s, '=');
		if (!eq) {
			pr_err("%s: expected NAME=VALUE", origin);
			rc = -1;
			continue;
		}
		*eq = '\0';
		if (xf_setting_set(trim(s), trim(eq + 1), origin))
			rc = -1;
	}
	fclose(f);
	return rc;
}

static struct setting_slot *must(const char *name)
{
	struct setting_slot *s = find(name);

	if (!s) {
		fprintf(stderr, "xdpflow: internal error: setting %s is not registered\n", name);
		abort();
	}
	return s;
}

bool xf_cfg_bool(const char *name)
{
	struct setting_slot *s = must(name);
	int b = 0;

	parse_bool(cur_text(s), &b);
	return b;
}

int64_t xf_cfg_int(const char *name)
{
	struct setting_slot *s = must(name);

	return strtoll(cur_text(s), NULL, 0);
}

double xf_cfg_double(const char *name)
{
	struct setting_slot *s = must(name);

	return strtod(cur_text(s), NULL);
}

const char *xf_cfg_str(const char *name)
{
	return cur_text(must(name));
}

static const char *type_name(enum xf_setting_type t)
{
	static const char *const names[] = { "bool", "int", "double", "string", "enum" };

	return names[t];
}

static void json_field(struct xf_outbuf *ob, const char *key, const char *val, int comma)
{
	xf_ob_putc(ob, '"');
	xf_ob_puts(ob, key);
	xf_ob_puts(ob, "\":\"");
	xf_ob_json_str(ob, val, strlen(val));
	xf_ob_putc(ob, '"');
	if (comma)
		xf_ob_putc(ob, ',');
}

void xf_settings_list(FILE *out, bool json)
{
	struct xf_outbuf ob = { 0 };
	size_t i;

	if (json)
		xf_ob_puts(&ob, "[\n");
	else
		xf_ob_printf(&ob, "%-24s %-14s %-8s %-12s %-12s %s\n", "# NAME", "MODULE", "TYPE",
			     "DEFAULT", "VALUE", "DESCRIPTION");
	for (i = 0; i < nslots; i++) {
		const struct xf_setting *d = slots[i].def;
		char type[96];

		if (d->type == XF_ST_ENUM)
			snprintf(type, sizeof(type), "enum(%s)", d->choices);
		else
			snprintf(type, sizeof(type), "%s", type_name(d->type));
		if (json) {
			xf_ob_putc(&ob, '{');
			json_field(&ob, "name", d->name, 1);
			json_field(&ob, "module", slots[i].module, 1);
			json_field(&ob, "type", type, 1);
			json_field(&ob, "default", d->def, 1);
			json_field(&ob, "value", cur_text(&slots[i]), 1);
			json_field(&ob, "description", d->desc, 0);
			xf_ob_puts(&ob, i + 1 < nslots ? "},\n" : "}\n");
		} else {
			xf_ob_printf(&ob, "%-24s %-14s %-8s %-12s %-12s %s\n", d->name, slots[i].module,
				     d->type == XF_ST_ENUM ? "enum" : type_name(d->type),
				     *d->def ? d->def : "\"\"",
				     *cur_text(&slots[i]) ? cur_text(&slots[i]) : "\"\"", d->desc);
			if (d->type == XF_ST_ENUM)
				xf_ob_printf(&ob, "%-24s %-14s %-8s %s\n", "", "", "", d->choices);
		}
	}
	if (json)
		xf_ob_puts(&ob, "]\n");
	fwrite(ob.buf, 1, ob.len, out);
	xf_ob_free(&ob);
}

void xf_settings_free(void)
{
	size_t i;

	for (i = 0; i < nslots; i++) {
		free(slots[i].value);
		slots[i].value = NULL;
	}
	free(unknown_name);
	free(unknown_origin);
	unknown_name = unknown_origin = NULL;
}
