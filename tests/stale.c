/*
 * stale.c - names whose segment is gone, by ipcrm or by a reboot: attach
 * fails with ENOENT, never giving the segment that holds the key now, and
 * create takes the name anew; unlink of a handle whose segment went
 * removes only its own key file, never that of the name created since.
 * A name outlives its creator, and a dead create's private file blocks
 * no name.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "tap.h"

/* A child's handle, at file scope so that exiting with it is no leak. */
static sharedmem *volatile kept;

/* Writes a key file by hand, as an earlier boot or a crash left it. */
static void
plant_keyfile(const char *path, key_t key, int shmid, unsigned long size,
    long pid)
{
	char line[128];
	int fd, n;

	n = snprintf(line, sizeof(line),
	    "sharedmem 1 key=0x%08lx shmid=%d size=%lu pid=%ld\n",
	    (unsigned long)key & 0xffffffffUL, shmid, size, pid);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
	    write(fd, line, (size_t)n) != n || close(fd) == -1)
		bail_out("plant %s: %s", path, strerror(errno));
}

static void
test_ipcrm(void)
{
	sharedmem *old, *new;
	int old_id;

	if ((old = sharedmem_create("ipcrm", 256)) == NULL)
		bail_out("create: %s", strerror(errno));
	old_id = sharedmem_id(old);
	ok(shmctl(old_id, IPC_RMID, NULL) == 0,
	    "ipcrm the segment of a name");
	FAILS_WITH(sharedmem_attach("ipcrm") == NULL ? -1 : 0, ENOENT,
	    "attach after ipcrm");
	ok(access(keyfile("ipcrm"), F_OK) == 0,
	    "a failed attach removes nothing, not even a stale key file");
	new = sharedmem_create("ipcrm", 512);
	ok(new != NULL && sharedmem_id(new) != old_id,
	    "create of the stale name succeeds, with a new segment");
	sharedmem_close(new);
	new = sharedmem_attach("ipcrm");
	ok(new != NULL && sharedmem_size(new) == 512,
	    "attach finds the new segment");

	/* The old handle must not take the new name with it. */
	FAILS_WITH(sharedmem_unlink(old), ENOENT,
	    "unlink of the removed segment's handle");
	ok(access(keyfile("ipcrm"), F_OK) == 0,
	    "...leaves the new segment's key file in place");
	sharedmem_close(old);
	old = sharedmem_attach("ipcrm");
	ok(old != NULL && sharedmem_id(old) == sharedmem_id(new),
	    "...and the name still attaches to the new segment");
	sharedmem_close(old);
	ok(sharedmem_unlink(new) == 0 && access(keyfile("ipcrm"), F_OK) == -1,
	    "the new handle's unlink removes the key file");
	sharedmem_close(new);
}

static void
test_reboot(void)
{
	sharedmem *shm;
	struct shmid_ds ds;
	int other;
	key_t key;

	/* After a reboot a key file on disk may record a key that some
	 * other program's segment holds now, under another id. */
	key = (key_t)(0x6d000000L | ((long)getpid() & 0xffff) << 4);
	if ((other = shmget(key, 100, IPC_CREAT | IPC_EXCL | 0600)) == -1)
		bail_out("a segment at 0x%08lx: %s", (unsigned long)key,
		    strerror(errno));
	track_shm(other);
	plant_keyfile(keyfile("reboot"), key, other + 1, 100, 1);
	FAILS_WITH(sharedmem_attach("reboot") == NULL ? -1 : 0, ENOENT,
	    "attach of a name whose key another segment holds now");
	ok(unlink(keyfile("reboot")) == 0, "remove that key file");
	/* Ids start again after a reboot: key and shmid may both match. */
	plant_keyfile(keyfile("reboot"), key, other, 64, 1);
	FAILS_WITH(sharedmem_attach("reboot") == NULL ? -1 : 0, ENOENT,
	    "attach of a name whose key and shmid a segment of another size "
	    "holds now");
	shm = sharedmem_create("reboot", 64);
	ok(shm != NULL, "create of that name succeeds");
	ok(shm != NULL && sharedmem_key(shm) != key &&
	    shmctl(other, IPC_STAT, &ds) == 0 && ds.shm_segsz == 100,
	    "...and leaves the other segment alone");
	ok(sharedmem_unlink(shm) == 0, "unlink it");
	sharedmem_close(shm);
	ok(shmctl(other, IPC_RMID, NULL) == 0, "remove the other segment");

	/* The same file, with nothing at the key any more. */
	plant_keyfile(keyfile("reboot"), key, other, 100, 1);
	FAILS_WITH(sharedmem_attach("reboot") == NULL ? -1 : 0, ENOENT,
	    "attach of a name whose key is free");
	FAILS_WITH(sharedmem_remove("reboot"), ENOENT,
	    "remove of that stale name");
	ok(access(keyfile("reboot"), F_OK) == -1,
	    "...cleans its key file up");
}

static void
test_crash(void)
{
	char dead[4096];
	sharedmem *shm;
	pid_t pid;
	int st;

	/* A creator that dies without unlinking leaves a live name: System
	 * V segments outlive their processes, and so do our names. */
	if ((pid = fork()) == 0)
		_exit((kept = sharedmem_create("crash", 64)) != NULL ? 0 : 1);
	st = wait_child(pid);
	ok(st == 0, "a child creates a name and exits");
	shm = sharedmem_attach("crash");
	ok(shm != NULL, "the name outlives its creator");
	ok(sharedmem_unlink(shm) == 0, "...until it is unlinked");
	sharedmem_close(shm);

	/* A create killed before it published leaves a private file and
	 * perhaps a segment; neither holds the name. */
	snprintf(dead, sizeof(dead), "%s/sharedmem+dead01", sharedmem_dir());
	plant_keyfile(dead, (key_t)0x6c000001L, -1, 64, 999999);
	shm = sharedmem_create("crash", 64);
	ok(shm != NULL, "a dead create's private file does not block a name");
	ok(sharedmem_unlink(shm) == 0, "unlink it");
	sharedmem_close(shm);
	ok(unlink(dead) == 0, "remove the dead create's file");
}

int
main(void)
{
	plan(25);
	test_ipcrm();
	test_reboot();
	test_crash();
	return exit_status();
}
