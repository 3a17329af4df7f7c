/*
 * unlink_id.c - a name removed after its handle is closed, by the shmid
 * kept from it: removed while it names that segment, and never when it
 * names another made since; and a handle described in one call, as its
 * accessors describe it.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "tap.h"

/* Whether the segment id is gone from the system. */
static int
segment_gone(int id)
{
	struct shmid_ds ds;

	return shmctl(id, IPC_STAT, &ds) == -1 &&
	    (errno == EINVAL || errno == EIDRM);
}

static int
create_closed(const char *name, int flags)
{
	sharedmem *shm;
	int id;

	if ((shm = sharedmem_open(name, SHAREDMEM_CREATE | flags, 4096,
	    0600)) == NULL)
		bail_out("create %s: %s", name, strerror(errno));
	id = sharedmem_id(shm);
	if (sharedmem_close(shm) == -1)
		bail_out("close %s: %s", name, strerror(errno));
	return id;
}

static void
test_closed_then_unlinked(void)
{
	struct semid_ds ds;
	sharedmem *shm;
	int id, semid;

	id = create_closed("closed", 0);
	ok(sharedmem_unlink_id("closed", id) == 0,
	    "a closed creator's name is unlinked by its shmid");
	ok(segment_gone(id), "... its segment is gone");
	ok(access(keyfile("closed"), F_OK) == -1 && errno == ENOENT,
	    "... and its key file");
	FAILS_WITH(sharedmem_unlink_id("closed", id), ENOENT,
	    "a second unlink by shmid");

	if ((shm = sharedmem_open("closed", SHAREDMEM_CREATE | SHAREDMEM_LOCK,
	    4096, 0600)) == NULL)
		bail_out("create closed: %s", strerror(errno));
	id = sharedmem_id(shm);
	semid = sharedmem_semid(shm);
	if (sharedmem_close(shm) == -1)
		bail_out("close: %s", strerror(errno));
	ok(sharedmem_unlink_id("/closed", id) == 0,
	    "a name with a lock is unlinked by its shmid, with a leading /");
	ok(set_stat(semid, &ds) == -1 && (errno == EINVAL || errno == EIDRM),
	    "... and its semaphore set goes with it");
}

static void
test_made_since(void)
{
	sharedmem *newer;
	int id;

	id = create_closed("since", 0);
	if (sharedmem_remove("since") == -1)
		bail_out("remove since: %s", strerror(errno));
	if ((newer = sharedmem_create("since", 8192)) == NULL)
		bail_out("create since again: %s", strerror(errno));
	FAILS_WITH(sharedmem_unlink_id("since", id), ENOENT,
	    "unlink by the shmid of a name made anew since");
	ok(!segment_gone(sharedmem_id(newer)),
	    "... leaves the new segment alone");
	ok(access(keyfile("since"), F_OK) == 0, "... and its key file");
	ok(sharedmem_unlink(newer) == 0, "the new handle unlinks its own");
	sharedmem_close(newer);
}

static void
test_behind_back(void)
{
	int id;

	id = create_closed("ipcrm", 0);
	ok(shmctl(id, IPC_RMID, NULL) == 0, "ipcrm a closed name's segment");
	FAILS_WITH(sharedmem_unlink_id("ipcrm", id), ENOENT,
	    "unlink by shmid after ipcrm");
	ok(access(keyfile("ipcrm"), F_OK) == -1 && errno == ENOENT,
	    "... removes the stale key file");
}

static void
test_bad_arguments(void)
{
	FAILS_WITH(sharedmem_unlink_id("nothing", 1), ENOENT,
	    "unlink by shmid of a name that does not exist");
	FAILS_WITH(sharedmem_unlink_id("a/b", 1), EINVAL,
	    "unlink by shmid of a bad name");
	FAILS_WITH(sharedmem_unlink_id(NULL, 1), EINVAL,
	    "unlink by shmid of a NULL name");
	FAILS_WITH(sharedmem_unlink_id("nothing", -1), EINVAL,
	    "unlink by a negative shmid");
}

static void
test_describe(void)
{
	struct sharedmem_description d;
	sharedmem *shm;

	if ((shm = sharedmem_open("described", SHAREDMEM_CREATE |
	    SHAREDMEM_SEMAPHORES(3), 2048, 0600)) == NULL)
		bail_out("create described: %s", strerror(errno));
	memset(&d, 0, sizeof(d));
	ok(sharedmem_describe(shm, &d, sizeof(d)) == 0 &&
	    d.addr == sharedmem_buf(shm) && d.size == 2048 &&
	    d.name == sharedmem_name(shm) && strcmp(d.name, "described") == 0 &&
	    d.shmid == sharedmem_id(shm) && d.semid == sharedmem_semid(shm) &&
	    d.semaphores == 3 && d.key == sharedmem_key(shm),
	    "describe gives what the accessors give");
	memset(&d, 0xa5, sizeof(d));
	ok(sharedmem_describe(shm, &d, offsetof(struct sharedmem_description,
	    shmid)) == 0 && d.size == 2048 && d.shmid != sharedmem_id(shm),
	    "an older caller's shorter struct gets its own fields, no more");
	FAILS_WITH(sharedmem_describe(NULL, &d, sizeof(d)), EINVAL,
	    "describe of no handle");
	FAILS_WITH(sharedmem_describe(shm, NULL, sizeof(d)), EINVAL,
	    "describe into nothing");
	if (sharedmem_unlink(shm) == -1)
		bail_out("unlink described: %s", strerror(errno));
	sharedmem_close(shm);
}

int
main(void)
{
	plan(22);
	test_closed_then_unlinked();
	test_made_since();
	test_behind_back();
	test_bad_arguments();
	test_describe();
	ok(keydir_entries(NULL) == 0, "the key directory is empty at the end");
	return exit_status();
}
