# SHAREDMEM_ARG_KEYDIR
# Chooses the default key directory.  Key files should vanish at reboot as
# the segments do, and are cheaper on a memory file system, so a sticky,
# world-writable /dev/shm is preferred where the build system has one.
# Cross builds cannot look at the target, and take /tmp unless told.
AC_DEFUN([SHAREDMEM_ARG_KEYDIR], [
AC_ARG_WITH([keydir],
  [AS_HELP_STRING([--with-keydir=DIR],
    [default directory of the key files (default: /dev/shm where it is a sticky world-writable directory, else /tmp)])],
  [], [with_keydir=check])
AC_MSG_CHECKING([for the key directory])
AS_CASE([$with_keydir],
  [check|yes|""],
    [SHAREDMEM_KEYDIR=/tmp
     dnl "test -w" would ask about the user running configure, not everyone.
     AS_IF([test "$cross_compiling" != yes],
       [AS_CASE([`ls -ld /dev/shm 2>/dev/null`],
         [drwxrwxrwt*], [SHAREDMEM_KEYDIR=/dev/shm])])],
  [no], [AC_MSG_ERROR([--without-keydir makes no sense: the library needs a key directory])],
  [/*], [SHAREDMEM_KEYDIR=$with_keydir],
  [AC_MSG_ERROR([--with-keydir needs an absolute path, not '$with_keydir'])])
AC_MSG_RESULT([$SHAREDMEM_KEYDIR])
AC_DEFINE_UNQUOTED([SHAREDMEM_KEYDIR], ["$SHAREDMEM_KEYDIR"],
  [Default directory of the key files.])
AC_SUBST([SHAREDMEM_KEYDIR])
])
