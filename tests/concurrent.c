/*
 * concurrent.c - processes racing on one name.
 *
 * Of N creators started at once, exactly one succeeds and the others get
 * EEXIST, leaving no segment and no file behind.  ftok() gives every path
 * the same key here, so that the racers also collide on keys.
 *
 * Attachers racing a process that creates and unlinks a name over and
 * over get ENOENT or the whole segment, never anything else.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sharedmem.h"
#include "tap.h"

#define RACERS		8
#define ROUNDS		25
#define ATTACHERS	3
#define HALF_SIZE	65536
#define RUN_SECONDS	2

static key_t fixed;

/* Starts RACERS children that create "race" at once; fills pids. */
static void
start_racers(pid_t *pids)
{
	int gate[2], i;
	char c;

	if (pipe(gate) == -1)
		bail_out("pipe: %s", strerror(errno));
	for (i = 0; i < RACERS; i++) {
		if ((pids[i] = fork()) == -1)
			bail_out("fork: %s", strerror(errno));
		if (pids[i] == 0) {
			sharedmem *shm;
			pid_t me = getpid();

			(void)close(gate[1]);
			/* Blocks until the parent closes its end: all go. */
			if (read(gate[0], &c, 1) != 0)
				_exit(2);
			if ((shm = sharedmem_create("race", 4096)) != NULL) {
				memcpy(sharedmem_buf(shm), &me, sizeof(me));
				_exit(0);
			}
			if (errno == EEXIST)
				_exit(10);
			fprintf(stderr, "racer: create: %s\n", strerror(errno));
			_exit(1);
		}
	}
	(void)close(gate[0]);
	(void)close(gate[1]);
}

/* Segments at the keys the racers may have probed that a racer made and
 * that are not the winner's: what a loser failed to roll back. */
static int
count_leaks(const pid_t *pids, int winner_id)
{
	struct shmid_ds ds;
	int i, j, id, leaks = 0;

	for (i = 0; i < 4 * RACERS; i++) {
		id = shmget(key_plus(fixed, i), 0, 0);
		if (id == -1 || id == winner_id ||
		    shmctl(id, IPC_STAT, &ds) == -1)
			continue;
		for (j = 0; j < RACERS; j++)
			if (ds.shm_cpid == pids[j]) {
				diag("loser %ld left shmid %d", (long)pids[j], id);
				track_shm(id);
				leaks++;
			}
	}
	return leaks;
}

static void
test_races(void)
{
	pid_t pids[RACERS], winner_pid;
	sharedmem *shm;
	int round, i, st, won, lost, bad_rounds = 0, leaks = 0, strays = 0;
	int wrong_winner = 0;

	for (round = 0; round < ROUNDS; round++) {
		start_racers(pids);
		won = lost = 0;
		winner_pid = -1;
		for (i = 0; i < RACERS; i++) {
			st = wait_child(pids[i]);
			if (st == 0) {
				won++;
				winner_pid = pids[i];
			} else if (st == 10)
				lost++;
		}
		if (won != 1 || lost != RACERS - 1) {
			diag("round %d: %d won, %d got EEXIST", round, won, lost);
			bad_rounds++;
		}
		if ((shm = sharedmem_attach("race")) == NULL) {
			if (won > 0)
				bail_out("attach race: %s", strerror(errno));
			continue;
		}
		if (memcmp(sharedmem_buf(shm), &winner_pid,
		    sizeof(winner_pid)) != 0)
			wrong_winner++;
		leaks += count_leaks(pids, sharedmem_id(shm));
		strays += keydir_entries("sharedmem.race");
		if (sharedmem_unlink(shm) == -1)
			bail_out("unlink race: %s", strerror(errno));
		sharedmem_close(shm);
	}
	ok(bad_rounds == 0,
	    "exactly one of %d concurrent creators wins, %d rounds", RACERS,
	    ROUNDS);
	ok(wrong_winner == 0, "the name's segment is the winner's");
	ok(leaks == 0, "losers leave no segment behind (%d left)", leaks);
	ok(strays == 0, "no private file is left behind (%d left)", strays);
}

static double
now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		bail_out("clock_gettime: %s", strerror(errno));
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Creates, fills and unlinks "half" until the time is up. */
static void
churn(double until)
{
	sharedmem *shm;
	long cycles = 0;

	while (now() < until) {
		if ((shm = sharedmem_create("half", HALF_SIZE)) == NULL) {
			if (errno == EEXIST)
				continue;
			fprintf(stderr, "churn: create: %s\n", strerror(errno));
			_exit(1);
		}
		memset(sharedmem_buf(shm), (int)(cycles % 255) + 1, HALF_SIZE);
		if (sharedmem_unlink(shm) == -1 || sharedmem_close(shm) == -1) {
			fprintf(stderr, "churn: unlink: %s\n", strerror(errno));
			_exit(1);
		}
		cycles++;
	}
	_exit(cycles > 0 ? 0 : 1);
}

/* Attaches "half" until the time is up; reports what it saw on fd. */
static void
watch(double until, int fd)
{
	long counts[2] = { 0, 0 };	/* attached, anomalies */
	volatile unsigned char sink;
	sharedmem *shm;
	size_t off;

	while (now() < until) {
		if ((shm = sharedmem_attach("half")) == NULL) {
			if (errno != ENOENT) {
				fprintf(stderr, "watch: attach: %s\n",
				    strerror(errno));
				counts[1]++;
			}
			continue;
		}
		if (sharedmem_size(shm) != HALF_SIZE)
			counts[1]++;
		/* Every page must be there: a short segment faults. */
		for (off = 0; off < sharedmem_size(shm); off += 4096)
			sink = ((unsigned char *)sharedmem_buf(shm))[off];
		(void)sink;
		counts[0]++;
		sharedmem_close(shm);
	}
	_exit(write(fd, counts, sizeof(counts)) == sizeof(counts) ? 0 : 1);
}

static void
test_half_made(void)
{
	pid_t churner, watchers[ATTACHERS];
	long counts[2], attached = 0, anomalies = 0;
	double until = now() + RUN_SECONDS;
	int report[2], i, failed = 0;

	if (pipe(report) == -1)
		bail_out("pipe: %s", strerror(errno));
	if ((churner = fork()) == 0)
		churn(until);
	for (i = 0; i < ATTACHERS; i++)
		if ((watchers[i] = fork()) == 0)
			watch(until, report[1]);
	(void)close(report[1]);
	for (i = 0; i < ATTACHERS; i++) {
		if (read(report[0], counts, sizeof(counts)) != sizeof(counts)) {
			failed++;
			continue;
		}
		attached += counts[0];
		anomalies += counts[1];
	}
	(void)close(report[0]);
	for (i = 0; i < ATTACHERS; i++)
		failed += wait_child(watchers[i]) != 0;
	ok(wait_child(churner) == 0, "a creator creates and unlinks for %d s",
	    RUN_SECONDS);
	ok(failed == 0 && anomalies == 0,
	    "%d attachers get ENOENT or a whole segment: %ld attaches, "
	    "%ld anomalies", ATTACHERS, attached, anomalies);
	if (attached == 0)
		diag("no attach hit a live segment this time");
}

int
main(int argc, char **argv)
{
	(void)argc;
	fixed = fixed_ftok(argv);
	plan(6);
	test_races();
	test_half_made();
	return exit_status();
}
