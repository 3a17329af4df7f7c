/*
 * spin.c - waits that poll before they sleep.  Where a process may run on
 * more than one CPU, a wait or a lock that finds its semaphore taken polls
 * it, and nobody is queued on the semaphore in the kernel meanwhile; with
 * SHAREDMEM_SPIN=0 it sleeps at once.  Either way, a post, an unlock, a
 * holder's death, an unlink and a timeout end the wait as they always did;
 * a signal ends a wait that sleeps, and not a wait for the lock.  A
 * process that may run on one CPU only sleeps at once, and so does one
 * built without the compiler's atomics.
 *
 * The waiters are children, each with SHAREDMEM_SPIN of its own: the
 * library reads it at the first wait of a process, so this process never
 * waits itself (trylock and trywait do not wait).  A cap of a second
 * makes a poll long enough to be seen from here.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sharedmem.h"
#include "tap.h"

#define LONG_CAP	"1000000"	/* SHAREDMEM_SPIN: a second */
#define WATCH		0.25		/* seconds a waiter is watched */
#define TIMEOUT_NS	300000000L	/* of the timed waits */

/* The set's semaphore of the lock, and of counting semaphore 0
 * (sharedmem(7)). */
#define LOCK_SEM	0
#define COUNT_SEM	1

enum op { WAIT, TIMEDWAIT, LOCK, TIMEDLOCK, LOCK_BUMP };

static const char *const op_names[] = {
	"wait", "timedwait", "lock", "timedlock", "lock"
};

/* What a waiter says when its call returns. */
struct report {
	int	ret;
	int	error;
	int	signalled;	/* a signal handler ran meanwhile */
	int	told;		/* LOCK_BUMP: its lock failed with EOWNERDEAD */
	double	took;		/* seconds */
};

struct waiter {
	pid_t	pid;
	int	ready;		/* read end: a byte before the call */
	int	done;		/* read end: the report */
};

/* A child's handle, at file scope so that exiting with it is no leak. */
static sharedmem *volatile kept;
static volatile sig_atomic_t signalled;
static int told;

static void
on_signal(int sig)
{
	(void)sig;
	signalled = 1;
}

/* The waiter's call; LOCK_BUMP adds 1 to the segment's first long, read
 * and written apart, while it holds the lock, which it declares
 * consistent where it was told that its holder died. */
static int
call(sharedmem *shm, enum op op)
{
	struct timespec timeout = { 0, TIMEOUT_NS }, pause = { 0, 10000000L };
	volatile long *counter;
	long seen;

	switch (op) {
	case WAIT:
		return sharedmem_wait(shm, 0);
	case TIMEDWAIT:
		return sharedmem_timedwait(shm, 0, &timeout);
	case LOCK:
		return sharedmem_lock(shm);
	case TIMEDLOCK:
		return sharedmem_timedlock(shm, &timeout);
	default:
		if (sharedmem_lock(shm) == -1) {
			if (errno != EOWNERDEAD || sharedmem_consistent(shm) == -1)
				return -1;
			told = 1;
		}
		counter = sharedmem_buf(shm);
		seen = *counter;
		(void)nanosleep(&pause, NULL);
		*counter = seen + 1;
		return sharedmem_unlock(shm);
	}
}

/*
 * Starts a child that attaches name, with SHAREDMEM_SPIN set to spin (NULL:
 * unset), and makes the call op, which it reports.  SIGUSR1 only sets a
 * flag there, and ends a wait that sleeps.
 */
static struct waiter
start(const char *name, const char *spin, enum op op)
{
	struct waiter w;
	struct sigaction sa;
	struct report r;
	int ready[2], done[2];
	double t0;
	char c;

	if (pipe(ready) == -1 || pipe(done) == -1)
		bail_out("pipe: %s", strerror(errno));
	w.pid = fork_or_bail();
	if (w.pid == 0) {
		(void)close(ready[0]);
		(void)close(done[0]);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		if (sigemptyset(&sa.sa_mask) == -1 ||
		    sigaction(SIGUSR1, &sa, NULL) == -1)
			_exit(3);
		if ((spin != NULL ? setenv("SHAREDMEM_SPIN", spin, 1) :
		    unsetenv("SHAREDMEM_SPIN")) == -1)
			_exit(3);
		if ((kept = sharedmem_attach(name)) == NULL ||
		    write(ready[1], "r", 1) != 1)
			_exit(3);
		t0 = clock_seconds();
		r.ret = call(kept, op);
		r.error = errno;
		r.took = clock_seconds() - t0;
		r.signalled = signalled;
		r.told = told;
		_exit(write(done[1], &r, sizeof(r)) == (ssize_t)sizeof(r) ?
		    0 : 4);
	}
	(void)close(ready[1]);
	(void)close(done[1]);
	w.ready = ready[0];
	w.done = done[0];
	if (read(w.ready, &c, 1) != 1)
		bail_out("a waiter did not start");
	return w;
}

/* Whether w has reported within seconds. */
static int
reported(const struct waiter *w, double seconds)
{
	struct pollfd p;

	p.fd = w->done;
	p.events = POLLIN;
	return poll(&p, 1, (int)(seconds * 1000)) == 1;
}

/* Reaps w and returns its report; a waiter that failed reports -2. */
static struct report
finish(struct waiter *w)
{
	struct report r;

	if (read(w->done, &r, sizeof(r)) != (ssize_t)sizeof(r))
		r.ret = -2;
	if (wait_child(w->pid) != 0)
		r.ret = -2;
	(void)close(w->ready);
	(void)close(w->done);
	return r;
}

/* Processes queued in the kernel for semaphore num of semid to grow. */
static int
queued(int semid, int num)
{
	return semctl(semid, num, GETNCNT);
}

/* Whether nobody is queued on num through seconds, looking every 5 ms;
 * and the most queued at any look in *most. */
static int
nobody_queued(int semid, int num, double seconds, int *most)
{
	struct timespec nap = { 0, 5000000L };
	double end = clock_seconds() + seconds;
	int n;

	*most = 0;
	do {
		if ((n = queued(semid, num)) > *most)
			*most = n;
		(void)nanosleep(&nap, NULL);
	} while (clock_seconds() < end);
	return *most == 0;
}

/* Whether someone is queued on num within seconds. */
static int
someone_queued(int semid, int num, double seconds)
{
	struct timespec nap = { 0, 2000000L };
	double end = clock_seconds() + seconds;

	do {
		if (queued(semid, num) > 0)
			return 1;
		(void)nanosleep(&nap, NULL);
	} while (clock_seconds() < end);
	return 0;
}

static sharedmem *
create(const char *name)
{
	sharedmem *shm = sharedmem_open(name,
	    SHAREDMEM_CREATE | SHAREDMEM_SEMAPHORES(1), 64, 0600);

	if (shm == NULL)
		bail_out("create %s: %s", name, strerror(errno));
	return shm;
}

static void
destroy(sharedmem *shm)
{
	(void)sharedmem_unlink(shm);
	(void)sharedmem_close(shm);
}

/* How a waiter with SHAREDMEM_SPIN=spin should wait: polling, or asleep
 * in the kernel. */
static int
waits_right(int semid, int num, int polls, const char *what)
{
	int most, none;

	if (polls) {
		none = nobody_queued(semid, num, WATCH, &most);
		return ok(none, "%s polls: nobody queued on the semaphore "
		    "for %.2f s (at most %d)", what, WATCH, most);
	}
	return ok(someone_queued(semid, num, WATCH),
	    "%s sleeps at once: queued on the semaphore", what);
}

#define WHAT_SIZE	80

/*
 * Starts a waiter that makes the call op on name, with SHAREDMEM_SPIN set
 * to spin, and checks that it polls or sleeps as it should.  what, of
 * WHAT_SIZE bytes, gets the words of its tests: the variable and label.
 */
static struct waiter
begin(const char *name, int semid, const char *spin, enum op op, int polls,
    const char *label, char *what)
{
	struct waiter w;

	snprintf(what, WHAT_SIZE, "SHAREDMEM_SPIN=%s: %s", spin, label);
	w = start(name, spin, op);
#ifndef HAVE_SEMTIMEDOP
	if (!polls && (op == TIMEDWAIT || op == TIMEDLOCK)) {
		skip(1, "no semtimedop() here: %s naps between tries, "
		    "queued nowhere", what);
		return w;
	}
#endif
	waits_right(semid, op == WAIT || op == TIMEDWAIT ? COUNT_SEM :
	    LOCK_SEM, polls, what);
	return w;
}

/* wait and lock, each ended by the post or the unlock it waits for. */
static void
test_wait_and_lock(const char *spin, int polls)
{
	sharedmem *shm = create("plain");
	int semid = sharedmem_semid(shm);
	struct waiter w;
	struct report r;
	char what[WHAT_SIZE];

	w = begin("plain", semid, spin, WAIT, polls, "a wait", what);
	ok(!reported(&w, 0) && sharedmem_post(shm, 0) == 0 &&
	    (r = finish(&w)).ret == 0, "%s ends with the post", what);

	if (sharedmem_trylock(shm) == -1)
		bail_out("trylock: %s", strerror(errno));
	w = begin("plain", semid, spin, LOCK, polls, "a lock held here",
	    what);
	ok(!reported(&w, 0) && sharedmem_unlock(shm) == 0 &&
	    (r = finish(&w)).ret == 0,
	    "%s is taken by the waiter when given back", what);
	destroy(shm);
}

/* Timed waits that expire: while polling, if the cap is longer. */
static void
test_timeouts(const char *spin, int polls)
{
	sharedmem *shm = create("timed");
	int semid = sharedmem_semid(shm);
	static const enum op ops[] = { TIMEDWAIT, TIMEDLOCK };
	struct waiter w;
	struct report r;
	char what[WHAT_SIZE], label[40];
	size_t i;

	if (sharedmem_trylock(shm) == -1)
		bail_out("trylock: %s", strerror(errno));
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		snprintf(label, sizeof(label), "a %s of 0.3 s",
		    op_names[ops[i]]);
		w = begin("timed", semid, spin, ops[i], polls, label, what);
		r = finish(&w);
		/* A poll that went on to its cap of a second would show. */
		ok(r.ret == -1 && r.error == ETIMEDOUT && r.took >= 0.29 &&
		    r.took < 0.9, "%s expires with ETIMEDOUT after %.3f s "
		    "(%d, %s)", what, r.took, r.ret, strerror(r.error));
	}
	(void)sharedmem_unlock(shm);
	destroy(shm);
}

/* An unlink wakes a waiter with EIDRM. */
static void
test_unlink(const char *spin, int polls)
{
	sharedmem *shm = create("gone");
	int semid = sharedmem_semid(shm);
	struct waiter w;
	struct report r;
	char what[WHAT_SIZE];

	w = begin("gone", semid, spin, WAIT, polls, "a wait", what);
	if (sharedmem_unlink(shm) == -1)
		bail_out("unlink: %s", strerror(errno));
	r = finish(&w);
	ok(r.ret == -1 && r.error == EIDRM && r.took < 0.9,
	    "%s ends with EIDRM when the segment is unlinked (%s)", what,
	    strerror(r.error));
	(void)sharedmem_close(shm);
}

/*
 * A holder killed while two others wait for the lock: the kernel gives
 * it back, and the two take it in turn, each adding 1 to a counter; the
 * first is told that the holder died, polling or asleep.
 */
static void
test_dead_holder(const char *spin, int polls)
{
	sharedmem *shm = create("held");
	int semid = sharedmem_semid(shm), pipefd[2], most, none;
	struct waiter w[2];
	struct report r[2];
	pid_t holder;
	char c;

	if (pipe(pipefd) == -1)
		bail_out("pipe: %s", strerror(errno));
	holder = fork_or_bail();
	if (holder == 0) {
		(void)close(pipefd[0]);
		/* trylock, so that this child reads no SHAREDMEM_SPIN. */
		if ((kept = sharedmem_attach("held")) == NULL ||
		    sharedmem_trylock(kept) == -1 ||
		    write(pipefd[1], "h", 1) != 1)
			_exit(3);
		pause();
		_exit(0);
	}
	(void)close(pipefd[1]);
	if (read(pipefd[0], &c, 1) != 1)
		bail_out("the holder did not take the lock");
	(void)close(pipefd[0]);
	w[0] = start("held", spin, LOCK_BUMP);
	w[1] = start("held", spin, LOCK_BUMP);
	if (polls) {
		none = nobody_queued(semid, LOCK_SEM, WATCH, &most);
		ok(none, "SHAREDMEM_SPIN=%s: two waiters poll the held lock, "
		    "nobody queued (at most %d)", spin, most);
	} else
		ok(someone_queued(semid, LOCK_SEM, WATCH),
		    "SHAREDMEM_SPIN=%s: two waiters sleep on the held lock",
		    spin);
	if (kill(holder, SIGKILL) == -1)
		bail_out("kill: %s", strerror(errno));
	(void)wait_child(holder);
	r[0] = finish(&w[0]);
	r[1] = finish(&w[1]);
	ok(r[0].ret == 0 && r[1].ret == 0 &&
	    *(long *)sharedmem_buf(shm) == 2 && r[0].took < 0.9 &&
	    r[1].took < 0.9 && r[0].told + r[1].told == 1,
	    "... the holder is killed: both take the lock in turn, counter "
	    "%ld (%.3f s, %.3f s), one told of the death (%d, %d)",
	    *(long *)sharedmem_buf(shm), r[0].took, r[1].took, r[0].told,
	    r[1].told);
	ok(sharedmem_trylock(shm) == 0 && sharedmem_unlock(shm) == 0,
	    "... and the lock is free after them");
	destroy(shm);
}

/* With spinning on, a signal ends a wait that sleeps, as before, and not
 * a wait for the lock. */
static void
test_signals(void)
{
	sharedmem *shm = create("signal");
	int semid = sharedmem_semid(shm), ended;
	struct waiter w;
	struct report r;

	w = start("signal", NULL, WAIT);
	ok(someone_queued(semid, COUNT_SEM, 5),
	    "a wait past its poll sleeps in the kernel");
	if (kill(w.pid, SIGUSR1) == -1)
		bail_out("kill: %s", strerror(errno));
	/* A wait that the signal did not end is ended by a post. */
	ended = reported(&w, 5);
	if (!ended)
		(void)sharedmem_post(shm, 0);
	r = finish(&w);
	ok(ended && r.ret == -1 && r.error == EINTR && r.signalled,
	    "a signal handler ends it with EINTR (%s)", strerror(r.error));

	if (sharedmem_trylock(shm) == -1)
		bail_out("trylock: %s", strerror(errno));
	w = start("signal", NULL, LOCK);
	ok(someone_queued(semid, LOCK_SEM, 5),
	    "a lock past its poll sleeps in the kernel");
	if (kill(w.pid, SIGUSR1) == -1)
		bail_out("kill: %s", strerror(errno));
	ok(!reported(&w, WATCH) && sharedmem_unlock(shm) == 0 &&
	    (r = finish(&w)).ret == 0 && r.signalled,
	    "a signal handler does not end it: it takes the lock when "
	    "given back");
	destroy(shm);
}

/* One of the CPUs this process may run on, for taskset; -1: unknown. */
static int
some_cpu(void)
{
#ifdef HAVE_CPU_AFFINITY
	cpu_set_t set;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
			if (CPU_ISSET(cpu, &set))
				return cpu;
#endif
	return -1;
}

/* Whether a program is on PATH. */
static int
on_path(const char *prog)
{
	char command[256];

	snprintf(command, sizeof(command), "command -v %s >/dev/null 2>&1",
	    prog);
	return system(command) == 0;
}

/*
 * A waiter run by taskset on one CPU, with a cap of a second: it sleeps
 * at once, since its poster may need that CPU.  The waiter is this
 * program again, in the mode that main() hands to one_cpu_waiter(); it
 * says when it is about to wait, however long it took to start (an
 * emulator on a busy machine takes a while), and from then on it is
 * watched.
 */
static void
test_one_cpu(const char *self)
{
	sharedmem *shm;
	char cpu[16], fd[16], c;
	pid_t pid;
	int semid, status, ready[2];

	if (some_cpu() == -1 || !on_path("taskset")) {
		skip(2, "%s", some_cpu() == -1 ? "the CPUs of this process "
		    "are not known here" : "no taskset to run a waiter on "
		    "one CPU");
		return;
	}
	shm = create("one");
	semid = sharedmem_semid(shm);
	snprintf(cpu, sizeof(cpu), "%d", some_cpu());
	if (pipe(ready) == -1)
		bail_out("pipe: %s", strerror(errno));
	snprintf(fd, sizeof(fd), "%d", ready[1]);
	pid = fork_or_bail();
	if (pid == 0) {
		(void)close(ready[0]);
		if (setenv("SHAREDMEM_SPIN", LONG_CAP, 1) == -1)
			_exit(3);
		execlp("taskset", "taskset", "-c", cpu, self, "--wait-on",
		    "one", fd, (char *)NULL);
		_exit(5);
	}
	(void)close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		bail_out("the waiter on one CPU did not start");
	(void)close(ready[0]);
	ok(someone_queued(semid, COUNT_SEM, WATCH),
	    "SHAREDMEM_SPIN=%s on one CPU: a wait sleeps at once", LONG_CAP);
	(void)sharedmem_post(shm, 0);
	status = wait_child(pid);
	ok(status == 0, "... and ends with the post (status %d)", status);
	destroy(shm);
}

/* The waiter of test_one_cpu(), which says on the descriptor ready when
 * it is about to wait. */
static int
one_cpu_waiter(const char *name, const char *ready)
{
	int fd = atoi(ready);

	if ((kept = sharedmem_attach(name)) == NULL ||
	    write(fd, "r", 1) != 1 || close(fd) == -1)
		return 3;
	return sharedmem_wait(kept, 0) == 0 ? 0 : 4;
}

int
main(int argc, char **argv)
{
	const char *why;

	if (argc == 4 && strcmp(argv[1], "--wait-on") == 0)
		return one_cpu_waiter(argv[2], argv[3]);
	/* A wait that never ends would hang the suite: fail instead. */
	(void)alarm(120);
	plan(32);
	if ((why = no_polling()) == NULL) {
		test_wait_and_lock(LONG_CAP, 1);
		test_timeouts(LONG_CAP, 1);
		test_unlink(LONG_CAP, 1);
		test_dead_holder(LONG_CAP, 1);
	} else
		skip(13, "%s", why);
	test_wait_and_lock("0", 0);
	test_timeouts("0", 0);
	test_unlink("0", 0);
	test_dead_holder("0", 0);
	test_signals();
	test_one_cpu(argv[0]);
	return exit_status();
}
