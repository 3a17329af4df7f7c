#!/bin/sh
# python_manager.sh - python/sharedmem.py's SharedMemoryManager: what its
# server removes, when, and what nothing else removes: runs
# tests/python_manager.py with each Python (tests/python-env.sh).  Run
# through tests/run-test.sh, which gives the test a key directory of its
# own in $SHAREDMEM_DIR.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
. "$top_srcdir/tests/python-env.sh"
exec "$python" "$top_srcdir/tests/python_manager.py"
