/*
 * crash.c - creates, unlinks and removes killed at every step.
 *
 * Each operation runs in a child process that tests/torture/crashpoint
 * (loaded with LD_PRELOAD) kills with SIGKILL at its k-th call into the C
 * library, before the call and, in a second series, just after it, for
 * k = 1, 2, ... until a child runs the operation to its end.  The
 * operations: a create; a create whose first key is taken by a decoy, so
 * that it probes further; sharedmem_unlink() of a handle; sharedmem_remove()
 * of a name; and the four again for a name with a lock and SEMS counting
 * semaphores, whose create makes a semaphore set at the segment's key,
 * and whose decoy is a stray set at the first key, so that the create
 * gives up the segment it made there.  tests/ftok_fixed gives every ftok()
 * the same key, so the keys a killed create may have used are known: this
 * run's KEYS keys.
 *
 * After each kill the parent checks that
 *  1. attaching the name gives ENOENT or the whole right segment: its
 *     size, its creator, its contents, and its semaphore set: at its
 *     key, of the right size, the lock free and the counts at 0; never the
 *     decoy, never EINVAL;
 *  2. a create of the name succeeds, or fails with EEXIST only while the
 *     name is alive, and succeeds once the name is unlinked;
 *  3. gc reports no error and leaves no trace: the key directory holds
 *     nothing but the decoy's key file, and no segment or semaphore set
 *     but the decoy's sits at the run's keys; and the decoy is still
 *     there.
 * After the kills before a call, the create comes first, over whatever
 * the kill left, and sharedmem_gc() after it; after the kills after a
 * call, `sharedmem gc' comes first (the library's gc where there is no
 * tool), which may leave the name only if it is alive.
 * Whatever is left is a leak: counted, shown, and removed; a decoy that
 * is gone is counted apart, and made again.  The figures
 * at the end give the kills, the steps of each operation, and what gc
 * found after the kill at each step.
 *
 * $SHAREDMEM_TORTURE_SECONDS repeats the whole for that long, with other
 * sizes and names.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sharedmem.h"
#include "tap.h"

#define KEYS		16	/* keys of this run: fixed_ftok()'s spacing */
#define SEMS		2	/* counting semaphores, besides the lock */
#define MAX_STEPS	100	/* calls in one operation, at most */
#define TRACE_MAX	16384
#define LINE_MAX_	256
#define DIAG_MAX	40	/* failures shown in full */
#define KILLED		(128 + SIGKILL)
#define ROUNDS		3	/* in make check, at most... */
#define BRIEF_SECONDS	4	/* ...started within this time */

enum op {
	CREATE, CREATE_TAKEN, UNLINK, REMOVE,
	CREATE_SEMS, CREATE_SEMS_TAKEN, UNLINK_SEMS, REMOVE_SEMS,
	NOPS
};

static const char *const op_name[NOPS] = {
	"create", "create past a taken key", "unlink", "remove",
	"create with semaphores", "create with semaphores past a set",
	"unlink with semaphores", "remove with semaphores"
};

/* A name's System V objects. */
struct ids {
	int	shm;
	int	sem;	/* -1: none */
};

/* What gc found after a kill, and how the name stood, for the table. */
#define FOUND_FILE	0x01	/* a dead create's private file */
#define FOUND_SEGMENT	0x02	/* the segment it made */
#define FOUND_STALE	0x04	/* a stale name */
#define FOUND_OTHER	0x08	/* anything else */
#define NAME_ALIVE	0x10	/* the name was whole after the kill */
#define FOUND_SET	0x20	/* a semaphore set, gone during gc */

/* The figures of one operation. */
struct tally {
	int		steps;		/* calls, in the first round */
	int		steps_min, steps_max;
	unsigned long	kills;
	unsigned long	alive;		/* kills after which the name lived */
	unsigned long	bad_run;	/* a child not killed where it should */
	unsigned long	bad_attach;
	unsigned long	bad_create;
	unsigned long	bad_gc;
	unsigned long	found[SHAREDMEM_BAD_KEYFILE + 1];
	unsigned long	sets;		/* gone during gc */
	/* The first round: each step's trace line, and what was found
	 * after the kill before it [0] and after it [1]. */
	char		step[MAX_STEPS][LINE_MAX_];
	int		seen[2][MAX_STEPS + 1];
};

static struct tally tally[NOPS];
/* The operations run: the ones with semaphores only where gc can tell a
 * dead create's set by its sem_otime of 0. */
static enum op ops = NOPS;
static key_t fixed;		/* the first key of every create */
static sharedmem *decoy;	/* holds the first key, or NULL */
static int decoy_id = -1;
static int decoy_set = -1;	/* a stray set at the first key, or -1 */
static unsigned long leaks, failures_shown;
static unsigned long lost;	/* decoys found gone */
static const char *tool;	/* src/sharedmem, or NULL */
static mode_t mode = 0600;	/* of the creates under test */

/* Whether op creates the name, rather than working on one made before. */
static int
creates(enum op op)
{
	return op == CREATE || op == CREATE_TAKEN || op == CREATE_SEMS ||
	    op == CREATE_SEMS_TAKEN;
}

/* sharedmem_open()'s flags, besides SHAREDMEM_CREATE, of op's name. */
static int
op_flags(enum op op)
{
	if (op < CREATE_SEMS)
		return 0;
	return SHAREDMEM_LOCK | SHAREDMEM_SEMAPHORES(SEMS);
}

/* Shows a failure, up to DIAG_MAX of them. */
static void fail(const char *, ...) TAP_PRINTF(1, 2);

static void
fail(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (failures_shown++ >= DIAG_MAX)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	diag("%s", line);
}

/* Shows a child's trace, after a failure. */
static void
show_trace(const char *trace)
{
	const char *p, *nl;

	if (failures_shown > DIAG_MAX)
		return;
	for (p = trace; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		diag("    %.*s", (int)(nl - p), p);
		if (*nl == '\0')
			break;
	}
}

/*
 * Runs the module once more with crashpoint loaded before the other
 * modules (tests/ftok_fixed), unless that is done.  Skips the test if
 * there is no module: shared objects are not built.
 */
static void
preload(char **argv)
{
	const char *builddir = getenv("top_builddir");
	const char *others = getenv("LD_PRELOAD");
	char cwd[2048], module[4096], both[8192];

	if (getenv("SHAREDMEM_CRASH_MODULE") != NULL)
		return;
	if (builddir == NULL)
		builddir = ".";
	/* Absolute, for the tool too, wherever it runs. */
	if (builddir[0] != '/' && getcwd(cwd, sizeof(cwd)) == NULL)
		bail_out("getcwd: %s", strerror(errno));
	snprintf(module, sizeof(module), "%s%s%s/tests/torture/.libs/%s",
	    builddir[0] != '/' ? cwd : "", builddir[0] != '/' ? "/" : "",
	    builddir, "crashpoint.so");
	if (access(module, R_OK) != 0)
		skip_all("no %s to interpose the library's calls with", module);
	snprintf(both, sizeof(both), "%s%s%s", module,
	    others != NULL ? " " : "", others != NULL ? others : "");
	if (setenv("SHAREDMEM_CRASH_MODULE", module, 1) == -1 ||
	    setenv("LD_PRELOAD", both, 1) == -1)
		bail_out("setenv: %s", strerror(errno));
	execv(argv[0], argv);
	bail_out("exec %s: %s", argv[0], strerror(errno));
}

/* The contents the parent gives a name it makes, byte i of it. */
static unsigned char
tag(size_t i, size_t size)
{
	return (unsigned char)(i * 31 + size);
}

/* What the child does: op on name, armed to die at call k (0: never). */
static void TAP_NORETURN
child(enum op op, const char *name, size_t size, int k, int after,
    int tracefd)
{
	sharedmem *shm = NULL;
	char at[16];
	int r = -1;

	if (dup2(tracefd, STDERR_FILENO) == -1)
		_exit(3);
	if ((op == UNLINK || op == UNLINK_SEMS) &&
	    (shm = sharedmem_attach(name)) == NULL) {
		fprintf(stderr, "crash: attach %s: %s\n", name,
		    strerror(errno));
		_exit(2);
	}
	snprintf(at, sizeof(at), "%d", k);
	if (setenv("SHAREDMEM_CRASH_WHEN", after ? "after" : "before", 1)
	    == -1 || setenv("SHAREDMEM_CRASH_TRACE", "1", 1) == -1)
		_exit(3);
	/* Armed from here. */
	if (setenv("SHAREDMEM_CRASH_AT", at, 1) == -1)
		_exit(3);
	if (creates(op)) {
		shm = sharedmem_open(name, SHAREDMEM_CREATE | op_flags(op),
		    size, mode);
		r = shm != NULL ? 0 : -1;
	} else if (op == UNLINK || op == UNLINK_SEMS)
		r = sharedmem_unlink(shm);
	else
		r = sharedmem_remove(name);
	(void)unsetenv("SHAREDMEM_CRASH_AT");
	if (r == -1) {
		fprintf(stderr, "crash: %s %s: %s\n", op_name[op], name,
		    strerror(errno));
		_exit(1);
	}
	_exit(0);
}

/* Reads fd to its end into buf, as much as fits. */
static void
read_all(int fd, char *buf, size_t room)
{
	size_t len = 0;
	char junk[512];
	ssize_t n;

	for (;;) {
		if (len + 1 < room)
			n = read(fd, buf + len, room - 1 - len);
		else
			n = read(fd, junk, sizeof(junk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len + 1 < room)
			len += (size_t)n;
	}
	buf[len] = '\0';
}

/* Runs op in a child killed at call k; returns its wait_child() status
 * and fills *pid and trace. */
static int
run(enum op op, const char *name, size_t size, int k, int after, pid_t *pid,
    char *trace)
{
	int fds[2];

	if (pipe(fds) == -1)
		bail_out("pipe: %s", strerror(errno));
	fflush(stdout);
	if ((*pid = fork()) == -1)
		bail_out("fork: %s", strerror(errno));
	if (*pid == 0) {
		(void)close(fds[0]);
		child(op, name, size, k, after, fds[1]);
	}
	(void)close(fds[1]);
	read_all(fds[0], trace, TRACE_MAX);
	(void)close(fds[0]);
	return wait_child(*pid);
}

/* Line n (from 1) of a trace, without "crashpoint: N ", in line. */
static int
trace_line(const char *trace, int n, char *line)
{
	const char *p = trace, *nl;
	int i;

	for (i = 1; *p != '\0'; i++, p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		if (i == n) {
			if (strncmp(p, "crashpoint: ", 12) == 0 &&
			    (p = strchr(p + 12, ' ')) != NULL && p < nl)
				p++;
			else if (p == NULL)
				return 0;
			snprintf(line, LINE_MAX_, "%.*s", (int)(nl - p), p);
			return 1;
		}
		if (*nl == '\0')
			break;
	}
	return 0;
}

/* The trace's line k, "N CALL = RESULT KILLED after" (or "N CALL KILLED
 * before"), as CALL = RESULT (or CALL). */
static void
step_name(char *line, const char *trace, int k)
{
	char *end;

	if (!trace_line(trace, k, line))
		snprintf(line, LINE_MAX_, "?");
	else if ((end = strstr(line, " KILLED ")) != NULL)
		*end = '\0';
}

static int
creator(int id)
{
	struct shmid_ds ds;

	return shmctl(id, IPC_STAT, &ds) == 0 ? (int)ds.shm_cpid : -1;
}

/* Records for the sweep the segments at the run's keys that pid made,
 * and the semaphore sets there, which are all this run's. */
static void
track_made_by(pid_t pid)
{
	int i, id;

	for (i = 0; i < KEYS; i++) {
		if ((id = shmget(key_plus(fixed, i), 0, 0)) != -1 &&
		    creator(id) == (int)pid)
			track_shm(id);
		if ((id = semget(key_plus(fixed, i), 0, 0)) != -1)
			track_sem(id);
	}
}

/* How many semaphore sets sit at the run's keys, but the decoy's and
 * the set keep (-1: none). */
static int
sets_at_keys(int keep)
{
	int i, id, n = 0;

	for (i = 0; i < KEYS; i++)
		if ((id = semget(key_plus(fixed, i), 0, 0)) != -1 &&
		    id != decoy_set && id != keep)
			n++;
	return n;
}

/*
 * Forgets the ids tracked so far, once they are seen gone, so that the
 * sweep after a long run cannot remove a later segment of somebody else
 * that was given the same id.  (tap.c keeps them in DIR/tracked-ids.)
 */
static void
untrack(void)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tracked-ids", sharedmem_dir());
	if ((f = fopen(path, "w")) != NULL)
		(void)fclose(f);
	if (decoy_set != -1)
		track_sem(decoy_set);
}

/* Makes the stray set that holds the first key. */
static void
make_decoy_set(void)
{
	if ((decoy_set = semget(fixed, 1, IPC_CREAT | IPC_EXCL | 0600)) == -1)
		bail_out("a stray semaphore set at %#lx: %s",
		    (unsigned long)fixed, strerror(errno));
	track_sem(decoy_set);
}

/*
 * Whether shm has the semaphore set expected of op: none, or the one at
 * its key (for unlink and remove: the set made), with the lock and SEMS,
 * the lock free and the counts at 0.
 */
static int
right_set(enum op op, sharedmem *shm, int made)
{
	int i, id = sharedmem_semid(shm);

	if (op_flags(op) == 0)
		return id == -1 && sharedmem_semaphores(shm) == 0;
	if (id == -1 || id == decoy_set || sharedmem_semaphores(shm) != SEMS ||
	    semget(sharedmem_key(shm), 0, 0) != id ||
	    (!creates(op) && id != made))
		return 0;
	for (i = 0; i < SEMS; i++)
		if (sharedmem_trywait(shm, (unsigned)i) != -1 ||
		    errno != EAGAIN)
			return 0;
	return sharedmem_trylock(shm) == 0 && sharedmem_unlock(shm) == 0;
}

/* Whether shm is the whole segment expected of op: size, maker, bytes,
 * semaphores. */
static int
right_segment(enum op op, sharedmem *shm, size_t size, pid_t pid,
    const struct ids *made)
{
	const unsigned char *p = sharedmem_buf(shm);
	int by_child = creates(op);
	size_t i;

	if (sharedmem_size(shm) != size || sharedmem_id(shm) == decoy_id ||
	    (by_child ? creator(sharedmem_id(shm)) != (int)pid :
	    sharedmem_id(shm) != made->shm))
		return 0;
	for (i = 0; i < size; i++)
		if (p[i] != (by_child ? 0 : tag(i, size)))
			return 0;
	return right_set(op, shm, made->sem);
}

/* Check 1: attach.  Returns whether the name is alive, and its segment
 * and set in *ids. */
static int
check_attach(struct tally *t, enum op op, const char *name, size_t size,
    pid_t pid, const struct ids *made, int completed, struct ids *ids)
{
	sharedmem *shm;
	int err;

	errno = 0;
	shm = sharedmem_attach(name);
	err = errno;
	ids->shm = shm != NULL ? sharedmem_id(shm) : -1;
	ids->sem = shm != NULL ? sharedmem_semid(shm) : -1;
	if (shm == NULL && err != ENOENT) {
		t->bad_attach++;
		fail("%s: attach %s: %s, not ENOENT", op_name[op], name,
		    strerror(err));
	} else if (shm != NULL && !right_segment(op, shm, size, pid, made)) {
		t->bad_attach++;
		fail("%s: attach %s gave the wrong segment: shmid %d (decoy %d,"
		    " made %d), size %lu, creator %d, semid %d (decoy %d, made"
		    " %d) of %d", op_name[op], name, sharedmem_id(shm),
		    decoy_id, made->shm, (unsigned long)sharedmem_size(shm),
		    creator(sharedmem_id(shm)), sharedmem_semid(shm),
		    decoy_set, made->sem, sharedmem_semaphores(shm));
	} else if (completed && (shm != NULL) != creates(op)) {
		t->bad_attach++;
		fail("%s: the name is %s after the operation succeeded",
		    op_name[op], shm != NULL ? "there" : "gone");
	}
	if (shm != NULL && sharedmem_close(shm) == -1)
		bail_out("close %s: %s", name, strerror(errno));
	return shm != NULL;
}

/* Unlinks the live name through a handle of its own. */
static int
unlink_name(const char *name)
{
	sharedmem *shm;
	int r;

	if ((shm = sharedmem_attach(name)) == NULL)
		return -1;
	r = sharedmem_unlink(shm);
	if (sharedmem_close(shm) == -1)
		r = -1;
	return r;
}

/*
 * Check 2: a create of the name succeeds, or, while the name is alive,
 * fails with EEXIST until the name is unlinked.  Leaves the name gone.
 */
static void
check_create(struct tally *t, enum op op, const char *name, size_t size,
    int alive)
{
	sharedmem *shm;
	int err;

	errno = 0;
	shm = sharedmem_open(name, SHAREDMEM_CREATE | op_flags(op), size + 1,
	    0600);
	err = errno;
	if (alive && (shm != NULL || err != EEXIST)) {
		t->bad_create++;
		fail("%s: create of the live name %s: %s, not EEXIST",
		    op_name[op], name, shm != NULL ? "success" : strerror(err));
	}
	if (alive && shm == NULL) {
		if (unlink_name(name) == -1) {
			t->bad_create++;
			fail("%s: unlink of the live name %s: %s", op_name[op],
			    name, strerror(errno));
		}
		errno = 0;
		shm = sharedmem_open(name, SHAREDMEM_CREATE | op_flags(op),
		    size + 1, 0600);
		err = errno;
	}
	if (shm == NULL) {
		t->bad_create++;
		fail("%s: create %s after the kill: %s", op_name[op], name,
		    strerror(err));
		return;
	}
	memset(sharedmem_buf(shm), 0x5a, size + 1);
	if (sharedmem_unlink(shm) == -1 || sharedmem_close(shm) == -1) {
		t->bad_create++;
		fail("%s: unlink %s after the create: %s", op_name[op], name,
		    strerror(errno));
	}
}

/* What one gc found: a mask of FOUND_*, and its errors. */
struct found {
	struct tally	*t;
	int		 mask;
	int		 errors;
};

static void
gc_report(enum sharedmem_leftover kind, const char *file, int shmid,
    int error, void *arg)
{
	struct found *f = arg;

	f->t->found[kind]++;
	f->mask |= kind == SHAREDMEM_UNFINISHED ? FOUND_FILE :
	    kind == SHAREDMEM_UNFINISHED_SEGMENT ? FOUND_SEGMENT :
	    kind == SHAREDMEM_STALE_NAME ? FOUND_STALE : FOUND_OTHER;
	if (error != 0 || kind == SHAREDMEM_ORPHAN ||
	    kind == SHAREDMEM_BAD_KEYFILE) {
		f->errors++;
		fail("gc: kind %d, %s, shmid %d: %s", (int)kind, file, shmid,
		    error != 0 ? strerror(error) : "not expected here");
	}
}

/* `sharedmem gc', which says what it removes, one line each. */
static void
tool_gc(struct found *f)
{
	char out[TRACE_MAX], *p, *nl;
	int fds[2], status;
	pid_t pid;

	if (pipe(fds) == -1)
		bail_out("pipe: %s", strerror(errno));
	fflush(stdout);
	if ((pid = fork()) == -1)
		bail_out("fork: %s", strerror(errno));
	if (pid == 0) {
		(void)close(fds[0]);
		if (dup2(fds[1], STDOUT_FILENO) == -1 ||
		    dup2(fds[1], STDERR_FILENO) == -1)
			_exit(127);
		execl(tool, tool, "gc", (char *)NULL);
		_exit(127);
	}
	(void)close(fds[1]);
	read_all(fds[0], out, sizeof(out));
	(void)close(fds[0]);
	status = wait_child(pid);
	for (p = out; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		if (strncmp(p, "removed file ", 13) == 0) {
			f->t->found[SHAREDMEM_UNFINISHED]++;
			f->mask |= FOUND_FILE;
		} else if (strncmp(p, "removed segment ", 16) == 0) {
			f->t->found[SHAREDMEM_UNFINISHED_SEGMENT]++;
			f->mask |= FOUND_SEGMENT;
		} else if (strncmp(p, "removed stale name ", 19) == 0) {
			f->t->found[SHAREDMEM_STALE_NAME]++;
			f->mask |= FOUND_STALE;
		} else if (strcmp(p, "nothing to clean up") != 0 &&
		    strstr(p, " leftover") == NULL) {
			f->mask |= FOUND_OTHER;
			f->errors++;
			fail("sharedmem gc: %s", p);
		}
	}
	if (status != 0) {
		f->errors++;
		fail("sharedmem gc: exit status %d", status);
	}
}

/*
 * Runs gc, or the tool's; returns a mask of what it found, and adds its
 * errors to *errors.  gc does not report semaphore sets: the sets at the
 * run's keys that it removed, other than the set keep (-1: none), are
 * counted instead.
 */
static int
run_gc(struct tally *t, int use_tool, int keep, int *errors)
{
	struct found f;
	int sets = sets_at_keys(keep);

	f.t = t;
	f.mask = 0;
	f.errors = 0;
	if (use_tool)
		tool_gc(&f);
	else if (sharedmem_gc(0, gc_report, &f) == -1) {
		f.errors++;
		fail("gc: %s", strerror(errno));
	}
	if ((sets -= sets_at_keys(keep)) > 0) {
		t->sets += (unsigned long)sets;
		f.mask |= FOUND_SET;
	}
	*errors += f.errors;
	return f.mask;
}

/*
 * Check 3: nothing is left in the key directory, or at the run's keys,
 * but the decoy, and the name keep with its segment and set kept if keep
 * is not NULL.  Whatever is, is a leak, and is removed.  Returns how many;
 * a decoy found gone counts in lost.
 */
static int
no_trace(enum op op, const char *keep, const struct ids *kept_ids, pid_t pid)
{
	struct semid_ds ds;
	struct dirent *de;
	char path[4096], kept[SHAREDMEM_NAME_MAX + 16];
	DIR *d;
	int i, id, left = 0;

	if (keep != NULL)
		snprintf(kept, sizeof(kept), "sharedmem.%s",
		    keep + (keep[0] == '/'));
	if ((d = opendir(sharedmem_dir())) == NULL)
		bail_out("%s: %s", sharedmem_dir(), strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "tracked-ids") == 0 ||
		    (decoy != NULL && strcmp(de->d_name, "sharedmem.decoy") ==
		    0) || (keep != NULL && strcmp(de->d_name, kept) == 0))
			continue;
		fail("%s: left: %s", op_name[op], de->d_name);
		snprintf(path, sizeof(path), "%s/%s", sharedmem_dir(),
		    de->d_name);
		(void)unlink(path);
		left++;
	}
	(void)closedir(d);
	for (i = 0; i < KEYS; i++) {
		if ((id = shmget(key_plus(fixed, i), 0, 0)) == -1 ||
		    id == decoy_id || (keep != NULL && id == kept_ids->shm))
			continue;
		fail("%s: left: segment %d at key %#lx, made by %d (the "
		    "child was %ld)", op_name[op], id,
		    (unsigned long)key_plus(fixed, i), creator(id), (long)pid);
		if (creator(id) == (int)pid || creator(id) == (int)getpid())
			(void)shmctl(id, IPC_RMID, NULL);
		left++;
	}
	/* Only this run makes sets at its keys. */
	for (i = 0; i < KEYS; i++) {
		if ((id = semget(key_plus(fixed, i), 0, 0)) == -1 ||
		    id == decoy_set || (keep != NULL && id == kept_ids->sem))
			continue;
		if (set_stat(id, &ds) == -1)
			continue;	/* gone meanwhile */
		fail("%s: left: semaphore set %d at key %#lx, %lu semaphores, "
		    "%s (the child was %ld)", op_name[op], id,
		    (unsigned long)key_plus(fixed, i),
		    (unsigned long)ds.sem_nsems, ds.sem_otime == 0 ?
		    "never operated on" : "operated on", (long)pid);
		if (ds.sem_perm.cuid == geteuid())
			(void)semctl(id, 0, IPC_RMID);
		left++;
	}
	if (decoy != NULL && (sharedmem_lookup("decoy", NULL, &id) == -1 ||
	    id != decoy_id)) {
		fail("%s: the decoy is gone", op_name[op]);
		lost++;
	}
	if (decoy_set != -1 && semget(fixed, 0, 0) != decoy_set) {
		fail("%s: the decoy, semaphore set %d, is gone", op_name[op],
		    decoy_set);
		make_decoy_set();	/* for the kills to come */
		lost++;
	}
	return left;
}

/* Makes name, with op's semaphores, for unlink and remove to work on;
 * its segment and set go to *made. */
static void
make_name(enum op op, const char *name, size_t size, struct ids *made)
{
	sharedmem *shm;
	unsigned char *p;
	size_t i;

	shm = sharedmem_open(name, SHAREDMEM_CREATE | op_flags(op), size,
	    0600);
	if (shm == NULL)
		bail_out("create %s: %s", name, strerror(errno));
	p = sharedmem_buf(shm);
	for (i = 0; i < size; i++)
		p[i] = tag(i, size);
	made->shm = sharedmem_id(shm);
	made->sem = sharedmem_semid(shm);
	if (sharedmem_close(shm) == -1)
		bail_out("close %s: %s", name, strerror(errno));
}

/* Kills op at each of its calls, before them or after them. */
static void
series(enum op op, const char *name, size_t size, int after, int first)
{
	struct tally *t = &tally[op];
	char trace[TRACE_MAX], line[LINE_MAX_];
	struct ids made = { -1, -1 }, ids;
	int k, status, alive, mask, errors, left;
	unsigned long lost_before;
	pid_t pid;

	for (k = 1; k <= MAX_STEPS + 1; k++) {
		if (!creates(op))
			make_name(op, name, size, &made);
		status = run(op, name, size, k, after, &pid, trace);
		if (status == KILLED)
			t->kills++;
		track_made_by(pid);
		alive = check_attach(t, op, name, size, pid, &made,
		    status == 0, &ids);
		errors = 0;
		lost_before = lost;
		if (!after) {
			/* A create over what the kill left, then gc. */
			check_create(t, op, name, size, alive);
			mask = run_gc(t, 0, -1, &errors);
			left = no_trace(op, NULL, NULL, pid);
		} else {
			/* gc over what the kill left, then a create. */
			mask = run_gc(t, tool != NULL, ids.sem, &errors);
			left = no_trace(op, alive ? name : NULL, &ids, pid);
			check_create(t, op, name, size, alive);
			left += no_trace(op, NULL, NULL, pid);
		}
		leaks += (unsigned long)left;
		if (left > 0 || errors > 0 || lost != lost_before) {
			t->bad_gc++;
			step_name(line, trace, k);
			fail("%s: the above followed the kill %s call %d, %s",
			    op_name[op], after ? "after" : "before", k, line);
		} else
			untrack();
		if (alive && status == KILLED)
			t->alive++;
		if (first && k <= MAX_STEPS) {
			t->seen[after][k] = mask | (alive ? NAME_ALIVE : 0);
			if (after && status == KILLED)
				step_name(t->step[k - 1], trace, k);
		}
		if (status == KILLED)
			continue;
		if (status != 0 || k == 1) {
			t->bad_run++;
			fail("%s %s, killed %s call %d: exit status %d",
			    op_name[op], name, after ? "after" : "before", k,
			    status);
			show_trace(trace);
		}
		break;
	}
	if (k > MAX_STEPS + 1) {
		t->bad_run++;
		fail("%s: still not done after %d calls", op_name[op],
		    MAX_STEPS);
		return;
	}
	k--;	/* the calls there were */
	if (first && !after)
		t->steps = k;
	if (t->steps_min == 0 || k < t->steps_min)
		t->steps_min = k;
	if (k > t->steps_max)
		t->steps_max = k;
}

/* Both series of every operation, on name, with segments of size. */
static void
round_of(const char *name, size_t size, int first)
{
	enum op op;
	int after;

	for (op = CREATE; op < ops; op++) {
		if (op == CREATE_TAKEN) {
			if ((decoy = sharedmem_create("decoy", 64)) == NULL)
				bail_out("create decoy: %s", strerror(errno));
			decoy_id = sharedmem_id(decoy);
			if (sharedmem_key(decoy) != fixed)
				diag("the decoy is not at the first key");
		}
		if (op == CREATE_SEMS_TAKEN)
			make_decoy_set();
		for (after = 0; after <= 1; after++)
			series(op, name, size, after, first);
		if (op == CREATE_TAKEN) {
			if (sharedmem_unlink(decoy) == -1 ||
			    sharedmem_close(decoy) == -1)
				bail_out("unlink decoy: %s", strerror(errno));
			decoy = NULL;
			decoy_id = -1;
		}
		if (op == CREATE_SEMS_TAKEN) {
			if (semctl(decoy_set, 0, IPC_RMID) == -1)
				bail_out("remove the stray set %d: %s",
				    decoy_set, strerror(errno));
			decoy_set = -1;
		}
	}
}

/* A name, a size and a mode for round r: the first ones plain, then
 * others. */
static void
pick(unsigned long r, char *name, size_t room, size_t *size)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
	const char *bare;
	size_t len, i;

	/* A mode other than 0600 takes a call more. */
	mode = r % 2 == 0 ? 0640 : 0600;
	if (r == 0) {
		snprintf(name, room, "crash");
		*size = 4096;
		return;
	}
	/* Every third one with the leading '/' that names may have. */
	len = r == 1 ? SHAREDMEM_NAME_MAX : 1 + (r * 37) % 60;
	name[0] = '/';
	for (i = r % 3 == 2; i < len && i + 2 < room; i++)
		name[i] = chars[(r * 7 + i * 13) % (sizeof(chars) - 1)];
	name[i] = '\0';
	bare = name + (name[0] == '/');
	if (strcmp(bare, "decoy") == 0 || strcmp(bare, ".") == 0 ||
	    strcmp(bare, "..") == 0 || bare[0] == '\0')
		snprintf(name, room, "x%lu", r);
	*size = r == 1 ? 1 : 1 + (r * 7919) % 300000;
}

/* What gc found after a kill, for the table. */
static const char *
seen_text(int mask)
{
	static char buf[4][32];
	static int turn;
	char *s = buf[turn++ % 4], letters[8];

	snprintf(letters, sizeof(letters), "%s%s%s%s%s",
	    mask & FOUND_FILE ? "f" : "", mask & FOUND_SEGMENT ? "s" : "",
	    mask & FOUND_SET ? "S" : "", mask & FOUND_STALE ? "n" : "",
	    mask & FOUND_OTHER ? "?" : "");
	snprintf(s, sizeof(buf[0]), "%s%s%s", mask & NAME_ALIVE ? "alive" : "",
	    mask & NAME_ALIVE && letters[0] != '\0' ? "+" : "",
	    mask & NAME_ALIVE || letters[0] != '\0' ? letters : "-");
	return s;
}

static void
figures(unsigned long rounds, long seconds)
{
	unsigned long kills = 0;
	enum op op;
	int k;

	diag("what gc removed after a kill before / after each call: "
	    "f a dead create's file, s its segment, S a semaphore set, "
	    "n a stale name; alive: the name was whole");
	for (op = CREATE; op < ops; op++) {
		struct tally *t = &tally[op];

		diag("%s: %d steps", op_name[op], t->steps);
		for (k = 1; k <= t->steps && k <= MAX_STEPS; k++)
			diag("  %2d %-52s %8s / %s", k, t->step[k - 1],
			    seen_text(t->seen[0][k]), seen_text(t->seen[1][k]));
		kills += t->kills;
	}
	diag("%lu round%s in %ld s; faults injected: %lu kills",
	    rounds, rounds == 1 ? "" : "s", seconds, kills);
	for (op = CREATE; op < ops; op++)
		diag("  %-33s %2d-%d steps, %lu kills, name whole after %lu; "
		    "gc removed %lu files, %lu segments, %lu sets, %lu stale "
		    "names", op_name[op], tally[op].steps_min,
		    tally[op].steps_max, tally[op].kills, tally[op].alive,
		    tally[op].found[SHAREDMEM_UNFINISHED],
		    tally[op].found[SHAREDMEM_UNFINISHED_SEGMENT],
		    tally[op].sets, tally[op].found[SHAREDMEM_STALE_NAME]);
	diag("leaks: %lu; decoys gone: %lu", leaks, lost);
}

/* Whether the module takes: an armed create must show its calls. */
static void
probe(void)
{
	char trace[TRACE_MAX];
	pid_t pid;
	int status;

	status = run(CREATE, "probe", 64, 0, 0, &pid, trace);
	if (status != 0)
		bail_out("the probing create failed: %d: %s", status, trace);
	if (sharedmem_remove("probe") == -1)
		bail_out("remove probe: %s", strerror(errno));
	if (strstr(trace, "crashpoint: 1 ") == NULL)
		skip_all("the library's calls cannot be interposed here");
}

int
main(int argc, char **argv)
{
	const char *env = getenv("SHAREDMEM_TORTURE_SECONDS");
	const char *builddir = getenv("top_builddir");
	char name[SHAREDMEM_NAME_MAX + 1], toolpath[4096];
	unsigned long r;
	long seconds = 0;
	time_t start;
	size_t size;
	enum op op;

	(void)argc;
	fixed = fixed_ftok(argv);
	preload(argv);
	probe();
	snprintf(toolpath, sizeof(toolpath), "%s/src/sharedmem",
	    builddir != NULL ? builddir : ".");
	if (access(toolpath, X_OK) == 0)
		tool = toolpath;
	if (env != NULL && *env != '\0')
		seconds = strtol(env, NULL, 10);

	plan(4 * NOPS + 1);
	if (!ipc_reports_sem_times())
		ops = CREATE_SEMS;
	if (tool == NULL)
		diag("no %s: the library's gc runs in its place", toolpath);
	start = time(NULL);
	/* Briefly, a few rounds, fewer where processes start slowly
	 * (sanitizers); for longer, as many as fit. */
	for (r = 0; r == 0 || (seconds > 0 ? time(NULL) - start < seconds :
	    r < ROUNDS && time(NULL) - start < BRIEF_SECONDS); r++) {
		pick(r, name, sizeof(name), &size);
		round_of(name, size, r == 0);
	}
	figures(r, (long)(time(NULL) - start));

	for (op = CREATE; op < NOPS; op++) {
		struct tally *t = &tally[op];

		if (op >= ops) {
			skip(4, "%s: %s", op_name[op], SEM_TIMES_MISREPORTED);
			continue;
		}
		ok(t->bad_run == 0 && t->steps > 0, "%s: killed before and "
		    "after each of its %d calls, and done past the last",
		    op_name[op], t->steps);
		ok(t->bad_attach == 0, "%s: attach after each kill: ENOENT or "
		    "the whole right segment (%lu wrong)", op_name[op],
		    t->bad_attach);
		ok(t->bad_create == 0, "%s: a create of the name after each "
		    "kill succeeds (%lu failed)", op_name[op], t->bad_create);
		ok(t->bad_gc == 0, "%s: gc after each kill leaves no trace, "
		    "and the decoy in place (%lu failed)", op_name[op],
		    t->bad_gc);
	}
	ok(leaks == 0, "no leaks: %lu", leaks);
	return exit_status();
}
