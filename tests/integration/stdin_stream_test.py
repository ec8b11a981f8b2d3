"""`scan -` streams standard input (issue 7 "stdin", issue 12 "Bounded memory everywhere").

- An alert comes out while the input is still open: a matching line is written to the process's
  stdin and its alert is read from stdout before stdin is closed (a deadline, no fixed sleep).
- Memory stays bounded: 300 MB of NDJSON piped through `scan -`, and the same written to a file
  and scanned by path, keep the child's peak RSS (getrusage via os.wait4) under 64 MiB plus the
  8 MiB window (per worker, for the file). The file is read in windows: a damaged line near its
  end is reported with its line number counted from the start of the file, not of a window.
"""

import json
import os
import subprocess
import tempfile
import threading
import time
import unittest

from twtest import TRAILWATCH, read_line, fixture_records

DEADLINE_S = 10




class StdinStreamTest(unittest.TestCase):
    def read_alert_for(self, proc, event_name):
        """Reads alerts from proc's stdout until one is for `event_name` (None at the deadline)."""
        end = time.monotonic() + DEADLINE_S
        while time.monotonic() < end:
            line = read_line(proc.stdout, end - time.monotonic())
            if line is None:
                return None
            alert = json.loads(line)
            if alert["event_name"] == event_name:
                return alert
        return None

    def test_alert_leaves_before_stdin_closes(self):
        stop_logging, delete_trail = fixture_records()[:2]
        proc = subprocess.Popen([TRAILWATCH, "scan", "--format", "json", "-"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:
            for record, name in ((stop_logging, "StopLogging"), (delete_trail, "DeleteTrail")):
                proc.stdin.write((record + "\n").encode())
                proc.stdin.flush()
                alert = self.read_alert_for(proc, name)
                self.assertIsNotNone(alert, "no %s alert within %d s while stdin is open"
                                     % (name, DEADLINE_S))
                self.assertEqual(alert["input"]["file"], "-")
                self.assertIsNone(proc.poll(), "the process must still be running")
        finally:
            proc.stdin.close()
            proc.stdin = None
            out, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err.decode())
        self.assertIn("trailwatch: 1 file", err.decode())
        self.assertIn("2 events", err.decode())

    def test_peak_memory_is_bounded_on_a_large_stream(self):
        stop_logging = fixture_records()[0]
        quiet = stop_logging.replace('"StopLogging"', '"DescribeTrails"')
        self.assertNotEqual(quiet, stop_logging)
        # Alerts per line, from a scan of the same lines as a file (the whole-file path).
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "one.ndjson")
            with open(path, "w", encoding="utf-8") as f:
                f.write(stop_logging + "\n" + quiet + "\n")
            one = subprocess.run([TRAILWATCH, "scan", "--format", "json", path],
                                 capture_output=True, timeout=60)
            per_block = len([l for l in one.stdout.splitlines() if l.strip()])
        self.assertGreater(per_block, 0)
        target = 300 * 1000 * 1000
        block_lines = 1000
        block = ((quiet + "\n") * (block_lines - 1) + stop_logging + "\n").encode()
        blocks = target // len(block) + 1

        proc = subprocess.Popen([TRAILWATCH, "scan", "--format", "json", "-"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        out_chunks, err_chunks = [], []

        def drain(stream, into):
            for chunk in iter(lambda: stream.read(65536), b""):
                into.append(chunk)

        readers = [threading.Thread(target=drain, args=(proc.stdout, out_chunks)),
                   threading.Thread(target=drain, args=(proc.stderr, err_chunks))]
        for t in readers:
            t.start()
        try:
            for _ in range(blocks):
                proc.stdin.write(block)
        finally:
            proc.stdin.close()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        for t in readers:
            t.join(timeout=60)
        proc.stdout.close()
        proc.stderr.close()
        err = b"".join(err_chunks).decode()
        self.assertEqual(proc.returncode, 0, err[-2000:])
        alerts = [l for l in b"".join(out_chunks).decode().splitlines() if l.strip()]
        self.assertEqual(len(alerts), blocks * per_block)
        self.assertIn("%d events" % (blocks * block_lines), err)

        peak_mib = usage.ru_maxrss / 1024.0  # Linux: kilobytes
        limit_mib = 64 + 8
        print("stdin stream: %.0f MB in, peak RSS %.1f MiB (limit %d MiB)"
              % (blocks * len(block) / 1e6, peak_mib, limit_mib))
        self.assertLess(peak_mib, limit_mib)


    def test_peak_memory_is_bounded_on_a_large_file(self):
        stop_logging = fixture_records()[0]
        quiet = stop_logging.replace('"StopLogging"', '"DescribeTrails"')
        block_lines = 1000
        block = ((quiet + "\n") * (block_lines - 1) + stop_logging + "\n").encode()
        blocks = 300 * 1000 * 1000 // len(block) + 1
        damaged = b'{"eventVersion":"1.08","eventName":\n'  # cut off mid-object
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "big.ndjson")
            with open(path, "wb") as f:
                for _ in range(blocks):
                    f.write(block)
                f.write(damaged)
                f.write(block)
            for threads in ("1", "2"):
                with self.subTest(threads=threads):
                    proc = subprocess.Popen(
                        [TRAILWATCH, "scan", "--format", "json", "--threads", threads, path],
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                    err = proc.stderr.read().decode()
                    proc.stderr.close()
                    _, status, usage = os.wait4(proc.pid, 0)
                    proc.returncode = os.waitstatus_to_exitcode(status)
                    # Exit 1: one input error, the damaged line; every other line is an event.
                    self.assertEqual(proc.returncode, 1, err[-2000:])
                    self.assertIn("%d events" % ((blocks + 1) * block_lines), err)
                    self.assertIn("trailwatch: 1 file", err)
                    bad_line = blocks * block_lines + 1  # 1-based, after `blocks` blocks
                    self.assertIn("big.ndjson: line %d: " % bad_line, err)
                    peak_mib = usage.ru_maxrss / 1024.0
                    limit_mib = 64 + 8 * int(threads)
                    print("file, %s thread(s): %.0f MB, peak RSS %.1f MiB (limit %d MiB)"
                          % (threads, os.path.getsize(path) / 1e6, peak_mib, limit_mib))
                    self.assertLess(peak_mib, limit_mib)


if __name__ == "__main__":
    unittest.main()
