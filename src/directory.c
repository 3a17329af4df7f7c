/*
 * directory.c - what the key directory holds: its names, how each one
 * stands, and the cleaning up after processes that died.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "internal.h"

char *
sharedmem_keyfile(const char *name)
{
	size_t name_at;
	int err;

	if ((err = name_check(name, &name)) != 0) {
		errno = err;
		return NULL;
	}
	return keyfile_path(sharedmem_dir(), name, &name_at);
}

int
sharedmem_inspect(const char *name, struct sharedmem_info *info)
{
	struct keyfile kf;
	struct judgement j;
	size_t name_at;
	char *path;
	int r, err;

	if ((err = name_check(name, &name)) != 0) {
		errno = err;
		return -1;
	}
	if ((path = keyfile_path(sharedmem_dir(), name, &name_at)) == NULL)
		return -1;
	r = keyfile_inspect(path, path + name_at, &kf, &j);
	err = errno;
	free(path);
	if (r == -1) {
		errno = err;
		return -1;
	}
	info->state = j.state;
	info->key = kf.rec.key;
	info->shmid = kf.rec.shmid;
	info->size = (size_t)kf.rec.size;
	info->pid = kf.rec.pid;
	info->semid = kf.rec.semid;
	info->semaphores = kf.rec.nsems > SEM_FIRST ?
	    (int)(kf.rec.nsems - SEM_FIRST) : 0;
	info->set_live = j.set == SET_OURS;
	info->owner = kf.owner;
	info->creator = j.creator;
	return 0;
}

int
sharedmem_lookup(const char *name, key_t *key, int *shmid)
{
	struct sharedmem_info info;

	if (sharedmem_inspect(name, &info) == -1)
		return -1;
	if (key != NULL)
		*key = info.key;
	if (shmid != NULL)
		*shmid = info.shmid;
	if (info.state == SHAREDMEM_LIVE || info.state == SHAREDMEM_HIDDEN)
		return 0;
	errno = ESTALE;
	return -1;
}

/* The name of a key file's directory entry, or NULL if it is none. */
static const char *
entry_name(const char *entry)
{
	const char *name;
	size_t n = sizeof(KEYFILE_PREFIX) - 1;

	if (strncmp(entry, KEYFILE_PREFIX, n) != 0 ||
	    name_check(entry + n, &name) != 0 || name != entry + n)
		return NULL;
	return name;
}

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
		if ((name = entry_name(de->d_name)) == NULL)
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

/* Whether process pid is gone for sure; EPERM means it runs as another
 * user. */
static int
dead(long pid)
{
	return pid > 0 && kill((pid_t)pid, 0) == -1 && errno == ESRCH;
}

struct gc {
	int			 flags;
	sharedmem_gc_report	*report;
	void			*arg;
	int			 count;
};

static void
found(struct gc *gc, enum sharedmem_leftover kind, const char *file,
    int shmid, int error)
{
	if (error == 0)
		gc->count++;
	if (gc->report != NULL)
		gc->report(kind, file, shmid, error, gc->arg);
}

/* The key file of name at path: stale, an orphan, or neither. */
static void
gc_keyfile(struct gc *gc, const char *path, const char *name,
    const char *file)
{
	struct shmid_ds ds;
	struct keyfile kf;
	struct judgement j;
	int r;

	if (keyfile_inspect(path, name, &kf, &j) == -1) {
		if (errno == EINVAL)
			found(gc, SHAREDMEM_BAD_KEYFILE, file, -1, EINVAL);
		return;		/* gone meanwhile, or not ours to read */
	}
	if (kf.owner != geteuid())
		return;		/* another user's, put in its place */
	if (j.state == SHAREDMEM_LIVE) {
		if (!(gc->flags & SHAREDMEM_GC_ORPHANS) ||
		    shmctl(kf.rec.shmid, IPC_STAT, &ds) == -1 ||
		    ds.shm_nattch != 0 || ds.shm_perm.uid != geteuid() ||
		    !dead((long)ds.shm_cpid))
			return;
		if (gc->flags & SHAREDMEM_GC_DRYRUN)
			r = 0;
		else
			r = keyfile_remove(path, name);
		found(gc, SHAREDMEM_ORPHAN, file, kf.rec.shmid,
		    r == 0 ? 0 : errno);
		return;
	}
	if (!judge_stale(j.state))
		return;
	if (gc->flags & SHAREDMEM_GC_DRYRUN)
		r = 1;
	else if ((r = keyfile_clear(path, name)) == 0)
		return;		/* created again meanwhile */
	found(gc, SHAREDMEM_STALE_NAME, file, kf.rec.shmid,
	    r == 1 ? 0 : errno);
}

/* A private file: left by a create that died, or one under way. */
static void
gc_private(struct gc *gc, const char *path, const char *file)
{
	long pid;
	int shmid, r;

	if (sscanf(file, PRIVATE_PREFIX "%ld-", &pid) != 1 || !dead(pid))
		return;
	r = keyfile_reap(path, pid, gc->flags & SHAREDMEM_GC_DRYRUN, &shmid);
	if (shmid != -1)
		found(gc, SHAREDMEM_UNFINISHED_SEGMENT, file, shmid,
		    r == 0 ? 0 : errno);
	found(gc, SHAREDMEM_UNFINISHED, file, -1, r == 0 ? 0 : errno);
}

int
sharedmem_gc(int flags, sharedmem_gc_report *report, void *arg)
{
	const char *dir = sharedmem_dir();
	struct dirent *de;
	struct stat st;
	struct gc gc;
	char *path;
	size_t len;
	DIR *d;
	int err;

	gc.flags = flags;
	gc.report = report;
	gc.arg = arg;
	gc.count = 0;
	if ((d = opendir(dir)) == NULL)
		return -1;
	for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
		if (strncmp(de->d_name, PRIVATE_PREFIX,
		    sizeof(PRIVATE_PREFIX) - 1) != 0 &&
		    entry_name(de->d_name) == NULL)
			continue;
		len = strlen(dir) + 1 + strlen(de->d_name) + 1;
		if ((path = malloc(len)) == NULL) {
			(void)closedir(d);
			errno = ENOMEM;
			return -1;
		}
		(void)snprintf(path, len, "%s/%s", dir, de->d_name);
		/* Another user's files, and what they lead to, are theirs. */
		if (lstat(path, &st) == 0 && st.st_uid == geteuid()) {
			if (de->d_name[sizeof(PRIVATE_PREFIX) - 2] == '+')
				gc_private(&gc, path, de->d_name);
			else
				gc_keyfile(&gc, path, path + strlen(dir) + 1 +
				    sizeof(KEYFILE_PREFIX) - 1, de->d_name);
		}
		free(path);
	}
	/* What was found is reported; a directory not read to its end is
	 * still a failure. */
	if (errno != 0) {
		err = errno;
		(void)closedir(d);
		errno = err;
		return -1;
	}
	(void)closedir(d);
	return gc.count;
}
