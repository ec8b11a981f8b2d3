#!/usr/bin/env python3
"""The two alerting rules, console-login-after-hours (sign-in pack) and security-group-exposed
(ec2 pack), with their inline tests.

Maintainer tool, not run by the build. Stdlib only. These two rules came with the alerting
stages (issue 7) and are kept apart from build_rules.py because security-group-exposed is an
EventBridge event pattern (the CloudWatch Logs language cannot require the CIDR and the ports
of the same rule), which build_rules.py's filter-pattern evaluator does not read. Since the
detection catalogue (issue 11) they live in the themed packs: build_catalogue.py calls
catalogue_rules() and writes them at the end of rules/sign-in.yml and rules/ec2.yml, so run
build_catalogue.py to regenerate them; this script alone only checks the tests (and --report).

For each rule, a hand-written Python predicate of the rule's intent (`exposed`, `console_ok`)
decides every inline test's `expect`, and the script aborts when a test's declared expectation
disagrees with it; `trailwatch rules test rules/` then checks the engine against the same
expectations. Test events are corpus lines quoted byte for byte ("<source> line N"); where the
corpus has no record of a case, a corpus line is adapted and the test name says what changed
("adapted from <source> line N: ..."). The ModifySecurityGroupRules event is hand-made in the
request shape CloudTrail records (requestParameters.ModifySecurityGroupRulesRequest wrapping
GroupId and SecurityGroupRule{SecurityGroupRuleId, SecurityGroupRule{...}}), since the corpus
holds none.

Usage: build_alerting_rules.py [--corpus tests/data/corpus] [--report]
"""

import argparse
import copy
import glob
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ALLOWED_PORTS = {80, 443, 8080}
WORLD = [{"wildcard": "*/0"}]


def rects(frm, to):
    # Three rectangles that cover every (from, to) port pair except 80-80, 443-443 and
    # 8080-8080: a rule is "on an allowed port" only when it opens exactly one allowed port.
    return [{frm: [{"anything-but": [443, 8080]}], to: [{"anything-but": 80}]},
            {frm: [{"anything-but": [80, 8080]}], to: [{"anything-but": 443}]},
            {frm: [{"anything-but": [80, 443]}], to: [{"anything-but": 8080}]}]


def cross(peers, alts):
    return [dict(list(p.items()) + list(a.items())) for p in peers for a in alts]


NOT_ICMP = [{"anything-but": {"prefix": "icmp"}}]
SG_PATTERN = {"detail": {"eventSource": ["ec2.amazonaws.com"], "$or": [
    {"eventName": ["AuthorizeSecurityGroupIngress"],
     "responseElements": {"securityGroupRuleSet": {"items": {
         "isEgress": [False], "ipProtocol": NOT_ICMP,
         "$or": cross([{"cidrIpv4": WORLD}, {"cidrIpv6": WORLD}],
                      rects("fromPort", "toPort") + [{"fromPort": [{"exists": False}]}])}}}},
    {"eventName": ["ModifySecurityGroupRules"],
     "errorCode": [None, {"exists": False}],
     "requestParameters": {"ModifySecurityGroupRulesRequest": {"SecurityGroupRule": {
         "SecurityGroupRule": {"IpProtocol": NOT_ICMP,
                               "$or": cross([{"CidrIpv4": WORLD}, {"CidrIpv6": WORLD}],
                                            rects("FromPort", "ToPort") +
                                            [{"FromPort": [{"exists": False}]}])}}}}}]}}


def items(v):
    if isinstance(v, list):
        return v
    if isinstance(v, dict):
        return [v]
    return []


def world(cidr):
    return isinstance(cidr, str) and cidr.endswith("/0")


def bad_ports(proto, frm, to):
    if not isinstance(proto, str) or proto.startswith("icmp"):
        return False
    if frm is None:
        return True  # no ports given: every port (protocol -1)
    if not isinstance(frm, int) or not isinstance(to, int):
        return False
    return not (frm == to and frm in ALLOWED_PORTS)


def exposed(r):
    """Intent: a successful ingress rule opened to 0.0.0.0/0 or ::/0 (any /0) on a port outside
    80, 443, 8080, on a port range, on every port, or for protocol -1; ICMP excluded."""
    if r.get("eventSource") != "ec2.amazonaws.com":
        return False
    name = r.get("eventName")
    if name == "AuthorizeSecurityGroupIngress":
        resp = r.get("responseElements")
        rs = resp.get("securityGroupRuleSet") if isinstance(resp, dict) else None
        for it in items(rs.get("items") if isinstance(rs, dict) else None):
            if it.get("isEgress") is not False:
                continue
            if not (world(it.get("cidrIpv4")) or world(it.get("cidrIpv6"))):
                continue
            if bad_ports(it.get("ipProtocol"), it.get("fromPort"), it.get("toPort")):
                return True
        return False
    if name == "ModifySecurityGroupRules":
        if r.get("errorCode") is not None:
            return False
        req = (r.get("requestParameters") or {}).get("ModifySecurityGroupRulesRequest") or {}
        for w in items(req.get("SecurityGroupRule")):
            rule = w.get("SecurityGroupRule") if isinstance(w, dict) else None
            if not isinstance(rule, dict):
                continue
            if not (world(rule.get("CidrIpv4")) or world(rule.get("CidrIpv6"))):
                continue
            if bad_ports(rule.get("IpProtocol"), rule.get("FromPort"), rule.get("ToPort")):
                return True
    return False


def console_ok(r):
    re_ = r.get("responseElements")
    return (r.get("eventName") == "ConsoleLogin" and isinstance(re_, dict)
            and re_.get("ConsoleLogin") == "Success")


def line(corpus, source, n):
    with open(os.path.join(corpus, "real", source + ".ndjson"), encoding="utf-8") as f:
        for i, text in enumerate(f, 1):
            if i == n:
                return text.rstrip("\n")
    raise SystemExit(f"{source} line {n}: no such line")


def adapt(raw, edit):
    rec = json.loads(raw)
    edit(rec)
    return json.dumps(rec, separators=(",", ":"), ensure_ascii=False)


def sg_tests(corpus):
    base_src, base_n = "cloudconsolecartographer", 8215
    base = line(corpus, base_src, base_n)

    def perm(rec):
        return rec["requestParameters"]["ipPermissions"]["items"][0]

    def rule(rec):
        return rec["responseElements"]["securityGroupRuleSet"]["items"][0]

    def ports(frm, to):
        def edit(rec):
            for d in (perm(rec), rule(rec)):
                d["fromPort"], d["toPort"] = frm, to
        return edit

    def ipv6(rec):
        p = perm(rec)
        p["ipRanges"] = {}
        p["ipv6Ranges"] = {"items": [{"cidrIpv6": "::/0"}]}
        r = rule(rec)
        del r["cidrIpv4"]
        r["cidrIpv6"] = "::/0"

    def all_traffic(rec):
        p = perm(rec)
        del p["fromPort"], p["toPort"]
        p["ipProtocol"] = "-1"
        r = rule(rec)
        r["ipProtocol"], r["fromPort"], r["toPort"] = "-1", -1, -1

    def host32(rec):
        perm(rec)["ipRanges"]["items"][0]["cidrIp"] = "203.0.113.7/32"
        rule(rec)["cidrIpv4"] = "203.0.113.7/32"

    def icmp(rec):
        for d in (perm(rec), rule(rec)):
            d["ipProtocol"], d["fromPort"], d["toPort"] = "icmp", 3, 4

    def modify(cidr_key, cidr, frm, to, proto="tcp"):
        rec = {
            "eventVersion": "1.08",
            "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLEEXAMPLE01",
                             "arn": "arn:aws:iam::111122223333:user/ops", "accountId": "111122223333",
                             "userName": "ops"},
            "eventTime": "2026-12-01T13:05:10Z", "eventSource": "ec2.amazonaws.com",
            "eventName": "ModifySecurityGroupRules", "awsRegion": "ap-northeast-2",
            "sourceIPAddress": "198.51.100.20", "userAgent": "aws-cli/2.15.0",
            "requestParameters": {"ModifySecurityGroupRulesRequest": {
                "GroupId": "sg-0123456789abcdef0",
                "SecurityGroupRule": {"SecurityGroupRuleId": "sgr-0d28445c956a5d8ac", "tag": 1,
                                      "SecurityGroupRule": {cidr_key: cidr, "FromPort": frm,
                                                            "ToPort": to, "IpProtocol": proto}}}},
            "responseElements": {"ModifySecurityGroupRulesResponse": {
                "xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/", "return": True,
                "requestId": "5b8a1f4e-4c1a-4f0e-9d8e-3b2a1c0d9e8f"}},
            "requestID": "5b8a1f4e-4c1a-4f0e-9d8e-3b2a1c0d9e8f",
            "eventID": "0b9c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d", "readOnly": False,
            "eventType": "AwsApiCall", "managementEvent": True,
            "recipientAccountId": "111122223333", "eventCategory": "Management"}
        return json.dumps(rec, separators=(",", ":"))

    ref = f"{base_src} line {base_n}"
    return [
        ("SSH (22) opened to 0.0.0.0/0 by the launch wizard (" + ref + ")", True, base),
        ("SSH opened to 208.236.235.254/0, a /0 with host bits (stratus-red-team line 266)", True,
         line(corpus, "stratus-red-team", 266)),
        ("IPv6 ::/0 on port 22 (adapted from " + ref + ": ::/0 instead of 0.0.0.0/0)", True,
         adapt(base, ipv6)),
        ("port range 20-25 spans 22 (adapted from " + ref + ": ports 20-25)", True,
         adapt(base, ports(20, 25))),
        ("all traffic, protocol -1 (adapted from " + ref + ": ipProtocol -1, ports -1)", True,
         adapt(base, all_traffic)),
        ("range 80-443 of two allowed ports opens 81-442 (adapted from " + ref + ": ports 80-443)",
         True, adapt(base, ports(80, 443))),
        ("ModifySecurityGroupRules to 0.0.0.0/0 on 3389 (hand-made, CloudTrail request shape)", True,
         modify("CidrIpv4", "0.0.0.0/0", 3389, 3389)),
        ("only 443 to 0.0.0.0/0 (adapted from " + ref + ": port 443)", False,
         adapt(base, ports(443, 443))),
        ("only 8080 to 0.0.0.0/0 (adapted from " + ref + ": port 8080)", False,
         adapt(base, ports(8080, 8080))),
        ("SSH from one host, a /32 (adapted from " + ref + ": 203.0.113.7/32)", False,
         adapt(base, host32)),
        ("ICMP type 3 code 4 from anywhere is not a port (adapted from " + ref + ": icmp 3/4)",
         False, adapt(base, icmp)),
        ("egress to 0.0.0.0/0, all traffic: not ingress (panther line 97)", False,
         line(corpus, "panther", 97)),
        ("ModifySecurityGroupRules to 10.0.0.0/8 (hand-made, CloudTrail request shape)", False,
         modify("CidrIpv4", "10.0.0.0/8", 22, 22)),
        ("ModifySecurityGroupRules to ::/0 on 443 only (hand-made, CloudTrail request shape)", False,
         modify("CidrIpv6", "::/0", 443, 443)),
    ]


def console_tests(corpus):
    return [
        ("ConsoleLogin Success at 2023-06-02 03:24 KST, a Friday night "
         "(cloudconsolecartographer line 3423)", True, line(corpus, "cloudconsolecartographer", 3423)),
        ("IAM user ConsoleLogin Success at 2019-07-04 01:14 KST (fivexl-cloudtrail-to-slack line 1)",
         True, line(corpus, "fivexl-cloudtrail-to-slack", 1)),
        ("failed ConsoleLogin, root (panther line 81)", False, line(corpus, "panther", 81)),
        ("other sign-in event, GetSigninToken (cloudconsolecartographer line 1)", False,
         line(corpus, "cloudconsolecartographer", 1)),
        ("ConsoleLogin without a responseElements result (panther line 66)", False,
         line(corpus, "panther", 66)),
    ]


def check(rule, tests, pred):
    for name, expect, raw in tests:
        got = pred(json.loads(raw))
        if got != expect:
            raise SystemExit(f"{rule['id']}: test {name!r} says {expect}, the predicate says {got}")


def catalogue_rules(corpus):
    """The two rules in build_catalogue.py's shape (file = the pack), tests checked."""
    out = []
    for rule, tests, pred in rule_table(corpus):
        check(rule, tests, pred)
        r = dict(rule)
        r["tests"] = [{"name": n, "expect": e, "raw": raw} for n, e, raw in tests]
        out.append(r)
    return out


def rule_table(corpus):
    sg_json = json.dumps(SG_PATTERN, separators=(",", ":"))
    assert len(sg_json) <= 2048, len(sg_json)  # EventBridge's default pattern size quota
    return [
        ({"id": "security-group-exposed", "file": "ec2", "tags": ["ec2", "network", "public-exposure"],
          "mitre": ["T1562.007"], "title": "Security group opened to the internet",
          "severity": "critical",
          "description": (
              "An ingress rule was opened to the whole internet (0.0.0.0/0 or ::/0, any /0) on a port "
              "outside the web allowlist 80, 443 and 8080, on a port range, on every port, or for "
              "all protocols (-1). This is the seed's 'any port open' warning: SSH, RDP and database "
              "ports exposed to the world are the usual first step of a compromise. ICMP rules are not "
              "ports and do not count. AuthorizeSecurityGroupIngress is judged on "
              "responseElements.securityGroupRuleSet (one item per rule actually added, with its "
              "direction), which CloudTrail records since security group rule ids exist (2021); "
              "ModifySecurityGroupRules on its request, which does not say whether the rule is ingress "
              "or egress, so an egress rule modified to 0.0.0.0/0 fires too. First response: find the "
              "group (console link, group id), revoke the rule, check what listens on the port."),
          "references": [
              "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
              "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AuthorizeSecurityGroupIngress.html",
              "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySecurityGroupRules.html",
              "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SecurityGroupRule.html"],
          "lang": "eb", "pattern": sg_json},
         sg_tests(corpus), exposed),
        ({"id": "console-login-after-hours", "file": "sign-in", "tags": ["sign-in", "console", "schedule"],
          "mitre": ["T1078", "T1078.004"], "title": "Console sign-in outside business hours",
          "severity": "high",
          "description": (
              "A Management Console sign-in succeeded outside business hours. The pattern matches every "
              "successful sign-in; the time condition is the rule's schedule "
              "(schedule: outside_business_hours), evaluated on eventTime in the configured time zone "
              "and business hours (docs/alerting.md), never on the clock of the machine. Check who "
              "signed in, from where (sourceIPAddress) and with MFA or not; confirm with the person."),
          "references": [
              "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html"],
          "lang": "cwl",
          "pattern": '{ ($.eventName = ConsoleLogin) && ($.responseElements.ConsoleLogin = "Success") }',
          "policy_lines": ["schedule: outside_business_hours"]},
         console_tests(corpus), console_ok),
    ]


def main():
    ap = argparse.ArgumentParser()
    root = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
    ap.add_argument("--corpus", default=os.path.join(root, "tests", "data", "corpus"))
    ap.add_argument("--report", action="store_true", help="count predicate hits over the corpus")
    args = ap.parse_args()

    for rule, tests, pred in rule_table(args.corpus):
        check(rule, tests, pred)
        pos = sum(1 for t in tests if t[1])
        print(f"{rule['id']} (rules/{rule['file']}.yml, written by build_catalogue.py): "
              f"{pos} positive, {len(tests) - pos} negative tests agree with the predicate")
    if args.report:
        hits = {"security-group-exposed": 0, "console-login-after-hours": 0}
        for path in sorted(glob.glob(os.path.join(args.corpus, "real", "*.ndjson"))):
            with open(path, encoding="utf-8") as f:
                for text in f:
                    try:
                        rec = json.loads(text)
                    except ValueError:
                        continue
                    if not isinstance(rec, dict):
                        continue
                    hits["security-group-exposed"] += bool(exposed(rec))
                    hits["console-login-after-hours"] += bool(console_ok(rec))
        print("predicate hits over corpus/real:", hits)


if __name__ == "__main__":
    main()
