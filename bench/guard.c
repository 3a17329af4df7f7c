/*
 * guard.c - failing without leaving System V objects behind.  A benchmark
 * that dies half way, or is stopped with Ctrl-C, removes the segments,
 * semaphore sets and key files it made; System V objects outlive their
 * processes, and would otherwise stay until a reboot.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

/* A slot is free when all three are -1 or NULL.  The signal handler reads
 * the slots while the program fills them: volatile, and filled ids first. */
struct guarded {
	volatile int	 shmid;
	volatile int	 semid;
	char *volatile	 path;
};

static const char *prog = "bench";
static pid_t owner;
static struct guarded *slots;
static int room;
static volatile sig_atomic_t used;	/* slots ever used */
static int hint;			/* no free slot below it */

/* Only system calls: it runs in signal handlers too. */
static void
remove_guarded(void)
{
	int i;

	for (i = 0; i < used; i++) {
		if (slots[i].path != NULL)
			(void)unlink(slots[i].path);
		if (slots[i].shmid != -1)
			(void)shmctl(slots[i].shmid, IPC_RMID, NULL);
		if (slots[i].semid != -1)
			(void)semctl(slots[i].semid, 0, IPC_RMID);
	}
}

static void
on_signal(int sig)
{
	/* Children share the handler, not the objects. */
	if (getpid() == owner)
		remove_guarded();
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}

void
bench_init(const char *name, int n)
{
	static const int sigs[] = { SIGHUP, SIGINT, SIGTERM };
	struct sigaction sa, old;
	size_t i;

	prog = name;
	owner = getpid();
	room = n;
	if ((slots = malloc((size_t)n * sizeof(slots[0]))) == NULL)
		bench_die("malloc");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	if (sigemptyset(&sa.sa_mask) == -1)
		bench_die("sigemptyset");
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaddset(&sa.sa_mask, sigs[i]) == -1)
			bench_die("sigaddset");
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		/* A signal ignored from the start, as by a background job
		 * of a shell, stays ignored. */
		if (sigaction(sigs[i], NULL, &old) == -1)
			bench_die("sigaction");
		if (old.sa_handler != SIG_IGN &&
		    sigaction(sigs[i], &sa, NULL) == -1)
			bench_die("sigaction");
	}
}

static void BENCH_NORETURN
leave(void)
{
	if (getpid() != owner)
		_exit(1);	/* the parent's buffers are not the child's */
	remove_guarded();
	exit(1);
}

void
bench_die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	leave();
}

void
bench_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	leave();
}

int
bench_guard(int shmid, int semid, const char *keyfile)
{
	char *path = NULL;
	int i;

	if (keyfile != NULL && (path = strdup(keyfile)) == NULL)
		bench_die("strdup");
	for (i = hint; i < used; i++)
		if (slots[i].shmid == -1 && slots[i].semid == -1 &&
		    slots[i].path == NULL)
			break;
	if (i == room)
		bench_fail("more than %d objects to guard", room);
	slots[i].shmid = shmid;
	slots[i].semid = semid;
	slots[i].path = path;
	if (i == used)
		used = i + 1;
	hint = i + 1;
	return i;
}

int
bench_guard_shm(const sharedmem *shm)
{
	char *path;
	int slot;

	if ((path = sharedmem_keyfile(sharedmem_name(shm))) == NULL)
		bench_die("sharedmem_keyfile");
	slot = bench_guard(sharedmem_id(shm), sharedmem_semid(shm), path);
	free(path);
	return slot;
}

void
bench_unguard(int slot)
{
	char *path = slots[slot].path;

	slots[slot].path = NULL;
	slots[slot].shmid = -1;
	slots[slot].semid = -1;
	free(path);
	if (slot < hint)
		hint = slot;
}

void
bench_remove(sharedmem *shm, int slot)
{
	if (sharedmem_unlink(shm) == -1)
		bench_die("sharedmem_unlink");
	bench_unguard(slot);
	if (sharedmem_close(shm) == -1)
		bench_die("sharedmem_close");
}
