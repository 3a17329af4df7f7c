/*
 * info.c - what the library can say about itself.
 */
#include <config.h>

#include "sharedmem.h"
#include "internal.h"

const char *
sharedmem_dir(void)
{
	const char *dir = smi_getenv("SHAREDMEM_DIR");

	return dir != NULL && *dir != '\0' ? dir : SHAREDMEM_KEYDIR;
}

const char *
sharedmem_version(void)
{
	return PACKAGE_VERSION;
}
