# tool-lib.sh - the checks of the tests of sharedmem(1), in TAP: run the
# tool, then check what it printed and how it exited.  Sourced by
# tool.sh and tool_users.sh, which set $tool (the tool), $dir (the key
# directory), $tmp (a directory of their own) and $top_builddir.

. "$top_srcdir/tests/tap.sh"

# A failed check shows the tool's last status and output.
explain_failure() {
	echo "# last: sharedmem $last: status ${status-none}"
	sed 's/^/# stdout: /' "$tmp/out" 2>/dev/null | head -20
	sed 's/^/# stderr: /' "$tmp/err" 2>/dev/null | head -20
}

# skip DESCRIPTION REASON
skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# check_modes DESCRIPTION COMMAND...: check, where shmctl(IPC_STAT) reports
# the modes segments are made with (not under qemu-user for s390x).
modes_ok=true
"$top_builddir/tests/ipc_mode" || modes_ok=false
check_modes() {
	if $modes_ok; then
		check "$@"
	else
		skip "$1" "shmctl(IPC_STAT) misreports modes here (an emulator?)"
	fi
}

# run ARG...: runs the tool with stdin from /dev/null; output in
# $tmp/out and $tmp/err, exit status in $status.
run() {
	last="$*"
	"$tool" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
	status=$?
}

# lines VALUE...: the output is exactly the VALUEs, one a line.
lines() {
	printf '%s\n' "$@" >"$tmp/want"
	cmp -s "$tmp/want" "$tmp/out"
}

# quiet: status 0, and nothing on stdout or stderr.
quiet() {
	test "$status" -eq 0 && test ! -s "$tmp/out" && test ! -s "$tmp/err"
}

# succeeded VALUE...: status 0, the VALUEs on stdout, nothing on stderr.
succeeded() {
	test "$status" -eq 0 && lines "$@" && test ! -s "$tmp/err"
}

# worked: status 0, nothing on stderr.
worked() {
	test "$status" -eq 0 && test ! -s "$tmp/err"
}

# has PATTERN...: every PATTERN is on stdout.
has() {
	for pattern in "$@"; do
		grep -e "$pattern" "$tmp/out" >/dev/null || return 1
	done
}

# noted TEXT: status 0, nothing on stdout, and on stderr one line,
# "sharedmem: TEXT": a note of what stays.
noted() {
	test "$status" -eq 0 && test ! -s "$tmp/out" &&
	    test "$(cat "$tmp/err")" = "sharedmem: $1"
}

# failed STATUS PATTERN...: that status, nothing on stdout, and every
# PATTERN on stderr, which starts with "sharedmem: ".
failed() {
	test "$status" -eq "$1" || return 1
	shift
	test ! -s "$tmp/out" || return 1
	grep '^sharedmem: ' "$tmp/err" >/dev/null || return 1
	for pattern in "$@"; do
		grep -e "$pattern" "$tmp/err" >/dev/null || return 1
	done
}

# failed_once PATTERN...: status 1, and the reason in one line.
failed_once() {
	failed 1 "$@" &&
	    test "$(wc -l <"$tmp/err" | tr -d ' ')" -eq 1
}

# names: the names in the key directory, as its files show them.
names() {
	ls "$dir" | sed -n 's/^sharedmem\.//p' | tr '\n' ' ' | sed 's/ $//'
}

# row NAME: NAME's line in the last output of ls, its fields one blank
# apart.
row() {
	awk -v name="$1" '$1 == name { $1 = $1; print }' "$tmp/out"
}

# field LABEL: the value of LABEL in the last output of stat.
field() {
	sed -n "s/^$1: *//p" "$tmp/out"
}
