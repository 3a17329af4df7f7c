/*
 * ipc_huge.c - exits 0 if shmat() attaches a segment of huge pages where
 * shmget() can make one, 1 if it refuses: for the shell tests, which
 * expect a reason about huge pages from a create that fails only where
 * the system would attach the segment.
 */
#include <config.h>

#include "tap.h"

int
main(void)
{
	return ipc_attaches_huge_pages() ? 0 : 1;
}
