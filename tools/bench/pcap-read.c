// SPDX-License-Identifier: BSD-3-Clause
/*
 * pcap-read - the bare libpcap read that `make bench` measures xdpflow against:
 * open the capture, pcap_next_ex() every record, touch only its header.
 * The sum of caplen is printed so the loop cannot be optimised away.
 * Opened with nanosecond precision, as a flow meter that keeps ns needs.
 *
 *   pcap-read [-b BYTES] FILE...
 *
 * Without -b the file is opened as libpcap opens it (pcap_open_offline: a
 * stdio stream with glibc's default buffer, st_blksize = 4 KiB, so one
 * read() per 4 KiB).  -b BYTES gives the stream a buffer of that size before
 * the first read, as xdpflow's pcap engine does (engine_pcap.c, 256 KiB):
 * the same I/O as xdpflow, so the ratio to it is the cost of everything
 * xdpflow does beyond reading.
 */
#include <errno.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pcap_t *open_capture(const char *path, size_t bufsize, char **buf, char *errbuf)
{
	FILE *fp;
	pcap_t *p;

	if (!bufsize)
		return pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	fp = fopen(path, "rb");
	if (!fp) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s", strerror(errno));
		return NULL;
	}
	/* glibc ignores the size when the buffer is NULL: pass one */
	*buf = malloc(bufsize);
	if (!*buf || setvbuf(fp, *buf, _IOFBF, bufsize)) {
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "cannot set a %zu-byte buffer", bufsize);
		fclose(fp);
		return NULL;
	}
	p = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!p)
		fclose(fp);
	return p;
}

static int read_one(const char *path, size_t bufsize, uint64_t *pkts, uint64_t *caplen_sum)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	char *buf = NULL;
	pcap_t *p;
	int rc;

	p = open_capture(path, bufsize, &buf, errbuf);
	if (!p) {
		fprintf(stderr, "pcap-read: %s: %s\n", path, errbuf);
		free(buf);
		return -1;
	}
	while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
		(*pkts)++;
		*caplen_sum += hdr->caplen;
	}
	if (rc == PCAP_ERROR)
		fprintf(stderr, "pcap-read: %s: %s\n", path, pcap_geterr(p));
	pcap_close(p);
	free(buf);
	return rc == PCAP_ERROR_BREAK ? 0 : -1;
}

int main(int argc, char **argv)
{
	uint64_t pkts = 0, caplen_sum = 0;
	size_t bufsize = 0;
	int i = 1, rc = 0;
	char *end;

	if (argc > 2 && !strcmp(argv[1], "-b")) {
		bufsize = strtoul(argv[2], &end, 0);
		if (*end || !bufsize) {
			fprintf(stderr, "pcap-read: -b %s: not a buffer size in bytes\n", argv[2]);
			return 2;
		}
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: pcap-read [-b BYTES] FILE...\n");
		return 2;
	}
	for (; i < argc; i++)
		if (read_one(argv[i], bufsize, &pkts, &caplen_sum))
			rc = 1;
	printf("%" PRIu64 " packets, %" PRIu64 " bytes captured\n", pkts, caplen_sum);
	return rc;
}
