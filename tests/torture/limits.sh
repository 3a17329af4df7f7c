#!/bin/sh
# limits.sh - resource exhaustion: no segment ids left, a size over SHMMAX,
# over SHMALL, no file descriptors left, a full key directory.  Each must
# fail with a clear errno and leave nothing half made: no key file, no
# private file, no segment.
#
# The limits are lowered inside a private IPC namespace (unshare --ipc),
# where /proc/sys/kernel/shm* are the namespace's own, and the full file
# system is a tiny tmpfs in a private mount namespace (unshare --mount):
# the machine's limits and mounts are never touched, and whatever is left
# in the namespace goes with it.  Linux only; skipped where unshare is
# missing or refused.  Leftovers are looked for all the same, since one
# would be a bug.  Run through tests/run-test.sh (the key directories here
# are made under $TMPDIR, on purpose: nothing made in the namespace may
# reach the test's own key directory and its sweep).
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"

helper=$top_builddir/tests/torture/limits_helper

if test "${1-}" != inside; then
	if test -z "${SHAREDMEM_DIR-}" || test ! -d "$SHAREDMEM_DIR"; then
		echo "Bail out! no key directory: run through tests/run-test.sh"
		exit 99
	fi
	if test ! -x "$helper"; then
		echo "Bail out! $helper is not built"
		exit 99
	fi
	if test "$(uname -s)" != Linux; then
		echo "1..0 # SKIP needs Linux, whose IPC namespaces have limits" \
		    "of their own"
		exit 0
	fi
	if ! command -v unshare >/dev/null 2>&1; then
		echo "1..0 # SKIP no unshare(1)"
		exit 0
	fi
	outer_ns=$(readlink /proc/self/ns/ipc 2>/dev/null)
	if test -z "$outer_ns"; then
		echo "1..0 # SKIP no /proc/self/ns/ipc to tell namespaces apart"
		exit 0
	fi
	# A private mount namespace too if possible; a user namespace where
	# the caller is no root.
	for how in "--ipc --mount" "--ipc" \
	    "--map-root-user --ipc --mount" "--map-root-user --ipc"; do
		# shellcheck disable=SC2086
		if unshare $how true >/dev/null 2>&1; then
			LIMITS_OUTER_NS=$outer_ns
			LIMITS_UNSHARE=$how
			export LIMITS_OUTER_NS LIMITS_UNSHARE
			# shellcheck disable=SC2086
			exec unshare $how /bin/sh "$0" inside
		fi
	done
	echo "1..0 # SKIP unshare --ipc is refused here"
	exit 0
fi

# Inside the namespaces from here on.
tmp=
fs=
cleanup() {
	if test -n "$fs"; then
		umount "$fs" 2>/dev/null
	fi
	test -z "$tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' HUP INT TERM

# in_private_ns: this shell's IPC namespace is not the one it was run in.
in_private_ns() {
	test -n "${LIMITS_OUTER_NS-}" &&
	    here=$(readlink /proc/self/ns/ipc 2>/dev/null) &&
	    test -n "$here" && test "$here" != "$LIMITS_OUTER_NS"
}

if ! in_private_ns; then
	echo "Bail out! not in a private IPC namespace"
	exit 99
fi

# setlimit NAME VALUE: sets /proc/sys/kernel/NAME, the namespace's own;
# fails where it may not be written.  Makes sure once more, before each
# write, that this is not the machine's namespace.
setlimit() {
	if ! in_private_ns; then
		echo "Bail out! refusing to write /proc/sys/kernel/$1 outside" \
		    "a private IPC namespace"
		exit 99
	fi
	{ echo "$2" >"/proc/sys/kernel/$1"; } 2>/dev/null &&
	    test "$(cat "/proc/sys/kernel/$1")" = "$2"
}

# segments: how many segments the namespace holds.
segments() {
	if command -v ipcs >/dev/null 2>&1; then
		ipcs -m | grep -c '^0x'
	else
		sed 1d /proc/sysvipc/shm | wc -l | tr -d ' '
	fi
}

state() {
	echo "files: $(ls -A "$keys" | tr '\n' ' ')segments: $(segments)"
}

# snapshot, then unchanged: the key directory and the segments are as
# they were at the snapshot.
snapshot() {
	before=$(state)
}
unchanged() {
	after=$(state)
	test "$after" = "$before" && return 0
	echo "# before: $before"
	echo "# after:  $after"
	return 1
}

# call [-f FREE] COMMAND ARG...: runs the helper on the key directory
# $keys; $out is what it printed, $status its exit status.
call() {
	out=$(SHAREDMEM_DIR=$keys "$helper" "$@")
	status=$?
	test "$status" -le 1 || echo "# limits_helper $*: exit status $status"
}

. "$top_srcdir/tests/tap.sh"
explain_failure() {
	echo "# limits_helper said ${out-nothing}, status ${status-none}"
}

skip() {
	count=$1
	shift
	while test "$count" -gt 0; do
		n=$((n + 1))
		echo "ok $n # SKIP $*"
		count=$((count - 1))
	done
}

said() {
	test "$out" = "$1"
}
worked() {
	test "$status" -eq 0 && test "${out%% *}" = ok
}
# nothing_left: the key directory is empty and the namespace holds no
# segment.
nothing_left() {
	test -z "$(ls -A "$keys")" && test "$(segments)" -eq 0
}

# remove NAME...: removes the names, which must be there.
remove() {
	for name in "$@"; do
		call remove "$name"
		test "$status" -eq 0 ||
		    echo "# cannot remove $name: $out"
	done
}

tmp=${TMPDIR:-/tmp}/sharedmem-limits.$$
(umask 077 && mkdir "$tmp") || { echo "Bail out! cannot make $tmp"; exit 99; }
keys=$tmp/keys
mkdir "$keys" || { echo "Bail out! cannot make $keys"; exit 99; }

echo "# unshare $LIMITS_UNSHARE"
check "in an IPC namespace of its own, which holds no segment" \
    test "$(segments)" -eq 0

# No segment identifiers left: SHMMNI.
mni=$(cat /proc/sys/kernel/shmmni)
if setlimit shmmni 2; then
	call create id1 64 && call create id2 64
	check "shmmni 2: two creates work" worked
	snapshot
	call create id3 64
	check "a third create fails with ENOSPC" said ENOSPC
	check "... and leaves nothing: two names, two segments" unchanged
	call random 64
	check "a create of a random name fails with ENOSPC too" said ENOSPC
	check "... and leaves nothing" unchanged
	remove id1 id2
	setlimit shmmni "$mni" || echo "# cannot restore shmmni $mni"
else
	skip 5 "cannot write /proc/sys/kernel/shmmni in the namespace"
fi

# Over SHMMAX.
max=$(cat /proc/sys/kernel/shmmax)
if setlimit shmmax 65536; then
	snapshot
	call create big 65537
	check "shmmax 65536: a create of 65537 bytes fails with EINVAL" \
	    said EINVAL
	check "... and leaves nothing" unchanged
	call create edge 65536
	check "a create of 65536 bytes works" worked
	remove edge
	setlimit shmmax "$max" || echo "# cannot restore shmmax $max"
else
	skip 3 "cannot write /proc/sys/kernel/shmmax in the namespace"
fi

# Over SHMALL, in pages.
all=$(cat /proc/sys/kernel/shmall)
page=$(getconf PAGESIZE 2>/dev/null || getconf PAGE_SIZE 2>/dev/null)
case $page in
''|*[!0-9]*) page=4096 ;;
esac
if setlimit shmall 4; then
	call create all1 $((2 * page)) && call create all2 $((2 * page))
	check "shmall 4 pages: two creates of 2 pages each work" worked
	snapshot
	call create all3 1
	case $out in
	ENOSPC|ENOMEM) echo "# over shmall: $out" ;;
	esac
	check "a create of one byte more fails with ENOSPC or ENOMEM" \
	    eval 'said ENOSPC || said ENOMEM'
	check "... and leaves nothing: two names, two segments" unchanged
	remove all1 all2
	setlimit shmall "$all" || echo "# cannot restore shmall $all"
else
	skip 3 "cannot write /proc/sys/kernel/shmall in the namespace"
fi

# No file descriptors left.
snapshot
call -f 0 create fd1 64
check "no descriptor free: create fails with EMFILE" said EMFILE
check "... and leaves nothing" unchanged
call -f 0 random 64
check "no descriptor free: a create of a random name fails with EMFILE" \
    said EMFILE
check "... and leaves nothing" unchanged
call create fd2 64
snapshot
call -f 0 attach fd2
check "no descriptor free: attach fails with EMFILE" said EMFILE
check "... and changes nothing" unchanged
call create fd3 64 && call kill fd3
snapshot
call -f 1 create fd3 64
check "one descriptor free: a create over a stale name fails with EMFILE" \
    said EMFILE
check "... and leaves only the stale name there before" unchanged
call -f 1 create fd4 64
check "one descriptor free is enough for a create of a new name" worked
remove fd2 fd4
call remove fd3
check "the stale name is removed, with ENOENT" said ENOENT
check "the key directory is empty, the namespace holds no segment" \
    nothing_left

# A full key directory file system: a tmpfs of its own, in a private
# mount namespace.
case $LIMITS_UNSHARE in
*--mount*)
	fs=$tmp/fs
	mkdir "$fs" && mount -t tmpfs -o size=8k,mode=0700 tmpfs "$fs" \
	    2>/dev/null || fs=
	;;
*)	fs= ;;
esac
if test -n "$fs"; then
	keys=$fs/keys
	mkdir "$keys"
	# The space is gone; the inodes are not.
	dd if=/dev/zero of="$fs/fill" bs=1024 count=64 2>/dev/null
	if { echo x >"$fs/probe"; } 2>/dev/null; then
		skip 2 "cannot fill a tmpfs of 8k"
	else
		rm -f "$fs/probe"
		snapshot
		call create full 64
		check "no space left in the key directory: ENOSPC" \
		    said ENOSPC
		check "... and leaves nothing" nothing_left
	fi
	umount "$fs"

	# No inodes left, then one: the private file can be made, but its
	# link to the name needs one more on tmpfs.
	if mount -t tmpfs -o size=64k,nr_inodes=16,mode=0700 tmpfs "$fs"
	then
		mkdir "$keys"
		i=0
		# A redirection that fails ends the shell if made for a
		# special built-in such as ':'; printf is none.
		while test "$i" -lt 100 &&
		    { printf "" >"$fs/f$i"; } 2>/dev/null; do
			i=$((i + 1))
		done
		call create full 64
		check "no inodes left in the key directory: ENOSPC" \
		    said ENOSPC
		check "... and leaves nothing" nothing_left
		rm -f "$fs/f0"
		call create full 64
		if worked; then
			echo "# one inode free: create works (links take none)"
			check "one inode free: create works" worked
			remove full
			check "... and leaves nothing" nothing_left
		else
			check "one inode free: the link fails with ENOSPC" \
			    said ENOSPC
			check "... and leaves nothing" nothing_left
		fi
		umount "$fs"
	else
		skip 4 "cannot mount a tmpfs in the namespace"
	fi
	fs=
	keys=$tmp/keys
else
	skip 6 "cannot mount a tmpfs in a private mount namespace"
fi

check "the key directory is empty, the namespace holds no segment" \
    nothing_left
echo "1..$n"
