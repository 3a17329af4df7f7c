/*
 * internal.h - what the library's files share and nobody else sees.
 */
#ifndef SHAREDMEM_INTERNAL_H
#define SHAREDMEM_INTERNAL_H

#include <sys/types.h>
#include <stddef.h>

/* Key files are DIR/sharedmem.NAME; a create in progress works on a
 * private DIR/sharedmem+PID-XXXXXX.  '+' cannot occur in a name, so the
 * two never meet, and neither clashes with POSIX shm objects in /dev/shm. */
#define KEYFILE_PREFIX	"sharedmem."
#define PRIVATE_PREFIX	"sharedmem+"

/* ftok()'s proj id for the first key of a name; 0 is unspecified. */
#define KEY_PROJ	'S'

/* A record in a key file.  shmid is -1 while a create is under way. */
struct record {
	key_t		key;
	int		shmid;
	unsigned long	size;
	long		pid;
};

/* Longest record, with room to spare for 64-bit keys and pids. */
#define RECORD_MAX 96

/* An attached segment, as the key-file protocol hands it over. */
struct segment {
	void	*addr;
	size_t	 size;
	key_t	 key;
	int	 id;
};

/* name.c */
int		 name_check(const char *, const char **);
char		*keyfile_path(const char *, const char *, size_t *);
void		 name_random(char *, unsigned int);

/* record.c */
int		 record_format(char *, size_t, const struct record *);
int		 record_parse(const char *, size_t, struct record *);
unsigned long	 key_bits(key_t);
key_t		 key_next(key_t, unsigned long);

/* keyfile.c */
int		 keyfile_create(const char *, const char *, size_t, mode_t, int,
		    struct segment *);
int		 keyfile_attach(const char *, int, struct segment *);
int		 keyfile_unlink(const char *, key_t, int);
int		 keyfile_remove(const char *);
int		 keyfile_lookup(const char *, struct record *);
int		 keyfile_remove_stale(const char *);
int		 keyfile_reap(const char *, long, int, int *);

#endif /* SHAREDMEM_INTERNAL_H */
