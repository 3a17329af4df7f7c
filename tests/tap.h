/*
 * tap.h - the Test Anything Protocol for the C tests, and what they share.
 */
#ifndef SHAREDMEM_TAP_H
#define SHAREDMEM_TAP_H

#include <sys/types.h>

#if defined(__GNUC__) || defined(__clang__)
#define TAP_PRINTF(f, a) __attribute__((__format__(__printf__, f, a)))
#define TAP_NORETURN __attribute__((__noreturn__))
#else
#define TAP_PRINTF(f, a)
#define TAP_NORETURN
#endif

void	plan(int);
int	ok(int, const char *, ...) TAP_PRINTF(2, 3);
void	diag(const char *, ...) TAP_PRINTF(1, 2);
void	skip(int, const char *, ...) TAP_PRINTF(2, 3);
void	skip_all(const char *, ...) TAP_PRINTF(1, 2) TAP_NORETURN;
void	bail_out(const char *, ...) TAP_PRINTF(1, 2) TAP_NORETURN;
int	exit_status(void);

/* ok() for an errno: passes when the call failed with want. */
int	ok_errno(int, int, int, const char *);
/* The same for an expression that is -1 on failure; it is evaluated
 * before errno is read. */
#define FAILS_WITH(expr, want, what) do {				\
	int fails_r_;							\
	errno = 0;							\
	fails_r_ = (expr);						\
	ok_errno(fails_r_, errno, (want), (what));			\
} while (0)

/* Whether shmctl(IPC_STAT) reports the mode a segment was made with:
 * qemu-user for s390x puts it in the wrong half of the field. */
#define MODE_MISREPORTED "shmctl(IPC_STAT) misreports modes here (an emulator?)"
int	ipc_reports_mode(void);
/* Whether semctl(IPC_STAT) shows a set that no semop() touched with a
 * sem_otime of 0: qemu-user for 32-bit targets shows garbage. */
#define SEM_TIMES_MISREPORTED \
	"semctl(IPC_STAT) misreports sem_otime here (an emulator?)"
int	ipc_reports_sem_times(void);
/* Whether shmat() attaches a segment that shmget() made with huge pages,
 * where one can be made: qemu-user refuses with EINVAL. */
#define HUGE_ATTACH_REFUSED \
	"shmat() refuses a segment of huge pages here (an emulator?)"
int	ipc_attaches_huge_pages(void);

/* Records a System V object the test made by hand, so that the sweep
 * after the test removes it should the test die first. */
void	track_shm(int);
void	track_sem(int);

/* The entries of the key directory but the test's own list of ids and
 * the file except (NULL: none), each shown as a diagnostic. */
int	keydir_entries(const char *);

/* A key file's path in the test's key directory, in a static buffer. */
const char *keyfile(const char *);

/* semctl(id, 0, IPC_STAT) into *ds, without the union that POSIX leaves
 * the caller to declare: returns 0, or -1 with errno. */
struct semid_ds;
int	set_stat(int, struct semid_ds *);

/* Runs argv[0], found on PATH, with argv, its standard input and output
 * on pipes: *in is for writing to it, *out for reading from it. */
pid_t	spawn_piped(char *const *, int *, int *);

/* Writes the Perl program that sharedmem(7) prints, unescaped, to path:
 * 0, or -1 if the page has none. */
int	page_program(const char *);

/* Writes name's key file anew as a later release might: the fields in
 * the other order, and fields that this release does not know among
 * them. */
void	later_release(const char *);

/* Seconds on the monotonic clock. */
double	clock_seconds(void);

/* fork(), or bail out. */
pid_t	fork_or_bail(void);

/* Why the waits of this process do not poll before they sleep, for a
 * skip; NULL where they do (sharedmem(3), "Polling before sleeping"). */
const char *no_polling(void);

/* Waits for pid; returns its exit status, or 128 + the signal. */
int	wait_child(pid_t);

/*
 * Makes ftok() give the same key for every path: runs the test again
 * with tests/ftok_fixed loaded through LD_PRELOAD, and returns the key.
 * Skips the whole test where the preload does not take.
 */
key_t	fixed_ftok(char **);
/* The key n after key (the keys fixed_ftok() hands out do not wrap). */
key_t	key_plus(key_t, int);

#endif
