/*
 * directory.c - the names in the key directory, for sharedmem_names().
 * How each one stands is judge.c's; the cleaning up after processes that
 * died, gc.c's.
 */
#include <config.h>

#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sharedmem.h"
#include "internal.h"

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
sharedmem_free_names(char **names)
{
	char **p;

	if (names == NULL)
		return;
	for (p = names; *p != NULL; p++)
		free(*p);
	free(names);
}

char **
sharedmem_names(void)
{
	struct dirent *de;
	const char *name;
	long pid;
	char **names, **more;
	size_t n = 0, room = 16;
	DIR *d = NULL;
	int err;

	if ((names = malloc(room * sizeof(*names))) == NULL)
		return NULL;
	names[0] = NULL;
	if ((d = opendir(sharedmem_dir())) == NULL)
		goto fail;
	for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
		if (smi_entry_kind(de->d_name, &name, &pid) != ENTRY_KEYFILE)
			continue;
		if (n + 1 == room) {
			if ((more = realloc(names, 2 * room *
			    sizeof(*names))) == NULL)
				goto fail;
			names = more;
			room *= 2;
		}
		if ((names[n] = strdup(name)) == NULL)
			goto fail;
		names[++n] = NULL;
	}
	if (errno != 0)
		goto fail;
	(void)closedir(d);
	qsort(names, n, sizeof(*names), compare_names);
	return names;
fail:
	err = errno;
	if (d != NULL)
		(void)closedir(d);
	sharedmem_free_names(names);
	errno = err;
	return NULL;
}
