# ipcs_list: one line "TYPE ID KEY ATTACHED" for each shared memory
# segment (m) and semaphore set (s) of the current user, sorted; ATTACHED
# is the segment's nattch, or - where ipcs does not show it.  Reads ipcs(1)
# output in both of its common layouts: Linux (key id owner perms bytes
# nattch ...) and SVR4/BSD (T ID KEY MODE OWNER ...).
ipcs_list() {
	me=$(id -un)
	{ ipcs -m && ipcs -s; } | awk -v me="$me" '
		/Shared Memory/ { t = "m"; next }
		/Semaphore/ { t = "s"; next }
		$1 ~ /^0x/ && $2 ~ /^[0-9]+$/ && $3 == me {
			print t, $2, $1, (t == "m" ? $6 : "-"); next
		}
		($1 == "m" || $1 == "s") && $2 ~ /^[0-9]+$/ && $5 == me {
			print $1, $2, $3, "-"
		}
	' | sort
}

# ipcs_has ID [KEY]: ipcs shows the segment ID of this user (at KEY).
ipcs_has() {
	ipcs_list | grep "^m $1 ${2:+$2 }" >/dev/null
}
