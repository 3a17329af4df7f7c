/*
 * handoff.c - how long one process takes to hand 8 bytes to another and
 * have 8 bytes back: through a pair of pipes, and through a segment of the
 * library with two of its semaphores, one for each way; and through raw
 * System V semaphores on a private set, the floor of the library's.
 *
 * Usage: handoff [-n ROUNDS] [-r REPEATS] [-o CSV].  Each run times
 * ROUNDS round trips one by one, after some untimed ones, with a child
 * that sends back each number plus one; the figure is the median round
 * trip over all REPEATS runs, the transports taking turns.
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

#define MAX_REPEATS	99
#define WARMUP		1000
#define SEGMENT		"bench-handoff"

/* The semaphores: one for each way. */
#define PING		0
#define PONG		1

enum transport { PIPES, LIBRARY, RAW, NTRANSPORTS };

static const char *const transport_names[NTRANSPORTS] = {
	"pipe", "sharedmem", "semop"
};
static const char *const transport_rows[NTRANSPORTS] = {
	"two pipes, write+read",
	"sharedmem post+wait",
	"System V semop, private set"
};

/* POSIX leaves the declaration of semctl()'s fourth argument to the
 * program, and some systems declare it anyway: hence a name of our own. */
union semarg {
	int		 val;
	struct semid_ds	*buf;
	unsigned short	*array;
};

/* What each side uses: the pipes, the library's segment, or the raw
 * segment and semaphore set. */
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

/* The child's side: each number back plus one, n times. */
static void
echo(enum transport t, struct channel *ch, long n)
{
	sharedmem *shm = NULL;
	uint64_t v, *word = ch->raw;
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
		default:
			raw_op(ch->semid, PING, -1);
			word[1] = word[0] + 1;
			raw_op(ch->semid, PONG, 1);
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
	default:
		ch->raw[0] = v;
		raw_op(ch->semid, PING, 1);
		bench_semop_wait(ch->semid, PONG);
		back = ch->raw[1];
		break;
	}
	if (back != v + 1)
		bench_fail("%s: sent %llu, had %llu back",
		    transport_names[t], (unsigned long long)v,
		    (unsigned long long)back);
}

/*
 * One run: the round trips' times, in microseconds, into us[].  The
 * parent runs on CPU 0, the child on CPU cpu, or both where they like
 * with cpu -1.
 */
static void
run(enum transport t, struct channel *ch, int cpu, long rounds, double *us)
{
	double start;
	pid_t pid;
	long i;

	if (t == PIPES && (pipe(ch->ping) == -1 || pipe(ch->pong) == -1))
		bench_die("pipe");
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
		echo(t, ch, WARMUP + rounds);
		_exit(0);
	}
	if (t == PIPES && (close(ch->ping[0]) == -1 ||
	    close(ch->pong[1]) == -1))
		bench_die("close");
	for (i = 0; i < WARMUP + rounds; i++) {
		start = bench_now();
		round_trip(t, ch, (uint64_t)i);
		if (i >= WARMUP)
			us[i - WARMUP] = (bench_now() - start) * 1e6;
	}
	bench_reap(pid, "the child");
	if (t == PIPES && (close(ch->ping[1]) == -1 ||
	    close(ch->pong[0]) == -1))
		bench_die("close");
	bench_unpin();
}

static void
usage(void)
{
	fprintf(stderr, "usage: handoff [-n ROUNDS] [-r REPEATS] [-o CSV]\n");
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

int
main(int argc, char **argv)
{
	double median[3][NTRANSPORTS], *us[3][NTRANSPORTS];
	unsigned short zero[2] = { 0, 0 };
	struct channel ch;
	union semarg arg;
	const char *csv = NULL;
	long rounds = 10000;
	int repeats = 5, r, t, c, p, first, last, shm_slot, raw_slot,
	    sem_slot;

	bench_init("handoff", 4);
	while ((c = getopt(argc, argv, "n:o:r:")) != -1) {
		switch (c) {
		case 'n':
			rounds = strtol(optarg, NULL, 10);
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
	if (optind != argc || rounds < 1 || rounds > 10000000L ||
	    repeats < 1 || repeats > MAX_REPEATS)
		usage();
	/* Pinned where the system allows it, both ways where there are two
	 * CPUs to use. */
	first = bench_cpus() > 0 ? 0 : 2;
	last = bench_cpus() > 1 ? 1 : first;
	for (p = first; p <= last; p++)
		for (t = 0; t < NTRANSPORTS; t++)
			if ((us[p][t] = malloc((size_t)(rounds * repeats) *
			    sizeof(double))) == NULL)
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

	for (r = 0; r < repeats; r++)
		for (p = first; p <= last; p++)
			for (t = 0; t < NTRANSPORTS; t++)
				run((enum transport)t, &ch,
				    placements[p].cpu, rounds,
				    us[p][t] + r * rounds);

	if (shmdt(ch.raw) == -1)
		bench_die("shmdt");
	if (semctl(ch.semid, 0, IPC_RMID) == -1)
		bench_die("semctl IPC_RMID");
	bench_unguard(sem_slot);
	if (shmctl(ch.shmid, IPC_RMID, NULL) == -1)
		bench_die("shmctl IPC_RMID");
	bench_unguard(raw_slot);
	bench_remove(ch.shm, shm_slot);

	for (p = first; p <= last; p++)
		for (t = 0; t < NTRANSPORTS; t++)
			median[p][t] = bench_median(us[p][t],
			    (int)(rounds * repeats));
	printf("handoff: 8 bytes there and back between two processes, "
	    "us (median of %ld)\n", rounds * repeats);
	printf("%-32s", "round trip");
	for (p = first; p <= last; p++)
		printf(" %10s %8s", placements[p].what, "ratio");
	putchar('\n');
	bench_csv_open(csv);
	for (t = 0; t < NTRANSPORTS; t++) {
		printf("%-32s", transport_rows[t]);
		for (p = first; p <= last; p++) {
			printf(" %10.2f", median[p][t]);
			if (t != PIPES)
				printf(" %7.2fx",
				    median[p][t] / median[p][PIPES]);
			else
				printf(" %8s", "");
			bench_csv_row("handoff", transport_names[t],
			    placements[p].ncpus, median[p][t], "us",
			    t == PIPES ? 0 : median[p][t] / median[p][PIPES]);
		}
		putchar('\n');
	}
	printf("(ratios: against the pipes on the same CPUs)\n");
	bench_csv_close();
	for (p = first; p <= last; p++)
		for (t = 0; t < NTRANSPORTS; t++)
			free(us[p][t]);
	return fflush(stdout) == 0 ? 0 : 1;
}
