/*
 * csv.c - the rows of bench/results.csv, which every benchmark program
 * appends to: section,case,param,value,unit,ratio.
 */
#include <config.h>

#include <stdio.h>

#include "bench.h"

static FILE *csv;
static const char *csv_path;

void
bench_csv_open(const char *path)
{
	if (path == NULL)
		return;
	if ((csv = fopen(path, "a")) == NULL)
		bench_die(path);
	csv_path = path;
}

void
bench_csv_row(const char *section, const char *what, double param,
    double value, const char *unit, double ratio)
{
	if (csv == NULL)
		return;
	fprintf(csv, "%s,%s,%.15g,%.6g,%s,", section, what, param, value,
	    unit);
	if (ratio > 0)
		fprintf(csv, "%.3f", ratio);
	fputc('\n', csv);
}

void
bench_csv_close(void)
{
	if (csv != NULL && fclose(csv) != 0)
		bench_die(csv_path);
	csv = NULL;
}
