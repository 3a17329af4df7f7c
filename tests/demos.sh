#!/bin/sh
# demos.sh - the four demo programs, run as a person runs them: alone, in
# both orders, two at once, stopped by each signal, with bad options.
#
# Every demo runs in the background with a time limit, and any still
# running when the test ends is killed, so that a broken demo fails the
# test instead of hanging it.  Run through tests/run-test.sh, which gives
# the test a key directory of its own in $SHAREDMEM_DIR.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"

echo 1..79
if test -z "${SHAREDMEM_DIR-}" || test ! -d "$SHAREDMEM_DIR"; then
	echo "Bail out! no key directory: run through tests/run-test.sh"
	exit 99
fi
dir=$SHAREDMEM_DIR
ex=$top_builddir/examples
for t in uint8 float64; do
	for p in process1 process2; do
		if test ! -x "$ex/${p}_$t"; then
			echo "Bail out! $ex/${p}_$t is not built"
			exit 99
		fi
	done
done

tmp=${TMPDIR:-/tmp}/sharedmem-demos.$$
(umask 077 && mkdir "$tmp") || { echo "Bail out! cannot make $tmp"; exit 99; }
bg=
cleanup() {
	for p in $bg; do
		kill -s TERM "$p" 2>/dev/null
	done
	test -z "$bg" || sleep 1
	for p in $bg; do
		kill -s KILL "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' HUP INT TERM

. "$top_srcdir/tests/ipcs-list.sh"
if command -v ipcs >/dev/null 2>&1; then
	have_ipcs=true
else
	have_ipcs=false
	echo "# no ipcs: segments are checked through their key files only"
fi

n=0
last=none
# check DESCRIPTION COMMAND...: one test, passed if COMMAND succeeds.  A
# failure shows what the demo started last said on stderr, and its status.
check() {
	what=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		echo "# $last exited with status ${status-none}"
		test -s "$tmp/$last.err" && sed 's/^/# stderr: /' "$tmp/$last.err"
	fi
	return 0
}

. "$top_srcdir/tests/within.sh"

# start TAG PROGRAM ARG...: runs examples/PROGRAM in the background, its
# output in $tmp/TAG.out and $tmp/TAG.err; sets $pid.
start() {
	tag=$1
	prog=$2
	shift 2
	rm -f "$tmp/$tag.out" "$tmp/$tag.err"
	last=$tag
	"$ex/$prog" "$@" >"$tmp/$tag.out" 2>"$tmp/$tag.err" &
	pid=$!
	bg="$bg $pid"
}

# finish PID: waits for the background process PID and sets $status; a
# watchdog kills it after ten seconds, with SIGKILL: status 137.  The
# watchdog is told to go by a file, not a signal: a subshell killed right
# after its fork may still run this shell's traps.
finish() {
	rm -f "$tmp/done"
	(
		tries=0
		while test ! -e "$tmp/done"; do
			if test "$tries" -eq 200; then
				kill -s KILL "$1"
				break
			fi
			nap
			tries=$((tries + 1))
		done
	) >/dev/null 2>&1 &
	watchdog=$!
	# Quiet: the shell would report a demo killed by a signal, which some
	# tests do on purpose.
	wait "$1" 2>/dev/null
	status=$?
	: >"$tmp/done"
	wait "$watchdog"
	left=
	for p in $bg; do
		test "$p" = "$1" || left="$left $p"
	done
	bg=$left
}

# run TAG PROGRAM ARG...: start, then finish.
run() {
	start "$@"
	finish "$pid"
}

# lines TAG VALUE...: TAG's output is exactly the VALUEs, one a line.
lines() {
	tag=$1
	shift
	printf '%s\n' "$@" >"$tmp/want"
	cmp -s "$tmp/want" "$tmp/$tag.out"
}

# succeeded TAG VALUE...: exit status 0, the VALUEs, nothing on stderr.
succeeded() {
	test "$status" -eq 0 && lines "$@" && test ! -s "$tmp/$1.err"
}

# failed STATUS TAG PATTERN...: that exit status, nothing on stdout, and
# every PATTERN on stderr.
failed() {
	test "$status" -eq "$1" || return 1
	tag=$2
	shift 2
	test ! -s "$tmp/$tag.out" || return 1
	for pattern in "$@"; do
		grep -e "$pattern" "$tmp/$tag.err" >/dev/null || return 1
	done
}

# one_line TAG: TAG's stderr is a single line.
one_line() {
	test "$(wc -l <"$tmp/$1.err" | tr -d ' ')" -eq 1
}

# failed_once STATUS TAG PATTERN...: failed, and said so in one line, as
# every failure but bad usage does.
failed_once() {
	failed "$@" && one_line "$2"
}

# group TAG A B C D: TAG's output has the lines A B C D in a row.
group() {
	awk -v a="$2" -v b="$3" -v c="$4" -v d="$5" '
		{ l[NR % 4] = $0 }
		NR >= 4 && l[(NR + 1) % 4] == a && l[(NR + 2) % 4] == b &&
		    l[(NR + 3) % 4] == c && $0 == d { found = 1; exit }
		END { exit !found }' "$tmp/$1.out"
}

# printed TAG: TAG has printed its first four lines.
printed() {
	test "$(wc -l <"$tmp/$1.out" | tr -d ' ')" -ge 4
}

empty_dir() {
	test -z "$(ls -A "$dir")"
}

keyfile() {
	grep '^sharedmem 1 key=0x[0-9a-f]* shmid=[0-9]* size=[0-9]* pid=[0-9]*$' \
	    "$dir/sharedmem.$1" >/dev/null 2>&1
}

shmid_of() {
	sed -n 's/^sharedmem 1 key=0x[0-9a-f]* shmid=\([0-9]*\) size=.*/\1/p' \
	    "$dir/sharedmem.$1" 2>/dev/null
}

# segment ID: the segment ID exists (as far as ipcs can tell).
segment() {
	$have_ipcs || return 0
	ipcs_has "$1"
}

no_segment() {
	$have_ipcs || return 0
	! ipcs_has "$1"
}

# gone ID: no key file and no segment ID.
gone() {
	empty_dir && no_segment "$1"
}

# kept NAME ID: the key file of NAME and the segment ID are there.
kept() {
	keyfile "$1" && test "$(shmid_of "$1")" = "$2" && segment "$2"
}

# only NAME: the key file of NAME is there, and none other.
only() {
	keyfile "$1" && test "$(ls -A "$dir")" = "sharedmem.$1"
}

# cleaned_up: exit status 0, and the key directory is empty.
cleaned_up() {
	test "$status" -eq 0 && empty_dir
}

# helped PROGRAM: PROGRAM -h (tag help) printed its usage on stdout.
helped() {
	grep "^usage: $1 " "$tmp/help.out" >/dev/null &&
	    test ! -s "$tmp/help.err"
}

# refused PROGRAM: status 2, a usage message (tag bad), and no segment.
refused() {
	failed 2 bad "^usage: $1 " && empty_dir
}

# pair TYPE ALONE... -- BOTH...: the tests of process1_TYPE and
# process2_TYPE, which print ALONE when process1 runs alone, BOTH when
# both do.  20 tests.
pair() {
	t=$1
	p1=process1_$t
	p2=process2_$t
	a1=$3 a2=$4 a3=$5 a4=$6
	b1=$8 b2=$9 b3=${10} b4=${11}

	run alone "$p1" -n 1 -i 0
	check "$p1 -n 1 -i 0 alone prints $a1 $a2 $a3 $a4 and exits 0" \
	    succeeded alone "$a1" "$a2" "$a3" "$a4"
	check "$p1 -n 1 leaves the key directory empty" empty_dir

	run early "$p2" -n 1 -i 0
	check "$p2 before $p1 exits 1 and prints nothing" failed 1 early
	check "$p2 before $p1 says MyMemory does not exist, start $p1" \
	    failed_once 1 early 'MyMemory' 'does not exist' "start $p1 first"

	start one "$p1" -n 1000000 -i 0.05
	one=$pid
	check "$p1 in the background creates MyMemory" within keyfile MyMemory
	id=$(shmid_of MyMemory)

	run two "$p1" -n 1 -i 0
	check "a second $p1 exits 1 and says: ipcrm -m $id" \
	    failed_once 1 two MyMemory 'exists already' "ipcrm -m ${id}[^0-9]"

	run both "$p2" -n 1 -i 0
	check "$p2 -n 1 -i 0 with $p1 running prints $b1 $b2 $b3 $b4" \
	    succeeded both "$b1" "$b2" "$b3" "$b4"
	check "$p1 then prints $b1 $b2 $b3 $b4 too" \
	    within group one "$b1" "$b2" "$b3" "$b4"

	for sig in INT TERM HUP; do
		start two "$p2" -i 1000
		within printed two
		kill -s "$sig" "$pid"
		finish "$pid"
		check "SIG$sig stops $p2 in its pause, with status 0" \
		    succeeded two "$b1" "$b2" "$b3" "$b4"
		check "$p2 stopped by SIG$sig leaves MyMemory, shmid $id" \
		    kept MyMemory "$id"
	done

	kill -s INT "$one"
	finish "$one"
	check "SIGINT stops $p1 with status 0" test "$status" -eq 0
	check "$p1 stopped by SIGINT removes MyMemory and its segment $id" \
	    gone "$id"

	for sig in TERM HUP; do
		start one "$p1" -i 1000
		within printed one
		id=$(shmid_of MyMemory)
		kill -s "$sig" "$pid"
		finish "$pid"
		check "SIG$sig stops $p1 in its pause, with status 0" \
		    succeeded one "$a1" "$a2" "$a3" "$a4"
		check "$p1 stopped by SIG$sig removes MyMemory and shmid $id" \
		    gone "$id"
	done
}

# The options, for every demo: 4 tests each.
options() {
	prog=$1
	run help "$prog" -h
	check "$prog -h exits 0" test "$status" -eq 0
	check "$prog -h prints its usage on stdout, nothing on stderr" \
	    helped "$prog"
	run bad "$prog" -x
	check "$prog -x exits 2 with a usage message on stderr" \
	    failed 2 bad 'unknown option -x' "^usage: $prog "
	check "$prog -x opens nothing" empty_dir
}

# bad_usage DESCRIPTION ARG...: process1_uint8 with those arguments exits
# 2, says why and how to use it, and makes nothing.
bad_usage() {
	what=$1
	shift
	run bad process1_uint8 "$@"
	check "process1_uint8 $what exits 2 with a usage message" \
	    refused process1_uint8
}

pair uint8 -- 1 0 0 0 -- 1 2 3 4
pair float64 -- 1.5 0.0 0.0 0.0 -- 1.5 2.5 3.5 4.5

for prog in process1_uint8 process2_uint8 process1_float64 process2_float64
do
	options "$prog"
done

bad_usage "-n 0" -n 0
bad_usage "-n -1" -n -1
bad_usage "-n x" -n x
bad_usage "-n with no value" -n
bad_usage "-i -1" -i -1
bad_usage "-i 1e3" -i 1e3
bad_usage "-i ." -i .
bad_usage "-i 86401" -i 86401
bad_usage "with an operand" -n 1 extra

run rounds process1_float64 -n 3 -i 0.01
check "process1_float64 -n 3 -i 0.01 prints three rounds and exits 0" \
    succeeded rounds 1.5 0.0 0.0 0.0 1.5 0.0 0.0 0.0 1.5 0.0 0.0 0.0
run rounds process1_uint8 -n 2 -i .001
check "process1_uint8 -n 2 -i .001 prints two rounds and exits 0" \
    succeeded rounds 1 0 0 0 1 0 0 0
check "process1 after -n leaves the key directory empty" empty_dir

# -m: another name, which process2 must be given too.
start other process1_uint8 -m Other -i 0.05
other=$pid
check "process1_uint8 -m Other creates Other, not MyMemory" \
    within only Other
run both process2_uint8 -m Other -n 1 -i 0
check "process2_uint8 -m Other -n 1 prints 1 2 3 4" succeeded both 1 2 3 4
run early process2_uint8 -n 1 -i 0
check "process2_uint8 without -m does not find Other" \
    failed_once 1 early MyMemory 'start process1_uint8 first'
run early process2_float64 -m Missing -n 1
check "process2_float64 -m Missing says: start process1_float64 -m Missing" \
    failed_once 1 early Missing 'start process1_float64 -m Missing first'
kill -s TERM "$other"
finish "$other"
check "process1_uint8 -m Other stops on SIGTERM and removes Other" \
    cleaned_up

# A process1 that could not clean up - SIGKILL - leaves its segment, and
# the message of the next process1 says how to remove it.  Doing so frees
# the name.
if command -v ipcrm >/dev/null 2>&1; then
	start one process1_uint8 -i 1000
	within printed one
	id=$(shmid_of MyMemory)
	# bash reports the killed job on stderr, at a time of its choosing.
	{
		kill -s KILL "$pid"
		finish "$pid"
		check "SIGKILL leaves MyMemory and shmid $id behind" \
		    kept MyMemory "$id"
	} 2>/dev/null
	run two process1_uint8 -n 1 -i 0
	check "the next process1_uint8 fails, and says: ipcrm -m $id" \
	    failed_once 1 two MyMemory 'exists already' "ipcrm -m ${id}[^0-9]"
	ipcrm -m "$id"
	run alone process1_uint8 -n 1 -i 0
	check "after ipcrm -m $id, process1_uint8 runs again" \
	    succeeded alone 1 0 0 0
	check "... and leaves no key file and no segment" gone "$id"
else
	for what in "SIGKILL leaves MyMemory" "the message" "ipcrm" "gone"
	do
		n=$((n + 1))
		echo "ok $n # SKIP no ipcrm: $what"
	done
fi

run bad process1_uint8 -m a/b -n 1
check "process1_uint8 -m a/b exits 1 naming a/b, in one line" \
    failed_once 1 bad "^process1_uint8: a/b: cannot create it: "

check "the key directory is empty at the end" empty_dir
test "$n" -eq 79 || echo "# ran $n tests, planned 79"
