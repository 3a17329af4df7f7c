/*
 * removed.c - segments and key files removed behind the library's back,
 * while it is in use: ipcrm(1) of a segment (shmctl IPC_RMID) while it is
 * attached and between operations, also with a stranger's segment at its
 * key since, and the deletion of a key file as a tmp cleaner would do it;
 * then both racing creates, attaches, lookups, unlinks and gc.  See
 * behind.h.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "behind.h"

/* ------------------------------------------------------------- ipcrm */

static void
test_ipcrm(void)
{
	struct found f;
	struct shmid_ds ds;
	key_t key;
	int id, id2, x;

	/* While attached. */
	h1 = create_marked("rm-a");
	id = sharedmem_id(h1);
	if (shmctl(id, IPC_RMID, NULL) == -1)
		bail_out("IPC_RMID: %s", strerror(errno));
	ok(mine(h1, "rm-a"), "ipcrm while attached: the handle's memory is "
	    "still whole");
	FAILS_WITH(sharedmem_attach("rm-a") == NULL ? -1 : 0, ENOENT,
	    "ipcrm while attached: attach");
	FAILS_WITH(sharedmem_lookup("rm-a", NULL, NULL), ESTALE,
	    "ipcrm while attached: lookup");
	h2 = sharedmem_create("rm-a", SIZE);
	ok(h2 != NULL && sharedmem_id(h2) != id,
	    "ipcrm while attached: create of the name works again");
	if (h2 == NULL)
		bail_out("create rm-a: %s", strerror(errno));
	track(sharedmem_id(h2));
	mark(h2, "rm-a");
	FAILS_WITH(sharedmem_unlink(h1), ENOENT,
	    "ipcrm while attached: the old handle's unlink");
	ok(attaches_to("rm-a", h2),
	    "...and leaves the new name, which attaches to its own segment");
	(void)sharedmem_close(h1);
	h1 = NULL;
	ok(sharedmem_unlink(h2) == 0 && sharedmem_close(h2) == 0,
	    "...and the new one unlinks");
	h2 = NULL;

	/* Between operations. */
	h1 = create_marked("rm-b");
	id = sharedmem_id(h1);
	(void)sharedmem_close(h1);
	h1 = NULL;
	if (shmctl(id, IPC_RMID, NULL) == -1)
		bail_out("IPC_RMID: %s", strerror(errno));
	FAILS_WITH(sharedmem_attach("rm-b") == NULL ? -1 : 0, ENOENT,
	    "ipcrm between operations: attach");
	FAILS_WITH(sharedmem_remove("rm-b"), ENOENT,
	    "ipcrm between operations: remove");
	ok(access(keyfile("rm-b"), F_OK) == -1 && errno == ENOENT,
	    "...which clears the stale name");

	h1 = create_marked("rm-c");
	id = sharedmem_id(h1);
	(void)sharedmem_close(h1);
	h1 = NULL;
	(void)shmctl(id, IPC_RMID, NULL);
	memset(&f, 0, sizeof(f));
	ok(sharedmem_gc(0, gc_report, &f) == 1 && f.removed == 1 &&
	    access(keyfile("rm-c"), F_OK) == -1,
	    "ipcrm between operations: gc clears the stale name");

	/* Another segment at the same key, of the same size. */
	h1 = create_marked("rm-d");
	id = sharedmem_id(h1);
	key = sharedmem_key(h1);
	(void)sharedmem_close(h1);
	h1 = NULL;
	(void)shmctl(id, IPC_RMID, NULL);
	if ((x = shmget(key, SIZE, IPC_CREAT | IPC_EXCL | 0600)) == -1) {
		skip(5, "cannot make a segment at key 0x%08lx: %s",
		    (unsigned long)key, strerror(errno));
		(void)sharedmem_remove("rm-d");
		return;
	}
	track(x);
	FAILS_WITH(sharedmem_attach("rm-d") == NULL ? -1 : 0, ENOENT,
	    "ipcrm, and a stranger's segment at the key: attach");
	FAILS_WITH(sharedmem_lookup("rm-d", NULL, NULL), ESTALE,
	    "...lookup");
	FAILS_WITH(sharedmem_remove("rm-d"), ENOENT, "...remove");
	ok(shmctl(x, IPC_STAT, &ds) == 0 && shmget(key, 0, 0) == x,
	    "...leaves the stranger's segment");
	h1 = sharedmem_create("rm-d", SIZE);
	id2 = h1 != NULL ? sharedmem_id(h1) : -1;
	if (h1 != NULL)
		track(id2);
	ok(h1 != NULL && id2 != x && shmctl(x, IPC_STAT, &ds) == 0,
	    "...and the name can be created again, elsewhere");
	if (h1 != NULL)
		dispose(h1);
	h1 = NULL;
	(void)shmctl(x, IPC_RMID, NULL);
}

/* ------------------------------------------------- deleted key file */

static void
test_keyfile_deleted(void)
{
	struct found f;
	key_t key;
	int id;

	h1 = create_marked("del");
	id = sharedmem_id(h1);
	key = sharedmem_key(h1);
	if (unlink(keyfile("del")) == -1)
		bail_out("unlink: %s", strerror(errno));
	FAILS_WITH(sharedmem_attach("del") == NULL ? -1 : 0, ENOENT,
	    "key file deleted: attach");
	FAILS_WITH(sharedmem_lookup("del", NULL, NULL), ENOENT,
	    "key file deleted: lookup");
	FAILS_WITH(sharedmem_remove("del"), ENOENT, "key file deleted: remove");
	h2 = sharedmem_create("del", SIZE);
	ok(h2 != NULL, "key file deleted: create of the name works again");
	if (h2 == NULL)
		bail_out("create del: %s", strerror(errno));
	track(sharedmem_id(h2));
	mark(h2, "del");
	ok(mine(h1, "del"), "...the old handle's memory is whole");
	FAILS_WITH(sharedmem_unlink(h1), ENOENT, "...the old handle's unlink");
	ok(segment_gone(key, id), "...removes its own segment");
	ok(attaches_to("del", h2), "...and not the new name");
	(void)sharedmem_close(h1);
	h1 = NULL;
	ok(segment_gone(key, id), "...which is gone once closed");
	memset(&f, 0, sizeof(f));
	ok(sharedmem_gc(0, gc_report, &f) == 0 && f.bad + f.other == 0,
	    "...and gc finds nothing to do");
	ok(sharedmem_unlink(h2) == 0 && sharedmem_close(h2) == 0,
	    "...the new name unlinks");
	h2 = NULL;
}

/* ------------------------------------------- ipcrm and cleaner race */

/* Creates, marks, checks and unlinks "churn" over and over. */
static void
churner(double until, void *arg)
{
	sharedmem *shm;

	(void)arg;
	while (clock_seconds() < until) {
		race_count[OPS]++;
		if ((shm = sharedmem_create("churn", sizeof(struct mark) +
		    (size_t)(race_rnd() % (64 * 1024)))) == NULL) {
			race_anomaly("create churn: %s", strerror(errno));
			race_nap_us(1000);
			continue;
		}
		mark(shm, "churn");
		race_nap_us((long)(race_rnd() % 500));
		if (!mine(shm, "churn"))
			race_anomaly("churn: the creator's own memory changed");
		race_count[OPS]++;
		if (sharedmem_unlink(shm) == 0)
			race_count[RIGHT]++;
		else if (errno == ENOENT)
			race_count[REFUSED]++;
		else
			race_anomaly("unlink churn: %s", strerror(errno));
		race_count[OPS]++;
		if (sharedmem_close(shm) == -1)
			race_anomaly("close churn: %s", strerror(errno));
	}
}

/* ipcrm of the churner's segments, and deletion of their key files. */
static void
wrecker(double until, void *arg)
{
	struct shmid_ds ds;
	int id;

	(void)arg;
	while (clock_seconds() < until) {
		race_nap_us((long)(race_rnd() % 2000));
		if (race_rnd() % 2 == 0) {
			if (unlink(keyfile("churn")) == 0)
				race_count[FAULTS]++;
			continue;
		}
		race_count[OPS]++;
		if (sharedmem_lookup("churn", NULL, &id) == -1) {
			if (errno != ENOENT && errno != ESTALE)
				race_anomaly("lookup churn: %s", strerror(errno));
			continue;
		}
		/* Only the churner's: never anybody else's segment. */
		if (shmctl(id, IPC_STAT, &ds) == 0 &&
		    ds.shm_cpid == race_first &&
		    shmctl(id, IPC_RMID, NULL) == 0)
			race_count[FAULTS]++;
	}
}

/* gc over and over: what it removes must be stale. */
static void
collector(double until, void *arg)
{
	struct found f;

	(void)arg;
	while (clock_seconds() < until) {
		memset(&f, 0, sizeof(f));
		race_count[OPS]++;
		if (sharedmem_gc(0, gc_report, &f) == -1)
			race_anomaly("gc: %s", strerror(errno));
		if (f.bad != 0)
			race_anomaly("gc: found a bad key file, %s", f.bad_file);
		race_nap_us((long)(race_rnd() % 3000));
	}
}

static void
race_ipcrm(double seconds)
{
	static struct expect e = { "churn", -1, 0, ENOENT, ENOENT, -1 };
	static race_fn *const racers[] = {
		churner, wrecker, attacher, attacher, collector
	};
	void *const args[] = { NULL, NULL, &e, &e, NULL };
	long t[RACE_COUNTS];
	int bad, leaks;

	bad = race(racers, args, 5, seconds, t, &leaks);
	print_race("ipcrm and key file deletion", t, seconds);
	add_tally(t, seconds);
	leaks += files_left("victim");
	total_leaks += leaks;
	ok(bad == 0 && t[RACE_ANOMALIES] == 0 && t[RIGHT] > 0 && t[FAULTS] > 0,
	    "ipcrm and key file deletion racing create, attach, lookup, "
	    "unlink and gc: %ld anomalies", t[RACE_ANOMALIES]);
	ok(leaks == 0, "...leave nothing behind (%d found)", leaks);
	if (leaks != 0)
		renew_victim();
}

int
main(void)
{
	double total = behind_start(30);

	hv = create_marked("victim");
	test_ipcrm();
	test_keyfile_deleted();
	race_ipcrm(total * 0.3);
	dispose(hv);
	hv = NULL;
	return behind_end("removed");
}
