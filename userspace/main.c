/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * main.c - the command line, in the manner of T2 and tcpdump:
 *
 *   xdpflow [options] -r FILE | -R LIST | -i IFACE [-w PREFIX|DIR/] [FILTER...]
 *   xdpflow follow SOURCE FLOW [...]      (follow.c)
 *   xdpflow split SOURCE [...]            (split.c)
 *
 * Every knob is a setting (config.c); the long options below are spellings
 * of the common ones.  The run: settings, modules, output files, engine,
 * flush, report.  Whatever an engine computed before an error is written.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "collector.h"
#include "columns.h"
#include "config.h"
#include "log.h"
#include "module.h"
#include "run.h"
#include "stats.h"

struct xf_run *xf_run;

int xf_cmd_follow(int argc, char **argv);
int xf_cmd_split(int argc, char **argv);
extern const struct xf_engine xf_engine_xdp;

static void usage(FILE *out)
{
	fputs("usage: xdpflow [options] (-r FILE | -R LIST | -i IFACE) [-w PREFIX | -w DIR/] [FILTER...]\n"
	      "       xdpflow follow SOURCE FLOW [--dir A|B] [--format FMT] [--no-reassembly]\n"
	      "       xdpflow split SOURCE [-o DIR] [-f FLOWINDS] [FILTER...]\n"
	      "\n"
	      "input:\n"
	      "  -r FILE               read a capture (pcap, pcapng, gzip'd too)\n"
	      "  -R LIST               read the captures listed in LIST (one per line) as one capture\n"
	      "  -i IFACE              meter a live interface (XDP/TC; --engine pcap for libpcap)\n"
	      "  FILTER                a BPF filter expression, as tcpdump takes it\n"
	      "output:\n"
	      "  -w PREFIX             write PREFIX_flows.txt, _headers.txt, _log.txt (DIR/: folder,\n"
	      "                        the capture's name is the prefix); absent: flows to stdout\n"
	      "  -s, --packet-mode     also write PREFIX_packets.txt, one line per packet\n"
	      "  --json                also write PREFIX_flows.json (JSON lines); on stdout without -w\n"
	      "  -q, --quiet           no report on stderr (PREFIX_log.txt still has it)\n"
	      "  -v, --verbose         more messages\n"
	      "configuration:\n"
	      "  -D NAME=VALUE         set a setting (see --list-config)\n"
	      "  -c FILE               read NAME=VALUE settings from FILE\n"
	      "  --list-config         print every setting, default, value, description (--json too)\n"
	      "  --list-columns        print the flow file's columns (--json too)\n"
	      "  --explain-flowstat X  decode a flowStat value\n"
	      "  --engine E            pcap or xdp (default: xdp for -i, pcap for files)\n"
	      "  --xdp-mode M          native or generic (XDP_MODE)\n"
	      "  --direction D         ingress, egress or both (XDP_DIRECTION)\n"
	      "  --pin PATH            keep the kernel maps pinned at PATH (XDP_PIN_PATH)\n"
	      "  --socket PATH         serve finalized flows on a Unix socket (SOCKET_PATH)\n"
	      "  --socket-connect PATH stream finalized flows to a listener (SOCKET_CONNECT)\n"
	      "  --socket-format F     json or tsv (SOCKET_FORMAT)\n"
	      "  -m, --monitor SECONDS periodic monitoring line (MONITOR_INTERVAL)\n"
	      "  -V, --version         print the version\n"
	      "  -h, --help            this help\n", out);
}

/* ------------------------------------------------------------ flowStat */

static const struct { uint64_t bit; const char *what; } flowstat_bits[] = {
	{ XF_FS_DIR_B, "B direction of the flow (the side that did not send the first packet)" },
	{ XF_FS_IDLE_END, "ended by the idle timeout (FLOW_TIMEOUT)" },
	{ XF_FS_ACTIVE_END, "ended by the active timeout (FLOW_ACTIVE_TIMEOUT); continues as a new flow" },
	{ XF_FS_CONTINUED, "continues a flow cut by the active timeout" },
	{ XF_FS_TCP_END, "ended after its TCP connection closed (FIN handshake or RST)" },
	{ XF_FS_INPUT_END, "still open at the end of the input (flushed)" },
	{ XF_FS_EVICTED, "ended early: the flow table was full (MAX_FLOWS)" },
	{ XF_FS_MAP_FULL, "kernel engine: the flow map was full; metered in userspace" },
	{ XF_FS_L2_FLOW, "non-IP flow, keyed on MAC addresses and ethertype" },
	{ XF_FS_IPV4, "IPv4" },
	{ XF_FS_IPV6, "IPv6" },
	{ XF_FS_VLAN, "802.1Q/802.1ad VLAN tag(s)" },
	{ XF_FS_MPLS, "MPLS label(s)" },
	{ XF_FS_PPPOE, "PPPoE session" },
	{ XF_FS_TUNNEL, "decapsulated tunnel (GRE, VXLAN, Geneve, Teredo, GTP-U, GRE in UDP, AYIYA, IP-in-IP)" },
	{ XF_FS_FRAG, "IP fragments" },
	{ XF_FS_FRAG_NOHEAD, "a later IP fragment whose first fragment was not seen" },
	{ XF_FS_IP_OPTIONS, "IPv4 options or IPv6 extension headers" },
	{ XF_FS_SNAPPED, "packets captured shorter than on the wire (snap length), or an IP datagram longer than its carrier's payload (PPPoE, GTP-U)" },
	{ XF_FS_HDR_TRUNC, "a header cut short by the capture" },
	{ XF_FS_MALFORMED, "a malformed header" },
	{ XF_FS_BAD_IPCSUM, "an IPv4 header with a bad checksum" },
	{ XF_FS_BAD_L4CSUM, "reserved: L4 checksums are not verified yet (never set)" },
	{ XF_FS_TIME_JUMP, "a packet older than the flow's newest (time went backwards)" },
	{ XF_FS_HDR_CHANGE, "the header sequence changed within the flow (numHdrDesc > 1)" },
	{ XF_FS_L2_TRAILER, "bytes after the IP datagram (Ethernet padding or trailer)" },
	{ XF_FS_RINGBUF_LOSS, "reserved: ring-buffer losses are counted in the report, not yet per flow (never set)" },
	{ XF_FS_ICMP_ECHO, "ICMP/ICMPv6 echo: the identifier is the port" },
	{ XF_FS_RS_GAP, "reassembly: a gap in the stream that never filled" },
	{ XF_FS_RS_OVERLAP, "reassembly: overlapping data with different bytes" },
	{ XF_FS_RS_CAP_FLOW, "reassembly: the per-flow buffer cap was hit" },
	{ XF_FS_RS_CAP_GLOBAL, "reassembly: the global buffer cap was hit" },
};

static int explain_flowstat(const char *arg)
{
	uint64_t v, known = 0;
	char *end;
	size_t i;

	errno = 0;
	v = strtoull(arg, &end, 16);
	if (errno || end == arg || *end) {
		pr_err("--explain-flowstat %s: not a hexadecimal number", arg);
		return 2;
	}
	printf("flowStat 0x%016llx\n", (unsigned long long)v);
	for (i = 0; i < sizeof(flowstat_bits) / sizeof(flowstat_bits[0]); i++) {
		known |= flowstat_bits[i].bit;
		if (v & flowstat_bits[i].bit)
			printf("  0x%016llx  %s\n", (unsigned long long)flowstat_bits[i].bit,
			       flowstat_bits[i].what);
	}
	if (v & ~known)
		printf("  0x%016llx  (bits not defined by this version)\n", (unsigned long long)(v & ~known));
	return 0;
}

/* -------------------------------------------------------------- inputs */

static int read_list(struct xf_run *run, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	size_t cap = 0;
	int n = 0;

	if (!f) {
		pr_err("-R %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *e;

		n++;
		while (*s == ' ' || *s == '\t')
			s++;
		e = s + strlen(s);
		while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = 0;
		if (!*s || *s == '#')
			continue;
		if ((size_t)run->ninputs == cap) {   /* doubling: lists of 100k files */
			char **more = realloc(run->inputs, (cap ? cap * 2 : 64) * sizeof(char *));

			if (!more) {
				fclose(f);
				pr_err("-R %s: out of memory", path);
				return -1;
			}
			run->inputs = more;
			cap = cap ? cap * 2 : 64;
		}
		if (!(run->inputs[run->ninputs] = strdup(s))) {
			fclose(f);
			pr_err("-R %s: out of memory", path);
			return -1;
		}
		run->ninputs++;
	}
	fclose(f);
	if (!run->ninputs) {
		pr_err("-R %s: lists no capture file", path);
		return -1;
	}
	return 0;
}

/* -w DIR/ : DIR plus the first capture's name without directories and
 * extensions (T2: "-w out/ -r x.pcap" writes out/x_flows.txt). */
static char *output_prefix(const char *w, const struct xf_run *run)
{
	const char *base, *src;
	char *p, *dot;
	size_t n;

	if (!w)
		return NULL;
	n = strlen(w);
	if (!n || w[n - 1] != '/')
		return strdup(w);
	if (mkdir(w, 0755) && errno != EEXIST) {
		pr_err("-w %s: cannot create the folder: %s", w, strerror(errno));
		return NULL;
	}
	src = run->ninputs ? run->inputs[0] : run->iface ? run->iface : "xdpflow";
	base = strrchr(src, '/');
	base = base ? base + 1 : src;
	p = malloc(n + strlen(base) + 1);
	if (!p)
		return NULL;
	memcpy(p, w, n);
	strcpy(p + n, base);
	/* strip .gz then one more extension: x.pcap.gz -> x */
	dot = strrchr(p + n, '.');
	if (dot && !strcmp(dot, ".gz")) {
		*dot = 0;
		dot = strrchr(p + n, '.');
	}
	if (dot && dot > p + n)
		*dot = 0;
	return p;
}

static char *join_args(int argc, char **argv)
{
	size_t n = 0;
	char *s;
	int i;

	if (!argc)
		return NULL;
	for (i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	s = malloc(n);
	if (!s)
		return NULL;
	s[0] = 0;
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* -------------------------------------------------------------- signals */

static void on_stop(int sig)
{
	if (xf_run) {
		if (xf_run->stop)   /* second ^C: the user means it */
			_exit(130);
		xf_run->stop = 1;
	}
}

static void on_usr1(int sig)
{
	if (xf_run)
		xf_run->report_now = 1;
}

static void signals_setup(void)
{
	struct sigaction sa = { 0 };

	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);   /* a closed stdout or socket is an error return, not death */
}

/* ------------------------------------------------------------- options */

enum {
	OPT_JSON = 256, OPT_LIST_CONFIG, OPT_LIST_COLUMNS, OPT_EXPLAIN, OPT_ENGINE, OPT_XDP_MODE,
	OPT_DIRECTION, OPT_PIN, OPT_SOCKET, OPT_SOCKET_CONNECT, OPT_SOCKET_FORMAT,
};

static const struct option long_opts[] = {
	{ "read", 1, NULL, 'r' },
	{ "read-list", 1, NULL, 'R' },
	{ "interface", 1, NULL, 'i' },
	{ "write", 1, NULL, 'w' },
	{ "packet-mode", 0, NULL, 's' },
	{ "json", 0, NULL, OPT_JSON },
	{ "config", 1, NULL, 'c' },
	{ "define", 1, NULL, 'D' },
	{ "list-config", 0, NULL, OPT_LIST_CONFIG },
	{ "list-columns", 0, NULL, OPT_LIST_COLUMNS },
	{ "explain-flowstat", 1, NULL, OPT_EXPLAIN },
	{ "engine", 1, NULL, OPT_ENGINE },
	{ "xdp-mode", 1, NULL, OPT_XDP_MODE },
	{ "direction", 1, NULL, OPT_DIRECTION },
	{ "pin", 1, NULL, OPT_PIN },
	{ "socket", 1, NULL, OPT_SOCKET },
	{ "socket-connect", 1, NULL, OPT_SOCKET_CONNECT },
	{ "socket-format", 1, NULL, OPT_SOCKET_FORMAT },
	{ "monitor", 1, NULL, 'm' },
	{ "quiet", 0, NULL, 'q' },
	{ "verbose", 0, NULL, 'v' },
	{ "version", 0, NULL, 'V' },
	{ "help", 0, NULL, 'h' },
	{ 0 },
};

struct cli {
	const char *read, *list, *write;
	int list_config, list_columns, json;
	const char *explain;
	int bad;
};

/* --xdp-mode native is -D XDP_MODE=native, and so on. */
static void set_alias(struct cli *c, const char *name, const char *value, const char *opt)
{
	char origin[64];

	snprintf(origin, sizeof(origin), "--%s", opt);
	if (xf_setting_set(name, value, origin))
		c->bad = 1;
}

static void parse_args(int argc, char **argv, struct xf_run *run, struct cli *c)
{
	int o, idx;

	while ((o = getopt_long(argc, argv, "+r:R:i:w:sc:D:m:qvVh", long_opts, &idx)) != -1) {
		switch (o) {
		case 'r': c->read = optarg; break;
		case 'R': c->list = optarg; break;
		case 'i': run->iface = optarg; break;
		case 'w': c->write = optarg; break;
		case 's': run->packet_mode = true; break;
		case OPT_JSON: c->json = 1; break;
		case 'c':
			if (xf_settings_load_file(optarg))
				c->bad = 1;
			break;
		case 'D': {
			char *eq = strchr(optarg, '=');

			if (!eq || eq == optarg) {
				pr_err("-D %s: expected NAME=VALUE", optarg);
				c->bad = 1;
				break;
			}
			*eq = 0;
			if (xf_setting_set(optarg, eq + 1, "-D"))
				c->bad = 1;
			*eq = '=';
			break;
		}
		case OPT_LIST_CONFIG: c->list_config = 1; break;
		case OPT_LIST_COLUMNS: c->list_columns = 1; break;
		case OPT_EXPLAIN: c->explain = optarg; break;
		case OPT_ENGINE:
			if (strcmp(optarg, "pcap") && strcmp(optarg, "xdp")) {
				pr_err("--engine %s: expected pcap or xdp", optarg);
				c->bad = 1;
			}
			run->engine = optarg;
			break;
		case OPT_XDP_MODE: set_alias(c, "XDP_MODE", optarg, "xdp-mode"); break;
		case OPT_DIRECTION: set_alias(c, "XDP_DIRECTION", optarg, "direction"); break;
		case OPT_PIN: set_alias(c, "XDP_PIN_PATH", optarg, "pin"); break;
		case OPT_SOCKET: set_alias(c, "SOCKET_PATH", optarg, "socket"); break;
		case OPT_SOCKET_CONNECT: set_alias(c, "SOCKET_CONNECT", optarg, "socket-connect"); break;
		case OPT_SOCKET_FORMAT: set_alias(c, "SOCKET_FORMAT", optarg, "socket-format"); break;
		case 'm': set_alias(c, "MONITOR_INTERVAL", optarg, "monitor"); break;
		case 'q': run->quiet = true; break;
		case 'v': xf_log_level = XF_LOG_DEBUG; break;
		case 'V': printf("xdpflow %s\n", XF_VERSION); exit(0);
		case 'h': usage(stdout); exit(0);
		default:
			fputs("xdpflow: try --help\n", stderr);
			exit(2);
		}
	}
	run->json = c->json;
}

static int check_inputs(struct xf_run *run, struct cli *c)
{
	int sources = !!c->read + !!c->list + !!run->iface;

	if (sources != 1) {
		pr_err(sources ? "-r, -R and -i: give only one of them" :
		       "no input: give -r FILE, -R LIST or -i IFACE (see --help)");
		return -1;
	}
	if (c->read) {
		run->inputs = malloc(sizeof(char *));
		if (!run->inputs || !(run->inputs[0] = strdup(c->read)))
			return -1;
		run->ninputs = 1;
	} else if (c->list && read_list(run, c->list)) {
		return -1;
	}
	return 0;
}

static const struct xf_engine *pick_engine(struct xf_run *run)
{
	if (run->engine && !strcmp(run->engine, "xdp"))
		return &xf_engine_xdp;
	if (run->engine && !strcmp(run->engine, "pcap"))
		return &xf_engine_pcap;
	/* default: the kernel engine on an interface, libpcap on files */
	if (run->iface) {
		run->engine = "xdp";
		return &xf_engine_xdp;
	}
	run->engine = "pcap";
	return &xf_engine_pcap;
}

static void free_run(struct xf_run *run)
{
	int i;

	for (i = 0; i < run->ninputs; i++)
		free(run->inputs[i]);
	free(run->inputs);
	free((char *)run->prefix);
	free((char *)run->filter);
}

/* The engine runs; a kernel engine that cannot run here (no privilege,
 * old kernel) hands over to libpcap, saying why (it did). */
static int run_engine(struct xf_run *run)
{
	const struct xf_engine *e = pick_engine(run);
	int err = e->run(run);

	if (err == -2) {
		pr_warn("falling back to the libpcap engine");
		run->engine = "pcap";
		err = xf_engine_pcap.run(run);
	}
	return err;
}

int main(int argc, char **argv)
{
	static struct xf_run run;
	struct cli c = { 0 };
	int err, rc;

	if (argc > 1 && !strcmp(argv[1], "follow"))
		return xf_cmd_follow(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "split"))
		return xf_cmd_split(argc - 1, argv + 1) ? 1 : 0;

	xf_run = &run;
	signals_setup();        /* first: a signal during start-up must not kill us */
	parse_args(argc, argv, &run, &c);
	if (c.explain)
		return explain_flowstat(c.explain);
	if (c.bad || xf_settings_check_unknown())
		return 2;
	if (c.list_config) {
		xf_settings_list(stdout, c.json);
		return 0;
	}
	if (xf_modules_start())
		return 2;
	xf_columns_build();
	if (c.list_columns) {
		xf_columns_list(stdout, c.json);
		return 0;
	}
	if (check_inputs(&run, &c))
		return 2;
	run.filter = join_args(argc - optind, argv + optind);
	if (c.write && !(run.prefix = output_prefix(c.write, &run)))
		return 2;
	if (xf_collector_open(&run)) {
		xf_modules_fini();
		free_run(&run);
		return 1;
	}
	err = run_engine(&run);
	if (err && !xf_stats.pkts)
		run.quiet = true;       /* nothing was read: the error line says it all */
	xf_collector_close(&run, err);
	rc = err || run.input_errors || run.output_errors ? 1 : 0;
	if (run.stop && !rc)
		rc = 0;
	free_run(&run);
	xf_settings_free();
	return rc;
}
