/*
 * fuzz_name.c - a libFuzzer target for the name validator, smi_name_check()
 * of src/name.c, which is compiled into the target.
 *
 * The input, cut at its first NUL, is a name.  smi_name_check() must agree
 * with the rule of sharedmem.h, checked here without it: 1 to
 * SHAREDMEM_NAME_MAX bytes of [A-Za-z0-9._-], other than "." and "..",
 * after one optional leading '/'.  A name it accepts must make a key file
 * path that stays in the key directory: DIR/sharedmem.NAME, with no '/'
 * after DIR and no ".." component; and smi_entry_kind() must read that
 * file name back as the key file of that very name.  The input as a
 * directory entry, smi_entry_kind() must call a key file only what names
 * a valid name, and a private file only what has a pid above 0.
 */
#include <config.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sharedmem.h"
#include "internal.h"

#define DIR "/nonexistent/keys"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
allowed(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* What smi_name_check() must say about name: 0, EINVAL, ENAMETOOLONG, or -1
 * where both errors fit (too long, and a bad byte too). */
static int
expected(const char *name)
{
	size_t len, i;
	int bad = 0;

	if (*name == '/')
		name++;
	len = strlen(name);
	for (i = 0; i < len; i++)
		if (!allowed(name[i]))
			bad = 1;
	if (len > SHAREDMEM_NAME_MAX)
		return bad ? -1 : ENAMETOOLONG;
	if (bad || len == 0 || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return EINVAL;
	return 0;
}

static void
check_path(const char *name)
{
	const char *back;
	size_t name_at;
	char *path;
	long pid;

	if ((path = smi_keyfile_path(DIR, name, &name_at)) == NULL)
		abort();
	if (strncmp(path, DIR "/" KEYFILE_PREFIX, strlen(DIR) + 1 +
	    strlen(KEYFILE_PREFIX)) != 0 ||
	    name_at != strlen(DIR) + 1 + strlen(KEYFILE_PREFIX) ||
	    strcmp(path + name_at, name) != 0 ||
	    strchr(path + strlen(DIR) + 1, '/') != NULL ||
	    strstr(path, "/../") != NULL) {
		fprintf(stderr, "fuzz_name: bad key file path %s\n", path);
		abort();
	}
	if (smi_entry_kind(path + strlen(DIR) + 1, &back, &pid) !=
	    ENTRY_KEYFILE || strcmp(back, name) != 0) {
		fprintf(stderr, "fuzz_name: %s is not read back\n", path);
		abort();
	}
	free(path);
}

/* The input as an entry of the key directory. */
static void
check_entry(const char *entry)
{
	const char *name, *stripped;
	long pid = 0;

	switch (smi_entry_kind(entry, &name, &pid)) {
	case ENTRY_KEYFILE:
		if (strncmp(entry, KEYFILE_PREFIX, strlen(KEYFILE_PREFIX)) !=
		    0 || name != entry + strlen(KEYFILE_PREFIX) ||
		    smi_name_check(name, &stripped) != 0 || stripped != name)
			abort();
		break;
	case ENTRY_PRIVATE:
		if (strncmp(entry, PRIVATE_PREFIX, strlen(PRIVATE_PREFIX)) !=
		    0 || pid <= 0)
			abort();
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *stripped = NULL;
	char *name;
	int got, want;

	/* A copy of its own, so that the sanitizer sees every overread. */
	if ((name = malloc(size + 1)) == NULL)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	errno = 0;
	got = smi_name_check(name, &stripped) == -1 ? errno : 0;
	want = expected(name);
	if (want == -1 ? got != EINVAL && got != ENAMETOOLONG : got != want) {
		fprintf(stderr, "fuzz_name: name_check gives %d, not %d\n",
		    got, want);
		abort();
	}
	if (got == 0) {
		if (stripped != name + (name[0] == '/'))
			abort();
		check_path(stripped);
	}
	check_entry(name);
	free(name);
	return 0;
}
