// SPDX-License-Identifier: BSD-3-Clause
/*
 * write-floor.c - the floor of the streams benchmark (bench-streams.sh):
 * the work any tool that dumps the capture's streams must do, and nothing
 * else.  It reads the capture once (256 KiB read()s, as xdpflow's pcap
 * engine does, bytes discarded), then creates every file of a manifest
 * ("NAME SIZE" lines: the files xdpflow and tcpflow wrote) in OUTDIR and
 * writes its SIZE bytes with as few write()s as possible (1 MiB each).
 * No parsing, no reassembly, no buffering decisions: what is left of a
 * tool's time above this is its own.
 *
 *   write-floor MANIFEST OUTDIR [CAPTURE]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK   (1u << 20)
#define READBUF (256u << 10)

static int read_capture(const char *path)
{
	static char buf[READBUF];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0) {
		fprintf(stderr, "write-floor: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		;
	close(fd);
	return r < 0 ? -1 : 0;
}

static int write_file(const char *path, long long size, const char *chunk)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	while (size > 0) {
		size_t k = size > CHUNK ? CHUNK : (size_t)size;
		ssize_t w = write(fd, chunk, k);

		if (w <= 0) {
			close(fd);
			return -1;
		}
		size -= w;
	}
	return close(fd);
}

int main(int argc, char **argv)
{
	char name[1024], path[4096], *chunk;
	long long size, files = 0, bytes = 0;
	FILE *m;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: write-floor MANIFEST OUTDIR [CAPTURE]\n");
		return 2;
	}
	if (argc == 4 && read_capture(argv[3]))
		return 1;
	m = fopen(argv[1], "r");
	chunk = malloc(CHUNK);
	if (!m || !chunk) {
		fprintf(stderr, "write-floor: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	memset(chunk, 'x', CHUNK);
	while (fscanf(m, "%1023s %lld", name, &size) == 2) {
		snprintf(path, sizeof(path), "%s/%s", argv[2], name);
		if (write_file(path, size, chunk)) {
			fprintf(stderr, "write-floor: %s: %s\n", path, strerror(errno));
			return 1;
		}
		files++;
		bytes += size;
	}
	fclose(m);
	printf("write-floor: %lld files, %lld bytes\n", files, bytes);
	return 0;
}
