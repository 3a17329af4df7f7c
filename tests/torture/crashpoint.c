/*
 * crashpoint.c - kills its process at a chosen call into the C library,
 * loaded with LD_PRELOAD, to show what a process killed there leaves.
 *
 * It stands in for the functions that libsharedmem calls to create,
 * attach, unlink and remove a name (getpid, mkostemp, fchmod, ftok,
 * shmget, shmat, shmdt, shmctl, semget, semctl, open, pread, pwrite,
 * ftruncate, fstat, lstat, fcntl, link, unlink, rename, renameat2,
 * close) and to use its
 * lock and semaphores (semop), and hands each call on to the next
 * definition, found with dlsym(RTLD_NEXT): the C library's, or that of a
 * module loaded after this one, such as tests/ftok_fixed.
 *
 * Calls are counted, from 1, while SHAREDMEM_CRASH_AT is in the
 * environment: setting it arms the module, so that a program can get
 * ready first and count only the operation under test (set at start, it
 * counts everything).  At call number $SHAREDMEM_CRASH_AT the process
 * sends itself SIGKILL before the call is made, or, with
 * SHAREDMEM_CRASH_WHEN=after, as soon as it returns: so both sides of
 * every call can be tried.  0 counts without killing.  With
 * SHAREDMEM_CRASH_TRACE=1 each counted call is written to standard error:
 *
 *	crashpoint: 7 shmget(0x7e0012a0, 4096, 03600) = 98317
 *
 * and the last line of a killed process ends in "KILLED before" or
 * "KILLED after".  By hand, for example:
 *
 *	SHAREDMEM_CRASH_AT=9 SHAREDMEM_CRASH_TRACE=1 \
 *	    LD_PRELOAD=tests/torture/.libs/crashpoint.so \
 *	    src/.libs/sharedmem create x 64
 *
 * The environment is read at every call, which costs little beside a
 * system call, and keeps the module free of any state but its counter.
 * Only calls made through the dynamic linker are seen, as a shared
 * libsharedmem makes them; calls within the C library are not.
 */
#include <config.h>

/* The stand-ins are defined under the plain names: no header may rename
 * them (to open64 and the like) or define them itself (as inline checks
 * of buffer sizes).  Their other names are stood in for below. */
#undef _FILE_OFFSET_BITS
#undef _TIME_BITS
#undef _FORTIFY_SOURCE

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>
#include <sys/stat.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE(f, a) __attribute__((__format__(__printf__, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

#define WHAT_MAX 200

/* A call as begin() counted it. */
struct call {
	unsigned long	n;		/* its number; 0: not counted */
	int		kill;		/* the process dies at it */
	char		what[WHAT_MAX];
};

/*
 * semctl()'s fourth argument, which POSIX leaves the program to declare
 * (src/internal.h declares it so too).  Passed by value; every member is
 * an int or a pointer, as in the systems' own union semun.
 */
union semarg {
	int		 val;
	struct semid_ds	*buf;
	unsigned short	*array;
};

static unsigned long calls;

static void say(const char *, ...) PRINTF_LIKE(1, 2);
static void begin(struct call *, const char *, ...) PRINTF_LIKE(2, 3);

/* Writes a line to standard error, without stdio. */
static void
say(const char *fmt, ...)
{
	char line[WHAT_MAX + 100];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) != n)
		return;		/* nobody to tell */
}

/* The next definition of name. */
static void *
real(const char *name)
{
	void *sym;

	if ((sym = dlsym(RTLD_NEXT, name)) == NULL) {
		say("crashpoint: no %s to hand %s on to", name, name);
		abort();
	}
	return sym;
}

/* Sets the function pointer fp to the next definition of name, once.
 * (ISO C has no cast from void * to a function pointer; POSIX makes
 * them the same size.) */
#define NEXT(fp, name) do {						\
	if ((fp) == NULL) {						\
		void *sym_ = real(name);				\
		memcpy(&(fp), &sym_, sizeof(fp));			\
	}								\
} while (0)

static int
env_is(const char *var, const char *value)
{
	const char *s = getenv(var);

	return s != NULL && strcmp(s, value) == 0;
}

/*
 * Counts the call about to be made, described by fmt, if the module is
 * armed; kills the process if this is the call to die before.
 */
static void
begin(struct call *c, const char *fmt, ...)
{
	const char *at = getenv("SHAREDMEM_CRASH_AT");
	va_list ap;
	int saved = errno;

	c->n = 0;
	c->kill = 0;
	if (at == NULL)
		return;
	c->n = ++calls;
	c->kill = c->n == strtoul(at, NULL, 10);
	va_start(ap, fmt);
	(void)vsnprintf(c->what, sizeof(c->what), fmt, ap);
	va_end(ap);
	if (c->kill && !env_is("SHAREDMEM_CRASH_WHEN", "after")) {
		if (env_is("SHAREDMEM_CRASH_TRACE", "1"))
			say("crashpoint: %lu %s KILLED before", c->n, c->what);
		(void)raise(SIGKILL);
	}
	errno = saved;
}

/* The counted call c returned r: traces it, and kills the process if
 * this is the call to die after.  Keeps errno. */
static void
end(const struct call *c, long r)
{
	int saved = errno;

	if (c->n == 0)
		return;
	if (env_is("SHAREDMEM_CRASH_TRACE", "1")) {
		if (r == -1)
			say("crashpoint: %lu %s = -1 %s%s", c->n, c->what,
			    strerror(saved), c->kill ? " KILLED after" : "");
		else
			say("crashpoint: %lu %s = %ld%s", c->n, c->what, r,
			    c->kill ? " KILLED after" : "");
	}
	if (c->kill)
		(void)raise(SIGKILL);
	errno = saved;
}

/* The last part of a path, which is all a trace needs. */
static const char *
base(const char *path)
{
	const char *slash;

	if (path == NULL)
		return "(null)";
	return (slash = strrchr(path, '/')) != NULL ? slash + 1 : path;
}

static const char *
shmctl_cmd(int cmd)
{
	return cmd == IPC_RMID ? "IPC_RMID" : cmd == IPC_STAT ? "IPC_STAT" :
	    cmd == IPC_SET ? "IPC_SET" : "?";
}

/* The semctl() commands that take no fourth argument; all others take
 * one (Linux's IPC_INFO, SEM_INFO and SEM_STAT as well). */
static int
semctl_bare(int cmd)
{
	return cmd == IPC_RMID || cmd == GETVAL || cmd == GETPID ||
	    cmd == GETNCNT || cmd == GETZCNT;
}

static const char *
semctl_cmd(int cmd)
{
	return cmd == IPC_RMID ? "IPC_RMID" : cmd == IPC_STAT ? "IPC_STAT" :
	    cmd == IPC_SET ? "IPC_SET" : cmd == SETALL ? "SETALL" :
	    cmd == GETALL ? "GETALL" : cmd == SETVAL ? "SETVAL" :
	    cmd == GETVAL ? "GETVAL" : cmd == GETPID ? "GETPID" :
	    cmd == GETNCNT ? "GETNCNT" : cmd == GETZCNT ? "GETZCNT" : "?";
}

/* The fcntl() commands whose argument is a struct flock. */
static int
lock_cmd(int cmd)
{
	return cmd == F_GETLK || cmd == F_SETLK || cmd == F_SETLKW
#ifdef F_OFD_SETLK
	    || cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW
#endif
	    ;
}

static const char *
fcntl_cmd(int cmd)
{
#ifdef F_OFD_SETLK
	if (cmd == F_OFD_SETLK)
		return "F_OFD_SETLK";
	if (cmd == F_OFD_SETLKW)
		return "F_OFD_SETLKW";
	if (cmd == F_OFD_GETLK)
		return "F_OFD_GETLK";
#endif
	return cmd == F_SETLK ? "F_SETLK" : cmd == F_SETLKW ? "F_SETLKW" :
	    cmd == F_GETLK ? "F_GETLK" : cmd == F_SETFD ? "F_SETFD" :
	    cmd == F_GETFD ? "F_GETFD" : cmd == F_GETFL ? "F_GETFL" :
	    cmd == F_SETFL ? "F_SETFL" : "?";
}

/*
 * A stand-in TYPE NAME PARAMS that calls the next NAME with ARGS, traced
 * as the printf() format and values that follow.
 */
#define STAND_IN(type, name, params, args, ...)				\
type									\
name params								\
{									\
	static type (*fn) params;					\
	struct call c;							\
	type r;								\
									\
	NEXT(fn, #name);						\
	begin(&c, __VA_ARGS__);						\
	r = fn args;							\
	end(&c, (long)r);						\
	return r;							\
}

STAND_IN(pid_t, getpid, (void), (), "getpid()")
STAND_IN(key_t, ftok, (const char *path, int id), (path, id),
    "ftok(%s, '%c')", base(path), id)
STAND_IN(int, shmget, (key_t key, size_t size, int flags), (key, size, flags),
    "shmget(0x%08lx, %lu, 0%o)", (unsigned long)key & 0xffffffffUL,
    (unsigned long)size, (unsigned)flags)
STAND_IN(int, shmdt, (const void *addr), (addr), "shmdt()")
STAND_IN(int, shmctl, (int id, int cmd, struct shmid_ds *ds), (id, cmd, ds),
    "shmctl(%d, %s)", id, shmctl_cmd(cmd))
STAND_IN(int, semget, (key_t key, int nsems, int flags), (key, nsems, flags),
    "semget(0x%08lx, %d, 0%o)", (unsigned long)key & 0xffffffffUL, nsems,
    (unsigned)flags)
STAND_IN(int, semop, (int id, struct sembuf *ops, size_t nops),
    (id, ops, nops), "semop(%d, %lu)", id, (unsigned long)nops)
STAND_IN(int, mkstemp, (char *tmpl), (tmpl), "mkstemp(%s)", base(tmpl))
STAND_IN(int, mkostemp, (char *tmpl, int flags), (tmpl, flags),
    "mkostemp(%s)", base(tmpl))
STAND_IN(int, fchmod, (int fd, mode_t mode), (fd, mode),
    "fchmod(%d, 0%o)", fd, (unsigned)mode)
STAND_IN(int, close, (int fd), (fd), "close(%d)", fd)
STAND_IN(ssize_t, pread, (int fd, void *buf, size_t len, off_t off),
    (fd, buf, len, off), "pread(%d, %lu, %ld)", fd, (unsigned long)len,
    (long)off)
STAND_IN(ssize_t, pwrite, (int fd, const void *buf, size_t len, off_t off),
    (fd, buf, len, off), "pwrite(%d, %lu, %ld)", fd, (unsigned long)len,
    (long)off)
STAND_IN(int, ftruncate, (int fd, off_t len), (fd, len),
    "ftruncate(%d, %ld)", fd, (long)len)
STAND_IN(int, fstat, (int fd, struct stat *st), (fd, st), "fstat(%d)", fd)
STAND_IN(int, lstat, (const char *path, struct stat *st), (path, st),
    "lstat(%s)", base(path))
STAND_IN(int, link, (const char *from, const char *to), (from, to),
    "link(%s, %s)", base(from), base(to))
STAND_IN(int, unlink, (const char *path), (path), "unlink(%s)", base(path))
STAND_IN(int, rename, (const char *from, const char *to), (from, to),
    "rename(%s, %s)", base(from), base(to))
#if defined(HAVE_RENAMEAT2) && HAVE_DECL_RENAME_NOREPLACE
STAND_IN(int, renameat2, (int fromdir, const char *from, int todir,
    const char *to, unsigned int flags), (fromdir, from, todir, to, flags),
    "renameat2(%s, %s, %u)", base(from), base(to), flags)
#endif

void *
shmat(int id, const void *addr, int flags)
{
	static void *(*fn)(int, const void *, int);
	struct call c;
	void *r;

	NEXT(fn, "shmat");
	begin(&c, "shmat(%d, 0%o)", id, (unsigned)flags);
	r = fn(id, addr, flags);
	end(&c, r == (void *)-1 ? -1L : 0L);
	return r;
}

/* semctl(): the fourth argument, a union passed by value, is read and
 * handed on only for the commands that take one. */
int
semctl(int id, int num, int cmd, ...)
{
	static int (*fn)(int, int, int, ...);
	union semarg arg;
	struct call c;
	va_list ap;
	int r;

	NEXT(fn, "semctl");
	begin(&c, "semctl(%d, %d, %s)", id, num, semctl_cmd(cmd));
	if (semctl_bare(cmd))
		r = fn(id, num, cmd);
	else {
		va_start(ap, cmd);
		arg = va_arg(ap, union semarg);
		va_end(ap);
		r = fn(id, num, cmd, arg);
	}
	end(&c, r);
	return r;
}

/* open() and the like: the mode is there only with O_CREAT (or Linux's
 * O_TMPFILE). */
#ifdef O_TMPFILE
#define TAKES_MODE(flags) \
	((flags) & O_CREAT || ((flags) & O_TMPFILE) == O_TMPFILE)
#else
#define TAKES_MODE(flags) ((flags) & O_CREAT)
#endif

static int
open_as(const char *name, int (**fn)(const char *, int, ...),
    const char *path, int flags, mode_t mode)
{
	struct call c;
	int r;

	NEXT(*fn, name);
	begin(&c, "%s(%s, 0%o)", name, base(path), (unsigned)flags);
	r = TAKES_MODE(flags) ? (*fn)(path, flags, mode) : (*fn)(path, flags);
	end(&c, r);
	return r;
}

int
open(const char *path, int flags, ...)
{
	static int (*fn)(const char *, int, ...);
	va_list ap;
	mode_t mode = 0;

	if (TAKES_MODE(flags)) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return open_as("open", &fn, path, flags, mode);
}

/* fcntl() and the like: the argument is a pointer, an int, or none.
 * Commands that take none are called with none. */
static int
fcntl_as(const char *name, int (**fn)(int, int, ...), int fd, int cmd,
    va_list ap)
{
	struct call c;
	int r;

	NEXT(*fn, name);
	begin(&c, "%s(%d, %s)", name, fd, fcntl_cmd(cmd));
	if (lock_cmd(cmd))
		r = (*fn)(fd, cmd, va_arg(ap, struct flock *));
	else if (cmd == F_GETFD || cmd == F_GETFL)
		r = (*fn)(fd, cmd);
	else
		r = (*fn)(fd, cmd, va_arg(ap, int));
	end(&c, r);
	return r;
}

int
fcntl(int fd, int cmd, ...)
{
	static int (*fn)(int, int, ...);
	va_list ap;
	int r;

	va_start(ap, cmd);
	r = fcntl_as("fcntl", &fn, fd, cmd, ap);
	va_end(ap);
	return r;
}

#ifdef __GLIBC__
/*
 * The other names glibc gives these calls: with _FILE_OFFSET_BITS=64 on
 * 32-bit systems, and with _FORTIFY_SOURCE.  Declared here, since the
 * headers declare them only in those modes.
 */
int open64(const char *, int, ...);
int fcntl64(int, int, ...);
int __open_2(const char *, int);
int __open64_2(const char *, int);
ssize_t __pread_chk(int, void *, size_t, off_t, size_t);
ssize_t __pread64_chk(int, void *, size_t, off64_t, size_t);

STAND_IN(ssize_t, pread64, (int fd, void *buf, size_t len, off64_t off),
    (fd, buf, len, off), "pread64(%d, %lu, %ld)", fd, (unsigned long)len,
    (long)off)
STAND_IN(ssize_t, pwrite64, (int fd, const void *buf, size_t len,
    off64_t off), (fd, buf, len, off), "pwrite64(%d, %lu, %ld)", fd,
    (unsigned long)len, (long)off)
STAND_IN(int, ftruncate64, (int fd, off64_t len), (fd, len),
    "ftruncate64(%d, %ld)", fd, (long)len)
STAND_IN(int, fstat64, (int fd, struct stat64 *st), (fd, st),
    "fstat64(%d)", fd)
STAND_IN(int, lstat64, (const char *path, struct stat64 *st), (path, st),
    "lstat64(%s)", base(path))
STAND_IN(int, mkstemp64, (char *tmpl), (tmpl), "mkstemp64(%s)", base(tmpl))
STAND_IN(int, mkostemp64, (char *tmpl, int flags), (tmpl, flags),
    "mkostemp64(%s)", base(tmpl))
STAND_IN(int, __open_2, (const char *path, int flags), (path, flags),
    "__open_2(%s, 0%o)", base(path), (unsigned)flags)
STAND_IN(int, __open64_2, (const char *path, int flags), (path, flags),
    "__open64_2(%s, 0%o)", base(path), (unsigned)flags)
STAND_IN(ssize_t, __pread_chk, (int fd, void *buf, size_t len, off_t off,
    size_t room), (fd, buf, len, off, room), "__pread_chk(%d, %lu, %ld)",
    fd, (unsigned long)len, (long)off)
STAND_IN(ssize_t, __pread64_chk, (int fd, void *buf, size_t len,
    off64_t off, size_t room), (fd, buf, len, off, room),
    "__pread64_chk(%d, %lu, %ld)", fd, (unsigned long)len, (long)off)

int
open64(const char *path, int flags, ...)
{
	static int (*fn)(const char *, int, ...);
	va_list ap;
	mode_t mode = 0;

	if (TAKES_MODE(flags)) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return open_as("open64", &fn, path, flags, mode);
}

int
fcntl64(int fd, int cmd, ...)
{
	static int (*fn)(int, int, ...);
	va_list ap;
	int r;

	va_start(ap, cmd);
	r = fcntl_as("fcntl64", &fn, fd, cmd, ap);
	va_end(ap);
	return r;
}
#endif /* __GLIBC__ */
