#!/bin/sh
# run-demos.sh [DIR]: what `make demo' runs.  Runs each pair of demos side
# by side, as two terminals would: process1 first, process2 a second
# later, once the segment exists.  Each line says which program printed
# it.  DIR holds the built demos (default: examples).  The segment is
# MyMemory in the library's key directory ($SHAREDMEM_DIR if set).
#
# Both demos stop by themselves after a few rounds, and process1 then
# removes the segment, so nothing is left even if this script is stopped
# half way.  Exits 1 if a demo failed.
set -u
dir=${1:-examples}
status=0

# mark PROGRAM: copies standard input with "PROGRAM: " before each line,
# four lines (one round of a demo) in one write, so that the rounds of
# two demos do not mix.  The last line, from run below, carries the
# program's exit status, which becomes the function's own and so the
# status of run's pipeline.
mark() {
	code=1
	round=
	lines=0
	while IFS= read -r line; do
		case $line in
		'@status '*)
			code=${line#@status }
			continue
			;;
		esac
		round="$round$1: $line
"
		lines=$((lines + 1))
		if test "$lines" -eq 4; then
			printf '%s' "$round"
			round=
			lines=0
		fi
	done
	printf '%s' "$round"
	return "$code"
}

# run PROGRAM ARG...: runs the demo PROGRAM, marking its output.  Its
# messages go to stderr as they are: they name the program already.
run() {
	prog=$1
	shift
	{ "$dir/$prog" "$@"; echo "@status $?"; } | mark "$prog"
}

# pair TYPE: process1_TYPE for six rounds, with process2_TYPE for three
# in the middle of them.
pair() {
	echo "process1_$1 -n 6 -i 0.5, and a second later process2_$1 -n 3 -i 0.5:"
	run "process1_$1" -n 6 -i 0.5 &
	first=$!
	sleep 1
	run "process2_$1" -n 3 -i 0.5 || status=1
	wait "$first" || status=1
}

pair uint8
echo
pair float64
if test "$status" -ne 0; then
	echo "run-demos.sh: a demo failed; see above" >&2
fi
exit "$status"
