/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdio.h>
#include "log.h"

enum xf_log_level xf_log_level = XF_LOG_INFO;
unsigned long xf_log_warnings;

void xf_log(enum xf_log_level lvl, const char *fmt, ...)
{
	static const char *const tag[] = { "error: ", "warning: ", "", "debug: " };
	va_list ap;

	if (lvl == XF_LOG_WARN)
		xf_log_warnings++;
	if (lvl > xf_log_level)
		return;
	fprintf(stderr, "xdpflow: %s", tag[lvl]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
