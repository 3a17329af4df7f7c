/*
 * message.c - what the tool says when something goes wrong, and how it
 * names users and groups.
 *
 * Every failure is one line on stderr, "sharedmem: NAME: cause", where
 * the cause is an errno turned into words a person can act on, with the
 * limit, the command or the owner that explains it.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sharedmem.h"
#include "cli.h"

void
warnmsg(const char *fmt, ...)
{
	va_list ap;

	(void)fputs("sharedmem: ", stderr);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stderr);
}

void
usage(const struct command *cmd, FILE *f)
{
	if (cmd == NULL || *cmd->name == '\0')
		(void)fprintf(f, "usage: sharedmem [-d DIR] [-h] [--version] "
		    "COMMAND [ARGS]\n");
	else
		(void)fprintf(f, "usage: sharedmem %s%s%s\n", cmd->name,
		    *cmd->synopsis != '\0' ? " " : "", cmd->synopsis);
}

void
usage_error(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	(void)fputs("sharedmem: ", stderr);
	va_start(ap, fmt);
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stderr);
	usage(cli != NULL ? cli->cmd : NULL, stderr);
	exit(CLI_USAGE);
}

/* Whether all that was printed reached standard output. */
int
output_done(void)
{
	if (fflush(stdout) == EOF) {
		warnmsg("cannot write to standard output: %s",
		    strerror(errno));
		return CLI_FAIL;
	}
	if (ferror(stdout)) {
		warnmsg("cannot write to standard output");
		return CLI_FAIL;
	}
	return CLI_OK;
}

/*
 * The name of the last id asked for, of one kind: ls asks the same ones
 * again and again, and each miss may read /etc/passwd or /etc/group.
 */
struct id_cache {
	char		name[64];
	unsigned long	id;
	int		cached;
};

/* Fills the cache for id from name, which lookup found (NULL: none). */
static void
id_name(struct id_cache *c, unsigned long id, const char *name, char *buf,
    size_t len)
{
	if (name != NULL && strlen(name) < sizeof(c->name))
		(void)snprintf(c->name, sizeof(c->name), "%s", name);
	else
		(void)snprintf(c->name, sizeof(c->name), "%lu", id);
	c->id = id;
	c->cached = 1;
	(void)snprintf(buf, len, "%s", c->name);
}

void
user_name(char *buf, size_t len, uid_t uid)
{
	static struct id_cache users;
	struct passwd *pw;

	if (users.cached && users.id == (unsigned long)uid) {
		(void)snprintf(buf, len, "%s", users.name);
		return;
	}
	pw = getpwuid(uid);
	id_name(&users, (unsigned long)uid, pw != NULL ? pw->pw_name : NULL,
	    buf, len);
}

void
group_name(char *buf, size_t len, gid_t gid)
{
	static struct id_cache groups;
	struct group *gr;

	if (groups.cached && groups.id == (unsigned long)gid) {
		(void)snprintf(buf, len, "%s", groups.name);
		return;
	}
	gr = getgrgid(gid);
	id_name(&groups, (unsigned long)gid, gr != NULL ? gr->gr_name : NULL,
	    buf, len);
}

/*
 * Says whose the segment, its key file or the key directory is, the
 * first of them that can be looked at: who refused a permission.
 */
static void
say_denied(const char *name, enum cli_op op)
{
	struct shmid_ds ds;
	struct stat st;
	char who[64], *path = NULL;
	int shmid;

	if (op != OP_CREATE && (sharedmem_lookup(name, NULL, &shmid) == 0 ||
	    errno == ESTALE) && shmctl(shmid, IPC_STAT, &ds) == 0) {
		user_name(who, sizeof(who), ds.shm_perm.uid);
		if (op == OP_REMOVE)
			warnmsg("%s: permission denied: it belongs to %s, and "
			    "only its owner or creator may remove it", name,
			    who);
		else
			warnmsg("%s: permission denied: it belongs to %s, mode "
			    "%03o", name, who,
			    (unsigned int)(ds.shm_perm.mode & 0777));
		return;
	}
	if (op != OP_CREATE && (path = sharedmem_keyfile(name)) != NULL &&
	    stat(path, &st) == 0) {
		user_name(who, sizeof(who), st.st_uid);
		warnmsg("%s: permission denied: its key file %s belongs to %s, "
		    "mode %03o", name, path, who,
		    (unsigned int)(st.st_mode & 0777));
	} else if (stat(sharedmem_dir(), &st) == 0) {
		user_name(who, sizeof(who), st.st_uid);
		warnmsg("%s: permission denied: the key directory %s belongs to "
		    "%s, mode %03o", name, sharedmem_dir(), who,
		    (unsigned int)(st.st_mode & 0777));
	} else
		warnmsg("%s: permission denied", name);
	free(path);
}

/* ENOENT: the key directory may be what is missing, or the segment may
 * be gone with its name left behind. */
static void
say_missing(const char *name, enum cli_op op)
{
	struct stat st;

	if (stat(sharedmem_dir(), &st) == -1) {
		warnmsg("%s: no key directory %s: %s", name, sharedmem_dir(),
		    strerror(errno));
		return;
	}
	if (op == OP_CREATE)
		warnmsg("%s: the key directory %s went away", name,
		    sharedmem_dir());
	else if (op == OP_ATTACH && sharedmem_lookup(name, NULL, NULL) == -1 &&
	    errno == ESTALE)
		(void)fail_name(name, ESTALE, op);
	else
		warnmsg("%s: no such segment", name);
}

/* EINVAL: a bad name, a file at the name that is no key file, or, on
 * create, a size the system refuses. */
static void
say_invalid(const char *name, enum cli_op op)
{
	struct stat st;
	char *path;

	if ((path = sharedmem_keyfile(name)) == NULL) {
		if (errno == EINVAL)
			warnmsg("%s: not a valid name: names are 1 to %d bytes of "
			    "A-Z a-z 0-9 . _ - (and one leading /), other than "
			    ". and ..", name, SHAREDMEM_NAME_MAX);
		else if (errno == ENAMETOOLONG)
			(void)fail_name(name, errno, op);
		else
			warnmsg("%s: %s", name, strerror(errno));
		return;
	}
	if (lstat(path, &st) == 0 || op != OP_CREATE)
		warnmsg("%s: its key file %s is not one that sharedmem wrote",
		    name, path);
	else
		warnmsg("%s: the system refuses a segment of that size: it is "
		    "over SHMMAX, the largest it allows (Linux: sysctl "
		    "kernel.shmmax or /proc/sys/kernel/shmmax; BSD: sysctl "
		    "kern.ipc.shmmax; macOS: sysctl kern.sysv.shmmax)", name);
	free(path);
}

/*
 * Explains why a library call failed for name with errno err, and
 * returns the exit status for it.
 */
int
fail_name(const char *name, int err, enum cli_op op)
{
	switch (err) {
	case ENOENT:
		say_missing(name, op);
		break;
	case ENOTDIR:
		warnmsg("%s: the key directory %s is not a directory", name,
		    sharedmem_dir());
		break;
	case ESTALE:
		warnmsg("%s: stale: its segment was removed (sharedmem rm %s "
		    "or sharedmem gc cleans it up)", name, name);
		break;
	case EEXIST:
		warnmsg("%s: exists already (sharedmem rm %s removes it)", name,
		    name);
		break;
	case EACCES:
	case EPERM:
		say_denied(name, op);
		break;
	case EINVAL:
		say_invalid(name, op);
		break;
	case ENAMETOOLONG:
		warnmsg("%s: name too long: at most %d bytes", name,
		    SHAREDMEM_NAME_MAX);
		break;
	case ENOSPC:
		warnmsg("%s: no room: the system's limit on segments (SHMMNI), "
		    "on their total size (SHMALL) or on semaphores (SEMMNI, "
		    "SEMMNS) is reached, or the key directory's file system "
		    "is full (ipcs -l shows the limits, ipcs -m -s what uses "
		    "them up)", name);
		break;
	case ENOSYS:
		warnmsg("%s: System V IPC is not available on this system",
		    name);
		break;
	case EBUSY:
		warnmsg("%s: busy: another process holds its key file locked; "
		    "try again", name);
		break;
	default:
		warnmsg("%s: %s", name, strerror(err));
		break;
	}
	return CLI_FAIL;
}
