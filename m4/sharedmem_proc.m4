# SHAREDMEM_PROC_STATE
# Whether /proc/PID/stat tells a process's state, and so a zombie (Z)
# from a process that runs, as Linux's does: kill(pid, 0) succeeds for
# both, and gc (src/gc.c) must not take a create that died, and that its
# parent has not reaped, for one under way.  Asked of a real zombie; a
# cross build, which cannot run it, does without.
AC_DEFUN([SHAREDMEM_PROC_STATE], [
AC_CACHE_CHECK([whether /proc/PID/stat shows a zombie as one],
  [sharedmem_cv_proc_state],
  [AC_RUN_IFELSE([AC_LANG_PROGRAM([[
#include <sys/types.h>
#include <sys/wait.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>]], [[
char path[64], buf[1024], *p;
siginfo_t si;
FILE *f;
size_t n;
int zombie;
pid_t pid = fork();

if (pid == -1)
	return 1;
if (pid == 0)
	_exit(0);
/* Exited, and left unreaped. */
if (waitid(P_PID, pid, &si, WEXITED | WNOWAIT) == -1)
	return 1;
(void)snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
zombie = 0;
if ((f = fopen(path, "r")) != NULL) {
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	(void)fclose(f);
	p = strrchr(buf, ')');
	zombie = p != NULL && p[1] == ' ' && p[2] == 'Z';
}
(void)waitpid(pid, NULL, 0);
return !zombie;]])],
    [sharedmem_cv_proc_state=yes], [sharedmem_cv_proc_state=no],
    [sharedmem_cv_proc_state=no])])
AS_IF([test "x$sharedmem_cv_proc_state" = xyes],
  [AC_DEFINE([HAVE_PROC_PID_STAT_STATE], [1],
    [Define if /proc/PID/stat gives a process's state, Z for a zombie.])])
])
