#!/usr/bin/env python3
"""The AWS test fixture itself: moto behind the SigV4 proxy accepts what botocore signs and
rejects what is signed wrong (run with the pyenv python3 that has moto; see awsfix.py).

Without this, a proxy that accepted everything would make every AWS test pass vacuously."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import awsfix  # noqa: E402  (fails loudly without moto)
import boto3  # noqa: E402
import botocore.config  # noqa: E402
import botocore.exceptions  # noqa: E402


class AwsFixtureTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.aws = awsfix.AwsStack().start()
        cls.aws.create_bucket("ct-fixture")
        cls.aws.put_object("ct-fixture", "AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/02/a b+c=.json", b"{}")

    @classmethod
    def tearDownClass(cls):
        cls.aws.stop()

    def setUp(self):
        self.aws.reset_proxy_stats()

    def s3(self, secret=None, region=None, **kw):
        return boto3.client(
            "s3", endpoint_url=self.aws.proxy_url, region_name=region or self.aws.region,
            aws_access_key_id=kw.get("akid", self.aws.access_key),
            aws_secret_access_key=secret or self.aws.secret_key,
            aws_session_token=kw.get("token"),
            config=botocore.config.Config(s3={"addressing_style": "path"},
                                          retries={"max_attempts": 1}))

    def test_botocore_list_with_encoded_prefix_and_get_pass(self):
        s3 = self.s3()
        r = s3.list_objects_v2(Bucket="ct-fixture", Prefix="AWSLogs/111122223333/", Delimiter="/")
        self.assertEqual([p["Prefix"] for p in r["CommonPrefixes"]],
                         ["AWSLogs/111122223333/CloudTrail/"])
        body = s3.get_object(Bucket="ct-fixture",
                             Key="AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/02/a b+c=.json")
        self.assertEqual(body["Body"].read(), b"{}")
        stats = self.aws.assert_no_denials(self, min_ok=2)
        self.assertEqual(stats["services"].get("s3"), 2)

    def assertDenied(self, call, status, code):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            call()
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], status)
        self.assertEqual(ctx.exception.response["Error"]["Code"], code)
        denied = self.aws.proxy_stats()["denied"]
        self.assertEqual([d["code"] for d in denied], [code])

    def test_wrong_secret_is_403_signature_does_not_match(self):
        self.assertDenied(lambda: self.s3(secret="not-the-secret").list_objects_v2(Bucket="ct-fixture"),
                          403, "SignatureDoesNotMatch")

    def test_unknown_key_is_403(self):
        self.assertDenied(lambda: self.s3(akid="AKIAUNKNOWN000000000").list_objects_v2(Bucket="ct-fixture"),
                          403, "InvalidAccessKeyId")

    def test_wrong_region_in_scope_is_403(self):
        self.assertDenied(lambda: self.s3(region="eu-west-1").list_objects_v2(Bucket="ct-fixture"),
                          403, "AuthorizationHeaderMalformed")

    def test_sts_issued_keys_are_learned_and_need_their_token(self):
        sts = self.aws.client("sts", via_proxy=True)
        c = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/reader",
                            RoleSessionName="fixture")["Credentials"]
        ok = self.s3(akid=c["AccessKeyId"], secret=c["SecretAccessKey"], token=c["SessionToken"])
        self.assertIn("Contents", ok.list_objects_v2(Bucket="ct-fixture"))
        self.aws.reset_proxy_stats()
        no_token = self.s3(akid=c["AccessKeyId"], secret=c["SecretAccessKey"])
        self.assertDenied(lambda: no_token.list_objects_v2(Bucket="ct-fixture"), 403, "InvalidToken")

    def test_env_points_the_binary_at_the_proxy_only(self):
        env = self.aws.env(base={"AWS_PROFILE": "x", "AWS_SESSION_TOKEN": "t", "PATH": "/bin"})
        self.assertEqual(env["AWS_ENDPOINT_URL"], self.aws.proxy_url)
        self.assertNotIn("AWS_PROFILE", env)
        self.assertNotIn("AWS_SESSION_TOKEN", env)
        self.assertEqual(env["PATH"], "/bin")


if __name__ == "__main__":
    unittest.main(verbosity=2)
