/*
 * gc_reports.c - runs sharedmem_gc() and prints each report it makes, one
 * a line: KIND FILE SHMID ERROR, with ERROR 0 or the errno value's name
 * where this program knows it.  After each report it sets errno to EDOM,
 * as any callback that calls the C library may change it, so that a
 * report whose error was read from errno after an earlier callback shows.
 *
 *	gc_reports [-n]		-n: SHAREDMEM_GC_DRYRUN
 *
 * Exit status: 0 if sharedmem_gc() returned a count, 1 if it failed.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sharedmem.h"

static const char *
kind_name(enum sharedmem_leftover kind)
{
	switch (kind) {
	case SHAREDMEM_STALE_NAME:		return "stale-name";
	case SHAREDMEM_UNFINISHED:		return "unfinished";
	case SHAREDMEM_UNFINISHED_SEGMENT:	return "unfinished-segment";
	case SHAREDMEM_ORPHAN:			return "orphan";
	case SHAREDMEM_BAD_KEYFILE:		return "bad-keyfile";
	}
	return "unknown";
}

static const char *
error_name(int err)
{
	switch (err) {
	case 0:		return "0";
	case EACCES:	return "EACCES";
	case EPERM:	return "EPERM";
	case EBUSY:	return "EBUSY";
	case EDOM:	return "EDOM";
	case EROFS:	return "EROFS";
	}
	return "other";
}

static void
report(enum sharedmem_leftover kind, const char *file, int shmid, int error,
    void *arg)
{
	(void)arg;
	printf("%s %s %d %s\n", kind_name(kind), file, shmid,
	    error_name(error));
	errno = EDOM;
}

int
main(int argc, char **argv)
{
	int flags = 0;

	if (argc > 1 && strcmp(argv[1], "-n") == 0)
		flags |= SHAREDMEM_GC_DRYRUN;
	if (sharedmem_gc(flags, report, NULL) == -1) {
		fprintf(stderr, "gc_reports: sharedmem_gc: %s\n",
		    strerror(errno));
		return 1;
	}
	return 0;
}
