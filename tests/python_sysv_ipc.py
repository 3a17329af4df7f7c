"""python_sysv_ipc.py - a name's segment and lock, shared with the module
sysv_ipc (Debian's python3-sysv-ipc), a System V client that nobody here
wrote, used as a new user of it would: it attaches the segment and the
semaphore set by the key that the name's key file records, and takes and
gives back the lock as semaphore 0 of the set.  The two exclude each
other, and nothing that sysv_ipc does, its holder's death included, is
ever taken by the library for the death of a holder of its own.  Prints
TAP; skips where sysv_ipc is missing.

Run by tests/python_sysv_ipc.sh, which sets PYTHONPATH to the module in
the build tree and gives the test a key directory of its own.
"""

import os
import signal
import struct
import sys
import time

from pytap import fresh, in_child, ok, run, wait_child

try:
    import sysv_ipc
except ImportError:
    print('1..0 # SKIP no module sysv_ipc here (Debian: apt-get install '
          'python3-sysv-ipc)')
    sys.exit(0)

import sharedmem
from sharedmem import OwnerDeadError, SharedMemory

PLAN = 9
TURNS = 300


def key_of(name):
    "The key that name's key file records."
    with open(os.path.join(sharedmem.key_directory(),
                           'sharedmem.' + name)) as f:
        fields = f.read().split()
    return int([f for f in fields if f.startswith('key=')][0][6:], 16)


def takes_without_word(shm):
    """The library's trylock: True if taken, False if held, 'told' if it
    was told that a holder died."""
    try:
        return shm.trylock()
    except OwnerDeadError:
        shm.consistent()
        return 'told'


def tests():
    name = fresh('shared')
    shm = SharedMemory(name, create=True, size=64, lock=True, semaphores=1)
    shm.buf[:5] = b'hello'
    key = key_of(name)
    mem = sysv_ipc.SharedMemory(key)
    ok(mem.read(5) == b'hello', 'sysv_ipc attaches the segment by the key '
       'in the key file, and reads what the library wrote')
    sem = sysv_ipc.Semaphore(key)
    ok(sem.value == 1, "... and the lock, semaphore 0 of the set at the "
       "key: 1, free")

    sem.acquire()
    ok(takes_without_word(shm) is False, 'sysv_ipc takes the lock: the '
       'library finds it held')
    sem.release()
    ok(takes_without_word(shm) is True, 'sysv_ipc gives it back: the '
       'library takes it, and is told of no death')
    try:
        sem.acquire(0.1)
        waited = False
    except sysv_ipc.BusyError:
        waited = True
    shm.unlock()
    ok(waited, 'sysv_ipc waits while the library holds the lock')

    def killed_holding():
        other = sysv_ipc.Semaphore(key)
        other.undo = True
        other.acquire()
        os.kill(os.getpid(), signal.SIGKILL)
    ok(in_child(killed_holding) == -signal.SIGKILL and
       takes_without_word(shm) is True,
       'a sysv_ipc holder killed (undo=True): the kernel gives the lock '
       'back, and the library is told of no death')
    shm.unlock()

    # Turns: each side adds 1 to a counter in the segment, read and
    # written apart, under the lock.
    shm.buf[8:16] = struct.pack('q', 0)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            other = sysv_ipc.Semaphore(key)
            for _ in range(TURNS):
                other.acquire()
                (n,) = struct.unpack('q', mem.read(8, 8))
                time.sleep(0)
                mem.write(struct.pack('q', n + 1), 8)
                other.release()
            code = 0
        finally:
            os._exit(code)
    told = 0
    for _ in range(TURNS):
        try:
            shm.lock()
        except OwnerDeadError:
            told += 1
            shm.consistent()
        (n,) = struct.unpack('q', shm.buf[8:16])
        time.sleep(0)
        shm.buf[8:16] = struct.pack('q', n + 1)
        shm.unlock()
    status = wait_child(pid, 60)
    (n,) = struct.unpack('q', shm.buf[8:16])
    ok(status == 0 and n == 2 * TURNS, '%d turns each, sysv_ipc and the '
       'library: the counter is %d' % (TURNS, n))
    ok(told == 0, '... and the library was told of no death', told)
    mem.detach()
    ok(sem.value == 1 and takes_without_word(shm) is True,
       'the lock is free at the end')
    shm.unlock()
    shm.close()
    shm.unlink()


if __name__ == '__main__':
    sys.exit(run(PLAN, tests, SharedMemory))
