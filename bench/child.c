/*
 * child.c - a parent that waits on a semaphore for its child.  A child
 * that dies posts nothing, and System V semaphores have no owner that the
 * kernel could tell the waiter about, so the parent learns it from
 * SIGCHLD, which interrupts semop(2).
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

static volatile sig_atomic_t child_ended;

/*
 * SIGCHLD may come just before the parent starts to wait, too early to
 * interrupt it; an alarm a second later then does.  The alarm is set only
 * once a child has ended, and bench_reap() cancels it.
 */
static void
on_child(int sig)
{
	(void)sig;
	child_ended = 1;
	(void)alarm(1);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

void
bench_watch_children(void)
{
	struct sigaction sa;

	/* Without SA_RESTART: the waits must end, not go on. */
	memset(&sa, 0, sizeof(sa));
	if (sigemptyset(&sa.sa_mask) == -1)
		bench_die("sigemptyset");
	sa.sa_handler = on_child;
	if (sigaction(SIGCHLD, &sa, NULL) == -1)
		bench_die("sigaction");
	sa.sa_handler = on_alarm;
	if (sigaction(SIGALRM, &sa, NULL) == -1)
		bench_die("sigaction");
}

void
bench_forking(void)
{
	child_ended = 0;
}

int
bench_child_ended(void)
{
	return child_ended;
}

void
bench_wait(sharedmem *shm, unsigned int sem)
{
	int dead;

	for (;;) {
		/* What a dead child posted is all there will be. */
		if ((dead = child_ended) != 0) {
			if (sharedmem_trywait(shm, sem) == 0)
				return;
			if (errno == EAGAIN)
				bench_fail("the child died");
		} else if (sharedmem_wait(shm, sem) == 0)
			return;
		if (errno != EINTR)
			bench_die(dead ? "sharedmem_trywait" :
			    "sharedmem_wait");
	}
}

void
bench_semop_wait(int semid, unsigned short num)
{
	struct sembuf op;
	int dead;

	op.sem_num = num;
	op.sem_op = -1;
	for (;;) {
		dead = child_ended;
		op.sem_flg = dead ? IPC_NOWAIT : 0;
		if (semop(semid, &op, 1) == 0)
			return;
		if (dead && errno == EAGAIN)
			bench_fail("the child died");
		if (errno != EINTR)
			bench_die("semop");
	}
}

void
bench_reap(pid_t pid, const char *what)
{
	int status;

	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			bench_die("waitpid");
	(void)alarm(0);
	if (WIFSIGNALED(status))
		bench_fail("%s: killed by signal %d", what, WTERMSIG(status));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		bench_fail("%s failed", what);
}
