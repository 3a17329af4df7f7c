#!/bin/sh
# python_list.sh - python/sharedmem.py's ShareableList against what
# Python's own does, its layout against CPython's, and lists passed
# between Python and C (tests/shareable_list): runs tests/python_list.py
# with each Python (tests/python-env.sh).  Run through tests/run-test.sh,
# which gives the test a key directory of its own in $SHAREDMEM_DIR.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
. "$top_srcdir/tests/python-env.sh"
exec "$python" "$top_srcdir/tests/python_list.py"
