# python-env.sh: sourced by the Python tests, which then run once for each
# Python 3 found: the python3 on the PATH and those named in $PYTHONS
# (commands or paths, separated by blanks), each interpreter once however
# it is named.
#
# Sourced the first time, it says why the tests cannot run here at all,
# or runs the test again for each Python with SHAREDMEM_TEST_PYTHON set,
# joins their TAP into one series whose descriptions begin with the
# Python's version, and exits; a Python older than 3.8, or one that cannot
# load the library, is one skipped test that says why.  Sourced in one of
# those runs, it sets $python, PYTHONPATH to the module made in the build
# tree, and unsets SHAREDMEM_LIBRARY so that the module loads the library
# it was built with; the test goes on.
if test -z "${SHAREDMEM_DIR-}" || test ! -d "$SHAREDMEM_DIR"; then
	echo "Bail out! no key directory: run through tests/run-test.sh"
	exit 99
fi
if test "${SHAREDMEM_CROSS-}" = yes; then
	echo "1..0 # SKIP the library is built for another machine, which Python cannot load"
	exit 0
fi
if ! grep "^dlname='..*'" "$top_builddir/libsharedmem.la" >/dev/null; then
	echo "1..0 # SKIP no shared library for ctypes to load (--disable-shared)"
	exit 0
fi
if test ! -f "$top_builddir/python/sharedmem.py"; then
	echo "Bail out! $top_builddir/python/sharedmem.py is not made"
	exit 99
fi

if test -z "${SHAREDMEM_TEST_PYTHON-}"; then
	pythons=
	if command -v python3 >/dev/null 2>&1; then
		pythons=python3
	fi
	pythons="$pythons ${PYTHONS-}"
	if test -z "$(echo $pythons)"; then
		echo "1..0 # SKIP no python3 on the PATH, and none in PYTHONS"
		exit 0
	fi
	dlname=$(sed -n "s/^dlname='\(.*\)'\$/\1/p" "$top_builddir/libsharedmem.la")
	seen=' '
	# Between the runs, lines that only the awk below reads: "@python
	# VERSION" before a run, "@status N" after it.
	for p in $pythons; do
		about=$("$p" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3], sys.executable)' 2>/dev/null)
		if test -z "$about"; then
			printf '@python %s\n1..0 # SKIP it does not run\n@status 0\n' "$p"
			continue
		fi
		version=${about%% *}
		exe=${about#* }
		case $seen in
		*" $exe "*) continue ;;
		esac
		seen="$seen$exe "
		echo "@python $version"
		echo "# Python $version: $exe"
		if ! "$exe" -c 'import sys; sys.exit(sys.version_info < (3, 8))'; then
			echo "1..0 # SKIP older than 3.8"
		# A library built for another C library (musl) cannot go into
		# this Python's process; the C tests test it.
		elif ! "$exe" -c 'import ctypes, sys; ctypes.CDLL(sys.argv[1])' \
		    "$top_builddir/.libs/$dlname" 2>/dev/null; then
			echo "1..0 # SKIP it cannot load .libs/$dlname (built for another C library?)"
		else
			SHAREDMEM_TEST_PYTHON=$exe sh "$0"
			echo "@status $?"
			continue
		fi
		echo "@status 0"
	done | awk '
		function emit(status, text) {
			n++
			print status " " n " - " label (text == "" ? "" : ": " text)
		}
		/^@python / { label = substr($0, 9); plan = -1; ran = 0; bailed = 0; next }
		/^@status / {
			if (bailed)
				next
			if ($2 != 0)
				emit("not ok", "the test exited with status " $2)
			else if (plan < 0)
				emit("not ok", "the test printed no plan")
			else if (plan > 0 && ran != plan)
				emit("not ok", "ran " ran " tests of the " plan " planned")
			next
		}
		/^1\.\.[0-9]+/ {
			plan = substr($1, 4) + 0
			if (plan == 0) {
				why = $0
				sub(/^1\.\.0 *(# *)?/, "", why)
				emit("ok", "# " (why == "" ? "SKIP no tests" : why))
			}
			next
		}
		/^(not )?ok/ {
			ran++
			status = ($1 == "not") ? "not ok" : "ok"
			text = $0
			sub(/^(not )?ok *[0-9]* *(- *)?/, "", text)
			emit(status, text)
			next
		}
		/^Bail out!/ { bailed = 1; emit("not ok", $0); next }
		{ print }
		END { print "1.." n }'
	exit 0
fi

python=$SHAREDMEM_TEST_PYTHON
PYTHONPATH=$top_builddir/python
# No __pycache__ left in the source tree.
PYTHONDONTWRITEBYTECODE=1
export PYTHONPATH PYTHONDONTWRITEBYTECODE
unset SHAREDMEM_LIBRARY
