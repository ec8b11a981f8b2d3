#!/usr/bin/env python3
"""Check rules/core.yml and rules/cis.yml (the rules build_rules.py writes): schema, inline tests vs
the corpus, expected values vs the predicates.

Maintainer tool (needs PyYAML: Debian python3-yaml; not a build dependency).
  * exactly the keys id, title, severity, tags, mitre_attack, description, references,
    filter_pattern, tests; the file is the rule's pack (build_rules.pack_of) and the id matches
    [a-z0-9-]+; severity in info|low|medium|high|critical
  * every test: keys name, expect (bool), event (str); the event (without the final newline
    of the literal block) is byte-for-byte the corpus line cited in the name
    "(<source> line N)", unless the name says "(adapted from ...)"
  * expect == the rule's hand-written predicate == the mini CWL evaluator of build_rules.py
  * >= 2 positive and >= 2 negative tests
  * with --peers PEERS.md: the cis-* patterns are verbatim the text of peers.md section (d)
"""
import argparse
import glob
import json
import os
import re
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import build_rules as B  # noqa: E402

KEYS = {"id", "title", "severity", "tags", "mitre_attack", "description", "references", "filter_pattern", "tests"}
SEV = {"info", "low", "medium", "high", "critical"}
CIS_IDS = {1: "cis-root-usage", 2: "cis-unauthorized-api-calls", 3: "cis-console-login-without-mfa",
           4: "cis-iam-policy-changes", 5: "cis-cloudtrail-changes", 6: "cis-console-auth-failures",
           7: "cis-cmk-disable-or-deletion", 8: "cis-s3-bucket-policy-changes", 9: "cis-config-changes",
           10: "cis-security-group-changes", 11: "cis-nacl-changes", 12: "cis-network-gateway-changes",
           13: "cis-route-table-changes", 14: "cis-vpc-changes"}


def main():
    root = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
    ap = argparse.ArgumentParser()
    ap.add_argument("--rules", default=os.path.join(root, "rules"))
    ap.add_argument("--corpus", default=os.path.join(root, "tests", "data", "corpus"))
    ap.add_argument("--peers")
    args = ap.parse_args()
    lines = {}
    for path in glob.glob(os.path.join(args.corpus, "real", "*.ndjson")):
        src = os.path.basename(path)[:-len(".ndjson")]
        with open(path, encoding="utf-8") as fh:
            for i, l in enumerate(fh):
                lines[(src, i + 1)] = l.rstrip("\n")
    preds = {r["id"]: r["pred"] for r in B.RULES}
    errs = []
    n_files = 0
    docs = {}
    for pack in ("core", "cis"):
        n_files += 1
        with open(os.path.join(args.rules, pack + ".yml"), encoding="utf-8") as fh:
            for doc in yaml.safe_load(fh):
                docs[doc["id"]] = (pack, doc)
    if set(docs) != set(preds):
        errs.append(f"rules in core.yml/cis.yml {sorted(set(docs) ^ set(preds))} differ from build_rules.py")
    for fid, (pack, doc) in sorted(docs.items()):
        def err(msg):
            errs.append(f"{fid}: {msg}")
        if set(doc) != KEYS:
            err(f"keys {sorted(doc)}")
            continue
        if B.pack_of(fid) != pack or not re.fullmatch(r"[a-z0-9-]+", fid):
            err("bad id or pack")
        if doc["severity"] not in SEV:
            err("bad severity")
        for k in ("title", "description", "filter_pattern"):
            if not isinstance(doc[k], str) or not doc[k].strip():
                err(f"{k} not a non-empty string")
        if not doc["references"] or not all(isinstance(x, str) for x in doc["references"]):
            err("references")
        ast = B.parse(doc["filter_pattern"])
        if len(doc["filter_pattern"]) > 1024:
            err("pattern longer than 1024")
        pos = neg = 0
        for t in doc["tests"]:
            if set(t) != {"name", "expect", "event"} or not isinstance(t["expect"], bool):
                err(f"test keys/types {t.get('name')}")
                continue
            ev = t["event"]
            if not ev.endswith("\n") or ev.count("\n") != 1:
                err(f"event not one line: {t['name']}")
            raw = ev.rstrip("\n")
            m = re.search(r"\(([a-z0-9-]+) line (\d+)\)$", t["name"])
            if "adapted from" not in t["name"]:
                if not m or lines.get((m.group(1), int(m.group(2)))) != raw:
                    err(f"event is not the cited corpus line: {t['name']}")
            rec = json.loads(raw)
            p = preds[fid](rec)
            c = B.cwl_eval(ast, rec)
            if p is None or c is None or p != t["expect"] or c != t["expect"]:
                err(f"expect {t['expect']} but predicate {p} / pattern {c}: {t['name']}")
            pos += t["expect"]
            neg += not t["expect"]
        if pos < 2 or neg < 2:
            err(f"{pos} positive / {neg} negative tests")
    if args.peers:
        text = open(args.peers, encoding="utf-8").read()
        sec = text[text.index("## (d)"):]
        for n, rid in CIS_IDS.items():
            m = re.search(r"CloudWatch\.%d -- .*?\n```\n(.*?)\n```" % n, sec, re.S)
            doc = docs[rid][1]
            if doc["filter_pattern"] != m.group(1):
                errs.append(f"{rid}: pattern differs from peers.md CloudWatch.{n}")
            if f"Security Hub CloudWatch.{n}" not in doc["references"] or B.SH_URL not in doc["references"]:
                errs.append(f"{rid}: missing CloudWatch.{n} reference")
    for e in errs:
        print(e)
    print(f"{n_files} rule files, {len(errs)} problems")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
