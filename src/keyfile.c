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
 *
 * Trust.  The key directory is shared by every local user, and anyone may
 * put a file at a free name; only a file's owner (and root) may move or
 * remove it once it is there, which the sticky bit of /dev/shm and /tmp
 * ensures.  A key file is believed only as judge.c bears it out: its
 * segment and its set must be at its key with its ids, and made by the
 * key file's owner, in this run of the system.  A file that fails that is
 * stale - not that name's segment - and what it points to is never
 * attached, used or removed, whoever asks, root included.  Nothing here
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
 *     semget(key, n, IPC_CREAT | IPC_EXCL | mode | 0600), its values set
 *     at once; a key that has a set already is skipped before its segment
 *     is made, and one whose set is taken meanwhile is given up, segment
 *     and all;
 *  3. attaches the segment (and faults its pages in, if asked), gives the
 *     segment and the set the mode asked for where it denies their owner
 *     what the attach needed (IPC_SET), and records the key, shmid, pid,
 *     the set's id and size, the run and the name;
 *  4. publishes the file under the name with renameat2(RENAME_NOREPLACE),
 *     or link(2) where the system or the file system has no such rename;
 *     both fail if the name exists: of concurrent creators exactly one
 *     succeeds.  A name found stale and the creator's to remove (below)
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
 * Removal.  Whoever removes a key file - a creator clearing a stale name,
 * unlink, remove, gc - judges the file it holds open, which pins its
 * inode, and then takes it: renames it over an empty private file of its
 * own, the one step that moves exactly the file at the name - never a
 * directory, which a rename onto a file refuses - and nothing else.  A
 * rename needs no lock, and only the file's owner or root can make it.  The file taken is checked to be the one
 * judged (device and inode); it then goes, after what it records that is
 * still to remove.  If the file judged was replaced in the moment before
 * the rename - taken by another remover, and the name made anew - the
 * file taken instead is judged in its turn: a stale one goes too, and so
 * does one that is no key file at all, as it would have gone had it come
 * a moment sooner; a live one is put back at the name as a create
 * publishes its file.
 * Should yet another create have published the name in that moment, the
 * file taken cannot go back; its segment is removed, as a remove would
 * have done.  Unlink removes the segment first, then its semaphore set,
 * which wakes its waiters with EIDRM, then its key file, and that only
 * while it records this segment.  Remove does the same by name, for a
 * live name of whoever may remove its segment.  Whoever removes a stale
 * name removes the set it records as well, if the set is still the
 * name's.  Other users' stale files are never removed but by root, and
 * never by gc.
 *
 * Failure.  A create that fails after any step undoes every step before
 * it: detaches and removes its segment, removes its private file.  Attach
 * and the judgement of a name change nothing.
 *
 * Crashes.  A creator killed before step 4 leaves its private file and,
 * after step 2, a segment: at the key the file records, or, when it
 * records none, at ftok(private file, KEY_PROJ), with the pid of the
 * file's name as its creating process (shm_cpid) and the file's owner as
 * its creator (shm_perm.cuid).  A semaphore set it made is at the same
 * key, its owner's, and never operated on (sem_otime 0): keys with a set
 * are skipped before the segment is made, so only a set made by another
 * program in the moment between that check and the creator's semget could
 * be taken for it.  Killed after step 4, it leaves a complete name whose
 * segment lives on, as System V segments do until they are removed, and,
 * if it published by link(2) and did not reach step 5, its private file
 * as a second name of the key file.  A remover killed after its rename
 * leaves the taken file under its own private name: gc finishes the
 * removal, the segment and the set it records included.  None of this
 * blocks the name for long: the next create or gc of the file's owner
 * clears it.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#if !HAVE_DECL_O_CLOEXEC
#define O_CLOEXEC 0
#endif
#if !HAVE_DECL_O_NOFOLLOW
#define O_NOFOLLOW 0
#endif

#define KEY_PROBES	4096	/* keys tried before giving up with ENOSPC */
#define PUBLISH_TRIES	8	/* rounds against removers of stale names */

/* O_NONBLOCK: a FIFO planted as a key file must not block the open. */
#define KEYFILE_OPEN	(O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)

/* Closes fd keeping errno: for error paths, and for files only read. */
static void
close_quietly(int fd)
{
	int saved = errno;

	(void)close(fd);
	errno = saved;
}

/* Frees p keeping errno. */
static void
free_quietly(void *p)
{
	int saved = errno;

	free(p);
	errno = saved;
}

/* Whether errno says that an id names nothing any more. */
static int
id_gone(void)
{
	return errno == EINVAL || errno == EIDRM;
}

/* Whether the caller may move or remove the key file kf. */
static int
may_remove(const struct keyfile *kf)
{
	uid_t me = geteuid();

	return me == 0 || me == kf->owner;
}

/*
 * Opens the file at path for reading.  A symbolic link, and anything that
 * cannot hold a record (a directory, a socket), is refused with EINVAL;
 * other kinds of file show when their record is read.
 */
static int
open_keyfile(const char *path)
{
	struct stat lst, st;
	int fd;

	if ((fd = open(path, KEYFILE_OPEN)) == -1) {
		/* A symbolic link met by O_NOFOLLOW, or a socket. */
		if (errno == ELOOP || errno == EMLINK || errno == ENXIO ||
		    errno == EOPNOTSUPP
#ifdef EFTYPE
		    || errno == EFTYPE
#endif
		    )
			errno = EINVAL;
		return -1;
	}
	if (O_NOFOLLOW == 0) {
		/* Without O_NOFOLLOW a link was followed: see if path is one. */
		if (lstat(path, &lst) == -1 || fstat(fd, &st) == -1)
			goto fail;
		if (!S_ISREG(lst.st_mode) || lst.st_ino != st.st_ino ||
		    lst.st_dev != st.st_dev) {
			errno = EINVAL;
			goto fail;
		}
	}
	return fd;
fail:
	close_quietly(fd);
	return -1;
}

/* Reads the record of fd, a regular file; EINVAL if it holds none. */
static int
read_record(int fd, struct record *rec)
{
	char buf[RECORD_MAX + 1];
	size_t len = 0;
	ssize_t n;

	/* A short read of a regular file is its end: stop there. */
	do {
		n = pread(fd, buf + len, sizeof(buf) - len, (off_t)len);
		if (n == -1 && errno != EINTR)
			return -1;
		if (n > 0)
			len += (size_t)n;
	} while (n == -1);
	if (record_parse(buf, len, rec) == -1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Reads the key file fd into *kf; EINVAL for anything but a regular file
 * holding a record. */
static int
read_keyfile(int fd, struct keyfile *kf)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	kf->owner = st.st_uid;
	kf->dev = st.st_dev;
	kf->ino = st.st_ino;
	kf->nlink = st.st_nlink;
	return read_record(fd, &kf->rec);
}

/* Opens, reads and judges the key file at path for name; returns the
 * open file, which pins its inode, or -1 with errno. */
static int
load(const char *path, const char *name, struct keyfile *kf,
    struct judgement *j)
{
	int fd;

	if ((fd = open_keyfile(path)) == -1)
		return -1;
	if (read_keyfile(fd, kf) == -1 || judge(kf, name, j) == -1) {
		close_quietly(fd);
		return -1;
	}
	return fd;
}

/* Whether st is the file kf was read from. */
static int
same_file(const struct stat *st, const struct keyfile *kf)
{
	return st->st_dev == kf->dev && st->st_ino == kf->ino;
}

/*
 * Writes rec over the record of fd; *len holds the length of what is
 * there, so that a shorter record can cut it.
 */
static int
write_record(int fd, const struct record *rec, size_t *len)
{
	char buf[RECORD_MAX];
	ssize_t n;
	int want;

	if ((want = record_format(buf, sizeof(buf), rec)) == -1) {
		errno = EOVERFLOW;
		return -1;
	}
	if ((n = pwrite(fd, buf, (size_t)want, 0)) != want) {
		if (n >= 0)
			errno = ENOSPC;
		return -1;
	}
	if ((size_t)want < *len && ftruncate(fd, (off_t)want) == -1)
		return -1;
	*len = (size_t)want;
	return 0;
}

/* The key file's permissions: its owner reads and writes it, and whoever
 * may use the segment may read it. */
static mode_t
keyfile_mode(mode_t mode)
{
	return S_IRUSR | S_IWUSR |
	    ((mode & (S_IRGRP | S_IWGRP)) ? S_IRGRP : 0) |
	    ((mode & (S_IROTH | S_IWOTH)) ? S_IROTH : 0);
}

/* Makes a private file from the template tmp, of mode; returns it open. */
static int
make_private(char *tmp, mode_t mode)
{
	int fd;

#if HAVE_MKOSTEMP
	fd = mkostemp(tmp, O_CLOEXEC);
#else
	fd = mkstemp(tmp);
#endif
	if (fd == -1)
		return -1;
#if !HAVE_MKOSTEMP && defined(FD_CLOEXEC)
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		goto fail;
#endif
	/* mkstemp made it 0600, which needs no change. */
	if (mode != (S_IRUSR | S_IWUSR) && fchmod(fd, mode) == -1)
		goto fail;
	return fd;
fail:
	close_quietly(fd);
	(void)unlink(tmp);
	return -1;
}

/*
 * Renames from to to unless to exists (EEXIST), in one step: ENOTSUP
 * where the system or the file system has no such rename.
 */
static int
rename_exclusive(const char *from, const char *to)
{
#if defined(HAVE_RENAMEAT2) && HAVE_DECL_RENAME_NOREPLACE
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	/* EINVAL: a file system without it; ENOSYS: a kernel without. */
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#else
	(void)from;
	(void)to;
#endif
	return errno = ENOTSUP, -1;
}

/* Moves the file at tmp to path unless path exists (EEXIST). */
static int
put_exclusive(const char *tmp, const char *path)
{
	if (rename_exclusive(tmp, path) == 0)
		return 0;
	if (errno != ENOTSUP || link(tmp, path) == -1)
		return -1;
	/* A second name of a file whose first is out: harmless if it
	 * stays. */
	(void)unlink(tmp);
	return 0;
}

/* Removes the semaphore set that the judgement j of kf finds the name's:
 * one the caller may see is checked to be the owner's; one hidden from
 * the caller goes only at its owner's request, which the kernel checks. */
static void
remove_recorded_set(const struct keyfile *kf, const struct judgement *j)
{
	if (j->set == SET_OURS ||
	    (j->set == SET_HIDDEN && kf->owner == geteuid()))
		(void)semctl(kf->rec.semid, 0, IPC_RMID);
}

/* Removes what the judgement j of the stale or removed key file kf finds
 * left of its name: its set, if it was removed behind the library's back
 * and the set is still there.  Records of another run or another user's
 * segment lead to nothing of the name's. */
static void
remove_leftovers(const struct keyfile *kf, const struct judgement *j)
{
	if (j->state == SHAREDMEM_GONE)
		remove_recorded_set(kf, j);
}

/*
 * The file at tmp, which this process took from path expecting another,
 * goes if it is stale and the caller's to remove, or if it is no key file
 * at all, as it would have gone had it been put at the name a moment
 * before the check; a live one goes back to path.  If it cannot go back
 * - path was published again meanwhile - what it leads to goes with it,
 * as by a remove of the name.  Returns 0, or -1 with errno.
 */
static int
settle(const char *path, const char *name, const char *tmp)
{
	struct keyfile kf;
	struct judgement j;
	int fd, err;

	/* No key file: it goes, and a directory, which this process must
	 * not remove, goes back. */
	if ((fd = load(tmp, name, &kf, &j)) == -1) {
		if (unlink(tmp) == 0)
			return 0;
		if (errno != EISDIR && errno != EPERM)
			return -1;
		return put_exclusive(tmp, path) == -1 && errno != EEXIST ?
		    -1 : 0;
	}
	(void)close(fd);	/* only read */
	if (judge_stale(j.state) && may_remove(&kf)) {
		remove_leftovers(&kf, &j);
		return unlink(tmp);
	}
	if (put_exclusive(tmp, path) == 0)
		return 0;
	err = errno;
	if (!judge_stale(j.state) && may_remove(&kf) &&
	    (shmctl(kf.rec.shmid, IPC_RMID, NULL) == 0 || id_gone()))
		remove_recorded_set(&kf, &j);
	(void)unlink(tmp);
	errno = err;
	return err == EEXIST ? 0 : -1;
}

/*
 * Renames path over a fresh private file of this process at tmp, a
 * template of private_path(): 0, or -1 with errno (ENOENT: path is gone;
 * EISDIR: a directory is there, which a rename onto a file never moves).
 * Where the key directory has no room for one more file, the rename goes
 * to a fresh private name instead, which needs none: a full key directory
 * must still let names go.
 */
static int
move_away(const char *path, char *tmp)
{
	struct stat st;
	int fd, saved, tries;

	if ((fd = make_private(tmp, S_IRUSR | S_IWUSR)) != -1) {
		(void)close(fd);	/* empty */
		if (rename(path, tmp) == 0)
			return 0;
		saved = errno;
		(void)unlink(tmp);
		errno = saved;
		return -1;
	}
	if (errno != ENOSPC
#ifdef EDQUOT
	    && errno != EDQUOT
#endif
	    )
		return -1;
	for (tries = 0; tries < PUBLISH_TRIES; tries++) {
		private_draw(tmp);
		if (rename_exclusive(path, tmp) == 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	if (errno != ENOTSUP)
		return -1;
	/* No rename that refuses to replace: a name that nothing has, as
	 * far as can be seen, of this process's own. */
	private_draw(tmp);
	if (lstat(tmp, &st) == 0)
		return errno = EEXIST, -1;
	return rename(path, tmp);
}

/*
 * Takes the key file kf, held open by the caller, from path: renames it
 * to a private name of this process, which *tmp gets in new memory.
 * Returns 1 if the file is there now, 0 if path holds it no more, -1 with
 * errno.
 */
static int
take(const char *path, const char *name, const struct keyfile *kf,
    char **tmp)
{
	struct stat st;
	char *q;
	int r;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!same_file(&st, kf))
		return 0;
	if ((q = private_path(path, name, (long)getpid())) == NULL)
		return -1;
	if (move_away(path, q) == -1) {
		/* Gone meanwhile, or a directory put there since. */
		r = errno == ENOENT || errno == EISDIR || errno == ENOTDIR ?
		    0 : -1;
		free_quietly(q);
		return r;
	}
	if (lstat(q, &st) == 0 && same_file(&st, kf)) {
		*tmp = q;
		return 1;
	}
	/* Another file was put at the name in the moment before. */
	r = settle(path, name, q) == -1 ? -1 : 0;
	free_quietly(q);
	return r;
}

/*
 * Removes the key file kf, held open, from path, after what its judgement
 * j finds left of its name.  Returns 1 if it removed it, 0 if path holds
 * it no more, -1 with errno.
 */
static int
discard(const char *path, const char *name, const struct keyfile *kf,
    const struct judgement *j)
{
	char *tmp;
	int r;

	if ((r = take(path, name, kf, &tmp)) != 1)
		return r;
	/* Taken: now nobody else can find it, and a crash leaves it to gc
	 * under this process's name. */
	remove_leftovers(kf, j);
	r = unlink(tmp) == 0 ? 1 : -1;
	free_quietly(tmp);
	return r;
}

/* Clears the name at path for a create: 0 if it is free now, -1 with
 * EEXIST if it is alive or another user's, or another errno. */
static int
clear_for_create(const char *path, const char *name)
{
	struct keyfile kf;
	struct judgement j;
	struct stat st;
	int fd, r;

	if ((fd = load(path, name, &kf, &j)) == -1) {
		if (errno == ENOENT)
			return 0;
		/* Another user's file that the caller may not read holds
		 * the name as surely as one it may. */
		if (errno == EACCES && lstat(path, &st) == 0 &&
		    st.st_uid != geteuid())
			errno = EEXIST;
		return -1;
	}
	if (!judge_stale(j.state) || !may_remove(&kf)) {
		(void)close(fd);	/* only read */
		errno = EEXIST;
		return -1;
	}
	r = discard(path, name, &kf, &j);
	close_quietly(fd);
	return r == -1 ? -1 : 0;
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
	return semid == -1 ? 0 : semset_mode(semid, mode);
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
	int id;

	if ((first = ftok(tmp, KEY_PROJ)) == (key_t)-1)
		return -1;
	for (probe = 0; probe < KEY_PROBES; probe++) {
		rec->key = key_next(first, probe);
		rec->shmid = -1;
		/* The first key can be found again from the file itself. */
		if (probe > 0 && write_record(fd, rec, reclen) == -1)
			return -1;
		/* A key with a set already is skipped before a segment is
		 * made there, so that the set a crash leaves at the key can
		 * only be this create's. */
		if (opts->nsems > 0) {
			if (semget(rec->key, 0, 0) != -1 || errno == EACCES)
				continue;
			if (errno != ENOENT)
				return -1;
		}
		if ((id = shmget(rec->key, opts->size, shmflg)) == -1) {
			if (errno != EEXIST)
				return -1;
			continue;
		}
		rec->shmid = id;
		if (opts->nsems == 0)
			return 0;
		rec->semid = semset_create(rec->key, opts->nsems, opts->mode);
		if (rec->semid != -1) {
			rec->nsems = opts->nsems;
			return 0;
		}
		if (errno != EEXIST)
			return -1;
		/* Nobody knows of this segment: its removal cannot fail. */
		(void)shmctl(id, IPC_RMID, NULL);
		rec->shmid = -1;
	}
	errno = ENOSPC;
	return -1;
}

/* Publishes the private file tmp under path: steps 4 and 5. */
static int
publish(const char *tmp, const char *path, const char *name)
{
	int tries;

	for (tries = 0; tries < PUBLISH_TRIES; tries++) {
		if (put_exclusive(tmp, path) == 0)
			return 0;
		if (errno != EEXIST || clear_for_create(path, name) == -1)
			return -1;
	}
	errno = EBUSY;
	return -1;
}

/*
 * Creates name, whose key file is path, as opts asks, and describes it in
 * *seg.
 */
int
keyfile_create(const char *path, const char *name, const struct segopts *opts,
    struct segment *seg)
{
	struct record rec;
	char boot[BOOT_MAX + 1];
	size_t reclen = 0;
	void *addr = (void *)-1;
	char *tmp;
	int fd;

	memset(&rec, 0, sizeof(rec));
	rec.version = 2;
	rec.pid = (long)getpid();
	rec.shmid = -1;
	rec.size = (unsigned long)opts->size;
	rec.semid = -1;
	rec.nsems = 0;
	(void)snprintf(rec.boot, sizeof(rec.boot), "%s", boot_identity(boot));
	(void)snprintf(rec.name, sizeof(rec.name), "%s", name);
	if ((tmp = private_path(path, name, rec.pid)) == NULL)
		return -1;
	if ((fd = make_private(tmp, keyfile_mode(opts->mode))) == -1) {
		free_quietly(tmp);
		return -1;
	}
	if (make_segment(tmp, fd, opts, &rec, &reclen) == -1)
		goto fail;
	if ((addr = shmat(rec.shmid, NULL, opts->atflg)) == (void *)-1)
		goto fail;
	if (give_mode(rec.shmid, rec.semid, opts->mode) == -1)
		goto fail;
	if (opts->prefault && pages_prefault(addr, opts->size,
	    !(opts->atflg & SHM_RDONLY)) == -1)
		goto fail;
	if (write_record(fd, &rec, &reclen) == -1 ||
	    publish(tmp, path, name) == -1)
		goto fail;
	free(tmp);
	seg->addr = addr;
	seg->size = opts->size;
	seg->key = rec.key;
	seg->id = rec.shmid;
	seg->semid = rec.semid;
	seg->nsems = rec.nsems;
	seg->creator = geteuid();
	seg->fd = fd;
	return 0;
fail:
	{
		int saved = errno;

		if (addr != (void *)-1)
			(void)shmdt(addr);
		if (rec.shmid != -1)
			(void)shmctl(rec.shmid, IPC_RMID, NULL);
		if (rec.semid != -1)
			(void)semctl(rec.semid, 0, IPC_RMID);
		(void)unlink(tmp);
		(void)close(fd);
		free(tmp);
		errno = saved;
	}
	return -1;
}

/* Attaches name, whose key file is path; see "Attach" above. */
int
keyfile_attach(const char *path, const char *name, const struct segopts *opts,
    struct segment *seg)
{
	struct keyfile kf;
	struct judgement j;
	void *addr;
	int fd, err;

	if ((fd = load(path, name, &kf, &j)) == -1)
		return -1;
	(void)close(fd);	/* only read */
	if (j.state == SHAREDMEM_HIDDEN)
		return errno = EACCES, -1;
	if (j.state != SHAREDMEM_LIVE)
		return errno = ENOENT, -1;
	if ((addr = shmat(kf.rec.shmid, NULL, opts->atflg)) == (void *)-1) {
		if (id_gone())
			errno = ENOENT;
		return -1;
	}
	if (opts->prefault && pages_prefault(addr, (size_t)kf.rec.size,
	    !(opts->atflg & SHM_RDONLY)) == -1) {
		err = errno;
		/* Just attached: shmdt() of it cannot fail. */
		(void)shmdt(addr);
		return errno = err, -1;
	}
	seg->addr = addr;
	seg->size = (size_t)kf.rec.size;
	seg->key = kf.rec.key;
	seg->id = kf.rec.shmid;
	/* A set removed behind the library's back: its users get EIDRM. */
	seg->semid = j.set == SET_OURS ? kf.rec.semid : -1;
	seg->nsems = kf.rec.nsems;
	seg->creator = kf.owner;
	seg->fd = -1;
	return 0;
}

/* Describes the creator's key file fd, whose segment and set are gone
 * now, for its removal. */
static int
kept_keyfile(int fd, struct keyfile *kf, struct judgement *j)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return -1;
	memset(kf, 0, sizeof(*kf));
	kf->owner = st.st_uid;
	kf->dev = st.st_dev;
	kf->ino = st.st_ino;
	kf->nlink = st.st_nlink;
	j->state = SHAREDMEM_GONE;
	j->creator = NO_UID;
	j->set = SET_NONE;
	return 0;
}

/*
 * Removes the segment seg, which the caller has attached, its semaphore
 * set, and then the key file at path if it still records seg.  ENOENT if
 * the name had been removed already.
 */
int
keyfile_unlink(const char *path, const char *name, const struct segment *seg)
{
	struct keyfile kf;
	struct judgement j;
	int gone = 0, fd, r;

	if (shmctl(seg->id, IPC_RMID, NULL) == -1) {
		/* Systems other than Linux refuse a second IPC_RMID. */
		if (!id_gone())
			return -1;
		gone = 1;
	}
	semset_remove(seg->key, seg->semid);
	if (seg->fd != -1) {
		/* The creator's own key file, which it holds open: only
		 * whether the name still has it is left to see. */
		if (kept_keyfile(seg->fd, &kf, &j) == -1)
			return -1;
		r = discard(path, name, &kf, &j);
	} else {
		if ((fd = load(path, name, &kf, &j)) == -1)
			return errno == ENOENT || errno == EINVAL ?
			    (errno = ENOENT, -1) : -1;
		/* Ours only if it records this very segment, of this run,
		 * made by the key file's owner; the segment is gone, so it
		 * is stale. */
		r = 0;
		if (kf.rec.key == seg->key && kf.rec.shmid == seg->id &&
		    kf.owner == seg->creator &&
		    j.state != SHAREDMEM_OTHER_BOOT &&
		    j.state != SHAREDMEM_FOREIGN)
			r = discard(path, name, &kf, &j);
		close_quietly(fd);
	}
	/* No key file of ours: whoever removed it unlinked the name first.
	 * One that could not be removed is stale, and blocks nothing. */
	if (gone || r == 0)
		return errno = ENOENT, -1;
	return 0;
}

/* Removes name, whose key file is path, and its segment. */
int
keyfile_remove(const char *path, const char *name)
{
	struct keyfile kf;
	struct judgement j;
	int fd, r, stale;

	if ((fd = load(path, name, &kf, &j)) == -1)
		return -1;
	stale = judge_stale(j.state);
	if (stale && !may_remove(&kf)) {
		(void)close(fd);	/* only read */
		return errno = EPERM, -1;
	}
	if (j.state == SHAREDMEM_HIDDEN && kf.owner != geteuid()) {
		(void)close(fd);
		return errno = EACCES, -1;
	}
	if (!stale) {
		/* The kernel says who may: the segment's owner or creator. */
		if (shmctl(kf.rec.shmid, IPC_RMID, NULL) == -1) {
			if (!id_gone()) {
				close_quietly(fd);
				return -1;
			}
			stale = 1;
			j.state = SHAREDMEM_GONE;
		} else {
			remove_recorded_set(&kf, &j);
			j.set = SET_NONE;
		}
	}
	r = may_remove(&kf) ? discard(path, name, &kf, &j) : 0;
	close_quietly(fd);
	if (!stale)
		return 0;	/* a key file left behind is stale: harmless */
	/* Only a stale name was there: say why it could not be cleared. */
	if (r == -1 && errno != ENOENT)
		return -1;
	return errno = ENOENT, -1;
}

/* Reads and judges the key file of name at path. */
int
keyfile_inspect(const char *path, const char *name, struct keyfile *kf,
    struct judgement *j)
{
	int fd;

	if ((fd = load(path, name, kf, j)) == -1)
		return -1;
	(void)close(fd);	/* only read */
	return 0;
}

/* Removes the key file of name at path if it is stale and the caller's:
 * 1 removed, 0 kept, -1 with errno. */
int
keyfile_clear(const char *path, const char *name)
{
	struct keyfile kf;
	struct judgement j;
	int fd, r;

	if ((fd = load(path, name, &kf, &j)) == -1)
		return -1;
	r = 0;
	if (judge_stale(j.state) && kf.owner == geteuid())
		r = discard(path, name, &kf, &j);
	close_quietly(fd);
	return r;
}

/*
 * The segment that the private file kf at path, of a process pid that
 * died, may have left (see "Crashes" above); -1 if there is none.
 */
static int
unfinished_segment(const char *path, long pid, struct keyfile *kf,
    struct judgement *j)
{
	struct shmid_ds ds;
	int id;

	if (kf->nlink > 1)
		return -1;	/* published: its segment is the name's */
	if (kf->rec.shmid != -1)
		return j->state == SHAREDMEM_LIVE ||
		    (j->state == SHAREDMEM_HIDDEN && kf->owner == geteuid()) ?
		    kf->rec.shmid : -1;
	if (j->state == SHAREDMEM_OTHER_BOOT)
		return -1;
	if (kf->rec.version == 0 &&
	    (kf->rec.key = ftok(path, KEY_PROJ)) == (key_t)-1)
		return -1;
	/* Only the first key is unrecorded: the segment there is ours if
	 * the dead creator made it. */
	if ((id = shmget(kf->rec.key, 0, 0)) == -1 ||
	    shmctl(id, IPC_STAT, &ds) == -1 || (long)ds.shm_cpid != pid ||
	    ds.shm_perm.cuid != kf->owner)
		return -1;
	return id;
}

/*
 * Removes the semaphore set that a create killed between semget() and
 * recording it may have left at key: the owner's, and never used.
 */
static int
remove_unrecorded_set(key_t key, uid_t owner)
{
	struct semid_ds ds;
	union semarg arg;
	int id;

	if ((id = semget(key, 0, 0)) == -1)
		return errno == ENOENT || errno == EACCES ? 0 : -1;
	arg.buf = &ds;
	if (semctl(id, 0, IPC_STAT, arg) == -1)
		return id_gone() ? 0 : -1;
	if (ds.sem_perm.cuid != owner || ds.sem_otime != 0)
		return 0;
	if (semctl(id, 0, IPC_RMID) == -1 && !id_gone())
		return -1;
	return 0;
}

/*
 * Removes the private file at path of a process pid that died - a create
 * or a remover - and the segment it leaves, which *shmid gets (-1:
 * none).  With dryrun, only finds them.  Returns 0, or -1 with errno.
 */
int
keyfile_reap(const char *path, long pid, int dryrun, int *shmid)
{
	struct keyfile kf;
	struct judgement j;
	struct stat st;
	int fd;

	*shmid = -1;
	if ((fd = open_keyfile(path)) == -1)
		return -1;
	if (fstat(fd, &st) == -1) {
		close_quietly(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		(void)close(fd);
		return errno = EINVAL, -1;
	}
	if (st.st_size == 0) {
		/* Made, and nothing written yet. */
		memset(&kf, 0, sizeof(kf));
		kf.owner = st.st_uid;
		kf.nlink = st.st_nlink;
		kf.rec.shmid = -1;
		j.state = SHAREDMEM_GONE;
		j.set = SET_NONE;
	} else if (read_keyfile(fd, &kf) == -1 || judge(&kf, NULL, &j) == -1) {
		close_quietly(fd);
		return -1;
	}
	(void)close(fd);	/* only read */
	*shmid = unfinished_segment(path, pid, &kf, &j);
	if (dryrun)
		return 0;
	if (*shmid != -1 && kf.nlink == 1) {
		if (shmctl(*shmid, IPC_RMID, NULL) == -1 && !id_gone())
			return -1;
		if (kf.rec.nsems > 0)
			remove_recorded_set(&kf, &j);
		else if (remove_unrecorded_set(kf.rec.key, kf.owner) == -1)
			return -1;
	} else if (kf.nlink == 1)
		remove_leftovers(&kf, &j);
	return unlink(path);
}
