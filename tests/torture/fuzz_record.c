/*
 * fuzz_record.c - a libFuzzer target for the key-file record, parsed by
 * smi_record_parse() and written by smi_record_format() of src/record.c,
 * which is compiled into the target.
 *
 * Two properties, on each input:
 *  - the input as a key file: if it parses, it holds a record the
 *    library could have written, but for the fields it skipped as a later
 *    release's, and formatting the record and parsing that again gives
 *    the same record (in the current version: a version 1 record comes
 *    back with the name "x" it is given);
 *  - the input's first bytes as a record of the kind the library writes
 *    (a key other than 0, shmid -1 or above, size and pid above 0, a
 *    name of SHAREDMEM_NAME_MAX name characters and a run of BOOT_MAX
 *    run characters at most, from the bytes that follow):
 *    smi_record_format() takes it in RECORD_MAX bytes, and what it writes
 *    parses back to that very record.
 */
#include <config.h>

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
same(const struct record *a, const struct record *b)
{
	return smi_key_bits(a->key) == smi_key_bits(b->key) &&
	    a->shmid == b->shmid && a->size == b->size && a->pid == b->pid &&
	    a->semid == b->semid && a->nsems == b->nsems &&
	    a->held == b->held &&
	    strcmp(a->boot, b->boot) == 0 && strcmp(a->name, b->name) == 0;
}

/* Copies the bytes at data that valid() takes, up to size - 1 of them,
 * into buf; returns how many bytes of data it used. */
static size_t
take_word(const uint8_t *data, size_t len, int (*valid)(int), char *buf,
    size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < len && n < size - 1; i++)
		if (valid(data[i]))
			buf[n++] = (char)data[i];
	buf[n] = '\0';
	return i;
}

static void
fail(const char *what, const struct record *rec)
{
	fprintf(stderr, "fuzz_record: %s: key=0x%lx shmid=%d size=%lu "
	    "pid=%ld\n", what, smi_key_bits(rec->key), rec->shmid, rec->size,
	    rec->pid);
	abort();
}

/* What smi_record_format() writes parses back to rec; returns its length. */
static int
round_trip(const struct record *rec)
{
	struct record back;
	char *buf;
	int n;

	/* Exactly the bytes written, so that the sanitizer sees a parser
	 * that reads past them. */
	if ((buf = malloc(RECORD_MAX)) == NULL)
		abort();
	if ((n = smi_record_format(buf, RECORD_MAX, rec)) < 0)
		fail("record_format refuses", rec);
	if ((buf = realloc(buf, (size_t)n)) == NULL)
		abort();
	memset(&back, 0, sizeof(back));
	if (smi_record_parse(buf, (size_t)n, &back) == -1)
		fail("what record_format writes does not parse", rec);
	if (!same(&back, rec))
		fail("format then parse changes the record", rec);
	free(buf);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record rec;
	char *buf;
	int parsed;
	size_t at;

	memset(&rec, 0, sizeof(rec));
	if ((buf = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	memset(&rec, 0, sizeof(rec));
	parsed = smi_record_parse(buf, size, &rec);
	free(buf);
	if (parsed == 0) {
		if (rec.shmid < -1 || rec.size == 0 || rec.pid <= 0 ||
		    smi_key_bits(rec.key) == 0 ||
		    smi_key_bits(rec.key) == smi_key_bits((key_t)-1) ||
		    (rec.version == 2) != (rec.name[0] != '\0') ||
		    (rec.nsems == 0) != (rec.semid == -1) ||
		    (rec.held != -1 && (rec.nsems == 0 ||
		    (unsigned int)rec.held < rec.nsems)))
			fail("record_parse takes a record it must not", &rec);
		if (rec.version == 1)
			strcpy(rec.name, "x");
		(void)round_trip(&rec);
	}

	at = 0;
	if (size < sizeof(rec.key) + sizeof(rec.shmid) + sizeof(rec.size) +
	    sizeof(rec.pid))
		return 0;
	memcpy(&rec.key, data + at, sizeof(rec.key));
	at += sizeof(rec.key);
	memcpy(&rec.shmid, data + at, sizeof(rec.shmid));
	at += sizeof(rec.shmid);
	memcpy(&rec.size, data + at, sizeof(rec.size));
	at += sizeof(rec.size);
	memcpy(&rec.pid, data + at, sizeof(rec.pid));
	at += sizeof(rec.pid);
	/* Keys that cannot be one: IPC_PRIVATE, and ftok()'s error value. */
	if (smi_key_bits(rec.key) == 0 ||
	    smi_key_bits(rec.key) == smi_key_bits((key_t)-1) ||
	    rec.shmid < -1 || rec.size == 0 || rec.pid <= 0)
		return 0;
	rec.version = 2;
	rec.semid = -1;
	rec.nsems = 0;
	rec.held = -1;
	if (at < size && data[at] % 2 == 1 && rec.shmid != -1) {
		rec.semid = rec.shmid;
		rec.nsems = 1U + data[at] % SEMS_MAX;
		if (data[at] % 4 == 3)
			rec.held = SEM_HELD(rec.nsems);
	}
	if (at < size)
		at++;
	at += take_word(data + at, (size - at) / 2, smi_boot_char, rec.boot,
	    sizeof(rec.boot));
	(void)take_word(data + at, size - at, smi_name_char, rec.name,
	    sizeof(rec.name));
	if (rec.name[0] == '\0')
		strcpy(rec.name, "x");
	(void)round_trip(&rec);
	return 0;
}
