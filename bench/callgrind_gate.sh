#!/usr/bin/env bash
# Callgrind regression gate: instructions per event of `trailwatch scan` over a fixed corpus.
#
#   bench/callgrind_gate.sh BUILD_DIR [--update]
#
# Runs `trailwatch scan --format json --threads 1` on bench/gate/corpus.ndjson.gz (2,000 events
# from tw_gen_corpus --seed 20240301 --events 2000, decompressed to a temp file) under
# valgrind --tool=callgrind, reads the "Collected" instruction total, and divides by the number of
# events after subtracting the instructions of the same command on an empty input (process start
# and built-in rule compilation, printed separately). Fails (exit 1) when the result exceeds
# bench/gate/baseline.txt x 1.10. --update rewrites the baseline.
# TW_BIN overrides the binary path (default BUILD_DIR/src/cli/trailwatch).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-}"
update=0
[[ "${2:-}" == "--update" || "${1:-}" == "--update" ]] && update=1
if [[ -z "$build" || "$build" == "--update" ]]; then
  echo "usage: $0 BUILD_DIR [--update]" >&2
  exit 2
fi
build="$(cd "$build" && pwd)"
bin="${TW_BIN:-$build/src/cli/trailwatch}"
baseline_file="$here/gate/baseline.txt"
tolerance="1.10"

if [[ ! -x "$bin" ]]; then
  echo "callgrind_gate: trailwatch binary not found at $bin (build it, or set TW_BIN)" >&2
  exit 1
fi
command -v valgrind >/dev/null || { echo "callgrind_gate: valgrind is not installed" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
gzip -dc "$here/gate/corpus.ndjson.gz" > "$tmp/corpus.ndjson"
: > "$tmp/empty.ndjson"
events=$(wc -l < "$tmp/corpus.ndjson")

# Prints the callgrind instruction total for `trailwatch scan ... FILE`.
instructions() {
  local input="$1" log="$tmp/callgrind.log" status=0
  valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "$bin" scan --format json --threads 1 "$input" > "$tmp/stdout" 2> "$log" || status=$?
  # trailwatch may use exit status 1 for "alerts were raised"; anything else is a failure.
  if (( status > 1 )); then
    echo "callgrind_gate: trailwatch exited with status $status on $input:" >&2
    tail -20 "$log" >&2
    return 1
  fi
  local total
  total=$(sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$log" | tail -1)
  if [[ -z "$total" ]]; then
    echo "callgrind_gate: no 'Collected' line in callgrind output" >&2
    tail -20 "$log" >&2
    return 1
  fi
  echo "$total"
}

total=$(instructions "$tmp/corpus.ndjson")
alerts=$(wc -l < "$tmp/stdout" || true)
startup=$(instructions "$tmp/empty.ndjson")
# The gate is on the per-event work: process start and rule compilation are measured by the
# empty run and taken out, so that a per-event regression is not diluted by them.
per_event=$(( (total - startup) / events ))
baseline=$(grep -v '^[[:space:]]*#' "$baseline_file" | grep -m1 -E '^[0-9]+' || echo 0)

echo "callgrind_gate: events=$events alert_lines=$alerts total_Ir=$total startup_Ir=$startup"
echo "callgrind_gate: Ir/event=$per_event excluding startup (including it: $(( total / events )))"
echo "callgrind_gate: baseline=$baseline limit=baseline x $tolerance"

if (( update )); then
  {
    grep '^[[:space:]]*#' "$baseline_file"
    echo "$per_event"
  } > "$tmp/baseline.txt"
  mv "$tmp/baseline.txt" "$baseline_file"
  echo "callgrind_gate: baseline updated to $per_event in $baseline_file"
  exit 0
fi
if (( baseline == 0 )); then
  echo "callgrind_gate: FAIL no baseline recorded; run '$0 $build --update' and commit" \
       "bench/gate/baseline.txt" >&2
  exit 1
fi
limit=$(awk -v b="$baseline" -v t="$tolerance" 'BEGIN { printf "%d", b * t }')
if (( per_event > limit )); then
  echo "callgrind_gate: FAIL $per_event Ir/event > $limit (baseline $baseline + 10%)" >&2
  exit 1
fi
echo "callgrind_gate: PASS $per_event Ir/event <= $limit"
