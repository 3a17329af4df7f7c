#!/bin/sh
# python_pool.sh - python/sharedmem.py's SharedMemory and ShareableList in
# the workers of multiprocessing's pools, under each start method: runs
# tests/python_pool.py with each Python (tests/python-env.sh).  Run
# through tests/run-test.sh, which gives the test a key directory of its
# own in $SHAREDMEM_DIR.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
. "$top_srcdir/tests/python-env.sh"
exec "$python" "$top_srcdir/tests/python_pool.py"
