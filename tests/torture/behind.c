/*
 * behind.c - things removed or replaced behind the library's back, while
 * it is in use.
 *
 * ipcrm(1) of a segment (shmctl IPC_RMID) while it is attached and
 * between operations; the deletion of a key file as a tmp cleaner would
 * do it; the key directory made unreadable (mode 0), removed, recreated,
 * and replaced by a file; a key file replaced by a symbolic link, a
 * directory, a FIFO, garbage, a truncated record or an empty file.  Each
 * must give a clear error or a clean recovery: never a crash, a hang (an
 * alarm guards every process) or an attach of the wrong segment.
 *
 * Each case runs once in order, with every result checked, and then as a
 * race for a fixed time: processes that keep attaching, looking up,
 * creating and collecting garbage against a process that keeps doing the
 * damage, so that it falls between the library's steps.  The races count
 * operations, faults injected and anomalies (a result that is neither
 * the expected error nor the right segment).  Segments carry their name
 * and their creator's tag, so that a wrong one shows.
 *
 * The key directory's permissions do not stop root: when euid is 0, the
 * checks of a mode-0 directory run in a child that becomes "nobody", in
 * the key directory given to nobody for the while (skipped when there is
 * no such user, or nobody cannot reach the directory).
 *
 * Duration: $SHAREDMEM_TORTURE_SECONDS for the races in all, or 5 seconds
 * when it is unset or empty.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sharedmem.h"
#include "../tap.h"

#define SIZE		4096
#define MAX_TRACKED	256
#define SHOWN		5	/* anomalies a process describes */
#define READY		0x52454459UL
#define DEFAULT_SECONDS	5

/* The start of every segment this test makes; the rest of the segment
 * is filled with the byte fill. */
struct mark {
	char		name[32];
	long		owner;
	unsigned long	serial;
	unsigned long	size;
	unsigned char	fill;
	volatile unsigned long ready;
};

/* What each process of a race counts, and sends its parent. */
struct tally {
	long	ops;		/* library calls */
	long	right;		/* attaches that got the right segment */
	long	refused;	/* the expected errors */
	long	faults;		/* damage done */
	long	taken;		/* names created while their file was away */
	long	missed;		/* planted files gone when they were to go */
	long	anomalies;
};

enum kind { K_SYMLINK, K_DIR, K_FIFO, K_GARBAGE, K_TRUNCATED, K_EMPTY,
	NKINDS };

static const char *const kind_names[NKINDS] = {
	"a symbolic link to a live key file", "a directory", "a FIFO",
	"a file of garbage", "a truncated record", "an empty file"
};

/* At file scope, so that processes that exit holding them do not seem
 * to leak them. */
static sharedmem *volatile h1, *volatile h2, *volatile hv;

static char dir[4096], away[4200];
static int tracked[MAX_TRACKED], ntracked, no_tracking;
static uid_t dir_owner = (uid_t)-1;	/* to give the directory back */
static double race_seconds;
static struct tally tally;
static unsigned long serials;
static unsigned int seed;

static unsigned int
rnd(void)
{
	seed = seed * 1103515245U + 12345U;
	return seed >> 8;
}

static void
nap_us(long us)
{
	struct timespec ts;

	ts.tv_sec = us / 1000000;
	ts.tv_nsec = (us % 1000000) * 1000;
	(void)nanosleep(&ts, NULL);
}

static void anomaly(const char *, ...) TAP_PRINTF(1, 2);

/* Counts an anomaly, and describes the first few in one write, so that
 * the processes' lines do not mix. */
static void
anomaly(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	if (tally.anomalies++ >= SHOWN)
		return;
	n = snprintf(line, sizeof(line), "# pid %ld: ", (long)getpid());
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	(void)write(STDOUT_FILENO, line, (size_t)n);
}

/*
 * The alarm: puts the key directory back as the sweep expects it, and
 * bails out.  Only async-signal-safe calls.
 */
static void
timed_out(int sig)
{
	static const char msg[] = "Bail out! timed out: something hangs\n";

	struct stat st;

	(void)sig;
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		(void)unlink(dir);
		if (rename(away, dir) == -1)
			(void)mkdir(dir, 0700);
	}
	if (dir_owner != (uid_t)-1)
		(void)chown(dir, dir_owner, (gid_t)-1);
	(void)chmod(dir, 0700);
	(void)write(STDOUT_FILENO, msg, sizeof(msg) - 1);
	_exit(99);
}

/* Forks; the child dies of its own alarm if it hangs. */
static pid_t
spawn(void)
{
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == -1)
		bail_out("fork: %s", strerror(errno));
	if (pid == 0) {
		(void)signal(SIGALRM, SIG_DFL);
		alarm((unsigned int)race_seconds + 60);
		memset(&tally, 0, sizeof(tally));
		seed = (unsigned int)getpid();
	}
	return pid;
}

/* Records a segment for the sweep, should the test die with it. */
static void
track(int id)
{
	if (no_tracking)
		return;
	track_shm(id);
	if (ntracked < MAX_TRACKED)
		tracked[ntracked++] = id;
}

/* Tracks the segments again in a key directory made anew. */
static void
retrack(void)
{
	int i;

	for (i = 0; i < ntracked; i++)
		track_shm(tracked[i]);
}

static void
write_file(const char *path, const void *buf, size_t len)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(fd, buf, len) != (ssize_t)len || close(fd) == -1)
		bail_out("write %s: %s", path, strerror(errno));
}

/* Reads up to len bytes of path; -1 if it cannot. */
static ssize_t
read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK)) == -1)
		return -1;
	n = read(fd, buf, len);
	(void)close(fd);
	return n;
}

/* Marks a new segment as name's, made by this process. */
static void
mark(sharedmem *shm, const char *name)
{
	struct mark *m = sharedmem_buf(shm);
	size_t size = sharedmem_size(shm);

	snprintf(m->name, sizeof(m->name), "%s", name);
	m->owner = (long)getpid();
	m->serial = serials++;
	m->size = (unsigned long)size;
	m->fill = (unsigned char)(m->serial % 251 + 1);
	memset((char *)sharedmem_buf(shm) + sizeof(*m), m->fill,
	    size - sizeof(*m));
	m->ready = READY;
}

/*
 * Checks that shm holds name's segment, of owner (-1: anyone) with serial
 * (ignored for owner -1), whole: 1 yes, 0 not marked yet, -1 no (and says
 * why in why, if not NULL).
 */
static int
marked(sharedmem *shm, const char *name, long owner, unsigned long serial,
    char *why, size_t whylen)
{
	const struct mark *m = sharedmem_buf(shm);
	const unsigned char *p = sharedmem_buf(shm);
	size_t size = sharedmem_size(shm), i;
	unsigned long ready;
	char dummy[8];

	if (why == NULL) {
		why = dummy;
		whylen = sizeof(dummy);
	}
	if (size < sizeof(*m)) {
		snprintf(why, whylen, "only %lu bytes", (unsigned long)size);
		return -1;
	}
	if ((ready = m->ready) != READY) {
		if (ready == 0)
			return 0;
		snprintf(why, whylen, "ready marker %#lx", ready);
		return -1;
	}
	if (memchr(m->name, '\0', sizeof(m->name)) == NULL ||
	    strcmp(m->name, name) != 0 ||
	    (owner != -1 && (m->owner != owner || m->serial != serial)) ||
	    m->size != size) {
		snprintf(why, whylen, "got %.32s's segment by %ld #%lu, %lu "
		    "bytes, not %s's by %ld #%lu, %lu bytes", m->name,
		    m->owner, m->serial, m->size, name, owner, serial,
		    (unsigned long)size);
		return -1;
	}
	for (i = sizeof(*m); i < size; i++)
		if (p[i] != m->fill) {
			snprintf(why, whylen, "byte %lu is %d, not %d",
			    (unsigned long)i, p[i], m->fill);
			return -1;
		}
	return 1;
}

/* Whether shm's segment is name's, whole, as this process marked it. */
static int
mine(sharedmem *shm, const char *name)
{
	const struct mark *m = sharedmem_buf(shm);

	return marked(shm, name, (long)getpid(), m->serial, NULL, 0) == 1;
}

/* Whether name attaches to the segment of shm, unharmed. */
static int
attaches_to(const char *name, sharedmem *shm)
{
	const struct mark *m = sharedmem_buf(shm);
	sharedmem *other;
	int r;

	if ((other = sharedmem_attach(name)) == NULL)
		return 0;
	r = sharedmem_id(other) == sharedmem_id(shm) &&
	    marked(other, name, m->owner, m->serial, NULL, 0) == 1;
	(void)sharedmem_close(other);
	return r;
}

/* Whether the segment id is gone, or only still there for those that
 * have it attached (Linux keeps the id usable until the last detach,
 * but the key is free at once). */
static int
segment_gone(key_t key, int id)
{
	struct shmid_ds ds;

	if (shmctl(id, IPC_STAT, &ds) == -1)
		return errno == EINVAL || errno == EIDRM;
	return shmget(key, 0, 0) != id;
}

static sharedmem *
create_marked(const char *name)
{
	sharedmem *shm;

	if ((shm = sharedmem_create(name, SIZE)) == NULL)
		bail_out("create %s: %s", name, strerror(errno));
	track(sharedmem_id(shm));
	mark(shm, name);
	return shm;
}

/* Unlinks and closes shm, which must work. */
static void
dispose(sharedmem *shm)
{
	if (sharedmem_unlink(shm) == -1)
		bail_out("unlink %s: %s", sharedmem_name(shm), strerror(errno));
	(void)sharedmem_close(shm);
}

/* Files in the key directory other than tracked-ids and the key file
 * of the name but (NULL: none). */
/* Says what a file left in the key directory is, and holds. */
static void
describe_left(const char *file)
{
	char path[4200], buf[160];
	struct stat st;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (lstat(path, &st) == -1 || !S_ISREG(st.st_mode)) {
		diag("left in the key directory: %s", file);
		return;
	}
	n = read_file(path, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	diag("left in the key directory: %s, %ld links: \"%s\"", file,
	    (long)st.st_nlink, buf);
}

static int
files_left(const char *but)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		bail_out("opendir %s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    strcmp(de->d_name, "tracked-ids") != 0 &&
		    (but == NULL || strncmp(de->d_name, "sharedmem.", 10) != 0 ||
		    strcmp(de->d_name + 10, but) != 0)) {
			describe_left(de->d_name);
			n++;
		}
	(void)closedir(d);
	return n;
}

/* gc's findings, for the checks. */
struct found {
	int	bad, removed, other;
	char	bad_file[64];
};

static void
gc_report(enum sharedmem_leftover kind, const char *file, int shmid,
    int error, void *arg)
{
	struct found *f = arg;

	(void)shmid;
	if (kind == SHAREDMEM_BAD_KEYFILE) {
		f->bad++;
		snprintf(f->bad_file, sizeof(f->bad_file), "%s", file);
	} else
		f->other++;
	if (error == 0)
		f->removed++;
}

/* -------------------------------------------------------------- races */

/*
 * Waits until process pid has ended, without reaping it: while it is a
 * zombie its pid cannot be reused, so that the segments it made can be
 * told from those of a newcomer.
 */
static void
await_end(pid_t pid)
{
#ifdef WNOWAIT
	siginfo_t si;

	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == -1)
		if (errno != EINTR)
			bail_out("waitid: %s", strerror(errno));
#else
	(void)pid;
#endif
}


typedef void racer(double, void *);

/* The first racer's pid, known to those forked after it, and the
 * segments it left (see race()). */
static pid_t first_racer;
static int race_leaks;

static int segments_of(pid_t);
static double raced;		/* seconds of races */

/*
 * Runs each of n racers in a process of its own until the time is up,
 * and adds up their tallies into *sum.  Returns the processes that did
 * not end cleanly (crashed, hung, or sent no tally).  The segments the
 * first racer made and left go to race_leaks (removed), counted while
 * its pid is still taken.
 */
static int
race(racer *const *racers, void *const *args, int n, double seconds,
    struct tally *sum)
{
	struct tally t;
	pid_t pids[8];
	double until = clock_seconds() + seconds;
	int report[2], i, st, got = 0, bad = 0;

	memset(sum, 0, sizeof(*sum));
	raced += seconds;
	if (pipe(report) == -1)
		bail_out("pipe: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		if ((pids[i] = spawn()) == 0) {
			(void)close(report[0]);
			racers[i](until, args[i]);
			_exit(write(report[1], &tally, sizeof(tally)) ==
			    (ssize_t)sizeof(tally) ? 0 : 1);
		}
		if (i == 0)
			first_racer = pids[0];
	}
	(void)close(report[1]);
	while (read(report[0], &t, sizeof(t)) == (ssize_t)sizeof(t)) {
		sum->ops += t.ops;
		sum->right += t.right;
		sum->refused += t.refused;
		sum->faults += t.faults;
		sum->taken += t.taken;
		sum->missed += t.missed;
		sum->anomalies += t.anomalies;
		got++;
	}
	(void)close(report[0]);
	for (i = 0; i < n; i++)
		await_end(pids[i]);
	race_leaks = segments_of(pids[0]);
	for (i = 0; i < n; i++)
		if ((st = wait_child(pids[i])) != 0) {
			diag("racer %d (pid %ld) ended with status %d%s", i,
			    (long)pids[i], st, st == 128 + SIGALRM ?
			    " (hung)" : "");
			bad++;
		}
	return bad + (n - got > bad ? n - got - bad : 0);
}

static struct tally totals;
static long total_leaks;

static void
add_tally(const struct tally *t)
{
	totals.ops += t->ops;
	totals.right += t->right;
	totals.refused += t->refused;
	totals.faults += t->faults;
	totals.taken += t->taken;
	totals.missed += t->missed;
	totals.anomalies += t->anomalies;
}

static void
print_race(const char *what, const struct tally *t, double seconds)
{
	diag("%s: %.1f s, %ld operations (%.0f/s), %ld right segments, %ld "
	    "expected errors, %ld faults injected, %ld anomalies", what,
	    seconds, t->ops, (double)t->ops / seconds, t->right, t->refused,
	    t->faults, t->anomalies);
	if (t->taken > 0)
		diag("%s: %ld times a create took the name while its key file "
		    "was away", what, t->taken);
	if (t->missed > 0)
		diag("%s: %ld times a planted file was gone, taken by a remover "
		    "for the key file it replaced, when it was to go", what,
		    t->missed);
}

/* What an attacher expects of name: the segment of owner #serial (-1:
 * any owner), or one of the errors allowed. */
struct expect {
	const char	*name;
	long		 owner;
	unsigned long	 serial;
	int		 err1, err2;	/* allowed errors */
	int		 id;		/* what lookup must say (-1: any);
					 * ESTALE is allowed only then */
};

/* Attaches and looks up a name over and over; every attach must give
 * the expected segment or an expected error. */
static void
attacher(double until, void *arg)
{
	const struct expect *e = arg;
	char why[200];
	sharedmem *shm;
	int r, id;

	while (clock_seconds() < until) {
		tally.ops++;
		if ((shm = sharedmem_attach(e->name)) == NULL) {
			if (errno == e->err1 || errno == e->err2)
				tally.refused++;
			else
				anomaly("attach %s: %s", e->name,
				    strerror(errno));
		} else {
			r = marked(shm, e->name, e->owner, e->serial, why,
			    sizeof(why));
			if (r == -1)
				anomaly("attach %s: %s", e->name, why);
			else if (r == 1)
				tally.right++;
			tally.ops++;
			if (sharedmem_close(shm) == -1)
				anomaly("close: %s", strerror(errno));
		}
		tally.ops++;
		if (sharedmem_lookup(e->name, NULL, &id) == 0) {
			if (e->id != -1 && id != e->id)
				anomaly("lookup %s: shmid %d, not %d", e->name,
				    id, e->id);
		} else if (errno != e->err1 && errno != e->err2 &&
		    (errno != ESTALE || e->id != -1))
			anomaly("lookup %s: %s", e->name, strerror(errno));
	}
}

/* ------------------------------------------------------------- ipcrm */

static void
test_ipcrm(void)
{
	struct found f;
	struct shmid_ds ds;
	key_t key;
	int id, id2, x;

	/* While attached. */
	h1 = create_marked("rm-a");
	id = sharedmem_id(h1);
	if (shmctl(id, IPC_RMID, NULL) == -1)
		bail_out("IPC_RMID: %s", strerror(errno));
	ok(mine(h1, "rm-a"), "ipcrm while attached: the handle's memory is "
	    "still whole");
	FAILS_WITH(sharedmem_attach("rm-a") == NULL ? -1 : 0, ENOENT,
	    "ipcrm while attached: attach");
	FAILS_WITH(sharedmem_lookup("rm-a", NULL, NULL), ESTALE,
	    "ipcrm while attached: lookup");
	h2 = sharedmem_create("rm-a", SIZE);
	ok(h2 != NULL && sharedmem_id(h2) != id,
	    "ipcrm while attached: create of the name works again");
	if (h2 == NULL)
		bail_out("create rm-a: %s", strerror(errno));
	track(sharedmem_id(h2));
	mark(h2, "rm-a");
	FAILS_WITH(sharedmem_unlink(h1), ENOENT,
	    "ipcrm while attached: the old handle's unlink");
	ok(attaches_to("rm-a", h2),
	    "...and leaves the new name, which attaches to its own segment");
	(void)sharedmem_close(h1);
	h1 = NULL;
	ok(sharedmem_unlink(h2) == 0 && sharedmem_close(h2) == 0,
	    "...and the new one unlinks");
	h2 = NULL;

	/* Between operations. */
	h1 = create_marked("rm-b");
	id = sharedmem_id(h1);
	(void)sharedmem_close(h1);
	h1 = NULL;
	if (shmctl(id, IPC_RMID, NULL) == -1)
		bail_out("IPC_RMID: %s", strerror(errno));
	FAILS_WITH(sharedmem_attach("rm-b") == NULL ? -1 : 0, ENOENT,
	    "ipcrm between operations: attach");
	FAILS_WITH(sharedmem_remove("rm-b"), ENOENT,
	    "ipcrm between operations: remove");
	ok(access(keyfile("rm-b"), F_OK) == -1 && errno == ENOENT,
	    "...which clears the stale name");

	h1 = create_marked("rm-c");
	id = sharedmem_id(h1);
	(void)sharedmem_close(h1);
	h1 = NULL;
	(void)shmctl(id, IPC_RMID, NULL);
	memset(&f, 0, sizeof(f));
	ok(sharedmem_gc(0, gc_report, &f) == 1 && f.removed == 1 &&
	    access(keyfile("rm-c"), F_OK) == -1,
	    "ipcrm between operations: gc clears the stale name");

	/* Another segment at the same key, of the same size. */
	h1 = create_marked("rm-d");
	id = sharedmem_id(h1);
	key = sharedmem_key(h1);
	(void)sharedmem_close(h1);
	h1 = NULL;
	(void)shmctl(id, IPC_RMID, NULL);
	if ((x = shmget(key, SIZE, IPC_CREAT | IPC_EXCL | 0600)) == -1) {
		skip(5, "cannot make a segment at key 0x%08lx: %s",
		    (unsigned long)key, strerror(errno));
		(void)sharedmem_remove("rm-d");
		return;
	}
	track(x);
	FAILS_WITH(sharedmem_attach("rm-d") == NULL ? -1 : 0, ENOENT,
	    "ipcrm, and a stranger's segment at the key: attach");
	FAILS_WITH(sharedmem_lookup("rm-d", NULL, NULL), ESTALE,
	    "...lookup");
	FAILS_WITH(sharedmem_remove("rm-d"), ENOENT, "...remove");
	ok(shmctl(x, IPC_STAT, &ds) == 0 && shmget(key, 0, 0) == x,
	    "...leaves the stranger's segment");
	h1 = sharedmem_create("rm-d", SIZE);
	id2 = h1 != NULL ? sharedmem_id(h1) : -1;
	if (h1 != NULL)
		track(id2);
	ok(h1 != NULL && id2 != x && shmctl(x, IPC_STAT, &ds) == 0,
	    "...and the name can be created again, elsewhere");
	if (h1 != NULL)
		dispose(h1);
	h1 = NULL;
	(void)shmctl(x, IPC_RMID, NULL);
}

/* ------------------------------------------------- deleted key file */

static void
test_keyfile_deleted(void)
{
	struct found f;
	key_t key;
	int id;

	h1 = create_marked("del");
	id = sharedmem_id(h1);
	key = sharedmem_key(h1);
	if (unlink(keyfile("del")) == -1)
		bail_out("unlink: %s", strerror(errno));
	FAILS_WITH(sharedmem_attach("del") == NULL ? -1 : 0, ENOENT,
	    "key file deleted: attach");
	FAILS_WITH(sharedmem_lookup("del", NULL, NULL), ENOENT,
	    "key file deleted: lookup");
	FAILS_WITH(sharedmem_remove("del"), ENOENT, "key file deleted: remove");
	h2 = sharedmem_create("del", SIZE);
	ok(h2 != NULL, "key file deleted: create of the name works again");
	if (h2 == NULL)
		bail_out("create del: %s", strerror(errno));
	track(sharedmem_id(h2));
	mark(h2, "del");
	ok(mine(h1, "del"), "...the old handle's memory is whole");
	FAILS_WITH(sharedmem_unlink(h1), ENOENT, "...the old handle's unlink");
	ok(segment_gone(key, id), "...removes its own segment");
	ok(attaches_to("del", h2), "...and not the new name");
	(void)sharedmem_close(h1);
	h1 = NULL;
	ok(segment_gone(key, id), "...which is gone once closed");
	memset(&f, 0, sizeof(f));
	ok(sharedmem_gc(0, gc_report, &f) == 0 && f.bad + f.other == 0,
	    "...and gc finds nothing to do");
	ok(sharedmem_unlink(h2) == 0 && sharedmem_close(h2) == 0,
	    "...the new name unlinks");
	h2 = NULL;
}

/* ------------------------------------------- ipcrm and cleaner race */


/* Creates, marks, checks and unlinks "churn" over and over. */
static void
churner(double until, void *arg)
{
	sharedmem *shm;

	(void)arg;
	while (clock_seconds() < until) {
		tally.ops++;
		if ((shm = sharedmem_create("churn", sizeof(struct mark) +
		    (size_t)(rnd() % (64 * 1024)))) == NULL) {
			anomaly("create churn: %s", strerror(errno));
			nap_us(1000);
			continue;
		}
		mark(shm, "churn");
		nap_us((long)(rnd() % 500));
		if (!mine(shm, "churn"))
			anomaly("churn: the creator's own memory changed");
		tally.ops++;
		if (sharedmem_unlink(shm) == 0)
			tally.right++;
		else if (errno == ENOENT)
			tally.refused++;
		else
			anomaly("unlink churn: %s", strerror(errno));
		tally.ops++;
		if (sharedmem_close(shm) == -1)
			anomaly("close churn: %s", strerror(errno));
	}
}

/* ipcrm of the churner's segments, and deletion of their key files. */
static void
wrecker(double until, void *arg)
{
	struct shmid_ds ds;
	int id;

	(void)arg;
	while (clock_seconds() < until) {
		nap_us((long)(rnd() % 2000));
		if (rnd() % 2 == 0) {
			if (unlink(keyfile("churn")) == 0)
				tally.faults++;
			continue;
		}
		tally.ops++;
		if (sharedmem_lookup("churn", NULL, &id) == -1) {
			if (errno != ENOENT && errno != ESTALE)
				anomaly("lookup churn: %s", strerror(errno));
			continue;
		}
		/* Only the churner's: never anybody else's segment. */
		if (shmctl(id, IPC_STAT, &ds) == 0 &&
		    ds.shm_cpid == first_racer &&
		    shmctl(id, IPC_RMID, NULL) == 0)
			tally.faults++;
	}
}

/* gc over and over: what it removes must be stale. */
static void
collector(double until, void *arg)
{
	struct found f;

	(void)arg;
	while (clock_seconds() < until) {
		memset(&f, 0, sizeof(f));
		tally.ops++;
		if (sharedmem_gc(0, gc_report, &f) == -1)
			anomaly("gc: %s", strerror(errno));
		if (f.bad != 0)
			anomaly("gc: found a bad key file, %s", f.bad_file);
		nap_us((long)(rnd() % 3000));
	}
}

/* Removes whatever is left in the key directory; returns how much. */
static int
scrub(void)
{
	char path[sizeof(dir) + 260];
	struct dirent *de;
	char **names;
	DIR *d;
	int i, n = 0;

	(void)sharedmem_gc(0, NULL, NULL);
	if ((names = sharedmem_names()) != NULL) {
		for (i = 0; names[i] != NULL; i++)
			(void)sharedmem_remove(names[i]);
		sharedmem_free_names(names);
	}
	if ((d = opendir(dir)) == NULL)
		bail_out("opendir %s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "tracked-ids") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) == -1)
			(void)rmdir(path);
		n++;
	}
	(void)closedir(d);
	return n;
}

/* After a leak: empties the key directory, and makes the victim anew. */
static void
renew_victim(void)
{
	(void)scrub();
	(void)sharedmem_close(hv);
	hv = create_marked("victim");
}

/* Segments made by pid still there: what nothing will ever remove. */
static int
segments_of(pid_t pid)
{
	int n = 0;
#if defined(SHM_INFO) && defined(SHM_STAT)
	struct shm_info info;
	struct shmid_ds ds;
	int max, i, id;

	if ((max = shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&info)) ==
	    -1)
		return 0;
	for (i = 0; i <= max; i++)
		if ((id = shmctl(i, SHM_STAT, &ds)) != -1 &&
		    ds.shm_cpid == pid) {
			diag("leak: shmid %d of pid %ld", id, (long)pid);
			(void)shmctl(id, IPC_RMID, NULL);
			n++;
		}
#else
	(void)pid;
#endif
	return n;
}

static void
race_ipcrm(double seconds)
{
	static struct expect e = { "churn", -1, 0, ENOENT, ENOENT, -1 };
	static racer *const racers[] = {
		churner, wrecker, attacher, attacher, collector
	};
	void *const args[] = { NULL, NULL, &e, &e, NULL };
	struct tally t;
	int bad, leaks;

	bad = race(racers, args, 5, seconds, &t);
	print_race("ipcrm and key file deletion", &t, seconds);
	add_tally(&t);
	leaks = race_leaks + files_left("victim");
	total_leaks += leaks;
	ok(bad == 0 && t.anomalies == 0 && t.right > 0 && t.faults > 0,
	    "ipcrm and key file deletion racing create, attach, lookup, "
	    "unlink and gc: %ld anomalies", t.anomalies);
	ok(leaks == 0, "...leave nothing behind (%d found)", leaks);
	if (leaks != 0)
		renew_victim();
}

/* ------------------------------------------------- bad key files */

static char planted[256];	/* what a planted file holds */
static size_t planted_len;

/* Makes what a planted key file of kind holds (victim's record for a
 * truncated one, less its last byte: every number still whole). */
static void
prepare(enum kind kind)
{
	ssize_t n;
	size_t i;

	planted_len = 0;
	switch (kind) {
	case K_GARBAGE:
		for (i = 0; i < 200; i++)
			planted[i] = (char)(i * 7 + 3);
		memcpy(planted, "sharedmem 1 key=0x", 18);
		planted_len = 200;
		break;
	case K_TRUNCATED:
		if ((n = read_file(keyfile("victim"), planted,
		    sizeof(planted))) < 2)
			bail_out("read %s", keyfile("victim"));
		planted_len = (size_t)n - 1;
		break;
	default:
		break;
	}
}

/* Puts a kind of bad key file at path, replacing what is there (tmp: a
 * private path to build it at).  -1 with errno if it cannot. */
static int
plant(enum kind kind, const char *path, const char *tmp)
{
	char target[4096];
	int fd;

	switch (kind) {
	case K_SYMLINK:
		snprintf(target, sizeof(target), "%s", keyfile("victim"));
		if (symlink(target, tmp) == -1)
			return -1;
		break;
	case K_DIR:
		if (unlink(path) == -1 && errno != ENOENT)
			return -1;
		return mkdir(path, 0700);
	case K_FIFO:
		if (mkfifo(tmp, 0600) == -1)
			return -1;
		break;
	default:
		if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
			return -1;
		if (write(fd, planted, planted_len) !=
		    (ssize_t)planted_len) {
			(void)close(fd);
			(void)unlink(tmp);
			return -1;
		}
		(void)close(fd);
		break;
	}
	if (rename(tmp, path) == -1) {
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

static int
unplant(enum kind kind, const char *path)
{
	return kind == K_DIR ? rmdir(path) : unlink(path);
}

/* Whether the bad key file of kind at path is as it was planted. */
static int
intact(enum kind kind, const char *path)
{
	char buf[4096], target[4096];
	struct stat st;
	ssize_t n;

	if (lstat(path, &st) == -1)
		return 0;
	switch (kind) {
	case K_SYMLINK:
		snprintf(target, sizeof(target), "%s", keyfile("victim"));
		return S_ISLNK(st.st_mode) &&
		    (n = readlink(path, buf, sizeof(buf))) ==
		    (ssize_t)strlen(target) &&
		    memcmp(buf, target, (size_t)n) == 0;
	case K_DIR:
		return S_ISDIR(st.st_mode);
	case K_FIFO:
		return S_ISFIFO(st.st_mode);
	default:
		return S_ISREG(st.st_mode) &&
		    read_file(path, buf, sizeof(buf)) ==
		    (ssize_t)planted_len &&
		    memcmp(buf, planted, planted_len) == 0;
	}
}

static void
test_bad_kind(enum kind kind)
{
	const char *what = kind_names[kind];
	char path[4096], tmp[4200];
	struct found f;
	key_t key;
	int id, r, err;

	prepare(kind);
	h1 = create_marked("bad");
	id = sharedmem_id(h1);
	key = sharedmem_key(h1);
	snprintf(path, sizeof(path), "%s", keyfile("bad"));
	snprintf(tmp, sizeof(tmp), "%s/plant.tmp", dir);
	if (plant(kind, path, tmp) == -1)
		bail_out("plant %s: %s", what, strerror(errno));
	alarm(0);
	alarm(60);	/* FIFOs: a blocking open hangs */

	FAILS_WITH(sharedmem_attach("bad") == NULL ? -1 : 0, EINVAL, what);
	FAILS_WITH(sharedmem_create("bad", SIZE) == NULL ? -1 : 0, EINVAL,
	    "...create");
	FAILS_WITH(sharedmem_lookup("bad", NULL, NULL), EINVAL, "...lookup");
	errno = 0;
	r = sharedmem_remove("bad");
	err = errno;
	ok(r == -1 && err == EINVAL && intact(kind, path),
	    "...remove fails with EINVAL and leaves it (%d/%s)", r,
	    strerror(err));
	memset(&f, 0, sizeof(f));
	r = sharedmem_gc(0, gc_report, &f);
	ok(r == 0 && f.bad == 1 && strcmp(f.bad_file, "sharedmem.bad") == 0 &&
	    f.removed == 0 && f.other == 0 && intact(kind, path) &&
	    shmget(key, 0, 0) == id && attaches_to("victim", hv),
	    "...gc reports it, and removes nothing (%d removed, %d bad, %d "
	    "other)", r, f.bad, f.other);
	errno = 0;
	r = sharedmem_unlink(h1);
	err = errno;
	ok((r == 0 || err == EINVAL || err == ENOENT) &&
	    segment_gone(key, id) && intact(kind, path) &&
	    attaches_to("victim", hv),
	    "...unlink of the open handle removes its segment, and only that "
	    "(%d/%s)", r, r == 0 ? "no error" : strerror(err));
	(void)sharedmem_close(h1);
	h1 = NULL;
	if (unplant(kind, path) == -1 && errno != ENOENT)
		bail_out("remove what was planted: %s", strerror(errno));
	alarm(0);
	alarm((unsigned int)race_seconds + 300);
}

/*
 * The swapper of the race of a kind: puts the bad key file over the key
 * files of "race" and "race-u" and puts back what it took, for the time;
 * the original file, kept by a hard link, comes back as it was.  A
 * directory cannot replace a file: the file is moved away for it, and
 * then linked back, which fails if a create took the name meanwhile (a
 * rename would replace that create's key file, under the feet of those
 * that work on it; see the closing note of race_bad_kind()).
 */
struct swap {
	enum kind	kind;
};

static void
swap_one(enum kind kind, const char *path, const char *hold,
    const char *tmp, int count_taken)
{
	int held;

	/* Keep what is there. */
	if (kind == K_DIR)
		held = rename(path, hold) == 0;
	else
		held = link(path, hold) == 0;
	if (plant(kind, path, tmp) == -1) {
		if (errno != EEXIST && errno != ENOENT)
			anomaly("plant: %s", strerror(errno));
	} else
		tally.faults++;
	nap_us((long)(rnd() % 300));
	if (held) {
		if (kind == K_DIR && rmdir(path) == -1 && errno != ENOENT &&
		    errno != ENOTDIR) {
			/* Something was made in the directory: a cleaner
			 * would empty it. */
			anomaly("rmdir planted directory: %s",
			    strerror(errno));
		}
		if (kind != K_DIR) {
			if (rename(hold, path) == -1)
				anomaly("put back: %s", strerror(errno));
		} else if (link(hold, path) == 0)
			(void)unlink(hold);
		else if (errno == EEXIST) {
			/* The original name is lost: its file goes. */
			tally.taken += count_taken;
			(void)unlink(hold);
		} else
			anomaly("put back: %s", strerror(errno));
	} else if (unplant(kind, path) == -1) {
		/* A remover took it for the key file, and removed it. */
		if (errno == ENOENT)
			tally.missed++;
		else if (errno != ENOTDIR && errno != EISDIR)
			anomaly("remove planted: %s", strerror(errno));
	}
	nap_us((long)(rnd() % 300));
}

static void
swapper(double until, void *arg)
{
	const struct swap *s = arg;
	char race_path[4200], raceu_path[4200], hold[4200], tmp[4200];

	/* keyfile() answers in a buffer of its own, which plant() uses. */
	snprintf(race_path, sizeof(race_path), "%s", keyfile("race"));
	snprintf(raceu_path, sizeof(raceu_path), "%s", keyfile("race-u"));
	snprintf(hold, sizeof(hold), "%s/swap-hold.%ld", dir, (long)getpid());
	snprintf(tmp, sizeof(tmp), "%s/swap-tmp.%ld", dir, (long)getpid());
	while (clock_seconds() < until) {
		swap_one(s->kind, race_path, hold, tmp, 1);
		swap_one(s->kind, raceu_path, hold, tmp, 0);
	}
}

/* Creates and unlinks "race-u", whose key file the swapper replaces. */
static void
unlinker(double until, void *arg)
{
	sharedmem *shm;
	int r;

	(void)arg;
	while (clock_seconds() < until) {
		tally.ops++;
		if ((shm = sharedmem_create("race-u", SIZE)) == NULL) {
			if (errno == EINVAL)
				tally.refused++;
			else
				anomaly("create race-u: %s", strerror(errno));
			continue;
		}
		mark(shm, "race-u");
		nap_us((long)(rnd() % 200));
		if (!mine(shm, "race-u"))
			anomaly("race-u: the creator's own memory changed");
		tally.ops++;
		if ((r = sharedmem_unlink(shm)) == 0 || errno == ENOENT)
			tally.right++;
		else
			anomaly("unlink race-u: %s", strerror(errno));
		tally.ops++;
		if (sharedmem_close(shm) == -1)
			anomaly("close: %s", strerror(errno));
	}
}

/* Creates "race", which exists: EEXIST or EINVAL; a directory planted
 * and removed leaves a moment when the name is free. */
static void
creator(double until, void *arg)
{
	const struct swap *s = arg;
	sharedmem *shm;

	while (clock_seconds() < until) {
		tally.ops++;
		if ((shm = sharedmem_create("race", SIZE)) == NULL) {
			if (errno == EEXIST || errno == EINVAL)
				tally.refused++;
			else
				anomaly("create race: %s", strerror(errno));
			continue;
		}
		if (s->kind != K_DIR)
			anomaly("create race: succeeded over a live name");
		mark(shm, "race");
		tally.ops += 2;
		if (sharedmem_unlink(shm) == -1 && errno != ENOENT)
			anomaly("unlink race: %s", strerror(errno));
		(void)sharedmem_close(shm);
	}
}

/* gc over and over; it must never remove the live segments' names. */
static int protected_ids[2];

static void
guarded_report(enum sharedmem_leftover kind, const char *file, int shmid,
    int error, void *arg)
{
	(void)arg;
	if (error == 0 && (kind == SHAREDMEM_BAD_KEYFILE ||
	    shmid == protected_ids[0] || shmid == protected_ids[1]))
		anomaly("gc removed %s (shmid %d), a live name or no key file",
		    file, shmid);
}

static void
guarded_collector(double until, void *arg)
{
	(void)arg;
	while (clock_seconds() < until) {
		tally.ops++;
		if (sharedmem_gc(0, guarded_report, NULL) == -1)
			anomaly("gc: %s", strerror(errno));
		nap_us((long)(rnd() % 2000));
	}
}

static void
race_bad_kind(enum kind kind, double seconds)
{
	struct expect strict, loose;
	struct swap s;
	racer *const racers[] = {
		unlinker, swapper, attacher, attacher, creator,
		guarded_collector
	};
	void *args[6];
	struct tally t;
	const struct mark *m;
	int bad, debris, leaks, back, unlinked, lost;
	char what[128];

	prepare(kind);
	s.kind = kind;
	h1 = create_marked("race");
	m = sharedmem_buf(h1);
	protected_ids[0] = sharedmem_id(h1);
	protected_ids[1] = sharedmem_id(hv);
	strict.name = "race";
	strict.owner = kind == K_DIR ? -1 : (long)getpid();
	strict.serial = m->serial;
	strict.err1 = EINVAL;
	strict.err2 = kind == K_DIR ? ENOENT : EINVAL;
	strict.id = kind == K_DIR ? -1 : sharedmem_id(h1);
	loose.name = "race-u";
	loose.owner = -1;
	loose.serial = 0;
	loose.err1 = EINVAL;
	loose.err2 = ENOENT;
	loose.id = -1;
	args[0] = NULL;
	args[1] = &s;
	args[2] = &strict;
	args[3] = &loose;
	args[4] = &s;
	args[5] = NULL;
	bad = race(racers, args, 6, seconds, &t);
	snprintf(what, sizeof(what), "race with %s", kind_names[kind]);
	print_race(what, &t, seconds);
	add_tally(&t);
	/* A create may have taken "race" while its file was away for a
	 * planted directory: then the name is gone with that create. */
	lost = t.taken > 0 && !attaches_to("race", h1) &&
	    sharedmem_attach("race") == NULL && errno == ENOENT;
	back = (lost || attaches_to("race", h1)) && attaches_to("victim", hv);
	/* What the planting left: names whose segments went while their
	 * key files were away (stale, gc's work), not leaks. */
	debris = sharedmem_gc(0, NULL, NULL);
	unlinked = sharedmem_unlink(h1) == 0 || (lost && errno == ENOENT);
	(void)sharedmem_close(h1);
	h1 = NULL;
	leaks = race_leaks;
	leaks += files_left("victim");
	if (leaks != 0)
		renew_victim();
	total_leaks += leaks;
	ok(bad == 0 && t.anomalies == 0 && t.faults > 0 && back &&
	    unlinked && leaks == 0,
	    "%s while attach, lookup, create, unlink and gc run: %ld "
	    "anomalies, %d stale names collected, %d leaks", what,
	    t.anomalies, debris, leaks);
	if (!back || !unlinked)
		diag("afterwards, race and victim attach: %s; race unlinks: "
		    "%s", back ? "yes" : "no", unlinked ? "yes" : "no");
}

/* ------------------------------------------ the key directory, mode 0 */

/* Toggles the key directory between mode 0 and 0700. */
static void
toggler(double until, void *arg)
{
	(void)arg;
	while (clock_seconds() < until) {
		if (chmod(dir, 0) == 0)
			tally.faults++;
		nap_us((long)(rnd() % 500));
		(void)chmod(dir, 0700);
		nap_us((long)(rnd() % 500));
	}
	(void)chmod(dir, 0700);
}

static int failures;

static int check(int, const char *, ...) TAP_PRINTF(2, 3);

/* ok() for a child, which cannot print TAP results of its own. */
static int
check(int cond, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (cond)
		return 1;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	diag("failed: %s", line);
	failures++;
	return 0;
}

#define REFUSED(expr, want, what) do {					\
	int r_, e_;							\
	errno = 0;							\
	r_ = (expr);							\
	e_ = errno;							\
	check(r_ == -1 && e_ == (want), "%s: want -1/%s, got %d/%s",	\
	    (what), strerror(want), r_, strerror(e_));			\
} while (0)

/*
 * The checks of an unreadable key directory, in a child that owns the
 * directory and is not root.  Exit status: bits of the groups of checks
 * that failed; the race's tally goes to fd.
 */
static void
unreadable_checks(int fd)
{
	static struct expect e = { "perm", 0, 0, EACCES, EACCES, 0 };
	racer *const racers[] = { toggler, attacher, attacher };
	void *const args[] = { NULL, &e, &e };
	struct tally t;
	key_t key;
	int bits = 0, r, err, id;

	no_tracking = 1;
	h1 = create_marked("perm");
	e.owner = (long)getpid();
	e.serial = ((const struct mark *)sharedmem_buf(h1))->serial;
	e.id = sharedmem_id(h1);

	failures = 0;
	if (chmod(dir, 0) == -1)
		_exit(92);
	REFUSED(sharedmem_attach("perm") == NULL ? -1 : 0, EACCES, "attach");
	REFUSED(sharedmem_create("perm2", SIZE) == NULL ? -1 : 0, EACCES,
	    "create");
	REFUSED(sharedmem_remove("perm"), EACCES, "remove");
	REFUSED(sharedmem_lookup("perm", NULL, NULL), EACCES, "lookup");
	REFUSED(sharedmem_names() == NULL ? -1 : 0, EACCES, "names");
	REFUSED(sharedmem_gc(0, NULL, NULL), EACCES, "gc");
	check(mine(h1, "perm"), "the handle's memory is whole");
	/* Search permission alone: attach works, create and names cannot. */
	(void)chmod(dir, 0100);
	check(attaches_to("perm", h1), "attach in a directory of mode 0100");
	REFUSED(sharedmem_create("perm2", SIZE) == NULL ? -1 : 0, EACCES,
	    "create in a directory of mode 0100");
	REFUSED(sharedmem_names() == NULL ? -1 : 0, EACCES,
	    "names in a directory of mode 0100");
	(void)chmod(dir, 0700);
	if (failures)
		bits |= 1;

	failures = 0;
	check(attaches_to("perm", h1), "attach once the mode is back");
	h2 = sharedmem_create("perm2", SIZE);
	check(h2 != NULL, "create once the mode is back: %s",
	    h2 ? "done" : strerror(errno));
	if (failures)
		bits |= 2;

	/* Unlink of an open handle while the directory is unreadable. */
	failures = 0;
	if (h2 != NULL) {
		mark(h2, "perm2");
		id = sharedmem_id(h2);
		key = sharedmem_key(h2);
		(void)chmod(dir, 0);
		errno = 0;
		r = sharedmem_unlink(h2);
		err = errno;
		(void)chmod(dir, 0700);
		diag("unlink in a directory of mode 0: %d/%s", r,
		    r == 0 ? "no error" : strerror(err));
		check(r == 0 || err == EACCES, "unlink in a directory of "
		    "mode 0: %d/%s", r, strerror(err));
		check(segment_gone(key, id), "...removes the segment");
		(void)sharedmem_close(h2);
		h2 = NULL;
		REFUSED(sharedmem_attach("perm2") == NULL ? -1 : 0, ENOENT,
		    "...attach afterwards");
		h2 = sharedmem_create("perm2", SIZE);
		check(h2 != NULL, "...create of the name works again");
		if (h2 != NULL && sharedmem_unlink(h2) == -1)
			check(0, "unlink perm2: %s", strerror(errno));
		(void)sharedmem_close(h2);
		h2 = NULL;
	}
	if (failures)
		bits |= 8;

	failures = 0;
	r = race(racers, args, 3, race_seconds * 0.15, &t);
	print_race("key directory mode 0 and back", &t, race_seconds * 0.15);
	(void)chmod(dir, 0700);
	check(r == 0 && t.anomalies == 0 && t.right > 0 && t.refused > 0,
	    "the race: %d processes failed, %ld anomalies", r, t.anomalies);
	check(attaches_to("perm", h1), "attach after the race");
	if (sharedmem_unlink(h1) == -1)
		check(0, "unlink perm: %s", strerror(errno));
	(void)sharedmem_close(h1);
	h1 = NULL;
	check(files_left(NULL) == 0, "nothing left in the key directory");
	if (failures)
		bits |= 4;
	if (write(fd, &t, sizeof(t)) != (ssize_t)sizeof(t))
		bits |= 16;
	_exit(bits);
}

static void
test_unreadable_dir(void)
{
	struct passwd *pw = NULL;
	struct stat st;
	struct tally t;
	pid_t pid;
	int report[2], st_code, got;

	if (stat(dir, &st) == -1)
		bail_out("stat %s: %s", dir, strerror(errno));
	if (geteuid() == 0) {
		if ((pw = getpwnam("nobody")) == NULL) {
			skip(4, "root, and no user nobody to be refused");
			return;
		}
		dir_owner = st.st_uid;
		if (chown(dir, pw->pw_uid, pw->pw_gid) == -1)
			bail_out("chown %s: %s", dir, strerror(errno));
	}
	if (pipe(report) == -1)
		bail_out("pipe: %s", strerror(errno));
	if ((pid = spawn()) == 0) {
		(void)close(report[0]);
		if (pw != NULL && (setgid(pw->pw_gid) == -1 ||
		    setuid(pw->pw_uid) == -1))
			_exit(90);
		if (access(dir, W_OK | X_OK) == -1)
			_exit(91);
		unreadable_checks(report[1]);
	}
	(void)close(report[1]);
	got = read(report[0], &t, sizeof(t)) == (ssize_t)sizeof(t);
	(void)close(report[0]);
	st_code = wait_child(pid);
	(void)chmod(dir, 0700);
	if (dir_owner != (uid_t)-1) {
		if (chown(dir, dir_owner, st.st_gid) == -1)
			bail_out("chown %s back: %s", dir, strerror(errno));
		dir_owner = (uid_t)-1;
	}
	if (st_code == 90 || st_code == 91) {
		skip(4, "%s cannot %s", pw ? "nobody" : "this user",
		    st_code == 90 ? "be become" : "enter the key directory");
		return;
	}
	if (got) {
		add_tally(&t);
		raced += race_seconds * 0.15;
	}
	if (st_code >= 32) {
		diag("the child ended with status %d", st_code);
		st_code = 31;
	}
	ok(!(st_code & 1), "key directory of mode 0: attach, create, remove, "
	    "lookup, names and gc fail with EACCES; of mode 0100, attach "
	    "works");
	ok(!(st_code & 2), "...and all works again once its mode is back");
	ok(!(st_code & 8), "...unlink in it removes the segment, and the "
	    "name can be created again");
	ok(!(st_code & 20) && got, "...a race of attaches against it: no "
	    "anomaly, nothing left");
	total_leaks += scrub();
}

/* --------------------------------- the key directory removed, replaced */

/* Deletes the key directory as a tmp cleaner would. */
static void
clean_away(const char *path)
{
	char file[sizeof(dir) + 260];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
		if (unlink(file) == -1)
			(void)rmdir(file);
	}
	(void)closedir(d);
	(void)rmdir(path);
}

static void
test_dir_gone(void)
{
	key_t key;
	int id, r, err;

	h1 = create_marked("gone");
	id = sharedmem_id(h1);
	key = sharedmem_key(h1);
	clean_away(dir);
	if (access(dir, F_OK) == 0)
		bail_out("cannot remove %s", dir);
	FAILS_WITH(sharedmem_attach("gone") == NULL ? -1 : 0, ENOENT,
	    "key directory removed: attach");
	FAILS_WITH(sharedmem_create("gone2", SIZE) == NULL ? -1 : 0, ENOENT,
	    "key directory removed: create");
	FAILS_WITH(sharedmem_remove("gone"), ENOENT,
	    "key directory removed: remove");
	FAILS_WITH(sharedmem_lookup("gone", NULL, NULL), ENOENT,
	    "key directory removed: lookup");
	FAILS_WITH(sharedmem_names() == NULL ? -1 : 0, ENOENT,
	    "key directory removed: names");
	FAILS_WITH(sharedmem_gc(0, NULL, NULL), ENOENT,
	    "key directory removed: gc");
	ok(mine(h1, "gone"), "...the handle's memory is whole");
	errno = 0;
	r = sharedmem_unlink(h1);
	err = errno;
	ok(r == -1 && err == ENOENT && segment_gone(key, id),
	    "...unlink of the open handle: ENOENT, and its segment is gone "
	    "(%d/%s)", r, strerror(err));
	(void)sharedmem_close(h1);
	h1 = NULL;
	if (mkdir(dir, 0700) == -1)
		bail_out("mkdir %s: %s", dir, strerror(errno));
	retrack();
	h1 = sharedmem_create("gone", SIZE);
	ok(h1 != NULL && (track(sharedmem_id(h1)), mark(h1, "gone"),
	    attaches_to("gone", h1)),
	    "key directory made again: create and attach work again");
	if (h1 != NULL)
		dispose(h1);
	h1 = NULL;

	/* A file where the key directory was. */
	if (rmdir(dir) == -1 && (clean_away(dir), access(dir, F_OK) == 0))
		bail_out("rmdir %s: %s", dir, strerror(errno));
	write_file(dir, "x\n", 2);
	FAILS_WITH(sharedmem_create("gone", SIZE) == NULL ? -1 : 0, ENOTDIR,
	    "a file for a key directory: create");
	FAILS_WITH(sharedmem_attach("gone") == NULL ? -1 : 0, ENOTDIR,
	    "...attach");
	FAILS_WITH(sharedmem_remove("gone"), ENOTDIR, "...remove");
	FAILS_WITH(sharedmem_gc(0, NULL, NULL), ENOTDIR, "...gc");
	if (unlink(dir) == -1 || mkdir(dir, 0700) == -1)
		bail_out("make %s again: %s", dir, strerror(errno));
	retrack();
}

/* Puts the key directory moved away back, emptying and removing what
 * stands in for it (creates may be filling it meanwhile). */
static int
put_back(void)
{
	int tries;

	for (tries = 0; tries < 1000; tries++) {
		if (rename(away, dir) == 0)
			return 0;
		if (errno != ENOTEMPTY && errno != EEXIST)
			return -1;
		clean_away(dir);
	}
	return -1;
}

/* Moves the key directory away and back; between, an empty one stands
 * in for a while, and a cleaner empties it before it goes. */
static void
mover(double until, void *arg)
{
	(void)arg;
	while (clock_seconds() < until) {
		if (rename(dir, away) == -1) {
			anomaly("rename %s away: %s", dir, strerror(errno));
			break;
		}
		tally.faults++;
		nap_us((long)(rnd() % 500));
		if (rnd() % 2 == 0) {
			(void)mkdir(dir, 0700);
			nap_us((long)(rnd() % 500));
		}
		if (put_back() == -1) {
			anomaly("rename %s back: %s", dir, strerror(errno));
			break;
		}
		nap_us((long)(rnd() % 1000));
	}
}

/* Creates and unlinks "gone-c" while the key directory comes and goes. */
static void
dir_creator(double until, void *arg)
{
	sharedmem *shm;

	(void)arg;
	while (clock_seconds() < until) {
		tally.ops++;
		if ((shm = sharedmem_create("gone-c", SIZE)) == NULL) {
			if (errno == ENOENT)
				tally.refused++;
			else
				anomaly("create gone-c: %s", strerror(errno));
			continue;
		}
		mark(shm, "gone-c");
		tally.ops += 2;
		if (sharedmem_unlink(shm) == 0 || errno == ENOENT)
			tally.right++;
		else
			anomaly("unlink gone-c: %s", strerror(errno));
		(void)sharedmem_close(shm);
	}
}

static void
race_dir_gone(double seconds)
{
	static struct expect e = { "gone", 0, 0, ENOENT, ENOENT, 0 };
	racer *const racers[] = { dir_creator, mover, attacher, attacher };
	void *const args[] = { NULL, NULL, &e, &e };
	struct tally t;
	int bad, debris, leaks;

	h1 = create_marked("gone");
	e.owner = (long)getpid();
	e.serial = ((const struct mark *)sharedmem_buf(h1))->serial;
	e.id = sharedmem_id(h1);
	bad = race(racers, args, 4, seconds, &t);
	print_race("key directory moved away, emptied and back", &t, seconds);
	add_tally(&t);
	if (access(away, F_OK) == 0 && put_back() == -1)
		bail_out("cannot put %s back: %s", dir, strerror(errno));
	ok(bad == 0 && t.anomalies == 0 && t.faults > 0 && t.right > 0,
	    "key directory moved away and back while attach, lookup, create "
	    "and unlink run: %ld anomalies", t.anomalies);
	/* A create whose directory moved under it leaves its private file
	 * where it made it, and an unlink its key file: gc's work. */
	debris = sharedmem_gc(0, NULL, NULL);
	ok(attaches_to("gone", h1), "...\"gone\" attaches to its segment "
	    "again (gc collected %d leftovers of moved creates)", debris);
	dispose(h1);
	h1 = NULL;
	leaks = race_leaks + scrub();
	total_leaks += leaks;
	ok(leaks == 0, "...nothing else is left (%d found)", leaks);
}

static pid_t main_pid;
static int finished;

/* After a bail-out: puts the key directory back and removes all this
 * test made, so that a failed run leaves nothing either. */
static void
clean_at_exit(void)
{
	int i;

	if (finished || getpid() != main_pid)
		return;
	if (access(away, F_OK) == 0)
		(void)put_back();
	if (dir_owner != (uid_t)-1)
		(void)chown(dir, dir_owner, (gid_t)-1);
	(void)chmod(dir, 0700);
	(void)scrub();
	for (i = 0; i < ntracked; i++)
		(void)shmctl(tracked[i], IPC_RMID, NULL);
}

int
main(void)
{
	double total;
	const char *s = getenv("SHAREDMEM_TORTURE_SECONDS");
	enum kind k;
	int leaks;
	double start = clock_seconds();

	total = s == NULL || *s == '\0' ? DEFAULT_SECONDS : atof(s);
	if (total < 1)
		bail_out("$SHAREDMEM_TORTURE_SECONDS: not a number of seconds "
		    "from 1: %s", s);
	race_seconds = total;
	plan(92);
	snprintf(dir, sizeof(dir), "%s", sharedmem_dir());
	snprintf(away, sizeof(away), "%s.away", dir);
	(void)signal(SIGALRM, timed_out);
	main_pid = getpid();
	if (atexit(clean_at_exit) != 0)
		bail_out("atexit");
	alarm((unsigned int)total + 300);

	hv = create_marked("victim");
	test_ipcrm();
	test_keyfile_deleted();
	for (k = 0; k < NKINDS; k++)
		test_bad_kind(k);
	race_ipcrm(total * 0.3);
	for (k = 0; k < NKINDS; k++)
		race_bad_kind(k, total * 0.4 / NKINDS);
	dispose(hv);
	hv = NULL;
	test_unreadable_dir();
	test_dir_gone();
	race_dir_gone(total * 0.15);

	leaks = files_left(NULL);
	total_leaks += leaks + scrub();
	ok(leaks == 0, "the key directory is empty at the end");
	finished = 1;
	diag("behind: %.1f s, %ld operations in races (%.0f/s), %ld right "
	    "segments, %ld expected errors, faults injected %ld, anomalies "
	    "%ld, objects leaked %ld", clock_seconds() - start, totals.ops,
	    (double)totals.ops / raced, totals.right, totals.refused,
	    totals.faults, totals.anomalies, total_leaks);
	return exit_status();
}
