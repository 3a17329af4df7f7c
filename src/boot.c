/*
 * boot.c - which run of the system this is.
 *
 * Segments and semaphore sets end with the system, and their ids start
 * again from 0 when it starts, while a key directory on a disk outlives
 * both.  A record therefore carries the identity of the run it was written
 * in, and a record of another run is stale without asking the kernel about
 * ids that may have been handed out again.  The identity is SOURCE:VALUE,
 * from the first source that answers:
 *
 *   linux:BOOTID.IPCNS  the kernel's boot_id, which it draws at random
 *                       each boot, and the inode of the process's IPC
 *                       namespace, whose segments are the ones it sees
 *   bootid:BOOTID       the boot_id alone, where the namespace is hidden
 *   uuid:UUID           sysctl kern.bootsessionuuid (macOS)
 *   boottime:SEC.USEC   sysctl kern.boottime (the BSDs; it moves when the
 *                       clock is stepped, which makes older records look
 *                       like another run's: stale, never wrongly live)
 *
 * Elsewhere there is none, and records are judged as version 1 records
 * are: by key, shmid, size and owner.  Identities of different sources are
 * never compared, so that a process that cannot read /proc (a chroot) does
 * not take every record for another run's.
 *
 * A process reads its identity once: with the compiler's atomics the first
 * call keeps it for the others.  A process that moves to another IPC
 * namespace afterwards keeps the identity of the first.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/stat.h>
#ifdef HAVE_SYS_SYSCTL_H
#include <sys/sysctl.h>
#endif
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define BOOT_ID_PATH	"/proc/sys/kernel/random/boot_id"
#define IPC_NS_PATH	"/proc/self/ns/ipc"

int
smi_boot_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '.' || c == ':' || c == '-';
}

/* How many of the n bytes at s, from the first, an identity may hold. */
size_t
smi_boot_span(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && smi_boot_char((unsigned char)s[i]); i++)
		continue;
	return i;
}

/* Whether s, up to its end, is of characters a record may carry. */
static int
clean(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!smi_boot_char((unsigned char)*s))
			return 0;
	return 1;
}

/* Linux: the boot_id, and the IPC namespace where it can be seen. */
static int
from_proc(char *buf, size_t size)
{
	char id[64];
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(BOOT_ID_PATH, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, id, sizeof(id) - 1);
	(void)close(fd);	/* only read */
	if (n <= 0)
		return -1;
	id[n] = '\0';
	id[strcspn(id, "\n")] = '\0';
	if (!clean(id))
		return -1;
	if (stat(IPC_NS_PATH, &st) == 0)
		n = snprintf(buf, size, "linux:%s.%lu", id,
		    (unsigned long)st.st_ino);
	else
		n = snprintf(buf, size, "bootid:%s", id);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* macOS and the BSDs: what sysctl says of the boot. */
static int
from_sysctl(char *buf, size_t size)
{
#if defined(HAVE_SYSCTLBYNAME) || (defined(HAVE_SYSCTL) && \
    HAVE_DECL_CTL_KERN && HAVE_DECL_KERN_BOOTTIME)
	struct timeval tv;
	size_t len;
	int n;

#ifdef HAVE_SYSCTLBYNAME
	char uuid[64];

	len = sizeof(uuid) - 1;
	if (sysctlbyname("kern.bootsessionuuid", uuid, &len, NULL, 0) == 0 &&
	    len > 0 && len < sizeof(uuid)) {
		uuid[len] = '\0';
		if (clean(uuid)) {
			n = snprintf(buf, size, "uuid:%s", uuid);
			return n > 0 && (size_t)n < size ? 0 : -1;
		}
	}
	len = sizeof(tv);
	if (sysctlbyname("kern.boottime", &tv, &len, NULL, 0) == -1)
		return -1;
#else
	int mib[2];

	mib[0] = CTL_KERN;
	mib[1] = KERN_BOOTTIME;
	len = sizeof(tv);
	if (sysctl(mib, 2, &tv, &len, NULL, 0) == -1)
		return -1;
#endif
	if (len != sizeof(tv) || tv.tv_sec <= 0)
		return -1;
	n = snprintf(buf, size, "boottime:%ld.%06ld", (long)tv.tv_sec,
	    (long)tv.tv_usec);
	return n > 0 && (size_t)n < size ? 0 : -1;
#else
	(void)buf;
	(void)size;
	return -1;
#endif
}

static void
identify(char *buf)
{
	if (from_proc(buf, BOOT_MAX + 1) == -1 &&
	    from_sysctl(buf, BOOT_MAX + 1) == -1)
		buf[0] = '\0';
}

#ifdef HAVE_ATOMIC_BUILTINS
/* 0: not read yet; 1: being kept; 2: kept in kept_identity. */
static int kept_state;
static char kept_identity[BOOT_MAX + 1];
#endif

const char *
smi_boot_identity(char *buf)
{
	int err = errno;	/* a reader's failure is no caller's */

#ifdef HAVE_ATOMIC_BUILTINS
	int unread = 0;

	if (__atomic_load_n(&kept_state, __ATOMIC_ACQUIRE) == 2)
		return kept_identity;
	identify(buf);
	/* One caller keeps it; the others, meanwhile, use their own. */
	if (__atomic_compare_exchange_n(&kept_state, &unread, 1, 0,
	    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		memcpy(kept_identity, buf, BOOT_MAX + 1);
		__atomic_store_n(&kept_state, 2, __ATOMIC_RELEASE);
	}
#else
	identify(buf);
#endif
	errno = err;
	return buf;
}

/* The source of an identity: what comes before its first ':'. */
static size_t
source_length(const char *identity)
{
	const char *colon = strchr(identity, ':');

	return colon != NULL ? (size_t)(colon - identity) : 0;
}

int
smi_boot_same(const char *recorded)
{
	char buf[BOOT_MAX + 1];
	const char *now = smi_boot_identity(buf);
	size_t n = source_length(recorded);

	if (n == 0 || n != source_length(now) || memcmp(recorded, now, n) != 0)
		return -1;
	return strcmp(recorded, now) == 0;
}
