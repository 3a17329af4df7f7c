# control.py: Python's SharedMemory for bench/control, which runs it once
# and sends it lines of "tracked N" or "untracked N" on standard input.
# For each, it makes N create+close+unlink cycles of a SharedMemory of
# 4096 bytes, with Python's resource tracker, or with its register and
# unregister made to do nothing, and prints the time of one cycle in
# microseconds.
import sys
import time
from multiprocessing import resource_tracker, shared_memory


def untracked(*args):
    pass


def run(n):
    start = time.perf_counter()
    for _ in range(n):
        shm = shared_memory.SharedMemory(create=True, size=4096)
        shm.close()
        shm.unlink()
    return (time.perf_counter() - start) / n * 1e6


def main():
    register = resource_tracker.register
    unregister = resource_tracker.unregister
    for line in sys.stdin:
        mode, n = line.split()
        if mode == "tracked":
            resource_tracker.register = register
            resource_tracker.unregister = unregister
        else:
            resource_tracker.register = untracked
            resource_tracker.unregister = untracked
        print("%.3f" % run(int(n)), flush=True)


if __name__ == "__main__":
    main()
