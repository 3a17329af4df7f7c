#!/bin/sh
# devshm_small.sh - a container's /dev/shm: a tmpfs of 64 MiB, as Docker
# gives every container by default.  POSIX shared memory lives there, and
# a segment larger than it is made without complaint, then its process
# dies of SIGBUS when it touches the page past the end.  System V
# segments do not live there: the C library and the Python module make
# and fill 256 MiB, with their key files on that /dev/shm.  CPython's own
# SharedMemory, run there as a control, dies of SIGBUS, which proves that
# the setup bites.
#
# Runs as root in mount and IPC namespaces of its own (tests/namespace.sh);
# skipped elsewhere.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"
. "$top_srcdir/tests/namespace.sh"

tool=$top_builddir/src/sharedmem

if ! mount_shm size=64m; then
	echo "1..0 # SKIP cannot mount a tmpfs on /dev/shm"
	exit 0
fi
SHAREDMEM_DIR=/dev/shm
export SHAREDMEM_DIR
big=268435456		# 256 MiB
echo "1..8"

# The C library, through the tool: made, filled from standard input, read
# back at its last byte.
run "sharedmem create big 256M" "$tool" create big 256M
check "the library creates 256 MiB with a 64 MiB /dev/shm" \
    test "$status" -eq 0
run "fill big" sh -c "head -c $big /dev/zero | tr '\\000' '\\245' |
    '$tool' write big && '$tool' dump big -o $((big - 1)) -c 1"
check "...fills it, all 256 MiB, and reads its last byte back" eval \
    'test "$status" -eq 0 && printf "%s\n" "$out" | grep "a5\$" >/dev/null'
run "ls /dev/shm" ls -l /dev/shm
used=$(du -sk /dev/shm | awk '{ print $1 }')
check "...with nothing in /dev/shm but its key file: ${used} KiB used" \
    eval 'test "$used" -le 64 && test "$(ls /dev/shm)" = sharedmem.big'
run "sharedmem rm big" "$tool" rm big
check "...and removes it" eval 'test "$status" -eq 0 && test -z "$(segments)"'

if ! python_runs; then
	for i in 5 6 7 8; do
		echo "ok $i # SKIP python3 cannot load the module here"
	done
	exit 0
fi

# The drop-in, with warnings as errors.
run "the module: 256 MiB, filled" env PYTHONPATH="$top_builddir/python" \
    python3 -W error -c '
import sys
from sharedmem import SharedMemory
size = int(sys.argv[1])
shm = SharedMemory(create=True, size=size)
chunk = b"\xa5" * (1 << 20)
for at in range(0, size, len(chunk)):
    shm.buf[at:at + len(chunk)] = chunk
assert shm.buf[size - 1] == 0xa5 and shm.size == size
name = shm.name
shm.close()
shm.unlink()
print("filled", name)' "$big"
check "the Python module creates and fills 256 MiB, with no warning" \
    eval 'test "$status" -eq 0 && test "$out" = "filled ${out#filled }" &&
          test "$(printf "%s\n" "$out" | wc -l)" -eq 1'
check "...and leaves nothing behind" \
    eval 'test -z "$(ls -A /dev/shm)" && test -z "$(segments)"'

# The control: CPython's own, on POSIX shared memory in /dev/shm.
run "CPython's SharedMemory: 256 MiB, filled" python3 -c '
import sys
from multiprocessing.shared_memory import SharedMemory
size = int(sys.argv[1])
shm = SharedMemory(create=True, size=size)
chunk = b"\xa5" * (1 << 20)
for at in range(0, size, len(chunk)):
    shm.buf[at:at + len(chunk)] = chunk
print("filled")' "$big"
signal=
test "$status" -gt 128 && signal=$(kill -l $((status - 128)) 2>/dev/null)
check "CPython's SharedMemory, the control, is killed by SIGBUS there: $signal" \
    test "$signal" = BUS
# Its resource tracker removes its segment once it sees it died.
gone() {
	test -z "$(ls -A /dev/shm)"
}
. "$top_srcdir/tests/within.sh"
check "...whose segment its resource tracker then removes" within gone
