/*
 * scale.c - many names in one key directory: what a create costs when
 * there are already many names beside it, and what `sharedmem ls` takes
 * to list them.
 *
 * Usage: scale -t TOOL [-r REPEATS] [-o CSV].  For each count of names,
 * each run creates that many 4 KiB segments, timing each create, lists
 * them with TOOL (the sharedmem tool) and removes them.  The figures are
 * medians of REPEATS runs.  A count that the system's limit on segments
 * (SHMMNI) cannot hold beside the segments already there is left out,
 * with the reason.
 */
#include <config.h>

#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "bench.h"

#define SIZE		4096

static const int counts[] = { 0, 10, 100, 1000, 4000 };
#define NCOUNTS (sizeof(counts) / sizeof(counts[0]))
#define MAX_NAMES 4000

static const char *tool;

/*
 * Seconds of one `TOOL -d DIR ls`, with the lines it printed in *lines.
 * The lines are read as the tool prints them, as a person's terminal
 * would; it is timed until it has ended.
 */
static double
list(long *lines)
{
	char buf[65536];
	double start, end;
	ssize_t i, r;
	int fds[2];
	pid_t pid;

	if (pipe(fds) == -1)
		bench_die("pipe");
	if (fflush(NULL) != 0)
		bench_die("fflush");
	start = bench_now();
	if ((pid = fork()) == -1)
		bench_die("fork");
	if (pid == 0) {
		if (dup2(fds[1], STDOUT_FILENO) == -1)
			bench_die("dup2");
		if (close(fds[0]) == -1 || close(fds[1]) == -1)
			bench_die("close");
		execl(tool, tool, "-d", sharedmem_dir(), "ls", (char *)NULL);
		bench_die(tool);
	}
	if (close(fds[1]) == -1)
		bench_die("close");
	*lines = 0;
	while ((r = read(fds[0], buf, sizeof(buf))) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			bench_die("read");
		}
		for (i = 0; i < r; i++)
			*lines += buf[i] == '\n';
	}
	if (close(fds[0]) == -1)
		bench_die("close");
	bench_reap(pid, tool);
	end = bench_now();
	return end - start;
}

/*
 * The segments that may still be made, from Linux's SHMMNI and the count
 * of segments in the system; -1 where the system does not tell.
 */
static long
segments_left(long *limit)
{
	char line[512];
	long used = -1;
	FILE *f;

	*limit = -1;
	if ((f = fopen("/proc/sys/kernel/shmmni", "r")) == NULL)
		return -1;
	if (fscanf(f, "%ld", limit) != 1)
		*limit = -1;
	(void)fclose(f);
	if (*limit < 0 || (f = fopen("/proc/sysvipc/shm", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strchr(line, '\n') != NULL)
			used++;		/* the first line is the header */
	(void)fclose(f);
	return used < 0 ? -1 : *limit - used;
}

/*
 * One run with n names: the microseconds of a create, on average, in
 * *create, the seconds of the listing in *ls.  Returns 0, or the count of
 * names made when the system ran out of segments (ENOSPC).
 */
static int
run(int n, int base_lines, double *create, double *ls)
{
	static sharedmem *shm[MAX_NAMES];
	static int slot[MAX_NAMES];
	char name[64];
	double start, sum = 0;
	long lines;
	int i, made;

	for (made = 0; made < n; made++) {
		snprintf(name, sizeof(name), "bench-scale-%d", made);
		/* Each create on its own, so as not to time the guard. */
		start = bench_now();
		shm[made] = sharedmem_create(name, SIZE);
		sum += bench_now() - start;
		if (shm[made] == NULL) {
			if (errno == ENOSPC)
				break;
			bench_die("sharedmem_create");
		}
		slot[made] = bench_guard_shm(shm[made]);
	}
	if (made == n) {
		*create = n > 0 ? sum / n * 1e6 : 0;
		*ls = list(&lines);
		if (lines != base_lines + n)
			bench_fail("%s ls printed %ld lines for %d names",
			    tool, lines, n);
	}
	for (i = 0; i < made; i++)
		bench_remove(shm[i], slot[i]);
	return made == n ? 0 : made;
}

static void
usage(void)
{
	fprintf(stderr, "usage: scale -t TOOL [-r REPEATS] [-o CSV]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	double create[NCOUNTS][BENCH_ROUNDS_MAX], ls[NCOUNTS][BENCH_ROUNDS_MAX];
	double mcreate[NCOUNTS], mls[NCOUNTS];
	const char *csv = NULL;
	char skipped[NCOUNTS][128];
	long lines, left, limit;
	size_t k;
	int repeats = 3, base_lines, made, r, c;

	bench_init("scale", MAX_NAMES + 1);
	while ((c = getopt(argc, argv, "o:r:t:")) != -1) {
		switch (c) {
		case 'o':
			csv = optarg;
			break;
		case 'r':
			repeats = atoi(optarg);
			break;
		case 't':
			tool = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || tool == NULL || repeats < 1 ||
	    repeats > BENCH_ROUNDS_MAX)
		usage();

	/* The header line, and a first run of the tool that is not timed:
	 * a libtool wrapper may finish building it then. */
	(void)list(&lines);
	base_lines = (int)lines;
	for (k = 0; k < NCOUNTS; k++) {
		skipped[k][0] = '\0';
		left = segments_left(&limit);
		if (left >= 0 && counts[k] > left) {
			snprintf(skipped[k], sizeof(skipped[k]),
			    "kernel.shmmni is %ld and %ld segments are in use",
			    limit, limit - left);
			continue;
		}
		for (r = 0; r < repeats && skipped[k][0] == '\0'; r++)
			if ((made = run(counts[k], base_lines, &create[k][r],
			    &ls[k][r])) != 0)
				snprintf(skipped[k], sizeof(skipped[k]),
				    "ENOSPC after %d names: no segments "
				    "left (SHMMNI), or over SHMALL", made);
		if (skipped[k][0] == '\0') {
			mcreate[k] = bench_median(create[k], repeats);
			mls[k] = bench_median(ls[k], repeats) * 1e3;
		}
	}

	printf("scale: names of %d bytes in one key directory "
	    "(median of %d)\n", SIZE, repeats);
	printf("%8s %14s %10s %14s\n", "names", "create us", "ls ms",
	    "ls us/name");
	bench_csv_open(csv);
	for (k = 0; k < NCOUNTS; k++) {
		if (skipped[k][0] != '\0') {
			printf("%8d skipped: %s\n", counts[k], skipped[k]);
			continue;
		}
		if (counts[k] == 0) {
			printf("%8d %14s %10.2f %14s\n", 0, "-", mls[k], "-");
			bench_csv_row("scale", "ls", 0, mls[k], "ms", 0);
			continue;
		}
		printf("%8d %14.2f %10.2f", counts[k], mcreate[k], mls[k]);
		if (skipped[0][0] == '\0')
			printf(" %14.2f", (mls[k] - mls[0]) * 1e3 /
			    counts[k]);
		putchar('\n');
		bench_csv_row("scale", "create", counts[k], mcreate[k],
		    "us/name", 0);
		bench_csv_row("scale", "ls", counts[k], mls[k], "ms", 0);
	}
	printf("(create: on average; ls us/name: beyond the listing of no "
	    "names)\n");
	bench_csv_close();
	return fflush(stdout) == 0 ? 0 : 1;
}
