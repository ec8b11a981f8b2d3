#!/usr/bin/python3
"""Helpers for bench/run.sh (stdlib only).

  report.py meta CORPUS_DIR          prints shell assignments describing the corpus
  report.py table MEASUREMENTS OUT LARGEST
      prints the results table and writes it as Markdown to OUT; LARGEST is the largest
      decompressed .json.gz file in bytes (for the peak-RSS target). Exits 1 when any verdict
      is FAIL.
  report.py alerts ALERTS.jsonl SUMMARY.stderr BASELINE_COUNTS EVENTS
      checks trailwatch's JSON alerts against the baselines' per-rule counts ("rule count"
      lines) and its reported event count against EVENTS; exits 1 on any difference.

MEASUREMENTS is a TSV written by run.sh: row, program, input, bytes, events, wall_s, rss_kib, exit.
A row measured several times has several lines; the table uses the median wall time and the
highest peak RSS. Rows whose program is missing have wall_s "n/a". A run that exits non-zero
(crash, signal = 128+N, or trailwatch's "some input failed") is not timed: its row reads
"error (exit N)" and every target that involves it is FAIL, never n/a.
"""

import collections
import json
import re

import os
import statistics
import struct
import sys

MIB = 1024 * 1024


def meta(corpus):
    files = []
    for root, _, names in os.walk(corpus):
        files.extend(os.path.join(root, n) for n in names if n.endswith(".json.gz"))
    total = largest = 0
    for path in files:
        with open(path, "rb") as f:
            f.seek(-4, os.SEEK_END)
            size = struct.unpack("<I", f.read(4))[0]  # single-member files from tw_gen_corpus
        total += size
        largest = max(largest, size)
    ndjson = os.path.join(corpus, "events.ndjson")
    with open(ndjson, "rb") as f:
        events = sum(1 for _ in f)
    print("GZ_FILES=%d" % len(files))
    print("GZ_JSON_BYTES=%d" % total)
    print("GZ_LARGEST=%d" % largest)
    print("NDJSON_BYTES=%d" % os.path.getsize(ndjson))
    print("EVENTS=%d" % events)


# (row, baseline row, kind, factor, label). kind "speed": MB/s(row) >= factor * MB/s(baseline);
# "speed_net": the same on wall time minus the row's "-startup" twin (factor None: info only);
# "time": wall(row) <= factor * wall(baseline); "rss": rss(row) <= 64 MiB + factor * largest.
TARGETS = [
    ("tw-ndjson", "floor-ondemand", "speed", 0.6, "T1 >= 0.6x bare On-Demand floor"),
    ("tw-ndjson", "floor-ndjson", "speed", None, "vs tw_floor_ndjson (info)"),
    ("tw-ndjson", None, "rss", 1, "T5 NDJSON RSS <= 64 MiB + 1 x largest file (~ the 8 MiB window)"),
    ("tw-gz-t1", "floor-gz-t1", "speed", 0.9, "T2 >= 0.9x floor_gz 1t"),
    ("tw-gz-t2", "floor-gz-t1", "speed", 1.6, "T2 --threads 2 >= 1.6x floor_gz 1t"),
    ("tw-rules-1000-cwl", "tw-rules-10-cwl", "speed_net", 0.7,
     "T3 1000 CWL rules >= 0.7x 10 (evaluation)"),
    ("tw-rules-1000-cwl", "tw-rules-10-cwl", "speed", None, "1000 vs 10 CWL, whole process (info)"),
    ("tw-rules-100-cwl", "tw-rules-10-cwl", "speed_net", None, "100 vs 10 CWL (evaluation, info)"),
    ("tw-rules-1000-eb", "tw-rules-10-eb", "speed_net", 0.7,
     "T3 1000 EB rules >= 0.7x 10 (evaluation)"),
    ("tw-rules-1000-eb", "tw-rules-10-eb", "speed", None, "1000 vs 10 EB, whole process (info)"),
    ("tw-rules-100-eb", "tw-rules-10-eb", "speed_net", None, "100 vs 10 EB (evaluation, info)"),
    ("tw-gz-t1", "python-gz", "speed", 8.0, "T4 >= 8x CPython Lambda style"),
    ("tw-ndjson", "jq-ndjson", "speed", 20.0, "T4 >= 20x jq"),
    ("tw-gz-t1", None, "rss", 1, "T5 RSS <= 64 MiB + 1 x largest file"),
    ("tw-gz-t2", None, "rss", 2, "T5 RSS <= 64 MiB + 2 x largest file"),
    ("tw-cwl", "python-cwl", "time", 0.1, "T6 per-invocation <= 0.1x CPython"),
]


def table(measurements, out_path, largest):
    rows = {}
    order = []
    with open(measurements) as f:
        for line in f:
            row, program, inp, nbytes, events, wall, rss, status = line.rstrip("\n").split("\t")
            if row not in rows:
                order.append(row)
                rows[row] = {"program": program, "input": inp, "bytes": int(nbytes),
                             "events": int(events), "walls": [], "rss": 0, "bad": []}
            r = rows[row]
            if wall == "n/a":
                continue
            if int(status) != 0:
                r["bad"].append(status)
                continue
            r["walls"].append(float(wall))
            r["rss"] = max(r["rss"], int(rss) * 1024)
    for r in rows.values():
        r["wall"] = statistics.median(r["walls"]) if r["walls"] else None
        r["mbs"] = r["bytes"] / 1e6 / r["wall"] if r["wall"] else None
        r["eps"] = r["events"] / r["wall"] if r["wall"] else None

    checks = {}
    for row, base, kind, factor, label in TARGETS:
        r = rows.get(row)
        b = rows.get(base) if base else None
        verdict, ratio = "n/a", "n/a"
        crashed = [x for x in (r, b, rows.get(row + "-startup"),
                               rows.get(base + "-startup") if base else None) if x and x["bad"]]
        if crashed:
            verdict = "FAIL"
            ratio = "exit " + ",".join(sorted({s for x in crashed for s in x["bad"]}))
        elif r and r["wall"] and kind == "rss":
            limit = 64 * MIB + factor * largest
            ratio = "%.1f/%.1f MiB" % (r["rss"] / MIB, limit / MIB)
            verdict = "PASS" if r["rss"] <= limit else "FAIL"
        elif kind == "speed_net" and r and b and r["wall"] and b["wall"]:
            # Throughput of the evaluation alone: the start-up row (same command, empty input)
            # is subtracted from each wall time.
            rs, bs = rows.get(row + "-startup"), rows.get(base + "-startup")
            if rs and bs and rs["wall"] is not None and bs["wall"] is not None:
                value = (b["wall"] - bs["wall"]) / (r["wall"] - rs["wall"])
                verdict = "info" if factor is None else ("PASS" if value >= factor else "FAIL")
                ratio = "%.2fx" % value
        elif r and b and r["wall"] and b["wall"]:
            if kind == "speed":
                value = r["mbs"] / b["mbs"]
                verdict = "info" if factor is None else ("PASS" if value >= factor else "FAIL")
            else:
                value = r["wall"] / b["wall"]
                verdict = "PASS" if value <= factor else "FAIL"
            ratio = "%.2fx" % value
        checks.setdefault(row, []).append((label, ratio, verdict))

    def fmt(v, pattern):
        return pattern % v if v is not None else "n/a"

    header = ["program", "input", "runs", "median s", "MB/s", "events/s", "peak RSS MiB",
              "target", "ratio", "verdict"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in order:
        r = rows[row]
        base = [r["program"], r["input"], str(len(r["walls"])), fmt(r["wall"], "%.3f"),
                fmt(r["mbs"], "%.1f"), fmt(r["eps"], "%.0f"),
                fmt(r["rss"] / MIB if r["wall"] else None, "%.1f")]
        if r["bad"]:
            base[3] = "error (exit %s)" % ",".join(sorted(set(r["bad"])))
        targets = checks.get(row, [("baseline", "", "FAIL" if r["bad"] else "")])
        for i, (label, ratio, verdict) in enumerate(targets):
            cells = base if i == 0 else [""] * len(base)
            lines.append("| " + " | ".join(cells + [label, ratio, verdict]) + " |")
    failed = [label for row in order
              for label, _, verdict in checks.get(row, [(row, "", "FAIL" if rows[row]["bad"] else "")])
              if verdict == "FAIL"]
    text = "\n".join(lines) + "\n"
    if failed:
        text += "\nFAIL: %d target(s): %s\n" % (len(failed), "; ".join(failed))
    sys.stdout.write(text)
    with open(out_path, "w") as f:
        f.write(text)
    return 1 if failed else 0


def alerts(alerts_path, stderr_path, counts_path, events):
    """trailwatch's alerts per rule and events against the baselines' (jq and CPython agree)."""
    want = {}
    with open(counts_path) as f:
        for line in f:
            if line.strip():
                rule, count = line.split()
                want[rule] = int(count)
    got = collections.Counter()
    with open(alerts_path) as f:
        for line in f:
            if line.strip():
                got[json.loads(line)["rule_id"]] += 1
    problems = []
    summary = re.findall(r"(\d+) events?, (\d+) alerts?", open(stderr_path).read())
    if not summary:
        problems.append("no 'N events, M alerts' summary from trailwatch")
    elif int(summary[-1][0]) != events:
        problems.append("trailwatch read %s events, the baselines %d" % (summary[-1][0], events))
    for rule in sorted(set(want) | set(got)):
        if got[rule] != want.get(rule, 0):
            problems.append("%s: trailwatch %d alerts, baselines %d" % (rule, got[rule],
                                                                        want.get(rule, 0)))
    for p in problems:
        print("alert check: FAIL " + p, file=sys.stderr)
    if not problems:
        print("alert check: trailwatch agrees with jq and CPython on %d alerts over %d events "
              "(%d rules fired)" % (sum(got.values()), events, len(got)))
    return 1 if problems else 0


def main(argv):
    if len(argv) == 2 and argv[0] == "meta":
        meta(argv[1])
        return 0
    if len(argv) == 4 and argv[0] == "table":
        return table(argv[1], argv[2], int(argv[3]))
    if len(argv) == 5 and argv[0] == "alerts":
        return alerts(argv[1], argv[2], argv[3], int(argv[4]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
