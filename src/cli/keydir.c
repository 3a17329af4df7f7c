/*
 * keydir.c - when the key directory, rather than the segment or the
 * name, is why a call failed: it is missing, not a directory, on a
 * read-only file system, or full.  A container's /dev/shm may be any of
 * these, and the default key directory is there.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/stat.h>
#ifdef HAVE_SYS_STATVFS_H
#include <sys/statvfs.h>
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "sharedmem.h"
#include "keydir.h"

/* Whether the file system of dir has no block or no file left for one
 * more key file; -1 if the system cannot say. */
static int
full(const char *dir)
{
#if defined(HAVE_SYS_STATVFS_H) && defined(HAVE_STATVFS)
	struct statvfs vfs;

	if (statvfs(dir, &vfs) == -1)
		return -1;
	return vfs.f_bavail == 0 || vfs.f_favail == 0;
#else
	(void)dir;
	return -1;
#endif
}

/* keydir_fault(), but for errno, which this may change. */
static int
fault(int err, char *buf, size_t len)
{
	const char *dir = sharedmem_dir(), *env = getenv("SHAREDMEM_DIR");
	const char *what;
	struct stat st;

	switch (err) {
	case ENOENT:
	case ENOTDIR:
		if (stat(dir, &st) == -1)
			what = "does not exist";
		else if (!S_ISDIR(st.st_mode))
			what = "is not a directory";
		else
			return 0;
		break;
	case EROFS:
		what = "is on a read-only file system";
		break;
	case ENOSPC:
#ifdef EDQUOT
	case EDQUOT:
#endif
		if (full(dir) != 1)
			return 0;	/* a limit of the system's, or unknown */
		what = err == ENOSPC ? "is full" : "is over its quota";
		break;
	default:
		return 0;
	}
	(void)snprintf(buf, len, "the key directory %s %s (%s; set "
	    "SHAREDMEM_DIR to a directory where files can be made)", dir, what,
	    env != NULL && *env != '\0' ? "SHAREDMEM_DIR names it" :
	    "the default, as SHAREDMEM_DIR is not set");
	return 1;
}

int
keydir_fault(int err, char *buf, size_t len)
{
	int saved = errno, r;

	r = fault(err, buf, len);
	errno = saved;
	return r;
}
