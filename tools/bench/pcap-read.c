// SPDX-License-Identifier: BSD-3-Clause
/*
 * pcap-read - the bare libpcap read that `make bench` measures xdpflow against:
 * open the capture, pcap_next_ex() every record, touch only its header.
 * The sum of caplen is printed so the loop cannot be optimised away.
 * Opened with nanosecond precision, as a flow meter that keeps ns needs.
 *
 *   pcap-read FILE...
 */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

static int read_one(const char *path, uint64_t *pkts, uint64_t *caplen_sum)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	pcap_t *p;
	int rc;

	p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!p) {
		fprintf(stderr, "pcap-read: %s: %s\n", path, errbuf);
		return -1;
	}
	while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
		(*pkts)++;
		*caplen_sum += hdr->caplen;
	}
	if (rc == PCAP_ERROR)
		fprintf(stderr, "pcap-read: %s: %s\n", path, pcap_geterr(p));
	pcap_close(p);
	return rc == PCAP_ERROR_BREAK ? 0 : -1;
}

int main(int argc, char **argv)
{
	uint64_t pkts = 0, caplen_sum = 0;
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: pcap-read FILE...\n");
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (read_one(argv[i], &pkts, &caplen_sum))
			rc = 1;
	printf("%" PRIu64 " packets, %" PRIu64 " bytes captured\n", pkts, caplen_sum);
	return rc;
}
