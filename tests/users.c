/*
 * users.c - other users for the tests (users.h).
 */
#include <config.h>

#include <sys/types.h>

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include "users.h"

/* Above the accounts of most systems, below 65534 (nobody on many). */
#define UNUSED_FIRST	60001
#define UNUSED_LAST	65000

int
unused_ids(uid_t *uids, int n)
{
	unsigned long id;
	int found = 0;

	for (id = UNUSED_FIRST; found < n && id <= UNUSED_LAST; id++)
		if (getpwuid((uid_t)id) == NULL && getgrgid((gid_t)id) == NULL)
			uids[found++] = (uid_t)id;
	return found == n ? 0 : -1;
}

int
drop_to(uid_t uid, gid_t gid)
{
#ifdef HAVE_SETGROUPS
	if (setgroups(0, NULL) == -1)
		return -1;
#endif
	if (setgid(gid) == -1 || setuid(uid) == -1)
		return -1;
	return 0;
}
