#include "aws/credentials/web_identity_provider.h"

#include <fstream>
#include <sstream>

#include "aws/endpoints.h"
#include "aws/sts_client.h"

namespace tw::aws {

Result<Credentials> WebIdentityProvider::Fetch() {
  auto token_file = env_.Get("AWS_WEB_IDENTITY_TOKEN_FILE");
  auto role_arn = env_.Get("AWS_ROLE_ARN");
  if (!token_file && !role_arn) {
    return Fail(ErrorCode::kNotFound, "AWS_WEB_IDENTITY_TOKEN_FILE is not set");
  }
  if (!token_file || !role_arn) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string("web identity: ") +
                    (token_file ? "AWS_ROLE_ARN" : "AWS_WEB_IDENTITY_TOKEN_FILE") +
                    " is not set, but " +
                    (token_file ? "AWS_WEB_IDENTITY_TOKEN_FILE" : "AWS_ROLE_ARN") + " is");
  }
  std::ifstream in(*token_file, std::ios::binary);
  if (!in) {
    return Fail(ErrorCode::kIo, "web identity: cannot read token file " + *token_file);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token = ss.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "web identity: token file " + *token_file + " is empty");
  }
  auto endpoint = ResolveEndpoint(Service::kSts, region_, env_);
  if (!endpoint) return tl::unexpected(endpoint.error());
  StsClient sts(fetch_, *endpoint, clock_);
  std::string session = env_.GetOr("AWS_ROLE_SESSION_NAME", DefaultSessionName(clock_));
  auto creds = sts.AssumeRoleWithWebIdentity(*role_arn, session, token);
  if (!creds) {
    return Fail(creds.error().code, "web identity (" + *role_arn + "): " + creds.error().message);
  }
  creds->source = "web-identity";
  return creds;
}

}  // namespace tw::aws
