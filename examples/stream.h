/*
 * stream.h - what stream_producer and stream_consumer share: the layout
 * of the segment, the checksum, the generated data and the waits.
 *
 * The producer creates the segment with STREAM_SEMAPHORES semaphores.  It
 * holds a header of STREAM_HEADER_SIZE bytes, then the slots, each of the
 * chunk size rounded up to STREAM_ALIGN bytes.  The producer fills a slot
 * and posts STREAM_FULL; the consumer takes it and posts STREAM_EMPTY
 * when the slot may be filled again.  A slot of length 0 ends the stream.
 *
 * The start: the producer writes the header, posts STREAM_EMPTY once for
 * each slot, and posts STREAM_READY once; the consumer that takes it is
 * the one, and posts STREAM_ARRIVED.  The end: the consumer compares
 * length and checksum with the header's, says what it found there, and
 * posts STREAM_DONE; the producer then removes the segment.  A side that
 * stops early (a signal, a failure) says so in the header and removes the
 * segment itself: the other side's next wait fails with EIDRM.  A side
 * that finds itself alone on the segment (its peer was killed outright)
 * removes it too, so that nothing is left either way.
 */
#ifndef STREAM_H
#define STREAM_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sharedmem.h"

#define STREAM_DEFAULT_NAME	"stream"

/* The semaphores. */
#define STREAM_READY		0	/* the header is written */
#define STREAM_ARRIVED		1	/* a consumer has come */
#define STREAM_EMPTY		2	/* a slot may be filled */
#define STREAM_FULL		3	/* a slot has been filled */
#define STREAM_DONE		4	/* the consumer has seen the end */
#define STREAM_SEMAPHORES	5

#define STREAM_SLOTS		2	/* the producer's: double buffering */
#define STREAM_HEADER_SIZE	4096
#define STREAM_ALIGN		4096	/* slots start on a page here */
#define STREAM_CHUNK_DEFAULT	((size_t)1 << 20)
#define STREAM_CHUNK_MAX	((size_t)1 << 30)

/* The longest wait for the other side, in seconds, and the default. */
#define STREAM_PATIENCE_MAX	86400
#define STREAM_PATIENCE_DEFAULT	30

/*
 * The header's fields, at these byte offsets.  Each is an unsigned number
 * of 4 or 8 bytes, least significant byte first, whatever the machine's
 * own order and word size: a reader built any way reads what the writer
 * meant.
 */
#define STREAM_MAGIC		"sharedmem-stream"	/* 16 bytes, no NUL */
#define STREAM_VERSION		1
#define H_MAGIC			0
#define H_VERSION		16	/* 4: STREAM_VERSION */
#define H_SLOTS			20	/* 4: how many slots */
#define H_CHUNK			24	/* 8: bytes a slot holds */
#define H_TOTAL			32	/* 8: bytes to come, or all ones */
#define H_LENGTH		40	/* 8: at the end, bytes sent */
#define H_CHECKSUM		48	/* 8: at the end, their checksum */
#define H_PRODUCER		56	/* 4: the producer's state */
#define H_CONSUMER		60	/* 4: the consumer's state */
#define H_SLOT			64	/* 16 a slot: its length, its number */
#define H_SLOT_SIZE		16
#define STREAM_SLOTS_MAX	((STREAM_HEADER_SIZE - H_SLOT) / H_SLOT_SIZE)

/* The states in H_PRODUCER and H_CONSUMER. */
#define STREAM_RUNNING		0
#define STREAM_ENDED		1	/* producer: all sent */
#define STREAM_STOPPED		2	/* either: gave up half way */
#define STREAM_GOOD		3	/* consumer: length, checksum right */
#define STREAM_BAD		4	/* consumer: they were wrong */

#define STREAM_UNKNOWN		UINT64_MAX	/* H_TOTAL of a pipe */

void		stream_put32(unsigned char *, uint32_t);
void		stream_put64(unsigned char *, uint64_t);
uint32_t	stream_get32(const unsigned char *);
uint64_t	stream_get64(const unsigned char *);

/* The size of a slot, and of the segment, for a chunk size. */
size_t	stream_stride(size_t);
size_t	stream_size(size_t, unsigned int);

/*
 * The checksum: the bytes as 64-bit words, least significant byte first,
 * the last one padded with zeros; a is their sum, b the sum of the a's
 * after each word, both modulo 2^64, so that the order of the words
 * counts too.  The same whatever the chunks it comes in.
 */
struct stream_sum {
	uint64_t	a, b;
	unsigned char	part[8];	/* a word not yet complete */
	unsigned int	nparts;
};

void		stream_sum_init(struct stream_sum *);
void		stream_sum_add(struct stream_sum *, const unsigned char *,
		    size_t);
uint64_t	stream_sum_end(const struct stream_sum *);

/* Generated data: the bytes from offset on of a fixed endless sequence. */
void	stream_generate(unsigned char *, size_t, uint64_t);

/* SIGINT, SIGTERM and SIGHUP set the stop flag and cut a wait short;
 * SIGPIPE is ignored. */
int	stream_catch_signals(void);
int	stream_stopping(void);

/* Sleeps a little, less if a stop signal comes. */
void	stream_nap(void);

/* The monotonic time now, the deadline patience from now, whether a
 * deadline has passed, and a time in seconds. */
int	stream_now(struct timespec *);
int	stream_deadline(struct timespec *, const struct timespec *);
int	stream_passed(const struct timespec *);
double	stream_seconds(const struct timespec *);

/* 0 while another process has the segment attached, else -1 with errno
 * ENOTCONN (EIDRM if it is gone). */
int	stream_check_peer(const sharedmem *);

/*
 * Takes semaphore sem of shm, waiting at most patience, in short slices
 * between which it gives up if a stop signal came, or (alone set) if
 * nobody else has the segment attached any more.  Returns 0, or -1 with
 * errno: EINTR for a stop signal, ETIMEDOUT when patience ran out,
 * ENOTCONN when the other side is gone, EIDRM when the segment was
 * removed, or another from the library.
 */
int	stream_wait(sharedmem *, unsigned int, const struct timespec *, int);

/* Says why a wait for the peer (the word "producer" or "consumer")
 * failed with errno; its state in the header tells a stop from a crash. */
void	stream_wait_failed(const char *, const char *, const char *,
	    const char *, uint32_t, uint64_t, const struct timespec *);

/* Writes all of len bytes to fd, unless a stop signal comes (EINTR). */
int	stream_write(int, const unsigned char *, size_t);

#endif /* STREAM_H */
