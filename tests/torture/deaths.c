/*
 * deaths.c - the lock's word of its holders' deaths, under fire: holders
 * SIGKILLed at random points, with one to four waiters, asleep and
 * polling.  Exactly one EOWNERDEAD follows each death that came while
 * holding, to the next to take the lock, and none follows any other death.
 *
 * Each round makes one of two kinds of scene on one segment with a lock:
 *
 *  - Running: a victim and one to four others take the lock, add 1 to a
 *    counter under it (read and written apart), and give it back, again
 *    and again; the victim is killed at a random moment, which may fall
 *    anywhere, inside lock() or unlock() too.
 *  - Parked: the victim takes the lock and stays; one to four others wait
 *    for it, each asleep (SHAREDMEM_SPIN=0) or polling (a poll of up to a
 *    second); some of those are killed while they wait; then the victim
 *    is killed, exits holding the lock, gives it back and exits, or gives
 *    it back and is killed; the others take the lock once each.
 *
 * Each process notes its steps in counters of its own in the segment,
 * before lock(), once it has noted its take, before unlock() and after
 * it; the takes themselves are noted under the lock, with the words of
 * death each was told.  From the victim's counters at its death, the
 * parent knows whether it held the lock (it had noted its take and not
 * begun to give it back), did not hold it (between its rounds), or was
 * inside lock() or unlock(), where either may be: then at most one word
 * may follow.  A word must go to the take right after the victim's last,
 * and name the victim as the last taker; a round ends with the lock free.
 *
 * Duration: $SHAREDMEM_TORTURE_SECONDS, or 3 seconds when it is unset or
 * empty.
 */
#include <config.h>

#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sharedmem.h"
#include "race.h"

#define NAME		"deaths"
#define DEFAULT_SECONDS	3
#define OTHERS_MAX	4
#define WORDS_MAX	8	/* words of death noted in a round */
#define ALARM		60	/* seconds before a hung process dies */
#define POLLING		"1000000"

#if defined(__GNUC__) || defined(__clang__)
#define BARRIER()	__sync_synchronize()
#else
#define BARRIER()	do { } while (0)
#endif

/* A process's steps, each counted by itself. */
struct steps {
	volatile long	entered;	/* before lock() */
	volatile long	noted;		/* its take noted, under the lock */
	volatile long	releasing;	/* before unlock() */
	volatile long	released;	/* after unlock() */
	volatile long	last_take;	/* the number of its last take */
};

/* A word of death, as the one told noted it. */
struct word {
	long	take;		/* the number of the take that was told */
	long	after;		/* the pid of the last taker before it */
};

/* The segment. */
struct board {
	volatile long	stop;
	volatile long	parked;		/* the victim holds, and waits */
	volatile long	go;		/* what the parked victim does now */
	/* Under the lock: */
	volatile long	takes;
	volatile long	counter;
	volatile long	last_pid;
	volatile long	nwords;
	struct word	words[WORDS_MAX];
	/* The victim's, then the others': */
	struct steps	steps[1 + OTHERS_MAX];
};

/* What the parked victim is told to do. */
enum go { WAIT, KILLED, EXIT_HOLDING, UNLOCK_EXIT, UNLOCK_KILLED };

/* How a victim stood when it died. */
enum stood { HOLDING, NOT_HOLDING, IN_LOCK, IN_UNLOCK, STOODS };

static const char *const stood_words[] = {
	"while holding the lock", "not holding it",
	"inside lock()", "inside unlock()"
};

static struct board *board;
/* The parent's handle, and a child's own: each at file scope, so that a
 * child that exits with both leaks neither. */
static sharedmem *shm, *own;
static long deaths[STOODS], words_after[STOODS], waiters_killed;
static long bad[STOODS], bad_waiters, bad_free, bad_count, bad_procs;
static long rounds_running, rounds_parked;

static void
die(int code)
{
	_exit(code);
}

/* Takes the lock as process i, notes the take and any word of death,
 * declares the data consistent; then adds 1 to the counter. */
static void
take(sharedmem *h, int i)
{
	struct steps *s = &board->steps[i];
	long n, seen;
	int told = 0;

	s->entered++;
	BARRIER();
	if (sharedmem_lock(h) == -1) {
		if (errno != EOWNERDEAD)
			die(10);
		told = 1;
	}
	n = board->takes + 1;
	board->takes = n;
	if (told) {
		if (board->nwords < WORDS_MAX) {
			board->words[board->nwords].take = n;
			board->words[board->nwords].after = board->last_pid;
		}
		board->nwords++;
	}
	board->last_pid = (long)getpid();
	s->last_take = n;
	BARRIER();
	s->noted++;
	if (told && sharedmem_consistent(h) == -1)
		die(11);
	seen = board->counter;
	if (race_rnd() % 8 == 0)
		race_nap_us((long)(race_rnd() % 20));
	board->counter = seen + 1;
}

static void
give(sharedmem *h, int i)
{
	struct steps *s = &board->steps[i];

	s->releasing++;
	BARRIER();
	if (sharedmem_unlock(h) == -1)
		die(12);
	s->released++;
}

/* A process of the round, waiting as spin says. */
static pid_t
spawn(const char *spin)
{
	pid_t pid = race_spawn(ALARM);

	if (pid == 0 && (setenv("SHAREDMEM_SPIN", spin, 1) == -1 ||
	    (own = sharedmem_attach(NAME)) == NULL))
		die(3);
	return pid;
}

static const char *
some_spin(void)
{
	return race_rnd() % 2 ? "0" : POLLING;
}

static enum stood
stood(const struct steps *s)
{
	if (s->entered == s->released)
		return NOT_HOLDING;
	if (s->noted < s->entered)
		return IN_LOCK;
	if (s->releasing < s->noted)
		return HOLDING;
	return IN_UNLOCK;
}

/* Judges the words of a round whose victim (pid) died as it stood:
 * whether they are right. */
static int
judge(enum stood how, pid_t victim)
{
	const struct steps *v = &board->steps[0];
	long n = board->nwords;
	int right;

	deaths[how]++;
	words_after[how] += n;
	switch (how) {
	case HOLDING:
		right = n == 1;
		break;
	case NOT_HOLDING:
		right = n == 0;
		break;
	default:
		right = n <= 1;
	}
	/* A word is for the take right after the victim's last. */
	if (right && n == 1 && how != IN_LOCK)
		right = board->words[0].take == v->last_take + 1 &&
		    board->words[0].after == (long)victim;
	if (!right && bad[how]++ < RACE_SHOWN)
		diag("a victim killed %s: %ld words (take %ld after pid %ld; "
		    "its last take %ld)", stood_words[how], n,
		    n > 0 ? board->words[0].take : 0,
		    n > 0 ? board->words[0].after : 0, v->last_take);
	return right;
}

/*
 * The end of a round whose victim died as it stood: the lock is free, and
 * the counter counts every take, but for the victim's last where it died
 * after its take, before it wrote the counter.
 */
static void
settle(enum stood how)
{
	int state = sharedmem_lock_state(NAME);
	long short_by = board->takes - board->counter;

	if (state != SHAREDMEM_LOCK_FREE && bad_free++ < RACE_SHOWN)
		diag("a round ends with the lock in state %d (%s)", state,
		    state == -1 ? strerror(errno) : "not free");
	if ((short_by < 0 || short_by > (how == HOLDING || how == IN_LOCK)) &&
	    bad_count++ < RACE_SHOWN)
		diag("the counter is %ld after %ld takes", board->counter,
		    board->takes);
}

static void
reap(pid_t pid, int killed)
{
	int st = wait_child(pid);

	if (st != 0 && !(killed && st == 128 + SIGKILL) &&
	    bad_procs++ < RACE_SHOWN)
		diag("a process (pid %ld) ended with status %d", (long)pid, st);
}

static void
clear_board(void)
{
	memset(board, 0, sizeof(*board));
	BARRIER();
}

static void
running(void)
{
	pid_t victim = -1, others[OTHERS_MAX];
	int i, n = 1 + (int)(race_rnd() % OTHERS_MAX);
	enum stood how;
	double limit;
	long until;

	rounds_running++;
	clear_board();
	for (i = 0; i <= n; i++) {
		pid_t pid = spawn(some_spin());

		if (pid == 0) {
			while (!board->stop) {
				take(own, i);
				give(own, i);
			}
			die(0);
		}
		if (i == 0)
			victim = pid;
		else
			others[i - 1] = pid;
	}
	race_nap_us((long)(race_rnd() % 3000));
	(void)kill(victim, SIGKILL);
	reap(victim, 1);
	/* The others take the lock on, a few times each, however busy the
	 * machine. */
	until = board->takes + 4 * n;
	limit = clock_seconds() + ALARM / 2;
	while (board->takes < until && clock_seconds() < limit)
		race_nap_us(200);
	board->stop = 1;
	for (i = 0; i < n; i++)
		reap(others[i], 0);
	how = stood(&board->steps[0]);
	(void)judge(how, victim);
	settle(how);
}

static void
parked(void)
{
	pid_t victim, others[OTHERS_MAX];
	int i, n = 1 + (int)(race_rnd() % OTHERS_MAX), alive[OTHERS_MAX];
	int killed = 0, right;
	enum go go = (enum go)(1 + race_rnd() % 4);
	enum stood how;

	rounds_parked++;
	clear_board();
	if ((victim = spawn(some_spin())) == 0) {
		take(own, 0);
		board->parked = 1;
		while (board->go == WAIT || board->go == KILLED)
			race_nap_us(100);
		if (board->go == EXIT_HOLDING)
			exit(0);
		give(own, 0);
		if (board->go == UNLOCK_KILLED)
			for (;;)
				pause();
		die(0);
	}
	while (!board->parked)
		race_nap_us(100);
	for (i = 0; i < n; i++) {
		if ((others[i] = spawn(some_spin())) == 0) {
			take(own, 1 + i);
			give(own, 1 + i);
			die(0);
		}
		alive[i] = 1;
	}
	for (i = 0; i < n; i++)
		while (board->steps[1 + i].entered == 0)
			race_nap_us(100);
	race_nap_us((long)(race_rnd() % 2000));
	/* Killed while they wait: no holders, whatever their poll. */
	for (i = 0; i < n - 1; i++)
		if (race_rnd() % 3 == 0) {
			(void)kill(others[i], SIGKILL);
			reap(others[i], 1);
			alive[i] = 0;
			killed++;
		}
	board->go = go;
	if (go == KILLED) {
		(void)kill(victim, SIGKILL);
		reap(victim, 1);
	} else if (go == UNLOCK_KILLED) {
		while (board->steps[0].released == 0)
			race_nap_us(100);
		(void)kill(victim, SIGKILL);
		reap(victim, 1);
	} else
		reap(victim, 0);
	for (i = 0; i < n; i++)
		if (alive[i])
			reap(others[i], 0);
	/* The waiters killed took nothing: every word is the victim's. */
	how = go == KILLED || go == EXIT_HOLDING ? HOLDING : NOT_HOLDING;
	right = judge(how, victim);
	waiters_killed += killed;
	if (!right && killed > 0)
		bad_waiters++;
	settle(how);
}

int
main(void)
{
	double seconds = race_torture_seconds(DEFAULT_SECONDS);
	double end = clock_seconds() + seconds;
	int i;

	plan(8);
	if ((shm = sharedmem_open(NAME, SHAREDMEM_CREATE | SHAREDMEM_LOCK,
	    sizeof(*board), 0600)) == NULL)
		bail_out("create %s: %s", NAME, strerror(errno));
	board = sharedmem_buf(shm);
	race_seed();
	/* This process never waits for the lock: its children read their
	 * own SHAREDMEM_SPIN at their first wait. */
	while (clock_seconds() < end) {
		if (race_rnd() % 2)
			running();
		else
			parked();
	}
	diag("%ld rounds running, %ld parked, in %.0f s", rounds_running,
	    rounds_parked, seconds);
	for (i = 0; i < STOODS; i++)
		diag("victims killed %s: %ld, followed by %ld words",
		    stood_words[i], deaths[i], words_after[i]);
	ok(deaths[HOLDING] > 0 && bad[HOLDING] == 0, "each of %ld holders "
	    "killed while holding the lock: exactly one word, to the next "
	    "to take it", deaths[HOLDING]);
	ok(deaths[NOT_HOLDING] > 0 && bad[NOT_HOLDING] == 0, "each of %ld "
	    "holders killed before or after holding it: no word",
	    deaths[NOT_HOLDING]);
	ok(bad[IN_LOCK] == 0 && bad[IN_UNLOCK] == 0, "each of %ld holders "
	    "killed inside lock() or unlock(): at most one word, to the next",
	    deaths[IN_LOCK] + deaths[IN_UNLOCK]);
	ok(bad_waiters == 0, "%ld waiters killed while they waited: no word "
	    "of them", waiters_killed);
	ok(bad_free == 0, "every round ends with the lock free");
	ok(bad_count == 0, "the lock excluded: the counter counts every take");
	ok(bad_procs == 0, "no process failed or hung");
	ok(sharedmem_unlink(shm) == 0 && sharedmem_close(shm) == 0,
	    "the segment goes");
	return exit_status();
}
