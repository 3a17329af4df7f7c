# within.sh: sourced by the shell tests that wait for programs they run.

# nap: a short pause, a second where sleep takes no fractions.
nap() {
	sleep 0.05 2>/dev/null || sleep 1
}

# within COMMAND...: waits until COMMAND succeeds, ten seconds at most.
within() {
	tries=0
	until "$@"; do
		tries=$((tries + 1))
		test "$tries" -le 200 || return 1
		nap
	done
}
