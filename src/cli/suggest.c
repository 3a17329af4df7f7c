/*
 * suggest.c - the commands nearest to a word that is none, for the
 * message of an unknown command, as git names them: a word that people
 * type for a command ("list" for ls), else the commands fewest edits
 * away, where so few that a slip of the fingers explains them.
 */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Words for a command too far from its name to pass for a slip, or
 * nearer to another ("od" is one letter from id). */
static const struct {
	const char	*word;
	const char	*command;
} aliases[] = {
	{ "cat", "read" },
	{ "clean", "gc" },
	{ "delete", "rm" },
	{ "info", "stat" },
	{ "list", "ls" },
	{ "od", "dump" },
	{ "remove", "rm" },
	{ "unlink", "rm" }
};

#define NALIASES (sizeof(aliases) / sizeof(aliases[0]))

/* Room for a command's name: none is longer. */
#define LONGEST 15

/* The most edits a slip explains: one in a short word, two in another. */
static size_t
slips(size_t length)
{
	return length < 5 ? 1 : 2;
}

static int
same(char a, char b)
{
	return tolower((unsigned char)a) == tolower((unsigned char)b);
}

static int
same_word(const char *a, const char *b)
{
	for (; *a != '\0' && same(*a, *b); a++, b++)
		continue;
	return *a == *b;
}

static size_t
least(size_t a, size_t b)
{
	return a < b ? a : b;
}

/*
 * How many edits turn word into name, of at most LONGEST bytes: a letter
 * added, dropped or changed, or two side by side swapped (the optimal
 * string alignment distance), case aside.  Three rows of the table are
 * all it takes: a swap looks two back.
 */
static size_t
edits(const char *word, const char *name)
{
	size_t rows[3][LONGEST + 1], *back2, *back, *row, *spare;
	size_t lw = strlen(word), ln = strlen(name), i, j, d;

	back2 = rows[0];
	back = rows[1];
	row = rows[2];
	for (j = 0; j <= ln; j++)
		back[j] = j;
	for (i = 1; i <= lw; i++) {
		row[0] = i;
		for (j = 1; j <= ln; j++) {
			d = back[j - 1] + !same(word[i - 1], name[j - 1]);
			d = least(d, back[j] + 1);
			d = least(d, row[j - 1] + 1);
			if (i > 1 && j > 1 && same(word[i - 1], name[j - 2]) &&
			    same(word[i - 2], name[j - 1]))
				d = least(d, back2[j - 2] + 1);
			row[j] = d;
		}
		spare = back2;
		back2 = back;
		back = row;
		row = spare;
	}
	return back[ln];
}

/* Too far to be named. */
#define FAR ((size_t)-1)

/* How far word is from the command called name: no edits for a word
 * that people type for it, FAR for a word that they type for another. */
static size_t
distance(const char *word, const char *name)
{
	size_t k, lw = strlen(word), ln = strlen(name);

	for (k = 0; k < NALIASES; k++)
		if (same_word(word, aliases[k].word))
			return strcmp(name, aliases[k].command) == 0 ? 0 : FAR;
	/* Never fewer edits than the lengths differ by. */
	if (ln > LONGEST || (lw > ln && lw - ln > slips(lw)))
		return FAR;
	return edits(word, name);
}

int
suggest(char *buf, size_t len, const char *word,
    const struct command *commands, size_t n)
{
	size_t fewest = FAR, i, named = 0, total = 0, at = 0;

	for (i = 0; i < n; i++)
		fewest = least(fewest, distance(word, commands[i].name));
	if (fewest == FAR || fewest > slips(strlen(word)))
		return 0;
	for (i = 0; i < n; i++)
		total += distance(word, commands[i].name) == fewest;
	buf[0] = '\0';
	for (i = 0; i < n && at < len; i++) {
		if (distance(word, commands[i].name) != fewest)
			continue;
		named++;
		at += (size_t)snprintf(buf + at, len - at, "%s'%s'",
		    named == 1 ? "" : named == total ? " or " : ", ",
		    commands[i].name);
	}
	return 1;
}
