#!/bin/sh
# check.sh - the built library's ABI against the one kept in abi/, for
# make check-abi and make update-abi (abi/Makefile.inc).
#
#   sh abi/check.sh check|update ABIDIR LIBRARY.la VERSION-INFO
#
# ABIDIR holds libsharedmem.abi, the ABI of the last release as abidw(1)
# writes it; version-info, that release's libtool version-info; and
# suppressions, what abidiff(1) leaves out: the layout of the handle,
# which programs see only through a pointer.  VERSION-INFO is the
# version-info configured now, current:revision:age.  By the rules that
# configure.ac gives beside it:
#  - check passes where the ABI is the kept one, or the kept one with
#    functions added, and then says that current and age must move; it
#    fails where a function or a type of the interface was removed or
#    changed, or where current or age moved and the kept ABI did not;
#  - update keeps the library's ABI and the version-info in ABIDIR, once
#    the version-info has moved from the kept one as the rules ask for
#    what changed, and refuses otherwise.
# Where libabigail is not installed, check says so and passes.
# Exit status: 0 passed or updated, 1 failed or refused, 2 bad usage.
set -u

me=check-abi
test $# -eq 4 || {
	echo "usage: check.sh check|update ABIDIR LIBRARY.la VERSION-INFO" >&2
	exit 2
}
action=$1 abidir=$2 la=$3 now=$4
case $action in
check)	;;
update)	me=update-abi ;;
*)	echo "$me: no action $action" >&2; exit 2 ;;
esac
kept_abi=$abidir/libsharedmem.abi
kept=$(cat "$abidir/version-info") || exit 1

# What abidw writes: nothing of the place it ran in, so that the kept
# ABI changes only with the interface.
abidw_flags="--no-corpus-path --no-comp-dir-path --no-show-locs
    --no-elf-needed --type-id-style hash"

skip() {
	echo "$me: $*: the ABI is not checked"
	exit 0
}
fail() {
	echo "$me: $*" >&2
	exit 1
}

# field N C:R:A: its Nth number.
field() {
	echo "$2" | awk -F: -v n="$1" '{ print $n }'
}

if ! command -v abidiff >/dev/null 2>&1 ||
    ! command -v abidw >/dev/null 2>&1; then
	test "$action" = check || fail "needs abidiff and abidw (libabigail;" \
	    "Debian: apt-get install abigail-tools)"
	skip "abidiff and abidw (libabigail; Debian: abigail-tools) are not" \
	    "installed"
fi

dlname=$(sed -n "s/^dlname='\(.*\)'$/\1/p" "$la")
lib=$(dirname "$la")/.libs/$dlname
if test -z "$dlname" || ! test -f "$lib"; then
	test "$action" = check || fail "no shared library was built"
	skip "no shared library was built (configure --disable-shared?)"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-abi.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086
abidw $abidw_flags --out-file "$tmp/built.abi" "$lib" ||
    fail "abidw cannot read $lib"

# Without debugging information abidiff sees names only, and would call
# any change of a type no change at all.
grep "<function-decl name='sharedmem_open'" "$tmp/built.abi" >/dev/null ||
    fail "$lib has no debugging information, without which the" \
	"interface's types cannot be compared: build it with -g (as" \
	"configure's default CFLAGS have it)"

# The kept ABI is of one machine; another's differs in its sizes.
arch() {
	sed -n "s/^<abi-corpus .*architecture='\([^']*\)'.*/\1/p" "$1"
}
test "$(arch "$kept_abi")" = "$(arch "$tmp/built.abi")" ||
    skip "the kept ABI is of $(arch "$kept_abi"), this library of" \
	"$(arch "$tmp/built.abi")"

# What changed: other than additions (1 if any), and additions.
diff_abi() {
	abidiff --suppressions "$abidir/suppressions" "$@" "$kept_abi" \
	    "$tmp/built.abi"
}
diff_abi --no-added-syms >"$tmp/changed"
st=$?
test $((st & 3)) -eq 0 || { cat "$tmp/changed" >&2; fail "abidiff failed"; }
changed=$((st / 4 % 2))
diff_abi >"$tmp/all"
st=$?
test $((st & 3)) -eq 0 || { cat "$tmp/all" >&2; fail "abidiff failed"; }
added=$((st / 4 % 2))
added_names=$(sed -n "s/^ *\[A\] .*{\(.*\)}$/\1/p" "$tmp/all" |
    awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $0 }')

c=$(field 1 "$kept") a=$(field 3 "$kept")
if test "$changed" -eq 1; then
	want="$((c + 1)):0:0"
elif test "$added" -eq 1; then
	want="$((c + 1)):0:$((a + 1))"
else
	want=
fi
moved=0
test "$(field 1 "$now")" = "$c" && test "$(field 3 "$now")" = "$a" ||
    moved=1

if test "$action" = update; then
	if test -z "$want" && test "$moved" -eq 0; then
		echo "$me: the ABI is the kept one of $kept; nothing to keep"
		exit 0
	fi
	test -z "$want" && fail "the ABI is the kept one of $kept, whose" \
	    "current and age stay: configure.ac says $now"
	test "$now" = "$want" || {
		cat "$tmp/all"
		fail "for this change of the ABI kept with $kept, the rules in" \
		    "configure.ac ask for the version-info $want, not $now"
	}
	cp "$tmp/built.abi" "$kept_abi" &&
	    echo "$now" >"$abidir/version-info" || exit 1
	echo "$me: kept the ABI of $now in $abidir"
	exit 0
fi

if test "$changed" -eq 1; then
	cat "$tmp/changed" >&2
	fail "the ABI is not the one kept with $kept: programs built" \
	    "against it may break.  Put it back; or, if it is meant to" \
	    "break them, move the version-info to $want and keep the new" \
	    "ABI with make update-abi (HACKING, Releasing)"
fi
test "$moved" -eq 1 && fail "the version-info is $now, but the ABI kept" \
    "is that of $kept: the two move together; make update-abi keeps the" \
    "new ABI, if the rules allow the move (HACKING, Releasing)"
if test "$added" -eq 1; then
	test -n "$added_names" || { cat "$tmp/all"; added_names="those above"; }
	echo "$me: the ABI kept with $kept, with functions added:" \
	    "$added_names"
	echo "$me: before the release, the version-info's current and age" \
	    "must move (to $want), and the new ABI be kept: make update-abi"
else
	echo "$me: the ABI is the one kept with $kept"
fi
exit 0
