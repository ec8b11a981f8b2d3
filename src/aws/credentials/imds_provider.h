// ImdsProvider: the EC2 instance metadata service, version 2 only (session tokens).
//
//   1. PUT  /latest/api/token                          X-aws-ec2-metadata-token-ttl-seconds: 21600
//   2. GET  /latest/meta-data/iam/security-credentials/        X-aws-ec2-metadata-token: <t>
//      -> the role name (first line)
//   3. GET  /latest/meta-data/iam/security-credentials/<role>  X-aws-ec2-metadata-token: <t>
//      -> {"Code": "Success", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"}
//
// The endpoint is http://169.254.169.254, or AWS_EC2_METADATA_SERVICE_ENDPOINT (tests point it
// at 127.0.0.1). AWS_EC2_METADATA_DISABLED=true turns the provider off. Each request has a
// 1-second timeout, as in the SDKs, so that a chain off EC2 ends quickly.
// kNotFound when there is no IMDS (no answer to step 1) or no role attached (404 at step 2):
// the chain reports "no credentials found". Other failures: kUnavailable (HTTP errors) or
// kParse. IMDSv1 is deliberately not used. Name: "imds".
#pragma once

#include "aws/credentials/credentials.h"
#include "aws/environment.h"
#include "aws/http_fetch.h"

namespace tw::aws {

class ImdsProvider final : public CredentialsProvider {
 public:
  ImdsProvider(Environment env, HttpFetch fetch) : env_(std::move(env)), fetch_(std::move(fetch)) {}
  std::string_view Name() const override { return "imds"; }
  [[nodiscard]] Result<Credentials> Fetch() override;

 private:
  Environment env_;
  HttpFetch fetch_;
};

}  // namespace tw::aws
