/* SPDX-License-Identifier: BSD-3-Clause */
/* log.h - one logging module: pr_err/pr_warn/pr_info/pr_debug to stderr. */
#ifndef XF_LOG_H
#define XF_LOG_H

enum xf_log_level { XF_LOG_ERR, XF_LOG_WARN, XF_LOG_INFO, XF_LOG_DEBUG };

extern enum xf_log_level xf_log_level;

void xf_log(enum xf_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "xdpflow: error: ..." one line; callers name the file or option concerned */
#define pr_err(...)   xf_log(XF_LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  xf_log(XF_LOG_WARN, __VA_ARGS__)
#define pr_info(...)  xf_log(XF_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) xf_log(XF_LOG_DEBUG, __VA_ARGS__)

/* warnings are also counted for the end report */
extern unsigned long xf_log_warnings;

#endif
