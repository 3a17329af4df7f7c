/*
 * pages.c - the page options: SHAREDMEM_PREFAULT makes every page
 * resident at create and attach, and SHAREDMEM_HUGEPAGES either gets huge
 * pages or fails, leaving nothing behind, but never quietly gets small
 * ones.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "tap.h"

/* Within macOS's 4 MiB a segment, and one huge page on x86. */
#define SIZE	(2UL << 20)

/* Pages of the size bytes at addr that are resident, or -1 if the system
 * cannot tell. */
static long
resident(void *addr, size_t size)
{
#ifdef HAVE_MINCORE
	long page = sysconf(_SC_PAGESIZE);
	size_t pages = (size + (size_t)page - 1) / (size_t)page, i;
	void *vec;
	long n = 0;

	if ((vec = malloc(pages)) == NULL)
		bail_out("malloc: %s", strerror(errno));
	if (mincore(addr, size, vec) == -1) {
		free(vec);
		return -1;
	}
	for (i = 0; i < pages; i++)
		n += ((unsigned char *)vec)[i] & 1;
	free(vec);
	return n;
#else
	(void)addr;
	(void)size;
	return -1;
#endif
}

/* A private segment of size bytes, attached; its id in *id. */
static char *
private_segment(size_t size, int *id)
{
	char *p;

	if ((*id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600)) == -1)
		bail_out("shmget: %s", strerror(errno));
	if ((p = shmat(*id, NULL, 0)) == (void *)-1) {
		(void)shmctl(*id, IPC_RMID, NULL);
		bail_out("shmat: %s", strerror(errno));
	}
	/* Gone once detached, whatever happens to the test. */
	if (shmctl(*id, IPC_RMID, NULL) == -1)
		bail_out("shmctl IPC_RMID: %s", strerror(errno));
	return p;
}

/*
 * Why residency cannot be checked here, or NULL if it can: mincore()
 * must see pages that were touched, and a madvise() that says it
 * populated pages must have done so (qemu-user returns 0 and does not).
 */
static const char *
unseen(void)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t size = 16 * (size_t)page, i;
	const char *why = NULL;
	char *p;
	int id;

	p = private_segment(size, &id);
	for (i = 0; i < size; i += (size_t)page)
		p[i] = 1;
	if (resident(p, size) != 16)
		why = "mincore() does not see touched pages here";
	if (shmdt(p) == -1)
		bail_out("shmdt: %s", strerror(errno));
#if defined(HAVE_MADVISE) && HAVE_DECL_MADV_POPULATE_WRITE
	if (why != NULL)
		return why;
	p = private_segment(size, &id);
	if (madvise(p, size, MADV_POPULATE_WRITE) == 0 &&
	    resident(p, size) != 16)
		why = "madvise(MADV_POPULATE_WRITE) succeeds and populates "
		    "nothing here (an emulator?)";
	if (shmdt(p) == -1)
		bail_out("shmdt: %s", strerror(errno));
#endif
	return why;
}

static void
test_prefault(void)
{
	const char *why;
	long page = sysconf(_SC_PAGESIZE), pages = (long)(SIZE / (size_t)page);
	sharedmem *plain, *pre, *att;
	long n;

	if ((plain = sharedmem_create("plain", SIZE)) == NULL)
		bail_out("create plain: %s", strerror(errno));
	pre = sharedmem_open("pre", SHAREDMEM_CREATE | SHAREDMEM_PREFAULT, SIZE,
	    0600);
	ok(pre != NULL, "create with SHAREDMEM_PREFAULT");
	if (pre == NULL)
		bail_out("create pre: %s", strerror(errno));
	if ((n = resident(sharedmem_buf(plain), SIZE)) == -1) {
		skip(3, "no mincore() to see which pages are resident");
	} else if ((why = unseen()) != NULL) {
		skip(3, "%s", why);
	} else {
		ok(n < pages, "without it, a new segment is not all resident "
		    "(%ld of %ld pages)", n, pages);
		n = resident(sharedmem_buf(pre), SIZE);
		ok(n == pages, "with it, every page is (%ld of %ld)", n, pages);
		att = sharedmem_open("plain",
		    SHAREDMEM_PREFAULT | SHAREDMEM_RDONLY, 0, 0);
		n = att == NULL ? -1 : resident(sharedmem_buf(att), SIZE);
		ok(n == pages, "a read-only attach with it makes every page "
		    "resident too (%ld of %ld)", n, pages);
		sharedmem_close(att);
	}
	ok(((unsigned char *)sharedmem_buf(pre))[SIZE - 1] == 0,
	    "a pre-faulted segment is zero-filled");
	sharedmem_unlink(plain);
	sharedmem_close(plain);
	sharedmem_unlink(pre);
	sharedmem_close(pre);
}

/* Free huge pages, from /proc/meminfo; -1 where there is none. */
static long
free_huge_pages(void)
{
	char line[256];
	long n = -1;
	FILE *f;

	if ((f = fopen("/proc/meminfo", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "HugePages_Free: %ld", &n) == 1)
			break;
	(void)fclose(f);
	return n;
}

/*
 * Whether shmget() with SHM_HUGETLB, where no huge page is free, fails as
 * the kernel makes it: valgrind drops the flag, and the call works.
 */
static int
huge_pages_honoured(void)
{
#if HAVE_DECL_SHM_HUGETLB
	int id;

	id = shmget(IPC_PRIVATE, SIZE, IPC_CREAT | SHM_HUGETLB | 0600);
	if (id == -1)
		return 1;
	if (shmctl(id, IPC_RMID, NULL) == -1)
		bail_out("shmctl IPC_RMID %d: %s", id, strerror(errno));
	return 0;
#else
	return 1;
#endif
}

static void
test_hugepages(void)
{
	long free_pages = free_huge_pages();
	sharedmem *shm;
	int err;

	errno = 0;
	shm = sharedmem_open("huge", SHAREDMEM_CREATE | SHAREDMEM_HUGEPAGES,
	    SIZE, 0600);
	err = errno;
	if (shm != NULL) {
		memset(sharedmem_buf(shm), 1, SIZE);
		/* Where none was free, it cannot have had huge pages. */
		if (free_pages == 0 && !huge_pages_honoured())
			skip(1, "shmget() ignores SHM_HUGETLB here (valgrind "
			    "does)");
		else
			ok(free_pages != 0, "create with SHAREDMEM_HUGEPAGES "
			    "works only with huge pages free (%ld were)",
			    free_pages);
		ok(sharedmem_unlink(shm) == 0, "and unlink");
		sharedmem_close(shm);
		return;
	}
	if (free_pages == 0)
		ok(err == ENOMEM || err == EPERM, "with no huge page free, "
		    "create fails with ENOMEM or EPERM: %s", strerror(err));
	else if (err == EINVAL && !ipc_attaches_huge_pages())
		skip(1, HUGE_ATTACH_REFUSED);
	else
		ok(err == ENOTSUP || err == EPERM || err == ENOMEM,
		    "without huge pages for us, create says so: %s",
		    strerror(err));
	ok(access(keyfile("huge"), F_OK) == -1,
	    "and leaves no key file behind");
}

int
main(void)
{
	plan(7);
	test_prefault();
	test_hugepages();
	return exit_status();
}
