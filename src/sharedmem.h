/*
 * sharedmem.h - named System V shared memory segments.
 *
 * A segment is created once under a name, with a fixed size, and attached
 * by that name from any process.  It lives until it is unlinked, even when
 * no process has it attached.  Every function here either succeeds or
 * returns NULL or -1 with errno set; none prints, none exits.
 *
 * Names are 1 to 200 bytes of [A-Za-z0-9._-], other than "." and "..";
 * one leading '/' is accepted and ignored.  Each name has a key file in the
 * key directory (sharedmem_dir()), through which it maps to a System V key.
 *
 * Beside each function, one line for each errno it sets of its own;
 * sharedmem(3), ERRORS, tells each in full, and the errors of the system
 * calls beneath (EIO, EROFS...) that any function may pass on.
 */
#ifndef SHAREDMEM_H
#define SHAREDMEM_H

#include <sys/types.h>
#include <sys/ipc.h>		/* key_t, in every compilation mode */
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the library exports, where the compiler hides the rest of it. */
#if defined(SHAREDMEM_BUILDING) && defined(SHAREDMEM_VISIBILITY)
#define SHAREDMEM_API __attribute__((__visibility__("default")))
#else
#define SHAREDMEM_API
#endif

/* The version of this header.  sharedmem_version() gives the library's. */
#define SHAREDMEM_VERSION "0.4.0"
#define SHAREDMEM_VERSION_MAJOR 0
#define SHAREDMEM_VERSION_MINOR 4
#define SHAREDMEM_VERSION_PATCH 0
#define SHAREDMEM_VERSION_NUMBER \
	(SHAREDMEM_VERSION_MAJOR * 10000 + SHAREDMEM_VERSION_MINOR * 100 + \
	    SHAREDMEM_VERSION_PATCH)

/* Longest name, in bytes, not counting a leading '/'. */
#define SHAREDMEM_NAME_MAX 200

/* Flags of sharedmem_open(). */
#define SHAREDMEM_CREATE 0x1	/* create the segment; EEXIST if the name exists */
#define SHAREDMEM_RDONLY 0x2	/* attach read-only (SHM_RDONLY) */
#define SHAREDMEM_LOCK	 0x4	/* create with a lock: sharedmem_lock() */
#define SHAREDMEM_HUGEPAGES 0x8	/* back the segment with huge pages */
#define SHAREDMEM_PREFAULT 0x10	/* fault every page in before returning */
/* Create with n counting semaphores, each at 0 (and the lock as well).
 * An n out of 0 to SHAREDMEM_SEMAPHORES_MAX, negative or however large,
 * makes sharedmem_open() fail with EINVAL.  The count sits in the flags
 * at SHAREDMEM_SEMAPHORES_SHIFT, in SHAREDMEM_SEMAPHORES_MASK; a function
 * puts it there, so that n is evaluated once and refused, never wrapped,
 * where it does not fit. */
#define SHAREDMEM_SEMAPHORES(n) sharedmem_semaphores_flag(n)
#define SHAREDMEM_SEMAPHORES_SHIFT 8
#define SHAREDMEM_SEMAPHORES_MASK 0xffff
#define SHAREDMEM_SEMAPHORES_MAX 32

/* Timeouts are relative, as for nanosleep(2); <time.h> declares it. */
struct timespec;

/* An attached segment.  Opaque: use the accessors below. */
typedef struct sharedmem sharedmem;

/* The flags that ask for n counting semaphores: SHAREDMEM_SEMAPHORES(n).
 * Cannot fail: an n that does not fit gives flags that sharedmem_open()
 * refuses. */
SHAREDMEM_API int sharedmem_semaphores_flag(unsigned long n);

/*
 * Opens the segment called name.  With SHAREDMEM_CREATE it makes a new
 * segment of size bytes with permissions mode (as for chmod, 0600 for the
 * owner alone; any of 0 to 0777, the handle being read-write whatever it
 * says) and fails with EEXIST if the name is taken; name NULL then picks a
 * fresh random name.  Without it, size and mode are ignored and the
 * segment must exist.  SHAREDMEM_LOCK and SHAREDMEM_SEMAPHORES(n) make a
 * System V semaphore set under the segment's key, ready before the name
 * is; unlink removes it.  SHAREDMEM_HUGEPAGES never falls back quietly to
 * small pages.  Returns a handle, or NULL with errno:
 *   EINVAL        bad name, flags, mode or size, or a key file that is not one
 *   ENAMETOOLONG  name over SHAREDMEM_NAME_MAX, or a key file path too long
 *   EEXIST        SHAREDMEM_CREATE, and the name exists or is another user's
 *   ENOENT        no such name, a stale name, or no key directory
 *   ENOTDIR       the key directory is not a directory
 *   EACCES        permissions refuse it, or hide whose the segment is
 *   EBUSY         SHAREDMEM_CREATE, and others replaced the name over and over
 *   ENOSPC        no segment, set or key left, or the key directory is full
 *   ENOMEM        no memory, address space or free huge pages, or none
 *                 for a page that SHAREDMEM_PREFAULT faults in
 *   EMFILE        too many segments attached, or no file descriptors left
 *   EPERM         SHAREDMEM_HUGEPAGES, and the caller may not use huge pages
 *   ENOTSUP       SHAREDMEM_HUGEPAGES on a system without huge pages
 *   ENOSYS        the system has no System V shared memory
 */
SHAREDMEM_API sharedmem *sharedmem_open(const char *name, int flags,
    size_t size, mode_t mode);

/* sharedmem_open(name, SHAREDMEM_CREATE, size, 0600). */
SHAREDMEM_API sharedmem *sharedmem_create(const char *name, size_t size);

/* sharedmem_open(name, 0, 0, 0): attaches read-write to an existing name. */
SHAREDMEM_API sharedmem *sharedmem_attach(const char *name);

/* The first byte of the segment, its size in bytes, its name (without a
 * leading '/'), its System V key, and its shmid as ipcs(1) shows it. */
SHAREDMEM_API void *sharedmem_buf(const sharedmem *shm);
SHAREDMEM_API size_t sharedmem_size(const sharedmem *shm);
SHAREDMEM_API const char *sharedmem_name(const sharedmem *shm);
SHAREDMEM_API key_t sharedmem_key(const sharedmem *shm);
SHAREDMEM_API int sharedmem_id(const sharedmem *shm);

/* The user who created the segment (shm_perm.cuid), which nobody can
 * change, unlike the owner of a file: a caller may refuse a name that
 * another user made.  Cannot fail. */
SHAREDMEM_API uid_t sharedmem_creator(const sharedmem *shm);

/*
 * What the accessors of a handle return, all at once, for programs in
 * other languages, to which each call costs.  Fields are only ever added
 * at the end: size is the caller's sizeof(struct sharedmem_description),
 * and a caller built with an older header gets the fields it knows.
 * Returns 0, or -1 with errno:
 *   EINVAL  shm or d is NULL
 */
struct sharedmem_description {
	void		*addr;		/* sharedmem_buf() */
	size_t		 size;		/* sharedmem_size() */
	const char	*name;		/* sharedmem_name(), as long as shm */
	int		 shmid;		/* sharedmem_id() */
	int		 semid;		/* sharedmem_semid() */
	int		 semaphores;	/* sharedmem_semaphores() */
	key_t		 key;		/* sharedmem_key() */
	uid_t		 creator;	/* sharedmem_creator() */
};
SHAREDMEM_API int sharedmem_describe(const sharedmem *shm,
    struct sharedmem_description *d, size_t size);

/*
 * Detaches the segment (shmdt) and frees the handle, which must not be used
 * again.  The segment itself lives on until it is unlinked.  NULL is a
 * no-op.  Returns 0, or -1 with errno; the handle is freed in either case:
 *   EINVAL  shmdt() found no segment attached at the handle's address
 */
SHAREDMEM_API int sharedmem_close(sharedmem *shm);

/*
 * Removes this handle's segment (shmctl IPC_RMID) and its name.  The
 * handle stays attached until sharedmem_close(), and so do other processes
 * that have it attached; nobody can attach it by name any more, and the
 * name may be created again at once.  The key file is removed only while
 * it still refers to this very segment; one that cannot be removed is
 * left stale, which blocks nothing.  Returns 0, or -1 with errno:
 *   ENOENT  the name was removed already (the segment is removed all the same)
 *   EPERM   not the segment's owner or creator, nor privileged
 *   EINVAL  shm is NULL
 */
SHAREDMEM_API int sharedmem_unlink(sharedmem *shm);

/*
 * Removes the segment called name, as sharedmem_unlink() does, without
 * attaching it.  A stale name's key file is removed all the same, and
 * never a segment that is not the name's.  Returns 0, or -1 with errno:
 *   EINVAL        a bad name, or a key file that is not one
 *   ENAMETOOLONG  name over SHAREDMEM_NAME_MAX, or a key file path too long
 *   ENOENT        no segment of that name (its stale key file goes), or no
 *                 key directory
 *   ENOTDIR       the key directory is not a directory
 *   EPERM         not the segment's owner or creator, or a stale name not
 *                 the caller's
 *   EACCES        permissions refuse it, or hide whose the segment is
 *   ENOMEM        no memory
 */
SHAREDMEM_API int sharedmem_remove(const char *name);

/*
 * Removes the segment shmid and the name that names it, as
 * sharedmem_remove() does, but only while name names that very segment:
 * shmid is sharedmem_id() of a handle, kept past its sharedmem_close(),
 * so that a segment made since under the same name is never removed.
 * Returns 0, or -1 with errno, those of sharedmem_remove() and:
 *   ENOENT  name names no segment, or another one (nothing is changed)
 *   EINVAL  shmid is negative
 */
SHAREDMEM_API int sharedmem_unlink_id(const char *name, int shmid);

/*
 * Looks name up without attaching it, and stores what its key file
 * records in *key and *shmid (either may be NULL).  Returns 0 if the
 * segment is there (or hidden: see sharedmem_inspect()), or -1 with errno:
 *   ESTALE        a stale name; *key and *shmid hold what its key file records
 *   ENOENT        no such name, or no key directory
 *   EINVAL        a bad name, or a key file that is not one
 *   ENAMETOOLONG  name over SHAREDMEM_NAME_MAX, or a key file path too long
 *   ENOTDIR       the key directory is not a directory
 *   EACCES        the key file cannot be read
 *   ENOMEM        no memory
 */
SHAREDMEM_API int sharedmem_lookup(const char *name, key_t *key, int *shmid);

/*
 * How a name stands, as sharedmem_inspect() finds it.  The key directory
 * is shared by all users, so a key file is believed only as far as the
 * system bears it out: its segment must be at its key with its shmid and
 * size, and made by the key file's owner, in this run of the system.
 */
enum sharedmem_state {
	SHAREDMEM_LIVE,		/* its segment is there */
	SHAREDMEM_HIDDEN,	/* a segment is there, but its permissions
				 * keep the caller from seeing whose */
	SHAREDMEM_GONE,		/* stale: its segment was removed */
	SHAREDMEM_OTHER_BOOT,	/* stale: written before the system last
				 * started, or in another IPC namespace */
	SHAREDMEM_FOREIGN	/* stale: the segment it names is not its
				 * own (made by another user than the key
				 * file's owner, or of another size), or the
				 * file is another name's */
};

/* Why a stale name's key file is another's (SHAREDMEM_FOREIGN); in the
 * order in which the library looks. */
enum sharedmem_foreign {
	SHAREDMEM_NOT_FOREIGN,	/* the state is another */
	SHAREDMEM_OTHER_NAME,	/* the record is another name's: the key
				 * file is a link to that name's, or a copy */
	SHAREDMEM_OTHER_USER,	/* the segment it names was made by another
				 * user than the key file's owner */
	SHAREDMEM_OTHER_SIZE	/* the segment it names is of another size */
};

/* A user who is nobody: the creator of a segment that cannot be seen. */
#define SHAREDMEM_NO_UID ((uid_t)-1)

/* What a name's key file records, and what is found there.  Members are
 * only ever added at the end; see sharedmem_inspect(). */
struct sharedmem_info {
	enum sharedmem_state state;
	key_t		key;		/* as recorded */
	int		shmid;		/* as recorded */
	size_t		size;		/* as recorded */
	long		pid;		/* of the creator, as recorded */
	int		semid;		/* as recorded; -1: no lock */
	int		semaphores;	/* counting semaphores recorded */
	int		set_live;	/* 1 if the recorded set is there and
					 * the name's */
	uid_t		owner;		/* the key file's */
	uid_t		creator;	/* of the segment at the recorded
					 * shmid; SHAREDMEM_NO_UID if none or
					 * hidden */
	/* Since 0.4. */
	int		stale;		/* 1 if the state is a stale one:
					 * what the key file names is not the
					 * name's segment */
	int		removable;	/* 1 if the caller may remove the key
					 * file: its owner, or root */
	enum sharedmem_foreign foreign;	/* why a SHAREDMEM_FOREIGN name is */
};

/*
 * Reads name's key file and judges it, without attaching or changing
 * anything, and fills in *info, of size bytes: programs call
 * sharedmem_inspect(name, info), which gives the size of their struct
 * sharedmem_info, so that one built with an older header gets the members
 * it knows and nothing is written past them.  Returns 0 with *info filled
 * in, whatever the state, or -1 with errno:
 *   ENOENT        no such name, or no key directory
 *   EINVAL        a bad name, a key file that is not one, or info NULL
 *   ENAMETOOLONG  name over SHAREDMEM_NAME_MAX, or a key file path too long
 *   ENOTDIR       the key directory is not a directory
 *   EACCES        the key file cannot be read
 *   ENOMEM        no memory
 */
SHAREDMEM_API int sharedmem_inspect_sized(const char *name,
    struct sharedmem_info *info, size_t size);
/* The function that programs built with a header older than 0.4 call;
 * it fills in the members they know. */
SHAREDMEM_API int sharedmem_inspect(const char *name,
    struct sharedmem_info *info);
#define sharedmem_inspect(name, info) \
	sharedmem_inspect_sized((name), (info), sizeof(*(info)))

/*
 * The path of name's key file, in new memory for free(3), whether or not
 * the file exists.  NULL with errno:
 *   EINVAL        a bad name
 *   ENAMETOOLONG  name over SHAREDMEM_NAME_MAX
 *   ENOMEM        no memory
 */
SHAREDMEM_API char *sharedmem_keyfile(const char *name);

/*
 * The lock, if the segment was created with one: a mutex between
 * processes that the kernel releases when its holder exits or is killed
 * (SEM_UNDO).  As a robust mutex, it tells the next to take it so: that
 * one call, and no other, returns -1 with EOWNERDEAD, holding the lock.
 * sharedmem_lock() waits as long as it takes, signals or not;
 * sharedmem_timedlock() waits at most timeout (relative).  The waits here
 * and below may poll briefly before they sleep, keeping their CPU busy
 * meanwhile: sharedmem(3), "Polling before sleeping", SHAREDMEM_SPIN.
 * Each returns 0, or -1 with errno:
 *   EOWNERDEAD       the lock is taken, and its last holder died holding it:
 *                    repair the data, sharedmem_consistent(), unlock
 *   ENOTRECOVERABLE  a holder told EOWNERDEAD unlocked without
 *                    sharedmem_consistent(); until the segment is removed
 *   ENOTSUP          the segment has no lock
 *   EIDRM            the lock was removed, with the segment or by ipcrm(1)
 *   EBUSY            sharedmem_trylock(): the lock is held
 *   ETIMEDOUT        sharedmem_timedlock(): still held after timeout
 *   EPERM            sharedmem_unlock(): the lock is free, or held by a
 *                    program that took it without the library
 *   EINVAL           shm is NULL, or a bad timeout
 *   EACCES           the segment's mode denies the caller writing
 *   ENOMEM           no memory for the kernel's undo record
 *   ENOSPC           no room left for the kernel's undo record
 */
SHAREDMEM_API int sharedmem_lock(sharedmem *shm);
SHAREDMEM_API int sharedmem_trylock(sharedmem *shm);
SHAREDMEM_API int sharedmem_timedlock(sharedmem *shm,
    const struct timespec *timeout);
SHAREDMEM_API int sharedmem_unlock(sharedmem *shm);

/*
 * Declares the data repaired, after a lock call on shm failed with
 * EOWNERDEAD: the next unlock leaves an ordinary lock.  Returns 0, or -1
 * with errno:
 *   EINVAL   shm holds no lock that it took with EOWNERDEAD, or is NULL
 *   ENOTSUP  the segment has no lock
 *   EIDRM    the lock was removed, with the segment or by ipcrm(1)
 */
SHAREDMEM_API int sharedmem_consistent(sharedmem *shm);

/* How a name's lock stands, as sharedmem_lock_state() finds it. */
enum sharedmem_lock_state {
	SHAREDMEM_LOCK_FREE,
	SHAREDMEM_LOCK_HELD,
	SHAREDMEM_LOCK_HOLDER_DIED,	/* free; its last holder died holding
					 * it, and the next to take it gets
					 * EOWNERDEAD */
	SHAREDMEM_LOCK_NOT_RECOVERABLE	/* taking it fails with
					 * ENOTRECOVERABLE */
};

/*
 * Looks at the lock of the segment called name, without attaching or
 * changing anything.  Returns its state, or -1 with errno:
 *   ENOTSUP       the segment has no lock
 *   EIDRM         its lock was removed by ipcrm(1), or is not the name's
 *   ESTALE        a stale name
 *   ENOENT        no such name, or no key directory
 *   EINVAL        a bad name, or a key file that is not one
 *   ENAMETOOLONG  name over SHAREDMEM_NAME_MAX, or a key file path too long
 *   ENOTDIR       the key directory is not a directory
 *   EACCES        the key file cannot be read, or the lock is not open to
 *                 the caller's reading
 *   ENOMEM        no memory
 */
SHAREDMEM_API int sharedmem_lock_state(const char *name);

/*
 * The counting semaphores 0 to sharedmem_semaphores() - 1, for handing
 * work between processes; nothing undoes them when a process dies.
 * sharedmem_post() adds one; sharedmem_wait() takes one, waiting while
 * the count is 0.  sharedmem_semaphores() and sharedmem_semid() cannot
 * fail; the others return 0, or -1 with errno:
 *   ENOTSUP    the segment has neither semaphores nor a lock
 *   EINVAL     no semaphore sem, shm is NULL, or a bad timeout
 *   EIDRM      the semaphores were removed, with the segment or by ipcrm(1)
 *   EINTR      sharedmem_wait(), sharedmem_timedwait(): a signal came
 *   EAGAIN     sharedmem_trywait(): the count is 0
 *   ETIMEDOUT  sharedmem_timedwait(): still 0 after timeout
 *   ERANGE     sharedmem_post(): past the system's largest count
 *   EACCES     the segment's mode denies the caller writing
 */
SHAREDMEM_API int sharedmem_semaphores(const sharedmem *shm);
SHAREDMEM_API int sharedmem_post(sharedmem *shm, unsigned int sem);
SHAREDMEM_API int sharedmem_wait(sharedmem *shm, unsigned int sem);
SHAREDMEM_API int sharedmem_trywait(sharedmem *shm, unsigned int sem);
SHAREDMEM_API int sharedmem_timedwait(sharedmem *shm, unsigned int sem,
    const struct timespec *timeout);

/* The System V identifier of the segment's semaphore set; -1 if it has
 * none, or had none left when the handle was made. */
SHAREDMEM_API int sharedmem_semid(const sharedmem *shm);

/*
 * The names in the key directory, sorted, stale ones included, in a
 * NULL-terminated array that sharedmem_free_names() frees (NULL: a no-op).
 * NULL with errno, or another of opendir(3) and readdir(3):
 *   ENOENT   no key directory
 *   ENOTDIR  the key directory is not a directory
 *   EACCES   the key directory cannot be read
 *   EMFILE   no file descriptors left
 *   ENOMEM   no memory
 */
SHAREDMEM_API char **sharedmem_names(void);
SHAREDMEM_API void sharedmem_free_names(char **names);

/*
 * Removes what crashed processes left in the key directory: stale names,
 * and the private files of creates and removals that died half way with
 * the segments they leave.  Flags:
 */
#define SHAREDMEM_GC_DRYRUN	0x1	/* report only, remove nothing */
#define SHAREDMEM_GC_ORPHANS	0x2	/* also remove named segments that no
					 * process has attached and whose
					 * creator is dead */
/*
 * Files and segments of other users are never touched.  For each thing
 * found, report (unless NULL) is called with its kind, the file's name in
 * the key directory, its shmid or -1, and 0 if it was removed (or, with
 * SHAREDMEM_GC_DRYRUN, would be) or the errno that kept it: EBUSY for the
 * private file of a process that has not ended (a zombie has ended, where
 * the system tells one from a running process).  Returns how
 * many things were removed (or would be), or -1 with errno if the key
 * directory cannot be read, as for sharedmem_names().
 */
enum sharedmem_leftover {
	SHAREDMEM_STALE_NAME,		/* a stale key file */
	SHAREDMEM_UNFINISHED,		/* a dead process's private file, or,
					 * with EBUSY, a live one's */
	SHAREDMEM_UNFINISHED_SEGMENT,	/* the segment that a dead create
					 * made, or that a dead removal had
					 * still to remove */
	SHAREDMEM_ORPHAN,		/* a named segment, see the flag */
	SHAREDMEM_BAD_KEYFILE		/* not a key file: never removed */
};
typedef void sharedmem_gc_report(enum sharedmem_leftover kind,
    const char *file, int shmid, int error, void *arg);
SHAREDMEM_API int sharedmem_gc(int flags, sharedmem_gc_report *report,
    void *arg);

/* The key directory in use: $SHAREDMEM_DIR if set and not empty, else the
 * directory chosen when the library was built. */
SHAREDMEM_API const char *sharedmem_dir(void);

/* The library's version, "MAJOR.MINOR.PATCH". */
SHAREDMEM_API const char *sharedmem_version(void);

#ifdef __cplusplus
}
#endif

#endif /* SHAREDMEM_H */
