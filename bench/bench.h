/*
 * bench.h - what the benchmark programs share: a clock and medians
 * (timing.c); failing without leaving System V objects behind (guard.c);
 * a parent that waits on a semaphore for a child that may die (child.c);
 * whole reads and writes (io.c); pinning processes to CPUs (cpu.c); and
 * the rows of the common CSV file (csv.c).
 */
#ifndef BENCH_H
#define BENCH_H

#include <sys/types.h>

#include <stdio.h>

#include "sharedmem.h"

#if defined(__GNUC__) || defined(__clang__)
#define BENCH_NORETURN __attribute__((__noreturn__))
#define BENCH_PRINTF(f, a) __attribute__((__format__(__printf__, f, a)))
#else
#define BENCH_NORETURN
#define BENCH_PRINTF(f, a)
#endif

/* timing.c */

/* Seconds on the monotonic clock. */
double bench_now(void);

/* The median of the n values at v, which it sorts. */
double bench_median(double *v, int n);

/*
 * The programs run their contenders in turn within each round, so that a
 * machine busy with other work slows them alike, and compare them round
 * by round.  bench_spread() puts the least, the median and the greatest
 * of the ratios a[i] / b[i] of n rounds (at most BENCH_ROUNDS_MAX) in
 * spread[0..2]; bench_spread_text() writes them as "1.23x (1.10-1.40)".
 */
#define BENCH_ROUNDS_MAX 99
void bench_spread(const double *a, const double *b, int n, double spread[3]);
const char *bench_spread_text(const double spread[3], char *buf, size_t size);

/* guard.c */

/*
 * Names the program for its messages, and makes SIGINT, SIGTERM and SIGHUP
 * remove what it guards before they end it.  room is how many objects it
 * may guard at once.  Call before anything else here.
 */
void bench_init(const char *prog, int room);

/* Prints "prog: what: strerror(errno)", removes what is guarded and exits
 * with status 1; in a child of the program, only exits. */
void bench_die(const char *what) BENCH_NORETURN;

/* The same with a message of its own instead of errno's. */
void bench_fail(const char *fmt, ...) BENCH_PRINTF(1, 2) BENCH_NORETURN;

/*
 * Remembers a segment, a semaphore set (either -1) and a key file (or
 * NULL), to be removed if the program fails or is stopped by a signal.
 * Returns a slot for bench_unguard(), which forgets them once the program
 * has removed them itself.
 */
int bench_guard(int shmid, int semid, const char *keyfile);
int bench_guard_shm(const sharedmem *shm);
void bench_unguard(int slot);

/* Removes shm's segment and name, and closes it, or dies. */
void bench_remove(sharedmem *shm, int slot);

/* child.c */

/*
 * Makes a semaphore wait of the parent end when its child dies, which
 * would otherwise leave the parent waiting for a post that never comes.
 * Call once, before the first fork.
 */
void bench_watch_children(void);

/* To be called right before each fork(). */
void bench_forking(void);

/* Wait on semaphore sem of shm, or on semaphore num of the set semid, and
 * die if the child has died without posting it. */
void bench_wait(sharedmem *shm, unsigned int sem);
void bench_semop_wait(int semid, unsigned short num);

/* Waits for the child pid to end, and dies unless it ended well. */
void bench_reap(pid_t pid, const char *what);

/* Whether a child has ended since the last bench_forking(): for a parent
 * that waits without a system call that SIGCHLD would interrupt. */
int bench_child_ended(void);

/* io.c */

/* Writes the n bytes at buf to fd, or dies with what. */
void bench_write(int fd, const void *buf, size_t n, const char *what);

/* Reads n bytes from fd into buf, fewer only at the end of the file; dies
 * with what on an error. */
size_t bench_read(int fd, void *buf, size_t n, const char *what);

/* cpu.c */

/* How many CPUs the program may use; 0 if it cannot choose them. */
int bench_cpus(void);

/* Runs the calling process on the which-th of those CPUs only, from 0;
 * bench_unpin() lets it run on all of them again.  Without a way to
 * choose, both do nothing. */
void bench_pin(int which);
void bench_unpin(void);

/* csv.c */

/* Opens path for appending rows; NULL leaves the rows out. */
void bench_csv_open(const char *path);

/* Appends the row section,what,param,value,unit,ratio; a ratio of 0 or
 * less leaves it empty.  bench_csv_close() reports write errors. */
void bench_csv_row(const char *section, const char *what, double param,
    double value, const char *unit, double ratio);
void bench_csv_close(void);

#endif /* BENCH_H */
