# control.py MODULE_DIR: Python's side of bench/control, which runs it
# once and sends it, on standard input, lines of one of
#
#   cycle cpython N         N create+close+unlink of CPython's SharedMemory
#   cycle cpython-quiet N   the same, its resource tracker doing nothing
#   cycle drop-in N         the same of the sharedmem module's SharedMemory
#   attach cpython N        N attach by name+close of CPython's SharedMemory
#   attach drop-in N        the same of the sharedmem module's
#
# each cycle of a SharedMemory of 4096 bytes, in the order CPython's
# documentation uses.  For each line it prints the time of one cycle in
# microseconds, or "-1" for a module it could not load.  The drop-in is
# the sharedmem module found in MODULE_DIR.
import sys
import time
from multiprocessing import resource_tracker, shared_memory

SIZE = 4096

register = resource_tracker.register
unregister = resource_tracker.unregister


def untracked(*args):
    pass


def track(on):
    resource_tracker.register = register if on else untracked
    resource_tracker.unregister = unregister if on else untracked


def cycle(module, n):
    start = time.perf_counter()
    for _ in range(n):
        shm = module.SharedMemory(create=True, size=SIZE)
        shm.close()
        shm.unlink()
    return (time.perf_counter() - start) / n * 1e6


def attach(module, name, n):
    start = time.perf_counter()
    for _ in range(n):
        module.SharedMemory(name).close()
    return (time.perf_counter() - start) / n * 1e6


def main():
    sys.path.insert(0, sys.argv[1])
    try:
        import sharedmem
    except ImportError as e:
        print('control.py: no drop-in: %s' % e, file=sys.stderr)
        sharedmem = None
    modules = {'cpython': shared_memory, 'cpython-quiet': shared_memory,
               'drop-in': sharedmem}
    # One segment of each to attach, made once.
    kept = {'cpython': shared_memory.SharedMemory(create=True, size=SIZE)}
    if sharedmem is not None:
        kept['drop-in'] = sharedmem.SharedMemory(create=True, size=SIZE)
    try:
        for line in sys.stdin:
            what, who, n = line.split()
            module = modules[who]
            if module is None:
                us = -1.0
            elif what == 'cycle':
                track(who != 'cpython-quiet')
                us = cycle(module, int(n))
            else:
                track(True)
                us = attach(module, kept[who].name, int(n))
            print('%.3f' % us, flush=True)
    finally:
        track(True)
        for shm in kept.values():
            shm.close()
            shm.unlink()


if __name__ == '__main__':
    main()
