/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sink_socket.c - finalized flows over a Unix stream socket, as JSON lines or
 * TSV (header line first), in exactly the form of the flows files.
 *
 *   SOCKET_PATH     xdpflow listens; any number of subscribers join and leave
 *   SOCKET_CONNECT  xdpflow connects to someone else's listener (T2's
 *                   socketSink) and reconnects with backoff when it goes away
 *
 * Capture must never wait for a consumer: every peer has its own bounded
 * buffer and non-blocking writes; a flow that does not fit is dropped for
 * that peer only and counted (per peer and in total).  A flow's lines are
 * queued or dropped together, so a peer never sees a B line without its A.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "columns.h"
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

struct peer {
	int fd;                     /* -1: not connected (SOCKET_CONNECT only) */
	unsigned id;                /* 1, 2, ... in order of arrival */
	pid_t pid;
	uid_t uid;
	char *buf;                  /* pending bytes are buf[off, len) */
	size_t len, off, cap;
	int need_header;            /* TSV: header not yet queued on this stream */
	uint64_t queued, dropped;   /* records (lines) */
	struct peer *next;
};

/* What the end report says about a peer that has gone */
struct peer_summary {
	unsigned id;
	pid_t pid;
	uid_t uid;
	uint64_t queued, dropped;
};

#define MAX_SUMMARIES 64
#define FLUSH_EVERY 0.005       /* seconds: batch writes and accepts in flow() */

static struct {
	int listen_fd;
	const char *path;           /* SOCKET_PATH or SOCKET_CONNECT */
	int connect_mode;
	int tsv;
	size_t bound;               /* SOCKET_BUFFER */
	int max_peers;
	double linger;
	dev_t dev;                  /* of the socket file we created */
	ino_t ino;
	struct peer *peers;
	int npeers;
	unsigned next_id;
	struct xf_outbuf rec;       /* the flow being sent, formatted once */
	double last_flush, next_accept;
	/* SOCKET_CONNECT: reconnection */
	double retry_min, retry_max, retry_delay, next_try;
	double lost_at;
	unsigned reconnects;
	/* totals */
	uint64_t dropped, queued;
	int drop_registered;
	struct peer_summary gone[MAX_SUMMARIES];
	unsigned ngone;
	struct peer_summary gone_rest;  /* peers beyond MAX_SUMMARIES, summed */
} ss = { .listen_fd = -1 };

static struct xf_loss_counter drop_counter = {
	.name = "socket records dropped (slow, stuck or absent consumers)",
	.value = &ss.dropped,
};

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t count_lines(const char *p, size_t n)
{
	size_t i, lines = 0;

	for (i = 0; i < n; i++)
		lines += p[i] == '\n';
	return lines;
}

/* ---- per-peer buffer ---- */

/* Append n bytes if the pending total stays within `limit`; 0 or -1. */
static int peer_append(struct peer *p, const char *data, size_t n, size_t limit)
{
	size_t pending = p->len - p->off;

	if (!n)
		return 0;
	if (pending + n > limit)
		return -1;
	if (p->off && p->len + n > p->cap) {
		memmove(p->buf, p->buf + p->off, pending);
		p->len = pending;
		p->off = 0;
	}
	if (p->len + n > p->cap) {
		size_t cap = p->cap ? p->cap : 4096;
		char *nb;

		while (cap < p->len + n)
			cap *= 2;
		nb = realloc(p->buf, cap);
		if (!nb)
			return -1;
		p->buf = nb;
		p->cap = cap;
	}
	memcpy(p->buf + p->len, data, n);
	p->len += n;
	return 0;
}

static void peer_queue_header(struct peer *p)
{
	struct xf_outbuf hdr = { 0 };

	p->need_header = 0;
	if (!ss.tsv)
		return;
	xf_format_flow_header(&hdr);
	/* the header is never dropped: it does not count against the bound */
	if (peer_append(p, hdr.buf, hdr.len, (size_t)-1 / 2))
		pr_warn("socket %s: subscriber #%u: no memory for the header line", ss.path, p->id);
	xf_ob_free(&hdr);
}

static int peer_flush(struct peer *p);

static void peer_queue_record(struct peer *p, const char *data, size_t n, uint64_t lines)
{
	if (p->need_header)
		peer_queue_header(p);
	/* full: hand the kernel what it takes now, then decide (a write error
	 * shows again at the next flush_all, which handles it) */
	if (peer_append(p, data, n, ss.bound) &&
	    (p->fd < 0 || peer_flush(p) || peer_append(p, data, n, ss.bound))) {
		p->dropped += lines;
		ss.dropped += lines;
		return;
	}
	p->queued += lines;
	ss.queued += lines;
}

/* A stream ended with bytes still pending: those records are lost. */
static void peer_count_unsent(struct peer *p)
{
	uint64_t lines = count_lines(p->buf + p->off, p->len - p->off);

	p->dropped += lines;
	ss.dropped += lines;
	p->queued -= lines < p->queued ? lines : p->queued;
	p->off = p->len = 0;
}

/* Write what the socket takes now.  0: fine (maybe still pending), -1: the
 * peer is gone (EPIPE, reset, ...). */
static int peer_flush(struct peer *p)
{
	while (p->fd >= 0 && p->off < p->len) {
		ssize_t n = send(p->fd, p->buf + p->off, p->len - p->off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			p->off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return -1;
	}
	if (p->off == p->len)
		p->off = p->len = 0;
	return 0;
}

static void peer_summarize(const struct peer *p)
{
	struct peer_summary *s = ss.ngone < MAX_SUMMARIES ? &ss.gone[ss.ngone++] : &ss.gone_rest;

	s->id = p->id;
	s->pid = p->pid;
	s->uid = p->uid;
	s->queued += p->queued;
	s->dropped += p->dropped;
}

static void peer_close(struct peer *p, const char *why)
{
	peer_count_unsent(p);
	if (ss.connect_mode)
		pr_info("socket-connect %s: %s: %llu records sent, %llu dropped", ss.path, why,
			(unsigned long long)p->queued, (unsigned long long)p->dropped);
	else
		pr_info("socket %s: subscriber #%u (pid %d) %s: %llu records sent, %llu dropped",
			ss.path, p->id, (int)p->pid, why, (unsigned long long)p->queued,
			(unsigned long long)p->dropped);
	close(p->fd);
	p->fd = -1;
}

static void peer_free(struct peer *p)
{
	peer_summarize(p);
	free(p->buf);
	free(p);
}

/* A subscriber sends nothing we use: drain what it sends, and tell a hang-up
 * (POLLHUP/POLLERR) from a mere shutdown of its write side, after which it
 * may still be reading. */
static int peer_hung_up(struct peer *p)
{
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN | POLLRDHUP };
	char junk[256];

	if (poll(&pfd, 1, 0) <= 0)
		return 0;
	if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
		return 1;
	while (recv(p->fd, junk, sizeof(junk), MSG_DONTWAIT) > 0)
		;
	return 0;
}

static struct peer *peer_new(int fd)
{
	struct peer *p = calloc(1, sizeof(*p));
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (!p)
		return NULL;
	p->fd = fd;
	p->id = ++ss.next_id;
	p->need_header = 1;
	if (fd >= 0 && !getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		p->pid = cred.pid;
		p->uid = cred.uid;
	}
	return p;
}

/* ---- listening (SOCKET_PATH) ---- */

static void accept_new(void)
{
	for (;;) {
		int fd = accept4(ss.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct peer *p;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				pr_warn("socket %s: accept: %s", ss.path, strerror(errno));
			return;
		}
		if (ss.npeers >= ss.max_peers) {
			pr_warn("socket %s: refusing a subscriber: SOCKET_MAX_SUBSCRIBERS=%d reached",
				ss.path, ss.max_peers);
			close(fd);
			continue;
		}
		p = peer_new(fd);
		if (!p) {
			close(fd);
			continue;
		}
		p->next = ss.peers;
		ss.peers = p;
		ss.npeers++;
		pr_info("socket %s: subscriber #%u joined (pid %d, uid %d)", ss.path, p->id,
			(int)p->pid, (int)p->uid);
	}
}

/* Drop peers whose stream ended; with `check_hup`, also look for hang-ups. */
static void reap_peers(int check_hup)
{
	struct peer **pp = &ss.peers, *p;

	while ((p = *pp)) {
		if (p->fd >= 0 && check_hup && peer_hung_up(p))
			peer_close(p, "left");
		if (p->fd < 0) {
			*pp = p->next;
			ss.npeers--;
			peer_free(p);
			continue;
		}
		pp = &p->next;
	}
}

/* Is a live process listening on path?  (Then we must not take it over.) */
static int socket_is_live(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int live;

	if (fd < 0)
		return 0;
	live = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return live;
}

static int fill_addr(struct sockaddr_un *sa, const char *path, const char *opt)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (!*path || strlen(path) >= sizeof(sa->sun_path)) {
		pr_err("%s %s: path empty or longer than %zu bytes", opt, path,
		       sizeof(sa->sun_path) - 1);
		return -1;
	}
	strcpy(sa->sun_path, path);
	return 0;
}

/* The path exists: replace it only if it is a socket nobody listens on. */
static int remove_stale(const struct sockaddr_un *sa)
{
	struct stat st;

	if (lstat(sa->sun_path, &st))
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		pr_err("--socket %s: exists and is not a socket; not replacing it", sa->sun_path);
		return -1;
	}
	if (socket_is_live(sa)) {
		pr_err("--socket %s: another process is listening on it; not taking it over",
		       sa->sun_path);
		return -1;
	}
	pr_info("socket %s: replacing a stale socket file from a dead run", sa->sun_path);
	if (unlink(sa->sun_path) && errno != ENOENT) {
		pr_err("--socket %s: cannot remove the stale socket: %s", sa->sun_path,
		       strerror(errno));
		return -1;
	}
	return 0;
}

/* Mode 0600 unless SOCKET_MODE says otherwise; SOCKET_GROUP hands it to a
 * group (and, with the default mode, opens it to that group: 0660). */
static int set_permissions(const char *path)
{
	const char *group = xf_cfg_str("SOCKET_GROUP");
	const char *mode_s = xf_cfg_str("SOCKET_MODE");
	char *end;
	long mode = strtol(mode_s, &end, 8);

	if (*end || mode < 0 || mode > 0777) {
		pr_err("-D SOCKET_MODE=%s: not an octal file mode", mode_s);
		return -1;
	}
	if (group && *group) {
		struct group *gr = getgrnam(group);

		if (!gr) {
			pr_err("-D SOCKET_GROUP=%s: no such group", group);
			return -1;
		}
		if (chown(path, (uid_t)-1, gr->gr_gid)) {
			pr_err("--socket %s: chgrp %s: %s", path, group, strerror(errno));
			return -1;
		}
		if (mode == 0600)
			mode = 0660;
	}
	if (chmod(path, (mode_t)mode)) {
		pr_err("--socket %s: chmod %lo: %s", path, mode, strerror(errno));
		return -1;
	}
	return 0;
}

static int listen_bind(int fd, const struct sockaddr_un *sa)
{
	mode_t old = umask(0177);       /* never world-connectable, not even briefly */
	int rc = bind(fd, (const struct sockaddr *)sa, sizeof(*sa));

	umask(old);
	if (rc || listen(fd, 16)) {
		pr_err("--socket %s: %s", sa->sun_path, strerror(errno));
		return -1;
	}
	return 0;
}

static int listen_open(const char *path)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd;

	if (fill_addr(&sa, path, "--socket") || remove_stale(&sa))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		pr_err("--socket %s: socket: %s", path, strerror(errno));
		return -1;
	}
	if (listen_bind(fd, &sa)) {
		close(fd);
		return -1;
	}
	if (set_permissions(path) || stat(path, &st)) {
		close(fd);
		unlink(path);
		return -1;
	}
	ss.dev = st.st_dev;
	ss.ino = st.st_ino;
	ss.listen_fd = fd;
	return 0;
}

/* Remove the socket file only if it is still the one we made. */
static void listen_close(void)
{
	struct stat st;

	if (ss.listen_fd < 0)
		return;
	close(ss.listen_fd);
	ss.listen_fd = -1;
	if (!stat(ss.path, &st) && st.st_dev == ss.dev && st.st_ino == ss.ino)
		unlink(ss.path);
}

/* ---- connecting (SOCKET_CONNECT) ---- */

static int try_connect(struct peer *p)
{
	struct sockaddr_un sa;
	int fd;

	if (fill_addr(&sa, ss.path, "--socket-connect"))
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	p->fd = fd;
	p->need_header = 1;
	return 0;
}

static void connect_lost(struct peer *p, const char *why)
{
	peer_count_unsent(p);
	close(p->fd);
	p->fd = -1;
	ss.lost_at = now_mono();
	ss.retry_delay = ss.retry_min;
	ss.next_try = ss.lost_at + ss.retry_delay;
	pr_warn("socket-connect %s: %s; reconnecting (flows are kept up to SOCKET_BUFFER bytes meanwhile)",
		ss.path, why);
}

/* Called often: cheap unless a retry is due. */
static void connect_retry(struct peer *p)
{
	double t;

	if (p->fd >= 0)
		return;
	t = now_mono();
	if (t < ss.next_try)
		return;
	if (try_connect(p)) {
		ss.retry_delay = ss.retry_delay * 2 > ss.retry_max ? ss.retry_max : ss.retry_delay * 2;
		ss.next_try = t + ss.retry_delay;
		return;
	}
	if (ss.lost_at) {
		ss.reconnects++;
		pr_info("socket-connect %s: reconnected after %.1f s", ss.path, t - ss.lost_at);
	} else {
		pr_info("socket-connect %s: connected", ss.path);
	}
	/* the stream is new: a TSV header comes before what was kept meanwhile */
	if (ss.tsv) {
		struct xf_outbuf hdr = { 0 };
		char *old = p->buf;
		size_t off = p->off, len = p->len;

		xf_format_flow_header(&hdr);
		p->buf = NULL;
		p->len = p->off = p->cap = 0;
		peer_append(p, hdr.buf, hdr.len, (size_t)-1 / 2);
		peer_append(p, old + off, len - off, (size_t)-1 / 2);
		free(old);
		xf_ob_free(&hdr);
	}
	p->need_header = 0;
}

static void connect_check(struct peer *p)
{
	if (p->fd >= 0 && peer_hung_up(p))
		connect_lost(p, "the listener closed the connection");
}

/* ---- the sink ---- */

static void flush_all(void)
{
	struct peer *p;

	ss.last_flush = now_mono();
	for (p = ss.peers; p; p = p->next) {
		if (p->fd < 0 || !peer_flush(p))
			continue;
		if (ss.connect_mode)
			connect_lost(p, strerror(errno));
		else
			peer_close(p, "went away mid-write");
	}
}

static void socket_flow(struct xf_sink *s, const struct xf_flow_ctx *fc)
{
	struct peer *p;
	uint64_t lines = 0;
	int dir;

	double t = now_mono();

	if (ss.connect_mode) {
		connect_retry(ss.peers);
	} else if (t >= ss.next_accept) {
		accept_new();
		ss.next_accept = t + FLUSH_EVERY;
	}
	if (!ss.peers)
		return;
	ss.rec.len = 0;
	for (dir = 0; dir < 2; dir++) {
		if (dir && !fc->f.dir[1].pkts)
			break;
		if (ss.tsv)
			xf_format_flow_tsv(&ss.rec, fc, dir);
		else
			xf_format_flow_json(&ss.rec, fc, dir);
		lines++;
	}
	for (p = ss.peers; p; p = p->next)
		peer_queue_record(p, ss.rec.buf, ss.rec.len, lines);
	/* one write per peer per few ms, not per flow: at high flow rates the
	 * system calls would cost more than the formatting */
	if (t - ss.last_flush >= FLUSH_EVERY) {
		flush_all();
		if (!ss.connect_mode)
			reap_peers(0);
	}
}

static void socket_poll(struct xf_sink *s)
{
	struct peer *p;

	if (ss.connect_mode) {
		connect_check(ss.peers);
		connect_retry(ss.peers);
	} else {
		accept_new();
	}
	for (p = ss.peers; p; p = p->next)
		if (p->fd >= 0 && p->need_header)
			peer_queue_header(p);
	flush_all();
	if (!ss.connect_mode)
		reap_peers(1);
}

/* End of run: give consumers up to SOCKET_LINGER seconds to take the rest
 * (SOCKET_CONNECT: and to come back, if the listener is restarting). */
static void linger_flush(void)
{
	double deadline = now_mono() + ss.linger;

	for (;;) {
		struct pollfd pfd[64];
		struct peer *p;
		nfds_t n = 0;
		int away = 0;
		double left;

		if (ss.connect_mode)
			connect_retry(ss.peers);
		flush_all();
		for (p = ss.peers; p && n < 64; p = p->next) {
			if (p->fd >= 0 && p->off < p->len)
				pfd[n++] = (struct pollfd){ .fd = p->fd, .events = POLLOUT };
			away |= p->fd < 0 && p->off < p->len;
		}
		left = deadline - now_mono();
		if ((!n && !away) || left <= 0)
			return;
		if (away && left > 0.05)
			left = 0.05;    /* come back soon to retry the connection */
		if (poll(pfd, n, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			return;
	}
}

static void socket_close(struct xf_sink *s)
{
	struct peer *p, *next;

	if (ss.connect_mode)
		connect_retry(ss.peers);
	else
		accept_new();
	for (p = ss.peers; p; p = p->next)
		if (p->fd >= 0 && p->need_header)
			peer_queue_header(p);
	linger_flush();
	for (p = ss.peers; p; p = next) {
		next = p->next;
		if (p->fd >= 0)
			peer_close(p, "end of run");
		else
			peer_count_unsent(p);
		peer_free(p);
	}
	ss.peers = NULL;
	ss.npeers = 0;
	listen_close();
	xf_ob_free(&ss.rec);
}

static struct xf_sink socket_sink = {
	.name = "socket",
	.flow = socket_flow,
	.poll = socket_poll,
	.close = socket_close,
};

/* SOCKET_WAIT: hold the engine until N subscribers (or the listener) are
 * there, so a short offline run does not finish before anyone listens. */
static int wait_for_peers(int want)
{
	double deadline = now_mono() + xf_cfg_double("SOCKET_WAIT_TIMEOUT");

	while (!(current_run() && current_run()->stop)) {
		struct pollfd pfd = { .fd = ss.listen_fd, .events = POLLIN };

		if (ss.connect_mode) {
			connect_retry(ss.peers);
			if (ss.peers->fd >= 0)
				return 0;
		} else {
			accept_new();
			if (ss.npeers >= want)
				return 0;
		}
		if (now_mono() >= deadline)
			break;
		if (ss.connect_mode)
			usleep(20000);
		else
			poll(&pfd, 1, 100);
	}
	pr_err("-D SOCKET_WAIT=%d: %s %s: %d subscriber(s) after %g s; giving up", want,
	       ss.connect_mode ? "socket-connect" : "socket", ss.path,
	       ss.connect_mode ? 0 : ss.npeers, xf_cfg_double("SOCKET_WAIT_TIMEOUT"));
	return -1;
}

static int socket_settings_read(void)
{
	const char *listen_path = xf_cfg_str("SOCKET_PATH");
	const char *connect_path = xf_cfg_str("SOCKET_CONNECT");

	if (*listen_path && *connect_path) {
		pr_err("--socket and --socket-connect: choose one");
		return -1;
	}
	ss.connect_mode = *connect_path != 0;
	ss.path = ss.connect_mode ? connect_path : listen_path;
	ss.tsv = !strcasecmp(xf_cfg_str("SOCKET_FORMAT"), "tsv");
	ss.bound = (size_t)xf_cfg_int("SOCKET_BUFFER");
	ss.max_peers = (int)xf_cfg_int("SOCKET_MAX_SUBSCRIBERS");
	ss.linger = xf_cfg_double("SOCKET_LINGER");
	ss.retry_min = xf_cfg_double("SOCKET_RETRY_MIN");
	ss.retry_max = xf_cfg_double("SOCKET_RETRY_MAX");
	if (ss.retry_max < ss.retry_min)
		ss.retry_max = ss.retry_min;
	ss.retry_delay = ss.retry_min;
	return 0;
}

static int socket_init(void)
{
	int wait;

	if (socket_settings_read())
		return -1;
	if (!*ss.path)
		return 0;               /* no socket asked for: the module stays idle */
	signal(SIGPIPE, SIG_IGN);   /* a vanished peer is an error return, not a death */
	if (ss.connect_mode) {
		ss.peers = peer_new(-1);
		if (!ss.peers)
			return -1;
		ss.npeers = 1;
		ss.next_try = 0;
		connect_retry(ss.peers);
		if (ss.peers->fd < 0)
			pr_warn("socket-connect %s: no listener yet (%s); will keep trying",
				ss.path, strerror(errno));
	} else if (listen_open(ss.path)) {
		return -1;
	}
	if (!ss.drop_registered++)
		xf_loss_register(&drop_counter);
	xf_sink_add(&socket_sink);
	wait = (int)xf_cfg_int("SOCKET_WAIT");
	return wait > 0 ? wait_for_peers(wait) : 0;
}

static void report_peer(FILE *out, const char *what, const struct peer_summary *s)
{
	fprintf(out, "  %s #%u (pid %d, uid %d): %llu records sent, %llu dropped\n", what,
		s->id, (int)s->pid, (int)s->uid, (unsigned long long)s->queued,
		(unsigned long long)s->dropped);
}

static void socket_report(FILE *out)
{
	struct peer *p;
	unsigned i;

	if (!ss.path || !*ss.path)
		return;
	fprintf(out, "Socket %s%s (%s): %llu records sent, %llu dropped\n",
		ss.connect_mode ? "connect " : "", ss.path, ss.tsv ? "tsv" : "json",
		(unsigned long long)ss.queued, (unsigned long long)ss.dropped);
	if (ss.connect_mode)
		fprintf(out, "  reconnections: %u\n", ss.reconnects);
	for (i = 0; i < ss.ngone; i++)
		report_peer(out, ss.connect_mode ? "connection" : "subscriber", &ss.gone[i]);
	for (p = ss.peers; p; p = p->next) {     /* SIGUSR1 mid-run: the current ones */
		struct peer_summary now = { p->id, p->pid, p->uid, p->queued, p->dropped };

		report_peer(out, ss.connect_mode ? "connection (current)" : "subscriber (connected)",
			    &now);
	}
	if (ss.gone_rest.queued || ss.gone_rest.dropped)
		fprintf(out, "  %u more subscribers: %llu records sent, %llu dropped\n",
			ss.next_id - MAX_SUMMARIES, (unsigned long long)ss.gone_rest.queued,
			(unsigned long long)ss.gone_rest.dropped);
}

static const struct xf_setting socket_settings[] = {
	{ "SOCKET_PATH", XF_ST_STRING, "",
	  "listen on this Unix socket and stream finalized flows to every subscriber (--socket)", NULL, 0, 0 },
	{ "SOCKET_CONNECT", XF_ST_STRING, "",
	  "connect to this Unix socket and stream finalized flows to it, reconnecting (--socket-connect)", NULL, 0, 0 },
	{ "SOCKET_FORMAT", XF_ST_ENUM, "json",
	  "record format: json (lines as PREFIX_flows.json) or tsv (header line, then lines as PREFIX_flows.txt)",
	  "json|tsv", 0, 0 },
	{ "SOCKET_MODE", XF_ST_STRING, "0600",
	  "file mode of the listening socket, octal (0660 when SOCKET_GROUP is set and this is 0600)", NULL, 0, 0 },
	{ "SOCKET_GROUP", XF_ST_STRING, "",
	  "group that owns the listening socket (lets that group subscribe)", NULL, 0, 0 },
	{ "SOCKET_BUFFER", XF_ST_INT, "4194304",
	  "bytes kept per subscriber before its flows are dropped (and counted)", NULL, 1024, 1e12 },
	{ "SOCKET_MAX_SUBSCRIBERS", XF_ST_INT, "64",
	  "subscribers at once; more are refused", NULL, 1, 4096 },
	{ "SOCKET_WAIT", XF_ST_INT, "0",
	  "before the engine starts, wait for this many subscribers (SOCKET_CONNECT: for the connection)",
	  NULL, 0, 4096 },
	{ "SOCKET_WAIT_TIMEOUT", XF_ST_DOUBLE, "30",
	  "seconds SOCKET_WAIT waits before giving up (an error)", NULL, 0, 1e6 },
	{ "SOCKET_LINGER", XF_ST_DOUBLE, "2",
	  "seconds at the end of the run to deliver what subscribers have not read yet", NULL, 0, 3600 },
	{ "SOCKET_RETRY_MIN", XF_ST_DOUBLE, "0.1",
	  "SOCKET_CONNECT: first reconnection delay in seconds (doubles per failure)", NULL, 0.001, 3600 },
	{ "SOCKET_RETRY_MAX", XF_ST_DOUBLE, "5",
	  "SOCKET_CONNECT: longest reconnection delay in seconds", NULL, 0.001, 3600 },
};

static struct xf_module socket_module = {
	.name = "socketSink",
	.desc = "finalized flows over a Unix socket (idle unless SOCKET_PATH or SOCKET_CONNECT is set)",
	.default_on = 1,
	.settings = socket_settings,
	.nsettings = sizeof(socket_settings) / sizeof(socket_settings[0]),
	.init = socket_init,
	.report = socket_report,
};
XF_MODULE(socket_module);
