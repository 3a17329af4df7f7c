/*
 * race.h - the harness of the torture tests that race processes against
 * each other (load, and the tests of things done behind the library's
 * back).
 *
 * A race forks one process for each racer, runs each until a deadline,
 * and adds up what they counted, which each sends its parent in one
 * write.  The parent waits for them all to end without reaping them, so
 * that their pids stay taken while it counts the segments they left: a
 * segment's creator pid then names one of them, not a newcomer's.  Every
 * racer dies of its own alarm if it hangs.
 */
#ifndef RACE_H
#define RACE_H

#include <sys/types.h>

#include <stdint.h>

#include "../tap.h"

#define RACE_PROCS	64	/* racers in one race, at most */
#define RACE_COUNTS	32	/* counts a racer keeps, at most */
#define RACE_SHOWN	5	/* anomalies a racer describes */

/*
 * What this process has counted since it was forked, indexed by the
 * test's own names for its counts, which start at 1: count 0 is the
 * anomalies, which race_anomaly() keeps.  RACE_COUNTS longs are less than
 * PIPE_BUF, so that a racer's report is never split.
 */
#define RACE_ANOMALIES	0
extern long race_count[RACE_COUNTS];

/* The racer's number in its race (0 in the parent). */
extern int race_index;

/* The pid of the first racer of the race, which those forked after it
 * know, so that they can tell what it made from anybody else's. */
extern pid_t race_first;

/* A racer: runs until the time until (clock_seconds()), counting into
 * race_count. */
typedef void race_fn(double until, void *arg);

/* What a race did. */
struct race {
	pid_t	pids[RACE_PROCS];
	int	n;
	int	reports;		/* racers that sent their counts */
	long	sum[RACE_COUNTS];	/* their counts added up */
	double	seconds;		/* from the start to the last report */
};

/* $SHAREDMEM_TORTURE_SECONDS, or def when it is unset or empty: the
 * test's time in all.  Bails out unless it is from 1 s to a day. */
double	race_torture_seconds(double def);
/* A whole number from $var, def when unset or empty; bails out unless it
 * is from min to max. */
long	race_env_number(const char *var, long def, long min, long max);

/* A random number: xorshift64*, cheap, seeded apart in each racer; and
 * the seeding, apart from other processes and runs, for a process that
 * race_spawn() did not make. */
uint64_t race_rnd(void);
void	race_seed(void);
/* Counts an anomaly, and describes the first few in one write each, so
 * that the lines of the racers do not mix. */
void	race_anomaly(const char *, ...) TAP_PRINTF(1, 2);
/* Naps for us microseconds (less if a signal comes). */
void	race_nap_us(long us);

/* Forks a process with its counts zeroed, a generator of its own and an
 * alarm in alarm_seconds; bails out if it cannot. */
pid_t	race_spawn(unsigned int alarm_seconds);
/* Waits until process pid has ended, without reaping it. */
void	race_await_end(pid_t);

/*
 * Runs each of the n racers fns[i](until, args[i]) in a process of its
 * own for seconds, with an alarm alarm_seconds from now, and adds up
 * their counts into r.  Returns once all have ended, unreaped: race_reap()
 * reaps them.
 */
void	race_run(struct race *r, race_fn *const *fns, void *const *args,
	    int n, double seconds, unsigned int alarm_seconds);
/* Reaps the racers of r; returns how many did not end cleanly (crashed,
 * hung, or sent no counts), each described. */
int	race_reap(struct race *r);
/* Removes the segments of this user made by the first n racers of r
 * that are still there, each a leak, and returns how many.  Only Linux
 * lists segments: elsewhere 0. */
long	race_leaked_segments(const struct race *r, int n);

#endif /* RACE_H */
