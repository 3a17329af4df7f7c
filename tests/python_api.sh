#!/bin/sh
# python_api.sh - python/sharedmem.py against what Python's own
# SharedMemory does, and its lock, semaphores and library search: runs
# tests/python_api.py with each Python (tests/python-env.sh), skipped
# where there is none.  Run through tests/run-test.sh, which gives the
# test a key directory of its own in $SHAREDMEM_DIR.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
. "$top_srcdir/tests/python-env.sh"
exec "$python" "$top_srcdir/tests/python_api.py"
