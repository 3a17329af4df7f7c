/*
 * spin_budget.c - the rule of src/spin.c, which this test is built with:
 * how long a wait polls a semaphore before it sleeps.  SHAREDMEM_SPIN
 * sets the cap in microseconds, 0 turns polling off, and any other value
 * leaves the default; it is read once per process.  A poll that catches
 * the post doubles the budget, to at least four times what the catch took;
 * one that misses halves it, down to none; from none, a probe polls for
 * the whole cap after 1, 2, 4 ... up to 1024 calls, and one that catches
 * starts the budget again.
 *
 * Each value of the variable is tried in a child of its own, since the
 * library reads it once per process.  Where waits do not poll (on one
 * CPU, at first; without the compiler's atomics), the test skips.
 */
#include <config.h>

#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "tap.h"

#define SEMID	4242		/* any semaphore will do */
#define NUM	1
#define DEFAULT_NS 50000L	/* the default cap */

/* The first budget of a child with SHAREDMEM_SPIN set to value (NULL:
 * unset); -1 if the child failed. */
static long
first_budget(const char *value)
{
	int fd[2];
	long budget = -1;
	pid_t pid;

	if (pipe(fd) == -1)
		bail_out("pipe: %s", strerror(errno));
	pid = fork_or_bail();
	if (pid == 0) {
		(void)close(fd[0]);
		if ((value != NULL ? setenv("SHAREDMEM_SPIN", value, 1) :
		    unsetenv("SHAREDMEM_SPIN")) == -1)
			_exit(3);
		budget = smi_spin_budget(SEMID, NUM);
		_exit(write(fd[1], &budget, sizeof(budget)) ==
		    (ssize_t)sizeof(budget) ? 0 : 4);
	}
	(void)close(fd[1]);
	if (read(fd[0], &budget, sizeof(budget)) != (ssize_t)sizeof(budget))
		budget = -1;
	(void)close(fd[0]);
	return wait_child(pid) == 0 ? budget : -1;
}

static void
test_variable(void)
{
	static const struct {
		const char	*value;
		long		 ns;
		const char	*what;
	} cases[] = {
		{ NULL, DEFAULT_NS, "unset: the default, 50 us" },
		{ "", DEFAULT_NS, "empty: the default" },
		{ "0", 0, "0: no polling" },
		{ "1", 1000, "1: 1 us" },
		{ "250", 250000, "250: 250 us" },
		{ "1000000", 1000000000L, "1000000: a second, the most" },
		{ "1000001", DEFAULT_NS, "1000001, past a second: default" },
		{ "12ab", DEFAULT_NS, "12ab: the default" },
		{ "-1", DEFAULT_NS, "-1: the default" },
		{ " 5", DEFAULT_NS, "' 5': the default" }
	};
	size_t i;
	long got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = first_budget(cases[i].value);
		ok(got == cases[i].ns, "SHAREDMEM_SPIN %s: a first wait "
		    "polls for %ld ns (%ld)", cases[i].what, cases[i].ns, got);
	}
}

/* The rule itself, with SHAREDMEM_SPIN at 100 us. */
static int
rule(void)
{
	long b;
	int i, level, zeros, bad = 0;

	if (setenv("SHAREDMEM_SPIN", "100", 1) == -1)
		return 3;
	ok(smi_spin_budget(SEMID, NUM) == 100000,
	    "a semaphore not waited on yet: a probe of the whole cap");
	smi_spin_caught(SEMID, NUM, 1000);
	ok(smi_spin_budget(SEMID, NUM) == 4000,
	    "caught after 1 us: a budget of 4 us");
	smi_spin_caught(SEMID, NUM, 100);
	ok(smi_spin_budget(SEMID, NUM) == 8000,
	    "caught again at once: the budget doubles, to 8 us");
	smi_spin_caught(SEMID, NUM, 40000);
	ok(smi_spin_budget(SEMID, NUM) == 100000,
	    "caught after 40 us: the whole cap, no more");
	ok(smi_spin_budget(SEMID + 1, NUM) == 100000,
	    "another semaphore keeps a budget of its own");
	for (b = 100000, i = 0; i < 5; i++) {
		smi_spin_missed(SEMID, NUM);
		b /= 2;
		if (smi_spin_budget(SEMID, NUM) != b)
			bad++;
	}
	ok(bad == 0, "each miss halves the budget, down to 3125 ns");
	smi_spin_missed(SEMID, NUM);
	ok(smi_spin_budget(SEMID, NUM) == 0,
	    "a miss below 2 us leaves no budget: the next wait sleeps");
	ok(smi_spin_budget(SEMID, NUM) == 100000,
	    "the one after it probes with the whole cap");

	/* Probes that miss: 2, 4 ... 1024 calls apart, and then 1024. */
	for (level = 1, bad = 0; level <= 11; level++) {
		smi_spin_missed(SEMID, NUM);
		for (zeros = 0; smi_spin_budget(SEMID, NUM) == 0 && zeros < 5000;
		    zeros++)
			continue;
		if (zeros != 1 << (level < 10 ? level : 10))
			bad++;
	}
	ok(bad == 0, "probes that miss come 2, 4 ... 1024 waits apart, and "
	    "then every 1024");
	smi_spin_caught(SEMID, NUM, 500);
	ok(smi_spin_budget(SEMID, NUM) == 2000,
	    "a probe that catches after 0.5 us starts a budget of 2 us");
	smi_spin_missed(SEMID, NUM);
	ok(smi_spin_budget(SEMID, NUM) == 0 && smi_spin_budget(SEMID, NUM) == 100000,
	    "and after it, misses back off from 1 wait again");

	(void)setenv("SHAREDMEM_SPIN", "0", 1);
	ok(smi_spin_budget(SEMID + 2, NUM) == 100000,
	    "SHAREDMEM_SPIN changed later is not read again");
	return 0;
}

int
main(void)
{
	const char *why;

	if ((why = no_polling()) != NULL)
		skip_all("%s", why);
	plan(22);
	test_variable();
	/* This process reads SHAREDMEM_SPIN only now, after its children. */
	if (rule() != 0)
		bail_out("setenv: %s", strerror(errno));
	return exit_status();
}
