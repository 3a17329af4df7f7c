/*
 * keydir.c - the key directory itself, damaged behind the library's
 * back while it is in use: made unreadable (mode 0, and 0100: search
 * alone), removed as a tmp cleaner would, made again, replaced by a file,
 * and moved away and back while attaches, lookups, creates and unlinks
 * run.  See behind.h.
 *
 * The key directory's permissions do not stop root: when euid is 0, the
 * checks of a mode-0 directory run in a child that becomes "nobody", in
 * the key directory given to nobody for the while (skipped when there is
 * no such user, or nobody cannot reach the directory).
 */
#include <config.h>

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "behind.h"

/* ------------------------------------------ the key directory, mode 0 */

/* Toggles the key directory between mode 0 and 0700. */
static void
toggler(double until, void *arg)
{
	(void)arg;
	while (clock_seconds() < until) {
		if (chmod(dir, 0) == 0)
			race_count[FAULTS]++;
		race_nap_us((long)(race_rnd() % 500));
		(void)chmod(dir, 0700);
		race_nap_us((long)(race_rnd() % 500));
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
	race_fn *const racers[] = { toggler, attacher, attacher };
	void *const args[] = { NULL, &e, &e };
	long t[RACE_COUNTS];
	key_t key;
	int bits = 0, r, err, id, leaks;

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
	/* The toggler makes no segment: the leak check below is the key
	 * directory's. */
	r = race(racers, args, 3, race_seconds * 0.15, t, &leaks);
	print_race("key directory mode 0 and back", t, race_seconds * 0.15);
	(void)chmod(dir, 0700);
	check(r == 0 && t[RACE_ANOMALIES] == 0 && t[RIGHT] > 0 && t[REFUSED] > 0,
	    "the race: %d processes failed, %ld anomalies", r, t[RACE_ANOMALIES]);
	check(attaches_to("perm", h1), "attach after the race");
	if (sharedmem_unlink(h1) == -1)
		check(0, "unlink perm: %s", strerror(errno));
	(void)sharedmem_close(h1);
	h1 = NULL;
	check(files_left(NULL) == 0, "nothing left in the key directory");
	if (failures)
		bits |= 4;
	if (write(fd, t, sizeof(t)) != (ssize_t)sizeof(t))
		bits |= 16;
	_exit(bits);
}

static void
test_unreadable_dir(void)
{
	struct passwd *pw = NULL;
	struct stat st;
	long t[RACE_COUNTS];
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
	if ((pid = race_spawn((unsigned int)race_seconds + 60)) == 0) {
		(void)close(report[0]);
		if (pw != NULL && (setgid(pw->pw_gid) == -1 ||
		    setuid(pw->pw_uid) == -1))
			_exit(90);
		if (access(dir, W_OK | X_OK) == -1)
			_exit(91);
		unreadable_checks(report[1]);
	}
	(void)close(report[1]);
	got = read(report[0], t, sizeof(t)) == (ssize_t)sizeof(t);
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
	if (got)
		add_tally(t, race_seconds * 0.15);
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

/* Moves the key directory away and back; between, an empty one stands
 * in for a while, and a cleaner empties it before it goes. */
static void
mover(double until, void *arg)
{
	(void)arg;
	while (clock_seconds() < until) {
		if (rename(dir, away) == -1) {
			race_anomaly("rename %s away: %s", dir, strerror(errno));
			break;
		}
		race_count[FAULTS]++;
		race_nap_us((long)(race_rnd() % 500));
		if (race_rnd() % 2 == 0) {
			(void)mkdir(dir, 0700);
			race_nap_us((long)(race_rnd() % 500));
		}
		if (put_back() == -1) {
			race_anomaly("rename %s back: %s", dir, strerror(errno));
			break;
		}
		race_nap_us((long)(race_rnd() % 1000));
	}
}

/* Creates and unlinks "gone-c" while the key directory comes and goes. */
static void
dir_creator(double until, void *arg)
{
	sharedmem *shm;

	(void)arg;
	while (clock_seconds() < until) {
		race_count[OPS]++;
		if ((shm = sharedmem_create("gone-c", SIZE)) == NULL) {
			if (errno == ENOENT)
				race_count[REFUSED]++;
			else
				race_anomaly("create gone-c: %s", strerror(errno));
			continue;
		}
		mark(shm, "gone-c");
		race_count[OPS] += 2;
		if (sharedmem_unlink(shm) == 0 || errno == ENOENT)
			race_count[RIGHT]++;
		else
			race_anomaly("unlink gone-c: %s", strerror(errno));
		(void)sharedmem_close(shm);
	}
}

static void
race_dir_gone(double seconds)
{
	static struct expect e = { "gone", 0, 0, ENOENT, ENOENT, 0 };
	race_fn *const racers[] = { dir_creator, mover, attacher, attacher };
	void *const args[] = { NULL, NULL, &e, &e };
	long t[RACE_COUNTS];
	int bad, debris, leaks;

	h1 = create_marked("gone");
	e.owner = (long)getpid();
	e.serial = ((const struct mark *)sharedmem_buf(h1))->serial;
	e.id = sharedmem_id(h1);
	bad = race(racers, args, 4, seconds, t, &leaks);
	print_race("key directory moved away, emptied and back", t, seconds);
	add_tally(t, seconds);
	if (access(away, F_OK) == 0 && put_back() == -1)
		bail_out("cannot put %s back: %s", dir, strerror(errno));
	ok(bad == 0 && t[RACE_ANOMALIES] == 0 && t[FAULTS] > 0 && t[RIGHT] > 0,
	    "key directory moved away and back while attach, lookup, create "
	    "and unlink run: %ld anomalies", t[RACE_ANOMALIES]);
	/* A create whose directory moved under it leaves its private file
	 * where it made it, and an unlink its key file: gc's work. */
	debris = sharedmem_gc(0, NULL, NULL);
	ok(attaches_to("gone", h1), "...\"gone\" attaches to its segment "
	    "again (gc collected %d leftovers of moved creates)", debris);
	dispose(h1);
	h1 = NULL;
	leaks += scrub();
	total_leaks += leaks;
	ok(leaks == 0, "...nothing else is left (%d found)", leaks);
}

int
main(void)
{
	double total = behind_start(21);

	test_unreadable_dir();
	test_dir_gone();
	race_dir_gone(total * 0.15);
	return behind_end("keydir");
}
