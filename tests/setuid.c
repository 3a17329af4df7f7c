/*
 * setuid.c - a set-user-ID or set-group-ID program takes nothing from
 * the environment that its caller gave it: SHAREDMEM_DIR and
 * SHAREDMEM_SPIN are as if unset.  An ordinary user who points such a
 * program, set-user-ID root, at a key directory of her own, with her
 * key file of a name there, does not have it attach her segment; the
 * same program without the bit does, and so does the set-user-ID one
 * run by root itself, whose privileges are its caller's.
 *
 * Run as root, the test acts as a user that no account has, and runs
 * copies of tests/env_probe: plain, set-user-ID root and set-group-ID
 * root.  Without root, where that user cannot reach the build tree, or
 * where the system does not honour the bits (a nosuid mount, an
 * emulator), it skips and says why.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "tap.h"
#include "users.h"

#define NAME	"secret"
#define DATA	"her data"

static uid_t user;
static char top[4096], plain[4200], suid[4200], sgid[4200], udir[4200];

/* What a probe said. */
struct said {
	unsigned long	ruid, euid, rgid, egid;
	char		dir[4200];
	long		spin;
	char		attach[128];
};

/* Copies the file from to to with mode, owned by root. */
static void
copy(const char *from, const char *to, mode_t mode)
{
	char buf[65536];
	ssize_t n;
	int in, out;

	if ((in = open(from, O_RDONLY)) == -1)
		bail_out("%s: %s", from, strerror(errno));
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL, 0700)) == -1)
		bail_out("%s: %s", to, strerror(errno));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			bail_out("%s: %s", to, strerror(errno));
	if (n == -1 || close(out) == -1 || chown(to, 0, 0) == -1 ||
	    chmod(to, mode) == -1)
		bail_out("%s: %s", to, strerror(errno));
	(void)close(in);
}

/*
 * Runs the probe at path as uid (0: root) with SHAREDMEM_DIR=dir and
 * SHAREDMEM_SPIN=spin (NULL: unset), and reads what it says; returns 0,
 * or -1 if it did not say it all.  Its exit status is only shown: a
 * sanitizer's leak check fails at the exit of a set-group-ID process,
 * after the probe has said what it had to.
 */
static int
probe(const char *path, uid_t uid, const char *dir, const char *spin,
    struct said *s)
{
	char line[4400];
	FILE *f;
	int fd[2], st;
	pid_t pid;

	memset(s, 0, sizeof(*s));
	if (pipe(fd) == -1)
		bail_out("pipe: %s", strerror(errno));
	fflush(stdout);
	if ((pid = fork_or_bail()) == 0) {
		(void)close(fd[0]);
		if (dup2(fd[1], STDOUT_FILENO) == -1 ||
		    setenv("SHAREDMEM_DIR", dir, 1) == -1 ||
		    (spin != NULL ? setenv("SHAREDMEM_SPIN", spin, 1) :
		    unsetenv("SHAREDMEM_SPIN")) == -1 ||
		    (uid != 0 && drop_to(uid, (gid_t)uid) == -1))
			_exit(120);
		execl(path, path, NAME, (char *)NULL);
		_exit(121);
	}
	(void)close(fd[1]);
	if ((f = fdopen(fd[0], "r")) == NULL)
		bail_out("fdopen: %s", strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "ids ", 4) == 0)
			(void)sscanf(line + 4, "%lu %lu %lu %lu", &s->ruid,
			    &s->euid, &s->rgid, &s->egid);
		else if (strncmp(line, "dir ", 4) == 0)
			snprintf(s->dir, sizeof(s->dir), "%.4000s", line + 4);
		else if (strncmp(line, "spin ", 5) == 0)
			s->spin = atol(line + 5);
		else if (strncmp(line, "attach ", 7) == 0)
			snprintf(s->attach, sizeof(s->attach), "%.100s",
			    line + 7);
	}
	(void)fclose(f);
	st = wait_child(pid);
	if (st != 0)
		diag("%s as uid %lu: status %d", path, (unsigned long)uid, st);
	return s->dir[0] != '\0' && s->attach[0] != '\0' ? 0 : -1;
}

/* The user makes her name in her own key directory; its segment is
 * tracked, for the sweep should the test die. */
static void
her_name(void)
{
	sharedmem *shm;
	int fd[2], id;
	pid_t pid;

	if (pipe(fd) == -1)
		bail_out("pipe: %s", strerror(errno));
	fflush(stdout);
	if ((pid = fork_or_bail()) == 0) {
		if (drop_to(user, (gid_t)user) == -1 ||
		    setenv("SHAREDMEM_DIR", udir, 1) == -1 ||
		    (shm = sharedmem_create(NAME, 64)) == NULL)
			_exit(3);
		memcpy(sharedmem_buf(shm), DATA, sizeof(DATA));
		id = sharedmem_id(shm);
		_exit(write(fd[1], &id, sizeof(id)) == (ssize_t)sizeof(id) &&
		    sharedmem_close(shm) == 0 ? 0 : 4);
	}
	(void)close(fd[1]);
	if (read(fd[0], &id, sizeof(id)) != (ssize_t)sizeof(id) ||
	    wait_child(pid) != 0)
		bail_out("the user cannot make her name in %s", udir);
	(void)close(fd[0]);
	track_shm(id);
}

static void
cleanup(void)
{
	(void)setenv("SHAREDMEM_DIR", udir, 1);
	(void)sharedmem_remove(NAME);
	(void)unlink(plain);
	(void)unlink(suid);
	(void)unlink(sgid);
	(void)rmdir(udir);
	(void)rmdir(top);
}

int
main(int argc, char **argv)
{
	const char *builddir = getenv("top_builddir");
	char source[4096], head[2];
	struct said s, base;
	int fd, polls;

	(void)argc;
	(void)argv;
	if (geteuid() != 0)
		skip_all("needs root, to make set-user-ID programs and run "
		    "them as another user");
	if (unused_ids(&user, 1) == -1)
		skip_all("no id that no account or group has");
	snprintf(source, sizeof(source), "%s/tests/env_probe",
	    builddir != NULL ? builddir : ".");
	if ((fd = open(source, O_RDONLY)) == -1 ||
	    read(fd, head, 2) != 2 || close(fd) == -1)
		bail_out("%s: %s", source, strerror(errno));
	if (head[0] == '#' && head[1] == '!')
		skip_all("%s is a script, which cannot be set-user-ID", source);
	/* In the test's key directory, which goes with the test. */
	snprintf(top, sizeof(top), "%s/setuid.XXXXXX", sharedmem_dir());
	if (mkdtemp(top) == NULL || chmod(top, 0755) == -1)
		bail_out("%s: %s", top, strerror(errno));
	snprintf(plain, sizeof(plain), "%s/plain", top);
	snprintf(suid, sizeof(suid), "%s/setuid", top);
	snprintf(sgid, sizeof(sgid), "%s/setgid", top);
	snprintf(udir, sizeof(udir), "%s/keys", top);
	copy(source, plain, 0755);
	copy(source, suid, 04755);
	copy(source, sgid, 02755);
	if (mkdir(udir, 0700) == -1 || chown(udir, user, (gid_t)user) == -1)
		bail_out("%s: %s", udir, strerror(errno));
	if (probe(plain, user, udir, NULL, &base) == -1 ||
	    base.euid != (unsigned long)user) {
		cleanup();
		skip_all("uid %lu cannot run %s", (unsigned long)user, plain);
	}
	her_name();
	plan(9);
	(void)probe(plain, user, udir, NULL, &base);

	/* Without the bits: the environment is hers to give. */
	ok(strcmp(base.dir, udir) == 0 && strcmp(base.attach, DATA) == 0,
	    "a plain program run by the user: SHAREDMEM_DIR is her key "
	    "directory, and it attaches her name there (%s)", base.attach);
	polls = base.spin > 0;
	if (probe(plain, user, udir, "0", &s) == 0 && polls)
		ok(s.spin == 0, "... and SHAREDMEM_SPIN=0 turns polling off");
	else
		skip(1, "waits never poll here");

	if (probe(suid, user, udir, "0", &s) == -1 || s.euid != 0) {
		skip(6, "set-user-ID is not honoured here (a nosuid mount? an "
		    "emulator?)");
	} else {
		ok(s.ruid == (unsigned long)user,
		    "set-user-ID root, run by the user: effective uid 0");
		ok(strcmp(s.dir, udir) != 0 && strcmp(s.dir, base.dir) != 0,
		    "... SHAREDMEM_DIR is not taken: %s", s.dir);
		ok(strcmp(s.attach, DATA) != 0, "... nor her name attached "
		    "(%s)", s.attach);
		if (polls)
			ok(s.spin == base.spin, "... nor SHAREDMEM_SPIN=0 "
			    "(a poll of %ld ns)", s.spin);
		else
			skip(1, "waits never poll here");
		if (probe(sgid, user, udir, "0", &s) == 0 && s.egid == 0)
			ok(strcmp(s.dir, udir) != 0 &&
			    strcmp(s.attach, DATA) != 0 &&
			    (!polls || s.spin == base.spin),
			    "set-group-ID root: neither is taken (%s)", s.dir);
		else
			skip(1, "set-group-ID is not honoured here");
		ok(probe(suid, 0, udir, "0", &s) == 0 &&
		    strcmp(s.dir, udir) == 0 && strcmp(s.attach, DATA) == 0,
		    "set-user-ID root, run by root: nothing gained, and its "
		    "environment is taken");
	}
	cleanup();
	ok(access(top, F_OK) == -1, "the programs and her name go");
	return exit_status();
}
