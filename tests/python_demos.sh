#!/bin/sh
# python_demos.sh - the Python demos in examples/python/ with the C demos:
# each language's process1 with the other's process2, in both orders of
# the two demos, checking every line they print and that nothing is left
# behind; then the Python demos alone, stopped by each signal, and with
# bad options, as tests/demos.sh runs the C ones.  Run with each Python
# (tests/python-env.sh), skipped where there is none.
#
# Every demo runs in the background with a time limit, and any still
# running when the test ends is killed, so that a broken demo fails the
# test instead of hanging it.  Run through tests/run-test.sh, which gives
# the test a key directory of its own in $SHAREDMEM_DIR.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"

. "$top_srcdir/tests/python-env.sh"
echo 1..97
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

harness=pydemos
. "$top_srcdir/tests/demo-harness.sh"

# rounds TAG A1 A2 A3 A4 B1 B2 B3 B4: TAG's output is whole rounds, each
# either the lines A1 to A4 or B1 to B4, and nothing else.
rounds() {
	awk -v a="$2 $3 $4 $5" -v b="$6 $7 $8 $9" '
		{ r = (NR % 4 == 1 ? $0 : r " " $0) }
		NR % 4 == 0 && r != a && r != b { bad = 1 }
		END { exit bad || NR == 0 || NR % 4 != 0 }' "$tmp/$1.out"
}


# quiet TAG: exit status 0, nothing on stderr.
quiet() {
	exited "$1" 0 && test ! -s "$tmp/$1.err"
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
	kill -s INT "$pid_one"
	finish one
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
		finish two
		check "SIG$sig stops $p2 in its pause, with status 0" \
		    succeeded two "$5" "$6" "$7" "$8"
		check "$p2 stopped by SIG$sig leaves MyMemory, shmid $id" \
		    kept MyMemory "$id"
	done
	kill -s INT "$pid_one"
	finish one
	check "SIGINT stops $p1 with status 0" exited one 0
	check "$p1 printed whole rounds of $1 $2 $3 $4 or $5 $6 $7 $8 only" \
	    rounds one "$@"
	check "$p1 stopped by SIGINT removes MyMemory and its segment $id" \
	    gone "$id"
	for sig in TERM HUP; do
		start one "$p1" -i 1000
		within printed one
		id=$(shmid_of MyMemory)
		kill -s "$sig" "$pid"
		finish one
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
check "process1_uint8.py -m Other creates Other, not MyMemory" \
    within only Other
# Its first round printed, byte 0 is written.
within printed other
run both process2_uint8 -m Other -n 1 -i 0
check "process2_uint8 -m Other -n 1 beside it prints 1 2 3 4" \
    succeeded both 1 2 3 4
run early process2_float64.py -m Missing -n 1
check "process2_float64.py -m Missing says: start process1_float64.py -m Missing" \
    failed_once 1 early Missing 'start process1_float64.py -m Missing first'
keys=$SHAREDMEM_DIR
SHAREDMEM_DIR=$tmp/nowhere
run early process2_uint8.py -n 1
SHAREDMEM_DIR=$keys
check "process2_uint8.py with no key directory names it and SHAREDMEM_DIR" \
    failed_once 1 early "the key directory $tmp/nowhere does not exist" \
    'SHAREDMEM_DIR names it'
kill -s TERM "$pid_other"
finish other
check "process1_uint8.py -m Other stops on SIGTERM and removes Other" \
    cleaned_up

run bad process1_uint8.py -m a/b -n 1
check "process1_uint8.py -m a/b exits 1 naming a/b, in one line, as in C" \
    failed_once 1 bad "^process1_uint8.py: a/b: cannot create it: "

check "the key directory is empty at the end" empty_dir
test "$n" -eq 97 || echo "# ran $n tests, planned 97"
