# trailwatch benchmark baseline: the built-in detection set as one jq 1.6 program.
#
# Input: CloudTrail records, one JSON object per line (NDJSON). Output: for every record that
# matches at least one detection, one compact line {"eventID":...,"eventName":...,"rules":[ids]}.
# Usage: jq -c -f bench/baselines/detections.jq events.ndjson
#
# Rules: the CIS CloudWatch.1-14 metric-filter patterns (AWS Security Hub, exact semantics below)
# and nine trailwatch detections. bench/baselines/lambda_style.py implements the same set; the
# bench harness checks that both report identical per-rule counts over the same corpus.
#
# CloudWatch Logs semantics reproduced here:
#   $.a = "x"    true only when the field is a string equal to x ("x*" prefix, "*x" suffix)
#   $.a != "x"   true when the field is present and a scalar (null included) other than x;
#                false when it is missing, an array or an object (docs/cwl-filter-patterns.md)
#   NOT EXISTS   the key is absent
def set($names): reduce $names[] as $n ({}; .[$n] = true);
def isstr: type == "string";
def scalar_ne($v): type != "array" and type != "object" and . != $v;
def named($s): (.eventName | isstr) and ($s[.eventName] // false);

def iam_policy: set(["DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy",
  "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy",
  "CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy",
  "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy"]);
def trail: set(["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"]);
def kms_cis: set(["DisableKey", "ScheduleKeyDeletion"]);
def s3_policy: set(["PutBucketAcl", "PutBucketPolicy", "PutBucketCors", "PutBucketLifecycle",
  "PutBucketReplication", "DeleteBucketPolicy", "DeleteBucketCors", "DeleteBucketLifecycle",
  "DeleteBucketReplication"]);
def config: set(["StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel",
  "PutConfigurationRecorder"]);
def sg_cis: ["AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
  "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup",
  "DeleteSecurityGroup"];
def nacl: set(["CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl",
  "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"]);
def gateway: set(["CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway",
  "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway"]);
def route: set(["CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation",
  "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable"]);
def vpc: set(["CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection",
  "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection", "RejectVpcPeeringConnection",
  "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink",
  "EnableVpcClassicLink"]);
def kms_change: set(["CreateKey", "CreateAlias", "DisableKey", "DeleteAlias",
  "ScheduleKeyDeletion"]);
def ssm_session: set(["StartSession", "ResumeSession", "TerminateSession"]);

def auth_failure: .errorCode | isstr and (startswith("AccessDenied") or
  endswith("UnauthorizedOperation"));
def console_login($result): .eventName == "ConsoleLogin" and
  .responseElements.ConsoleLogin == $result;

# Compile the sets once, then test every record.
(iam_policy) as $iam | (trail) as $trail | (kms_cis) as $kms_cis | (s3_policy) as $s3 |
(config) as $config | set(sg_cis) as $sg | set(sg_cis + ["ModifySecurityGroupRules"]) as $sg2 |
(nacl) as $nacl | (gateway) as $gw | (route) as $route | (vpc) as $vpc |
(kms_change) as $kms | (ssm_session) as $ssm |
[
  (if .userIdentity.type == "Root" and
      (.userIdentity | type == "object" and has("invokedBy") | not) and
      has("eventType") and (.eventType | scalar_ne("AwsServiceEvent")) then "cis-root-usage" else empty end),
  (if auth_failure then "cis-unauthorized-api-calls" else empty end),
  (if .eventName == "ConsoleLogin" and (.additionalEventData | type == "object" and
      has("MFAUsed") and (.MFAUsed | scalar_ne("Yes"))) and
      .userIdentity.type == "IAMUser" and .responseElements.ConsoleLogin == "Success"
   then "cis-console-login-without-mfa" else empty end),
  (if named($iam) then "cis-iam-policy-changes" else empty end),
  (if named($trail) then "cis-cloudtrail-changes" else empty end),
  (if .eventName == "ConsoleLogin" and .errorMessage == "Failed authentication"
   then "cis-console-auth-failures" else empty end),
  (if .eventSource == "kms.amazonaws.com" and named($kms_cis)
   then "cis-cmk-disable-or-deletion" else empty end),
  (if .eventSource == "s3.amazonaws.com" and named($s3)
   then "cis-s3-bucket-policy-changes" else empty end),
  (if .eventSource == "config.amazonaws.com" and named($config)
   then "cis-config-changes" else empty end),
  (if named($sg) then "cis-security-group-changes" else empty end),
  (if named($nacl) then "cis-nacl-changes" else empty end),
  (if named($gw) then "cis-network-gateway-changes" else empty end),
  (if named($route) then "cis-route-table-changes" else empty end),
  (if named($vpc) then "cis-vpc-changes" else empty end),
  (if named($trail) then "cloudtrail-change" else empty end),
  (if .eventName == "ConsoleLogin" and .errorMessage == "Failed authentication"
   then "console-login-failure" else empty end),
  (if auth_failure then "authorization-failure" else empty end),
  (if named($sg2) then "security-group-change" else empty end),
  (if .eventSource == "kms.amazonaws.com" and named($kms) then "kms-key-change" else empty end),
  (if named($nacl) then "network-acl-change" else empty end),
  (if console_login("Success") then "console-login-success" else empty end),
  (if .eventSource == "ssm.amazonaws.com" and named($ssm) then "ssm-session" else empty end),
  (if named($iam) then "iam-policy-change" else empty end)
] as $rules
| select($rules | length > 0)
| {eventID, eventName, rules: $rules}
