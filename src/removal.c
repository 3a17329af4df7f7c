/*
 * removal.c - how a key file goes, whoever removes it: a create clearing
 * a stale name, unlink, remove, gc.  keyfile.c tells what each of them
 * removes and in which order; this is how the file itself goes.
 *
 * The remover judges the file it holds open, which pins its inode, sees
 * that the name still holds that very file (device and inode), and then
 * takes it: renames it to a fresh private name of its own with
 * renameat2(RENAME_NOREPLACE), the one step that moves exactly the file
 * at the name and replaces nothing.  A rename needs no lock, and only the
 * file's owner or root can make it.  Where the system has no rename that
 * refuses to replace, the key file is renamed over an empty private file
 * made for the purpose instead, which a directory never replaces, and
 * where the key directory has no room for one, to a fresh private name
 * that nothing has as far as a look shows.  The file taken is checked to
 * be the one judged (device and inode); it then goes, after what it
 * records that is still to remove: a name whose segment is gone loses the
 * semaphore set it records as well, if the set is still the name's.
 *
 * If the file judged was replaced in the moment between that look and the
 * rename - taken by another remover, and the name made anew - the file
 * taken instead is judged in its turn.  A stale one goes too, and so does
 * one that is no key file at all, an empty directory included, as it
 * would have gone had it come a moment sooner.  Back to the name go a
 * directory that holds something; a file that cannot be read for want of
 * a descriptor or memory, or for want of permission (EACCES), which may
 * well be live; and a live key file, put back as a create publishes its
 * file, to be judged again: its own remover may have come while it was
 * away, removed its segment, found no key file and left, and then it goes
 * now.  Should yet another create have published the name in that moment,
 * the file taken cannot go back; its segment is removed, as a remove
 * would have done.
 *
 * Other users' stale files are never removed but by root, and never by
 * gc.  A remover killed after its rename leaves the taken file under its
 * own private name, for gc (gc.c).
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Whether the caller may move or remove the key file kf. */
int
smi_may_remove(const struct keyfile *kf)
{
	uid_t me = geteuid();

	return me == 0 || me == kf->owner;
}

/* Removes the semaphore set that the judgement j of kf finds the name's:
 * one the caller may see is checked to be the owner's; one hidden from
 * the caller goes only at its owner's request, which the kernel checks. */
void
smi_set_remove_recorded(const struct keyfile *kf, const struct judgement *j)
{
	if (j->set == SET_OURS ||
	    (j->set == SET_HIDDEN && kf->owner == geteuid()))
		smi_semset_remove_id(kf->rec.semid);
}

/* Removes what the judgement j of the stale or removed key file kf finds
 * left of its name: its set, if it was removed behind the library's back
 * and the set is still there.  Records of another run or another user's
 * segment lead to nothing of the name's. */
void
smi_remove_leftovers(const struct keyfile *kf, const struct judgement *j)
{
	if (j->state == SHAREDMEM_GONE)
		smi_set_remove_recorded(kf, j);
}

/*
 * The file at tmp, which this process took from path expecting another,
 * goes if it is stale and the caller's to remove, or if it is no key file
 * at all, as it would have gone had it been put at the name a moment
 * before the check; a live one goes back to path.  If it cannot go back
 * - path was published again meanwhile - what it leads to goes with it,
 * as by a remove of the name.  Returns 0, or -1 with errno.
 */
static int
settle(const char *path, const char *name, const char *tmp)
{
	struct keyfile kf;
	struct judgement j;
	int fd, err, r;

	/* No key file (EINVAL) goes, an empty directory too; a directory
	 * that holds something goes back.  One that could not be read for
	 * want of a descriptor or memory, or permission, may well be live:
	 * it goes back too. */
	if ((fd = smi_keyfile_load(tmp, name, &kf, &j)) == -1) {
		err = errno;
		if (err == EINVAL && (unlink(tmp) == 0 || rmdir(tmp) == 0))
			return 0;
		if (err != EINVAL && err != EMFILE && err != ENFILE &&
		    err != ENOMEM && err != EACCES)
			return smi_fail(err);
		return smi_put_exclusive(tmp, path) == -1 && errno != EEXIST ?
		    -1 : 0;
	}
	if (smi_judge_stale(j.state) && smi_may_remove(&kf)) {
		smi_close_quietly(fd);
		smi_remove_leftovers(&kf, &j);
		return unlink(tmp);
	}
	if (smi_put_exclusive(tmp, path) == 0) {
		/* Its own remover may have come and gone while it was away,
		 * finding no key file to remove after the segment: judged
		 * again, a file gone stale meanwhile goes now. */
		r = 0;
		if (smi_judge(&kf, name, &j) == 0 &&
		    smi_judge_stale(j.state) && smi_may_remove(&kf))
			r = smi_discard(path, name, &kf, &j) == -1 ? -1 : 0;
		smi_close_quietly(fd);
		return r;
	}
	err = errno;
	smi_close_quietly(fd);
	if (!smi_judge_stale(j.state) && smi_may_remove(&kf) &&
	    (shmctl(kf.rec.shmid, IPC_RMID, NULL) == 0 || smi_ipc_gone(errno)))
		smi_set_remove_recorded(&kf, &j);
	(void)unlink(tmp);
	errno = err;
	return err == EEXIST ? 0 : -1;
}

/*
 * Renames path to a private name of this process at tmp, a template of
 * smi_private_path(): 0, or -1 with errno (ENOENT: path is gone).  With a
 * rename that refuses to replace, the name is a fresh one, and whatever
 * is at path moves, a directory too: take() checks what came.  Without
 * one, the name is that of an empty private file made for the purpose,
 * which a directory cannot replace (EISDIR); where the key directory has
 * no room for that file, a fresh name that nothing has, as far as can be
 * seen: a full key directory must still let names go.
 */
static int
move_away(const char *path, char *tmp)
{
	struct stat st;
	int fd, err, tries;

	for (tries = 0; tries < PUBLISH_TRIES; tries++) {
		smi_private_draw(tmp);
		if (smi_rename_exclusive(path, tmp) == 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	if (errno != ENOTSUP)
		return -1;
	smi_private_template(tmp);
	if ((fd = smi_private_make(tmp, S_IRUSR | S_IWUSR)) != -1) {
		(void)close(fd);	/* empty */
		if (rename(path, tmp) == 0)
			return 0;
		err = errno;
		(void)unlink(tmp);
		return smi_fail(err);
	}
	if (errno != ENOSPC
#ifdef EDQUOT
	    && errno != EDQUOT
#endif
	    )
		return -1;
	smi_private_draw(tmp);
	if (lstat(tmp, &st) == 0)
		return smi_fail(EEXIST);
	return rename(path, tmp);
}

/*
 * Takes the key file kf, held open by the caller, from path: renames it
 * to a private name of this process, which *tmp gets in new memory.
 * Returns 1 if the file is there now, 0 if path holds it no more, -1 with
 * errno.
 */
static int
take(const char *path, const char *name, const struct keyfile *kf,
    char **tmp)
{
	struct stat st;
	char *q;
	int r;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!smi_same_file(&st, kf))
		return 0;
	if ((q = smi_private_path(path, name, (long)getpid())) == NULL)
		return -1;
	if (move_away(path, q) == -1) {
		/* Gone meanwhile, or a directory put there since. */
		r = errno == ENOENT || errno == EISDIR || errno == ENOTDIR ?
		    0 : -1;
		smi_free_quietly(q);
		return r;
	}
	if (lstat(q, &st) == 0 && smi_same_file(&st, kf)) {
		*tmp = q;
		return 1;
	}
	/* Another file was put at the name in the moment before. */
	r = settle(path, name, q) == -1 ? -1 : 0;
	smi_free_quietly(q);
	return r;
}

/*
 * The one door through which a name's stale key file goes, for each
 * policy: a create clearing the name, gc, and the unlink of a handle whose
 * key file the caller did not keep.  Loads and judges the key file of
 * name at path, and removes it if it is stale and policy lets the caller:
 * returns 1 if it did, 0 if it kept it (live, or not the caller's to
 * remove), -1 with errno (ENOENT: no key file there, or none any more).
 * Under CLEAR_SEGMENT, a key file of that segment that cannot be removed
 * counts as done with, 1: it is stale, and blocks nothing.
 */
int
smi_clear(const char *path, const char *name, enum clear_policy policy,
    const struct segment *seg)
{
	struct keyfile kf;
	struct judgement j;
	int fd, r, go;

	if ((fd = smi_keyfile_load(path, name, &kf, &j)) == -1)
		return -1;
	switch (policy) {
	case CLEAR_REMOVABLE:
		go = smi_judge_stale(j.state) && smi_may_remove(&kf);
		break;
	case CLEAR_OWN:
		go = smi_judge_stale(j.state) && kf.owner == geteuid();
		break;
	default:
		/* Its segment just removed: the file is stale, and goes
		 * only if it records that very segment, of this run, made
		 * by its owner. */
		go = kf.rec.key == seg->key && kf.rec.shmid == seg->id &&
		    kf.owner == seg->creator &&
		    j.state != SHAREDMEM_OTHER_BOOT &&
		    j.state != SHAREDMEM_FOREIGN;
		break;
	}
	r = go ? smi_discard(path, name, &kf, &j) : 0;
	smi_close_quietly(fd);
	if (r == 0 && go)
		return smi_fail(ENOENT);	/* gone meanwhile */
	return r == -1 && policy == CLEAR_SEGMENT ? 1 : r;
}

/*
 * Removes the key file kf, held open, from path, after what its judgement
 * j finds left of its name.  Returns 1 if it removed it, 0 if path holds
 * it no more, -1 with errno.
 */
int
smi_discard(const char *path, const char *name, const struct keyfile *kf,
    const struct judgement *j)
{
	char *tmp;
	int r;

	if ((r = take(path, name, kf, &tmp)) != 1)
		return r;
	/* Taken: now nobody else can find it, and a crash leaves it to gc
	 * under this process's name. */
	smi_remove_leftovers(kf, j);
	r = unlink(tmp) == 0 ? 1 : -1;
	smi_free_quietly(tmp);
	return r;
}
