#!/usr/bin/env python3
"""`trailwatch scan s3://` against moto_server behind the strict SigV4 proxy (awsfix.py).

The bucket holds real CloudTrail records, unedited: every record of the corpus
(tests/data/corpus/real/*.ndjson; in practice panther.ndjson, panther-labs/panther-analysis,
Apache-2.0, provenance in tests/data/corpus/provenance/) whose recipientAccountId is
123456789012 or 111111111111, awsRegion us-east-1 or us-west-2 and eventTime on 2024-01-15, -16
or -17: 2 accounts (111111111111 inside an organisation folder), 2 regions, 3 days. They are
grouped into {"Records": [...]} files per account, region, day and hour, written to the
CloudTrail key layout (the file's day folder is its events' day), plus a digest file per folder.

Each scan of the bucket is compared with a local `scan` of the same files written to disk, the
files chosen by hand from the layout below (IN_RANGE_*), never from what the s3 scan fetched:
the alerts must be exactly the same (rule, file name, record number, event id; as a multiset).
The proxy's request log shows which prefixes were listed: never the whole bucket, never a day
folder outside the range, never a CloudTrail-Digest folder.
"""
import collections
import glob
import gzip
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import awsfix  # noqa: E402  (fails loudly without moto)
from twtest import CORPUS, TRAILWATCH  # noqa: E402

BUCKET = "ct-trail-bucket"
ACCOUNTS = ("123456789012", "111111111111")
REGIONS = ("us-east-1", "us-west-2")
DAYS = ("2024-01-15", "2024-01-16", "2024-01-17")
ORG = {"111111111111": "o-a1b2c3d4e5"}


def build_files():
    """{key: gzip bytes} of the log files described in the module docstring."""
    groups = collections.defaultdict(list)
    for path in sorted(glob.glob(os.path.join(CORPUS, "real", "*.ndjson"))):
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                r = json.loads(line)
                t = r.get("eventTime")
                if (r.get("recipientAccountId") in ACCOUNTS and r.get("awsRegion") in REGIONS
                        and isinstance(t, str) and t[:10] in DAYS):
                    groups[(r["recipientAccountId"], r["awsRegion"], t[:10], t[11:13])].append(line)
    files = {}
    for (acct, region, day, hour), lines in sorted(groups.items()):
        y, m, d = day.split("-")
        unique = hashlib.sha1("".join(lines).encode()).hexdigest()[:16]
        org = ORG.get(acct)
        base = "AWSLogs/" + (org + "/" if org else "") + acct
        key = "%s/CloudTrail/%s/%s/%s/%s/%s_CloudTrail_%s_%s%s%sT%s55Z_%s.json.gz" % (
            base, region, y, m, d, acct, region, y, m, d, hour, unique)
        body = ('{"Records":[' + ",".join(lines) + "]}").encode("utf-8")
        files[key] = gzip.compress(body, mtime=0)
    return files


def digest_keys(files):
    out = set()
    for key in files:
        folder = key.rsplit("/", 1)[0].replace("/CloudTrail/", "/CloudTrail-Digest/")
        acct = key.split("/CloudTrail/")[0].rsplit("/", 1)[1]
        out.add("%s/%s_CloudTrail-Digest_x_trail_x_20240101T000000Z.json.gz" % (folder, acct))
    return sorted(out)


def alert_multiset(stdout):
    out = collections.Counter()
    for line in stdout.decode("utf-8").splitlines():
        if line.strip():
            a = json.loads(line)
            event_id = (a.get("event") or {}).get("eventID") if isinstance(a.get("event"), dict) else None
            out[(a["rule_id"], os.path.basename(a["input"]["file"]), a["input"]["record"],
                 a.get("event_id") or event_id)] += 1
    return out


class S3ScanTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.aws = awsfix.AwsStack().start()
        cls.aws.create_bucket(BUCKET)
        cls.files = build_files()
        for key, data in cls.files.items():
            cls.aws.put_object(BUCKET, key, data)
        for key in digest_keys(cls.files):
            cls.aws.put_object(BUCKET, key, gzip.compress(b'{"awsAccountId":"x"}'))
        # Outside AWSLogs/: never to be listed or fetched.
        cls.aws.put_object(BUCKET, "unrelated/report.json", b'{"Records":[]}')
        cls._tmp = tempfile.TemporaryDirectory(prefix="tw-s3scan-")
        cls.local = cls._tmp.name
        for key, data in cls.files.items():
            path = os.path.join(cls.local, key)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)

    @classmethod
    def tearDownClass(cls):
        cls.aws.stop()
        cls._tmp.cleanup()

    def setUp(self):
        self.aws.reset_proxy_stats()
        with open(self.aws.proxy_log, "w"):
            pass

    def run_tw(self, *args, env=None):
        proc = subprocess.run([TRAILWATCH] + list(args), capture_output=True, timeout=120,
                              env=env or self.aws.env(), stdin=subprocess.DEVNULL)
        return proc

    def scan_s3(self, uri, *flags):
        p = self.run_tw("scan", "--format", "json", *flags, uri)
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        return p

    def scan_local(self, keys, *flags):
        self.assertTrue(keys, "no local files chosen")
        p = self.run_tw("scan", "--format", "json", *flags,
                        *[os.path.join(self.local, k) for k in keys], env=dict(os.environ))
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        return p

    def listed_prefixes(self):
        """The prefix= of every ListObjectsV2 the binary sent (from the proxy's log)."""
        out = []
        with open(self.aws.proxy_log) as f:
            for line in f:
                m = re.match(r"GET /%s\?(\S*) -> OK" % BUCKET, line)
                if m:
                    q = urllib.parse.parse_qs(m.group(1), keep_blank_values=True)
                    self.assertIn("list-type", q)
                    out.append(q.get("prefix", [""])[0])
        return out

    def fetched_keys(self):
        out = []
        with open(self.aws.proxy_log) as f:
            for line in f:
                m = re.match(r"GET /%s/(\S+) -> OK" % BUCKET, line)
                if m:
                    out.append(urllib.parse.unquote(m.group(1)))
        return out

    def keys_where(self, days=DAYS, accounts=ACCOUNTS, regions=REGIONS):
        out = []
        for key in self.files:
            acct = key.split("/CloudTrail/")[0].rsplit("/", 1)[1]
            region, y, m, d = key.split("/CloudTrail/")[1].split("/")[:4]
            if "%s-%s-%s" % (y, m, d) in days and acct in accounts and region in regions:
                out.append(key)
        return sorted(out)

    def assertSameAlerts(self, s3_proc, local_proc, min_alerts=1):
        s3_alerts = alert_multiset(s3_proc.stdout)
        local_alerts = alert_multiset(local_proc.stdout)
        self.assertGreaterEqual(sum(local_alerts.values()), min_alerts,
                                "the comparison needs alerts to be meaningful")
        self.assertEqual(s3_alerts, local_alerts)

    def assertNoBucketWideListing(self):
        prefixes = self.listed_prefixes()
        self.assertTrue(prefixes)
        for p in prefixes:
            self.assertTrue(p.startswith("AWSLogs/"), "listed outside AWSLogs/: %r" % p)
            self.assertNotIn("CloudTrail-Digest", p)
        self.aws.assert_no_denials(self)

    def test_whole_bucket_equals_local_scan_of_every_file(self):
        s3 = self.scan_s3("s3://%s/" % BUCKET)
        local = self.scan_local(sorted(self.files))
        self.assertSameAlerts(s3, local, min_alerts=5)
        self.assertNoBucketWideListing()
        self.assertEqual(sorted(self.fetched_keys()), sorted(self.files))
        err = s3.stderr.decode()
        self.assertIn("s3: %d objects listed, %d fetched" % (len(self.files), len(self.files)), err)

    def test_since_until_dates_list_only_the_range_plus_one_day(self):
        # --since 2024-01-16 --until 2024-01-16: events of the 16th; the folders of the 16th and
        # (late deliveries) the 17th are listed, the 15th's never.
        flags = ("--since", "2024-01-16", "--until", "2024-01-16")
        s3 = self.scan_s3("s3://%s/AWSLogs/" % BUCKET, *flags)
        local = self.scan_local(self.keys_where(days=("2024-01-16", "2024-01-17")), *flags)
        self.assertSameAlerts(s3, local)
        self.assertNoBucketWideListing()
        day_listings = [p for p in self.listed_prefixes() if re.search(r"/\d{4}/\d\d/\d\d/$", p)]
        self.assertTrue(day_listings)
        self.assertEqual({p[-11:] for p in day_listings}, {"2024/01/16/", "2024/01/17/"})
        self.assertTrue(all("/2024/01/15/" not in k for k in self.fetched_keys()))

    def test_since_until_times(self):
        flags = ("--since", "2024-01-15T12:00:00Z", "--until", "2024-01-17T06:00:00Z")
        s3 = self.scan_s3("s3://%s/" % BUCKET, *flags)
        local = self.scan_local(self.keys_where(days=DAYS), *flags)
        self.assertSameAlerts(s3, local)
        self.assertNoBucketWideListing()

    def test_account_and_region_filters(self):
        flags = ("--account", "123456789012", "--region", "us-west-2")
        s3 = self.scan_s3("s3://%s/AWSLogs/" % BUCKET, *flags)
        local = self.scan_local(self.keys_where(accounts=("123456789012",), regions=("us-west-2",)))
        self.assertSameAlerts(s3, local)
        prefixes = self.listed_prefixes()
        # With --region given, the region level itself is not listed.
        self.assertNotIn("AWSLogs/123456789012/CloudTrail/", prefixes)
        self.assertTrue(all("111111111111" not in p for p in prefixes[1:]), prefixes)
        self.assertTrue(all("/us-east-1/" not in k for k in self.fetched_keys()))

    def test_org_account_prefix_in_uri(self):
        s3 = self.scan_s3("s3://%s/AWSLogs/o-a1b2c3d4e5/111111111111/CloudTrail/" % BUCKET)
        local = self.scan_local(self.keys_where(accounts=("111111111111",)))
        self.assertSameAlerts(s3, local)

    def test_fetch_concurrency_one_gives_the_same_output(self):
        a = self.scan_s3("s3://%s/" % BUCKET, "--fetch-concurrency", "1", "--threads", "1")
        b = self.scan_s3("s3://%s/" % BUCKET, "--fetch-concurrency", "16", "--threads", "4")
        self.assertEqual(a.stdout, b.stdout)  # key order, whatever finished downloading first

    def test_prefix_outside_the_layout_lists_it_and_counts_digests(self):
        digest_folder = digest_keys(self.files)[0].rsplit("/", 1)[0] + "/"
        p = self.run_tw("scan", "--format", "json", "s3://%s/%s" % (BUCKET, digest_folder[:-1]))
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertIn("1 digest file skipped", p.stderr.decode())
        self.assertEqual(self.fetched_keys(), [])

    def test_aws_errors_reach_the_user_with_code_and_message(self):
        p = self.run_tw("scan", "s3://%s/" % BUCKET,
                        env=self.aws.env(AWS_SECRET_ACCESS_KEY="wrong-secret"))
        self.assertEqual(p.returncode, 1, p.stderr.decode())
        self.assertRegex(p.stderr.decode(),
                         r"trailwatch: error: S3 ListObjectsV2 s3://%s/AWSLogs/: "
                         r"SignatureDoesNotMatch: The request signature we calculated" % BUCKET)
        self.assertNotIn("wrong-secret", p.stderr.decode())
        p = self.run_tw("scan", "s3://no-such-bucket-tw/")
        self.assertEqual(p.returncode, 1, p.stderr.decode())
        self.assertIn("NoSuchBucket", p.stderr.decode())

    def test_usage_errors(self):
        p = self.run_tw("scan", "s3://%s/" % BUCKET, "--account", "12345")
        self.assertEqual(p.returncode, 2, p.stderr.decode())
        p = self.run_tw("scan", "--region", "us-east-1", self.local)
        self.assertEqual(p.returncode, 2, p.stderr.decode())


if __name__ == "__main__":
    unittest.main(verbosity=2)
