/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * engine_pcap.c - the libpcap engine: capture files (pcap with µs or ns
 * timestamps, pcapng, gzip'd either way; several files in order as one
 * capture) and live interfaces (-i with --engine pcap), through the offline
 * flow path (offline.c).  Files are streamed, never loaded whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#define bpf_insn linux_bpf_insn        /* linux/bpf.h (via abi.h) has one too */
#include "collector.h"
#include "config.h"
#include "log.h"
#include "offline.h"
#include "run.h"
#include "sink.h"
#include "stats.h"
#undef bpf_insn

/* ------------------------------------------------------------- timing */

static double mono_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t wall_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/* Sinks (socket, monitor) are polled every few ms; the progress line and
 * the clock are looked at every 1024 packets only. */
struct ticker {
	double last_poll, last_progress, start;
	uint64_t pkts_at_progress;
	uint64_t count;         /* packets read, all inputs */
	int progress;           /* show a progress line */
	int shown;
	long long size;         /* input size for the percentage, 0: unknown */
};

static void progress_line(struct ticker *t, const char *path, long long pos, double now)
{
	double pps = (double)(xf_stats.pkts - t->pkts_at_progress) / (now - t->last_progress);

	if (t->size > 0)
		fprintf(stderr, "\r%s: %3.0f%%  %llu packets  %.0f packets/s\033[K", path,
			100.0 * (double)pos / (double)t->size, (unsigned long long)xf_stats.pkts, pps);
	else
		fprintf(stderr, "\r%s: %llu packets  %.0f packets/s\033[K", path,
			(unsigned long long)xf_stats.pkts, pps);
	t->shown = 1;
	t->last_progress = now;
	t->pkts_at_progress = xf_stats.pkts;
}

static void tick(struct ticker *t, struct xf_run *run, const char *path, long long pos)
{
	double now = mono_now();

	if (now - t->last_poll >= 0.005) {
		xf_sinks_poll();
		t->last_poll = now;
	}
	if (t->progress && now - t->last_progress >= 1.0)
		progress_line(t, path, pos, now);
	if (run->report_now) {
		run->report_now = 0;
		if (t->shown)
			fputs("\r\033[K", stderr);
		xf_collector_report(stderr, run);
	}
}

static void progress_clear(struct ticker *t)
{
	if (t->shown)
		fputs("\r\033[K", stderr);
	t->shown = 0;
}

/* ----------------------------------------------------- gzip'd captures */

static ssize_t gz_read(void *cookie, char *buf, size_t n)
{
	int r = gzread((gzFile)cookie, buf, (unsigned)(n > 1u << 30 ? 1u << 30 : n));

	if (r < 0) {
		errno = EIO;
		return -1;
	}
	return r;
}

static int gz_close(void *cookie)
{
	return gzclose((gzFile)cookie) == Z_OK ? 0 : -1;
}

/* ------------------------------------------------------------ files */

/* stdio's default buffer is st_blksize (4 KiB here): libpcap's freads then
 * cost one read() per 4 KiB, which on a 681 MB capture is most of the time
 * a bare read takes (docs/bench.md).  A 256 KiB buffer makes that 64 times
 * fewer system calls and still fits in the L2 cache. */
#define INPUT_BUFSIZE (256 * 1024)

struct input {
	pcap_t *pc;
	FILE *fp;               /* owned by pc once opened */
	gzFile gz;              /* gzip'd input: compressed position for progress */
	char *buf;              /* fp's stdio buffer; freed after pcap_close */
	long long size;
};

/* Before the first read through fp (glibc ignores the size of a NULL buffer).
 * Without the buffer, reading still works, only slower. */
static void set_buffer(struct input *in)
{
	if (!in->buf)
		in->buf = malloc(INPUT_BUFSIZE);
	if (in->buf)
		setvbuf(in->fp, in->buf, _IOFBF, INPUT_BUFSIZE);
}

static void close_input(struct input *in)
{
	if (in->pc)
		pcap_close(in->pc);
	else if (in->fp)
		fclose(in->fp);
	in->pc = NULL;
	in->fp = NULL;
	free(in->buf);
	in->buf = NULL;
}

static long long input_pos(const struct input *in)
{
	if (in->gz)
		return (long long)gzoffset(in->gz);
	return in->fp ? (long long)ftello(in->fp) : 0;
}

static int open_input(struct input *in, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	unsigned char magic[4] = { 0 };
	struct stat st;
	size_t got;
	int fd;

	memset(in, 0, sizeof(*in));
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		pr_err("%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		pr_err("%s: is a directory, not a capture file", path);
		close(fd);
		return -1;
	}
	in->size = S_ISREG(st.st_mode) ? (long long)st.st_size : 0;
	in->fp = fdopen(fd, "rb");
	if (!in->fp) {
		pr_err("%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	set_buffer(in);
	got = fread(magic, 1, sizeof(magic), in->fp);
	if (got < sizeof(magic)) {
		pr_err("%s: %s", path, ferror(in->fp) ? strerror(errno) :
		       got ? "too short for a capture file header" : "empty file, not a capture");
		close_input(in);
		return -1;
	}
	rewind(in->fp);
	if (magic[0] == 0x1f && magic[1] == 0x8b) {
		cookie_io_functions_t io = { .read = gz_read, .close = gz_close };

		fflush(in->fp);
		in->gz = gzdopen(dup(fd), "rb");
		fclose(in->fp);
		in->fp = in->gz ? fopencookie(in->gz, "rb", io) : NULL;
		if (!in->fp) {
			pr_err("%s: cannot read gzip data: %s", path, strerror(errno));
			if (in->gz)
				gzclose(in->gz);
			close_input(in);
			return -1;
		}
		set_buffer(in);
	}
	in->pc = pcap_fopen_offline_with_tstamp_precision(in->fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!in->pc) {
		if (strstr(errbuf, "unknown file format"))
			pr_err("%s: not a pcap or pcapng file (magic %02x%02x%02x%02x)", path,
			       magic[0], magic[1], magic[2], magic[3]);
		else
			pr_err("%s: %s", path, errbuf);
		close_input(in);
		return -1;
	}
	return 0;
}

static int set_filter(pcap_t *pc, const char *filter, bpf_u_int32 netmask)
{
	struct bpf_program prog;

	if (!filter)
		return 0;
	if (pcap_compile(pc, &prog, filter, 1, netmask) < 0) {
		pr_err("filter '%s': %s", filter, pcap_geterr(pc));
		return -1;
	}
	if (pcap_setfilter(pc, &prog) < 0) {
		pr_err("filter '%s': %s", filter, pcap_geterr(pc));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

static int check_linktype(pcap_t *pc, const char *what)
{
	int dlt = pcap_datalink(pc);
	const char *name;

	if (xf_linktype_supported(dlt))
		return dlt;
	name = pcap_datalink_val_to_name(dlt);
	pr_err("%s: link type %d (%s) is not supported (EN10MB, LINUX_SLL, LINUX_SLL2, RAW, IPV4, IPV6, NULL, LOOP are)",
	       what, dlt, name ? name : "unknown");
	return -1;
}

/* Reads one file to its end; 0, or -1 after one line naming it.  Packets
 * read before an error are metered.  -2: the filter is bad (stop the run). */
static int read_file(struct xf_run *run, const char *path, struct ticker *t)
{
	struct pcap_pkthdr *h;
	const u_char *bytes;
	struct input in;
	uint64_t n = 0, ts;
	int ret = 0, dlt;

	if (open_input(&in, path))
		return -1;
	run->cur_input = path;
	if (set_filter(in.pc, run->filter, PCAP_NETMASK_UNKNOWN)) {
		close_input(&in);
		return -2;
	}
	dlt = check_linktype(in.pc, path);
	if (dlt < 0) {
		close_input(&in);
		return -1;
	}
	run->linktype = dlt;
	t->size = in.size;
	while (!run->stop && (ret = pcap_next_ex(in.pc, &h, &bytes)) == 1) {
		ts = (uint64_t)h->ts.tv_sec * 1000000000ULL + (uint64_t)h->ts.tv_usec;
		if (!xf_stats.first_ts || ts < xf_stats.first_ts)
			xf_stats.first_ts = ts;
		if (ts > xf_stats.last_ts)
			xf_stats.last_ts = ts;
		xf_offline_packet(bytes, h->caplen, h->len, ts, dlt);
		n++;
		if ((++t->count & 1023) == 0)   /* across files: -R lists of small ones */
			tick(t, run, path, input_pos(&in));
	}
	progress_clear(t);
	if (!run->stop && ret == -1) {
		pr_err("%s: after packet %llu of this file: %s", path, (unsigned long long)n,
		       pcap_geterr(in.pc));
		close_input(&in);
		return -1;
	}
	close_input(&in);
	return 0;
}

static int run_files(struct xf_run *run)
{
	struct ticker t = { 0 };
	const char *p = xf_cfg_str("PROGRESS");
	int i, err = 0, r;

	t.progress = !strcmp(p, "on") || (!strcmp(p, "auto") && isatty(STDERR_FILENO));
	t.start = t.last_progress = t.last_poll = mono_now();
	for (i = 0; i < run->ninputs && !run->stop; i++) {
		r = read_file(run, run->inputs[i], &t);
		if (r == -2)
			return -1;
		if (r) {
			run->input_errors++;
			err = -1;
		}
	}
	return err;
}

/* ------------------------------------------------------------- live */

static uint64_t live_drop, live_ifdrop;
static struct xf_loss_counter loss_drop = { "packets dropped by the kernel (libpcap)", &live_drop, NULL };
static struct xf_loss_counter loss_ifdrop = { "packets dropped by the interface (libpcap)", &live_ifdrop, NULL };

static void live_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	int dlt = *(int *)user;
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ULL + (uint64_t)h->ts.tv_usec;

	if (!xf_stats.first_ts)
		xf_stats.first_ts = ts;
	if (ts > xf_stats.last_ts)
		xf_stats.last_ts = ts;
	xf_offline_packet(bytes, h->caplen, h->len, ts, dlt);
}

static pcap_t *live_open(struct xf_run *run)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_create(run->iface, errbuf);
	int err;

	if (!pc) {
		pr_err("-i %s: %s", run->iface, errbuf);
		return NULL;
	}
	pcap_set_snaplen(pc, 262144);
	pcap_set_promisc(pc, 1);
	pcap_set_timeout(pc, 100);
	pcap_set_buffer_size(pc, 64 << 20);
	pcap_set_tstamp_precision(pc, PCAP_TSTAMP_PRECISION_NANO);
	err = pcap_activate(pc);
	if (err < 0) {
		pr_err("-i %s: %s%s%s", run->iface, pcap_statustostr(err),
		       *pcap_geterr(pc) ? ": " : "", pcap_geterr(pc));
		pcap_close(pc);
		return NULL;
	}
	if (err > 0)
		pr_warn("-i %s: %s: %s", run->iface, pcap_statustostr(err), pcap_geterr(pc));
	return pc;
}

static int run_live(struct xf_run *run)
{
	struct ticker t = { 0 };
	struct pcap_stat ps;
	pcap_t *pc = live_open(run);
	int dlt, n = 0;

	if (!pc)
		return -1;
	if (set_filter(pc, run->filter, PCAP_NETMASK_UNKNOWN)) {
		pcap_close(pc);
		return -1;
	}
	dlt = check_linktype(pc, run->iface);
	if (dlt < 0) {
		pcap_close(pc);
		return -1;
	}
	run->linktype = dlt;
	xf_loss_register(&loss_drop);
	xf_loss_register(&loss_ifdrop);
	pr_info("listening on %s (libpcap engine), link type %s", run->iface,
		pcap_datalink_val_to_name(dlt));
	t.last_poll = mono_now();
	while (!run->stop) {
		n = pcap_dispatch(pc, 4096, live_cb, (u_char *)&dlt);
		if (n == PCAP_ERROR) {
			pr_err("-i %s: %s", run->iface, pcap_geterr(pc));
			break;
		}
		xf_offline_expire(wall_now_ns());
		tick(&t, run, run->iface, 0);
		if (pcap_stats(pc, &ps) == 0) {
			live_drop = ps.ps_drop;
			live_ifdrop = ps.ps_ifdrop;
		}
	}
	pcap_close(pc);
	return n == PCAP_ERROR ? -1 : 0;
}

static int run(struct xf_run *run)
{
	int err;

	if (xf_offline_open())
		return -1;
	err = run->iface ? run_live(run) : run_files(run);
	xf_offline_flush();
	xf_offline_close();
	return err;
}

const struct xf_engine xf_engine_pcap = { "pcap", run };
