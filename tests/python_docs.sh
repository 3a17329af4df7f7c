#!/bin/sh
# python_docs.sh - CPython's documentation examples of
# multiprocessing.shared_memory, read from the installed documentation's
# source, with their imports changed to python/sharedmem.py's: runs
# tests/python_docs.py with each Python (tests/python-env.sh).  Run
# through tests/run-test.sh, which gives the test a key directory of its
# own in $SHAREDMEM_DIR.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
. "$top_srcdir/tests/python-env.sh"
exec "$python" "$top_srcdir/tests/python_docs.py"
