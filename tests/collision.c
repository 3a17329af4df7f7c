/*
 * collision.c - ftok collisions are survived: with ftok() giving every
 * path the same key, names still get segments of their own,
 * a stray segment at the key is left alone, and attach never returns
 * another name's segment.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sharedmem.h"
#include "tap.h"

static key_t fixed;

/* Attaches name and checks that it is the segment of handle want. */
static void
attach_is(const char *name, const sharedmem *want)
{
	sharedmem *shm = sharedmem_attach(name);

	ok(shm != NULL && sharedmem_id(shm) == sharedmem_id(want) &&
	    sharedmem_size(shm) == sharedmem_size(want) &&
	    memcmp(sharedmem_buf(shm), name, strlen(name)) == 0,
	    "attach %s finds its own segment (id %d)", name,
	    sharedmem_id(want));
	sharedmem_close(shm);
}

static sharedmem *
create_tagged(const char *name, size_t size)
{
	sharedmem *shm = sharedmem_create(name, size);

	if (shm == NULL)
		bail_out("create %s: %s", name, strerror(errno));
	memcpy(sharedmem_buf(shm), name, strlen(name));
	return shm;
}

/* A key whose semaphore set is taken is given up, segment and all, like
 * one whose segment is. */
static void
test_semaphore_key(void)
{
	sharedmem *locked, *plain;
	int stray;

	if ((stray = semget(fixed, 1, IPC_CREAT | IPC_EXCL | 0600)) == -1)
		bail_out("a stray semaphore set at 0x%08lx: %s",
		    (unsigned long)fixed, strerror(errno));
	track_sem(stray);
	locked = sharedmem_open("locked", SHAREDMEM_CREATE | SHAREDMEM_LOCK, 64,
	    0600);
	ok(locked != NULL && sharedmem_key(locked) == key_plus(fixed, 1) &&
	    semget(key_plus(fixed, 1), 0, 0) == sharedmem_semid(locked),
	    "a create with a lock moves past a stray set at the ftok key");
	ok(shmget(fixed, 0, 0) == -1 && errno == ENOENT,
	    "and leaves no segment at the key it gave up");
	plain = sharedmem_create("plain", 64);
	ok(plain != NULL && sharedmem_key(plain) == fixed,
	    "a create without semaphores takes that key");
	ok(semctl(stray, 0, IPC_RMID) == 0, "the stray set is left alone");
	ok(sharedmem_unlink(locked) == 0 && sharedmem_unlink(plain) == 0,
	    "unlink both");
	sharedmem_close(locked);
	sharedmem_close(plain);
}

int
main(int argc, char **argv)
{
	sharedmem *alpha, *beta, *gamma, *delta;
	struct shmid_ds ds;
	int stray;

	(void)argc;
	fixed = fixed_ftok(argv);
	plan(21);
	diag("ftok() gives 0x%08lx for every path", (unsigned long)fixed);

	if ((stray = shmget(fixed, 64, IPC_CREAT | IPC_EXCL | 0600)) == -1)
		bail_out("a stray segment at 0x%08lx: %s", (unsigned long)fixed,
		    strerror(errno));
	track_shm(stray);

	alpha = create_tagged("alpha", 128);
	ok(sharedmem_key(alpha) != fixed,
	    "create moves past a stray segment at the ftok key");
	ok(shmctl(stray, IPC_STAT, &ds) == 0 && ds.shm_segsz == 64,
	    "the stray segment is left alone");
	beta = create_tagged("beta", 256);
	ok(sharedmem_key(beta) != fixed &&
	    sharedmem_key(beta) != sharedmem_key(alpha),
	    "a second name moves past both: keys 0x%08lx, 0x%08lx",
	    (unsigned long)sharedmem_key(alpha),
	    (unsigned long)sharedmem_key(beta));
	attach_is("alpha", alpha);
	attach_is("beta", beta);

	ok(shmctl(stray, IPC_RMID, NULL) == 0, "remove the stray segment");
	gamma = create_tagged("gamma", 64);
	ok(sharedmem_key(gamma) == fixed,
	    "a later name takes the ftok key once it is free");
	attach_is("alpha", alpha);
	attach_is("gamma", gamma);

	/* ipcrm of alpha's segment frees its key for delta: alpha's key
	 * file now records a key that leads to delta's segment. */
	ok(shmctl(sharedmem_id(alpha), IPC_RMID, NULL) == 0,
	    "remove alpha's segment behind the library's back");
	delta = create_tagged("delta", 32);
	ok(sharedmem_key(delta) == sharedmem_key(alpha),
	    "delta gets alpha's old key 0x%08lx",
	    (unsigned long)sharedmem_key(delta));
	FAILS_WITH(sharedmem_attach("alpha") == NULL ? -1 : 0, ENOENT,
	    "attach alpha does not return delta's segment");
	attach_is("delta", delta);
	sharedmem_close(alpha);

	alpha = create_tagged("alpha", 128);
	ok(alpha != NULL, "alpha can be created again, at key 0x%08lx",
	    (unsigned long)sharedmem_key(alpha));
	attach_is("alpha", alpha);

	ok(sharedmem_unlink(alpha) == 0 && sharedmem_unlink(beta) == 0 &&
	    sharedmem_unlink(gamma) == 0 && sharedmem_unlink(delta) == 0,
	    "unlink all four");
	sharedmem_close(alpha);
	sharedmem_close(beta);
	sharedmem_close(gamma);
	sharedmem_close(delta);
	test_semaphore_key();
	return exit_status();
}
