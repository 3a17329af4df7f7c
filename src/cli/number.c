/*
 * number.c - the numbers a person types: sizes, offsets, counts, modes.
 */
#include <config.h>

#include <sys/types.h>

#include <errno.h>
#include <stdint.h>

#include "cli.h"
#include "bytes.h"

/*
 * A number of bytes, up to what a size_t holds: decimal digits, or hex
 * ones after 0x, and then k, M or G (bytes.h).  strtoul() would take a
 * sign, leading spaces, and an octal 010 that people mean as ten.
 * Returns 0, or -1 with errno EINVAL (not a number) or ERANGE (too
 * large).
 */
int
parse_bytes(const char *s, size_t *bytes)
{
	uint64_t v;

	if (bytes_parse(s, BYTES_HEX, SIZE_MAX, &v) == -1)
		return -1;
	*bytes = (size_t)v;
	return 0;
}

/* Permissions in octal, as chmod(1) takes them: 600, 0644. */
int
parse_mode(const char *s, mode_t *mode)
{
	unsigned int v = 0;
	int digits = 0;

	for (; *s >= '0' && *s <= '7'; s++, digits++)
		if ((v = v * 8 + (unsigned int)(*s - '0')) > 0777) {
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
