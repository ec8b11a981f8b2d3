#!/usr/bin/python3
"""CPython Lambda custom runtime around the handler of lambda_style.py (stdlib only).

What a Python Lambda does per invocation, minus AWS's own runtime client: GET
invocation/next, run the handler (base64-decode awslogs.data, gunzip, json.loads the payload and
each message, the same if-tests as lambda_style.py), POST the response. bench/lambda_bench.py
runs it against the Runtime API stand-in next to `trailwatch lambda`, so both are timed the same
way (the stand-in's clock, from handing out the event to receiving the answer).

  AWS_LAMBDA_RUNTIME_API=127.0.0.1:PORT /usr/bin/python3 lambda_runtime.py
Answers {"events": N, "matched_events": M, "hits": H}.
"""

import json
import os
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lambda_style  # noqa: E402


def main():
    base = "http://%s/2018-06-01/runtime" % os.environ["AWS_LAMBDA_RUNTIME_API"]
    while True:
        with urllib.request.urlopen(base + "/invocation/next") as r:
            rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
            event = json.loads(r.read())
        tally = lambda_style.Tally()
        lambda_style.handle_cwl_event(event, tally)
        body = json.dumps({"events": tally.events, "matched_events": tally.matched,
                           "hits": sum(tally.per_rule.values())}).encode()
        req = urllib.request.Request(base + "/invocation/%s/response" % rid, data=body,
                                     method="POST")
        urllib.request.urlopen(req).read()


if __name__ == "__main__":
    main()
