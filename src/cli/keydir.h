/*
 * keydir.h - the key directory as the cause of a failure: missing, not a
 * directory, read-only or full.  Said the same way by the tool and by the
 * examples, which compile keydir.c in: it is no part of the library,
 * which only sets errno.
 */
#ifndef KEYDIR_H
#define KEYDIR_H

#include <stddef.h>

/*
 * Whether the key directory (sharedmem_dir()) explains the errno err of
 * a call that makes files there.  If it does, buf gets one sentence that
 * names the directory, says what is wrong with it and how SHAREDMEM_DIR
 * chooses another, and 1 is returned; else 0.  errno is left as it was.
 */
int	keydir_fault(int err, char *buf, size_t len);

#endif /* KEYDIR_H */
