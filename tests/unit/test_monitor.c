// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_monitor.c - the monitor module on its own: off unless
 * MONITOR_INTERVAL > 0; rows in MONITOR_FILE with the counters, flows
 * finalized as the sinks saw them, one column per loss counter, a new
 * header when a loss counter appears late, and a last row at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <unistd.h>
#include "config.h"
#include "module.h"
#include "sink.h"
#include "stats.h"

static char path[64];

static char *slurp(void)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static int count(const char *s, const char *what)
{
	int n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s++;
	}
	return n;
}

static void test_off_by_default(void **state)
{
	unlink(path);
	xf_setting_set("MONITOR_FILE", path, "test");
	assert_int_equal(xf_module_find("monitor")->init(), 0);
	xf_sinks_poll();
	xf_sinks_close();
	assert_int_equal(access(path, F_OK), -1);
}

static void test_rows_and_loss_columns(void **state)
{
	static uint64_t lost_a = 7, lost_b = 9;
	static struct xf_loss_counter a = { .name = "ringbuf reserve failed (payload)", .value = &lost_a };
	static struct xf_loss_counter b = { .name = "late counter", .value = &lost_b };
	struct xf_flow_ctx fc = { 0 };
	char *text;

	xf_loss_register(&a);
	xf_setting_set("MONITOR_INTERVAL", "0.001", "test");
	xf_setting_set("MONITOR_STDERR", "0", "test");
	xf_setting_set("MONITOR_FILE", path, "test");
	assert_int_equal(xf_module_find("monitor")->init(), 0);
	xf_stats.pkts = 100;
	xf_stats.bytes_wire = 6000;
	xf_stats.flows_in_mem = 3;
	xf_sinks_flow(&fc);
	xf_sinks_flow(&fc);
	usleep(2000);
	xf_sinks_poll();
	xf_loss_register(&b);
	usleep(2000);
	xf_sinks_poll();
	xf_sinks_close();               /* + the last row */
	text = slurp();
	assert_int_equal(count(text, "%time\telapsed\tpktTime\tpkts\t"), 2);
	assert_non_null(strstr(text, "\tflowsFinalized\tringbuf_reserve_failed_payload\n"));
	assert_non_null(strstr(text, "\tringbuf_reserve_failed_payload\tlate_counter\n"));
	assert_non_null(strstr(text, "\t100\t"));
	assert_non_null(strstr(text, "\t3\t0\t2\t7\n"));      /* inMem, created, finalized, lost_a */
	assert_non_null(strstr(text, "\t3\t0\t2\t7\t9\n"));
	assert_int_equal(count(text, "\n"), 2 + 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off_by_default),
		cmocka_unit_test(test_rows_and_loss_columns),
	};
	int rc;

	snprintf(path, sizeof(path), "/tmp/xf-monitor-%d.txt", (int)getpid());
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	return rc;
}
