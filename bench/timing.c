/*
 * timing.c - the clock, the medians, and the spread of ratios over
 * rounds of the benchmark programs.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"

double
bench_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		bench_die("clock_gettime");
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double
bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(v[0]), compare);
	if (n % 2 == 1)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

void
bench_spread(const double *a, const double *b, int n, double spread[3])
{
	double ratios[BENCH_ROUNDS_MAX];
	int i;

	for (i = 0; i < n; i++)
		ratios[i] = a[i] / b[i];
	spread[1] = bench_median(ratios, n);
	spread[0] = ratios[0];		/* sorted by bench_median() */
	spread[2] = ratios[n - 1];
}

const char *
bench_spread_text(const double spread[3], char *buf, size_t size)
{
	snprintf(buf, size, "%.2fx (%.2f-%.2f)", spread[1], spread[0],
	    spread[2]);
	return buf;
}
