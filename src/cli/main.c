/*
 * main.c - sharedmem(1): named System V shared memory segments, beside
 * ipcs(1) and ipcrm(1).  The options common to every command, the
 * dispatch to the commands, and their help.
 */
#include <config.h>

#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "cli.h"

#define BYTES_HELP(what) \
	what ": a number of bytes, in decimal or in hex after 0x, and an\n" \
	"optional k, M or G for times 1024, 1024^2 or 1024^3.\n"

static const struct command commands[] = {
	{
		.name = "ls", .optstring = ":hl", .synopsis = "[-l]",
		.summary = "list the names and their segments",
		.about = "List the names in the key directory, with their "
		    "segments as ipcs\nshows them.  Names whose segment is "
		    "gone are listed as stale",
		.options =
		    "  -l          also the creator and last pids, and the "
		    "attach, detach\n"
		    "              and change times\n",
		.run = cmd_ls
	},
	{
		.name = "stat", .optstring = ":h", .synopsis = "NAME",
		.summary = "all about one name",
		.about = "Describe a name, its key file and its segment, one "
		    "field a line",
		.min_operands = 1, .max_operands = 1, .run = cmd_stat
	},
	{
		.name = "key", .optstring = ":h", .synopsis = "NAME",
		.summary = "its System V key, for ipcrm -M",
		.about = "Print the System V key of the segment, as ipcs "
		    "shows it, for ipcrm -M",
		.min_operands = 1, .max_operands = 1, .run = cmd_key
	},
	{
		.name = "id", .optstring = ":h", .synopsis = "NAME",
		.summary = "its shmid, for ipcrm -m",
		.about = "Print the shmid of the segment, as ipcs shows it, "
		    "for ipcrm -m",
		.min_operands = 1, .max_operands = 1, .run = cmd_id
	},
	{
		.name = "create", .optstring = ":hHlm:Ps:",
		.synopsis = "NAME SIZE [-lHP] [-m MODE] [-s N]",
		.summary = "make a segment of SIZE bytes",
		.about = "Create a segment of SIZE bytes, zero-filled, called "
		    "NAME.  It stays\nuntil it is removed",
		.options =
		    "  -l          with a lock, which sharedmem_lock() takes\n"
		    "  -s N        with N counting semaphores (and the lock)\n"
		    "  -H          on huge pages; fails if too few are free\n"
		    "  -P          with every page allocated now\n"
		    "  -m MODE     permissions in octal, as for chmod; "
		    "default 600\n",
		.notes = BYTES_HELP("SIZE"),
		.min_operands = 2, .max_operands = 2, .run = cmd_create
	},
	{
		.name = "rm", .optstring = ":h", .synopsis = "NAME...",
		.summary = "remove segments and their names",
		.about = "Remove segments and their names, even while "
		    "processes have them\nattached.  A name whose segment is "
		    "gone is cleaned up too",
		.min_operands = 1, .max_operands = -1, .run = cmd_rm
	},
	{
		.name = "read", .optstring = ":hc:o:",
		.synopsis = "NAME [-o OFFSET] [-c COUNT]",
		.summary = "copy bytes to standard output",
		.about = "Copy the bytes of the segment to standard output",
		.options =
		    "  -c COUNT    this many bytes; default: up to the end\n"
		    "  -o OFFSET   from this byte on; default 0\n",
		.notes = BYTES_HELP("OFFSET, COUNT"),
		.min_operands = 1, .max_operands = 1, .run = cmd_read
	},
	{
		.name = "write", .optstring = ":ho:",
		.synopsis = "NAME [-o OFFSET]",
		.summary = "copy standard input into it",
		.about = "Copy standard input into the segment.  Input that "
		    "would pass its end\nis refused whole: nothing is written",
		.options =
		    "  -o OFFSET   from this byte on; default 0\n",
		.notes = BYTES_HELP("OFFSET"),
		.min_operands = 1, .max_operands = 1, .run = cmd_write
	},
	{
		.name = "dump", .optstring = ":hc:o:t:",
		.synopsis = "NAME [-o OFFSET] [-c COUNT] [-t TYPE]",
		.summary = "print its values, like od",
		.about = "Print the values in the segment as od(1) does: the "
		    "offset in hex,\nthen 16 bytes' worth of values",
		.options =
		    "  -c COUNT    this many bytes; default: up to the end\n"
		    "  -o OFFSET   from this byte on; default 0\n"
		    "  -t TYPE     x8 (bytes in hex, the default); u8 i8 u16 "
		    "i16 u32 i32\n"
		    "              u64 i64 (integers); f32 f64 (floating "
		    "point)\n",
		.notes = "Values are in this machine's byte order.  "
		    "Up to the end, bytes after the\nlast whole value are "
		    "shown in hex.\n"
		    BYTES_HELP("OFFSET, COUNT"),
		.min_operands = 1, .max_operands = 1, .run = cmd_dump
	},
	{
		.name = "gc", .optstring = ":hn", .longopt = "orphans",
		.synopsis = "[-n] [--orphans]",
		.summary = "clean up after crashed processes",
		.about = "Remove what crashed processes left in the key "
		    "directory: names whose\nsegment is gone, and the files "
		    "and segments of creates and removals\nthat died half way",
		.options =
		    "  -n          only say what would be removed\n"
		    "  --orphans   also remove named segments that no process "
		    "has attached\n"
		    "              and whose creator is dead\n",
		.notes = "Only the user's own files and segments are "
		    "touched.\n",
		.run = cmd_gc
	},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The column of the summaries in sharedmem -h. */
#define SUMMARY_AT 32

/* The global options, as a command of no name. */
static const struct command global = {
	.name = "", .optstring = ":d:h", .longopt = "version",
	.synopsis = "", .max_operands = -1
};

/*
 * A command line taken apart: prog, then the options with their
 * arguments, then the operands.
 */
struct split {
	char		**argv;
	int		  nopts;	/* argv[1] to argv[nopts] */
	int		  argc;
	int		  help;		/* --help */
	int		  longopt;	/* the command's long option, or
					 * --version before a command */
};

/*
 * Splits args into options and operands.  POSIX getopt(3) stops at the
 * first operand and glibc's moves options ahead on its own; splitting
 * first lets options follow operands, as the synopses have them
 * ("create NAME SIZE -m 644"), on every system, and keeps the long
 * options away from getopt.  With stop, the first operand and all that
 * follows are operands: the command and its own arguments.  Returns 0,
 * or -1 with *bad set to an unknown long option, or to NULL when memory
 * ran out.
 */
static int
split_args(struct split *sp, char *prog, int argc, char **argv,
    const struct command *cmd, int stop, const char **bad)
{
	char **ops, *a;
	const char *p, *q;
	int i, nops = 0, ended = 0;

	*bad = NULL;
	memset(sp, 0, sizeof(*sp));
	if ((sp->argv = malloc((size_t)(argc + 2) * sizeof(char *))) == NULL)
		return -1;
	if ((ops = malloc((size_t)(argc + 1) * sizeof(char *))) == NULL) {
		free(sp->argv);
		sp->argv = NULL;
		return -1;
	}
	sp->argv[0] = prog;
	for (i = 0; i < argc; i++) {
		a = argv[i];
		/* No option is a digit: -1 is a number, which the command
		 * can refuse better than getopt. */
		if (ended || a[0] != '-' || a[1] == '\0' ||
		    (a[1] >= '0' && a[1] <= '9')) {
			ops[nops++] = a;
			if (stop)
				ended = 1;
		} else if (strcmp(a, "--") == 0)
			ended = 1;
		else if (a[1] == '-') {
			if (strcmp(a + 2, "help") == 0)
				sp->help = 1;
			else if (cmd->longopt != NULL &&
			    strcmp(a + 2, cmd->longopt) == 0)
				sp->longopt = 1;
			else {
				*bad = a;
				break;
			}
		} else {
			sp->argv[++sp->nopts] = a;
			/* The argument of the last option of a cluster is
			 * the next word, whatever it looks like. */
			for (p = a + 1; *p != '\0'; p++) {
				if (*p == ':' ||
				    (q = strchr(cmd->optstring, *p)) == NULL ||
				    q[1] != ':')
					continue;
				if (p[1] == '\0' && i + 1 < argc)
					sp->argv[++sp->nopts] = argv[++i];
				break;
			}
		}
	}
	memcpy(sp->argv + sp->nopts + 1, ops, (size_t)nops * sizeof(char *));
	sp->argc = sp->nopts + 1 + nops;
	sp->argv[sp->argc] = NULL;
	free(ops);
	if (*bad != NULL) {
		free(sp->argv);
		sp->argv = NULL;
		return -1;
	}
	return 0;
}

/* Runs getopt(3) over the options of sp, into cli->opt. */
static void
get_options(struct cli *cli, const struct split *sp)
{
	const char *optstring = cli->cmd->optstring, *q;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt(sp->nopts + 1, sp->argv, optstring)) != -1) {
		if (c == ':')
			usage_error(cli, "-%c wants a value", optopt);
		if (c == '?' || (q = strchr(optstring, c)) == NULL)
			usage_error(cli, "unknown option -%c", optopt);
		else
			cli->opt[(unsigned char)c] = q[1] == ':' ? optarg : "";
	}
}

static void
help_done(void)
{
	exit(output_done());
}

static void
global_help(void)
{
	size_t i;
	int n;

	usage(NULL, stdout);
	printf("\nNamed System V shared memory segments: see which name "
	    "is which segment,\nand manage them by name.\n\nCommands:\n");
	for (i = 0; i < NCOMMANDS; i++) {
		n = printf("  %s %s", commands[i].name, commands[i].synopsis);
		if (n > 0 && n < SUMMARY_AT)
			printf("%*s", SUMMARY_AT - n, "");
		else
			printf("\n%*s", SUMMARY_AT, "");
		printf("%s\n", commands[i].summary);
	}
	printf("\nOptions:\n"
	    "  -d DIR      the key directory; default $SHAREDMEM_DIR, else "
	    "the one\n"
	    "              built in (now: %s)\n"
	    "  -h, --help  print this help and exit\n"
	    "  --version   print the version and exit\n"
	    "\n\"sharedmem COMMAND -h\" describes a command.  Exit status: 0 "
	    "success,\n1 failure, 2 bad usage.\n", sharedmem_dir());
	help_done();
}

static void
command_help(const struct command *cmd)
{
	usage(cmd, stdout);
	printf("\n%s.\n\n", cmd->about);
	printf("  -h, --help  print this help and exit\n");
	if (cmd->options != NULL)
		(void)fputs(cmd->options, stdout);
	if (cmd->notes != NULL)
		printf("\n%s", cmd->notes);
	help_done();
}

static const struct command *
find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* A word that is no command, and the commands near it, if any are. */
static void
unknown_command(const char *word)
{
	char near[256];		/* every command's name, quoted */

	if (suggest(near, sizeof(near), word, commands, NCOMMANDS))
		usage_error(NULL, "unknown command '%s'; did you mean %s?",
		    word, near);
	usage_error(NULL, "unknown command '%s' (sharedmem -h lists them)",
	    word);
}

/* Too few or too many operands. */
static void
check_operands(const struct cli *cli)
{
	const struct command *cmd = cli->cmd;

	if (cli->noperands < cmd->min_operands)
		usage_error(cli, "%s wants %s", cmd->name, cmd->synopsis);
	if (cmd->max_operands >= 0 && cli->noperands > cmd->max_operands)
		usage_error(cli, "unexpected argument '%s'",
		    cli->operands[cmd->max_operands]);
}

int
main(int argc, char **argv)
{
	struct split gs, cs;
	struct cli cli;
	const char *bad, *dir;
	static char name[] = "sharedmem";
	char *prog = argc > 0 ? argv[0] : name;
	int status;

	memset(&cli, 0, sizeof(cli));
	cli.cmd = &global;
	if (split_args(&gs, prog, argc > 0 ? argc - 1 : 0, argv + (argc > 0),
	    &global, 1, &bad) == -1) {
		if (bad == NULL) {
			warnmsg("%s", strerror(errno));
			return CLI_FAIL;
		}
		usage_error(NULL, "unknown option %s", bad);
	}
	get_options(&cli, &gs);
	if ((dir = cli.opt['d']) != NULL) {
		if (*dir == '\0')
			usage_error(NULL, "-d wants a directory");
		/* Before any call into the library, which reads it. */
		if (setenv("SHAREDMEM_DIR", dir, 1) == -1) {
			warnmsg("%s: %s", dir, strerror(errno));
			return CLI_FAIL;
		}
	}
	if (cli.opt['h'] != NULL || gs.help)
		global_help();
	if (gs.longopt) {
		printf("sharedmem (libsharedmem) %s\n",
		    sharedmem_version());
		help_done();
	}
	if (gs.argc == gs.nopts + 1)
		usage_error(NULL, "no command given (sharedmem -h lists them)");

	memset(&cli, 0, sizeof(cli));
	if ((cli.cmd = find_command(gs.argv[gs.nopts + 1])) == NULL)
		unknown_command(gs.argv[gs.nopts + 1]);
	if (split_args(&cs, prog, gs.argc - gs.nopts - 2,
	    gs.argv + gs.nopts + 2, cli.cmd, 0, &bad) == -1) {
		if (bad == NULL) {
			warnmsg("%s", strerror(errno));
			return CLI_FAIL;
		}
		usage_error(&cli, "unknown option %s", bad);
	}
	free(gs.argv);
	get_options(&cli, &cs);
	if (cli.opt['h'] != NULL || cs.help)
		command_help(cli.cmd);
	cli.longopt = cs.longopt;
	cli.operands = cs.argv + cs.nopts + 1;
	cli.noperands = cs.argc - cs.nopts - 1;
	check_operands(&cli);
	status = cli.cmd->run(&cli);
	free(cs.argv);
	return status;
}
