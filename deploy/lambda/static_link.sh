#!/bin/sh
# Link launcher (CMake RULE_LAUNCH_LINK) for trailwatch_bootstrap, the Lambda build of trailwatch.
#   static_link.sh NAME... -- LINK COMMAND...
# runs LINK COMMAND with every shared library lib<NAME>.so[.N] on it replaced by the static
# archive lib<NAME>.a from the same folder. The module libraries name their third-party
# dependencies as imported targets (full paths to the .so), and CMake has no per-executable way
# to swap them; this keeps that decision in one place instead of in every module's CMakeLists.
# It fails when a NAME has no archive or does not appear on the link line, so the Lambda build
# never silently goes back to a shared library.
set -eu
names=""
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do names="$names $1"; shift; done
[ "$#" -gt 0 ] || { echo "static_link.sh: missing -- before the link command" >&2; exit 2; }
shift
found=""
for arg in "$@"; do
  shift
  for name in $names; do
    case "$arg" in
      */lib"$name".so | */lib"$name".so.*)
        archive="${arg%/*}/lib$name.a"
        [ -f "$archive" ] || { echo "static_link.sh: no $archive for $arg" >&2; exit 1; }
        arg="$archive"
        found="$found $name"
        ;;
    esac
  done
  set -- "$@" "$arg"
done
for name in $names; do
  case " $found " in
    *" $name "*) ;;
    *) echo "static_link.sh: lib$name.so is not on the link line (update deploy/CMakeLists.txt)" >&2
       exit 1 ;;
  esac
done
exec "$@"
