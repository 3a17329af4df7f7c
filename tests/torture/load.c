/*
 * load.c - the load torture test: many processes on a few names, and
 * every attach gets the whole segment of its name.
 *
 * N processes (8, or $SHAREDMEM_TORTURE_PROCS) hammer a few names with
 * create, attach, write, verify, close, unlink and remove for a fixed
 * time, and every attach checks that it got a whole segment of the name
 * it asked for.  A second phase does the same with ftok() giving every
 * file the same key, so that every create also collides on keys.
 *
 * Each segment starts with a header.  Its creator, the only one to touch
 * the segment before the header is complete, checks that the new segment
 * is zero-filled, writes the name it created, the size, its tag (pid and
 * a count of its creates), the body and the body's checksum, and then,
 * last, the ready marker.  Anyone who attaches and finds no marker yet
 * has caught the creator between publishing the name and filling it in:
 * it closes without judging.  A marker present promises the rest: the
 * header's name must be the name attached, its size sharedmem_size(), and
 * the checksum the body's.  Attachers also rewrite the body: a writer
 * makes the header's sequence number odd (compare-and-swap), rewrites the
 * body, its checksum and the writer's tag, and makes it even again; a
 * reader judges the checksum only when the number was even and unchanged
 * around its reading, as in a seqlock.  Checksums walk every byte, so a
 * short segment would fault.
 *
 * Expected failures: create EEXIST, attach ENOENT, unlink and remove
 * ENOENT (someone else removed the name first).  Anything else, a failed
 * check, a worker that dies or does not finish, is an anomaly.
 *
 * Leaks.  Workers leave names alive on purpose (a creator or attacher
 * that closes without unlinking leaves the name to the others), so names
 * alive at the end are removed and not counted.  What the protocol must
 * never leave is counted as a leak, and removed: a key file whose
 * segment is gone (every remover takes the name away after the segment),
 * a create's private file, a segment made by a worker that no name refers
 * to once the names are removed (Linux: found with SHM_STAT), any other
 * file in the key directory.
 *
 * Duration: $SHAREDMEM_TORTURE_SECONDS split 2:1 between the phases, or
 * 4 + 2 seconds when it is unset or empty.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "race.h"

#define NAMES		4
#define NAME_LEN	16
#define HELD		2	/* handles a worker keeps open at once */
#define MAX_SIZE	(256 * 1024)
#define READY		0x52454459UL
#define DEFAULT_PROCS	8
#define DEFAULT_SECONDS	6
#define RESULT		"LOAD-RESULT"

#if defined(__GNUC__) || defined(__clang__)
#define BARRIER()	__sync_synchronize()
#define CAS(p, o, n)	__sync_bool_compare_and_swap((p), (o), (n))
#define CAN_WRITE	1
#else
#define BARRIER()	do { } while (0)
#define CAS(p, o, n)	0
#define CAN_WRITE	0
#endif

/* The start of every segment. */
struct header {
	volatile unsigned long	ready;	/* READY once the creator is done */
	volatile unsigned long	seq;	/* odd while a writer works */
	char			name[NAME_LEN];
	unsigned long		size;	/* the whole segment's */
	long			owner;	/* the creator's pid... */
	unsigned long		serial;	/* ...and count of creates */
	long			writer;	/* who wrote the body last */
	unsigned long		wserial;
	uint64_t		sum;	/* the body's checksum */
};

/* What a worker counts, beside race.h's anomalies, and sends its parent
 * at the end. */
enum {
	C_CREATE = 1, C_EEXIST, C_ATTACH, C_ATTACH_ENOENT, C_UNREADY, C_VERIFY,
	C_WRITE, C_BUSY, C_TORN, C_UNLINK, C_UNLINK_ENOENT, C_REMOVE,
	C_REMOVE_ENOENT, C_CLOSE, C_KEYSKIP, NCOUNTS
};

/* The counts of a worker must fit its report. */
typedef char counts_fit[NCOUNTS <= RACE_COUNTS ? 1 : -1];

static const char *const count_names[NCOUNTS] = {
	"anomalies", "creates", "create EEXIST", "attaches", "attach ENOENT",
	"found unfinished", "verified", "body rewrites", "rewrite busy",
	"reads raced a rewrite", "unlinks", "unlink ENOENT", "removes",
	"remove ENOENT", "closes", "keys skipped"
};

struct results {
	long	counts[RACE_COUNTS];
	double	seconds;
	int	workers, clean;
	long	leaks, alive_left;
};

static const char *const names[NAMES] = {
	"load-0", "load-1", "load-2", "load-3"
};

/* At file scope, so that a worker that exits holding them does not seem
 * to leak them. */
static sharedmem *volatile held[HELD];
static int held_name[HELD];

static key_t fixed_key;		/* the key ftok() gives, when fixed */
static pid_t main_pid;
static int finished;		/* set once the workers' leftovers are gone */
static unsigned long creates;

static uint64_t
checksum(const unsigned char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* Fills len bytes at p from the generator. */
static void
fill(unsigned char *p, size_t len)
{
	uint64_t w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		w = race_rnd();
		memcpy(p + i, &w, 8);
	}
	for (w = race_rnd(); i < len; i++, w >>= 8)
		p[i] = (unsigned char)w;
}

static int
all_zero(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* 64 bytes to 256 KiB, spread over the powers of two. */
static size_t
pick_size(void)
{
	size_t top = (size_t)1 << (6 + race_rnd() % 13), size;

	size = top / 2 + (size_t)(race_rnd() % (top / 2 + 1));
	return size < sizeof(struct header) ? sizeof(struct header) : size;
}

/*
 * Checks the segment of shm, opened under name (how: "attach" etc.):
 * 1 whole and right, 0 not filled in yet (or rewritten all the time),
 * -1 an anomaly.
 */
static int
verify(sharedmem *shm, const char *name, const char *how)
{
	struct header *h = sharedmem_buf(shm);
	size_t size = sharedmem_size(shm);
	char hname[NAME_LEN];
	unsigned long ready, s1, s2, hsize;
	uint64_t sum = 0, want = 0;
	int tries;

	if (strcmp(sharedmem_name(shm), name) != 0) {
		race_anomaly("%s %s: the handle says %.40s", how, name,
		    sharedmem_name(shm));
		return -1;
	}
	if (size < sizeof(*h)) {
		race_anomaly("%s %s: %lu bytes, less than any segment here", how,
		    name, (unsigned long)size);
		return -1;
	}
	if ((ready = h->ready) != READY) {
		if (ready != 0) {
			race_anomaly("%s %s: ready marker %#lx", how, name, ready);
			return -1;
		}
		race_count[C_UNREADY]++;
		return 0;
	}
	BARRIER();
	for (tries = 0;; tries++) {
		if (tries == 1000)
			return 0;	/* rewritten all along: judge later */
		s1 = h->seq;
		BARRIER();
		if (s1 & 1)
			continue;
		memcpy(hname, h->name, sizeof(hname));
		hsize = h->size;
		want = h->sum;
		sum = checksum((unsigned char *)(h + 1), size - sizeof(*h));
		BARRIER();
		s2 = h->seq;
		if (s1 == s2)
			break;
		race_count[C_TORN]++;
	}
	if (memchr(hname, '\0', sizeof(hname)) == NULL ||
	    strcmp(hname, name) != 0) {
		race_anomaly("%s %s: the segment is %.*s's (shmid %d, creator %ld)",
		    how, name, NAME_LEN, hname, sharedmem_id(shm), h->owner);
		return -1;
	}
	if (hsize != size) {
		race_anomaly("%s %s: the handle says %lu bytes, the header %lu", how,
		    name, (unsigned long)size, hsize);
		return -1;
	}
	if (sum != want) {
		race_anomaly("%s %s: checksum %016llx, the header says %016llx "
		    "(shmid %d, %lu bytes, creator %ld #%lu, writer %ld #%lu)",
		    how, name, (unsigned long long)sum,
		    (unsigned long long)want, sharedmem_id(shm), hsize,
		    h->owner, h->serial, h->writer, h->wserial);
		return -1;
	}
	race_count[C_VERIFY]++;
	return 1;
}

/* Rewrites the body of a complete segment, as a seqlock writer. */
static void
rewrite(sharedmem *shm)
{
	struct header *h = sharedmem_buf(shm);
	unsigned char *body = (unsigned char *)(h + 1);
	size_t len = sharedmem_size(shm) - sizeof(*h);
	unsigned long s;

	if (!CAN_WRITE || h->ready != READY)
		return;
	s = h->seq;
	if ((s & 1) || !CAS(&h->seq, s, s + 1)) {
		race_count[C_BUSY]++;
		return;
	}
	BARRIER();
	fill(body, len);
	h->writer = (long)getpid();
	h->wserial = (unsigned long)race_count[C_WRITE];
	h->sum = checksum(body, len);
	BARRIER();
	h->seq = s + 2;
	race_count[C_WRITE]++;
}

static void
do_close(sharedmem *shm)
{
	if (sharedmem_close(shm) == -1)
		race_anomaly("close: %s", strerror(errno));
	race_count[C_CLOSE]++;
}

static void
do_unlink(sharedmem *shm)
{
	if (sharedmem_unlink(shm) == 0)
		race_count[C_UNLINK]++;
	else if (errno == ENOENT)
		race_count[C_UNLINK_ENOENT]++;
	else
		race_anomaly("unlink %s: %s", sharedmem_name(shm), strerror(errno));
}

/* Keeps shm open for later if a slot is free, else closes it. */
static void
keep_or_close(sharedmem *shm, int n)
{
	int i;

	for (i = 0; i < HELD; i++)
		if (held[i] == NULL) {
			held[i] = shm;
			held_name[i] = n;
			return;
		}
	do_close(shm);
}

static void
do_create(int n)
{
	struct header *h;
	sharedmem *shm;
	size_t size = pick_size();
	uint64_t r;

	if ((shm = sharedmem_create(names[n], size)) == NULL) {
		if (errno == EEXIST)
			race_count[C_EEXIST]++;
		else
			race_anomaly("create %s: %s", names[n], strerror(errno));
		return;
	}
	race_count[C_CREATE]++;
	if (fixed_key != 0)
		race_count[C_KEYSKIP] += (long)(sharedmem_key(shm) - fixed_key);
	h = sharedmem_buf(shm);
	if (sharedmem_size(shm) != size || strcmp(sharedmem_name(shm),
	    names[n]) != 0)
		race_anomaly("create %s, %lu bytes: got %.40s, %lu bytes", names[n],
		    (unsigned long)size, sharedmem_name(shm),
		    (unsigned long)sharedmem_size(shm));
	else if (!all_zero((unsigned char *)h, size))
		race_anomaly("create %s: the new segment (shmid %d) is not "
		    "zero-filled: creator %ld #%lu", names[n],
		    sharedmem_id(shm), h->owner, h->serial);
	else {
		memcpy(h->name, names[n], strlen(names[n]) + 1);
		h->size = (unsigned long)size;
		h->owner = (long)getpid();
		h->serial = creates++;
		h->writer = h->owner;
		h->wserial = 0;
		fill((unsigned char *)(h + 1), size - sizeof(*h));
		h->sum = checksum((unsigned char *)(h + 1), size - sizeof(*h));
		BARRIER();
		h->ready = READY;
		(void)verify(shm, names[n], "create");
	}
	r = race_rnd() % 10;
	if (r < 4) {
		do_unlink(shm);
		do_close(shm);
	} else if (r < 7)
		keep_or_close(shm, n);
	else
		do_close(shm);
}

static void
do_attach(int n)
{
	sharedmem *shm;
	uint64_t r;

	if ((shm = sharedmem_attach(names[n])) == NULL) {
		if (errno == ENOENT)
			race_count[C_ATTACH_ENOENT]++;
		else
			race_anomaly("attach %s: %s", names[n], strerror(errno));
		return;
	}
	race_count[C_ATTACH]++;
	if (verify(shm, names[n], "attach") == 1 && race_rnd() % 3 == 0)
		rewrite(shm);
	r = race_rnd() % 10;
	if (r < 2) {
		do_unlink(shm);
		do_close(shm);
	} else if (r < 5)
		keep_or_close(shm, n);
	else
		do_close(shm);
}

static void
do_remove(int n)
{
	if (sharedmem_remove(names[n]) == 0)
		race_count[C_REMOVE]++;
	else if (errno == ENOENT)
		race_count[C_REMOVE_ENOENT]++;
	else
		race_anomaly("remove %s: %s", names[n], strerror(errno));
}

/* Works on a handle kept from before, whose name may be gone by now:
 * its segment must still be whole. */
static void
do_held(int n)
{
	int slot = (int)(race_rnd() % HELD);
	sharedmem *shm = held[slot];
	uint64_t r;

	if (shm == NULL) {
		do_attach(n);
		return;
	}
	if (verify(shm, names[held_name[slot]], "held") == 1 &&
	    race_rnd() % 2 == 0)
		rewrite(shm);
	r = race_rnd() % 3;
	if (r == 2)
		return;
	held[slot] = NULL;
	if (r == 0)
		do_unlink(shm);
	do_close(shm);
}

/* A racer: works on the names at random until the time is up. */
static void
worker(double until, void *arg)
{
	int i, n;
	uint64_t r;

	(void)arg;
	while (clock_seconds() < until) {
		n = (int)(race_rnd() % NAMES);
		r = race_rnd() % 100;
		if (r < 25)
			do_create(n);
		else if (r < 60)
			do_attach(n);
		else if (r < 67)
			do_remove(n);
		else
			do_held(n);
	}
	for (i = 0; i < HELD; i++)
		if (held[i] != NULL) {
			(void)verify(held[i], names[held_name[i]], "last");
			do_close(held[i]);
			held[i] = NULL;
		}
}

static long gc_found;

static void
gc_report(enum sharedmem_leftover kind, const char *file, int shmid,
    int error, void *arg)
{
	static const char *const kinds[] = {
		"stale name", "unfinished create", "unfinished segment",
		"orphan", "bad key file"
	};

	(void)arg;
	diag("leak: gc found a %s, %s (shmid %d)%s%s", kinds[kind], file,
	    shmid, error ? ": " : "", error ? strerror(error) : "");
	gc_found++;
}

/* Removes, and counts, what is left in the key directory. */
static long
sweep_files(void)
{
	char path[4096];
	struct dirent *de;
	long leaks = 0;
	DIR *d;

	if ((d = opendir(sharedmem_dir())) == NULL)
		bail_out("opendir %s: %s", sharedmem_dir(), strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "tracked-ids") == 0)
			continue;
		diag("leak: %s left in the key directory", de->d_name);
		snprintf(path, sizeof(path), "%s/%s", sharedmem_dir(),
		    de->d_name);
		(void)unlink(path);
		leaks++;
	}
	(void)closedir(d);
	return leaks;
}

/*
 * After the workers: removes what they left, counting what is a leak
 * into r->leaks and the names left alive on purpose into r->alive_left.
 */
static void
clean_up(struct results *r, const struct race *race)
{
	char **list;
	int i;

	gc_found = 0;
	if (sharedmem_gc(0, gc_report, NULL) == -1)
		bail_out("gc: %s", strerror(errno));
	r->leaks += gc_found;
	if ((list = sharedmem_names()) == NULL)
		bail_out("names: %s", strerror(errno));
	for (i = 0; list[i] != NULL; i++) {
		if (sharedmem_remove(list[i]) == 0)
			r->alive_left++;
		else {
			diag("leak: remove %s at the end: %s", list[i],
			    strerror(errno));
			r->leaks++;
		}
	}
	sharedmem_free_names(list);
	r->leaks += race_leaked_segments(race, race->n);
	r->leaks += sweep_files();
}

/* Runs the workers for seconds, and cleans up after them. */
static void
run_load(int procs, double seconds, struct results *r)
{
	race_fn *workers[RACE_PROCS];
	void *args[RACE_PROCS];
	struct race race;
	int i;

	for (i = 0; i < procs; i++) {
		workers[i] = worker;
		args[i] = NULL;
	}
	memset(r, 0, sizeof(*r));
	r->workers = procs;
	/* A hang dies a minute after the time is up. */
	race_run(&race, workers, args, procs, seconds,
	    (unsigned int)seconds + 60);
	memcpy(r->counts, race.sum, sizeof(r->counts));
	r->seconds = race.seconds;
	clean_up(r, &race);
	r->clean = race_reap(&race) == 0;
}

static long
operations(const struct results *r)
{
	const long *c = r->counts;

	return c[C_CREATE] + c[C_EEXIST] + c[C_ATTACH] + c[C_ATTACH_ENOENT] +
	    c[C_WRITE] + c[C_BUSY] + c[C_VERIFY] + c[C_UNREADY] +
	    c[C_UNLINK] + c[C_UNLINK_ENOENT] + c[C_REMOVE] +
	    c[C_REMOVE_ENOENT] + c[C_CLOSE];
}

static void
print_figures(const char *phase, const struct results *r)
{
	char line[1024];
	size_t len = 0;
	int i;

	diag("%s: %d processes, %.1f s, %ld operations, %.0f ops/s", phase,
	    r->workers, r->seconds, operations(r),
	    (double)operations(r) / r->seconds);
	for (i = 0; i < NCOUNTS; i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len,
		    "%s%s %ld", i ? ", " : "", count_names[i], r->counts[i]);
	diag("%s: %s", phase, line);
	diag("%s: anomalies %ld, faults injected %ld, names left alive on "
	    "purpose %ld (removed), objects leaked %ld", phase,
	    r->counts[RACE_ANOMALIES], r->counts[C_KEYSKIP], r->alive_left,
	    r->leaks);
}

/*
 * The second phase, in a program run again with ftok() interposed: reads
 * its part of the results from that program's output, relaying the rest.
 * Returns 0 if it ran, -1 if it skipped.
 */
static int
fixed_phase(char **argv, int procs, double seconds, struct results *r)
{
	char line[1024], secs[32];
	FILE *f;
	pid_t pid;
	int out[2], got = 0, skipped = 0, st;

	memset(r, 0, sizeof(*r));
	if (pipe(out) == -1)
		bail_out("pipe: %s", strerror(errno));
	fflush(stdout);
	if ((pid = fork()) == -1)
		bail_out("fork: %s", strerror(errno));
	if (pid == 0) {
		(void)close(out[0]);
		snprintf(secs, sizeof(secs), "%.3f", seconds);
		if (dup2(out[1], STDOUT_FILENO) == -1 ||
		    setenv("LOAD_PHASE_SECONDS", secs, 1) == -1)
			_exit(99);
		(void)close(out[1]);
		(void)fixed_ftok(argv);	/* runs this program again */
		_exit(99);
	}
	(void)close(out[1]);
	if ((f = fdopen(out[0], "r")) == NULL)
		bail_out("fdopen: %s", strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "1..0 # SKIP", 11) == 0) {
			diag("fixed ftok: skipped:%s", line + 11);
			skipped = 1;
		} else if (sscanf(line, RESULT " %d %ld %ld %ld %lf",
		    &r->clean, &r->counts[C_VERIFY], &r->counts[RACE_ANOMALIES],
		    &r->leaks, &r->seconds) == 5)
			got = 1;
		else
			printf("%s%s\n", line[0] == '#' ? "" : "# ", line);
	}
	(void)fclose(f);
	r->workers = procs;
	st = wait_child(pid);
	if (skipped && st == 0)
		return -1;
	if (!got || st != 0) {
		diag("the fixed-ftok run ended with status %d%s", st,
		    got ? "" : " and no result");
		r->clean = 0;
		r->counts[RACE_ANOMALIES] += !got;
	}
	return 0;
}

/* main() of the program run again by fixed_phase(). */
static int
fixed_main(char **argv, int procs)
{
	struct results r;
	const char *secs = getenv("LOAD_PHASE_SECONDS");

	fixed_key = fixed_ftok(argv);
	if (secs == NULL)
		bail_out("no $LOAD_PHASE_SECONDS");
	diag("fixed ftok: every create's first key is 0x%08lx; the faults "
	    "injected are the keys found taken by the creates that won",
	    (unsigned long)fixed_key);
	run_load(procs, atof(secs), &r);
	finished = 1;
	print_figures("load, fixed ftok", &r);
	printf(RESULT " %d %ld %ld %ld %f\n", r.clean, r.counts[C_VERIFY],
	    r.counts[RACE_ANOMALIES], r.leaks, r.seconds);
	return 0;
}

/* After a bail-out: removes what the workers left, so that a failed run
 * leaves nothing either. */
static void
clean_at_exit(void)
{
	char **list;
	int i;

	if (finished || getpid() != main_pid)
		return;
	(void)sharedmem_gc(0, NULL, NULL);
	if ((list = sharedmem_names()) != NULL) {
		for (i = 0; list[i] != NULL; i++)
			(void)sharedmem_remove(list[i]);
		sharedmem_free_names(list);
	}
}

int
main(int argc, char **argv)
{
	struct results r;
	double total, first;
	int procs;

	(void)argc;
	procs = (int)race_env_number("SHAREDMEM_TORTURE_PROCS", DEFAULT_PROCS,
	    1, RACE_PROCS);
	main_pid = getpid();
	if (atexit(clean_at_exit) != 0)
		bail_out("atexit");
	if (getenv("SHAREDMEM_FTOK_KEY") != NULL)
		return fixed_main(argv, procs);
	total = race_torture_seconds(DEFAULT_SECONDS);
	first = total >= 3 ? total * 2 / 3 : total;
	plan(7);
	alarm((unsigned int)total + 300);	/* a hang fails */

	run_load(procs, first, &r);
	finished = 1;
	print_figures("load", &r);
	ok(r.clean, "%d workers ran %.0f s and ended cleanly", procs, first);
	ok(r.counts[C_VERIFY] > 0 && r.counts[C_CREATE] > 0,
	    "they created %ld segments and verified %ld", r.counts[C_CREATE],
	    r.counts[C_VERIFY]);
	ok(r.counts[RACE_ANOMALIES] == 0, "no anomaly in %ld operations "
	    "(%ld found)", operations(&r), r.counts[RACE_ANOMALIES]);
	ok(r.leaks == 0, "no object leaked (%ld found)", r.leaks);

	if (total - first < 1 ||
	    fixed_phase(argv, procs, total - first, &r) == -1) {
		skip(3, "no phase with a fixed ftok() key");
		return exit_status();
	}
	ok(r.clean, "with ftok() fixed: workers ended cleanly");
	ok(r.counts[RACE_ANOMALIES] == 0 && r.counts[C_VERIFY] > 0,
	    "with ftok() fixed: no anomaly (%ld found), %ld verified",
	    r.counts[RACE_ANOMALIES], r.counts[C_VERIFY]);
	ok(r.leaks == 0, "with ftok() fixed: no object leaked (%ld found)",
	    r.leaks);
	return exit_status();
}
