"""Shared helpers for the trailwatch end-to-end tests (Debian python3 stdlib only).

The binary comes from $TRAILWATCH and the repository root from $TW_REPO (ctest sets both);
for a manual run they default to build-it/src/cli/trailwatch and the checkout this file is in.
"""

import gzip
import json
import os
import re
import select
import subprocess
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.environ.get("TW_REPO") or os.path.abspath(os.path.join(HERE, "..", ".."))
TRAILWATCH = os.environ.get("TRAILWATCH") or os.path.join(REPO, "build-it", "src", "cli", "trailwatch")
DATA = os.path.join(REPO, "tests", "data", "integration")
CORPUS = os.path.join(REPO, "tests", "data", "corpus")
TIMEOUT = 120

# One error line on stderr: "trailwatch: error: ..." (the program's prefix for every error).
ERROR_LINE = re.compile(r"^trailwatch: error: ", re.M)


class Result:
    """Outcome of one trailwatch run; stdout/stderr are kept as bytes and as text."""

    def __init__(self, args, proc):
        self.args = args
        self.rc = proc.returncode
        self.out_bytes = proc.stdout
        self.err_bytes = proc.stderr
        self.out = proc.stdout.decode("utf-8", "replace")
        self.err = proc.stderr.decode("utf-8", "replace")

    def json_lines(self):
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]

    def error_lines(self):
        return [l for l in self.err.splitlines() if l.startswith("trailwatch: error:")]

    def describe(self):
        return "command: %s\nexit: %s\nstdout:\n%s\nstderr:\n%s" % (
            " ".join(self.args), self.rc, self.out[-3000:], self.err[-3000:])


def run(*args, stdin=None, cwd=None):
    cmd = [TRAILWATCH] + [str(a) for a in args]
    proc = subprocess.run(cmd, input=stdin if stdin is not None else b"", capture_output=True,
                          cwd=cwd, timeout=TIMEOUT)
    return Result(cmd, proc)


def fixture(*parts):
    return os.path.join(DATA, *parts)


def fixture_records():
    """The two records of tests/data/integration/records.ndjson (StopLogging, DeleteTrail)."""
    with open(fixture("records.ndjson"), encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def summary_events(stderr):
    """The event count of the summary line 'trailwatch: N files (...), E events, A alerts ...'."""
    m = re.search(r"^trailwatch: .*?(\d+) events?\b", stderr, re.M)
    return int(m.group(1)) if m else None


def summary_errors(stderr):
    m = re.search(r"^errors?: (\d+)", stderr, re.M)
    return int(m.group(1)) if m else 0


def alert_keys(alerts, rule_id=None):
    """{(basename(file), record)} of the alerts, optionally of one rule. input.record is
    1-based (docs/output.md); this returns the 0-based index the fixtures are described with."""
    return {(os.path.basename(a["input"]["file"]), a["input"]["record"] - 1)
            for a in alerts if rule_id is None or a["rule_id"] == rule_id}


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="tw-it-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        mode = "wb" if isinstance(data, (bytes, bytearray)) else "w"
        with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as f:
            f.write(data)
        return path

    def assertRc(self, res, expected):
        self.assertEqual(res.rc, expected, "unexpected exit status\n" + res.describe())


def gz(data):
    return gzip.compress(data if isinstance(data, bytes) else data.encode("utf-8"))


def read_line(stream, deadline_s=10):
    """One line from `stream`, or None if none arrives before the deadline."""
    end = time.monotonic() + deadline_s
    buf = b""
    fd = stream.fileno()
    while not buf.endswith(b"\n"):
        left = end - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 1)
        if not chunk:
            return None
        buf += chunk
    return buf.decode()


def read_alert_for(proc, event_name, deadline_s=10):
    """Reads JSON alerts from proc's stdout until one is for `event_name` (None at the deadline)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        line = read_line(proc.stdout, end - time.monotonic())
        if line is None:
            return None
        alert = json.loads(line)
        if alert["event_name"] == event_name:
            return alert
    return None


def pipe_through(args, write_input):
    """Runs trailwatch with `args`, feeding stdin with write_input(stdin) from this thread while
    other threads drain stdout and stderr. Returns (exit code, stdout, stderr, peak RSS MiB)."""
    proc = subprocess.Popen([TRAILWATCH] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
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
        write_input(proc.stdin)
    finally:
        proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    for t in readers:
        t.join(timeout=60)
    proc.stdout.close()
    proc.stderr.close()
    return (proc.returncode, b"".join(out_chunks).decode(),
            b"".join(err_chunks).decode(), usage.ru_maxrss / 1024.0)  # Linux: kilobytes

# Under `make test-asan` (ASAN_OPTIONS set) a process's peak RSS is mostly ASan's: its quarantine
# of freed memory (256 MiB by default) and shadow memory. Memory bounds are checked in the
# ordinary build only.
SANITIZED = "ASAN_OPTIONS" in os.environ
