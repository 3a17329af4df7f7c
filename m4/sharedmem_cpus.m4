# SHAREDMEM_CPUS
# How the library learns how many CPUs the process may run on, which
# decides whether its waits may poll before they sleep (src/spin.c): the
# process's affinity mask where the system has one to ask (Linux), else
# the number of CPUs online.  Where neither is known, waits never poll.
AC_DEFUN([SHAREDMEM_CPUS], [
AC_CACHE_CHECK([whether sched_getaffinity() and CPU_COUNT() count a process's CPUs],
  [sharedmem_cv_cpu_affinity],
  [AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <sched.h>]], [[
cpu_set_t set;
if (sched_getaffinity(0, sizeof(set), &set) == -1)
	return 1;
return CPU_COUNT(&set) < 1;]])],
    [sharedmem_cv_cpu_affinity=yes], [sharedmem_cv_cpu_affinity=no])])
AS_IF([test "x$sharedmem_cv_cpu_affinity" = xyes],
  [AC_DEFINE([HAVE_CPU_AFFINITY], [1],
    [Define if sched_getaffinity() and CPU_COUNT() tell how many CPUs a process may use.])])
AC_CHECK_DECLS([_SC_NPROCESSORS_ONLN], [], [], [[#include <unistd.h>]])
])
