#!/usr/bin/env python3
"""Generates tests/data/vectors/sigv4/botocore/*.json: requests signed by botocore.

Run once, with the python3 that has botocore (the pyenv one on the build machine), and commit the
output; the tests never run botocore. Credentials and the clock are fixed, so the output is
reproducible:

    python3 tests/tools/gen_botocore_sigv4.py tests/data/vectors/sigv4/botocore

Each file records what botocore put on the wire (method, URL, every header, body) and the
Authorization header it computed. src/aws/sigv4/botocore_test.cc removes the headers our signer
adds (Authorization, X-Amz-Date, X-Amz-Security-Token, and x-amz-content-sha256 for S3), signs
the rest with the same credentials and time, and compares the Authorization header.
"""
import datetime
import json
import os
import sys
from unittest import mock

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import botocore.session
from botocore.config import Config

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FQoGZXIvYXdzEXAMPLEtokenWithSlash/AndPlus+AndEquals=="
FIXED_NOW = datetime.datetime(2026, 12, 1, 10, 30, 0, tzinfo=datetime.timezone.utc)


class Captured(Exception):
    pass


SIGNED_HEADERS = []  # the headers of the last request botocore signed, as they were right then

_original_add_auth = botocore.auth.SigV4Auth.add_auth


def _recording_add_auth(self, request):
    _original_add_auth(self, request)
    SIGNED_HEADERS[:] = [[k, v.decode() if isinstance(v, bytes) else v]
                         for k, v in request.headers.items()]


def capture(client, call):
    """Runs call(client) and returns the prepared, signed request botocore was about to send."""
    box = {}

    def before_send(request, **kwargs):
        box["request"] = request
        raise Captured()

    client.meta.events.register("before-send.*", before_send)
    try:
        call(client)
    except Captured:
        pass
    finally:
        client.meta.events.unregister("before-send.*", before_send)
    return box["request"]


def record(request, name, service, region, description, extra=None):
    body = request.body
    if body is None:
        body = b""
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode("utf-8")
    # The headers as they were when botocore signed (it adds Content-Length and the amz-sdk-*
    # headers only afterwards, unsigned).
    headers = list(SIGNED_HEADERS)
    out = {
        "description": description,
        "service": service,
        "region": region,
        "time": FIXED_NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET_KEY,
        "method": request.method,
        "url": request.url,
        "headers": headers,
        "body": body.decode("utf-8"),
        "expected_authorization": dict(headers)["Authorization"],
    }
    if extra:
        out.update(extra)
    return name, out


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    cases = []
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=FIXED_NOW), \
            mock.patch.object(botocore.auth.SigV4Auth, "add_auth", _recording_add_auth):
        session = botocore.session.get_session()
        for var in list(os.environ):
            if var.startswith("AWS_"):
                del os.environ[var]
        cfg = Config(request_checksum_calculation="when_required",
                     response_checksum_validation="when_required",
                     s3={"addressing_style": "virtual"})

        def client(service, region="us-east-1", token=None, **kw):
            return session.create_client(service, region_name=region,
                                         aws_access_key_id=ACCESS_KEY,
                                         aws_secret_access_key=SECRET_KEY,
                                         aws_session_token=token, config=kw.pop("config", cfg),
                                         **kw)

        s3 = client("s3")
        req = capture(s3, lambda c: c.get_object(Bucket="example-bucket",
                                                 Key="logs/a b/ünïcode+plus~tilde.json.gz"))
        cases.append(record(req, "s3-get-encoded-key", "s3", "us-east-1",
                            "S3 GetObject, virtual-hosted, key with space, UTF-8, + and ~"))

        s3p = client("s3", region="eu-west-1", endpoint_url="http://127.0.0.1:9000",
                     config=Config(request_checksum_calculation="when_required",
                                   response_checksum_validation="when_required",
                                   s3={"addressing_style": "path"}))
        req = capture(s3p, lambda c: c.list_objects_v2(
            Bucket="trail-bucket", Prefix="AWSLogs/123456789012/CloudTrail/eu-west-1/2026/12/01/",
            Delimiter="/"))
        cases.append(record(req, "s3-list-path-style", "s3", "eu-west-1",
                            "S3 ListObjectsV2, path-style on 127.0.0.1, encoded query"))

        req = capture(s3, lambda c: c.put_object(Bucket="example-bucket", Key="out/alert 1.json",
                                                 Body=b'{"alert":1}'))
        cases.append(record(req, "s3-put-signed-payload", "s3", "us-east-1",
                            "S3 PutObject, x-amz-content-sha256 is the body's SHA-256"))

        s3u = client("s3", config=Config(request_checksum_calculation="when_required",
                                         response_checksum_validation="when_required",
                                         s3={"addressing_style": "virtual",
                                             "payload_signing_enabled": False}))
        req = capture(s3u, lambda c: c.put_object(Bucket="example-bucket",
                                                  Key="out/alert~2+x.json", Body=b'{"alert":2}'))
        cases.append(record(req, "s3-put-unsigned-payload", "s3", "us-east-1",
                            "S3 PutObject over HTTPS: x-amz-content-sha256 UNSIGNED-PAYLOAD"))

        # The SQS query protocol (form body), which boto3 no longer uses by default: signed with
        # botocore's SigV4Auth directly.
        creds = botocore.credentials.Credentials(ACCESS_KEY, SECRET_KEY)
        body = ("Action=ReceiveMessage&MaxNumberOfMessages=10&QueueUrl="
                "https%3A%2F%2Fsqs.eu-west-1.amazonaws.com%2F123456789012%2Ftrail-queue"
                "&Version=2012-11-05&WaitTimeSeconds=20")
        aws_req = botocore.awsrequest.AWSRequest(
            method="POST", url="https://sqs.eu-west-1.amazonaws.com/", data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        botocore.auth.SigV4Auth(creds, "sqs", "eu-west-1").add_auth(aws_req)
        cases.append(record(aws_req.prepare(), "sqs-query-receive-message", "sqs", "eu-west-1",
                            "SQS ReceiveMessage, query protocol (form-encoded POST)"))

        ddb = client("dynamodb", region="eu-west-1", token=SESSION_TOKEN)
        req = capture(ddb, lambda c: c.get_item(TableName="trailwatch-state",
                                                Key={"pk": {"S": "alert#1"}}))
        cases.append(record(req, "dynamodb-get-item-session-token", "dynamodb", "eu-west-1",
                            "DynamoDB GetItem (JSON 1.0) with a session token",
                            {"session_token": SESSION_TOKEN}))

        sts = client("sts", region="us-east-1")
        req = capture(sts, lambda c: c.get_caller_identity())
        cases.append(record(req, "sts-get-caller-identity", "sts", "us-east-1",
                            "STS GetCallerIdentity, query protocol"))

    for name, data in cases:
        with open(os.path.join(out_dir, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, ensure_ascii=False)
            f.write("\n")
        print(name, data["method"], data["url"])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/data/vectors/sigv4/botocore")
