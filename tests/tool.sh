#!/bin/sh
# tool.sh - the sharedmem(1) tool: every command on good and bad input,
# checked against ipcs(1) and ipcrm(1), and against a client that knows
# nothing of the library: Perl's shmread and shmwrite.
#
# Run through tests/run-test.sh, which gives the test a key directory of
# its own in $SHAREDMEM_DIR.  Whatever the test makes, it removes, even
# when it fails.
set -u
: "${top_builddir:=.}" "${top_srcdir:=.}"

. "$top_srcdir/tests/keydir-lib.sh"
tool=$top_builddir/src/sharedmem
names_helper=$top_builddir/tests/tool_names
mode_probe=$top_builddir/tests/ipc_mode
huge_probe=$top_builddir/tests/ipc_huge
for prog in "$tool" "$names_helper" "$mode_probe" "$huge_probe"; do
	if test ! -x "$prog"; then
		echo "Bail out! $prog is not built"
		exit 99
	fi
done

tmp=${TMPDIR:-/tmp}/sharedmem-tool.$$
(umask 077 && mkdir "$tmp") || { echo "Bail out! cannot make $tmp"; exit 99; }
other=$tmp/keys
mkdir "$other" || { echo "Bail out! cannot make $other"; exit 99; }

# Segments made behind the library's back, by Perl.
made=
cleanup() {
	for d in "$dir" "$other"; do
		left=$(ls "$d" 2>/dev/null | sed -n 's/^sharedmem\.//p')
		# Unquoted: names have no blanks.
		test -z "$left" || "$tool" -d "$d" rm $left >/dev/null 2>&1
		"$tool" -d "$d" gc >/dev/null 2>&1
	done
	for id in $made; do
		ipcrm -m "$id" >/dev/null 2>&1
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 99' HUP INT TERM

. "$top_srcdir/tests/ipcs-list.sh"
have_ipcs=false
command -v ipcs >/dev/null 2>&1 && have_ipcs=true
have_ipcrm=false
command -v ipcrm >/dev/null 2>&1 && have_ipcrm=true
have_perl=false
perl -e 'print pack("d", 1.5)' >/dev/null 2>&1 && have_perl=true
have_sysv_perl=false
$have_perl && perl -MIPC::SysV=IPC_CREAT -e 1 >/dev/null 2>&1 &&
    have_sysv_perl=true
me=$(id -un)
. "$top_srcdir/tests/tool-lib.sh"

# feed FILE ARG...: run, with stdin from FILE.
feed() {
	input=$1
	shift
	last="$* < $input"
	"$tool" "$@" <"$input" >"$tmp/out" 2>"$tmp/err"
	status=$?
}

# refused PATTERN...: status 2, the reason and a usage line on stderr.
refused() {
	failed 2 "$@" "^usage: sharedmem"
}

# helped COMMAND: status 0, usage of COMMAND on stdout, no stderr.
helped() {
	test "$status" -eq 0 && test ! -s "$tmp/err" &&
	    grep "^usage: sharedmem $1" "$tmp/out" >/dev/null
}

empty_dir() {
	test -z "$(ls -A "$dir")"
}

# segment ID KEY: ipcs shows a segment ID at KEY, of this user.
segment() {
	$have_ipcs || return 0
	ipcs_has "$1" "$2"
}

# has_segment ID: ipcs shows a segment ID.
has_segment() {
	$have_ipcs || return 0
	ipcs_has "$1"
}

# no_segment ID: ipcs shows no segment ID.
no_segment() {
	$have_ipcs || return 0
	! ipcs_has "$1"
}

# same FILE: the last output is the bytes of FILE.
same() {
	cmp -s "$1" "$tmp/out"
}

# The values of a dump, without the offsets.
values() {
	awk '{ for (i = 2; i <= NF; i++) printf "%s%s", (o++ ? " " : ""), $i }
	    END { print "" }' "$tmp/out"
}

# ---------------------------------------------------------------- help
run --help
check "--help prints the usage on stdout and exits 0" helped "\\["
run -h
check "-h prints the usage on stdout and exits 0" helped "\\["
check "-h lists every command" has "^  ls " "^  stat " "^  key " \
    "^  id " "^  create " "^  rm " "^  read " "^  write " "^  dump " "^  gc "
for cmd in ls stat key id create rm read write dump gc; do
	run "$cmd" -h
	ok=false
	helped "$cmd" && ok=true
	run "$cmd" --help
	check "$cmd -h and $cmd --help print its usage and exit 0" \
	    eval '$ok && helped "$cmd"'
done
version=$(sed -n 's/^#define SHAREDMEM_VERSION "\(.*\)"$/\1/p' \
    "$top_srcdir/src/sharedmem.h")
run --version
check "--version prints sharedmem (libsharedmem) $version" \
    succeeded "sharedmem (libsharedmem) $version"
run -d "$dir" ls -h
check "-d DIR before a command's -h" helped ls

# ------------------------------------------------------------ bad usage
# usage DESCRIPTION PATTERN ARG...: the tool exits 2, says PATTERN and
# how to use it.
usage() {
	what=$1
	pattern=$2
	shift 2
	run "$@"
	check "$what exits 2 with a usage message" refused "$pattern"
}
usage "no command" "no command" 
usage "an unknown command" "unknown command 'frobnicate'" frobnicate
check "... near none, names none" eval '! grep "did you mean" "$tmp/err"'
# The nearest command, as git names it: a word people type for one, a
# slip of the fingers, a command cut short or run on.
usage "list" "unknown command 'list'; did you mean 'ls'?\$" list
usage "remove" "unknown command 'remove'; did you mean 'rm'?\$" remove
usage "craete" "unknown command 'craete'; did you mean 'create'?\$" craete
usage "sl" "unknown command 'sl'; did you mean 'ls'?\$" sl
usage "dum" "unknown command 'dum'; did you mean 'dump'?\$" dum
usage "stats" "unknown command 'stats'; did you mean 'stat'?\$" stats
usage "LS" "unknown command 'LS'; did you mean 'ls'?\$" LS
usage "ld, as near ls as id" \
    "unknown command 'ld'; did you mean 'ls' or 'id'?\$" ld
usage "xq" "unknown command 'xq' (sharedmem -h lists them)\$" xq
usage "an unknown option" "unknown option -x" -x ls
usage "an unknown long option" "unknown option --bogus" --bogus ls
usage "-d without a directory" "-d wants a value" -d
usage "-d ''" "-d wants a directory" -d "" ls
usage "ls -x" "unknown option -x" ls -x
usage "ls with an operand" "unexpected argument 'extra'" ls extra
usage "ls --orphans" "unknown option --orphans" ls --orphans
usage "stat without a name" "stat wants NAME" stat
usage "key with two names" "unexpected argument 'b'" key a b
usage "id without a name" "id wants NAME" id
usage "create without a size" "create wants NAME SIZE" create X
usage "create with size 0" "SIZE must be above 0" create X 0
usage "create with size -1" "not '-1'" create X -1
usage "create with size 1X" "not '1X'" create X 1X
usage "create with size 1.5k" "not '1.5k'" create X 1.5k
usage "create with size k" "not 'k'" create X k
usage "create with size 0x" "not '0x'" create X 0x
usage "create with size ' 1'" "not ' 1'" create X " 1"
usage "create with size +1" "not '+1'" create X +1
usage "create with a size that overflows" "too large" \
    create X 99999999999999999999999
usage "create with a suffix that overflows" "too large" \
    create X 99999999999999999G
usage "create -m 888" "not '888'" create X 10 -m 888
usage "create -m 1777" "not '1777'" create X 10 -m 1777
usage "create -m rw" "not 'rw'" create X 10 -m rw
usage "create -m without a mode" "-m wants a value" create X 10 -m
usage "rm without a name" "rm wants NAME" rm
usage "read -o abc" "not 'abc'" read X -o abc
usage "read -c -1" "not '-1'" read X -c -1
usage "read -o 1T" "not '1T'" read X -o 1T
usage "write -c" "unknown option -c" write X -c 1
usage "dump -t q" "-t wants one of" dump X -t q
usage "dump -t f64 -c 5" "not a whole number of f64" dump X -t f64 -c 5
usage "gc with an operand" "unexpected argument 'extra'" gc extra
usage "gc --all" "unknown option --all" gc --all
check "bad usage makes nothing" empty_dir

# ------------------------------------------------- create, ls, stat, ...
run create Demo 35
check "create Demo 35 is quiet and exits 0" quiet
check "create Demo 35 makes the key file of Demo" \
    test -f "$dir/sharedmem.Demo"
run key Demo
key=$(cat "$tmp/out")
check "key Demo prints a key in hex, as ipcs does" \
    eval 'worked && grep "^0x[0-9a-f]\{8,\}\$" "$tmp/out" >/dev/null'
run id Demo
id=$(cat "$tmp/out")
check "id Demo prints a shmid" \
    eval 'worked && grep "^[0-9][0-9]*\$" "$tmp/out" >/dev/null'
if $have_ipcs; then
	check "ipcs -m shows shmid $id at key $key" segment "$id" "$key"
else
	skip "ipcs -m shows the segment of Demo" "no ipcs"
fi

run ls
check "ls prints a header like ipcs" \
    eval 'worked && head -1 "$tmp/out" | grep "^name  *key  *shmid  *owner  *perms  *bytes  *nattch  *status\$" >/dev/null'
check_modes "ls shows Demo: key, shmid, owner, perms 600, 35 bytes, 0 attached" \
    test "$(row Demo)" = "Demo $key $id $me 600 35 0"
run ls -l
check "ls -l adds pids and times" \
    eval 'worked && head -1 "$tmp/out" | grep "nattch  *cpid  *lpid  *attached  *detached  *changed  *status\$" >/dev/null'
check "ls -l shows Demo with a creator pid and times" \
    eval 'row Demo | awk -v k="$key" -v i="$id" '\''$2 == k && $3 == i && $8 ~ /^[0-9]+$/ && $9 ~ /^[0-9]+$/ && $12 ~ /^[0-9-]+T[0-9:]+$/ { ok = 1 } END { exit !ok }'\'

run stat Demo
check "stat Demo exits 0" worked
check "stat Demo: name, key file and its owner, key, shmid, live" eval '
    test "$(field name)" = Demo &&
    test "$(field "key file")" = "$dir/sharedmem.Demo" &&
    test "$(field "key file owner")" = "$me ($(id -u))" &&
    test "$(field key)" = "$key" && test "$(field shmid)" = "$id" &&
    test "$(field status)" = live'
check_modes "stat Demo: size 35, attached 0, owner $me, mode 0600" eval '
    test "$(field size)" = 35 && test "$(field attached)" = 0 &&
    test "$(field owner)" = "$me ($(id -u))" && test "$(field mode)" = 0600'
check "stat Demo: creator pid, change time" eval '
    field "creator pid" | grep "^[0-9][0-9]*\$" >/dev/null &&
    field "change time" | grep "^[0-9-]* [0-9:]* [-+][0-9]*\$" >/dev/null'
run stat /Demo
check "stat /Demo is Demo" eval 'worked && test "$(field name)" = /Demo &&
    test "$(field shmid)" = "$id"'

run create Demo 10
check "create of an existing name fails: exists, and how to remove it" \
    failed_once "^sharedmem: Demo: exists already (sharedmem rm Demo removes it)\$"
run create Perm 1k -m 644
check "create NAME SIZE -m 644: options after the operands" quiet
run stat Perm
check_modes "... makes a segment of 1024 bytes, mode 0644" \
    eval 'test "$(field size)" = 1024 && test "$(field mode)" = 0644'
run create -m 0640 Perm2 0x10
check "create -m 0640 NAME 0x10: options first, a size in hex" quiet
run stat Perm2
check_modes "... makes a segment of 16 bytes, mode 0640" \
    eval 'test "$(field size)" = 16 && test "$(field mode)" = 0640'
run create -- -dash 1
check "create -- -dash 1: a name that starts with a dash" quiet
run create -- X 1 -m 644
check "create -- X 1 -m 644: -m after -- is no option" \
    refused "unexpected argument '-m'"
run rm -- -dash
check "rm -- -dash removes it" eval 'quiet && test "$(names)" = "Demo Perm Perm2"'
run create Big 2M
run stat Big
check "create Big 2M makes 2097152 bytes" \
    eval 'test "$(field size)" = 2097152'
run ls
check "ls lists the names sorted" \
    eval 'awk "NR > 1 { print \$1 }" "$tmp/out" | tr "\n" " " |
    grep "^Big Demo Perm Perm2 \$" >/dev/null'
run rm Perm Perm2 Big
check "rm of three names is quiet" quiet
check "... and removes their key files" test "$(names)" = Demo

# The size over SHMMAX: where SHMMAX is below the largest size_t, a size
# above it, which the system refuses.
shmmax=
if test -r /proc/sys/kernel/shmmax; then
	shmmax=$(cat /proc/sys/kernel/shmmax)
elif command -v sysctl >/dev/null 2>&1; then
	shmmax=$(sysctl -n kern.ipc.shmmax 2>/dev/null ||
	    sysctl -n kern.sysv.shmmax 2>/dev/null)
fi
case $shmmax in
''|*[!0-9]*)
	skip "a size over SHMMAX fails and names SHMMAX" "no SHMMAX known" ;;
18446744073709551615|4294967295)
	skip "a size over SHMMAX fails and names SHMMAX" "SHMMAX unlimited" ;;
*)
	if test ${#shmmax} -lt 10 ||
	    { test ${#shmmax} -eq 10 && test "$shmmax" -lt 4294967295; }; then
		huge=4294967295
	else
		huge=18446744073709551615
	fi
	run create Huge "$huge"
	if test "$huge" != 4294967295 && test "$status" -eq 2 &&
	    grep "SIZE $huge is too large" "$tmp/err" >/dev/null; then
		# A tool with a 32-bit size_t on a 64-bit kernel: no size
		# it takes is over this SHMMAX.
		skip "create Huge $huge, over SHMMAX $shmmax, fails naming SHMMAX" \
		    "SHMMAX is beyond the tool's size_t"
	else
		check "create Huge $huge, over SHMMAX $shmmax, fails naming SHMMAX" \
		    failed_once "Huge: .*SHMMAX" "shmmax"
	fi
	;;
esac
check "... and makes nothing" test "$(names)" = Demo

# A size no system takes, at a name that exists: the size is the cause,
# not the key file.  2^63 is over the SHMMAX of every 64-bit system.
run create Demo 9223372036854775808
if test "$status" -eq 2; then
	skip "create of an existing name with a size over SHMMAX blames the size" \
	    "the tool's size_t cannot hold 2^63"
else
	check "create of an existing name with a size over SHMMAX blames the size" \
	    failed_once "^sharedmem: Demo: the system refuses a segment of that size: it is over SHMMAX"
fi

# Names that are no names.
run create a/b 10
check "create a/b fails: not a valid name" failed_once "a/b: not a valid name"
run create .. 10
check "create .. fails: not a valid name" failed_once "\\.\\.: not a valid name"
long=$(printf '%0201d' 0)
run create "$long" 10
check "create of a 201-byte name fails: too long" failed_once "name too long"
# A name within bounds in a key directory whose path has a component
# over NAME_MAX: the directory's path is what is too long.
long_dir=$tmp/$(printf '%0300d' 0)
for cmd in create stat rm; do
	case $cmd in
	create) run -d "$long_dir" create X 1 ;;
	*) run -d "$long_dir" "$cmd" X ;;
	esac
	check "$cmd X in a key directory with a 300-byte component blames its path" \
	    failed_once "^sharedmem: X: the key directory's path is too long: .*: $long_dir\$"
done
run stat 'x y'
check "stat 'x y' fails: not a valid name" failed_once "x y: not a valid name"
run rm 'a*'
check "rm 'a*' fails: not a valid name" failed_once "a\\*: not a valid name"
check "bad names make nothing" test "$(names)" = Demo

# Files at a name that are no key files: each is shown for what it is,
# refused, and never removed.
# not_keyfile NAME KIND: the file at NAME is KIND, as the tool says it.
not_keyfile() {
	nk_name=$1 nk_kind=$2 nk_path=$dir/sharedmem.$1
	run ls
	check "ls shows $nk_name as not a key file: $nk_kind" \
	    eval 'worked && test "$(row "$nk_name")" = "$nk_name - - - - - - not a key file: $nk_kind"'
	run stat "$nk_name"
	check "stat $nk_name fails: not a key file: $nk_kind, at its path" \
	    failed_once "^sharedmem: $nk_name: not a key file: $nk_kind ($nk_path)\$"
	for nk_cmd in create rm read; do
		case $nk_cmd in
		create) run create "$nk_name" 1 ;;
		*) run "$nk_cmd" "$nk_name" ;;
		esac
		check "$nk_cmd $nk_name fails: not a key file: $nk_kind" \
		    failed_once "^sharedmem: $nk_name: not a key file: $nk_kind ("
	done
	run gc
	check "gc keeps $nk_name, and says what it is" \
	    succeeded "kept sharedmem.$nk_name: not a key file: $nk_kind" \
	    "nothing to clean up"
	check "... and $nk_name is still there" \
	    eval 'test -e "$nk_path" || test -h "$nk_path"'
	rm -rf "$nk_path"
}
echo "not a key file" >"$dir/sharedmem.Junk"
not_keyfile Junk "a file without a record"
mkdir "$dir/sharedmem.Dir"
not_keyfile Dir "a directory"
ln -s sharedmem.Demo "$dir/sharedmem.Sym"
not_keyfile Sym "a symbolic link"
if mkfifo "$dir/sharedmem.Fifo" 2>/dev/null; then
	not_keyfile Fifo "a FIFO"
else
	skip "a FIFO at a name" "mkfifo fails here"
fi
# Bound from within the directory: a socket's path holds some 100 bytes,
# and Perl cuts a longer one short without a word.
if $have_perl && perl -MSocket -e '
	chdir($ARGV[0]) or die "cd $ARGV[0]: $!\n";
	socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die "socket: $!\n";
	bind($s, pack_sockaddr_un("sharedmem.Sock")) or die "bind: $!\n";
	' "$dir" 2>"$tmp/err"; then
	not_keyfile Sock "a socket"
else
	skip "a socket at a name" "Perl cannot make one: $(cat "$tmp/err")"
fi

# Names that do not exist.
for cmd in stat key id read dump; do
	run "$cmd" Nope
	check "$cmd Nope fails: no such segment" failed_once "Nope: no such segment"
done
run write Nope
check "write Nope fails: no such segment" failed_once "Nope: no such segment"
run rm Nope
check "rm Nope fails: no such segment" failed_once "Nope: no such segment"
run create Rm1 1
run create Rm2 1
run rm Rm1 Nope Rm2
check "rm Rm1 Nope Rm2 fails for Nope alone" failed_once "Nope: no such segment"
check "... and removes Rm1 and Rm2 all the same" test "$(names)" = Demo

# ------------------------------------------------------------------ data
run create Data 16
printf 'abcdefghijklmnop' >"$tmp/16"
feed "$tmp/16" write Data
check "write of 16 bytes into 16 is quiet" quiet
run read Data
check "read gives them back" eval 'worked && same "$tmp/16"'
run read Data -o 4 -c 4
check "read -o 4 -c 4 gives efgh" \
    eval 'worked && test "$(cat "$tmp/out")" = efgh'
run read Data -o 0x10
check "read -o 0x10, at the end, gives nothing" quiet
run read Data -o 3 -c 0
check "read -c 0 gives nothing" quiet
run read Data -o 17
check "read -o 17 fails: past the end" failed_once "Data: offset 17 is past the end"
run read Data -c 17
check "read -c 17 fails: passes the end" failed_once "Data: 17 bytes from offset 0 pass the end"
run read Data -o 8 -c 9
check "read -o 8 -c 9 fails: passes the end" failed_once "pass the end"
run read Data -o 1G
check "read -o 1G fails: past the end" failed_once "past the end"

printf 'XYZ' >"$tmp/3"
feed "$tmp/3" write Data -o 10
check "write -o 10 of 3 bytes is quiet" quiet
printf 'abcdefghijXYZnop' >"$tmp/16b"
run read Data
check "... and changes those 3 bytes only" same "$tmp/16b"
printf 'abcdefghijklmnopq' >"$tmp/17"
feed "$tmp/17" write Data
check "write of 17 bytes into 16 fails: nothing written" \
    failed_once "Data: the input is longer than the 16 bytes" "nothing was written"
run read Data
check "... and the segment is unchanged" same "$tmp/16b"
feed "$tmp/3" write Data -o 14
check "write -o 14 of 3 bytes fails" failed_once "longer than the 2 bytes from offset 14"
run read Data
check "... and the segment is unchanged" same "$tmp/16b"
run write Data -o 17
check "write -o 17 fails: past the end" failed_once "offset 17 is past the end"
run write Data -o 16
check "write -o 16 of nothing is fine" quiet
head -c 100000 /dev/zero >"$tmp/zeros" 2>/dev/null ||
    dd if=/dev/zero of="$tmp/zeros" bs=1000 count=100 2>/dev/null
feed "$tmp/zeros" write Data
check "write of 100000 bytes into 16 fails" failed_once "longer than the 16 bytes"
run read Data
check "... and the segment is unchanged" same "$tmp/16b"

run dump Data
check "dump shows the bytes in hex, 16 a line, offsets in hex" succeeded \
    "00000000 61 62 63 64 65 66 67 68 69 6a 58 59 5a 6e 6f 70"
run dump Data -t u8 -o 10 -c 3
check "dump -t u8 -o 10 -c 3 shows 88 89 90 at offset a" \
    eval 'worked && test "$(awk "{ print \$1, \$2, \$3, \$4 }" "$tmp/out")" = "0000000a 88 89 90"'
run dump Data -o 15
check "dump -o 15 shows one byte at offset f" succeeded "0000000f 70"
run dump Data -o 17
check "dump -o 17 fails: past the end" failed_once "offset 17 is past the end"
run dump Data -c 32
check "dump -c 32 fails: passes the end" failed_once "pass the end"

# An independent client: Perl's shmread and shmwrite, on the shmid.
if $have_sysv_perl; then
	data_id=$("$tool" id Data)
	perl -e 'shmread($ARGV[0], $b, 0, 16) or die "$!\n"; print $b' \
	    "$data_id" >"$tmp/perl" 2>"$tmp/err"
	check "Perl's shmread reads what write wrote" cmp -s "$tmp/16b" "$tmp/perl"
	perl -e 'shmwrite($ARGV[0], "PERL", 2, 4) or die "$!\n"' "$data_id"
	run read Data
	printf 'abPERLghijXYZnop' >"$tmp/16c"
	check "read reads what Perl's shmwrite wrote" same "$tmp/16c"
else
	skip "Perl's shmread reads what write wrote" "no Perl IPC::SysV"
	skip "read reads what Perl's shmwrite wrote" "no Perl IPC::SysV"
fi
run rm Data

# Values packed by Perl in the byte order that configure found for the
# tool's machine, which is not Perl's own under an emulator.
case ${SHAREDMEM_BYTE_ORDER-} in
big)	order='>' ;;
little)	order='<' ;;
*)	order= ;;
esac
if $have_perl && test -n "$order"; then
	run create F 35
	perl -e 'print pack("d$ARGV[0]", 1.5)' "$order" >"$tmp/d1"
	perl -e 'print pack("d$ARGV[0]", 2.5)' "$order" >"$tmp/d2"
	feed "$tmp/d1" write F -o 0
	feed "$tmp/d2" write F -o 9
	run dump F -t f64 -c 8
	check "dump -t f64 -c 8 of the float64 demo shows 1.5" \
	    succeeded "00000000 $(printf '%24s' 1.5)"
	run dump F -t f64 -o 9 -c 8
	check "dump -t f64 -o 9 -c 8 shows 2.5 at offset 9, misaligned" \
	    eval 'worked && test "$(values)" = 2.5 &&
	    test "$(cut -c1-8 "$tmp/out")" = 00000009'
	run dump F -t f64
	check "dump -t f64 of 35 bytes: 4 values, then 3 bytes in hex" \
	    eval 'worked && test "$(wc -l <"$tmp/out" | tr -d " ")" = 3 &&
	    tail -1 "$tmp/out" | grep "^00000020 00 00 00\$" >/dev/null &&
	    head -1 "$tmp/out" | awk "{ exit !(\$2 == \"1.5\") }"'
	perl -e '$o = $ARGV[0]; print pack("l$o", -1), pack("s$o", -300),
	    pack("c", -5), pack("C", 200), pack("q$o", -2), pack("f$o", 0.25),
	    pack("d$o", 0.1)' "$order" >"$tmp/ints" 2>/dev/null
	if test "$(wc -c <"$tmp/ints" | tr -d ' ')" -eq 28; then
		run create V 28
		feed "$tmp/ints" write V
		for t in "i32 0 4 -1" "u32 0 4 4294967295" "i16 4 2 -300" \
		    "u16 4 2 65236" "i8 6 1 -5" "u8 6 1 251" "u8 7 1 200" \
		    "i8 7 1 -56" "i64 8 8 -2" "u64 8 8 18446744073709551614" \
		    "f32 16 4 0.25" "f64 20 8 0.1" "x8 0 4 ff ff ff ff"; do
			set -- $t
			type=$1 off=$2 count=$3
			shift 3
			want=$*
			run dump V -t "$type" -o "$off" -c "$count"
			check "dump -t $type -o $off -c $count shows $want" \
			    eval 'worked && test "$(values)" = "$want"'
		done
		run rm V
	else
		skip "dump of every type" "Perl cannot pack 64-bit integers"
	fi
	run rm F
else
	skip "dump of the float64 demo layout and every type" \
	    "no Perl, or no byte order known"
fi
check "read, write and dump leave only Demo" test "$(names)" = Demo

# --------------------------------------------------- stale names and gc
if $have_ipcrm; then
	run create Gone 1
	gone_id=$("$tool" id Gone)
	gone_key=$("$tool" key Gone)
	demo_id=$("$tool" id Demo)
	ipcrm -m "$("$tool" id Gone)"
	check "ipcrm -m \"\$(sharedmem id Gone)\" removes its segment" \
	    no_segment "$gone_id"
	run ls
	check "ls then lists Gone as stale, with its old key and shmid" \
	    eval 'worked && test "$(row Gone)" = "Gone $gone_key $gone_id - - - - stale"'
	check_modes "ls still lists Demo as it was" \
	    test "$(row Demo)" = "Demo $key $id $me 600 35 0"
	run stat Gone
	check "stat Gone says stale and exits 0" \
	    eval 'worked && field status | grep "^stale" >/dev/null &&
	    test "$(field shmid)" = "$gone_id"'
	for cmd in key id read dump; do
		run "$cmd" Gone
		check "$cmd Gone fails: stale, and how to clean it up" \
		    failed_once "Gone: stale: its segment was removed" \
		    "sharedmem rm Gone"
	done
	run gc -n
	check "gc -n says it would remove Gone" succeeded \
	    "would remove stale name Gone (shmid $gone_id)" \
	    "would remove 1 leftover"
	check "... and removes nothing" test "$(names)" = "Demo Gone"
	run gc
	check "gc removes Gone" succeeded \
	    "removed stale name Gone (shmid $gone_id)" "removed 1 leftover"
	check "... and nothing else" test "$(names)" = Demo
	check "... and not the segment of Demo" segment "$demo_id" "$key"
	run gc
	check "gc again finds nothing" succeeded "nothing to clean up"

	run create Gone2 1
	gone_id=$("$tool" id Gone2)
	ipcrm -M "$("$tool" key Gone2)"
	check "ipcrm -M \"\$(sharedmem key Gone2)\" removes its segment" \
	    no_segment "$gone_id"
	run rm Gone2
	check "rm of the stale Gone2 succeeds, quietly" quiet
	check "... and removes it" test "$(names)" = Demo
else
	skip "stale names, made with ipcrm" "no ipcrm"
fi

# ------------------------------------------ key files not to be believed
# Records made by hand next to Demo's: one of another run of the system,
# one of another size than Demo's segment, and Demo's own key file linked
# under another name.  None of them is that name's segment, and removing
# them leaves Demo's segment alone.
demo_rec=$(cat "$dir/sharedmem.Demo")
# demo_record NAME SCRIPT: Demo's record, changed by the sed SCRIPT, as
# the key file of NAME.
demo_record() {
	printf '%s\n' "$demo_rec" | sed "$2; s/ name=Demo\$/ name=$1/" \
	    >"$dir/sharedmem.$1"
}
# stale_row NAME STATUS: ls shows NAME with Demo's key and shmid, stale so.
stale_row() {
	sr_name=$1 sr_status=$2
	run ls
	check "ls shows $1 with the key and shmid it records, as $2" \
	    eval 'worked &&
	    test "$(row "$sr_name")" = "$sr_name $key $id - - - - $sr_status"'
}
# stale_checks NAME TEXT: every command that needs a segment says TEXT,
# after "NAME: stale: ", and stat says it as the status.
stale_checks() {
	sc_name=$1 sc_text=$2
	for cmd in read dump key id; do
		run "$cmd" "$sc_name"
		check "$cmd $sc_name fails: stale, and why" \
		    failed_once "^sharedmem: $sc_name: stale: $sc_text\$"
	done
	run stat "$sc_name"
	check "stat $sc_name says why it is stale, and exits 0" \
	    eval 'worked && test "$(field status)" = "stale: $sc_text" &&
	    test "$(field "key file owner")" = "$me ($(id -u))"'
}
boot=$(printf '%s\n' "$demo_rec" | sed -n 's/.* boot=\([^ ]*\) .*/\1/p')
if test -n "$boot"; then
	# Another identity of the same source as this run's (boot.c).
	other_boot="s/ boot=[^ ]* / boot=${boot%%:*}:00000000-0000-0000-0000-000000000000.1 /"
	demo_record Ob "$other_boot"
	ob_text="its key file was written before the system last started, or in another IPC namespace, so its segment is gone (sharedmem rm Ob or sharedmem gc clears it)"
	stale_row Ob "stale: other boot or namespace"
	stale_checks Ob "$ob_text"
	run rm Ob
	check "rm Ob, a record of another run, is quiet" quiet
	check "... removes its key file, and leaves the segment at its key" \
	    eval 'test "$(names)" = Demo && segment "$id" "$key"'
	demo_record Ob "$other_boot"
	run gc
	check "gc removes Ob, a record of another run" succeeded \
	    "removed stale name Ob (shmid $id)" "removed 1 leftover"
	check "... and leaves the segment at its key" \
	    eval 'test "$(names)" = Demo && segment "$id" "$key"'
else
	skip "a record of another run of the system" \
	    "this system cannot tell one run from the next"
fi

demo_record Sz "s/ size=35 / size=99 /"
sz_cause="not its segment: the segment its key file names (shmid $id) has 35 bytes, not the 99 it records"
stale_row Sz "stale: not its segment"
stale_checks Sz "$sz_cause (sharedmem rm Sz or sharedmem gc clears it, and leaves that segment alone)"
run create Sz 8 -m 400
check "create over Sz, a stale name of one's own, works" quiet
run rm Sz
check "... and so does rm of the new Sz" quiet
demo_record Sz "s/ size=35 / size=99 /"
run rm Sz
check "rm Sz, a record of another size, exits 0 and says the segment stays" \
    noted "Sz: removed its key file, which was stale: $sz_cause; that segment was left alone"
check "... removes its key file, and leaves Demo's segment" \
    eval 'test "$(names)" = Demo && segment "$id" "$key"'

ln "$dir/sharedmem.Demo" "$dir/sharedmem.Link"
link_cause="not its key file: the record in it is another name's (a link to that name's key file, or a copy)"
stale_row Link "stale: not its segment"
stale_checks Link "$link_cause (sharedmem rm Link or sharedmem gc clears it, and leaves the other name alone)"
run rm Link
check "rm Link, Demo's key file linked, exits 0 and says Demo stays" \
    noted "Link: removed its key file, which was stale: $link_cause; the other name was left alone"
check "... removes the link, and leaves Demo and its segment" \
    eval 'test "$(names)" = Demo && segment "$id" "$key" &&
    "$tool" read Demo >/dev/null'

# A create that died after its first step: a private file named after a
# process that has exited.
sh -c 'exit 0' &
dead=$!
wait "$dead"
private=sharedmem+$dead-abcdef
(umask 077 && : >"$dir/$private")
run gc -n
check "gc -n finds the file of a create that died" succeeded \
    "would remove file $private of a create or removal that died" \
    "would remove 1 leftover"
check "... and leaves it" test -f "$dir/$private"
run gc
check "gc removes it" succeeded \
    "removed file $private of a create or removal that died" "removed 1 leftover"
check "... and nothing else" eval 'test ! -e "$dir/$private" &&
    test "$(names)" = Demo && segment "$id" "$key"'

# reaped WHAT FILE SHMID: gc -n finds the private file FILE and the
# segment SHMID that WHAT left, and leaves them; gc removes both, and
# leaves Demo.
reaped() {
	private=$2
	reaped_id=$3
	run gc -n
	check "gc -n finds the segment and file of $1" succeeded \
	    "would remove segment shmid $reaped_id of a create or removal that died ($private)" \
	    "would remove file $private of a create or removal that died" \
	    "would remove 2 leftovers"
	check "... and leaves them" eval 'test -f "$dir/$private" &&
	    has_segment "$reaped_id"'
	run gc
	check "gc removes them" succeeded \
	    "removed segment shmid $reaped_id of a create or removal that died ($private)" \
	    "removed file $private of a create or removal that died" \
	    "removed 2 leftovers"
	check "... the segment and the file are gone, Demo is not" \
	    eval 'test ! -e "$dir/$private" && no_segment "$reaped_id" &&
	    test "$(names)" = Demo && segment "$id" "$key"'
}

# One that died after making its segment (at the first key of its
# private file), as kill -9 would leave it: made by Perl, which exits.
if $have_sysv_perl; then
	perl -MIPC::SysV=ftok,IPC_CREAT,IPC_EXCL -e '
		my $f = "$ARGV[0]/sharedmem+$$-ghijkl";
		open(my $h, ">", $f) or die "$f: $!\n";
		close($h);
		chmod(0600, $f);
		my $id = shmget(ftok($f, ord("S")), 4096,
		    IPC_CREAT | IPC_EXCL | 0600);
		defined($id) or die "shmget: $!\n";
		print "$$ $id\n";' "$dir" >"$tmp/perl" 2>"$tmp/err"
	read dead crash_id <"$tmp/perl"
	made="$made $crash_id"
	reaped "a create killed" "sharedmem+$dead-ghijkl" "$crash_id"
else
	skip "gc of a create killed after making its segment" \
	    "no Perl IPC::SysV"
fi

# A removal that died after taking the key file to its private name, with
# the segment still to remove: gc finishes it.
"$tool" create Taken 4096 && taken_id=$("$tool" id Taken) ||
    { echo "Bail out! cannot create Taken"; exit 99; }
sh -c 'exit 0' &
dead=$!
wait "$dead"
mv "$dir/sharedmem.Taken" "$dir/sharedmem+$dead-mnopqr"
reaped "a removal that died" "sharedmem+$dead-mnopqr" "$taken_id"

# --orphans: Demo has nobody attached, and its creator (a sharedmem
# create) has exited.
run gc -n --orphans
check "gc -n --orphans would remove Demo, made by a create that exited" \
    succeeded "would remove orphaned name Demo and its segment (shmid $id)" \
    "would remove 1 leftover"
check "... and leaves it" eval 'test "$(names)" = Demo &&
    segment "$id" "$key"'

# ------------------------------------------------------------------- -d
run -d /nonexistent ls
check "-d /nonexistent ls fails naming the directory" \
    failed_once "/nonexistent"
run -d /nonexistent stat Demo
check "-d /nonexistent stat Demo fails naming the directory" \
    failed_once "Demo: the key directory /nonexistent does not exist"
run -d /nonexistent create Demo 1
check "-d /nonexistent create fails naming the directory" \
    failed_once "Demo: the key directory /nonexistent does not exist"
run -d /nonexistent gc
check "-d /nonexistent gc fails naming the directory" \
    failed_once "/nonexistent"
run -d "$tmp/16" ls
check "-d FILE ls fails: not a directory" failed_once "$tmp/16"
run -d "$other" create Elsewhere 8
check "-d DIR create makes the name in DIR" eval 'quiet &&
    test -f "$other/sharedmem.Elsewhere" && test "$(names)" = Demo'
run ls
check "ls without -d does not list it" eval 'worked && test -z "$(row Elsewhere)"'
last="ls, with SHAREDMEM_DIR=$other"
SHAREDMEM_DIR=$other "$tool" ls >"$tmp/out" 2>"$tmp/err"
status=$?
check "ls with SHAREDMEM_DIR=DIR lists it" \
    eval 'worked && test -n "$(row Elsewhere)" && test -z "$(row Demo)"'
run -d "$other" rm Elsewhere
check "-d DIR rm removes it" eval 'quiet && test -z "$(ls -A "$other")"'
if test "$(id -u)" -ne 0; then
	chmod 0 "$other"
	run -d "$other" ls
	check "-d of an unreadable directory: ls fails" \
	    failed_once "$other: cannot read the key directory"
	run -d "$other" create X 1
	check "-d of an unwritable directory: create fails, permission denied" \
	    failed_once "X: permission denied"
	chmod 700 "$other"
else
	skip "-d of an unreadable directory" "root reads every directory"
	skip "-d of an unwritable directory" "root writes every directory"
fi

# ------------------------------------------- lock, semaphores, pages
usage "create -s 33" "-s wants a number of semaphores from 0 to 32" \
    create L 64 -s 33
usage "create -s x" "-s wants a number of semaphores from 0 to 32" \
    create L 64 -s x
run create L 64 -l -s 2
check "create -l -s 2 is quiet" quiet
run stat L
check "stat shows a lock and 2 counting semaphores" \
    eval 'worked && field semaphores | grep "^semid [0-9]*: a lock and 2 counting semaphores\$" >/dev/null'
semid=$(field semaphores | sed 's/^semid \([0-9]*\):.*/\1/')
check "stat shows the lock free" eval 'test "$(field lock)" = free'
run ls
check "ls shows the lock free in the status column" \
    eval 'worked && test "$(row L | cut -d" " -f8-)" = "lock free"'
if $have_sysv_perl; then
	# The lock's semaphores set by hand, to each state of sharedmem(7):
	# semaphore 0, 1 while free, and the held one, which held= numbers.
	held=$(sed -n 's/.* held=\([0-9]*\) .*/\1/p' "$dir/sharedmem.L")
	for state in "0 1 held" "1 1 holder died" "1 2 not recoverable" \
	    "0 2 not recoverable" "1 0 free"; do
		set -- $state
		perl -MIPC::SysV=SETVAL -e '
		    semctl($ARGV[0], 0, SETVAL, $ARGV[1]) &&
		    semctl($ARGV[0], $ARGV[2], SETVAL, $ARGV[3]) or die "$!\n"' \
		    "$semid" "$1" "${held:-?}" "$2"
		values="$1 $2"
		shift 2
		words=$*
		run ls
		check "ls: semaphore 0 at ${values% *}, the held one at ${values#* }: lock $words" \
		    eval 'worked && test "$(row L | cut -d" " -f8-)" = "lock $words"'
		run stat L
		check "... and stat" eval 'worked && test "$(field lock)" = "$words"'
	done
else
	skip "ls and stat show each state of the lock" "no Perl with IPC::SysV"
fi
run key L
lkey=$(cat "$tmp/out")
if $have_ipcs; then
	check "ipcs -s shows semid $semid at the segment's key $lkey" \
	    eval 'ipcs_list | grep "^s $semid $lkey " >/dev/null'
else
	skip "ipcs -s shows the set" "no ipcs"
fi
if $have_ipcrm; then
	ipcrm -s "$semid"
	run stat L
	check "stat, once ipcrm removed the set: recorded, and not there" \
	    eval 'worked && test "$(field semaphores)" = "semid $semid: a lock and 2 counting semaphores (not there: gone, or not open to you)" &&
	    test "$(field lock)" = removed'
	run ls
	check "... and ls: lock removed" \
	    eval 'worked && test "$(row L | cut -d" " -f8-)" = "lock removed"'
else
	skip "stat of a name whose set was removed" "no ipcrm"
fi
run create P 64 -P
check "create -P is quiet" quiet
run stat P
check "stat of a name without them: semaphores none" \
    eval 'worked && test "$(field semaphores)" = none'
run rm L P
check "rm removes both" quiet
if $have_ipcs; then
	check "... and the set" eval '! ipcs_list | grep "^s $semid " >/dev/null'
else
	skip "rm removes the set" "no ipcs"
fi
free_huge=$(sed -n 's/^HugePages_Free: *//p' /proc/meminfo 2>/dev/null)
run create H 64 -H
if test "$status" -eq 0; then
	# Where none was free, it cannot have had huge pages.
	check "create -H works only with huge pages free (${free_huge:-?} were)" \
	    eval 'quiet && test "${free_huge:-1}" != 0'
	run rm H
elif test "${free_huge:-}" = 0; then
	check "create -H with no huge page free says why" \
	    failed_once "H: too few huge pages are free"
elif ! "$huge_probe"; then
	skip "create -H fails with a reason about huge pages" \
	    "shmat() refuses a segment of huge pages here (an emulator?)"
else
	check "create -H fails with a reason about huge pages" \
	    failed_once "H: .*huge pages"
fi
check "... and leaves no name" test ! -f "$dir/sharedmem.H"

# ---------------------------------------------------------- full output
if test -w /dev/full; then
	for args in "ls" "ls -l" "stat Demo" "key Demo" "dump Demo" \
	    "read Demo" "gc -n" "--help" "--version"; do
		last="$args > /dev/full"
		# Unquoted: the words of args.
		"$tool" $args >/dev/full 2>"$tmp/err"
		status=$?
		: >"$tmp/out"
		check "$args > /dev/full fails: cannot write" \
		    failed_once "cannot write to standard output"
	done
else
	skip "writes to a full standard output fail" "no /dev/full"
fi

# ------------------------------------------------------ many names
# A thousand, or a quarter of the segments the system allows where that
# is less (macOS allows 32).  Made by a helper, which takes a fraction of
# the time that as many runs of the tool take.
many=1000
shmmni=$(cat /proc/sys/kernel/shmmni 2>/dev/null)
case $shmmni in
''|*[!0-9]*) ;;
*)	test "$shmmni" -ge 4000 || many=$((shmmni / 4)) ;;
esac
last="tool_names n $many"
"$names_helper" n "$many" >"$tmp/out" 2>"$tmp/err"
status=$?
check "$many names made" worked
# seconds: the time now in seconds, with fractions where date has them.
seconds() {
	s=$(date +%s.%N 2>/dev/null)
	case $s in
	*N*|'') date +%s ;;
	*) echo "$s" ;;
	esac
}
start=$(seconds)
run ls
end=$(seconds)
echo "# ls of $many names: $(awk -v a="$start" -v b="$end" \
    'BEGIN { printf "%.3f", b - a }') s"
check "ls lists all $many, and Demo" eval 'worked &&
    test "$(awk "\$1 ~ /^n[0-9]+\$/ && \$NF != \"stale\"" "$tmp/out" | wc -l | tr -d " ")" = "$many" &&
    test -n "$(row Demo)"'
run rm $(ls "$dir" | sed -n 's/^sharedmem\.\(n[0-9]*\)$/\1/p')
check "rm of $many names" quiet
check "... leaves Demo alone" test "$(names)" = Demo

run rm Demo
check "rm Demo removes its key file" quiet
check "... and its segment" no_segment "$id"
check "the key directory is empty at the end" empty_dir
echo "1..$n"
