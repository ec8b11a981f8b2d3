#!/usr/bin/env python3
"""Replay CloudTrail log files into a watched directory, spread over a few seconds.

  scripts/replay.py [--seconds 10] SRC_DIR DEST_DIR

Every *.json.gz (and *.json) under SRC_DIR is copied to a hidden-free temporary name next to
DEST_DIR and renamed into DEST_DIR, as CloudTrail's S3 delivery (or `aws s3 sync`) would make a
file appear: complete, in one step. The files go in eventTime order of their names, evenly spaced
over --seconds. Used by `make demo`.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("src")
    ap.add_argument("dest")
    args = ap.parse_args()
    files = []
    for root, _, names in os.walk(args.src):
        files += [os.path.join(root, n) for n in names if n.endswith((".json.gz", ".json"))]
    files.sort(key=os.path.basename)
    if not files:
        print("replay: no log files under " + args.src, file=sys.stderr)
        return 1
    staging = tempfile.mkdtemp(prefix="tw-replay-", dir=os.path.dirname(os.path.abspath(args.dest)))
    step = args.seconds / len(files)
    start = time.monotonic()
    for i, path in enumerate(files):
        due = start + i * step
        while time.monotonic() < due:
            time.sleep(min(0.05, due - time.monotonic()))
        tmp = os.path.join(staging, os.path.basename(path))
        shutil.copyfile(path, tmp)
        os.rename(tmp, os.path.join(args.dest, os.path.basename(path)))
        print("replay: %s" % os.path.basename(path), file=sys.stderr, flush=True)
    os.rmdir(staging)
    return 0


if __name__ == "__main__":
    sys.exit(main())
