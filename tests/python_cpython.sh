#!/bin/sh
# python_cpython.sh - CPython's own tests of multiprocessing.shared_memory,
# read from each Python's test package, against python/sharedmem.py: runs
# tests/python_cpython.py with each Python (tests/python-env.sh).  Run
# through tests/run-test.sh, which gives the test a key directory of its
# own in $SHAREDMEM_DIR.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
. "$top_srcdir/tests/python-env.sh"
exec "$python" "$top_srcdir/tests/python_cpython.py"
