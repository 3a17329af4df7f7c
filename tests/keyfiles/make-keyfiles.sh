#!/bin/sh
# make-keyfiles.sh - writes tests/keyfiles/RELEASE/: the key files that
# the tool of RELEASE itself writes, and in RELEASE/expected what the
# kernel and the system say of them, for tests/keyfiles.c.
#
#   sh tests/keyfiles/make-keyfiles.sh RELEASE BUILD
#
# BUILD is a built tree of the release's commit, the last with its
# version in src/sharedmem.h: 0.1 is 8b605f5, 0.2 is 37cc2c7, 0.3 is
# 5f75c07; 0.4's come from the tree that moved to 0.4.0.  It runs that
# tool in a private IPC namespace (root, for unshare --ipc --mount), one
# name at a time:
#   plain   1024 bytes
#   locked  4096 bytes with the lock and two counting semaphores (0.2 on)
# and, where the release writes the run of the system, the same two where
# it cannot read one (plain-noboot, locked-noboot: /proc/sys/kernel/random
# hidden).  expected has a line a file:
#   NAME VERSION KEY SHMID SIZE PID SEMID SEMS BOOT
# KEY, SHMID, SIZE and PID (the creator's) as ipcs -m and ipcs -m -p show
# the segment, SEMID and SEMS as ipcs -s shows the set (from 0.4 on, the
# lock's held semaphore included, which the record's sems leaves out),
# BOOT as the system tells it to any program (/proc), - where there is
# none; VERSION is the record's version that the release's sharedmem(7)
# gives.
set -eu

case ${1-} in
--inside)
	shift ;;
*)
	test $# -eq 2 || {
		echo "usage: make-keyfiles.sh RELEASE BUILD" >&2
		exit 2
	}
	exec unshare --ipc --mount sh "$0" --inside "$@" ;;
esac

release=$1
tool=$(cd "$2" && pwd)/src/sharedmem
out=$(cd "$(dirname "$0")" && pwd)/$release
case $release in
0.1|0.2)	version=1 ;;
*)		version=2 ;;
esac

SHAREDMEM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/keyfiles.XXXXXX")
export SHAREDMEM_DIR
trap 'rm -rf "$SHAREDMEM_DIR"' EXIT
mkdir -p "$out"
: >"$out/expected"

# ipcs_field TYPE KEYCOLUMN VALUE COLUMN: column COLUMN of the one line of
# ipcs TYPE whose column KEYCOLUMN is VALUE.
ipcs_field() {
	ipcs $1 | awk -v k="$2" -v v="$3" -v c="$4" '$k == v { print $c }'
}

# make NAME BOOT [OPTIONS]: creates NAME, and keeps its key file and
# what ipcs says of it.
names=
make_name() {
	name=$1 boot=$2
	shift 2
	before=$(ipcs -m | awk '/^0x/ { print $1 }')
	"$tool" create "$name" "$@"
	names="$names $name"
	cp "$SHAREDMEM_DIR/sharedmem.$name" "$out/"
	key=$(ipcs -m | awk -v before="$before" '
	    BEGIN { n = split(before, b); for (i = 1; i <= n; i++) old[b[i]] = 1 }
	    /^0x/ && !($1 in old) { print $1 }')
	test "$(echo "$key" | wc -w)" -eq 1
	shmid=$(ipcs_field -m 1 "$key" 2)
	size=$(ipcs_field -m 1 "$key" 5)
	pid=$(ipcs_field "-m -p" 1 "$shmid" 3)
	semid=$(ipcs_field -s 1 "$key" 2)
	sems=$(ipcs_field -s 1 "$key" 5)
	echo "$name $version $key $shmid $size $pid ${semid:--}" \
	    "${sems:-0} $boot" >>"$out/expected"
}

run() {
	if test -r /proc/sys/kernel/random/boot_id; then
		echo "linux:$(cat /proc/sys/kernel/random/boot_id).$(stat -L -c %i /proc/self/ns/ipc)"
	else
		echo -
	fi
}

if test "$version" -eq 1; then
	make_name plain - 1024
	test "$release" = 0.1 || make_name locked - 4096 -s 2
else
	make_name plain "$(run)" 1024
	make_name locked "$(run)" 4096 -s 2
	mount -t tmpfs none /proc/sys/kernel/random
	make_name plain-noboot "$(run)" 1024
	make_name locked-noboot "$(run)" 4096 -s 2
fi
"$tool" rm $names
cat "$out/expected"
