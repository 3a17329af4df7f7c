/*
 * tap.c - TAP output for the C tests (automake's tap-driver.sh reads it).
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#ifdef HAVE_CPU_AFFINITY
#include <sched.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sharedmem.h"
#include "tap.h"

static int planned, run, failed;

static void vline(const char *, const char *, va_list) TAP_PRINTF(2, 0);

void
plan(int n)
{
	planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static void
vline(const char *status, const char *fmt, va_list ap)
{
	printf("%s %d - ", status, ++run);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

int
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(cond ? "ok" : "not ok", fmt, ap);
	va_end(ap);
	if (!cond)
		failed++;
	return cond;
}

int
ok_errno(int r, int err, int want, const char *what)
{
	if (r == -1 && err == want)
		return ok(1, "%s: %s", what, strerror(want));
	return ok(0, "%s: want -1/%s, got %d/%s", what, strerror(want), r,
	    r == -1 ? strerror(err) : "no error");
}

void
diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void
skip(int n, const char *fmt, ...)
{
	va_list ap;

	while (n-- > 0) {
		printf("ok %d # SKIP ", ++run);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		putchar('\n');
	}
	fflush(stdout);
}

void
skip_all(const char *fmt, ...)
{
	va_list ap;

	printf("1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(0);
}

void
bail_out(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(99);
}

int
exit_status(void)
{
	if (run != planned)
		diag("planned %d tests, ran %d", planned, run);
	return failed == 0 && run == planned ? 0 : 1;
}

static void
track(char type, int id)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tracked-ids", sharedmem_dir());
	if ((f = fopen(path, "a")) == NULL)
		bail_out("cannot record id %c %d in %s: %s", type, id, path,
		    strerror(errno));
	fprintf(f, "%c %d\n", type, id);
	if (fclose(f) != 0)
		bail_out("cannot record id %c %d in %s", type, id, path);
}

int
ipc_reports_mode(void)
{
	struct shmid_ds ds;
	int id, r;

	if ((id = shmget(IPC_PRIVATE, 1, IPC_CREAT | 0640)) == -1)
		bail_out("shmget: %s", strerror(errno));
	r = shmctl(id, IPC_STAT, &ds) == 0 && (ds.shm_perm.mode & 0777) == 0640;
	if (shmctl(id, IPC_RMID, NULL) == -1)
		bail_out("shmctl IPC_RMID %d: %s", id, strerror(errno));
	return r;
}

/* semctl()'s fourth argument, which POSIX leaves to the caller. */
union semarg {
	int		 val;
	struct semid_ds	*buf;
	unsigned short	*array;
};

int
set_stat(int id, struct semid_ds *ds)
{
	union semarg arg;

	arg.buf = ds;
	return semctl(id, 0, IPC_STAT, arg);
}

int
ipc_reports_sem_times(void)
{
	unsigned short values[1] = { 1 };
	union semarg arg;
	struct semid_ds ds;
	int id, r;

	if ((id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600)) == -1)
		bail_out("semget: %s", strerror(errno));
	arg.array = values;
	r = semctl(id, 0, SETALL, arg) == 0;
	r = r && set_stat(id, &ds) == 0 && ds.sem_otime == 0;
	if (semctl(id, 0, IPC_RMID) == -1)
		bail_out("semctl IPC_RMID %d: %s", id, strerror(errno));
	return r;
}

int
ipc_attaches_huge_pages(void)
{
#if HAVE_DECL_SHM_HUGETLB
	void *p;
	int id, r;

	/* One huge page: the system rounds the size up. */
	if ((id = shmget(IPC_PRIVATE, 1, IPC_CREAT | SHM_HUGETLB | 0600)) == -1)
		return 1;	/* none to be had, so none refused */
	p = shmat(id, NULL, 0);
	r = p != (void *)-1 || errno != EINVAL;
	if (p != (void *)-1 && shmdt(p) == -1)
		bail_out("shmdt: %s", strerror(errno));
	if (shmctl(id, IPC_RMID, NULL) == -1)
		bail_out("shmctl IPC_RMID %d: %s", id, strerror(errno));
	return r;
#else
	return 1;
#endif
}

void
track_shm(int id)
{
	track('m', id);
}

void
track_sem(int id)
{
	track('s', id);
}

double
clock_seconds(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		bail_out("clock_gettime: %s", strerror(errno));
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

pid_t
spawn_piped(char *const *argv, int *in, int *out)
{
	int to[2], from[2];
	pid_t pid;

	if (pipe(to) == -1 || pipe(from) == -1)
		bail_out("pipe: %s", strerror(errno));
	fflush(stdout);
	if ((pid = fork_or_bail()) == 0) {
		if (dup2(to[0], STDIN_FILENO) == -1 ||
		    dup2(from[1], STDOUT_FILENO) == -1)
			_exit(99);
		(void)close(to[1]);
		(void)close(from[0]);
		execvp(argv[0], argv);
		_exit(98);
	}
	(void)close(to[0]);
	(void)close(from[1]);
	*in = to[1];
	*out = from[0];
	return pid;
}

pid_t
fork_or_bail(void)
{
	pid_t pid = fork();

	if (pid == -1)
		bail_out("fork: %s", strerror(errno));
	return pid;
}

/* The CPUs this process may run on, as far as it can tell: its affinity
 * where the system has one, else the CPUs online; 0 if unknown. */
static int
usable_cpus(void)
{
#ifdef HAVE_CPU_AFFINITY
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
#endif
#if HAVE_DECL__SC_NPROCESSORS_ONLN
	{
		long n = sysconf(_SC_NPROCESSORS_ONLN);

		return n > 0 ? (int)n : 0;
	}
#else
	return 0;
#endif
}

const char *
no_polling(void)
{
#ifdef HAVE_ATOMIC_BUILTINS
	return usable_cpus() > 1 ? NULL : "this process may run on one CPU "
	    "only, where a wait sleeps at once";
#else
	return "without the compiler's atomics, waits never poll";
#endif
}

const char *
keyfile(const char *name)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/sharedmem.%s", sharedmem_dir(), name);
	return path;
}

int
wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			bail_out("waitpid: %s", strerror(errno));
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

key_t
fixed_ftok(char **argv)
{
	const char *builddir = getenv("top_builddir");
	char preload[4096], key[32];

	if (getenv("SHAREDMEM_FTOK_KEY") == NULL) {
		if (builddir == NULL)
			builddir = ".";
		snprintf(preload, sizeof(preload), "%s/tests/.libs/ftok_fixed.so",
		    builddir);
		if (access(preload, R_OK) != 0)
			skip_all("no %s to interpose ftok() with", preload);
		/* The first of 256 keys of this run's own, so that tests
		 * running side by side, whose creates probe past their
		 * first key, stay apart. */
		snprintf(key, sizeof(key), "0x%08lx",
		    0x7e000000UL | ((unsigned long)getpid() & 0xffffUL) << 8);
		/* AddressSanitizer wants to be loaded first; the module
		 * does not allocate, so the order does not matter. */
		if (setenv("SHAREDMEM_FTOK_KEY", key, 1) == -1 ||
		    setenv("LD_PRELOAD", preload, 1) == -1 ||
		    setenv("ASAN_OPTIONS", "verify_asan_link_order=0", 0) == -1)
			bail_out("setenv: %s", strerror(errno));
		execv(argv[0], argv);
		bail_out("exec %s: %s", argv[0], strerror(errno));
	}
	if (ftok("/", 1) != ftok(".", 2) || ftok("/", 1) == (key_t)-1)
		skip_all("ftok() cannot be interposed with LD_PRELOAD here");
	return ftok("/", 1);
}

key_t
key_plus(key_t key, int n)
{
	return (key_t)((unsigned long)key + (unsigned long)n);
}

int
keydir_entries(const char *except)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir(sharedmem_dir())) == NULL)
		bail_out("opendir %s: %s", sharedmem_dir(), strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "tracked-ids") == 0 ||
		    (except != NULL && strcmp(de->d_name, except) == 0))
			continue;
		diag("in the key directory: %s", de->d_name);
		n++;
	}
	(void)closedir(d);
	return n;
}

/* The comment line of sharedmem(7) that comes before its program. */
#define PROGRAM_MARK "tests/lock_from_perl runs this program"

int
page_program(const char *path)
{
	const char *srcdir = getenv("top_srcdir");
	char page[4096], line[512], *p, *q;
	FILE *in, *out;
	int state = 0;

	snprintf(page, sizeof(page), "%s/doc/sharedmem.7",
	    srcdir != NULL ? srcdir : ".");
	if ((in = fopen(page, "r")) == NULL)
		bail_out("%s: %s", page, strerror(errno));
	if ((out = fopen(path, "w")) == NULL)
		bail_out("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), in) != NULL) {
		if (state == 0 && strstr(line, PROGRAM_MARK) != NULL)
			state = 1;
		else if (state == 1 && strncmp(line, ".Bd", 3) == 0)
			state = 2;
		else if (state == 2 && strncmp(line, ".Ed", 3) == 0) {
			state = 3;
			break;
		} else if (state == 2) {
			/* mdoc's escapes: \e is a backslash, \& nothing. */
			for (p = q = line; *p != '\0'; p++) {
				if (p[0] == '\\' && p[1] == 'e')
					*q++ = '\\', p++;
				else if (p[0] == '\\' && p[1] == '&')
					p++;
				else
					*q++ = *p;
			}
			*q = '\0';
			fputs(line, out);
		}
	}
	(void)fclose(in);
	if (fclose(out) != 0)
		bail_out("%s: %s", path, strerror(errno));
	return state == 3 ? 0 : -1;
}

void
later_release(const char *name)
{
	char line[1024], out[1100], tmp[4096], *field[32], *p;
	const char *path = keyfile(name);
	FILE *f;
	int n = 0, i;

	if ((f = fopen(path, "r")) == NULL ||
	    fgets(line, sizeof(line), f) == NULL)
		bail_out("%s: %s", path, strerror(errno));
	(void)fclose(f);
	line[strcspn(line, "\n")] = '\0';
	/* "sharedmem", the version, then the fields. */
	for (p = strtok(line, " "); p != NULL && n < 32; p = strtok(NULL, " "))
		field[n++] = p;
	if (n < 3)
		bail_out("%s: no record", path);
	snprintf(out, sizeof(out), "%s %s later=1", field[0], field[1]);
	for (i = n - 1; i >= 2; i--) {
		strcat(out, " ");
		strcat(out, field[i]);
		if (i == n / 2)
			strcat(out, " later_too=a=b,c");
	}
	strcat(out, "\n");
	snprintf(tmp, sizeof(tmp), "%s/later.tmp", sharedmem_dir());
	if ((f = fopen(tmp, "w")) == NULL || fputs(out, f) == EOF ||
	    fclose(f) != 0 || rename(tmp, path) == -1)
		bail_out("%s: %s", tmp, strerror(errno));
}
