/*
 * semset.c - the semaphore set that a segment may have under its key:
 * made whole before anyone can see it, recognised by key and id together,
 * removed only while it is still the one recorded.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdlib.h>

#include "internal.h"

/*
 * Makes the set of a segment with nsems semaphores, the lock included, at
 * key with permissions mode, and its owner's read and write so that it can
 * set them: the lock free, the counting semaphores at 0, and after them
 * the lock's held semaphore (SEM_HELD), at 0.  POSIX leaves the values of
 * a new set unspecified, so they are set here, before the set is recorded
 * anywhere; smi_semset_mode() takes the owner's access away again where
 * mode says so.  Returns its id, or -1 with errno (EEXIST: the key is
 * taken).
 */
int
smi_semset_create(key_t key, unsigned int nsems, mode_t mode)
{
	unsigned short values[SEMS_MAX + 1];
	union semarg arg;
	int i, id, err;

	if (nsems == 0 || nsems > SEMS_MAX)
		return smi_fail(EINVAL);
	id = semget(key, SEM_HELD(nsems) + 1, IPC_CREAT | IPC_EXCL |
	    (int)mode | S_IRUSR | S_IWUSR);
	if (id == -1)
		return -1;
	values[SEM_LOCK] = 1;
	for (i = SEM_FIRST; i <= SEM_HELD(nsems); i++)
		values[i] = 0;
	arg.array = values;
	if (semctl(id, 0, SETALL, arg) == -1) {
		err = errno;
		/* The set is ours and unused: its removal cannot fail but
		 * for a stranger's ipcrm, which removed it anyway. */
		smi_semset_remove_id(id);
		return smi_fail(err);
	}
	return id;
}

/* Gives the set semid the permissions mode. */
int
smi_semset_mode(int semid, mode_t mode)
{
	struct semid_ds ds;
	union semarg arg;

	arg.buf = &ds;
	if (semctl(semid, 0, IPC_STAT, arg) == -1)
		return -1;
	ds.sem_perm.mode = mode;
	return semctl(semid, 0, IPC_SET, arg);
}

/* Whether the set semid still sits at key: 1 yes, 0 no, -1 with errno
 * (EACCES: the caller may not look at the key). */
int
smi_semset_alive(key_t key, int semid)
{
	int id;

	if ((id = semget(key, 0, 0)) != -1)
		return id == semid;
	if (errno == ENOENT || smi_ipc_gone(errno))
		return 0;
	return -1;
}

/* Whether a set sits at key, one the caller may not look at included: 1
 * yes, 0 no, -1 with errno. */
int
smi_semset_taken(key_t key)
{
	if (semget(key, 0, 0) != -1 || errno == EACCES)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

/*
 * Removes the set semid (-1: none), which the caller made or found its
 * name's.  Sets are removed in this file alone; whatever fails here
 * leaves a set that nothing needs any more, which shows in ipcs -s.
 */
void
smi_semset_remove_id(int semid)
{
	if (semid != -1)
		(void)semctl(semid, 0, IPC_RMID);
}

/* Removes the set semid if it still sits at key: a set that ipcrm(1)
 * removed may have left its key to another program's. */
void
smi_semset_remove(key_t key, int semid)
{
	if (semid != -1 && smi_semset_alive(key, semid) == 1)
		smi_semset_remove_id(semid);
}

/*
 * Removes the set at key that a create killed between its semget() and
 * its record may have left: one of owner's that no process ever operated
 * on (sem_otime 0).  Returns 0, or -1 with errno.
 */
int
smi_semset_remove_unused(key_t key, uid_t owner)
{
	struct semid_ds ds;
	union semarg arg;
	int id;

	if ((id = semget(key, 0, 0)) == -1)
		return errno == ENOENT || errno == EACCES ? 0 : -1;
	arg.buf = &ds;
	if (semctl(id, 0, IPC_STAT, arg) == -1)
		return smi_ipc_gone(errno) ? 0 : -1;
	if (ds.sem_perm.cuid != owner || ds.sem_otime != 0)
		return 0;
	if (semctl(id, 0, IPC_RMID) == -1 && !smi_ipc_gone(errno))
		return -1;
	return 0;
}
