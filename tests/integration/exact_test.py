#!/usr/bin/python3
"""Issue 8, end to end with the binary: hostile records that used to make `scan` disagree with
`match` or with itself (defects 1, 2, 6). Expected values come from the rules' conditions:
cloudtrail-change is eventName in {Create,Update,Delete}Trail, Start/StopLogging (docs/rules.md);
the fixture rule it-eb-delete-trail (tests/data/integration/rules/event-pattern-rule.yml) is
source aws.cloudtrail, detail-type "AWS API Call via CloudTrail", detail.eventName DeleteTrail.
Duplicate keys: the first occurrence wins (docs/json-input.md).
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from twtest import TempDirTest, fixture, run  # noqa: E402

CT = "cloudtrail-change"
EB_RULE = fixture("rules", "event-pattern-rule.yml")
EB_PATTERN = ('{"source": ["aws.cloudtrail"], "detail-type": ["AWS API Call via CloudTrail"], '
              '"detail": {"eventName": ["DeleteTrail"]}}')


class Exact(TempDirTest):
    def scan(self, name, lines, *extra):
        path = self.write(name, "".join(line + "\n" for line in lines))
        res = run("scan", "--format", "json", *extra, path)
        self.assertIn(res.rc, (0,), res.describe())
        # input.record is 1-based (docs/output.md); the records are described 0-based here.
        return sorted((a["input"]["record"] - 1, a["rule_id"], a["event_name"])
                      for a in res.json_lines())

    def rules_of(self, alerts, record):
        return {rule for r, rule, _ in alerts if r == record}

    def test_a_records_own_detail_does_not_hide_its_event_name(self):
        alerts = self.scan("d.ndjson", [
            '{"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging",'
            '"eventType":"AwsApiCall","detail":{"eventName":"Harmless"}}'])
        self.assertIn(CT, self.rules_of(alerts, 0))

    def test_members_beside_an_envelope_do_not_hide_its_detail(self):
        alerts = self.scan("e.ndjson", [
            '{"version":"0","id":"e1","detail-type":"AWS API Call via CloudTrail",'
            '"source":"aws.cloudtrail","account":"111122223333","region":"us-east-1",'
            '"detail":{"eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail"},'
            '"eventName":"x"}'])
        self.assertIn(CT, self.rules_of(alerts, 0))

    def test_duplicate_event_name_the_first_wins(self):
        alerts = self.scan("k.ndjson", [
            '{"eventSource":"cloudtrail.amazonaws.com","eventName":"Harmless","eventName":"DeleteTrail"}',
            '{"eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail","eventName":"Harmless"}'])
        self.assertNotIn(CT, self.rules_of(alerts, 0))
        self.assertIn(CT, self.rules_of(alerts, 1))
        self.assertEqual({name for r, rule, name in alerts if rule == CT}, {"DeleteTrail"})

    def test_duplicate_event_source_scan_and_match_envelope_agree(self):
        lines = ['{"eventSource":"cloudtrail.amazonaws.com","eventSource":"example.amazonaws.com",'
                 '"eventName":"DeleteTrail"}',
                 '{"eventSource":"example.amazonaws.com","eventSource":"cloudtrail.amazonaws.com",'
                 '"eventName":"DeleteTrail"}',
                 '{"eventSource":"cloudtrail.amazonaws.com","eventName":["DeleteTrail"]}']
        path = self.write("s.ndjson", "".join(line + "\n" for line in lines))
        res = run("scan", "--format", "json", "--rules=" + EB_RULE, path)
        self.assertEqual(res.rc, 0, res.describe())
        scanned = sorted(a["input"]["record"] - 1 for a in res.json_lines()
                         if a["rule_id"] == "it-eb-delete-trail")
        self.assertEqual(scanned, [0, 2])  # the first eventSource; an array element (defect 6)
        m = run("match", "--event-pattern", EB_PATTERN, "--envelope", path)
        self.assertEqual(m.rc, 0, m.describe())
        matched = [line for line in m.out.splitlines() if line.strip()]
        self.assertEqual(len(matched), 2, m.describe())
        self.assertIn('"eventSource":"cloudtrail.amazonaws.com","eventSource":"example', matched[0])


if __name__ == "__main__":
    unittest.main()
