"""`scan -` streams standard input (issue 7 "stdin", issue 12 "Bounded memory everywhere").

- An alert comes out while the input is still open: a matching line is written to the process's
  stdin and its alert is read from stdout before stdin is closed (a deadline, no fixed sleep).
- Memory stays bounded: 300 MB of NDJSON piped through `scan -`, and the same written to a file
  and scanned by path, keep the child's peak RSS (getrusage via os.wait4) under 64 MiB plus the
  256 KiB window (per worker, for the file). The file is read in windows: a damaged line near its
  end is reported with its line number counted from the start of the file, not of a window.
"""

import os
import subprocess
import tempfile
import unittest

from twtest import SANITIZED, TRAILWATCH, fixture_records, pipe_through, read_alert_for

DEADLINE_S = 10




class StdinStreamTest(unittest.TestCase):
    def test_alert_leaves_before_stdin_closes(self):
        stop_logging, delete_trail = fixture_records()[:2]
        proc = subprocess.Popen([TRAILWATCH, "scan", "--format", "json", "-"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        try:
            for record, name in ((stop_logging, "StopLogging"), (delete_trail, "DeleteTrail")):
                proc.stdin.write((record + "\n").encode())
                proc.stdin.flush()
                alert = read_alert_for(proc, name, DEADLINE_S)
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

        def write(stdin):
            for _ in range(blocks):
                stdin.write(block)

        rc, out, err, peak_mib = pipe_through(["scan", "--format", "json", "-"], write)
        self.assertEqual(rc, 0, err[-2000:])
        alerts = [l for l in out.splitlines() if l.strip()]
        self.assertEqual(len(alerts), blocks * per_block)
        self.assertIn("%d events" % (blocks * block_lines), err)

        limit_mib = 64 + 0.25  # LineReader's 256 KiB window
        print("stdin stream: %.0f MB in, peak RSS %.1f MiB (limit %.2f MiB)"
              % (blocks * len(block) / 1e6, peak_mib, limit_mib))
        if not SANITIZED:  # under ASan the peak is the sanitizer's (twtest.py)
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
                    limit_mib = 64 + 0.25 * int(threads)
                    print("file, %s thread(s): %.0f MB, peak RSS %.1f MiB (limit %.2f MiB)"
                          % (threads, os.path.getsize(path) / 1e6, peak_mib, limit_mib))
                    if not SANITIZED:  # under ASan the peak is the sanitizer's (twtest.py)
                        self.assertLess(peak_mib, limit_mib)


if __name__ == "__main__":
    unittest.main()
