/*
 * behind.h - what the tests of things done behind the library's back
 * share: removed (segments and key files removed), replaced (key files
 * replaced by other kinds of files) and keydir (the key directory made
 * unreadable, removed, replaced and moved away).
 *
 * Each damage must give a clear error or a clean recovery: never a crash,
 * a hang (an alarm guards every process) or an attach of the wrong
 * segment.  Each case runs once in order, with every result checked, and
 * then as a race (race.h) for a share of the time: processes that keep
 * attaching, looking up, creating and collecting garbage against a
 * process that keeps doing the damage, so that it falls between the
 * library's steps.  The races count operations, faults injected and
 * anomalies (a result that is neither the expected error nor the right
 * segment).  Segments carry their name and their creator's tag, so that a
 * wrong one shows.
 *
 * Duration: $SHAREDMEM_TORTURE_SECONDS for the races of the three tests
 * in all, or 5 seconds when it is unset or empty; each test runs its
 * share of it.
 */
#ifndef BEHIND_H
#define BEHIND_H

#include <sys/types.h>

#include "sharedmem.h"
#include "race.h"

#define SIZE		4096	/* of the segments the checks make */

/* The counts of a racer, beside race.h's anomalies. */
enum {
	OPS = 1,	/* library calls */
	RIGHT,		/* attaches that got the right segment */
	REFUSED,	/* the expected errors */
	FAULTS,		/* damage done */
	TAKEN,		/* names created while their file was away */
	MISSED,		/* planted files gone when they were to go */
	NCOUNTS
};

/* The start of every segment these tests make; the rest of the segment
 * is filled with the byte fill. */
struct mark {
	char		name[32];
	long		owner;
	unsigned long	serial;
	unsigned long	size;
	unsigned char	fill;
	volatile unsigned long ready;
};

/* The handles the checks hold, at file scope, so that processes that
 * exit holding them do not seem to leak them; hv is the victim, a name
 * that the damage must leave alone. */
extern sharedmem *volatile h1, *volatile h2, *volatile hv;

extern char dir[4096], away[4200];	/* the key directory, moved away */
extern uid_t dir_owner;		/* to give the directory back */
extern int no_tracking;		/* in a child that is not root */
extern double race_seconds;	/* the races of all three tests */
extern long total_leaks;

/*
 * Sets up a test of plan checks: the key directory, the alarm that puts
 * it back, and the clean-up after a bail-out.  Returns the time of the
 * races of all three tests.
 */
double	behind_start(int plan);
/* The last check, that the key directory is empty, and the figures of
 * the test what; returns the exit status. */
int	behind_end(const char *what);

/* Records a segment for the sweep, should the test die with it. */
void	track(int id);
/* Tracks the segments again in a key directory made anew. */
void	retrack(void);

void	write_file(const char *path, const void *buf, size_t len);
/* Reads up to len bytes of path; -1 if it cannot. */
ssize_t	read_file(const char *path, char *buf, size_t len);

/* Marks a new segment as name's, made by this process. */
void	mark(sharedmem *, const char *name);
/* Whether shm holds name's segment, of owner (-1: anyone) with serial,
 * whole: 1 yes, 0 not marked yet, -1 no (and why, if why is not NULL). */
int	marked(sharedmem *, const char *name, long owner,
	    unsigned long serial, char *why, size_t whylen);
/* Whether shm's segment is name's, whole, as this process marked it. */
int	mine(sharedmem *, const char *name);
/* Whether name attaches to the segment of shm, unharmed. */
int	attaches_to(const char *name, sharedmem *);
/* Whether the segment id is gone, or only still there for those that
 * have it attached. */
int	segment_gone(key_t, int id);
/* Creates and marks name, which must work. */
sharedmem *create_marked(const char *name);
/* Unlinks and closes shm, which must work. */
void	dispose(sharedmem *);

/* Files in the key directory other than tracked-ids and the key file of
 * the name but (NULL: none), each described. */
int	files_left(const char *but);
/* Removes whatever is left in the key directory; returns how much. */
int	scrub(void);
/* After a leak: empties the key directory, and makes the victim anew. */
void	renew_victim(void);
/* Deletes the directory path as a tmp cleaner would. */
void	clean_away(const char *path);
/* Puts the key directory moved away back; 0, or -1 with errno. */
int	put_back(void);

/* gc's findings, for the checks. */
struct found {
	int	bad, removed, other;
	char	bad_file[64];
};

void	gc_report(enum sharedmem_leftover, const char *, int, int, void *);

/* What an attacher expects of name: the segment of owner #serial (-1:
 * any owner), or one of the errors allowed. */
struct expect {
	const char	*name;
	long		 owner;
	unsigned long	 serial;
	int		 err1, err2;	/* allowed errors */
	int		 id;		/* what lookup must say (-1: any);
					 * ESTALE is allowed only then */
};

/* Attaches and looks up a name over and over; every attach must give
 * the expected segment or an expected error. */
void	attacher(double until, void *expect);

/*
 * Runs the racers for seconds and adds up their counts into sum.
 * Returns the processes that did not end cleanly; the segments that the
 * first racer made and left go to *leaks (removed), counted while its
 * pid is still taken.
 */
int	race(race_fn *const *, void *const *, int n, double seconds,
	    long *sum, int *leaks);
/* Adds a race's counts to the test's figures. */
void	add_tally(const long *sum, double seconds);
void	print_race(const char *what, const long *sum, double seconds);

#endif /* BEHIND_H */
