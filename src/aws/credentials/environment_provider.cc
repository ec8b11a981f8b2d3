#include "aws/credentials/environment_provider.h"

namespace tw::aws {

Result<Credentials> EnvironmentProvider::Fetch() {
  auto key = env_.Get("AWS_ACCESS_KEY_ID");
  auto secret = env_.Get("AWS_SECRET_ACCESS_KEY");
  if (!key && !secret) return Fail(ErrorCode::kNotFound, "AWS_ACCESS_KEY_ID is not set");
  if (!key || !secret) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string("environment: ") +
                    (key ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") + " is not set, but " +
                    (key ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") + " is");
  }
  Credentials creds;
  creds.access_key_id = *key;
  creds.secret_access_key = *secret;
  creds.session_token = env_.GetOr("AWS_SESSION_TOKEN", "");
  creds.source = "environment";
  return creds;
}

}  // namespace tw::aws
