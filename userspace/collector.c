/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * collector.c - see collector.h.  The flow files (PREFIX_flows.txt and
 * PREFIX_flows.json) are sinks like the Unix socket; the packet file, the
 * headers file and the end report (stderr and PREFIX_log.txt) are written
 * here.  Lines are formatted into one buffer and written in large blocks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "collector.h"
#include "columns.h"
#include "config.h"
#include "log.h"
#include "module.h"
#include "sink.h"
#include "stats.h"

#define FLUSH_AT (256 * 1024)

/* A buffered output file; a write error is reported once and remembered. */
struct out_file {
	FILE *fp;
	char *path;             /* for messages; "stdout" */
	struct xf_outbuf ob;
	int failed;
	int owned;              /* fclose at the end */
};

static struct {
	struct xf_run *run;
	struct out_file flows_txt, flows_json, packets;
	struct xf_sink tsv_sink, json_sink;
	struct timespec t0;
	int decimals;
	int write_errors;
} col;

static void out_flush(struct out_file *o)
{
	if (!o->fp || !o->ob.len)
		return;
	if (!o->failed && fwrite(o->ob.buf, 1, o->ob.len, o->fp) != o->ob.len) {
		pr_err("%s: write failed: %s", o->path, strerror(errno));
		o->failed = 1;
		col.write_errors++;
	}
	o->ob.len = 0;
}

static void out_maybe_flush(struct out_file *o)
{
	if (o->ob.len >= FLUSH_AT)
		out_flush(o);
}

static int out_open(struct out_file *o, const char *prefix, const char *suffix)
{
	size_t n;

	if (!prefix) {
		o->fp = stdout;
		o->path = strdup("stdout");
		return o->path ? 0 : -1;
	}
	n = strlen(prefix) + strlen(suffix) + 1;
	o->path = malloc(n);
	if (!o->path)
		return -1;
	snprintf(o->path, n, "%s%s", prefix, suffix);
	o->fp = fopen(o->path, "w");
	if (!o->fp) {
		pr_err("%s: cannot create: %s", o->path, strerror(errno));
		return -1;
	}
	o->owned = 1;
	return 0;
}

static void out_close(struct out_file *o)
{
	out_flush(o);
	if (o->fp && (o->owned ? fclose(o->fp) : fflush(o->fp)) && !o->failed) {
		pr_err("%s: write failed: %s", o->path, strerror(errno));
		col.write_errors++;
	}
	o->fp = NULL;
	xf_ob_free(&o->ob);
	free(o->path);
	o->path = NULL;
}

/* ----------------------------------------------------------- flow sinks */

static void tsv_flow(struct xf_sink *s, const struct xf_flow_ctx *fc)
{
	struct out_file *o = s->priv;

	xf_format_flow_tsv(&o->ob, fc, 0);
	if (fc->f.dir[1].pkts)
		xf_format_flow_tsv(&o->ob, fc, 1);
	out_maybe_flush(o);
}

static void json_flow(struct xf_sink *s, const struct xf_flow_ctx *fc)
{
	struct out_file *o = s->priv;

	xf_format_flow_json(&o->ob, fc, 0);
	if (fc->f.dir[1].pkts)
		xf_format_flow_json(&o->ob, fc, 1);
	out_maybe_flush(o);
}

static void sink_close(struct xf_sink *s)
{
	out_close(s->priv);
}

static int write_headers_file(const char *prefix)
{
	struct out_file o = { 0 };

	if (out_open(&o, prefix, "_headers.txt"))
		return -1;
	xf_format_headers_file(&o.ob);
	out_close(&o);
	return 0;
}

int xf_collector_open(struct xf_run *run)
{
	int json = run->json || xf_cfg_bool("JSON_OUTPUT");
	int tsv = xf_cfg_bool("FLOWS_TXT") && (run->prefix || !json);

	col.run = run;
	col.decimals = (int)xf_cfg_int("TSTAMP_DECIMALS");
	clock_gettime(CLOCK_MONOTONIC, &col.t0);
	if (tsv) {
		if (out_open(&col.flows_txt, run->prefix, "_flows.txt"))
			return -1;
		xf_format_flow_header(&col.flows_txt.ob);
		col.tsv_sink = (struct xf_sink){ .name = "flows.txt", .flow = tsv_flow,
						 .close = sink_close, .priv = &col.flows_txt };
		xf_sink_add(&col.tsv_sink);
	}
	if (json) {
		if (out_open(&col.flows_json, run->prefix, "_flows.json"))
			return -1;
		col.flows_json.ob.json = 1;
		col.json_sink = (struct xf_sink){ .name = "flows.json", .flow = json_flow,
						  .close = sink_close, .priv = &col.flows_json };
		xf_sink_add(&col.json_sink);
	}
	if (run->packet_mode) {
		if (!run->prefix) {
			pr_err("-s: packet mode needs -w PREFIX (the packets go to PREFIX_packets.txt)");
			return -1;
		}
		if (out_open(&col.packets, run->prefix, "_packets.txt"))
			return -1;
		xf_format_packet_header(&col.packets.ob);
	}
	if (run->prefix && write_headers_file(run->prefix))
		return -1;
	return 0;
}

/* ------------------------------------------------------ flows, packets */

void xf_collector_finalize(struct xf_flow_ctx *fc, uint64_t reason)
{
	fc->f.stat |= reason;
	fc->end_reason = (uint32_t)reason;
	switch (reason) {
	case XF_FS_IDLE_END:   xf_stats.flows_idle++; break;
	case XF_FS_ACTIVE_END: xf_stats.flows_active++; break;
	case XF_FS_TCP_END:    xf_stats.flows_tcp_end++; break;
	case XF_FS_INPUT_END:  xf_stats.flows_input_end++; break;
	}
	if (fc->f.dir[0].pkts)
		xf_stats.flows_a++;
	if (fc->f.dir[1].pkts)
		xf_stats.flows_b++;
	xf_stats.flowstat_or |= fc->f.stat;
	xf_modules_flow_end(fc);
	xf_sinks_flow(fc);
	xf_modules_flow_free(fc);
}

void xf_pkt_view_init(struct xf_pkt_view *pv, const struct xf_pkt *p, const uint8_t *frame,
		      uint32_t caplen, uint64_t ts, uint64_t pkt_no)
{
	uint32_t off = p->l7_off, n;

	memset(pv, 0, sizeof(*pv));
	pv->p = p;
	pv->frame = frame;
	pv->caplen = caplen;
	pv->ts = ts;
	pv->pkt_no = pkt_no;
	if (!p->l7_len)
		return;
	pv->l7_len = xf_l7_length(p, frame, caplen, p->wire_len);
	if (off >= caplen)
		return;
	n = caplen - off;
	pv->l7 = frame + off;
	pv->l7_caplen = n < pv->l7_len ? n : pv->l7_len;
}

void xf_collector_packet(const struct xf_pkt_view *pv)
{
	if (pv->fc)
		xf_modules_packet(pv);
	if (col.packets.fp) {
		xf_format_packet_tsv(&col.packets.ob, pv);
		out_maybe_flush(&col.packets);
	}
}

/* ---------------------------------------------------------------- report */

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void time_line(FILE *out, const char *what, uint64_t ns)
{
	time_t t = (time_t)(ns / 1000000000ULL);
	char date[64];

	strftime(date, sizeof(date), "%a %d %b %Y %H:%M:%S UTC", gmtime(&t));
	fprintf(out, "%s: %llu.%06llu sec (%s)\n", what, (unsigned long long)(ns / 1000000000ULL),
		(unsigned long long)(ns % 1000000000ULL / 1000), date);
}

static void counts_line(FILE *out, const char *what, uint64_t n, uint64_t of)
{
	if (n)
		fprintf(out, "Number of %s: %llu [%.2f%%]\n", what, (unsigned long long)n, pct(n, of));
}

static void report_losses(FILE *out)
{
	struct xf_loss_counter *c;
	int any = 0;

	for (c = xf_loss_counters(); c; c = c->next)
		any |= *c->value != 0;
	fprintf(out, "Losses:%s\n", any ? "" : " none");
	for (c = xf_loss_counters(); c; c = c->next)
		fprintf(out, "  %s: %llu\n", c->name, (unsigned long long)*c->value);
}

static void report_warnings(FILE *out)
{
	const struct xf_stats *s = &xf_stats;

	if (s->parse[XF_PR_TRUNCATED])
		fprintf(out, "Warning: %llu packets with truncated headers\n", (unsigned long long)s->parse[XF_PR_TRUNCATED]);
	if (s->parse[XF_PR_MALFORMED])
		fprintf(out, "Warning: %llu malformed packets\n", (unsigned long long)s->parse[XF_PR_MALFORMED]);
	if (s->parse[XF_PR_UNSUPPORTED])
		fprintf(out, "Warning: %llu packets of an unsupported protocol\n", (unsigned long long)s->parse[XF_PR_UNSUPPORTED]);
	if (s->snapped)
		fprintf(out, "Warning: %llu packets captured shorter than on the wire (snap length)\n", (unsigned long long)s->snapped);
	if (s->bad_ipcsum)
		fprintf(out, "Warning: %llu IPv4 headers with a bad checksum\n", (unsigned long long)s->bad_ipcsum);
	if (s->time_jumps)
		fprintf(out, "Warning: %llu packets older than an earlier packet (time jump)\n", (unsigned long long)s->time_jumps);
	if (s->frag_nohead)
		fprintf(out, "Warning: %llu later IP fragments whose first fragment was not seen\n", (unsigned long long)s->frag_nohead);
	if (xf_log_warnings)
		fprintf(out, "Warnings logged: %lu\n", xf_log_warnings);
}

static void report_body(FILE *out, struct xf_run *run)
{
	const struct xf_stats *s = &xf_stats;
	struct timespec t1;
	double dur = s->last_ts > s->first_ts ? (double)(s->last_ts - s->first_ts) / 1e9 : 0;
	double wall;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	wall = (double)(t1.tv_sec - col.t0.tv_sec) + (double)(t1.tv_nsec - col.t0.tv_nsec) / 1e9;
	fprintf(out, "xdpflow %s, %s engine\n", XF_VERSION, run->engine ? run->engine : "pcap");
	if (run->iface)
		fprintf(out, "Interface: %s\n", run->iface);
	else if (run->ninputs == 1)
		fprintf(out, "Input: %s\n", run->inputs[0]);
	else
		fprintf(out, "Input: %d files\n", run->ninputs);
	if (run->prefix)
		fprintf(out, "Output prefix: %s\n", run->prefix);
	if (run->filter)
		fprintf(out, "Filter: %s\n", run->filter);
	if (s->pkts) {
		time_line(out, "Dump start", s->first_ts);
		time_line(out, "Dump stop", s->last_ts);
	}
	fprintf(out, "Total dump duration: %.6f sec\n", dur);
	fprintf(out, "Number of processed packets: %llu\n", (unsigned long long)s->pkts);
	fprintf(out, "Number of processed bytes: %llu (captured %llu)\n",
		(unsigned long long)s->bytes_wire, (unsigned long long)s->bytes_cap);
	counts_line(out, "IPv4 packets", s->pkts_v4, s->pkts);
	counts_line(out, "IPv6 packets", s->pkts_v6, s->pkts);
	counts_line(out, "non-IP packets", s->pkts_l2, s->pkts);
	counts_line(out, "TCP packets", s->pkts_tcp, s->pkts);
	counts_line(out, "UDP packets", s->pkts_udp, s->pkts);
	counts_line(out, "ICMP packets", s->pkts_icmp, s->pkts);
	counts_line(out, "SCTP packets", s->pkts_sctp, s->pkts);
	counts_line(out, "other L4 packets", s->pkts_other_l4, s->pkts);
	counts_line(out, "IP fragments", s->pkts_frag, s->pkts);
	counts_line(out, "packets in no flow", s->no_flow, s->pkts);
	fprintf(out, "Number of A packets: %llu [%.2f%%], B packets: %llu [%.2f%%]\n",
		(unsigned long long)s->pkts_a, pct(s->pkts_a, s->pkts),
		(unsigned long long)s->pkts_b, pct(s->pkts_b, s->pkts));
	fprintf(out, "Number of A bytes: %llu [%.2f%%], B bytes: %llu [%.2f%%]\n",
		(unsigned long long)s->bytes_a, pct(s->bytes_a, s->bytes_wire),
		(unsigned long long)s->bytes_b, pct(s->bytes_b, s->bytes_wire));
	fprintf(out, "Number of flows: %llu (A: %llu, B: %llu)\n", (unsigned long long)s->flows,
		(unsigned long long)s->flows_a, (unsigned long long)s->flows_b);
	fprintf(out, "Flows ended: idle %llu, active timeout %llu, TCP close %llu, end of input %llu, evicted %llu\n",
		(unsigned long long)s->flows_idle, (unsigned long long)s->flows_active,
		(unsigned long long)s->flows_tcp_end, (unsigned long long)s->flows_input_end,
		(unsigned long long)s->flows_evicted);
	if (s->flows_in_mem_max)
		fprintf(out, "Max number of flows in memory: %llu\n", (unsigned long long)s->flows_in_mem_max);
	if (dur > 0)
		fprintf(out, "Average packets/s: %.3f, bytes/s: %.3f (over the dump duration)\n",
			(double)s->pkts / dur, (double)s->bytes_wire / dur);
	fprintf(out, "Processing time: %.3f sec (%.0f packets/s)\n", wall,
		wall > 0 ? (double)s->pkts / wall : 0);
	fprintf(out, "Parser: ok %llu, truncated %llu, malformed %llu, unsupported %llu\n",
		(unsigned long long)s->parse[XF_PR_OK], (unsigned long long)s->parse[XF_PR_TRUNCATED],
		(unsigned long long)s->parse[XF_PR_MALFORMED], (unsigned long long)s->parse[XF_PR_UNSUPPORTED]);
	fprintf(out, "Aggregated flowStat: 0x%016llx\n", (unsigned long long)s->flowstat_or);
	report_warnings(out);
	report_losses(out);
	xf_modules_report(out);
}

void xf_collector_report(FILE *out, struct xf_run *run)
{
	fprintf(out, "--- report so far ---\n");
	report_body(out, run);
	fflush(out);
}

void xf_collector_close(struct xf_run *run, int status)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	out_close(&col.packets);
	xf_sinks_close();
	xf_modules_fini();
	/* one report, written to both places */
	mem = open_memstream(&text, &len);
	if (mem) {
		report_body(mem, run);
		fclose(mem);
	}
	if (run->prefix) {
		struct out_file o = { 0 };

		if (!out_open(&o, run->prefix, "_log.txt")) {
			if (text)
				xf_ob_put(&o.ob, text, len);
			out_close(&o);
		} else {
			run->output_errors++;
		}
	}
	if (!run->quiet && text)
		fwrite(text, 1, len, stderr);
	free(text);
	if (col.write_errors)
		run->output_errors += col.write_errors;
	(void)status;
}
