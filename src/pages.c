/*
 * pages.c - faulting a segment's pages in before anyone needs them, so
 * that the first pass over a large segment runs at memory speed instead
 * of one page fault per page.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/mman.h>

#include <errno.h>
#include <unistd.h>

#include "internal.h"

/* Reads one byte of each page: a read fault allocates a shared page too,
 * and unlike a write it cannot clobber what another process wrote. */
static void
touch_pages(const volatile unsigned char *p, size_t size)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t step = page > 0 ? (size_t)page : 4096;
	size_t off;

	for (off = 0; off < size; off += step)
		(void)p[off];
	if (size > 0)
		(void)p[size - 1];
}

/*
 * Faults in the size bytes at addr, for writing if writable.  The kernel
 * does it in one call where it can (Linux 5.14 and later); it reports
 * ENOMEM or EFAULT when memory runs out, where touching would SIGBUS.
 */
int
smi_pages_prefault(void *addr, size_t size, int writable)
{
#if defined(HAVE_MADVISE) && HAVE_DECL_MADV_POPULATE_WRITE && \
    HAVE_DECL_MADV_POPULATE_READ
	if (madvise(addr, size, writable ? MADV_POPULATE_WRITE :
	    MADV_POPULATE_READ) == 0)
		return 0;
	/* EINVAL: a kernel older than its headers.  EFAULT: no memory
	 * for a page, which the caller hears as ENOMEM, not as a bad
	 * pointer. */
	if (errno == EFAULT)
		errno = ENOMEM;
	if (errno != EINVAL)
		return -1;
#else
	(void)writable;
#endif
	touch_pages(addr, size);
	return 0;
}
