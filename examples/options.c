/*
 * options.c - what the example programs do alike with their options: see
 * options.h.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "options.h"

#define USAGE_STATUS	2

static const char *program = "?", *program_synopsis = "";

void
options_program(const char *name, const char *synopsis)
{
	program = name;
	program_synopsis = synopsis;
}

void
options_usage(FILE *f)
{
	/* Going to exit: nothing better to do if it fails. */
	(void)fprintf(f, "usage: %s %s\n", program, program_synopsis);
}

void
options_error(const char *fmt, ...)
{
	va_list ap;

	(void)fprintf(stderr, "%s: ", program);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stderr);
	options_usage(stderr);
	exit(USAGE_STATUS);
}

void
options_getopt_error(int c)
{
	if (c == ':')
		options_error("-%c wants a value", optopt);
	options_error("unknown option -%c", optopt);
}

void
options_no_operands(int argc, char **argv)
{
	if (optind < argc)
		options_error("unexpected argument '%s'", argv[optind]);
}

void
options_help(const char *fmt, ...)
{
	va_list ap;

	options_usage(stdout);
	va_start(ap, fmt);
	(void)vprintf(fmt, ap);
	va_end(ap);
	/* Whatever failed on the way shows here. */
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "%s: cannot write to standard output: %s\n",
		    program, strerror(errno));
		exit(1);
	}
	exit(0);
}

int
options_seconds(const char *s, long max, int flags, struct timespec *ts)
{
	long sec = 0, nsec = 0, scale = 100000000L;
	int digits = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++)
		if ((sec = sec * 10 + (*s - '0')) > max)
			return -1;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++, digits++) {
			nsec += (*s - '0') * scale;
			scale /= 10;
		}
	if (*s != '\0' || digits == 0 || (sec == max && nsec > 0) ||
	    ((flags & OPTIONS_ABOVE_0) && sec == 0 && nsec == 0))
		return -1;
	ts->tv_sec = sec;
	ts->tv_nsec = nsec;
	return 0;
}
