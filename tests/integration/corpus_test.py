#!/usr/bin/python3
"""trailwatch over the whole bundled corpus (tests/data/corpus/real + files):
no crash, every record evaluated or reported, and the seed-rule alerts equal the independent
oracle tests/corpus_expectation/expected_alerts.py."""

import glob
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from twtest import CORPUS, REPO, TIMEOUT, run, summary_events  # noqa: E402

# An error about one record: "...: line N: ..." (NDJSON) or "...: record N: ..." (Records array).
RECORD_ERROR = re.compile(r"^trailwatch: error: .*: (line|record) \d+\b")


def count_corpus_records():
    """Records in the corpus, counted here: NDJSON non-blank lines + Records of each .json.gz."""
    total = 0
    for path in glob.glob(os.path.join(CORPUS, "real", "**", "*.ndjson"), recursive=True):
        with open(path, "rb") as f:
            total += sum(1 for line in f if line.strip())
    for path in glob.glob(os.path.join(CORPUS, "files", "**", "*.json.gz"), recursive=True):
        with gzip.open(path, "rb") as f:
            total += len(json.load(f)["Records"])
    return total


class Corpus(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.res = run("scan", "--format", "json", os.path.join(CORPUS, "real"), os.path.join(CORPUS, "files"))

    def test_a_no_crash(self):
        self.assertGreaterEqual(self.res.rc, 0, "killed by signal %d\n%s" % (-self.res.rc, self.res.describe()))
        self.assertIn(self.res.rc, (0, 1), self.res.describe())
        for line in self.res.out.splitlines():
            json.loads(line)

    def test_b_every_record_evaluated_or_reported(self):
        total = count_corpus_records()
        self.assertEqual(total, 9571 + 23)  # corpus README: 9571 events in real/ (+ the 3 log files)
        events = summary_events(self.res.err)
        self.assertIsNotNone(events, "no summary line on stderr\n" + self.res.describe())
        record_errors = [l for l in self.res.err.splitlines() if RECORD_ERROR.match(l)]
        self.assertEqual(events + len(record_errors), total,
                         "events %d + per-record errors %d != %d records\n%s"
                         % (events, len(record_errors), total, self.res.describe()))

    def test_c_seed_alerts_match_the_oracle(self):
        with tempfile.TemporaryDirectory(prefix="tw-corpus-") as tmp:
            alerts = os.path.join(tmp, "alerts.jsonl")
            with open(alerts, "wb") as f:
                f.write(self.res.out_bytes)
            oracle = os.path.join(REPO, "tests", "corpus_expectation", "expected_alerts.py")
            proc = subprocess.run(["/usr/bin/python3", oracle, "--corpus", CORPUS, "--check", alerts],
                                  capture_output=True, text=True, timeout=TIMEOUT)
            self.assertEqual(proc.returncode, 0, "expected_alerts.py --check failed:\n%s\n%s"
                             % (proc.stdout, proc.stderr))


if __name__ == "__main__":
    unittest.main(verbosity=2)
