/*
 * as_user.c - runs a program as another user, for the tests that need
 * two users besides root and no accounts to be made for them.
 *
 *	as_user --unused N	prints N pairs "UID GID", one a line, of ids
 *				that no account or group has
 *	as_user UID GID PROGRAM [ARG...]
 *				runs PROGRAM with that real and effective
 *				uid and gid and no supplementary groups
 *
 * Exit status: PROGRAM's; 77 where the ids cannot be taken (not root);
 * 99 on any other failure.
 */
#include <config.h>

#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "users.h"

#define MOST	8

static int
parse_id(const char *s, unsigned long *id)
{
	char *end;

	errno = 0;
	*id = strtoul(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *id < 0x7fffffffUL ?
	    0 : -1;
}

int
main(int argc, char **argv)
{
	unsigned long uid, gid, want;

	if (argc == 3 && strcmp(argv[1], "--unused") == 0) {
		uid_t ids[MOST];
		int i;

		if (parse_id(argv[2], &want) == -1 || want > MOST ||
		    unused_ids(ids, (int)want) == -1)
			return 99;
		for (i = 0; i < (int)want; i++)
			printf("%lu %lu\n", (unsigned long)ids[i],
			    (unsigned long)ids[i]);
		return fflush(stdout) == 0 ? 0 : 99;
	}
	if (argc < 4 || parse_id(argv[1], &uid) == -1 ||
	    parse_id(argv[2], &gid) == -1) {
		fprintf(stderr, "usage: as_user --unused N | as_user UID GID "
		    "PROGRAM [ARG...]\n");
		return 99;
	}
	if (geteuid() != 0)
		return 77;
	if (drop_to((uid_t)uid, (gid_t)gid) == -1) {
		fprintf(stderr, "as_user: %lu:%lu: %s\n", uid, gid,
		    strerror(errno));
		return 99;
	}
	execv(argv[3], argv + 3);
	fprintf(stderr, "as_user: %s: %s\n", argv[3], strerror(errno));
	return 99;
}
