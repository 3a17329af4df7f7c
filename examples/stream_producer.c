/*
 * stream_producer.c - creates the segment of a stream and sends a file,
 * or generated data, through it to stream_consumer in chunks, two slots
 * at a time; removes the segment at the end.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "../src/cli/bytes.h"
#include "../src/cli/keydir.h"
#include "options.h"
#include "stream.h"

#define PROG		"stream_producer"
#define BYTES_DEFAULT	((size_t)1 << 30)
#define INPUT_SLICE_MS	100	/* a pipe's pause that sends a chunk */

struct producer {
	const char	*name;		/* of the segment */
	const char	*path;		/* of the file; NULL: generate */
	int		 fd;
	int		 regular;	/* the file is a regular one */
	uint64_t	 bytes;		/* to generate */
	size_t		 chunk;
	struct timespec	 patience;
	sharedmem	*shm;
	unsigned char	*head;		/* the header */
	uint64_t	 sent;
	struct stream_sum sum;
};

static void
help(void)
{
	options_help("Creates the segment NAME and sends FILE (- for standard "
	    "input), or\n"
	    "generated data, through it to stream_consumer; removes the "
	    "segment\n"
	    "when the consumer has it all.\n\n"
	    "  -b BYTES    without FILE, generate BYTES bytes; default 1G\n"
	    "  -c BYTES    bytes a chunk; default 1M\n"
	    "  -h          print this help and exit\n"
	    "  -n NAME     name of the segment; default %s\n"
	    "  -t SECONDS  give up when the consumer has not come or moved "
	    "for\n"
	    "              SECONDS; default %d\n\n"
	    "BYTES may end in k, M or G (times 2^10, 2^20, 2^30).\n",
	    STREAM_DEFAULT_NAME, STREAM_PATIENCE_DEFAULT);
}

static void
parse_options(struct producer *p, int argc, char **argv)
{
	uint64_t n;
	int c, generate = 0;

	options_program(PROG, "[-h] [-b BYTES] [-c BYTES] [-n NAME] "
	    "[-t SECONDS] [FILE]");
	opterr = 0;
	while ((c = getopt(argc, argv, ":b:c:hn:t:")) != -1) {
		switch (c) {
		case 'b':
			if (bytes_parse(optarg, 0, UINT64_MAX - 1,
			    &p->bytes) == -1)
				options_error("-b wants a number of bytes, like "
				    "64M, not '%s'", optarg);
			generate = 1;
			break;
		case 'c':
			if (bytes_parse(optarg, 0, STREAM_CHUNK_MAX, &n) == -1 ||
			    n == 0)
				options_error("-c wants a number of bytes from 1 "
				    "to 1G, not '%s'", optarg);
			p->chunk = (size_t)n;
			break;
		case 'h':
			help();
			break;
		case 'n':
			p->name = optarg;
			break;
		case 't':
			if (options_seconds(optarg, STREAM_PATIENCE_MAX,
			    OPTIONS_ABOVE_0, &p->patience) == -1)
				options_error("-t wants seconds above 0, up to "
				    "%d, like 0.5, not '%s'",
				    STREAM_PATIENCE_MAX, optarg);
			break;
		default:
			options_getopt_error(c);
		}
	}
	if (optind < argc)
		p->path = argv[optind++];
	options_no_operands(argc, argv);
	if (p->path != NULL && generate)
		options_error("-b is for generated data; it makes no sense "
		    "with a FILE");
}

/* Opens the file, or standard input; 0, or -1 with a message. */
static int
open_input(struct producer *p, uint64_t *total)
{
	struct stat st;

	*total = p->bytes;
	if (p->path == NULL)
		return 0;
	if (strcmp(p->path, "-") == 0) {
		p->fd = STDIN_FILENO;
		p->path = "standard input";
	} else if ((p->fd = open(p->path, O_RDONLY)) == -1) {
		fprintf(stderr, "%s: %s: %s\n", PROG, p->path, strerror(errno));
		return -1;
	}
	if (fstat(p->fd, &st) == -1) {
		fprintf(stderr, "%s: %s: %s\n", PROG, p->path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		fprintf(stderr, "%s: %s: %s\n", PROG, p->path,
		    strerror(EISDIR));
		return -1;
	}
	p->regular = S_ISREG(st.st_mode);
	*total = p->regular ? (uint64_t)st.st_size : STREAM_UNKNOWN;
	return 0;
}

/* A failure of the segment's, with errno's story. */
static void
fail(const struct producer *p, const char *what)
{
	fprintf(stderr, "%s: %s: %s: %s\n", PROG, p->name, what,
	    strerror(errno));
}

static int
create(struct producer *p)
{
	int flags = SHAREDMEM_CREATE | SHAREDMEM_PREFAULT |
	    SHAREDMEM_SEMAPHORES(STREAM_SEMAPHORES);
	size_t size = stream_size(p->chunk, STREAM_SLOTS);
	char why[1024];

	if ((p->shm = sharedmem_open(p->name, flags, size, 0600)) != NULL)
		return 0;
	if (errno == EEXIST)
		fprintf(stderr, "%s: %s: cannot create it: it exists already "
		    "(is a %s running? if none is, remove the stale stream "
		    "with: sharedmem rm %s)\n", PROG, p->name, PROG, p->name);
	else if (keydir_fault(errno, why, sizeof(why)))
		fprintf(stderr, "%s: %s: cannot create it: %s\n", PROG,
		    p->name, why);
	else
		fprintf(stderr, "%s: %s: cannot create it with %lu bytes: "
		    "%s\n", PROG, p->name, (unsigned long)size,
		    strerror(errno));
	return -1;
}

/*
 * A wait for the consumer failed: says why.  Where the consumer removed
 * the segment, the header says whether it meant to.
 */
static void
wait_failed(const struct producer *p, const char *what)
{
	stream_wait_failed(PROG, p->name, what, "consumer",
	    stream_get32(p->head + H_CONSUMER), p->sent, &p->patience);
}

static int
post(struct producer *p, unsigned int sem)
{
	if (sharedmem_post(p->shm, sem) == 0)
		return 0;
	wait_failed(p, "cannot post a semaphore");
	return -1;
}

/* The header, the slots free, and the first consumer let in. */
static int
start(struct producer *p, uint64_t total)
{
	unsigned int i;

	p->head = sharedmem_buf(p->shm);
	memcpy(p->head + H_MAGIC, STREAM_MAGIC, 16);
	stream_put32(p->head + H_VERSION, STREAM_VERSION);
	stream_put32(p->head + H_SLOTS, STREAM_SLOTS);
	stream_put64(p->head + H_CHUNK, p->chunk);
	stream_put64(p->head + H_TOTAL, total);
	stream_put32(p->head + H_PRODUCER, STREAM_RUNNING);
	stream_put32(p->head + H_CONSUMER, STREAM_RUNNING);
	for (i = 0; i < STREAM_SLOTS; i++)
		if (post(p, STREAM_EMPTY) == -1)
			return -1;
	return post(p, STREAM_READY);
}

/*
 * Waits until the input has something to read, a slice at a time, giving
 * up on a stop signal or when the consumer has gone.  0 when the input is
 * ready, 1 when it has been quiet for a slice and idle is set, or -1 with
 * a message.
 */
static int
input_ready(struct producer *p, int idle)
{
	struct pollfd pfd;
	int r;

	for (;;) {
		if (stream_stopping()) {
			errno = EINTR;
			wait_failed(p, "");
			return -1;
		}
		pfd.fd = p->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if ((r = poll(&pfd, 1, INPUT_SLICE_MS)) > 0)
			return 0;
		if (r == -1 && errno != EINTR) {
			fprintf(stderr, "%s: %s: %s\n", PROG, p->path,
			    strerror(errno));
			return -1;
		}
		if (r == 0 && idle)
			return 1;
		if (r == 0 && stream_check_peer(p->shm) == -1) {
			wait_failed(p, "waiting for input");
			return -1;
		}
	}
}

/*
 * Fills slot with up to chunk bytes: their number, or -1 with a message.
 * From a pipe or a terminal, what has come is sent once the input has
 * been quiet for a slice, full or not.
 */
static ssize_t
fill(struct producer *p, unsigned char *slot)
{
	size_t got = 0;
	ssize_t n;
	int r;

	if (p->path == NULL) {
		got = p->bytes - p->sent < p->chunk ?
		    (size_t)(p->bytes - p->sent) : p->chunk;
		stream_generate(slot, got, p->sent);
		return (ssize_t)got;
	}
	while (got < p->chunk) {
		if (!p->regular && (r = input_ready(p, got > 0)) != 0) {
			if (r == 1)
				break;
			return -1;
		}
		if (stream_stopping()) {
			errno = EINTR;
			wait_failed(p, "");
			return -1;
		}
		n = read(p->fd, slot + got, p->chunk - got);
		if (n == 0)
			break;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: %s: %s\n", PROG, p->path,
			    strerror(errno));
			return -1;
		}
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Sends the data, then a slot of length 0.  0, or -1 with a message. */
static int
send_all(struct producer *p)
{
	unsigned char *slot, *desc;
	uint64_t seq;
	ssize_t n;

	for (seq = 0;; seq++) {
		if (stream_wait(p->shm, STREAM_EMPTY, &p->patience, 1) == -1) {
			wait_failed(p, "waiting for a free slot");
			return -1;
		}
		slot = p->head + STREAM_HEADER_SIZE +
		    (seq % STREAM_SLOTS) * stream_stride(p->chunk);
		desc = p->head + H_SLOT + (seq % STREAM_SLOTS) * H_SLOT_SIZE;
		if ((n = fill(p, slot)) == -1)
			return -1;
		if (n > 0) {
			stream_sum_add(&p->sum, slot, (size_t)n);
			p->sent += (uint64_t)n;
		} else {
			stream_put64(p->head + H_LENGTH, p->sent);
			stream_put64(p->head + H_CHECKSUM,
			    stream_sum_end(&p->sum));
			stream_put32(p->head + H_PRODUCER, STREAM_ENDED);
		}
		stream_put64(desc, (uint64_t)n);
		stream_put64(desc + 8, seq);
		if (post(p, STREAM_FULL) == -1)
			return -1;
		if (n == 0)
			return 0;
	}
}

/* Waits for the consumer's verdict on the end: 0 if it found all well. */
static int
finish(struct producer *p)
{
	uint32_t verdict;

	if (stream_wait(p->shm, STREAM_DONE, &p->patience, 1) == -1) {
		wait_failed(p, "waiting for the consumer to confirm the end");
		return -1;
	}
	verdict = stream_get32(p->head + H_CONSUMER);
	if (verdict == STREAM_GOOD)
		return 0;
	fprintf(stderr, "%s: %s: the consumer says the data came wrong\n",
	    PROG, p->name);
	return -1;
}

int
main(int argc, char **argv)
{
	struct producer p;
	uint64_t total;
	int status = 0;

	memset(&p, 0, sizeof(p));
	p.name = STREAM_DEFAULT_NAME;
	p.fd = -1;
	p.bytes = BYTES_DEFAULT;
	p.chunk = STREAM_CHUNK_DEFAULT;
	p.patience.tv_sec = STREAM_PATIENCE_DEFAULT;
	stream_sum_init(&p.sum);
	parse_options(&p, argc, argv);
	if (stream_catch_signals() == -1) {
		fprintf(stderr, "%s: cannot catch signals: %s\n", PROG,
		    strerror(errno));
		return 1;
	}
	if (open_input(&p, &total) == -1 || create(&p) == -1)
		return 1;
	if (start(&p, total) == -1)
		status = 1;
	else if (stream_wait(p.shm, STREAM_ARRIVED, &p.patience, 0) == -1) {
		if (errno == ETIMEDOUT)
			fprintf(stderr, "%s: %s: no consumer came within %g "
			    "s; giving up\n", PROG, p.name,
			    stream_seconds(&p.patience));
		else
			wait_failed(&p, "waiting for a consumer");
		status = 1;
	} else if (send_all(&p) == -1 || finish(&p) == -1)
		status = 1;
	if (status != 0)
		stream_put32(p.head + H_PRODUCER, STREAM_STOPPED);
	/* Where the consumer removed it first, it said why, and so have
	 * we. */
	if (sharedmem_unlink(p.shm) == -1 &&
	    !(status != 0 && errno == ENOENT)) {
		if (errno == ENOENT)
			fprintf(stderr, "%s: %s: cannot remove it: somebody "
			    "else removed it already\n", PROG, p.name);
		else
			fail(&p, "cannot remove it");
		status = 1;
	}
	if (sharedmem_close(p.shm) == -1) {
		fail(&p, "cannot detach it");
		status = 1;
	}
	if (p.fd > STDIN_FILENO && close(p.fd) == -1) {
		fprintf(stderr, "%s: %s: %s\n", PROG, p.path, strerror(errno));
		status = 1;
	}
	return status;
}
