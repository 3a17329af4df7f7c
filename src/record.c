/*
 * record.c - the one line a key file holds, and the key arithmetic.
 *
 *	sharedmem 2 key=0x5300a1b2 shmid=32769 size=1024 pid=4242 boot=BOOT name=data
 *	sharedmem 2 key=0x5300a1b2 shmid=32769 size=1024 pid=4242 semid=7 sems=3 held=3 boot=BOOT name=data
 *
 * The second form names the segment's semaphore set, which lives under the
 * same key: sems counts the lock and the counting semaphores, and held
 * gives the number of the lock's held semaphore, past them (sync.c); sets
 * made before the lock told of its holder's death have none.  BOOT says
 * which run of the system wrote the line (boot.c); it is left out where
 * the system cannot tell.  The name binds the line to its own key file: a
 * line read under another name is another name's.
 *
 * Version 1, as 0.2 wrote it, has neither boot nor name:
 *
 *	sharedmem 1 key=0x5300a1b2 shmid=32769 size=1024 pid=4242 semid=7 sems=3
 *
 * The key is printed as ipcs(1) prints it, so that a person can match the
 * two.  The parser accepts what smi_record_format() writes, fields in order,
 * digits only (leading zeros pass), and no key that cannot be one:
 * IPC_PRIVATE, or the (key_t)-1 that ftok() returns for an error.  A key
 * file that says anything else was not written by this library.
 */
#include <config.h>

#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "internal.h"

#define MAGIC_V1 "sharedmem 1 key=0x"
#define MAGIC_V2 "sharedmem 2 key=0x"

/* Keys travel as unsigned long; a wider key_t could not. */
typedef char key_fits_in_long[sizeof(key_t) <= sizeof(unsigned long) ? 1 : -1];

/* All bits of a key_t, in an unsigned long (written so that no shift ever
 * reaches the width of the type). */
#define KEY_MASK ((((1UL << (CHAR_BIT * sizeof(key_t) - 1)) - 1) << 1) | 1)

/* The key's bits as an unsigned number: key_t may be signed and narrower
 * than long, and ipcs shows keys unsigned. */
unsigned long
smi_key_bits(key_t key)
{
	return (unsigned long)key & KEY_MASK;
}

static key_t
key_from_bits(unsigned long bits)
{
	/* A signed key_t holds the upper half of its range as negatives. */
	if ((key_t)-1 < 0 && bits > KEY_MASK / 2)
		return (key_t)(-(long)(KEY_MASK - bits) - 1);
	return (key_t)bits;
}

/*
 * Returns the step-th key after key, skipping IPC_PRIVATE (0) and the
 * value (key_t)-1 that ftok() returns for an error.
 */
key_t
smi_key_next(key_t key, unsigned long step)
{
	unsigned long bits = smi_key_bits(key);

	while (step-- > 0)
		do
			bits = (bits + 1) & KEY_MASK;
		while (bits == 0 || bits == KEY_MASK);
	return key_from_bits(bits);
}

/* A line being written into a buffer: next, end, and whether all fitted.
 * Records are written on every create, so without snprintf(), whose
 * format parsing costs as much as the rest of the line. */
struct line {
	char	*p;
	char	*end;
	int	 full;
};

static void
put_bytes(struct line *l, const char *s, size_t n)
{
	if (l->full || (size_t)(l->end - l->p) < n) {
		l->full = 1;
		return;
	}
	memcpy(l->p, s, n);
	l->p += n;
}

static void
put_str(struct line *l, const char *s)
{
	put_bytes(l, s, strlen(s));
}

/* v in base 10 or 16, at least width digits. */
static void
put_number(struct line *l, unsigned long v, unsigned int base, int width)
{
	char digits[CHAR_BIT * sizeof(unsigned long)];
	char *d = digits + sizeof(digits);

	do {
		*--d = "0123456789abcdef"[v % base];
		v /= base;
	} while (v != 0 || digits + sizeof(digits) - d < width);
	put_bytes(l, d, (size_t)(digits + sizeof(digits) - d));
}

static void
put_signed(struct line *l, long v)
{
	if (v < 0) {
		put_bytes(l, "-", 1);
		put_number(l, 0UL - (unsigned long)v, 10, 1);
	} else
		put_number(l, (unsigned long)v, 10, 1);
}

/* Writes rec as a line of the current version into buf; returns its
 * length, or -1 if it does not fit. */
int
smi_record_format(char *buf, size_t len, const struct record *rec)
{
	struct line l;

	l.p = buf;
	l.end = buf + len;
	l.full = 0;
	put_str(&l, MAGIC_V2);
	put_number(&l, smi_key_bits(rec->key), 16, 8);
	put_str(&l, " shmid=");
	put_signed(&l, rec->shmid);
	put_str(&l, " size=");
	put_number(&l, rec->size, 10, 1);
	put_str(&l, " pid=");
	put_signed(&l, rec->pid);
	if (rec->nsems > 0) {
		put_str(&l, " semid=");
		put_signed(&l, rec->semid);
		put_str(&l, " sems=");
		put_number(&l, rec->nsems, 10, 1);
		if (rec->held != -1) {
			put_str(&l, " held=");
			put_signed(&l, rec->held);
		}
	}
	if (rec->boot[0] != '\0') {
		put_str(&l, " boot=");
		put_str(&l, rec->boot);
	}
	put_str(&l, " name=");
	put_str(&l, rec->name);
	put_bytes(&l, "\n", 1);
	/* Room for the NUL that snprintf() would have written, as callers
	 * size their buffers for it. */
	if (l.full || l.p == l.end)
		return -1;
	*l.p = '\0';
	return (int)(l.p - buf);
}

/* Writes the decimal digits of v, and a NUL, into buf, which has room for
 * every unsigned long; returns how many digits. */
size_t
smi_format_decimal(char *buf, unsigned long v)
{
	struct line l;

	l.p = buf;
	l.end = buf + SMI_DECIMAL_MAX;
	l.full = 0;
	put_number(&l, v, 10, 1);
	*l.p = '\0';
	return (size_t)(l.p - buf);
}

/* Reads a number of base 10 or 16 at *p, advancing *p past it; the
 * digits, not strtoul(), so that no sign, space or overflow slips in. */
static int
parse_number(const char **p, const char *end, int base, unsigned long max,
    unsigned long *value)
{
	const char *s = *p;
	unsigned long v = 0;
	int d;

	for (; s < end; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else
			break;
		if (v > (max - (unsigned long)d) / (unsigned long)base)
			return -1;
		v = v * (unsigned long)base + (unsigned long)d;
	}
	if (s == *p)
		return -1;
	*p = s;
	*value = v;
	return 0;
}

static int
parse_literal(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return -1;
	*p += n;
	return 0;
}

/*
 * Copies the word at *p, of at most size - 1 bytes of which valid() takes
 * each, into buf, and advances *p past it.
 */
static int
parse_word(const char **p, const char *end, int (*valid)(int), char *buf,
    size_t size)
{
	const char *s = *p;

	while (s < end && (size_t)(s - *p) < size && valid((unsigned char)*s))
		s++;
	if (s == *p || (size_t)(s - *p) == size)
		return -1;
	memcpy(buf, *p, (size_t)(s - *p));
	buf[s - *p] = '\0';
	*p = s;
	return 0;
}

/* Parses the len bytes at buf into rec; returns 0, or -1 if they are not
 * exactly one record of either version. */
int
smi_record_parse(const char *buf, size_t len, struct record *rec)
{
	const char *p = buf, *end = buf + len;
	unsigned long key, shmid = 0, size, pid, semid = 0, nsems = 0, held;
	int pending = 0, version, has_held = 0;

	if (parse_literal(&p, end, MAGIC_V2) == 0)
		version = 2;
	else if (parse_literal(&p, end, MAGIC_V1) == 0)
		version = 1;
	else
		return -1;
	if (parse_number(&p, end, 16, KEY_MASK, &key) == -1 ||
	    parse_literal(&p, end, " shmid=") == -1)
		return -1;
	if (parse_literal(&p, end, "-1") == 0)
		pending = 1;
	else if (parse_number(&p, end, 10, INT_MAX, &shmid) == -1)
		return -1;
	if (parse_literal(&p, end, " size=") == -1 ||
	    parse_number(&p, end, 10, ULONG_MAX, &size) == -1 ||
	    parse_literal(&p, end, " pid=") == -1 ||
	    parse_number(&p, end, 10, LONG_MAX, &pid) == -1)
		return -1;
	if (parse_literal(&p, end, " semid=") == 0 &&
	    (pending || parse_number(&p, end, 10, INT_MAX, &semid) == -1 ||
	    parse_literal(&p, end, " sems=") == -1 ||
	    parse_number(&p, end, 10, SEMS_MAX, &nsems) == -1 || nsems == 0))
		return -1;
	/* The held semaphore comes past the ones that sems counts. */
	if (nsems > 0 && parse_literal(&p, end, " held=") == 0) {
		if (parse_number(&p, end, 10, SEMS_MAX, &held) == -1 ||
		    held < nsems)
			return -1;
		has_held = 1;
	}
	rec->boot[0] = rec->name[0] = '\0';
	if (version == 2) {
		if (parse_literal(&p, end, " boot=") == 0 &&
		    parse_word(&p, end, smi_boot_char, rec->boot,
		    sizeof(rec->boot)) == -1)
			return -1;
		if (parse_literal(&p, end, " name=") == -1 ||
		    parse_word(&p, end, smi_name_char, rec->name,
		    sizeof(rec->name)) == -1)
			return -1;
	}
	if (parse_literal(&p, end, "\n") == -1 || p != end ||
	    key == 0 || key == KEY_MASK || size == 0 || pid == 0)
		return -1;
	rec->version = version;
	rec->key = key_from_bits(key);
	rec->shmid = pending ? -1 : (int)shmid;
	rec->size = size;
	rec->pid = (long)pid;
	rec->semid = nsems == 0 ? -1 : (int)semid;
	rec->nsems = (unsigned int)nsems;
	rec->held = has_held ? (int)held : -1;
	return 0;
}
