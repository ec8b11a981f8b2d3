#!/usr/bin/env python3
"""The credential chain through the real binary (`trailwatch aws whoami`), with a fake IMDSv2 and a
fake container credentials endpoint on 127.0.0.1, and moto's STS behind the SigV4-verifying proxy.

What is expected comes from the AWS SDKs' documented order (environment, web identity, shared
profile, container, IMDS; first that yields wins) and the documented endpoint protocols:
IMDSv2 is a PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds, then GETs of
/latest/meta-data/iam/security-credentials/[role] carrying X-aws-ec2-metadata-token; the container
endpoint is a GET of the full URI with the Authorization token. Each fake hands out its own key
pair, which the proxy is taught, so the GetCallerIdentity that succeeds proves whose keys signed it.
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import awsfix  # noqa: E402  (fails loudly without moto)
from twtest import TRAILWATCH  # noqa: E402

IMDS_KEY, IMDS_SECRET, IMDS_TOKEN = "ASIAIMDS000000000001", "imds-secret-0001", "imds-session-1"
CONT_KEY, CONT_SECRET, CONT_TOKEN = "ASIACONT000000000002", "container-secret-2", "cont-session-2"
PROFILE_KEY, PROFILE_SECRET = "AKIAPROFILE000000003", "profile-secret-0003"
CONTAINER_AUTH = "container-auth-token-xyz"
ROLE = "tw-instance-role"


def creds_body(key, secret, token):
    return json.dumps({"Code": "Success", "AccessKeyId": key, "SecretAccessKey": secret,
                       "Token": token, "Expiration": "2099-01-01T00:00:00Z"}).encode()


class FakeEndpoints(BaseHTTPRequestHandler):
    """IMDSv2 under /latest/, the container endpoint under /container/creds."""
    protocol_version = "HTTP/1.1"
    log = []  # (method, path, imds token header, authorization header)

    def log_message(self, *args):
        pass

    def answer(self, code, body=b""):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        FakeEndpoints.log.append(("PUT", self.path, None, None))
        if self.path == "/latest/api/token" and self.headers.get(
                "X-aws-ec2-metadata-token-ttl-seconds"):
            return self.answer(200, b"imds-v2-session-token")
        self.answer(400)

    def do_GET(self):
        token = self.headers.get("X-aws-ec2-metadata-token")
        FakeEndpoints.log.append(("GET", self.path, token, self.headers.get("Authorization")))
        if self.path.startswith("/latest/"):
            if token != "imds-v2-session-token":
                return self.answer(401)  # IMDSv2 only: no token, no answer
            if self.path == "/latest/meta-data/iam/security-credentials/":
                return self.answer(200, ROLE.encode())
            if self.path == "/latest/meta-data/iam/security-credentials/" + ROLE:
                return self.answer(200, creds_body(IMDS_KEY, IMDS_SECRET, IMDS_TOKEN))
            return self.answer(404)
        if self.path == "/container/creds":
            if self.headers.get("Authorization") != CONTAINER_AUTH:
                return self.answer(403)
            return self.answer(200, creds_body(CONT_KEY, CONT_SECRET, CONT_TOKEN))
        self.answer(404)


class CredentialChainTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.aws = awsfix.AwsStack().start()
        cls.aws.add_credentials(IMDS_KEY, IMDS_SECRET, IMDS_TOKEN)
        cls.aws.add_credentials(CONT_KEY, CONT_SECRET, CONT_TOKEN)
        cls.aws.add_credentials(PROFILE_KEY, PROFILE_SECRET)
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), FakeEndpoints)
        cls.base = "http://127.0.0.1:%d" % cls.server.server_address[1]
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.tmp = tempfile.TemporaryDirectory()
        cls.credentials_file = os.path.join(cls.tmp.name, "credentials")
        with open(cls.credentials_file, "w") as f:
            f.write("[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                    % (PROFILE_KEY, PROFILE_SECRET))

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.aws.stop()
        cls.tmp.cleanup()

    def setUp(self):
        FakeEndpoints.log = []
        self.aws.reset_proxy_stats()

    # Every source below the environment, switched on or off one by one.
    def env(self, environment=False, profile=False, container=False, imds=False):
        extra = {"AWS_EC2_METADATA_DISABLED": None if imds else "true"}
        if not environment:
            extra.update(AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None)
        if profile:
            extra["AWS_SHARED_CREDENTIALS_FILE"] = self.credentials_file
        if container:
            extra["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = self.base + "/container/creds"
            extra["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = CONTAINER_AUTH
        if imds:
            extra["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = self.base
        return self.aws.env(**extra)

    def whoami(self, env):
        p = subprocess.run([TRAILWATCH, "aws", "whoami", "--format", "json"], env=env,
                           capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        for secret in (IMDS_SECRET, CONT_SECRET, PROFILE_SECRET, self.aws.secret_key,
                       CONTAINER_AUTH):
            self.assertNotIn(secret, p.stdout.decode() + p.stderr.decode())
        self.aws.assert_no_denials(self)
        return json.loads(p.stdout)

    def test_imds_v2_alone(self):
        doc = self.whoami(self.env(imds=True))
        self.assertEqual(doc["credential_source"], "imds")
        self.assertEqual(doc["account"], "123456789012")
        # The token first, then both GETs with it: IMDSv2, never v1.
        self.assertEqual(FakeEndpoints.log[0][:2], ("PUT", "/latest/api/token"))
        gets = [e for e in FakeEndpoints.log if e[0] == "GET"]
        self.assertEqual([g[1] for g in gets],
                         ["/latest/meta-data/iam/security-credentials/",
                          "/latest/meta-data/iam/security-credentials/" + ROLE])
        self.assertTrue(all(g[2] == "imds-v2-session-token" for g in gets))

    def test_container_before_imds(self):
        doc = self.whoami(self.env(container=True, imds=True))
        self.assertEqual(doc["credential_source"], "container")
        self.assertEqual([e[1] for e in FakeEndpoints.log], ["/container/creds"])

    def test_profile_before_container(self):
        doc = self.whoami(self.env(profile=True, container=True, imds=True))
        self.assertEqual(doc["credential_source"], "profile")
        self.assertEqual(FakeEndpoints.log, [])

    def test_environment_before_everything(self):
        doc = self.whoami(self.env(environment=True, profile=True, container=True, imds=True))
        self.assertEqual(doc["credential_source"], "environment")
        self.assertEqual(FakeEndpoints.log, [])

    def test_container_with_a_wrong_token_is_an_error_not_a_fallthrough_to_imds(self):
        env = self.env(container=True, imds=True)
        env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "wrong"
        p = subprocess.run([TRAILWATCH, "aws", "whoami"], env=env, capture_output=True,
                           timeout=60, stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 1, p.stdout.decode())
        self.assertIn("container", p.stderr.decode())
        self.assertNotIn("wrong", p.stderr.decode())


if __name__ == "__main__":
    unittest.main(verbosity=2)
