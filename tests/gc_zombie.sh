#!/bin/sh
# gc_zombie.sh - `sharedmem gc' after a create killed half way whose
# parent does not reap it, as a container's first process that is no
# init does not: the creator is a zombie, which kill(pid, 0) cannot tell
# from a running process.  Where the system tells zombies apart
# (configure's HAVE_PROC_PID_STAT_STATE), gc removes what the create left
# at once; elsewhere it leaves it, and says why, until the zombie is
# reaped.  The create is killed just after its shmget() by
# tests/torture/crashpoint, loaded with LD_PRELOAD.
#
# Run through tests/run-test.sh, which gives the test a key directory of
# its own in $SHAREDMEM_DIR.  Whatever the test makes, it removes, even
# when it fails.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"

. "$top_srcdir/tests/keydir-lib.sh"
tool=$top_builddir/src/sharedmem
module=$top_builddir/tests/torture/.libs/crashpoint.so
if test ! -f "$module"; then
	echo "1..0 # SKIP no $module to kill a create with (no shared objects)"
	exit 0
fi
if test "${SHAREDMEM_CROSS-}" = yes; then
	echo "1..0 # SKIP the tool runs under an emulator, which the module cannot go into"
	exit 0
fi

# AddressSanitizer wants to be loaded first; the module does not
# allocate, so the order does not matter.
ASAN_OPTIONS=${ASAN_OPTIONS:-verify_asan_link_order=0}
export ASAN_OPTIONS

tmp=${TMPDIR:-/tmp}/sharedmem-zombie.$$
(umask 077 && mkdir "$tmp") || { echo "Bail out! cannot make $tmp"; exit 99; }
parent=
cleanup() {
	test -n "$parent" && kill "$parent" 2>/dev/null && wait "$parent"
	"$tool" gc >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' HUP INT TERM

. "$top_srcdir/tests/tool-lib.sh"
. "$top_srcdir/tests/within.sh"

# The call after which the create has its segment and not yet its name.
SHAREDMEM_CRASH_AT=0 SHAREDMEM_CRASH_TRACE=1 LD_PRELOAD=$module \
    "$tool" create probe 64 2>"$tmp/trace"
"$tool" rm probe >/dev/null 2>&1
step=$(sed -n 's/^crashpoint: \([0-9]*\) shmget(.*) = [0-9][0-9]*$/\1/p' \
    "$tmp/trace" | head -n 1)
if test -z "$step"; then
	echo "1..0 # SKIP the library's calls cannot be interposed here"
	exit 0
fi

if grep '^#define HAVE_PROC_PID_STAT_STATE 1' "$top_builddir/config.h" \
    >/dev/null 2>&1; then
	tells=true
else
	tells=false
fi
echo "1..7"

# The parent: a shell that starts the create and becomes sleep, which
# never waits for it.
STEP=$step MODULE=$module TOOL=$tool TMPD=$tmp sh -c '
	SHAREDMEM_CRASH_AT=$STEP SHAREDMEM_CRASH_WHEN=after \
	    SHAREDMEM_CRASH_TRACE=1 LD_PRELOAD=$MODULE \
	    "$TOOL" create zombie 64 2>"$TMPD/killed" &
	echo $! >"$TMPD/pid"
	exec sleep 60' &
parent=$!
last="create zombie 64, killed after its shmget"
status=
killed() {
	grep 'KILLED after' "$tmp/killed" >/dev/null 2>&1 && test -s "$tmp/pid"
}
check "a create is killed after its shmget, and not reaped" within killed
pid=$(cat "$tmp/pid")
private=$(cd "$dir" && ls | grep "^sharedmem+$pid-")
check "...leaving its private file" test -n "$private"
# The kernel makes it a zombie once its SIGKILL is through.
zombie() {
	case $(ps -o stat= -p "$pid" 2>/dev/null) in
	Z*)	return 0 ;;
	esac
	return 1
}
if command -v ps >/dev/null 2>&1 && within zombie; then
	echo "# process $pid is a zombie, child of $parent"
else
	echo "# process $pid: ps does not say zombie (no ps?)"
fi

run gc
if $tells; then
	check "gc removes the zombie's segment" eval \
	    'test "$status" -eq 0 && grep "^removed segment shmid [0-9]* of a create or removal that died ($private)\$" "$tmp/out" >/dev/null'
	check "...and its private file, at once" eval \
	    'grep "^removed file $private of a create or removal that died\$" "$tmp/out" >/dev/null &&
	     test ! -e "$dir/$private"'
	check "...and nothing is left but what the parent holds: no names" \
	    eval 'test -z "$(ls -A "$dir")"'
	kill "$parent" && wait "$parent"
	parent=
	run gc
	check "once reaped, there is nothing more to clean up" eval \
	    'test "$status" -eq 0 && test "$(cat "$tmp/out")" = "nothing to clean up"'
else
	check "gc, which cannot tell a zombie, leaves its file" eval \
	    'test "$status" -eq 0 && test -e "$dir/$private"'
	check "...and says why" grep "^left $private: the create or removal that made it still runs\$" "$tmp/out"
	kill "$parent" && wait "$parent"
	parent=
	within eval '! kill -0 "$pid" 2>/dev/null'
	run gc
	check "once reaped, gc removes the file" eval \
	    'test "$status" -eq 0 && test ! -e "$dir/$private"'
	check "...and its segment" grep "^removed segment shmid" "$tmp/out"
fi
# A process that runs, with a private file as a create makes one.
sleep 60 &
parent=$!
live=sharedmem+$parent-ABCDEF
: >"$dir/$live"
run gc
check "the file of a process that runs is left, and gc says why" eval \
    'test "$status" -eq 0 && test -e "$dir/$live" &&
     grep "^left $live: the create or removal that made it still runs\$" "$tmp/out" >/dev/null'
kill "$parent" && wait "$parent"
parent=
rm -f "$dir/$live"
