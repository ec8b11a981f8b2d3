#!/usr/bin/env bash
# trailwatch benchmark harness (`make bench`).
#
#   bench/run.sh BUILD_DIR
#
# Environment:
#   TW_BIN           trailwatch binary (default BUILD_DIR/src/cli/trailwatch; rows print n/a if absent)
#   TW_BENCH_MB      corpus size in MB of uncompressed JSON (default 256)
#   TW_BENCH_BIG=1   1 GB corpus (memory target T5 is defined on it)
#   TW_BENCH_SEED    generator seed (default 1)
#   TW_BENCH_RUNS    runs per program (default 5; medians)
#   TW_BENCH_JQ_MB   size of the NDJSON slice jq runs on (default 16; jq is ~4 MB/s)
#   TW_BENCH_ONLY    space-separated groups to run: ndjson gz rules cwl (default all)
#
# Every comparison group runs its programs alternately (A B C A B C ...) so drift hits all of
# them alike; targets are ratios between programs measured in the same run. Wall time and peak
# RSS come from tw_measure (fork + wait4 rusage). Results: bench/out/results.md.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
build="${1:-$root/build}"
mkdir -p "$build"
build="$(cd "$build" && pwd)"
py=/usr/bin/python3
runs="${TW_BENCH_RUNS:-5}"
seed="${TW_BENCH_SEED:-1}"
mb="${TW_BENCH_MB:-256}"
[[ "${TW_BENCH_BIG:-0}" == 1 ]] && mb=1000
jq_mb="${TW_BENCH_JQ_MB:-16}"
only="${TW_BENCH_ONLY:-ndjson gz rules cwl}"
bin="${TW_BIN:-$build/src/cli/trailwatch}"
out="$here/out"
mkdir -p "$out"

# --- tools: built by the project (BUILD_DIR/bench), else a standalone build of bench/ ---------
tools_list="tw_gen_corpus tw_floor_ndjson tw_floor_ondemand tw_floor_gz tw_measure"
tools="$build/bench"
have_tools() { for t in $tools_list; do [[ -x "$1/$t" ]] || return 1; done; }
if ! have_tools "$tools"; then
  cmake --build "$build" --target $tools_list >/dev/null 2>&1 || true
fi
if ! have_tools "$tools"; then
  echo "run.sh: building bench tools standalone in $build/bench-standalone" >&2
  cmake -S "$here" -B "$build/bench-standalone" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build/bench-standalone" >/dev/null
  tools="$build/bench-standalone"
fi

# --- corpus ------------------------------------------------------------------------------------
mkdir -p "$here/corpus"
corpus="$here/corpus/seed$seed-${mb}mb"
if [[ ! -f "$corpus/.complete" ]]; then
  rm -rf "$corpus"
  "$tools/tw_gen_corpus" --seed "$seed" --size-mb "$mb" --out "$corpus" | tee "$corpus.summary"
  touch "$corpus/.complete"
fi
payload="$here/corpus/cwl-payload-seed$seed.json"
if [[ ! -f "$payload" ]]; then
  "$tools/tw_gen_corpus" --seed "$seed" --cwl-payload "$payload" > "$payload.summary"
fi
payload_events=$(sed -n 's/.* events=\([0-9]*\) .*/\1/p' "$payload.summary")
payload_bytes=$(sed -n 's/.* decoded_bytes=\([0-9]*\) .*/\1/p' "$payload.summary")
jq_slice="$here/corpus/seed$seed-${mb}mb-jq${jq_mb}.ndjson"
if [[ ! -f "$jq_slice" ]]; then
  head -c "$(( jq_mb * 1000000 ))" "$corpus/events.ndjson" | sed '$d' > "$jq_slice"
fi
[[ -f "$here/rules/gen-1000-eb.yml" ]] || "$py" "$here/gen_rules.py" --all >/dev/null
eval "$("$py" "$here/report.py" meta "$corpus")"
jq_bytes=$(stat -c %s "$jq_slice")
jq_events=$(wc -l < "$jq_slice")
echo "corpus: $corpus  events=$EVENTS ndjson=${NDJSON_BYTES}B gz_files=$GZ_FILES" \
     "gz_json=${GZ_JSON_BYTES}B largest_file=${GZ_LARGEST}B"

have_tw=1
if [[ ! -x "$bin" ]]; then
  have_tw=0
  echo "run.sh: trailwatch not found at $bin: its rows will read n/a" >&2
fi

# --- cross-check: jq and the CPython baseline must report identical detection counts ---------
jq_counts="$out/detections-jq.txt"
py_counts="$out/detections-python.txt"
jq -c -f "$here/baselines/detections.jq" "$jq_slice" \
  | jq -r '.rules[]' | LC_ALL=C sort | uniq -c | awk '{print $2, $1}' > "$jq_counts"
"$py" "$here/baselines/lambda_style.py" --ndjson "$jq_slice" --per-rule | tail -n +2 \
  | LC_ALL=C sort > "$py_counts"
if ! diff -u "$jq_counts" "$py_counts"; then
  echo "run.sh: FAIL jq and CPython baselines disagree on detections" >&2
  exit 1
fi
echo "cross-check: jq and CPython agree on $(awk '{s+=$2} END {print s}' "$jq_counts") hits" \
     "over $jq_events events ($(wc -l < "$jq_counts") rules fired)"

# --- correctness: trailwatch's built-in pack must raise what both baselines count, rule by rule -
# (the baselines re-state the pack's 23 rules; a speed gained by dropping records fails here).
if (( have_tw )); then
  status=0
  "$bin" scan --format json --threads 1 "$jq_slice" > "$out/alerts-trailwatch.jsonl" \
    2> "$out/alerts-trailwatch.stderr" || status=$?
  if (( status != 0 )); then
    echo "run.sh: FAIL trailwatch exited with $status on $jq_slice:" \
         "$(tail -3 "$out/alerts-trailwatch.stderr")" >&2
    exit 1
  fi
  "$py" "$here/report.py" alerts "$out/alerts-trailwatch.jsonl" "$out/alerts-trailwatch.stderr" \
    "$jq_counts" "$jq_events" || { echo "run.sh: FAIL trailwatch's alerts differ" >&2; exit 1; }
fi

# Warm the page cache.
cat "$corpus/events.ndjson" "$jq_slice" "$payload" > /dev/null
find "$corpus/AWSLogs" -type f -exec cat {} + > /dev/null

# --- measurement -------------------------------------------------------------------------------
meas="$out/measurements.tsv"
: > "$meas"
# row program input bytes events -- CMD...   (CMD starting with "tw:" runs trailwatch)
declare -a group=()
add() { group+=("$*"); }
run_group() {
  local i spec row program input nbytes nevents cmd tmp status
  for (( i = 1; i <= $1; ++i )); do
    for spec in "${group[@]}"; do
      read -r row program input nbytes nevents cmd <<< "$spec"
      if [[ "$cmd" == tw:* ]]; then
        if (( ! have_tw )); then
          printf '%s\t%s\t%s\t%s\t%s\tn/a\t0\t0\n' "$row" "$program" "$input" "$nbytes" \
            "$nevents" >> "$meas"
          continue
        fi
        cmd="$bin ${cmd#tw:}"
      fi
      tmp="$out/last.measure"
      : > "$tmp"
      status=0
      # shellcheck disable=SC2086  # cmd is a word list built above
      "$tools/tw_measure" "$tmp" $cmd > /dev/null 2> "$out/last.stderr" || status=$?
      if (( status != 0 )); then
        echo "run.sh: FAIL $row exited with $status: $(tail -3 "$out/last.stderr")" >&2
      fi
      wall="" rss=0 st=""
      read -r wall rss st _ < "$tmp" || true
      if [[ -z "$wall" ]]; then  # tw_measure itself failed: record the failure, not a time
        wall=0 rss=0 st=$(( status == 0 ? 127 : status ))
      fi
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$row" "$program" "$input" "$nbytes" \
        "$nevents" "$wall" "$rss" "$st" >> "$meas"
      printf '  %-18s run %d: %6.3f s  %6d KiB\n' "$row" "$i" "$wall" "$rss"
    done
  done
  group=()
}

nd="$corpus/events.ndjson"
gzdir="$corpus/AWSLogs"
if [[ " $only " == *" ndjson "* ]]; then
  echo "group ndjson (1 thread)"
  add floor-ondemand tw_floor_ondemand ndjson "$NDJSON_BYTES" "$EVENTS" "$tools/tw_floor_ondemand" "$nd"
  add floor-ndjson tw_floor_ndjson ndjson "$NDJSON_BYTES" "$EVENTS" "$tools/tw_floor_ndjson" "$nd"
  add tw-ndjson trailwatch ndjson "$NDJSON_BYTES" "$EVENTS" "tw:scan --format json --threads 1 $nd"
  add jq-ndjson jq ndjson-${jq_mb}MB "$jq_bytes" "$jq_events" \
    jq -c -f "$here/baselines/detections.jq" "$jq_slice"
  run_group "$runs"
fi
if [[ " $only " == *" gz "* ]]; then
  echo "group gz"
  add floor-gz-t1 tw_floor_gz json.gz "$GZ_JSON_BYTES" "$EVENTS" "$tools/tw_floor_gz" "$gzdir"
  add tw-gz-t1 trailwatch json.gz "$GZ_JSON_BYTES" "$EVENTS" "tw:scan --format json --threads 1 $gzdir"
  add floor-gz-t2 tw_floor_gz--threads_2 json.gz "$GZ_JSON_BYTES" "$EVENTS" \
    "$tools/tw_floor_gz" "$gzdir" --threads 2
  add tw-gz-t2 trailwatch--threads_2 json.gz "$GZ_JSON_BYTES" "$EVENTS" \
    "tw:scan --format json --threads 2 $gzdir"
  add python-gz lambda_style.py json.gz "$GZ_JSON_BYTES" "$EVENTS" \
    "$py" "$here/baselines/lambda_style.py" "$gzdir"
  run_group "$runs"
fi
if [[ " $only " == *" rules "* ]]; then
  echo "group rules (NDJSON, 1 thread, --no-builtin-rules)"
  # The -startup rows run the same command on an input without records: loading and compiling
  # N rules.
  # T3 compares evaluation throughput, bytes / (wall - start-up); start-up is shown on its own.
  # A CloudTrail file without records: 0 events and exit status 0 (an empty file is an input
  # error, exit status 1, which would mark the row FAIL).
  empty="$out/empty.json"
  printf '{"Records":[]}\n' > "$empty"
  for lang in cwl eb; do
    for n in 10 100 1000; do
      add "tw-rules-$n-$lang" "trailwatch_gen-$n-$lang" ndjson "$NDJSON_BYTES" "$EVENTS" \
        "tw:scan --format json --threads 1 --no-builtin-rules --rules $here/rules/gen-$n-$lang.yml $nd"
      add "tw-rules-$n-$lang-startup" "trailwatch_gen-$n-$lang" empty 0 0 \
        "tw:scan --format json --threads 1 --no-builtin-rules --rules $here/rules/gen-$n-$lang.yml $empty"
    done
  done
  run_group "$runs"
fi
if [[ " $only " == *" cwl "* ]]; then
  echo "group cwl (one ~1 MB subscription payload per process)"
  add tw-cwl trailwatch cwl-payload "$payload_bytes" "$payload_events" "tw:scan --format json $payload"
  add python-cwl lambda_style.py cwl-payload "$payload_bytes" "$payload_events" \
    "$py" "$here/baselines/lambda_style.py" --cwl-payload "$payload"
  run_group "$(( runs * 2 + 1 ))"
fi

echo
echo "Results ($(date -u +%Y-%m-%dT%H:%MZ), corpus ${mb} MB seed $seed, $(nproc) cores):"
verdict=0
"$py" "$here/report.py" table "$meas" "$out/results.md" "$GZ_LARGEST" || verdict=$?
if (( mb < 1000 )); then
  echo "note: T5 (peak RSS) is defined on a 1 GB corpus: rerun with TW_BENCH_BIG=1."
fi
exit "$verdict"
