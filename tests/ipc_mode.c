/*
 * ipc_mode.c - exits 0 if shmctl(IPC_STAT) reports a segment's mode as
 * it was made, 1 if not: for the shell tests, which check the modes the
 * tool prints only where the system tells them right.
 */
#include <config.h>

#include "tap.h"

int
main(void)
{
	return ipc_reports_mode() ? 0 : 1;
}
