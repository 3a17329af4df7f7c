/*
 * stream.c - the header's numbers, the checksum, the generated data, the
 * signals and the waits of stream_producer and stream_consumer.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sharedmem.h"
#include "stream.h"

/* How long one wait lasts before the stop flag and the other side are
 * looked at again, and the nap between two tries to attach. */
#define SLICE_NSEC	100000000L
#define NAP_NSEC	50000000L

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
static volatile sig_atomic_t stop;

void
stream_put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

void
stream_put64(unsigned char *p, uint64_t v)
{
	stream_put32(p, (uint32_t)v);
	stream_put32(p + 4, (uint32_t)(v >> 32));
}

uint32_t
stream_get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

uint64_t
stream_get64(const unsigned char *p)
{
	return (uint64_t)stream_get32(p) | (uint64_t)stream_get32(p + 4) << 32;
}

size_t
stream_stride(size_t chunk)
{
	return (chunk + STREAM_ALIGN - 1) / STREAM_ALIGN * STREAM_ALIGN;
}

size_t
stream_size(size_t chunk, unsigned int slots)
{
	return STREAM_HEADER_SIZE + slots * stream_stride(chunk);
}

void
stream_sum_init(struct stream_sum *sum)
{
	memset(sum, 0, sizeof(*sum));
}

void
stream_sum_add(struct stream_sum *sum, const unsigned char *p, size_t len)
{
	uint64_t a = sum->a, b = sum->b;

	while (sum->nparts > 0 && len > 0) {
		sum->part[sum->nparts++] = *p++;
		len--;
		if (sum->nparts == 8) {
			a += stream_get64(sum->part);
			b += a;
			sum->nparts = 0;
		}
	}
	/* Four words at a time, the same sums with shorter chains: b gains
	 * 4a + 4w0 + 3w1 + 2w2 + w3, a gains w0 + w1 + w2 + w3. */
	for (; len >= 32; p += 32, len -= 32) {
		uint64_t w0 = stream_get64(p), w1 = stream_get64(p + 8);
		uint64_t w2 = stream_get64(p + 16), w3 = stream_get64(p + 24);

		b += 4 * (a + w0) + 3 * w1 + 2 * w2 + w3;
		a += w0 + w1 + w2 + w3;
	}
	for (; len >= 8; p += 8, len -= 8) {
		a += stream_get64(p);
		b += a;
	}
	memcpy(sum->part + sum->nparts, p, len);
	sum->nparts += (unsigned int)len;
	sum->a = a;
	sum->b = b;
}

uint64_t
stream_sum_end(const struct stream_sum *sum)
{
	unsigned char last[8];
	uint64_t a = sum->a, b = sum->b;

	if (sum->nparts > 0) {
		memset(last, 0, sizeof(last));
		memcpy(last, sum->part, sum->nparts);
		a += stream_get64(last);
		b += a;
	}
	/* b mixed with a; (a, b) alone would be 128 bits. */
	return b ^ (a << 32 | a >> 32);
}

/* Word i of the generated data: i run through SplitMix64's mixer, which
 * takes neighbouring numbers far apart. */
static uint64_t
word(uint64_t i)
{
	uint64_t z = (i + 1) * UINT64_C(0x9e3779b97f4a7c15);

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void
stream_generate(unsigned char *p, size_t len, uint64_t offset)
{
	unsigned char w[8];
	uint64_t i = offset / 8;
	size_t skip = (size_t)(offset % 8), n;

	if (skip > 0 && len > 0) {
		stream_put64(w, word(i++));
		n = 8 - skip < len ? 8 - skip : len;
		memcpy(p, w + skip, n);
		p += n;
		len -= n;
	}
	for (; len >= 8; p += 8, len -= 8)
		stream_put64(p, word(i++));
	if (len > 0) {
		stream_put64(w, word(i));
		memcpy(p, w, len);
	}
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * Without SA_RESTART, so that a signal cuts a wait or a write short.  A
 * signal that comes just before a wait starts is noticed a slice later:
 * no wait lasts longer than that.
 */
int
stream_catch_signals(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	if (sigemptyset(&sa.sa_mask) == -1)
		return -1;
	sa.sa_handler = on_signal;
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		if (sigaction(stop_signals[i], &sa, NULL) == -1)
			return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

int
stream_stopping(void)
{
	return stop;
}

void
stream_nap(void)
{
	struct timespec ts;

	ts.tv_sec = 0;
	ts.tv_nsec = NAP_NSEC;
	/* Cut short by a signal: the caller looks at the stop flag. */
	(void)nanosleep(&ts, NULL);
}

int
stream_now(struct timespec *ts)
{
	return clock_gettime(CLOCK_MONOTONIC, ts);
}

double
stream_seconds(const struct timespec *ts)
{
	return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9;
}

/* The time patience from now. */
int
stream_deadline(struct timespec *deadline, const struct timespec *patience)
{
	if (stream_now(deadline) == -1)
		return -1;
	deadline->tv_sec += patience->tv_sec;
	deadline->tv_nsec += patience->tv_nsec;
	if (deadline->tv_nsec >= 1000000000L) {
		deadline->tv_sec++;
		deadline->tv_nsec -= 1000000000L;
	}
	return 0;
}

/* Whether deadline has come; a clock that fails ends every wait. */
int
stream_passed(const struct timespec *deadline)
{
	struct timespec now;

	if (stream_now(&now) == -1)
		return 1;
	return now.tv_sec > deadline->tv_sec ||
	    (now.tv_sec == deadline->tv_sec &&
	    now.tv_nsec >= deadline->tv_nsec);
}

/* The kernel detaches a process that dies, however it dies. */
int
stream_check_peer(const sharedmem *shm)
{
	struct shmid_ds ds;

	if (shmctl(sharedmem_id(shm), IPC_STAT, &ds) == -1) {
		/* Removed, and by now gone. */
		if (errno == EINVAL)
			errno = EIDRM;
		return -1;
	}
	if (ds.shm_nattch < 2) {
		errno = ENOTCONN;
		return -1;
	}
	return 0;
}

int
stream_wait(sharedmem *shm, unsigned int sem, const struct timespec *patience,
    int check_alone)
{
	struct timespec deadline, slice;

	if (stream_deadline(&deadline, patience) == -1)
		return -1;
	slice.tv_sec = 0;
	slice.tv_nsec = SLICE_NSEC;
	for (;;) {
		if (stop) {
			errno = EINTR;
			return -1;
		}
		if (sharedmem_timedwait(shm, sem, &slice) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != ETIMEDOUT)
			return -1;
		if (check_alone && stream_check_peer(shm) == -1)
			return -1;
		if (stream_passed(&deadline)) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
}

int
stream_write(int fd, const unsigned char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if (stop) {
			errno = EINTR;
			return -1;
		}
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Says on stderr why a wait of prog for its peer ("producer" or
 * "consumer") failed with errno, what being the wait, after bytes bytes.
 * Where the peer removed the segment, peer_state, its state in the
 * header, says whether it meant to.
 */
void
stream_wait_failed(const char *prog, const char *name, const char *what,
    const char *peer, uint32_t peer_state, uint64_t bytes,
    const struct timespec *patience)
{
	switch (errno) {
	case EINTR:
		fprintf(stderr, "%s: %s: stopped by a signal after %ju "
		    "bytes\n", prog, name, (uintmax_t)bytes);
		break;
	case ETIMEDOUT:
		fprintf(stderr, "%s: %s: %s: nothing from the %s for %g s; "
		    "giving up\n", prog, name, what, peer,
		    stream_seconds(patience));
		break;
	case ENOTCONN:
	case EIDRM:
		if (peer_state == STREAM_STOPPED)
			fprintf(stderr, "%s: %s: the %s stopped after %ju "
			    "bytes\n", prog, name, peer, (uintmax_t)bytes);
		else if (errno == ENOTCONN)
			fprintf(stderr, "%s: %s: the %s is gone after %ju "
			    "bytes\n", prog, name, peer, (uintmax_t)bytes);
		else
			fprintf(stderr, "%s: %s: somebody else removed it "
			    "after %ju bytes\n", prog, name, (uintmax_t)bytes);
		break;
	default:
		fprintf(stderr, "%s: %s: %s: %s\n", prog, name, what,
		    strerror(errno));
		break;
	}
}
