"""python_list.py - python/sharedmem.py's ShareableList as
multiprocessing.shared_memory has it: the values of every kind and how
they come back, changes of kind, the errors, a second handle, another
process, pickling; then its layout, byte for byte that of CPython's own
class, and read and written field by field by a C program through the
library (tests/shareable_list), both ways.  Prints TAP.

Run by tests/python_list.sh, which sets PYTHONPATH to the module in the
build tree and gives the test a key directory of its own.

    python3 tests/python_list.py --reference

runs the checks that hold for Python's own ShareableList against it
instead: the other checks are skipped.
"""

import os
import pickle
import struct
import subprocess
import sys
import warnings

from pytap import (check_raises, fresh, in_child, made, ok, ours, python,
                   reference as REFERENCE, run, skip)

if REFERENCE:
    from multiprocessing.shared_memory import ShareableList, SharedMemory
else:
    from sharedmem import ShareableList, SharedMemory

PLAN = 41

# Items of every kind that a list holds, and their edges.
ITEMS = [0, -1, 2 ** 63 - 1, -2 ** 63, 1.5, -273.154, float('inf'), True,
         False, None, '', 'howdy', 'eight ch', 'a str of 24 characters..',
         b'', b'\x00\x01', b'HoWdY']

# CPython's own test list, and the format CPython gives it.
SAMPLE = ['howdy', b'HoWdY', -273.154, 100, None, True, 42]
SAMPLE_FORMAT = '8s8sdqxxxxxx?xxxxxxxx?q'


def make(items, name=None):
    sl = ShareableList(items, name=name)
    if name is None:
        made.append(sl.shm.name)
    return sl


def done(sl):
    sl.shm.close()
    sl.shm.unlink()


def test_values():
    sl = make(ITEMS)
    ok(list(sl) == ITEMS and len(sl) == len(ITEMS),
       'items of every kind come back as they went in', list(sl))
    ok([type(v) for v in sl] == [type(v) for v in ITEMS],
       '...each of its own type')
    ok(sl[-1] == b'HoWdY' and sl[-len(ITEMS)] == 0,
       'negative indexes count from the end')
    done(sl)

    sl = make(SAMPLE)
    ok(sl.format == SAMPLE_FORMAT, "the format of CPython's sample list",
       sl.format)
    ok(repr(sl) == 'ShareableList(%r, name=%r)' % (SAMPLE, sl.shm.name),
       'repr: ShareableList([...], name=...)', repr(sl))
    sl[4] = 'some'
    sl[3] = 1.25
    sl[1] = b'bytes'
    ok(sl[4] == 'some' and sl[3] == 1.25 and sl[1] == b'bytes' and
       sl.format == '8s8sdd8sxxxxxxx?q',
       'an item takes a value of another kind, and the format follows',
       sl.format)
    sl[0] = 'encodés'
    ok(sl[0] == 'encodés', 'a str of 8 UTF-8 bytes fits the room of 8')
    e = check_raises('a str longer than its room: ValueError', ValueError,
                     sl.__setitem__, 0, 'encodées',
                     message='bytes/str item exceeds available storage')
    ok(e is not None and sl[0] == 'encodés' and sl[1] == b'bytes',
       '...and the item and its neighbour are as they were')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', BytesWarning)
        ok(sl.count(42) == 1 and sl.index(42) == 6 and
           sl.count(b'none') == 0,
           'count() and index() compare the items')
    check_raises('index() of no item: ValueError', ValueError, sl.index,
                 'nothing', message="'nothing' not in this container")
    check_raises('an index past the end: IndexError', IndexError,
                 sl.__getitem__, 7)
    check_raises('...and when setting', IndexError, sl.__setitem__, 7, 0)
    check_raises('an item of another type: KeyError, as Python has it',
                 KeyError, sl.__setitem__, 2, [1])
    done(sl)

    sl = make([b'ab\x00\x00', 'cd\x00'])
    ok(list(sl) == [b'ab', 'cd'],
       'trailing NULs of bytes and str are lost, as Python loses them')
    done(sl)

    sl = make(None)
    ok(len(sl) == 0 and sl.format == '' and list(sl) == [],
       'ShareableList() is empty')
    done(sl)
    sl = make(range(3), name=fresh('named'))
    ok(sl.shm.name == 'named' + ('%d' % os.getpid() if REFERENCE else '') and
       list(sl) == [0, 1, 2], 'name= gives the segment its name')
    check_raises('...which a second list cannot take: FileExistsError',
                 FileExistsError, ShareableList, [1], name=sl.shm.name)
    done(sl)
    check_raises('attach of no list: FileNotFoundError', FileNotFoundError,
                 ShareableList, name=fresh('nolist'))
    if sys.version_info >= (3, 9):
        ok(ShareableList[int].__origin__ is ShareableList,
           'ShareableList[int] is a generic alias, from Python 3.9')
    else:
        skip('Python 3.8', 'ShareableList[int] is a generic alias, from '
             'Python 3.9')


def sets_first(name):
    sl = ShareableList(name=name)
    if sl[0] != 'parent':
        return 2
    sl[0] = 'child'
    return 0


def test_handles():
    sl = make(['parent', 1])
    other = ShareableList(name=sl.shm.name)
    other[1] = 2
    ok(sl[1] == 2 and list(other) == ['parent', 2],
       'a second handle, by name, sees the list and writes to it')
    other.shm.close()
    ok(in_child(sets_first, sl.shm.name) == 0 and sl[0] == 'child',
       'a forked process attaches the list by name and writes to it')
    copy = pickle.loads(pickle.dumps(sl))
    ok(type(copy) is ShareableList and copy is not sl and
       copy.shm.name == sl.shm.name and list(copy) == ['child', 2],
       'pickled and unpickled: the same list, attached by name')
    copy.shm.close()
    big = make(range(400))
    ok(len(pickle.dumps(big)) == len(pickle.dumps(sl)),
       '...and the pickle holds its name, not its items')
    done(big)
    code = ('import pickle, sys\n'
            'sl = pickle.loads(bytes.fromhex(sys.argv[1]))\n'
            'sl[1] = 3\nprint(list(sl))\nsl.shm.close()\n')
    r = python(code, pickle.dumps(sl).hex())
    ok(r.returncode == 0 and r.stdout == "['child', 3]\n" and sl[1] == 3,
       'another Python unpickles it, reads it and writes to it', r.stderr)
    # Python's own removes the list when the other Python exits: the
    # cleanup removes it here.
    sl.shm.close()


def test_ours_kinds():
    sl = make(['ééééé', 'Boom \U0001f4a5', 'encodés'])
    ok(list(sl) == ['ééééé', 'Boom \U0001f4a5', 'encodés'] and
       sl.format == '16s16s8s',
       "a str longer in UTF-8 than Python's room for its characters gets "
       "room for its bytes (Python's cuts it short); one that fits, "
       "Python's room", sl.format)
    done(sl)

    sl = make(['abc', 1])
    check_raises('an int out of range: struct.error', struct.error,
                 sl.__setitem__, 0, 2 ** 63)
    ok(sl[0] == 'abc' and sl.format == '8sq',
       '...and the item and its format are as they were')
    check_raises('an index below minus the length: IndexError',
                 IndexError, sl.__getitem__, -3)
    done(sl)

    name = fresh('failed')
    check_raises('a list of an item of another type: KeyError', KeyError,
                 ShareableList, [1, {}], name=name)
    check_raises('...and no segment is left', FileNotFoundError,
                 SharedMemory, name)
    check_raises('a list of an int out of range: struct.error',
                 struct.error, ShareableList, [2 ** 64], name=name)
    check_raises('...and no segment is left', FileNotFoundError,
                 SharedMemory, name)


def cpython_reference():
    """CPython's own ShareableList where it lays lists out as here, or why
    not."""
    if sys.version_info < (3, 9):
        return None, ('Python 3.8 lays a list out with sizes, not offsets; '
                      'this module does as 3.9 and later, on every Python')
    try:
        from multiprocessing import shared_memory
    except ImportError as e:
        return None, 'no multiprocessing.shared_memory: %s' % e
    return shared_memory.ShareableList, None


def test_ours_cpython_bytes():
    theirs, why = cpython_reference()
    what = "the bytes of a list are those of CPython's own ShareableList"
    if theirs is None:
        skip(why, what)
        skip(why, '...and after changes of kind')
        return
    ours_ = make(ITEMS)
    ref = theirs(ITEMS)
    try:
        size = ours_.shm.size
        ok(bytes(ours_.shm.buf) == bytes(ref.shm.buf[:size]), what)
        for sl in (ours_, ref):
            sl[0] = 'zero'
            sl[9] = 2.5
            sl[11] = None
        ok(bytes(ours_.shm.buf) == bytes(ref.shm.buf[:size]),
           '...and after changes of kind')
    finally:
        ref.shm.close()
        ref.shm.unlink()
    done(ours_)


# What the C program prints for PY_ITEMS, written by Python: each item's
# format, back-transform code and bytes, in the layout of
# tests/shareable_list.c.
PY_ITEMS = [42, -2.5, True, None, 'howdy', b'\x01\x02', 'eight ch']
PY_FIELDS = """items 7
0 q 0 42
1 d 0 c004000000000000
2 xxxxxxx? 0 1
3 xxxxxx?x 3 0
4 8s 1 686f776479000000
5 8s 2 0102000000000000
6 16s 1 65696768742063680000000000000000
"""
# What the C program writes with "write".
C_ITEMS = [-5, 2.5, True, False, None, 'written in C', b'\x01\x02\x03',
           2 ** 63 - 1, '']
C_FORMAT = 'qdxxxxxxx?xxxxxxx?xxxxxx?x16s8sq8s'


def c_program(*args):
    program = os.path.join(os.environ.get('top_builddir', '.'), 'tests',
                           'shareable_list')
    return subprocess.run([program] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True,
                          timeout=60)


def test_ours_c():
    sl = make(PY_ITEMS, name=fresh('fromPython'))
    r = c_program('read', 'fromPython')
    ok(r.returncode == 0 and r.stdout == PY_FIELDS,
       'a list that Python wrote, read by C field by field: the formats, '
       'codes and bytes of CPython\'s layout', *(r.stdout + r.stderr)
       .splitlines())
    sl[4] = 7
    sl[6] = b'sixteen bytes...'
    r = c_program('read', 'fromPython')
    ok(r.returncode == 0 and
       r.stdout.splitlines()[5] == '4 q 0 7' and
       r.stdout.splitlines()[7] == '6 16s 2 %s' % b'sixteen bytes...'.hex(),
       '...and after Python changed two items', *r.stdout.splitlines())
    done(sl)

    r = c_program('write', fresh('fromC'))
    ok(r.returncode == 0, 'C writes a list through the library', r.stderr)
    sl = ShareableList(name='fromC')
    ok(list(sl) == C_ITEMS and sl.format == C_FORMAT,
       "Python reads the list that C wrote", list(sl), sl.format)
    sl[5] = 'from Python'
    sl[0] = None
    r = c_program('read', 'fromC')
    lines = r.stdout.splitlines()
    ok(r.returncode == 0 and lines[1] == '0 xxxxxx?x 3 0' and
       lines[6] == '5 16s 1 %s' % b'from Python'.ljust(16, b'\0').hex(),
       '...and C reads what Python changed in it', *lines)
    done(sl)

    shm = SharedMemory(fresh('notalist'), create=True, size=16)
    shm.buf[:8] = struct.pack('q', 1000)
    r = c_program('read', 'notalist')
    ok(r.returncode == 1 and r.stdout == '' and 'fit' in r.stderr,
       'C refuses a segment whose count of items does not fit', r.stderr)
    shm.close()
    shm.unlink()


def tests():
    test_values()
    test_handles()
    ours('room, failed changes and failed lists', test_ours_kinds)
    ours('the bytes of CPython\'s layout', test_ours_cpython_bytes)
    ours('the list from C, and to C', test_ours_c)


if __name__ == '__main__':
    sys.exit(run(PLAN, tests, SharedMemory))
