/*
 * keyfile_format.c - key files of every release, read by the rule of
 * sharedmem(7), "The format of key files", by the library and by the sub
 * keyfile of the page's Perl program:
 *  - the key files that the tools of earlier releases wrote, kept in
 *    tests/keyfiles/RELEASE/ with what ipcs(1) and the system said of
 *    them (tests/keyfiles/make-keyfiles.sh): the library's parser gives
 *    every field, sharedmem_inspect() what it reports, and the page's
 *    reader the fields it takes, as they were;
 *  - the key files this release writes, and one of them as a later
 *    release may write it, with fields the readers do not know, in
 *    another order: both readers read them, and the library attaches
 *    the name through it.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "sharedmem.h"
#include "tap.h"

#define FIXTURES	64

/* A line of tests/keyfiles/RELEASE/expected. */
struct fixture {
	char	release[16];
	char	name[64];
	int	version;
	char	key[32];
	int	shmid;
	unsigned long size;
	long	pid;
	char	semid[16];
	unsigned int sems;
	char	boot[BOOT_MAX + 1];
};

static struct fixture fixtures[FIXTURES];
static int nfixtures;
static char reader[4096];
static int have_perl;

static int
by_release(const void *a, const void *b)
{
	const struct fixture *x = a, *y = b;
	int c = strcmp(x->release, y->release);

	return c != 0 ? c : strcmp(x->name, y->name);
}

/* Reads every tests/keyfiles/RELEASE/expected. */
static void
load_fixtures(const char *top)
{
	char dir[2048], path[4096], line[512];
	struct dirent *e;
	struct fixture *fx;
	DIR *d;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/tests/keyfiles", top);
	if ((d = opendir(dir)) == NULL)
		bail_out("%s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' ||
		    strlen(e->d_name) >= sizeof(fx->release))
			continue;
		snprintf(path, sizeof(path), "%s/%s/expected", dir, e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;	/* the script that makes them */
		while (fgets(line, sizeof(line), f) != NULL) {
			if (nfixtures == FIXTURES)
				bail_out("more than %d key files", FIXTURES);
			fx = &fixtures[nfixtures++];
			memcpy(fx->release, e->d_name, strlen(e->d_name) + 1);
			if (sscanf(line, "%63s %d %31s %d %lu %ld %15s %u %80s",
			    fx->name, &fx->version, fx->key, &fx->shmid,
			    &fx->size, &fx->pid, fx->semid, &fx->sems,
			    fx->boot) != 9)
				bail_out("%s: %s", path, line);
		}
		(void)fclose(f);
	}
	(void)closedir(d);
	qsort(fixtures, (size_t)nfixtures, sizeof(fixtures[0]), by_release);
}

/* Copies the file src to name's key file. */
static void
copy_keyfile(const char *src, const char *name)
{
	char buf[RECORD_MAX * 2];
	ssize_t n;
	int in, out;

	if ((in = open(src, O_RDONLY)) == -1)
		bail_out("%s: %s", src, strerror(errno));
	if ((n = read(in, buf, sizeof(buf))) == -1)
		bail_out("%s: %s", src, strerror(errno));
	(void)close(in);
	if ((out = open(keyfile(name), O_WRONLY | O_CREAT | O_EXCL,
	    0600)) == -1 || write(out, buf, (size_t)n) != n || close(out) == -1)
		bail_out("%s: %s", keyfile(name), strerror(errno));
}

/* Puts line as name's key file, in place of what is there. */
static void
copy_line(const char *name, const char *line)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/line.tmp", sharedmem_dir());
	if ((f = fopen(tmp, "w")) == NULL || fputs(line, f) == EOF ||
	    fclose(f) != 0 || rename(tmp, keyfile(name)) == -1)
		bail_out("%s: %s", tmp, strerror(errno));
}

/* The record of name's key file, parsed by the library's parser. */
static int
parse(const char *name, struct record *rec)
{
	char buf[RECORD_MAX + 1];
	ssize_t n;
	int fd;

	if ((fd = open(keyfile(name), O_RDONLY)) == -1)
		bail_out("%s: %s", keyfile(name), strerror(errno));
	n = read(fd, buf, sizeof(buf));
	(void)close(fd);
	return n < 0 ? -1 : smi_record_parse(buf, (size_t)n, rec);
}

/* The page's sub keyfile, and a few lines that print what it took. */
static void
make_reader(void)
{
	char program[4096], line[512];
	FILE *in, *out;
	int state = 0;

	have_perl = system("perl -e 1 >/dev/null 2>&1") == 0;
	snprintf(program, sizeof(program), "%s/lock.pl", sharedmem_dir());
	snprintf(reader, sizeof(reader), "%s/reader.pl", sharedmem_dir());
	if (page_program(program) == -1)
		bail_out("sharedmem(7) prints no Perl program");
	if ((in = fopen(program, "r")) == NULL ||
	    (out = fopen(reader, "w")) == NULL)
		bail_out("%s: %s", reader, strerror(errno));
	while (state < 2 && fgets(line, sizeof(line), in) != NULL) {
		if (strncmp(line, "sub keyfile {", 13) == 0)
			state = 1;
		if (state == 1)
			fputs(line, out);
		if (state == 1 && strcmp(line, "}\n") == 0)
			state = 2;
	}
	fputs("my ($f, %field) = keyfile($ARGV[0]);\n"
	    "print join(' ', map { $field{$_} // '-' }\n"
	    "    qw(key shmid size pid semid sems boot name)), \"\\n\";\n", out);
	(void)fclose(in);
	if (fclose(out) != 0 || unlink(program) == -1)
		bail_out("%s: %s", reader, strerror(errno));
	if (state != 2)
		bail_out("sharedmem(7)'s program has no sub keyfile");
}

/* What the page's reader takes from name's key file, in buf. */
static void
perl_reads(const char *name, char *buf, size_t size)
{
	char *argv[4];
	ssize_t n;
	size_t len = 0;
	pid_t pid;
	int in, out;

	argv[0] = (char *)(uintptr_t)"perl";
	argv[1] = reader;
	argv[2] = (char *)(uintptr_t)keyfile(name);
	argv[3] = NULL;
	pid = spawn_piped(argv, &in, &out);
	(void)close(in);
	while (len < size - 1 &&
	    (n = read(out, buf + len, size - 1 - len)) != 0) {
		if (n == -1 && errno != EINTR)
			bail_out("read: %s", strerror(errno));
		if (n > 0)
			len += (size_t)n;
	}
	buf[len] = '\0';
	(void)close(out);
	if (wait_child(pid) != 0)
		snprintf(buf, size, "(refused)\n");
}

/* The page's reader gives want for name, where there is perl. */
static void
perl_agrees(const char *name, const char *want, const char *what)
{
	char got[1024];

	if (!have_perl) {
		skip(1, "no perl");
		return;
	}
	perl_reads(name, got, sizeof(got));
	if (!ok(strcmp(got, want) == 0, "%s: the sub keyfile of the page's "
	    "Perl program takes its fields as they are", what))
		diag("got: %s     want: %s", got, want);
}

static void
test_fixture(const struct fixture *fx, const char *top)
{
	struct sharedmem_info info;
	struct record rec;
	char src[4096], want[1024], sems[16], what[128];
	int v2 = fx->version == 2, semid = atoi(fx->semid), parsed, held;

	snprintf(src, sizeof(src), "%s/tests/keyfiles/%s/sharedmem.%s", top,
	    fx->release, fx->name);
	copy_keyfile(src, fx->name);

	/* The set as ipcs shows it: the lock, the counting semaphores and,
	 * from 0.4 on, the lock's held semaphore last, which the record's
	 * sems does not count and its held names. */
	memset(&rec, 0, sizeof(rec));
	parsed = parse(fx->name, &rec) == 0;
	held = parsed && rec.held != -1;
	ok(parsed && rec.version == fx->version &&
	    smi_key_bits(rec.key) == strtoul(fx->key, NULL, 16) &&
	    rec.shmid == fx->shmid && rec.size == fx->size &&
	    rec.pid == fx->pid &&
	    rec.nsems + held == fx->sems &&
	    (!held || rec.held + 1 == (int)fx->sems) &&
	    rec.semid == (fx->sems ? semid : -1) &&
	    strcmp(rec.boot, strcmp(fx->boot, "-") == 0 ? "" : fx->boot) == 0 &&
	    strcmp(rec.name, v2 ? fx->name : "") == 0,
	    "%s's %s: the library's parser gives every field as it was",
	    fx->release, fx->name);

	ok(sharedmem_inspect(fx->name, &info) == 0 &&
	    smi_key_bits(info.key) == strtoul(fx->key, NULL, 16) &&
	    info.shmid == fx->shmid && info.size == fx->size &&
	    info.pid == fx->pid && info.semid == (fx->sems ? semid : -1) &&
	    info.semaphores == (fx->sems ? (int)fx->sems - 1 - held : 0),
	    "%s's %s: sharedmem_inspect() reports what it records",
	    fx->release, fx->name);

	snprintf(sems, sizeof(sems), "%u", fx->sems - held);
	snprintf(want, sizeof(want), "%s %d %lu %ld %s %s %s %s\n", fx->key,
	    fx->shmid, fx->size, fx->pid, fx->semid, fx->sems ? sems : "-",
	    fx->boot, v2 ? fx->name : "-");
	snprintf(what, sizeof(what), "%s's %s", fx->release, fx->name);
	perl_agrees(fx->name, want, what);
	if (unlink(keyfile(fx->name)) == -1)
		bail_out("unlink: %s", strerror(errno));
}

/* Both readers read name's key file, as its handle shm has it. */
static void
test_new(sharedmem *shm, const char *what)
{
	struct sharedmem_info info;
	struct record rec;
	char want[1024], semid[16] = "-", sems[16] = "-";
	const char *name = sharedmem_name(shm);

	memset(&rec, 0, sizeof(rec));
	ok(parse(name, &rec) == 0 && rec.version == 2 &&
	    rec.key == sharedmem_key(shm) && rec.shmid == sharedmem_id(shm) &&
	    rec.size == sharedmem_size(shm) && rec.semid == sharedmem_semid(shm) &&
	    sharedmem_inspect(name, &info) == 0 &&
	    info.state == SHAREDMEM_LIVE && info.pid == (long)getpid() &&
	    info.semaphores == sharedmem_semaphores(shm),
	    "%s: the library reads it, as the handle has it", what);
	if (sharedmem_semid(shm) != -1) {
		snprintf(semid, sizeof(semid), "%d", sharedmem_semid(shm));
		snprintf(sems, sizeof(sems), "%d",
		    sharedmem_semaphores(shm) + 1);
	}
	snprintf(want, sizeof(want), "0x%08lx %d %lu %ld %s %s %s %s\n",
	    smi_key_bits(sharedmem_key(shm)), sharedmem_id(shm),
	    (unsigned long)sharedmem_size(shm), (long)getpid(), semid, sems,
	    rec.boot[0] != '\0' ? rec.boot : "-", name);
	perl_agrees(name, want, what);
}

int
main(void)
{
	const char *top = getenv("top_srcdir");
	sharedmem *plain, *locked, *again;
	char got[1024], dir[4096], old[4200];
	int i;

	if (top == NULL)
		top = ".";
	load_fixtures(top);
	plan(3 * nfixtures + 11);
	make_reader();
	/* The key files of earlier releases record segments of another
	 * machine: they are kept in a directory of their own, where the
	 * sweep after a test that died takes no segment at their keys for
	 * theirs. */
	snprintf(dir, sizeof(dir), "%s", sharedmem_dir());
	snprintf(old, sizeof(old), "%s/releases", dir);
	if (mkdir(old, 0700) == -1 || setenv("SHAREDMEM_DIR", old, 1) == -1)
		bail_out("%s: %s", old, strerror(errno));
	for (i = 0; i < nfixtures; i++)
		test_fixture(&fixtures[i], top);
	if (setenv("SHAREDMEM_DIR", dir, 1) == -1 || rmdir(old) == -1)
		bail_out("%s: %s", old, strerror(errno));

	if ((plain = sharedmem_create("plain", 1024)) == NULL ||
	    (locked = sharedmem_open("locked", SHAREDMEM_CREATE |
	    SHAREDMEM_SEMAPHORES(2), 4096, 0600)) == NULL)
		bail_out("create: %s", strerror(errno));
	test_new(plain, "this release's key file of a name");
	test_new(locked, "this release's key file of a name with a set");
	if (sharedmem_close(locked) == -1)
		bail_out("close: %s", strerror(errno));

	later_release("locked");
	again = sharedmem_attach("locked");
	ok(again != NULL, "the library attaches a name whose key file a "
	    "later release wrote, with fields it does not know, in another "
	    "order");
	if (again == NULL)
		bail_out("attach: %s", strerror(errno));
	test_new(again, "a later release's key file");
	ok(sharedmem_unlink(again) == 0 && sharedmem_close(again) == 0,
	    "the library unlinks the name through that key file");

	ok(sharedmem_unlink(plain) == 0 && sharedmem_close(plain) == 0,
	    "the other name goes");

	/* A version that no reader here knows. */
	copy_line("future", "sharedmem 3 key=0x5300a1b2 shmid=1 size=1024 "
	    "pid=1 name=future\n");
	if (have_perl) {
		perl_reads("future", got, sizeof(got));
		ok(strcmp(got, "(refused)\n") == 0, "the sub keyfile of the "
		    "page's Perl program refuses a line of a version it does "
		    "not know");
	} else
		skip(1, "no perl");
	ok(unlink(keyfile("future")) == 0 && unlink(reader) == 0,
	    "the file and the reader go");
	return exit_status();
}
