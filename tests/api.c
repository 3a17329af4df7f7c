/*
 * api.c - every documented behaviour of the interface, in one process.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "tap.h"

/* A child that faults exits with this, rather than dying of the signal,
 * so that memory checkers that catch SIGSEGV cannot blur the result. */
#define SEGV_EXIT 42

static void
exit_on_segv(int sig)
{
	(void)sig;
	_exit(SEGV_EXIT);
}

static void
on_segv_exit(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = exit_on_segv;
	if (sigemptyset(&sa.sa_mask) == -1 ||
	    sigaction(SIGSEGV, &sa, NULL) == -1 ||
	    sigaction(SIGBUS, &sa, NULL) == -1)
		_exit(1);
}

static void
test_version(void)
{
	ok(strcmp(sharedmem_version(), SHAREDMEM_VERSION) == 0,
	    "sharedmem_version() is the header's %s", SHAREDMEM_VERSION);
	ok(SHAREDMEM_VERSION_NUMBER == SHAREDMEM_VERSION_MAJOR * 10000 +
	    SHAREDMEM_VERSION_MINOR * 100 + SHAREDMEM_VERSION_PATCH,
	    "SHAREDMEM_VERSION_NUMBER is %d", SHAREDMEM_VERSION_NUMBER);
	ok(strcmp(sharedmem_dir(), getenv("SHAREDMEM_DIR")) == 0,
	    "sharedmem_dir() follows $SHAREDMEM_DIR");
}

/* At file scope, so that the child that faults on purpose, holding them,
 * is not taken for leaking them. */
static sharedmem *a, *b, *c;

static void
test_create_attach(void)
{
	unsigned char *p;
	struct stat st;
	size_t i, zero = 1;

	a = sharedmem_create("basic", 1024);
	if (!ok(a != NULL, "create basic, 1024 bytes"))
		bail_out("create: %s", strerror(errno));
	ok(strcmp(sharedmem_name(a), "basic") == 0, "its name is basic");
	ok(sharedmem_size(a) == 1024, "its size is 1024");
	ok(sharedmem_key(a) != IPC_PRIVATE && sharedmem_key(a) != (key_t)-1,
	    "it has a real key, 0x%08lx", (unsigned long)sharedmem_key(a));
	ok(sharedmem_id(a) >= 0, "it has a shmid, %d", sharedmem_id(a));
	p = sharedmem_buf(a);
	for (i = 0; i < 1024; i++)
		zero &= p[i] == 0;
	ok(zero, "a new segment reads as zeros");
	ok(stat(keyfile("basic"), &st) == 0 && S_ISREG(st.st_mode),
	    "its key file is %s", keyfile("basic"));
	ok((st.st_mode & 07777) == 0600, "a 0600 segment's key file is 0600");

	FAILS_WITH(sharedmem_create("basic", 1024) == NULL ? -1 : 0,
	    EEXIST, "create of an existing name");

	b = sharedmem_attach("basic");
	if (!ok(b != NULL, "attach basic"))
		bail_out("attach: %s", strerror(errno));
	ok(sharedmem_id(b) == sharedmem_id(a) &&
	    sharedmem_key(b) == sharedmem_key(a) && sharedmem_size(b) == 1024,
	    "attach finds the same id, key and size");
	ok(sharedmem_buf(b) != sharedmem_buf(a),
	    "a second attach is a second mapping");
	p[0] = 1;
	((unsigned char *)sharedmem_buf(b))[1023] = 42;
	ok(((unsigned char *)sharedmem_buf(b))[0] == 1 && p[1023] == 42,
	    "a write through one handle is seen through the other");

	c = sharedmem_attach("/basic");
	ok(c != NULL && strcmp(sharedmem_name(c), "basic") == 0 &&
	    sharedmem_id(c) == sharedmem_id(a),
	    "a leading '/' is ignored, and not part of the name");
	ok(sharedmem_close(c) == 0, "close one of three handles");

	c = sharedmem_open("basic", SHAREDMEM_RDONLY, 0, 0);
	ok(c != NULL && ((unsigned char *)sharedmem_buf(c))[1023] == 42,
	    "a read-only attach reads");
	if (c != NULL) {
		pid_t pid = fork();

		if (pid == 0) {
			on_segv_exit();
			((volatile unsigned char *)sharedmem_buf(c))[0] = 7;
			_exit(0);
		}
		ok(pid > 0 && wait_child(pid) == SEGV_EXIT,
		    "a read-only attach faults on write");
	} else
		skip(1, "no read-only handle");
	ok(sharedmem_close(c) == 0, "close the read-only handle");

	ok(sharedmem_unlink(a) == 0, "unlink");
	ok(access(keyfile("basic"), F_OK) == -1 && errno == ENOENT,
	    "unlink removes the key file");
	FAILS_WITH(sharedmem_attach("basic") == NULL ? -1 : 0, ENOENT,
	    "attach after unlink");
	p[1] = 2;
	ok(((unsigned char *)sharedmem_buf(b))[1] == 2,
	    "handles stay attached after unlink");
	FAILS_WITH(sharedmem_unlink(b), ENOENT,
	    "unlink of a segment already unlinked");
	ok(sharedmem_close(b) == 0 && sharedmem_close(a) == 0,
	    "close both handles");
	ok(sharedmem_close(NULL) == 0, "close(NULL) does nothing");
}

static void
test_names(void)
{
	static const char *bad[] = { "", "/", ".", "..", "a/b", "//a",
	    "a b", "tab\t", "caf\xc3\xa9", "semi;colon", "*", "~x", "x+y" };
	char longname[SHAREDMEM_NAME_MAX + 3];
	sharedmem *shm;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		shm = sharedmem_create(bad[i], 64);
		ok_errno(shm == NULL ? -1 : 0, errno, EINVAL, "create of a bad name");
		sharedmem_close(shm);
	}
	FAILS_WITH(sharedmem_attach(NULL) == NULL ? -1 : 0, EINVAL,
	    "attach of NULL");
	FAILS_WITH(sharedmem_remove("a/b"), EINVAL, "remove of a bad name");

	memset(longname, 'n', sizeof(longname));
	longname[SHAREDMEM_NAME_MAX] = '\0';
	shm = sharedmem_create(longname, 64);
	ok(shm != NULL, "a name of %d bytes", SHAREDMEM_NAME_MAX);
	ok(sharedmem_unlink(shm) == 0 && sharedmem_close(shm) == 0,
	    "...unlinks and closes");
	longname[0] = '/';
	longname[SHAREDMEM_NAME_MAX] = 'n';
	longname[SHAREDMEM_NAME_MAX + 1] = '\0';
	shm = sharedmem_create(longname, 64);
	ok(shm != NULL, "the same name after a '/'");
	ok(sharedmem_remove(longname) == 0, "...is removed by name");
	sharedmem_close(shm);
	longname[0] = 'n';
	FAILS_WITH(sharedmem_create(longname, 64) == NULL ? -1 : 0,
	    ENAMETOOLONG, "a name of 201 bytes");
	FAILS_WITH(sharedmem_attach(longname) == NULL ? -1 : 0,
	    ENAMETOOLONG, "attach of a name of 201 bytes");

	shm = sharedmem_create("A-Za-z0-9._-", 8);
	ok(shm != NULL, "every character of the alphabet");
	ok(sharedmem_unlink(shm) == 0, "...unlinks");
	sharedmem_close(shm);
}

/* Whether the system's SHMMAX, where /proc tells it, is size or more. */
static int
shmmax_at_least(size_t size)
{
	unsigned long long max;
	FILE *f;
	int n;

	if ((f = fopen("/proc/sys/kernel/shmmax", "r")) == NULL)
		return 0;
	n = fscanf(f, "%llu", &max);
	(void)fclose(f);
	return n == 1 && max >= (unsigned long long)size;
}

static void
test_arguments(void)
{
	sharedmem *shm;
	int err;

	FAILS_WITH(sharedmem_create("zero", 0) == NULL ? -1 : 0, EINVAL,
	    "size 0");
	errno = 0;
	shm = sharedmem_create("huge", SIZE_MAX);
	err = errno;
	if (shmmax_at_least(SIZE_MAX))
		/* A 32-bit size_t on a 64-bit Linux: within SHMMAX, and
		 * refused for want of memory, or of address space by an
		 * emulator. */
		ok(shm == NULL && (err == ENOMEM || err == ENOSPC ||
		    err == EINVAL), "size SIZE_MAX, within SHMMAX, beyond "
		    "memory: ENOMEM, ENOSPC or EINVAL: %s", strerror(err));
	else
		ok_errno(shm == NULL ? -1 : 0, err, EINVAL, "size over SHMMAX");
	sharedmem_close(shm);
	ok(access(keyfile("huge"), F_OK) == -1,
	    "a failed create leaves no key file");
	FAILS_WITH(sharedmem_open("flags", SHAREDMEM_CREATE | 0x20, 8,
	    0600) == NULL ? -1 : 0, EINVAL, "unknown flags");
	FAILS_WITH(sharedmem_open("mode", SHAREDMEM_CREATE, 8, 01600) == NULL ?
	    -1 : 0, EINVAL, "a mode beyond 0777");
	FAILS_WITH(sharedmem_attach("missing") == NULL ? -1 : 0, ENOENT,
	    "attach of a missing name");
	FAILS_WITH(sharedmem_remove("missing"), ENOENT,
	    "remove of a missing name");
	FAILS_WITH(sharedmem_unlink(NULL), EINVAL, "unlink(NULL)");

	shm = sharedmem_open("ignored", 0, 0, 01777);
	ok(shm == NULL && errno == ENOENT,
	    "attach ignores size and mode");
}

static void
test_random_names(void)
{
	sharedmem *one, *two;
	const char *n;
	size_t i;
	int good = 1;

	one = sharedmem_create(NULL, 16);
	two = sharedmem_create(NULL, 16);
	if (!ok(one != NULL && two != NULL, "create with no name, twice"))
		bail_out("random names: %s", strerror(errno));
	n = sharedmem_name(one);
	good = strlen(n) == 12 && strncmp(n, "psm_", 4) == 0;
	for (i = 4; good && i < 12; i++)
		good = strchr("0123456789abcdef", n[i]) != NULL;
	ok(good, "the name looks like psm_xxxxxxxx: %s", n);
	ok(strcmp(sharedmem_name(one), sharedmem_name(two)) != 0,
	    "two fresh names differ: %s %s", sharedmem_name(one),
	    sharedmem_name(two));
	ok(access(keyfile(n), F_OK) == 0, "the fresh name has its key file");
	ok(sharedmem_unlink(one) == 0 && sharedmem_unlink(two) == 0,
	    "both unlink");
	sharedmem_close(one);
	sharedmem_close(two);
}

static void
test_modes(void)
{
	struct shmid_ds ds;
	sharedmem *shm;
	struct stat st;

	shm = sharedmem_open("mode-0640", SHAREDMEM_CREATE, 64, 0640);
	if (!ok(shm != NULL, "create with mode 0640"))
		return;
	if (!ipc_reports_mode())
		skip(1, MODE_MISREPORTED);
	else
		ok(shmctl(sharedmem_id(shm), IPC_STAT, &ds) == 0 &&
		    (ds.shm_perm.mode & 0777) == 0640,
		    "the segment's mode is 0640");
	ok(stat(keyfile("mode-0640"), &st) == 0 &&
	    (st.st_mode & 07777) == 0640,
	    "the key file is readable by the group too: 0640");
	sharedmem_unlink(shm);
	sharedmem_close(shm);

	shm = sharedmem_open("mode-0666", SHAREDMEM_CREATE, 64, 0666);
	ok(shm != NULL && stat(keyfile("mode-0666"), &st) == 0 &&
	    (st.st_mode & 07777) == 0644,
	    "a 0666 segment's key file is 0644: nobody else may remove it");
	sharedmem_unlink(shm);
	sharedmem_close(shm);
}

static void
test_keydir(void)
{
	char *saved = strdup(getenv("SHAREDMEM_DIR"));
	char missing[4096];

	snprintf(missing, sizeof(missing), "%s/no-such-dir", saved);
	setenv("SHAREDMEM_DIR", missing, 1);
	FAILS_WITH(sharedmem_create("x", 8) == NULL ? -1 : 0, ENOENT,
	    "create in a missing key directory");
	setenv("SHAREDMEM_DIR", "", 1);
	ok(strcmp(sharedmem_dir(), SHAREDMEM_KEYDIR) == 0,
	    "an empty $SHAREDMEM_DIR means the default, %s", SHAREDMEM_KEYDIR);
	setenv("SHAREDMEM_DIR", saved, 1);
	free(saved);
}

int
main(void)
{
	plan(71);
	test_version();
	test_create_attach();
	test_names();
	test_arguments();
	test_random_names();
	test_modes();
	test_keydir();
	return exit_status();
}
