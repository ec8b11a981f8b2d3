#!/usr/bin/python3
"""Generates synthetic trailwatch rule files for the rule-scaling benchmark (stdlib only).

  gen_rules.py --count N --lang cwl|eb [--seed S] > bench/rules/gen-N-cwl.yml
  gen_rules.py --all [--out-dir bench/rules]     writes gen-{10,100,1000}-{cwl,eb}.yml and the
                                                 quamina pair below
  gen_rules.py --quamina [--out-dir bench/rules] writes quamina-{42,1000}.yml (trailwatch) and
                                                 quamina-{42,1000}.eb.jsonl (qbench)

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

The quamina comparison (bench/README.md, "quamina") needs the SAME pattern on both sides. quamina
matches the raw record, a trailwatch event_pattern rule the envelope, so pattern P is written as
{"id": ID, "pattern": P} for qbench and as event_pattern {"detail": P} with the same id for
trailwatch. Two sets:
  quamina-42:   42 hand-written patterns that test top-level record fields only (eventSource,
                eventName, errorCode, errorMessage, awsRegion, sourceIPAddress, userAgent,
                readOnly, eventType), shaped like a CloudTrail security pack;
  quamina-1000: the detail part of gen-1000-eb's rules (same seed, same order), so ~23% reach
                nested fields (userIdentity.sessionContext.sessionIssuer.userName,
                requestParameters...). The envelope-only conditions (source, detail-type) are
                dropped, since a raw record has no such fields, and a single-string anything-but
                becomes a one-element list (quamina v1.5.1 accepts only lists).
Only operators both implement: exact strings and booleans, prefix, wildcard, anything-but (string
lists), exists. quamina-42 has one wildcard, on errorCode ("*UnauthorizedOperation"); a
"*tool*" wildcard on userAgent, which every record carries, more than doubles quamina's time
(bench/README.md), so the top-level set leaves it out rather than let one pattern decide the
ratio.
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


# quamina-42: (name, pattern over the raw record). Top-level fields only.
IAM_POLICY_EVENTS = ["AttachGroupPolicy", "AttachRolePolicy", "AttachUserPolicy", "CreatePolicy",
                     "CreatePolicyVersion", "DeleteGroupPolicy", "DeletePolicy",
                     "DeletePolicyVersion", "DeleteRolePolicy", "DeleteUserPolicy",
                     "DetachGroupPolicy", "DetachRolePolicy", "DetachUserPolicy", "PutGroupPolicy",
                     "PutRolePolicy", "PutUserPolicy"]
TOP_LEVEL_PATTERNS = [
    ("cloudtrail-change", {"eventSource": ["cloudtrail.amazonaws.com"], "eventName": [
        "CreateTrail", "DeleteTrail", "PutEventSelectors", "PutInsightSelectors", "StartLogging",
        "StopLogging", "UpdateTrail"]}),
    ("console-login-failure", {"eventName": ["ConsoleLogin"],
                               "errorMessage": ["Failed authentication"]}),
    ("console-login-success", {"eventName": ["ConsoleLogin"], "eventType": ["AwsConsoleSignIn"],
                               "errorMessage": [{"exists": False}]}),
    ("s3-access-denied", {"eventSource": ["s3.amazonaws.com"], "errorCode": ["AccessDenied"]}),
    ("unauthorized-operation", {"errorCode": [{"wildcard": "*UnauthorizedOperation"}]}),
    ("iam-policy-change", {"eventSource": ["iam.amazonaws.com"], "eventName": IAM_POLICY_EVENTS}),
    ("iam-credentials", {"eventSource": ["iam.amazonaws.com"], "eventName": [
        "CreateAccessKey", "CreateLoginProfile", "DeleteAccessKey", "UpdateAccessKey",
        "UpdateLoginProfile"]}),
    ("kms-key-disable", {"eventSource": ["kms.amazonaws.com"],
                         "eventName": ["DisableKey", "ScheduleKeyDeletion"]}),
    ("kms-key-create", {"eventSource": ["kms.amazonaws.com"],
                        "eventName": ["CreateAlias", "CreateKey", "PutKeyPolicy"]}),
    ("s3-bucket-policy", {"eventSource": ["s3.amazonaws.com"], "eventName": [
        "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketPolicy",
        "DeleteBucketReplication", "PutBucketAcl", "PutBucketCors", "PutBucketLifecycle",
        "PutBucketPolicy", "PutBucketReplication"]}),
    ("config-change", {"eventSource": ["config.amazonaws.com"], "eventName": [
        "DeleteDeliveryChannel", "PutConfigurationRecorder", "PutDeliveryChannel",
        "StopConfigurationRecorder"]}),
    ("security-group-change", {"eventName": [
        "AuthorizeSecurityGroupEgress", "AuthorizeSecurityGroupIngress", "CreateSecurityGroup",
        "DeleteSecurityGroup", "ModifySecurityGroupRules", "RevokeSecurityGroupEgress",
        "RevokeSecurityGroupIngress"]}),
    ("network-acl-change", {"eventName": [
        "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
        "ReplaceNetworkAclAssociation", "ReplaceNetworkAclEntry"]}),
    ("gateway-change", {"eventName": [
        "AttachInternetGateway", "CreateCustomerGateway", "CreateInternetGateway",
        "DeleteCustomerGateway", "DeleteInternetGateway", "DetachInternetGateway"]}),
    ("route-table-change", {"eventName": [
        "CreateRoute", "CreateRouteTable", "DeleteRoute", "DeleteRouteTable",
        "DisassociateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation"]}),
    ("vpc-change", {"eventName": [
        "AcceptVpcPeeringConnection", "AttachClassicLinkVpc", "CreateVpc",
        "CreateVpcPeeringConnection", "DeleteVpc", "DeleteVpcPeeringConnection",
        "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink",
        "ModifyVpcAttribute", "RejectVpcPeeringConnection"]}),
    ("ssm-session", {"eventSource": ["ssm.amazonaws.com"],
                     "eventName": ["ResumeSession", "StartSession", "TerminateSession"]}),
    ("secret-write", {"eventSource": ["secretsmanager.amazonaws.com"], "readOnly": [False],
                      "eventName": ["DeleteSecret", "PutSecretValue", "RestoreSecret",
                                    "UpdateSecret"]}),
    ("ssm-parameter-write", {"eventSource": ["ssm.amazonaws.com"],
                             "eventName": ["DeleteParameter", "DeleteParameters",
                                           "PutParameter"]}),
    ("lambda-code-update", {"eventSource": ["lambda.amazonaws.com"], "eventName": [
        {"prefix": "UpdateFunctionCode"}, {"prefix": "UpdateFunctionConfiguration"}]}),
    ("run-instances-unusual-region", {"eventName": ["RunInstances"], "awsRegion": [
        {"anything-but": ["eu-west-1", "us-east-1", "us-west-2"]}]}),
    ("sts-throttling", {"eventSource": ["sts.amazonaws.com"],
                        "errorCode": [{"prefix": "Throttling"}]}),
    ("dynamodb-validation", {"eventSource": ["dynamodb.amazonaws.com"],
                             "errorCode": ["ValidationException"]}),
    ("test-net-source", {"sourceIPAddress": [{"prefix": "192.0.2."}, {"prefix": "198.51.100."},
                                             {"prefix": "203.0.113."}]}),
    ("legacy-sdk-user-agent", {"userAgent": [{"prefix": "aws-cli/1."}, {"prefix": "Boto3/1.2"},
                                             {"prefix": "aws-sdk-java/1."}]}),
    ("assume-role-error", {"eventName": ["AssumeRole"], "errorCode": [{"exists": True}]}),
    ("kms-access-denied", {"eventSource": ["kms.amazonaws.com"],
                           "errorCode": [{"prefix": "AccessDenied"}]}),
    ("ec2-request-limit", {"eventSource": ["ec2.amazonaws.com"],
                           "errorCode": ["Client.RequestLimitExceeded"]}),
    ("instance-not-found", {"errorCode": ["Client.InvalidInstanceID.NotFound"],
                            "awsRegion": ["ap-southeast-2"]}),
    ("instance-stop-sydney", {"eventSource": ["ec2.amazonaws.com"], "readOnly": [False],
                              "eventName": ["StopInstances", "TerminateInstances"],
                              "awsRegion": ["ap-southeast-2"]}),
    ("dynamodb-table-change", {"eventSource": ["dynamodb.amazonaws.com"],
                               "eventName": ["DeleteTable", "UpdateTable"],
                               "awsRegion": ["us-west-2"]}),
    ("autoscaling-error", {"eventSource": ["autoscaling.amazonaws.com"],
                           "errorCode": [{"exists": True}]}),
    ("organizations-change", {"eventSource": ["organizations.amazonaws.com"], "eventName": [
        "DeletePolicy", "DetachPolicy", "LeaveOrganization", "RemoveAccountFromOrganization"]}),
    ("guardduty-change", {"eventSource": ["guardduty.amazonaws.com"], "eventName": [
        {"prefix": "Delete"}, {"prefix": "Disable"}, {"prefix": "Update"}]}),
    ("alarm-change", {"eventSource": ["monitoring.amazonaws.com"], "eventName": [
        "DeleteAlarms", "DisableAlarmActions", "PutMetricAlarm"]}),
    ("log-deletion", {"eventSource": ["logs.amazonaws.com"], "eventName": [
        "DeleteLogGroup", "DeleteLogStream", "DeleteSubscriptionFilter", "PutRetentionPolicy"]}),
    ("image-sharing", {"eventSource": ["ec2.amazonaws.com"], "eventName": [
        "ModifyImageAttribute", "ModifySnapshotAttribute", "SharedSnapshotCopyInitiated"]}),
    ("rds-change", {"eventSource": ["rds.amazonaws.com"], "eventName": [
        "DeleteDBInstance", "ModifyDBInstance", "ModifyDBSnapshotAttribute",
        "RestoreDBInstanceFromDBSnapshot"]}),
    ("service-event", {"eventType": ["AwsServiceEvent"]}),
    ("trusted-advisor-recon", {"eventName": ["DescribeTrustedAdvisorChecks"]}),
    ("account-recon", {"eventSource": ["iam.amazonaws.com"], "eventName": [
        "GetAccountAuthorizationDetails", "GetAccountSummary", "ListAccountAliases"]}),
    ("s3-data-delete", {"eventCategory": ["Data"], "eventName": [
        "DeleteObject", "DeleteObjects", "PutObjectAcl"]}),
]


def to_quamina(eb):
    """The record-level part of a gen-*-eb pattern, in the operators quamina v1.5.1 accepts."""
    def fix(node):
        if isinstance(node, dict):
            if set(node) == {"anything-but"} and isinstance(node["anything-but"], str):
                return {"anything-but": [node["anything-but"]]}
            return {k: fix(v) for k, v in node.items()}
        if isinstance(node, list):
            return [fix(v) for v in node]
        return node
    return fix(eb["detail"])


def quamina_sets(seed):
    """{name: [(id, pattern over the raw record)]} for the quamina comparison."""
    top = [("q42-%02d-%s" % (i, name), p) for i, (name, p) in enumerate(TOP_LEVEL_PATTERNS)]
    assert len(top) == 42, len(top)
    rng = random.Random(seed)
    nested = [("q1000-%04d" % i, to_quamina(make_rule(rng, i)[1])) for i in range(1000)]
    return {"quamina-42": top, "quamina-1000": nested}


def render_quamina(name, patterns):
    """(trailwatch YAML, qbench JSONL) for one pattern set: the same pattern, the same id."""
    yml = ["# Generated by bench/gen_rules.py --quamina; do not edit. The same patterns as "
           "%s.eb.jsonl," % name,
           "# under \"detail\": a trailwatch event_pattern sees the EventBridge envelope."]
    jsonl = []
    for rule_id, pattern in patterns:
        text = json.dumps(pattern, separators=(",", ":"), sort_keys=True)
        yml.append("- id: " + rule_id)
        yml.append("  title: quamina comparison pattern " + rule_id)
        yml.append("  severity: low")
        yml.append("  description: Same pattern as qbench's %s (bench/README.md, quamina)."
                   % rule_id)
        yml.append("  event_pattern: " + yaml_quote('{"detail":%s}' % text))
        jsonl.append('{"id":%s,"pattern":%s}' % (json.dumps(rule_id), text))
    return "\n".join(yml) + "\n", "\n".join(jsonl) + "\n"


def write_quamina(out_dir, seed):
    for name, patterns in quamina_sets(seed).items():
        yml, jsonl = render_quamina(name, patterns)
        for suffix, text in ((".yml", yml), (".eb.jsonl", jsonl)):
            path = os.path.join(out_dir, name + suffix)
            with open(path, "w") as f:
                f.write(text)
            print("wrote", path)


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
    ap.add_argument("--quamina", action="store_true")
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
        write_quamina(args.out_dir, args.seed)
        return 0
    if args.quamina:
        os.makedirs(args.out_dir, exist_ok=True)
        write_quamina(args.out_dir, args.seed)
        return 0
    if args.count is None or args.lang is None:
        ap.error("--count and --lang, or --all")
    sys.stdout.write(render(args.count, args.lang, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
