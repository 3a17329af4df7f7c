/*
 * contend.c - the lock of a segment, contended by two processes on two
 * CPUs: each takes it, adds 1 to a counter, gives it back, and again,
 * until told to stop.  The parent counts what they did over a while,
 * after a warm-up that lets the library's waits learn how long to poll.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/sem.h>

#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "control.h"

/* The segment's first bytes. */
struct board {
	volatile long	stop;
	volatile long	counter;	/* added to under the lock */
	volatile long	done[2];	/* lock+unlock of each process */
};

/* The lock's operations of sharedmem(7), sleeping while it is held. */
static void
raw_lock(int semid)
{
	struct sembuf op;

	op.sem_num = 0;
	op.sem_op = -1;
	op.sem_flg = SEM_UNDO;
	while (semop(semid, &op, 1) == -1)
		if (errno != EINTR)
			bench_die("semop -1");
}

static void
raw_unlock(int semid)
{
	struct sembuf ops[2];

	ops[0].sem_num = ops[1].sem_num = 0;
	ops[0].sem_op = 0;
	ops[0].sem_flg = IPC_NOWAIT;
	ops[1].sem_op = 1;
	ops[1].sem_flg = SEM_UNDO;
	while (semop(semid, ops, 2) == -1)
		if (errno != EINTR)
			bench_die("semop 0, +1");
}

static void
take_turns(sharedmem *shm, int semid, int me)
{
	struct board *b = sharedmem_buf(shm);
	long n = 0;

	while (!b->stop) {
		if (semid != -1)
			raw_lock(semid);
		else if (sharedmem_lock(shm) == -1)
			bench_die("sharedmem_lock");
		b->counter++;
		if (semid != -1)
			raw_unlock(semid);
		else if (sharedmem_unlock(shm) == -1)
			bench_die("sharedmem_unlock");
		b->done[me] = ++n;
	}
}

static void
nap(double seconds)
{
	struct timespec ts;

	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1)
		if (errno != EINTR)
			bench_die("nanosleep");
}

double
contend(sharedmem *shm, int semid, double warm, double seconds)
{
	struct board *b = sharedmem_buf(shm);
	double t0, t1;
	long n0, n1;
	pid_t pid[2];
	int i;

	b->stop = 0;
	b->counter = b->done[0] = b->done[1] = 0;
	if (fflush(NULL) != 0)
		bench_die("fflush");
	bench_forking();
	for (i = 0; i < 2; i++) {
		if ((pid[i] = fork()) == -1)
			bench_die("fork");
		if (pid[i] == 0) {
			bench_pin(i);
			take_turns(shm, semid, i);
			_exit(0);
		}
	}
	nap(warm);
	t0 = bench_now();
	n0 = b->done[0] + b->done[1];
	nap(seconds);
	t1 = bench_now();
	n1 = b->done[0] + b->done[1];
	b->stop = 1;
	for (i = 0; i < 2; i++)
		bench_reap(pid[i], "a process that takes the lock");
	if (b->counter != b->done[0] + b->done[1])
		bench_fail("the lock let both in: counter %ld after %ld turns",
		    b->counter, b->done[0] + b->done[1]);
	if (n1 <= n0)
		bench_fail("the lock was not taken in %.2f s", seconds);
	return (t1 - t0) / (double)(n1 - n0) * 1e6;
}
