/*
 * internal.h - what the library's files share and nobody else sees.
 */
#ifndef SHAREDMEM_INTERNAL_H
#define SHAREDMEM_INTERNAL_H

#include <sys/types.h>
#include <stddef.h>

#include "sharedmem.h"

#ifndef ENOTSUP
#define ENOTSUP EINVAL	/* before POSIX.1-2001 */
#endif

/* Key files are DIR/sharedmem.NAME; a create in progress works on a
 * private DIR/sharedmem+PID-XXXXXX.  '+' cannot occur in a name, so the
 * two never meet, and neither clashes with POSIX shm objects in /dev/shm. */
#define KEYFILE_PREFIX	"sharedmem."
#define PRIVATE_PREFIX	"sharedmem+"

/* ftok()'s proj id for the first key of a name; 0 is unspecified. */
#define KEY_PROJ	'S'

/* A record in a key file.  shmid is -1 while a create is under way;
 * nsems is 0 for a segment without semaphores, and semid then -1. */
struct record {
	key_t		key;
	int		shmid;
	unsigned long	size;
	long		pid;
	int		semid;
	unsigned int	nsems;
};

/* The semaphore set of a segment: the lock, then the counting ones. */
#define SEM_LOCK	0
#define SEM_FIRST	1
#define SEMS_MAX	(SEM_FIRST + SHAREDMEM_SEMAPHORES_MAX)

/* Longest record, with room to spare for 64-bit keys and pids. */
#define RECORD_MAX 128

/* An attached segment, as the key-file protocol hands it over. */
struct segment {
	void	*addr;
	size_t	 size;
	key_t	 key;
	int	 id;
	int	 semid;		/* -1: none */
	unsigned int nsems;	/* lock included; 0: none */
};

/* What a create or an attach asks for besides the name. */
struct segopts {
	size_t		size;		/* create */
	mode_t		mode;		/* create */
	int		shmflg;		/* create: shmget() flags besides mode */
	unsigned int	nsems;		/* create: set size, lock included */
	int		atflg;		/* shmat() flags */
	int		prefault;	/* fault every page in */
};

/* An open name: the handle behind the public type. */
struct sharedmem {
	struct segment	 seg;
	const char	*name;	/* within path */
	char		*path;	/* the key file */
};

/*
 * POSIX leaves the declaration of semctl()'s fourth argument to the
 * program, and some systems declare it anyway: hence a name of our own.
 */
union semarg {
	int		 val;
	struct semid_ds	*buf;
	unsigned short	*array;
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
int		 keyfile_create(const char *, const char *, const struct segopts *,
		    struct segment *);
int		 keyfile_attach(const char *, const struct segopts *,
		    struct segment *);
int		 keyfile_unlink(const char *, const struct segment *);
int		 keyfile_remove(const char *);
int		 keyfile_lookup(const char *, struct record *);
int		 keyfile_remove_stale(const char *);
int		 keyfile_reap(const char *, long, int, int *);

/* semset.c */
int		 semset_create(key_t, unsigned int, mode_t);
int		 semset_alive(key_t, int);
void		 semset_remove(key_t, int);

/* pages.c */
int		 pages_prefault(void *, size_t, int);

#endif /* SHAREDMEM_INTERNAL_H */
