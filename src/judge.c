/*
 * judge.c - whether a key file leads to its name's own segment.
 *
 * The key directory is shared by every local user, and anyone may put a
 * file at a free name: nothing a key file says is believed on its word.
 * A record counts only as far as the kernel bears it out, and only for
 * objects that the key file's owner made:
 *
 *  - a version 2 record names its own name, and read under another name
 *    (a hard link) it is that other name's;
 *  - a record of another run of the system (boot.c) is stale, whatever
 *    sits at its key now;
 *  - its segment is the one at its key with its shmid, of its size, made
 *    by the key file's owner (shm_perm.cuid, which nobody can change);
 *  - its semaphore set is the one at its key with its semid, made by the
 *    key file's owner too, with at least the semaphores that the record
 *    numbers: a set grows only at its end, with semaphores that the fields
 *    of a later version describe, and which this version leaves alone.
 *
 * Where the caller may not read a segment's or a set's permissions, its
 * creator cannot be seen: the object is "hidden", and the caller acts on
 * it only as the key file's owner (keyfile.c says when).
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>
#include <sys/stat.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* EINVAL, EIDRM: the id names nothing any more. */
int
smi_ipc_gone(int err)
{
	return err == EINVAL || err == EIDRM;
}

#if defined(HAVE_STRUCT_IPC_PERM___KEY)
#define PERM_KEY(perm)	((perm).__key)
#elif defined(HAVE_STRUCT_IPC_PERM__KEY)
#define PERM_KEY(perm)	((perm)._key)
#elif defined(HAVE_STRUCT_IPC_PERM_KEY)
#define PERM_KEY(perm)	((perm).key)
#endif

/*
 * Fills *ds for the segment that rec records, if it is still at its key
 * with its id: returns the id, or -1 with errno ENOENT (gone, or another
 * sits at the key), EACCES (the caller may not look), or another.  Where
 * IPC_STAT tells a segment's key, that one call is all it takes.
 */
static int
segment_stat(const struct record *rec, struct shmid_ds *ds)
{
	int id;

#ifdef PERM_KEY
	if (shmctl(rec->shmid, IPC_STAT, ds) == 0)
		return PERM_KEY(ds->shm_perm) == rec->key ? rec->shmid :
		    smi_fail(ENOENT);
	if (smi_ipc_gone(errno))
		return smi_fail(ENOENT);
	if (errno != EACCES)
		return -1;
	/* Not to be looked at: whether it is at its key, shmget() says. */
#endif
	if ((id = shmget(rec->key, 0, 0)) == -1) {
		if (smi_ipc_gone(errno))
			errno = ENOENT;
		if (errno != EACCES)
			return -1;
		/* Refused at the key, as some systems do: the recorded id
		 * tells whether anything of it is left to see. */
		id = rec->shmid;
	} else if (id != rec->shmid)
		return smi_fail(ENOENT);
	if (shmctl(id, IPC_STAT, ds) == -1) {
		if (smi_ipc_gone(errno))
			errno = ENOENT;
		return -1;
	}
	return id;
}

/* The semaphores of the set that rec numbers: the lock and the counting
 * ones, and the lock's held semaphore where it names one. */
static unsigned long
set_size(const struct record *rec)
{
	return rec->held != -1 ? (unsigned long)rec->held + 1 :
	    (unsigned long)rec->nsems;
}

/* How the recorded set stands, for a record whose segment is judged. */
static int
judge_set(const struct keyfile *kf)
{
	const struct record *rec = &kf->rec;
	struct semid_ds ds;
	union semarg arg;

	if (rec->nsems == 0)
		return SET_NONE;
	switch (smi_semset_alive(rec->key, rec->semid)) {
	case 0:
		return SET_GONE;
	case -1:
		/* Refused at the key: whether the id is still there, its
		 * IPC_STAT says. */
		if (errno != EACCES)
			return -1;
		break;
	}
	arg.buf = &ds;
	if (semctl(rec->semid, 0, IPC_STAT, arg) == -1) {
		if (smi_ipc_gone(errno))
			return SET_GONE;
		return errno == EACCES ? SET_HIDDEN : -1;
	}
	if (ds.sem_perm.cuid != kf->owner ||
	    (unsigned long)ds.sem_nsems < set_size(rec))
		return SET_FOREIGN;
	return SET_OURS;
}

int
smi_judge(const struct keyfile *kf, const char *name, struct judgement *j)
{
	const struct record *rec = &kf->rec;
	struct shmid_ds ds;
	int set;

	j->creator = SHAREDMEM_NO_UID;
	j->set = SET_NONE;
	j->foreign = SHAREDMEM_NOT_FOREIGN;
	if (rec->version >= 2 && name != NULL && strcmp(rec->name, name) != 0) {
		j->state = SHAREDMEM_FOREIGN;
		j->foreign = SHAREDMEM_OTHER_NAME;
		return 0;
	}
	if (rec->version >= 2 && rec->boot[0] != '\0' &&
	    smi_boot_same(rec->boot) == 0) {
		j->state = SHAREDMEM_OTHER_BOOT;
		return 0;
	}
	if (rec->shmid == -1) {
		j->state = SHAREDMEM_GONE;
		goto set;
	}
	if (segment_stat(rec, &ds) == -1) {
		if (errno == ENOENT)
			j->state = SHAREDMEM_GONE;
		else if (errno == EACCES)
			j->state = SHAREDMEM_HIDDEN;
		else
			return -1;
		goto set;
	}
	j->creator = ds.shm_perm.cuid;
	if (ds.shm_perm.cuid != kf->owner)
		j->foreign = SHAREDMEM_OTHER_USER;
	else if ((unsigned long)ds.shm_segsz != rec->size)
		j->foreign = SHAREDMEM_OTHER_SIZE;
	if (j->foreign != SHAREDMEM_NOT_FOREIGN) {
		j->state = SHAREDMEM_FOREIGN;
		return 0;
	}
	j->state = SHAREDMEM_LIVE;
set:
	if ((set = judge_set(kf)) == -1)
		return -1;
	j->set = set;
	return 0;
}

/* The judgement of a key file whose segment and set are gone, or were
 * never made. */
void
smi_judge_gone(struct judgement *j)
{
	j->state = SHAREDMEM_GONE;
	j->creator = SHAREDMEM_NO_UID;
	j->foreign = SHAREDMEM_NOT_FOREIGN;
	j->set = SET_NONE;
}

int
smi_judge_stale(enum sharedmem_state state)
{
	return state == SHAREDMEM_GONE || state == SHAREDMEM_OTHER_BOOT ||
	    state == SHAREDMEM_FOREIGN;
}
