/*
 * rollback.c - a create that fails undoes every step it made: no segment
 * and no file is left.  ftok() gives every path the same key here, so
 * that the test knows where a segment left behind would be.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/resource.h>
#include <sys/shm.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "tap.h"

#define BIG ((size_t)1 << 30)

static key_t fixed;

static int
segment_at(key_t key)
{
	int id = shmget(key, 0, 0);

	if (id != -1)
		track_shm(id);
	return id != -1;
}

/* In a child with little address space, shmget succeeds and shmat
 * fails: the create must take its segment and files back. */
static void
test_shmat_fails(void)
{
	struct rlimit rl;
	pid_t pid;
	int st;

	if ((pid = fork()) == 0) {
		sharedmem *shm;

		rl.rlim_cur = rl.rlim_max = BIG / 4;
		if (setrlimit(RLIMIT_AS, &rl) == -1)
			_exit(5);
		if ((shm = sharedmem_create("big", BIG)) != NULL) {
			(void)sharedmem_unlink(shm);
			_exit(3);
		}
		_exit(errno == ENOMEM ? 0 : 4);
	}
	st = wait_child(pid);
	if (st == 0) {
		ok(1, "create fails with ENOMEM when shmat finds no room");
		ok(!segment_at(fixed), "...and removes the segment it made");
		ok(keydir_entries(NULL) == 0, "...and its private file");
	} else {
		diag("the child ended with %d", st);
		skip(3, "shmat could not be made to fail here");
	}
}

static void
test_shmget_fails(void)
{
	FAILS_WITH(sharedmem_create("huge", SIZE_MAX) == NULL ? -1 : 0, EINVAL,
	    "create fails with EINVAL when shmget refuses the size");
	ok(!segment_at(fixed), "...leaves no segment");
	ok(keydir_entries(NULL) == 0, "...and no file");
}

static void
test_exists(void)
{
	sharedmem *live, *again;

	if ((live = sharedmem_create("live", 64)) == NULL)
		bail_out("create: %s", strerror(errno));
	FAILS_WITH(sharedmem_create("live", 64) == NULL ? -1 : 0, EEXIST,
	    "create of a live name");
	ok(!segment_at(key_plus(fixed, 1)),
	    "...makes no segment on the way");
	again = sharedmem_attach("live");
	ok(again != NULL && sharedmem_id(again) == sharedmem_id(live),
	    "...and leaves the live name as it was");
	sharedmem_close(again);
	ok(sharedmem_unlink(live) == 0 && keydir_entries(NULL) == 0,
	    "unlink leaves an empty key directory");
	sharedmem_close(live);
}

int
main(int argc, char **argv)
{
	(void)argc;
	fixed = fixed_ftok(argv);
	plan(10);
	test_shmat_fails();
	test_shmget_fails();
	test_exists();
	return exit_status();
}
