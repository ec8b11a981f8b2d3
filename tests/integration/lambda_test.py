#!/usr/bin/env python3
"""End to end: the real trailwatch binary as a Lambda custom runtime, driven through the
project's Runtime API stand-in (standin/lambda_runtime_standin.py), delivering to the Slack
stand-in (standin/http_standin.py). Debian python3 stdlib only; the S3 shapes, which need moto,
are in lambda_s3_test.py.

Each StopLogging event below matches the rule cloudtrail-stopped-or-deleted (rules/cloudtrail.yml:
eventName StopLogging or DeleteTrail, and the independent oracle agrees); the config's Slack sink
takes that rule only, so every event is exactly one Slack request. Events use distinct users so
that dedupe (keyed by rule, actor, account, event name) never folds two of them.

Checked: the CloudWatch Logs and EventBridge shapes and an SQS batch of EventBridge bodies reach
Slack before the answer; an SQS body that cannot be read is answered in batchItemFailures while
the rest succeeds; a Slack failure fails the invocation (and a retry of the same event alerts
again); a deadline already passed fails without delivering; missing and bogus headers get an
error answer and the runtime keeps serving; an unknown shape is named; a bad config is posted to
/runtime/init/error; the binary is the runtime whatever argv says; the log lines are JSON.
"""

import base64
import gzip
import importlib.util
import json
import os
import re
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from twtest import REPO, TRAILWATCH  # noqa: E402

STANDIN_DIR = os.path.join(REPO, "tests", "integration", "standin")
TLS_CERT = os.path.join(REPO, "tests", "data", "tls", "standin-cert.pem")
TLS_KEY = os.path.join(REPO, "tests", "data", "tls", "standin-key.pem")
RULE = "cloudtrail-stopped-or-deleted"
DEADLINE = 60  # seconds, for any one wait

_spec = importlib.util.spec_from_file_location(
    "expected_alerts", os.path.join(REPO, "tests", "corpus_expectation", "expected_alerts.py"))
ORACLE = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ORACLE)


def record(user, event_id):
    return {"eventVersion": "1.08",
            "userIdentity": {"type": "IAMUser", "principalId": "AIDA" + user,
                             "arn": "arn:aws:iam::111122223333:user/" + user,
                             "accountId": "111122223333", "userName": user},
            "eventTime": "2026-11-30T03:00:00Z", "eventSource": "cloudtrail.amazonaws.com",
            "eventName": "StopLogging", "awsRegion": "us-east-1",
            "sourceIPAddress": "203.0.113.9", "userAgent": "aws-cli/2",
            "requestParameters": {"name": "main-trail"}, "responseElements": None,
            "requestID": "req-" + event_id, "eventID": event_id, "readOnly": False,
            "eventType": "AwsApiCall", "managementEvent": True,
            "recipientAccountId": "111122223333", "eventCategory": "Management"}


def awslogs(*records):
    payload = {"messageType": "DATA_MESSAGE", "owner": "111122223333",
               "logGroup": "aws-cloudtrail-logs", "logStream": "111122223333_CloudTrail_us-east-1",
               "subscriptionFilters": ["trailwatch"],
               "logEvents": [{"id": str(i), "timestamp": 1796000000000 + i,
                              "message": json.dumps(r)} for i, r in enumerate(records)]}
    return {"awslogs": {"data": base64.b64encode(gzip.compress(json.dumps(payload).encode()))
                        .decode()}}


def eventbridge(rec):
    return {"version": "0", "id": "eb-" + rec["eventID"], "detail-type": "AWS API Call via CloudTrail",
            "source": "aws.cloudtrail", "account": "111122223333", "time": rec["eventTime"],
            "region": "us-east-1", "resources": [], "detail": rec}


def sqs(*bodies):
    return {"Records": [{"messageId": mid, "receiptHandle": "rh-" + mid, "body": body,
                         "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {},
                         "md5OfBody": "", "eventSource": "aws:sqs",
                         "eventSourceARN": "arn:aws:sqs:us-east-1:111122223333:ct",
                         "awsRegion": "us-east-1"} for mid, body in bodies]}


def http(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    ctx = ssl.create_default_context(cafile=TLS_CERT) if url.startswith("https:") else None
    with urllib.request.urlopen(req, timeout=DEADLINE + 5, context=ctx) as r:
        text = r.read()
    return json.loads(text) if text.strip().startswith((b"{", b"[")) else text


def start(script, *args):
    proc = subprocess.Popen(["/usr/bin/python3", os.path.join(STANDIN_DIR, script), "--port", "0",
                             *args], stdout=subprocess.PIPE, text=True)
    m = re.match(r"LISTENING (\d+)", proc.stdout.readline())
    if not m:
        proc.kill()
        raise RuntimeError(script + " did not start")
    return proc, int(m.group(1))


class LambdaRun:
    """The two stand-ins and the trailwatch runtime; every PID recorded and stopped."""

    def __init__(self, env_extra=None, config=None, argv=None, tls=False):
        self.procs = []
        self.runtime, rport = start("lambda_runtime_standin.py")
        self.procs.append(self.runtime)
        # tls: Slack over HTTPS with the self-signed test certificate (for 127.0.0.1), which the
        # runtime trusts through SSL_CERT_FILE, as the SAM template points it at the CA bundle.
        self.slack, sport = start("http_standin.py", *(["--tls", TLS_CERT, TLS_KEY] if tls else []))
        self.procs.append(self.slack)
        self.rurl = "http://127.0.0.1:%d" % rport
        self.surl = "%s://127.0.0.1:%d" % ("https" if tls else "http", sport)
        self.tmp = tempfile.TemporaryDirectory()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TRAILWATCH_"))}
        env.update({"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:%d" % rport,
                    "SLACK_WEBHOOK_URL": self.surl + "/services/T0/B0/secret"})
        if tls:
            env["SSL_CERT_FILE"] = TLS_CERT
        if config is not None:
            path = os.path.join(self.tmp.name, "trailwatch.yml")
            with open(path, "w") as f:
                f.write(config)
            env["TRAILWATCH_CONFIG"] = path
        # env_extra: a dict, or a function of the Slack stand-in's webhook URL giving one; a
        # None value removes the variable.
        extra = env_extra(env["SLACK_WEBHOOK_URL"]) if callable(env_extra) else (env_extra or {})
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        self.err_path = os.path.join(self.tmp.name, "stderr")
        self.err = open(self.err_path, "wb")
        self.tw = subprocess.Popen(argv or [TRAILWATCH], env=env, stdout=subprocess.DEVNULL,
                                   stderr=self.err)
        self.procs.append(self.tw)
        self.runtime.stdout.close()
        self.slack.stdout.close()

    def invoke(self, event, **spec):
        spec["event"] = event
        return http("POST", self.rurl + "/_invoke", spec)["id"]

    def result(self, rid):
        return http("GET", self.rurl + "/_result?id=%s&wait=%d" % (rid, DEADLINE))

    def call(self, event, **spec):
        return self.result(self.invoke(event, **spec))

    def state(self):
        return http("GET", self.rurl + "/_state")

    def slack_requests(self):
        return [q for q in http("GET", self.surl + "/_requests")
                if q["path"].startswith("/services/")]

    def script_slack(self, answers):
        http("POST", self.surl + "/_script", answers)

    def logs(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def log_lines(self):
        out = []
        for line in self.logs().splitlines():
            if line.startswith("{"):
                out.append(json.loads(line))
        return out

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.err.close()
        self.tmp.cleanup()


CONFIG = """
sinks:
  - type: slack
    webhook_url: ${SLACK_WEBHOOK_URL}
    rules: [%s]
""" % RULE


class LambdaRuntimeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The independent oracle agrees that the test event is one for RULE.
        if RULE in ORACLE.CHECKED_RULES:
            assert RULE in ORACLE.rules_for(record("x", "x")), "oracle disagrees on StopLogging"
        # Any argv: the zip's bootstrap is this binary and Lambda passes none we know.
        cls.run_ = LambdaRun(config=CONFIG, argv=[TRAILWATCH, "--no-such-flag"])

    @classmethod
    def tearDownClass(cls):
        cls.run_.stop()

    def setUp(self):
        http("POST", self.run_.surl + "/_reset", [])

    def assert_slack_users(self, users):
        got = [q["body"] for q in self.run_.slack_requests()]
        self.assertEqual(len(got), len(users), got)
        for user in users:
            self.assertTrue(any(user in body for body in got), (user, got))

    def test_cloudwatch_logs_subscription(self):
        ans = self.run_.call(awslogs(record("cwl-ann", "e-cwl-1"), record("cwl-bob", "e-cwl-2")))
        self.assertEqual((ans["kind"], ans["body"]), ("response", "{}"), ans)
        # Delivered before the answer: already there when the answer is.
        self.assert_slack_users(["cwl-ann", "cwl-bob"])

    def test_eventbridge_event(self):
        ans = self.run_.call(eventbridge(record("eb-carol", "e-eb-1")))
        self.assertEqual((ans["kind"], ans["body"]), ("response", "{}"), ans)
        self.assert_slack_users(["eb-carol"])

    def test_sqs_partial_failure(self):
        ev = sqs(("m-good", json.dumps(eventbridge(record("sqs-dan", "e-sqs-1")))),
                 ("m-bad", "this is not a notification"),
                 ("m-test", json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent",
                                        "Bucket": "ct"})),
                 ("m-good2", json.dumps(eventbridge(record("sqs-eve", "e-sqs-2")))))
        ans = self.run_.call(ev)
        self.assertEqual(ans["kind"], "response", ans)
        self.assertEqual(json.loads(ans["body"]),
                         {"batchItemFailures": [{"itemIdentifier": "m-bad"}]})
        self.assert_slack_users(["sqs-dan", "sqs-eve"])

    def test_sink_failure_fails_the_invocation_and_the_retry_alerts(self):
        self.run_.script_slack([{"status": 404, "body": "channel_not_found"}])
        ev = eventbridge(record("fail-fay", "e-fail-1"))
        ans = self.run_.call(ev)
        self.assertEqual(ans["kind"], "error", ans)
        self.assertEqual(ans["error_type"], "Trailwatch.DeliveryFailed")
        body = json.loads(ans["body"])
        self.assertEqual(body["errorType"], "Trailwatch.DeliveryFailed")
        self.assertIn("channel_not_found", body["errorMessage"])
        # Lambda retries the event: it is delivered as a first alert, not folded by dedupe.
        again = self.run_.call(ev)
        self.assertEqual((again["kind"], again["body"]), ("response", "{}"), again)
        self.assertEqual(len(self.run_.slack_requests()), 2)

    def test_deadline_already_passed(self):
        ans = self.run_.call(eventbridge(record("late-gus", "e-late-1")),
                             deadline_ms=int(time.time() * 1000) - 1000)
        self.assertEqual(ans["kind"], "error", ans)
        self.assertEqual(ans["error_type"], "Trailwatch.DeadlineExceeded")
        self.assertEqual(self.run_.slack_requests(), [])

    def test_missing_and_bogus_headers(self):
        ev = eventbridge(record("hdr-hal", "e-hdr-1"))
        a = self.run_.call(ev, omit=["Lambda-Runtime-Deadline-Ms"])
        self.assertEqual((a["kind"], a["error_type"]), ("error", "Trailwatch.BadInvocation"), a)
        b = self.run_.call(ev, headers={"Lambda-Runtime-Deadline-Ms": "tomorrow"})
        self.assertEqual((b["kind"], b["error_type"]), ("error", "Trailwatch.BadInvocation"), b)
        self.assertIn("tomorrow", json.loads(b["body"])["errorMessage"])
        # Without a request id nothing can be answered; the runtime must survive and go on.
        lost = self.run_.invoke(ev, omit=["Lambda-Runtime-Aws-Request-Id"])
        ok = self.run_.call(eventbridge(record("hdr-ivy", "e-hdr-2")))
        self.assertEqual((ok["kind"], ok["body"]), ("response", "{}"), ok)
        self.assertIsNone(self.run_.tw.poll())
        self.assertNotIn(lost, [x["id"] for x in self.run_.state()["answers"]])

    def test_unknown_shape_is_named(self):
        ans = self.run_.call({"hello": "world", "detail": 1})
        self.assertEqual((ans["kind"], ans["error_type"]),
                         ("error", "Trailwatch.UnknownEventShape"), ans)
        self.assertIn("{hello, detail}", json.loads(ans["body"])["errorMessage"])
        kin = self.run_.call({"Records": [{"eventSource": "aws:kinesis"}]})
        self.assertIn("aws:kinesis", json.loads(kin["body"])["errorMessage"])
        raw = self.run_.call("not json at all", raw=True)
        self.assertEqual(raw["kind"], "error", raw)

    def test_trace_id_and_json_logs(self):
        ans = self.run_.call(eventbridge(record("log-jan", "e-log-1")))
        self.assertEqual(ans["kind"], "response")
        deadline = time.monotonic() + DEADLINE
        while True:
            lines = self.run_.log_lines()
            mine = [l for l in lines if l.get("request_id") == ans["id"]]
            if mine or time.monotonic() > deadline:
                break
            time.sleep(0.05)  # polling for the log line, written just after the answer
        self.assertEqual(len(mine), 1, lines)
        line = mine[0]
        self.assertEqual((line["msg"], line["shape"], line["events"], line["alerts"],
                          line["delivered"], line["outcome"]),
                         ("invocation", "eventbridge", 1, line["alerts"], 1, "ok"))
        self.assertGreaterEqual(line["alerts"], 1)
        self.assertIsInstance(line["duration_ms"], float)
        cold = [l for l in lines if l.get("msg") == "cold start"]
        self.assertEqual(len(cold), 1)
        self.assertGreater(cold[0]["init_ms"], 0)
        self.assertNotIn("secret", self.run_.logs())  # the webhook path's last segment


class LambdaInitTest(unittest.TestCase):
    def test_bad_config_posts_init_error_and_exits(self):
        run = LambdaRun(config="sinks:\n  - type: carrier-pigeon\n")
        try:
            rc = run.tw.wait(timeout=DEADLINE)
            self.assertEqual(rc, 2)
            errors = run.state()["init_errors"]
            self.assertEqual(len(errors), 1, errors)
            self.assertEqual(errors[0]["error_type"], "Trailwatch.BadConfig")
            self.assertEqual(json.loads(errors[0]["body"])["errorType"], "Trailwatch.BadConfig")
            self.assertIn("carrier-pigeon", json.loads(errors[0]["body"])["errorMessage"])
        finally:
            run.stop()

    def test_slack_over_verified_tls(self):
        """The one TLS connection of a typical deployment (Slack), through the binary's own
        transport: the Lambda package's bootstrap sets up its statically linked OpenSSL only
        here, at the first alert."""
        run = LambdaRun(tls=True)
        try:
            ans = run.call(awslogs(record("tls-lee", "e-tls-1")))
            self.assertEqual((ans["kind"], ans["body"]), ("response", "{}"), ans)
            bodies = [q["body"] for q in run.slack_requests()]
            self.assertTrue(any("tls-lee" in b for b in bodies), bodies)
        finally:
            run.stop()

    def test_slack_webhook_from_the_environment_without_a_config(self):
        run = LambdaRun()
        try:
            ans = run.call(awslogs(record("env-kim", "e-env-1")))
            self.assertEqual((ans["kind"], ans["body"]), ("response", "{}"), ans)
            bodies = [q["body"] for q in run.slack_requests()]
            # Every built-in rule goes to this sink; RULE is one of them.
            self.assertTrue(any("CloudTrail logging stopped" in b for b in bodies), bodies)
        finally:
            run.stop()


if __name__ == "__main__":
    unittest.main()
