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
#include <unistd.h>

#include "sharedmem.h"
#include "internal.h"

/* Draws of a random name before giving up on EEXIST. */
#define RANDOM_NAME_DRAWS 100

#define SEMAPHORE_BITS \
	((unsigned int)SHAREDMEM_SEMAPHORES_MASK << SHAREDMEM_SEMAPHORES_SHIFT)
#define OPEN_FLAGS (SHAREDMEM_CREATE | SHAREDMEM_RDONLY | SHAREDMEM_LOCK | \
	SHAREDMEM_HUGEPAGES | SHAREDMEM_PREFAULT | SEMAPHORE_BITS)

int
sharedmem_semaphores_flag(unsigned long n)
{
	/* Past the mask, a count that sharedmem_open() refuses all the
	 * same. */
	if (n > SHAREDMEM_SEMAPHORES_MASK)
		n = SHAREDMEM_SEMAPHORES_MASK;
	return (int)(n << SHAREDMEM_SEMAPHORES_SHIFT);
}

/*
 * Turns flags, size and mode into what the protocol is asked for; -1 with
 * EINVAL or ENOTSUP if they ask for what cannot be.
 */
static int
options(int flags, size_t size, mode_t mode, struct segopts *opts)
{
	unsigned int sems = ((unsigned int)flags >> SHAREDMEM_SEMAPHORES_SHIFT) &
	    SHAREDMEM_SEMAPHORES_MASK;

	if ((flags & ~OPEN_FLAGS) != 0 || sems > SHAREDMEM_SEMAPHORES_MAX)
		return smi_fail(EINVAL);
	opts->size = size;
	opts->mode = mode;
	opts->shmflg = 0;
	opts->nsems = (flags & SHAREDMEM_LOCK) || sems > 0 ? SEM_FIRST + sems :
	    0;
	opts->atflg = flags & SHAREDMEM_RDONLY ? SHM_RDONLY : 0;
	opts->prefault = (flags & SHAREDMEM_PREFAULT) != 0;
	if (flags & SHAREDMEM_CREATE) {
		if (size == 0 || (mode & ~(mode_t)0777) != 0)
			return smi_fail(EINVAL);
	} else if (opts->nsems > 0)
		return smi_fail(EINVAL);	/* made with its segment or never */
	if (flags & SHAREDMEM_HUGEPAGES) {
		/* Linux backs a segment with huge pages when it is made,
		 * Solaris maps one with them when it is attached. */
#if HAVE_DECL_SHM_HUGETLB
		opts->shmflg |= SHM_HUGETLB;
#elif HAVE_DECL_SHM_SHARE_MMU
		opts->atflg |= SHM_SHARE_MMU;
#else
		return smi_fail(ENOTSUP);
#endif
	}
	return 0;
}

/*
 * The path of name's key file in the key directory in use, in new
 * memory, with *name_at the offset of the name within it; NULL with errno
 * EINVAL or ENAMETOOLONG for a bad name, or ENOMEM.
 */
static char *
keyfile_of(const char *name, size_t *name_at)
{
	if (smi_name_check(name, &name) == -1)
		return NULL;
	return smi_keyfile_path(sharedmem_dir(), name, name_at);
}

static sharedmem *
open_named(const char *name, int flags, const struct segopts *opts)
{
	sharedmem *shm;
	size_t name_at;
	int r;

	if ((shm = malloc(sizeof(*shm))) == NULL)
		return NULL;
	if ((shm->path = keyfile_of(name, &name_at)) == NULL) {
		smi_free_quietly(shm);
		return NULL;
	}
	shm->name = shm->path + name_at;
	shm->dead_holder = 0;
	if (flags & SHAREDMEM_CREATE)
		r = smi_keyfile_create(shm->path, shm->name, opts, &shm->seg);
	else
		r = smi_keyfile_attach(shm->path, shm->name, opts, &shm->seg);
	if (r == -1) {
		smi_free_quietly(shm->path);
		smi_free_quietly(shm);
		return NULL;
	}
	return shm;
}

sharedmem *
sharedmem_open(const char *name, int flags, size_t size, mode_t mode)
{
	struct segopts opts;
	char fresh[13];
	sharedmem *shm;
	unsigned int draw;

	if (name == NULL && !(flags & SHAREDMEM_CREATE)) {
		errno = EINVAL;
		return NULL;
	}
	if (options(flags, size, mode, &opts) == -1)
		return NULL;
	if (name != NULL)
		return open_named(name, flags, &opts);
	for (draw = 0; draw < RANDOM_NAME_DRAWS; draw++) {
		smi_name_random(fresh, draw);
		if ((shm = open_named(fresh, flags, &opts)) != NULL ||
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

uid_t
sharedmem_creator(const sharedmem *shm)
{
	return shm->seg.creator;
}

int
sharedmem_semid(const sharedmem *shm)
{
	return shm->seg.semid;
}

int
sharedmem_semaphores(const sharedmem *shm)
{
	return shm->seg.nsems > SEM_FIRST ? (int)(shm->seg.nsems - SEM_FIRST) :
	    0;
}

int
sharedmem_close(sharedmem *shm)
{
	int r;

	if (shm == NULL)
		return 0;
	r = shmdt(shm->seg.addr);
	/* Nothing is written to it once its name is out. */
	if (shm->seg.fd != -1)
		smi_close_quietly(shm->seg.fd);
	smi_free_quietly(shm->path);
	smi_free_quietly(shm);
	return r;
}

int
sharedmem_unlink(sharedmem *shm)
{
	if (shm == NULL)
		return smi_fail(EINVAL);
	return smi_keyfile_unlink(shm->path, shm->name, &shm->seg);
}

/* Removes name and its segment; only while it names the segment shmid,
 * unless shmid is -1. */
static int
remove_named(const char *name, int shmid)
{
	char *path;
	size_t name_at;
	int r;

	if ((path = keyfile_of(name, &name_at)) == NULL)
		return -1;
	r = smi_keyfile_remove(path, path + name_at, shmid);
	smi_free_quietly(path);
	return r;
}

int
sharedmem_remove(const char *name)
{
	return remove_named(name, -1);
}

int
sharedmem_unlink_id(const char *name, int shmid)
{
	if (shmid < 0)
		return smi_fail(EINVAL);
	return remove_named(name, shmid);
}

int
sharedmem_describe(const sharedmem *shm, struct sharedmem_description *d,
    size_t size)
{
	struct sharedmem_description all;

	if (shm == NULL || d == NULL)
		return smi_fail(EINVAL);
	/* Padding too: the caller gets no bytes of this stack. */
	memset(&all, 0, sizeof(all));
	all.addr = shm->seg.addr;
	all.size = shm->seg.size;
	all.name = shm->name;
	all.shmid = shm->seg.id;
	all.semid = shm->seg.semid;
	all.semaphores = sharedmem_semaphores(shm);
	all.key = shm->seg.key;
	all.creator = shm->seg.creator;
	/* A caller built against an older header gets the fields it
	 * knows, and no more. */
	memcpy(d, &all, size < sizeof(all) ? size : sizeof(all));
	return 0;
}

char *
sharedmem_keyfile(const char *name)
{
	size_t name_at;

	return keyfile_of(name, &name_at);
}

/* Reads and judges the key file of name into *kf and *j. */
static int
inspect_name(const char *name, struct keyfile *kf, struct judgement *j)
{
	size_t name_at;
	char *path;
	int r;

	if ((path = keyfile_of(name, &name_at)) == NULL)
		return -1;
	r = smi_keyfile_inspect(path, path + name_at, kf, j);
	smi_free_quietly(path);
	return r;
}

int
sharedmem_inspect_sized(const char *name, struct sharedmem_info *info,
    size_t size)
{
	struct sharedmem_info all;
	struct keyfile kf;
	struct judgement j;

	if (info == NULL)
		return smi_fail(EINVAL);
	if (inspect_name(name, &kf, &j) == -1)
		return -1;
	memset(&all, 0, sizeof(all));
	all.state = j.state;
	all.key = kf.rec.key;
	all.shmid = kf.rec.shmid;
	all.size = (size_t)kf.rec.size;
	all.pid = kf.rec.pid;
	all.semid = kf.rec.semid;
	all.semaphores = kf.rec.nsems > SEM_FIRST ?
	    (int)(kf.rec.nsems - SEM_FIRST) : 0;
	all.set_live = j.set == SET_OURS;
	all.owner = kf.owner;
	all.creator = j.creator;
	all.stale = smi_judge_stale(j.state);
	all.removable = smi_may_remove(&kf);
	all.foreign = j.foreign;
	/* A caller built with an older header gets the members it knows,
	 * and no more. */
	memcpy(info, &all, size < sizeof(all) ? size : sizeof(all));
	return 0;
}

/* What 0.3's header knew of struct sharedmem_info: all that programs
 * built with it have room for. */
#define INFO_0_3_SIZE	offsetof(struct sharedmem_info, stale)

/* In parentheses, which keep the header's macro of the same name off. */
int
(sharedmem_inspect)(const char *name, struct sharedmem_info *info)
{
	return sharedmem_inspect_sized(name, info, INFO_0_3_SIZE);
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
	return smi_fail(ESTALE);
}

int
sharedmem_lock_state(const char *name)
{
	struct keyfile kf;
	struct judgement j;

	if (inspect_name(name, &kf, &j) == -1)
		return -1;
	if (smi_judge_stale(j.state))
		return smi_fail(ESTALE);
	if (kf.rec.nsems == 0)
		return smi_fail(ENOTSUP);
	/* The set an attach would use, or the error its lock would give. */
	if (j.set == SET_HIDDEN)
		return smi_fail(EACCES);
	if (j.set != SET_OURS)
		return smi_fail(EIDRM);
	return smi_lock_state(kf.rec.semid, kf.rec.held);
}
