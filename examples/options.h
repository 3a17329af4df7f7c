/*
 * options.h - what the example programs do alike with their options: the
 * usage line, -h, the messages of bad usage with exit status 2, and
 * seconds with a fraction.  Each program says once who it is.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdio.h>
#include <time.h>

#if defined(__GNUC__) || defined(__clang__)
#define OPTIONS_PRINTF(f, a) __attribute__((__format__(__printf__, f, a)))
#define OPTIONS_NORETURN __attribute__((__noreturn__))
#else
#define OPTIONS_PRINTF(f, a)
#define OPTIONS_NORETURN
#endif

/* The program's name, as its messages give it, and what its usage line
 * shows after the name. */
void	options_program(const char *name, const char *synopsis);

/* "usage: NAME SYNOPSIS" on f. */
void	options_usage(FILE *f);

/* Bad usage: "NAME: " and the message on stderr, the usage line after
 * it, and exit status 2. */
void	options_error(const char *, ...) OPTIONS_PRINTF(1, 2)
	    OPTIONS_NORETURN;

/* What getopt() returned for an option it does not take (':' for one
 * without its value, when the option string starts with ':'), as bad
 * usage. */
void	options_getopt_error(int) OPTIONS_NORETURN;

/* Bad usage if an operand is left from argv[optind] on. */
void	options_no_operands(int argc, char **argv);

/* -h: the usage line and then the text on stdout, and exit status 0;
 * 1, with a message, if stdout cannot be written. */
void	options_help(const char *, ...) OPTIONS_PRINTF(1, 2)
	    OPTIONS_NORETURN;

/* options_seconds(): 0 s is too little. */
#define OPTIONS_ABOVE_0	1

/*
 * Seconds: digits with an optional fraction, at most max, read digit by
 * digit rather than by strtod(), so that 0.05 is exactly 50 ms, no
 * exponent or "inf" slips in, and the locale's decimal point does not
 * matter.  Digits past the nanoseconds are dropped.  0, or -1 if s is no
 * such number.
 */
int	options_seconds(const char *s, long max, int flags,
	    struct timespec *ts);

#endif /* OPTIONS_H */
