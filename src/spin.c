/*
 * spin.c - how long a wait for the lock or a semaphore polls before it
 * sleeps.
 *
 * A process asleep in semop() wakes when the kernel wakes it, which takes
 * tens of microseconds when the poster runs on another CPU; a waiter that
 * polls with IPC_NOWAIT meanwhile sees the post within a system call.
 * Polling keeps the waiter's CPU busy, and is worse than useless when the
 * poster needs that very CPU.  Nothing tells a waiter where its poster
 * runs, so the polls are ruled by how they turn out.
 *
 * The rule, for each semaphore in this process: a wait that finds it taken
 * polls for at most its budget, then sleeps.  A poll that catches the post
 * after t doubles the budget, to at least 4t and SPIN_MIN_NS, and at most
 * the cap; one that misses halves it, and below SPIN_MIN_NS it is 0: waits
 * sleep at once.  From 0, a probe polls for the whole cap after 1, 2, 4 ...
 * up to 2^SPIN_LEVEL_MAX more calls; the first probe that catches starts
 * the budget again.  A process that may run on one CPU only probes only
 * every 2^SPIN_LEVEL_MAX calls, since its poster may well share that CPU
 * (two processes pinned to two CPUs still find each other that way); on a
 * system with one CPU, or where the number cannot be known, waits never
 * poll.  So a wait burns at most the cap (SHAREDMEM_SPIN microseconds,
 * SPIN_CAP_US unless set), and where waits are long or the poster shares
 * the CPU, a cap every 2^SPIN_LEVEL_MAX calls.
 *
 * The budgets live in a small table, by semaphore set and number: two
 * semaphores that share an entry share a budget, which costs speed, never
 * correctness.  Threads share it through relaxed atomics; without the
 * compiler's atomics, waits never poll.
 */
#include <config.h>

#include <sys/types.h>

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#ifdef HAVE_CPU_AFFINITY
#include <sched.h>
#endif

#include "internal.h"

#define SPIN_CAP_US	50		/* the default cap, microseconds */
#define SPIN_CAP_MAX_US	1000000		/* SHAREDMEM_SPIN at most a second */
#define SPIN_MIN_NS	2000L		/* a budget below is no budget */
#define SPIN_LEVEL_MAX	10		/* probes at least every 1024 calls */
#define SPIN_SLOTS	64		/* a power of 2 */
#define CPUS_RECHECK	64		/* calls between looks at the CPUs */

#ifdef HAVE_ATOMIC_BUILTINS

#define LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)

/* One semaphore's history: its budget, and once that is 0, the calls
 * until the next probe and how far probes have backed off (2^level). */
struct slot {
	int	budget;		/* nanoseconds */
	int	countdown;
	int	level;
};

static struct slot slots[SPIN_SLOTS];

/* The cap in microseconds, -1 until SHAREDMEM_SPIN has been read. */
static int cap_us = -1;

/* Where the process may run, as cpus() counts it; and the calls until
 * the next count, which sees a process moved to other CPUs. */
enum cpus { CPUS_UNCOUNTED, CPUS_NONE, CPUS_ONE, CPUS_MANY };
static int cpus_state = CPUS_UNCOUNTED;
static int cpus_countdown;

/* The CPUs online, counted once (it is slow): -2 until then, -1 if the
 * system does not say. */
static int online_count = -2;

/* SHAREDMEM_SPIN: a number of microseconds up to SPIN_CAP_MAX_US, 0 for
 * none; unset, empty or anything else leaves the default. */
static int
cap_from_environment(void)
{
	const char *s = smi_getenv("SHAREDMEM_SPIN");
	long v = 0;

	if (s == NULL || *s == '\0')
		return SPIN_CAP_US;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return SPIN_CAP_US;
		v = v * 10 + (*s - '0');
		if (v > SPIN_CAP_MAX_US)
			return SPIN_CAP_US;
	}
	return (int)v;
}

/* The cap in nanoseconds; the environment is read once per process. */
static long
cap_ns(void)
{
	int us = LOAD(&cap_us);

	if (us < 0) {
		us = cap_from_environment();
		STORE(&cap_us, us);
	}
	return (long)us * 1000L;
}

#ifdef HAVE_CPU_AFFINITY
/* The CPUs in the process's affinity mask, or -1. */
static int
affinity_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == -1)
		return -1;
	return CPU_COUNT(&set);
}
#else
static int
affinity_cpus(void)
{
	return -1;
}
#endif

#if HAVE_DECL__SC_NPROCESSORS_ONLN
/* The CPUs online, or -1. */
static int
online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? -1 : n > INT_MAX ? INT_MAX : (int)n;
}
#else
static int
online_cpus(void)
{
	return -1;
}
#endif

/* The CPUs online, counted once per process. */
static int
online(void)
{
	int n = LOAD(&online_count);

	if (n == -2) {
		n = online_cpus();
		STORE(&online_count, n);
	}
	return n;
}

/*
 * Where the process may run: on more than one CPU; on one of several; or
 * on a system of one CPU, or one that does not say (CPUS_NONE).  Counted
 * again every CPUS_RECHECK calls.
 */
static enum cpus
cpus(void)
{
	int state = LOAD(&cpus_state), left = LOAD(&cpus_countdown), n;

	if (state == CPUS_UNCOUNTED || left <= 0) {
		n = affinity_cpus();
		if (n > 1)
			state = CPUS_MANY;
		else if (online() <= 1)
			state = CPUS_NONE;
		else
			state = n == 1 ? CPUS_ONE : CPUS_MANY;
		STORE(&cpus_state, state);
		left = CPUS_RECHECK;
	}
	STORE(&cpus_countdown, left - 1);
	return (enum cpus)state;
}

static struct slot *
slot_of(int semid, int num)
{
	unsigned long h = (unsigned long)(unsigned int)semid * 31UL +
	    (unsigned long)(unsigned int)num;

	return &slots[(h ^ h >> 6) & (SPIN_SLOTS - 1)];
}

long
smi_spin_budget(int semid, int num)
{
	struct slot *s;
	enum cpus where;
	long cap;
	int budget, left;

	if ((cap = cap_ns()) == 0 || (where = cpus()) == CPUS_NONE)
		return 0;
	s = slot_of(semid, num);
	if ((budget = LOAD(&s->budget)) > 0)
		return budget < cap ? budget : cap;
	if ((left = LOAD(&s->countdown)) > 0) {
		STORE(&s->countdown, left - 1);
		return 0;
	}
	if (where == CPUS_ONE && LOAD(&s->level) < SPIN_LEVEL_MAX) {
		/* A probe this early is for a process with CPUs to spare. */
		STORE(&s->countdown, 1 << SPIN_LEVEL_MAX);
		STORE(&s->level, SPIN_LEVEL_MAX);
		return 0;
	}
	return cap;		/* a probe */
}

void
smi_spin_caught(int semid, int num, long took_ns)
{
	struct slot *s = slot_of(semid, num);
	long long budget = 2LL * LOAD(&s->budget), cap = cap_ns();

	if (budget < 4LL * took_ns)
		budget = 4LL * took_ns;
	if (budget < SPIN_MIN_NS)
		budget = SPIN_MIN_NS;
	STORE(&s->budget, (int)(budget < cap ? budget : cap));
	STORE(&s->level, 0);
}

void
smi_spin_missed(int semid, int num)
{
	struct slot *s = slot_of(semid, num);
	int budget = LOAD(&s->budget) / 2, level;

	if (budget >= SPIN_MIN_NS) {
		STORE(&s->budget, budget);
		return;
	}
	level = LOAD(&s->level);
	STORE(&s->budget, 0);
	STORE(&s->countdown, 1 << level);
	if (level < SPIN_LEVEL_MAX)
		STORE(&s->level, level + 1);
}

#else /* !HAVE_ATOMIC_BUILTINS */

long
smi_spin_budget(int semid, int num)
{
	(void)semid;
	(void)num;
	return 0;
}

void
smi_spin_caught(int semid, int num, long took_ns)
{
	(void)semid;
	(void)num;
	(void)took_ns;
}

void
smi_spin_missed(int semid, int num)
{
	(void)semid;
	(void)num;
}

#endif /* HAVE_ATOMIC_BUILTINS */
