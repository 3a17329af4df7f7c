# demo-harness.sh: sourced by the tests that run the demos, C and Python:
# demos.sh and python_demos.sh.  Before it, the test sets harness (a word
# for its temporary directory), dir (the key directory), ex (the C demos)
# and, for the Python ones, pyex and python (the interpreter, from
# tests/python-env.sh).  It makes $tmp, removed at the end with every demo
# still running, and gives the functions below.
pyex=${pyex-}
tmp=${TMPDIR:-/tmp}/sharedmem-$harness.$$
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

# start TAG PROGRAM ARG...: runs the demo PROGRAM in the background: the
# Python one from examples/python/, with $python, if PROGRAM ends in .py,
# else the C one from examples/; its output in $tmp/TAG.out and
# $tmp/TAG.err.  Sets $pid.
start() {
	tag=$1
	prog=$2
	shift 2
	rm -f "$tmp/$tag.out" "$tmp/$tag.err"
	last=$tag
	case $prog in
	*.py)	"$python" "$pyex/$prog" "$@" >"$tmp/$tag.out" 2>"$tmp/$tag.err" &
		;;
	*)	"$ex/$prog" "$@" >"$tmp/$tag.out" 2>"$tmp/$tag.err" &
		;;
	esac
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
	grep "^sharedmem 2 key=0x[0-9a-f]* shmid=[0-9]* size=[0-9]* pid=[0-9]*\\( boot=[^ ]*\\)\\{0,1\\} name=$1\$" \
	    "$dir/sharedmem.$1" >/dev/null 2>&1
}

shmid_of() {
	sed -n 's/^sharedmem 2 key=0x[0-9a-f]* shmid=\([0-9]*\) size=.*/\1/p' \
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
