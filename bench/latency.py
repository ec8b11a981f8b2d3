#!/usr/bin/env python3
"""Latency of `trailwatch watch`: from a line written to the stdin source to the Slack stand-in
receiving the request, over N events (default 1,000). Not a ctest: wall-clock numbers depend on
the machine; record them in bench/README.md.

  bench/latency.py [--trailwatch build/src/cli/trailwatch] [--events 1000] [--interval-ms 20]

Each event is one CloudTrail StopLogging record with its own eventID, written as one NDJSON line
to watch's standard input, `--interval-ms` apart (so that latency, not throughput, is measured).
The Slack sink (incoming webhook) points at tests/integration/standin/http_standin.py, which
answers 200 at once and records the arrival time of every request (time.time(), the same clock as
the write times here). Each record's userAgent is "bench-<n>", shown in the message's "User
agent" field, which ties a request to its write time. Prints p50, p90, p99 and max in milliseconds.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
STANDIN = os.path.join(REPO, "tests", "integration", "standin", "http_standin.py")


def record(i):
    return {"eventVersion": "1.08",
            "userIdentity": {"type": "IAMUser", "accountId": "111122223333", "userName": "bench",
                             "arn": "arn:aws:iam::111122223333:user/bench"},
            "eventTime": "2024-03-01T12:%02d:%02dZ" % (i // 60 % 60, i % 60),
            "eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging",
            "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7", "userAgent": "bench-%d" % i,
            "requestParameters": {"name": "main"}, "responseElements": None,
            "eventID": "%08d-0000-4000-8000-000000000000" % i, "eventType": "AwsApiCall",
            "recipientAccountId": "111122223333"}


def pct(sorted_ms, p):
    k = max(0, min(len(sorted_ms) - 1, int(round(p / 100.0 * len(sorted_ms) + 0.5)) - 1))
    return sorted_ms[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trailwatch", default=os.path.join(REPO, "build", "src", "cli", "trailwatch"))
    ap.add_argument("--events", type=int, default=1000)
    ap.add_argument("--interval-ms", type=float, default=20.0)
    args = ap.parse_args()

    standin = subprocess.Popen(["/usr/bin/python3", STANDIN, "--port", "0"],
                               stdout=subprocess.PIPE, text=True)
    port = int(re.match(r"LISTENING (\d+)", standin.stdout.readline()).group(1))
    tmp = tempfile.mkdtemp(prefix="tw-latency-")
    config = os.path.join(tmp, "trailwatch.yml")
    with open(config, "w") as f:
        f.write("state: {path: state.db}\n"
                "sources: [{type: stdin}]\n"
                "sinks:\n  - type: slack\n    webhook_url: \"http://127.0.0.1:%d/services/T/B/X\"\n"
                "    rules: [cloudtrail-change]\n" % port)
    err = open(os.path.join(tmp, "watch.log"), "wb")
    watch = subprocess.Popen([args.trailwatch, "watch", "--config", config],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err)
    sent = {}
    try:
        # Wait for the daemon to be up (its first log line).
        deadline = time.monotonic() + 30
        while b"watching with" not in open(err.name, "rb").read():
            if time.monotonic() > deadline or watch.poll() is not None:
                sys.exit("watch did not start:\n" + open(err.name).read())
            time.sleep(0.05)
        for i in range(args.events):
            line = (json.dumps(record(i), separators=(",", ":")) + "\n").encode()
            sent[i] = time.time()
            watch.stdin.write(line)
            watch.stdin.flush()
            time.sleep(args.interval_ms / 1000.0)
        deadline = time.monotonic() + 60
        while True:
            with urllib.request.urlopen("http://127.0.0.1:%d/_requests" % port) as r:
                reqs = [q for q in json.loads(r.read()) if q["path"].startswith("/services/")]
            if len(reqs) >= args.events or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        watch.stdin.close()
        watch.wait(timeout=60)
        standin.terminate()
        standin.wait()
    lat = []
    for q in reqs:
        m = re.search(r"bench-(\d+)", q["body"])
        if m and int(m.group(1)) in sent:
            lat.append((q["t"] - sent[int(m.group(1))]) * 1000.0)
    lat.sort()
    if len(lat) < args.events:
        print("warning: %d of %d events arrived" % (len(lat), args.events), file=sys.stderr)
    print("events %d  p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms" % (
        len(lat), pct(lat, 50), pct(lat, 90), pct(lat, 99), lat[-1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
