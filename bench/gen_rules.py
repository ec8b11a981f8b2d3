#!/usr/bin/python3
"""Generates synthetic trailwatch rule files for the rule-scaling benchmark (stdlib only).

  gen_rules.py --count N --lang cwl|eb [--seed S] > bench/rules/gen-N-cwl.yml
  gen_rules.py --all [--out-dir bench/rules]     writes gen-{10,100,1000}-{cwl,eb}.yml

Each file is a YAML list of {id, title, severity, description, filter_pattern|event_pattern}.
The rule at position i is the same in every file of a language, so gen-10 is a prefix of gen-1000
and the scaling ratio compares like with like. The mix mirrors real rule packs:
  ~50% eventName lists, optionally with an eventSource,
  ~15% errorCode prefixes ("AccessDenied*" / {"prefix": "AccessDenied"}) scoped by eventSource,
  ~15% nested identity fields ($.userIdentity.sessionContext.sessionIssuer.userName) + eventName,
  ~8%  nested request parameters (security-group ipRanges cidrIp, S3 bucketName),
  ~7%  eventSource + errorCode / readOnly combinations,
  ~5%  unanchored (no eventName/eventSource: sourceIPAddress, userAgent, userIdentity.type).
EventBridge patterns match the envelope {"source":"aws.<svc>","detail-type":"AWS API Call via
CloudTrail","detail":{<record>}}.
"""

import argparse
import json
import os
import random
import sys

SERVICES = ["ec2", "iam", "s3", "kms", "sts", "lambda", "cloudtrail", "config", "ssm", "rds",
            "dynamodb", "logs", "monitoring", "secretsmanager", "autoscaling", "sns", "sqs",
            "ecr", "eks", "organizations", "guardduty", "route53", "elasticloadbalancing"]
VERBS = ["Create", "Delete", "Put", "Update", "Attach", "Detach", "Modify", "Enable", "Disable",
         "Authorize", "Revoke", "Start", "Stop", "Terminate", "Reset", "Restore", "Tag",
         "Untag", "Associate", "Disassociate", "Replace", "Register", "Deregister"]
NOUNS = ["Bucket", "BucketPolicy", "Role", "User", "Group", "Policy", "AccessKey", "Instance",
         "Volume", "Snapshot", "Key", "Alias", "Trail", "Function", "Table", "Cluster",
         "SecurityGroupIngress", "NetworkAcl", "Route", "Vpc", "Subnet", "LoginProfile",
         "Secret", "Parameter", "Image", "Repository", "Detector", "Queue", "Topic", "Stack",
         "LoadBalancer", "Listener", "TargetGroup", "DBInstance", "DBSnapshot", "Certificate",
         "HostedZone", "Account", "Organization", "ServiceControlPolicy", "SamlProvider"]
ERROR_PREFIXES = ["AccessDenied", "Client.Unauthorized", "Throttling", "InvalidClientTokenId",
                  "ExpiredToken", "NoSuchBucket", "ValidationError"]
ROLES = ["github-actions-deploy", "OrganizationAccountAccessRole", "eks-node-group-role",
         "AWSReservedSSO_AdministratorAccess_4f1e2d3c4b5a6978", "datadog-integration",
         "break-glass-admin", "terraform-apply", "jenkins-ci"]
BUCKETS = ["acme-prod-assets", "acme-data-lake-raw", "acme-logs-archive", "acme-secrets",
           "acme-backups-eu", "payroll-exports"]


def names(rng, k):
    return sorted({rng.choice(VERBS) + rng.choice(NOUNS) for _ in range(k)})


def cwl_or(field, values):
    return " || ".join('(%s = "%s")' % (field, v) for v in values)


def make_rule(rng, i):
    """Returns (filter_pattern, event_pattern dict, description) for rule number i."""
    svc = rng.choice(SERVICES)
    source = svc + ".amazonaws.com"
    env = {"source": ["aws." + svc], "detail-type": ["AWS API Call via CloudTrail"]}
    roll = rng.random()
    if roll < 0.50:
        ev = names(rng, rng.randint(1, 8))
        if rng.random() < 0.5:
            cwl = "{ %s }" % cwl_or("$.eventName", ev)
            eb = {"detail": {"eventName": ev}}
        else:
            cwl = '{ ($.eventSource = "%s") && (%s) }' % (source, cwl_or("$.eventName", ev))
            eb = dict(env, detail={"eventSource": [source], "eventName": ev})
        return cwl, eb, "eventName list"
    if roll < 0.65:
        prefix = rng.choice(ERROR_PREFIXES)
        cwl = '{ ($.eventSource = "%s") && ($.errorCode = "%s*") }' % (source, prefix)
        eb = dict(env, detail={"eventSource": [source], "errorCode": [{"prefix": prefix}]})
        return cwl, eb, "errorCode prefix"
    if roll < 0.80:
        role = rng.choice(ROLES)
        ev = names(rng, rng.randint(1, 3))
        cwl = '{ ($.userIdentity.sessionContext.sessionIssuer.userName = "%s") && (%s) }' % (
            role, cwl_or("$.eventName", ev))
        eb = {"detail": {"userIdentity": {"sessionContext": {"sessionIssuer": {
            "userName": [role]}}}, "eventName": ev}}
        return cwl, eb, "nested identity field"
    if roll < 0.88:
        if rng.random() < 0.5:
            cidr = rng.choice(["0.0.0.0/0", "::/0", "10.0.0.0/8"])
            cwl = ('{ ($.eventName = "AuthorizeSecurityGroupIngress") && '
                   '($.requestParameters.ipPermissions.items[0].ipRanges.items[0].cidrIp = "%s") }'
                   % cidr)
            eb = {"source": ["aws.ec2"], "detail": {
                "eventName": ["AuthorizeSecurityGroupIngress"],
                "requestParameters": {"ipPermissions": {"items": {"ipRanges": {"items": {
                    "cidrIp": [cidr]}}}}}}}
        else:
            bucket = rng.choice(BUCKETS)
            ev = rng.choice(["PutBucketPolicy", "DeleteBucketPolicy", "PutBucketAcl",
                             "PutObjectAcl", "DeleteObject"])
            cwl = ('{ ($.eventSource = "s3.amazonaws.com") && ($.eventName = "%s") && '
                   '($.requestParameters.bucketName = "%s") }' % (ev, bucket))
            eb = {"source": ["aws.s3"], "detail": {"eventSource": ["s3.amazonaws.com"],
                  "eventName": [ev], "requestParameters": {"bucketName": [bucket]}}}
        return cwl, eb, "nested request parameter"
    if roll < 0.95:
        prefix = rng.choice(ERROR_PREFIXES)
        cwl = ('{ ($.eventSource = "%s") && ($.readOnly IS FALSE) && ($.errorCode = "%s*") }'
               % (source, prefix))
        eb = dict(env, detail={"eventSource": [source], "readOnly": [False],
                               "errorCode": [{"prefix": prefix}]})
        return cwl, eb, "eventSource + readOnly + errorCode"
    kind = rng.randrange(3)
    if kind == 0:
        net = "198.51.%d." % rng.randrange(256)
        cwl = '{ $.sourceIPAddress = "%s*" }' % net
        eb = {"detail": {"sourceIPAddress": [{"prefix": net}]}}
    elif kind == 1:
        tool = rng.choice(["kali", "parrot", "pacu", "nmap", "sqlmap"])
        cwl = '{ $.userAgent = "*%s*" }' % tool
        eb = {"detail": {"userAgent": [{"wildcard": "*%s*" % tool}]}}
    else:
        cwl = ('{ ($.userIdentity.type = "Root") && ($.userIdentity.invokedBy NOT EXISTS) && '
               '($.eventType != "AwsServiceEvent") }')
        eb = {"detail": {"userIdentity": {"type": ["Root"], "invokedBy": [{"exists": False}]},
                         "eventType": [{"anything-but": "AwsServiceEvent"}]}}
    return cwl, eb, "unanchored"


def yaml_quote(text):
    return "'" + text.replace("'", "''") + "'"


def render(count, lang, seed):
    rng = random.Random(seed)
    out = ["# Generated by bench/gen_rules.py --count %d --lang %s --seed %d; do not edit."
           % (count, lang, seed)]
    for i in range(count):
        cwl, eb, what = make_rule(rng, i)
        out.append("- id: gen-%s-%04d" % (lang, i))
        out.append("  title: Generated %s rule %d (%s)" % (lang, i, what))
        out.append("  severity: low")
        out.append("  description: Synthetic rule for the rule-scaling benchmark (%s)." % what)
        if lang == "cwl":
            out.append("  filter_pattern: " + yaml_quote(cwl))
        else:
            out.append("  event_pattern: "
                       + yaml_quote(json.dumps(eb, separators=(",", ":"), sort_keys=True)))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int)
    ap.add_argument("--lang", choices=["cwl", "eb"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--all", action="store_true")
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(__file__), "rules"))
    args = ap.parse_args()
    if args.all:
        os.makedirs(args.out_dir, exist_ok=True)
        for count in (10, 100, 1000):
            for lang in ("cwl", "eb"):
                path = os.path.join(args.out_dir, "gen-%d-%s.yml" % (count, lang))
                with open(path, "w") as f:
                    f.write(render(count, lang, args.seed))
                print("wrote", path)
        return 0
    if args.count is None or args.lang is None:
        ap.error("--count and --lang, or --all")
    sys.stdout.write(render(args.count, args.lang, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
