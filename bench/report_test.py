#!/usr/bin/python3
"""Tests of bench/report.py (stdlib unittest): a crashed row is FAIL, never n/a, and trailwatch's
alerts must equal the baselines' counts rule by rule. Run: /usr/bin/python3 bench/report_test.py"""

import contextlib
import io
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402


def row(name, program, wall, status, nbytes=100_000_000, events=100_000, rss=10_000):
    return "\t".join([name, program, "ndjson", str(nbytes), str(events), wall, str(rss),
                      str(status)]) + "\n"


class TableTest(unittest.TestCase):
    def run_table(self, lines):
        with tempfile.TemporaryDirectory() as d:
            meas = os.path.join(d, "m.tsv")
            with open(meas, "w") as f:
                f.writelines(lines)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                status = report.table(meas, os.path.join(d, "r.md"), 1_000_000)
            return status, out.getvalue()

    def verdicts(self, text, label):
        return [line.split("|")[-2].strip() for line in text.splitlines()
                if line.startswith("|") and label in line]

    def test_healthy_rows_pass(self):
        # floor 1.0 s, trailwatch 1.25 s: 0.8x >= 0.6x.
        status, text = self.run_table([row("floor-ondemand", "floor", "1.0", 0),
                                       row("tw-ndjson", "trailwatch", "1.25", 0)])
        self.assertEqual(self.verdicts(text, "T1 >= 0.6x"), ["PASS"])
        self.assertEqual(status, 0)

    def test_crashed_trailwatch_row_is_fail_not_na(self):
        # SIGSEGV: tw_measure records 128 + 11.
        status, text = self.run_table([row("floor-ondemand", "floor", "1.0", 0),
                                       row("tw-ndjson", "trailwatch", "0.2", 139)])
        self.assertEqual(self.verdicts(text, "T1 >= 0.6x"), ["FAIL"])
        self.assertIn("error (exit 139)", text)
        self.assertEqual(status, 1)

    def test_input_failure_exit_1_is_fail(self):
        status, text = self.run_table([row("floor-ondemand", "floor", "1.0", 0),
                                       row("tw-ndjson", "trailwatch", "0.1", 1)])
        self.assertEqual(self.verdicts(text, "T1 >= 0.6x"), ["FAIL"])
        self.assertEqual(status, 1)

    def test_crashed_baseline_row_fails_its_target(self):
        status, text = self.run_table([row("floor-ondemand", "floor", "1.0", 134),
                                       row("tw-ndjson", "trailwatch", "1.0", 0)])
        self.assertEqual(self.verdicts(text, "T1 >= 0.6x"), ["FAIL"])
        self.assertEqual(status, 1)

    def test_crashed_row_without_target_fails(self):
        status, text = self.run_table([row("floor-gz-t2", "floor", "1.0", 139)])
        self.assertEqual(self.verdicts(text, "floor"), ["FAIL"])
        self.assertEqual(status, 1)

    def test_missing_program_stays_na(self):
        status, text = self.run_table([row("floor-ondemand", "floor", "1.0", 0),
                                       row("tw-ndjson", "trailwatch", "n/a", 0)])
        self.assertEqual(self.verdicts(text, "T1 >= 0.6x"), ["n/a"])
        self.assertEqual(status, 0)


class AlertsTest(unittest.TestCase):
    def check(self, alert_rules, counts, summary="trailwatch: 1 file, 10 events, 3 alerts\n",
              events=10):
        with tempfile.TemporaryDirectory() as d:
            paths = [os.path.join(d, n) for n in ("a.jsonl", "e.txt", "c.txt")]
            with open(paths[0], "w") as f:
                f.writelines('{"rule_id":"%s","input":{"record":1}}\n' % r for r in alert_rules)
            with open(paths[1], "w") as f:
                f.write(summary)
            with open(paths[2], "w") as f:
                f.writelines("%s %d\n" % kv for kv in counts.items())
            err = io.StringIO()
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                return report.alerts(paths[0], paths[1], paths[2], events), err.getvalue()

    def test_equal_counts_pass(self):
        status, _ = self.check(["a", "a", "b"], {"a": 2, "b": 1})
        self.assertEqual(status, 0)

    def test_a_missed_alert_fails(self):
        status, err = self.check(["a", "b"], {"a": 2, "b": 1})
        self.assertEqual(status, 1)
        self.assertIn("a: trailwatch 1 alerts, baselines 2", err)

    def test_an_extra_rule_fails(self):
        status, err = self.check(["a", "a", "b", "c"], {"a": 2, "b": 1})
        self.assertEqual(status, 1)
        self.assertIn("c: trailwatch 1 alerts, baselines 0", err)

    def test_dropped_records_fail(self):
        status, err = self.check(["a", "a", "b"], {"a": 2, "b": 1},
                                 summary="trailwatch: 1 file, 9 events, 3 alerts\n")
        self.assertEqual(status, 1)
        self.assertIn("read 9 events, the baselines 10", err)


if __name__ == "__main__":
    unittest.main()
