"""python_api.py - python/sharedmem.py as multiprocessing.shared_memory has
SharedMemory: the size rules, the exceptions, what a second handle and a
second process see, unlink, close and their order, buffers still in use;
then what the module has beyond it: read-only attaches, the lock and the
semaphores, and how it finds the library.  Prints TAP.

Run by tests/python_api.sh, which sets PYTHONPATH to the module in the
build tree and gives the test a key directory of its own.

    python3 tests/python_api.py --reference

runs the checks that hold for Python's own module against it instead
(on POSIX shared memory, not the library), to show that they test what
Python does: the other checks are skipped.
"""

import contextlib
import ctypes
import ctypes.util
import errno
import os
import pickle
import re
import signal
import subprocess
import sys
import time

from pytap import (check_raises, fresh, in_child, made, ok, ours, python,
                   raises, reference as REFERENCE, run, skip, wait_child)

if REFERENCE:
    from multiprocessing.shared_memory import SharedMemory
else:
    import sharedmem
    from sharedmem import SharedMemory

PLAN = 121


def create(name, size, **kwargs):
    shm = SharedMemory(name, create=True, size=size, **kwargs)
    if name is None:
        made.append(shm.name)
    return shm


class Interrupted(Exception):
    pass


@contextlib.contextmanager
def alarm(seconds):
    """SIGALRM after seconds raises Interrupted."""
    def ring(signum, frame):
        raise Interrupted()
    old = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def interrupted_within(seconds, fn, *args):
    """fn(*args), interrupted by a signal after 0.2 s, raised within
    seconds."""
    start = time.monotonic()
    try:
        with alarm(0.2):
            fn(*args)
    except Interrupted:
        return time.monotonic() - start < seconds
    return False


def attached_count(shmid):
    """How many processes have segment shmid attached, from
    /proc/sysvipc/shm; None where there is none."""
    try:
        with open('/proc/sysvipc/shm') as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    head = lines[0].split()
    for line in lines[1:]:
        field = dict(zip(head, line.split()))
        if field.get('shmid') == str(shmid):
            return int(field['nattch'])
    return 0


# The rules that Python's SharedMemory has.

def test_sizes_and_names():
    check_raises("create with size 0 is a ValueError, as Python's",
                 ValueError, SharedMemory, fresh('zero'), create=True,
                 size=0, message="'size' must be a positive number "
                 "different from zero")
    check_raises("a negative size is a ValueError, as Python's", ValueError,
                 SharedMemory, fresh('neg'), create=True, size=-1,
                 message="'size' must be a positive integer")
    check_raises("...when attaching too", ValueError, SharedMemory,
                 fresh('neg'), size=-1,
                 message="'size' must be a positive integer")
    check_raises("no name without create is a ValueError, as Python's",
                 ValueError, SharedMemory, None,
                 message="'name' can only be None if create=True")
    check_raises("a name that is not a str: TypeError, as Python's",
                 TypeError, SharedMemory, fresh('bytes').encode(), create=True,
                 size=64)
    check_raises("a name with a lone surrogate: UnicodeEncodeError, as "
                 "Python's", UnicodeEncodeError, SharedMemory,
                 fresh('sur\udcff'), create=True, size=64)

    shm = create(None, 100)
    ok(re.match(r'^psm_[0-9a-f]{8}$', shm.name) is not None,
       'create=True without a name picks one like psm_0123abcd', shm.name)
    other = SharedMemory(shm.name)
    other.buf[0] = 42
    ok(shm.buf[0] == 42 and other.size == 100,
       '...which attaches like any other')
    other.close()
    shm.close()
    shm.unlink()

    name = fresh('basic')
    shm = create(name, 256)
    ok(shm.name == name and shm.size == 256,
       'name and size are what was asked', repr(shm))
    buf = shm.buf
    ok(isinstance(buf, memoryview) and buf.format == 'B' and
       buf.ndim == 1 and len(buf) == 256 and not buf.readonly,
       'buf is a writable memoryview of bytes, the size of the segment')
    ok(bytes(buf[:4]) == b'\0\0\0\0', 'a new segment is zeroed')
    ok(repr(shm) == 'SharedMemory(%r, size=256)' % name,
       'repr: SharedMemory(name, size=...)', repr(shm))
    e = check_raises('create of an existing name: FileExistsError',
                     FileExistsError, SharedMemory, name, create=True,
                     size=256, code=errno.EEXIST)
    ok(e is not None and name in str(e), '...which names the name', str(e))
    check_raises('attach of no segment: FileNotFoundError',
                 FileNotFoundError, SharedMemory, fresh('none'),
                 code=errno.ENOENT)
    other = SharedMemory(name, size=1 << 20)
    ok(other.size == 256, 'attach ignores size: size is the segment\'s',
       other.size)
    other.close()
    other = SharedMemory(name, False, 0)
    ok(other.size == 256, 'attach by positional arguments')
    other.close()
    shm.close()
    shm.unlink()


def test_handles():
    name = fresh('handles')
    shm = create(name, 64)
    other = SharedMemory(name)
    shm.buf[:5] = b'howdy'
    ok(bytes(other.buf[:5]) == b'howdy',
       'a second handle sees the write at once')
    other.buf[5:10] = b'there'
    ok(bytes(shm.buf[:10]) == b'howdythere', '...and the first its write')
    copy = pickle.loads(pickle.dumps(shm))
    ok(type(copy) is SharedMemory and copy.name == name and
       copy.size == 64 and bytes(copy.buf[:5]) == b'howdy',
       'pickled and unpickled: the same segment, attached by name')
    copy.close()
    other.close()
    ok(other.buf is None, 'after close, buf is None')
    other.close()
    ok(True, 'close twice is no error')
    ok(other.name == name and other.size == 64 and
       repr(other) == 'SharedMemory(%r, size=64)' % name,
       'name, size and repr outlive close')
    shm.unlink()
    check_raises('attach after unlink: FileNotFoundError',
                 FileNotFoundError, SharedMemory, name)
    ok(bytes(shm.buf[:10]) == b'howdythere',
       'the unlinking handle still reads its bytes')
    check_raises('a second unlink: FileNotFoundError', FileNotFoundError,
                 shm.unlink)
    shm.close()

    # The order of Python's documentation: close, then unlink.
    shm = create(name, 64)
    shm.close()
    shm.unlink()
    check_raises('close then unlink removes the segment', FileNotFoundError,
                 SharedMemory, name)
    check_raises('...and unlink once more is FileNotFoundError',
                 FileNotFoundError, shm.unlink)

    shm = create(name, 64)
    kept = raises(FileNotFoundError, SharedMemory, name + 'x')
    kept = raises(ValueError, SharedMemory, name, create=True, size=0)
    shm.unlink()
    kept = raises(FileNotFoundError, shm.unlink)
    shm.close()
    ok(kept is not None and shm.buf is None,
       'exceptions kept from a handle do not keep it from closing')


def test_buffers_in_use():
    name = fresh('views')
    shm = create(name, 64)
    shm.buf[0] = 7
    export = pickle.PickleBuffer(shm.buf)
    check_raises('close while buf is exported raises BufferError',
                 BufferError, shm.close)
    ok(shm.buf is not None and shm.buf[0] == 7,
       '...and leaves buf as it was')
    del export
    shm.close()
    ok(shm.buf is None, 'once the export is gone, close closes')

    shm = SharedMemory(name)
    part = shm.buf[0:4]
    check_raises('close while a slice of buf lives raises BufferError',
                 BufferError, shm.close)
    ok(shm.buf is None and part[0] == 7,
       '...buf is gone, and the slice still reads the segment')
    del part
    shm.close()
    ok(shm.buf is None, 'once the slice is gone, close closes')
    shm.unlink()


# What the module has beyond Python's.

def test_ours_names_and_errors():
    name = fresh('errs')
    shm = create(name, 64)
    e = raises(FileExistsError, SharedMemory, name, create=True, size=64)
    ok(e is not None and e.filename == name and
       e.strerror == os.strerror(errno.EEXIST),
       'the error carries errno, strerror and the name, as Python\'s',
       repr(e))
    shm.close()
    shm.unlink()

    shm = create('/' + fresh('lead'), 64)
    ok(shm.name == 'lead', 'a leading / is dropped from name')
    shm.close()
    shm.unlink()
    check_raises('a name with / inside: OSError EINVAL', OSError,
                 SharedMemory, 'a/b', create=True, size=64,
                 code=errno.EINVAL)
    check_raises('a name of 201 bytes: OSError ENAMETOOLONG', OSError,
                 SharedMemory, 'n' * 201, create=True, size=64,
                 code=errno.ENAMETOOLONG)

    # A C string ends at its first NUL: the library would see another
    # name.  Python 3.13 raises ValueError for it.
    shm = create(fresh('nulA'), 64)
    check_raises('attach of a name with a NUL: ValueError, as Python '
                 "3.13's", ValueError, SharedMemory, 'nulA\0zzz',
                 message='embedded null character')
    check_raises('create of a name with a NUL: ValueError', ValueError,
                 SharedMemory, 'nulB\0/../../etc', create=True, size=64,
                 message='embedded null character')
    check_raises('...and the name before the NUL is not made',
                 FileNotFoundError, SharedMemory, fresh('nulB'))
    shm._name = 'nulA\0a'
    check_raises('unlink of a name with a NUL: ValueError', ValueError,
                 shm.unlink, message='embedded null character')
    shm._name = 'nulA'
    other = SharedMemory('nulA')
    ok(other.size == 64, '...and the segment is still there')
    other.close()
    shm.close()
    shm.unlink()
    ok(sharedmem.key_directory() == os.environ['SHAREDMEM_DIR'],
       'key_directory() is $SHAREDMEM_DIR')
    shm = create(fresh('track'), 64, track=False)
    ok(shm.size == 64, 'track=False, from Python 3.13, is accepted')
    shm.close()
    shm.unlink()

    # Read-only for its owner, as a subclass may make it through _mode,
    # as with Python's; root, who may attach anything, tries as nobody.
    class Owners(SharedMemory):
        _mode = 0o400
    name = fresh('perm')
    shm = Owners(name, create=True, size=64)

    def attach_denied():
        if os.geteuid() == 0:
            os.setgid(65534)
            os.setuid(65534)
        e = raises(PermissionError, SharedMemory, name)
        return 0 if e is not None and e.errno == errno.EACCES else 1
    ok(in_child(attach_denied) == 0,
       'an attach that permissions refuse: PermissionError EACCES')
    shm.close()
    shm.unlink()


def made_again(name):
    """A handle of name closed, and its segment removed behind its back
    and made again by somebody else: the old handle and the new one."""
    old = create(name, 64)
    old.close()
    gone = SharedMemory(name)
    gone.unlink()
    gone.close()
    return old, create(name, 128)


def test_ours_unlink_only_its_own():
    name = fresh('own')
    old, new = made_again(name)
    check_raises('unlink after close, of a name made again since: '
                 'FileNotFoundError', FileNotFoundError, old.unlink)
    other = SharedMemory(name)
    ok(other.size == 128, '...and the new segment is still there')
    other.close()
    new.close()
    new.unlink()


def test_ours_older_library():
    """What the module does over a library older than sharedmem_describe()
    and sharedmem_unlink_id(), which SHAREDMEM_LIBRARY may name."""
    newer = sharedmem._describe_all, sharedmem._unlink_id
    sharedmem._describe_all = sharedmem._unlink_id = None
    try:
        name = fresh('older')
        shm = create(name, 96, semaphores=2)
        ok(shm.name == name and shm.size == 96 and shm.shmid >= 0 and
           shm.semaphores == 2 and len(shm.buf) == 96,
           'a library without sharedmem_describe: the handle is described '
           'one call at a time')
        shm.close()
        shm.unlink()
        ok(raises(FileNotFoundError, SharedMemory, name) is not None,
           '...and without sharedmem_unlink_id: close then unlink removes '
           'the name')
        old, new = made_again(name)
        check_raises('...but not one made again since: FileNotFoundError',
                     FileNotFoundError, old.unlink)
        new.close()
        new.unlink()
    finally:
        sharedmem._describe_all, sharedmem._unlink_id = newer


def test_ours_readonly():
    name = fresh('ro')
    shm = create(name, 64)
    shm.buf[0] = 5
    ro = SharedMemory(name, readonly=True)
    ok(ro.buf.readonly and ro.buf[0] == 5,
       'readonly=True: a read-only buf that reads the segment')
    ok(raises(TypeError, ro.buf.__setitem__, 0, 1) is not None and
       shm.buf[0] == 5, '...which refuses writes')
    copy = pickle.loads(pickle.dumps(ro))
    ok(copy.buf.readonly, 'a read-only handle pickles as read-only')
    copy.close()
    ro.close()
    with SharedMemory(name) as other:
        ok(other.buf[0] == 5, 'with SharedMemory(...) as shm: attached')
    ok(other.buf is None, '...and closed at its end')
    shm.close()
    shm.unlink()


def reads_and_writes(name):
    shm = SharedMemory(name)
    if bytes(shm.buf[:5]) != b'howdy':
        return 2
    shm.buf[5:10] = b'there'
    return 0    # exits attached, without close


def creates_and_exits(name):
    shm = SharedMemory(name, create=True, size=100)
    shm.buf[:4] = b'made'
    return 0    # exits without close or unlink


def test_ours_processes():
    name = fresh('procs')
    shm = create(name, 64)
    shm.buf[:5] = b'howdy'
    ok(in_child(reads_and_writes, name) == 0,
       'a forked process attaches, sees the write, and writes')
    ok(bytes(shm.buf[:10]) == b'howdythere', '...and its write is seen here')
    r = python('import sys\nfrom sharedmem import SharedMemory\n'
               'shm = SharedMemory(sys.argv[1])\n'
               'assert bytes(shm.buf[:10]) == b"howdythere"\n'
               'shm.buf[10:15] = b"again"\n', name)
    ok(r.returncode == 0 and r.stderr == '',
       'a new python3 attaches, sees the writes and writes, and exits '
       'without close', r.stderr)
    other = SharedMemory(name)
    ok(bytes(other.buf[:15]) == b'howdythereagain',
       "...and the segment outlives it, with its write")
    other.close()
    shm.close()
    shm.unlink()

    name = fresh('orphan')
    ok(in_child(creates_and_exits, name) == 0,
       'a process creates a segment and exits without close or unlink')
    shm = SharedMemory(name)
    ok(bytes(shm.buf[:4]) == b'made', '...and the segment outlives it')
    shm.unlink()
    shm.close()


def test_ours_dropped():
    name = fresh('drop')
    code = ('import sys\nfrom sharedmem import SharedMemory\n'
            'shm = SharedMemory(sys.argv[1], create=True, size=64)\n'
            'shm.buf[0] = 9\npart = shm.buf[0:2]\n'
            'print(shm.shmid, flush=True)\ndel shm\n'
            'assert part[0] == 9\nprint("kept", flush=True)\n'
            'sys.stdin.readline()\ndel part\nprint("dropped", flush=True)\n'
            'sys.stdin.readline()\n')
    child = subprocess.Popen([sys.executable, '-c', code, name],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, universal_newlines=True)
    try:
        shmid = int(child.stdout.readline())
        kept = child.stdout.readline() == 'kept\n'
        before = attached_count(shmid)
        child.stdin.write('\n')
        child.stdin.flush()
        dropped = child.stdout.readline() == 'dropped\n'
        after = attached_count(shmid)
        child.stdin.write('\n')
        child.stdin.flush()
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    ok(kept and dropped and child.returncode == 0 and err == '',
       'a handle dropped while a slice of buf lives goes quietly, and the '
       'slice still reads', err)
    if before is None:
        skip('no /proc/sysvipc/shm', 'the segment is detached when the '
             'slice goes')
    else:
        ok(before == 1 and after == 0,
           '...the segment stays attached until the slice goes',
           'attached %s, then %s' % (before, after))
    shm = SharedMemory(name)
    shm.unlink()
    shm.close()


def meminfo(path, field):
    """A field of a /proc file in kB or pages, as an int; None where the
    system has no such file or field."""
    try:
        with open(path) as f:
            for line in f:
                key, _, value = line.partition(':')
                if key == field:
                    return int(value.split()[0])
    except OSError:
        pass
    return None


def resident_shared():
    "This process's resident shared memory, in kB (Linux)."
    return meminfo('/proc/self/status', 'RssShmem')


def test_ours_ndarray():
    try:
        import numpy
    except ImportError:
        for what in ('close() with a live ndarray', 'the ndarray keeps the '
                     'segment attached', 'close() once it is gone'):
            skip('no NumPy', what)
        return
    name = fresh('array')
    shm = create(name, 48)
    a = numpy.ndarray((6,), dtype=numpy.int64, buffer=shm.buf)
    a[:] = range(6)
    check_raises('close() while an ndarray over buf lives raises '
                 'BufferError', BufferError, shm.close)
    other = SharedMemory(name)
    a[5] = 888
    seen = numpy.ndarray((6,), dtype=numpy.int64, buffer=other.buf)[5]
    other.close()
    count = attached_count(shm.shmid)
    ok(seen == 888 and a[4] == 4 and count in (1, None),
       '...and the ndarray keeps the segment attached, which it reads and '
       'writes', 'seen %s, attached %s' % (seen, count))
    del a
    shm.close()
    count = attached_count(shm.shmid)
    ok(shm.buf is None and count in (0, None),
       'once the ndarray is gone, close() detaches', 'attached %s' % count)
    shm.unlink()


def test_ours_pages():
    # 2 MiB, a huge page on x86_64, within macOS's 4 MiB a segment (the
    # limits variant of tests/portability.sh).
    size = 2 << 20
    name = fresh('pages')
    if resident_shared() is None:
        skip('no RssShmem in /proc/self/status', 'prefault=True faults '
             'every page in at creation')
        skip('no RssShmem in /proc/self/status', 'prefault=True at attach')
    else:
        before = resident_shared()
        shm = create(name, size, prefault=True)
        grew = resident_shared() - before
        ok(grew >= size // 1024, 'prefault=True faults every page in at '
           'creation', 'resident shared memory grew by %d kB' % grew)
        shm.close()

        def attaches():
            before = resident_shared()
            plain = SharedMemory(name)
            unfaulted = resident_shared() - before
            shm = SharedMemory(name, prefault=True)
            grew = resident_shared() - before
            plain.close()
            shm.close()
            return 0 if unfaulted < 1024 and grew >= size // 1024 else 1
        ok(in_child(attaches) == 0, 'prefault=True at attach faults them '
           'in too, where a plain attach faults none')
        shm = SharedMemory(name)
        shm.unlink()
        shm.close()

    free = meminfo('/proc/meminfo', 'HugePages_Free')
    reserved = meminfo('/proc/meminfo', 'HugePages_Rsvd')
    huge = meminfo('/proc/meminfo', 'Hugepagesize')
    before = sorted(os.listdir(os.environ['SHAREDMEM_DIR']))
    if free is None or reserved is None or huge is None:
        check_raises('hugepages=True on a system without huge pages: '
                     'OSError ENOTSUP at creation', OSError, create, None,
                     size, hugepages=True, code=errno.ENOTSUP)
    elif free - reserved == 0:
        check_raises('hugepages=True with no huge page free: OSError ENOMEM '
                     'at creation, not a SIGBUS later', OSError, create,
                     None, size, hugepages=True, code=errno.ENOMEM)
    else:
        shm = create(None, huge * 1024, hugepages=True)
        taken = free - reserved - (meminfo('/proc/meminfo', 'HugePages_Free')
                                   - meminfo('/proc/meminfo',
                                             'HugePages_Rsvd'))
        shm.unlink()
        shm.close()
        ok(taken == 1, 'hugepages=True takes a huge page at creation',
           'took %d' % taken)
    ok(sorted(os.listdir(os.environ['SHAREDMEM_DIR'])) == before,
       '...and leaves no name behind')


def test_ours_lock():
    name = fresh('lock')
    shm = create(name, 64, lock=True, semaphores=2)
    ok(shm.semaphores == 2, 'lock=True, semaphores=2: two semaphores')
    ok(shm.trylock() is True, 'trylock takes the free lock: True')
    ok(shm.trylock() is False, '...and then finds it taken: False')
    start = time.monotonic()
    ok(shm.timedlock(0.1) is False and time.monotonic() - start >= 0.09,
       'timedlock(0.1) of the taken lock waits 0.1 s: False')
    ok(in_child(lambda: 0 if SharedMemory(name).trylock() is False else 1)
       == 0, 'another process finds the lock taken')
    # In a child, which a lock() that signals cannot end would hang.
    ok(in_child(lambda: 0 if interrupted_within(
        1, SharedMemory(name).lock) else 1) == 0,
       'a signal handler that raises interrupts lock()')
    ok(in_child(lambda: 0 if interrupted_within(
        1, SharedMemory(name).timedlock, 30) else 1) == 0,
       '...and timedlock(30)')
    shm.unlock()
    check_raises('unlock of a free lock: PermissionError', PermissionError,
                 shm.unlock, code=errno.EPERM)

    def holds_and_leaves():
        other = SharedMemory(name)
        return 0 if other.trylock() and other.unlock() is None else 1
    ok(in_child(holds_and_leaves) == 0 and shm.trylock() is True,
       'the lock of a process that gave it back and exited is free')
    shm.unlock()
    shm.lock()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = 0 if SharedMemory(name).timedlock(10) else 2
        finally:
            os._exit(code)
    time.sleep(0.2)
    shm.unlock()
    ok(wait_child(pid) == 0,
       'a process waiting in timedlock gets the lock when it is given back')

    shm.post(1)
    ok(shm.wait(1) is True, 'post, then wait: True')
    ok(shm.wait(1, 0) is False, 'wait(sem, 0) of a semaphore at 0: False')
    start = time.monotonic()
    ok(shm.wait(1, 0.1) is False and time.monotonic() - start >= 0.09,
       'wait(sem, 0.1) waits 0.1 s: False')
    pid = os.fork()
    if pid == 0:
        try:
            time.sleep(0.2)
            SharedMemory(name).post(0)
        finally:
            os._exit(0)
    ok(shm.wait(0, 10) is True and wait_child(pid) == 0,
       'wait takes what another process posts')
    ok(in_child(lambda: 0 if interrupted_within(
        1, SharedMemory(name).wait, 0) else 1) == 0,
       'a signal handler that raises interrupts wait()')

    def waits_through_signal():
        # A handler that returns: the wait goes on, and gets the post.
        other = SharedMemory(name)
        signal.signal(signal.SIGALRM, lambda signum, frame: None)
        signal.setitimer(signal.ITIMER_REAL, 0.1)
        return 0 if other.wait(0, 5) else 1
    pid = os.fork()
    if pid == 0:
        try:
            time.sleep(0.3)
            SharedMemory(name).post(0)
        finally:
            os._exit(0)
    ok(in_child(waits_through_signal) == 0 and wait_child(pid) == 0,
       'a signal handler that returns does not end wait(sem, timeout)')
    check_raises('wait of semaphore 2 of 2: OSError EINVAL', OSError,
                 shm.wait, 2, 0, code=errno.EINVAL)
    check_raises('post of semaphore -1: OSError EINVAL', OSError, shm.post,
                 -1, code=errno.EINVAL)
    shm.unlink()
    check_raises('the lock of an unlinked segment: OSError EIDRM', OSError,
                 shm.trylock, code=errno.EIDRM)
    shm.close()
    check_raises('the lock of a closed handle: ValueError', ValueError,
                 shm.lock)

    name = fresh('nolock')
    shm = create(name, 64)
    ok(shm.semaphores == 0, 'a segment made without: no semaphores')
    check_raises('...and lock() is OSError ENOTSUP', OSError, shm.lock,
                 code=errno.ENOTSUP)
    check_raises('...and so is post()', OSError, shm.post, 0,
                 code=errno.ENOTSUP)
    shm.close()
    shm.unlink()
    check_raises('lock=True without create: ValueError', ValueError,
                 SharedMemory, name, lock=True)
    check_raises('semaphores=33: ValueError', ValueError, SharedMemory,
                 name, create=True, size=64, semaphores=33)


def test_ours_owner_dead():
    """The three outcomes of a lock whose holder died, in Python's idiom:
    OwnerDeadError holding the lock, consistent(), and ENOTRECOVERABLE."""
    name = fresh('robust')
    shm = create(name, 64, lock=True, semaphores=1)

    def holds_and_dies():
        return 0 if SharedMemory(name).trylock() else 1
    for call, args in (('trylock', ()), ('lock', ()), ('timedlock', (5,))):
        ok(in_child(holds_and_dies) == 0, 'a process takes the lock and '
           'exits holding it')
        e = raises(sharedmem.OwnerDeadError, getattr(shm, call), *args)
        ok(isinstance(e, OSError) and e.errno == errno.EOWNERDEAD and
           e.filename == name,
           '%s() then raises OwnerDeadError, an OSError EOWNERDEAD' % call,
           'got %r' % (e,))
        ok(in_child(lambda: 0 if SharedMemory(name).trylock() is False
                    else 1) == 0, '...holding the lock')
        shm.consistent()
        shm.unlock()
        ok(shm.trylock() is True and shm.unlock() is None,
           '...and consistent(), unlock() leave an ordinary lock')
    check_raises('consistent() without OwnerDeadError: OSError EINVAL',
                 OSError, shm.consistent, code=errno.EINVAL)
    ok(in_child(holds_and_dies) == 0 and
       raises(sharedmem.OwnerDeadError, shm.lock) is not None,
       'a death again: OwnerDeadError again')
    shm.unlock()
    check_raises('unlock() without consistent(): the next lock() raises '
                 'OSError ENOTRECOVERABLE', OSError, shm.lock,
                 code=errno.ENOTRECOVERABLE)
    check_raises('...and so does trylock()', OSError, shm.trylock,
                 code=errno.ENOTRECOVERABLE)
    ok(shm.creator == os.geteuid(), 'creator is the uid that made it',
       shm.creator)
    ok(SharedMemory(name).creator == os.geteuid(),
       '...in a handle that attached it too')
    shm.unlink()
    shm.close()
    check_raises('creator of a closed handle: ValueError', ValueError,
                 getattr, shm, 'creator')


def test_ours_library():
    here = os.path.dirname(os.path.abspath(sharedmem.__file__))
    top = os.path.dirname(here)
    ok(os.path.dirname(sharedmem.library_path) ==
       os.path.join(top, '.libs'),
       'the module in the build tree loads the library in the build tree',
       sharedmem.library_path)
    ok(sharedmem.library_version == sharedmem.__version__,
       "the library's version is the module's")
    env = dict(os.environ, SHAREDMEM_LIBRARY='/nonexistent/libsharedmem.so')
    r = python('import sharedmem', env=env)
    ok(r.returncode != 0 and 'ImportError' in r.stderr and
       '/nonexistent/libsharedmem.so' in r.stderr and
       'SHAREDMEM_LIBRARY' in r.stderr,
       'SHAREDMEM_LIBRARY naming no library: ImportError naming it',
       *r.stderr.splitlines()[-3:])
    env = dict(os.environ, SHAREDMEM_LIBRARY=sharedmem.library_path)
    r = python('import sharedmem; print(sharedmem.library_path)', env=env)
    ok(r.returncode == 0 and r.stdout == sharedmem.library_path + '\n',
       'SHAREDMEM_LIBRARY naming the library: that one is loaded',
       r.stderr)
    libc = ctypes.util.find_library('c')
    env = dict(os.environ, SHAREDMEM_LIBRARY=libc or 'libc.so.6')
    r = python('import sharedmem', env=env)
    ok(r.returncode != 0 and 'not the sharedmem library' in r.stderr,
       'a library that is not this one is refused, and said so',
       *r.stderr.splitlines()[-3:])


def tests():
    test_sizes_and_names()
    test_handles()
    test_buffers_in_use()
    ours('names, errors and the key directory', test_ours_names_and_errors)
    ours('unlink removes only its own segment', test_ours_unlink_only_its_own)
    ours('over an older library', test_ours_older_library)
    ours('read-only attaches and with', test_ours_readonly)
    ours('segments outlive processes', test_ours_processes)
    ours('a handle dropped while a view lives', test_ours_dropped)
    ours('an ndarray over buf', test_ours_ndarray)
    ours('prefault and huge pages', test_ours_pages)
    ours('the lock and the semaphores', test_ours_lock)
    ours('a lock whose holder died', test_ours_owner_dead)
    ours('finding the library', test_ours_library)


if __name__ == '__main__':
    sys.exit(run(PLAN, tests, SharedMemory))
