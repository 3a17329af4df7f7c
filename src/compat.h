/*
 * compat.h - what older systems lack, given a stand-in: for the library
 * and for the tool, which include it first.
 */
#ifndef SHAREDMEM_COMPAT_H
#define SHAREDMEM_COMPAT_H

#include <errno.h>
#include <fcntl.h>

#ifndef ENOTSUP
#define ENOTSUP EINVAL	/* before POSIX.1-2001 */
#endif

/* Flags of open(2): without them a descriptor is inherited across exec,
 * and a symbolic link is looked for by hand. */
#if !HAVE_DECL_O_CLOEXEC
#define O_CLOEXEC 0
#endif
#if !HAVE_DECL_O_NOFOLLOW
#define O_NOFOLLOW 0
#endif

#endif /* SHAREDMEM_COMPAT_H */
