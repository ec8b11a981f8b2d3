#!/usr/bin/env python3
"""Agreement of the built-in pack with the peers' labelled cases (stdlib only).

Replays every case of tests/data/corpus/labels/*.ndjson through `trailwatch scan --format json`
(one NDJSON file, one run; alerts are attributed to cases by record number) and compares each case
with the trailwatch rule(s) that tests/data/peer-map.tsv maps its peer rule to.

  peer_agreement.py --bin build/src/cli/trailwatch [--write docs/peer-agreement.md]

Without --write it prints the document; tests/integration/peer_agreement_test.py compares it with
the checked-in docs/peer-agreement.md, so an agreed case that starts to disagree (or the reverse)
fails the test until the document is regenerated and the new disagreement explained in the map.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
LABELS = os.path.join(REPO, "tests", "data", "corpus", "labels")
MAP = os.path.join(REPO, "tests", "data", "peer-map.tsv")
PEERS = {"fivexl-cloudtrail-to-slack": "fivexl", "panther": "panther", "streamalert": "streamalert"}


def load_map():
    """({(peer, rule id): {rules, by_design, reason}}, {"<labels file>:<line>": reason})."""
    out, case_reasons = {}, {}
    with open(MAP, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if cols[0] == "case" and len(cols) == 3:
                case_reasons[cols[1]] = cols[2]
                continue
            if len(cols) != 4:
                raise ValueError(f"peer-map.tsv line {n}: 4 tab-separated columns expected")
            peer, rid, target, reason = cols
            if (peer, rid) in out:
                raise ValueError(f"peer-map.tsv line {n}: {peer} {rid} mapped twice")
            by_design = target.startswith("by design:")
            out[(peer, rid)] = {"rules": [] if by_design else target.split(","),
                                "by_design": target[len("by design:"):].strip() if by_design else None,
                                "reason": reason}
    return out, case_reasons


def load_cases():
    cases = []
    for name in sorted(PEERS):
        with open(os.path.join(LABELS, name + ".ndjson"), encoding="utf-8") as fh:
            for line_no, line in enumerate(fh, 1):
                d = json.loads(line)
                cases.append({"peer": PEERS[name], "file": name, "line": line_no, "rule": d["source_rule_id"],
                              "expect": bool(d["expected_match"]), "event": d["event"], "test": d.get("test_name", "")})
    return cases


def run(binary, cases):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cases.ndjson")
        with open(path, "w", encoding="utf-8") as fh:
            for c in cases:
                fh.write(json.dumps(c["event"], separators=(",", ":")) + "\n")
        res = subprocess.run([binary, "scan", "--format", "json", "--threads", "1", path],
                             capture_output=True, text=True, check=False)
        if res.returncode != 0:
            raise RuntimeError(f"trailwatch scan failed ({res.returncode}): {res.stderr}")
    fired = collections.defaultdict(set)
    for line in res.stdout.splitlines():
        alert = json.loads(line)
        fired[alert["input"]["record"] - 1].add(alert["rule_id"])  # records are 1-based
    rules = subprocess.run([binary, "rules", "list", "--format", "json"], capture_output=True, text=True, check=True)
    packs = {json.loads(l)["id"]: json.loads(l)["pack"] for l in rules.stdout.splitlines()}
    return fired, packs


def evaluate(binary):
    (mapping, case_reasons), cases = load_map(), load_cases()
    fired, packs = run(binary, cases)
    problems = []
    for c in cases:
        if (c["peer"], c["rule"]) not in mapping:
            problems.append(f"{c['peer']} {c['rule']}: not in tests/data/peer-map.tsv")
    for key, m in mapping.items():
        for r in m["rules"]:
            if r not in packs:
                problems.append(f"{key[0]} {key[1]}: mapped to unknown rule {r}")
    results = []
    for i, c in enumerate(cases):
        m = mapping.get((c["peer"], c["rule"]))
        if m is None or m["by_design"] is not None:
            continue
        got = bool(fired[i] & set(m["rules"]))
        theme = packs.get(m["rules"][0], "?")
        reason = case_reasons.pop(f"{c['file']}:{c['line']}", m["reason"])
        results.append(dict(c, got=got, theme=theme, rules=m["rules"], reason=reason))
    for key in case_reasons:
        problems.append(f"peer-map.tsv: case {key} is not a mapped case")
    for r in results:
        if r["got"] != r["expect"] and r["reason"] in ("", "-"):
            problems.append(f"{r['file']}:{r['line']} disagrees ({r['peer']} {r['rule']}) and the map gives no reason")
    return mapping, cases, results, problems


def render(mapping, cases, results):
    out = ["# Agreement with the peers' labelled cases",
           "",
           "Generated by `tools/peer_agreement.py` from `tests/data/peer-map.tsv` and the labelled cases in",
           "`tests/data/corpus/labels/` (Apache-2.0, see `tests/data/corpus/NOTICE.md`); checked by",
           "`tests/integration/peer_agreement_test.py`. Do not edit by hand: change the map (the trailwatch",
           "rule each peer rule corresponds to, and the reason for its disagreements), then run",
           "`tools/peer_agreement.py --bin build/src/cli/trailwatch --write docs/peer-agreement.md`.",
           "",
           "A case agrees when the mapped trailwatch rule fires exactly when the peer expects its rule to.",
           "Recall is over the mapped positive cases. Peer rules mapped \"by design\" have no counterpart;",
           "the reasons are listed at the end.",
           ""]
    pos = [r for r in results if r["expect"]]
    tp = sum(r["got"] for r in pos)
    out.append(f"Mapped peer rules: {sum(1 for m in mapping.values() if m['rules'])} of {len(mapping)}; "
               f"mapped cases: {len(results)} of {len(cases)}; recall over mapped positive cases: "
               f"{tp}/{len(pos)} = {100.0 * tp / max(1, len(pos)):.1f}%.")
    out += ["", "## Per theme (pack of the mapped rule)", "",
            "| theme | peer rules | cases | positives caught | negatives agreed | disagreements |",
            "| --- | ---: | ---: | ---: | ---: | ---: |"]
    by_theme = collections.defaultdict(list)
    for r in results:
        by_theme[r["theme"]].append(r)
    for theme in sorted(by_theme):
        rs = by_theme[theme]
        p = [r for r in rs if r["expect"]]
        n = [r for r in rs if not r["expect"]]
        out.append(f"| {theme} | {len({(r['peer'], r['rule']) for r in rs})} | {len(rs)} | "
                   f"{sum(r['got'] for r in p)}/{len(p)} | {sum(not r['got'] for r in n)}/{len(n)} | "
                   f"{sum(r['got'] != r['expect'] for r in rs)} |")
    out += ["", "## Disagreements", "",
            "Each line: the case (labels file and line), the direction, the peer rule and its trailwatch",
            "counterpart, and why they differ.", ""]
    dis = [r for r in results if r["got"] != r["expect"]]
    for r in dis:
        direction = "peer fires, trailwatch does not" if r["expect"] else "trailwatch fires, peer does not"
        out.append(f"- `{r['file']}:{r['line']}` {direction}: {r['peer']} `{r['rule']}` vs "
                   f"`{','.join(r['rules'])}` ({r['test']}): {r['reason']}")
    if not dis:
        out.append("None.")
    out += ["", "## Peer rules without a counterpart (by design)", ""]
    for (peer, rid), m in sorted(mapping.items()):
        if m["by_design"] is not None:
            out.append(f"- {peer} `{rid}`: {m['by_design']}")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--write")
    args = ap.parse_args()
    mapping, cases, results, problems = evaluate(args.bin)
    if problems:
        sys.exit("\n".join(problems))
    text = render(mapping, cases, results)
    if args.write:
        with open(args.write, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
