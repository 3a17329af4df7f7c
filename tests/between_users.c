/*
 * between_users.c - what one local user can and cannot do to another's
 * names through a key directory they share.
 *
 * Run as root, the test acts as two users that no account has: the
 * victim, who makes names, and the intruder, who puts files beside them,
 * as anyone may in a sticky directory such as /dev/shm; root acts too.
 * It shows that
 *  - a key file planted under a free name, pointing at the victim's other
 *    segment, at her 0666 segment or at her semaphore set, leads nobody
 *    there: attach and lookup call it stale, and remove, unlink and gc -
 *    the victim's, the intruder's or root's - never touch what it points
 *    at;
 *  - a hard link of the victim's key file under another name is that
 *    other name's, and leads nowhere either;
 *  - a key file of another run of the system is stale, even where its
 *    key, shmid and size match a segment of this run: by a record's run
 *    field, and by a new IPC namespace standing in for a reboot;
 *  - a read lock that another user holds on a key file keeps its owner
 *    from nothing: creates over stale names, removes and unlinks go
 *    through at once;
 *  - another user's stale key file blocks a name, as another user's file
 *    blocks shm_open(O_CREAT | O_EXCL): EEXIST, until its owner or root
 *    removes it;
 *  - an unprivileged creator gets a read-write handle with every mode
 *    from 0 to 0777, the segment and its set end up with the mode asked,
 *    and she can remove every one of them again.
 * Without root, or where the two users cannot reach the key directory, the
 * test skips and says why.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "tap.h"
#include "users.h"

#define TESTS		55
#define SIZE		64
#define QUICK		0.25	/* seconds within which an owner's call ends */
#define NOT_BECOME	254	/* a child that could not take its ids */

static uid_t victim, intruder;
static char boot_field[128];	/* " boot=..." of this run, or "" */

/* What a child does as another user, with its arguments: it returns 0 or
 * the errno of the call that failed. */
static const char *arg_name;
static const char *arg_text;
static mode_t arg_mode;
static int arg_flags;
typedef int (*deed)(void);

/* Runs d as uid in a child; returns what d returned. */
static int
as(uid_t uid, deed d)
{
	pid_t pid;

	fflush(stdout);
	if ((pid = fork_or_bail()) == 0) {
		if (uid != 0 && drop_to(uid, (gid_t)uid) == -1)
			_exit(NOT_BECOME);
		_exit(d());
	}
	return wait_child(pid);
}

static int
failure(void)
{
	return errno != 0 ? errno : EIO;
}

static int
do_create(void)
{
	static sharedmem *shm;

	if ((shm = sharedmem_open(arg_name, SHAREDMEM_CREATE | arg_flags, SIZE,
	    arg_mode)) == NULL)
		return failure();
	return sharedmem_close(shm) == -1 ? failure() : 0;
}

static int
do_attach(void)
{
	static sharedmem *shm;

	if ((shm = sharedmem_attach(arg_name)) == NULL)
		return failure();
	return sharedmem_close(shm) == -1 ? failure() : 0;
}

static int
do_lookup(void)
{
	return sharedmem_lookup(arg_name, NULL, NULL) == -1 ? failure() : 0;
}

static int
do_remove(void)
{
	return sharedmem_remove(arg_name) == -1 ? failure() : 0;
}

/* Returns how many things gc removed, or 255 if it failed. */
static int
do_gc(void)
{
	int n = sharedmem_gc(0, NULL, NULL);

	return n < 0 || n > 200 ? 255 : n;
}

static int
do_reach(void)
{
	return access(sharedmem_dir(), W_OK | X_OK) == -1 ? failure() : 0;
}

/* Puts arg_text at arg_name's key file, as anyone may at a free name. */
static int
do_plant(void)
{
	size_t len = strlen(arg_text);
	int fd;

	if ((fd = open(keyfile(arg_name), O_WRONLY | O_CREAT | O_EXCL, 0644))
	    == -1)
		return failure();
	if (write(fd, arg_text, len) != (ssize_t)len)
		return EIO;
	return close(fd) == -1 ? failure() : 0;
}

/* The key file of a name as an intruder writes it, pointing at key,
 * shmid and size; with name and run when version is 2. */
static void
plant_as(uid_t uid, const char *name, int version, key_t key, int shmid,
    size_t size, const char *sems, const char *boot)
{
	static char text[512];
	unsigned long bits = (unsigned long)key & 0xffffffffUL;
	int r;

	if (version == 1)
		snprintf(text, sizeof(text), "sharedmem 1 key=0x%08lx shmid=%d "
		    "size=%lu pid=4242%s\n", bits, shmid, (unsigned long)size,
		    sems);
	else
		snprintf(text, sizeof(text), "sharedmem 2 key=0x%08lx shmid=%d "
		    "size=%lu pid=4242%s%s name=%s\n", bits, shmid,
		    (unsigned long)size, sems, boot, name);
	arg_name = name;
	arg_text = text;
	if ((r = as(uid, do_plant)) != 0)
		bail_out("cannot plant a key file at %s: %s", name, strerror(r));
}

/* Runs deed d on name as uid. */
static int
on(uid_t uid, deed d, const char *name)
{
	arg_name = name;
	return as(uid, d);
}

static int
create_as(uid_t uid, const char *name, int flags, mode_t mode)
{
	arg_mode = mode;
	arg_flags = flags;
	return on(uid, do_create, name);
}

/* What root finds at name; bails out if there is no key file. */
static struct sharedmem_info
inspect(const char *name)
{
	struct sharedmem_info info;

	if (sharedmem_inspect(name, &info) == -1)
		bail_out("inspect %s: %s", name, strerror(errno));
	return info;
}

/* Whether segment id is there, made by uid. */
static int
segment_of(int id, uid_t uid)
{
	struct shmid_ds ds;

	return shmctl(id, IPC_STAT, &ds) == 0 && ds.shm_perm.cuid == uid;
}

/* Whether semaphore set id is there, made by uid. */
static int
set_of(int id, uid_t uid)
{
	struct semid_ds ds;

	return set_stat(id, &ds) == 0 && ds.sem_perm.cuid == uid;
}

static int
present(const char *name)
{
	struct stat st;

	return lstat(keyfile(name), &st) == 0;
}

static void errno_is(int, int, const char *, ...) TAP_PRINTF(3, 4);

/* A test that got errno got, or 0, where want was due. */
static void
errno_is(int got, int want, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!ok(got == want, "%s: %s", what, strerror(want)))
		diag("got %s (%d)", got == NOT_BECOME ? "no child" :
		    strerror(got), got);
}

/* The victim's names that the others aim at. */
static struct sharedmem_info bar, lk, pub;

static void
make_victims(void)
{
	int r1 = create_as(victim, "bar", 0, 0600);
	int r2 = create_as(victim, "lk", SHAREDMEM_LOCK, 0600);
	int r3 = create_as(victim, "pub", 0, 0666);

	if (!ok(r1 == 0 && r2 == 0 && r3 == 0, "the victim creates bar (0600), "
	    "lk (0600, with a lock) and pub (0666)"))
		bail_out("cannot go on without them");
	bar = inspect("bar");
	lk = inspect("lk");
	pub = inspect("pub");
	track_shm(bar.shmid);
	track_shm(lk.shmid);
	track_sem(lk.semid);
	track_shm(pub.shmid);
}

static int
victims_intact(void)
{
	return segment_of(bar.shmid, victim) && segment_of(lk.shmid, victim) &&
	    set_of(lk.semid, victim) && segment_of(pub.shmid, victim) &&
	    present("bar") && present("lk") && present("pub");
}

/* A record pointing at the victim's segment bar, in a file of the
 * intruder's: nobody is led to bar, nobody removes it. */
static void
test_planted_at_other_segment(void)
{
	struct sharedmem_info info;

	plant_as(intruder, "foo", 2, bar.key, bar.shmid, bar.size, "",
	    boot_field);
	info = inspect("foo");
	ok(info.state == SHAREDMEM_FOREIGN && info.owner == intruder &&
	    info.creator == victim, "a record of the intruder's pointing at the "
	    "victim's segment is judged foreign, naming both users");
	errno_is(on(victim, do_attach, "foo"), ENOENT, "the victim's attach "
	    "of %s", "foo");
	errno_is(on(victim, do_lookup, "foo"), ESTALE, "the victim's lookup "
	    "of %s", "foo");
	errno_is(on(victim, do_remove, "foo"), EPERM, "the victim's remove "
	    "of %s", "foo");
	errno_is(create_as(victim, "foo", 0, 0600), EEXIST, "the victim's "
	    "create of %s, held by the intruder's file", "foo");
	errno_is(on(intruder, do_attach, "foo"), EACCES, "the intruder's "
	    "attach of her own %s, whose segment she may not look at", "foo");
	errno_is(on(0, do_attach, "foo"), ENOENT, "root's attach of %s",
	    "foo");
	ok(on(victim, do_gc, NULL) == 0 && on(0, do_gc, NULL) == 0 &&
	    present("foo"), "the victim's and root's gc remove nothing, and "
	    "leave the intruder's file");
	ok(victims_intact(), "... and the victim's segments are intact");
	errno_is(on(0, do_remove, "foo"), ENOENT, "root's remove of %s",
	    "foo");
	ok(!present("foo") && victims_intact(), "... removes the planted "
	    "file alone: bar is intact");

	/* A version 1 record carries neither name nor run. */
	plant_as(intruder, "foo1", 1, bar.key, bar.shmid, bar.size, "", "");
	info = inspect("foo1");
	ok(info.state == SHAREDMEM_FOREIGN, "a version 1 record of the "
	    "intruder's pointing at bar is judged foreign too");
	errno_is(on(victim, do_attach, "foo1"), ENOENT, "the victim's attach "
	    "of %s", "foo1");
	ok(on(intruder, do_gc, NULL) == 0 && present("foo1"), "the "
	    "intruder's gc keeps her file, whose segment she may not look "
	    "at");
	errno_is(on(0, do_remove, "foo1"), ENOENT, "root's remove of %s",
	    "foo1");
	ok(!present("foo1") && victims_intact(), "... removes the planted "
	    "file alone: bar is intact");
}

/* A record pointing at the victim's 0666 segment, which the intruder may
 * use anyway: still not that name's segment. */
static void
test_planted_at_open_segment(void)
{
	plant_as(intruder, "foo2", 2, pub.key, pub.shmid, pub.size, "",
	    boot_field);
	errno_is(on(intruder, do_attach, "foo2"), ENOENT, "the intruder's "
	    "attach of %s, pointing at the victim's 0666 segment", "foo2");
	errno_is(on(victim, do_attach, "foo2"), ENOENT, "the victim's attach "
	    "of %s", "foo2");
	ok(on(intruder, do_gc, NULL) == 1 && !present("foo2") &&
	    victims_intact(), "the intruder's gc removes her planted file, "
	    "and leaves pub");
}

/* A stale-looking record naming the victim's semaphore set: removing the
 * stale name takes the set along only if the set is the name's. */
static void
test_planted_at_set(void)
{
	struct sharedmem_info info;
	sharedmem *shm;
	char sems[64];

	snprintf(sems, sizeof(sems), " semid=%d sems=1", lk.semid);
	/* shmid INT_MAX: not the one at the key, so the name looks stale. */
	plant_as(intruder, "foo3", 2, lk.key, INT_MAX, lk.size, sems,
	    boot_field);
	info = inspect("foo3");
	ok(info.state == SHAREDMEM_GONE && !info.set_live, "a stale record "
	    "of the intruder's naming the victim's set: its set is not the "
	    "name's");
	errno_is(on(victim, do_remove, "foo3"), EPERM, "the victim's remove "
	    "of %s", "foo3");
	ok(set_of(lk.semid, victim), "... leaves the victim's set");
	errno_is(on(0, do_remove, "foo3"), ENOENT, "root's remove of %s",
	    "foo3");
	ok(!present("foo3") && set_of(lk.semid, victim), "... removes the "
	    "file and leaves the victim's set");
	plant_as(intruder, "foo3", 2, lk.key, INT_MAX, lk.size, sems,
	    boot_field);
	ok(on(intruder, do_gc, NULL) == 1 && !present("foo3") &&
	    set_of(lk.semid, victim), "the intruder's gc removes her file "
	    "and leaves the victim's set");
	shm = sharedmem_attach("lk");
	ok(shm != NULL && sharedmem_trylock(shm) == 0 &&
	    sharedmem_unlock(shm) == 0, "the victim's lock still works");
	(void)sharedmem_close(shm);
}

/* A hard link of bar's key file under another name: another name's. */
static void
test_hard_link(void)
{
	struct sharedmem_info info;
	char target[4096];

	/* Root makes it: on systems that let anyone link another's file,
	 * the intruder could. */
	snprintf(target, sizeof(target), "%s", keyfile("bar"));
	if (link(target, keyfile("hard")) == -1) {
		skip(4, "no hard link here: %s", strerror(errno));
		return;
	}
	info = inspect("hard");
	ok(info.state == SHAREDMEM_FOREIGN && info.owner == victim,
	    "a hard link of bar's key file under another name is another "
	    "name's: foreign");
	errno_is(on(victim, do_attach, "hard"), ENOENT, "the victim's attach "
	    "of %s", "hard");
	errno_is(on(victim, do_remove, "hard"), ENOENT, "the victim's remove "
	    "of %s", "hard");
	ok(!present("hard") && victims_intact() &&
	    on(victim, do_attach, "bar") == 0, "... removes the link alone: "
	    "bar is intact and attaches");
}

/* Holds a read lock on the key file of name as the intruder until the
 * returned pipe is closed; bails out if the lock cannot be had. */
static int
hold_read_lock(const char *name, pid_t *pid)
{
	struct flock fl;
	int ready[2], go[2], fd;
	char c;

	if (pipe(ready) == -1 || pipe(go) == -1)
		bail_out("pipe: %s", strerror(errno));
	fflush(stdout);
	if ((*pid = fork_or_bail()) == 0) {
		(void)close(ready[0]);
		(void)close(go[1]);
		if (drop_to(intruder, (gid_t)intruder) == -1)
			_exit(NOT_BECOME);
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_RDLCK;
		fl.l_whence = SEEK_SET;
		if ((fd = open(keyfile(name), O_RDONLY)) == -1 ||
		    fcntl(fd, F_SETLK, &fl) == -1)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		(void)read(go[0], &c, 1);
		_exit(0);
	}
	(void)close(ready[1]);
	(void)close(go[0]);
	if (read(ready[0], &c, 1) != 1)
		bail_out("the intruder cannot lock %s's key file (exit %d)",
		    name, wait_child(*pid));
	(void)close(ready[0]);
	return go[1];
}

static void
release_lock(int go, pid_t pid)
{
	(void)close(go);
	(void)wait_child(pid);
}

static int
do_attach_unlink(void)
{
	static sharedmem *shm;
	int r;

	if ((shm = sharedmem_attach(arg_name)) == NULL)
		return failure();
	r = sharedmem_unlink(shm) == -1 ? failure() : 0;
	(void)sharedmem_close(shm);
	return r;
}

/* A read lock of the intruder's on the victim's key file. */
static void
test_read_lock(void)
{
	struct sharedmem_info info;
	double t0, t;
	pid_t pid;
	int go, r;

	if (create_as(victim, "rd", 0, 0644) != 0)
		bail_out("the victim cannot create rd");
	info = inspect("rd");
	if (shmctl(info.shmid, IPC_RMID, NULL) == -1)
		bail_out("IPC_RMID: %s", strerror(errno));
	go = hold_read_lock("rd", &pid);
	t0 = clock_seconds();
	r = create_as(victim, "rd", 0, 0644);
	t = clock_seconds() - t0;
	ok(r == 0 && t < QUICK, "the victim's create over her stale name "
	    "works at once while the intruder holds a read lock on it (%s, "
	    "%.3f s)", strerror(r), t);
	release_lock(go, pid);

	go = hold_read_lock("rd", &pid);
	t0 = clock_seconds();
	r = on(victim, do_remove, "rd");
	t = clock_seconds() - t0;
	ok(r == 0 && t < QUICK && !present("rd"), "her remove of the locked "
	    "name removes its key file at once (%s, %.3f s)", strerror(r), t);
	release_lock(go, pid);

	if (create_as(victim, "rd", 0, 0644) != 0)
		bail_out("the victim cannot create rd again");
	go = hold_read_lock("rd", &pid);
	t0 = clock_seconds();
	r = on(victim, do_attach_unlink, "rd");
	t = clock_seconds() - t0;
	ok(r == 0 && t < QUICK && !present("rd"), "her unlink of the locked "
	    "name removes its key file at once (%s, %.3f s)", strerror(r), t);
	release_lock(go, pid);
}

/* Another user's stale key file blocks the name until its owner or root
 * clears it. */
static void
test_foreign_stale(void)
{
	struct sharedmem_info info;

	if (create_as(intruder, "st", 0, 0644) != 0)
		bail_out("the intruder cannot create st");
	info = inspect("st");
	if (shmctl(info.shmid, IPC_RMID, NULL) == -1)
		bail_out("IPC_RMID: %s", strerror(errno));
	errno_is(create_as(victim, "st", 0, 0600), EEXIST, "the victim's "
	    "create of %s over the intruder's stale key file", "st");
	errno_is(on(victim, do_remove, "st"), EPERM, "the victim's remove of "
	    "%s", "st");
	errno_is(on(victim, do_attach, "st"), ENOENT, "the victim's attach "
	    "of %s", "st");
	ok(on(victim, do_gc, NULL) == 0 && present("st"), "the victim's gc "
	    "leaves the intruder's stale file");
	ok(create_as(0, "st", 0, 0600) == 0 && inspect("st").owner == 0,
	    "root's create clears it and makes the name root's");
	ok(sharedmem_remove("st") == 0, "... and root removes it");

	/* A 0600 key file, which the victim may not even read. */
	if (create_as(intruder, "st6", 0, 0600) != 0)
		bail_out("the intruder cannot create st6");
	info = inspect("st6");
	track_shm(info.shmid);
	errno_is(create_as(victim, "st6", 0, 0600), EEXIST, "the victim's "
	    "create of %s over the intruder's key file she may not read",
	    "st6");
	ok(sharedmem_remove("st6") == 0, "... and root removes it");
}

/* A record of another run of the system, the victim's own, pointing at a
 * segment of hers whose key, shmid and size it matches. */
static void
test_other_run(void)
{
	struct sharedmem_info info;
	char other[128], *colon;

	if (boot_field[0] == '\0') {
		skip(5, "this system tells no run of it from the next");
		return;
	}
	/* Same source, another value: " boot=SOURCE:" then zeros. */
	snprintf(other, sizeof(other), "%s", boot_field);
	colon = strchr(other, ':');
	for (colon++; *colon != '\0'; colon++)
		if (*colon != '.' && *colon != '-' && *colon != ':')
			*colon = '0';
	plant_as(victim, "old", 2, bar.key, bar.shmid, bar.size, "", other);
	info = inspect("old");
	ok(info.state == SHAREDMEM_OTHER_BOOT, "the victim's own record of "
	    "another run, matching bar's key, shmid and size, is judged of "
	    "another boot");
	errno_is(on(victim, do_attach, "old"), ENOENT, "her attach of %s",
	    "old");
	errno_is(on(victim, do_remove, "old"), ENOENT, "her remove of %s",
	    "old");
	ok(!present("old") && victims_intact(), "... removes the file and "
	    "leaves bar");
	plant_as(victim, "old", 2, bar.key, bar.shmid, bar.size, "", other);
	ok(on(victim, do_gc, NULL) == 1 && !present("old") && victims_intact(),
	    "her gc removes it too, and leaves bar");
}

/* A version 1 record of the victim's own for her own segment attaches, as
 * 0.2 wrote and read them. */
static void
test_version_1(void)
{
	plant_as(victim, "v1", 1, bar.key, bar.shmid, bar.size, "", "");
	ok(on(victim, do_attach, "v1") == 0, "a version 1 record of the "
	    "victim's for her own segment attaches");
	ok(unlink(keyfile("v1")) == 0, "... and goes by hand");
}

/*
 * A new IPC namespace stands in for a reboot, keeping the key directory:
 * its first segment gets the shmid that the first segment of the old one
 * had.  The old one is kept alive meanwhile, so that the new one cannot
 * be given its identity.
 */
static const char *self;

/* In a new IPC namespace: creates name, prints its key and shmid, waits
 * for its standard input to close, and unlinks it. */
static int
reboot_first(const char *name, int keep)
{
	sharedmem *shm;
	char c;

	if ((shm = sharedmem_open(name, SHAREDMEM_CREATE, SIZE, 0644)) ==
	    NULL)
		return 1;
	printf("%lu %d\n", (unsigned long)sharedmem_key(shm) & 0xffffffffUL,
	    sharedmem_id(shm));
	fflush(stdout);
	while (read(STDIN_FILENO, &c, 1) > 0)
		continue;
	/* The other namespace took the name for stale, and removed it. */
	if (!keep && sharedmem_unlink(shm) == -1 && errno != ENOENT)
		return 2;
	return sharedmem_close(shm) == -1 ? 3 : 0;
}

/* In another new IPC namespace: uid makes a segment at key of SIZE bytes
 * outside the library, and then root finds name stale and leaves that
 * segment alone.  Returns a bit for each thing that went wrong. */
static int
reboot_second(const char *name, key_t key, int shmid, uid_t uid)
{
	struct sharedmem_info info;
	sharedmem *shm;
	pid_t pid;
	int id, bad = 0;

	fflush(stdout);
	if ((pid = fork()) == -1)
		return 64;
	if (pid == 0) {
		if (uid != 0 && drop_to(uid, (gid_t)uid) == -1)
			_exit(1);
		_exit(shmget(key, SIZE, IPC_CREAT | IPC_EXCL | 0644) == -1);
	}
	if (wait_child(pid) != 0 || (id = shmget(key, 0, 0)) == -1)
		return 64;
	if (id != shmid)
		printf("# the new segment got shmid %d, the old one had %d\n",
		    id, shmid);
	if (sharedmem_inspect(name, &info) == -1 ||
	    (info.state != SHAREDMEM_OTHER_BOOT &&
	    info.state != SHAREDMEM_FOREIGN))
		bad |= 1;
	if ((shm = sharedmem_attach(name)) != NULL || errno != ENOENT)
		bad |= 2;
	(void)sharedmem_close(shm);
	if (sharedmem_remove(name) != -1 || errno != ENOENT)
		bad |= 4;
	if (shmget(key, 0, 0) != id)
		bad |= 8;
	if (shmctl(id, IPC_RMID, NULL) == -1)
		bad |= 16;
	if (bad != 0)
		printf("# state %d, what went wrong: %#x\n", (int)info.state,
		    bad);
	fflush(stdout);
	return bad;
}

/* Runs this program in a new IPC namespace with args; its standard
 * input and output are pipes, *in and *out. */
static pid_t
in_new_namespace(const char *const *args, int *in, int *out)
{
	char *argv[10];
	int i;

	argv[0] = (char *)(uintptr_t)"unshare";
	argv[1] = (char *)(uintptr_t)"--ipc";
	argv[2] = (char *)(uintptr_t)self;
	for (i = 0; args[i] != NULL && i < 6; i++)
		argv[3 + i] = (char *)(uintptr_t)args[i];
	argv[3 + i] = NULL;
	return spawn_piped(argv, in, out);
}

/* One simulated reboot: name made in one namespace, found in another with
 * a segment of uid at its key.  keep: the first namespace ends before
 * the second starts, leaving the key file stale. */
static int
simulate_reboot(const char *name, uid_t uid, int keep)
{
	const char *first[] = { "--reboot-first", name, keep ? "keep" : "",
	    NULL };
	char line[128], key[32], shmid[32], who[32];
	const char *second[6];
	unsigned long k;
	pid_t p1, p2;
	int in1, out1, in2, out2, id, st, st1;
	ssize_t n;
	FILE *f;

	p1 = in_new_namespace(first, &in1, &out1);
	if ((f = fdopen(out1, "r")) == NULL)
		bail_out("fdopen: %s", strerror(errno));
	n = fgets(line, sizeof(line), f) != NULL ? 1 : 0;
	if (n == 0 || sscanf(line, "%lu %d", &k, &id) != 2) {
		(void)close(in1);
		(void)fclose(f);
		diag("the first namespace made nothing (exit %d)",
		    wait_child(p1));
		return -1;
	}
	if (keep) {
		/* Its namespace ends with it, and its segment too. */
		(void)close(in1);
		st1 = wait_child(p1);
	}
	snprintf(key, sizeof(key), "%lu", k);
	snprintf(shmid, sizeof(shmid), "%d", id);
	snprintf(who, sizeof(who), "%lu", (unsigned long)uid);
	second[0] = "--reboot-second";
	second[1] = name;
	second[2] = key;
	second[3] = shmid;
	second[4] = who;
	second[5] = NULL;
	p2 = in_new_namespace(second, &in2, &out2);
	(void)close(in2);
	while ((n = read(out2, line, sizeof(line) - 1)) > 0) {
		line[n] = '\0';
		fputs(line, stdout);
	}
	(void)close(out2);
	st = wait_child(p2);
	if (!keep) {
		(void)close(in1);
		st1 = wait_child(p1);
	}
	(void)fclose(f);
	if (st1 != 0)
		diag("the first namespace's process ended with %d", st1);
	if (keep && present(name) && sharedmem_remove(name) != -1)
		st |= 32;
	return st1 != 0 ? -1 : st;
}

static void
test_reboot(void)
{
	int st;

	if ((st = simulate_reboot("boot", 0, 0)) == -1) {
		skip(2, "no new IPC namespace here (unshare --ipc)");
		return;
	}
	ok(st == 0, "after a simulated reboot, a segment made outside the "
	    "library at a name's old key, with its shmid and size, is not "
	    "that name's: attach ENOENT, remove leaves it (%#x)", st);
	st = simulate_reboot("boot2", intruder, 1);
	ok(st == 0, "... nor is another user's there, once the old run has "
	    "ended (%#x)", st);
}

/* Modes are tried MODE_BATCH at a time, so that systems that allow few
 * segments at once (32 on macOS) hold them all. */
#define MODE_BATCH	16
static mode_t batch_first;

/* The victim creates a name of each mode of the batch, with a lock, and
 * writes and reads each through its handle. */
static int
do_create_batch(void)
{
	static sharedmem *shm;
	char name[16];
	unsigned char *buf;
	int bad = 0;
	mode_t m;

	(void)umask(0);
	for (m = batch_first; m < batch_first + MODE_BATCH; m++) {
		snprintf(name, sizeof(name), "m%03o", (unsigned)m);
		if ((shm = sharedmem_open(name, SHAREDMEM_CREATE |
		    SHAREDMEM_LOCK, SIZE, m)) == NULL) {
			if (bad++ < 3)
				printf("# create of mode %03o: %s\n",
				    (unsigned)m, strerror(errno));
			continue;
		}
		buf = sharedmem_buf(shm);
		buf[SIZE - 1] = (unsigned char)m;
		if (buf[SIZE - 1] != (unsigned char)m)
			bad++;
		if (sharedmem_close(shm) == -1)
			bad++;
	}
	fflush(stdout);
	return bad;
}

static int
do_remove_batch(void)
{
	char name[16];
	int bad = 0;
	mode_t m;

	for (m = batch_first; m < batch_first + MODE_BATCH; m++) {
		snprintf(name, sizeof(name), "m%03o", (unsigned)m);
		if (sharedmem_remove(name) == -1 && bad++ < 3)
			printf("# remove of mode %03o: %s\n", (unsigned)m,
			    strerror(errno));
	}
	fflush(stdout);
	return bad;
}

/* Whether root finds the name of mode m with exactly that mode on its
 * segment and set, made by the victim. */
static int
mode_right(mode_t m)
{
	struct sharedmem_info info;
	struct shmid_ds ds;
	struct semid_ds sds;
	char name[16];

	snprintf(name, sizeof(name), "m%03o", (unsigned)m);
	if (sharedmem_inspect(name, &info) == -1)
		return 0;
	track_shm(info.shmid);
	track_sem(info.semid);
	if (shmctl(info.shmid, IPC_STAT, &ds) == -1 ||
	    set_stat(info.semid, &sds) == -1)
		return 0;
	if ((ds.shm_perm.mode & 0777) == m && (sds.sem_perm.mode & 0777) == m &&
	    ds.shm_perm.cuid == victim)
		return 1;
	diag("mode %03o: segment %03o, set %03o", (unsigned)m,
	    (unsigned)(ds.shm_perm.mode & 0777),
	    (unsigned)(sds.sem_perm.mode & 0777));
	return 0;
}

static void
test_every_mode(void)
{
	int made = 0, wrong = 0, removed = 0, left = 0;
	mode_t m;

	for (batch_first = 0; batch_first <= 0777;
	    batch_first += MODE_BATCH) {
		made += as(victim, do_create_batch);
		for (m = batch_first; m < batch_first + MODE_BATCH; m++)
			if (!mode_right(m))
				wrong++;
		removed += as(victim, do_remove_batch);
		left += keydir_entries(NULL) - 3;
	}
	ok(made == 0, "an unprivileged creator makes a name of every mode 0 to "
	    "0777, with a lock, and writes and reads it through her handle "
	    "(%d failed)", made);
	if (!ipc_reports_mode())
		skip(1, MODE_MISREPORTED);
	else
		ok(wrong == 0, "each segment and its set have exactly the mode "
		    "asked, and the creator as their creator (%d not)", wrong);
	ok(removed == 0 && left == 0, "she removes every one of them by name, "
	    "those whose mode hides them from her too (%d failed, %d left)",
	    removed, left);
}

/* The run field of this machine's records, from a key file root makes. */
static void
read_boot_field(void)
{
	char line[512], *p, *end;
	FILE *f;

	if (create_as(0, "probe", 0, 0600) != 0 ||
	    (f = fopen(keyfile("probe"), "r")) == NULL)
		bail_out("cannot make a key file to read");
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	(void)fclose(f);
	if (sharedmem_remove("probe") == -1)
		bail_out("remove: %s", strerror(errno));
	boot_field[0] = '\0';
	if ((p = strstr(line, " boot=")) != NULL &&
	    (end = strchr(p + 1, ' ')) != NULL)
		snprintf(boot_field, sizeof(boot_field), "%.*s",
		    (int)(end - p), p);
}

int
main(int argc, char **argv)
{
	uid_t ids[2];

	self = argv[0];
	if (argc >= 3 && strcmp(argv[1], "--reboot-first") == 0)
		return reboot_first(argv[2], argc > 3 && *argv[3] != '\0');
	if (argc == 6 && strcmp(argv[1], "--reboot-second") == 0)
		return reboot_second(argv[2], (key_t)strtoul(argv[3], NULL, 10),
		    atoi(argv[4]), (uid_t)strtoul(argv[5], NULL, 10));
	if (geteuid() != 0)
		skip_all("needs root, to act as two other users");
	if (unused_ids(ids, 2) == -1)
		skip_all("no two ids that no account or group has");
	victim = ids[0];
	intruder = ids[1];
	/* A key directory for every user, sticky, as /dev/shm is. */
	if (chmod(sharedmem_dir(), 01777) == -1)
		bail_out("chmod: %s", strerror(errno));
	if (as(victim, do_reach) != 0)
		skip_all("uid %lu cannot reach %s", (unsigned long)victim,
		    sharedmem_dir());
	plan(TESTS);
	read_boot_field();
	make_victims();
	test_planted_at_other_segment();
	test_planted_at_open_segment();
	test_planted_at_set();
	test_hard_link();
	test_read_lock();
	test_foreign_stale();
	test_other_run();
	test_version_1();
	test_reboot();
	test_every_mode();
	ok(sharedmem_remove("bar") == 0 && sharedmem_remove("lk") == 0 &&
	    sharedmem_remove("pub") == 0 && keydir_entries(NULL) == 0,
	    "root removes the victim's names, and nothing is left");
	if (chmod(sharedmem_dir(), 0700) == -1)
		bail_out("chmod: %s", strerror(errno));
	return exit_status();
}
