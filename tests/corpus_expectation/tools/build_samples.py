#!/usr/bin/env python3
"""Build samples/ for `make demo` from real corpus records only (maintainer tool, stdlib only).

Output (deterministic: fixed selection, gzip mtime 0):
  samples/AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<rand16>.json.gz
      {"Records":[...]} -- one file per corpus source; each record is the corpus line, byte for byte
  samples/ndjson/cloudtrail-sample.ndjson          one record per line
  samples/cwl-subscription.json                   CloudWatch Logs subscription payload, Lambda form
  samples/MANIFEST.tsv                            where every sample record comes from + seed rules it raises

aws-docs records (CC-BY-SA-4.0 / MIT-0) are deliberately NOT used, so samples/ only holds
Apache-2.0 and MIT material.
"""
import base64
import gzip
import hashlib
import io
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import expected_alerts as EA  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
CORPUS = os.path.join(ROOT, "tests", "data", "corpus")
OUT = os.path.join(ROOT, "samples")
ACCOUNT = "123456789012"
REGION = "us-east-1"
LICENSE = {"panther": "Apache-2.0", "stratus-red-team": "Apache-2.0", "otrf": "MIT",
           "cloudconsolecartographer": "Apache-2.0", "streamalert": "Apache-2.0",
           "fivexl-cloudtrail-to-slack": "Apache-2.0", "cloud-snitch": "MIT", "trailscraper": "Apache-2.0",
           "plaso": "Apache-2.0"}
SOURCES = list(LICENSE)
PER_RULE_CAP = {"authorization-failure": 14, "console-login-success": 8}
DEFAULT_CAP = 6
EXTRA_NAMES = {  # CIS-only positives worth having in the demo
    "PutBucketPolicy", "PutBucketAcl", "StopConfigurationRecorder", "DeleteDeliveryChannel", "AttachInternetGateway",
    "CreateRoute", "CreateVpc", "DeleteVpc", "PutEventSelectors"}


def load():
    recs = []
    for src in SOURCES:
        with open(os.path.join(CORPUS, "real", src + ".ndjson"), encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                raw = line.rstrip("\n")
                recs.append({"source": src, "line": i + 1, "raw": raw, "rec": json.loads(raw)})
    return recs


def root_usage(rec):
    ui = rec.get("userIdentity")
    return (isinstance(ui, dict) and ui.get("type") == "Root" and "invokedBy" not in ui
            and isinstance(rec.get("eventType"), str) and rec["eventType"] != "AwsServiceEvent")


def select(recs):
    chosen = {}

    def take(r):
        chosen[(r["source"], r["line"])] = r

    # 1. seed-rule positives, spread over sources and eventNames, capped per rule
    for rule in EA.SEED_RULES:
        cap = PER_RULE_CAP.get(rule, DEFAULT_CAP)
        pool = [r for r in recs if rule in EA.rules_for(r["rec"])]
        seen_keys, n = set(), 0
        for rnd in range(3):
            for r in pool:
                if n >= cap:
                    break
                key = (r["source"], r["rec"].get("eventName"), r["rec"].get("errorCode"))
                if rnd == 0 and key in seen_keys:
                    continue
                if (r["source"], r["line"]) in chosen and rnd < 2:
                    continue
                seen_keys.add(key)
                take(r)
                n += 1
    # must-haves named in the brief
    for want in ["CreateKey", "DisableKey", "ScheduleKeyDeletion", "StopLogging", "DeleteTrail", "StartSession"]:
        for r in recs:
            if r["rec"].get("eventName") == want and EA.rules_for(r["rec"]):
                take(r)
                break
    # 2. root usage (CIS CloudWatch.1) and a few CIS-only positives
    for r in [r for r in recs if root_usage(r["rec"])][:6]:
        take(r)
    for name in sorted(EXTRA_NAMES):
        for r in [r for r in recs if r["rec"].get("eventName") == name][:2]:
            take(r)
    # 3. background noise: the near misses of the rules (read-only calls, other errors) from natural sessions
    noise_pref = ["cloudconsolecartographer", "stratus-red-team", "otrf", "cloud-snitch", "trailscraper", "plaso"]
    i = 0
    while len(chosen) < 200:
        src = noise_pref[i % len(noise_pref)]
        cands = [r for r in recs if r["source"] == src and (src, r["line"]) not in chosen
                 and not EA.rules_for(r["rec"])]
        if cands:
            # spread: take the candidate at a stride through the file
            take(cands[(i * 37) % len(cands)])
        i += 1
    return [chosen[k] for k in sorted(chosen, key=lambda k: (SOURCES.index(k[0]), k[1]))]


def event_time(rec, default="2024-01-01T00:00:00Z"):
    t = rec.get("eventTime") or rec.get("@timestamp")
    return t if isinstance(t, str) and len(t) >= 19 and t[4] == "-" else default


def gz(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as g:
        g.write(data)
    return buf.getvalue()


def rand16(seed):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    h = hashlib.sha256(seed.encode()).digest()
    return "".join(alphabet[b % len(alphabet)] for b in h[:16])


def main():
    recs = load()
    sel = select(recs)
    manifest = ["sample_file\trecord\tcorpus_file\tcorpus_line\tlicense\teventSource\teventName\tseed_rules"]
    # --- S3 layout: one file per source
    for src in SOURCES:
        group = [r for r in sel if r["source"] == src]
        if not group:
            continue
        t = min((event_time(r["rec"], None) for r in group if event_time(r["rec"], None)),
                default="2024-01-01T00:00:00Z")
        y, mo, d, hh, mi = t[0:4], t[5:7], t[8:10], t[11:13], t[14:16]
        name = f"{ACCOUNT}_CloudTrail_{REGION}_{y}{mo}{d}T{hh}{mi}Z_{rand16(src)}.json.gz"
        rel = f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/{y}/{mo}/{d}/{name}"
        path = os.path.join(OUT, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        body = '{"Records":[' + ",".join(r["raw"] for r in group) + "]}"
        json.loads(body)
        with open(path, "wb") as fh:
            fh.write(gz(body.encode("utf-8")))
        for idx, r in enumerate(group):
            manifest.append("\t".join([rel, str(idx), f"real/{src}.ndjson", str(r["line"]), LICENSE[src],
                                       str(r["rec"].get("eventSource")), str(r["rec"].get("eventName")),
                                       ",".join(sorted(EA.rules_for(r["rec"])))]))
    # --- NDJSON: 30 records, every 7th of the selection (plus first positives of each seed rule)
    nd = []
    for rule in EA.SEED_RULES:
        for r in sel:
            if rule in EA.rules_for(r["rec"]) and r not in nd:
                nd.append(r)
                break
    for r in sel[::7]:
        if len(nd) >= 30:
            break
        if r not in nd:
            nd.append(r)
    os.makedirs(os.path.join(OUT, "ndjson"), exist_ok=True)
    rel = "ndjson/cloudtrail-sample.ndjson"
    with open(os.path.join(OUT, rel), "w", encoding="utf-8") as fh:
        for r in nd:
            fh.write(r["raw"] + "\n")
    for idx, r in enumerate(nd):
        manifest.append("\t".join([rel, str(idx), f"real/{r['source']}.ndjson", str(r["line"]), LICENSE[r["source"]],
                                   str(r["rec"].get("eventSource")), str(r["rec"].get("eventName")),
                                   ",".join(sorted(EA.rules_for(r["rec"])))]))
    # --- CloudWatch Logs subscription payload (Lambda form), 20 records
    cw = []
    for rule in ["cloudtrail-change", "console-login-failure", "authorization-failure", "kms-key-change",
                 "security-group-change", "ssm-session", "iam-policy-change", "network-acl-change",
                 "console-login-success"]:
        for r in sel:
            if rule in EA.rules_for(r["rec"]) and r not in cw and r["source"] != "cloudconsolecartographer":
                cw.append(r)
                break
    for r in [r for r in sel if r["source"] in ("stratus-red-team", "cloud-snitch", "otrf")][::5]:
        if len(cw) >= 20:
            break
        if r not in cw:
            cw.append(r)
    log_events = []
    import datetime
    for idx, r in enumerate(cw):
        t = event_time(r["rec"])
        ts = int(datetime.datetime.strptime(t[:10] + "T" + t[11:19], "%Y-%m-%dT%H:%M:%S")
                 .replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)
        eid = str(int(hashlib.sha256(f"{r['source']}:{r['line']}".encode()).hexdigest(), 16))[:56].rjust(56, "3")
        log_events.append({"id": eid, "timestamp": ts, "message": r["raw"]})
        manifest.append("\t".join(["cwl-subscription.json", str(idx), f"real/{r['source']}.ndjson", str(r["line"]),
                                   LICENSE[r["source"]], str(r["rec"].get("eventSource")),
                                   str(r["rec"].get("eventName")), ",".join(sorted(EA.rules_for(r["rec"])))]))
    inner = {"messageType": "DATA_MESSAGE", "owner": ACCOUNT,
             "logGroup": f"aws-cloudtrail-logs-{ACCOUNT}-demo",
             "logStream": f"{ACCOUNT}_CloudTrail_{REGION}",
             "subscriptionFilters": ["trailwatch-demo"], "logEvents": log_events}
    data = base64.b64encode(gz(json.dumps(inner, separators=(",", ":"), ensure_ascii=False).encode("utf-8")))
    with open(os.path.join(OUT, "cwl-subscription.json"), "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"awslogs": {"data": data.decode("ascii")}}) + "\n")
    with open(os.path.join(OUT, "MANIFEST.tsv"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(manifest) + "\n")
    # summary
    counts = {rule: 0 for rule in EA.SEED_RULES}
    for r in sel:
        for rule in EA.rules_for(r["rec"]):
            counts[rule] += 1
    print(f"S3 files: {len(sel)} records; ndjson: {len(nd)}; cwl: {len(cw)}")
    for k, v in counts.items():
        print(f"  {k:24} {v}")
    print("  root usage (CIS.1)       ", sum(root_usage(r["rec"]) for r in sel))


if __name__ == "__main__":
    main()
