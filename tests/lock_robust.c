/*
 * lock_robust.c - the lock as a robust mutex: the first to take it after
 * its holder died holding it is told so, with EOWNERDEAD and the lock
 * held, whether it was asleep in the wait, polling, or came later, and
 * only it; sharedmem_consistent() makes it an ordinary lock again, and an
 * unlock without it makes it not recoverable (ENOTRECOVERABLE) until the
 * segment goes.  A clean exit, or any exit but a holder's, is no death.
 * The counting semaphores are untouched by it all; a lock removed
 * meanwhile says EIDRM; sharedmem_lock_state() tells each state without
 * changing anything.  Locks of sets made before the lock told of deaths
 * (key files without held=) work as they did; a set larger than its
 * record numbers is used, its other semaphores left alone.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sharedmem.h"
#include "tap.h"

#define SIZE		64
#define POLLING		"1000000"	/* SHAREDMEM_SPIN: a poll of a second */
#define QUICK		0.5		/* seconds within which a wait ends */

/* This process's handles, and a child's own, at file scope so that a
 * child that exits with them leaks none. */
static sharedmem *shm, *plain;
static sharedmem *volatile kept;

static sharedmem *
create_locked(const char *name, int semaphores)
{
	sharedmem *made = sharedmem_open(name, SHAREDMEM_CREATE |
	    SHAREDMEM_LOCK | SHAREDMEM_SEMAPHORES(semaphores), SIZE, 0600);

	if (made == NULL)
		bail_out("create %s: %s", name, strerror(errno));
	return made;
}

static void
destroy(sharedmem *h)
{
	(void)sharedmem_unlink(h);
	(void)sharedmem_close(h);
}

/* Reads one byte from fd, or bails out saying what did not come. */
static void
await(int fd, const char *what)
{
	char c;

	if (read(fd, &c, 1) != 1)
		bail_out("%s", what);
}

/* What a holder does once it has the lock. */
enum then {
	STAY,			/* holds it until killed */
	EXIT,			/* exits holding it */
	UNLOCK_STAY,		/* gives it back, then waits to be killed */
	CONSISTENT_STAY		/* told EOWNERDEAD: consistent, and holds */
};

/*
 * Forks a process that attaches name, takes its lock with trylock (told
 * EOWNERDEAD or not), does then, and says so; returns its pid once it
 * has.  A process that exits is reaped here.
 */
static pid_t
holder(const char *name, enum then then)
{
	int ready[2];
	pid_t pid;

	if (pipe(ready) == -1)
		bail_out("pipe: %s", strerror(errno));
	if ((pid = fork_or_bail()) == 0) {
		(void)close(ready[0]);
		if ((kept = sharedmem_attach(name)) == NULL)
			_exit(3);
		if (sharedmem_trylock(kept) == -1 && errno != EOWNERDEAD)
			_exit(4);
		if ((then == UNLOCK_STAY && sharedmem_unlock(kept) == -1) ||
		    (then == CONSISTENT_STAY &&
		    sharedmem_consistent(kept) == -1))
			_exit(5);
		if (write(ready[1], "h", 1) != 1)
			_exit(6);
		if (then == EXIT)
			exit(0);
		for (;;)
			pause();
	}
	(void)close(ready[1]);
	await(ready[0], "a holder did not take the lock");
	(void)close(ready[0]);
	if (then == EXIT && wait_child(pid) != 0)
		bail_out("a holder did not exit cleanly");
	return pid;
}

static void
kill_child(pid_t pid)
{
	if (kill(pid, SIGKILL) == -1)
		bail_out("kill: %s", strerror(errno));
	(void)wait_child(pid);
}

/* Another process's trylock of name: 0, or its errno. */
static int
trylock_elsewhere(const char *name)
{
	pid_t pid;

	if ((pid = fork_or_bail()) == 0) {
		if ((kept = sharedmem_attach(name)) == NULL)
			_exit(100);
		_exit(sharedmem_trylock(kept) == 0 ? 0 : errno);
	}
	return wait_child(pid);
}

enum call { LOCK, TIMEDLOCK, TRYLOCK };
static const char *const call_names[] = { "lock", "timedlock", "trylock" };

static int
take(sharedmem *h, enum call call)
{
	struct timespec five = { 5, 0 };

	switch (call) {
	case LOCK:
		return sharedmem_lock(h);
	case TIMEDLOCK:
		return sharedmem_timedlock(h, &five);
	default:
		return sharedmem_trylock(h);
	}
}

/* What a waiter says when its call returns. */
struct report {
	int	ret;
	int	error;
	double	took;
};

struct waiter {
	pid_t	pid;
	int	done;		/* read end of the report */
};

/*
 * Starts a process that attaches name and waits in call for its lock,
 * polling or asleep as SHAREDMEM_SPIN says; once it has the lock, it
 * reports, declares it consistent where told EOWNERDEAD, gives it back
 * and exits.
 */
static struct waiter
start_waiter(const char *name, const char *spin, enum call call)
{
	struct waiter w;
	struct report r;
	int ready[2], done[2];
	double t0;

	if (pipe(ready) == -1 || pipe(done) == -1)
		bail_out("pipe: %s", strerror(errno));
	if ((w.pid = fork_or_bail()) == 0) {
		(void)close(ready[0]);
		(void)close(done[0]);
		if (setenv("SHAREDMEM_SPIN", spin, 1) == -1 ||
		    (kept = sharedmem_attach(name)) == NULL ||
		    write(ready[1], "r", 1) != 1)
			_exit(3);
		t0 = clock_seconds();
		r.ret = take(kept, call);
		r.error = errno;
		r.took = clock_seconds() - t0;
		if (write(done[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(4);
		if (r.ret == -1 && r.error == EOWNERDEAD &&
		    sharedmem_consistent(kept) == -1)
			_exit(5);
		if ((r.ret == 0 || r.error == EOWNERDEAD) &&
		    sharedmem_unlock(kept) == -1)
			_exit(6);
		_exit(0);
	}
	(void)close(ready[1]);
	(void)close(done[1]);
	await(ready[0], "a waiter did not start");
	(void)close(ready[0]);
	w.done = done[0];
	return w;
}

/* The waiter's report, once it has ended; ret -2 if it failed. */
static struct report
finish(struct waiter *w)
{
	struct report r;

	if (read(w->done, &r, sizeof(r)) != (ssize_t)sizeof(r))
		r.ret = -2, r.error = 0, r.took = 0;
	if (wait_child(w->pid) != 0)
		r.ret = -2;
	(void)close(w->done);
	return r;
}

/* Whether w's call is under way within seconds and still not over. */
static int
waiting(const struct waiter *w, double seconds)
{
	struct pollfd p;

	(void)nanosleep(&(struct timespec){ 0, (long)(seconds * 1e9) }, NULL);
	p.fd = w->done;
	p.events = POLLIN;
	return poll(&p, 1, 0) == 0;
}

/* Processes asleep in the kernel on the lock of semid. */
static int
queued(int semid)
{
	return semctl(semid, 0, GETNCNT);
}

/* A report of a call told EOWNERDEAD within QUICK seconds. */
static int
told(const struct report *r)
{
	return r->ret == -1 && r->error == EOWNERDEAD && r->took < QUICK + 5;
}

/* Those who come after a death: each call is told, holding the lock,
 * and the one after it is not. */
static void
test_later(void)
{
	shm = create_locked("later", 0);
	enum call call;

	for (call = LOCK; call <= TRYLOCK; call++) {
		kill_child(holder("later", STAY));
		FAILS_WITH(take(shm, call), EOWNERDEAD, call == LOCK ?
		    "the holder is killed: the next lock is told so" :
		    call == TIMEDLOCK ? "... the next timedlock" :
		    "... the next trylock");
		ok(trylock_elsewhere("later") == EBUSY &&
		    sharedmem_lock_state("later") == SHAREDMEM_LOCK_HELD,
		    "... holding the lock: another process finds it held");
		ok(sharedmem_consistent(shm) == 0 && sharedmem_unlock(shm) == 0,
		    "... declares it consistent and gives it back");
		ok(take(shm, call) == 0 && sharedmem_unlock(shm) == 0,
		    "... and the %s after it is an ordinary one",
		    call_names[call]);
	}
	destroy(shm);
}

/* Waiters asleep and polling when the holder dies: the one is told. */
static void
test_waiting(void)
{
	const char *why = no_polling();
	shm = create_locked("waiting", 0);
	int semid = sharedmem_semid(shm);
	struct waiter w;
	struct report r;
	pid_t pid;

	pid = holder("waiting", STAY);
	w = start_waiter("waiting", "0", LOCK);
	ok(waiting(&w, 0.1) && queued(semid) == 1,
	    "a lock asleep in the kernel on the held lock");
	kill_child(pid);
	r = finish(&w);
	ok(told(&r), "... is told when the holder is killed (%d, %s, %.3f s)",
	    r.ret, strerror(r.error), r.took);

	pid = holder("waiting", STAY);
	w = start_waiter("waiting", "0", TIMEDLOCK);
#ifdef HAVE_SEMTIMEDOP
	ok(waiting(&w, 0.1) && queued(semid) == 1,
	    "a timedlock of 5 s asleep on the held lock");
#else
	ok(waiting(&w, 0.1), "a timedlock of 5 s napping between tries of "
	    "the held lock (no semtimedop() here)");
#endif
	kill_child(pid);
	r = finish(&w);
	ok(told(&r) && r.took < 4.5, "... is told at once (%d, %s, %.3f s)",
	    r.ret, strerror(r.error), r.took);

	if (why != NULL) {
		skip(2, "%s", why);
		destroy(shm);
		return;
	}
	pid = holder("waiting", STAY);
	w = start_waiter("waiting", POLLING, LOCK);
	ok(waiting(&w, 0.1) && queued(semid) == 0,
	    "a lock polling the held lock, for a second at most (%d queued)",
	    queued(semid));
	kill_child(pid);
	r = finish(&w);
	ok(told(&r) && r.took < 0.9, "... is told at once, not at the end of "
	    "its poll (%d, %s, %.3f s)", r.ret, strerror(r.error), r.took);
	destroy(shm);
}

/* Three waiters, one asleep and two polling: one is told, the others
 * take an ordinary lock in turn. */
static void
test_one_of_many(void)
{
	static const char *const spins[] = { "0", POLLING, POLLING };
	shm = create_locked("many", 0);
	struct waiter w[3];
	struct report r;
	int i, told_n = 0, took_n = 0;
	pid_t pid;

	pid = holder("many", STAY);
	for (i = 0; i < 3; i++)
		w[i] = start_waiter("many", spins[i], i == 1 ? TIMEDLOCK : LOCK);
	(void)waiting(&w[0], 0.1);
	kill_child(pid);
	for (i = 0; i < 3; i++) {
		r = finish(&w[i]);
		told_n += r.ret == -1 && r.error == EOWNERDEAD;
		took_n += r.ret == 0;
	}
	ok(told_n == 1 && took_n == 2, "three waiters of a holder killed: one "
	    "is told, two take the lock (%d told, %d took)", told_n, took_n);
	ok(sharedmem_trylock(shm) == 0 && sharedmem_unlock(shm) == 0,
	    "... and the lock is free after them");
	destroy(shm);
}

/* Exits that are no death of a holder, and one that is. */
static void
test_clean_exits(void)
{
	shm = create_locked("clean", 0);
	struct waiter w;
	pid_t pid;

	pid = holder("clean", UNLOCK_STAY);
	kill_child(pid);
	ok(sharedmem_trylock(shm) == 0,
	    "a process killed after it gave the lock back: no word of it");
	w = start_waiter("clean", "0", LOCK);
	(void)waiting(&w, 0.05);
	kill_child(w.pid);
	(void)close(w.done);
	ok(sharedmem_unlock(shm) == 0 && sharedmem_trylock(shm) == 0,
	    "a process killed while it waited for the lock: no word of it");
	(void)sharedmem_unlock(shm);
	if ((pid = fork_or_bail()) == 0) {
		kept = sharedmem_attach("clean");
		exit(kept != NULL ? 0 : 3);
	}
	ok(wait_child(pid) == 0 && sharedmem_trylock(shm) == 0,
	    "a process that never took it exits: no word of it");
	(void)sharedmem_unlock(shm);
	(void)holder("clean", EXIT);
	FAILS_WITH(sharedmem_trylock(shm), EOWNERDEAD,
	    "a process that exits holding it, killed or not, dies holding it");
	(void)sharedmem_consistent(shm);
	(void)sharedmem_unlock(shm);
	destroy(shm);
}

/* The one told dies too: the next is told again, whether or not the
 * first had declared the data consistent. */
static void
test_told_dies(void)
{
	shm = create_locked("again", 0);

	kill_child(holder("again", STAY));
	kill_child(holder("again", STAY));
	FAILS_WITH(sharedmem_trylock(shm), EOWNERDEAD,
	    "a holder told EOWNERDEAD is killed in turn: the next is told");
	destroy(shm);

	shm = create_locked("again", 0);
	kill_child(holder("again", STAY));
	kill_child(holder("again", CONSISTENT_STAY));
	FAILS_WITH(sharedmem_trylock(shm), EOWNERDEAD,
	    "one killed after sharedmem_consistent(), before its unlock: "
	    "the next is told");
	ok(sharedmem_consistent(shm) == 0 && sharedmem_unlock(shm) == 0 &&
	    sharedmem_trylock(shm) == 0 && sharedmem_unlock(shm) == 0,
	    "... and makes it an ordinary lock again");
	destroy(shm);
}

/* An unlock without sharedmem_consistent(): not recoverable, for a
 * waiter and for all who come later, until the segment goes. */
static void
test_not_recoverable(void)
{
	struct timespec tenth = { 0, 100000000L };
	shm = create_locked("broken", 0);
	struct waiter w;
	struct report r;

	kill_child(holder("broken", STAY));
	if (sharedmem_lock(shm) != -1 || errno != EOWNERDEAD)
		bail_out("the lock of a killed holder: %s", strerror(errno));
	w = start_waiter("broken", "0", LOCK);
	(void)waiting(&w, 0.05);
	ok(sharedmem_unlock(shm) == 0, "the one told gives the lock back "
	    "without sharedmem_consistent()");
	r = finish(&w);
	ok(r.ret == -1 && r.error == ENOTRECOVERABLE, "a waiter is told "
	    "ENOTRECOVERABLE (%d, %s)", r.ret, strerror(r.error));
	FAILS_WITH(sharedmem_lock(shm), ENOTRECOVERABLE, "... and so is lock");
	FAILS_WITH(sharedmem_trylock(shm), ENOTRECOVERABLE, "... trylock");
	FAILS_WITH(sharedmem_timedlock(shm, &tenth), ENOTRECOVERABLE,
	    "... and timedlock");
	ok(trylock_elsewhere("broken") == ENOTRECOVERABLE,
	    "... in another process too");
	ok(sharedmem_lock_state("broken") == SHAREDMEM_LOCK_NOT_RECOVERABLE,
	    "sharedmem_lock_state() says it is not recoverable");
	FAILS_WITH(sharedmem_unlock(shm), EPERM, "nobody holds it: unlock");
	FAILS_WITH(sharedmem_consistent(shm), EINVAL,
	    "nor may anyone declare it consistent");
	destroy(shm);
	shm = create_locked("broken", 0);
	ok(sharedmem_trylock(shm) == 0 && sharedmem_unlock(shm) == 0,
	    "the name made again has an ordinary lock");
	destroy(shm);
}

static void
test_consistent_errors(void)
{
	shm = create_locked("errors", 0);

	FAILS_WITH(sharedmem_consistent(shm), EINVAL,
	    "sharedmem_consistent() of a free lock");
	(void)sharedmem_lock(shm);
	FAILS_WITH(sharedmem_consistent(shm), EINVAL,
	    "... of a lock taken without word of a death");
	(void)sharedmem_unlock(shm);
	FAILS_WITH(sharedmem_consistent(NULL), EINVAL, "... of NULL");
	if ((plain = sharedmem_create("plain", SIZE)) == NULL)
		bail_out("create plain: %s", strerror(errno));
	FAILS_WITH(sharedmem_consistent(plain), ENOTSUP,
	    "... of a segment without a lock");
	FAILS_WITH(sharedmem_lock_state("plain"), ENOTSUP,
	    "sharedmem_lock_state() of a name without a lock");
	destroy(plain);
	ok(sharedmem_creator(shm) == geteuid(),
	    "sharedmem_creator() of a create: the caller's uid");
	kept = sharedmem_attach("errors");
	ok(kept != NULL && sharedmem_creator(kept) == geteuid(),
	    "... and of an attach");
	(void)sharedmem_close(kept);
	destroy(shm);
}

/* The counting semaphores, before the held semaphore in the set, keep
 * their counts through a death and its repair. */
static void
test_semaphores_untouched(void)
{
	shm = create_locked("counts", 2);
	struct semid_ds ds;
	int i, n0 = 0, n1 = 0;

	for (i = 0; i < 3; i++)
		(void)sharedmem_post(shm, 0);
	(void)sharedmem_post(shm, 1);
	kill_child(holder("counts", STAY));
	FAILS_WITH(sharedmem_lock(shm), EOWNERDEAD, "a death in a set of two "
	    "counting semaphores");
	(void)sharedmem_consistent(shm);
	(void)sharedmem_unlock(shm);
	while (sharedmem_trywait(shm, 0) == 0)
		n0++;
	while (sharedmem_trywait(shm, 1) == 0)
		n1++;
	ok(n0 == 3 && n1 == 1 && sharedmem_semaphores(shm) == 2,
	    "... leaves their counts (%d, %d) and their number", n0, n1);
	if (set_stat(sharedmem_semid(shm), &ds) == -1)
		bail_out("IPC_STAT: %s", strerror(errno));
	ok(ds.sem_nsems == 4, "the set holds the lock, the two and the held "
	    "semaphore (%lu)", (unsigned long)ds.sem_nsems);
	destroy(shm);
}

/* A lock removed while a process waits for it, or with its holder dead. */
static void
test_removed(void)
{
	shm = create_locked("gone", 0);
	struct waiter w;
	struct report r;
	pid_t pid;

	pid = holder("gone", STAY);
	w = start_waiter("gone", "0", LOCK);
	(void)waiting(&w, 0.05);
	ok(sharedmem_unlink(shm) == 0, "the segment is unlinked while a "
	    "process waits for its held lock");
	r = finish(&w);
	ok(r.ret == -1 && r.error == EIDRM, "... which ends the wait with "
	    "EIDRM (%d, %s)", r.ret, strerror(r.error));
	kill_child(pid);
	FAILS_WITH(sharedmem_lock(shm), EIDRM, "the lock of its dead holder "
	    "then");
	(void)sharedmem_close(shm);

	shm = create_locked("gone", 0);
	kill_child(holder("gone", STAY));
	ok(semctl(sharedmem_semid(shm), 0, IPC_RMID) == 0,
	    "ipcrm -s of a lock whose holder died");
	FAILS_WITH(sharedmem_trylock(shm), EIDRM, "... trylock");
	FAILS_WITH(sharedmem_consistent(shm), EINVAL, "... consistent: "
	    "nothing to declare");
	FAILS_WITH(sharedmem_lock_state("gone"), EIDRM, "... lock state");
	destroy(shm);
}

/* sharedmem_lock_state(): each state, and nothing changed by asking. */
static void
test_state(void)
{
	shm = create_locked("state", 1);
	struct semid_ds before, after;
	int semid = sharedmem_semid(shm);
	pid_t pid;

	ok(sharedmem_lock_state("state") == SHAREDMEM_LOCK_FREE,
	    "sharedmem_lock_state(): free");
	pid = holder("state", STAY);
	ok(sharedmem_lock_state("state") == SHAREDMEM_LOCK_HELD,
	    "... held by another process");
	kill_child(pid);
	if (set_stat(semid, &before) == -1)
		bail_out("IPC_STAT: %s", strerror(errno));
	ok(sharedmem_lock_state("state") == SHAREDMEM_LOCK_HOLDER_DIED &&
	    sharedmem_lock_state("/state") == SHAREDMEM_LOCK_HOLDER_DIED,
	    "... its holder died");
	if (set_stat(semid, &after) == -1)
		bail_out("IPC_STAT: %s", strerror(errno));
	if (ipc_reports_sem_times())
		ok(after.sem_otime == before.sem_otime, "... and asking "
		    "operated on nothing: the set's last semop is as it was");
	else
		skip(1, SEM_TIMES_MISREPORTED);
	ok(trylock_elsewhere("state") == EOWNERDEAD,
	    "... nor changed the lock: the next to take it is told");
	kill_child(holder("state", STAY));	/* the one told, killed too */
	(void)sharedmem_lock(shm);
	ok(sharedmem_lock_state("state") == SHAREDMEM_LOCK_HELD,
	    "... held by the one told");
	(void)sharedmem_consistent(shm);
	(void)sharedmem_unlock(shm);
	if (shmctl(sharedmem_id(shm), IPC_RMID, NULL) == -1)
		bail_out("IPC_RMID: %s", strerror(errno));
	FAILS_WITH(sharedmem_lock_state("state"), ESTALE,
	    "... of a name whose segment ipcrm(1) removed");
	FAILS_WITH(sharedmem_lock_state("none"), ENOENT, "... of no name");
	FAILS_WITH(sharedmem_lock_state("a/b"), EINVAL, "... of a bad name");
	(void)sharedmem_remove("state");
	(void)sharedmem_close(shm);
}

/* The " boot=..." of the records of this run, or "". */
static void
boot_field(char *buf, size_t len)
{
	sharedmem *made = sharedmem_create("boot", 1);
	char line[1024], *b, *e;
	FILE *f;

	buf[0] = '\0';
	if (made == NULL || (f = fopen(keyfile("boot"), "r")) == NULL)
		bail_out("a key file to read the run from: %s",
		    strerror(errno));
	if (fgets(line, sizeof(line), f) != NULL &&
	    (b = strstr(line, " boot=")) != NULL &&
	    (e = strchr(b + 1, ' ')) != NULL)
		snprintf(buf, len, "%.*s", (int)(e - b), b);
	(void)fclose(f);
	destroy(made);
}

/*
 * Makes by hand the name, a segment and a set of nsems semaphores with
 * values, and its key file of version 2 with sems and held (-1: no held
 * field), as another version of the library would; returns the semid.
 */
static int
made_by_hand(const char *name, int nsems, unsigned short *values, int sems,
    int held)
{
	char boot[256], line[1024], semfields[128];
	union { int val; struct semid_ds *buf; unsigned short *array; } arg;
	key_t key;
	int i, shmid = -1, semid = -1, fd, n;

	boot_field(boot, sizeof(boot));
	if ((key = ftok(keyfile(name), 'H')) == (key_t)-1 &&
	    (key = ftok(".", 'H')) == (key_t)-1)
		bail_out("ftok: %s", strerror(errno));
	for (i = 0; i < 64 && semid == -1; i++, key = key_plus(key, 1)) {
		if ((shmid = shmget(key, SIZE, IPC_CREAT | IPC_EXCL | 0600)) ==
		    -1)
			continue;
		track_shm(shmid);
		if ((semid = semget(key, nsems, IPC_CREAT | IPC_EXCL | 0600)) ==
		    -1) {
			(void)shmctl(shmid, IPC_RMID, NULL);
			continue;
		}
		track_sem(semid);
	}
	if (semid == -1)
		bail_out("no free key for a set made by hand");
	key = key_plus(key, -1);
	arg.array = values;
	if (semctl(semid, 0, SETALL, arg) == -1)
		bail_out("SETALL: %s", strerror(errno));
	n = snprintf(semfields, sizeof(semfields), " semid=%d sems=%d", semid,
	    sems);
	if (held != -1)
		snprintf(semfields + n, sizeof(semfields) - (size_t)n,
		    " held=%d", held);
	n = snprintf(line, sizeof(line), "sharedmem 2 key=0x%08lx shmid=%d "
	    "size=%d pid=%ld%s%s name=%s\n",
	    (unsigned long)key & 0xffffffffUL, shmid, SIZE, (long)getpid(),
	    semfields, boot, name);
	if ((fd = open(keyfile(name), O_WRONLY | O_CREAT | O_EXCL, 0600)) ==
	    -1 || write(fd, line, (size_t)n) != n || close(fd) == -1)
		bail_out("%s: %s", keyfile(name), strerror(errno));
	return semid;
}

/* A name whose set has no held semaphore, as sharedmem 0.3 made them:
 * its lock works as it did, and never tells of a death. */
static void
test_older_set(void)
{
	unsigned short values[] = { 1, 0 };

	(void)made_by_hand("older", 2, values, 2, -1);
	shm = sharedmem_attach("older");
	ok(shm != NULL && sharedmem_semaphores(shm) == 1,
	    "a name made without a held semaphore attaches, with its counting "
	    "semaphore");
	if (shm == NULL)
		bail_out("attach older: %s", strerror(errno));
	ok(sharedmem_lock(shm) == 0 && trylock_elsewhere("older") == EBUSY &&
	    sharedmem_unlock(shm) == 0, "... and its lock excludes others");
	kill_child(holder("older", STAY));
	ok(sharedmem_trylock(shm) == 0, "... a holder killed leaves it free, "
	    "without a word, as before");
	FAILS_WITH(sharedmem_consistent(shm), EINVAL,
	    "... there is nothing to declare consistent");
	ok(sharedmem_lock_state("older") == SHAREDMEM_LOCK_HELD &&
	    sharedmem_unlock(shm) == 0 &&
	    sharedmem_lock_state("older") == SHAREDMEM_LOCK_FREE,
	    "... sharedmem_lock_state() tells held and free");
	ok(sharedmem_post(shm, 0) == 0 && sharedmem_trywait(shm, 0) == 0,
	    "... and its semaphore counts");
	ok(sharedmem_remove("older") == 0, "... and it is removed, set and all");
	(void)sharedmem_close(shm);
}

/* A set larger than its record numbers, as a later version may make
 * one: used, and the semaphore past the held one left alone. */
static void
test_larger_set(void)
{
	unsigned short values[] = { 1, 0, 0, 7 };
	int semid;

	semid = made_by_hand("larger", 4, values, 2, 2);
	shm = sharedmem_attach("larger");
	ok(shm != NULL && sharedmem_semaphores(shm) == 1,
	    "a set with a semaphore past the held one: the name attaches");
	if (shm == NULL)
		bail_out("attach larger: %s", strerror(errno));
	kill_child(holder("larger", STAY));
	FAILS_WITH(sharedmem_lock(shm), EOWNERDEAD, "... its lock tells of "
	    "a death");
	ok(sharedmem_consistent(shm) == 0 && sharedmem_unlock(shm) == 0 &&
	    semctl(semid, 3, GETVAL) == 7 && semctl(semid, 2, GETVAL) == 0,
	    "... and the semaphore past it keeps its value");
	(void)sharedmem_remove("larger");
	(void)sharedmem_close(shm);

	semid = made_by_hand("short", 2, values, 2, 2);
	if ((shm = sharedmem_attach("short")) == NULL)
		bail_out("attach short: %s", strerror(errno));
	FAILS_WITH(sharedmem_trylock(shm), EIDRM, "a set too small for the "
	    "held semaphore its record names is not the name's: its lock");
	FAILS_WITH(sharedmem_lock_state("short"), EIDRM, "... its state");
	(void)sharedmem_remove("short");
	(void)sharedmem_close(shm);
	/* Not the name's, so not removed with it. */
	(void)semctl(semid, 0, IPC_RMID);
}

/* The key file that 0.4 wrote of a name with a lock and two counting
 * semaphores, kept in tests/keyfiles/0.4: read as such, and judged
 * stale, as of another run of the system. */
static void
test_fixture(void)
{
	const char *srcdir = getenv("top_srcdir");
	struct sharedmem_info info;
	char path[4096], line[1024];
	FILE *in, *out;

	snprintf(path, sizeof(path), "%s/tests/keyfiles/0.4/sharedmem.locked",
	    srcdir != NULL ? srcdir : ".");
	if ((in = fopen(path, "r")) == NULL ||
	    fgets(line, sizeof(line), in) == NULL ||
	    (out = fopen(keyfile("locked"), "w")) == NULL ||
	    fputs(line, out) == EOF || fclose(out) == EOF)
		bail_out("%s: %s", path, strerror(errno));
	(void)fclose(in);
	ok(sharedmem_inspect("locked", &info) == 0 && info.semaphores == 2 &&
	    info.semid == 0 && info.state != SHAREDMEM_LIVE,
	    "the key file of 0.4 of a name with a lock and two semaphores "
	    "reads: semid 0, two semaphores, stale here");
	FAILS_WITH(sharedmem_lock_state("locked"), ESTALE,
	    "... its lock state");
	(void)sharedmem_remove("locked");
}

/* A lock held by a program that takes semaphore 0 alone, as sharedmem(7)
 * shows: the library waits for it, and does not give it back for it. */
static void
test_foreign_holder(void)
{
	shm = create_locked("foreign", 0);
	struct sembuf op = { 0, -1, SEM_UNDO };
	int semid = sharedmem_semid(shm);

	if (semop(semid, &op, 1) == -1)
		bail_out("semop: %s", strerror(errno));
	FAILS_WITH(sharedmem_trylock(shm), EBUSY, "a lock taken by semop "
	    "alone, as another program does: trylock");
	FAILS_WITH(sharedmem_unlock(shm), EPERM, "... the library's unlock "
	    "does not give it back");
	op.sem_op = 1;
	(void)semop(semid, &op, 1);
	ok(sharedmem_trylock(shm) == 0 && sharedmem_unlock(shm) == 0,
	    "... and once given back, it is an ordinary lock");
	destroy(shm);
}

int
main(void)
{
	/* A broken lock would block for ever: fail instead. */
	(void)alarm(120);
	plan(80);
	/* First, before this process waits for a lock itself: the library
	 * reads SHAREDMEM_SPIN once, and the waiters forked after that
	 * would keep what it read here instead of their own. */
	test_waiting();
	test_one_of_many();
	test_later();
	test_clean_exits();
	test_told_dies();
	test_not_recoverable();
	test_consistent_errors();
	test_semaphores_untouched();
	test_removed();
	test_state();
	test_older_set();
	test_larger_set();
	test_foreign_holder();
	test_fixture();
	return exit_status();
}
