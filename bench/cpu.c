/*
 * cpu.c - where a process runs.  Between two processes on one machine, a
 * handoff costs a few microseconds when both share a CPU and many more
 * when the other CPU must first be woken up; a scheduler that places
 * them as it likes mixes the two, run by run.  The benchmarks pin each
 * side, where the system lets them, so as to time each case on its own.
 */
#include <config.h>

#include <sched.h>

#include "bench.h"

#ifdef CPU_SETSIZE
static cpu_set_t allowed;
static int nallowed = -1;

/* The CPUs this process may use, as it started. */
static void
load_allowed(void)
{
	if (nallowed >= 0)
		return;
	if (sched_getaffinity(0, sizeof(allowed), &allowed) == -1)
		bench_die("sched_getaffinity");
	nallowed = CPU_COUNT(&allowed);
}

int
bench_cpus(void)
{
	load_allowed();
	return nallowed;
}

void
bench_pin(int which)
{
	cpu_set_t one;
	int cpu, seen = -1;

	load_allowed();
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &allowed) && ++seen == which)
			break;
	if (cpu == CPU_SETSIZE)
		bench_fail("no CPU number %d to run on", which);
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) == -1)
		bench_die("sched_setaffinity");
}

void
bench_unpin(void)
{
	load_allowed();
	if (sched_setaffinity(0, sizeof(allowed), &allowed) == -1)
		bench_die("sched_setaffinity");
}
#else
int
bench_cpus(void)
{
	return 0;
}

void
bench_pin(int which)
{
	(void)which;
}

void
bench_unpin(void)
{
}
#endif
