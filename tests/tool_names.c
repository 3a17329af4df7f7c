/*
 * tool_names.c - makes many names at once for tests/tool.sh, which would
 * take seconds to make one sharedmem(1) process at a time.
 *
 * Usage: tool_names PREFIX COUNT.  Creates PREFIX1 to PREFIXCOUNT, one
 * byte each, and stops at the first failure with exit status 1.
 */
#include <config.h>

#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sharedmem.h"

int
main(int argc, char **argv)
{
	char name[SHAREDMEM_NAME_MAX + 1];
	sharedmem *shm;
	long i, count;
	char *end;

	if (argc != 3 || (count = strtol(argv[2], &end, 10)) < 0 ||
	    *end != '\0') {
		fprintf(stderr, "usage: tool_names PREFIX COUNT\n");
		return 2;
	}
	for (i = 1; i <= count; i++) {
		if (snprintf(name, sizeof(name), "%s%ld", argv[1], i) >=
		    (int)sizeof(name)) {
			fprintf(stderr, "tool_names: %s: prefix too long\n",
			    argv[1]);
			return 2;
		}
		if ((shm = sharedmem_create(name, 1)) == NULL) {
			fprintf(stderr, "tool_names: %s: %s\n", name,
			    strerror(errno));
			return 1;
		}
		if (sharedmem_close(shm) == -1) {
			fprintf(stderr, "tool_names: %s: cannot detach it: %s\n",
			    name, strerror(errno));
			return 1;
		}
	}
	return 0;
}
