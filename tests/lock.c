/*
 * lock.c - the lock of a segment: mutual exclusion between processes, a
 * bounded wait, unlock of a free lock refused, a holder killed while
 * holding it, and a lock that is ready before its name is.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sharedmem.h"
#include "tap.h"

#define ROUNDS 2000

/* A child's handle, at file scope so that exiting with it is no leak. */
static sharedmem *volatile kept;

static sharedmem *
create_locked(const char *name, size_t size)
{
	sharedmem *shm = sharedmem_open(name,
	    SHAREDMEM_CREATE | SHAREDMEM_LOCK, size, 0600);

	if (shm == NULL)
		bail_out("create %s with a lock: %s", name, strerror(errno));
	return shm;
}

static void
test_basics(void)
{
	struct timespec wait50 = { 0, 50000000L }, bad = { 0, 1000000000L };
	sharedmem *shm = create_locked("basics", 64), *plain;
	double t0, took;
	pid_t pid;

	ok(sharedmem_semid(shm) != -1 &&
	    semget(sharedmem_key(shm), 0, 0) == sharedmem_semid(shm),
	    "the lock is a semaphore set under the segment's key");
	ok(sharedmem_semaphores(shm) == 0, "a lock alone: no counting ones");
	ok(sharedmem_lock(shm) == 0, "lock");
	FAILS_WITH(sharedmem_trylock(shm), EBUSY, "trylock of a held lock");
	t0 = clock_seconds();
	FAILS_WITH(sharedmem_timedlock(shm, &wait50), ETIMEDOUT,
	    "timedlock of a held lock");
	took = clock_seconds() - t0;
	ok(took >= 0.045 && took < 5, "timedlock waited 50 ms (%.3f s)",
	    took);
	FAILS_WITH(sharedmem_timedlock(shm, &bad), EINVAL,
	    "timedlock with tv_nsec of a second");
	pid = fork_or_bail();
	if (pid == 0) {
		kept = sharedmem_attach("basics");
		_exit(kept == NULL ? 3 : sharedmem_trylock(kept) == -1 &&
		    errno == EBUSY ? 0 : 4);
	}
	ok(wait_child(pid) == 0, "another process finds it held too");
	ok(sharedmem_unlock(shm) == 0, "unlock");
	FAILS_WITH(sharedmem_unlock(shm), EPERM, "unlock of a free lock");
	ok(sharedmem_trylock(shm) == 0 && sharedmem_unlock(shm) == 0,
	    "trylock of a free lock, and unlock");
	ok(sharedmem_timedlock(shm, &wait50) == 0 && sharedmem_unlock(shm) == 0,
	    "timedlock of a free lock, and unlock");

	if ((plain = sharedmem_create("plain", 64)) == NULL)
		bail_out("create plain: %s", strerror(errno));
	FAILS_WITH(sharedmem_lock(plain), ENOTSUP,
	    "lock of a segment made without one");
	FAILS_WITH(sharedmem_unlock(plain), ENOTSUP,
	    "unlock of a segment made without one");
	ok(sharedmem_semid(plain) == -1, "and it has no semaphore set");
	FAILS_WITH(sharedmem_open("plain", SHAREDMEM_LOCK, 0, 0) == NULL ?
	    -1 : 0, EINVAL, "attach cannot add a lock");
	sharedmem_unlink(plain);
	sharedmem_close(plain);
	sharedmem_unlink(shm);
	sharedmem_close(shm);
}

/* Two processes add 1 ROUNDS times each to a counter, reading and writing
 * it apart with a pause between: without the lock, updates get lost. */
static void
bump(sharedmem *shm)
{
	volatile long *counter = sharedmem_buf(shm);
	long seen;
	int i;

	for (i = 0; i < ROUNDS; i++) {
		if (sharedmem_lock(shm) == -1)
			_exit(5);
		seen = *counter;
		if (i % 64 == 0)
			sched_yield();
		*counter = seen + 1;
		if (sharedmem_unlock(shm) == -1)
			_exit(6);
	}
}

static void
test_exclusion(void)
{
	sharedmem *shm = create_locked("count", sizeof(long));
	pid_t pid;
	int status;

	pid = fork_or_bail();
	if (pid == 0) {
		if ((kept = sharedmem_attach("count")) == NULL)
			_exit(3);
		bump(kept);
		_exit(0);
	}
	bump(shm);
	status = wait_child(pid);
	ok(status == 0 && *(long *)sharedmem_buf(shm) == 2L * ROUNDS,
	    "two processes, %d locked updates each: counter %ld (status %d)",
	    ROUNDS, *(long *)sharedmem_buf(shm), status);
	sharedmem_unlink(shm);
	sharedmem_close(shm);
}

static void
test_dead_holder(void)
{
	struct timespec five = { 5, 0 };
	sharedmem *shm = create_locked("dead", 16);
	char *buf = sharedmem_buf(shm);
	int ready[2];
	char c;
	pid_t pid;

	if (pipe(ready) == -1)
		bail_out("pipe: %s", strerror(errno));
	pid = fork_or_bail();
	if (pid == 0) {
		(void)close(ready[0]);
		if ((kept = sharedmem_attach("dead")) == NULL ||
		    sharedmem_lock(kept) == -1)
			_exit(3);
		memcpy(sharedmem_buf(kept), "half", 4);	/* of "halfdone" */
		if (write(ready[1], "x", 1) != 1)
			_exit(4);
		pause();
		_exit(0);
	}
	(void)close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		bail_out("the holder did not take the lock");
	(void)close(ready[0]);
	FAILS_WITH(sharedmem_trylock(shm), EBUSY, "the holder holds it");
	if (kill(pid, SIGKILL) == -1)
		bail_out("kill: %s", strerror(errno));
	ok(wait_child(pid) == 128 + SIGKILL, "the holder is killed holding it");
	FAILS_WITH(sharedmem_timedlock(shm, &five), EOWNERDEAD,
	    "a waiter gets the lock its killed holder held, and is told so");
	ok(memcmp(buf, "half", 4) == 0 && buf[4] == '\0',
	    "and finds the data as the holder left it, half updated");
	ok(sharedmem_consistent(shm) == 0 && sharedmem_unlock(shm) == 0,
	    "and can declare it consistent and give it back");
	sharedmem_unlink(shm);
	sharedmem_close(shm);
}

/* An attacher must never meet a set whose values are not set yet: on
 * most systems a new semaphore is 0, which would be a held lock. */
static void
test_ready_before_name(void)
{
	sharedmem *shm;
	int i, bad = 0, seen = 0, status;
	pid_t pid;

	pid = fork_or_bail();
	if (pid == 0) {
		double end = clock_seconds() + 5;

		while (seen < 200 && clock_seconds() < end) {
			if ((kept = sharedmem_attach("fresh")) == NULL)
				continue;
			seen++;
			if (sharedmem_trylock(kept) == -1) {
				if (errno == EBUSY)
					bad++;
			} else
				(void)sharedmem_unlock(kept);
			(void)sharedmem_close(kept);
			kept = NULL;
		}
		_exit(bad > 0 ? 1 : 0);
	}
	for (i = 0; i < 2000; i++) {
		shm = create_locked("fresh", 64);
		(void)sharedmem_unlink(shm);
		(void)sharedmem_close(shm);
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	if (i == 2000)
		status = wait_child(pid);
	else
		status = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	ok(status == 0, "an attacher racing creates never finds the lock "
	    "taken (status %d)", status);
}

static void
test_removed(void)
{
	sharedmem *shm = create_locked("removed", 64), *again;
	int semid = sharedmem_semid(shm);

	ok(semctl(semid, 0, IPC_RMID) == 0, "ipcrm -s the lock of a name");
	FAILS_WITH(sharedmem_lock(shm), EIDRM, "lock after ipcrm -s");
	again = sharedmem_attach("removed");
	ok(again != NULL, "the name still attaches");
	FAILS_WITH(again == NULL ? -1 : sharedmem_trylock(again), EIDRM,
	    "and its lock says it was removed");
	sharedmem_close(again);
	ok(sharedmem_unlink(shm) == 0, "unlink of it works");
	sharedmem_close(shm);

	shm = create_locked("unlinked", 64);
	semid = sharedmem_semid(shm);
	ok(sharedmem_unlink(shm) == 0 && semctl(semid, 0, GETVAL) == -1 &&
	    (errno == EINVAL || errno == EIDRM),
	    "unlink removes the semaphore set");
	FAILS_WITH(sharedmem_lock(shm), EIDRM, "lock after unlink");
	sharedmem_close(shm);
}

int
main(void)
{
	/* A broken lock or semaphore would block for ever: fail instead. */
	(void)alarm(120);
	plan(30);
	test_basics();
	test_exclusion();
	test_dead_holder();
	test_ready_before_name();
	test_removed();
	return exit_status();
}
