# SHAREDMEM_C99
# The sources are C99; autoconf before 2.70 does not ask for it by itself.
AC_DEFUN([SHAREDMEM_C99], [
m4_version_prereq([2.70], [], [AC_PROG_CC_C99])
])

# SHAREDMEM_SYSV_SHM
# Stops configure where System V shared memory is missing, because the
# library is nothing without it.
AC_DEFUN([SHAREDMEM_SYSV_SHM], [
AC_CHECK_HEADERS([sys/ipc.h sys/shm.h sys/sem.h], [],
  [AC_MSG_FAILURE([<$ac_header> is missing: this system has no System V IPC, which sharedmem needs.])],
  [[#include <sys/types.h>]])
AC_CHECK_TYPES([key_t], [],
  [AC_MSG_FAILURE([key_t is not defined by <sys/types.h> or <sys/ipc.h>.])],
  [[#include <sys/types.h>
#include <sys/ipc.h>]])
dnl Some old systems keep the IPC calls in a library of their own.
AC_SEARCH_LIBS([shmget], [ipc cygipc])
for sharedmem_func in ftok shmget shmat shmdt shmctl semget semop semctl; do
  AC_CHECK_FUNC([$sharedmem_func], [],
    [AC_MSG_FAILURE([$sharedmem_func() is missing: this system has no usable System V shared memory, which sharedmem needs.])])
done
])

# SHAREDMEM_SYSV_EXTRAS
# What the lock and the page options use where the system has it, with a
# portable way round where it has not: a timed semop, a clock that is not
# set, the kernel's page population, and huge pages for System V segments
# (Linux makes them with shmget, Solaris maps them with shmat).
AC_DEFUN([SHAREDMEM_SYSV_EXTRAS], [
AC_CHECK_FUNCS([semtimedop madvise mincore])
AC_SEARCH_LIBS([clock_gettime], [rt],
  [AC_DEFINE([HAVE_CLOCK_GETTIME], [1], [Define if clock_gettime() is there.])])
AC_CHECK_DECLS([CLOCK_MONOTONIC], [], [], [[#include <time.h>]])
AC_CHECK_DECLS([MADV_POPULATE_WRITE, MADV_POPULATE_READ], [], [],
  [[#include <sys/types.h>
#include <sys/mman.h>]])
AC_CHECK_DECLS([SHM_HUGETLB, SHM_SHARE_MMU], [], [],
  [[#include <sys/types.h>
#include <sys/ipc.h>
#include <sys/shm.h>]])
dnl The key of a segment in its IPC_STAT, under the name each system
dnl gives it; POSIX has none, and shmget() of the key answers instead.
AC_CHECK_MEMBERS([struct ipc_perm.__key, struct ipc_perm._key,
  struct ipc_perm.key], [], [],
  [[#include <sys/types.h>
#include <sys/ipc.h>]])
])
