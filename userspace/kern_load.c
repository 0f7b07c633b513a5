// SPDX-License-Identifier: BSD-3-Clause
/*
 * kern_load.c - open the kernel engine's skeleton, hand it its load-time
 * configuration (const volatile .rodata, map sizes, pins), load it, and say
 * clearly why when the kernel refuses.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "config.h"
#include "kern_engine.h"
#include "bpf/xdpflow.skel.h" /* after kern_engine.h: needs the ABI types */
#include "log.h"
#include "module.h"

/* libbpf's messages: kept (the verifier's log on a failed load) and shown at
 * debug level; the last lines are printed when loading fails. */
#define LOG_KEEP 24
#define XF_DUMPER_SNAP 2048     /* a full 1500-byte-MTU frame and then some */
static char log_lines[LOG_KEEP][256];
static unsigned log_next;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char *line, *s, *nl;

	/* the verifier's whole log can arrive as one message */
	if (vasprintf(&line, fmt, ap) < 0)
		return 0;
	for (s = line; *s; s = nl + 1) {
		nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		if (*s) {
			snprintf(log_lines[log_next % LOG_KEEP], sizeof(log_lines[0]), "%.255s", s);
			log_next++;
			if (level == LIBBPF_DEBUG || level == LIBBPF_INFO)
				pr_debug("libbpf: %s", s);
		}
		if (!nl)
			break;
	}
	free(line);
	return 0;
}

static void print_log_tail(unsigned n)
{
	unsigned i = log_next > n ? log_next - n : 0;

	for (; i < log_next; i++)
		fprintf(stderr, "  | %s\n", log_lines[i % LOG_KEEP]);
}

uint64_t xf_wall_offset_ns(void)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &rt);
	return (uint64_t)(rt.tv_sec - mono.tv_sec) * 1000000000ULL + rt.tv_nsec - mono.tv_nsec;
}

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int have_cap(const struct __user_cap_data_struct d[2], int cap)
{
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

/* Loading and attaching needs CAP_BPF (or CAP_SYS_ADMIN) and CAP_NET_ADMIN. */
static int caps_missing(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = {};

	if (syscall(SYS_capget, &h, d))
		return 0;       /* cannot tell: let the kernel decide */
	if (!have_cap(d, CAP_NET_ADMIN)) {
		pr_warn("kernel engine: not permitted: CAP_NET_ADMIN is missing (run as root)");
		return 1;
	}
	if (!have_cap(d, CAP_BPF) && !have_cap(d, CAP_SYS_ADMIN)) {
		pr_warn("kernel engine: not permitted: CAP_BPF (or CAP_SYS_ADMIN) is missing (run as root)");
		return 1;
	}
	return 0;
}

/* Can we load BPF at all?  Asked before anything is attached, so main can
 * fall back to libpcap. */
int xf_kern_probe(void)
{
	int ret;

	libbpf_set_print(libbpf_print);
	if (caps_missing())
		return -2;
	ret = libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, NULL);
	if (ret == 1)
		return 0;
	if (ret == -EPERM || ret == -EACCES)
		pr_warn("kernel engine: not permitted to load BPF programs (%s): run as root or with CAP_BPF and CAP_NET_ADMIN",
			strerror(-ret));
	else if (ret == 0)
		pr_warn("kernel engine: this kernel cannot run XDP programs");
	else
		pr_warn("kernel engine: cannot load BPF programs: %s", strerror(-ret));
	return -2;
}

/* The parser's and meter's switches, from the same settings the offline
 * engine reads, so both engines meter alike. */
void xf_kern_cfg_from_settings(struct xf_cfg *cfg)
{
	xf_cfg_from_settings(cfg);
}

static int set_pins(struct xf_kern *k)
{
	struct bpf_map *maps[] = {
		k->skel->maps.flows, k->skel->maps.frags, k->skel->maps.counters,
		k->skel->maps.events, k->skel->maps.bss,
	};
	char path[4096];
	size_t i;

	if (mkdir(k->pin, 0700) && errno != EEXIST) {
		pr_err("--pin %s: %s", k->pin, strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		const char *name = bpf_map__name(maps[i]);

		/* ".bss" of "xdpflow.bss": pin as "bss" */
		if (strchr(name, '.'))
			name = strchr(name, '.') + 1;
		snprintf(path, sizeof(path), "%s/%s", k->pin, name);
		if (bpf_map__set_pin_path(maps[i], path)) {
			pr_err("--pin %s: cannot pin map %s", k->pin, name);
			return -1;
		}
	}
	return 0;
}

static int set_sizes(struct xf_kern *k)
{
	int64_t flows = xf_cfg_int("XDP_FLOW_MAP_SIZE");
	int64_t frags = xf_cfg_int("XDP_FRAG_MAP_SIZE");
	int64_t rb = xf_cfg_int("XDP_RINGBUF_SIZE");
	long page = sysconf(_SC_PAGESIZE);

	if (rb < page || (rb & (rb - 1))) {
		pr_err("XDP_RINGBUF_SIZE=%lld: must be a power of two of at least %ld bytes",
		       (long long)rb, page);
		return -1;
	}
	if (bpf_map__set_max_entries(k->skel->maps.flows, (uint32_t)flows) ||
	    bpf_map__set_max_entries(k->skel->maps.frags, (uint32_t)frags) ||
	    bpf_map__set_max_entries(k->skel->maps.events, (uint32_t)rb)) {
		pr_err("kernel engine: cannot size the BPF maps");
		return -1;
	}
	return 0;
}

/* payloadDumper needs every payload packet of the flows it dumps. */
static int payload_dumper_on(void)
{
	struct xf_module *m = xf_module_find("payloadDumper");

	return m && m->enabled;
}

/* Ports whose payload the kernel sends: XDP_PAYLOAD_PORTS, else the
 * payload dumper's PLDUMP_PORTS when it is on; "" = every port. */
const char *xf_kern_payload_ports(void)
{
	const char *p = xf_cfg_str("XDP_PAYLOAD_PORTS");

	if (!*p && payload_dumper_on())
		p = xf_cfg_str("PLDUMP_PORTS");
	return p;
}

static void set_rodata(struct xf_kern *k)
{
	struct xdpflow *s = k->skel;
	int dumper = payload_dumper_on();
	/* replay hands every packet's bytes to the collector itself */
	int payload = !k->replay && (xf_cfg_bool("XDP_PAYLOAD") || dumper);
	uint32_t snap = (uint32_t)xf_cfg_int("XDP_SNAP_LEN");
	uint32_t rate = (uint32_t)xf_cfg_int("XDP_PAYLOAD_RATE");

	if (payload && dumper && snap < XF_DUMPER_SNAP) {
		pr_info("payloadDumper: XDP_SNAP_LEN raised from %u to %u so whole segments reach it",
			snap, XF_DUMPER_SNAP);
		snap = XF_DUMPER_SNAP;
	}
	if (payload && dumper && rate > 1) {
		pr_warn("payloadDumper: XDP_PAYLOAD_RATE=%u would leave holes in the streams; using 1", rate);
		rate = 1;
	}

	xf_kern_cfg_from_settings(&k->cfg);
	memcpy((void *)&s->rodata->cfg, &k->cfg, sizeof(k->cfg));
	s->rodata->cfg_replay = k->replay;
	/* replay hands the original bytes to the collector: no packet records */
	s->rodata->cfg_pkt_mode = !k->replay && k->pkt_mode;
	s->rodata->cfg_snap_len = snap;
	s->rodata->cfg_payload = payload;
	s->rodata->cfg_payload_ports = payload && *xf_kern_payload_ports();
	s->rodata->cfg_payload_flows = payload && xf_cfg_bool("XDP_PAYLOAD_FLOWS");
	s->rodata->cfg_sample_rate = rate;
	s->rodata->cfg_flow_events = !k->replay;
	s->rodata->cfg_frag_timeout = (uint64_t)(xf_cfg_double("FRAG_TIMEOUT") * 1e9);
	/* live: wake the collector at 1/16 of the ringbuf, the timer drains the rest */
	s->rodata->cfg_wakeup_bytes = k->replay ? 0 : (uint64_t)xf_cfg_int("XDP_RINGBUF_SIZE") / 16;
}

/* Did libbpf pass us a verifier log (the verifier said no, with -EACCES)? */
static int verifier_log_seen(void)
{
	unsigned i = log_next > LOG_KEEP ? log_next - LOG_KEEP : 0;

	for (; i < log_next; i++)
		if (strstr(log_lines[i % LOG_KEEP], "END PROG LOAD LOG"))
			return 1;
	return 0;
}

static int load_error(struct xf_kern *k, int err)
{
	if (err == -EPERM || (err == -EACCES && !verifier_log_seen())) {
		pr_warn("kernel engine: not permitted to load the BPF programs (%s): run as root or with CAP_BPF and CAP_NET_ADMIN",
			strerror(-err));
		return -2;
	}
	if (err == -ENOMEM || err == -E2BIG) {
		pr_err("kernel engine: cannot create the BPF maps (%s): lower XDP_FLOW_MAP_SIZE or XDP_RINGBUF_SIZE",
		       strerror(-err));
		return -1;
	}
	if (err == -EACCES)
		pr_err("kernel engine: the verifier rejected the BPF programs; its last lines:");
	else
		pr_err("kernel engine: the kernel rejected the BPF programs (%s); libbpf's last lines:",
		       strerror(-err));
	print_log_tail(16);
	return -1;
}

int xf_kern_open_load(struct xf_kern *k)
{
	int err;

	libbpf_set_print(libbpf_print);
	k->skel = xdpflow__open();
	if (!k->skel) {
		pr_err("kernel engine: cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	if (set_sizes(k))
		return -1;
	set_rodata(k);
	if (k->pin && set_pins(k))
		return -1;
	/* replay: only the XDP program runs; do not load the TC one */
	if (k->replay)
		bpf_program__set_autoload(k->skel->progs.xdpflow_tc, false);
	err = xdpflow__load(k->skel);
	if (err)
		return load_error(k, err);
	k->flows_fd = bpf_map__fd(k->skel->maps.flows);
	k->ncpus = libbpf_num_possible_cpus();
	if (!k->replay)
		k->skel->bss->wall_offset_ns = xf_wall_offset_ns();
	return 0;
}

void xf_kern_close(struct xf_kern *k)
{
	if (k->skel)
		xdpflow__destroy(k->skel);
	k->skel = NULL;
}
