"""python_docs.py - the examples of CPython's documentation of
multiprocessing.shared_memory, run against this module with their imports
changed and nothing else.  Prints TAP, a line an example.

The examples are read at run time from the documentation's source as this
Python's distribution installs it (Debian: python3.X-doc), never copied
here; the test is skipped where it is not installed.  They run as Sphinx
runs a document's doctests: one Python session for them all, whose output
must match the documentation's with Sphinx's default flags (ELLIPSIS,
IGNORE_EXCEPTION_DETAIL), and with warnings as errors (-W error), so that
a warning, even at exit, fails.  The NumPy example, which is told as two
Python shells, runs in two processes, each part in the shell its comment
names; it is skipped where NumPy is missing.

Beside the imports, two things are as a person running the examples
makes them:
- The names the documentation shows (psm_21467_46075...) are those of the
  run that wrote it: each name shown in an output stands, from there on,
  for the one this run got, as when a person types into the second shell
  the name the first one printed.
- One example leaves do_work to its reader ("Divide the work among two
  processes, storing partial results in sl"): DO_WORK below is it, and
  after that example the session checks its total.  Process, which that
  example uses without importing, is imported as multiprocessing's.

One difference is deliberate, and its example is an expected failure
(TODO in TAP) as long as it fails that way alone: at the end of the NumPy
example the first shell's `_` still holds the ndarray b, displayed just
before, and close() with a live view raises BufferError here and keeps
the segment attached, where CPython's close() unmaps the memory under the
view, which then crashes the process if touched.

Run by tests/python_docs.sh, once for each Python (tests/python-env.sh),
with PYTHONPATH set to the module in the build tree.
"""

import doctest
import json
import os
import re
import subprocess
import sys
import tempfile

SOURCE = ('/usr/share/doc/python%d.%d/html/_sources/library/'
          'multiprocessing.shared_memory.rst.txt' % sys.version_info[:2])

# The imports, as README says to change them: each line of the left
# becomes the right; no other line changes.
IMPORTS = [
    (r'from multiprocessing import shared_memory',
     'import sharedmem as shared_memory'),
    (r'from multiprocessing\.shared_memory import (.*)',
     r'from sharedmem import \1'),
    (r'from multiprocessing\.managers import SharedMemoryManager',
     'from sharedmem import SharedMemoryManager'),
]
# Sphinx's doctest extension's default flags.
FLAGS = (doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL |
         doctest.DONT_ACCEPT_TRUE_FOR_1)
# The names that the documentation shows, and those this module makes.
DOC_NAME = re.compile(r'psm_[0-9A-Za-z_]+')
OUR_NAME = re.compile(r'psm_[0-9a-f]+')

# The deliberate difference: a statement, and what it raises here.
DIFFERENCE = ('shm.close()', 'BufferError')
DIFFERENCE_WHY = ('close() with a live view (the session\'s _ holds the '
                  'ndarray b) raises BufferError and keeps the segment '
                  'attached, where CPython\'s unmaps it under the view')

# What the documentation leaves to its reader, defined in the session.
DO_WORK = '''
from multiprocessing import Process

def do_work(sl, start, stop):
    for i in range(start, stop):
        sl[i] = sl[i] * sl[i]
'''
# The total that do_work gives in the example of 2000 items.
DO_WORK_TOTAL = sum(i * i for i in range(2000))


def change_imports(source):
    """source with its imports of multiprocessing's shared memory changed
    to sharedmem's, and how many lines were changed."""
    lines = source.split('\n')
    changed = 0
    for i, line in enumerate(lines):
        for pattern, replacement in IMPORTS:
            new = re.sub('^(\\s*)' + pattern + '(\\s*)$',
                         '\\1' + replacement + '\\2', line)
            if new != line:
                lines[i] = new
                changed += 1
    return '\n'.join(lines), changed


def blocks(text):
    """The examples of text, in blocks: a block is a run of examples with
    no prose between them.  [(line number, [doctest.Example])]."""
    found = []
    current = None
    for part in doctest.DocTestParser().parse(text):
        if isinstance(part, doctest.Example):
            if current is None:
                current = (part.lineno + 1, [])
                found.append(current)
            current[1].append(part)
        elif part.strip():
            current = None
    return found


def shell_of(example, shell):
    """The shell, 1 or 2, that a comment of the NumPy example sends the
    examples after it to; shell where it sends none elsewhere."""
    source = example.source.strip().lower()
    if not source.startswith('#') or 'shell' not in source:
        return shell
    if 'second' in source or 'new python shell' in source:
        return 2
    if 'first' in source:
        return 1
    return shell


class Shell:
    """A Python process, with warnings as errors, that runs examples one
    at a time as an interactive session does and says what they printed
    and what they raised."""

    def __init__(self):
        self.errors = tempfile.TemporaryFile(mode='w+')
        self.process = subprocess.Popen(
            [sys.executable, '-W', 'error', os.path.abspath(__file__),
             '--shell'], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.errors, universal_newlines=True)

    def run(self, source):
        self.process.stdin.write(json.dumps(source) + '\n')
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError('the shell died')
        return json.loads(line)

    def end(self):
        """Its exit status and what it wrote on stderr, from start to
        exit."""
        self.process.stdin.close()
        status = self.process.wait(60)
        self.errors.seek(0)
        text = self.errors.read()
        self.errors.close()
        return status, text


def serve():
    """The shell's side: examples in, as JSON lines on stdin; what each
    printed and the last line of what it raised, out."""
    import io
    import traceback
    out = sys.stdout
    space = sys.modules['__main__'].__dict__
    exec(DO_WORK, space)
    for line in sys.stdin:
        source = json.loads(line)
        sys.stdout = printed = io.StringIO()
        raised = None
        try:
            exec(compile(source, '<example>', 'single'), space)
        except BaseException:
            kind, value = sys.exc_info()[:2]
            raised = traceback.format_exception_only(kind, value)[-1]
        finally:
            sys.stdout = out
        out.write(json.dumps({'out': printed.getvalue(),
                              'raised': raised}) + '\n')
        out.flush()


class Session:
    """The two shells, and the names that the documentation's stand for."""

    def __init__(self):
        self.shells = {1: Shell(), 2: Shell()}
        self.names = {}
        self.checker = doctest.OutputChecker()

    def ours(self, text):
        return DOC_NAME.sub(lambda m: self.names.get(m.group(), m.group()),
                            text)

    def run(self, shell, example):
        """Runs example in shell; None if it did as the documentation
        says, else what differs."""
        got = self.shells[shell].run(self.ours(example.source))
        if example.exc_msg is not None:
            if got['raised'] is None:
                return 'raised nothing, where it shows %s' % example.exc_msg
            want = example.exc_msg.split(':')[0].strip()
            raised = got['raised'].split(':')[0].strip()
            if want.rsplit('.', 1)[-1] != raised.rsplit('.', 1)[-1]:
                return 'raised %s, where it shows %s' % (got['raised'],
                                                        example.exc_msg)
            return None
        if got['raised'] is not None:
            return 'raised ' + got['raised']
        # A name shown for the first time is the one this run got.
        theirs = [n for n in DOC_NAME.findall(example.want)
                  if n not in self.names]
        if theirs:
            mine = OUR_NAME.findall(got['out'])
            if len(mine) == len(DOC_NAME.findall(example.want)):
                for doc, new in zip(DOC_NAME.findall(example.want), mine):
                    self.names.setdefault(doc, new)
        want = self.ours(example.want)
        if not self.checker.check_output(want, got['out'], FLAGS):
            return 'printed %r, where it shows %r' % (got['out'], want)
        return None

    def end(self):
        return [(n,) + shell.end() for n, shell in sorted(self.shells.items())]


def main():
    if not os.environ.get('SHAREDMEM_DIR'):
        print('Bail out! no key directory: run through tests/run-test.sh')
        return 99
    try:
        with open(SOURCE, encoding='utf-8') as f:
            text = f.read()
    except OSError as e:
        print('1..0 # SKIP no documentation source of this Python (%s)' % e)
        return 0
    try:
        import numpy
    except ImportError:
        numpy = None
    found = blocks(text)
    changed = 0
    for _, examples in found:
        for example in examples:
            example.source, n = change_imports(example.source)
            changed += n
    left = [e.source for _, examples in found for e in examples
            if re.search(r'multiprocessing[. ].*(shared_memory|'
                         r'SharedMemoryManager)', e.source)]
    count = 0

    def ok(good, what, *diag):
        nonlocal count
        count += 1
        print('%s %d - %s' % ('ok' if good else 'not ok', count, what))
        for line in diag if not good else ():
            print('# ' + str(line).replace('\n', '\n# '))
        sys.stdout.flush()

    ok(changed > 0 and len(found) > 0 and not left, 'the documentation has '
       '%d examples, with %d imports changed to sharedmem, and none left '
       'of multiprocessing\'s shared memory' % (len(found), changed), *left)
    session = Session()
    for lineno, examples in found:
        first = examples[0].source.strip().split('\n')[0]
        what = 'the example at line %d (%s)' % (lineno, first)
        if any('numpy' in e.source for e in examples) and numpy is None:
            count += 1
            print('ok %d - %s # SKIP no NumPy' % (count, what))
            continue
        shell = 1
        problems = []
        deliberate = []
        for example in examples:
            shell = shell_of(example, shell)
            problem = session.run(shell, example)
            if problem is None:
                continue
            if (numpy is not None and 'numpy' in examples[0].source and
                    example.source.strip() == DIFFERENCE[0] and
                    problem.startswith('raised ' + DIFFERENCE[1] + ':')):
                deliberate.append(problem)
                continue
            problems.append('line %d, in shell %d: %s: %s'
                            % (lineno + example.lineno - examples[0].lineno,
                               shell, example.source.strip(), problem))
        if deliberate and not problems:
            count += 1
            print('not ok %d - %s # TODO deliberate difference: %s'
                  % (count, what, DIFFERENCE_WHY))
            continue
        ok(not problems, what, *problems)
        if any('do_work' in e.source for e in examples):
            got = session.shells[1].run('total_result == %d' % DO_WORK_TOTAL)
            ok(got == {'out': 'True\n', 'raised': None},
               '...whose workers, run with do_work, did their parts', got)
    for n, status, errors in session.end():
        ok(status == 0 and errors == '', 'shell %d exits with status 0, '
           'and with nothing on stderr, warnings included' % n,
           'status %s' % status, errors)
    print('1..%d' % count)
    return 0


if __name__ == '__main__':
    if sys.argv[1:] == ['--shell']:
        serve()
    else:
        sys.exit(main())
