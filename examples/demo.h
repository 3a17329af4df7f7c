/*
 * demo.h - what the four demo programs share.
 *
 * A demo opens one segment, then goes round: it writes its own values
 * into the segment, prints four values one a line, and pauses.  It stops
 * after the rounds asked for, or at SIGINT, SIGTERM or SIGHUP, and closes
 * the segment; the program that created the segment also removes it.
 */
#ifndef DEMO_H
#define DEMO_H

#include <sys/types.h>

#include <stddef.h>
#include <time.h>

#include "sharedmem.h"

/* The size process1 gives the segment, as the originals do. */
#define DEMO_SIZE	1024

/* The bytes the demos use: the last double ends at byte 27 + 8. */
#define DEMO_USED	35

/* A program, as its messages and -h name it. */
struct demo_program {
	const char	*name;
	const char	*creator;	/* the program that creates the
					 * segment; NULL: this one does */
	const char	*about;		/* what it does, for -h */
};

struct demo {
	const struct demo_program *prog;
	const char	*name;		/* of the segment */
	unsigned long	 rounds;	/* to go; 0: until a signal */
	unsigned long	 done;
	struct timespec	 pause;
	sharedmem	*shm;
	unsigned char	*buf;
	int		 status;	/* the exit status so far */
};

/* Reads the options and opens the segment, or exits with a message. */
void	demo_start(struct demo *, const struct demo_program *, int, char **);
/* Whether to go round once more; pauses between rounds. */
int	demo_next(struct demo *);
/* Print bytes 0 to 3, or the doubles at offsets 0, 9, 18 and 27. */
void	demo_print_uint8(struct demo *);
void	demo_print_float64(struct demo *);
/* Stores a double at any offset of the segment, aligned or not. */
void	demo_put_float64(struct demo *, size_t, double);
/* Closes, and for the creator removes, the segment; returns the exit
 * status. */
int	demo_finish(struct demo *);

#endif /* DEMO_H */
