# SHAREDMEM_NO_INSTALL
# Programs that are not installed are linked with -no-install, so that
# they run from the build tree as they are, and valgrind and gdb see them
# rather than libtool's wrapper scripts.  Where a program needs its
# wrapper to find the uninstalled shared library (macOS, Windows),
# libtool ignores -no-install with a warning; there the programs get what
# libtool does instead, -no-fast-install.  libtool itself is asked.
AC_DEFUN([SHAREDMEM_NO_INSTALL], [
AC_REQUIRE([LT_OUTPUT])
AC_MSG_CHECKING([whether libtool links programs to run uninstalled without a wrapper])
AS_IF([test -z "`$SHELL ./libtool --silent --dry-run --mode=link $CC \
    -no-install -o conftest conftest.$ac_objext 2>&1`"],
  [NO_INSTALL_LDFLAGS=-no-install
   AC_MSG_RESULT([yes])],
  [NO_INSTALL_LDFLAGS=-no-fast-install
   AC_MSG_RESULT([no])])
AC_SUBST([NO_INSTALL_LDFLAGS])
])
