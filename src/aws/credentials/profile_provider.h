// ProfileProvider: the selected profile (AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default")
// of the shared config and credentials files (shared_config.h). Within the profile, in the
// order botocore uses:
//   1. `role_arn` with `source_profile`: the source profile's credentials (static keys, or its
//      own role_arn, up to 5 hops, cycles rejected), then STS AssumeRole signed with them
//      (`role_session_name`, `external_id`, `duration_seconds` honoured). Name "assume-role".
//   2. `aws_access_key_id` + `aws_secret_access_key` [+ `aws_session_token`]. Name "profile".
//   3. `credential_process` (process_provider.h). Name "process".
// The files are read on every fetch (they change under long-running daemons).
// kNotFound when the profile does not exist and was not asked for by name, or has none of the
// above; kInvalidArgument when AWS_PROFILE names a missing profile, a key lacks its pair, or a
// role has no source_profile (credential_source is not supported).
//
// Borrows `clock`, which must outlive the provider.
#pragma once

#include "aws/credentials/credentials.h"
#include "aws/credentials/shared_config.h"
#include "aws/environment.h"
#include "aws/http_fetch.h"

namespace tw::aws {

class ProfileProvider final : public CredentialsProvider {
 public:
  ProfileProvider(Environment env, HttpFetch fetch, const Clock& clock)
      : env_(std::move(env)), fetch_(std::move(fetch)), clock_(clock) {}
  std::string_view Name() const override { return "profile"; }
  [[nodiscard]] Result<Credentials> Fetch() override;

 private:
  Result<Credentials> Resolve(const SharedConfig& config, const std::string& profile, int depth,
                              std::vector<std::string>& visited);

  Environment env_;
  HttpFetch fetch_;
  const Clock& clock_;
};

}  // namespace tw::aws
