#!/usr/bin/python3
"""Helpers for bench/run.sh (stdlib only).

  report.py meta CORPUS_DIR [PREFIX] prints shell assignments describing the corpus (names
                                     start with PREFIX, default none)
  report.py table MEASUREMENTS OUT LARGEST [BIG_LARGEST]
      prints the results table and writes it as Markdown to OUT; LARGEST is the largest
      decompressed .json.gz file in bytes of the corpus, BIG_LARGEST that of the 1 GB corpus the
      "tw-rss-*" rows scan (default LARGEST), for the peak-RSS targets. Exits 1 when any verdict
      is FAIL; prints "NOT JUDGED" for targets left n/a (a program missing).
  report.py alerts ALERTS.jsonl SUMMARY.stderr BASELINE_COUNTS EVENTS
      checks trailwatch's JSON alerts against the baselines' per-rule counts ("rule count"
      lines) and its reported event count against EVENTS; exits 1 on any difference.
  report.py quamina-check QBENCH_LIST ALERTS.jsonl SUMMARY.stderr EVENTS
      checks that quamina (qbench -list output: "LINE0\tid,id" lines, then its summary line) and
      trailwatch (JSON alerts, input.record = 1-based line) matched the same patterns on the
      same events, pair by pair, and both read EVENTS events; exits 1 on any difference.

MEASUREMENTS is a TSV written by run.sh: row, program, input, bytes, events, wall_s, rss_kib, exit
and, optionally, cpu_s (user + sys of the process and its children). A row measured several times
has several lines; the table uses the median wall time and the highest peak RSS. Verdicts are on
wall time; the median CPU time is printed beside it, and one-thread speed ratios also give the
ratio of CPU times ("CPU 1.23x"), which a busy machine disturbs less than wall time. Rows whose program is missing have wall_s "n/a". A run that exits non-zero
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


def meta(corpus, prefix=""):
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
    print("%sGZ_FILES=%d" % (prefix, len(files)))
    print("%sGZ_JSON_BYTES=%d" % (prefix, total))
    print("%sGZ_LARGEST=%d" % (prefix, largest))
    print("%sNDJSON_BYTES=%d" % (prefix, os.path.getsize(ndjson)))
    print("%sEVENTS=%d" % (prefix, events))


# The targets of issue 12, all ratios (or limits) within one run:
#   T1 NDJSON vs the bare On-Demand floor, 1 thread           >= 0.6x
#   T2 .json.gz vs the libdeflate+simdjson floor, 1 thread     >= 0.9x
#      2 threads vs the 1-thread floor                         >= 1.7x
#   T3 1,000 rules vs 10 rules (evaluation)                    >= 0.75x
#   T4 vs the CPython Lambda-style scan                        >= 8x   (and jq >= 20x)
#   T5 peak RSS on the 1 GB corpus                             <= 64 MiB plus windows
#   T6 per invocation vs the CPython handler                   <= 0.1x
#   T7 vs quamina, same patterns and events, 42 and 1,000      >= 3x at both
# Target(row, baseline row, kind, factor, label, info). kind "speed": MB/s(row) >= factor *
# MB/s(baseline); "speed_net": the same on wall time minus each row's "-startup" twin; "time":
# wall(row) <= factor * wall(baseline); "rss_window": rss(row) <= 64 MiB + factor MiB;
# "rss_files": rss(row) <= 64 MiB + factor x the largest decompressed file (of the 1 GB corpus
# for "tw-rss-*" rows). info=True: the ratio is printed, never judged.
Target = collections.namedtuple("Target", "row base kind factor label info",
                                defaults=(False,))
TARGETS = [
    Target("tw-ndjson", "floor-ondemand", "speed", 0.6, "T1 >= 0.6x bare On-Demand floor"),
    Target("tw-ndjson", "floor-ndjson", "speed", 1.0, "vs tw_floor_ndjson (info)", True),
    Target("tw-ndjson", None, "rss_window", 0.25,
           "RSS <= 64 MiB + 256 KiB window (this corpus, info)", True),
    Target("tw-gz-t1", "floor-gz-t1", "speed", 0.9, "T2 >= 0.9x floor_gz 1t"),
    Target("tw-gz-t2", "floor-gz-t1", "speed", 1.7, "T2 --threads 2 >= 1.7x floor_gz 1t"),
    Target("tw-rules-1000-cwl", "tw-rules-10-cwl", "speed_net", 0.75,
           "T3 1000 CWL rules >= 0.75x 10 (evaluation)"),
    Target("tw-rules-1000-cwl", "tw-rules-10-cwl", "speed", 1.0,
           "1000 vs 10 CWL, whole process (info)", True),
    Target("tw-rules-100-cwl", "tw-rules-10-cwl", "speed_net", 1.0,
           "100 vs 10 CWL (evaluation, info)", True),
    Target("tw-rules-1000-eb", "tw-rules-10-eb", "speed_net", 0.75,
           "T3 1000 EB rules >= 0.75x 10 (evaluation)"),
    Target("tw-rules-1000-eb", "tw-rules-10-eb", "speed", 1.0,
           "1000 vs 10 EB, whole process (info)", True),
    Target("tw-rules-100-eb", "tw-rules-10-eb", "speed_net", 1.0,
           "100 vs 10 EB (evaluation, info)", True),
    Target("tw-gz-t1", "python-gz", "speed", 8.0, "T4 >= 8x CPython Lambda style"),
    Target("tw-ndjson", "jq-ndjson", "speed", 20.0, "T4 >= 20x jq"),
    Target("tw-gz-t1", None, "rss_files", 1,
           "RSS <= 64 MiB + 1 x largest file (this corpus, info)", True),
    Target("tw-gz-t2", None, "rss_files", 2,
           "RSS <= 64 MiB + 2 x largest file (this corpus, info)", True),
    Target("tw-rss-ndjson", None, "rss_window", 0.25,
           "T5 1 GB NDJSON: RSS <= 64 MiB + 256 KiB window"),
    Target("tw-rss-stdin", None, "rss_window", 0.25,
           "T5 1 GB NDJSON piped to scan -: RSS <= 64 MiB + 256 KiB window"),
    Target("tw-rss-gz-t1", None, "rss_files", 1,
           "T5 1 GB .json.gz 1t: RSS <= 64 MiB + 1 x largest file"),
    Target("tw-rss-gz-t2", None, "rss_files", 2,
           "T5 1 GB .json.gz 2t: RSS <= 64 MiB + 2 x largest file"),
    Target("tw-cwl", "python-cwl", "time", 0.1, "T6 per-invocation <= 0.1x CPython"),
    Target("tw-quamina-42", "quamina-42", "speed", 3.0,
           "T7 >= 3x quamina, 42 top-level patterns"),
    Target("tw-quamina-1000", "quamina-1000", "speed", 3.0,
           "T7 >= 3x quamina, 1000 patterns (nested fields)"),
]


def table(measurements, out_path, largest, big_largest=None):
    rows = {}
    order = []
    with open(measurements) as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            row, program, inp, nbytes, events, wall, rss, status = fields[:8]
            if row not in rows:
                order.append(row)
                rows[row] = {"program": program, "input": inp, "bytes": int(nbytes),
                             "events": int(events), "walls": [], "cpus": [], "rss": 0,
                             "bad": []}
            r = rows[row]
            if wall == "n/a":
                continue
            if int(status) != 0:
                r["bad"].append(status)
                continue
            r["walls"].append(float(wall))
            if len(fields) > 8:
                r["cpus"].append(float(fields[8]))
            r["rss"] = max(r["rss"], int(rss) * 1024)
    for r in rows.values():
        r["wall"] = statistics.median(r["walls"]) if r["walls"] else None
        r["cpu"] = statistics.median(r["cpus"]) if r["cpus"] else None
        r["mbs"] = r["bytes"] / 1e6 / r["wall"] if r["wall"] else None
        r["eps"] = r["events"] / r["wall"] if r["wall"] else None

    if big_largest is None:
        big_largest = largest
    checks = {}
    not_judged = []
    for row, base, kind, factor, label, info in TARGETS:
        r = rows.get(row)
        b = rows.get(base) if base else None
        verdict, ratio = "n/a", "n/a"
        crashed = [x for x in (r, b, rows.get(row + "-startup"),
                               rows.get(base + "-startup") if base else None) if x and x["bad"]]
        if crashed:
            verdict = "FAIL"
            ratio = "exit " + ",".join(sorted({s for x in crashed for s in x["bad"]}))
        elif r and r["wall"] and kind in ("rss_window", "rss_files"):
            if kind == "rss_window":
                limit = 64 * MIB + factor * MIB
            else:
                limit = 64 * MIB + factor * (big_largest if row.startswith("tw-rss-") else largest)
            ratio = "%.1f/%.1f MiB" % (r["rss"] / MIB, limit / MIB)
            verdict = "PASS" if r["rss"] <= limit else "FAIL"
        elif kind == "speed_net" and r and b and r["wall"] and b["wall"]:
            # Throughput of the evaluation alone: the start-up row (same command, empty input)
            # is subtracted from each wall time.
            rs, bs = rows.get(row + "-startup"), rows.get(base + "-startup")
            if rs and bs and rs["wall"] is not None and bs["wall"] is not None:
                value = (b["wall"] - bs["wall"]) / (r["wall"] - rs["wall"])
                verdict = "PASS" if value >= factor else "FAIL"
                ratio = "%.2fx" % value
        elif r and b and r["wall"] and b["wall"]:
            if kind == "speed":
                value = r["mbs"] / b["mbs"]
                verdict = "PASS" if value >= factor else "FAIL"
            else:
                value = r["wall"] / b["wall"]
                verdict = "PASS" if value <= factor else "FAIL"
            ratio = "%.2fx" % value
            # The same ratio on CPU time, for information; not for the 2-thread rows, which
            # spend more CPU to take less wall time.
            if kind == "speed" and r["cpu"] and b["cpu"] and not row.endswith("-t2"):
                ratio += " (CPU %.2fx)" % ((r["bytes"] / r["cpu"]) / (b["bytes"] / b["cpu"]))
        if info and verdict in ("PASS", "FAIL") and not crashed:
            verdict = "info"
        if verdict == "n/a" and not info:
            not_judged.append(label + (" (not run)" if r is None and b is None
                                       else " (a program is missing)"))
        checks.setdefault(row, []).append((label, ratio, verdict))

    def fmt(v, pattern):
        return pattern % v if v is not None else "n/a"

    header = ["program", "input", "runs", "median s", "CPU s", "MB/s", "events/s",
              "peak RSS MiB", "target", "ratio", "verdict"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in order:
        r = rows[row]
        base = [r["program"], r["input"], str(len(r["walls"])), fmt(r["wall"], "%.3f"),
                fmt(r["cpu"], "%.3f"), fmt(r["mbs"], "%.1f"), fmt(r["eps"], "%.0f"),
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
    if not_judged:
        text += "\nNOT JUDGED: %d target(s): %s\n" % (len(not_judged), "; ".join(not_judged))
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


def quamina_check(qlist_path, alerts_path, stderr_path, events):
    """quamina's and trailwatch's matches, as (0-based line, pattern id) pairs, must be equal."""
    problems = []
    want = set()
    summary = None
    with open(qlist_path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("patterns "):
                fields = line.split()
                summary = dict(zip(fields[0::2], fields[1::2]))
            elif line:
                number, ids = line.split("\t")
                want.update((int(number), i) for i in ids.split(","))
    if summary is None:
        problems.append("no summary line from qbench")
    else:
        if int(summary["events"]) != events:
            problems.append("quamina read %s events, expected %d" % (summary["events"], events))
        if int(summary["errors"]) != 0:
            problems.append("quamina rejected %s events" % summary["errors"])
        if int(summary["matches"]) != len(want):
            problems.append("quamina's -list has %d matches, its summary %s"
                            % (len(want), summary["matches"]))
    got = set()
    with open(alerts_path) as f:
        for line in f:
            if line.strip():
                alert = json.loads(line)
                got.add((int(alert["input"]["record"]) - 1, alert["rule_id"]))
    tw_summary = re.findall(r"(\d+) events?, (\d+) alerts?", open(stderr_path).read())
    if not tw_summary:
        problems.append("no 'N events, M alerts' summary from trailwatch")
    else:
        if int(tw_summary[-1][0]) != events:
            problems.append("trailwatch read %s events, expected %d"
                            % (tw_summary[-1][0], events))
        if int(tw_summary[-1][1]) != len(got):
            problems.append("trailwatch reported %s alerts but printed %d distinct (line, rule)"
                            % (tw_summary[-1][1], len(got)))
    for line, rule in sorted(want - got)[:10]:
        problems.append("line %d: quamina matched %s, trailwatch did not" % (line + 1, rule))
    for line, rule in sorted(got - want)[:10]:
        problems.append("line %d: trailwatch matched %s, quamina did not" % (line + 1, rule))
    if want != got:
        problems.append("%d pairs only in quamina, %d only in trailwatch"
                        % (len(want - got), len(got - want)))
    for p in problems:
        print("quamina check: FAIL " + p, file=sys.stderr)
    if not problems:
        print("quamina check: quamina and trailwatch agree on %d matches in %d of %d events "
              "(%d patterns fired)" % (len(got), len({n for n, _ in got}), events,
                                       len({r for _, r in got})))
    return 1 if problems else 0


def main(argv):
    if len(argv) in (2, 3) and argv[0] == "meta":
        meta(*argv[1:])
        return 0
    if len(argv) in (4, 5) and argv[0] == "table":
        return table(argv[1], argv[2], *[int(x) for x in argv[3:]])
    if len(argv) == 5 and argv[0] == "alerts":
        return alerts(argv[1], argv[2], argv[3], int(argv[4]))
    if len(argv) == 5 and argv[0] == "quamina-check":
        return quamina_check(argv[1], argv[2], argv[3], int(argv[4]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
