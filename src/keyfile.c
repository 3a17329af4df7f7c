/*
 * keyfile.c - the key-file protocol: how a name becomes a segment.
 *
 * Each name has a key file DIR/sharedmem.NAME in the key directory.  It
 * holds one line (record.c) with the System V key, shmid and size of the
 * name's segment, the pid of its creator, its semaphore set if it has
 * one, the identity of the run of the system it was made in (boot.c) and
 * the name itself:
 *
 *	sharedmem 2 key=0x5300a1b2 shmid=32769 size=1024 pid=4242 boot=BOOT name=NAME
 *	sharedmem 2 key=0x5300a1b2 shmid=32769 size=1024 pid=4242 semid=7 sems=3 held=3 boot=BOOT name=NAME
 *
 * The set.  Semaphore 0 is the lock, and the counting semaphores follow
 * it, sems in all; after them comes the lock's held semaphore, whose
 * number held gives (sync.c tells the lock).  A set grows only at its
 * end, so that no number moves: a set may be larger than its record
 * numbers, with semaphores that later fields describe and this version
 * leaves alone.  Sets made before the held semaphore have none, and
 * their lock works as it did, without word of a holder's death.  0.3
 * reads no record with held=, takes its file for no key file, and so
 * never attaches, changes or removes such a name, but in the race told
 * at the top of removal.c, where it removes what it takes that is no key
 * file.
 *
 * Programs of other releases and other languages read these lines, by the
 * rule that record.c keeps and sharedmem(7) gives them: fields found by
 * their names, those not known skipped, and a version that moves only
 * where a field changes its meaning.  The semaphore set keeps its layout
 * by the same rule: semaphore 0 is the lock, 1 to sems - 1 the counting
 * ones, and a semaphore added later comes after them, with a field of its
 * own; a reader that does not know the field leaves it alone.
 *
 * Trust.  The key directory is shared by every local user, and anyone may
 * put a file at a free name; only a file's owner (and root) may move or
 * remove it once it is there, which the sticky bit of /dev/shm and /tmp
 * ensures.  A key file is believed only as judge.c bears it out: its
 * segment must be at its key with its id and size, and made by the key
 * file's owner, in this run of the system.  A file that fails that is
 * stale - not that name's segment - and what it points to is never
 * attached, used or removed, whoever asks, root included.  Its semaphore
 * set must pass the same checks to be used or removed; one that fails
 * them leaves a live name without its lock.  Nothing here
 * takes a lock on a key file: anyone who may read a file may lock it too,
 * and so keep its owner waiting.
 *
 * Create.  A key file is never written where others can see it half done.
 * The creator
 *  1. makes a private file DIR/sharedmem+PID-XXXXXX with mkstemp(3)
 *     (O_EXCL: no symbolic link is followed), named after its pid so that
 *     anyone can tell whether its creator still runs;
 *  2. calls shmget(key, size, IPC_CREAT | IPC_EXCL | mode | 0600), with
 *     ftok(private file, KEY_PROJ) as the first key.  A key that is taken
 *     - ftok keys collide, and other programs make segments too - is
 *     skipped for the next one.  Before it tries any key but the first,
 *     it records that key in the private file with shmid -1, so that a
 *     crash right after shmget leaves a trail to the segment.  A segment
 *     with a lock or semaphores gets a semaphore set at the same key,
 *     semget(key, sems + 1, IPC_CREAT | IPC_EXCL | mode | 0600), its
 *     values set at once; a key that has a set already is skipped before
 *     its segment is made, and one whose set is taken meanwhile is given
 *     up, segment and all;
 *  3. attaches the segment, gives the segment and the set the mode asked
 *     for where it denies their owner what the attach needed (IPC_SET),
 *     faults the pages in if asked, and records the key, shmid, pid, the
 *     set's id, size and held semaphore, the run and the name;
 *  4. publishes the file under the name with renameat2(RENAME_NOREPLACE),
 *     or link(2) where the system or the file system has no such rename;
 *     both fail if the name exists: of concurrent creators exactly one
 *     succeeds.  A name found stale and the creator's to remove (removal.c)
 *     is removed and the publication tried again; a name found alive, or
 *     another user's, makes the creator undo steps 1 to 3 and fail with
 *     EEXIST;
 *  5. after link(2), removes the private name.
 * The creator keeps its key file open until it closes its handle: its
 * unlink knows the file without reading it again.
 * A key file under a name is therefore always complete, and its segment
 * whole: shmget makes a segment at its full size, zero-filled.  The key
 * lives in the record, not in the file's inode: attaching never calls
 * ftok, so names whose files collide in ftok cannot be mixed up.
 *
 * Attach.  The key file is opened without following symbolic links, and
 * must be a regular file that holds a valid record: a directory, a FIFO,
 * a socket or a device does not.  The segment is attached only if the
 * judgement finds it live; a stale name gives ENOENT, one whose segment
 * the caller may not look at EACCES, and nothing is changed.  A recorded
 * set is used only while it is the name's; one removed behind the
 * library's back leaves the segment usable, and its lock failing with
 * EIDRM.
 *
 * Removal.  Unlink removes the segment first, then its semaphore set,
 * which wakes its waiters with EIDRM, then its key file, and that only
 * while it records this segment.  Remove does the same by name, for a
 * live name of whoever may remove its segment, and unlink by id
 * (sharedmem_unlink_id) the same as remove, only while the name records
 * the segment of a handle closed before.  How a key file is taken from
 * its name and removed, whoever removes it, is told at the top of
 * removal.c.
 *
 * What it costs.  A create makes its private file (open), stats it for
 * ftok, makes and attaches the segment (shmget, shmat), writes the record
 * (pwrite) and publishes it (renameat2); the unlink of its handle removes
 * the segment (IPC_RMID), looks at the file it holds (fstat) and at the
 * name (lstat), takes the file (renameat2), checks what it took (lstat)
 * and removes it (unlink).  Each of those is needed for what is said
 * above.  Taken out, and why nothing is lost:
 *  - the empty private file that a remover renamed the key file over (an
 *    open and a close, and the freeing of that file by the rename): a
 *    rename with RENAME_NOREPLACE to a fresh name moves as exactly and
 *    replaces nothing; the one thing it may move that a rename onto a
 *    file would not, a directory put at the name in the moment, is dealt
 *    with as removal.c tells;
 *  - the clock read behind each private name drawn: the pid in the name
 *    keeps processes apart, and a counter the names of one process;
 *  - a second attach, with its judgement, to unlink a name whose handle
 *    was closed first, as Python programs do: unlink by id reads the key
 *    file once, as remove does, and removes the name only while it
 *    records that segment;
 *  - the open, read and close of /dev/urandom for a random name, where
 *    getentropy() gives the bytes in one call.
 *
 * Failure.  A create that fails after any step undoes every step before
 * it: detaches and removes its segment, removes its semaphore set and its
 * private file.  Attach and the judgement of a name change nothing.
 *
 * Crashes.  What a process killed at each step leaves, and how gc
 * clears it, is told at the top of gc.c.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define KEY_PROBES	4096	/* keys tried before giving up with ENOSPC */

/* The key file's permissions: its owner reads and writes it, and whoever
 * may use the segment may read it. */
static mode_t
keyfile_mode(mode_t mode)
{
	return S_IRUSR | S_IWUSR |
	    ((mode & (S_IRGRP | S_IWGRP)) ? S_IRGRP : 0) |
	    ((mode & (S_IROTH | S_IWOTH)) ? S_IROTH : 0);
}

/* Clears the name at path for a create: 0 if it is free now, -1 with
 * EEXIST if it is alive or another user's, or another errno. */
static int
clear_for_create(const char *path, const char *name)
{
	struct stat st;

	switch (smi_clear(path, name, CLEAR_REMOVABLE, NULL)) {
	case 1:
		return 0;
	case 0:
		return smi_fail(EEXIST);
	}
	if (errno == ENOENT)
		return 0;
	/* Another user's file that the caller may not read holds the name
	 * as surely as one it may. */
	if (errno == EACCES && lstat(path, &st) == 0 && st.st_uid != geteuid())
		errno = EEXIST;
	return -1;
}

/* Gives the segment id, and the set semid (-1: none), the mode asked for,
 * where the create needed more for its owner. */
static int
give_mode(int id, int semid, mode_t mode)
{
	struct shmid_ds ds;

	if ((mode & (S_IRUSR | S_IWUSR)) == (S_IRUSR | S_IWUSR))
		return 0;
	if (shmctl(id, IPC_STAT, &ds) == -1)
		return -1;
	ds.shm_perm.mode = mode;
	if (shmctl(id, IPC_SET, &ds) == -1)
		return -1;
	return semid == -1 ? 0 : smi_semset_mode(semid, mode);
}

/*
 * Creates the segment of step 2 for the private file fd at tmp, and its
 * semaphore set if opts asks for one.
 */
static int
make_segment(const char *tmp, int fd, const struct segopts *opts,
    struct record *rec, size_t *reclen)
{
	int shmflg = IPC_CREAT | IPC_EXCL | opts->shmflg | (int)opts->mode |
	    S_IRUSR | S_IWUSR;
	unsigned long probe;
	key_t first;
	int id, taken;

	if ((first = ftok(tmp, KEY_PROJ)) == (key_t)-1)
		return -1;
	for (probe = 0; probe < KEY_PROBES; probe++) {
		rec->key = smi_key_next(first, probe);
		rec->shmid = -1;
		/* The first key can be found again from the file itself. */
		if (probe > 0 && smi_record_write(fd, rec, reclen) == -1)
			return -1;
		/* A key with a set already is skipped before a segment is
		 * made there, so that the set a crash leaves at the key can
		 * only be this create's. */
		if (opts->nsems > 0) {
			if ((taken = smi_semset_taken(rec->key)) == -1)
				return -1;
			if (taken)
				continue;
		}
		if ((id = shmget(rec->key, opts->size, shmflg)) == -1) {
			if (errno != EEXIST)
				return -1;
			continue;
		}
		rec->shmid = id;
		if (opts->nsems == 0)
			return 0;
		rec->semid = smi_semset_create(rec->key, opts->nsems, opts->mode);
		if (rec->semid != -1) {
			rec->nsems = opts->nsems;
			rec->held = SEM_HELD(opts->nsems);
			return 0;
		}
		if (errno != EEXIST)
			return -1;
		/* Nobody knows of this segment: its removal cannot fail. */
		(void)shmctl(id, IPC_RMID, NULL);
		rec->shmid = -1;
	}
	return smi_fail(ENOSPC);
}

/* Publishes the private file tmp under path: steps 4 and 5. */
static int
publish(const char *tmp, const char *path, const char *name)
{
	int tries;

	for (tries = 0; tries < PUBLISH_TRIES; tries++) {
		if (smi_put_exclusive(tmp, path) == 0)
			return 0;
		if (errno != EEXIST || clear_for_create(path, name) == -1)
			return -1;
	}
	return smi_fail(EBUSY);
}

/*
 * Creates name, whose key file is path, as opts asks, and describes it in
 * *seg.
 */
int
smi_keyfile_create(const char *path, const char *name,
    const struct segopts *opts, struct segment *seg)
{
	struct record rec;
	const char *id;
	size_t reclen = 0;
	void *addr = (void *)-1;
	char *tmp;
	int fd, err;

	memset(&rec, 0, sizeof(rec));
	rec.version = 2;
	rec.pid = (long)getpid();
	rec.shmid = -1;
	rec.size = (unsigned long)opts->size;
	rec.semid = -1;
	rec.nsems = 0;
	rec.held = -1;
	/* Both fit: identities are at most BOOT_MAX bytes, and the name
	 * was checked. */
	id = smi_boot_identity(rec.boot);
	memmove(rec.boot, id, strlen(id) + 1);
	memcpy(rec.name, name, strlen(name) + 1);
	if ((tmp = smi_private_path(path, name, rec.pid)) == NULL)
		return -1;
	if ((fd = smi_private_make(tmp, keyfile_mode(opts->mode))) == -1) {
		smi_free_quietly(tmp);
		return -1;
	}
	if (make_segment(tmp, fd, opts, &rec, &reclen) == -1)
		goto fail;
	if ((addr = shmat(rec.shmid, NULL, opts->atflg)) == (void *)-1)
		goto fail;
	if (give_mode(rec.shmid, rec.semid, opts->mode) == -1)
		goto fail;
	if (opts->prefault && smi_pages_prefault(addr, opts->size,
	    !(opts->atflg & SHM_RDONLY)) == -1)
		goto fail;
	if (smi_record_write(fd, &rec, &reclen) == -1 ||
	    publish(tmp, path, name) == -1)
		goto fail;
	free(tmp);
	seg->addr = addr;
	seg->size = opts->size;
	seg->key = rec.key;
	seg->id = rec.shmid;
	seg->semid = rec.semid;
	seg->nsems = rec.nsems;
	seg->held = rec.held;
	seg->set_errno = EIDRM;
	seg->creator = geteuid();
	seg->fd = fd;
	return 0;
fail:
	err = errno;
	if (addr != (void *)-1)
		(void)shmdt(addr);
	if (rec.shmid != -1)
		(void)shmctl(rec.shmid, IPC_RMID, NULL);
	smi_semset_remove_id(rec.semid);
	(void)unlink(tmp);
	(void)close(fd);
	free(tmp);
	return smi_fail(err);
}

/* Attaches name, whose key file is path; see "Attach" above. */
int
smi_keyfile_attach(const char *path, const char *name,
    const struct segopts *opts, struct segment *seg)
{
	struct keyfile kf;
	struct judgement j;
	void *addr;
	int fd, err;

	if ((fd = smi_keyfile_load(path, name, &kf, &j)) == -1)
		return -1;
	(void)close(fd);	/* only read */
	if (j.state == SHAREDMEM_HIDDEN)
		return smi_fail(EACCES);
	if (j.state != SHAREDMEM_LIVE)
		return smi_fail(ENOENT);
	if ((addr = shmat(kf.rec.shmid, NULL, opts->atflg)) == (void *)-1) {
		if (smi_ipc_gone(errno))
			errno = ENOENT;
		return -1;
	}
	if (opts->prefault && smi_pages_prefault(addr, (size_t)kf.rec.size,
	    !(opts->atflg & SHM_RDONLY)) == -1) {
		err = errno;
		/* Just attached: shmdt() of it cannot fail. */
		(void)shmdt(addr);
		return smi_fail(err);
	}
	seg->addr = addr;
	seg->size = (size_t)kf.rec.size;
	seg->key = kf.rec.key;
	seg->id = kf.rec.shmid;
	/* A set removed behind the library's back: its users get EIDRM;
	 * one whose creator the caller may not see is not used either. */
	seg->semid = j.set == SET_OURS ? kf.rec.semid : -1;
	seg->set_errno = j.set == SET_HIDDEN ? EACCES : EIDRM;
	seg->nsems = kf.rec.nsems;
	seg->held = kf.rec.held;
	seg->creator = kf.owner;
	seg->fd = -1;
	return 0;
}

/*
 * Removes the segment seg, which the caller has attached, its semaphore
 * set, and then the key file at path if it still records seg.  ENOENT if
 * the name had been removed already.
 */
int
smi_keyfile_unlink(const char *path, const char *name,
    const struct segment *seg)
{
	struct keyfile kf;
	struct judgement j;
	int gone = 0, r;

	if (shmctl(seg->id, IPC_RMID, NULL) == -1) {
		/* Systems other than Linux refuse a second IPC_RMID. */
		if (!smi_ipc_gone(errno))
			return -1;
		gone = 1;
	}
	smi_semset_remove(seg->key, seg->semid);
	if (seg->fd != -1) {
		/* The creator's own key file, which it holds open: only
		 * whether the name still has it is left to see. */
		if (smi_keyfile_stat(seg->fd, &kf) == -1)
			return -1;
		smi_judge_gone(&j);
		/* Without a link it is at no name: removed already. */
		r = kf.nlink == 0 ? 0 : smi_discard(path, name, &kf, &j);
	} else if ((r = smi_clear(path, name, CLEAR_SEGMENT, seg)) == -1) {
		/* Nothing there that this handle's creator could have
		 * written: the name was removed already. */
		return errno == ENOENT || errno == EINVAL || errno == EACCES ?
		    smi_fail(ENOENT) : -1;
	}
	/* No key file of ours: whoever removed it unlinked the name first.
	 * One that could not be removed is stale, and blocks nothing. */
	if (gone || r == 0)
		return smi_fail(ENOENT);
	return 0;
}

/* Removes name, whose key file is path, and its segment; only while the
 * name records the segment shmid, unless shmid is -1. */
int
smi_keyfile_remove(const char *path, const char *name, int shmid)
{
	struct keyfile kf;
	struct judgement j;
	int fd, r, stale;

	if ((fd = smi_keyfile_load(path, name, &kf, &j)) == -1)
		return -1;
	if (shmid != -1 && kf.rec.shmid != shmid) {
		(void)close(fd);	/* only read */
		return smi_fail(ENOENT);
	}
	stale = smi_judge_stale(j.state);
	if (stale && !smi_may_remove(&kf)) {
		(void)close(fd);	/* only read */
		return smi_fail(EPERM);
	}
	if (j.state == SHAREDMEM_HIDDEN && kf.owner != geteuid()) {
		(void)close(fd);
		return smi_fail(EACCES);
	}
	if (!stale) {
		/* The kernel says who may: the segment's owner or creator. */
		if (shmctl(kf.rec.shmid, IPC_RMID, NULL) == -1) {
			if (!smi_ipc_gone(errno)) {
				smi_close_quietly(fd);
				return -1;
			}
			stale = 1;
			j.state = SHAREDMEM_GONE;
		} else {
			smi_set_remove_recorded(&kf, &j);
			j.set = SET_NONE;
		}
	}
	r = smi_may_remove(&kf) ? smi_discard(path, name, &kf, &j) : 0;
	smi_close_quietly(fd);
	if (!stale)
		return 0;	/* a key file left behind is stale: harmless */
	/* Only a stale name was there: say why it could not be cleared. */
	if (r == -1 && errno != ENOENT)
		return -1;
	return smi_fail(ENOENT);
}

/* Reads and judges the key file of name at path. */
int
smi_keyfile_inspect(const char *path, const char *name, struct keyfile *kf,
    struct judgement *j)
{
	int fd;

	if ((fd = smi_keyfile_load(path, name, kf, j)) == -1)
		return -1;
	(void)close(fd);	/* only read */
	return 0;
}
