#include "aws/secrets_manager.h"

#include <simdjson.h>

#include "aws/aws_error.h"
#include "aws/sigv4/sigv4_signer.h"
#include "common/strings.h"

namespace tw::aws {

Result<std::string> GetSecretString(const HttpFetch& fetch, const Endpoint& endpoint,
                                    const Credentials& credentials, std::string_view secret_id,
                                    const Clock& clock) {
  HttpRequest request;
  request.method = "POST";
  request.url = endpoint.url + "/";
  request.body = "{\"SecretId\":\"";
  AppendJsonEscaped(request.body, secret_id);
  request.body += "\"}";
  request.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                     {"X-Amz-Target", "secretsmanager.GetSecretValue"}};
  const SigningParams params =
      SigningParams::For("secretsmanager", endpoint.signing_region, clock.Now());
  if (auto signed_parts = SignRequest(request, credentials, params); !signed_parts) {
    return tl::unexpected(signed_parts.error());
  }
  auto response = fetch(request);
  if (!response) return tl::unexpected(response.error());
  if (response->status != 200) {
    return tl::unexpected(ParseAwsError(*response).ToError("Secrets Manager GetSecretValue"));
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(response->body).get(root) != simdjson::SUCCESS) {
    return Fail(ErrorCode::kParse, "Secrets Manager GetSecretValue: the answer is not JSON");
  }
  std::string_view value;
  if (root["SecretString"].get_string().get(value) != simdjson::SUCCESS) {
    if (root["SecretBinary"].error() == simdjson::SUCCESS) {
      return Fail(ErrorCode::kUnsupported,
                  "Secrets Manager GetSecretValue: the secret is binary; store it as a string");
    }
    return Fail(ErrorCode::kParse, "Secrets Manager GetSecretValue: no SecretString in the answer");
  }
  return std::string(value);
}

}  // namespace tw::aws
