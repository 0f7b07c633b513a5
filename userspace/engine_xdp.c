// SPDX-License-Identifier: BSD-3-Clause
/*
 * engine_xdp.c - the kernel engine: `-i IFACE` meters the interface with
 * the XDP (ingress) and TC (egress) programs of bpf/xdpflow.bpf.c, and
 * `-r FILE --engine xdp` replays a capture through the loaded XDP program
 * with BPF_PROG_RUN, so both engines can be proven equal.
 *
 * One event loop: the ringbuf's epoll fd and a timerfd (map polling, flow
 * expiry, sinks) in one epoll set; SIGINT/SIGTERM (run->stop) interrupt it.
 */
#include <errno.h>
#include <stdio.h>
#define PCAP_DONT_INCLUDE_PCAP_BPF_H   /* linux/bpf.h has struct bpf_insn too */
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <xdpflow/meter.h>
#include <xdpflow/parse.h>
#include "collector.h"
#include "config.h"
#include "kern_engine.h"
#include "bpf/xdpflow.skel.h" /* after kern_engine.h: needs the ABI types */
#include "log.h"
#include "sink.h"
#include "stats.h"

#define XDP_MIN_FRAME 14        /* BPF_PROG_RUN refuses shorter XDP frames */
/*
 * BPF_PROG_RUN builds a multi-buffer frame of at most MAX_SKB_FRAGS (17)
 * pages plus the linear part, ~73 KB; a longer one (BIG TCP captures reach
 * 80 KB and more) is refused with ENOMEM.  Such a frame is handed over as
 * its first 64 KiB: the program knows the real lengths (replay_cap_len,
 * replay_wire_len) and redoes what the parser took from the frame's end
 * (fix_partial_view() in bpf/xdpflow.bpf.c), so it meters the frame as a
 * whole.  64 KiB is 16 pages: within the limit of every kernel.
 */
#define XDP_RUN_MAX 65536

static const struct xf_setting xdp_settings[] = {
	{ "XDP_MODE", XF_ST_ENUM, "native",
	  "XDP attach mode: native (driver; falls back to generic with a warning) or generic", "native|generic", 0, 0 },
	{ "XDP_DIRECTION", XF_ST_ENUM, "both",
	  "traffic the kernel engine meters: ingress (XDP), egress (TC) or both", "ingress|egress|both", 0, 0 },
	{ "XDP_TC_ATTACH", XF_ST_ENUM, "auto",
	  "egress attachment: tcx link (kernel >= 6.6), clsact filter, or auto (tcx, else clsact)", "auto|tcx|clsact", 0, 0 },
	{ "XDP_PIN_PATH", XF_ST_STRING, "",
	  "bpffs directory to pin maps and links in, so a restarted collector carries on (empty = no pinning)", NULL, 0, 0 },
	{ "XDP_FLOW_MAP_SIZE", XF_ST_INT, "65536",
	  "flows the kernel map holds; beyond, flows are metered in userspace and flagged mapFull", NULL, 64, 1 << 26 },
	{ "XDP_FRAG_MAP_SIZE", XF_ST_INT, "16384", "IP datagrams whose first fragment the kernel remembers", NULL, 64, 1 << 24 },
	{ "XDP_OVERFLOW_FLOWS", XF_ST_INT, "65536", "flows the userspace overflow table holds (flow map full)", NULL, 16, 1 << 26 },
	{ "XDP_RINGBUF_SIZE", XF_ST_INT, "4194304", "kernel-to-collector ringbuf bytes (power of two)", NULL, 4096, 1 << 30 },
	{ "XDP_POLL_INTERVAL", XF_ST_DOUBLE, "1", "seconds between flow map polls (expiry, counters, sinks)", NULL, 0.01, 60 },
	{ "XDP_SNAP_LEN", XF_ST_INT, "256",
	  "frame bytes a packet record or payload sample carries (-s, payload sampling)", NULL, 0, 65535 },
	{ "XDP_PAYLOAD", XF_ST_BOOL, "0", "send payload samples of the selected ports/flows to userspace", NULL, 0, 0 },
	{ "XDP_PAYLOAD_PORTS", XF_ST_STRING, "", "comma-separated ports whose payload is sampled (empty: all)", NULL, 0, 0 },
	{ "XDP_PAYLOAD_FLOWS", XF_ST_BOOL, "0", "sample every payload packet of flows selected at run time (streams)", NULL, 0, 0 },
	{ "XDP_PAYLOAD_RATE", XF_ST_INT, "1", "sample 1 payload packet in N (1 = all)", NULL, 1, 1 << 30 },
	{ "XDP_BENCH_REPEAT", XF_ST_INT, "0",
	  "benchmark: with -r, also run each Ethernet packet N times through a second, live-configured program (BPF_PROG_RUN repeat) and report ns/packet", NULL, 0, 1 << 24 },
};

static void __attribute__((constructor)) xdp_settings_register(void)
{
	xf_settings_register(xdp_settings, sizeof(xdp_settings) / sizeof(xdp_settings[0]), "xdp");
}

static struct xf_kern kern;     /* static: the report reads its counters after run() */

static uint64_t ns_of(double s)
{
	return s > 0 ? (uint64_t)(s * 1e9 + 0.5) : 0;
}

static uint64_t wall_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

static void read_timeouts(struct xf_kern *k)
{
	k->idle_ns = ns_of(xf_cfg_double("FLOW_TIMEOUT"));
	k->active_ns = ns_of(xf_cfg_double("FLOW_ACTIVE_TIMEOUT"));
	k->close_ns = ns_of(xf_cfg_double("TCP_CLOSE_TIMEOUT"));
	k->early_end = xf_cfg_bool("TCP_EARLY_END");
}

/* XDP_PAYLOAD_PORTS into the kernel's port bitmap. */
static int set_payload_ports(struct xf_kern *k)
{
	const char *all = xf_kern_payload_ports(), *s = all;
	int fd = bpf_map__fd(k->skel->maps.sample_ports);
	char *end;

	while (s && *s) {
		unsigned long port;

		while (*s == ' ')
			s++;
		port = strtoul(s, &end, 10);
		if (end == s || port > 65535 || (*end && *end != ',')) {
			pr_err("payload ports \"%s\": expected comma-separated ports 0-65535", all);
			return -1;
		}
		__u32 slot = (__u32)port >> 6;
		__u64 bits = 0;

		bpf_map_lookup_elem(fd, &slot, &bits);
		bits |= 1ULL << (port & 63);
		bpf_map_update_elem(fd, &slot, &bits, BPF_ANY);
		s = *end ? end + 1 : end;
	}
	return 0;
}

/*
 * Streams: ask the kernel for every payload packet of one flow (or stop).
 * Needs XDP_PAYLOAD=1 and XDP_PAYLOAD_FLOWS=1; 0, or -1 when the live
 * kernel engine is not running or the selection table is full.
 */
int xf_xdp_select_flow(const struct xf_flow_key *key, int on)
{
	struct xf_kern *k = &kern;
	__u32 one = 1;
	int fd;

	if (!k->skel || k->replay || !k->skel->rodata->cfg_payload_flows)
		return -1;
	fd = bpf_map__fd(k->skel->maps.sample_flows);
	if (!on)
		return bpf_map_delete_elem(fd, key) && errno != ENOENT ? -1 : 0;
	return bpf_map_update_elem(fd, key, &one, BPF_ANY) ? -1 : 0;
}

/* ---------------------------------------------------------------- live */

static void live_tick(struct xf_kern *k)
{
	uint64_t now = wall_now_ns();

	k->skel->bss->wall_offset_ns = xf_wall_offset_ns();
	xf_kern_ringbuf_drain(k);
	xf_kern_poll_map(k, now, 0);
	xf_kern_expire_table(k, k->ovf, now, 0);
	xf_kern_counters_read(k);
	xf_stats.last_ts = now;
	xf_sinks_poll();
}

static int timer_open(double interval)
{
	struct itimerspec its = {};
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (fd < 0)
		return -1;
	its.it_interval.tv_sec = (time_t)interval;
	its.it_interval.tv_nsec = (long)((interval - (double)(time_t)interval) * 1e9);
	its.it_value = its.it_interval;
	timerfd_settime(fd, 0, &its, NULL);
	return fd;
}

static int event_loop(struct xf_kern *k)
{
	struct epoll_event ev = { .events = EPOLLIN }, evs[4];
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int tfd = timer_open(xf_cfg_double("XDP_POLL_INTERVAL"));
	int rbfd = ring_buffer__epoll_fd(k->rb);
	int i, n;

	if (ep < 0 || tfd < 0) {
		pr_err("kernel engine: cannot set up the event loop: %s", strerror(errno));
		return -1;
	}
	ev.data.fd = tfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
	ev.data.fd = rbfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, rbfd, &ev);
	while (!k->run->stop) {
		n = epoll_wait(ep, evs, 4, 1000);
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == tfd) {
				uint64_t ticks;

				if (read(tfd, &ticks, sizeof(ticks)) > 0)
					live_tick(k);
			} else {
				xf_kern_ringbuf_drain(k);
			}
		}
		if (k->run->report_now) {
			k->run->report_now = 0;
			xf_kern_counters_read(k);
			xf_collector_report(stderr, k->run);
		}
	}
	close(tfd);
	close(ep);
	return 0;
}

static int run_live(struct xf_kern *k)
{
	const char *pin = xf_cfg_str("XDP_PIN_PATH");
	int err;

	k->iface = k->run->iface;
	k->pin = pin && *pin ? pin : NULL;
	if (xf_kern_iface_check(k))
		return -1;
	if (xf_kern_probe())
		return -2;
	err = xf_kern_open_load(k);
	if (err)
		goto out;
	err = -1;
	if (xf_kern_collect_init(k) || set_payload_ports(k))
		goto out;
	if (xf_kern_attach(k))
		goto out;
	xf_stats.first_ts = wall_now_ns();
	err = event_loop(k);
	/* Stop: detach first so the map stops changing, then the last records. */
	xf_kern_detach(k);
	xf_kern_ringbuf_drain(k);
	if (!k->pin) {
		xf_kern_poll_map(k, wall_now_ns(), 1);
	} else {
		pr_info("--pin %s: %s stays attached; flows in the kernel map carry over to the next run",
			k->pin, k->iface);
	}
	xf_kern_flush_table(k, k->ovf, 0);
	xf_kern_counters_read(k);
	xf_stats.last_ts = wall_now_ns();
out:
	xf_kern_collect_fini(k);
	xf_kern_close(k);
	return err;
}

/* -------------------------------------------------------------- replay */

/* Frames BPF_PROG_RUN cannot take (shorter than an Ethernet header, or
 * refused) are parsed here with the same parser and counted; they make no
 * flow (short ones cannot; refused ones are counted as a loss too). */
static void replay_tiny(struct xf_kern *k, const struct pcap_pkthdr *h, const uint8_t *bytes,
			uint64_t ts)
{
	struct xf_pkt p;
	struct xf_pkt_view pv;

	xf_parse(bytes, bytes + h->caplen, h->caplen, (uint32_t)k->run->linktype, &k->cfg, &p);
	p.wire_len = h->len;
	p.cap_len = h->caplen;
	k->kc_user[XF_KC_PKTS]++;
	k->kc_user[XF_KC_BYTES_WIRE] += h->len;
	k->kc_user[XF_KC_BYTES_CAP] += h->caplen;
	k->kc_user[XF_KC_PARSE_OK + (p.reason & 3)]++;
	k->kc_user[XF_KC_NO_FLOW]++;
	xf_pkt_view_init(&pv, &p, bytes, h->caplen, ts, k->pkt_no);
	xf_collector_packet(&pv);
}

static int prog_run(int fd, const uint8_t *bytes, uint32_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = bytes, .data_size_in = len, .repeat = 1);

	if (len > XDP_RUN_MAX)
		o.data_size_in = XDP_RUN_MAX;
	return bpf_prog_test_run_opts(fd, &o);
}

/* Active timeout: a dry run makes the packet's key; a flow older than the
 * timeout ends before the packet starts its continuation. */
static void replay_active_check(struct xf_kern *k, int fd, const struct pcap_pkthdr *h,
				const uint8_t *bytes, uint64_t ts)
{
	struct xdpflow__bss *b = k->skel->bss;
	struct xf_flow_ctx *fc;

	b->replay_dry = 1;
	b->replay_out.flags = 0;
	if (prog_run(fd, bytes, h->caplen) == 0 && !(b->replay_out.flags & XF_RO_NO_FLOW)) {
		fc = xf_ft_lookup(k->ft, &b->replay_out.key, xf_ft_hash(&b->replay_out.key));
		if (fc && ts >= fc->f.first_ts + k->active_ns) {
			xf_kern_finalize(k, fc, XF_FS_ACTIVE_END, 1);
			xf_ft_remove(k->ft, fc);
		}
	}
	b->replay_dry = 0;
}

static void replay_packet(struct xf_kern *k, int fd, const struct pcap_pkthdr *h,
			  const uint8_t *bytes, uint64_t ts)
{
	struct xdpflow__bss *b = k->skel->bss;
	struct xf_replay_out *out = &b->replay_out;
	struct xf_pkt_view pv;
	struct xf_flow_ctx *fc;
	int err;

	k->pkt_no++;
	xf_kern_expire_table(k, k->ft, ts, 1);
	xf_kern_expire_table(k, k->ovf, ts, 0);
	if (h->caplen < XDP_MIN_FRAME) {
		replay_tiny(k, h, bytes, ts);
		return;
	}
	b->replay_ts = ts;
	b->replay_wire_len = h->len;
	b->replay_cap_len = h->caplen;
	if (k->active_ns)
		replay_active_check(k, fd, h, bytes, ts);
	out->flags = 0;
	if (h->caplen > XDP_RUN_MAX && !k->replay_cut++)
		pr_info("%s: packet %llu: %u bytes: handed to BPF_PROG_RUN as its first %u bytes"
			" with its real lengths (the kernel's limit is ~73 KB)",
			k->run->cur_input, (unsigned long long)k->pkt_no, h->caplen, XDP_RUN_MAX);
	err = prog_run(fd, bytes, h->caplen);
	if (err) {
		k->replay_errors++;
		if (k->replay_errors == 1)
			pr_warn("%s: packet %llu: BPF_PROG_RUN failed: %s (counted, not metered)",
				k->run->cur_input, (unsigned long long)k->pkt_no, strerror(errno));
		replay_tiny(k, h, bytes, ts);
		return;
	}
	if (k->bench)
		xf_kern_bench_packet(k->bench, bytes, h->caplen, k->run->linktype);
	xf_pkt_view_init(&pv, &out->pkt, bytes, h->caplen, ts, k->pkt_no);
	pv.dir = out->dir;
	pv.iat = out->iat;
	if (out->flags & XF_RO_METERED) {
		fc = xf_ft_lookup(k->ft, &out->key, xf_ft_hash(&out->key));
		if (!fc)
			fc = xf_ft_insert(k->ft, &out->key, xf_ft_hash(&out->key));
		if (fc) {
			bpf_map_lookup_elem_flags(k->flows_fd, &fc->key, &fc->f, BPF_F_LOCK);
			xf_ft_touch(k->ft, fc, k->early_end && (out->flags & XF_RO_TCP_DONE) ?
				    XF_LIST_CLOSING : XF_LIST_ACTIVE);
		}
		pv.fc = fc;
	} else if (out->flags & XF_RO_MAP_FULL) {
		xf_kern_overflow_packet(k, &out->key, out->side, &out->pkt, ts, &pv);
	}
	xf_collector_packet(&pv);
}

static int replay_file(struct xf_kern *k, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	int fd = bpf_program__fd(k->skel->progs.xdpflow_xdp);
	struct pcap_pkthdr *h;
	const u_char *bytes;
	pcap_t *pc;
	int ret = 0;

	pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!pc) {
		pr_err("%s: %s", path, errbuf);
		return -1;
	}
	k->run->cur_input = path;
	k->run->linktype = pcap_datalink(pc);
	k->skel->data->replay_linktype = (uint32_t)k->run->linktype;
	while (!k->run->stop && (ret = pcap_next_ex(pc, &h, &bytes)) == 1) {
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ULL + (uint64_t)h->ts.tv_usec;

		replay_packet(k, fd, h, bytes, ts);
		if (!xf_stats.first_ts)
			xf_stats.first_ts = ts;
		xf_stats.last_ts = ts;
		if (k->run->report_now) {
			k->run->report_now = 0;
			xf_kern_counters_read(k);
			xf_collector_report(stderr, k->run);
		}
	}
	if (ret == -1) {
		pr_err("%s: %s", path, pcap_geterr(pc));
		pcap_close(pc);
		return -1;
	}
	pcap_close(pc);
	return 0;
}

static int run_replay(struct xf_kern *k)
{
	int i, err;

	k->replay = 1;
	if (xf_kern_probe())
		return -2;
	err = xf_kern_open_load(k);
	if (err)
		goto out;
	err = -1;
	if (xf_kern_collect_init(k))
		goto out;
	if (xf_cfg_int("XDP_BENCH_REPEAT") && xf_kern_bench_open(k))
		goto out;
	err = 0;
	for (i = 0; i < k->run->ninputs && !k->run->stop; i++) {
		if (replay_file(k, k->run->inputs[i])) {
			k->run->input_errors++;
			err = -1;
		}
	}
	xf_kern_flush_table(k, k->ft, 1);
	xf_kern_flush_table(k, k->ovf, 0);
	xf_kern_counters_read(k);
out:
	xf_kern_bench_close(k);
	xf_kern_collect_fini(k);
	xf_kern_close(k);
	return err;
}

static int run(struct xf_run *run)
{
	struct xf_kern *k = &kern;

	memset(k, 0, sizeof(*k));
	k->run = run;
	k->pkt_mode = run->packet_mode;
	k->xdp_link_fd = k->tc_link_fd = -1;
	read_timeouts(k);
	if (run->ninputs > 0)
		return run_replay(k);
	if (!run->iface) {
		pr_err("--engine xdp: needs -i IFACE or -r FILE");
		return -1;
	}
	return run_live(k);
}

const struct xf_engine xf_engine_xdp = { "xdp", run };
