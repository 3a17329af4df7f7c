/*
 * ftok_fixed.c - an ftok() that gives every path the same key, loaded
 * with LD_PRELOAD, so that the tests can make keys collide at will.
 * The key is $SHAREDMEM_FTOK_KEY (any base strtoul() reads).
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>

#include <stdlib.h>

key_t ftok(const char *, int);

key_t
ftok(const char *path, int id)
{
	const char *key = getenv("SHAREDMEM_FTOK_KEY");

	(void)path;
	(void)id;
	return (key_t)strtoul(key != NULL ? key : "0x5a5a0001", NULL, 0);
}
