#!/usr/bin/env bash
# Callgrind regression gate: instructions per event of `trailwatch scan` over a fixed corpus.
#
#   bench/callgrind_gate.sh BUILD_DIR [--update]
#
# Runs `trailwatch scan --format json --threads 1` on bench/gate/corpus.ndjson.gz (2,000 events
# from tw_gen_corpus --seed 20240301 --events 2000, decompressed to a temp file) under
# valgrind --tool=callgrind, reads the "Collected" instruction total, and divides by the number of
# events after subtracting the instructions of the same command on an input without records
# (process start and built-in rule compilation, printed separately). Fails (exit 1) when the result exceeds
# bench/gate/baseline.txt x 1.10. --update rewrites the baseline.
#
# The run must also be correct, or a regression that rejects records would look like a gain:
# trailwatch must exit 0 on both runs (any other status, 1 "some input failed" included, fails
# the gate), report exactly the events of bench/gate/expected.txt, and print exactly its alerts,
# rule by rule (counts from the jq and CPython baselines, not from trailwatch). --update refuses
# to record a baseline from an incorrect run.
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
# The start-up run reads a CloudTrail file without records: 0 events, exit status 0. (An empty
# file is an input error, exit status 1, which the gate does not accept.)
printf '{"Records":[]}\n' > "$tmp/empty.json"
events=$(wc -l < "$tmp/corpus.ndjson")

# Prints the callgrind instruction total for `trailwatch scan ... FILE`.
instructions() {
  local input="$1" log="$tmp/callgrind.log" status=0
  valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "$bin" scan --format json --threads 1 "$input" > "$tmp/stdout" 2> "$log" || status=$?
  # Exit status 0 is the only success: 1 means some input failed, 2 a usage or rule error.
  if (( status != 0 )); then
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
cp "$tmp/stdout" "$tmp/alerts.jsonl"
cp "$tmp/callgrind.log" "$tmp/corpus.log"
startup=$(instructions "$tmp/empty.json")

# Correctness of the measured run against bench/gate/expected.txt: events from the summary line
# on stderr ("..., N events, M alerts in ..."), alerts from the JSON lines on stdout.
if ! /usr/bin/python3 - "$here/gate/expected.txt" "$tmp/alerts.jsonl" "$tmp/corpus.log" <<'PY'
import collections, json, re, sys
expected = {}
for line in open(sys.argv[1]):
    if line.strip() and not line.startswith("#"):
        key, value = line.split()
        expected[key] = int(value)
per_rule = collections.Counter()
lines = 0
for line in open(sys.argv[2]):
    if line.strip():
        lines += 1
        per_rule[json.loads(line)["rule_id"]] += 1
summary = re.findall(r"(\d+) events?, (\d+) alerts?", open(sys.argv[3]).read())
problems = []
if not summary:
    problems.append("no 'N events, M alerts' summary on stderr")
else:
    events, alerts = map(int, summary[-1])
    if events != expected["events"]:
        problems.append("events: trailwatch reports %d, expected %d" % (events, expected["events"]))
    if alerts != lines:
        problems.append("the summary says %d alerts but %d were printed" % (alerts, lines))
if lines != expected["alerts"]:
    problems.append("alerts: %d printed, expected %d" % (lines, expected["alerts"]))
rules = {k: v for k, v in expected.items() if k not in ("events", "alerts")}
for rule in sorted(set(rules) | set(per_rule)):
    if per_rule[rule] != rules.get(rule, 0):
        problems.append("%s: %d alerts, expected %d" % (rule, per_rule[rule], rules.get(rule, 0)))
for p in problems:
    print("callgrind_gate: FAIL " + p, file=sys.stderr)
sys.exit(1 if problems else 0)
PY
then
  echo "callgrind_gate: FAIL the run is not correct (see above; bench/gate/expected.txt)" >&2
  exit 1
fi
alerts=$(grep -c . "$tmp/alerts.jsonl" || true)
# The gate is on the per-event work: process start and rule compilation are measured by the
# run without records and taken out, so that a per-event regression is not diluted by them.
per_event=$(( (total - startup) / events ))
baseline=$(grep -v '^[[:space:]]*#' "$baseline_file" | grep -m1 -E '^[0-9]+' || echo 0)

echo "callgrind_gate: events=$events alerts=$alerts (as expected) total_Ir=$total startup_Ir=$startup"
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
