/*
 * users.h - other users for the tests, without accounts: ids that no
 * account or group has, and a process dropped to them for good.
 */
#ifndef SHAREDMEM_TEST_USERS_H
#define SHAREDMEM_TEST_USERS_H

#include <sys/types.h>

/* Fills uids[0..n-1] with ids that are neither a user's nor a group's,
 * each to serve as a uid and as its gid.  Returns 0, or -1 if there are
 * not n such ids where they are looked for. */
int	unused_ids(uid_t *uids, int n);

/* Makes the calling process uid and gid, with no supplementary groups,
 * for good.  Needs root; returns 0, or -1 with errno. */
int	drop_to(uid_t uid, gid_t gid);

#endif
