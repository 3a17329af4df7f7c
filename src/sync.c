/*
 * sync.c - the lock and the counting semaphores of a segment: semop(2) on
 * the set that keyfile.c made with it.  Semaphore 0 is the lock, taken
 * with SEM_UNDO so that the kernel gives it back when its holder dies;
 * the counting semaphores follow, without SEM_UNDO, since a post is meant
 * to outlive its poster.  A wait that finds its semaphore taken polls it
 * for a while before it sleeps, as long as spin.c says.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/time.h>

#include <errno.h>
#include <time.h>

#include "internal.h"

#define NAP_MAX_NS	1000000L	/* longest nap of a polled wait */

/* The set of shm, or -1 with ENOTSUP (made without) or EIDRM (gone). */
static int
semid_of(const sharedmem *shm)
{
	if (shm == NULL)
		return errno = EINVAL, -1;
	if (shm->seg.nsems == 0)
		return errno = ENOTSUP, -1;
	if (shm->seg.semid == -1)
		return errno = shm->seg.set_errno, -1;
	return shm->seg.semid;
}

/* The set's semaphore number of counting semaphore sem, or -1. */
static int
semnum_of(const sharedmem *shm, unsigned int sem)
{
	if (semid_of(shm) == -1)
		return -1;
	if (sem >= shm->seg.nsems - SEM_FIRST)
		return errno = EINVAL, -1;
	return (int)(SEM_FIRST + sem);
}

/* A set removed while in use gives EINVAL on most systems, EIDRM on
 * Linux while waiting: callers see EIDRM for both. */
static int
op_failed(void)
{
	if (errno == EINVAL)
		errno = EIDRM;
	return -1;
}

static int
valid_timeout(const struct timespec *t)
{
	return t != NULL && t->tv_sec >= 0 && t->tv_nsec >= 0 &&
	    t->tv_nsec < 1000000000L;
}

/* Now, on a clock that no one sets, where there is one. */
static void
clock_now(struct timespec *ts)
{
#if defined(HAVE_CLOCK_GETTIME) && HAVE_DECL_CLOCK_MONOTONIC
	if (clock_gettime(CLOCK_MONOTONIC, ts) == 0)
		return;
#endif
	{
		struct timeval tv;

		/* gettimeofday() cannot fail with a valid pointer. */
		(void)gettimeofday(&tv, NULL);
		ts->tv_sec = tv.tv_sec;
		ts->tv_nsec = (long)tv.tv_usec * 1000;
	}
}

/* Time left until deadline, in *left; 0 once it has passed. */
static int
time_left(const struct timespec *deadline, struct timespec *left)
{
	struct timespec now;

	clock_now(&now);
	left->tv_sec = deadline->tv_sec - now.tv_sec;
	left->tv_nsec = deadline->tv_nsec - now.tv_nsec;
	if (left->tv_nsec < 0) {
		left->tv_nsec += 1000000000L;
		left->tv_sec--;
	}
	return left->tv_sec > 0 || (left->tv_sec == 0 && left->tv_nsec > 0);
}

/* Nanoseconds from start to now, at most two seconds' worth. */
static long
ns_between(const struct timespec *start, const struct timespec *now)
{
	time_t s = now->tv_sec - start->tv_sec;

	if (s > 1)
		return 2000000000L;
	return (long)s * 1000000000L + (now->tv_nsec - start->tv_nsec);
}

/* Whether now is at or past deadline. */
static int
passed(const struct timespec *deadline, const struct timespec *now)
{
	return now->tv_sec > deadline->tv_sec ||
	    (now->tv_sec == deadline->tv_sec &&
	    now->tv_nsec >= deadline->tv_nsec);
}

/*
 * Tries op on semid without waiting, and if that fails, again and again
 * for at most budget nanoseconds, and not past deadline (NULL: none).
 * Returns 0 once op is done, 1 when the budget is spent, or -1 with errno:
 * ETIMEDOUT at the deadline, EINTR (if interruptible) or the error of
 * semop().  Tells spin.c how it went.
 */
static int
poll_op(int semid, const struct sembuf *wait, long budget,
    const struct timespec *deadline, int interruptible)
{
	struct sembuf op = *wait;
	struct timespec start, now;
	long spent;
	int error;

	op.sem_flg |= IPC_NOWAIT;
	if (semop(semid, &op, 1) == 0)
		return 0;
	error = errno;
	clock_now(&start);
	for (;;) {
		if (error == EINTR) {
			if (interruptible)
				return errno = EINTR, -1;
		} else if (error != EAGAIN)
			return errno = error, op_failed();
		clock_now(&now);
		if (deadline != NULL && passed(deadline, &now))
			return errno = ETIMEDOUT, -1;
		if ((spent = ns_between(&start, &now)) >= budget) {
			smi_spin_missed(semid, op.sem_num);
			return 1;
		}
		if (semop(semid, &op, 1) == 0) {
			smi_spin_caught(semid, op.sem_num, spent);
			return 0;
		}
		error = errno;
	}
}

#ifdef HAVE_SEMTIMEDOP
/*
 * Sleeps in semtimedop() until op on semid is done or deadline has come,
 * trying once even if it has come already; then ETIMEDOUT.  EINTR ends
 * the wait only if interruptible.
 */
static int
sleep_until(int semid, struct sembuf *op, const struct timespec *deadline,
    int interruptible)
{
	struct timespec left;

	if (!time_left(deadline, &left))
		left.tv_sec = left.tv_nsec = 0;
	for (;;) {
		if (semtimedop(semid, op, 1, &left) == 0)
			return 0;
		if (errno == EAGAIN)
			return errno = ETIMEDOUT, -1;
		if (errno != EINTR || interruptible)
			return op_failed();
		if (!time_left(deadline, &left))
			return errno = ETIMEDOUT, -1;
	}
}
#else
/*
 * The same without a timed semop: polls, napping twice as long each time
 * up to NAP_MAX_NS, so that short waits stay short.
 */
static int
sleep_until(int semid, struct sembuf *op, const struct timespec *deadline,
    int interruptible)
{
	struct timespec left, nap;
	long ns = 1000;

	op->sem_flg |= IPC_NOWAIT;
	for (;;) {
		if (semop(semid, op, 1) == 0)
			return 0;
		if (errno == EINTR && !interruptible)
			continue;
		if (errno != EAGAIN)
			return op_failed();
		if (!time_left(deadline, &left))
			return errno = ETIMEDOUT, -1;
		nap.tv_sec = 0;
		nap.tv_nsec = ns < NAP_MAX_NS ? ns : NAP_MAX_NS;
		if (left.tv_sec == 0 && left.tv_nsec < nap.tv_nsec)
			nap.tv_nsec = left.tv_nsec;
		if (nanosleep(&nap, NULL) == -1 && interruptible)
			return -1;
		ns *= 2;
	}
}
#endif

/*
 * Does op on semid, which waits while the semaphore is taken: polls for
 * as long as spin.c allows, then sleeps in semop() until deadline (NULL:
 * for ever).  EINTR ends the wait only if interruptible.
 */
static int
take(int semid, struct sembuf *op, const struct timespec *deadline,
    int interruptible)
{
	long budget = smi_spin_budget(semid, op->sem_num);
	int r;

	if (budget > 0 &&
	    (r = poll_op(semid, op, budget, deadline, interruptible)) != 1)
		return r;
	if (deadline != NULL)
		return sleep_until(semid, op, deadline, interruptible);
	while (semop(semid, op, 1) == -1)
		if (errno != EINTR || interruptible)
			return op_failed();
	return 0;
}

/* take() until timeout from now. */
static int
take_within(int semid, struct sembuf *op, const struct timespec *timeout,
    int interruptible)
{
	struct timespec deadline;

	if (!valid_timeout(timeout))
		return errno = EINVAL, -1;
	clock_now(&deadline);
	deadline.tv_sec += timeout->tv_sec;
	deadline.tv_nsec += timeout->tv_nsec;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_nsec -= 1000000000L;
		deadline.tv_sec++;
	}
	return take(semid, op, &deadline, interruptible);
}

static void
set_op(struct sembuf *op, int num, int delta, int flags)
{
	op->sem_num = (unsigned short)num;
	op->sem_op = (short)delta;
	op->sem_flg = (short)flags;
}

int
sharedmem_lock(sharedmem *shm)
{
	struct sembuf op;
	int semid;

	if ((semid = semid_of(shm)) == -1)
		return -1;
	set_op(&op, SEM_LOCK, -1, SEM_UNDO);
	/* Like a mutex, the wait for the lock outlasts signals. */
	return take(semid, &op, NULL, 0);
}

int
sharedmem_trylock(sharedmem *shm)
{
	struct sembuf op;
	int semid;

	if ((semid = semid_of(shm)) == -1)
		return -1;
	set_op(&op, SEM_LOCK, -1, SEM_UNDO | IPC_NOWAIT);
	while (semop(semid, &op, 1) == -1)
		if (errno != EINTR)
			return errno == EAGAIN ? (errno = EBUSY, -1) :
			    op_failed();
	return 0;
}

int
sharedmem_timedlock(sharedmem *shm, const struct timespec *timeout)
{
	struct sembuf op;
	int semid;

	if ((semid = semid_of(shm)) == -1)
		return -1;
	set_op(&op, SEM_LOCK, -1, SEM_UNDO);
	return take_within(semid, &op, timeout, 0);
}

int
sharedmem_unlock(sharedmem *shm)
{
	struct sembuf ops[2];
	int semid;

	if ((semid = semid_of(shm)) == -1)
		return -1;
	/* Both or neither: a lock that is free (at 1) is not given back
	 * twice, which would let two holders in. */
	set_op(&ops[0], SEM_LOCK, 0, IPC_NOWAIT);
	set_op(&ops[1], SEM_LOCK, 1, SEM_UNDO);
	while (semop(semid, ops, 2) == -1)
		if (errno != EINTR)
			return errno == EAGAIN ? (errno = EPERM, -1) :
			    op_failed();
	return 0;
}

int
sharedmem_post(sharedmem *shm, unsigned int sem)
{
	struct sembuf op;
	int num;

	if ((num = semnum_of(shm, sem)) == -1)
		return -1;
	set_op(&op, num, 1, 0);
	while (semop(shm->seg.semid, &op, 1) == -1)
		if (errno != EINTR)
			return op_failed();
	return 0;
}

int
sharedmem_wait(sharedmem *shm, unsigned int sem)
{
	struct sembuf op;
	int num;

	if ((num = semnum_of(shm, sem)) == -1)
		return -1;
	set_op(&op, num, -1, 0);
	return take(shm->seg.semid, &op, NULL, 1);
}

int
sharedmem_trywait(sharedmem *shm, unsigned int sem)
{
	struct sembuf op;
	int num;

	if ((num = semnum_of(shm, sem)) == -1)
		return -1;
	set_op(&op, num, -1, IPC_NOWAIT);
	if (semop(shm->seg.semid, &op, 1) == -1)
		return errno == EINTR || errno == EAGAIN ? -1 : op_failed();
	return 0;
}

int
sharedmem_timedwait(sharedmem *shm, unsigned int sem,
    const struct timespec *timeout)
{
	struct sembuf op;
	int num;

	if ((num = semnum_of(shm, sem)) == -1)
		return -1;
	set_op(&op, num, -1, 0);
	return take_within(shm->seg.semid, &op, timeout, 1);
}
