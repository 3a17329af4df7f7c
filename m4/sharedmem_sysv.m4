# SHAREDMEM_C99
# The sources are C99; autoconf before 2.70 does not ask for it by itself.
AC_DEFUN([SHAREDMEM_C99], [
m4_version_prereq([2.70], [], [AC_PROG_CC_C99])
])

# SHAREDMEM_SYSV_SHM
# Stops configure where System V shared memory is missing, because the
# library is nothing without it.
AC_DEFUN([SHAREDMEM_SYSV_SHM], [
AC_CHECK_HEADERS([sys/ipc.h sys/shm.h], [],
  [AC_MSG_FAILURE([<$ac_header> is missing: this system has no System V shared memory, which sharedmem needs.])],
  [[#include <sys/types.h>]])
AC_CHECK_TYPES([key_t], [],
  [AC_MSG_FAILURE([key_t is not defined by <sys/types.h> or <sys/ipc.h>.])],
  [[#include <sys/types.h>
#include <sys/ipc.h>]])
dnl Some old systems keep the IPC calls in a library of their own.
AC_SEARCH_LIBS([shmget], [ipc cygipc])
for sharedmem_func in ftok shmget shmat shmdt shmctl; do
  AC_CHECK_FUNC([$sharedmem_func], [],
    [AC_MSG_FAILURE([$sharedmem_func() is missing: this system has no usable System V shared memory, which sharedmem needs.])])
done
])
