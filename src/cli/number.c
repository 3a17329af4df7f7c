/*
 * number.c - the numbers a person types: sizes, offsets, counts, modes.
 */
#include <config.h>

#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "cli.h"

/* The value of hex digit c, or -1. */
static int
digit(int c, unsigned int base)
{
	const char *hex = "0123456789abcdef", *p;
	int v;

	if (c >= 'A' && c <= 'F')
		c += 'a' - 'A';
	if (c == '\0' || (p = strchr(hex, c)) == NULL)
		return -1;
	v = (int)(p - hex);
	return (unsigned int)v < base ? v : -1;
}

/*
 * A number of bytes: decimal digits, or hex ones after 0x, and then k, M
 * or G for 1024, 1024 * 1024 or 1024 * 1024 * 1024.  Read digit by digit
 * rather than by strtoul(), which would take a sign, leading spaces, and
 * an octal 010 that people mean as ten.  Returns 0, or -1 with errno
 * EINVAL (not a number) or ERANGE (too large for a size_t).
 */
int
parse_bytes(const char *s, size_t *bytes)
{
	unsigned int base = 10, shift = 0;
	size_t v = 0;
	int d, digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; (d = digit((unsigned char)*s, base)) != -1; s++, digits++) {
		if (v > (SIZE_MAX - (size_t)d) / base) {
			errno = ERANGE;
			return -1;
		}
		v = v * base + (size_t)d;
	}
	switch (*s) {
	case 'k':
	case 'K':
		shift = 10;
		s++;
		break;
	case 'M':
		shift = 20;
		s++;
		break;
	case 'G':
		shift = 30;
		s++;
		break;
	}
	if (*s != '\0' || digits == 0) {
		errno = EINVAL;
		return -1;
	}
	if (shift > 0 && v > SIZE_MAX >> shift) {
		errno = ERANGE;
		return -1;
	}
	*bytes = v << shift;
	return 0;
}

/* Permissions in octal, as chmod(1) takes them: 600, 0644. */
int
parse_mode(const char *s, mode_t *mode)
{
	unsigned int v = 0;
	int d, digits = 0;

	for (; (d = digit((unsigned char)*s, 8)) != -1; s++, digits++)
		if ((v = v * 8 + (unsigned int)d) > 0777) {
			errno = ERANGE;
			return -1;
		}
	if (*s != '\0' || digits == 0) {
		errno = EINVAL;
		return -1;
	}
	*mode = (mode_t)v;
	return 0;
}
