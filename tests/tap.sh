# tap.sh - TAP for the shell tests, sourced by their harnesses: numbered
# checks.  A harness defines explain_failure, which says in "#" lines what
# a failed check needs beside its description: what the program under test
# printed, and how it exited.

n=0
# check DESCRIPTION COMMAND...: one test, passed if COMMAND succeeds.
check() {
	what=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		explain_failure
	fi
	return 0
}
