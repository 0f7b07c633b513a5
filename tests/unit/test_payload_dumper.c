// SPDX-License-Identifier: BSD-3-Clause
/*
 * test_payload_dumper.c - the payloadDumper module driven through its hooks
 * with hand-made packet views: files, names, gaps, limits and pldStat.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <cmocka.h>
#include "config.h"
#include "module.h"
#include "reasm.h"

static char folder[256];

struct tflow {
	struct xf_flow_ctx fc;
	uint64_t pkt_no;
};

static void tflow_init(struct tflow *t, uint64_t ind)
{
	memset(t, 0, sizeof(*t));
	t->fc.f.index = ind;
	t->fc.f.first_ts = 1700000000123456000ULL;
	t->fc.key.ip_ver = 4;
	t->fc.key.l4_proto = 6;
	memcpy(t->fc.key.addr[0], "\x0a\x00\x00\x01", 4);
	memcpy(t->fc.key.addr[1], "\x0a\x00\x00\x02", 4);
	t->fc.key.port[0] = 40000;
	t->fc.key.port[1] = 80;
	t->fc.f.a_side = 0;
}

static void tpkt(struct xf_module *m, struct tflow *t, int dir, uint32_t seq, uint8_t flags,
		 const char *data)
{
	struct xf_pkt p = { .l4_proto = 6, .ip_ver = 4, .seq = seq, .tcp_flags = flags | XF_RS_TCP_ACK,
			    .status = XF_PS_HAS_L4 | XF_PS_IPV4, .sport = dir ? 80 : 40000,
			    .dport = dir ? 40000 : 80, .ethertype = 0x0800 };
	struct xf_pkt_view pv = { .p = &p, .fc = &t->fc, .dir = dir, .pkt_no = ++t->pkt_no,
				  .ts = 1700000000123456000ULL + t->pkt_no,
				  .l7 = (const uint8_t *)data, .l7_caplen = data ? strlen(data) : 0 };

	p.l7_len = pv.l7_caplen;
	m->packet(&pv);
}

static char *slurp(const char *name, size_t *n)
{
	char path[512];
	static char buf[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", folder, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	*n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[*n] = 0;
	fclose(f);
	return buf;
}

static struct xf_module *start(const char *names, const char *max_bytes)
{
	struct xf_module *m = xf_module_find("payloadDumper");

	assert_non_null(m);
	assert_int_equal(xf_setting_set("PLDUMP_FOLDER", folder, "test"), 0);
	assert_int_equal(xf_setting_set("PLDUMP_NAMES", names, "test"), 0);
	assert_int_equal(xf_setting_set("PLDUMP_MAX_BYTES", max_bytes, "test"), 0);
	assert_int_equal(xf_setting_set("PLDUMP_RMDIR", "1", "test"), 0);
	assert_int_equal(m->init(), 0);
	return m;
}

static uint8_t pld_stat(struct xf_module *m, struct tflow *t, int dir)
{
	struct xf_outbuf ob = { 0 };
	unsigned v;

	m->columns[0].fmt(&ob, &t->fc, dir);
	xf_ob_putc(&ob, 0);
	sscanf(ob.buf, "0x%x", &v);
	xf_ob_free(&ob);
	return v;
}

static void dumps_both_directions_with_gap(void **state)
{
	struct xf_module *m = start("flowind", "0");
	struct tflow t;
	size_t n;
	char *s;

	tflow_init(&t, 7);
	tpkt(m, &t, 0, 1000, XF_RS_TCP_SYN, NULL);
	tpkt(m, &t, 1, 5000, XF_RS_TCP_SYN, NULL);
	tpkt(m, &t, 0, 1001, 0, "GET / HTTP/1.0\r\n\r\n");
	tpkt(m, &t, 1, 5001, 0, "HTTP/1.0 200 OK\r\n");
	tpkt(m, &t, 1, 5022, XF_RS_TCP_FIN, "body");     /* 4 bytes never captured */
	m->flow_end(&t.fc);
	s = slurp("7_A", &n);
	assert_non_null(s);
	assert_int_equal(n, 18);
	assert_memory_equal(s, "GET / HTTP/1.0\r\n\r\n", 18);
	s = slurp("7_B", &n);
	assert_non_null(s);
	assert_int_equal(n, 25);
	assert_memory_equal(s, "HTTP/1.0 200 OK\r\n\0\0\0\0body", 25);
	assert_int_equal(pld_stat(m, &t, 0), 0x03);
	assert_int_equal(pld_stat(m, &t, 1), 0x07);
	assert_true(t.fc.f.stat & XF_FS_RS_GAP);
	m->flow_free(&t.fc);
	assert_null(t.fc.mod[m->id]);
}

static void tcpflow_names_and_max_bytes(void **state)
{
	struct xf_module *m = start("tcpflow", "5");
	struct tflow t;
	size_t n;
	char *s;

	tflow_init(&t, 8);
	tpkt(m, &t, 0, 1000, XF_RS_TCP_SYN, NULL);
	tpkt(m, &t, 0, 1001, 0, "0123456789");
	m->flow_end(&t.fc);
	s = slurp("10.0.0.1.40000-10.0.0.2.80-6", &n);
	assert_non_null(s);
	assert_int_equal(n, 5);
	assert_memory_equal(s, "01234", 5);
	assert_null(slurp("10.0.0.2.80-10.0.0.1.40000-6", &n));   /* B sent nothing */
	assert_int_equal(pld_stat(m, &t, 0), 0x43);
	assert_int_equal(pld_stat(m, &t, 1), 0x01);
	m->flow_free(&t.fc);
}

static void timestamped_names(void **state)
{
	struct xf_module *m = start("tstcpflow", "0");
	struct tflow t;
	size_t n;

	tflow_init(&t, 9);
	tpkt(m, &t, 1, 1, 0, "x");
	m->flow_end(&t.fc);
	assert_non_null(slurp("1700000000.123456_10.0.0.2.80-10.0.0.1.40000-6", &n));
	m->flow_free(&t.fc);
}

static void port_rule(void **state)
{
	struct tflow t;
	struct xf_module *m;

	assert_int_equal(xf_setting_set("PLDUMP_PORTS", "443,8443", "test"), 0);
	m = start("flowind", "0");
	tflow_init(&t, 10);
	tpkt(m, &t, 0, 1, 0, "not dumped");
	m->flow_end(&t.fc);
	assert_int_equal(pld_stat(m, &t, 0), 0);
	m->flow_free(&t.fc);
	assert_int_equal(xf_setting_set("PLDUMP_PORTS", "", "test"), 0);
}

static char *report_text(struct xf_module *m)
{
	char *rep = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&rep, &len);

	assert_non_null(f);
	m->report(f);
	fclose(f);
	return rep;
}

/* The number N before `what` ("N files opened") in the end report
 * (counted since the program started) */
static unsigned long long report_count(struct xf_module *m, const char *what)
{
	char *rep = report_text(m), *p = strstr(rep, what);
	unsigned long long n;

	assert_non_null(p);
	while (p > rep && p[-1] >= '0' && p[-1] <= '9')
		p--;
	n = strtoull(p, NULL, 10);
	free(rep);
	return n;
}

static unsigned long long files_opened(struct xf_module *m)
{
	return report_count(m, " files opened");
}

/* Byte `off` of flow f's B stream: never NUL (tpkt takes strings), and
 * different across 4 KiB pages, so a misplaced write shows. */
static char stream_byte(int f, uint64_t off)
{
	return (char)((off * 7 + (uint64_t)f * 13 + (off >> 12)) % 255 + 1);
}

static unsigned long long write_errors(struct xf_module *m)
{
	return report_count(m, " write errors");
}

/* A file that cannot be written (its name is a link to /dev/full, which
 * the dumper opens like any file): the direction gets pldStat 0x80, the
 * report counts the error, the other direction is whole; with the writer
 * thread and without, for a stream that went through the writer's queue
 * (longer than its buffer) and one written at the flow's end. */
static void write_error_flagged(const char *writer, size_t len)
{
	struct xf_module *m;
	struct tflow t;
	char path[512], *seg = malloc(len + 1);
	unsigned long long errs0;
	size_t n;

	assert_non_null(seg);
	assert_int_equal(xf_setting_set("PLDUMP_WRITER", writer, "test"), 0);
	m = start("flowind", "0");
	errs0 = write_errors(m);
	snprintf(path, sizeof(path), "%s/12_B", folder);
	unlink(path);
	assert_int_equal(symlink("/dev/full", path), 0);
	memset(seg, 'b', len);
	seg[len] = 0;
	tflow_init(&t, 12);
	tpkt(m, &t, 0, 100, 0, "request");
	for (int k = 0; k < 4; k++)
		tpkt(m, &t, 1, 1 + k * len, 0, seg);
	m->flow_end(&t.fc);
	assert_int_equal(pld_stat(m, &t, 0), 0x03);
	assert_int_equal(pld_stat(m, &t, 1), 0x83);
	assert_non_null(slurp("12_A", &n));
	assert_int_equal(n, 7);
	assert_int_equal(write_errors(m) - errs0, 1);
	m->flow_free(&t.fc);
	unlink(path);
	free(seg);
	assert_int_equal(xf_setting_set("PLDUMP_WRITER", "1", "test"), 0);
}

static void write_error_threaded_queued(void **state)
{
	write_error_flagged("1", 60000);
}

static void write_error_threaded_at_end(void **state)
{
	write_error_flagged("1", 10);
}

static void write_error_inline(void **state)
{
	write_error_flagged("0", 60000);
}

/* Many streams longer than their buffers, interleaved, with fewer files
 * allowed open than there are streams: every file must still hold exactly
 * its stream (files closed to make room are reopened for appending), with
 * the writer thread (default) or inline. */
static void long_streams(const char *writer)
{
	enum { FLOWS = 40, SEGS = 60, SEG = 3000 };
	static struct tflow t[FLOWS];
	struct rlimit rl = { 24, 24 };          /* the dumper may keep 12 open */
	char seg[SEG + 1], name[32], path[512], *rep;
	unsigned long long opened0;
	struct xf_module *m;
	FILE *f;

	assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_int_equal(xf_setting_set("PLDUMP_WRITER", writer, "test"), 0);
	m = start("flowind", "0");
	opened0 = files_opened(m);
	for (int i = 0; i < FLOWS; i++) {
		tflow_init(&t[i], 100 + i);
		tpkt(m, &t[i], 1, 5000, XF_RS_TCP_SYN, NULL);
	}
	for (int k = 0; k < SEGS; k++) {
		for (int i = 0; i < FLOWS; i++) {
			for (int j = 0; j < SEG; j++)
				seg[j] = stream_byte(i, (uint64_t)k * SEG + j);
			seg[SEG] = 0;
			tpkt(m, &t[i], 1, 5001 + k * SEG, 0, seg);
		}
	}
	for (int i = 0; i < FLOWS; i++) {
		uint64_t off = 0;
		int c;

		m->flow_end(&t[i].fc);
		snprintf(name, sizeof(name), "%d_B", 100 + i);
		snprintf(path, sizeof(path), "%s/%s", folder, name);
		f = fopen(path, "rb");
		assert_non_null(f);
		while ((c = getc(f)) != EOF) {
			if ((char)c != stream_byte(i, off))
				fail_msg("%s: byte %llu differs", name, (unsigned long long)off);
			off++;
		}
		fclose(f);
		assert_int_equal(off, (uint64_t)SEGS * SEG);
		assert_int_equal(pld_stat(m, &t[i], 1), 0x03);
		m->flow_free(&t[i].fc);
	}
	rep = report_text(m);
	assert_non_null(strstr(rep, "(at most 12 files open)"));
	free(rep);
	assert_true(files_opened(m) - opened0 > FLOWS);    /* some were reopened */
	assert_int_equal(xf_setting_set("PLDUMP_WRITER", "1", "test"), 0);
}

/* Lower RLIMIT_NOFILE, so they run last. */
static void long_streams_with_few_open_files(void **state)
{
	long_streams("1");
}

static void long_streams_with_few_open_files_inline(void **state)
{
	long_streams("0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dumps_both_directions_with_gap),
		cmocka_unit_test(tcpflow_names_and_max_bytes),
		cmocka_unit_test(timestamped_names),
		cmocka_unit_test(port_rule),
		cmocka_unit_test(write_error_threaded_queued),
		cmocka_unit_test(write_error_threaded_at_end),
		cmocka_unit_test(write_error_inline),
		cmocka_unit_test(long_streams_with_few_open_files),
		cmocka_unit_test(long_streams_with_few_open_files_inline),
	};
	int rc;

	snprintf(folder, sizeof(folder), "/tmp/xf_pld_test.%d", (int)getpid());
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (!rc) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", folder);
		if (system(cmd))
			rc = 1;
	}
	return rc;
}
