# SHAREDMEM_CHECK_CFLAG(FLAG, [VARIABLE = SHAREDMEM_CFLAGS], [PROGRAM])
# Appends FLAG to VARIABLE when the compiler takes it, and PROGRAM with
# it, without a warning (clang only warns about flags it does not know).
AC_DEFUN([SHAREDMEM_CHECK_CFLAG], [
AS_VAR_PUSHDEF([sharedmem_var], [sharedmem_cv_cflag_$1])
AC_CACHE_CHECK([whether $CC accepts $1], [sharedmem_var], [
  sharedmem_save_CFLAGS=$CFLAGS
  CFLAGS="$CFLAGS -Werror $1"
  AC_COMPILE_IFELSE([m4_default([$3], [AC_LANG_PROGRAM([], [])])],
    [AS_VAR_SET([sharedmem_var], [yes])], [AS_VAR_SET([sharedmem_var], [no])])
  CFLAGS=$sharedmem_save_CFLAGS])
AS_VAR_IF([sharedmem_var], [yes],
  [m4_default([$2], [SHAREDMEM_CFLAGS])="$m4_default([$2], [SHAREDMEM_CFLAGS]) $1"])
AS_VAR_POPDEF([sharedmem_var])
])

# SHAREDMEM_HIDE_INTERNALS
# Builds the library with its functions hidden but those that sharedmem.h
# marks SHAREDMEM_API, where the compiler can: calls between its own
# files then go straight, and nothing of its inside shows.
AC_DEFUN([SHAREDMEM_HIDE_INTERNALS], [
VISIBILITY_CFLAGS=
SHAREDMEM_CHECK_CFLAG([-fvisibility=hidden], [VISIBILITY_CFLAGS],
  [AC_LANG_PROGRAM([[__attribute__((__visibility__("default"))) int f(void);
int f(void) { return 0; }]], [[return f();]])])
AS_IF([test -n "$VISIBILITY_CFLAGS"],
  [AC_DEFINE([SHAREDMEM_VISIBILITY], [1],
    [Define if the compiler hides what the library does not export.])])
AC_SUBST([VISIBILITY_CFLAGS])
])

# SHAREDMEM_WARNINGS
# Turns on the warnings the compiler knows; --enable-werror makes them
# errors.  -Werror goes last, so that it cannot upset the checks above.
AC_DEFUN([SHAREDMEM_WARNINGS], [
AC_ARG_ENABLE([warnings],
  [AS_HELP_STRING([--disable-warnings], [do not add warning flags])],
  [], [enable_warnings=yes])
AC_ARG_ENABLE([werror],
  [AS_HELP_STRING([--enable-werror], [treat compiler warnings as errors])],
  [], [enable_werror=no])
SHAREDMEM_CFLAGS=
AS_IF([test "x$enable_warnings" = xyes], [
  for sharedmem_flag in -Wall -Wextra -Wshadow -Wpointer-arith \
      -Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings \
      -Wformat=2 -Wundef -Wvla; do
    SHAREDMEM_CHECK_CFLAG([$sharedmem_flag])
  done])
AS_IF([test "x$enable_werror" = xyes], [SHAREDMEM_CHECK_CFLAG([-Werror])])
AC_SUBST([SHAREDMEM_CFLAGS])
])
