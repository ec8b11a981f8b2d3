"""`watch` with the `sqs` source against moto_server behind the SigV4-verifying proxy (awsfix.py),
alerts to the Slack stand-in (standin/http_standin.py). Runs under the image's pyenv python3
(moto); without moto, importing awsfix fails: a failure, never a skip.

  (a) S3 notifications: CloudTrail files put into the bucket (one key with a space and a '+')
      produce their alerts at the stand-in, each once, and the queue ends empty; every request
      the binary made passed the proxy's signature check.
  (b) two workers, one queue, DynamoDB state (`trailwatch state init`): every notification is
      also delivered a second time (a copy of each message, as S3's at-least-once delivery may
      do, and one receive with a visibility timeout of 0): every alert arrives exactly once.
  (c) kill -9 of a worker mid-batch, then a restart: nothing lost.
"""

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import shutil
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from awsfix import AwsStack  # noqa: E402  (fails loudly without moto)
from twtest import REPO, TRAILWATCH  # noqa: E402

STANDIN = os.path.join(HERE, "standin", "http_standin.py")
DEADLINE = 90
ALERT_ID = re.compile(r"alert `([0-9a-f]{32})`")
PREFIX = "AWSLogs/111122223333/CloudTrail/eu-west-1/2024/03/01/"


def wait_for(cond, what, deadline=DEADLINE):
    end = time.monotonic() + deadline
    while True:
        got = cond()
        if got:
            return got
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.1)  # a polling step


class Standin:
    def __init__(self):
        self.proc = subprocess.Popen(["/usr/bin/python3", STANDIN, "--port", "0"],
                                     stdout=subprocess.PIPE, text=True)
        m = re.match(r"LISTENING (\d+)", self.proc.stdout.readline())
        if not m:
            self.proc.kill()
            raise RuntimeError("stand-in did not start")
        self.url = "http://127.0.0.1:%s" % m.group(1)

    def requests(self):
        with urllib.request.urlopen(self.url + "/_requests", timeout=10) as r:
            return [q for q in json.loads(r.read()) if q["path"].startswith("/services/")]

    def script(self, answers):
        req = urllib.request.Request(self.url + "/_script", data=json.dumps(answers).encode(),
                                     method="POST")
        urllib.request.urlopen(req, timeout=10).read()

    def alert_ids(self):
        out = []
        for q in self.requests():
            m = ALERT_ID.search(q["body"])
            out.append(m.group(1) if m else None)
        return out

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


def record(event_id, user, minute):
    return {"eventVersion": "1.08",
            "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE",
                             "arn": "arn:aws:iam::111122223333:user/" + user,
                             "accountId": "111122223333", "userName": user},
            "eventTime": "2024-03-01T12:%02d:00Z" % minute,
            "eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging",
            "awsRegion": "eu-west-1", "sourceIPAddress": "198.51.100.7",
            "userAgent": "aws-cli/2.15.0",
            "requestParameters": {"name": "arn:aws:cloudtrail:eu-west-1:111122223333:trail/main"},
            "responseElements": None, "eventID": event_id, "readOnly": False,
            "eventType": "AwsApiCall", "recipientAccountId": "111122223333"}


def trail_file(tag, n):
    """A gzipped CloudTrail file of n StopLogging events, each by its own user (so dedupe keeps
    every one a first alert): n alerts of rule cloudtrail-change."""
    recs = [record("%s-%04d-0000-4000-8000-000000000000" % (tag, i), "u-%s-%d" % (tag, i), i % 60)
            for i in range(n)]
    return gzip.compress(json.dumps({"Records": recs}).encode())


class Worker:
    def __init__(self, tmp, name, aws, standin, queue_url, state, wait="1s"):
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir, exist_ok=True)
        self.config = os.path.join(self.dir, "trailwatch.yml")
        with open(self.config, "w") as f:
            f.write("state: %s\n"
                    "shutdown_grace: 10s\n"
                    "sources:\n  - {type: sqs, queue_url: \"%s\", wait: %s, "
                    "visibility_timeout: 6s, retry_delay: 1s}\n"
                    "sinks:\n  - type: slack\n    webhook_url: \"%s/services/T0/B0/XXXX\"\n"
                    "    rules: [cloudtrail-change]\n" % (state, queue_url, wait, standin.url))
        self.env = aws.env()
        self.proc = None
        self.logs = []

    def start(self):
        log = open(os.path.join(self.dir, "watch-%d.log" % len(self.logs)), "w+b")
        self.logs.append(log)
        self.proc = subprocess.Popen([TRAILWATCH, "watch", "--config", self.config],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=log, env=self.env)
        wait_for(lambda: b"watching with" in self.log() or self.proc.poll() is not None,
                 "watch to start")
        if self.proc.poll() is not None:
            raise AssertionError("watch exited at start:\n" + self.all_logs())

    def log(self):
        with open(self.logs[-1].name, "rb") as f:
            return f.read()

    def all_logs(self):
        out = b""
        for log in self.logs:
            with open(log.name, "rb") as f:
                out += f.read()
        return out.decode(errors="replace")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return self.proc.wait()
        return self.proc.returncode if self.proc else None

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class SqsWatchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.aws = AwsStack().start()

    @classmethod
    def tearDownClass(cls):
        cls.aws.stop()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tw-sqs-")
        self.standin = Standin()
        self.workers = []
        self.aws.reset_proxy_stats()

    def tearDown(self):
        for w in self.workers:
            w.kill()
            for log in w.logs:
                log.close()
        self.standin.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def queue(self, name):
        sqs = self.aws.client("sqs")
        url = self.aws.create_queue(name, {"VisibilityTimeout": "6"})
        self.aws.create_bucket(name)
        self.aws.notify_bucket_to_queue(name, name)
        return sqs, url

    def queue_empty(self, sqs, url):
        a = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        return (int(a["ApproximateNumberOfMessages"]) == 0 and
                int(a["ApproximateNumberOfMessagesNotVisible"]) == 0)

    def worker(self, name, queue_url, state, wait="1s"):
        w = Worker(self.tmp, name, self.aws, self.standin,
                   self.aws.queue_url_via_proxy(queue_url), state, wait)
        self.workers.append(w)
        return w

    def test_sigterm_ends_a_20_s_long_poll_in_flight(self):
        # The default long poll holds ReceiveMessage open for 20 s; SIGTERM must not wait for
        # it (ECS gives a task 30 s from SIGTERM to SIGKILL, the grace here is 10 s).
        _, url = self.queue("tw-stop")
        w = self.worker("stop", url, "{path: state.db}", wait="20s")
        w.start()
        wait_for(lambda: self.aws.proxy_stats()["ok"] >= 1, "the first ReceiveMessage")
        start = time.monotonic()
        rc = w.stop()
        took = time.monotonic() - start
        self.assertEqual(rc, 0, w.all_logs())
        self.assertLess(took, 10, "SIGTERM waited for the long poll:\n" + w.all_logs())
        self.assertNotIn("warning", w.all_logs())

    # (a)
    def test_s3_notifications_reach_slack_and_the_queue_empties(self):
        sqs, url = self.queue("ct-a")
        w = self.worker("w1", url, "{path: state.db}")
        w.start()
        keys = [PREFIX + "111122223333_CloudTrail_eu-west-1_20240301T1200Z_a.json.gz",
                PREFIX + "with space+plus_b.json.gz",
                PREFIX + "111122223333_CloudTrail_eu-west-1_20240301T1210Z_c.json.gz"]
        for i, key in enumerate(keys):
            self.aws.put_object("ct-a", key, trail_file("a%d" % i, 4))
        want = 4 * len(keys)
        wait_for(lambda: len(set(self.standin.alert_ids())) >= want, "every alert at Slack")
        wait_for(lambda: self.queue_empty(sqs, url), "the queue to empty")
        ids = self.standin.alert_ids()
        self.assertEqual(w.stop(), 0, w.all_logs())
        self.assertEqual(len(ids), want, w.all_logs())
        self.assertEqual(len(set(ids)), want)
        self.assertIn("with space+plus_b.json.gz", json.dumps(self.standin.requests()))
        stats = self.aws.assert_no_denials(self, min_ok=len(keys) * 3)
        print("\nsqs (a): %d messages, %d alerts, %d duplicates, %d signed requests verified"
              % (len(keys), len(ids), len(ids) - len(set(ids)), stats["ok"]), file=sys.stderr)

    # (b)
    def test_two_workers_with_dynamodb_state_raise_each_alert_once(self):
        sqs, url = self.queue("ct-b")
        state = "{type: dynamodb, table: tw-state-b, path: state.db}"
        w1 = self.worker("w1", url, state)
        w2 = self.worker("w2", url, state)
        init = subprocess.run([TRAILWATCH, "state", "init", "--config", w1.config],
                              env=w1.env, capture_output=True, text=True, timeout=120)
        self.assertEqual(init.returncode, 0, init.stderr)
        self.assertIn("created", init.stdout)
        again = subprocess.run([TRAILWATCH, "state", "init", "--config", w1.config],
                               env=w1.env, capture_output=True, text=True, timeout=120)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("already existed", again.stdout)
        files, per_file = 12, 5
        for f in range(files):
            self.aws.put_object("ct-b", PREFIX + "b-%02d.json.gz" % f, trail_file("b%02d" % f,
                                                                               per_file))
        # Every notification twice. One receive with a visibility timeout of 0 (those messages
        # stay visible: a second delivery to a worker) ...
        first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
        self.assertTrue(first.get("Messages"))
        # ... then a copy of each message, as S3's at-least-once delivery may send.
        bodies, handles = [], []
        end = time.monotonic() + 30
        while len(bodies) < files and time.monotonic() < end:
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                         VisibilityTimeout=60).get("Messages", []):
                bodies.append(m["Body"])
                handles.append(m["ReceiptHandle"])
        self.assertEqual(len(bodies), files)
        for handle in handles:
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
        for body in bodies:
            sqs.send_message(QueueUrl=url, MessageBody=body)
        messages = 2 * files
        # ... and both workers competing for them.
        w1.start()
        w2.start()
        want = files * per_file
        wait_for(lambda: len(set(self.standin.alert_ids())) >= want and
                 self.queue_empty(sqs, url), "every alert, and the queue to empty")
        time.sleep(3)  # a late duplicate would arrive within the visibility timeout
        ids = self.standin.alert_ids()
        s1, s2 = w1.stop(), w2.stop()
        duplicates = len(ids) - len(set(ids))
        logs = w1.all_logs() + w2.all_logs()
        print("\nsqs (b) two workers: %d messages (%d notifications, each delivered twice), "
              "%d alerts expected, %d delivered, %d distinct, %d duplicates; "
              "messages left for redelivery (claim or window conflicts): %d"
              % (messages, files, want, len(ids), len(set(ids)), duplicates,
                 logs.count("left for redelivery")), file=sys.stderr)
        self.assertEqual(len(set(ids)), want, logs)
        self.assertEqual(duplicates, 0, logs)
        # A claim or window conflict is how competing workers work, not a failure: both exit 0.
        self.assertEqual(s1, 0, logs)
        self.assertEqual(s2, 0, logs)
        self.aws.assert_no_denials(self)

    # (c)
    def test_kill_9_mid_batch_then_restart_loses_nothing(self):
        sqs, url = self.queue("ct-c")
        w = self.worker("w1", url, "{path: state.db}")
        # Slack answers slowly, so the worker is killed with work in flight.
        self.standin.script([{"delay": 0.05, "status": 200}] * 400)
        w.start()
        files, per_file = 10, 8
        for f in range(files):
            self.aws.put_object("ct-c", PREFIX + "c-%02d.json.gz" % f,
                                trail_file("c%02d" % f, per_file))
        want = files * per_file
        wait_for(lambda: len(self.standin.requests()) >= 5, "the first alerts")
        w.kill()  # SIGKILL mid-batch
        w.start()
        wait_for(lambda: len(set(self.standin.alert_ids())) >= want and
                 self.queue_empty(sqs, url), "every alert after the restart")
        ids = self.standin.alert_ids()
        self.assertEqual(w.stop(), 0, w.all_logs())
        print("\nsqs (c) kill -9: %d alerts expected, %d distinct, %d duplicates"
              % (want, len(set(ids)), len(ids) - len(set(ids))), file=sys.stderr)
        self.assertEqual(len(set(ids)), want, w.all_logs())
        self.assertLessEqual(len(ids) - len(set(ids)), 1)  # at most one repeat per kill


if __name__ == "__main__":
    unittest.main()
