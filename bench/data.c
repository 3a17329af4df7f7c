/*
 * data.c - the data plane: 1 GiB from one process to another through a
 * pipe, through a socketpair, and through a segment of the library used
 * as a double buffer, at several chunk sizes.
 *
 * Usage: data [-m MIB] [-r REPEATS] [-o CSV].  The producer, a child,
 * makes the data as it goes and the consumer, the parent, checksums it:
 * both sides touch every byte, as real programs do, and the checksums must
 * agree.  A pipe or a socket copies each chunk twice, into the kernel and
 * out again; the segment hands it over where it was written.  Each figure
 * is the median of REPEATS runs, the transports taking turns, so that the
 * ratios compare like with like on a shared machine.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "bench.h"

#define SEGMENT		"bench-data"

/* The double buffer's semaphores: free slots, and slots ready to read. */
#define EMPTY		0
#define FULL		1

enum transport { PIPE, SOCKETPAIR, SEGMENT_SEMS, NTRANSPORTS };

static const char *const transport_names[NTRANSPORTS] = {
	"pipe", "socketpair", "sharedmem"
};

static const size_t chunks[] = {
	64 * 1024, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024
};
#define NCHUNKS (sizeof(chunks) / sizeof(chunks[0]))

static size_t total = (size_t)1 << 30;
static int pinned;		/* each side on a CPU of its own */

/*
 * Word i of the stream is i times an odd constant, made with one add a
 * word.  The checksum adds up each word xor its place in the stream, so
 * that a chunk lost, repeated or delivered out of place changes it.
 */
#define STEP UINT64_C(0x9e3779b97f4a7c15)

static uint64_t
produce(uint64_t *w, size_t n, uint64_t first)
{
	uint64_t v = first * STEP, sum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		w[i] = v;
		sum += v ^ (first + i);
		v += STEP;
	}
	return sum;
}

static uint64_t
consume(const uint64_t *w, size_t n, uint64_t first)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += w[i] ^ (first + i);
	return sum;
}

static void *
chunk_buffer(size_t chunk)
{
	void *buf;

	if ((buf = malloc(chunk)) == NULL)
		bench_die("malloc");
	return buf;
}

/* The producer's side of a pipe or socket; fd is its end. */
static uint64_t
produce_stream(int fd, size_t chunk)
{
	uint64_t *buf = chunk_buffer(chunk), sum = 0, first;
	size_t words = chunk / sizeof(uint64_t);

	for (first = 0; first < total / sizeof(uint64_t); first += words) {
		sum += produce(buf, words, first);
		bench_write(fd, buf, chunk, "write");
	}
	free(buf);
	return sum;
}

static uint64_t
consume_stream(int fd, size_t chunk)
{
	uint64_t *buf = chunk_buffer(chunk), sum = 0, first;
	size_t words = chunk / sizeof(uint64_t);

	for (first = 0; first < total / sizeof(uint64_t); first += words) {
		if (bench_read(fd, buf, chunk, "read") != chunk)
			bench_fail("the producer stopped early");
		sum += consume(buf, words, first);
	}
	free(buf);
	return sum;
}

/* The producer attaches the segment by name, as another program would. */
static uint64_t
produce_segment(size_t chunk)
{
	sharedmem *shm;
	uint64_t sum = 0, first, *slot;
	size_t words = chunk / sizeof(uint64_t), k;

	if ((shm = sharedmem_attach(SEGMENT)) == NULL)
		bench_die("sharedmem_attach");
	for (first = 0, k = 0; first < total / sizeof(uint64_t);
	    first += words, k++) {
		if (sharedmem_wait(shm, EMPTY) == -1)
			bench_die("sharedmem_wait");
		slot = (uint64_t *)sharedmem_buf(shm) + (k % 2) * words;
		sum += produce(slot, words, first);
		if (sharedmem_post(shm, FULL) == -1)
			bench_die("sharedmem_post");
	}
	if (sharedmem_close(shm) == -1)
		bench_die("sharedmem_close");
	return sum;
}

static uint64_t
consume_segment(sharedmem *shm, size_t chunk)
{
	uint64_t sum = 0, first, *slot;
	size_t words = chunk / sizeof(uint64_t), k;

	for (first = 0, k = 0; first < total / sizeof(uint64_t);
	    first += words, k++) {
		bench_wait(shm, FULL);
		slot = (uint64_t *)sharedmem_buf(shm) + (k % 2) * words;
		sum += consume(slot, words, first);
		if (sharedmem_post(shm, EMPTY) == -1)
			bench_die("sharedmem_post");
	}
	return sum;
}

/* One run: seconds from the fork of the producer to the last checksum. */
static double
run(enum transport t, size_t chunk, sharedmem *shm)
{
	uint64_t mine = 0, theirs;
	double start, end;
	int fds[2], result[2];
	pid_t pid;

	if (t == PIPE && pipe(fds) == -1)
		bench_die("pipe");
	if (t == SOCKETPAIR && socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == -1)
		bench_die("socketpair");
	if (pipe(result) == -1)
		bench_die("pipe");
	if (fflush(NULL) != 0)
		bench_die("fflush");
	bench_forking();
	start = bench_now();
	if ((pid = fork()) == -1)
		bench_die("fork");
	if (pid == 0) {
		if (pinned)
			bench_pin(1);
		if (close(result[0]) == -1)
			bench_die("close");
		if (t == SEGMENT_SEMS)
			theirs = produce_segment(chunk);
		else {
			if (close(fds[0]) == -1)
				bench_die("close");
			theirs = produce_stream(fds[1], chunk);
			if (close(fds[1]) == -1)
				bench_die("close");
		}
		bench_write(result[1], &theirs, sizeof(theirs), "write");
		_exit(0);
	}
	if (close(result[1]) == -1)
		bench_die("close");
	if (t == SEGMENT_SEMS)
		mine = consume_segment(shm, chunk);
	else {
		/* Closed here, the write end leaves the child alone to hold
		 * it: a producer that dies is an end of file. */
		if (close(fds[1]) == -1)
			bench_die("close");
		mine = consume_stream(fds[0], chunk);
		if (close(fds[0]) == -1)
			bench_die("close");
	}
	end = bench_now();
	if (bench_read(result[0], &theirs, sizeof(theirs), "read") !=
	    sizeof(theirs))
		bench_fail("%s, %zu-byte chunks: the producer failed",
		    transport_names[t], chunk);
	if (close(result[0]) == -1)
		bench_die("close");
	bench_reap(pid, "the producer");
	if (mine != theirs)
		bench_fail("%s, %zu-byte chunks: checksum %016llx sent, "
		    "%016llx received", transport_names[t], chunk,
		    (unsigned long long)theirs, (unsigned long long)mine);
	return end - start;
}

/* The segment of the double buffer, both slots free. */
static sharedmem *
make_segment(size_t chunk, int *slot)
{
	sharedmem *shm;

	if ((shm = sharedmem_open(SEGMENT,
	    SHAREDMEM_CREATE | SHAREDMEM_SEMAPHORES(2), 2 * chunk,
	    0600)) == NULL)
		bench_die("sharedmem_open " SEGMENT);
	*slot = bench_guard_shm(shm);
	if (sharedmem_post(shm, EMPTY) == -1 ||
	    sharedmem_post(shm, EMPTY) == -1)
		bench_die("sharedmem_post");
	return shm;
}

static void
usage(void)
{
	fprintf(stderr, "usage: data [-m MIB] [-r REPEATS] [-o CSV]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static double gbs[NCHUNKS][NTRANSPORTS];
	double runs[NTRANSPORTS][BENCH_ROUNDS_MAX];
	const char *csv = NULL;
	sharedmem *shm;
	size_t c;
	long mib = 1024;
	int repeats = 5, r, t, slot, ch;

	bench_init("data", 4);
	while ((ch = getopt(argc, argv, "m:o:r:")) != -1) {
		switch (ch) {
		case 'm':
			mib = strtol(optarg, NULL, 10);
			break;
		case 'o':
			csv = optarg;
			break;
		case 'r':
			repeats = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || mib < 4 || mib % 4 != 0 || repeats < 1 ||
	    repeats > BENCH_ROUNDS_MAX)
		usage();
	total = (size_t)mib << 20;

	bench_watch_children();
	/* The consumer on the first CPU, the producer on the second: left
	 * to itself, the scheduler places them differently from run to run,
	 * and the figures vary with it (see cpu.c). */
	pinned = bench_cpus() > 1;
	if (pinned)
		bench_pin(0);

	for (c = 0; c < NCHUNKS; c++) {
		shm = make_segment(chunks[c], &slot);
		for (r = 0; r < repeats; r++)
			for (t = 0; t < NTRANSPORTS; t++)
				runs[t][r] = run((enum transport)t, chunks[c],
				    shm);
		bench_remove(shm, slot);
		for (t = 0; t < NTRANSPORTS; t++)
			gbs[c][t] = (double)total / 1e9 /
			    bench_median(runs[t], repeats);
	}

	printf("data plane: %ld MiB from one process to another, "
	    "GB/s (median of %d)\n", mib, repeats);
	printf("%-10s %10s %11s %10s %9s\n", "chunk", "pipe", "socketpair",
	    "sharedmem", "shm/pipe");
	bench_csv_open(csv);
	for (c = 0; c < NCHUNKS; c++) {
		printf("%5zu KiB  %10.2f %11.2f %10.2f %8.2fx\n",
		    chunks[c] / 1024, gbs[c][PIPE], gbs[c][SOCKETPAIR],
		    gbs[c][SEGMENT_SEMS], gbs[c][SEGMENT_SEMS] / gbs[c][PIPE]);
		for (t = 0; t < NTRANSPORTS; t++)
			bench_csv_row("data", transport_names[t],
			    (double)chunks[c], gbs[c][t], "GB/s",
			    t == PIPE ? 0 : gbs[c][t] / gbs[c][PIPE]);
	}
	bench_csv_close();
	return fflush(stdout) == 0 ? 0 : 1;
}
