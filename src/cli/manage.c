/*
 * manage.c - create, rm and gc: making segments and cleaning them up.
 */
#include <config.h>

#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sharedmem.h"
#include "cli.h"

/* Why a create with huge pages failed, where the reason is theirs. */
static int
huge_pages_trouble(const char *name, int err)
{
	switch (err) {
	case ENOMEM:
		warnmsg("%s: too few huge pages are free for it (Linux: "
		    "HugePages_Free in /proc/meminfo; sysctl vm.nr_hugepages=N "
		    "reserves N)", name);
		return 1;
	case EPERM:
		warnmsg("%s: not allowed to use huge pages (Linux: a member of "
		    "the group sysctl vm.hugetlb_shm_group names, or "
		    "CAP_IPC_LOCK)", name);
		return 1;
	case ENOTSUP:
		warnmsg("%s: this system has no huge pages for System V "
		    "segments", name);
		return 1;
	default:
		return 0;
	}
}

int
cmd_create(struct cli *cli)
{
	const char *name = cli->operands[0], *arg = cli->operands[1];
	int flags = SHAREDMEM_CREATE;
	sharedmem *shm;
	mode_t mode = 0600;
	size_t size, sems;

	if (parse_bytes(arg, &size) == -1) {
		if (errno == ERANGE)
			usage_error(cli, "SIZE %s is too large", arg);
		usage_error(cli, "SIZE wants a number of bytes such as 4096, "
		    "0x1000 or 4k, not '%s'", arg);
	}
	if (size == 0)
		usage_error(cli, "SIZE must be above 0");
	if (cli->opt['m'] != NULL && parse_mode(cli->opt['m'], &mode) == -1)
		usage_error(cli, "-m wants permissions in octal from 0 to 777, "
		    "such as 600 or 644, not '%s'", cli->opt['m']);
	if (cli->opt['s'] != NULL) {
		if (parse_bytes(cli->opt['s'], &sems) == -1 ||
		    sems > SHAREDMEM_SEMAPHORES_MAX)
			usage_error(cli, "-s wants a number of semaphores from "
			    "0 to %d, not '%s'", SHAREDMEM_SEMAPHORES_MAX,
			    cli->opt['s']);
		flags |= SHAREDMEM_SEMAPHORES(sems);
	}
	if (cli->opt['l'] != NULL)
		flags |= SHAREDMEM_LOCK;
	if (cli->opt['H'] != NULL)
		flags |= SHAREDMEM_HUGEPAGES;
	if (cli->opt['P'] != NULL)
		flags |= SHAREDMEM_PREFAULT;
	if ((shm = sharedmem_open(name, flags, size, mode)) == NULL) {
		if ((flags & SHAREDMEM_HUGEPAGES) &&
		    huge_pages_trouble(name, errno))
			return CLI_FAIL;
		return fail_name(name, errno, OP_CREATE);
	}
	/* The segment stays: detaching is all that is left to do. */
	if (sharedmem_close(shm) == -1) {
		warnmsg("%s: cannot detach it: %s", name, strerror(errno));
		return CLI_FAIL;
	}
	return CLI_OK;
}

/*
 * Quiet when it works, as rm(1) is.  A stale name is removed as any
 * other, though the library says ENOENT for it: nobody asking to remove
 * a name whose segment is gone wants to hear that it was not there.  What
 * stays is noted: a segment that a stale key file led to, not its own,
 * and a key file that could not go with its segment.
 */
int
cmd_rm(struct cli *cli)
{
	struct sharedmem_info info;
	const char *name;
	int i, stale, status = CLI_OK;

	for (i = 0; i < cli->noperands; i++) {
		name = cli->operands[i];
		stale = sharedmem_inspect(name, &info) == 0 && info.stale;
		if (sharedmem_remove(name) == 0) {
			removed_note(name);
			continue;
		}
		if (errno == ENOENT && stale) {
			cleared_note(name, &info);
			continue;
		}
		status = fail_name(name, errno, OP_REMOVE);
	}
	return status;
}

struct gc {
	int	 dryrun;
	int	 failed;
	int	 left;		/* files of processes that still run */
	char	*prefix;	/* of key files in the key directory */
};

/* What the file called file in the key directory is, which is no key
 * file. */
static void
kept(const char *file)
{
	const char *dir = sharedmem_dir();
	char *path, what[64];
	size_t len = strlen(dir) + 1 + strlen(file) + 1;

	if ((path = malloc(len)) == NULL)
		(void)snprintf(what, sizeof(what), "not a key file");
	else {
		(void)snprintf(path, len, "%s/%s", dir, file);
		not_keyfile(what, sizeof(what), path);
		free(path);
	}
	printf("kept %s: %s\n", file, what);
}

/*
 * The prefix of key file names, from the path of a made-up name's key
 * file: gc reports files, and a person knows names.
 */
static char *
keyfile_prefix(void)
{
	char *path, *base, *prefix;

	if ((path = sharedmem_keyfile("x")) == NULL)
		return NULL;
	base = (base = strrchr(path, '/')) != NULL ? base + 1 : path;
	base[strlen(base) - 1] = '\0';
	prefix = malloc(strlen(base) + 1);
	if (prefix != NULL)
		memcpy(prefix, base, strlen(base) + 1);
	free(path);
	return prefix;
}

static const char *
name_of(const struct gc *gc, const char *file)
{
	size_t n;

	if (gc->prefix == NULL)
		return file;
	n = strlen(gc->prefix);
	return strncmp(file, gc->prefix, n) == 0 ? file + n : file;
}

static void
report(enum sharedmem_leftover kind, const char *file, int shmid, int error,
    void *arg)
{
	struct gc *gc = arg;
	const char *done = gc->dryrun ? "would remove" : "removed";
	char what[512];

	switch (kind) {
	case SHAREDMEM_STALE_NAME:
		(void)snprintf(what, sizeof(what), "stale name %s (shmid %d)",
		    name_of(gc, file), shmid);
		break;
	case SHAREDMEM_ORPHAN:
		(void)snprintf(what, sizeof(what), "orphaned name %s and its "
		    "segment (shmid %d)", name_of(gc, file), shmid);
		break;
	case SHAREDMEM_UNFINISHED:
		if (error == EBUSY) {
			printf("left %s: the create or removal that made it "
			    "still runs\n", file);
			gc->left++;
			return;
		}
		(void)snprintf(what, sizeof(what), "file %s of a create or "
		    "removal that died", file);
		break;
	case SHAREDMEM_UNFINISHED_SEGMENT:
		(void)snprintf(what, sizeof(what), "segment shmid %d of a "
		    "create or removal that died (%s)", shmid, file);
		break;
	case SHAREDMEM_BAD_KEYFILE:
	default:
		/* Never removed: whatever it is, it is not ours. */
		kept(file);
		return;
	}
	if (error == 0)
		printf("%s %s\n", done, what);
	else {
		/* In order with what came before it. */
		(void)fflush(stdout);
		warnmsg("cannot remove %s: %s", what, strerror(error));
		gc->failed++;
	}
}

int
cmd_gc(struct cli *cli)
{
	struct gc gc;
	int flags = 0, n, err;

	memset(&gc, 0, sizeof(gc));
	if (cli->opt['n'] != NULL) {
		flags |= SHAREDMEM_GC_DRYRUN;
		gc.dryrun = 1;
	}
	if (cli->longopt)
		flags |= SHAREDMEM_GC_ORPHANS;
	gc.prefix = keyfile_prefix();
	n = sharedmem_gc(flags, report, &gc);
	err = errno;
	free(gc.prefix);
	if (n == -1) {
		(void)fflush(stdout);
		keydir_unreadable(err);
		return CLI_FAIL;
	}
	if (n == 0 && gc.failed == 0 && gc.left == 0)
		printf("nothing to clean up\n");
	else if (n > 0)
		printf("%s %d leftover%s\n", gc.dryrun ? "would remove" :
		    "removed", n, n == 1 ? "" : "s");
	if (gc.failed > 0)
		printf("%d could not be removed\n", gc.failed);
	n = output_done();
	return gc.failed > 0 ? CLI_FAIL : n;
}
