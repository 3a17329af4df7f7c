/*
 * handoff.c - how long one process takes to hand 8 bytes to another and
 * have 8 bytes back: through a pair of pipes; through a segment of the
 * library with two of its semaphores, one for each way; through raw
 * System V semaphores on a private set, which is what the library's
 * waits did before they polled; and through a word of shared memory that
 * each side busy-polls, the floor of any hand-over across CPUs.
 *
 * Usage: handoff [-n TRIPS] [-r ROUNDS] [-o CSV].  In each round every
 * transport runs once on one CPU and once on two, in turn (the order
 * reversed every other round), timing TRIPS round trips one by one after
 * some untimed ones, with a child that sends back each number plus one.
 * A run's figure is its median round trip; a row's is the median over
 * the rounds, and each ratio is taken round by round, so that a machine
 * busy with other work slows both sides of it alike.  The busy-poll runs
 * on two CPUs only: on one it would hand over at the scheduler's pace.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sharedmem.h"
#include "bench.h"

#define WARMUP		2000
#define SEGMENT		"bench-handoff"

/* The semaphores: one for each way. */
#define PING		0
#define PONG		1

enum transport { PIPES, RAW, LIBRARY, BUSY, NTRANSPORTS };

static const char *const transport_names[NTRANSPORTS] = {
	"pipe", "semop", "sharedmem", "busy-poll"
};
static const char *const transport_rows[NTRANSPORTS] = {
	"two pipes, write+read",
	"System V semop, private set",
	"sharedmem post+wait",
	"busy-poll on a shared word"
};

/* POSIX leaves the declaration of semctl()'s fourth argument to the
 * program, and some systems declare it anyway: hence a name of our own. */
union semarg {
	int		 val;
	struct semid_ds	*buf;
	unsigned short	*array;
};

/* What each side uses: the pipes, the library's segment, or the raw
 * segment and semaphore set.  The busy-poll's words are the first two
 * of the raw segment: the number sent, and the number sent back. */
struct channel {
	int		 ping[2];
	int		 pong[2];
	sharedmem	*shm;
	int		 shmid;
	int		 semid;
	uint64_t	*raw;
};

static void
raw_op(int semid, unsigned short num, short delta)
{
	struct sembuf op;

	op.sem_num = num;
	op.sem_op = delta;
	op.sem_flg = 0;
	while (semop(semid, &op, 1) == -1)
		if (errno != EINTR)
			bench_die("semop");
}

/* The busy-poll's words, 32 bits wide so that no machine tears them. */
static volatile uint32_t *
busy_words(struct channel *ch)
{
	return (volatile uint32_t *)ch->raw;
}

/* The child's side: each number back plus one, n times. */
static void
echo(enum transport t, struct channel *ch, long n)
{
	volatile uint32_t *busy = busy_words(ch);
	sharedmem *shm = NULL;
	uint64_t v, *word = ch->raw;
	uint32_t last = 0, now;
	pid_t parent = getppid();
	unsigned long spins = 0;
	long i;

	if (t == LIBRARY) {
		if ((shm = sharedmem_attach(SEGMENT)) == NULL)
			bench_die("sharedmem_attach");
		word = sharedmem_buf(shm);
	}
	for (i = 0; i < n; i++) {
		switch (t) {
		case PIPES:
			if (bench_read(ch->ping[0], &v, sizeof(v), "read") !=
			    sizeof(v))
				bench_fail("the parent stopped early");
			v++;
			bench_write(ch->pong[1], &v, sizeof(v), "write");
			break;
		case LIBRARY:
			if (sharedmem_wait(shm, PING) == -1)
				bench_die("sharedmem_wait");
			word[1] = word[0] + 1;
			if (sharedmem_post(shm, PONG) == -1)
				bench_die("sharedmem_post");
			break;
		case RAW:
			raw_op(ch->semid, PING, -1);
			word[1] = word[0] + 1;
			raw_op(ch->semid, PONG, 1);
			break;
		default:
			/* The parent never sends 0, nor one number twice;
			 * now and then, the child looks whether it is still
			 * there, which costs a system call. */
			while ((now = busy[0]) == last)
				if (++spins % 1048576 == 0 &&
				    getppid() != parent)
					bench_fail("the parent is gone");
			last = now;
			busy[1] = now + 1;
			break;
		}
	}
	if (shm != NULL && sharedmem_close(shm) == -1)
		bench_die("sharedmem_close");
}

/* One round trip of the parent: v there, v + 1 back. */
static void
round_trip(enum transport t, struct channel *ch, uint64_t v)
{
	volatile uint32_t *busy = busy_words(ch);
	uint64_t back, *word;

	switch (t) {
	case PIPES:
		bench_write(ch->ping[1], &v, sizeof(v), "write");
		if (bench_read(ch->pong[0], &back, sizeof(back), "read") !=
		    sizeof(back))
			bench_fail("the child stopped early");
		break;
	case LIBRARY:
		word = sharedmem_buf(ch->shm);
		word[0] = v;
		if (sharedmem_post(ch->shm, PING) == -1)
			bench_die("sharedmem_post");
		bench_wait(ch->shm, PONG);
		back = word[1];
		break;
	case RAW:
		ch->raw[0] = v;
		raw_op(ch->semid, PING, 1);
		bench_semop_wait(ch->semid, PONG);
		back = ch->raw[1];
		break;
	default:
		busy[0] = (uint32_t)v;
		while (busy[1] != (uint32_t)(v + 1))
			if (bench_child_ended())
				bench_fail("busy-poll: the child died");
		back = v + 1;
		break;
	}
	if (back != v + 1)
		bench_fail("%s: sent %llu, had %llu back",
		    transport_names[t], (unsigned long long)v,
		    (unsigned long long)back);
}

/*
 * One run: the median round trip, in microseconds.  The parent runs on
 * the first CPU, the child on the cpu-th, or both where they like with
 * cpu -1.  us has room for trips figures.
 */
static double
run(enum transport t, struct channel *ch, int cpu, long trips, double *us)
{
	double start;
	pid_t pid;
	long i;

	if (t == PIPES && (pipe(ch->ping) == -1 || pipe(ch->pong) == -1))
		bench_die("pipe");
	/* Numbers from 1: the busy-poll's child starts from 0. */
	busy_words(ch)[0] = busy_words(ch)[1] = 0;
	if (fflush(NULL) != 0)
		bench_die("fflush");
	if (cpu >= 0)
		bench_pin(0);
	bench_forking();
	if ((pid = fork()) == -1)
		bench_die("fork");
	if (pid == 0) {
		if (cpu >= 0)
			bench_pin(cpu);
		/* Each side keeps only its own ends, so that either sees
		 * the end of the file if the other dies. */
		if (t == PIPES && (close(ch->ping[1]) == -1 ||
		    close(ch->pong[0]) == -1))
			bench_die("close");
		echo(t, ch, WARMUP + trips);
		_exit(0);
	}
	if (t == PIPES && (close(ch->ping[0]) == -1 ||
	    close(ch->pong[1]) == -1))
		bench_die("close");
	for (i = 0; i < WARMUP + trips; i++) {
		start = bench_now();
		round_trip(t, ch, (uint64_t)i + 1);
		if (i >= WARMUP)
			us[i - WARMUP] = (bench_now() - start) * 1e6;
	}
	bench_reap(pid, "the child");
	if (t == PIPES && (close(ch->ping[1]) == -1 ||
	    close(ch->pong[0]) == -1))
		bench_die("close");
	bench_unpin();
	return bench_median(us, (int)trips);
}

static void
usage(void)
{
	fprintf(stderr, "usage: handoff [-n TRIPS] [-r ROUNDS] [-o CSV]\n");
	exit(2);
}

/* Where the two sides run: one CPU, two, or where they like. */
struct placement {
	const char	*what;
	int		 cpu;		/* the child's; the parent's is 0 */
	int		 ncpus;		/* for the CSV file; 0 unpinned */
};

static const struct placement placements[] = {
	{ "one CPU", 0, 1 },
	{ "two CPUs", 1, 2 },
	{ "unpinned", -1, 0 }
};
#define NPLACEMENTS 3

/* Whether transport t runs where placement p puts the two sides. */
static int
runs(int t, int p)
{
	return t != BUSY || placements[p].cpu != 0;
}

/* A round's figures: us[placement][transport][round]. */
static double us[NPLACEMENTS][NTRANSPORTS][BENCH_ROUNDS_MAX];

/* Prints a row of ratios t / against, one column a placement, and puts
 * the median in the CSV file. */
static void
ratio_row(const char *what, int t, int against, int first, int last,
    int rounds)
{
	double spread[3];
	char buf[64];
	int p;

	printf("%-30s", what);
	for (p = first; p <= last; p++) {
		if (!runs(t, p) || !runs(against, p)) {
			printf(" %24s", "-");
			continue;
		}
		bench_spread(us[p][t], us[p][against], rounds, spread);
		printf(" %24s", bench_spread_text(spread, buf, sizeof(buf)));
		snprintf(buf, sizeof(buf), "%s/%s", transport_names[t],
		    transport_names[against]);
		bench_csv_row("handoff-ratio", buf, placements[p].ncpus,
		    spread[1], "x", 0);
	}
	putchar('\n');
}

int
main(int argc, char **argv)
{
	double row[BENCH_ROUNDS_MAX], *trip;
	unsigned short zero[2] = { 0, 0 };
	struct channel ch;
	union semarg arg;
	const char *csv = NULL;
	long trips = 10000;
	int rounds = 7, r, i, t, c, p, first, last, shm_slot, raw_slot,
	    sem_slot;

	bench_init("handoff", 4);
	while ((c = getopt(argc, argv, "n:o:r:")) != -1) {
		switch (c) {
		case 'n':
			trips = strtol(optarg, NULL, 10);
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
	if (optind != argc || trips < 1 || trips > 10000000L ||
	    rounds < 1 || rounds > BENCH_ROUNDS_MAX)
		usage();
	/* Pinned where the system allows it, both ways where there are two
	 * CPUs to use. */
	first = bench_cpus() > 0 ? 0 : 2;
	last = bench_cpus() > 1 ? 1 : first;
	if ((trip = malloc((size_t)trips * sizeof(double))) == NULL)
		bench_die("malloc");
	bench_watch_children();

	if ((ch.shm = sharedmem_open(SEGMENT,
	    SHAREDMEM_CREATE | SHAREDMEM_SEMAPHORES(2), 4096, 0600)) == NULL)
		bench_die("sharedmem_open " SEGMENT);
	shm_slot = bench_guard_shm(ch.shm);
	if ((ch.shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600)) == -1)
		bench_die("shmget");
	raw_slot = bench_guard(ch.shmid, -1, NULL);
	if ((ch.semid = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600)) == -1)
		bench_die("semget");
	sem_slot = bench_guard(-1, ch.semid, NULL);
	/* POSIX leaves the values of a new set unspecified. */
	arg.array = zero;
	if (semctl(ch.semid, 0, SETALL, arg) == -1)
		bench_die("semctl SETALL");
	if ((ch.raw = shmat(ch.shmid, NULL, 0)) == (void *)-1)
		bench_die("shmat");

	for (r = 0; r < rounds; r++)
		for (p = first; p <= last; p++)
			for (i = 0; i < NTRANSPORTS; i++) {
				t = r % 2 == 0 ? i : NTRANSPORTS - 1 - i;
				if (runs(t, p))
					us[p][t][r] = run((enum transport)t,
					    &ch, placements[p].cpu, trips,
					    trip);
			}

	if (shmdt(ch.raw) == -1)
		bench_die("shmdt");
	if (semctl(ch.semid, 0, IPC_RMID) == -1)
		bench_die("semctl IPC_RMID");
	bench_unguard(sem_slot);
	if (shmctl(ch.shmid, IPC_RMID, NULL) == -1)
		bench_die("shmctl IPC_RMID");
	bench_unguard(raw_slot);
	bench_remove(ch.shm, shm_slot);
	free(trip);

	printf("handoff: 8 bytes there and back between two processes, us\n"
	    "(the median of %d rounds, each the median of %ld round trips; "
	    "the transports\ntake turns within each round)\n", rounds, trips);
	printf("%-30s", "round trip");
	for (p = first; p <= last; p++)
		printf(" %24s", placements[p].what);
	putchar('\n');
	bench_csv_open(csv);
	for (t = 0; t < NTRANSPORTS; t++) {
		printf("%-30s", transport_rows[t]);
		for (p = first; p <= last; p++) {
			if (!runs(t, p)) {
				printf(" %24s", "-");
				continue;
			}
			for (r = 0; r < rounds; r++)
				row[r] = us[p][t][r];
			printf(" %24.2f", bench_median(row, rounds));
			bench_csv_row("handoff", transport_names[t],
			    placements[p].ncpus, bench_median(row, rounds),
			    "us", 0);
		}
		putchar('\n');
	}
	printf("ratio, per round: median (least-greatest)\n");
	ratio_row("sharedmem / pipes", LIBRARY, PIPES, first, last, rounds);
	ratio_row("sharedmem / semop", LIBRARY, RAW, first, last, rounds);
	ratio_row("sharedmem / busy-poll", LIBRARY, BUSY, first, last,
	    rounds);
	bench_csv_close();
	return fflush(stdout) == 0 ? 0 : 1;
}
