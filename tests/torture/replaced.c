/*
 * replaced.c - key files replaced behind the library's back, while it is
 * in use, by a symbolic link to a live key file, a directory, a FIFO, a
 * file of garbage, a truncated record or an empty file: attach, create,
 * lookup and remove of the name fail with EINVAL and leave the file, gc
 * reports it and removes nothing, and unlink of an open handle removes
 * its own segment and only that.  Then each kind is put over live key
 * files and taken away again, racing attaches, lookups, creates, unlinks
 * and gc.  See behind.h.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "behind.h"

enum kind { K_SYMLINK, K_DIR, K_FIFO, K_GARBAGE, K_TRUNCATED, K_EMPTY,
	NKINDS };

static const char *const kind_names[NKINDS] = {
	"a symbolic link to a live key file", "a directory", "a FIFO",
	"a file of garbage", "a truncated record", "an empty file"
};

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
			race_anomaly("plant: %s", strerror(errno));
	} else
		race_count[FAULTS]++;
	race_nap_us((long)(race_rnd() % 300));
	if (held) {
		if (kind == K_DIR && rmdir(path) == -1 && errno != ENOENT &&
		    errno != ENOTDIR) {
			/* Something was made in the directory: a cleaner
			 * would empty it. */
			race_anomaly("rmdir planted directory: %s",
			    strerror(errno));
		}
		if (kind != K_DIR) {
			if (rename(hold, path) == -1)
				race_anomaly("put back: %s", strerror(errno));
		} else if (link(hold, path) == 0)
			(void)unlink(hold);
		else if (errno == EEXIST) {
			/* The original name is lost: its file goes. */
			race_count[TAKEN] += count_taken;
			(void)unlink(hold);
		} else
			race_anomaly("put back: %s", strerror(errno));
	} else if (unplant(kind, path) == -1) {
		/* A remover took it for the key file, and removed it. */
		if (errno == ENOENT)
			race_count[MISSED]++;
		else if (errno != ENOTDIR && errno != EISDIR)
			race_anomaly("remove planted: %s", strerror(errno));
	}
	race_nap_us((long)(race_rnd() % 300));
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
		race_count[OPS]++;
		if ((shm = sharedmem_create("race-u", SIZE)) == NULL) {
			if (errno == EINVAL)
				race_count[REFUSED]++;
			else
				race_anomaly("create race-u: %s", strerror(errno));
			continue;
		}
		mark(shm, "race-u");
		race_nap_us((long)(race_rnd() % 200));
		if (!mine(shm, "race-u"))
			race_anomaly("race-u: the creator's own memory changed");
		race_count[OPS]++;
		if ((r = sharedmem_unlink(shm)) == 0 || errno == ENOENT)
			race_count[RIGHT]++;
		else
			race_anomaly("unlink race-u: %s", strerror(errno));
		race_count[OPS]++;
		if (sharedmem_close(shm) == -1)
			race_anomaly("close: %s", strerror(errno));
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
		race_count[OPS]++;
		if ((shm = sharedmem_create("race", SIZE)) == NULL) {
			if (errno == EEXIST || errno == EINVAL)
				race_count[REFUSED]++;
			else
				race_anomaly("create race: %s", strerror(errno));
			continue;
		}
		if (s->kind != K_DIR)
			race_anomaly("create race: succeeded over a live name");
		mark(shm, "race");
		race_count[OPS] += 2;
		if (sharedmem_unlink(shm) == -1 && errno != ENOENT)
			race_anomaly("unlink race: %s", strerror(errno));
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
		race_anomaly("gc removed %s (shmid %d), a live name or no key file",
		    file, shmid);
}

static void
guarded_collector(double until, void *arg)
{
	(void)arg;
	while (clock_seconds() < until) {
		race_count[OPS]++;
		if (sharedmem_gc(0, guarded_report, NULL) == -1)
			race_anomaly("gc: %s", strerror(errno));
		race_nap_us((long)(race_rnd() % 2000));
	}
}

static void
race_bad_kind(enum kind kind, double seconds)
{
	struct expect strict, loose;
	struct swap s;
	race_fn *const racers[] = {
		unlinker, swapper, attacher, attacher, creator,
		guarded_collector
	};
	void *args[6];
	long t[RACE_COUNTS];
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
	bad = race(racers, args, 6, seconds, t, &leaks);
	snprintf(what, sizeof(what), "race with %s", kind_names[kind]);
	print_race(what, t, seconds);
	add_tally(t, seconds);
	/* A create may have taken "race" while its file was away for a
	 * planted directory: then the name is gone with that create. */
	lost = t[TAKEN] > 0 && !attaches_to("race", h1) &&
	    sharedmem_attach("race") == NULL && errno == ENOENT;
	back = (lost || attaches_to("race", h1)) && attaches_to("victim", hv);
	/* What the planting left: names whose segments went while their
	 * key files were away (stale, gc's work), not leaks. */
	debris = sharedmem_gc(0, NULL, NULL);
	unlinked = sharedmem_unlink(h1) == 0 || (lost && errno == ENOENT);
	(void)sharedmem_close(h1);
	h1 = NULL;
	leaks += files_left("victim");
	if (leaks != 0)
		renew_victim();
	total_leaks += leaks;
	ok(bad == 0 && t[RACE_ANOMALIES] == 0 && t[FAULTS] > 0 && back &&
	    unlinked && leaks == 0,
	    "%s while attach, lookup, create, unlink and gc run: %ld "
	    "anomalies, %d stale names collected, %d leaks", what,
	    t[RACE_ANOMALIES], debris, leaks);
	if (!back || !unlinked)
		diag("afterwards, race and victim attach: %s; race unlinks: "
		    "%s", back ? "yes" : "no", unlinked ? "yes" : "no");
}

int
main(void)
{
	double total = behind_start(NKINDS * 7 + 1);
	enum kind k;

	hv = create_marked("victim");
	for (k = 0; k < NKINDS; k++)
		test_bad_kind(k);
	for (k = 0; k < NKINDS; k++)
		race_bad_kind(k, total * 0.4 / NKINDS);
	dispose(hv);
	hv = NULL;
	return behind_end("replaced");
}
