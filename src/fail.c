/*
 * fail.c - how the library's functions fail: every one returns -1, or
 * NULL, with errno set, and an errno read for a failure is kept through
 * the clean-up that follows it.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

int
smi_fail(int err)
{
	errno = err;
	return -1;
}

void
smi_close_quietly(int fd)
{
	int err = errno;

	(void)close(fd);
	errno = err;
}

void
smi_free_quietly(void *p)
{
	int err = errno;

	free(p);
	errno = err;
}
