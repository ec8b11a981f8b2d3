#!/usr/bin/env python3
"""The catalogue table of docs/rules.md, generated from the built-in pack (stdlib only).

  rules_catalogue.py --bin build/src/cli/trailwatch           # print the table
  rules_catalogue.py --bin build/src/cli/trailwatch --write   # replace it in docs/rules.md

The table is `trailwatch rules list --format markdown` of the built-in pack, placed between the
`<!-- catalogue:begin -->` and `<!-- catalogue:end -->` markers, with a summary line (rules per
severity and per pack) above it. tests/integration/rules_catalogue_test.py checks that the document
holds exactly what this prints, so the table cannot drift from the pack.
"""

import argparse
import collections
import json
import os
import subprocess
import sys

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DOC = os.path.join(REPO, "docs", "rules.md")
BEGIN, END = "<!-- catalogue:begin -->", "<!-- catalogue:end -->"
SEVERITIES = ["critical", "high", "medium", "low", "info"]


def generate(binary):
    table = subprocess.run([binary, "rules", "list", "--format", "markdown"], capture_output=True, text=True,
                           check=True).stdout
    rules = [json.loads(l) for l in subprocess.run([binary, "rules", "list", "--format", "json"],
                                                    capture_output=True, text=True, check=True).stdout.splitlines()]
    sev = collections.Counter(r["severity"] for r in rules)
    packs = collections.Counter(r["pack"] for r in rules)
    summary = (f"{len(rules)} rules: " + ", ".join(f"{sev[s]} {s}" for s in SEVERITIES) + ". Packs: "
               + ", ".join(f"{p} {n}" for p, n in sorted(packs.items())) + ".")
    return f"{BEGIN}\n{summary}\n\n{table}{END}"


def current(text):
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[start:end]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    block = generate(args.bin)
    if not args.write:
        sys.stdout.write(block + "\n")
        return
    with open(DOC, encoding="utf-8") as fh:
        text = fh.read()
    with open(DOC, "w", encoding="utf-8") as fh:
        fh.write(text.replace(current(text), block))


if __name__ == "__main__":
    main()
