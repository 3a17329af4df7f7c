/*
 * control.c - what a name costs: the library's create+unlink+close and
 * attach+close against the raw System V calls, against the same system
 * calls that the library makes, made alone, which are its floor, against
 * POSIX shm_open+mmap, and against CPython's SharedMemory, with
 * its resource tracker and without; the sharedmem module's SharedMemory
 * against CPython's, which it replaces; and what the lock costs, against
 * the raw semop pair that is its floor, when nobody else holds it and
 * when two processes on two CPUs take it in turn.
 *
 * Usage: control [-n CYCLES] [-r ROUNDS] [-o CSV] [-p CONTROL.PY]
 * [-m MODULE_DIR].  The rows of a group (creates, attaches, the lock, the
 * contended lock) take turns within each round, the order reversed every
 * other round, each timing CYCLES cycles (Python's too, in one long
 * batch); a row's figure is the median over the rounds, and each ratio is
 * taken round by round, so that a machine busy with other work slows both
 * sides of it alike.  MODULE_DIR (default python) holds the sharedmem
 * module.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/sem.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sharedmem.h"
#include "bench.h"
#include "control.h"

#define SIZE		4096

static key_t raw_key;
static char posix_name[64];

static void
die(const char *what)
{
	bench_die(what);
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

#ifdef HAVE_SHM_OPEN
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
static sharedmem *kept;
static char *kept_keyfile;

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

/* The time of one call of fn, in microseconds, over cycles calls. */
static double
time_calls(void (*fn)(void), long cycles)
{
	double start;
	long i;

	start = bench_now();
	for (i = 0; i < cycles; i++)
		fn();
	return (bench_now() - start) / (double)cycles * 1e6;
}

/* POSIX leaves the declaration of semctl()'s fourth argument to the
 * program, and some systems declare it anyway: hence a name of our own. */
union semarg {
	int		 val;
	struct semid_ds	*buf;
	unsigned short	*array;
};

static int raw_semid = -1;
static sharedmem *locked;

/* The lock's floor: the two semops of a lock and an unlock, undone by
 * the kernel if the process dies, as the library's are. */
static void
raw_lock(void)
{
	struct sembuf op;

	op.sem_num = 0;
	op.sem_op = -1;
	op.sem_flg = SEM_UNDO;
	if (semop(raw_semid, &op, 1) == -1)
		die("semop -1");
	op.sem_op = 1;
	if (semop(raw_semid, &op, 1) == -1)
		die("semop +1");
}

static void
library_lock(void)
{
	if (sharedmem_lock(locked) == -1 || sharedmem_unlock(locked) == -1)
		die("sharedmem_lock/unlock");
}

/* The rows, in their groups. */
enum row {
	RAW_CREATE, LIB_CREATE, FLOOR_CREATE, POSIX_CREATE, PY_TRACKED,
	PY_UNTRACKED, DROPIN_CREATE,
	RAW_ATTACH, LIB_ATTACH, FLOOR_ATTACH, PY_ATTACH, DROPIN_ATTACH,
	RAW_LOCK, LIB_LOCK,
	RAW_CONTEND, LIB_CONTEND,
	NROWS
};

#define NGROUPS 4
static const enum row group_first[NGROUPS + 1] = {
	RAW_CREATE, RAW_ATTACH, RAW_LOCK, RAW_CONTEND, NROWS
};

#define NONE	-1
static const struct {
	const char	*what;
	const char	*short_name;	/* in other rows' ratios */
	int		 against;	/* the rows of its ratios, or NONE */
	int		 also;
} rows[NROWS] = {
	{ "System V shmget+shmat+shmdt+IPC_RMID", "System V", NONE, NONE },
	{ "sharedmem create+unlink+close", NULL, RAW_CREATE, PY_TRACKED },
	{ "  its system calls alone", NULL, RAW_CREATE, NONE },
	{ "POSIX shm_open+ftruncate+mmap+munmap+shm_unlink", NULL, RAW_CREATE,
	    NONE },
	{ "CPython SharedMemory create+close+unlink", "CPython", RAW_CREATE,
	    NONE },
	{ "  the same, its resource tracker doing nothing", NULL, NONE, NONE },
	{ "drop-in SharedMemory create+close+unlink", NULL, PY_TRACKED,
	    RAW_CREATE },
	{ "System V shmget+shmat+shmdt", "System V", NONE, NONE },
	{ "sharedmem attach+close", NULL, RAW_ATTACH, PY_ATTACH },
	{ "  its system calls alone", NULL, RAW_ATTACH, NONE },
	{ "CPython SharedMemory(name)+close", "CPython", RAW_ATTACH, NONE },
	{ "drop-in SharedMemory(name)+close", NULL, PY_ATTACH, RAW_ATTACH },
	{ "System V semop -1, +1 (SEM_UNDO)", "semop", NONE, NONE },
	{ "sharedmem lock+unlock", NULL, RAW_LOCK, NONE },
	{ "System V semop lock+unlock, 2 processes, 2 CPUs", "semop", NONE,
	    NONE },
	{ "sharedmem lock+unlock, 2 processes, 2 CPUs", NULL, RAW_CONTEND,
	    NONE }
};

/* us[row][round], and which rows run here. */
static double us[NROWS][BENCH_ROUNDS_MAX];
static int present[NROWS];

#define CONTEND_WARM	0.1	/* seconds */
#define CONTEND_TIME	0.3

/* One round of row k: the time of one cycle, in microseconds; -1 for a
 * Python or a module that is not there. */
static double
measure(enum row k, long cycles)
{
	switch (k) {
	case RAW_CREATE:
		return time_calls(raw_cycle, cycles);
	case LIB_CREATE:
		return time_calls(library_cycle, cycles);
	case FLOOR_CREATE:
		return time_calls(floor_cycle, cycles);
#ifdef HAVE_SHM_OPEN
	case POSIX_CREATE:
		return time_calls(posix_cycle, cycles);
#endif
	case PY_TRACKED:
		return python_time("cycle", "cpython", cycles);
	case PY_UNTRACKED:
		return python_time("cycle", "cpython-quiet", cycles);
	case DROPIN_CREATE:
		return python_time("cycle", "drop-in", cycles);
	case RAW_ATTACH:
		return time_calls(raw_attach, cycles);
	case LIB_ATTACH:
		return time_calls(library_attach, cycles);
	case FLOOR_ATTACH:
		return time_calls(floor_attach, cycles);
	case PY_ATTACH:
		return python_time("attach", "cpython", cycles);
	case DROPIN_ATTACH:
		return python_time("attach", "drop-in", cycles);
	case RAW_LOCK:
		return time_calls(raw_lock, cycles);
	case LIB_LOCK:
		return time_calls(library_lock, cycles);
	case RAW_CONTEND:
		return contend(locked, raw_semid, CONTEND_WARM, CONTEND_TIME);
	default:
		return contend(locked, -1, CONTEND_WARM, CONTEND_TIME);
	}
}

/* The rounds of group g, its rows taking turns. */
static void
run_group(int g, long cycles, int rounds)
{
	int first = group_first[g], n = group_first[g + 1] - first, r, i, k;

	for (r = 0; r < rounds; r++)
		for (i = 0; i < n; i++) {
			k = first + (r % 2 == 0 ? i : n - 1 - i);
			if (present[k] &&
			    (us[k][r] = measure((enum row)k, cycles)) < 0)
				present[k] = 0;
		}
}

/* The segments, sets and names that the groups use, made before them;
 * the lock's serve the contended lock's group after it. */
static void
set_up(int g, int *slots)
{
	union semarg arg;

	switch (g) {
	case 0:
		floor_set_up(sharedmem_dir(), SIZE, NULL, -1);
		break;
	case 1:
		if ((raw_attached_id = shmget(raw_key, SIZE,
		    IPC_CREAT | IPC_EXCL | 0600)) == -1)
			die("shmget");
		slots[0] = bench_guard(raw_attached_id, -1, NULL);
		if ((kept = sharedmem_create("bench-control", SIZE)) == NULL)
			die("sharedmem_create");
		slots[1] = bench_guard_shm(kept);
		if ((kept_keyfile = sharedmem_keyfile("bench-control")) ==
		    NULL)
			die("sharedmem_keyfile");
		floor_set_up(sharedmem_dir(), SIZE, kept_keyfile,
		    sharedmem_id(kept));
		break;
	case 2:
		if ((raw_semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600)) ==
		    -1)
			die("semget");
		slots[0] = bench_guard(-1, raw_semid, NULL);
		arg.val = 1;
		if (semctl(raw_semid, 0, SETVAL, arg) == -1)
			die("semctl SETVAL");
		if ((locked = sharedmem_open("bench-control-lock",
		    SHAREDMEM_CREATE | SHAREDMEM_LOCK, SIZE, 0600)) == NULL)
			die("sharedmem_open bench-control-lock");
		slots[1] = bench_guard_shm(locked);
		break;
	}
}

static void
tear_down(int g, const int *slots)
{
	switch (g) {
	case 1:
		if (shmctl(raw_attached_id, IPC_RMID, NULL) == -1)
			die("shmctl IPC_RMID");
		bench_unguard(slots[0]);
		bench_remove(kept, slots[1]);
		free(kept_keyfile);
		break;
	case 3:
		if (semctl(raw_semid, 0, IPC_RMID) == -1)
			die("semctl IPC_RMID");
		bench_unguard(slots[0]);
		bench_remove(locked, slots[1]);
		break;
	}
}

/* Writes the median ratio of row k to row a, and its spread, with a's
 * short name, into buf; "" where a is not there. */
static const char *
ratio_text(int k, int a, int rounds, double *ratio, char *buf, size_t size)
{
	double spread[3];
	char text[64];

	buf[0] = '\0';
	if (a == NONE || !present[a])
		return buf;
	bench_spread(us[k], us[a], rounds, spread);
	*ratio = spread[1];
	(void)snprintf(buf, size, "%s %s", bench_spread_text(spread, text,
	    sizeof(text)), rows[a].short_name);
	return buf;
}

/* The figures of all groups, and each row's median and median ratio to
 * its first reference for the CSV file. */
static void
report(int rounds, double *median, double *ratio)
{
	double v[BENCH_ROUNDS_MAX], spread[3], other;
	char first[96], second[96];
	int k, r;

	printf("cycle, us (the median of %d rounds)%*s %10s   %s\n",
	    rounds, rounds < 10 ? 15 : 14, "", "us",
	    "ratio per round: median (least-greatest) of what");
	for (k = 0; k < NROWS; k++) {
		if (!present[k])
			continue;
		if (k == RAW_CONTEND)
			printf("the lock, contended:\n");
		for (r = 0; r < rounds; r++)
			v[r] = us[k][r];
		median[k] = bench_median(v, rounds);
		ratio[k] = 0;
		printf("%-50s %10.2f", rows[k].what, median[k]);
		if (k == PY_UNTRACKED && present[PY_TRACKED]) {
			bench_spread(us[k], us[PY_TRACKED], rounds, spread);
			printf("   the tracker: %.0f%% of CPython's "
			    "time (%.0f-%.0f%%)", 100 * (1 - spread[1]),
			    100 * (1 - spread[2]), 100 * (1 - spread[0]));
		}
		ratio_text(k, rows[k].against, rounds, &ratio[k], first,
		    sizeof(first));
		ratio_text(k, rows[k].also, rounds, &other, second,
		    sizeof(second));
		if (first[0] != '\0')
			printf("   %s", first);
		if (second[0] != '\0')
			printf(first[0] != '\0' ? ", %s" : "   %s", second);
		putchar('\n');
		if (k == LIB_CONTEND && present[RAW_CONTEND]) {
			bench_spread(us[RAW_CONTEND], us[LIB_CONTEND], rounds,
			    spread);
			printf("%-50s %10s   %s\n",
			    "  throughput, sharedmem over System V", "",
			    bench_spread_text(spread, first, sizeof(first)));
		}
	}
	printf("(\"drop-in\": the sharedmem module's SharedMemory, which "
	    "replaces CPython's)\n");
}

int
main(int argc, char **argv)
{
	double median[NROWS], ratio[NROWS];
	const char *csv = NULL, *script = NULL, *module_dir = "python";
	long cycles = 20000;
	int rounds = 7, c, g, k, slots[2] = { -1, -1 };
	FILE *f;

	bench_init("control", 4);
	while ((c = getopt(argc, argv, "m:n:o:p:r:")) != -1) {
		switch (c) {
		case 'm':
			module_dir = optarg;
			break;
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
			rounds = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: control [-n CYCLES] "
			    "[-r ROUNDS] [-o CSV] [-p CONTROL.PY] "
			    "[-m MODULE_DIR]\n");
			return 2;
		}
	}
	if (cycles < 1 || rounds < 1 || rounds > BENCH_ROUNDS_MAX) {
		fprintf(stderr, "control: bad -n or -r\n");
		return 2;
	}
	raw_key = (key_t)(0x62000000L | ((long)getpid() & 0xffff) << 8);
	snprintf(posix_name, sizeof(posix_name), "/bench-control.%ld",
	    (long)getpid());
	bench_watch_children();

	for (k = 0; k < NROWS; k++)
		present[k] = 1;
#ifndef HAVE_SHM_OPEN
	present[POSIX_CREATE] = 0;
#endif
	if (script == NULL || python_start(script, module_dir) == -1)
		present[PY_TRACKED] = present[PY_UNTRACKED] =
		    present[DROPIN_CREATE] = present[PY_ATTACH] =
		    present[DROPIN_ATTACH] = 0;
	if (bench_cpus() < 2)
		present[RAW_CONTEND] = present[LIB_CONTEND] = 0;

	for (g = 0; g < NGROUPS; g++) {
		set_up(g, slots);
		run_group(g, cycles, rounds);
		tear_down(g, slots);
	}
	python_stop();

	report(rounds, median, ratio);
	if (!present[RAW_CONTEND])
		printf("(no contended lock: it needs two CPUs to run on)\n");
	if (csv != NULL) {
		if ((f = fopen(csv, "w")) == NULL)
			die(csv);
		fprintf(f, "what,microseconds,ratio\n");
		for (k = 0; k < NROWS; k++)
			if (present[k])
				fprintf(f, "\"%s\",%.3f,%.3f\n", rows[k].what,
				    median[k], ratio[k] > 0 ? ratio[k] : 1.0);
		if (fclose(f) != 0)
			die(csv);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
