"""python_pool.py - SharedMemory and ShareableList objects handed to the
workers of multiprocessing.Pool and concurrent.futures'
ProcessPoolExecutor, under each start method this Python has (fork,
spawn, forkserver): pickled by name, they reach the parent's very segment;
the workers' exits remove nothing; the parent's unlink() removes it.
Prints TAP.

Run by tests/python_pool.sh, which sets PYTHONPATH to the module in the
build tree and gives the test a key directory of its own.
"""

import concurrent.futures
import multiprocessing
import os
import sys

from pytap import made, ok, run, skip

from sharedmem import ShareableList, SharedMemory

METHODS = ('fork', 'spawn', 'forkserver')
CHECKS = 6      # for each method
PLAN = CHECKS * len(METHODS)
WORKERS = 2
ITEMS = 4


def write_byte(shm, i):
    """In a worker: writes i + 1 at byte i of shm; its shmid and pid."""
    shm.buf[i] = i + 1
    return shm.shmid, os.getpid()


def write_item(sl, i):
    """In a worker: sets item i of sl to 10 * i; its shmid."""
    sl[i] = 10 * i
    return sl.shm.shmid


def there(name):
    try:
        SharedMemory(name).close()
    except FileNotFoundError:
        return False
    return True


def first_bytes(name):
    "The first ITEMS bytes of the segment called name, attached anew."
    shm = SharedMemory(name)
    try:
        return bytes(shm.buf[:ITEMS])
    finally:
        shm.close()


def through(method, ctx):
    """The checks of one start method."""
    label = '%s: ' % method
    shm = SharedMemory(create=True, size=64)
    sl = ShareableList([0] * ITEMS)
    made.extend([shm.name, sl.shm.name])

    pool = ctx.Pool(WORKERS)
    try:
        bytes_done = pool.starmap(write_byte,
                                  [(shm, i) for i in range(ITEMS)])
        items_done = pool.starmap(write_item,
                                  [(sl, i) for i in range(ITEMS)])
    finally:
        pool.close()
        pool.join()
    pids = {pid for _, pid in bytes_done}
    ok(bytes(shm.buf[:ITEMS]) == bytes(range(1, ITEMS + 1)) and
       all(shmid == shm.shmid for shmid, _ in bytes_done) and
       os.getpid() not in pids,
       label + "a SharedMemory handed to Pool's workers is the parent's "
       "segment", bytes_done, list(shm.buf[:ITEMS]))
    ok(list(sl) == [10 * i for i in range(ITEMS)] and
       all(shmid == sl.shm.shmid for shmid in items_done),
       label + "a ShareableList handed to Pool's workers is the parent's "
       'list', list(sl))

    shm.buf[:ITEMS] = bytes(ITEMS)
    sl[0] = -1
    with concurrent.futures.ProcessPoolExecutor(
            WORKERS, mp_context=ctx) as executor:
        bytes_done = list(executor.map(write_byte, [shm] * ITEMS,
                                       range(ITEMS)))
        items_done = list(executor.map(write_item, [sl] * ITEMS,
                                       range(ITEMS)))
    ok(bytes(shm.buf[:ITEMS]) == bytes(range(1, ITEMS + 1)) and
       all(shmid == shm.shmid for shmid, _ in bytes_done),
       label + 'a SharedMemory handed to ProcessPoolExecutor\'s workers is '
       "the parent's segment", bytes_done)
    ok(list(sl) == [10 * i for i in range(ITEMS)] and
       all(shmid == sl.shm.shmid for shmid in items_done),
       label + 'a ShareableList handed to ProcessPoolExecutor\'s workers is '
       "the parent's list", list(sl))

    # Every worker has exited by now: the pool joined, the executor shut
    # down.
    ok(there(shm.name) and there(sl.shm.name) and
       first_bytes(shm.name) == bytes(range(1, ITEMS + 1)),
       label + "the workers' exits removed neither")
    names = [shm.name, sl.shm.name]
    shm.close()
    shm.unlink()
    sl.shm.close()
    sl.shm.unlink()
    ok(not any(map(there, names)) and
       os.listdir(os.environ['SHAREDMEM_DIR']) == [],
       label + "the parent's unlink() removes them")


def tests():
    for method in METHODS:
        if method not in multiprocessing.get_all_start_methods():
            for _ in range(CHECKS):
                skip('no start method %s in this Python' % method, method)
            continue
        through(method, multiprocessing.get_context(method))


if __name__ == '__main__':
    sys.exit(run(PLAN, tests, SharedMemory))
