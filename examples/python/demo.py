"""What the four Python demos share, as examples/demo.c does for the C ones.

A demo opens one segment, then goes round: it writes its own values into
the segment, prints four values one a line, and pauses.  It stops after
the rounds asked for, or at SIGINT, SIGTERM or SIGHUP, and closes the
segment; the program that created the segment also removes it.  Options,
messages and exit statuses are those of the C demos, so that either
language's process1 goes with either language's process2.
"""

import os
import select
import signal
import struct
import sys

try:
    from sharedmem import SharedMemory
except ImportError as e:
    sys.stderr.write('%s: cannot import sharedmem (the module is python/'
                     'sharedmem.py in the build tree; set PYTHONPATH to '
                     'its directory): %s\n' % (os.path.basename(sys.argv[0]),
                                               e))
    sys.exit(1)

DEFAULT_NAME = 'MyMemory'
SIZE = 1024             # the size process1 gives the segment
USED = 35               # the bytes the demos use: 27 + 8
PAUSE_MAX = 86400       # the longest pause, in seconds
COUNT_MAX = 2 ** (8 * struct.calcsize('L')) - 1     # ULONG_MAX, as in C

# Where the doubles are: 8 bytes each with a byte between, as the
# originals put them.
FLOAT64_AT = (0, 9, 18, 27)


class Demo:
    """One demo program: prog is its name, creator the program that makes
    the segment (None: this one does), about what it does, for -h."""

    def __init__(self, prog, creator, about):
        self.prog = prog
        self.creator = creator
        self.about = about
        self.name = DEFAULT_NAME
        self.rounds = 0         # to go; 0: until a signal
        self.done = 0
        self.pause = 1.0
        self.shm = None
        self.buf = None
        self.status = 0
        self.stop = False
        self.wakeup = None      # read end of the signals' wake-up pipe

    # Options.

    def usage(self, f):
        f.write('usage: %s [-h] [-i SECONDS] [-m NAME] [-n COUNT]\n'
                % self.prog)

    def usage_error(self, message):
        sys.stderr.write('%s: %s\n' % (self.prog, message))
        self.usage(sys.stderr)
        sys.exit(2)

    def help(self):
        self.usage(sys.stdout)
        sys.stdout.write(
            '%s\n\n'
            '  -h          print this help and exit\n'
            '  -i SECONDS  pause between rounds; default 1, fractions '
            'allowed, 0 for none\n'
            '  -m NAME     name of the segment; default %s\n'
            '  -n COUNT    stop after COUNT rounds; default: at SIGINT, '
            'SIGTERM or SIGHUP\n' % (self.about, DEFAULT_NAME))
        try:
            sys.stdout.flush()
        except OSError as e:
            self.quiet_stdout()
            sys.stderr.write('%s: cannot write to standard output: %s\n'
                             % (self.prog, os.strerror(e.errno)))
            sys.exit(1)
        sys.exit(0)

    @staticmethod
    def parse_count(s):
        """COUNT: a whole number above 0, digits only."""
        if not s.isdigit() or not s.isascii():
            return None
        n = int(s)
        return n if 0 < n <= COUNT_MAX else None

    @staticmethod
    def parse_pause(s):
        """SECONDS: digits with an optional fraction; no sign, exponent or
        "inf".  Digits past the nanoseconds are dropped, as in C."""
        whole, dot, fraction = s.partition('.')
        digits = whole + fraction
        if not digits or not (digits.isdigit() and digits.isascii()):
            return None
        sec = int(whole) if whole else 0
        nsec = int((fraction + '000000000')[:9])
        if sec > PAUSE_MAX or (sec == PAUSE_MAX and nsec > 0):
            return None
        return sec + nsec / 1e9

    def parse_options(self, args):
        """getopt(3) with ":hi:m:n:": options first, clustered or not;
        "--" ends them."""
        i = 0
        while i < len(args) and args[i].startswith('-') and args[i] != '-':
            arg = args[i]
            i += 1
            if arg == '--':
                break
            j = 1
            while j < len(arg):
                c = arg[j]
                j += 1
                if c == 'h':
                    self.help()
                if c not in 'imn':
                    self.usage_error('unknown option -%s' % c)
                if j < len(arg):
                    value = arg[j:]
                elif i < len(args):
                    value = args[i]
                    i += 1
                else:
                    self.usage_error('-%s wants a value' % c)
                j = len(arg)
                if c == 'i':
                    pause = self.parse_pause(value)
                    if pause is None:
                        self.usage_error("-i wants seconds from 0 to %d, "
                                         "like 0.5, not '%s'"
                                         % (PAUSE_MAX, value))
                    self.pause = pause
                elif c == 'm':
                    self.name = value
                else:
                    count = self.parse_count(value)
                    if count is None:
                        self.usage_error("-n wants a whole number above 0, "
                                         "not '%s'" % value)
                    self.rounds = count
        if i < len(args):
            self.usage_error("unexpected argument '%s'" % args[i])

    # Messages.

    def fail(self, what, code):
        """One line on stderr, with errno's story; exit status 1."""
        sys.stderr.write('%s: %s: %s: %s\n' % (self.prog, self.name, what,
                                                os.strerror(code)))
        self.status = 1

    def die(self, what, code):
        self.fail(what, code)
        sys.exit(1)

    def say(self, message):
        sys.stderr.write('%s: %s: %s\n' % (self.prog, self.name, message))

    # Signals.

    def on_signal(self, signum, frame):
        self.stop = True

    def catch_signals(self):
        """A stop signal sets the flag, and wakes the pause through a pipe
        (signal.set_wakeup_fd), so that one that comes just before the
        pause is not noticed a whole pause late.  Python ignores SIGPIPE
        already: a reader that goes away makes the next write fail."""
        r, w = os.pipe()
        os.set_blocking(w, False)
        signal.set_wakeup_fd(w, warn_on_full_buffer=False)
        self.wakeup = r
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self.on_signal)

    # The segment.

    def explain_exists(self):
        """Creation failed: the name exists.  Most likely a process1 demo
        is running; if none is, one was killed before it could clean up,
        and removing its segment is all it takes."""
        try:
            other = SharedMemory(self.name)
        except OSError as e:
            self.say('cannot create it: it exists already (is a process1 '
                     'demo running?), and cannot be attached to find its '
                     'shmid for ipcrm: %s' % os.strerror(e.errno))
            sys.exit(1)
        self.say('cannot create it: it exists already (is a process1 demo '
                 'running? if none is, remove the stale segment with: '
                 'ipcrm -m %d)' % other.shmid)
        other.close()
        sys.exit(1)

    def create(self):
        try:
            self.shm = SharedMemory(self.name, create=True, size=SIZE)
        except FileExistsError:
            self.explain_exists()
        except OSError as e:
            # The module's text: the key directory's fault, where that is
            # why, as the C demos say it.
            self.say('cannot create it: %s' % e.strerror)
            sys.exit(1)

    def attach(self):
        try:
            self.shm = SharedMemory(self.name)
        except FileNotFoundError as e:
            if e.strerror != os.strerror(e.errno):
                # The module's text: no key directory.
                self.say('cannot attach it: %s' % e.strerror)
                sys.exit(1)
            if self.name == DEFAULT_NAME:
                start = self.creator
            else:
                start = '%s -m %s' % (self.creator, self.name)
            self.say('cannot attach it: it does not exist; start %s first'
                     % start)
            sys.exit(1)
        except OSError as e:
            self.die('cannot attach it', e.errno)

    def start(self, args):
        """Reads the options and opens the segment, or exits with a
        message."""
        self.parse_options(args)
        # Before the segment exists, so that no signal can stop the demo
        # between its creation and the handlers.
        self.catch_signals()
        if self.creator is None:
            self.create()
        else:
            self.attach()
        self.buf = self.shm.buf
        if self.shm.size < USED:
            self.say('it has %d bytes, fewer than the %d that the demos use'
                     % (self.shm.size, USED))
            # Not ours to remove; about to exit anyway.
            self.buf = None
            self.shm.close()
            sys.exit(1)

    # The rounds.

    def pause_round(self):
        if not self.stop:
            select.select([self.wakeup], [], [], self.pause)

    def next(self):
        """Whether to go round once more; pauses between rounds."""
        if self.status != 0 or self.stop:
            return False
        if self.rounds != 0 and self.done == self.rounds:
            return False
        if self.done > 0 and self.pause > 0:
            try:
                self.pause_round()
            except OSError as e:
                self.fail('cannot pause', e.errno)
                return False
        if self.stop:
            return False
        self.done += 1
        return True

    def quiet_stdout(self):
        """After a failed write: nothing more goes to standard output, not
        even the flush at exit."""
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except OSError:
            pass

    def print_values(self, values):
        """The four values, one a line, in one write."""
        try:
            sys.stdout.write(''.join('%s\n' % v for v in values))
            sys.stdout.flush()
        except OSError as e:
            self.quiet_stdout()
            self.fail('cannot write to standard output', e.errno)

    def print_uint8(self):
        self.print_values(self.buf[0:4].tolist())

    def put_float64(self, at, x):
        struct.pack_into('d', self.buf, at, x)

    def print_float64(self):
        # repr(), Python's shortest form that reads back the same double.
        self.print_values([repr(struct.unpack_from('d', self.buf, at)[0])
                           for at in FLOAT64_AT])

    def finish(self):
        """Closes, and for the creator removes, the segment; exits with
        the status."""
        self.buf = None
        if self.creator is None:
            try:
                self.shm.unlink()
            except FileNotFoundError:
                self.say('cannot remove it: somebody else removed it '
                         'already')
                self.status = 1
            except OSError as e:
                self.fail('cannot remove it', e.errno)
        try:
            self.shm.close()
        except OSError as e:
            self.fail('cannot detach it', e.errno)
        sys.exit(self.status)


def run(prog, creator, about, one_round):
    """Runs the demo prog: one_round(demo) writes its values and prints."""
    d = Demo(prog, creator, about)
    d.start(sys.argv[1:])
    while d.next():
        one_round(d)
    d.finish()

