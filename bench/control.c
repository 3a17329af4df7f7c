/*
 * control.c - what a name costs: the library's create+close+unlink and
 * attach+close against the raw System V calls, which are their floor,
 * against POSIX shm_open+mmap, and against Python's SharedMemory.
 *
 * Usage: control [-n CYCLES] [-r REPEATS] [-o CSV] [-p CONTROL.PY].  Each
 * row is the median over REPEATS runs of CYCLES cycles, all in this one
 * run, so that the ratios compare like with like on a shared machine.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sharedmem.h"

#define SIZE		4096
#define MAX_REPEATS	99

static key_t raw_key;
static char posix_name[64];

static void
die(const char *what)
{
	fprintf(stderr, "control: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double
now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		die("clock_gettime");
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
raw_cycle(void)
{
	void *addr;
	int id;

	if ((id = shmget(raw_key, SIZE, IPC_CREAT | IPC_EXCL | 0600)) == -1)
		die("shmget");
	if ((addr = shmat(id, NULL, 0)) == (void *)-1)
		die("shmat");
	if (shmdt(addr) == -1 || shmctl(id, IPC_RMID, NULL) == -1)
		die("shmdt/IPC_RMID");
}

static void
library_cycle(void)
{
	sharedmem *shm;

	if ((shm = sharedmem_create("bench-control", SIZE)) == NULL)
		die("sharedmem_create");
	if (sharedmem_unlink(shm) == -1 || sharedmem_close(shm) == -1)
		die("sharedmem_unlink/close");
}

#if HAVE_SHM_OPEN
static void
posix_cycle(void)
{
	void *addr;
	int fd;

	if ((fd = shm_open(posix_name, O_RDWR | O_CREAT | O_EXCL, 0600)) == -1)
		die("shm_open");
	if (ftruncate(fd, SIZE) == -1)
		die("ftruncate");
	if ((addr = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	    0)) == MAP_FAILED)
		die("mmap");
	if (munmap(addr, SIZE) == -1 || close(fd) == -1 ||
	    shm_unlink(posix_name) == -1)
		die("munmap/close/shm_unlink");
}
#endif

static int raw_attached_id;

static void
raw_attach(void)
{
	void *addr;
	int id;

	if ((id = shmget(raw_key, 0, 0)) == -1 ||
	    (addr = shmat(id, NULL, 0)) == (void *)-1 || shmdt(addr) == -1)
		die("raw attach");
}

static void
library_attach(void)
{
	sharedmem *shm;

	if ((shm = sharedmem_attach("bench-control")) == NULL ||
	    sharedmem_close(shm) == -1)
		die("sharedmem_attach/close");
}

static int
compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median time of one call of fn, in microseconds. */
static double
median(void (*fn)(void), long cycles, int repeats)
{
	double runs[MAX_REPEATS], start;
	long i;
	int r;

	for (r = 0; r < repeats; r++) {
		start = now();
		for (i = 0; i < cycles; i++)
			fn();
		runs[r] = (now() - start) / (double)cycles * 1e6;
	}
	qsort(runs, (size_t)repeats, sizeof(runs[0]), compare);
	return runs[repeats / 2];
}

/* Python's create+close+unlink, from control.py; -1 if there is none. */
static double
python_cycle(const char *script, long cycles, int repeats)
{
	char command[4096];
	double us = -1;
	FILE *p;

	if (script == NULL)
		return -1;
	snprintf(command, sizeof(command),
	    "python3 '%s' %ld %d 2>/dev/null", script, cycles, repeats);
	if ((p = popen(command, "r")) == NULL)
		return -1;
	if (fscanf(p, "%lf", &us) != 1)
		us = -1;
	if (pclose(p) != 0)
		us = -1;
	return us;
}

struct row {
	const char	*what;
	double		 us;
	double		 floor;	/* the row it is compared with */
};

int
main(int argc, char **argv)
{
	struct row rows[8];
	const char *csv = NULL, *script = NULL;
	long cycles = 20000;
	int repeats = 5, n = 0, c, i;
	sharedmem *kept;
	FILE *f;

	while ((c = getopt(argc, argv, "n:o:p:r:")) != -1) {
		switch (c) {
		case 'n':
			cycles = strtol(optarg, NULL, 10);
			break;
		case 'o':
			csv = optarg;
			break;
		case 'p':
			script = optarg;
			break;
		case 'r':
			repeats = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: control [-n CYCLES] "
			    "[-r REPEATS] [-o CSV] [-p CONTROL.PY]\n");
			return 2;
		}
	}
	if (cycles < 1 || repeats < 1 || repeats > MAX_REPEATS) {
		fprintf(stderr, "control: bad -n or -r\n");
		return 2;
	}
	raw_key = (key_t)(0x62000000L | ((long)getpid() & 0xffff) << 8);
	snprintf(posix_name, sizeof(posix_name), "/bench-control.%ld",
	    (long)getpid());

	rows[n].what = "System V shmget+shmat+shmdt+IPC_RMID";
	rows[n].us = median(raw_cycle, cycles, repeats);
	rows[n++].floor = -1;
	rows[n].what = "sharedmem create+unlink+close";
	rows[n].us = median(library_cycle, cycles, repeats);
	rows[n++].floor = rows[0].us;
#if HAVE_SHM_OPEN
	rows[n].what = "POSIX shm_open+ftruncate+mmap+munmap+shm_unlink";
	rows[n].us = median(posix_cycle, cycles, repeats);
	rows[n++].floor = rows[0].us;
#endif
	rows[n].what = "Python SharedMemory create+close+unlink";
	rows[n].us = python_cycle(script, cycles / 4, repeats);
	rows[n].floor = rows[1].us;	/* Python against the library */
	if (rows[n].us > 0)
		n++;

	if ((raw_attached_id = shmget(raw_key, SIZE,
	    IPC_CREAT | IPC_EXCL | 0600)) == -1)
		die("shmget");
	if ((kept = sharedmem_create("bench-control", SIZE)) == NULL)
		die("sharedmem_create");
	rows[n].what = "System V shmget+shmat+shmdt";
	rows[n].us = median(raw_attach, cycles, repeats);
	rows[n++].floor = -1;
	rows[n].what = "sharedmem attach+close";
	rows[n].us = median(library_attach, cycles, repeats);
	rows[n].floor = rows[n - 1].us;
	n++;
	if (shmctl(raw_attached_id, IPC_RMID, NULL) == -1 ||
	    sharedmem_unlink(kept) == -1 || sharedmem_close(kept) == -1)
		die("clean up");

	printf("%-50s %10s %8s\n", "cycle (median of runs)", "us", "ratio");
	for (i = 0; i < n; i++) {
		printf("%-50s %10.2f", rows[i].what, rows[i].us);
		if (rows[i].floor > 0)
			printf(" %7.2fx", rows[i].us / rows[i].floor);
		putchar('\n');
	}
	printf("(ratios: against the System V row above; Python's against "
	    "the library's)\n");
	if (csv != NULL) {
		if ((f = fopen(csv, "w")) == NULL)
			die(csv);
		fprintf(f, "what,microseconds,ratio\n");
		for (i = 0; i < n; i++)
			fprintf(f, "\"%s\",%.3f,%.3f\n", rows[i].what,
			    rows[i].us, rows[i].floor > 0 ?
			    rows[i].us / rows[i].floor : 1.0);
		if (fclose(f) != 0)
			die(csv);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
