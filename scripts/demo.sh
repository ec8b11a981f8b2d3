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
