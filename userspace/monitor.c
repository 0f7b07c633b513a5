/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * monitor.c - a periodic progress line (-m SECONDS / MONITOR_INTERVAL): one
 * line on stderr and one TSV row in PREFIX_monitoring.txt with packets,
 * bytes, flows in memory, flows finalized and every registered loss counter.
 *
 * It rides on the sink poll (about once a second, both engines), so it needs
 * no timer or thread of its own; the interval is measured on the wall clock
 * and is as fine as that poll.  A last row is written at the end of the run.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "log.h"
#include "module.h"
#include "run.h"
#include "sink.h"
#include "stats.h"

/* xf_run is defined by main.c; unit tests link the collector without it */
#pragma weak xf_run
static struct xf_run *current_run(void)
{
	return &xf_run ? xf_run : NULL;
}

static struct {
	double interval;
	double start, last;         /* monotonic seconds */
	uint64_t last_pkts, last_bytes;
	uint64_t finalized;         /* flows the sinks were given */
	FILE *file;                 /* PREFIX_monitoring.txt, or NULL */
	int file_tried;
	size_t header_losses;       /* loss counters named in the last header */
	int to_stderr;
} mon;

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t loss_count(void)
{
	struct xf_loss_counter *c;
	size_t n = 0;

	for (c = xf_loss_counters(); c; c = c->next)
		n++;
	return n;
}

/* "ringbuf reserve failed (payload)" -> "ringbuf_reserve_failed_payload" */
static void column_name(FILE *f, const char *name)
{
	int gap = 0, any = 0;

	for (; *name; name++) {
		if (isalnum((unsigned char)*name)) {
			if (gap && any)
				fputc('_', f);
			fputc(*name, f);
			gap = 0;
			any = 1;
		} else {
			gap = 1;
		}
	}
}

static void file_open(void)
{
	const char *setting = xf_cfg_str("MONITOR_FILE");
	char *path = NULL;

	mon.file_tried = 1;
	if (*setting && strcmp(setting, "-"))
		path = strdup(setting);
	else if (!*setting && current_run() && current_run()->prefix &&
		 asprintf(&path, "%s_monitoring.txt", current_run()->prefix) < 0)
		path = NULL;
	if (!path)
		return;
	mon.file = fopen(path, "w");
	if (!mon.file)
		pr_warn("%s: cannot write the monitoring file: %s", path, strerror(errno));
	free(path);
}

/* Rewritten whenever the set of loss counters grows (a module registered
 * one late), so every row has a header naming its columns. */
static void file_header(void)
{
	struct xf_loss_counter *c;

	fputs("%time\telapsed\tpktTime\tpkts\tpktsPerSec\tbytes\tbytesPerSec\t"
	      "flowsInMem\tflowsCreated\tflowsFinalized", mon.file);
	for (c = xf_loss_counters(); c; c = c->next) {
		fputc('\t', mon.file);
		column_name(mon.file, c->name);
	}
	fputc('\n', mon.file);
	mon.header_losses = loss_count();
}

static void file_row(double elapsed, double pps, double bps)
{
	struct xf_loss_counter *c;
	struct timespec wall;

	if (!mon.file_tried)
		file_open();
	if (!mon.file)
		return;
	if (loss_count() != mon.header_losses || ftell(mon.file) == 0)
		file_header();
	clock_gettime(CLOCK_REALTIME, &wall);
	fprintf(mon.file, "%lld.%06ld\t%.3f\t%llu.%09llu\t%llu\t%.1f\t%llu\t%.1f\t%llu\t%llu\t%llu",
		(long long)wall.tv_sec, wall.tv_nsec / 1000, elapsed,
		(unsigned long long)(xf_stats.last_ts / 1000000000ULL),
		(unsigned long long)(xf_stats.last_ts % 1000000000ULL),
		(unsigned long long)xf_stats.pkts, pps, (unsigned long long)xf_stats.bytes_wire, bps,
		(unsigned long long)xf_stats.flows_in_mem, (unsigned long long)xf_stats.flows,
		(unsigned long long)mon.finalized);
	for (c = xf_loss_counters(); c; c = c->next)
		fprintf(mon.file, "\t%llu", (unsigned long long)*c->value);
	fputc('\n', mon.file);
	fflush(mon.file);
}

static void stderr_line(double elapsed, double pps, double bps)
{
	struct xf_loss_counter *c;

	fprintf(stderr, "xdpflow: monitor %.1fs: %llu pkts (%.0f/s), %llu bytes (%.0f/s), "
		"flows %llu in memory, %llu finalized; losses:",
		elapsed, (unsigned long long)xf_stats.pkts, pps,
		(unsigned long long)xf_stats.bytes_wire, bps,
		(unsigned long long)xf_stats.flows_in_mem, (unsigned long long)mon.finalized);
	if (!xf_loss_counters())
		fputs(" none registered", stderr);
	for (c = xf_loss_counters(); c; c = c->next)
		fprintf(stderr, " %s=%llu", c->name, (unsigned long long)*c->value);
	fputc('\n', stderr);
}

static void monitor_line(double t)
{
	double span = t - mon.last, elapsed = t - mon.start;
	double pps = span > 0 ? (double)(xf_stats.pkts - mon.last_pkts) / span : 0;
	double bps = span > 0 ? (double)(xf_stats.bytes_wire - mon.last_bytes) / span : 0;

	if (mon.to_stderr)
		stderr_line(elapsed, pps, bps);
	file_row(elapsed, pps, bps);
	mon.last = t;
	mon.last_pkts = xf_stats.pkts;
	mon.last_bytes = xf_stats.bytes_wire;
}

static void monitor_flow(struct xf_sink *s, const struct xf_flow_ctx *fc)
{
	mon.finalized++;
}

static void monitor_poll(struct xf_sink *s)
{
	double t = mono_now();

	if (t - mon.last >= mon.interval)
		monitor_line(t);
}

static void monitor_close(struct xf_sink *s)
{
	monitor_line(mono_now());
	if (mon.file && fclose(mon.file))
		pr_warn("monitoring file: %s", strerror(errno));
	mon.file = NULL;
}

static struct xf_sink monitor_sink = {
	.name = "monitor",
	.flow = monitor_flow,
	.poll = monitor_poll,
	.close = monitor_close,
};

static int monitor_init(void)
{
	mon.interval = xf_cfg_double("MONITOR_INTERVAL");
	if (mon.interval <= 0)
		return 0;               /* not asked for: the module stays idle */
	mon.to_stderr = xf_cfg_bool("MONITOR_STDERR");
	mon.start = mon.last = mono_now();
	xf_sink_add(&monitor_sink);
	return 0;
}

static const struct xf_setting monitor_settings[] = {
	{ "MONITOR_INTERVAL", XF_ST_DOUBLE, "0",
	  "seconds between monitoring lines (-m/--monitor); 0: off", NULL, 0, 1e6 },
	{ "MONITOR_FILE", XF_ST_STRING, "",
	  "monitoring TSV file; empty: PREFIX_monitoring.txt when -w is given; '-': none", NULL, 0, 0 },
	{ "MONITOR_STDERR", XF_ST_BOOL, "1",
	  "also print each monitoring line on stderr", NULL, 0, 0 },
};

static struct xf_module monitor_module = {
	.name = "monitor",
	.desc = "periodic monitoring line and PREFIX_monitoring.txt (idle unless MONITOR_INTERVAL > 0)",
	.default_on = 1,
	.settings = monitor_settings,
	.nsettings = sizeof(monitor_settings) / sizeof(monitor_settings[0]),
	.init = monitor_init,
};
XF_MODULE(monitor_module);
