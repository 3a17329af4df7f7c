#!/bin/sh
# python_demos.sh - the Python demos in examples/python/ with the C demos:
# each language's process1 with the other's process2, in both orders of
# the two demos, checking every line they print and that nothing is left
# behind; then the Python demos alone, stopped by each signal, and with
# bad options, as tests/demos.sh runs the C ones.  Run with the python3
# on the PATH, skipped where there is none.
#
# Every demo runs in the background with a time limit, and any still
# running when the test ends is killed, so that a broken demo fails the
# test instead of hanging it.  Run through tests/run-test.sh, which gives
# the test a key directory of its own in $SHAREDMEM_DIR.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"

. "$top_srcdir/tests/python-env.sh"
echo 1..96
dir=$SHAREDMEM_DIR
ex=$top_builddir/examples
pyex=$top_srcdir/examples/python
for t in uint8 float64; do
	for p in process1 process2; do
		if test ! -x "$ex/${p}_$t"; then
			echo "Bail out! $ex/${p}_$t is not built"
			exit 99
		fi
		if test ! -f "$pyex/${p}_$t.py"; then
			echo "Bail out! $pyex/${p}_$t.py is missing"
			exit 99
		fi
	done
done

tmp=${TMPDIR:-/tmp}/sharedmem-pydemos.$$
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
# PIPE too: a reader of the output that goes away must not keep the
# cleanup from stopping the demos.
trap 'exit 99' HUP INT PIPE TERM

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
		test -s "$tmp/$last.out" && sed 's/^/# stdout: /' "$tmp/$last.out"
		test -s "$tmp/$last.err" && sed 's/^/# stderr: /' "$tmp/$last.err"
	fi
	return 0
}

. "$top_srcdir/tests/within.sh"

# start TAG PROGRAM ARG...: runs the demo PROGRAM in the background, the
# Python one from examples/python/ if PROGRAM ends in .py, else the C one
# from examples/; its output in $tmp/TAG.out and $tmp/TAG.err.  Sets $pid.
start() {
	tag=$1
	prog=$2
	shift 2
	rm -f "$tmp/$tag.out" "$tmp/$tag.err"
	last=$tag
	case $prog in
	*.py)	python3 "$pyex/$prog" "$@" >"$tmp/$tag.out" 2>"$tmp/$tag.err" &
		;;
	*)	"$ex/$prog" "$@" >"$tmp/$tag.out" 2>"$tmp/$tag.err" &
		;;
	esac
	pid=$!
	bg="$bg $pid"
}

# finish PID: waits for the background process PID and sets $status; a
# watchdog kills it after ten seconds, with SIGKILL: status 137.  The
# watchdog is told to go by a file, not a signal.
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

# failed_once STATUS TAG PATTERN...: failed, and said so in one line.
failed_once() {
	failed "$@" &&
	    test "$(wc -l <"$tmp/$2.err" | tr -d ' ')" -eq 1
}

# group TAG A B C D: TAG's output has the lines A B C D in a row.
group() {
	awk -v a="$2" -v b="$3" -v c="$4" -v d="$5" '
		{ l[NR % 4] = $0 }
		NR >= 4 && l[(NR + 1) % 4] == a && l[(NR + 2) % 4] == b &&
		    l[(NR + 3) % 4] == c && $0 == d { found = 1; exit }
		END { exit !found }' "$tmp/$1.out"
}

# rounds TAG A1 A2 A3 A4 B1 B2 B3 B4: TAG's output is whole rounds, each
# either the lines A1 to A4 or B1 to B4, and nothing else.
rounds() {
	awk -v a="$2 $3 $4 $5" -v b="$6 $7 $8 $9" '
		{ r = (NR % 4 == 1 ? $0 : r " " $0) }
		NR % 4 == 0 && r != a && r != b { bad = 1 }
		END { exit bad || NR == 0 || NR % 4 != 0 }' "$tmp/$1.out"
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

cleaned_up() {
	test "$status" -eq 0 && empty_dir
}

# quiet TAG: exit status 0, nothing on stderr.
quiet() {
	test "$status" -eq 0 && test ! -s "$tmp/$1.err"
}

# helped PROGRAM: PROGRAM -h (tag help) exited 0 and printed its usage,
# the C demos' options, on stdout, nothing on stderr.
helped() {
	quiet help &&
	    grep "^usage: $1 \[-h\] \[-i SECONDS\] \[-m NAME\] \[-n COUNT\]\$" \
	    "$tmp/help.out" >/dev/null
}

# refused MESSAGE: status 2, MESSAGE and the usage on stderr (tag bad),
# and no segment.
refused() {
	failed 2 bad "$1" "^usage: process1_uint8.py " && empty_dir
}

# across TYPE P1 P2 A1..A4 B1..B4: process1 P1 in the background,
# process2 P2 beside it, of different languages: 8 tests.
across() {
	t=$1 p1=$2 p2=$3
	shift 3
	start one "$p1" -n 1000000 -i 0.05
	one=$pid
	check "$p1 in the background creates MyMemory" within keyfile MyMemory
	id=$(shmid_of MyMemory)
	run both "$p2" -n 1 -i 0
	check "$p2 -n 1 -i 0 beside $p1 prints exactly $5 $6 $7 $8" \
	    succeeded both "$5" "$6" "$7" "$8"
	check "$p2 leaves MyMemory, shmid $id, to $p1" kept MyMemory "$id"
	check "$p1 then prints $5 $6 $7 $8 too" \
	    within group one "$5" "$6" "$7" "$8"
	case $p1 in
	*.py)	other=${p1%.py} ;;
	*)	other=$p1.py ;;
	esac
	run two "$other" -n 1 -i 0
	check "$other beside $p1 exits 1 and says: ipcrm -m $id" \
	    failed_once 1 two MyMemory 'exists already' "ipcrm -m ${id}[^0-9]"
	kill -s INT "$one"
	finish "$one"
	last=one
	check "SIGINT stops $p1 with status 0, nothing on stderr" quiet one
	check "$p1 printed whole rounds of $1 $2 $3 $4 or $5 $6 $7 $8 only" \
	    rounds one "$@"
	check "$p1 removed MyMemory and segment $id: nothing is left" \
	    gone "$id"
}

# alone TYPE A1..A4 B1..B4: the Python demos of TYPE by themselves and
# together, stopped by each signal: 20 tests.
alone() {
	t=$1
	p1=process1_$t.py
	p2=process2_$t.py
	shift
	run alone "$p1" -n 1 -i 0
	check "$p1 -n 1 -i 0 alone prints $1 $2 $3 $4 and exits 0" \
	    succeeded alone "$1" "$2" "$3" "$4"
	check "$p1 -n 1 leaves the key directory empty" empty_dir
	run early "$p2" -n 1 -i 0
	check "$p2 before $p1 exits 1, says MyMemory does not exist, start $p1" \
	    failed_once 1 early MyMemory 'does not exist' "start $p1 first"

	start one "$p1" -n 1000000 -i 0.05
	one=$pid
	check "$p1 in the background creates MyMemory" within keyfile MyMemory
	id=$(shmid_of MyMemory)
	run both "$p2" -n 1 -i 0
	check "$p2 -n 1 -i 0 beside $p1 prints $5 $6 $7 $8" \
	    succeeded both "$5" "$6" "$7" "$8"
	check "$p1 then prints $5 $6 $7 $8 too" \
	    within group one "$5" "$6" "$7" "$8"
	run two "$p1" -n 1 -i 0
	check "a second $p1 exits 1 and says: ipcrm -m $id" \
	    failed_once 1 two MyMemory 'exists already' "ipcrm -m ${id}[^0-9]"
	for sig in INT TERM HUP; do
		start two "$p2" -i 1000
		within printed two
		kill -s "$sig" "$pid"
		finish "$pid"
		check "SIG$sig stops $p2 in its pause, with status 0" \
		    succeeded two "$5" "$6" "$7" "$8"
		check "$p2 stopped by SIG$sig leaves MyMemory, shmid $id" \
		    kept MyMemory "$id"
	done
	kill -s INT "$one"
	finish "$one"
	check "SIGINT stops $p1 with status 0" test "$status" -eq 0
	check "$p1 printed whole rounds of $1 $2 $3 $4 or $5 $6 $7 $8 only" \
	    rounds one "$@"
	check "$p1 stopped by SIGINT removes MyMemory and its segment $id" \
	    gone "$id"
	for sig in TERM HUP; do
		start one "$p1" -i 1000
		within printed one
		id=$(shmid_of MyMemory)
		kill -s "$sig" "$pid"
		finish "$pid"
		check "SIG$sig stops $p1 in its pause, with status 0" \
		    succeeded one "$1" "$2" "$3" "$4"
		check "$p1 stopped by SIG$sig removes MyMemory and shmid $id" \
		    gone "$id"
	done
}

u8="1 0 0 0 1 2 3 4"
f64="1.5 0.0 0.0 0.0 1.5 2.5 3.5 4.5"
# shellcheck disable=SC2086
{
	across uint8 process1_uint8 process2_uint8.py $u8
	across uint8 process1_uint8.py process2_uint8 $u8
	across float64 process1_float64 process2_float64.py $f64
	across float64 process1_float64.py process2_float64 $f64
	alone uint8 $u8
	alone float64 $f64
}

# The options, for every Python demo: 3 tests each.
for prog in process1_uint8.py process2_uint8.py process1_float64.py \
    process2_float64.py; do
	run help "$prog" -h
	check "$prog -h exits 0, its usage on stdout, nothing on stderr" \
	    helped "$prog"
	run bad "$prog" -x
	check "$prog -x exits 2 with a usage message on stderr" \
	    failed 2 bad 'unknown option -x' "^usage: $prog "
	check "$prog -x opens nothing" empty_dir
done

# bad_usage DESCRIPTION MESSAGE ARG...: process1_uint8.py with those
# arguments exits 2, says MESSAGE and how to use it, and makes nothing.
bad_usage() {
	what=$1
	message=$2
	shift 2
	run bad process1_uint8.py "$@"
	check "process1_uint8.py $what exits 2 and says why, as in C" \
	    refused "$message"
}
bad_usage "-n 0" "-n wants a whole number above 0, not '0'" -n 0
bad_usage "-n with no value" "-n wants a value" -n
bad_usage "-i 1e3" "-i wants seconds from 0 to 86400, like 0.5, not '1e3'" \
    -i 1e3
bad_usage "-i 86401" "-i wants seconds from 0 to 86400" -i 86401
bad_usage "with an operand" "unexpected argument 'extra'" -n 1 extra

run rounds process1_float64.py -n 3 -i 0.01
check "process1_float64.py -n 3 -i 0.01 prints three rounds and exits 0" \
    succeeded rounds 1.5 0.0 0.0 0.0 1.5 0.0 0.0 0.0 1.5 0.0 0.0 0.0

# -m: another name, which process2 must be given too, across languages.
start other process1_uint8.py -m Other -i 0.05
other=$pid
check "process1_uint8.py -m Other creates Other, not MyMemory" \
    within only Other
run both process2_uint8 -m Other -n 1 -i 0
check "process2_uint8 -m Other -n 1 beside it prints 1 2 3 4" \
    succeeded both 1 2 3 4
run early process2_float64.py -m Missing -n 1
check "process2_float64.py -m Missing says: start process1_float64.py -m Missing" \
    failed_once 1 early Missing 'start process1_float64.py -m Missing first'
kill -s TERM "$other"
finish "$other"
check "process1_uint8.py -m Other stops on SIGTERM and removes Other" \
    cleaned_up

run bad process1_uint8.py -m a/b -n 1
check "process1_uint8.py -m a/b exits 1 naming a/b, in one line, as in C" \
    failed_once 1 bad "^process1_uint8.py: a/b: cannot create it: "

check "the key directory is empty at the end" empty_dir
test "$n" -eq 96 || echo "# ran $n tests, planned 96"
