/*
 * pyfloat.c - doubles written as Python's repr() writes them.
 *
 * Python prints the shortest decimal that reads back as the same double,
 * laid out plainly when its exponent is from -4 to 15 ("0.0001",
 * "1000000000000000.0") and in scientific notation otherwise, with a sign
 * and at least two digits in the exponent ("1e-05", "1e+16").  A plainly
 * written integral value keeps its ".0", so that it still reads as a
 * float; a scientific one does not get it.
 */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyfloat.h"

/* Enough significant digits to tell any double from every other. */
#define DIGITS_MAX 17

/* The decimal exponents that Python writes in plain notation. */
#define PLAIN_MIN (-4)
#define PLAIN_END 16

/*
 * A decimal: its significant digits without point or trailing zeros,
 * "15" for 1.5, worth d.ddd times ten to the power e10.
 */
struct decimal {
	char	digits[DIGITS_MAX + 1];
	int	e10;
};

/*
 * Writes x with prec significant digits into text, as "d.ddde+XX".  The
 * C library rounds %e correctly, so that is the closest decimal of that
 * length.
 */
static int
print_digits(char *text, size_t size, double x, int prec)
{
	int len;

	len = snprintf(text, size, "%.*e", prec - 1, x);
	if (len < 0)
		return -1;
	if ((size_t)len >= size) {
		errno = ERANGE;
		return -1;
	}
	return 0;
}

/*
 * Reads the digits and exponent of text, as print_digits() writes it,
 * into dec.  The point is the locale's, perhaps more than one byte, so
 * everything but the digits before the 'e' is skipped.
 */
static int
parse_digits(const char *text, struct decimal *dec)
{
	const char *p;
	char *end;
	size_t n = 0;
	long e10;

	for (p = text; *p != 'e' && *p != '\0'; p++)
		if (*p >= '0' && *p <= '9' && n < DIGITS_MAX)
			dec->digits[n++] = *p;
	if (*p != 'e' || n == 0) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	e10 = strtol(p + 1, &end, 10);
	if (*end != '\0' || errno != 0 || e10 < -400 || e10 > 400) {
		errno = EINVAL;
		return -1;
	}
	/* Python never shows a trailing zero after the point. */
	while (n > 1 && dec->digits[n - 1] == '0')
		n--;
	dec->digits[n] = '\0';
	dec->e10 = (int)e10;
	return 0;
}

/*
 * Finds the shortest decimal that reads back as x, which is finite and
 * not negative.  Of the candidates of that length it is the closest to x,
 * as Python's is: the first precision whose correctly rounded text reads
 * back as x gives it.
 */
static int
shortest(double x, struct decimal *dec)
{
	char text[DIGITS_MAX + 16];
	int prec;

	for (prec = 1;; prec++) {
		if (print_digits(text, sizeof(text), x, prec) == -1)
			return -1;
		if (prec == DIGITS_MAX || strtod(text, NULL) == x)
			break;
	}
	return parse_digits(text, dec);
}

/* Writes "e+XX", "e-XXX": a sign, and at least two digits. */
static size_t
put_exponent(char *s, int e10)
{
	size_t i = 0;

	s[i++] = 'e';
	s[i++] = e10 < 0 ? '-' : '+';
	if (e10 < 0)
		e10 = -e10;
	if (e10 >= 100)
		s[i++] = (char)('0' + e10 / 100);
	s[i++] = (char)('0' + e10 / 10 % 10);
	s[i++] = (char)('0' + e10 % 10);
	return i;
}

/*
 * Lays dec out into s as Python does, and returns the length.  Its longest
 * text has 23 bytes: "1.2345678901234567e-308".
 */
static size_t
layout(const struct decimal *dec, char *s)
{
	const char *d = dec->digits;
	size_t n = strlen(d), i = 0, k, point;

	if (dec->e10 < PLAIN_MIN || dec->e10 >= PLAIN_END) {
		s[i++] = d[0];
		if (n > 1) {
			s[i++] = '.';
			memcpy(s + i, d + 1, n - 1);
			i += n - 1;
		}
		return i + put_exponent(s + i, dec->e10);
	}
	if (dec->e10 < 0) {
		s[i++] = '0';
		s[i++] = '.';
		for (k = 1; k < (size_t)-dec->e10; k++)
			s[i++] = '0';
		memcpy(s + i, d, n);
		return i + n;
	}
	/* The digits before the point, padded with zeros where x is
	 * integral and larger than its digits; then at least one after. */
	point = (size_t)dec->e10 + 1;
	for (k = 0; k < point; k++)
		s[i++] = k < n ? d[k] : '0';
	s[i++] = '.';
	if (n > point) {
		memcpy(s + i, d + point, n - point);
		return i + n - point;
	}
	s[i++] = '0';
	return i;
}

int
pyfloat_format(char *buf, size_t size, double x)
{
	struct decimal dec;
	char text[PYFLOAT_SIZE];
	size_t len = 0;

	/* Python writes every NaN as "nan", whatever its sign. */
	if (isnan(x)) {
		memcpy(text, "nan", 3);
		len = 3;
	} else {
		if (signbit(x)) {
			text[len++] = '-';
			x = -x;
		}
		if (isinf(x)) {
			memcpy(text + len, "inf", 3);
			len += 3;
		} else {
			if (shortest(x, &dec) == -1)
				return -1;
			len += layout(&dec, text + len);
		}
	}
	if (len >= size) {
		errno = ERANGE;
		return -1;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	return (int)len;
}
