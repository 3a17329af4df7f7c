/*
 * semaphores.c - the counting semaphores of a segment: their number,
 * post and the three waits, a hand-over between processes, waiters woken
 * by unlink, and a stale name whose set is cleared with it.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sharedmem.h"
#include "tap.h"

#define HANDOFFS 1000

/* A child's handle, at file scope so that exiting with it is no leak. */
static sharedmem *volatile kept;

static sharedmem *
create_with(const char *name, unsigned int sems)
{
	sharedmem *shm = sharedmem_open(name,
	    SHAREDMEM_CREATE | SHAREDMEM_SEMAPHORES(sems), 64, 0600);

	if (shm == NULL)
		bail_out("create %s with %u semaphores: %s", name, sems,
		    strerror(errno));
	return shm;
}

static void
test_counting(void)
{
	struct timespec wait20 = { 0, 20000000L }, none = { 0, 0 };
	sharedmem *shm = create_with("count", 3);

	ok(sharedmem_semaphores(shm) == 3, "three counting semaphores");
	FAILS_WITH(sharedmem_trywait(shm, 0), EAGAIN, "each starts at 0");
	ok(sharedmem_post(shm, 2) == 0 && sharedmem_post(shm, 2) == 0,
	    "post twice");
	ok(sharedmem_trywait(shm, 2) == 0 && sharedmem_wait(shm, 2) == 0,
	    "trywait and wait take the two");
	FAILS_WITH(sharedmem_trywait(shm, 2), EAGAIN, "and no more");
	FAILS_WITH(sharedmem_timedwait(shm, 1, &wait20), ETIMEDOUT,
	    "timedwait on 0 times out");
	FAILS_WITH(sharedmem_timedwait(shm, 1, &none), ETIMEDOUT,
	    "a zero timeout does not wait");
	FAILS_WITH(sharedmem_timedwait(shm, 1, NULL), EINVAL,
	    "timedwait without a timeout");
	FAILS_WITH(sharedmem_post(shm, 3), EINVAL, "post of semaphore 3 of 3");
	FAILS_WITH(sharedmem_wait(shm, 3), EINVAL, "wait on semaphore 3 of 3");
	ok(sharedmem_lock(shm) == 0 && sharedmem_unlock(shm) == 0,
	    "semaphores come with the lock");
	sharedmem_unlink(shm);
	sharedmem_close(shm);

	shm = sharedmem_open("lockonly", SHAREDMEM_CREATE | SHAREDMEM_LOCK, 8,
	    0600);
	FAILS_WITH(shm == NULL ? -1 : sharedmem_post(shm, 0), EINVAL,
	    "a lock alone has no semaphore 0");
	sharedmem_unlink(shm);
	sharedmem_close(shm);
	shm = sharedmem_open("plain", SHAREDMEM_CREATE, 8, 0600);
	FAILS_WITH(shm == NULL ? -1 : sharedmem_post(shm, 0), ENOTSUP,
	    "a segment made without semaphores");
	sharedmem_unlink(shm);
	sharedmem_close(shm);
	FAILS_WITH(sharedmem_open("many", SHAREDMEM_CREATE |
	    SHAREDMEM_SEMAPHORES(SHAREDMEM_SEMAPHORES_MAX + 1), 8, 0600) ==
	    NULL ? -1 : 0, EINVAL, "more than SHAREDMEM_SEMAPHORES_MAX");
	/* Counts that a mask of their low bits would take for 0 or 32. */
	FAILS_WITH(sharedmem_open("many", SHAREDMEM_CREATE |
	    SHAREDMEM_SEMAPHORES(256), 8, 0600) == NULL ? -1 : 0, EINVAL,
	    "256 semaphores, not none");
	FAILS_WITH(sharedmem_open("many", SHAREDMEM_CREATE |
	    SHAREDMEM_SEMAPHORES(288), 8, 0600) == NULL ? -1 : 0, EINVAL,
	    "288 semaphores, not 32");
	FAILS_WITH(sharedmem_open("many", SHAREDMEM_CREATE |
	    SHAREDMEM_SEMAPHORES(-1), 8, 0600) == NULL ? -1 : 0, EINVAL,
	    "-1 semaphores");
	FAILS_WITH(sharedmem_open("many", SHAREDMEM_CREATE |
	    SHAREDMEM_SEMAPHORES(100000), 8, 0600) == NULL ? -1 : 0,
	    EINVAL, "100000 semaphores");
	shm = create_with("most", SHAREDMEM_SEMAPHORES_MAX);
	ok(sharedmem_semaphores(shm) == SHAREDMEM_SEMAPHORES_MAX &&
	    sharedmem_post(shm, SHAREDMEM_SEMAPHORES_MAX - 1) == 0,
	    "SHAREDMEM_SEMAPHORES_MAX of them");
	sharedmem_unlink(shm);
	sharedmem_close(shm);
}

/* Ping-pong: the child posts 0 and waits on 1, HANDOFFS times, each
 * time with the next number in the segment. */
static void
test_handoff(void)
{
	sharedmem *shm = create_with("pingpong", 2);
	volatile int *slot = sharedmem_buf(shm);
	int i, wrong = 0;
	pid_t pid;

	pid = fork_or_bail();
	if (pid == 0) {
		if ((kept = sharedmem_attach("pingpong")) == NULL)
			_exit(3);
		slot = sharedmem_buf(kept);
		for (i = 0; i < HANDOFFS; i++) {
			*slot = i;
			if (sharedmem_post(kept, 0) == -1 ||
			    sharedmem_wait(kept, 1) == -1)
				_exit(4);
		}
		_exit(0);
	}
	for (i = 0; i < HANDOFFS; i++) {
		if (sharedmem_wait(shm, 0) == -1)
			bail_out("wait: %s", strerror(errno));
		if (*slot != i)
			wrong++;
		if (sharedmem_post(shm, 1) == -1)
			bail_out("post: %s", strerror(errno));
	}
	ok(wait_child(pid) == 0 && wrong == 0,
	    "%d hand-overs between two processes, in order", HANDOFFS);
	sharedmem_unlink(shm);
	sharedmem_close(shm);
}

static void
test_unlink_wakes(void)
{
	sharedmem *shm = create_with("wake", 1);
	int ready[2], status;
	char c;
	pid_t pid;

	if (pipe(ready) == -1)
		bail_out("pipe: %s", strerror(errno));
	pid = fork_or_bail();
	if (pid == 0) {
		(void)close(ready[0]);
		if ((kept = sharedmem_attach("wake")) == NULL ||
		    write(ready[1], "x", 1) != 1)
			_exit(3);
		if (sharedmem_wait(kept, 0) == 0)
			_exit(4);
		_exit(errno == EIDRM ? 0 : 5);
	}
	(void)close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		bail_out("the waiter did not attach");
	(void)close(ready[0]);
	{
		struct timespec tenth = { 0, 100000000L };

		(void)nanosleep(&tenth, NULL);	/* time to block in semop */
	}
	ok(sharedmem_unlink(shm) == 0, "unlink while a process waits");
	status = wait_child(pid);
	ok(status == 0, "the waiter wakes with EIDRM (status %d)", status);
	sharedmem_close(shm);
}

static void
test_stale_set(void)
{
	sharedmem *shm = create_with("stale", 1), *again;
	int semid = sharedmem_semid(shm);

	ok(shmctl(sharedmem_id(shm), IPC_RMID, NULL) == 0,
	    "ipcrm -m the segment of a name with semaphores");
	sharedmem_close(shm);
	ok(semctl(semid, 0, GETVAL) != -1, "its set is still there");
	again = sharedmem_open("stale", SHAREDMEM_CREATE, 16, 0600);
	ok(again != NULL, "create of the stale name succeeds");
	ok(semctl(semid, 0, GETVAL) == -1 && (errno == EINVAL ||
	    errno == EIDRM), "and removed the stale name's set");
	sharedmem_unlink(again);
	sharedmem_close(again);

	shm = create_with("removed", 1);
	semid = sharedmem_semid(shm);
	ok(sharedmem_remove("removed") == 0 && semctl(semid, 0, GETVAL) ==
	    -1, "sharedmem_remove removes the set too");
	sharedmem_close(shm);
}

int
main(void)
{
	/* A broken lock or semaphore would block for ever: fail instead. */
	(void)alarm(120);
	plan(27);
	test_counting();
	test_handoff();
	test_unlink_wakes();
	test_stale_set();
	return exit_status();
}
