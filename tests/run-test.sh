#!/bin/sh
# run-test.sh PROGRAM [ARG...]: the LOG_COMPILER of every test.
#
# Gives the test a key directory of its own (SHAREDMEM_DIR), and sweeps it
# afterwards, even when the test fails or is interrupted: whatever the test
# left - key files, segments - is removed, and reported as a failure.
# SHAREDMEM_TEST_WRAPPER (for example "valgrind --error-exitcode=1") is put
# before C test programs, and then SHAREDMEM_EMULATOR, which a cross build
# runs them with.
set -u
: "${top_builddir:=.}"

case $1 in
*/sh|sh|*/bash|bash|*/dash|dash|*/ksh|ksh)
	shell=$1; shift ;;
*)	shell= ;;
esac

keydirs=$top_builddir/tests/keydirs
mkdir -p "$keydirs" || exit 99
dir=$(cd "$keydirs" && pwd)/$(basename "$1").$$
rm -rf "$dir" && mkdir "$dir" || exit 99
SHAREDMEM_DIR=$dir
export SHAREDMEM_DIR

sweep() {
	"$top_builddir/tests/sweep" "$dir"
	swept=$?
	rm -rf "$dir"
}
trap 'sweep; exit 99' HUP INT TERM

if test -n "$shell"; then
	"$shell" "$@"
else
	${SHAREDMEM_TEST_WRAPPER-} ${SHAREDMEM_EMULATOR-} "$@"
fi
status=$?
trap - HUP INT TERM
sweep
case $swept in
0)	exit $status ;;
1)	echo "Bail out! the test left objects behind (removed now; see above)"
	exit 1 ;;
*)	echo "Bail out! the test left objects that could not be removed"
	exit 1 ;;
esac
