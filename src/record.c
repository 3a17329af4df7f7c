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
 * Version 1, as 0.1 and 0.2 wrote it, has neither boot nor name:
 *
 *	sharedmem 1 key=0x5300a1b2 shmid=32769 size=1024 pid=4242 semid=7 sems=3
 *
 * The key is printed as ipcs(1) prints it, so that a person can match the
 * two.  The line keeps the rule that sharedmem(7) gives every reader: after
 * "sharedmem VERSION", fields NAME=VALUE, each after one space, a name of
 * lower-case letters, digits and '_', a value of printable characters other
 * than the space, and a newline, all in RECORD_MAX bytes at most; a reader
 * takes the fields it knows by their names, in any order, and skips those
 * it does not know, which later releases may add; the version moves only
 * where a field changes its meaning, and a version it does not know is
 * refused.  The fields that a version knows are those of that version and
 * the ones before.  The parser also refuses a field it knows that is there
 * twice or holds a bad value (numbers are digits only, leading zeros
 * pass), a record without key, shmid, size and pid, or, from version 2,
 * its name, a set's id without its size or the other way round, a held
 * semaphore without a set or among the ones that sems counts, and a key
 * that cannot be one: IPC_PRIVATE, or the (key_t)-1 that ftok() returns
 * for an error.  A key file that says anything else was not written by
 * a release of this library.
 */
#include <config.h>

#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "internal.h"

/* The version written, and the newest read. */
#define RECORD_VERSION 2

/* The fields known here, with the version that brought each. */
enum field {
	F_KEY, F_SHMID, F_SIZE, F_PID, F_SEMID, F_SEMS, F_HELD, F_BOOT, F_NAME,
	FIELDS
};
#define FIELD(name, since)	{ name, sizeof(name) - 1, since }
static const struct {
	const char	*name;
	size_t		 len;
	int		 since;
} fields[FIELDS] = {
	FIELD("key", 1), FIELD("shmid", 1), FIELD("size", 1), FIELD("pid", 1),
	FIELD("semid", 1), FIELD("sems", 1), FIELD("held", 2),
	FIELD("boot", 2), FIELD("name", 2)
};
#define PENDING		ULONG_MAX	/* the shmid -1 of a create under way */

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
	put_str(&l, "sharedmem ");
	put_number(&l, RECORD_VERSION, 10, 1);
	put_str(&l, " key=0x");
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

/* Reads the whole of [s, end) as a number of base 10 or 16, at most max:
 * digits only, not strtoul(), so that no sign or space slips in. */
static int
parse_number(const char *s, const char *end, int base, unsigned long max,
    unsigned long *value)
{
	/* Past limit, or at it with a digit past last, v would pass max. */
	unsigned long v = 0, limit = max / (unsigned long)base,
	    last = max % (unsigned long)base, d;

	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (*s >= '0' && *s <= '9')
			d = (unsigned long)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned long)(*s - 'a' + 10);
		else
			return -1;
		if (v > limit || (v == limit && d > last))
			return -1;
		v = v * (unsigned long)base + d;
	}
	*value = v;
	return 0;
}

/* Copies the whole of [s, end), of at most size - 1 bytes that span()
 * takes, into buf. */
static int
parse_word(const char *s, const char *end,
    size_t (*span)(const char *, size_t), char *buf, size_t size)
{
	size_t n = (size_t)(end - s);

	if (n == 0 || n >= size || span(s, n) != n)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

/* Whether the len bytes at s are the name of a field known to version. */
static int
known_field(const char *s, size_t len, int version)
{
	int f;

	for (f = 0; f < FIELDS; f++)
		if (fields[f].len == len && fields[f].name[0] == s[0] &&
		    fields[f].since <= version &&
		    memcmp(fields[f].name, s, len) == 0)
			return f;
	return -1;
}

/* Reads the value [s, end) of field f into num[f], or rec's words. */
static int
parse_value(int f, const char *s, const char *end, unsigned long *num,
    struct record *rec)
{
	switch (f) {
	case F_KEY:
		return end - s < 2 || memcmp(s, "0x", 2) != 0 ? -1 :
		    parse_number(s + 2, end, 16, KEY_MASK, &num[f]);
	case F_SHMID:
		if (end - s == 2 && memcmp(s, "-1", 2) == 0) {
			num[f] = PENDING;
			return 0;
		}
		return parse_number(s, end, 10, INT_MAX, &num[f]);
	case F_SIZE:
		return parse_number(s, end, 10, ULONG_MAX, &num[f]);
	case F_PID:
		return parse_number(s, end, 10, LONG_MAX, &num[f]);
	case F_SEMID:
		return parse_number(s, end, 10, INT_MAX, &num[f]);
	case F_SEMS:
	case F_HELD:
		return parse_number(s, end, 10, SEMS_MAX, &num[f]);
	case F_BOOT:
		return parse_word(s, end, smi_boot_span, rec->boot,
		    sizeof(rec->boot));
	default:
		return parse_word(s, end, smi_name_span, rec->name,
		    sizeof(rec->name));
	}
}

/* A field's name is of lower-case letters, digits and '_'. */
static int
field_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Whether [s, end) is of the printable characters but the space, of
 * which values are. */
static int
printable(const char *s, const char *end)
{
	for (; s < end; s++)
		if (*s <= ' ' || *s > '~')
			return 0;
	return 1;
}

#define HAS(f)		(1U << (f))
#define REQUIRED	(HAS(F_KEY) | HAS(F_SHMID) | HAS(F_SIZE) | HAS(F_PID))

/* Parses the len bytes at buf into rec; returns 0, or -1 if they are not
 * exactly one record of a version known here. */
int
smi_record_parse(const char *buf, size_t len, struct record *rec)
{
	static const char magic[] = "sharedmem ";
	const char *p = buf, *end, *start, *eq;
	unsigned long num[FIELDS] = { 0 }, version;
	unsigned int seen = 0;
	int f;

	if (len < sizeof(magic) || len > RECORD_MAX || buf[len - 1] != '\n' ||
	    memcmp(p, magic, sizeof(magic) - 1) != 0)
		return -1;
	end = buf + len - 1;	/* the newline */
	p += sizeof(magic) - 1;
	for (start = p; p < end && *p != ' '; p++)
		continue;
	if (parse_number(start, p, 10, RECORD_VERSION, &version) == -1 ||
	    version == 0)
		return -1;
	rec->boot[0] = rec->name[0] = '\0';
	while (p < end) {
		if (*p++ != ' ')
			return -1;
		for (start = p; p < end && field_name_char((unsigned char)*p);
		    p++)
			continue;
		if (p == start || p == end || *p != '=')
			return -1;
		/* A value runs to the next space: the parser of a known
		 * field checks its characters, which are printable. */
		for (eq = p++; p < end && *p != ' '; p++)
			continue;
		if (p == eq + 1)
			return -1;
		/* Fields that a later release or version brought are
		 * skipped, once they are seen to be of the rule. */
		if ((f = known_field(start, (size_t)(eq - start),
		    (int)version)) == -1) {
			if (!printable(eq + 1, p))
				return -1;
			continue;
		}
		if ((seen & HAS(f)) != 0 ||
		    parse_value(f, eq + 1, p, num, rec) == -1)
			return -1;
		seen |= HAS(f);
	}
	if ((seen & REQUIRED) != REQUIRED ||
	    (version >= 2 && (seen & HAS(F_NAME)) == 0) ||
	    ((seen & HAS(F_SEMID)) == 0) != ((seen & HAS(F_SEMS)) == 0) ||
	    ((seen & HAS(F_SEMS)) != 0 &&
	    (num[F_SHMID] == PENDING || num[F_SEMS] == 0)) ||
	    /* The held semaphore comes past the ones that sems counts. */
	    ((seen & HAS(F_HELD)) != 0 && ((seen & HAS(F_SEMS)) == 0 ||
	    num[F_HELD] < num[F_SEMS])) ||
	    num[F_KEY] == 0 || num[F_KEY] == KEY_MASK || num[F_SIZE] == 0 ||
	    num[F_PID] == 0)
		return -1;
	rec->version = (int)version;
	rec->key = key_from_bits(num[F_KEY]);
	rec->shmid = num[F_SHMID] == PENDING ? -1 : (int)num[F_SHMID];
	rec->size = num[F_SIZE];
	rec->pid = (long)num[F_PID];
	rec->semid = (seen & HAS(F_SEMS)) != 0 ? (int)num[F_SEMID] : -1;
	rec->nsems = (seen & HAS(F_SEMS)) != 0 ? (unsigned int)num[F_SEMS] : 0;
	rec->held = (seen & HAS(F_HELD)) != 0 ? (int)num[F_HELD] : -1;
	return 0;
}
