#!/bin/sh
# devshm_faults.sh - a key directory that a create cannot use: missing,
# on a read-only file system, or full, as a container's /dev/shm may be.
# The tool, the C demos and the Python module each fail with a message
# that names the key directory and SHAREDMEM_DIR, and leave nothing
# behind: no file, no segment, no semaphore set.
#
# Runs as root in mount and IPC namespaces of its own (tests/namespace.sh),
# with a fresh tmpfs on /dev/shm for each case and the key directory
# /dev/shm/keys in it (or, once, /dev/shm itself, the default, with
# SHAREDMEM_DIR unset); skipped elsewhere.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
. "$top_srcdir/tests/namespace.sh"

tool=$top_builddir/src/sharedmem
demo=$top_builddir/examples/process1_uint8
explain_more() {
	ls -lA "$keys" 2>/dev/null | sed 's/^/# key directory: /'
	segments | sed 's/^/# left: /'
}

if ! mount_shm size=1m; then
	echo "1..0 # SKIP cannot mount a tmpfs on /dev/shm"
	exit 0
fi
python=false
python_runs && python=true
# The default key directory, where SHAREDMEM_DIR is not set.
default=$(env -u SHAREDMEM_DIR "$tool" -h 2>&1 |
    sed -n 's/^ *built in (now: \(.*\))$/\1/p')
echo "1..24"

# nothing_left: the key directory holds no file, and the namespace no
# segment or set.
nothing_left() {
	test -z "$(ls -A "$keys" 2>/dev/null)" && test -z "$(segments)"
}

# refused CASE WHAT: the three create in the key directory $keys, and each
# fails saying "the key directory $keys WHAT" and naming SHAREDMEM_DIR.
refused() {
	said="the key directory $keys $2 ("
	run "sharedmem create x 64" "$tool" create x 64
	check "$1: the tool fails naming the key directory and SHAREDMEM_DIR" \
	    eval 'test "$status" -ne 0 && case $out in
	        "sharedmem: x: $said"*SHAREDMEM_DIR*) true ;; *) false ;; esac'
	check "$1: ...and leaves nothing" nothing_left
	run "process1_uint8 -n 1 -i 0" "$demo" -n 1 -i 0
	check "$1: a C demo fails naming the key directory and SHAREDMEM_DIR" \
	    eval 'test "$status" -eq 1 && case $out in
	        "process1_uint8: MyMemory: cannot create it: $said"*SHAREDMEM_DIR*)
	            true ;; *) false ;; esac'
	check "$1: ...and leaves nothing" nothing_left
	if $python; then
		run "SharedMemory('x', create=True, size=64)" \
		    env PYTHONPATH="$top_builddir/python" python3 -W error -c '
import sys
from sharedmem import SharedMemory
try:
    SharedMemory("x", create=True, size=64)
except OSError as e:
    print(e)
    sys.exit(1)'
		check "$1: Python's exception names the key directory and SHAREDMEM_DIR" \
		    eval 'test "$status" -eq 1 && case $out in
		        "[Errno "*"] $said"*SHAREDMEM_DIR*) true ;;
		        *) false ;; esac'
		check "$1: ...and leaves nothing" nothing_left
	else
		n=$((n + 2))
		echo "ok $((n - 1)) # SKIP python3 cannot load the module here"
		echo "ok $n # SKIP python3 cannot load the module here"
	fi
}

SHAREDMEM_DIR=/dev/shm/keys
export SHAREDMEM_DIR
keys=$SHAREDMEM_DIR
refused "missing" "does not exist"

mount_shm size=1m && mkdir "$keys" && mount -o remount,ro /dev/shm ||
    echo "Bail out! cannot make a read-only /dev/shm"
refused "read-only" "is on a read-only file system"

# Space for one page, which a file takes.
mount_shm size=8k && mkdir "$keys" ||
    echo "Bail out! cannot make a small /dev/shm"
dd if=/dev/zero of=/dev/shm/fill bs=4096 count=16 2>/dev/null
if { echo x >"$keys/probe"; } 2>/dev/null; then
	echo "Bail out! cannot fill a tmpfs of 8k"
fi
rm -f "$keys/probe"
refused "full" "is full"

# The default, itself on a read-only file system.
unset SHAREDMEM_DIR
keys=$default
if test "$default" = /dev/shm; then
	mount_shm size=1m && mount -o remount,ro /dev/shm ||
	    echo "Bail out! cannot make a read-only /dev/shm"
	refused "read-only, the default" "is on a read-only file system"
else
	for i in 19 20 21 22 23 24; do
		echo "ok $i # SKIP the default key directory is $default, not /dev/shm"
	done
fi
