// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_socket.c - the socketSink module on its own: records in the flows
 * file's form (JSON and TSV), two subscribers, a stuck subscriber's bounded
 * buffer and drop count, a vanished subscriber (EPIPE), stale and live socket
 * files, file mode, and SOCKET_CONNECT reconnecting after its listener
 * restarts.  Real sockets in a temporary directory; flows are built by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "columns.h"
#include "config.h"
#include "module.h"
#include "sink.h"
#include "stats.h"

static char dir[64], path[128];

static void make_flow(struct xf_flow_ctx *fc, uint64_t index, int with_b)
{
	memset(fc, 0, sizeof(*fc));
	fc->f.index = index;
	fc->f.dir[0].pkts = 3;
	fc->f.dir[1].pkts = with_b ? 2 : 0;
}

static int start(const char *setting, const char *format, const char *buffer)
{
	struct xf_module *m = xf_module_find("socketSink");

	assert_non_null(m);
	xf_setting_set("SOCKET_PATH", "", "test");
	xf_setting_set("SOCKET_CONNECT", "", "test");
	xf_setting_set(setting, path, "test");
	xf_setting_set("SOCKET_FORMAT", format, "test");
	xf_setting_set("SOCKET_BUFFER", buffer, "test");
	xf_setting_set("SOCKET_LINGER", "0.2", "test");
	xf_setting_set("SOCKET_RETRY_MIN", "0.01", "test");
	xf_setting_set("SOCKET_RETRY_MAX", "0.05", "test");
	return m->init();
}

static int subscribe(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sa.sun_path, path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Everything readable within `ms` (the sink side is driven by poll calls) */
static size_t drain(int fd, char *buf, size_t cap, int ms)
{
	size_t len = 0;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		xf_sinks_poll();
		if (poll(&pfd, 1, ms) <= 0)
			break;
		n = read(fd, buf + len, cap - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = 0;
	return len;
}

static void test_json_two_subscribers(void **state)
{
	struct xf_flow_ctx fc1, fc2;
	struct xf_outbuf want = { 0 };
	char got[8192];
	int a, b;

	assert_int_equal(start("SOCKET_PATH", "json", "65536"), 0);
	a = subscribe();
	b = subscribe();
	xf_sinks_poll();
	make_flow(&fc1, 1, 1);
	make_flow(&fc2, 2, 0);
	xf_sinks_flow(&fc1);
	xf_sinks_flow(&fc2);
	xf_format_flow_json(&want, &fc1, 0);
	xf_format_flow_json(&want, &fc1, 1);
	xf_format_flow_json(&want, &fc2, 0);     /* no B packets: no B line */
	xf_ob_putc(&want, 0);
	drain(a, got, sizeof(got), 100);
	assert_string_equal(got, want.buf);
	drain(b, got, sizeof(got), 100);
	assert_string_equal(got, want.buf);
	xf_sinks_close();
	/* the socket file is removed at the end of the run */
	assert_int_equal(access(path, F_OK), -1);
	close(a);
	close(b);
	xf_ob_free(&want);
}

static void test_tsv_header_first(void **state)
{
	struct xf_flow_ctx fc;
	struct xf_outbuf want = { 0 };
	char got[8192];
	int a;

	assert_int_equal(start("SOCKET_PATH", "tsv", "65536"), 0);
	a = subscribe();
	xf_sinks_poll();
	make_flow(&fc, 7, 1);
	xf_sinks_flow(&fc);
	xf_format_flow_header(&want);
	xf_format_flow_tsv(&want, &fc, 0);
	xf_format_flow_tsv(&want, &fc, 1);
	xf_ob_putc(&want, 0);
	drain(a, got, sizeof(got), 100);
	assert_string_equal(got, want.buf);
	assert_int_equal(got[0], '%');
	xf_sinks_close();
	close(a);
	xf_ob_free(&want);
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t total_dropped(void)
{
	struct xf_loss_counter *c;

	for (c = xf_loss_counters(); c; c = c->next)
		if (strstr(c->name, "socket"))
			return *c->value;
	return 0;
}

/* A subscriber that never reads: the sink neither blocks nor grows past
 * its bound; what does not fit is counted, and a reader next to it still
 * gets everything. */
static void test_stuck_subscriber_bounded(void **state)
{
	struct xf_flow_ctx fc;
	uint64_t before = total_dropped(), i, lines = 0;
	char *got = malloc(1 << 22);
	size_t len = 0;
	int stuck, reader;
	double t0;

	assert_int_equal(start("SOCKET_PATH", "json", "1024"), 0);
	stuck = subscribe();
	reader = subscribe();
	xf_sinks_poll();
	t0 = mono();
	for (i = 1; i <= 20000; i++) {
		make_flow(&fc, i, 1);
		xf_sinks_flow(&fc);
		/* the reader keeps up, as a live consumer would */
		for (;;) {
			ssize_t n = recv(reader, got + len, (1 << 22) - 1 - len, MSG_DONTWAIT);

			if (n <= 0)
				break;
			len += (size_t)n;
		}
	}
	assert_true(mono() - t0 < 5.0);
	xf_sinks_close();
	len += drain(reader, got + len, (1 << 22) - len, 50);
	for (i = 0; i < len; i++)
		lines += got[i] == '\n';
	assert_int_equal(lines, 40000);
	/* 20000 flows x 2 lines; the stuck one holds at most the socket's own
	 * buffer plus 1 KiB: most were dropped for it, and counted */
	assert_true(total_dropped() - before > 30000);
	close(stuck);
	close(reader);
	free(got);
}

static void test_subscriber_vanishes(void **state)
{
	struct xf_flow_ctx fc;
	uint64_t i;
	int a;

	assert_int_equal(start("SOCKET_PATH", "json", "65536"), 0);
	a = subscribe();
	xf_sinks_poll();
	make_flow(&fc, 1, 1);
	xf_sinks_flow(&fc);
	close(a);                       /* gone with data unread: EPIPE/ECONNRESET next */
	for (i = 2; i < 100; i++) {
		make_flow(&fc, i, 1);
		xf_sinks_flow(&fc);
	}
	xf_sinks_poll();
	a = subscribe();                /* another may join afterwards */
	xf_sinks_poll();
	xf_sinks_flow(&fc);
	xf_sinks_close();
	close(a);
}

static void test_socket_file_rules(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int stale;

	/* stale: a socket file nobody listens on is replaced */
	strcpy(sa.sun_path, path);
	stale = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(stale, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(stale);
	assert_int_equal(start("SOCKET_PATH", "json", "65536"), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	xf_sinks_close();
	assert_int_equal(access(path, F_OK), -1);

	/* not a socket: never removed */
	close(open(path, O_CREAT | O_WRONLY, 0600));
	assert_int_not_equal(start("SOCKET_PATH", "json", "65536"), 0);
	assert_int_equal(access(path, F_OK), 0);
	unlink(path);
}

static void test_live_socket_not_stolen(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int other = socket(AF_UNIX, SOCK_STREAM, 0);
	struct stat before, after;

	strcpy(sa.sun_path, path);
	assert_int_equal(bind(other, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(other, 4), 0);
	stat(path, &before);
	assert_int_not_equal(start("SOCKET_PATH", "json", "65536"), 0);
	stat(path, &after);
	assert_int_equal(before.st_ino, after.st_ino);
	close(other);
	unlink(path);
}

static int listener(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sa.sun_path, path);
	unlink(path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static int accept_within(int lfd, int ms)
{
	double end = mono() + ms / 1000.0;

	while (mono() < end) {
		struct pollfd pfd = { .fd = lfd, .events = POLLIN };

		xf_sinks_poll();
		if (poll(&pfd, 1, 10) > 0)
			return accept(lfd, NULL, NULL);
	}
	return -1;
}

static void test_connect_reconnects(void **state)
{
	struct xf_flow_ctx fc;
	struct xf_outbuf want = { 0 };
	char got[8192];
	int lfd = listener(), c;

	assert_int_equal(start("SOCKET_CONNECT", "tsv", "65536"), 0);
	c = accept_within(lfd, 1000);
	assert_true(c >= 0);
	make_flow(&fc, 1, 1);
	xf_sinks_flow(&fc);
	drain(c, got, sizeof(got), 100);
	assert_non_null(strstr(got, "%dir"));
	/* the listener restarts */
	close(c);
	close(lfd);
	xf_sinks_poll();                /* notices the hang-up */
	make_flow(&fc, 2, 0);
	xf_sinks_flow(&fc);             /* kept while away */
	lfd = listener();
	c = accept_within(lfd, 2000);
	assert_true(c >= 0);
	xf_sinks_poll();
	drain(c, got, sizeof(got), 100);
	xf_format_flow_header(&want);
	xf_format_flow_tsv(&want, &fc, 0);
	xf_ob_putc(&want, 0);
	assert_string_equal(got, want.buf);
	xf_sinks_close();
	close(c);
	close(lfd);
	unlink(path);
	xf_ob_free(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_two_subscribers),
		cmocka_unit_test(test_tsv_header_first),
		cmocka_unit_test(test_stuck_subscriber_bounded),
		cmocka_unit_test(test_subscriber_vanishes),
		cmocka_unit_test(test_socket_file_rules),
		cmocka_unit_test(test_live_socket_not_stolen),
		cmocka_unit_test(test_connect_reconnects),
	};
	int rc;

	strcpy(dir, "/tmp/xf-sock-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/flows.sock", dir);
	xf_columns_build();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	rmdir(dir);
	return rc;
}
