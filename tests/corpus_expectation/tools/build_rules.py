#!/usr/bin/env python3
"""Generate rules/core.yml (the 9 seed rules) and rules/cis.yml (the 14 CIS rules) of the built-in
pack, with inline tests taken from the corpus. (build_catalogue.py writes the other packs.)

Maintainer tool, not run by the build.  Stdlib only.  For each rule:
  * `pred` is a hand-written Python predicate of the rule's intent (JSON types: a field
    counts only as a JSON string; `!=` on a missing field is false; NOT EXISTS is true
    only when the key is absent).  It returns True/False, or None when the verdict would
    depend on undocumented CloudWatch Logs behaviour (e.g. `!=` against a JSON null);
    such records are never used as tests.
  * The rule's filter_pattern is also evaluated by a tiny CloudWatch-Logs JSON-pattern
    evaluator (`cwl_eval`, below) and every record of the corpus must get the same verdict
    from both; the script aborts otherwise.
  * Positives: records with pred True, chosen for diversity (source, eventName) and short lines;
    aws-docs records (CC-BY-SA-4.0 documentation text) only where no other source fits.
  * Negatives: near misses chosen from per-rule categories (same eventSource but read-only
    name, other errorCode, Root with invokedBy, ...).
Every test event is the exact corpus line (byte for byte).  Test names cite the corpus
file and its 1-based line number (the `line` of provenance/<source>.provenance.ndjson).

Usage: build_rules.py [--corpus tests/data/corpus] [--out rules] [--report]
"""

import argparse
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import expected_alerts as EA  # noqa: E402

SH_URL = "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html"
CT_ALARMS_URL = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-alarms-for-cloudtrail.html"

# --------------------------------------------------------------------------------------
# field helpers (JSON-typed)
MISSING = object()


def get(rec, path):
    cur = rec
    for k in path.split("."):
        if not isinstance(cur, dict) or k not in cur:
            return MISSING
        cur = cur[k]
    return cur


def sval(rec, path):
    v = get(rec, path)
    return v if isinstance(v, str) else None


def name_in(rec, names):
    return sval(rec, "eventName") in names


def src_is(rec, s):
    return sval(rec, "eventSource") == s


def ne(rec, path, value):
    """CWL `!=` with our documented semantics; None when undocumented."""
    v = get(rec, path)
    if v is MISSING:
        return False
    if isinstance(v, str):
        return v != value
    if isinstance(v, (dict, list)):
        return False
    return None  # null / number / bool against a string: undocumented


# --------------------------------------------------------------------------------------
# tiny CloudWatch Logs JSON-pattern evaluator (cross-check only)
TOK = re.compile(r'\s*(\|\||&&|\(|\)|\{|\}|!=|=|NOT\s+EXISTS|"(?:[^"\\]|\\.)*"|\$[A-Za-z0-9_.\-]+|[^\s()=!&|{}"]+)')


def tokenize(p):
    pos, out = 0, []
    p = p.strip()
    while pos < len(p):
        m = TOK.match(p, pos)
        if not m:
            raise ValueError(f"bad token at {pos}: {p[pos:pos+20]!r}")
        out.append(m.group(1))
        pos = m.end()
        while pos < len(p) and p[pos].isspace():
            pos += 1
    return out


def parse(p):
    toks = tokenize(p)
    assert toks[0] == "{" and toks[-1] == "}", p
    toks = toks[1:-1]
    i = 0

    def peek():
        return toks[i] if i < len(toks) else None

    def take():
        nonlocal i
        i += 1
        return toks[i - 1]

    def or_expr():
        node = and_expr()
        while peek() == "||":
            take()
            node = ("or", node, and_expr())
        return node

    def and_expr():
        node = primary()
        while peek() == "&&":
            take()
            node = ("and", node, primary())
        return node

    def primary():
        if peek() == "(":
            take()
            node = or_expr()
            assert take() == ")"
            return node
        sel = take()
        assert sel.startswith("$."), sel
        op = take()
        if re.fullmatch(r"NOT\s+EXISTS", op):
            return ("notexists", sel[2:])
        assert op in ("=", "!="), op
        val = take()
        if val.startswith('"'):
            val = json.loads(val)
        return (op, sel[2:], val)

    node = or_expr()
    assert i == len(toks), toks[i:]
    return node


def wc_match(v, pat):
    if pat == "*":
        return True
    if pat.startswith("*") and len(pat) > 1:
        return v.endswith(pat[1:])
    if pat.endswith("*") and len(pat) > 1:
        return v.startswith(pat[:-1])
    return v == pat


def cwl_eval(node, rec):
    """True/False, or None if undocumented."""
    kind = node[0]
    if kind in ("or", "and"):
        a = cwl_eval(node[1], rec)
        b = cwl_eval(node[2], rec)
        if kind == "or":
            if a is True or b is True:
                return True
            return None if (a is None or b is None) else False
        if a is False or b is False:
            return False
        return None if (a is None or b is None) else True
    if kind == "notexists":
        return get(rec, node[1]) is MISSING
    op, path, val = node
    v = get(rec, path)
    if v is MISSING or isinstance(v, (dict, list)):
        return False
    if not isinstance(v, str):
        return False if op == "=" else None
    eq = wc_match(v, val)
    return eq if op == "=" else not eq


# --------------------------------------------------------------------------------------
# rule definitions
def ors(names):
    return " || ".join(f"($.eventName = {n})" for n in names)


CIS_PATTERNS = {  # verbatim from Security Hub cloudwatch-controls.md (peers.md (d))
    1: '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
    2: '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
    3: '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    4: '{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}',
    5: '{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}',
    6: '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
    7: '{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}',
    8: '{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}',
    9: '{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}',
    10: '{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}',
    11: '{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}',
    12: '{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}',
    13: '{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}',
    14: '{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}',
}
CIS_VERSIONS = {
    1: "CIS AWS Foundations Benchmark v1.2.0 1.1 and 3.3, v1.4.0 1.7 and 4.3",
    2: "CIS AWS Foundations Benchmark v1.2.0 3.1",
    3: "CIS AWS Foundations Benchmark v1.2.0 3.2",
}
for _n in range(4, 15):
    CIS_VERSIONS[_n] = f"CIS AWS Foundations Benchmark v1.2.0 3.{_n}, v1.4.0 4.{_n}"


def cis_refs(n, *urls):
    return [f"Security Hub CloudWatch.{n}", CIS_VERSIONS[n], SH_URL, *urls]


S3_NAMES = ["PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle", "PutBucketReplication",
            "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle", "DeleteBucketReplication"]
CONFIG_NAMES = ["StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"]
CIS_SG = ["AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress",
          "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup"]
GW_NAMES = ["CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
            "DeleteInternetGateway", "DetachInternetGateway"]
ROUTE_NAMES = ["CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable",
               "DeleteRoute", "DisassociateRouteTable"]
VPC_NAMES = ["CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection",
             "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc",
             "DisableVpcClassicLink", "EnableVpcClassicLink"]

CT_ORDER = ["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"]
IAM_ORDER = ["DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy",
             "PutUserPolicy", "CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion",
             "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy",
             "DetachGroupPolicy"]
SG_ORDER = CIS_SG + ["ModifySecurityGroupRules"]
NACL_ORDER = ["CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry",
              "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"]
KMS_ORDER = ["CreateKey", "CreateAlias", "DisableKey", "DeleteAlias", "ScheduleKeyDeletion"]
SSM_ORDER = ["StartSession", "ResumeSession", "TerminateSession"]

READ_ONLY = re.compile(r"^(Describe|List|Get|Lookup|Search|BatchGet|Head)")


def readonly_same_source(source):
    return lambda r: src_is(r, source) and READ_ONLY.match(sval(r, "eventName") or "") is not None


def write_same_source(source, exclude):
    return lambda r: (src_is(r, source) and not READ_ONLY.match(sval(r, "eventName") or "")
                      and sval(r, "eventName") not in exclude and sval(r, "errorCode") is None)


def seed(rule_id):
    return lambda r: rule_id in EA.rules_for(r)


def auth_fail(r):
    return "authorization-failure" in EA.rules_for(r)


def console_success(r):
    return name_in(r, {"ConsoleLogin"}) and sval(r, "responseElements.ConsoleLogin") == "Success"


def root_usage(r):
    if sval(r, "userIdentity.type") != "Root":
        return False
    ui = get(r, "userIdentity")
    if "invokedBy" in ui:
        return False
    return ne(r, "eventType", "AwsServiceEvent")


def no_mfa(r):
    if not (name_in(r, {"ConsoleLogin"}) and sval(r, "userIdentity.type") == "IAMUser"
            and sval(r, "responseElements.ConsoleLogin") == "Success"):
        return False
    return ne(r, "additionalEventData.MFAUsed", "Yes")


RULES = []


def rule(**kw):
    RULES.append(kw)


# ---- seed rules ---------------------------------------------------------------------
rule(id="cloudtrail-change", npos=5, title="CloudTrail trail changed or stopped", severity="high",
     description="A trail was created, updated or deleted, or logging was started or stopped "
                 "(CreateTrail, UpdateTrail, DeleteTrail, StartLogging, StopLogging). Stopping or deleting a "
                 "trail is a classic defense-evasion step that blinds every other detection, and UpdateTrail can "
                 "silently redirect logs to another bucket. Confirm the change was planned, check GetTrailStatus "
                 "and the trail's S3 destination, and restart logging if it was stopped.",
     references=["Security Hub CloudWatch.5", CIS_VERSIONS[5], SH_URL,
                 "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StopLogging.html",
                 "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/best-practices-security.html",
                 CT_ALARMS_URL],
     pattern="{ " + ors(CT_ORDER) + " }", pred=seed("cloudtrail-change"),
     neg=[("read-only call on cloudtrail", readonly_same_source("cloudtrail.amazonaws.com")),
          ("PutEventSelectors is not one of the five trail APIs", lambda r: name_in(r, {"PutEventSelectors"})),
          ("other cloudtrail call", write_same_source("cloudtrail.amazonaws.com", set(CT_ORDER)))])

rule(id="iam-policy-change", npos=4, title="IAM policy created, changed, attached or detached", severity="medium",
     description="One of the 16 IAM policy APIs of CIS CloudWatch.4 was called: an inline policy was put or "
                 "deleted, a managed policy or policy version was created or deleted, or a policy was attached "
                 "to or detached from a user, group or role. Policy changes are the usual way to escalate "
                 "privileges or to plant persistence. Review the policy document in requestParameters, who made "
                 "the change, and whether it grants wildcard actions or resources.",
     references=["Security Hub CloudWatch.4", CIS_VERSIONS[4], SH_URL,
                 "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_manage.html",
                 "https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html"],
     pattern="{ " + ors(IAM_ORDER) + " }", pred=seed("iam-policy-change"),
     neg=[("read-only IAM call", readonly_same_source("iam.amazonaws.com")),
          ("IAM write outside the 16 policy APIs", write_same_source("iam.amazonaws.com", set(IAM_ORDER)))])

rule(id="console-login-failure", npos=3, div=lambda rec: (sval(rec, "userIdentity.type"), sval(rec, "errorMessage")), title="Console sign-in failed", severity="low",
     description="A Management Console sign-in failed (responseElements.ConsoleLogin Failure), whatever the "
                 "errorMessage: a wrong password (\"Failed authentication\"), an unknown user name (\"No username "
                 "found in supplied account\") and so on. Isolated failures are usually typos; bursts from one source "
                 "IP or against many users indicate password guessing. Check sourceIPAddress, the target user and "
                 "whether a successful login followed. cis-console-auth-failures keeps the CIS text, which counts "
                 "only \"Failed authentication\".",
     references=["Security Hub CloudWatch.6", CIS_VERSIONS[6], SH_URL,
                 "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html",
                 "panther AWS.Console.LoginFailed"],
     pattern='{ ($.eventName = "ConsoleLogin") && ($.responseElements.ConsoleLogin = "Failure") }',
     pred=seed("console-login-failure"),
     neg=[("successful ConsoleLogin", console_success),
          ("sign-in event other than ConsoleLogin", lambda r: src_is(r, "signin.amazonaws.com")
           and not name_in(r, {"ConsoleLogin"}) and sval(r, "responseElements.ConsoleLogin") is None)])

rule(id="authorization-failure", npos=4, div=lambda rec: (sval(rec, "errorCode"), sval(rec, "eventSource")), title="API call denied (AccessDenied / UnauthorizedOperation)", severity="low",
     description="An API call failed with an errorCode starting with AccessDenied or ending with "
                 "UnauthorizedOperation. A single denial is often a misconfigured tool, but a run of denials "
                 "from one principal is typical of stolen credentials being used to enumerate permissions. "
                 "Look at the principal, the calls it tried and whether the same identity also succeeded "
                 "elsewhere.",
     references=["Security Hub CloudWatch.2", CIS_VERSIONS[2], SH_URL,
                 "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html",
                 "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html"],
     pattern='{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
     pred=auth_fail,
     neg=[("errorCode contains AccessDenied but does not start with it",
           lambda r: "AccessDenied" in (sval(r, "errorCode") or "") and not auth_fail(r)),
          ("ThrottlingException", lambda r: sval(r, "errorCode") == "ThrottlingException"),
          ("another errorCode", lambda r: sval(r, "errorCode") not in (None, "") and not auth_fail(r)),
          ]),

rule(id="security-group-change", npos=4, title="Security group created, deleted or its rules changed", severity="medium",
     description="A security group was created or deleted, or ingress/egress rules were authorized, revoked or "
                 "modified (the CIS CloudWatch.10 APIs plus ModifySecurityGroupRules). Opening a port to "
                 "0.0.0.0/0 or ::/0 is a frequent path to exposure and exfiltration. Check the CIDRs and ports "
                 "in requestParameters and which resources use the group.",
     references=["Security Hub CloudWatch.10", CIS_VERSIONS[10], SH_URL,
                 "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html",
                 "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySecurityGroupRules.html"],
     pattern="{ " + ors(SG_ORDER) + " }", pred=seed("security-group-change"),
     neg=[("read-only security group call",
           lambda r: sval(r, "eventName") in {"DescribeSecurityGroups", "DescribeSecurityGroupRules"}),
          ("RDS DB security group ingress is a different API",
           lambda r: sval(r, "eventName") == "AuthorizeDBSecurityGroupIngress")])

rule(id="kms-key-change", npos=5, title="KMS key created, disabled, scheduled for deletion or alias changed",
     severity="high",
     description="A KMS API that creates a key, creates or deletes an alias, disables a key or schedules its "
                 "deletion was called on kms.amazonaws.com. Disabling or deleting a customer managed key makes "
                 "every piece of data encrypted under it unreadable (a ransomware pattern), and alias changes "
                 "can redirect applications to an attacker's key. For DisableKey/ScheduleKeyDeletion, confirm "
                 "intent at once and run CancelKeyDeletion/EnableKey during the waiting period if not.",
     references=["Security Hub CloudWatch.7", CIS_VERSIONS[7], SH_URL,
                 "https://docs.aws.amazon.com/kms/latest/developerguide/logging-using-cloudtrail.html",
                 "https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html"],
     pattern="{ ($.eventSource = kms.amazonaws.com) && (" + ors(KMS_ORDER) + ") }",
     pred=seed("kms-key-change"),
     neg=[("cryptographic / read-only KMS call",
           lambda r: src_is(r, "kms.amazonaws.com") and sval(r, "eventName") in
           {"Decrypt", "DescribeKey", "ListAliases", "GenerateDataKey", "Encrypt"}),
          ("KMS key-management call outside the list",
           lambda r: src_is(r, "kms.amazonaws.com") and sval(r, "eventName") in
           {"EnableKey", "CancelKeyDeletion", "UpdateAlias", "PutKeyPolicy", "DeleteKey"})])

rule(id="network-acl-change", title="Network ACL created, deleted or its entries changed", severity="medium",
     description="A network ACL or one of its entries was created, deleted or replaced, or a subnet was "
                 "re-associated with another ACL. NACLs are the subnet-level firewall; an allow-all entry or "
                 "a swapped association can expose whole subnets. Check the rule number, CIDR, ports and "
                 "ruleAction in requestParameters.",
     references=["Security Hub CloudWatch.11", CIS_VERSIONS[11], SH_URL,
                 "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html"],
     pattern="{ " + ors(NACL_ORDER) + " }", pred=seed("network-acl-change"),
     neg=[("read-only DescribeNetworkAcls", lambda r: sval(r, "eventName") == "DescribeNetworkAcls"),
          ("other EC2 network write", lambda r: sval(r, "eventName") in
           {"CreateRoute", "AttachInternetGateway", "CreateVpc", "AuthorizeSecurityGroupIngress"})])

rule(id="console-login-success", div=lambda rec: (sval(rec, "userIdentity.type"), sval(rec, "additionalEventData.MFAUsed")), title="Console sign-in succeeded", severity="info",
     description="A Management Console sign-in succeeded (responseElements.ConsoleLogin = \"Success\"). On its "
                 "own this is an audit trail entry; the after-hours condition (sign-ins outside business hours, "
                 "evaluated on eventTime) is applied by the alerting configuration, not by this pattern. "
                 "Check the user, MFA use and source IP when it fires outside the expected window.",
     references=["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html",
                 "https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html"],
     pattern="{ ($.eventName = ConsoleLogin) && ($.responseElements.ConsoleLogin = \"Success\") }",
     pred=seed("console-login-success"),
     neg=[("failed ConsoleLogin", lambda r: name_in(r, {"ConsoleLogin"})
           and sval(r, "responseElements.ConsoleLogin") == "Failure"),
          ("other sign-in event", lambda r: src_is(r, "signin.amazonaws.com") and not name_in(r, {"ConsoleLogin"})),
          ("ConsoleLogin without a responseElements result", lambda r: name_in(r, {"ConsoleLogin"})
           and sval(r, "responseElements.ConsoleLogin") is None)])

rule(id="ssm-session", npos=4, title="SSM Session Manager session started, resumed or terminated", severity="medium",
     description="A Systems Manager Session Manager session was started, resumed or terminated "
                 "(ssm.amazonaws.com StartSession, ResumeSession, TerminateSession). Sessions give interactive "
                 "shell access to instances without SSH and are used for lateral movement. Check the target "
                 "instance, the principal and whether session logging is enabled.",
     references=["https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html",
                 "https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-cloudtrail-logs.html"],
     pattern="{ ($.eventSource = ssm.amazonaws.com) && (" + ors(SSM_ORDER) + ") }",
     pred=seed("ssm-session"),
     neg=[("same eventName on another service (Athena)",
           lambda r: sval(r, "eventName") in set(SSM_ORDER) and not src_is(r, "ssm.amazonaws.com")),
          ("other SSM call", lambda r: src_is(r, "ssm.amazonaws.com") and sval(r, "eventName") in
           {"SendCommand", "DescribeInstanceInformation", "DescribeSessions", "GetConnectionStatus"})])

# ---- CIS rules ----------------------------------------------------------------------
rule(id="cis-root-usage", title="Root user activity (CIS CloudWatch.1)", severity="critical",
     description="The root user made a call that was not invoked by an AWS service and is not an "
                 "AwsServiceEvent. Root has unrestricted access and should only be used for the few tasks that "
                 "require it. Verify who holds the root credentials, that MFA is enabled, and what the call did; "
                 "treat unexplained root activity as a compromise.",
     references=cis_refs(1, "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html"),
     pattern=CIS_PATTERNS[1], pred=root_usage,
     neg=[("Root call invoked by an AWS service (invokedBy present)",
           lambda r: sval(r, "userIdentity.type") == "Root" and "invokedBy" in get(r, "userIdentity")),
          ("IAM user, not root", lambda r: sval(r, "userIdentity.type") == "IAMUser"
           and name_in(r, {"ConsoleLogin"})),
          ("assumed role", lambda r: sval(r, "userIdentity.type") == "AssumedRole")])

rule(id="cis-unauthorized-api-calls", npos=4, div=lambda rec: (sval(rec, "errorCode"), sval(rec, "eventSource")), title="Unauthorized API calls (CIS CloudWatch.2)", severity="low",
     description="An API call was rejected with an errorCode ending in UnauthorizedOperation or starting with "
                 "AccessDenied, exactly as the CIS CloudWatch.2 metric filter counts them. Repeated denials can "
                 "reveal credential misuse or permission probing. Group by principal and source IP and look for "
                 "enumeration patterns.",
     references=cis_refs(2, "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html"),
     pattern=CIS_PATTERNS[2], pred=auth_fail,
     neg=[("errorCode contains AccessDenied but does not start with it",
           lambda r: "AccessDenied" in (sval(r, "errorCode") or "") and not auth_fail(r)),
          ("another errorCode", lambda r: sval(r, "errorCode") in {"ThrottlingException", "NoSuchEntity",
                                                                   "Client.DryRunOperation"})])

rule(id="cis-console-login-without-mfa", div=lambda rec: (sval(rec, "userIdentity.type"), sval(rec, "additionalEventData.MFAUsed")), title="Console sign-in without MFA (CIS CloudWatch.3)", severity="medium",
     description="An IAM user signed in to the console successfully and additionalEventData.MFAUsed was not "
                 "\"Yes\". Password-only console access is the easiest account to take over. Enforce MFA for the "
                 "user (or move it to IAM Identity Center) and check the sign-in's source IP.",
     references=cis_refs(3, "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa.html",
                         "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html"),
     pattern=CIS_PATTERNS[3], pred=no_mfa,
     neg=[("IAM user signed in with MFA", lambda r: name_in(r, {"ConsoleLogin"})
           and sval(r, "userIdentity.type") == "IAMUser" and sval(r, "responseElements.ConsoleLogin") == "Success"
           and sval(r, "additionalEventData.MFAUsed") == "Yes"),
          ("assumed-role (federated/SSO) sign-in without MFA", lambda r: name_in(r, {"ConsoleLogin"})
           and sval(r, "userIdentity.type") == "AssumedRole" and sval(r, "additionalEventData.MFAUsed") == "No"),
          ("failed sign-in without MFA", lambda r: name_in(r, {"ConsoleLogin"})
           and sval(r, "userIdentity.type") == "IAMUser" and sval(r, "responseElements.ConsoleLogin") == "Failure"
           and sval(r, "additionalEventData.MFAUsed") == "No"),
          ("root sign-in without MFA", lambda r: name_in(r, {"ConsoleLogin"})
           and sval(r, "userIdentity.type") == "Root" and sval(r, "responseElements.ConsoleLogin") == "Success"
           and sval(r, "additionalEventData.MFAUsed") == "No")])

rule(id="cis-iam-policy-changes", npos=4, title="IAM policy changes (CIS CloudWatch.4)", severity="medium",
     description="One of the 16 IAM policy APIs counted by the CIS CloudWatch.4 metric filter was called. Policy "
                 "changes alter who can do what and are a standard privilege-escalation step. Review the policy "
                 "document and the principal that changed it.",
     references=cis_refs(4, "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_manage.html"),
     pattern=CIS_PATTERNS[4], pred=seed("iam-policy-change"),
     neg=[("read-only IAM call", readonly_same_source("iam.amazonaws.com")),
          ("IAM write outside the 16 policy APIs", write_same_source("iam.amazonaws.com", set(IAM_ORDER)))])

rule(id="cis-cloudtrail-changes", npos=5, title="CloudTrail configuration changes (CIS CloudWatch.5)", severity="high",
     description="A trail was created, updated or deleted, or logging was started or stopped, as counted by the "
                 "CIS CloudWatch.5 metric filter. Tampering with CloudTrail hides later activity. Confirm the "
                 "change and that logging is on with the expected destination.",
     references=cis_refs(5, "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/best-practices-security.html"),
     pattern=CIS_PATTERNS[5], pred=seed("cloudtrail-change"),
     neg=[("read-only call on cloudtrail", readonly_same_source("cloudtrail.amazonaws.com")),
          ("PutEventSelectors is not in the CIS list", lambda r: name_in(r, {"PutEventSelectors"}))])

rule(id="cis-console-auth-failures", npos=2, div=lambda rec: (sval(rec, "userIdentity.type"), sval(rec, "additionalEventData.MFAUsed")), title="Console authentication failures (CIS CloudWatch.6)", severity="low",
     description="A console sign-in failed with errorMessage \"Failed authentication\", as counted by the CIS "
                 "CloudWatch.6 metric filter. Many failures in a short time suggest password guessing. Check the "
                 "source IP and whether a success followed.",
     references=cis_refs(6, "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html"),
     pattern=CIS_PATTERNS[6],
     pred=lambda r: name_in(r, {"ConsoleLogin"}) and sval(r, "errorMessage") == "Failed authentication",
     neg=[("ConsoleLogin Failure with another errorMessage",
           lambda r: name_in(r, {"ConsoleLogin"}) and sval(r, "responseElements.ConsoleLogin") == "Failure"
           and sval(r, "errorMessage") not in (None, "Failed authentication")),
          ("successful ConsoleLogin", console_success)])

rule(id="cis-cmk-disable-or-deletion", title="KMS key disabled or scheduled for deletion (CIS CloudWatch.7)",
     severity="high",
     description="A KMS key was disabled or scheduled for deletion (kms.amazonaws.com DisableKey or "
                 "ScheduleKeyDeletion). Data encrypted under the key becomes unreadable, permanently once the "
                 "key is deleted. Confirm intent immediately; during the waiting period CancelKeyDeletion and "
                 "EnableKey undo it.",
     references=cis_refs(7, "https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html",
                         "https://docs.aws.amazon.com/kms/latest/developerguide/enabling-keys.html"),
     pattern=CIS_PATTERNS[7],
     pred=lambda r: src_is(r, "kms.amazonaws.com") and name_in(r, {"DisableKey", "ScheduleKeyDeletion"}),
     neg=[("CreateKey/CreateAlias are not disable or deletion",
           lambda r: src_is(r, "kms.amazonaws.com") and name_in(r, {"CreateKey", "CreateAlias"})),
          ("the undo calls", lambda r: src_is(r, "kms.amazonaws.com") and name_in(r, {"CancelKeyDeletion", "EnableKey"})),
          ("cryptographic KMS call", lambda r: src_is(r, "kms.amazonaws.com") and name_in(r, {"Decrypt"}))])

rule(id="cis-s3-bucket-policy-changes", title="S3 bucket policy changes (CIS CloudWatch.8)", severity="medium",
     description="A bucket ACL, policy, CORS, lifecycle or replication configuration was put or deleted on "
                 "s3.amazonaws.com. These settings decide who can read a bucket and where its data is copied or "
                 "when it expires. Review the new policy/ACL for public or cross-account grants.",
     references=cis_refs(8, "https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html",
                         "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-policies.html"),
     pattern=CIS_PATTERNS[8],
     pred=lambda r: src_is(r, "s3.amazonaws.com") and name_in(r, set(S3_NAMES)),
     neg=[("bucket API name with a non-S3 eventSource",
           lambda r: name_in(r, set(S3_NAMES)) and not src_is(r, "s3.amazonaws.com")),
          ("read-only bucket policy call", lambda r: src_is(r, "s3.amazonaws.com")
           and name_in(r, {"GetBucketPolicy", "GetBucketAcl", "GetBucketPolicyStatus"})),
          ("S3 write outside the list", lambda r: src_is(r, "s3.amazonaws.com")
           and name_in(r, {"PutBucketPublicAccessBlock", "PutBucketTagging", "DeleteBucket", "PutObject"}))])

rule(id="cis-config-changes", title="AWS Config configuration changes (CIS CloudWatch.9)", severity="high",
     description="An AWS Config recorder was stopped or changed, or a delivery channel was put or deleted. "
                 "Disabling Config removes the resource history and compliance evaluation used in "
                 "investigations. Verify the recorder status and restart it if the change was not planned.",
     references=cis_refs(9, "https://docs.aws.amazon.com/config/latest/developerguide/stop-start-recorder.html",
                         "https://docs.aws.amazon.com/config/latest/developerguide/log-api-calls.html"),
     pattern=CIS_PATTERNS[9],
     pred=lambda r: src_is(r, "config.amazonaws.com") and name_in(r, set(CONFIG_NAMES)),
     neg=[("read-only Config call", readonly_same_source("config.amazonaws.com")),
          ("StartConfigurationRecorder is not in the list",
           lambda r: src_is(r, "config.amazonaws.com") and name_in(r, {"StartConfigurationRecorder", "PutEvaluations"}))])

rule(id="cis-security-group-changes", npos=4, title="Security group changes (CIS CloudWatch.10)", severity="medium",
     description="A security group was created or deleted, or an ingress/egress rule was authorized or revoked, as "
                 "counted by the CIS CloudWatch.10 metric filter. Check the CIDRs and ports for exposure to the "
                 "internet.",
     references=cis_refs(10, "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html"),
     pattern=CIS_PATTERNS[10], pred=lambda r: name_in(r, set(CIS_SG)),
     neg=[("read-only security group call",
           lambda r: sval(r, "eventName") in {"DescribeSecurityGroups", "DescribeSecurityGroupRules"}),
          ("RDS DB security group ingress is a different API",
           lambda r: sval(r, "eventName") == "AuthorizeDBSecurityGroupIngress")])

rule(id="cis-nacl-changes", title="Network ACL changes (CIS CloudWatch.11)", severity="medium",
     description="A network ACL or entry was created, deleted or replaced, or an ACL association was replaced, as "
                 "counted by the CIS CloudWatch.11 metric filter. Review allow entries for 0.0.0.0/0.",
     references=cis_refs(11, "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html"),
     pattern=CIS_PATTERNS[11], pred=seed("network-acl-change"),
     neg=[("read-only DescribeNetworkAcls", lambda r: sval(r, "eventName") == "DescribeNetworkAcls"),
          ("other EC2 network write", lambda r: sval(r, "eventName") in {"CreateRoute", "CreateVpc"})])

rule(id="cis-network-gateway-changes", title="Network gateway changes (CIS CloudWatch.12)", severity="medium",
     description="A customer gateway or internet gateway was created or deleted, or an internet gateway was "
                 "attached to or detached from a VPC. A new internet gateway can give a private VPC a path to "
                 "the internet. Confirm the VPC and the change request.",
     references=cis_refs(12, "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html",
                         "https://docs.aws.amazon.com/vpn/latest/s2svpn/your-cgw.html"),
     pattern=CIS_PATTERNS[12], pred=lambda r: name_in(r, set(GW_NAMES)),
     neg=[("read-only gateway call", lambda r: sval(r, "eventName") in
           {"DescribeInternetGateways", "DescribeCustomerGateways", "DescribeEgressOnlyInternetGateways"}),
          ("NAT/VPN gateway and VPC endpoint calls are not in the list",
           lambda r: sval(r, "eventName") in {"DescribeNatGateways", "DescribeVpnGateways", "CreateVpcEndpoint"})])

rule(id="cis-route-table-changes", title="Route table changes (CIS CloudWatch.13)", severity="medium",
     description="A route or route table was created, replaced, deleted or disassociated. Route changes can send "
                 "traffic through an attacker-controlled instance or out of the VPC. Check the destination CIDR "
                 "and target in requestParameters.",
     references=cis_refs(13, "https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Route_Tables.html"),
     pattern=CIS_PATTERNS[13], pred=lambda r: name_in(r, set(ROUTE_NAMES)),
     neg=[("read-only DescribeRouteTables", lambda r: sval(r, "eventName") == "DescribeRouteTables"),
          ("other VPC network write", lambda r: sval(r, "eventName") in {"CreateVpc", "AttachInternetGateway",
                                                                         "CreateNetworkAclEntry"})])

rule(id="cis-vpc-changes", title="VPC changes (CIS CloudWatch.14)", severity="medium",
     description="A VPC was created, deleted or had an attribute modified, a peering connection was requested, "
                 "accepted, rejected or deleted, or ClassicLink was changed. Peering and new VPCs change the "
                 "network boundary. Confirm the peer account and VPC ids.",
     references=cis_refs(14, "https://docs.aws.amazon.com/vpc/latest/userguide/configure-your-vpc.html",
                         "https://docs.aws.amazon.com/vpc/latest/peering/what-is-vpc-peering.html"),
     pattern=CIS_PATTERNS[14], pred=lambda r: name_in(r, set(VPC_NAMES)),
     neg=[("read-only VPC call", lambda r: sval(r, "eventName") in {"DescribeVpcs", "DescribeVpcPeeringConnections"}),
          ("VPC endpoint / route calls are not in the list",
           lambda r: sval(r, "eventName") in {"CreateVpcEndpoint", "CreateRoute"})])


# --------------------------------------------------------------------------------------
def load(corpus):
    recs = []
    for path in sorted(glob.glob(os.path.join(corpus, "real", "*.ndjson"))):
        source = os.path.basename(path)[:-len(".ndjson")]
        with open(path, encoding="utf-8") as fh:
            for idx, line in enumerate(fh):
                raw = line.rstrip("\n")
                recs.append({"source": source, "line": idx + 1, "raw": raw, "rec": json.loads(raw)})
    return recs


def describe(r):
    rec = r["rec"]

    def sval(rec, path):  # noqa: F811 - hide StreamAlert's "..." placeholders in test names
        v = globals()["sval"](rec, path)
        return None if v == "..." else v
    name = sval(rec, "eventName")
    src = sval(rec, "eventSource")
    if name is None:
        bits = ["call (eventName and eventSource redacted)"]
    else:
        bits = [f"{src.replace('.amazonaws.com', '')} {name}" if src else f"{name} (eventSource redacted)"]
    ut = sval(rec, "userIdentity.type")
    if ut:
        bits.append(f"by {ut}")
    if name == "ConsoleLogin":
        res = sval(rec, "responseElements.ConsoleLogin")
        if res:
            bits.append(res)
        mfa = sval(rec, "additionalEventData.MFAUsed")
        if mfa:
            bits.append(f"MFAUsed {mfa}")
        em = sval(rec, "errorMessage")
        if em:
            bits.append(f"errorMessage '{em}'")
    ec = sval(rec, "errorCode")
    if ec:
        bits.append(f"errorCode {ec}")
    ib = sval(rec, "userIdentity.invokedBy")
    if ib:
        bits.append(f"invokedBy {ib}")
    return ", ".join(bits)


def pick(cands, k, used_sources, used_names, div=lambda rec: sval(rec, "eventName")):
    """Pick k records preferring unused eventNames (or `div` keys), unused sources, short lines, eventID."""
    chosen = []
    pool = list(cands)
    while pool and len(chosen) < k:
        def score(r):
            return (r["source"] == "aws-docs",  # CC-BY-SA-4.0 text: only when nothing else fits
                    div(r["rec"]) in used_names,
                    r["source"] in used_sources,
                    len(r["raw"]) > 4000,
                    "eventID" not in r["rec"],
                    len(r["raw"]))
        pool.sort(key=score)
        best = pool.pop(0)
        chosen.append(best)
        used_sources.add(best["source"])
        used_names.add(div(best["rec"]))
    return chosen


def yaml_str(s):
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ,()./'_+-]*", s) and not s.endswith(" "):
        return s
    return json.dumps(s, ensure_ascii=False)


def fold(text, width=96, indent="  "):
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    if cur:
        lines.append(cur)
    return "\n".join(indent + l for l in lines)


# Themes (tags) and ATT&CK techniques of the seed and CIS rules (rules/attack/enterprise-techniques.tsv).
META = {
    "cloudtrail-change": (["logging", "defense-evasion"], ["T1562.008"]),
    "iam-policy-change": (["iam", "privilege-escalation"], ["T1098"]),
    "console-login-failure": (["sign-in", "brute-force"], ["T1110.001"]),
    "authorization-failure": (["discovery", "access-denied"], ["T1580", "T1078.004"]),
    "security-group-change": (["network"], ["T1562.007"]),
    "kms-key-change": (["kms", "impact"], ["T1485", "T1486"]),
    "network-acl-change": (["network"], ["T1562.007"]),
    "console-login-success": (["sign-in"], ["T1078.004"]),
    "ssm-session": (["ec2", "remote-access"], ["T1021.007", "T1651"]),
    "cis-root-usage": (["cis", "root"], ["T1078.004", "T1078.001"]),
    "cis-unauthorized-api-calls": (["cis", "access-denied"], ["T1580", "T1078.004"]),
    "cis-console-login-without-mfa": (["cis", "sign-in", "mfa"], ["T1078.004"]),
    "cis-iam-policy-changes": (["cis", "iam"], ["T1098"]),
    "cis-cloudtrail-changes": (["cis", "logging"], ["T1562.008"]),
    "cis-console-auth-failures": (["cis", "sign-in"], ["T1110.001"]),
    "cis-cmk-disable-or-deletion": (["cis", "kms"], ["T1485", "T1486"]),
    "cis-s3-bucket-policy-changes": (["cis", "s3"], ["T1530"]),
    "cis-config-changes": (["cis", "logging"], ["T1562.008"]),
    "cis-security-group-changes": (["cis", "network"], ["T1562.007"]),
    "cis-nacl-changes": (["cis", "network"], ["T1562.007"]),
    "cis-network-gateway-changes": (["cis", "network"], ["T1562.007"]),
    "cis-route-table-changes": (["cis", "network"], ["T1562.007"]),
    "cis-vpc-changes": (["cis", "network"], ["T1562.007"]),
}


PACK_HEADERS = {
    "core": "the seed rules, what the alerting set is built on",
    "cis": "the CIS AWS Foundations metric filters (Security Hub CloudWatch.1-14), verbatim",
}


def pack_of(rule_id):
    return "cis" if rule_id.startswith("cis-") else "core"


def emit(r, tests):
    """One rule as a list item of its pack file."""
    assert "'" not in r["pattern"]
    out = [f"- id: {r['id']}", f"  title: {yaml_str(r['title'])}", f"  severity: {r['severity']}",
           "  tags: [" + ", ".join(META[r["id"]][0]) + "]",
           "  mitre_attack: [" + ", ".join(META[r["id"]][1]) + "]",
           "  description: >", fold(r["description"], indent="    "), "  references:"]
    out += [f"    - {yaml_str(x) if not x.startswith('http') else x}" for x in r["references"]]
    out.append(f"  filter_pattern: '{r['pattern']}'")
    out.append("  tests:")
    for t in tests:
        out.append(f"    - name: {yaml_str(t['name'])}")
        out.append(f"      expect: {'true' if t['expect'] else 'false'}")
        out.append("      event: |")
        out.append("        " + t["raw"])
    return "\n".join(out) + "\n"


def emit_pack(pack, texts, any_aws_docs):
    hdr = [f"# The `{pack}` pack of the built-in rules ({PACK_HEADERS[pack]}); switch it off with",
           f"# `packs: {{{pack}: false}}`.",
           "# Generated by tests/corpus_expectation/tools/build_rules.py; edit there, then re-run it.",
           "# Test events: real CloudTrail records quoted byte for byte from tests/data/corpus/real/<source>.ndjson",
           "# (\"<source> line N\", 1-based); origins and licences in tests/data/corpus/NOTICE.md."]
    if any_aws_docs:
        hdr.append("# Events marked aws-docs are AWS documentation examples, (c) Amazon.com, Inc. or its affiliates,")
        hdr.append("# CC-BY-SA-4.0 (documentation text) / MIT-0 (sample code).")
    return "\n".join(hdr) + "\n" + "".join("\n" + t for t in texts)


def main():
    ap = argparse.ArgumentParser()
    root = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
    ap.add_argument("--corpus", default=os.path.join(root, "tests", "data", "corpus"))
    ap.add_argument("--out", default=os.path.join(root, "rules"))
    ap.add_argument("--report", action="store_true")
    args = ap.parse_args()
    recs = load(args.corpus)
    os.makedirs(args.out, exist_ok=True)
    summary = []
    packs = {}
    for r in RULES:
        ast = parse(r["pattern"])
        verdict = {}
        for x in recs:
            p = r["pred"](x["rec"])
            c = cwl_eval(ast, x["rec"])
            if p is not None and c is not None and p != c:
                sys.exit(f"{r['id']}: predicate {p} vs pattern {c} on {x['source']} line {x['line']}")
            if (p is None) != (c is None):
                sys.exit(f"{r['id']}: ambiguity differs on {x['source']} line {x['line']}")
            verdict[(x["source"], x["line"])] = p
        pos_pool = [x for x in recs if verdict[(x["source"], x["line"])] is True]
        if len(pos_pool) < 2:
            sys.exit(f"{r['id']}: only {len(pos_pool)} corpus positives; adapt one by hand")
        used_s, used_n = set(), set()
        positives = pick(pos_pool, r.get("npos", 3), used_s, used_n, **({"div": r["div"]} if "div" in r else {}))
        negatives = []
        used_s2, used_n2 = set(), set()
        taken = set()
        for label, fn in r["neg"]:
            cands = [x for x in recs if verdict[(x["source"], x["line"])] is False and fn(x["rec"])
                     and (x["source"], x["line"]) not in taken]
            for x in pick(cands, 1, used_s2, used_n2):
                taken.add((x["source"], x["line"]))
                negatives.append((label, x))
            if len(negatives) >= 3:
                break
        if len(negatives) < 2:
            sys.exit(f"{r['id']}: only {len(negatives)} negatives")
        tests = []
        for x in positives:
            tests.append({"name": f"{describe(x)} ({x['source']} line {x['line']})", "expect": True, "raw": x["raw"]})
        for label, x in negatives:
            tests.append({"name": f"{label}: {describe(x)} ({x['source']} line {x['line']})", "expect": False,
                          "raw": x["raw"]})
        pack = packs.setdefault(pack_of(r["id"]), {"texts": [], "aws_docs": False})
        pack["texts"].append(emit(r, tests))
        pack["aws_docs"] |= any("(aws-docs line" in t["name"] for t in tests)
        summary.append((r["id"], r["severity"], len(positives), len(negatives), len(pos_pool),
                        [t["name"] for t in tests]))
    for name, pack in packs.items():
        with open(os.path.join(args.out, name + ".yml"), "w", encoding="utf-8") as fh:
            fh.write(emit_pack(name, pack["texts"], pack["aws_docs"]))
    for sid, sev, p, n, pool, names in summary:
        print(f"{sid:32} {sev:9} +{p} -{n} (corpus positives {pool})")
        if args.report:
            for nm in names:
                print("     ", nm)


if __name__ == "__main__":
    main()
