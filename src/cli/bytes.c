/*
 * bytes.c - a number of bytes as a person types it: see bytes.h.
 */
#include <config.h>

#include <errno.h>
#include <stdint.h>

#include "bytes.h"

/* The value of digit c in base, or -1. */
static int
digit(int c, unsigned int base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return (unsigned int)v < base ? v : -1;
}

int
bytes_parse(const char *s, int flags, uint64_t max, uint64_t *bytes)
{
	unsigned int base = 10, shift = 0;
	uint64_t v = 0;
	int d, digits = 0;

	if ((flags & BYTES_HEX) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; (d = digit((unsigned char)*s, base)) != -1; s++, digits++) {
		if ((uint64_t)d > max || v > (max - (uint64_t)d) / base) {
			errno = ERANGE;
			return -1;
		}
		v = v * base + (uint64_t)d;
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
	if (v > max >> shift) {
		errno = ERANGE;
		return -1;
	}
	*bytes = v << shift;
	return 0;
}
