"""`scan -` streams standard input that is not NDJSON (issue 8 item 10, issue 12 "Bounded memory").

`zcat AWSLogs/.../*.json.gz | trailwatch scan -` gives CloudTrail files back to back with nothing
between them; `cat *.json.gz | trailwatch scan -` gives a multi-member gzip. Both are read as they
arrive, document by document (and gzip member by member), in bounded memory:

- an alert comes out while stdin is still open, for concatenated documents and for gzip;
- 300+ MB of concatenated `{"Records":[...]}` documents, and the same as a multi-member gzip,
  give exactly the alerts put in (one StopLogging record per document: one cloudtrail-change
  alert each, at the record's known position, numbered on across documents as in one file) with the child's peak RSS (os.wait4) under 64 MiB
  plus the 8 MiB window (and the 4 MiB compressed buffer for gzip);
- a single-member gzip of NDJSON is cut into lines: a damaged line is named by its line number;
- damage between documents (garbage, a truncated last document) is reported with its location
  and every intact record is still read.
Every expected count comes from how the input was built, not from a run of trailwatch.
"""

import gzip
import json
import subprocess
import unittest
import zlib

from twtest import (SANITIZED, TRAILWATCH, fixture_records, pipe_through, read_alert_for, run,
                    summary_events)

DEADLINE_S = 10
RULE = "cloudtrail-change"  # rules/core.yml: CreateTrail, UpdateTrail, DeleteTrail, Start/StopLogging




def records():
    """(stop_logging, quiet): a StopLogging record and the same record as DescribeTrails."""
    stop_logging = fixture_records()[0]
    quiet = stop_logging.replace('"StopLogging"', '"DescribeTrails"')
    assert quiet != stop_logging
    return stop_logging, quiet


def cloudtrail_file(recs):
    """A CloudTrail log file as delivered: one line, no trailing newline."""
    return '{"Records":[' + ",".join(recs) + "]}"


class StdinDocumentsTest(unittest.TestCase):
    def check_streaming(self, encode):
        stop_logging, delete_trail = fixture_records()[:2]
        proc = subprocess.Popen([TRAILWATCH, "scan", "--format", "json", "-"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:
            for i, (record, name) in enumerate(((stop_logging, "StopLogging"),
                                                (delete_trail, "DeleteTrail"))):
                proc.stdin.write(encode(cloudtrail_file([record])))
                proc.stdin.flush()
                alert = read_alert_for(proc, name, DEADLINE_S)
                self.assertIsNotNone(alert, "no %s alert within %d s while stdin is open"
                                     % (name, DEADLINE_S))
                self.assertEqual(alert["input"]["file"], "-")
                # Records are numbered on across the documents, as in one file: 1, then 2.
                self.assertEqual(alert["input"]["record"], i + 1)
                self.assertIsNone(proc.poll(), "the process must still be running")
        finally:
            proc.stdin.close()
            proc.stdin = None
            out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err.decode())
        self.assertIn("2 events", err.decode())

    def test_alert_leaves_before_stdin_closes_concatenated_documents(self):
        self.check_streaming(lambda doc: doc.encode())

    def test_alert_leaves_before_stdin_closes_gzip_members(self):
        self.check_streaming(lambda doc: gzip.compress(doc.encode()))

    def big_stream(self, compress):
        """300+ MB of documents of `per_doc` records, the StopLogging one at index `at`."""
        stop_logging, quiet = records()
        per_doc, at = 200, 137
        recs = [quiet] * per_doc
        recs[at] = stop_logging
        doc = cloudtrail_file(recs).encode()
        docs = 300 * 1000 * 1000 // len(doc) + 1
        unit = gzip.compress(doc, compresslevel=1) if compress else doc

        def write(stdin):
            for _ in range(docs):
                stdin.write(unit)

        rc, out, err, peak_mib = pipe_through(["scan", "--format", "json", "-"], write)
        self.assertEqual(rc, 0, err[-2000:])
        alerts = [json.loads(l) for l in out.splitlines() if l.strip()]
        ours = [a for a in alerts if a["rule_id"] == RULE]
        self.assertEqual(len(ours), docs)
        self.assertTrue(all(a["event_name"] == "StopLogging" for a in ours))
        # 1-based, numbered on across the documents as in one file.
        self.assertEqual(sorted(a["input"]["record"] for a in ours),
                         [d * per_doc + at + 1 for d in range(docs)])
        self.assertEqual(summary_events(err), docs * per_doc)
        return docs * len(doc), len(unit) * docs, peak_mib

    def test_large_concatenated_documents_in_bounded_memory(self):
        size, _, peak_mib = self.big_stream(compress=False)
        limit_mib = 64 + 8
        print("concatenated documents: %.0f MB, peak RSS %.1f MiB (limit %d MiB)"
              % (size / 1e6, peak_mib, limit_mib))
        if not SANITIZED:  # under ASan the peak is the sanitizer's (twtest.py)
            self.assertLess(peak_mib, limit_mib)

    def test_large_multi_member_gzip_in_bounded_memory(self):
        size, compressed, peak_mib = self.big_stream(compress=True)
        limit_mib = 64 + 8 + 4
        print("multi-member gzip: %.0f MB (%.0f MB compressed), peak RSS %.1f MiB (limit %d MiB)"
              % (size / 1e6, compressed / 1e6, peak_mib, limit_mib))
        if not SANITIZED:  # under ASan the peak is the sanitizer's (twtest.py)
            self.assertLess(peak_mib, limit_mib)

    def test_gzip_ndjson_is_cut_into_lines(self):
        stop_logging, quiet = records()
        block_lines = 1000
        block = ((quiet + "\n") * (block_lines - 1) + stop_logging + "\n").encode()
        blocks = 60 * 1000 * 1000 // len(block) + 1
        damaged = b'{"eventVersion":"1.08","eventName":\n'

        def write(stdin):
            z = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # one gzip member
            for _ in range(blocks):
                stdin.write(z.compress(block))
            stdin.write(z.compress(damaged + block))
            stdin.write(z.flush())

        rc, out, err, peak_mib = pipe_through(["scan", "--format", "json", "-"], write)
        self.assertEqual(rc, 1, err[-2000:])  # the damaged line
        ours = [json.loads(l) for l in out.splitlines() if RULE in l]
        ours = [a for a in ours if a["rule_id"] == RULE]
        self.assertEqual(len(ours), blocks + 1)
        lines = {a["input"]["record"] for a in ours}
        want = {(b + 1) * block_lines for b in range(blocks)} | {(blocks + 1) * block_lines + 1}
        self.assertEqual(lines, want)
        self.assertIn("-: line %d: " % (blocks * block_lines + 1), err)
        self.assertEqual(summary_events(err), (blocks + 1) * block_lines)
        print("gzip NDJSON: peak RSS %.1f MiB" % peak_mib)
        if not SANITIZED:  # under ASan the peak is the sanitizer's (twtest.py)
            self.assertLess(peak_mib, 64 + 8 + 4)

    def test_damage_between_documents_is_reported_and_the_rest_read(self):
        stop_logging, quiet = records()
        one = cloudtrail_file([quiet, stop_logging])
        pretty = json.dumps(json.loads(stop_logging), indent=2)
        array = "[" + quiet + "," + stop_logging + "]"
        truncated = cloudtrail_file([stop_logging, quiet, quiet])[:-len(quiet) // 2]
        stream = (one + "\n#garbage#\n" + pretty + "\n" + array + one + truncated).encode()
        res = run("scan", "--format", "json", "-", stdin=stream)
        self.assertEqual(res.rc, 1, res.describe())
        alerts = [a for a in res.json_lines() if a["rule_id"] == RULE]
        # Records numbered on across documents: 1 one (records 1-2, StopLogging 2), 2 pretty
        # (3), 3 array (4-5, StopLogging 5), 4 one (6-7, StopLogging 7), 5 truncated (8-10,
        # StopLogging 8; 8 and 9 intact, 10 cut off).
        self.assertEqual(sorted(a["input"]["record"] for a in alerts), [2, 3, 5, 7, 8])
        garbage_at = len(one) + 1
        self.assertIn("-: byte %d: 10 bytes between JSON documents are not JSON" % garbage_at,
                      res.err)
        self.assertRegex(res.err, r"-: document 5, record 10: ")
        # Events: 2 + 1 + 2 + 2 + 2 intact records of the truncated document.
        self.assertEqual(summary_events(res.err), 9)


if __name__ == "__main__":
    unittest.main()
