#!/usr/bin/env python3
"""End to end, the Lambda runtime's shared state (docs/lambda.md, "State"): with
TRAILWATCH_STATE_TABLE (what deploy/template.yaml sets for StateTable=dynamodb), dedupe windows
live in DynamoDB (moto, behind the strict SigV4-verifying proxy of awsfix.py), so they hold
across execution environments: a second runtime process, started after the first one is gone,
folds a repeat of the first one's alert into it. Without the table, the same sequence alerts
twice (windows live only while an environment is warm). A failed invocation writes no window.

Dedupe is on by default (15 minutes of event time, keyed by rule, actor, account and event
name, docs/config.md); a repeat is delivered as a count on the first alert, which the Slack
webhook body shows as "(2 events)" (sinks/slack/block_kit.cc).

Needs the image's pyenv python3 with moto (TW_MOTO_PYTHON); the stand-ins run under
/usr/bin/python3.
"""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from awsfix import AwsStack  # noqa: E402
from lambda_test import CONFIG, RULE, LambdaRun, eventbridge, record  # noqa: E402

TABLE = "tw-lambda-state"


def window_key(user):
    """The dedupe window of RULE for `user`'s StopLogging: "w|" (dynamodb_state_store.h) +
    "dedupe|<rule id>|" + the default key "{rule_id}|{actor}|{account_id}|{event_name}"."""
    return "w|dedupe|%s|%s|%s|111122223333|StopLogging" % (RULE, RULE, user)


class LambdaStateTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.aws = AwsStack().start()
        ddb = cls.aws.client("dynamodb")
        ddb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        cls.env = {k: v for k, v in cls.aws.env().items() if k.startswith("AWS_")}

    @classmethod
    def tearDownClass(cls):
        cls.aws.stop()

    def window_keys(self):
        items = self.aws.client("dynamodb").scan(TableName=TABLE)["Items"]
        return sorted(i["pk"]["S"] for i in items if i["pk"]["S"].startswith("w|"))

    def run_once(self, env_extra, event, slack_script=None):
        """One execution environment: a fresh runtime process takes `event` and is stopped.
        Returns (answer, Slack bodies, JSON log lines)."""
        run = LambdaRun(env_extra=env_extra, config=CONFIG)
        try:
            if slack_script:
                run.script_slack(slack_script)
            ans = run.call(event)
            return ans, [q["body"] for q in run.slack_requests()], run.log_lines()
        finally:
            run.stop()

    def test_dedupe_holds_across_execution_environments(self):
        env = dict(self.env, TRAILWATCH_STATE_TABLE=TABLE)
        ans, bodies, logs = self.run_once(env, eventbridge(record("dd-hal", "e-dd-1")))
        self.assertEqual((ans["kind"], ans["body"]), ("response", "{}"), ans)
        self.assertEqual(len(bodies), 1, bodies)
        self.assertIn("dd-hal", bodies[0])
        self.assertNotIn("2 events", bodies[0])
        cold = [entry for entry in logs if entry.get("msg") == "cold start"]
        self.assertEqual(cold[0]["state"], "dynamodb:" + TABLE, logs)
        self.assertIn(window_key("dd-hal"), self.window_keys())

        # A new environment (the first process is gone): the repeat folds into the first alert.
        ans, bodies, _ = self.run_once(env, eventbridge(record("dd-hal", "e-dd-2")))
        self.assertEqual((ans["kind"], ans["body"]), ("response", "{}"), ans)
        self.assertEqual(len(bodies), 1, bodies)
        self.assertIn("dd-hal", bodies[0])
        self.assertIn("(2 events)", bodies[0])
        self.aws.assert_no_denials(self)

    def test_without_the_table_windows_end_with_the_environment(self):
        env = dict(self.env)
        for event_id in ("e-mem-1", "e-mem-2"):
            ans, bodies, logs = self.run_once(env, eventbridge(record("mem-ivy", event_id)))
            self.assertEqual((ans["kind"], ans["body"]), ("response", "{}"), ans)
            self.assertEqual(len(bodies), 1, bodies)
            self.assertNotIn("2 events", bodies[0])
            cold = [entry for entry in logs if entry.get("msg") == "cold start"]
            self.assertEqual(cold[0]["state"], "memory", logs)
        self.assertEqual([k for k in self.window_keys() if "mem-ivy" in k], [])

    def test_failed_invocation_writes_no_window(self):
        env = dict(self.env, TRAILWATCH_STATE_TABLE=TABLE)
        ans, bodies, _ = self.run_once(env, eventbridge(record("fail-jo", "e-fail-1")),
                                       slack_script=[{"status": 404, "body": "channel_not_found"}])
        self.assertEqual(ans["kind"], "error", ans)
        self.assertEqual(ans["error_type"], "Trailwatch.DeliveryFailed")
        self.assertEqual(len(bodies), 1, bodies)  # the refused attempt
        self.assertEqual([k for k in self.window_keys() if "fail-jo" in k], [])
        # Lambda's retry (another environment) alerts as a first alert, not a repeat.
        ans, bodies, _ = self.run_once(env, eventbridge(record("fail-jo", "e-fail-1")))
        self.assertEqual((ans["kind"], ans["body"]), ("response", "{}"), ans)
        self.assertEqual(len(bodies), 1, bodies)
        self.assertNotIn("2 events", bodies[0])

    def test_config_state_dynamodb_is_honoured(self):
        config = CONFIG + "state:\n  type: dynamodb\n  table: %s\n" % TABLE
        run = LambdaRun(env_extra=self.env, config=config)
        try:
            ans = run.call(eventbridge(record("cfg-kim", "e-cfg-1")))
            self.assertEqual((ans["kind"], ans["body"]), ("response", "{}"), ans)
            cold = [entry for entry in run.log_lines() if entry.get("msg") == "cold start"]
            self.assertEqual(cold[0]["state"], "dynamodb:" + TABLE)
        finally:
            run.stop()
        self.assertIn(window_key("cfg-kim"), self.window_keys())


if __name__ == "__main__":
    unittest.main(verbosity=2)
