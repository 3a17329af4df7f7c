/*
 * control.c - what a name costs: the library's create+close+unlink and
 * attach+close against the raw System V calls, which are their floor,
 * against POSIX shm_open+mmap, and against Python's SharedMemory; and
 * what its lock costs when nobody else holds it, against the raw semop
 * pair that is its floor.
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
#include <sys/sem.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sharedmem.h"
#include "bench.h"

#define SIZE		4096
#define MAX_REPEATS	99

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

/* The median time of one call of fn, in microseconds. */
static double
median(void (*fn)(void), long cycles, int repeats)
{
	double runs[MAX_REPEATS], start;
	long i;
	int r;

	for (r = 0; r < repeats; r++) {
		start = bench_now();
		for (i = 0; i < cycles; i++)
			fn();
		runs[r] = (bench_now() - start) / (double)cycles * 1e6;
	}
	return bench_median(runs, repeats);
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
	struct row rows[10];
	const char *csv = NULL, *script = NULL;
	long cycles = 20000;
	int repeats = 5, n = 0, c, i;
	sharedmem *kept;
	union semarg arg;
	int sem_slot, lock_slot;
	FILE *f;

	bench_init("control", 2);
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

	if ((raw_semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600)) == -1)
		die("semget");
	sem_slot = bench_guard(-1, raw_semid, NULL);
	arg.val = 1;
	if (semctl(raw_semid, 0, SETVAL, arg) == -1)
		die("semctl SETVAL");
	if ((locked = sharedmem_open("bench-control-lock",
	    SHAREDMEM_CREATE | SHAREDMEM_LOCK, SIZE, 0600)) == NULL)
		die("sharedmem_open bench-control-lock");
	lock_slot = bench_guard_shm(locked);
	rows[n].what = "System V semop -1, +1 (SEM_UNDO)";
	rows[n].us = median(raw_lock, cycles, repeats);
	rows[n++].floor = -1;
	rows[n].what = "sharedmem lock+unlock";
	rows[n].us = median(library_lock, cycles, repeats);
	rows[n].floor = rows[n - 1].us;
	n++;
	if (semctl(raw_semid, 0, IPC_RMID) == -1)
		die("semctl IPC_RMID");
	bench_unguard(sem_slot);
	bench_remove(locked, lock_slot);

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
