#!/bin/sh
# stream.sh - stream_producer and stream_consumer: generated data and real
# files through the segment, compared byte for byte with cmp(1); both
# orders of starting; each side stopped by a signal or killed outright in
# the middle of a stream; a second consumer; bad options.  After every
# run, the stream's key file, segment and semaphore set must be gone.
#
# Every program runs in the background with a time limit, and any still
# running when the test ends is killed, so that a hanging side fails the
# test instead of hanging it.  Run through tests/run-test.sh, which gives
# the test a key directory of its own in $SHAREDMEM_DIR.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"

echo 1..76
if test -z "${SHAREDMEM_DIR-}" || test ! -d "$SHAREDMEM_DIR"; then
	echo "Bail out! no key directory: run through tests/run-test.sh"
	exit 99
fi
dir=$SHAREDMEM_DIR
ex=$top_builddir/examples
for prog in stream_producer stream_consumer; do
	if test ! -x "$ex/$prog"; then
		echo "Bail out! $ex/$prog is not built"
		exit 99
	fi
done

tmp=${TMPDIR:-/tmp}/sharedmem-stream.$$
(umask 077 && mkdir "$tmp") || { echo "Bail out! cannot make $tmp"; exit 99; }
bg=
cleanup() {
	exec 3>&-
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
	echo "# no ipcs: what is left is checked through key files only"
fi

n=0
tags=
# check DESCRIPTION COMMAND...: one test, passed if COMMAND succeeds.  A
# failure shows the status and the stderr of the programs in $tags.
check() {
	what=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		for t in $tags; do
			eval "echo \"# \$t exited with status \${st_$t-none}\""
			test -s "$tmp/$t.err" &&
			    sed "s/^/# $t stderr: /" "$tmp/$t.err"
		done
	fi
	return 0
}

. "$top_srcdir/tests/within.sh"

# start TAG PROGRAM ARG...: runs examples/PROGRAM in the background,
# standard input from $tmp/TAG.in if there is one, output in $tmp/TAG.out
# and $tmp/TAG.err; sets pid_TAG.
start() {
	tag=$1
	prog=$2
	shift 2
	rm -f "$tmp/$tag.out" "$tmp/$tag.err"
	in=/dev/null
	test -f "$tmp/$tag.in" && in=$tmp/$tag.in
	"$ex/$prog" "$@" <"$in" >"$tmp/$tag.out" 2>"$tmp/$tag.err" &
	eval "pid_$tag=\$!"
	bg="$bg $!"
	case " $tags " in
	*" $tag "*) ;;
	*) tags="$tags $tag" ;;
	esac
}

# finish TAG [SECONDS]: waits for TAG and sets st_TAG to its exit status.
# A watchdog kills it with SIGKILL (status 137) after SECONDS, 20 unless
# given; it is told to go by a file, not a signal, which a subshell just
# forked might take for its own.
finish() {
	eval "p=\$pid_$1"
	limit=$((${2:-20} * 20))
	rm -f "$tmp/done"
	(
		tries=0
		while test ! -e "$tmp/done"; do
			if test "$tries" -ge "$limit"; then
				kill -s KILL "$p"
				break
			fi
			nap
			tries=$((tries + 1))
		done
	) >/dev/null 2>&1 &
	watchdog=$!
	# Quiet: the shell would report a program killed by a signal, which
	# some tests do on purpose.
	wait "$p" 2>/dev/null
	eval "st_$1=\$?"
	: >"$tmp/done"
	wait "$watchdog"
	left=
	for q in $bg; do
		test "$q" = "$p" || left="$left $q"
	done
	bg=$left
}

# run TAG PROGRAM ARG...: start, then finish.
run() {
	start "$@"
	finish "$1"
}

# status TAG CODE: TAG exited with status CODE.
status() {
	eval "test \"\${st_$1-none}\" = \"$2\""
}

# said TAG PATTERN...: TAG's stderr has every PATTERN.
said() {
	tag=$1
	shift
	for pattern in "$@"; do
		grep -e "$pattern" "$tmp/$tag.err" >/dev/null || return 1
	done
}

# failed TAG PATTERN...: exit status 1, nothing on stdout, one line on
# stderr with every PATTERN.
failed() {
	status "$1" 1 && test ! -s "$tmp/$1.out" &&
	    test "$(wc -l <"$tmp/$1.err" | tr -d ' ')" -eq 1 && said "$@"
}

# quiet TAG: exit status 0, nothing on stdout or stderr.
quiet() {
	status "$1" 0 && test ! -s "$tmp/$1.out" && test ! -s "$tmp/$1.err"
}

# summary TAG BYTES [FILE]: exit status 0, nothing on stderr, and the
# one line of the consumer in FILE (default stdout) says that BYTES
# bytes came with the right checksum.
summary() {
	file=${3:-$tmp/$1.out}
	status "$1" 0 || return 1
	test "$file" != "$tmp/$1.out" || test ! -s "$tmp/$1.err" || return 1
	line="^$2 bytes in [0-9]*\.[0-9]* s, [0-9]*\.[0-9] MB/s, checksum ok\$"
	test "$(wc -l <"$file" | tr -d ' ')" -eq 1 &&
	    grep "$line" "$file" >/dev/null
}

# same FILE1 FILE2: the two files have the same bytes.
same() {
	cmp "$1" "$2" >/dev/null 2>&1
}

size() {
	test "$(wc -c <"$1" | tr -d ' ')" -eq "$2"
}

empty_dir() {
	test -z "$(ls -A "$dir")"
}

keyfile() {
	test -f "$dir/sharedmem.${1:-stream}"
}

# ids: sets shmid and semid from the stream's key file, empty where the
# key file does not say.
ids() {
	line=$(cat "$dir/sharedmem.stream" 2>/dev/null)
	shmid=$(echo "$line" | sed -n 's/.* shmid=\([0-9]*\).*/\1/p')
	semid=$(echo "$line" | sed -n 's/.* semid=\([0-9]*\).*/\1/p')
	test -n "$shmid"
}

# gone: no key file left, and no segment $shmid or semaphore set $semid.
gone() {
	empty_dir || return 1
	$have_ipcs || return 0
	ipcs_list >"$tmp/ipcs" || return 1
	! grep "^m $shmid " "$tmp/ipcs" >/dev/null || return 1
	test -z "$semid" || ! grep "^s $semid " "$tmp/ipcs" >/dev/null
}

# kept: the key file, segment $shmid and semaphore set $semid are there.
kept() {
	keyfile || return 1
	$have_ipcs || return 0
	ipcs_list >"$tmp/ipcs" || return 1
	grep "^m $shmid " "$tmp/ipcs" >/dev/null || return 1
	test -z "$semid" || grep "^s $semid " "$tmp/ipcs" >/dev/null
}

# attached COUNT: ipcs shows segment $shmid attached COUNT times (true
# where ipcs cannot tell).
attached() {
	$have_ipcs || return 0
	ipcs_list | awk -v id="$shmid" -v c="$1" '
		$1 == "m" && $2 == id && ($4 == c || $4 == "-") { found = 1 }
		END { exit !found }'
}

alive() {
	eval "kill -0 \"\$pid_$1\"" 2>/dev/null
}

# The options: 4 tests a program.
for prog in stream_producer stream_consumer; do
	tags=help
	run help "$prog" -h
	check "$prog -h exits 0" status help 0
	check "$prog -h prints its usage on stdout, nothing on stderr" \
	    eval "grep '^usage: $prog ' '$tmp/help.out' >/dev/null &&
	    test ! -s '$tmp/help.err'"
	tags=bad
	run bad "$prog" -x
	check "$prog -x exits 2 with a usage message on stderr" \
	    eval "status bad 2 && said bad 'unknown option -x' '^usage: $prog '"
	check "$prog -x opens nothing" empty_dir
done

# bad_usage PROGRAM DESCRIPTION ARG...: exits 2, says why and how to use
# it, and makes nothing.
bad_usage() {
	prog=$1
	what=$2
	shift 2
	tags=bad
	run bad "$prog" "$@"
	check "$prog $what exits 2 with a usage message, and makes nothing" \
	    eval "status bad 2 && test ! -s '$tmp/bad.out' &&
	    test \"\$(wc -l <'$tmp/bad.err' | tr -d ' ')\" -eq 2 &&
	    said bad '^usage: $prog ' && empty_dir"
}

bad_usage stream_producer "-c 0" -c 0
bad_usage stream_producer "-c 2G" -c 2G
bad_usage stream_producer "-c 1x" -c 1x
bad_usage stream_producer "-b -1" -b -1
bad_usage stream_producer "-b 99999999999999999999" -b 99999999999999999999
bad_usage stream_producer "-b with a FILE" -b 1M "$tmp/file"
bad_usage stream_producer "-t 0" -t 0
bad_usage stream_producer "with two FILEs" a b
bad_usage stream_consumer "-t 1e3" -t 1e3
bad_usage stream_consumer "with an operand" extra

tags=missing
run missing stream_producer "$tmp/missing"
check "stream_producer of a missing file exits 1 naming it, making nothing" \
    eval "failed missing '^stream_producer: $tmp/missing: ' && empty_dir"
tags=noout
start noout stream_consumer -o "$tmp/missing/out" -t 10
finish noout 5
check "stream_consumer -o into a missing directory exits 1 at once" \
    eval "failed noout '^stream_consumer: $tmp/missing/out: ' && empty_dir"

# 64 MiB of generated data, the producer started first.  It waits for a
# consumer with its key file made: the ids of its objects are read then.
tags="prod cons"
start prod stream_producer -b 64M
check "stream_producer -b 64M makes the stream and waits for a consumer" \
    within ids
run cons stream_consumer -o "$tmp/gen"
finish prod
check "stream_consumer takes 64 MiB, prints bytes, MB/s and checksum ok" \
    summary cons 67108864
check "stream_producer -b 64M exits 0 and prints nothing" quiet prod
check "stream_consumer -o wrote 64 MiB" size "$tmp/gen" 67108864
check "the key file, segment $shmid and semaphore set ${semid:-?} are gone" \
    gone

# The same data in chunks of an odd size, neither a multiple of 8 nor a
# page: the generated bytes and the checksum do not depend on the chunks.
start prod stream_producer -b 64M -c 4093
run cons stream_consumer -o "$tmp/odd"
finish prod
check "64 MiB in chunks of 4093 bytes: checksum ok" summary cons 67108864
check "... and the same bytes as in chunks of 1 MiB" same "$tmp/gen" "$tmp/odd"
check "... and the producer exits 0" quiet prod
check "... and the key directory is empty" empty_dir

# Real files: the generated one, and a program, whose size is no round
# number.
start prod stream_producer "$tmp/gen"
run cons stream_consumer -o "$tmp/copy"
finish prod
check "the 64 MiB file comes whole: checksum ok" summary cons 67108864
check "... and cmp finds the copy the same" same "$tmp/gen" "$tmp/copy"
check "... and the producer exits 0" quiet prod
prog_size=$(wc -c <"$ex/stream_producer" | tr -d ' ')
start prod stream_producer -c 64k "$ex/stream_producer"
run cons stream_consumer -o "$tmp/copy"
finish prod
check "the program file, $prog_size bytes in chunks of 64 KiB: checksum ok" \
    summary cons "$prog_size"
check "... and cmp finds the copy the same" \
    same "$ex/stream_producer" "$tmp/copy"
check "... and the key directory is empty" empty_dir

# From standard input to standard output; the last line goes to stderr.
cp "$tmp/gen" "$tmp/prod.in"
start prod stream_producer -
run cons stream_consumer -o -
finish prod
rm -f "$tmp/prod.in"
check "stream_producer - sends its standard input: checksum ok on stderr" \
    summary cons 67108864 "$tmp/cons.err"
check "... and stream_consumer -o - writes the same bytes to stdout" \
    same "$tmp/gen" "$tmp/cons.out"
check "... and the producer exits 0" quiet prod

# Nothing at all.
start prod stream_producer /dev/null
run cons stream_consumer -o "$tmp/copy"
finish prod
check "an empty stream: 0 bytes, checksum ok" summary cons 0
check "... and an empty file written, and the producer exits 0" \
    eval "size '$tmp/copy' 0 && quiet prod && empty_dir"

# The consumer first: it waits for the stream to appear.
dd if="$tmp/gen" of="$tmp/head" bs=1048576 count=4 2>/dev/null
start cons stream_consumer -o "$tmp/copy"
sleep 1
check "stream_consumer started first waits, making nothing" \
    eval "alive cons && empty_dir"
run prod stream_producer -b 4M
finish cons
check "stream_producer started a second later: the consumer gets 4 MiB" \
    summary cons 4194304
check "... the same bytes as the first 4 MiB of the 64" \
    same "$tmp/head" "$tmp/copy"
check "... and the producer exits 0, leaving nothing" \
    eval "quiet prod && empty_dir"

# Alone, each side gives up after -t seconds.
tags=cons
run cons stream_consumer -t 0.5
check "stream_consumer -t 0.5 alone exits 1: start stream_producer first" \
    failed cons '^stream_consumer: stream: ' 'within 0.5 s' \
    'start stream_producer first'
run cons stream_consumer -n Other -t 0.2
check "stream_consumer -n Other alone says: start stream_producer -n Other" \
    failed cons '^stream_consumer: Other: ' \
    'start stream_producer -n Other first'
check "... and neither makes anything" empty_dir
tags=prod
start prod stream_producer -t 1 -b 1M
within ids
finish prod
check "stream_producer -t 1 alone exits 1: no consumer came within 1 s" \
    failed prod '^stream_producer: stream: no consumer came within 1 s'
check "... and removes its key file, segment $shmid and semaphores" gone

# A second producer of the same name fails and leaves the first alone;
# the first still streams to a consumer.
tags="prod prod2 cons"
start prod stream_producer -b 1M
within ids
run prod2 stream_producer -b 1M
check "a second stream_producer exits 1: exists already, sharedmem rm stream" \
    failed prod2 'exists already' 'sharedmem rm stream)'
check "... and leaves the first one's objects" kept
run cons stream_consumer
finish prod
check "the first one then streams to a consumer" \
    eval "summary cons 1048576 && quiet prod && gone"

# SIGHUP stops a producer that waits for its consumer.
tags=prod
start prod stream_producer
within ids
kill -s HUP "$pid_prod"
finish prod 5
check "SIGHUP stops a waiting stream_producer with status 1, in one line" \
    failed prod '^stream_producer: stream: stopped by a signal after 0 bytes'
check "... and it removes the stream" gone

# A producer killed before any consumer came leaves its stream behind;
# the next consumer finds the producer gone, and removes the stream.
tags="prod cons"
start prod stream_producer
within ids
{
	kill -s KILL "$pid_prod"
	finish prod 5
} 2>/dev/null
check "SIGKILL to a waiting stream_producer leaves its stream" kept
run cons stream_consumer
check "the next stream_consumer exits 1: the producer is gone" \
    failed cons '^stream_consumer: stream: the producer is gone after 0 bytes$'
check "... and it removes the stream" gone

# midway VICTIM SIGNAL: a stream of 1000 GiB, far more than the test
# waits for; once the consumer is attached and data flows, VICTIM (prod
# or cons) gets SIGNAL.  The other side must exit 1 well within five
# seconds, however the victim went, and nothing may be left.  3 tests.
midway() {
	victim=$1
	sig=$2
	case $victim in
	prod) other=cons; vname=stream_producer; oname=stream_consumer ;;
	*) other=prod; vname=stream_consumer; oname=stream_producer ;;
	esac
	tags="prod cons"
	start prod stream_producer -b 1000G
	within ids
	start cons stream_consumer
	within attached 2
	sleep 0.3 2>/dev/null || sleep 1
	alive prod && alive cons
	flowing=$?
	eval "kill -s $sig \"\$pid_$victim\""
	finish "$other" 5
	finish "$victim" 5
	case $victim.$sig in
	prod.KILL) why='the producer is gone after [0-9]* bytes$' ;;
	prod.*) why='the producer stopped after [0-9]* bytes$' ;;
	cons.KILL) why='the consumer is gone after [0-9]* bytes$' ;;
	*) why='the consumer stopped after [0-9]* bytes$' ;;
	esac
	check "SIG$sig to $vname midway: $oname exits 1 in 5 s, saying why" \
	    eval "test $flowing -eq 0 &&
	    failed $other \"^$oname: stream: $why\""
	if test "$sig" = KILL; then
		check "... and $vname was killed (status 137)" \
		    status "$victim" 137
	else
		check "... and $vname exits 1: stopped by a signal" \
		    failed "$victim" "^$vname: stream: stopped by a signal"
	fi
	check "... and the key file, segment $shmid and semaphores are gone" \
	    gone
}

# bash reports the killed jobs on stderr, at a time of its choosing.
{
	midway prod TERM
	midway prod KILL
	midway cons TERM
	midway cons KILL
} 2>/dev/null

# A producer that waits for its input, a pipe: what comes is sent after a
# pause, full chunk or not.  A second consumer is turned away; SIGINT
# stops the first, blocked in its wait for data, and the producer, still
# waiting for input, sees it go.
if mkfifo "$tmp/fifo" 2>/dev/null; then
	tags="prod cons cons2"
	start prod stream_producer "$tmp/fifo"
	# Read and write, so that the open cannot block, as a write-only
	# one would until the producer opened the other end.
	exec 3<>"$tmp/fifo"
	within ids
	start cons stream_consumer -o "$tmp/copy"
	printf 'hello\n' >&3
	check "6 bytes from a pipe reach the consumer before the pipe ends" \
	    within size "$tmp/copy" 6
	run cons2 stream_consumer -t 0.5
	check "a second stream_consumer exits 1: it has a consumer already" \
	    failed cons2 '^stream_consumer: stream: it has a consumer already$'
	check "... and leaves the stream to the first" \
	    eval "kept && alive cons && alive prod"
	kill -s INT "$pid_cons"
	finish cons 5
	check "SIGINT stops stream_consumer blocked in its wait: it exits 1" \
	    failed cons 'stream: stopped by a signal after 6 bytes$'
	finish prod 5
	check "stream_producer waiting for input sees the consumer stop" \
	    failed prod 'stream: the consumer stopped after 6 bytes$'
	exec 3>&-
	check "... and the key file, segment $shmid and semaphores are gone" \
	    gone
else
	for what in "6 bytes" "second consumer" "left to the first" SIGINT \
	    "producer sees it" gone; do
		n=$((n + 1))
		echo "ok $n # SKIP no mkfifo: $what"
	done
fi

check "the key directory is empty at the end" empty_dir
test "$n" -eq 76 || echo "# ran $n tests, planned 76"
