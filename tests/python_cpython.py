"""python_cpython.py - CPython's own tests of multiprocessing.shared_memory
run against this module: the class _TestSharedMemory, read at run time
from the test package installed with this Python, with the names it takes
from multiprocessing.shared_memory, and SharedMemoryManager, pointing at
sharedmem's, in this process and in the Python processes that its tests
start.  Prints TAP, a line a test method of the class.

The deliberate differences (DIFFERENCES) are TODO in TAP, expected
failures to make check, as long as they fail the way listed there; a test
that fails another way, or passes, fails.  A test that leaves a segment
behind fails, unless leaving it is its deliberate difference; either way
the segment is removed.

Run by tests/python_cpython.sh, once for each Python (tests/python-env.sh),
with PYTHONPATH set to the module in the build tree.
"""

import ctypes
import inspect
import os
import re
import signal
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def point_at_sharedmem():
    """Makes multiprocessing.shared_memory, however it is imported, the
    module sharedmem, and multiprocessing.managers.SharedMemoryManager
    sharedmem's."""
    import multiprocessing
    import multiprocessing.managers
    import sharedmem
    sys.modules['multiprocessing.shared_memory'] = sharedmem
    multiprocessing.shared_memory = sharedmem
    # A sharedmem without one fails the tests that use it, rather than
    # let them pass on Python's.
    multiprocessing.managers.SharedMemoryManager = getattr(
        sharedmem, 'SharedMemoryManager', None)


class PointingPopen(subprocess.Popen):
    """Popen that starts `python -c CODE` with point_at_sharedmem() done
    before CODE.  The tests start Python with -E or -I, which leave out
    PYTHONPATH and PYTHONDONTWRITEBYTECODE: they go in as code."""

    def __init__(self, args, *more, **kwargs):
        if (isinstance(args, (list, tuple)) and args and
                args[0] == sys.executable and '-c' in args[:-1]):
            import sharedmem
            args = list(args)
            at = args.index('-c') + 1
            path = [os.path.dirname(os.path.abspath(sharedmem.__file__)),
                    HERE]
            args[at] = ('import sys; sys.dont_write_bytecode = True\n'
                        'sys.path[:0] = %r\n'
                        'import python_cpython\n'
                        'python_cpython.point_at_sharedmem()\n%s'
                        % (path, args[at]))
        super().__init__(args, *more, **kwargs)


class FastClock:
    """The time module for a test that waits for a segment to go, which
    here stays: its sleeps end at once and move its clock on."""

    def __init__(self):
        self.ahead = 0.0

    def monotonic(self):
        return time.monotonic() + self.ahead

    def sleep(self, seconds):
        self.ahead += seconds
        time.sleep(0.001)

    def __getattr__(self, name):
        return getattr(time, name)


class Difference:
    """Where this module differs from CPython's on purpose: why, which
    tests show it (by name, or those whose code mentions uses), and how
    they fail here: the exception and a pattern of its text."""

    def __init__(self, reason, exception, pattern, tests=(), uses=None,
                 leaves=False, waits=False):
        self.reason = reason
        self.exception = exception
        self.pattern = pattern
        self.tests = tests
        self.uses = uses
        self.leaves = leaves    # the test leaves a segment behind
        self.waits = waits      # the test waits for it to go: FastClock

    def applies(self, method):
        if method.__name__ in self.tests:
            return True
        return self.uses is not None and self.uses in inspect.getsource(
            method)

    def explains(self, err):
        return (err is not None and isinstance(err[1], self.exception) and
                re.search(self.pattern, str(err[1])) is not None)


# The first ends by telling Python's resource tracker to forget a segment
# that it never tracked here, which the tracker reports on stderr.
DIFFERENCES = [
    Difference("a process's exit removes no segment, as in C: only unlink() "
               "and the manager's shutdown do", AssertionError, r'leaked',
               tests=('test_shared_memory_cleaned_after_process_termination',
                      'test_shared_memory_tracking'),
               leaves=True, waits=True),
    Difference('no private _make_filename hook: the library makes the fresh '
               'names', AttributeError, r'_make_filename',
               uses='_make_filename'),
]


class Segments:
    """The names in the key directory, through the library."""

    def __init__(self, path):
        lib = ctypes.CDLL(path, use_errno=True)
        self._names = lib.sharedmem_names
        self._names.restype = ctypes.POINTER(ctypes.c_char_p)
        self._free = lib.sharedmem_free_names
        self._free.argtypes = [ctypes.POINTER(ctypes.c_char_p)]
        self._remove = lib.sharedmem_remove
        self._remove.argtypes = [ctypes.c_char_p]

    def names(self):
        names = self._names()
        if not names:
            raise OSError(ctypes.get_errno(), 'cannot list the key directory')
        found = set()
        i = 0
        while names[i] is not None:
            found.add(names[i].decode())
            i += 1
        self._free(names)
        return found

    def remove(self, name):
        self._remove(name.encode())


class TAPResult(unittest.TestResult):
    """Prints a TAP line for each test method once it has ended.  Gives
    the test modules FastClock for the time of the tests that wait."""

    def __init__(self, segments, timed):
        super().__init__()
        self.segments = segments
        self.timed = [m for m in timed if hasattr(m, 'time')]
        self.count = 0

    def startTest(self, test):
        super().startTest(test)
        self.problems = []      # (exc_info or None, text)
        self.skipped = None
        self.before = self.segments.names()
        method = getattr(test, test._testMethodName)
        self.difference = None
        for d in DIFFERENCES:
            if d.applies(method):
                self.difference = d
        if self.difference is not None and self.difference.waits:
            clock = FastClock()
            self.saved = [(m, m.time) for m in self.timed]
            for m in self.timed:
                m.time = clock

    def addError(self, test, err):
        super().addError(test, err)
        if isinstance(test, unittest.TestCase):
            self.problems.append((err, self._exc_info_to_string(err, test)))
            return
        # A fixture of the class or the module: no test method.
        self.count += 1
        self.line('not ok', str(test))
        self.diagnose(self._exc_info_to_string(err, test))

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.problems.append((err, self._exc_info_to_string(err, test)))

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self.problems.append((err, self._exc_info_to_string(err, test)))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.skipped = reason

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self.problems.append((None, 'passed, where CPython expects it to '
                              'fail'))

    def stopTest(self, test):
        super().stopTest(test)
        difference = self.difference
        if difference is not None and difference.waits:
            for m, saved in self.saved:
                m.time = saved
        left = sorted(self.segments.names() - self.before)
        for name in left:
            self.segments.remove(name)
        if left and not (difference is not None and difference.leaves):
            self.problems.append((None, 'left segments behind (removed '
                                  'now): ' + ' '.join(left)))
        self.count += 1
        name = test._testMethodName
        if self.skipped is not None:
            self.line('ok', '%s # SKIP %s' % (name, self.skipped))
        elif difference is None:
            self.line('not ok' if self.problems else 'ok', name)
        elif not self.problems:
            self.line('ok', '%s # TODO passes, which its deliberate '
                      'difference says it cannot: %s'
                      % (name, difference.reason))
        elif all(difference.explains(err) for err, _ in self.problems):
            self.line('not ok', '%s # TODO deliberate difference: %s'
                      % (name, difference.reason))
            return
        else:
            self.line('not ok', '%s, not as its deliberate difference '
                      'says: %s' % (name, difference.reason))
        for _, text in self.problems:
            self.diagnose(text)

    def line(self, status, text):
        print('%s %d - %s' % (status, self.count, text))
        sys.stdout.flush()

    def diagnose(self, text):
        for line in text.rstrip('\n').split('\n'):
            print('# ' + line)
        sys.stdout.flush()


def load():
    """CPython's test module and test.support; unittest.SkipTest saying
    why where this Python has none."""
    try:
        from test import support
        import test._test_multiprocessing as tests
    except ImportError as e:
        raise unittest.SkipTest('this Python has no test package with '
                                '_test_multiprocessing (%s)' % e)
    return tests, support


def main():
    if not os.environ.get('SHAREDMEM_DIR'):
        print('Bail out! no key directory: run through tests/run-test.sh')
        return 99
    # Started in the background by a shell, Python would ignore SIGINT,
    # which a test sends itself to see KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    point_at_sharedmem()
    try:
        tests, support = load()
    except unittest.SkipTest as e:
        print('1..0 # SKIP %s' % e)
        return 0
    subprocess.Popen = PointingPopen
    # The test classes as CPython's own test_multiprocessing_fork makes
    # them, of which only this one runs.
    space = {'__name__': __name__}
    tests.install_tests_in_module_dict(space, 'fork')
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(
        space['WithProcessesTestSharedMemory'])
    import sharedmem
    result = TAPResult(Segments(sharedmem.library_path), [tests, support])
    try:
        space['setUpModule']()
    except unittest.SkipTest as e:
        print('1..0 # SKIP %s' % e)
        return 0
    try:
        suite.run(result)
    finally:
        space['tearDownModule']()
    print('1..%d' % result.count)
    return 0


if __name__ == '__main__':
    sys.exit(main())
