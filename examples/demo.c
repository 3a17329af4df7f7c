/*
 * demo.c - options, signals, the rounds and the printing of the demos.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/select.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sharedmem.h"
#include "../src/cli/keydir.h"
#include "demo.h"
#include "options.h"
#include "pyfloat.h"

#define DEFAULT_NAME	"MyMemory"

/* The longest pause, in seconds.  pselect() may refuse a timeout of more
 * than 31 days; nobody waits a day between two lines of a demo. */
#define PAUSE_MAX	86400

/* Where the doubles are: 8 bytes each with a byte between, as the
 * originals put them, so that all but the first are misaligned. */
static const size_t float64_at[] = { 0, 9, 18, 27 };

/* The signals that stop a demo, and the flag their handler sets. */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
static sigset_t stop_set;
static volatile sig_atomic_t stop;

static void
help(const struct demo_program *prog)
{
	options_help("%s\n\n"
	    "  -h          print this help and exit\n"
	    "  -i SECONDS  pause between rounds; default 1, fractions "
	    "allowed, 0 for none\n"
	    "  -m NAME     name of the segment; default %s\n"
	    "  -n COUNT    stop after COUNT rounds; default: at SIGINT, "
	    "SIGTERM or SIGHUP\n", prog->about, DEFAULT_NAME);
}

/* COUNT: a whole number above 0.  strtoul() alone would take a sign or
 * leading spaces. */
static int
parse_count(const char *s, unsigned long *count)
{
	unsigned long n;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || n == 0)
		return -1;
	*count = n;
	return 0;
}

static void
parse_options(struct demo *d, int argc, char **argv)
{
	int c;

	options_program(d->prog->name,
	    "[-h] [-i SECONDS] [-m NAME] [-n COUNT]");
	opterr = 0;
	while ((c = getopt(argc, argv, ":hi:m:n:")) != -1) {
		switch (c) {
		case 'h':
			help(d->prog);
			break;
		case 'i':
			if (options_seconds(optarg, PAUSE_MAX, 0,
			    &d->pause) == -1)
				options_error("-i wants seconds from 0 to %d, "
				    "like 0.5, not '%s'", PAUSE_MAX, optarg);
			break;
		case 'm':
			d->name = optarg;
			break;
		case 'n':
			if (parse_count(optarg, &d->rounds) == -1)
				options_error("-n wants a whole number above 0, "
				    "not '%s'", optarg);
			break;
		default:
			options_getopt_error(c);
		}
	}
	options_no_operands(argc, argv);
}

/* One line on stderr, with errno's story, and the exit status 1. */
static void
fail(struct demo *d, const char *what)
{
	fprintf(stderr, "%s: %s: %s: %s\n", d->prog->name, d->name, what,
	    strerror(errno));
	d->status = 1;
}

static void
die(struct demo *d, const char *what)
{
	fail(d, what);
	exit(1);
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * Without SA_RESTART, so that a signal cuts short the pause and a write
 * blocked on a full pipe.  SIGPIPE is ignored: a reader that goes away
 * makes the next write fail, and the demo cleans up before it exits,
 * instead of being killed with its segment left behind.
 */
static int
catch_signals(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	if (sigemptyset(&sa.sa_mask) == -1 || sigemptyset(&stop_set) == -1)
		return -1;
	sa.sa_handler = on_signal;
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		if (sigaddset(&stop_set, stop_signals[i]) == -1 ||
		    sigaction(stop_signals[i], &sa, NULL) == -1)
			return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

/*
 * Creation failed with EEXIST.  Most likely a process1 demo is running;
 * if none is, one was killed before it could clean up, and its segment is
 * left.  Removing the segment is all it takes: the library takes a name
 * whose segment is gone for a free one.
 */
static void
explain_exists(struct demo *d)
{
	sharedmem *other;

	if ((other = sharedmem_attach(d->name)) == NULL) {
		fprintf(stderr, "%s: %s: cannot create it: it exists already "
		    "(is a process1 demo running?), and cannot be attached "
		    "to find its shmid for ipcrm: %s\n", d->prog->name,
		    d->name, strerror(errno));
		exit(1);
	}
	fprintf(stderr, "%s: %s: cannot create it: it exists already (is a "
	    "process1 demo running? if none is, remove the stale segment "
	    "with: ipcrm -m %d)\n", d->prog->name, d->name,
	    sharedmem_id(other));
	/* Only looked at, and about to exit: a failed detach changes
	 * nothing. */
	(void)sharedmem_close(other);
	exit(1);
}

static void
create(struct demo *d)
{
	char why[1024];

	if ((d->shm = sharedmem_create(d->name, DEMO_SIZE)) != NULL)
		return;
	if (errno == EEXIST)
		explain_exists(d);
	if (keydir_fault(errno, why, sizeof(why))) {
		fprintf(stderr, "%s: %s: cannot create it: %s\n",
		    d->prog->name, d->name, why);
		exit(1);
	}
	die(d, "cannot create it");
}

static void
attach(struct demo *d)
{
	const char *creator = d->prog->creator;
	char why[1024];

	if ((d->shm = sharedmem_attach(d->name)) != NULL)
		return;
	if (keydir_fault(errno, why, sizeof(why))) {
		fprintf(stderr, "%s: %s: cannot attach it: %s\n",
		    d->prog->name, d->name, why);
		exit(1);
	}
	if (errno != ENOENT)
		die(d, "cannot attach it");
	if (strcmp(d->name, DEFAULT_NAME) == 0)
		fprintf(stderr, "%s: %s: cannot attach it: it does not exist; "
		    "start %s first\n", d->prog->name, d->name, creator);
	else
		fprintf(stderr, "%s: %s: cannot attach it: it does not exist; "
		    "start %s -m %s first\n", d->prog->name, d->name, creator,
		    d->name);
	exit(1);
}

void
demo_start(struct demo *d, const struct demo_program *prog, int argc,
    char **argv)
{
	memset(d, 0, sizeof(*d));
	d->prog = prog;
	d->name = DEFAULT_NAME;
	d->pause.tv_sec = 1;
	parse_options(d, argc, argv);
	/* Before the segment exists, so that no signal can kill the demo
	 * between its creation and the handlers. */
	if (catch_signals() == -1)
		die(d, "cannot catch signals");
	if (prog->creator == NULL)
		create(d);
	else
		attach(d);
	d->buf = sharedmem_buf(d->shm);
	if (sharedmem_size(d->shm) < DEMO_USED) {
		fprintf(stderr, "%s: %s: it has %lu bytes, fewer than the %d "
		    "that the demos use\n", prog->name, d->name,
		    (unsigned long)sharedmem_size(d->shm), DEMO_USED);
		/* Not ours to remove; about to exit anyway. */
		(void)sharedmem_close(d->shm);
		exit(1);
	}
}

/*
 * Sleeps the pause, or less if a stop signal comes.  The signals are
 * blocked from the test of the flag until pselect() unblocks them
 * atomically: one that came between the test and a plain sleep would be
 * noticed a whole pause late.
 */
static int
pause_round(const struct demo *d)
{
	sigset_t old;
	int r = 0, err;

	if (sigprocmask(SIG_BLOCK, &stop_set, &old) == -1)
		return -1;
	if (!stop && pselect(0, NULL, NULL, NULL, &d->pause, &old) == -1 &&
	    errno != EINTR)
		r = -1;
	err = errno;
	if (sigprocmask(SIG_SETMASK, &old, NULL) == -1)
		return -1;
	errno = err;
	return r;
}

int
demo_next(struct demo *d)
{
	if (d->status != 0 || stop)
		return 0;
	if (d->rounds != 0 && d->done == d->rounds)
		return 0;
	if (d->done > 0 && (d->pause.tv_sec != 0 || d->pause.tv_nsec != 0) &&
	    pause_round(d) == -1) {
		fail(d, "cannot pause");
		return 0;
	}
	if (stop)
		return 0;
	d->done++;
	return 1;
}

static void
print_failed(struct demo *d)
{
	/* A write cut short by a stop signal is part of stopping. */
	if (stop && errno == EINTR) {
		clearerr(stdout);
		return;
	}
	fail(d, "cannot write to standard output");
}

void
demo_print_uint8(struct demo *d)
{
	unsigned char v[4];

	memcpy(v, d->buf, sizeof(v));
	if (printf("%u\n%u\n%u\n%u\n", (unsigned int)v[0], (unsigned int)v[1],
	    (unsigned int)v[2], (unsigned int)v[3]) < 0 ||
	    fflush(stdout) == EOF)
		print_failed(d);
}

void
demo_put_float64(struct demo *d, size_t at, double x)
{
	memcpy(d->buf + at, &x, sizeof(x));
}

void
demo_print_float64(struct demo *d)
{
	char text[4][PYFLOAT_SIZE];
	double x;
	size_t i;

	for (i = 0; i < 4; i++) {
		memcpy(&x, d->buf + float64_at[i], sizeof(x));
		if (pyfloat_format(text[i], sizeof(text[i]), x) == -1) {
			fail(d, "cannot format a double");
			return;
		}
	}
	if (printf("%s\n%s\n%s\n%s\n", text[0], text[1], text[2], text[3]) <
	    0 || fflush(stdout) == EOF)
		print_failed(d);
}

int
demo_finish(struct demo *d)
{
	if (d->prog->creator == NULL && sharedmem_unlink(d->shm) == -1) {
		if (errno == ENOENT) {
			fprintf(stderr, "%s: %s: cannot remove it: somebody "
			    "else removed it already\n", d->prog->name,
			    d->name);
			d->status = 1;
		} else
			fail(d, "cannot remove it");
	}
	if (sharedmem_close(d->shm) == -1)
		fail(d, "cannot detach it");
	return d->status;
}
