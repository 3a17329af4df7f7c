/*
 * behind.c - what the tests of things done behind the library's back
 * share: see behind.h.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "behind.h"

#define MAX_TRACKED	256
#define READY		0x52454459UL
#define DEFAULT_SECONDS	5

/* The counts of a racer must fit its report. */
typedef char counts_fit[NCOUNTS <= RACE_COUNTS ? 1 : -1];

sharedmem *volatile h1, *volatile h2, *volatile hv;

char dir[4096], away[4200];
uid_t dir_owner = (uid_t)-1;
int no_tracking;
double race_seconds;
long total_leaks;

static int tracked[MAX_TRACKED], ntracked;
static unsigned long serials;
static long totals[RACE_COUNTS];
static double raced;		/* seconds of races */
static double started;
static pid_t main_pid;
static int finished;

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

void
track(int id)
{
	if (no_tracking)
		return;
	track_shm(id);
	if (ntracked < MAX_TRACKED)
		tracked[ntracked++] = id;
}

void
retrack(void)
{
	int i;

	for (i = 0; i < ntracked; i++)
		track_shm(tracked[i]);
}

void
write_file(const char *path, const void *buf, size_t len)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(fd, buf, len) != (ssize_t)len || close(fd) == -1)
		bail_out("write %s: %s", path, strerror(errno));
}

ssize_t
read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	/* Non-blocking: a FIFO planted at path must not hang the test. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK)) == -1)
		return -1;
	n = read(fd, buf, len);
	(void)close(fd);
	return n;
}

void
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

int
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

int
mine(sharedmem *shm, const char *name)
{
	const struct mark *m = sharedmem_buf(shm);

	return marked(shm, name, (long)getpid(), m->serial, NULL, 0) == 1;
}

int
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

/* Linux keeps the id usable until the last detach, but the key is free
 * at once. */
int
segment_gone(key_t key, int id)
{
	struct shmid_ds ds;

	if (shmctl(id, IPC_STAT, &ds) == -1)
		return errno == EINVAL || errno == EIDRM;
	return shmget(key, 0, 0) != id;
}

sharedmem *
create_marked(const char *name)
{
	sharedmem *shm;

	if ((shm = sharedmem_create(name, SIZE)) == NULL)
		bail_out("create %s: %s", name, strerror(errno));
	track(sharedmem_id(shm));
	mark(shm, name);
	return shm;
}

void
dispose(sharedmem *shm)
{
	if (sharedmem_unlink(shm) == -1)
		bail_out("unlink %s: %s", sharedmem_name(shm), strerror(errno));
	(void)sharedmem_close(shm);
}

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

int
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

int
scrub(void)
{
	char path[sizeof(dir) + 260];
	struct dirent *de;
	char **names;
	DIR *d;
	int i, n = 0;

	/* What gc and the names' removal leave is counted below. */
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

void
renew_victim(void)
{
	(void)scrub();
	(void)sharedmem_close(hv);
	hv = create_marked("victim");
}

void
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

/* Empties and removes what stands in for the key directory meanwhile
 * (creates may be filling it). */
int
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

void
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

void
attacher(double until, void *arg)
{
	const struct expect *e = arg;
	char why[200];
	sharedmem *shm;
	int r, id;

	while (clock_seconds() < until) {
		race_count[OPS]++;
		if ((shm = sharedmem_attach(e->name)) == NULL) {
			if (errno == e->err1 || errno == e->err2)
				race_count[REFUSED]++;
			else
				race_anomaly("attach %s: %s", e->name,
				    strerror(errno));
		} else {
			r = marked(shm, e->name, e->owner, e->serial, why,
			    sizeof(why));
			if (r == -1)
				race_anomaly("attach %s: %s", e->name, why);
			else if (r == 1)
				race_count[RIGHT]++;
			race_count[OPS]++;
			if (sharedmem_close(shm) == -1)
				race_anomaly("close: %s", strerror(errno));
		}
		race_count[OPS]++;
		if (sharedmem_lookup(e->name, NULL, &id) == 0) {
			if (e->id != -1 && id != e->id)
				race_anomaly("lookup %s: shmid %d, not %d",
				    e->name, id, e->id);
		} else if (errno != e->err1 && errno != e->err2 &&
		    (errno != ESTALE || e->id != -1))
			race_anomaly("lookup %s: %s", e->name, strerror(errno));
	}
}

int
race(race_fn *const *racers, void *const *args, int n, double seconds,
    long *sum, int *leaks)
{
	struct race r;

	/* A hang dies long after the races of all three tests are over. */
	race_run(&r, racers, args, n, seconds, (unsigned int)race_seconds +
	    60);
	*leaks = (int)race_leaked_segments(&r, 1);
	memcpy(sum, r.sum, sizeof(r.sum));
	return race_reap(&r);
}

void
add_tally(const long *sum, double seconds)
{
	int i;

	for (i = 0; i < RACE_COUNTS; i++)
		totals[i] += sum[i];
	raced += seconds;
}

void
print_race(const char *what, const long *t, double seconds)
{
	diag("%s: %.1f s, %ld operations (%.0f/s), %ld right segments, %ld "
	    "expected errors, %ld faults injected, %ld anomalies", what,
	    seconds, t[OPS], (double)t[OPS] / seconds, t[RIGHT], t[REFUSED],
	    t[FAULTS], t[RACE_ANOMALIES]);
	if (t[TAKEN] > 0)
		diag("%s: %ld times a create took the name while its key file "
		    "was away", what, t[TAKEN]);
	if (t[MISSED] > 0)
		diag("%s: %ld times a planted file was gone, taken by a remover "
		    "for the key file it replaced, when it was to go", what,
		    t[MISSED]);
}

/* After a bail-out: puts the key directory back and removes all the test
 * made, so that a failed run leaves nothing either. */
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

double
behind_start(int checks)
{
	started = clock_seconds();
	race_seconds = race_torture_seconds(DEFAULT_SECONDS);
	plan(checks);
	snprintf(dir, sizeof(dir), "%s", sharedmem_dir());
	snprintf(away, sizeof(away), "%s.away", dir);
	if (signal(SIGALRM, timed_out) == SIG_ERR)
		bail_out("signal: %s", strerror(errno));
	main_pid = getpid();
	if (atexit(clean_at_exit) != 0)
		bail_out("atexit");
	alarm((unsigned int)race_seconds + 300);
	return race_seconds;
}

int
behind_end(const char *what)
{
	int leaks;

	leaks = files_left(NULL);
	total_leaks += leaks + scrub();
	ok(leaks == 0, "the key directory is empty at the end");
	finished = 1;
	diag("%s: %.1f s, %ld operations in races (%.0f/s), %ld right "
	    "segments, %ld expected errors, faults injected %ld, anomalies "
	    "%ld, objects leaked %ld", what, clock_seconds() - started,
	    totals[OPS], raced > 0 ? (double)totals[OPS] / raced : 0.0,
	    totals[RIGHT], totals[REFUSED], totals[FAULTS],
	    totals[RACE_ANOMALIES], total_leaks);
	return exit_status();
}
