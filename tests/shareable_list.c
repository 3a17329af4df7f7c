/*
 * shareable_list.c - Python's ShareableList from C, through the library,
 * for tests/python_list.py: "write NAME" creates NAME holding the items
 * of written[] below, "read NAME" prints every field of the list in NAME,
 * a line an item:
 *
 *	items N
 *	I FORMAT CODE VALUE
 *
 * VALUE is the item as the bytes hold it: q in decimal, d as the 16 hex
 * digits of its bits, ? as 0 or 1, and Ns as its N bytes in hex.  Exits 1
 * with a message on stderr if the list is not laid out as below.
 *
 * The layout, CPython's from 3.9 on, in the machine's byte order:
 *
 *	int64	n			the number of items
 *	int64	offset[n + 1]		item i has the bytes offset[i] to
 *					offset[i + 1] of the data area
 *	char	data[offset[n]]
 *	char	format[n][8]		item i's struct format, NUL-padded
 *	int8	code[n]			how Python makes the value: 0 as
 *					packed, 1 str, 2 bytes, 3 None
 *
 * An int is "q", a float "d", a bool "xxxxxxx?", None "xxxxxx?x" (its
 * byte 0), a str (UTF-8) or bytes "Ns", N the multiple of 8 above its
 * length in bytes, NUL-padded.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sharedmem.h"
#include "tap.h"

#define FORMAT_SIZE 8

enum kind { INT, FLOAT, BOOL, NONE, STR, BYTES };

static const struct item {
	enum kind	 kind;
	int64_t		 i;		/* INT, BOOL */
	double		 d;		/* FLOAT */
	const char	*s;		/* STR, BYTES */
	size_t		 len;		/* BYTES */
} written[] = {
	{ INT, -5, 0, NULL, 0 },
	{ FLOAT, 0, 2.5, NULL, 0 },
	{ BOOL, 1, 0, NULL, 0 },
	{ BOOL, 0, 0, NULL, 0 },
	{ NONE, 0, 0, NULL, 0 },
	{ STR, 0, 0, "written in C", 0 },
	{ BYTES, 0, 0, "\001\002\003", 3 },
	{ INT, INT64_MAX, 0, NULL, 0 },
	{ STR, 0, 0, "", 0 },
};
#define NWRITTEN (sizeof(written) / sizeof(written[0]))

static const char *progname = "shareable_list";

static void fail(const char *, const char *) TAP_NORETURN;

static void
fail(const char *name, const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", progname, name, what);
	exit(1);
}

static size_t
item_length(const struct item *it)
{
	return it->kind == BYTES ? it->len : strlen(it->s);
}

/* The bytes that an item takes in the data area. */
static size_t
item_room(const struct item *it)
{
	if (it->kind == STR || it->kind == BYTES)
		return 8 * (item_length(it) / 8 + 1);
	return 8;
}

static int
write_list(const char *name)
{
	size_t n = NWRITTEN, data = 0, size, at, i;
	unsigned char *p;
	sharedmem *shm;
	int64_t v;
	char counted[32];
	int len;

	for (i = 0; i < n; i++)
		data += item_room(&written[i]);
	size = 8 * (n + 2) + data + (FORMAT_SIZE + 1) * n;
	if ((shm = sharedmem_create(name, size)) == NULL)
		fail(name, strerror(errno));
	p = sharedmem_buf(shm);
	v = (int64_t)n;
	memcpy(p, &v, 8);
	at = 0;
	for (i = 0; i <= n; i++) {
		v = (int64_t)at;
		memcpy(p + 8 * (i + 1), &v, 8);
		if (i < n)
			at += item_room(&written[i]);
	}
	at = 8 * (n + 2);
	for (i = 0; i < n; i++) {
		const struct item *it = &written[i];
		char *format = (char *)p + 8 * (n + 2) + data + FORMAT_SIZE * i;
		signed char *code = (signed char *)p + 8 * (n + 2) + data +
		    FORMAT_SIZE * n + i;

		switch (it->kind) {
		case INT:
			memcpy(p + at, &it->i, 8);
			memcpy(format, "q", 1);
			*code = 0;
			break;
		case FLOAT:
			memcpy(p + at, &it->d, 8);
			memcpy(format, "d", 1);
			*code = 0;
			break;
		case BOOL:
			p[at + 7] = it->i != 0;
			memcpy(format, "xxxxxxx?", 8);
			*code = 0;
			break;
		case NONE:
			memcpy(format, "xxxxxx?x", 8);
			*code = 3;
			break;
		case STR:
		case BYTES:
			memcpy(p + at, it->s, item_length(it));
			len = snprintf(counted, sizeof(counted), "%zus",
			    item_room(it));
			if (len < 0 || len > FORMAT_SIZE)
				fail(name, "an item too long for its format");
			memcpy(format, counted, (size_t)len);
			*code = it->kind == STR ? 1 : 2;
			break;
		}
		at += item_room(it);
	}
	return sharedmem_close(shm) == 0 ? 0 : 1;
}

/* Prints the values of one item at p by its format, which must fit room. */
static void
print_item(const char *name, const unsigned char *p, const char *format,
    size_t room)
{
	const char *sep = "", *f;
	size_t at = 0, need, j;
	char *end;
	int64_t i;
	uint64_t bits;

	for (f = format; *f != '\0'; f++) {
		need = 1;
		if (*f >= '0' && *f <= '9') {
			need = strtoul(f, &end, 10);
			if (*end != 's')
				fail(name, "a count before another format than s");
			f = end;
		} else if (*f == 'q' || *f == 'd')
			need = 8;
		else if (*f != 'x' && *f != '?')
			fail(name, "a format that Python does not write");
		if (need > room - at)
			fail(name, "an item larger than its room");
		if (*f != 'x') {
			printf("%s", sep);
			sep = ",";
		}
		switch (*f) {
		case 'q':
			memcpy(&i, p + at, 8);
			printf("%" PRId64, i);
			break;
		case 'd':
			memcpy(&bits, p + at, 8);
			printf("%016" PRIx64, bits);
			break;
		case '?':
			printf("%d", p[at] != 0);
			break;
		case 's':
			for (j = 0; j < need; j++)
				printf("%02x", p[at + j]);
			break;
		}
		at += need;
	}
}

static int
read_list(const char *name)
{
	const unsigned char *p, *formats, *codes;
	sharedmem *shm;
	size_t size, data, n, i;
	int64_t count, from, to, end;
	char format[FORMAT_SIZE + 1];

	if ((shm = sharedmem_attach(name)) == NULL)
		fail(name, strerror(errno));
	p = sharedmem_buf(shm);
	size = sharedmem_size(shm);
	if (size < 16)
		fail(name, "smaller than a list of no items");
	memcpy(&count, p, 8);
	/* An item takes an offset, a format and a code at least. */
	if (count < 0 ||
	    (uint64_t)count > (size - 16) / (8 + FORMAT_SIZE + 1))
		fail(name, "more items than fit");
	n = (size_t)count;
	data = 8 * (n + 2);
	memcpy(&end, p + 8 * (n + 1), 8);
	if (end < 0 || (uint64_t)end > size - data - (FORMAT_SIZE + 1) * n)
		fail(name, "a data area that does not fit");
	formats = p + data + (size_t)end;
	codes = formats + FORMAT_SIZE * n;
	printf("items %zu\n", n);
	for (i = 0; i < n; i++) {
		memcpy(&from, p + 8 * (i + 1), 8);
		memcpy(&to, p + 8 * (i + 2), 8);
		if ((i == 0 && from != 0) || to < from || to > end)
			fail(name, "offsets that do not ascend from 0");
		memcpy(format, formats + FORMAT_SIZE * i, FORMAT_SIZE);
		format[FORMAT_SIZE] = '\0';
		printf("%zu %s %d ", i, format, (signed char)codes[i]);
		print_item(name, p + data + (size_t)from, format,
		    (size_t)(to - from));
		printf("\n");
	}
	return sharedmem_close(shm) == 0 ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	if (argc == 3 && strcmp(argv[1], "write") == 0)
		return write_list(argv[2]);
	if (argc == 3 && strcmp(argv[1], "read") == 0)
		return read_list(argv[2]);
	fprintf(stderr, "usage: %s write|read NAME\n", progname);
	return 2;
}
