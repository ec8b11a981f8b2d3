// ContainerProvider: ECS task roles and EKS Pod Identity.
//
// Configured by AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (fetched from http://169.254.170.2<uri>)
// or AWS_CONTAINER_CREDENTIALS_FULL_URI (the relative one wins when both are set). A full URI
// over plain http must point at a loopback address or at the ECS/EKS agents (169.254.170.2,
// 169.254.170.23, fd00:ec2::23), as the SDKs require; https may go anywhere. The request carries
// "Authorization: <token>" from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read on every
// fetch; it wins) or AWS_CONTAINER_AUTHORIZATION_TOKEN. The answer is
// {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}. Name: "container".
//
// Errors: no response or a non-200 status is kUnavailable; bad JSON kParse; a forbidden host or
// a token with a line break kInvalidArgument. Messages never include the token or the keys.
#pragma once

#include "aws/credentials/credentials.h"
#include "aws/environment.h"
#include "aws/http_fetch.h"

namespace tw::aws {

class ContainerProvider final : public CredentialsProvider {
 public:
  ContainerProvider(Environment env, HttpFetch fetch)
      : env_(std::move(env)), fetch_(std::move(fetch)) {}
  std::string_view Name() const override { return "container"; }
  [[nodiscard]] Result<Credentials> Fetch() override;

 private:
  Environment env_;
  HttpFetch fetch_;
};

}  // namespace tw::aws
