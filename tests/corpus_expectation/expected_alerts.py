#!/usr/bin/env python3
"""Independent expectation of seed-rule alerts over the bundled CloudTrail corpus.

This script is deliberately written WITHOUT any filter-pattern interpreter: each of
the nine seed rules of trailwatch (rules/<id>.yml) is re-stated below as plain
Python dict logic taken from the rule's intent.  It is the oracle for the test
"every corpus event whose eventName belongs to a seed rule, and that meets the
rule's other conditions, raises that rule" -- and for the converse (no seed rule
fires where this logic says it must not).

Inputs (relative to --corpus, default: tests/data/corpus next to this script)
  real/*.ndjson               one CloudTrail record per line; record index = 0-based line index
  files/**/*.json.gz          delivered log files {"Records":[...]}; record index = 0-based
                              index in the Records array

Value semantics (the same for every rule)
  * A field "counts" only when the path exists through JSON objects and ends at a
    JSON *string* whose value is exactly (case-sensitively) the one given.  A number,
    boolean, null, array or object never equals a string; a missing path is never equal.
  * "starts with X" / "ends with X" are plain str.startswith / str.endswith on a JSON
    string value (the CloudWatch Logs "X*" / "*X" wildcards, where * may match the
    empty string, so "UnauthorizedOperation" itself ends with "UnauthorizedOperation").
  * Records that are not JSON objects are ignored.

Conditions per seed rule (record r):
  cloudtrail-change       r.eventName in {CreateTrail, UpdateTrail, DeleteTrail,
                          StartLogging, StopLogging}                   (any eventSource)
  iam-policy-change       r.eventName in the 16 CIS CloudWatch.4 IAM policy APIs:
                          {DeleteGroupPolicy, DeleteRolePolicy, DeleteUserPolicy,
                          PutGroupPolicy, PutRolePolicy, PutUserPolicy, CreatePolicy,
                          DeletePolicy, CreatePolicyVersion, DeletePolicyVersion,
                          AttachRolePolicy, DetachRolePolicy, AttachUserPolicy,
                          DetachUserPolicy, AttachGroupPolicy, DetachGroupPolicy}
                                                                       (any eventSource)
  console-login-failure   r.eventName == "ConsoleLogin" and
                          r.responseElements is an object whose "ConsoleLogin" == "Failure"
                          (any errorMessage: "Failed authentication", "No username
                          found in supplied account", ...)
  authorization-failure   r.errorCode is a string that ends with "UnauthorizedOperation"
                          or starts with "AccessDenied"
  security-group-change   r.eventName in {AuthorizeSecurityGroupIngress,
                          AuthorizeSecurityGroupEgress, RevokeSecurityGroupIngress,
                          RevokeSecurityGroupEgress, CreateSecurityGroup,
                          DeleteSecurityGroup, ModifySecurityGroupRules} (any eventSource)
  kms-key-change          r.eventSource == "kms.amazonaws.com" and r.eventName in
                          {CreateKey, CreateAlias, DisableKey, DeleteAlias,
                          ScheduleKeyDeletion}
  network-acl-change      r.eventName in {CreateNetworkAcl, CreateNetworkAclEntry,
                          DeleteNetworkAcl, DeleteNetworkAclEntry,
                          ReplaceNetworkAclEntry, ReplaceNetworkAclAssociation}
                                                                       (any eventSource)
  console-login-success   r.eventName == "ConsoleLogin" and
                          r.responseElements is an object whose "ConsoleLogin" == "Success"
  ssm-session             r.eventSource == "ssm.amazonaws.com" and r.eventName in
                          {StartSession, ResumeSession, TerminateSession}

Two alerting rules (added with the alert stages) are checked the same way:
  console-login-after-hours  the condition of console-login-success, and its schedule
                          (outside_business_hours), which a plain scan applies with the default
                          business hours in UTC: kept unless eventTime, read as UTC, falls on
                          Monday-Friday at or after 08:00 and before 22:00; an eventTime that is
                          not a string "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)" is kept (the
                          schedule fails open)
  security-group-exposed  r.eventSource == "ec2.amazonaws.com" and either
                          - r.eventName == "AuthorizeSecurityGroupIngress" and an item of
                            r.responseElements.securityGroupRuleSet.items with isEgress false,
                            cidrIpv4 or cidrIpv6 a string ending in "/0", ipProtocol a string
                            not starting with "icmp", and ports that are not one allowed port
                            (fromPort == toPort in {80, 443, 8080}); no fromPort = all ports;
                          - r.eventName == "ModifySecurityGroupRules", no errorCode (or null),
                            and a SecurityGroupRule (object or list) of
                            requestParameters.ModifySecurityGroupRulesRequest whose inner
                            SecurityGroupRule meets the same CIDR / protocol / port test with
                            the keys CidrIpv4, CidrIpv6, IpProtocol, FromPort, ToPort.

Nothing else is looked at: no errorCode exclusion for the change rules (a failed
DeleteTrail still raises cloudtrail-change, as it does for the CIS metric filter),
no eventType or userIdentity condition.

Usage
  expected_alerts.py [--corpus DIR]                 print the expected hits per rule
  expected_alerts.py [--corpus DIR] --list          also list every expected hit
  expected_alerts.py [--corpus DIR] --json          the expected hits as JSON lines
  expected_alerts.py [--corpus DIR] --check ALERTS.jsonl
        ALERTS.jsonl: engine output, one alert per line, at least
        {"rule_id": "...", "input": {"file": "<path>", "record": N}, ...}  (N 1-based, as
        the engine writes it; the indexes printed by --list are 0-based)
        "file" may be absolute or relative; it is matched to a corpus file by its
        trailing path components ("real/x.ndjson", "files/AWSLogs/...json.gz").
        Alerts for non-seed rules, and alerts on files outside the corpus, are ignored
        (counted).  Duplicate alerts (same rule, file, record) are counted once and
        reported.  Exit 0 only if, for every seed rule, expected == got.
"""

import argparse
import glob
import gzip
import json
import re
import os
import sys

SEED_RULES = [
    "cloudtrail-change",
    "iam-policy-change",
    "console-login-failure",
    "authorization-failure",
    "security-group-change",
    "kms-key-change",
    "network-acl-change",
    "console-login-success",
    "ssm-session",
]

# Rules added with the alert stages, checked like the seed rules.
ALERTING_RULES = ["console-login-after-hours", "security-group-exposed"]
CHECKED_RULES = SEED_RULES + ALERTING_RULES
WEB_PORTS = {80, 443, 8080}

CLOUDTRAIL_CHANGE = {"CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"}
IAM_POLICY = {
    "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy",
    "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy",
    "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
    "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy",
    "AttachGroupPolicy", "DetachGroupPolicy",
}
SECURITY_GROUP = {
    "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
    "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress",
    "CreateSecurityGroup", "DeleteSecurityGroup", "ModifySecurityGroupRules",
}
KMS_KEY = {"CreateKey", "CreateAlias", "DisableKey", "DeleteAlias", "ScheduleKeyDeletion"}
NETWORK_ACL = {
    "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl",
    "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation",
}
SSM_SESSION = {"StartSession", "ResumeSession", "TerminateSession"}


def s(rec, *path):
    """The JSON string at rec[path[0]][path[1]]..., or None if absent / not a string."""
    cur = rec
    for key in path:
        if not isinstance(cur, dict) or key not in cur:
            return None
        cur = cur[key]
    return cur if isinstance(cur, str) else None


def opens_to_world(rule, cidr4, cidr6, proto, frm, to):
    """One security-group rule (a dict) opened to any /0 on something other than one web port."""
    if not isinstance(rule, dict):
        return False
    if not any(isinstance(rule.get(k), str) and rule[k].endswith("/0") for k in (cidr4, cidr6)):
        return False
    p = rule.get(proto)
    if not isinstance(p, str) or p.startswith("icmp"):
        return False
    if frm not in rule:
        return True
    a, b = rule.get(frm), rule.get(to)
    return not (a == b and a in WEB_PORTS and not isinstance(a, bool))


def as_list(v):
    return v if isinstance(v, list) else [v] if isinstance(v, dict) else []


def security_group_exposed(rec):
    if s(rec, "eventSource") != "ec2.amazonaws.com":
        return False
    name = s(rec, "eventName")
    if name == "AuthorizeSecurityGroupIngress":
        resp = rec.get("responseElements")
        rule_set = resp.get("securityGroupRuleSet") if isinstance(resp, dict) else None
        items = rule_set.get("items") if isinstance(rule_set, dict) else None
        return any(isinstance(it, dict) and it.get("isEgress") is False
                   and opens_to_world(it, "cidrIpv4", "cidrIpv6", "ipProtocol", "fromPort", "toPort")
                   for it in as_list(items))
    if name == "ModifySecurityGroupRules" and rec.get("errorCode") is None:
        params = rec.get("requestParameters")
        req = params.get("ModifySecurityGroupRulesRequest") if isinstance(params, dict) else None
        wrappers = as_list(req.get("SecurityGroupRule")) if isinstance(req, dict) else []
        return any(opens_to_world(w.get("SecurityGroupRule"), "CidrIpv4", "CidrIpv6", "IpProtocol",
                                  "FromPort", "ToPort") for w in wrappers)
    return False


def rules_for(rec):
    """The set of checked rule ids (seed and alerting rules) that `rec` must raise."""
    hits = set()
    if not isinstance(rec, dict):
        return hits
    name = s(rec, "eventName")
    source = s(rec, "eventSource")
    if name in CLOUDTRAIL_CHANGE:
        hits.add("cloudtrail-change")
    if name in IAM_POLICY:
        hits.add("iam-policy-change")
    if name == "ConsoleLogin" and s(rec, "responseElements", "ConsoleLogin") == "Failure":
        hits.add("console-login-failure")
    code = s(rec, "errorCode")
    if code is not None and (code.endswith("UnauthorizedOperation") or code.startswith("AccessDenied")):
        hits.add("authorization-failure")
    if name in SECURITY_GROUP:
        hits.add("security-group-change")
    if source == "kms.amazonaws.com" and name in KMS_KEY:
        hits.add("kms-key-change")
    if name in NETWORK_ACL:
        hits.add("network-acl-change")
    if name == "ConsoleLogin" and s(rec, "responseElements", "ConsoleLogin") == "Success":
        hits.add("console-login-success")
        if not inside_utc_business_hours(s(rec, "eventTime")):
            hits.add("console-login-after-hours")
    if security_group_exposed(rec):
        hits.add("security-group-exposed")
    if source == "ssm.amazonaws.com" and name in SSM_SESSION:
        hits.add("ssm-session")
    return hits


def inside_utc_business_hours(text):
    """Mon-Fri, 08:00 <= time < 22:00, in UTC (the default GlobalPolicy). False when `text`
    does not parse, so that the alert is kept."""
    import datetime
    if not isinstance(text, str):
        return False
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})", text)
    if not m:
        return False
    try:
        t = datetime.datetime(*(int(m.group(i)) for i in range(1, 7)), tzinfo=datetime.timezone.utc)
    except ValueError:
        return False
    zone = m.group(8)
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        t -= sign * datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    return t.isoweekday() <= 5 and 8 * 60 <= t.hour * 60 + t.minute < 22 * 60


def iter_corpus(corpus):
    """Yield (relpath, record_index, record) for every record of the corpus."""
    for path in sorted(glob.glob(os.path.join(corpus, "real", "*.ndjson"))):
        rel = os.path.relpath(path, corpus).replace(os.sep, "/")
        with open(path, encoding="utf-8") as fh:
            for idx, line in enumerate(fh):
                if not line.strip():
                    continue
                yield rel, idx, json.loads(line)
    for path in sorted(glob.glob(os.path.join(corpus, "files", "**", "*.json.gz"), recursive=True)):
        rel = os.path.relpath(path, corpus).replace(os.sep, "/")
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            doc = json.load(fh)
        for idx, rec in enumerate(doc.get("Records", [])):
            yield rel, idx, rec


def expected(corpus):
    """{rule_id: {(relpath, record_index): eventID}}"""
    out = {r: {} for r in CHECKED_RULES}
    for rel, idx, rec in iter_corpus(corpus):
        for rule in rules_for(rec):
            out[rule][(rel, idx)] = rec.get("eventID") if isinstance(rec, dict) else None
    return out


def match_file(alert_path, relpaths):
    """Map an alert's file string to a corpus relpath by trailing path components."""
    norm = alert_path.replace("\\", "/")
    for rel in relpaths:
        if norm == rel or norm.endswith("/" + rel):
            return rel
    return None


def check(corpus, exp, alerts_path):
    relpaths = sorted({rel for hits in exp.values() for rel, _ in hits}
                      | {os.path.relpath(p, corpus).replace(os.sep, "/")
                         for p in glob.glob(os.path.join(corpus, "real", "*.ndjson"))}
                      | {os.path.relpath(p, corpus).replace(os.sep, "/")
                         for p in glob.glob(os.path.join(corpus, "files", "**", "*.json.gz"), recursive=True)},
                      key=len, reverse=True)
    got = {r: set() for r in CHECKED_RULES}
    dups = {r: 0 for r in CHECKED_RULES}
    other_rules = 0
    outside = 0
    bad_lines = 0
    with open(alerts_path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                a = json.loads(line)
                rule = a["rule_id"]
                f = a["input"]["file"]
                n = a["input"]["record"]
                if not isinstance(n, int) or isinstance(n, bool):
                    raise ValueError("record is not an integer")
                n -= 1  # the engine's input.record is 1-based (docs/output.md); indexes here are 0-based
            except Exception as e:  # noqa: BLE001 - report and go on
                bad_lines += 1
                print(f"alerts line {lineno}: unreadable alert ({e})", file=sys.stderr)
                continue
            if rule not in got:
                other_rules += 1
                continue
            rel = match_file(str(f), relpaths)
            if rel is None:
                outside += 1
                continue
            key = (rel, n)
            if key in got[rule]:
                dups[rule] += 1
            got[rule].add(key)

    ok = bad_lines == 0
    print(f"{'rule':24} {'expected':>8} {'got':>8} {'missing':>8} {'unexpected':>10} {'dups':>5}")
    details = []
    for rule in CHECKED_RULES:
        e = set(exp[rule])
        g = got[rule]
        missing = sorted(e - g)
        unexpected = sorted(g - e)
        print(f"{rule:24} {len(e):8d} {len(g):8d} {len(missing):8d} {len(unexpected):10d} {dups[rule]:5d}")
        if missing or unexpected:
            ok = False
        for rel, n in missing:
            details.append(f"MISSING     {rule}: {rel} record {n} eventID={exp[rule][(rel, n)]}")
        for rel, n in unexpected:
            details.append(f"UNEXPECTED  {rule}: {rel} record {n}")
    print(f"(ignored: {other_rules} alerts of non-seed rules, {outside} alerts on files outside the corpus, "
          f"{bad_lines} unreadable lines)")
    for d in details:
        print(d)
    print("OK" if ok else "FAIL")
    return 0 if ok else 1


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=os.path.normpath(os.path.join(here, "..", "data", "corpus")))
    ap.add_argument("--check", metavar="ALERTS.jsonl")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    exp = expected(args.corpus)
    if args.check:
        return check(args.corpus, exp, args.check)
    if args.json:
        for rule in CHECKED_RULES:
            for (rel, n), eid in sorted(exp[rule].items()):
                print(json.dumps({"rule_id": rule, "input": {"file": rel, "record": n + 1}, "eventID": eid}))
        return 0
    print(f"{'rule':24} {'expected':>8}")
    for rule in CHECKED_RULES:
        print(f"{rule:24} {len(exp[rule]):8d}")
        if args.list:
            for (rel, n), eid in sorted(exp[rule].items()):
                print(f"    {rel} record {n} eventID={eid}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
