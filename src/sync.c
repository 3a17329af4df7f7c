/*
 * sync.c - the lock and the counting semaphores of a segment: semop(2) on
 * the set that keyfile.c made with it.  The counting semaphores are taken
 * and given without SEM_UNDO, since a post is meant to outlive its poster.
 * A wait that finds its semaphore taken polls it for a while before it
 * sleeps, as long as spin.c says.
 *
 * The lock is semaphore 0, L: 1 while free, taken with SEM_UNDO so that
 * the kernel gives it back when its holder dies, which is all that other
 * programs do with it (sharedmem(7)).  A set made by this version has a
 * second semaphore for it at its end, H, "held": raised without SEM_UNDO
 * in the semop that takes L, and lowered in the one that gives L back.  A
 * holder that dies leaves L free and H up, and the next taker learns of it.
 * H is 0 while the lock is free, or held by another program that takes L
 * alone; 1 while the library's caller holds it, or after that holder died;
 * 2 once it is not recoverable.  The semops (L comes first: a take waits
 * on L alone):
 *
 *	take		{L -1 UNDO}		{H 0 NOWAIT} {H +1}
 *	take over	{L -1 UNDO NOWAIT}	{H -1 NOWAIT} {H 0 NOWAIT} {H +1}
 *	not recoverable	{H -2 NOWAIT} {H +2}	(only a test: changes nothing)
 *	give back	{L 0 NOWAIT} {L +1 UNDO} {H -1 NOWAIT}
 *	give up		{L 0 NOWAIT} {L +1 UNDO} {H +1}
 *
 * semop() does all of its operations or none, in order, and one with
 * IPC_NOWAIT that cannot go on fails the whole call with EAGAIN; a call
 * that sleeps on L is tried again whole when L comes back.  So a take
 * fails with EAGAIN exactly when L can be taken but H is up: a holder died
 * (H 1), or the lock is not recoverable (H 2); or, in a take that does
 * not wait (a trylock, a poll), when L is held.  Then "take over" succeeds
 * where H is exactly 1, leaving it at 1: of the takers that found the
 * holder dead, exactly one gets the lock and EOWNERDEAD, and the others
 * find it held again.  The test for H 2 gives ENOTRECOVERABLE.  If neither
 * succeeds the lock changed hands meanwhile, and the take is tried again.
 * A holder told EOWNERDEAD gives the lock back with "give back" once
 * sharedmem_consistent() has been called, and with "give up" otherwise.
 * A clean unlock lowers H before any exit, so no exit but a holder's is
 * taken for a death; a holder that took L alone, without H, dies without
 * a word, as with every lock of a set made before H.  No semop here has
 * more than four operations: macOS takes at most five in one call.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/time.h>

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "internal.h"

#define NAP_MAX_NS	1000000L	/* longest nap of a polled wait */
#define POLLS_PER_LOOK	16		/* polls of a lock between looks for
					 * a holder that died */

/* What a wait does: a semop of nops operations on semid, of which the
 * first waits; held is the lock's held semaphore where the semop takes a
 * lock that has one, else -1. */
struct want {
	int		semid;
	struct sembuf	ops[3];
	size_t		nops;
	int		held;
};

/* The set of shm, or -1 with ENOTSUP (made without) or EIDRM (gone). */
static int
semid_of(const sharedmem *shm)
{
	if (shm == NULL)
		return smi_fail(EINVAL);
	if (shm->seg.nsems == 0)
		return smi_fail(ENOTSUP);
	if (shm->seg.semid == -1)
		return smi_fail(shm->seg.set_errno);
	return shm->seg.semid;
}

/* The set's semaphore number of counting semaphore sem, or -1. */
static int
semnum_of(const sharedmem *shm, unsigned int sem)
{
	if (semid_of(shm) == -1)
		return -1;
	if (sem >= shm->seg.nsems - SEM_FIRST)
		return smi_fail(EINVAL);
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

static void
set_op(struct sembuf *op, int num, int delta, int flags)
{
	op->sem_num = (unsigned short)num;
	op->sem_op = (short)delta;
	op->sem_flg = (short)flags;
}

/* A wait on one semaphore. */
static void
want_one(struct want *w, int semid, int num, int delta, int flags)
{
	w->semid = semid;
	set_op(&w->ops[0], num, delta, flags);
	w->nops = 1;
	w->held = -1;
}

/* semop() of w, with IPC_NOWAIT added to its wait where nowait; on a copy,
 * as semop() takes its operations to be changed. */
static int
try_want(const struct want *w, int nowait)
{
	struct sembuf ops[3];
	size_t i;

	for (i = 0; i < w->nops; i++)
		ops[i] = w->ops[i];
	if (nowait)
		ops[0].sem_flg |= IPC_NOWAIT;
	return semop(w->semid, ops, w->nops);
}

/* The take of shm's lock, with flags for L besides SEM_UNDO. */
static void
want_lock(struct want *w, const sharedmem *shm, int flags)
{
	want_one(w, shm->seg.semid, SEM_LOCK, -1, SEM_UNDO | flags);
	if ((w->held = shm->seg.held) == -1)
		return;
	set_op(&w->ops[1], w->held, 0, IPC_NOWAIT);
	set_op(&w->ops[2], w->held, 1, 0);
	w->nops = 3;
}

/*
 * After w, a take of the lock, failed with EAGAIN: takes the lock over
 * from a holder that died, -1 with EOWNERDEAD; or -1 with ENOTRECOVERABLE;
 * or 1 where neither is the case: the lock is held, or it changed hands
 * since, and the take is to be tried again.
 */
static int
stuck(const struct want *w)
{
	struct sembuf ops[4];

	if (w->held == -1)
		return 1;
	set_op(&ops[0], SEM_LOCK, -1, SEM_UNDO | IPC_NOWAIT);
	set_op(&ops[1], w->held, -1, IPC_NOWAIT);
	set_op(&ops[2], w->held, 0, IPC_NOWAIT);
	set_op(&ops[3], w->held, 1, 0);
	if (semop(w->semid, ops, 4) == 0)
		return smi_fail(EOWNERDEAD);
	if (errno != EAGAIN)
		return op_failed();
	set_op(&ops[0], w->held, -2, IPC_NOWAIT);
	set_op(&ops[1], w->held, 2, 0);
	if (semop(w->semid, ops, 2) == 0)
		return smi_fail(ENOTRECOVERABLE);
	return errno == EAGAIN ? 1 : op_failed();
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
 * Tries w without waiting, and if that fails, again and again for at most
 * budget nanoseconds, and not past deadline (NULL: none).  Returns 0 once
 * w is done, 1 when the budget is spent, or -1 with errno: ETIMEDOUT at
 * the deadline, EINTR (if interruptible), EOWNERDEAD or ENOTRECOVERABLE
 * (stuck()), or the error of semop().  Tells spin.c how it went.  A poll
 * of the lock fails alike whether it is held or its holder died: every
 * POLLS_PER_LOOK polls, stuck() tells, so that a poll catches a death
 * about as soon as an unlock, and each poll stays one semop.
 */
static int
poll_op(const struct want *w, long budget, const struct timespec *deadline,
    int interruptible)
{
	struct timespec start, now;
	long spent, polls = 0;
	int error, r;

	if (try_want(w, 1) == 0)
		return 0;
	error = errno;
	clock_now(&start);
	for (;;) {
		if (error == EINTR) {
			if (interruptible)
				return smi_fail(EINTR);
		} else if (error != EAGAIN)
			return errno = error, op_failed();
		if (error == EAGAIN && ++polls % POLLS_PER_LOOK == 0 &&
		    (r = stuck(w)) != 1)
			return r;
		clock_now(&now);
		if (deadline != NULL && passed(deadline, &now))
			return smi_fail(ETIMEDOUT);
		if ((spent = ns_between(&start, &now)) >= budget) {
			smi_spin_missed(w->semid, w->ops[0].sem_num);
			return 1;
		}
		if (try_want(w, 1) == 0) {
			smi_spin_caught(w->semid, w->ops[0].sem_num, spent);
			return 0;
		}
		error = errno;
	}
}

#ifdef HAVE_SEMTIMEDOP
/*
 * Sleeps in semtimedop() until w is done or deadline has come, trying once
 * even if it has come already; then ETIMEDOUT.  EINTR ends the wait only
 * if interruptible.  semtimedop() says EAGAIN at the deadline, and for a
 * lock whose held semaphore is up.
 */
static int
sleep_until(const struct want *w, const struct timespec *deadline,
    int interruptible)
{
	struct sembuf ops[3];
	struct timespec left;
	size_t i;
	int r;

	for (i = 0; i < w->nops; i++)
		ops[i] = w->ops[i];
	if (!time_left(deadline, &left))
		left.tv_sec = left.tv_nsec = 0;
	for (;;) {
		if (semtimedop(w->semid, ops, w->nops, &left) == 0)
			return 0;
		if (errno == EAGAIN && (r = stuck(w)) != 1)
			return r;
		if (errno != EAGAIN && errno != EINTR)
			return op_failed();
		if (errno == EINTR && interruptible)
			return -1;
		if (!time_left(deadline, &left))
			return smi_fail(ETIMEDOUT);
	}
}
#else
/*
 * The same without a timed semop: polls, napping twice as long each time
 * up to NAP_MAX_NS, so that short waits stay short.
 */
static int
sleep_until(const struct want *w, const struct timespec *deadline,
    int interruptible)
{
	struct timespec left, nap;
	long ns = 1000;
	int r;

	for (;;) {
		if (try_want(w, 1) == 0)
			return 0;
		if (errno == EINTR && !interruptible)
			continue;
		if (errno == EAGAIN && (r = stuck(w)) != 1)
			return r;
		if (errno != EAGAIN)
			return op_failed();
		if (!time_left(deadline, &left))
			return smi_fail(ETIMEDOUT);
		nap.tv_sec = 0;
		nap.tv_nsec = ns < NAP_MAX_NS ? ns : NAP_MAX_NS;
		if (left.tv_sec == 0 && left.tv_nsec < nap.tv_nsec)
			nap.tv_nsec = left.tv_nsec;
		if (nanosleep(&nap, NULL) == -1 && interruptible)
			return -1;
		if (ns < NAP_MAX_NS)
			ns *= 2;
	}
}
#endif

/*
 * Does w, which waits while its semaphore is taken: polls for as long as
 * spin.c allows, then sleeps in semop() until deadline (NULL: for ever).
 * EINTR ends the wait only if interruptible.
 */
static int
take(const struct want *w, const struct timespec *deadline,
    int interruptible)
{
	long budget = smi_spin_budget(w->semid, w->ops[0].sem_num);
	int r;

	if (budget > 0 &&
	    (r = poll_op(w, budget, deadline, interruptible)) != 1)
		return r;
	if (deadline != NULL)
		return sleep_until(w, deadline, interruptible);
	while (try_want(w, 0) == -1) {
		if (errno == EAGAIN && (r = stuck(w)) != 1)
			return r;
		if (errno != EAGAIN && (errno != EINTR || interruptible))
			return op_failed();
	}
	return 0;
}

/* take() until timeout from now. */
static int
take_within(const struct want *w, const struct timespec *timeout,
    int interruptible)
{
	struct timespec deadline;

	if (!valid_timeout(timeout))
		return smi_fail(EINVAL);
	clock_now(&deadline);
	deadline.tv_sec += timeout->tv_sec;
	deadline.tv_nsec += timeout->tv_nsec;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_nsec -= 1000000000L;
		deadline.tv_sec++;
	}
	return take(w, &deadline, interruptible);
}

/* What a lock call that returned r tells shm: whether it holds the lock
 * of a holder that died. */
static int
locked(sharedmem *shm, int r)
{
	if (r == -1 && errno == EOWNERDEAD)
		shm->dead_holder = 1;
	return r;
}

int
sharedmem_lock(sharedmem *shm)
{
	struct want w;

	if (semid_of(shm) == -1)
		return -1;
	want_lock(&w, shm, 0);
	/* Like a mutex, the wait for the lock outlasts signals. */
	return locked(shm, take(&w, NULL, 0));
}

int
sharedmem_trylock(sharedmem *shm)
{
	struct want w;
	int r;

	if (semid_of(shm) == -1)
		return -1;
	want_lock(&w, shm, IPC_NOWAIT);
	while (try_want(&w, 0) == -1) {
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return op_failed();
		if ((r = stuck(&w)) != 1)
			return locked(shm, r);
		return smi_fail(EBUSY);
	}
	return 0;
}

int
sharedmem_timedlock(sharedmem *shm, const struct timespec *timeout)
{
	struct want w;

	if (semid_of(shm) == -1)
		return -1;
	want_lock(&w, shm, 0);
	return locked(shm, take_within(&w, timeout, 0));
}

int
sharedmem_unlock(sharedmem *shm)
{
	struct sembuf ops[3];
	size_t n = 2;
	int semid, dead;

	if ((semid = semid_of(shm)) == -1)
		return -1;
	/* All or nothing: a lock that is free (at 1) is not given back
	 * twice, which would let two holders in; nor one held by a program
	 * that took L alone (H at 0). */
	set_op(&ops[0], SEM_LOCK, 0, IPC_NOWAIT);
	set_op(&ops[1], SEM_LOCK, 1, SEM_UNDO);
	dead = shm->dead_holder;
	if (shm->seg.held != -1)
		set_op(&ops[n++], shm->seg.held, dead ? 1 : -1, IPC_NOWAIT);
	/* Cleared while still held: the next holder may be a thread of this
	 * process, told EOWNERDEAD through the same handle. */
	shm->dead_holder = 0;
	while (semop(semid, ops, n) == -1)
		if (errno != EINTR) {
			shm->dead_holder = dead;
			return errno == EAGAIN ? smi_fail(EPERM) :
			    op_failed();
		}
	return 0;
}

int
sharedmem_consistent(sharedmem *shm)
{
	if (semid_of(shm) == -1)
		return -1;
	if (!shm->dead_holder)
		return smi_fail(EINVAL);
	shm->dead_holder = 0;
	return 0;
}

/*
 * How the lock of the set semid stands, held its held semaphore (-1:
 * none), read in one call so that L and H are of one instant: a
 * SHAREDMEM_LOCK_ state, or -1 with errno.  Reads, and changes nothing:
 * not even the time of the set's last semop, which gc goes by.
 */
int
smi_lock_state(int semid, int held)
{
	unsigned short *values;
	struct semid_ds ds;
	union semarg arg;
	int state;

	arg.buf = &ds;
	if (semctl(semid, 0, IPC_STAT, arg) == -1)
		return op_failed();
	if ((size_t)ds.sem_nsems <= (size_t)(held != -1 ? held : SEM_LOCK))
		return smi_fail(EIDRM);	/* not the set recorded */
	if ((values = malloc((size_t)ds.sem_nsems * sizeof(*values))) == NULL)
		return -1;
	arg.array = values;
	if (semctl(semid, 0, GETALL, arg) == -1) {
		smi_free_quietly(values);
		return op_failed();
	}
	if (held != -1 && values[held] >= 2)
		state = SHAREDMEM_LOCK_NOT_RECOVERABLE;
	else if (values[SEM_LOCK] == 0)
		state = SHAREDMEM_LOCK_HELD;
	else if (held != -1 && values[held] == 1)
		state = SHAREDMEM_LOCK_HOLDER_DIED;
	else
		state = SHAREDMEM_LOCK_FREE;
	free(values);
	return state;
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
	struct want w;
	int num;

	if ((num = semnum_of(shm, sem)) == -1)
		return -1;
	want_one(&w, shm->seg.semid, num, -1, 0);
	return take(&w, NULL, 1);
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
	struct want w;
	int num;

	if ((num = semnum_of(shm, sem)) == -1)
		return -1;
	want_one(&w, shm->seg.semid, num, -1, 0);
	return take_within(&w, timeout, 1);
}
