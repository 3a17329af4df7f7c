#!/bin/sh
# Notes the System V objects that exist before the suite runs, so that
# ipcs-end.sh can tell what the suite left behind.
. "${top_srcdir:-.}/tests/ipcs-list.sh"
echo 1..1
if ! command -v ipcs >/dev/null 2>&1; then
	echo "ok 1 # SKIP no ipcs on this system"
	exit 0
fi
ipcs_list >"$top_builddir/tests/ipcs.before" || { echo "not ok 1 - ipcs failed"; exit 1; }
echo "ok 1 - $(wc -l <"$top_builddir/tests/ipcs.before" | tr -d ' ') objects of $(id -un) before the suite"
