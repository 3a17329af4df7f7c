#!/bin/sh
# run.sh SRCDIR - make bench: runs every benchmark program of the build
# tree, from its top directory, in a fresh key directory of its own within
# $SHAREDMEM_KEYDIR; gathers their figures in bench/results.csv, and draws
# bench/throughput.png with $GNUPLOT where it is set.

srcdir=${1-.}
csv=bench/results.csv

dir=`mktemp -d "${SHAREDMEM_KEYDIR-/tmp}/sharedmem-bench.XXXXXX"` || exit 1
SHAREDMEM_DIR=$dir
export SHAREDMEM_DIR

# The programs remove what they make even when they fail or are stopped;
# only one killed outright leaves names behind, which take their segments
# and semaphore sets along when they go.  They go before the next program
# runs, so that it finds the key directory empty.
leftovers() {
	names=
	for file in "$dir"/sharedmem.*; do
		test -f "$file" && names="$names ${file#"$dir"/sharedmem.}"
	done
	if test -n "$names"; then
		echo "run.sh: removing what was left:$names" >&2
		./src/sharedmem -d "$dir" rm $names >&2
	fi
	# And the segments of creates killed half way.
	./src/sharedmem -d "$dir" gc >/dev/null
}
# make passes on a signal that the shell has had already: the clean-up
# must not be cut short by the second one.
trap 'status=$?; trap "" HUP INT PIPE TERM; leftovers; rm -rf "$dir";
    exit $status' EXIT
trap 'exit 1' HUP INT PIPE TERM

status=0
# run PROGRAM ARGS...: its status in $last, and a blank line after it.
run() {
	"$@"
	last=$?
	test $last = 0 || status=1
	leftovers
	echo
}

echo "key directory: $dir"
echo "section,case,param,value,unit,ratio" >$csv || exit 1
run ./bench/control -o bench/control.csv -p "$srcdir/bench/control.py"
# The same figures go into results.csv.
if test $last = 0; then
	sed -e 1d \
	    -e 's/^\(".*"\),\([^,]*\),\([^,]*\)$/control,\1,,\2,us,\3/' \
	    bench/control.csv >>$csv || status=1
fi
run ./bench/data -o $csv
data=$last
run ./bench/handoff -o $csv
run ./bench/stream -e examples -o $csv
run ./bench/touch -o $csv
run ./bench/scale -t ./src/sharedmem -o $csv

if test -z "$GNUPLOT"; then
	echo "(configure found no gnuplot: no bench/throughput.png)"
elif test $data = 0; then
	if "$GNUPLOT" -e "csv='$csv'; png='bench/throughput.png'" \
	    "$srcdir/bench/throughput.gp"; then
		echo "(bench/throughput.png draws the data plane)"
	else
		status=1
	fi
fi
echo "(bench/results.csv has all the figures, bench/control.csv the" \
    "first table's)"
exit $status
