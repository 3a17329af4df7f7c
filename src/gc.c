/*
 * gc.c - what crashed processes leave in the key directory, and its
 * removal: stale key files of the caller's, and the private files of
 * creates and removals that died, with what they made or had left to
 * remove; and whether a process has ended, zombies included.
 *
 * Crashes.  A creator killed before step 4 of a create (keyfile.c) leaves
 * its private file and, after step 2, a segment: at the key the file
 * records, or, when it records none, at ftok(private file, KEY_PROJ),
 * with the pid of the file's name as its creating process (shm_cpid) and
 * the file's owner as its creator (shm_perm.cuid).  A semaphore set it
 * made is at the same key, its owner's, and never operated on (sem_otime
 * 0): keys with a set are skipped before the segment is made, so only a
 * set made by another program in the moment between that check and the
 * creator's semget could be taken for it.  Killed after step 4, it leaves
 * a complete name whose segment lives on, as System V segments do until
 * they are removed, and, if it published by link(2) and did not reach
 * step 5, its private file as a second name of the key file.  A remover
 * killed after its rename (removal.c) leaves the taken file under its own
 * private name: gc finishes the removal, the segment and the set it
 * records included.  None of this blocks the name for long: the next
 * create or gc of the file's owner clears it.  A private file whose
 * process still runs, or so the system says, is left alone.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "internal.h"

/*
 * The segment that the private file kf at path, of a process pid that
 * died, may have left (see "Crashes" at the top); -1 if there is none.
 */
static int
unfinished_segment(const char *path, long pid, struct keyfile *kf,
    struct judgement *j)
{
	struct shmid_ds ds;
	int id;

	if (kf->nlink > 1)
		return -1;	/* published: its segment is the name's */
	if (kf->rec.shmid != -1)
		return j->state == SHAREDMEM_LIVE ||
		    (j->state == SHAREDMEM_HIDDEN && kf->owner == geteuid()) ?
		    kf->rec.shmid : -1;
	if (j->state == SHAREDMEM_OTHER_BOOT)
		return -1;
	if (kf->rec.version == 0 &&
	    (kf->rec.key = ftok(path, KEY_PROJ)) == (key_t)-1)
		return -1;
	/* Only the first key is unrecorded: the segment there is ours if
	 * the dead creator made it. */
	if ((id = shmget(kf->rec.key, 0, 0)) == -1 ||
	    shmctl(id, IPC_STAT, &ds) == -1 || (long)ds.shm_cpid != pid ||
	    ds.shm_perm.cuid != kf->owner)
		return -1;
	return id;
}

/*
 * Removes the private file at path of a process pid that died - a create
 * or a remover - and the segment it leaves, which *shmid gets (-1:
 * none).  With dryrun, only finds them.  Returns 0, or -1 with errno.
 */
static int
reap_private(const char *path, long pid, int dryrun, int *shmid)
{
	struct keyfile kf;
	struct judgement j;
	int fd;

	*shmid = -1;
	if ((fd = smi_keyfile_open(path)) == -1)
		return -1;
	if (smi_keyfile_stat(fd, &kf) == -1) {
		smi_close_quietly(fd);
		return -1;
	}
	if (kf.length == 0)
		smi_judge_gone(&j);	/* made, and nothing written yet */
	else if (smi_keyfile_read(fd, &kf) == -1 ||
	    smi_judge(&kf, NULL, &j) == -1) {
		smi_close_quietly(fd);
		return -1;
	}
	(void)close(fd);	/* only read */
	*shmid = unfinished_segment(path, pid, &kf, &j);
	if (dryrun)
		return 0;
	if (*shmid != -1 && kf.nlink == 1) {
		if (shmctl(*shmid, IPC_RMID, NULL) == -1 && !smi_ipc_gone(errno))
			return -1;
		if (kf.rec.nsems > 0)
			smi_set_remove_recorded(&kf, &j);
		else if (smi_semset_remove_unused(kf.rec.key, kf.owner) == -1)
			return -1;
	} else if (kf.nlink == 1)
		smi_remove_leftovers(&kf, &j);
	return unlink(path);
}

#ifdef HAVE_PROC_PID_STAT_STATE
/* Whether /proc says that process pid is a zombie, or gone. */
static int
zombie(long pid)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	(void)snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT || errno == ESRCH;
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "pid (command) state ...": the command may hold anything. */
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ')
		return 0;
	return p[2] == 'Z' || p[2] == 'X';
}
#endif

/*
 * Whether process pid has ended: it is gone, or it is a zombie that its
 * parent has not reaped, where the system tells one (a container's first
 * process that is no init may never reap it).  A zombie runs no more,
 * and the kernel undid its semaphore adjustments when it exited; but
 * kill(pid, 0) succeeds for it as for a live process.  EPERM from kill()
 * is a process of another user, which runs.
 */
static int
ended(long pid)
{
	if (pid <= 0)
		return 0;
	if (kill((pid_t)pid, 0) == -1)
		return errno == ESRCH;
#ifdef HAVE_PROC_PID_STAT_STATE
	return zombie(pid);
#else
	return 0;
#endif
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

	if (smi_keyfile_inspect(path, name, &kf, &j) == -1) {
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
		    !ended((long)ds.shm_cpid))
			return;
		if (gc->flags & SHAREDMEM_GC_DRYRUN)
			r = 0;
		else
			r = smi_keyfile_remove(path, name, -1);
		found(gc, SHAREDMEM_ORPHAN, file, kf.rec.shmid,
		    r == 0 ? 0 : errno);
		return;
	}
	if (!smi_judge_stale(j.state))
		return;
	if (gc->flags & SHAREDMEM_GC_DRYRUN)
		r = 1;
	else if ((r = smi_clear(path, name, CLEAR_OWN, NULL)) == 0 ||
	    (r == -1 && errno == ENOENT))
		return;		/* created again, or removed, meanwhile */
	found(gc, SHAREDMEM_STALE_NAME, file, kf.rec.shmid,
	    r == 1 ? 0 : errno);
}

/* The private file at path of process pid: left by a create or a
 * removal that died, or one under way, which is kept and reported with
 * EBUSY. */
static void
gc_private(struct gc *gc, const char *path, const char *file, long pid)
{
	int shmid, err;

	if (!ended(pid)) {
		/* Under way, or so the system says: kept, and said why. */
		found(gc, SHAREDMEM_UNFINISHED, file, -1, EBUSY);
		return;
	}
	/* Read once: the first report's callback may change errno. */
	err = reap_private(path, pid, gc->flags & SHAREDMEM_GC_DRYRUN,
	    &shmid) == 0 ? 0 : errno;
	if (shmid != -1)
		found(gc, SHAREDMEM_UNFINISHED_SEGMENT, file, shmid, err);
	found(gc, SHAREDMEM_UNFINISHED, file, -1, err);
}

int
sharedmem_gc(int flags, sharedmem_gc_report *report, void *arg)
{
	const char *dir = sharedmem_dir();
	enum entry_kind kind;
	struct dirent *de;
	const char *name;
	struct stat st;
	struct gc gc;
	char *path;
	size_t len;
	long pid;
	DIR *d;
	int err;

	gc.flags = flags;
	gc.report = report;
	gc.arg = arg;
	gc.count = 0;
	if ((d = opendir(dir)) == NULL)
		return -1;
	for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
		if ((kind = smi_entry_kind(de->d_name, &name, &pid)) ==
		    ENTRY_OTHER)
			continue;
		len = strlen(dir) + 1 + strlen(de->d_name) + 1;
		if ((path = malloc(len)) == NULL) {
			(void)closedir(d);
			return smi_fail(ENOMEM);
		}
		(void)snprintf(path, len, "%s/%s", dir, de->d_name);
		/* Another user's files, and what they lead to, are theirs. */
		if (lstat(path, &st) == 0 && st.st_uid == geteuid()) {
			if (kind == ENTRY_PRIVATE)
				gc_private(&gc, path, de->d_name, pid);
			else
				gc_keyfile(&gc, path, path + (len - 1 -
				    strlen(name)), de->d_name);
		}
		free(path);
	}
	/* What was found is reported; a directory not read to its end is
	 * still a failure. */
	if (errno != 0) {
		err = errno;
		(void)closedir(d);
		return smi_fail(err);
	}
	(void)closedir(d);
	return gc.count;
}
