#!/usr/bin/python3
"""CPython baseline in the style of a CloudTrail-alerting Lambda handler (stdlib only).

Two forms, each the way such handlers are commonly written:

  lambda_style.py DIR [--per-rule]
      S3-notification style: for every *.json.gz under DIR, gzip.decompress + json.loads of the
      whole {"Records":[...]} file, then if-tests for each detection on every record.
  lambda_style.py --cwl-payload FILE [--per-rule]
      CloudWatch Logs subscription style, one invocation: base64-decode awslogs.data, gunzip,
      json.loads the payload and then each logEvents[].message, then the same if-tests.
      Time it as a whole process (interpreter start included), as a cold invocation pays it.
  lambda_style.py --ndjson FILE [--per-rule]
      Not a handler: the same if-tests over NDJSON, used to cross-check counts against jq.

Prints "events=N matched_events=M hits=H"; with --per-rule, also "rule-id count" lines sorted
by rule id, in the same format the harness derives from bench/baselines/detections.jq, whose
detection set this file mirrors exactly (CIS CloudWatch.1-14 plus nine trailwatch detections).

CloudWatch Logs semantics (docs/cwl-filter-patterns.md): `=` is true only for a string field equal
to the value (with * as prefix/suffix wildcard); `!=` for a present scalar field (null included)
that differs, never for a missing field, an array or an object; NOT EXISTS means the key is absent.
"""

import base64
import gzip
import json
import os
import sys

IAM_POLICY = frozenset([
    "DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy",
    "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion",
    "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy",
    "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy"])
TRAIL = frozenset(["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"])
KMS_CIS = frozenset(["DisableKey", "ScheduleKeyDeletion"])
S3_POLICY = frozenset([
    "PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle",
    "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle",
    "DeleteBucketReplication"])
CONFIG = frozenset(["StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel",
                    "PutConfigurationRecorder"])
SG_CIS = frozenset([
    "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
    "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup"])
SG_ALL = SG_CIS | {"ModifySecurityGroupRules"}
NACL = frozenset(["CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl",
                  "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry",
                  "ReplaceNetworkAclAssociation"])
GATEWAY = frozenset(["CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway",
                     "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway"])
ROUTE = frozenset(["CreateRoute", "CreateRouteTable", "ReplaceRoute",
                   "ReplaceRouteTableAssociation", "DeleteRouteTable", "DeleteRoute",
                   "DisassociateRouteTable"])
VPC = frozenset(["CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
                 "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection",
                 "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc",
                 "DisableVpcClassicLink", "EnableVpcClassicLink"])
KMS_CHANGE = frozenset(["CreateKey", "CreateAlias", "DisableKey", "DeleteAlias",
                        "ScheduleKeyDeletion"])
SSM_SESSION = frozenset(["StartSession", "ResumeSession", "TerminateSession"])


def _get(record, *path):
    value = record
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _str(value):
    return value if isinstance(value, str) else None


def _scalar_ne(container, key, value):
    """CloudWatch Logs `$.key != value` on a dict: present, a scalar, and different."""
    return (isinstance(container, dict) and key in container
            and not isinstance(container[key], (list, dict)) and container[key] != value)


def detect(r):
    """Returns the ids of the detections that record `r` (a dict) matches."""
    hits = []
    name = _str(r.get("eventName"))
    source = r.get("eventSource")
    error_code = _str(r.get("errorCode"))
    identity = r.get("userIdentity")
    identity_type = identity.get("type") if isinstance(identity, dict) else None
    auth_failure = error_code is not None and (
        error_code.startswith("AccessDenied") or error_code.endswith("UnauthorizedOperation"))
    login_result = _get(r, "responseElements", "ConsoleLogin")

    if (identity_type == "Root" and "invokedBy" not in identity
            and _scalar_ne(r, "eventType", "AwsServiceEvent")):
        hits.append("cis-root-usage")
    if auth_failure:
        hits.append("cis-unauthorized-api-calls")
    if (name == "ConsoleLogin" and _scalar_ne(r.get("additionalEventData"), "MFAUsed", "Yes")
            and identity_type == "IAMUser" and login_result == "Success"):
        hits.append("cis-console-login-without-mfa")
    if name in IAM_POLICY:
        hits.append("cis-iam-policy-changes")
    if name in TRAIL:
        hits.append("cis-cloudtrail-changes")
    if name == "ConsoleLogin" and r.get("errorMessage") == "Failed authentication":
        hits.append("cis-console-auth-failures")
    if source == "kms.amazonaws.com" and name in KMS_CIS:
        hits.append("cis-cmk-disable-or-deletion")
    if source == "s3.amazonaws.com" and name in S3_POLICY:
        hits.append("cis-s3-bucket-policy-changes")
    if source == "config.amazonaws.com" and name in CONFIG:
        hits.append("cis-config-changes")
    if name in SG_CIS:
        hits.append("cis-security-group-changes")
    if name in NACL:
        hits.append("cis-nacl-changes")
    if name in GATEWAY:
        hits.append("cis-network-gateway-changes")
    if name in ROUTE:
        hits.append("cis-route-table-changes")
    if name in VPC:
        hits.append("cis-vpc-changes")
    if name in TRAIL:
        hits.append("cloudtrail-change")
    if name == "ConsoleLogin" and r.get("errorMessage") == "Failed authentication":
        hits.append("console-login-failure")
    if auth_failure:
        hits.append("authorization-failure")
    if name in SG_ALL:
        hits.append("security-group-change")
    if source == "kms.amazonaws.com" and name in KMS_CHANGE:
        hits.append("kms-key-change")
    if name in NACL:
        hits.append("network-acl-change")
    if name == "ConsoleLogin" and login_result == "Success":
        hits.append("console-login-success")
    if source == "ssm.amazonaws.com" and name in SSM_SESSION:
        hits.append("ssm-session")
    if name in IAM_POLICY:
        hits.append("iam-policy-change")
    return hits


class Tally:
    def __init__(self):
        self.events = 0
        self.matched = 0
        self.per_rule = {}

    def add(self, record):
        self.events += 1
        hits = detect(record)
        if hits:
            self.matched += 1
            for rule in hits:
                self.per_rule[rule] = self.per_rule.get(rule, 0) + 1

    def report(self, per_rule):
        print("events=%d matched_events=%d hits=%d"
              % (self.events, self.matched, sum(self.per_rule.values())))
        if per_rule:
            for rule in sorted(self.per_rule):
                print(rule, self.per_rule[rule])


def handle_s3_objects(directory, tally):
    """The S3-notification handler body, run over every .json.gz file under `directory`."""
    paths = []
    for root, _, files in os.walk(directory):
        paths.extend(os.path.join(root, f) for f in files if f.endswith(".json.gz"))
    for path in sorted(paths):
        with open(path, "rb") as f:
            body = gzip.decompress(f.read())
        for record in json.loads(body).get("Records", []):
            tally.add(record)


def handle_cwl_event(event, tally):
    """The CloudWatch Logs subscription handler body: one invocation."""
    payload = json.loads(gzip.decompress(base64.b64decode(event["awslogs"]["data"])))
    if payload.get("messageType") != "DATA_MESSAGE":
        return
    for log_event in payload["logEvents"]:
        tally.add(json.loads(log_event["message"]))


def main(argv):
    per_rule = "--per-rule" in argv
    args = [a for a in argv if a != "--per-rule"]
    tally = Tally()
    if len(args) == 2 and args[0] == "--cwl-payload":
        with open(args[1], "rb") as f:
            handle_cwl_event(json.loads(f.read()), tally)
    elif len(args) == 2 and args[0] == "--ndjson":
        # Not a Lambda form: used by the harness to cross-check counts against jq.
        with open(args[1], "rb") as f:
            for line in f:
                if line.strip():
                    tally.add(json.loads(line))
    elif len(args) == 1 and not args[0].startswith("--"):
        handle_s3_objects(args[0], tally)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    tally.report(per_rule)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
