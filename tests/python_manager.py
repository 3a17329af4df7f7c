"""python_manager.py - python/sharedmem.py's SharedMemoryManager: the
segments and lists it makes are the module's, in the library's key
directory; its server removes them when the manager shuts down, however
it shuts down, and nothing else does: not their processes' exits, not
their closing, not the server's death.  Prints TAP.

Run by tests/python_manager.sh, which sets PYTHONPATH to the module in the
build tree and gives the test a key directory of its own.
"""

import os
import signal
import sys

from pytap import check_raises, in_child, made, ok, python, run

import sharedmem
from sharedmem import ShareableList, SharedMemory, SharedMemoryManager

PLAN = 18


def there(name):
    "Whether a segment called name is there."
    try:
        SharedMemory(name).close()
    except FileNotFoundError:
        return False
    return True


def started():
    smm = SharedMemoryManager()
    smm.start()
    return smm


def asks_and_exits(smm, names):
    """Asks smm for a segment and a list, writes their names to the pipe
    names, and exits holding them."""
    shm = smm.SharedMemory(32)
    sl = smm.ShareableList(['child'])
    os.write(names, ('%s %s' % (shm.name, sl.shm.name)).encode())
    return 0


def test_shutdown():
    smm = started()
    # The server removes segments in the order they were made: this one
    # first.
    gone = smm.SharedMemory(16)
    made.append(gone.name)
    gone.unlink()
    shm = smm.SharedMemory(64)
    sl = smm.ShareableList([1, 'two', None])
    made.extend([shm.name, sl.shm.name])
    ok(type(shm) is SharedMemory and shm.size == 64,
       "SharedMemory(size) gives this module's SharedMemory")
    ok(type(sl) is ShareableList and list(sl) == [1, 'two', None],
       "ShareableList(sequence) gives this module's ShareableList")
    other = SharedMemory(shm.name)
    other.buf[0] = 7
    ok(shm.buf[0] == 7 and list(ShareableList(name=sl.shm.name)) ==
       [1, 'two', None], '...which attach by name, through the library')
    other.close()

    r, w = os.pipe()
    status = in_child(asks_and_exits, smm, w)
    os.close(w)
    theirs = os.read(r, 200).decode().split()
    os.close(r)
    made.extend(theirs)
    ok(status == 0 and len(theirs) == 2 and all(map(there, theirs)),
       'what a process asked for stays when it exits', theirs)
    names = [shm.name, sl.shm.name] + theirs
    shm.close()
    sl.shm.close()
    ok(all(map(there, names)), '...and when it is closed')
    smm.shutdown()
    ok(not any(map(there, names)),
       'shutdown() removes them all, one that was unlinked already '
       'notwithstanding', [n for n in names if there(n)])

    with SharedMemoryManager() as smm:
        names = [smm.SharedMemory(8).name, smm.ShareableList('ab').shm.name]
        made.extend(names)
        ok(all(map(there, names)), 'with SharedMemoryManager() as smm: '
           'its segments are there within')
    ok(not any(map(there, names)), '...and gone at its end')


def test_exit():
    code = ('from sharedmem import SharedMemoryManager\n'
            'smm = SharedMemoryManager()\nsmm.start()\n'
            'print(smm.SharedMemory(8).name, '
            'smm.ShareableList([1]).shm.name)\n')
    r = python(code)
    names = r.stdout.split()
    made.extend(names)
    ok(r.returncode == 0 and r.stderr == '' and len(names) == 2,
       'a program makes segments through a manager and exits', r.stderr)
    ok(not any(map(there, names)),
       '...and its manager, shut down at its exit, removed them')

    smm = started()
    names = [smm.SharedMemory(8).name, smm.ShareableList([2]).shm.name]
    made.extend(names)
    os.kill(smm._process.pid, signal.SIGKILL)
    smm._process.join(10)
    ok(all(map(there, names)),
       'a server that was killed removes nothing, and nothing else does')
    for name in names:
        shm = SharedMemory(name)
        shm.unlink()
        shm.close()
    smm.shutdown()


def test_errors():
    smm = SharedMemoryManager()
    check_raises('SharedMemory() before start(): ValueError, as Python\'s',
                 ValueError, smm.SharedMemory, 8)
    check_raises('ShareableList() before start(): ValueError', ValueError,
                 smm.ShareableList, [1])
    smm.start()
    before = sorted(os.listdir(os.environ['SHAREDMEM_DIR']))
    check_raises('a segment of size 0: ValueError, as SharedMemory',
                 ValueError, smm.SharedMemory, 0)
    check_raises('a list of an item of another type: KeyError', KeyError,
                 smm.ShareableList, [{}])
    ok(sorted(os.listdir(os.environ['SHAREDMEM_DIR'])) == before,
       '...and neither made a segment')
    ok(smm._process.pid != os.getpid() and
       isinstance(smm, __import__('multiprocessing').managers.BaseManager),
       "the server is a process of its own, a multiprocessing manager's")
    smm.shutdown()


def tests():
    ok(sharedmem.SharedMemoryManager is SharedMemoryManager and
       'SharedMemoryManager' in sharedmem.__all__,
       'the module has SharedMemoryManager')
    test_shutdown()
    test_exit()
    test_errors()


if __name__ == '__main__':
    sys.exit(run(PLAN, tests, SharedMemory))
