// The readable actor of a CloudTrail record: who did it, in the words a person uses.
//
// From userIdentity
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html):
//   IAMUser                      -> the user name ("alice")
//   AssumedRole                  -> "role/session" ("deploy/i-0abc",
//   "OrganizationAccountAccessRole/bob") AssumedRole of an IAM Identity Center permission set (role
//   name AWSReservedSSO_*) whose
//                                   session name is an email -> the email ("bob@example.com")
//   Root                         -> "root"
//   AWSService                   -> the service from invokedBy ("cloudtrail.amazonaws.com")
//   FederatedUser                -> the federated user name
//   AWSAccount                   -> "account <accountId>"
//   anything else                -> userName, else principalId, else arn, else ""
// When a person acts through a service (invokedBy set on a Root, IAMUser or AssumedRole
// identity) the result is "<actor> via <service>". The email is returned whenever the session
// name of an assumed role is an email (SSO, or SAML/OIDC federation that names sessions by email).
// Pure function over a parsed record.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

namespace tw::alert {

struct ReadableActor {
  std::string name;   // may be empty when the record names no one
  std::string email;  // set when the actor resolves to an email
};

ReadableActor DescribeActor(simdjson::dom::element record);

// True for a plausible email address: local@domain.tld, no spaces or control characters.
bool LooksLikeEmail(std::string_view s);

}  // namespace tw::alert
