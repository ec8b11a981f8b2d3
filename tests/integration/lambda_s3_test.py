#!/usr/bin/env python3
"""End to end, the S3 shapes of the Lambda runtime: the real binary fetches the objects that an
S3 notification, an SNS-wrapped S3 notification and an SQS body name from moto, through the
strict SigV4-verifying proxy (awsfix.py), scans them and posts to the Slack stand-in.

Needs the image's pyenv python3 with moto (tests/CMakeLists.txt runs it with TW_MOTO_PYTHON);
the runtime and Slack stand-ins still run under /usr/bin/python3. Event shapes as documented:
S3 User Guide "Event message structure" (keys form-encoded), Lambda Developer Guide "Using
Lambda with Amazon SNS" (Records[].Sns.Message) and "... with Amazon SQS".
"""

import gzip
import json
import os
import sys
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from awsfix import AwsStack  # noqa: E402
from lambda_test import CONFIG, LambdaRun, eventbridge, record, sqs  # noqa: E402

BUCKET = "ct-logs"
KEY = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/30/111122223333_CloudTrail_us-east-1 a+b.json.gz"


def s3_record(bucket, key):
    return {"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
            "eventTime": "2026-11-30T03:05:00.000Z", "eventName": "ObjectCreated:Put",
            "userIdentity": {"principalId": "AWS:cloudtrail"},
            "requestParameters": {"sourceIPAddress": "203.0.113.1"},
            "responseElements": {"x-amz-request-id": "r", "x-amz-id-2": "i"},
            "s3": {"s3SchemaVersion": "1.0", "configurationId": "ct",
                   "bucket": {"name": bucket, "ownerIdentity": {"principalId": "A"},
                              "arn": "arn:aws:s3:::" + bucket},
                   # form encoding, as S3 sends keys: ' ' -> '+', '+' -> %2B
                   "object": {"key": urllib.parse.quote_plus(key, safe="/"), "size": 1,
                              "eTag": "e", "sequencer": "0A"}}}


def s3_event(bucket, key):
    return {"Records": [s3_record(bucket, key)]}


def sns_event(inner):
    return {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0",
                         "EventSubscriptionArn": "arn:aws:sns:us-east-1:111122223333:ct:sub",
                         "Sns": {"Type": "Notification", "MessageId": "sns-1",
                                 "TopicArn": "arn:aws:sns:us-east-1:111122223333:ct",
                                 "Subject": "Amazon S3 Notification",
                                 "Message": json.dumps(inner), "Timestamp": "2026-11-30T03:05:00Z",
                                 "SignatureVersion": "1", "Signature": "x",
                                 "SigningCertUrl": "https://x", "UnsubscribeUrl": "https://x",
                                 "MessageAttributes": {}}}]}


class LambdaS3Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.aws = AwsStack().start()
        cls.aws.create_bucket(BUCKET)
        trail = {"Records": [record("s3-olga", "e-s3-1"), record("s3-pete", "e-s3-2")]}
        cls.aws.put_object(BUCKET, KEY, gzip.compress(json.dumps(trail).encode()))
        for user, key in (("sns-quinn", "AWSLogs/sns.json.gz"), ("sqs-rita", "AWSLogs/sqs.json.gz")):
            body = {"Records": [record(user, "e-" + user)]}
            cls.aws.put_object(BUCKET, key, gzip.compress(json.dumps(body).encode()))
        env = {k: v for k, v in cls.aws.env().items() if k.startswith("AWS_")}
        cls.run_ = LambdaRun(env_extra=env, config=CONFIG)

    @classmethod
    def tearDownClass(cls):
        cls.run_.stop()
        cls.aws.stop()

    def slack_bodies(self):
        return [q["body"] for q in self.run_.slack_requests()]

    def test_s3_notification_fetches_and_scans(self):
        ans = self.run_.call(s3_event(BUCKET, KEY))
        self.assertEqual((ans["kind"], ans["body"]), ("response", "{}"), ans)
        bodies = self.slack_bodies()
        for user in ("s3-olga", "s3-pete"):
            self.assertTrue(any(user in b for b in bodies), (user, bodies))
        self.aws.assert_no_denials(self)

    def test_sns_wrapped_s3_notification(self):
        ans = self.run_.call(sns_event(s3_event(BUCKET, "AWSLogs/sns.json.gz")))
        self.assertEqual((ans["kind"], ans["body"]), ("response", "{}"), ans)
        self.assertTrue(any("sns-quinn" in b for b in self.slack_bodies()))

    def test_sqs_of_s3_with_a_missing_object(self):
        ev = sqs(("m-ok", json.dumps(s3_event(BUCKET, "AWSLogs/sqs.json.gz"))),
                 ("m-gone", json.dumps(s3_event(BUCKET, "AWSLogs/no-such-object.json.gz"))))
        ans = self.run_.call(ev)
        self.assertEqual(ans["kind"], "response", ans)
        self.assertEqual(json.loads(ans["body"]),
                         {"batchItemFailures": [{"itemIdentifier": "m-gone"}]})
        self.assertTrue(any("sqs-rita" in b for b in self.slack_bodies()))

    def test_missing_object_fails_a_plain_s3_invocation(self):
        ans = self.run_.call(s3_event(BUCKET, "AWSLogs/missing.json.gz"))
        self.assertEqual((ans["kind"], ans["error_type"]), ("error", "Trailwatch.FetchFailed"), ans)


class LambdaSecretTest(unittest.TestCase):
    """SLACK_WEBHOOK_URL_SECRET_ARN: the webhook URL comes from Secrets Manager (moto), read
    once at start-up through the SigV4-verifying proxy."""

    def test_webhook_url_from_secrets_manager(self):
        with AwsStack() as aws:
            sm = aws.client("secretsmanager")
            env = {k: v for k, v in aws.env().items() if k.startswith("AWS_")}

            def extra(webhook_url):
                arn = sm.create_secret(Name="trailwatch/slack", SecretString=webhook_url)["ARN"]
                return dict(env, SLACK_WEBHOOK_URL=None, SLACK_WEBHOOK_URL_SECRET_ARN=arn)

            run = LambdaRun(env_extra=extra, config=CONFIG)
            try:
                ans = run.call(eventbridge(record("secret-sam", "e-secret-1")))
                self.assertEqual((ans["kind"], ans["body"]), ("response", "{}"), ans)
                bodies = [q["body"] for q in run.slack_requests()]
                self.assertEqual(len(bodies), 1, bodies)
                self.assertIn("secret-sam", bodies[0])
                self.assertNotIn("/services/", run.logs())  # the secret is never logged
                aws.assert_no_denials(self)
            finally:
                run.stop()

    def test_missing_secret_is_an_init_error(self):
        with AwsStack() as aws:
            env = {k: v for k, v in aws.env().items() if k.startswith("AWS_")}
            env.update(SLACK_WEBHOOK_URL=None, SLACK_WEBHOOK_URL_SECRET_ARN=
                       "arn:aws:secretsmanager:us-east-1:123456789012:secret:nope-AbCdEf")
            run = LambdaRun(env_extra=env)
            try:
                self.assertEqual(run.tw.wait(timeout=60), 2)
                errors = run.state()["init_errors"]
                self.assertEqual(len(errors), 1, errors)
                msg = json.loads(errors[0]["body"])["errorMessage"]
                self.assertIn("SLACK_WEBHOOK_URL_SECRET_ARN", msg)
                self.assertIn("ResourceNotFoundException", msg)
            finally:
                run.stop()


if __name__ == "__main__":
    unittest.main()
