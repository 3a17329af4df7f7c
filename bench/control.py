# control.py N REPEATS: prints the median time, in microseconds, of one
# create+close+unlink of Python's own SharedMemory, over REPEATS runs of
# N cycles each.  bench/control runs it, to set Python beside the library.
import statistics
import sys
import time
from multiprocessing import shared_memory


def run(n):
    start = time.perf_counter()
    for _ in range(n):
        shm = shared_memory.SharedMemory(create=True, size=4096)
        shm.close()
        shm.unlink()
    return (time.perf_counter() - start) / n * 1e6


def main():
    n, repeats = int(sys.argv[1]), int(sys.argv[2])
    print("%.3f" % statistics.median(run(n) for _ in range(repeats)))


if __name__ == "__main__":
    main()
