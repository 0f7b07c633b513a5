// SPDX-License-Identifier: BSD-3-Clause
/*
 * pld_writer.c - the payload dumper's file writer (pld_writer.h).
 *
 * Why a thread: dumping streams to a disk file system is mostly the
 * kernel's work in write() (copying into the page cache, allocating
 * blocks), and it does not depend on the next packet.  A second thread that
 * does every open/write/close lets the parsing thread go on with the next
 * packets on the other core (docs/bench.md, streams).
 *
 * How: the parsing thread (the only producer) copies each piece into a
 * ring of records { file, length, flags, bytes } and publishes the new head;
 * the writer thread (the only consumer) writes them in order and publishes
 * the new tail.  Head, tail and the fields both threads read (pld_file.done
 * and .err, the two "sleeping" flags) are sequentially consistent atomics,
 * so the common path takes no lock: the bytes of a record are written
 * before the head that covers them is stored, and read before the tail that
 * frees them is.  The mutex and condition variables are only for sleeping:
 * a side that finds nothing to do sets its flag, checks again and waits;
 * the other side, having stored head or tail (or done), sees the flag and
 * signals under the mutex, so a wake-up cannot be lost.  The writer is
 * woken only for a batch (an eighth of the ring) or when the producer is
 * about to wait, and the producer only when a quarter of the ring is free
 * or its file is done: waking a sleeping thread is slow on a VM (an
 * interrupt to the other vCPU), and a wake-up per record cost more than the
 * thread saved.  (Spinning a little before sleeping was tried: it burnt the
 * share of CPU the run gets on a busy machine.)  The open files' list and descriptors belong to
 * whichever side executes records, under exec_mu: the writer thread, or the
 * producer finishing a file none of whose records are queued (so the end of
 * a flow costs no round trip through the writer when it is idle).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "pld_writer.h"

#define REC_CLOSE       0x1     /* close the file after this record's bytes */
#define REC_ALIGN       16u

struct pld_file {
	char    *path;
	/* executor's side (the writer thread while it runs) */
	struct pld_file *newer, *older;         /* open files, most recently written first */
	int      fd;
	int      werr;                          /* first error met */
	int      created;                       /* truncated by its first open */
	/* producer's side */
	uint64_t queued;                        /* records queued */
	/* shared (atomics) */
	uint64_t done;                          /* records executed */
	int      err;                           /* werr, published */
};

struct rec {                    /* a record's header in the ring; bytes follow */
	struct pld_file *f;     /* NULL: padding up to the end of the ring */
	uint32_t len;
	uint32_t flags;
};

static struct {
	pthread_mutex_t exec_mu;        /* held while executing records */
	pthread_mutex_t mu;
	pthread_cond_t work;            /* the writer waits for records */
	pthread_cond_t room;            /* the producer waits for room or for a file's end */
	pthread_t thread;
	int threaded, running, was_threaded;
	int stop;                       /* under mu */
	int writer_idle, producer_waits;        /* atomics: the side is (about to be) asleep */
	/* what the waiting producer waits for, under mu: room >= room_wanted,
	 * or done_wanted records of file_wanted executed */
	size_t room_wanted;
	struct pld_file *file_wanted;
	uint64_t done_wanted;
	uint8_t *ring;
	size_t size;
	uint64_t head, tail;            /* atomics: byte positions, ever growing */
	struct pld_file *newest, *oldest;
	unsigned nopen, open_max;
	uint64_t opens, writes, waits;  /* __atomic: both threads count */
} w = {
	.exec_mu = PTHREAD_MUTEX_INITIALIZER,
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
	.room = PTHREAD_COND_INITIALIZER,
	.open_max = 16,
};

#define LOAD(p)         __atomic_load_n(p, __ATOMIC_SEQ_CST)
#define STORE(p, v)     __atomic_store_n(p, v, __ATOMIC_SEQ_CST)

static void count(uint64_t *c)
{
	__atomic_fetch_add(c, 1, __ATOMIC_RELAXED);
}

static size_t rec_size(size_t n)
{
	return sizeof(struct rec) + ((n + REC_ALIGN - 1) & ~(size_t)(REC_ALIGN - 1));
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t r = write(fd, p, n);

		count(&w.writes);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? errno : EIO;
		p += r;
		n -= r;
	}
	return 0;
}

/* ---- the executor: open files, least recently written closed first ---- */

static void open_unlink(struct pld_file *f)
{
	if (f->newer)
		f->newer->older = f->older;
	else
		w.newest = f->older;
	if (f->older)
		f->older->newer = f->newer;
	else
		w.oldest = f->newer;
	f->newer = f->older = NULL;
	w.nopen--;
}

static void open_push(struct pld_file *f)
{
	f->newer = NULL;
	f->older = w.newest;
	if (w.newest)
		w.newest->newer = f;
	else
		w.oldest = f;
	w.newest = f;
	w.nopen++;
}

/* Close f's descriptor if open; a failure is f's error. */
static void file_close(struct pld_file *f)
{
	if (f->fd < 0)
		return;
	open_unlink(f);
	if (close(f->fd) && !f->werr)
		f->werr = errno;
	f->fd = -1;
}

static int file_open(struct pld_file *f)
{
	if (f->fd >= 0) {
		if (w.newest != f) {
			open_unlink(f);
			open_push(f);
		}
		return 0;
	}
	if (w.nopen >= w.open_max)
		file_close(w.oldest);
	f->fd = open(f->path, O_WRONLY | O_CREAT | O_CLOEXEC | (f->created ? O_APPEND : O_TRUNC), 0644);
	f->created = 1;
	if (f->fd < 0)
		return errno;
	count(&w.opens);
	open_push(f);
	return 0;
}

static void execute(struct pld_file *f, const uint8_t *p, size_t n, unsigned flags)
{
	int err;

	if (!f->werr && n && ((err = file_open(f)) || (err = write_all(f->fd, p, n)))) {
		f->werr = err;
		file_close(f);
	}
	if (flags & REC_CLOSE)
		file_close(f);
}

/* ---- the writer thread ---- */

static size_t ring_free(void)
{
	return w.size - (LOAD(&w.head) - LOAD(&w.tail));
}

/* Wake the waiting producer only when what it waits for is there: a
 * wake-up per record freed would cost it a sleep and a wake-up (two
 * system calls) per record while the writer is the slower side.
 * just_done (maybe freed since: compared, never read) ran its done-th
 * record. */
static void wake_producer(const struct pld_file *just_done, uint64_t done)
{
	int go;

	pthread_mutex_lock(&w.mu);
	if (w.file_wanted)
		go = just_done == w.file_wanted && done >= w.done_wanted;
	else
		go = ring_free() >= w.room_wanted || LOAD(&w.head) == LOAD(&w.tail);
	if (go && LOAD(&w.producer_waits))
		pthread_cond_signal(&w.room);
	pthread_mutex_unlock(&w.mu);
}

/* Nothing queued after tail: sleep until there is, 1 if told to stop. */
static int writer_sleep(uint64_t tail)
{
	int stop;

	pthread_mutex_lock(&w.mu);
	STORE(&w.writer_idle, 1);
	while (LOAD(&w.head) == tail && !w.stop)
		pthread_cond_wait(&w.work, &w.mu);
	STORE(&w.writer_idle, 0);
	stop = w.stop && LOAD(&w.head) == tail;
	pthread_mutex_unlock(&w.mu);
	return stop;
}

static void *writer_main(void *arg)
{
	uint64_t tail = LOAD(&w.tail), head;

	(void)arg;
	for (;;) {
		head = LOAD(&w.head);
		if (head == tail) {
			if (writer_sleep(tail))
				break;
			continue;
		}
		while (tail != head) {
			struct rec *r = (struct rec *)(w.ring + tail % w.size);
			struct pld_file *f = r->f;
			uint64_t done = 0;

			if (f) {
				pthread_mutex_lock(&w.exec_mu);
				execute(f, (const uint8_t *)(r + 1), r->len, r->flags);
				STORE(&f->err, f->werr);
				pthread_mutex_unlock(&w.exec_mu);
				done = __atomic_add_fetch(&f->done, 1, __ATOMIC_SEQ_CST);
			}
			tail += rec_size(r->len);
			STORE(&w.tail, tail);   /* r is the producer's from here */
			if (LOAD(&w.producer_waits))
				wake_producer(f, done);
		}
	}
	return NULL;
}

/* The thread, with every signal blocked: signals stay with the main
 * thread, whose handlers and interrupted calls the run relies on. */
static int writer_start(void)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&w.thread, NULL, writer_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		pr_warn("payloadDumper: no writer thread (%s): writing inline", strerror(err));
		w.threaded = w.was_threaded = 0;
		return -1;
	}
	w.running = 1;
	return 0;
}

/* ---- the producer ---- */

/* Wake the writer if it sleeps. */
static void kick_writer(void)
{
	if (LOAD(&w.writer_idle)) {
		pthread_mutex_lock(&w.mu);
		pthread_cond_signal(&w.work);
		pthread_mutex_unlock(&w.mu);
	}
}

/* Sleep until `room` bytes of the ring are free (the writer wakes us at a
 * quarter of it, so the producer sleeps once per batch, not per record),
 * or, with f, until f's done-th record ran. */
static void producer_wait(size_t room, struct pld_file *f, uint64_t done)
{
	kick_writer();          /* it may sleep on less than a batch */
	count(&w.waits);
	pthread_mutex_lock(&w.mu);
	w.room_wanted = room > w.size / 4 ? room : w.size / 4;
	w.file_wanted = f;
	w.done_wanted = done;
	STORE(&w.producer_waits, 1);
	while (f ? LOAD(&f->done) < done : ring_free() < room)
		pthread_cond_wait(&w.room, &w.mu);
	STORE(&w.producer_waits, 0);
	w.file_wanted = NULL;
	pthread_mutex_unlock(&w.mu);
}

/* Copy one record into the ring (n <= PLD_REC_MAX) and publish it. */
static void enqueue(struct pld_file *f, const void *p, size_t n, unsigned flags)
{
	uint64_t head = LOAD(&w.head);
	size_t need = rec_size(n), pos = head % w.size;
	size_t pad = w.size - pos < need ? w.size - pos : 0;    /* records never wrap */
	struct rec *r;

	if (ring_free() < pad + need)
		producer_wait(pad + need, NULL, 0);
	/* [head, tail + size) is the producer's until head moves */
	if (pad) {
		r = (struct rec *)(w.ring + pos);
		r->f = NULL;
		r->len = pad - sizeof(*r);
		r->flags = 0;
		pos = 0;
	}
	r = (struct rec *)(w.ring + pos);
	r->f = f;
	r->len = n;
	r->flags = flags;
	if (n)
		memcpy(r + 1, p, n);
	f->queued++;
	STORE(&w.head, head + pad + need);
	if (head + pad + need - LOAD(&w.tail) >= w.size / 8)
		kick_writer();
}

static int queue(struct pld_file *f, const void *p, size_t n, unsigned flags)
{
	int err;

	if (!w.threaded) {
		execute(f, p, n, flags);
		f->queued++;
		STORE(&f->done, f->done + 1);
		STORE(&f->err, f->werr);
		return f->werr;
	}
	if (!w.running && writer_start())
		return queue(f, p, n, flags);
	err = LOAD(&f->err);
	if (err)
		return err;
	enqueue(f, p, n, flags);
	return 0;
}

/* ---- the interface ---- */

struct pld_file *pld_file_new(const char *path)
{
	struct pld_file *f = calloc(1, sizeof(*f));

	if (!f || !(f->path = strdup(path))) {
		free(f);
		return NULL;
	}
	f->fd = -1;
	return f;
}

int pld_file_write(struct pld_file *f, const void *p, size_t n)
{
	const uint8_t *b = p;
	int err = 0;

	while (n && !err) {
		size_t k = n < PLD_REC_MAX ? n : PLD_REC_MAX;

		err = queue(f, b, k, 0);
		b += k;
		n -= k;
	}
	return err;
}

int pld_file_finish(struct pld_file *f, const void *p, size_t n)
{
	int err;

	if (w.running && LOAD(&f->done) == f->queued && n <= PLD_REC_MAX &&
	    !pthread_mutex_trylock(&w.exec_mu)) {
		/* nothing of f queued: write and close it here */
		execute(f, p, n, REC_CLOSE);
		err = f->werr;
		pthread_mutex_unlock(&w.exec_mu);
	} else {
		pld_file_write(f, p, n);
		queue(f, NULL, 0, REC_CLOSE);
		if (LOAD(&f->done) != f->queued)
			producer_wait(0, f, f->queued);
		err = LOAD(&f->err);
	}
	free(f->path);
	free(f);
	return err;
}

int pld_write_once(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), err;

	if (fd < 0)
		return errno;
	count(&w.opens);
	err = write_all(fd, p, n);
	if (close(fd) && !err)
		err = errno;
	return err;
}

void pld_writer_stop(void)
{
	if (w.running) {
		pthread_mutex_lock(&w.mu);
		w.stop = 1;
		pthread_cond_signal(&w.work);
		pthread_mutex_unlock(&w.mu);
		pthread_join(w.thread, NULL);
		w.running = w.stop = 0;
	}
	w.threaded = 0;                 /* files still to finish: inline */
	while (w.newest) {
		struct pld_file *f = w.newest;

		file_close(f);
		STORE(&f->err, f->werr);
	}
	free(w.ring);
	w.ring = NULL;
	w.size = 0;
	STORE(&w.head, 0);
	STORE(&w.tail, 0);
}

int pld_writer_setup(int threaded, size_t ring_bytes, unsigned open_max)
{
	pld_writer_stop();
	w.open_max = open_max ? open_max : 1;
	w.was_threaded = 0;
	__atomic_store_n(&w.opens, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&w.writes, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&w.waits, 0, __ATOMIC_RELAXED);
	if (!threaded)
		return 0;
	ring_bytes &= ~(size_t)(REC_ALIGN - 1);
	if (ring_bytes < 2 * rec_size(PLD_REC_MAX))     /* room for the largest record, padded */
		ring_bytes = 2 * rec_size(PLD_REC_MAX);
	w.ring = malloc(ring_bytes);
	if (!w.ring) {
		pr_warn("payloadDumper: no memory for a %zu-byte write queue: writing inline", ring_bytes);
		return 0;
	}
	w.size = ring_bytes;
	w.threaded = w.was_threaded = 1;
	return 0;
}

void pld_writer_stats(struct pld_writer_stats *s)
{
	s->opens = __atomic_load_n(&w.opens, __ATOMIC_RELAXED);
	s->writes = __atomic_load_n(&w.writes, __ATOMIC_RELAXED);
	s->waits = __atomic_load_n(&w.waits, __ATOMIC_RELAXED);
	s->open_max = w.open_max;
	s->threaded = w.was_threaded;
}
