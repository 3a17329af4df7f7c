#!/bin/sh
# Fails if the suite left a System V object behind: every object of this
# user that ipcs shows now and did not show before the suite.  Every
# process of the suite has ended by now, so a segment it left has no
# process attached: one that has is another program's, started meanwhile.
. "${top_srcdir:-.}/tests/ipcs-list.sh"
echo 1..2
if ! command -v ipcs >/dev/null 2>&1 || ! test -f "$top_builddir/tests/ipcs.before"; then
	echo "ok 1 # SKIP no ipcs, or no list from before the suite"
else
	ipcs_list >"$top_builddir/tests/ipcs.after" || { echo "not ok 1 - ipcs failed"; exit 1; }
	new=$(awk 'NR == FNR { before[$1 " " $2] = 1; next }
	    !(($1 " " $2) in before) && $4 !~ /^[1-9]/ { print $1, $2, $3 }' \
	    "$top_builddir/tests/ipcs.before" "$top_builddir/tests/ipcs.after")
	if test -z "$new"; then
		echo "ok 1 - ipcs shows no new segment or semaphore set of $(id -un)"
	else
		echo "not ok 1 - the suite left System V objects behind (type id key):"
		echo "$new" | sed 's/^/# /'
	fi
fi
# This test's own directory is there until it ends.
left=$(ls "$top_builddir/tests/keydirs" 2>/dev/null | grep -v "^${SHAREDMEM_DIR##*/}\$")
if test -z "$left"; then
	echo "ok 2 - no key directory left in tests/keydirs"
else
	echo "not ok 2 - key directories left in tests/keydirs: $left"
fi
