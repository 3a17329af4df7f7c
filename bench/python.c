/*
 * python.c - Python's SharedMemory beside the library, CPython's and the
 * sharedmem module's: a python3 process runs control.py for the whole
 * program, so that its start-up and its resource tracker's are paid once,
 * and times each batch it is asked for.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "bench.h"
#include "control.h"

static pid_t pid = -1;
static FILE *to, *from;

int
python_start(const char *script, const char *module_dir)
{
	int in[2], out[2];

	/* A python3 that has died must fail a write, not end the program. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		bench_die("signal");
	if (pipe(in) == -1 || pipe(out) == -1)
		bench_die("pipe");
	if (fflush(NULL) != 0)
		bench_die("fflush");
	if ((pid = fork()) == -1)
		bench_die("fork");
	if (pid == 0) {
		if (dup2(in[0], 0) == -1 || dup2(out[1], 1) == -1)
			_exit(127);
		(void)close(in[0]);
		(void)close(in[1]);
		(void)close(out[0]);
		(void)close(out[1]);
		execlp("python3", "python3", script, module_dir, (char *)NULL);
		_exit(127);
	}
	(void)close(in[0]);
	(void)close(out[1]);
	if ((to = fdopen(in[1], "w")) == NULL ||
	    (from = fdopen(out[0], "r")) == NULL)
		bench_die("fdopen");
	/* Its first batch starts the resource tracker: not timed. */
	if (python_time("cycle", "cpython", 100) < 0)
		return -1;
	return 0;
}

double
python_time(const char *what, const char *module, long n)
{
	double us;

	if (pid == -1)
		return -1;
	if (fprintf(to, "%s %s %ld\n", what, module, n) < 0 ||
	    fflush(to) != 0 || fscanf(from, "%lf", &us) != 1) {
		python_stop();
		return -1;
	}
	return us;
}

void
python_stop(void)
{
	int status;

	if (pid == -1)
		return;
	(void)fclose(to);
	(void)fclose(from);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		continue;
	pid = -1;
}
