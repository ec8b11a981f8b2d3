#!/usr/bin/env python3
"""Generate the themed rule files of the built-in pack (rules/<theme>.yml) with inline tests.

Maintainer tool, not run by the build.  Stdlib only.  It complements build_rules.py (which
writes the seed and CIS rules) and reuses its corpus loader and naming.

Each rule below is written twice, on purpose:
  * its pattern (CloudWatch Logs filter pattern, or EventBridge pattern), which the engine runs;
  * `pred`, a hand-written Python predicate of the rule's intent over the CloudTrail record.
Positives are corpus records with pred True, negatives are near misses with pred False, chosen
in this order: the same eventName (a failed call, another parameter value), then a read-only
call of the same service, then another write of the same service.  The engine must then agree
with every `expect` (`trailwatch rules test`, BuiltinTest): the predicate is the independent
statement of intent, the pattern the implementation.
Where the corpus holds fewer than two positives, `adapt` builds one from a named corpus record
with the listed fields changed, and the test name says so: "(adapted from <source> line N: ...)".

Usage: build_catalogue.py [--corpus tests/data/corpus] [--out rules] [--report]
"""

import argparse
import copy
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import build_rules as BR  # noqa: E402
import build_alerting_rules as BA  # noqa: E402

get, sval, MISSING = BR.get, BR.sval, BR.MISSING

READ_ONLY = re.compile(r"^(Describe|List|Get|Lookup|Search|BatchGet|Head|Check)")

RULES = []
DELETE = object()  # in an adaptation: remove the key


def rule(**kw):
    RULES.append(kw)


def ok(r):
    """The call succeeded: no errorCode key (a JSON null errorCode is not used by CloudTrail)."""
    return get(r, "errorCode") is MISSING


def rp(r, path):
    return get(r, "requestParameters." + path)


def any_in(value, pred):
    """True when `value`, or any element of it if it is a list, satisfies pred."""
    if isinstance(value, list):
        return any(any_in(v, pred) for v in value)
    return value is not MISSING and pred(value)


def walk(value, path):
    """All values at dotted `path` below `value`, descending into lists (EventBridge semantics)."""
    if isinstance(value, list):
        out = []
        for v in value:
            out += walk(v, path)
        return out
    if not path:
        return [value]
    if not isinstance(value, dict):
        return []
    head, _, rest = path.partition(".")
    if head not in value:
        return []
    return walk(value[head], rest)


def leaves(value, path):
    """walk() flattened down to scalars."""
    out = []
    for v in walk(value, path):
        if isinstance(v, list):
            out += [x for x in v if not isinstance(x, (dict, list))]
        else:
            out.append(v)
    return out


# ---- pattern builders -------------------------------------------------------------------------
def cwl(names, source=None, success=True, extra=None):
    parts = []
    if source:
        parts.append(f"($.eventSource = {source})")
    if len(names) == 1:
        parts.append(f"($.eventName = {names[0]})" if re.fullmatch(r"[A-Za-z0-9_]+", names[0])
                     else f'($.eventName = "{names[0]}")')
    else:
        parts.append("(" + " || ".join(f"($.eventName = {n})" if re.fullmatch(r"[A-Za-z0-9_]+", n)
                                       else f'($.eventName = "{n}")' for n in names) + ")")
    if success:
        parts.append("($.errorCode NOT EXISTS)")
    if extra:
        parts.append(f"({extra})")
    return "{ " + " && ".join(parts) + " }"


def eb(names, source=None, success=True, extra=None):
    detail = {}
    if source:
        detail["eventSource"] = [source]
    detail["eventName"] = names
    if success:
        detail["errorCode"] = [{"exists": False}]
    if extra:
        detail.update(extra)
    return json.dumps({"detail": detail}, separators=(", ", ": "))


def std_pred(names, source=None, success=True, cond=None, prefix=False):
    def pred(r):
        n = sval(r, "eventName")
        if n is None:
            return False
        if prefix:
            if not any(n.startswith(x) for x in names):
                return False
        elif n not in names:
            return False
        if source and sval(r, "eventSource") != source:
            return False
        if success and not ok(r):
            return False
        return True if cond is None else bool(cond(r))
    return pred


AWS = "https://docs.aws.amazon.com/"

# ======================================================================================
# iam-persistence
T = "iam-persistence"
rule(file=T, id="iam-user-created", severity="medium", tags=["iam", "persistence"], mitre=["T1136.003"],
     title="IAM user created",
     description="A new IAM user was created. Long-lived users are a favourite persistence foothold: an intruder "
                 "who can create one keeps access after the stolen credential is rotated. Confirm that the user was "
                 "created by your provisioning pipeline (CloudFormation, Terraform, an identity team) and not by a "
                 "person or an unexpected role.",
     references=[AWS + "IAM/latest/APIReference/API_CreateUser.html", AWS + "IAM/latest/UserGuide/id_users_create.html",
                 "panther AWS.IAM.CreateUser", "panther AWS.CloudTrail.IAMEntityCreatedWithoutCloudFormation"],
     names=["CreateUser"], source="iam.amazonaws.com")
rule(file=T, id="iam-role-created", severity="low", tags=["iam", "persistence"], mitre=["T1098.003"],
     title="IAM role created",
     description="A new IAM role was created. Roles are created all the time by deployments, so this is an audit "
                 "signal; it matters when the trust policy lets an outside account or a broad principal assume the "
                 "role. Check assumeRolePolicyDocument in the request for foreign account ids and wildcards.",
     references=[AWS + "IAM/latest/APIReference/API_CreateRole.html", "panther AWS.IAM.CreateRole"],
     names=["CreateRole"], source="iam.amazonaws.com")
rule(file=T, id="iam-access-key-created", severity="medium", tags=["iam", "persistence", "credentials"],
     mitre=["T1098.001"], title="IAM access key created",
     description="A new access key was created for an IAM user. A second key on an existing user is a quiet way to "
                 "keep programmatic access. Check whether the caller created the key for someone else (requestParameters."
                 "userName differs from the caller), and whether the user's owner expected a new key.",
     references=[AWS + "IAM/latest/APIReference/API_CreateAccessKey.html", AWS + "IAM/latest/UserGuide/id_credentials_access-keys.html",
                 "panther AWS.IAM.Backdoor.User.Keys"],
     names=["CreateAccessKey"], source="iam.amazonaws.com",
     extra_cwl='$.userIdentity.type != "Root"', cond=lambda r: sval(r, "userIdentity.type") not in (None, "Root"))
rule(file=T, id="iam-login-profile-changed", severity="medium", tags=["iam", "persistence", "credentials"],
     mitre=["T1098"], title="IAM console password created or changed for a user",
     description="A console password (login profile) was created for an IAM user, or an administrator reset one. "
                 "Giving a programmatic user a console password, or resetting somebody else's, hands the caller an "
                 "interactive way in. Check the target user and whether passwordResetRequired was set.",
     references=[AWS + "IAM/latest/APIReference/API_CreateLoginProfile.html", AWS + "IAM/latest/APIReference/API_UpdateLoginProfile.html",
                 "panther AWS.CloudTrail.LoginProfileCreatedOrModified", "panther AWS.User.Login.Profile.Modified"],
     names=["CreateLoginProfile", "UpdateLoginProfile"], source="iam.amazonaws.com")
rule(file=T, id="iam-role-trust-policy-changed", severity="high", tags=["iam", "persistence", "trust"],
     mitre=["T1484.002", "T1098.003"], title="IAM role trust policy changed",
     description="A role's trust policy (who may assume it) was replaced. Adding an outside account or a wildcard "
                 "principal to a privileged role is a classic backdoor that survives credential rotation. Read the new "
                 "policyDocument and compare the principals with the previous version.",
     references=[AWS + "IAM/latest/APIReference/API_UpdateAssumeRolePolicy.html", "panther AWS.IAM.BackdoorRole"],
     names=["UpdateAssumeRolePolicy"], source="iam.amazonaws.com")
rule(file=T, id="iam-identity-provider-changed", severity="high", tags=["iam", "persistence", "trust", "federation"],
     mitre=["T1484.002", "T1606.002"], title="SAML or OIDC identity provider created, changed or deleted",
     description="A SAML or OpenID Connect identity provider was created, updated or deleted. Whoever controls a "
                 "trusted identity provider can mint sign-ins for any role that trusts it (a Golden SAML attack). "
                 "Confirm the change with the identity team and check the metadata document.",
     references=[AWS + "IAM/latest/UserGuide/id_roles_providers_saml.html", AWS + "IAM/latest/APIReference/API_UpdateSAMLProvider.html",
                 "panther AWS.Suspicious.SAML.Activity"],
     names=["CreateSAMLProvider", "UpdateSAMLProvider", "DeleteSAMLProvider", "CreateOpenIDConnectProvider",
            "UpdateOpenIDConnectProviderThumbprint", "DeleteOpenIDConnectProvider"], source="iam.amazonaws.com")
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
rule(file=T, id="iam-admin-policy-attached", severity="high", tags=["iam", "privilege-escalation"], mitre=["T1098.003"],
     title="AdministratorAccess attached to a user, group or role",
     description="The AWS managed AdministratorAccess policy was attached to an IAM user, group or role, granting "
                 "every action on every resource. Confirm that the grant was approved and is time-bound; otherwise "
                 "detach it and review what the principal did since.",
     references=[AWS + "IAM/latest/UserGuide/access_policies_job-functions.html", "panther AWS.IAM.AttachAdminRolePolicy",
                 "panther AWS.IAM.AttachAdminUserPolicy"],
     names=["AttachUserPolicy", "AttachRolePolicy", "AttachGroupPolicy"], source="iam.amazonaws.com",
     extra_cwl=f'$.requestParameters.policyArn = "{ADMIN}"', cond=lambda r: sval(r, "requestParameters.policyArn") == ADMIN)
rule(file=T, id="iam-user-added-to-group", severity="low", tags=["iam", "privilege-escalation"], mitre=["T1098"],
     title="IAM user added to a group",
     description="An IAM user was added to a group and inherits the group's policies. Adding oneself to an admin "
                 "group is a common privilege escalation. Check the group's attached policies.",
     references=[AWS + "IAM/latest/APIReference/API_AddUserToGroup.html"],
     names=["AddUserToGroup"], source="iam.amazonaws.com",
     adapt=[("AddUserToGroup", lambda r: sval(r, "eventName") == "CreateUser" and ok(r),
             {"eventName": "AddUserToGroup", "requestParameters": {"groupName": "Admins", "userName": "new-user"}},
             "eventName AddUserToGroup, requestParameters groupName/userName")])
rule(file=T, id="iam-mfa-device-deactivated", severity="medium", tags=["iam", "credentials", "defense-evasion"],
     mitre=["T1556.006"], title="MFA device deactivated or deleted",
     description="An MFA device was deactivated for a user or a virtual MFA device was deleted. Removing MFA "
                 "weakens the account to a password alone, and an attacker who holds a password may do it to enrol "
                 "their own device. Check who did it and whether a new device was enrolled right after.",
     references=[AWS + "IAM/latest/APIReference/API_DeactivateMFADevice.html", "streamalert cloudtrail_mfa_policy_abuse_attempt"],
     names=["DeactivateMFADevice", "DeleteVirtualMFADevice"], source="iam.amazonaws.com")
rule(file=T, id="iam-exposed-key-quarantined", severity="high", tags=["iam", "credentials", "compromise"],
     mitre=["T1078.004"], title="AWS quarantined an IAM user's exposed access key",
     description="AWS attached its quarantine policy (AWSCompromisedKeyQuarantine, or the older "
                 "AWSExposedCredentialPolicy_DO_NOT_REMOVE inline policy) to an IAM user because the user's access "
                 "key was found in public, for example in a code repository (the inline variant is named "
                 "AWSCompromisedKeyQuarantine followed by a version). Treat the key as compromised: rotate it, "
                 "and review the user's recent activity.",
     references=[AWS + "IAM/latest/UserGuide/security-creds.html", AWS + "aws-managed-policy/latest/reference/AWSCompromisedKeyQuarantineV2.html",
                 "panther AWS.CloudTrail.IAMCompromisedKeyQuarantine", "panther AWS.IAM.AccessKeyCompromised"],
     names=["AttachUserPolicy", "PutUserPolicy"], source="iam.amazonaws.com",
     extra_cwl='($.requestParameters.policyArn = "arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine*") || '
               '($.requestParameters.policyName = "AWSExposedCredentialPolicy_DO_NOT_REMOVE") || '
               '($.requestParameters.policyName = "AWSCompromisedKeyQuarantine*")',
     cond=lambda r: (sval(r, "requestParameters.policyArn") or "").startswith("arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine")
     or sval(r, "requestParameters.policyName") == "AWSExposedCredentialPolicy_DO_NOT_REMOVE"
     or (sval(r, "requestParameters.policyName") or "").startswith("AWSCompromisedKeyQuarantine"))
rule(file=T, id="root-access-key-created", severity="critical", tags=["iam", "root", "persistence", "credentials"],
     mitre=["T1098.001", "T1078.001"], title="Access key created for the root user",
     description="The root user created an access key for itself. Root access keys cannot be limited by any policy "
                 "and AWS recommends never having one. Delete the key unless there is a documented reason, and check "
                 "how the root credentials were used.",
     references=[AWS + "IAM/latest/UserGuide/id_root-user_manage_add-key.html", "panther AWS.CloudTrail.RootAccessKeyCreated"],
     names=["CreateAccessKey"], source="iam.amazonaws.com",
     extra_cwl='($.userIdentity.type = "Root") && ($.requestParameters.userName NOT EXISTS)',
     cond=lambda r: sval(r, "userIdentity.type") == "Root" and get(r, "requestParameters.userName") is MISSING)
rule(file=T, id="iam-password-changed", severity="info", tags=["iam", "credentials"], mitre=["T1098"],
     title="IAM user changed their own password",
     description="An IAM user changed their own console password. Routine on its own; worth a look when it follows "
                 "a suspicious sign-in, because an intruder locks the owner out this way.",
     references=[AWS + "IAM/latest/APIReference/API_ChangePassword.html", "panther AWS.IAM.CredentialsUpdated"],
     names=["ChangePassword"], source="iam.amazonaws.com")

# ======================================================================================
T = "sign-in"
rule(file=T, id="root-console-login", severity="critical", tags=["sign-in", "root"], mitre=["T1078.004", "T1078.001"],
     title="Root user signed in to the console",
     description="The root user signed in to the Management Console successfully. Root should be used only for the "
                 "few tasks that require it. Confirm with the account owner, check MFA and the source IP.",
     references=[AWS + "IAM/latest/UserGuide/id_root-user.html",
                 AWS + "awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html",
                 "panther AWS.Console.RootLogin", "panther AWS.CloudTrail.RootConsoleLogin"],
     names=["ConsoleLogin"], source="signin.amazonaws.com", success=False,
     extra_cwl='($.userIdentity.type = "Root") && ($.responseElements.ConsoleLogin = "Success")',
     cond=lambda r: sval(r, "userIdentity.type") == "Root" and sval(r, "responseElements.ConsoleLogin") == "Success")
rule(file=T, id="root-console-login-failure", severity="high", tags=["sign-in", "root", "brute-force"],
     mitre=["T1110.001"], title="Root user console sign-in failed",
     description="A console sign-in as the root user failed. Somebody knows the root e-mail address and is trying "
                 "passwords. Check the source IP, make sure root has MFA, and watch for a success afterwards.",
     references=[AWS + "awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html",
                 "panther AWS.Console.RootLoginFailed", "panther AWS.CloudTrail.RootFailedConsoleLogin"],
     names=["ConsoleLogin"], source="signin.amazonaws.com", success=False,
     extra_cwl='($.userIdentity.type = "Root") && ($.responseElements.ConsoleLogin = "Failure")',
     cond=lambda r: sval(r, "userIdentity.type") == "Root" and sval(r, "responseElements.ConsoleLogin") == "Failure")
rule(file=T, id="root-password-changed", severity="high", tags=["sign-in", "root", "credentials"], mitre=["T1098"],
     title="Root user password changed",
     description="The root user's password was changed (sign-in event PasswordUpdated). If the owner did not do "
                 "it, the account is being taken over: recover root through the password reset flow and check MFA.",
     references=[AWS + "awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html",
                 "panther AWS.CloudTrail.RootPasswordChanged"],
     names=["PasswordUpdated"], source="signin.amazonaws.com", success=True,
     extra_cwl='($.userIdentity.type = "Root") && ($.responseElements.PasswordUpdated = "Success")',
     cond=lambda r: sval(r, "userIdentity.type") == "Root" and sval(r, "responseElements.PasswordUpdated") == "Success")
rule(file=T, id="console-login-without-mfa", severity="medium", tags=["sign-in", "mfa"], mitre=["T1078.004"],
     title="Console sign-in by a user or root without MFA",
     description="An IAM user or the root user signed in to the console with a password alone (MFAUsed No). Unlike "
                 "cis-console-login-without-mfa it also covers root. Enforce MFA for the user; if the sign-in was "
                 "not theirs, reset the password.",
     references=[AWS + "IAM/latest/UserGuide/id_credentials_mfa.html", "panther AWS.Console.LoginWithoutMFA"],
     names=["ConsoleLogin"], source="signin.amazonaws.com", success=False,
     extra_cwl='($.responseElements.ConsoleLogin = "Success") && ($.additionalEventData.MFAUsed = "No") && '
               '(($.userIdentity.type = "IAMUser") || ($.userIdentity.type = "Root"))',
     cond=lambda r: sval(r, "responseElements.ConsoleLogin") == "Success" and sval(r, "additionalEventData.MFAUsed") == "No"
     and sval(r, "userIdentity.type") in ("IAMUser", "Root"))

# Counting rules: the pattern matches one event, the rule's `threshold:` (policy_lines) decides
# when the held alerts become one. Inline tests evaluate the pattern only (docs/rules.md, Counting
# rules), so the threshold is stated here and in the description, and checked in docs.
COUNTED = ("Its inline tests check the per-event pattern only; the count is the rule's threshold, "
           "applied by the alert stages (docs/alerting.md), and can be tuned with the configuration's "
           "overrides.")
FAILED_SIGNIN_CWL = '($.responseElements.ConsoleLogin = "Failure")'


def failed_signin(r):
    return sval(r, "responseElements.ConsoleLogin") == "Failure"


rule(file=T, id="console-brute-force-by-ip", severity="medium", tags=["sign-in", "brute-force", "threshold"],
     mitre=["T1110", "T1110.001"], title="Console sign-in brute force from one source IP",
     description="5 failed console sign-ins from the same source IP address (sourceIPAddress) within 10 minutes, "
                 "whatever the user names. One person mistyping a password rarely fails five times that fast; a "
                 "password-guessing tool does. Block or investigate the address and watch for a success from it. "
                 + COUNTED,
     references=[AWS + "awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html",
                 "panther Standard.BruteForceByIP"],
     names=["ConsoleLogin"], source="signin.amazonaws.com", success=False,
     extra_cwl=FAILED_SIGNIN_CWL, cond=failed_signin,
     policy_lines=["threshold: {count: 5, window: 10m, group_by: [sourceIPAddress]}"])
rule(file=T, id="console-brute-force-by-user", severity="medium", tags=["sign-in", "brute-force", "threshold"],
     mitre=["T1110", "T1110.001"], title="Console sign-in brute force against one user",
     description="5 failed console sign-ins for the same user name in the same account within 10 minutes, from "
                 "any addresses (recipientAccountId and userIdentity.userName). CloudTrail writes the user name "
                 "HIDDEN_DUE_TO_SECURITY_REASONS when the name typed does not exist, so failures for unknown "
                 "names are counted together, which also catches user-name guessing. Check with the user, reset "
                 "the password if it may be known, and make sure MFA is on. " + COUNTED,
     references=[AWS + "awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html",
                 "panther Standard.BruteForceByUser"],
     names=["ConsoleLogin"], source="signin.amazonaws.com", success=False,
     extra_cwl=FAILED_SIGNIN_CWL, cond=failed_signin,
     policy_lines=["threshold: {count: 5, window: 10m, group_by: [recipientAccountId, userIdentity.userName]}"])
rule(file=T, id="console-password-spraying", severity="high", tags=["sign-in", "brute-force", "threshold"],
     mitre=["T1110.003"], title="Console password spraying against an account",
     description="10 failed console sign-ins to the same account and region within 60 minutes "
                 "(recipientAccountId, awsRegion), from any addresses and for any users. Password spraying tries "
                 "one or two common passwords against many users, slowly and from many addresses, so that no "
                 "single user or address trips the brute-force rules. The peers count distinct user names; a "
                 "threshold counts events per group and cannot count distinct values, so this rule counts every "
                 "failure of the account instead (an approximation: one user failing 10 times also fires, and "
                 "console-brute-force-by-user fires with it). Look at the user names and addresses of the "
                 "failures, then at any success that follows. " + COUNTED,
     references=[AWS + "awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html",
                 "https://attack.mitre.org/techniques/T1110/003/", "panther AWS.CloudTrail.PasswordSpraying"],
     names=["ConsoleLogin"], source="signin.amazonaws.com", success=False,
     extra_cwl=FAILED_SIGNIN_CWL, cond=failed_signin,
     policy_lines=["threshold: {count: 10, window: 60m, group_by: [recipientAccountId, awsRegion]}"])

# ======================================================================================
T = "logging"
rule(file=T, id="cloudtrail-stopped-or-deleted", severity="high", tags=["logging", "defense-evasion"],
     mitre=["T1562.008"], title="CloudTrail logging stopped or trail deleted",
     description="A trail's logging was stopped or the trail was deleted, and the call succeeded. Every detection "
                 "that reads this trail goes blind. Restart logging (StartLogging) or recreate the trail at once, "
                 "then find out who did it. cloudtrail-change also reports failed attempts and other trail changes.",
     references=[AWS + "awscloudtrail/latest/APIReference/API_StopLogging.html", AWS + "awscloudtrail/latest/APIReference/API_DeleteTrail.html",
                 "panther AWS.CloudTrail.Stopped", "fivexl default_rules"],
     names=["StopLogging", "DeleteTrail"], source="cloudtrail.amazonaws.com")
rule(file=T, id="cloudtrail-event-selectors-changed", severity="medium", tags=["logging", "defense-evasion"],
     mitre=["T1562.008"], title="CloudTrail event selectors changed",
     description="A trail's event selectors were replaced. Selectors decide which management and data events a trail "
                 "records; excluding management events or data events quietly narrows what is logged. Read the "
                 "new selectors and compare them with the trail's baseline.",
     references=[AWS + "awscloudtrail/latest/APIReference/API_PutEventSelectors.html", "panther AWS.CloudTrail.EventSelectorsDisabled"],
     names=["PutEventSelectors"], source="cloudtrail.amazonaws.com")
rule(file=T, id="vpc-flow-logs-deleted", severity="high", tags=["logging", "defense-evasion", "network"],
     mitre=["T1562.008"], title="VPC flow logs deleted",
     description="VPC flow logs were deleted, removing the network record of a VPC, subnet or interface. Recreate "
                 "them and look for activity around the time they stopped.",
     references=[AWS + "AWSEC2/latest/APIReference/API_DeleteFlowLogs.html", "panther AWS.VPCFlow.LogsDeleted",
                 "streamalert cloudtrail_critical_api_calls"],
     names=["DeleteFlowLogs"], source="ec2.amazonaws.com")
rule(file=T, id="dns-query-logging-deleted", severity="high", tags=["logging", "defense-evasion", "network"],
     mitre=["T1562.008"], title="Route 53 Resolver query logging deleted or disassociated",
     description="A Route 53 Resolver query logging configuration was deleted or detached from a VPC, so DNS lookups "
                 "(a common exfiltration and command channel) stop being recorded. Restore the configuration.",
     references=[AWS + "Route53/latest/APIReference/API_route53resolver_DeleteResolverQueryLogConfig.html",
                 "panther AWS.CloudTrail.DNSLogsDeleted"],
     names=["DeleteResolverQueryLogConfig", "DisassociateResolverQueryLogConfig"], source="route53resolver.amazonaws.com")
rule(file=T, id="s3-access-logging-disabled", severity="high", tags=["logging", "defense-evasion", "s3"],
     mitre=["T1562.008"], title="S3 server access logging disabled on a bucket",
     description="PutBucketLogging was called with an empty BucketLoggingStatus, which turns server access logging "
                 "off for the bucket. Access to its objects is no longer recorded there. Re-enable logging.",
     references=[AWS + "AmazonS3/latest/API/API_PutBucketLogging.html", AWS + "AmazonS3/latest/userguide/ServerLogs.html",
                 "panther AWS.S3.DisableBucketLogging"],
     names=["PutBucketLogging"], source="s3.amazonaws.com",
     extra_cwl='($.requestParameters.BucketLoggingStatus.xmlns = "*") && ($.requestParameters.BucketLoggingStatus.LoggingEnabled NOT EXISTS)',
     cond=lambda r: isinstance(rp(r, "BucketLoggingStatus"), dict) and isinstance(rp(r, "BucketLoggingStatus.xmlns"), str)
     and rp(r, "BucketLoggingStatus.LoggingEnabled") is MISSING)
rule(file=T, id="config-recording-disabled", severity="high", tags=["logging", "defense-evasion", "config"],
     mitre=["T1562.008"], title="AWS Config recording stopped or deleted",
     description="The AWS Config recorder was stopped or deleted, or its delivery channel deleted: resource changes "
                 "are no longer recorded or evaluated. Restart the recorder. cis-config-changes also reports "
                 "configuration updates and failed calls.",
     references=[AWS + "config/latest/developerguide/stop-start-recorder.html", "panther AWS.ConfigService.DisabledDeleted",
                 "streamalert cloudtrail_critical_api_calls"],
     names=["StopConfigurationRecorder", "DeleteConfigurationRecorder", "DeleteDeliveryChannel"], source="config.amazonaws.com")
rule(file=T, id="bedrock-invocation-logging-deleted", severity="high", tags=["logging", "defense-evasion", "bedrock"],
     mitre=["T1562.008"], title="Bedrock model invocation logging deleted",
     description="The account's Bedrock model invocation logging configuration was deleted, so prompts and responses "
                 "are no longer logged. Misuse of models (data leakage, jailbreaks) then leaves no trace.",
     references=[AWS + "bedrock/latest/userguide/model-invocation-logging.html",
                 "panther AWS.Bedrock.DeleteModelInvocationLoggingConfiguration"],
     names=["DeleteModelInvocationLoggingConfiguration"], source="bedrock.amazonaws.com",
     adapt=[("second record", lambda r: sval(r, "eventName") == "DeleteModelInvocationLoggingConfiguration",
             {"userIdentity.type": "IAMUser", "sourceIPAddress": "198.51.100.7"}, "userIdentity.type IAMUser, another sourceIPAddress")])

# ======================================================================================
T = "defense-evasion"
rule(file=T, id="guardduty-disabled", severity="high", tags=["defense-evasion", "guardduty"], mitre=["T1562.001"],
     title="GuardDuty detector deleted or disabled",
     description="A GuardDuty detector was deleted, or updated with enable false, which stops threat detection in "
                 "the region. Re-enable it and check for activity the detector would have seen.",
     references=[AWS + "guardduty/latest/APIReference/API_DeleteDetector.html", AWS + "guardduty/latest/APIReference/API_UpdateDetector.html",
                 "streamalert cloudtrail_critical_api_calls"],
     names=["DeleteDetector", "UpdateDetector"], source="guardduty.amazonaws.com",
     extra_cwl='($.eventName = DeleteDetector) || ($.requestParameters.enable IS FALSE)',
     cond=lambda r: sval(r, "eventName") == "DeleteDetector" or rp(r, "enable") is False)
rule(file=T, id="securityhub-findings-tampered", severity="medium", tags=["defense-evasion", "securityhub"],
     mitre=["T1562.001"], title="Security Hub findings or insights changed or deleted",
     description="Security Hub findings were updated (for example archived or suppressed) or an insight was deleted "
                 "through the API. An intruder hides the findings that would give them away this way. Check which "
                 "findings changed and who changed them.",
     references=[AWS + "securityhub/1.0/APIReference/API_UpdateFindings.html", AWS + "securityhub/1.0/APIReference/API_DeleteInsight.html",
                 "panther AWS.SecurityHub.Finding.Evasion"],
     names=["UpdateFindings", "BatchUpdateFindings", "DeleteInsight", "UpdateInsight", "DeleteActionTarget"],
     source="securityhub.amazonaws.com")
rule(file=T, id="securityhub-disabled", severity="high", tags=["defense-evasion", "securityhub"], mitre=["T1562.001"],
     title="Security Hub or a standard disabled",
     description="Security Hub was disabled in the region or a security standard was turned off, so its checks and "
                 "aggregated findings stop. Re-enable it and find out why it was turned off.",
     references=[AWS + "securityhub/1.0/APIReference/API_DisableSecurityHub.html", AWS + "securityhub/1.0/APIReference/API_BatchDisableStandards.html"],
     names=["DisableSecurityHub", "BatchDisableStandards"], source="securityhub.amazonaws.com",
     adapt=[("DisableSecurityHub", lambda r: sval(r, "eventName") == "DeleteInsight" and ok(r),
             {"eventName": "DisableSecurityHub", "requestParameters": None, "responseElements": None},
             "eventName DisableSecurityHub, no parameters"),
            ("BatchDisableStandards", lambda r: sval(r, "eventName") == "DeleteInsight" and ok(r),
             {"eventName": "BatchDisableStandards", "requestParameters": {"StandardsSubscriptionArns": [
                 "arn:aws:securityhub:us-east-1:123456789012:subscription/cis-aws-foundations-benchmark/v/1.2.0"]},
              "responseElements": None}, "eventName BatchDisableStandards with a CIS subscription")])
rule(file=T, id="macie-disabled-or-paused", severity="medium", tags=["defense-evasion", "macie"], mitre=["T1562.001"],
     title="Macie disabled, paused or its finding publication changed",
     description="Macie was disabled, or its session was updated (paused, or finding publishing frequency changed). "
                 "Sensitive-data discovery for S3 slows or stops. Confirm the change with the data protection team.",
     references=[AWS + "macie/latest/APIReference/macie.html", "panther AWS.Macie.Evasion"],
     names=["UpdateMacieSession", "DisableMacie", "DisableOrganizationAdminAccount"],
     extra_cwl='($.eventSource = macie2.amazonaws.com) || ($.eventSource = macie.amazonaws.com)',
     cond=lambda r: sval(r, "eventSource") in ("macie2.amazonaws.com", "macie.amazonaws.com"))
rule(file=T, id="waf-web-acl-disassociated", severity="medium", tags=["defense-evasion", "waf"], mitre=["T1562.001"],
     title="WAF web ACL disassociated or deleted",
     description="A WAF web ACL was detached from a resource (load balancer, API, CloudFront) or deleted, leaving the "
                 "application without its filtering rules. Reattach the ACL if the change was not planned.",
     references=[AWS + "waf/latest/APIReference/API_DisassociateWebACL.html", "panther AWS.WAF.Disassociation"],
     names=["DisassociateWebACL", "DeleteWebACL"],
     extra_cwl='($.eventSource = wafv2.amazonaws.com) || ($.eventSource = waf-regional.amazonaws.com) || ($.eventSource = waf.amazonaws.com)',
     cond=lambda r: sval(r, "eventSource") in ("wafv2.amazonaws.com", "waf-regional.amazonaws.com", "waf.amazonaws.com"))
rule(file=T, id="ebs-default-encryption-disabled", severity="high", tags=["defense-evasion", "ec2", "encryption"],
     mitre=["T1562.001"], title="EBS encryption by default disabled",
     description="EBS encryption by default was turned off for the region: new volumes and snapshot copies are "
                 "created unencrypted. Turn it back on.",
     references=[AWS + "AWSEC2/latest/APIReference/API_DisableEbsEncryptionByDefault.html", AWS + "ebs/latest/userguide/encryption-by-default.html",
                 "panther AWS.EC2.EBS.Encryption.Disabled"],
     names=["DisableEbsEncryptionByDefault"], source="ec2.amazonaws.com",
     adapt=[("second record", lambda r: sval(r, "eventName") == "DisableEbsEncryptionByDefault" and ok(r),
             {"awsRegion": "eu-west-1", "userIdentity.type": "IAMUser"}, "awsRegion eu-west-1, userIdentity.type IAMUser")])
rule(file=T, id="bedrock-guardrail-changed", severity="medium", tags=["defense-evasion", "bedrock"], mitre=["T1562.001"],
     title="Bedrock guardrail updated or deleted",
     description="A Bedrock guardrail was updated or deleted. Guardrails filter harmful or sensitive content in model "
                 "input and output; weakening one opens the application to misuse. Review the new configuration.",
     references=[AWS + "bedrock/latest/userguide/guardrails.html", "panther AWS.Bedrock.GuardrailUpdateDelete"],
     names=["UpdateGuardrail", "DeleteGuardrail"], source="bedrock.amazonaws.com")
rule(file=T, id="recycle-bin-rule-removed", severity="high", tags=["defense-evasion", "impact", "backup"],
     mitre=["T1490"], title="Recycle Bin retention rule deleted, unlocked or changed",
     description="A Recycle Bin retention rule was deleted, unlocked or updated. These rules keep deleted EBS "
                 "snapshots and AMIs recoverable; removing them first is how an attacker makes later deletions "
                 "permanent. Check the rule's retention and lock state.",
     references=[AWS + "ebs/latest/userguide/recycle-bin.html", AWS + "recyclebin/latest/APIReference/API_UnlockRule.html"],
     names=["DeleteRule", "UnlockRule", "UpdateRule"], source="rbin.amazonaws.com")

# ======================================================================================
T = "public-exposure"
PUBLIC_GROUPS = ("http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")


def acl_public(r):
    uris = leaves(get(r, "requestParameters"), "AccessControlPolicy.AccessControlList.Grant.Grantee.URI")
    canned = leaves(get(r, "requestParameters"), "x-amz-acl")
    grants = [v for k in ("x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp", "x-amz-grant-write-acp",
                          "x-amz-grant-full-control")
              for v in leaves(get(r, "requestParameters"), k)]
    return (any(u in PUBLIC_GROUPS for u in uris)
            or any(c in ("public-read", "public-read-write", "authenticated-read") for c in canned)
            or any(isinstance(g, str) and ("/global/AllUsers" in g or "/global/AuthenticatedUsers" in g) for g in grants))


ACL_GRANT_HEADERS = ("x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp", "x-amz-grant-write-acp",
                     "x-amz-grant-full-control")
ACL_EB = {"$or": [
    {"requestParameters": {"AccessControlPolicy": {"AccessControlList": {"Grant": {"Grantee": {"URI": list(PUBLIC_GROUPS)}}}}}},
    {"requestParameters": {"x-amz-acl": ["public-read", "public-read-write", "authenticated-read"]}}]
    + [{"requestParameters": {k: [{"wildcard": "*/global/AllUsers*"}, {"wildcard": "*/global/AuthenticatedUsers*"}]}}
       for k in ACL_GRANT_HEADERS]}
rule(file=T, id="s3-bucket-acl-public", severity="high", tags=["public-exposure", "s3"], mitre=["T1530"],
     title="S3 bucket ACL grants access to everyone",
     description="A bucket ACL was set that grants AllUsers (anyone) or AuthenticatedUsers (any AWS account) access, "
                 "through a grant or a canned ACL such as public-read. The bucket's listing or contents may now be "
                 "public. Remove the grant and check Block Public Access.",
     references=[AWS + "AmazonS3/latest/userguide/acl-overview.html", AWS + "AmazonS3/latest/API/API_PutBucketAcl.html",
                 "streamalert cloudtrail_put_bucket_acl"],
     lang="eb", names=["PutBucketAcl"], extra_eb=ACL_EB, cond=acl_public)
rule(file=T, id="s3-object-acl-public", severity="high", tags=["public-exposure", "s3"], mitre=["T1530"],
     title="S3 object ACL grants access to everyone",
     description="An object ACL was set that grants AllUsers or AuthenticatedUsers access (a grant, a canned "
                 "public-read ACL or an x-amz-grant header). Anyone can read the object. Remove the grant unless the "
                 "bucket intentionally serves public content.",
     references=[AWS + "AmazonS3/latest/API/API_PutObjectAcl.html", "streamalert cloudtrail_put_object_acl_public",
                 "streamalert cloudtrail_put_object_acl_public_publisher_example"],
     lang="eb", names=["PutObjectAcl"], extra_eb=ACL_EB, cond=acl_public)
PAB = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def pab_weakened(r):
    if sval(r, "eventName") in ("DeleteBucketPublicAccessBlock", "DeleteAccountPublicAccessBlock"):
        return True
    cfg = rp(r, "PublicAccessBlockConfiguration")
    return any(any_in(get(cfg, k) if isinstance(cfg, dict) else MISSING, lambda v: v is False) for k in PAB)


rule(file=T, id="s3-public-access-block-weakened", severity="high", tags=["public-exposure", "s3"], mitre=["T1562.001", "T1530"],
     title="S3 Block Public Access removed or weakened",
     description="Block Public Access was deleted for a bucket or the account, or set with one of its four "
                 "settings false. Public ACLs and policies are then honoured again. Restore the block unless the "
                 "bucket is meant to be public.",
     references=[AWS + "AmazonS3/latest/userguide/access-control-block-public-access.html",
                 "panther AWS.S3.DeletePublicAccessBlock", "streamalert cloudtrail_critical_api_calls"],
     lang="eb", names=["DeleteBucketPublicAccessBlock", "DeleteAccountPublicAccessBlock", "PutBucketPublicAccessBlock",
                       "PutAccountPublicAccessBlock"], source="s3.amazonaws.com",
     extra_eb={"$or": [{"eventName": ["DeleteBucketPublicAccessBlock", "DeleteAccountPublicAccessBlock"]}]
               + [{"requestParameters": {"PublicAccessBlockConfiguration": {k: [False]}}} for k in PAB]},
     cond=pab_weakened)


def policy_public(doc):
    """A statement with Effect Allow and Principal "*" or {"AWS": "*"} (object form only)."""
    out = False
    for st in walk(doc, "Statement"):
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        p = st.get("Principal")
        if p == "*" or (isinstance(p, dict) and any_in(p.get("AWS", MISSING), lambda v: v == "*")):
            out = True
    return out


rule(file=T, id="s3-bucket-policy-public", severity="high", tags=["public-exposure", "s3"], mitre=["T1530"],
     title="S3 bucket policy allows any principal",
     description="A bucket policy was put with an Allow statement for Principal \"*\". Unless a condition narrows "
                 "it (a VPC endpoint, an organization id, a source IP), anyone can perform the allowed actions. Read "
                 "the statement and its conditions.",
     references=[AWS + "AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status",
                 "panther AWS.CloudTrail.ResourceMadePublic", "streamalert cloudtrail_public_resources"],
     lang="eb", names=["PutBucketPolicy"], source="s3.amazonaws.com",
     extra_eb={"requestParameters": {"bucketPolicy": {"Statement": {"Effect": ["Allow"], "$or": [
         {"Principal": ["*"]}, {"Principal": {"AWS": ["*"]}}]}}}},
     cond=lambda r: bool(walk(rp(r, "bucketPolicy"), "Statement"))
     and any(st.get("Effect") == "Allow" for st in walk(rp(r, "bucketPolicy"), "Statement") if isinstance(st, dict))
     and any((isinstance(st, dict) and (st.get("Principal") == "*" or (isinstance(st.get("Principal"), dict)
                                                                        and any_in(st["Principal"].get("AWS", MISSING), lambda v: v == "*"))))
             for st in walk(rp(r, "bucketPolicy"), "Statement")))
# String-valued policies (KMS, ECR, Secrets Manager, SQS, SNS, Glacier, OpenSearch): a wildcard principal in
# the JSON text. Spellings AWS itself produces: "Principal":"*", "AWS":"*", with optional spaces.
PUB_WILD = ['*"Principal":"\\*"*', '*"Principal": "\\*"*', '*"AWS":"\\*"*', '*"AWS": "\\*"*', '*"AWS" : "\\*"*',
            '*"AWS":["\\*"*', '*"AWS": ["\\*"*']
PUB_TEXT = ['"Principal":"*"', '"Principal": "*"', '"AWS":"*"', '"AWS": "*"', '"AWS" : "*"', '"AWS":["*"', '"AWS": ["*"']
POLICY_PATHS = {"PutKeyPolicy": "policy", "CreateKey": "policy", "SetRepositoryPolicy": "policyText",
                "PutResourcePolicy": "resourcePolicy", "SetQueueAttributes": "attributes.Policy",
                "SetTopicAttributes": "attributeValue", "CreateTopic": "attributes.Policy",
                "SetVaultAccessPolicy": "policy.policy", "CreateElasticsearchDomain": "accessPolicies",
                "UpdateElasticsearchDomainConfig": "accessPolicies"}


def text_public(r):
    path = POLICY_PATHS.get(sval(r, "eventName"))
    if not path:
        return False
    v = rp(r, path)
    if isinstance(v, dict):  # some callers log the policy as a JSON object
        return policy_public(v)
    return isinstance(v, str) and any(t in v for t in PUB_TEXT)


OBJ_PUBLIC = {"Statement": {"Effect": ["Allow"], "$or": [{"Principal": ["*"]}, {"Principal": {"AWS": ["*"]}}]}}


def policy_alternatives(path):
    return [{"requestParameters": nest(path, [{"wildcard": w} for w in PUB_WILD])},
            {"requestParameters": nest(path, OBJ_PUBLIC)}]


def nest(path, value):
    out = value
    for k in reversed(path.split(".")):
        out = {k: out}
    return out


POLICY_RULES = [
    ("kms-key-policy-public", ["PutKeyPolicy", "CreateKey"], "kms.amazonaws.com", "KMS key policy",
     "a KMS key policy", AWS + "kms/latest/developerguide/key-policy-overview.html", ["T1530"]),
    ("ecr-repository-policy-public", ["SetRepositoryPolicy"], "ecr.amazonaws.com", "ECR repository policy",
     "an ECR repository policy (anyone could pull, or push, images)", AWS + "AmazonECR/latest/userguide/repository-policies.html",
     ["T1530", "T1525"]),
    ("secret-policy-public", ["PutResourcePolicy"], "secretsmanager.amazonaws.com", "Secrets Manager resource policy",
     "a secret's resource policy", AWS + "secretsmanager/latest/userguide/auth-and-access_resource-policies.html",
     ["T1555.006"]),
    ("queue-or-topic-policy-public", ["SetQueueAttributes", "SetTopicAttributes", "CreateTopic"], None, "SQS or SNS policy",
     "an SQS queue or SNS topic policy (anyone could read or inject messages)",
     AWS + "AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-using-identity-based-policies.html", ["T1530"]),
    ("vault-or-search-domain-policy-public", ["SetVaultAccessPolicy", "CreateElasticsearchDomain",
                                              "UpdateElasticsearchDomainConfig"], None,
     "Glacier vault or OpenSearch domain policy", "a Glacier vault access policy or an OpenSearch domain access policy",
     AWS + "opensearch-service/latest/developerguide/ac.html", ["T1530"]),
]
for rid, names, source, what, long_what, url, mitre in POLICY_RULES:
    rule(file=T, id=rid, severity="high", tags=["public-exposure"], mitre=mitre,
         title=f"{what} with a wildcard principal",
         description=f"A resource policy was set on {long_what} whose JSON text names the principal \"*\". Unless a "
                     "condition limits it, any AWS account can use the resource. Read the policy's conditions and "
                     "remove the wildcard if it is not intended.",
         references=[url, AWS + "IAM/latest/UserGuide/reference_policies_elements_principal.html",
                     "streamalert cloudtrail_public_resources", "panther AWS.CloudTrail.ResourceMadePublic"],
         lang="eb", names=names, source=source,
         extra_eb={"$or": [dict(alt, eventName=[n]) for n in names for alt in policy_alternatives(POLICY_PATHS[n])]}
         if len(set(POLICY_PATHS[n] for n in names)) > 1 else {"$or": policy_alternatives(POLICY_PATHS[names[0]])},
         cond=text_public)


# Lambda logs its API version in eventName (UpdateFunctionCode20150331v2). The pack lists the
# versioned names CloudTrail writes, exactly, so that the index dispatches these rules on eventName
# (a prefix would leave only eventSource as an anchor: every Lambda read would become a candidate).
LAMBDA_NAMES = {
    "AddPermission": ["AddPermission", "AddPermission20150331", "AddPermission20150331v2"],
    "CreateFunctionUrlConfig": ["CreateFunctionUrlConfig", "CreateFunctionUrlConfig20211031"],
    "UpdateFunctionUrlConfig": ["UpdateFunctionUrlConfig", "UpdateFunctionUrlConfig20211031"],
    "UpdateFunctionCode": ["UpdateFunctionCode", "UpdateFunctionCode20150331", "UpdateFunctionCode20150331v2"],
    "UpdateFunctionConfiguration": ["UpdateFunctionConfiguration", "UpdateFunctionConfiguration20150331",
                                    "UpdateFunctionConfiguration20150331v2"],
    "DeleteFunction": ["DeleteFunction", "DeleteFunction20150331"],
}


def perm_add(r, attr_path, pred):
    return any(pred(x) for x in walk(get(r, "requestParameters"), attr_path) if isinstance(x, dict))


rule(file=T, id="ec2-snapshot-made-public", severity="critical", tags=["public-exposure", "ec2"], mitre=["T1537"],
     title="EBS snapshot made public",
     description="An EBS snapshot's createVolumePermission was given to group all: any AWS account can now create a "
                 "volume from it and read the disk. Remove the permission and assume the data was copied.",
     references=[AWS + "ebs/latest/userguide/ebs-modifying-snapshot-permissions.html",
                 "panther AWS.CloudTrail.SnapshotMadePublic", "streamalert cloudtrail_snapshot_or_ami_made_public"],
     lang="eb", names=["ModifySnapshotAttribute"], source="ec2.amazonaws.com",
     extra_eb={"requestParameters": {"createVolumePermission": {"add": {"items": {"group": ["all"]}}}}},
     cond=lambda r: perm_add(r, "createVolumePermission.add.items", lambda x: x.get("group") == "all"))
rule(file=T, id="ec2-snapshot-shared", severity="medium", tags=["public-exposure", "ec2", "exfiltration"], mitre=["T1537"],
     title="EBS snapshot shared with another AWS account",
     description="An EBS snapshot's createVolumePermission was granted to a specific AWS account. Sharing a snapshot "
                 "is how disks are moved to another account, legitimately or not. Check that the account id belongs "
                 "to your organization.",
     references=[AWS + "ebs/latest/userguide/ebs-modifying-snapshot-permissions.html", "panther AWS.Snapshot.Backup.Exfiltration"],
     lang="eb", names=["ModifySnapshotAttribute"], source="ec2.amazonaws.com",
     extra_eb={"requestParameters": {"createVolumePermission": {"add": {"items": {"userId": [{"exists": True}]}}}}},
     cond=lambda r: perm_add(r, "createVolumePermission.add.items", lambda x: "userId" in x))
rule(file=T, id="ami-made-public", severity="high", tags=["public-exposure", "ec2"], mitre=["T1537"],
     title="AMI made public",
     description="An AMI's launchPermission was given to group all: anyone can launch it and read its disks, "
                 "including any secrets baked into the image. Remove the permission unless the image is meant to be "
                 "public.",
     references=[AWS + "AWSEC2/latest/UserGuide/sharingamis-intro.html", "panther AWS.CloudTrail.AMIModifiedForPublicAccess",
                 "streamalert cloudtrail_snapshot_or_ami_made_public"],
     lang="eb", names=["ModifyImageAttribute"], source="ec2.amazonaws.com",
     extra_eb={"requestParameters": {"launchPermission": {"add": {"items": {"group": ["all"]}}}}},
     cond=lambda r: perm_add(r, "launchPermission.add.items", lambda x: x.get("group") == "all"))
rule(file=T, id="lambda-permission-added", severity="medium", tags=["public-exposure", "lambda", "persistence"],
     mitre=["T1546", "T1648"], title="Lambda function resource policy extended",
     description="A statement was added to a Lambda function's resource policy (AddPermission), letting another "
                 "account, service or everyone invoke the function. Check the principal and source conditions; a "
                 "principal of \"*\" makes the function callable by anyone who knows its ARN.",
     references=[AWS + "lambda/latest/api/API_AddPermission.html", "panther AWS.Potential.Backdoor.Lambda"],
     names=LAMBDA_NAMES["AddPermission"], source="lambda.amazonaws.com")
rule(file=T, id="lambda-function-url-public", severity="high", tags=["public-exposure", "lambda"], mitre=["T1190"],
     title="Lambda function URL without authentication",
     description="A Lambda function URL was created or updated with AuthType NONE: the function is reachable from "
                 "the internet without IAM authentication. Confirm that the function is meant to be public and "
                 "validates its input.",
     references=[AWS + "lambda/latest/dg/urls-auth.html", AWS + "lambda/latest/api/API_CreateFunctionUrlConfig.html"],
     names=LAMBDA_NAMES["CreateFunctionUrlConfig"] + LAMBDA_NAMES["UpdateFunctionUrlConfig"], source="lambda.amazonaws.com",
     extra_cwl='$.requestParameters.authType = "NONE"', cond=lambda r: rp(r, "authType") == "NONE",
     adapt=[("CreateFunctionUrlConfig", lambda r: sval(r, "eventName") == "AddPermission20150331v2" and ok(r),
             {"eventName": "CreateFunctionUrlConfig20211031", "requestParameters": {"functionName": "my-function", "authType": "NONE"}},
             "eventName CreateFunctionUrlConfig20211031, authType NONE"),
            ("UpdateFunctionUrlConfig", lambda r: sval(r, "eventName") == "AddPermission20150331" and ok(r),
             {"eventName": "UpdateFunctionUrlConfig20211031", "requestParameters": {"functionName": "my-function", "authType": "NONE"}},
             "eventName UpdateFunctionUrlConfig20211031, authType NONE"),
            ("neg:AWS_IAM", lambda r: sval(r, "eventName") == "AddPermission20150331v2" and ok(r),
             {"eventName": "CreateFunctionUrlConfig20211031", "requestParameters": {"functionName": "my-function", "authType": "AWS_IAM"}},
             "eventName CreateFunctionUrlConfig20211031, authType AWS_IAM")])
rule(file=T, id="codebuild-project-made-public", severity="high", tags=["public-exposure", "codebuild"], mitre=["T1530"],
     title="CodeBuild project made public",
     description="A CodeBuild project's visibility was set to PUBLIC_READ: its build logs and artifacts, which often "
                 "contain secrets, can be read by anyone. Set it back to PRIVATE.",
     references=[AWS + "codebuild/latest/userguide/public-builds.html", "panther AWS.CloudTrail.CodebuildProjectMadePublic"],
     names=["UpdateProjectVisibility"], source="codebuild.amazonaws.com",
     extra_cwl='$.requestParameters.projectVisibility = "PUBLIC_READ"', cond=lambda r: rp(r, "projectVisibility") == "PUBLIC_READ")

# ======================================================================================
T = "s3-destruction"
rule(file=T, id="s3-versioning-suspended", severity="high", tags=["s3-destruction", "impact"], mitre=["T1490"],
     title="S3 bucket versioning suspended",
     description="Versioning was suspended on a bucket. From now on overwritten and deleted objects are not kept as "
                 "previous versions, the usual first step before destroying or encrypting data for ransom. Re-enable "
                 "versioning and watch for deletions on the bucket.",
     references=[AWS + "AmazonS3/latest/userguide/Versioning.html", AWS + "AmazonS3/latest/API/API_PutBucketVersioning.html",
                 "panther AWS.S3.SuspendVersioning", "panther AWS.S3.SecurityControlDisabling"],
     names=["PutBucketVersioning"], source="s3.amazonaws.com",
     extra_cwl='$.requestParameters.VersioningConfiguration.Status = "Suspended"',
     cond=lambda r: rp(r, "VersioningConfiguration.Status") == "Suspended")
rule(file=T, id="s3-mfa-delete-disabled", severity="high", tags=["s3-destruction", "impact"], mitre=["T1490"],
     title="S3 MFA delete disabled",
     description="MFA delete was disabled on a bucket's versioning configuration, so object versions can be "
                 "permanently deleted without a second factor. Only the root user can change this setting: check the "
                 "root sign-in that preceded it.",
     references=[AWS + "AmazonS3/latest/userguide/MultiFactorAuthenticationDelete.html", "panther AWS.S3.DisableMfaDelete"],
     names=["PutBucketVersioning"], source="s3.amazonaws.com",
     extra_cwl='$.requestParameters.VersioningConfiguration.MfaDelete = "Disabled"',
     cond=lambda r: rp(r, "VersioningConfiguration.MfaDelete") == "Disabled")
rule(file=T, id="s3-default-encryption-removed", severity="high", tags=["s3-destruction", "impact", "encryption"],
     mitre=["T1486"], title="S3 bucket default encryption removed",
     description="A bucket's default encryption configuration was deleted (DeleteBucketEncryption). Besides weakening "
                 "protection at rest, it is a ransomware precursor: objects can then be rewritten under keys the "
                 "attacker controls. Restore the configuration.",
     references=[AWS + "AmazonS3/latest/API/API_DeleteBucketEncryption.html", "panther AWS.S3.DeleteBucketEncryption"],
     names=["DeleteBucketEncryption"], source="s3.amazonaws.com")
rule(file=T, id="s3-replication-deleted", severity="high", tags=["s3-destruction", "impact", "backup"], mitre=["T1490"],
     title="S3 bucket replication removed",
     description="A bucket's replication configuration was deleted, so new objects are no longer copied to the backup "
                 "or DR bucket. Restore replication if it was not retired on purpose.",
     references=[AWS + "AmazonS3/latest/API/API_DeleteBucketReplication.html", "panther AWS.S3.DeleteBucketReplication"],
     names=["DeleteBucketReplication"], source="s3.amazonaws.com")
rule(file=T, id="s3-bucket-deleted", severity="medium", tags=["s3-destruction", "impact"], mitre=["T1485"],
     title="S3 bucket deleted",
     description="A bucket was deleted (it had to be empty, so its objects were deleted before). Confirm the bucket "
                 "was retired on purpose; its name becomes available to other accounts.",
     references=[AWS + "AmazonS3/latest/API/API_DeleteBucket.html", "panther AWS.S3.BucketDeleted"],
     names=["DeleteBucket"], source="s3.amazonaws.com")
rule(file=T, id="s3-objects-bulk-deleted", severity="low", tags=["s3-destruction", "impact"], mitre=["T1485"],
     title="S3 multi-object delete (DeleteObjects)",
     description="Objects were deleted with a multi-object delete request (up to 1000 keys per call), a data event. "
                 "Lifecycle tooling does this routinely; a burst from a person, or on a bucket holding backups, is "
                 "data destruction. Pair it with a threshold in the alerting configuration.",
     references=[AWS + "AmazonS3/latest/API/API_DeleteObjects.html", "panther AWS.S3.DeleteObjects"],
     names=["DeleteObjects"], source="s3.amazonaws.com")
RANSOM = ["*DECRYPT*", "*decrypt*", "*Decrypt*", "*RANSOM*", "*ransom*", "*Ransom*", "*RECOVER_FILES*", "*recover_files*"]
rule(file=T, id="s3-ransom-note-uploaded", severity="high", tags=["s3-destruction", "impact", "ransomware"], mitre=["T1486"],
     title="S3 object uploaded with a ransom-note name",
     description="An object was written whose key looks like a ransom note (it contains DECRYPT, RANSOM or "
                 "RECOVER_FILES). Ransomware that empties or re-encrypts a bucket leaves such a note. Check the bucket's "
                 "recent deletions and copies.",
     references=[AWS + "AmazonS3/latest/API/API_PutObject.html", "panther AWS.S3.RansomwareNoteUpload"],
     names=["PutObject"], source="s3.amazonaws.com",
     extra_cwl=" || ".join(f'($.requestParameters.key = "{w}")' for w in RANSOM),
     cond=lambda r: isinstance(rp(r, "key"), str) and any(w.strip("*") in rp(r, "key") for w in RANSOM))
rule(file=T, id="s3-copy-with-customer-key", severity="high", tags=["s3-destruction", "impact", "ransomware"], mitre=["T1486"],
     title="S3 object rewritten with a customer-provided key (SSE-C)",
     description="An object was copied or written with server-side encryption under a customer-provided key (SSE-C): "
                 "only whoever holds that key can read it again. Copying objects onto themselves with SSE-C is a "
                 "known S3 ransomware technique. Block SSE-C in bucket policies if it is not used.",
     references=[AWS + "AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html",
                 "panther AWS.S3.CopyObjectWithClientSideEncryption"],
     names=["CopyObject", "PutObject"], source="s3.amazonaws.com",
     extra_cwl='$.requestParameters.x-amz-server-side-encryption-customer-algorithm = "*"',
     cond=lambda r: get(r, "requestParameters.x-amz-server-side-encryption-customer-algorithm") not in (MISSING,)
     and not isinstance(get(r, "requestParameters.x-amz-server-side-encryption-customer-algorithm"), (dict, list)))

# ======================================================================================
T = "rds"
MODIFY_DB = ["ModifyDBInstance", "ModifyDBCluster"]
rule(file=T, id="rds-made-public", severity="high", tags=["rds", "public-exposure"], mitre=["T1578.005", "T1190"],
     title="RDS database made publicly accessible",
     description="A database instance or cluster was created, restored or modified with PubliclyAccessible true: it "
                 "gets a public DNS name and, with an open security group, is reachable from the internet. Set it "
                 "back to private unless it is meant to be public.",
     references=[AWS + "AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html#USER_VPC.Hiding",
                 "panther AWS.RDS.InstanceMadePublic", "panther AWS.RDS.PublicRestore"],
     names=MODIFY_DB + ["CreateDBInstance", "RestoreDBInstanceFromDBSnapshot", "RestoreDBClusterFromSnapshot"],
     source="rds.amazonaws.com",
     extra_cwl="($.requestParameters.publiclyAccessible IS TRUE) || ($.responseElements.publiclyAccessible IS TRUE)",
     cond=lambda r: rp(r, "publiclyAccessible") is True or get(r, "responseElements.publiclyAccessible") is True)
rule(file=T, id="rds-snapshot-made-public", severity="critical", tags=["rds", "public-exposure", "exfiltration"],
     mitre=["T1537"], title="RDS snapshot made public",
     description="A DB snapshot or cluster snapshot was shared with all accounts (restore attribute value all): "
                 "anyone can restore the database from it. Remove the permission immediately and treat the data as "
                 "exposed.",
     references=[AWS + "AmazonRDS/latest/UserGuide/USER_ShareSnapshot.html", "streamalert cloudtrail_snapshot_or_ami_made_public"],
     lang="eb", names=["ModifyDBSnapshotAttribute", "ModifyDBClusterSnapshotAttribute"], source="rds.amazonaws.com",
     extra_eb={"requestParameters": {"attributeName": ["restore"], "valuesToAdd": ["all"]}},
     cond=lambda r: rp(r, "attributeName") == "restore" and "all" in leaves(get(r, "requestParameters"), "valuesToAdd"))
rule(file=T, id="rds-snapshot-shared", severity="medium", tags=["rds", "exfiltration"], mitre=["T1537"],
     title="RDS snapshot shared with another account",
     description="A DB snapshot or cluster snapshot's restore permission was granted to one or more accounts. That is "
                 "how a database is copied out of the account. Check that the accounts belong to your organization.",
     references=[AWS + "AmazonRDS/latest/UserGuide/USER_ShareSnapshot.html", "panther AWS.RDS.SnapshotShared"],
     lang="eb", names=["ModifyDBSnapshotAttribute", "ModifyDBClusterSnapshotAttribute"], source="rds.amazonaws.com",
     extra_eb={"requestParameters": {"attributeName": ["restore"], "valuesToAdd": [{"anything-but": "all"}]}},
     cond=lambda r: rp(r, "attributeName") == "restore"
     and any(isinstance(v, str) and v != "all" for v in leaves(get(r, "requestParameters"), "valuesToAdd")))
rule(file=T, id="rds-master-password-changed", severity="high", tags=["rds", "credentials"], mitre=["T1098"],
     title="RDS master user password changed",
     description="A database instance's or cluster's master password was reset through the RDS API. Whoever did it "
                 "can log in to the database as its administrator, without any database credential. Confirm the "
                 "change with the database owner.",
     references=[AWS + "AmazonRDS/latest/UserGuide/Overview.DBInstance.Modifying.html", "panther AWS.RDS.MasterPasswordUpdated"],
     names=MODIFY_DB, source="rds.amazonaws.com", extra_cwl='$.requestParameters.masterUserPassword = "*"',
     cond=lambda r: rp(r, "masterUserPassword") is not MISSING and not isinstance(rp(r, "masterUserPassword"), (dict, list)))
rule(file=T, id="rds-deletion-protection-disabled", severity="high", tags=["rds", "impact"], mitre=["T1485", "T1490"],
     title="RDS deletion protection disabled",
     description="Deletion protection was turned off for a database instance or cluster, the step before it can be "
                 "deleted. Turn it back on unless the database is being retired.",
     references=[AWS + "AmazonRDS/latest/UserGuide/USER_DeleteInstance.html#USER_DeleteInstance.DeletionProtection",
                 "panther AWS.RDS.DeletionProtectionDisabled"],
     names=MODIFY_DB, source="rds.amazonaws.com", extra_cwl="$.requestParameters.deletionProtection IS FALSE",
     cond=lambda r: rp(r, "deletionProtection") is False)
rule(file=T, id="rds-database-deleted", severity="high", tags=["rds", "impact"], mitre=["T1485"],
     title="RDS database instance or cluster deleted",
     description="A database instance or cluster was deleted. Check skipFinalSnapshot: without a final snapshot "
                 "the data may be gone for good.",
     references=[AWS + "AmazonRDS/latest/APIReference/API_DeleteDBInstance.html", "panther AWS.RDS.InstanceDeletion",
                 "streamalert cloudtrail_critical_api_calls"],
     names=["DeleteDBInstance", "DeleteDBCluster"], source="rds.amazonaws.com")
rule(file=T, id="rds-snapshot-deleted", severity="high", tags=["rds", "impact", "backup"], mitre=["T1490"],
     title="RDS manual snapshot deleted",
     description="A manual DB snapshot or cluster snapshot was deleted. Snapshots are the recovery point after "
                 "destruction or ransom. Confirm it was planned retention clean-up.",
     references=[AWS + "AmazonRDS/latest/APIReference/API_DeleteDBSnapshot.html", "panther AWS.RDS.SnapshotDeleted"],
     names=["DeleteDBSnapshot", "DeleteDBClusterSnapshot"], source="rds.amazonaws.com")
rule(file=T, id="rds-automated-backup-deleted", severity="high", tags=["rds", "impact", "backup"], mitre=["T1490"],
     title="RDS automated backups deleted",
     description="Retained automated backups of a deleted instance or cluster were removed, the last way to restore "
                 "it. Confirm the retirement was complete and intended.",
     references=[AWS + "AmazonRDS/latest/APIReference/API_DeleteDBInstanceAutomatedBackup.html", "panther AWS.RDS.AutomatedBackupDeleted"],
     names=["DeleteDBInstanceAutomatedBackup", "DeleteDBClusterAutomatedBackup"], source="rds.amazonaws.com")
rule(file=T, id="rds-snapshot-exported", severity="medium", tags=["rds", "exfiltration"], mitre=["T1537"],
     title="RDS snapshot exported to S3",
     description="A snapshot export task was started: the database's data is written to an S3 bucket as Parquet. "
                 "Check the target bucket's owner and the KMS key.",
     references=[AWS + "AmazonRDS/latest/UserGuide/USER_ExportSnapshot.html", "panther AWS.RDS.SnapshotExport"],
     names=["StartExportTask"], source="rds.amazonaws.com")
rule(file=T, id="rds-snapshot-copied-by-arn", severity="low", tags=["rds", "exfiltration"], mitre=["T1537"],
     title="RDS snapshot copied from another region or account",
     description="A DB snapshot or cluster snapshot was copied with its source named by ARN, which the API requires "
                 "for copies across regions or accounts. Check the source and target regions against where your "
                 "data may live.",
     references=[AWS + "AmazonRDS/latest/UserGuide/USER_CopySnapshot.html", "panther AWS.RDS.SnapshotCopiedCrossRegion"],
     names=["CopyDBSnapshot", "CopyDBClusterSnapshot"], source="rds.amazonaws.com",
     extra_cwl='($.requestParameters.sourceDBSnapshotIdentifier = "arn:*") || ($.requestParameters.sourceDBClusterSnapshotIdentifier = "arn:*")',
     cond=lambda r: any((sval(r, "requestParameters." + k) or "").startswith("arn:")
                        for k in ("sourceDBSnapshotIdentifier", "sourceDBClusterSnapshotIdentifier")))
rule(file=T, id="rds-activity-stream-stopped", severity="high", tags=["rds", "logging", "defense-evasion"],
     mitre=["T1562.008"], title="RDS database activity stream stopped",
     description="A database activity stream was stopped: database-level auditing sent to Kinesis ends. Restart it "
                 "and check the database's activity from then on.",
     references=[AWS + "AmazonRDS/latest/UserGuide/DBActivityStreams.html", "panther AWS.RDS.ActivityStreamStopped"],
     names=["StopActivityStream"], source="rds.amazonaws.com")
rule(file=T, id="rds-iam-role-added", severity="medium", tags=["rds", "privilege-escalation"], mitre=["T1098.003"],
     title="IAM role associated with an RDS database",
     description="An IAM role was associated with a database instance or cluster, giving the database engine access "
                 "to other AWS services (S3 import and export, Lambda). Check the role's permissions.",
     references=[AWS + "AmazonRDS/latest/APIReference/API_AddRoleToDBInstance.html", "panther AWS.RDS.IAMRoleAdded"],
     names=["AddRoleToDBInstance", "AddRoleToDBCluster"], source="rds.amazonaws.com")
rule(file=T, id="rds-security-group-ingress", severity="medium", tags=["rds", "network"], mitre=["T1562.007"],
     title="RDS DB security group ingress authorized",
     description="Ingress was authorized on a classic DB security group, from a CIDR range or an EC2 security group. "
                 "A 0.0.0.0/0 range opens the database to the internet. Check the range.",
     references=[AWS + "AmazonRDS/latest/APIReference/API_AuthorizeDBSecurityGroupIngress.html",
                 "panther AWS.RDS.SecurityGroupIngressAuthorized"],
     names=["AuthorizeDBSecurityGroupIngress"], source="rds.amazonaws.com")
rule(file=T, id="rds-log-downloaded", severity="low", tags=["rds", "collection"], mitre=["T1213"],
     title="RDS database log file downloaded",
     description="A database log file was downloaded through the RDS API. Engine logs can hold queries, user names "
                 "and errors with data in them. Check who downloaded which log.",
     references=[AWS + "AmazonRDS/latest/APIReference/API_DownloadDBLogFilePortion.html", "panther AWS.RDS.LogFileDownloaded"],
     names=["DownloadDBLogFilePortion", "DownloadCompleteDBLogFile"], source="rds.amazonaws.com")
rule(file=T, id="rds-reboot-or-failover", severity="low", tags=["rds", "impact"], mitre=["T1489"],
     title="RDS database rebooted or failed over",
     description="A database instance or cluster was rebooted, or a cluster or global cluster failed over. It "
                 "interrupts connections; outside a maintenance window it may be sabotage or cover for a change.",
     references=[AWS + "AmazonRDS/latest/UserGuide/USER_RebootInstance.html", "panther AWS.RDS.InstanceRebooted",
                 "panther AWS.RDS.ClusterFailover"],
     names=["RebootDBInstance", "RebootDBCluster", "FailoverDBCluster", "FailoverGlobalCluster"], source="rds.amazonaws.com")

# ======================================================================================
T = "ec2"
rule(file=T, id="ec2-user-data-read", severity="low", tags=["ec2", "credential-access", "discovery"], mitre=["T1552.005", "T1552"],
     title="EC2 instance user data read",
     description="An instance's user data was requested through DescribeInstanceAttribute (attribute userData), "
                 "successfully or not. User data often carries bootstrap secrets; a caller reading many instances' "
                 "user data is hunting for them.",
     references=[AWS + "AWSEC2/latest/APIReference/API_DescribeInstanceAttribute.html", "panther AWS.EC2.DownloadInstanceUserData"],
     names=["DescribeInstanceAttribute"], source="ec2.amazonaws.com", success=False,
     extra_cwl='$.requestParameters.attribute = "userData"', cond=lambda r: rp(r, "attribute") == "userData")
rule(file=T, id="ec2-password-data-read", severity="low", tags=["ec2", "credential-access"], mitre=["T1552"],
     title="EC2 Windows password data requested",
     description="GetPasswordData was called, successfully or not: it returns a Windows instance's encrypted "
                 "Administrator password. Check that the caller administers that instance.",
     references=[AWS + "AWSEC2/latest/APIReference/API_GetPasswordData.html", "panther AWS.EC2.ManyPasswordReadAttempts"],
     names=["GetPasswordData"], source="ec2.amazonaws.com", success=False)
rule(file=T, id="ec2-key-pair-imported", severity="medium", tags=["ec2", "persistence"], mitre=["T1098.004"],
     title="EC2 key pair imported",
     description="A public key was imported as an EC2 key pair. Instances launched with it accept SSH logins from "
                 "whoever holds the private key, which never passed through AWS. Check who imported it and which "
                 "instances use it.",
     references=[AWS + "AWSEC2/latest/APIReference/API_ImportKeyPair.html"],
     names=["ImportKeyPair"], source="ec2.amazonaws.com",
     adapt=[("ImportKeyPair", lambda r: sval(r, "eventName") == "CreateKeyPair" and ok(r),
             {"eventName": "ImportKeyPair", "requestParameters": {"keyName": "backup-key", "publicKeyMaterial": "<sensitiveDataRemoved>"}},
             "eventName ImportKeyPair"),
            ("ImportKeyPair 2", lambda r: sval(r, "eventName") == "CreateKeyPair" and ok(r),
             {"eventName": "ImportKeyPair", "requestParameters": {"keyName": "ops", "publicKeyMaterial": "<sensitiveDataRemoved>"},
              "userIdentity.type": "IAMUser"}, "eventName ImportKeyPair, userIdentity.type IAMUser")])
rule(file=T, id="ec2-traffic-mirroring", severity="medium", tags=["ec2", "network", "collection"], mitre=["T1040"],
     title="EC2 traffic mirroring set up or changed",
     description="A traffic mirror session, target or filter was created or changed, successfully or not. Mirroring "
                 "copies an interface's packets to another host and is a way to sniff traffic inside the VPC. "
                 "Check the target.",
     references=[AWS + "vpc/latest/mirroring/what-is-traffic-mirroring.html", "panther AWS.EC2.Traffic.Mirroring"],
     names=["CreateTrafficMirrorSession", "CreateTrafficMirrorTarget", "CreateTrafficMirrorFilter",
            "CreateTrafficMirrorFilterRule", "ModifyTrafficMirrorSession", "ModifyTrafficMirrorFilterRule",
            "DeleteTrafficMirrorSession", "DeleteTrafficMirrorTarget", "DeleteTrafficMirrorFilter"],
     source="ec2.amazonaws.com", success=False)
rule(file=T, id="ec2-user-data-modified", severity="high", tags=["ec2", "persistence", "execution"], mitre=["T1059.009", "T1546"],
     title="EC2 instance user data changed",
     description="An instance's user data was modified. User data scripts run as root at boot, so changing it on a "
                 "stopped instance is a way to execute code on the next start. Compare the new script with the "
                 "expected one.",
     references=[AWS + "AWSEC2/latest/UserGuide/user-data.html", "panther AWS.EC2.Startup.Script.Change"],
     names=["ModifyInstanceAttribute"], source="ec2.amazonaws.com",
     extra_cwl='$.requestParameters.userData = "*"',
     cond=lambda r: rp(r, "userData") is not MISSING and not isinstance(rp(r, "userData"), (dict, list)))
rule(file=T, id="ec2-serial-console-enabled", severity="medium", tags=["ec2", "remote-access"], mitre=["T1021"],
     title="EC2 serial console access enabled",
     description="Serial console access was enabled for the account in a region. The serial console bypasses "
                 "network controls and reaches an instance even when SSH is closed. Disable it unless needed for "
                 "troubleshooting.",
     references=[AWS + "AWSEC2/latest/UserGuide/configure-access-to-serial-console.html"],
     names=["EnableSerialConsoleAccess"], source="ec2.amazonaws.com")
rule(file=T, id="ec2-instance-connect-key-pushed", severity="low", tags=["ec2", "remote-access"], mitre=["T1021.004", "T1098.004"],
     title="SSH key pushed with EC2 Instance Connect",
     description="A temporary SSH public key was pushed to an instance (or its serial console) with EC2 Instance "
                 "Connect. Routine for administrators; many instances in a short time from one caller suggests lateral "
                 "movement. Use a threshold.",
     references=[AWS + "AWSEC2/latest/UserGuide/ec2-instance-connect-methods.html", "panther AWS.EC2.MultiInstanceConnect"],
     names=["SendSSHPublicKey", "SendSerialConsoleSSHPublicKey"], source="ec2-instance-connect.amazonaws.com")


def sg_open(r):
    cidrs = leaves(get(r, "requestParameters"), "ipPermissions.items.ipRanges.items.cidrIp")
    v6 = leaves(get(r, "requestParameters"), "ipPermissions.items.ipv6Ranges.items.cidrIpv6")
    return "0.0.0.0/0" in cidrs or "::/0" in v6 or rp(r, "cidrIp") == "0.0.0.0/0"


rule(file=T, id="security-group-ingress-from-anywhere", severity="high", tags=["ec2", "network", "public-exposure"],
     mitre=["T1562.007"], title="Security group ingress opened to the whole internet",
     description="An ingress rule for 0.0.0.0/0 or ::/0 was added to a security group. Every port it covers is "
                 "reachable from anywhere. Narrow the range unless the group fronts a public service.",
     references=[AWS + "AWSEC2/latest/APIReference/API_AuthorizeSecurityGroupIngress.html",
                 "streamalert cloudtrail_security_group_ingress_anywhere"],
     lang="eb", names=["AuthorizeSecurityGroupIngress"], source="ec2.amazonaws.com",
     extra_eb={"requestParameters": {"$or": [
         {"ipPermissions": {"items": {"ipRanges": {"items": {"cidrIp": ["0.0.0.0/0"]}}}}},
         {"ipPermissions": {"items": {"ipv6Ranges": {"items": {"cidrIpv6": ["::/0"]}}}}},
         {"cidrIp": ["0.0.0.0/0"]}]}},
     cond=sg_open)
rule(file=T, id="network-acl-ingress-from-anywhere", severity="medium", tags=["ec2", "network", "public-exposure"],
     mitre=["T1562.007"], title="Network ACL allows inbound traffic from anywhere",
     description="A network ACL entry was created or replaced that allows inbound traffic from 0.0.0.0/0 or ::/0. "
                 "The subnet then relies on security groups alone. Check the ports.",
     references=[AWS + "vpc/latest/userguide/vpc-network-acls.html", "panther AWS.CloudTrail.NetworkACLPermissiveEntry",
                 "streamalert cloudtrail_network_acl_ingress_anywhere"],
     names=["CreateNetworkAclEntry", "ReplaceNetworkAclEntry"],
     extra_cwl='($.requestParameters.egress IS FALSE) && ($.requestParameters.ruleAction = "allow") && '
               '(($.requestParameters.cidrBlock = "0.0.0.0/0") || ($.requestParameters.ipv6CidrBlock = "::/0"))',
     cond=lambda r: rp(r, "egress") is False and rp(r, "ruleAction") == "allow"
     and (rp(r, "cidrBlock") == "0.0.0.0/0" or rp(r, "ipv6CidrBlock") == "::/0"))

# ======================================================================================
T = "lambda"
rule(file=T, id="lambda-code-updated", severity="low", tags=["lambda", "persistence"], mitre=["T1525", "T1648"],
     title="Lambda function code updated",
     description="A function's code was replaced. Deployments do this; a person doing it by hand, outside the "
                 "pipeline, may be planting a backdoor in a function that already has a privileged role. Check the "
                 "caller and the code's source.",
     references=[AWS + "lambda/latest/api/API_UpdateFunctionCode.html", "panther AWS.Lambda.UpdateFunctionCode"],
     names=LAMBDA_NAMES["UpdateFunctionCode"], source="lambda.amazonaws.com")
rule(file=T, id="lambda-layer-attached", severity="medium", tags=["lambda", "persistence"], mitre=["T1525", "T1546"],
     title="Lambda function configuration updated with layers",
     description="A function's configuration was updated and the function now has layers. Layer code (and "
                 "extensions in layers) runs inside the function before its handler, a stealthy place for a "
                 "backdoor. Check the layer ARNs and their owning accounts.",
     references=[AWS + "lambda/latest/dg/chapter-layers.html", "panther AWS.Lambda.UpdateFunctionConfiguration"],
     names=LAMBDA_NAMES["UpdateFunctionConfiguration"], source="lambda.amazonaws.com",
     extra_cwl='($.requestParameters.layers[0] = "*") || ($.responseElements.layers[0].arn = "*")',
     cond=lambda r: (isinstance(rp(r, "layers"), list) and len(rp(r, "layers")) > 0
                     and not isinstance(rp(r, "layers")[0], (dict, list)))
     or (isinstance(get(r, "responseElements.layers"), list) and len(get(r, "responseElements.layers")) > 0
         and isinstance(get(r, "responseElements.layers")[0], dict)
         and not isinstance(get(r, "responseElements.layers")[0].get("arn", []), (dict, list))))
rule(file=T, id="lambda-function-deleted", severity="low", tags=["lambda", "impact"], mitre=["T1485"],
     title="Lambda function deleted",
     description="A function was deleted. Confirm it was retired on purpose; a deleted function can break security "
                 "automation (such as the one forwarding these alerts).",
     references=[AWS + "lambda/latest/api/API_DeleteFunction.html", "panther AWS.LAMBDA.CRUD"],
     names=LAMBDA_NAMES["DeleteFunction"], source="lambda.amazonaws.com")

# ======================================================================================
T = "secrets"
rule(file=T, id="secrets-batch-read", severity="medium", tags=["secrets", "credential-access"], mitre=["T1555.006"],
     title="Secrets Manager secrets read in batch",
     description="BatchGetSecretValue returned or was asked for several secrets in one call, often selected by a "
                 "filter that matches everything. Legitimate applications usually read the few secrets they need by "
                 "name. Check the caller and the filters.",
     references=[AWS + "secretsmanager/latest/apireference/API_BatchGetSecretValue.html",
                 "panther AWS.SecretsManager.BatchRetrieveSecrets", "panther AWS.SecretsManager.BatchRetrieveSecretsCatchAll"],
     names=["BatchGetSecretValue"], source="secretsmanager.amazonaws.com", success=False)
rule(file=T, id="secrets-bulk-read", severity="high", tags=["secrets", "credential-access", "threshold"],
     mitre=["T1555.006"], title="Secrets Manager secrets read in bulk by one principal",
     description="20 GetSecretValue calls by the same principal (userIdentity.arn) within 10 minutes, allowed or "
                 "denied. Applications read the few secrets they need and cache them; a principal walking through "
                 "the secrets, or being denied on one after another, is harvesting credentials. Denied calls count "
                 "because an attacker does not know in advance which secrets the stolen identity may read. Check "
                 "the principal, its source IP and the secret ids; rotate what it read. Raise the count for a "
                 "service that legitimately reads many secrets at start-up. " + COUNTED,
     references=[AWS + "secretsmanager/latest/apireference/API_GetSecretValue.html",
                 AWS + "secretsmanager/latest/userguide/monitoring-cloudtrail.html",
                 "panther AWS.SecretsManager.RetrieveSecrets"],
     names=["GetSecretValue"], source="secretsmanager.amazonaws.com", success=False,
     policy_lines=["threshold: {count: 20, window: 10m, group_by: [userIdentity.arn]}"])
rule(file=T, id="secret-deleted", severity="medium", tags=["secrets", "impact"], mitre=["T1485"],
     title="Secrets Manager secret scheduled for deletion",
     description="A secret was scheduled for deletion (or deleted at once with ForceDeleteWithoutRecovery). "
                 "Applications that read it will fail. Cancel the deletion (RestoreSecret) if it was not planned.",
     references=[AWS + "secretsmanager/latest/apireference/API_DeleteSecret.html"],
     names=["DeleteSecret"], source="secretsmanager.amazonaws.com",
     adapt=[("DeleteSecret", lambda r: sval(r, "eventName") == "DeleteSecret",
             {"errorCode": DELETE, "errorMessage": DELETE}, "null errorCode and errorMessage keys removed, as CloudTrail writes a success")])
# User agents of applications, not of a person: the AWS SDKs, Terraform, and AWS itself.
SSM_APP_AGENTS = ("aws-sdk-", "Boto3", "Botocore", "APN/1.0 HashiCorp")


def ssm_interactive(r):
    ua = sval(r, "userAgent")
    return isinstance(ua, str) and not ua.startswith(SSM_APP_AGENTS) and ua != "AWS Internal"


rule(file=T, id="ssm-parameter-decrypted", severity="low", tags=["secrets", "credential-access"], mitre=["T1555.006"],
     title="SSM SecureString parameter read with decryption by a person or an unknown tool",
     description="Parameters were read with decryption (GetParameter, GetParameters or GetParametersByPath with "
                 "withDecryption true), returning plaintext secrets, by a caller whose user agent is not an "
                 "application's: the AWS SDKs (aws-sdk-*, Boto3, Botocore), Terraform (APN/1.0 HashiCorp) and "
                 "AWS Internal are left out, since applications read their parameters all day; the console, the "
                 "CLI and unknown tools are reported. A person reading many parameters is harvesting "
                 "credentials. A user agent is chosen by the caller, so this lowers noise, not evasion; use a "
                 "threshold to alert on bursts only.",
     references=[AWS + "systems-manager/latest/APIReference/API_GetParameters.html", "panther AWS.SSM.DecryptSSMParams"],
     names=["GetParameter", "GetParameters", "GetParametersByPath"], source="ssm.amazonaws.com",
     extra_cwl='$.requestParameters.withDecryption IS TRUE) && ($.userAgent != "aws-sdk-*") && '
               '($.userAgent != "Boto3*") && ($.userAgent != "Botocore*") && ($.userAgent != "APN/1.0 HashiCorp*") && '
               '($.userAgent != "AWS Internal"',
     cond=lambda r: rp(r, "withDecryption") is True and ssm_interactive(r),
     adapt=[("neg:sdk", lambda r: sval(r, "eventSource") == "ssm.amazonaws.com" and rp(r, "withDecryption") is True
             and ssm_interactive(r) and ok(r),
             {"userAgent": "aws-sdk-java/2.25.11 Linux/5.15.0-1055-aws OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10"},
             "userAgent aws-sdk-java/2.25.11 (an application)")])
rule(file=T, id="ssm-send-command", severity="medium", tags=["secrets", "execution", "ec2"], mitre=["T1651"],
     title="SSM Run Command sent to instances",
     description="A command document (such as AWS-RunShellScript) was sent to instances with Run Command. It runs "
                 "as root or SYSTEM on every target. Check the document, its parameters and the targets.",
     references=[AWS + "systems-manager/latest/APIReference/API_SendCommand.html", "panther AWS.SSM.DistributedCommand"],
     names=["SendCommand"], source="ssm.amazonaws.com")

# ======================================================================================
T = "organizations"
rule(file=T, id="organization-leave-attempt", severity="high", tags=["organizations", "defense-evasion"], mitre=["T1666"],
     title="Account tried to leave the AWS Organization",
     description="LeaveOrganization was called, successfully or not. An account that leaves escapes the "
                 "organization's SCPs, central logging and security tooling. Any attempt deserves an explanation.",
     references=[AWS + "organizations/latest/APIReference/API_LeaveOrganization.html", "panther AWS.CloudTrail.AttemptToLeaveOrg"],
     names=["LeaveOrganization"], source="organizations.amazonaws.com", success=False)
rule(file=T, id="region-enabled", severity="medium", tags=["organizations", "defense-evasion"], mitre=["T1535"],
     title="Opt-in AWS region enabled",
     description="An opt-in region was enabled for the account. Attackers use regions nobody watches to run "
                 "resources out of sight. Confirm the region is needed and covered by your trails and detectors.",
     references=[AWS + "accounts/latest/reference/API_EnableRegion.html", "panther AWS.CloudTrail.EnableRegion"],
     names=["EnableRegion"])
rule(file=T, id="organization-account-created", severity="low", tags=["organizations"], mitre=["T1136.003"],
     title="AWS account created in the organization",
     description="A new member account was created in the organization (CreateAccount, or the service event "
                 "CreateAccountResult). Check that account vending was expected.",
     references=[AWS + "organizations/latest/APIReference/API_CreateAccount.html", "panther Standard.NewAWSAccountCreated"],
     names=["CreateAccount", "CreateAccountResult"], source="organizations.amazonaws.com")
rule(file=T, id="organization-policy-changed", severity="medium", tags=["organizations", "defense-evasion"], mitre=["T1484"],
     title="Organization policy (SCP) attached, detached, changed or deleted",
     description="An organization policy such as a service control policy was attached, detached, updated or "
                 "deleted. SCPs are the guardrails above every account; loosening one can undo many controls at once.",
     references=[AWS + "organizations/latest/userguide/orgs_manage_policies_scps.html"],
     names=["AttachPolicy", "DetachPolicy", "UpdatePolicy", "DeletePolicy"], source="organizations.amazonaws.com",
     adapt=[("AttachPolicy", lambda r: sval(r, "eventName") == "AttachPolicy",
             {"errorCode": DELETE, "errorMessage": DELETE}, "errorCode and errorMessage removed (the call succeeds)"),
            ("DetachPolicy", lambda r: sval(r, "eventName") == "AttachPolicy",
             {"errorCode": DELETE, "errorMessage": DELETE, "eventName": "DetachPolicy"}, "eventName DetachPolicy, errorCode removed")])
rule(file=T, id="organization-account-closed", severity="medium", tags=["organizations", "impact"], mitre=["T1531"],
     title="Member account closed",
     description="A member account was closed from the management account. Its resources stop and become "
                 "unrecoverable after the post-closure period. Confirm the closure.",
     references=[AWS + "organizations/latest/APIReference/API_CloseAccount.html"],
     names=["CloseAccount"], source="organizations.amazonaws.com")


# ======================================================================================
def set_path(rec, path, value):
    cur = rec
    keys = path.split(".")
    for k in keys[:-1]:
        cur = cur.setdefault(k, {})
    if value is DELETE:
        cur.pop(keys[-1], None)
    else:
        cur[keys[-1]] = value


def adapted(x, changes, note):
    rec = copy.deepcopy(x["rec"])
    for k, v in changes.items():
        set_path(rec, k, v)
    return {"source": x["source"], "line": x["line"], "rec": rec, "adapted": note,
            "raw": json.dumps(rec, separators=(",", ":"), ensure_ascii=False)}


def complete(r):
    """Fills the pattern and predicate of a rule spec."""
    names, source, success = r["names"], r.get("source"), r.get("success", True)
    prefix = r.get("prefix", False)
    if r.get("lang") == "eb":
        eb_names = [{"prefix": n.rstrip("*")} for n in names] if prefix else names
        r["pattern"] = eb(eb_names, source, success, r.get("extra_eb"))
    else:
        r["pattern"] = cwl(names, source, success, r.get("extra_cwl"))
    r["pred"] = std_pred([n.rstrip("*") for n in names], source, success, r.get("cond"), prefix)


def category(r, x, pos_names, pos_sources):
    """Near-miss rank of a negative record (lower is closer), or None when it is not a near miss."""
    rec = x["rec"]
    name, src = sval(rec, "eventName"), sval(rec, "eventSource")
    if name is None or src is None or name == "...":
        return None
    if name in pos_names and isinstance(get(rec, "errorCode"), str):
        return (0, "failed call")
    if name in pos_names:
        return (1, "same call, other parameters, identity or outcome")
    if src in pos_sources and READ_ONLY.match(name):
        return (2, "read-only call")
    if src in pos_sources:
        return (3, "other call of the service")
    return None


def main():
    ap = argparse.ArgumentParser()
    root = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
    ap.add_argument("--corpus", default=os.path.join(root, "tests", "data", "corpus"))
    ap.add_argument("--out", default=os.path.join(root, "rules"))
    ap.add_argument("--report", action="store_true")
    args = ap.parse_args()
    recs = BR.load(args.corpus)
    by_file = {}
    errors = []
    for r in RULES:
      try:
          complete(r)
          pool = [x for x in recs if r["pred"](x["rec"])]
          adapted_pos, adapted_neg = [], []
          for label, base_pred, changes, note in r.get("adapt", []):
              base = next((x for x in recs if base_pred(x["rec"])), None)
              if base is None:
                  sys.exit(f"{r['id']}: no base record for adaptation {label}")
              rec = copy.deepcopy(base["rec"])
              for k, v in changes.items():
                  set_path(rec, k, v)
              raw = json.dumps(rec, separators=(",", ":"), ensure_ascii=False)
              item = {"source": base["source"], "line": base["line"], "raw": raw, "rec": rec,
                      "adapted": note}
              want = not label.startswith("neg:")
              if r["pred"](rec) != want:
                  sys.exit(f"{r['id']}: adaptation {label} does not give pred {want}")
              (adapted_pos if want else adapted_neg).append(item)
          used_s, used_n = set(), set()
          positives = BR.pick(pool, 3, used_s, used_n)
          positives += adapted_pos[:max(0, 2 - len(positives))] if len(positives) >= 1 else adapted_pos
          if len(positives) == 1:
              # A second, real-shaped positive: the same record from another region and address.
              positives.append(adapted(positives[0], {"awsRegion": "eu-west-1", "sourceIPAddress": "198.51.100.23"},
                                       "awsRegion eu-west-1, sourceIPAddress 198.51.100.23"))
              assert r["pred"](positives[-1]["rec"])
          if len(positives) < 2:
              sys.exit(f"{r['id']}: only {len(positives)} positives; add an adaptation")
          pos_names = {sval(x["rec"], "eventName") for x in pool} | {n for n in r["names"] if not n.endswith("*")}
          pos_sources = {sval(x["rec"], "eventSource") for x in pool + adapted_pos} | ({r["source"]} if r.get("source") else set())
          cands = {}
          for x in recs:
              if r["pred"](x["rec"]):
                  continue
              c = category(r, x, pos_names, pos_sources)
              if c is not None:
                  cands.setdefault(c, []).append(x)
          negatives = [("near miss: " + x["adapted"], x) for x in adapted_neg]
          used_s2, used_n2 = set(), set()
          for c in sorted(cands):
              if len(negatives) >= 3:
                  break
              for x in BR.pick(cands[c], 1, used_s2, used_n2):
                  negatives.append((c[1], x))
          if len(negatives) < 2:
              # second pass: a second record of the best categories
              for c in sorted(cands):
                  for x in cands[c]:
                      if len(negatives) >= 2:
                          break
                      if all(x is not y for _, y in negatives):
                          negatives.append((c[1], x))
          for p in positives:
              if len(negatives) >= 2 or not r.get("success", True):
                  break
              # The closest near miss of all: a positive, failed with AccessDenied.
              x = adapted(p, {"errorCode": "AccessDenied", "errorMessage": "User is not authorized to perform this operation"},
                          "errorCode AccessDenied added")
              assert not r["pred"](x["rec"])
              negatives.append(("failed call", x))
          if len(negatives) < 2:
              sys.exit(f"{r['id']}: only {len(negatives)} negatives")

          def cite(x):
              if "adapted" in x:
                  return f"(adapted from {x['source']} line {x['line']}: {x['adapted']})"
              return f"({x['source']} line {x['line']})"
          tests = [{"name": f"{BR.describe(x)} {cite(x)}", "expect": True, "raw": x["raw"]} for x in positives]
          tests += [{"name": f"{label}: {BR.describe(x)} {cite(x)}", "expect": False, "raw": x["raw"]}
                    for label, x in negatives]
          r["tests"] = tests
          r["corpus_positives"] = len(pool)
          by_file.setdefault(r["file"], []).append(r)
      except SystemExit as e:
        errors.append(str(e))
    if errors:
        sys.exit("\n".join(errors))
    # The alerting stages' two rules (build_alerting_rules.py states them and checks their tests)
    # close their packs: console-login-after-hours in sign-in, security-group-exposed in ec2.
    for r in BA.catalogue_rules(args.corpus):
        r["corpus_positives"] = "see build_alerting_rules.py --report"
        by_file.setdefault(r["file"], []).append(r)
        RULES.append(r)
    for file, rules in by_file.items():
        with open(os.path.join(args.out, file + ".yml"), "w", encoding="utf-8") as fh:
            fh.write(emit_file(file, rules))
    for r in RULES:
        print(f"{r['file']:16} {r['id']:40} {r['severity']:9} +{sum(t['expect'] for t in r['tests'])} "
              f"-{sum(not t['expect'] for t in r['tests'])} (corpus positives {r['corpus_positives']})")
        if args.report:
            for t in r["tests"]:
                print("     ", t["expect"], t["name"])


def emit_file(file, rules):
    out = [f"# The `{file}` pack of the built-in rules: switch it off with `packs: {{{file}: false}}`.",
           "# Generated by tests/corpus_expectation/tools/build_catalogue.py; edit there, then re-run it.",
           "# Test events: CloudTrail records quoted byte for byte from tests/data/corpus/real/<source>.ndjson",
           "# (\"<source> line N\", 1-based), or adapted from one with the changes named in the test;",
           "# origins and licences in tests/data/corpus/NOTICE.md."]
    if any("aws-docs line" in t["name"] for r in rules for t in r["tests"]):
        out.append("# Events marked aws-docs are AWS documentation examples, (c) Amazon.com, Inc. or its affiliates,")
        out.append("# CC-BY-SA-4.0 (documentation text) / MIT-0 (sample code).")
    for r in rules:
        out.append("")
        out.append(f"- id: {r['id']}")
        out.append(f"  title: {BR.yaml_str(r['title'])}")
        out.append(f"  severity: {r['severity']}")
        out.append("  tags: [" + ", ".join(r["tags"]) + "]")
        out.append("  mitre_attack: [" + ", ".join(r["mitre"]) + "]")
        out.append("  description: >")
        out.append(BR.fold(r["description"], indent="    "))
        out.append("  references:")
        out += [f"    - {BR.yaml_str(x) if not x.startswith('http') else x}" for x in r["references"]]
        assert "'" not in r["pattern"], r["id"]
        key = "event_pattern" if r.get("lang") == "eb" else "filter_pattern"
        out.append(f"  {key}: '{r['pattern']}'")
        out += ["  " + x for x in r.get("policy_lines", [])]
        out.append("  tests:")
        for t in r["tests"]:
            out.append(f"    - name: {BR.yaml_str(t['name'])}")
            out.append(f"      expect: {'true' if t['expect'] else 'false'}")
            out.append("      event: |")
            out.append("        " + t["raw"])
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
