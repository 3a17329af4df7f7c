#!/bin/sh
# gc_errors.sh - what sharedmem_gc() reports when it cannot remove what a
# dead process left: the private file of a create or removal that died,
# holding the record of a segment, in a key directory where its owner
# may no longer remove files.  gc removes the segment and keeps the file,
# and both reports carry the errno that kept the file (EACCES), though
# the callback of the first changes errno (tests/gc_reports).  Once the
# directory is writable again, gc removes the file.
#
# The file's owner is a user that no account has (tests/as_user): root
# may remove files anywhere.  Runs as root, through tests/run-test.sh;
# skips elsewhere.  Everything the test makes is removed at the end, even
# when it fails.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"

. "$top_srcdir/tests/keydir-lib.sh"
as_user=$top_builddir/tests/as_user
# The user runs them from wherever the test runs: paths from the root.
tool=$(cd "$top_builddir/src" && pwd)/sharedmem
reports=$(cd "$top_builddir/tests" && pwd)/gc_reports
for prog in "$tool" "$reports" "$as_user"; do
	if test ! -x "$prog"; then
		echo "Bail out! $prog is not built"
		exit 99
	fi
done
if test "$(id -u)" -ne 0; then
	echo "1..0 # SKIP only root can act as another user"
	exit 0
fi
if test "${SHAREDMEM_CROSS-}" = yes; then
	echo "1..0 # SKIP the other user's programs run under an emulator"
	exit 0
fi
ids=$("$as_user" --unused 1) || {
	echo "1..0 # SKIP no id that no account or group has"
	exit 0
}
set -- $ids
a="$1 $2"

tmp=${TMPDIR:-/tmp}/sharedmem-gcerr.$$
(umask 077 && mkdir "$tmp") || { echo "Bail out! cannot make $tmp"; exit 99; }
shmid=
cleanup() {
	chmod 1777 "$dir"
	# The segment goes through the tool, which removes it only while
	# the name records it; as the test made it, root may.
	test -n "$shmid" && "$tool" rm gcerr >/dev/null 2>&1
	test -n "$shmid" && ipcs -m | awk -v id="$shmid" '$2 == id { f = 1 }
	    END { exit !f }' && ipcrm -m "$shmid"
	# The key directory is the test's own: all in it is the test's.
	rm -f "$dir"/sharedmem.* "$dir"/sharedmem+*
	chmod 0755 "$dir"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' HUP INT TERM

. "$top_srcdir/tests/tap.sh"
explain_failure() {
	echo "# last: $last: status $status"
	sed 's/^/# stdout: /' "$tmp/out" | head -20
	sed 's/^/# stderr: /' "$tmp/err" | head -20
}
# as_a PROGRAM ARG...: runs PROGRAM as the user; output in $tmp/out and
# $tmp/err, exit status in $status.
as_a() {
	last="$*"
	"$as_user" $a "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
}

echo "1..5"
chmod 1777 "$dir"
as_a "$tool" create gcerr 64
if test "$status" -ne 0; then
	echo "Bail out! the user cannot create a name: $(cat "$tmp/err")"
	exit 99
fi
shmid=$("$tool" id gcerr) || { echo "Bail out! no id for gcerr"; exit 99; }

# The file that a process that has ended left, the name's record in it,
# and the name gone: the segment is now the private file's alone.
dead=$(sh -c 'echo $$')
private=sharedmem+$dead-gcerr0
as_a /bin/sh -c 'cp "$1/sharedmem.gcerr" "$1/$2" &&
    rm "$1/sharedmem.gcerr"' sh "$dir" "$private"
if test "$status" -ne 0; then
	echo "Bail out! cannot leave a private file: $(cat "$tmp/err")"
	exit 99
fi

chmod 0555 "$dir"
as_a "$reports"
chmod 1777 "$dir"
check "gc runs in a key directory where nothing can be removed" \
    test "$status" -eq 0
check "...removes the segment, and says the file kept it (EACCES)" \
    grep -qx "unfinished-segment $private $shmid EACCES" "$tmp/out"
check "...and says so of the file too, whatever the first report did" \
    grep -qx "unfinished $private -1 EACCES" "$tmp/out"
check "...and the segment is gone" \
    sh -c '! ipcs -m | awk -v id="$1" '"'"'$2 == id { f = 1 }
    END { exit !f }'"'" sh "$shmid"

as_a "$reports"
check "once the directory is writable, gc removes the file" \
    grep -qx "unfinished $private -1 0" "$tmp/out"
