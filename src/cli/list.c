/*
 * list.c - ls, stat, key and id: what the names are, and their segments
 * as ipcs(1) would show them.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sharedmem.h"
#include "cli.h"

/* How a name stands. */
enum state {
	LIVE,		/* its segment is there, ds filled in */
	NO_STAT,	/* its segment is there, but IPC_STAT refused */
	STALE,		/* its segment is gone */
	FAILED		/* the lookup failed with err */
};

struct entry {
	const char	*name;
	enum state	 state;
	int		 err;
	key_t		 key;
	int		 shmid;
	struct shmid_ds	 ds;
};

static void
inspect(const char *name, struct entry *e)
{
	memset(e, 0, sizeof(*e));
	e->name = name;
	e->shmid = -1;
	if (sharedmem_lookup(name, &e->key, &e->shmid) == -1) {
		e->err = errno;
		e->state = errno == ESTALE ? STALE : FAILED;
	} else if (shmctl(e->shmid, IPC_STAT, &e->ds) == 0)
		e->state = LIVE;
	else if (errno == EINVAL || errno == EIDRM)
		e->state = STALE;	/* removed since the lookup */
	else {
		e->err = errno;
		e->state = NO_STAT;
	}
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

/* What ls shows in the status column of a name it cannot describe. */
static const char *
trouble(const struct entry *e)
{
	switch (e->state) {
	case STALE:
		return "stale";
	case NO_STAT:
		return "segment not readable";
	case FAILED:
		if (e->err == EACCES)
			return "key file not readable";
		if (e->err == EINVAL)
			return "not a key file";
		return strerror(e->err);
	default:
		return "";
	}
}

static void
fill_row(struct row *r, const struct entry *e)
{
	const struct shmid_ds *ds = &e->ds;
	int i;

	r->name = e->name;
	for (i = 0; i < NCOLUMNS; i++)
		(void)snprintf(r->cell[i], CELL, "-");
	if (e->state != FAILED) {
		format_key(r->cell[COL_KEY], CELL, e->key);
		(void)snprintf(r->cell[COL_SHMID], CELL, "%d", e->shmid);
	}
	(void)snprintf(r->cell[COL_STATUS], CELL, "%s", trouble(e));
	if (e->state != LIVE)
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
		warnmsg("%s: cannot read the key directory: %s",
		    sharedmem_dir(), strerror(errno));
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
		if (e.state == FAILED && e.err == ENOENT) {
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

static void
print_user(const char *label, uid_t uid)
{
	char buf[64];

	user_name(buf, sizeof(buf), uid);
	printf("%-15s%s (%lu)\n", label, buf, (unsigned long)uid);
}

static void
print_group(const char *label, gid_t gid)
{
	char buf[64];

	group_name(buf, sizeof(buf), gid);
	printf("%-15s%s (%lu)\n", label, buf, (unsigned long)gid);
}

/*
 * The semaphore set at the segment's key, where a create with a lock or
 * semaphores puts it; ipcs -s lists it under the same key.
 */
static void
print_semaphores(key_t key)
{
	union {
		int		 val;
		struct semid_ds	*buf;
		unsigned short	*array;
	} arg;
	struct semid_ds ds;
	unsigned long n;
	int id;

	if ((id = semget(key, 0, 0)) == -1) {
		printf("%-15s%s\n", "semaphores:", errno == ENOENT ? "none" :
		    strerror(errno));
		return;
	}
	arg.buf = &ds;
	if (semctl(id, 0, IPC_STAT, arg) == -1) {
		printf("%-15ssemid %d: %s\n", "semaphores:", id,
		    strerror(errno));
		return;
	}
	n = (unsigned long)ds.sem_nsems;
	if (n <= 1)
		printf("%-15ssemid %d: a lock\n", "semaphores:", id);
	else
		printf("%-15ssemid %d: a lock and %lu counting semaphore%s\n",
		    "semaphores:", id, n - 1, n == 2 ? "" : "s");
}

int
cmd_stat(struct cli *cli)
{
	const struct shmid_ds *ds;
	const char *name = cli->operands[0];
	struct entry e;
	char *path, buf[CELL];

	inspect(name, &e);
	if (e.state == FAILED)
		return fail_name(name, e.err, OP_LOOKUP);
	if ((path = sharedmem_keyfile(name)) == NULL)
		return fail_name(name, errno, OP_LOOKUP);
	ds = &e.ds;
	printf("%-15s%s\n", "name:", name);
	printf("%-15s%s\n", "key file:", path);
	free(path);
	format_key(buf, sizeof(buf), e.key);
	printf("%-15s%s\n", "key:", buf);
	printf("%-15s%d\n", "shmid:", e.shmid);
	switch (e.state) {
	case STALE:
		printf("%-15s%s%s%s\n", "status:", "stale: its segment was "
		    "removed (sharedmem rm ", name, " or sharedmem gc cleans it "
		    "up)");
		return output_done();
	case NO_STAT:
		printf("%-15s%s%s\n", "status:", "live; its details cannot be "
		    "read: ", strerror(e.err));
		return output_done();
	default:
		printf("%-15s%s\n", "status:", "live");
		break;
	}
	printf("%-15s%lu\n", "size:", (unsigned long)ds->shm_segsz);
	printf("%-15s%lu\n", "attached:", (unsigned long)ds->shm_nattch);
	print_semaphores(e.key);
	print_user("owner:", ds->shm_perm.uid);
	print_group("group:", ds->shm_perm.gid);
	print_user("creator:", ds->shm_perm.cuid);
	print_group("creator group:", ds->shm_perm.cgid);
	printf("%-15s%03o\n", "mode:",
	    (unsigned int)(ds->shm_perm.mode & 0777));
	printf("%-15s%ld\n", "creator pid:", (long)ds->shm_cpid);
	printf("%-15s%ld\n", "last pid:", (long)ds->shm_lpid);
	format_time(buf, sizeof(buf), ds->shm_atime, FIELD);
	printf("%-15s%s\n", "attach time:", buf);
	format_time(buf, sizeof(buf), ds->shm_dtime, FIELD);
	printf("%-15s%s\n", "detach time:", buf);
	format_time(buf, sizeof(buf), ds->shm_ctime, FIELD);
	printf("%-15s%s\n", "change time:", buf);
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
