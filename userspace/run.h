/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * run.h - one run of xdpflow: the options from the command line, and the
 * engines that turn an input into packets for the collector.
 */
#ifndef XF_RUN_H
#define XF_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct xf_run {
	/* inputs */
	char      **inputs;         /* -r FILE (one) or the files of -R LIST, in order */
	int         ninputs;
	const char *iface;          /* -i IFACE */
	const char *engine;         /* "pcap" | "xdp" | NULL (auto) */
	const char *filter;         /* trailing BPF filter expression, or NULL */
	/* outputs */
	const char *prefix;         /* output prefix (NULL: flows to stdout) */
	bool        packet_mode;    /* -s */
	bool        json;           /* PREFIX_flows.json */
	bool        quiet;          /* -q: no report on stderr (PREFIX_log.txt still) */
	/* state */
	volatile sig_atomic_t stop;       /* SIGINT/SIGTERM */
	volatile sig_atomic_t report_now; /* SIGUSR1 */
	int         linktype;       /* DLT of the current input */
	const char *cur_input;      /* file being read, for messages */
	int         input_errors;   /* inputs that ended in an error */
	int         output_errors;  /* output files that could not be written */
};

extern struct xf_run *xf_run;   /* the current run (signal handlers, report) */

struct xf_engine {
	const char *name;
	/* Runs until input ends or run->stop, then ends every flow it still
	 * holds (XF_FS_INPUT_END) through the collector.  Returns 0, -1 after
	 * one line naming the input and the problem (flows seen so far are
	 * still flushed), or -2 when it cannot run here (kernel engine without
	 * privilege): the caller falls back to libpcap. */
	int (*run)(struct xf_run *run);
};

extern const struct xf_engine xf_engine_pcap;

#endif
