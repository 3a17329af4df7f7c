# python-env.sh: sourced by the Python tests.  Finds the python3 on the
# PATH, 3.8 or later, and the module made in the build tree, or says why
# the test is skipped (TAP, status 0) or cannot run (status 99).  Sets
# PYTHONPATH to the module's directory, and unsets SHAREDMEM_LIBRARY so
# that the module loads the library it was built with.
if test -z "${SHAREDMEM_DIR-}" || test ! -d "$SHAREDMEM_DIR"; then
	echo "Bail out! no key directory: run through tests/run-test.sh"
	exit 99
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP no python3 on the PATH"
	exit 0
fi
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 8))'; then
	echo "1..0 # SKIP python3 is older than 3.8: $(python3 -V 2>&1)"
	exit 0
fi
if test "${SHAREDMEM_CROSS-}" = yes; then
	echo "1..0 # SKIP the library is built for another machine, which python3 cannot load"
	exit 0
fi
if ! grep "^dlname='..*'" "$top_builddir/libsharedmem.la" >/dev/null; then
	echo "1..0 # SKIP no shared library for ctypes to load (--disable-shared)"
	exit 0
fi
# A library built for another C library (musl) cannot go into this
# python3's process; the C tests test it.
dlname=$(sed -n "s/^dlname='\(.*\)'\$/\1/p" "$top_builddir/libsharedmem.la")
if ! python3 -c 'import ctypes, sys; ctypes.CDLL(sys.argv[1])' \
    "$top_builddir/.libs/$dlname" 2>/dev/null; then
	echo "1..0 # SKIP python3 cannot load .libs/$dlname (built for another C library?)"
	exit 0
fi
if test ! -f "$top_builddir/python/sharedmem.py"; then
	echo "Bail out! $top_builddir/python/sharedmem.py is not made"
	exit 99
fi
PYTHONPATH=$top_builddir/python
# No __pycache__ left in the source tree.
PYTHONDONTWRITEBYTECODE=1
export PYTHONPATH PYTHONDONTWRITEBYTECODE
unset SHAREDMEM_LIBRARY
