/*
 * touch.c - the first touch of a big segment: created with the default
 * flags, where each page faults in at its first write; with
 * SHAREDMEM_PREFAULT, where the create faults them all in at once; and
 * with SHAREDMEM_HUGEPAGES, where one fault maps a huge page.
 *
 * Usage: touch [-m MIB] [-r REPEATS] [-o CSV].  Each run creates a segment
 * of MIB MiB, writes one byte to each of its pages, and removes it; it
 * times the create and the writes.  A first round, not timed, warms up
 * what the first runs would otherwise pay for alone (the kernel's page
 * allocator, huge pages reserved but not yet touched).  The figures are
 * medians of REPEATS runs, the three kinds taking turns.  Huge pages are
 * left out, with the reason, where the system has none free or refuses
 * them.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "bench.h"

#define SEGMENT		"bench-touch"

enum kind { DEFAULT, PREFAULT, HUGEPAGES, NKINDS };

static const char *const kind_names[NKINDS] = {
	"default", "prefault", "hugepages"
};
static const char *const kind_rows[NKINDS] = {
	"default flags, then touched",
	"SHAREDMEM_PREFAULT, then touched",
	"SHAREDMEM_HUGEPAGES, then touched"
};
static const int kind_flags[NKINDS] = {
	0, SHAREDMEM_PREFAULT, SHAREDMEM_HUGEPAGES
};

/*
 * One run: the seconds of the create and of the writes in *create and
 * *touch.  Returns 0, or the errno of a create of huge pages that the
 * system refused.
 */
static int
run(enum kind k, size_t size, size_t page, double *create, double *touch)
{
	volatile unsigned char *p;
	double start;
	sharedmem *shm;
	size_t off;
	int slot;

	start = bench_now();
	shm = sharedmem_open(SEGMENT, SHAREDMEM_CREATE | kind_flags[k], size,
	    0600);
	if (shm == NULL) {
		if (k == HUGEPAGES && (errno == ENOMEM || errno == EPERM ||
		    errno == ENOTSUP))
			return errno;
		bench_die("sharedmem_open " SEGMENT);
	}
	*create = bench_now() - start;
	/* Guarded only now, so as not to time it; a signal in between
	 * leaves the name to run.sh. */
	slot = bench_guard_shm(shm);
	p = sharedmem_buf(shm);
	start = bench_now();
	for (off = 0; off < size; off += page)
		p[off] = 1;
	*touch = bench_now() - start;
	bench_remove(shm, slot);
	return 0;
}

/* Why huge pages could not be had, for the reader. */
static const char *
refusal(int error)
{
	switch (error) {
	case ENOMEM:
		return "too few free huge pages (Linux: reserve them in "
		    "/proc/sys/vm/nr_hugepages)";
	case EPERM:
		return "not allowed (Linux: needs CAP_IPC_LOCK or the group "
		    "in /proc/sys/vm/hugetlb_shm_group)";
	default:
		return "the system has no huge pages for System V segments";
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: touch [-m MIB] [-r REPEATS] [-o CSV]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	double create[NKINDS][BENCH_ROUNDS_MAX];
	double touch[NKINDS][BENCH_ROUNDS_MAX];
	double total[NKINDS][BENCH_ROUNDS_MAX], mcreate[NKINDS], mtouch[NKINDS];
	double mtotal[NKINDS], pages;
	const char *csv = NULL;
	size_t size, page;
	long mib = 1024, pagesize;
	int refused = 0, repeats = 5, error, r, k, c;

	bench_init("touch", 2);
	while ((c = getopt(argc, argv, "m:o:r:")) != -1) {
		switch (c) {
		case 'm':
			mib = strtol(optarg, NULL, 10);
			break;
		case 'o':
			csv = optarg;
			break;
		case 'r':
			repeats = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	/* Whole huge pages of any common size up to 1 GiB. */
	if (optind != argc || mib < 1 || (mib > 2 && mib % 2 != 0) ||
	    (mib > 1024 && mib % 1024 != 0) || repeats < 1 ||
	    repeats > BENCH_ROUNDS_MAX)
		usage();
	size = (size_t)mib << 20;
	if ((pagesize = sysconf(_SC_PAGESIZE)) == -1)
		bench_die("sysconf _SC_PAGESIZE");
	page = (size_t)pagesize;
	pages = (double)(size / page);

	/* Round -1 warms up, into the figures of round 0, which follows. */
	for (r = -1; r < repeats; r++)
		for (k = 0; k < NKINDS; k++) {
			/* Only huge pages may be refused; once is enough. */
			if (k == HUGEPAGES && refused)
				continue;
			if ((error = run((enum kind)k, size, page,
			    &create[k][r < 0 ? 0 : r],
			    &touch[k][r < 0 ? 0 : r])) != 0) {
				refused = error;
				continue;
			}
			if (r >= 0)
				total[k][r] = create[k][r] + touch[k][r];
		}
	for (k = 0; k < NKINDS; k++) {
		if (k == HUGEPAGES && refused)
			break;
		mcreate[k] = bench_median(create[k], repeats) * 1e3;
		mtouch[k] = bench_median(touch[k], repeats) * 1e3;
		mtotal[k] = bench_median(total[k], repeats) * 1e3;
	}

	printf("first touch: a %ld MiB segment created, one byte written "
	    "to each %ld-byte page,\nms (median of %d)\n", mib, pagesize,
	    repeats);
	printf("%-34s %8s %8s %8s %8s %8s\n", "segment", "create", "touch",
	    "total", "us/page", "speedup");
	bench_csv_open(csv);
	for (k = 0; k < NKINDS; k++) {
		if (k == HUGEPAGES && refused) {
			printf("%-34s skipped: %s\n", kind_rows[k],
			    refusal(refused));
			continue;
		}
		printf("%-34s %8.1f %8.1f %8.1f %8.3f", kind_rows[k],
		    mcreate[k], mtouch[k], mtotal[k], mtotal[k] * 1e3 / pages);
		if (k != DEFAULT)
			printf(" %7.1fx", mtotal[DEFAULT] / mtotal[k]);
		putchar('\n');
		bench_csv_row("touch", kind_names[k], (double)size,
		    mtotal[k] * 1e3 / pages, "us/page",
		    k == DEFAULT ? 0 : mtotal[DEFAULT] / mtotal[k]);
	}
	printf("(speedup: the default's total time over this one's)\n");
	bench_csv_close();
	return fflush(stdout) == 0 ? 0 : 1;
}
