#!/usr/bin/env bash
# Self-checks of the benchmark harness (about 30 s):
#   1. tw_gen_corpus is deterministic: two runs with the same seed and size hash identically,
#      and the committed gate corpus regenerates byte for byte;
#   2. the floor programs read every event of the corpus (same event count and checksum);
#   3. jq (NDJSON) and the CPython Lambda-style baseline (.json.gz) report identical per-rule
#      detection counts over the same events;
#   4. the quamina comparison's pattern files give qbench and trailwatch the same number of
#      patterns under the same ids (bench/gen_rules_test.py checks the patterns themselves).
#   bench/check.sh BUILD_DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:-$here/../build}" && pwd)"
tools="$build/bench"
[[ -x "$tools/tw_gen_corpus" ]] || tools="$build/bench-standalone"
if [[ ! -x "$tools/tw_gen_corpus" ]]; then
  cmake -S "$here" -B "$tools" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$tools" >/dev/null
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
digest() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-64); }

"$tools/tw_gen_corpus" --seed 7 --size-mb 10 --out "$tmp/a"
"$tools/tw_gen_corpus" --seed 7 --size-mb 10 --out "$tmp/b" > /dev/null
da=$(digest "$tmp/a"); db=$(digest "$tmp/b")
echo "determinism: run1=$da run2=$db"
[[ "$da" == "$db" ]] || { echo "FAIL generator is not deterministic" >&2; exit 1; }
"$tools/tw_gen_corpus" --seed 20240301 --events 2000 --ndjson-only --out "$tmp/gate" > /dev/null
gzip -9n -c "$tmp/gate/events.ndjson" | cmp -s - "$here/gate/corpus.ndjson.gz" \
  || { echo "FAIL bench/gate/corpus.ndjson.gz no longer regenerates identically" >&2; exit 1; }
echo "determinism: gate corpus regenerates identically"

n=$("$tools/tw_floor_ndjson" "$tmp/a/events.ndjson" | tee /dev/stderr | sed 's/.*events=\([0-9]*\).*checksum=\([0-9a-f]*\).*/\1 \2/')
g=$("$tools/tw_floor_gz" "$tmp/a" | tee /dev/stderr | head -1 | sed 's/.*events=\([0-9]*\).*checksum=\([0-9a-f]*\).*/\1 \2/')
[[ "$n" == "$g" ]] || { echo "FAIL floors disagree: ndjson '$n' gz '$g'" >&2; exit 1; }
echo "floors: both read the same events (events checksum: $n)"

jq -c -f "$here/baselines/detections.jq" "$tmp/a/events.ndjson" | jq -r '.rules[]' \
  | LC_ALL=C sort | uniq -c | awk '{print $2, $1}' > "$tmp/jq.txt"
/usr/bin/python3 "$here/baselines/lambda_style.py" "$tmp/a" --per-rule > "$tmp/py-all.txt"
tail -n +2 "$tmp/py-all.txt" | LC_ALL=C sort > "$tmp/py.txt"
paste -d' ' "$tmp/jq.txt" "$tmp/py.txt" | awk '{printf "  %-34s jq=%-6s python=%s\n", $1, $2, $4}'
diff -u "$tmp/jq.txt" "$tmp/py.txt" || { echo "FAIL jq and CPython disagree" >&2; exit 1; }
echo "detections: jq and CPython agree ($(head -1 "$tmp/py-all.txt"))"
for n in 42 1000; do
  q=$(jq -r .id "$here/rules/quamina-$n.eb.jsonl" | LC_ALL=C sort | sha256sum | cut -c1-16)
  t=$(sed -n 's/^- id: //p' "$here/rules/quamina-$n.yml" | LC_ALL=C sort | sha256sum | cut -c1-16)
  c=$(grep -c . "$here/rules/quamina-$n.eb.jsonl")
  [[ "$q" == "$t" && "$c" == "$n" ]] \
    || { echo "FAIL rules/quamina-$n: qbench and trailwatch files differ ($c patterns)" >&2; exit 1; }
  echo "quamina patterns: quamina-$n has $c patterns, the same ids on both sides"
done
echo "check.sh: OK"
