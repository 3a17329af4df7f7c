/*
 * pyfloat.h - doubles written as Python's repr() writes them.
 */
#ifndef PYFLOAT_H
#define PYFLOAT_H

#include <stddef.h>

/*
 * Room for any double as pyfloat_format() writes it, with its '\0'.  The
 * longest, "-1.2345678901234567e-308", has 24 characters.
 */
#define PYFLOAT_SIZE 32

/*
 * Writes x into buf, of size bytes, as Python's repr(x) would: the fewest
 * digits that read back as x, in plain notation when the decimal exponent
 * is from -4 to 15 and in scientific notation otherwise.  Returns the
 * length of the text, or -1 with errno set (ERANGE if size is too small).
 */
int	pyfloat_format(char *, size_t, double);

#endif /* PYFLOAT_H */
