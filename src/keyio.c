/*
 * keyio.c - key files as files: opened without following a link and read
 * whole, written, made private, and put in place without replacing
 * anything.  What they say is judge.c's business, the protocol
 * keyfile.c's.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* O_NONBLOCK: a FIFO planted as a key file must not block the open. */
#define KEYFILE_OPEN	(O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)

/*
 * Opens the file at path for reading.  A symbolic link, and a socket,
 * which cannot be opened, are refused here with EINVAL; anything else
 * that is no regular file - a directory, which open() lets through, a
 * FIFO, a device - is refused with EINVAL when it is read
 * (smi_keyfile_stat()).
 */
int
smi_keyfile_open(const char *path)
{
	struct stat lst, st;
	int fd;

	if ((fd = open(path, KEYFILE_OPEN)) == -1) {
		/* A symbolic link met by O_NOFOLLOW, or a socket. */
		if (errno == ELOOP || errno == EMLINK || errno == ENXIO ||
		    errno == EOPNOTSUPP
#ifdef EFTYPE
		    || errno == EFTYPE
#endif
		    )
			errno = EINVAL;
		return -1;
	}
	if (O_NOFOLLOW == 0) {
		/* Without O_NOFOLLOW a link was followed: see if path is one. */
		if (lstat(path, &lst) == -1 || fstat(fd, &st) == -1)
			goto fail;
		if (!S_ISREG(lst.st_mode) || lst.st_ino != st.st_ino ||
		    lst.st_dev != st.st_dev) {
			errno = EINVAL;
			goto fail;
		}
	}
	return fd;
fail:
	smi_close_quietly(fd);
	return -1;
}

/* Reads the record of fd, a regular file; EINVAL if it holds none. */
static int
read_record(int fd, struct record *rec)
{
	char buf[RECORD_MAX + 1];
	size_t len = 0;
	ssize_t n;

	/* A short read of a regular file is its end: stop there. */
	do {
		n = pread(fd, buf + len, sizeof(buf) - len, (off_t)len);
		if (n == -1 && errno != EINTR)
			return -1;
		if (n > 0)
			len += (size_t)n;
	} while (n == -1);
	return smi_record_parse(buf, len, rec) == -1 ? smi_fail(EINVAL) : 0;
}

/* Describes the key file fd into *kf, with a record of nothing (no
 * segment, no set) in place of what it holds: its owner, its identity,
 * its links and its length.  EINVAL for anything but a regular file. */
int
smi_keyfile_stat(int fd, struct keyfile *kf)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return -1;
	if (!S_ISREG(st.st_mode))
		return smi_fail(EINVAL);
	memset(kf, 0, sizeof(*kf));
	kf->rec.shmid = -1;
	kf->rec.semid = -1;
	kf->rec.held = -1;
	kf->owner = st.st_uid;
	kf->dev = st.st_dev;
	kf->ino = st.st_ino;
	kf->nlink = st.st_nlink;
	kf->length = st.st_size;
	return 0;
}

/* Reads the key file fd into *kf; EINVAL for anything but a regular file
 * holding a record. */
int
smi_keyfile_read(int fd, struct keyfile *kf)
{
	if (smi_keyfile_stat(fd, kf) == -1)
		return -1;
	return read_record(fd, &kf->rec);
}

/* Opens, reads and judges the key file at path for name; returns the
 * open file, which pins its inode, or -1 with errno. */
int
smi_keyfile_load(const char *path, const char *name, struct keyfile *kf,
    struct judgement *j)
{
	int fd;

	if ((fd = smi_keyfile_open(path)) == -1)
		return -1;
	if (smi_keyfile_read(fd, kf) == -1 || smi_judge(kf, name, j) == -1) {
		smi_close_quietly(fd);
		return -1;
	}
	return fd;
}

/* Whether st is the file kf was read from. */
int
smi_same_file(const struct stat *st, const struct keyfile *kf)
{
	return st->st_dev == kf->dev && st->st_ino == kf->ino;
}

/*
 * Writes rec over the record of fd; *len holds the length of what is
 * there, so that a shorter record can cut it.
 */
int
smi_record_write(int fd, const struct record *rec, size_t *len)
{
	char buf[RECORD_MAX];
	ssize_t n;
	int want;

	if ((want = smi_record_format(buf, sizeof(buf), rec)) == -1)
		return smi_fail(EOVERFLOW);
	if ((n = pwrite(fd, buf, (size_t)want, 0)) != want) {
		if (n >= 0)
			errno = ENOSPC;
		return -1;
	}
	if ((size_t)want < *len && ftruncate(fd, (off_t)want) == -1)
		return -1;
	*len = (size_t)want;
	return 0;
}

/* Makes a private file from the template tmp, of mode; returns it open. */
int
smi_private_make(char *tmp, mode_t mode)
{
	int fd;

#ifdef HAVE_MKOSTEMP
	fd = mkostemp(tmp, O_CLOEXEC);
#else
	fd = mkstemp(tmp);
#endif
	if (fd == -1)
		return -1;
#if !defined(HAVE_MKOSTEMP) && defined(FD_CLOEXEC)
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		goto fail;
#endif
	/* mkstemp made it 0600, which needs no change. */
	if (mode != (S_IRUSR | S_IWUSR) && fchmod(fd, mode) == -1)
		goto fail;
	return fd;
fail:
	smi_close_quietly(fd);
	(void)unlink(tmp);
	return -1;
}

/*
 * Renames from to to unless to exists (EEXIST), in one step: ENOTSUP
 * where the system or the file system has no such rename.
 */
int
smi_rename_exclusive(const char *from, const char *to)
{
#if defined(HAVE_RENAMEAT2) && HAVE_DECL_RENAME_NOREPLACE
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	/* EINVAL: a file system without it; ENOSYS: a kernel without. */
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#else
	(void)from;
	(void)to;
#endif
	return smi_fail(ENOTSUP);
}

/* Moves the file at tmp to path unless path exists (EEXIST). */
int
smi_put_exclusive(const char *tmp, const char *path)
{
	if (smi_rename_exclusive(tmp, path) == 0)
		return 0;
	if (errno != ENOTSUP || link(tmp, path) == -1)
		return -1;
	/* A second name of a file whose first is out: harmless if it
	 * stays. */
	(void)unlink(tmp);
	return 0;
}
