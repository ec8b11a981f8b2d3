#!/usr/bin/env bash
# `make demo`: scan the bundled sample CloudTrail logs with the built-in rule pack.
set -euo pipefail
build=${1:-build}
tw="$build/src/cli/trailwatch"
cd "$(dirname "$0")/.."

echo "== trailwatch scan samples/AWSLogs  (CloudTrail log files as delivered to S3)"
"$tw" scan samples/AWSLogs
echo
echo "== the same as JSON lines, first 2 alerts"
# head closes the pipe after two lines; trailwatch then stops on SIGPIPE, which is fine here.
"$tw" scan --format json samples/AWSLogs 2>/dev/null | head -n 2 || true
echo
echo "== a CloudWatch Logs subscription payload, as the Lambda receives it"
"$tw" scan samples/cwl-subscription.json
echo
echo "== trailwatch match: which sample events does a CIS filter pattern match?"
"$tw" match --filter-pattern '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }' samples/ndjson samples/AWSLogs | cut -c1-160 || true
echo
echo "== trailwatch watch: alerts live, as the sample files arrive over ~10 seconds"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/incoming"
{
  echo "state: {path: $work/state.db}"
  echo "shutdown_grace: 5s"
  echo "sources: [{type: dir, path: $work/incoming}]"
  echo "sinks:"
  echo "  - {type: stdout, format: text}"
  if [ -n "${SLACK_WEBHOOK_URL:-}" ]; then
    # The URL stays in the environment; the config names it only.
    echo '  - {type: slack, webhook_url: "${SLACK_WEBHOOK_URL}", min_severity: high}'
  fi
} > "$work/trailwatch.yml"
[ -n "${SLACK_WEBHOOK_URL:-}" ] && echo "(alerts of severity high and above also go to Slack)"
"$tw" watch --config "$work/trailwatch.yml" 2> "$work/watch.log" &
watch_pid=$!
/usr/bin/python3 scripts/replay.py --seconds 10 samples/AWSLogs "$work/incoming" 2>/dev/null
# Let the last file's alerts out, then stop as a service manager would (SIGTERM: drain, exit 0).
for _ in $(seq 50); do
  grep -q "$(ls "$work/incoming" | sort | tail -n 1)" "$work/watch.log" 2>/dev/null && break
  sleep 0.1
done
kill -TERM "$watch_pid"
wait "$watch_pid"
echo "(watch exited $?; its log:)"
sed 's/^/  /' "$work/watch.log" | tail -n 5
