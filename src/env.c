/*
 * env.c - the environment, as far as the library takes it: not at all in
 * a process that runs with privileges that whoever started it lacks (a
 * set-user-ID or set-group-ID program), whose environment that caller
 * wrote.  Otherwise a user could point such a program at a key directory
 * of her own, and have it attach the segments she names there.
 */
#include <config.h>

#include <sys/types.h>

#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

#if !defined(HAVE_SECURE_GETENV)
/* Whether the process runs with ids that its caller did not have. */
static int
privileged(void)
{
#ifdef HAVE_ISSETUGID
	return issetugid() != 0;
#else
	return getuid() != geteuid() || getgid() != getegid();
#endif
}
#endif

const char *
smi_getenv(const char *name)
{
#ifdef HAVE_SECURE_GETENV
	/* The C library knows best: file capabilities count too. */
	return secure_getenv(name);
#else
	return privileged() ? NULL : getenv(name);
#endif
}
