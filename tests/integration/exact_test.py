#!/usr/bin/python3
"""Issue 8, end to end with the binary: hostile records that used to make `scan` disagree with
`match` or with itself (defects 1, 2, 6). Expected values come from the rules' conditions:
cloudtrail-change is eventName in {Create,Update,Delete}Trail, Start/StopLogging (docs/rules.md);
the fixture rule it-eb-delete-trail (tests/data/integration/rules/event-pattern-rule.yml) is
source aws.cloudtrail, detail-type "AWS API Call via CloudTrail", detail.eventName DeleteTrail.
Duplicate keys: the first occurrence wins (docs/json-input.md).
"""

import json
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

    def test_numbers_beyond_the_json_reader_scan_and_match_agree(self):
        # Defect 11: 1e999 is +infinity, 18446744073709551616 is 2^64 (docs/json-input.md).
        lines = ['{"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging",'
                 '"requestParameters":{"n":1e999,"id":123456789012345678901234567890}}',
                 '{"eventSource":"cloudtrail.amazonaws.com","eventName":"Other","n":-1e999}',
                 '{"eventSource":"cloudtrail.amazonaws.com","eventName":"Other",'
                 '"n":18446744073709551616}']
        path = self.write("n.ndjson", "".join(line + "\n" for line in lines))
        res = run("scan", "--format", "json", "--summary", "json", path)
        self.assertEqual(res.rc, 0, res.describe())
        self.assertIn(CT, {a["rule_id"] for a in res.json_lines() if a["input"]["record"] == 1})
        summary = json.loads(res.err.strip().splitlines()[-1])
        self.assertEqual((summary["events"], summary["errors"]), (3, 0))
        m = run("match", "--filter-pattern", "{ $.n > 1000 }", path)
        self.assertEqual(m.rc, 0, m.describe())
        self.assertEqual([json.loads(x)["n"] for x in m.out.splitlines()], [2 ** 64])
        m = run("match", "--event-pattern", '{"detail":{"requestParameters":{"n":'
                '[{"numeric":[">",0]}]}}}', "--envelope", path)
        self.assertEqual(m.rc, 0, m.describe())
        self.assertEqual(len(m.out.splitlines()), 1, m.describe())

    def test_unpaired_surrogates_read_as_the_replacement_character_in_scan_and_match(self):
        # An unpaired UTF-16 surrogate escape is U+FFFD (docs/json-input.md, "String escapes"):
        # the record is evaluated with or without a candidate rule, and the JSON output is
        # strict UTF-8 with the field as read. U+FFFD is EF BF BD in UTF-8.
        stop = '{"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging",'
        lines = [stop + r'"userAgent":"\ud800x"}',
                 stop + r'"userAgent":"\ud800\u0041"}',
                 stop + r'"userAgent":"\udc00"}',
                 r'{"eventSource":"s3.amazonaws.com","eventName":"GetObject","userAgent":"\ud800x"}']
        path = self.write("u.ndjson", "".join(line + "\n" for line in lines))
        res = run("scan", "--format", "json", "--summary", "json", path)
        self.assertEqual(res.rc, 0, res.describe())
        text = res.out_bytes.decode("utf-8")  # strict: raises on invalid UTF-8
        self.assertNotIn("\\ud800", text)
        agents = sorted(a["user_agent"] for a in map(json.loads, text.splitlines())
                        if a["rule_id"] == CT)
        self.assertEqual(agents, ["\ufffd", "\ufffdA", "\ufffdx"])
        summary = json.loads(res.err.strip().splitlines()[-1])
        self.assertEqual((summary["events"], summary["errors"]), (4, 0))
        # match: every line is a JSON event (none falls back to text), printed as read.
        m = run("match", "--filter-pattern", '{ $.userAgent = "\ufffdx" }', path)
        self.assertEqual(m.rc, 0, m.describe())
        printed = [json.loads(x) for x in m.out_bytes.decode("utf-8").splitlines()]
        self.assertEqual([p["eventName"] for p in printed], ["StopLogging", "GetObject"])
        m = run("match", "--event-pattern", '{"detail":{"userAgent":["\ufffdA"]}}', "--envelope",
                path)
        self.assertEqual(m.rc, 0, m.describe())
        self.assertEqual(len(m.out.splitlines()), 1, m.describe())

    def test_invalid_escape_is_an_error_even_where_no_rule_reads(self):
        # RFC 8259 §7 has no \q escape and \u takes four hex digits: the record is an error
        # with its line, not an event, whether or not a rule is a candidate for it.
        get = '{"eventSource":"s3.amazonaws.com","eventName":"GetObject","x":'
        lines = [get + r'"\q"}', get + r'"\u12G4"}',
                 r'{"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","x":"\u12"}',
                 '{"eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail"}']
        path = self.write("e.ndjson", "".join(line + "\n" for line in lines))
        res = run("scan", "--format", "json", "--summary", "json", path)
        self.assertEqual(res.rc, 1, res.describe())
        errors = res.error_lines()
        self.assertEqual(len(errors), 3, res.describe())
        for n, line in enumerate(errors, 1):
            self.assertIn("e.ndjson: line %d: damaged JSON: invalid escape" % n, line)
        summary = json.loads(res.err.strip().splitlines()[-1])
        self.assertEqual((summary["events"], summary["errors"]), (1, 3))
        self.assertEqual({(a["input"]["record"], a["rule_id"]) for a in res.json_lines()
                          if a["rule_id"] == CT}, {(4, CT)})

    def test_a_record_too_deep_for_the_dom_is_an_error_without_a_candidate(self):
        # Defect 7: reported with its line, counted as an error, and the rest is read on.
        deep = "[" * 1100 + "]" * 1100
        path = self.write("deep.ndjson", '{"eventName":"Harmless","x":%s}\n' % deep +
                          '{"eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging"}\n')
        res = run("scan", "--format", "json", "--summary", "json", path)
        self.assertEqual(res.rc, 1, res.describe())
        self.assertIn("deep.ndjson: line 1: the record cannot be evaluated", res.err)
        summary = json.loads(res.err.strip().splitlines()[-1])
        self.assertEqual((summary["events"], summary["errors"]), (1, 1))
        self.assertIn(CT, {a["rule_id"] for a in res.json_lines()})

    def test_summary_json_counts_index_fallbacks(self):
        path = self.write("ok.ndjson", '{"eventSource":"cloudtrail.amazonaws.com",'
                          '"eventName":"StopLogging"}\n')
        res = run("scan", "--summary", "json", path)
        self.assertEqual(res.rc, 0, res.describe())
        summary = json.loads(res.err.strip().splitlines()[-1])
        self.assertEqual(summary["index_fallbacks"], 0)
        self.assertEqual((summary["files"], summary["events"], summary["errors"]), (1, 1, 0))
        self.assertEqual(summary["by_rule"][CT], 1)
        self.assertNotIn("RE2::Set fallback", res.err)


if __name__ == "__main__":
    unittest.main()
