// EnvironmentProvider: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and optional AWS_SESSION_TOKEN
// (first in the chain). Only one of the two keys set is kInvalidArgument (botocore's
// PartialCredentialsError), not a silent fall-through. Name: "environment".
#pragma once

#include "aws/credentials/credentials.h"
#include "aws/environment.h"

namespace tw::aws {

class EnvironmentProvider final : public CredentialsProvider {
 public:
  explicit EnvironmentProvider(Environment env) : env_(std::move(env)) {}
  std::string_view Name() const override { return "environment"; }
  [[nodiscard]] Result<Credentials> Fetch() override;

 private:
  Environment env_;
};

}  // namespace tw::aws
