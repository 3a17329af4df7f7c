/*
 * lock_from_perl.c - the lock of a name, shared with a program that knows
 * only sharedmem(7): the Perl program printed there, taken from the page
 * as it stands, holds the lock against the library, gives it back, loses
 * it to the kernel when killed, with word of its death to the library's
 * next lock; is told itself when the library's holder died, and leaves an
 * ordinary lock after it; reads a key file as a later release may write
 * it; and refuses a name without a lock.
 */
#include <config.h>

#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sharedmem.h"
#include "tap.h"

static char program[4096];

/* Starts the program on name; *in is its standard input. */
static pid_t
start(const char *name, int *in, FILE **out)
{
	char *argv[4];
	pid_t pid;
	int fd;

	argv[0] = (char *)(uintptr_t)"perl";
	argv[1] = program;
	argv[2] = (char *)(uintptr_t)name;
	argv[3] = NULL;
	pid = spawn_piped(argv, in, &fd);
	if ((*out = fdopen(fd, "r")) == NULL)
		bail_out("fdopen: %s", strerror(errno));
	return pid;
}

/* Whether the program said it holds the lock, and that its holder died
 * (died) or not. */
static int
locked(FILE *out, int died)
{
	char line[64];

	return fgets(line, sizeof(line), out) != NULL &&
	    strcmp(line, died ? "locked; its holder died\n" : "locked\n") == 0;
}

/* A child that takes the lock of name through the library and is killed
 * holding it. */
static void
killed_holder(const char *name)
{
	int ready[2];
	char c;
	pid_t pid;

	if (pipe(ready) == -1)
		bail_out("pipe: %s", strerror(errno));
	if ((pid = fork_or_bail()) == 0) {
		sharedmem *shm = sharedmem_attach(name);

		if (shm == NULL || sharedmem_trylock(shm) == -1 ||
		    write(ready[1], "h", 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	(void)close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		bail_out("the library's holder did not take the lock");
	(void)close(ready[0]);
	(void)kill(pid, SIGKILL);
	(void)wait_child(pid);
}

int
main(void)
{
	struct timespec tenth = { 0, 100000000L };
	sharedmem *shm, *plain;
	FILE *out;
	pid_t pid;
	int in, st;

	if (system("perl -MIPC::Semaphore -e 1 >/dev/null 2>&1") != 0)
		skip_all("no Perl with IPC::Semaphore");
	snprintf(program, sizeof(program), "%s/lock.pl", sharedmem_dir());
	plan(15);
	ok(page_program(program) == 0, "sharedmem(7) prints a Perl program that "
	    "takes a name's lock");
	if ((shm = sharedmem_open("jobs", SHAREDMEM_CREATE | SHAREDMEM_LOCK |
	    SHAREDMEM_SEMAPHORES(2), 64, 0600)) == NULL)
		bail_out("create: %s", strerror(errno));

	pid = start("jobs", &in, &out);
	ok(locked(out, 0), "the program takes the lock");
	FAILS_WITH(sharedmem_trylock(shm), EBUSY, "the library's trylock "
	    "while the program holds it");
	(void)close(in);
	st = wait_child(pid);
	(void)fclose(out);
	ok(st == 0, "the program gives the lock back and exits 0 (%d)", st);
	ok(sharedmem_trylock(shm) == 0, "the library takes it then");

	/* The library holds it: the program waits, and gets it once the
	 * library lets go. */
	pid = start("jobs", &in, &out);
	(void)nanosleep(&tenth, NULL);
	ok(sharedmem_unlock(shm) == 0 && locked(out, 0), "the program waits "
	    "while the library holds the lock, and takes it when given back");
	(void)kill(pid, SIGKILL);
	(void)close(in);
	(void)wait_child(pid);
	(void)fclose(out);
	FAILS_WITH(sharedmem_trylock(shm), EOWNERDEAD, "killed while holding "
	    "it, the program leaves the lock to the library, with word of its "
	    "death");
	ok(sharedmem_consistent(shm) == 0 && sharedmem_unlock(shm) == 0,
	    "... which gives it back repaired");

	killed_holder("jobs");
	pid = start("jobs", &in, &out);
	ok(locked(out, 1), "the library's holder killed, the program takes "
	    "the lock and is told so");
	(void)close(in);
	st = wait_child(pid);
	(void)fclose(out);
	ok(st == 0 && sharedmem_trylock(shm) == 0 &&
	    sharedmem_unlock(shm) == 0, "... and leaves an ordinary lock when "
	    "it gives it back");

	/* The key file as a later release may write it: the library and
	 * the program each take the lock through it. */
	if (sharedmem_close(shm) == -1)
		bail_out("close: %s", strerror(errno));
	later_release("jobs");
	if ((shm = sharedmem_attach("jobs")) == NULL)
		bail_out("attach of a later release's key file: %s",
		    strerror(errno));
	pid = start("jobs", &in, &out);
	ok(locked(out, 0), "the program takes the lock through a key file with "
	    "fields it does not know, in another order");
	FAILS_WITH(sharedmem_trylock(shm), EBUSY, "the library's trylock, "
	    "attached through that key file, while the program holds it");
	(void)close(in);
	st = wait_child(pid);
	(void)fclose(out);
	ok(st == 0 && sharedmem_trylock(shm) == 0 && sharedmem_unlock(shm) == 0,
	    "the program gives the lock back, and the library takes it (%d)",
	    st);

	if ((plain = sharedmem_create("plain", 64)) == NULL)
		bail_out("create: %s", strerror(errno));
	pid = start("plain", &in, &out);
	(void)close(in);
	st = wait_child(pid);
	(void)fclose(out);
	ok(st != 0, "on a name without a lock, the program says so and fails "
	    "(%d)", st);
	ok(sharedmem_unlink(plain) == 0 && sharedmem_unlink(shm) == 0 &&
	    unlink(program) == 0, "the names and the program go");
	(void)sharedmem_close(plain);
	(void)sharedmem_close(shm);
	return exit_status();
}
