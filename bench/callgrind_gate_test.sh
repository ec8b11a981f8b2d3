#!/usr/bin/env bash
# Checks that bench/callgrind_gate.sh fails on a run that is cheap because it is wrong.
#
#   bench/callgrind_gate_test.sh BUILD_DIR
#
# Each case puts a wrapper in front of the real trailwatch (TW_BIN) that breaks one thing, and
# expects the gate to exit 1 with a FAIL line naming it:
#   drop-records  scans only the first half of the corpus (fewer events, fewer alerts)
#   exit-1        scans everything, then exits 1 ("some input failed")
#   lose-a-rule   scans with the built-in pack minus cloudtrail-change (an item of rules/core.yml)
# valgrind traces the wrapper (bash), not trailwatch (so no exec: valgrind must see the wrapper
# exit), and each case takes seconds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)"
real="$build/src/cli/trailwatch"
[[ -x "$real" ]] || { echo "callgrind_gate_test: no trailwatch at $real" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The wrappers get "scan --format json --threads 1 FILE" from the gate.
cat > "$tmp/drop-records" <<SH
#!/bin/bash
in="\${@: -1}"; head -n 1000 "\$in" > "$tmp/half.ndjson"
"$real" "\${@:1:\$#-1}" "$tmp/half.ndjson"
SH
cat > "$tmp/exit-1" <<SH
#!/bin/bash
"$real" "\$@"; exit 1
SH
mkdir -p "$tmp/rules"
cp "$here"/../rules/*.yml "$tmp/rules/"
# core.yml is a list of rules: drop the cloudtrail-change item (up to the next `- id:`).
awk '/^- id: /{skip = ($3 == "cloudtrail-change")} !skip' "$here/../rules/core.yml" \
  > "$tmp/rules/core.yml"
grep -q '^- id: cloudtrail-change$' "$tmp/rules/core.yml" && exit 1
cat > "$tmp/lose-a-rule" <<SH
#!/bin/bash
"$real" "\$1" --no-builtin-rules --rules "$tmp/rules" "\${@:2}"
SH
chmod +x "$tmp/drop-records" "$tmp/exit-1" "$tmp/lose-a-rule"

failures=0
expect_fail() {
  local name="$1" pattern="$2" status=0
  TW_BIN="$tmp/$name" "$here/callgrind_gate.sh" "$build" > "$tmp/$name.out" 2>&1 || status=$?
  if (( status == 1 )) && grep -q -- "$pattern" "$tmp/$name.out"; then
    echo "callgrind_gate_test: $name: the gate fails as it must ($(grep -m1 FAIL "$tmp/$name.out"))"
  else
    echo "callgrind_gate_test: FAIL $name: gate exit $status, no '$pattern' in:" >&2
    cat "$tmp/$name.out" >&2
    failures=$((failures + 1))
  fi
}
expect_fail drop-records "FAIL events: trailwatch reports 1000, expected 2000"
expect_fail exit-1 "exited with status 1"
expect_fail lose-a-rule "FAIL cloudtrail-change: 0 alerts, expected 2"
(( failures == 0 )) && echo "callgrind_gate_test: OK"
exit $(( failures > 0 ))
