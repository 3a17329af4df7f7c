/*
 * pyfloat.c - the demos' float formatting against Python's repr(): a
 * table of known answers, then many values that python3, where it is
 * installed, prints as exact hexadecimal and as repr() for comparison.
 */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyfloat.h"
#include "tap.h"

/* Mismatches shown in full before the rest are only counted. */
#define SHOW_MAX 10

static const struct {
	double		 x;
	const char	*repr;
} known[] = {
	{ 0.0, "0.0" },
	{ -0.0, "-0.0" },
	{ 1.5, "1.5" },
	{ 2.5, "2.5" },
	{ 3.5, "3.5" },
	{ 4.5, "4.5" },
	{ -1.25, "-1.25" },
	{ 100.0, "100.0" },
	{ 255.0, "255.0" },
	{ 0.1, "0.1" },
	{ 0.1 + 0.2, "0.30000000000000004" },
	{ 1.0 / 3.0, "0.3333333333333333" },
	{ 2.0 / 3.0, "0.6666666666666666" },
	{ 4.35, "4.35" },
	{ 1e15, "1000000000000000.0" },
	{ 9999999999999998.0, "9999999999999998.0" },
	{ 1e16, "1e+16" },
	{ 12345678901234567.0, "1.2345678901234568e+16" },
	{ 123456789012345678.0, "1.2345678901234568e+17" },
	{ 1e22, "1e+22" },
	{ 1e23, "1e+23" },
	{ 1e100, "1e+100" },
	{ 1e-4, "0.0001" },
	{ 0.00012345, "0.00012345" },
	{ 1e-5, "1e-05" },
	{ 1.5e-5, "1.5e-05" },
	{ -1e-7, "-1e-07" },
	{ 5e-324, "5e-324" },
	{ 2.2250738585072014e-308, "2.2250738585072014e-308" },
	{ 1.7976931348623157e308, "1.7976931348623157e+308" },
	{ -1.7976931348623157e308, "-1.7976931348623157e+308" },
	{ 9007199254740993.0, "9007199254740992.0" },
	{ NAN, "nan" },
	{ INFINITY, "inf" },
};

#define NKNOWN	(sizeof(known) / sizeof(known[0]))

/*
 * Prints "HEX REPR" for each value, HEX being float.hex(), which strtod()
 * reads back exactly.  Specials, powers of ten and their neighbours, and
 * random bits, decimals and integers, from a fixed seed.  No single quote
 * in it: it goes to the shell between single quotes.
 */
static const char script[] =
    "import random, struct\n"
    "vals = [0.0, -0.0, float(\"nan\"), float(\"inf\"), -float(\"inf\"),\n"
    "    5e-324, 2.2250738585072014e-308, 1.7976931348623157e308]\n"
    "for e in range(-330, 311):\n"
    "    x = float(\"1e%d\" % e)\n"
    "    vals += [x, -x, x * (1 + 2.0 ** -52), x * (1 - 2.0 ** -53),\n"
    "        1.5 * x, x / 3]\n"
    "r = random.Random(1)\n"
    "for i in range(20000):\n"
    "    b = struct.pack(\"<Q\", r.getrandbits(64))\n"
    "    vals.append(struct.unpack(\"<d\", b)[0])\n"
    "    vals.append(round(r.uniform(-1000, 1000), r.randrange(10)))\n"
    "    vals.append(float(r.randrange(1 << r.randrange(1, 64))))\n"
    "for x in vals:\n"
    "    print(x.hex(), repr(x))\n";

static volatile double special;

static void
test_known(void)
{
	char buf[PYFLOAT_SIZE];
	size_t i;
	int len;

	for (i = 0; i < NKNOWN; i++) {
		len = pyfloat_format(buf, sizeof(buf), known[i].x);
		ok(len >= 0 && (size_t)len == strlen(known[i].repr) &&
		    strcmp(buf, known[i].repr) == 0, "%s: got %s", known[i].repr,
		    len >= 0 ? buf : strerror(errno));
	}
	/* Negated at run time: not every compiler folds -NAN or -INFINITY
	 * in an initializer. */
	special = NAN;
	len = pyfloat_format(buf, sizeof(buf), -special);
	ok(len == 3 && strcmp(buf, "nan") == 0, "nan: -NAN too, got %s",
	    len >= 0 ? buf : strerror(errno));
	special = INFINITY;
	len = pyfloat_format(buf, sizeof(buf), -special);
	ok(len == 4 && strcmp(buf, "-inf") == 0, "-inf: got %s",
	    len >= 0 ? buf : strerror(errno));
}

static void
test_small_buffer(void)
{
	char buf[4];

	errno = 0;
	ok(pyfloat_format(buf, sizeof(buf), 1.25) == -1 && errno == ERANGE,
	    "1.25 does not fit 4 bytes: ERANGE");
	ok(pyfloat_format(buf, sizeof(buf), 1.5) == 3 &&
	    strcmp(buf, "1.5") == 0, "1.5 fits 4 bytes exactly");
}

/* Compares one line "HEX REPR" of the script; returns 1 if it agrees. */
static int
compare_line(char *line, unsigned long *shown)
{
	char buf[PYFLOAT_SIZE], *hex, *repr, *end;
	const char *got;
	double x;

	line[strcspn(line, "\n")] = '\0';
	hex = line;
	if ((repr = strchr(line, ' ')) == NULL) {
		diag("python3 said: %s", line);
		return 0;
	}
	*repr++ = '\0';
	x = strtod(hex, &end);
	if (*end != '\0')
		got = "nothing: the hex does not read";
	else if (pyfloat_format(buf, sizeof(buf), x) == -1)
		got = strerror(errno);
	else if (strcmp(buf, repr) == 0)
		return 1;
	else
		got = buf;
	if ((*shown)++ < SHOW_MAX)
		diag("%s: python3 %s, we %s", hex, repr, got);
	return 0;
}

static void
test_python(void)
{
	char cmd[sizeof(script) + 200], line[256];
	unsigned long values = 0, wrong = 0, shown = 0;
	int n, status, none = 0;
	FILE *p;

	n = snprintf(cmd, sizeof(cmd), "if command -v python3 >/dev/null "
	    "2>&1; then exec python3 -c '%s'; else echo none; fi", script);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		bail_out("the python3 command does not fit");
	if ((p = popen(cmd, "r")) == NULL)
		bail_out("popen: %s", strerror(errno));
	while (fgets(line, sizeof(line), p) != NULL) {
		if (values == 0 && strcmp(line, "none\n") == 0) {
			none = 1;
			break;
		}
		values++;
		if (!compare_line(line, &shown))
			wrong++;
	}
	if ((status = pclose(p)) == -1)
		bail_out("pclose: %s", strerror(errno));
	if (none) {
		skip(1, "no python3 on PATH");
		return;
	}
	ok(status == 0 && wrong == 0 && values > 50000,
	    "%lu values print as python3's repr() prints them (%lu differ; "
	    "pclose() gave %d)", values, wrong, status);
}

int
main(void)
{
	plan((int)NKNOWN + 5);
	test_known();
	test_small_buffer();
	test_python();
	return exit_status();
}
