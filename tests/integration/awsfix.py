"""moto_server + strict SigV4 proxy fixture for the AWS integration tests.

Needs the image's pyenv python3 (moto 5.2.1, boto3); the tests that import this module are run
with it (tests/CMakeLists.txt finds it at configure time as TW_MOTO_PYTHON). Importing this module
without moto raises ImportError with a loud message: a missing moto is a failure, never a skip.

    from awsfix import AwsStack
    with AwsStack() as aws:                  # or aws = AwsStack().start(); ...; aws.stop()
        aws.create_bucket("ct")
        aws.put_object("ct", "AWSLogs/.../x.json.gz", data)
        env = aws.env()                      # environment for the trailwatch binary
        subprocess.run([TRAILWATCH, "scan", "s3://ct/AWSLogs/"], env=env)
        aws.assert_no_denials(self)          # every request of the binary was signed right

Topology (loopback only, both on free ports, both child processes of the test):
  binary --SigV4--> sigv4_proxy.py (tests/integration/standin, verifies every signature)
         --as is--> moto_server (moto's own auth off; it routes by the credential scope)
The binary only ever sees the proxy (AWS_ENDPOINT_URL). Setup helpers (boto3) talk to moto
directly by default, so setup traffic does not count in the proxy's statistics; pass
via_proxy=True to client() to sign through the proxy as well.

Credentials: the proxy knows one static key pair (access_key/secret_key below) and learns the
temporary keys of every STS answer that passes through it; add_credentials() teaches it more.
moto's account id is 123456789012 (ACCOUNT_ID).

Processes: start() records the PIDs it spawns; stop() (also run at interpreter exit and by the
context manager) terminates, then kills, exactly those PIDs and nothing else.
"""

import atexit
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

try:
    import boto3
    import botocore.config
    import moto  # noqa: F401  (the server below imports it in a child process)
except ImportError as e:  # pragma: no cover - this is the loud failure the brief asks for
    raise ImportError(
        "awsfix: moto/boto3 are not importable by %s (%s). The AWS integration tests need the "
        "image's pyenv python3 with moto 5.2.1; this is a test FAILURE, not a skip."
        % (sys.executable, e)) from e

HERE = os.path.dirname(os.path.abspath(__file__))
PROXY_SCRIPT = os.path.join(HERE, "standin", "sigv4_proxy.py")
ACCOUNT_ID = "123456789012"

# Started in a child process: moto's threaded server on an OS-chosen port, reported on stdout.
_MOTO_LAUNCHER = r"""
import signal, sys, threading
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
srv = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
srv.start()
print("LISTENING %d" % srv.get_host_and_port()[1], flush=True)
done = threading.Event()
signal.signal(signal.SIGTERM, lambda *a: done.set())
signal.signal(signal.SIGINT, lambda *a: done.set())
done.wait()
srv.stop()
"""

# Variables that would let the binary pick up credentials, endpoints or a region from outside the
# test: removed from the environment env() builds.
_SCRUB_PREFIXES = ("AWS_",)


def _read_listening(proc, what, timeout=30.0):
    """Reads 'LISTENING <port>' from proc.stdout; raises with the child's stderr on failure."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        line = line.decode("utf-8", "replace").strip()
        if line.startswith("LISTENING "):
            return int(line.split()[1])
    err = b""
    if proc.poll() is not None and proc.stderr:
        err = proc.stderr.read()
    raise RuntimeError("awsfix: %s did not start (rc=%s): %s"
                       % (what, proc.poll(), err.decode("utf-8", "replace")[-2000:]))


class AwsStack:
    """moto_server behind the SigV4-verifying proxy. Not thread-safe; one per test class."""

    def __init__(self, region="us-east-1", access_key="AKIATWTESTSTATIC0001",
                 secret_key="tw/test+Secret/Key0000000000000000000001", max_skew=900):
        self.region = region
        self.access_key = access_key
        self.secret_key = secret_key
        self.max_skew = max_skew
        self.account_id = ACCOUNT_ID
        self.moto_port = None
        self.proxy_port = None
        self._procs = []
        self._tmp = None
        self._clients = {}

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="tw-awsfix-")
        atexit.register(self.stop)
        moto_log = open(os.path.join(self._tmp.name, "moto.log"), "wb")
        moto_proc = subprocess.Popen([sys.executable, "-c", _MOTO_LAUNCHER],
                                     stdout=subprocess.PIPE, stderr=moto_log,
                                     stdin=subprocess.DEVNULL)
        moto_log.close()
        self._procs.append(moto_proc)
        self.moto_port = _read_listening(moto_proc, "moto_server")
        proxy_proc = subprocess.Popen(
            [sys.executable, PROXY_SCRIPT, "--port", "0", "--upstream", self.moto_url,
             "--cred", "%s:%s" % (self.access_key, self.secret_key), "--region", self.region,
             "--max-skew", str(self.max_skew), "--log", self.proxy_log],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        self._procs.append(proxy_proc)
        self.proxy_port = _read_listening(proxy_proc, "sigv4_proxy")
        # moto answers once its WSGI server is bound; one cheap call proves it.
        self._wait_ready()
        return self

    def stop(self):
        for proc in reversed(self._procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(self._procs):
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
            for stream in (proc.stdout, proc.stderr):
                if stream:
                    stream.close()
        self._procs = []
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _wait_ready(self):
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(self.moto_url + "/moto-api/data.json", timeout=5):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    # ---- addresses and environment -----------------------------------------------------------
    @property
    def moto_url(self):
        return "http://127.0.0.1:%d" % self.moto_port

    @property
    def proxy_url(self):
        return "http://127.0.0.1:%d" % self.proxy_port

    @property
    def proxy_log(self):
        return os.path.join(self._tmp.name, "sigv4_proxy.log")

    def env(self, base=None, **extra):
        """Environment for the binary under test: every AWS_* variable of `base` (default
        os.environ) removed, then the proxy as AWS_ENDPOINT_URL, the static keys, the region,
        unreadable shared config/credentials files and IMDS off, then `extra` (None removes)."""
        env = {k: v for k, v in (os.environ if base is None else base).items()
               if not k.startswith(_SCRUB_PREFIXES)}
        env.update({
            "AWS_ENDPOINT_URL": self.proxy_url,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_REGION": self.region,
            "AWS_CONFIG_FILE": os.path.join(self._tmp.name, "no-such-config"),
            "AWS_SHARED_CREDENTIALS_FILE": os.path.join(self._tmp.name, "no-such-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
        })
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        return env

    # ---- proxy control -----------------------------------------------------------------------
    def _proxy_control(self, what, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(self.proxy_url + "/_sigv4proxy/" + what, data=data,
                                     method="GET" if data is None else "POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def proxy_stats(self):
        """{"ok": verified requests, "denied": [{"method","path","code","message"}], "services"}."""
        return self._proxy_control("stats")

    def reset_proxy_stats(self):
        self._proxy_control("reset", {})

    def add_credentials(self, access_key, secret_key, session_token=None):
        """Teaches the proxy another key pair (with a session token: requests must carry it)."""
        self._proxy_control("creds", {"access_key": access_key, "secret_key": secret_key,
                                      "session_token": session_token})

    def assert_no_denials(self, testcase=None, min_ok=1):
        """Fails (testcase.fail or AssertionError) when the proxy denied any request or verified
        fewer than min_ok."""
        s = self.proxy_stats()
        msg = None
        if s["denied"]:
            msg = "sigv4 proxy denied %d request(s): %s" % (len(s["denied"]), s["denied"][:5])
        elif s["ok"] < min_ok:
            msg = "sigv4 proxy verified %d request(s), expected at least %d" % (s["ok"], min_ok)
        if msg:
            if testcase is not None:
                testcase.fail(msg)
            raise AssertionError(msg)
        return s

    # ---- boto3 setup helpers -----------------------------------------------------------------
    def client(self, service, via_proxy=False):
        """A boto3 client for `service`, talking to moto directly (default) or through the
        proxy, with the static keys, path-style S3 and no retries."""
        key = (service, via_proxy)
        if key not in self._clients:
            cfg = botocore.config.Config(
                s3={"addressing_style": "path"}, retries={"max_attempts": 1},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required")
            self._clients[key] = boto3.client(
                service, region_name=self.region,
                endpoint_url=self.proxy_url if via_proxy else self.moto_url,
                aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key,
                config=cfg)
        return self._clients[key]

    def create_bucket(self, bucket):
        s3 = self.client("s3")
        if self.region == "us-east-1":
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(Bucket=bucket,
                             CreateBucketConfiguration={"LocationConstraint": self.region})

    def put_object(self, bucket, key, data, content_type="application/octet-stream"):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.client("s3").put_object(Bucket=bucket, Key=key, Body=data, ContentType=content_type)

    def put_file(self, bucket, key, path):
        with open(path, "rb") as f:
            self.put_object(bucket, key, f.read())

    def list_keys(self, bucket, prefix=""):
        keys = []
        for page in self.client("s3").get_paginator("list_objects_v2").paginate(
                Bucket=bucket, Prefix=prefix):
            keys.extend(o["Key"] for o in page.get("Contents", []))
        return keys

    def create_queue(self, name, attributes=None):
        """Creates an SQS queue; returns its URL (as moto gives it: on moto's port)."""
        r = self.client("sqs").create_queue(QueueName=name, Attributes=attributes or {})
        return r["QueueUrl"]

    def queue_url_via_proxy(self, queue_url):
        """The same queue URL with the proxy's host:port (what the binary should use)."""
        return queue_url.replace(self.moto_url, self.proxy_url)

    def queue_arn(self, name):
        return "arn:aws:sqs:%s:%s:%s" % (self.region, self.account_id, name)

    def notify_bucket_to_queue(self, bucket, queue_name, prefix=None, suffix=None,
                               drain_test_event=True):
        """S3 ObjectCreated:* notifications of `bucket` to the queue. AWS (and moto) first send an
        s3:TestEvent message; drain_test_event purges the queue after configuring."""
        rules = [{"Name": n, "Value": v} for n, v in (("prefix", prefix), ("suffix", suffix)) if v]
        cfg = {"Id": "tw-%s" % queue_name, "QueueArn": self.queue_arn(queue_name),
               "Events": ["s3:ObjectCreated:*"]}
        if rules:
            cfg["Filter"] = {"Key": {"FilterRules": rules}}
        self.client("s3").put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [cfg]})
        if drain_test_event:
            url = self.client("sqs").get_queue_url(QueueName=queue_name)["QueueUrl"]
            self.client("sqs").purge_queue(QueueUrl=url)
