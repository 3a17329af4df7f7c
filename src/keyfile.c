/*
 * keyfile.c - the key-file protocol: how a name becomes a segment.
 *
 * Each name has a key file DIR/sharedmem.NAME in the key directory.  It
 * holds one line (record.c) with the System V key, shmid and size of the
 * name's segment and the pid of its creator:
 *
 *	sharedmem 1 key=0x5300a1b2 shmid=32769 size=1024 pid=4242
 *
 * Create.  A key file is never written where others can see it half done.
 * The creator
 *  1. makes a private file DIR/sharedmem+PID-XXXXXX with mkstemp(3)
 *     (O_EXCL: no symbolic link is followed), named after its pid so that
 *     anyone can tell whether its creator still runs;
 *  2. calls shmget(key, size, IPC_CREAT | IPC_EXCL | mode), with
 *     ftok(private file, KEY_PROJ) as the first key.  A key that is taken
 *     - ftok keys collide, and other programs make segments too - is
 *     skipped for the next one.  Before it tries any key but the first,
 *     it records that key in the private file with shmid -1, so that a
 *     crash right after shmget leaves a trail to the segment.  A segment
 *     with a lock or semaphores gets a semaphore set at the same key,
 *     semget(key, n, IPC_CREAT | IPC_EXCL | mode), its values set at
 *     once; a key that has a set already is skipped before its segment
 *     is made, and one whose set is taken meanwhile is given up, segment
 *     and all;
 *  3. attaches the segment (and faults its pages in, if asked), and
 *     records its key, shmid and pid, and the set's id and size;
 *  4. publishes the file under the name with link(2), which fails if the
 *     name exists: of concurrent creators exactly one succeeds.  A name
 *     found stale (below) is removed and the link tried again; a name
 *     found alive makes the creator undo steps 1 to 3 and fail with EEXIST;
 *  5. removes the private name.
 * A key file under a name is therefore always complete, and its segment
 * whole: shmget makes a segment at its full size, zero-filled.  The key
 * lives in the record, not in the file's inode: attaching never calls
 * ftok, so names whose files collide in ftok cannot be mixed up.
 *
 * Attach.  The key file is opened without following symbolic links, and
 * must hold a valid record: a directory, a FIFO or a device does not.  The
 * segment is attached only if shmget(key, 0, 0) still yields the recorded
 * shmid, at the recorded size: a segment removed by ipcrm(1) or a reboot,
 * or replaced by another at the same key, gives ENOENT; no wrong segment
 * is attached, and nothing is removed.  (Ids start again after a reboot,
 * so key and shmid alone could match a newcomer; its size as well hardly
 * can.  The creator's pid is no check: another pid namespace sees another
 * number for it.)  A recorded semaphore set is used only while
 * semget(key, 0, 0) yields its id; one removed behind the library's back
 * leaves the segment usable, and its lock failing with EIDRM.
 *
 * Stale names.  A key file whose segment is gone blocks nothing.  Whoever
 * removes a key file - a creator clearing a stale name, unlink, remove -
 * opens it for writing, takes its write lock, judges the record of the
 * file it locked, and checks that the name still refers to that very file
 * (device and inode) before unlinking it.  Only lock holders remove key
 * files, so none can go between the check and the unlink: two removers
 * cannot remove each other's files, and a newly published file is never
 * taken for the one judged (a stranger's file is judged once before, by
 * reading, to need no write permission for a live name).  Unlink
 * removes the segment first, then its semaphore set, which wakes its
 * waiters with EIDRM, then its key file, and that only while it refers
 * to the segment.  Whoever removes a stale name removes the set it
 * records as well, if it is still there.  Locks are held for a few system
 * calls; a waiter gives up after about LOCK_WAIT_MS with EBUSY, never
 * hangs.
 *
 * Failure.  A create that fails after any step undoes every step before
 * it: detaches and removes its segment, removes its private file.  Attach
 * and the judgement of a name change nothing.
 *
 * Crashes.  A creator killed before step 4 leaves its private file and,
 * after step 2, a segment: at the key the file records, or, when it
 * records none, at ftok(private file, KEY_PROJ) with the pid of the file's
 * name as its creator (shm_cpid).  A semaphore set it made is at the
 * same key, its owner's, and never operated on (sem_otime 0): keys with a
 * set are skipped before the segment is made, so only a set made by
 * another program in the moment between that check and the creator's
 * semget could be taken for it.  Killed after step 4, it leaves a
 * complete name whose segment lives on, as System V segments do until
 * they are removed.  Neither blocks the name.
 *
 * Locks are fcntl(2) locks on the open file description (F_OFD_SETLK)
 * where the system has them, so that threads exclude each other too, and
 * classic per-process locks elsewhere; the kernel drops either kind when
 * its holder dies.
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
#include <time.h>
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
#define LOCK_WAIT_MS	500

/* O_NONBLOCK: a FIFO planted as a key file must not block the open. */
#define KEYFILE_OPEN	(O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)

enum doom { STALE, THIS_SEGMENT };

static void
nap_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	/* An early wake-up only shortens a wait that is retried anyway. */
	(void)nanosleep(&ts, NULL);
}

/* Closes fd keeping errno: for error paths, and for files only read. */
static void
close_quietly(int fd)
{
	int saved = errno;

	(void)close(fd);
	errno = saved;
}

/* Takes a write lock on the whole of fd, waiting LOCK_WAIT_MS at most. */
static int
lock_file(int fd)
{
	struct flock fl;
	long waited;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	for (waited = 0;; waited++) {
#if HAVE_DECL_F_OFD_SETLK
		if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
			return 0;
		/* EINVAL: headers newer than the kernel. */
		if (errno == EINVAL && fcntl(fd, F_SETLK, &fl) == 0)
			return 0;
#else
		if (fcntl(fd, F_SETLK, &fl) == 0)
			return 0;
#endif
		if (errno != EACCES && errno != EAGAIN)
			return -1;
		if (waited == LOCK_WAIT_MS) {
			errno = EBUSY;
			return -1;
		}
		nap_ms(1);
	}
}

/*
 * Opens the key file at path for oflag.  A symbolic link is refused with
 * EINVAL; other kinds of file show when their record is read.
 */
static int
open_keyfile(const char *path, int oflag)
{
	struct stat lst, st;
	int fd;

	if ((fd = open(path, oflag | KEYFILE_OPEN)) == -1) {
		/* A symbolic link met by O_NOFOLLOW, or a directory opened
		 * for writing: no key file. */
		if (errno == ELOOP || errno == EMLINK || errno == EISDIR
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

/* Fills *st for the key file fd, which must be a regular file. */
static int
stat_keyfile(int fd, struct stat *st)
{
	if (fstat(fd, st) == -1)
		return -1;
	if (!S_ISREG(st->st_mode)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Reads the record of the key file fd; EINVAL if it holds none, as a
 * directory (EISDIR), a FIFO (ESPIPE) or a device does not. */
static int
read_record(int fd, struct record *rec)
{
	char buf[RECORD_MAX + 1];
	size_t len = 0;
	ssize_t n;

	/* A short read of a regular file is its end: stop there. */
	do {
		n = pread(fd, buf + len, sizeof(buf) - len, (off_t)len);
		if (n == -1 && errno != EINTR) {
			if (errno == EISDIR || errno == ESPIPE ||
			    errno == EINVAL || errno == ENXIO)
				errno = EINVAL;
			return -1;
		}
		if (n > 0)
			len += (size_t)n;
	} while (n == -1);
	if (record_parse(buf, len, rec) == -1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
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

/* Whether rec's segment still exists: 1 yes, 0 no, -1 error. */
static int
segment_alive(const struct record *rec)
{
	struct shmid_ds ds;
	int id;

	if (rec->shmid == -1)
		return 0;
	if ((id = shmget(rec->key, 0, 0)) != -1) {
		if (id != rec->shmid)
			return 0;
		/* Not allowed to look: it may well be the one. */
		if (shmctl(id, IPC_STAT, &ds) == -1)
			return errno == EACCES ? 1 : errno == EINVAL ||
			    errno == EIDRM ? 0 : -1;
		return (unsigned long)ds.shm_segsz == rec->size;
	}
	if (errno == ENOENT || errno == EIDRM)
		return 0;
	if (errno != EACCES)
		return -1;
	/* Somebody's segment sits at the key; if the recorded id is gone,
	 * it is not ours.  Otherwise it may be: keep the name. */
	if (shmctl(rec->shmid, IPC_STAT, &ds) == -1 &&
	    (errno == EINVAL || errno == EIDRM))
		return 0;
	return 1;
}

/* Whether the record condemns its key file: 1 yes, 0 no, -1 error. */
static int
doomed(const struct record *rec, enum doom doom, key_t key, int shmid)
{
	int alive;

	if (doom == THIS_SEGMENT)
		return rec->key == key && rec->shmid == shmid;
	if ((alive = segment_alive(rec)) == -1)
		return -1;
	return !alive;
}

/*
 * Removes the key file at path if its record is stale (STALE), or refers
 * to key and shmid (THIS_SEGMENT).  Returns 1 if it removed it, 0 if it
 * kept it, -1 with errno (ENOENT: there is none).
 */
static int
remove_keyfile(const char *path, enum doom doom, key_t key, int shmid)
{
	struct stat held, named;
	struct record rec;
	int fd, tries, r;

	for (tries = 0; tries < PUBLISH_TRIES; tries++) {
		/* Who may remove it, owns it: open for writing at once when
		 * it should be ours.  A stranger's is judged first from
		 * reading, which needs no write permission. */
		fd = open_keyfile(path, doom == STALE ? O_RDONLY : O_RDWR);
		if (fd == -1)
			return -1;
		if (doom == STALE) {
			r = read_record(fd, &rec) == -1 ? -1 :
			    doomed(&rec, doom, key, shmid);
			if (r != 1) {
				close_quietly(fd);
				return r;
			}
			(void)close(fd);	/* only read */
			if ((fd = open_keyfile(path, O_RDWR)) == -1)
				return -1;
		}
		/*
		 * The judgement that counts is made under the lock, of the
		 * file locked: the file judged before may have been removed
		 * since, and its inode number given to a new key file.
		 */
		if (lock_file(fd) == -1 || stat_keyfile(fd, &held) == -1 ||
		    read_record(fd, &rec) == -1)
			r = -1;
		else
			r = doomed(&rec, doom, key, shmid);
		if (r != 1) {
			close_quietly(fd);
			return r;
		}
		if (lstat(path, &named) == -1 || named.st_dev != held.st_dev ||
		    named.st_ino != held.st_ino) {
			/* Removed, or replaced, while we waited. */
			(void)close(fd);
			continue;
		}
		if (unlink(path) == 0) {
			if (doom == STALE)
				semset_remove(rec.key, rec.semid);
			(void)close(fd);
			return 1;
		}
		/* Only a rename from outside the protocol can have put
		 * another file at the name since; a directory is no key
		 * file, and the next round says so. */
		if (errno == EISDIR || (errno == EPERM &&
		    lstat(path, &named) == 0 && S_ISDIR(named.st_mode))) {
			(void)close(fd);
			continue;
		}
		close_quietly(fd);
		return -1;
	}
	errno = EBUSY;
	return -1;
}

/* Clears the name at path for a create: 0 if it is free now, -1 with
 * EEXIST if it is alive, or another errno. */
static int
clear_stale(const char *path)
{
	switch (remove_keyfile(path, STALE, 0, 0)) {
	case 1:
		return 0;
	case 0:
		errno = EEXIST;
		return -1;
	default:
		return errno == ENOENT ? 0 : -1;
	}
}

/* The key file's permissions: its owner reads and writes it (to lock it),
 * and whoever may use the segment may read it. */
static mode_t
keyfile_mode(mode_t mode)
{
	return S_IRUSR | S_IWUSR |
	    ((mode & (S_IRGRP | S_IWGRP)) ? S_IRGRP : 0) |
	    ((mode & (S_IROTH | S_IWOTH)) ? S_IROTH : 0);
}

/* Returns the template DIR/sharedmem+PID-XXXXXX in new memory. */
static char *
private_path(const char *dir, long pid)
{
	size_t len = strlen(dir) + sizeof("/" PRIVATE_PREFIX "-XXXXXX") + 24;
	char *path;

	if ((path = malloc(len)) == NULL)
		return NULL;
	(void)snprintf(path, len, "%s/" PRIVATE_PREFIX "%ld-XXXXXX", dir, pid);
	return path;
}

/* Makes the private file of step 1, with the key file's permissions. */
static int
make_private(char *tmp, mode_t mode)
{
	mode_t kmode = keyfile_mode(mode);
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
	if (kmode != (S_IRUSR | S_IWUSR) && fchmod(fd, kmode) == -1)
		goto fail;
	return fd;
fail:
	close_quietly(fd);
	(void)unlink(tmp);
	return -1;
}

/*
 * Creates the segment of step 2 for the private file fd at tmp, and its
 * semaphore set if opts asks for one.
 */
static int
make_segment(const char *tmp, int fd, const struct segopts *opts,
    struct record *rec, size_t *reclen)
{
	int shmflg = IPC_CREAT | IPC_EXCL | opts->shmflg | (int)opts->mode;
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

/* Publishes the private file tmp under path: step 4. */
static int
publish(const char *tmp, const char *path)
{
	int tries;

	for (tries = 0; tries < PUBLISH_TRIES; tries++) {
		if (link(tmp, path) == 0)
			return 0;
		if (errno != EEXIST || clear_stale(path) == -1)
			return -1;
	}
	errno = EBUSY;
	return -1;
}

/*
 * Creates the name whose key file is path (private files go to dir), as
 * opts asks, and describes it in *seg.
 */
int
keyfile_create(const char *path, const char *dir, const struct segopts *opts,
    struct segment *seg)
{
	struct record rec;
	size_t reclen = 0;
	void *addr = (void *)-1;
	char *tmp;
	int fd;

	rec.pid = (long)getpid();
	rec.shmid = -1;
	rec.size = (unsigned long)opts->size;
	rec.semid = -1;
	rec.nsems = 0;
	if ((tmp = private_path(dir, rec.pid)) == NULL)
		return -1;
	if ((fd = make_private(tmp, opts->mode)) == -1) {
		free(tmp);
		return -1;
	}
	if (make_segment(tmp, fd, opts, &rec, &reclen) == -1)
		goto fail;
	if ((addr = shmat(rec.shmid, NULL, opts->atflg)) == (void *)-1)
		goto fail;
	if (opts->prefault && pages_prefault(addr, opts->size,
	    !(opts->atflg & SHM_RDONLY)) == -1)
		goto fail;
	if (write_record(fd, &rec, &reclen) == -1 || publish(tmp, path) == -1)
		goto fail;
	/* The name is out.  A private name that fails to go is a second
	 * link to a complete key file, harmless; not a failure. */
	(void)unlink(tmp);
	(void)close(fd);
	free(tmp);
	seg->addr = addr;
	seg->size = opts->size;
	seg->key = rec.key;
	seg->id = rec.shmid;
	seg->semid = rec.semid;
	seg->nsems = rec.nsems;
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

/* errno for a segment that vanished between two calls. */
static int
vanished(void)
{
	if (errno == EINVAL || errno == EIDRM)
		errno = ENOENT;
	return -1;
}

/* Attaches the name whose key file is path; see "Attach" above. */
int
keyfile_attach(const char *path, const struct segopts *opts,
    struct segment *seg)
{
	struct shmid_ds ds;
	struct record rec;
	void *addr;
	int fd, r, id, sets;

	if ((fd = open_keyfile(path, O_RDONLY)) == -1)
		return -1;
	r = read_record(fd, &rec);
	close_quietly(fd);
	if (r == -1)
		return -1;
	if (rec.shmid == -1)
		return errno = ENOENT, -1;
	if ((id = shmget(rec.key, 0, 0)) == -1)
		return vanished();
	if (id != rec.shmid)
		return errno = ENOENT, -1;
	if (shmctl(id, IPC_STAT, &ds) == -1)
		return vanished();
	if ((unsigned long)ds.shm_segsz != rec.size)
		return errno = ENOENT, -1;
	if (rec.nsems > 0 && (sets = semset_alive(rec.key, rec.semid)) != 1) {
		if (sets == -1)
			return -1;
		rec.semid = -1;		/* removed: its users get EIDRM */
	}
	if ((addr = shmat(id, NULL, opts->atflg)) == (void *)-1)
		return vanished();
	if (opts->prefault && pages_prefault(addr, (size_t)ds.shm_segsz,
	    !(opts->atflg & SHM_RDONLY)) == -1) {
		r = errno;
		/* Just attached: shmdt() of it cannot fail. */
		(void)shmdt(addr);
		return errno = r, -1;
	}
	seg->addr = addr;
	seg->size = (size_t)ds.shm_segsz;
	seg->key = rec.key;
	seg->id = id;
	seg->semid = rec.semid;
	seg->nsems = rec.nsems;
	return 0;
}

/*
 * Removes the segment seg, which the caller has attached, its semaphore
 * set, and then its key file at path if the file still refers to it.
 * ENOENT if the name had been removed already.
 */
int
keyfile_unlink(const char *path, const struct segment *seg)
{
	int gone = 0, r;

	if (shmctl(seg->id, IPC_RMID, NULL) == -1) {
		/* Systems other than Linux refuse a second IPC_RMID. */
		if (errno != EINVAL && errno != EIDRM)
			return -1;
		gone = 1;
	}
	semset_remove(seg->key, seg->semid);
	r = remove_keyfile(path, THIS_SEGMENT, seg->key, seg->id);
	/* No key file of ours: whoever removed it unlinked the name first.
	 * One that could not be removed is stale, and blocks nothing. */
	if (gone || r == 0 || (r == -1 && errno == ENOENT))
		return errno = ENOENT, -1;
	return 0;
}

/* Removes the name whose key file is path, and its segment. */
int
keyfile_remove(const char *path)
{
	struct record rec;
	int fd, r, alive;

	if ((fd = open_keyfile(path, O_RDONLY)) == -1)
		return -1;
	r = read_record(fd, &rec);
	close_quietly(fd);
	if (r == -1)
		return -1;
	if ((alive = segment_alive(&rec)) == -1)
		return -1;
	if (alive && shmctl(rec.shmid, IPC_RMID, NULL) == -1) {
		if (errno != EINVAL && errno != EIDRM)
			return -1;
		alive = 0;
	}
	semset_remove(rec.key, rec.semid);
	r = remove_keyfile(path, THIS_SEGMENT, rec.key, rec.shmid);
	if (alive)
		return 0;	/* a key file left behind is stale: harmless */
	/* Only a stale name was there: say why it could not be cleared. */
	if (r == -1 && errno != ENOENT)
		return -1;
	return errno = ENOENT, -1;
}

/* Looks up the name whose key file is path: 0 if its segment is there,
 * -1 with ESTALE if it is gone; *rec gets the record either way. */
int
keyfile_lookup(const char *path, struct record *rec)
{
	int fd, r;

	if ((fd = open_keyfile(path, O_RDONLY)) == -1)
		return -1;
	r = read_record(fd, rec);
	close_quietly(fd);
	if (r == -1 || (r = segment_alive(rec)) == -1)
		return -1;
	return r ? 0 : (errno = ESTALE, -1);
}

/* Removes the key file at path if it is stale: 1 removed, 0 alive, -1
 * error. */
int
keyfile_remove_stale(const char *path)
{
	return remove_keyfile(path, STALE, 0, 0);
}

/*
 * The segment that the private file at path, of a create by pid that
 * died, may have made (see "Crashes" above); -1 if there is none.  *rec
 * gets the key and, if recorded, the semaphore set.
 */
static int
unfinished_segment(const char *path, long pid, int fd, struct stat *st,
    struct record *rec)
{
	struct shmid_ds ds;
	int id;

	rec->shmid = rec->semid = -1;
	if (st->st_nlink > 1)
		return -1;	/* published: its segment is the name's */
	if (st->st_size == 0) {
		if ((rec->key = ftok(path, KEY_PROJ)) == (key_t)-1)
			return -1;
	} else if (read_record(fd, rec) == -1)
		return -1;
	if ((id = shmget(rec->key, 0, 0)) == -1)
		return -1;
	if (rec->shmid != -1)
		return id == rec->shmid ? id : -1;
	/* Only the first key is unrecorded: the segment there is ours if
	 * the dead creator made it. */
	if (shmctl(id, IPC_STAT, &ds) == -1 || (long)ds.shm_cpid != pid)
		return -1;
	return id;
}

/*
 * Removes the semaphore set that a create killed between semget() and
 * recording it may have left at key: the caller's, and never used.
 */
static int
remove_unrecorded_set(key_t key)
{
	struct semid_ds ds;
	union semarg arg;
	int id;

	if ((id = semget(key, 0, 0)) == -1)
		return errno == ENOENT || errno == EACCES ? 0 : -1;
	arg.buf = &ds;
	if (semctl(id, 0, IPC_STAT, arg) == -1)
		return errno == EINVAL || errno == EIDRM ? 0 : -1;
	if (ds.sem_perm.cuid != geteuid() || ds.sem_otime != 0)
		return 0;
	if (semctl(id, 0, IPC_RMID) == -1 && errno != EINVAL && errno != EIDRM)
		return -1;
	return 0;
}

/*
 * Removes the private file at path of a create by pid that died, and the
 * segment it made, which *shmid gets (-1: none).  With dryrun, only finds
 * them.  Returns 0, or -1 with errno.
 */
int
keyfile_reap(const char *path, long pid, int dryrun, int *shmid)
{
	struct record rec;
	struct stat st;
	int fd;

	*shmid = -1;
	if ((fd = open_keyfile(path, O_RDONLY)) == -1)
		return -1;
	if (stat_keyfile(fd, &st) == -1) {
		close_quietly(fd);
		return -1;
	}
	*shmid = unfinished_segment(path, pid, fd, &st, &rec);
	(void)close(fd);	/* only read */
	if (dryrun)
		return 0;
	if (*shmid != -1) {
		if (shmctl(*shmid, IPC_RMID, NULL) == -1 &&
		    errno != EINVAL && errno != EIDRM)
			return -1;
		if (rec.semid != -1)
			semset_remove(rec.key, rec.semid);
		else if (remove_unrecorded_set(rec.key) == -1)
			return -1;
	}
	return unlink(path);
}
