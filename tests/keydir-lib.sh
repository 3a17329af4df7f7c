# keydir-lib.sh - the key directory of a shell test, sourced before it
# makes anything: the one that tests/run-test.sh gave it in
# $SHAREDMEM_DIR, in $dir.  Without one, the test bails out.
if test -z "${SHAREDMEM_DIR-}" || test ! -d "$SHAREDMEM_DIR"; then
	echo "Bail out! no key directory: run through tests/run-test.sh"
	exit 99
fi
dir=$SHAREDMEM_DIR
