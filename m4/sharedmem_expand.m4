# SHAREDMEM_EXPAND_DIR(VARIABLE, VALUE)
# Sets VARIABLE to VALUE, a directory such as $pythondir, with every
# ${prefix} and the like in it expanded until none is left, as make would
# expand it; prefix and exec_prefix default as configure's output does.
AC_DEFUN([SHAREDMEM_EXPAND_DIR], [
sharedmem_save_prefix=$prefix
sharedmem_save_exec_prefix=$exec_prefix
test "x$prefix" = xNONE && prefix=$ac_default_prefix
test "x$exec_prefix" = xNONE && exec_prefix=$prefix
$1=$2
while :; do
  case $$1 in
  *'$'*) eval $1=\"$$1\" ;;
  *) break ;;
  esac
done
prefix=$sharedmem_save_prefix
exec_prefix=$sharedmem_save_exec_prefix
])
