# SHAREDMEM_BOOT_IDENTITY
# How the library tells one run of the system from the next (src/boot.c):
# sysctl on macOS and the BSDs (Linux reads /proc at run time and needs
# nothing here), and the compiler's atomics, with which a process reads
# its identity once instead of at every create and attach.
AC_DEFUN([SHAREDMEM_BOOT_IDENTITY], [
AC_CHECK_HEADERS([sys/sysctl.h], [], [], [[#include <sys/types.h>]])
AC_CHECK_FUNCS([sysctlbyname sysctl])
AC_CHECK_DECLS([CTL_KERN, KERN_BOOTTIME], [], [],
  [[#include <sys/types.h>
#ifdef HAVE_SYS_SYSCTL_H
#include <sys/sysctl.h>
#endif]])
AC_CACHE_CHECK([for the compiler's __atomic builtins],
  [sharedmem_cv_atomic_builtins],
  [AC_LINK_IFELSE([AC_LANG_PROGRAM([[static int state;]], [[
int expected = 0;
if (__atomic_compare_exchange_n(&state, &expected, 1, 0, __ATOMIC_ACQUIRE,
    __ATOMIC_RELAXED))
	__atomic_store_n(&state, 2, __ATOMIC_RELEASE);
return __atomic_load_n(&state, __ATOMIC_ACQUIRE) != 2;]])],
    [sharedmem_cv_atomic_builtins=yes], [sharedmem_cv_atomic_builtins=no])])
AS_IF([test "x$sharedmem_cv_atomic_builtins" = xyes],
  [AC_DEFINE([HAVE_ATOMIC_BUILTINS], [1],
    [Define if the compiler has the __atomic builtins of GCC and clang.])])
])
