"""pytap.py - what the Python tests share: TAP, checks of exceptions, child
processes, and the names a test made, removed at its end.

A test given --reference runs the checks that hold for Python's own
multiprocessing.shared_memory against it, to show that they test what
Python does; reference is then True, the checks of this module only
(ours()) are skipped, and names carry the pid, as they go to /dev/shm,
which others share.
"""

import os
import signal
import subprocess
import sys
import time
import traceback

reference = sys.argv[1:] == ['--reference']
count = 0
made = []       # the names the test may have left, for the cleanup


def ok(cond, what, *diag):
    global count
    count += 1
    print('%s %d - %s' % ('ok' if cond else 'not ok', count, what))
    if not cond:
        for line in diag:
            print('# %s' % line)
    sys.stdout.flush()
    return cond


def skip(why, what):
    global count
    count += 1
    print('ok %d # SKIP %s: %s' % (count, why, what))
    sys.stdout.flush()


def ours(what, fn):
    """A group of checks of this module only: one skip with --reference."""
    if reference:
        skip('not in multiprocessing.shared_memory', what)
    else:
        fn()


def raises(exc, fn, *args, **kwargs):
    """The exception fn(*args, **kwargs) raised if it is an exc, else
    None."""
    try:
        fn(*args, **kwargs)
    except exc as e:
        return e
    return None


def check_raises(what, exc, fn, *args, code=None, message=None, **kwargs):
    """One test: fn raises exc, with errno code and text message if
    given."""
    try:
        fn(*args, **kwargs)
    except Exception as e:
        got = e
    else:
        got = None
    good = (type(got) is exc and (code is None or got.errno == code) and
            (message is None or str(got) == message))
    ok(good, what, 'got %r' % (got,))
    return got


def fresh(tag):
    """A name for this run, removed at the end if it is left."""
    name = '%s%d' % (tag, os.getpid()) if reference else tag
    made.append(name)
    return name


def wait_child(pid, seconds=10):
    """The exit status of child pid; killed after seconds."""
    deadline = time.monotonic() + seconds
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status) \
                if hasattr(os, 'waitstatus_to_exitcode') else status >> 8
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return -1
        time.sleep(0.01)


def in_child(fn, *args):
    """Runs fn(*args) in a forked child; its return value, 0 to 255, is
    the exit status."""
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            code = fn(*args)
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    return wait_child(pid)


def python(code, *args, env=None):
    """Runs code in a new Python, this one, with args; the completed
    process."""
    return subprocess.run([sys.executable, '-c', code] + list(args),
                          env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=60)


def cleanup(attach):
    """Removes each name that the test made and left, attached with
    attach(name), a SharedMemory."""
    for name in made:
        try:
            shm = attach(name)
        except (OSError, ValueError):
            continue
        try:
            shm.unlink()
        except OSError:
            pass
        try:
            shm.close()
        except (OSError, BufferError):
            pass


def run(plan, tests, attach):
    """Runs tests(), the checks of plan, and then the cleanup with attach;
    the exit status.  Fails the test if it hangs, in a wait that nothing
    ends, with SIGALRM (the checks that use it do so in forked children)."""
    # With --reference, the groups of checks of this module count one
    # skip each: the plan comes at the end.
    if not reference:
        print('1..%d' % plan)
    if not reference and not os.environ.get('SHAREDMEM_DIR'):
        print('Bail out! no key directory: run through tests/run-test.sh')
        return 99
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(300)
    try:
        tests()
    except Exception:
        print('Bail out! the test itself failed:')
        for line in traceback.format_exc().splitlines():
            print('# %s' % line)
        return 99
    finally:
        cleanup(attach)
    if reference:
        print('1..%d' % count)
    elif count != plan:
        print('# ran %d tests, planned %d' % (count, plan))
    return 0
