#!/bin/sh
# python_sysv_ipc.sh - a name's segment and lock shared with Debian's
# python3-sysv-ipc, a System V client that knows nothing of the library:
# runs tests/python_sysv_ipc.py with each Python (tests/python-env.sh),
# skipped where the module sysv_ipc is missing.  Run through
# tests/run-test.sh, which gives the test a key directory of its own in
# $SHAREDMEM_DIR.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
. "$top_srcdir/tests/python-env.sh"
exec "$python" "$top_srcdir/tests/python_sysv_ipc.py"
