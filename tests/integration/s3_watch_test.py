#!/usr/bin/env python3
"""`trailwatch watch` with the `s3` source, against moto_server behind the SigV4 proxy.

The late-file case: CloudTrail delivers files late and out of key order. File B (delivered at
14:10) is put into today's day folder and processed; then file A (14:05, so its key sorts
before B's) arrives; a source that kept a StartAfter marker would skip A. Both must produce
their alerts. After a restart nothing is processed twice (the processed keys are in the state
store), and a file that arrives while the daemon is down is processed after it.

The files are real records from the corpus (the bucket of s3_scan_test.py, panther.ndjson,
panther-labs/panther-analysis, Apache-2.0), moved into today's folder because the source only
lists the days of its lookback. The expected alerts come from `scan --config` (the backtest,
same stages) over the same files in the same order, not from the daemon.
"""
import datetime
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import awsfix  # noqa: E402  (fails loudly without moto)
from s3_scan_test import build_files  # noqa: E402
from twtest import TRAILWATCH  # noqa: E402

BUCKET = "ct-watch-bucket"
DEADLINE = 60


def wait_for(cond, what, deadline=DEADLINE):
    end = time.monotonic() + deadline
    while True:
        got = cond()
        if got:
            return got
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)  # a polling step, not a wait for an event


class S3WatchTest(unittest.TestCase):
    def setUp(self):
        self.aws = awsfix.AwsStack().start()
        self.aws.create_bucket(BUCKET)
        self._tmp = tempfile.TemporaryDirectory(prefix="tw-s3watch-")
        self.tmp = self._tmp.name
        self.proc = None
        # Three real days of the scan bucket, 123456789012/us-east-1 on the 15th (A), 16th (C)
        # and 17th (B), each day's files made one object.
        files = build_files()
        chosen = {}
        for key, data in sorted(files.items()):
            if "/123456789012/CloudTrail/us-east-1/" in key:
                chosen.setdefault("/".join(key.split("/")[-4:-1]), []).append(data)
        self.assertEqual(len(chosen), 3, chosen.keys())
        day_a, day_c, day_b = sorted(chosen)
        self.blob_a = b"".join(chosen[day_a])  # concatenated gzip members: one document each
        self.blob_b = b"".join(chosen[day_b])
        self.blob_c = b"".join(chosen[day_c])
        today = datetime.datetime.now(datetime.timezone.utc)
        folder = "AWSLogs/123456789012/CloudTrail/us-east-1/%s/" % today.strftime("%Y/%m/%d")
        stamp = today.strftime("%Y%m%d")
        self.key_a = folder + "123456789012_CloudTrail_us-east-1_%sT1405Z_aaaaaaaaaaaaaaaa.json.gz" % stamp
        self.key_b = folder + "123456789012_CloudTrail_us-east-1_%sT1410Z_bbbbbbbbbbbbbbbb.json.gz" % stamp
        self.key_c = folder + "123456789012_CloudTrail_us-east-1_%sT1400Z_cccccccccccccccc.json.gz" % stamp
        self.config = os.path.join(self.tmp, "trailwatch.yml")
        with open(self.config, "w") as f:
            f.write("state: {path: state.db}\n"
                    "shutdown_grace: 5s\n"
                    "sources:\n"
                    "  - {type: s3, bucket: %s, prefix: AWSLogs/, lookback: 1d, interval: 1s}\n"
                    "sinks:\n"
                    "  - {type: file, path: alerts.ndjson}\n" % BUCKET)

    def tearDown(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.aws.stop()
        self._tmp.cleanup()

    def log(self):
        with open(os.path.join(self.tmp, "watch.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def start(self):
        log = open(os.path.join(self.tmp, "watch.log"), "ab")
        self.proc = subprocess.Popen([TRAILWATCH, "watch", "--config", self.config],
                                     cwd=self.tmp, env=self.aws.env(), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=log)
        log.close()
        wait_for(lambda: "watching with" in self.log() or self.proc.poll() is not None,
                 "watch to start")
        self.assertIsNone(self.proc.poll(), self.log())

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.proc.wait(timeout=30), 0, self.log())
        self.proc = None

    def sink_alerts(self):
        path = os.path.join(self.tmp, "alerts.ndjson")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(l) for l in f if l.strip()]

    def expected(self, *keys_and_blobs):
        """(rule_id, file name, record) of `scan --config` over the files, in this order."""
        paths = []
        for key, blob in keys_and_blobs:
            p = os.path.join(self.tmp, "local", key)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(blob)
            paths.append(p)
        proc = subprocess.run([TRAILWATCH, "scan", "--config", self.config, "--format", "json",
                               *paths], capture_output=True, timeout=120,
                              cwd=os.path.join(self.tmp, "local"), stdin=subprocess.DEVNULL)
        self.assertEqual(proc.returncode, 0, proc.stderr.decode())
        return sorted(self.pairs(json.loads(l) for l in proc.stdout.decode().splitlines() if l.strip()))

    @staticmethod
    def pairs(alerts):
        return [(a["rule_id"], os.path.basename(a["input"]["file"]), a["input"]["record"])
                for a in alerts if not a.get("suppressed")]

    def test_late_file_sorting_earlier_is_processed_and_restart_repeats_nothing(self):
        self.aws.put_object(BUCKET, self.key_b, self.blob_b)
        self.start()
        want_b = self.expected((self.key_b, self.blob_b))
        self.assertTrue(want_b, "file B must raise alerts for the test to mean anything")
        wait_for(lambda: len(self.sink_alerts()) >= len(want_b), "B's alerts")

        self.aws.put_object(BUCKET, self.key_a, self.blob_a)  # late, sorts before B
        want_ab = self.expected((self.key_b, self.blob_b), (self.key_a, self.blob_a))
        self.assertGreater(len(want_ab), len(want_b))
        wait_for(lambda: len(self.sink_alerts()) >= len(want_ab), "A's alerts (the late file)")
        self.stop()
        self.assertEqual(sorted(self.pairs(self.sink_alerts())), want_ab)

        # Down: C arrives (sorting before both). Up again: C is processed, A and B are not.
        self.aws.put_object(BUCKET, self.key_c, self.blob_c)
        self.aws.reset_proxy_stats()
        self.start()
        want_abc = self.expected((self.key_b, self.blob_b), (self.key_a, self.blob_a),
                                 (self.key_c, self.blob_c))
        self.assertGreater(len(want_abc), len(want_ab))
        wait_for(lambda: len(self.sink_alerts()) >= len(want_abc), "C's alerts after the restart")
        # A few more polls: still nothing repeated.
        polls = self.aws.proxy_stats()["ok"]
        wait_for(lambda: self.aws.proxy_stats()["ok"] >= polls + 9, "three more polls")
        self.stop()
        got = sorted(self.pairs(self.sink_alerts()))
        self.assertEqual(got, want_abc)
        with open(self.aws.proxy_log) as f:
            fetched = [l for l in f if "_CloudTrail_us-east-1_" in l]
        self.assertEqual(sum(1 for l in fetched if self.key_b.split("/")[-1] in l), 1)
        self.aws.assert_no_denials(self)


if __name__ == "__main__":
    unittest.main(verbosity=2)
