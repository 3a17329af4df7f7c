/*
 * cpython.c - what CPython's own tests check of SharedMemory, here of
 * the C interface, across processes where they do.
 */
#include <config.h>

#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "tap.h"

/*
 * Handles live at file scope: a forked child exits holding its parent's
 * handles, and its own, on purpose, and memory checkers must not take
 * them for leaks.
 */
static sharedmem *a, *b;
static sharedmem *volatile kept;

/* Runs fn(arg) in a child; returns its exit status. */
static int
in_child(int (*fn)(const char *), const char *arg)
{
	pid_t pid;

	if ((pid = fork()) == -1)
		bail_out("fork: %s", strerror(errno));
	if (pid == 0)
		_exit(fn(arg));
	return wait_child(pid);
}

/* Attaches name, checks the parent's bytes, writes its own. */
static int
child_reads_and_writes(const char *name)
{
	unsigned char *p;

	if ((kept = sharedmem_attach(name)) == NULL)
		return 1;
	p = sharedmem_buf(kept);
	if (memcmp(p, "howdy", 5) != 0)
		return 2;
	memcpy(p + 5, "there", 5);
	return 0;
}

/* Attaches name and exits without close or unlink. */
static int
child_attaches_and_exits(const char *name)
{
	return (kept = sharedmem_attach(name)) != NULL ? 0 : 1;
}

/* Creates name and exits without close or unlink. */
static int
child_creates_and_exits(const char *name)
{
	if ((kept = sharedmem_create(name, 100)) == NULL)
		return 1;
	memcpy(sharedmem_buf(kept), "made", 4);
	return 0;
}

static void
test_basics(void)
{

	FAILS_WITH(sharedmem_create("cpy", 0) == NULL ? -1 : 0, EINVAL,
	    "size 0 is refused");
	FAILS_WITH(sharedmem_attach("cpy") == NULL ? -1 : 0, ENOENT,
	    "attach by the name of no segment");
	if ((a = sharedmem_create("cpy", 512)) == NULL)
		bail_out("create: %s", strerror(errno));
	ok(strcmp(sharedmem_name(a), "cpy") == 0 && sharedmem_size(a) == 512,
	    "name and size are what was asked");
	memcpy(sharedmem_buf(a), "howdy", 5);
	b = sharedmem_attach("cpy");
	ok(b != NULL && sharedmem_size(b) == 512 &&
	    memcmp(sharedmem_buf(b), "howdy", 5) == 0,
	    "a second handle by name sees the write, at the same size");
	ok(in_child(child_reads_and_writes, "cpy") == 0,
	    "a second process sees the write and writes back");
	ok(memcmp(sharedmem_buf(a), "howdythere", 10) == 0,
	    "...and its write is seen here");
	ok(sharedmem_close(b) == 0 && sharedmem_close(NULL) == 0,
	    "close, and close of nothing");
	ok(sharedmem_unlink(a) == 0, "unlink");
	FAILS_WITH(sharedmem_attach("cpy") == NULL ? -1 : 0, ENOENT,
	    "attach after unlink");
	ok(memcmp(sharedmem_buf(a), "howdythere", 10) == 0,
	    "the unlinking handle still reads its mapping");
	ok(sharedmem_close(a) == 0, "close after unlink");
}

static void
test_lifetimes(void)
{
	int gate[2], done[2], st;
	pid_t pid;
	char c;

	/* The creator closes while another process is attached. */
	if ((a = sharedmem_create("outlive", 64)) == NULL)
		bail_out("create: %s", strerror(errno));
	if (pipe(gate) == -1 || pipe(done) == -1)
		bail_out("pipe: %s", strerror(errno));
	if ((pid = fork()) == 0) {
		kept = sharedmem_attach("outlive");
		(void)close(gate[1]);
		(void)close(done[0]);
		if (kept == NULL || write(done[1], "a", 1) != 1)
			_exit(1);
		/* Waits for the creator's close, then writes. */
		if (read(gate[0], &c, 1) != 0)
			_exit(2);
		memcpy(sharedmem_buf(kept), "still", 5);
		_exit(0);
	}
	(void)close(gate[0]);
	(void)close(done[1]);
	if (read(done[0], &c, 1) != 1)
		bail_out("the child did not attach");
	ok(sharedmem_close(a) == 0, "the creator closes");
	(void)close(gate[1]);
	st = wait_child(pid);
	(void)close(done[0]);
	ok(st == 0, "the attached process goes on using the segment");
	b = sharedmem_attach("outlive");
	ok(b != NULL && memcmp(sharedmem_buf(b), "still", 5) == 0,
	    "the segment outlives its creator's close");

	ok(in_child(child_attaches_and_exits, "outlive") == 0,
	    "a process attaches and exits without closing");
	a = sharedmem_attach("outlive");
	ok(a != NULL, "an attaching process's exit does not remove the segment");
	sharedmem_close(a);
	ok(sharedmem_unlink(b) == 0 && sharedmem_close(b) == 0,
	    "unlink and close");

	ok(in_child(child_creates_and_exits, "orphan") == 0,
	    "a process creates a segment and exits without closing");
	a = sharedmem_attach("orphan");
	ok(a != NULL && memcmp(sharedmem_buf(a), "made", 4) == 0,
	    "the segment outlives its creator");
	ok(sharedmem_unlink(a) == 0 && sharedmem_close(a) == 0,
	    "unlink and close it");
}

int
main(void)
{
	plan(20);
	test_basics();
	test_lifetimes();
	return exit_status();
}
