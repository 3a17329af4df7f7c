/*
 * io.c - whole reads and writes on pipes and sockets, which may move
 * fewer bytes than asked, and which a signal may interrupt.
 */
#include <config.h>

#include <sys/types.h>

#include <errno.h>
#include <unistd.h>

#include "bench.h"

void
bench_write(int fd, const void *buf, size_t n, const char *what)
{
	const char *p = buf;
	ssize_t r;

	while (n > 0) {
		if ((r = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			bench_die(what);
		}
		p += r;
		n -= (size_t)r;
	}
}

size_t
bench_read(int fd, void *buf, size_t n, const char *what)
{
	char *p = buf;
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		if ((r = read(fd, p + got, n - got)) == -1) {
			if (errno == EINTR)
				continue;
			bench_die(what);
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return got;
}
