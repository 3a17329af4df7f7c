/*
 * handle.c - the public interface: checks arguments, keeps the handle,
 * and leaves the protocol to keyfile.c.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sharedmem.h"
#include "internal.h"

/* Draws of a random name before giving up on EEXIST. */
#define RANDOM_NAME_DRAWS 100

struct sharedmem {
	struct segment	 seg;
	const char	*name;	/* within path */
	char		*path;	/* the key file */
};

static sharedmem *
open_named(const char *name, int flags, size_t size, mode_t mode)
{
	const char *dir = sharedmem_dir();
	sharedmem *shm;
	size_t name_at;
	int atflags = flags & SHAREDMEM_RDONLY ? SHM_RDONLY : 0;
	int r, err;

	if ((err = name_check(name, &name)) != 0) {
		errno = err;
		return NULL;
	}
	if ((shm = malloc(sizeof(*shm))) == NULL)
		return NULL;
	if ((shm->path = keyfile_path(dir, name, &name_at)) == NULL) {
		free(shm);
		return NULL;
	}
	shm->name = shm->path + name_at;
	if (flags & SHAREDMEM_CREATE)
		r = keyfile_create(shm->path, dir, size, mode, atflags,
		    &shm->seg);
	else
		r = keyfile_attach(shm->path, atflags, &shm->seg);
	if (r == -1) {
		err = errno;
		free(shm->path);
		free(shm);
		errno = err;
		return NULL;
	}
	return shm;
}

sharedmem *
sharedmem_open(const char *name, int flags, size_t size, mode_t mode)
{
	char fresh[13];
	sharedmem *shm;
	unsigned int draw;

	if ((flags & ~(SHAREDMEM_CREATE | SHAREDMEM_RDONLY)) != 0 ||
	    ((flags & SHAREDMEM_CREATE) &&
	    (size == 0 || (mode & ~(mode_t)0777) != 0)) ||
	    (name == NULL && !(flags & SHAREDMEM_CREATE))) {
		errno = EINVAL;
		return NULL;
	}
	if (name != NULL)
		return open_named(name, flags, size, mode);
	for (draw = 0; draw < RANDOM_NAME_DRAWS; draw++) {
		name_random(fresh, draw);
		if ((shm = open_named(fresh, flags, size, mode)) != NULL ||
		    errno != EEXIST)
			return shm;
	}
	return NULL;
}

sharedmem *
sharedmem_create(const char *name, size_t size)
{
	return sharedmem_open(name, SHAREDMEM_CREATE, size, 0600);
}

sharedmem *
sharedmem_attach(const char *name)
{
	return sharedmem_open(name, 0, 0, 0);
}

void *
sharedmem_buf(const sharedmem *shm)
{
	return shm->seg.addr;
}

size_t
sharedmem_size(const sharedmem *shm)
{
	return shm->seg.size;
}

const char *
sharedmem_name(const sharedmem *shm)
{
	return shm->name;
}

key_t
sharedmem_key(const sharedmem *shm)
{
	return shm->seg.key;
}

int
sharedmem_id(const sharedmem *shm)
{
	return shm->seg.id;
}

int
sharedmem_close(sharedmem *shm)
{
	int r;

	if (shm == NULL)
		return 0;
	r = shmdt(shm->seg.addr);
	{
		int saved = errno;

		free(shm->path);
		free(shm);
		errno = saved;
	}
	return r;
}

int
sharedmem_unlink(sharedmem *shm)
{
	if (shm == NULL) {
		errno = EINVAL;
		return -1;
	}
	return keyfile_unlink(shm->path, shm->seg.key, shm->seg.id);
}

int
sharedmem_remove(const char *name)
{
	char *path;
	size_t name_at;
	int r, err;

	if ((err = name_check(name, &name)) != 0) {
		errno = err;
		return -1;
	}
	if ((path = keyfile_path(sharedmem_dir(), name, &name_at)) == NULL)
		return -1;
	r = keyfile_remove(path);
	err = errno;
	free(path);
	errno = err;
	return r;
}
