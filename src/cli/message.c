/*
 * message.c - how the tool speaks: its messages and usage, and how it
 * names users, groups and modes.
 *
 * Every failure is one line on stderr, "sharedmem: NAME: cause", where
 * the cause is an errno turned into words a person can act on, with the
 * limit, the command or the owner that explains it (explain.c).
 */
#include <config.h>

#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	int		known;	/* name is an account's or a group's */
};

/* The account name of a uid, or NULL; the name of a gid, or NULL. */
static const char *
user_lookup(unsigned long id)
{
	struct passwd *pw = getpwuid((uid_t)id);

	return pw != NULL ? pw->pw_name : NULL;
}

static const char *
group_lookup(unsigned long id)
{
	struct group *gr = getgrgid((gid_t)id);

	return gr != NULL ? gr->gr_name : NULL;
}

/* The cache c, filled for id by lookup where it holds another. */
static const struct id_cache *
cached(struct id_cache *c, unsigned long id,
    const char *(*lookup)(unsigned long))
{
	const char *name;

	if (c->cached && c->id == id)
		return c;
	name = lookup(id);
	c->known = name != NULL && strlen(name) < sizeof(c->name);
	if (c->known)
		(void)snprintf(c->name, sizeof(c->name), "%s", name);
	else
		(void)snprintf(c->name, sizeof(c->name), "%lu", id);
	c->id = id;
	c->cached = 1;
	return c;
}

static struct id_cache users, groups;

static const struct id_cache *
user_cache(uid_t uid)
{
	return cached(&users, (unsigned long)uid, user_lookup);
}

void
user_name(char *buf, size_t len, uid_t uid)
{
	(void)snprintf(buf, len, "%s", user_cache(uid)->name);
}

void
user_label(char *buf, size_t len, uid_t uid)
{
	const struct id_cache *c = user_cache(uid);

	if (c->known)
		(void)snprintf(buf, len, "%s (uid %lu)", c->name, c->id);
	else
		(void)snprintf(buf, len, "uid %lu", c->id);
}

void
user_short(char *buf, size_t len, uid_t uid)
{
	const struct id_cache *c = user_cache(uid);

	(void)snprintf(buf, len, "%s%s", c->known ? "" : "uid ", c->name);
}

void
group_name(char *buf, size_t len, gid_t gid)
{
	(void)snprintf(buf, len, "%s", cached(&groups, (unsigned long)gid,
	    group_lookup)->name);
}

void
mode_text(char *buf, size_t len, mode_t mode)
{
	(void)snprintf(buf, len, "%04o", (unsigned int)(mode & 07777));
}
