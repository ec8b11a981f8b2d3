#!/usr/bin/python3
"""The EventBridge twin of the seed rule `security-group-change`
(docs/examples/security-group-change.eventbridge.json) raises the same alerts (same file +
record set) as the filter-pattern rule over the whole bundled corpus."""

import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from twtest import CORPUS, REPO, TempDirTest, alert_keys, run  # noqa: E402

EXAMPLE = os.path.join(REPO, "docs", "examples", "security-group-change.eventbridge.json")
SEED = os.path.join(REPO, "rules", "core.yml")  # the core pack holds security-group-change
INPUTS = [os.path.join(CORPUS, "real"), os.path.join(CORPUS, "files")]


def seed_event_names():
    with open(SEED, encoding="utf-8") as f:
        text = f.read()
    # the rule's item in the list, up to the next rule
    item = text[text.index("- id: security-group-change\n"):]
    item = item[:item.find("\n- id: ", 1) if "\n- id: " in item[1:] else len(item)]
    pattern = re.search(r"^  filter_pattern:\s*'(.*)'\s*$", item, re.M).group(1)
    # the seed pattern is an OR of ($.eventName = X) and nothing else
    names = re.findall(r"\(\$\.eventName = (\w+)\)", pattern)
    rest = re.sub(r"\(\$\.eventName = \w+\)", "", pattern)
    assert re.fullmatch(r"\{[\s|]*\}", rest), "unexpected seed pattern: " + pattern
    return names


def rule_yaml(rule_id, pattern):
    return ("id: %s\ntitle: Security group change (EventBridge pattern)\nseverity: medium\n"
            "description: >\n  EventBridge event pattern twin of security-group-change.\n"
            "event_pattern: %s\n" % (rule_id, json.dumps(pattern)))


def full_keys(alerts, rule_id):
    """{(path relative to the corpus, record)} of one rule's alerts."""
    return {(os.path.relpath(a["input"]["file"], CORPUS), a["input"]["record"])
            for a in alerts if a["rule_id"] == rule_id}


class SecurityGroupEventPattern(TempDirTest):
    def setUp(self):
        super().setUp()
        with open(EXAMPLE, encoding="utf-8") as f:
            self.pattern = json.load(f)

    def scan(self, rule_file, *inputs):
        # `--rules FILE` is followed by another option, so that INPUTs are not read as rule paths.
        res = run("scan", "--rules", rule_file, "--format", "json", *(inputs or INPUTS))
        self.assertIn(res.rc, (0, 1), res.describe())
        return res

    def test_example_names_the_seed_rule_event_names(self):
        self.assertEqual(sorted(self.pattern["detail"]["eventName"]), sorted(seed_event_names()))
        self.assertEqual(len(seed_event_names()), 7)

    def test_same_alerts_as_the_filter_pattern_rule(self):
        rule = self.write("sg-eb.yml", rule_yaml("security-group-change-eb", self.pattern))
        res = self.scan(rule)
        alerts = res.json_lines()
        filter_set = full_keys(alerts, "security-group-change")
        eb_set = full_keys(alerts, "security-group-change-eb")
        self.assertTrue(filter_set, "the corpus must raise security-group-change\n" + res.describe())
        self.assertEqual(len(filter_set), 16)  # docs/rules.md, expected hits over the corpus
        self.assertEqual(eb_set, filter_set, "missing: %s\nextra: %s" % (sorted(filter_set - eb_set),
                                                                         sorted(eb_set - filter_set)))

    def test_unscoped_literal_equivalent_gives_the_same_set(self):
        literal = {"detail": {"eventName": self.pattern["detail"]["eventName"]}}
        rule = self.write("sg-literal.yml", rule_yaml("security-group-change-literal", literal))
        alerts = self.scan(rule).json_lines()
        self.assertEqual(full_keys(alerts, "security-group-change-literal"),
                         full_keys(alerts, "security-group-change"))

    def test_match_command_agrees(self):
        res = run("match", "--envelope", "--event-pattern", "@" + EXAMPLE, *INPUTS)
        self.assertEqual(res.rc, 0, res.describe())
        ids = sorted((json.loads(l).get("eventID"), json.loads(l).get("eventName")) for l in res.out.splitlines())
        self.assertEqual(len(ids), 16, res.describe())
        self.assertTrue(all(name in seed_event_names() for _, name in ids))

    def test_documented_divergences_on_synthetic_records(self):
        # README: the scoped pattern is narrower than the filter pattern for a non-EC2 eventSource
        # or a non-API-call eventType; the unscoped literal pattern is not.
        base = {"eventVersion": "1.08", "eventTime": "2024-01-01T00:00:00Z", "eventSource": "ec2.amazonaws.com",
                "eventName": "CreateSecurityGroup", "awsRegion": "us-east-1", "eventType": "AwsApiCall",
                "userIdentity": {"type": "IAMUser", "userName": "alice"}}
        recs = [dict(base, eventID="api"),
                dict(base, eventID="svc", eventType="AwsServiceEvent"),
                dict(base, eventID="other", eventSource="example.amazonaws.com")]
        path = self.write("synthetic.ndjson", "".join(json.dumps(r) + "\n" for r in recs))
        literal = {"detail": {"eventName": self.pattern["detail"]["eventName"]}}
        rules = self.write("both.yml", rule_yaml("sg-eb", self.pattern) + "---\n" + rule_yaml("sg-literal", literal))
        alerts = self.scan(rules, path).json_lines()
        self.assertEqual(alert_keys(alerts, "security-group-change"), {("synthetic.ndjson", i) for i in range(3)})
        self.assertEqual(alert_keys(alerts, "sg-literal"), {("synthetic.ndjson", i) for i in range(3)})
        self.assertEqual(alert_keys(alerts, "sg-eb"), {("synthetic.ndjson", 0)})


if __name__ == "__main__":
    unittest.main(verbosity=2)
