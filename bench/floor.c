/*
 * floor.c - the library's system calls alone, for bench/control: the
 * calls that a create+unlink+close and an attach+close make, in their
 * order, on files of the same kind in the same key directory and on a
 * segment of the same size, with nothing of the library's work between
 * them.  The library's row over this one is what its own work costs; this
 * row over the raw System V calls is what the key-file protocol's
 * guarantees cost at the least (sharedmem(7); the top of src/keyfile.c
 * says why each call stays).
 *
 * Where the library renames with renameat2(RENAME_NOREPLACE), these
 * calls use rename(2), which costs the same and is everywhere.  The
 * files are named floor+PID-XXXXXX and floor.PID, names that are no key
 * files, so that nothing that lists or cleans the key directory takes
 * them for the library's.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "control.h"

#if !HAVE_DECL_O_NOFOLLOW
#define O_NOFOLLOW 0
#endif
#if !HAVE_DECL_O_CLOEXEC
#define O_CLOEXEC 0
#endif

/* A record of the length that the library writes for a short name. */
#define RECORD_LENGTH	133
/* What the library reads of a key file: more than any record holds. */
#define READ_LENGTH	513

static char template_path[1024], private_path[1024], name_path[1024],
    taken_path[1024], record[RECORD_LENGTH];
static size_t size;
static const char *keyfile;
static int attach_id;

void
floor_set_up(const char *dir, size_t segment_size, const char *kept_keyfile,
    int kept_id)
{
	long pid = (long)getpid();

	if ((size_t)snprintf(template_path, sizeof(template_path),
	    "%s/floor+%ld-XXXXXX", dir, pid) >= sizeof(template_path) ||
	    (size_t)snprintf(name_path, sizeof(name_path), "%s/floor.%ld",
	    dir, pid) >= sizeof(name_path) ||
	    (size_t)snprintf(taken_path, sizeof(taken_path),
	    "%s/floor+%ld-taken", dir, pid) >= sizeof(taken_path))
		bench_fail("key directory path too long: %s", dir);
	memset(record, 'x', sizeof(record) - 1);
	record[sizeof(record) - 1] = '\n';
	size = segment_size;
	keyfile = kept_keyfile;
	attach_id = kept_id;
}

void
floor_cycle(void)
{
	struct stat st;
	void *addr;
	key_t key;
	int fd, id;

	/* Create. */
	memcpy(private_path, template_path, sizeof(private_path));
	if ((fd = mkstemp(private_path)) == -1)
		bench_die("mkstemp");
	if ((key = ftok(private_path, 'S')) == (key_t)-1)
		bench_die("ftok");
	/* A key that ftok gave another file, whose segment lives, is
	 * skipped for the next, as the library skips it. */
	while ((id = shmget(key, size, IPC_CREAT | IPC_EXCL | 0600)) == -1)
		if (errno != EEXIST || ++key == (key_t)-1)
			bench_die("shmget");
	if ((addr = shmat(id, NULL, 0)) == (void *)-1)
		bench_die("shmat");
	if (pwrite(fd, record, sizeof(record), 0) != (ssize_t)sizeof(record))
		bench_die("pwrite");
	if (rename(private_path, name_path) == -1)
		bench_die("rename");
	/* Unlink. */
	if (shmctl(id, IPC_RMID, NULL) == -1)
		bench_die("shmctl IPC_RMID");
	if (fstat(fd, &st) == -1 || lstat(name_path, &st) == -1 ||
	    rename(name_path, taken_path) == -1 ||
	    lstat(taken_path, &st) == -1 || unlink(taken_path) == -1)
		bench_die("fstat/lstat/rename/unlink");
	/* Close. */
	if (shmdt(addr) == -1 || close(fd) == -1)
		bench_die("shmdt/close");
}

void
floor_attach(void)
{
	char buf[READ_LENGTH];
	struct shmid_ds ds;
	struct stat st;
	void *addr;
	int fd;

	if ((fd = open(keyfile, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		bench_die(keyfile);
	if (fstat(fd, &st) == -1 || pread(fd, buf, sizeof(buf), 0) <= 0)
		bench_die("fstat/pread");
	if (shmctl(attach_id, IPC_STAT, &ds) == -1)
		bench_die("shmctl IPC_STAT");
	if (close(fd) == -1)
		bench_die("close");
	if ((addr = shmat(attach_id, NULL, 0)) == (void *)-1 ||
	    shmdt(addr) == -1)
		bench_die("shmat/shmdt");
}
