/*
 * cli.h - what the files of the sharedmem(1) tool share.
 */
#ifndef SHAREDMEM_CLI_H
#define SHAREDMEM_CLI_H

#include "compat.h"

#include <sys/types.h>

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#if defined(__GNUC__) || defined(__clang__)
#define CLI_PRINTF(f, a) __attribute__((__format__(__printf__, f, a)))
#define CLI_NORETURN __attribute__((__noreturn__))
#else
#define CLI_PRINTF(f, a)
#define CLI_NORETURN
#endif

/* Exit statuses. */
#define CLI_OK		0
#define CLI_FAIL	1
#define CLI_USAGE	2

struct cli;
struct sharedmem_info;

/* A subcommand, as main.c dispatches it and help describes it. */
struct command {
	const char	 *name;
	const char	 *optstring;	/* for getopt(3): ':' first, 'h' in it */
	const char	 *longopt;	/* one long option besides --help */
	const char	 *synopsis;	/* what follows the name in usage */
	const char	 *summary;	/* a few words, for sharedmem -h */
	const char	 *about;	/* a sentence, for sharedmem CMD -h */
	const char	 *options;	/* lines of help, or NULL */
	const char	 *notes;	/* after them, or NULL */
	int		  min_operands;
	int		  max_operands;	/* -1: no limit */
	int		(*run)(struct cli *);
};

/* One invocation of a subcommand. */
struct cli {
	const struct command	 *cmd;
	const char		 *opt[UCHAR_MAX + 1];	/* argument of -c, or
							 * "" for a flag;
							 * NULL if not given */
	int			  longopt;		/* cmd->longopt given */
	char			**operands;
	int			  noperands;
};

/*
 * What a failed library call was doing, for the hint that goes with its
 * errno.
 */
enum cli_op {
	OP_LOOKUP,	/* finding a name */
	OP_ATTACH,	/* to read and write */
	OP_READ,	/* to read only */
	OP_CREATE,
	OP_REMOVE
};

/* explain.c: why a call for a name failed, returning the exit status
 * for it; why a name inspected is stale, with what clears it
 * ("stale: ... (sharedmem rm NAME ...)"); the notes of rm, for a
 * name removed whose key file stays behind, and for a stale name cleared
 * whose key file led elsewhere; what a file at a name is, that is no key
 * file ("not a key file: a socket"); what a key directory that cannot be
 * listed says. */
int	fail_name(const char *, int, enum cli_op);
void	keydir_unreadable(int);
void	stale_text(char *, size_t, const char *,
	    const struct sharedmem_info *);
void	removed_note(const char *);
void	cleared_note(const char *, const struct sharedmem_info *);
void	not_keyfile(char *, size_t, const char *);

/* list.c */
int	cmd_id(struct cli *);
int	cmd_key(struct cli *);
int	cmd_ls(struct cli *);
int	cmd_stat(struct cli *);

/* data.c */
int	cmd_dump(struct cli *);
int	cmd_read(struct cli *);
int	cmd_write(struct cli *);

/* manage.c */
int	cmd_create(struct cli *);
int	cmd_gc(struct cli *);
int	cmd_rm(struct cli *);

/* message.c: user_name gives "alice", or "1000" where no account has
 * the uid; user_label "alice (uid 1000)" or "uid 1000"; user_short
 * "alice" or "uid 1000"; mode_text "1777", with the special bits. */
void	warnmsg(const char *, ...) CLI_PRINTF(1, 2);
void	usage_error(const struct cli *, const char *, ...)
	    CLI_PRINTF(2, 3) CLI_NORETURN;
void	usage(const struct command *, FILE *);
int	output_done(void);
void	user_name(char *, size_t, uid_t);
void	user_label(char *, size_t, uid_t);
void	user_short(char *, size_t, uid_t);
void	group_name(char *, size_t, gid_t);
void	mode_text(char *, size_t, mode_t);

/* suggest.c: the commands of the n in commands nearest to word, which
 * is none of them, into buf ("'ls'", "'id' or 'ls'"); 0 if none is
 * near. */
int	suggest(char *, size_t, const char *, const struct command *, size_t);

/* number.c */
int	parse_bytes(const char *, size_t *);
int	parse_mode(const char *, mode_t *);

#endif /* SHAREDMEM_CLI_H */
