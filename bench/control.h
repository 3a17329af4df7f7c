/*
 * control.h - what bench/control's files share: the lock contended by two
 * processes (contend.c), Python's SharedMemory, run by a python3 process
 * that stays for the whole program (python.c), and the library's system
 * calls without the library (floor.c).
 */
#ifndef BENCH_CONTROL_H
#define BENCH_CONTROL_H

#include "sharedmem.h"

/*
 * Two processes, on the first CPU and the second, take the lock in turn
 * and add 1 to a counter while they hold it: the lock of shm, or with
 * semid other than -1, semaphore 0 of that set with the operations that
 * sharedmem(7) gives the lock, and no polling.  shm's segment holds their
 * flags and counts.  Returns the time of one lock+unlock, in microseconds,
 * over seconds after warm seconds; dies if the counter went wrong.
 */
double contend(sharedmem *shm, int semid, double warm, double seconds);

/*
 * Starts python3 with script, control.py, and the directory of the
 * sharedmem module; returns 0, or -1 where that cannot be done (no
 * python3).  python_time() asks it for the time of one cycle, in
 * microseconds, over n cycles: what is "cycle" (create+close+unlink) or
 * "attach" (attach by name+close), of module "cpython" (its resource
 * tracker as shipped), "cpython-quiet" (the tracker doing nothing, cycles
 * only) or "drop-in" (the sharedmem module); -1 if that module is
 * missing, or if python3 failed, which is then stopped.  python_stop()
 * ends it.
 */
int python_start(const char *script, const char *module_dir);
double python_time(const char *what, const char *module, long n);
void python_stop(void);

/*
 * The library's system calls alone (floor.c): floor_set_up() takes the
 * key directory, the segments' size, and the key file and shmid of a name
 * that floor_attach() attaches as the library would; floor_cycle() makes,
 * publishes, removes and closes a name's files and segment.  Both die on
 * any failure.
 */
void floor_set_up(const char *dir, size_t size, const char *keyfile,
    int shmid);
void floor_cycle(void);
void floor_attach(void);

#endif /* BENCH_CONTROL_H */
