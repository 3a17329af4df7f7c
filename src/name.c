/*
 * name.c - what a segment name may be, and where its key file lives.
 */
#include <config.h>

#include <sys/types.h>
#ifdef HAVE_SYS_RANDOM_H
#include <sys/random.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sharedmem.h"
#include "internal.h"

/* Whether c may occur in a name: a portable file name alphabet, so that
 * a key file name is built from a name without quoting and can never
 * leave the key directory. */
int
smi_name_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* How many of the n bytes at s, from the first, may occur in a name. */
size_t
smi_name_span(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && smi_name_char((unsigned char)s[i]); i++)
		continue;
	return i;
}

/*
 * Checks name and points *stripped past its optional leading '/'.
 * Returns 0, or -1 with errno EINVAL or ENAMETOOLONG.
 */
int
smi_name_check(const char *name, const char **stripped)
{
	const char *p;

	if (name == NULL)
		return smi_fail(EINVAL);
	if (*name == '/')
		name++;
	for (p = name; *p != '\0'; p++) {
		if (p - name >= SHAREDMEM_NAME_MAX)
			return smi_fail(ENAMETOOLONG);
		if (!smi_name_char((unsigned char)*p))
			return smi_fail(EINVAL);
	}
	if (p == name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return smi_fail(EINVAL);
	*stripped = name;
	return 0;
}

/*
 * Returns the key file path DIR/sharedmem.NAME in new memory, and in
 * *name_at the offset of NAME within it; NULL with errno ENOMEM.
 */
char *
smi_keyfile_path(const char *dir, const char *name, size_t *name_at)
{
	size_t dirlen = strlen(dir), namelen = strlen(name);
	size_t prefixlen = sizeof(KEYFILE_PREFIX) - 1;
	char *path, *p;

	if ((path = malloc(dirlen + 1 + prefixlen + namelen + 1)) == NULL)
		return NULL;
	p = path;
	memcpy(p, dir, dirlen);
	p += dirlen;
	*p++ = '/';
	memcpy(p, KEYFILE_PREFIX, prefixlen);
	p += prefixlen;
	*name_at = (size_t)(p - path);
	memcpy(p, name, namelen + 1);
	return path;
}

/*
 * What the entry called entry of the key directory is: a key file, whose
 * name *name then points to within entry; a private file, whose creating
 * process *pid then gets; or neither.  The one reading of the two file
 * name formats, which smi_keyfile_path() and smi_private_path() write.
 */
enum entry_kind
smi_entry_kind(const char *entry, const char **name, long *pid)
{
	const size_t keyfile_len = sizeof(KEYFILE_PREFIX) - 1;
	const size_t private_len = sizeof(PRIVATE_PREFIX) - 1;
	const char *p;
	long v = 0;

	if (strncmp(entry, KEYFILE_PREFIX, keyfile_len) == 0)
		return smi_name_check(entry + keyfile_len, name) == 0 &&
		    *name == entry + keyfile_len ? ENTRY_KEYFILE : ENTRY_OTHER;
	if (strncmp(entry, PRIVATE_PREFIX, private_len) != 0)
		return ENTRY_OTHER;
	for (p = entry + private_len; *p >= '0' && *p <= '9'; p++) {
		if (v > (LONG_MAX - (*p - '0')) / 10)
			return ENTRY_OTHER;
		v = v * 10 + (*p - '0');
	}
	/* What mkstemp(3) makes of the XXXXXX is its own business. */
	if (p == entry + private_len || *p != '-' || p[1] == '\0' || v == 0)
		return ENTRY_OTHER;
	*pid = v;
	return ENTRY_PRIVATE;
}

/*
 * Returns the template DIR/sharedmem+PID-XXXXXX of a private file in new
 * memory, for the key file path whose name starts at name; NULL with
 * errno ENOMEM.
 */
char *
smi_private_path(const char *path, const char *name, long pid)
{
	size_t dirlen = (size_t)(name - path) - (sizeof(KEYFILE_PREFIX) - 1);
	char digits[SMI_DECIMAL_MAX], *tmp, *p;
	size_t n = smi_format_decimal(digits, (unsigned long)pid);

	if ((tmp = malloc(dirlen + sizeof(PRIVATE_PREFIX) + n +
	    sizeof("-XXXXXX"))) == NULL)
		return NULL;
	/* The directory with its '/', the prefix, the pid, the tail. */
	memcpy(tmp, path, dirlen);
	p = tmp + dirlen;
	memcpy(p, PRIVATE_PREFIX, sizeof(PRIVATE_PREFIX) - 1);
	p += sizeof(PRIVATE_PREFIX) - 1;
	memcpy(p, digits, n);
	memcpy(p + n, "-XXXXXX", sizeof("-XXXXXX"));
	return tmp;
}

/* The six characters that end a private path: XXXXXX for mkstemp(3), or
 * what smi_private_draw() put there. */
#define PRIVATE_TAIL	6

/*
 * Fills the XXXXXX that end the private path tmp with characters that
 * differ from one call to the next in this process, for a rename to a
 * name that nothing has.  The path holds the pid, so only this process
 * can clash with itself, in a thread, or a dead process of the same pid
 * with what it left behind: the caller then draws again.
 */
void
smi_private_draw(char *tmp)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	static unsigned long draws;
	char *x = tmp + strlen(tmp) - PRIVATE_TAIL;
	unsigned long n;
	int i;

#ifdef HAVE_ATOMIC_BUILTINS
	n = __atomic_add_fetch(&draws, 1, __ATOMIC_RELAXED);
#else
	/* Threads may draw the same number: their renames then clash. */
	n = ++draws;
#endif
	/* Spread, so that the names of one process do not share a prefix. */
	n *= 2654435761UL;
	for (i = 0; i < PRIVATE_TAIL; i++) {
		x[i] = chars[n % (sizeof(chars) - 1)];
		n /= sizeof(chars) - 1;
	}
}

/* Makes the private path tmp, drawn or not, a template for mkstemp(3)
 * again. */
void
smi_private_template(char *tmp)
{
	memset(tmp + strlen(tmp) - PRIVATE_TAIL, 'X', PRIVATE_TAIL);
}

/*
 * Writes a fresh name "psm_xxxxxxxx", as Python's SharedMemory makes them,
 * into buf (13 bytes); draw counts the caller's attempts.  A clash is not
 * fatal - the create fails with EEXIST and the caller draws again - so the
 * bits need only differ between draws and between processes, not be
 * secret.
 */
void
smi_name_random(char *buf, unsigned int draw)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char bytes[4];
	unsigned long mix;
	ssize_t got = -1;
	size_t i;
	int fd;

#ifdef HAVE_GETENTROPY
	if (getentropy(bytes, sizeof(bytes)) == 0)
		got = (ssize_t)sizeof(bytes);
#endif
	if (got == -1 &&
	    (fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) != -1) {
		got = read(fd, bytes, sizeof(bytes));
		(void)close(fd);	/* read-only: nothing to lose */
	}
	if (got != (ssize_t)sizeof(bytes)) {
		/* No source of randomness: mix what differs between draws. */
		mix = (unsigned long)time(NULL) ^ (unsigned long)clock() ^
		    ((unsigned long)getpid() << 16) ^ draw;
		mix *= 2654435761UL;
		for (i = 0; i < sizeof(bytes); i++)
			bytes[i] = (unsigned char)(mix >> (i * 8));
	}
	memcpy(buf, "psm_", 4);
	for (i = 0; i < sizeof(bytes); i++) {
		buf[4 + 2 * i] = hex[bytes[i] >> 4];
		buf[5 + 2 * i] = hex[bytes[i] & 0xf];
	}
	buf[12] = '\0';
}
