/*
 * keyfile_safety.c - key files that are not what they should be: symbolic
 * links are never followed, anything but a regular file with a valid
 * record - a directory, a FIFO, a socket, garbage - is refused with
 * EINVAL, never removed, and reported by gc, nothing hangs, and
 * permissions keep other users out.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "tap.h"

/* The longest line of a key file, its newline included: sharedmem(7),
 * "The format of key files". */
#define LINE_LONGEST	512

static const char victim_text[] = "not a key file\n";

static char victim[4096];

/* At file scope, so that the forked child holding them does not seem to
 * leak them. */
static sharedmem *priv, *pub;
static sharedmem *volatile kept;

static void
write_file(const char *path, const char *text, size_t len)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(fd, text, len) != (ssize_t)len || close(fd) == -1)
		bail_out("write %s: %s", path, strerror(errno));
}

static int
victim_intact(void)
{
	char buf[64];
	ssize_t n;
	int fd;

	if ((fd = open(victim, O_RDONLY)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf));
	(void)close(fd);
	return n == (ssize_t)strlen(victim_text) &&
	    memcmp(buf, victim_text, (size_t)n) == 0;
}

/* Create, attach and remove of name all fail with EINVAL. */
static void
all_refuse(const char *name, const char *what)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "create over %s", what);
	FAILS_WITH(sharedmem_create(name, 64) == NULL ? -1 : 0, EINVAL, msg);
	snprintf(msg, sizeof(msg), "attach of %s", what);
	FAILS_WITH(sharedmem_attach(name) == NULL ? -1 : 0, EINVAL, msg);
	snprintf(msg, sizeof(msg), "remove of %s", what);
	FAILS_WITH(sharedmem_remove(name), EINVAL, msg);
}

static void
test_links(void)
{
	char dangling[4096];

	snprintf(victim, sizeof(victim), "%s/victim", sharedmem_dir());
	write_file(victim, victim_text, strlen(victim_text));
	if (symlink(victim, keyfile("link")) == -1)
		bail_out("symlink: %s", strerror(errno));
	all_refuse("link", "a symbolic link to a file");
	ok(victim_intact(), "the link's target is untouched");
	ok(unlink(keyfile("link")) == 0, "the link is still there");

	snprintf(dangling, sizeof(dangling), "%s/nowhere", sharedmem_dir());
	if (symlink(dangling, keyfile("dangling")) == -1)
		bail_out("symlink: %s", strerror(errno));
	FAILS_WITH(sharedmem_create("dangling", 64) == NULL ? -1 : 0, EINVAL,
	    "create over a dangling symbolic link");
	ok(access(dangling, F_OK) == -1, "...does not create its target");
	ok(unlink(keyfile("dangling")) == 0 && unlink(victim) == 0,
	    "remove the links and the target");
}

static int bad_reported;

static void
count_bad(enum sharedmem_leftover kind, const char *file, int shmid,
    int error, void *arg)
{
	(void)shmid;
	(void)arg;
	if (kind == SHAREDMEM_BAD_KEYFILE && error == EINVAL &&
	    strcmp(file, "sharedmem.sock") == 0)
		bad_reported++;
}

/* A socket at a name: open() of one fails with ENXIO (EOPNOTSUPP on some
 * systems), which is no reason to give a caller. */
static void
test_socket(void)
{
	struct sockaddr_un addr;
	int fd;

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (strlen(keyfile("sock")) >= sizeof(addr.sun_path)) {
		skip(5, "the key directory's path is too long for a socket");
		return;
	}
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", keyfile("sock"));
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == -1)
		bail_out("socket at %s: %s", keyfile("sock"), strerror(errno));
	all_refuse("sock", "a socket");
	bad_reported = 0;
	ok(sharedmem_gc(0, count_bad, NULL) == 0 && bad_reported == 1,
	    "gc reports the socket as no key file, and leaves it");
	ok(unlink(keyfile("sock")) == 0 && close(fd) == 0,
	    "the socket is still there");
}

static void
test_odd_files(void)
{
	static const char *garbage[] = {
		"",
		"hello\n",
		"sharedmem 1 key=0x5300a1b2",
		"sharedmem 1 key=0x5300a1b2 shmid=12 size=64 pid=4",
		"sharedmem 1 key=0x5300a1b2 shmid=12 size=64 pid=4\nmore\n",
		"sharedmem 1 key=0x00000000 shmid=12 size=64 pid=4\n",
		"sharedmem 1 key=0x5300a1b2 shmid=+12 size=64 pid=4\n",
		"sharedmem 1 key=0x5300a1b2 shmid=99999999999 size=64 pid=4\n",
		"sharedmem 1 key=0x5300a1b2 shmid=12 size=0 pid=4\n",
		"sharedmem 1 key=0x5300a1b2 shmid=12 pid=4\n",
		"sharedmem 2 key=0x5300a1b2 shmid=12 size=64 pid=4\n",
		/* Lines that a field added later, or a version, does not
		 * excuse. */
		"sharedmem 3 key=0x5300a1b2 shmid=12 size=64 pid=4 "
		    "name=garbage\n",
		"sharedmem 2 key=0x5300a1b2 shmid=12 size=64 pid=4 shmid=13 "
		    "name=garbage\n",
		"sharedmem 2 key=0x5300a1b2 shmid=12 size=64 pid=4 "
		    "name=garbage later\n",
		"sharedmem 2 key=0x5300a1b2 shmid=12 size=64 pid=4 "
		    "name=garbage later=\n",
		"sharedmem 2 key=0x5300a1b2 shmid=12 size=64 pid=4 "
		    "name=garbage Later=1\n",
		"sharedmem 2 key=0x5300a1b2 shmid=12 size=64 pid=4 "
		    "name=garbage  later=1\n",
		"sharedmem 2 key=0x5300a1b2 shmid=12 size=64 pid=4 "
		    "name=garbage later=\t\n",
		"sharedmem 2 key=0x5300a1b2 shmid=12 size=64 pid=4 "
		    "name=garbage\n\n",
	};
	char line[LINE_LONGEST + 1];
	size_t i;

	if (mkdir(keyfile("dir"), 0700) == -1)
		bail_out("mkdir: %s", strerror(errno));
	all_refuse("dir", "a directory");
	ok(rmdir(keyfile("dir")) == 0, "the directory is still there");

	if (mkfifo(keyfile("fifo"), 0600) == -1)
		bail_out("mkfifo: %s", strerror(errno));
	alarm(10);	/* a blocking open would hang here */
	all_refuse("fifo", "a FIFO, without blocking");
	alarm(0);
	ok(unlink(keyfile("fifo")) == 0, "the FIFO is still there");

	test_socket();

	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		write_file(keyfile("garbage"), garbage[i], strlen(garbage[i]));
		FAILS_WITH(sharedmem_attach("garbage") == NULL ? -1 : 0, EINVAL,
		    "attach of a key file with a bad or truncated record");
	}
	/* The longest line, padded by a field of a later release, is read
	 * (and its segment found gone); one byte more is no record. */
	i = (size_t)snprintf(line, sizeof(line), "sharedmem 2 key=0x5300a1b2 "
	    "shmid=12 size=64 pid=4 name=garbage later=");
	memset(line + i, 'x', sizeof(line) - i);
	line[LINE_LONGEST - 1] = '\n';
	write_file(keyfile("garbage"), line, LINE_LONGEST);
	FAILS_WITH(sharedmem_attach("garbage") == NULL ? -1 : 0, ENOENT,
	    "attach of a key file whose line is as long as sharedmem(7) "
	    "allows");
	line[LINE_LONGEST - 1] = 'x';
	line[LINE_LONGEST] = '\n';
	write_file(keyfile("garbage"), line, LINE_LONGEST + 1);
	FAILS_WITH(sharedmem_attach("garbage") == NULL ? -1 : 0, EINVAL,
	    "attach of a key file whose line is a byte longer");
	all_refuse("garbage", "a key file that is no record");
	ok(unlink(keyfile("garbage")) == 0, "the bad key file is still there");
}

static void
test_other_user(void)
{
	struct passwd *pw;
	pid_t pid;
	int st;

	if (geteuid() != 0 || (pw = getpwnam("nobody")) == NULL) {
		skip(3, "needs root and a user 'nobody'");
		return;
	}
	/* nobody must be able to reach the key directory to be refused by
	 * the files' own permissions. */
	if (chmod(sharedmem_dir(), 0755) == -1)
		bail_out("chmod: %s", strerror(errno));
	priv = sharedmem_create("private", 64);
	pub = sharedmem_open("public", SHAREDMEM_CREATE, 64, 0644);
	if (priv == NULL || pub == NULL)
		bail_out("create: %s", strerror(errno));
	if ((pid = fork()) == 0) {
		if (setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1)
			_exit(90);
		/* A build tree that nobody may enter proves nothing. */
		if (access(sharedmem_dir(), X_OK) == -1)
			_exit(91);
		if ((kept = sharedmem_attach("private")) != NULL ||
		    errno != EACCES)
			_exit(1);
		if ((kept = sharedmem_attach("public")) != NULL ||
		    errno != EACCES)
			_exit(2);
		if ((kept = sharedmem_open("public", SHAREDMEM_RDONLY, 0,
		    0)) == NULL)
			_exit(3);
		if (sharedmem_remove("public") != -1 ||
		    (errno != EPERM && errno != EACCES))
			_exit(4);
		_exit(0);
	}
	st = wait_child(pid);
	if (st == 91)
		skip(1, "nobody cannot enter %s", sharedmem_dir());
	else
		ok(st == 0, "another user: 0600 gives EACCES, 0644 reads "
		    "only, remove is refused (child exit %d)", st);
	ok(access(keyfile("public"), F_OK) == 0,
	    "another user's remove leaves the key file");
	ok(sharedmem_unlink(priv) == 0 && sharedmem_unlink(pub) == 0,
	    "the owner unlinks both");
	sharedmem_close(priv);
	sharedmem_close(pub);
}

int
main(void)
{
	plan(49);
	test_links();
	test_odd_files();
	test_other_user();
	return exit_status();
}
