#!/usr/bin/env python3
"""`trailwatch aws whoami` against moto's STS behind the SigV4-verifying proxy (awsfix.py).

Expected values: moto's GetCallerIdentity answers account 123456789012 and, for the static keys,
the ARN arn:aws:sts::123456789012:user/moto; for keys from AssumeRole it answers the assumed-role
ARN arn:aws:sts::<account>:assumed-role/<role name>/<session name> (the STS API reference's form).
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import awsfix  # noqa: E402  (fails loudly without moto)
from twtest import TRAILWATCH  # noqa: E402


class WhoAmITest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.aws = awsfix.AwsStack().start()

    @classmethod
    def tearDownClass(cls):
        cls.aws.stop()

    def setUp(self):
        self.aws.reset_proxy_stats()

    def whoami(self, env, *flags):
        return subprocess.run([TRAILWATCH, "aws", "whoami", *flags], env=env, capture_output=True,
                              timeout=60, stdin=subprocess.DEVNULL)

    def test_environment_keys(self):
        p = self.whoami(self.aws.env())
        out, err = p.stdout.decode(), p.stderr.decode()
        self.assertEqual(p.returncode, 0, err)
        self.assertIn("credentials: environment (access key ****0001)", out)
        self.assertIn("account:     123456789012", out)
        self.assertIn("arn:         arn:aws:sts::123456789012:user/moto", out)
        self.assertIn("region:      us-east-1\n", out)
        self.assertNotIn(self.aws.secret_key, out + err)
        self.assertNotIn(self.aws.access_key, out + err)  # masked
        stats = self.aws.assert_no_denials(self)
        self.assertEqual(stats["services"], {"sts": 1})

    def test_profile_role_arn_through_assume_role_json(self):
        with tempfile.TemporaryDirectory() as tmp:
            config = os.path.join(tmp, "config")
            with open(config, "w") as f:
                f.write("[profile audit]\nrole_arn = arn:aws:iam::123456789012:role/auditor\n"
                        "source_profile = base\nrole_session_name = tw-whoami\n"
                        "[profile base]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                        % (self.aws.access_key, self.aws.secret_key))
            env = self.aws.env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None,
                               AWS_PROFILE="audit", AWS_CONFIG_FILE=config)
            p = self.whoami(env, "--format", "json")
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        doc = json.loads(p.stdout)
        self.assertEqual(doc["credential_source"], "assume-role")
        self.assertEqual(doc["account"], "123456789012")
        self.assertEqual(doc["arn"], "arn:aws:sts::123456789012:assumed-role/auditor/tw-whoami")
        self.assertIsNotNone(doc["expires"])
        # AssumeRole signed with the static keys, then GetCallerIdentity signed with the issued
        # temporary keys and their session token: both verified by the proxy.
        stats = self.aws.assert_no_denials(self, min_ok=2)
        self.assertEqual(stats["services"], {"sts": 2})

    def test_no_credentials(self):
        p = self.whoami(self.aws.env(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None))
        self.assertEqual(p.returncode, 1, p.stderr.decode())
        self.assertIn("trailwatch: error: credentials: no AWS credentials found: tried environment",
                      p.stderr.decode())

    def test_refused_keys_report_sts_code_and_message(self):
        p = self.whoami(self.aws.env(AWS_SECRET_ACCESS_KEY="not-the-secret"))
        self.assertEqual(p.returncode, 1, p.stderr.decode())
        self.assertIn("trailwatch: error: STS GetCallerIdentity: SignatureDoesNotMatch: ",
                      p.stderr.decode())
        self.assertNotIn("not-the-secret", p.stdout.decode() + p.stderr.decode())


if __name__ == "__main__":
    unittest.main(verbosity=2)
