/*
 * internal.h - what the library's files share and nobody else sees.
 * Every function here carries the prefix smi_ (sharedmem internal), so
 * that none clashes with a program's own in a static link.
 *
 * Every one of them fails as the public ones do: it returns -1, or NULL,
 * with errno set.  One that succeeds returns 0, or what its comment says
 * (a count; 1 for yes and 0 for no).  A caller reads errno at once, into
 * a variable err, before anything that may change it runs, and fails with
 * it again through smi_fail(err) (fail.c).
 */
#ifndef SHAREDMEM_INTERNAL_H
#define SHAREDMEM_INTERNAL_H

#include <sys/types.h>

#include <stddef.h>

struct stat;

#include "compat.h"
#include "sharedmem.h"

/* Key files are DIR/sharedmem.NAME; a create in progress works on a
 * private DIR/sharedmem+PID-XXXXXX.  '+' cannot occur in a name, so the
 * two never meet, and neither clashes with POSIX shm objects in /dev/shm. */
#define KEYFILE_PREFIX	"sharedmem."
#define PRIVATE_PREFIX	"sharedmem+"

/* ftok()'s proj id for the first key of a name; 0 is unspecified. */
#define KEY_PROJ	'S'

/* Rounds against others before a create or a removal gives up: names
 * published again and again, fresh private names all taken. */
#define PUBLISH_TRIES	8

/* The longest identity of a run of the system (boot.c). */
#define BOOT_MAX	80

/* A record in a key file.  shmid is -1 while a create is under way;
 * nsems is 0 for a segment without semaphores, and semid then -1; held is
 * the lock's held semaphore, -1 where the record names none (no set, or a
 * set made before the lock told of its holder's death).  boot and name
 * are empty in a version 1 record, and boot where the system cannot tell
 * one run from the next. */
struct record {
	int		version;
	key_t		key;
	int		shmid;
	unsigned long	size;
	long		pid;
	int		semid;
	unsigned int	nsems;
	int		held;
	char		boot[BOOT_MAX + 1];
	char		name[SHAREDMEM_NAME_MAX + 1];
};

/* A key file as read: its record, and the file's owner and identity. */
struct keyfile {
	struct record	rec;
	uid_t		owner;
	dev_t		dev;
	ino_t		ino;
	nlink_t		nlink;
	off_t		length;		/* 0: nothing written yet */
};

/* How a key file's semaphore set stands. */
enum set_state {
	SET_NONE,	/* it records none */
	SET_OURS,	/* there, and made by the key file's owner */
	SET_HIDDEN,	/* there, but the caller may not see its creator */
	SET_GONE,	/* removed, or another set sits at its key */
	SET_FOREIGN	/* its id is another user's set, or of another size */
};

/* How a key file stands, as smi_judge() finds it. */
struct judgement {
	enum sharedmem_state	state;
	uid_t			creator;	/* the segment's, or
						 * SHAREDMEM_NO_UID */
	enum sharedmem_foreign	foreign;	/* why a FOREIGN one is */
	enum set_state		set;
};

/* The semaphore set of a segment: the lock, then the counting ones, nsems
 * in all, which a record's sems counts; then, in a set made by this
 * version, the lock's held semaphore (sync.c), which its record's held
 * names.  A set grows only at its end, so that the numbers of the others
 * never move. */
#define SEM_LOCK	0
#define SEM_FIRST	1
#define SEMS_MAX	(SEM_FIRST + SHAREDMEM_SEMAPHORES_MAX)
#define SEM_HELD(nsems)	((int)(nsems))

/* Longest record, with room to spare for 64-bit keys and pids. */
#define RECORD_MAX 512

/* An attached segment, as the key-file protocol hands it over. */
struct segment {
	void	*addr;
	size_t	 size;
	key_t	 key;
	int	 id;
	int	 semid;		/* -1: none, or not to be used */
	unsigned int nsems;	/* lock included; 0: none */
	int	 held;		/* the lock's held semaphore; -1: none, a
				 * lock that cannot tell of a death */
	int	 set_errno;	/* why semid is -1 though nsems is not 0:
				 * EIDRM (removed), EACCES (not to be seen) */
	uid_t	 creator;	/* of the segment, who owns its key file */
	int	 fd;		/* the key file, which its creator keeps open
				 * for its unlink; -1 */
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
	int		 dead_holder;	/* holds the lock that a lock call took
					 * with EOWNERDEAD, not yet declared
					 * consistent */
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
enum entry_kind {
	ENTRY_OTHER,	/* anything else */
	ENTRY_KEYFILE,	/* sharedmem.NAME */
	ENTRY_PRIVATE	/* sharedmem+PID-XXXXXX */
};
enum entry_kind	 smi_entry_kind(const char *, const char **, long *);
int		 smi_name_char(int);
size_t		 smi_name_span(const char *, size_t);
int		 smi_name_check(const char *, const char **);
char		*smi_keyfile_path(const char *, const char *, size_t *);
char		*smi_private_path(const char *, const char *, long);
void		 smi_private_draw(char *);
void		 smi_private_template(char *);
void		 smi_name_random(char *, unsigned int);

/* record.c; smi_format_decimal() writes into SMI_DECIMAL_MAX bytes. */
#define SMI_DECIMAL_MAX	(3 * sizeof(unsigned long) + 1)
int		 smi_record_format(char *, size_t, const struct record *);
size_t		 smi_format_decimal(char *, unsigned long);
int		 smi_record_parse(const char *, size_t, struct record *);
unsigned long	 smi_key_bits(key_t);
key_t		 smi_key_next(key_t, unsigned long);

/* boot.c: the identity of this run of the system, in buf (BOOT_MAX + 1
 * bytes) or in memory kept for the process, "" where there is none; and
 * whether a recorded identity is this run's (1), another's (0), or cannot
 * be told (-1). */
int		 smi_boot_char(int);
size_t		 smi_boot_span(const char *, size_t);
const char	*smi_boot_identity(char *);
int		 smi_boot_same(const char *);

/* judge.c; and whether an IPC call's errno says that its id is gone. */
int		 smi_judge(const struct keyfile *, const char *, struct judgement *);
void		 smi_judge_gone(struct judgement *);
int		 smi_judge_stale(enum sharedmem_state);
int		 smi_ipc_gone(int);

/* fail.c: -1 with errno err; a close(2) and a free(3) that keep errno,
 * for clean-ups and for files only read. */
int		 smi_fail(int);
void		 smi_close_quietly(int);
void		 smi_free_quietly(void *);

/* keyio.c: key files as files.  smi_keyfile_load() opens, reads and
 * judges one, and returns it open, which pins its inode. */
int		 smi_keyfile_open(const char *);
int		 smi_keyfile_stat(int, struct keyfile *);
int		 smi_keyfile_read(int, struct keyfile *);
int		 smi_keyfile_load(const char *, const char *, struct keyfile *,
		    struct judgement *);
int		 smi_same_file(const struct stat *, const struct keyfile *);
int		 smi_record_write(int, const struct record *, size_t *);
int		 smi_private_make(char *, mode_t);
int		 smi_rename_exclusive(const char *, const char *);
int		 smi_put_exclusive(const char *, const char *);

/* removal.c */
int		 smi_may_remove(const struct keyfile *);
void		 smi_set_remove_recorded(const struct keyfile *,
		    const struct judgement *);
void		 smi_remove_leftovers(const struct keyfile *,
		    const struct judgement *);
int		 smi_discard(const char *, const char *, const struct keyfile *,
		    const struct judgement *);
/* Whose stale key file smi_clear() removes. */
enum clear_policy {
	CLEAR_REMOVABLE,	/* one the caller may remove (create) */
	CLEAR_OWN,		/* one of the caller's own (gc) */
	CLEAR_SEGMENT		/* one that records the segment given, just
				 * removed (unlink) */
};
struct segment;
int		 smi_clear(const char *, const char *, enum clear_policy,
		    const struct segment *);

/* keyfile.c */
int		 smi_keyfile_create(const char *, const char *,
		    const struct segopts *, struct segment *);
int		 smi_keyfile_attach(const char *, const char *,
		    const struct segopts *, struct segment *);
int		 smi_keyfile_unlink(const char *, const char *,
		    const struct segment *);
int		 smi_keyfile_remove(const char *, const char *, int);
int		 smi_keyfile_inspect(const char *, const char *, struct keyfile *,
		    struct judgement *);

/* semset.c */
int		 smi_semset_create(key_t, unsigned int, mode_t);
int		 smi_semset_mode(int, mode_t);
int		 smi_semset_alive(key_t, int);
int		 smi_semset_taken(key_t);
void		 smi_semset_remove_id(int);
void		 smi_semset_remove(key_t, int);
int		 smi_semset_remove_unused(key_t, uid_t);

/* sync.c: how a set's lock stands, as sharedmem_lock_state() says. */
int		 smi_lock_state(int, int);

/* spin.c: how long a wait polls semaphore num of set semid before it
 * sleeps, in nanoseconds (0: not at all), and how that went: caught
 * after took nanoseconds, or missed. */
long		 smi_spin_budget(int, int);
void		 smi_spin_caught(int, int, long);
void		 smi_spin_missed(int, int);

/* env.c: getenv(), but NULL in a set-user-ID or set-group-ID process. */
const char	*smi_getenv(const char *);

/* pages.c */
int		 smi_pages_prefault(void *, size_t, int);

#endif /* SHAREDMEM_INTERNAL_H */
