/*
 * stream.c - the streaming example beside its ceiling: stream_producer
 * and stream_consumer, which hand over the two slots of their segment
 * with the library's semaphores, against a double buffer that does the
 * same work (the example's generated data, its checksum on both sides)
 * and hands the slots over by busy-polling two counters in the segment.
 *
 * Usage: stream [-m MIB] [-r ROUNDS] [-e EXAMPLES] [-o CSV].  In each
 * round both run once, in turn, moving MIB MiB in chunks of the example's
 * default size, the consumer on the first CPU and the producer on the
 * second.  Each is timed as stream_consumer times itself, from the first
 * chunk to the last; the ratio of their throughputs is taken round by
 * round.  EXAMPLES is the directory of the two programs.
 */
#include <config.h>

#include <sys/types.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "stream.h"
#include "bench.h"

#define SEGMENT		"bench-stream"
#define SLOTS		2
#define CHUNK		STREAM_CHUNK_DEFAULT

enum contender { EXAMPLE, BUSY, NCONTENDERS };

static const char *const contender_rows[NCONTENDERS] = {
	"stream_producer | stream_consumer",
	"one-copy double buffer, busy-polling"
};
static const char *const contender_names[NCONTENDERS] = {
	"example", "busy-poll"
};

static uint64_t total;
static int pinned;

/* The busy-poll's counters, at the start of its segment: chunks made,
 * and chunks taken, each in a cache line of its own.  Each side writes
 * one and reads the other; a release store after the chunk and an acquire
 * load before it keep the chunk's bytes in order with them where the
 * compiler has atomics. */
struct counters {
	uint64_t	made;
	unsigned char	apart[120];
	uint64_t	taken;
};

#ifdef HAVE_ATOMIC_BUILTINS
#define PUBLISH(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define PEEK(p)		__atomic_load_n((p), __ATOMIC_ACQUIRE)
#else
#define PUBLISH(p, v)	(*(volatile uint64_t *)(p) = (v))
#define PEEK(p)		(*(volatile uint64_t *)(p))
#endif

/* The first byte of slot k. */
static unsigned char *
slot(void *base, uint64_t k)
{
	return (unsigned char *)base + STREAM_HEADER_SIZE +
	    (size_t)(k % SLOTS) * stream_stride(CHUNK);
}

/* The busy-poll's producer: the example's data and checksum. */
static uint64_t
produce(sharedmem *shm)
{
	struct counters *c = sharedmem_buf(shm);
	struct stream_sum sum;
	uint64_t k, sent = 0;
	pid_t parent = getppid();
	unsigned long spins = 0;
	size_t n;

	stream_sum_init(&sum);
	for (k = 0; sent < total; k++) {
		while (k - PEEK(&c->taken) >= SLOTS)
			if (++spins % 1048576 == 0 && getppid() != parent)
				bench_fail("the consumer is gone");
		n = total - sent < CHUNK ? (size_t)(total - sent) : CHUNK;
		stream_generate(slot(c, k), n, sent);
		stream_sum_add(&sum, slot(c, k), n);
		sent += n;
		PUBLISH(&c->made, k + 1);
	}
	return stream_sum_end(&sum);
}

/* The busy-poll's consumer; its seconds from the first chunk in *took. */
static uint64_t
consume(sharedmem *shm, double *took)
{
	struct counters *c = sharedmem_buf(shm);
	struct stream_sum sum;
	uint64_t k, got = 0;
	double start = 0;
	size_t n;

	stream_sum_init(&sum);
	for (k = 0; got < total; k++) {
		while (PEEK(&c->made) <= k)
			if (bench_child_ended())
				bench_fail("busy-poll: the producer died");
		if (k == 0)
			start = bench_now();
		n = total - got < CHUNK ? (size_t)(total - got) : CHUNK;
		stream_sum_add(&sum, slot(c, k), n);
		got += n;
		PUBLISH(&c->taken, k + 1);
	}
	*took = bench_now() - start;
	return stream_sum_end(&sum);
}

/* One run of the busy-poll: MB/s. */
static double
busy_run(void)
{
	uint64_t mine, theirs;
	sharedmem *shm;
	double took;
	int result[2], slot_guard;
	pid_t pid;

	if ((shm = sharedmem_open(SEGMENT, SHAREDMEM_CREATE,
	    stream_size(CHUNK, SLOTS), 0600)) == NULL)
		bench_die("sharedmem_open " SEGMENT);
	slot_guard = bench_guard_shm(shm);
	if (pipe(result) == -1)
		bench_die("pipe");
	if (fflush(NULL) != 0)
		bench_die("fflush");
	bench_forking();
	if ((pid = fork()) == -1)
		bench_die("fork");
	if (pid == 0) {
		if (pinned)
			bench_pin(1);
		theirs = produce(shm);
		bench_write(result[1], &theirs, sizeof(theirs), "write");
		_exit(0);
	}
	(void)close(result[1]);
	if (pinned)
		bench_pin(0);
	mine = consume(shm, &took);
	if (bench_read(result[0], &theirs, sizeof(theirs), "read") !=
	    sizeof(theirs))
		bench_fail("busy-poll: the producer failed");
	(void)close(result[0]);
	bench_reap(pid, "the producer");
	bench_unpin();
	bench_remove(shm, slot_guard);
	if (mine != theirs)
		bench_fail("busy-poll: checksum %016" PRIx64 " sent, %016"
		    PRIx64 " taken", theirs, mine);
	return (double)total / took / 1e6;
}

/* Runs the example prog of dir on the name SEGMENT, and on CPU cpu if
 * pinned; with bytes, the producer, else the consumer, its standard
 * output into fd out. */
static pid_t
start(const char *dir, const char *prog, int cpu, int out, const char *bytes)
{
	char path[4096];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", dir, prog);
	if (fflush(NULL) != 0)
		bench_die("fflush");
	if ((pid = fork()) == -1)
		bench_die("fork");
	if (pid == 0) {
		if (pinned)
			bench_pin(cpu);
		if (bytes != NULL)
			execl(path, path, "-n", SEGMENT, "-b", bytes,
			    (char *)NULL);
		else if (dup2(out, 1) != -1)
			execl(path, path, "-n", SEGMENT, (char *)NULL);
		fprintf(stderr, "stream: %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	return pid;
}

/* One run of the example: MB/s, from the consumer's own line. */
static double
example_run(const char *dir)
{
	char bytes[32], line[256];
	unsigned long long got;
	double took;
	int out[2];
	pid_t producer, consumer;
	FILE *f;

	snprintf(bytes, sizeof(bytes), "%" PRIu64, total);
	if (pipe(out) == -1)
		bench_die("pipe");
	producer = start(dir, "stream_producer", 1, -1, bytes);
	consumer = start(dir, "stream_consumer", 0, out[1], NULL);
	(void)close(out[1]);
	if ((f = fdopen(out[0], "r")) == NULL)
		bench_die("fdopen");
	line[0] = '\0';
	if (fgets(line, sizeof(line), f) == NULL ||
	    sscanf(line, "%llu bytes in %lf s", &got, &took) != 2 ||
	    got != total || took <= 0)
		bench_fail("stream_consumer said: %s", line);
	(void)fclose(f);
	bench_reap(consumer, "stream_consumer");
	bench_reap(producer, "stream_producer");
	return (double)total / took / 1e6;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: stream [-m MIB] [-r ROUNDS] [-e EXAMPLES] [-o CSV]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	double mbs[NCONTENDERS][BENCH_ROUNDS_MAX], v[BENCH_ROUNDS_MAX];
	double spread[3], median[NCONTENDERS];
	const char *csv = NULL, *dir = "examples";
	char buf[64];
	long mib = 1024;
	int rounds = 5, r, i, t, c;

	bench_init("stream", 2);
	while ((c = getopt(argc, argv, "e:m:o:r:")) != -1) {
		switch (c) {
		case 'e':
			dir = optarg;
			break;
		case 'm':
			mib = strtol(optarg, NULL, 10);
			break;
		case 'o':
			csv = optarg;
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || mib < 1 || mib > 65536 || rounds < 1 ||
	    rounds > BENCH_ROUNDS_MAX)
		usage();
	total = (uint64_t)mib << 20;
	pinned = bench_cpus() > 1;
	bench_watch_children();

	for (r = 0; r < rounds; r++)
		for (i = 0; i < NCONTENDERS; i++) {
			t = r % 2 == 0 ? i : NCONTENDERS - 1 - i;
			mbs[t][r] = t == EXAMPLE ? example_run(dir) :
			    busy_run();
		}

	printf("stream: %ld MiB of generated data in chunks of %zu KiB, "
	    "checksummed on both sides,\nMB/s (the median of %d rounds, "
	    "the two taking turns; %s)\n", mib, (size_t)CHUNK / 1024, rounds,
	    pinned ? "consumer on one CPU, producer on another" :
	    "where the system puts them");
	bench_csv_open(csv);
	for (t = 0; t < NCONTENDERS; t++) {
		for (r = 0; r < rounds; r++)
			v[r] = mbs[t][r];
		median[t] = bench_median(v, rounds);
		printf("%-40s %10.1f\n", contender_rows[t], median[t]);
		bench_csv_row("stream", contender_names[t], (double)CHUNK,
		    median[t], "MB/s", 0);
	}
	bench_spread(mbs[EXAMPLE], mbs[BUSY], rounds, spread);
	printf("%-40s %10s   %s\n", "example / busy-poll, per round", "",
	    bench_spread_text(spread, buf, sizeof(buf)));
	bench_csv_row("stream-ratio", "example/busy-poll", (double)CHUNK,
	    spread[1], "x", 0);
	bench_csv_close();
	return fflush(stdout) == 0 ? 0 : 1;
}
