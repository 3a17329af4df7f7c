/*
 * env_probe.c - what the library takes from the environment, for
 * tests/setuid, which runs this program set-user-ID and set-group-ID and
 * not.  Built with src/spin.c, as tests/spin_budget is, to read how long a
 * wait would poll.  Prints, one a line:
 *
 *	ids RUID EUID RGID EGID
 *	dir DIR			sharedmem_dir()
 *	spin NS			the first poll of a wait, in nanoseconds
 *	attach TEXT		the first bytes of the segment of NAME, or
 *	attach error ERRNO	why it cannot be attached
 */
#include <config.h>

#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "internal.h"

int
main(int argc, char **argv)
{
	sharedmem *shm;

	if (argc != 2) {
		fprintf(stderr, "usage: env_probe NAME\n");
		return 2;
	}
	printf("ids %lu %lu %lu %lu\n", (unsigned long)getuid(),
	    (unsigned long)geteuid(), (unsigned long)getgid(),
	    (unsigned long)getegid());
	printf("dir %s\n", sharedmem_dir());
	printf("spin %ld\n", smi_spin_budget(4242, 1));
	if ((shm = sharedmem_attach(argv[1])) == NULL)
		printf("attach error %d\n", errno);
	else {
		printf("attach %.*s\n", (int)strnlen(sharedmem_buf(shm),
		    sharedmem_size(shm)), (char *)sharedmem_buf(shm));
		(void)sharedmem_close(shm);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
