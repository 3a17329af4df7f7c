# namespace.sh: sourced first by the tests that need a /dev/shm of their
# own, as a container has: runs the test again as root in mount and IPC
# namespaces of its own (unshare(1)), with $SHAREDMEM_NAMESPACE set; or
# skips it where that cannot be done.  Then gives them TAP's checks, and
# how they run a program and show what it said.  Whatever the test leaves in them,
# segments, semaphore sets and the tmpfs it mounts on /dev/shm, goes with
# the namespaces when its last process ends, however it ends.
if test -z "${SHAREDMEM_NAMESPACE-}"; then
	if test "$(id -u)" -ne 0; then
		echo "1..0 # SKIP needs root, for a mount namespace of its own"
		exit 0
	fi
	if ! unshare --mount --ipc true 2>/dev/null; then
		echo "1..0 # SKIP unshare --mount --ipc cannot make namespaces here"
		exit 0
	fi
	SHAREDMEM_NAMESPACE=1
	export SHAREDMEM_NAMESPACE
	exec unshare --mount --ipc --propagation private sh "$0" "$@"
fi

# mount_shm OPTIONS: a fresh tmpfs on /dev/shm, mounted with OPTIONS
# (size=64m...), world-writable and sticky as a system's own.
mount_shm() {
	mount -t tmpfs -o "mode=1777,$1" tmpfs /dev/shm
}

# segments: the segments and semaphore sets of this IPC namespace, one a
# line, which hold only what the test made.
segments() {
	ipcs -m -s 2>/dev/null | awk '$1 ~ /^0x/'
}

# python_runs: whether the python3 on the PATH loads the module in the
# build tree (not where the library is built for another machine).
python_runs() {
	test "${SHAREDMEM_CROSS-}" != yes &&
	    PYTHONPATH=$top_builddir/python python3 -c 'import sharedmem' \
	    >/dev/null 2>&1
}

. "$top_srcdir/tests/tap.sh"

# run DESCRIPTION COMMAND...: runs it, with its output in $out and its
# exit status in $status, which a failed check shows.
out=
run() {
	last=$1
	shift
	out=$("$@" 2>&1 </dev/null)
	status=$?
}
explain_failure() {
	echo "# last: $last: status ${status-none}"
	printf '%s\n' "$out" | sed 's/^/# output: /' | head -20
	explain_more
}
# What else a failed check shows; the test may define its own.
explain_more() {
	:
}
