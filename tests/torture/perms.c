/*
 * perms.c - permissions, beside what keyfile_safety tests already (0600
 * refuses another user, a read-only attach faults on write) and what
 * between_users tests of unprivileged creators:
 *  - nothing the library creates is writable by others unless asked: the
 *    key file, which is the create's private file published by link(2),
 *    gives others read access at most, under any umask and mode;
 *  - sharedmem_gc(), `sharedmem gc' and `sharedmem rm' never remove
 *    another user's names, segments or leftovers, and neither does
 *    sharedmem_remove().  Run as root, with the objects made by `nobody'
 *    and the removals tried by root (gc only: root may remove anything by
 *    privilege) and by a second unprivileged user such as `daemon'.
 * The users' tests skip unless run as root, with those users, in a build
 * tree that they can reach.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "tap.h"

/* Faults shown of each kind, of the modes tried. */
#define DIAGS 4

/* A child that cannot reach the key directory or the tool exits so. */
#define UNREACHABLE 91

static const char *const second_users[] = { "daemon", "bin", "sys", "adm" };

/* The objects nobody leaves for the others to try. */
static const char *const names[] = { "nob", "nobpriv", "nobstale" };
#define NNAMES (sizeof(names) / sizeof(names[0]))
static int shmids[2];		/* of nob and nobpriv */
static char private_file[4096];	/* of a create by nobody that died */
static int unfinished = -1;	/* and its segment */

/* The key file's mode for a segment of mode: read and write for its
 * owner, read for those who may use the segment. */
static mode_t
keyfile_mode(mode_t mode)
{
	return 0600 | (mode & 060 ? 040 : 0) | (mode & 006 ? 004 : 0);
}

/* Only the key file of name (NULL: none) is in the key directory, and
 * the sweep's tracked-ids. */
static int
only_keyfile(const char *name)
{
	char want[300];
	struct dirent *de;
	DIR *d;
	int others = 0;

	snprintf(want, sizeof(want), "sharedmem.%s", name != NULL ? name : "");
	if ((d = opendir(sharedmem_dir())) == NULL)
		bail_out("opendir: %s", strerror(errno));
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    strcmp(de->d_name, "tracked-ids") != 0 &&
		    strcmp(de->d_name, want) != 0) {
			diag("also in the key directory: %s", de->d_name);
			others++;
		}
	(void)closedir(d);
	return others == 0;
}

/*
 * Creates a name of each mode with the umask cleared, and checks the key
 * file's and the segment's permissions.
 */
static void
test_modes(void)
{
	static const mode_t asked[] = { 0600, 0640, 0660, 0666 };
	static const mode_t given[] = { 0600, 0640, 0640, 0644 };
	struct shmid_ds ds;
	struct stat st;
	sharedmem *shm;
	mode_t mode, old;
	size_t i;
	int tried = 0, bad_file = 0, bad_seg = 0, writable = 0, linked = 0;
	int stray = 0, failed = 0;

	old = umask(0);
	for (i = 0; i < sizeof(asked) / sizeof(asked[0]); i++) {
		if ((shm = sharedmem_open("mode", SHAREDMEM_CREATE, 64,
		    asked[i])) == NULL)
			bail_out("create of mode %04o: %s", (unsigned)asked[i],
			    strerror(errno));
		if (stat(keyfile("mode"), &st) == -1)
			bail_out("stat: %s", strerror(errno));
		ok((st.st_mode & 07777) == given[i],
		    "mode %04o, umask 0: the key file is %04o (it is %04o)",
		    (unsigned)asked[i], (unsigned)given[i],
		    (unsigned)(st.st_mode & 07777));
		if (sharedmem_unlink(shm) == -1)
			bail_out("unlink: %s", strerror(errno));
		(void)sharedmem_close(shm);
	}
	for (mode = 0; mode <= 0777; mode++) {
		tried++;
		if ((shm = sharedmem_open("mode", SHAREDMEM_CREATE, 64,
		    mode)) == NULL) {
			if (failed++ < DIAGS)
				diag("create of mode %04o: %s", (unsigned)mode,
				    strerror(errno));
			continue;
		}
		if (stat(keyfile("mode"), &st) == -1)
			bail_out("stat: %s", strerror(errno));
		if ((st.st_mode & 07777) != keyfile_mode(mode) &&
		    bad_file++ < DIAGS)
			diag("mode %04o: key file %04o", (unsigned)mode,
			    (unsigned)(st.st_mode & 07777));
		if (st.st_mode & 022)
			writable++;
		/* One link: the private name of the create is gone. */
		if (st.st_nlink != 1)
			linked++;
		if (stray < DIAGS && !only_keyfile("mode"))
			stray++;
		if (shmctl(sharedmem_id(shm), IPC_STAT, &ds) == -1)
			bail_out("IPC_STAT: %s", strerror(errno));
		if ((ds.shm_perm.mode & 0777) != mode && bad_seg++ < DIAGS)
			diag("mode %04o: segment %04o", (unsigned)mode,
			    (unsigned)(ds.shm_perm.mode & 0777));
		if (sharedmem_unlink(shm) == -1)
			bail_out("unlink: %s", strerror(errno));
		(void)sharedmem_close(shm);
	}
	(void)umask(old);
	ok(failed == 0, "creates of %d modes under umask 0 work", tried);
	ok(writable == 0, "no key file is writable by group or others");
	ok(bad_file == 0, "each key file is 0600, plus read for the group "
	    "and others the segment lets in");
	if (!ipc_reports_mode())
		skip(1, MODE_MISREPORTED);
	else
		ok(bad_seg == 0, "each segment has exactly the mode asked for");
	ok(linked == 0 && stray == 0, "the private file of each create is "
	    "the key file: one link, and nothing else in the key directory");
}

/* Drops to user pw for good: for children only. */
static void
become(const struct passwd *pw)
{
	if (setgroups(0, NULL) == -1 || setgid(pw->pw_gid) == -1 ||
	    setuid(pw->pw_uid) == -1)
		_exit(90);
}

/* Runs the tool as user pw with args (NULL-terminated); its output goes
 * to stderr, out of the way of TAP.  Returns its exit status. */
static int
tool_as(const struct passwd *pw, const char *const *args)
{
	const char *builddir = getenv("top_builddir");
	char tool[4096];
	char *argv[8];
	pid_t pid;
	int i;

	snprintf(tool, sizeof(tool), "%s/src/sharedmem",
	    builddir != NULL ? builddir : ".");
	argv[0] = tool;
	for (i = 0; args[i] != NULL && i < 6; i++)
		argv[i + 1] = (char *)(uintptr_t)args[i];
	argv[i + 1] = NULL;
	fflush(stdout);
	if ((pid = fork()) == -1)
		bail_out("fork: %s", strerror(errno));
	if (pid == 0) {
		if (pw != NULL)
			become(pw);
		if (access(tool, X_OK) == -1)
			_exit(UNREACHABLE);
		if (dup2(STDERR_FILENO, STDOUT_FILENO) == -1)
			_exit(92);
		execv(tool, argv);
		_exit(93);
	}
	return wait_child(pid);
}

/* A child says why it gives up, in TAP's words, and exits. */
static void
child_fails(int status, const char *what)
{
	printf("# %s: %s\n", what, strerror(errno));
	fflush(stdout);
	_exit(status);
}

/*
 * As nobody: two names (0644 and 0600), a stale name (0644, its segment
 * removed behind the library's back), and the private file and segment
 * of a create that died half way.  Returns 0, or UNREACHABLE if nobody
 * cannot work in the key directory.
 */
static int
make_nobodys(const struct passwd *nobody)
{
	char path[4096];
	sharedmem *shm;
	pid_t pid;
	int p[2], st, fd, id;

	if (pipe(p) == -1)
		bail_out("pipe: %s", strerror(errno));
	fflush(stdout);
	if ((pid = fork()) == -1)
		bail_out("fork: %s", strerror(errno));
	if (pid == 0) {
		(void)close(p[0]);
		become(nobody);
		if (access(sharedmem_dir(), W_OK | X_OK) == -1)
			_exit(UNREACHABLE);
		if ((shm = sharedmem_open("nob", SHAREDMEM_CREATE, 64,
		    0644)) == NULL || sharedmem_close(shm) == -1)
			child_fails(1, "nob");
		if ((shm = sharedmem_open("nobpriv", SHAREDMEM_CREATE, 64,
		    0600)) == NULL || sharedmem_close(shm) == -1)
			child_fails(2, "nobpriv");
		if ((shm = sharedmem_open("nobstale", SHAREDMEM_CREATE, 64,
		    0644)) == NULL ||
		    shmctl(sharedmem_id(shm), IPC_RMID, NULL) == -1 ||
		    sharedmem_close(shm) == -1)
			child_fails(3, "nobstale");
		/* A create that dies after shmget: see keyfile.c. */
		if ((pid = fork()) == 0) {
			memset(path, 0, sizeof(path));
			snprintf(path, sizeof(path), "%s/sharedmem+%ld-XXXXXX",
			    sharedmem_dir(), (long)getpid());
			if ((fd = mkstemp(path)) == -1)
				_exit(4);
			id = shmget(ftok(path, 'S'), 64,
			    IPC_CREAT | IPC_EXCL | 0600);
			if (write(p[1], path, sizeof(path)) != sizeof(path) ||
			    write(p[1], &id, sizeof(id)) != sizeof(id))
				_exit(5);
			_exit(id == -1 ? 6 : 0);
		}
		_exit(pid == -1 ? 7 : wait_child(pid));
	}
	(void)close(p[1]);
	if (read(p[0], private_file, sizeof(private_file)) !=
	    sizeof(private_file) || read(p[0], &unfinished,
	    sizeof(unfinished)) != sizeof(unfinished)) {
		private_file[0] = '\0';
		unfinished = -1;
	}
	(void)close(p[0]);
	private_file[sizeof(private_file) - 1] = '\0';
	if (unfinished != -1)
		track_shm(unfinished);
	st = wait_child(pid);
	if (sharedmem_lookup("nob", NULL, &shmids[0]) == 0)
		track_shm(shmids[0]);
	if (sharedmem_lookup("nobpriv", NULL, &shmids[1]) == 0)
		track_shm(shmids[1]);
	if (st == UNREACHABLE)
		return st;
	if (st != 0)
		bail_out("nobody could not make the objects (exit %d)", st);
	return 0;
}

/* All nobody's objects are there as nobody left them. */
static int
all_there(const struct passwd *nobody)
{
	struct shmid_ds ds;
	struct stat st;
	size_t i;
	int ids[3], ok_ = 1;

	for (i = 0; i < NNAMES; i++)
		if (lstat(keyfile(names[i]), &st) == -1 ||
		    st.st_uid != nobody->pw_uid) {
			diag("the key file of %s is gone", names[i]);
			ok_ = 0;
		}
	if (lstat(private_file, &st) == -1) {
		diag("the private file %s is gone", private_file);
		ok_ = 0;
	}
	ids[0] = shmids[0];
	ids[1] = shmids[1];
	ids[2] = unfinished;
	for (i = 0; i < 3; i++)
		if (shmctl(ids[i], IPC_STAT, &ds) == -1 ||
		    ds.shm_perm.uid != nobody->pw_uid) {
			diag("segment %d is gone", ids[i]);
			ok_ = 0;
		}
	return ok_;
}

static int
segment_gone(int id)
{
	struct shmid_ds ds;

	return shmctl(id, IPC_STAT, &ds) == -1 &&
	    (errno == EINVAL || errno == EIDRM);
}

static int reported_removed;

static void
count_removed(enum sharedmem_leftover kind, const char *file, int shmid,
    int error, void *arg)
{
	(void)arg;
	if (error == 0) {
		diag("gc reports kind %d, %s, shmid %d as removed", (int)kind,
		    file, shmid);
		reported_removed++;
	}
}

/* As user pw, sharedmem_remove() of each name fails with EPERM or EACCES:
 * returns how many did not. */
static int
remove_as(const struct passwd *pw)
{
	pid_t pid;
	size_t i;
	int bad = 0;

	fflush(stdout);
	if ((pid = fork()) == -1)
		bail_out("fork: %s", strerror(errno));
	if (pid == 0) {
		become(pw);
		for (i = 0; i < NNAMES; i++) {
			errno = 0;
			if (sharedmem_remove(names[i]) != -1 ||
			    (errno != EPERM && errno != EACCES)) {
				printf("# %s: remove of %s: %s\n", pw->pw_name,
				    names[i], strerror(errno));
				bad++;
			}
		}
		fflush(stdout);
		_exit(bad);
	}
	return wait_child(pid);
}

static const struct passwd *
second_user(uid_t nobody)
{
	static struct passwd copy;
	struct passwd *pw;
	size_t i;

	for (i = 0; i < sizeof(second_users) / sizeof(second_users[0]); i++)
		if ((pw = getpwnam(second_users[i])) != NULL &&
		    pw->pw_uid != 0 && pw->pw_uid != nobody) {
			copy = *pw;
			copy.pw_name = (char *)(uintptr_t)second_users[i];
			return &copy;
		}
	return NULL;
}

#define USER_TESTS 11

static void
test_other_users(void)
{
	static const char *const gc_orphans[] = { "gc", "--orphans", NULL };
	static const char *const gc_plain[] = { "gc", NULL };
	static const char *const rm_all[] = { "rm", "nob", "nobpriv",
	    "nobstale", NULL };
	static const char *const rm_mine[] = { "rm", "nob", "nobpriv", NULL };
	static struct passwd nobody;
	const struct passwd *other;
	struct passwd *pw;
	int st, n;

	if (geteuid() != 0 || (pw = getpwnam("nobody")) == NULL ||
	    pw->pw_uid == 0) {
		skip(USER_TESTS, "needs root and a user 'nobody'");
		return;
	}
	nobody = *pw;
	nobody.pw_name = (char *)(uintptr_t)"nobody";
	/* A key directory for every user, as /dev/shm is. */
	if (chmod(sharedmem_dir(), 01777) == -1)
		bail_out("chmod: %s", strerror(errno));
	/* Run the tool once as root: a libtool wrapper may have to finish
	 * it in the build tree, which the other users cannot write. */
	if (tool_as(NULL, gc_plain) != 0)
		bail_out("sharedmem gc fails as root");
	if (make_nobodys(&nobody) == UNREACHABLE) {
		skip(USER_TESTS, "nobody cannot work in %s", sharedmem_dir());
		goto out;
	}
	ok(all_there(&nobody), "nobody made two names, a stale name, and "
	    "the private file and segment of a create that died");

	/* Root: gc is the library's policy, not the kernel's refusal. */
	reported_removed = 0;
	n = sharedmem_gc(SHAREDMEM_GC_ORPHANS, count_removed, NULL);
	ok(n == 0 && reported_removed == 0, "root: sharedmem_gc(ORPHANS) "
	    "removes nothing of nobody's (returns %d)", n);
	ok(all_there(&nobody), "... which is all there");
	st = tool_as(NULL, gc_orphans);
	ok(st == 0 && all_there(&nobody), "root: sharedmem gc --orphans "
	    "exits 0 and leaves all of nobody's (exit %d)", st);

	if ((other = second_user(nobody.pw_uid)) == NULL) {
		skip(4, "no second unprivileged user (daemon, bin, ...)");
	} else {
		st = tool_as(other, gc_orphans);
		if (st == UNREACHABLE)
			skip(4, "%s cannot run the tool", other->pw_name);
		else {
			ok(st == 0 && all_there(&nobody), "%s: sharedmem gc "
			    "--orphans leaves all of nobody's (exit %d)",
			    other->pw_name, st);
			st = tool_as(other, rm_all);
			ok(st == 1, "%s: sharedmem rm of nobody's names "
			    "fails with status 1 (exit %d)", other->pw_name,
			    st);
			ok(all_there(&nobody), "... and leaves them");
			st = remove_as(other);
			ok(st == 0 && all_there(&nobody), "%s: "
			    "sharedmem_remove() of each fails with EPERM or "
			    "EACCES, and leaves it", other->pw_name);
		}
	}

	/* The owner: gc takes what is left over, and no more. */
	st = tool_as(&nobody, gc_plain);
	ok(st == 0 && access(keyfile("nobstale"), F_OK) == -1 &&
	    access(private_file, F_OK) == -1 && segment_gone(unfinished),
	    "nobody: sharedmem gc removes its stale name, and the file and "
	    "segment of its dead create (exit %d)", st);
	ok(access(keyfile("nob"), F_OK) == 0 &&
	    access(keyfile("nobpriv"), F_OK) == 0, "... and keeps its names");
	st = tool_as(&nobody, rm_mine);
	ok(st == 0 && only_keyfile(NULL) && segment_gone(shmids[0]) &&
	    segment_gone(shmids[1]), "nobody: sharedmem rm removes its "
	    "names and their segments (exit %d)", st);
out:
	if (chmod(sharedmem_dir(), 0700) == -1)
		bail_out("chmod: %s", strerror(errno));
}

int
main(void)
{
	plan(9 + USER_TESTS);
	test_modes();
	test_other_users();
	return exit_status();
}
