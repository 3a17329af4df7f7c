/*
 * stream_consumer.c - attaches the segment of a stream that
 * stream_producer made, waiting a while for it to appear, takes the data
 * chunk by chunk, writes it to a file or nowhere, and checks its length
 * and checksum at the end.
 */
#include <config.h>

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sharedmem.h"
#include "options.h"
#include "stream.h"

#define PROG		"stream_consumer"
#define READY_SECONDS	3	/* the longest wait for STREAM_READY */

struct consumer {
	const char	*name;		/* of the segment */
	int		 named;		/* by -n */
	const char	*path;		/* of the output; NULL: none */
	int		 fd;
	FILE		*report;	/* where the last line goes */
	struct timespec	 patience;
	sharedmem	*shm;
	unsigned char	*head;		/* the header */
	size_t		 chunk, stride;
	unsigned int	 slots;
	uint64_t	 got;
	struct stream_sum sum;
};

static void
help(void)
{
	options_help("Takes the data that stream_producer sends through the "
	    "segment NAME,\n"
	    "checks its length and checksum, and prints how many bytes came "
	    "how fast.\n\n"
	    "  -h          print this help and exit\n"
	    "  -n NAME     name of the segment; default %s\n"
	    "  -o FILE     write the data to FILE (- for standard output, "
	    "and the\n"
	    "              last line to standard error); default: nowhere\n"
	    "  -t SECONDS  give up when the producer has not come or moved "
	    "for\n"
	    "              SECONDS; default %d\n",
	    STREAM_DEFAULT_NAME, STREAM_PATIENCE_DEFAULT);
}

static void
parse_options(struct consumer *c, int argc, char **argv)
{
	int ch;

	options_program(PROG, "[-h] [-n NAME] [-o FILE] [-t SECONDS]");
	opterr = 0;
	while ((ch = getopt(argc, argv, ":hn:o:t:")) != -1) {
		switch (ch) {
		case 'h':
			help();
			break;
		case 'n':
			c->name = optarg;
			c->named = 1;
			break;
		case 'o':
			c->path = optarg;
			break;
		case 't':
			if (options_seconds(optarg, STREAM_PATIENCE_MAX,
			    OPTIONS_ABOVE_0, &c->patience) == -1)
				options_error("-t wants seconds above 0, up to "
				    "%d, like 0.5, not '%s'",
				    STREAM_PATIENCE_MAX, optarg);
			break;
		default:
			options_getopt_error(ch);
		}
	}
	options_no_operands(argc, argv);
}

static int
open_output(struct consumer *c)
{
	if (c->path == NULL)
		return 0;
	if (strcmp(c->path, "-") == 0) {
		c->fd = STDOUT_FILENO;
		c->path = "standard output";
		c->report = stderr;
		return 0;
	}
	if ((c->fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC, 0666)) ==
	    -1) {
		fprintf(stderr, "%s: %s: %s\n", PROG, c->path, strerror(errno));
		return -1;
	}
	return 0;
}

/* A failure of the segment's, with errno's story. */
static void
fail(const struct consumer *c, const char *what)
{
	fprintf(stderr, "%s: %s: %s: %s\n", PROG, c->name, what,
	    strerror(errno));
}

/* Attaches the segment, trying again until it appears or patience runs
 * out, as a producer started a moment later makes it. */
static int
attach(struct consumer *c)
{
	struct timespec deadline;

	if (stream_deadline(&deadline, &c->patience) == -1) {
		fail(c, "cannot read the clock");
		return -1;
	}
	while ((c->shm = sharedmem_open(c->name, SHAREDMEM_PREFAULT, 0, 0)) ==
	    NULL) {
		if (errno != ENOENT) {
			fail(c, "cannot attach it");
			return -1;
		}
		if (stream_stopping()) {
			fprintf(stderr, "%s: %s: stopped by a signal before "
			    "the stream began\n", PROG, c->name);
			return -1;
		}
		if (stream_passed(&deadline)) {
			fprintf(stderr, "%s: %s: cannot attach it: it did not "
			    "appear within %g s; start stream_producer%s%s "
			    "first\n", PROG, c->name,
			    stream_seconds(&c->patience),
			    c->named ? " -n " : "", c->named ? c->name : "");
			return -1;
		}
		stream_nap();
	}
	c->head = sharedmem_buf(c->shm);
	return 0;
}

/*
 * A wait for the producer failed: says why.  Where the producer removed
 * the segment, the header says whether it meant to.
 */
static void
wait_failed(const struct consumer *c, const char *what)
{
	stream_wait_failed(PROG, c->name, what, "producer",
	    stream_get32(c->head + H_PRODUCER), c->got, &c->patience);
}

/*
 * Becomes the stream's consumer: takes STREAM_READY, which the producer
 * posts once, reads the header, and tells the producer.  -1 with a
 * message if the segment is no stream or has a consumer already; it is
 * not this consumer's then, and is left alone.
 */
static int
join(struct consumer *c)
{
	struct timespec patience;

	if (sharedmem_semaphores(c->shm) < STREAM_SEMAPHORES ||
	    sharedmem_size(c->shm) < STREAM_HEADER_SIZE) {
		fprintf(stderr, "%s: %s: it is no stream of "
		    "stream_producer's\n", PROG, c->name);
		return -1;
	}
	/* The producer posts it just after it made the segment. */
	patience = c->patience;
	if (patience.tv_sec >= READY_SECONDS) {
		patience.tv_sec = READY_SECONDS;
		patience.tv_nsec = 0;
	}
	if (stream_wait(c->shm, STREAM_READY, &patience, 0) == -1) {
		if (errno != ETIMEDOUT)
			wait_failed(c, "waiting for the stream to start");
		else if (stream_check_peer(c->shm) == -1 && errno == ENOTCONN)
			fprintf(stderr, "%s: %s: its producer died before it "
			    "began; remove it with: sharedmem rm %s\n", PROG,
			    c->name, c->name);
		else
			fprintf(stderr, "%s: %s: it has a consumer already\n",
			    PROG, c->name);
		return -1;
	}
	c->slots = stream_get32(c->head + H_SLOTS);
	c->chunk = (size_t)stream_get64(c->head + H_CHUNK);
	if (memcmp(c->head + H_MAGIC, STREAM_MAGIC, 16) != 0 ||
	    stream_get32(c->head + H_VERSION) != STREAM_VERSION ||
	    c->slots == 0 || c->slots > STREAM_SLOTS_MAX || c->chunk == 0 ||
	    stream_get64(c->head + H_CHUNK) > STREAM_CHUNK_MAX ||
	    stream_size(c->chunk, c->slots) > sharedmem_size(c->shm)) {
		fprintf(stderr, "%s: %s: it is no stream of stream_producer's, "
		    "or one of another version\n", PROG, c->name);
		/* Let in the next one, who may know better. */
		if (sharedmem_post(c->shm, STREAM_READY) == -1)
			fail(c, "cannot post a semaphore");
		return -1;
	}
	c->stride = stream_stride(c->chunk);
	if (sharedmem_post(c->shm, STREAM_ARRIVED) == -1) {
		wait_failed(c, "cannot post a semaphore");
		return -1;
	}
	return 0;
}

/* Takes the data up to the slot of length 0.  0, or -1 with a
 * message. */
static int
take_all(struct consumer *c)
{
	const unsigned char *desc, *slot;
	uint64_t seq, len;
	unsigned int i;

	for (seq = 0;; seq++) {
		if (stream_wait(c->shm, STREAM_FULL, &c->patience, 1) == -1) {
			wait_failed(c, "waiting for data");
			return -1;
		}
		i = (unsigned int)(seq % c->slots);
		desc = c->head + H_SLOT + (size_t)i * H_SLOT_SIZE;
		slot = c->head + STREAM_HEADER_SIZE + (size_t)i * c->stride;
		len = stream_get64(desc);
		if (stream_get64(desc + 8) != seq || len > c->chunk) {
			fprintf(stderr, "%s: %s: chunk %ju is not where it "
			    "should be, or too long\n", PROG, c->name,
			    (uintmax_t)seq);
			return -1;
		}
		if (len == 0)
			return 0;
		stream_sum_add(&c->sum, slot, (size_t)len);
		if (c->fd != -1 && stream_write(c->fd, slot, (size_t)len) ==
		    -1) {
			if (errno == EINTR)
				wait_failed(c, "");
			else
				fprintf(stderr, "%s: %s: %s\n", PROG, c->path,
				    strerror(errno));
			return -1;
		}
		c->got += len;
		if (sharedmem_post(c->shm, STREAM_EMPTY) == -1) {
			wait_failed(c, "cannot post a semaphore");
			return -1;
		}
	}
}

/* Compares what came with what the producer says it sent, and tells it.
 * 0 if they agree. */
static int
judge(struct consumer *c)
{
	uint64_t length, checksum, sum;
	int good;

	length = stream_get64(c->head + H_LENGTH);
	checksum = stream_get64(c->head + H_CHECKSUM);
	sum = stream_sum_end(&c->sum);
	good = stream_get32(c->head + H_PRODUCER) == STREAM_ENDED &&
	    length == c->got && checksum == sum;
	stream_put32(c->head + H_CONSUMER, good ? STREAM_GOOD : STREAM_BAD);
	if (sharedmem_post(c->shm, STREAM_DONE) == -1) {
		wait_failed(c, "cannot post a semaphore");
		return -1;
	}
	if (!good) {
		fprintf(stderr, "%s: %s: checksum mismatch: %ju bytes with "
		    "checksum %016jx came, the producer sent %ju with "
		    "%016jx\n", PROG, c->name, (uintmax_t)c->got,
		    (uintmax_t)sum, (uintmax_t)length, (uintmax_t)checksum);
		return -1;
	}
	return 0;
}

static int
report(const struct consumer *c, const struct timespec *begun)
{
	struct timespec now;
	double s;

	if (stream_now(&now) == -1) {
		fail(c, "cannot read the clock");
		return -1;
	}
	s = (double)(now.tv_sec - begun->tv_sec) +
	    (double)(now.tv_nsec - begun->tv_nsec) / 1e9;
	if (s < 1e-6)
		s = 1e-6;
	if (fprintf(c->report, "%ju bytes in %.3f s, %.1f MB/s, checksum ok\n",
	    (uintmax_t)c->got, s, (double)c->got / 1e6 / s) < 0 ||
	    fflush(c->report) == EOF) {
		fprintf(stderr, "%s: cannot write to standard %s: %s\n", PROG,
		    c->report == stdout ? "output" : "error", strerror(errno));
		return -1;
	}
	return 0;
}

/* Closes the output, if it is a file of its own. */
static int
close_output(struct consumer *c)
{
	int fd = c->fd;

	c->fd = -1;
	if (fd <= STDERR_FILENO || close(fd) == 0)
		return 0;
	fprintf(stderr, "%s: %s: %s\n", PROG, c->path, strerror(errno));
	return -1;
}

int
main(int argc, char **argv)
{
	struct consumer c;
	struct timespec begun;
	int status = 1, joined = 0, ended = 0;

	memset(&c, 0, sizeof(c));
	c.name = STREAM_DEFAULT_NAME;
	c.fd = -1;
	c.report = stdout;
	c.patience.tv_sec = STREAM_PATIENCE_DEFAULT;
	stream_sum_init(&c.sum);
	parse_options(&c, argc, argv);
	if (stream_catch_signals() == -1) {
		fprintf(stderr, "%s: cannot catch signals: %s\n", PROG,
		    strerror(errno));
		return 1;
	}
	if (open_output(&c) == -1)
		return 1;
	if (attach(&c) == -1) {
		(void)close_output(&c);
		return 1;
	}
	if (join(&c) == 0) {
		joined = 1;
		if (stream_now(&begun) == -1)
			fail(&c, "cannot read the clock");
		else if (take_all(&c) == 0 && close_output(&c) == 0) {
			ended = 1;
			if (judge(&c) == 0 && report(&c, &begun) == 0)
				status = 0;
		}
	}
	/*
	 * Stopped half way: the producer would wait for this consumer in
	 * vain, and may be gone itself; the segment goes now.  Removed by
	 * the producer already, it is gone anyway.
	 */
	if (joined && !ended) {
		stream_put32(c.head + H_CONSUMER, STREAM_STOPPED);
		if (sharedmem_unlink(c.shm) == -1 && errno != ENOENT)
			fail(&c, "cannot remove it");
	}
	if (sharedmem_close(c.shm) == -1) {
		fail(&c, "cannot detach it");
		status = 1;
	}
	if (close_output(&c) == -1)
		status = 1;
	return status;
}
