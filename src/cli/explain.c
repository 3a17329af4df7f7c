/*
 * explain.c - why a call for a name failed, and how a name stands, in
 * words a person can act on.
 *
 * The key directory is shared by all users, and the library believes a
 * key file only as far as the system bears it out (sharedmem_inspect()).
 * Where a call fails, the tool asks the library how the name stands and
 * says what it found: whose the key file and the segment are, which of
 * them, or the key directory, refused, and why a stale name is stale.
 * Nothing is guessed: what cannot be seen is said to be unseen.
 */
#include <config.h>

#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "cli.h"
#include "keydir.h"

/* Room for a user, a mode, a phrase. */
#define WHO	96
#define MODE	16
#define TEXT	1024

/* Why the stale name of in is stale. */
static void
stale_cause(char *buf, size_t len, const struct sharedmem_info *in)
{
	struct shmid_ds ds;
	char owner[WHO], creator[WHO];

	switch (in->state) {
	case SHAREDMEM_GONE:
		(void)snprintf(buf, len, "its segment was removed");
		return;
	case SHAREDMEM_OTHER_BOOT:
		(void)snprintf(buf, len, "its key file was written before the "
		    "system last started, or in another IPC namespace, so its "
		    "segment is gone");
		return;
	default:
		break;
	}
	switch (in->foreign) {
	case SHAREDMEM_OTHER_NAME:
		(void)snprintf(buf, len, "not its key file: the record in it "
		    "is another name's (a link to that name's key file, or a "
		    "copy)");
		break;
	case SHAREDMEM_OTHER_USER:
		user_label(owner, sizeof(owner), in->owner);
		user_label(creator, sizeof(creator), in->creator);
		(void)snprintf(buf, len, "not its segment: the segment its key "
		    "file names (shmid %d) was made by %s, not by the key "
		    "file's owner %s", in->shmid, creator, owner);
		break;
	case SHAREDMEM_OTHER_SIZE:
		if (shmctl(in->shmid, IPC_STAT, &ds) == 0)
			(void)snprintf(buf, len, "not its segment: the segment "
			    "its key file names (shmid %d) has %lu bytes, not "
			    "the %lu it records", in->shmid,
			    (unsigned long)ds.shm_segsz,
			    (unsigned long)in->size);
		else
			(void)snprintf(buf, len, "not its segment: the segment "
			    "its key file names (shmid %d) is not of the %lu "
			    "bytes it records", in->shmid,
			    (unsigned long)in->size);
		break;
	case SHAREDMEM_NOT_FOREIGN:	/* a state this tool does not know */
		(void)snprintf(buf, len, "its key file does not lead to its "
		    "segment");
		break;
	}
}

/* What a foreign key file leads to, which its removal leaves alone. */
static const char *
foreign_left(const struct sharedmem_info *in)
{
	return in->foreign == SHAREDMEM_OTHER_NAME ? "the other name" :
	    "that segment";
}

/* Who may clear the stale name of in, and with what. */
static void
stale_remedy(char *buf, size_t len, const char *name,
    const struct sharedmem_info *in)
{
	char owner[WHO], left[64] = "";

	if (in->state == SHAREDMEM_FOREIGN)
		(void)snprintf(left, sizeof(left), ", and leaves %s alone",
		    foreign_left(in));
	if (!in->removable) {
		user_short(owner, sizeof(owner), in->owner);
		(void)snprintf(buf, len, "only %s or root can remove its key "
		    "file", owner);
	} else if (in->owner == geteuid())	/* gc clears only one's own */
		(void)snprintf(buf, len, "sharedmem rm %s or sharedmem gc "
		    "clears it%s", name, left);
	else
		(void)snprintf(buf, len, "sharedmem rm %s clears it%s", name,
		    left);
}

void
stale_text(char *buf, size_t len, const char *name,
    const struct sharedmem_info *in)
{
	char cause[TEXT], remedy[TEXT];

	stale_cause(cause, sizeof(cause), in);
	stale_remedy(remedy, sizeof(remedy), name, in);
	(void)snprintf(buf, len, "stale: %s (%s)", cause, remedy);
}

void
cleared_note(const char *name, const struct sharedmem_info *in)
{
	char cause[TEXT];

	if (in->state != SHAREDMEM_FOREIGN)
		return;
	stale_cause(cause, sizeof(cause), in);
	warnmsg("%s: removed its key file, which was stale: %s; %s was left "
	    "alone", name, cause, foreign_left(in));
}

/* What the file st is, for a file at a name that is no key file. */
static const char *
file_kind(const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return "a directory";
	if (S_ISFIFO(st->st_mode))
		return "a FIFO";
	if (S_ISSOCK(st->st_mode))
		return "a socket";
	if (S_ISLNK(st->st_mode))
		return "a symbolic link";
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		return "a device";
	if (S_ISREG(st->st_mode))
		return "a file without a record";
	return "a file of an unknown kind";
}

void
not_keyfile(char *buf, size_t len, const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0)
		(void)snprintf(buf, len, "not a key file: %s", file_kind(&st));
	else
		(void)snprintf(buf, len, "not a key file");
}

/*
 * Whether the key directory refuses the caller what op needs there: to
 * search it, and for a create or a removal to write in it as well.  If
 * it does, buf says so ("the key directory DIR belongs to ..."), and 1
 * is returned.  A directory that cannot be reached at all is said so too.
 */
static int
directory_refuses(char *buf, size_t len, enum cli_op op)
{
	const char *dir = sharedmem_dir(), *what;
	char owner[WHO], mode[MODE];
	struct stat st;
	int writes = op == OP_CREATE || op == OP_REMOVE;

	if (stat(dir, &st) == -1) {
		(void)snprintf(buf, len, "the key directory %s cannot be "
		    "reached: %s", dir, strerror(errno));
		return 1;
	}
	if (faccessat(AT_FDCWD, dir, X_OK, AT_EACCESS) == -1 && errno == EACCES)
		what = "into it";
	else if (writes && faccessat(AT_FDCWD, dir, W_OK, AT_EACCESS) == -1 &&
	    errno == EACCES)
		what = op == OP_CREATE ? "make files in it" :
		    "remove files from it";
	else
		return 0;
	user_label(owner, sizeof(owner), st.st_uid);
	mode_text(mode, sizeof(mode), st.st_mode);
	(void)snprintf(buf, len, "the key directory %s belongs to %s, mode %s, "
	    "and does not let you %s", dir, owner, mode, what);
	return 1;
}

/* Blames the key directory if it refuses what op needs; 1 if it did. */
static int
say_directory(const char *name, enum cli_op op)
{
	char text[TEXT];

	if (!directory_refuses(text, sizeof(text), op))
		return 0;
	warnmsg("%s: permission denied: %s", name, text);
	return 1;
}

void
removed_note(const char *name)
{
	struct sharedmem_info in;
	char text[TEXT];

	if (sharedmem_inspect(name, &in) == -1 || !in.stale)
		return;
	if (directory_refuses(text, sizeof(text), OP_REMOVE))
		warnmsg("%s: its segment was removed, and its key file left "
		    "behind, stale: %s", name, text);
	else
		warnmsg("%s: its segment was removed, and its key file left "
		    "behind, stale", name);
}

/*
 * The key file of name could not be read: the file refused, or the key
 * directory did.  For a create, the file holds the name.
 */
static void
say_unreadable(const char *name, enum cli_op op)
{
	char owner[WHO], brief[WHO], mode[MODE], *path;
	struct stat st;

	if ((path = sharedmem_keyfile(name)) == NULL) {
		warnmsg("%s: %s", name, strerror(errno));
		return;
	}
	if (stat(path, &st) == -1) {
		if (!say_directory(name, op))
			warnmsg("%s: %s: %s", name, path, strerror(errno));
		free(path);
		return;
	}
	user_label(owner, sizeof(owner), st.st_uid);
	user_short(brief, sizeof(brief), st.st_uid);
	mode_text(mode, sizeof(mode), st.st_mode);
	if (op == OP_CREATE)
		warnmsg("%s: held by a key file of %s, mode %s, that you may "
		    "not read, so whether its segment is there cannot be told "
		    "(only %s or root can remove it)", name, owner, mode, brief);
	else if (op == OP_REMOVE && st.st_uid != geteuid())
		warnmsg("%s: permission denied: you may not read its key file "
		    "%s, which belongs to %s, mode %s (only %s or root can "
		    "remove it)", name, path, owner, mode, brief);
	else
		warnmsg("%s: permission denied: you may not read its key file "
		    "%s, which belongs to %s, mode %s", name, path, owner, mode);
	free(path);
}

/* A stale name that the caller may not clear (EPERM of a removal). */
static void
say_stale_kept(const char *name, const struct sharedmem_info *in)
{
	char owner[WHO], cause[TEXT], left[64] = "";

	user_label(owner, sizeof(owner), in->owner);
	stale_cause(cause, sizeof(cause), in);
	if (in->state == SHAREDMEM_FOREIGN)
		(void)snprintf(left, sizeof(left), "; %s was left alone",
		    foreign_left(in));
	warnmsg("%s: permission denied: only %s or root can remove its key "
	    "file, which is stale: %s%s", name, owner, cause, left);
}

/* A segment that keeps the caller from seeing even whose it is. */
static void
say_hidden(const char *name, const struct sharedmem_info *in,
    enum cli_op op)
{
	char owner[WHO], brief[WHO];

	user_label(owner, sizeof(owner), in->owner);
	user_short(brief, sizeof(brief), in->owner);
	if (op == OP_CREATE)
		warnmsg("%s: exists already: its key file belongs to %s, and "
		    "its segment (shmid %d) does not let you see whose it is",
		    name, owner, in->shmid);
	else if (op == OP_REMOVE)
		warnmsg("%s: permission denied: its segment (shmid %d) does not "
		    "let you see whose it is, and its key file belongs to %s "
		    "(only %s or root can remove it)", name, in->shmid, owner,
		    brief);
	else
		warnmsg("%s: permission denied: its segment (shmid %d) does not "
		    "let you read it, nor see whose it is; its key file belongs "
		    "to %s", name, in->shmid, owner);
}

/* The live segment of name refused what op asked of it. */
static void
say_segment(const char *name, const struct sharedmem_info *in,
    enum cli_op op, int err)
{
	struct shmid_ds ds;
	char owner[WHO], creator[WHO], mode[MODE];

	if (shmctl(in->shmid, IPC_STAT, &ds) == -1) {
		warnmsg("%s: permission denied: %s", name, strerror(err));
		return;
	}
	user_label(owner, sizeof(owner), ds.shm_perm.uid);
	if (op == OP_REMOVE) {
		if (ds.shm_perm.uid == ds.shm_perm.cuid)
			warnmsg("%s: permission denied: its segment (shmid %d) "
			    "belongs to %s, and only its owner or root may "
			    "remove it", name, in->shmid, owner);
		else {
			user_label(creator, sizeof(creator), ds.shm_perm.cuid);
			warnmsg("%s: permission denied: its segment (shmid %d) "
			    "belongs to %s and was made by %s, and only they "
			    "or root may remove it", name, in->shmid, owner,
			    creator);
		}
		return;
	}
	mode_text(mode, sizeof(mode), ds.shm_perm.mode & 0777);
	warnmsg("%s: permission denied: its segment (shmid %d) belongs to %s, "
	    "mode %s, which does not let you %s", name, in->shmid, owner, mode,
	    op == OP_READ ? "read it" : "read and write it");
}

/* A create found the name taken (EEXIST), or could not read its file. */
static void
say_taken(const char *name)
{
	struct sharedmem_info in;
	char owner[WHO], brief[WHO], text[TEXT];

	if (sharedmem_inspect(name, &in) == -1) {
		if (errno == EACCES)
			say_unreadable(name, OP_CREATE);
		else if (errno == ENOENT)
			warnmsg("%s: exists already, or did a moment ago: try "
			    "again", name);
		else
			warnmsg("%s: exists already; it cannot be looked at: "
			    "%s", name, strerror(errno));
		return;
	}
	user_label(owner, sizeof(owner), in.owner);
	user_short(brief, sizeof(brief), in.owner);
	if (in.state == SHAREDMEM_HIDDEN)
		say_hidden(name, &in, OP_CREATE);
	else if (in.stale) {
		stale_cause(text, sizeof(text), &in);
		warnmsg("%s: held by a stale key file of %s, which only %s or "
		    "root can remove: %s", name, owner, brief, text);
	} else if (in.removable)
		warnmsg("%s: exists already%s%s (sharedmem rm %s removes it)",
		    name, in.owner == geteuid() ? "" : ", and belongs to ",
		    in.owner == geteuid() ? "" : owner, name);
	else
		warnmsg("%s: exists already, and belongs to %s (only %s or root "
		    "can remove it)", name, owner, brief);
}

/* EACCES, EPERM: say which of the segment, the key file and the key
 * directory refused, and whose it is. */
static void
say_denied(const char *name, enum cli_op op, int err)
{
	struct sharedmem_info in;
	struct stat st;
	char *path;
	int there;

	if (op == OP_CREATE) {
		/* A file at the name is what refused, or the directory. */
		if ((path = sharedmem_keyfile(name)) == NULL) {
			warnmsg("%s: %s", name, strerror(errno));
			return;
		}
		there = lstat(path, &st) == 0;
		free(path);
		if (there)
			say_taken(name);
		else if (!say_directory(name, op))
			warnmsg("%s: permission denied", name);
		return;
	}
	if (sharedmem_inspect(name, &in) == -1) {
		if (errno == EACCES)
			say_unreadable(name, op);
		else if (!say_directory(name, op))
			warnmsg("%s: permission denied", name);
		return;
	}
	if (in.stale) {
		/* Another user's: the library's refusal.  The caller's own:
		 * the key directory's, which the library could not rename
		 * it in. */
		if (!in.removable)
			say_stale_kept(name, &in);
		else if (!say_directory(name, op))
			warnmsg("%s: permission denied: %s", name,
			    strerror(err));
	} else if (in.state == SHAREDMEM_HIDDEN)
		say_hidden(name, &in, op);
	else
		say_segment(name, &in, op, err);
}

/* Says why name is stale, if in finds it so; 1 if it did. */
static int
say_if_stale(const char *name, const struct sharedmem_info *in)
{
	char text[TEXT];

	if (!in->stale)
		return 0;
	stale_text(text, sizeof(text), name, in);
	warnmsg("%s: %s", name, text);
	return 1;
}

/* ENOENT: no key directory, no name, or a name that is stale. */
static void
say_missing(const char *name, enum cli_op op)
{
	struct sharedmem_info in;
	struct stat st;

	if (stat(sharedmem_dir(), &st) == -1) {
		warnmsg("%s: no key directory %s: %s", name, sharedmem_dir(),
		    strerror(errno));
		return;
	}
	if (op == OP_CREATE)
		warnmsg("%s: the key directory %s went away", name,
		    sharedmem_dir());
	else if (sharedmem_inspect(name, &in) == -1 || !say_if_stale(name, &in))
		warnmsg("%s: no such segment", name);
}

/* A stale name where a segment is needed (ESTALE of a lookup). */
static void
say_stale(const char *name, enum cli_op op)
{
	struct sharedmem_info in;

	if (sharedmem_inspect(name, &in) == -1)
		(void)fail_name(name, errno, op);
	else if (!say_if_stale(name, &in))
		warnmsg("%s: stale a moment ago, and not now: try again", name);
}

/* EINVAL: a bad name, a file at the name that is no key file, or, on
 * create, a size the system refuses (the tool checks the mode). */
static void
say_invalid(const char *name, enum cli_op op)
{
	struct sharedmem_info in;
	struct stat st;
	char *path, text[TEXT];

	if ((path = sharedmem_keyfile(name)) == NULL) {
		if (errno == EINVAL)
			warnmsg("%s: not a valid name: names are 1 to %d bytes "
			    "of A-Z a-z 0-9 . _ - (and one leading /), other "
			    "than . and ..", name, SHAREDMEM_NAME_MAX);
		else
			(void)fail_name(name, errno, op);
		return;
	}
	if (lstat(path, &st) == 0 && sharedmem_inspect(name, &in) == -1 &&
	    errno == EINVAL) {
		not_keyfile(text, sizeof(text), path);
		warnmsg("%s: %s (%s)", name, text, path);
	} else if (op == OP_CREATE)
		warnmsg("%s: the system refuses a segment of that size: it is "
		    "over SHMMAX, the largest it allows (Linux: sysctl "
		    "kernel.shmmax or /proc/sys/kernel/shmmax; BSD: sysctl "
		    "kern.ipc.shmmax; macOS: sysctl kern.sysv.shmmax)", name);
	else
		warnmsg("%s: %s", name, strerror(EINVAL));
	free(path);
}

/* ENAMETOOLONG: the name, or else the key directory's path. */
static void
say_too_long(const char *name)
{
	const char *dir = sharedmem_dir(), *p, *start;
	size_t longest = 0;

	if (strlen(name[0] == '/' ? name + 1 : name) > SHAREDMEM_NAME_MAX) {
		warnmsg("%s: name too long: at most %d bytes", name,
		    SHAREDMEM_NAME_MAX);
		return;
	}
	for (start = p = dir;; p++)
		if (*p == '/' || *p == '\0') {
			if ((size_t)(p - start) > longest)
				longest = (size_t)(p - start);
			if (*p == '\0')
				break;
			start = p + 1;
		}
#ifdef NAME_MAX
	if (longest > NAME_MAX) {
		warnmsg("%s: the key directory's path is too long: one of its "
		    "components has %lu bytes, over the system's limit of %d "
		    "(NAME_MAX): %s", name, (unsigned long)longest, NAME_MAX,
		    dir);
		return;
	}
#endif
	warnmsg("%s: the key directory's path is too long: the paths of the "
	    "files in it pass the system's limit (PATH_MAX): %s", name, dir);
}

/* The key directory could not be listed, with errno err. */
void
keydir_unreadable(int err)
{
	char text[TEXT];

	if (keydir_fault(err, text, sizeof(text)))
		warnmsg("%s", text);
	else
		warnmsg("%s: cannot read the key directory: %s",
		    sharedmem_dir(), strerror(err));
}

int
fail_name(const char *name, int err, enum cli_op op)
{
	char text[TEXT];

	if (keydir_fault(err, text, sizeof(text))) {
		warnmsg("%s: %s", name, text);
		return CLI_FAIL;
	}
	switch (err) {
	case ENOENT:
		say_missing(name, op);
		break;
	case ENOTDIR:
		warnmsg("%s: the key directory %s is not a directory", name,
		    sharedmem_dir());
		break;
	case ESTALE:
		say_stale(name, op);
		break;
	case EEXIST:
		say_taken(name);
		break;
	case EACCES:
	case EPERM:
		say_denied(name, op, err);
		break;
	case EINVAL:
		say_invalid(name, op);
		break;
	case ENAMETOOLONG:
		say_too_long(name);
		break;
	case ENOSPC:
		warnmsg("%s: no room: the system's limit on segments (SHMMNI), "
		    "on their total size (SHMALL) or on semaphores (SEMMNI, "
		    "SEMMNS) is reached, or the key directory's file system "
		    "is full (ipcs -l shows the limits, ipcs -m -s what uses "
		    "them up)", name);
		break;
	case ENOSYS:
		warnmsg("%s: System V IPC is not available on this system",
		    name);
		break;
	case EBUSY:
		warnmsg("%s: busy: other processes kept removing and making "
		    "the name while this one tried; try again", name);
		break;
	default:
		warnmsg("%s: %s", name, strerror(err));
		break;
	}
	return CLI_FAIL;
}
