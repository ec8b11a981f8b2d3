#!/usr/bin/python3
"""The built-in pack as a catalogue: docs/rules.md's table equals the pack, and every rule carries
what the catalogue promises (docs/rules.md, docs/severity.md)."""

import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from twtest import REPO, TRAILWATCH, run  # noqa: E402

sys.path.insert(0, os.path.join(REPO, "tools"))
import rules_catalogue as RC  # noqa: E402

THEMES = {"core", "cis", "iam-persistence", "sign-in", "logging", "defense-evasion", "public-exposure",
          "s3-destruction", "rds", "ec2", "lambda", "secrets", "organizations"}


class Catalogue(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        res = run("rules", "list", "--format", "json")
        assert res.rc == 0, res.err
        cls.rules = res.json_lines()

    def test_doc_table_is_the_generated_one(self):
        with open(RC.DOC, encoding="utf-8") as fh:
            self.assertEqual(RC.current(fh.read()), RC.generate(TRAILWATCH),
                             "docs/rules.md's catalogue is stale: run tools/rules_catalogue.py --bin ... --write")

    def test_at_least_80_rules_in_the_themed_packs(self):
        self.assertGreaterEqual(len(self.rules), 80)
        self.assertEqual({r["pack"] for r in self.rules}, THEMES)
        for r in self.rules:
            self.assertTrue(os.path.exists(os.path.join(REPO, "rules", r["pack"] + ".yml")), r["id"])

    def test_every_rule_has_the_catalogue_fields(self):
        for r in self.rules:
            with self.subTest(rule=r["id"]):
                self.assertIn(r["severity"], ("info", "low", "medium", "high", "critical"))
                self.assertTrue(r["title"] and r["description"])
                self.assertTrue(r["tags"])
                self.assertTrue(r["mitre_attack"])
                for t in r["mitre_attack"]:
                    self.assertRegex(t, r"^T\d{4}(\.\d{3})?$")
                self.assertTrue(any(x.startswith("https://docs.aws.amazon.com/") for x in r["references"]))

    def test_filters(self):
        rds = run("rules", "list", "--pack", "rds", "--format", "json").json_lines()
        self.assertEqual({r["id"] for r in rds}, {r["id"] for r in self.rules if r["pack"] == "rds"})
        crit = run("rules", "list", "--severity", "critical", "--format", "json").json_lines()
        self.assertEqual({r["id"] for r in crit}, {r["id"] for r in self.rules if r["severity"] == "critical"})
        self.assertIn("cis-root-usage", {r["id"] for r in crit})
        # T1562 selects its sub-techniques (T1562.008 ...); T156 is no technique prefix.
        t1562 = {r["id"] for r in run("rules", "list", "--mitre", "T1562", "--format", "json").json_lines()}
        self.assertIn("cloudtrail-change", t1562)
        self.assertIn("guardduty-disabled", t1562)
        self.assertEqual(run("rules", "list", "--mitre", "T156", "--format", "json").json_lines(), [])
        both = run("rules", "list", "--tag", "rds", "--severity", "critical", "--format", "json").json_lines()
        self.assertEqual([r["id"] for r in both], ["rds-snapshot-made-public"])

    def test_show_prints_the_rule_whole(self):
        res = run("rules", "show", "console-login-failure")
        self.assertEqual(res.rc, 0, res.err)
        self.assertIn('{ ($.eventName = "ConsoleLogin") && ($.responseElements.ConsoleLogin = "Failure") }', res.out)
        self.assertIn("T1110.001 Password Guessing", res.out)
        self.assertIn("pack:        core", res.out)
        res = run("rules", "show", "console-login-failur")
        self.assertEqual(res.rc, 1)
        self.assertIn("did you mean `console-login-failure`", res.err)


if __name__ == "__main__":
    unittest.main()
