/*
 * race.c - the harness of the racing torture tests: see race.h.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "race.h"

#define DAY	(24L * 3600)

long race_count[RACE_COUNTS];
int race_index;
pid_t race_first;

static uint64_t rng = 1;

double
race_torture_seconds(double def)
{
	const char *s = getenv("SHAREDMEM_TORTURE_SECONDS");
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return def;
	errno = 0;
	v = strtod(s, &end);
	/* v == v: not a NaN. */
	if (errno != 0 || end == s || *end != '\0' || !(v == v) || v < 1 ||
	    v > DAY)
		bail_out("$SHAREDMEM_TORTURE_SECONDS: not a number of seconds "
		    "from 1 to %ld: %s", DAY, s);
	return v;
}

long
race_env_number(const char *var, long def, long min, long max)
{
	const char *s = getenv(var);
	char *end;
	long n;

	if (s == NULL || *s == '\0')
		return def;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < min || n > max)
		bail_out("$%s: not a number from %ld to %ld: %s", var, min, max,
		    s);
	return n;
}

uint64_t
race_rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * UINT64_C(0x2545F4914F6CDD1D);
}

/* Apart in each process, and from run to run. */
void
race_seed(void)
{
	rng = (uint64_t)getpid() * UINT64_C(0x9E3779B97F4A7C15) ^
	    (uint64_t)time(NULL);
	if (rng == 0)
		rng = 1;
}

void
race_anomaly(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	if (race_count[RACE_ANOMALIES]++ >= RACE_SHOWN)
		return;
	n = snprintf(line, sizeof(line), "# racer %d (pid %ld): ", race_index,
	    (long)getpid());
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	/* One write, whole or not at all: a diagnostic is no result. */
	(void)write(STDOUT_FILENO, line, (size_t)n);
}

void
race_nap_us(long us)
{
	struct timespec ts;

	ts.tv_sec = us / 1000000;
	ts.tv_nsec = (us % 1000000) * 1000;
	/* Cut short by a signal: a shorter nap is still a nap. */
	(void)nanosleep(&ts, NULL);
}

pid_t
race_spawn(unsigned int alarm_seconds)
{
	pid_t pid;

	if (fflush(stdout) == EOF)
		bail_out("stdout: %s", strerror(errno));
	if ((pid = fork()) == -1)
		bail_out("fork: %s", strerror(errno));
	if (pid == 0) {
		if (signal(SIGALRM, SIG_DFL) == SIG_ERR)
			_exit(98);
		alarm(alarm_seconds);
		memset(race_count, 0, sizeof(race_count));
		race_seed();
	}
	return pid;
}

void
race_await_end(pid_t pid)
{
#ifdef WNOWAIT
	siginfo_t si;

	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == -1)
		if (errno != EINTR)
			bail_out("waitid: %s", strerror(errno));
#else
	/* Reaped later: a pid may be reused meanwhile, which only makes
	 * the segments of a newcomer count as leaks. */
	(void)pid;
#endif
}

void
race_run(struct race *r, race_fn *const *fns, void *const *args, int n,
    double seconds, unsigned int alarm_seconds)
{
	long got[RACE_COUNTS];
	double start = clock_seconds(), until = start + seconds;
	int report[2], i, j;

	if (n < 1 || n > RACE_PROCS)
		bail_out("a race of %d racers", n);
	memset(r, 0, sizeof(*r));
	r->n = n;
	if (pipe(report) == -1)
		bail_out("pipe: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		if ((r->pids[i] = race_spawn(alarm_seconds)) == 0) {
			(void)close(report[0]);
			race_index = i;
			fns[i](until, args[i]);
			_exit(write(report[1], race_count, sizeof(race_count))
			    == (ssize_t)sizeof(race_count) ? 0 : 1);
		}
		if (i == 0)
			race_first = r->pids[0];
	}
	(void)close(report[1]);
	while (read(report[0], got, sizeof(got)) == (ssize_t)sizeof(got)) {
		for (j = 0; j < RACE_COUNTS; j++)
			r->sum[j] += got[j];
		r->reports++;
	}
	(void)close(report[0]);
	r->seconds = clock_seconds() - start;
	for (i = 0; i < n; i++)
		race_await_end(r->pids[i]);
}

int
race_reap(struct race *r)
{
	int i, st, bad = 0;

	for (i = 0; i < r->n; i++)
		if ((st = wait_child(r->pids[i])) != 0) {
			diag("racer %d (pid %ld) ended with status %d%s", i,
			    (long)r->pids[i], st, st == 128 + SIGALRM ?
			    " (hung)" : st > 128 ? " (killed)" : "");
			bad++;
		}
	/* One that ended with 0 and sent nothing is not clean either. */
	return bad + (r->n - r->reports > bad ? r->n - r->reports - bad : 0);
}

long
race_leaked_segments(const struct race *r, int n)
{
	long leaks = 0;
#if defined(SHM_INFO) && defined(SHM_STAT)
	struct shm_info info;
	struct shmid_ds ds;
	int max, i, j, id;

	if ((max = shmctl(0, SHM_INFO, (struct shmid_ds *)(void *)&info)) ==
	    -1) {
		diag("SHM_INFO: %s: segments not checked", strerror(errno));
		return 0;
	}
	for (i = 0; i <= max; i++) {
		if ((id = shmctl(i, SHM_STAT, &ds)) == -1)
			continue;
		for (j = 0; j < n && j < r->n; j++)
			if (ds.shm_cpid == r->pids[j] &&
			    ds.shm_perm.uid == geteuid()) {
				if (leaks < RACE_SHOWN)
					diag("leak: shmid %d, %lu bytes, made by "
					    "racer %d (pid %ld), named by "
					    "nothing", id,
					    (unsigned long)ds.shm_segsz, j,
					    (long)r->pids[j]);
				if (shmctl(id, IPC_RMID, NULL) == -1)
					diag("shmid %d: %s", id,
					    strerror(errno));
				leaks++;
				break;
			}
	}
#else
	(void)r;
	(void)n;
	diag("no SHM_STAT here: unnamed segments are not looked for");
#endif
	return leaks;
}
