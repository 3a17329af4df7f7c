/*
 * directory.c - looking into the key directory: sharedmem_names(),
 * sharedmem_lookup(), sharedmem_keyfile(), and sharedmem_gc() on every
 * state that a process killed during a create can leave.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "tap.h"

#define KEY_PROJ 'S'	/* as the library's first key */

/* Handles that forked children exit with, kept reachable. */
static sharedmem *live_b, *live_c;
static sharedmem *volatile kept;

/* What a gc run reported. */
struct seen {
	int	count[SHAREDMEM_BAD_KEYFILE + 1];
	int	busy;	/* files kept as their processes run */
	int	errors;
	char	files[1024];
};

static void
record_seen(enum sharedmem_leftover kind, const char *file, int shmid,
    int error, void *arg)
{
	struct seen *seen = arg;
	size_t len = strlen(seen->files);

	if (kind == SHAREDMEM_UNFINISHED && error == EBUSY)
		seen->busy++;
	else
		seen->count[kind]++;
	if (error != 0 && error != EBUSY && kind != SHAREDMEM_BAD_KEYFILE)
		seen->errors++;
	snprintf(seen->files + len, sizeof(seen->files) - len, " %d:%s:%d",
	    (int)kind, file, shmid);
}

static int
gc(int flags, struct seen *seen)
{
	memset(seen, 0, sizeof(*seen));
	return sharedmem_gc(flags, record_seen, seen);
}

static const char *
path_in_dir(const char *file)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/%s", sharedmem_dir(), file);
	return path;
}

static int
exists(const char *file)
{
	struct stat st;

	return lstat(path_in_dir(file), &st) == 0;
}

static int
segment_exists(int id)
{
	struct shmid_ds ds;

	return shmctl(id, IPC_STAT, &ds) == 0;
}

/* A pid that surely is not running: a child that has exited. */
static pid_t
dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid == -1 || wait_child(pid) != 0)
		bail_out("fork: %s", strerror(errno));
	return pid;
}

/* How far a create got before it died. */
enum died {
	AFTER_MKSTEMP,		/* a private file, empty */
	AFTER_SHMGET,		/* and a segment at the file's first key */
	AFTER_PROBE,		/* a segment at another key, recorded as
				 * pending */
	AFTER_RECORD		/* a segment, recorded in full */
};

/*
 * Does what a create does up to a point and dies there.  Returns the
 * private file's name; *shmid gets the segment's id or -1.  Parallel
 * tests make segments too: a key found taken is tried again with a new
 * private file (a new inode, so another first key), as a create would
 * move on to the next key.
 */
static const char *
die_during_create(const char *suffix, enum died when, int *shmid)
{
	static char file[64];
	int report[2], got[2] = { -1, -1 };	/* id, attempt */
	pid_t pid;

	if (pipe(report) == -1)
		bail_out("pipe: %s", strerror(errno));
	if ((pid = fork()) == 0) {
		char line[128], old[64] = "";
		key_t key;
		int fd, n, attempt, id = -1;

		for (attempt = 0; attempt < 10; attempt++) {
			snprintf(file, sizeof(file), "sharedmem+%ld-%.5s%d",
			    (long)getpid(), suffix, attempt);
			fd = open(path_in_dir(file), O_RDWR | O_CREAT | O_EXCL,
			    0600);
			if (fd == -1)
				_exit(1);
			/* Only now, so that the new file has another inode. */
			if (old[0] != '\0' && unlink(path_in_dir(old)) == -1)
				_exit(1);
			key = ftok(path_in_dir(file), KEY_PROJ);
			if (when == AFTER_PROBE || when == AFTER_RECORD)
				key = key_plus(key, 7);
			if (when == AFTER_MKSTEMP || (id = shmget(key, 64,
			    IPC_CREAT | IPC_EXCL | 0600)) != -1)
				break;
			if (errno != EEXIST)
				_exit(2);
			(void)close(fd);
			snprintf(old, sizeof(old), "%s", file);
		}
		if (attempt == 10)
			_exit(2);
		n = snprintf(line, sizeof(line),
		    "sharedmem 1 key=0x%08lx shmid=%d size=64 pid=%ld\n",
		    (unsigned long)key & 0xffffffffUL,
		    when == AFTER_RECORD ? id : -1, (long)getpid());
		if ((when == AFTER_PROBE || when == AFTER_RECORD) &&
		    write(fd, line, (size_t)n) != n)
			_exit(3);
		got[0] = id;
		got[1] = attempt;
		_exit(write(report[1], got, sizeof(got)) == sizeof(got) ? 0 : 4);
	}
	(void)close(report[1]);
	if (wait_child(pid) != 0 || read(report[0], got, sizeof(got)) !=
	    sizeof(got))
		bail_out("the dying creator failed");
	(void)close(report[0]);
	if (got[0] != -1)
		track_shm(got[0]);
	snprintf(file, sizeof(file), "sharedmem+%ld-%.5s%d", (long)pid, suffix,
	    got[1]);
	*shmid = got[0];
	return file;
}

static void
test_names_and_lookup(void)
{
	char **names, *path;
	sharedmem *a;
	key_t key;
	int id;

	names = sharedmem_names();
	ok(names != NULL && names[0] == NULL, "an empty key directory: no names");
	sharedmem_free_names(names);

	a = sharedmem_create("a", 64);
	live_b = sharedmem_create("b", 64);
	live_c = sharedmem_create("c", 64);
	if (a == NULL || live_b == NULL || live_c == NULL)
		bail_out("create: %s", strerror(errno));
	if (close(open(path_in_dir("junk"), O_WRONLY | O_CREAT, 0600)) == -1)
		bail_out("junk: %s", strerror(errno));
	names = sharedmem_names();
	ok(names != NULL && names[0] != NULL && strcmp(names[0], "a") == 0 &&
	    names[1] != NULL && strcmp(names[1], "b") == 0 &&
	    names[2] != NULL && strcmp(names[2], "c") == 0 && names[3] == NULL,
	    "names: a b c, sorted, nothing else");
	sharedmem_free_names(names);
	sharedmem_free_names(NULL);
	ok(unlink(path_in_dir("junk")) == 0, "remove the other file");

	path = sharedmem_keyfile("/a");
	ok(path != NULL && strcmp(path, path_in_dir("sharedmem.a")) == 0,
	    "the key file of /a is %s", path != NULL ? path : "(null)");
	free(path);
	FAILS_WITH(sharedmem_keyfile("a/b") == NULL ? -1 : 0, EINVAL,
	    "the key file of a bad name");

	ok(sharedmem_lookup("a", &key, &id) == 0 && key == sharedmem_key(a) &&
	    id == sharedmem_id(a), "lookup gives a's key and shmid");
	ok(sharedmem_lookup("a", NULL, NULL) == 0, "...or nothing, if asked");
	FAILS_WITH(sharedmem_lookup("missing", &key, &id), ENOENT,
	    "lookup of a missing name");
	ok(shmctl(sharedmem_id(a), IPC_RMID, NULL) == 0, "ipcrm a's segment");
	key = 0;
	id = -1;
	FAILS_WITH(sharedmem_lookup("a", &key, &id), ESTALE,
	    "lookup of the stale name");
	ok(key == sharedmem_key(a) && id == sharedmem_id(a),
	    "...still tells what its key file records");
	sharedmem_close(a);
}

static void
test_gc(void)
{
	const char *empty, *with_segment, *linked, *file;
	char empty_file[64], segment_file[64], linked_file[64], live_file[64];
	char probed_file[64], recorded_file[64];
	int probed, recorded;
	struct seen seen;
	sharedmem *shm;
	int id, stray, n;
	pid_t pid;

	/* What dead creates leave; the stale name a is there already. */
	empty = die_during_create("AAAAAA", AFTER_MKSTEMP, &id);
	snprintf(empty_file, sizeof(empty_file), "%s", empty);
	with_segment = die_during_create("BBBBBB", AFTER_SHMGET, &id);
	snprintf(segment_file, sizeof(segment_file), "%s", with_segment);
	file = die_during_create("CCCCCC", AFTER_PROBE, &probed);
	snprintf(probed_file, sizeof(probed_file), "%s", file);
	file = die_during_create("FFFFFF", AFTER_RECORD, &recorded);
	snprintf(recorded_file, sizeof(recorded_file), "%s", file);
	/* Killed between link and the removal of the private name. */
	if ((shm = sharedmem_create("d", 64)) == NULL)
		bail_out("create d: %s", strerror(errno));
	snprintf(linked_file, sizeof(linked_file), "sharedmem+%ld-DDDDDD",
	    (long)dead_pid());
	linked = linked_file;
	if (link(keyfile("d"), path_in_dir(linked)) == -1)
		bail_out("link %s: %s", linked, strerror(errno));
	/* A create under way: this process runs. */
	snprintf(live_file, sizeof(live_file), "sharedmem+%ld-EEEEEE",
	    (long)getpid());
	if (close(open(path_in_dir(live_file), O_WRONLY | O_CREAT, 0600)) ==
	    -1)
		bail_out("%s: %s", live_file, strerror(errno));
	/* A named segment whose creator is dead, attached by nobody. */
	if ((pid = fork()) == 0)
		_exit((kept = sharedmem_create("orphan", 64)) != NULL ? 0 : 1);
	if (wait_child(pid) != 0)
		bail_out("create orphan");
	/* Not a key file; and somebody's segment, not ours to judge. */
	if ((n = open(path_in_dir("sharedmem.bad"), O_WRONLY | O_CREAT, 0600))
	    == -1 || write(n, "rubbish\n", 8) != 8 || close(n) == -1)
		bail_out("sharedmem.bad: %s", strerror(errno));
	if ((stray = shmget(IPC_PRIVATE, 64, 0600)) == -1)
		bail_out("shmget: %s", strerror(errno));
	track_shm(stray);

	n = gc(SHAREDMEM_GC_DRYRUN, &seen);
	diag("dry run:%s", seen.files);
	ok(n == 9 && seen.count[SHAREDMEM_STALE_NAME] == 1 &&
	    seen.count[SHAREDMEM_UNFINISHED] == 5 &&
	    seen.count[SHAREDMEM_UNFINISHED_SEGMENT] == 3 &&
	    seen.count[SHAREDMEM_ORPHAN] == 0 &&
	    seen.count[SHAREDMEM_BAD_KEYFILE] == 1,
	    "a dry run finds the stale name, five dead creates' files, three "
	    "segments, the bad key file: %d", n);
	ok(exists("sharedmem.a") && exists(empty_file) &&
	    exists(segment_file) && exists(linked) &&
	    segment_exists(id),
	    "...and removes nothing");
	ok(seen.busy == 1 && strstr(seen.files, live_file) != NULL,
	    "...and reports the file of the create under way as kept, EBUSY");

	n = gc(0, &seen);
	diag("gc:%s", seen.files);
	ok(n == 9 && seen.errors == 0, "gc removes nine things: %d", n);
	ok(!exists("sharedmem.a"), "the stale name is gone");
	ok(!exists(empty_file) && !exists(segment_file) && !exists(linked) &&
	    !exists(probed_file) && !exists(recorded_file),
	    "the dead creates' private files are gone");
	ok(!segment_exists(id), "the segment at a dead create's first key, "
	    "found by its creator's pid, is gone");
	ok(!segment_exists(probed), "the segment at a pending key is gone");
	ok(!segment_exists(recorded), "the segment of a full record is gone");
	ok(exists(live_file), "a create under way is left alone");
	ok(exists("sharedmem.bad"), "a file that is no key file is left alone");
	ok(segment_exists(stray),
	    "a segment that is not the library's is left alone");
	sharedmem_close(shm);
	shm = sharedmem_attach("d");
	ok(shm != NULL, "a name whose create died after publishing stays");
	sharedmem_close(shm);
	shm = sharedmem_attach("orphan");
	ok(shm != NULL, "without --orphans, an orphan stays");
	sharedmem_close(shm);

	n = gc(SHAREDMEM_GC_ORPHANS, &seen);
	diag("gc with orphans:%s", seen.files);
	ok(n == 1 && seen.count[SHAREDMEM_ORPHAN] == 1 && !exists(
	    "sharedmem.orphan"), "with orphans, gc removes the orphan alone");
	ok(sharedmem_lookup("b", NULL, NULL) == 0 &&
	    sharedmem_lookup("c", NULL, NULL) == 0 &&
	    sharedmem_lookup("d", NULL, NULL) == 0,
	    "names in use stay, b c d");

	ok(unlink(path_in_dir(live_file)) == 0 &&
	    unlink(path_in_dir("sharedmem.bad")) == 0 &&
	    shmctl(stray, IPC_RMID, NULL) == 0 && sharedmem_remove("d") == 0,
	    "clean up what gc had to leave");
}

static void
test_other_users(void)
{
	struct passwd *pw;
	struct seen seen;
	sharedmem *shm;

	if (geteuid() != 0 || (pw = getpwnam("nobody")) == NULL) {
		skip(2, "needs root and a user 'nobody'");
		return;
	}
	if ((shm = sharedmem_create("theirs", 64)) == NULL)
		bail_out("create: %s", strerror(errno));
	if (shmctl(sharedmem_id(shm), IPC_RMID, NULL) == -1 ||
	    chown(path_in_dir("sharedmem.theirs"), pw->pw_uid, pw->pw_gid) == -1)
		bail_out("make theirs: %s", strerror(errno));
	sharedmem_close(shm);
	gc(0, &seen);
	ok(exists("sharedmem.theirs") && seen.count[SHAREDMEM_STALE_NAME] == 0,
	    "another user's stale name is left alone");
	ok(unlink(path_in_dir("sharedmem.theirs")) == 0,
	    "remove it by hand");
}

int
main(void)
{
	plan(31);
	test_names_and_lookup();
	test_gc();
	test_other_users();
	ok(sharedmem_unlink(live_b) == 0 && sharedmem_unlink(live_c) == 0,
	    "unlink b and c");
	sharedmem_close(live_b);
	sharedmem_close(live_c);
	return exit_status();
}
