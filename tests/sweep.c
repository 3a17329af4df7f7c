/*
 * sweep.c - removes what a test left in its key directory, and says what.
 *
 * Usage: sweep DIR.  Runs after every test (run-test.sh).  Segments and
 * semaphore sets named by key files, by private files of creates that
 * died, and by the list of ids a test made by hand (tracked-ids) are
 * removed; so are the files.
 * Exit status 0: nothing was left; 1: something was, and is gone now;
 * 2: something could not be removed.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static int left, stuck;

static void
remove_segment(int id, const char *why)
{
	if (shmctl(id, IPC_RMID, NULL) == 0) {
		fprintf(stderr, "sweep: removed shmid %d (%s)\n", id, why);
		left = 1;
	} else if (errno != EINVAL && errno != EIDRM) {
		fprintf(stderr, "sweep: shmid %d (%s): %s\n", id, why,
		    strerror(errno));
		stuck = 1;
	}
}

static void
remove_set(int id, const char *why)
{
	if (semctl(id, 0, IPC_RMID) == 0) {
		fprintf(stderr, "sweep: removed semid %d (%s)\n", id, why);
		left = 1;
	} else if (errno != EINVAL && errno != EIDRM) {
		fprintf(stderr, "sweep: semid %d (%s): %s\n", id, why,
		    strerror(errno));
		stuck = 1;
	}
}

/* The segment a key file or a dead create's private file points to. */
static void
sweep_record(const char *path, const char *base)
{
	struct shmid_ds ds;
	struct record rec;
	char buf[RECORD_MAX + 1];
	ssize_t n;
	const char *name;
	long pid;
	int fd, id;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK)) == -1)
		return;
	n = read(fd, buf, sizeof(buf));
	(void)close(fd);
	if (n > 0 && smi_record_parse(buf, (size_t)n, &rec) == 0) {
		if (rec.semid != -1 && semget(rec.key, 0, 0) == rec.semid)
			remove_set(rec.semid, path);
		if ((id = shmget(rec.key, 0, 0)) == -1)
			return;
		if (rec.shmid == id)
			remove_segment(id, path);
		else if (rec.shmid == -1 && shmctl(id, IPC_STAT, &ds) == 0 &&
		    (long)ds.shm_cpid == rec.pid)
			remove_segment(id, path);
		return;
	}
	/* A private file without a record: its segment, if any, is at its
	 * first key, made by the pid in its name. */
	if (n != 0 || smi_entry_kind(base, &name, &pid) != ENTRY_PRIVATE)
		return;
	if ((id = shmget(ftok(path, KEY_PROJ), 0, 0)) != -1 &&
	    shmctl(id, IPC_STAT, &ds) == 0 && (long)ds.shm_cpid == pid)
		remove_segment(id, path);
}

static void
sweep_tracked(const char *path)
{
	FILE *f;
	char type;
	int id;

	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fscanf(f, "%c %d\n", &type, &id) == 2)
		if (type == 's')
			remove_set(id, "made by the test itself");
		else
			remove_segment(id, "made by the test itself");
	(void)fclose(f);
}

int
main(int argc, char **argv)
{
	char path[4096];
	struct dirent *de;
	const char *name;
	long pid;
	DIR *d;

	if (argc != 2) {
		fprintf(stderr, "usage: sweep DIR\n");
		return 2;
	}
	if ((d = opendir(argv[1])) == NULL) {
		fprintf(stderr, "sweep: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[1], de->d_name);
		if (strcmp(de->d_name, "tracked-ids") == 0) {
			sweep_tracked(path);
			(void)unlink(path);
			continue;
		}
		if (smi_entry_kind(de->d_name, &name, &pid) != ENTRY_OTHER)
			sweep_record(path, de->d_name);
		fprintf(stderr, "sweep: left behind: %s\n", de->d_name);
		left = 1;
	}
	(void)closedir(d);
	return stuck ? 2 : left;
}
