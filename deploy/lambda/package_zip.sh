#!/bin/sh
# Packs the Lambda build of trailwatch into a deployment package for provided.al2023:
#   package_zip.sh BOOTSTRAP SYSTEM_LOADER ZIP STAGE_DIR
#     bootstrap            the binary, debug info stripped (BOOTSTRAP.debug keeps it beside ZIP)
#     lib/<soname>         every shared library BOOTSTRAP loads on this machine, glibc and its
#                          loader included: bootstrap's PT_INTERP is /var/task/lib/<loader> and
#                          its DT_RPATH $ORIGIN/lib, so nothing is taken from the Lambda image
#                          (docs/deploy.md, "The Lambda package", says why).
# Files get a fixed time stamp so that the same inputs give the same zip.
set -eu
[ "$#" -eq 4 ] || { echo "usage: package_zip.sh BOOTSTRAP SYSTEM_LOADER ZIP STAGE_DIR" >&2; exit 2; }
bootstrap=$1 loader=$2 zip=$3 stage=$4

rm -rf "$stage" "$zip"
mkdir -p "$stage/lib"
objcopy --only-keep-debug "$bootstrap" "$zip.debug"
objcopy --strip-debug --add-gnu-debuglink="$zip.debug" "$bootstrap" "$stage/bootstrap"
chmod 0755 "$stage/bootstrap"

# The system loader's --list resolves what bootstrap needs, as ldd does, without running it
# (its own PT_INTERP does not exist here). Lines: "soname => /path (0x...)" and "/loader (0x...)".
LD_LIBRARY_PATH= "$loader" --list "$bootstrap" > "$stage/.list"
if grep -q "not found" "$stage/.list"; then
  cat "$stage/.list" >&2
  echo "package_zip.sh: a library of bootstrap is missing" >&2
  exit 1
fi
awk '$1 !~ /^\// && $2 == "=>" && $3 ~ /^\// { print $1, $3 }' "$stage/.list" | while read -r soname path; do
  cp -L "$path" "$stage/lib/$soname"
  chmod 0644 "$stage/lib/$soname"
done
cp -L "$loader" "$stage/lib/${loader##*/}"
chmod 0755 "$stage/lib/${loader##*/}" "$stage/lib" "$stage"
rm "$stage/.list"

find "$stage" -exec touch -h -d "2000-01-01 00:00:00 UTC" {} +
(cd "$stage" && LC_ALL=C find bootstrap lib -print | LC_ALL=C sort | zip -X -q -9 "$zip" -@)
