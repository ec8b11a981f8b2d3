// StsClient: the three AWS STS calls trailwatch makes, over the query protocol (form POST,
// XML answers parsed with pugixml).
//
//   * AssumeRoleWithWebIdentity: unsigned (the web identity token is the credential), for the
//     web identity provider (EKS IRSA and the like);
//   * AssumeRole: signed with the source profile's credentials, for `role_arn` profiles;
//   * GetCallerIdentity: signed, for `trailwatch aws whoami`.
//
// Errors: kUnavailable when no response came, else the AWS error mapped by AwsError::ToError
// ("STS AssumeRole: AccessDenied: ..."); kParse when a 200 answer lacks the expected fields.
// No message contains a key, token or the web identity token.
//
// Ownership and thread-safety: holds a copy of the HttpFetch and borrows the Clock (which must
// outlive it). Not thread-safe; the credential chain serialises its use.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials/credentials.h"
#include "aws/endpoints.h"
#include "aws/http_fetch.h"
#include "common/clock.h"
#include "common/error.h"

namespace tw::aws {

struct CallerIdentity {
  std::string account;  // "123456789012"
  std::string arn;      // "arn:aws:sts::123456789012:assumed-role/role/session"
  std::string user_id;
};

struct AssumeRoleParams {
  std::string role_arn;
  std::string session_name;
  std::string external_id;              // sent when not empty
  std::optional<int> duration_seconds;  // STS's default (1 h) when absent
};

class StsClient {
 public:
  StsClient(HttpFetch fetch, Endpoint endpoint, const Clock& clock)
      : fetch_(std::move(fetch)), endpoint_(std::move(endpoint)), clock_(clock) {}

  [[nodiscard]] Result<Credentials> AssumeRoleWithWebIdentity(std::string_view role_arn,
                                                              std::string_view session_name,
                                                              std::string_view token);
  [[nodiscard]] Result<Credentials> AssumeRole(const Credentials& source,
                                               const AssumeRoleParams& params);
  [[nodiscard]] Result<CallerIdentity> GetCallerIdentity(const Credentials& credentials);

 private:
  // POSTs `form` (already encoded) and returns the 200 body; `signer` null: unsigned.
  Result<std::string> Call(std::string_view action, std::string form, const Credentials* signer);

  HttpFetch fetch_;
  Endpoint endpoint_;
  const Clock& clock_;
};

// A default RoleSessionName, "trailwatch-<unix seconds>", as botocore uses
// "botocore-session-<seconds>".
std::string DefaultSessionName(const Clock& clock);

}  // namespace tw::aws
