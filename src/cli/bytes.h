/*
 * bytes.h - a number of bytes as a person types it, read the same way by
 * the tool and by the streaming example, which compile bytes.c in: it is
 * no part of the library.
 */
#ifndef BYTES_H
#define BYTES_H

#include <stdint.h>

/* Hex digits after 0x are taken too. */
#define BYTES_HEX	1

/*
 * Decimal digits (or, with BYTES_HEX, hex ones after 0x), then k, M or G
 * for 2^10, 2^20 or 2^30, read digit by digit, so that no sign, space,
 * exponent or octal slips in.  Returns 0 and the number in *bytes, or -1
 * with errno EINVAL (no such number) or ERANGE (more than max).
 */
int	bytes_parse(const char *s, int flags, uint64_t max, uint64_t *bytes);

#endif /* BYTES_H */
