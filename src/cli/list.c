/*
 * list.c - ls, stat, key and id: what the names are, as the library
 * judges them, and their segments as ipcs(1) would show them.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sharedmem.h"
#include "cli.h"

/* A name as the library judges it, its segment as the kernel shows it
 * where it is live, and its lock as the library finds it. */
struct entry {
	const char		*name;
	int			 err;	/* sharedmem_inspect() failed so */
	struct sharedmem_info	 info;
	int			 seen;	/* ds filled in */
	struct shmid_ds		 ds;
	int			 lock;	/* sharedmem_lock_state(), or -1 */
	int			 lock_err;	/* and why not */
};

/* How many times a name is looked at again when its segment, live to the
 * library, cannot be read the moment after: each time it was removed or
 * replaced meanwhile, as only a name in constant change would be. */
#define LOOKS	3

/*
 * Fills e for name.  The library judges a name without passing on the
 * segment's details, which the tool asks the kernel for afterwards; if
 * it refuses, the segment changed in between, and how the name stands
 * now is the library's to say again.  A name that never holds still is
 * EBUSY.
 */
static void
inspect(const char *name, struct entry *e)
{
	int looks;

	memset(e, 0, sizeof(*e));
	e->name = name;
	e->lock = -1;
	e->lock_err = ENOTSUP;
	for (looks = 0; looks < LOOKS; looks++) {
		if (sharedmem_inspect(name, &e->info) == -1) {
			e->err = errno;
			return;
		}
		if (e->info.state != SHAREDMEM_LIVE)
			return;
		if (shmctl(e->info.shmid, IPC_STAT, &e->ds) == 0)
			break;
	}
	if (looks == LOOKS) {
		e->err = EBUSY;
		return;
	}
	e->seen = 1;
	if (e->info.semid != -1 && (e->lock = sharedmem_lock_state(name)) == -1)
		e->lock_err = errno;
}

/* How a live name's lock stands, in a few words; "" for no lock. */
static const char *
lock_words(const struct entry *e)
{
	switch (e->lock) {
	case SHAREDMEM_LOCK_FREE:
		return "free";
	case SHAREDMEM_LOCK_HELD:
		return "held";
	case SHAREDMEM_LOCK_HOLDER_DIED:
		return "holder died";
	case SHAREDMEM_LOCK_NOT_RECOVERABLE:
		return "not recoverable";
	}
	switch (e->lock_err) {
	case ENOTSUP:
		return "";
	case EIDRM:
		return "removed";
	case EACCES:
		return "not readable";
	case ESTALE:
	case ENOENT:
		return "gone";
	}
	return strerror(e->lock_err);
}

/* A key as ipcs(1) prints it: a 32-bit key_t through unsigned, in hex. */
static void
format_key(char *buf, size_t len, key_t key)
{
	unsigned long bits = (unsigned long)key;

	if (sizeof(key_t) <= 4)
		bits &= 0xffffffffUL;
	(void)snprintf(buf, len, "0x%08lx", bits);
}

/* A time in ISO 8601 form: without blanks for the columns of ls, with
 * the time zone for stat. */
enum time_style { COLUMN, FIELD };

static void
format_time(char *buf, size_t len, time_t t, enum time_style style)
{
	struct tm *tm;
	size_t n = 0;

	if (t != 0 && (tm = localtime(&t)) != NULL) {
		if (style == COLUMN)
			n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", tm);
		else
			n = strftime(buf, len, "%Y-%m-%d %H:%M:%S %z", tm);
	}
	if (n == 0)
		(void)snprintf(buf, len, "%s", t != 0 ? "?" :
		    style == COLUMN ? "-" : "never");
}

/* The columns of ls, in ipcs order; -l adds those from COL_CPID on. */
enum column {
	COL_KEY, COL_SHMID, COL_OWNER, COL_PERMS, COL_BYTES, COL_NATTCH,
	COL_CPID, COL_LPID, COL_ATIME, COL_DTIME, COL_CTIME, COL_STATUS,
	NCOLUMNS
};

static const char *const headers[NCOLUMNS] = {
	"key", "shmid", "owner", "perms", "bytes", "nattch",
	"cpid", "lpid", "attached", "detached", "changed", "status"
};

#define CELL 72

struct row {
	const char	*name;
	char		 cell[NCOLUMNS][CELL];
};

/* What ls shows in the status column: why a name cannot be described as
 * ipcs would, or how the lock of a live one stands; buf holds the words
 * where they are made. */
static const char *
trouble(const struct entry *e, char *buf, size_t len)
{
	char *path;

	if (e->err != 0) {
		if (e->err == EACCES)
			return "key file not readable";
		if (e->err == EBUSY)
			return "changing: look again";
		if (e->err != EINVAL)
			return strerror(e->err);
		if ((path = sharedmem_keyfile(e->name)) == NULL)
			return "not a key file";
		not_keyfile(buf, len, path);
		free(path);
		return buf;
	}
	switch (e->info.state) {
	case SHAREDMEM_LIVE:
		if (*lock_words(e) == '\0')
			return "";
		(void)snprintf(buf, len, "lock %s", lock_words(e));
		return buf;
	case SHAREDMEM_HIDDEN:
		return "segment not readable";
	case SHAREDMEM_GONE:
		return "stale";
	case SHAREDMEM_OTHER_BOOT:
		return "stale: other boot or namespace";
	case SHAREDMEM_FOREIGN:
		return "stale: not its segment";
	}
	return "";
}

static void
fill_row(struct row *r, const struct entry *e)
{
	const struct shmid_ds *ds = &e->ds;
	char words[CELL];
	int i;

	r->name = e->name;
	for (i = 0; i < NCOLUMNS; i++)
		(void)snprintf(r->cell[i], CELL, "-");
	if (e->err == 0) {
		format_key(r->cell[COL_KEY], CELL, e->info.key);
		(void)snprintf(r->cell[COL_SHMID], CELL, "%d", e->info.shmid);
	}
	(void)snprintf(r->cell[COL_STATUS], CELL, "%s",
	    trouble(e, words, sizeof(words)));
	if (!e->seen)
		return;
	user_name(r->cell[COL_OWNER], CELL, ds->shm_perm.uid);
	(void)snprintf(r->cell[COL_PERMS], CELL, "%03o",
	    (unsigned int)(ds->shm_perm.mode & 0777));
	(void)snprintf(r->cell[COL_BYTES], CELL, "%lu",
	    (unsigned long)ds->shm_segsz);
	(void)snprintf(r->cell[COL_NATTCH], CELL, "%lu",
	    (unsigned long)ds->shm_nattch);
	(void)snprintf(r->cell[COL_CPID], CELL, "%ld", (long)ds->shm_cpid);
	(void)snprintf(r->cell[COL_LPID], CELL, "%ld", (long)ds->shm_lpid);
	format_time(r->cell[COL_ATIME], CELL, ds->shm_atime, COLUMN);
	format_time(r->cell[COL_DTIME], CELL, ds->shm_dtime, COLUMN);
	format_time(r->cell[COL_CTIME], CELL, ds->shm_ctime, COLUMN);
}

/* Whether ls shows column c. */
static int
shown(int c, int wide)
{
	return wide || c < COL_CPID || c == COL_STATUS;
}

/* Prints a row, left-aligned in widths; the last cells, when empty, do
 * not pad the line with blanks. */
static void
print_row(const char *name, const char *const *cells, const size_t *widths,
    int wide)
{
	int c, last = -1;

	for (c = 0; c < NCOLUMNS; c++)
		if (shown(c, wide) && *cells[c] != '\0')
			last = c;
	if (last == -1) {
		printf("%s\n", name);
		return;
	}
	printf("%-*s", (int)widths[NCOLUMNS], name);
	for (c = 0; c <= last; c++)
		if (shown(c, wide))
			printf("  %-*s", c == last ? 0 : (int)widths[c],
			    cells[c]);
	printf("\n");
}

int
cmd_ls(struct cli *cli)
{
	size_t widths[NCOLUMNS + 1], n, i, w;
	const char *cells[NCOLUMNS];
	struct entry e;
	struct row *rows;
	char **names;
	int c, wide = cli->opt['l'] != NULL;

	if ((names = sharedmem_names()) == NULL) {
		keydir_unreadable(errno);
		return CLI_FAIL;
	}
	for (n = 0; names[n] != NULL; n++)
		continue;
	if ((rows = calloc(n + 1, sizeof(*rows))) == NULL) {
		warnmsg("%s", strerror(errno));
		sharedmem_free_names(names);
		return CLI_FAIL;
	}
	widths[NCOLUMNS] = strlen("name");
	for (c = 0; c < NCOLUMNS; c++)
		widths[c] = strlen(headers[c]);
	for (i = 0; i < n; i++) {
		inspect(names[i], &e);
		/* Removed since the directory was read: not there. */
		if (e.err == ENOENT) {
			rows[i].name = NULL;
			continue;
		}
		fill_row(&rows[i], &e);
		if ((w = strlen(names[i])) > widths[NCOLUMNS])
			widths[NCOLUMNS] = w;
		for (c = 0; c < NCOLUMNS; c++)
			if ((w = strlen(rows[i].cell[c])) > widths[c])
				widths[c] = w;
	}
	print_row("name", headers, widths, wide);
	for (i = 0; i < n; i++) {
		if (rows[i].name == NULL)
			continue;
		for (c = 0; c < NCOLUMNS; c++)
			cells[c] = rows[i].cell[c];
		print_row(rows[i].name, cells, widths, wide);
	}
	free(rows);
	sharedmem_free_names(names);
	return output_done();
}

/* The fields of stat: a label, and its value from column LABEL on. */
#define LABEL 17

static void
print_user(const char *label, uid_t uid)
{
	char buf[64];

	user_name(buf, sizeof(buf), uid);
	printf("%-*s%s (%lu)\n", LABEL, label, buf, (unsigned long)uid);
}

static void
print_group(const char *label, gid_t gid)
{
	char buf[64];

	group_name(buf, sizeof(buf), gid);
	printf("%-*s%s (%lu)\n", LABEL, label, buf, (unsigned long)gid);
}

/*
 * The semaphore set that the key file records, at the segment's key,
 * where ipcs -s lists it: there, or not to be found as the name's (gone,
 * made by another, or hidden from the caller).
 */
static void
print_semaphores(const struct sharedmem_info *in)
{
	char count[64] = "";

	if (in->semid == -1) {
		printf("%-*s%s\n", LABEL, "semaphores:", "none");
		return;
	}
	if (in->semaphores > 0)
		(void)snprintf(count, sizeof(count), " and %d counting "
		    "semaphore%s", in->semaphores,
		    in->semaphores == 1 ? "" : "s");
	printf("%-*ssemid %d: a lock%s%s\n", LABEL, "semaphores:", in->semid,
	    count, in->set_live ? "" : " (not there: gone, or not open to you)");
}

/* The status of a name that is not live: hidden, or stale and why. */
static void
print_status(const char *name, const struct sharedmem_info *in)
{
	char text[1024];

	if (in->state == SHAREDMEM_HIDDEN) {
		printf("%-*s%s\n", LABEL, "status:", "live; its segment does "
		    "not let you see its details");
		return;
	}
	stale_text(text, sizeof(text), name, in);
	printf("%-*s%s\n", LABEL, "status:", text);
}

int
cmd_stat(struct cli *cli)
{
	const struct shmid_ds *ds;
	const struct sharedmem_info *in;
	const char *name = cli->operands[0];
	struct entry e;
	char *path, buf[CELL];

	inspect(name, &e);
	if (e.err != 0)
		return fail_name(name, e.err, OP_LOOKUP);
	if ((path = sharedmem_keyfile(name)) == NULL)
		return fail_name(name, errno, OP_LOOKUP);
	in = &e.info;
	printf("%-*s%s\n", LABEL, "name:", name);
	printf("%-*s%s\n", LABEL, "key file:", path);
	free(path);
	print_user("key file owner:", in->owner);
	format_key(buf, sizeof(buf), in->key);
	printf("%-*s%s\n", LABEL, "key:", buf);
	printf("%-*s%d\n", LABEL, "shmid:", in->shmid);
	if (!e.seen) {
		print_status(name, in);
		printf("%-*s%lu (recorded)\n", LABEL, "size:",
		    (unsigned long)in->size);
		print_semaphores(in);
		printf("%-*s%ld (recorded)\n", LABEL, "creator pid:", in->pid);
		return output_done();
	}
	ds = &e.ds;
	printf("%-*s%s\n", LABEL, "status:", "live");
	printf("%-*s%lu\n", LABEL, "size:", (unsigned long)ds->shm_segsz);
	printf("%-*s%lu\n", LABEL, "attached:", (unsigned long)ds->shm_nattch);
	print_semaphores(in);
	if (*lock_words(&e) != '\0')
		printf("%-*s%s\n", LABEL, "lock:", lock_words(&e));
	print_user("owner:", ds->shm_perm.uid);
	print_group("group:", ds->shm_perm.gid);
	print_user("creator:", ds->shm_perm.cuid);
	print_group("creator group:", ds->shm_perm.cgid);
	mode_text(buf, sizeof(buf), ds->shm_perm.mode & 0777);
	printf("%-*s%s\n", LABEL, "mode:", buf);
	printf("%-*s%ld\n", LABEL, "creator pid:", (long)ds->shm_cpid);
	printf("%-*s%ld\n", LABEL, "last pid:", (long)ds->shm_lpid);
	format_time(buf, sizeof(buf), ds->shm_atime, FIELD);
	printf("%-*s%s\n", LABEL, "attach time:", buf);
	format_time(buf, sizeof(buf), ds->shm_dtime, FIELD);
	printf("%-*s%s\n", LABEL, "detach time:", buf);
	format_time(buf, sizeof(buf), ds->shm_ctime, FIELD);
	printf("%-*s%s\n", LABEL, "change time:", buf);
	return output_done();
}

/* Looks name up for key and id, which have nothing to say about a name
 * without a segment but that it is an error. */
static int
look_up(const char *name, key_t *key, int *shmid)
{
	if (sharedmem_lookup(name, key, shmid) == -1)
		return fail_name(name, errno, OP_LOOKUP);
	return CLI_OK;
}

int
cmd_key(struct cli *cli)
{
	char buf[32];
	key_t key;

	if (look_up(cli->operands[0], &key, NULL) != CLI_OK)
		return CLI_FAIL;
	format_key(buf, sizeof(buf), key);
	printf("%s\n", buf);
	return output_done();
}

int
cmd_id(struct cli *cli)
{
	int shmid;

	if (look_up(cli->operands[0], NULL, &shmid) != CLI_OK)
		return CLI_FAIL;
	printf("%d\n", shmid);
	return output_done();
}
