# SHAREDMEM_TIME_ABI
# struct timespec crosses the library's interface (the timed lock and
# wait).  Where the C library lets a program choose the width of time_t
# (glibc's _TIME_BITS on 32-bit systems), a program must choose as the
# library was built; sharedmem.pc's Cflags carry the flags that chose it.
AC_DEFUN([SHAREDMEM_TIME_ABI], [
AC_CACHE_CHECK([whether time_t is made 64 bits by _TIME_BITS],
  [sharedmem_cv_time_bits],
  [AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[#include <time.h>
#if !defined _TIME_BITS || _TIME_BITS != 64
#error time_t is the C library's default
#endif]], [])],
    [sharedmem_cv_time_bits=yes], [sharedmem_cv_time_bits=no])])
SHAREDMEM_ABI_CFLAGS=
AS_IF([test "x$sharedmem_cv_time_bits" = xyes],
  [SHAREDMEM_ABI_CFLAGS="-D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64"])
AC_SUBST([SHAREDMEM_ABI_CFLAGS])
])
