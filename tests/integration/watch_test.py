#!/usr/bin/env python3
"""End to end: `trailwatch watch` on a directory, delivering to the Slack stand-in
(tests/integration/standin/http_standin.py), with real SQLite on disk.

  (a) CloudTrail files dropped in -> one Slack request per expected alert; the expectation is the
      independent oracle tests/corpus_expectation/expected_alerts.py (rules_for), and one known
      alert's Block Kit message is checked field by field; `scan --config` over the same files
      gives the same alert ids (the backtest runs the same stages);
  (b) kill -9 several times mid-burst, restart each time: every expected alert delivered,
      duplicates at most one per sink per kill (docs/delivery.md);
  (c) SIGTERM drains the outbox within shutdown_grace and exits 0;
  (d) SIGHUP: a bad config is rejected and the old one keeps running; a good one changes
      behaviour;
  (e) a 4xx dead letter shows in `alerts list --failed`, and `alerts retry` sends it again;
  (g) SIGHUP swaps a rule, a sink and a source at once; a config whose sink cannot be built, or
      that moves the state file, is rejected whole and the running one keeps alerting;
  (h) hostile Slacks through the whole binary: a 429 storm (Retry-After honoured, read from the
      request log), a Slack that hangs (timeouts, then delivery; SIGTERM still exits within the
      grace), a dead Slack (connection refused) that comes back, and a full disk under the state
      file (a tmpfs; root only): reported, nothing already accepted is lost or sent twice.

No fixed sleeps: every wait polls a condition with a deadline.
"""

import gzip
import importlib.util
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from twtest import REPO, TRAILWATCH  # noqa: E402

STANDIN = os.path.join(REPO, "tests", "integration", "standin", "http_standin.py")
CORPUS_FILES = os.path.join(REPO, "tests", "data", "corpus", "files")
SAMPLES = os.path.join(REPO, "samples", "AWSLogs")
DEADLINE = 90  # seconds, for any one condition

_spec = importlib.util.spec_from_file_location(
    "expected_alerts", os.path.join(REPO, "tests", "corpus_expectation", "expected_alerts.py"))
ORACLE = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ORACLE)

ALERT_ID = re.compile(r"alert `([0-9a-f]{32})`")


def wait_for(cond, what, deadline=DEADLINE):
    end = time.monotonic() + deadline
    while True:
        got = cond()
        if got:
            return got
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)  # a polling step, not a wait for an event


class Standin:
    def __init__(self, port=0):
        self.proc = subprocess.Popen(["/usr/bin/python3", STANDIN, "--port", str(port)],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"LISTENING (\d+)", line)
        if not m:
            self.proc.kill()
            raise RuntimeError("stand-in did not start: %r" % line)
        self.port = int(m.group(1))
        self.url = "http://127.0.0.1:%d" % self.port

    def requests(self):
        with urllib.request.urlopen(self.url + "/_requests", timeout=10) as r:
            return [q for q in json.loads(r.read()) if q["path"].startswith("/services/")]

    def script(self, answers):
        req = urllib.request.Request(self.url + "/_script", data=json.dumps(answers).encode(),
                                     method="POST")
        urllib.request.urlopen(req, timeout=10).read()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()


def alert_ids(requests):
    ids = []
    for q in requests:
        m = ALERT_ID.search(q["body"])
        ids.append(m.group(1) if m else None)
    return ids


def blocks_of(request):
    """The Block Kit blocks of a webhook request (in the attachment that carries the colour)."""
    return json.loads(request["body"])["attachments"][0]["blocks"]


def context_text(request):
    """The text of the message's context blocks (rule, alert id, input file and record)."""
    return "\n".join(e.get("text", "") for b in blocks_of(request) if b["type"] == "context"
                     for e in b["elements"])


def record(event_id, name="StopLogging", user="alice", when="2024-03-01T12:00:00Z",
           region="eu-west-1", ip="198.51.100.7", **extra):
    r = {"eventVersion": "1.08",
         "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE",
                          "arn": "arn:aws:iam::111122223333:user/" + user,
                          "accountId": "111122223333", "userName": user},
         "eventTime": when, "eventSource": "cloudtrail.amazonaws.com", "eventName": name,
         "awsRegion": region, "sourceIPAddress": ip, "userAgent": "aws-cli/2.15.0",
         "requestParameters": {"name": "arn:aws:cloudtrail:%s:111122223333:trail/main" % region},
         "responseElements": None, "eventID": event_id, "readOnly": False,
         "eventType": "AwsApiCall", "recipientAccountId": "111122223333"}
    r.update(extra)
    return r


class WatchRun:
    """A temp directory with incoming/, a config, and a `watch` process (restartable)."""

    def __init__(self, standin, extra_config="", sink_rules=None, grace="10s", sink_extra="",
                 state="state.db"):
        self.sink_extra = sink_extra
        self.state = state
        self.tmp = tempfile.mkdtemp(prefix="tw-watch-")
        self.incoming = os.path.join(self.tmp, "incoming")
        os.mkdir(self.incoming)
        self.staging = os.path.join(self.tmp, "staging")
        os.mkdir(self.staging)
        self.config = os.path.join(self.tmp, "trailwatch.yml")
        self.standin = standin
        self.sink_rules = sink_rules
        self.grace = grace
        self.write_config(extra_config)
        self.proc = None
        self.logs = []
        self.dropped = 0

    def config_text(self, extra=""):
        rules = ""
        if self.sink_rules is not None:
            rules = "    rules: [%s]\n" % ", ".join(self.sink_rules)
        return ("state: {path: %s}\n"
                "shutdown_grace: %s\n"
                "sources:\n  - {type: dir, path: incoming}\n"
                "sinks:\n  - type: slack\n    webhook_url: \"%s/services/T0/B0/XXXX\"\n%s%s"
                "%s") % (self.state, self.grace, self.standin.url, rules, self.sink_extra, extra)

    def write_config(self, extra="", raw=None):
        text = raw if raw is not None else self.config_text(extra)
        tmp = self.config + ".new"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.config)

    def start(self):
        log = open(os.path.join(self.tmp, "watch-%d.log" % len(self.logs)), "w+b")
        self.logs.append(log)
        self.proc = subprocess.Popen([TRAILWATCH, "watch", "--config", self.config],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=log)
        wait_for(lambda: b"watching with" in self.log() or self.proc.poll() is not None,
                 "watch to start")
        if self.proc.poll() is not None:
            raise AssertionError("watch exited at start:\n" + self.log().decode(errors="replace"))

    def log(self):
        with open(self.logs[-1].name, "rb") as f:
            return f.read()

    def all_logs(self):
        out = b""
        for log in self.logs:
            with open(log.name, "rb") as f:
                out += f.read()
        return out.decode(errors="replace")

    def drop(self, name, data, into=None):
        """Writes a file outside the directory and renames it in (complete when it appears)."""
        path = os.path.join(self.staging, name)
        with open(path, "wb") as f:
            f.write(data)
        os.rename(path, os.path.join(into or self.incoming, name))
        self.dropped += 1

    def drop_records(self, name, records, into=None):
        self.drop(name, gzip.compress(json.dumps({"Records": records}).encode()), into)

    def rows(self, which="--pending"):
        out = subprocess.run([TRAILWATCH, "alerts", "list", which, "--format", "json",
                              "--config", self.config], capture_output=True, timeout=30)
        if out.returncode != 0:
            raise AssertionError(out.stderr.decode(errors="replace"))
        return [json.loads(l) for l in out.stdout.decode().splitlines() if l.strip()]

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait_exit(self, timeout):
        return self.proc.wait(timeout=timeout)

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for log in self.logs:
            log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def sample_files():
    out = []
    for root in (CORPUS_FILES, SAMPLES):
        for dirpath, _, names in os.walk(root):
            for n in sorted(names):
                if n.endswith(".json.gz"):
                    out.append(os.path.join(dirpath, n))
    return sorted(out)


def expected_for(paths):
    """{(basename, record index): ({rule ids}, eventID)} from the independent oracle."""
    exp = {}
    for p in paths:
        with gzip.open(p, "rb") as f:
            doc = json.loads(f.read())
        for i, rec in enumerate(doc.get("Records", [])):
            hits = ORACLE.rules_for(rec) if isinstance(rec, dict) else set()
            if hits:
                exp[(os.path.basename(p), i)] = (set(hits), rec.get("eventID"))
    return exp


class WatchTest(unittest.TestCase):
    def setUp(self):
        self.standin = Standin()
        self.runs = []

    def tearDown(self):
        for r in self.runs:
            r.close()
        self.standin.stop()

    def new_run(self, **kw):
        r = WatchRun(self.standin, **kw)
        self.runs.append(r)
        return r

    # (a) + (f)
    def test_files_dropped_in_reach_slack_and_match_the_backtest(self):
        run = self.new_run(sink_rules=ORACLE.CHECKED_RULES)
        run.start()
        files = sample_files()
        self.assertGreaterEqual(len(files), 10)
        for p in files:
            with open(p, "rb") as f:
                run.drop(os.path.basename(p), f.read())
        known = record("e0000000-0000-4000-8000-00000000c0de", user="<!channel>")
        run.drop_records("known.json.gz", [known])
        exp = expected_for(files)
        # The oracle's (rule, eventID) pairs. Alert ids come from rule, eventID and dedupe key
        # (docs/alerting.md), so records that share an eventID (the synthetic samples reuse "1")
        # may be one alert: each expected pair must arrive, and nothing the oracle rules out.
        want_pairs = {(r, eid) for (f, i), (rules, eid) in exp.items() for r in rules}
        want_pairs.add(("cloudtrail-change", known["eventID"]))
        event_ids = {(f, i): eid for (f, i), (rules, eid) in exp.items()}
        event_ids[("known.json.gz", 0)] = known["eventID"]
        allowed = {(f, i, r) for (f, i), (rules, eid) in exp.items() for r in rules}
        allowed.add(("known.json.gz", 0, "cloudtrail-change"))

        def pairs(requests):
            out = set()
            for q in requests:
                m = re.search(r"rule `([a-z0-9-]+)` · alert `[0-9a-f]+` · `[^`]*?([^/`]+)` "
                              r"record (\d+)", context_text(q))
                if m:  # the message counts records from 1, the oracle from 0
                    out.add((m.group(1), event_ids.get((m.group(2), int(m.group(3)) - 1))))
            return out

        wait_for(lambda: want_pairs <= pairs(self.standin.requests()),
                 "%d expected (rule, eventID) pairs in Slack" % len(want_pairs))
        # SIGTERM drains the outbox: anything still pending would arrive before the exit.
        run.signal(signal.SIGTERM)
        self.assertEqual(run.wait_exit(60), 0, run.all_logs())
        got = self.standin.requests()
        ids = alert_ids(got)
        self.assertNotIn(None, ids)
        self.assertEqual(len(ids), len(set(ids)), "no alert was sent twice")
        self.assertEqual(pairs(got), want_pairs)
        for q in got:
            m = re.search(r"rule `([a-z0-9-]+)` · alert `[0-9a-f]+` · `[^`]*?([^/`]+)` record (\d+)",
                          context_text(q))
            self.assertIsNotNone(m, q["body"][:500])
            self.assertIn((m.group(2), int(m.group(3)) - 1, m.group(1)), allowed)
        print("\nwatch on %d files: %d Slack requests, %d expected (rule, eventID) pairs"
              % (len(files) + 1, len(got), len(want_pairs)), file=sys.stderr)

        # The known alert's Block Kit message.
        [q] = [q for q in got if "known.json.gz" in q["body"]]
        self.assertEqual(q["method"], "POST")
        self.assertEqual(q["path"], "/services/T0/B0/XXXX")
        msg = json.loads(q["body"])
        self.assertIn("CloudTrail trail changed or stopped", msg["text"])  # the fallback text
        blocks = blocks_of(q)
        self.assertTrue(msg["attachments"][0]["color"].startswith("#"))
        header = [b for b in blocks if b["type"] == "header"]
        self.assertEqual(len(header), 1)
        self.assertIn("CloudTrail trail changed or stopped", header[0]["text"]["text"])
        body = json.dumps(blocks)
        for text in ("StopLogging", "198.51.100.7", "111122223333", "eu-west-1"):
            self.assertIn(text, body)
        # The hostile user name is shown as text, never as a mention.
        self.assertNotIn("<!channel>", q["body"])
        self.assertIn("&lt;!channel&gt;", q["body"])
        buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
        self.assertEqual(len(buttons), 1)
        # AWS CloudTrail User Guide, "Viewing CloudTrail events in the CloudTrail console":
        # https://<region>.console.aws.amazon.com/cloudtrailv2/home?region=<region>#/events/<id>
        self.assertEqual(buttons[0]["url"],
                         "https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home"
                         "?region=eu-west-1#/events/e0000000-0000-4000-8000-00000000c0de")

        # (f) The backtest: scan --config over the same files gives the same alert ids.
        for p in files:
            shutil.copy(p, run.staging)
        with open(os.path.join(run.staging, "known.json.gz"), "wb") as f:
            f.write(gzip.compress(json.dumps({"Records": [known]}).encode()))
        scan = subprocess.run([TRAILWATCH, "scan", "--config", run.config, "--format", "json",
                               run.staging], capture_output=True, timeout=120)
        self.assertEqual(scan.returncode, 0, scan.stderr.decode(errors="replace"))
        alerts = [json.loads(l) for l in scan.stdout.decode().splitlines() if l.strip()]
        scan_ids = {a["id"] for a in alerts if a["rule_id"] in ORACLE.CHECKED_RULES}
        self.assertEqual(scan_ids, set(ids))
        for a in alerts:
            self.assertIn("processing", a)
            self.assertGreaterEqual(a["processing"]["dedupe_count"], 1)

    # (b)
    def test_kill_9_mid_burst_loses_nothing(self):
        kills = 5
        files, per_file = 40, 10
        run = self.new_run(sink_rules=["cloudtrail-change"])
        # Slack answers after 10 ms, so the burst lasts long enough to be killed in.
        self.standin.script([{"delay": 0.01, "status": 200}] * (files * per_file * 3))
        run.start()
        expected = set()
        for f in range(files):
            recs = []
            for i in range(per_file):
                eid = "k%03d%03d-0000-4000-8000-000000000000" % (f, i)
                recs.append(record(eid, user="user%d" % (i % 3),
                                   when="2024-03-01T12:%02d:%02dZ" % (f % 60, i)))
                expected.add(("burst-%03d.json.gz" % f, i))
            run.drop_records("burst-%03d.json.gz" % f, recs)
        rng = random.Random(7)
        killed = 0
        while killed < kills:
            # Kill at a random moment while requests are still arriving.
            before = len(self.standin.requests())
            target = before + rng.randint(5, 40)
            wait_for(lambda: len(self.standin.requests()) >= target or
                     len(set(alert_ids(self.standin.requests()))) >= len(expected),
                     "progress before kill %d" % (killed + 1))
            if len(set(alert_ids(self.standin.requests()))) >= len(expected):
                break
            run.proc.kill()  # SIGKILL
            run.proc.wait()
            killed += 1
            run.start()
        wait_for(lambda: len(set(alert_ids(self.standin.requests()))) >= len(expected),
                 "every alert delivered")
        run.signal(signal.SIGTERM)
        self.assertEqual(run.wait_exit(60), 0)
        got = self.standin.requests()
        ids = alert_ids(got)
        seen = set()
        for q in got:
            m = re.search(r"`[^`]*?(burst-\d+\.json\.gz)` record (\d+)", context_text(q))
            seen.add((m.group(1), int(m.group(2)) - 1))  # 1-based in the message
        duplicates = len(ids) - len(set(ids))
        print("\nkill -9 test: kills=%d alerts_expected=%d delivered_distinct=%d requests=%d "
              "duplicates=%d" % (killed, len(expected), len(set(ids)), len(ids), duplicates),
              file=sys.stderr)
        self.assertGreaterEqual(killed, 3, "the burst ended before the kills")
        self.assertEqual(seen, expected)
        self.assertEqual(len(set(ids)), len(expected))
        self.assertLessEqual(duplicates, killed)  # at most one per sink (one sink) per kill

    # (c)
    def test_sigterm_drains_within_the_grace_and_exits_0(self):
        run = self.new_run(sink_rules=["cloudtrail-change"], grace="10s")
        n = 20
        self.standin.script([{"delay": 0.1, "status": 200}] * n)
        run.start()
        run.drop_records("drain.json.gz", [record("d%07d-0000-4000-8000-000000000000" % i)
                                           for i in range(n)])
        wait_for(lambda: len(self.standin.requests()) >= 1, "the first request")
        start = time.monotonic()
        run.signal(signal.SIGTERM)
        rc = run.wait_exit(30)
        took = time.monotonic() - start
        self.assertEqual(rc, 0, run.all_logs())
        self.assertLess(took, 12, "drained within the 10 s grace (+ margin)")
        self.assertEqual(len(set(alert_ids(self.standin.requests()))), n, run.all_logs())
        self.assertIn("SIGTERM: stopping", run.all_logs())

    def test_damaged_record_warning_escapes_the_file_name(self):
        # A file name is attacker-controlled (an S3 key, a dropped file): the log line that
        # reports its damaged record must not carry a raw ESC to the operator's terminal.
        run = self.new_run(sink_rules=["cloudtrail-change"])
        run.start()
        name = "evil\x1b[2J\x1b]0;owned\x07.json"
        good = json.dumps(record("e1000000-0000-4000-8000-000000000001"))
        run.drop(name, ("%s\n{\"eventName\": oops}\n" % good).encode())
        wait_for(lambda: b"warning" in run.log(), "the damaged record's warning")
        wait_for(lambda: len(self.standin.requests()) >= 1, "the good record's alert")
        log = run.log()
        self.assertNotIn(b"\x1b", log)
        self.assertNotIn(b"\x07", log)
        line = [l for l in log.decode().splitlines() if "warning" in l][0]
        self.assertIn("evil\\x1b[2J\\x1b]0;owned\\x07.json", line)
        self.assertIn("line 2", line)

    def test_sigterm_exits_at_the_grace_when_slack_hangs(self):
        run = self.new_run(sink_rules=["cloudtrail-change"], grace="2s")
        self.standin.script([{"status": 500}] * 1000)
        run.start()
        run.drop_records("down.json.gz", [record("f0000000-0000-4000-8000-000000000001")])
        wait_for(lambda: len(self.standin.requests()) >= 1, "the first (failing) attempt")
        start = time.monotonic()
        run.signal(signal.SIGTERM)
        self.assertEqual(run.wait_exit(30), 0, run.all_logs())
        self.assertLess(time.monotonic() - start, 10)
        # Still pending in the outbox for the next start.
        out = subprocess.run([TRAILWATCH, "alerts", "list", "--pending", "--format", "json",
                              "--config", run.config], capture_output=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        rows = [json.loads(l) for l in out.stdout.decode().splitlines() if l.strip()]
        self.assertEqual(len(rows), 1)
        self.assertIn("500", rows[0]["last_error"])

    # (d)
    def test_sighup_rejects_a_bad_config_and_applies_a_good_one(self):
        run = self.new_run(sink_rules=["cloudtrail-change", "iam-policy-change"])
        run.start()
        good_text = run.config_text()
        run.write_config(raw=good_text + "bogus_key: 1\n")
        run.signal(signal.SIGHUP)
        wait_for(lambda: b"reload rejected" in run.log(), "the rejection")
        self.assertIn("bogus_key", run.log().decode(errors="replace"))
        run.drop_records("one.json.gz", [record("a0000000-0000-4000-8000-000000000001")])
        wait_for(lambda: len(self.standin.requests()) >= 1, "an alert under the old config")
        # A good config that turns cloudtrail-change off.
        run.write_config(raw=good_text + "overrides:\n  cloudtrail-change: {enabled: false}\n")
        run.signal(signal.SIGHUP)
        wait_for(lambda: b"reloaded:" in run.log(), "the reload")
        run.drop_records("two.json.gz", [
            record("a0000000-0000-4000-8000-000000000002"),
            record("a0000000-0000-4000-8000-000000000003", name="DeleteRolePolicy")])
        wait_for(lambda: len(self.standin.requests()) >= 2, "the iam-policy-change alert")
        wait_for(lambda: b"two.json.gz: 2 events" in run.log(), "the batch's log line")
        # SIGTERM drains the outbox: a cloudtrail-change alert of two.json.gz would arrive now.
        run.signal(signal.SIGTERM)
        self.assertEqual(run.wait_exit(60), 0)
        bodies = [q["body"] for q in self.standin.requests()]
        self.assertEqual(len(bodies), 2)
        self.assertIn("cloudtrail-change", bodies[0])
        self.assertIn("iam-policy-change", bodies[1])

    # (e)
    def test_dead_letter_is_listed_and_retried(self):
        run = self.new_run(sink_rules=["cloudtrail-change"])
        self.standin.script([{"status": 404, "body": "no_service"}])
        run.start()
        run.drop_records("dl.json.gz", [record("b0000000-0000-4000-8000-000000000001")])

        def failed_rows():
            out = subprocess.run([TRAILWATCH, "alerts", "list", "--failed", "--format", "json",
                                  "--state", os.path.join(run.tmp, "state.db")],
                                 capture_output=True, timeout=30)
            self.assertEqual(out.returncode, 0, out.stderr)
            return [json.loads(l) for l in out.stdout.decode().splitlines() if l.strip()]

        rows = wait_for(failed_rows, "the dead letter")
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["sink"], "slack")
        self.assertEqual(rows[0]["rule_id"], "cloudtrail-change")
        self.assertIn("no_service", rows[0]["last_error"])
        text = subprocess.run([TRAILWATCH, "alerts", "list", "--config", run.config],
                              capture_output=True, timeout=30)
        self.assertIn(rows[0]["alert_id"], text.stdout.decode())
        self.assertIn("failed", text.stdout.decode())
        retry = subprocess.run([TRAILWATCH, "alerts", "retry", rows[0]["alert_id"],
                                "--config", run.config], capture_output=True, timeout=30)
        self.assertEqual(retry.returncode, 0, retry.stderr)
        self.assertIn(b"1 row back to pending", retry.stdout)
        wait_for(lambda: len(self.standin.requests()) >= 2, "the retried delivery")
        self.assertEqual(failed_rows(), [])
        again = subprocess.run([TRAILWATCH, "alerts", "retry", "--all-failed",
                                "--config", run.config], capture_output=True, timeout=30)
        self.assertEqual(again.returncode, 1)  # nothing left to revive
        run.signal(signal.SIGTERM)
        self.assertEqual(run.wait_exit(60), 0)
        ids = alert_ids(self.standin.requests())
        self.assertEqual(ids[0], ids[1])
        self.assertEqual(ids[0], rows[0]["alert_id"])


def eid(prefix, i):
    return "%s%07d-0000-4000-8000-000000000000" % (prefix, i)


class ReloadTest(unittest.TestCase):
    """(g) SIGHUP over the whole config."""

    def setUp(self):
        self.standin = Standin()
        self.run_ = WatchRun(self.standin, sink_rules=["cloudtrail-change", "iam-policy-change"])

    def tearDown(self):
        self.run_.close()
        self.standin.stop()

    def at(self, path):
        return [q for q in self.standin.requests() if q["path"] == path]

    def test_sighup_swaps_a_rule_a_sink_and_a_source_and_rejects_a_bad_config_whole(self):
        run = self.run_
        run.start()
        run.drop_records("one.json.gz", [record(eid("a", 1))])
        wait_for(lambda: len(self.at("/services/T0/B0/XXXX")) == 1, "an alert under the old config")

        incoming2 = os.path.join(run.tmp, "incoming2")
        os.mkdir(incoming2)
        alerts_file = os.path.join(run.tmp, "alerts.ndjson")
        new = ("state: {path: state.db}\n"
               "sources:\n  - {type: dir, path: incoming2}\n"
               "sinks:\n"
               "  - type: slack\n    webhook_url: \"%s/services/T0/B0/YYYY\"\n"
               "    rules: [cloudtrail-change, iam-policy-change]\n"
               "  - {type: file, path: alerts.ndjson, fsync: never}\n"
               "overrides:\n  cloudtrail-change: {enabled: false}\n") % self.standin.url
        run.write_config(raw=new)
        run.signal(signal.SIGHUP)
        wait_for(lambda: b"reloaded:" in run.log(), "the reload")
        self.assertIn("sinks: 0 kept, 2 started, 1 stopped; sources: 0 kept, 1 started, 1 stopped",
                      run.log().decode(errors="replace"))
        # The new directory is watched, with the new rule policy, into the new sinks.
        run.drop_records("two.json.gz", [record(eid("a", 2)),
                                         record(eid("a", 3), name="DeleteRolePolicy")],
                         into=incoming2)
        wait_for(lambda: len(self.at("/services/T0/B0/YYYY")) == 1, "the alert in the new sink")
        # The old directory is not watched any more.
        run.drop_records("old.json.gz", [record(eid("a", 4), name="DeleteRolePolicy")])

        # A config that parses but whose new sink cannot start (a file in a missing folder), and
        # that would also move Slack: rejected whole.
        bad_sink = new.replace("/services/T0/B0/YYYY", "/services/T0/B0/ZZZZ").replace(
            "path: alerts.ndjson", "path: missing/dir/alerts.ndjson")
        run.write_config(raw=bad_sink)
        run.signal(signal.SIGHUP)
        wait_for(lambda: run.log().count(b"reload rejected") >= 1, "the first rejection")
        # A config that moves the state file: refused, restart needed.
        run.write_config(raw=new.replace("state.db", "other.db"))
        run.signal(signal.SIGHUP)
        wait_for(lambda: run.log().count(b"reload rejected") >= 2, "the second rejection")
        # A config that does not parse.
        run.write_config(raw=new + "bogus_key: 1\n")
        run.signal(signal.SIGHUP)
        wait_for(lambda: run.log().count(b"reload rejected") >= 3, "the third rejection")
        log = run.log().decode(errors="replace")
        self.assertIn("missing/dir/alerts.ndjson", log)
        self.assertIn("restart", log)
        self.assertIn("bogus_key", log)
        # The running config still alerts, to YYYY and the file.
        run.drop_records("three.json.gz", [record(eid("a", 5), name="DeleteRolePolicy")],
                         into=incoming2)
        wait_for(lambda: len(self.at("/services/T0/B0/YYYY")) == 2, "an alert after the rejections")
        run.signal(signal.SIGTERM)
        self.assertEqual(run.wait_exit(60), 0, run.all_logs())
        self.assertEqual(len(self.at("/services/T0/B0/XXXX")), 1)
        self.assertEqual(self.at("/services/T0/B0/ZZZZ"), [])
        bodies = [q["body"] for q in self.at("/services/T0/B0/YYYY")]
        self.assertTrue(all("iam-policy-change" in b for b in bodies), bodies)
        self.assertNotIn("old.json.gz", "".join(bodies))
        with open(alerts_file) as f:
            lines = [json.loads(l) for l in f if l.strip()]
        # scan --format json's object: the record's fields survive the outbox.
        # Every rule's alerts reach the file (it has no filter): the events read after the swap,
        # from the new folder only.
        self.assertEqual({a["event_id"] for a in lines}, {eid("a", 2), eid("a", 3), eid("a", 5)})
        self.assertNotIn("cloudtrail-change", {a["rule_id"] for a in lines})
        self.assertFalse(os.path.exists(os.path.join(run.tmp, "other.db")))


def answered(requests, script):
    """The status each request got: the script's answers in order, then the default 200."""
    out = []
    for i, _ in enumerate(requests):
        out.append(script[i]["status"] if i < len(script) and "status" in script[i] else
                   ("hang" if i < len(script) else 200))
    return out


class HostileSlackTest(unittest.TestCase):
    """(h) The whole binary against a Slack that rate-limits, hangs, dies or whose disk fills."""

    def setUp(self):
        self.standin = Standin()
        self.runs = []
        self.mounted = None

    def tearDown(self):
        for r in self.runs:
            r.close()
        self.standin.stop()
        if self.mounted:
            subprocess.run(["umount", "-l", self.mounted])

    def new_run(self, standin=None, **kw):
        r = WatchRun(standin or self.standin, sink_rules=["cloudtrail-change"], **kw)
        self.runs.append(r)
        return r

    def test_429_storm_delivers_everything_and_honours_retry_after(self):
        n = 10
        rate_limited = {"status": 429, "headers": {"Retry-After": "1"}, "body": "rate_limited"}
        script = ([rate_limited] * 3 + [{"status": 200}, rate_limited] * 3)
        self.standin.script(script)
        run = self.new_run()
        run.start()
        run.drop_records("storm.json.gz", [record(eid("s", i)) for i in range(n)])
        wait_for(lambda: len(self.standin.requests()) >= n + 6, "every alert through the storm")
        run.signal(signal.SIGTERM)
        self.assertEqual(run.wait_exit(60), 0, run.all_logs())
        got = self.standin.requests()
        ids = alert_ids(got)
        status = answered(got, script)
        delivered = [i for i, st in zip(ids, status) if st == 200]
        print("\n429 storm: alerts=%d requests=%d rate_limited=%d delivered=%d distinct=%d"
              % (n, len(got), status.count(429), len(delivered), len(set(delivered))),
              file=sys.stderr)
        self.assertEqual(len(got), n + 6)  # one request per alert, plus one per 429
        self.assertEqual(len(delivered), n)
        self.assertEqual(len(set(delivered)), n, "no alert delivered twice")
        for k in range(len(got) - 1):
            if status[k] == 429:
                # The same alert is retried (it keeps its place), and not before Retry-After.
                self.assertEqual(ids[k + 1], ids[k])
                self.assertGreaterEqual(got[k + 1]["t"] - got[k]["t"], 0.95,
                                        "request %d came before Retry-After" % (k + 1))

    def test_slack_that_hangs_times_out_then_delivers_and_sigterm_keeps_the_grace(self):
        run = self.new_run(sink_extra="    timeout: 1s\n", grace="2s")
        script = [{"hang": True, "seconds": 4}] * 2
        self.standin.script(script)
        run.start()
        run.drop_records("hang.json.gz", [record(eid("h", i)) for i in range(3)])
        wait_for(lambda: len(self.standin.requests()) >= 5, "two hangs, then three deliveries")
        got = self.standin.requests()
        ids = alert_ids(got)
        self.assertEqual(ids[0], ids[1])  # the hung alert is retried first
        self.assertEqual(ids[1], ids[2])
        self.assertEqual(sorted(set(ids[2:])), sorted(set(ids)))
        self.assertEqual(len(ids[2:]), 3, "each alert delivered once")
        rows = run.rows("--delivered")
        first = [r for r in rows if r["alert_id"] == ids[0]]
        self.assertEqual(first[0]["attempts"], 3, first)  # two timeouts and the delivery
        # Now Slack hangs for good: SIGTERM still ends within the 2 s grace (+ the loop's margin).
        self.standin.script([{"hang": True, "seconds": 60}] * 10)
        run.drop_records("hang2.json.gz", [record(eid("h", 9))])
        wait_for(lambda: len(self.standin.requests()) >= 6, "the request that hangs")
        start = time.monotonic()
        run.signal(signal.SIGTERM)
        self.assertEqual(run.wait_exit(30), 0, run.all_logs())
        took = time.monotonic() - start
        print("\nhanging Slack: shutdown took %.1f s with a 2 s grace and a 1 s timeout" % took,
              file=sys.stderr)
        self.assertLess(took, 5)
        pending = run.rows("--pending")
        self.assertEqual([r["alert_id"] for r in pending], [alert_ids(self.standin.requests())[5]])

    def test_dead_slack_then_back_delivers_everything(self):
        dead = Standin()
        port = dead.port
        dead.stop()  # nothing listens there now: connection refused
        run = self.new_run(standin=dead)
        run.start()
        run.drop_records("dead.json.gz", [record(eid("d", i)) for i in range(3)])
        rows = wait_for(lambda: [r for r in run.rows("--pending") if r["attempts"] >= 2],
                        "two refused attempts")
        self.assertTrue(rows[0]["last_error"], rows)
        back = Standin(port=port)
        try:
            wait_for(lambda: len(back.requests()) >= 3, "delivery once Slack is back")
            run.signal(signal.SIGTERM)
            self.assertEqual(run.wait_exit(60), 0, run.all_logs())
            ids = alert_ids(back.requests())
            print("\ndead Slack: %d refused attempts on the first alert, then %d requests for 3 "
                  "alerts" % (rows[0]["attempts"], len(ids)), file=sys.stderr)
            self.assertEqual(len(ids), 3)
            self.assertEqual(len(set(ids)), 3)
            self.assertEqual(run.rows("--pending"), [])
        finally:
            back.stop()

    @unittest.skipUnless(os.geteuid() == 0 and shutil.which("mount"), "needs root for a tmpfs")
    def test_full_disk_under_the_state_file_is_reported_and_loses_nothing(self):
        probe = tempfile.mkdtemp(prefix="tw-fs-")
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", probe]).returncode:
            os.rmdir(probe)
            self.skipTest("cannot mount a tmpfs here")
        self.mounted = probe
        run = self.new_run(state=os.path.join(probe, "state.db"))
        # Slow answers: alerts are still pending when the disk fills.
        self.standin.script([{"delay": 0.2, "status": 200}] * 1000)
        run.start()
        first = [record(eid("f", i), user="u%d" % i) for i in range(5)]
        run.drop_records("first.json.gz", first)
        wait_for(lambda: re.search(rb"first\.json\.gz: 5 events, \d+ alert\(s\) committed",
                                   run.log()), "the first file committed")
        filler = os.path.join(probe, "filler")
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)  # fill it to the last byte
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
        os.close(fd)
        big = [record(eid("g", i), user="v%d" % i, userAgent="x" * 2000) for i in range(300)]
        run.drop_records("second.json.gz", big)
        wait_for(lambda: b"NOT committed" in run.log(), "the commit failure reported")
        log = run.log().decode(errors="replace")
        self.assertIn("second.json.gz", log)
        self.assertRegex(log, r"disk is full|No space")
        os.unlink(filler)  # space again
        wanted = {eid("f", i) for i in range(5)} | {eid("g", i) for i in range(300)}

        def delivered_ids():
            return {m.group(1) for q in self.standin.requests()
                    for m in [re.search(r"([fg]\d{7}-0000-4000-8000-000000000000)", q["body"])]
                    if m}

        self.standin.script([])  # answer at once now
        wait_for(lambda: delivered_ids() >= wanted, "every alert after the disk has space", 180)
        run.signal(signal.SIGTERM)
        rc = run.wait_exit(60)
        self.assertEqual(rc, 1, "the state store failed while running: exit 1\n" + run.all_logs())
        ids = alert_ids(self.standin.requests())
        print("\nfull disk: %d alerts expected, %d distinct delivered, %d requests, duplicates %d"
              % (len(wanted), len(set(ids)), len(ids), len(ids) - len(set(ids))), file=sys.stderr)
        self.assertEqual(len(ids), len(set(ids)), "no alert sent twice")


def login(event_id, when, ip="198.51.100.7"):
    return {"eventVersion": "1.08",
            "userIdentity": {"type": "IAMUser", "accountId": "111122223333", "userName": "alice",
                             "arn": "arn:aws:iam::111122223333:user/alice"},
            "eventTime": when, "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
            "awsRegion": "us-east-1", "sourceIPAddress": ip, "userAgent": "Mozilla/5.0",
            "requestParameters": None, "responseElements": {"ConsoleLogin": "Success"},
            "additionalEventData": {"MFAUsed": "Yes"}, "eventID": event_id,
            "eventType": "AwsConsoleSignIn", "recipientAccountId": "111122223333"}


class ScanTest(unittest.TestCase):
    """scan's schedule decision (plain: the rule's own schedule in UTC), its filters, and
    scan --config with the config's time zone and suppress."""

    # 2024-03-01 is a Friday, 2024-03-02 a Saturday.
    EVENTS = [login("fri-1200", "2024-03-01T12:00:00Z"),   # Fri 12:00 UTC: inside
              login("fri-2159", "2024-03-01T21:59:59Z"),   # Fri 21:59:59 UTC: inside
              login("fri-2200", "2024-03-01T22:00:00Z"),   # Fri 22:00 UTC: outside (end excl.)
              login("sat-1200", "2024-03-02T12:00:00Z", ip="10.1.2.3")]  # Saturday: outside

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tw-scan-")
        self.input = os.path.join(self.tmp, "logins.json")
        with open(self.input, "w") as f:
            json.dump({"Records": self.EVENTS}, f)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def scan(self, *args):
        proc = subprocess.run([TRAILWATCH, "scan", "--format", "json", *args, self.input],
                              capture_output=True, timeout=60)
        alerts = [json.loads(l) for l in proc.stdout.decode().splitlines() if l.strip()]
        return proc, alerts

    def pairs(self, alerts):
        return sorted((a["rule_id"], a["event_id"]) for a in alerts
                      if a["rule_id"].startswith("console-login"))

    def test_plain_scan_applies_the_rules_own_schedule_in_utc(self):
        proc, alerts = self.scan()
        self.assertEqual(proc.returncode, 0, proc.stderr)
        got = self.pairs(alerts)
        self.assertEqual([e for r, e in got if r == "console-login-after-hours"],
                         ["fri-2200", "sat-1200"])
        self.assertEqual([e for r, e in got if r == "console-login-success"],
                         ["fri-1200", "fri-2159", "fri-2200", "sat-1200"])
        self.assertNotIn("id", alerts[0])  # plain scan: no stages that assign ids

    def test_rule_filters(self):
        proc, alerts = self.scan("--rule", "console-login-after-hours")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual({a["rule_id"] for a in alerts}, {"console-login-after-hours"})
        proc, alerts = self.scan("--exclude-rule", "console-login-success",
                                 "--exclude-rule", "console-login-after-hours")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertFalse({"console-login-success", "console-login-after-hours"}
                         & {a["rule_id"] for a in alerts})
        proc, _ = self.scan("--rule", "no-such-rule")
        self.assertEqual(proc.returncode, 2)
        self.assertIn(b"no-such-rule", proc.stderr)

    def test_min_severity(self):
        proc, alerts = self.scan("--min-severity", "high")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        order = ["info", "low", "medium", "high", "critical"]
        self.assertTrue(alerts)
        self.assertTrue(all(order.index(a["severity"]) >= 3 for a in alerts), alerts)
        self.assertIn("console-login-after-hours", {a["rule_id"] for a in alerts})  # high

    def test_since_and_until_on_event_time(self):
        _, alerts = self.scan("--since", "2024-03-02", "--rule", "console-login-success")
        self.assertEqual(self.pairs(alerts), [("console-login-success", "sat-1200")])
        _, alerts = self.scan("--until", "2024-03-01", "--rule", "console-login-success")
        self.assertEqual([e for _, e in self.pairs(alerts)], ["fri-1200", "fri-2159", "fri-2200"])
        _, alerts = self.scan("--since", "2024-03-01T21:59:59Z", "--until", "2024-03-01T22:00:00Z",
                              "--rule", "console-login-success")
        self.assertEqual([e for _, e in self.pairs(alerts)], ["fri-2159"])
        proc, _ = self.scan("--since", "last tuesday")
        self.assertEqual(proc.returncode, 2)

    def test_scan_config_uses_the_config_time_zone_and_suppress(self):
        config = os.path.join(self.tmp, "trailwatch.yml")
        with open(config, "w") as f:
            f.write("timezone: Asia/Seoul\n"
                    "overrides:\n"
                    "  console-login-success: {suppress: [{field: sourceIPAddress, cidr: [10.0.0.0/8]}]}\n"
                    "sinks: [{type: stdout}]\n")
        proc, alerts = self.scan("--config", config)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        got = self.pairs(alerts)
        # KST = UTC+9: Fri 12:00Z = 21:00 KST (inside), 21:59:59Z and 22:00Z = Sat 06:59/07:00 KST
        # (outside: Saturday), Sat 12:00Z = Sat 21:00 KST (outside).
        self.assertEqual([e for r, e in got if r == "console-login-after-hours"],
                         ["fri-2159", "fri-2200", "sat-1200"])
        # The 10.1.2.3 sign-in is suppressed for console-login-success: not printed, counted.
        self.assertEqual([e for r, e in got if r == "console-login-success"],
                         ["fri-1200", "fri-2159", "fri-2200"])
        self.assertIn(b"suppressed: 1 alert", proc.stderr)
        for a in alerts:
            self.assertRegex(a["id"], r"^[0-9a-f]{32}$")
            self.assertEqual(a["processing"]["suppressed"], False)


if __name__ == "__main__":
    unittest.main(verbosity=2)
