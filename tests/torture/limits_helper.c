/*
 * limits_helper.c - one library call for tests/torture/limits.sh, which
 * runs it with the system's limits lowered.
 *
 * Usage: limits_helper [-f FREE] COMMAND ARG...
 *	create NAME SIZE [MODE]	sharedmem_open(NAME, SHAREDMEM_CREATE, ...)
 *	random SIZE		the same with NAME NULL: a fresh random name
 *	attach NAME		sharedmem_attach(NAME)
 *	remove NAME		sharedmem_remove(NAME)
 *	kill NAME		removes NAME's segment behind the library's
 *				back, as ipcrm(1) does: a stale name
 * With -f, the call is made with only FREE file descriptors left: the
 * others are taken by dup(2) first, under a soft RLIMIT_NOFILE lowered
 * to a few dozen so that it takes no time.
 *
 * Prints "ok" and the shmid, or the symbolic errno the call failed with,
 * on one line.  Exit status 0 if the call worked, 1 if it failed, 2 for
 * bad usage or a failure of the helper itself.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/resource.h>
#include <sys/shm.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"

/* The lowered limit of -f: room for stdio and some spare. */
#define NOFILE_LIMIT 32

static const struct {
	int		 value;
	const char	*name;
} errnames[] = {
	{ EACCES, "EACCES" },
	{ EBUSY, "EBUSY" },
	{ EEXIST, "EEXIST" },
	{ EFBIG, "EFBIG" },
	{ EINVAL, "EINVAL" },
	{ EMFILE, "EMFILE" },
	{ ENAMETOOLONG, "ENAMETOOLONG" },
	{ ENFILE, "ENFILE" },
	{ ENOENT, "ENOENT" },
	{ ENOMEM, "ENOMEM" },
	{ ENOSPC, "ENOSPC" },
	{ EOVERFLOW, "EOVERFLOW" },
	{ EPERM, "EPERM" },
#ifdef EDQUOT
	{ EDQUOT, "EDQUOT" },
#endif
};

static void
usage(void)
{
	fprintf(stderr, "usage: limits_helper [-f FREE] create NAME SIZE "
	    "[MODE] | random SIZE |\n"
	    "       attach NAME | remove NAME | kill NAME\n");
	exit(2);
}

static void
failed(int err)
{
	size_t i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].value == err) {
			printf("%s\n", errnames[i].name);
			exit(1);
		}
	printf("errno%d\n", err);
	exit(1);
}

static unsigned long
number(const char *s, int base)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, base);
	if (errno != 0 || end == s || *end != '\0')
		usage();
	return v;
}

/* Leaves only nfree file descriptors: the lowest free ones would be
 * taken first, as the library's would. */
static void
use_up_fds(unsigned long nfree)
{
	struct rlimit rl;
	int fds[NOFILE_LIMIT], n = 0, i;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		perror("limits_helper: getrlimit");
		exit(2);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > NOFILE_LIMIT) {
		rl.rlim_cur = NOFILE_LIMIT;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1) {
			perror("limits_helper: setrlimit");
			exit(2);
		}
	}
	for (;;) {
		if (n == NOFILE_LIMIT) {
			fprintf(stderr, "limits_helper: more than %d "
			    "descriptors free under the limit\n", n);
			exit(2);
		}
		if ((fds[n] = dup(STDOUT_FILENO)) == -1)
			break;
		n++;
	}
	if (errno != EMFILE || (unsigned long)n < nfree) {
		fprintf(stderr, "limits_helper: dup: %s after %d\n",
		    strerror(errno), n);
		exit(2);
	}
	for (i = 0; i < (int)nfree; i++)
		(void)close(fds[i]);
}

int
main(int argc, char **argv)
{
	sharedmem *shm = NULL;
	const char *cmd;
	unsigned long nfree = 0;
	int limited = 0, c;

	while ((c = getopt(argc, argv, "f:")) != -1)
		switch (c) {
		case 'f':
			nfree = number(optarg, 10);
			limited = 1;
			break;
		default:
			usage();
		}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	cmd = argv[0];
	/* stdout is flushed at exit; have its buffer before the fds go. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (limited)
		use_up_fds(nfree);
	if (strcmp(cmd, "create") == 0 && (argc == 3 || argc == 4))
		shm = sharedmem_open(argv[1], SHAREDMEM_CREATE,
		    (size_t)number(argv[2], 10),
		    argc == 4 ? (mode_t)number(argv[3], 8) : 0600);
	else if (strcmp(cmd, "random") == 0 && argc == 2)
		shm = sharedmem_open(NULL, SHAREDMEM_CREATE,
		    (size_t)number(argv[1], 10), 0600);
	else if (strcmp(cmd, "attach") == 0 && argc == 2)
		shm = sharedmem_attach(argv[1]);
	else if (strcmp(cmd, "remove") == 0 && argc == 2) {
		if (sharedmem_remove(argv[1]) == -1)
			failed(errno);
		printf("ok\n");
		return 0;
	} else if (strcmp(cmd, "kill") == 0 && argc == 2) {
		if ((shm = sharedmem_attach(argv[1])) == NULL)
			failed(errno);
		if (shmctl(sharedmem_id(shm), IPC_RMID, NULL) == -1)
			failed(errno);
		printf("ok %d\n", sharedmem_id(shm));
		(void)sharedmem_close(shm);
		return 0;
	} else
		usage();
	if (shm == NULL)
		failed(errno);
	printf("ok %d\n", sharedmem_id(shm));
	if (sharedmem_close(shm) == -1) {
		perror("limits_helper: sharedmem_close");
		return 2;
	}
	return 0;
}
