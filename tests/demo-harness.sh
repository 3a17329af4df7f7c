# demo-harness.sh: sourced by the tests that run the example programs, C
# and Python: demos.sh, python_demos.sh and stream.sh.  Before it, the
# test sets harness (a word for its temporary directory), dir (the key
# directory), ex (the C programs), for the Python demos pyex and python
# (the interpreter, from tests/python-env.sh), and, if finish is to wait
# longer than ten seconds by default, finish_seconds.  It makes $tmp,
# removed at the end with every program still running, and gives the
# functions below.
#
# A program runs under a tag, a word the test gives it: its output goes
# to $tmp/TAG.out and $tmp/TAG.err, its pid is $pid_TAG, and once it has
# ended, its exit status is $st_TAG.
pyex=${pyex-}
finish_seconds=${finish_seconds-10}
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
# cleanup from stopping the programs.
trap 'exit 99' HUP INT PIPE TERM

. "$top_srcdir/tests/ipcs-list.sh"
if command -v ipcs >/dev/null 2>&1; then
	have_ipcs=true
else
	have_ipcs=false
	echo "# no ipcs: segments are checked through their key files only"
fi

. "$top_srcdir/tests/tap.sh"
last=none
tags=
# A failed check shows the exit status and what the programs of the tags
# in $tags said, or those of the program started or finished last if
# $tags is empty: stderr, and stdout while it is short (a stream's is
# data).
explain_failure() {
	for t in ${tags:-$last}; do
		eval "echo \"# \$t exited with status \${st_$t-none}\""
		test -s "$tmp/$t.out" &&
		    test "$(wc -c <"$tmp/$t.out" | tr -d ' ')" -le 2048 &&
		    sed "s/^/# $t stdout: /" "$tmp/$t.out"
		test -s "$tmp/$t.err" &&
		    sed "s/^/# $t stderr: /" "$tmp/$t.err"
	done
}

. "$top_srcdir/tests/within.sh"

# start TAG PROGRAM ARG...: runs PROGRAM in the background: the Python
# one from examples/python/, with $python, if PROGRAM ends in .py, else
# the C one from examples/; standard input from $tmp/TAG.in if there is
# one, else /dev/null.  Sets $pid and $pid_TAG.
start() {
	tag=$1
	prog=$2
	shift 2
	rm -f "$tmp/$tag.out" "$tmp/$tag.err"
	last=$tag
	in=/dev/null
	test -f "$tmp/$tag.in" && in=$tmp/$tag.in
	case $prog in
	*.py)	"$python" "$pyex/$prog" "$@" <"$in" >"$tmp/$tag.out" \
		    2>"$tmp/$tag.err" &
		;;
	*)	"$ex/$prog" "$@" <"$in" >"$tmp/$tag.out" 2>"$tmp/$tag.err" &
		;;
	esac
	pid=$!
	eval "pid_$tag=\$pid"
	bg="$bg $pid"
}

# finish TAG [SECONDS]: waits for the program of TAG and sets $status and
# $st_TAG to its exit status; a watchdog kills it after SECONDS
# ($finish_seconds unless given), with SIGKILL: status 137.  The watchdog
# is told to go by a file, not a signal: a subshell killed right after
# its fork may still run this shell's traps.
finish() {
	last=$1
	eval "p=\$pid_$1"
	limit=$((${2:-$finish_seconds} * 20))
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
	status=$?
	eval "st_$1=\$status"
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

# exited TAG CODE: the program of TAG exited with status CODE.
exited() {
	eval "test \"\${st_$1-none}\" = \"$2\""
}

# alive TAG: the program of TAG is still running.
alive() {
	eval "kill -0 \"\$pid_$1\"" 2>/dev/null
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
	exited "$1" 0 && lines "$@" && test ! -s "$tmp/$1.err"
}

# said TAG PATTERN...: TAG's stderr has every PATTERN.
said() {
	tag=$1
	shift
	for pattern in "$@"; do
		grep -e "$pattern" "$tmp/$tag.err" >/dev/null || return 1
	done
}

# failed STATUS TAG PATTERN...: that exit status, nothing on stdout, and
# every PATTERN on stderr.
failed() {
	want=$1
	tag=$2
	shift 2
	exited "$tag" "$want" && test ! -s "$tmp/$tag.out" && said "$tag" "$@"
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

# keyfile NAME: NAME's key file holds a whole record of NAME.
keyfile() {
	grep "^sharedmem 2 key=0x[0-9a-f]* shmid=[0-9]* size=[0-9]* pid=[0-9]*\\( semid=[0-9]* sems=[0-9]*\\( held=[0-9]*\\)\\{0,1\\}\\)\\{0,1\\}\\( boot=[^ ]*\\)\\{0,1\\} name=$1\$" \
	    "$dir/sharedmem.$1" >/dev/null 2>&1
}

shmid_of() {
	sed -n 's/^sharedmem 2 key=0x[0-9a-f]* shmid=\([0-9]*\) size=.*/\1/p' \
	    "$dir/sharedmem.$1" 2>/dev/null
}

# semid_of NAME: the semaphore set of NAME's key file; nothing for none.
semid_of() {
	sed -n 's/^sharedmem 2 .* semid=\([0-9]*\) .*/\1/p' \
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

# semaphores [ID]: ipcs shows the semaphore set ID (true for no ID).
semaphores() {
	$have_ipcs && test -n "${1-}" || return 0
	ipcs_list | grep "^s $1 " >/dev/null
}

no_semaphores() {
	$have_ipcs && test -n "${1-}" || return 0
	! ipcs_list | grep "^s $1 " >/dev/null
}

# gone ID [SEMID]: no key file, no segment ID, no semaphore set SEMID.
gone() {
	empty_dir && no_segment "$1" && no_semaphores "${2-}"
}

# kept NAME ID [SEMID]: the key file of NAME, the segment ID and the
# semaphore set SEMID are there.
kept() {
	keyfile "$1" && test "$(shmid_of "$1")" = "$2" && segment "$2" &&
	    semaphores "${3-}"
}

# only NAME: the key file of NAME is there, and none other.
only() {
	keyfile "$1" && test "$(ls -A "$dir")" = "sharedmem.$1"
}

cleaned_up() {
	test "$status" -eq 0 && empty_dir
}
