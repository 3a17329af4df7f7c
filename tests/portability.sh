#!/bin/sh
# portability.sh [-n] [VARIANT...]: the whole `make check' on machines
# unlike this one - big-endian, 32-bit, another C library, other
# compilers, strict C, and the small System V limits of macOS.
#
# Run it on a Debian machine from any directory; it installs what it
# lacks from Debian's packages when it may (root with apt-get; -n: never),
# configures each variant from this source tree in a build directory of
# its own under $PORTABILITY_DIR (default: portability/ here), runs
# `make check' there, and ends with a table of variant and result and one
# line "N passed, N failed" over all their tests.  A variant whose tools
# cannot be had is skipped, and says why.  The exit status is 1 if any
# variant failed.
#
#   s390x     64-bit big-endian, under qemu-user
#   powerpc   32-bit big-endian, under qemu-user
#   armhf     32-bit ARM with a 64-bit time_t and off_t, under qemu-user
#   i686      32-bit x86, linked statically
#   musl      the musl C library (musl-gcc)
#   clang     clang, with -Werror
#   tcc       the Tiny C Compiler (a static library)
#   strict    gcc -std=c99 -pedantic -Werror
#   limits    inside a private IPC namespace with macOS's limits: 4 MiB a
#             segment (kernel.shmmax), 32 segments (kernel.shmmni)
#
# Programs built for another CPU run through qemu-user: configure finds it
# as EMULATOR for the test programs, and binfmt_misc lets the programs
# those start run too.  Each cross C library is found under
# /usr/TRIPLET, where Debian's cross packages put it.
set -u

all_variants="s390x powerpc armhf i686 musl clang tcc strict limits"
install=yes
if test "${1-}" = -n; then
	install=no
	shift
fi
variants=${*:-$all_variants}

srcdir=$(cd "$(dirname "$0")/.." && pwd) || exit 2
if test ! -f "$srcdir/configure"; then
	echo "portability.sh: no $srcdir/configure: run ./bootstrap first" >&2
	exit 2
fi
top=${PORTABILITY_DIR:-$(pwd)/portability}
mkdir -p "$top" || exit 2
top=$(cd "$top" && pwd)
jobs=${PORTABILITY_JOBS:-2}

say() {
	printf '%s\n' "portability.sh: $*"
}

# The Debian packages each variant needs.
packages_of() {
	case $1 in
	s390x)	echo qemu-user-static binfmt-support gcc-s390x-linux-gnu \
		    libc6-dev-s390x-cross ;;
	powerpc) echo qemu-user-static binfmt-support gcc-powerpc-linux-gnu \
		    libc6-dev-powerpc-cross ;;
	armhf)	echo qemu-user-static binfmt-support gcc-arm-linux-gnueabihf \
		    libc6-dev-armhf-cross ;;
	i686)	echo gcc-i686-linux-gnu libc6-dev-i386-cross ;;
	musl)	echo musl-tools ;;
	clang)	echo clang ;;
	tcc)	echo tcc ;;
	limits)	echo util-linux procps ;;
	esac
}

# Installs the packages of the variants asked for that are missing.
install_packages() {
	need=
	for v in $variants; do
		for p in $(packages_of "$v"); do
			dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
		done
	done
	test -n "$need" || return 0
	if test "$install" = no || test "$(id -u)" -ne 0 ||
	    ! command -v apt-get >/dev/null 2>&1; then
		say "missing:$need (variants that need them are skipped)"
		return 0
	fi
	say "installing:$need"
	# A package list too old to have them is brought up to date once.
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $need >/dev/null 2>&1 ||
	{ apt-get update -qq >/dev/null 2>&1 &&
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $need >/dev/null 2>&1; } ||
	    say "could not install all of:$need"
}

# binfmt_misc runs another CPU's programs through qemu, also when a test
# starts one.
enable_binfmt() {
	qemu=$1
	test -e "/proc/sys/fs/binfmt_misc/$qemu" && return 0
	test "$(id -u)" -eq 0 || return 1
	test -e /proc/sys/fs/binfmt_misc/register ||
	    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc \
	    >/dev/null 2>&1 || return 1
	command -v update-binfmts >/dev/null 2>&1 || return 1
	# Imported already where binfmt-support came before qemu-user-static.
	update-binfmts --import "$qemu" >/dev/null 2>&1
	update-binfmts --enable "$qemu" >/dev/null 2>&1
	test -e "/proc/sys/fs/binfmt_misc/$qemu"
}

# setup VARIANT: sets host, cc, cflags, cppflags, ldflags, confargs,
# runner and env for it, or prints why it cannot run and fails.
setup() {
	host= cc= cflags= cppflags= ldflags= confargs= runner= env=
	case $1 in
	s390x|powerpc|armhf)
		case $1 in
		s390x)	host=s390x-linux-gnu qemu=qemu-s390x ;;
		powerpc) host=powerpc-linux-gnu qemu=qemu-ppc ;;
		armhf)	host=arm-linux-gnueabihf qemu=qemu-arm
			cppflags="-D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64" ;;
		esac
		command -v "$host-gcc" >/dev/null 2>&1 ||
		    { echo "no $host-gcc"; return 1; }
		command -v "$qemu-static" >/dev/null 2>&1 ||
		    { echo "no $qemu-static"; return 1; }
		enable_binfmt "$qemu" ||
		    { echo "binfmt_misc cannot run $qemu programs"; return 1; }
		env="QEMU_LD_PREFIX=/usr/$host"
		;;
	i686)
		host=i686-linux-gnu
		command -v "$host-gcc" >/dev/null 2>&1 ||
		    { echo "no $host-gcc"; return 1; }
		# Static: under qemu-user, a dynamically linked i386 program
		# can hang after fork().  Static programs cannot take the
		# LD_PRELOAD modules, and the tests that need them skip.
		confargs="--disable-shared"
		ldflags="-static"
		;;
	musl)
		command -v musl-gcc >/dev/null 2>&1 || { echo "no musl-gcc"; return 1; }
		cc=musl-gcc
		;;
	clang)
		command -v clang >/dev/null 2>&1 || { echo "no clang"; return 1; }
		cc=clang confargs=--enable-werror
		;;
	tcc)
		command -v tcc >/dev/null 2>&1 || { echo "no tcc"; return 1; }
		# tcc links no shared library with a version script, which
		# libtool gives the library's list of exported symbols.
		cc=tcc confargs=--disable-shared
		;;
	strict)
		cc=gcc cflags="-std=c99 -pedantic -O2" confargs=--enable-werror
		;;
	limits)
		test "$(id -u)" -eq 0 || { echo "needs root for its sysctls"; return 1; }
		command -v unshare >/dev/null 2>&1 || { echo "no unshare"; return 1; }
		unshare --ipc true 2>/dev/null ||
		    { echo "cannot make an IPC namespace"; return 1; }
		runner=limits
		;;
	*)
		echo "no such variant (there are: $all_variants)"
		return 1
		;;
	esac
}

# The counts of a test-suite.log: "pass fail skip".
counts() {
	awk '/^# PASS:/ { p = $3 } /^# FAIL:/ { f += $3 } /^# ERROR:/ { f += $3 }
	    /^# XPASS:/ { f += $3 } /^# SKIP:/ { s = $3 }
	    END { print p + 0, f + 0, s + 0 }' "$1"
}

# run VARIANT: configures, builds and checks it in $top/VARIANT; the log
# of each step is in $top/VARIANT.log.
run() {
	v=$1
	dir=$top/$v
	log=$top/$v.log
	rm -rf "$dir" && mkdir -p "$dir" || return 1
	(
		cd "$dir" || exit 1
		# One argument each, blanks and all.
		set -- --build="$build"
		test -z "$host" || set -- "$@" --host="$host"
		test -z "$cc" || set -- "$@" CC="$cc"
		test -z "$cflags" || set -- "$@" CFLAGS="$cflags"
		test -z "$cppflags" || set -- "$@" CPPFLAGS="$cppflags"
		test -z "$ldflags" || set -- "$@" LDFLAGS="$ldflags"
		# shellcheck disable=SC2086
		set -- "$@" $confargs
		echo "== configure $*"
		"$srcdir/configure" "$@" || exit 1
		echo "== make"
		make -j"$jobs" || exit 1
		echo "== make check"
		if test "$runner" = limits; then
			# A namespace of its own, whose limits are its own.
			unshare --ipc sh -c '
			    sysctl -q -w kernel.shmmax=4194304 \
				kernel.shmmni=32 kernel.shmall=2097152 &&
			    make -j"$1" check' sh "$jobs"
		else
			env $env make -j"$jobs" check
		fi
	) >"$log" 2>&1
}

build=$("$srcdir/build-aux/config.guess") || exit 2
install_packages
pass=0 fail=0 bad=0
rows=
for v in $variants; do
	start=$(date +%s)
	if ! why=$(setup "$v"); then
		rows="$rows$(printf '%-9s %-6s %s' "$v" skip "$why")
"
		say "$v: skipped: $why"
		continue
	fi
	setup "$v" >/dev/null
	say "$v: building and checking in $top/$v"
	run "$v"
	status=$?
	secs=$(($(date +%s) - start))
	if test -f "$top/$v/test-suite.log"; then
		set -- $(counts "$top/$v/test-suite.log")
	else
		set -- 0 0 0
	fi
	pass=$((pass + $1))
	fail=$((fail + $2))
	if test "$status" -eq 0 && test "$2" -eq 0; then
		result=pass
	else
		result=FAIL
		bad=$((bad + 1))
		# A variant that fails before any test counts as one failure.
		test "$2" -ne 0 || fail=$((fail + 1))
		say "$v: failed; see $top/$v.log"
		# What failed, and why, where the build directory goes away
		# with its machine (CI).
		test -f "$top/$v/test-suite.log" &&
		    sed -n '/^\(FAIL\|ERROR\|not ok\|# \|Bail out\)/p' \
		    "$top/$v/test-suite.log" | grep -v '^# [A-Z]*: ' |
		    head -n 40 | sed "s/^/$v: /"
	fi
	rows="$rows$(printf '%-9s %-6s %5s passed %3s failed %4s skipped  %4ss' \
	    "$v" "$result" "$1" "$2" "$3" "$secs")
"
done
echo
echo "variant   result"
printf '%s' "$rows"
echo
echo "$pass passed, $fail failed"
test "$bad" -eq 0
