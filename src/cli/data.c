/*
 * data.c - read, write and dump: the bytes in a segment.
 */
#include <config.h>

#include <sys/types.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "cli.h"

/* What read, write and dump were asked for. */
struct range {
	size_t	offset;
	size_t	count;
	int	counted;	/* -c given */
};

static size_t
bytes_option(struct cli *cli, int c, const char *what)
{
	const char *arg = cli->opt[c];
	size_t v;

	if (parse_bytes(arg, &v) == -1) {
		if (errno == ERANGE)
			usage_error(cli, "-%c %s is too large", c, arg);
		usage_error(cli, "-%c wants %s such as 16, 0x10 or 4k, not '%s'",
		    c, what, arg);
	}
	return v;
}

static void
range_options(struct cli *cli, struct range *r)
{
	memset(r, 0, sizeof(*r));
	if (cli->opt['o'] != NULL)
		r->offset = bytes_option(cli, 'o', "a byte offset");
	if (cli->opt['c'] != NULL) {
		r->count = bytes_option(cli, 'c', "a number of bytes");
		r->counted = 1;
	}
}

/* Fits r to a segment of size bytes: no -c means up to the end. */
static int
check_range(const char *name, struct range *r, size_t size)
{
	if (r->offset > size) {
		warnmsg("%s: offset %lu is past the end of the segment, which "
		    "has %lu bytes", name, (unsigned long)r->offset,
		    (unsigned long)size);
		return -1;
	}
	if (!r->counted)
		r->count = size - r->offset;
	else if (r->count > size - r->offset) {
		warnmsg("%s: %lu bytes from offset %lu pass the end of the "
		    "segment, which has %lu bytes", name,
		    (unsigned long)r->count, (unsigned long)r->offset,
		    (unsigned long)size);
		return -1;
	}
	return 0;
}

static sharedmem *
open_segment(const char *name, int flags)
{
	sharedmem *shm;

	if ((shm = sharedmem_open(name, flags, 0, 0)) == NULL)
		(void)fail_name(name, errno,
		    flags & SHAREDMEM_RDONLY ? OP_READ : OP_ATTACH);
	return shm;
}

/* Detaches shm; status is what the command came to before. */
static int
close_segment(const char *name, sharedmem *shm, int status)
{
	if (sharedmem_close(shm) == -1) {
		warnmsg("%s: cannot detach it: %s", name, strerror(errno));
		return CLI_FAIL;
	}
	return status;
}

int
cmd_read(struct cli *cli)
{
	const char *name = cli->operands[0];
	const unsigned char *buf;
	struct range r;
	sharedmem *shm;
	int status = CLI_FAIL;

	range_options(cli, &r);
	if ((shm = open_segment(name, SHAREDMEM_RDONLY)) == NULL)
		return CLI_FAIL;
	if (check_range(name, &r, sharedmem_size(shm)) == 0) {
		buf = sharedmem_buf(shm);
		if (r.count > 0 &&
		    fwrite(buf + r.offset, 1, r.count, stdout) != r.count)
			warnmsg("cannot write to standard output: %s",
			    strerror(errno));
		else
			status = output_done();
	}
	return close_segment(name, shm, status);
}

/*
 * Reads standard input into new memory, but never more than limit bytes:
 * whoever wants room for n bytes asks for n + 1 to learn whether there
 * were more.
 */
static int
slurp(size_t limit, unsigned char **bufp, size_t *lenp)
{
	unsigned char *buf = NULL, *more;
	size_t len = 0, cap = 0, want;
	ssize_t n;

	for (;;) {
		if (len == cap) {
			if (cap == limit)
				break;
			want = cap == 0 ? 65536 : cap * 2;
			if (want > limit || want < cap)
				want = limit;
			if ((more = realloc(buf, want)) == NULL) {
				free(buf);
				return -1;
			}
			buf = more;
			cap = want;
		}
		n = read(STDIN_FILENO, buf + len, cap - len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			free(buf);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

int
cmd_write(struct cli *cli)
{
	const char *name = cli->operands[0];
	unsigned char *in;
	struct range r;
	sharedmem *shm;
	size_t room, len;
	int status = CLI_FAIL;

	range_options(cli, &r);
	if ((shm = open_segment(name, 0)) == NULL)
		return CLI_FAIL;
	if (check_range(name, &r, sharedmem_size(shm)) == -1)
		return close_segment(name, shm, CLI_FAIL);
	/* All of the input first: what would not fit is refused whole, and
	 * the segment is left as it was. */
	room = r.count;
	if (slurp(room < SIZE_MAX ? room + 1 : room, &in, &len) == -1) {
		warnmsg("cannot read standard input: %s", strerror(errno));
		return close_segment(name, shm, CLI_FAIL);
	}
	if (len > room)
		warnmsg("%s: the input is longer than the %lu bytes from offset "
		    "%lu to the end of the segment; nothing was written", name,
		    (unsigned long)room, (unsigned long)r.offset);
	else {
		if (len > 0)
			memcpy((unsigned char *)sharedmem_buf(shm) + r.offset,
			    in, len);
		status = CLI_OK;
	}
	free(in);
	return close_segment(name, shm, status);
}

/* The types of dump. */
enum kind { HEX, UNSIGNED, SIGNED, FLOAT };

struct type {
	const char	*name;
	enum kind	 kind;
	size_t		 size;
	int		 width;	/* of the widest value */
};

static const struct type types[] = {
	{ "x8", HEX, 1, 2 },
	{ "u8", UNSIGNED, 1, 3 },
	{ "i8", SIGNED, 1, 4 },
	{ "u16", UNSIGNED, 2, 5 },
	{ "i16", SIGNED, 2, 6 },
	{ "u32", UNSIGNED, 4, 10 },
	{ "i32", SIGNED, 4, 11 },
	{ "u64", UNSIGNED, 8, 20 },
	{ "i64", SIGNED, 8, 20 },
	{ "f32", FLOAT, 4, 15 },
	{ "f64", FLOAT, 8, 24 },
};

#define NTYPES		(sizeof(types) / sizeof(types[0]))
#define LINE_BYTES	16

/*
 * Writes x with the fewest significant digits that read back as x, so
 * that 1.5 is "1.5", not "1.5000000000000000".  NaN never reads back
 * equal, and ends as the longest form, which is still "nan".
 */
static void
format_double(char *buf, size_t len, double x)
{
	int prec;

	for (prec = 1; prec <= 17; prec++) {
		(void)snprintf(buf, len, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			return;
	}
}

static void
format_float(char *buf, size_t len, float x)
{
	int prec;

	for (prec = 1; prec <= 9; prec++) {
		(void)snprintf(buf, len, "%.*g", prec, (double)x);
		if (strtof(buf, NULL) == x)
			return;
	}
}

/* Copies the value of type t at p into text; memcpy, for the values at
 * odd offsets, which some machines cannot load in place. */
static void
format_value(char *text, size_t len, const struct type *t,
    const unsigned char *p)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	int8_t i8;
	int16_t i16;
	int32_t i32;
	int64_t i64;
	float f;
	double d;

	switch (t->kind) {
	case HEX:
		(void)snprintf(text, len, "%02x", (unsigned int)*p);
		return;
	case UNSIGNED:
		switch (t->size) {
		case 1:
			memcpy(&u8, p, 1);
			u64 = u8;
			break;
		case 2:
			memcpy(&u16, p, 2);
			u64 = u16;
			break;
		case 4:
			memcpy(&u32, p, 4);
			u64 = u32;
			break;
		default:
			memcpy(&u64, p, 8);
			break;
		}
		(void)snprintf(text, len, "%" PRIu64, u64);
		return;
	case SIGNED:
		switch (t->size) {
		case 1:
			memcpy(&i8, p, 1);
			i64 = i8;
			break;
		case 2:
			memcpy(&i16, p, 2);
			i64 = i16;
			break;
		case 4:
			memcpy(&i32, p, 4);
			i64 = i32;
			break;
		default:
			memcpy(&i64, p, 8);
			break;
		}
		(void)snprintf(text, len, "%" PRId64, i64);
		return;
	case FLOAT:
		if (t->size == 4) {
			memcpy(&f, p, 4);
			format_float(text, len, f);
		} else {
			memcpy(&d, p, 8);
			format_double(text, len, d);
		}
		return;
	}
}

/* Prints count bytes at buf, which are at offset in the segment, as
 * values of type t, LINE_BYTES to a line. */
static void
dump_values(const unsigned char *buf, size_t offset, size_t count,
    const struct type *t)
{
	char text[64];
	size_t i;

	for (i = 0; i < count; i += t->size) {
		if (i % LINE_BYTES == 0)
			printf("%s%08lx", i == 0 ? "" : "\n",
			    (unsigned long)(offset + i));
		format_value(text, sizeof(text), t, buf + i);
		printf(" %*s", t->width, text);
	}
	if (count > 0)
		printf("\n");
}

int
cmd_dump(struct cli *cli)
{
	const char *name = cli->operands[0];
	const unsigned char *buf;
	const struct type *t = &types[0];
	struct range r;
	sharedmem *shm;
	size_t i, whole;

	range_options(cli, &r);
	if (cli->opt['t'] != NULL) {
		for (i = 0; i < NTYPES; i++)
			if (strcmp(cli->opt['t'], types[i].name) == 0)
				break;
		if (i == NTYPES)
			usage_error(cli, "-t wants one of x8 u8 i8 u16 i16 u32 "
			    "i32 u64 i64 f32 f64, not '%s'", cli->opt['t']);
		t = &types[i];
	}
	if (r.counted && r.count % t->size != 0)
		usage_error(cli, "-c %s is not a whole number of %s values, "
		    "%lu bytes each", cli->opt['c'], t->name,
		    (unsigned long)t->size);
	if ((shm = open_segment(name, SHAREDMEM_RDONLY)) == NULL)
		return CLI_FAIL;
	if (check_range(name, &r, sharedmem_size(shm)) == -1)
		return close_segment(name, shm, CLI_FAIL);
	buf = (const unsigned char *)sharedmem_buf(shm) + r.offset;
	/* Up to the end, the bytes after the last whole value are shown
	 * as bytes, not padded into a value they do not make. */
	whole = r.count - r.count % t->size;
	dump_values(buf, r.offset, whole, t);
	dump_values(buf + whole, r.offset + whole, r.count - whole, &types[0]);
	return close_segment(name, shm, output_done());
}
