/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pld_writer.h - the payload dumper's file writer: appends to many output
 * files, each in order, either inline or from a second thread fed through a
 * bounded ring of bytes (so writing overlaps with parsing on another core).
 *
 * The caller (one thread: the one that parses) owns the files' bytes until
 * pld_file_write() copies them; what the ring holds is bounded by its size,
 * given at pld_writer_setup(), and counts in the dumper's memory budget.
 * Errors are per file: the first one (errno) is kept and returned by the
 * next pld_file_write() and by pld_file_finish(); after it the file takes
 * no more bytes.
 */
#ifndef XF_PLD_WRITER_H
#define XF_PLD_WRITER_H
#include <stddef.h>
#include <stdint.h>

#define PLD_REC_MAX     65536u  /* bytes per queued piece; pld_file_write splits */

struct pld_file;

/* Configure: a writer thread with a ring of ring_bytes (threaded), or
 * writes inline; at most open_max files open at once.  Stops a previous
 * setup first.  The thread starts with the first queued bytes.  0 or -1. */
int pld_writer_setup(int threaded, size_t ring_bytes, unsigned open_max);
/* Write everything queued, close every open file, end the thread.  Files
 * not finished yet stay valid (written inline from then on). */
void pld_writer_stop(void);

/* A file at path (created and truncated by its first write, appended to
 * after); NULL if out of memory. */
struct pld_file *pld_file_new(const char *path);
/* Queue n bytes for f (waits while the ring is full).  Returns f's error
 * known so far (the bytes are dropped then), else 0. */
int pld_file_write(struct pld_file *f, const void *p, size_t n);
/* Write n more bytes (may be 0) to f and close it, wait for that, free f:
 * 0 or the first error (errno) of the file. */
int pld_file_finish(struct pld_file *f, const void *p, size_t n);
/* Create path and write n bytes to it in the calling thread (a file with
 * nothing queued before): 0 or errno. */
int pld_write_once(const char *path, const void *p, size_t n);

struct pld_writer_stats {
	uint64_t opens, writes;     /* system calls made */
	uint64_t waits;             /* times the caller waited: ring full, or a finish */
	unsigned open_max;
	int threaded;               /* a writer thread was set up */
};
void pld_writer_stats(struct pld_writer_stats *s);

#endif
