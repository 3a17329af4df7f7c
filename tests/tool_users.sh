#!/bin/sh
# tool_users.sh - what sharedmem(1) tells each user about the names of
# another, in a key directory that all users share (mode 1777, as
# /dev/shm is): user A's live names, private names, stale names, a name
# whose segment A's permissions hide, and a record that A planted to
# point at user B's segment; what B, A and root are told by create, read
# and write, rm, stat, ls and gc; and which of the segment, the key file
# and the key directory refused.
#
# A and B are ids that no account has (tests/as_user).  Runs as root,
# through tests/run-test.sh; skips elsewhere, or where A and B cannot
# reach the tool and the key directory.  Everything the test makes, the
# users' segments included, is removed at the end, even when it fails.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"

. "$top_srcdir/tests/keydir-lib.sh"
as_user=$top_builddir/tests/as_user
for prog in "$top_builddir/src/sharedmem" "$as_user" \
    "$top_builddir/tests/ipc_mode"; do
	if test ! -x "$prog"; then
		echo "Bail out! $prog is not built"
		exit 99
	fi
done
# The users run it from wherever the test runs: a path from the root.
tool=$(cd "$top_builddir/src" && pwd)/sharedmem

if test "$(id -u)" -ne 0; then
	echo "1..0 # SKIP only root can act as other users"
	exit 0
fi
if ! command -v ipcrm >/dev/null 2>&1 || ! command -v ipcs >/dev/null 2>&1
then
	echo "1..0 # SKIP no ipcs and ipcrm, to make stale names and clean up"
	exit 0
fi
ids=$("$as_user" --unused 2) || {
	echo "1..0 # SKIP no two ids that no account or group has"
	exit 0
}
# Unquoted where used: "UID GID", as as_user takes them.
set -- $ids
a="$1 $2" b="$3 $4" ua=$1 ub=$3

tmp=${TMPDIR:-/tmp}/sharedmem-users.$$
(umask 077 && mkdir "$tmp") || { echo "Bail out! cannot make $tmp"; exit 99; }

# The segments of the users, as "ID:KEY": removed by root at the end if
# a segment of that id is still at that key.
made=
cleanup() {
	chmod 1777 "$dir"
	for seg in $made; do
		seg_id=${seg%%:*}
		segment_at "$seg_id" "${seg#*:}" && ipcrm -m "$seg_id"
	done
	# The key directory is the test's own: all in it is the test's.
	rm -rf "$dir"/sharedmem.* "$dir"/sharedmem+*
	chmod 0755 "$dir"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' HUP INT TERM

# segment_at ID KEY: ipcs -m shows a segment ID at KEY, whoever's it is
# (in the layouts of Linux and of SVR4 and the BSDs).
segment_at() {
	ipcs -m | awk -v id="$1" -v key="$2" '
		($1 == key && $2 == id) || ($1 == "m" && $2 == id &&
		    $3 == key) { found = 1 }
		END { exit !found }'
}

. "$top_srcdir/tests/tool-lib.sh"

# as USER ARG...: run, as USER ($a or $b).
as() {
	as_who=$1
	shift
	last="$* (as uid ${as_who%% *})"
	"$as_user" $as_who "$tool" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
}

# made_by USER NAME ARG...: USER creates NAME (create NAME ARG...), and
# its segment is noted for the end.
made_by() {
	mb_who=$1
	shift
	as "$mb_who" create "$@"
	if test "$status" -ne 0; then
		echo "Bail out! uid ${mb_who%% *} cannot create $1: $(cat "$tmp/err")"
		exit 99
	fi
	made="$made $("$tool" id "$1"):$("$tool" key "$1")"
}

# id_of NAME, key_of NAME: as root sees them.
id_of() {
	"$tool" id "$1"
}
key_of() {
	"$tool" key "$1"
}

# plant NAME FROM: A writes a key file at NAME holding the record of
# FROM, B's, under NAME's own name: it points at B's segment.
plant() {
	sed "s/ name=$2\$/ name=$1/" "$dir/sharedmem.$2" >"$tmp/record"
	"$as_user" $a /bin/sh -c 'umask 022 && cat >"$1"' sh \
	    "$dir/sharedmem.$1" <"$tmp/record" &&
	    test "$(ls -n "$dir/sharedmem.$1" | awk '{ print $3 }')" = "$ua"
}

chmod 1777 "$dir"
as "$a" ls
if test "$status" -ne 0; then
	echo "1..0 # SKIP uid $ua cannot run $tool in $dir: $(cat "$tmp/err")"
	exit 0
fi

# ------------------------------------------------------- what A leaves
made_by "$a" a_live 64 -m 644		# B may read it, and its key file
made_by "$a" a_priv 64			# B may read neither
made_by "$a" a_hidden 64 -m 602		# B may read the key file only
made_by "$a" a_gone 64 -m 644
made_by "$a" a_gone6 64
made_by "$b" b_seg 64 -m 644
ipcrm -m "$(id_of a_gone)" && ipcrm -m "$(id_of a_gone6)" ||
    { echo "Bail out! ipcrm of A's segments fails"; exit 99; }
plant planted b_seg || { echo "Bail out! A cannot plant a record"; exit 99; }
live_id=$(id_of a_live) live_key=$(key_of a_live)
hidden_id=$(id_of a_hidden) hidden_key=$(key_of a_hidden)
b_id=$(id_of b_seg) b_key=$(key_of b_seg)
# recorded NAME: the shmid that the key file of NAME records.
recorded() {
	sed -n 's/.* shmid=\([0-9]*\) .*/\1/p' "$dir/sharedmem.$1"
}
not_b="not its segment: the segment its key file names (shmid $b_id) was made by uid $ub, not by the key file's owner uid $ua"

# all_there: every name A and B made is there, and every segment but the
# two that ipcrm removed.
all_there() {
	test "$(ls "$dir" | tr '\n' ' ')" = "sharedmem.a_gone sharedmem.a_gone6 sharedmem.a_hidden sharedmem.a_live sharedmem.a_priv sharedmem.b_seg sharedmem.planted " &&
	    segment_at "$live_id" "$live_key" &&
	    segment_at "$hidden_id" "$hidden_key" &&
	    segment_at "$b_id" "$b_key"
}
check "A made two live names, a hidden one, two stale ones and a record that points at B's segment" \
    all_there

# ------------------------------------------------- what B is told: create
as "$b" create a_live 8
check "B: create of A's live name: exists, and whose" \
    failed_once "^sharedmem: a_live: exists already, and belongs to uid $ua (only uid $ua or root can remove it)\$"
as "$b" create a_priv 8
check "B: create of A's name that B may not read: held by a key file of A that cannot be judged, not the key directory's fault" \
    failed_once "^sharedmem: a_priv: held by a key file of uid $ua, mode 0600, that you may not read, so whether its segment is there cannot be told (only uid $ua or root can remove it)\$"
as "$b" create a_gone 8
check "B: create of A's stale name: held by A's stale key file, which only A or root can remove, and why it is stale" \
    failed_once "^sharedmem: a_gone: held by a stale key file of uid $ua, which only uid $ua or root can remove: its segment was removed\$"
as "$b" create planted 8
check "B: create of the planted name: held by A's stale key file, which names B's segment, not A's" \
    failed_once "^sharedmem: planted: held by a stale key file of uid $ua, which only uid $ua or root can remove: $not_b\$"
as "$b" create a_hidden 8
check "B: create of A's hidden name: exists, A's key file, a segment B may not look at" \
    failed_once "^sharedmem: a_hidden: exists already: its key file belongs to uid $ua, and its segment (shmid $hidden_id) does not let you see whose it is\$"

# -------------------------------------------------- read, write, rm
as "$b" read a_live
check "B: read of A's segment of mode 0644 works" \
    eval 'worked && test "$(wc -c <"$tmp/out" | tr -d " ")" -eq 64'
as "$b" write a_live
check_modes "B: write to it: the segment refuses, its owner and mode said" \
    failed_once "^sharedmem: a_live: permission denied: its segment (shmid $live_id) belongs to uid $ua, mode 0644, which does not let you read and write it\$"
as "$b" read a_priv
check "B: read of A's private name: the key file refuses, its owner and mode said" \
    failed_once "^sharedmem: a_priv: permission denied: you may not read its key file $dir/sharedmem.a_priv, which belongs to uid $ua, mode 0600\$"
as "$b" read a_gone
check "B: read of A's stale name: stale, why, and who can remove it" \
    failed_once "^sharedmem: a_gone: stale: its segment was removed (only uid $ua or root can remove its key file)\$"
as "$b" read planted
check "B: read of the planted name: not its segment, A's key file and B's segment named" \
    failed_once "^sharedmem: planted: stale: $not_b (only uid $ua or root can remove its key file)\$"
as "$b" read a_hidden
check "B: read of A's hidden name: the segment refuses even to show whose it is" \
    failed_once "^sharedmem: a_hidden: permission denied: its segment (shmid $hidden_id) does not let you read it, nor see whose it is; its key file belongs to uid $ua\$"
as "$b" rm a_live
check "B: rm of A's live name: only its owner or root may remove the segment" \
    failed_once "^sharedmem: a_live: permission denied: its segment (shmid $live_id) belongs to uid $ua, and only its owner or root may remove it\$"
as "$b" rm a_priv
check "B: rm of A's private name: the key file cannot be read, and is A's to remove" \
    failed_once "^sharedmem: a_priv: permission denied: you may not read its key file $dir/sharedmem.a_priv, which belongs to uid $ua, mode 0600 (only uid $ua or root can remove it)\$"
as "$b" rm a_gone
check "B: rm of A's stale name: only A or root can remove the key file, and why it is stale" \
    failed_once "^sharedmem: a_gone: permission denied: only uid $ua or root can remove its key file, which is stale: its segment was removed\$"
as "$b" rm planted
check "B: rm of the planted name: only A or root can remove it, and B's segment was left alone" \
    failed_once "^sharedmem: planted: permission denied: only uid $ua or root can remove its key file, which is stale: $not_b; that segment was left alone\$"
as "$b" rm a_hidden
check "B: rm of A's hidden name: the segment hides whose it is, the key file is A's" \
    failed_once "^sharedmem: a_hidden: permission denied: its segment (shmid $hidden_id) does not let you see whose it is, and its key file belongs to uid $ua (only uid $ua or root can remove it)\$"
check "... and nothing of A's or B's is gone" all_there

# ----------------------------------------------------- stat, ls, gc
as "$b" stat planted
check "B: stat of the planted name: the key file's owner, stale, and why" \
    eval 'worked && test "$(field "key file owner")" = "$ua ($ua)" &&
    test "$(field status)" = "stale: $not_b (only uid $ua or root can remove its key file)" &&
    test "$(field size)" = "64 (recorded)"'
as "$b" stat a_hidden
check "B: stat of A's hidden name: live, its details not to be seen" \
    eval 'worked && test "$(field "key file owner")" = "$ua ($ua)" &&
    test "$(field status)" = "live; its segment does not let you see its details" &&
    test "$(field size)" = "64 (recorded)"'
as "$b" ls
check_modes "B: ls shows each name as it stands for B" eval 'worked &&
    test "$(row a_gone)" = "a_gone $(sed -n "s/.* key=\([^ ]*\) .*/\1/p" "$dir/sharedmem.a_gone") $(recorded a_gone) - - - - stale" &&
    test "$(row a_gone6)" = "a_gone6 - - - - - - key file not readable" &&
    test "$(row a_hidden)" = "a_hidden $hidden_key $hidden_id - - - - segment not readable" &&
    test "$(row a_live)" = "a_live $live_key $live_id $ua 644 64 0" &&
    test "$(row a_priv)" = "a_priv - - - - - - key file not readable" &&
    test "$(row planted)" = "planted $b_key $b_id - - - - stale: not its segment"'
as "$b" gc
check "B: gc finds nothing of its own to clean up" \
    succeeded "nothing to clean up"
check "... and leaves all of A's" all_there

# ------------------------------------------------- the key directory
chmod 1755 "$dir"
as "$b" create x 8
check "B: create where the key directory, mode 1755, refuses: the directory, with its sticky bit" \
    failed_once "^sharedmem: x: permission denied: the key directory $dir belongs to root (uid 0), mode 1755, and does not let you make files in it\$"
chmod 0700 "$dir"
as "$b" read a_live
check "B: read where the key directory, mode 0700, refuses: the directory" \
    failed_once "^sharedmem: a_live: permission denied: the key directory $dir belongs to root (uid 0), mode 0700, and does not let you into it\$"
chmod 1777 "$dir"
made_by "$a" a_rm 8
a_rm_id=$(id_of a_rm) a_rm_key=$(key_of a_rm)
chmod 1755 "$dir"
as "$a" rm a_rm
check "A: rm where the key directory keeps the key file: the segment goes, the key file stays, and why" \
    eval 'noted "a_rm: its segment was removed, and its key file left behind, stale: the key directory $dir belongs to root (uid 0), mode 1755, and does not let you remove files from it" &&
    ! segment_at "$a_rm_id" "$a_rm_key"'
chmod 1777 "$dir"
run rm a_rm
check "root: rm of A's stale name a_rm is quiet" \
    eval 'quiet && test ! -e "$dir/sharedmem.a_rm"'

# ------------------------------------------------------ what A is told
as "$a" read planted
check "A: read of the planted name: not its segment, and rm or gc clears it and leaves the segment" \
    failed_once "^sharedmem: planted: stale: $not_b (sharedmem rm planted or sharedmem gc clears it, and leaves that segment alone)\$"
as "$a" rm planted
check "A: rm of the planted name exits 0 and says B's segment was left alone" \
    noted "planted: removed its key file, which was stale: $not_b; that segment was left alone"
check "... the key file is gone, B's segment is not" \
    eval 'test ! -e "$dir/sharedmem.planted" && segment_at "$b_id" "$b_key"'

# ------------------------------------------------------ what root is told
run create a_live 8
check "root: create of A's live name: exists, whose, and rm removes it" \
    failed_once "^sharedmem: a_live: exists already, and belongs to uid $ua (sharedmem rm a_live removes it)\$"
run stat a_gone6
check "root: stat of A's stale name: stale, why, and rm clears it" \
    eval 'worked && test "$(field "key file owner")" = "$ua ($ua)" &&
    test "$(field status)" = "stale: its segment was removed (sharedmem rm a_gone6 clears it)"'
plant planted2 b_seg || { echo "Bail out! A cannot plant a record"; exit 99; }
run rm planted2
check "root: rm of a planted name exits 0 and says B's segment was left alone" \
    noted "planted2: removed its key file, which was stale: $not_b; that segment was left alone"
check "... the key file is gone, B's segment is not" \
    eval 'test ! -e "$dir/sharedmem.planted2" && segment_at "$b_id" "$b_key"'
run create a_gone 8
check "root: create over A's stale name clears it" \
    eval 'quiet && test "$(ls -n "$dir/sharedmem.a_gone" | awk "{ print \$3 }")" = 0'
run rm a_gone
check "... and rm removes root's new name" quiet

# ---------------------------------------------------------- the owners
gone6_id=$(recorded a_gone6)
as "$a" gc
check "A: gc removes A's stale name" \
    succeeded "removed stale name a_gone6 (shmid $gone6_id)" \
    "removed 1 leftover"
as "$a" rm a_live a_priv a_hidden
check "A: rm of its names is quiet" quiet
as "$b" rm b_seg
check "B: rm of its name is quiet" quiet
check "the key directory is empty at the end, and the users' segments gone" \
    eval 'test -z "$(ls -A "$dir")" && ! segment_at "$live_id" "$live_key" &&
    ! segment_at "$hidden_id" "$hidden_key" &&
    ! segment_at "$b_id" "$b_key"'
echo "1..$n"
