#!/usr/bin/python3
"""End-to-end tests of the trailwatch CLI: exit statuses, help, usage errors, every input
format, damaged input, hostile fields, threads, `match` and `rules`.

Expected values come from the spec (the brief / docs), never from the program's output:
the fixture records tests/data/integration/records.ndjson are a StopLogging (record 0, user
alice) and a DeleteTrail (record 1, user bob), and docs/rules.md says the built-in
`cloudtrail-change` rule matches both eventNames.
"""

import base64
import glob
import json
import os
import re
import sys
import unittest
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from twtest import (CORPUS, REPO, TempDirTest, alert_keys, fixture, fixture_records, gz, run,  # noqa: E402
                    summary_errors, summary_events)

CT = "cloudtrail-change"  # built-in rule: eventName in {Create,Update,Delete}Trail, Start/StopLogging


def ct_records(res, name):
    """0-based record indexes of `name` that raised cloudtrail-change."""
    return sorted(r for f, r in alert_keys(res.json_lines(), CT) if f == name)


class HelpAndUsage(TempDirTest):
    def test_help_on_every_command(self):
        for args in ([], ["scan"], ["match"], ["rules"], ["rules", "list"], ["rules", "test"],
                     ["rules", "lint"]):
            with self.subTest(args=args):
                res = run(*args, "--help")
                self.assertRc(res, 0)
                self.assertIn("Usage", res.out, res.describe())

    def test_top_level_help_lists_subcommands(self):
        res = run("--help")
        for cmd in ("scan", "match", "rules"):
            self.assertIn(cmd, res.out)

    def test_scan_help_documents_options(self):
        res = run("scan", "--help")
        for opt in ("--rules", "--no-builtin-rules", "--format", "--threads"):
            self.assertIn(opt, res.out)

    def test_match_help_documents_options(self):
        res = run("match", "--help")
        for opt in ("--filter-pattern", "--event-pattern", "--envelope"):
            self.assertIn(opt, res.out)

    def test_unknown_flag_suggests_scan_format(self):
        res = run("scan", "--formt", "json", fixture("records.ndjson"))
        self.assertRc(res, 2)
        self.assertRegex(res.err, r"(?i)did you mean.*--format", res.describe())

    def test_unknown_flag_suggests_match_filter_pattern(self):
        res = run("match", "--filter-patern", "ERROR", fixture("records.ndjson"))
        self.assertRc(res, 2)
        self.assertRegex(res.err, r"(?i)did you mean.*--filter-pattern", res.describe())

    def test_unknown_flag_suggests_rules_list_stats(self):
        res = run("rules", "list", "--stat")
        self.assertRc(res, 2)
        self.assertRegex(res.err, r"(?i)did you mean.*--stats", res.describe())

    def test_usage_errors_exit_2(self):
        cases = [
            [],                                                  # no subcommand
            ["scan"],                                            # no INPUT
            ["scan", "--format", "xml", fixture("records.ndjson")],
            ["scan", "--threads", "0", fixture("records.ndjson")],
            ["match", fixture("records.ndjson")],                # no pattern
            ["match", "--filter-pattern", "X", "--event-pattern", "{}", fixture("records.ndjson")],
        ]
        for args in cases:
            with self.subTest(args=args):
                res = run(*args)
                self.assertRc(res, 2)
                self.assertTrue(res.err.strip(), "a usage error must say something on stderr")


class ExitStatus(TempDirTest):
    def test_clean_input_with_alerts_exits_0(self):
        res = run("scan", "--format", "json", fixture("records.ndjson"))
        self.assertRc(res, 0)
        self.assertEqual(ct_records(res, "records.ndjson"), [0, 1])

    def test_clean_input_without_alerts_exits_0(self):
        rec = json.loads(fixture_records()[0])
        rec.update(eventName="DescribeTrails", eventSource="cloudtrail.amazonaws.com", readOnly=True)
        path = self.write("quiet.ndjson", json.dumps(rec) + "\n")
        res = run("scan", "--format", "json", path)
        self.assertRc(res, 0)
        self.assertEqual(res.out.strip(), "", res.describe())
        self.assertEqual(summary_events(res.err), 1, res.describe())

    def test_missing_input_exits_1_after_scanning_the_rest(self):
        res = run("scan", "--format", "json", os.path.join(self.tmp, "does-not-exist.json"),
                  fixture("records.ndjson"))
        self.assertRc(res, 1)
        self.assertIn("does-not-exist.json", res.err)
        self.assertEqual(ct_records(res, "records.ndjson"), [0, 1], res.describe())

    def test_summary_on_stderr_not_stdout(self):
        res = run("scan", "--format", "json", fixture("records.ndjson"))
        self.assertEqual(summary_events(res.err), 2, res.describe())
        for line in res.out.splitlines():
            json.loads(line)  # stdout holds only alerts

    def test_rules_option_then_inputs_as_in_help_example(self):
        # `scan --format json --rules my-rules/ logs/*.json.gz` is the example of `scan --help`;
        # the spec's synopsis is `[--rules PATH]...`: one PATH per --rules, then the INPUTs.
        # Two INPUTs: the first must not be taken as a second rule path.
        second = self.write("second.ndjson", fixture_records()[1] + "\n")
        res = run("scan", "--format", "json", "--rules",
                  fixture("rules", "event-pattern-rule.yml"), fixture("records.ndjson"), second)
        self.assertRc(res, 0)
        got = alert_keys(res.json_lines(), "it-eb-delete-trail")
        self.assertEqual(got, {("records.ndjson", 1), ("second.ndjson", 0)}, res.describe())

    def test_rules_equals_form_then_inputs(self):
        second = self.write("second.ndjson", fixture_records()[1] + "\n")
        res = run("scan", "--format", "json", "--rules=" + fixture("rules", "event-pattern-rule.yml"),
                  fixture("records.ndjson"), second)
        self.assertRc(res, 0)
        self.assertEqual(alert_keys(res.json_lines(), "it-eb-delete-trail"),
                         {("records.ndjson", 1), ("second.ndjson", 0)}, res.describe())


class AlertFields(TempDirTest):
    def scan_one(self, rec):
        path = self.write("one.ndjson", json.dumps(rec) + "\n")
        res = run("scan", "--format", "json", path)
        self.assertRc(res, 0)
        alerts = [a for a in res.json_lines() if a["rule_id"] == CT]
        self.assertEqual(len(alerts), 1, res.describe())
        return alerts[0]

    def test_all_fields_of_an_iam_user_alert(self):
        rec = json.loads(fixture_records()[0])
        a = self.scan_one(rec)
        expected = {
            "rule_id": CT, "severity": "high", "event_id": "it-ev-1", "event_name": "StopLogging",
            "event_source": "cloudtrail.amazonaws.com", "event_time": "2024-01-01T00:00:00Z",
            "aws_region": "us-east-1", "account_id": "111122223333", "actor": "alice",
            "source_ip": "198.51.100.1", "user_agent": "aws-cli/2.15.0",
        }
        for k, v in expected.items():
            self.assertEqual(a.get(k), v, "field %s in %s" % (k, a))
        self.assertTrue(a.get("title"))
        # input.record is 1-based and absent fields are null, error_code included (issue 8,
        # defect 13: this test used to expect record 0 and no error_code key).
        self.assertEqual(a["input"], {"file": os.path.join(self.tmp, "one.ndjson"), "record": 1})
        self.assertIn("error_code", a)
        self.assertIsNone(a["error_code"])
        self.assertIsNone(a["error_message"])

    def test_error_code_when_present(self):
        rec = json.loads(fixture_records()[0])
        rec.update(errorCode="AccessDenied", errorMessage="User is not authorized")
        self.assertEqual(self.scan_one(rec).get("error_code"), "AccessDenied")

    def test_actor_assumed_role_is_role_slash_session(self):
        rec = json.loads(fixture_records()[0])
        rec["userIdentity"] = {
            "type": "AssumedRole", "principalId": "AROAEXAMPLE:deploy-session",
            "arn": "arn:aws:sts::111122223333:assumed-role/DeployRole/deploy-session",
            "accountId": "111122223333",
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE",
                                                 "arn": "arn:aws:iam::111122223333:role/DeployRole",
                                                 "accountId": "111122223333", "userName": "DeployRole"}}}
        self.assertEqual(self.scan_one(rec)["actor"], "DeployRole/deploy-session")

    def test_actor_root(self):
        rec = json.loads(fixture_records()[0])
        rec["userIdentity"] = {"type": "Root", "principalId": "111122223333",
                               "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"}
        self.assertEqual(self.scan_one(rec)["actor"], "root")

    def test_actor_other_identity_is_arn(self):
        rec = json.loads(fixture_records()[0])
        arn = "arn:aws:sts::111122223333:federated-user/carol"
        rec["userIdentity"] = {"type": "FederatedUser", "principalId": "111122223333:carol",
                               "arn": arn, "accountId": "111122223333"}
        self.assertEqual(self.scan_one(rec)["actor"], arn)


class BadInput(TempDirTest):
    """Each damaged file sits between good records; a good companion file is scanned too."""

    def setUp(self):
        super().setUp()
        self.r1, self.r2 = fixture_records()
        self.good = self.write("companion.ndjson", self.r1 + "\n" + self.r2 + "\n")

    def check(self, name, record_ref, before):
        """record_ref: regex naming the damaged record/line; before: records that must alert.
        Every requirement is checked and all the unmet ones are reported together."""
        path = os.path.join(self.tmp, name)
        res = run("scan", "--format", "json", path, self.good)
        problems = []
        if res.rc != 1:
            problems.append("exit status %s, spec: 1" % res.rc)
        errors = res.error_lines()
        if len(errors) != 1:
            problems.append("%d error lines on stderr, spec: exactly 1" % len(errors))
        if errors and name not in errors[0]:
            problems.append("error line does not name the file")
        if errors and record_ref and not re.search(record_ref, errors[0]):
            problems.append("error line does not name the record/line (%s)" % record_ref)
        if summary_errors(res.err) != 1:
            problems.append("summary does not count 1 error")
        if ct_records(res, "companion.ndjson") != [0, 1]:
            problems.append("the scan did not go on to the next file")
        got = ct_records(res, name)
        missing = [r for r in before if r not in got]
        if missing:
            problems.append("no alert for %d of the %d records before the damage (first missing: %d)"
                            % (len(missing), len(before), missing[0]))
        if problems:
            self.fail("; ".join(problems) + "\n" + res.describe())
        return res

    def test_invalid_json_line_in_ndjson(self):
        self.write("badjson.ndjson", self.r1 + "\n" + '{"eventName": "StopLogging", \n' + self.r2 + "\n")
        self.check("badjson.ndjson", r"\bline 2\b", [0])

    def test_record_not_an_object_in_ndjson(self):
        self.write("notobj.ndjson", self.r1 + "\n[1, 2]\n" + self.r2 + "\n")
        self.check("notobj.ndjson", r"\bline 2\b", [0])

    def test_scalar_line_in_ndjson(self):
        self.write("scalar.ndjson", self.r1 + '\n"just a string"\n' + self.r2 + "\n")
        self.check("scalar.ndjson", r"\bline 2\b", [0])

    def test_record_not_an_object_in_records_array(self):
        self.write("notobj.json", '{"Records":[' + self.r1 + ",42," + self.r2 + "]}")
        self.check("notobj.json", r"\brecord 2\b", [0])  # 1-based (issue 8, defect 13)

    def test_event_name_wrong_type(self):
        bad = json.loads(self.r2)
        bad["eventName"] = 12345
        path = self.write("wrongtype.ndjson",
                          self.r1 + "\n" + json.dumps(bad) + "\n" + self.r2 + "\n")
        # Issue 8 (docs/json-input.md): a wrong-typed eventName is a value like any other, not a
        # reason to reject the record: all three are evaluated, no error; only the number is
        # not a trail change.
        res = run("scan", "--format", "json", path)
        self.assertRc(res, 0)
        self.assertEqual(summary_events(res.err), 3, res.describe())
        self.assertEqual(ct_records(res, "wrongtype.ndjson"), [0, 2])

    def test_truncated_records_json(self):
        self.write("cut.json", '{"Records":[' + self.r1 + "," + self.r2[:60])
        self.check("cut.json", r"\brecord 2\b", [0])  # 1-based (issue 8, defect 13)

    def test_empty_file(self):
        self.write("empty.json", b"")
        # No record exists in an empty file: only the file name is required here.
        self.check("empty.json", None, [])

    def _many(self, n):
        base = json.loads(self.r1)
        recs = []
        for i in range(n):
            r = dict(base, eventID="trunc-%04d" % i, requestID="req-%04d" % i)
            r["requestParameters"] = {"name": "trail-%d-%s" % (i, "x" * (i % 37))}
            recs.append(json.dumps(r, separators=(",", ":")))
        return recs

    @staticmethod
    def _salvage(data):
        """What a streaming gunzip recovers from a truncated gzip file."""
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        return d.decompress(data)

    def test_truncated_gzip_ndjson_keeps_records_before_damage(self):
        recs = self._many(400)
        full = gz("".join(r + "\n" for r in recs))
        cut = full[: len(full) * 6 // 10]
        self.write("trunc.ndjson.gz", cut)
        recovered = self._salvage(cut).decode("utf-8", "replace")
        complete = recovered.count("\n")  # lines fully recovered
        self.assertGreater(complete, 10)  # sanity of the fixture
        self.check("trunc.ndjson.gz", r"\b(line|record) \d+", list(range(complete)))

    def test_truncated_gzip_records_keeps_records_before_damage(self):
        recs = self._many(400)
        text = '{"Records":[' + ",".join(recs) + "]}"
        full = gz(text)
        cut = full[: len(full) * 6 // 10]
        self.write("trunc.json.gz", cut)
        n = len(self._salvage(cut))
        ends, pos = [], len('{"Records":[')
        for r in recs:
            pos += len(r)
            ends.append(pos)  # offset just after record i
            pos += 1
        complete = sum(1 for e in ends if e < n)  # the separator after it was recovered too
        self.assertGreater(complete, 10)
        self.check("trunc.json.gz", r"\brecord \d+", list(range(complete)))

    def test_truncated_second_gzip_member(self):
        second = gz(self.r2 + "\n")
        self.write("member.ndjson.gz", gz(self.r1 + "\n") + second[: len(second) // 2])
        self.check("member.ndjson.gz", r"\b(line|record) \d+", [0])


class InputFormats(TempDirTest):
    def setUp(self):
        super().setUp()
        self.r1, self.r2 = fixture_records()
        self.records_doc = '{"Records":[' + self.r1 + "," + self.r2 + "]}"

    def scan_ok(self, *paths, stdin=None):
        res = run("scan", "--format", "json", *paths, stdin=stdin)
        self.assertRc(res, 0)
        self.assertEqual(res.error_lines(), [], res.describe())
        return res

    def test_plain_records_file(self):
        self.write("plain.json", self.records_doc)
        self.assertEqual(ct_records(self.scan_ok(os.path.join(self.tmp, "plain.json")), "plain.json"), [0, 1])

    def test_gzip_records_file(self):
        self.write("log.json.gz", gz(self.records_doc))
        self.assertEqual(ct_records(self.scan_ok(os.path.join(self.tmp, "log.json.gz")), "log.json.gz"), [0, 1])

    def test_gzip_already_removed_json_gz(self):
        # e.g. downloaded through a client that honoured Content-Encoding: gzip
        self.write("ungz.json.gz", self.records_doc)
        res = self.scan_ok(os.path.join(self.tmp, "ungz.json.gz"))
        self.assertEqual(ct_records(res, "ungz.json.gz"), [0, 1])

    def test_multi_member_gzip_records_file(self):
        data = self.records_doc.encode()
        self.write("multi.json.gz", gz(data[:100]) + gz(data[100:300]) + gz(data[300:]))
        res = self.scan_ok(os.path.join(self.tmp, "multi.json.gz"))
        self.assertEqual(ct_records(res, "multi.json.gz"), [0, 1])

    def test_multi_member_gzip_ndjson(self):
        self.write("multi.ndjson.gz", gz(self.r1 + "\n") + gz(self.r2 + "\n"))
        res = self.scan_ok(os.path.join(self.tmp, "multi.ndjson.gz"))
        self.assertEqual(ct_records(res, "multi.ndjson.gz"), [0, 1])

    def test_ndjson_record_is_line_index(self):
        # a non-matching record first: ct_records gives the 0-based line index
        quiet = json.loads(self.r1)
        quiet["eventName"] = "DescribeTrails"
        self.write("lines.ndjson", json.dumps(quiet) + "\n" + self.r1 + "\n" + self.r2 + "\n")
        res = self.scan_ok(os.path.join(self.tmp, "lines.ndjson"))
        self.assertEqual(ct_records(res, "lines.ndjson"), [1, 2])
        self.assertEqual(summary_events(res.err), 3)

    def test_gzip_ndjson(self):
        self.write("events.ndjson.gz", gz(self.r1 + "\n" + self.r2 + "\n"))
        res = self.scan_ok(os.path.join(self.tmp, "events.ndjson.gz"))
        self.assertEqual(ct_records(res, "events.ndjson.gz"), [0, 1])

    def test_stdin_plain_and_gzip(self):
        for name, data in (("plain", (self.r1 + "\n" + self.r2 + "\n").encode()),
                           ("gzip", gz(self.records_doc))):
            with self.subTest(stdin=name):
                res = self.scan_ok("-", stdin=data)
                alerts = [a for a in res.json_lines() if a["rule_id"] == CT]
                self.assertEqual(sorted(a["input"]["record"] for a in alerts), [1, 2], res.describe())
                self.assertEqual({a["event_id"] for a in alerts}, {"it-ev-1", "it-ev-2"})

    def test_directory_recursion(self):
        self.write("root/a/b/c/deep.ndjson", self.r1 + "\n")
        self.write("root/x/log.json.gz", gz(self.records_doc))
        self.write("root/top.json", '{"Records":[' + self.r2 + "]}")
        res = self.scan_ok(os.path.join(self.tmp, "root"))
        got = {(os.path.relpath(a["input"]["file"], os.path.join(self.tmp, "root")), a["input"]["record"])
               for a in res.json_lines() if a["rule_id"] == CT}
        self.assertEqual(got, {(os.path.join("a", "b", "c", "deep.ndjson"), 1),
                               (os.path.join("x", "log.json.gz"), 1), (os.path.join("x", "log.json.gz"), 2),
                               ("top.json", 1)}, res.describe())
        self.assertEqual(summary_events(res.err), 4)

    def test_digest_and_insight_files_are_skipped_not_errors(self):
        with open(fixture("digest.json"), "rb") as f:
            digest = f.read()
        self.write("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/01/01/d.json.gz", gz(digest))
        self.write("plain-digest.json", digest)
        res = self.scan_ok(os.path.join(self.tmp, "AWSLogs"), os.path.join(self.tmp, "plain-digest.json"),
                           fixture("insight.json"), fixture("records.ndjson"))
        self.assertIn("skipped", res.err.lower(), res.describe())
        for name in ("d.json.gz", "plain-digest.json", "insight.json"):
            self.assertIn(name, res.err, "skipped file must be reported\n" + res.describe())
        self.assertEqual(summary_errors(res.err), 0)
        self.assertEqual(ct_records(res, "records.ndjson"), [0, 1])
        # the Insight record names StopLogging but is not an API call: no alert from it
        self.assertEqual(ct_records(res, "insight.json"), [])

    def _cwl_data(self, messages, msg_type="DATA_MESSAGE"):
        return {"messageType": msg_type, "owner": "111122223333", "logGroup": "aws-cloudtrail-logs",
                "logStream": "111122223333_CloudTrail_us-east-1", "subscriptionFilters": ["to-lambda"],
                "logEvents": [{"id": str(36000000000000000000000000 + i), "timestamp": 1704067200000 + i,
                               "message": m} for i, m in enumerate(messages)]}

    def test_cwl_decoded_form(self):
        self.write("cwl.json", json.dumps(self._cwl_data([self.r1, self.r2])))
        res = self.scan_ok(os.path.join(self.tmp, "cwl.json"))
        self.assertEqual(ct_records(res, "cwl.json"), [0, 1])

    def test_cwl_lambda_form(self):
        payload = base64.b64encode(gz(json.dumps(self._cwl_data([self.r1, self.r2])))).decode()
        self.write("lambda.json", json.dumps({"awslogs": {"data": payload}}))
        res = self.scan_ok(os.path.join(self.tmp, "lambda.json"))
        self.assertEqual(ct_records(res, "lambda.json"), [0, 1])

    def test_cwl_control_message_skipped(self):
        control = self._cwl_data(["CWL CONTROL MESSAGE: Checking health of destination Firehose."],
                                 "CONTROL_MESSAGE")
        control.update(owner="CloudwatchLogs", logGroup="", logStream="", subscriptionFilters=[])
        self.write("control.json", json.dumps(control))
        payload = base64.b64encode(gz(json.dumps(control))).decode()
        self.write("control-lambda.json", json.dumps({"awslogs": {"data": payload}}))
        res = self.scan_ok(os.path.join(self.tmp, "control.json"), os.path.join(self.tmp, "control-lambda.json"))
        self.assertEqual(res.out.strip(), "")
        self.assertEqual(summary_events(res.err), 0)
        self.assertEqual(summary_errors(res.err), 0)

    def test_bundled_cwl_sample(self):
        res = self.scan_ok(os.path.join(REPO, "samples", "cwl-subscription.json"))
        self.assertEqual(summary_events(res.err), 20, res.describe())  # samples/README.md: 20 log events

    def test_eventbridge_events(self):
        def env(rec):
            r = json.loads(rec)
            return {"version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
                    "detail-type": "AWS API Call via CloudTrail", "source": "aws.cloudtrail",
                    "account": "111122223333", "time": r["eventTime"], "region": "us-east-1",
                    "resources": [], "detail": r}
        self.write("eb.json", json.dumps(env(self.r2), indent=2))
        self.write("eb.ndjson", json.dumps(env(self.r1)) + "\n" + json.dumps(env(self.r2)) + "\n")
        res = self.scan_ok(os.path.join(self.tmp, "eb.json"), os.path.join(self.tmp, "eb.ndjson"))
        self.assertEqual(ct_records(res, "eb.json"), [0])
        self.assertEqual(ct_records(res, "eb.ndjson"), [0, 1])
        ids = {a["event_id"] for a in res.json_lines() if a["rule_id"] == CT}
        self.assertEqual(ids, {"it-ev-1", "it-ev-2"})  # the CloudTrail eventID, from detail


HOSTILE = "\x1b[31mRED\x1b[0m\x07\r\nFAKE ALERT\x00\x9b2J\x1b]0;pwned\x07"
RAW_BAD = [b"\x1b", b"\x07", b"\x00", b"\r", b"\xc2\x9b"]  # ESC, BEL, NUL, CR, C1 CSI (UTF-8)


class HostileFields(TempDirTest):
    def setUp(self):
        super().setUp()
        rec = json.loads(fixture_records()[0])
        rec["userIdentity"]["userName"] = "mallory" + HOSTILE
        rec["userAgent"] = "curl" + HOSTILE
        rec["sourceIPAddress"] = "203.0.113.7" + HOSTILE
        rec["errorCode"] = "AccessDenied" + HOSTILE
        rec["errorMessage"] = "denied" + HOSTILE
        rec["eventID"] = "id" + HOSTILE
        rec["awsRegion"] = "us-east-1" + HOSTILE
        rec["recipientAccountId"] = "1111" + HOSTILE
        self.rec = rec
        self.path = self.write("hostile\x1b[31m.ndjson", json.dumps(rec) + "\n")
        self.bad = self.write("broken\x1b[2J.json", "{not json")

    def test_text_output_has_no_raw_control_characters(self):
        res = run("scan", self.path, self.bad)
        self.assertRc(res, 1)
        self.assertIn("mallory", res.out, res.describe())  # the alert is there ...
        for stream, data in (("stdout", res.out_bytes), ("stderr", res.err_bytes)):
            for b in RAW_BAD:
                self.assertNotIn(b, data, "%s contains raw %r\n%s" % (stream, b, res.describe()))
        for line in res.out.splitlines():
            self.assertFalse(line.startswith("FAKE ALERT"), "injected line reached the output")

    def test_json_output_is_valid_and_round_trips(self):
        res = run("scan", "--format", "json", self.path)
        self.assertRc(res, 0)
        for b in (b"\x1b", b"\x07", b"\x00", b"\r"):
            self.assertNotIn(b, res.out_bytes, "raw %r in JSON output" % b)
        alerts = [a for a in res.json_lines() if a["rule_id"] == CT]  # every line parses
        self.assertEqual(len(alerts), 1, res.describe())
        a = alerts[0]
        self.assertEqual(a["actor"], "mallory" + HOSTILE)
        self.assertEqual(a["user_agent"], "curl" + HOSTILE)
        self.assertEqual(a["source_ip"], "203.0.113.7" + HOSTILE)
        self.assertEqual(a["error_code"], "AccessDenied" + HOSTILE)
        self.assertEqual(a["event_id"], "id" + HOSTILE)
        self.assertEqual(a["input"]["file"], self.path)
        self.assertEqual(len(res.out.splitlines()), len(res.json_lines()), "one alert per line")


class Threads(TempDirTest):
    def test_threads_1_and_2_give_the_same_alerts(self):
        inputs = [os.path.join(CORPUS, "real"), os.path.join(CORPUS, "files"),
                  os.path.join(REPO, "samples"), fixture("records.ndjson")]
        one = run("scan", "--format", "json", "--threads", "1", *inputs)
        two = run("scan", "--format", "json", "--threads", "2", *inputs)
        self.assertIn(one.rc, (0, 1), one.describe())
        self.assertEqual(one.rc, two.rc)
        a, b = sorted(one.out.splitlines()), sorted(two.out.splitlines())
        self.assertGreater(len(a), 100)
        self.assertEqual(a, b)
        self.assertEqual(summary_events(one.err), summary_events(two.err))


class OneLargeFile(TempDirTest):
    def setUp(self):
        super().setUp()
        self.r1, self.r2 = fixture_records()

    def test_the_workers_share_one_large_ndjson_input_in_input_order(self):
        # A file many times the 256 KiB read window (docs/sources.md): its windows are batches
        # that every worker takes (docs/output.md). The rule matches DeleteTrail only (r2),
        # written at chosen lines among StopLogging lines (r1), with one damaged line between.
        hits = [1, 700, 1999, 2000, 3333, 4000]
        damaged = 2500
        lines = []
        for n in range(1, 4001):
            if n in hits:
                lines.append(self.r2)
            elif n == damaged:
                lines.append('{"eventName": "StopLogging", ')
            else:
                lines.append(self.r1)
        text = "\n".join(lines) + "\n"
        path = self.write("big.ndjson", text)
        self.assertGreater(os.path.getsize(path), 8 * 256 * 1024)
        # The same from standard input (a pipe), whose windows the workers share too.
        for source, stdin in ((path, None), ("-", text.encode())):
            outs = []
            for threads in ("1", "2", "4"):
                with self.subTest(source=source, threads=threads):
                    res = run("scan", "--format", "json", "--threads", threads,
                              "--no-builtin-rules", "--rules",
                              fixture("rules", "event-pattern-rule.yml"), source, stdin=stdin)
                    self.assertRc(res, 1)  # the damaged line is an input error
                    records = [json.loads(l)["input"]["record"] for l in res.out.splitlines()]
                    self.assertEqual(records, hits, res.describe())
                    self.assertRegex(res.err, r"\bline 2500\b")
                    self.assertEqual(summary_events(res.err), 3999)
                    outs.append(res.out)
            self.assertEqual(outs[0], outs[1])
            self.assertEqual(outs[0], outs[2])


class MatchFilterPattern(TempDirTest):
    def setUp(self):
        super().setUp()
        self.r1, self.r2 = fixture_records()
        self.log = self.write("app.log", "ERROR disk full\nINFO all good\nWARN low memory\n"
                                         "error lowercase\nERROR WARN both\n")

    def match(self, pattern, *paths, stdin=None):
        return run("match", "--filter-pattern", pattern, *paths, stdin=stdin)

    def test_json_pattern_prints_matching_records_compact(self):
        res = self.match('{ $.eventName = "DeleteTrail" }', fixture("records.ndjson"))
        self.assertRc(res, 0)
        lines = res.out.splitlines()
        self.assertEqual(len(lines), 1, res.describe())
        self.assertEqual(json.loads(lines[0]), json.loads(self.r2))
        self.assertNotIn("\n", lines[0])

    def test_json_pattern_over_a_records_file_and_pretty_json(self):
        path = self.write("pretty.json", json.dumps({"Records": [json.loads(self.r1), json.loads(self.r2)]},
                                                    indent=2))
        res = self.match('{ ($.eventName = StopLogging) || ($.eventName = DeleteTrail) }', path)
        self.assertRc(res, 0)
        self.assertEqual([json.loads(l)["eventID"] for l in res.out.splitlines()], ["it-ev-1", "it-ev-2"])

    def test_no_match_exits_1(self):
        res = self.match('{ $.eventName = "CreateTrail" }', fixture("records.ndjson"))
        self.assertRc(res, 1)
        self.assertEqual(res.out, "")

    def test_stdin(self):
        res = self.match('{ $.userIdentity.userName = "alice" }', stdin=(self.r1 + "\n" + self.r2 + "\n").encode())
        self.assertRc(res, 0)
        self.assertEqual([json.loads(l)["eventID"] for l in res.out.splitlines()], ["it-ev-1"])
        res = self.match('{ $.userIdentity.userName = "alice" }', "-", stdin=(self.r1 + "\n").encode())
        self.assertRc(res, 0)

    def test_term_patterns_on_text_lines(self):
        cases = {
            "ERROR": ["ERROR disk full", "ERROR WARN both"],                    # case-sensitive
            "?ERROR ?WARN": ["ERROR disk full", "WARN low memory", "ERROR WARN both"],
            "ERROR WARN": ["ERROR WARN both"],                                  # all terms
            "ERROR -disk": ["ERROR WARN both"],
            "-ERROR": ["INFO all good", "WARN low memory", "error lowercase"],
            '"disk full"': ["ERROR disk full"],
        }
        for pattern, expected in cases.items():
            with self.subTest(pattern=pattern):
                res = self.match(pattern, self.log)
                self.assertRc(res, 0)
                self.assertEqual(res.out.splitlines(), expected)
        res = self.match("CRITICAL", self.log)
        self.assertRc(res, 1)

    def test_bad_pattern_exit_2_with_column_caret_and_hint(self):
        res = self.match("{ $.eventName = }", fixture("records.ndjson"))
        self.assertRc(res, 2)
        self.assertRegex(res.err, r"(?i)column \d+")
        self.assertRegex(res.err, r"(?m)^\s*\^")
        self.assertRegex(res.err, r"(?i)hint")

    def test_seed_pattern_in_wrong_form_is_rejected_with_valid_form(self):
        res = self.match('{ "$.eventName": "ConsoleLogin", "$.errorMessage": "Failed authentication" }',
                         fixture("records.ndjson"))
        self.assertRc(res, 2)
        self.assertIn('{ ($.eventName = "ConsoleLogin") && ($.errorMessage = "Failed authentication") }', res.err)
        self.assertRegex(res.err, r"(?i)column \d+")
        self.assertRegex(res.err, r"(?m)^\s*\^")


class MatchEventPattern(TempDirTest):
    def setUp(self):
        super().setUp()
        self.r1, self.r2 = fixture_records()
        self.records = fixture("records.ndjson")

    def test_without_envelope_matches_documents_as_given(self):
        pat = '{"eventName": ["DeleteTrail"]}'
        res = run("match", "--event-pattern", pat, self.records)
        self.assertRc(res, 0)
        self.assertEqual([json.loads(l) for l in res.out.splitlines()], [json.loads(self.r2)])
        res = run("match", "--event-pattern", '{"detail": {"eventName": ["DeleteTrail"]}}', self.records)
        self.assertRc(res, 1)

    def test_without_envelope_on_eventbridge_events(self):
        env = {"version": "0", "id": "1", "detail-type": "AWS API Call via CloudTrail", "source": "aws.cloudtrail",
               "account": "111122223333", "time": "2024-01-01T00:00:01Z", "region": "us-east-1",
               "resources": [], "detail": json.loads(self.r2)}
        path = self.write("eb.ndjson", json.dumps(env) + "\n")
        res = run("match", "--event-pattern", '{"source":["aws.cloudtrail"],"detail":{"eventName":["DeleteTrail"]}}',
                  path)
        self.assertRc(res, 0)
        self.assertEqual(json.loads(res.out.splitlines()[0])["detail"]["eventID"], "it-ev-2")

    def test_envelope_fields(self):
        pat = ('{"source": ["aws.cloudtrail"], "detail-type": ["AWS API Call via CloudTrail"], '
               '"detail": {"eventName": ["DeleteTrail"]}}')
        res = run("match", "--event-pattern", pat, "--envelope", self.records)
        self.assertRc(res, 0)
        out = [json.loads(l) for l in res.out.splitlines()]
        self.assertEqual(len(out), 1, res.describe())
        self.assertIn("it-ev-2", res.out)

    def test_envelope_source_and_sign_in_detail_type(self):
        login = {"eventVersion": "1.08", "userIdentity": {"type": "IAMUser", "userName": "alice"},
                 "eventTime": "2024-01-01T00:00:00Z", "eventSource": "signin.amazonaws.com",
                 "eventName": "ConsoleLogin", "awsRegion": "us-east-1", "eventID": "it-login",
                 "eventType": "AwsConsoleSignIn", "responseElements": {"ConsoleLogin": "Success"}}
        path = self.write("mixed.ndjson", self.r1 + "\n" + json.dumps(login) + "\n")
        res = run("match", "--envelope", "--event-pattern",
                  '{"source":["aws.signin"],"detail-type":["AWS Console Sign In via CloudTrail"]}', path)
        self.assertRc(res, 0)
        self.assertEqual(len(res.out.splitlines()), 1)
        self.assertIn("it-login", res.out)
        res = run("match", "--envelope", "--event-pattern",
                  '{"source":["aws.signin"],"detail-type":["AWS API Call via CloudTrail"]}', path)
        self.assertRc(res, 1)

    def test_pattern_from_file(self):
        p = self.write("p.json", '{"source": ["aws.cloudtrail"], "detail": {"userIdentity": {"userName": ["alice"]}}}')
        res = run("match", "--event-pattern", "@" + p, "--envelope", self.records)
        self.assertRc(res, 0)
        self.assertEqual(len(res.out.splitlines()), 1)
        self.assertIn("it-ev-1", res.out)

    def test_no_match_exits_1(self):
        res = run("match", "--event-pattern", '{"source": ["aws.kms"]}', "--envelope", self.records)
        self.assertRc(res, 1)

    def test_bad_pattern_aws_message(self):
        for pat in ('{"detail": {"eventName": "DeleteTrail"}}', '{"detail":', '[]'):
            with self.subTest(pattern=pat):
                res = run("match", "--event-pattern", pat, self.records)
                self.assertRc(res, 2)
                self.assertIn("Event pattern is not valid. Reason: ", res.err)


def builtin_rule_ids():
    """The ids in rules/*.yml, read here (each file is a list of rules: `- id: x`)."""
    ids = []
    for path in sorted(glob.glob(os.path.join(REPO, "rules", "*.yml"))):
        with open(path, encoding="utf-8") as f:
            ids += re.findall(r"^- id:\s*(\S+)", f.read(), re.M)
    return ids


def documented_inline_test_count():
    """Sum of the '+ / -' column of the rules table in docs/rules.md."""
    with open(os.path.join(REPO, "docs", "rules.md"), encoding="utf-8") as f:
        return sum(int(a) + int(b) for a, b in re.findall(r"\|\s*(\d+)\s*/\s*(\d+)\s*\|\s*$", f.read(), re.M))


class Rules(TempDirTest):
    def test_list_shows_every_builtin_rule(self):
        ids = builtin_rule_ids()
        self.assertEqual(len(ids), 119)  # docs/rules.md: 9 core + 14 CIS + 96 in the themed packs (2 alerting, 4 counting)
        for args in (["rules", "list"], ["rules", "list", "--stats"]):
            res = run(*args)
            self.assertRc(res, 0)
            for rid in ids:
                self.assertRegex(res.out, r"(?m)^%s\b" % re.escape(rid))

    def test_list_stats_names_the_second_look(self):
        # A test deep in requestParameters that no rule dispatches on is checked on the index's
        # second look (src/match/index.h, RuleIndex::first_look_slots): --stats says so.
        path = os.path.join(self.tmp, "deep.yml")
        with open(path, "w") as f:
            f.write("id: it-deep-key\ntitle: t\nseverity: low\ndescription: d\n"
                    "references: [https://example.com]\n"
                    "filter_pattern: '{ $.eventName = PutObject && $.requestParameters.zzKey = \"*x*\" }'\n")
        res = run("rules", "list", "--stats", "--no-builtin-rules", path)
        self.assertRc(res, 0)
        self.assertIn("anchor: $.eventName in 1 value; second look at $.requestParameters.zzKey",
                      res.out)
        self.assertRegex(res.out, r"(?m)^second look: .*\n.*\(1\):\n  \$\.requestParameters\.zzKey$")
        self.assertNotRegex(res.out, r"(?m)^  \$\.requestParameters\.zzKey +\d")  # not a bucket

    def test_list_with_event_pattern_rule(self):
        res = run("rules", "list", fixture("rules", "event-pattern-rule.yml"))
        self.assertRc(res, 0)
        self.assertRegex(res.out, r"(?m)^it-eb-delete-trail\b.*event_pattern")

    def test_builtin_inline_tests_pass(self):
        res = run("rules", "test")
        self.assertRc(res, 0)
        n = documented_inline_test_count()
        self.assertEqual(n, 638)  # 596 + the two alerting rules (5 + 14) + the four counting rules (23)
        self.assertRegex(res.out + res.err, r"\b%d passed, 0 failed\b" % n)

    def test_failing_user_inline_test(self):
        res = run("rules", "test", fixture("rules", "failing-inline-test.yml"))
        self.assertNotEqual(res.rc, 0, res.describe())
        self.assertIn("DescribeTrails deliberately wrong expectation", res.out + res.err)
        self.assertNotIn("GetTrailStatus does not match", res.out + res.err)  # only failures named
        self.assertRegex(res.out + res.err, r"\b1 failed\b")

    def test_event_pattern_rule_tests_pass(self):
        res = run("rules", "test", "--no-builtin-rules", fixture("rules", "event-pattern-rule.yml"))
        self.assertRc(res, 0)
        self.assertRegex(res.out + res.err, r"\b4 passed, 0 failed\b")

    def test_event_pattern_rule_in_scan(self):
        res = run("scan", "--no-builtin-rules", "--rules", fixture("rules", "event-pattern-rule.yml"),
                  "--format", "json", fixture("records.ndjson"))
        self.assertRc(res, 0)
        self.assertEqual(alert_keys(res.json_lines()), {("records.ndjson", 1)}, res.describe())

    def test_lint_builtins_clean(self):
        res = run("rules", "lint")
        self.assertRc(res, 0)

    def test_lint_user_rule(self):
        res = run("rules", "lint", fixture("rules", "event-pattern-rule.yml"))
        self.assertRc(res, 0)

    def test_bad_rule_file_position(self):
        path = fixture("rules", "bad-pattern.yml")
        # the pattern is on line 6; its error is after '= ' (column 17 of the pattern)
        for args in (["scan", "--rules", path, "--format", "json", fixture("records.ndjson")],
                     ["rules", "lint", path], ["rules", "test", path]):
            with self.subTest(args=args[:2]):
                res = run(*args)
                self.assertRc(res, 2)
                self.assertRegex(res.out + res.err, r"bad-pattern\.yml:6:\d+:")

    def test_unknown_rule_key_did_you_mean(self):
        path = fixture("rules", "unknown-key.yml")
        res = run("scan", "--rules", path, "--format", "json", fixture("records.ndjson"))
        self.assertRc(res, 2)
        self.assertRegex(res.err, r"unknown-key\.yml:4:1:")
        self.assertRegex(res.err, r"(?i)did you mean.*description")

def run_to(stdout_path, *args, stdin=b""):
    """Runs trailwatch with stdout sent to `stdout_path` (e.g. /dev/full); stderr captured."""
    import subprocess
    from twtest import TRAILWATCH, TIMEOUT
    with open(stdout_path, "wb") as out:
        proc = subprocess.run([TRAILWATCH] + [str(a) for a in args], input=stdin, stdout=out,
                              stderr=subprocess.PIPE, timeout=TIMEOUT)
    return proc.returncode, proc.stderr.decode("utf-8", "replace")


SAMPLE_GZ = sorted(glob.glob(os.path.join(REPO, "samples", "AWSLogs", "**", "*.json.gz"), recursive=True))


class Issue8Output(TempDirTest):
    """Defect 3: a failed write is exit status 3 (README), never 0."""

    def test_scan_to_a_full_device_exits_3(self):
        for fmt in ("json", "text"):
            with self.subTest(format=fmt):
                rc, err = run_to("/dev/full", "scan", "--format", fmt, fixture("records.ndjson"))
                self.assertEqual(rc, 3, err)
                self.assertIn("cannot write", err)

    def test_match_and_rules_list_to_a_full_device_exit_3(self):
        rc, err = run_to("/dev/full", "match", "--filter-pattern", '{ $.eventName = "DeleteTrail" }',
                         fixture("records.ndjson"))
        self.assertEqual(rc, 3, err)
        rc, err = run_to("/dev/full", "rules", "list")
        self.assertEqual(rc, 3, err)
        self.assertIn("cannot write", err)


class Issue8Inputs(TempDirTest):
    def setUp(self):
        super().setUp()
        self.r1, self.r2 = fixture_records()
        self.records_doc = '{"Records":[' + self.r1 + "," + self.r2 + "]}"

    # Defect 4: by content, not by name or a prefix of the first key.
    def test_records_named_like_a_digest_or_insight_file_are_scanned(self):
        for rel in ("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/01/01/"
                    "111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T000000Z.json.gz",
                    "AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2024/01/01/"
                    "111122223333_CloudTrail-Insight_us-east-1_20240101T0000Z_x.json.gz"):
            with self.subTest(rel=rel):
                path = self.write(rel, gz(self.records_doc))
                res = run("scan", "--format", "json", path)
                self.assertRc(res, 0)
                self.assertEqual(ct_records(res, os.path.basename(path)), [0, 1], res.describe())

    def test_digest_keys_first_and_records_beyond_64_keys_are_scanned(self):
        digestish = ('{"digestStartTime":"2024-01-01T00:00:00Z","digestEndTime":"x","logFiles":[],'
                     '"Records":[' + self.r1 + "," + self.r2 + "]}")
        many = "{" + "".join('"k%d":%d,' % (i, i) for i in range(100)) + \
            '"pad":"' + "x" * (70 * 1024) + '","Records":[' + self.r1 + "," + self.r2 + "]}"
        first_key = '{"digestNote":"x",' + self.r1[1:] + "\n"
        for name, data, expected in (("digestish.json", digestish, [0, 1]), ("many.json", many, [0, 1]),
                                     ("firstkey.json", first_key, [0])):
            with self.subTest(name=name):
                res = run("scan", "--format", "json", self.write(name, data))
                self.assertRc(res, 0)
                self.assertEqual(ct_records(res, name), expected, res.describe())

    # Defect 5: symlinked directories are followed, unreadable entries are errors.
    def test_symlinked_directory_is_followed_and_a_loop_ends(self):
        self.write("elsewhere/a.ndjson", self.r1 + "\n")
        os.makedirs(os.path.join(self.tmp, "root"))
        os.symlink(os.path.join(self.tmp, "elsewhere"), os.path.join(self.tmp, "root", "linked"))
        os.symlink(os.path.join(self.tmp, "root"), os.path.join(self.tmp, "root", "loop"))
        res = run("scan", "--format", "json", os.path.join(self.tmp, "root"))
        self.assertRc(res, 0)
        self.assertEqual(ct_records(res, "a.ndjson"), [0], res.describe())

    def test_unreadable_entries_are_input_errors(self):
        self.write("root/a.ndjson", self.r1 + "\n")
        os.symlink(os.path.join(self.tmp, "nowhere"), os.path.join(self.tmp, "root", "dangling"))
        res = run("scan", "--format", "json", os.path.join(self.tmp, "root"))
        self.assertRc(res, 1)
        self.assertEqual(len(res.error_lines()), 1, res.describe())
        self.assertIn("dangling", res.error_lines()[0])
        self.assertEqual(ct_records(res, "a.ndjson"), [0], res.describe())

    # Defect 8: one bad logEvents[i] costs that entry.
    def test_bad_log_event_costs_only_that_entry(self):
        payload = {"messageType": "DATA_MESSAGE", "owner": "111122223333", "logGroup": "g",
                   "logStream": "s", "subscriptionFilters": ["f"],
                   "logEvents": [{"id": "1", "timestamp": 1, "message": self.r1},
                                 {"id": "2", "timestamp": 2, "message": {"not": "a string"}},
                                 {"id": 3, "timestamp": 3, "message": self.r2},
                                 {"id": "4", "timestamp": 4, "message": self.r2}]}
        res = run("scan", "--format", "json", self.write("cwl.json", json.dumps(payload)))
        self.assertRc(res, 1)
        self.assertEqual(ct_records(res, "cwl.json"), [0, 3], res.describe())
        errors = res.error_lines()
        self.assertEqual(len(errors), 2, res.describe())
        self.assertIn("logEvents[1]", errors[0])
        self.assertIn("logEvents[2]", errors[1])

    # Defect 10: every document of a stream.
    def test_zcat_of_the_sample_log_files_on_stdin_reads_all_200_events(self):
        self.assertEqual(len(SAMPLE_GZ), 9)  # samples/README.md: 9 log files, 200 records
        plain = b"".join(gzip_decompress(open(p, "rb").read()) for p in SAMPLE_GZ)
        res = run("scan", "--format", "json", "-", stdin=plain)
        self.assertRc(res, 0)
        self.assertEqual(summary_events(res.err), 200, res.describe())
        # cat *.json.gz: a multi-member gzip
        members = b"".join(open(p, "rb").read() for p in SAMPLE_GZ)
        res = run("scan", "--format", "json", "-", stdin=members)
        self.assertRc(res, 0)
        self.assertEqual(summary_events(res.err), 200, res.describe())

    def test_documents_on_one_line_pretty_printed_arrays_and_lookup_events(self):
        r1, r2 = json.loads(self.r1), json.loads(self.r2)
        lookup = {"Events": [{"EventId": r["eventID"], "EventName": r["eventName"],
                              "CloudTrailEvent": json.dumps(r)} for r in (r1, r2)]}
        cases = {
            "one-line.json": self.records_doc + self.records_doc + "\n",
            "pretty.json": json.dumps(r1, indent=2) + "\n" + json.dumps(r2, indent=2) + "\n",
            "array.json": json.dumps([r1, r2], indent=1),
            "lookup.json": json.dumps(lookup, indent=4),
        }
        expected = {"one-line.json": [0, 1, 2, 3], "pretty.json": [0, 1], "array.json": [0, 1],
                    "lookup.json": [0, 1]}
        for name, data in cases.items():
            with self.subTest(name=name):
                res = run("scan", "--format", "json", self.write(name, data))
                self.assertRc(res, 0)
                self.assertEqual(ct_records(res, name), expected[name], res.describe())
                res = run("scan", "--format", "json", "-", stdin=data.encode())
                self.assertRc(res, 0)
                self.assertEqual(ct_records(res, "-"), expected[name], res.describe())

    # Defect 12: a BOM and trailing garbage keep every intact record and are named.
    def test_bom_and_trailing_garbage_keep_the_records(self):
        for name, data, word in (("bom.json", b"\xef\xbb\xbf" + self.records_doc.encode(), "byte order mark"),
                                 ("tail.json", self.records_doc.encode() + b"\ngarbage\x01", "trailing")):
            with self.subTest(name=name):
                res = run("scan", "--format", "json", self.write(name, data))
                self.assertRc(res, 1)
                self.assertEqual(ct_records(res, name), [0, 1], res.describe())
                self.assertEqual(len(res.error_lines()), 1, res.describe())
                self.assertIn(word, res.error_lines()[0])

    # Defect 13.
    def test_samples_directory_gives_one_error_per_non_cloudtrail_file(self):
        res = run("scan", "--format", "json", os.path.join(REPO, "samples"))
        self.assertRc(res, 1)
        errors = res.error_lines()
        self.assertEqual(len(errors), 2, res.describe())  # README.md and MANIFEST.tsv
        for e in errors:
            self.assertIn("not a CloudTrail, NDJSON, CloudWatch Logs or EventBridge file", e)

    def test_unsupported_compression_is_one_error(self):
        import bz2
        import lzma
        import zipfile
        data = (self.r1 + "\n" + self.r2 + "\n").encode()
        zpath = os.path.join(self.tmp, "c.zip")
        with zipfile.ZipFile(zpath, "w") as z:
            z.writestr("c.ndjson", data)
        paths = {"bzip2": self.write("c.ndjson.bz2", bz2.compress(data)),
                 "xz": self.write("c.ndjson.xz", lzma.compress(data)), "zip": zpath}
        for fmt, path in paths.items():
            with self.subTest(format=fmt):
                res = run("scan", "--format", "json", path)
                self.assertRc(res, 1)
                self.assertEqual(len(res.error_lines()), 1, res.describe())
                self.assertIn(fmt + " compression is not supported", res.error_lines()[0])

    def test_output_order_is_input_order_with_any_thread_count(self):
        big = "".join(self.r1 + "\n" for _ in range(20000))
        paths = [self.write("00-big.ndjson", big)]
        for i in range(1, 12):
            paths.append(self.write("%02d-small.ndjson" % i, self.r2 + "\n"))
        outs = []
        for threads in ("1", "4"):
            res = run("scan", "--format", "json", "--threads", threads, *paths)
            self.assertRc(res, 0)
            outs.append(res.out.splitlines())
        self.assertEqual(outs[0], outs[1])
        files = [json.loads(l)["input"]["file"] for l in outs[1]]
        self.assertEqual(files, sorted(files))  # input order (the names sort in input order)

    def test_match_statuses(self):
        pattern = '{ $.eventName = "DeleteTrail" }'
        res = run("match", "--filter-pattern", pattern, os.path.join(self.tmp, "missing.json"))
        self.assertRc(res, 4)
        res = run("match", "--filter-pattern", pattern, os.path.join(self.tmp, "missing.json"),
                  fixture("records.ndjson"))
        self.assertRc(res, 4)  # an input error wins over a match
        res = run("match", "--filter-pattern", '{ $.eventName = "Nothing" }', fixture("records.ndjson"))
        self.assertRc(res, 1)


class Issue8Terminal(TempDirTest):
    """Defect 14."""

    def test_match_escapes_text_and_json_lines(self):
        log = self.write("evil.log", "ERROR \x1b[2J cleared\nERROR \x1b]0;owned\x07 title\n"
                                     '{"eventName":"ERROR","note":"\\u001b[2J \\u009b1m \\u202e"}\n')
        res = run("match", "--filter-pattern", "ERROR", log)
        self.assertRc(res, 0)
        self.assertNotIn(b"\x1b", res.out_bytes)
        self.assertNotIn(b"\x07", res.out_bytes)
        self.assertNotIn("\u009b".encode(), res.out_bytes)
        self.assertNotIn("\u202e".encode(), res.out_bytes)
        lines = res.out.splitlines()
        self.assertEqual(len(lines), 3, res.describe())
        self.assertIn("\\x1b[2J", lines[0])
        self.assertEqual(json.loads(lines[2])["note"], "\x1b[2J \u009b1m \u202e")  # same JSON

    def test_rule_title_and_diagnostic_excerpt_are_escaped(self):
        title = self.write("title.yml", 'id: evil-title\ntitle: "Evil \\e]0;owned\\a \\e[2J title"\n'
                                        "description: d\nseverity: low\n"
                                        "filter_pattern: '{ $.eventName = \"X\" }'\n")
        res = run("rules", "list", "--no-builtin-rules", title)
        self.assertNotIn(b"\x1b", res.out_bytes + res.err_bytes)
        self.assertNotIn(b"\x07", res.out_bytes + res.err_bytes)
        self.assertRc(res, 0)
        self.assertIn("\\x1b]0;owned\\x07", res.out)
        # An invalid pattern holding ESC: the diagnostic's excerpt quotes the line.
        bad = self.write("bad.yml", "id: evil-excerpt\ntitle: t\ndescription: d\nseverity: low\n"
                                    "filter_pattern: '{ $.eventName = \"\x1b[2J\" && }'\n")
        res = run("rules", "lint", bad)
        self.assertRc(res, 2)
        self.assertIn("bad.yml:5:", res.out + res.err)
        self.assertNotIn(b"\x1b", res.out_bytes + res.err_bytes)

    def test_json_writes_a_present_empty_string_as_empty_string(self):
        rec = json.loads(fixture_records()[0])
        rec["userAgent"] = ""
        rec.pop("sourceIPAddress", None)
        res = run("scan", "--format", "json", self.write("e.ndjson", json.dumps(rec) + "\n"))
        self.assertRc(res, 0)
        a = [a for a in res.json_lines() if a["rule_id"] == CT][0]
        self.assertEqual(a["user_agent"], "")
        self.assertIsNone(a["source_ip"])


def gzip_decompress(data):
    import gzip as _gzip
    return _gzip.decompress(data)


if __name__ == "__main__":
    unittest.main(verbosity=2)
