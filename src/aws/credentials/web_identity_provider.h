// WebIdentityProvider: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN [+ AWS_ROLE_SESSION_NAME],
// exchanged for temporary credentials with STS AssumeRoleWithWebIdentity (unsigned). The token
// file is re-read on every fetch (Kubernetes rotates it). Not configured (kNotFound) unless both
// variables are set; one without the other is kInvalidArgument. STS is reached at the endpoint
// ResolveEndpoint(kSts, region) gives. Name: "web-identity".
//
// Borrows `clock`, which must outlive the provider.
#pragma once

#include "aws/credentials/credentials.h"
#include "aws/environment.h"
#include "aws/http_fetch.h"

namespace tw::aws {

class WebIdentityProvider final : public CredentialsProvider {
 public:
  // `region`: the resolved region (may be empty: the global STS endpoint).
  WebIdentityProvider(Environment env, std::string region, HttpFetch fetch, const Clock& clock)
      : env_(std::move(env)), region_(std::move(region)), fetch_(std::move(fetch)), clock_(clock) {}
  std::string_view Name() const override { return "web-identity"; }
  [[nodiscard]] Result<Credentials> Fetch() override;

 private:
  Environment env_;
  std::string region_;
  HttpFetch fetch_;
  const Clock& clock_;
};

}  // namespace tw::aws
